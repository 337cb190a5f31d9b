//! trust-public: roles that every AWS principal can assume.

use super::{Failure, Verdict, judge_roles, own_accounts};
use crate::checks::{Context, Emitter};
use crate::policy::trust::public_trusts;

pub fn public(context: &Context, emit: &mut Emitter) {
    judge_roles(context, emit, |role, document| {
        let trusts = public_trusts(document, own_accounts(context, role));
        let failures = trusts
            .iter()
            .filter(|trust| trust.narrowed_by.is_none())
            .map(|trust| {
                let ineffective = if trust.ineffective.is_empty() {
                    String::new()
                } else {
                    format!(
                        "; conditions that do not confine it: {}",
                        trust.ineffective.join("; ")
                    )
                };
                Failure::new(format!(
                    "role {}: {} lets any AWS principal in any account assume the role ({} for {}); no condition pins the caller to your organization, accounts or principals (aws:PrincipalOrgID, aws:PrincipalOrgPaths, aws:PrincipalAccount, aws:PrincipalArn){ineffective}",
                    role.name,
                    trust.label,
                    trust.principal,
                    trust.actions.join(", ")
                ))
            })
            .collect();
        let pass = if trusts.is_empty() {
            format!("role {} trusts no wildcard principal", role.name)
        } else {
            let confined: Vec<String> = trusts
                .iter()
                .filter_map(|trust| {
                    trust.narrowed_by.as_ref().map(|narrowed_by| {
                        format!(
                            "{} names {}, confined by {narrowed_by}",
                            trust.label, trust.principal
                        )
                    })
                })
                .collect();
            format!("role {}: {}", role.name, confined.join("; "))
        };
        Verdict { failures, pass }
    });
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use crate::checks::fixtures::*;
    use crate::finding::{Severity, Status};
    use serde_json::json;

    #[test]
    fn principal_star_fails_critical_and_names_the_statement() {
        let inventory = inventory(vec![role(
            "open-door",
            trust(
                json!({"Sid": "Anyone", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}),
            ),
        )]);
        let findings = run("trust-public", &inventory);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].status, Status::Fail);
        assert_eq!(findings[0].severity, Severity::Critical);
        assert!(
            findings[0].message.starts_with(
                "role open-door: Statement[0] (Sid \"Anyone\") lets any AWS principal in any account assume the role (Principal {\"AWS\": \"*\"} for sts:AssumeRole)"
            ),
            "{}",
            findings[0].message
        );
    }

    #[test]
    fn a_wildcard_org_condition_is_named_as_not_confining() {
        let inventory = inventory(vec![role(
            "almost",
            trust(
                json!({"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole",
                "Condition": {"StringLike": {"aws:PrincipalOrgID": "o-*"}}}),
            ),
        )]);
        let findings = run("trust-public", &inventory);
        assert_eq!(findings[0].status, Status::Fail);
        assert!(
            findings[0].message.contains(
                "conditions that do not confine it: StringLike aws:PrincipalOrgID \"o-*\""
            ),
            "{}",
            findings[0].message
        );
    }

    #[test]
    fn negative_controls_pass() {
        let inventory = inventory(vec![
            role(
                "org-wide",
                trust(
                    json!({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole",
                    "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}),
                ),
            ),
            role(
                "ec2",
                trust(
                    json!({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}),
                ),
            ),
            role(
                "vendor",
                trust(
                    json!({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999988887777:root"}, "Action": "sts:AssumeRole",
                    "Condition": {"StringEquals": {"sts:ExternalId": "7f3a"}}}),
                ),
            ),
        ]);
        let findings = run("trust-public", &inventory);
        assert!(
            findings
                .iter()
                .all(|finding| finding.status == Status::Pass),
            "{findings:#?}"
        );
        assert_eq!(
            findings[0].message,
            "role org-wide: Statement[0] names Principal {\"AWS\": \"*\"}, confined by StringEquals aws:PrincipalOrgID \"o-a1b2c3d4e5\""
        );
        assert_eq!(findings[1].message, "role ec2 trusts no wildcard principal");
    }

    #[test]
    fn each_open_statement_is_one_failure() {
        let inventory = inventory(vec![role(
            "twice",
            json!({"Statement": [
                {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"},
                {"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRoleWithWebIdentity"}
            ]}),
        )]);
        let findings = run("trust-public", &inventory);
        assert_eq!(findings.len(), 2);
        assert!(findings[1].message.contains("Statement[1]"));
        assert!(
            findings[1]
                .message
                .contains("NotPrincipal (everyone except \"arn:aws:iam::123456789012:root\")")
        );
    }
}
