//! MFA for IAM users.

use super::{Context, Emitter, Resource, require};
use crate::inventory::{CredentialReportRow, MfaKind};

pub(super) fn user(arn: &str) -> Resource {
    Resource::new(arn, "AwsIamUser")
}

pub fn console_mfa(context: &Context, emit: &mut Emitter) {
    users_have_mfa(
        context,
        emit,
        CredentialReportRow::has_password,
        "no IAM user has a console password",
        |row| {
            format!(
                "user {} can sign in to the console with a password alone: no MFA device",
                row.user
            )
        },
    );
}

/// Security Hub IAM.19: every user, console or not.
pub fn every_user_mfa(context: &Context, emit: &mut Emitter) {
    users_have_mfa(
        context,
        emit,
        |_| true,
        "the account has no IAM users",
        |row| {
            let password = if row.has_password() {
                "a console password"
            } else {
                "no console password"
            };
            format!("user {} has no MFA device ({password})", row.user)
        },
    );
}

/// Passes the users `in_scope` selects that have an active MFA device and fails the others.
fn users_have_mfa(
    context: &Context,
    emit: &mut Emitter,
    in_scope: fn(&CredentialReportRow) -> bool,
    none_in_scope: &str,
    without_mfa: fn(&CredentialReportRow) -> String,
) {
    let report = require!(context, emit, context.credential_report());
    let mut any = false;
    for row in report.users().filter(|row| in_scope(row)) {
        any = true;
        if row.mfa_active {
            emit.pass(
                user(&row.arn),
                format!("user {} has an active MFA device", row.user),
            );
        } else {
            emit.fail(
                user(&row.arn),
                without_mfa(row),
                &[("user_name", row.user.clone())],
            );
        }
    }
    if !any {
        emit.skipped(
            Resource::new(context.account_arn(), "AwsAccount"),
            none_in_scope,
        );
    }
}

pub fn virtual_only(context: &Context, emit: &mut Emitter) {
    let report = require!(context, emit, context.credential_report());
    let virtual_devices = require!(context, emit, context.virtual_mfa_devices());
    let holders: std::collections::HashSet<&str> = virtual_devices
        .iter()
        .filter_map(|device| device.user_arn.as_deref())
        .collect();
    let mut any = false;
    for row in report.users().filter(|row| row.mfa_active) {
        any = true;
        let holds_virtual = holders.contains(row.arn.as_str());
        if !holds_virtual {
            emit.pass(
                user(&row.arn),
                format!("user {} uses a hardware or FIDO MFA device", row.user),
            );
            continue;
        }
        // The virtual list cannot tell whether the user also holds a hardware device.
        match context.inventory.mfa_devices.get(&row.user) {
            None => emit.error(
                user(&row.arn),
                format!(
                    "user {} holds a virtual MFA device, and whether it also holds a hardware one is unknown: ListMFADevices was not answered for it",
                    row.user
                ),
            ),
            Some(devices) if devices.iter().any(|device| device.kind == MfaKind::Hardware) => {
                emit.pass(user(&row.arn), format!("user {} holds a hardware or FIDO MFA device", row.user))
            }
            Some(devices) => emit.fail(
                user(&row.arn),
                format!(
                    "user {} has only virtual MFA: {}",
                    row.user,
                    devices.iter().map(|device| device.serial_number.as_str()).collect::<Vec<_>>().join(", ")
                ),
                &[("user_name", row.user.clone())],
            ),
        }
    }
    if !any {
        emit.skipped(
            Resource::new(context.account_arn(), "AwsAccount"),
            "no IAM user has MFA",
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::fixtures::*;
    use crate::finding::Status;
    use crate::inventory::{MfaDevice, MfaKind};

    #[test]
    fn console_users_without_mfa_fail_and_users_without_password_are_not_judged() {
        let mut with_mfa = with_password(user_row("alice"), Some(days_ago(1)));
        with_mfa.mfa_active = true;
        let inventory = inventory_with_report(vec![
            root_row(true),
            with_mfa,
            with_password(user_row("bob"), None),
            user_row("ci-bot"),
        ]);
        assert_eq!(
            outcomes("user-console-mfa", &inventory),
            vec![("alice".into(), Status::Pass), ("bob".into(), Status::Fail)]
        );
        let bob = &run("user-console-mfa", &inventory)[1];
        assert!(
            bob.remediation.as_ref().unwrap().cli().contains("bob"),
            "{:?}",
            bob.remediation
        );
    }

    #[test]
    fn no_console_users_is_skipped_not_passed() {
        let inventory = inventory_with_report(vec![root_row(true), user_row("ci-bot")]);
        assert_eq!(
            statuses("user-console-mfa", &inventory),
            vec![Status::Skipped]
        );
    }

    #[test]
    fn virtual_only_needs_the_per_user_device_list_to_decide() {
        let mut carol = user_row("carol");
        carol.mfa_active = true;
        let mut dan = user_row("dan");
        dan.mfa_active = true;
        let mut erin = user_row("erin");
        erin.mfa_active = true;
        let mut inventory = inventory_with_report(vec![carol, dan, erin]);
        inventory.virtual_mfa_devices = Some(vec![
            virtual_device(
                "arn:aws:iam::123456789012:mfa/carol",
                Some("arn:aws:iam::123456789012:user/carol"),
            ),
            virtual_device(
                "arn:aws:iam::123456789012:mfa/dan",
                Some("arn:aws:iam::123456789012:user/dan"),
            ),
        ]);
        let device = |serial: &str, kind| MfaDevice {
            serial_number: serial.into(),
            kind,
            enable_date: None,
        };
        inventory.mfa_devices.insert(
            "carol".into(),
            vec![device(
                "arn:aws:iam::123456789012:mfa/carol",
                MfaKind::Virtual,
            )],
        );
        assert_eq!(
            outcomes("user-virtual-mfa-only", &inventory),
            vec![
                ("carol".into(), Status::Fail),
                ("dan".into(), Status::Error),
                ("erin".into(), Status::Pass)
            ]
        );
        inventory.mfa_devices.insert(
            "dan".into(),
            vec![
                device("arn:aws:iam::123456789012:mfa/dan", MfaKind::Virtual),
                device("GAHT12345678", MfaKind::Hardware),
            ],
        );
        assert_eq!(
            outcomes("user-virtual-mfa-only", &inventory)[1],
            ("dan".into(), Status::Pass)
        );
    }
}
