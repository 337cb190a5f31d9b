//! OCSF Detection Finding events (class 2004, schema 1.5.0), one per finding, passes
//! included: a data lake keeps the evidence of what passed as well as what failed.
//!
//! The output is JSON Lines, one event per line, not one JSON array: the engines that
//! query such files (Athena's and Hive's JSON SerDes, Spark's and DuckDB's default JSON
//! readers, BigQuery and Snowflake loads) read one record per line, and a pretty-printed
//! array is a single malformed record to them. A line per event also streams and
//! concatenates (Firehose, Fluent Bit, `cat a b`).
//!
//! The mapping follows Prowler's (which builds the same class with py-ocsf-models):
//! `status_code` is the check's verdict (PASS, FAIL, ERROR, SKIPPED; a muted finding
//! FAILs), `status_id` the finding's workflow state (New, or Suppressed when muted), and
//! what OCSF has no attribute for (categories, compliance, the suppression's reason) goes
//! to `unmapped`.

use super::Report;
use super::identity::{account_of, partition, resource_name, stable_hash};
use crate::finding::{Finding, Severity, Status};
use serde_json::{Value, json};
use std::io::Write;

/// The OCSF schema version the events follow (py-ocsf-models 0.10 models this one).
pub const OCSF_VERSION: &str = "1.5.0";

const DETECTION_FINDING: u32 = 2004;
const FINDINGS_CATEGORY: u32 = 2;
const ACTIVITY_CREATE: u32 = 1;
/// Account `type_id` 10: AWS Account.
const AWS_ACCOUNT: u32 = 10;

fn severity(severity: Severity) -> (u32, &'static str) {
    match severity {
        Severity::Info => (1, "Informational"),
        Severity::Low => (2, "Low"),
        Severity::Medium => (3, "Medium"),
        Severity::High => (4, "High"),
        Severity::Critical => (5, "Critical"),
    }
}

/// The finding's workflow status: New, or Suppressed when the configuration mutes it.
fn workflow_status(status: Status) -> (u32, &'static str) {
    match status {
        Status::Muted => (3, "Suppressed"),
        _ => (1, "New"),
    }
}

/// The check's verdict. A muted finding still fails: its muting is `status` Suppressed,
/// as Prowler writes it, so counting FAIL counts accepted risks too.
fn status_code(status: Status) -> &'static str {
    match status {
        Status::Pass => "PASS",
        Status::Fail | Status::Muted => "FAIL",
        Status::Error => "ERROR",
        Status::Skipped => "SKIPPED",
    }
}

/// The finding's stable id, shared with nothing else: check and resource, hashed.
pub fn finding_uid(finding: &Finding) -> String {
    format!(
        "iamscan-{}-{}",
        finding.check_id,
        &stable_hash(&[&finding.check_id, &finding.resource_arn])[..32]
    )
}

fn event(report: &Report, finding: &Finding) -> Value {
    let meta = report
        .checks
        .iter()
        .find(|meta| meta.id == finding.check_id);
    let time_ms = report.generated_at.timestamp_millis();
    let time_dt = report
        .generated_at
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let (severity_id, severity_name) = severity(finding.severity);
    let (status_id, status_name) = workflow_status(finding.status);
    let mut finding_info = json!({
        "uid": finding_uid(finding),
        "title": finding.title,
    });
    if let Some(meta) = meta {
        finding_info["desc"] = json!(meta.description.trim());
    }
    finding_info["types"] = json!(finding.categories);
    finding_info["created_time"] = json!(time_ms);
    finding_info["created_time_dt"] = json!(time_dt);
    let mut unmapped = json!({
        "check_id": finding.check_id,
        "categories": finding.categories,
    });
    if let Some(meta) = meta
        && !meta.compliance.is_empty()
    {
        unmapped["compliance"] = json!(
            meta.compliance
                .iter()
                .map(
                    |mapping| json!({ "framework": mapping.framework, "control": mapping.control })
                )
                .collect::<Vec<_>>()
        );
    }
    if let Some(reason) = &finding.muted_reason {
        unmapped["muted_reason"] = json!(reason);
    }
    if let Some(change) = finding.change {
        unmapped["baseline_change"] = json!(change);
    }
    let mut event = json!({
        "activity_id": ACTIVITY_CREATE,
        "activity_name": "Create",
        "category_uid": FINDINGS_CATEGORY,
        "category_name": "Findings",
        "class_uid": DETECTION_FINDING,
        "class_name": "Detection Finding",
        "type_uid": DETECTION_FINDING * 100 + ACTIVITY_CREATE,
        "type_name": "Detection Finding: Create",
        "severity_id": severity_id,
        "severity": severity_name,
        "status_id": status_id,
        "status": status_name,
        "status_code": status_code(finding.status),
        "status_detail": finding.message,
        "message": finding.message,
        "time": time_ms,
        "time_dt": time_dt,
        "finding_info": finding_info,
        "resources": [{
            "uid": finding.resource_arn,
            "name": resource_name(&finding.resource_arn),
            "type": finding.resource_type,
            "cloud_partition": partition(&finding.resource_arn),
            "group": { "name": "iam" },
        }],
        "metadata": {
            "version": OCSF_VERSION,
            "event_code": finding.check_id,
            "product": {
                "uid": "iamscan",
                "name": report.tool.name,
                "vendor_name": "iamscan",
                "version": report.tool.version,
            },
            "profiles": ["cloud", "datetime"],
        },
        "unmapped": unmapped,
    });
    if let Some(account) = account_of(finding, report) {
        event["cloud"] = json!({
            "provider": "AWS",
            "account": {
                "uid": account,
                // py-ocsf-models requires a name; the account id is the one name a
                // scan always has.
                "name": account,
                "type_id": AWS_ACCOUNT,
                "type": "AWS Account",
            },
        });
    } else {
        event["cloud"] = json!({ "provider": "AWS" });
    }
    if let Some(meta) = meta {
        event["risk_details"] = json!(meta.risk.trim());
    }
    if let Some(remediation) = &finding.remediation {
        let mut desc = format!(
            "Console:\n{}\n\nCLI:\n{}",
            remediation.console().trim(),
            remediation.cli().trim()
        );
        let terraform = remediation.terraform();
        if !terraform.trim().is_empty() {
            desc.push_str(&format!("\n\nTerraform:\n{}", terraform.trim()));
        }
        let mut object = json!({ "desc": desc });
        if let Some(meta) = meta
            && !meta.references.is_empty()
        {
            object["references"] = json!(meta.references);
        }
        event["remediation"] = object;
    }
    event
}

/// Every finding as an OCSF event, in report order.
pub fn ocsf_events(report: &Report) -> Vec<Value> {
    report
        .findings
        .iter()
        .map(|finding| event(report, finding))
        .collect()
}

pub fn render_ocsf(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    for event in ocsf_events(report) {
        serde_json::to_writer(&mut *out, &event)?;
        writeln!(out)?;
    }
    Ok(())
}
