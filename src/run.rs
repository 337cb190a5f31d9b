//! What each command does. `main` only parses arguments and maps the outcome to an exit code.

mod org;

use crate::aws::{self, AwsOptions};
use crate::catalog;
use crate::checks::{self, Context, Settings};
use crate::cli::{
    AwsArgs, CheckArgs, ChecksArgs, Cli, CollectArgs, Command, ComplianceArgs, EventsArgs,
    ExportArgs, Format, OutputArgs, ReportFormat, ScanArgs,
};
use crate::collect::{self, CallCounter, CollectOptions, CollectStats};
use crate::finding::{Finding, Status};
use crate::inventory::{ExportPaths, Inventory, load_exports};
use crate::report::{self, Report, Stats};
use anyhow::{Context as _, anyhow, bail};
use chrono::{DateTime, Utc};
use std::collections::BTreeSet;
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::time::{Duration, Instant};

/// How a successful run ended. Errors are exit code 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// 0: the scan saw everything and nothing crossed a gate.
    Clean,
    /// 1: a finding at or above `--fail-on`, or a score under `--fail-under`.
    GateFailed,
    /// 3: some data could not be collected or read; checks without it are `error`.
    Incomplete,
}

impl Outcome {
    pub fn exit_code(self) -> u8 {
        match self {
            Outcome::Clean => 0,
            Outcome::GateFailed => 1,
            Outcome::Incomplete => 3,
        }
    }
}

pub async fn run(cli: Cli) -> anyhow::Result<Outcome> {
    let progress = !cli.quiet && std::io::stderr().is_terminal();
    match cli.command {
        Command::Scan(args) if args.organization.organization => {
            org::scan_organization(args, progress).await
        }
        Command::Scan(args) => scan(args, progress).await,
        Command::Merge(args) => org::merge_command(&args),
        Command::Collect(args) => collect_command(args, progress).await,
        Command::Checks(args) => list_checks(&args),
        Command::Explain { id } => explain(&id),
        Command::Docs { dir } => write_docs(&dir),
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            write_output(None, |out| {
                clap_complete::generate(shell, &mut command, "iamscan", out);
                Ok(())
            })?;
            Ok(Outcome::Clean)
        }
        Command::Man => {
            let command = <Cli as clap::CommandFactory>::command();
            write_output(None, |out| clap_mangen::Man::new(command).render(out))?;
            Ok(Outcome::Clean)
        }
        Command::Diff { old, new, format } => diff(&old, &new, format),
        Command::Compliance(args) => compliance_command(args, progress).await,
        Command::Events(args) => events_command(args, progress).await,
    }
}

fn aws_options(args: &AwsArgs) -> AwsOptions {
    AwsOptions {
        profile: args.profile.clone(),
        region: args.region.clone(),
        endpoint_url: args.endpoint_url.clone(),
        max_attempts: args.max_attempts,
        ..AwsOptions::default()
    }
}

/// A live connection: the clients and the counter their calls are tallied in.
struct Live {
    clients: collect::Clients,
    counter: CallCounter,
    concurrency: usize,
}

impl Live {
    /// Clients of one account, from its configuration, counting their calls afresh.
    fn new(config: &aws_config::SdkConfig, args: &AwsArgs) -> Self {
        let counter = CallCounter::default();
        let regions =
            aws::scanned_regions(&args.regions, config.region().map(|region| region.as_ref()));
        let clients = collect::Clients::new(aws::ClientFactory::new(config, &counter), &regions);
        Live {
            clients,
            counter,
            concurrency: args.concurrency as usize,
        }
    }
}

async fn connect(args: &AwsArgs) -> anyhow::Result<Live> {
    let config = aws::sdk_config(&aws_options(args)).await;
    aws::check_credentials(&config)
        .await
        .map_err(|message| anyhow!(message))?;
    Ok(Live::new(&config, args))
}

async fn collect_live(
    live: &Live,
    args: &AwsArgs,
    progress: bool,
    selected: &[String],
) -> collect::Collection {
    let options = CollectOptions {
        wanted: checks::data_needed(selected),
        concurrency: live.concurrency,
        report_wait: Duration::from_secs(args.report_wait),
        progress,
        ..CollectOptions::default()
    };
    collect::collect(&live.clients, &live.counter, &options, Utc::now()).await
}

fn load_from_exports(args: &ExportArgs) -> anyhow::Result<Inventory> {
    let paths = ExportPaths {
        auth_details: args.auth_details.clone(),
        credential_report: args.credential_report.clone(),
        dir: args.exports.clone(),
    };
    let mut inventory = load_exports(&paths, Utc::now())?;
    // The data is as of the credential report, when the exports say when that was.
    if let Some(generated) = inventory
        .credential_report
        .as_ref()
        .and_then(|report| report.generated_at)
    {
        inventory.collected_at = generated;
    }
    Ok(inventory)
}

/// The configuration file named by `--config`, else ./iamscan.toml when present.
fn load_config(args: &CheckArgs) -> anyhow::Result<Option<(crate::config::Config, String)>> {
    let path = match &args.config {
        Some(path) => path.clone(),
        None if Path::new(DEFAULT_CONFIG).is_file() => Path::new(DEFAULT_CONFIG).to_path_buf(),
        None => return Ok(None),
    };
    let ids: Vec<&str> = catalog::catalog()
        .iter()
        .map(|meta| meta.id.as_str())
        .collect();
    let config =
        crate::config::load(&path, &ids).map_err(|problems| anyhow!(problems.join("\n")))?;
    Ok(Some((config, path.display().to_string())))
}

const DEFAULT_CONFIG: &str = "iamscan.toml";

fn settings(args: &CheckArgs) -> Settings {
    Settings {
        key_max_age_days: args.key_max_age_days,
        unused_days: args.unused_days,
        root_use_days: args.root_use_days,
        max_password_age_days: args.max_password_age_days,
        known_accounts: args.known_accounts.clone(),
        escalation_exclusions: args.exclude_from_escalation.clone(),
    }
}

/// Unknown check ids are a usage error naming them.
fn selected_checks(args: &CheckArgs) -> anyhow::Result<Vec<String>> {
    let unknown: Vec<&str> = args
        .checks
        .iter()
        .map(String::as_str)
        .filter(|id| catalog::find(id).is_none())
        .collect();
    if !unknown.is_empty() {
        bail!(
            "--checks: unknown check id(s): {} (see `iamscan checks`)",
            unknown.join(", ")
        );
    }
    Ok(args.checks.clone())
}

/// Checks whose failures name an access key, and so want its id.
const KEY_CHECKS: &[&str] = &[
    "access-key-rotation",
    "unused-access-key",
    "access-key-unused-since-creation",
];

fn users_with_failing_keys(findings: &[Finding]) -> Vec<String> {
    let users: BTreeSet<String> = findings
        .iter()
        .filter(|finding| {
            finding.status == Status::Fail && KEY_CHECKS.contains(&finding.check_id.as_str())
        })
        .filter_map(|finding| {
            let user_arn = finding.resource_arn.split('#').next()?;
            user_arn.rsplit('/').next().map(str::to_owned)
        })
        .collect();
    users.into_iter().collect()
}

async fn scan(args: ScanArgs, progress: bool) -> anyhow::Result<Outcome> {
    let formats = report_formats(&args.output)?;
    // A baseline that cannot be read is an error before any collection starts.
    let mut baseline = args
        .output
        .baseline
        .as_deref()
        .map(Report::load)
        .transpose()?;
    let mut report = build_report(&args, progress).await?;
    if args.output.redact {
        // Both sides masked alike: a finding keeps its identity against a baseline saved
        // with or without --redact.
        report = report::redact_report(&report)?;
        baseline = baseline.as_ref().map(report::redact_report).transpose()?;
    }
    if let Some(baseline) = &baseline {
        report.baseline = Some(crate::baseline::compare(&mut report, baseline));
    }
    write_report(
        &report,
        args.output.output.as_deref(),
        args.output.output_dir.as_deref(),
        &formats,
        args.aws.region.as_deref(),
    )?;
    Ok(outcome(&report, &args.output))
}

/// Collects or loads the inventory, runs the checks, applies the configuration.
async fn build_report(args: &ScanArgs, progress: bool) -> anyhow::Result<Report> {
    let selected = selected_checks(&args.checks)?;
    // A broken configuration file is reported before any collection starts.
    let config = load_config(&args.checks)?;
    let offline =
        args.source.demo || args.source.inventory.is_some() || args.source.exports.is_given();
    if args.with_events && offline && args.event_logs.is_none() {
        bail!(
            "--with-events on an offline scan needs --event-logs DIR (LookupEvents needs a live scan)"
        );
    }
    let started = Instant::now();
    let (inventory, collection_stats, live) = if args.source.demo {
        (Inventory::demo(), CollectStats::default(), None)
    } else if let Some(path) = &args.source.inventory {
        (Inventory::load(path)?, CollectStats::default(), None)
    } else if args.source.exports.is_given() {
        (
            load_from_exports(&args.source.exports)?,
            CollectStats::default(),
            None,
        )
    } else {
        let live = connect(&args.aws).await?;
        let collection = collect_live(&live, &args.aws, progress, &selected).await;
        (collection.inventory, collection.stats, Some(live))
    };
    assess(
        args,
        &selected,
        config.as_ref(),
        inventory,
        collection_stats,
        live.as_ref(),
        started,
    )
    .await
}

/// Runs the checks on an inventory and builds the report: thresholds and suppressions
/// applied, and with a live connection, the follow-up calls some options ask for.
async fn assess(
    args: &ScanArgs,
    selected: &[String],
    config: Option<&(crate::config::Config, String)>,
    mut inventory: Inventory,
    mut collection_stats: CollectStats,
    live: Option<&Live>,
    started: Instant,
) -> anyhow::Result<Report> {
    inventory.derive_account_id();
    // The demo is judged as of when it was captured, so its report never drifts.
    let now = args.checks.scan_time.unwrap_or(if args.source.demo {
        inventory.collected_at
    } else {
        Utc::now()
    });
    let mut settings = settings(&args.checks);
    if let Some((config, _)) = config {
        config.thresholds.apply(&mut settings, &Settings::default());
    }
    let checks_started = Instant::now();
    let mut findings = judge(&inventory, &settings, now, selected);
    if args.list_access_keys {
        match live {
            Some(live) => {
                let users = users_with_failing_keys(&findings);
                if !users.is_empty() {
                    let (keys, gaps) =
                        collect::list_access_keys(&live.clients.iam, &users, live.concurrency)
                            .await;
                    inventory.access_keys.extend(keys);
                    inventory.gaps.extend(gaps);
                    findings = judge(&inventory, &settings, now, selected);
                }
                collection_stats = live.counter.snapshot(collection_stats);
            }
            None => tracing::warn!(
                "--list-access-keys needs a live scan; offline inputs carry no key ids"
            ),
        }
    }
    let checks_ms = checks_started.elapsed().as_millis() as u64;
    collection_stats
        .phase_ms
        .insert("total".to_string(), started.elapsed().as_millis() as u64);
    let activity = if args.with_events {
        Some(
            analyse_events(
                args.event_logs.as_deref(),
                live,
                Some(&inventory),
                args.events_since,
                now,
            )
            .await?,
        )
    } else {
        None
    };
    if let Some(live) = live {
        collection_stats = live.counter.snapshot(collection_stats);
    }
    let stats = Stats {
        collection: collection_stats,
        checks_ms,
        findings: findings.len(),
    };
    let mut report = finish(&inventory, findings, selected, now, config, stats);
    report.activity = activity;
    Ok(report)
}

fn judge(
    inventory: &Inventory,
    settings: &Settings,
    now: DateTime<Utc>,
    selected: &[String],
) -> Vec<Finding> {
    checks::run_checks(&mut Context::new(inventory, settings, now), selected)
}

/// Applies the suppressions and builds the report of the checks that ran.
fn finish(
    inventory: &Inventory,
    mut findings: Vec<Finding>,
    selected: &[String],
    now: DateTime<Utc>,
    config: Option<&(crate::config::Config, String)>,
    stats: Stats,
) -> Report {
    let mut config_warnings = Vec::new();
    if let Some((config, origin)) = config {
        config_warnings = crate::config::mute(
            &mut findings,
            &config.suppressions,
            &crate::config::resource_tags(inventory),
            origin,
            now.date_naive(),
        );
    }
    let catalog_entries = catalog::catalog()
        .iter()
        .filter(|meta| selected.is_empty() || selected.contains(&meta.id))
        .cloned()
        .collect();
    let mut report = Report::build(inventory, catalog_entries, findings, now, stats);
    report.warnings.extend(config_warnings);
    report
}

/// The report of `iamscan scan --demo` with default settings (for tests and examples).
pub fn demo_report() -> Report {
    let inventory = Inventory::demo();
    let now = inventory.collected_at;
    let findings = judge(&inventory, &Settings::default(), now, &[]);
    finish(&inventory, findings, &[], now, None, Stats::default())
}

/// `iamscan compliance --framework NAME`: the scan, shown control by control.
async fn compliance_command(args: ComplianceArgs, progress: bool) -> anyhow::Result<Outcome> {
    let Some(framework) = crate::compliance::find(&args.framework) else {
        let known: Vec<String> = crate::compliance::frameworks()
            .iter()
            .map(|framework| match framework.aliases.first() {
                Some(alias) => format!("{alias} ({})", framework.id),
                None => framework.id.clone(),
            })
            .collect();
        bail!(
            "--framework: unknown framework '{}' (known: {})",
            args.framework,
            known.join(", ")
        );
    };
    if args.scan.organization.organization {
        bail!(
            "compliance --organization: scan the organization with `iamscan scan --organization --format json`; each account's report holds its compliance results"
        );
    }
    let json = match args.scan.output.format.as_slice() {
        [ReportFormat::Table] => false,
        [ReportFormat::Json] => true,
        _ => bail!("compliance --format: table or json"),
    };
    let mut report = build_report(&args.scan, progress).await?;
    if args.scan.output.redact {
        report = report::redact_report(&report)?;
    }
    let result = report
        .compliance
        .iter()
        .find(|result| result.framework == framework.id)
        .expect("the report evaluates every framework");
    let output = &args.scan.output;
    // With --output-dir, the view goes to DIR/iamscan-compliance-<framework>.<json|txt>.
    let target = match &output.output_dir {
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("{}: cannot create the folder", dir.display()))?;
            let extension = if json { "json" } else { "txt" };
            Some(dir.join(format!("iamscan-compliance-{}.{extension}", framework.id)))
        }
        None => output.output.clone(),
    };
    write_output(target.as_deref(), |out| {
        if json {
            serde_json::to_writer_pretty(&mut *out, result)?;
            writeln!(out)
        } else {
            report::render_compliance_table(result, &report, out)
        }
    })?;
    Ok(outcome(&report, output))
}

/// Reads events from `logs`, else from LookupEvents through `live`, and judges them
/// against `inventory` when there is one.
async fn analyse_events(
    logs: Option<&Path>,
    live: Option<&Live>,
    inventory: Option<&Inventory>,
    since: Option<crate::cli::Since>,
    now: DateTime<Utc>,
) -> anyhow::Result<crate::events::analysis::ActivityReport> {
    use crate::events::analysis::{ActivityReport, Analyzer, Posture};
    let posture = inventory.and_then(|inventory| Posture::from_inventory(inventory, now));
    let since = match (since, logs) {
        (Some(since), _) => Some(since.resolve(now)),
        (None, None) => Some(now - chrono::Duration::days(7)),
        (None, Some(_)) => None,
    };
    let mut analyzer = Analyzer::new(posture.as_ref(), since);
    let mut gaps = Vec::new();
    let (source, stats) = match (logs, live) {
        (Some(logs), _) => {
            let stats = crate::events::records::read_tree(logs, |record| analyzer.observe(record))?;
            (logs.display().to_string(), stats)
        }
        (None, Some(live)) => {
            let (stats, lookup_gaps) =
                collect::lookup_events(&live.clients.factory, since.unwrap_or(now), |record| {
                    analyzer.observe(record)
                })
                .await;
            gaps = lookup_gaps;
            ("LookupEvents (us-east-1)".to_string(), stats)
        }
        (None, None) => bail!("--with-events on an offline scan needs --event-logs DIR"),
    };
    let (activities, records_before_since) = analyzer.finish();
    let mut warnings = stats.warnings.clone();
    if stats.warnings_omitted > 0 {
        warnings.push(format!(
            "{} more warnings not shown",
            stats.warnings_omitted
        ));
    }
    warnings.extend(gaps.iter().map(|gap| {
        format!(
            "{} for {} failed: {} ({})",
            gap.operation,
            gap.resource.as_deref().unwrap_or("the account"),
            gap.error_code,
            gap.message
        )
    }));
    Ok(ActivityReport {
        source,
        records_read: stats.records_read,
        records_skipped: stats.records_skipped,
        files_read: stats.files_read,
        warnings,
        records_before_since,
        accounts: stats.accounts.clone(),
        correlated: posture.is_some(),
        complete: gaps.is_empty() && stats.files_failed == 0 && stats.records_skipped == 0,
        activities,
    })
}

/// `iamscan events`: CloudTrail activity from log files or LookupEvents, explained and,
/// with an inventory (given, the demo's, or collected live), judged against the posture.
async fn events_command(args: EventsArgs, progress: bool) -> anyhow::Result<Outcome> {
    let now = Utc::now();
    let live = match &args.logs {
        Some(_) => None,
        None => Some(connect(&args.aws).await?),
    };
    let inventory = if args.demo {
        Some(Inventory::demo())
    } else if let Some(path) = &args.inventory {
        Some(Inventory::load(path)?)
    } else if let Some(live) = &live {
        Some(collect_live(live, &args.aws, progress, &[]).await.inventory)
    } else {
        None
    };
    let report = analyse_events(
        args.logs.as_deref(),
        live.as_ref(),
        inventory.as_ref(),
        args.since,
        now,
    )
    .await?;
    let (color, width) = terminal(args.output.as_deref());
    write_output(args.output.as_deref(), |out| match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, &report)?;
            writeln!(out)
        }
        Format::Table => report::render_activity_table(&report, out, color, width),
    })?;
    let gated = args
        .fail_on
        .is_some_and(|threshold| report.count_at_least(threshold) > 0);
    Ok(if gated {
        Outcome::GateFailed
    } else if !report.complete {
        Outcome::Incomplete
    } else {
        Outcome::Clean
    })
}

/// `iamscan diff OLD NEW`: the baseline comparison of two saved reports.
fn diff(old: &Path, new: &Path, format: Format) -> anyhow::Result<Outcome> {
    let baseline = Report::load(old)?;
    let mut current = Report::load(new)?;
    let comparison = crate::baseline::compare(&mut current, &baseline);
    current.baseline = Some(comparison);
    write_output(None, |out| match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, &current.baseline)?;
            writeln!(out)
        }
        Format::Table => report::render_diff(&current, out),
    })?;
    Ok(Outcome::Clean)
}

/// Exit precedence: errors (2, as `Err`) over gate failures (1) over incomplete (3).
fn outcome(report: &Report, gates: &OutputArgs) -> Outcome {
    if crosses_gates(report, &Gates::of(gates)) {
        Outcome::GateFailed
    } else if report.is_incomplete() {
        Outcome::Incomplete
    } else {
        Outcome::Clean
    }
}

/// What makes a report fail its gates (exit 1).
struct Gates {
    fail_on: Option<crate::finding::Severity>,
    fail_under: Option<f64>,
    fail_on_new: bool,
}

impl Gates {
    fn of(args: &OutputArgs) -> Self {
        Gates {
            fail_on: args.fail_on,
            fail_under: args.fail_under,
            fail_on_new: args.fail_on_new,
        }
    }
}

/// A failure at or above `--fail-on` (with `--fail-on-new`, a new one; any new one when
/// `--fail-on` is absent), or a score under `--fail-under`.
fn crosses_gates(report: &Report, gates: &Gates) -> bool {
    let gated = |finding: &&Finding| {
        !gates.fail_on_new || finding.change == Some(crate::baseline::Change::New)
    };
    let failures: Vec<&Finding> = report.failures().into_iter().filter(gated).collect();
    let over_severity = match gates.fail_on {
        Some(threshold) => failures.iter().any(|finding| finding.severity >= threshold),
        None => gates.fail_on_new && !failures.is_empty(),
    };
    let under_score = gates
        .fail_under
        .is_some_and(|threshold| report.score.overall.is_some_and(|score| score < threshold));
    over_severity || under_score
}

/// `--format` as given, each format once, in the order first given.
fn distinct_formats(args: &OutputArgs) -> Vec<ReportFormat> {
    let mut formats: Vec<ReportFormat> = Vec::new();
    for format in &args.format {
        if !formats.contains(format) {
            formats.push(*format);
        }
    }
    formats
}

/// The formats asked for, each once. More than one, or asff (a file per 100 findings),
/// needs `--output-dir`: a usage error, raised before any collection starts.
fn report_formats(args: &OutputArgs) -> anyhow::Result<Vec<ReportFormat>> {
    let formats = distinct_formats(args);
    if args.output_dir.is_none() {
        if formats.len() > 1 {
            bail!(
                "--format: {} formats need --output-dir DIR (each is written to DIR/iamscan.<ext>)",
                formats.len()
            );
        }
        if formats == [ReportFormat::Asff] {
            bail!("--format asff writes a file per 100 findings: give --output-dir DIR");
        }
    }
    Ok(formats)
}

/// Writes each format: to `output` (`--output`) or standard output when there is one and
/// no `dir` (`--output-dir`), else to its file in `dir`.
fn write_report(
    report: &Report,
    output: Option<&Path>,
    dir: Option<&Path>,
    formats: &[ReportFormat],
    region: Option<&str>,
) -> anyhow::Result<()> {
    let Some(dir) = dir else {
        let (color, width) = terminal(output);
        let format = formats.first().copied().unwrap_or(ReportFormat::Table);
        return write_output(output, |out| render(report, format, out, color, width));
    };
    std::fs::create_dir_all(dir)
        .with_context(|| format!("{}: cannot create the folder", dir.display()))?;
    for &format in formats {
        if format == ReportFormat::Asff {
            write_asff(report, dir, region)?;
        } else {
            write_output(Some(&dir.join(format.file_name())), |out| {
                render(report, format, out, false, table_width(false))
            })?;
        }
    }
    Ok(())
}

fn render(
    report: &Report,
    format: ReportFormat,
    out: &mut dyn Write,
    color: bool,
    width: u16,
) -> std::io::Result<()> {
    match format {
        ReportFormat::Table => report::render_table(report, out, color, width),
        ReportFormat::Json => report::render_json(report, out),
        ReportFormat::Sarif => report::render_sarif(report, out),
        ReportFormat::Junit => report::render_junit(report, out),
        ReportFormat::Ocsf => report::render_ocsf(report, out),
        ReportFormat::Csv => report::render_csv(report, out),
        ReportFormat::Markdown => report::render_markdown(report, out),
        ReportFormat::Html => report::render_html(report, out),
        ReportFormat::Asff => Err(std::io::Error::other(
            "asff is written as batch files: give --output-dir DIR",
        )),
    }
}

/// Writes the ASFF batches to DIR/iamscan-asff-001.json, -002, ..., and removes the batch
/// files a larger earlier scan left there: importing them would bring stale findings back.
fn write_asff(report: &Report, dir: &Path, region: Option<&str>) -> anyhow::Result<()> {
    use report::asff;
    let batches = asff::asff_batches(report, region.unwrap_or(asff::DEFAULT_REGION))?;
    let written: BTreeSet<String> = (0..batches.len()).map(asff::batch_file_name).collect();
    for (index, batch) in batches.iter().enumerate() {
        write_output(Some(&dir.join(asff::batch_file_name(index))), |out| {
            asff::render_asff_batch(batch, out)
        })?;
    }
    for entry in
        std::fs::read_dir(dir).with_context(|| format!("{}: cannot read", dir.display()))?
    {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if asff::is_batch_file_name(&name) && !written.contains(&name) {
            let stale = dir.join(&name);
            std::fs::remove_file(&stale)
                .with_context(|| format!("{}: cannot remove", stale.display()))?;
        }
    }
    Ok(())
}

/// The terminal's width when writing to one, else `COLUMNS`, else a width that reads well
/// in a file or a CI log.
/// Colour and width for a table written to `output` (standard output when `None` or `-`):
/// colour only on a terminal and without NO_COLOR.
fn terminal(output: Option<&Path>) -> (bool, u16) {
    let to_stdout = output.is_none_or(|path| path == Path::new("-"));
    let color = to_stdout
        && std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty());
    (color, table_width(to_stdout))
}

fn table_width(to_stdout: bool) -> u16 {
    let terminal = to_stdout && std::io::stdout().is_terminal();
    std::env::var("COLUMNS")
        .ok()
        .and_then(|columns| columns.parse().ok())
        .or_else(|| {
            terminal
                .then(|| comfy_table::Table::new().width())
                .flatten()
        })
        .unwrap_or(140)
}

/// Writes to standard output (a closed pipe is not an error) or to a file, atomically:
/// the file appears complete or not at all, even if the scan is interrupted.
pub fn write_output(
    path: Option<&Path>,
    render: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    match path.filter(|path| *path != Path::new("-")) {
        None => {
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            match render(&mut out).and_then(|()| out.flush()) {
                Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                other => other.context("writing to standard output"),
            }
        }
        Some(path) => {
            let directory = path
                .parent()
                .filter(|parent| !parent.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            // A report is an ordinary file (0644 less the umask), not tempfile's private 0600.
            let mut builder = tempfile::Builder::new();
            #[cfg(unix)]
            builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644));
            let mut file = builder.tempfile_in(directory).with_context(|| {
                format!(
                    "{}: cannot create a file in {}",
                    path.display(),
                    directory.display()
                )
            })?;
            {
                let mut out = std::io::BufWriter::new(file.as_file_mut());
                render(&mut out)
                    .and_then(|()| out.flush())
                    .with_context(|| format!("{}: write failed", path.display()))?;
            }
            file.persist(path)
                .map_err(|error| anyhow!("{}: {}", path.display(), error.error))?;
            Ok(())
        }
    }
}

async fn collect_command(args: CollectArgs, progress: bool) -> anyhow::Result<Outcome> {
    let mut inventory = if args.exports.is_given() {
        load_from_exports(&args.exports)?
    } else {
        let live = connect(&args.aws).await?;
        collect_live(&live, &args.aws, progress, &[])
            .await
            .inventory
    };
    inventory.derive_account_id();
    write_output(Some(&args.output), |out| {
        serde_json::to_writer_pretty(&mut *out, &inventory)?;
        writeln!(out)
    })?;
    if inventory.gaps.is_empty() {
        Ok(Outcome::Clean)
    } else {
        for gap in &inventory.gaps {
            tracing::warn!("{}: {} {}", gap.operation, gap.error_code, gap.message);
        }
        Ok(Outcome::Incomplete)
    }
}

fn list_checks(args: &ChecksArgs) -> anyhow::Result<Outcome> {
    let catalog = catalog::catalog();
    write_output(None, |out| match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, catalog)?;
            writeln!(out)
        }
        Format::Table => {
            let mut table = comfy_table::Table::new();
            table
                .load_preset(comfy_table::presets::UTF8_FULL_CONDENSED)
                .force_no_tty();
            table.set_header(vec!["Id", "Severity", "Categories", "Title"]);
            for meta in catalog {
                let categories: Vec<&str> = meta
                    .categories
                    .iter()
                    .map(|category| category.as_str())
                    .collect();
                table.add_row(vec![
                    meta.id.as_str(),
                    meta.severity.as_str(),
                    &categories.join(", "),
                    meta.title.as_str(),
                ]);
            }
            writeln!(out, "{table}")
        }
    })?;
    Ok(Outcome::Clean)
}

/// Writes the generated check reference into `dir`, and removes pages of checks that no
/// longer exist.
fn write_docs(dir: &Path) -> anyhow::Result<Outcome> {
    std::fs::create_dir_all(dir).with_context(|| format!("{}: cannot create", dir.display()))?;
    let files = crate::docs::generate(catalog::catalog());
    for entry in
        std::fs::read_dir(dir).with_context(|| format!("{}: cannot read", dir.display()))?
    {
        let path = entry?.path();
        let name = path
            .file_name()
            .and_then(|name| name.to_str())
            .unwrap_or_default()
            .to_string();
        if name.ends_with(".md") && !files.iter().any(|(file, _)| *file == name) {
            std::fs::remove_file(&path)
                .with_context(|| format!("{}: cannot remove", path.display()))?;
        }
    }
    for (name, text) in files {
        write_output(Some(&dir.join(name)), |out| out.write_all(text.as_bytes()))?;
    }
    Ok(Outcome::Clean)
}

fn explain(id: &str) -> anyhow::Result<Outcome> {
    let meta = catalog::find(id)
        .ok_or_else(|| anyhow!("unknown check id '{id}' (see `iamscan checks`)"))?;
    let text = explain_text(meta);
    write_output(None, |out| out.write_all(text.as_bytes()))?;
    Ok(Outcome::Clean)
}

pub fn explain_text(meta: &catalog::CheckMeta) -> String {
    let categories: Vec<&str> = meta
        .categories
        .iter()
        .map(|category| category.as_str())
        .collect();
    let mut text = format!(
        "{id}: {title}\nseverity: {severity}   categories: {categories}   resource: {resource}\n\nWHAT IT CHECKS\n{description}\n\nRISK\n{risk}\n\nREMEDIATION: CONSOLE\n{console}\n\nREMEDIATION: CLI\n{cli}\n",
        id = meta.id,
        title = meta.title,
        severity = meta.severity,
        categories = categories.join(", "),
        resource = meta.resource_type,
        description = meta.description.trim(),
        risk = meta.risk.trim(),
        console = meta.remediation.console.trim(),
        cli = meta.remediation.cli.trim(),
    );
    if !meta.remediation.terraform.trim().is_empty() {
        text.push_str(&format!(
            "\nREMEDIATION: TERRAFORM\n{}\n",
            meta.remediation.terraform.trim()
        ));
    }
    if !meta.compliance.is_empty() {
        text.push_str("\nCOMPLIANCE\n");
        for mapping in &meta.compliance {
            let detail = match (&mapping.assessment, mapping.standards.is_empty()) {
                (Some(assessment), _) => format!(
                    " ({})",
                    serde_json::to_value(assessment)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default()
                ),
                (None, false) => format!(" (in {})", mapping.standards.join(", ")),
                (None, true) => String::new(),
            };
            text.push_str(&format!(
                "- {} {}{detail}\n",
                mapping.framework, mapping.control
            ));
        }
    }
    if !meta.references.is_empty() {
        text.push_str("\nREFERENCES\n");
        for reference in &meta.references {
            text.push_str(&format!("- {reference}\n"));
        }
    }
    text
}
