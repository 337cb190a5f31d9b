//! The account model: plain data, the same whether it came from the API, a saved
//! inventory file, or the AWS CLI exports an auditor receives.
//!
//! A field that is `None` was not collected (the reason is in `gaps`); an empty list was
//! collected and is empty. Checks rely on that difference: no data is never a pass.

mod credential_report;
mod exports;
#[cfg(test)]
pub(crate) mod fixtures;
pub mod gaad;
pub mod organization;

pub use credential_report::{CredentialReport, CredentialReportRow, KeySlot, ROOT_USER};
pub use exports::{EXPORT_FILES, ExportPaths, load_exports};
pub use gaad::AuthorizationDetails;
pub use organization::{OrgContext, ScpLevel, ServiceControlPolicy};

/// A user's or role's tags, key to value.
pub type Tags = crate::vecmap::VecMap<String, String>;

use crate::policy::PolicyDocument;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Bumped whenever a saved inventory of the previous version would no longer load.
pub const INVENTORY_SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// Collected from the IAM API by this run.
    Api,
    /// Loaded from a saved `iamscan collect` inventory.
    InventoryFile,
    /// Built from AWS CLI exports (authorization details, credential report, ...).
    Exports,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Api => "api",
            Source::InventoryFile => "inventory-file",
            Source::Exports => "exports",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Inventory {
    pub schema_version: u32,
    pub source: Source,
    #[serde(default)]
    pub account_id: Option<String>,
    pub collected_at: DateTime<Utc>,
    /// GetAccountAuthorizationDetails: users, groups, roles and managed policies.
    #[serde(default)]
    pub authorization: Option<AuthorizationDetails>,
    #[serde(default)]
    pub credential_report: Option<CredentialReport>,
    #[serde(default)]
    pub password_policy: Option<PasswordPolicyState>,
    /// GetAccountSummary's SummaryMap (AccountMFAEnabled, AccountAccessKeysPresent, ...).
    #[serde(default)]
    pub account_summary: Option<BTreeMap<String, i64>>,
    /// ListVirtualMFADevices, seeds and QR codes dropped.
    #[serde(default)]
    pub virtual_mfa_devices: Option<Vec<VirtualMfaDevice>>,
    /// ListMFADevices, called only for the users the virtual list cannot settle. A user
    /// who needed the call and is absent here is unknown, not "no devices".
    #[serde(default)]
    pub mfa_devices: BTreeMap<String, Vec<MfaDevice>>,
    /// ListAccessKeys, called only with `--list-access-keys`, for users whose keys fail a
    /// check, so that remediation can name the key id.
    #[serde(default)]
    pub access_keys: BTreeMap<String, Vec<AccessKey>>,
    #[serde(default)]
    pub oidc_providers: Option<Vec<OidcProvider>>,
    #[serde(default)]
    pub saml_providers: Option<Vec<SamlProvider>>,
    /// ListServerCertificates: TLS certificates stored in IAM for load balancers and
    /// CloudFront (the private keys are never returned by the API).
    #[serde(default)]
    pub server_certificates: Option<Vec<ServerCertificate>>,
    /// IAM Access Analyzer's ListAnalyzers, per region the scan covered. A region whose
    /// call failed maps to `None` (its gap says why); the whole map is `None` when no
    /// region was read.
    #[serde(default)]
    pub access_analyzers: Option<BTreeMap<String, Option<Vec<AccessAnalyzer>>>>,
    /// CloudTrail's trails as DescribeTrails lists them from the scan's region: trails homed
    /// there, and every multi-region and organization trail wherever it is homed.
    #[serde(default)]
    pub trails: Option<Vec<Trail>>,
    /// What watches the trails' CloudWatch Logs log groups: metric filters, the alarms on
    /// their metrics, and the subscribers of those alarms' SNS topics. `None` when the
    /// trails could not be listed.
    #[serde(default)]
    pub monitoring: Option<Monitoring>,
    /// Every operation that failed, and every document that could not be parsed.
    #[serde(default)]
    pub gaps: Vec<Gap>,
}

impl Inventory {
    pub fn empty(source: Source, collected_at: DateTime<Utc>) -> Self {
        Inventory {
            schema_version: INVENTORY_SCHEMA_VERSION,
            source,
            account_id: None,
            collected_at,
            authorization: None,
            credential_report: None,
            password_policy: None,
            account_summary: None,
            virtual_mfa_devices: None,
            mfa_devices: BTreeMap::new(),
            access_keys: BTreeMap::new(),
            oidc_providers: None,
            saml_providers: None,
            server_certificates: None,
            access_analyzers: None,
            trails: None,
            monitoring: None,
            gaps: Vec::new(),
        }
    }

    /// The recorded gaps of one operation, for error messages that say why data is missing.
    pub fn gap_for(&self, operation: &str) -> Option<&Gap> {
        self.gaps.iter().find(|gap| gap.operation == operation)
    }

    /// Loads a saved inventory (`iamscan collect --output`). Its source becomes
    /// `inventory-file`: that is where this scan's data comes from.
    pub fn load(path: &Path) -> Result<Self, LoadError> {
        let text = read_file(path)?;
        Self::from_json(&text, path)
    }

    /// The bundled demo account (`examples/demo-inventory.json`, generated from
    /// examples/demo by `iamscan collect --exports`, built into the binary): what `iamscan
    /// scan --demo` scans.
    pub fn demo() -> Self {
        Inventory::from_json(
            include_str!("../../examples/demo-inventory.json"),
            Path::new("examples/demo-inventory.json"),
        )
        .expect("the bundled demo inventory is valid (tested)")
    }

    /// Parses a saved inventory's text; `path` names it in errors.
    pub fn from_json(text: &str, path: &Path) -> Result<Self, LoadError> {
        let mut inventory: Inventory =
            serde_json::from_str(text).map_err(|error| json_error(path, error))?;
        if inventory.schema_version != INVENTORY_SCHEMA_VERSION {
            return Err(LoadError::Invalid {
                path: path.to_path_buf(),
                message: format!(
                    "schema_version {} is not supported (this iamscan reads {})",
                    inventory.schema_version, INVENTORY_SCHEMA_VERSION
                ),
            });
        }
        inventory.source = Source::InventoryFile;
        Ok(inventory)
    }

    /// The account id, from the inventory or the first ARN that names one.
    pub fn derive_account_id(&mut self) {
        if self.account_id.is_some() {
            return;
        }
        let from_arn = |arn: &str| {
            arn.split(':')
                .nth(4)
                .filter(|id| id.len() == 12)
                .map(str::to_owned)
        };
        self.account_id = self
            .authorization
            .as_ref()
            .and_then(|details| {
                details
                    .users
                    .iter()
                    .map(|user| &user.arn)
                    .chain(details.roles.iter().map(|role| &role.arn))
                    .chain(details.groups.iter().map(|group| &group.arn))
                    .find_map(|arn| from_arn(arn))
            })
            .or_else(|| {
                self.credential_report
                    .as_ref()
                    .and_then(|report| report.rows.iter().find_map(|row| from_arn(&row.arn)))
            })
            .or_else(|| {
                // An organization trail seen from a member names the management account.
                self.trails.iter().flatten().find_map(|trail| {
                    (!trail.is_organization)
                        .then(|| from_arn(&trail.arn))
                        .flatten()
                })
            });
    }
}

/// A server certificate's metadata, as ListServerCertificates returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerCertificate {
    pub name: String,
    pub arn: String,
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub upload_date: Option<DateTime<Utc>>,
    #[serde(default)]
    pub expiration: Option<DateTime<Utc>>,
}

/// One IAM Access Analyzer analyzer of a region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessAnalyzer {
    pub name: String,
    pub arn: String,
    /// `ACCOUNT` or `ORGANIZATION` for external access; `..._UNUSED_ACCESS` and
    /// `..._INTERNAL_ACCESS` for the other analyses.
    #[serde(rename = "type")]
    pub kind: String,
    /// `ACTIVE`, `CREATING`, `DISABLED` or `FAILED`.
    pub status: String,
}

impl AccessAnalyzer {
    /// An analyzer that reports resources shared outside the account or organization.
    pub fn finds_external_access(&self) -> bool {
        matches!(self.kind.as_str(), "ACCOUNT" | "ORGANIZATION")
    }

    pub fn is_active(&self) -> bool {
        self.status == "ACTIVE"
    }
}

/// A CloudTrail trail, its status and what it records. `status` and `selectors` are `None`
/// when their call failed (the gap names the trail).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trail {
    pub name: String,
    pub arn: String,
    #[serde(default)]
    pub home_region: Option<String>,
    #[serde(default)]
    pub is_multi_region: bool,
    /// Created in the organization's management account and logging every member.
    #[serde(default)]
    pub is_organization: bool,
    /// IAM, STS and sign-in events are global: a trail without them misses IAM activity.
    #[serde(default)]
    pub include_global_service_events: bool,
    #[serde(default)]
    pub log_file_validation: bool,
    #[serde(default)]
    pub kms_key_id: Option<String>,
    #[serde(default)]
    pub s3_bucket: Option<String>,
    #[serde(default)]
    pub cloudwatch_logs_log_group_arn: Option<String>,
    #[serde(default)]
    pub status: Option<TrailStatus>,
    #[serde(default)]
    pub selectors: Option<EventSelectors>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrailStatus {
    pub is_logging: bool,
    #[serde(default)]
    pub latest_delivery_error: Option<String>,
    #[serde(default)]
    pub latest_cloudwatch_logs_delivery_time: Option<DateTime<Utc>>,
}

/// GetEventSelectors' answer, in either of its two forms.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventSelectors {
    #[serde(default)]
    pub basic: Vec<BasicSelector>,
    #[serde(default)]
    pub advanced: Vec<AdvancedSelector>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BasicSelector {
    /// `All`, `ReadOnly` or `WriteOnly`.
    pub read_write_type: String,
    pub include_management_events: bool,
    #[serde(default)]
    pub exclude_management_event_sources: Vec<String>,
    /// Data events: (resource type such as `AWS::S3::Object`, ARN prefixes).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub data_resources: Vec<(String, Vec<String>)>,
}

/// Read from saved inventories and, through the aliases, from the AWS CLI's output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdvancedSelector {
    #[serde(default, alias = "Name")]
    pub name: Option<String>,
    #[serde(alias = "FieldSelectors")]
    pub field_selectors: Vec<FieldSelector>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldSelector {
    #[serde(alias = "Field")]
    pub field: String,
    #[serde(default, alias = "Equals", skip_serializing_if = "Vec::is_empty")]
    pub equals: Vec<String>,
    #[serde(default, alias = "NotEquals", skip_serializing_if = "Vec::is_empty")]
    pub not_equals: Vec<String>,
    #[serde(default, alias = "StartsWith", skip_serializing_if = "Vec::is_empty")]
    pub starts_with: Vec<String>,
    #[serde(
        default,
        alias = "NotStartsWith",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub not_starts_with: Vec<String>,
}

/// Alerting on CloudTrail events, as CIS section 5 audits it. Each part is `None` where its
/// call failed (a gap names the log group, region or topic).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Monitoring {
    /// Log group ARN (as the trail names it) -> its metric filters.
    #[serde(default)]
    pub metric_filters: BTreeMap<String, Option<Vec<MetricFilter>>>,
    /// Region -> the alarms there (only regions holding a trail's log group are read).
    #[serde(default)]
    pub alarms: BTreeMap<String, Option<Vec<MetricAlarm>>>,
    /// SNS topic ARN -> its confirmed subscriptions (endpoints are not kept).
    #[serde(default)]
    pub topic_subscribers: BTreeMap<String, Option<u32>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetricFilter {
    pub name: String,
    pub pattern: String,
    /// (namespace, metric name) the filter publishes to.
    #[serde(default)]
    pub metrics: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetricAlarm {
    pub name: String,
    #[serde(default)]
    pub namespace: Option<String>,
    #[serde(default)]
    pub metric_name: Option<String>,
    pub actions_enabled: bool,
    #[serde(default)]
    pub alarm_actions: Vec<String>,
}

/// The region and name of a CloudWatch Logs log group ARN
/// (`arn:aws:logs:eu-west-1:123456789012:log-group:NAME:*`).
pub fn log_group_location(arn: &str) -> Option<(&str, &str)> {
    let mut parts = arn.splitn(7, ':');
    let region = parts.nth(3)?;
    let kind = parts.nth(1)?;
    if kind != "log-group" || region.is_empty() {
        return None;
    }
    let name = parts.next()?;
    Some((region, name.strip_suffix(":*").unwrap_or(name)))
}

/// Which directions of events (read-only calls, write calls) selectors record.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Directions {
    pub read: bool,
    pub write: bool,
}

impl Directions {
    const BOTH: Directions = Directions {
        read: true,
        write: true,
    };

    /// A basic selector's ReadWriteType.
    fn of_read_write_type(kind: &str) -> Self {
        match kind {
            "All" => Directions::BOTH,
            "ReadOnly" => Directions {
                read: true,
                write: false,
            },
            "WriteOnly" => Directions {
                read: false,
                write: true,
            },
            _ => Directions::default(),
        }
    }

    fn add(&mut self, other: Directions) {
        self.read |= other.read;
        self.write |= other.write;
    }

    /// What an advanced selector's `readOnly` field leaves of these.
    fn narrow(&mut self, read_only: &FieldSelector) {
        let has = |values: &[String], value: &str| values.iter().any(|v| v == value);
        if has(&read_only.equals, "true") || has(&read_only.not_equals, "false") {
            self.write = false;
        }
        if has(&read_only.equals, "false") || has(&read_only.not_equals, "true") {
            self.read = false;
        }
    }
}

impl FieldSelector {
    /// Equals and NotEquals only: prefix operators narrow in ways this does not judge.
    fn is_plain(&self) -> bool {
        self.starts_with.is_empty() && self.not_starts_with.is_empty()
    }

    fn equals_has(&self, value: &str) -> bool {
        self.equals.iter().any(|v| v == value)
    }

    fn not_equals_has(&self, value: &str) -> bool {
        self.not_equals.iter().any(|v| v == value)
    }
}

impl EventSelectors {
    /// The union over basic selectors `counts` admits and advanced selectors `advanced`
    /// can judge.
    fn directions(
        &self,
        counts: impl Fn(&BasicSelector) -> bool,
        advanced: impl Fn(&AdvancedSelector) -> Option<Directions>,
    ) -> Directions {
        let mut coverage = Directions::default();
        for selector in self.basic.iter().filter(|selector| counts(selector)) {
            coverage.add(Directions::of_read_write_type(&selector.read_write_type));
        }
        for found in self.advanced.iter().filter_map(advanced) {
            coverage.add(found);
        }
        coverage
    }

    /// The IAM management events (iam.amazonaws.com) the selectors record. Advanced
    /// selectors are read for eventCategory, readOnly and eventSource; any other field
    /// narrows what is recorded in ways this cannot judge, so such a selector counts for
    /// nothing (never more than it can be shown to record).
    pub fn iam_management(&self) -> Directions {
        self.directions(
            |selector| {
                selector.include_management_events
                    && !selector
                        .exclude_management_event_sources
                        .iter()
                        .any(|source| source == "iam.amazonaws.com")
            },
            AdvancedSelector::iam_management,
        )
    }

    /// S3 object-level events for all buckets: a basic selector on `AWS::S3::Object` with
    /// the all-buckets value (`arn:aws:s3`, or `arn:aws:s3:::` in any partition), or an
    /// advanced selector on eventCategory Data and resources.type AWS::S3::Object with no
    /// narrowing field (a bucket list, or a field this cannot judge, counts for nothing).
    pub fn s3_objects(&self) -> Directions {
        let all_buckets = |value: &String| {
            let value = value.trim_end_matches('*');
            value.starts_with("arn:") && (value.ends_with(":s3") || value.ends_with(":s3:::"))
        };
        self.directions(
            |selector| {
                selector.data_resources.iter().any(|(kind, values)| {
                    kind == "AWS::S3::Object" && values.iter().any(all_buckets)
                })
            },
            AdvancedSelector::s3_objects,
        )
    }
}

impl AdvancedSelector {
    fn iam_management(&self) -> Option<Directions> {
        let mut management = false;
        let mut coverage = Directions::BOTH;
        for field in &self.field_selectors {
            match field.field.as_str() {
                "eventCategory" if field.is_plain() => {
                    management =
                        field.equals_has("Management") && !field.not_equals_has("Management");
                }
                "readOnly" if field.is_plain() => coverage.narrow(field),
                "eventSource" if field.is_plain() => {
                    let excluded = (!field.equals.is_empty()
                        && !field.equals_has("iam.amazonaws.com"))
                        || field.not_equals_has("iam.amazonaws.com");
                    if excluded {
                        return None;
                    }
                }
                _ => return None,
            }
        }
        management.then_some(coverage)
    }

    fn s3_objects(&self) -> Option<Directions> {
        let (mut data, mut objects) = (false, false);
        let mut coverage = Directions::BOTH;
        for field in &self.field_selectors {
            let exact = field.is_plain() && field.not_equals.is_empty();
            match field.field.as_str() {
                "eventCategory" if exact => data = field.equals_has("Data"),
                "resources.type" if exact => {
                    objects = field.equals.len() == 1 && field.equals_has("AWS::S3::Object")
                }
                "readOnly" if field.is_plain() => coverage.narrow(field),
                _ => return None,
            }
        }
        (data && objects).then_some(coverage)
    }
}

/// One operation that failed or one piece of data that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gap {
    /// The API operation (`GetAccountAuthorizationDetails`) or input (`--credential-report`).
    pub operation: String,
    /// The AWS error code (`AccessDenied`, `Throttling`) or a short kind (`InvalidPolicy`).
    pub error_code: String,
    pub message: String,
    /// The resource the gap concerns, when it is about one (a user, a policy).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "lowercase")]
pub enum PasswordPolicyState {
    /// GetAccountPasswordPolicy answered NoSuchEntity: the account uses AWS's defaults.
    Absent,
    Present(PasswordPolicy),
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordPolicy {
    #[serde(default)]
    pub minimum_password_length: Option<i32>,
    #[serde(default)]
    pub require_symbols: bool,
    #[serde(default)]
    pub require_numbers: bool,
    #[serde(default)]
    pub require_uppercase_characters: bool,
    #[serde(default)]
    pub require_lowercase_characters: bool,
    #[serde(default)]
    pub allow_users_to_change_password: bool,
    #[serde(default)]
    pub expire_passwords: bool,
    #[serde(default)]
    pub max_password_age: Option<i32>,
    #[serde(default)]
    pub password_reuse_prevention: Option<i32>,
    #[serde(default)]
    pub hard_expiry: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VirtualMfaDevice {
    pub serial_number: String,
    /// The ARN of the user (or `arn:aws:iam::ACCOUNT:root`) the device is assigned to.
    #[serde(default)]
    pub user_arn: Option<String>,
    #[serde(default)]
    pub user_name: Option<String>,
    #[serde(default)]
    pub enable_date: Option<DateTime<Utc>>,
}

impl VirtualMfaDevice {
    pub fn is_root(&self) -> bool {
        self.user_arn
            .as_deref()
            .is_some_and(|arn| arn.ends_with(":root"))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MfaKind {
    Virtual,
    /// Hardware TOTP tokens and FIDO security keys.
    Hardware,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MfaDevice {
    pub serial_number: String,
    pub kind: MfaKind,
    #[serde(default)]
    pub enable_date: Option<DateTime<Utc>>,
}

impl MfaDevice {
    /// Virtual devices have ARN serials with an `:mfa/` resource; hardware TOTP tokens have
    /// bare serials (`GAHT12345678`) and FIDO keys `:u2f/` ARNs.
    pub fn kind_of_serial(serial: &str) -> MfaKind {
        if serial.starts_with("arn:") && serial.contains(":mfa/") {
            MfaKind::Virtual
        } else {
            MfaKind::Hardware
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessKey {
    pub access_key_id: String,
    pub status: String,
    #[serde(default)]
    pub create_date: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OidcProvider {
    pub arn: String,
    /// Filled by GetOpenIDConnectProvider; `None` when that call failed (see gaps).
    #[serde(default)]
    pub details: Option<OidcProviderDetails>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OidcProviderDetails {
    pub url: String,
    #[serde(default)]
    pub client_ids: Vec<String>,
    #[serde(default)]
    pub thumbprints: Vec<String>,
    #[serde(default)]
    pub create_date: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SamlProvider {
    pub arn: String,
    #[serde(default)]
    pub create_date: Option<DateTime<Utc>>,
    #[serde(default)]
    pub valid_until: Option<DateTime<Utc>>,
}

/// Why an input file could not be used. Every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}:{line}:{column}: {message}")]
    Parse {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
}

pub(crate) fn read_file(path: &Path) -> Result<String, LoadError> {
    std::fs::read_to_string(path).map_err(|source| LoadError::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// serde_json appends " at line L column C"; the position is reported separately.
pub(crate) fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(index) => message[..index].to_string(),
        None => message.to_string(),
    }
}

/// Turns a serde_json error on `path` into a `LoadError` that names the place.
pub fn json_error(path: &Path, error: serde_json::Error) -> LoadError {
    LoadError::Parse {
        path: path.to_path_buf(),
        line: error.line(),
        column: error.column(),
        message: strip_position(&error.to_string()),
    }
}

/// An AWS managed policy (`arn:aws:iam::aws:policy/...`, in any partition).
pub fn is_aws_managed_policy(arn: &str) -> bool {
    arn.split(':').nth(4) == Some("aws")
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InlinePolicy {
    pub name: String,
    /// `None` when the document could not be parsed (a gap names it).
    pub document: Option<PolicyDocument>,
}
