//! Proof under stress: the same scan with and without faults, reports compared.
//!
//! - Throttling on about 30% of the calls (IAM's `Throttling`, the credential report's
//!   `LimitExceeded` that the SDK does not retry, the JSON and CBOR protocols' own codes),
//!   then HTTP 500 and 503 bursts and connection resets, then every paginated list in two
//!   pages, then all of it at once: the fake endpoint of tests/common/fake.rs, the same
//!   findings as the unfaulted scan, every retry counted.
//! - AccessDenied on each collector in turn, against moto with its authorization switched
//!   on (over replayed HTTP for the collectors moto cannot answer): the checks fed by the
//!   denied call are `error`, the gap is in the coverage, no other finding changes, exit 3.
//! - Ctrl-C in the middle of a scan: exit 130 and no partial report file.
//!
//! Each test prints its rows of the fault table (fault, what the endpoint saw, exit code,
//! errored checks, retries); run with `--nocapture` to see them.

mod common;

use common::fake::*;
use common::*;
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The seed of every fault injection here (any seed gives about 30%; this one is fixed so
/// that a failure reproduces).
const SEED: u64 = 7;

/// The chance that a request fails, besides the first call of each of EVERY_PROTOCOL: about
/// 30% of all requests fail, retries included.
const PERCENT: u64 = 20;

// ---------------------------------------------------------------------------------------
// The fault table

struct Row {
    fault: String,
    saw: String,
    exit: i32,
    errored: String,
    retries: String,
}

impl Row {
    /// A row for a scan whose JSON report (if any) is on `run`'s stdout.
    fn of(fault: &str, saw: String, run: &Run) -> Row {
        let report: Option<Value> = serde_json::from_str(&run.stdout).ok();
        Row {
            fault: fault.to_string(),
            saw,
            exit: run.code,
            errored: report.as_ref().map_or_else(
                || "no report".to_string(),
                |report| compact(&errored_checks(report)),
            ),
            retries: report.as_ref().map_or_else(
                || "-".to_string(),
                |report| report["stats"]["retries"].to_string(),
            ),
        }
    }
}

/// Check ids, those sharing a first word as one `word-* (count)`: `alarm-* (15)`.
fn compact(checks: &[String]) -> String {
    if checks.is_empty() {
        return "none".to_string();
    }
    let mut groups: Vec<(&str, Vec<&str>)> = Vec::new();
    for check in checks {
        let word = check.split('-').next().unwrap_or_default();
        match groups.last_mut() {
            Some((last, members)) if *last == word => members.push(check),
            _ => groups.push((word, vec![check])),
        }
    }
    groups
        .iter()
        .map(|(word, members)| match members.as_slice() {
            [one] => one.to_string(),
            _ => format!("{word}-* ({})", members.len()),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The rows as one block (one `println!`, so that tests running in parallel do not
/// interleave their rows).
fn print_table(rows: &[Row]) {
    let mut table = String::from(
        "| fault | endpoint saw | exit | errored checks | retries |\n|---|---|---|---|---|\n",
    );
    for row in rows {
        table.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            row.fault, row.saw, row.exit, row.errored, row.retries
        ));
    }
    println!("{table}");
}

/// What the fake endpoint saw: requests, injected faults by answer, and their share.
fn injected_summary(fake: &FakeIam) -> String {
    let injected = fake.injected();
    let faults: usize = injected.values().sum();
    let kinds: Vec<String> = injected
        .iter()
        .map(|(label, count)| format!("{count}x {label}"))
        .collect();
    format!(
        "{} requests, {faults} faulted ({}%): {}",
        fake.total(),
        faults * 100 / fake.total().max(1),
        kinds.join(", ")
    )
}

// ---------------------------------------------------------------------------------------
// Faults the scan must ride out

/// A scan of a faulty endpoint: exit 0, the baseline's findings line for line, no gap,
/// about 30% of the requests faulted, among them the first of each `expected_faulted`
/// action, and each fault the SDK retried counted in `stats.retries`.
fn assert_rides_out(fault: &str, script: Script, expected_faulted: &[&str]) {
    let baseline = baseline_report();
    let fake = FakeIam::start(script);
    let started = Instant::now();
    let run = scan(&fake, &["--max-attempts", "10"]);
    let elapsed = started.elapsed();
    print_table(&[Row::of(
        fault,
        format!(
            "{} in {:.1}s",
            injected_summary(&fake),
            elapsed.as_secs_f64()
        ),
        &run,
    )]);
    assert!(fake.unscripted().is_empty(), "{:?}", fake.unscripted());
    run.expect_code(0);
    let report = run.report();
    assert_eq!(
        finding_lines(&report),
        finding_lines(&baseline),
        "{fault}: the findings of the unfaulted scan"
    );
    assert_eq!(report["coverage"]["gaps"], serde_json::json!([]), "{fault}");

    let injected = fake.injected();
    let faults: usize = injected.values().sum();
    let share = faults * 100 / fake.total();
    assert!(
        (20..=45).contains(&share),
        "{fault}: about 30% of the requests fail, not {share}% ({})",
        fake.summary()
    );
    let faulted = fake.faulted_actions();
    for action in expected_faulted {
        assert!(
            faulted.iter().any(|faulted| faulted == action),
            "{fault}: the first {action} fails; faulted: {faulted:?}"
        );
    }
    // The SDK retries every fault but GenerateCredentialReport's LimitExceeded, which the
    // collector's own polling answers by generating again.
    let retried: usize = injected
        .iter()
        .filter(|(label, _)| label.as_str() != "409 LimitExceeded")
        .map(|(_, count)| count)
        .sum();
    assert_eq!(
        report["stats"]["retries"].as_u64(),
        Some(retried as u64),
        "{fault}: one retry per fault the SDK saw"
    );
    assert_eq!(
        report["stats"]["total_api_calls"].as_u64(),
        Some(fake.total() as u64),
        "{fault}: every attempt counted, as many as the endpoint saw"
    );
}

/// One action per protocol the fake speaks: IAM and SNS awsQuery, Access Analyzer
/// REST-JSON, CloudTrail and CloudWatch Logs awsJson, CloudWatch rpc-v2-cbor; and the
/// credential report, whose LimitExceeded the collector retries itself.
const EVERY_PROTOCOL: &[&str] = &[
    "GetAccountAuthorizationDetails",
    "GenerateCredentialReport",
    "ListSubscriptionsByTopic",
    "ListAnalyzers",
    "DescribeTrails",
    "DescribeMetricFilters",
    "DescribeAlarms",
];

#[test]
fn throttling_on_a_third_of_the_calls_changes_no_finding() {
    let mut script = Script::account(&FakeAccount::baseline(), 1);
    let faults = Faults::new(SEED, PERCENT, &[Fault::Throttle]);
    script.with_faults(faults.always_first(EVERY_PROTOCOL));
    assert_rides_out(
        "throttling on ~30% of calls (Throttling, LimitExceeded, ThrottlingException)",
        script,
        EVERY_PROTOCOL,
    );
}

#[test]
fn server_errors_and_connection_resets_change_no_finding() {
    let mut script = Script::account(&FakeAccount::baseline(), 1);
    script.with_faults(
        Faults::new(
            SEED,
            PERCENT,
            &[Fault::ServerError, Fault::Unavailable, Fault::Reset],
        )
        .always_first(EVERY_PROTOCOL),
    );
    assert_rides_out(
        "HTTP 500 and 503 bursts and TCP resets on ~30% of calls",
        script,
        EVERY_PROTOCOL,
    );
}

/// Each paginated call the collectors make, the parameter its next page is asked with,
/// and how many next pages a scan of the fake account asks for.
const PAGINATED: &[(&str, &str, usize)] = &[
    ("GetAccountAuthorizationDetails", "Marker", 1),
    ("ListVirtualMFADevices", "Marker", 1),
    // Only erin holds a virtual device: only her devices are listed.
    ("ListMFADevices", "Marker", 1),
    ("ListServerCertificates", "Marker", 1),
    // One listing per region of REGIONS; the header is lower-cased by the fake.
    ("ListAnalyzers", "nexttoken", 2),
    ("DescribeMetricFilters", "nextToken", 1),
    ("DescribeAlarms", "NextToken", 1),
    ("ListSubscriptionsByTopic", "NextToken", 1),
];

#[test]
fn every_paginated_list_in_two_pages_changes_no_finding() {
    let baseline = baseline_report();
    let fake = FakeIam::start(Script::account_in_pages(&FakeAccount::baseline(), 2));
    let run = scan(&fake, &[]);
    let next_pages: Vec<String> = PAGINATED
        .iter()
        .map(|(action, token, _)| {
            let asked = fake
                .requests(action)
                .iter()
                .filter(|request| request.parameters.contains_key(*token))
                .count();
            format!("{action} {asked}")
        })
        .collect();
    let rows = [Row::of(
        "every paginated list in 2 pages (IsTruncated+Marker, NextToken)",
        format!("next pages asked: {}", next_pages.join(", ")),
        &run,
    )];
    print_table(&rows);
    assert!(fake.unscripted().is_empty(), "{:?}", fake.unscripted());
    run.expect_code(0);
    let report = run.report();
    for (action, token, expected) in PAGINATED {
        let asked = fake
            .requests(action)
            .iter()
            .filter(|request| request.parameters.contains_key(*token))
            .count();
        assert_eq!(
            asked,
            *expected,
            "{action}: the second page is asked for with {token}: {}",
            fake.summary()
        );
    }
    assert_eq!(
        finding_lines(&report),
        finding_lines(&baseline),
        "the findings of the one-page scan"
    );
}

#[test]
fn every_fault_at_once_on_paginated_lists_changes_no_finding() {
    let mut script = Script::account_in_pages(&FakeAccount::baseline(), 2);
    script.with_faults(
        Faults::new(
            SEED,
            PERCENT,
            &[
                Fault::Throttle,
                Fault::ServerError,
                Fault::Unavailable,
                Fault::Reset,
            ],
        )
        .always_first(EVERY_PROTOCOL),
    );
    assert_rides_out(
        "all of the above at once, every list in 2 pages",
        script,
        EVERY_PROTOCOL,
    );
}

// ---------------------------------------------------------------------------------------
// Ctrl-C

/// `iamscan scan` of `url` into `output`, started as a user starts it: its own process,
/// credentials from the environment and nothing else from this machine's.
fn spawn_scan(url: &str, output: &Path, logs: &Path) -> std::process::Child {
    let output = output.to_str().expect("a UTF-8 path");
    let nowhere = logs.join("no-aws-config");
    Command::new(env!("CARGO_BIN_EXE_iamscan"))
        .args(["scan", "--endpoint-url", url, "--region", "us-east-1"])
        .args(["--regions", REGIONS, "--format", "json", "--output", output])
        .env_clear()
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_CONFIG_FILE", &nowhere)
        .env("AWS_SHARED_CREDENTIALS_FILE", &nowhere)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(logs.join("stdout")).expect("a stdout file"))
        .stderr(std::fs::File::create(logs.join("stderr")).expect("a stderr file"))
        .spawn()
        .expect("the iamscan binary runs")
}

/// Waits for `condition`, failing the test after `limit`.
fn wait_for(what: &str, limit: Duration, mut condition: impl FnMut() -> bool) {
    let started = Instant::now();
    while !condition() {
        assert!(started.elapsed() < limit, "{what} within {limit:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Names in `dir`, sorted: a report written atomically leaves no temporary file behind.
fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("the output folder")
        .map(|entry| {
            entry
                .expect("a folder entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

/// The call the Ctrl-C test holds unanswered. It is asked only once DescribeTrails' answer
/// is read: by then the binary has installed its SIGINT handler. (A SIGINT during the
/// scan's very first poll, before `tokio::signal::ctrl_c()` is first polled, still
/// kills the process by the default action: see src/main.rs.)
const HELD: &str = "GetTrailStatus";

/// Ctrl-C while the scan waits for an answer: exit 130, and at `--output` nothing new: no
/// file where there was none, the previous complete report where there was one, and no
/// temporary file beside it.
#[test]
fn ctrl_c_mid_scan_leaves_no_partial_report() {
    let mut script = Script::account(&FakeAccount::baseline(), 1);
    script.slow(HELD, Duration::from_secs(120));
    let fake = FakeIam::start(script);
    let previous = serde_json::to_string_pretty(&baseline_report()).expect("JSON");
    let mut rows = Vec::new();
    for had_report in [false, true] {
        let out_dir = tempfile::tempdir().expect("a temporary directory");
        let logs = tempfile::tempdir().expect("a temporary directory");
        let output = out_dir.path().join("report.json");
        if had_report {
            std::fs::write(&output, &previous).expect("the previous report");
        }
        let asked = fake.count(HELD);
        let mut child = spawn_scan(&fake.url, &output, logs.path());
        wait_for(
            "the scan asks for the held call",
            Duration::from_secs(60),
            || fake.count(HELD) > asked,
        );
        let status = Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -INT {}", child.id());
        let mut exit = None;
        wait_for(
            "iamscan exits after SIGINT",
            Duration::from_secs(20),
            || {
                exit = child.try_wait().expect("waiting for iamscan");
                exit.is_some()
            },
        );
        let code = exit.and_then(|status| status.code());
        let stderr = read(&logs.path().join("stderr"));
        let left = names_in(out_dir.path());
        let fault = if had_report {
            "SIGINT mid-scan, --output holds an earlier report"
        } else {
            "SIGINT mid-scan, --output does not exist"
        };
        rows.push(Row {
            fault: fault.to_string(),
            saw: format!("{HELD} unanswered; output folder after: {left:?}"),
            exit: code.unwrap_or(-1),
            errored: "no report".to_string(),
            retries: "-".to_string(),
        });
        if code.is_none() {
            let _ = child.kill();
        }
        assert_eq!(code, Some(130), "exit code after SIGINT; stderr:\n{stderr}");
        assert!(stderr.contains("interrupted"), "{stderr}");
        if had_report {
            assert_eq!(left, ["report.json"], "no temporary file is left");
            assert_eq!(
                read(&output),
                previous,
                "the earlier complete report is untouched"
            );
        } else {
            assert!(left.is_empty(), "no file at all: {left:?}");
        }
        assert!(
            read(&logs.path().join("stdout")).is_empty(),
            "nothing on stdout either"
        );
    }
    print_table(&rows);
}

// ---------------------------------------------------------------------------------------
// AccessDenied, collector by collector, against moto with its authorization on

/// One collector denied: the actions the scanning user's policy denies, the checks that are
/// then `error`, the operations the coverage gaps name, and the exit code.
struct Denial {
    denied: &'static [&'static str],
    errored: &'static [&'static str],
    gaps: &'static [&'static str],
    exit: i32,
}

const CREDENTIAL_REPORT_CHECKS: &[&str] = &[
    "access-key-rotation",
    "access-key-single-active",
    "access-key-unused-since-creation",
    "unused-access-key",
    "unused-password",
    "user-console-mfa",
    "user-mfa-enabled",
    "user-virtual-mfa-only",
];

/// The fifteen CIS section 5 alarm checks, then the six trail checks (sorted, as
/// `errored_checks` lists them).
const TRAIL_AND_ALARM_CHECKS: &[&str] = &[
    "alarm-cloudtrail-changes",
    "alarm-cmk-disabling",
    "alarm-config-changes",
    "alarm-console-auth-failures",
    "alarm-console-signin-without-mfa",
    "alarm-iam-policy-changes",
    "alarm-nacl-changes",
    "alarm-network-gateway-changes",
    "alarm-organizations-changes",
    "alarm-root-usage",
    "alarm-route-table-changes",
    "alarm-s3-bucket-policy-changes",
    "alarm-security-group-changes",
    "alarm-unauthorized-api-calls",
    "alarm-vpc-changes",
    "cloudtrail-cloudwatch-logs",
    "cloudtrail-enabled",
    "cloudtrail-kms-encryption",
    "cloudtrail-log-file-validation",
    "cloudtrail-s3-object-read-logging",
    "cloudtrail-s3-object-write-logging",
];

const ALARM_CHECKS: &[&str] = TRAIL_AND_ALARM_CHECKS.split_at(15).0;

const DENIALS: &[Denial] = &[
    Denial {
        denied: &["iam:GetAccountAuthorizationDetails"],
        errored: &[
            "cloudshell-full-access",
            "group-without-users",
            "identity-providers",
            "policy-assume-all-roles",
            "policy-full-admin",
            "policy-not-action-resource",
            "policy-passrole-all-roles",
            "policy-service-wildcard",
            "principal-effective-admin",
            "principal-privilege-escalation",
            "privilege-escalation-path",
            "support-role",
            "trust-cross-account",
            "trust-federation",
            "trust-public",
            "trust-service",
            "user-direct-policies",
        ],
        gaps: &["GetAccountAuthorizationDetails"],
        exit: 3,
    },
    Denial {
        denied: &["iam:GenerateCredentialReport", "iam:GetCredentialReport"],
        errored: CREDENTIAL_REPORT_CHECKS,
        gaps: &["GenerateCredentialReport", "GetCredentialReport"],
        exit: 3,
    },
    Denial {
        denied: &["iam:GetCredentialReport"],
        errored: CREDENTIAL_REPORT_CHECKS,
        gaps: &["GetCredentialReport"],
        exit: 3,
    },
    // The reference scan generated a report minutes before: the collector reads it (and
    // warns), as it is documented to, and nothing is missing.
    Denial {
        denied: &["iam:GenerateCredentialReport"],
        errored: &[],
        gaps: &[],
        exit: 0,
    },
    Denial {
        denied: &["iam:GetAccountPasswordPolicy"],
        errored: &[
            "password-policy-complexity",
            "password-policy-expiry",
            "password-policy-min-length",
            "password-policy-present",
            "password-policy-reuse-prevention",
        ],
        gaps: &["GetAccountPasswordPolicy"],
        exit: 3,
    },
    Denial {
        denied: &["iam:ListVirtualMFADevices"],
        errored: &["user-virtual-mfa-only"],
        gaps: &["ListVirtualMFADevices"],
        exit: 3,
    },
    Denial {
        denied: &["iam:ListMFADevices"],
        errored: &["user-virtual-mfa-only"],
        gaps: &["ListMFADevices"],
        exit: 3,
    },
    // moto's credential report has no root row: the summary is the only root evidence.
    Denial {
        denied: &["iam:GetAccountSummary"],
        errored: &["root-access-keys", "root-hardware-mfa", "root-mfa-enabled"],
        gaps: &["GetAccountSummary"],
        exit: 3,
    },
    Denial {
        denied: &["iam:ListOpenIDConnectProviders"],
        errored: &["identity-providers"],
        gaps: &["ListOpenIDConnectProviders"],
        exit: 3,
    },
    // No check reads a provider's details (client ids, thumbprints): nothing errors, and
    // the scan still says it is incomplete.
    Denial {
        denied: &["iam:GetOpenIDConnectProvider"],
        errored: &[],
        gaps: &["GetOpenIDConnectProvider"],
        exit: 3,
    },
    Denial {
        denied: &["iam:ListSAMLProviders"],
        errored: &["identity-providers"],
        gaps: &["ListSAMLProviders"],
        exit: 3,
    },
    Denial {
        denied: &["iam:ListServerCertificates"],
        errored: &["server-certificate-expired"],
        gaps: &["ListServerCertificates"],
        exit: 3,
    },
    Denial {
        denied: &["cloudtrail:DescribeTrails"],
        errored: TRAIL_AND_ALARM_CHECKS,
        gaps: &["DescribeTrails"],
        exit: 3,
    },
    Denial {
        denied: &["cloudtrail:GetTrailStatus"],
        errored: &[
            "cloudtrail-enabled",
            "cloudtrail-s3-object-read-logging",
            "cloudtrail-s3-object-write-logging",
        ],
        gaps: &["GetTrailStatus"],
        exit: 3,
    },
    Denial {
        denied: &["cloudtrail:GetEventSelectors"],
        errored: &[
            "cloudtrail-enabled",
            "cloudtrail-s3-object-read-logging",
            "cloudtrail-s3-object-write-logging",
        ],
        gaps: &["GetEventSelectors"],
        exit: 3,
    },
];

const TRAIL_BUCKET: &str = "trail-bucket";

/// The scanned account: users with and without MFA, keys, passwords and policies, a group,
/// a role, identity providers, a server certificate, a password policy and a trail that
/// records management events in every region (no log group: see the test's moto gaps).
async fn seed_scanned_account(moto: &Moto) {
    let iam = moto.client();
    let mut secrets = Secrets::default();
    iam.create_group()
        .group_name("developers")
        .send()
        .await
        .expect("CreateGroup");
    let users = [
        UserSeed {
            name: "alice",
            console_password: true,
            virtual_mfa: true,
            access_keys: 1,
            group: Some("developers"),
            ..NOBODY
        },
        UserSeed {
            name: "bob",
            access_keys: 1,
            inline_policy: true,
            ..NOBODY
        },
        UserSeed {
            name: "carol",
            console_password: true,
            admin_attached: true,
            ..NOBODY
        },
    ];
    for user in &users {
        seed_user(&iam, user.name, user, &mut secrets).await;
    }
    iam.create_role()
        .role_name("deployer")
        .assume_role_policy_document(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#,
        )
        .send()
        .await
        .expect("CreateRole");
    iam.create_open_id_connect_provider()
        .url("https://token.actions.githubusercontent.com")
        .client_id_list("sts.amazonaws.com")
        .thumbprint_list("6938fd4d98bab03faadb97b34396831e3780aea1")
        .send()
        .await
        .expect("CreateOpenIDConnectProvider");
    iam.create_saml_provider()
        .name("corporate-idp")
        .saml_metadata_document(
            r#"<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example.com"/>"#,
        )
        .send()
        .await
        .expect("CreateSAMLProvider");
    upload_server_certificate(&iam, "www-example", &mut secrets).await;
    iam.update_account_password_policy()
        .minimum_password_length(14)
        .send()
        .await
        .expect("UpdateAccountPasswordPolicy");
    moto.create_bucket(TRAIL_BUCKET);
    let cloudtrail = moto.cloudtrail();
    cloudtrail
        .create_trail()
        .name("audit")
        .s3_bucket_name(TRAIL_BUCKET)
        .is_multi_region_trail(true)
        .include_global_service_events(true)
        .enable_log_file_validation(true)
        .send()
        .await
        .expect("CreateTrail");
    cloudtrail
        .put_event_selectors()
        .trail_name("audit")
        .event_selectors(
            aws_sdk_cloudtrail::types::EventSelector::builder()
                .read_write_type(aws_sdk_cloudtrail::types::ReadWriteType::All)
                .include_management_events(true)
                .build(),
        )
        .send()
        .await
        .expect("PutEventSelectors");
    cloudtrail
        .start_logging()
        .name("audit")
        .send()
        .await
        .expect("StartLogging");
}

/// A scanning user allowed everything but `denied`, and its access key (id, secret).
async fn scanning_user(iam: &aws_sdk_iam::Client, name: &str, denied: &[&str]) -> (String, String) {
    let mut key = Secrets::default();
    let user = UserSeed {
        access_keys: 1,
        ..NOBODY
    };
    seed_user(iam, name, &user, &mut key).await;
    let mut statements =
        vec![serde_json::json!({"Effect": "Allow", "Action": "*", "Resource": "*"})];
    if !denied.is_empty() {
        statements.push(serde_json::json!({"Effect": "Deny", "Action": denied, "Resource": "*"}));
    }
    let policy = serde_json::json!({"Version": "2012-10-17", "Statement": statements});
    iam.put_user_policy()
        .user_name(name)
        .policy_name("scan")
        .policy_document(policy.to_string())
        .send()
        .await
        .expect("PutUserPolicy");
    (
        key.access_key_ids.remove(0),
        key.secret_access_keys.remove(0),
    )
}

/// Checks moto cannot feed in any scan (see the test's moto gaps).
const MOTO_CANNOT_FEED: &[&str] = &["access-analyzer-enabled", "root-recent-use"];

/// `--checks`: every check but those.
fn checks_moto_can_feed() -> String {
    iamscan::catalog::catalog()
        .iter()
        .map(|check| check.id.as_str())
        .filter(|id| !MOTO_CANNOT_FEED.contains(id))
        .collect::<Vec<_>>()
        .join(",")
}

/// A scan of moto with the access key `key`, judged at `scan_time`.
fn scan_as(moto: &Moto, key: &(String, String), scan_time: &str) -> Run {
    let checks = checks_moto_can_feed();
    let mut args = vec![
        "scan",
        "--endpoint-url",
        &moto.url,
        "--region",
        "us-east-1",
        "--format",
        "json",
        "--checks",
        &checks,
        "--scan-time",
        scan_time,
        "--report-wait",
        "20",
    ];
    args.extend_from_slice(&MOTO_REGIONS);
    run_iamscan(
        &args,
        &[
            ("AWS_ACCESS_KEY_ID", &key.0),
            ("AWS_SECRET_ACCESS_KEY", &key.1),
        ],
    )
}

/// The findings compared between scans: all but those on the scanning users, whose own
/// credential rows change with every scan (moto records when each key was last used).
fn comparable_lines(report: &Value, leave_out: &[&str]) -> Vec<String> {
    finding_lines(report)
        .into_iter()
        .filter(|line| !line.contains(":user/scanner-"))
        .filter(|line| {
            !line
                .split(' ')
                .nth(1)
                .is_some_and(|check| leave_out.contains(&check))
        })
        .collect()
}

/// What is wrong with the scan of `run` under `denial`, against the unrestricted scan.
/// Each gap's code or message holds `gap_says`.
fn problems_with(denial: &Denial, run: &Run, reference: &Value, gap_says: &str) -> Vec<String> {
    let what = denial.denied.join(", ");
    let mut problems = Vec::new();
    let mut expect = |ok: bool, problem: String| {
        if !ok {
            problems.push(format!("{what}: {problem}"));
        }
    };
    expect(
        run.code == denial.exit,
        format!(
            "exit {} instead of {}; {}",
            run.code, denial.exit, run.stderr
        ),
    );
    let Ok(report) = serde_json::from_str::<Value>(&run.stdout) else {
        expect(false, format!("no JSON report: {}", run.stderr));
        return problems;
    };
    let errored = errored_checks(&report);
    expect(
        errored == denial.errored,
        format!("errored checks {errored:?}, expected {:?}", denial.errored),
    );
    let before: Vec<String> = finding_lines(reference);
    for check in denial.errored {
        for finding in findings_of(&report, check) {
            let reason = finding["message"].as_str().unwrap_or_default();
            if finding["status"] == "error" {
                expect(
                    denial
                        .gaps
                        .iter()
                        .any(|operation| reason.contains(operation))
                        || reason.contains("could not be read")
                        || reason.contains("was not answered"),
                    format!("the error does not say which call failed: {reason}"),
                );
            } else {
                // A verdict in an errored check stands only on data the scan did get
                // (a SAML provider's when the OIDC list is denied): it is the same as
                // in the unrestricted scan, never one made without the data.
                let line = format!(
                    "{} {check} {} | {reason}",
                    finding["status"].as_str().unwrap_or_default(),
                    finding["resource_arn"].as_str().unwrap_or_default()
                );
                expect(
                    before.contains(&line),
                    format!("a verdict the unrestricted scan did not make: {line}"),
                );
            }
        }
    }
    let gaps = report["coverage"]["gaps"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let operations: Vec<&str> = gaps
        .iter()
        .map(|gap| gap["operation"].as_str().unwrap_or_default())
        .collect();
    expect(
        operations == denial.gaps,
        format!("coverage gaps {operations:?}, expected {:?}", denial.gaps),
    );
    for gap in &gaps {
        let said = format!("{} {}", gap["error_code"], gap["message"]);
        expect(
            said.contains(gap_says),
            format!("the gap does not say {gap_says}: {gap}"),
        );
    }
    expect(
        report["coverage"]["errored"].as_u64() == Some(denial.errored.len() as u64),
        format!("coverage.errored is {}", report["coverage"]["errored"]),
    );
    // Documented as "some check is error"; a gap no check needed leaves it false.
    expect(
        report["score"]["incomplete"] == !denial.errored.is_empty(),
        format!("score.incomplete is {}", report["score"]["incomplete"]),
    );
    let now = comparable_lines(&report, denial.errored);
    let then = comparable_lines(reference, denial.errored);
    for line in now.iter().filter(|line| !then.contains(line)) {
        expect(
            false,
            format!("a finding of another check changed: + {line}"),
        );
    }
    for line in then.iter().filter(|line| !now.contains(line)) {
        expect(
            false,
            format!("a finding of another check changed: - {line}"),
        );
    }
    problems
}

/// AccessDenied on each collector in turn, against moto with its authorization switched on:
/// a scanning user per row of DENIALS, allowed `*` but denied that collector's calls, scans
/// the same seeded account as an unrestricted scanning user. The checks the row names are
/// `error` in every finding (none passes or fails without its data), the coverage gaps name
/// the denied operations, every other finding is the unrestricted scan's, and the exit code
/// is 3.
///
/// Declared moto 5.2.5 gaps, covered over replayed HTTP instead:
/// - moto answers a denial in EC2's error shape (`<ErrorResponse><Errors><Error>`) to every
///   protocol, which the SDK's awsQuery and awsJson parsers cannot read: the gap's error code
///   is the SDK's `ServiceError` (HTTP 403), not `AccessDenied`. tests/faults.rs checks the
///   code and the message of a real IAM denial.
/// - its credential report has no `<root_account>` row (root-recent-use is `error` in every
///   moto scan) and it has no Access Analyzer (MOTO_REGIONS): both checks are left out.
/// - it does not speak CloudWatch's rpc-v2-cbor, so the trail here has no log group and the
///   monitoring collector (DescribeMetricFilters, DescribeAlarms, ListSubscriptionsByTopic)
///   and Access Analyzer are denied over replayed HTTP in
///   `access_denied_where_moto_cannot_answer` below.
#[test]
fn access_denied_on_each_collector_errors_its_checks_and_nothing_else() {
    let moto = Moto::start();
    let (unrestricted, keys) = block_on(async {
        seed_scanned_account(&moto).await;
        let iam = moto.client();
        let unrestricted = scanning_user(&iam, "scanner-unrestricted", &[]).await;
        let mut keys = Vec::new();
        for (index, denial) in DENIALS.iter().enumerate() {
            keys.push(scanning_user(&iam, &format!("scanner-{index}"), denial.denied).await);
        }
        (unrestricted, keys)
    });
    moto.switch_on_authorization();
    let scan_time = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);

    // First, so that the credential report exists when GenerateCredentialReport is denied.
    let reference_run = scan_as(&moto, &unrestricted, &scan_time);
    let mut rows = vec![Row::of(
        "moto, authorization on, nothing denied",
        "no gap".to_string(),
        &reference_run,
    )];
    reference_run.expect_code(0);
    let reference = reference_run.report();
    assert_eq!(errored_checks(&reference), Vec::<String>::new());

    // Two scans at a time: moto answers them in turn, iamscan's start-up overlaps.
    let runs: Vec<Run> = std::thread::scope(|scope| {
        let mut runs = Vec::new();
        for pair in keys.chunks(2) {
            let handles: Vec<_> = pair
                .iter()
                .map(|key| scope.spawn(|| scan_as(&moto, key, &scan_time)))
                .collect();
            runs.extend(
                handles
                    .into_iter()
                    .map(|handle| handle.join().expect("a scan")),
            );
        }
        runs
    });
    for (denial, run) in DENIALS.iter().zip(&runs) {
        let report: Option<Value> = serde_json::from_str(&run.stdout).ok();
        rows.push(Row::of(
            &format!("moto: Deny {}", denial.denied.join(", ")),
            report
                .as_ref()
                .map_or_else(String::new, |report| match gap_list(report) {
                    gaps if gaps.is_empty() => "403 to each denied call; no gap".to_string(),
                    gaps => format!("403 to each denied call; gaps: {gaps}"),
                }),
            run,
        ));
    }
    print_table(&rows);

    let problems: Vec<String> = DENIALS
        .iter()
        .zip(&runs)
        .flat_map(|(denial, run)| problems_with(denial, run, &reference, "HTTP 403"))
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let generate_only = DENIALS
        .iter()
        .position(|denial| denial.denied == ["iam:GenerateCredentialReport"])
        .expect("the row");
    assert!(
        runs[generate_only]
            .stderr
            .contains("using the report IAM already had"),
        "the fallback is said: {}",
        runs[generate_only].stderr
    );
}

/// The collectors moto cannot answer (see the moto gaps above), denied over replayed HTTP
/// with each service's own denial: Access Analyzer in every region, the trail's metric
/// filters, and the alarm topic's subscriptions. (tests/faults.rs denies DescribeAlarms,
/// DescribeTrails, one Access Analyzer region and the password policy the same way.)
#[test]
fn access_denied_where_moto_cannot_answer() {
    let reference = baseline_report();
    // Each denial with the service's answer to the operation the gap names.
    let message = |action: &str| {
        format!("User: arn:aws:iam::{ACCOUNT}:user/auditor is not authorized to perform: {action}")
    };
    let cases = [
        (
            Denial {
                denied: &["access-analyzer:ListAnalyzers"],
                errored: &["access-analyzer-enabled"],
                // One per region.
                gaps: &["ListAnalyzers", "ListAnalyzers"],
                exit: 3,
            },
            error_json(
                403,
                "AccessDeniedException",
                &message("access-analyzer:ListAnalyzers"),
            ),
        ),
        (
            Denial {
                denied: &["logs:DescribeMetricFilters"],
                errored: ALARM_CHECKS,
                gaps: &["DescribeMetricFilters"],
                exit: 3,
            },
            Reply {
                content_type: "application/x-amz-json-1.1",
                ..error_json(
                    400,
                    "AccessDeniedException",
                    &message("logs:DescribeMetricFilters"),
                )
            },
        ),
        // All fifteen: the two controls with a filter and an alarm lose their subscriber,
        // and the thirteen without a matching filter, which would fail whoever subscribes,
        // say `error` too (a check judges once every subscription is known).
        (
            Denial {
                denied: &["sns:ListSubscriptionsByTopic"],
                errored: ALARM_CHECKS,
                gaps: &["ListSubscriptionsByTopic"],
                exit: 3,
            },
            error(
                403,
                "AuthorizationError",
                &message("sns:ListSubscriptionsByTopic"),
            ),
        ),
    ];
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for (denial, answer) in &cases {
        let mut script = Script::account(&FakeAccount::baseline(), 1);
        script.on(denial.gaps[0], vec![answer.clone()]);
        let fake = FakeIam::start(script);
        let run = scan(&fake, &[]);
        let code = answer.label.split(' ').nth(1).expect("`status code`");
        rows.push(Row::of(
            &format!("replayed: Deny {}", denial.denied.join(", ")),
            fake.summary()
                .split("; ")
                .filter(|answers| answers.contains(code))
                .collect::<Vec<_>>()
                .join("; "),
            &run,
        ));
        problems.extend(problems_with(denial, &run, &reference, code));
    }
    print_table(&rows);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
