//! How permissions are organised: through groups, not on users directly.

use super::{Context, Emitter, Resource, require};
use std::collections::BTreeSet;

pub fn user_direct_policies(context: &Context, emit: &mut Emitter) {
    let details = require!(context, emit, context.authorization());
    if details.users.is_empty() {
        emit.skipped(
            Resource::new(context.account_arn(), "AwsAccount"),
            "the account has no IAM users",
        );
        return;
    }
    for user in &details.users {
        let resource = Resource::new(&user.arn, "AwsIamUser");
        let mut direct: Vec<String> = user
            .inline_policies
            .iter()
            .map(|policy| format!("inline {}", policy.name))
            .collect();
        direct.extend(
            user.attached_policies
                .iter()
                .map(|policy| format!("attached {}", policy.name)),
        );
        if direct.is_empty() {
            emit.pass(
                resource,
                format!(
                    "user {} gets its permissions only through groups",
                    user.name
                ),
            );
            continue;
        }
        let mut values = vec![("user_name", user.name.clone())];
        if let Some(policy) = user.inline_policies.first() {
            values.push(("policy_name", policy.name.clone()));
        }
        if let Some(policy) = user.attached_policies.first() {
            values.push(("policy_arn", policy.arn.clone()));
        }
        emit.fail(
            resource,
            format!(
                "user {} has policies of its own: {}",
                user.name,
                direct.join(", ")
            ),
            &values,
        );
    }
}

pub fn group_without_users(context: &Context, emit: &mut Emitter) {
    let details = require!(context, emit, context.authorization());
    if details.groups.is_empty() {
        emit.skipped(
            Resource::new(context.account_arn(), "AwsAccount"),
            "the account has no IAM groups",
        );
        return;
    }
    let members: BTreeSet<&str> = details
        .users
        .iter()
        .flat_map(|user| user.groups.iter().map(String::as_str))
        .collect();
    for group in &details.groups {
        let resource = Resource::new(&group.arn, "AwsIamGroup");
        if members.contains(group.name.as_str()) {
            emit.pass(resource, format!("group {} has members", group.name));
        } else {
            emit.fail(
                resource,
                format!("group {} has no users", group.name),
                &[("group_name", group.name.clone())],
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::fixtures::*;
    use crate::finding::Status;
    use crate::inventory::fixtures::group;
    use crate::inventory::gaad::{AttachedPolicy, User};
    use crate::inventory::{AuthorizationDetails, InlinePolicy};

    fn user(name: &str, groups: &[&str]) -> User {
        User {
            groups: groups.iter().map(|group| group.to_string()).collect(),
            ..crate::inventory::fixtures::user(name)
        }
    }

    #[test]
    fn users_with_inline_or_attached_policies_fail_and_name_them() {
        let mut direct = user("direct", &[]);
        direct.inline_policies.push(InlinePolicy {
            name: "s3-access".into(),
            document: None,
        });
        direct.attached_policies.push(AttachedPolicy {
            name: "ReadOnlyAccess".into(),
            arn: "arn:aws:iam::aws:policy/ReadOnlyAccess".into(),
        });
        let inventory = inventory_with_authorization(AuthorizationDetails {
            users: vec![direct, user("grouped", &["devs"])],
            groups: vec![group("devs")],
            ..Default::default()
        });
        let findings = run("user-direct-policies", &inventory);
        assert_eq!(findings[0].status, Status::Fail);
        assert_eq!(
            findings[0].message,
            "user direct has policies of its own: inline s3-access, attached ReadOnlyAccess"
        );
        assert_eq!(findings[1].status, Status::Pass);
    }

    #[test]
    fn groups_nobody_is_in_fail() {
        let inventory = inventory_with_authorization(AuthorizationDetails {
            users: vec![user("alice", &["devs"])],
            groups: vec![group("devs"), group("old-admins")],
            ..Default::default()
        });
        assert_eq!(
            outcomes("group-without-users", &inventory),
            vec![
                ("devs".into(), Status::Pass),
                ("old-admins".into(), Status::Fail)
            ]
        );
    }

    #[test]
    fn without_authorization_details_structure_checks_are_errors() {
        let inventory = inventory_with_report(vec![]);
        assert_eq!(
            statuses("user-direct-policies", &inventory),
            vec![Status::Error]
        );
        assert_eq!(
            statuses("group-without-users", &inventory),
            vec![Status::Error]
        );
    }
}
