//! What each fuzz target does with one input, in one place: the targets in
//! `fuzz_targets/` call these, and `tests/fuzz_seeds.rs` (in the main crate's `cargo test`)
//! includes this file and replays every committed seed in `seeds/<target>/` through them.
//!
//! Each function returns `Ok` when the parser accepts the input and `Err` (the parser's
//! message) when it rejects it. Both are fine outcomes; a panic is the finding, including
//! the `assert!`s below, which check invariants that hold for every accepted input.

use iamscan::inventory::AuthorizationDetails;
use iamscan::inventory::CredentialReport;
use iamscan::policy::PolicyDocument;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use std::path::Path;

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
