//! Baselines: what changed since a previous report. A finding's identity is its check and
//! its resource, so a rename of the message or a new severity does not make it "new".

use crate::finding::{Finding, Severity, Status};
use crate::report::Report;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    /// Failing now, not failing in the baseline.
    New,
    /// Failing in both.
    Unchanged,
}

/// A failure of the baseline that no longer fails.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Resolved {
    pub check_id: String,
    pub resource_arn: String,
    pub title: String,
    pub severity: Severity,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// The baseline report's scan time.
    pub baseline_generated_at: chrono::DateTime<chrono::Utc>,
    pub new: usize,
    pub unchanged: usize,
    pub resolved: Vec<Resolved>,
    /// Overall score now minus the baseline's; `None` when either has no score.
    pub score_delta: Option<f64>,
}

type Key = (String, String);

fn key(finding: &Finding) -> Key {
    (
        finding.check_id.to_string(),
        finding.resource_arn.to_string(),
    )
}

fn failing(report: &Report) -> BTreeSet<Key> {
    report
        .findings
        .iter()
        .filter(|finding| finding.status == Status::Fail)
        .map(key)
        .collect()
}

/// Marks each failure of `current` new or unchanged against `baseline`, and lists what the
/// baseline failed that `current` no longer fails. A baseline failure whose check did not
/// run now (not selected) is not "resolved": nothing was looked at.
pub fn compare(current: &mut Report, baseline: &Report) -> Comparison {
    let before = failing(baseline);
    let now = failing(current);
    let ran: BTreeSet<&str> = current.checks.iter().map(|meta| meta.id.as_str()).collect();
    let judged: BTreeSet<Key> = current
        .findings
        .iter()
        .filter(|finding| {
            matches!(
                finding.status,
                Status::Pass | Status::Skipped | Status::Fail | Status::Muted
            )
        })
        .map(key)
        .collect();
    let (mut new, mut unchanged) = (0, 0);
    for finding in current
        .findings
        .iter_mut()
        .filter(|finding| finding.status == Status::Fail)
    {
        let change = if before.contains(&key(finding)) {
            Change::Unchanged
        } else {
            Change::New
        };
        match change {
            Change::New => new += 1,
            Change::Unchanged => unchanged += 1,
        }
        finding.change = Some(change);
    }
    let resolved = baseline
        .findings
        .iter()
        .filter(|finding| finding.status == Status::Fail && !now.contains(&key(finding)))
        // Resolved means judged again and not failing, or its resource is gone from a
        // check that ran; an error now proves nothing.
        .filter(|finding| ran.contains(finding.check_id.as_str()))
        .filter(|finding| {
            judged.contains(&key(finding))
                || !current.findings.iter().any(|other| {
                    other.check_id == finding.check_id && other.status == Status::Error
                })
        })
        .map(|finding| Resolved {
            check_id: finding.check_id.to_string(),
            resource_arn: finding.resource_arn.to_string(),
            title: finding.title.to_string(),
            severity: finding.severity,
        })
        .collect();
    let score_delta = match (current.score.overall, baseline.score.overall) {
        (Some(now), Some(then)) => Some(((now - then) * 10.0).round() / 10.0),
        _ => None,
    };
    Comparison {
        baseline_generated_at: baseline.generated_at,
        new,
        unchanged,
        resolved,
        score_delta,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::demo_report;

    fn fail_to_pass(report: &mut Report, check: &str) -> String {
        let finding = report
            .findings
            .iter_mut()
            .find(|finding| finding.check_id == check && finding.status == Status::Fail)
            .expect("a failure to fix");
        finding.status = Status::Pass;
        finding.resource_arn.to_string()
    }

    #[test]
    fn a_fixed_failure_is_resolved_and_a_new_one_is_new() {
        let baseline = demo_report();
        let mut current = demo_report();
        let fixed = fail_to_pass(&mut current, "group-without-users");
        let broken = current
            .findings
            .iter_mut()
            .find(|finding| {
                finding.check_id == "user-console-mfa" && finding.status == Status::Pass
            })
            .expect("a pass to break");
        broken.status = Status::Fail;
        let broken_arn = broken.resource_arn.clone();
        let comparison = compare(&mut current, &baseline);
        assert_eq!(comparison.new, 1);
        assert_eq!(comparison.resolved.len(), 1);
        assert_eq!(comparison.resolved[0].resource_arn, fixed);
        let marked: Vec<(&str, Option<Change>)> = current
            .findings
            .iter()
            .filter(|finding| finding.status == Status::Fail)
            .map(|finding| (finding.resource_arn.as_str(), finding.change))
            .filter(|(_, change)| *change == Some(Change::New))
            .collect();
        assert_eq!(marked, vec![(broken_arn.as_str(), Some(Change::New))]);
        assert_eq!(
            comparison.unchanged,
            baseline
                .findings
                .iter()
                .filter(|f| f.status == Status::Fail)
                .count()
                - 1
        );
    }

    #[test]
    fn a_failure_whose_check_now_errors_is_not_resolved() {
        let baseline = demo_report();
        let mut current = demo_report();
        for finding in current
            .findings
            .iter_mut()
            .filter(|finding| finding.check_id == "group-without-users")
        {
            finding.status = Status::Error;
        }
        let comparison = compare(&mut current, &baseline);
        assert!(comparison.resolved.is_empty(), "{:?}", comparison.resolved);
    }
}
