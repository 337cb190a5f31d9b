//! Account configuration that CIS section 2 and the Security Hub IAM controls ask for: a
//! support role, no expired server certificates, Access Analyzer in every scanned region,
//! and AWSCloudShellFullAccess kept to those who need it.

use super::{Context, Emitter, Resource, require};
use crate::inventory::gaad::AttachedPolicy;
use crate::inventory::{AccessAnalyzer, AuthorizationDetails};

const SUPPORT_POLICY: &str = "AWSSupportAccess";
const CLOUDSHELL_POLICY: &str = "AWSCloudShellFullAccess";

/// Whether `policies` include the AWS managed policy `name` (in any partition).
fn holds_aws_policy(policies: &[AttachedPolicy], name: &str) -> bool {
    policies.iter().any(|policy| {
        policy
            .arn
            .split_once(":iam::aws:policy/")
            .is_some_and(|(_, rest)| rest == name)
    })
}

fn account(context: &Context) -> Resource {
    Resource::new(context.account_arn(), "AwsAccount")
}

/// A user, group or role that has an AWS managed policy attached.
struct Holder<'d> {
    /// "user", "group" or "role".
    kind: &'static str,
    name: &'d str,
    arn: &'d str,
}

impl Holder<'_> {
    fn resource(&self) -> Resource {
        let resource_type = match self.kind {
            "user" => "AwsIamUser",
            "group" => "AwsIamGroup",
            _ => "AwsIamRole",
        };
        Resource::new(self.arn, resource_type)
    }

    /// The remediation placeholder its name fills.
    fn placeholder(&self) -> &'static str {
        match self.kind {
            "user" => "user_name",
            "group" => "group_name",
            _ => "role_name",
        }
    }
}

/// Every user, group and role (in that order) with the AWS managed policy `policy` attached.
fn holders<'d>(details: &'d AuthorizationDetails, policy: &str) -> Vec<Holder<'d>> {
    let users = details
        .users
        .iter()
        .map(|user| ("user", &user.name, &user.arn, &user.attached_policies));
    let groups = details
        .groups
        .iter()
        .map(|group| ("group", &group.name, &group.arn, &group.attached_policies));
    let roles = details
        .roles
        .iter()
        .map(|role| ("role", &role.name, &role.arn, &role.attached_policies));
    users
        .chain(groups)
        .chain(roles)
        .filter(|(_, _, _, attached)| holds_aws_policy(attached, policy))
        .map(|(kind, name, arn, _)| Holder { kind, name, arn })
        .collect()
}

pub fn support_role(context: &Context, emit: &mut Emitter) {
    let details = require!(context, emit, context.authorization());
    let (roles, elsewhere): (Vec<Holder>, Vec<Holder>) = holders(details, SUPPORT_POLICY)
        .into_iter()
        .partition(|holder| holder.kind == "role");
    if !roles.is_empty() {
        let names: Vec<&str> = roles.iter().map(|role| role.name).collect();
        emit.pass(
            account(context),
            format!("{SUPPORT_POLICY} is attached to role {}", names.join(", ")),
        );
        return;
    }
    // Held by users or groups instead: say so, since CIS counts roles only.
    let message = if elsewhere.is_empty() {
        format!(
            "no role has {SUPPORT_POLICY} attached: nobody can handle AWS Support cases without root or broader rights"
        )
    } else {
        let names: Vec<String> = elsewhere
            .iter()
            .map(|holder| format!("{} {}", holder.kind, holder.name))
            .collect();
        format!(
            "no role has {SUPPORT_POLICY} attached (it is attached to {}; a role that responders assume is what is asked for)",
            names.join(", ")
        )
    };
    emit.fail(
        account(context),
        message,
        &[("account_id", context.account_id().to_string())],
    );
}

pub fn cloudshell_full_access(context: &Context, emit: &mut Emitter) {
    let details = require!(context, emit, context.authorization());
    let holders = holders(details, CLOUDSHELL_POLICY);
    for holder in &holders {
        emit.fail(
            holder.resource(),
            format!(
                "{} {} has {CLOUDSHELL_POLICY} attached: a shell with its credentials, and file upload and download",
                holder.kind, holder.name
            ),
            &[(holder.placeholder(), holder.name.to_string())],
        );
    }
    if holders.is_empty() {
        emit.pass(
            account(context),
            format!("no user, group or role has {CLOUDSHELL_POLICY} attached"),
        );
    }
}

pub fn expired_server_certificates(context: &Context, emit: &mut Emitter) {
    let certificates = require!(context, emit, context.server_certificates());
    if certificates.is_empty() {
        emit.pass(account(context), "no server certificates are stored in IAM");
        return;
    }
    for certificate in certificates {
        let resource = Resource::new(&certificate.arn, "AwsIamServerCertificate");
        let Some(expiration) = certificate.expiration else {
            emit.error(
                resource,
                format!(
                    "server certificate {} was listed without an expiry date",
                    certificate.name
                ),
            );
            continue;
        };
        let date = expiration.format("%Y-%m-%d");
        if expiration <= context.now {
            emit.fail(
                resource,
                format!(
                    "server certificate {} expired on {date} ({} days ago)",
                    certificate.name,
                    context.days_since(expiration)
                ),
                &[("certificate_name", certificate.name.clone())],
            );
        } else {
            emit.pass(
                resource,
                format!(
                    "server certificate {} is valid until {date}",
                    certificate.name
                ),
            );
        }
    }
}

pub fn access_analyzer(context: &Context, emit: &mut Emitter) {
    let regions = require!(context, emit, context.access_analyzers());
    if regions.is_empty() {
        emit.error(
            account(context),
            "no region was scanned for IAM Access Analyzer (--regions none)",
        );
        return;
    }
    for (region, analyzers) in regions {
        let resource = Resource::new(
            format!(
                "arn:aws:access-analyzer:{region}:{}:analyzer",
                context.account_id()
            ),
            "AwsAccount",
        );
        let Some(analyzers) = analyzers else {
            let reason = context
                .inventory
                .gaps
                .iter()
                .find(|gap| {
                    gap.operation == "ListAnalyzers" && gap.resource.as_deref() == Some(region)
                })
                .map(|gap| format!("{} ({})", gap.error_code, gap.message))
                .unwrap_or_else(|| "no answer was recorded".to_string());
            emit.error(
                resource,
                format!("the analyzers of {region} could not be listed: {reason}"),
            );
            continue;
        };
        let external: Vec<&AccessAnalyzer> = analyzers
            .iter()
            .filter(|analyzer| analyzer.finds_external_access())
            .collect();
        if let Some(active) = external.iter().find(|analyzer| analyzer.is_active()) {
            emit.pass(
                resource,
                format!(
                    "{region}: external access analyzer {} ({}) is active",
                    active.name, active.kind
                ),
            );
            continue;
        }
        let message = if external.is_empty() {
            let others: Vec<String> = analyzers
                .iter()
                .map(|analyzer| format!("{} ({})", analyzer.name, analyzer.kind))
                .collect();
            if others.is_empty() {
                format!("{region} has no IAM Access Analyzer analyzer")
            } else {
                format!(
                    "{region} has no external access analyzer, only {}",
                    others.join(", ")
                )
            }
        } else {
            let states: Vec<String> = external
                .iter()
                .map(|analyzer| format!("{} is {}", analyzer.name, analyzer.status))
                .collect();
            format!(
                "{region} has no active external access analyzer: {}",
                states.join(", ")
            )
        };
        emit.fail(resource, message, &[("region", region.clone())]);
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::fixtures::*;
    use crate::finding::{Finding, Status};
    use crate::inventory::fixtures::{group, role, user};
    use crate::inventory::gaad::AttachedPolicy;
    use crate::inventory::{
        AccessAnalyzer, AuthorizationDetails, Gap, Inventory, ServerCertificate,
    };
    use chrono::Duration;
    use std::collections::BTreeMap;

    fn aws_policy(partition: &str, name: &str) -> AttachedPolicy {
        AttachedPolicy {
            name: name.into(),
            arn: format!("arn:{partition}:iam::aws:policy/{name}"),
        }
    }

    fn summary_of(findings: &[Finding]) -> Vec<(Status, String)> {
        findings
            .iter()
            .map(|finding| (finding.status, finding.message.to_string()))
            .collect()
    }

    #[test]
    fn a_role_with_aws_support_access_passes_and_is_named() {
        let mut support = role("aws-support");
        support
            .attached_policies
            .push(aws_policy("aws", "AWSSupportAccess"));
        let inventory = inventory_with_authorization(AuthorizationDetails {
            roles: vec![role("app"), support],
            ..Default::default()
        });
        assert_eq!(
            summary_of(&run("support-role", &inventory)),
            vec![(
                Status::Pass,
                "AWSSupportAccess is attached to role aws-support".to_string()
            )]
        );
    }

    #[test]
    fn support_access_on_a_user_only_fails_and_says_where_it_is() {
        let mut alice = user("alice");
        alice
            .attached_policies
            .push(aws_policy("aws", "AWSSupportAccess"));
        // A look-alike customer policy does not count.
        let mut app = role("app");
        app.attached_policies.push(AttachedPolicy {
            name: "AWSSupportAccess".into(),
            arn: format!("arn:aws:iam::{ACCOUNT}:policy/AWSSupportAccess"),
        });
        let inventory = inventory_with_authorization(AuthorizationDetails {
            users: vec![alice],
            roles: vec![app],
            ..Default::default()
        });
        let findings = run("support-role", &inventory);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].status, Status::Fail);
        assert!(
            findings[0].message.contains("attached to user alice"),
            "{}",
            findings[0].message
        );
        let cli = findings[0].remediation.as_ref().unwrap().cli();
        assert!(
            cli.contains(&format!("arn:aws:iam::{ACCOUNT}:root")),
            "{cli}"
        );
    }

    #[test]
    fn without_authorization_details_account_policy_checks_are_errors() {
        let inventory = inventory_with_report(vec![]);
        for check in ["support-role", "cloudshell-full-access"] {
            assert_eq!(statuses(check, &inventory), vec![Status::Error], "{check}");
        }
    }

    #[test]
    fn every_cloudshell_holder_fails_in_any_partition_and_none_passes_the_account() {
        let mut dev = user("dev");
        dev.attached_policies
            .push(aws_policy("aws", "AWSCloudShellFullAccess"));
        let mut ops = group("ops");
        ops.attached_policies
            .push(aws_policy("aws-cn", "AWSCloudShellFullAccess"));
        let mut ci = role("ci");
        ci.attached_policies
            .push(aws_policy("aws", "AWSCloudShellFullAccess"));
        let mut details = AuthorizationDetails {
            users: vec![dev, user("reader")],
            groups: vec![ops],
            roles: vec![ci, role("app")],
            ..Default::default()
        };
        let findings = run(
            "cloudshell-full-access",
            &inventory_with_authorization(details.clone()),
        );
        let failed: Vec<(&str, &str)> = findings
            .iter()
            .map(|finding| {
                assert_eq!(finding.status, Status::Fail);
                (
                    finding.resource_type.as_str(),
                    finding.resource_arn.as_str(),
                )
            })
            .collect();
        assert_eq!(
            failed,
            vec![
                ("AwsIamUser", "arn:aws:iam::123456789012:user/dev"),
                ("AwsIamGroup", "arn:aws:iam::123456789012:group/ops"),
                ("AwsIamRole", "arn:aws:iam::123456789012:role/ci"),
            ]
        );
        let cli = findings[1].remediation.as_ref().unwrap().cli();
        assert!(
            cli.contains("detach-group-policy --group-name ops"),
            "{cli}"
        );

        details.users.remove(0);
        details.groups.clear();
        details.roles.remove(0);
        assert_eq!(
            statuses(
                "cloudshell-full-access",
                &inventory_with_authorization(details)
            ),
            vec![Status::Pass]
        );
    }

    fn certificate(name: &str, expiration: Option<i64>) -> ServerCertificate {
        ServerCertificate {
            name: name.into(),
            arn: format!("arn:aws:iam::{ACCOUNT}:server-certificate/{name}"),
            id: None,
            upload_date: Some(days_ago(400)),
            expiration: expiration.map(|days| now() + Duration::days(days)),
        }
    }

    fn with_certificates(certificates: Option<Vec<ServerCertificate>>) -> Inventory {
        let mut inventory = inventory_with_report(vec![]);
        inventory.server_certificates = certificates;
        inventory
    }

    #[test]
    fn expired_certificates_fail_current_ones_pass_and_an_undated_one_is_an_error() {
        let inventory = with_certificates(Some(vec![
            certificate("old", Some(-30)),
            certificate("current", Some(200)),
            certificate("undated", None),
        ]));
        let findings = run("server-certificate-expired", &inventory);
        assert_eq!(
            summary_of(&findings),
            vec![
                (
                    Status::Fail,
                    "server certificate old expired on 2026-05-02 (30 days ago)".to_string()
                ),
                (
                    Status::Pass,
                    "server certificate current is valid until 2026-12-18".to_string()
                ),
                (
                    Status::Error,
                    "server certificate undated was listed without an expiry date".to_string()
                ),
            ]
        );
        let cli = findings[0].remediation.as_ref().unwrap().cli();
        assert!(cli.contains("--server-certificate-name old"), "{cli}");
    }

    #[test]
    fn no_certificates_pass_and_an_unread_list_is_an_error_that_says_why() {
        assert_eq!(
            statuses(
                "server-certificate-expired",
                &with_certificates(Some(vec![]))
            ),
            vec![Status::Pass]
        );
        let mut denied = with_certificates(None);
        denied.gaps.push(Gap {
            operation: "ListServerCertificates".into(),
            error_code: "AccessDenied".into(),
            message: "not authorized".into(),
            resource: None,
        });
        let findings = run("server-certificate-expired", &denied);
        assert_eq!(findings[0].status, Status::Error);
        assert!(
            findings[0].message.contains("AccessDenied"),
            "{}",
            findings[0].message
        );
    }

    fn analyzer(name: &str, kind: &str, status: &str) -> AccessAnalyzer {
        AccessAnalyzer {
            name: name.into(),
            arn: format!("arn:aws:access-analyzer:us-east-1:{ACCOUNT}:analyzer/{name}"),
            kind: kind.into(),
            status: status.into(),
        }
    }

    fn with_analyzers(regions: &[(&str, Option<Vec<AccessAnalyzer>>)]) -> Inventory {
        let mut inventory = inventory_with_report(vec![]);
        inventory.access_analyzers = Some(
            regions
                .iter()
                .map(|(region, analyzers)| (region.to_string(), analyzers.clone()))
                .collect::<BTreeMap<_, _>>(),
        );
        inventory
    }

    #[test]
    fn each_region_needs_an_active_external_access_analyzer() {
        let mut inventory = with_analyzers(&[
            (
                "us-east-1",
                Some(vec![analyzer("org", "ORGANIZATION", "ACTIVE")]),
            ),
            (
                "eu-west-1",
                Some(vec![analyzer("unused", "ACCOUNT_UNUSED_ACCESS", "ACTIVE")]),
            ),
            (
                "eu-west-2",
                Some(vec![analyzer("ext", "ACCOUNT", "DISABLED")]),
            ),
            ("ap-south-1", Some(vec![])),
            ("sa-east-1", None),
        ]);
        inventory.gaps.push(Gap {
            operation: "ListAnalyzers".into(),
            error_code: "AccessDeniedException".into(),
            message: "denied by an SCP".into(),
            resource: Some("sa-east-1".into()),
        });
        let findings = run("access-analyzer-enabled", &inventory);
        assert_eq!(
            summary_of(&findings),
            vec![
                (Status::Fail, "ap-south-1 has no IAM Access Analyzer analyzer".to_string()),
                (
                    Status::Fail,
                    "eu-west-1 has no external access analyzer, only unused (ACCOUNT_UNUSED_ACCESS)"
                        .to_string()
                ),
                (
                    Status::Fail,
                    "eu-west-2 has no active external access analyzer: ext is DISABLED".to_string()
                ),
                (
                    Status::Error,
                    "the analyzers of sa-east-1 could not be listed: AccessDeniedException (denied by an SCP)"
                        .to_string()
                ),
                (
                    Status::Pass,
                    "us-east-1: external access analyzer org (ORGANIZATION) is active".to_string()
                ),
            ]
        );
        assert_eq!(
            findings[0].resource_arn,
            format!("arn:aws:access-analyzer:ap-south-1:{ACCOUNT}:analyzer"),
            "one resource per region, so baselines tell regions apart"
        );
        let cli = findings[0].remediation.as_ref().unwrap().cli();
        assert!(cli.contains("--region ap-south-1"), "{cli}");
    }

    #[test]
    fn analyzers_not_read_or_no_region_scanned_is_an_error_never_a_pass() {
        assert_eq!(
            statuses("access-analyzer-enabled", &inventory_with_report(vec![])),
            vec![Status::Error]
        );
        assert_eq!(
            statuses("access-analyzer-enabled", &with_analyzers(&[])),
            vec![Status::Error]
        );
    }

    #[test]
    fn every_user_needs_mfa_console_or_not() {
        let mut keyed = with_key(user_row("ci"), 1, 10, Some(1));
        keyed.mfa_active = false;
        let mut person = with_password(user_row("alice"), Some(days_ago(1)));
        person.mfa_active = true;
        let inventory = inventory_with_report(vec![root_row(true), keyed, person]);
        assert_eq!(
            summary_of(&run("user-mfa-enabled", &inventory)),
            vec![
                (
                    Status::Fail,
                    "user ci has no MFA device (no console password)".to_string()
                ),
                (
                    Status::Pass,
                    "user alice has an active MFA device".to_string()
                ),
            ]
        );
        assert_eq!(
            statuses(
                "user-mfa-enabled",
                &inventory_with_report(vec![root_row(true)])
            ),
            vec![Status::Skipped]
        );
    }
}
