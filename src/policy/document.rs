//! A policy document parsed once, at collection or load time, into a normalised shape.
//!
//! IAM accepts many spellings of the same thing: `Statement` as one object or a list,
//! `Action` as a string or a list, `Principal` as `"*"` or a map whose values are strings
//! or lists, condition values as strings, numbers or booleans. Everything downstream sees
//! one shape: lists everywhere, condition values as strings. Serialising writes that
//! normalised shape back, so a saved inventory reloads to the same value.

use crate::vecmap::VecMap;
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyDocument {
    pub version: Option<String>,
    pub id: Option<String>,
    pub statements: Vec<Statement>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    Allow,
    Deny,
}

/// `Action` or `NotAction`: exactly one of them is present in a valid statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionSpec {
    Action(Vec<String>),
    NotAction(Vec<String>),
}

/// `Resource` or `NotResource`. Trust policies have neither.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResourceSpec {
    Resource(Vec<String>),
    NotResource(Vec<String>),
}

/// `Principal` or `NotPrincipal`, as found in trust and resource policies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrincipalSpec {
    Principal(Principals),
    NotPrincipal(Principals),
}

/// `"*"`, or a map from principal type (`AWS`, `Service`, `Federated`, `CanonicalUser`)
/// to its values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principals {
    Any,
    Map(VecMap<String, Vec<String>>),
}

/// Operator (`StringEquals`, `ForAnyValue:StringLike`, ...) to condition key to values.
pub type Conditions = VecMap<String, VecMap<String, Vec<String>>>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub sid: Option<String>,
    pub effect: Effect,
    pub action: ActionSpec,
    pub resource: Option<ResourceSpec>,
    pub principal: Option<PrincipalSpec>,
    pub condition: Conditions,
}

/// Why a document is not a policy. `path` says where in the document the problem is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {reason}")]
pub struct PolicyError {
    pub path: String,
    pub reason: String,
}

fn invalid(path: impl Into<String>, reason: impl Into<String>) -> PolicyError {
    PolicyError {
        path: path.into(),
        reason: reason.into(),
    }
}

impl PolicyDocument {
    /// Parses a document as the IAM API returns it: URL-encoded JSON. Plain JSON (as the
    /// AWS CLI prints it) is accepted too, since a decoded document never starts with `%`.
    pub fn decode(raw: &str) -> Result<Self, PolicyError> {
        let trimmed = raw.trim_start();
        let text = if trimmed.starts_with('{') {
            std::borrow::Cow::Borrowed(raw)
        } else {
            percent_encoding::percent_decode_str(raw)
                .decode_utf8()
                .map_err(|error| {
                    invalid("document", format!("not UTF-8 after URL decoding: {error}"))
                })?
        };
        let value: Value = serde_json::from_str(&text)
            .map_err(|error| invalid("document", format!("not JSON: {error}")))?;
        Self::from_value(&value)
    }

    pub fn from_value(value: &Value) -> Result<Self, PolicyError> {
        let object = value
            .as_object()
            .ok_or_else(|| invalid("document", "must be a JSON object"))?;
        let statements = match object.get("Statement") {
            Some(Value::Array(items)) => each(items, |index, item| {
                Statement::from_value(item, &format!("Statement[{index}]"))
            })?,
            Some(item @ Value::Object(_)) => vec![Statement::from_value(item, "Statement")?],
            Some(_) => {
                return Err(invalid(
                    "Statement",
                    "must be an object or a list of objects",
                ));
            }
            None => return Err(invalid("document", "has no Statement")),
        };
        Ok(PolicyDocument {
            version: optional_string(object, "Version", "Version")?,
            id: optional_string(object, "Id", "Id")?,
            statements,
        })
    }
}

impl Statement {
    fn from_value(value: &Value, path: &str) -> Result<Self, PolicyError> {
        let object = value
            .as_object()
            .ok_or_else(|| invalid(path, "must be an object"))?;
        let effect = match object.get("Effect").and_then(Value::as_str) {
            Some("Allow") => Effect::Allow,
            Some("Deny") => Effect::Deny,
            Some(other) => {
                return Err(invalid(
                    format!("{path}.Effect"),
                    format!("'{other}' is neither Allow nor Deny"),
                ));
            }
            None => return Err(invalid(path, "has no Effect")),
        };
        let action = match (object.get("Action"), object.get("NotAction")) {
            (Some(value), None) => {
                ActionSpec::Action(string_list(value, &format!("{path}.Action"))?)
            }
            (None, Some(value)) => {
                ActionSpec::NotAction(string_list(value, &format!("{path}.NotAction"))?)
            }
            (Some(_), Some(_)) => return Err(invalid(path, "has both Action and NotAction")),
            (None, None) => return Err(invalid(path, "has neither Action nor NotAction")),
        };
        let resource = match (object.get("Resource"), object.get("NotResource")) {
            (Some(value), None) => Some(ResourceSpec::Resource(string_list(
                value,
                &format!("{path}.Resource"),
            )?)),
            (None, Some(value)) => Some(ResourceSpec::NotResource(string_list(
                value,
                &format!("{path}.NotResource"),
            )?)),
            (Some(_), Some(_)) => return Err(invalid(path, "has both Resource and NotResource")),
            (None, None) => None,
        };
        let principal = match (object.get("Principal"), object.get("NotPrincipal")) {
            (Some(value), None) => Some(PrincipalSpec::Principal(principals(
                value,
                &format!("{path}.Principal"),
            )?)),
            (None, Some(value)) => Some(PrincipalSpec::NotPrincipal(principals(
                value,
                &format!("{path}.NotPrincipal"),
            )?)),
            (Some(_), Some(_)) => return Err(invalid(path, "has both Principal and NotPrincipal")),
            (None, None) => None,
        };
        let condition = match object.get("Condition") {
            None => Conditions::new(),
            Some(value) => conditions(value, &format!("{path}.Condition"))?,
        };
        Ok(Statement {
            sid: optional_string(object, "Sid", &format!("{path}.Sid"))?,
            effect,
            action,
            resource,
            principal,
            condition,
        })
    }
}

fn optional_string(
    object: &Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<Option<String>, PolicyError> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(_) => Err(invalid(path, "must be a string")),
    }
}

/// Parses each item of a JSON list into a Vec of exactly their number. (Collecting through
/// a `Result` starts at four slots, and most lists in a policy hold one item: the empty
/// slots came to 42 MB in a synthetic account of 100,000 principals.)
fn each<T>(
    items: &[Value],
    mut parse: impl FnMut(usize, &Value) -> Result<T, PolicyError>,
) -> Result<Vec<T>, PolicyError> {
    let mut parsed = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        parsed.push(parse(index, item)?);
    }
    Ok(parsed)
}

fn string_list(value: &Value, path: &str) -> Result<Vec<String>, PolicyError> {
    match value {
        Value::String(text) => Ok(vec![text.clone()]),
        Value::Array(items) => each(items, |index, item| {
            item.as_str()
                .map(str::to_owned)
                .ok_or_else(|| invalid(format!("{path}[{index}]"), "must be a string"))
        }),
        _ => Err(invalid(path, "must be a string or a list of strings")),
    }
}

fn principals(value: &Value, path: &str) -> Result<Principals, PolicyError> {
    match value {
        Value::String(text) if text == "*" => Ok(Principals::Any),
        Value::Object(map) => map
            .iter()
            .map(|(kind, values)| {
                Ok((
                    kind.clone(),
                    string_list(values, &format!("{path}.{kind}"))?,
                ))
            })
            .collect::<Result<VecMap<_, _>, _>>()
            .map(Principals::Map),
        _ => Err(invalid(path, "must be \"*\" or a map of principal types")),
    }
}

/// Condition values may be strings, numbers or booleans, alone or in a list.
fn condition_values(value: &Value, path: &str) -> Result<Vec<String>, PolicyError> {
    let scalar = |item: &Value, path: &str| match item {
        Value::String(text) => Ok(text.clone()),
        Value::Bool(flag) => Ok(flag.to_string()),
        Value::Number(number) => Ok(number.to_string()),
        _ => Err(invalid(path, "must be a string, number or boolean")),
    };
    match value {
        Value::Array(items) => each(items, |index, item| {
            scalar(item, &format!("{path}[{index}]"))
        }),
        other => Ok(vec![scalar(other, path)?]),
    }
}

fn conditions(value: &Value, path: &str) -> Result<Conditions, PolicyError> {
    let operators = value
        .as_object()
        .ok_or_else(|| invalid(path, "must be a map of operators"))?;
    operators
        .iter()
        .map(|(operator, keys)| {
            let operator_path = format!("{path}.{operator}");
            let keys = keys
                .as_object()
                .ok_or_else(|| invalid(&operator_path, "must be a map of condition keys"))?
                .iter()
                .map(|(key, values)| {
                    Ok((
                        key.clone(),
                        condition_values(values, &format!("{operator_path}.{key}"))?,
                    ))
                })
                .collect::<Result<VecMap<_, _>, PolicyError>>()?;
            Ok((operator.clone(), keys))
        })
        .collect()
}

impl Serialize for PolicyDocument {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        if let Some(version) = &self.version {
            map.serialize_entry("Version", version)?;
        }
        if let Some(id) = &self.id {
            map.serialize_entry("Id", id)?;
        }
        map.serialize_entry("Statement", &self.statements)?;
        map.end()
    }
}

impl Serialize for Statement {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        if let Some(sid) = &self.sid {
            map.serialize_entry("Sid", sid)?;
        }
        map.serialize_entry(
            "Effect",
            match self.effect {
                Effect::Allow => "Allow",
                Effect::Deny => "Deny",
            },
        )?;
        match &self.principal {
            Some(PrincipalSpec::Principal(principals)) => {
                map.serialize_entry("Principal", principals)?
            }
            Some(PrincipalSpec::NotPrincipal(principals)) => {
                map.serialize_entry("NotPrincipal", principals)?
            }
            None => {}
        }
        match &self.action {
            ActionSpec::Action(actions) => map.serialize_entry("Action", actions)?,
            ActionSpec::NotAction(actions) => map.serialize_entry("NotAction", actions)?,
        }
        match &self.resource {
            Some(ResourceSpec::Resource(resources)) => {
                map.serialize_entry("Resource", resources)?
            }
            Some(ResourceSpec::NotResource(resources)) => {
                map.serialize_entry("NotResource", resources)?
            }
            None => {}
        }
        if !self.condition.is_empty() {
            map.serialize_entry("Condition", &self.condition)?;
        }
        map.end()
    }
}

impl Serialize for Principals {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Principals::Any => serializer.serialize_str("*"),
            Principals::Map(map) => map.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for PolicyDocument {
    /// Accepts a JSON object (as the AWS CLI prints documents) or a string holding the
    /// URL-encoded or plain JSON (as the API returns them).
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        let parsed = match &value {
            Value::String(raw) => PolicyDocument::decode(raw),
            other => PolicyDocument::from_value(other),
        };
        parsed.map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for Effect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn statement_may_be_a_single_object() {
        let document = PolicyDocument::from_value(&json!({
            "Version": "2012-10-17",
            "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
        }))
        .unwrap();
        assert_eq!(document.statements.len(), 1);
        assert_eq!(
            document.statements[0].action,
            ActionSpec::Action(vec!["s3:GetObject".into()])
        );
    }

    #[test]
    fn not_action_and_not_resource_are_kept_apart_from_action_and_resource() {
        let document = PolicyDocument::from_value(&json!({
            "Statement": [{"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "NotResource": "arn:aws:s3:::x"}]
        }))
        .unwrap();
        let statement = &document.statements[0];
        assert_eq!(
            statement.action,
            ActionSpec::NotAction(vec!["iam:*".into(), "organizations:*".into()])
        );
        assert_eq!(
            statement.resource,
            Some(ResourceSpec::NotResource(vec!["arn:aws:s3:::x".into()]))
        );
    }

    #[test]
    fn url_encoded_documents_decode_as_the_sdk_returns_them() {
        let raw = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Service%22%3A%22ec2.amazonaws.com%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D";
        let document = PolicyDocument::decode(raw).unwrap();
        let mut expected = VecMap::new();
        expected.insert("Service".to_string(), vec!["ec2.amazonaws.com".to_string()]);
        assert_eq!(
            document.statements[0].principal,
            Some(PrincipalSpec::Principal(Principals::Map(expected)))
        );
        assert_eq!(document.statements[0].resource, None);
    }

    #[test]
    fn principal_star_and_condition_scalars_are_normalised() {
        let document = PolicyDocument::from_value(&json!({
            "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole",
                "Condition": {"Bool": {"aws:MultiFactorAuthPresent": true}, "NumericLessThan": {"aws:MultiFactorAuthAge": 3600}}}]
        }))
        .unwrap();
        let statement = &document.statements[0];
        assert_eq!(
            statement.principal,
            Some(PrincipalSpec::Principal(Principals::Any))
        );
        assert_eq!(
            statement.condition["Bool"]["aws:MultiFactorAuthPresent"],
            vec!["true"]
        );
        assert_eq!(
            statement.condition["NumericLessThan"]["aws:MultiFactorAuthAge"],
            vec!["3600"]
        );
    }

    #[test]
    fn illegal_documents_say_where_they_are_wrong() {
        let error = PolicyDocument::from_value(&json!({
            "Statement": [{"Effect": "Allow", "Action": "s3:*"}, {"Effect": "Maybe", "Action": "s3:*"}]
        }))
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "Statement[1].Effect: 'Maybe' is neither Allow nor Deny"
        );
        let error = PolicyDocument::from_value(&json!({
            "Statement": {"Effect": "Allow", "Action": "s3:*", "NotAction": "iam:*"}
        }))
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "Statement: has both Action and NotAction"
        );
        assert!(PolicyDocument::decode("%7Bnot json").is_err());
    }

    #[test]
    fn normalised_form_round_trips() {
        let original = PolicyDocument::from_value(&json!({
            "Version": "2012-10-17",
            "Statement": {"Sid": "A", "Effect": "Deny", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:root"},
                "Action": "*", "Resource": "*", "Condition": {"StringLike": {"aws:PrincipalArn": ["a", "b"]}}}
        }))
        .unwrap();
        let text = serde_json::to_string(&original).unwrap();
        let reloaded: PolicyDocument = serde_json::from_str(&text).unwrap();
        assert_eq!(original, reloaded);
    }
}
