//! JUnit XML for CI dashboards: one testsuite per category, one testcase per check and
//! resource. A failure carries the finding's message and its fix; a check that could not
//! be evaluated is an `<error>`; a skipped or muted finding is `<skipped>` (a muted one with
//! its suppression's reason), so accepted risks do not fail the dashboard.
//!
//! A finding with several categories is counted once, in its first, so the totals equal
//! the number of findings. The shape is the common Ant/Surefire one that Jenkins, GitLab,
//! Azure DevOps and the GitHub test-report actions read.

use super::Report;
use crate::finding::{Category, Finding, Status};
use std::io::Write;

/// Text as XML 1.0 character data or attribute value: markup escaped, and characters
/// XML 1.0 cannot carry at all (most C0 controls) dropped.
pub fn xml_escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            '\t' | '\n' | '\r' => escaped.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => escaped.push(c),
        }
    }
    escaped
}

#[derive(Default)]
struct Counts {
    tests: usize,
    failures: usize,
    errors: usize,
    skipped: usize,
}

impl Counts {
    fn of<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> Self {
        let mut counts = Counts::default();
        for finding in findings {
            counts.tests += 1;
            match finding.status {
                Status::Fail => counts.failures += 1,
                Status::Error => counts.errors += 1,
                Status::Skipped | Status::Muted => counts.skipped += 1,
                Status::Pass => {}
            }
        }
        counts
    }

    fn attributes(&self) -> String {
        format!(
            r#"tests="{}" failures="{}" errors="{}" skipped="{}" time="0""#,
            self.tests, self.failures, self.errors, self.skipped
        )
    }
}

fn failure_text(finding: &Finding) -> String {
    let mut text = format!(
        "{}\nseverity: {}\nresource: {}\n",
        finding.message, finding.severity, finding.resource_arn
    );
    if let Some(remediation) = &finding.remediation {
        text.push_str(&format!("\nFix (CLI):\n{}\n", remediation.cli().trim()));
        let console = remediation.console();
        if !console.trim().is_empty() {
            text.push_str(&format!("\nFix (console):\n{}\n", console.trim()));
        }
    }
    text
}

fn testcase(finding: &Finding, out: &mut dyn Write) -> std::io::Result<()> {
    write!(
        out,
        r#"    <testcase name="{}" classname="iamscan.{}" time="0""#,
        xml_escape(&finding.resource_arn),
        xml_escape(&finding.check_id),
    )?;
    let message = xml_escape(&finding.message);
    match finding.status {
        Status::Pass => writeln!(out, "/>"),
        Status::Fail => writeln!(
            out,
            ">\n      <failure message=\"{message}\" type=\"{}\">{}</failure>\n    </testcase>",
            finding.severity,
            xml_escape(&failure_text(finding))
        ),
        Status::Error => writeln!(
            out,
            ">\n      <error message=\"{message}\" type=\"not-evaluated\">{}</error>\n    </testcase>",
            xml_escape(&failure_text(finding))
        ),
        Status::Skipped => writeln!(
            out,
            ">\n      <skipped message=\"{message}\"/>\n    </testcase>"
        ),
        Status::Muted => writeln!(
            out,
            ">\n      <skipped message=\"{}\"/>\n    </testcase>",
            xml_escape(&format!(
                "muted: {} ({})",
                finding.muted_reason.as_deref().unwrap_or("suppressed"),
                finding.message
            ))
        ),
    }
}

/// The category a finding is counted in: its first.
fn home(finding: &Finding) -> Option<Category> {
    finding.categories.first().copied()
}

pub fn render_junit(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let timestamp = report.generated_at.format("%Y-%m-%dT%H:%M:%S");
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="iamscan {}" {}>"#,
        xml_escape(report.account_id.as_deref().unwrap_or("unknown account")),
        Counts::of(&report.findings).attributes()
    )?;
    // Category order, then findings without a category (a catalog guarantees none).
    let suites = Category::ALL
        .iter()
        .map(|category| (category.as_str(), Some(*category)))
        .chain([("uncategorised", None)]);
    for (name, category) in suites {
        let members: Vec<&Finding> = report
            .findings
            .iter()
            .filter(|finding| home(finding) == category)
            .collect();
        if members.is_empty() {
            continue;
        }
        writeln!(
            out,
            r#"  <testsuite name="{name}" {} timestamp="{timestamp}">"#,
            Counts::of(members.iter().copied()).attributes()
        )?;
        for finding in members {
            testcase(finding, out)?;
        }
        writeln!(out, "  </testsuite>")?;
    }
    writeln!(out, "</testsuites>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_escaped_and_forbidden_characters_dropped() {
        assert_eq!(
            xml_escape("a<b>&\"c'\u{1}\td"),
            "a&lt;b&gt;&amp;&quot;c&apos;\td"
        );
    }
}
