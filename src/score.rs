//! The scoring model (see docs/scoring.md for the formula and a worked example).
//!
//! Each evaluated check scores the share of its resources that pass, 0-100. The overall
//! score and each category's score are averages of check scores weighted by severity.
//! Errors, skips and muted findings do not count, so an incomplete scan is scored on what
//! it saw and says how much that was (coverage).

use crate::finding::{Category, Finding, Severity, Status};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub fn weight(severity: Severity) -> f64 {
    match severity {
        Severity::Critical => 10.0,
        Severity::High => 5.0,
        Severity::Medium => 3.0,
        Severity::Low => 1.0,
        Severity::Info => 0.0,
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Score {
    /// 0-100, one decimal; `None` when nothing could be scored.
    pub overall: Option<f64>,
    pub grade: String,
    /// True when some check could not be evaluated: the score covers only what was seen.
    pub incomplete: bool,
    /// Share of checks evaluated without error, in percent.
    pub coverage_percent: f64,
    pub categories: BTreeMap<String, CategoryScore>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategoryScore {
    pub score: Option<f64>,
    pub grade: String,
    pub passed: usize,
    pub failed: usize,
    pub errored: usize,
}

/// One check's tally.
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    passed: usize,
    failed: usize,
    errored: usize,
}

impl Tally {
    fn score(&self) -> Option<f64> {
        let judged = self.passed + self.failed;
        (judged > 0).then(|| 100.0 * self.passed as f64 / judged as f64)
    }
}

fn letter(score: f64) -> char {
    match score {
        s if s >= 90.0 => 'A',
        s if s >= 80.0 => 'B',
        s if s >= 70.0 => 'C',
        s if s >= 60.0 => 'D',
        _ => 'F',
    }
}

/// The grade, capped by the worst failure: any critical failure caps it at D, any high
/// failure at B. A fix can only raise the score and lift a cap.
fn grade(score: Option<f64>, worst_failure: Option<Severity>) -> String {
    let Some(score) = score else {
        return "-".to_string();
    };
    let cap = match worst_failure {
        Some(Severity::Critical) => 'D',
        Some(Severity::High) => 'B',
        _ => 'A',
    };
    // Letters later in the alphabet are worse.
    letter(score).max(cap).to_string()
}

struct CheckResult {
    severity: Severity,
    categories: Vec<Category>,
    /// The most severe failing finding, which may be above the check's severity.
    worst_failure: Option<Severity>,
    tally: Tally,
}

fn weighted(results: &[&CheckResult]) -> Option<f64> {
    let (sum, weights) = results
        .iter()
        .filter_map(|result| {
            result
                .tally
                .score()
                .map(|score| (score, weight(result.severity)))
        })
        .fold((0.0, 0.0), |(sum, weights), (score, weight)| {
            (sum + score * weight, weights + weight)
        });
    (weights > 0.0).then(|| (sum / weights * 10.0).round() / 10.0)
}

fn worst_failure(results: &[&CheckResult]) -> Option<Severity> {
    results
        .iter()
        .filter_map(|result| result.worst_failure)
        .max()
}

/// Scores findings. `base_severity` gives each check's catalog severity, which fixes its
/// weight: a finding raised above its check's severity (`Emitter::fail_at`) caps the grade
/// but does not re-weigh the check, so fixing it can only raise the score.
pub fn score(findings: &[Finding], base_severity: impl Fn(&str) -> Option<Severity>) -> Score {
    let mut by_check: BTreeMap<&str, CheckResult> = BTreeMap::new();
    for finding in findings {
        let result = by_check
            .entry(&finding.check_id)
            .or_insert_with(|| CheckResult {
                severity: base_severity(&finding.check_id).unwrap_or(finding.severity),
                categories: finding.categories.to_vec(),
                worst_failure: None,
                tally: Tally::default(),
            });
        match finding.status {
            Status::Pass => result.tally.passed += 1,
            Status::Fail => {
                result.tally.failed += 1;
                result.worst_failure = result.worst_failure.max(Some(finding.severity));
            }
            Status::Error => result.tally.errored += 1,
            Status::Skipped | Status::Muted => {}
        }
    }
    let all: Vec<&CheckResult> = by_check.values().collect();
    let errored_checks = all.iter().filter(|result| result.tally.errored > 0).count();
    let coverage_percent = if all.is_empty() {
        0.0
    } else {
        ((all.len() - errored_checks) as f64 * 1000.0 / all.len() as f64).round() / 10.0
    };
    let overall = weighted(&all);
    let categories = Category::ALL
        .iter()
        .filter_map(|category| {
            let results: Vec<&CheckResult> = all
                .iter()
                .copied()
                .filter(|result| result.categories.contains(category))
                .collect();
            if results.is_empty() {
                return None;
            }
            let total = |field: fn(&Tally) -> usize| {
                results.iter().map(|result| field(&result.tally)).sum()
            };
            let score = weighted(&results);
            Some((
                category.as_str().to_string(),
                CategoryScore {
                    score,
                    grade: grade(score, worst_failure(&results)),
                    passed: total(|tally| tally.passed),
                    failed: total(|tally| tally.failed),
                    errored: total(|tally| tally.errored),
                },
            ))
        })
        .collect();
    Score {
        overall,
        grade: grade(overall, worst_failure(&all)),
        incomplete: errored_checks > 0,
        coverage_percent,
        categories,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(check: &str, severity: Severity, status: Status) -> Finding {
        Finding {
            check_id: check.to_string().into(),
            title: check.to_string().into(),
            severity,
            categories: vec![Category::Mfa].into(),
            status,
            resource_arn: "arn".into(),
            resource_type: "AwsIamUser".into(),
            message: String::new().into(),
            remediation: None,
            muted_reason: None,
            change: None,
        }
    }

    #[test]
    fn the_worked_example_of_docs_scoring_md() {
        // critical check: 1 pass (100); high check: 3 pass 1 fail (75); low check: 1 fail (0).
        let findings = vec![
            finding("a", Severity::Critical, Status::Pass),
            finding("b", Severity::High, Status::Pass),
            finding("b", Severity::High, Status::Pass),
            finding("b", Severity::High, Status::Pass),
            finding("b", Severity::High, Status::Fail),
            finding("c", Severity::Low, Status::Fail),
        ];
        let score = score(&findings, |_| None);
        // (100*10 + 75*5 + 0*1) / 16 = 85.9375
        assert_eq!(score.overall, Some(85.9));
        assert_eq!(score.grade, "B");
        assert!(!score.incomplete);
    }

    #[test]
    fn a_critical_failure_caps_the_grade_at_d() {
        let mut findings: Vec<_> = (0..99)
            .map(|_| finding("a", Severity::Critical, Status::Pass))
            .collect();
        findings.push(finding("a", Severity::Critical, Status::Fail));
        let score = score(&findings, |_| None);
        assert_eq!(score.overall, Some(99.0));
        assert_eq!(score.grade, "D");
    }

    #[test]
    fn a_raised_finding_caps_the_grade_but_keeps_its_checks_weight() {
        let mut raised = finding("trust", Severity::Medium, Status::Fail);
        raised.severity = Severity::Critical;
        let findings = vec![
            finding("root", Severity::High, Status::Pass),
            finding("trust", Severity::Medium, Status::Pass),
            raised,
        ];
        let base = |id: &str| {
            Some(if id == "root" {
                Severity::High
            } else {
                Severity::Medium
            })
        };
        let score = score(&findings, base);
        // (100 * 5 + 50 * 3) / 8 = 81.25: weighed as medium, capped as critical.
        assert_eq!(score.overall, Some(81.3));
        assert_eq!(score.grade, "D");
    }

    #[test]
    fn errors_are_not_passes_and_make_the_score_incomplete() {
        let findings = vec![
            finding("a", Severity::High, Status::Pass),
            finding("b", Severity::Critical, Status::Error),
        ];
        let score = score(&findings, |_| None);
        assert_eq!(score.overall, Some(100.0));
        assert!(score.incomplete);
        assert_eq!(score.coverage_percent, 50.0);
        let only_errors =
            super::score(&[finding("b", Severity::Critical, Status::Error)], |_| None);
        assert_eq!(only_errors.overall, None);
        assert_eq!(only_errors.grade, "-");
    }

    #[test]
    fn fixing_any_one_failure_never_lowers_the_score() {
        let severities = [
            Severity::Critical,
            Severity::High,
            Severity::Medium,
            Severity::Low,
            Severity::Info,
        ];
        let mut findings = Vec::new();
        for (index, severity) in severities.iter().enumerate() {
            for resource in 0..(index + 2) {
                let status = if resource % 2 == 0 {
                    Status::Fail
                } else {
                    Status::Pass
                };
                findings.push(finding(&format!("check-{index}"), *severity, status));
            }
        }
        let before = score(&findings, |_| None);
        for index in 0..findings.len() {
            if findings[index].status != Status::Fail {
                continue;
            }
            for fixed_status in [Status::Pass, Status::Skipped] {
                let mut fixed = findings.clone();
                fixed[index].status = fixed_status;
                let after = score(&fixed, |_| None);
                assert!(
                    after.overall >= before.overall,
                    "fixing finding {index} lowered the score"
                );
                assert!(
                    after.grade <= before.grade,
                    "fixing finding {index} lowered the grade"
                );
            }
        }
    }
}
