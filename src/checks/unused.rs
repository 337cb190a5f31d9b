//! Credentials nobody uses: console passwords and access keys idle past a threshold.

use super::access_keys::{key_resource, key_values};
use super::mfa::user;
use super::{Context, Emitter, Resource, judge_age, require};

pub fn password(context: &Context, emit: &mut Emitter) {
    let report = require!(context, emit, context.credential_report());
    let limit = context.settings.unused_days;
    let mut any = false;
    for row in report.users().filter(|row| row.has_password()) {
        any = true;
        // A password never used counts from when it was set.
        let (since, what) = match (
            row.password_last_used,
            row.password_last_changed,
            row.user_creation_time,
        ) {
            (Some(used), _, _) => (used, "last used"),
            (None, Some(set), _) => (set, "set and never used since"),
            (None, None, Some(created)) => (created, "never used; the user was created"),
            (None, None, None) => {
                emit.error(
                    user(&row.arn),
                    format!(
                        "user {} has a password but the report gives no dates for it",
                        row.user
                    ),
                );
                continue;
            }
        };
        judge_age(
            context,
            emit,
            user(&row.arn),
            &format!("password of user {} {what}", row.user),
            since,
            limit,
            vec![("user_name", row.user.clone())],
        );
    }
    if !any {
        emit.skipped(
            Resource::new(context.account_arn(), "AwsAccount"),
            "no IAM user has a console password",
        );
    }
}

pub fn access_key(context: &Context, emit: &mut Emitter) {
    let report = require!(context, emit, context.credential_report());
    let limit = context.settings.unused_days;
    let mut any = false;
    for row in report.users() {
        for (slot, key) in row.active_keys() {
            any = true;
            let (since, what) = match (key.last_used_date, key.last_rotated) {
                (Some(used), _) => (used, "last used"),
                (None, Some(rotated)) => (rotated, "created and never used since"),
                (None, None) => {
                    emit.error(key_resource(row, slot), format!("access key {slot} of user {} is active but the report gives no dates for it", row.user));
                    continue;
                }
            };
            judge_age(
                context,
                emit,
                key_resource(row, slot),
                &format!("access key {slot} of user {} {what}", row.user),
                since,
                limit,
                key_values(context, row, key),
            );
        }
    }
    if !any {
        emit.skipped(
            Resource::new(context.account_arn(), "AwsAccount"),
            "no IAM user has an active access key",
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::fixtures::*;
    use crate::finding::Status;

    #[test]
    fn passwords_idle_past_the_limit_fail_and_never_used_counts_from_when_set() {
        let inventory = inventory_with_report(vec![
            with_password(user_row("active"), Some(days_ago(45))),
            with_password(user_row("idle"), Some(days_ago(46))),
            with_password(user_row("never"), None),
        ]);
        assert_eq!(
            outcomes("unused-password", &inventory),
            vec![
                ("active".into(), Status::Pass),
                ("idle".into(), Status::Fail),
                ("never".into(), Status::Fail)
            ]
        );
        let never = &run("unused-password", &inventory)[2];
        assert!(never.message.contains("never used"), "{}", never.message);
    }

    #[test]
    fn keys_idle_past_the_limit_fail_and_the_threshold_is_configurable() {
        let inventory = inventory_with_report(vec![
            with_key(user_row("fresh"), 1, 10, None),
            with_key(user_row("stale"), 1, 400, Some(60)),
        ]);
        assert_eq!(
            outcomes("unused-access-key", &inventory),
            vec![
                ("fresh#access_key_1".into(), Status::Pass),
                ("stale#access_key_1".into(), Status::Fail)
            ]
        );
        let settings = crate::checks::Settings {
            unused_days: 90,
            ..Default::default()
        };
        let findings = run_with("unused-access-key", &inventory, &settings);
        assert!(
            findings
                .iter()
                .all(|finding| finding.status == Status::Pass)
        );
    }
}
