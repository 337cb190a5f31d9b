//! trust-service: roles an AWS service assumes without source conditions, where the
//! service's own documentation asks for them (the cross-service confused deputy).

use super::{Failure, Verdict, judge_roles, own_accounts, summarise};
use crate::checks::{Context, Emitter};
use crate::policy::trust::service_trusts;

/// Services whose own documentation puts `aws:SourceArn` / `aws:SourceAccount` in the trust
/// policy of the roles they assume (so the service is known to send the keys, and adding
/// them does not break it), with the page that says so. A service absent here is not
/// judged:
/// - compute services that assume a role only for resources created in your account, with
///   `iam:PassRole` checked in that account (EC2, Lambda, ECS tasks, Glue, CodeBuild, ...):
///   a role cannot be passed across accounts, and AWS gives no source-condition guidance
///   for their roles;
/// - services whose confused-deputy guidance is for resource policies only (S3, SNS,
///   EventBridge rule targets, Backup), or where adding the keys is reported to break
///   delivery (CloudTrail's CloudWatch Logs role: prowler-cloud/prowler#4714).
///
/// Overview: <https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html>.
const SOURCE_CONDITION_SERVICES: &[(&str, &str)] = &[
    (
        "config",
        "https://docs.aws.amazon.com/config/latest/developerguide/iamrole-permissions.html",
    ),
    (
        "ssm",
        "https://docs.aws.amazon.com/systems-manager/latest/userguide/cross-service-confused-deputy-prevention.html",
    ),
    (
        "datasync",
        "https://docs.aws.amazon.com/datasync/latest/userguide/cross-service-confused-deputy-prevention.html",
    ),
    (
        "scheduler",
        "https://docs.aws.amazon.com/scheduler/latest/UserGuide/setting-up.html",
    ),
    (
        "pipes",
        "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-permissions.html",
    ),
    (
        "logs",
        "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/Subscriptions-confused-deputy.html",
    ),
    (
        "iot",
        "https://docs.aws.amazon.com/iot/latest/developerguide/cross-service-confused-deputy-prevention.html",
    ),
    (
        "personalize",
        "https://docs.aws.amazon.com/personalize/latest/dg/cross-service-confused-deputy-prevention.html",
    ),
    (
        "rekognition",
        "https://docs.aws.amazon.com/rekognition/latest/dg/cross-service-confused-deputy-prevention.html",
    ),
    (
        "comprehend",
        "https://docs.aws.amazon.com/comprehend/latest/dg/cross-service-confused-deputy-prevention.html",
    ),
    (
        "sms-voice",
        "https://docs.aws.amazon.com/sms-voice/latest/userguide/configuration-sets-cloud-watch-creating-role.html",
    ),
];

fn guidance(service: &str) -> Option<&'static str> {
    SOURCE_CONDITION_SERVICES
        .iter()
        .find(|(name, _)| *name == service)
        .map(|&(_, page)| page)
}

pub fn service(context: &Context, emit: &mut Emitter) {
    judge_roles(context, emit, |role, document| {
        if role.is_service_linked() {
            return Verdict {
                failures: Vec::new(),
                pass: format!(
                    "role {} is service-linked (path {}): AWS owns its trust policy",
                    role.name, role.path
                ),
            };
        }
        let mut failures = Vec::new();
        let mut notes = Vec::new();
        let mut not_judged = Vec::new();
        for trust in service_trusts(document, own_accounts(context, role)) {
            let Some(page) = guidance(&trust.service) else {
                not_judged.push(trust.principal.clone());
                continue;
            };
            if trust.source_guards.is_empty() {
                let ineffective = if trust.ineffective.is_empty() {
                    String::new()
                } else {
                    format!(
                        " (conditions that do not pin it to you: {})",
                        trust.ineffective.join("; ")
                    )
                };
                failures.push(Failure::new(format!(
                    "role {}: {} lets {} assume the role without an aws:SourceAccount, aws:SourceArn or aws:SourceOrgID condition naming your account or organization{ineffective}: the service could be made to use it for resources of another account (cross-service confused deputy); AWS recommends the conditions for this service: {page}",
                    role.name, trust.label, trust.principal
                )));
            } else {
                notes.push(format!(
                    "{} lets {} assume the role only with {}",
                    trust.label,
                    trust.principal,
                    trust.source_guards.join(", ")
                ));
            }
        }
        if !not_judged.is_empty() {
            not_judged.sort();
            not_judged.dedup();
            notes.push(format!(
                "trusts {}, which AWS does not document source conditions for",
                summarise(&not_judged, 5)
            ));
        }
        let pass = if notes.is_empty() {
            format!("role {} trusts no AWS service", role.name)
        } else {
            format!("role {}: {}", role.name, notes.join("; "))
        };
        Verdict { failures, pass }
    });
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use crate::checks::fixtures::*;
    use crate::finding::{Severity, Status};
    use serde_json::{Value, json};

    fn service(service: &str, condition: Value) -> Value {
        trust(
            json!({"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole", "Condition": condition}),
        )
    }

    #[test]
    fn a_config_role_without_source_conditions_fails() {
        let inventory = inventory(vec![role(
            "config",
            service("config.amazonaws.com", json!({})),
        )]);
        let findings = run("trust-service", &inventory);
        assert_eq!(findings[0].status, Status::Fail);
        assert_eq!(findings[0].severity, Severity::Low);
        assert!(
            findings[0].message.starts_with(
                "role config: Statement[0] lets config.amazonaws.com assume the role without an aws:SourceAccount, aws:SourceArn or aws:SourceOrgID condition naming your account or organization"
            ),
            "{}",
            findings[0].message
        );
    }

    #[test]
    fn source_conditions_for_this_account_pass_and_for_another_fail() {
        let inventory = inventory(vec![
            role(
                "scheduler",
                service(
                    "scheduler.amazonaws.com",
                    json!({"StringEquals": {"aws:SourceAccount": ACCOUNT}}),
                ),
            ),
            role(
                "logs",
                service(
                    "logs.eu-west-1.amazonaws.com",
                    json!({"ArnLike": {"aws:SourceArn": "arn:aws:logs:eu-west-1:999988887777:*"}}),
                ),
            ),
        ]);
        let findings = run("trust-service", &inventory);
        assert_eq!(findings[0].status, Status::Pass);
        assert_eq!(
            findings[0].message,
            "role scheduler: Statement[0] lets scheduler.amazonaws.com assume the role only with StringEquals aws:SourceAccount \"123456789012\""
        );
        assert_eq!(findings[1].status, Status::Fail);
        assert!(
            findings[1]
                .message
                .contains("(account 999988887777 is neither this account nor in known_accounts)"),
            "{}",
            findings[1].message
        );
    }

    #[test]
    fn compute_services_and_service_linked_roles_pass() {
        let mut linked = role(
            "AWSServiceRoleForConfig",
            service("config.amazonaws.com", json!({})),
        );
        linked.path = "/aws-service-role/config.amazonaws.com/".into();
        let inventory = inventory(vec![
            role("ec2", service("ec2.amazonaws.com", json!({}))),
            role("lambda", service("lambda.amazonaws.com", json!({}))),
            role("tasks", service("ecs-tasks.amazonaws.com", json!({}))),
            linked,
        ]);
        let findings = run("trust-service", &inventory);
        assert!(
            findings
                .iter()
                .all(|finding| finding.status == Status::Pass),
            "{findings:#?}"
        );
        assert_eq!(
            findings[0].message,
            "role ec2: trusts ec2.amazonaws.com, which AWS does not document source conditions for"
        );
        assert!(findings[3].message.contains("service-linked"));
    }

    #[test]
    fn an_external_id_also_guards_a_service_trust() {
        let inventory = inventory(vec![role(
            "datasync",
            service(
                "datasync.amazonaws.com",
                json!({"StringEquals": {"sts:ExternalId": "7f3a"}}),
            ),
        )]);
        assert_eq!(statuses("trust-service", &inventory), [Status::Pass]);
    }
}
