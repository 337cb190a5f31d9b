//! The escalation semantics, method family by method family, and the negative controls
//! that must stay clean. Every inventory here is a small fixture of its own.

use super::*;
use crate::inventory::gaad::{AttachedPolicy, Group, ManagedPolicy, Role, User};
use crate::inventory::{AuthorizationDetails, CredentialReport, CredentialReportRow, InlinePolicy};
use crate::policy::PolicyDocument;
use chrono::{DateTime, TimeZone, Utc};
use serde_json::{Value, json};

pub(crate) const ACCOUNT: &str = "123456789012";

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap()
}

pub(crate) fn document(statements: Value) -> PolicyDocument {
    PolicyDocument::from_value(&json!({"Version": "2012-10-17", "Statement": statements})).unwrap()
}

pub(crate) fn managed(arn: String, name: &str, statements: Value) -> ManagedPolicy {
    ManagedPolicy {
        name: name.into(),
        arn,
        id: String::new(),
        path: "/".into(),
        default_version_id: Some("v1".into()),
        attachment_count: 1,
        permissions_boundary_usage_count: 0,
        is_attachable: true,
        create_date: None,
        update_date: None,
        document: Some(document(statements)),
    }
}

pub(crate) fn customer(name: &str, statements: Value) -> ManagedPolicy {
    managed(
        format!("arn:aws:iam::{ACCOUNT}:policy/{name}"),
        name,
        statements,
    )
}

pub(crate) fn administrator_access() -> ManagedPolicy {
    managed(
        "arn:aws:iam::aws:policy/AdministratorAccess".into(),
        "AdministratorAccess",
        json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}]),
    )
}

pub(crate) fn attach(policy: &ManagedPolicy) -> AttachedPolicy {
    AttachedPolicy {
        name: policy.name.clone(),
        arn: policy.arn.clone(),
    }
}

pub(crate) fn inline(name: &str, statements: Value) -> InlinePolicy {
    InlinePolicy {
        name: name.into(),
        document: Some(document(statements)),
    }
}

pub(crate) use crate::inventory::fixtures::{group, user};

pub(crate) fn role(name: &str, trust: Value) -> Role {
    Role {
        assume_role_policy: Some(document(trust)),
        ..crate::inventory::fixtures::role(name)
    }
}

pub(crate) fn user_with(name: &str, statements: Value) -> User {
    let mut user = user(name);
    user.inline_policies.push(inline("own", statements));
    user
}

pub(crate) fn trusting_service(service: &str) -> Value {
    json!([{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}])
}

pub(crate) fn trusting_arn(arn: &str) -> Value {
    json!([{"Effect": "Allow", "Principal": {"AWS": arn}, "Action": "sts:AssumeRole"}])
}

pub(crate) fn arn(kind: &str, name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:{kind}/{name}")
}

/// A role that administers the account, trusted by `trust`.
pub(crate) fn admin_role(name: &str, trust: Value) -> Role {
    let mut role = role(name, trust);
    role.attached_policies.push(attach(&administrator_access()));
    role
}

pub(crate) fn details(
    users: Vec<User>,
    groups: Vec<Group>,
    roles: Vec<Role>,
    mut policies: Vec<ManagedPolicy>,
) -> AuthorizationDetails {
    policies.push(administrator_access());
    AuthorizationDetails {
        users,
        groups,
        roles,
        policies,
        organization: None,
    }
}

fn run(details: &AuthorizationDetails) -> Analysis {
    analyse(details, Some(ACCOUNT), None, &[], now())
}

fn outcome<'a>(analysis: &'a Analysis, kind: &str, name: &str) -> &'a Outcome {
    &analysis
        .verdict(&arn(kind, name))
        .unwrap_or_else(|| panic!("no verdict for {kind}/{name}"))
        .outcome
}

fn route<'a>(analysis: &'a Analysis, kind: &str, name: &str) -> &'a Route {
    match outcome(analysis, kind, name) {
        Outcome::Escalates(route) => route,
        other => panic!("{kind}/{name} does not escalate: {other:?}"),
    }
}

fn clean(analysis: &Analysis, kind: &str, name: &str) {
    assert_eq!(
        outcome(analysis, kind, name),
        &Outcome::Clean,
        "{kind}/{name} should not escalate"
    );
}

// --- own permissions ------------------------------------------------------------------

#[test]
fn a_policy_on_itself_is_a_certain_escalation() {
    let analysis = run(&details(
        vec![
            user_with(
                "attacher",
                json!([{"Effect": "Allow", "Action": "iam:AttachUserPolicy", "Resource": arn("user", "attacher")}]),
            ),
            user_with(
                "writer",
                json!([{"Effect": "Allow", "Action": "iam:Put*", "Resource": "*"}]),
            ),
        ],
        vec![],
        vec![],
        vec![],
    ));
    let attacher = route(&analysis, "user", "attacher");
    assert!(attacher.direct && attacher.is_certain_full_admin());
    assert_eq!(
        attacher.path(),
        "user/attacher -> iam:AttachUserPolicy on user/attacher"
    );
    assert_eq!(attacher.method_ids(), vec!["iam-attach-user-policy"]);
    assert_eq!(
        route(&analysis, "user", "writer").method_ids(),
        vec!["iam-put-user-policy"]
    );
}

#[test]
fn a_group_policy_counts_for_the_groups_members_only() {
    let mut member = user_with(
        "member",
        json!([{"Effect": "Allow", "Action": "iam:AttachGroupPolicy", "Resource": arn("group", "team")}]),
    );
    member.groups.push("team".into());
    let outsider = user_with(
        "outsider",
        json!([{"Effect": "Allow", "Action": "iam:AttachGroupPolicy", "Resource": arn("group", "empty")}]),
    );
    let analysis = run(&details(
        vec![member, outsider],
        vec![group("team"), group("empty")],
        vec![],
        vec![],
    ));
    assert_eq!(
        route(&analysis, "user", "member").path(),
        "user/member -> iam:AttachGroupPolicy on group/team"
    );
    clean(&analysis, "user", "outsider");
}

#[test]
fn policy_versions_count_on_customer_policies_held_never_on_aws_managed_ones() {
    let mine = customer(
        "mine",
        json!([{"Effect": "Allow", "Action": "iam:CreatePolicyVersion", "Resource": format!("arn:aws:iam::*:policy/mi*")}]),
    );
    let aws_only = customer(
        "aws-only",
        json!([{"Effect": "Allow", "Action": "iam:CreatePolicyVersion", "Resource": "arn:aws:iam::aws:policy/*"}]),
    );
    let mut versioner = user("versioner");
    versioner.attached_policies.push(attach(&mine));
    let mut read_only = user("reader");
    read_only.attached_policies.push(attach(&aws_only));
    let analysis = run(&details(
        vec![versioner, read_only],
        vec![],
        vec![],
        vec![mine, aws_only],
    ));
    assert_eq!(
        route(&analysis, "user", "versioner").path(),
        format!("user/versioner -> iam:CreatePolicyVersion on arn:aws:iam::{ACCOUNT}:policy/mine")
    );
    clean(&analysis, "user", "reader");
}

#[test]
fn set_default_policy_version_relies_on_an_older_version_it_cannot_see() {
    let policy = customer(
        "staged",
        json!([{"Effect": "Allow", "Action": "iam:SetDefaultPolicyVersion", "Resource": "*"}]),
    );
    let mut holder = user("holder");
    holder.attached_policies.push(attach(&policy));
    let analysis = run(&details(vec![holder], vec![], vec![], vec![policy]));
    let route = route(&analysis, "user", "holder");
    assert!(!route.is_certain_full_admin());
    assert_eq!(route.caveats().premises.len(), 1);
}

#[test]
fn a_role_rewrites_its_own_policies_but_not_a_service_linked_role() {
    let mut own = role("self-editor", trusting_service("ec2.amazonaws.com"));
    own.inline_policies.push(inline(
        "edit",
        json!([{"Effect": "Allow", "Action": "iam:PutRolePolicy", "Resource": arn("role", "self-editor")}]),
    ));
    let analysis = run(&details(vec![], vec![], vec![own], vec![]));
    assert_eq!(
        route(&analysis, "role", "self-editor").path(),
        "role/self-editor -> iam:PutRolePolicy on role/self-editor"
    );
}

// --- other principals' credentials and trust -------------------------------------------

#[test]
fn an_access_key_for_an_administrator_is_escalation_and_one_for_oneself_is_not() {
    let mut admin = user("boss");
    admin
        .attached_policies
        .push(attach(&administrator_access()));
    let analysis = run(&details(
        vec![
            admin,
            user_with(
                "keymaker",
                json!([{"Effect": "Allow", "Action": "iam:CreateAccessKey", "Resource": "*"}]),
            ),
            user_with(
                "self-service",
                json!([{"Effect": "Allow", "Action": ["iam:CreateAccessKey", "iam:UpdateAccessKey", "iam:DeleteAccessKey"],
                        "Resource": "arn:aws:iam::*:user/${aws:username}"}]),
            ),
        ],
        vec![],
        vec![],
        vec![],
    ));
    assert_eq!(
        outcome(&analysis, "user", "boss"),
        &Outcome::Administrator {
            route: "arn:aws:iam::aws:policy/AdministratorAccess".into()
        }
    );
    let keymaker = route(&analysis, "user", "keymaker");
    assert_eq!(
        keymaker.path(),
        "user/keymaker -> user/boss (iam:CreateAccessKey), an administrator"
    );
    assert!(keymaker.direct && keymaker.is_certain_full_admin());
    clean(&analysis, "user", "self-service");
}

#[test]
fn console_passwords_follow_the_credential_report() {
    let mut admin = user("boss");
    admin
        .attached_policies
        .push(attach(&administrator_access()));
    let creator = user_with(
        "creator",
        json!([{"Effect": "Allow", "Action": "iam:CreateLoginProfile", "Resource": "*"}]),
    );
    let resetter = user_with(
        "resetter",
        json!([{"Effect": "Allow", "Action": "iam:UpdateLoginProfile", "Resource": "*"}]),
    );
    let details = details(vec![admin, creator, resetter], vec![], vec![], vec![]);

    // Without a report both are possible, each on its premise.
    let unknown = run(&details);
    assert_eq!(
        route(&unknown, "user", "creator").caveats().premises.len(),
        1
    );
    assert_eq!(
        route(&unknown, "user", "resetter").caveats().premises.len(),
        1
    );

    // The administrator has a password: it can be reset, not created.
    let row = |name: &str, password: bool, mfa: bool| CredentialReportRow {
        user: name.into(),
        arn: arn("user", name),
        password_enabled: Some(password),
        mfa_active: mfa,
        ..Default::default()
    };
    let report = CredentialReport {
        generated_at: Some(now()),
        rows: vec![
            row("boss", true, false),
            row("creator", true, false),
            row("resetter", true, false),
        ],
    };
    let known = analyse(&details, Some(ACCOUNT), Some(&report), &[], now());
    clean(&known, "user", "creator");
    assert!(route(&known, "user", "resetter").is_certain_full_admin());

    // With an MFA device a password alone does not sign in.
    let report = CredentialReport {
        generated_at: Some(now()),
        rows: vec![
            row("boss", true, true),
            row("creator", true, true),
            row("resetter", true, true),
        ],
    };
    let guarded = analyse(&details, Some(ACCOUNT), Some(&report), &[], now());
    clean(&guarded, "user", "resetter");
}

#[test]
fn rewriting_a_trust_policy_needs_no_assume_role_grant_but_a_deny_stops_it() {
    let admin = admin_role("admin", trusting_service("ec2.amazonaws.com"));
    let analysis = run(&details(
        vec![
            user_with(
                "rewriter",
                json!([{"Effect": "Allow", "Action": "iam:UpdateAssumeRolePolicy", "Resource": "*"}]),
            ),
            user_with(
                "blocked",
                json!([
                    {"Effect": "Allow", "Action": "iam:UpdateAssumeRolePolicy", "Resource": "*"},
                    {"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "*"}
                ]),
            ),
        ],
        vec![],
        vec![admin],
        vec![],
    ));
    assert_eq!(
        route(&analysis, "user", "rewriter").path(),
        "user/rewriter -> role/admin (iam:UpdateAssumeRolePolicy), an administrator"
    );
    clean(&analysis, "user", "blocked");
}

#[test]
fn adding_oneself_to_a_group_counts_only_when_the_group_grants_more() {
    let mut admins = group("admins");
    admins
        .attached_policies
        .push(attach(&administrator_access()));
    let analysis = run(&details(
        vec![
            user_with(
                "joiner",
                json!([{"Effect": "Allow", "Action": "iam:AddUserToGroup", "Resource": arn("group", "admins")}]),
            ),
            user_with(
                "harmless",
                json!([{"Effect": "Allow", "Action": "iam:AddUserToGroup", "Resource": arn("group", "readers")}]),
            ),
        ],
        vec![admins, group("readers")],
        vec![],
        vec![],
    ));
    assert_eq!(
        route(&analysis, "user", "joiner").path(),
        "user/joiner -> group/admins (iam:AddUserToGroup), an administrator"
    );
    clean(&analysis, "user", "harmless");
}

// --- iam:PassRole and services ----------------------------------------------------------

#[test]
fn pass_role_split_across_two_policies_reaches_an_administrator_role() {
    let pass = customer(
        "pass",
        json!([{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}]),
    );
    let lambda = customer(
        "lambda",
        json!([{"Effect": "Allow", "Action": ["lambda:CreateFunction", "lambda:InvokeFunction"], "Resource": "*"}]),
    );
    let mut developer = user("developer");
    developer.attached_policies.push(attach(&pass));
    developer.attached_policies.push(attach(&lambda));
    let mut half = user("half");
    half.attached_policies.push(attach(&lambda));
    let analysis = run(&details(
        vec![developer, half],
        vec![],
        vec![admin_role(
            "lambda-admin",
            trusting_service("lambda.amazonaws.com"),
        )],
        vec![pass, lambda],
    ));
    let developer = route(&analysis, "user", "developer");
    assert_eq!(
        developer.path(),
        "user/developer -> role/lambda-admin (iam:PassRole + lambda:CreateFunction + lambda:InvokeFunction to lambda.amazonaws.com), an administrator"
    );
    assert!(developer.is_certain_full_admin());
    assert_eq!(developer.grants().len(), 2, "both policies are named");
    clean(&analysis, "user", "half");
}

#[test]
fn pass_role_matters_only_for_more_privileged_roles_the_service_trusts() {
    let mut worker = role("worker", trusting_service("lambda.amazonaws.com"));
    worker.inline_policies.push(inline(
        "logs",
        json!([{"Effect": "Allow", "Action": "logs:*", "Resource": "*"}]),
    ));
    let analysis = run(&details(
        vec![user_with(
            "deployer",
            json!([{"Effect": "Allow", "Action": ["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"], "Resource": "*"}]),
        )],
        vec![],
        // An administrator role that Lambda cannot assume, and a Lambda role that is not one.
        vec![
            admin_role("ec2-admin", trusting_service("ec2.amazonaws.com")),
            worker,
        ],
        vec![],
    ));
    clean(&analysis, "user", "deployer");
}

#[test]
fn pass_role_scoped_to_other_roles_does_not_reach_the_administrator() {
    let analysis = run(&details(
        vec![user_with(
            "scoped",
            json!([
                {"Effect": "Allow", "Action": ["lambda:CreateFunction", "lambda:InvokeFunction"], "Resource": "*"},
                {"Effect": "Allow", "Action": "iam:PassRole", "Resource": arn("role", "app-*")}
            ]),
        )],
        vec![],
        vec![admin_role(
            "lambda-admin",
            trusting_service("lambda.amazonaws.com"),
        )],
        vec![],
    ));
    clean(&analysis, "user", "scoped");
}

#[test]
fn existing_resources_are_a_premise_and_never_critical() {
    let analysis = run(&details(
        vec![user_with(
            "operator",
            json!([{"Effect": "Allow", "Action": "ssm:SendCommand", "Resource": "*"}]),
        )],
        vec![],
        vec![admin_role(
            "instance-admin",
            trusting_service("ec2.amazonaws.com"),
        )],
        vec![],
    ));
    let route = route(&analysis, "user", "operator");
    assert_eq!(
        route.path(),
        "user/operator -> role/instance-admin (ssm:SendCommand via ec2.amazonaws.com), an administrator"
    );
    assert!(!route.is_certain_full_admin());
    assert_eq!(route.method_ids(), vec!["ssm-send-command"]);
}

#[test]
fn a_pass_role_condition_is_reported_at_reduced_confidence() {
    let analysis = run(&details(
        vec![user_with(
            "tagged",
            json!([
                {"Effect": "Allow", "Action": ["glue:CreateDevEndpoint"], "Resource": "*"},
                {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*",
                 "Condition": {"StringEquals": {"aws:ResourceTag/team": "data"}}}
            ]),
        )],
        vec![],
        vec![admin_role(
            "glue-admin",
            trusting_service("glue.amazonaws.com"),
        )],
        vec![],
    ));
    let route = route(&analysis, "user", "tagged");
    assert!(!route.is_certain_full_admin());
    assert_eq!(route.caveats().conditions.len(), 1, "{:?}", route.caveats());
}

#[test]
fn pass_role_for_one_service_does_not_count_for_another() {
    let passing = |name: &str, operator: &str, services: Value| {
        user_with(
            name,
            json!([
                {"Effect": "Allow", "Action": ["lambda:CreateFunction", "lambda:InvokeFunction"], "Resource": "*"},
                {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*",
                 "Condition": {operator: {"iam:PassedToService": services}}}
            ]),
        )
    };
    let analysis = run(&details(
        vec![
            passing("to-ecs", "StringEquals", json!("ecs-tasks.amazonaws.com")),
            passing(
                "to-lambda",
                "StringEquals",
                json!(["ecs-tasks.amazonaws.com", "lambda.amazonaws.com"]),
            ),
            passing("not-to-ec2", "StringNotEquals", json!("ec2.amazonaws.com")),
            passing("like-lambda", "StringLike", json!("lambda.*")),
        ],
        vec![],
        vec![admin_role(
            "lambda-admin",
            trusting_service("lambda.amazonaws.com"),
        )],
        vec![],
    ));
    clean(&analysis, "user", "to-ecs");
    for name in ["to-lambda", "not-to-ec2", "like-lambda"] {
        let route = route(&analysis, "user", name);
        assert!(
            route.is_certain_full_admin(),
            "{name}: {:?}",
            route.caveats()
        );
    }
}

// --- conditions, denies, boundaries -------------------------------------------------------

#[test]
fn token_issue_time_is_judged_at_the_scan_time() {
    let policy = |name: &str, operator: &str| {
        customer(
            name,
            json!([{"Effect": "Allow", "Action": "iam:CreatePolicyVersion", "Resource": "*",
                    "Condition": {operator: {"aws:TokenIssueTime": "2020-01-01T00:00:01Z"}}}]),
        )
    };
    let satisfiable = policy("after-2020", "DateGreaterThan");
    let impossible = policy("before-2020", "DateLessThan");
    let mut fresh = user("fresh");
    fresh.attached_policies.push(attach(&satisfiable));
    let mut stale = user("stale");
    stale.attached_policies.push(attach(&impossible));
    let analysis = run(&details(
        vec![fresh, stale],
        vec![],
        vec![],
        vec![satisfiable, impossible],
    ));
    route(&analysis, "user", "fresh");
    clean(&analysis, "user", "stale");
}

#[test]
fn a_deny_in_the_same_or_another_policy_neutralises_the_allow() {
    let allow = customer(
        "allow-all",
        json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}]),
    );
    let deny = customer(
        "deny-all",
        json!([{"Effect": "Deny", "Action": "*", "Resource": "*"}]),
    );
    let mut two_policies = user("two-policies");
    two_policies.attached_policies.push(attach(&allow));
    two_policies.attached_policies.push(attach(&deny));
    let one_policy = user_with(
        "one-policy",
        json!([{"Effect": "Allow", "Action": "iam:*", "Resource": "*"}, {"Effect": "Deny", "Action": "iam:*", "Resource": "*"}]),
    );
    let analysis = run(&details(
        vec![two_policies, one_policy],
        vec![],
        vec![],
        vec![allow, deny],
    ));
    clean(&analysis, "user", "two-policies");
    clean(&analysis, "user", "one-policy");
}

#[test]
fn a_conditional_deny_is_not_credited_and_a_conditional_allow_is_named() {
    let analysis = run(&details(
        vec![user_with(
            "mfa-only",
            json!([
                {"Effect": "Allow", "Action": "iam:AttachUserPolicy", "Resource": "*",
                 "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}
            ]),
        )],
        vec![],
        vec![],
        vec![],
    ));
    let route = route(&analysis, "user", "mfa-only");
    assert!(!route.is_certain_full_admin());
    assert!(
        route.caveats().conditions[0].contains("aws:MultiFactorAuthPresent"),
        "{:?}",
        route.caveats()
    );
}

#[test]
fn a_permissions_boundary_caps_what_the_policies_allow() {
    let boundary = customer(
        "s3-only",
        json!([{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]),
    );
    let mut capped = user_with(
        "capped",
        json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}]),
    );
    capped.permissions_boundary = Some(boundary.arn.clone());
    let analysis = run(&details(vec![capped], vec![], vec![], vec![boundary]));
    clean(&analysis, "user", "capped");
}

#[test]
fn a_read_only_auditor_escalates_nowhere() {
    let audit = customer(
        "audit",
        json!([{"Effect": "Allow", "Action": ["iam:Get*", "iam:List*", "iam:GenerateCredentialReport", "ec2:Describe*", "s3:List*"], "Resource": "*"}]),
    );
    let mut auditor = user("auditor");
    auditor.attached_policies.push(attach(&audit));
    let mut boss = user("boss");
    boss.attached_policies.push(attach(&administrator_access()));
    let analysis = run(&details(
        vec![auditor, boss],
        vec![],
        vec![admin_role(
            "admin",
            trusting_service("lambda.amazonaws.com"),
        )],
        vec![audit],
    ));
    clean(&analysis, "user", "auditor");
}

#[test]
fn an_administrator_except_iam_escalates_by_what_it_still_has() {
    let analysis = run(&details(
        vec![user_with(
            "not-quite",
            json!([{"Effect": "Allow", "NotAction": ["iam:Update*", "iam:Create*", "iam:Attach*"], "Resource": "*"}]),
        )],
        vec![],
        vec![],
        vec![],
    ));
    assert_eq!(
        route(&analysis, "user", "not-quite").path(),
        "user/not-quite -> iam:PutUserPolicy on user/not-quite"
    );
}

// --- the graph ---------------------------------------------------------------------------

#[test]
fn an_assume_role_chain_names_every_hop() {
    let start = role("start", trusting_arn(&arn("user", "dave")));
    let middle = role("middle", trusting_arn(&arn("role", "start")));
    let end = admin_role("end", trusting_arn(&arn("role", "middle")));
    let analysis = run(&details(
        vec![user("dave")],
        vec![],
        vec![start, middle, end],
        vec![],
    ));
    let dave = route(&analysis, "user", "dave");
    assert_eq!(
        dave.path(),
        "user/dave -> role/start (sts:AssumeRole) -> role/middle (sts:AssumeRole) -> role/end (sts:AssumeRole), an administrator"
    );
    assert!(!dave.direct && dave.is_certain_full_admin());
    assert!(route(&analysis, "role", "middle").direct);
    assert!(!route(&analysis, "role", "start").direct);
}

#[test]
fn a_path_may_end_in_another_principals_own_method() {
    let mut escalator = role("ops-escalator", trusting_arn(&arn("user", "dave")));
    escalator.inline_policies.push(inline(
        "ops",
        json!([{"Effect": "Allow", "Action": "iam:AttachRolePolicy", "Resource": arn("role", "ops-escalator")}]),
    ));
    let analysis = run(&details(
        vec![user("dave")],
        vec![],
        vec![escalator],
        vec![],
    ));
    assert_eq!(
        route(&analysis, "user", "dave").path(),
        "user/dave -> role/ops-escalator (sts:AssumeRole) -> iam:AttachRolePolicy on role/ops-escalator"
    );
}

#[test]
fn a_trust_in_the_account_needs_the_identity_policy_too() {
    let analysis = run(&details(
        vec![
            user("nobody"),
            user_with(
                "assumer",
                json!([{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": arn("role", "admin")}]),
            ),
        ],
        vec![],
        vec![admin_role(
            "admin",
            trusting_arn(&format!("arn:aws:iam::{ACCOUNT}:root")),
        )],
        vec![],
    ));
    clean(&analysis, "user", "nobody");
    assert_eq!(
        route(&analysis, "user", "assumer").path(),
        "user/assumer -> role/admin (sts:AssumeRole), an administrator"
    );
}

#[test]
fn a_conditional_trust_makes_the_path_conditional_and_a_certain_one_wins() {
    let guarded = admin_role(
        "guarded",
        json!([{"Effect": "Allow", "Principal": {"AWS": arn("user", "dave")}, "Action": "sts:AssumeRole",
                "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]),
    );
    let analysis = run(&details(
        vec![user("dave")],
        vec![],
        vec![guarded.clone()],
        vec![],
    ));
    assert!(!route(&analysis, "user", "dave").is_certain_full_admin());

    let open = admin_role("open", trusting_arn(&arn("user", "dave")));
    let analysis = run(&details(
        vec![user("dave")],
        vec![],
        vec![guarded, open],
        vec![],
    ));
    assert_eq!(
        route(&analysis, "user", "dave").path(),
        "user/dave -> role/open (sts:AssumeRole), an administrator"
    );
}

#[test]
fn granting_administrator_to_others_is_reported_and_a_takeover_is_certain() {
    let mut boss = user("boss");
    boss.attached_policies.push(attach(&administrator_access()));
    let mut granter = role("granter", trusting_service("ec2.amazonaws.com"));
    granter.inline_policies.push(inline(
        "grant",
        json!([{"Effect": "Allow", "Action": "iam:AttachUserPolicy", "Resource": "*"}]),
    ));
    let mut taker = role("taker", trusting_service("ec2.amazonaws.com"));
    taker.inline_policies.push(inline(
        "take",
        json!([{"Effect": "Allow", "Action": ["iam:AttachUserPolicy", "iam:CreateAccessKey"], "Resource": arn("user", "intern")}]),
    ));
    let analysis = run(&details(
        vec![boss, user("intern")],
        vec![],
        vec![granter, taker],
        vec![],
    ));
    let granter = route(&analysis, "role", "granter");
    assert!(matches!(granter.ending, Ending::Grant { .. }));
    assert!(!granter.is_certain_full_admin());
    let taker = route(&analysis, "role", "taker");
    assert_eq!(
        taker.path(),
        "role/taker -> iam:AttachUserPolicy on user/intern (then iam:CreateAccessKey to act as user/intern)"
    );
    assert!(taker.is_certain_full_admin());
}

#[test]
fn exclusions_skip_principals_and_ignore_policies() {
    let escalate = customer(
        "break-glass",
        json!([{"Effect": "Allow", "Action": "iam:*", "Resource": "*"}]),
    );
    let mut operator = user("operator");
    operator.attached_policies.push(attach(&escalate));
    let details = details(
        vec![
            operator,
            user_with(
                "breakglass-admin",
                json!([{"Effect": "Allow", "Action": "iam:PutUserPolicy", "Resource": "*"}]),
            ),
        ],
        vec![],
        vec![],
        vec![escalate],
    );
    let analysis = analyse(
        &details,
        Some(ACCOUNT),
        None,
        &[
            "breakglass-*".into(),
            "arn:aws:iam::*:policy/break-glass".into(),
        ],
        now(),
    );
    clean(&analysis, "user", "operator");
    assert_eq!(
        outcome(&analysis, "user", "breakglass-admin"),
        &Outcome::Excluded("breakglass-*".into())
    );
    assert!(
        analysis.reaches_administrator(&arn("user", "breakglass-admin")),
        "an exclusion silences the finding, not what the principal can reach"
    );
    assert!(!analysis.reaches_administrator(&arn("user", "operator")));
}

#[test]
fn ten_thousand_roles_complete() {
    // A chain of 10,000 roles, each trusting the previous one, ending on an
    // administrator; every role is also trusted by Lambda and by the account, and a
    // hundred users may pass any role and assume any role: the walk must not compare
    // every pair.
    let count = 10_000;
    let mut roles: Vec<Role> = (0..count)
        .map(|index| {
            let previous = if index == 0 {
                arn("user", "first")
            } else {
                arn("role", &format!("r{}", index - 1))
            };
            role(
                &format!("r{index}"),
                json!([
                    {"Effect": "Allow", "Principal": {"AWS": [previous, format!("arn:aws:iam::{ACCOUNT}:root")]}, "Action": "sts:AssumeRole"},
                    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
                ]),
            )
        })
        .collect();
    roles[count - 1]
        .attached_policies
        .push(attach(&administrator_access()));
    let mut users = vec![user("first")];
    users.extend((0..100).map(|index| {
        user_with(
            &format!("u{index}"),
            json!([{"Effect": "Allow", "Action": ["iam:PassRole", "sts:AssumeRole"], "Resource": arn("role", "app-*")}]),
        )
    }));
    let analysis = run(&details(users, vec![], roles, vec![]));
    assert_eq!(analysis.principals.len(), 101 + count);
    let first = route(&analysis, "user", "first");
    assert_eq!(first.summary.hops, count);
    assert!(
        first.path().contains(&format!(
            "-> ... ({} more hops) -> role/r{} (sts:AssumeRole), an administrator",
            count - SHOWN_HOPS - 1,
            count - 1
        )),
        "{}",
        first.path()
    );
    clean(&analysis, "user", "u0");
}

// --- answers shared between principals, and work skipped ------------------------------

#[test]
fn principals_holding_the_same_policies_are_still_judged_by_what_differs() {
    // The analysis answers "may it do this action somewhere" once for every principal
    // whose policies naming the action are the same: each difference must still count.
    let pass = customer(
        "pass",
        json!([{"Effect": "Allow", "Action": ["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"], "Resource": "*"}]),
    );
    let s3_only = customer(
        "s3-only",
        json!([{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]),
    );
    let holder = |name: &str| {
        let mut user = user(name);
        user.attached_policies.push(attach(&pass));
        user
    };
    let plain = holder("plain");
    let mut unrelated = holder("unrelated");
    unrelated.inline_policies.push(inline(
        "buckets",
        json!([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]),
    ));
    let mut denied = holder("denied");
    denied.inline_policies.push(inline(
        "no-lambda",
        json!([{"Effect": "Deny", "Action": "lambda:*", "Resource": "*"}]),
    ));
    let mut bounded = holder("bounded");
    bounded.permissions_boundary = Some(s3_only.arn.clone());
    let mut deployers = group("deployers");
    deployers.attached_policies.push(attach(&pass));
    let mut member = user("member");
    member.groups.push("deployers".into());
    let analysis = run(&details(
        vec![plain, unrelated, denied, bounded, member],
        vec![deployers],
        vec![admin_role(
            "lambda-admin",
            trusting_service("lambda.amazonaws.com"),
        )],
        vec![pass, s3_only],
    ));
    for name in ["plain", "unrelated", "member"] {
        assert!(
            route(&analysis, "user", name).is_certain_full_admin(),
            "user/{name} passes the administrator role to Lambda"
        );
    }
    assert!(
        route(&analysis, "user", "member")
            .grants()
            .iter()
            .any(|grant| grant.contains("deployers")),
        "the member's grant names the group it comes through: {:?}",
        route(&analysis, "user", "member").grants()
    );
    clean(&analysis, "user", "denied");
    clean(&analysis, "user", "bounded");
}

#[test]
fn a_rewrite_grant_the_boundary_takes_away_names_no_target() {
    let boundary = customer(
        "no-iam",
        json!([{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]),
    );
    let mut capped = user_with(
        "capped",
        json!([{"Effect": "Allow", "Action": ["iam:AttachRolePolicy", "iam:PutUserPolicy"], "Resource": "*"}]),
    );
    capped.permissions_boundary = Some(boundary.arn.clone());
    let free = user_with(
        "free",
        json!([{"Effect": "Allow", "Action": "iam:AttachRolePolicy", "Resource": "*"}]),
    );
    let analysis = run(&details(
        vec![capped, free, user("someone")],
        vec![],
        vec![role("app", trusting_service("ec2.amazonaws.com"))],
        vec![boundary],
    ));
    clean(&analysis, "user", "capped");
    // Without the boundary the same grant makes the role an administrator's.
    assert!(matches!(
        outcome(&analysis, "user", "free"),
        Outcome::Escalates(_)
    ));
}

#[test]
fn a_method_that_assumes_something_never_hides_a_certain_route() {
    // The first pass of the walk (certain routes only) skips holders whose service-role
    // method rests on a premise; the certain route must still be found, and win.
    let analysis = run(&details(
        vec![user_with(
            "operator",
            json!([
                {"Effect": "Allow", "Action": "ssm:SendCommand", "Resource": "*"},
                {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": arn("role", "break-glass")}
            ]),
        )],
        vec![],
        vec![
            admin_role("instance-admin", trusting_service("ec2.amazonaws.com")),
            admin_role("break-glass", trusting_arn(&arn("user", "operator"))),
        ],
        vec![],
    ));
    let route = route(&analysis, "user", "operator");
    assert!(route.is_certain_full_admin(), "{}", route.path());
    assert_eq!(route.method_ids(), vec!["sts-assume-role"]);
}
