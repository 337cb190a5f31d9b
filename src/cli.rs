//! Command-line definitions (clap derive). Behaviour lives in `run`.

use crate::finding::Severity;
use chrono::{DateTime, Utc};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "iamscan",
    version,
    about = "AWS IAM posture scanner: evidence-backed checks, a scored report, and exactly how to fix each finding"
)]
pub struct Cli {
    /// Print nothing but the report (no progress, no warnings on stderr).
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// More logging on stderr (-v: debug, -vv: trace).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan an account (live, a saved inventory, AWS CLI exports, or the bundled demo), or
    /// every account of an organization (--organization).
    Scan(ScanArgs),
    /// Merge JSON reports (organization reports, e.g. one per shard of accounts, and account
    /// reports) into one organization report.
    Merge(MergeArgs),
    /// Save an account's inventory for later offline scans.
    Collect(CollectArgs),
    /// List every check: id, severity, categories, title.
    Checks(ChecksArgs),
    /// Print a check's description, risk, remediation and compliance mappings.
    Explain {
        /// The check id, as `iamscan checks` lists it.
        id: String,
    },
    /// Compare two JSON reports without scanning: new, unchanged and resolved failures.
    Diff {
        /// The earlier report.
        old: PathBuf,
        /// The later report.
        new: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Scan, then show each control of a compliance framework: pass, fail, error, muted,
    /// manual or not covered.
    Compliance(ComplianceArgs),
    /// Explain risky IAM and sign-in activity from CloudTrail (log files, or LookupEvents),
    /// judged against the account's current posture.
    Events(EventsArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions { shell: clap_complete::Shell },
    /// Print the man page (roff) to standard output.
    Man,
    /// Write the check reference (one Markdown page per check) into DIR.
    Docs {
        /// The folder to write (docs/checks in this repository).
        dir: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct SourceArgs {
    /// Scan the bundled demo account (no AWS account needed).
    #[arg(long, conflicts_with_all = ["inventory", "auth_details", "credential_report", "exports"])]
    pub demo: bool,
    /// Scan a saved inventory (`iamscan collect --output`).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["auth_details", "credential_report", "exports"])]
    pub inventory: Option<PathBuf>,
    #[command(flatten)]
    pub exports: ExportArgs,
}

impl SourceArgs {
    pub fn is_offline(&self) -> bool {
        self.demo || self.inventory.is_some() || self.exports.is_given()
    }
}

/// AWS CLI outputs an auditor receives, instead of a live account.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// `aws iam get-account-authorization-details` output.
    #[arg(long, value_name = "FILE")]
    pub auth_details: Option<PathBuf>,
    /// A credential report: the CSV, or `aws iam get-credential-report` JSON output.
    #[arg(long, value_name = "FILE")]
    pub credential_report: Option<PathBuf>,
    /// A folder of AWS CLI exports under the names in docs/offline.md.
    #[arg(long, value_name = "DIR")]
    pub exports: Option<PathBuf>,
}

impl ExportArgs {
    pub fn is_given(&self) -> bool {
        self.auth_details.is_some() || self.credential_report.is_some() || self.exports.is_some()
    }
}

#[derive(Debug, Args)]
pub struct AwsArgs {
    /// Named profile from the AWS config files.
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// Region for the SDK (IAM is global; defaults to the profile's region, else us-east-1).
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
    /// Send requests to this endpoint instead of AWS (an emulator such as moto).
    #[arg(long, value_name = "URL", env = "AWS_ENDPOINT_URL")]
    pub endpoint_url: Option<String>,
    /// Attempts per request, retries included (throttling slows a scan down, not breaks it).
    #[arg(long, value_name = "N", default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=50))]
    pub max_attempts: u32,
    /// Per-entity calls in flight at once.
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub concurrency: u32,
    /// Longest wait for AWS to generate the credential report, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 120)]
    pub report_wait: u64,
    /// Regions whose IAM Access Analyzer is checked (comma-separated; `none` for none).
    /// Default: every region AWS enables by default; name opt-in regions you use.
    #[arg(long, value_name = "REGIONS", value_delimiter = ',', value_parser = parse_region)]
    pub regions: Vec<String>,
}

/// A region name such as `eu-west-1` or `us-gov-east-1`, or `none`: a typo fails here
/// instead of as a connection error per region.
fn parse_region(value: &str) -> Result<String, String> {
    let value = value.trim();
    let parts: Vec<&str> = value.split('-').collect();
    let well_formed = parts.len() >= 3
        && parts.iter().all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
        && parts
            .last()
            .is_some_and(|last| last.bytes().all(|b| b.is_ascii_digit()))
        && parts[0].bytes().all(|b| b.is_ascii_lowercase());
    if well_formed || value == "none" {
        Ok(value.to_string())
    } else {
        Err(format!(
            "'{value}' is not a region name such as eu-west-1 (or `none`)"
        ))
    }
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Run only these checks (comma-separated ids).
    #[arg(long, value_name = "IDS", value_delimiter = ',')]
    pub checks: Vec<String>,
    /// Active access keys older than this fail rotation.
    #[arg(long, value_name = "DAYS", default_value_t = 90)]
    pub key_max_age_days: i64,
    /// Passwords and access keys unused for longer than this fail.
    #[arg(long, value_name = "DAYS", default_value_t = 45)]
    pub unused_days: i64,
    /// Root password or key use within this many days fails.
    #[arg(long, value_name = "DAYS", default_value_t = 90)]
    pub root_use_days: i64,
    /// Password expiry longer than this (or none) fails.
    #[arg(long, value_name = "DAYS", default_value_t = 90)]
    pub max_password_age_days: i64,
    /// Your own accounts (comma-separated ids): trust to them passes cross-account checks.
    #[arg(long, value_name = "IDS", value_delimiter = ',')]
    pub known_accounts: Vec<String>,
    /// Principals or policies (ARNs or names, `*` wildcards) escalation analysis leaves out.
    #[arg(long, value_name = "PATTERNS", value_delimiter = ',')]
    pub exclude_from_escalation: Vec<String>,
    /// Thresholds and suppressions (default: ./iamscan.toml when it exists).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Judge ages against this time instead of now (RFC 3339), for reproducible reports.
    #[arg(long, value_name = "TIME")]
    pub scan_time: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
}

/// A report format of `scan`. Each has its own module in `report/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// The terminal report.
    Table,
    /// The versioned JSON report (docs/report-schema.md).
    Json,
    /// SARIF 2.1.0, for GitHub code scanning.
    Sarif,
    /// JUnit XML, for CI test dashboards.
    Junit,
    /// OCSF Detection Findings, one JSON event per line, for security data lakes.
    Ocsf,
    /// AWS Security Finding Format for Security Hub, in files of 100 findings.
    Asff,
    /// One row per finding.
    Csv,
    /// A summary for a pull request comment or a CI job summary.
    Markdown,
    /// One self-contained page: score, charts, filterable findings with their fixes,
    /// compliance and coverage.
    Html,
}

impl ReportFormat {
    /// The file it is written to under `--output-dir` (asff: the first of its batch files).
    pub fn file_name(self) -> &'static str {
        match self {
            ReportFormat::Table => "iamscan.txt",
            ReportFormat::Json => "iamscan.json",
            ReportFormat::Sarif => "iamscan.sarif",
            ReportFormat::Junit => "iamscan.junit.xml",
            ReportFormat::Ocsf => "iamscan.ocsf.jsonl",
            ReportFormat::Asff => "iamscan-asff-001.json",
            ReportFormat::Csv => "iamscan.csv",
            ReportFormat::Markdown => "iamscan.md",
            ReportFormat::Html => "iamscan.html",
        }
    }
}

#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Report format; several (`--format sarif,json` or the option repeated) need
    /// --output-dir.
    #[arg(long, value_enum, value_delimiter = ',', default_values_t = [ReportFormat::Table])]
    pub format: Vec<ReportFormat>,
    /// Write the report here (`-` or absent: standard output).
    #[arg(long, short, value_name = "FILE", conflicts_with = "output_dir")]
    pub output: Option<PathBuf>,
    /// Write each format to DIR/iamscan.<ext> (asff: DIR/iamscan-asff-001.json, -002, ...
    /// 100 findings each); created when missing.
    #[arg(long, value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
    /// Exit 1 when a finding at or above this severity fails.
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<Severity>,
    /// A previous JSON report: failures are marked new or unchanged, and what it failed
    /// that no longer fails is listed as resolved.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// With --baseline: gates (--fail-on, or any failure when it is absent) look only at
    /// new failures.
    #[arg(long, requires = "baseline")]
    pub fail_on_new: bool,
    /// Exit 1 when the overall score is below this.
    #[arg(long, value_name = "SCORE", value_parser = parse_score)]
    pub fail_under: Option<f64>,
    /// Mask account ids (`********4321`: any standalone 12-digit number, last 4 kept) and
    /// access key ids (`AKIA************WXYZ`) in every format, for sharing. Masking is not
    /// anonymisation.
    #[arg(long)]
    pub redact: bool,
}

#[derive(Debug, Args)]
pub struct EventsArgs {
    /// CloudTrail log files as delivered to S3: a folder of .json.gz/.json files (an
    /// organization trail's tree is reported per account), or one file. Without it, events
    /// come from the LookupEvents API (90 days at most).
    #[arg(long, value_name = "DIR")]
    pub logs: Option<PathBuf>,
    /// Only events after this: a duration (`7d`, `12h`, `30m`) or an RFC 3339 time.
    /// Default: 7d from LookupEvents, everything from --logs.
    #[arg(long, value_name = "WHEN", value_parser = parse_since)]
    pub since: Option<Since>,
    /// Judge the events against this saved inventory. Live, the account is collected for
    /// it; with --logs and no inventory, events are explained but not correlated.
    #[arg(long, value_name = "FILE", conflicts_with = "demo")]
    pub inventory: Option<PathBuf>,
    /// Judge the events against the bundled demo account's posture.
    #[arg(long)]
    pub demo: bool,
    #[command(flatten)]
    pub aws: AwsArgs,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write the report here (`-` or absent: standard output).
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit 1 when an event at or above this severity is found.
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<Severity>,
}

/// `--since`: how far back, or from when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Since {
    Ago(chrono::Duration),
    At(DateTime<Utc>),
}

impl Since {
    pub fn resolve(self, now: DateTime<Utc>) -> DateTime<Utc> {
        match self {
            Since::Ago(duration) => now - duration,
            Since::At(time) => time,
        }
    }
}

fn parse_since(text: &str) -> Result<Since, String> {
    let text = text.trim();
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Ok(Since::At(time.with_timezone(&Utc)));
    }
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let amount: i64 = number
        .parse()
        .map_err(|_| format!("'{text}' is not a duration (7d, 12h, 30m) or an RFC 3339 time"))?;
    let duration = match unit {
        "d" => chrono::Duration::days(amount),
        "h" => chrono::Duration::hours(amount),
        "m" => chrono::Duration::minutes(amount),
        _ => {
            return Err(format!(
                "'{text}' is not a duration (7d, 12h, 30m) or an RFC 3339 time"
            ));
        }
    };
    Ok(Since::Ago(duration))
}

/// A 12-digit AWS account id.
fn parse_account_id(text: &str) -> Result<String, String> {
    let text = text.trim();
    if text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit()) {
        Ok(text.to_string())
    } else {
        Err(format!("'{text}' is not a 12-digit account id"))
    }
}

fn parse_score(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(score) if (0.0..=100.0).contains(&score) => Ok(score),
        _ => Err(format!("'{text}' is not a score from 0 to 100")),
    }
}

/// `scan --organization`: every active account of an organization, or a shard of them.
#[derive(Debug, Args)]
pub struct OrganizationArgs {
    /// Scan the organization's active accounts (the caller must be its management account
    /// or a delegated administrator), assuming --role-name in each member: one report with
    /// a section per account and a summary (docs/organizations.md).
    #[arg(long, requires = "role_name", conflicts_with_all = [
        "demo", "inventory", "auth_details", "credential_report", "exports",
        "baseline", "with_events",
    ])]
    pub organization: bool,
    /// The role to assume in each member account: its name, with its path if it has one
    /// (`audit/iamscan`). The caller's own account is scanned with the caller's credentials.
    #[arg(long, value_name = "NAME", requires = "organization")]
    pub role_name: Option<String>,
    /// The sts:ExternalId the role's trust policy asks for.
    #[arg(long, value_name = "ID", requires = "organization")]
    pub external_id: Option<String>,
    /// Scan only these accounts (comma-separated 12-digit ids): one shard of a fleet. An id
    /// that is not an active account of the organization is reported as failed.
    #[arg(long, value_name = "IDS", value_delimiter = ',', value_parser = parse_account_id, requires = "organization")]
    pub accounts: Vec<String>,
    /// Leave these accounts out (comma-separated 12-digit ids).
    #[arg(long, value_name = "IDS", value_delimiter = ',', value_parser = parse_account_id, requires = "organization")]
    pub exclude_accounts: Vec<String>,
    /// Accounts scanned at once (each with --concurrency calls in flight).
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=32))]
    pub account_concurrency: u32,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// JSON reports: organization reports (`scan --organization --format json`) and account
    /// reports (`scan --format json`). An account in several keeps its latest result.
    #[arg(required = true, value_name = "REPORT")]
    pub reports: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub format: Format,
    /// Write the merged report here (`-` or absent: standard output).
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit 1 when a finding at or above this severity fails in any account.
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<Severity>,
    /// Exit 1 when any account's score is below this.
    #[arg(long, value_name = "SCORE", value_parser = parse_score)]
    pub fail_under: Option<f64>,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    #[command(flatten)]
    pub organization: OrganizationArgs,
    #[command(flatten)]
    pub aws: AwsArgs,
    #[command(flatten)]
    pub checks: CheckArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    /// Call ListAccessKeys for users whose keys fail a check, so remediation names the
    /// key id (one call per such user; off by default to keep the call count flat).
    #[arg(long)]
    pub list_access_keys: bool,
    /// Add a CloudTrail activity section (LookupEvents in a live scan, or --event-logs);
    /// the score stays a posture score.
    #[arg(long)]
    pub with_events: bool,
    /// CloudTrail log files for --with-events (a folder as delivered to S3, or one file).
    #[arg(long, value_name = "DIR", requires = "with_events")]
    pub event_logs: Option<PathBuf>,
    /// How far back --with-events looks: a duration (`7d`) or an RFC 3339 time (default:
    /// 7d from LookupEvents, everything in --event-logs).
    #[arg(long, value_name = "WHEN", value_parser = parse_since, requires = "with_events")]
    pub events_since: Option<Since>,
}

#[derive(Debug, Args)]
pub struct CollectArgs {
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Build the inventory from AWS CLI exports instead of calling AWS.
    #[command(flatten)]
    pub exports: ExportArgs,
    /// Where to write the inventory (`-` for standard output).
    #[arg(long, short, value_name = "FILE")]
    pub output: PathBuf,
}

#[derive(Debug, Args)]
pub struct ComplianceArgs {
    /// The framework: cis-aws-7.0 (CIS AWS Foundations Benchmark v7.0) or aws-security-hub.
    #[arg(long, value_name = "NAME")]
    pub framework: String,
    #[command(flatten)]
    pub scan: ScanArgs,
}

#[derive(Debug, Args)]
pub struct ChecksArgs {
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}
