//! What the export formats (SARIF, OCSF, ASFF) say about a finding's identity: a stable id
//! that survives re-runs, and the parts of its resource's ARN.
//!
//! A finding's identity is its check and its resource (as for baselines), so the ids below
//! hash exactly those: a changed message or severity updates a finding, never duplicates it.

use crate::finding::Finding;
use crate::report::Report;
use sha2::{Digest, Sha256};

/// Lower-case hex SHA-256 of the parts, each ended by a newline so that ("ab", "c") and
/// ("a", "bc") differ. SHA-256 rather than std's hasher: the ids are stored by other
/// systems and must not change with the Rust release that built iamscan.
pub fn stable_hash(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update(b"\n");
    }
    hasher
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// The parts of `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`. iamscan names things that
/// have no ARN of their own (an access key) with a fragment after the owner's ARN
/// (`...:user/alice#access_key_1`); the fragment stays in `resource`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arn<'a> {
    pub partition: &'a str,
    pub service: &'a str,
    pub region: &'a str,
    pub account: &'a str,
    pub resource: &'a str,
}

impl<'a> Arn<'a> {
    pub fn parse(text: &'a str) -> Option<Self> {
        let mut parts = text.splitn(6, ':');
        if parts.next()? != "arn" {
            return None;
        }
        let arn = Arn {
            partition: parts.next()?,
            service: parts.next()?,
            region: parts.next()?,
            account: parts.next()?,
            resource: parts.next()?,
        };
        (!arn.partition.is_empty() && !arn.service.is_empty()).then_some(arn)
    }
}

/// The partition of a resource, `aws` when its name is not an ARN.
pub fn partition(resource_arn: &str) -> &str {
    Arn::parse(resource_arn).map_or("aws", |arn| arn.partition)
}

/// The account a finding belongs to: its ARN's, else the report's.
pub fn account_of<'a>(finding: &'a Finding, report: &'a Report) -> Option<&'a str> {
    Arn::parse(&finding.resource_arn)
        .map(|arn| arn.account)
        .filter(|account| account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()))
        .or(report.account_id.as_deref())
}

/// The resource's name as IAM shows it: the last path segment, or the fragment's owner and
/// fragment (`alice#access_key_1`), or the account for the account itself (`root`).
pub fn resource_name(resource_arn: &str) -> &str {
    let Some(arn) = Arn::parse(resource_arn) else {
        return resource_arn;
    };
    match arn.resource {
        "root" => arn.account,
        resource => resource.rsplit('/').next().unwrap_or(resource),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_arn_splits_into_its_six_parts_and_keeps_colons_in_the_resource() {
        let arn = Arn::parse("arn:aws-cn:iam::123456789012:user/a/b#access_key_1").unwrap();
        assert_eq!(arn.partition, "aws-cn");
        assert_eq!(arn.service, "iam");
        assert_eq!(arn.region, "");
        assert_eq!(arn.account, "123456789012");
        assert_eq!(arn.resource, "user/a/b#access_key_1");
        let arn = Arn::parse("arn:aws:logs:eu-west-1:123456789012:log-group:x:*").unwrap();
        assert_eq!(arn.resource, "log-group:x:*");
        assert_eq!(Arn::parse("user/alice"), None);
        assert_eq!(Arn::parse("arn::iam::1:root"), None);
    }

    #[test]
    fn the_hash_separates_its_parts() {
        assert_ne!(stable_hash(&["ab", "c"]), stable_hash(&["a", "bc"]));
        assert_eq!(
            stable_hash(&[]),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn names_are_the_last_segment_or_the_account() {
        assert_eq!(
            resource_name("arn:aws:iam::123456789012:user/emergency/break-glass"),
            "break-glass"
        );
        assert_eq!(
            resource_name("arn:aws:iam::123456789012:user/ci#access_key_1"),
            "ci#access_key_1"
        );
        assert_eq!(
            resource_name("arn:aws:iam::123456789012:root"),
            "123456789012"
        );
    }
}
