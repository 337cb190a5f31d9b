//! `iamscan events` on CloudTrail log trees the tests write: what becomes a finding, how
//! the posture raises it, --since, gates, and bad input.

mod common;

use common::*;
use flate2::Compression;
use flate2::write::GzEncoder;
use serde_json::{Value, json};
use std::io::Write;
use std::path::Path;

const ACCOUNT: &str = "210987654321";

fn record(name: &str, source: &str, identity: &Value, time: &str) -> Value {
    json!({
        "eventVersion": "1.08",
        "userIdentity": identity,
        "eventTime": time,
        "eventSource": source,
        "eventName": name,
        "awsRegion": "us-east-1",
        "sourceIPAddress": "203.0.113.7",
        "userAgent": "aws-cli/2.15.0",
        "requestParameters": null,
        "responseElements": null,
        "eventID": format!("{name}-{time}"),
        "readOnly": false,
        "eventType": "AwsApiCall",
        "recipientAccountId": ACCOUNT,
    })
}

fn user(name: &str) -> Value {
    json!({"type": "IAMUser", "principalId": "AIDAEXAMPLE", "accountId": ACCOUNT,
        "arn": format!("arn:aws:iam::{ACCOUNT}:user/{name}"), "userName": name})
}

/// The demo account's day: carol adds herself to Admins and makes a key for ci-deploy, root
/// signs in, carol's stolen-looking key is denied twelve times, plus noise the catalog does
/// not explain and one event from the week before.
fn write_tree(dir: &Path) {
    let carol = user("carol.diaz");
    let root = json!({"type": "Root", "principalId": ACCOUNT, "accountId": ACCOUNT,
        "arn": format!("arn:aws:iam::{ACCOUNT}:root")});
    let mut add = record(
        "AddUserToGroup",
        "iam.amazonaws.com",
        &carol,
        "2026-11-19T10:00:00Z",
    );
    add["requestParameters"] = json!({"groupName": "Admins", "userName": "carol.diaz"});
    let mut key = record(
        "CreateAccessKey",
        "iam.amazonaws.com",
        &carol,
        "2026-11-19T10:05:00Z",
    );
    key["requestParameters"] = json!({"userName": "ci-deploy"});
    let mut login = record(
        "ConsoleLogin",
        "signin.amazonaws.com",
        &root,
        "2026-11-19T09:00:00Z",
    );
    login["additionalEventData"] = json!({"MFAUsed": "Yes"});
    login["responseElements"] = json!({"ConsoleLogin": "Success"});
    let noise = record(
        "ListBuckets",
        "s3.amazonaws.com",
        &carol,
        "2026-11-19T10:06:00Z",
    );
    let mut old = record(
        "DeleteUser",
        "iam.amazonaws.com",
        &carol,
        "2026-11-10T10:00:00Z",
    );
    old["requestParameters"] = json!({"userName": "old"});
    let mut day = vec![add, key, login, noise, old];
    for second in 0..12 {
        let mut denied = record(
            "ListRoles",
            "iam.amazonaws.com",
            &carol,
            &format!("2026-11-19T11:00:{:02}Z", second * 4),
        );
        denied["errorCode"] = json!("AccessDenied");
        denied["errorMessage"] = json!("not authorized");
        day.push(denied);
    }
    let folder = dir.join(format!("AWSLogs/{ACCOUNT}/CloudTrail/us-east-1/2026/11/19"));
    std::fs::create_dir_all(&folder).expect("a log folder");
    let file = std::fs::File::create(folder.join(format!(
        "{ACCOUNT}_CloudTrail_us-east-1_20261119T1000Z_a1.json.gz"
    )))
    .expect("a log file");
    let mut gzip = GzEncoder::new(file, Compression::default());
    gzip.write_all(json!({"Records": day}).to_string().as_bytes())
        .expect("written");
    gzip.finish().expect("flushed");
}

fn activities(report: &Value) -> Vec<(String, String, Vec<String>)> {
    report["activities"]
        .as_array()
        .expect("activities is a list")
        .iter()
        .map(|activity| {
            (
                activity["event"].as_str().unwrap_or_default().to_string(),
                activity["severity"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                activity["notes"]
                    .as_array()
                    .map(|notes| {
                        notes
                            .iter()
                            .map(|note| note.as_str().unwrap_or_default().to_string())
                            .collect()
                    })
                    .unwrap_or_default(),
            )
        })
        .collect()
}

#[test]
fn the_demo_posture_raises_what_it_makes_dangerous() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    write_tree(dir.path());
    let logs = dir.path().to_str().expect("UTF-8");
    let run = run_iamscan(
        &[
            "events",
            "--logs",
            logs,
            "--demo",
            "--since",
            "2026-11-18T00:00:00Z",
            "--format",
            "json",
        ],
        &[],
    );
    run.expect_code(0);
    let report: Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(report["records_read"], 17);
    assert_eq!(
        report["records_before_since"], 1,
        "DeleteUser of the week before"
    );
    assert_eq!(report["correlated"], true);
    let found = activities(&report);
    let summary: Vec<(&str, &str)> = found
        .iter()
        .map(|(event, severity, _)| (event.as_str(), severity.as_str()))
        .collect();
    assert_eq!(
        summary,
        vec![
            ("ConsoleLogin-root", "high"),
            ("AddUserToGroup", "high"),
            ("CreateAccessKey", "high"),
            ("AccessDenied-burst", "medium"),
        ],
        "most severe first, then by time; ListBuckets explains nothing"
    );
    assert!(
        found[1]
            .2
            .iter()
            .any(|note| note == "group Admins grants administrator access today")
    );
    assert!(
        found[2]
            .2
            .iter()
            .any(|note| note.contains("privilege-escalation signal"))
    );
    assert!(
        found[3]
            .2
            .iter()
            .any(|note| note.starts_with("12 denied calls within 10 minutes"))
    );
    let add = &report["activities"][1];
    assert_eq!(add["parameters"]["groupName"], "Admins");
    assert_eq!(
        add["actor"]["arn"],
        format!("arn:aws:iam::{ACCOUNT}:user/carol.diaz")
    );
    assert!(
        add["remediation"]["cli"]
            .as_str()
            .is_some_and(|cli| cli.contains("aws iam")),
        "the catalog's remediation comes with the finding"
    );
}

#[test]
fn without_an_inventory_events_keep_their_base_severity_and_gates_apply() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    write_tree(dir.path());
    let logs = dir.path().to_str().expect("UTF-8");
    let run = run_iamscan(&["events", "--logs", logs, "--format", "json"], &[]);
    run.expect_code(0);
    let report: Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(report["correlated"], false);
    let severities: Vec<(String, String)> = activities(&report)
        .into_iter()
        .map(|(event, severity, _)| (event, severity))
        .collect();
    assert!(
        severities.contains(&("AddUserToGroup".into(), "medium".into())),
        "{severities:?}"
    );
    assert!(
        severities.iter().any(|(event, _)| event == "DeleteUser"),
        "without --since, the week-old event is read too: {severities:?}"
    );
    assert!(
        severities.contains(&("ConsoleLogin-root".into(), "high".into())),
        "root use needs no posture to be high"
    );
    run_iamscan(&["events", "--logs", logs, "--fail-on", "high"], &[]).expect_code(1);
}

#[test]
fn a_missing_log_folder_is_a_one_line_error() {
    let run = run_iamscan(&["events", "--logs", "/nonexistent/cloudtrail"], &[]);
    run.expect_code(2);
    let message = run.stderr.trim();
    assert_eq!(message.lines().count(), 1, "{message}");
    assert!(message.contains("/nonexistent/cloudtrail"), "{message}");
    let bad_since = run_iamscan(&["events", "--logs", "/tmp", "--since", "yesterday"], &[]);
    bad_since.expect_code(2);
    assert!(
        bad_since.stderr.contains("'yesterday' is not a duration"),
        "{}",
        bad_since.stderr
    );
}

#[test]
fn scan_with_events_adds_an_activity_section_and_leaves_the_score_alone() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    write_tree(dir.path());
    let logs = dir.path().to_str().expect("UTF-8");
    let plain = run_iamscan(&["scan", "--demo", "--format", "json"], &[]).report();
    let with = run_iamscan(
        &[
            "scan",
            "--demo",
            "--format",
            "json",
            "--with-events",
            "--event-logs",
            logs,
        ],
        &[],
    )
    .report();
    assert_eq!(
        with["score"], plain["score"],
        "the score is a posture score"
    );
    assert!(plain.get("activity").is_none());
    let activity = &with["activity"];
    assert_eq!(
        activity["correlated"], true,
        "judged against the scanned account"
    );
    assert_eq!(activity["complete"], true);
    assert_eq!(activity["activities"].as_array().map(Vec::len), Some(5));
    let offline = run_iamscan(&["scan", "--demo", "--with-events"], &[]);
    offline.expect_code(2);
    assert!(
        offline.stderr.contains("needs --event-logs DIR"),
        "{}",
        offline.stderr
    );
}
