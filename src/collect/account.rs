//! Account-wide settings: the password policy and the account summary.

use super::Collected;
use super::api::{error_gap, invalid_gap};
use super::progress::{Phase, count};
use crate::inventory::{PasswordPolicy, PasswordPolicyState};
use std::collections::BTreeMap;

const PASSWORD_POLICY: &str = "GetAccountPasswordPolicy";
const SUMMARY: &str = "GetAccountSummary";

pub(crate) async fn password_policy(
    client: &aws_sdk_iam::Client,
    phase: Phase,
) -> Collected<Option<PasswordPolicyState>> {
    let collected = match client.get_account_password_policy().send().await {
        Ok(output) => match output.password_policy() {
            Some(policy) => Collected::seen(PasswordPolicyState::Present(convert(policy))),
            None => Collected::unseen(invalid_gap(
                PASSWORD_POLICY,
                "InvalidResponse",
                "the response has no PasswordPolicy".into(),
                None,
            )),
        },
        // No policy is a state of the account (AWS's defaults apply), not a failure to see it.
        Err(error)
            if error
                .as_service_error()
                .is_some_and(|error| error.is_no_such_entity_exception()) =>
        {
            Collected::seen(PasswordPolicyState::Absent)
        }
        Err(error) => Collected::unseen(error_gap(PASSWORD_POLICY, &error, None)),
    };
    match (&collected.value, collected.gaps.first()) {
        (Some(PasswordPolicyState::Absent), _) => phase.done("none set"),
        (Some(PasswordPolicyState::Present(_)), _) => phase.done("set"),
        (None, Some(gap)) => phase.failed(gap),
        (None, None) => phase.done("not collected"),
    }
    collected
}

fn convert(policy: &aws_sdk_iam::types::PasswordPolicy) -> PasswordPolicy {
    PasswordPolicy {
        minimum_password_length: policy.minimum_password_length(),
        require_symbols: policy.require_symbols(),
        require_numbers: policy.require_numbers(),
        require_uppercase_characters: policy.require_uppercase_characters(),
        require_lowercase_characters: policy.require_lowercase_characters(),
        allow_users_to_change_password: policy.allow_users_to_change_password(),
        expire_passwords: policy.expire_passwords(),
        max_password_age: policy.max_password_age(),
        password_reuse_prevention: policy.password_reuse_prevention(),
        hard_expiry: policy.hard_expiry(),
    }
}

pub(crate) async fn summary(
    client: &aws_sdk_iam::Client,
    phase: Phase,
) -> Collected<Option<BTreeMap<String, i64>>> {
    match client.get_account_summary().send().await {
        Ok(output) => {
            let summary: BTreeMap<String, i64> = output
                .summary_map()
                .into_iter()
                .flatten()
                .map(|(key, value)| (key.as_str().to_string(), i64::from(*value)))
                .collect();
            phase.done(count(summary.len(), "entry", "entries"));
            Collected::seen(summary)
        }
        Err(error) => {
            let gap = error_gap(SUMMARY, &error, None);
            phase.failed(&gap);
            Collected::unseen(gap)
        }
    }
}
