//! What moto cannot do, replayed over HTTP: a small fake IAM endpoint (tests/common/fake.rs)
//! answers each Action from a script (paging, a credential report that is not ready yet,
//! throttling, denial), and the binary's JSON report and exit code show what a user would see.
//!
//! The fake account is the same in every test, only the faults differ; the endpoint also
//! answers IAM Access Analyzer (which moto does not implement), CloudTrail, CloudWatch Logs,
//! CloudWatch and SNS. tests/faults_suite.rs injects faults at random into whole scans.
//! Run with `--nocapture` to see each test's faults and outcomes.

mod common;

use common::fake::*;
use common::*;
use serde_json::Value;

const PASSWORD_POLICY_CHECK_PREFIX: &str = "password-policy-";

fn is_password_policy_check(check: &str) -> bool {
    check.starts_with(PASSWORD_POLICY_CHECK_PREFIX)
}

// ---------------------------------------------------------------------------------------
// The faults

#[test]
fn authorization_details_in_two_pages_are_both_scanned() {
    let account = FakeAccount {
        users: vec![
            // Page 1: carol (inline policy); page 2: dave (AdministratorAccess), a member of a
            // group listed on page 1.
            FakeUser {
                name: "carol",
                inline_policy: Some("carol-s3"),
                ..Default::default()
            },
            FakeUser {
                name: "dave",
                admin_attached: true,
                groups: &["page-one-group"],
                ..Default::default()
            },
        ],
        groups: vec!["page-one-group", "page-two-group"],
        roles: vec!["page-one-role", "page-two-role"],
        root_mfa: true,
    };
    let fake = FakeIam::start(Script::account(&account, 2));
    let run = scan(&fake, &[]);
    outcome_row(
        "GetAccountAuthorizationDetails in 2 pages (Marker)",
        &fake,
        &run,
    );
    let report = run.report();

    let markers: Vec<Option<String>> = fake
        .requests("GetAccountAuthorizationDetails")
        .iter()
        .map(|request| request.parameters.get("Marker").cloned())
        .collect();
    assert_eq!(
        markers,
        vec![None, Some(page_marker(1))],
        "the second page is asked for with the first page's marker"
    );
    assert_eq!(
        failing(&report, "user-direct-policies"),
        vec![
            FakeAccount::user_arn("carol"),
            FakeAccount::user_arn("dave")
        ]
    );
    assert!(
        message(
            &report,
            "user-direct-policies",
            &FakeAccount::user_arn("carol")
        )
        .contains("carol-s3")
    );
    assert!(
        message(
            &report,
            "user-direct-policies",
            &FakeAccount::user_arn("dave")
        )
        .contains("AdministratorAccess")
    );
    // Membership read on page 2 counts for the group listed on page 1.
    assert_eq!(
        status(
            &report,
            "group-without-users",
            &format!("arn:aws:iam::{ACCOUNT}:group/page-one-group")
        ),
        "pass"
    );
    assert_eq!(
        status(
            &report,
            "group-without-users",
            &format!("arn:aws:iam::{ACCOUNT}:group/page-two-group")
        ),
        "fail"
    );
    assert!(fake.unscripted().is_empty(), "{:?}", fake.unscripted());
    run.expect_code(0);
}

#[test]
fn a_credential_report_not_ready_at_first_is_waited_for() {
    let account = FakeAccount::baseline();
    let mut script = Script::account(&account, 1);
    script.on("GenerateCredentialReport", vec![
        ok("GenerateCredentialReport", "<State>STARTED</State><Description>No report exists. Starting a new report generation task</Description>"),
        ok("GenerateCredentialReport", "<State>INPROGRESS</State>"),
        ok("GenerateCredentialReport", "<State>COMPLETE</State>"),
    ]);
    script.first(
        "GetCredentialReport",
        vec![error(
            404,
            "ReportInProgress",
            "Report generation in progress. Try again later.",
        )],
    );
    let fake = FakeIam::start(script);
    let run = scan(&fake, &[]);
    outcome_row(
        "GenerateCredentialReport STARTED; GetCredentialReport ReportInProgress once",
        &fake,
        &run,
    );
    let report = run.report();

    assert!(
        fake.count("GetCredentialReport") + fake.count("GenerateCredentialReport") >= 3,
        "the scan asked again: {}",
        fake.summary()
    );
    assert_eq!(report["credential_report_generated_at"], REPORT_GENERATED);
    // The report's root row is the evidence, not the account summary.
    let root = account_arn();
    assert_eq!(status(&report, "root-mfa-enabled", &root), "fail");
    assert!(
        message(&report, "root-mfa-enabled", &root).contains("credential report"),
        "{}",
        message(&report, "root-mfa-enabled", &root)
    );
    assert_eq!(
        status(&report, "root-recent-use", &root),
        "fail",
        "evaluated from the root row, not an error"
    );
    assert!(
        message(&report, "root-recent-use", &root).contains("password used 2026-05-22"),
        "{}",
        message(&report, "root-recent-use", &root)
    );
    assert_eq!(errored_checks(&report), Vec::<String>::new());
    assert_eq!(report["coverage"]["gaps"], serde_json::json!([]));
    run.expect_code(0);
}

#[test]
fn throttled_calls_are_retried_and_change_no_finding() {
    let baseline = baseline_report();
    let account = FakeAccount::baseline();
    let mut script = Script::account(&account, 1);
    let throttled_actions = [
        "GetAccountAuthorizationDetails",
        "GetCredentialReport",
        "ListVirtualMFADevices",
    ];
    for action in throttled_actions {
        script.first(action, vec![throttled(), throttled()]);
    }
    let fake = FakeIam::start(script);
    let run = scan(&fake, &[]);
    outcome_row(
        "first 2 answers to 3 operations: 400 Throttling",
        &fake,
        &run,
    );
    let report = run.report();

    for action in throttled_actions {
        assert_eq!(
            fake.count(action),
            3,
            "{action}: two throttled attempts and one that succeeded: {}",
            fake.summary()
        );
    }
    assert_eq!(
        finding_lines(&report),
        finding_lines(&baseline),
        "throttling changes no finding"
    );
    assert_eq!(report["coverage"]["gaps"], serde_json::json!([]));
    let retries = report["stats"]["retries"]
        .as_u64()
        .expect("stats.retries is a count");
    assert!(
        retries >= 2 * throttled_actions.len() as u64,
        "stats.retries counts the retried attempts: {retries}"
    );
    run.expect_code(0);
}

#[test]
fn a_denied_password_policy_errors_its_checks_only_and_makes_the_scan_incomplete() {
    let baseline = baseline_report();
    let account = FakeAccount::baseline();
    let mut script = Script::account(&account, 1);
    script.on(
        "GetAccountPasswordPolicy",
        vec![access_denied("GetAccountPasswordPolicy")],
    );
    let fake = FakeIam::start(script);
    let run = scan(&fake, &[]);
    outcome_row("GetAccountPasswordPolicy: 403 AccessDenied", &fake, &run);
    run.expect_code(3);
    let report = run.report();

    let password_checks: Vec<&Value> = findings(&report)
        .iter()
        .filter(|finding| {
            finding["check_id"]
                .as_str()
                .is_some_and(is_password_policy_check)
        })
        .collect();
    assert_eq!(
        password_checks.len(),
        5,
        "one finding per password-policy check: {password_checks:#?}"
    );
    for finding in &password_checks {
        assert_eq!(finding["status"], "error", "{finding:#}");
        let reason = finding["message"].as_str().unwrap_or_default();
        assert!(
            reason.contains("GetAccountPasswordPolicy") && reason.contains("AccessDenied"),
            "the error says why: {reason}"
        );
    }
    assert_others_unchanged(&report, &baseline, is_password_policy_check);
    let gaps = report["coverage"]["gaps"]
        .as_array()
        .expect("gaps is a list");
    assert_eq!(gaps.len(), 1, "{gaps:#?}");
    assert_eq!(gaps[0]["operation"], "GetAccountPasswordPolicy");
    assert_eq!(gaps[0]["error_code"], "AccessDenied");
    assert_eq!(report["score"]["incomplete"], true);

    // The same denial with a gate crossed: the gate's exit code wins over "incomplete".
    assert_eq!(
        status(&report, "root-mfa-enabled", &account_arn()),
        "fail",
        "the account has a critical failure"
    );
    let gated = scan(&fake, &["--fail-on", "critical"]);
    outcome_row(
        "GetAccountPasswordPolicy: 403 AccessDenied, --fail-on critical",
        &fake,
        &gated,
    );
    gated.expect_code(1);
}

#[test]
fn an_unknown_flag_is_a_one_line_usage_error() {
    let run = run_iamscan(&["scan", "--no-such-flag"], &[]);
    println!(
        "| {:<58} | exit {} | {}",
        "iamscan scan --no-such-flag",
        run.code,
        run.stderr.trim()
    );
    run.expect_code(2);
    assert_eq!(
        run.stderr.trim_end().lines().count(),
        1,
        "one line: {}",
        run.stderr
    );
    assert!(
        run.stderr.contains("--no-such-flag"),
        "names the flag: {}",
        run.stderr
    );
    assert!(run.stdout.is_empty(), "{}", run.stdout);
}

#[test]
fn a_malformed_inventory_is_a_one_line_error_naming_the_place() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("inventory.json");
    // Line 4, column 3: a key without quotes.
    std::fs::write(
        &path,
        "{\n  \"schema_version\": 1,\n  \"source\": \"api\",\n  collected_at: 1\n}\n",
    )
    .expect("writing the file");
    let path_text = path.to_str().expect("a UTF-8 path");
    let run = run_iamscan(&["scan", "--inventory", path_text, "--format", "json"], &[]);
    println!(
        "| {:<58} | exit {} | {}",
        "scan --inventory <malformed JSON>",
        run.code,
        run.stderr.trim()
    );
    run.expect_code(2);
    assert_eq!(
        run.stderr.trim_end().lines().count(),
        1,
        "one line: {}",
        run.stderr
    );
    assert!(
        run.stderr.contains(&format!("{path_text}:4:3")),
        "names file:line:column: {}",
        run.stderr
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert!(run.stdout.is_empty(), "no report: {}", run.stdout);
}

/// Access Analyzer is regional: a region whose listing is denied is `error` for that region
/// alone, a second page (nextToken) is read before judging, and the other checks and
/// regions are unaffected.
#[test]
fn access_analyzer_is_judged_per_region_across_pages_and_a_denied_region_is_an_error() {
    let baseline = baseline_report();
    for region in ["eu-west-1", "us-east-1"] {
        assert_eq!(
            status(
                &baseline,
                "access-analyzer-enabled",
                &format!("arn:aws:access-analyzer:{region}:{ACCOUNT}:analyzer")
            ),
            "pass",
            "{region} has an active ACCOUNT analyzer"
        );
    }
    assert_eq!(
        findings_of(&baseline, "server-certificate-expired")[0]["status"],
        "pass",
        "no certificates stored: nothing expired, seen"
    );

    let account = FakeAccount::baseline();
    let mut script = Script::account(&account, 1);
    // us-east-1: the first page holds only an unused-access analyzer; the external one is
    // on the second page.
    script.on_parameter(
        "ListAnalyzers",
        "region",
        "us-east-1",
        vec![analyzers(
            "us-east-1",
            &[("unused", "ACCOUNT_UNUSED_ACCESS")],
            Some("page-2"),
        )],
    );
    script.on_parameter(
        "ListAnalyzers",
        "nexttoken",
        "page-2",
        vec![analyzers(
            "us-east-1",
            &[("external-access", "ACCOUNT")],
            None,
        )],
    );
    script.on_parameter(
        "ListAnalyzers",
        "region",
        "eu-west-1",
        vec![error_json(
            403,
            "AccessDeniedException",
            "User is not authorized to perform: access-analyzer:ListAnalyzers",
        )],
    );
    let fake = FakeIam::start(script);
    let run = scan(&fake, &[]);
    outcome_row(
        "ListAnalyzers: eu-west-1 403, us-east-1 two pages",
        &fake,
        &run,
    );
    assert!(fake.unscripted().is_empty(), "{:?}", fake.unscripted());
    run.expect_code(3);
    let report = run.report();
    let resource = |region: &str| format!("arn:aws:access-analyzer:{region}:{ACCOUNT}:analyzer");
    assert_eq!(
        status(&report, "access-analyzer-enabled", &resource("us-east-1")),
        "pass"
    );
    assert_eq!(
        fake.requests("ListAnalyzers").len(),
        3,
        "two pages for us-east-1, one denied call for eu-west-1"
    );
    assert_eq!(
        status(&report, "access-analyzer-enabled", &resource("eu-west-1")),
        "error"
    );
    let reason = message(&report, "access-analyzer-enabled", &resource("eu-west-1"));
    assert!(
        reason.contains("AccessDeniedException"),
        "the error says why: {reason}"
    );
    let gaps = report["coverage"]["gaps"]
        .as_array()
        .expect("gaps is a list");
    assert_eq!(gaps.len(), 1, "{gaps:#?}");
    assert_eq!(gaps[0]["operation"], "ListAnalyzers");
    assert_eq!(gaps[0]["resource"], "eu-west-1");
    assert_eq!(
        report["stats"]["api_calls"]["ListAnalyzers"], 3,
        "Access Analyzer calls are counted with the IAM ones"
    );
    assert_others_unchanged(&report, &baseline, |check| {
        check == "access-analyzer-enabled"
    });
}

/// CloudTrail denied: every logging check is `error` (never pass), the scan is incomplete,
/// and nothing else changes.
#[test]
fn a_denied_cloudtrail_listing_errors_the_logging_checks_only() {
    let baseline = baseline_report();
    assert_eq!(
        status(&baseline, "cloudtrail-enabled", &account_arn()),
        "pass",
        "the fake account's trail records IAM activity"
    );
    let account = FakeAccount::baseline();
    let mut script = Script::account(&account, 1);
    script.on(
        "DescribeTrails",
        vec![Reply {
            content_type: "application/x-amz-json-1.1",
            ..error_json(
                400,
                "AccessDeniedException",
                "User is not authorized to perform: cloudtrail:DescribeTrails",
            )
        }],
    );
    let fake = FakeIam::start(script);
    let run = scan(&fake, &[]);
    outcome_row("DescribeTrails: 400 AccessDeniedException", &fake, &run);
    run.expect_code(3);
    let report = run.report();
    let logging: Vec<&Value> = findings(&report)
        .iter()
        .filter(|finding| {
            finding["check_id"]
                .as_str()
                .is_some_and(|id| id.starts_with("cloudtrail-") || id.starts_with("alarm-"))
        })
        .collect();
    assert_eq!(
        logging.len(),
        6 + 15,
        "six trail checks, fifteen alarm checks: {logging:#?}"
    );
    for finding in logging {
        assert_eq!(finding["status"], "error", "{finding:#}");
        assert!(
            finding["message"]
                .as_str()
                .unwrap_or_default()
                .contains("AccessDeniedException"),
            "{finding:#}"
        );
    }
    assert_eq!(
        fake.count("GetTrailStatus"),
        0,
        "no trail, no per-trail call"
    );
    assert_others_unchanged(&report, &baseline, |check| {
        check.starts_with("cloudtrail-") || check.starts_with("alarm-")
    });
}

/// CloudWatch alarms denied: every section 5 check is `error` (the filters alone prove no
/// alert), and nothing else changes; with the alarms readable, the two controls the fake
/// account has filters and alarms for pass.
#[test]
fn denied_alarms_error_the_monitoring_checks_only() {
    let baseline = baseline_report();
    for check in ["alarm-root-usage", "alarm-iam-policy-changes"] {
        assert_eq!(status(&baseline, check, &account_arn()), "pass", "{check}");
        assert!(
            message(&baseline, check, &account_arn())
                .contains("topic security-alerts (1 confirmed subscription)"),
            "{}",
            message(&baseline, check, &account_arn())
        );
    }
    assert_eq!(
        status(&baseline, "alarm-unauthorized-api-calls", &account_arn()),
        "fail",
        "no filter for 5.1 in the fake account"
    );
    let account = FakeAccount::baseline();
    let mut script = Script::account(&account, 1);
    script.on(
        "DescribeAlarms",
        vec![error_cbor(
            400,
            "AccessDenied",
            "User is not authorized to perform: cloudwatch:DescribeAlarms",
        )],
    );
    let fake = FakeIam::start(script);
    let run = scan(&fake, &[]);
    outcome_row("DescribeAlarms: 400 AccessDenied (CBOR)", &fake, &run);
    run.expect_code(3);
    let report = run.report();
    let alarms: Vec<&Value> = findings(&report)
        .iter()
        .filter(|finding| {
            finding["check_id"]
                .as_str()
                .is_some_and(|id| id.starts_with("alarm-"))
        })
        .collect();
    assert_eq!(alarms.len(), 15, "one finding per CIS section 5 control");
    for finding in alarms {
        assert_eq!(finding["status"], "error", "{finding:#}");
    }
    assert_eq!(
        fake.count("ListSubscriptionsByTopic"),
        0,
        "no alarm, no topic to ask about"
    );
    assert_others_unchanged(&report, &baseline, |check| check.starts_with("alarm-"));
}

/// `iamscan events` live: LookupEvents is asked once per event source (IAM, then sign-in),
/// each event's record is read from its CloudTrailEvent text, and the account collected
/// alongside is the posture they are judged against.
#[test]
fn lookup_events_feeds_live_events_through_the_same_analysis() {
    let account = FakeAccount::baseline();
    let mut script = Script::account(&account, 1);
    let event = |record: Value| {
        serde_json::json!({
            "EventId": record["eventID"],
            "EventName": record["eventName"],
            "CloudTrailEvent": record.to_string(),
        })
    };
    let identity = serde_json::json!({"type": "IAMUser", "principalId": "AIDAEXAMPLE",
        "accountId": ACCOUNT, "arn": format!("arn:aws:iam::{ACCOUNT}:user/carol"), "userName": "carol"});
    let iam_record = serde_json::json!({
        "eventVersion": "1.08", "userIdentity": identity, "eventTime": "2026-05-31T10:00:00Z",
        "eventSource": "iam.amazonaws.com", "eventName": "CreateAccessKey", "awsRegion": "us-east-1",
        "sourceIPAddress": "203.0.113.7", "requestParameters": {"userName": "dave"},
        "eventID": "e1", "recipientAccountId": ACCOUNT,
    });
    let login = serde_json::json!({
        "eventVersion": "1.08", "eventTime": "2026-05-31T09:00:00Z",
        "userIdentity": {"type": "Root", "principalId": ACCOUNT, "accountId": ACCOUNT,
            "arn": format!("arn:aws:iam::{ACCOUNT}:root")},
        "eventSource": "signin.amazonaws.com", "eventName": "ConsoleLogin", "awsRegion": "us-east-1",
        "sourceIPAddress": "198.51.100.9", "additionalEventData": {"MFAUsed": "No"},
        "responseElements": {"ConsoleLogin": "Success"}, "eventID": "e2", "recipientAccountId": ACCOUNT,
    });
    script.on(
        "LookupEvents",
        vec![
            ok_cloudtrail(serde_json::json!({"Events": [event(iam_record)]})),
            ok_cloudtrail(serde_json::json!({"Events": [event(login)]})),
        ],
    );
    let fake = FakeIam::start(script);
    let run = run_iamscan(
        &[
            "events",
            "--endpoint-url",
            &fake.url,
            "--region",
            "us-east-1",
            "--regions",
            REGIONS,
            "--since",
            "2026-05-01T00:00:00Z",
            "--format",
            "json",
            "--report-wait",
            "10",
        ],
        &[],
    );
    println!(
        "| {:<58} | exit {} | endpoint saw: {}",
        "events: LookupEvents, two sources",
        run.code,
        fake.summary()
    );
    run.expect_code(0);
    assert_eq!(fake.count("LookupEvents"), 2, "one query per event source");
    let report: Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(report["records_read"], 2);
    assert_eq!(
        report["correlated"], true,
        "the live account is the posture"
    );
    let events: Vec<(&str, &str)> = report["activities"]
        .as_array()
        .expect("activities")
        .iter()
        .map(|activity| {
            (
                activity["event"].as_str().unwrap_or(""),
                activity["severity"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        events,
        vec![("ConsoleLogin-root", "high"), ("CreateAccessKey", "high")],
        "carol is no administrator, so a key for dave is an escalation signal"
    );
}
