//! `--redact`: masks account ids and access key ids in a report before it is rendered, so
//! every format (table, JSON, SARIF, ...) can be shared outside the account's owners.
//!
//! - An account id is any standalone run of exactly 12 ASCII digits (not touching a letter
//!   or another digit): in ARNs, the `account_id` fields, messages, remediation commands,
//!   map keys. It becomes `********4321`: the last 4 digits are kept.
//! - An access key id is `AKIA` or `ASIA` and 16 uppercase letters or digits, standing
//!   alone. It becomes `AKIA************WXYZ`: the prefix and the last 4 are kept.
//!
//! A 12-digit number that is not an account id is masked too: nothing tells them apart.
//! The mask is a function of the id alone, so one id always reads the same and findings on
//! different accounts or keys stay apart (unless their last 4 characters agree). Masking
//! is not anonymisation: the suffix narrows an id down, and names and ARNs stay readable.

use super::Report;
use super::org::OrgReport;
use serde_json::{Map, Value};
use std::borrow::Cow;

const ACCOUNT_DIGITS: usize = 12;
const KEY_ID_LEN: usize = 20;
const KEY_ID_PREFIXES: [&[u8]; 2] = [b"AKIA", b"ASIA"];
/// Characters kept at the end of a masked id.
const KEPT: usize = 4;

/// The report with every account id and access key id masked (see the module docs).
pub fn redact_report(report: &Report) -> Result<Report, serde_json::Error> {
    redacted(report)
}

/// The organization report masked alike: its own fields and every account's report.
pub fn redact_org_report(report: &OrgReport) -> Result<OrgReport, serde_json::Error> {
    redacted(report)
}

fn redacted<T: serde::Serialize + serde::de::DeserializeOwned>(
    value: &T,
) -> Result<T, serde_json::Error> {
    let mut value = serde_json::to_value(value)?;
    redact_value(&mut value);
    serde_json::from_value(value)
}

/// Masks every string in `value`, object keys included. Two keys that mask alike are
/// merged: numbers (per-account counts) add up, otherwise the first is kept.
fn redact_value(value: &mut Value) {
    match value {
        Value::String(text) => {
            if let Cow::Owned(masked) = redact_text(text) {
                *text = masked;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_value),
        Value::Object(map) => {
            let mut masked = Map::with_capacity(map.len());
            for (key, mut item) in std::mem::take(map) {
                redact_value(&mut item);
                let key = redact_text(&key).into_owned();
                match masked.get_mut(&key) {
                    Some(Value::Number(existing)) => {
                        if let (Some(a), Some(b)) = (existing.as_u64(), item.as_u64()) {
                            *existing = (a + b).into();
                        }
                    }
                    Some(_) => {}
                    None => {
                        masked.insert(key, item);
                    }
                }
            }
            *map = masked;
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

/// `text` with its account ids and access key ids masked; borrowed when it has none.
fn redact_text(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let mut out: Option<String> = None;
    // Copied up to here (always an ASCII position, so a char boundary).
    let mut copied = 0;
    let mut index = 0;
    while index < bytes.len() {
        let standalone_start = index == 0 || !bytes[index - 1].is_ascii_alphanumeric();
        let matched = if !standalone_start {
            None
        } else if let Some(end) = access_key_id_at(bytes, index) {
            Some((end, mask(&text[index..end], KEY_ID_PREFIXES[0].len())))
        } else {
            account_id_at(bytes, index).map(|end| (end, mask(&text[index..end], 0)))
        };
        match matched {
            Some((end, masked)) => {
                let out = out.get_or_insert_with(|| String::with_capacity(text.len()));
                out.push_str(&text[copied..index]);
                out.push_str(&masked);
                copied = end;
                index = end;
            }
            None => index += 1,
        }
    }
    match out {
        Some(mut out) => {
            out.push_str(&text[copied..]);
            Cow::Owned(out)
        }
        None => Cow::Borrowed(text),
    }
}

/// The end of an access key id starting at `start`, when one does and stands alone.
fn access_key_id_at(bytes: &[u8], start: usize) -> Option<usize> {
    let end = start + KEY_ID_LEN;
    let candidate = bytes.get(start..end)?;
    let well_formed = KEY_ID_PREFIXES
        .iter()
        .any(|prefix| candidate.starts_with(prefix))
        && candidate
            .iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    (well_formed && ends_alone(bytes, end)).then_some(end)
}

/// The end of a 12-digit run starting at `start`, when it is exactly 12 digits.
fn account_id_at(bytes: &[u8], start: usize) -> Option<usize> {
    let end = start + ACCOUNT_DIGITS;
    let candidate = bytes.get(start..end)?;
    (candidate.iter().all(u8::is_ascii_digit) && ends_alone(bytes, end)).then_some(end)
}

fn ends_alone(bytes: &[u8], end: usize) -> bool {
    bytes.get(end).is_none_or(|b| !b.is_ascii_alphanumeric())
}

/// `id` with all but its first `keep_prefix` and last `KEPT` characters (ASCII) as `*`.
fn mask(id: &str, keep_prefix: usize) -> String {
    let hidden = id.len() - keep_prefix - KEPT;
    format!(
        "{}{}{}",
        &id[..keep_prefix],
        "*".repeat(hidden),
        &id[id.len() - KEPT..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_id_in_an_arn_keeps_its_last_four_digits() {
        assert_eq!(
            redact_text("arn:aws:iam::210987654321:user/alice"),
            "arn:aws:iam::********4321:user/alice"
        );
        assert_eq!(
            redact_text("aws/210987654321/iam/user/alice"),
            "aws/********4321/iam/user/alice"
        );
    }

    #[test]
    fn a_bare_account_id_in_text_and_commands_is_masked_everywhere() {
        assert_eq!(redact_text("210987654321"), "********4321");
        assert_eq!(
            redact_text(
                "account 998877665544 (arn:aws:iam::998877665544:root): trusted by 210987654321."
            ),
            "account ********5544 (arn:aws:iam::********5544:root): trusted by ********4321."
        );
        // CloudTrail's file names put an underscore after it.
        assert_eq!(
            redact_text("AWSLogs/210987654321/x/210987654321_CloudTrail_us-east-1.json.gz"),
            "AWSLogs/********4321/x/********4321_CloudTrail_us-east-1.json.gz"
        );
        // Any standalone 12-digit number counts: nothing tells an account id apart.
        assert_eq!(redact_text("id-123456789012"), "id-********9012");
    }

    #[test]
    fn other_digit_runs_are_left_alone() {
        for text in [
            "12345678901",          // 11 digits
            "1234567890123",        // 13 digits (a time in milliseconds)
            "i-0a123456789012",     // touches a letter
            "123456789012a",        // touches a letter
            "2026-11-20T09:00:00Z", // a date
            "********4321",         // already masked
            "AKIA************WXYZ", // already masked
            "no ids here, only 90 days",
        ] {
            assert!(
                matches!(redact_text(text), Cow::Borrowed(_)),
                "{text} was changed to {}",
                redact_text(text)
            );
        }
    }

    #[test]
    fn access_key_ids_keep_their_prefix_and_last_four() {
        assert_eq!(
            redact_text(
                "aws iam update-access-key --access-key-id AKIAIOSFODNN7EXAMPLE --status Inactive"
            ),
            "aws iam update-access-key --access-key-id AKIA************MPLE --status Inactive"
        );
        assert_eq!(
            redact_text("ASIAY34FZKBOKMUTVV7A,AKIAZZZZZZZZZZZZWXYZ"),
            "ASIA************VV7A,AKIA************WXYZ"
        );
        // Too long, lowercase, or another prefix: not an access key id.
        for text in [
            "AKIAIOSFODNN7EXAMPLE1",
            "AKIAiosfodnn7example",
            "XAKIAIOSFODNN7EXAMPLE",
            "AIDAIOSFODNN7EXAMPLE",
        ] {
            assert_eq!(redact_text(text), text);
        }
    }

    #[test]
    fn the_mask_is_stable_and_keeps_unicode_around_it() {
        let text = "é 210987654321 → 210987654321 ✓ 111122224321";
        assert_eq!(
            redact_text(text),
            "é ********4321 → ********4321 ✓ ********4321"
        );
    }

    #[test]
    fn keys_and_nested_values_are_masked_and_colliding_counts_add_up() {
        let mut value = serde_json::json!({
            "accounts": {"210987654321": 3, "999999994321": 2, "111111111111": 1},
            "list": ["arn:aws:iam::210987654321:root", 210987654321_u64, true, null],
        });
        redact_value(&mut value);
        assert_eq!(
            value,
            serde_json::json!({
                "accounts": {"********4321": 5, "********1111": 1},
                // A number is not an id as text: the report holds ids as strings.
                "list": ["arn:aws:iam::********4321:root", 210987654321_u64, true, null],
            })
        );
    }

    #[test]
    fn the_redacted_demo_report_names_no_account_and_keeps_its_findings_and_score() {
        let report = crate::run::demo_report();
        let redacted = redact_report(&report).expect("the report round-trips");
        let text = serde_json::to_string(&redacted).expect("serialises");
        assert!(!text.contains("210987654321"));
        assert!(!text.contains("998877665544"));
        assert_eq!(redacted.account_id.as_deref(), Some("********4321"));
        assert_eq!(redacted.findings.len(), report.findings.len());
        assert_eq!(
            serde_json::to_value(&redacted.score).expect("score"),
            serde_json::to_value(&report.score).expect("score")
        );
        // Redacting twice changes nothing more.
        let twice = serde_json::to_string(&redact_report(&redacted).expect("again")).expect("ok");
        assert_eq!(twice, text);
    }
}
