//! `iamscan scan --organization` (every active account of an organization, or a shard of
//! them, in one report) and `iamscan merge` (shards' reports into one).

use super::{
    Gates, Live, Outcome, assess, aws_options, collect_live, crosses_gates, distinct_formats,
    load_config, selected_checks, table_width, terminal, write_output, write_report,
};
use crate::aws;
use crate::cli::{Format, MergeArgs, OrganizationArgs, OutputArgs, ReportFormat, ScanArgs};
use crate::collect::organization::{
    self as organization_api, Caller, Member, Organization, ServiceControlPolicies,
};
use crate::collect::{CallCounter, CollectStats};
use crate::config::Config;
use crate::inventory::{Gap, OrgContext};
use crate::report::org::{
    AccountResult, OrgReport, load_merge_input, merge, render_org_json, render_org_table,
};
use anyhow::{Context as _, anyhow, bail};
use aws_config::SdkConfig;
use chrono::Utc;
use futures::StreamExt;
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

/// The RoleSessionName of every AssumeRole: what the member's CloudTrail shows.
const SESSION_NAME: &str = "iamscan";

pub(super) async fn scan_organization(args: ScanArgs, progress: bool) -> anyhow::Result<Outcome> {
    // Every usage error before any call.
    let formats = organization_formats(&args.output)?;
    let selected = selected_checks(&args.checks)?;
    let config = load_config(&args.checks)?;
    let role_name = args
        .organization
        .role_name
        .as_deref()
        .context("--organization needs --role-name")?;

    let base = aws::sdk_config(&aws_options(&args.aws)).await;
    aws::check_credentials(&base)
        .await
        .map_err(|message| anyhow!(message))?;
    // The calls made for the organization itself; each account counts its own.
    let counter = CallCounter::default();
    let factory = aws::ClientFactory::new(&base, &counter);
    let sts = factory.sts(None);
    let organizations = factory.organizations(None);
    let caller = organization_api::caller_identity(&sts)
        .await
        .map_err(|gap| anyhow!("{}: {}: {}", gap.operation, gap.error_code, gap.message))?;
    let organization = organization_api::describe_organization(&organizations)
        .await
        .map_err(|gap| needs_administrator(&caller, &gap))?;
    let members = organization_api::list_accounts(&organizations)
        .await
        .map_err(|gap| needs_administrator(&caller, &gap))?;
    let targets = targets(&members, &args.organization, &organization)?;
    // A failure here leaves every member without its SCPs (and with the gap that says so).
    let scps = ServiceControlPolicies::load(&organizations).await;

    let scan = MemberScan {
        args: &args,
        selected: &selected,
        config: config.as_ref(),
        base: &base,
        sts: &sts,
        caller: &caller,
        organization: &organization,
        scps: &scps,
        role_name,
    };
    let bar = accounts_bar(progress, targets.len());
    let accounts: Vec<AccountResult> = futures::stream::iter(targets)
        .map(|target| scan.account(target))
        .buffer_unordered(args.organization.account_concurrency as usize)
        .inspect(|result| {
            bar.inc(1);
            if let Some(error) = &result.error {
                bar.suspend(|| tracing::warn!("account {}: {error}", result.account_id));
            }
        })
        .collect()
        .await;
    bar.finish_and_clear();

    let mut report = OrgReport::build(
        Some(organization.id.clone()),
        Some(organization.management_account_id.clone()),
        accounts,
        Utc::now(),
        Vec::new(),
        counter.snapshot(CollectStats::default()),
    );
    if args.output.redact {
        report = crate::report::redact_org_report(&report)?;
    }
    write_organization(&report, &args.output, &formats, args.aws.region.as_deref())?;
    Ok(organization_outcome(
        &report,
        &Gates {
            fail_on: args.output.fail_on,
            fail_under: args.output.fail_under,
            fail_on_new: false,
        },
    ))
}

/// Organizations answers only its management account and delegated administrators.
fn needs_administrator(caller: &Caller, gap: &Gap) -> anyhow::Error {
    anyhow!(
        "{} failed for {}: {}: {}. An organization scan runs as the organization's management account or a delegated administrator (docs/organizations.md)",
        gap.operation,
        caller.arn,
        gap.error_code,
        gap.message
    )
}

/// An account to scan, or why it cannot be.
struct Target {
    id: String,
    name: Option<String>,
    not_scannable: Option<String>,
}

/// The accounts to scan: `--accounts` (each, whether or not it is an active member), else
/// every active member; less `--exclude-accounts`.
fn targets(
    members: &[Member],
    args: &OrganizationArgs,
    organization: &Organization,
) -> anyhow::Result<Vec<Target>> {
    let excluded: BTreeSet<&str> = args.exclude_accounts.iter().map(String::as_str).collect();
    let member = |id: &str| members.iter().find(|member| member.id == id);
    let mut targets: Vec<Target> = if args.accounts.is_empty() {
        members
            .iter()
            .filter(|member| member.is_active())
            .map(|member| Target {
                id: member.id.clone(),
                name: member.name.clone(),
                not_scannable: None,
            })
            .collect()
    } else {
        let mut seen = BTreeSet::new();
        args.accounts
            .iter()
            .filter(|id| seen.insert(id.as_str()))
            .map(|id| {
                let found = member(id);
                let not_scannable = match found {
                    Some(member) if member.is_active() => None,
                    Some(member) => Some(format!(
                        "not an active account of organization {} (its state is {})",
                        organization.id, member.state
                    )),
                    None => Some(format!(
                        "not an active account of organization {} (not a member)",
                        organization.id
                    )),
                };
                Target {
                    id: id.clone(),
                    name: found.and_then(|member| member.name.clone()),
                    not_scannable,
                }
            })
            .collect()
    };
    targets.retain(|target| !excluded.contains(target.id.as_str()));
    if targets.is_empty() {
        bail!(
            "no account to scan in organization {}: {} active of {} listed, --accounts {}, --exclude-accounts {}",
            organization.id,
            members.iter().filter(|member| member.is_active()).count(),
            members.len(),
            args.accounts.len(),
            args.exclude_accounts.len()
        );
    }
    Ok(targets)
}

/// What every account's scan shares.
struct MemberScan<'s> {
    args: &'s ScanArgs,
    selected: &'s [String],
    config: Option<&'s (Config, String)>,
    /// The caller's configuration: the caller's own account is scanned with it, and each
    /// member's is derived from it with the assumed role's credentials.
    base: &'s SdkConfig,
    sts: &'s aws_sdk_sts::Client,
    caller: &'s Caller,
    organization: &'s Organization,
    scps: &'s Result<Arc<ServiceControlPolicies>, Gap>,
    role_name: &'s str,
}

impl MemberScan<'_> {
    /// One account's scan. Never fails the organization's: what went wrong is the
    /// account's result.
    async fn account(&self, target: Target) -> AccountResult {
        let attempted_at = Utc::now();
        let failed = |error: String| {
            AccountResult::failed(target.id.clone(), target.name.clone(), attempted_at, error)
        };
        if let Some(reason) = &target.not_scannable {
            return failed(reason.clone());
        }
        let config = if target.id == self.caller.account_id {
            self.base.clone()
        } else {
            let role_arn = format!(
                "arn:{}:iam::{}:role/{}",
                self.caller.partition, target.id, self.role_name
            );
            match organization_api::assume_role(
                self.sts,
                &role_arn,
                self.args.organization.external_id.as_deref(),
                SESSION_NAME,
            )
            .await
            {
                Ok(credentials) => aws::with_credentials(self.base, credentials),
                Err(error) => return failed(error),
            }
        };
        let started = Instant::now();
        let live = Live::new(&config, &self.args.aws);
        let (collection, (organization, scp_gaps)) = tokio::join!(
            collect_live(&live, &self.args.aws, false, self.selected),
            self.organization_context(&target.id),
        );
        let mut inventory = collection.inventory;
        let collected_from = inventory.account_id.clone();
        inventory.account_id = Some(target.id.clone());
        inventory.gaps.extend(scp_gaps);
        let scps_applied = organization
            .as_ref()
            .is_some_and(|organization| organization.applies_to(Some(&target.id)));
        if let Some(details) = inventory.authorization.as_mut() {
            details.organization = organization;
        }
        match assess(
            self.args,
            self.selected,
            self.config,
            inventory,
            collection.stats,
            Some(&live),
            started,
        )
        .await
        {
            Ok(mut report) => {
                if let Some(other) = collected_from.filter(|other| *other != target.id) {
                    report.warnings.push(format!(
                        "the credentials used for account {} answered with the data of account {other}",
                        target.id
                    ));
                }
                AccountResult::scanned(target.id, target.name, attempted_at, scps_applied, report)
            }
            Err(error) => failed(format!("{error:#}")),
        }
    }

    /// The account's place in the organization, with the SCPs over it (none over the
    /// management account), and what could not be read of them. `None` when the chain of
    /// SCPs could not be read: the account is judged on identity policies alone, and the
    /// gap says why.
    async fn organization_context(&self, account_id: &str) -> (Option<OrgContext>, Vec<Gap>) {
        let management = &self.organization.management_account_id;
        let levels = if account_id == management {
            Ok((Vec::new(), Vec::new()))
        } else {
            match self.scps {
                Ok(scps) => scps.for_account(account_id).await,
                Err(gap) => Err(gap.clone()),
            }
        };
        match levels {
            Ok((scp_levels, gaps)) => (
                Some(OrgContext {
                    organization_id: self.organization.id.clone(),
                    management_account_id: management.clone(),
                    scp_levels,
                }),
                gaps,
            ),
            Err(gap) => (None, vec![gap]),
        }
    }
}

fn accounts_bar(progress: bool, accounts: usize) -> indicatif::ProgressBar {
    if !progress {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(accounts as u64),
        indicatif::ProgressDrawTarget::stderr(),
    );
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("accounts {bar:30} {pos}/{len} ({elapsed})")
    {
        bar.set_style(style);
    }
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    bar
}

/// The organization report is a table or JSON; the other formats are written per account,
/// which needs `--output-dir`.
fn organization_formats(args: &OutputArgs) -> anyhow::Result<Vec<ReportFormat>> {
    let formats = distinct_formats(args);
    if args.output_dir.is_none() {
        if formats.len() > 1 {
            bail!(
                "--format: {} formats need --output-dir DIR (the organization's table and JSON go to DIR/iamscan.txt and DIR/iamscan.json, each account's reports to DIR/accounts/ACCOUNT/)",
                formats.len()
            );
        }
        if let Some(format) = formats
            .iter()
            .find(|format| !matches!(format, ReportFormat::Table | ReportFormat::Json))
        {
            bail!(
                "--format {}: an organization report is table or json; other formats are written per account with --output-dir DIR",
                clap::ValueEnum::to_possible_value(format)
                    .map(|value| value.get_name().to_string())
                    .unwrap_or_default()
            );
        }
    }
    Ok(formats)
}

/// To `--output` (or standard output); with `--output-dir DIR`, the organization report as
/// DIR/iamscan.txt and DIR/iamscan.json (as `--format` asks), and every scanned account's
/// report in each format under DIR/accounts/ACCOUNT/.
fn write_organization(
    report: &OrgReport,
    args: &OutputArgs,
    formats: &[ReportFormat],
    region: Option<&str>,
) -> anyhow::Result<()> {
    let Some(dir) = &args.output_dir else {
        let (color, width) = terminal(args.output.as_deref());
        return write_output(args.output.as_deref(), |out| match formats.first() {
            Some(ReportFormat::Json) => render_org_json(report, out),
            _ => render_org_table(report, out, color, width),
        });
    };
    std::fs::create_dir_all(dir)
        .with_context(|| format!("{}: cannot create the folder", dir.display()))?;
    for format in formats {
        match format {
            ReportFormat::Json => write_output(Some(&dir.join(format.file_name())), |out| {
                render_org_json(report, out)
            })?,
            ReportFormat::Table => write_output(Some(&dir.join(format.file_name())), |out| {
                render_org_table(report, out, false, table_width(false))
            })?,
            _ => {}
        }
    }
    for account in &report.accounts {
        if let Some(account_report) = &account.report {
            let account_dir = dir.join("accounts").join(&account.account_id);
            write_report(account_report, None, Some(&account_dir), formats, region)?;
        }
    }
    Ok(())
}

/// Gate failures (1) in any account over incomplete (3): some account failed, or some
/// account's scan is incomplete.
fn organization_outcome(report: &OrgReport, gates: &Gates) -> Outcome {
    if report
        .reports()
        .any(|account| crosses_gates(account, gates))
    {
        Outcome::GateFailed
    } else if report.is_incomplete() {
        Outcome::Incomplete
    } else {
        Outcome::Clean
    }
}

/// `iamscan merge REPORT...`: one organization report of them all.
pub(super) fn merge_command(args: &MergeArgs) -> anyhow::Result<Outcome> {
    let inputs = args
        .reports
        .iter()
        .map(|path| Ok((path.display().to_string(), load_merge_input(path)?)))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let report = merge(inputs, Utc::now()).map_err(|message| anyhow!(message))?;
    for warning in &report.warnings {
        tracing::warn!("{warning}");
    }
    let output = args
        .output
        .as_deref()
        .filter(|path| *path != Path::new("-"));
    let (color, width) = terminal(output);
    write_output(output, |out| match args.format {
        Format::Json => render_org_json(&report, out),
        Format::Table => render_org_table(&report, out, color, width),
    })?;
    Ok(organization_outcome(
        &report,
        &Gates {
            fail_on: args.fail_on,
            fail_under: args.fail_under,
            fail_on_new: false,
        },
    ))
}
