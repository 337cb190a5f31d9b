//! Administrator access: customer managed policies that allow `*` on `*`, and users,
//! groups and roles that are effectively administrators by any route.
//!
//! Identity policies, capped by the organization's service control policies when an
//! organization-wide scan collected them; resource control policies and resource-based
//! policies are not in an account's inventory. Findings say which was evaluated.

use super::{Context, Emitter, Resource, Settings, require};
use crate::finding::Severity;
use crate::inventory::gaad::ManagedPolicy;
use crate::inventory::{AuthorizationDetails, Inventory};
use crate::policy::matching::glob_match;
use crate::policy::permissions::{ADMIN_PROBES, document_access};
use crate::policy::{
    Access, GrantSource, Permissions, PolicyDocument, PolicySource, PrincipalKind,
};
use std::collections::BTreeMap;

/// An action of no service: only `*`-like patterns (or a NotAction that does not list it)
/// grant it, which is what tells "every action" from "many services".
pub(crate) const UNLISTED_ACTION: &str = "iamscan-unlisted-service:UnlistedAction";

pub(crate) const IDENTITY_ONLY: &str =
    "identity policies only: SCPs, RCPs and resource policies not evaluated";

pub(crate) const SCPS_APPLIED: &str =
    "identity policies and the organization's SCPs: RCPs and resource policies not evaluated";

/// What a permission answer took into account, for a finding's message.
pub(crate) fn policy_scope(scps_applied: bool) -> &'static str {
    if scps_applied {
        SCPS_APPLIED
    } else {
        IDENTITY_ONLY
    }
}

/// Whether the organization's SCPs cap the account's principals in this scan (as the
/// permission index applies them: a member account whose SCPs were collected).
pub(crate) fn scps_applied(context: &Context) -> bool {
    context
        .inventory
        .authorization
        .as_ref()
        .and_then(|details| details.organization.as_ref())
        .is_some_and(|organization| {
            organization.applies_to(context.inventory.account_id.as_deref())
        })
}

/// Whether a principal or policy is declared out of scope (`escalation_exclusions`): a
/// pattern (with `*` and `?`) matching its ARN or its name.
pub(crate) fn excluded<'s>(settings: &'s Settings, arn: &str, name: &str) -> Option<&'s str> {
    settings
        .escalation_exclusions
        .iter()
        .find(|pattern| glob_match(pattern, arn) || glob_match(pattern, name))
        .map(String::as_str)
}

/// Who holds each managed policy, for remediation that names real principals.
fn holders(details: &AuthorizationDetails) -> BTreeMap<&str, Vec<(PrincipalKind, &str)>> {
    let mut holders: BTreeMap<&str, Vec<(PrincipalKind, &str)>> = BTreeMap::new();
    let kinds = details
        .users
        .iter()
        .map(|user| {
            (
                PrincipalKind::User,
                user.name.as_str(),
                &user.attached_policies,
            )
        })
        .chain(details.groups.iter().map(|group| {
            (
                PrincipalKind::Group,
                group.name.as_str(),
                &group.attached_policies,
            )
        }))
        .chain(details.roles.iter().map(|role| {
            (
                PrincipalKind::Role,
                role.name.as_str(),
                &role.attached_policies,
            )
        }));
    for (kind, name, attached) in kinds {
        for policy in attached {
            holders
                .entry(policy.arn.as_str())
                .or_default()
                .push((kind, name));
        }
    }
    holders
}

/// Whether a document alone allows every action (the unlisted one and every probe) on
/// every resource: the condition that depends on, if any, and the granting statements.
fn allows_everything(
    policy: &ManagedPolicy,
    document: &PolicyDocument,
    context: &Context,
) -> Option<(Option<String>, Vec<GrantSource>)> {
    let source = PolicySource::Managed {
        arn: policy.arn.clone(),
        name: policy.name.clone(),
    };
    let mut conditions = Vec::new();
    let mut grants: Vec<GrantSource> = Vec::new();
    for action in std::iter::once(UNLISTED_ACTION).chain(ADMIN_PROBES.iter().copied()) {
        match document_access(document, source.clone(), action, "*", context.now) {
            Access::Allowed {
                conditional,
                grants: granted,
            } => {
                conditions.extend(conditional);
                for grant in granted {
                    if !grants.contains(&grant) {
                        grants.push(grant);
                    }
                }
            }
            Access::Denied { .. } | Access::NotAllowed => return None,
        }
    }
    conditions.dedup();
    Some((
        (!conditions.is_empty()).then(|| conditions.join("; ")),
        grants,
    ))
}

pub fn policy_full_admin(context: &Context, emit: &mut Emitter) {
    let details = require!(context, emit, context.authorization());
    let customer: Vec<&ManagedPolicy> = details
        .policies
        .iter()
        .filter(|policy| !policy.is_aws_managed())
        .collect();
    if customer.is_empty() {
        emit.skipped(
            Resource::new(context.account_arn(), "AwsAccount"),
            "the account has no customer managed policies",
        );
        return;
    }
    let holders = holders(details);
    for policy in customer {
        let resource = Resource::new(&policy.arn, "AwsIamPolicy");
        let Some(document) = &policy.document else {
            emit.error(
                resource,
                format!(
                    "the default version of policy {} could not be read (see the scan's gaps)",
                    policy.name
                ),
            );
            continue;
        };
        let Some((conditional, grants)) = allows_everything(policy, document, context) else {
            emit.pass(
                resource,
                format!("policy {} does not allow * on *", policy.name),
            );
            continue;
        };
        let statements: Vec<&str> = grants.iter().map(|grant| &*grant.statement).collect();
        let held_by = holders
            .get(policy.arn.as_str())
            .map(Vec::as_slice)
            .unwrap_or_default();
        if held_by.is_empty() && policy.permissions_boundary_usage_count > 0 {
            // A boundary that allows everything caps nothing; it grants nothing either.
            emit.pass(
                resource,
                format!(
                    "policy {} allows * on * ({}) but is used only as a permissions boundary, which grants nothing",
                    policy.name,
                    statements.join(", ")
                ),
            );
            continue;
        }
        let mut message = format!(
            "policy {} allows * on * in its default version ({})",
            policy.name,
            statements.join(", ")
        );
        if let Some(condition) = &conditional {
            message.push_str(&format!(", conditional on {condition}"));
        }
        let attached_count = held_by
            .len()
            .max(usize::try_from(policy.attachment_count).unwrap_or(0));
        let severity = if attached_count > 0 {
            let names: Vec<String> = held_by
                .iter()
                .map(|(kind, name)| format!("{}/{name}", kind.as_str()))
                .collect();
            if names.is_empty() {
                message.push_str(&format!("; attached to {attached_count} principal(s)"));
            } else {
                message.push_str(&format!("; attached to {}", names.join(", ")));
            }
            Severity::High
        } else {
            message.push_str("; not attached to anyone (one attach away from an administrator)");
            Severity::Medium
        };
        let mut values = vec![
            ("policy_arn", policy.arn.clone()),
            ("policy_name", policy.name.clone()),
        ];
        for (kind, placeholder) in [
            (PrincipalKind::User, "user_name"),
            (PrincipalKind::Group, "group_name"),
            (PrincipalKind::Role, "role_name"),
        ] {
            if let Some((_, name)) = held_by.iter().find(|(held_kind, _)| *held_kind == kind) {
                values.push((placeholder, name.to_string()));
            }
        }
        emit.fail_at(severity, resource, message, &values);
    }
}

/// Whether a user can sign in or call the API with long-term credentials: `None` when the
/// credential report is missing.
fn has_long_term_credentials(inventory: &Inventory, user_name: &str) -> Option<bool> {
    let report = inventory.credential_report.as_ref()?;
    let row = report.rows.iter().find(|row| row.user == user_name)?;
    Some(row.has_password() || row.active_keys().next().is_some())
}

fn resource_kind(kind: PrincipalKind) -> &'static str {
    match kind {
        PrincipalKind::User => "AwsIamUser",
        PrincipalKind::Group => "AwsIamGroup",
        PrincipalKind::Role => "AwsIamRole",
    }
}

fn severity_of(context: &Context, permissions: &Permissions) -> (Severity, Option<&'static str>) {
    let principal = permissions.principal();
    match principal.kind {
        PrincipalKind::User => match has_long_term_credentials(context.inventory, principal.name) {
            Some(false) => (
                Severity::Medium,
                Some("the user has no password and no active access key today"),
            ),
            _ => (Severity::High, None),
        },
        // Roles and groups: administrator roles exist by design; what matters is who can
        // reach them, which the escalation and trust checks judge.
        PrincipalKind::Role | PrincipalKind::Group => (Severity::Medium, None),
    }
}

pub fn principal_effective_admin(context: &Context, emit: &mut Emitter) {
    let permissions = require!(context, emit, context.permissions());
    let details = require!(context, emit, context.authorization());
    let service_linked: std::collections::BTreeSet<&str> = details
        .roles
        .iter()
        .filter(|role| role.is_service_linked())
        .map(|role| role.arn.as_str())
        .collect();
    let mut judged = 0;
    for principal in permissions.principals() {
        let who = principal.principal();
        if service_linked.contains(who.arn) {
            continue;
        }
        judged += 1;
        let resource = Resource::new(who.arn, resource_kind(who.kind));
        let Some(evidence) = principal.admin_evidence() else {
            if principal.is_complete() {
                emit.pass(
                    resource,
                    format!(
                        "{who} is not an administrator ({})",
                        policy_scope(principal.scps_applied())
                    ),
                );
            } else {
                emit.error(
                    resource,
                    format!(
                        "cannot tell whether {who} is an administrator: {}",
                        principal.unknowns().join("; ")
                    ),
                );
            }
            continue;
        };
        let declared = excluded(context.settings, who.arn, who.name).or_else(|| {
            let all_excluded: Vec<&str> = evidence
                .grants
                .iter()
                .map(|grant| {
                    let (arn, name) = match &*grant.policy {
                        PolicySource::Managed { arn, name } => (arn.as_str(), name.as_str()),
                        PolicySource::Inline { name, .. } => ("", name.as_str()),
                    };
                    excluded(context.settings, arn, name)
                })
                .collect::<Option<Vec<_>>>()?;
            all_excluded.first().copied()
        });
        if let Some(pattern) = declared {
            emit.pass(
                resource,
                format!(
                    "{who} is an administrator through {}, declared by design (escalation_exclusions: {pattern})",
                    evidence.route()
                ),
            );
            continue;
        }
        let mut message = if evidence.is_full() {
            format!(
                "{who} is effectively an administrator: every probed action is allowed on every resource through {}",
                evidence.route()
            )
        } else {
            format!(
                "{who} is effectively an administrator except for {} ({} not allowed on every resource): everything else through {}",
                evidence.missing_services().join(", "),
                evidence.missing.join(", "),
                evidence.route()
            )
        };
        if let Some(condition) = &evidence.conditional {
            message.push_str(&format!("; conditional on {condition}"));
        }
        let (severity, note) = severity_of(context, &principal);
        if let Some(note) = note {
            message.push_str(&format!("; {note}"));
        }
        if !principal.is_complete() {
            message.push_str(&format!(
                "; some policies could not be read ({})",
                principal.unknowns().join("; ")
            ));
        }
        message.push_str(&format!(" ({})", policy_scope(principal.scps_applied())));
        let mut values = vec![(
            match who.kind {
                PrincipalKind::User => "user_name",
                PrincipalKind::Group => "group_name",
                PrincipalKind::Role => "role_name",
            },
            who.name.to_string(),
        )];
        if let Some(arn) = evidence
            .grants
            .iter()
            .find_map(|grant| match &*grant.policy {
                PolicySource::Managed { arn, .. } if grant.via_group.is_none() => Some(arn),
                _ => None,
            })
        {
            values.push(("policy_arn", arn.clone()));
        }
        if let Some(name) = evidence
            .grants
            .iter()
            .find_map(|grant| match &*grant.policy {
                PolicySource::Inline { name, .. } if grant.via_group.is_none() => Some(name),
                _ => None,
            })
        {
            values.push(("policy_name", name.clone()));
        }
        if let Some(group) = evidence
            .grants
            .iter()
            .find_map(|grant| grant.via_group.as_ref())
            .filter(|_| who.kind == PrincipalKind::User)
        {
            values.push(("group_name", group.to_string()));
        }
        emit.fail_at(severity, resource, message, &values);
    }
    if judged == 0 {
        emit.skipped(
            Resource::new(context.account_arn(), "AwsAccount"),
            "the account has no users, groups or roles other than service-linked roles",
        );
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::{IDENTITY_ONLY, SCPS_APPLIED};
    use crate::checks::Settings;
    use crate::checks::fixtures::*;
    use crate::finding::{Finding, Severity, Status};
    use crate::inventory::gaad::{AttachedPolicy, ManagedPolicy};
    use crate::inventory::{AuthorizationDetails, InlinePolicy, Inventory};
    use crate::policy::PolicyDocument;
    use serde_json::{Value, json};

    pub(crate) fn document(statements: Value) -> PolicyDocument {
        PolicyDocument::from_value(&json!({"Version": "2012-10-17", "Statement": statements}))
            .unwrap()
    }

    fn policy(arn: String, name: &str, statements: Value, attachments: i32) -> ManagedPolicy {
        ManagedPolicy {
            name: name.into(),
            arn,
            id: String::new(),
            path: "/".into(),
            default_version_id: Some("v1".into()),
            attachment_count: attachments,
            permissions_boundary_usage_count: 0,
            is_attachable: true,
            create_date: None,
            update_date: None,
            document: Some(document(statements)),
        }
    }

    pub(crate) fn customer(name: &str, statements: Value, attachments: i32) -> ManagedPolicy {
        policy(
            format!("arn:aws:iam::{ACCOUNT}:policy/{name}"),
            name,
            statements,
            attachments,
        )
    }

    pub(crate) fn aws_managed(name: &str, statements: Value, attachments: i32) -> ManagedPolicy {
        policy(
            format!("arn:aws:iam::aws:policy/{name}"),
            name,
            statements,
            attachments,
        )
    }

    pub(crate) fn administrator_access(attachments: i32) -> ManagedPolicy {
        aws_managed(
            "AdministratorAccess",
            json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}]),
            attachments,
        )
    }

    pub(crate) fn attach(policy: &ManagedPolicy) -> AttachedPolicy {
        AttachedPolicy {
            name: policy.name.clone(),
            arn: policy.arn.clone(),
        }
    }

    pub(crate) use crate::inventory::fixtures::{group, role, user};

    pub(crate) fn inline(name: &str, statements: Value) -> InlinePolicy {
        InlinePolicy {
            name: name.into(),
            document: Some(document(statements)),
        }
    }

    fn failures(check: &str, inventory: &Inventory) -> Vec<Finding> {
        run(check, inventory)
            .into_iter()
            .filter(|finding| finding.status == Status::Fail)
            .collect()
    }

    fn name_of(finding: &Finding) -> &str {
        finding
            .resource_arn
            .rsplit(['/', ':'])
            .next()
            .unwrap_or_default()
    }

    #[test]
    fn customer_star_policies_fail_attached_high_unattached_medium_aws_managed_never() {
        let attached = customer(
            "legacy-full-access",
            json!([{"Sid": "All", "Effect": "Allow", "Action": "*", "Resource": "*"}]),
            1,
        );
        let unattached = customer(
            "old-admin",
            json!([{"Effect": "Allow", "Action": "*:*", "Resource": "*"}]),
            0,
        );
        let scoped = customer(
            "s3-everything",
            json!([{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]),
            0,
        );
        let mut ci = user("ci-deploy");
        ci.attached_policies.push(attach(&attached));
        let inventory = inventory_with_authorization(AuthorizationDetails {
            users: vec![ci],
            policies: vec![attached, unattached, scoped, administrator_access(0)],
            ..Default::default()
        });
        let findings = run("policy-full-admin", &inventory);
        let outcomes: Vec<(&str, Status, Severity)> = findings
            .iter()
            .map(|finding| (name_of(finding), finding.status, finding.severity))
            .collect();
        assert_eq!(
            outcomes,
            [
                ("legacy-full-access", Status::Fail, Severity::High),
                ("old-admin", Status::Fail, Severity::Medium),
                ("s3-everything", Status::Pass, Severity::High),
            ]
        );
        assert_eq!(
            findings[0].message,
            "policy legacy-full-access allows * on * in its default version (All); attached to user/ci-deploy"
        );
        let cli = findings[0].remediation.as_ref().unwrap().cli();
        assert!(cli.contains(&format!(
            "aws iam detach-user-policy --user-name ci-deploy --policy-arn arn:aws:iam::{ACCOUNT}:policy/legacy-full-access"
        )));
        assert!(cli.contains(&format!(
            "aws iam create-policy-version --policy-arn arn:aws:iam::{ACCOUNT}:policy/legacy-full-access --policy-document file://policy.json --set-as-default"
        )));
    }

    #[test]
    fn a_deny_in_the_same_policy_keeps_it_from_being_star_on_star() {
        let guarded = customer(
            "all-but-iam",
            json!([
                {"Effect": "Allow", "Action": "*", "Resource": "*"},
                {"Effect": "Deny", "Action": "iam:*", "Resource": "*"}
            ]),
            1,
        );
        let not_action = customer(
            "not-action",
            json!([{"Effect": "Allow", "NotAction": "iam:DeleteAccountAlias", "Resource": "*"}]),
            1,
        );
        let inventory = inventory_with_authorization(AuthorizationDetails {
            policies: vec![guarded, not_action],
            ..Default::default()
        });
        assert_eq!(
            outcomes("policy-full-admin", &inventory),
            [
                ("all-but-iam".into(), Status::Pass),
                ("not-action".into(), Status::Fail)
            ]
        );
    }

    #[test]
    fn a_star_policy_used_only_as_a_boundary_passes() {
        let mut boundary = customer(
            "boundary",
            json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}]),
            0,
        );
        boundary.permissions_boundary_usage_count = 3;
        let inventory = inventory_with_authorization(AuthorizationDetails {
            policies: vec![boundary],
            ..Default::default()
        });
        let findings = run("policy-full-admin", &inventory);
        assert_eq!(findings[0].status, Status::Pass);
        assert!(
            findings[0]
                .message
                .contains("only as a permissions boundary")
        );
    }

    #[test]
    fn a_star_policy_that_can_never_apply_passes_and_a_conditional_one_says_so() {
        let expired = customer(
            "expired",
            json!([{"Effect": "Allow", "Action": "*", "Resource": "*",
                    "Condition": {"DateLessThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}}]),
            1,
        );
        let office = customer(
            "office",
            json!([{"Effect": "Allow", "Action": "*", "Resource": "*",
                    "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}]),
            1,
        );
        let inventory = inventory_with_authorization(AuthorizationDetails {
            policies: vec![expired, office],
            ..Default::default()
        });
        let findings = run("policy-full-admin", &inventory);
        assert_eq!(findings[0].status, Status::Pass);
        assert_eq!(findings[1].status, Status::Fail);
        assert!(
            findings[1]
                .message
                .contains("conditional on IpAddress aws:SourceIp \"203.0.113.0/24\""),
            "{}",
            findings[1].message
        );
    }

    #[test]
    fn unreadable_customer_policy_is_an_error_and_no_customer_policy_is_skipped() {
        let mut broken = customer("broken", json!([]), 1);
        broken.document = None;
        let inventory = inventory_with_authorization(AuthorizationDetails {
            policies: vec![broken],
            ..Default::default()
        });
        assert_eq!(statuses("policy-full-admin", &inventory), [Status::Error]);
        let inventory = inventory_with_authorization(AuthorizationDetails {
            policies: vec![administrator_access(1)],
            ..Default::default()
        });
        assert_eq!(statuses("policy-full-admin", &inventory), [Status::Skipped]);
    }

    /// The planted situations of the issue: two administrators by different routes, and
    /// four negative controls.
    fn planted() -> Inventory {
        let admin = administrator_access(1);
        let star = customer(
            "everything",
            json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}]),
            1,
        );
        let boundary = customer(
            "dev-boundary",
            json!([{"Effect": "Allow", "Action": ["s3:*", "logs:*"], "Resource": "*"}]),
            0,
        );
        let read_only = aws_managed(
            "ReadOnlyAccess",
            json!([{"Effect": "Allow", "Action": ["*:Get*", "*:List*", "*:Describe*"], "Resource": "*"}]),
            1,
        );
        let mut alice = user("alice");
        alice.attached_policies.push(attach(&admin));
        let mut admins = group("admins");
        admins.attached_policies.push(attach(&star));
        let mut bob = user("bob");
        bob.groups.push("admins".into());
        let mut capped = role("capped");
        capped.attached_policies.push(attach(&admin));
        capped.permissions_boundary = Some(boundary.arn.clone());
        let mut auditor = user("auditor");
        auditor.attached_policies.push(attach(&read_only));
        let mut quarantined = user("quarantined");
        quarantined.attached_policies.push(attach(&admin));
        quarantined.inline_policies.push(inline(
            "deny-all",
            json!([{"Effect": "Deny", "Action": "*", "Resource": "*"}]),
        ));
        let mut service_linked = role("AWSServiceRoleForSupport");
        service_linked.path = "/aws-service-role/support.amazonaws.com/".into();
        service_linked.attached_policies.push(attach(&admin));
        inventory_with_authorization(AuthorizationDetails {
            users: vec![alice, bob, auditor, quarantined],
            groups: vec![admins],
            roles: vec![capped, service_linked],
            policies: vec![admin, star, boundary, read_only],
            organization: None,
        })
    }

    #[test]
    fn administrators_by_any_route_fail_and_negative_controls_pass() {
        let inventory = planted();
        let failed: Vec<(String, Severity)> = failures("principal-effective-admin", &inventory)
            .iter()
            .map(|finding| (name_of(finding).to_string(), finding.severity))
            .collect();
        assert_eq!(
            failed,
            [
                ("admins".to_string(), Severity::Medium),
                ("alice".to_string(), Severity::High),
                ("bob".to_string(), Severity::High),
            ]
        );
        let findings = run("principal-effective-admin", &inventory);
        assert_eq!(findings.len(), 6, "the service-linked role is left out");
        let alice = findings.iter().find(|f| name_of(f) == "alice").unwrap();
        assert_eq!(
            alice.message,
            "user/alice is effectively an administrator: every probed action is allowed on every resource through arn:aws:iam::aws:policy/AdministratorAccess (identity policies only: SCPs, RCPs and resource policies not evaluated)"
        );
        let cli = alice.remediation.as_ref().unwrap().cli();
        assert!(cli.contains(
            "aws iam detach-user-policy --user-name alice --policy-arn arn:aws:iam::aws:policy/AdministratorAccess"
        ));
        let bob = findings.iter().find(|f| name_of(f) == "bob").unwrap();
        assert!(
            bob.message.contains(&format!(
                "arn:aws:iam::{ACCOUNT}:policy/everything via group admins"
            )),
            "{}",
            bob.message
        );
        assert!(
            bob.remediation
                .as_ref()
                .unwrap()
                .cli()
                .contains("aws iam remove-user-from-group --group-name admins --user-name bob")
        );
    }

    #[test]
    fn an_unattached_aws_managed_administrator_policy_fails_nothing() {
        let inventory = inventory_with_authorization(AuthorizationDetails {
            users: vec![user("carol")],
            policies: vec![administrator_access(0)],
            ..Default::default()
        });
        assert!(failures("principal-effective-admin", &inventory).is_empty());
        assert_eq!(statuses("policy-full-admin", &inventory), [Status::Skipped]);
    }

    #[test]
    fn not_action_with_a_short_list_is_an_administrator_except_those_services() {
        let mut ops = role("ops");
        ops.inline_policies.push(inline(
            "power",
            json!([{"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*"}]),
        ));
        let inventory = inventory_with_authorization(AuthorizationDetails {
            roles: vec![ops],
            ..Default::default()
        });
        let findings = failures("principal-effective-admin", &inventory);
        assert_eq!(findings[0].severity, Severity::Medium);
        assert!(
            findings[0].message.starts_with(
                "role/ops is effectively an administrator except for iam, organizations (iam:CreateUser, iam:AttachRolePolicy, organizations:CreateAccount not allowed on every resource): everything else through inline policy power of role/ops"
            ),
            "{}",
            findings[0].message
        );
        assert!(
            findings[0]
                .remediation
                .as_ref()
                .unwrap()
                .cli()
                .contains("aws iam delete-role-policy --role-name ops --policy-name power")
        );
    }

    #[test]
    fn declared_administrators_pass_with_the_exclusion_named() {
        let inventory = planted();
        let settings = Settings {
            escalation_exclusions: vec!["alice".into(), "arn:aws:iam::*:policy/everything".into()],
            ..Settings::default()
        };
        let findings = run_with("principal-effective-admin", &inventory, &settings);
        assert!(
            findings
                .iter()
                .all(|finding| finding.status == Status::Pass)
        );
        let bob = findings.iter().find(|f| name_of(f) == "bob").unwrap();
        assert!(
            bob.message.ends_with(
                "declared by design (escalation_exclusions: arn:aws:iam::*:policy/everything)"
            ),
            "{}",
            bob.message
        );
    }

    #[test]
    fn an_administrator_user_without_long_term_credentials_is_medium() {
        let admin = administrator_access(1);
        let mut dormant = user("dormant");
        dormant.attached_policies.push(attach(&admin));
        let mut inventory = inventory_with_authorization(AuthorizationDetails {
            users: vec![dormant],
            policies: vec![admin],
            ..Default::default()
        });
        inventory.credential_report =
            inventory_with_report(vec![user_row("dormant")]).credential_report;
        let findings = failures("principal-effective-admin", &inventory);
        assert_eq!(findings[0].severity, Severity::Medium);
        assert!(
            findings[0]
                .message
                .contains("no password and no active access key")
        );
    }

    #[test]
    fn a_conditional_administrator_says_what_it_depends_on() {
        let mut alice = user("alice");
        alice.inline_policies.push(inline(
            "mfa-admin",
            json!([{"Effect": "Allow", "Action": "*", "Resource": "*",
                    "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]),
        ));
        let inventory = inventory_with_authorization(AuthorizationDetails {
            users: vec![alice],
            ..Default::default()
        });
        let findings = failures("principal-effective-admin", &inventory);
        assert!(
            findings[0]
                .message
                .contains("conditional on Bool aws:MultiFactorAuthPresent \"true\""),
            "{}",
            findings[0].message
        );
    }

    #[test]
    fn a_principal_with_an_unreadable_policy_is_an_error_not_a_pass() {
        let mut alice = user("alice");
        alice.inline_policies.push(InlinePolicy {
            name: "broken".into(),
            document: None,
        });
        let inventory = inventory_with_authorization(AuthorizationDetails {
            users: vec![alice],
            ..Default::default()
        });
        let findings = run("principal-effective-admin", &inventory);
        assert_eq!(findings[0].status, Status::Error);
        assert_eq!(
            findings[0].message,
            "cannot tell whether user/alice is an administrator: inline policy broken of user/alice could not be read"
        );
    }

    /// alice holds AdministratorAccess in a member account under FullAWSAccess and
    /// `guardrail` at the root, or in the management account when `management`.
    fn under_an_scp(guardrail: Value, management: bool) -> Inventory {
        use crate::inventory::{OrgContext, ScpLevel, ServiceControlPolicy};
        let admin = administrator_access(2);
        let mut alice = user("alice");
        alice.attached_policies.push(attach(&admin));
        let scp = |name: &str, statements: Value| ServiceControlPolicy {
            id: format!("p-{name}"),
            name: name.into(),
            arn: format!(
                "arn:aws:organizations::999999999999:policy/o-exampleorgid/service_control_policy/p-{name}"
            ),
            document: Some(document(statements)),
        };
        inventory_with_authorization(AuthorizationDetails {
            users: vec![alice],
            policies: vec![admin],
            organization: Some(OrgContext {
                organization_id: "o-exampleorgid".into(),
                management_account_id: if management {
                    ACCOUNT.into()
                } else {
                    "999999999999".into()
                },
                scp_levels: vec![ScpLevel {
                    target: "r-root".into(),
                    policies: vec![
                        scp(
                            "FullAWSAccess",
                            json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}]),
                        ),
                        scp("Guardrail", guardrail),
                    ],
                }],
            }),
            ..Default::default()
        })
    }

    #[test]
    fn findings_say_when_the_organizations_scps_capped_the_answer() {
        let identity_changes = json!([{"Effect": "Deny", "Action": ["iam:*", "sts:*", "organizations:*"], "Resource": "*"}]);
        let member = under_an_scp(identity_changes.clone(), false);
        let findings = run("principal-effective-admin", &member);
        assert_eq!(findings[0].status, Status::Pass);
        assert_eq!(
            findings[0].message,
            format!("user/alice is not an administrator ({SCPS_APPLIED})")
        );
        // An SCP that leaves the administrator one: the failure says SCPs were applied.
        let member = under_an_scp(
            json!([{"Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::audit-logs/*"}]),
            false,
        );
        let findings = run("principal-effective-admin", &member);
        assert_eq!(findings[0].status, Status::Fail);
        assert!(
            findings[0].message.ends_with(&format!(" ({SCPS_APPLIED})")),
            "{}",
            findings[0].message
        );
        // SCPs do not apply to the management account: identity policies only.
        let management = under_an_scp(identity_changes, true);
        let findings = run("principal-effective-admin", &management);
        assert_eq!(findings[0].status, Status::Fail);
        assert!(
            findings[0]
                .message
                .ends_with(&format!(" ({IDENTITY_ONLY})")),
            "{}",
            findings[0].message
        );
    }

    #[test]
    fn without_authorization_details_admin_checks_are_errors() {
        let inventory = inventory_with_report(vec![]);
        assert_eq!(statuses("policy-full-admin", &inventory), [Status::Error]);
        assert_eq!(
            statuses("principal-effective-admin", &inventory),
            [Status::Error]
        );
    }
}
