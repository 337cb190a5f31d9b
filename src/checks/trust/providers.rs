//! identity-providers: OIDC and SAML providers that no role trusts.

use super::summarise;
use crate::checks::{Context, Emitter, Resource, report_missing, require};
use crate::policy::trust::trusted_providers;
use std::collections::BTreeMap;

pub fn identity_providers(context: &Context, emit: &mut Emitter) {
    let details = require!(context, emit, context.authorization());
    // Provider ARN (lower case: IAM compares them so) -> roles whose trust names it.
    let mut trusted_by: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut unreadable = Vec::new();
    for role in &details.roles {
        match &role.assume_role_policy {
            Some(document) => {
                for provider in trusted_providers(document) {
                    trusted_by
                        .entry(provider.to_ascii_lowercase())
                        .or_default()
                        .push(role.name.clone());
                }
            }
            None => unreadable.push(role.name.clone()),
        }
    }
    let mut providers: Vec<(&str, &'static str, &'static str)> = Vec::new();
    match &context.inventory.oidc_providers {
        Some(list) => providers.extend(
            list.iter()
                .map(|provider| (provider.arn.as_str(), "OIDC", "AwsIamOidcProvider")),
        ),
        None => report_missing(
            context,
            emit,
            context.missing(
                "the OpenID Connect provider list",
                &["ListOpenIDConnectProviders"],
            ),
        ),
    }
    match &context.inventory.saml_providers {
        Some(list) => providers.extend(
            list.iter()
                .map(|provider| (provider.arn.as_str(), "SAML", "AwsIamSamlProvider")),
        ),
        None => report_missing(
            context,
            emit,
            context.missing("the SAML provider list", &["ListSAMLProviders"]),
        ),
    }
    let lists_known =
        context.inventory.oidc_providers.is_some() && context.inventory.saml_providers.is_some();
    if providers.is_empty() && lists_known {
        emit.skipped(
            Resource::new(context.account_arn(), "AwsAccount"),
            "the account has no OIDC or SAML identity providers",
        );
        return;
    }
    for (arn, kind, resource_type) in providers {
        let resource = Resource::new(arn, resource_type);
        match trusted_by.get(&arn.to_ascii_lowercase()) {
            Some(roles) => emit.pass(
                resource,
                format!(
                    "{kind} provider {arn} is trusted by role {}",
                    summarise(roles, 5)
                ),
            ),
            None if !unreadable.is_empty() => emit.error(
                resource,
                format!(
                    "{kind} provider {arn} is trusted by no readable role, but the trust policy of role {} could not be read",
                    summarise(&unreadable, 5)
                ),
            ),
            None => emit.fail(
                resource,
                format!(
                    "{kind} provider {arn} is trusted by no role: nothing uses it, and a trust policy written later could admit its identities without anyone reviewing the provider"
                ),
                &[("provider_arn", arn.to_string())],
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use crate::checks::fixtures::*;
    use crate::finding::{Severity, Status};
    use crate::inventory::{OidcProvider, SamlProvider};
    use serde_json::json;

    const GITHUB: &str =
        "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
    const GITLAB: &str = "arn:aws:iam::123456789012:oidc-provider/gitlab.com";
    const OKTA: &str = "arn:aws:iam::123456789012:saml-provider/Okta";

    fn oidc(arn: &str) -> OidcProvider {
        OidcProvider {
            arn: arn.into(),
            details: None,
        }
    }

    fn saml(arn: &str) -> SamlProvider {
        SamlProvider {
            arn: arn.into(),
            create_date: None,
            valid_until: None,
        }
    }

    fn deploy_role() -> crate::inventory::gaad::Role {
        role(
            "deploy",
            trust(
                json!({"Effect": "Allow", "Principal": {"Federated": GITHUB}, "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {"StringEquals": {"token.actions.githubusercontent.com:sub": "repo:org/app:ref:refs/heads/main"}}}),
            ),
        )
    }

    #[test]
    fn providers_no_role_trusts_fail_low_and_trusted_ones_pass() {
        let mut inventory = inventory(vec![deploy_role()]);
        inventory.oidc_providers = Some(vec![oidc(GITHUB), oidc(GITLAB)]);
        inventory.saml_providers = Some(vec![saml(OKTA)]);
        let findings = run("identity-providers", &inventory);
        let outcomes: Vec<(&str, Status)> = findings
            .iter()
            .map(|finding| (finding.resource_arn.as_str(), finding.status))
            .collect();
        assert_eq!(
            outcomes,
            [
                (GITHUB, Status::Pass),
                (GITLAB, Status::Fail),
                (OKTA, Status::Fail)
            ]
        );
        assert_eq!(findings[1].severity, Severity::Low);
        assert_eq!(
            findings[0].message,
            format!("OIDC provider {GITHUB} is trusted by role deploy")
        );
        assert!(
            findings[2]
                .remediation
                .as_ref()
                .unwrap()
                .cli()
                .contains(&format!("--saml-provider-arn {OKTA}"))
        );
    }

    #[test]
    fn an_unreadable_trust_policy_makes_an_untrusted_provider_an_error() {
        let mut broken = deploy_role();
        broken.name = "broken".into();
        broken.assume_role_policy = None;
        let mut inventory = inventory(vec![deploy_role(), broken]);
        inventory.oidc_providers = Some(vec![oidc(GITHUB), oidc(GITLAB)]);
        inventory.saml_providers = Some(vec![]);
        assert_eq!(
            statuses("identity-providers", &inventory),
            [Status::Pass, Status::Error]
        );
    }

    #[test]
    fn a_missing_provider_list_is_an_error_and_no_providers_is_skipped() {
        let mut inventory = inventory(vec![]);
        inventory.oidc_providers = Some(vec![oidc(GITLAB)]);
        assert_eq!(
            statuses("identity-providers", &inventory),
            [Status::Error, Status::Fail]
        );
        inventory.oidc_providers = Some(vec![]);
        inventory.saml_providers = Some(vec![]);
        assert_eq!(
            statuses("identity-providers", &inventory),
            [Status::Skipped]
        );
    }
}
