//! Replays every committed fuzz seed (`fuzz/seeds/<target>/`) through the entry points the
//! fuzz targets call (`fuzz/src/lib.rs`, included here as a module), so that a plain
//! `cargo test` guards the seeds and the targets' invariants without running the fuzzer.
//! A seed named `valid-*` must be accepted and one named `invalid-*` rejected; a panic on
//! any seed fails.

#[path = "../fuzz/src/lib.rs"]
mod entry;

use std::path::{Path, PathBuf};

type Entry = fn(&[u8]) -> Result<(), String>;

/// Each fuzz target with its entry point; `fuzz/Cargo.toml` declares the same names.
const TARGETS: [(&str, Entry); 4] = [
    ("policy_document", entry::policy_document),
    ("credential_report", entry::credential_report),
    ("authorization_details", entry::authorization_details),
    ("cloudtrail_records", entry::cloudtrail_records),
];

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|error| panic!("{}: {error}", dir.display()))
        .map(|entry| entry.expect("readable directory entry").path())
        .collect();
    paths.sort();
    paths
}

fn replay(target: &str) {
    let (_, entry) = TARGETS
        .iter()
        .find(|(name, _)| *name == target)
        .expect("a known target");
    let seeds = sorted_entries(&fuzz_dir().join("seeds").join(target));
    let mut failures = Vec::new();
    let (mut valid, mut invalid) = (0, 0);
    for path in &seeds {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let data = std::fs::read(path).unwrap_or_else(|error| panic!("{name}: {error}"));
        let outcome = std::panic::catch_unwind(|| entry(&data));
        match (name.split('-').next(), outcome) {
            (_, Err(_)) => failures.push(format!("{name}: panicked (message above)")),
            (Some("valid"), Ok(Ok(()))) => valid += 1,
            (Some("valid"), Ok(Err(error))) => failures.push(format!("{name}: rejected: {error}")),
            (Some("invalid"), Ok(Err(_))) => invalid += 1,
            (Some("invalid"), Ok(Ok(()))) => failures.push(format!("{name}: accepted")),
            _ => failures.push(format!("{name}: name must start with valid- or invalid-")),
        }
    }
    assert!(
        failures.is_empty(),
        "fuzz/seeds/{target}:\n{}",
        failures.join("\n")
    );
    assert!(
        valid > 0 && invalid > 0,
        "fuzz/seeds/{target} needs valid- and invalid- seeds ({valid} and {invalid})"
    );
}

#[test]
fn policy_document_seeds() {
    replay("policy_document");
}

#[test]
fn credential_report_seeds() {
    replay("credential_report");
}

#[test]
fn authorization_details_seeds() {
    replay("authorization_details");
}

#[test]
fn cloudtrail_records_seeds() {
    replay("cloudtrail_records");
}

/// A target added to the fuzz crate needs seeds and a test here, and the reverse.
#[test]
fn every_fuzz_target_has_seeds_and_a_test() {
    let names = |dir: &str, extension: Option<&str>| {
        let mut names: Vec<String> = sorted_entries(&fuzz_dir().join(dir))
            .iter()
            .filter(|path| {
                extension.is_none_or(|wanted| path.extension().is_some_and(|found| found == wanted))
            })
            .map(|path| path.file_stem().unwrap().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let mut known: Vec<String> = TARGETS.iter().map(|(name, _)| name.to_string()).collect();
    known.sort();
    assert_eq!(names("fuzz_targets", Some("rs")), known);
    assert_eq!(names("seeds", None), known);
}
