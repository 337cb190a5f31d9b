//! The report: findings, score, coverage and stats, and one renderer per format.

pub mod asff;
mod csv;
mod html;
mod identity;
mod json;
mod junit;
mod markdown;
mod ocsf;
pub mod org;
mod redact;
mod sarif;
mod table;

pub use csv::render_csv;
pub use html::render_html;
pub use json::render_json;
pub use junit::render_junit;
pub use markdown::render_markdown;
pub use ocsf::render_ocsf;
pub use redact::{redact_org_report, redact_report};
pub use sarif::render_sarif;
pub use table::{render_activity_table, render_compliance_table, render_diff, render_table};

use crate::catalog::CheckMeta;
use crate::compliance::{self, FrameworkResult};
use crate::finding::{Finding, Status};
use crate::inventory::{Gap, Inventory};
use crate::score::{Score, score};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What collection cost: API requests, retries and time, per operation and collector.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CollectStats {
    /// Operation -> requests sent, retries included.
    #[serde(default)]
    pub api_calls: BTreeMap<String, u64>,
    /// Operation -> logical calls (what the code asked for, before retries).
    #[serde(default)]
    pub operations: BTreeMap<String, u64>,
    #[serde(default)]
    pub retries: u64,
    #[serde(default)]
    pub total_api_calls: u64,
    /// Collector -> wall time in milliseconds (`collect` for all of them together).
    #[serde(default)]
    pub phase_ms: BTreeMap<String, u64>,
}

/// Bumped on any change a consumer of the JSON could notice (see docs/report-schema.md).
pub const REPORT_SCHEMA_VERSION: &str = "1.2";

/// A credential report older than this is flagged: its data may be stale.
pub const STALE_REPORT_HOURS: i64 = 4;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Coverage {
    /// Checks that produced a verdict (pass, fail, skipped or muted) for every resource.
    pub evaluated: usize,
    /// Checks with at least one `error` finding.
    pub errored: usize,
    pub errored_checks: Vec<String>,
    pub gaps: Vec<Gap>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    pub schema_version: String,
    pub tool: Tool,
    pub account_id: Option<String>,
    pub generated_at: DateTime<Utc>,
    pub inventory_source: String,
    pub inventory_collected_at: DateTime<Utc>,
    #[serde(default)]
    pub credential_report_generated_at: Option<DateTime<Utc>>,
    pub score: Score,
    pub coverage: Coverage,
    /// Things the reader should know that are not findings (a stale credential report).
    pub warnings: Vec<String>,
    pub checks: Vec<CheckMeta>,
    pub findings: Vec<Finding>,
    /// Every framework in compliance/, control by control.
    #[serde(default)]
    pub compliance: Vec<FrameworkResult>,
    /// What changed since `--baseline`, when one was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<crate::baseline::Comparison>,
    /// CloudTrail activity (`scan --with-events`): its own section, outside the score.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activity: Option<crate::events::analysis::ActivityReport>,
    pub stats: Stats,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Stats {
    #[serde(flatten)]
    pub collection: CollectStats,
    pub checks_ms: u64,
    pub findings: usize,
}

impl Report {
    pub fn build(
        inventory: &Inventory,
        checks: Vec<CheckMeta>,
        findings: Vec<Finding>,
        generated_at: DateTime<Utc>,
        stats: Stats,
    ) -> Self {
        let mut errored_checks: Vec<String> = findings
            .iter()
            .filter(|finding| finding.status == Status::Error)
            .map(|finding| finding.check_id.to_string())
            .collect();
        errored_checks.dedup();
        let coverage = Coverage {
            evaluated: checks.len() - errored_checks.len(),
            errored: errored_checks.len(),
            errored_checks,
            gaps: inventory.gaps.clone(),
        };
        Report {
            schema_version: REPORT_SCHEMA_VERSION.to_string(),
            tool: Tool {
                name: env!("CARGO_PKG_NAME").to_string(),
                version: env!("CARGO_PKG_VERSION").to_string(),
            },
            account_id: inventory.account_id.clone(),
            generated_at,
            inventory_source: inventory.source.as_str().to_string(),
            inventory_collected_at: inventory.collected_at,
            credential_report_generated_at: inventory
                .credential_report
                .as_ref()
                .and_then(|report| report.generated_at),
            score: score(&findings, |id| {
                checks
                    .iter()
                    .find(|meta| meta.id == id)
                    .map(|meta| meta.severity)
            }),
            warnings: warnings(inventory, generated_at),
            coverage,
            compliance: compliance::frameworks()
                .iter()
                .map(|framework| compliance::evaluate(framework, &checks, &findings))
                .collect(),
            checks,
            findings,
            baseline: None,
            activity: None,
            stats,
        }
    }

    /// Failures, worst first, then by check and resource.
    pub fn failures(&self) -> Vec<&Finding> {
        let mut failures: Vec<&Finding> = self
            .findings
            .iter()
            .filter(|finding| finding.status == Status::Fail)
            .collect();
        failures.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then_with(|| a.check_id.cmp(&b.check_id))
                .then_with(|| a.resource_arn.cmp(&b.resource_arn))
        });
        failures
    }

    /// True when some check could not see its data or some operation failed.
    pub fn is_incomplete(&self) -> bool {
        self.coverage.errored > 0
            || !self.coverage.gaps.is_empty()
            || self
                .activity
                .as_ref()
                .is_some_and(|activity| !activity.complete)
    }
}

fn warnings(inventory: &Inventory, now: DateTime<Utc>) -> Vec<String> {
    let mut warnings = Vec::new();
    if let Some(report) = &inventory.credential_report {
        match report.generated_at {
            Some(generated) => {
                let age = now - generated;
                if age.num_hours() >= STALE_REPORT_HOURS {
                    warnings.push(format!(
                        "the credential report was generated {} ({}), more than {STALE_REPORT_HOURS} hours before the scan: recent changes may not show",
                        generated.format("%Y-%m-%d %H:%M UTC"),
                        human_age(age)
                    ));
                }
            }
            None => warnings.push(
                "the credential report's generation time is unknown (a CSV file carries none): its data may be stale".to_string(),
            ),
        }
    }
    warnings
}

/// "3 days 4 hours", "5 hours 2 minutes".
pub fn human_age(age: chrono::Duration) -> String {
    let (days, hours, minutes) = (age.num_days(), age.num_hours() % 24, age.num_minutes() % 60);
    if days > 0 {
        format!("{days} days {hours} hours ago")
    } else if hours > 0 {
        format!("{hours} hours {minutes} minutes ago")
    } else {
        format!("{minutes} minutes ago")
    }
}

impl Report {
    /// Reads a JSON report written by `iamscan scan --format json`.
    pub fn load(path: &std::path::Path) -> Result<Self, crate::inventory::LoadError> {
        let text =
            std::fs::read_to_string(path).map_err(|source| crate::inventory::LoadError::Read {
                path: path.to_path_buf(),
                source,
            })?;
        serde_json::from_str(&text).map_err(|error| crate::inventory::json_error(path, error))
    }
}
