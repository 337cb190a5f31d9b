//! The check registry and the context checks run in.
//!
//! A check is a pure function of the inventory and the settings: no I/O and no clock
//! ("now" comes in through the context). It reports through an [`Emitter`], which fills in
//! the catalog metadata and the remediation with the finding's real names.

mod access_keys;
mod account;
mod admin;
mod escalation;
mod logging;
mod mfa;
mod monitoring;
mod password_policy;
mod root;
mod structure;
mod trust;
mod unused;
mod wildcard;

use crate::catalog::{self, CheckMeta};
use crate::finding::{CategoryList, Finding, Remediation, Severity, SharedStr, Status};
use crate::inventory::{AuthorizationDetails, CredentialReport, Inventory};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// A check's logic. The id ties it to `checks/<id>.toml`.
pub struct Check {
    pub id: &'static str,
    pub run: fn(&Context, &mut Emitter),
    /// The data it reads: a scan of some checks collects only what they need.
    pub needs: &'static [Data],
    /// Reads what the scan derives from the inventory and shares between checks (the
    /// permission index, the escalation analysis). Such checks run first, and those
    /// structures are freed before the others run (see [`run_checks`]).
    pub derived: bool,
}

/// The parts of the inventory, as collectors fill them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Data {
    Authorization,
    CredentialReport,
    PasswordPolicy,
    AccountSummary,
    /// The virtual MFA list and, for its holders, ListMFADevices.
    MfaDevices,
    IdentityProviders,
    ServerCertificates,
    AccessAnalyzers,
    Trails,
    /// Metric filters, alarms and subscriptions (needs the trails).
    Monitoring,
}

/// The data `selected` checks read (every check's when none is selected).
pub fn data_needed(selected: &[String]) -> std::collections::BTreeSet<Data> {
    let mut needed: std::collections::BTreeSet<Data> = REGISTRY
        .iter()
        .filter(|check| selected.is_empty() || selected.iter().any(|id| id == check.id))
        .flat_map(|check| check.needs.iter().copied())
        .collect();
    // Monitoring watches the trails' log groups; ListMFADevices is asked only for the
    // users the authorization details list.
    if needed.contains(&Data::Monitoring) {
        needed.insert(Data::Trails);
    }
    if needed.contains(&Data::MfaDevices) {
        needed.insert(Data::Authorization);
    }
    needed
}

use Data::*;
const ROOT: &[Data] = &[CredentialReport, AccountSummary, MfaDevices];
const USERS_MFA: &[Data] = &[CredentialReport, MfaDevices];
const CREDENTIALS: &[Data] = &[CredentialReport];
const PASSWORD: &[Data] = &[PasswordPolicy];
/// Policies and principals; the credential report says which principals can sign in or
/// call the API today.
const POLICIES: &[Data] = &[Authorization, CredentialReport];
const PROVIDERS: &[Data] = &[Authorization, IdentityProviders];
const CERTIFICATES: &[Data] = &[ServerCertificates];
const ANALYZERS: &[Data] = &[AccessAnalyzers];
const TRAILS: &[Data] = &[Trails];
const ALARMS: &[Data] = &[Trails, Monitoring];

/// Every implemented check. A test fails if this and `checks/*.toml` disagree.
pub const REGISTRY: &[Check] = &[
    Check {
        id: "root-mfa-enabled",
        run: root::mfa_enabled,
        needs: ROOT,
        derived: false,
    },
    Check {
        id: "root-hardware-mfa",
        run: root::hardware_mfa,
        needs: ROOT,
        derived: false,
    },
    Check {
        id: "root-access-keys",
        run: root::access_keys,
        needs: ROOT,
        derived: false,
    },
    Check {
        id: "root-recent-use",
        run: root::recent_use,
        needs: ROOT,
        derived: false,
    },
    Check {
        id: "user-console-mfa",
        run: mfa::console_mfa,
        needs: USERS_MFA,
        derived: false,
    },
    Check {
        id: "user-virtual-mfa-only",
        run: mfa::virtual_only,
        needs: USERS_MFA,
        derived: false,
    },
    Check {
        id: "access-key-single-active",
        run: access_keys::single_active,
        needs: CREDENTIALS,
        derived: false,
    },
    Check {
        id: "access-key-rotation",
        run: access_keys::rotation,
        needs: CREDENTIALS,
        derived: false,
    },
    Check {
        id: "access-key-unused-since-creation",
        run: access_keys::unused_since_creation,
        needs: CREDENTIALS,
        derived: false,
    },
    Check {
        id: "unused-password",
        run: unused::password,
        needs: CREDENTIALS,
        derived: false,
    },
    Check {
        id: "unused-access-key",
        run: unused::access_key,
        needs: CREDENTIALS,
        derived: false,
    },
    Check {
        id: "password-policy-present",
        run: password_policy::present,
        needs: PASSWORD,
        derived: false,
    },
    Check {
        id: "password-policy-min-length",
        run: password_policy::min_length,
        needs: PASSWORD,
        derived: false,
    },
    Check {
        id: "password-policy-reuse-prevention",
        run: password_policy::reuse_prevention,
        needs: PASSWORD,
        derived: false,
    },
    Check {
        id: "password-policy-complexity",
        run: password_policy::complexity,
        needs: PASSWORD,
        derived: false,
    },
    Check {
        id: "password-policy-expiry",
        run: password_policy::expiry,
        needs: PASSWORD,
        derived: false,
    },
    Check {
        id: "user-direct-policies",
        run: structure::user_direct_policies,
        needs: POLICIES,
        derived: false,
    },
    Check {
        id: "group-without-users",
        run: structure::group_without_users,
        needs: POLICIES,
        derived: false,
    },
    Check {
        id: "trust-public",
        run: trust::public,
        needs: POLICIES,
        derived: true,
    },
    Check {
        id: "trust-cross-account",
        run: trust::cross_account,
        needs: POLICIES,
        derived: true,
    },
    Check {
        id: "trust-federation",
        run: trust::federation,
        needs: POLICIES,
        derived: true,
    },
    Check {
        id: "trust-service",
        run: trust::service,
        needs: POLICIES,
        derived: true,
    },
    Check {
        id: "identity-providers",
        run: trust::identity_providers,
        needs: PROVIDERS,
        derived: false,
    },
    Check {
        id: "policy-full-admin",
        run: admin::policy_full_admin,
        needs: POLICIES,
        derived: false,
    },
    Check {
        id: "principal-effective-admin",
        run: admin::principal_effective_admin,
        needs: POLICIES,
        derived: true,
    },
    Check {
        id: "policy-service-wildcard",
        run: wildcard::service_wildcards,
        needs: POLICIES,
        derived: false,
    },
    Check {
        id: "policy-not-action-resource",
        run: wildcard::negated_elements,
        needs: POLICIES,
        derived: false,
    },
    Check {
        id: "policy-passrole-all-roles",
        run: wildcard::pass_role_wildcard,
        needs: POLICIES,
        derived: false,
    },
    Check {
        id: "policy-assume-all-roles",
        run: wildcard::assume_role_wildcard,
        needs: POLICIES,
        derived: false,
    },
    Check {
        id: "principal-privilege-escalation",
        run: escalation::principal_escalation,
        needs: POLICIES,
        derived: true,
    },
    Check {
        id: "privilege-escalation-path",
        run: escalation::escalation_path,
        needs: POLICIES,
        derived: true,
    },
    Check {
        id: "user-mfa-enabled",
        run: mfa::every_user_mfa,
        needs: USERS_MFA,
        derived: false,
    },
    Check {
        id: "support-role",
        run: account::support_role,
        needs: POLICIES,
        derived: false,
    },
    Check {
        id: "server-certificate-expired",
        run: account::expired_server_certificates,
        needs: CERTIFICATES,
        derived: false,
    },
    Check {
        id: "access-analyzer-enabled",
        run: account::access_analyzer,
        needs: ANALYZERS,
        derived: false,
    },
    Check {
        id: "cloudshell-full-access",
        run: account::cloudshell_full_access,
        needs: POLICIES,
        derived: false,
    },
    Check {
        id: "cloudtrail-enabled",
        run: logging::cloudtrail_enabled,
        needs: TRAILS,
        derived: false,
    },
    Check {
        id: "cloudtrail-log-file-validation",
        run: logging::log_file_validation,
        needs: TRAILS,
        derived: false,
    },
    Check {
        id: "cloudtrail-kms-encryption",
        run: logging::kms_encryption,
        needs: TRAILS,
        derived: false,
    },
    Check {
        id: "cloudtrail-cloudwatch-logs",
        run: logging::cloudwatch_logs,
        needs: TRAILS,
        derived: false,
    },
    Check {
        id: "cloudtrail-s3-object-write-logging",
        run: logging::s3_object_write_logging,
        needs: TRAILS,
        derived: false,
    },
    Check {
        id: "cloudtrail-s3-object-read-logging",
        run: logging::s3_object_read_logging,
        needs: TRAILS,
        derived: false,
    },
    Check {
        id: "alarm-unauthorized-api-calls",
        run: monitoring::unauthorized_api_calls,
        needs: ALARMS,
        derived: false,
    },
    Check {
        id: "alarm-console-signin-without-mfa",
        run: monitoring::console_without_mfa,
        needs: ALARMS,
        derived: false,
    },
    Check {
        id: "alarm-root-usage",
        run: monitoring::root_usage,
        needs: ALARMS,
        derived: false,
    },
    Check {
        id: "alarm-iam-policy-changes",
        run: monitoring::iam_policy_changes,
        needs: ALARMS,
        derived: false,
    },
    Check {
        id: "alarm-cloudtrail-changes",
        run: monitoring::cloudtrail_changes,
        needs: ALARMS,
        derived: false,
    },
    Check {
        id: "alarm-console-auth-failures",
        run: monitoring::console_auth_failures,
        needs: ALARMS,
        derived: false,
    },
    Check {
        id: "alarm-cmk-disabling",
        run: monitoring::cmk_disabling,
        needs: ALARMS,
        derived: false,
    },
    Check {
        id: "alarm-s3-bucket-policy-changes",
        run: monitoring::s3_policy_changes,
        needs: ALARMS,
        derived: false,
    },
    Check {
        id: "alarm-config-changes",
        run: monitoring::config_changes,
        needs: ALARMS,
        derived: false,
    },
    Check {
        id: "alarm-security-group-changes",
        run: monitoring::security_group_changes,
        needs: ALARMS,
        derived: false,
    },
    Check {
        id: "alarm-nacl-changes",
        run: monitoring::nacl_changes,
        needs: ALARMS,
        derived: false,
    },
    Check {
        id: "alarm-network-gateway-changes",
        run: monitoring::gateway_changes,
        needs: ALARMS,
        derived: false,
    },
    Check {
        id: "alarm-route-table-changes",
        run: monitoring::route_table_changes,
        needs: ALARMS,
        derived: false,
    },
    Check {
        id: "alarm-vpc-changes",
        run: monitoring::vpc_changes,
        needs: ALARMS,
        derived: false,
    },
    Check {
        id: "alarm-organizations-changes",
        run: monitoring::organizations_changes,
        needs: ALARMS,
        derived: false,
    },
];

/// Thresholds and declarations that change what checks decide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Active access keys older than this fail rotation.
    pub key_max_age_days: i64,
    /// Passwords and keys unused for longer than this fail.
    pub unused_days: i64,
    /// Root password or key use within this many days fails.
    pub root_use_days: i64,
    /// Password expiry longer than this (or none) fails.
    pub max_password_age_days: i64,
    /// Account ids of your own organization: trust to them is not "cross-account" risk.
    pub known_accounts: Vec<String>,
    /// Principals and policies (ARNs or names, `*` wildcards) that escalation analysis
    /// leaves out, e.g. break-glass administrators by design.
    pub escalation_exclusions: Vec<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            key_max_age_days: 90,
            unused_days: 45,
            root_use_days: 90,
            max_password_age_days: 90,
            known_accounts: Vec::new(),
            escalation_exclusions: Vec::new(),
        }
    }
}

pub struct Context<'a> {
    pub inventory: &'a Inventory,
    pub settings: &'a Settings,
    pub now: DateTime<Utc>,
    /// Built on first use and shared by every check of the scan.
    permissions: std::sync::OnceLock<std::sync::Arc<crate::policy::PermissionIndex<'a>>>,
    /// Escalation analysis, built on first use (it needs the authorization details).
    escalation: std::sync::OnceLock<Option<std::sync::Arc<crate::policy::escalation::Analysis>>>,
    /// The policies the wildcard checks review, built by the first of them.
    reviewed: std::sync::OnceLock<Vec<wildcard::Reviewed<'a>>>,
}

/// Why a check could not see its data: becomes the message of an `error` finding.
pub struct Missing(pub String);

impl<'a> Context<'a> {
    pub fn new(inventory: &'a Inventory, settings: &'a Settings, now: DateTime<Utc>) -> Self {
        Context {
            inventory,
            settings,
            now,
            permissions: std::sync::OnceLock::new(),
            escalation: std::sync::OnceLock::new(),
            reviewed: std::sync::OnceLock::new(),
        }
    }

    /// Frees the permission index and the escalation analysis (built again if asked for).
    fn release_derived(&mut self) {
        self.permissions = std::sync::OnceLock::new();
        self.escalation = std::sync::OnceLock::new();
    }

    pub fn account_id(&self) -> &str {
        self.inventory.account_id.as_deref().unwrap_or("unknown")
    }

    /// The ARN the account-level findings are about.
    pub fn account_arn(&self) -> String {
        format!("arn:aws:iam::{}:root", self.account_id())
    }

    fn missing(&self, what: &str, operations: &[&str]) -> Missing {
        let reasons: Vec<String> = operations
            .iter()
            .filter_map(|operation| self.inventory.gap_for(operation))
            .map(|gap| {
                format!(
                    "{} failed: {} ({})",
                    gap.operation, gap.error_code, gap.message
                )
            })
            .collect();
        if reasons.is_empty() {
            Missing(format!(
                "{what} is not in the inventory (not collected or not supplied)"
            ))
        } else {
            Missing(format!("{what} is not available: {}", reasons.join("; ")))
        }
    }

    pub fn credential_report(&self) -> Result<&'a CredentialReport, Missing> {
        self.inventory.credential_report.as_ref().ok_or_else(|| {
            self.missing(
                "the credential report",
                &[
                    "GenerateCredentialReport",
                    "GetCredentialReport",
                    "--credential-report",
                ],
            )
        })
    }

    pub fn authorization(&self) -> Result<&'a AuthorizationDetails, Missing> {
        self.inventory.authorization.as_ref().ok_or_else(|| {
            self.missing(
                "authorization details",
                &["GetAccountAuthorizationDetails", "--auth-details"],
            )
        })
    }

    pub fn account_summary(&self) -> Result<&'a BTreeMap<String, i64>, Missing> {
        self.inventory
            .account_summary
            .as_ref()
            .ok_or_else(|| self.missing("the account summary", &["GetAccountSummary"]))
    }

    pub fn password_policy(&self) -> Result<&'a crate::inventory::PasswordPolicyState, Missing> {
        self.inventory
            .password_policy
            .as_ref()
            .ok_or_else(|| self.missing("the password policy", &["GetAccountPasswordPolicy"]))
    }

    pub fn virtual_mfa_devices(&self) -> Result<&'a [crate::inventory::VirtualMfaDevice], Missing> {
        self.inventory
            .virtual_mfa_devices
            .as_deref()
            .ok_or_else(|| self.missing("the virtual MFA device list", &["ListVirtualMFADevices"]))
    }

    pub fn server_certificates(
        &self,
    ) -> Result<&'a [crate::inventory::ServerCertificate], Missing> {
        self.inventory
            .server_certificates
            .as_deref()
            .ok_or_else(|| self.missing("the server certificate list", &["ListServerCertificates"]))
    }

    pub fn monitoring(&self) -> Result<&'a crate::inventory::Monitoring, Missing> {
        self.inventory.monitoring.as_ref().ok_or_else(|| {
            self.missing(
                "the CloudWatch metric filters and alarms",
                &["DescribeTrails", "DescribeMetricFilters"],
            )
        })
    }

    pub fn trails(&self) -> Result<&'a [crate::inventory::Trail], Missing> {
        self.inventory
            .trails
            .as_deref()
            .ok_or_else(|| self.missing("the CloudTrail trail list", &["DescribeTrails"]))
    }

    /// Access Analyzer's analyzers per scanned region (a region whose call failed is `None`).
    pub fn access_analyzers(
        &self,
    ) -> Result<&'a BTreeMap<String, Option<Vec<crate::inventory::AccessAnalyzer>>>, Missing> {
        self.inventory
            .access_analyzers
            .as_ref()
            .ok_or_else(|| self.missing("IAM Access Analyzer's analyzers", &["ListAnalyzers"]))
    }

    /// Who is, or can become, an administrator: `None` without authorization details.
    pub fn escalation(&self) -> Option<std::sync::Arc<crate::policy::escalation::Analysis>> {
        self.escalation
            .get_or_init(|| {
                let details = self.inventory.authorization.as_ref()?;
                // The checks' permission index serves the analysis too, when it can.
                let shared = self.permissions().ok();
                Some(std::sync::Arc::new(
                    crate::policy::escalation::analyse_with(
                        details,
                        self.inventory.account_id.as_deref(),
                        self.inventory.credential_report.as_ref(),
                        &self.settings.escalation_exclusions,
                        self.now,
                        shared.as_deref(),
                    ),
                ))
            })
            .clone()
    }

    /// Whole days from `then` to the scan time (0 for dates in the future).
    pub fn days_since(&self, then: DateTime<Utc>) -> i64 {
        (self.now - then).num_days().max(0)
    }

    /// The effective identity permissions of every user, group and role, with conditions
    /// judged at the scan time.
    pub fn permissions(
        &self,
    ) -> Result<std::sync::Arc<crate::policy::PermissionIndex<'a>>, Missing> {
        let details = self.authorization()?;
        Ok(self
            .permissions
            .get_or_init(|| {
                std::sync::Arc::new(crate::policy::PermissionIndex::new(
                    details,
                    self.inventory.account_id.as_deref(),
                    self.now,
                ))
            })
            .clone())
    }
}

/// What a finding is about.
pub struct Resource {
    pub arn: String,
    pub kind: &'static str,
}

impl Resource {
    pub fn new(arn: impl Into<String>, kind: &'static str) -> Self {
        Resource {
            arn: arn.into(),
            kind,
        }
    }
}

/// Collects one check's findings, filling in its catalog metadata. The metadata is the
/// catalog's own (`'static`), so every finding borrows its id, title and categories
/// rather than copying them.
pub struct Emitter {
    meta: &'static CheckMeta,
    account_id: String,
    findings: Vec<Finding>,
    /// The last resource kind and its shared text: a check mostly judges one kind, and
    /// interning takes a lock.
    kind: Option<(&'static str, SharedStr)>,
}

impl Emitter {
    pub fn new(meta: &'static CheckMeta, account_id: &str) -> Self {
        Emitter {
            meta,
            account_id: account_id.to_string(),
            findings: Vec::new(),
            kind: None,
        }
    }

    fn kind(&mut self, kind: &'static str) -> SharedStr {
        match &self.kind {
            Some((last, shared)) if *last == kind => shared.clone(),
            _ => {
                let shared = SharedStr::new(kind);
                self.kind = Some((kind, shared.clone()));
                shared
            }
        }
    }

    fn push(
        &mut self,
        status: Status,
        resource: Resource,
        message: String,
        remediation: Option<Box<Remediation>>,
    ) {
        let resource_type = self.kind(resource.kind);
        self.findings.push(Finding {
            check_id: SharedStr::of(&self.meta.id),
            title: SharedStr::of(&self.meta.title),
            severity: self.meta.severity,
            categories: CategoryList::of(&self.meta.categories),
            status,
            resource_arn: resource.arn.into(),
            resource_type,
            message: message.into(),
            remediation,
            muted_reason: None,
            change: None,
        });
    }

    /// The check's catalog severity.
    pub fn severity(&self) -> Severity {
        self.meta.severity
    }

    pub fn pass(&mut self, resource: Resource, message: impl Into<String>) {
        self.push(Status::Pass, resource, message.into(), None);
    }

    /// A failure; `values` fills the remediation placeholders (the account id is added).
    pub fn fail(
        &mut self,
        resource: Resource,
        message: impl Into<String>,
        values: &[(&'static str, String)],
    ) {
        self.fail_at(self.meta.severity, resource, message, values);
    }

    /// A failure whose severity depends on the resource (a trust that lets anyone into a
    /// role that can reach admin is worse than the check's base severity). Scoring weighs
    /// the check by its catalog severity; the finding's own severity drives grade caps
    /// and `--fail-on`.
    pub fn fail_at(
        &mut self,
        severity: Severity,
        resource: Resource,
        message: impl Into<String>,
        values: &[(&'static str, String)],
    ) {
        // The texts are filled when a report is rendered; the finding keeps only its values.
        let mut named = Vec::with_capacity(values.len() + 1);
        named.extend_from_slice(values);
        if !values.iter().any(|(name, _)| *name == "account_id") {
            named.push(("account_id", self.account_id.clone()));
        }
        let remediation =
            Remediation::from_template(&self.meta.remediation, named.into_boxed_slice());
        self.push(
            Status::Fail,
            resource,
            message.into(),
            Some(Box::new(remediation)),
        );
        if let Some(finding) = self.findings.last_mut() {
            finding.severity = severity;
        }
    }

    pub fn error(&mut self, resource: Resource, message: impl Into<String>) {
        self.push(Status::Error, resource, message.into(), None);
    }

    pub fn skipped(&mut self, resource: Resource, message: impl Into<String>) {
        self.push(Status::Skipped, resource, message.into(), None);
    }

    pub fn into_findings(self) -> Vec<Finding> {
        self.findings
    }
}

/// Judges a credential by the age of a date: within `limit` days of the scan it passes,
/// past that it fails. `subject` says what the date is ("password of user x last used").
pub(crate) fn judge_age(
    context: &Context,
    emit: &mut Emitter,
    resource: Resource,
    subject: &str,
    since: DateTime<Utc>,
    limit: i64,
    mut values: Vec<(&'static str, String)>,
) {
    let age = context.days_since(since);
    let message = format!(
        "{subject} {} ({age} days ago, limit {limit})",
        since.format("%Y-%m-%d")
    );
    if age <= limit {
        emit.pass(resource, message);
    } else {
        values.push(("days", limit.to_string()));
        emit.fail(resource, message, &values);
    }
}

/// Runs `check` and guarantees it said something: a check that emits nothing for a
/// missing reason would otherwise read as "nothing wrong".
fn run_one(check: &Check, meta: &'static CheckMeta, context: &Context) -> Vec<Finding> {
    let mut emitter = Emitter::new(meta, context.account_id());
    (check.run)(context, &mut emitter);
    let mut findings = emitter.into_findings();
    if findings.is_empty() {
        let mut emitter = Emitter::new(meta, context.account_id());
        emitter.error(
            Resource::new(context.account_arn(), "AwsAccount"),
            "the check produced no result; treat as not evaluated",
        );
        findings = emitter.into_findings();
    }
    findings
}

/// Runs one check, by id (no finding for an unknown id). The shared structures it builds
/// stay in `context` for the next.
pub fn run_check(context: &Context, id: &str) -> Vec<Finding> {
    let meta = catalog::catalog().iter().find(|meta| meta.id == id);
    let check = REGISTRY.iter().find(|check| check.id == id);
    match (meta, check) {
        (Some(meta), Some(check)) => run_one(check, meta, context),
        _ => Vec::new(),
    }
}

/// Runs the selected checks (all when `selected` is empty); the findings come in catalog
/// order. The checks that read the permission index or the escalation analysis run first,
/// and those are freed before the others run: in a large account they are a quarter of
/// what the scan holds, and the other checks' findings take their place instead of adding
/// to it. (A check that reads them unflagged is only slower: they are built again.)
pub fn run_checks(context: &mut Context, selected: &[String]) -> Vec<Finding> {
    let chosen: Vec<(&'static CheckMeta, &'static Check)> = catalog::catalog()
        .iter()
        .filter(|meta| selected.is_empty() || selected.iter().any(|id| id == &meta.id))
        .filter_map(|meta| {
            let check = REGISTRY.iter().find(|check| check.id == meta.id)?;
            Some((meta, check))
        })
        .collect();
    let mut derived: Vec<Option<Vec<Finding>>> = chosen
        .iter()
        .map(|(meta, check)| check.derived.then(|| run_one(check, meta, context)))
        .collect();
    context.release_derived();
    let mut findings = Vec::new();
    for ((meta, check), derived) in chosen.iter().zip(&mut derived) {
        match derived.take() {
            Some(found) => findings.extend(found),
            None => findings.extend(run_one(check, meta, context)),
        }
    }
    findings
}

/// Reports a missing data source as one `error` finding on the account.
pub fn report_missing(context: &Context, emit: &mut Emitter, missing: Missing) {
    emit.error(
        Resource::new(context.account_arn(), "AwsAccount"),
        missing.0,
    );
}

/// `let Some(x) = require!(context, emit, context.credential_report()) else { return };`
/// in short: the data, or an `error` finding and an early return.
macro_rules! require {
    ($context:expr, $emit:expr, $data:expr) => {
        match $data {
            Ok(data) => data,
            Err(missing) => {
                $crate::checks::report_missing($context, $emit, missing);
                return;
            }
        }
    };
}
pub(crate) use require;

#[cfg(test)]
pub(crate) mod fixtures;

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn every_catalog_entry_has_logic_and_every_logic_has_a_catalog_entry() {
        let catalog: BTreeSet<&str> = catalog::catalog()
            .iter()
            .map(|meta| meta.id.as_str())
            .collect();
        let registry: BTreeSet<&str> = REGISTRY.iter().map(|check| check.id).collect();
        assert_eq!(REGISTRY.len(), registry.len(), "an id is registered twice");
        let without_logic: Vec<_> = catalog.difference(&registry).collect();
        let without_toml: Vec<_> = registry.difference(&catalog).collect();
        assert!(
            without_logic.is_empty(),
            "checks/*.toml without logic: {without_logic:?}"
        );
        assert!(
            without_toml.is_empty(),
            "logic without checks/*.toml: {without_toml:?}"
        );
    }

    /// The `derived` flags are what run_checks orders and frees by: a check reading the
    /// index or the analysis unflagged would build them again after they are freed.
    #[test]
    fn exactly_the_checks_flagged_derived_build_the_index_or_the_analysis() {
        let inventory = Inventory::demo();
        let settings = Settings::default();
        for check in REGISTRY {
            let context = Context::new(&inventory, &settings, inventory.collected_at);
            run_check(&context, check.id);
            let built = context.permissions.get().is_some() || context.escalation.get().is_some();
            assert_eq!(built, check.derived, "{}", check.id);
        }
    }

    /// run_checks runs the checks that read the permission index or the analysis first
    /// and frees those before the rest: the findings must still be what each check gives
    /// on its own, in catalog order.
    #[test]
    fn run_checks_gives_each_checks_findings_in_catalog_order() {
        let inventory = Inventory::demo();
        let settings = Settings::default();
        let now = inventory.collected_at;
        let together = run_checks(&mut Context::new(&inventory, &settings, now), &[]);
        let context = Context::new(&inventory, &settings, now);
        let alone: Vec<Finding> = catalog::catalog()
            .iter()
            .flat_map(|meta| run_check(&context, &meta.id))
            .collect();
        assert_eq!(together, alone);
        // Derived checks sit among the others in the catalog, with others before and
        // after them: running them first would show in the order were it not put back.
        let derived = |finding: &Finding| {
            REGISTRY
                .iter()
                .any(|check| check.derived && finding.check_id == check.id)
        };
        let first = together
            .iter()
            .position(derived)
            .expect("a derived check ran");
        assert!(first > 0 && !derived(&together[0]));
        assert!(together[first..].iter().any(|finding| !derived(finding)));
    }
}
