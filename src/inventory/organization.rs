//! The organization a member account belongs to, as far as its permissions go: the service
//! control policies (SCPs) that cap every principal of the account, level by level from the
//! organization's root down to the account itself.
//!
//! An organization-wide scan (`iamscan scan --organization`) collects this once per account
//! and keeps it beside the account's authorization details, so that every answer the policy
//! engine gives about the account's principals is capped by it. A single-account scan has
//! none: its answers are about identity policies only, and its findings say so.

use crate::policy::PolicyDocument;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgContext {
    /// `o-` and 10 to 32 lower-case letters or digits.
    pub organization_id: String,
    /// SCPs never apply to the management account.
    pub management_account_id: String,
    /// The SCPs attached to each level between the root and the account: the root (`r-`),
    /// each organizational unit (`ou-`) in turn, then the account. Empty when SCPs do not
    /// apply: the organization has the policy type disabled, or this is the management
    /// account.
    #[serde(default)]
    pub scp_levels: Vec<ScpLevel>,
}

impl OrgContext {
    /// Whether the SCPs cap the principals of `account_id` (the account the inventory is
    /// about, when known): they do for a member account of an organization with SCPs on.
    pub fn applies_to(&self, account_id: Option<&str>) -> bool {
        !self.scp_levels.is_empty() && account_id != Some(self.management_account_id.as_str())
    }
}

/// The SCPs attached directly to one level (the root, an OU, or the account).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScpLevel {
    /// `r-...`, `ou-...`, or the 12-digit account id.
    pub target: String,
    pub policies: Vec<ServiceControlPolicy>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceControlPolicy {
    /// `p-...` (`p-FullAWSAccess` for the AWS managed one).
    pub id: String,
    pub name: String,
    /// `arn:aws:organizations::<management>:policy/o-.../service_control_policy/p-...`.
    pub arn: String,
    /// `None` when its content could not be read or parsed: the account's gaps say why, and
    /// every answer the SCPs cap is then incomplete.
    #[serde(default)]
    pub document: Option<PolicyDocument>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context(levels: usize) -> OrgContext {
        OrgContext {
            organization_id: "o-exampleorgid".into(),
            management_account_id: "111111111111".into(),
            scp_levels: (0..levels)
                .map(|level| ScpLevel {
                    target: format!("ou-{level}"),
                    policies: Vec::new(),
                })
                .collect(),
        }
    }

    #[test]
    fn scps_apply_to_members_only_and_only_when_collected() {
        assert!(context(2).applies_to(Some("222222222222")));
        assert!(context(2).applies_to(None));
        assert!(!context(2).applies_to(Some("111111111111")));
        assert!(!context(0).applies_to(Some("222222222222")));
    }

    #[test]
    fn a_saved_context_reloads_to_the_same_value() {
        let mut saved = context(1);
        saved.scp_levels[0].policies.push(ServiceControlPolicy {
            id: "p-denyiam".into(),
            name: "DenyIam".into(),
            arn: "arn:aws:organizations::111111111111:policy/o-exampleorgid/service_control_policy/p-denyiam".into(),
            document: Some(
                PolicyDocument::decode(
                    r#"{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"iam:*","Resource":"*"}}"#,
                )
                .unwrap(),
            ),
        });
        let text = serde_json::to_string(&saved).unwrap();
        assert_eq!(serde_json::from_str::<OrgContext>(&text).unwrap(), saved);
    }
}
