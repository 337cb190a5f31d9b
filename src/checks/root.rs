//! The root user: MFA, hardware MFA, access keys, recent use.
//!
//! The credential report's root row is the primary evidence. When it is missing (moto
//! never writes one; a report may be unavailable), GetAccountSummary decides what it can
//! (MFA and keys present); what it cannot decide is `error`.

use super::{Context, Emitter, Missing, Resource, require};
use crate::inventory::CredentialReportRow;

fn account(context: &Context) -> Resource {
    Resource::new(context.account_arn(), "AwsAccount")
}

/// The root row of the credential report, if there is a report with one.
fn root_row<'a>(context: &Context<'a>) -> Option<&'a CredentialReportRow> {
    context
        .inventory
        .credential_report
        .as_ref()
        .and_then(|report| report.root())
}

/// Where root evidence came from, for the finding's message.
struct Evidence<T> {
    value: T,
    source: &'static str,
}

fn summary_flag(context: &Context, key: &str) -> Result<Option<bool>, Missing> {
    Ok(context.account_summary()?.get(key).map(|value| *value > 0))
}

fn no_root_evidence(context: &Context, what: &str) -> Missing {
    let report = match context.credential_report() {
        Ok(_) => "the credential report has no <root_account> row".to_string(),
        Err(Missing(reason)) => reason,
    };
    let summary = match context.account_summary() {
        Ok(_) => format!("GetAccountSummary has no {what}"),
        Err(Missing(reason)) => reason,
    };
    Missing(format!("cannot tell root {what}: {report}; {summary}"))
}

fn root_mfa(context: &Context) -> Result<Evidence<bool>, Missing> {
    if let Some(row) = root_row(context) {
        return Ok(Evidence {
            value: row.mfa_active,
            source: "credential report",
        });
    }
    match summary_flag(context, "AccountMFAEnabled") {
        Ok(Some(value)) => Ok(Evidence {
            value,
            source: "GetAccountSummary AccountMFAEnabled",
        }),
        _ => Err(no_root_evidence(context, "MFA state")),
    }
}

fn root_keys(context: &Context) -> Result<Evidence<usize>, Missing> {
    if let Some(row) = root_row(context) {
        return Ok(Evidence {
            value: row.active_keys().count(),
            source: "credential report",
        });
    }
    match summary_flag(context, "AccountAccessKeysPresent") {
        Ok(Some(present)) => Ok(Evidence {
            value: usize::from(present),
            source: "GetAccountSummary AccountAccessKeysPresent",
        }),
        _ => Err(no_root_evidence(context, "access keys")),
    }
}

/// A root user with no password and no access keys cannot sign in, so MFA does not
/// apply: this is how AWS Organizations' centralized root access leaves member accounts.
/// Only GetAccountSummary's AccountPasswordPresent can show it (the credential report
/// says `not_supported` for the root password).
fn without_credentials_note(context: &Context) -> Option<String> {
    let password = summary_flag(context, "AccountPasswordPresent")
        .ok()
        .flatten()?;
    let keys = root_keys(context).ok()?;
    (!password && keys.value == 0).then(|| {
        "root user has no password and no access keys (GetAccountSummary AccountPasswordPresent = 0): it cannot sign in, so MFA does not apply; this is the state AWS Organizations' centralized root access leaves member accounts in".to_string()
    })
}

pub fn mfa_enabled(context: &Context, emit: &mut Emitter) {
    let mfa = require!(context, emit, root_mfa(context));
    if mfa.value {
        emit.pass(
            account(context),
            format!("root user has MFA enabled ({})", mfa.source),
        );
    } else if let Some(note) = without_credentials_note(context) {
        emit.pass(account(context), note);
    } else {
        emit.fail(
            account(context),
            format!(
                "root user of account {} has no MFA ({})",
                context.account_id(),
                mfa.source
            ),
            &[],
        );
    }
}

pub fn hardware_mfa(context: &Context, emit: &mut Emitter) {
    let mfa = require!(context, emit, root_mfa(context));
    if !mfa.value {
        match without_credentials_note(context) {
            Some(note) => emit.pass(account(context), note),
            None => emit.fail(
                account(context),
                format!("root user has no MFA at all ({})", mfa.source),
                &[],
            ),
        }
        return;
    }
    let devices = require!(context, emit, context.virtual_mfa_devices());
    match devices.iter().find(|device| device.is_root()) {
        Some(device) => emit.fail(
            account(context),
            format!("root user's MFA includes the virtual device {}", device.serial_number),
            &[],
        ),
        None => emit.pass(
            account(context),
            "root user has MFA and no virtual MFA device is assigned to it (hardware or FIDO device)",
        ),
    }
}

pub fn access_keys(context: &Context, emit: &mut Emitter) {
    let keys = require!(context, emit, root_keys(context));
    if keys.value == 0 {
        emit.pass(
            account(context),
            format!("root user has no active access keys ({})", keys.source),
        );
    } else {
        emit.fail(
            account(context),
            format!(
                "root user has {} active access key(s) ({})",
                keys.value, keys.source
            ),
            &[],
        );
    }
}

pub fn recent_use(context: &Context, emit: &mut Emitter) {
    let Some(row) = root_row(context) else {
        // GetAccountSummary says nothing about use: only the report's root row does.
        let reason = match context.credential_report() {
            Ok(_) => "the credential report has no <root_account> row".to_string(),
            Err(Missing(reason)) => reason,
        };
        emit.error(
            account(context),
            format!("cannot tell when the root user was last used: {reason}"),
        );
        return;
    };
    let limit = context.settings.root_use_days;
    let mut uses: Vec<(String, i64)> = Vec::new();
    if let Some(date) = row.password_last_used {
        uses.push((
            format!("password used {}", date.format("%Y-%m-%d")),
            context.days_since(date),
        ));
    }
    for (slot, key) in row.access_keys.iter().enumerate() {
        if let Some(date) = key.last_used_date {
            uses.push((
                format!("access key {} used {}", slot + 1, date.format("%Y-%m-%d")),
                context.days_since(date),
            ));
        }
    }
    let recent: Vec<&str> = uses
        .iter()
        .filter(|(_, days)| *days <= limit)
        .map(|(what, _)| what.as_str())
        .collect();
    if recent.is_empty() {
        emit.pass(
            account(context),
            format!("root user not used in the last {limit} days"),
        );
    } else {
        emit.fail(
            account(context),
            format!(
                "root user used in the last {limit} days: {}",
                recent.join(", ")
            ),
            &[("days", limit.to_string())],
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::fixtures::*;
    use crate::finding::Status;

    #[test]
    fn root_without_mfa_fails_and_with_mfa_passes() {
        let mut inventory = inventory_with_report(vec![root_row(false)]);
        assert_eq!(statuses("root-mfa-enabled", &inventory), vec![Status::Fail]);
        inventory.credential_report.as_mut().unwrap().rows[0].mfa_active = true;
        assert_eq!(statuses("root-mfa-enabled", &inventory), vec![Status::Pass]);
    }

    #[test]
    fn without_a_root_row_the_account_summary_decides_mfa_and_keys_but_not_use() {
        let mut inventory = inventory_with_report(vec![]);
        inventory.account_summary = Some(summary(&[
            ("AccountMFAEnabled", 1),
            ("AccountAccessKeysPresent", 1),
        ]));
        assert_eq!(statuses("root-mfa-enabled", &inventory), vec![Status::Pass]);
        assert_eq!(statuses("root-access-keys", &inventory), vec![Status::Fail]);
        assert_eq!(statuses("root-recent-use", &inventory), vec![Status::Error]);
    }

    #[test]
    fn without_a_root_row_or_a_summary_root_checks_are_errors_not_passes() {
        let inventory = inventory_with_report(vec![]);
        for check in [
            "root-mfa-enabled",
            "root-hardware-mfa",
            "root-access-keys",
            "root-recent-use",
        ] {
            let findings = run(check, &inventory);
            assert_eq!(findings.len(), 1, "{check}");
            assert_eq!(findings[0].status, Status::Error, "{check}");
            assert!(
                findings[0].message.contains("root"),
                "{}",
                findings[0].message
            );
        }
    }

    #[test]
    fn a_virtual_device_on_root_fails_hardware_mfa_and_a_missing_device_list_is_an_error() {
        let mut root = root_row(false);
        root.mfa_active = true;
        let mut inventory = inventory_with_report(vec![root]);
        assert_eq!(
            statuses("root-hardware-mfa", &inventory),
            vec![Status::Error]
        );
        inventory.virtual_mfa_devices = Some(vec![virtual_device(
            "arn:aws:iam::123456789012:mfa/root-account-mfa-device",
            Some(ROOT_ARN),
        )]);
        assert_eq!(
            statuses("root-hardware-mfa", &inventory),
            vec![Status::Fail]
        );
        inventory.virtual_mfa_devices = Some(vec![]);
        assert_eq!(
            statuses("root-hardware-mfa", &inventory),
            vec![Status::Pass]
        );
    }

    #[test]
    fn a_root_without_password_or_keys_passes_mfa_checks_and_says_why() {
        let mut inventory = inventory_with_report(vec![root_row(false)]);
        inventory.account_summary = Some(summary(&[
            ("AccountPasswordPresent", 0),
            ("AccountMFAEnabled", 0),
        ]));
        for check in ["root-mfa-enabled", "root-hardware-mfa"] {
            let findings = run(check, &inventory);
            assert_eq!(findings[0].status, Status::Pass, "{check}");
            assert!(
                findings[0].message.contains("cannot sign in"),
                "{}",
                findings[0].message
            );
        }
        // A key is a credential: the root user is no longer credential-less.
        inventory.credential_report.as_mut().unwrap().rows[0].access_keys[0].active = true;
        assert_eq!(statuses("root-mfa-enabled", &inventory), vec![Status::Fail]);
        // So is a password.
        inventory.credential_report.as_mut().unwrap().rows[0].access_keys[0].active = false;
        inventory.account_summary = Some(summary(&[("AccountPasswordPresent", 1)]));
        assert_eq!(statuses("root-mfa-enabled", &inventory), vec![Status::Fail]);
    }

    #[test]
    fn root_use_inside_the_window_fails_and_names_it() {
        let mut root = root_row(true);
        root.password_last_used = Some(days_ago(10));
        let inventory = inventory_with_report(vec![root]);
        let findings = run("root-recent-use", &inventory);
        assert_eq!(findings[0].status, Status::Fail);
        assert!(
            findings[0].message.contains("password used"),
            "{}",
            findings[0].message
        );
        let mut old = root_row(true);
        old.password_last_used = Some(days_ago(200));
        assert_eq!(
            statuses("root-recent-use", &inventory_with_report(vec![old])),
            vec![Status::Pass]
        );
    }
}
