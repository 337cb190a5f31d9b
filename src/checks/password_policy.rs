//! The account password policy. No policy at all means AWS's defaults, which fail every
//! strength check: that is a finding, not an error.

use super::{Context, Emitter, Resource, require};
use crate::inventory::{PasswordPolicy, PasswordPolicyState};

const MIN_LENGTH: i32 = 14;
const REUSE_PREVENTION: i32 = 24;

fn account(context: &Context) -> Resource {
    Resource::new(context.account_arn(), "AwsAccount")
}

/// Runs `judge` on the policy; an absent policy fails with `absent`.
fn judge(
    context: &Context,
    emit: &mut Emitter,
    absent: &str,
    judge: impl Fn(&PasswordPolicy) -> Result<String, String>,
) {
    let state = require!(context, emit, context.password_policy());
    let days = context.settings.max_password_age_days.to_string();
    match state {
        PasswordPolicyState::Absent => emit.fail(
            account(context),
            format!(
                "account {} has no password policy: {absent}",
                context.account_id()
            ),
            &[("days", days)],
        ),
        PasswordPolicyState::Present(policy) => match judge(policy) {
            Ok(message) => emit.pass(account(context), message),
            Err(message) => emit.fail(account(context), message, &[("days", days)]),
        },
    }
}

pub fn present(context: &Context, emit: &mut Emitter) {
    judge(
        context,
        emit,
        "IAM applies its default (at least 8 characters of at least 3 of the 4 character types, no reuse prevention, no expiry)",
        |_| Ok("the account has a custom password policy".to_string()),
    );
}

pub fn min_length(context: &Context, emit: &mut Emitter) {
    judge(context, emit, "the default minimum length is 8", |policy| {
        // IAM's own floor applies when the field is unset.
        let length = policy.minimum_password_length.unwrap_or(6);
        if length >= MIN_LENGTH {
            Ok(format!("minimum password length is {length}"))
        } else {
            Err(format!(
                "minimum password length is {length}, below {MIN_LENGTH}"
            ))
        }
    });
}

pub fn reuse_prevention(context: &Context, emit: &mut Emitter) {
    judge(
        context,
        emit,
        "passwords may be reused",
        |policy| match policy.password_reuse_prevention {
            Some(count) if count >= REUSE_PREVENTION => {
                Ok(format!("the last {count} passwords cannot be reused"))
            }
            Some(count) => Err(format!(
                "only the last {count} passwords are remembered, below {REUSE_PREVENTION}"
            )),
            None => Err("password reuse prevention is off".to_string()),
        },
    );
}

pub fn complexity(context: &Context, emit: &mut Emitter) {
    judge(
        context,
        emit,
        "the default requires only 3 of the 4 character types",
        |policy| {
            let missing: Vec<&str> = [
                (policy.require_symbols, "symbols"),
                (policy.require_numbers, "numbers"),
                (policy.require_uppercase_characters, "upper case letters"),
                (policy.require_lowercase_characters, "lower case letters"),
            ]
            .into_iter()
            .filter(|(required, _)| !required)
            .map(|(_, name)| name)
            .collect();
            if missing.is_empty() {
                Ok("symbols, numbers, upper and lower case letters are all required".to_string())
            } else {
                Err(format!(
                    "the password policy does not require {}",
                    missing.join(", ")
                ))
            }
        },
    );
}

pub fn expiry(context: &Context, emit: &mut Emitter) {
    let limit = context.settings.max_password_age_days;
    judge(
        context,
        emit,
        "passwords never expire",
        |policy| match policy.max_password_age {
            Some(age) if policy.expire_passwords && i64::from(age) <= limit => {
                Ok(format!("passwords expire after {age} days"))
            }
            Some(age) if policy.expire_passwords => Err(format!(
                "passwords expire after {age} days, more than {limit}"
            )),
            _ => Err("passwords never expire".to_string()),
        },
    );
}

#[cfg(test)]
mod tests {
    use crate::checks::fixtures::*;
    use crate::finding::Status;
    use crate::inventory::{Inventory, PasswordPolicy, PasswordPolicyState, Source};

    fn with_policy(state: Option<PasswordPolicyState>) -> Inventory {
        let mut inventory = Inventory::empty(Source::InventoryFile, now());
        inventory.account_id = Some(ACCOUNT.into());
        inventory.password_policy = state;
        inventory
    }

    const CHECKS: [&str; 5] = [
        "password-policy-present",
        "password-policy-min-length",
        "password-policy-reuse-prevention",
        "password-policy-complexity",
        "password-policy-expiry",
    ];

    #[test]
    fn an_absent_policy_fails_every_check_and_an_uncollected_one_errors_every_check() {
        for check in CHECKS {
            assert_eq!(
                statuses(check, &with_policy(Some(PasswordPolicyState::Absent))),
                vec![Status::Fail],
                "{check}"
            );
            assert_eq!(
                statuses(check, &with_policy(None)),
                vec![Status::Error],
                "{check}"
            );
        }
    }

    #[test]
    fn a_strong_policy_passes_every_check() {
        let strong = PasswordPolicy {
            minimum_password_length: Some(14),
            require_symbols: true,
            require_numbers: true,
            require_uppercase_characters: true,
            require_lowercase_characters: true,
            allow_users_to_change_password: true,
            expire_passwords: true,
            max_password_age: Some(90),
            password_reuse_prevention: Some(24),
            hard_expiry: Some(false),
        };
        for check in CHECKS {
            assert_eq!(
                statuses(
                    check,
                    &with_policy(Some(PasswordPolicyState::Present(strong.clone())))
                ),
                vec![Status::Pass],
                "{check}"
            );
        }
    }

    #[test]
    fn a_weak_policy_names_what_is_missing() {
        let weak = PasswordPolicy {
            minimum_password_length: Some(8),
            require_numbers: true,
            password_reuse_prevention: Some(5),
            ..Default::default()
        };
        let inventory = with_policy(Some(PasswordPolicyState::Present(weak)));
        assert_eq!(
            run("password-policy-min-length", &inventory)[0].message,
            "minimum password length is 8, below 14"
        );
        assert_eq!(
            run("password-policy-complexity", &inventory)[0].message,
            "the password policy does not require symbols, upper case letters, lower case letters"
        );
        assert_eq!(
            statuses("password-policy-reuse-prevention", &inventory),
            vec![Status::Fail]
        );
        assert_eq!(
            statuses("password-policy-expiry", &inventory),
            vec![Status::Fail]
        );
        assert_eq!(
            statuses("password-policy-present", &inventory),
            vec![Status::Pass]
        );
    }
}
