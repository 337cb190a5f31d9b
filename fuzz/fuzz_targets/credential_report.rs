//! `cargo fuzz run credential_report`: see [`iamscan_fuzz::credential_report`] for what is checked.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Rejected input is fine; a panic (including a broken invariant) is the finding.
    let _ = iamscan_fuzz::credential_report(data);
});
