//! Reads a tree of CloudTrail log files with `read_tree` and prints how fast:
//! `cargo run --release --example bench_events -- DIR` (scripts/bench-events.sh runs it).
//!
//! Each record is looked at the way an analysis would (its name, identity and account), so
//! the figure is for records parsed into fields, not bytes skimmed.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use iamscan::events::records::read_tree;

fn main() {
    let Some(root) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: bench_events DIR");
        std::process::exit(2);
    };
    let started = Instant::now();
    let mut writes = 0u64;
    let mut console_logins_without_mfa = 0u64;
    let mut identity_bytes = 0u64;
    let mut by_name: BTreeMap<String, u64> = BTreeMap::new();
    let stats = read_tree(&root, |r| {
        if r.read_only == Some(false) {
            writes += 1;
        }
        if r.event_name == "ConsoleLogin" && r.mfa_used() == Some(false) {
            console_logins_without_mfa += 1;
        }
        identity_bytes += r.user_identity.arn.as_deref().map_or(0, str::len) as u64;
        match by_name.get_mut(r.event_name.as_ref()) {
            Some(n) => *n += 1,
            None => {
                by_name.insert(r.event_name.to_string(), 1);
            }
        }
    })
    .unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(1);
    });
    let elapsed = started.elapsed().as_secs_f64();
    println!("{stats}");
    for warning in &stats.warnings {
        println!("warning: {warning}");
    }
    println!(
        "records {} files {} seconds {elapsed:.3} records/s {:.0} (writes {writes}, console logins without MFA {console_logins_without_mfa}, {} event names, {identity_bytes} identity bytes)",
        stats.records_read,
        stats.files_read,
        stats.records_read as f64 / elapsed,
        by_name.len(),
    );
}
