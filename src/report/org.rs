//! The organization report (`iamscan scan --organization`, `iamscan merge`): one section per
//! account, holding the account's full report or why it could not be scanned, and a summary
//! across the organization: each account's score, grade and failures by severity, and the
//! worst findings of all accounts together. JSON (its own schema version, documented in
//! docs/report-schema.md) and a terminal table; the other formats stay per account.

use super::table::{grade_color, new_table, score_text, severity_color};
use super::{CollectStats, Report, Tool};
use crate::finding::Severity;
use crate::inventory::LoadError;
use chrono::{DateTime, Utc};
use comfy_table::{Attribute, Cell, Color};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

/// Bumped on any change a consumer of the organization JSON could notice.
pub const ORG_REPORT_SCHEMA_VERSION: &str = "1.0";

/// `report_kind` of an organization report; an account report has no such field.
pub const ORG_REPORT_KIND: &str = "organization";

/// How many findings the summary lists across the organization.
pub const WORST_FINDINGS: usize = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AccountStatus {
    /// Collected and judged: `report` holds the account's report.
    Scanned,
    /// Not scanned: `error` says why (the role could not be assumed, the account is not an
    /// active member, ...).
    Failed,
}

impl AccountStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AccountStatus::Scanned => "scanned",
            AccountStatus::Failed => "failed",
        }
    }
}

/// One account's section.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccountResult {
    pub account_id: String,
    /// The account's name in the organization.
    #[serde(default)]
    pub name: Option<String>,
    pub status: AccountStatus,
    /// When its scan began (a failed one: when it was tried). Of two results for one
    /// account, `iamscan merge` keeps the later.
    pub attempted_at: DateTime<Utc>,
    /// Whether the organization's service control policies capped the account's
    /// permission answers (a member account whose SCPs were read).
    #[serde(default)]
    pub scps_applied: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<Report>,
}

impl AccountResult {
    pub fn scanned(
        account_id: String,
        name: Option<String>,
        attempted_at: DateTime<Utc>,
        scps_applied: bool,
        report: Report,
    ) -> Self {
        AccountResult {
            account_id,
            name,
            status: AccountStatus::Scanned,
            attempted_at,
            scps_applied,
            error: None,
            report: Some(report),
        }
    }

    pub fn failed(
        account_id: String,
        name: Option<String>,
        attempted_at: DateTime<Utc>,
        error: String,
    ) -> Self {
        AccountResult {
            account_id,
            name,
            status: AccountStatus::Failed,
            attempted_at,
            scps_applied: false,
            error: Some(error),
            report: None,
        }
    }

    /// Failed, or scanned with some data unseen.
    pub fn is_incomplete(&self) -> bool {
        self.report.as_ref().is_none_or(Report::is_incomplete)
    }
}

/// Failing findings (muted ones left out) by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeverityCounts {
    pub critical: usize,
    pub high: usize,
    pub medium: usize,
    pub low: usize,
    pub info: usize,
}

impl SeverityCounts {
    fn of(report: &Report) -> Self {
        let mut counts = SeverityCounts::default();
        for finding in report.failures() {
            *counts.slot(finding.severity) += 1;
        }
        counts
    }

    fn slot(&mut self, severity: Severity) -> &mut usize {
        match severity {
            Severity::Critical => &mut self.critical,
            Severity::High => &mut self.high,
            Severity::Medium => &mut self.medium,
            Severity::Low => &mut self.low,
            Severity::Info => &mut self.info,
        }
    }

    pub fn get(&self, severity: Severity) -> usize {
        match severity {
            Severity::Critical => self.critical,
            Severity::High => self.high,
            Severity::Medium => self.medium,
            Severity::Low => self.low,
            Severity::Info => self.info,
        }
    }
}

/// One account's line in the summary.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccountSummary {
    pub account_id: String,
    #[serde(default)]
    pub name: Option<String>,
    pub status: AccountStatus,
    /// `None` for a failed account, or when nothing could be scored.
    pub score: Option<f64>,
    pub grade: Option<String>,
    pub failures: SeverityCounts,
    pub incomplete: bool,
    pub scps_applied: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// A failing finding, with the account it is in.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OrgFinding {
    pub account_id: String,
    #[serde(default)]
    pub account_name: Option<String>,
    pub severity: Severity,
    pub check_id: String,
    pub resource_arn: String,
    pub message: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OrgSummary {
    pub accounts: usize,
    pub scanned: usize,
    pub failed: usize,
    /// Accounts failed or scanned incompletely.
    pub incomplete: usize,
    /// Every account, in account id order.
    pub by_account: Vec<AccountSummary>,
    /// Every failing finding of every scanned account, worst first (severity, then check,
    /// account and resource): the first [`WORST_FINDINGS`].
    pub worst_findings: Vec<OrgFinding>,
    /// How many failing findings there are across the organization.
    pub total_failures: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OrgReport {
    pub schema_version: String,
    /// Always `organization`: what tells this report from an account's.
    pub report_kind: String,
    pub tool: Tool,
    pub generated_at: DateTime<Utc>,
    #[serde(default)]
    pub organization_id: Option<String>,
    #[serde(default)]
    pub management_account_id: Option<String>,
    pub summary: OrgSummary,
    /// In account id order.
    pub accounts: Vec<AccountResult>,
    /// What the reader should know that is in no account (a duplicate dropped by merge).
    #[serde(default)]
    pub warnings: Vec<String>,
    /// The calls made for the organization itself (Organizations and STS), not for any
    /// one account: each account's report counts its own.
    #[serde(default)]
    pub stats: CollectStats,
}

impl OrgReport {
    pub fn build(
        organization_id: Option<String>,
        management_account_id: Option<String>,
        mut accounts: Vec<AccountResult>,
        generated_at: DateTime<Utc>,
        warnings: Vec<String>,
        stats: CollectStats,
    ) -> Self {
        accounts.sort_by(|a, b| a.account_id.cmp(&b.account_id));
        OrgReport {
            schema_version: ORG_REPORT_SCHEMA_VERSION.to_string(),
            report_kind: ORG_REPORT_KIND.to_string(),
            tool: Tool {
                name: env!("CARGO_PKG_NAME").to_string(),
                version: env!("CARGO_PKG_VERSION").to_string(),
            },
            generated_at,
            organization_id,
            management_account_id,
            summary: summarise(&accounts),
            accounts,
            warnings,
            stats,
        }
    }

    /// Some account failed, or some account's scan is incomplete.
    pub fn is_incomplete(&self) -> bool {
        self.accounts.iter().any(AccountResult::is_incomplete)
    }

    /// The account reports of the scanned accounts.
    pub fn reports(&self) -> impl Iterator<Item = &Report> {
        self.accounts
            .iter()
            .filter_map(|account| account.report.as_ref())
    }

    pub fn load(path: &Path) -> Result<Self, LoadError> {
        match load_merge_input(path)? {
            MergeInput::Organization(report) => Ok(*report),
            MergeInput::Account(_) => Err(LoadError::Invalid {
                path: path.to_path_buf(),
                message: "an account report, not an organization report".into(),
            }),
        }
    }
}

fn summarise(accounts: &[AccountResult]) -> OrgSummary {
    let by_account: Vec<AccountSummary> = accounts
        .iter()
        .map(|account| AccountSummary {
            account_id: account.account_id.clone(),
            name: account.name.clone(),
            status: account.status,
            score: account
                .report
                .as_ref()
                .and_then(|report| report.score.overall),
            grade: account
                .report
                .as_ref()
                .map(|report| report.score.grade.clone()),
            failures: account
                .report
                .as_ref()
                .map(SeverityCounts::of)
                .unwrap_or_default(),
            incomplete: account.is_incomplete(),
            scps_applied: account.scps_applied,
            error: account.error.clone(),
        })
        .collect();
    let mut failures: Vec<OrgFinding> = accounts
        .iter()
        .filter_map(|account| account.report.as_ref().map(|report| (account, report)))
        .flat_map(|(account, report)| {
            report.failures().into_iter().map(|finding| OrgFinding {
                account_id: account.account_id.clone(),
                account_name: account.name.clone(),
                severity: finding.severity,
                check_id: finding.check_id.to_string(),
                resource_arn: finding.resource_arn.to_string(),
                message: finding.message.to_string(),
            })
        })
        .collect();
    failures.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.check_id.cmp(&b.check_id))
            .then_with(|| a.account_id.cmp(&b.account_id))
            .then_with(|| a.resource_arn.cmp(&b.resource_arn))
    });
    let total_failures = failures.len();
    failures.truncate(WORST_FINDINGS);
    let failed = accounts
        .iter()
        .filter(|account| account.status == AccountStatus::Failed)
        .count();
    OrgSummary {
        accounts: accounts.len(),
        scanned: accounts.len() - failed,
        failed,
        incomplete: by_account.iter().filter(|row| row.incomplete).count(),
        by_account,
        worst_findings: failures,
        total_failures,
    }
}

pub fn render_org_json(report: &OrgReport, out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    writeln!(out)
}

/// The terminal view: one line per account, the accounts that could not be scanned and
/// why, then the worst findings across the organization.
pub fn render_org_table(
    report: &OrgReport,
    out: &mut dyn Write,
    color: bool,
    width: u16,
) -> std::io::Result<()> {
    let paint = |cell: Cell, colour: Color| if color { cell.fg(colour) } else { cell };
    let summary = &report.summary;
    writeln!(
        out,
        "iamscan {} | organization {} | management account {} | {} accounts: {} scanned, {} failed | {}",
        report.tool.version,
        report.organization_id.as_deref().unwrap_or("unknown"),
        report.management_account_id.as_deref().unwrap_or("unknown"),
        summary.accounts,
        summary.scanned,
        summary.failed,
        report.generated_at.format("%Y-%m-%d %H:%M UTC"),
    )?;
    let mut accounts = new_table(color, width);
    let mut header = vec!["Account", "Name", "Score", "Grade"];
    header.extend(["Critical", "High", "Medium", "Low", "Info"]);
    header.extend(["SCPs", "Scan"]);
    accounts.set_header(header);
    for row in &summary.by_account {
        let scan = match row.status {
            AccountStatus::Failed => paint(Cell::new("FAILED"), Color::Red),
            AccountStatus::Scanned if row.incomplete => {
                paint(Cell::new("INCOMPLETE"), Color::Yellow)
            }
            AccountStatus::Scanned => paint(Cell::new("complete"), Color::Green),
        };
        let grade = row.grade.as_deref().unwrap_or("-");
        let mut cells = vec![
            Cell::new(&row.account_id),
            Cell::new(row.name.as_deref().unwrap_or("")),
            Cell::new(score_text(row.score)).add_attribute(Attribute::Bold),
            paint(
                Cell::new(grade).add_attribute(Attribute::Bold),
                grade_color(grade),
            ),
        ];
        for severity in Severity::ALL {
            let count = row.failures.get(severity);
            cells.push(if count > 0 {
                paint(Cell::new(count), severity_color(severity))
            } else {
                Cell::new(count)
            });
        }
        cells.push(Cell::new(if row.scps_applied { "applied" } else { "-" }));
        cells.push(scan);
        accounts.add_row(cells);
    }
    writeln!(out, "{accounts}")?;
    for warning in &report.warnings {
        writeln!(out, "warning: {warning}")?;
    }

    let failed: Vec<&AccountSummary> = summary
        .by_account
        .iter()
        .filter(|row| row.status == AccountStatus::Failed)
        .collect();
    if !failed.is_empty() {
        writeln!(
            out,
            "\nFAILED ({}): accounts that could not be scanned",
            failed.len()
        )?;
        let mut table = new_table(color, width);
        table.set_header(vec!["Account", "Name", "Why"]);
        for row in failed {
            table.add_row(vec![
                paint(Cell::new(&row.account_id), Color::Red),
                Cell::new(row.name.as_deref().unwrap_or("")),
                Cell::new(row.error.as_deref().unwrap_or("")),
            ]);
        }
        writeln!(out, "{table}")?;
    }

    if summary.worst_findings.is_empty() {
        writeln!(out, "\nNo failing findings in any scanned account.")?;
    } else {
        writeln!(
            out,
            "\nWORST FINDINGS ({} of {} across the organization)",
            summary.worst_findings.len(),
            summary.total_failures
        )?;
        let mut table = new_table(color, width);
        table.set_header(vec!["Severity", "Account", "Check", "Finding"]);
        for finding in &summary.worst_findings {
            let account = match &finding.account_name {
                Some(name) => format!("{} ({name})", finding.account_id),
                None => finding.account_id.clone(),
            };
            table.add_row(vec![
                paint(
                    Cell::new(finding.severity.as_str()),
                    severity_color(finding.severity),
                ),
                Cell::new(account),
                Cell::new(&finding.check_id),
                Cell::new(&finding.message),
            ]);
        }
        writeln!(out, "{table}")?;
    }
    writeln!(
        out,
        "\nEach account's full report is in the JSON report (`accounts[].report`), and in --output-dir DIR/accounts/ACCOUNT/."
    )
}

// ---------------------------------------------------------------------------------------
// iamscan merge

/// One input of `iamscan merge`.
#[derive(Debug, Clone)]
pub enum MergeInput {
    /// An organization report (a shard of the organization, or a whole one).
    Organization(Box<OrgReport>),
    /// A single account's JSON report (`iamscan scan --format json`).
    Account(Box<Report>),
}

/// Reads a JSON report of either kind, telling them apart by `report_kind`.
pub fn load_merge_input(path: &Path) -> Result<MergeInput, LoadError> {
    let text = std::fs::read_to_string(path).map_err(|source| LoadError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|error| crate::inventory::json_error(path, error))?;
    let invalid = |message: String| LoadError::Invalid {
        path: path.to_path_buf(),
        message,
    };
    if value.get("report_kind").and_then(|kind| kind.as_str()) == Some(ORG_REPORT_KIND) {
        let version = value
            .get("schema_version")
            .and_then(|version| version.as_str())
            .unwrap_or_default();
        if version.split('.').next() != ORG_REPORT_SCHEMA_VERSION.split('.').next() {
            return Err(invalid(format!(
                "organization report schema_version {version:?} is not supported (this iamscan reads {ORG_REPORT_SCHEMA_VERSION})"
            )));
        }
        return serde_json::from_value(value)
            .map(|report| MergeInput::Organization(Box::new(report)))
            .map_err(|error| invalid(format!("not a valid organization report: {error}")));
    }
    if value.get("findings").is_none() || value.get("schema_version").is_none() {
        return Err(invalid(
            "not an iamscan JSON report (neither an account's nor an organization's)".into(),
        ));
    }
    serde_json::from_value(value)
        .map(|report| MergeInput::Account(Box::new(report)))
        .map_err(|error| invalid(format!("not a valid account report: {error}")))
}

/// Merges reports into one organization report. An account in several inputs keeps its
/// latest result (by `attempted_at`; an account report's is its collection time), and each
/// result dropped is named in `warnings`; two results of one account from the same moment
/// are an error, since nothing says which to keep. Inputs of different organizations are an
/// error. `inputs` pairs each input with the name errors give it (its path).
pub fn merge(
    inputs: Vec<(String, MergeInput)>,
    generated_at: DateTime<Utc>,
) -> Result<OrgReport, String> {
    let mut organization: Option<(String, String)> = None;
    let mut management: Option<(String, String)> = None;
    let mut stats = CollectStats::default();
    // Account id -> (result, the input it came from).
    let mut kept: BTreeMap<String, (AccountResult, String)> = BTreeMap::new();
    let mut warnings = Vec::new();
    for (origin, input) in inputs {
        let results = match input {
            MergeInput::Organization(report) => {
                let report = *report;
                agree(
                    &mut organization,
                    report.organization_id,
                    &origin,
                    "organization",
                )?;
                agree(
                    &mut management,
                    report.management_account_id,
                    &origin,
                    "management account",
                )?;
                add_stats(&mut stats, &report.stats);
                warnings.extend(report.warnings);
                report.accounts
            }
            MergeInput::Account(report) => {
                let account_id = report.account_id.clone().ok_or_else(|| {
                    format!("{origin}: the report names no account (account_id is null): cannot merge it")
                })?;
                vec![AccountResult::scanned(
                    account_id,
                    None,
                    report.inventory_collected_at,
                    false,
                    *report,
                )]
            }
        };
        for result in results {
            let account = result.account_id.clone();
            match kept.remove(&account) {
                None => {
                    kept.insert(account, (result, origin.clone()));
                }
                Some((earlier, earlier_origin)) => {
                    if earlier.attempted_at == result.attempted_at {
                        return Err(format!(
                            "account {account} is in {earlier_origin} and in {origin}, both from {}: give only one of them",
                            result.attempted_at.to_rfc3339()
                        ));
                    }
                    let ((newer, newer_origin), (older, older_origin)) =
                        if result.attempted_at > earlier.attempted_at {
                            ((result, origin.clone()), (earlier, earlier_origin))
                        } else {
                            ((earlier, earlier_origin), (result, origin.clone()))
                        };
                    warnings.push(format!(
                        "account {account}: kept the {} result of {} from {newer_origin}, dropped the {} result of {} from {older_origin}",
                        newer.status.as_str(),
                        newer.attempted_at.to_rfc3339(),
                        older.status.as_str(),
                        older.attempted_at.to_rfc3339(),
                    ));
                    kept.insert(account, (newer, newer_origin));
                }
            }
        }
    }
    Ok(OrgReport::build(
        organization.map(|(id, _)| id),
        management.map(|(id, _)| id),
        kept.into_values().map(|(result, _)| result).collect(),
        generated_at,
        warnings,
        stats,
    ))
}

/// Records an input's organization (or management account) id, which must agree with
/// every earlier input's.
fn agree(
    seen: &mut Option<(String, String)>,
    value: Option<String>,
    origin: &str,
    what: &str,
) -> Result<(), String> {
    let Some(value) = value else { return Ok(()) };
    match seen {
        Some((earlier, earlier_origin)) if *earlier != value => Err(format!(
            "the inputs are of different organizations: {what} {earlier} in {earlier_origin}, {value} in {origin}"
        )),
        Some(_) => Ok(()),
        None => {
            *seen = Some((value, origin.to_string()));
            Ok(())
        }
    }
}

fn add_stats(total: &mut CollectStats, more: &CollectStats) {
    for (operation, count) in &more.api_calls {
        *total.api_calls.entry(operation.clone()).or_default() += count;
    }
    for (operation, count) in &more.operations {
        *total.operations.entry(operation.clone()).or_default() += count;
    }
    total.retries += more.retries;
    total.total_api_calls += more.total_api_calls;
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 6, 1, hour, 0, 0).unwrap()
    }

    /// The bundled demo account's report with default settings.
    fn demo_report() -> Report {
        let inventory = crate::inventory::Inventory::demo();
        let now = inventory.collected_at;
        let settings = crate::checks::Settings::default();
        let findings = crate::checks::run_checks(
            &mut crate::checks::Context::new(&inventory, &settings, now),
            &[],
        );
        Report::build(
            &inventory,
            crate::catalog::catalog().to_vec(),
            findings,
            now,
            super::super::Stats::default(),
        )
    }

    /// The demo account's report, as account `id` collected at `hour`.
    fn account_report(id: &str, hour: u32) -> Report {
        let mut report = demo_report();
        report.account_id = Some(id.to_string());
        report.inventory_collected_at = at(hour);
        report
    }

    fn organization(id: &str, accounts: Vec<AccountResult>) -> MergeInput {
        MergeInput::Organization(Box::new(OrgReport::build(
            Some(id.to_string()),
            Some("111111111111".to_string()),
            accounts,
            at(12),
            Vec::new(),
            CollectStats::default(),
        )))
    }

    fn scanned(id: &str, hour: u32) -> AccountResult {
        AccountResult::scanned(
            id.to_string(),
            Some(format!("account-{id}")),
            at(hour),
            true,
            account_report(id, hour),
        )
    }

    fn failed(id: &str, hour: u32) -> AccountResult {
        AccountResult::failed(
            id.to_string(),
            None,
            at(hour),
            format!("cannot assume arn:aws:iam::{id}:role/audit: AccessDenied"),
        )
    }

    #[test]
    fn the_summary_ranks_findings_across_accounts_and_counts_failed_accounts() {
        let report = OrgReport::build(
            Some("o-exampleorgid".into()),
            Some("111111111111".into()),
            vec![
                scanned("333333333333", 9),
                failed("222222222222", 9),
                scanned("444444444444", 9),
            ],
            at(12),
            Vec::new(),
            CollectStats::default(),
        );
        assert_eq!(
            report
                .accounts
                .iter()
                .map(|account| account.account_id.as_str())
                .collect::<Vec<_>>(),
            ["222222222222", "333333333333", "444444444444"]
        );
        let summary = &report.summary;
        assert_eq!(
            (summary.accounts, summary.scanned, summary.failed),
            (3, 2, 1)
        );
        assert!(report.is_incomplete());
        assert_eq!(
            summary.by_account[0].error.as_deref(),
            Some("cannot assume arn:aws:iam::222222222222:role/audit: AccessDenied")
        );
        assert_eq!(summary.by_account[0].score, None);
        let demo = demo_report();
        let demo_failures = demo.failures().len();
        assert_eq!(summary.total_failures, 2 * demo_failures);
        assert_eq!(
            summary.worst_findings.len(),
            WORST_FINDINGS.min(2 * demo_failures)
        );
        // Worst first; one check's findings in two accounts side by side.
        let worst = &summary.worst_findings;
        assert!(
            worst
                .windows(2)
                .all(|pair| pair[0].severity >= pair[1].severity)
        );
        assert_eq!(worst[0].severity, demo.failures()[0].severity);
        assert_eq!(
            (worst[0].account_id.as_str(), worst[1].account_id.as_str()),
            ("333333333333", "444444444444")
        );
        assert_eq!(worst[0].check_id, worst[1].check_id);
        assert_eq!(
            summary.by_account[1].failures.get(Severity::Critical),
            demo.failures()
                .iter()
                .filter(|f| f.severity == Severity::Critical)
                .count()
        );
    }

    #[test]
    fn merge_keeps_the_latest_result_of_an_account_and_says_what_it_dropped() {
        let merged = merge(
            vec![
                (
                    "shard-1.json".into(),
                    organization(
                        "o-exampleorgid",
                        vec![failed("222222222222", 9), scanned("333333333333", 9)],
                    ),
                ),
                (
                    "shard-2.json".into(),
                    organization("o-exampleorgid", vec![scanned("222222222222", 10)]),
                ),
                (
                    "single.json".into(),
                    MergeInput::Account(Box::new(account_report("444444444444", 8))),
                ),
            ],
            at(13),
        )
        .unwrap();
        assert_eq!(merged.organization_id.as_deref(), Some("o-exampleorgid"));
        let statuses: Vec<(&str, AccountStatus)> = merged
            .accounts
            .iter()
            .map(|account| (account.account_id.as_str(), account.status))
            .collect();
        assert_eq!(
            statuses,
            [
                ("222222222222", AccountStatus::Scanned),
                ("333333333333", AccountStatus::Scanned),
                ("444444444444", AccountStatus::Scanned),
            ]
        );
        assert_eq!(merged.warnings.len(), 1);
        assert!(merged.warnings[0].starts_with("account 222222222222: kept the scanned result of 2026-06-01T10:00:00+00:00 from shard-2.json, dropped the failed result of 2026-06-01T09:00:00+00:00 from shard-1.json"), "{}", merged.warnings[0]);
        assert!(!merged.is_incomplete());
        // The order of the inputs does not matter.
        let reversed = merge(
            vec![
                (
                    "shard-2.json".into(),
                    organization("o-exampleorgid", vec![scanned("222222222222", 10)]),
                ),
                (
                    "shard-1.json".into(),
                    organization("o-exampleorgid", vec![failed("222222222222", 9)]),
                ),
            ],
            at(13),
        )
        .unwrap();
        assert_eq!(reversed.accounts[0].status, AccountStatus::Scanned);
    }

    #[test]
    fn merge_refuses_two_results_of_one_moment_and_two_organizations() {
        let error = merge(
            vec![
                (
                    "a.json".into(),
                    organization("o-exampleorgid", vec![scanned("222222222222", 9)]),
                ),
                (
                    "b.json".into(),
                    organization("o-exampleorgid", vec![failed("222222222222", 9)]),
                ),
            ],
            at(13),
        )
        .unwrap_err();
        assert_eq!(
            error,
            "account 222222222222 is in a.json and in b.json, both from 2026-06-01T09:00:00+00:00: give only one of them"
        );
        let error = merge(
            vec![
                (
                    "a.json".into(),
                    organization("o-exampleorgid", vec![scanned("222222222222", 9)]),
                ),
                (
                    "b.json".into(),
                    organization("o-otherorgid", vec![scanned("333333333333", 9)]),
                ),
            ],
            at(13),
        )
        .unwrap_err();
        assert_eq!(
            error,
            "the inputs are of different organizations: organization o-exampleorgid in a.json, o-otherorgid in b.json"
        );
    }

    #[test]
    fn an_organization_report_reloads_as_one_and_an_account_report_as_the_other() {
        let dir = tempfile::tempdir().unwrap();
        let report = OrgReport::build(
            Some("o-exampleorgid".into()),
            None,
            vec![scanned("333333333333", 9), failed("222222222222", 9)],
            at(12),
            Vec::new(),
            CollectStats::default(),
        );
        let org_path = dir.path().join("org.json");
        let mut text = Vec::new();
        render_org_json(&report, &mut text).unwrap();
        std::fs::write(&org_path, &text).unwrap();
        let reloaded = OrgReport::load(&org_path).unwrap();
        assert_eq!(
            serde_json::to_value(&reloaded).unwrap(),
            serde_json::to_value(&report).unwrap()
        );
        let account_path = dir.path().join("account.json");
        std::fs::write(
            &account_path,
            serde_json::to_string(&account_report("333333333333", 9)).unwrap(),
        )
        .unwrap();
        assert!(matches!(
            load_merge_input(&account_path).unwrap(),
            MergeInput::Account(_)
        ));
        let other = dir.path().join("other.json");
        std::fs::write(&other, "{\"users\": []}").unwrap();
        let error = load_merge_input(&other).unwrap_err().to_string();
        assert!(error.contains("not an iamscan JSON report"), "{error}");
    }

    #[test]
    fn the_table_lists_every_account_the_failures_and_the_worst_findings() {
        let report = OrgReport::build(
            Some("o-exampleorgid".into()),
            Some("111111111111".into()),
            vec![scanned("333333333333", 9), failed("222222222222", 9)],
            at(12),
            Vec::new(),
            CollectStats::default(),
        );
        let mut out = Vec::new();
        render_org_table(&report, &mut out, false, 160).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("iamscan "), "{text}");
        assert!(text.contains("organization o-exampleorgid | management account 111111111111 | 2 accounts: 1 scanned, 1 failed"), "{text}");
        assert!(text.contains("333333333333") && text.contains("account-333333333333"));
        assert!(text.contains("FAILED (1): accounts that could not be scanned"));
        assert!(text.contains("cannot assume arn:aws:iam::222222222222:role/audit: AccessDenied"));
        assert!(text.contains("WORST FINDINGS ("), "{text}");
        assert!(text.contains("applied"));
    }
}
