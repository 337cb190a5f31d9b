//! What a role's trust policy means for the escalation graph: which principals of the
//! account it admits by ARN, whether it defers to the account's identity policies, and
//! which services may assume it; each with the condition it depends on.

use super::Caveats;
use crate::policy::conditions::{ConditionClass, classify};
use crate::policy::document::{Effect, PolicyDocument, PrincipalSpec, Principals, Statement};
use crate::policy::matching::statement_covers_action;
use chrono::{DateTime, Utc};

const ASSUME_ROLE: &str = "sts:AssumeRole";

/// A principal a trust statement names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Named {
    /// A user or role ARN of this account.
    Arn(String),
    /// `arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION`: sessions of role NAME with that
    /// session name.
    Session { role: String, session: String },
}

#[derive(Debug, Clone, Default)]
pub(super) struct RoleTrust {
    /// Principals admitted by ARN: within the account, no identity policy is needed.
    pub named: Vec<(Named, Caveats)>,
    /// The account itself (its root, its bare id, or every principal): any principal of
    /// the account whose identity policies allow sts:AssumeRole on the role.
    pub account: Option<Caveats>,
    /// Service principals (lower-case) that may assume the role.
    pub services: Vec<(String, Caveats)>,
}

impl RoleTrust {
    /// Records a statement that defers to the account, keeping a certain one over a
    /// conditional one.
    fn admit_account(&mut self, caveats: Caveats) {
        if self
            .account
            .as_ref()
            .is_none_or(|known| !known.is_certain())
        {
            self.account = Some(caveats);
        }
    }

    /// The caveats under which `service` may assume the role, when it may.
    pub fn service(&self, service: &str) -> Option<&Caveats> {
        self.services
            .iter()
            .find(|(trusted, _)| trusted.eq_ignore_ascii_case(service))
            .map(|(_, caveats)| caveats)
    }
}

fn caveats_of(class: &ConditionClass, what: &str) -> Caveats {
    let mut caveats = Caveats::default();
    caveats.condition(
        class
            .dependency()
            .map(|dependency| format!("the trust policy's condition on {what} ({dependency})"))
            .as_deref(),
    );
    caveats
}

/// The statement with the clauses that the attacker's own resources meet anyway removed:
/// a service acting for a resource the attacker creates in this account carries this
/// account as aws:SourceAccount.
fn without_own_source(statement: &Statement, account: &str) -> Statement {
    let mut statement = statement.clone();
    for keys in statement.condition.values_mut() {
        keys.retain(|key, values| {
            !(key.eq_ignore_ascii_case("aws:SourceAccount")
                && values.iter().any(|value| value == account))
        });
    }
    statement.condition.retain(|_, keys| !keys.is_empty());
    statement
}

/// `(kind, values)` of a statement's principals, or `None` for `"*"`.
fn principal_map(statement: &Statement) -> Option<Vec<(&str, &[String])>> {
    match &statement.principal {
        Some(PrincipalSpec::Principal(Principals::Map(map))) => Some(
            map.iter()
                .map(|(kind, values)| (kind.as_str(), values.as_slice()))
                .collect(),
        ),
        // `*`, or an Allow with NotPrincipal: everyone (but a few).
        Some(PrincipalSpec::Principal(Principals::Any)) | Some(PrincipalSpec::NotPrincipal(_)) => {
            None
        }
        None => Some(Vec::new()),
    }
}

/// What one `Principal.AWS` value means for this account.
enum AwsValue {
    Everyone,
    Account,
    Named(Named),
    Elsewhere,
}

fn aws_value(value: &str, account: &str) -> AwsValue {
    if value == "*" {
        return AwsValue::Everyone;
    }
    if value == account {
        return AwsValue::Account;
    }
    let parts: Vec<&str> = value.splitn(6, ':').collect();
    let [_, _, service, _, value_account, resource] = parts.as_slice() else {
        return AwsValue::Elsewhere;
    };
    if *value_account != account {
        return AwsValue::Elsewhere;
    }
    match (*service, *resource) {
        ("iam", "root") => AwsValue::Account,
        ("iam", resource) if resource.starts_with("user/") || resource.starts_with("role/") => {
            AwsValue::Named(Named::Arn(value.to_string()))
        }
        ("sts", resource) => match resource.strip_prefix("assumed-role/") {
            Some(rest) => match rest.split_once('/') {
                Some((role, session)) => AwsValue::Named(Named::Session {
                    role: role.to_string(),
                    session: session.to_string(),
                }),
                None => AwsValue::Elsewhere,
            },
            None => AwsValue::Elsewhere,
        },
        _ => AwsValue::Elsewhere,
    }
}

/// Reads a trust policy for principals of `account`, judging conditions at `now`.
///
/// A Deny that applies whatever the caller does removes what it names (everyone, the
/// account, or one ARN); a conditional Deny is not credited with removing anything.
pub(super) fn read(document: &PolicyDocument, account: &str, now: DateTime<Utc>) -> RoleTrust {
    let mut trust = RoleTrust::default();
    let mut denied_everyone = false;
    let mut denied: Vec<Named> = Vec::new();
    for statement in &document.statements {
        if !statement_covers_action(statement, ASSUME_ROLE) {
            continue;
        }
        let class = classify(statement, now);
        if !class.is_satisfiable() {
            continue;
        }
        match statement.effect {
            Effect::Deny => {
                if !class.is_certain() {
                    continue;
                }
                match principal_map(statement) {
                    None => denied_everyone = true,
                    Some(map) => {
                        for (_, values) in map.iter().filter(|(kind, _)| *kind == "AWS") {
                            for value in values.iter() {
                                match aws_value(value, account) {
                                    AwsValue::Everyone | AwsValue::Account => {
                                        denied_everyone = true
                                    }
                                    AwsValue::Named(named) => denied.push(named),
                                    AwsValue::Elsewhere => {}
                                }
                            }
                        }
                    }
                }
            }
            Effect::Allow => match principal_map(statement) {
                None => trust.admit_account(caveats_of(&class, "every principal")),
                Some(map) => {
                    for (kind, values) in map {
                        match kind {
                            "AWS" => {
                                for value in values {
                                    match aws_value(value, account) {
                                        AwsValue::Everyone | AwsValue::Account => {
                                            trust.admit_account(caveats_of(&class, "the account"))
                                        }
                                        AwsValue::Named(named) => {
                                            let caveats = caveats_of(&class, value);
                                            trust.named.push((named, caveats));
                                        }
                                        AwsValue::Elsewhere => {}
                                    }
                                }
                            }
                            "Service" => {
                                let class = classify(&without_own_source(statement, account), now);
                                for value in values {
                                    if class.is_satisfiable() {
                                        trust.services.push((
                                            value.to_ascii_lowercase(),
                                            caveats_of(&class, value),
                                        ));
                                    }
                                }
                            }
                            _ => {}
                        }
                    }
                }
            },
        }
    }
    if denied_everyone {
        return RoleTrust::default();
    }
    trust.named.retain(|(named, _)| !denied.contains(named));
    // Prefer a certain statement when several name the same service or principal.
    trust
        .services
        .sort_by_key(|(service, caveats)| (service.clone(), !caveats.is_certain()));
    trust
        .services
        .dedup_by(|later, earlier| later.0 == earlier.0);
    trust
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use serde_json::json;

    const ACCOUNT: &str = "123456789012";

    fn trust(statements: serde_json::Value) -> RoleTrust {
        let document =
            PolicyDocument::from_value(&json!({"Version": "2012-10-17", "Statement": statements}))
                .unwrap();
        read(
            &document,
            ACCOUNT,
            Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap(),
        )
    }

    #[test]
    fn named_principals_the_account_and_services_are_told_apart() {
        let read = trust(json!([
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": [
                "arn:aws:iam::123456789012:role/ops",
                "arn:aws:iam::123456789012:root",
                "arn:aws:iam::999999999999:root",
                "arn:aws:sts::123456789012:assumed-role/sso/alice@example.com"
            ]}},
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "Lambda.amazonaws.com"},
             "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}}}
        ]));
        assert_eq!(
            read.named
                .iter()
                .map(|(named, _)| named.clone())
                .collect::<Vec<_>>(),
            vec![
                Named::Arn("arn:aws:iam::123456789012:role/ops".into()),
                Named::Session {
                    role: "sso".into(),
                    session: "alice@example.com".into()
                },
            ]
        );
        assert_eq!(read.account, Some(Caveats::default()));
        assert!(
            read.service("lambda.amazonaws.com").unwrap().is_certain(),
            "this account as aws:SourceAccount is met by the attacker's own function"
        );
        assert!(read.service("ec2.amazonaws.com").is_none());
    }

    #[test]
    fn conditions_become_caveats_and_unconditional_denies_remove() {
        let read = trust(json!([
            {"Effect": "Allow", "Action": "sts:AssumeRole",
             "Principal": {"AWS": ["arn:aws:iam::123456789012:user/a", "arn:aws:iam::123456789012:user/b"]},
             "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}},
            {"Effect": "Deny", "Action": "sts:AssumeRole", "Principal": {"AWS": "arn:aws:iam::123456789012:user/b"}}
        ]));
        assert_eq!(read.named.len(), 1);
        assert!(!read.named[0].1.is_certain());

        let closed = trust(json!([
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": "arn:aws:iam::123456789012:user/a"}},
            {"Effect": "Deny", "Action": "*", "Principal": "*"}
        ]));
        assert!(closed.named.is_empty());
    }

    #[test]
    fn web_identity_and_saml_trust_admit_nobody_of_the_account() {
        let read = trust(json!([
            {"Effect": "Allow", "Action": "sts:AssumeRoleWithSAML",
             "Principal": {"Federated": "arn:aws:iam::123456789012:saml-provider/sso"}}
        ]));
        assert!(read.named.is_empty() && read.account.is_none() && read.services.is_empty());
    }
}
