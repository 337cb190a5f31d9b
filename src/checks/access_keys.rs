//! Access keys: one active key per user, rotation, keys created at setup and never used.

use super::{Context, Emitter, Resource, judge_age, require};
use crate::inventory::{CredentialReportRow, KeySlot};

/// A key has no ARN; the report knows it by user and slot. The fragment keeps one key's
/// findings apart from the other's, and stays the same from scan to scan.
pub(super) fn key_resource(row: &CredentialReportRow, slot: usize) -> Resource {
    Resource::new(format!("{}#access_key_{slot}", row.arn), "AwsIamAccessKey")
}

/// The key id, when `--list-access-keys` fetched the user's keys: the key created when the
/// slot was last rotated, or the user's only active key. Two keys created in the same second
/// cannot be told apart: no id then, so a fix never names (and deletes) the wrong key.
pub(super) fn key_id(
    context: &Context,
    row: &CredentialReportRow,
    key: &KeySlot,
) -> Option<String> {
    let listed = context.inventory.access_keys.get(&row.user)?;
    let active: Vec<_> = listed
        .iter()
        .filter(|listed| listed.status == "Active")
        .collect();
    let created_then: Vec<_> = active
        .iter()
        .filter(|listed| {
            listed.create_date.is_some()
                && listed.create_date.map(|d| d.timestamp())
                    == key.last_rotated.map(|d| d.timestamp())
        })
        .collect();
    match created_then.as_slice() {
        [only] => Some(only.access_key_id.clone()),
        [] => (active.len() == 1).then(|| active[0].access_key_id.clone()),
        _ => None,
    }
}

/// The remediation values of one key's finding.
pub(super) fn key_values(
    context: &Context,
    row: &CredentialReportRow,
    key: &KeySlot,
) -> Vec<(&'static str, String)> {
    let mut values = vec![("user_name", row.user.clone())];
    if let Some(id) = key_id(context, row, key) {
        values.push(("access_key_id", id));
    }
    values
}

fn no_active_keys(context: &Context, emit: &mut Emitter) {
    emit.skipped(
        Resource::new(context.account_arn(), "AwsAccount"),
        "no IAM user has an active access key",
    );
}

pub fn single_active(context: &Context, emit: &mut Emitter) {
    let report = require!(context, emit, context.credential_report());
    let mut any = false;
    for row in report.users() {
        let active = row.active_keys().count();
        if active == 0 {
            continue;
        }
        any = true;
        let resource = Resource::new(&row.arn, "AwsIamUser");
        if active == 1 {
            emit.pass(
                resource,
                format!("user {} has one active access key", row.user),
            );
        } else {
            emit.fail(
                resource,
                format!("user {} has {active} active access keys", row.user),
                &[("user_name", row.user.clone())],
            );
        }
    }
    if !any {
        no_active_keys(context, emit);
    }
}

pub fn rotation(context: &Context, emit: &mut Emitter) {
    let report = require!(context, emit, context.credential_report());
    let limit = context.settings.key_max_age_days;
    let mut any = false;
    for row in report.users() {
        for (slot, key) in row.active_keys() {
            any = true;
            let Some(rotated) = key.last_rotated else {
                emit.error(
                    key_resource(row, slot),
                    format!("access key {slot} of user {} is active but the report gives no rotation date", row.user),
                );
                continue;
            };
            judge_age(
                context,
                emit,
                key_resource(row, slot),
                &format!("access key {slot} of user {} was last rotated", row.user),
                rotated,
                limit,
                key_values(context, row, key),
            );
        }
    }
    if !any {
        no_active_keys(context, emit);
    }
}

pub fn unused_since_creation(context: &Context, emit: &mut Emitter) {
    let report = require!(context, emit, context.credential_report());
    let mut any = false;
    for row in report.users().filter(|row| row.has_password()) {
        for (slot, key) in row.active_keys() {
            any = true;
            if key.last_used_date.is_some() {
                emit.pass(
                    key_resource(row, slot),
                    format!(
                        "access key {slot} of console user {} has been used",
                        row.user
                    ),
                );
            } else {
                emit.fail(
                    key_resource(row, slot),
                    format!(
                        "console user {} has had active access key {slot} since {} and has never used it",
                        row.user,
                        key.last_rotated.map_or("an unknown date".to_string(), |date| date.format("%Y-%m-%d").to_string())
                    ),
                    &key_values(context, row, key),
                );
            }
        }
    }
    if !any {
        emit.skipped(
            Resource::new(context.account_arn(), "AwsAccount"),
            "no IAM user has both a console password and an active access key",
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::fixtures::*;
    use crate::finding::Status;
    use crate::inventory::AccessKey;

    #[test]
    fn two_active_keys_fail_one_passes_none_is_not_judged() {
        let inventory = inventory_with_report(vec![
            with_key(with_key(user_row("two"), 1, 10, Some(1)), 2, 5, None),
            with_key(user_row("one"), 1, 10, Some(1)),
            user_row("none"),
        ]);
        assert_eq!(
            outcomes("access-key-single-active", &inventory),
            vec![("two".into(), Status::Fail), ("one".into(), Status::Pass)]
        );
    }

    #[test]
    fn keys_created_in_the_same_second_are_not_named_in_the_fix() {
        let mut inventory = inventory_with_report(vec![with_key(
            with_key(user_row("twins"), 1, 100, Some(1)),
            2,
            100,
            Some(1),
        )]);
        let key = |id: &str| AccessKey {
            access_key_id: id.into(),
            status: "Active".into(),
            create_date: Some(days_ago(100)),
        };
        inventory.access_keys.insert(
            "twins".into(),
            vec![key("AKIATWINKEY000000001"), key("AKIATWINKEY000000002")],
        );
        for finding in run("access-key-rotation", &inventory) {
            let cli = finding.remediation.as_ref().unwrap().cli();
            assert!(
                !cli.contains("AKIATWINKEY") && cli.contains("<ACCESS_KEY_ID>"),
                "an ambiguous key is left for the operator to pick: {cli}"
            );
        }
    }

    #[test]
    fn keys_older_than_the_limit_fail_rotation_with_the_key_id_when_listed() {
        let mut inventory = inventory_with_report(vec![with_key(
            with_key(user_row("old"), 1, 91, Some(1)),
            2,
            90,
            Some(1),
        )]);
        let findings = run("access-key-rotation", &inventory);
        assert_eq!(
            findings.iter().map(|f| f.status).collect::<Vec<_>>(),
            vec![Status::Fail, Status::Pass]
        );
        assert!(findings[0].resource_arn.ends_with("user/old#access_key_1"));
        assert!(
            findings[0]
                .remediation
                .as_ref()
                .unwrap()
                .cli()
                .contains("<ACCESS_KEY_ID>")
        );
        inventory.access_keys.insert(
            "old".into(),
            vec![
                AccessKey {
                    access_key_id: "AKIAOLDKEY0000000001".into(),
                    status: "Active".into(),
                    create_date: Some(days_ago(91)),
                },
                AccessKey {
                    access_key_id: "AKIANEWKEY0000000002".into(),
                    status: "Active".into(),
                    create_date: Some(days_ago(90)),
                },
            ],
        );
        let findings = run("access-key-rotation", &inventory);
        let remediation = findings[0].remediation.as_ref().unwrap();
        assert!(
            remediation.cli().contains("AKIAOLDKEY0000000001"),
            "{}",
            remediation.cli()
        );
        assert!(
            !remediation.cli().contains("AKIANEWKEY0000000002"),
            "{}",
            remediation.cli()
        );
    }

    #[test]
    fn a_console_user_with_a_never_used_key_fails_a_programmatic_user_is_not_judged() {
        let inventory = inventory_with_report(vec![
            with_key(
                with_password(user_row("setup"), Some(days_ago(1))),
                1,
                30,
                None,
            ),
            with_key(
                with_password(user_row("used"), Some(days_ago(1))),
                1,
                30,
                Some(2),
            ),
            with_key(user_row("bot"), 1, 30, None),
        ]);
        assert_eq!(
            outcomes("access-key-unused-since-creation", &inventory),
            vec![
                ("setup#access_key_1".into(), Status::Fail),
                ("used#access_key_1".into(), Status::Pass)
            ]
        );
    }
}
