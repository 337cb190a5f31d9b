//! Role trust: who can assume each role. The documents are read by `policy::trust`; these
//! checks add what the document alone cannot know (the account's own id, the accounts you
//! declared as yours, what the role can do) and say it statement by statement.
//!
//! Every role gets one finding per check: a pass, an `error` when its trust policy could
//! not be read, or one failure per problem of one statement.

mod cross_account;
mod federation;
mod providers;
mod public;
mod service;

pub use cross_account::cross_account;
pub use federation::federation;
pub use providers::identity_providers;
pub use public::public;
pub use service::service;

use super::{Context, Emitter, Resource, require};
use crate::finding::Severity;
use crate::inventory::gaad::Role;
use crate::policy::PolicyDocument;
use crate::policy::trust::{OwnAccounts, arn_account, is_account_id};

/// One problem of one statement.
struct Failure {
    /// `None`: the check's catalog severity.
    severity: Option<Severity>,
    message: String,
}

impl Failure {
    fn new(message: String) -> Self {
        Failure {
            severity: None,
            message,
        }
    }

    fn at(severity: Severity, message: String) -> Self {
        Failure {
            severity: Some(severity),
            message,
        }
    }
}

/// What a check says about one role: its failures, or a pass with `pass` as the message.
struct Verdict {
    failures: Vec<Failure>,
    pass: String,
}

/// Runs `judge` on every role with a readable trust policy; a role whose trust policy
/// could not be read is an `error`, never a pass.
fn judge_roles(
    context: &Context,
    emit: &mut Emitter,
    mut judge: impl FnMut(&Role, &PolicyDocument) -> Verdict,
) {
    let details = require!(context, emit, context.authorization());
    if details.roles.is_empty() {
        emit.skipped(
            Resource::new(context.account_arn(), "AwsAccount"),
            "the account has no IAM roles",
        );
        return;
    }
    let escalation = context.escalation();
    let scps_applied = super::admin::scps_applied(context);
    for role in &details.roles {
        let resource = || Resource::new(&role.arn, "AwsIamRole");
        let Some(document) = &role.assume_role_policy else {
            emit.error(resource(), unreadable_trust(context, role));
            continue;
        };
        let verdict = judge(role, document);
        if verdict.failures.is_empty() {
            emit.pass(resource(), verdict.pass);
        }
        // A weak trust into a role that is, or can become, an administrator is one step
        // worse: whoever gets in owns the account.
        let reaches_admin = escalation
            .as_ref()
            .is_some_and(|analysis| analysis.reaches_administrator(&role.arn));
        for failure in verdict.failures {
            let values = [("role_name", role.name.clone())];
            let severity = failure.severity.unwrap_or(emit.severity());
            if reaches_admin {
                let stop = if failure.message.ends_with('.') {
                    ""
                } else {
                    "."
                };
                let evaluated = if scps_applied {
                    "identity policies and the organization's SCPs"
                } else {
                    "identity policies only"
                };
                let message = format!(
                    "{}{stop} The role is, or can become, an administrator ({evaluated}).",
                    failure.message
                );
                emit.fail_at(raised(severity), resource(), message, &values);
            } else {
                emit.fail_at(severity, resource(), failure.message, &values);
            }
        }
    }
}

/// One severity step up, at most critical.
fn raised(severity: Severity) -> Severity {
    match severity {
        Severity::Info => Severity::Low,
        Severity::Low => Severity::Medium,
        Severity::Medium => Severity::High,
        Severity::High | Severity::Critical => Severity::Critical,
    }
}

/// Why a role's trust cannot be judged, with the gap that explains it when there is one.
fn unreadable_trust(context: &Context, role: &Role) -> String {
    let label = format!("trust policy of role {}", role.name);
    match context
        .inventory
        .gaps
        .iter()
        .find(|gap| gap.resource.as_deref() == Some(label.as_str()))
    {
        Some(gap) => format!(
            "role {}: {} ({}), so who can assume it is unknown",
            role.name, gap.message, gap.error_code
        ),
        None => format!(
            "role {}: the inventory holds no trust policy for it, so who can assume it is unknown",
            role.name
        ),
    }
}

/// The accounts that are the role's own: the one it lives in (from its ARN, else the
/// inventory's) and those declared in `known_accounts`.
fn own_accounts<'a>(context: &'a Context, role: &'a Role) -> OwnAccounts<'a> {
    OwnAccounts {
        own: arn_account(&role.arn)
            .filter(|account| is_account_id(account))
            .unwrap_or_else(|| context.account_id()),
        known: &context.settings.known_accounts,
    }
}

/// `a, b, c and 4 more`: long lists in messages stay readable.
fn summarise(items: &[String], limit: usize) -> String {
    if items.len() <= limit {
        return items.join(", ");
    }
    format!(
        "{} and {} more",
        items[..limit].join(", "),
        items.len() - limit
    )
}

#[cfg(test)]
mod fixtures {
    use crate::checks::fixtures::*;
    use crate::inventory::gaad::Role;
    use crate::inventory::{AuthorizationDetails, Inventory};
    use crate::policy::PolicyDocument;
    use serde_json::Value;

    pub fn role(name: &str, trust: Value) -> Role {
        Role {
            assume_role_policy: Some(PolicyDocument::from_value(&trust).unwrap()),
            ..crate::inventory::fixtures::role(name)
        }
    }

    /// A trust policy of one statement.
    pub fn trust(statement: Value) -> Value {
        serde_json::json!({"Version": "2012-10-17", "Statement": [statement]})
    }

    pub fn inventory(roles: Vec<Role>) -> Inventory {
        inventory_with_authorization(AuthorizationDetails {
            roles,
            ..Default::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::*;
    use crate::checks::fixtures::*;
    use crate::finding::Status;
    use crate::inventory::Gap;
    use serde_json::json;

    const CHECKS: [&str; 4] = [
        "trust-public",
        "trust-cross-account",
        "trust-federation",
        "trust-service",
    ];

    #[test]
    fn an_unreadable_trust_policy_is_an_error_for_every_trust_check() {
        let mut broken = role(
            "broken",
            trust(json!({"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"})),
        );
        broken.assume_role_policy = None;
        let mut inventory = inventory(vec![broken]);
        inventory.gaps.push(Gap {
            operation: "GetAccountAuthorizationDetails".into(),
            error_code: "InvalidPolicyDocument".into(),
            message: "trust policy of role broken could not be parsed: document: not JSON".into(),
            resource: Some("trust policy of role broken".into()),
        });
        for check in CHECKS {
            let findings = run(check, &inventory);
            assert_eq!(findings.len(), 1, "{check}");
            assert_eq!(findings[0].status, Status::Error, "{check}");
            assert!(
                findings[0].message.contains("could not be parsed"),
                "{check}: {}",
                findings[0].message
            );
        }
    }

    #[test]
    fn without_roles_the_trust_checks_are_skipped_and_without_details_errors() {
        for check in CHECKS {
            assert_eq!(statuses(check, &inventory(vec![])), [Status::Skipped]);
            assert_eq!(
                statuses(check, &inventory_with_report(vec![])),
                [Status::Error]
            );
        }
    }

    #[test]
    fn remediation_names_the_role() {
        let inventory = inventory(vec![role(
            "open-door",
            trust(json!({"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"})),
        )]);
        let findings = run("trust-public", &inventory);
        let remediation = findings[0].remediation.as_ref().unwrap();
        assert!(
            remediation
                .cli()
                .contains("update-assume-role-policy --role-name open-door"),
            "{}",
            remediation.cli()
        );
        assert!(!remediation.cli().contains("{role_name}"));
    }
}
