//! Role trust against a real IAM API (moto), seeded through aws-sdk-iam: each planted trust
//! fails exactly the check it should, and the negative controls (a GitHub trust pinned to a
//! branch, a vendor with an external id, a public-looking trust narrowed to the
//! organization, a service-linked role, an EC2 role, an account declared as known) pass.
//!
//! moto returns trust policies in GetAccountAuthorizationDetails as plain JSON rather than
//! URL-encoded; the scanner reads both.

mod common;

use common::*;
use serde_json::Value;

const GITHUB_URL: &str = "https://token.actions.githubusercontent.com";
const GITLAB_URL: &str = "https://gitlab.example.com";
const SAML_NAME: &str = "retired-idp";
const VENDOR_ACCOUNT: &str = "999988887777";
const SIBLING_ACCOUNT: &str = "111122223333";

fn github_provider_arn() -> String {
    format!("arn:aws:iam::{MOTO_ACCOUNT}:oidc-provider/token.actions.githubusercontent.com")
}

fn gitlab_provider_arn() -> String {
    format!("arn:aws:iam::{MOTO_ACCOUNT}:oidc-provider/gitlab.example.com")
}

fn saml_provider_arn() -> String {
    format!("arn:aws:iam::{MOTO_ACCOUNT}:saml-provider/{SAML_NAME}")
}

fn trust(statement: Value) -> String {
    serde_json::json!({"Version": "2012-10-17", "Statement": [statement]}).to_string()
}

fn github(condition: Value) -> String {
    trust(serde_json::json!({
        "Effect": "Allow",
        "Principal": {"Federated": github_provider_arn()},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": condition
    }))
}

fn aws(principal: &str, condition: Value) -> String {
    trust(serde_json::json!({
        "Effect": "Allow",
        "Principal": {"AWS": principal},
        "Action": "sts:AssumeRole",
        "Condition": condition
    }))
}

fn service(principal: &str, condition: Value) -> String {
    trust(serde_json::json!({
        "Effect": "Allow",
        "Principal": {"Service": principal},
        "Action": "sts:AssumeRole",
        "Condition": condition
    }))
}

/// Every planted role and its trust policy.
fn planted_roles() -> Vec<(&'static str, String)> {
    use serde_json::json;
    vec![
        (
            "gh-pinned",
            github(json!({"StringEquals": {
                "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                "token.actions.githubusercontent.com:sub": "repo:org/app:ref:refs/heads/main"}})),
        ),
        (
            "gh-org-wide",
            github(json!({
                "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                "StringLike": {"token.actions.githubusercontent.com:sub": "repo:org/*"}})),
        ),
        (
            "gh-no-sub",
            github(
                json!({"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}),
            ),
        ),
        (
            "vendor-external-id",
            aws(
                &format!("arn:aws:iam::{VENDOR_ACCOUNT}:root"),
                json!({"StringEquals": {"sts:ExternalId": "vendor-7f3a"}}),
            ),
        ),
        (
            "vendor-open",
            aws(&format!("arn:aws:iam::{VENDOR_ACCOUNT}:root"), json!({})),
        ),
        ("sibling-account", aws(SIBLING_ACCOUNT, json!({}))),
        ("public-any", aws("*", json!({}))),
        (
            "public-org",
            aws(
                "*",
                json!({"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}),
            ),
        ),
        ("ec2-instance", service("ec2.amazonaws.com", json!({}))),
        (
            "config-recorder",
            service("config.amazonaws.com", json!({})),
        ),
        (
            "config-pinned",
            service(
                "config.amazonaws.com",
                json!({"StringEquals": {"aws:SourceAccount": MOTO_ACCOUNT}}),
            ),
        ),
    ]
}

/// Seeds the roles and providers; returns the service-linked role's name and ARN (moto picks
/// the name, and the ARN carries the role's path).
async fn seed(client: &aws_sdk_iam::Client) -> (String, String) {
    for url in [GITHUB_URL, GITLAB_URL] {
        client
            .create_open_id_connect_provider()
            .url(url)
            .client_id_list("sts.amazonaws.com")
            .thumbprint_list("6938fd4d98bab03faadb97b34396831e3780aea1")
            .send()
            .await
            .expect("CreateOpenIDConnectProvider");
    }
    client
        .create_saml_provider()
        .name(SAML_NAME)
        .saml_metadata_document(
            r#"<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example.com"/>"#,
        )
        .send()
        .await
        .expect("CreateSAMLProvider");
    for (name, document) in planted_roles() {
        client
            .create_role()
            .role_name(name)
            .assume_role_policy_document(document)
            .send()
            .await
            .unwrap_or_else(|error| panic!("CreateRole {name}: {error:?}"));
    }
    let linked = client
        .create_service_linked_role()
        .aws_service_name("config.amazonaws.com")
        .send()
        .await
        .expect("CreateServiceLinkedRole");
    let role = linked.role().expect("the service-linked role");
    (role.role_name().to_string(), role.arn().to_string())
}

#[test]
fn planted_trusts_fail_their_check_and_the_negative_controls_pass() {
    let moto = Moto::start();
    let (linked, linked_arn) = block_on(seed(&moto.client()));
    let report = scan_live(&moto.url, &["--known-accounts", SIBLING_ACCOUNT]).report();

    // (name, ARN) of every role in the account.
    let roles: Vec<(String, String)> = planted_roles()
        .iter()
        .map(|(name, _)| (name.to_string(), role_arn(name)))
        .chain([(linked.clone(), linked_arn.clone())])
        .collect();
    let expected: [(&str, &[&str]); 4] = [
        ("trust-public", &["public-any"]),
        ("trust-cross-account", &["vendor-open"]),
        ("trust-federation", &["gh-no-sub", "gh-org-wide"]),
        ("trust-service", &["config-recorder"]),
    ];
    for (check, failing_roles) in expected {
        assert_eq!(
            failing(&report, check),
            failing_roles
                .iter()
                .map(|name| role_arn(name))
                .collect::<Vec<_>>(),
            "failing roles of {check}"
        );
        for (name, arn) in roles
            .iter()
            .filter(|(name, _)| !failing_roles.contains(&name.as_str()))
        {
            assert_eq!(
                status(&report, check, arn),
                "pass",
                "{check} on {name}: {}",
                message(&report, check, arn)
            );
        }
    }

    // Each failure names the statement, the problem and the value, at the right severity.
    let public = finding(&report, "trust-public", &role_arn("public-any"));
    assert_eq!(public["severity"], "critical");
    assert!(
        public["message"]
            .as_str()
            .unwrap()
            .starts_with("role public-any: Statement[0] lets any AWS principal in any account assume the role (Principal {\"AWS\": \"*\"} for sts:AssumeRole)"),
        "{public}"
    );
    assert!(
        public["remediation"]["cli"]
            .as_str()
            .unwrap()
            .contains("aws iam update-assume-role-policy --role-name public-any --policy-document file://trust.json"),
        "{public}"
    );
    let org_wide = finding(&report, "trust-federation", &role_arn("gh-org-wide"));
    assert_eq!(org_wide["severity"], "high");
    assert!(
        org_wide["message"]
            .as_str()
            .unwrap()
            .ends_with("condition StringLike token.actions.githubusercontent.com:sub \"repo:org/*\" is too broad: \"repo:org/*\" admits every repository of org, not one repository"),
        "{org_wide}"
    );
    assert!(
        message(&report, "trust-federation", &role_arn("gh-no-sub"))
            .contains("no condition on token.actions.githubusercontent.com:sub"),
    );
    assert!(
        message(&report, "trust-cross-account", &role_arn("vendor-open")).contains(&format!(
            "account {VENDOR_ACCOUNT} (arn:aws:iam::{VENDOR_ACCOUNT}:root)"
        ))
    );
    let config = finding(&report, "trust-service", &role_arn("config-recorder"));
    assert_eq!(config["severity"], "low");

    // The negative controls say why they pass.
    assert_eq!(
        message(&report, "trust-federation", &role_arn("gh-pinned")),
        "role gh-pinned: Statement[0] trusts GitHub Actions with StringEquals token.actions.githubusercontent.com:sub \"repo:org/app:ref:refs/heads/main\", StringEquals token.actions.githubusercontent.com:aud \"sts.amazonaws.com\""
    );
    assert!(
        message(
            &report,
            "trust-cross-account",
            &role_arn("vendor-external-id")
        )
        .ends_with("guarded by StringEquals sts:ExternalId \"vendor-7f3a\"")
    );
    assert!(
        message(&report, "trust-cross-account", &role_arn("sibling-account"))
            .contains("declared in known_accounts")
    );
    assert!(
        message(&report, "trust-public", &role_arn("public-org"))
            .contains("confined by StringEquals aws:PrincipalOrgID \"o-a1b2c3d4e5\"")
    );
    assert!(message(&report, "trust-service", &linked_arn).contains("service-linked"));

    // Providers: the GitHub one is trusted, the other two by nobody.
    assert_eq!(failing(&report, "identity-providers"), {
        let mut unused = vec![gitlab_provider_arn(), saml_provider_arn()];
        unused.sort();
        unused
    });
    assert_eq!(
        status(&report, "identity-providers", &github_provider_arn()),
        "pass"
    );

    // moto's documents all parsed: nothing about trust is left unjudged.
    let errored = errored_checks(&report);
    for check in [
        "trust-public",
        "trust-cross-account",
        "trust-federation",
        "trust-service",
        "identity-providers",
    ] {
        assert!(!errored.contains(&check.to_string()), "{check} errored");
    }
}

#[test]
fn without_known_accounts_a_sibling_account_is_another_account() {
    let moto = Moto::start();
    block_on(seed(&moto.client()));
    let report = scan_live(&moto.url, &["--checks", "trust-cross-account"]).report();
    assert_eq!(
        failing(&report, "trust-cross-account"),
        vec![role_arn("sibling-account"), role_arn("vendor-open")]
    );
    assert!(
        message(&report, "trust-cross-account", &role_arn("sibling-account"))
            .ends_with("If the account is yours, add it to known_accounts")
    );
}
