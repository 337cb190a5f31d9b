//! GetAccountAuthorizationDetails: users, groups, roles and managed policies, every page,
//! converted into the inventory model with each policy document parsed once.
//!
//! The conversion follows `inventory::gaad`'s loader of the CLI export, label for label, so a
//! gap reads the same whichever way the data came in.

use super::Collected;
use super::api::{for_each_page, to_utc};
use super::progress::{Phase, count};
use crate::inventory::gaad::{
    AttachedPolicy, AuthorizationDetails, Documents, Group, ManagedPolicy, OPERATION, RawDocument,
    Role, User, name_from_arn,
};
use crate::inventory::{Gap, InlinePolicy};
use aws_sdk_iam::operation::get_account_authorization_details::GetAccountAuthorizationDetailsOutput;
use aws_sdk_iam::types::{
    AttachedPermissionsBoundary, EntityType, GroupDetail, ManagedPolicyDetail, PolicyDetail,
    RoleDetail, Tag, UserDetail,
};

/// The most items one page may hold.
const PAGE_SIZE: i32 = 1000;

pub(crate) async fn collect(
    client: &aws_sdk_iam::Client,
    phase: Phase,
) -> Collected<Option<AuthorizationDetails>> {
    let mut details = AuthorizationDetails::default();
    // Document gaps count only if the whole listing arrives.
    let mut document_gaps = Vec::new();
    let listed = for_each_page(
        OPERATION,
        |marker| {
            client
                .get_account_authorization_details()
                .filter(EntityType::User)
                .filter(EntityType::Role)
                .filter(EntityType::Group)
                .filter(EntityType::LocalManagedPolicy)
                .filter(EntityType::AwsManagedPolicy)
                .max_items(PAGE_SIZE)
                .set_marker(marker)
                .send()
        },
        |page| {
            add_page(&mut details, page, &mut document_gaps);
            phase.update(summary(&details, None));
        },
    )
    .await;
    match listed {
        Ok(pages) => {
            phase.done(summary(&details, Some(pages)));
            Collected {
                value: Some(details),
                gaps: document_gaps,
            }
        }
        Err(gap) => {
            phase.failed(&gap);
            Collected {
                value: None,
                gaps: vec![gap],
            }
        }
    }
}

fn summary(details: &AuthorizationDetails, pages: Option<u32>) -> String {
    let counts = [
        count(details.users.len(), "user", "users"),
        count(details.roles.len(), "role", "roles"),
        count(details.groups.len(), "group", "groups"),
        count(details.policies.len(), "policy", "policies"),
    ]
    .join(", ");
    match pages {
        Some(pages) => format!("{counts} ({})", count(pages as usize, "page", "pages")),
        None => counts,
    }
}

fn add_page(
    details: &mut AuthorizationDetails,
    page: GetAccountAuthorizationDetailsOutput,
    gaps: &mut Vec<Gap>,
) {
    let documents = &mut Documents {
        operation: OPERATION,
        gaps,
    };
    details.users.extend(
        page.user_detail_list()
            .iter()
            .map(|user| convert_user(user, documents)),
    );
    details.groups.extend(
        page.group_detail_list()
            .iter()
            .map(|group| convert_group(group, documents)),
    );
    details.roles.extend(
        page.role_detail_list()
            .iter()
            .map(|role| convert_role(role, documents)),
    );
    details.policies.extend(
        page.policies()
            .iter()
            .map(|policy| convert_policy(policy, documents)),
    );
}

fn text(value: Option<&str>) -> String {
    value.unwrap_or_default().to_string()
}

fn attached(list: &[aws_sdk_iam::types::AttachedPolicy]) -> Vec<AttachedPolicy> {
    list.iter()
        .map(|policy| {
            let arn = text(policy.policy_arn());
            AttachedPolicy {
                // Emulators leave the name out; IAM would have given the ARN's last segment.
                name: policy
                    .policy_name()
                    .map_or_else(|| name_from_arn(&arn), str::to_owned),
                arn,
            }
        })
        .collect()
}

fn inline(list: &[PolicyDetail], owner: &str, documents: &mut Documents) -> Vec<InlinePolicy> {
    list.iter()
        .map(|policy| {
            documents.inline(
                text(policy.policy_name()),
                policy.policy_document().map(RawDocument::Encoded),
                owner,
            )
        })
        .collect()
}

fn boundary(boundary: Option<&AttachedPermissionsBoundary>) -> Option<String> {
    boundary
        .and_then(|boundary| boundary.permissions_boundary_arn())
        .map(str::to_owned)
}

fn tags(list: &[Tag]) -> crate::inventory::Tags {
    list.iter()
        .map(|tag| (tag.key().to_string(), tag.value().to_string()))
        .collect()
}

fn convert_user(user: &UserDetail, documents: &mut Documents) -> User {
    let name = text(user.user_name());
    User {
        inline_policies: inline(user.user_policy_list(), &format!("user {name}"), documents),
        arn: text(user.arn()),
        id: text(user.user_id()),
        path: text(user.path()),
        create_date: user.create_date().and_then(to_utc),
        groups: user.group_list().to_vec(),
        attached_policies: attached(user.attached_managed_policies()),
        permissions_boundary: boundary(user.permissions_boundary()),
        tags: tags(user.tags()),
        name,
    }
}

fn convert_group(group: &GroupDetail, documents: &mut Documents) -> Group {
    let name = text(group.group_name());
    Group {
        inline_policies: inline(
            group.group_policy_list(),
            &format!("group {name}"),
            documents,
        ),
        arn: text(group.arn()),
        id: text(group.group_id()),
        path: text(group.path()),
        create_date: group.create_date().and_then(to_utc),
        attached_policies: attached(group.attached_managed_policies()),
        name,
    }
}

fn convert_role(role: &RoleDetail, documents: &mut Documents) -> Role {
    let name = text(role.role_name());
    let last_used = role.role_last_used();
    Role {
        assume_role_policy: documents.trust(
            role.assume_role_policy_document().map(RawDocument::Encoded),
            &name,
        ),
        inline_policies: inline(role.role_policy_list(), &format!("role {name}"), documents),
        arn: text(role.arn()),
        id: text(role.role_id()),
        path: text(role.path()),
        create_date: role.create_date().and_then(to_utc),
        attached_policies: attached(role.attached_managed_policies()),
        permissions_boundary: boundary(role.permissions_boundary()),
        last_used: last_used
            .and_then(|used| used.last_used_date())
            .and_then(to_utc),
        last_used_region: last_used.and_then(|used| used.region()).map(str::to_owned),
        tags: tags(role.tags()),
        name,
    }
}

fn convert_policy(policy: &ManagedPolicyDetail, documents: &mut Documents) -> ManagedPolicy {
    let arn = text(policy.arn());
    let default_version_id = policy.default_version_id().map(str::to_owned);
    // Only the default version is in force; the others are not even parsed.
    let default_version = policy.policy_version_list().iter().find(|version| {
        version.is_default_version()
            || (default_version_id.is_some()
                && version.version_id() == default_version_id.as_deref())
    });
    let document = documents.managed(
        &arn,
        default_version
            .and_then(|version| version.document())
            .map(RawDocument::Encoded),
    );
    ManagedPolicy {
        name: policy
            .policy_name()
            .map_or_else(|| name_from_arn(&arn), str::to_owned),
        id: text(policy.policy_id()),
        path: text(policy.path()),
        default_version_id,
        attachment_count: policy.attachment_count().unwrap_or(0),
        permissions_boundary_usage_count: policy.permissions_boundary_usage_count().unwrap_or(0),
        is_attachable: policy.is_attachable(),
        create_date: policy.create_date().and_then(to_utc),
        update_date: policy.update_date().and_then(to_utc),
        document,
        arn,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Effect;
    use aws_sdk_iam::primitives::DateTime;
    use aws_sdk_iam::types::{PolicyVersion, RoleLastUsed};

    /// `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`,
    /// URL-encoded as the API sends it.
    const ENCODED_TRUST: &str = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Service%22%3A%22ec2.amazonaws.com%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D";

    fn role() -> RoleDetail {
        RoleDetail::builder()
            .role_name("deployer")
            .role_id("AROAEXAMPLE")
            .arn("arn:aws:iam::123456789012:role/ci/deployer")
            .path("/ci/")
            .create_date(DateTime::from_secs(1_600_000_000))
            .assume_role_policy_document(ENCODED_TRUST)
            .role_policy_list(
                PolicyDetail::builder()
                    .policy_name("broken")
                    .policy_document("%7B%22Statement%22%3A%22nope%22%7D")
                    .build(),
            )
            .attached_managed_policies(
                aws_sdk_iam::types::AttachedPolicy::builder()
                    .policy_arn("arn:aws:iam::aws:policy/ReadOnlyAccess")
                    .build(),
            )
            .role_last_used(
                RoleLastUsed::builder()
                    .last_used_date(DateTime::from_secs(1_700_000_000))
                    .region("eu-west-1")
                    .build(),
            )
            .tags(
                Tag::builder()
                    .key("team")
                    .value("platform")
                    .build()
                    .expect("a valid tag"),
            )
            .build()
    }

    #[test]
    fn a_role_converts_with_its_decoded_trust_policy_and_an_illegal_inline_policy_as_a_named_gap() {
        let mut gaps = Vec::new();
        let role = convert_role(
            &role(),
            &mut Documents {
                operation: OPERATION,
                gaps: &mut gaps,
            },
        );

        let trust = role.assume_role_policy.expect("the trust policy parses");
        assert_eq!(trust.statements.len(), 1);
        assert_eq!(trust.statements[0].effect, Effect::Allow);
        assert_eq!(role.path, "/ci/");
        assert_eq!(role.last_used_region.as_deref(), Some("eu-west-1"));
        assert_eq!(
            role.last_used.map(|date| date.timestamp()),
            Some(1_700_000_000)
        );
        assert_eq!(role.tags.get("team").map(String::as_str), Some("platform"));
        // The name left out by emulators comes from the ARN.
        assert_eq!(role.attached_policies[0].name, "ReadOnlyAccess");

        assert_eq!(role.inline_policies.len(), 1);
        assert_eq!(role.inline_policies[0].name, "broken");
        assert_eq!(role.inline_policies[0].document, None);
        assert_eq!(gaps.len(), 1);
        assert_eq!(gaps[0].operation, "GetAccountAuthorizationDetails");
        assert_eq!(gaps[0].error_code, "InvalidPolicyDocument");
        assert_eq!(
            gaps[0].resource.as_deref(),
            Some("inline policy broken of role deployer")
        );
    }

    #[test]
    fn a_managed_policy_keeps_only_its_default_version_document() {
        let allow = "%7B%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22*%22%2C%22Resource%22%3A%22*%22%7D%5D%7D";
        let policy = ManagedPolicyDetail::builder()
            .arn("arn:aws:iam::123456789012:policy/admin")
            .default_version_id("v2")
            .attachment_count(3)
            .policy_version_list(
                PolicyVersion::builder()
                    .version_id("v1")
                    .document("not a policy")
                    .build(),
            )
            .policy_version_list(
                PolicyVersion::builder()
                    .version_id("v2")
                    .document(allow)
                    .build(),
            )
            .build();
        let mut gaps = Vec::new();
        let converted = convert_policy(
            &policy,
            &mut Documents {
                operation: OPERATION,
                gaps: &mut gaps,
            },
        );
        assert!(
            gaps.is_empty(),
            "the old, illegal version is never parsed: {gaps:?}"
        );
        assert_eq!(converted.name, "admin");
        assert_eq!(converted.attachment_count, 3);
        assert!(converted.document.is_some());
    }

    #[test]
    fn a_managed_policy_without_its_default_version_is_a_gap() {
        let policy = ManagedPolicyDetail::builder()
            .policy_name("orphan")
            .arn("arn:aws:iam::123456789012:policy/orphan")
            .default_version_id("v3")
            .build();
        let mut gaps = Vec::new();
        let converted = convert_policy(
            &policy,
            &mut Documents {
                operation: OPERATION,
                gaps: &mut gaps,
            },
        );
        assert_eq!(converted.document, None);
        assert_eq!(gaps[0].error_code, "MissingPolicyVersion");
        assert_eq!(
            gaps[0].resource.as_deref(),
            Some("arn:aws:iam::123456789012:policy/orphan")
        );
    }
}
