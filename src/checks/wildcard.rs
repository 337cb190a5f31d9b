//! Wildcard permissions: statements whose wildcards or negations grant more than any one
//! job needs. These read policies statement by statement (the principal view is
//! admin-access's and privilege-escalation's): the finding names the statement to edit.
//!
//! Policies reviewed: customer managed policies in use (attached to someone; a policy used
//! only as a permissions boundary grants nothing) and every inline policy. AWS managed
//! policies are not reviewed: nobody can edit them, and who holds a broad one is judged by
//! principal-effective-admin.

use super::admin::UNLISTED_ACTION;
use super::{Context, Emitter, Resource, require};
use crate::finding::Severity;
use crate::inventory::AuthorizationDetails;
use crate::policy::conditions::{ConditionClass, classify};
use crate::policy::matching::{
    Requester, action_matches, resources_cover, statement_covers_action,
};
use crate::policy::{ActionSpec, Effect, PolicyDocument, ResourceSpec, Statement};
use chrono::{DateTime, Utc};
use std::collections::BTreeSet;

/// A policy under review, with what a finding about it needs. Built once per scan and
/// shared by the four checks here (see [`Context::reviewed_policies`]).
pub(super) struct Reviewed<'a> {
    arn: &'a str,
    kind: &'static str,
    /// `policy deployer-access`, `inline policy ops of role/deployer`.
    label: String,
    /// `None` when the document could not be read.
    allows: Option<Vec<Allow<'a>>>,
    /// The remediation's placeholders: the policy's ARN or owner, and its name.
    values: [(&'static str, &'a str); 2],
}

/// An Allow statement that can apply, with what it depends on.
struct Allow<'a> {
    index: usize,
    statement: &'a Statement,
    /// The condition a grant needs that is outside the caller's control.
    condition: Option<String>,
}

impl<'a> Context<'a> {
    /// The policies the wildcard checks review, each Allow statement classified once.
    fn reviewed_policies(&self) -> Result<&[Reviewed<'a>], super::Missing> {
        let details = self.authorization()?;
        Ok(self.reviewed.get_or_init(|| reviewed(details, self.now)))
    }
}

fn allows(document: &PolicyDocument, now: DateTime<Utc>) -> Vec<Allow<'_>> {
    document
        .statements
        .iter()
        .enumerate()
        .filter(|(_, statement)| statement.effect == Effect::Allow)
        .filter_map(|(index, statement)| {
            let class = classify(statement, now);
            if let ConditionClass::Unsatisfiable(_) = class {
                return None;
            }
            Some(Allow {
                index,
                statement,
                condition: class.dependency().map(str::to_owned),
            })
        })
        .collect()
}

fn reviewed(details: &AuthorizationDetails, now: DateTime<Utc>) -> Vec<Reviewed<'_>> {
    let attached: BTreeSet<&str> = details
        .users
        .iter()
        .flat_map(|user| &user.attached_policies)
        .chain(
            details
                .groups
                .iter()
                .flat_map(|group| &group.attached_policies),
        )
        .chain(
            details
                .roles
                .iter()
                .flat_map(|role| &role.attached_policies),
        )
        .map(|policy| policy.arn.as_str())
        .collect();
    let mut reviewed: Vec<Reviewed> = details
        .policies
        .iter()
        .filter(|policy| {
            !policy.is_aws_managed()
                && (policy.attachment_count > 0 || attached.contains(policy.arn.as_str()))
        })
        .map(|policy| Reviewed {
            arn: &policy.arn,
            kind: "AwsIamPolicy",
            label: format!("policy {}", policy.name),
            allows: policy
                .document
                .as_ref()
                .map(|document| allows(document, now)),
            values: [("policy_arn", &policy.arn), ("policy_name", &policy.name)],
        })
        .collect();
    let owners = details
        .users
        .iter()
        .map(|user| {
            (
                "user",
                "AwsIamUser",
                "user_name",
                user.name.as_str(),
                user.arn.as_str(),
                &user.inline_policies,
            )
        })
        .chain(details.groups.iter().map(|group| {
            (
                "group",
                "AwsIamGroup",
                "group_name",
                group.name.as_str(),
                group.arn.as_str(),
                &group.inline_policies,
            )
        }))
        .chain(
            details
                .roles
                .iter()
                .filter(|role| !role.is_service_linked())
                .map(|role| {
                    (
                        "role",
                        "AwsIamRole",
                        "role_name",
                        role.name.as_str(),
                        role.arn.as_str(),
                        &role.inline_policies,
                    )
                }),
        );
    for (kind_name, kind, placeholder, owner, arn, inline) in owners {
        for policy in inline {
            reviewed.push(Reviewed {
                arn,
                kind,
                label: format!("inline policy {} of {kind_name}/{owner}", policy.name),
                allows: policy
                    .document
                    .as_ref()
                    .map(|document| allows(document, now)),
                values: [(placeholder, owner), ("policy_name", &policy.name)],
            });
        }
    }
    reviewed
}

/// One offending statement: what it grants, and the condition it depends on.
struct Offence<'r> {
    text: String,
    condition: Option<&'r str>,
    severity: Severity,
}

fn label(index: usize, statement: &Statement) -> String {
    match statement.sid.as_deref().filter(|sid| !sid.is_empty()) {
        Some(sid) => format!("statement {sid}"),
        None => format!("Statement[{index}]"),
    }
}

fn quoted(items: &[String]) -> String {
    items
        .iter()
        .map(|item| format!("\"{item}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What one Allow statement grants that a check reports, at which severity.
type Judge = dyn Fn(&Statement, &Context) -> Option<(String, Severity)>;

/// Reviews every policy with `judge`, one finding per policy; `what` says what passes.
fn review(context: &Context, emit: &mut Emitter, what: &str, judge: &Judge) {
    let policies = require!(context, emit, context.reviewed_policies());
    if policies.is_empty() {
        emit.skipped(
            Resource::new(context.account_arn(), "AwsAccount"),
            "the account has no customer managed policies in use and no inline policies",
        );
        return;
    }
    for policy in policies {
        let resource = Resource::new(policy.arn, policy.kind);
        let Some(allows) = &policy.allows else {
            emit.error(
                resource,
                format!("{} could not be read (see the scan's gaps)", policy.label),
            );
            continue;
        };
        let offences: Vec<Offence> = allows
            .iter()
            .filter_map(|allow| {
                let (text, severity) = judge(allow.statement, context)?;
                // A grant that needs a condition outside the caller's control is narrower.
                let severity = match (&allow.condition, severity) {
                    (Some(_), Severity::High) => Severity::Medium,
                    (Some(_), Severity::Medium) => Severity::Low,
                    (_, severity) => severity,
                };
                Some(Offence {
                    text: format!("{} {text}", label(allow.index, allow.statement)),
                    condition: allow.condition.as_deref(),
                    severity,
                })
            })
            .collect();
        if offences.is_empty() {
            emit.pass(resource, format!("{} has no {what}", policy.label));
            continue;
        }
        let severity = offences
            .iter()
            .map(|offence| offence.severity)
            .max()
            .unwrap_or(Severity::Low);
        let details: Vec<String> = offences
            .iter()
            .map(|offence| match &offence.condition {
                Some(condition) => format!("{} (conditional on {condition})", offence.text),
                None => offence.text.clone(),
            })
            .collect();
        emit.fail_at(
            severity,
            resource,
            format!("{}: {}", policy.label, details.join("; ")),
            &policy.values.map(|(name, value)| (name, value.to_string())),
        );
    }
}

/// Services whose wildcard is itself a path to more privilege.
fn is_privileged_service(service: &str) -> bool {
    matches!(
        service.to_ascii_lowercase().as_str(),
        "iam" | "sts" | "organizations" | "kms"
    )
}

/// `s3:*`, `iam:*`: every action of one named service.
fn service_wildcard(pattern: &str) -> Option<&str> {
    let (service, action) = pattern.split_once(':')?;
    (!service.is_empty()
        && !service.contains(['*', '?'])
        && !action.is_empty()
        && action.bytes().all(|byte| byte == b'*'))
    .then_some(service)
}

pub fn service_wildcards(context: &Context, emit: &mut Emitter) {
    review(
        context,
        emit,
        "service-wide action wildcard",
        &|statement, _| {
            let ActionSpec::Action(patterns) = &statement.action else {
                return None;
            };
            let wildcards: Vec<String> = patterns
                .iter()
                .filter(|pattern| service_wildcard(pattern).is_some())
                .cloned()
                .collect();
            if wildcards.is_empty() {
                return None;
            }
            let severity = if wildcards
                .iter()
                .filter_map(|pattern| service_wildcard(pattern))
                .any(is_privileged_service)
            {
                Severity::Medium
            } else {
                Severity::Low
            };
            Some((
                format!("allows every action of a service: {}", quoted(&wildcards)),
                severity,
            ))
        },
    );
}

pub fn negated_elements(context: &Context, emit: &mut Emitter) {
    review(
        context,
        emit,
        "Allow statement with NotAction or NotResource",
        &|statement, _| {
            let resources = match &statement.resource {
                Some(ResourceSpec::Resource(resources)) => quoted(resources),
                Some(ResourceSpec::NotResource(excluded)) => {
                    format!("every resource except {}", quoted(excluded))
                }
                None => "no resource".to_string(),
            };
            match (&statement.action, &statement.resource) {
                (ActionSpec::NotAction(excluded), _) => Some((
                    format!(
                        "uses NotAction: allows every action except {} on {resources}, including actions AWS adds later",
                        quoted(excluded)
                    ),
                    Severity::Medium,
                )),
                (ActionSpec::Action(actions), Some(ResourceSpec::NotResource(_))) => Some((
                    format!(
                        "uses NotResource: allows {} on {resources}, including resources created later",
                        quoted(actions)
                    ),
                    Severity::Medium,
                )),
                _ => None,
            }
        },
    );
}

/// Whether the statement allows `action` on every role of the account, and through which
/// action pattern. A statement that allows every action of every service (`*`) is left
/// to policy-full-admin and principal-effective-admin, and one with NotAction to
/// policy-not-action-resource: they say more about it.
fn on_every_role(statement: &Statement, context: &Context, action: &str) -> Option<String> {
    if statement_covers_action(statement, UNLISTED_ACTION) {
        return None;
    }
    let ActionSpec::Action(patterns) = &statement.action else {
        return None;
    };
    let through = patterns
        .iter()
        .find(|pattern| action_matches(pattern, action))?;
    let every_role = format!("arn:aws:iam::{}:role/*", context.account_id());
    if !resources_cover(
        statement.resource.as_ref(),
        action,
        &every_role,
        &Requester::default(),
    ) {
        return None;
    }
    let resources = match &statement.resource {
        Some(ResourceSpec::Resource(resources)) => quoted(resources),
        Some(ResourceSpec::NotResource(excluded)) => {
            format!("every resource except {}", quoted(excluded))
        }
        None => return None,
    };
    let via = if through.eq_ignore_ascii_case(action) {
        String::new()
    } else {
        format!(" (through \"{through}\")")
    };
    Some(format!("allows {action}{via} on every role: {resources}"))
}

pub fn pass_role_wildcard(context: &Context, emit: &mut Emitter) {
    review(
        context,
        emit,
        "iam:PassRole on every role",
        &|statement, context| {
            on_every_role(statement, context, "iam:PassRole").map(|text| (text, Severity::Medium))
        },
    );
}

pub fn assume_role_wildcard(context: &Context, emit: &mut Emitter) {
    review(
        context,
        emit,
        "sts:AssumeRole on every role",
        &|statement, context| {
            on_every_role(statement, context, "sts:AssumeRole").map(|text| (text, Severity::Medium))
        },
    );
}

#[cfg(test)]
mod tests {
    use crate::checks::admin::tests::{attach, aws_managed, customer, inline, role, user};
    use crate::checks::fixtures::*;
    use crate::finding::{Finding, Severity, Status};
    use crate::inventory::{AuthorizationDetails, Inventory};
    use serde_json::{Value, json};

    /// One attached customer policy, `app`, with `statements`.
    fn attached_policy(statements: Value) -> Inventory {
        let policy = customer("app", statements, 1);
        let mut holder = role("app-role");
        holder.attached_policies.push(attach(&policy));
        inventory_with_authorization(AuthorizationDetails {
            roles: vec![holder],
            policies: vec![policy],
            ..Default::default()
        })
    }

    fn policy_finding(check: &str, inventory: &Inventory) -> Finding {
        run(check, inventory)
            .into_iter()
            .find(|finding| finding.resource_type == "AwsIamPolicy")
            .expect("a finding on the policy")
    }

    #[test]
    fn service_wide_wildcards_fail_and_name_the_statement() {
        let inventory = attached_policy(json!([
            {"Sid": "Data", "Effect": "Allow", "Action": ["s3:*", "s3:GetObject"], "Resource": "*"},
            {"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"}
        ]));
        let finding = policy_finding("policy-service-wildcard", &inventory);
        assert_eq!(finding.status, Status::Fail);
        assert_eq!(finding.severity, Severity::Low);
        assert_eq!(
            finding.message,
            "policy app: statement Data allows every action of a service: \"s3:*\""
        );
        assert!(finding.remediation.unwrap().cli().contains(&format!(
            "aws iam create-policy-version --policy-arn arn:aws:iam::{ACCOUNT}:policy/app"
        )));
    }

    #[test]
    fn prefixed_wildcards_and_deny_statements_pass() {
        let inventory = attached_policy(json!([
            {"Effect": "Allow", "Action": ["ec2:Describe*", "s3:Get*"], "Resource": "*"},
            {"Effect": "Deny", "Action": "iam:*", "Resource": "*"}
        ]));
        assert_eq!(
            policy_finding("policy-service-wildcard", &inventory).status,
            Status::Pass
        );
    }

    #[test]
    fn wildcards_on_privilege_services_are_medium_and_conditional_ones_a_step_lower() {
        let inventory = attached_policy(json!([
            {"Effect": "Allow", "Action": "iam:*", "Resource": "*"},
        ]));
        assert_eq!(
            policy_finding("policy-service-wildcard", &inventory).severity,
            Severity::Medium
        );
        let inventory = attached_policy(json!([
            {"Effect": "Allow", "Action": "iam:*", "Resource": "*",
             "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}},
        ]));
        let finding = policy_finding("policy-service-wildcard", &inventory);
        assert_eq!(finding.severity, Severity::Low);
        assert!(
            finding
                .message
                .ends_with("(conditional on IpAddress aws:SourceIp \"10.0.0.0/8\")")
        );
    }

    #[test]
    fn inline_policies_are_reviewed_and_named_with_their_owner() {
        let mut ops = user("ops");
        ops.inline_policies.push(inline(
            "tools",
            json!([{"Effect": "Allow", "Action": "lambda:*", "Resource": "*"}]),
        ));
        let inventory = inventory_with_authorization(AuthorizationDetails {
            users: vec![ops],
            ..Default::default()
        });
        let findings = run("policy-service-wildcard", &inventory);
        assert_eq!(findings[0].status, Status::Fail);
        assert_eq!(findings[0].resource_type, "AwsIamUser");
        assert_eq!(
            findings[0].message,
            "inline policy tools of user/ops: Statement[0] allows every action of a service: \"lambda:*\""
        );
        assert!(
            findings[0]
                .remediation
                .as_ref()
                .unwrap()
                .cli()
                .contains("aws iam put-user-policy --user-name ops --policy-name tools")
        );
    }

    #[test]
    fn aws_managed_unattached_and_boundary_policies_are_not_reviewed() {
        let broad = json!([{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]);
        let mut boundary = customer("boundary", broad.clone(), 0);
        boundary.permissions_boundary_usage_count = 1;
        let inventory = inventory_with_authorization(AuthorizationDetails {
            policies: vec![
                aws_managed("AmazonS3FullAccess", broad.clone(), 1),
                customer("unused", broad, 0),
                boundary,
            ],
            ..Default::default()
        });
        assert_eq!(
            statuses("policy-service-wildcard", &inventory),
            [Status::Skipped]
        );
    }

    #[test]
    fn unreadable_policies_are_errors() {
        let mut policy = customer("app", json!([]), 1);
        policy.document = None;
        let inventory = inventory_with_authorization(AuthorizationDetails {
            policies: vec![policy],
            ..Default::default()
        });
        assert_eq!(
            statuses("policy-not-action-resource", &inventory),
            [Status::Error]
        );
    }

    #[test]
    fn allow_with_not_action_or_not_resource_fails_and_deny_with_them_passes() {
        let inventory = attached_policy(json!([
            {"Sid": "Power", "Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*"},
            {"Sid": "Buckets", "Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::secret/*"},
            {"Sid": "Guard", "Effect": "Deny", "NotAction": "s3:*", "Resource": "*"}
        ]));
        let finding = policy_finding("policy-not-action-resource", &inventory);
        assert_eq!(
            finding.message,
            "policy app: statement Power uses NotAction: allows every action except \"iam:*\", \"organizations:*\" on \"*\", including actions AWS adds later; statement Buckets uses NotResource: allows \"s3:GetObject\" on every resource except \"arn:aws:s3:::secret/*\", including resources created later"
        );
        let inventory = attached_policy(json!([
            {"Effect": "Deny", "NotAction": "s3:*", "Resource": "*"},
            {"Effect": "Deny", "Action": "*", "NotResource": "arn:aws:s3:::mine/*"}
        ]));
        assert_eq!(
            policy_finding("policy-not-action-resource", &inventory).status,
            Status::Pass
        );
    }

    #[test]
    fn pass_role_on_every_role_fails_whatever_the_spelling() {
        for (action, resource, through) in [
            ("iam:PassRole", "*", ""),
            ("iam:*", "*", " (through \"iam:*\")"),
            (
                "iam:Pass*",
                "arn:aws:iam::*:role/*",
                " (through \"iam:Pass*\")",
            ),
            ("iam:passrole", "arn:aws:iam::123456789012:role/*", ""),
        ] {
            let inventory = attached_policy(json!([
                {"Effect": "Allow", "Action": action, "Resource": resource}
            ]));
            let finding = policy_finding("policy-passrole-all-roles", &inventory);
            assert_eq!(finding.status, Status::Fail, "{action} on {resource}");
            assert_eq!(
                finding.message,
                format!(
                    "policy app: Statement[0] allows iam:PassRole{through} on every role: \"{resource}\""
                )
            );
        }
    }

    #[test]
    fn pass_role_on_some_roles_passes() {
        let inventory = attached_policy(json!([
            {"Effect": "Allow", "Action": "iam:PassRole", "Resource": [
                "arn:aws:iam::123456789012:role/app-*",
                "arn:aws:iam::123456789012:role/service-role/*"
            ]}
        ]));
        assert_eq!(
            policy_finding("policy-passrole-all-roles", &inventory).status,
            Status::Pass
        );
    }

    #[test]
    fn pass_role_restricted_to_a_service_is_a_step_lower() {
        let inventory = attached_policy(json!([
            {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*",
             "Condition": {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}}
        ]));
        let finding = policy_finding("policy-passrole-all-roles", &inventory);
        assert_eq!(finding.status, Status::Fail);
        assert_eq!(finding.severity, Severity::Low);
        assert!(
            finding.message.contains(
                "(conditional on StringEquals iam:PassedToService \"ec2.amazonaws.com\")"
            )
        );
    }

    #[test]
    fn statements_that_allow_everything_are_left_to_the_admin_checks() {
        let inventory = attached_policy(json!([
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"}
        ]));
        assert_eq!(
            policy_finding("policy-passrole-all-roles", &inventory).status,
            Status::Pass
        );
        assert_eq!(
            policy_finding("policy-assume-all-roles", &inventory).status,
            Status::Pass
        );
    }

    #[test]
    fn assume_role_on_every_role_fails_and_on_named_roles_passes() {
        let inventory = attached_policy(json!([
            {"Sid": "Hop", "Effect": "Allow", "Action": "sts:*", "Resource": "*"}
        ]));
        let finding = policy_finding("policy-assume-all-roles", &inventory);
        assert_eq!(
            finding.message,
            "policy app: statement Hop allows sts:AssumeRole (through \"sts:*\") on every role: \"*\""
        );
        let inventory = attached_policy(json!([
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::123456789012:role/deploy"}
        ]));
        assert_eq!(
            policy_finding("policy-assume-all-roles", &inventory).status,
            Status::Pass
        );
    }
}
