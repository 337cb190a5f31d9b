//! Users, groups, roles and managed policies, as GetAccountAuthorizationDetails gives them,
//! and the loader for the AWS CLI's export of it (`aws iam get-account-authorization-details`).

use super::Tags;
use super::{Gap, InlinePolicy, LoadError, is_aws_managed_policy, json_error};
use crate::policy::PolicyDocument;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;
use std::path::Path;

pub const OPERATION: &str = "GetAccountAuthorizationDetails";

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AuthorizationDetails {
    pub users: Vec<User>,
    pub groups: Vec<Group>,
    pub roles: Vec<Role>,
    pub policies: Vec<ManagedPolicy>,
    /// The organization's service control policies over the account, which cap every
    /// principal above: collected by an organization-wide scan, absent otherwise. It lives
    /// here, beside the policies it caps, because every reader of the permissions (the
    /// checks, the escalation analysis) is handed these details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<super::OrgContext>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachedPolicy {
    pub name: String,
    pub arn: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub name: String,
    pub arn: String,
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub path: String,
    #[serde(default)]
    pub create_date: Option<DateTime<Utc>>,
    #[serde(default)]
    pub groups: Vec<String>,
    #[serde(default)]
    pub attached_policies: Vec<AttachedPolicy>,
    #[serde(default)]
    pub inline_policies: Vec<InlinePolicy>,
    #[serde(default)]
    pub permissions_boundary: Option<String>,
    #[serde(default)]
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    pub name: String,
    pub arn: String,
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub path: String,
    #[serde(default)]
    pub create_date: Option<DateTime<Utc>>,
    #[serde(default)]
    pub attached_policies: Vec<AttachedPolicy>,
    #[serde(default)]
    pub inline_policies: Vec<InlinePolicy>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Role {
    pub name: String,
    pub arn: String,
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub path: String,
    #[serde(default)]
    pub create_date: Option<DateTime<Utc>>,
    /// The trust policy; `None` when it could not be parsed (a gap names it).
    #[serde(default)]
    pub assume_role_policy: Option<PolicyDocument>,
    #[serde(default)]
    pub attached_policies: Vec<AttachedPolicy>,
    #[serde(default)]
    pub inline_policies: Vec<InlinePolicy>,
    #[serde(default)]
    pub permissions_boundary: Option<String>,
    #[serde(default)]
    pub last_used: Option<DateTime<Utc>>,
    #[serde(default)]
    pub last_used_region: Option<String>,
    #[serde(default)]
    pub tags: Tags,
}

impl Role {
    /// Service-linked roles are created and managed by AWS services, not by the account.
    pub fn is_service_linked(&self) -> bool {
        self.path.starts_with("/aws-service-role/")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManagedPolicy {
    pub name: String,
    pub arn: String,
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub path: String,
    #[serde(default)]
    pub default_version_id: Option<String>,
    #[serde(default)]
    pub attachment_count: i32,
    #[serde(default)]
    pub permissions_boundary_usage_count: i32,
    #[serde(default = "yes")]
    pub is_attachable: bool,
    #[serde(default)]
    pub create_date: Option<DateTime<Utc>>,
    #[serde(default)]
    pub update_date: Option<DateTime<Utc>>,
    /// The default version's document; `None` when it could not be parsed (a gap names it).
    #[serde(default)]
    pub document: Option<PolicyDocument>,
}

fn yes() -> bool {
    true
}

impl ManagedPolicy {
    pub fn is_aws_managed(&self) -> bool {
        is_aws_managed_policy(&self.arn)
    }

    /// An emulator lists every AWS managed policy where the real API lists only attached
    /// ones: an AWS managed policy matters only through its attachments.
    pub fn is_in_use(&self) -> bool {
        self.attachment_count > 0 || self.permissions_boundary_usage_count > 0
    }
}

fn managed_policy(
    policy: ExportPolicy,
    name: String,
    document: Option<PolicyDocument>,
) -> ManagedPolicy {
    ManagedPolicy {
        name,
        arn: policy.arn,
        id: policy.policy_id,
        path: policy.path,
        default_version_id: policy.default_version_id,
        attachment_count: policy.attachment_count,
        permissions_boundary_usage_count: policy.permissions_boundary_usage_count,
        is_attachable: policy.is_attachable,
        create_date: policy.create_date,
        update_date: policy.update_date,
        document,
    }
}

/// The last segment of an ARN's resource path: the name IAM would have given.
pub fn name_from_arn(arn: &str) -> String {
    arn.rsplit('/').next().unwrap_or(arn).to_string()
}

/// A policy document as a source gives it: a JSON object from the AWS CLI, or the
/// URL-encoded text the API returns.
#[derive(Clone, Copy)]
pub enum RawDocument<'a> {
    Json(&'a Value),
    Encoded(&'a str),
}

impl<'a> From<&'a Value> for RawDocument<'a> {
    fn from(value: &'a Value) -> Self {
        match value {
            Value::String(text) => RawDocument::Encoded(text),
            other => RawDocument::Json(other),
        }
    }
}

/// How both sources (the API and the CLI export) turn documents into the model: one parse
/// each, and an illegal or missing document becomes a gap that names its owner.
pub struct Documents<'g> {
    pub operation: &'static str,
    pub gaps: &'g mut Vec<Gap>,
}

impl Documents<'_> {
    fn parse(
        &mut self,
        raw: Option<RawDocument>,
        label: &str,
        missing_code: &str,
        resource: &str,
    ) -> Option<PolicyDocument> {
        let (error_code, message) = match raw {
            None => (missing_code, format!("{label} has no document")),
            Some(raw) => {
                let parsed = match raw {
                    RawDocument::Encoded(text) => PolicyDocument::decode(text),
                    RawDocument::Json(value) => PolicyDocument::from_value(value),
                };
                match parsed {
                    Ok(document) => return Some(document),
                    Err(error) => (
                        "InvalidPolicyDocument",
                        format!("{label} could not be parsed: {error}"),
                    ),
                }
            }
        };
        self.gaps.push(Gap {
            operation: self.operation.to_string(),
            error_code: error_code.to_string(),
            message,
            resource: Some(resource.to_string()),
        });
        None
    }

    /// An inline policy of `owner` ("user alice", "role deployer").
    pub fn inline(&mut self, name: String, raw: Option<RawDocument>, owner: &str) -> InlinePolicy {
        let label = format!("inline policy {name} of {owner}");
        InlinePolicy {
            document: self.parse(raw, &label, "InvalidPolicyDocument", &label),
            name,
        }
    }

    /// A role's trust policy. A role without one cannot be assumed: nothing is missed.
    pub fn trust(&mut self, raw: Option<RawDocument>, role_name: &str) -> Option<PolicyDocument> {
        let label = format!("trust policy of role {role_name}");
        raw.and_then(|raw| self.parse(Some(raw), &label, "InvalidPolicyDocument", &label))
    }

    /// The default version's document of a managed policy.
    pub fn managed(&mut self, arn: &str, raw: Option<RawDocument>) -> Option<PolicyDocument> {
        let label = format!("default version of managed policy {arn}");
        self.parse(raw, &label, "MissingPolicyVersion", arn)
    }
}

// The AWS CLI's JSON, field for field. Only what the model keeps is read.

// Documents are kept as their text in the file, and each is parsed only as it is converted:
// parsed all at once, their trees (a third of a large export's memory) were freed among
// the model's own allocations, and left the process a quarter gigabyte of holes at 100,000
// principals.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Export<'a> {
    /// `None` when the key is absent: an object with none of the four is not an export.
    #[serde(default, borrow)]
    user_detail_list: Option<Vec<ExportUser<'a>>>,
    #[serde(default, borrow)]
    group_detail_list: Option<Vec<ExportGroup<'a>>>,
    #[serde(default, borrow)]
    role_detail_list: Option<Vec<ExportRole<'a>>>,
    #[serde(default)]
    policies: Option<Vec<ExportPolicy>>,
}

impl Export<'_> {
    fn has_any_list(&self) -> bool {
        self.user_detail_list.is_some()
            || self.group_detail_list.is_some()
            || self.role_detail_list.is_some()
            || self.policies.is_some()
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ExportAttached {
    #[serde(default)]
    policy_name: Option<String>,
    policy_arn: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ExportInline<'a> {
    policy_name: String,
    #[serde(borrow)]
    policy_document: &'a RawValue,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ExportBoundary {
    permissions_boundary_arn: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ExportTag {
    key: String,
    value: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ExportUser<'a> {
    user_name: String,
    arn: String,
    #[serde(default)]
    user_id: String,
    #[serde(default)]
    path: String,
    #[serde(default)]
    create_date: Option<DateTime<Utc>>,
    #[serde(default)]
    group_list: Vec<String>,
    #[serde(default)]
    attached_managed_policies: Vec<ExportAttached>,
    #[serde(default, borrow)]
    user_policy_list: Vec<ExportInline<'a>>,
    #[serde(default)]
    permissions_boundary: Option<ExportBoundary>,
    #[serde(default)]
    tags: Vec<ExportTag>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ExportGroup<'a> {
    group_name: String,
    arn: String,
    #[serde(default)]
    group_id: String,
    #[serde(default)]
    path: String,
    #[serde(default)]
    create_date: Option<DateTime<Utc>>,
    #[serde(default)]
    attached_managed_policies: Vec<ExportAttached>,
    #[serde(default, borrow)]
    group_policy_list: Vec<ExportInline<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ExportRoleLastUsed {
    #[serde(default)]
    last_used_date: Option<DateTime<Utc>>,
    #[serde(default)]
    region: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ExportRole<'a> {
    role_name: String,
    arn: String,
    #[serde(default)]
    role_id: String,
    #[serde(default)]
    path: String,
    #[serde(default)]
    create_date: Option<DateTime<Utc>>,
    #[serde(default, borrow)]
    assume_role_policy_document: Option<&'a RawValue>,
    #[serde(default)]
    attached_managed_policies: Vec<ExportAttached>,
    #[serde(default, borrow)]
    role_policy_list: Vec<ExportInline<'a>>,
    #[serde(default)]
    permissions_boundary: Option<ExportBoundary>,
    #[serde(default)]
    role_last_used: Option<ExportRoleLastUsed>,
    #[serde(default)]
    tags: Vec<ExportTag>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ExportPolicyVersion {
    /// Kept as text until it is known to be needed: an export lists every version of every
    /// policy, and an emulator every AWS managed policy, attached or not.
    #[serde(default)]
    document: Option<Box<RawValue>>,
    #[serde(default)]
    version_id: Option<String>,
    #[serde(default)]
    is_default_version: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ExportPolicy {
    #[serde(default)]
    policy_name: Option<String>,
    arn: String,
    #[serde(default)]
    policy_id: String,
    #[serde(default)]
    path: String,
    #[serde(default)]
    default_version_id: Option<String>,
    #[serde(default, deserialize_with = "null_as_zero")]
    attachment_count: i32,
    #[serde(default, deserialize_with = "null_as_zero")]
    permissions_boundary_usage_count: i32,
    #[serde(default = "yes")]
    is_attachable: bool,
    #[serde(default)]
    create_date: Option<DateTime<Utc>>,
    #[serde(default)]
    update_date: Option<DateTime<Utc>>,
    #[serde(default)]
    policy_version_list: Vec<ExportPolicyVersion>,
}

/// Some exports write `null` for a count IAM leaves out (seen in published exports).
fn null_as_zero<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<i32, D::Error> {
    Ok(Option::<i32>::deserialize(deserializer)?.unwrap_or(0))
}

/// `list` converted item by item into a Vec of exactly its length. A list parsed from JSON
/// has room for four items however few it holds, and collecting in place would keep that
/// room in the model: a principal's lists mostly hold one or two items.
fn exact<T, U>(list: Vec<T>, convert: impl FnMut(T) -> U) -> Vec<U> {
    let mut converted = Vec::with_capacity(list.len());
    converted.extend(list.into_iter().map(convert));
    converted
}

fn attached(list: Vec<ExportAttached>) -> Vec<AttachedPolicy> {
    exact(list, |policy| AttachedPolicy {
        name: policy
            .policy_name
            .unwrap_or_else(|| name_from_arn(&policy.policy_arn)),
        arn: policy.policy_arn,
    })
}

fn inline(list: Vec<ExportInline>, owner: &str, documents: &mut Documents) -> Vec<InlinePolicy> {
    exact(list, |policy| {
        let name = policy.policy_name;
        parsed(Some(policy.policy_document), |raw| {
            documents.inline(name, raw, owner)
        })
    })
}

/// `convert` given the document in `raw`, parsed, or `None` without one.
fn parsed<T>(raw: Option<&RawValue>, convert: impl FnOnce(Option<RawDocument>) -> T) -> T {
    match raw.map(|raw| serde_json::from_str::<Value>(raw.get())) {
        Some(Ok(value)) => convert(Some(RawDocument::from(&value))),
        // RawValue holds valid JSON: unreachable, but never a panic.
        Some(Err(_)) | None => convert(None),
    }
}

fn tags(list: Vec<ExportTag>) -> Tags {
    list.into_iter().map(|tag| (tag.key, tag.value)).collect()
}

impl AuthorizationDetails {
    /// Parses the text of `aws iam get-account-authorization-details` output, as the
    /// loader does a file's; `path` only names the source in errors. Documents that are not
    /// policies become gaps; text that is not such an export is an error naming `path`. The
    /// fuzz target `authorization_details` and `tests/fuzz_seeds.rs` call it on arbitrary
    /// input.
    pub fn from_json(text: &str, path: &Path, gaps: &mut Vec<Gap>) -> Result<Self, LoadError> {
        let not_an_export = || {
            LoadError::Invalid {
            path: path.to_path_buf(),
            message: "not an authorization-details export: expected an object with UserDetailList, GroupDetailList, RoleDetailList or Policies".into(),
        }
        };
        // One typed parse; only when it fails on the data is the text looked at again, to
        // tell "some other JSON file" from "an export with a bad field".
        match serde_json::from_str::<Export>(text) {
            Ok(export) if export.has_any_list() => Ok(Self::from_export(export, gaps)),
            Ok(_) => Err(not_an_export()),
            Err(error) if error.is_data() => {
                let looks_like_export = serde_json::from_str::<Value>(text)
                    .ok()
                    .and_then(|value| {
                        value.as_object().map(|object| {
                            [
                                "UserDetailList",
                                "GroupDetailList",
                                "RoleDetailList",
                                "Policies",
                            ]
                            .iter()
                            .any(|key| object.contains_key(*key))
                        })
                    })
                    .unwrap_or(false);
                if looks_like_export {
                    Err(json_error(path, error))
                } else {
                    Err(not_an_export())
                }
            }
            Err(error) => Err(json_error(path, error)),
        }
    }

    fn from_export(export: Export, gaps: &mut Vec<Gap>) -> Self {
        let documents = &mut Documents {
            operation: OPERATION,
            gaps,
        };
        // Every managed policy some principal holds or is bounded by, whatever the
        // policies' own attachment counts say.
        let in_use: std::collections::HashSet<String> = export
            .user_detail_list
            .iter()
            .flatten()
            .flat_map(|user| {
                user.attached_managed_policies
                    .iter()
                    .map(|attached| attached.policy_arn.clone())
                    .chain(
                        user.permissions_boundary
                            .iter()
                            .map(|b| b.permissions_boundary_arn.clone()),
                    )
            })
            .chain(export.group_detail_list.iter().flatten().flat_map(|group| {
                group
                    .attached_managed_policies
                    .iter()
                    .map(|attached| attached.policy_arn.clone())
            }))
            .chain(export.role_detail_list.iter().flatten().flat_map(|role| {
                role.attached_managed_policies
                    .iter()
                    .map(|attached| attached.policy_arn.clone())
                    .chain(
                        role.permissions_boundary
                            .iter()
                            .map(|b| b.permissions_boundary_arn.clone()),
                    )
            }))
            .collect();
        let users = export
            .user_detail_list
            .unwrap_or_default()
            .into_iter()
            .map(|user| {
                let owner = format!("user {}", user.user_name);
                User {
                    inline_policies: inline(user.user_policy_list, &owner, documents),
                    name: user.user_name,
                    arn: user.arn,
                    id: user.user_id,
                    path: user.path,
                    create_date: user.create_date,
                    groups: exact(user.group_list, |group| group),
                    attached_policies: attached(user.attached_managed_policies),
                    permissions_boundary: user
                        .permissions_boundary
                        .map(|b| b.permissions_boundary_arn),
                    tags: tags(user.tags),
                }
            })
            .collect();
        let groups = export
            .group_detail_list
            .unwrap_or_default()
            .into_iter()
            .map(|group| {
                let owner = format!("group {}", group.group_name);
                Group {
                    inline_policies: inline(group.group_policy_list, &owner, documents),
                    name: group.group_name,
                    arn: group.arn,
                    id: group.group_id,
                    path: group.path,
                    create_date: group.create_date,
                    attached_policies: attached(group.attached_managed_policies),
                }
            })
            .collect();
        let roles = export
            .role_detail_list
            .unwrap_or_default()
            .into_iter()
            .map(|role| {
                let owner = format!("role {}", role.role_name);
                let (last_used, last_used_region) = role
                    .role_last_used
                    .map(|used| (used.last_used_date, used.region))
                    .unwrap_or_default();
                Role {
                    assume_role_policy: parsed(role.assume_role_policy_document, |raw| {
                        documents.trust(raw, &role.role_name)
                    }),
                    inline_policies: inline(role.role_policy_list, &owner, documents),
                    name: role.role_name,
                    arn: role.arn,
                    id: role.role_id,
                    path: role.path,
                    create_date: role.create_date,
                    attached_policies: attached(role.attached_managed_policies),
                    permissions_boundary: role
                        .permissions_boundary
                        .map(|b| b.permissions_boundary_arn),
                    last_used,
                    last_used_region,
                    tags: tags(role.tags),
                }
            })
            .collect();
        let policies = export
            .policies
            .unwrap_or_default()
            .into_iter()
            .map(|mut policy| {
                let name = policy
                    .policy_name
                    .take()
                    .unwrap_or_else(|| name_from_arn(&policy.arn));
                // An AWS managed policy nothing uses is AWS's public text and decides
                // nothing: it is listed without its document.
                if is_aws_managed_policy(&policy.arn)
                    && policy.attachment_count == 0
                    && policy.permissions_boundary_usage_count == 0
                    && !in_use.contains(policy.arn.as_str())
                {
                    return managed_policy(policy, name, None);
                }
                let default_version = policy.policy_version_list.iter().find(|version| {
                    version.is_default_version
                        || (policy.default_version_id.is_some()
                            && version.version_id == policy.default_version_id)
                });
                let raw = default_version.and_then(|version| version.document.as_deref());
                let document = parsed(raw, |raw| documents.managed(&policy.arn, raw));
                managed_policy(policy, name, document)
            })
            .collect();
        AuthorizationDetails {
            users,
            groups,
            roles,
            policies,
            organization: None,
        }
    }
}
