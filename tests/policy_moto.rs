//! Effective permissions against a real IAM API (moto), seeded through aws-sdk-iam: the two
//! administrators (one through AWS managed AdministratorAccess, one through a customer `*:*`
//! policy of a group) and an "administrator except IAM" fail, and the negative controls (a
//! role whose boundary caps AdministratorAccess, a read-only auditor, an administrator
//! neutralised by a Deny, the ~1,500 AWS managed policies nobody holds, a service-linked
//! role) pass. The wildcard checks fail exactly the planted statements.

mod common;

use common::*;
use serde_json::{Value, json};

const ADMINISTRATOR_ACCESS: &str = "arn:aws:iam::aws:policy/AdministratorAccess";
const READ_ONLY_ACCESS: &str = "arn:aws:iam::aws:policy/ReadOnlyAccess";

fn policy_arn(name: &str) -> String {
    format!("arn:aws:iam::{MOTO_ACCOUNT}:policy/{name}")
}

fn document(statements: Value) -> String {
    json!({"Version": "2012-10-17", "Statement": statements}).to_string()
}

fn ec2_trust() -> String {
    document(json!([{
        "Effect": "Allow",
        "Principal": {"Service": "ec2.amazonaws.com"},
        "Action": "sts:AssumeRole"
    }]))
}

/// Seeds the account; returns the service-linked role's ARN (moto picks its name).
async fn seed(client: &aws_sdk_iam::Client) -> String {
    for (name, statements) in [
        (
            "everything",
            json!([{"Sid": "All", "Effect": "Allow", "Action": "*", "Resource": "*"}]),
        ),
        (
            "dev-boundary",
            json!([{"Effect": "Allow", "Action": ["s3:*", "logs:*"], "Resource": "*"}]),
        ),
        (
            "deployer",
            json!([
                {"Sid": "Artifacts", "Effect": "Allow", "Action": "s3:*", "Resource": "*"},
                {"Sid": "Launch", "Effect": "Allow", "Action": ["ec2:RunInstances", "iam:PassRole"], "Resource": "*"}
            ]),
        ),
    ] {
        client
            .create_policy()
            .policy_name(name)
            .policy_document(document(statements))
            .send()
            .await
            .unwrap_or_else(|error| panic!("CreatePolicy {name}: {error:?}"));
    }

    for name in ["alice-admin", "bob", "auditor", "quarantined"] {
        client
            .create_user()
            .user_name(name)
            .send()
            .await
            .unwrap_or_else(|error| panic!("CreateUser {name}: {error:?}"));
    }
    // alice holds long-term credentials: an administrator with an access key.
    client
        .create_access_key()
        .user_name("alice-admin")
        .send()
        .await
        .expect("CreateAccessKey");
    for (user, policy) in [
        ("alice-admin", ADMINISTRATOR_ACCESS.to_string()),
        ("auditor", READ_ONLY_ACCESS.to_string()),
        ("quarantined", ADMINISTRATOR_ACCESS.to_string()),
    ] {
        client
            .attach_user_policy()
            .user_name(user)
            .policy_arn(policy)
            .send()
            .await
            .unwrap_or_else(|error| panic!("AttachUserPolicy {user}: {error:?}"));
    }
    client
        .put_user_policy()
        .user_name("quarantined")
        .policy_name("deny-all")
        .policy_document(document(
            json!([{"Effect": "Deny", "Action": "*", "Resource": "*"}]),
        ))
        .send()
        .await
        .expect("PutUserPolicy deny-all");

    client
        .create_group()
        .group_name("admins")
        .send()
        .await
        .expect("CreateGroup");
    client
        .attach_group_policy()
        .group_name("admins")
        .policy_arn(policy_arn("everything"))
        .send()
        .await
        .expect("AttachGroupPolicy");
    client
        .add_user_to_group()
        .group_name("admins")
        .user_name("bob")
        .send()
        .await
        .expect("AddUserToGroup");

    client
        .create_role()
        .role_name("capped")
        .assume_role_policy_document(ec2_trust())
        .permissions_boundary(policy_arn("dev-boundary"))
        .send()
        .await
        .expect("CreateRole capped");
    client
        .attach_role_policy()
        .role_name("capped")
        .policy_arn(ADMINISTRATOR_ACCESS)
        .send()
        .await
        .expect("AttachRolePolicy capped");

    client
        .create_role()
        .role_name("builder")
        .assume_role_policy_document(ec2_trust())
        .send()
        .await
        .expect("CreateRole builder");
    client
        .attach_role_policy()
        .role_name("builder")
        .policy_arn(policy_arn("deployer"))
        .send()
        .await
        .expect("AttachRolePolicy builder");

    client
        .create_role()
        .role_name("power")
        .assume_role_policy_document(ec2_trust())
        .send()
        .await
        .expect("CreateRole power");
    client
        .put_role_policy()
        .role_name("power")
        .policy_name("all-but-iam")
        .policy_document(document(json!([{
            "Sid": "Power",
            "Effect": "Allow",
            "NotAction": ["iam:*", "organizations:*"],
            "Resource": "*"
        }])))
        .send()
        .await
        .expect("PutRolePolicy power");

    let linked = client
        .create_service_linked_role()
        .aws_service_name("config.amazonaws.com")
        .send()
        .await
        .expect("CreateServiceLinkedRole");
    linked
        .role()
        .expect("the service-linked role")
        .arn()
        .to_string()
}

#[test]
fn administrators_fail_by_any_route_and_the_negative_controls_pass() {
    let moto = Moto::start();
    let linked = block_on(seed(&moto.client()));
    let report = scan_live(&moto.url, &[]).report();

    let admin_checks = [
        "policy-full-admin",
        "principal-effective-admin",
        "policy-service-wildcard",
        "policy-not-action-resource",
        "policy-passrole-all-roles",
        "policy-assume-all-roles",
    ];
    for check in admin_checks {
        assert!(
            !errored_checks(&report).contains(&check.to_string()),
            "{check} has errors: {:#?}",
            findings_of(&report, check)
        );
    }

    // Exactly these principals are administrators.
    assert_eq!(
        failing(&report, "principal-effective-admin"),
        [
            group_arn("admins"),
            role_arn("power"),
            user_arn("alice-admin"),
            user_arn("bob"),
        ]
    );
    for arn in [
        user_arn("auditor"),
        user_arn("quarantined"),
        role_arn("capped"),
        role_arn("builder"),
    ] {
        assert_eq!(
            status(&report, "principal-effective-admin", &arn),
            "pass",
            "{arn}: {}",
            message(&report, "principal-effective-admin", &arn)
        );
    }
    assert!(
        findings_of(&report, "principal-effective-admin")
            .iter()
            .all(|finding| finding["resource_arn"] != linked.as_str()),
        "the service-linked role {linked} is left out"
    );

    // The route, the severity by credential, and what was not evaluated.
    let alice = finding(
        &report,
        "principal-effective-admin",
        &user_arn("alice-admin"),
    );
    assert_eq!(alice["severity"], "high");
    assert_eq!(
        alice["message"],
        "user/alice-admin is effectively an administrator: every probed action is allowed on every resource through arn:aws:iam::aws:policy/AdministratorAccess (identity policies only: SCPs, RCPs and resource policies not evaluated)"
    );
    assert!(
        alice["remediation"]["cli"]
            .as_str()
            .unwrap()
            .contains("aws iam detach-user-policy --user-name alice-admin --policy-arn arn:aws:iam::aws:policy/AdministratorAccess")
    );
    let bob = finding(&report, "principal-effective-admin", &user_arn("bob"));
    assert_eq!(bob["severity"], "medium", "bob has no password and no key");
    assert!(
        bob["message"]
            .as_str()
            .unwrap()
            .contains(&format!("{} via group admins", policy_arn("everything"))),
        "{bob}"
    );
    assert!(
        message(&report, "principal-effective-admin", &role_arn("power")).starts_with(
            "role/power is effectively an administrator except for iam, organizations"
        )
    );

    // Only the customer `*:*` policy fails policy-full-admin: never AWS managed ones.
    assert_eq!(
        failing(&report, "policy-full-admin"),
        [policy_arn("everything")]
    );
    let everything = finding(&report, "policy-full-admin", &policy_arn("everything"));
    assert_eq!(everything["severity"], "high");
    assert_eq!(
        everything["message"],
        "policy everything allows * on * in its default version (All); attached to group/admins"
    );
    assert!(
        everything["remediation"]["cli"]
            .as_str()
            .unwrap()
            .contains(&format!(
                "aws iam detach-group-policy --group-name admins --policy-arn {}",
                policy_arn("everything")
            ))
    );
    assert!(
        findings_of(&report, "policy-full-admin")
            .iter()
            .all(|finding| !finding["resource_arn"]
                .as_str()
                .unwrap()
                .starts_with("arn:aws:iam::aws:"))
    );

    // The wildcard family: the planted statements, and nothing else.
    assert_eq!(
        failing(&report, "policy-service-wildcard"),
        [policy_arn("deployer")]
    );
    assert_eq!(
        message(&report, "policy-service-wildcard", &policy_arn("deployer")),
        "policy deployer: statement Artifacts allows every action of a service: \"s3:*\""
    );
    assert_eq!(
        failing(&report, "policy-passrole-all-roles"),
        [policy_arn("deployer")]
    );
    assert_eq!(
        message(
            &report,
            "policy-passrole-all-roles",
            &policy_arn("deployer")
        ),
        "policy deployer: statement Launch allows iam:PassRole on every role: \"*\""
    );
    assert_eq!(
        failing(&report, "policy-not-action-resource"),
        [role_arn("power")]
    );
    assert!(failing(&report, "policy-assume-all-roles").is_empty());
}
