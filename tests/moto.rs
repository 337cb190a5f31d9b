//! The scan against a real IAM API (moto), seeded through aws-sdk-iam: it finds what was
//! seeded and nothing it was not, and says plainly what moto cannot show.
//!
//! Moto 5.2.5's gaps, found by running it (each is asserted where it shows):
//! - Its credential report has no `<root_account>` row, so nothing tells when root was last
//!   used: root-recent-use is `error` and every full scan against moto is incomplete (exit 3).
//!   Root MFA and root keys fall back to GetAccountSummary, which moto does answer.
//! - Its credential report's GeneratedTime is always 2015-02-02T20:02:02Z, so the report
//!   always looks years stale and the scan warns about it.
//! - Operations it does not implement answer HTTP 500 with an HTML page (for example
//!   ListOrganizationsFeatures, GenerateServiceLastAccessedDetails); the collector calls
//!   none of them today, which `moto_gaps_are_declared_errors_and_make_the_scan_incomplete`
//!   pins down.
//! - It has no IAM Access Analyzer at all (HTTP 500 to ListAnalyzers), so scans here read
//!   no region (`--regions none`) and access-analyzer-enabled is `error`; tests/faults.rs
//!   covers that collector over replayed HTTP.
//! - ListServerCertificates gives every certificate the Expiration 2012-05-08, so every
//!   uploaded certificate is expired: a valid one is covered by the unit tests.
//! - GetAccountAuthorizationDetails ignores MaxItems and never pages, lists all ~1,500 AWS
//!   managed policies (attached or not) and omits PolicyName and PolicyId from them: paging
//!   is covered by tests/faults.rs, the unattached policies by
//!   `the_scan_finds_what_was_seeded_and_nothing_it_was_not`.

mod common;

use common::*;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

const MIN_LENGTH: i32 = 8;
const REUSE_PREVENTION: i32 = 5;
const MAX_PASSWORD_AGE: i32 = 180;
const SERVER_CERTIFICATE: &str = "www-example-2011";
const TRUST_SERVICE: &str = "ec2.amazonaws.com";

fn trust_policy(service: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Service":"{service}"}},"Action":"sts:AssumeRole"}}]}}"#
    )
}

/// The account of the posture tests: one user per situation a check judges.
const USERS: &[UserSeed] = &[
    UserSeed {
        name: "console-no-mfa",
        console_password: true,
        ..NOBODY
    },
    UserSeed {
        name: "console-mfa",
        console_password: true,
        virtual_mfa: true,
        ..NOBODY
    },
    UserSeed {
        name: "console-with-key",
        console_password: true,
        access_keys: 1,
        ..NOBODY
    },
    UserSeed {
        name: "one-key",
        access_keys: 1,
        ..NOBODY
    },
    UserSeed {
        name: "two-keys",
        access_keys: 2,
        ..NOBODY
    },
    UserSeed {
        name: "inline-user",
        inline_policy: true,
        ..NOBODY
    },
    UserSeed {
        name: "admin-user",
        admin_attached: true,
        ..NOBODY
    },
    UserSeed {
        name: "grouped",
        group: Some("developers"),
        ..NOBODY
    },
];

const GROUPS: &[&str] = &["developers", "empty-group"];
const ROLES: &[&str] = &["app-role", "batch-role"];
const CUSTOMER_POLICY: &str = "reports-read";

/// Seeds the posture account: users, groups, roles, a customer managed policy and a weak
/// password policy.
async fn seed_posture_account(client: &aws_sdk_iam::Client) -> Secrets {
    for group in GROUPS {
        client
            .create_group()
            .group_name(*group)
            .send()
            .await
            .expect("CreateGroup");
    }
    let policy = client
        .create_policy()
        .policy_name(CUSTOMER_POLICY)
        .policy_document(READ_REPORTS)
        .send()
        .await
        .expect("CreatePolicy");
    let policy_arn = policy
        .policy()
        .and_then(|policy| policy.arn())
        .expect("the policy's ARN")
        .to_string();
    client
        .attach_group_policy()
        .group_name("developers")
        .policy_arn(&policy_arn)
        .send()
        .await
        .expect("AttachGroupPolicy");
    let mut secrets = Secrets::default();
    for user in USERS {
        seed_user(client, user.name, user, &mut secrets).await;
    }
    for role in ROLES {
        client
            .create_role()
            .role_name(*role)
            .assume_role_policy_document(trust_policy(TRUST_SERVICE))
            .send()
            .await
            .expect("CreateRole");
        client
            .put_role_policy()
            .role_name(*role)
            .policy_name(INLINE_POLICY)
            .policy_document(READ_REPORTS)
            .send()
            .await
            .expect("PutRolePolicy");
        client
            .attach_role_policy()
            .role_name(*role)
            .policy_arn(&policy_arn)
            .send()
            .await
            .expect("AttachRolePolicy");
    }
    upload_server_certificate(client, SERVER_CERTIFICATE, &mut secrets).await;
    client
        .update_account_password_policy()
        .minimum_password_length(MIN_LENGTH)
        .require_numbers(true)
        .password_reuse_prevention(REUSE_PREVENTION)
        .max_password_age(MAX_PASSWORD_AGE)
        .send()
        .await
        .expect("UpdateAccountPasswordPolicy");
    secrets
}

fn users_where(predicate: impl Fn(&UserSeed) -> bool) -> Vec<String> {
    let mut arns: Vec<String> = USERS
        .iter()
        .filter(|user| predicate(user))
        .map(|user| user_arn(user.name))
        .collect();
    arns.sort();
    arns
}

fn key_arn(user: &str, slot: usize) -> String {
    format!("{}#access_key_{slot}", user_arn(user))
}

fn keys_where(predicate: impl Fn(&UserSeed) -> bool) -> Vec<String> {
    let mut arns: Vec<String> = USERS
        .iter()
        .filter(|user| predicate(user))
        .flat_map(|user| (1..=user.access_keys).map(|slot| key_arn(user.name, slot)))
        .collect();
    arns.sort();
    arns
}

/// Every resource this test created, and the account itself (what account-level checks are
/// about). A finding on anything else was invented by the scan.
fn seeded_resources() -> BTreeSet<String> {
    let mut resources: BTreeSet<String> = USERS.iter().map(|user| user_arn(user.name)).collect();
    resources.extend(keys_where(|_| true));
    resources.extend(GROUPS.iter().map(|group| group_arn(group)));
    resources.extend(ROLES.iter().map(|role| role_arn(role)));
    resources.insert(format!(
        "arn:aws:iam::{MOTO_ACCOUNT}:policy/{CUSTOMER_POLICY}"
    ));
    resources.insert(account_arn());
    resources.insert(server_certificate_arn());
    resources
}

fn server_certificate_arn() -> String {
    format!("arn:aws:iam::{MOTO_ACCOUNT}:server-certificate/{SERVER_CERTIFICATE}")
}

/// The scan time both scans of a comparison are judged at, so ages cannot differ.
fn scan_time() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn seeded_moto() -> (Moto, Secrets) {
    let moto = Moto::start();
    let secrets = block_on(seed_posture_account(&moto.client()));
    (moto, secrets)
}

#[test]
fn the_scan_finds_what_was_seeded_and_nothing_it_was_not() {
    let (moto, _) = seeded_moto();
    let run = scan_live(&moto.url, &[]);
    let report = run.report();
    assert_eq!(report["inventory_source"], "api");
    assert_eq!(report["account_id"], MOTO_ACCOUNT);

    // Per check, exactly the seeded resources fail.
    let expected_failures: Vec<(&str, Vec<String>)> = vec![
        (
            "user-console-mfa",
            users_where(|user| user.console_password && !user.virtual_mfa),
        ),
        // The MFA user holds only the virtual device it was given.
        (
            "user-virtual-mfa-only",
            users_where(|user| user.virtual_mfa),
        ),
        (
            "access-key-single-active",
            users_where(|user| user.access_keys == 2),
        ),
        // Keys were created moments ago: none is old or idle.
        ("access-key-rotation", vec![]),
        ("unused-access-key", vec![]),
        ("unused-password", vec![]),
        (
            "access-key-unused-since-creation",
            keys_where(|user| user.console_password),
        ),
        (
            "user-direct-policies",
            users_where(|user| user.inline_policy || user.admin_attached),
        ),
        ("group-without-users", vec![group_arn("empty-group")]),
        // AdministratorAccess attached directly: effectively admin.
        (
            "principal-effective-admin",
            users_where(|user| user.admin_attached),
        ),
        ("password-policy-present", vec![]),
        ("password-policy-min-length", vec![account_arn()]),
        ("password-policy-reuse-prevention", vec![account_arn()]),
        ("password-policy-complexity", vec![account_arn()]),
        ("password-policy-expiry", vec![account_arn()]),
        // moto's root user has no MFA (GetAccountSummary: AccountMFAEnabled 0) and no keys.
        ("root-mfa-enabled", vec![account_arn()]),
        ("root-hardware-mfa", vec![account_arn()]),
        ("root-access-keys", vec![]),
        // Every user without a device, console or not.
        ("user-mfa-enabled", users_where(|user| !user.virtual_mfa)),
        // No role holds AWSSupportAccess; nothing holds AWSCloudShellFullAccess.
        ("support-role", vec![account_arn()]),
        ("cloudshell-full-access", vec![]),
        // moto dates every server certificate's expiry 2012-05-08.
        ("server-certificate-expired", vec![server_certificate_arn()]),
        // No trail here (tests/cloudtrail_moto.rs seeds them), so nothing can alert either.
        ("cloudtrail-enabled", vec![account_arn()]),
        ("cloudtrail-s3-object-write-logging", vec![account_arn()]),
        ("cloudtrail-s3-object-read-logging", vec![account_arn()]),
    ];
    let alarm_checks: Vec<String> = report["checks"]
        .as_array()
        .expect("checks is a list")
        .iter()
        .filter_map(|check| check["id"].as_str())
        .filter(|id| id.starts_with("alarm-"))
        .map(str::to_owned)
        .collect();
    assert_eq!(
        alarm_checks.len(),
        15,
        "one check per CIS section 5 control"
    );
    let expected_failures: Vec<(&str, Vec<String>)> = expected_failures
        .into_iter()
        .chain(
            alarm_checks
                .iter()
                .map(|check| (check.as_str(), vec![account_arn()])),
        )
        .collect();
    for (check, expected) in &expected_failures {
        assert_eq!(
            &failing(&report, check),
            expected,
            "failing resources of {check}"
        );
    }
    // A check added later fails nothing here until this test says what it should fail.
    let known: BTreeSet<&str> = expected_failures.iter().map(|(check, _)| *check).collect();
    for check in report["checks"].as_array().expect("checks is a list") {
        let id = check["id"].as_str().expect("a check id");
        if !known.contains(id) {
            assert_eq!(
                failing(&report, id),
                Vec::<String>::new(),
                "{id} fails on the seeded account; add what it should fail to this test"
            );
        }
    }

    // Per resource, the verdicts that pass.
    assert_eq!(
        status(&report, "user-console-mfa", &user_arn("console-mfa")),
        "pass"
    );
    for user in USERS.iter().filter(|user| user.access_keys == 1) {
        assert_eq!(
            status(&report, "access-key-single-active", &user_arn(user.name)),
            "pass",
            "{}",
            user.name
        );
    }
    for key in keys_where(|_| true) {
        assert_eq!(
            status(&report, "access-key-rotation", &key),
            "pass",
            "{key}"
        );
        assert_eq!(status(&report, "unused-access-key", &key), "pass", "{key}");
    }
    for user in users_where(|user| !user.inline_policy && !user.admin_attached) {
        assert_eq!(
            status(&report, "user-direct-policies", &user),
            "pass",
            "{user}"
        );
    }
    assert_eq!(
        status(&report, "group-without-users", &group_arn("developers")),
        "pass"
    );
    assert_eq!(
        status(&report, "password-policy-present", &account_arn()),
        "pass"
    );
    assert_eq!(status(&report, "root-access-keys", &account_arn()), "pass");

    // Every seeded user is judged by the checks that look at every user.
    let judged: Vec<String> = {
        let mut users: Vec<String> = findings_of(&report, "user-direct-policies")
            .iter()
            .filter_map(|finding| finding["resource_arn"].as_str().map(str::to_owned))
            .collect();
        users.sort();
        users
    };
    assert_eq!(judged, users_where(|_| true));

    // The messages carry what was seeded.
    let on_account = |check| message(&report, check, &account_arn()).to_string();
    assert!(
        on_account("password-policy-min-length").contains(&format!("length is {MIN_LENGTH}")),
        "{}",
        on_account("password-policy-min-length")
    );
    assert!(
        on_account("password-policy-reuse-prevention")
            .contains(&format!("last {REUSE_PREVENTION} passwords"))
    );
    assert!(on_account("password-policy-expiry").contains(&format!("{MAX_PASSWORD_AGE} days")));
    assert!(
        on_account("root-mfa-enabled").contains("GetAccountSummary"),
        "moto has no root row: {}",
        on_account("root-mfa-enabled")
    );
    assert!(
        message(&report, "user-direct-policies", &user_arn("inline-user")).contains(INLINE_POLICY)
    );
    assert!(
        message(&report, "user-direct-policies", &user_arn("admin-user"))
            .contains("AdministratorAccess")
    );
    assert!(
        message(&report, "access-key-single-active", &user_arn("two-keys"))
            .contains("2 active access keys")
    );
    let fix =
        &finding(&report, "user-console-mfa", &user_arn("console-no-mfa"))["remediation"]["cli"];
    assert!(
        fix.as_str()
            .is_some_and(|cli| cli.contains("console-no-mfa")),
        "remediation names the user: {fix}"
    );

    // Nothing on anything that was not seeded: not the ~1,500 AWS managed policies moto lists
    // though nobody attached them, not moto's own default entities.
    let seeded = seeded_resources();
    for finding in findings(&report) {
        let resource = finding["resource_arn"].as_str().unwrap_or_default();
        assert!(
            seeded.contains(resource),
            "a finding on a resource nobody seeded: {finding:#}"
        );
        assert!(
            !resource.contains(":aws:policy/"),
            "a finding on an AWS managed policy: {finding:#}"
        );
    }
}

#[test]
fn moto_gaps_are_declared_errors_and_make_the_scan_incomplete() {
    let (moto, _) = seeded_moto();
    let run = scan_live(&moto.url, &[]);
    // Expected gaps: no <root_account> row, so root-recent-use cannot be evaluated, and no
    // Access Analyzer (no region read); the scan says it is incomplete rather than passing
    // them.
    run.expect_code(3);
    let report = run.report();
    assert_eq!(
        errored_checks(&report),
        vec!["access-analyzer-enabled", "root-recent-use"],
        "the only checks moto leaves unevaluated"
    );
    assert!(
        message(&report, "access-analyzer-enabled", &account_arn()).contains("--regions none"),
        "{}",
        message(&report, "access-analyzer-enabled", &account_arn())
    );
    assert_eq!(status(&report, "root-recent-use", &account_arn()), "error");
    let reason = message(&report, "root-recent-use", &account_arn());
    assert!(
        reason.contains("<root_account>"),
        "the error says which evidence is missing: {reason}"
    );
    assert_eq!(
        report["coverage"]["errored_checks"],
        serde_json::json!(["access-analyzer-enabled", "root-recent-use"])
    );
    assert_eq!(report["coverage"]["errored"], 2);
    assert_eq!(report["score"]["incomplete"], true);
    // moto answers every operation the collector calls: no operation gaps, and moto's log
    // (one line per request) shows no 500, its answer to what it does not implement.
    assert_eq!(
        report["coverage"]["gaps"],
        serde_json::json!([]),
        "{}",
        run.stderr
    );
    let log = moto.log_text();
    let failed: Vec<&str> = log
        .lines()
        .filter(|line| line.contains("\" 500 ") || line.contains("\" 501 "))
        .collect();
    assert!(
        failed.is_empty(),
        "moto failed requests the scan made:\n{}",
        failed.join("\n")
    );

    // Expected gap: moto stamps every credential report 2015-02-02T20:02:02Z.
    assert_eq!(
        report["credential_report_generated_at"],
        "2015-02-02T20:02:02Z"
    );
    let warnings = report["warnings"].as_array().expect("warnings is a list");
    assert!(
        warnings.iter().any(|warning| warning
            .as_str()
            .is_some_and(|text| text.contains("2015-02-02"))),
        "a stale report is called out: {warnings:?}"
    );

    // A gate still wins over "incomplete": moto's root has no MFA, a critical failure.
    scan_live(&moto.url, &["--fail-on", "critical"]).expect_code(1);
    // Without the check moto cannot serve, the scan is complete.
    scan_live(
        &moto.url,
        &["--checks", "root-mfa-enabled,user-console-mfa"],
    )
    .expect_code(0);
}

#[test]
fn a_saved_inventory_scans_the_same_as_the_live_account_and_holds_no_secrets() {
    let (moto, secrets) = seeded_moto();
    let dir = tempfile::tempdir().expect("a temporary directory");
    let inventory = dir.path().join("inventory.json");
    let inventory_arg = inventory.to_str().expect("a UTF-8 path");
    let at = scan_time();

    let collected = run_iamscan(
        &[
            "collect",
            "--endpoint-url",
            &moto.url,
            "--region",
            "us-east-1",
            MOTO_REGIONS[0],
            MOTO_REGIONS[1],
            "--output",
            inventory_arg,
        ],
        &[],
    );
    collected.expect_code(0);
    let live = scan_live(&moto.url, &["--scan-time", &at]);
    let offline = run_iamscan(
        &[
            "scan",
            "--inventory",
            inventory_arg,
            "--format",
            "json",
            "--scan-time",
            &at,
        ],
        &[],
    );
    assert_eq!(
        offline.code, live.code,
        "same exit code; stderr:\n{}",
        offline.stderr
    );
    let (live, offline) = (live.report(), offline.report());
    assert_eq!(finding_lines(&offline), finding_lines(&live));
    assert_eq!(offline["score"], live["score"]);

    // The roles and their trust policies are in the inventory.
    let saved: Value = serde_json::from_str(&read(&inventory)).expect("the inventory is JSON");
    let roles = saved["authorization"]["roles"].as_array().expect("roles");
    for role in ROLES {
        let saved_role = roles
            .iter()
            .find(|saved| saved["name"] == *role)
            .unwrap_or_else(|| panic!("role {role} saved"));
        assert!(
            saved_role["assume_role_policy"]
                .to_string()
                .contains(TRUST_SERVICE),
            "{saved_role:#}"
        );
    }

    // No password, MFA seed, QR code, secret access key or private key reaches the file, in
    // any encoding (tests/secrets.rs checks every report format too).
    let text = read(&inventory);
    assert_eq!(secrets.mfa_seeds.len(), 1);
    assert_eq!(secrets.secret_access_keys.len(), 4);
    assert_eq!(secrets.private_keys.len(), 1);
    assert_eq!(secrets.leaks_in(&text), Vec::<String>::new());
    assert!(
        text.contains(SERVER_CERTIFICATE),
        "the certificate's name and dates are kept"
    );
}

/// Seeds `users` plain users, the first `with_mfa` of them holding an enabled virtual MFA
/// device, and returns the scan's calls per operation.
fn calls_for_account(users: usize, with_mfa: usize) -> BTreeMap<String, u64> {
    let moto = Moto::start();
    block_on(async {
        let client = moto.client();
        let mut secrets = Secrets::default();
        for index in 0..users {
            let seed = UserSeed {
                console_password: true,
                virtual_mfa: index < with_mfa,
                access_keys: 1,
                ..NOBODY
            };
            seed_user(&client, &format!("user-{index:03}"), &seed, &mut secrets).await;
        }
    });
    let report = scan_live(&moto.url, &[]).report();
    let calls: BTreeMap<String, u64> = report["stats"]["api_calls"]
        .as_object()
        .expect("api_calls per operation")
        .iter()
        .map(|(operation, count)| (operation.clone(), count.as_u64().expect("a count")))
        .collect();
    assert_eq!(
        report["stats"]["total_api_calls"].as_u64(),
        Some(calls.values().sum::<u64>()),
        "the total is the sum per operation"
    );
    calls
}

#[test]
fn api_calls_do_not_grow_with_users() {
    let (small_users, small_mfa) = (5, 1);
    let (large_users, large_mfa) = (30, 3);
    let small = calls_for_account(small_users, small_mfa);
    let large = calls_for_account(large_users, large_mfa);
    println!("calls with {small_users} users: {small:?}");
    println!("calls with {large_users} users: {large:?}");

    // Only users holding a virtual device need ListMFADevices (is there hardware too?).
    assert_eq!(
        small.get("ListMFADevices").copied().unwrap_or(0),
        small_mfa as u64
    );
    assert_eq!(
        large.get("ListMFADevices").copied().unwrap_or(0),
        large_mfa as u64
    );
    let without_per_user = |calls: &BTreeMap<String, u64>| -> BTreeMap<String, u64> {
        calls
            .iter()
            .filter(|(operation, _)| *operation != "ListMFADevices")
            .map(|(k, v)| (k.clone(), *v))
            .collect()
    };
    assert_eq!(
        without_per_user(&large),
        without_per_user(&small),
        "account-wide calls do not depend on the user count"
    );
    let account_wide: u64 = without_per_user(&large).values().sum();
    assert!(
        account_wide < large_users as u64,
        "a scan of {large_users} users makes {account_wide} account-wide calls: as many as one per user"
    );
}

#[test]
fn list_access_keys_names_the_failing_keys_and_asks_only_for_their_users() {
    let moto = Moto::start();
    let key_ids: BTreeMap<String, String> = block_on(async {
        let client = moto.client();
        let mut key_ids = BTreeMap::new();
        for name in ["key-holder-1", "key-holder-2", "keyless"] {
            client
                .create_user()
                .user_name(name)
                .send()
                .await
                .expect("CreateUser");
            if name != "keyless" {
                let key = client
                    .create_access_key()
                    .user_name(name)
                    .send()
                    .await
                    .expect("CreateAccessKey");
                let id = key.access_key().expect("a key").access_key_id().to_string();
                key_ids.insert(name.to_string(), id);
            }
        }
        key_ids
    });
    // Judged 200 days from now, every key is overdue for rotation.
    let later = (chrono::Utc::now() + chrono::Duration::days(200))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let base = [
        "--checks",
        "access-key-rotation",
        "--scan-time",
        later.as_str(),
    ];

    let without = scan_live(&moto.url, &base).report();
    assert_eq!(without["stats"]["api_calls"].get("ListAccessKeys"), None);
    for user in key_ids.keys() {
        let cli = finding(
            &without,
            "access-key-rotation",
            &format!("{}#access_key_1", user_arn(user)),
        )["remediation"]["cli"]
            .as_str()
            .expect("a CLI fix");
        assert!(cli.contains("<ACCESS_KEY_ID>"), "{cli}");
    }

    let mut with_flag = base.to_vec();
    with_flag.push("--list-access-keys");
    let with = scan_live(&moto.url, &with_flag).report();
    assert_eq!(
        with["stats"]["api_calls"]["ListAccessKeys"].as_u64(),
        Some(key_ids.len() as u64),
        "one ListAccessKeys per user with a failing key, none for the keyless user"
    );
    for (user, key_id) in &key_ids {
        let cli = finding(
            &with,
            "access-key-rotation",
            &format!("{}#access_key_1", user_arn(user)),
        )["remediation"]["cli"]
            .as_str()
            .expect("a CLI fix");
        assert!(
            cli.contains(key_id.as_str()),
            "{user}'s fix names {key_id}: {cli}"
        );
        assert!(!cli.contains("<ACCESS_KEY_ID>"), "{cli}");
    }
}

/// A scan of some checks asks only for the data they read (the credential report always:
/// it names the account), and reports nothing about what it did not collect.
#[test]
fn selected_checks_collect_only_what_they_read() {
    let (moto, _) = seeded_moto();
    let calls = |checks: &str| -> (BTreeSet<String>, Value) {
        let report = scan_live(&moto.url, &["--checks", checks]).report();
        let operations = report["stats"]["api_calls"]
            .as_object()
            .expect("api_calls")
            .keys()
            .cloned()
            .collect();
        (operations, report)
    };
    let (operations, report) = calls("password-policy-min-length");
    assert_eq!(
        operations,
        BTreeSet::from(
            [
                "GenerateCredentialReport",
                "GetAccountPasswordPolicy",
                "GetCredentialReport"
            ]
            .map(String::from)
        )
    );
    assert_eq!(report["coverage"]["gaps"], serde_json::json!([]));
    assert_eq!(report["account_id"], MOTO_ACCOUNT);
    let (operations, _) = calls("trust-public,policy-full-admin");
    assert_eq!(
        operations,
        BTreeSet::from(
            [
                "GenerateCredentialReport",
                "GetAccountAuthorizationDetails",
                "GetCredentialReport"
            ]
            .map(String::from)
        )
    );
}
