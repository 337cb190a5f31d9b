//! Privilege escalation: principals that can make themselves administrator, by their own
//! permissions (principal-privilege-escalation) or through other principals
//! (privilege-escalation-path). The analysis is `policy::escalation`; these checks word it.
//!
//! Every user and role gets one finding per check. An escalating principal fails exactly
//! one of the two (the check of its best route) and is skipped by the other, so the score
//! counts it once. Service-linked roles are left out: AWS owns them and nobody can
//! assume, pass or change them.

use super::admin::{policy_scope, scps_applied};
use super::{Context, Emitter, Resource, require};
use crate::finding::Severity;
use crate::policy::PolicySource;
use crate::policy::PrincipalKind;
use crate::policy::escalation::{self, Ending, Outcome, PrincipalVerdict, Route};
use std::collections::BTreeSet;

/// Which of the two checks is asking.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scope {
    Own,
    Path,
}

pub fn principal_escalation(context: &Context, emit: &mut Emitter) {
    judge(context, emit, Scope::Own);
}

pub fn escalation_path(context: &Context, emit: &mut Emitter) {
    judge(context, emit, Scope::Path);
}

fn judge(context: &Context, emit: &mut Emitter, scope: Scope) {
    let details = require!(context, emit, context.authorization());
    let service_linked: BTreeSet<&str> = details
        .roles
        .iter()
        .filter(|role| role.is_service_linked())
        .map(|role| role.arn.as_str())
        .collect();
    // Shared with the other checks of the scan: the graph is built once.
    let analysis = context.escalation().unwrap_or_default();
    // Service-linked roles, which SCPs do not cap, are not judged here.
    let evaluated = policy_scope(scps_applied(context));
    let mut judged = 0;
    for verdict in &analysis.principals {
        if service_linked.contains(verdict.arn.as_str()) {
            continue;
        }
        judged += 1;
        judge_one(emit, verdict, scope, evaluated);
    }
    if judged == 0 {
        emit.skipped(
            Resource::new(context.account_arn(), "AwsAccount"),
            "the account has no IAM users and no roles of its own",
        );
    }
}

fn resource_kind(kind: PrincipalKind) -> &'static str {
    match kind {
        PrincipalKind::User => "AwsIamUser",
        PrincipalKind::Group => "AwsIamGroup",
        PrincipalKind::Role => "AwsIamRole",
    }
}

fn judge_one(emit: &mut Emitter, verdict: &PrincipalVerdict, scope: Scope, evaluated: &str) {
    let who = format!("{}/{}", verdict.kind.as_str(), verdict.name);
    let resource = Resource::new(&verdict.arn, resource_kind(verdict.kind));
    match &verdict.outcome {
        Outcome::Excluded(pattern) => emit.skipped(
            resource,
            format!("{who} is left out of escalation analysis (escalation_exclusions: {pattern})"),
        ),
        Outcome::Administrator { route } => emit.skipped(
            resource,
            format!("{who} is already an administrator ({route}); admin-access reports it"),
        ),
        Outcome::Escalates(route) if route.direct == (scope == Scope::Own) => {
            fail(emit, verdict, &who, resource, route, scope, evaluated)
        }
        Outcome::Escalates(_) => match scope {
            Scope::Own => emit.pass(
                resource,
                format!(
                    "{who} holds no escalation method of its own; it escalates through other principals (privilege-escalation-path reports it)"
                ),
            ),
            Scope::Path => emit.skipped(
                resource,
                format!(
                    "{who} escalates by its own permissions (principal-privilege-escalation reports it)"
                ),
            ),
        },
        Outcome::Clean if !verdict.unknowns.is_empty() => emit.error(
            resource,
            format!(
                "cannot tell whether {who} can escalate: {}",
                verdict.unknowns.join("; ")
            ),
        ),
        Outcome::Clean => emit.pass(
            resource,
            match scope {
                Scope::Own => format!(
                    "{who} holds no privilege-escalation method ({} methods checked; {evaluated})",
                    escalation::methods().len()
                ),
                Scope::Path => format!(
                    "{who} reaches no administrator and no escalating principal through other principals ({evaluated})"
                ),
            },
        ),
    }
}

fn fail(
    emit: &mut Emitter,
    verdict: &PrincipalVerdict,
    who: &str,
    resource: Resource,
    route: &Route,
    scope: Scope,
    evaluated: &str,
) {
    let caveats = route.caveats();
    let mut message = match (&route.ending, scope) {
        (Ending::Grant { target, .. }, _) => format!(
            "{who} can make another principal ({target}) an administrator, though not itself: {}",
            route.path()
        ),
        (_, Scope::Own) => format!(
            "{who} can escalate to administrator by its own permissions: {}",
            route.path()
        ),
        (_, Scope::Path) => format!(
            "{who} can reach administrator through other principals: {}",
            route.path()
        ),
    };
    message.push_str(&format!(". Methods: {}", route.method_ids().join(", ")));
    let grants = route.grants();
    if !grants.is_empty() {
        message.push_str(&format!(". Granted by: {}", grants.join("; ")));
    }
    if !caveats.conditions.is_empty() {
        message.push_str(&format!(". Depends on: {}", caveats.conditions.join("; ")));
    }
    if !caveats.premises.is_empty() {
        message.push_str(&format!(". Assumes: {}", caveats.premises.join("; ")));
    }
    if !verdict.unknowns.is_empty() {
        message.push_str(&format!(
            ". Some policies could not be read: {}",
            verdict.unknowns.join("; ")
        ));
    }
    message.push_str(&format!(" ({evaluated})"));

    let mut values = vec![match verdict.kind {
        PrincipalKind::Role => ("role_name", verdict.name.clone()),
        _ => ("user_name", verdict.name.clone()),
    }];
    // The first granting policy of the route's first step is the one to fix first.
    let first_policy = route
        .hops
        .first()
        .map(|hop| &hop.step)
        .or(match &route.ending {
            Ending::Method(step) | Ending::Grant { step, .. } => Some(step),
            Ending::Takeover { modify, .. } => Some(modify),
            Ending::Administrator { .. } => None,
        })
        .and_then(|step| step.grants.first());
    if let Some(grant) = first_policy {
        match &*grant.policy {
            PolicySource::Managed { arn, name } => {
                values.push(("policy_arn", arn.clone()));
                values.push(("policy_name", name.clone()));
            }
            PolicySource::Inline { name, .. } => values.push(("policy_name", name.clone())),
        }
    }
    if route.is_certain_full_admin() {
        emit.fail_at(Severity::Critical, resource, message, &values);
    } else {
        emit.fail(resource, message, &values);
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::Settings;
    use crate::checks::fixtures::{inventory_with_authorization, run, run_with};
    use crate::finding::{Finding, Severity, Status};
    use crate::inventory::InlinePolicy;
    use crate::policy::escalation::tests::*;
    use serde_json::json;

    const OWN: &str = "principal-privilege-escalation";
    const PATH: &str = "privilege-escalation-path";

    fn planted() -> crate::inventory::Inventory {
        let mut boss = user("boss");
        boss.attached_policies.push(attach(&administrator_access()));
        let mut linked = role(
            "AWSServiceRoleForSupport",
            trusting_service("support.amazonaws.com"),
        );
        linked.path = "/aws-service-role/support.amazonaws.com/".into();
        linked.inline_policies.push(inline(
            "support",
            json!([{"Effect": "Allow", "Action": "iam:*", "Resource": "*"}]),
        ));
        let mut unreadable = user("unreadable");
        unreadable.inline_policies.push(InlinePolicy {
            name: "garbled".into(),
            document: None,
        });
        inventory_with_authorization(details(
            vec![
                boss,
                user_with(
                    "attacher",
                    json!([{"Effect": "Allow", "Action": "iam:AttachUserPolicy", "Resource": "*"}]),
                ),
                user("dave"),
                user_with(
                    "auditor",
                    json!([{"Effect": "Allow", "Action": ["iam:Get*", "iam:List*"], "Resource": "*"}]),
                ),
                unreadable,
            ],
            vec![],
            vec![
                role("start", trusting_arn(&arn("user", "dave"))),
                admin_role("end", trusting_arn(&arn("role", "start"))),
                linked,
            ],
            vec![],
        ))
    }

    fn by_name<'f>(findings: &'f [Finding], name: &str) -> &'f Finding {
        findings
            .iter()
            .find(|finding| finding.resource_arn.ends_with(&format!("/{name}")))
            .unwrap_or_else(|| panic!("no finding for {name}"))
    }

    #[test]
    fn every_principal_fails_one_check_at_most_and_service_linked_roles_none() {
        let inventory = planted();
        let own = run(OWN, &inventory);
        let path = run(PATH, &inventory);
        let outcomes = |findings: &[Finding]| -> Vec<(String, Status)> {
            findings
                .iter()
                .map(|finding| {
                    (
                        finding.resource_arn.rsplit('/').next().unwrap().to_string(),
                        finding.status,
                    )
                })
                .collect()
        };
        assert_eq!(
            outcomes(&own),
            vec![
                ("boss".into(), Status::Skipped),
                ("attacher".into(), Status::Fail),
                ("dave".into(), Status::Pass),
                ("auditor".into(), Status::Pass),
                ("unreadable".into(), Status::Error),
                ("start".into(), Status::Fail),
                ("end".into(), Status::Skipped),
            ]
        );
        assert_eq!(
            outcomes(&path),
            vec![
                ("boss".into(), Status::Skipped),
                ("attacher".into(), Status::Skipped),
                ("dave".into(), Status::Fail),
                ("auditor".into(), Status::Pass),
                ("unreadable".into(), Status::Error),
                ("start".into(), Status::Skipped),
                ("end".into(), Status::Skipped),
            ]
        );
    }

    #[test]
    fn failures_name_the_path_the_methods_and_the_policies_with_real_names() {
        let inventory = planted();
        let own = run(OWN, &inventory);
        let attacher = by_name(&own, "attacher");
        assert_eq!(attacher.severity, Severity::Critical);
        assert_eq!(
            attacher.message,
            "user/attacher can escalate to administrator by its own permissions: user/attacher -> iam:AttachUserPolicy on user/attacher. Methods: iam-attach-user-policy. Granted by: inline policy own of user/attacher (Statement[0]) (identity policies only: SCPs, RCPs and resource policies not evaluated)"
        );
        let remediation = attacher.remediation.as_ref().unwrap();
        assert!(
            remediation
                .cli()
                .contains("aws iam put-user-policy --user-name attacher --policy-name own"),
            "{}",
            remediation.cli()
        );

        let path = run(PATH, &inventory);
        let dave = by_name(&path, "dave");
        assert_eq!(dave.severity, Severity::Critical);
        assert!(
            dave.message.starts_with(
                "user/dave can reach administrator through other principals: user/dave -> role/start (sts:AssumeRole) -> role/end (sts:AssumeRole), an administrator. Methods: sts-assume-role"
            ),
            "{}",
            dave.message
        );
    }

    #[test]
    fn an_scp_denying_iam_and_sts_stops_the_escalations_and_the_findings_say_so() {
        use crate::checks::admin::SCPS_APPLIED;
        use crate::inventory::{OrgContext, ScpLevel, ServiceControlPolicy};
        let mut inventory = planted();
        let scp = |name: &str, statements: serde_json::Value| ServiceControlPolicy {
            id: format!("p-{name}"),
            name: name.into(),
            arn: format!(
                "arn:aws:organizations::999999999999:policy/o-exampleorgid/service_control_policy/p-{name}"
            ),
            document: Some(
                crate::policy::PolicyDocument::from_value(
                    &json!({"Version": "2012-10-17", "Statement": statements}),
                )
                .unwrap(),
            ),
        };
        inventory.authorization.as_mut().unwrap().organization = Some(OrgContext {
            organization_id: "o-exampleorgid".into(),
            management_account_id: "999999999999".into(),
            scp_levels: vec![ScpLevel {
                target: "r-root".into(),
                policies: vec![
                    scp(
                        "FullAWSAccess",
                        json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}]),
                    ),
                    scp(
                        "NoIdentityChanges",
                        json!([{"Effect": "Deny", "Action": ["iam:*", "sts:*"], "Resource": "*"}]),
                    ),
                ],
            }],
        });
        let own = run(OWN, &inventory);
        let attacher = by_name(&own, "attacher");
        assert_eq!(attacher.status, Status::Pass, "{}", attacher.message);
        assert!(
            attacher.message.ends_with(&format!("; {SCPS_APPLIED})")),
            "{}",
            attacher.message
        );
        let path = run(PATH, &inventory);
        let dave = by_name(&path, "dave");
        assert_eq!(dave.status, Status::Pass, "{}", dave.message);
        assert!(
            dave.message.ends_with(&format!("({SCPS_APPLIED})")),
            "{}",
            dave.message
        );
    }

    #[test]
    fn uncertain_routes_stay_high_and_say_what_they_depend_on() {
        let inventory = inventory_with_authorization(details(
            vec![user_with(
                "operator",
                json!([{"Effect": "Allow", "Action": "ssm:StartSession", "Resource": "*"}]),
            )],
            vec![],
            vec![admin_role(
                "instance-admin",
                trusting_service("ec2.amazonaws.com"),
            )],
            vec![],
        ));
        let own = run(OWN, &inventory);
        let operator = by_name(&own, "operator");
        assert_eq!(
            (operator.status, operator.severity),
            (Status::Fail, Severity::High)
        );
        assert!(
            operator.message.contains(
                "Assumes: a running, SSM-managed EC2 instance has the role in its instance profile"
            ),
            "{}",
            operator.message
        );
    }

    #[test]
    fn excluded_principals_are_skipped_with_the_pattern() {
        let settings = Settings {
            escalation_exclusions: vec!["attacher".into()],
            ..Settings::default()
        };
        let own = run_with(OWN, &planted(), &settings);
        let attacher = by_name(&own, "attacher");
        assert_eq!(attacher.status, Status::Skipped);
        assert!(attacher.message.contains("escalation_exclusions: attacher"));
    }

    #[test]
    fn without_authorization_details_both_checks_are_errors() {
        let inventory = crate::checks::fixtures::inventory_with_report(vec![]);
        for check in [OWN, PATH] {
            let findings = run(check, &inventory);
            assert_eq!(findings.len(), 1);
            assert_eq!(findings[0].status, Status::Error);
        }
    }
}
