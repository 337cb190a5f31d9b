//! MFA devices. ListVirtualMFADevices covers the whole account in a few calls; only a user
//! who holds a virtual device may hold a hardware or FIDO one beside it, so ListMFADevices is
//! called for those users alone. A user with MFA and no virtual device holds hardware.

use super::Collected;
use super::api::{for_each_page, to_utc};
use super::progress::{Phase, count};
use crate::inventory::gaad::name_from_arn;
use crate::inventory::{AuthorizationDetails, CredentialReport, Gap, MfaDevice, VirtualMfaDevice};
use aws_sdk_iam::types::AssignmentStatusType;
use futures::StreamExt;
use std::collections::{BTreeMap, BTreeSet};

const LIST_VIRTUAL: &str = "ListVirtualMFADevices";
const LIST_DEVICES: &str = "ListMFADevices";

pub(crate) async fn list_virtual(
    client: &aws_sdk_iam::Client,
    phase: Phase,
) -> Collected<Option<Vec<VirtualMfaDevice>>> {
    let mut devices = Vec::new();
    let listed = for_each_page(
        LIST_VIRTUAL,
        |marker| {
            client
                .list_virtual_mfa_devices()
                .assignment_status(AssignmentStatusType::Any)
                .set_marker(marker)
                .send()
        },
        |page| {
            // The seed and QR code (which emulators return) are never copied.
            devices.extend(page.virtual_mfa_devices().iter().map(|device| {
                let user = device.user();
                VirtualMfaDevice {
                    serial_number: device.serial_number().to_string(),
                    user_arn: user
                        .map(|user| user.arn())
                        .filter(|arn| !arn.is_empty())
                        .map(str::to_owned),
                    user_name: user
                        .map(|user| user.user_name())
                        .filter(|name| !name.is_empty())
                        .map(str::to_owned),
                    enable_date: device.enable_date().and_then(to_utc),
                }
            }));
            phase.update(count(devices.len(), "device", "devices"));
        },
    )
    .await;
    match listed {
        Ok(_) => {
            let assigned = devices
                .iter()
                .filter(|device| device.user_arn.is_some())
                .count();
            phase.done(format!(
                "{}, {assigned} assigned",
                count(devices.len(), "device", "devices")
            ));
            Collected::seen(devices)
        }
        Err(gap) => {
            phase.failed(&gap);
            Collected::unseen(gap)
        }
    }
}

/// A user whose devices must be listed: the name to call with, and how gaps name them.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Unsettled {
    name: String,
    arn: Option<String>,
}

/// The users the virtual list cannot settle: IAM users (known from the authorization details
/// or as credential report rows with MFA) who hold a virtual device. With neither source,
/// every holder of a virtual device. Without the virtual list nothing can be settled, and the
/// checks that need it report that.
fn unsettled_users(
    authorization: Option<&AuthorizationDetails>,
    report: Option<&CredentialReport>,
    virtual_devices: Option<&[VirtualMfaDevice]>,
) -> Vec<Unsettled> {
    let Some(virtual_devices) = virtual_devices else {
        return Vec::new();
    };
    let holders: Vec<&VirtualMfaDevice> = virtual_devices
        .iter()
        .filter(|device| {
            !device.is_root() && (device.user_arn.is_some() || device.user_name.is_some())
        })
        .collect();
    let holds_virtual = |name: &str, arn: &str| {
        holders.iter().any(|device| {
            device.user_arn.as_deref() == Some(arn) || device.user_name.as_deref() == Some(name)
        })
    };
    let known_users: Vec<(&str, &str)> = authorization
        .into_iter()
        .flat_map(|details| {
            details
                .users
                .iter()
                .map(|user| (user.name.as_str(), user.arn.as_str()))
        })
        .chain(
            report
                .into_iter()
                .flat_map(|report| report.users().filter(|row| row.mfa_active))
                .map(|row| (row.user.as_str(), row.arn.as_str())),
        )
        .collect();
    let unsettled: BTreeSet<Unsettled> = if authorization.is_none() && report.is_none() {
        holders
            .iter()
            .map(|device| Unsettled {
                name: device
                    .user_name
                    .clone()
                    .or_else(|| device.user_arn.as_deref().map(name_from_arn))
                    .unwrap_or_default(),
                arn: device.user_arn.clone(),
            })
            .collect()
    } else {
        known_users
            .into_iter()
            .filter(|(name, arn)| holds_virtual(name, arn))
            .map(|(name, arn)| Unsettled {
                name: name.to_string(),
                arn: Some(arn.to_string()).filter(|arn| !arn.is_empty()),
            })
            .collect()
    };
    // Two sources may name one user (with an ARN in one and not the other): one call each.
    let mut seen = BTreeSet::new();
    unsettled
        .into_iter()
        .filter(|user| seen.insert(user.name.clone()))
        .collect()
}

/// ListMFADevices for every user the virtual list cannot settle, `concurrency` at a time. A
/// user whose call fails is left out of the map (unknown) and named in a gap.
pub(crate) async fn list_devices(
    client: &aws_sdk_iam::Client,
    authorization: Option<&AuthorizationDetails>,
    report: Option<&CredentialReport>,
    virtual_devices: Option<&[VirtualMfaDevice]>,
    concurrency: usize,
    phase: Phase,
) -> Collected<BTreeMap<String, Vec<MfaDevice>>> {
    let users = unsettled_users(authorization, report, virtual_devices);
    let total = users.len();
    let mut devices = BTreeMap::new();
    let mut gaps = Vec::new();
    let mut answers = futures::stream::iter(users)
        .map(|user| async move {
            let listed = user_devices(client, &user.name).await;
            (user, listed)
        })
        .buffer_unordered(concurrency.max(1));
    let mut done = 0;
    while let Some((user, listed)) = answers.next().await {
        done += 1;
        phase.update(format!("{done}/{total} users"));
        match listed {
            Ok(list) => {
                devices.insert(user.name, list);
            }
            Err(mut gap) => {
                gap.resource = Some(user.arn.unwrap_or(user.name));
                gaps.push(gap);
            }
        }
    }
    gaps.sort_by(|a, b| a.resource.cmp(&b.resource));
    let failed = if gaps.is_empty() {
        String::new()
    } else {
        format!(", {} failed", gaps.len())
    };
    phase.done(format!(
        "{total} users with a virtual device listed{failed}"
    ));
    Collected {
        value: devices,
        gaps,
    }
}

async fn user_devices(client: &aws_sdk_iam::Client, user: &str) -> Result<Vec<MfaDevice>, Gap> {
    let mut devices = Vec::new();
    for_each_page(
        LIST_DEVICES,
        |marker| {
            client
                .list_mfa_devices()
                .user_name(user)
                .set_marker(marker)
                .send()
        },
        |page| {
            devices.extend(page.mfa_devices().iter().map(|device| MfaDevice {
                kind: MfaDevice::kind_of_serial(device.serial_number()),
                serial_number: device.serial_number().to_string(),
                enable_date: to_utc(device.enable_date()),
            }))
        },
    )
    .await?;
    tracing::debug!(user, devices = devices.len(), "ListMFADevices");
    Ok(devices)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::CredentialReportRow;
    use crate::inventory::gaad::User;

    const ACCOUNT: &str = "arn:aws:iam::123456789012";

    fn device(serial: &str, user: Option<&str>) -> VirtualMfaDevice {
        VirtualMfaDevice {
            serial_number: format!("{ACCOUNT}:mfa/{serial}"),
            user_arn: user.map(|user| match user {
                "root" => format!("{ACCOUNT}:root"),
                user => format!("{ACCOUNT}:user/{user}"),
            }),
            user_name: None,
            enable_date: None,
        }
    }

    fn row(user: &str, mfa_active: bool) -> CredentialReportRow {
        CredentialReportRow {
            user: user.into(),
            arn: format!("{ACCOUNT}:user/{user}"),
            mfa_active,
            ..CredentialReportRow::default()
        }
    }

    fn user(name: &str) -> User {
        User {
            name: name.into(),
            arn: format!("{ACCOUNT}:user/{name}"),
            id: String::new(),
            path: "/".into(),
            create_date: None,
            groups: Vec::new(),
            attached_policies: Vec::new(),
            inline_policies: Vec::new(),
            permissions_boundary: None,
            tags: Default::default(),
        }
    }

    fn names(users: Vec<Unsettled>) -> Vec<String> {
        users.into_iter().map(|user| user.name).collect()
    }

    #[test]
    fn only_users_holding_a_virtual_device_need_their_devices_listed() {
        let report = CredentialReport {
            generated_at: None,
            rows: vec![row("alice", true), row("bob", true), row("carol", false)],
        };
        let virtual_devices = [
            device("alice", Some("alice")),
            device("root-mfa", Some("root")),
            device("spare", None),
        ];
        // bob has MFA without a virtual device: hardware, settled. The root and unassigned
        // devices concern no IAM user.
        let users = unsettled_users(None, Some(&report), Some(&virtual_devices));
        assert_eq!(
            users,
            vec![Unsettled {
                name: "alice".into(),
                arn: Some(format!("{ACCOUNT}:user/alice"))
            }]
        );
    }

    #[test]
    fn users_come_from_the_authorization_details_and_the_report_once_each() {
        let details = AuthorizationDetails {
            users: vec![user("alice"), user("dan")],
            ..AuthorizationDetails::default()
        };
        let report = CredentialReport {
            generated_at: None,
            rows: vec![row("alice", true), row("erin", true)],
        };
        let virtual_devices = [
            device("a", Some("alice")),
            device("d", Some("dan")),
            device("e", Some("erin")),
        ];
        let users = unsettled_users(Some(&details), Some(&report), Some(&virtual_devices));
        assert_eq!(names(users), vec!["alice", "dan", "erin"]);
    }

    #[test]
    fn without_users_from_elsewhere_the_holders_name_themselves() {
        let mut named = device("f", None);
        named.user_name = Some("frank".into());
        let virtual_devices = [device("g", Some("grace")), named];
        assert_eq!(
            names(unsettled_users(None, None, Some(&virtual_devices))),
            vec!["frank", "grace"]
        );
    }

    #[test]
    fn without_the_virtual_list_nothing_is_listed() {
        let report = CredentialReport {
            generated_at: None,
            rows: vec![row("alice", true)],
        };
        assert!(unsettled_users(None, Some(&report), None).is_empty());
    }
}
