//! Offline inputs an auditor receives: the outputs of AWS CLI commands, one file each,
//! loaded into an [`Inventory`] whose source is `exports`.
//!
//! Every file is optional: data not supplied stays `None`, and the checks that need it
//! report `error`. A file that holds the CLI's error message instead of the command's
//! output (`An error occurred (AccessDenied) when calling the ... operation: ...`) is a
//! record that the operation failed: it becomes a gap, as a failed call does in a live
//! collection. Any other file that is not the command's output is an error naming it.

use super::{
    AccessAnalyzer, AdvancedSelector, AuthorizationDetails, BasicSelector, CredentialReport,
    EventSelectors, Gap, Inventory, LoadError, MfaDevice, OidcProvider, OidcProviderDetails,
    PasswordPolicy, PasswordPolicyState, SamlProvider, ServerCertificate, Source, Trail,
    TrailStatus, VirtualMfaDevice, json_error, read_file,
};
use super::{MetricAlarm, MetricFilter, Monitoring, log_group_location};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const AUTH_DETAILS: &str = "authorization-details.json";
const CREDENTIAL_REPORT_CSV: &str = "credential-report.csv";
const CREDENTIAL_REPORT_JSON: &str = "credential-report.json";
const PASSWORD_POLICY: &str = "password-policy.json";
const ACCOUNT_SUMMARY: &str = "account-summary.json";
const VIRTUAL_MFA_DEVICES: &str = "virtual-mfa-devices.json";
const MFA_DEVICES_PREFIX: &str = "mfa-devices-";
const OIDC_PROVIDERS: &str = "oidc-providers.json";
const OIDC_PROVIDER_PREFIX: &str = "oidc-provider-";
const SAML_PROVIDERS: &str = "saml-providers.json";
const SERVER_CERTIFICATES: &str = "server-certificates.json";
const ACCESS_ANALYZERS_PREFIX: &str = "access-analyzers-";
const TRAILS: &str = "trails.json";
const TRAIL_STATUS_PREFIX: &str = "trail-status-";
const EVENT_SELECTORS_PREFIX: &str = "event-selectors-";
const METRIC_FILTERS_PREFIX: &str = "metric-filters-";
const ALARMS_PREFIX: &str = "alarms-";
const SUBSCRIPTIONS_PREFIX: &str = "subscriptions-";

/// (file name in an `--exports` directory, the AWS CLI command that produces it), in the
/// order the docs list them.
pub const EXPORT_FILES: &[(&str, &str)] = &[
    (
        AUTH_DETAILS,
        "aws iam get-account-authorization-details --output json",
    ),
    (
        CREDENTIAL_REPORT_CSV,
        "aws iam get-credential-report --query Content --output text | base64 -d",
    ),
    // The alternative to the CSV: it also says when AWS generated the report.
    (
        CREDENTIAL_REPORT_JSON,
        "aws iam get-credential-report --output json",
    ),
    (
        PASSWORD_POLICY,
        "aws iam get-account-password-policy --output json",
    ),
    (ACCOUNT_SUMMARY, "aws iam get-account-summary --output json"),
    (
        VIRTUAL_MFA_DEVICES,
        "aws iam list-virtual-mfa-devices --output json",
    ),
    (
        "mfa-devices-<user>.json",
        "aws iam list-mfa-devices --user-name USER --output json (one file per user that holds a virtual MFA device)",
    ),
    (
        OIDC_PROVIDERS,
        "aws iam list-open-id-connect-providers --output json",
    ),
    (
        "oidc-provider-<name>.json",
        "aws iam get-open-id-connect-provider --open-id-connect-provider-arn ARN --output json (one file per provider)",
    ),
    (SAML_PROVIDERS, "aws iam list-saml-providers --output json"),
    (
        SERVER_CERTIFICATES,
        "aws iam list-server-certificates --output json",
    ),
    (
        "access-analyzers-<region>.json",
        "aws accessanalyzer list-analyzers --region REGION --output json (one file per region; the regions with a file are the regions checked)",
    ),
    (TRAILS, "aws cloudtrail describe-trails --output json"),
    (
        "trail-status-<trail>.json",
        "aws cloudtrail get-trail-status --name TRAIL_ARN --output json (one file per trail, named by the trail's name)",
    ),
    (
        "event-selectors-<trail>.json",
        "aws cloudtrail get-event-selectors --trail-name TRAIL_ARN --output json (one file per trail)",
    ),
    (
        "metric-filters-<log group>.json",
        "aws logs describe-metric-filters --log-group-name NAME --region REGION --output json (one file per trail log group; `/` in the name written as `_`)",
    ),
    (
        "alarms-<region>.json",
        "aws cloudwatch describe-alarms --region REGION --output json (each region holding a trail's log group)",
    ),
    (
        "subscriptions-<topic>.json",
        "aws sns list-subscriptions-by-topic --topic-arn TOPIC_ARN --output json (each topic an alarm notifies)",
    ),
];

/// The gap operations of the two inputs that also have their own flags: the names checks
/// look for when they explain why that data is missing.
const AUTH_DETAILS_INPUT: &str = "--auth-details";
const CREDENTIAL_REPORT_INPUT: &str = "--credential-report";

/// Where the exports are. An explicit file wins over the same kind of file in `dir`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportPaths {
    pub auth_details: Option<PathBuf>,
    pub credential_report: Option<PathBuf>,
    pub dir: Option<PathBuf>,
}

/// Builds an inventory from AWS CLI exports. `loaded_at` becomes `collected_at`; the
/// caller may prefer the credential report's `generated_at` when there is one.
pub fn load_exports(paths: &ExportPaths, loaded_at: DateTime<Utc>) -> Result<Inventory, LoadError> {
    let found = match &paths.dir {
        Some(dir) => ExportDir::scan(dir)?,
        None => ExportDir::default(),
    };
    let mut inventory = Inventory::empty(Source::Exports, loaded_at);
    let gaps = &mut inventory.gaps;
    if let Some(path) = paths
        .auth_details
        .as_deref()
        .or(found.auth_details.as_deref())
    {
        inventory.authorization = load_authorization(path, gaps)?;
    }
    if let Some(path) = paths
        .credential_report
        .as_deref()
        .or(found.credential_report.as_deref())
    {
        inventory.credential_report = load_credential_report(path, gaps)?;
    }
    if let Some(path) = &found.password_policy {
        inventory.password_policy = load_password_policy(path, gaps)?;
    }
    if let Some(path) = &found.account_summary {
        inventory.account_summary = load_json::<SummaryOutput>(path, "GetAccountSummary", gaps)?
            .map(|output| output.summary_map);
    }
    if let Some(path) = &found.virtual_mfa_devices {
        inventory.virtual_mfa_devices = load_virtual_mfa_devices(path, gaps)?;
    }
    inventory.mfa_devices = load_mfa_devices(&found.mfa_devices, gaps)?;
    inventory.oidc_providers = load_oidc_providers(
        found.oidc_providers.as_deref(),
        &found.oidc_provider_details,
        gaps,
    )?;
    if let Some(path) = &found.saml_providers {
        inventory.saml_providers = load_saml_providers(path, gaps)?;
    }
    if let Some(path) = &found.server_certificates {
        inventory.server_certificates = load_server_certificates(path, gaps)?;
    }
    if !found.access_analyzers.is_empty() {
        inventory.access_analyzers = Some(load_access_analyzers(&found.access_analyzers, gaps)?);
    }
    if let Some(path) = &found.trails {
        inventory.trails = load_trails(path, &found.trail_status, &found.event_selectors, gaps)?;
    }
    if let Some(trails) = &inventory.trails {
        inventory.monitoring = Some(load_monitoring(trails, &found.monitoring, gaps)?);
    }
    inventory.derive_account_id();
    Ok(inventory)
}

/// The known files in an `--exports` folder. Other files (a README, notes) are ignored.
#[derive(Default)]
struct ExportDir {
    auth_details: Option<PathBuf>,
    /// The JSON form when both are there: it carries GeneratedTime.
    credential_report: Option<PathBuf>,
    password_policy: Option<PathBuf>,
    account_summary: Option<PathBuf>,
    virtual_mfa_devices: Option<PathBuf>,
    /// (user name, file), from `mfa-devices-<user>.json`.
    mfa_devices: Vec<(String, PathBuf)>,
    oidc_providers: Option<PathBuf>,
    oidc_provider_details: Vec<PathBuf>,
    saml_providers: Option<PathBuf>,
    server_certificates: Option<PathBuf>,
    /// (region, file), from `access-analyzers-<region>.json`.
    access_analyzers: Vec<(String, PathBuf)>,
    trails: Option<PathBuf>,
    /// (trail name, file), from `trail-status-<trail>.json` and `event-selectors-<trail>.json`.
    trail_status: Vec<(String, PathBuf)>,
    event_selectors: Vec<(String, PathBuf)>,
    monitoring: MonitoringFiles,
}

/// (entity, file) per kind, from `metric-filters-<log group>.json`, `alarms-<region>.json`
/// and `subscriptions-<topic name>.json`.
#[derive(Default)]
struct MonitoringFiles {
    metric_filters: Vec<(String, PathBuf)>,
    alarms: Vec<(String, PathBuf)>,
    subscriptions: Vec<(String, PathBuf)>,
}

impl ExportDir {
    fn scan(dir: &Path) -> Result<Self, LoadError> {
        let expected = || {
            let names: Vec<&str> = EXPORT_FILES.iter().map(|(name, _)| *name).collect();
            format!("expected AWS CLI exports named {}", names.join(", "))
        };
        if !dir.is_dir() {
            let what = if dir.exists() {
                "is not a folder"
            } else {
                "does not exist"
            };
            return Err(LoadError::Invalid {
                path: dir.to_path_buf(),
                message: format!("{what}; {}", expected()),
            });
        }
        let read_error = |source| LoadError::Read {
            path: dir.to_path_buf(),
            source,
        };
        let mut names = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(read_error)? {
            // A name that is not UTF-8 cannot be one of ours.
            if let Some(name) = entry.map_err(read_error)?.file_name().to_str() {
                names.push(name.to_string());
            }
        }
        // Sorted, so that errors and the order of per-entity files do not depend on the
        // file system.
        names.sort();
        let mut found = ExportDir::default();
        let mut known = 0;
        let (mut report_csv, mut report_json) = (None, None);
        for name in names {
            let path = dir.join(&name);
            let slot = match name.as_str() {
                AUTH_DETAILS => &mut found.auth_details,
                CREDENTIAL_REPORT_CSV => &mut report_csv,
                CREDENTIAL_REPORT_JSON => &mut report_json,
                PASSWORD_POLICY => &mut found.password_policy,
                ACCOUNT_SUMMARY => &mut found.account_summary,
                VIRTUAL_MFA_DEVICES => &mut found.virtual_mfa_devices,
                OIDC_PROVIDERS => &mut found.oidc_providers,
                SAML_PROVIDERS => &mut found.saml_providers,
                SERVER_CERTIFICATES => &mut found.server_certificates,
                TRAILS => &mut found.trails,
                other => {
                    if let Some(user) = per_entity(other, MFA_DEVICES_PREFIX) {
                        found.mfa_devices.push((user.to_string(), path));
                        known += 1;
                    } else if let Some(region) = per_entity(other, ACCESS_ANALYZERS_PREFIX) {
                        found.access_analyzers.push((region.to_string(), path));
                        known += 1;
                    } else if let Some(trail) = per_entity(other, TRAIL_STATUS_PREFIX) {
                        found.trail_status.push((trail.to_string(), path));
                        known += 1;
                    } else if let Some(trail) = per_entity(other, EVENT_SELECTORS_PREFIX) {
                        found.event_selectors.push((trail.to_string(), path));
                        known += 1;
                    } else if let Some(group) = per_entity(other, METRIC_FILTERS_PREFIX) {
                        found
                            .monitoring
                            .metric_filters
                            .push((group.to_string(), path));
                        known += 1;
                    } else if let Some(region) = per_entity(other, ALARMS_PREFIX) {
                        found.monitoring.alarms.push((region.to_string(), path));
                        known += 1;
                    } else if let Some(topic) = per_entity(other, SUBSCRIPTIONS_PREFIX) {
                        found
                            .monitoring
                            .subscriptions
                            .push((topic.to_string(), path));
                        known += 1;
                    } else if per_entity(other, OIDC_PROVIDER_PREFIX).is_some() {
                        found.oidc_provider_details.push(path);
                        known += 1;
                    }
                    continue;
                }
            };
            *slot = Some(path);
            known += 1;
        }
        if known == 0 {
            return Err(LoadError::Invalid {
                path: dir.to_path_buf(),
                message: format!("holds none of the known files; {}", expected()),
            });
        }
        found.credential_report = report_json.or(report_csv);
        Ok(found)
    }
}

/// `user` from `mfa-devices-user.json`, given the prefix `mfa-devices-`.
fn per_entity<'a>(name: &'a str, prefix: &str) -> Option<&'a str> {
    name.strip_prefix(prefix)?
        .strip_suffix(".json")
        .filter(|entity| !entity.is_empty())
}

/// The error the AWS CLI prints when a command fails, saved in place of its output.
#[derive(Debug, PartialEq, Eq)]
struct CliError {
    code: String,
    operation: Option<String>,
    message: String,
}

impl CliError {
    const MARKER: &str = "An error occurred (";

    /// Finds the CLI's error in a file that is not JSON. Older CLIs print the message
    /// bare, newer ones after `aws: [ERROR]: `.
    fn find(text: &str) -> Option<CliError> {
        let trimmed = text.trim_start();
        if trimmed.starts_with('{') || trimmed.starts_with('[') {
            return None;
        }
        let start = text.find(Self::MARKER)? + Self::MARKER.len();
        let (code, rest) = text[start..].split_once(')')?;
        let (operation, after) = match rest
            .strip_prefix(" when calling the ")
            .and_then(|rest| rest.split_once(" operation"))
        {
            Some((operation, after)) => (Some(operation.to_string()), after),
            None => (None, rest),
        };
        // After the operation: ": message", or " (reached max retries: 4): message".
        let message = match after.strip_prefix(" (") {
            Some(retries) => retries.split_once("): ").map(|(_, message)| message),
            None => after.split_once(": ").map(|(_, message)| message),
        };
        Some(CliError {
            code: code.to_string(),
            operation,
            message: message
                .and_then(|message| message.lines().next())
                .unwrap_or("")
                .trim()
                .to_string(),
        })
    }

    fn into_gap(self, operation: &str, path: &Path, resource: Option<String>) -> Gap {
        let command = self.operation.as_deref().unwrap_or("the command");
        Gap {
            operation: operation.to_string(),
            error_code: self.code,
            message: format!(
                "{} holds the AWS CLI's error from {command}: {}",
                path.display(),
                self.message
            ),
            resource,
        }
    }
}

/// The file's text, or `None` and a gap when it holds the CLI's error instead.
fn read_output(
    path: &Path,
    operation: &str,
    gaps: &mut Vec<Gap>,
) -> Result<Option<String>, LoadError> {
    let text = read_file(path)?;
    Ok(match CliError::find(&text) {
        Some(error) => {
            gaps.push(error.into_gap(operation, path, None));
            None
        }
        None => Some(text),
    })
}

fn parse_json<T: DeserializeOwned>(path: &Path, text: &str) -> Result<T, LoadError> {
    serde_json::from_str(text).map_err(|error| json_error(path, error))
}

fn load_json<T: DeserializeOwned>(
    path: &Path,
    operation: &str,
    gaps: &mut Vec<Gap>,
) -> Result<Option<T>, LoadError> {
    read_output(path, operation, gaps)?
        .map(|text| parse_json(path, &text))
        .transpose()
}

fn load_authorization(
    path: &Path,
    gaps: &mut Vec<Gap>,
) -> Result<Option<AuthorizationDetails>, LoadError> {
    read_output(path, AUTH_DETAILS_INPUT, gaps)?
        .map(|text| AuthorizationDetails::from_json(&text, path, gaps))
        .transpose()
}

// The AWS CLI's JSON, field for field. Only what the model keeps is read.

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CredentialReportOutput {
    content: String,
    #[serde(default)]
    report_format: Option<String>,
    #[serde(default)]
    generated_time: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PasswordPolicyOutput {
    password_policy: ExportPasswordPolicy,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ExportPasswordPolicy {
    #[serde(default)]
    minimum_password_length: Option<i32>,
    #[serde(default)]
    require_symbols: bool,
    #[serde(default)]
    require_numbers: bool,
    #[serde(default)]
    require_uppercase_characters: bool,
    #[serde(default)]
    require_lowercase_characters: bool,
    #[serde(default)]
    allow_users_to_change_password: bool,
    #[serde(default)]
    expire_passwords: bool,
    #[serde(default)]
    max_password_age: Option<i32>,
    #[serde(default)]
    password_reuse_prevention: Option<i32>,
    #[serde(default)]
    hard_expiry: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SummaryOutput {
    summary_map: BTreeMap<String, i64>,
}

#[derive(Deserialize)]
struct VirtualMfaOutput {
    #[serde(rename = "VirtualMFADevices")]
    devices: Vec<ExportVirtualMfaDevice>,
}

/// Base32StringSeed and QRCodePNG are the device's secret: this struct has no field for
/// them, so they are skipped while parsing and never held, saved or printed.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ExportVirtualMfaDevice {
    serial_number: String,
    #[serde(default)]
    user: Option<ExportMfaUser>,
    #[serde(default)]
    enable_date: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ExportMfaUser {
    #[serde(default)]
    arn: Option<String>,
    /// Empty for the root user.
    #[serde(default)]
    user_name: Option<String>,
}

#[derive(Deserialize)]
struct MfaDevicesOutput {
    #[serde(rename = "MFADevices")]
    devices: Vec<ExportMfaDevice>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ExportMfaDevice {
    #[serde(default)]
    user_name: Option<String>,
    serial_number: String,
    #[serde(default)]
    enable_date: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
struct OidcProvidersOutput {
    #[serde(rename = "OpenIDConnectProviderList")]
    providers: Vec<ExportArn>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ExportArn {
    arn: String,
}

#[derive(Deserialize)]
struct OidcProviderOutput {
    #[serde(rename = "Url")]
    url: String,
    #[serde(rename = "ClientIDList", default)]
    client_ids: Vec<String>,
    #[serde(rename = "ThumbprintList", default)]
    thumbprints: Vec<String>,
    #[serde(rename = "CreateDate", default)]
    create_date: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
struct SamlProvidersOutput {
    #[serde(rename = "SAMLProviderList")]
    providers: Vec<ExportSamlProvider>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ExportSamlProvider {
    arn: String,
    #[serde(default)]
    valid_until: Option<DateTime<Utc>>,
    #[serde(default)]
    create_date: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ServerCertificatesOutput {
    server_certificate_metadata_list: Vec<ExportServerCertificate>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ExportServerCertificate {
    server_certificate_name: String,
    arn: String,
    #[serde(default)]
    server_certificate_id: Option<String>,
    #[serde(default)]
    upload_date: Option<DateTime<Utc>>,
    #[serde(default)]
    expiration: Option<DateTime<Utc>>,
}

/// Access Analyzer speaks REST-JSON: its analyzer fields are the model's own names.
#[derive(Deserialize)]
struct AnalyzersOutput {
    analyzers: Vec<AccessAnalyzer>,
}

#[derive(Deserialize)]
struct TrailsOutput {
    #[serde(rename = "trailList")]
    trails: Vec<ExportTrail>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ExportTrail {
    name: String,
    #[serde(rename = "TrailARN")]
    trail_arn: String,
    #[serde(default)]
    home_region: Option<String>,
    #[serde(default)]
    is_multi_region_trail: bool,
    #[serde(default)]
    is_organization_trail: bool,
    #[serde(default)]
    include_global_service_events: bool,
    #[serde(default)]
    log_file_validation_enabled: bool,
    #[serde(default)]
    kms_key_id: Option<String>,
    #[serde(default)]
    s3_bucket_name: Option<String>,
    #[serde(default)]
    cloud_watch_logs_log_group_arn: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ExportTrailStatus {
    is_logging: bool,
    #[serde(default)]
    latest_delivery_error: Option<String>,
    #[serde(default, rename = "LatestCloudWatchLogsDeliveryTime")]
    latest_cloudwatch_logs_delivery_time: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ExportEventSelectors {
    #[serde(default)]
    event_selectors: Vec<ExportBasicSelector>,
    #[serde(default)]
    advanced_event_selectors: Vec<AdvancedSelector>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ExportBasicSelector {
    #[serde(default)]
    read_write_type: Option<String>,
    #[serde(default)]
    include_management_events: Option<bool>,
    #[serde(default)]
    exclude_management_event_sources: Vec<String>,
    #[serde(default)]
    data_resources: Vec<ExportDataResource>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ExportDataResource {
    #[serde(default)]
    r#type: String,
    #[serde(default)]
    values: Vec<String>,
}

#[derive(Deserialize)]
struct MetricFiltersOutput {
    #[serde(rename = "metricFilters", default)]
    filters: Vec<ExportMetricFilter>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ExportMetricFilter {
    filter_name: String,
    #[serde(default)]
    filter_pattern: String,
    #[serde(default)]
    metric_transformations: Vec<ExportMetricTransformation>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ExportMetricTransformation {
    metric_name: String,
    metric_namespace: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AlarmsOutput {
    #[serde(default)]
    metric_alarms: Vec<ExportAlarm>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ExportAlarm {
    alarm_name: String,
    #[serde(default)]
    namespace: Option<String>,
    #[serde(default)]
    metric_name: Option<String>,
    #[serde(default = "enabled")]
    actions_enabled: bool,
    #[serde(default)]
    alarm_actions: Vec<String>,
}

fn enabled() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SubscriptionsOutput {
    #[serde(default)]
    subscriptions: Vec<ExportSubscription>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ExportSubscription {
    #[serde(default)]
    subscription_arn: Option<String>,
}

/// The CSV, or the CLI's JSON around it (decided by extension, else by content).
fn load_credential_report(
    path: &Path,
    gaps: &mut Vec<Gap>,
) -> Result<Option<CredentialReport>, LoadError> {
    let Some(text) = read_output(path, CREDENTIAL_REPORT_INPUT, gaps)? else {
        return Ok(None);
    };
    let invalid = |message: String| LoadError::Invalid {
        path: path.to_path_buf(),
        message,
    };
    let extension = path
        .extension()
        .and_then(|extension| extension.to_str())
        .map(str::to_ascii_lowercase);
    let is_json = match extension.as_deref() {
        Some("json") => true,
        Some("csv") => false,
        _ => text.trim_start().starts_with('{'),
    };
    if !is_json {
        // `--query Content --output text` without `| base64 -d`: one line of base64.
        let trimmed = text.trim();
        if !trimmed.is_empty()
            && !trimmed.contains(',')
            && let Some(csv) = decode_base64(trimmed)
                .ok()
                .and_then(|bytes| String::from_utf8(bytes).ok())
        {
            return CredentialReport::parse_csv(&csv, "base64-decoded content", None)
                .map(Some)
                .map_err(invalid);
        }
        return CredentialReport::load(path).map(Some);
    }
    let output: CredentialReportOutput = parse_json(path, &text)?;
    if let Some(format) = output.report_format.filter(|format| format != "text/csv") {
        return Err(invalid(format!(
            "ReportFormat is '{format}'; only text/csv is understood"
        )));
    }
    let bytes = decode_base64(&output.content)
        .map_err(|reason| invalid(format!("Content is not base64: {reason}")))?;
    let csv = String::from_utf8(bytes)
        .map_err(|_| invalid("Content does not decode to UTF-8 text".to_string()))?;
    CredentialReport::parse_csv(&csv, "decoded Content", output.generated_time)
        .map(Some)
        .map_err(invalid)
}

fn load_password_policy(
    path: &Path,
    gaps: &mut Vec<Gap>,
) -> Result<Option<PasswordPolicyState>, LoadError> {
    let text = read_file(path)?;
    // The CLI's answer for an account without a policy: AWS's defaults apply.
    if !text.trim_start().starts_with('{') && text.contains("NoSuchEntity") {
        return Ok(Some(PasswordPolicyState::Absent));
    }
    if let Some(error) = CliError::find(&text) {
        gaps.push(error.into_gap("GetAccountPasswordPolicy", path, None));
        return Ok(None);
    }
    let policy = parse_json::<PasswordPolicyOutput>(path, &text)?.password_policy;
    Ok(Some(PasswordPolicyState::Present(PasswordPolicy {
        minimum_password_length: policy.minimum_password_length,
        require_symbols: policy.require_symbols,
        require_numbers: policy.require_numbers,
        require_uppercase_characters: policy.require_uppercase_characters,
        require_lowercase_characters: policy.require_lowercase_characters,
        allow_users_to_change_password: policy.allow_users_to_change_password,
        expire_passwords: policy.expire_passwords,
        max_password_age: policy.max_password_age,
        password_reuse_prevention: policy.password_reuse_prevention,
        hard_expiry: policy.hard_expiry,
    })))
}

fn load_virtual_mfa_devices(
    path: &Path,
    gaps: &mut Vec<Gap>,
) -> Result<Option<Vec<VirtualMfaDevice>>, LoadError> {
    let Some(output) = load_json::<VirtualMfaOutput>(path, "ListVirtualMFADevices", gaps)? else {
        return Ok(None);
    };
    let devices = output
        .devices
        .into_iter()
        .map(|device| {
            let (user_arn, user_name) = device
                .user
                .map(|user| (user.arn, user.user_name.filter(|name| !name.is_empty())))
                .unwrap_or_default();
            VirtualMfaDevice {
                serial_number: device.serial_number,
                user_arn,
                user_name,
                enable_date: device.enable_date,
            }
        })
        .collect();
    Ok(Some(devices))
}

fn load_server_certificates(
    path: &Path,
    gaps: &mut Vec<Gap>,
) -> Result<Option<Vec<ServerCertificate>>, LoadError> {
    let Some(output) = load_json::<ServerCertificatesOutput>(path, "ListServerCertificates", gaps)?
    else {
        return Ok(None);
    };
    let certificates = output
        .server_certificate_metadata_list
        .into_iter()
        .map(|certificate| ServerCertificate {
            name: certificate.server_certificate_name,
            arn: certificate.arn,
            id: certificate.server_certificate_id,
            upload_date: certificate.upload_date,
            expiration: certificate.expiration,
        })
        .collect();
    Ok(Some(certificates))
}

/// The trail list, each trail with its status and selectors from the files named after it.
/// A trail without such a file has that part unknown, as a failed call leaves it.
fn load_trails(
    list: &Path,
    statuses: &[(String, PathBuf)],
    selectors: &[(String, PathBuf)],
    gaps: &mut Vec<Gap>,
) -> Result<Option<Vec<Trail>>, LoadError> {
    let Some(output) = load_json::<TrailsOutput>(list, "DescribeTrails", gaps)? else {
        return Ok(None);
    };
    let file_of = |files: &[(String, PathBuf)], name: &str| {
        files
            .iter()
            .find(|(trail, _)| trail == name)
            .map(|(_, path)| path.clone())
    };
    let mut trails = Vec::new();
    for listed in output.trails {
        let status = match file_of(statuses, &listed.name) {
            None => None,
            Some(path) => {
                load_json::<ExportTrailStatus>(&path, "GetTrailStatus", gaps)?.map(|status| {
                    TrailStatus {
                        is_logging: status.is_logging,
                        latest_delivery_error: status.latest_delivery_error,
                        latest_cloudwatch_logs_delivery_time: status
                            .latest_cloudwatch_logs_delivery_time,
                    }
                })
            }
        };
        let selectors =
            match file_of(selectors, &listed.name) {
                None => None,
                Some(path) => load_json::<ExportEventSelectors>(&path, "GetEventSelectors", gaps)?
                    .map(|output| EventSelectors {
                        basic: output
                            .event_selectors
                            .into_iter()
                            .map(|selector| BasicSelector {
                                read_write_type: selector
                                    .read_write_type
                                    .unwrap_or_else(|| "All".into()),
                                include_management_events: selector
                                    .include_management_events
                                    .unwrap_or(true),
                                exclude_management_event_sources: selector
                                    .exclude_management_event_sources,
                                data_resources: selector
                                    .data_resources
                                    .into_iter()
                                    .map(|resource| (resource.r#type, resource.values))
                                    .collect(),
                            })
                            .collect(),
                        advanced: output.advanced_event_selectors,
                    }),
            };
        // The CLI's error in a per-trail file is a gap about that trail.
        for gap in gaps.iter_mut().filter(|gap| {
            gap.resource.is_none()
                && (gap.operation == "GetTrailStatus" || gap.operation == "GetEventSelectors")
        }) {
            gap.resource = Some(listed.trail_arn.clone());
        }
        trails.push(Trail {
            name: listed.name,
            arn: listed.trail_arn,
            home_region: listed.home_region,
            is_multi_region: listed.is_multi_region_trail,
            is_organization: listed.is_organization_trail,
            include_global_service_events: listed.include_global_service_events,
            log_file_validation: listed.log_file_validation_enabled,
            kms_key_id: listed.kms_key_id,
            s3_bucket: listed.s3_bucket_name,
            cloudwatch_logs_log_group_arn: listed.cloud_watch_logs_log_group_arn,
            status,
            selectors,
        });
    }
    Ok(Some(trails))
}

/// The monitoring of the trails' log groups from the files there are. A log group, region
/// or topic the trails need and no file covers stays unknown (`None`), as an unanswered
/// call would leave it; with no log group at all, there is nothing to read.
fn load_monitoring(
    trails: &[Trail],
    files: &MonitoringFiles,
    gaps: &mut Vec<Gap>,
) -> Result<Monitoring, LoadError> {
    let file_of = |files: &[(String, PathBuf)], entity: &str| {
        files
            .iter()
            .find(|(name, _)| name == entity)
            .map(|(_, path)| path.clone())
    };
    let mut monitoring = Monitoring::default();
    for group in trails
        .iter()
        .filter_map(|trail| trail.cloudwatch_logs_log_group_arn.as_deref())
    {
        let name = log_group_location(group).map_or(group, |(_, name)| name);
        let filters = match file_of(&files.metric_filters, &name.replace('/', "_")) {
            None => None,
            Some(path) => load_json::<MetricFiltersOutput>(&path, "DescribeMetricFilters", gaps)?
                .map(|output| {
                    output
                        .filters
                        .into_iter()
                        .map(|filter| MetricFilter {
                            name: filter.filter_name,
                            pattern: filter.filter_pattern,
                            metrics: filter
                                .metric_transformations
                                .into_iter()
                                .map(|metric| (metric.metric_namespace, metric.metric_name))
                                .collect(),
                        })
                        .collect()
                }),
        };
        monitoring.metric_filters.insert(group.to_string(), filters);
    }
    let regions: std::collections::BTreeSet<&str> = monitoring
        .metric_filters
        .keys()
        .filter_map(|group| log_group_location(group).map(|(region, _)| region))
        .collect();
    for region in regions {
        let alarms = match file_of(&files.alarms, region) {
            None => None,
            Some(path) => load_json::<AlarmsOutput>(&path, "DescribeAlarms", gaps)?.map(|output| {
                output
                    .metric_alarms
                    .into_iter()
                    .map(|alarm| MetricAlarm {
                        name: alarm.alarm_name,
                        namespace: alarm.namespace,
                        metric_name: alarm.metric_name,
                        actions_enabled: alarm.actions_enabled,
                        alarm_actions: alarm.alarm_actions,
                    })
                    .collect()
            }),
        };
        monitoring.alarms.insert(region.to_string(), alarms);
    }
    let topics: std::collections::BTreeSet<String> = monitoring
        .alarms
        .values()
        .flatten()
        .flatten()
        .flat_map(|alarm| alarm.alarm_actions.iter())
        .filter(|action| action.split(':').nth(2) == Some("sns"))
        .cloned()
        .collect();
    for topic in topics {
        let name = topic.rsplit(':').next().unwrap_or(&topic);
        let confirmed = match file_of(&files.subscriptions, name) {
            None => None,
            Some(path) => {
                load_json::<SubscriptionsOutput>(&path, "ListSubscriptionsByTopic", gaps)?.map(
                    |output| {
                        output
                            .subscriptions
                            .iter()
                            .filter(|subscription| {
                                subscription
                                    .subscription_arn
                                    .as_deref()
                                    .is_some_and(|arn| arn.starts_with("arn:"))
                            })
                            .count() as u32
                    },
                )
            }
        };
        monitoring.topic_subscribers.insert(topic, confirmed);
    }
    Ok(monitoring)
}

/// Each region's analyzers, keyed by the region the file is named after; a file holding
/// the CLI's error leaves its region unknown.
fn load_access_analyzers(
    files: &[(String, PathBuf)],
    gaps: &mut Vec<Gap>,
) -> Result<BTreeMap<String, Option<Vec<AccessAnalyzer>>>, LoadError> {
    let mut regions = BTreeMap::new();
    for (region, path) in files {
        let text = read_file(path)?;
        if let Some(error) = CliError::find(&text) {
            gaps.push(error.into_gap("ListAnalyzers", path, Some(region.clone())));
            regions.insert(region.clone(), None);
            continue;
        }
        let output: AnalyzersOutput = parse_json(path, &text)?;
        regions.insert(region.clone(), Some(output.analyzers));
    }
    Ok(regions)
}

/// The per-user device lists, keyed by the user the file is named after.
fn load_mfa_devices(
    files: &[(String, PathBuf)],
    gaps: &mut Vec<Gap>,
) -> Result<BTreeMap<String, Vec<MfaDevice>>, LoadError> {
    let mut devices = BTreeMap::new();
    for (user, path) in files {
        let text = read_file(path)?;
        if let Some(error) = CliError::find(&text) {
            gaps.push(error.into_gap("ListMFADevices", path, Some(user.clone())));
            continue;
        }
        let output: MfaDevicesOutput = parse_json(path, &text)?;
        if let Some(other) = output
            .devices
            .iter()
            .filter_map(|device| device.user_name.as_deref())
            .find(|name| name != user)
        {
            return Err(LoadError::Invalid {
                path: path.clone(),
                message: format!(
                    "lists a device of user {other}, but the file name says it is {user}'s list"
                ),
            });
        }
        let listed = output
            .devices
            .into_iter()
            .map(|device| MfaDevice {
                kind: MfaDevice::kind_of_serial(&device.serial_number),
                serial_number: device.serial_number,
                enable_date: device.enable_date,
            })
            .collect();
        devices.insert(user.clone(), listed);
    }
    Ok(devices)
}

/// The provider list, each provider with the detail file whose Url its ARN names.
fn load_oidc_providers(
    list: Option<&Path>,
    details: &[PathBuf],
    gaps: &mut Vec<Gap>,
) -> Result<Option<Vec<OidcProvider>>, LoadError> {
    let Some(list) = list else {
        return match details.first() {
            Some(orphan) => Err(LoadError::Invalid {
                path: orphan.clone(),
                message: format!(
                    "a provider's details need {OIDC_PROVIDERS} to name its ARN: export `aws iam list-open-id-connect-providers --output json` too"
                ),
            }),
            None => Ok(None),
        };
    };
    let Some(output) = load_json::<OidcProvidersOutput>(list, "ListOpenIDConnectProviders", gaps)?
    else {
        return Ok(None);
    };
    let mut providers: Vec<OidcProvider> = output
        .providers
        .into_iter()
        .map(|provider| OidcProvider {
            arn: provider.arn,
            details: None,
        })
        .collect();
    let mut described_by: Vec<Option<&Path>> = vec![None; providers.len()];
    for path in details {
        let Some(detail) = load_json::<OidcProviderOutput>(path, "GetOpenIDConnectProvider", gaps)?
        else {
            continue;
        };
        // The ARN's resource is the Url without its scheme.
        let resource = detail
            .url
            .strip_prefix("https://")
            .unwrap_or(&detail.url)
            .trim_end_matches('/');
        let Some(index) = providers.iter().position(|provider| {
            provider
                .arn
                .split_once(":oidc-provider/")
                .is_some_and(|(_, listed)| listed == resource)
        }) else {
            return Err(LoadError::Invalid {
                path: path.clone(),
                message: format!(
                    "its Url {} is not the Url of any provider in {}",
                    detail.url,
                    list.display()
                ),
            });
        };
        if let Some(first) = described_by[index] {
            return Err(LoadError::Invalid {
                path: path.clone(),
                message: format!(
                    "describes {}, as {} does already",
                    providers[index].arn,
                    first.display()
                ),
            });
        }
        described_by[index] = Some(path);
        providers[index].details = Some(OidcProviderDetails {
            url: detail.url,
            client_ids: detail.client_ids,
            thumbprints: detail.thumbprints,
            create_date: detail.create_date,
        });
    }
    Ok(Some(providers))
}

fn load_saml_providers(
    path: &Path,
    gaps: &mut Vec<Gap>,
) -> Result<Option<Vec<SamlProvider>>, LoadError> {
    let output = load_json::<SamlProvidersOutput>(path, "ListSAMLProviders", gaps)?;
    Ok(output.map(|output| {
        output
            .providers
            .into_iter()
            .map(|provider| SamlProvider {
                arn: provider.arn,
                create_date: provider.create_date,
                valid_until: provider.valid_until,
            })
            .collect()
    }))
}

/// Decodes the standard base64 of the credential report's Content, padded or not, with
/// any line breaks a copy-paste left in it.
fn decode_base64(text: &str) -> Result<Vec<u8>, String> {
    use base64::Engine;
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    const LENIENT: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    LENIENT.decode(compact).map_err(|error| error.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::MfaKind;
    use chrono::TimeZone;
    use std::fs;

    const ACCOUNT: &str = "123456789012";
    const REPORT_HEADER: &str = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated";

    fn loaded_at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap()
    }

    fn report_csv() -> String {
        format!(
            "{REPORT_HEADER}\n\
             <root_account>,arn:aws:iam::{ACCOUNT}:root,2020-01-01T00:00:00+00:00,not_supported,2026-05-01T10:00:00+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n\
             alice,arn:aws:iam::{ACCOUNT}:user/alice,2023-02-01T00:00:00+00:00,true,2026-05-30T08:00:00+00:00,2023-02-01T00:00:00+00:00,N/A,true,true,2025-02-01T00:00:00+00:00,2026-05-31T00:00:00+00:00,us-east-1,s3,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"
        )
    }

    /// What `aws iam get-credential-report --output json` prints for `csv`.
    fn report_json(csv: &str, generated: &str) -> String {
        format!(
            r#"{{
    "Content": "{}",
    "ReportFormat": "text/csv",
    "GeneratedTime": "{generated}"
}}"#,
            encode_base64(csv.as_bytes())
        )
    }

    fn encode_base64(bytes: &[u8]) -> String {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }

    fn minimal_authorization_details(user: &str) -> String {
        format!(
            r#"{{
    "UserDetailList": [
        {{
            "Path": "/",
            "UserName": "{user}",
            "UserId": "AIDAEXAMPLE000000001",
            "Arn": "arn:aws:iam::{ACCOUNT}:user/{user}",
            "CreateDate": "2024-01-02T03:04:05+00:00",
            "GroupList": [],
            "AttachedManagedPolicies": []
        }}
    ],
    "GroupDetailList": [],
    "RoleDetailList": [],
    "Policies": []
}}"#
        )
    }

    /// A folder holding `files` (name, content).
    fn exports(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (name, content) in files {
            fs::write(dir.path().join(name), content).unwrap();
        }
        dir
    }

    fn load_dir(dir: &Path) -> Result<Inventory, LoadError> {
        load_exports(
            &ExportPaths {
                dir: Some(dir.to_path_buf()),
                ..Default::default()
            },
            loaded_at(),
        )
    }

    #[test]
    fn authorization_details_alone_load_and_nothing_else_is_invented() {
        let dir = exports(&[(AUTH_DETAILS, &minimal_authorization_details("alice"))]);
        let inventory = load_dir(dir.path()).unwrap();
        assert_eq!(inventory.source, Source::Exports);
        assert_eq!(inventory.collected_at, loaded_at());
        assert_eq!(inventory.account_id.as_deref(), Some(ACCOUNT));
        assert_eq!(
            inventory.authorization.as_ref().unwrap().users[0].name,
            "alice"
        );
        assert!(inventory.credential_report.is_none());
        assert!(inventory.password_policy.is_none());
        assert!(inventory.account_summary.is_none());
        assert!(inventory.virtual_mfa_devices.is_none());
        assert!(inventory.oidc_providers.is_none());
        assert!(inventory.saml_providers.is_none());
        assert!(inventory.gaps.is_empty(), "{:?}", inventory.gaps);
    }

    #[test]
    fn a_credential_report_csv_alone_loads_without_a_generation_time() {
        let dir = exports(&[(CREDENTIAL_REPORT_CSV, &report_csv())]);
        let inventory = load_dir(dir.path()).unwrap();
        let report = inventory.credential_report.unwrap();
        assert_eq!(report.generated_at, None);
        assert_eq!(report.rows.len(), 2);
        assert!(report.root().unwrap().mfa_active);
        assert_eq!(inventory.account_id.as_deref(), Some(ACCOUNT));
    }

    #[test]
    fn the_cli_json_credential_report_is_decoded_and_keeps_its_generation_time() {
        let dir = exports(&[(
            CREDENTIAL_REPORT_JSON,
            &report_json(&report_csv(), "2026-06-01T09:30:00+00:00"),
        )]);
        let report = load_dir(dir.path()).unwrap().credential_report.unwrap();
        assert_eq!(
            report.generated_at,
            Some(Utc.with_ymd_and_hms(2026, 6, 1, 9, 30, 0).unwrap())
        );
        assert_eq!(
            report.users().next().unwrap().access_keys[0]
                .last_used_service
                .as_deref(),
            Some("s3")
        );
    }

    #[test]
    fn the_json_report_is_preferred_when_a_folder_has_both_forms() {
        let dir = exports(&[
            (CREDENTIAL_REPORT_CSV, &report_csv()),
            (
                CREDENTIAL_REPORT_JSON,
                &report_json(&report_csv(), "2026-06-01T09:30:00Z"),
            ),
        ]);
        let report = load_dir(dir.path()).unwrap().credential_report.unwrap();
        assert!(report.generated_at.is_some());
    }

    #[test]
    fn a_report_with_another_extension_is_read_by_its_content() {
        let dir = exports(&[
            (
                "report.txt",
                &report_json(&report_csv(), "2026-06-01T09:30:00Z"),
            ),
            ("report.out", &report_csv()),
            ("report.b64", &encode_base64(report_csv().as_bytes())),
        ]);
        let load = |name: &str| {
            let paths = ExportPaths {
                credential_report: Some(dir.path().join(name)),
                ..Default::default()
            };
            load_exports(&paths, loaded_at())
                .unwrap()
                .credential_report
                .unwrap()
        };
        assert!(load("report.txt").generated_at.is_some());
        assert_eq!(load("report.out").rows.len(), 2);
        assert_eq!(
            load("report.b64").rows.len(),
            2,
            "a report left in base64 is decoded"
        );
    }

    #[test]
    fn a_json_report_with_bad_content_names_the_file_and_the_problem() {
        let dir = exports(&[(
            CREDENTIAL_REPORT_JSON,
            r#"{"Content": "dXNlcixhcm4K%%", "ReportFormat": "text/csv"}"#,
        )]);
        let message = load_dir(dir.path()).unwrap_err().to_string();
        assert!(
            message.contains(
                "credential-report.json: Content is not base64: Invalid symbol 37, offset 12"
            ),
            "{message}"
        );
        let dir = exports(&[(
            CREDENTIAL_REPORT_JSON,
            &report_json("name,email\nx,y\n", "2026-06-01T09:30:00Z"),
        )]);
        let message = load_dir(dir.path()).unwrap_err().to_string();
        assert!(
            message.ends_with(
                "credential-report.json: decoded Content: not a credential report: no column 'user'"
            ),
            "{message}"
        );
    }

    #[test]
    fn a_password_policy_is_read_field_by_field() {
        let dir = exports(&[(
            PASSWORD_POLICY,
            r#"{
    "PasswordPolicy": {
        "MinimumPasswordLength": 12,
        "RequireSymbols": true,
        "RequireNumbers": true,
        "RequireUppercaseCharacters": false,
        "RequireLowercaseCharacters": true,
        "AllowUsersToChangePassword": true,
        "ExpirePasswords": true,
        "MaxPasswordAge": 90,
        "PasswordReusePrevention": 24,
        "HardExpiry": false
    }
}"#,
        )]);
        let expected = PasswordPolicy {
            minimum_password_length: Some(12),
            require_symbols: true,
            require_numbers: true,
            require_uppercase_characters: false,
            require_lowercase_characters: true,
            allow_users_to_change_password: true,
            expire_passwords: true,
            max_password_age: Some(90),
            password_reuse_prevention: Some(24),
            hard_expiry: Some(false),
        };
        assert_eq!(
            load_dir(dir.path()).unwrap().password_policy,
            Some(PasswordPolicyState::Present(expected))
        );
    }

    #[test]
    fn the_cli_no_such_entity_error_means_the_account_has_no_password_policy() {
        for output in [
            "\nAn error occurred (NoSuchEntity) when calling the GetAccountPasswordPolicy operation: The Password Policy with domain name 123456789012 cannot be found.\n",
            "\naws: [ERROR]: An error occurred (NoSuchEntity) when calling the GetAccountPasswordPolicy operation: The Password Policy with domain name 123456789012 cannot be found.\n",
        ] {
            let dir = exports(&[(PASSWORD_POLICY, output)]);
            let inventory = load_dir(dir.path()).unwrap();
            assert_eq!(inventory.password_policy, Some(PasswordPolicyState::Absent));
            assert!(inventory.gaps.is_empty());
        }
    }

    #[test]
    fn a_password_policy_file_that_is_neither_output_nor_a_cli_error_is_an_error() {
        let dir = exports(&[(PASSWORD_POLICY, "MinimumPasswordLength=14\n")]);
        let error = load_dir(dir.path()).unwrap_err();
        assert!(
            matches!(
                error,
                LoadError::Parse {
                    line: 1,
                    column: 1,
                    ..
                }
            ),
            "{error:?}"
        );
        assert!(
            error
                .to_string()
                .contains("password-policy.json:1:1: expected value"),
            "{error}"
        );
    }

    #[test]
    fn a_file_holding_the_cli_error_becomes_a_gap_under_the_name_checks_look_for() {
        let dir = exports(&[
            (
                CREDENTIAL_REPORT_CSV,
                "\nAn error occurred (ReportNotPresent) when calling the GetCredentialReport operation: Unable to find credential report.\n",
            ),
            (
                AUTH_DETAILS,
                "An error occurred (AccessDenied) when calling the GetAccountAuthorizationDetails operation (reached max retries: 4): User: arn:aws:iam::123456789012:user/auditor is not authorized to perform: iam:GetAccountAuthorizationDetails\n",
            ),
            (
                VIRTUAL_MFA_DEVICES,
                "An error occurred (AccessDenied) when calling the ListVirtualMFADevices operation: denied",
            ),
        ]);
        let inventory = load_dir(dir.path()).unwrap();
        assert!(inventory.credential_report.is_none());
        assert!(inventory.authorization.is_none());
        assert!(inventory.virtual_mfa_devices.is_none());
        let report_gap = inventory.gap_for("--credential-report").unwrap();
        assert_eq!(report_gap.error_code, "ReportNotPresent");
        assert!(
            report_gap.message.ends_with(
                "credential-report.csv holds the AWS CLI's error from GetCredentialReport: Unable to find credential report."
            ),
            "{}",
            report_gap.message
        );
        let auth_gap = inventory.gap_for("--auth-details").unwrap();
        assert_eq!(auth_gap.error_code, "AccessDenied");
        assert!(auth_gap.message.ends_with("from GetAccountAuthorizationDetails: User: arn:aws:iam::123456789012:user/auditor is not authorized to perform: iam:GetAccountAuthorizationDetails"), "{}", auth_gap.message);
        assert_eq!(
            inventory
                .gap_for("ListVirtualMFADevices")
                .unwrap()
                .error_code,
            "AccessDenied"
        );
    }

    #[test]
    fn the_account_summary_map_is_kept_whole() {
        let dir = exports(&[(
            ACCOUNT_SUMMARY,
            r#"{"SummaryMap": {"AccountMFAEnabled": 1, "AccountAccessKeysPresent": 0, "Users": 3}}"#,
        )]);
        let summary = load_dir(dir.path()).unwrap().account_summary.unwrap();
        assert_eq!(summary.get("AccountMFAEnabled"), Some(&1));
        assert_eq!(summary.get("AccountAccessKeysPresent"), Some(&0));
        assert_eq!(summary.len(), 3);
    }

    const SEED: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
    const QR_CODE: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

    #[test]
    fn virtual_mfa_seeds_and_qr_codes_are_never_kept() {
        let output = format!(
            r#"{{
    "VirtualMFADevices": [
        {{
            "SerialNumber": "arn:aws:iam::{ACCOUNT}:mfa/root-account-mfa-device",
            "User": {{"Path": "/", "UserName": "", "UserId": "{ACCOUNT}", "Arn": "arn:aws:iam::{ACCOUNT}:root", "CreateDate": "2020-01-01T00:00:00+00:00"}},
            "EnableDate": "2020-01-02T00:00:00+00:00",
            "Base32StringSeed": "{SEED}",
            "QRCodePNG": "{QR_CODE}"
        }},
        {{
            "SerialNumber": "arn:aws:iam::{ACCOUNT}:mfa/bob",
            "User": {{"Path": "/", "UserName": "bob", "UserId": "AIDAEXAMPLE000000002", "Arn": "arn:aws:iam::{ACCOUNT}:user/bob", "CreateDate": "2021-01-01T00:00:00Z"}},
            "EnableDate": "2021-01-02T00:00:00Z",
            "Base32StringSeed": "{SEED}"
        }},
        {{"SerialNumber": "arn:aws:iam::{ACCOUNT}:mfa/abandoned"}}
    ]
}}"#
        );
        let dir = exports(&[(VIRTUAL_MFA_DEVICES, &output)]);
        let inventory = load_dir(dir.path()).unwrap();
        let devices = inventory.virtual_mfa_devices.as_ref().unwrap();
        assert_eq!(devices.len(), 3);
        assert!(devices[0].is_root());
        assert_eq!(
            devices[0].user_name, None,
            "root's empty UserName is no name"
        );
        assert_eq!(devices[1].user_name.as_deref(), Some("bob"));
        assert_eq!(
            devices[1].enable_date,
            Some(Utc.with_ymd_and_hms(2021, 1, 2, 0, 0, 0).unwrap())
        );
        assert_eq!(devices[2].user_arn, None);
        let saved = serde_json::to_string(&inventory).unwrap();
        assert!(!saved.contains(SEED), "the seed was kept");
        assert!(!saved.contains(QR_CODE), "the QR code was kept");
    }

    #[test]
    fn per_user_mfa_device_lists_are_keyed_by_the_user_and_typed_by_serial() {
        let list = |user: &str| {
            format!(
                r#"{{"MFADevices": [
                    {{"UserName": "{user}", "SerialNumber": "arn:aws:iam::{ACCOUNT}:mfa/{user}", "EnableDate": "2024-01-02T03:04:05+00:00"}},
                    {{"UserName": "{user}", "SerialNumber": "arn:aws:iam::{ACCOUNT}:u2f/user/{user}/key-ABCDEF", "EnableDate": "2024-01-02T03:04:05+00:00"}}
                ]}}"#
            )
        };
        let dir = exports(&[("mfa-devices-carol.json", &list("carol"))]);
        let inventory = load_dir(dir.path()).unwrap();
        let kinds: Vec<MfaKind> = inventory.mfa_devices["carol"]
            .iter()
            .map(|device| device.kind)
            .collect();
        assert_eq!(kinds, vec![MfaKind::Virtual, MfaKind::Hardware]);
        let dir = exports(&[("mfa-devices-carol.json", &list("dave"))]);
        let message = load_dir(dir.path()).unwrap_err().to_string();
        assert!(
            message.contains("mfa-devices-carol.json: lists a device of user dave"),
            "{message}"
        );
    }

    const GITHUB_ARN: &str =
        "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
    const OIDC_LIST: &str = r#"{
    "OpenIDConnectProviderList": [
        {"Arn": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},
        {"Arn": "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF"}
    ]
}"#;

    fn oidc_detail(url: &str) -> String {
        format!(
            r#"{{
    "Url": "{url}",
    "ClientIDList": ["sts.amazonaws.com"],
    "ThumbprintList": ["6938fd4d98bab03faadb97b34396831e3780aea1"],
    "CreateDate": "2024-01-02T03:04:05+00:00",
    "Tags": []
}}"#
        )
    }

    #[test]
    fn oidc_details_are_matched_to_the_listed_arn_by_url() {
        let dir = exports(&[
            (OIDC_PROVIDERS, OIDC_LIST),
            (
                "oidc-provider-github.json",
                &oidc_detail("token.actions.githubusercontent.com"),
            ),
        ]);
        let providers = load_dir(dir.path()).unwrap().oidc_providers.unwrap();
        assert_eq!(providers[0].arn, GITHUB_ARN);
        let details = providers[0].details.as_ref().unwrap();
        assert_eq!(details.client_ids, vec!["sts.amazonaws.com"]);
        assert_eq!(details.thumbprints.len(), 1);
        assert_eq!(
            providers[1].details, None,
            "a listed provider without a detail file"
        );

        let dir = exports(&[
            (OIDC_PROVIDERS, OIDC_LIST),
            (
                "oidc-provider-eks.json",
                &oidc_detail("https://oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF"),
            ),
        ]);
        let providers = load_dir(dir.path()).unwrap().oidc_providers.unwrap();
        assert_eq!(providers[0].details, None);
        assert!(
            providers[1].details.is_some(),
            "a Url with https:// matches too"
        );
    }

    #[test]
    fn an_oidc_detail_that_matches_no_listed_provider_is_an_error_naming_it() {
        let dir = exports(&[
            (OIDC_PROVIDERS, OIDC_LIST),
            (
                "oidc-provider-gitlab.json",
                &oidc_detail("https://gitlab.com"),
            ),
        ]);
        let message = load_dir(dir.path()).unwrap_err().to_string();
        assert!(message.contains("oidc-provider-gitlab.json: its Url https://gitlab.com is not the Url of any provider"), "{message}");
        let dir = exports(&[(
            "oidc-provider-github.json",
            &oidc_detail("token.actions.githubusercontent.com"),
        )]);
        let message = load_dir(dir.path()).unwrap_err().to_string();
        assert!(
            message.contains(
                "oidc-provider-github.json: a provider's details need oidc-providers.json"
            ),
            "{message}"
        );
        let dir = exports(&[
            (OIDC_PROVIDERS, OIDC_LIST),
            (
                "oidc-provider-a.json",
                &oidc_detail("token.actions.githubusercontent.com"),
            ),
            (
                "oidc-provider-b.json",
                &oidc_detail("https://token.actions.githubusercontent.com"),
            ),
        ]);
        let message = load_dir(dir.path()).unwrap_err().to_string();
        assert!(
            message.contains("oidc-provider-b.json: describes"),
            "{message}"
        );
    }

    #[test]
    fn saml_providers_keep_their_dates() {
        let dir = exports(&[(
            SAML_PROVIDERS,
            r#"{
    "SAMLProviderList": [
        {
            "Arn": "arn:aws:iam::123456789012:saml-provider/okta",
            "ValidUntil": "2122-05-10T14:02:37+00:00",
            "CreateDate": "2022-05-10T14:02:37+00:00"
        }
    ]
}"#,
        )]);
        let providers = load_dir(dir.path()).unwrap().saml_providers.unwrap();
        assert_eq!(
            providers[0].arn,
            "arn:aws:iam::123456789012:saml-provider/okta"
        );
        assert_eq!(
            providers[0].valid_until,
            Some(Utc.with_ymd_and_hms(2122, 5, 10, 14, 2, 37).unwrap())
        );
    }

    #[test]
    fn malformed_json_names_the_file_line_and_column() {
        let dir = exports(&[(
            ACCOUNT_SUMMARY,
            "{\n  \"SummaryMap\": {\n    \"Users\": 3,\n  }\n}\n",
        )]);
        let error = load_dir(dir.path()).unwrap_err();
        let expected = format!(
            "{}:4:3: trailing comma",
            dir.path().join(ACCOUNT_SUMMARY).display()
        );
        assert_eq!(error.to_string(), expected);
        let dir = exports(&[(
            SAML_PROVIDERS,
            r#"{"SAMLProviderList": [{"CreateDate": "yesterday"}]}"#,
        )]);
        assert!(matches!(
            load_dir(dir.path()).unwrap_err(),
            LoadError::Parse { line: 1, .. }
        ));
    }

    #[test]
    fn explicit_files_win_over_the_folder() {
        let dir = exports(&[
            (AUTH_DETAILS, &minimal_authorization_details("from-folder")),
            (
                CREDENTIAL_REPORT_JSON,
                &report_json(&report_csv(), "2026-06-01T09:30:00Z"),
            ),
        ]);
        let elsewhere = exports(&[
            ("gaad.json", &minimal_authorization_details("explicit")),
            ("report.csv", &report_csv()),
        ]);
        let paths = ExportPaths {
            auth_details: Some(elsewhere.path().join("gaad.json")),
            credential_report: Some(elsewhere.path().join("report.csv")),
            dir: Some(dir.path().to_path_buf()),
        };
        let inventory = load_exports(&paths, loaded_at()).unwrap();
        assert_eq!(inventory.authorization.unwrap().users[0].name, "explicit");
        assert_eq!(
            inventory.credential_report.unwrap().generated_at,
            None,
            "the CSV was read, not the folder's JSON"
        );
    }

    #[test]
    fn an_explicit_file_that_does_not_exist_is_a_read_error_naming_it() {
        let paths = ExportPaths {
            auth_details: Some(PathBuf::from("/nonexistent/gaad.json")),
            ..Default::default()
        };
        let error = load_exports(&paths, loaded_at()).unwrap_err();
        assert!(matches!(error, LoadError::Read { .. }), "{error:?}");
        assert!(
            error.to_string().starts_with("/nonexistent/gaad.json: "),
            "{error}"
        );
    }

    #[test]
    fn a_folder_that_is_missing_or_holds_no_known_file_is_rejected_with_the_expected_names() {
        let missing = load_dir(Path::new("/nonexistent/exports"))
            .unwrap_err()
            .to_string();
        assert!(missing.starts_with("/nonexistent/exports: does not exist; expected AWS CLI exports named authorization-details.json, credential-report.csv"), "{missing}");
        let dir = exports(&[("notes.txt", "hello"), ("oidc-providers.json.bak", "{}")]);
        let message = load_dir(dir.path()).unwrap_err().to_string();
        assert!(
            message.contains("holds none of the known files"),
            "{message}"
        );
        assert!(message.contains("saml-providers.json"), "{message}");
    }

    #[test]
    fn report_content_decodes_padded_or_not_and_across_line_breaks() {
        assert_eq!(decode_base64("Zm9vYmFy").unwrap(), b"foobar");
        assert_eq!(decode_base64("Zm9vYg").unwrap(), b"foob");
        assert_eq!(decode_base64("Zm9v\nYmE=\n").unwrap(), b"fooba");
        assert!(decode_base64("Zm9v-mFy").is_err());
    }

    #[test]
    fn cli_errors_are_recognised_only_outside_json() {
        assert_eq!(
            CliError::find(r#"{"Message": "An error occurred (X) when"}"#),
            None
        );
        assert_eq!(
            CliError::find(
                "An error occurred (Throttling) when calling the ListSAMLProviders operation (reached max retries: 4): Rate exceeded\n"
            ),
            Some(CliError {
                code: "Throttling".into(),
                operation: Some("ListSAMLProviders".into()),
                message: "Rate exceeded".into()
            })
        );
    }

    fn demo_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo")
    }

    fn load_demo() -> Inventory {
        load_dir(&demo_dir()).unwrap()
    }

    #[test]
    fn the_demo_exports_load_completely() {
        let inventory = load_demo();
        assert!(inventory.gaps.is_empty(), "{:?}", inventory.gaps);
        assert_eq!(inventory.account_id.as_deref(), Some("210987654321"));
        let details = inventory.authorization.as_ref().unwrap();
        assert_eq!(
            (
                details.users.len(),
                details.groups.len(),
                details.roles.len(),
                details.policies.len()
            ),
            (8, 4, 6, 9)
        );
        let report = inventory.credential_report.as_ref().unwrap();
        assert_eq!(
            report.generated_at,
            Some(Utc.with_ymd_and_hms(2026, 11, 20, 9, 0, 0).unwrap())
        );
        assert_eq!(report.rows.len(), 9, "eight users and the root");
        assert!(matches!(
            inventory.password_policy,
            Some(PasswordPolicyState::Present(_))
        ));
        assert!(inventory.account_summary.is_some());
        assert_eq!(inventory.virtual_mfa_devices.as_ref().unwrap().len(), 3);
        assert_eq!(inventory.mfa_devices.len(), 1);
        assert!(
            inventory.oidc_providers.as_ref().unwrap()[0]
                .details
                .is_some()
        );
        assert_eq!(inventory.saml_providers.as_ref().unwrap().len(), 1);
        let certificates = inventory.server_certificates.as_ref().unwrap();
        assert_eq!(
            certificates
                .iter()
                .map(|certificate| (certificate.name.as_str(), certificate.expiration.is_some()))
                .collect::<Vec<_>>(),
            vec![("www-acme-2025", true), ("www-acme-2026", true)]
        );
        let regions = inventory.access_analyzers.as_ref().unwrap();
        assert_eq!(
            regions.keys().map(String::as_str).collect::<Vec<_>>(),
            vec!["eu-west-1", "us-east-1"],
            "the regions are the files' names"
        );
        assert_eq!(regions["us-east-1"].as_ref().unwrap()[0].kind, "ACCOUNT");
    }

    #[test]
    fn an_aws_managed_policy_nothing_uses_is_listed_without_its_document() {
        let policy = |name: &str, attachments: i32| {
            serde_json::json!({
                "PolicyName": name,
                "Arn": format!("arn:aws:iam::aws:policy/{name}"),
                "AttachmentCount": attachments,
                "DefaultVersionId": "v1",
                "PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": true,
                    "Document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}}]
            })
        };
        let export = serde_json::json!({
            "UserDetailList": [{"UserName": "alice", "UserId": "AIDA1", "Arn": format!("arn:aws:iam::{ACCOUNT}:user/alice"), "Path": "/",
                "AttachedManagedPolicies": [{"PolicyName": "Miscounted", "PolicyArn": "arn:aws:iam::aws:policy/Miscounted"}]}],
            "Policies": [policy("Unused", 0), policy("Attached", 2), policy("Miscounted", 0)]
        });
        let mut gaps = Vec::new();
        let details = AuthorizationDetails::from_json(
            &export.to_string(),
            Path::new("authorization-details.json"),
            &mut gaps,
        )
        .unwrap();
        assert!(gaps.is_empty(), "{gaps:?}");
        let documented: Vec<(&str, bool)> = details
            .policies
            .iter()
            .map(|policy| (policy.name.as_str(), policy.document.is_some()))
            .collect();
        assert_eq!(
            documented,
            [("Unused", false), ("Attached", true), ("Miscounted", true)],
            "a policy a user holds keeps its document whatever its AttachmentCount says"
        );
    }

    /// Inline and trust documents come as JSON objects (the AWS CLI) or as the API's
    /// URL-encoded text, and are kept as the file's text until converted: both shapes, and
    /// text with JSON escapes in it, give the same model; a document that is no policy is a
    /// gap naming its owner, and the rest still loads.
    #[test]
    fn inline_and_trust_documents_load_alike_as_objects_and_as_encoded_text() {
        let inline = serde_json::json!({"Version": "2012-10-17", "Statement": [{"Sid": "Quote\"d",
            "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::b/été/*"}]});
        let trust = serde_json::json!({"Version": "2012-10-17", "Statement": {"Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}});
        let encoded = |document: &serde_json::Value| {
            serde_json::Value::String(
                percent_encoding::utf8_percent_encode(
                    &document.to_string(),
                    percent_encoding::NON_ALPHANUMERIC,
                )
                .to_string(),
            )
        };
        let export = |inline: serde_json::Value, trust: serde_json::Value| {
            serde_json::json!({
                "UserDetailList": [{"UserName": "alice", "UserId": "AIDA1", "Path": "/",
                    "Arn": format!("arn:aws:iam::{ACCOUNT}:user/alice"),
                    "UserPolicyList": [{"PolicyName": "reads", "PolicyDocument": inline}]}],
                "RoleDetailList": [{"RoleName": "fn", "RoleId": "AROA1", "Path": "/",
                    "Arn": format!("arn:aws:iam::{ACCOUNT}:role/fn"),
                    "AssumeRolePolicyDocument": trust}]
            })
            .to_string()
        };
        let load = |text: String| {
            let mut gaps = Vec::new();
            let details =
                AuthorizationDetails::from_json(&text, Path::new("gaad.json"), &mut gaps).unwrap();
            (details, gaps)
        };
        let (objects, gaps) = load(export(inline.clone(), trust.clone()));
        assert!(gaps.is_empty(), "{gaps:?}");
        let (texts, gaps) = load(export(encoded(&inline), encoded(&trust)));
        assert!(gaps.is_empty(), "{gaps:?}");
        assert_eq!(objects, texts);
        let statement = &objects.users[0].inline_policies[0]
            .document
            .as_ref()
            .unwrap()
            .statements[0];
        assert_eq!(statement.sid.as_deref(), Some("Quote\"d"));
        assert_eq!(
            statement.resource,
            Some(crate::policy::ResourceSpec::Resource(vec![
                "arn:aws:s3:::b/été/*".into()
            ]))
        );
        assert!(objects.roles[0].assume_role_policy.is_some());

        let (details, gaps) = load(export(serde_json::json!(["not", "a", "policy"]), trust));
        assert!(details.users[0].inline_policies[0].document.is_none());
        assert!(details.roles[0].assume_role_policy.is_some());
        assert_eq!(gaps.len(), 1, "{gaps:?}");
        assert!(
            gaps[0]
                .message
                .contains("inline policy reads of user alice"),
            "{}",
            gaps[0].message
        );
    }

    #[test]
    fn an_access_analyzer_file_holding_the_cli_error_leaves_its_region_unknown() {
        let dir = exports(&[
            (
                "access-analyzers-eu-west-1.json",
                r#"{"analyzers": [{"arn": "arn:aws:access-analyzer:eu-west-1:123456789012:analyzer/a", "name": "a", "type": "ORGANIZATION", "status": "ACTIVE", "createdAt": "2026-01-01T00:00:00+00:00"}]}"#,
            ),
            (
                "access-analyzers-ap-south-1.json",
                "\nAn error occurred (AccessDeniedException) when calling the ListAnalyzers operation: User is not authorized to perform: access-analyzer:ListAnalyzers\n",
            ),
        ]);
        let inventory = load_dir(dir.path()).unwrap();
        let regions = inventory.access_analyzers.unwrap();
        assert_eq!(regions["ap-south-1"], None);
        assert!(regions["eu-west-1"].as_ref().unwrap()[0].finds_external_access());
        let gap = &inventory.gaps[0];
        assert_eq!(
            (
                gap.operation.as_str(),
                gap.error_code.as_str(),
                gap.resource.as_deref()
            ),
            ("ListAnalyzers", "AccessDeniedException", Some("ap-south-1"))
        );
    }

    #[test]
    fn the_demo_fails_exactly_the_checks_its_readme_lists() {
        use crate::checks::{Context, Settings, run_checks};
        use crate::finding::Status;
        let inventory = load_demo();
        let now = inventory
            .credential_report
            .as_ref()
            .and_then(|report| report.generated_at)
            .unwrap();
        let settings = Settings::default();
        let findings = run_checks(&mut Context::new(&inventory, &settings, now), &[]);
        let errors: Vec<_> = findings
            .iter()
            .filter(|finding| finding.status == Status::Error)
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
        let prefix = "arn:aws:iam::210987654321:";
        let mut failed: Vec<(String, String)> = findings
            .iter()
            .filter(|finding| finding.status == Status::Fail)
            .map(|finding| {
                let resource = finding
                    .resource_arn
                    .strip_prefix(prefix)
                    .unwrap_or(&finding.resource_arn);
                (finding.check_id.to_string(), resource.to_string())
            })
            .collect();
        failed.sort();
        let readme = fs::read_to_string(demo_dir().join("README.md")).unwrap();
        let mut listed: Vec<(String, String)> = readme
            .split("## Expected findings")
            .nth(1)
            .expect("the README has an Expected findings section")
            .lines()
            .take_while(|line| !line.starts_with("## "))
            .filter(|line| line.starts_with("| `"))
            .map(|line| {
                let cells: Vec<&str> = line
                    .split('|')
                    .map(|cell| cell.trim().trim_matches('`'))
                    .collect();
                (cells[1].to_string(), cells[2].to_string())
            })
            .collect();
        listed.sort();
        assert_eq!(
            failed, listed,
            "examples/demo/README.md's Expected findings and the checks disagree"
        );
    }
}
