//! From CloudTrail records to activity findings: each record the catalog explains becomes a
//! finding (who, when, what target, whether it succeeded), raised where the account's
//! current posture makes it worse (an inventory, when one is given), and bursts of denied
//! IAM and STS calls are folded into one finding per caller.

use super::catalog::{self, EventMeta};
use super::records::Record;
use crate::finding::Severity;
use crate::inventory::Inventory;
use crate::policy::PermissionIndex;
use crate::policy::trust::{Gravity, federated_trusts};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Denied IAM or STS calls by one caller within [`BURST_WINDOW`] that make a burst.
pub const BURST_THRESHOLD: usize = 10;
pub const BURST_WINDOW: Duration = Duration::minutes(10);

/// One event the catalog explains, as it happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Activity {
    /// The catalog entry (`AddUserToGroup`, `ConsoleLogin-root`, ...).
    pub event: String,
    pub title: String,
    /// The catalog's base severity, raised by what the posture says (see `notes`).
    pub severity: Severity,
    pub time: DateTime<Utc>,
    pub account_id: String,
    pub event_source: String,
    pub event_name: String,
    pub actor: Actor,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_ip: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The request parameters the catalog names, as given.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub parameters: BTreeMap<String, String>,
    /// `None` when the call succeeded; else its errorCode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    /// Why the severity was raised, from the posture.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// For bursts: how many denied calls.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_id: Option<String>,
    /// The catalog's explanation: what the event does, and how it goes wrong.
    pub meaning: String,
    pub risk: String,
    pub remediation: catalog::Remediation,
}

/// Who made the call.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// userIdentity.type: IAMUser, AssumedRole, Root, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The user's ARN, or for an assumed-role session the role's (the session issuer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl Actor {
    fn from_record(record: &Record) -> Self {
        let identity = &record.user_identity;
        Actor {
            kind: identity.kind.as_deref().map(str::to_owned),
            arn: identity
                .session_issuer_arn
                .as_deref()
                .or(identity.arn.as_deref())
                .map(str::to_owned),
            name: identity.user_name.as_deref().map(str::to_owned),
        }
    }

    pub fn describe(&self) -> String {
        match (&self.arn, &self.kind) {
            (Some(arn), _) => arn.clone(),
            (None, Some(kind)) => kind.clone(),
            (None, None) => "unknown caller".to_string(),
        }
    }
}

/// What the account's current IAM state says about events: read once from an inventory.
pub struct Posture {
    /// Groups whose policies make their members administrators.
    admin_groups: BTreeSet<String>,
    /// Users and roles (ARNs) that are administrators.
    admins: BTreeSet<String>,
    /// OIDC provider ARN -> roles that trust it without pinning who may assume them.
    loose_oidc_trust: BTreeMap<String, Vec<String>>,
}

impl Posture {
    pub fn from_inventory(inventory: &Inventory, now: DateTime<Utc>) -> Option<Self> {
        let details = inventory.authorization.as_ref()?;
        let index = PermissionIndex::for_inventory(inventory, now)?;
        let admin_groups = details
            .groups
            .iter()
            .filter(|group| {
                index
                    .group(&group.name)
                    .is_some_and(|permissions| permissions.admin_evidence().is_some())
            })
            .map(|group| group.name.clone())
            .collect();
        let admins = index
            .principals()
            .filter(|permissions| permissions.admin_evidence().is_some())
            .map(|permissions| permissions.principal().arn.to_string())
            .collect();
        let mut loose_oidc_trust: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for role in &details.roles {
            let Some(document) = &role.assume_role_policy else {
                continue;
            };
            for trust in federated_trusts(document) {
                if trust
                    .problems()
                    .iter()
                    .any(|problem| problem.gravity == Gravity::Open)
                {
                    loose_oidc_trust
                        .entry(trust.principal.clone())
                        .or_default()
                        .push(role.name.clone());
                }
            }
        }
        Some(Posture {
            admin_groups,
            admins,
            loose_oidc_trust,
        })
    }
}

/// What an analysis read and found.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ActivityReport {
    /// Where the records came from: a log folder, or LookupEvents.
    pub source: String,
    pub records_read: u64,
    #[serde(default)]
    pub records_skipped: u64,
    #[serde(default)]
    pub files_read: u64,
    #[serde(default)]
    pub warnings: Vec<String>,
    /// Records outside `--since`.
    #[serde(default)]
    pub records_before_since: u64,
    /// Account -> records read.
    #[serde(default)]
    pub accounts: BTreeMap<String, u64>,
    /// Whether findings were judged against the posture (an inventory was given).
    pub correlated: bool,
    /// False when a file or record could not be read or a lookup failed: events may be
    /// missing.
    pub complete: bool,
    pub activities: Vec<Activity>,
}

impl ActivityReport {
    pub fn count_at_least(&self, severity: Severity) -> usize {
        self.activities
            .iter()
            .filter(|activity| activity.severity >= severity)
            .count()
    }
}

/// Feeds records in one at a time; [`Analyzer::finish`] sorts and folds the bursts.
pub struct Analyzer<'p> {
    posture: Option<&'p Posture>,
    since: Option<DateTime<Utc>>,
    activities: Vec<Activity>,
    /// (account, caller) -> times of denied IAM/STS calls, and the last record's details.
    denials: HashMap<(String, String), Denials>,
    before_since: u64,
}

struct Denials {
    times: Vec<DateTime<Utc>>,
    example: Activity,
}

impl<'p> Analyzer<'p> {
    pub fn new(posture: Option<&'p Posture>, since: Option<DateTime<Utc>>) -> Self {
        Analyzer {
            posture,
            since,
            activities: Vec::new(),
            denials: HashMap::new(),
            before_since: 0,
        }
    }

    pub fn observe(&mut self, record: &Record) {
        if self.since.is_some_and(|since| record.event_time < since) {
            self.before_since += 1;
            return;
        }
        let source = record.event_source.as_ref();
        let name = record.event_name.as_ref();
        if is_denial(record)
            && matches!(source, "iam.amazonaws.com" | "sts.amazonaws.com")
            && let Some(meta) = catalog::find(source, "AccessDenied-burst")
        {
            let activity = self.activity(meta, record);
            let caller = activity.actor.describe();
            let entry = self
                .denials
                .entry((activity.account_id.clone(), caller))
                .or_insert_with(|| Denials {
                    times: Vec::new(),
                    example: activity.clone(),
                });
            entry.times.push(record.event_time);
            entry.example = activity;
        }
        let meta = if source == "signin.amazonaws.com" && name == "ConsoleLogin" {
            let root = record.user_identity.kind.as_deref() == Some("Root");
            let succeeded = record.error_code.is_none();
            if root {
                catalog::find(source, "ConsoleLogin-root")
            } else if succeeded
                && record.user_identity.kind.as_deref() == Some("IAMUser")
                && record.mfa_used() == Some(false)
            {
                catalog::find(source, "ConsoleLogin-no-mfa")
            } else {
                None
            }
        } else {
            catalog::find(source, name).filter(|meta| !meta.is_pseudo())
        };
        if let Some(meta) = meta {
            let mut activity = self.activity(meta, record);
            self.correlate(&mut activity);
            self.activities.push(activity);
        }
    }

    fn activity(&self, meta: &EventMeta, record: &Record) -> Activity {
        let parameters = record
            .request_parameters_json()
            .and_then(|value| value.as_object().cloned())
            .map(|object| {
                meta.parameters
                    .iter()
                    .filter_map(|key| {
                        let value = object.get(key)?;
                        let text = match value {
                            serde_json::Value::String(text) => text.clone(),
                            other => other.to_string(),
                        };
                        Some((key.clone(), text))
                    })
                    .collect()
            })
            .unwrap_or_default();
        Activity {
            event: meta.id.clone(),
            title: meta.title.clone(),
            severity: meta.severity,
            time: record.event_time,
            account_id: record.account_id.to_string(),
            event_source: record.event_source.to_string(),
            event_name: record.event_name.to_string(),
            actor: Actor::from_record(record),
            source_ip: record.source_ip_address.as_deref().map(str::to_owned),
            user_agent: record.user_agent.as_deref().map(str::to_owned),
            region: record.aws_region.as_deref().map(str::to_owned),
            parameters,
            error_code: record.error_code.as_deref().map(str::to_owned),
            notes: Vec::new(),
            count: None,
            event_id: record.event_id.as_deref().map(str::to_owned),
            meaning: meta.meaning.clone(),
            risk: meta.risk.clone(),
            remediation: meta.remediation.clone(),
        }
    }

    /// Raises what the posture makes worse. Only events that succeeded are raised: a
    /// denied attempt changed nothing (the burst finding covers repeated denials).
    fn correlate(&self, activity: &mut Activity) {
        if activity.actor.kind.as_deref() == Some("Root") {
            activity.raise(
                Severity::High,
                "made by the root user, which no policy restricts",
            );
        }
        let Some(posture) = self.posture else {
            return;
        };
        if activity.error_code.is_some() {
            return;
        }
        let parameter = |key: &str| activity.parameters.get(key).cloned();
        match activity.event_name.as_str() {
            "AddUserToGroup" => {
                if let Some(group) = parameter("groupName")
                    && posture.admin_groups.contains(&group)
                {
                    activity.raise(
                        Severity::High,
                        &format!("group {group} grants administrator access today"),
                    );
                }
            }
            "CreateOpenIDConnectProvider" => {
                let url = parameter("url").unwrap_or_default();
                let host = url.trim_start_matches("https://").trim_end_matches('/');
                let roles: Vec<&String> = posture
                    .loose_oidc_trust
                    .iter()
                    .filter(|(provider, _)| !host.is_empty() && provider.ends_with(host))
                    .flat_map(|(_, roles)| roles)
                    .collect();
                if !roles.is_empty() {
                    let names: Vec<&str> = roles.iter().map(|role| role.as_str()).collect();
                    activity.raise(
                        Severity::Critical,
                        &format!(
                            "roles {} trust this provider without pinning who may assume them",
                            names.join(", ")
                        ),
                    );
                }
            }
            "CreateAccessKey" | "CreateLoginProfile" | "UpdateLoginProfile" => {
                let target = parameter("userName");
                let caller_is_user = activity.actor.name.is_some()
                    && activity.actor.kind.as_deref() == Some("IAMUser");
                let for_another = match (&target, caller_is_user) {
                    (Some(target), true) => activity.actor.name.as_ref() != Some(target),
                    (Some(_), false) => true,
                    (None, _) => false,
                };
                let caller_is_admin = activity
                    .actor
                    .arn
                    .as_ref()
                    .is_some_and(|arn| posture.admins.contains(arn));
                if for_another && !caller_is_admin && activity.actor.kind.as_deref() != Some("Root")
                {
                    activity.raise(
                        Severity::High,
                        &format!(
                            "credentials for user {} created by a caller that is not an administrator: a privilege-escalation signal",
                            target.unwrap_or_default()
                        ),
                    );
                }
            }
            _ => {}
        }
    }

    pub fn finish(mut self) -> (Vec<Activity>, u64) {
        for ((_, _), mut denials) in self.denials.drain() {
            denials.times.sort();
            // The largest number of denials inside any window.
            let mut best = 0;
            let mut start = 0;
            for end in 0..denials.times.len() {
                while denials.times[end] - denials.times[start] > BURST_WINDOW {
                    start += 1;
                }
                best = best.max(end - start + 1);
            }
            if best >= BURST_THRESHOLD {
                let mut activity = denials.example;
                activity.count = Some(denials.times.len());
                activity.time = denials.times[0];
                activity.notes.push(format!(
                    "{best} denied calls within {} minutes, {} in all",
                    BURST_WINDOW.num_minutes(),
                    denials.times.len()
                ));
                self.activities.push(activity);
            }
        }
        self.activities.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then(a.time.cmp(&b.time))
                .then(a.event.cmp(&b.event))
        });
        (self.activities, self.before_since)
    }
}

impl Activity {
    fn raise(&mut self, to: Severity, why: &str) {
        if to > self.severity {
            self.severity = to;
        }
        self.notes.push(why.to_string());
    }
}

fn is_denial(record: &Record) -> bool {
    record.error_code.as_deref().is_some_and(|code| {
        code.starts_with("AccessDenied") || code.ends_with("UnauthorizedOperation")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::records::read_stream;
    use serde_json::{Value, json};
    use std::path::Path;

    fn analyse(records: Vec<Value>) -> Vec<Activity> {
        let text = json!({ "Records": records }).to_string();
        let mut analyzer = Analyzer::new(None, None);
        read_stream(Path::new("test.json"), text.as_bytes(), |record| {
            analyzer.observe(record)
        });
        analyzer.finish().0
    }

    fn call(name: &str, source: &str, kind: &str, time: &str) -> Value {
        json!({
            "eventTime": time, "eventSource": source, "eventName": name,
            "userIdentity": {"type": kind, "arn": "arn:aws:iam::123456789012:user/mallory", "userName": "mallory"},
            "recipientAccountId": "123456789012",
        })
    }

    fn denied(minute: u32, second: u32) -> Value {
        let mut record = call(
            "GetUser",
            "sts.amazonaws.com",
            "IAMUser",
            &format!("2026-06-01T10:{minute:02}:{second:02}Z"),
        );
        record["errorCode"] = json!("AccessDenied");
        record
    }

    #[test]
    fn a_burst_needs_ten_denials_inside_ten_minutes() {
        let nine: Vec<Value> = (0..9).map(|i| denied(0, i)).collect();
        assert!(analyse(nine).is_empty(), "nine denials are not a burst");
        let spread: Vec<Value> = (0..10).map(|i| denied(i * 2, 0)).collect();
        assert!(
            analyse(spread).is_empty(),
            "ten over eighteen minutes are not a burst"
        );
        let burst: Vec<Value> = (0..10).map(|i| denied(3, i * 5)).collect();
        let found = analyse(burst);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].event, "AccessDenied-burst");
        assert_eq!(found[0].count, Some(10));
    }

    #[test]
    fn console_sign_in_without_mfa_is_an_iam_user_that_succeeded_without_it() {
        let login = |kind: &str, mfa: &str, error: Option<&str>| {
            let mut record = call(
                "ConsoleLogin",
                "signin.amazonaws.com",
                kind,
                "2026-06-01T10:00:00Z",
            );
            record["additionalEventData"] = json!({"MFAUsed": mfa});
            if let Some(error) = error {
                record["errorCode"] = json!(error);
            }
            record
        };
        let found = analyse(vec![
            login("IAMUser", "No", None),
            login("IAMUser", "Yes", None),
            login("IAMUser", "No", Some("Failed authentication")),
            login("SAMLUser", "No", None),
        ]);
        let events: Vec<&str> = found
            .iter()
            .map(|activity| activity.event.as_str())
            .collect();
        assert_eq!(
            events,
            vec!["ConsoleLogin-no-mfa"],
            "only the IAM user's successful password-only sign-in"
        );
    }

    #[test]
    fn events_outside_the_catalog_and_before_since_are_not_findings() {
        let mut analyzer = Analyzer::new(None, Some("2026-06-01T00:00:00Z".parse().unwrap()));
        let text = json!({"Records": [
            call("ListBuckets", "s3.amazonaws.com", "IAMUser", "2026-06-02T10:00:00Z"),
            call("DeleteUser", "iam.amazonaws.com", "IAMUser", "2026-05-30T10:00:00Z"),
            call("DeleteUser", "iam.amazonaws.com", "IAMUser", "2026-06-02T10:00:00Z"),
        ]})
        .to_string();
        read_stream(Path::new("test.json"), text.as_bytes(), |record| {
            analyzer.observe(record)
        });
        let (found, before) = analyzer.finish();
        assert_eq!(before, 1);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].event, "DeleteUser");
    }
}
