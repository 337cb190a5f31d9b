//! What each fuzz target does with one input, in one place: the targets in
//! `fuzz_targets/` call these, and `tests/fuzz_seeds.rs` (in the main crate's `cargo test`)
//! includes this file and replays every committed seed in `seeds/<target>/` through them.
//!
//! Each function returns `Ok` when the parser accepts the input and `Err` (the parser's
//! message) when it rejects it. Both are fine outcomes; a panic is the finding, including
//! the `assert!`s below, which check invariants that hold for every accepted input (for
//! `cloudtrail_records`, for every input).

use flate2::Compression;
use flate2::read::MultiGzDecoder;
use flate2::write::GzEncoder;
use iamscan::events::analysis::{ActivityReport, Analyzer};
use iamscan::events::records::{ReadStats, Record, read_stream, read_tree};
use iamscan::inventory::AuthorizationDetails;
use iamscan::inventory::CredentialReport;
use iamscan::policy::PolicyDocument;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The policy parser, as the API (URL-encoded) and the AWS CLI (plain JSON) give documents:
/// `PolicyDocument::decode`, and the `Deserialize` impl saved inventories go through.
///
/// An accepted document serialises to its normalised form, which must parse back to the
/// same value, both as plain JSON and URL-encoded (a saved inventory reloads unchanged).
pub fn policy_document(data: &[u8]) -> Result<(), String> {
    let text = std::str::from_utf8(data).map_err(|error| format!("not UTF-8: {error}"))?;
    let decoded = PolicyDocument::decode(text);
    // The Deserialize impl takes a JSON object, or a JSON string holding the document.
    let deserialized = serde_json::from_str::<PolicyDocument>(text);
    if text.trim_start().starts_with('{') {
        assert_eq!(
            decoded.as_ref().ok(),
            deserialized.as_ref().ok(),
            "decode and Deserialize disagree on a JSON object"
        );
    }
    let document = decoded.map_err(|error| error.to_string())?;
    let normalised = serde_json::to_string(&document).expect("a document serialises");
    let reparsed = PolicyDocument::decode(&normalised)
        .unwrap_or_else(|error| panic!("normalised form {normalised} does not parse: {error}"));
    assert_eq!(document, reparsed, "normalised form {normalised} changed");
    let encoded = utf8_percent_encode(&normalised, NON_ALPHANUMERIC).to_string();
    let reparsed = PolicyDocument::decode(&encoded)
        .unwrap_or_else(|error| panic!("URL-encoded form {encoded} does not parse: {error}"));
    assert_eq!(document, reparsed, "URL-encoded form {encoded} changed");
    Ok(())
}

/// The credential report CSV parser (`CredentialReport::parse_csv`), given the text as
/// GetCredentialReport's content decodes to. An accepted report must survive a save and
/// reload as part of an inventory (JSON) unchanged.
pub fn credential_report(data: &[u8]) -> Result<(), String> {
    let text = std::str::from_utf8(data).map_err(|error| format!("not UTF-8: {error}"))?;
    let report = CredentialReport::parse_csv(text, "fuzz.csv", None)?;
    let saved = serde_json::to_string(&report).expect("a report serialises");
    let reloaded: CredentialReport = serde_json::from_str(&saved)
        .unwrap_or_else(|error| panic!("saved report {saved} does not reload: {error}"));
    assert_eq!(report, reloaded, "saved report {saved} changed");
    Ok(())
}

/// The authorization-details loader (`AuthorizationDetails::from_json`, behind
/// `--auth-details` and `--exports`): `aws iam get-account-authorization-details` JSON to
/// the model.
/// Documents that are not policies become gaps, not errors. An accepted export must
/// survive a save and reload as part of an inventory (JSON) unchanged.
pub fn authorization_details(data: &[u8]) -> Result<(), String> {
    let text = std::str::from_utf8(data).map_err(|error| format!("not UTF-8: {error}"))?;
    let mut gaps = Vec::new();
    let details = AuthorizationDetails::from_json(text, Path::new("fuzz.json"), &mut gaps)
        .map_err(|error| error.to_string())?;
    let saved = serde_json::to_string(&details).expect("authorization details serialise");
    let reloaded: AuthorizationDetails = serde_json::from_str(&saved)
        .unwrap_or_else(|error| panic!("saved details {saved} do not reload: {error}"));
    assert_eq!(details, reloaded, "saved details {saved} changed");
    Ok(())
}

/// The CloudTrail log reader (`events::records`) and the activity analysis after it, as
/// `iamscan events --logs DIR` runs them on one log file: the input is written to a file
/// under a trail's S3 key layout and read with `read_tree`, which inflates it when it
/// starts with gzip's magic bytes; the records go through `Analyzer` (no inventory), and
/// the report must survive a save and reload (`Report::load`) unchanged.
///
/// The same bytes are also read the other ways they can arrive, which must agree with that
/// read record for record and in every count and warning: gzip'd (as CloudTrail delivers
/// logs) when they are not gzip already, and through `read_stream` (LookupEvents' reader)
/// once inflated. Last, the input (if UTF-8) is read as one LookupEvents `CloudTrailEvent`
/// string, wrapped as `collect::lookup_events` wraps them (that module needs the SDK).
///
/// `Ok` when the file reads to the end as a log (records with missing or ill-typed fields
/// are skipped with a warning and the file still reads); `Err` when it fails or is passed
/// over as a digest or Insights file.
pub fn cloudtrail_records(data: &[u8]) -> Result<(), String> {
    let path = log_path();
    let (stats, records) = read_file(&path, data);
    let texts = record_texts(&records);
    let is_gzip = data.starts_with(&[0x1f, 0x8b]);
    if !is_gzip {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
        encoder.write_all(data).expect("gzip into memory");
        let compressed = encoder.finish().expect("gzip into memory");
        let (gz_stats, gz_records) = read_file(&path, &compressed);
        assert_eq!(gz_stats, stats, "the gzip'd file reads differently");
        assert_eq!(
            record_texts(&gz_records),
            texts,
            "the gzip'd file gives other records"
        );
    }
    // A gzip file that did not read to the end may have broken off in the gzip data, which
    // `read_tree` reports after the bytes before it and `read_stream` instead of them.
    if !is_gzip || stats.files_read == 1 {
        let (streamed_stats, streamed_records) = if is_gzip {
            stream(&path, MultiGzDecoder::new(data))
        } else {
            stream(&path, data)
        };
        assert_eq!(streamed_stats, stats, "read_stream reads differently");
        assert_eq!(
            record_texts(&streamed_records),
            texts,
            "read_stream gives other records"
        );
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let wrapped = format!("{{\"Records\":[{text}]}}");
        stream(
            Path::new("LookupEvents iam.amazonaws.com"),
            wrapped.as_bytes(),
        );
    }
    analyse(&path, &stats, &records);
    match stats {
        ReadStats { files_read: 1, .. } => Ok(()),
        ReadStats {
            files_skipped_digest: 1,
            ..
        } => Err("passed over as a digest file".to_string()),
        ReadStats {
            files_skipped_insight: 1,
            ..
        } => Err("passed over as an Insights file".to_string()),
        ReadStats { warnings, .. } => Err(warnings.join("; ")),
    }
}

/// A log file's path in this thread's scratch directory (in memory where `/dev/shm` is),
/// laid out as a trail delivers to S3 (records without `recipientAccountId` take the
/// account from it). The directory goes when the thread ends, or stays when the fuzzer
/// stops on a crash (it exits without running destructors).
fn log_path() -> PathBuf {
    thread_local! {
        static DIR: tempfile::TempDir = {
            let mut builder = tempfile::Builder::new();
            builder.prefix("iamscan-fuzz-");
            let shm = Path::new("/dev/shm");
            let in_memory = shm.is_dir().then(|| builder.tempdir_in(shm).ok()).flatten();
            in_memory.unwrap_or_else(|| builder.tempdir().expect("a scratch directory"))
        };
    }
    DIR.with(|dir| {
        let folder = dir
            .path()
            .join("AWSLogs/o-fuzz123456/111122223333/CloudTrail/us-east-1/2026/11/01");
        std::fs::create_dir_all(&folder).expect("a scratch directory");
        folder.join("111122223333_CloudTrail_us-east-1_20261101T0000Z_fuzz.json.gz")
    })
}

/// `data` written to `path` and read with `read_tree`, as `--logs` reads it.
fn read_file(path: &Path, data: &[u8]) -> (ReadStats, Vec<Record<'static>>) {
    // A new file each time: rewriting one in place makes ext4 flush it to disk
    // (`auto_da_alloc`), which cost more than all the rest.
    let _ = std::fs::remove_file(path);
    std::fs::write(path, data).expect("the log file written");
    let mut records = Vec::new();
    let stats = read_tree(path, |record| records.push(keep(record)))
        .unwrap_or_else(|error| panic!("an existing file is not read: {error}"));
    check_read(&stats, &records);
    (stats, records)
}

/// `read_stream` over `reader`, as LookupEvents' pages are read.
fn stream(path: &Path, reader: impl std::io::Read) -> (ReadStats, Vec<Record<'static>>) {
    let mut records = Vec::new();
    let stats = read_stream(path, reader, |record| records.push(keep(record)));
    check_read(&stats, &records);
    (stats, records)
}

/// The record detached from the reader's buffer, which must keep every field; and the
/// accessors the analysis uses, which must not panic.
fn keep(record: &Record<'_>) -> Record<'static> {
    let owned = record.clone().into_owned();
    assert_eq!(
        format!("{owned:?}"),
        format!("{record:?}"),
        "into_owned changed the record"
    );
    let _ = record.request_parameters_json();
    let _ = record.additional_event_data_json();
    let _ = record.mfa_used();
    owned
}

/// Records compared by their `Debug` text (`Record` has no `PartialEq`).
fn record_texts(records: &[Record<'_>]) -> Vec<String> {
    records.iter().map(|record| format!("{record:?}")).collect()
}

/// The counts agree with what was delivered, for one file read.
fn check_read(stats: &ReadStats, records: &[Record<'_>]) {
    assert_eq!(stats.records_read, records.len() as u64, "records_read");
    assert_eq!(
        stats.accounts.values().sum::<u64>(),
        stats.records_read,
        "records per account do not add up: {:?}",
        stats.accounts
    );
    assert!(
        records.windows(2).all(|pair| pair[0].index < pair[1].index),
        "record indexes out of order"
    );
    let outcomes = stats.files_read
        + stats.files_failed
        + stats.files_skipped_digest
        + stats.files_skipped_insight;
    assert_eq!(outcomes, 1, "one file, {stats:?}");
    assert!(
        stats.files_failed == 0 || stats.warning_count() > 0,
        "a file failed without a warning"
    );
}

/// The analysis `iamscan events` runs over the records, its report saved and reloaded.
fn analyse(path: &Path, stats: &ReadStats, records: &[Record<'_>]) {
    let mut analyzer = Analyzer::new(None, None);
    for record in records {
        analyzer.observe(record);
    }
    let (activities, records_before_since) = analyzer.finish();
    let report = ActivityReport {
        source: path.display().to_string(),
        records_read: stats.records_read,
        records_skipped: stats.records_skipped,
        files_read: stats.files_read,
        warnings: stats.warnings.clone(),
        records_before_since,
        accounts: stats.accounts.clone(),
        correlated: false,
        complete: stats.files_failed == 0 && stats.records_skipped == 0,
        activities,
    };
    let saved = serde_json::to_string(&report).expect("an activity report serialises");
    let reloaded: ActivityReport = serde_json::from_str(&saved)
        .unwrap_or_else(|error| panic!("saved report {saved} does not reload: {error}"));
    assert_eq!(report, reloaded, "saved report {saved} changed");
}
