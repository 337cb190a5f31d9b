//! SARIF 2.1.0 for code-scanning tools, GitHub code scanning first.
//!
//! - One rule per check of the catalog: its description, risk and remediation become the
//!   rule's help, its severity GitHub's `security-severity` and its categories and
//!   compliance mappings the tags.
//! - One result per failing or muted finding (muted ones carry a suppression with the
//!   configuration's reason). Passes are not results: SARIF reports problems.
//! - GitHub rejects a result without a location, and an IAM resource has no file: each
//!   resource gets a stable artifact path built from its ARN
//!   (`arn:aws:iam::123456789012:user/alice` is `aws/123456789012/iam/user/alice`, line 1),
//!   and a logical location holding the ARN itself.
//! - `partialFingerprints` hash the check id and the ARN, so an alert keeps its identity
//!   across runs, and `automationDetails.id` carries the account, so uploads for two
//!   accounts to one repository do not close each other's alerts.
//! - Checks that could not be evaluated, gaps and warnings become tool execution
//!   notifications: an incomplete scan shows as such.

use super::Report;
use super::identity::{Arn, stable_hash};
use crate::catalog::CheckMeta;
use crate::finding::{Finding, Severity, Status};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Value, json};
use std::io::Write;

pub const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The fingerprint's name: bump its version if what it hashes ever changes.
const FINGERPRINT: &str = "iamscanFindingHash/v1";

/// GitHub keeps at most 20 tags per rule.
const MAX_TAGS: usize = 20;

/// GitHub's mapping of `security-severity`: over 9.0 critical, 7.0-8.9 high, 4.0-6.9
/// medium, 3.9 or less low. Informational checks get none: a score of 0.0 would still
/// read as "low"; without one GitHub shows the result's level (note).
fn security_severity(severity: Severity) -> Option<&'static str> {
    match severity {
        Severity::Critical => Some("9.5"),
        Severity::High => Some("8.0"),
        Severity::Medium => Some("5.5"),
        Severity::Low => Some("3.0"),
        Severity::Info => None,
    }
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// Characters kept as they are in a path segment: RFC 3986 unreserved.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The artifact path standing for a resource: partition, account, service, region (when
/// there is one), then the resource's own path, `:` and `#` separating segments too.
/// Every segment is percent-encoded, so a name cannot escape or reshape the path.
pub fn artifact_uri(resource_arn: &str) -> String {
    let segments: Vec<&str> = match Arn::parse(resource_arn) {
        Some(arn) => [arn.partition, arn.account, arn.service, arn.region]
            .into_iter()
            .chain(arn.resource.split(['/', ':', '#']))
            .collect(),
        None => vec!["resources", resource_arn],
    };
    segments
        .into_iter()
        .filter(|segment| !segment.is_empty())
        .map(|segment| {
            if segment.bytes().all(|byte| byte == b'.') {
                // "." and ".." would be resolved away by URI normalisation.
                segment.replace('.', "%2E")
            } else {
                utf8_percent_encode(segment, SEGMENT).to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// `root-mfa-enabled` as `RootMfaEnabled`: SARIF wants a rule name that reads as an
/// identifier, distinct from the opaque id.
fn rule_name(id: &str) -> String {
    id.split(['-', '_'])
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or(String::new(), |first| {
                first.to_uppercase().chain(chars).collect()
            })
        })
        .collect()
}

/// A fenced code block whose fence is longer than any backtick run in `text`.
pub(super) fn code_block(text: &str, language: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    format!("{fence}{language}\n{}\n{fence}", text.trim_end())
}

fn compliance_lines(meta: &CheckMeta) -> Vec<String> {
    meta.compliance
        .iter()
        .map(|mapping| format!("{} {}", mapping.framework, mapping.control))
        .collect()
}

fn help_text(meta: &CheckMeta) -> String {
    let mut text = format!(
        "{}\n\nRisk: {}\n\nRemediation (console):\n{}\n\nRemediation (CLI):\n{}\n",
        meta.description.trim(),
        meta.risk.trim(),
        meta.remediation.console.trim(),
        meta.remediation.cli.trim()
    );
    if !meta.remediation.terraform.trim().is_empty() {
        text.push_str(&format!(
            "\nRemediation (Terraform):\n{}\n",
            meta.remediation.terraform.trim()
        ));
    }
    let compliance = compliance_lines(meta);
    if !compliance.is_empty() {
        text.push_str(&format!("\nCompliance: {}\n", compliance.join(", ")));
    }
    text
}

fn help_markdown(meta: &CheckMeta) -> String {
    let mut text = format!(
        "{}\n\n**Risk.** {}\n\n#### Remediation: console\n\n{}\n\n#### Remediation: CLI\n\n{}\n",
        meta.description.trim(),
        meta.risk.trim(),
        meta.remediation.console.trim(),
        code_block(&meta.remediation.cli, "sh")
    );
    if !meta.remediation.terraform.trim().is_empty() {
        text.push_str(&format!(
            "\n#### Remediation: Terraform\n\n{}\n",
            code_block(&meta.remediation.terraform, "hcl")
        ));
    }
    let compliance = compliance_lines(meta);
    if !compliance.is_empty() {
        text.push_str("\n#### Compliance\n\n");
        for line in compliance {
            text.push_str(&format!("- {line}\n"));
        }
    }
    if !meta.references.is_empty() {
        text.push_str("\n#### References\n\n");
        for reference in &meta.references {
            text.push_str(&format!("- <{reference}>\n"));
        }
    }
    text
}

fn rule(meta: &CheckMeta) -> Value {
    let mut tags: Vec<String> = vec!["security".to_string()];
    tags.extend(meta.categories.iter().map(|category| category.to_string()));
    tags.extend(
        meta.compliance
            .iter()
            .map(|mapping| format!("{}/{}", mapping.framework, mapping.control)),
    );
    tags.truncate(MAX_TAGS);
    let mut properties = json!({
        "tags": tags,
        "precision": "very-high",
        "problem.severity": level(meta.severity),
    });
    if let Some(score) = security_severity(meta.severity) {
        properties["security-severity"] = json!(score);
    }
    let mut rule = json!({
        "id": meta.id,
        "name": rule_name(&meta.id),
        "shortDescription": { "text": meta.title },
        "fullDescription": { "text": meta.description.trim() },
        "help": { "text": help_text(meta), "markdown": help_markdown(meta) },
        "defaultConfiguration": { "level": level(meta.severity) },
        "properties": properties,
    });
    if let Some(reference) = meta.references.first() {
        rule["helpUri"] = json!(reference);
    }
    rule
}

fn result(finding: &Finding, rule_index: Option<usize>) -> Value {
    let mut message = finding.message.to_string();
    if let Some(remediation) = &finding.remediation {
        let cli = remediation.cli();
        if !cli.trim().is_empty() {
            message.push_str(&format!("\n\nFix (CLI):\n{}", cli.trim()));
        }
    }
    let mut result = json!({
        "ruleId": finding.check_id,
        "level": level(finding.severity),
        "message": { "text": message },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": { "uri": artifact_uri(&finding.resource_arn) },
                "region": { "startLine": 1 },
            },
            "logicalLocations": [{
                "fullyQualifiedName": finding.resource_arn,
                "kind": "resource",
            }],
        }],
        "partialFingerprints": {
            FINGERPRINT: stable_hash(&[&finding.check_id, &finding.resource_arn]),
        },
        "properties": {
            "severity": finding.severity,
            "resourceType": finding.resource_type,
            "categories": finding.categories,
        },
    });
    if let Some(index) = rule_index {
        result["ruleIndex"] = json!(index);
    }
    if finding.status == Status::Muted {
        result["suppressions"] = json!([{
            "kind": "external",
            "status": "accepted",
            "justification": finding.muted_reason.as_deref().unwrap_or("suppressed by the iamscan configuration"),
        }]);
    }
    if let Some(change) = finding.change {
        result["baselineState"] = json!(change);
    }
    result
}

fn notifications(report: &Report) -> Vec<Value> {
    let index = |id: &str| report.checks.iter().position(|meta| meta.id == id);
    let mut notifications: Vec<Value> = report
        .findings
        .iter()
        .filter(|finding| finding.status == Status::Error)
        .map(|finding| {
            let mut rule = json!({ "id": finding.check_id });
            if let Some(index) = index(&finding.check_id) {
                rule["index"] = json!(index);
            }
            json!({
                "level": "error",
                "message": { "text": format!(
                    "{} was not evaluated for {}: {}",
                    finding.check_id, finding.resource_arn, finding.message
                ) },
                "associatedRule": rule,
            })
        })
        .collect();
    notifications.extend(report.coverage.gaps.iter().map(|gap| {
        json!({
            "level": "error",
            "message": { "text": format!(
                "{} failed ({}): {}", gap.operation, gap.error_code, gap.message
            ) },
        })
    }));
    notifications.extend(
        report
            .warnings
            .iter()
            .map(|warning| json!({ "level": "warning", "message": { "text": warning } })),
    );
    notifications
}

pub fn sarif_value(report: &Report) -> Value {
    let mut reported: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|finding| matches!(finding.status, Status::Fail | Status::Muted))
        .collect();
    reported.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.check_id.cmp(&b.check_id))
            .then_with(|| a.resource_arn.cmp(&b.resource_arn))
    });
    let results: Vec<Value> = reported
        .into_iter()
        .map(|finding| {
            let index = report
                .checks
                .iter()
                .position(|meta| meta.id == finding.check_id);
            result(finding, index)
        })
        .collect();
    let account = report.account_id.as_deref().unwrap_or("unknown-account");
    json!({
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": report.tool.name,
                    "version": report.tool.version,
                    "semanticVersion": report.tool.version,
                    "rules": report.checks.iter().map(rule).collect::<Vec<_>>(),
                },
            },
            "automationDetails": { "id": format!("iamscan/{account}/") },
            "invocations": [{
                "executionSuccessful": true,
                "endTimeUtc": report.generated_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                "toolExecutionNotifications": notifications(report),
            }],
            "results": results,
            "properties": {
                "accountId": report.account_id,
                "score": report.score.overall,
                "grade": report.score.grade,
                "coveragePercent": report.score.coverage_percent,
                "incomplete": report.is_incomplete(),
            },
        }],
    })
}

pub fn render_sarif(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &sarif_value(report))?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn artifact_paths_follow_the_arn_and_cannot_be_reshaped_by_names() {
        assert_eq!(
            artifact_uri("arn:aws:iam::123456789012:user/alice"),
            "aws/123456789012/iam/user/alice"
        );
        assert_eq!(
            artifact_uri("arn:aws:iam::123456789012:root"),
            "aws/123456789012/iam/root"
        );
        assert_eq!(
            artifact_uri("arn:aws:iam::123456789012:user/ops/ci+deploy=1#access_key_2"),
            "aws/123456789012/iam/user/ops/ci%2Bdeploy%3D1/access_key_2"
        );
        assert_eq!(
            artifact_uri("arn:aws:iam::123456789012:user/../x"),
            "aws/123456789012/iam/user/%2E%2E/x"
        );
        assert_eq!(
            artifact_uri("arn:aws:logs:eu-west-1:123456789012:log-group:app"),
            "aws/123456789012/logs/eu-west-1/log-group/app"
        );
        assert_eq!(artifact_uri("not an arn"), "resources/not%20an%20arn");
    }

    #[test]
    fn rule_names_are_pascal_case() {
        assert_eq!(rule_name("root-mfa-enabled"), "RootMfaEnabled");
    }

    #[test]
    fn code_blocks_outgrow_backticks_in_their_text() {
        assert_eq!(code_block("a", "sh"), "```sh\na\n```");
        assert_eq!(code_block("x ```` y", ""), "`````\nx ```` y\n`````");
    }
}
