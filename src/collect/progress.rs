//! One spinner per collector on stderr, when asked for. Hidden bars cost nothing, so the
//! collectors report progress unconditionally.

use crate::inventory::Gap;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::borrow::Cow;
use std::time::Duration;

pub(crate) struct Progress {
    bars: Option<MultiProgress>,
    style: ProgressStyle,
}

impl Progress {
    pub(crate) fn new(enabled: bool) -> Self {
        let style = ProgressStyle::with_template("{spinner} {prefix}: {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner())
            .tick_strings(&["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏", "✓"]);
        Progress {
            bars: enabled.then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr())),
            style,
        }
    }

    /// A spinner for one collector, labelled as its finished message will be.
    pub(crate) fn phase(&self, label: &'static str) -> Phase {
        let bar = match &self.bars {
            Some(bars) => {
                let bar = bars.add(ProgressBar::new_spinner().with_style(self.style.clone()));
                bar.enable_steady_tick(Duration::from_millis(100));
                bar
            }
            None => ProgressBar::hidden(),
        };
        bar.set_prefix(label);
        bar.set_message("…");
        Phase { bar }
    }
}

pub(crate) struct Phase {
    bar: ProgressBar,
}

impl Phase {
    pub(crate) fn update(&self, message: impl Into<Cow<'static, str>>) {
        self.bar.set_message(message);
    }

    pub(crate) fn done(&self, message: impl Into<Cow<'static, str>>) {
        self.bar.finish_with_message(message);
    }

    pub(crate) fn failed(&self, gap: &Gap) {
        self.bar
            .abandon_with_message(format!("not collected: {}", gap.error_code));
    }
}

/// "1 user", "2 users".
pub(crate) fn count(n: usize, singular: &str, plural: &str) -> String {
    if n == 1 {
        format!("1 {singular}")
    } else {
        format!("{n} {plural}")
    }
}
