//! Small inventories for check tests. "Now" is fixed so ages are deterministic.

use super::{Context, Settings, run_checks};
use crate::finding::{Finding, Status};
use crate::inventory::{
    AuthorizationDetails, CredentialReport, CredentialReportRow, Inventory, KeySlot, Source,
    VirtualMfaDevice,
};
use chrono::{DateTime, Duration, TimeZone, Utc};
use std::collections::BTreeMap;

pub const ACCOUNT: &str = "123456789012";
pub const ROOT_ARN: &str = "arn:aws:iam::123456789012:root";

pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap()
}

pub fn days_ago(days: i64) -> DateTime<Utc> {
    now() - Duration::days(days)
}

pub fn inventory_with_report(rows: Vec<CredentialReportRow>) -> Inventory {
    let mut inventory = Inventory::empty(Source::InventoryFile, now());
    inventory.account_id = Some(ACCOUNT.to_string());
    inventory.credential_report = Some(CredentialReport {
        generated_at: Some(now()),
        rows,
    });
    inventory
}

pub fn inventory_with_authorization(details: AuthorizationDetails) -> Inventory {
    let mut inventory = Inventory::empty(Source::InventoryFile, now());
    inventory.account_id = Some(ACCOUNT.to_string());
    inventory.authorization = Some(details);
    inventory
}

pub fn root_row(mfa_active: bool) -> CredentialReportRow {
    CredentialReportRow {
        user: crate::inventory::ROOT_USER.to_string(),
        arn: ROOT_ARN.to_string(),
        user_creation_time: Some(days_ago(2000)),
        password_enabled: None,
        mfa_active,
        ..Default::default()
    }
}

/// A user created 400 days ago with no password and no keys.
pub fn user_row(name: &str) -> CredentialReportRow {
    CredentialReportRow {
        user: name.to_string(),
        arn: format!("arn:aws:iam::{ACCOUNT}:user/{name}"),
        user_creation_time: Some(days_ago(400)),
        password_enabled: Some(false),
        ..Default::default()
    }
}

pub fn with_password(
    mut row: CredentialReportRow,
    last_used: Option<DateTime<Utc>>,
) -> CredentialReportRow {
    row.password_enabled = Some(true);
    row.password_last_used = last_used;
    row.password_last_changed = Some(days_ago(400));
    row
}

pub fn with_key(
    mut row: CredentialReportRow,
    slot: usize,
    rotated_days_ago: i64,
    used_days_ago: Option<i64>,
) -> CredentialReportRow {
    row.access_keys[slot - 1] = KeySlot {
        active: true,
        last_rotated: Some(days_ago(rotated_days_ago)),
        last_used_date: used_days_ago.map(days_ago),
        last_used_region: used_days_ago.map(|_| "us-east-1".to_string()),
        last_used_service: used_days_ago.map(|_| "s3".to_string()),
    };
    row
}

pub fn summary(entries: &[(&str, i64)]) -> BTreeMap<String, i64> {
    entries
        .iter()
        .map(|(key, value)| (key.to_string(), *value))
        .collect()
}

pub fn virtual_device(serial: &str, user_arn: Option<&str>) -> VirtualMfaDevice {
    VirtualMfaDevice {
        serial_number: serial.to_string(),
        user_arn: user_arn.map(str::to_owned),
        user_name: user_arn
            .and_then(|arn| arn.rsplit('/').next())
            .map(str::to_owned),
        enable_date: Some(days_ago(30)),
    }
}

pub fn run_with(check: &str, inventory: &Inventory, settings: &Settings) -> Vec<Finding> {
    run_checks(
        &mut Context::new(inventory, settings, now()),
        &[check.to_string()],
    )
}

pub fn run(check: &str, inventory: &Inventory) -> Vec<Finding> {
    run_with(check, inventory, &Settings::default())
}

pub fn statuses(check: &str, inventory: &Inventory) -> Vec<Status> {
    run(check, inventory)
        .iter()
        .map(|finding| finding.status)
        .collect()
}

/// (resource, status) pairs, for checks with one finding per resource.
pub fn outcomes(check: &str, inventory: &Inventory) -> Vec<(String, Status)> {
    run(check, inventory)
        .into_iter()
        .map(|finding| {
            (
                finding
                    .resource_arn
                    .rsplit('/')
                    .next()
                    .unwrap_or_default()
                    .to_string(),
                finding.status,
            )
        })
        .collect()
}
