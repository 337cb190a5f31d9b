//! Collection: everything the checks read, fetched from the IAM API (and IAM Access
//! Analyzer, per region) into an `Inventory`.
//!
//! Collectors run at once and never abort one another. Each records what it could not see
//! as a gap and leaves its part of the inventory `None`: "could not see" must never read as
//! "saw nothing". Collection talks to AWS and nothing else; it decides no pass or fail.

mod access_keys;
mod account;
mod analyzers;
mod api;
mod authorization;
mod certificates;
mod cloudtrail;
mod counter;
mod credential_report;
mod events;
mod mfa;
mod monitoring;
pub mod organization;
mod progress;
mod providers;

pub use access_keys::list_access_keys;
pub use counter::CallCounter;
pub use events::lookup_events;

use crate::checks::Data;
use crate::inventory::{Gap, Inventory, Source};
use chrono::{DateTime, Utc};
use progress::{Phase, Progress};
use std::future::Future;
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct CollectOptions {
    /// Calls in flight at once when fanning out per user or per provider.
    pub concurrency: usize,
    /// The most time to spend waiting for IAM to generate the credential report.
    pub report_wait: Duration,
    /// The first pause between credential report polls; it doubles, up to 8 seconds.
    pub report_poll_initial: Duration,
    /// Spinners on stderr, one per collector.
    pub progress: bool,
    /// The data to collect; a scan of some checks wants only what they read.
    pub wanted: std::collections::BTreeSet<crate::checks::Data>,
}

impl Default for CollectOptions {
    fn default() -> Self {
        CollectOptions {
            concurrency: 8,
            report_wait: Duration::from_secs(120),
            report_poll_initial: Duration::from_secs(1),
            progress: false,
            wanted: crate::checks::data_needed(&[]),
        }
    }
}

/// The clients collection calls: IAM, Access Analyzer once per region to check, CloudTrail
/// in the scan's region (DescribeTrails there lists every trail that can cover it), and
/// the factory for the per-region monitoring clients, whose regions only the trails tell.
#[derive(Debug, Clone)]
pub struct Clients {
    pub iam: aws_sdk_iam::Client,
    pub access_analyzer: Vec<(String, aws_sdk_accessanalyzer::Client)>,
    pub cloudtrail: aws_sdk_cloudtrail::Client,
    pub factory: crate::aws::ClientFactory,
}

impl Clients {
    pub fn new(factory: crate::aws::ClientFactory, analyzer_regions: &[String]) -> Self {
        Clients {
            iam: factory.iam(None),
            access_analyzer: analyzer_regions
                .iter()
                .map(|region| (region.clone(), factory.access_analyzer(Some(region))))
                .collect(),
            cloudtrail: factory.cloudtrail(None),
            factory,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Collection {
    pub inventory: Inventory,
    pub stats: CollectStats,
}

pub use crate::report::CollectStats;

/// What one collector saw, and what it could not.
pub(crate) struct Collected<T> {
    pub(crate) value: T,
    pub(crate) gaps: Vec<Gap>,
}

impl<T> Collected<Option<T>> {
    pub(crate) fn seen(value: T) -> Self {
        Collected {
            value: Some(value),
            gaps: Vec::new(),
        }
    }

    pub(crate) fn unseen(gap: Gap) -> Self {
        Collected {
            value: None,
            gaps: vec![gap],
        }
    }
}

/// Runs a collector when its data is wanted. Otherwise nothing is called and the data
/// stays uncollected, without a gap: no check that runs reads it.
async fn when<T: Default, F: Future<Output = Collected<T>>>(
    wanted: bool,
    phase: Phase,
    collector: impl FnOnce(Phase) -> F,
) -> Collected<T> {
    if wanted {
        collector(phase).await
    } else {
        phase.done("not needed by the selected checks");
        Collected {
            value: T::default(),
            gaps: Vec::new(),
        }
    }
}

/// A collector's result, with how long it took.
struct Timed<T> {
    collected: Collected<T>,
    ms: u64,
}

async fn timed<T>(collector: impl Future<Output = Collected<T>>) -> Timed<T> {
    let started = Instant::now();
    let collected = collector.await;
    Timed {
        collected,
        ms: elapsed_ms(started),
    }
}

fn elapsed_ms(started: Instant) -> u64 {
    u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// Builds the inventory as it collects it: values into their fields, gaps in one list, times
/// per phase.
struct Assembly {
    inventory: Inventory,
    stats: CollectStats,
}

impl Assembly {
    fn take<T>(&mut self, phase: &str, timed: Timed<T>) -> T {
        tracing::debug!(
            phase,
            ms = timed.ms,
            gaps = timed.collected.gaps.len(),
            "collected"
        );
        self.stats.phase_ms.insert(phase.to_string(), timed.ms);
        self.inventory.gaps.extend(timed.collected.gaps);
        timed.collected.value
    }
}

/// Collects the whole inventory. Never fails: what could not be collected is in
/// `inventory.gaps`.
pub async fn collect(
    clients: &Clients,
    counter: &CallCounter,
    options: &CollectOptions,
    collected_at: DateTime<Utc>,
) -> Collection {
    let started = Instant::now();
    let client = &clients.iam;
    let concurrency = options.concurrency.max(1);
    // Bars appear in this order, whatever order the collectors finish in.
    let progress = Progress::new(options.progress);
    let authorization_phase = progress.phase("authorization details");
    let report_phase = progress.phase("credential report");
    let virtual_phase = progress.phase("virtual MFA devices");
    let devices_phase = progress.phase("MFA devices");
    devices_phase.update("waiting for the users and the virtual device list");
    let password_phase = progress.phase("password policy");
    let summary_phase = progress.phase("account summary");
    let oidc_phase = progress.phase("OIDC providers");
    let saml_phase = progress.phase("SAML providers");
    let certificates_phase = progress.phase("server certificates");
    let analyzers_phase = progress.phase("Access Analyzer");
    let trails_phase = progress.phase("CloudTrail");
    let monitoring_phase = progress.phase("CloudWatch alarms");
    monitoring_phase.update("waiting for the trails");

    let wants = |data: Data| options.wanted.contains(&data);
    // ListMFADevices needs the users and the virtual list; everything else is independent.
    let identities = async {
        let (authorization, report, virtual_devices) = tokio::join!(
            timed(when(
                wants(Data::Authorization),
                authorization_phase,
                |phase| { authorization::collect(client, phase) }
            )),
            // Always: it is cheap, and it names the account.
            timed(credential_report::collect(client, options, report_phase)),
            timed(when(wants(Data::MfaDevices), virtual_phase, |phase| {
                mfa::list_virtual(client, phase)
            })),
        );
        let devices = timed(when(wants(Data::MfaDevices), devices_phase, |phase| {
            mfa::list_devices(
                client,
                authorization.collected.value.as_ref(),
                report.collected.value.as_ref(),
                virtual_devices.collected.value.as_deref(),
                concurrency,
                phase,
            )
        }))
        .await;
        (authorization, report, virtual_devices, devices)
    };
    let (
        (authorization, report, virtual_devices, devices),
        password_policy,
        summary,
        oidc,
        saml,
        certificates,
        analyzers,
        (trails, monitoring),
    ) = tokio::join!(
        identities,
        timed(when(wants(Data::PasswordPolicy), password_phase, |phase| {
            account::password_policy(client, phase)
        })),
        timed(when(wants(Data::AccountSummary), summary_phase, |phase| {
            account::summary(client, phase)
        })),
        timed(when(wants(Data::IdentityProviders), oidc_phase, |phase| {
            providers::oidc(client, concurrency, phase)
        })),
        timed(when(wants(Data::IdentityProviders), saml_phase, |phase| {
            providers::saml(client, phase)
        })),
        timed(when(
            wants(Data::ServerCertificates),
            certificates_phase,
            |phase| { certificates::collect(client, phase) }
        )),
        timed(when(
            wants(Data::AccessAnalyzers),
            analyzers_phase,
            |phase| { analyzers::collect(&clients.access_analyzer, concurrency, phase) }
        )),
        async {
            let trails = timed(when(wants(Data::Trails), trails_phase, |phase| {
                cloudtrail::collect(&clients.cloudtrail, concurrency, phase)
            }))
            .await;
            let monitoring = timed(when(wants(Data::Monitoring), monitoring_phase, |phase| {
                monitoring::collect(
                    &clients.factory,
                    trails.collected.value.as_deref(),
                    concurrency,
                    phase,
                )
            }))
            .await;
            (trails, monitoring)
        },
    );

    let mut assembly = Assembly {
        inventory: Inventory::empty(Source::Api, collected_at),
        stats: CollectStats::default(),
    };
    assembly.inventory.authorization = assembly.take("authorization_details", authorization);
    assembly.inventory.credential_report = assembly.take("credential_report", report);
    assembly.inventory.virtual_mfa_devices = assembly.take("virtual_mfa_devices", virtual_devices);
    assembly.inventory.mfa_devices = assembly.take("mfa_devices", devices);
    assembly.inventory.password_policy = assembly.take("password_policy", password_policy);
    assembly.inventory.account_summary = assembly.take("account_summary", summary);
    assembly.inventory.oidc_providers = assembly.take("oidc_providers", oidc);
    assembly.inventory.saml_providers = assembly.take("saml_providers", saml);
    assembly.inventory.server_certificates = assembly.take("server_certificates", certificates);
    assembly.inventory.access_analyzers = assembly.take("access_analyzers", analyzers);
    assembly.inventory.trails = assembly.take("trails", trails);
    assembly.inventory.monitoring = assembly.take("monitoring", monitoring);
    assembly.inventory.derive_account_id();
    assembly
        .stats
        .phase_ms
        .insert("collect".to_string(), elapsed_ms(started));
    Collection {
        inventory: assembly.inventory,
        stats: counter.snapshot(assembly.stats),
    }
}
