//! trust-federation: OIDC and SAML trust that admits identities you do not control.

use super::{Failure, Verdict, judge_roles};
use crate::checks::{Context, Emitter};
use crate::finding::Severity;
use crate::policy::trust::{Gravity, federated_trusts};

pub fn federation(context: &Context, emit: &mut Emitter) {
    let escalation = context.escalation();
    judge_roles(context, emit, |role, document| {
        let trusts = federated_trusts(document);
        let mut failures = Vec::new();
        let mut notes = Vec::new();
        for trust in &trusts {
            let subject = format!(
                "role {}: {} trusts {} ({})",
                role.name,
                trust.label,
                trust.provider.describe(),
                trust.principal
            );
            for problem in trust.problems() {
                let message = format!("{subject}: {}", problem.problem);
                failures.push(match problem.gravity {
                    Gravity::Open => Failure::new(message),
                    Gravity::Hardening => Failure::at(Severity::Medium, message),
                });
            }
            if let Some(guests) = trust.admits_unauthenticated() {
                // Guest access is what unauthenticated roles are for; into a role that can
                // reach administrator it hands the account to anyone with the pool id.
                let privileged = escalation
                    .as_ref()
                    .is_some_and(|analysis| analysis.reaches_administrator(&role.arn));
                if privileged {
                    failures.push(Failure::new(format!(
                        "{subject}: admits guest (unauthenticated) identities of the identity pool: {guests}"
                    )));
                } else {
                    notes.push(format!(
                        "{} admits guest identities of the identity pool ({guests})",
                        trust.label
                    ));
                }
            }
            let pinned = trust.pinned_to();
            if !pinned.is_empty() {
                notes.push(format!(
                    "{} trusts {} with {}",
                    trust.label,
                    trust.provider.describe(),
                    pinned.join(", ")
                ));
            }
        }
        let pass = if trusts.is_empty() {
            format!("role {} trusts no identity provider", role.name)
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

    const GITHUB: &str =
        "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";

    fn github(condition: Value) -> Value {
        trust(
            json!({"Effect": "Allow", "Principal": {"Federated": GITHUB},
            "Action": "sts:AssumeRoleWithWebIdentity", "Condition": condition}),
        )
    }

    #[test]
    fn a_github_trust_pinned_to_main_passes() {
        let inventory = inventory(vec![role(
            "deploy",
            github(json!({"StringEquals": {
                "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                "token.actions.githubusercontent.com:sub": "repo:org/app:ref:refs/heads/main"}})),
        )]);
        let findings = run("trust-federation", &inventory);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].status, Status::Pass);
        assert_eq!(
            findings[0].message,
            "role deploy: Statement[0] trusts GitHub Actions with StringEquals token.actions.githubusercontent.com:sub \"repo:org/app:ref:refs/heads/main\", StringEquals token.actions.githubusercontent.com:aud \"sts.amazonaws.com\""
        );
    }

    #[test]
    fn an_org_wide_github_trust_fails_high_and_names_the_value() {
        let inventory = inventory(vec![role(
            "org-wide",
            github(json!({
                "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                "StringLike": {"token.actions.githubusercontent.com:sub": "repo:org/*"}})),
        )]);
        let findings = run("trust-federation", &inventory);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].status, Status::Fail);
        assert_eq!(findings[0].severity, Severity::High);
        assert_eq!(
            findings[0].message,
            format!(
                "role org-wide: Statement[0] trusts GitHub Actions ({GITHUB}): condition StringLike token.actions.githubusercontent.com:sub \"repo:org/*\" is too broad: \"repo:org/*\" admits every repository of org, not one repository"
            )
        );
    }

    #[test]
    fn each_problem_of_a_statement_is_its_own_failure() {
        let inventory = inventory(vec![role("bare", github(json!({})))]);
        let findings = run("trust-federation", &inventory);
        let severities: Vec<Severity> = findings.iter().map(|finding| finding.severity).collect();
        assert_eq!(severities, [Severity::High, Severity::Medium]);
        assert!(findings[0].message.contains("no condition on token.actions.githubusercontent.com:sub: any GitHub Actions workflow of any repository on GitHub can assume the role"));
        assert!(findings[1].message.contains(
            "no condition on token.actions.githubusercontent.com:aud (sts.amazonaws.com)"
        ));
    }

    #[test]
    fn guests_of_an_identity_pool_fail_only_into_a_role_that_reaches_admin() {
        let cognito = |name: &str, actions: Value| {
            let mut role = role(
                name,
                trust(json!({"Effect": "Allow",
                    "Principal": {"Federated": "cognito-identity.amazonaws.com"},
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": {
                        "StringEquals": {"cognito-identity.amazonaws.com:aud": "us-east-1:12345678-1234-1234-1234-123456789012"},
                        "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "unauthenticated"}}})),
            );
            role.inline_policies
                .push(crate::checks::admin::tests::inline(
                    "access",
                    json!([{"Effect": "Allow", "Action": actions, "Resource": "*"}]),
                ));
            role
        };
        let inventory = inventory(vec![
            cognito("guest-admin", json!("*")),
            cognito("guest-reader", json!("s3:GetObject")),
        ]);
        let findings = run("trust-federation", &inventory);
        assert_eq!(findings.len(), 2, "{findings:#?}");
        assert_eq!(findings[0].status, Status::Fail);
        assert_eq!(
            findings[0].severity,
            Severity::Critical,
            "raised from high: the role is an administrator"
        );
        assert!(
            findings[0]
                .message
                .contains("admits guest (unauthenticated) identities of the identity pool"),
            "{}",
            findings[0].message
        );
        assert_eq!(findings[1].status, Status::Pass);
        assert!(
            findings[1].message.contains("admits guest identities"),
            "a read-only guest role passes, and says so: {}",
            findings[1].message
        );
    }

    #[test]
    fn eks_saml_and_roles_without_federation() {
        let inventory = inventory(vec![
            role(
                "irsa-any",
                trust(json!({"Effect": "Allow",
                    "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC"},
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": {"StringEquals": {"oidc.eks.eu-west-1.amazonaws.com/id/ABC:aud": "sts.amazonaws.com"},
                                  "StringLike": {"oidc.eks.eu-west-1.amazonaws.com/id/ABC:sub": "system:serviceaccount:payments:*"}}})),
            ),
            role(
                "okta",
                trust(json!({"Effect": "Allow",
                    "Principal": {"Federated": "arn:aws:iam::123456789012:saml-provider/Okta"},
                    "Action": "sts:AssumeRoleWithSAML",
                    "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}})),
            ),
            role(
                "ec2",
                trust(
                    json!({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}),
                ),
            ),
        ]);
        let findings = run("trust-federation", &inventory);
        assert_eq!(
            findings
                .iter()
                .map(|finding| finding.status)
                .collect::<Vec<_>>(),
            [Status::Fail, Status::Pass, Status::Pass]
        );
        assert!(
            findings[0]
                .message
                .contains("admits every service account matching \"*\" in namespace payments")
        );
        assert_eq!(findings[2].message, "role ec2 trusts no identity provider");
    }
}
