//! The AWS Security Finding Format, ready for Security Hub's BatchImportFindings through
//! the account's own custom integration (`product/ACCOUNT/default`).
//!
//! - Every finding is sent, passes included: when a finding that failed comes back
//!   PASSED under the same `Id`, Security Hub resolves it.
//! - `Id` hashes account, check and resource, so a re-import updates a finding instead
//!   of adding one.
//! - `Compliance.Status` follows the status: pass PASSED, fail and muted FAILED, error and
//!   skipped NOT_AVAILABLE (the value AWS gives when a check could not run or does not
//!   apply). A muted finding is also `Workflow.Status` SUPPRESSED. Security Hub takes
//!   `Workflow` only when it creates a finding: muting one that was already imported needs
//!   BatchUpdateFindings (or the console).
//! - Severity and Types go in `FindingProviderFields` too: that is where a provider may
//!   update them after the first import.
//! - The API takes at most 100 findings per call: the findings come in batches of 100,
//!   each written to its own file.
//! - Texts are cut to the documented limits (Title 256, Description 1,024,
//!   Recommendation.Text 512 characters).

use super::Report;
use super::identity::{Arn, account_of, stable_hash};
use crate::finding::{Finding, Severity, Status};
use serde_json::{Value, json};
use std::io::Write;

pub const ASFF_SCHEMA_VERSION: &str = "2018-10-08";

/// BatchImportFindings' limit per call.
pub const ASFF_BATCH_SIZE: usize = 100;

/// The region of the ProductArn (where the findings are imported) without `--region`.
pub const DEFAULT_REGION: &str = "us-east-1";

const TITLE_LIMIT: usize = 256;
const DESCRIPTION_LIMIT: usize = 1024;
const RECOMMENDATION_LIMIT: usize = 512;
/// Security Hub keeps at most 32 related requirements.
const REQUIREMENTS_LIMIT: usize = 32;

const BEST_PRACTICES: &str = "Software and Configuration Checks/AWS Security Best Practices";
const CIS: &str = "Software and Configuration Checks/Industry and Regulatory Standards/CIS AWS Foundations Benchmark";

#[derive(Debug, thiserror::Error)]
pub enum AsffError {
    #[error(
        "ASFF needs the AWS account id, and this scan has none (its inventory names no account)"
    )]
    NoAccount,
}

/// The name of the file holding batch `index` (from 0): `iamscan-asff-001.json`.
pub fn batch_file_name(index: usize) -> String {
    format!("iamscan-asff-{:03}.json", index + 1)
}

/// True for the names `batch_file_name` gives, so stale batches of a larger earlier run
/// can be recognised and removed.
pub fn is_batch_file_name(name: &str) -> bool {
    name.strip_prefix("iamscan-asff-")
        .and_then(|rest| rest.strip_suffix(".json"))
        .is_some_and(|number| number.len() >= 3 && number.bytes().all(|b| b.is_ascii_digit()))
}

/// `text` cut to `limit` UTF-16 code units (how the AWS APIs count), ending in an
/// ellipsis when cut.
fn cut(text: &str, limit: usize) -> String {
    let text = text.trim();
    if text.encode_utf16().count() <= limit {
        return text.to_string();
    }
    let mut kept = String::new();
    let mut units = 0;
    for c in text.chars() {
        units += c.len_utf16();
        if units > limit - 1 {
            break;
        }
        kept.push(c);
    }
    kept.push('…');
    kept
}

fn label(severity: Severity) -> &'static str {
    match severity {
        Severity::Info => "INFORMATIONAL",
        Severity::Low => "LOW",
        Severity::Medium => "MEDIUM",
        Severity::High => "HIGH",
        Severity::Critical => "CRITICAL",
    }
}

fn compliance_status(status: Status) -> &'static str {
    match status {
        Status::Pass => "PASSED",
        Status::Fail | Status::Muted => "FAILED",
        Status::Error | Status::Skipped => "NOT_AVAILABLE",
    }
}

/// The CLI fix without its comments, as much as fits, then where the rest is.
fn recommendation(cli: &str, check_id: &str) -> String {
    let trailer = format!("Full remediation: iamscan explain {check_id}");
    let mut text = String::new();
    for command in cli
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
    {
        if text.len() + command.len() + trailer.len() + 2 > RECOMMENDATION_LIMIT {
            break;
        }
        text.push_str(command);
        text.push('\n');
    }
    text.push_str(&trailer);
    cut(&text, RECOMMENDATION_LIMIT)
}

fn finding(report: &Report, finding: &Finding, region: &str, account: &str) -> Value {
    let meta = report
        .checks
        .iter()
        .find(|meta| meta.id == finding.check_id);
    let partition = Arn::parse(&finding.resource_arn).map_or("aws", |arn| arn.partition);
    let time = report
        .generated_at
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let mut types = vec![BEST_PRACTICES];
    let mappings = meta.map(|meta| meta.compliance.as_slice()).unwrap_or(&[]);
    if mappings
        .iter()
        .any(|mapping| mapping.framework.starts_with("cis-aws-foundations"))
    {
        types.push(CIS);
    }
    let severity = json!({
        "Label": label(finding.severity),
        "Original": finding.severity,
    });
    let categories: Vec<&str> = finding
        .categories
        .iter()
        .map(|category| category.as_str())
        .collect();
    let mut product_fields = json!({
        "iamscan/CheckId": finding.check_id,
        "iamscan/Status": finding.status,
        "iamscan/Categories": categories.join(","),
        "iamscan/Version": report.tool.version,
    });
    if let Some(reason) = &finding.muted_reason {
        product_fields["iamscan/MutedReason"] = json!(cut(reason, 2048));
    }
    let mut compliance = json!({ "Status": compliance_status(finding.status) });
    let requirements: Vec<String> = mappings
        .iter()
        .take(REQUIREMENTS_LIMIT)
        .map(|mapping| format!("{} {}", mapping.framework, mapping.control))
        .collect();
    if !requirements.is_empty() {
        compliance["RelatedRequirements"] = json!(requirements);
    }
    let mut asff = json!({
        "SchemaVersion": ASFF_SCHEMA_VERSION,
        "Id": format!(
            "iamscan/{account}/{}/{}",
            finding.check_id,
            stable_hash(&[account, &finding.check_id, &finding.resource_arn])
        ),
        "ProductArn": format!(
            "arn:{}:securityhub:{region}:{account}:product/{account}/default",
            report_partition(report)
        ),
        "ProductName": "iamscan",
        "CompanyName": "iamscan",
        "GeneratorId": finding.check_id,
        "AwsAccountId": account,
        "Types": types,
        "CreatedAt": time,
        "UpdatedAt": time,
        "Severity": severity,
        "FindingProviderFields": { "Severity": severity, "Types": types },
        "Title": cut(&finding.title, TITLE_LIMIT),
        "Description": cut(&finding.message, DESCRIPTION_LIMIT),
        "ProductFields": product_fields,
        "Resources": [{
            "Type": finding.resource_type,
            "Id": finding.resource_arn,
            "Partition": partition,
            "Region": region,
        }],
        "Compliance": compliance,
        "RecordState": "ACTIVE",
    });
    if let Some(remediation) = &finding.remediation {
        let mut recommendation = json!({
            "Text": recommendation(&remediation.cli(), &finding.check_id),
        });
        if let Some(url) = meta.and_then(|meta| meta.references.first()) {
            recommendation["Url"] = json!(url);
        }
        asff["Remediation"] = json!({ "Recommendation": recommendation });
    }
    if finding.status == Status::Muted {
        asff["Workflow"] = json!({ "Status": "SUPPRESSED" });
    }
    asff
}

/// The partition of the scanned account, from the first finding that names one.
fn report_partition(report: &Report) -> &str {
    report
        .findings
        .iter()
        .find_map(|finding| Arn::parse(&finding.resource_arn).map(|arn| arn.partition))
        .unwrap_or("aws")
}

/// Every finding in ASFF, in report order, in batches of at most 100.
pub fn asff_batches(report: &Report, region: &str) -> Result<Vec<Vec<Value>>, AsffError> {
    let product_account = report
        .account_id
        .as_deref()
        .or_else(|| {
            report
                .findings
                .iter()
                .find_map(|finding| account_of(finding, report))
        })
        .ok_or(AsffError::NoAccount)?;
    let findings: Vec<Value> = report
        .findings
        .iter()
        .map(|item| {
            let account = account_of(item, report).unwrap_or(product_account);
            finding(report, item, region, account)
        })
        .collect();
    Ok(findings
        .chunks(ASFF_BATCH_SIZE)
        .map(<[Value]>::to_vec)
        .collect())
}

/// One batch as the JSON array `aws securityhub batch-import-findings --findings
/// file://iamscan-asff-001.json` takes.
pub fn render_asff_batch(batch: &[Value], out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, batch)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Category;

    fn report_with(findings: usize) -> Report {
        let mut report = crate::run::demo_report();
        let template = report.findings[0].clone();
        report.findings = (0..findings)
            .map(|index| Finding {
                resource_arn: format!("arn:aws:iam::210987654321:user/user-{index}").into(),
                categories: vec![Category::Mfa].into(),
                ..template.clone()
            })
            .collect();
        report
    }

    #[test]
    fn findings_come_in_batches_of_at_most_one_hundred() {
        let sizes: Vec<usize> = asff_batches(&report_with(250), DEFAULT_REGION)
            .unwrap()
            .iter()
            .map(Vec::len)
            .collect();
        assert_eq!(sizes, vec![100, 100, 50]);
        assert!(
            asff_batches(&report_with(0), DEFAULT_REGION)
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn ids_are_stable_and_distinct() {
        let first = asff_batches(&report_with(3), "eu-west-1").unwrap();
        let second = asff_batches(&report_with(3), "eu-west-1").unwrap();
        assert_eq!(first, second);
        let ids: std::collections::BTreeSet<&str> = first[0]
            .iter()
            .map(|finding| finding["Id"].as_str().unwrap())
            .collect();
        assert_eq!(ids.len(), 3);
        assert_eq!(
            first[0][0]["ProductArn"],
            "arn:aws:securityhub:eu-west-1:210987654321:product/210987654321/default"
        );
    }

    #[test]
    fn batch_file_names_are_numbered_from_one_and_recognised() {
        assert_eq!(batch_file_name(0), "iamscan-asff-001.json");
        assert_eq!(batch_file_name(1000), "iamscan-asff-1001.json");
        assert!(is_batch_file_name("iamscan-asff-042.json"));
        assert!(!is_batch_file_name("iamscan-asff-42.json"));
        assert!(!is_batch_file_name("iamscan.json"));
    }

    #[test]
    fn long_texts_are_cut_to_the_limit_with_an_ellipsis() {
        let cut_text = cut(&"é".repeat(300), TITLE_LIMIT);
        assert_eq!(cut_text.encode_utf16().count(), TITLE_LIMIT);
        assert!(cut_text.ends_with('…'));
        assert_eq!(cut("short", TITLE_LIMIT), "short");
        let long_cli = "aws iam list-users\n".repeat(100);
        let text = recommendation(&long_cli, "x");
        assert!(text.len() <= RECOMMENDATION_LIMIT, "{}", text.len());
        assert!(text.ends_with("iamscan explain x"));
    }
}
