//! Privilege escalation against a real IAM API (moto), seeded through aws-sdk-iam: the
//! planted escalators fail the check of their route, with the path named, and the traps
//! (a Deny that neutralises an Allow, a boundary that caps a role's `*` policy, self-service access keys, a
//! harmless group, a read-only auditor) pass.

mod common;

use common::*;
use serde_json::{Value, json};

const ADMINISTRATOR_ACCESS: &str = "arn:aws:iam::aws:policy/AdministratorAccess";

fn policy(statements: Value) -> String {
    json!({"Version": "2012-10-17", "Statement": statements}).to_string()
}

fn trusting(principal: Value) -> String {
    policy(json!([{"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}]))
}

async fn create_user(client: &aws_sdk_iam::Client, name: &str) {
    client
        .create_user()
        .user_name(name)
        .send()
        .await
        .unwrap_or_else(|error| panic!("CreateUser {name}: {error:?}"));
}

async fn put_user_policy(client: &aws_sdk_iam::Client, user: &str, statements: Value) {
    client
        .put_user_policy()
        .user_name(user)
        .policy_name("inline")
        .policy_document(policy(statements))
        .send()
        .await
        .unwrap_or_else(|error| panic!("PutUserPolicy {user}: {error:?}"));
}

async fn create_policy(client: &aws_sdk_iam::Client, name: &str, statements: Value) -> String {
    client
        .create_policy()
        .policy_name(name)
        .policy_document(policy(statements))
        .send()
        .await
        .unwrap_or_else(|error| panic!("CreatePolicy {name}: {error:?}"))
        .policy()
        .and_then(|policy| policy.arn())
        .expect("the new policy's ARN")
        .to_string()
}

async fn attach_user_policy(client: &aws_sdk_iam::Client, user: &str, arn: &str) {
    client
        .attach_user_policy()
        .user_name(user)
        .policy_arn(arn)
        .send()
        .await
        .unwrap_or_else(|error| panic!("AttachUserPolicy {user} {arn}: {error:?}"));
}

async fn create_role(client: &aws_sdk_iam::Client, name: &str, trust: String, admin: bool) {
    client
        .create_role()
        .role_name(name)
        .assume_role_policy_document(trust)
        .send()
        .await
        .unwrap_or_else(|error| panic!("CreateRole {name}: {error:?}"));
    if admin {
        client
            .attach_role_policy()
            .role_name(name)
            .policy_arn(ADMINISTRATOR_ACCESS)
            .send()
            .await
            .unwrap_or_else(|error| panic!("AttachRolePolicy {name}: {error:?}"));
    }
}

async fn seed(client: &aws_sdk_iam::Client) {
    // An administrator whose credentials nobody but itself may create.
    create_user(client, "boss").await;
    attach_user_policy(client, "boss", ADMINISTRATOR_ACCESS).await;

    // Escalation split across two managed policies: PassRole in one, Lambda in the other.
    let pass = create_policy(
        client,
        "pass-any-role",
        json!([{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}]),
    )
    .await;
    let lambda = create_policy(
        client,
        "lambda-deploy",
        json!([{"Effect": "Allow", "Action": ["lambda:CreateFunction", "lambda:InvokeFunction"], "Resource": "*"}]),
    )
    .await;
    create_user(client, "split-deployer").await;
    attach_user_policy(client, "split-deployer", &pass).await;
    attach_user_policy(client, "split-deployer", &lambda).await;
    create_role(
        client,
        "lambda-admin",
        trusting(json!({"Service": "lambda.amazonaws.com"})),
        true,
    )
    .await;

    // A policy on itself.
    create_user(client, "self-attacher").await;
    put_user_policy(
        client,
        "self-attacher",
        json!([{"Effect": "Allow", "Action": "iam:AttachUserPolicy", "Resource": user_arn("self-attacher")}]),
    )
    .await;

    // An AssumeRole chain: each trust names the previous principal's ARN.
    create_user(client, "chain-user").await;
    create_role(
        client,
        "start-role",
        trusting(json!({"AWS": user_arn("chain-user")})),
        false,
    )
    .await;
    create_role(
        client,
        "intermediate-role",
        trusting(json!({"AWS": role_arn("start-role")})),
        false,
    )
    .await;
    create_role(
        client,
        "admin-role",
        trusting(json!({"AWS": role_arn("intermediate-role")})),
        true,
    )
    .await;

    // Traps. A Deny in a second policy neutralises the Allow.
    let deny_iam = create_policy(
        client,
        "deny-iam",
        json!([{"Effect": "Deny", "Action": "iam:*", "Resource": "*"}]),
    )
    .await;
    create_user(client, "denied").await;
    put_user_policy(
        client,
        "denied",
        json!([{"Effect": "Allow", "Action": "iam:*", "Resource": "*"}]),
    )
    .await;
    attach_user_policy(client, "denied", &deny_iam).await;

    // A boundary caps an administrator's policy to S3.
    let s3_only = create_policy(
        client,
        "s3-only-boundary",
        json!([{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]),
    )
    .await;
    // (moto keeps permissions boundaries on roles only.)
    client
        .create_role()
        .role_name("capped-role")
        .assume_role_policy_document(trusting(json!({"Service": "ec2.amazonaws.com"})))
        .permissions_boundary(&s3_only)
        .send()
        .await
        .expect("CreateRole with a permissions boundary");
    client
        .put_role_policy()
        .role_name("capped-role")
        .policy_name("everything")
        .policy_document(policy(
            json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}]),
        ))
        .send()
        .await
        .expect("PutRolePolicy");

    // Access keys for oneself only.
    create_user(client, "self-service").await;
    put_user_policy(
        client,
        "self-service",
        json!([{"Effect": "Allow", "Action": ["iam:CreateAccessKey", "iam:DeleteAccessKey"],
                "Resource": "arn:aws:iam::*:user/${aws:username}"}]),
    )
    .await;

    // Joining a group that grants nothing more.
    client
        .create_group()
        .group_name("readers")
        .send()
        .await
        .expect("CreateGroup");
    create_user(client, "harmless-joiner").await;
    put_user_policy(
        client,
        "harmless-joiner",
        json!([{"Effect": "Allow", "Action": "iam:AddUserToGroup", "Resource": group_arn("readers")}]),
    )
    .await;

    // A read-only auditor.
    create_user(client, "auditor").await;
    put_user_policy(
        client,
        "auditor",
        json!([{"Effect": "Allow", "Action": ["iam:Get*", "iam:List*", "iam:GenerateCredentialReport"], "Resource": "*"}]),
    )
    .await;
}

#[test]
fn planted_escalators_fail_with_their_path_and_the_traps_pass() {
    let moto = Moto::start();
    block_on(seed(&moto.client()));
    let report = scan_live(&moto.url, &[]).report();

    assert_eq!(
        failing(&report, "principal-privilege-escalation"),
        vec![
            role_arn("intermediate-role"),
            user_arn("self-attacher"),
            user_arn("split-deployer"),
        ]
    );
    assert_eq!(
        failing(&report, "privilege-escalation-path"),
        vec![role_arn("start-role"), user_arn("chain-user")]
    );
    let traps = ["denied", "self-service", "harmless-joiner", "auditor"]
        .map(user_arn)
        .into_iter()
        .chain([role_arn("capped-role")]);
    for trap in traps {
        for check in [
            "principal-privilege-escalation",
            "privilege-escalation-path",
        ] {
            assert_eq!(
                status(&report, check, &trap),
                "pass",
                "{check} on {trap}: {}",
                message(&report, check, &trap)
            );
        }
    }
    for admin in [
        user_arn("boss"),
        role_arn("admin-role"),
        role_arn("lambda-admin"),
    ] {
        assert_eq!(
            status(&report, "principal-privilege-escalation", &admin),
            "skipped"
        );
    }

    let chain = finding(
        &report,
        "privilege-escalation-path",
        &user_arn("chain-user"),
    );
    assert_eq!(chain["severity"], "critical");
    assert!(
        chain["message"].as_str().unwrap().starts_with(
            "user/chain-user can reach administrator through other principals: user/chain-user -> role/start-role (sts:AssumeRole) -> role/intermediate-role (sts:AssumeRole) -> role/admin-role (sts:AssumeRole), an administrator."
        ),
        "{chain}"
    );

    let split = finding(
        &report,
        "principal-privilege-escalation",
        &user_arn("split-deployer"),
    );
    assert_eq!(split["severity"], "critical");
    let text = split["message"].as_str().unwrap();
    assert!(
        text.starts_with(
            "user/split-deployer can escalate to administrator by its own permissions: user/split-deployer -> role/lambda-admin (iam:PassRole + lambda:CreateFunction + lambda:InvokeFunction to lambda.amazonaws.com), an administrator. Methods: lambda-create-invoke."
        ),
        "{text}"
    );
    for name in ["pass-any-role", "lambda-deploy"] {
        assert!(
            text.contains(&format!("arn:aws:iam::{MOTO_ACCOUNT}:policy/{name}")),
            "{text}"
        );
    }
    assert!(
        text.ends_with("(identity policies only: SCPs, RCPs and resource policies not evaluated)")
    );
    assert!(
        split["remediation"]["cli"]
            .as_str()
            .unwrap()
            .contains("aws iam list-attached-user-policies --user-name split-deployer"),
        "{split}"
    );
}
