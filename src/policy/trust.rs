//! Trust policies: whom a role's trust policy lets in, and which conditions narrow that.
//!
//! Pure functions over a parsed [`PolicyDocument`]. They answer questions about the
//! document alone (who is named, which conditions pin the caller, what a federated subject
//! admits); the checks in `checks::trust` add what the document cannot know (the account's
//! own id, the accounts you declared as yours, what the role can do) and word the findings.
//!
//! Condition semantics follow the IAM reference
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html>):
//! keys are case-insensitive; `StringEquals` compares literally while `StringLike`,
//! `ArnLike` and `ArnEquals` expand `*` and `?`; an `...IfExists` operator and a
//! `ForAllValues:` operator are true when the key is absent; a negated operator excludes
//! values but never pins the request to one.

use super::document::{Effect, PolicyDocument, PrincipalSpec, Principals, Statement};
use crate::policy::matching::{glob_match, statement_covers_action};

pub const ASSUME_ROLE: &str = "sts:AssumeRole";
pub const ASSUME_ROLE_WITH_WEB_IDENTITY: &str = "sts:AssumeRoleWithWebIdentity";
pub const ASSUME_ROLE_WITH_SAML: &str = "sts:AssumeRoleWithSAML";

/// The STS actions that hand out the role's credentials (`sts:TagSession` and friends only
/// decorate a session one of these opens).
const ASSUME_ACTIONS: [&str; 3] = [
    ASSUME_ROLE,
    ASSUME_ROLE_WITH_WEB_IDENTITY,
    ASSUME_ROLE_WITH_SAML,
];

/// `Statement[0]`, or `Statement[0] (Sid "Vendor")`: how findings point into a document.
pub fn statement_label(index: usize, statement: &Statement) -> String {
    match statement.sid.as_deref().filter(|sid| !sid.is_empty()) {
        Some(sid) => format!("Statement[{index}] (Sid \"{sid}\")"),
        None => format!("Statement[{index}]"),
    }
}

fn has_wildcard(value: &str) -> bool {
    value.contains(['*', '?'])
}

/// A value that matches anything under a wildcard operator: `*`, `**`, `?*`.
fn only_wildcards(value: &str) -> bool {
    value.contains('*') && value.chars().all(|c| c == '*' || c == '?')
}

/// The assume actions a statement grants, in a fixed order.
fn assume_actions(statement: &Statement) -> Vec<&'static str> {
    ASSUME_ACTIONS
        .into_iter()
        .filter(|action| statement_covers_action(statement, action))
        .collect()
}

/// A condition operator taken apart: `ForAnyValue:StringLikeIfExists` is the base
/// `StringLike` with a set qualifier and `IfExists`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operator<'a> {
    base: &'a str,
    set: SetQualifier,
    if_exists: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SetQualifier {
    Single,
    ForAnyValue,
    ForAllValues,
}

impl<'a> Operator<'a> {
    pub fn parse(text: &'a str) -> Self {
        let (set, rest) = match text.split_once(':') {
            Some((prefix, rest)) if prefix.eq_ignore_ascii_case("ForAnyValue") => {
                (SetQualifier::ForAnyValue, rest)
            }
            Some((prefix, rest)) if prefix.eq_ignore_ascii_case("ForAllValues") => {
                (SetQualifier::ForAllValues, rest)
            }
            _ => (SetQualifier::Single, text),
        };
        let suffix = "IfExists";
        let (base, if_exists) = match rest.len().checked_sub(suffix.len()) {
            Some(cut) if rest.is_char_boundary(cut) && rest[cut..].eq_ignore_ascii_case(suffix) => {
                (&rest[..cut], true)
            }
            _ => (rest, false),
        };
        Operator {
            base,
            set,
            if_exists,
        }
    }

    fn base_is(&self, names: &[&str]) -> bool {
        names
            .iter()
            .any(|name| self.base.eq_ignore_ascii_case(name))
    }

    /// A string or ARN comparison that admits only the listed values.
    fn is_positive_match(&self) -> bool {
        self.base_is(&[
            "StringEquals",
            "StringEqualsIgnoreCase",
            "StringLike",
            "ArnEquals",
            "ArnLike",
        ])
    }

    /// A string or ARN comparison that excludes the listed values.
    fn is_negated_match(&self) -> bool {
        self.base_is(&[
            "StringNotEquals",
            "StringNotEqualsIgnoreCase",
            "StringNotLike",
            "ArnNotEquals",
            "ArnNotLike",
        ])
    }

    /// Whether `*` and `?` in values are wildcards (in `StringEquals` they are literal).
    fn expands_wildcards(&self) -> bool {
        self.base_is(&[
            "StringLike",
            "StringNotLike",
            "ArnEquals",
            "ArnLike",
            "ArnNotEquals",
            "ArnNotLike",
        ])
    }

    fn ignores_case(&self) -> bool {
        self.base.to_ascii_lowercase().ends_with("ignorecase")
    }

    /// True only when the key is present and matches: no `IfExists`, no `ForAllValues:`
    /// (both are true for an absent key).
    fn requires_presence(&self) -> bool {
        !self.if_exists && self.set != SetQualifier::ForAllValues
    }

    /// Whether `value` (a request value) matches `pattern` (a policy value) under this
    /// operator's comparison.
    fn value_matches(&self, pattern: &str, value: &str) -> bool {
        if self.expands_wildcards() {
            glob_match(pattern, value)
        } else if self.ignores_case() {
            pattern.eq_ignore_ascii_case(value)
        } else {
            pattern == value
        }
    }
}

/// One condition: an operator, one key and its values.
#[derive(Debug, Clone, Copy)]
pub struct Clause<'a> {
    pub operator: &'a str,
    pub key: &'a str,
    pub values: &'a [String],
    op: Operator<'a>,
}

impl<'a> Clause<'a> {
    /// `StringLike token.actions.githubusercontent.com:sub ["repo:org/*"]`
    pub fn describe(&self) -> String {
        format!(
            "{} {} {}",
            self.operator,
            self.key,
            quoted_list(self.values)
        )
    }

    /// Whether every value names something: not empty, and not only wildcards where the
    /// operator expands them.
    fn names_values(&self) -> bool {
        !self.values.is_empty()
            && self.values.iter().all(|value| {
                !(value.is_empty() || self.op.expands_wildcards() && only_wildcards(value))
            })
    }

    /// A positive comparison that holds only when the key is present and matches.
    fn restricts(&self) -> bool {
        self.op.is_positive_match() && self.op.requires_presence()
    }

    /// A positive comparison that also holds when the key is absent.
    fn is_loose(&self) -> bool {
        self.op.is_positive_match() && !self.op.requires_presence()
    }
}

/// `["a", "b"]`, or `"a"` for a single value.
pub fn quoted_list(values: &[String]) -> String {
    let quoted: Vec<String> = values.iter().map(|value| format!("\"{value}\"")).collect();
    match quoted.as_slice() {
        [one] => one.clone(),
        _ => format!("[{}]", quoted.join(", ")),
    }
}

/// Every condition of a statement, one clause per key.
pub fn clauses(statement: &Statement) -> impl Iterator<Item = Clause<'_>> {
    statement.condition.iter().flat_map(|(operator, keys)| {
        keys.iter().map(move |(key, values)| Clause {
            operator,
            key,
            values,
            op: Operator::parse(operator),
        })
    })
}

/// The clauses on `key` (condition keys are case-insensitive).
fn clauses_on<'a>(statement: &'a Statement, key: &str) -> Vec<Clause<'a>> {
    clauses(statement)
        .filter(|clause| clause.key.eq_ignore_ascii_case(key))
        .collect()
}

fn aws_values<'a>(principals: &'a Principals, kind: &str) -> &'a [String] {
    match principals {
        Principals::Any => &[],
        Principals::Map(map) => map
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(kind))
            .map(|(_, values)| values.as_slice())
            .unwrap_or(&[]),
    }
}

/// The named principals of an Allow statement's `Principal` (not `NotPrincipal`) of one type.
fn allowed_principals<'a>(statement: &'a Statement, kind: &str) -> &'a [String] {
    match (&statement.effect, &statement.principal) {
        (Effect::Allow, Some(PrincipalSpec::Principal(principals))) => aws_values(principals, kind),
        _ => &[],
    }
}

// ---------------------------------------------------------------------------------------
// Who the caller is pinned to

/// The kind of value a caller-identifying key holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CallerKey {
    Account,
    Organization,
    OrganizationPath,
    Arn,
}

/// Keys that tie the caller (or, for the `aws:Source*` keys, the resource a service acts
/// for) to your organization, accounts or principals, and whether every signed request
/// carries them. `aws:PrincipalArn` and `aws:PrincipalAccount` are in every request, so an
/// `IfExists` on them still pins; the others are absent for callers outside an
/// organization or for direct calls, where `IfExists` lets the request through.
/// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html>
const CALLER_KEYS: &[(&str, CallerKey, bool)] = &[
    ("aws:PrincipalOrgID", CallerKey::Organization, false),
    ("aws:PrincipalOrgPaths", CallerKey::OrganizationPath, false),
    ("aws:PrincipalArn", CallerKey::Arn, true),
    ("aws:PrincipalAccount", CallerKey::Account, true),
    ("aws:SourceOrgID", CallerKey::Organization, false),
    ("aws:SourceOrgPaths", CallerKey::OrganizationPath, false),
    ("aws:SourceAccount", CallerKey::Account, false),
    ("aws:SourceArn", CallerKey::Arn, false),
];

fn caller_key(key: &str) -> Option<(CallerKey, bool)> {
    CALLER_KEYS
        .iter()
        .find(|(name, _, _)| name.eq_ignore_ascii_case(key))
        .map(|&(_, kind, always_present)| (kind, always_present))
}

/// The account field of an ARN, when the ARN has one.
pub fn arn_account(arn: &str) -> Option<&str> {
    let mut parts = arn.splitn(6, ':');
    (parts.next() == Some("arn")).then_some(())?;
    parts.nth(3).filter(|account| !account.is_empty())
}

pub fn is_account_id(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|byte| byte.is_ascii_digit())
}

/// The accounts that are yours: the role's own, and those you declared (`known_accounts`).
#[derive(Debug, Clone, Copy)]
pub struct OwnAccounts<'a> {
    pub own: &'a str,
    pub known: &'a [String],
}

impl OwnAccounts<'_> {
    pub fn contains(&self, account: &str) -> bool {
        account == self.own || self.known.iter().any(|known| known == account)
    }
}

/// Why a value of a caller key does not name something of yours, or `None` when it does:
/// one of your accounts (without wildcards, where the operator expands them), an
/// organization id without wildcards, an ARN in one of your accounts (or, for ARNs without
/// an account such as S3 buckets, one whose resource does not start with a wildcard).
fn value_problem(
    kind: CallerKey,
    value: &str,
    wildcards: bool,
    ours: OwnAccounts,
) -> Option<String> {
    let wild = |text: &str| wildcards && has_wildcard(text);
    let not_ours =
        |account: &str| format!("account {account} is neither this account nor in known_accounts");
    if value.is_empty() {
        return Some("an empty value".into());
    }
    match kind {
        CallerKey::Account if wild(value) => {
            Some(format!("\"{value}\" is a wildcard over accounts"))
        }
        CallerKey::Account => (!ours.contains(value)).then(|| not_ours(value)),
        CallerKey::Organization => {
            wild(value).then(|| format!("\"{value}\" is a wildcard over organizations"))
        }
        CallerKey::OrganizationPath => {
            let organization = value.split('/').next().unwrap_or_default();
            (organization.is_empty() || wild(organization))
                .then(|| format!("\"{value}\" does not name one organization"))
        }
        CallerKey::Arn => match value.splitn(6, ':').collect::<Vec<_>>().as_slice() {
            [_, _, _, _, "", resource] => (resource.is_empty()
                || (wildcards && resource.starts_with(['*', '?'])))
            .then(|| format!("\"{value}\" names neither an account nor one resource")),
            [_, _, _, _, account, _] if wild(account) || !is_account_id(account) => {
                Some(format!("\"{value}\" is a wildcard over accounts"))
            }
            [_, _, _, _, account, _] => (!ours.contains(account)).then(|| not_ours(account)),
            _ => Some(format!("\"{value}\" is not an ARN")),
        },
    }
}

/// The first value of a clause on a caller key that does not name something of yours.
fn values_problem(kind: CallerKey, clause: &Clause, ours: OwnAccounts) -> Option<String> {
    if clause.values.is_empty() {
        return Some("no values".into());
    }
    clause
        .values
        .iter()
        .find_map(|value| value_problem(kind, value, clause.op.expands_wildcards(), ours))
}

/// A clause that lets only your organization, accounts or principals through.
fn pins_caller(clause: &Clause, ours: OwnAccounts) -> bool {
    let Some((kind, always_present)) = caller_key(clause.key) else {
        return false;
    };
    clause.op.is_positive_match()
        && clause.op.set != SetQualifier::ForAllValues
        && (!clause.op.if_exists || always_present)
        && values_problem(kind, clause, ours).is_none()
}

/// A Deny clause that refuses everyone outside your organization, accounts or principals:
/// a negated comparison (true for an absent key too, so callers without the key are
/// refused as well).
fn refuses_outsiders(clause: &Clause, ours: OwnAccounts) -> bool {
    let Some((kind, _)) = caller_key(clause.key) else {
        return false;
    };
    clause.op.is_negated_match()
        && clause.op.set == SetQualifier::Single
        && values_problem(kind, clause, ours).is_none()
}

// ---------------------------------------------------------------------------------------
// trust-public

/// An Allow statement that names every principal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicTrust {
    pub index: usize,
    pub label: String,
    /// How the statement names everyone: `Principal "*"`, `Principal {"AWS": "*"}`, ...
    pub principal: String,
    /// The assume actions it grants.
    pub actions: Vec<&'static str>,
    /// What confines it to your own callers, if anything does.
    pub narrowed_by: Option<String>,
    /// Caller-key conditions it has that do not confine it, and why.
    pub ineffective: Vec<String>,
}

fn names_everyone(principals: &Principals) -> bool {
    matches!(principals, Principals::Any) || aws_values(principals, "AWS").iter().any(|v| v == "*")
}

/// How a statement names every principal, if it does.
fn everyone_spelling(statement: &Statement) -> Option<String> {
    match &statement.principal {
        Some(PrincipalSpec::Principal(Principals::Any)) => Some("Principal \"*\"".into()),
        Some(PrincipalSpec::Principal(principals)) if names_everyone(principals) => {
            Some("Principal {\"AWS\": \"*\"}".into())
        }
        Some(PrincipalSpec::NotPrincipal(principals)) => {
            let excluded: Vec<String> = match principals {
                Principals::Any => vec!["*".into()],
                Principals::Map(map) => map.values().flatten().cloned().collect(),
            };
            Some(format!(
                "NotPrincipal (everyone except {})",
                quoted_list(&excluded)
            ))
        }
        _ => None,
    }
}

/// Why a caller-key clause does not confine the statement.
fn why_not_pinning(clause: &Clause, ours: OwnAccounts) -> Option<String> {
    let (kind, always_present) = caller_key(clause.key)?;
    if pins_caller(clause, ours) {
        return None;
    }
    let reason = if clause.op.is_negated_match() {
        "a negated operator excludes some callers but admits all others"
    } else if !clause.op.is_positive_match() {
        "the operator does not compare the value as a string or ARN"
    } else if clause.op.set == SetQualifier::ForAllValues {
        "ForAllValues: is true when the key is absent"
    } else if clause.op.if_exists && !always_present {
        "...IfExists is true when the key is absent (callers outside any organization, direct calls)"
    } else {
        return Some(format!(
            "{} ({})",
            clause.describe(),
            values_problem(kind, clause, ours).unwrap_or_default()
        ));
    };
    Some(format!("{} ({reason})", clause.describe()))
}

/// Whether a Deny statement refuses, for all of `actions`, every caller outside your
/// organization, accounts or principals.
fn deny_confines(statement: &Statement, actions: &[&str], ours: OwnAccounts) -> bool {
    let applies_to_everyone = match &statement.principal {
        Some(PrincipalSpec::Principal(principals)) => names_everyone(principals),
        _ => false,
    };
    let mut clauses = clauses(statement).peekable();
    statement.effect == Effect::Deny
        && applies_to_everyone
        && actions
            .iter()
            .all(|action| statement_covers_action(statement, action))
        && clauses.peek().is_some()
        && clauses.all(|clause| refuses_outsiders(&clause, ours))
}

/// Every Allow statement that names every principal for an assume action.
pub fn public_trusts(document: &PolicyDocument, ours: OwnAccounts) -> Vec<PublicTrust> {
    document
        .statements
        .iter()
        .enumerate()
        .filter(|(_, statement)| statement.effect == Effect::Allow)
        .filter_map(|(index, statement)| {
            let principal = everyone_spelling(statement)?;
            let actions = assume_actions(statement);
            if actions.is_empty() {
                return None;
            }
            let narrowed_by = clauses(statement)
                .find(|clause| pins_caller(clause, ours))
                .map(|clause| clause.describe())
                .or_else(|| {
                    document
                        .statements
                        .iter()
                        .enumerate()
                        .find(|(_, deny)| deny_confines(deny, &actions, ours))
                        .map(|(deny_index, deny)| {
                            format!("the Deny in {}", statement_label(deny_index, deny))
                        })
                });
            let ineffective = clauses(statement)
                .filter_map(|clause| why_not_pinning(&clause, ours))
                .collect();
            Some(PublicTrust {
                index,
                label: statement_label(index, statement),
                principal,
                actions,
                narrowed_by,
                ineffective,
            })
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// trust-cross-account

/// One value of `Principal.AWS`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AwsPrincipal {
    /// `*`: everyone (trust-public's concern).
    Everyone,
    /// An account (its root or a bare id) or a principal in it.
    InAccount {
        value: String,
        account: String,
        root: bool,
    },
    /// A unique id (`AROA...`, `AIDA...`): IAM shows these when the named principal was
    /// deleted, and nothing can use them.
    Unresolved(String),
}

pub fn parse_aws_principal(value: &str) -> AwsPrincipal {
    if value == "*" {
        return AwsPrincipal::Everyone;
    }
    if is_account_id(value) {
        return AwsPrincipal::InAccount {
            value: value.to_string(),
            account: value.to_string(),
            root: true,
        };
    }
    match arn_account(value).filter(|account| is_account_id(account)) {
        Some(account) => AwsPrincipal::InAccount {
            value: value.to_string(),
            account: account.to_string(),
            root: value.rsplit(':').next() == Some("root"),
        },
        None => AwsPrincipal::Unresolved(value.to_string()),
    }
}

/// An Allow statement that names AWS accounts or principals for `sts:AssumeRole`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountTrust {
    pub index: usize,
    pub label: String,
    /// `(value as written, account, is the account root)`.
    pub principals: Vec<(String, String, bool)>,
    /// The condition that makes the caller prove something (an external id, MFA).
    pub guard: Option<String>,
}

/// A condition that a confused deputy or a stolen long-term key cannot satisfy on its own:
/// `sts:ExternalId` pinned to a value, or MFA (`aws:MultiFactorAuthPresent` true, an
/// `aws:MultiFactorAuthAge` bound, or a `Null` test requiring that key). `IfExists` forms
/// do not count: long-term access keys carry no MFA keys, so they would pass.
fn guard_clause(clause: &Clause) -> bool {
    let key = clause.key.to_ascii_lowercase();
    let op = &clause.op;
    match key.as_str() {
        "sts:externalid" => clause.restricts() && clause.names_values(),
        "aws:multifactorauthpresent" => {
            op.base_is(&["Bool"])
                && op.requires_presence()
                && !clause.values.is_empty()
                && clause
                    .values
                    .iter()
                    .all(|value| value.eq_ignore_ascii_case("true"))
        }
        "aws:multifactorauthage" => {
            (op.base_is(&["NumericLessThan", "NumericLessThanEquals"]) && op.requires_presence())
                || (op.base_is(&["Null"])
                    && clause
                        .values
                        .iter()
                        .all(|value| value.eq_ignore_ascii_case("false")))
        }
        _ => false,
    }
}

/// Every Allow statement naming AWS accounts or principals (other than `*`) for
/// `sts:AssumeRole`.
pub fn account_trusts(document: &PolicyDocument) -> Vec<AccountTrust> {
    document
        .statements
        .iter()
        .enumerate()
        .filter(|(_, statement)| statement_covers_action(statement, ASSUME_ROLE))
        .filter_map(|(index, statement)| {
            let principals: Vec<(String, String, bool)> = allowed_principals(statement, "AWS")
                .iter()
                .filter_map(|value| match parse_aws_principal(value) {
                    AwsPrincipal::InAccount {
                        value,
                        account,
                        root,
                    } => Some((value, account, root)),
                    _ => None,
                })
                .collect();
            if principals.is_empty() {
                return None;
            }
            Some(AccountTrust {
                index,
                label: statement_label(index, statement),
                principals,
                guard: clauses(statement)
                    .find(guard_clause)
                    .map(|clause| clause.describe()),
            })
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// trust-service

/// An Allow statement naming an AWS service principal for `sts:AssumeRole`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceTrust {
    pub index: usize,
    pub label: String,
    /// As written: `config.amazonaws.com`, `states.eu-west-1.amazonaws.com`.
    pub principal: String,
    /// The service's name without region or domain: `config`, `states`.
    pub service: String,
    /// Clauses pinning the resource the service acts for to you: `aws:SourceAccount`,
    /// `aws:SourceArn`, `aws:SourceOrgID`, `aws:SourceOrgPaths`, or an `sts:ExternalId`.
    pub source_guards: Vec<String>,
    /// Source-key clauses that pin nothing, and why.
    pub ineffective: Vec<String>,
}

/// `states.eu-west-1.amazonaws.com` -> `states`; `config.amazonaws.com` -> `config`.
pub fn service_name(principal: &str) -> String {
    let lower = principal.to_ascii_lowercase();
    let host = ["amazonaws.com.cn", "amazonaws.com", "amazon.com"]
        .iter()
        .find_map(|domain| lower.strip_suffix(&format!(".{domain}")))
        .unwrap_or(&lower);
    let labels: Vec<&str> = host.split('.').collect();
    // A regional principal carries the region as its last label before the domain.
    match labels.as_slice() {
        [.., last] if labels.len() > 1 && is_region(last) => labels[..labels.len() - 1].join("."),
        _ => host.to_string(),
    }
}

/// `eu-west-1`, `us-gov-west-1`, `cn-north-1`: letters, dashes, a final number.
fn is_region(label: &str) -> bool {
    let parts: Vec<&str> = label.split('-').collect();
    parts.len() >= 3
        && parts[..parts.len() - 1]
            .iter()
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_lowercase()))
        && parts[parts.len() - 1].bytes().all(|b| b.is_ascii_digit())
}

fn is_source_key(key: &str) -> bool {
    [
        "aws:SourceAccount",
        "aws:SourceArn",
        "aws:SourceOrgID",
        "aws:SourceOrgPaths",
    ]
    .iter()
    .any(|name| name.eq_ignore_ascii_case(key))
}

/// A clause that pins the source of a service's request to you.
fn source_guard(clause: &Clause, ours: OwnAccounts) -> bool {
    (is_source_key(clause.key) && pins_caller(clause, ours))
        || (clause.key.eq_ignore_ascii_case("sts:ExternalId") && guard_clause(clause))
}

/// Every (statement, service principal) pair that lets a service assume the role.
pub fn service_trusts(document: &PolicyDocument, ours: OwnAccounts) -> Vec<ServiceTrust> {
    document
        .statements
        .iter()
        .enumerate()
        .filter(|(_, statement)| statement_covers_action(statement, ASSUME_ROLE))
        .flat_map(|(index, statement)| {
            let guards: Vec<String> = clauses(statement)
                .filter(|clause| source_guard(clause, ours))
                .map(|clause| clause.describe())
                .collect();
            let ineffective: Vec<String> = clauses(statement)
                .filter(|clause| is_source_key(clause.key))
                .filter_map(|clause| why_not_pinning(&clause, ours))
                .collect();
            allowed_principals(statement, "Service")
                .iter()
                .map(move |principal| ServiceTrust {
                    index,
                    label: statement_label(index, statement),
                    principal: principal.clone(),
                    service: service_name(principal),
                    source_guards: guards.clone(),
                    ineffective: ineffective.clone(),
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// trust-federation

/// Which identity provider a `Principal.Federated` value names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    /// `token.actions.githubusercontent.com` (or an enterprise's own issuer under it).
    GitHubActions,
    /// An EKS cluster's issuer, `oidc.eks.REGION.amazonaws.com/id/ID` (IRSA).
    EksServiceAccounts,
    /// `cognito-identity.amazonaws.com`: Amazon Cognito identity pools.
    CognitoIdentity,
    /// Login with Amazon, Facebook or Google: end-user sign-in to your app, where the
    /// audience (your app id) is what matters.
    SocialLogin,
    /// Any other OpenID Connect provider registered in IAM.
    Oidc,
    Saml,
}

impl Provider {
    pub fn describe(self) -> &'static str {
        match self {
            Provider::GitHubActions => "GitHub Actions",
            Provider::EksServiceAccounts => "EKS service accounts (IRSA)",
            Provider::CognitoIdentity => "Amazon Cognito identity pools",
            Provider::SocialLogin => "web identity (social login)",
            Provider::Oidc => "OpenID Connect",
            Provider::Saml => "SAML",
        }
    }
}

/// An Allow statement that lets identities of one provider assume the role.
#[derive(Debug, Clone)]
pub struct FederatedTrust<'a> {
    pub index: usize,
    pub label: String,
    pub statement: &'a Statement,
    /// The `Principal.Federated` value: a provider ARN or a built-in provider's name.
    pub principal: String,
    pub provider: Provider,
    /// What its condition keys start with: `token.actions.githubusercontent.com`, `SAML`.
    pub key_prefix: String,
}

/// Whether a problem lets in identities you do not control, or only removes a second line
/// of defence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gravity {
    Open,
    Hardening,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FederationProblem {
    pub gravity: Gravity,
    pub problem: String,
}

fn classify_federated(value: &str) -> Option<(Provider, String)> {
    if let Some((_, name)) = value.split_once(":saml-provider/") {
        return (!name.is_empty()).then(|| (Provider::Saml, "SAML".to_string()));
    }
    let prefix = match value.split_once(":oidc-provider/") {
        Some((_, path)) => path.to_string(),
        None => value.to_string(),
    };
    let lower = prefix.to_ascii_lowercase();
    let provider = if lower == "token.actions.githubusercontent.com"
        || lower.starts_with("token.actions.githubusercontent.com/")
    {
        Provider::GitHubActions
    } else if lower.starts_with("oidc.eks.") && lower.contains("/id/") {
        Provider::EksServiceAccounts
    } else if lower == "cognito-identity.amazonaws.com" {
        Provider::CognitoIdentity
    } else if [
        "accounts.google.com",
        "graph.facebook.com",
        "www.amazon.com",
    ]
    .contains(&lower.as_str())
    {
        Provider::SocialLogin
    } else {
        Provider::Oidc
    };
    Some((provider, prefix))
}

/// Every (statement, provider) pair that lets federated identities assume the role.
pub fn federated_trusts(document: &PolicyDocument) -> Vec<FederatedTrust<'_>> {
    document
        .statements
        .iter()
        .enumerate()
        .flat_map(|(index, statement)| {
            allowed_principals(statement, "Federated")
                .iter()
                .filter_map(move |value| {
                    let (provider, key_prefix) = classify_federated(value)?;
                    let action = match provider {
                        Provider::Saml => ASSUME_ROLE_WITH_SAML,
                        _ => ASSUME_ROLE_WITH_WEB_IDENTITY,
                    };
                    statement_covers_action(statement, action).then(|| FederatedTrust {
                        index,
                        label: statement_label(index, statement),
                        statement,
                        principal: value.clone(),
                        provider,
                        key_prefix,
                    })
                })
        })
        .collect()
}

/// The AWS sign-in endpoints SAML assertions for AWS are addressed to.
/// <https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_saml.html>
fn is_aws_saml_endpoint(value: &str) -> bool {
    let Some(host) = value
        .strip_prefix("https://")
        .and_then(|rest| rest.strip_suffix("/saml"))
    else {
        return false;
    };
    [
        "signin.aws.amazon.com",
        "signin.amazonaws.cn",
        "signin.amazonaws-us-gov.com",
    ]
    .iter()
    .any(|domain| host == *domain || host.ends_with(&format!(".{domain}")))
}

impl FederatedTrust<'_> {
    fn key(&self, claim: &str) -> String {
        format!("{}:{claim}", self.key_prefix)
    }

    /// The subject claim every `sub` value is judged against, or `None` where the subject
    /// is not expected to be pinned (end-user sign-in and SAML).
    fn subject_claim(&self) -> Option<&'static str> {
        match self.provider {
            Provider::GitHubActions | Provider::EksServiceAccounts | Provider::Oidc => Some("sub"),
            Provider::CognitoIdentity | Provider::SocialLogin | Provider::Saml => None,
        }
    }

    /// The claim holding the audience: the app or client the token was issued to.
    fn audience_claim(&self) -> &'static str {
        match self.key_prefix.to_ascii_lowercase().as_str() {
            "graph.facebook.com" | "www.amazon.com" => "app_id",
            _ => "aud",
        }
    }

    /// How much a missing or loose audience matters. For providers registered in IAM, STS
    /// also checks the token's audience against the provider's client ids, so the
    /// condition is a second line; for Cognito and the social providers it is the only
    /// thing tying tokens to your pool or app.
    fn audience_gravity(&self) -> Gravity {
        match self.provider {
            Provider::CognitoIdentity | Provider::SocialLogin => Gravity::Open,
            _ => Gravity::Hardening,
        }
    }

    /// Who could assume the role if the subject were not pinned.
    fn anyone(&self) -> &'static str {
        match self.provider {
            Provider::GitHubActions => "any GitHub Actions workflow of any repository on GitHub",
            Provider::EksServiceAccounts => "any service account in any namespace of the cluster",
            _ => "any identity the provider issues tokens for",
        }
    }

    /// Why a `sub` value admits more than one workload, or `None` when it pins one.
    fn broad_subject(&self, value: &str, wildcards: bool) -> Option<String> {
        if !wildcards {
            return None;
        }
        if only_wildcards(value) {
            return Some(format!("\"{value}\" admits {}", self.anyone()));
        }
        match self.provider {
            Provider::GitHubActions => broad_github_subject(value),
            Provider::EksServiceAccounts => broad_eks_subject(value),
            _ => value.starts_with(['*', '?']).then(|| {
                format!("\"{value}\" starts with a wildcard, so it admits subjects of any prefix")
            }),
        }
    }

    /// Problems with the statement's conditions for this provider, most serious first.
    pub fn problems(&self) -> Vec<FederationProblem> {
        let mut problems = Vec::new();
        if let Some(claim) = self.subject_claim() {
            problems.extend(self.subject_problems(claim));
        }
        problems.extend(self.audience_problems());
        problems.sort_by_key(|problem| problem.gravity != Gravity::Open);
        problems
    }

    fn subject_problems(&self, claim: &str) -> Vec<FederationProblem> {
        let key = self.key(claim);
        let on_key = clauses_on(self.statement, &key);
        let strict: Vec<&Clause> = on_key.iter().filter(|clause| clause.restricts()).collect();
        let broad_values = |clause: &Clause| -> Vec<String> {
            clause
                .values
                .iter()
                .filter_map(|value| self.broad_subject(value, clause.op.expands_wildcards()))
                .collect()
        };
        // Clauses on one key are ANDed: one that pins is enough.
        if strict.iter().any(|clause| broad_values(clause).is_empty()) {
            return Vec::new();
        }
        if !strict.is_empty() {
            return strict
                .iter()
                .map(|clause| FederationProblem {
                    gravity: Gravity::Open,
                    problem: format!(
                        "condition {} is too broad: {}",
                        clause.describe(),
                        broad_values(clause).join("; ")
                    ),
                })
                .collect();
        }
        let loose: Vec<&Clause> = on_key.iter().filter(|clause| clause.is_loose()).collect();
        if !loose.is_empty() {
            return loose
                .iter()
                .map(|clause| {
                    let broad = broad_values(clause);
                    FederationProblem {
                        // The providers always send `sub`, so a pinned value still pins;
                        // the operator is wrong all the same and fails open elsewhere.
                        gravity: if broad.is_empty() {
                            Gravity::Hardening
                        } else {
                            Gravity::Open
                        },
                        problem: format!(
                            "condition {} is true when the claim is absent ({}); use StringEquals or StringLike{}",
                            clause.describe(),
                            qualifier_reason(&clause.op),
                            if broad.is_empty() {
                                String::new()
                            } else {
                                format!(", and pin it: {}", broad.join("; "))
                            }
                        ),
                    }
                })
                .collect();
        }
        vec![FederationProblem {
            gravity: Gravity::Open,
            problem: format!(
                "no condition on {key}: {} can assume the role",
                self.anyone()
            ),
        }]
    }

    fn audience_problems(&self) -> Vec<FederationProblem> {
        let key = self.key(self.audience_claim());
        let gravity = self.audience_gravity();
        let expected = match self.provider {
            Provider::GitHubActions | Provider::EksServiceAccounts => " (sts.amazonaws.com)",
            Provider::CognitoIdentity => " (your identity pool id)",
            Provider::SocialLogin => " (your app's client id)",
            Provider::Saml => {
                " (https://signin.aws.amazon.com/saml or a regional https://REGION.signin.aws.amazon.com/saml)"
            }
            Provider::Oidc => "",
        };
        let on_key = clauses_on(self.statement, &key);
        let strict: Vec<&Clause> = on_key.iter().filter(|clause| clause.restricts()).collect();
        if strict.iter().any(|clause| clause.names_values()) {
            if self.provider == Provider::Saml {
                return self.saml_audience_values(&strict);
            }
            return Vec::new();
        }
        if let Some(clause) = strict.first() {
            return vec![FederationProblem {
                gravity,
                problem: format!(
                    "condition {} admits any audience; pin it to the expected value{expected}",
                    clause.describe()
                ),
            }];
        }
        if let Some(clause) = on_key.iter().find(|clause| clause.is_loose()) {
            return vec![FederationProblem {
                gravity,
                problem: format!(
                    "condition {} is true when the claim is absent ({}); use StringEquals",
                    clause.describe(),
                    qualifier_reason(&clause.op)
                ),
            }];
        }
        vec![FederationProblem {
            gravity,
            problem: format!("no condition on {key}{expected}"),
        }]
    }

    /// A SAML audience that is not an AWS sign-in endpoint: assertions addressed to
    /// another service provider of the same IdP would be accepted.
    fn saml_audience_values(&self, strict: &[&Clause]) -> Vec<FederationProblem> {
        let foreign: Vec<&String> = strict
            .iter()
            .flat_map(|clause| clause.values.iter())
            .filter(|value| !is_aws_saml_endpoint(value))
            .collect();
        if foreign.is_empty() {
            return Vec::new();
        }
        let values: Vec<String> = foreign.into_iter().cloned().collect();
        vec![FederationProblem {
            gravity: Gravity::Hardening,
            problem: format!(
                "SAML:aud allows {}, which is not an AWS sign-in endpoint (https://signin.aws.amazon.com/saml or https://REGION.signin.aws.amazon.com/saml)",
                quoted_list(&values)
            ),
        }]
    }

    /// The statement's conditions on the subject and audience, for pass messages.
    pub fn pinned_to(&self) -> Vec<String> {
        let mut keys = Vec::new();
        if let Some(claim) = self.subject_claim() {
            keys.push(self.key(claim));
        }
        keys.push(self.key(self.audience_claim()));
        keys.iter()
            .flat_map(|key| clauses_on(self.statement, key))
            .filter(|clause| clause.restricts())
            .map(|clause| clause.describe())
            .collect()
    }

    /// For Cognito identity pools: why unauthenticated (guest) identities can assume the
    /// role, or `None` when an `amr` condition requires authenticated ones.
    pub fn admits_unauthenticated(&self) -> Option<String> {
        if self.provider != Provider::CognitoIdentity {
            return None;
        }
        let key = self.key("amr");
        let on_key = clauses_on(self.statement, &key);
        // amr is multi-valued (["authenticated", "graph.facebook.com", ...] or
        // ["unauthenticated"]); ForAnyValue: is its usual qualifier. Only `IfExists` is
        // ignored, Cognito always sends the claim.
        let restricting: Vec<&Clause> = on_key
            .iter()
            .filter(|clause| clause.op.is_positive_match() && !clause.op.if_exists)
            .collect();
        if restricting.is_empty() {
            return Some(format!(
                "no condition on {key} requires \"authenticated\", so guest identities of the pool can assume the role"
            ));
        }
        let blocks = |clause: &&Clause| {
            !clause
                .values
                .iter()
                .any(|pattern| clause.op.value_matches(pattern, "unauthenticated"))
        };
        if restricting.iter().any(blocks) {
            return None;
        }
        let clause = restricting[0];
        Some(format!(
            "condition {} admits \"unauthenticated\" (guest) identities",
            clause.describe()
        ))
    }
}

fn qualifier_reason(op: &Operator) -> &'static str {
    if op.set == SetQualifier::ForAllValues {
        "ForAllValues: tests every value of a multi-valued key and is true for none"
    } else {
        "...IfExists skips the test when the key is missing"
    }
}

/// `repo:OWNER/REPO:...`: a wildcard in the owner or the repository admits repositories
/// you may not control. A wildcard after the repository (`repo:org/app:*`, any branch,
/// pull request or environment of one repository) is GitHub's documented pattern and
/// passes; pinning a ref or environment is tighter still.
fn broad_github_subject(value: &str) -> Option<String> {
    let Some(rest) = value.strip_prefix("repo:") else {
        // A customised subject template (repository_owner_id:..., job_workflow_ref:...).
        return value
            .starts_with(['*', '?'])
            .then(|| format!("\"{value}\" starts with a wildcard, so it admits any repository"));
    };
    let repository = rest.split(':').next().unwrap_or(rest);
    let (owner, name) = match repository.split_once('/') {
        Some((owner, name)) => (owner, Some(name)),
        None => (repository, None),
    };
    if has_wildcard(owner) {
        return Some(format!(
            "\"{value}\" admits repositories of any owner matching \"{owner}\", including accounts anyone can create"
        ));
    }
    match name {
        Some(name) if has_wildcard(name) => {
            let which = if only_wildcards(name) {
                "every repository".to_string()
            } else {
                format!("every repository matching \"{name}\"")
            };
            Some(format!(
                "\"{value}\" admits {which} of {owner}, not one repository"
            ))
        }
        Some(_) => None,
        None => Some(format!("\"{value}\" names no repository of {owner}")),
    }
}

/// `system:serviceaccount:NAMESPACE:NAME`: a wildcard in either admits other workloads.
fn broad_eks_subject(value: &str) -> Option<String> {
    let Some(rest) = value.strip_prefix("system:serviceaccount:") else {
        return has_wildcard(value).then(|| {
            format!("\"{value}\" does not name one service account (expected system:serviceaccount:NAMESPACE:NAME)")
        });
    };
    let (namespace, name) = rest.split_once(':').unwrap_or((rest, ""));
    if has_wildcard(namespace) {
        Some(format!(
            "\"{value}\" admits service accounts of any namespace matching \"{namespace}\""
        ))
    } else if has_wildcard(name) || name.is_empty() {
        Some(format!(
            "\"{value}\" admits every service account matching \"{name}\" in namespace {namespace}"
        ))
    } else {
        None
    }
}

/// Provider ARNs (and built-in provider names) that an Allow statement trusts.
pub fn trusted_providers(document: &PolicyDocument) -> impl Iterator<Item = &str> {
    document
        .statements
        .iter()
        .flat_map(|statement| allowed_principals(statement, "Federated").iter())
        .map(String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn document(statements: Value) -> PolicyDocument {
        PolicyDocument::from_value(&json!({"Version": "2012-10-17", "Statement": statements}))
            .unwrap()
    }

    const OURS: OwnAccounts = OwnAccounts {
        own: "123456789012",
        known: &[],
    };

    fn public(statements: Value) -> Vec<PublicTrust> {
        public_trusts(&document(statements), OURS)
    }

    fn services(statements: Value) -> Vec<ServiceTrust> {
        service_trusts(&document(statements), OURS)
    }

    #[test]
    fn operators_come_apart_into_qualifier_base_and_if_exists() {
        let op = Operator::parse("ForAnyValue:StringLikeIfExists");
        assert_eq!(op.base, "StringLike");
        assert_eq!(op.set, SetQualifier::ForAnyValue);
        assert!(op.if_exists);
        assert!(!op.requires_presence());
        let op = Operator::parse("ForAllValues:StringEquals");
        assert!(!op.requires_presence());
        assert!(Operator::parse("StringNotLike").is_negated_match());
        assert!(!Operator::parse("StringEquals").expands_wildcards());
        assert!(Operator::parse("ArnEquals").expands_wildcards());
    }

    #[test]
    fn principal_star_without_conditions_is_public() {
        let trusts = public(json!([
            {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}
        ]));
        assert_eq!(trusts.len(), 1);
        assert_eq!(trusts[0].principal, "Principal \"*\"");
        assert_eq!(trusts[0].narrowed_by, None);
    }

    #[test]
    fn aws_star_and_not_principal_are_public_too() {
        let trusts = public(json!([
            {"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::111122223333:root", "*"]}, "Action": "sts:AssumeRole"},
            {"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "sts:*"}
        ]));
        assert_eq!(trusts.len(), 2);
        assert_eq!(trusts[0].principal, "Principal {\"AWS\": \"*\"}");
        assert!(trusts[1].principal.starts_with("NotPrincipal"));
    }

    #[test]
    fn principal_org_id_narrows_a_public_statement() {
        let trusts = public(json!([
            {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole",
             "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}
        ]));
        assert_eq!(
            trusts[0].narrowed_by.as_deref(),
            Some("StringEquals aws:PrincipalOrgID \"o-a1b2c3d4e5\"")
        );
    }

    #[test]
    fn conditions_that_do_not_pin_the_caller_leave_it_public() {
        for condition in [
            json!({"StringLike": {"aws:PrincipalOrgID": "o-*"}}),
            json!({"StringEqualsIfExists": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}),
            json!({"ForAllValues:StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}),
            json!({"StringNotEquals": {"aws:PrincipalAccount": "111122223333"}}),
            json!({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/deployer"}}),
            json!({"StringEquals": {"aws:PrincipalTag/team": "platform"}}),
            json!({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}),
        ] {
            let trusts = public(json!([
                {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole", "Condition": condition}
            ]));
            assert_eq!(trusts[0].narrowed_by, None, "{condition}");
        }
    }

    #[test]
    fn if_exists_still_pins_keys_every_request_carries() {
        let trusts = public(json!([
            {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole",
             "Condition": {"ArnLikeIfExists": {"aws:PrincipalArn": "arn:aws:iam::123456789012:role/ci-*"}}}
        ]));
        assert!(trusts[0].narrowed_by.is_some());
    }

    #[test]
    fn a_deny_for_outsiders_narrows_a_public_allow() {
        let trusts = public(json!([
            {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"},
            {"Sid": "OnlyOurOrg", "Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole",
             "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}
        ]));
        assert_eq!(
            trusts[0].narrowed_by.as_deref(),
            Some("the Deny in Statement[1] (Sid \"OnlyOurOrg\")")
        );
        // A Deny that also needs another condition to apply lets outsiders through.
        let trusts = public(json!([
            {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"},
            {"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole",
             "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}, "Bool": {"aws:SecureTransport": "false"}}}
        ]));
        assert_eq!(trusts[0].narrowed_by, None);
    }

    #[test]
    fn statements_without_assume_actions_are_not_trust() {
        assert!(
            public(json!([
                {"Effect": "Allow", "Principal": "*", "Action": "sts:TagSession"}
            ]))
            .is_empty()
        );
    }

    #[test]
    fn aws_principals_parse_to_accounts() {
        assert_eq!(
            parse_aws_principal("111122223333"),
            AwsPrincipal::InAccount {
                value: "111122223333".into(),
                account: "111122223333".into(),
                root: true
            }
        );
        assert_eq!(
            parse_aws_principal("arn:aws-cn:iam::111122223333:role/x"),
            AwsPrincipal::InAccount {
                value: "arn:aws-cn:iam::111122223333:role/x".into(),
                account: "111122223333".into(),
                root: false
            }
        );
        assert_eq!(
            parse_aws_principal("AROAEXAMPLEID"),
            AwsPrincipal::Unresolved("AROAEXAMPLEID".into())
        );
    }

    #[test]
    fn external_id_and_mfa_guard_account_trust_but_their_if_exists_forms_do_not() {
        let guarded = |condition: Value| {
            account_trusts(&document(json!([
                {"Effect": "Allow", "Principal": {"AWS": "999988887777"}, "Action": "sts:AssumeRole", "Condition": condition}
            ])))[0]
                .guard
                .is_some()
        };
        assert!(guarded(
            json!({"StringEquals": {"sts:ExternalId": "vendor-7f3a"}})
        ));
        assert!(guarded(
            json!({"Bool": {"aws:MultiFactorAuthPresent": "true"}})
        ));
        assert!(guarded(
            json!({"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}})
        ));
        assert!(!guarded(
            json!({"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}})
        ));
        assert!(!guarded(json!({"StringLike": {"sts:ExternalId": "*"}})));
        assert!(!guarded(
            json!({"StringNotEquals": {"sts:ExternalId": "x"}})
        ));
    }

    #[test]
    fn service_names_drop_region_and_domain() {
        assert_eq!(service_name("config.amazonaws.com"), "config");
        assert_eq!(service_name("states.eu-west-1.amazonaws.com"), "states");
        assert_eq!(service_name("logs.cn-north-1.amazonaws.com.cn"), "logs");
        assert_eq!(
            service_name("batchoperations.s3.amazonaws.com"),
            "batchoperations.s3"
        );
    }

    #[test]
    fn source_conditions_guard_service_trust_only_for_your_accounts() {
        let trusts = services(json!([
            {"Effect": "Allow", "Principal": {"Service": ["config.amazonaws.com", "ec2.amazonaws.com"]}, "Action": "sts:AssumeRole",
             "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"},
                           "ArnLike": {"aws:SourceArn": "arn:aws:config:*:123456789012:*"}}}
        ]));
        assert_eq!(trusts.len(), 2);
        assert_eq!(trusts[0].service, "config");
        assert_eq!(
            trusts[0].source_guards,
            [
                "ArnLike aws:SourceArn \"arn:aws:config:*:123456789012:*\"",
                "StringEquals aws:SourceAccount \"123456789012\""
            ]
        );
        for (condition, reason) in [
            (
                json!({"StringLike": {"aws:SourceAccount": "*"}}),
                "\"*\" is a wildcard over accounts",
            ),
            (
                json!({"StringEquals": {"aws:SourceAccount": "999988887777"}}),
                "account 999988887777 is neither this account nor in known_accounts",
            ),
            (
                json!({"ArnLike": {"aws:SourceArn": "arn:aws:config:*:*:*"}}),
                "\"arn:aws:config:*:*:*\" is a wildcard over accounts",
            ),
        ] {
            let unguarded = services(json!([
                {"Effect": "Allow", "Principal": {"Service": "config.amazonaws.com"}, "Action": "sts:AssumeRole",
                 "Condition": condition}
            ]));
            assert!(unguarded[0].source_guards.is_empty(), "{condition}");
            assert_eq!(unguarded[0].ineffective.len(), 1);
            assert!(
                unguarded[0].ineffective[0].ends_with(&format!("({reason})")),
                "{}",
                unguarded[0].ineffective[0]
            );
        }
        let known = ["999988887777".to_string()];
        let trusts = service_trusts(
            &document(json!([
                {"Effect": "Allow", "Principal": {"Service": "config.amazonaws.com"}, "Action": "sts:AssumeRole",
                 "Condition": {"StringEquals": {"aws:SourceAccount": "999988887777"}}}
            ])),
            OwnAccounts {
                own: "123456789012",
                known: &known,
            },
        );
        assert_eq!(trusts[0].source_guards.len(), 1);
    }

    #[test]
    fn a_public_trust_narrowed_to_another_account_is_not_yours() {
        let trusts = public(json!([
            {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole",
             "Condition": {"StringEquals": {"aws:PrincipalAccount": "999988887777"}}}
        ]));
        assert_eq!(trusts[0].narrowed_by, None);
        assert_eq!(
            trusts[0].ineffective,
            [
                "StringEquals aws:PrincipalAccount \"999988887777\" (account 999988887777 is neither this account nor in known_accounts)"
            ]
        );
    }

    fn github(condition: Value) -> Vec<FederationProblem> {
        let document = document(json!([{
            "Effect": "Allow",
            "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": condition
        }]));
        let trusts = federated_trusts(&document);
        assert_eq!(trusts.len(), 1);
        assert_eq!(trusts[0].provider, Provider::GitHubActions);
        trusts[0].problems()
    }

    fn gravities(problems: &[FederationProblem]) -> Vec<Gravity> {
        problems.iter().map(|problem| problem.gravity).collect()
    }

    #[test]
    fn github_trust_pinned_to_a_branch_or_environment_has_no_problem() {
        for sub in [
            "repo:org/app:ref:refs/heads/main",
            "repo:org/app:environment:prod",
        ] {
            assert!(
                github(json!({"StringEquals": {
                    "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                    "token.actions.githubusercontent.com:sub": sub}}))
                .is_empty(),
                "{sub}"
            );
        }
        // Any ref of one repository: GitHub's documented StringLike pattern.
        assert!(
            github(json!({
            "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
            "StringLike": {"token.actions.githubusercontent.com:sub": "repo:org/app:*"}}))
            .is_empty()
        );
    }

    #[test]
    fn github_subjects_that_admit_other_repositories_are_open() {
        for sub in [
            "*",
            "repo:*",
            "repo:org/*",
            "repo:org/app-*",
            "repo:*/app:*",
        ] {
            let problems = github(json!({
                "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                "StringLike": {"token.actions.githubusercontent.com:sub": sub}}));
            assert_eq!(gravities(&problems), [Gravity::Open], "{sub}: {problems:?}");
        }
        // One wildcard value anywhere in a list opens the statement.
        let problems = github(json!({
            "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
            "StringLike": {"token.actions.githubusercontent.com:sub": ["repo:org/app:ref:refs/heads/main", "repo:org/*"]}}));
        assert_eq!(gravities(&problems), [Gravity::Open]);
        assert!(
            problems[0].problem.contains("every repository of org"),
            "{problems:?}"
        );
    }

    #[test]
    fn string_equals_treats_a_star_literally() {
        assert!(
            github(json!({"StringEquals": {
            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
            "token.actions.githubusercontent.com:sub": "repo:org/*"}}))
            .is_empty()
        );
    }

    #[test]
    fn github_without_sub_or_aud_fails_each_on_its_own() {
        let problems = github(
            json!({"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}),
        );
        assert_eq!(gravities(&problems), [Gravity::Open]);
        assert!(
            problems[0]
                .problem
                .starts_with("no condition on token.actions.githubusercontent.com:sub")
        );
        let problems = github(
            json!({"StringEquals": {"token.actions.githubusercontent.com:sub": "repo:org/app:ref:refs/heads/main"}}),
        );
        assert_eq!(gravities(&problems), [Gravity::Hardening]);
        assert!(
            problems[0]
                .problem
                .contains("no condition on token.actions.githubusercontent.com:aud")
        );
    }

    #[test]
    fn if_exists_and_for_all_values_on_sub_or_aud_fail() {
        let problems = github(json!({
            "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
            "ForAllValues:StringLike": {"token.actions.githubusercontent.com:sub": "repo:org/*"}}));
        assert_eq!(gravities(&problems), [Gravity::Open]);
        let problems = github(json!({
            "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
            "StringEqualsIfExists": {"token.actions.githubusercontent.com:sub": "repo:org/app:ref:refs/heads/main"}}));
        assert_eq!(gravities(&problems), [Gravity::Hardening]);
        let problems = github(json!({
            "StringEquals": {"token.actions.githubusercontent.com:sub": "repo:org/app:ref:refs/heads/main"},
            "StringEqualsIfExists": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}));
        assert_eq!(gravities(&problems), [Gravity::Hardening]);
    }

    #[test]
    fn condition_keys_match_case_insensitively() {
        assert!(
            github(json!({"StringEquals": {
            "Token.Actions.GithubUserContent.com:AUD": "sts.amazonaws.com",
            "token.actions.githubusercontent.com:Sub": "repo:org/app:environment:prod"}}))
            .is_empty()
        );
    }

    fn eks(sub: &str) -> Vec<FederationProblem> {
        let document = document(json!([{
            "Effect": "Allow",
            "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC123"},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {"oidc.eks.eu-west-1.amazonaws.com/id/ABC123:aud": "sts.amazonaws.com"},
                          "StringLike": {"oidc.eks.eu-west-1.amazonaws.com/id/ABC123:sub": sub}}
        }]));
        let trusts = federated_trusts(&document);
        assert_eq!(trusts[0].provider, Provider::EksServiceAccounts);
        trusts[0].problems()
    }

    #[test]
    fn eks_subjects_must_name_one_namespace_and_service_account() {
        assert!(eks("system:serviceaccount:payments:api").is_empty());
        for sub in [
            "system:serviceaccount:*:*",
            "system:serviceaccount:*:api",
            "system:serviceaccount:payments:*",
            "system:serviceaccount:*",
            "*",
        ] {
            assert_eq!(gravities(&eks(sub)), [Gravity::Open], "{sub}");
        }
    }

    /// (gravities of the problems, why guests get in) for a Cognito identity pool trust.
    fn cognito(condition: Value) -> (Vec<Gravity>, Option<String>) {
        let document = document(json!([{
            "Effect": "Allow",
            "Principal": {"Federated": "cognito-identity.amazonaws.com"},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": condition
        }]));
        let trust = &federated_trusts(&document)[0];
        assert_eq!(trust.provider, Provider::CognitoIdentity);
        (gravities(&trust.problems()), trust.admits_unauthenticated())
    }

    #[test]
    fn cognito_needs_its_pool_as_audience_and_amr_decides_guest_access() {
        let (problems, guests) = cognito(
            json!({"ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "authenticated"}}),
        );
        assert_eq!(problems, [Gravity::Open]);
        assert_eq!(guests, None);
        let (problems, guests) = cognito(json!({
            "StringEquals": {"cognito-identity.amazonaws.com:aud": "us-east-1:12345678-1234-1234-1234-123456789012"},
            "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "unauthenticated"}}));
        assert!(problems.is_empty());
        assert!(guests.is_some());
        let (_, guests) =
            cognito(json!({"StringEquals": {"cognito-identity.amazonaws.com:aud": "us-east-1:x"}}));
        assert!(guests.unwrap().starts_with("no condition"));
    }

    #[test]
    fn saml_needs_an_aws_sign_in_audience() {
        let problems = |condition: Value| {
            let document = document(json!([{
                "Effect": "Allow",
                "Principal": {"Federated": "arn:aws:iam::123456789012:saml-provider/Okta"},
                "Action": "sts:AssumeRoleWithSAML",
                "Condition": condition
            }]));
            gravities(&federated_trusts(&document)[0].problems())
        };
        assert!(
            problems(json!({"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}))
                .is_empty()
        );
        assert!(problems(json!({"StringEquals": {"saml:aud": "https://eu-west-1.signin.aws.amazon.com/saml"}})).is_empty());
        assert_eq!(problems(json!({})), [Gravity::Hardening]);
        assert_eq!(
            problems(json!({"StringEquals": {"SAML:aud": "https://example.com/acs"}})),
            [Gravity::Hardening]
        );
    }

    #[test]
    fn other_oidc_providers_need_sub_and_aud_and_social_login_its_app_id() {
        let document = document(json!([
            {"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/gitlab.com"},
             "Action": "sts:AssumeRoleWithWebIdentity"},
            {"Effect": "Allow", "Principal": {"Federated": "graph.facebook.com"},
             "Action": "sts:AssumeRoleWithWebIdentity",
             "Condition": {"StringEquals": {"graph.facebook.com:app_id": "1234567890"}}}
        ]));
        let trusts = federated_trusts(&document);
        assert_eq!(trusts[0].provider, Provider::Oidc);
        assert_eq!(
            gravities(&trusts[0].problems()),
            [Gravity::Open, Gravity::Hardening]
        );
        assert_eq!(trusts[1].provider, Provider::SocialLogin);
        assert!(trusts[1].problems().is_empty());
    }

    #[test]
    fn federated_statements_need_the_matching_action() {
        let document = document(json!([
            {"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::123456789012:saml-provider/Okta"},
             "Action": "sts:AssumeRoleWithWebIdentity"}
        ]));
        assert!(federated_trusts(&document).is_empty());
    }
}
