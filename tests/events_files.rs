//! CloudTrail log files read offline: fixture trees built here (plain and gzipped logs, an
//! organization trail, digest and Insights files, damaged files), read with `read_tree`.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::write::GzEncoder;
use iamscan::events::records::{MAX_WARNINGS, ReadStats, Record, read_tree};
use serde_json::{Value, json};

/// A minimal management event; `extra` is merged over it (a `null` removes a field).
fn event(name: &str, account: &str, second: u32, extra: Value) -> Value {
    let mut record = json!({
        "eventVersion": "1.09",
        "userIdentity": {
            "type": "IAMUser",
            "principalId": "AIDAEXAMPLE",
            "arn": format!("arn:aws:iam::{account}:user/alice"),
            "accountId": account,
            "userName": "alice",
        },
        "eventTime": format!("2026-11-01T10:00:{second:02}Z"),
        "eventSource": "iam.amazonaws.com",
        "eventName": name,
        "awsRegion": "us-east-1",
        "sourceIPAddress": "203.0.113.7",
        "userAgent": "aws-cli/2.15.0",
        "requestParameters": {"userName": "bob"},
        "responseElements": null,
        "requestID": "req-1",
        "eventID": format!("evt-{name}-{second}"),
        "readOnly": false,
        "eventType": "AwsApiCall",
        "managementEvent": true,
        "recipientAccountId": account,
        "eventCategory": "Management",
    });
    if let (Some(base), Value::Object(extra)) = (record.as_object_mut(), extra) {
        for (key, value) in extra {
            if value.is_null() {
                base.remove(&key);
            } else {
                base.insert(key, value);
            }
        }
    }
    record
}

fn log_json(records: &[Value]) -> Vec<u8> {
    serde_json::to_vec(&json!({ "Records": records })).unwrap()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn write(root: &Path, relative: &str, bytes: &[u8]) -> PathBuf {
    let path = root.join(relative);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(&path, bytes).unwrap();
    path
}

/// Writes a log, gzipped when the name ends in `.gz`.
fn write_log(root: &Path, relative: &str, records: &[Value]) -> PathBuf {
    let json = log_json(records);
    let bytes = if relative.ends_with(".gz") {
        gzip(&json)
    } else {
        json
    };
    write(root, relative, &bytes)
}

/// Reads the tree; every record as (file name, index, event name), and the totals.
fn read(root: &Path) -> (Vec<(String, usize, String)>, ReadStats) {
    let mut seen = Vec::new();
    let stats = read_tree(root, |r: &Record<'_>| {
        let name = r.file.file_name().unwrap().to_string_lossy().into_owned();
        seen.push((name, r.index, r.event_name.to_string()));
    })
    .unwrap();
    (seen, stats)
}

fn names(seen: &[(String, usize, String)]) -> Vec<&str> {
    seen.iter().map(|(_, _, name)| name.as_str()).collect()
}

fn warnings_mention(stats: &ReadStats, file: &str, text: &str) -> bool {
    stats
        .warnings
        .iter()
        .any(|w| w.contains(file) && w.contains(text))
}

const A: &str = "111111111111";
const B: &str = "222222222222";

#[test]
fn plain_and_gzipped_files_read_in_sorted_order() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write_log(
        root,
        "b.json.gz",
        &[event("B0", A, 0, json!({})), event("B1", A, 1, json!({}))],
    );
    write_log(root, "a.json", &[event("A0", A, 0, json!({}))]);
    write_log(root, "a/z.json.gz", &[event("AZ0", A, 0, json!({}))]);
    write_log(root, "c.json.gz", &[]);
    write(root, "notes.txt", b"not a log, and not read");
    // A .json.gz that was inflated on the way down (gzip is recognised by its magic bytes).
    write(
        root,
        "d.json.gz",
        &log_json(&[event("D0", A, 0, json!({}))]),
    );

    let (seen, stats) = read(root);
    assert_eq!(names(&seen), ["AZ0", "A0", "B0", "B1", "D0"]);
    assert_eq!(seen[3], ("b.json.gz".to_string(), 1, "B1".to_string()));
    assert_eq!(stats.warnings, Vec::<String>::new());
    assert_eq!(
        (
            stats.files_read,
            stats.files_failed,
            stats.records_read,
            stats.records_skipped
        ),
        (5, 0, 5, 0)
    );
    assert_eq!(
        stats.to_string(),
        "read 5 records from 5 files in 1 accounts"
    );
}

#[test]
fn fields_read_back_console_login_without_mfa() {
    let dir = tempfile::tempdir().unwrap();
    let login = event(
        "ConsoleLogin",
        A,
        5,
        json!({
            "eventSource": "signin.amazonaws.com",
            "userIdentity": {
                "type": "AssumedRole",
                "principalId": "AROAEXAMPLE:alice",
                "arn": format!("arn:aws:sts::{A}:assumed-role/Admin/alice"),
                "accountId": A,
                "invokedBy": "sso.amazonaws.com",
                "sessionContext": {
                    "sessionIssuer": {"type": "Role", "arn": format!("arn:aws:iam::{A}:role/Admin"), "userName": "Admin"},
                    "attributes": {"mfaAuthenticated": "false"},
                },
            },
            "requestParameters": null,
            "additionalEventData": {"LoginTo": "https://console.aws.amazon.com/", "MobileVersion": "No", "MFAUsed": "No"},
            "responseElements": {"ConsoleLogin": "Failure"},
            "errorCode": "Failed authentication",
            "errorMessage": "Failed authentication",
            "readOnly": null,
            "userAgent": "Mozilla/5.0 \"quoted\" \\ back",
        }),
    );
    let root = dir.path();
    let file = write_log(
        root,
        "x.json.gz",
        &[login, event("CreateUser", A, 6, json!({"readOnly": true}))],
    );

    let mut kept: Vec<Record<'static>> = Vec::new();
    let stats = read_tree(root, |r| kept.push(r.clone().into_owned())).unwrap();
    assert_eq!(stats.records_read, 2);
    let r = &kept[0];
    assert_eq!(r.file.as_ref(), file.as_path());
    assert_eq!(r.index, 0);
    assert_eq!(r.event_time.to_rfc3339(), "2026-11-01T10:00:05+00:00");
    assert_eq!(r.event_name, "ConsoleLogin");
    assert_eq!(r.event_source, "signin.amazonaws.com");
    assert_eq!(r.aws_region.as_deref(), Some("us-east-1"));
    assert_eq!(r.source_ip_address.as_deref(), Some("203.0.113.7"));
    assert_eq!(
        r.user_agent.as_deref(),
        Some("Mozilla/5.0 \"quoted\" \\ back")
    );
    assert_eq!(r.mfa_used(), Some(false));
    assert_eq!(
        r.additional_event_data_json().unwrap()["LoginTo"],
        "https://console.aws.amazon.com/"
    );
    assert_eq!(r.error_code.as_deref(), Some("Failed authentication"));
    assert_eq!(r.error_message.as_deref(), Some("Failed authentication"));
    assert!(r.request_parameters.is_none());
    assert_eq!(r.read_only, None);
    assert_eq!(r.event_id.as_deref(), Some("evt-ConsoleLogin-5"));
    assert_eq!(r.recipient_account_id.as_deref(), Some(A));
    assert_eq!(r.account_id, A);
    let who = &r.user_identity;
    assert_eq!(who.kind.as_deref(), Some("AssumedRole"));
    assert_eq!(
        who.arn.as_deref(),
        Some("arn:aws:sts::111111111111:assumed-role/Admin/alice")
    );
    assert_eq!(who.account_id.as_deref(), Some(A));
    assert_eq!(who.principal_id.as_deref(), Some("AROAEXAMPLE:alice"));
    assert_eq!(who.user_name, None);
    assert_eq!(
        who.session_issuer_arn.as_deref(),
        Some("arn:aws:iam::111111111111:role/Admin")
    );
    assert_eq!(who.invoked_by.as_deref(), Some("sso.amazonaws.com"));

    let r = &kept[1];
    assert_eq!(r.index, 1);
    assert_eq!(r.read_only, Some(true));
    assert_eq!(r.mfa_used(), None);
    assert_eq!(
        r.request_parameters_json(),
        Some(json!({"userName": "bob"}))
    );
    assert_eq!(r.user_identity.user_name.as_deref(), Some("alice"));
    assert_eq!(r.user_identity.session_issuer_arn, None);
}

#[test]
fn organization_trail_counts_per_account() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let org = "bucket/AWSLogs/o-abc123def4";
    let day = "CloudTrail/us-east-1/2026/11/01";
    write_log(
        root,
        &format!("{org}/{A}/{day}/{A}_CloudTrail_us-east-1_20261101T0000Z_a.json.gz"),
        &[
            event("A0", A, 0, json!({})),
            event("A1", A, 1, json!({})),
            event("A2", A, 2, json!({})),
        ],
    );
    write_log(
        root,
        &format!(
            "{org}/{A}/CloudTrail/eu-west-1/2026/11/01/{A}_CloudTrail_eu-west-1_20261101T0000Z_b.json.gz"
        ),
        // No recipientAccountId: the account comes from the path.
        &[event("A3", A, 3, json!({"recipientAccountId": null}))],
    );
    write_log(
        root,
        &format!("{org}/{B}/{day}/{B}_CloudTrail_us-east-1_20261101T0005Z_c.json.gz"),
        &[event("B0", B, 0, json!({})), event("B1", B, 1, json!({}))],
    );

    let mut per_record = Vec::new();
    let stats = read_tree(root, |r| {
        per_record.push((r.event_name.to_string(), r.account_id.to_string()))
    })
    .unwrap();
    // Sorted walk: eu-west-1 before us-east-1 within account A.
    let expected = [
        ("A3", A),
        ("A0", A),
        ("A1", A),
        ("A2", A),
        ("B0", B),
        ("B1", B),
    ];
    assert_eq!(
        per_record,
        expected.map(|(n, a)| (n.to_string(), a.to_string()))
    );
    assert_eq!(
        stats.accounts.into_iter().collect::<Vec<_>>(),
        [(A.to_string(), 4), (B.to_string(), 2)]
    );
    assert_eq!((stats.files_read, stats.records_read), (3, 6));
    assert!(stats.warnings.is_empty(), "{:?}", stats.warnings);
}

#[test]
fn digest_and_insight_files_are_passed_over_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let digest = json!({
        "awsAccountId": A,
        "digestStartTime": "2026-11-01T00:00:00Z",
        "digestEndTime": "2026-11-01T01:00:00Z",
        "digestS3Bucket": "bucket",
        "logFiles": [],
    });
    let insight = event(
        "CreateUser",
        A,
        0,
        json!({"eventType": "AwsCloudTrailInsight", "eventCategory": "Insight", "insightDetails": {"state": "Start"}}),
    );
    let base = format!("AWSLogs/{A}");
    write(
        root,
        &format!(
            "{base}/CloudTrail-Digest/us-east-1/2026/11/01/{A}_CloudTrail-Digest_us-east-1_t_us-east-1_20261101T010000Z.json.gz"
        ),
        &gzip(&serde_json::to_vec(&digest).unwrap()),
    );
    write_log(
        root,
        &format!(
            "{base}/CloudTrail-Insight/us-east-1/2026/11/01/{A}_CloudTrail-Insight_us-east-1_20261101T0000Z_i.json.gz"
        ),
        std::slice::from_ref(&insight),
    );
    // The same, recognised by content where the path does not tell.
    write(
        root,
        "loose/digest.json",
        &serde_json::to_vec(&digest).unwrap(),
    );
    write_log(root, "loose/insight.json.gz", &[insight]);
    write_log(
        root,
        &format!("{base}/CloudTrail/us-east-1/2026/11/01/log.json.gz"),
        &[event("Real", A, 0, json!({}))],
    );

    let (seen, stats) = read(root);
    assert_eq!(names(&seen), ["Real"]);
    assert_eq!(stats.warnings, Vec::<String>::new());
    assert_eq!(
        (stats.files_skipped_digest, stats.files_skipped_insight),
        (2, 2)
    );
    assert_eq!(
        (stats.files_read, stats.files_failed, stats.records_read),
        (1, 0, 1)
    );
}

#[test]
fn truncated_gzip_keeps_the_records_before_it() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    // Big enough to span several of the reader's chunks once inflated.
    let records: Vec<Value> = (0..4000)
        .map(|i| event(&format!("E{i}"), A, i % 60, json!({})))
        .collect();
    let whole = gzip(&log_json(&records));
    write(root, "1-cut.json.gz", &whole[..whole.len() / 2]);
    write_log(root, "2-good.json.gz", &[event("After", A, 0, json!({}))]);

    let (seen, stats) = read(root);
    let kept = seen
        .iter()
        .filter(|(file, _, _)| file == "1-cut.json.gz")
        .count();
    assert!(kept > 100 && kept < 4000, "{kept} records kept");
    assert!(
        seen[..kept]
            .iter()
            .enumerate()
            .all(|(i, (_, index, name))| *index == i && *name == format!("E{i}"))
    );
    assert_eq!(names(&seen[kept..]), ["After"]);
    assert_eq!(
        (stats.files_read, stats.files_failed, stats.records_read),
        (1, 1, kept as u64 + 1)
    );
    assert_eq!(stats.warnings.len(), 1, "{:?}", stats.warnings);
    let warning = &stats.warnings[0];
    assert!(warning.contains("1-cut.json.gz: record "), "{warning}");
    assert!(
        warning.contains("gzip data truncated or corrupt"),
        "{warning}"
    );
    assert!(
        warning.contains(&format!("({kept} records read before it)")),
        "{warning}"
    );
}

#[test]
fn files_that_are_not_cloudtrail_json_are_reported_and_passed() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "a-foo.json", br#"{"foo":1}"#);
    write(root, "b-text.json", b"this is not JSON\n");
    write(root, "c-binary.json.gz", &gzip(&[0xff, 0xfe, 0x00, 0x01]));
    write(root, "d-array.json", b"[{\"eventName\":\"X\"}]");
    write(root, "e-empty.json", b"");
    write_log(root, "f-good.json", &[event("Good", A, 0, json!({}))]);

    let (seen, stats) = read(root);
    assert_eq!(names(&seen), ["Good"]);
    assert_eq!((stats.files_read, stats.files_failed), (1, 5));
    assert!(
        warnings_mention(
            &stats,
            "a-foo.json",
            "not a CloudTrail log file: no \"Records\" array"
        ),
        "{:?}",
        stats.warnings
    );
    assert!(
        warnings_mention(&stats, "b-text.json", "not JSON"),
        "{:?}",
        stats.warnings
    );
    assert!(
        warnings_mention(&stats, "c-binary.json.gz", "not JSON"),
        "{:?}",
        stats.warnings
    );
    assert!(
        warnings_mention(&stats, "d-array.json", "not a CloudTrail log file"),
        "{:?}",
        stats.warnings
    );
    assert!(
        warnings_mention(&stats, "e-empty.json", "empty file"),
        "{:?}",
        stats.warnings
    );
    assert!(stats.warnings.iter().all(|w| !w.contains('\n')));
}

#[test]
fn malformed_json_mid_file_keeps_earlier_records() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let good = serde_json::to_string(&event("E0", A, 0, json!({}))).unwrap();
    write(
        root,
        "bad.json",
        format!("{{\"Records\":[{good},{good},{{\"eventName\": oops}}]}}").as_bytes(),
    );
    write_log(root, "next.json", &[event("Next", A, 0, json!({}))]);

    let (seen, stats) = read(root);
    assert_eq!(names(&seen), ["E0", "E0", "Next"]);
    assert_eq!(stats.warnings.len(), 1);
    assert!(
        stats.warnings[0].contains("bad.json: record 2: malformed JSON"),
        "{:?}",
        stats.warnings
    );
    assert!(
        stats.warnings[0].ends_with("(2 records read before it)"),
        "{:?}",
        stats.warnings
    );
    assert_eq!((stats.files_read, stats.files_failed), (1, 1));
}

#[test]
fn records_missing_fields_are_skipped_with_their_index() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write_log(
        root,
        "x.json.gz",
        &[
            event("First", A, 0, json!({})),
            event("Ignored", A, 1, json!({"eventName": null})),
            event("NoTime", A, 2, json!({"eventTime": null})),
            event("BadTime", A, 3, json!({"eventTime": "yesterday"})),
            event("NoSource", A, 4, json!({"eventSource": null})),
            event("WrongType", A, 5, json!({"eventName": 7})),
            json!("not an object"),
            event(
                "Last",
                A,
                6,
                json!({"userIdentity": null, "awsRegion": null}),
            ),
        ],
    );

    let (seen, stats) = read(root);
    assert_eq!(names(&seen), ["First", "Last"]);
    assert_eq!(seen[1].1, 7);
    assert_eq!((stats.records_read, stats.records_skipped), (2, 6));
    assert_eq!((stats.files_read, stats.files_failed), (1, 0));
    let file = root.join("x.json.gz").display().to_string();
    assert_eq!(
        stats.warnings[..4],
        [
            format!("{file}: record 1: missing eventName"),
            format!("{file}: record 2: missing eventTime"),
            format!("{file}: record 3: invalid eventTime \"yesterday\""),
            format!("{file}: record 4: missing eventSource"),
        ]
    );
    assert!(
        stats.warnings[4].starts_with(&format!("{file}: record 5: invalid type: integer `7`")),
        "{:?}",
        stats.warnings
    );
    assert!(
        stats.warnings[5].starts_with(&format!("{file}: record 6: invalid type: string")),
        "{:?}",
        stats.warnings
    );
}

#[test]
fn warnings_are_capped_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let records: Vec<Value> = (0..150)
        .map(|i| event("X", A, 0, json!({"eventName": null, "n": i})))
        .collect();
    write_log(dir.path(), "x.json", &records);
    let (_, stats) = read(dir.path());
    assert_eq!(stats.warnings.len(), MAX_WARNINGS);
    assert_eq!(stats.warnings_omitted, 150 - MAX_WARNINGS as u64);
    assert_eq!(stats.warning_count(), 150);
    assert_eq!(stats.records_skipped, 150);
}

#[test]
fn a_single_file_and_a_multi_member_gzip() {
    let dir = tempfile::tempdir().unwrap();
    let json = log_json(&[event("One", A, 0, json!({})), event("Two", A, 1, json!({}))]);
    // gzip members concatenated (as `cat a.gz b.gz` makes) inflate to one stream.
    let (head, tail) = json.split_at(json.len() / 2);
    let mut bytes = gzip(head);
    bytes.extend(gzip(tail));
    let file = write(dir.path(), "odd-name.log", &bytes);

    let (seen, stats) = read(&file);
    assert_eq!(names(&seen), ["One", "Two"]);
    assert_eq!((stats.files_read, stats.records_read), (1, 2));
}

#[test]
fn a_missing_root_is_a_one_line_error() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-export");
    let error = read_tree(&missing, |_| {}).unwrap_err().to_string();
    assert!(
        error.starts_with(&format!(
            "cannot read CloudTrail logs at {}: ",
            missing.display()
        )),
        "{error}"
    );
    assert!(!error.contains('\n'), "{error}");
}
