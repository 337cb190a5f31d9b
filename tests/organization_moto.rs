//! Organization-wide scans against moto's Organizations, STS and IAM, each account's IAM
//! seeded through a role assumed there (moto serves a request from the account whose
//! assumed-role credentials signed it), and `iamscan merge` of shard reports.
//!
//! What moto cannot do is done in front of it: moto's AssumeRole grants any role, existing
//! or not, so the member whose role cannot be assumed is made by the fake endpoint of
//! tests/common/fake.rs answering that one AssumeRole with AccessDenied and passing every
//! other request on to moto.
//!
//! Moto (5.2.5) gaps these tests live with, declared where they matter: it has no IAM Access
//! Analyzer (scans read no region, so access-analyzer-enabled is `error` and a whole-catalog
//! scan exits 3), and its credential report has no root activity dates (root-recent-use is
//! `error`); the tests that assert an exit code select checks moto can answer.

mod common;

use common::fake::{FakeIam, Script, assume_role_denied, organizations_error};
use common::*;
use serde_json::Value;

const ROLE: &str = "OrganizationAccountAccessRole";
/// moto's answer to GetCallerIdentity for the access key `testing`.
const CALLER_ARN: &str = "arn:aws:sts::123456789012:user/moto";
/// Checks moto answers completely: a run of only these is complete unless an account failed.
const COMPLETE_ON_MOTO: &str = "principal-effective-admin,principal-privilege-escalation";

/// The organization as seeded.
struct Org {
    id: String,
    /// Under the root, beside beta.
    guardrails_ou: String,
    /// In the guardrails OU, under an SCP that denies IAM, STS and Organizations.
    alpha: String,
    /// Directly under the root: FullAWSAccess only.
    beta: String,
}

const DENY_IDENTITY_CHANGES: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"NoIdentityChanges","Effect":"Deny","Action":["iam:*","sts:*","organizations:*"],"Resource":"*"}]}"#;

/// An organization managed from moto's default account, with two members:
/// - the management account: user mgmt-admin holding AdministratorAccess;
/// - alpha (in OU guardrails, whose SCP denies iam:*, sts:* and organizations:*): users
///   alpha-admin (AdministratorAccess) and alpha-reader (one inline S3 read policy);
/// - beta (under the root): users beta-admin (AdministratorAccess) and beta-keyholder (one
///   access key).
async fn seed(moto: &Moto) -> Org {
    use aws_sdk_organizations::types::{OrganizationFeatureSet, PolicyType};
    let organizations = moto.organizations();
    let created = organizations
        .create_organization()
        .feature_set(OrganizationFeatureSet::All)
        .send()
        .await
        .expect("CreateOrganization");
    let id = created
        .organization()
        .and_then(|organization| organization.id())
        .expect("an organization id")
        .to_string();
    let mut members = Vec::new();
    for name in ["alpha", "beta"] {
        members.push(create_account(&organizations, name).await);
    }
    let root = organizations
        .list_roots()
        .send()
        .await
        .expect("ListRoots")
        .roots()[0]
        .id()
        .expect("a root id")
        .to_string();
    organizations
        .enable_policy_type()
        .root_id(&root)
        .policy_type(PolicyType::ServiceControlPolicy)
        .send()
        .await
        .expect("EnablePolicyType");
    let guardrails_ou = organizations
        .create_organizational_unit()
        .parent_id(&root)
        .name("guardrails")
        .send()
        .await
        .expect("CreateOrganizationalUnit")
        .organizational_unit()
        .and_then(|ou| ou.id())
        .expect("an OU id")
        .to_string();
    organizations
        .move_account()
        .account_id(&members[0])
        .source_parent_id(&root)
        .destination_parent_id(&guardrails_ou)
        .send()
        .await
        .expect("MoveAccount");
    let policy = organizations
        .create_policy()
        .name("DenyIdentityChanges")
        .description("no IAM, STS or Organizations changes in guarded accounts")
        .content(DENY_IDENTITY_CHANGES)
        .r#type(PolicyType::ServiceControlPolicy)
        .send()
        .await
        .expect("CreatePolicy");
    let policy_id = policy
        .policy()
        .and_then(|policy| policy.policy_summary())
        .and_then(|summary| summary.id())
        .expect("a policy id")
        .to_string();
    organizations
        .attach_policy()
        .policy_id(&policy_id)
        .target_id(&guardrails_ou)
        .send()
        .await
        .expect("AttachPolicy");

    let mut secrets = Secrets::default();
    let admin = |name: &'static str| UserSeed {
        name,
        admin_attached: true,
        ..NOBODY
    };
    seed_user(
        &moto.client(),
        "mgmt-admin",
        &admin("mgmt-admin"),
        &mut secrets,
    )
    .await;
    let alpha = moto.iam_in(&members[0]).await;
    seed_user(&alpha, "alpha-admin", &admin("alpha-admin"), &mut secrets).await;
    let reader = UserSeed {
        inline_policy: true,
        ..NOBODY
    };
    seed_user(&alpha, "alpha-reader", &reader, &mut secrets).await;
    let beta = moto.iam_in(&members[1]).await;
    seed_user(&beta, "beta-admin", &admin("beta-admin"), &mut secrets).await;
    let keyholder = UserSeed {
        access_keys: 1,
        ..NOBODY
    };
    seed_user(&beta, "beta-keyholder", &keyholder, &mut secrets).await;
    Org {
        id,
        guardrails_ou,
        alpha: members[0].clone(),
        beta: members[1].clone(),
    }
}

/// A member account named `name`; its id (moto creates accounts at once).
async fn create_account(organizations: &aws_sdk_organizations::Client, name: &str) -> String {
    organizations
        .create_account()
        .email(format!("{name}@example.com"))
        .account_name(name)
        .send()
        .await
        .expect("CreateAccount")
        .create_account_status()
        .and_then(|status| status.account_id())
        .expect("moto creates accounts at once")
        .to_string()
}

fn org_scan(url: &str, extra: &[&str]) -> Run {
    let mut args = vec!["--organization", "--role-name", ROLE];
    args.extend_from_slice(extra);
    scan_live(url, &args)
}

/// The section of one account.
fn account<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["accounts"]
        .as_array()
        .expect("accounts is a list")
        .iter()
        .find(|account| account["account_id"] == id)
        .unwrap_or_else(|| panic!("no section for account {id}: {report:#}"))
}

fn ids(report: &Value) -> Vec<String> {
    report["accounts"]
        .as_array()
        .expect("accounts is a list")
        .iter()
        .map(|account| {
            account["account_id"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .collect()
}

/// The users an account's report judged, by principal-effective-admin.
fn users_of(report: &Value) -> Vec<String> {
    let mut users: Vec<String> = findings_of(report, "principal-effective-admin")
        .into_iter()
        .filter_map(|finding| finding["resource_arn"].as_str())
        .filter(|arn| arn.contains(":user/"))
        .map(|arn| arn.rsplit('/').next().unwrap_or_default().to_string())
        .collect();
    users.sort();
    users
}

fn user_in(account_id: &str, name: &str) -> String {
    format!("arn:aws:iam::{account_id}:user/{name}")
}

#[test]
fn an_organization_scan_judges_each_account_on_its_own_iam_capped_by_its_scps() {
    let moto = Moto::start();
    let org = block_on(seed(&moto));
    let dir = tempfile::tempdir().expect("a temporary directory");
    let out = dir.path().join("org");
    let out_arg = out.to_str().expect("a UTF-8 path");
    let run = org_scan(
        &moto.url,
        &["--output-dir", out_arg, "--format", "json,sarif"],
    );
    // Every account's scan is incomplete on moto (no Access Analyzer, no root activity
    // dates): exit 3, as for a single-account scan of moto.
    run.expect_code(3);
    let report: Value =
        serde_json::from_str(&read(&out.join("iamscan.json"))).expect("the organization JSON");

    assert_eq!(report["report_kind"], "organization");
    assert_eq!(report["schema_version"], "1.0");
    assert_eq!(report["organization_id"], org.id.as_str());
    assert_eq!(report["management_account_id"], MOTO_ACCOUNT);
    let mut expected = vec![
        MOTO_ACCOUNT.to_string(),
        org.alpha.clone(),
        org.beta.clone(),
    ];
    expected.sort();
    assert_eq!(ids(&report), expected);
    for (id, name) in [
        (MOTO_ACCOUNT, "master"),
        (&org.alpha, "alpha"),
        (&org.beta, "beta"),
    ] {
        let section = account(&report, id);
        assert_eq!(section["status"], "scanned", "{section:#}");
        assert_eq!(section["name"], name);
        assert_eq!(section["report"]["account_id"], *id);
    }

    // Each account's report is about its own IAM, as seeded.
    let management = &account(&report, MOTO_ACCOUNT)["report"];
    let alpha = &account(&report, &org.alpha)["report"];
    let beta = &account(&report, &org.beta)["report"];
    assert_eq!(users_of(management), ["mgmt-admin"]);
    assert_eq!(users_of(alpha), ["alpha-admin", "alpha-reader"]);
    assert_eq!(users_of(beta), ["beta-admin", "beta-keyholder"]);
    // Policies held directly: both of alpha's users, only beta's administrator.
    assert_eq!(
        failing(alpha, "user-direct-policies"),
        [
            user_in(&org.alpha, "alpha-admin"),
            user_in(&org.alpha, "alpha-reader")
        ]
    );
    assert_eq!(
        failing(beta, "user-direct-policies"),
        [user_in(&org.beta, "beta-admin")]
    );

    // The guardrails OU's SCP denies IAM, STS and Organizations: alpha's AdministratorAccess
    // holder is no administrator and cannot escalate...
    let alpha_admin = user_in(&org.alpha, "alpha-admin");
    assert_eq!(
        status(alpha, "principal-effective-admin", &alpha_admin),
        "pass"
    );
    assert!(
        message(alpha, "principal-effective-admin", &alpha_admin)
            .contains("identity policies and the organization's SCPs"),
        "{}",
        message(alpha, "principal-effective-admin", &alpha_admin)
    );
    assert_eq!(
        status(alpha, "principal-privilege-escalation", &alpha_admin),
        "pass",
        "{}",
        message(alpha, "principal-privilege-escalation", &alpha_admin)
    );
    // ...while the same setup in beta, under FullAWSAccess only, is an administrator...
    let beta_admin = user_in(&org.beta, "beta-admin");
    assert_eq!(
        status(beta, "principal-effective-admin", &beta_admin),
        "fail"
    );
    assert!(
        message(beta, "principal-effective-admin", &beta_admin)
            .contains("(identity policies and the organization's SCPs: RCPs and resource policies not evaluated)")
    );
    // ...and SCPs never apply to the management account.
    let mgmt_admin = user_in(MOTO_ACCOUNT, "mgmt-admin");
    assert_eq!(
        status(management, "principal-effective-admin", &mgmt_admin),
        "fail"
    );
    assert!(
        message(management, "principal-effective-admin", &mgmt_admin)
            .contains("(identity policies only: SCPs, RCPs and resource policies not evaluated)")
    );
    assert_eq!(account(&report, &org.alpha)["scps_applied"], true);
    assert_eq!(account(&report, &org.beta)["scps_applied"], true);
    assert_eq!(account(&report, MOTO_ACCOUNT)["scps_applied"], false);

    // The summary: one row per account with its own score, and the worst findings of all.
    let rows = report["summary"]["by_account"].as_array().expect("rows");
    assert_eq!(rows.len(), 3);
    for row in rows {
        let own = &account(&report, row["account_id"].as_str().unwrap())["report"];
        assert_eq!(row["score"], own["score"]["overall"]);
        assert_eq!(row["grade"], own["score"]["grade"]);
        let critical = findings(own)
            .iter()
            .filter(|finding| finding["status"] == "fail" && finding["severity"] == "critical")
            .count();
        assert_eq!(row["failures"]["critical"], critical);
        assert_eq!(row["incomplete"], true);
    }
    let worst = report["summary"]["worst_findings"]
        .as_array()
        .expect("worst");
    assert!(!worst.is_empty());
    let rank = |severity: &Value| {
        ["info", "low", "medium", "high", "critical"]
            .iter()
            .position(|name| severity == name)
            .expect("a severity")
    };
    assert!(
        worst
            .windows(2)
            .all(|pair| rank(&pair[0]["severity"]) >= rank(&pair[1]["severity"]))
    );
    assert!(worst.iter().all(|finding| {
        expected
            .iter()
            .any(|id| finding["account_id"] == id.as_str())
    }));
    let total: usize = rows
        .iter()
        .map(|row| {
            ["critical", "high", "medium", "low", "info"]
                .iter()
                .map(|severity| row["failures"][severity].as_u64().unwrap() as usize)
                .sum::<usize>()
        })
        .sum();
    assert_eq!(report["summary"]["total_failures"], total);

    // The organization's own calls are counted apart from each account's.
    let stats = &report["stats"]["operations"];
    assert_eq!(stats["AssumeRole"], 2, "{stats}");
    assert_eq!(stats["ListAccounts"], 1);
    // The OU's parent and SCPs are asked for once, though only alpha sits under it.
    assert_eq!(stats["ListParents"], 3, "alpha, its OU, beta: {stats}");
    assert_eq!(
        stats["ListPoliciesForTarget"], 4,
        "root, OU, alpha, beta: {stats}"
    );
    for id in &expected {
        let own = &account(&report, id)["report"]["stats"]["operations"];
        assert_eq!(own["GetAccountAuthorizationDetails"], 1, "{id}: {own}");
        assert!(own.get("AssumeRole").is_none() && own.get("ListAccounts").is_none());
    }

    // Each scanned account's reports, in every format asked for, in its own folder.
    for id in &expected {
        let folder = out.join("accounts").join(id);
        let own: Value = serde_json::from_str(&read(&folder.join("iamscan.json"))).unwrap();
        assert_eq!(own["account_id"], id.as_str());
        assert_eq!(own["findings"], account(&report, id)["report"]["findings"]);
        assert!(read(&folder.join("iamscan.sarif")).contains("\"version\": \"2.1.0\""));
    }
    assert!(!org.guardrails_ou.is_empty());
}

#[test]
fn a_member_whose_role_cannot_be_assumed_is_reported_failed_and_the_others_are_scanned() {
    let moto = Moto::start();
    let org = block_on(seed(&moto));
    let beta_role = format!("arn:aws:iam::{}:role/{ROLE}", org.beta);
    let mut script = Script::empty();
    script.on_parameter(
        "AssumeRole",
        "RoleArn",
        &beta_role,
        vec![assume_role_denied(CALLER_ARN, &beta_role)],
    );
    let fake = FakeIam::in_front_of(&moto.url, script);

    let run = org_scan(&fake.url, &["--checks", COMPLETE_ON_MOTO]);
    run.expect_code(3);
    let report = run.report();
    let beta = account(&report, &org.beta);
    assert_eq!(beta["status"], "failed");
    assert_eq!(beta["name"], "beta");
    assert!(beta.get("report").is_none());
    assert_eq!(
        beta["error"],
        format!(
            "cannot assume {beta_role}: AccessDenied: User: {CALLER_ARN} is not authorized to perform: sts:AssumeRole on resource: {beta_role} (HTTP 403)"
        )
    );
    for id in [MOTO_ACCOUNT, org.alpha.as_str()] {
        let section = account(&report, id);
        assert_eq!(section["status"], "scanned");
        assert!(
            errored_checks(&section["report"]).is_empty(),
            "{id} is complete: the exit code is the failed account's"
        );
    }
    assert_eq!(report["summary"]["failed"], 1);
    assert_eq!(report["summary"]["scanned"], 2);
    // The denial is final (AccessDenied is not retried), and alpha's role was assumed.
    let assumed: Vec<String> = fake
        .requests("AssumeRole")
        .iter()
        .filter_map(|request| request.parameters.get("RoleArn").cloned())
        .collect();
    assert_eq!(
        assumed.iter().filter(|arn| **arn == beta_role).count(),
        1,
        "{assumed:?}"
    );
    assert!(assumed.contains(&format!("arn:aws:iam::{}:role/{ROLE}", org.alpha)));
    assert!(fake.unscripted().is_empty());

    // What a person sees in the terminal: the failed account and why.
    let table = run_iamscan(
        &[
            "scan",
            "--endpoint-url",
            &fake.url,
            "--regions",
            "none",
            "--organization",
            "--role-name",
            ROLE,
            "--checks",
            COMPLETE_ON_MOTO,
        ],
        &[],
    );
    table.expect_code(3);
    assert!(
        table
            .stdout
            .contains("FAILED (1): accounts that could not be scanned"),
        "{}",
        table.stdout
    );
    assert!(table.stdout.contains(&org.beta));
    assert!(
        table
            .stdout
            .contains("is not authorized to perform: sts:AssumeRole")
    );
    assert!(
        table
            .stderr
            .contains(&format!("account {}: cannot assume {beta_role}", org.beta)),
        "{}",
        table.stderr
    );

    // Without the failing account the same scan is complete: exit 0 (no gate given), and 1
    // when a gate is crossed (mgmt-admin, an administrator without credentials, fails at
    // medium).
    org_scan(
        &fake.url,
        &[
            "--checks",
            COMPLETE_ON_MOTO,
            "--exclude-accounts",
            &org.beta,
        ],
    )
    .expect_code(0);
    org_scan(
        &fake.url,
        &[
            "--checks",
            COMPLETE_ON_MOTO,
            "--exclude-accounts",
            &org.beta,
            "--fail-on",
            "medium",
        ],
    )
    .expect_code(1);
}

#[test]
fn shards_merged_equal_one_run_over_the_whole_organization() {
    let moto = Moto::start();
    let org = block_on(seed(&moto));
    let dir = tempfile::tempdir().expect("a temporary directory");
    // Judged at one time, so that two runs are comparable finding by finding.
    let scan_time = (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339();
    let whole = org_scan(&moto.url, &["--scan-time", &scan_time]);
    whole.expect_code(3);
    let whole = whole.report();

    let shard = |name: &str, accounts: &str| {
        let path = dir.path().join(name);
        let run = org_scan(
            &moto.url,
            &[
                "--scan-time",
                &scan_time,
                "--accounts",
                accounts,
                "--output",
                path.to_str().unwrap(),
            ],
        );
        run.expect_code(3);
        path
    };
    let first = shard("shard-1.json", &format!("{MOTO_ACCOUNT},{}", org.alpha));
    let second = shard("shard-2.json", &org.beta);
    let shard_report: Value = serde_json::from_str(&read(&second)).unwrap();
    assert_eq!(ids(&shard_report), vec![org.beta.clone()]);

    let merged = run_iamscan(
        &["merge", first.to_str().unwrap(), second.to_str().unwrap()],
        &[],
    );
    // Merged, the accounts are as incomplete as they were scanned.
    merged.expect_code(3);
    let merged = merged.report();
    assert_eq!(merged["report_kind"], "organization");
    assert_eq!(merged["organization_id"], org.id.as_str());
    assert_eq!(ids(&merged), ids(&whole));
    assert!(merged["warnings"].as_array().unwrap().is_empty());
    for id in ids(&whole) {
        let (one, other) = (&account(&whole, &id), &account(&merged, &id));
        for field in ["status", "name", "scps_applied"] {
            assert_eq!(one[field], other[field], "{id} {field}");
        }
        assert_eq!(
            finding_lines(&one["report"]),
            finding_lines(&other["report"]),
            "{id}: the same findings"
        );
        assert_eq!(one["report"]["score"], other["report"]["score"], "{id}");
        assert_eq!(
            one["report"]["coverage"], other["report"]["coverage"],
            "{id}"
        );
    }
    assert_eq!(
        merged["summary"]["by_account"],
        whole["summary"]["by_account"]
    );
    assert_eq!(
        merged["summary"]["worst_findings"],
        whole["summary"]["worst_findings"]
    );

    // A shard scanned again later replaces the earlier result of its accounts, and says so;
    // a single account's report merges too.
    let again = shard("shard-2-again.json", &org.beta);
    let single = dir.path().join("beta-alone.json");
    let beta_alone = scan_live(
        &moto.url,
        &[
            "--scan-time",
            &scan_time,
            "--output",
            single.to_str().unwrap(),
        ],
    );
    beta_alone.expect_code(3);
    let merged = run_iamscan(
        &[
            "merge",
            first.to_str().unwrap(),
            second.to_str().unwrap(),
            again.to_str().unwrap(),
        ],
        &[],
    );
    merged.expect_code(3);
    let warnings = merged.report()["warnings"].clone();
    assert_eq!(warnings.as_array().unwrap().len(), 1, "{warnings}");
    assert!(
        warnings[0].as_str().unwrap().starts_with(&format!(
            "account {}: kept the scanned result of ",
            org.beta
        )) && warnings[0].as_str().unwrap().contains("shard-2-again.json"),
        "{warnings}"
    );
    assert!(
        merged.stderr.contains("shard-2-again.json"),
        "{}",
        merged.stderr
    );

    // The management account alone (moto's default credentials), merged into the shards.
    let with_single = run_iamscan(
        &["merge", second.to_str().unwrap(), single.to_str().unwrap()],
        &[],
    );
    with_single.expect_code(3);
    let with_single = with_single.report();
    assert_eq!(ids(&with_single), {
        let mut expected = vec![MOTO_ACCOUNT.to_string(), org.beta.clone()];
        expected.sort();
        expected
    });
    assert_eq!(account(&with_single, MOTO_ACCOUNT)["scps_applied"], false);

    // Reports of another organization do not merge.
    let mut other = shard_report.clone();
    other["organization_id"] = "o-someoneelse".into();
    let other_path = dir.path().join("other.json");
    std::fs::write(&other_path, other.to_string()).unwrap();
    let refused = run_iamscan(
        &[
            "merge",
            first.to_str().unwrap(),
            other_path.to_str().unwrap(),
        ],
        &[],
    );
    refused.expect_code(2);
    assert!(
        refused
            .stderr
            .contains("the inputs are of different organizations"),
        "{}",
        refused.stderr
    );
}

#[test]
fn a_member_whose_scps_cannot_be_read_is_judged_on_identity_policies_and_says_so() {
    let moto = Moto::start();
    let org = block_on(seed(&moto));
    let mut script = Script::empty();
    script.on_parameter(
        "ListParents",
        "ChildId",
        &org.alpha,
        vec![organizations_error(
            400,
            "AccessDeniedException",
            "You don't have permissions to access this resource.",
        )],
    );
    let fake = FakeIam::in_front_of(&moto.url, script);
    let run = org_scan(&fake.url, &["--checks", COMPLETE_ON_MOTO]);
    run.expect_code(3);
    let report = run.report();
    let alpha = account(&report, &org.alpha);
    assert_eq!(alpha["status"], "scanned");
    assert_eq!(alpha["scps_applied"], false);
    assert_eq!(
        alpha["report"]["coverage"]["gaps"][0]["operation"],
        "ListParents"
    );
    assert_eq!(
        alpha["report"]["coverage"]["gaps"][0]["error_code"],
        "AccessDeniedException"
    );
    // Without the guardrail it could not read, alpha-admin is judged an administrator, and
    // the finding says the SCPs were not evaluated.
    let alpha_admin = user_in(&org.alpha, "alpha-admin");
    assert_eq!(
        status(&alpha["report"], "principal-effective-admin", &alpha_admin),
        "fail"
    );
    assert!(
        message(&alpha["report"], "principal-effective-admin", &alpha_admin)
            .ends_with("(identity policies only: SCPs, RCPs and resource policies not evaluated)")
    );
    // beta's chain does not go through alpha: its SCPs are applied, its scan complete.
    let beta = account(&report, &org.beta);
    assert_eq!(beta["scps_applied"], true);
    assert!(
        beta["report"]["coverage"]["gaps"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // One denied call, not retried.
    assert_eq!(
        fake.requests("ListParents")
            .iter()
            .filter(|request| request.parameters.get("ChildId") == Some(&org.alpha))
            .count(),
        1
    );
}

#[test]
fn only_active_accounts_are_scanned_and_an_asked_for_inactive_or_unknown_id_is_failed() {
    let moto = Moto::start();
    let org = block_on(seed(&moto));
    let gamma = block_on(async {
        let organizations = moto.organizations();
        let gamma = create_account(&organizations, "gamma").await;
        // moto marks a closed account SUSPENDED at once (AWS: PENDING_CLOSURE first).
        organizations
            .close_account()
            .account_id(&gamma)
            .send()
            .await
            .expect("CloseAccount");
        gamma
    });

    // The whole organization: the suspended account is not an account to scan.
    let run = org_scan(&moto.url, &["--checks", COMPLETE_ON_MOTO]);
    run.expect_code(0);
    let mut expected = vec![
        MOTO_ACCOUNT.to_string(),
        org.alpha.clone(),
        org.beta.clone(),
    ];
    expected.sort();
    assert_eq!(ids(&run.report()), expected);

    // Asked for by id, it is reported, as is an id that is no member at all.
    let stranger = "210987654321";
    let asked = format!("{gamma},{stranger},{}", org.alpha);
    let run = org_scan(
        &moto.url,
        &["--checks", COMPLETE_ON_MOTO, "--accounts", &asked],
    );
    run.expect_code(3);
    let report = run.report();
    let mut expected = vec![gamma.clone(), stranger.to_string(), org.alpha.clone()];
    expected.sort();
    assert_eq!(ids(&report), expected);
    assert_eq!(account(&report, &gamma)["status"], "failed");
    assert_eq!(account(&report, &gamma)["name"], "gamma");
    assert_eq!(
        account(&report, &gamma)["error"],
        format!(
            "not an active account of organization {} (its state is SUSPENDED)",
            org.id
        )
    );
    assert_eq!(
        account(&report, stranger)["error"],
        format!(
            "not an active account of organization {} (not a member)",
            org.id
        )
    );
    assert_eq!(account(&report, &org.alpha)["status"], "scanned");
}

#[test]
fn organization_options_are_checked_before_any_call() {
    let usage = |args: &[&str], expected: &str| {
        let run = run_iamscan(args, &[]);
        run.expect_code(2);
        let line = run.stderr.trim();
        assert_eq!(line.lines().count(), 1, "one line: {line}");
        assert!(line.contains(expected), "{line}");
    };
    usage(&["scan", "--organization"], "--role-name <NAME>");
    usage(
        &["scan", "--organization", "--role-name", ROLE, "--demo"],
        "'--organization' cannot be used with '--demo'",
    );
    usage(
        &[
            "scan",
            "--organization",
            "--role-name",
            ROLE,
            "--inventory",
            "x.json",
        ],
        "'--organization' cannot be used with '--inventory <FILE>'",
    );
    usage(
        &[
            "scan",
            "--organization",
            "--role-name",
            ROLE,
            "--exports",
            "dir",
        ],
        "'--organization' cannot be used with '--exports <DIR>'",
    );
    usage(
        &[
            "scan",
            "--organization",
            "--role-name",
            ROLE,
            "--accounts",
            "123456789012,12345",
        ],
        "invalid value '12345' for '--accounts <IDS>': '12345' is not a 12-digit account id",
    );
    usage(
        &[
            "scan",
            "--organization",
            "--role-name",
            ROLE,
            "--exclude-accounts",
            "abcdefghijkl",
        ],
        "invalid value 'abcdefghijkl' for '--exclude-accounts <IDS>'",
    );
    usage(&["scan", "--role-name", ROLE], "--organization");
    usage(
        &[
            "scan",
            "--organization",
            "--role-name",
            ROLE,
            "--format",
            "sarif",
        ],
        "--format sarif: an organization report is table or json",
    );
    usage(&["merge"], "<REPORT>");
}
