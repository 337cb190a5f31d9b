//! What a statement's `Condition` block means for the question "does this statement
//! apply to an attacker's request?".
//!
//! The answer is asked from the attacker's side, so it depends on the effect:
//!
//! * An **Allow** counts when the attacker *can* make its condition true. Only `...IfExists`
//!   operators on keys that may be absent, `ForAllValues:` on a set the attacker may send
//!   empty, negated operators (`StringNotEquals`, `ArnNotLike`, `NotIpAddress`, ...) on keys
//!   the attacker chooses, and `Null` checks the attacker can satisfy are *effectively
//!   unconditional*. Anything else is *conditional*, with a short description.
//! * A **Deny** counts when it applies *whatever* the attacker does. Any condition the
//!   attacker might steer around makes it conditional, and a conditional Deny is never
//!   credited with removing a permission.
//!
//! Time keys are judged against the scan time: `aws:CurrentTime`/`aws:EpochTime` outside
//! their window make the statement unsatisfiable. `aws:TokenIssueTime` exists only for
//! temporary credentials, but anyone with keys can get fresh ones (`sts:GetSessionToken`),
//! so it is judged for a token issued at the scan time: "issued after a past date" holds,
//! "issued before a past date" cannot.

use super::document::{Effect, Statement};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use std::fmt;

/// How a statement's conditions bear on whether it applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConditionClass {
    /// No `Condition` block.
    Unconditional,
    /// Conditions the attacker meets anyway (Allow) or that hold regardless (Deny); the
    /// reason says why.
    EffectivelyUnconditional(String),
    /// Depends on something outside the attacker's control (Allow) or inside it (Deny);
    /// a short human description of what.
    Conditional(String),
    /// Provably never true (at the scan time); the reason says why.
    Unsatisfiable(String),
}

impl ConditionClass {
    /// Unconditional or effectively so: the statement applies to the attacker's request.
    pub fn is_certain(&self) -> bool {
        matches!(
            self,
            ConditionClass::Unconditional | ConditionClass::EffectivelyUnconditional(_)
        )
    }

    /// Whether the statement can apply at all.
    pub fn is_satisfiable(&self) -> bool {
        !matches!(self, ConditionClass::Unsatisfiable(_))
    }

    /// What a conditional statement depends on.
    pub fn dependency(&self) -> Option<&str> {
        match self {
            ConditionClass::Conditional(description) => Some(description),
            _ => None,
        }
    }
}

impl fmt::Display for ConditionClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConditionClass::Unconditional => f.write_str("unconditional"),
            ConditionClass::EffectivelyUnconditional(reason) => {
                write!(f, "effectively unconditional ({reason})")
            }
            ConditionClass::Conditional(description) => write!(f, "conditional on {description}"),
            ConditionClass::Unsatisfiable(reason) => write!(f, "never applies ({reason})"),
        }
    }
}

/// A condition operator split into its parts: `ForAllValues:StringLikeIfExists` is
/// `for_all_values`, base `stringlike`, `if_exists`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Operator {
    for_all_values: bool,
    /// Lower-cased, without prefix or `IfExists`.
    base: String,
    if_exists: bool,
}

impl Operator {
    fn parse(text: &str) -> Self {
        let lower = text.to_ascii_lowercase();
        // `ForAnyValue:` needs one matching value, as a plain operator does.
        let (for_all_values, rest) = if let Some(rest) = lower.strip_prefix("forallvalues:") {
            (true, rest)
        } else {
            (false, lower.strip_prefix("foranyvalue:").unwrap_or(&lower))
        };
        let (base, if_exists) = match rest.strip_suffix("ifexists") {
            Some(base) => (base, true),
            None => (rest, false),
        };
        Operator {
            for_all_values,
            base: base.to_string(),
            if_exists,
        }
    }

    /// `StringNotEquals`, `ArnNotLike`, `NotIpAddress`, `NumericNotEquals`, ...
    fn is_negated(&self) -> bool {
        self.base.contains("not")
    }

    fn is_null(&self) -> bool {
        self.base == "null"
    }

    fn is_date(&self) -> bool {
        self.base.starts_with("date") || self.base.starts_with("numeric")
    }
}

/// Keys every request carries: `IfExists` and `Null` change nothing for them.
fn always_present(key: &str) -> bool {
    matches!(
        key,
        "aws:currenttime"
            | "aws:epochtime"
            | "aws:securetransport"
            | "aws:principalarn"
            | "aws:principalaccount"
            | "aws:principaltype"
            | "aws:principalisawsservice"
            | "aws:viaawsservice"
            | "aws:requestedregion"
    )
}

/// Keys fixed by who the principal is or what the resource is: the attacker cannot choose
/// their values, so even a negated operator on them is a real condition.
fn is_identity_key(key: &str) -> bool {
    matches!(
        key,
        "aws:principalarn"
            | "aws:principalaccount"
            | "aws:principalorgid"
            | "aws:principalorgpaths"
            | "aws:principaltype"
            | "aws:userid"
            | "aws:username"
            | "aws:resourceaccount"
            | "aws:resourceorgid"
            | "aws:resourceorgpaths"
    ) || key.starts_with("aws:principaltag/")
        || key.contains(":resourcetag/")
}

fn is_mfa_key(key: &str) -> bool {
    matches!(key, "aws:multifactorauthpresent" | "aws:multifactorauthage")
}

/// Parses a condition date: ISO 8601 with or without a time, or seconds since the epoch.
fn parse_date(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(date) = DateTime::parse_from_rfc3339(text) {
        return Some(date.with_timezone(&Utc));
    }
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return date
            .and_hms_opt(0, 0, 0)
            .map(|naive| Utc.from_utc_datetime(&naive));
    }
    for format in ["%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%MZ", "%Y-%m-%dT%H:%M:%S"] {
        if let Ok(naive) = chrono::NaiveDateTime::parse_from_str(text, format) {
            return Some(Utc.from_utc_datetime(&naive));
        }
    }
    text.parse::<i64>()
        .ok()
        .and_then(|seconds| Utc.timestamp_opt(seconds, 0).single())
}

/// Whether `instant OP value` holds for any of `values` (all of them, for negated
/// operators). `None` when the operator or a value is not a date comparison we can judge.
fn compare_dates(base: &str, instant: DateTime<Utc>, values: &[String]) -> Option<bool> {
    let kind = base
        .strip_prefix("date")
        .or_else(|| base.strip_prefix("numeric"))?;
    let dates: Option<Vec<DateTime<Utc>>> = values.iter().map(|value| parse_date(value)).collect();
    let dates = dates?;
    let test = |date: &DateTime<Utc>| match kind {
        "equals" | "notequals" => instant == *date,
        "lessthan" => instant < *date,
        "lessthanequals" => instant <= *date,
        "greaterthan" => instant > *date,
        "greaterthanequals" => instant >= *date,
        _ => false,
    };
    match kind {
        "notequals" => Some(!dates.iter().any(test)),
        "equals" | "lessthan" | "lessthanequals" | "greaterthan" | "greaterthanequals" => {
            Some(dates.iter().any(test))
        }
        _ => None,
    }
}

/// One `operator: {key: values}` entry's verdict.
enum Clause {
    /// Holds for the attacker's request.
    Holds(String),
    Depends(String),
    Never(String),
}

fn describe(operator: &str, key: &str, values: &[String]) -> String {
    let shown = match values {
        [one] => format!("\"{one}\""),
        many => format!(
            "[{}]",
            many.iter()
                .map(|value| format!("\"{value}\""))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    format!("{operator} {key} {shown}")
}

fn judge_clause(
    effect: Effect,
    operator_text: &str,
    key_text: &str,
    values: &[String],
    guarded_keys: &[String],
    now: DateTime<Utc>,
) -> Clause {
    let operator = Operator::parse(operator_text);
    let key = key_text.to_ascii_lowercase();
    let description = describe(operator_text, key_text, values);

    // Time keys: judged against the scan time, for either effect.
    if operator.is_date() && matches!(key.as_str(), "aws:currenttime" | "aws:epochtime") {
        return match compare_dates(&operator.base, now, values) {
            Some(true) => Clause::Holds(format!("{description} holds at the scan time")),
            Some(false) => Clause::Never(format!("{description} is false at the scan time")),
            None => Clause::Depends(description),
        };
    }
    if operator.is_date() && key == "aws:tokenissuetime" {
        // A fresh temporary credential is issued now; long-term keys lack the key.
        return match (compare_dates(&operator.base, now, values), effect) {
            (None, _) => Clause::Depends(description),
            (Some(true), Effect::Allow) => Clause::Holds(format!(
                "{description}: any user can get fresh temporary credentials (sts:GetSessionToken)"
            )),
            (Some(false), Effect::Allow) if operator.if_exists => Clause::Holds(format!(
                "{description}: long-term credentials carry no token issue time"
            )),
            (Some(false), Effect::Allow) => Clause::Never(format!(
                "{description} needs credentials issued outside that time, which a fresh credential is not"
            )),
            (Some(true), Effect::Deny) if operator.if_exists => {
                Clause::Holds(format!("{description} holds for every credential"))
            }
            (Some(true), Effect::Deny) => Clause::Depends(format!(
                "{description} (applies to temporary credentials only)"
            )),
            (Some(false), Effect::Deny) => Clause::Never(format!(
                "{description}: fresh temporary credentials escape it"
            )),
        };
    }

    if effect == Effect::Deny {
        // A Deny counts only when it applies whatever the attacker does.
        if operator.is_null() && always_present(&key) {
            return if values
                .iter()
                .all(|value| value.eq_ignore_ascii_case("false"))
            {
                Clause::Holds(format!("{description}: the key is always present"))
            } else {
                Clause::Never(format!("{description}: the key is always present"))
            };
        }
        return Clause::Depends(description);
    }

    // An Allow counts when the attacker can make the condition true.
    if operator.is_null() {
        let wants_absent = values
            .iter()
            .all(|value| value.eq_ignore_ascii_case("true"));
        let wants_present = values
            .iter()
            .all(|value| value.eq_ignore_ascii_case("false"));
        return match (wants_absent, wants_present) {
            (true, _) if always_present(&key) => {
                Clause::Never(format!("{description}: the key is always present"))
            }
            (_, true) if always_present(&key) => {
                Clause::Holds(format!("{description}: the key is always present"))
            }
            (_, _) if is_identity_key(&key) => Clause::Depends(description),
            (true, _) => Clause::Holds(format!("{description}: the requester can leave it out")),
            (_, true) if is_mfa_key(&key) => Clause::Depends(description),
            (_, true) => Clause::Holds(format!("{description}: the requester can supply it")),
            _ => Clause::Depends(description),
        };
    }
    if operator.base == "bool"
        && key == "aws:securetransport"
        && values
            .iter()
            .all(|value| value.eq_ignore_ascii_case("true"))
    {
        return Clause::Holds(format!("{description}: every SDK request uses HTTPS"));
    }
    if is_identity_key(&key) {
        return Clause::Depends(description);
    }
    if operator.if_exists && !always_present(&key) {
        return Clause::Holds(format!(
            "{description}: IfExists is true when the request has no {key_text}"
        ));
    }
    if operator.for_all_values
        && !operator.is_negated()
        && !guarded_keys.iter().any(|guarded| guarded == &key)
    {
        return Clause::Holds(format!(
            "{description}: ForAllValues is true for a request without {key_text}"
        ));
    }
    if operator.is_negated() {
        return Clause::Holds(format!(
            "{description}: the requester chooses another value or none"
        ));
    }
    Clause::Depends(description)
}

/// Classifies a statement's conditions for its effect, at the scan time `now`.
pub fn classify(statement: &Statement, now: DateTime<Utc>) -> ConditionClass {
    if statement.condition.is_empty() {
        return ConditionClass::Unconditional;
    }
    // Keys a `Null: false` clause requires: ForAllValues on them cannot pass empty.
    let guarded_keys: Vec<String> = statement
        .condition
        .iter()
        .filter(|(operator, _)| Operator::parse(operator).is_null())
        .flat_map(|(_, keys)| keys.iter())
        .filter(|(_, values)| {
            values
                .iter()
                .all(|value| value.eq_ignore_ascii_case("false"))
        })
        .map(|(key, _)| key.to_ascii_lowercase())
        .collect();
    let mut holds = Vec::new();
    let mut depends = Vec::new();
    for (operator, keys) in &statement.condition {
        for (key, values) in keys {
            match judge_clause(statement.effect, operator, key, values, &guarded_keys, now) {
                Clause::Holds(reason) => holds.push(reason),
                Clause::Depends(description) => depends.push(description),
                Clause::Never(reason) => return ConditionClass::Unsatisfiable(reason),
            }
        }
    }
    if !depends.is_empty() {
        ConditionClass::Conditional(depends.join(" and "))
    } else {
        ConditionClass::EffectivelyUnconditional(holds.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::PolicyDocument;
    use serde_json::{Value, json};

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap()
    }

    fn class_of(effect: &str, condition: Value) -> ConditionClass {
        let document = PolicyDocument::from_value(&json!({
            "Statement": {"Effect": effect, "Action": "*", "Resource": "*", "Condition": condition}
        }))
        .unwrap();
        classify(&document.statements[0], now())
    }

    fn allow(condition: Value) -> ConditionClass {
        class_of("Allow", condition)
    }

    fn deny(condition: Value) -> ConditionClass {
        class_of("Deny", condition)
    }

    #[test]
    fn no_condition_block_is_unconditional() {
        let document = PolicyDocument::from_value(
            &json!({"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}),
        )
        .unwrap();
        assert_eq!(
            classify(&document.statements[0], now()),
            ConditionClass::Unconditional
        );
    }

    #[test]
    fn positive_operators_on_keys_outside_the_attackers_control_are_conditional() {
        let class = allow(json!({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}));
        assert_eq!(
            class,
            ConditionClass::Conditional("IpAddress aws:SourceIp \"10.0.0.0/8\"".into())
        );
        assert!(
            allow(json!({"Bool": {"aws:MultiFactorAuthPresent": true}}))
                .dependency()
                .is_some()
        );
    }

    #[test]
    fn if_exists_operators_are_effectively_unconditional() {
        let class = allow(json!({"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}));
        assert!(matches!(class, ConditionClass::EffectivelyUnconditional(_)));
        let class = allow(
            json!({"StringEqualsIfExists": {"iam:PermissionsBoundary": "arn:aws:iam::1:policy/b"}}),
        );
        assert!(class.is_certain());
    }

    #[test]
    fn if_exists_on_keys_always_present_is_still_a_condition() {
        let class =
            allow(json!({"StringEqualsIfExists": {"aws:PrincipalArn": "arn:aws:iam::1:role/x"}}));
        assert!(class.dependency().is_some());
    }

    #[test]
    fn for_all_values_on_a_key_that_may_be_missing_is_effectively_unconditional() {
        let class = allow(json!({"ForAllValues:StringEquals": {"aws:TagKeys": ["env"]}}));
        assert!(matches!(class, ConditionClass::EffectivelyUnconditional(_)));
    }

    #[test]
    fn for_all_values_guarded_by_null_false_is_a_condition() {
        let class = allow(json!({
            "ForAllValues:StringEquals": {"aws:TagKeys": ["env"]},
            "Null": {"aws:TagKeys": "false"}
        }));
        assert!(class.dependency().is_some());
    }

    #[test]
    fn negated_operators_on_keys_the_attacker_chooses_are_effectively_unconditional() {
        assert!(
            allow(json!({"StringNotEquals": {"aws:RequestedRegion": "eu-west-1"}})).is_certain()
        );
        assert!(allow(json!({"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}})).is_certain());
        assert!(
            allow(
                json!({"ArnNotLike": {"iam:PolicyARN": "arn:aws:iam::aws:policy/AdministratorAccess"}})
            )
            .is_certain()
        );
    }

    #[test]
    fn negated_operators_on_identity_keys_are_conditions() {
        let class = allow(json!({"StringNotEquals": {"aws:PrincipalTag/team": "intern"}}));
        assert!(class.dependency().is_some());
    }

    #[test]
    fn null_false_on_a_request_key_is_effectively_unconditional() {
        assert!(allow(json!({"Null": {"aws:RequestTag/owner": "false"}})).is_certain());
        assert!(
            allow(json!({"Null": {"aws:MultiFactorAuthAge": "false"}}))
                .dependency()
                .is_some()
        );
    }

    #[test]
    fn current_time_before_a_past_date_is_unsatisfiable() {
        let class = allow(json!({"DateLessThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}));
        assert!(matches!(class, ConditionClass::Unsatisfiable(_)));
        let class = allow(json!({"DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}));
        assert!(class.is_certain());
    }

    #[test]
    fn token_issued_after_a_past_date_is_satisfiable_with_fresh_credentials() {
        let class =
            allow(json!({"DateGreaterThan": {"aws:TokenIssueTime": "2024-01-01T00:00:00Z"}}));
        assert!(matches!(class, ConditionClass::EffectivelyUnconditional(_)));
    }

    #[test]
    fn token_issued_before_a_past_date_is_unsatisfiable() {
        let class = allow(json!({"DateLessThan": {"aws:TokenIssueTime": "2024-01-01T00:00:00Z"}}));
        assert!(matches!(class, ConditionClass::Unsatisfiable(_)));
    }

    #[test]
    fn a_deny_the_attacker_can_steer_around_is_conditional() {
        assert!(
            deny(json!({"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}))
                .dependency()
                .is_some()
        );
        assert!(
            deny(json!({"StringNotEquals": {"aws:RequestedRegion": "us-east-1"}}))
                .dependency()
                .is_some()
        );
    }

    #[test]
    fn a_deny_on_old_sessions_does_not_touch_fresh_credentials() {
        let class = deny(json!({"DateLessThan": {"aws:TokenIssueTime": "2026-05-01T00:00:00Z"}}));
        assert!(!class.is_satisfiable());
    }

    #[test]
    fn a_deny_after_a_past_date_always_applies() {
        let class = deny(json!({"DateGreaterThan": {"aws:CurrentTime": "2025-01-01"}}));
        assert!(class.is_certain());
    }

    #[test]
    fn one_unsatisfiable_clause_makes_the_statement_unsatisfiable() {
        let class = allow(json!({
            "IpAddress": {"aws:SourceIp": "10.0.0.0/8"},
            "DateLessThan": {"aws:EpochTime": "1577836800"}
        }));
        assert!(matches!(class, ConditionClass::Unsatisfiable(_)));
    }
}
