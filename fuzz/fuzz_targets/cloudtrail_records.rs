//! `cargo fuzz run cloudtrail_records`: see [`iamscan_fuzz::cloudtrail_records`] for what is checked.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Rejected input is fine; a panic (including a broken invariant) is the finding.
    let _ = iamscan_fuzz::cloudtrail_records(data);
});
