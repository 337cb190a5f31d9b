//! The configuration file (`iamscan.toml`, `--config`): thresholds and suppressions.
//!
//! Every problem in the file is reported at once, each with its line, as cargo-deny does:
//! unknown keys are errors, a suppression needs a reason, an unknown check id is named.
//! Parsing walks the document with spans (toml_edit) rather than deserialising, so a
//! mistake does not hide the ones after it.

use crate::checks::Settings;
use crate::finding::{Finding, Status};
use crate::policy::matching::glob_match;
use chrono::NaiveDate;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use toml_edit::{ImDocument, Item, Table, Value};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Config {
    pub thresholds: Thresholds,
    pub suppressions: Vec<Suppression>,
}

/// Values that override the command line's defaults (an explicit flag still wins).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Thresholds {
    pub key_max_age_days: Option<i64>,
    pub unused_days: Option<i64>,
    pub root_use_days: Option<i64>,
    pub max_password_age_days: Option<i64>,
    pub known_accounts: Vec<String>,
    pub escalation_exclusions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Suppression {
    /// A check id, or `*` for every check.
    pub check: String,
    /// A glob (`*`, `?`) on the resource ARN or on its name (the ARN's last segment); `*`
    /// when the suppression names tags only.
    pub resource: String,
    /// Tags the resource must all have, values as globs (IAM users and roles carry tags;
    /// an access key is matched by its user's).
    pub tags: BTreeMap<String, String>,
    pub reason: String,
    pub expires: Option<NaiveDate>,
    /// Where it stands in the file, for messages.
    pub line: usize,
}

const THRESHOLD_KEYS: &[&str] = &[
    "key_max_age_days",
    "unused_days",
    "root_use_days",
    "max_password_age_days",
    "known_accounts",
    "escalation_exclusions",
];
const SUPPRESSION_KEYS: &[&str] = &["check", "resource", "tags", "reason", "expires"];

/// Resource ARN -> its tags, for suppressions by tag.
pub type ResourceTags<'i> = HashMap<&'i str, &'i crate::inventory::Tags>;

/// The tags of every user and role of `inventory`.
pub fn resource_tags(inventory: &crate::inventory::Inventory) -> ResourceTags<'_> {
    let Some(details) = &inventory.authorization else {
        return HashMap::new();
    };
    details
        .users
        .iter()
        .map(|user| (user.arn.as_str(), &user.tags))
        .chain(
            details
                .roles
                .iter()
                .map(|role| (role.arn.as_str(), &role.tags)),
        )
        .collect()
}

/// Reads `path`; every problem comes back as `path:line: message`.
pub fn load(path: &Path, known_checks: &[&str]) -> Result<Config, Vec<String>> {
    let text = std::fs::read_to_string(path)
        .map_err(|error| vec![format!("{}: {error}", path.display())])?;
    parse(&text, &path.display().to_string(), known_checks)
}

struct Problems<'a> {
    origin: &'a str,
    text: &'a str,
    list: Vec<String>,
}

impl Problems<'_> {
    fn line_of(&self, span: Option<std::ops::Range<usize>>) -> usize {
        span.map_or(0, |span| {
            self.text[..span.start.min(self.text.len())]
                .matches('\n')
                .count()
                + 1
        })
    }

    fn add(&mut self, span: Option<std::ops::Range<usize>>, message: impl std::fmt::Display) {
        let line = self.line_of(span);
        self.list.push(format!("{}:{line}: {message}", self.origin));
    }
}

pub fn parse(text: &str, origin: &str, known_checks: &[&str]) -> Result<Config, Vec<String>> {
    let document = ImDocument::parse(text).map_err(|error| {
        let line = error.span().map_or(0, |span| {
            text[..span.start.min(text.len())].matches('\n').count() + 1
        });
        vec![format!("{origin}:{line}: {}", error.message())]
    })?;
    let mut problems = Problems {
        origin,
        text,
        list: Vec::new(),
    };
    let mut config = Config::default();
    for (key, item) in document.as_table().iter() {
        let span = document.as_table().key(key).and_then(|key| key.span());
        match (key, item) {
            ("thresholds", Item::Table(table)) => {
                config.thresholds = thresholds(table, &mut problems)
            }
            ("suppress", Item::ArrayOfTables(array)) => {
                for table in array.iter() {
                    if let Some(suppression) = suppression(table, known_checks, &mut problems) {
                        config.suppressions.push(suppression);
                    }
                }
            }
            ("thresholds", _) => problems.add(span, "thresholds must be a table: [thresholds]"),
            ("suppress", _) => {
                problems.add(span, "suppress must be an array of tables: [[suppress]]")
            }
            (other, _) => problems.add(
                span,
                format!("unknown key '{other}' (expected [thresholds] or [[suppress]])"),
            ),
        }
    }
    if problems.list.is_empty() {
        Ok(config)
    } else {
        Err(problems.list)
    }
}

fn unknown_keys(table: &Table, allowed: &[&str], section: &str, problems: &mut Problems) {
    for (key, _) in table.iter() {
        if !allowed.contains(&key) {
            let span = table.key(key).and_then(|key| key.span());
            problems.add(
                span,
                format!(
                    "unknown key '{key}' in {section} (expected {})",
                    allowed.join(", ")
                ),
            );
        }
    }
}

fn days(table: &Table, key: &str, problems: &mut Problems) -> Option<i64> {
    let item = table.get(key)?;
    match item.as_integer() {
        Some(days) if (1..=3650).contains(&days) => Some(days),
        _ => {
            problems.add(
                item.span(),
                format!("{key} must be a whole number of days from 1 to 3650"),
            );
            None
        }
    }
}

fn strings(table: &Table, key: &str, problems: &mut Problems) -> Vec<String> {
    let Some(item) = table.get(key) else {
        return Vec::new();
    };
    match item.as_array() {
        Some(array) if array.iter().all(|value| value.as_str().is_some()) => array
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => {
            problems.add(item.span(), format!("{key} must be a list of strings"));
            Vec::new()
        }
    }
}

fn thresholds(table: &Table, problems: &mut Problems) -> Thresholds {
    unknown_keys(table, THRESHOLD_KEYS, "[thresholds]", problems);
    let thresholds = Thresholds {
        key_max_age_days: days(table, "key_max_age_days", problems),
        unused_days: days(table, "unused_days", problems),
        root_use_days: days(table, "root_use_days", problems),
        max_password_age_days: days(table, "max_password_age_days", problems),
        known_accounts: strings(table, "known_accounts", problems),
        escalation_exclusions: strings(table, "escalation_exclusions", problems),
    };
    for account in &thresholds.known_accounts {
        if account.len() != 12 || !account.chars().all(|c| c.is_ascii_digit()) {
            problems.add(
                table.get("known_accounts").and_then(Item::span),
                format!("known_accounts: '{account}' is not a 12-digit account id"),
            );
        }
    }
    thresholds
}

fn suppression(
    table: &Table,
    known_checks: &[&str],
    problems: &mut Problems,
) -> Option<Suppression> {
    let start = problems.list.len();
    let here = table.span();
    unknown_keys(table, SUPPRESSION_KEYS, "[[suppress]]", problems);
    let tags = suppression_tags(table, problems);
    let mut text = |key: &str| -> Option<String> {
        match table.get(key) {
            None => {
                problems.add(here.clone(), format!("[[suppress]] needs {key}"));
                None
            }
            Some(item) => match item.as_str() {
                Some(value) if !value.trim().is_empty() => Some(value.to_string()),
                _ => {
                    problems.add(item.span(), format!("{key} must be a non-empty string"));
                    None
                }
            },
        }
    };
    let check = text("check");
    // Tags alone may select the resources.
    let resource = match table.get("resource") {
        None if table.contains_key("tags") => Some("*".to_string()),
        _ => text("resource"),
    };
    let reason = text("reason");
    if let Some(check) = &check
        && check != "*"
        && !known_checks.contains(&check.as_str())
    {
        problems.add(
            table.get("check").and_then(Item::span),
            format!("unknown check id '{check}' (see `iamscan checks`)"),
        );
    }
    let expires = table.get("expires").and_then(|item| {
        let date = item
            .as_datetime()
            .and_then(|datetime| datetime.date)
            .filter(|_| {
                item.as_datetime()
                    .is_some_and(|datetime| datetime.time.is_none())
            })
            .and_then(|date| {
                NaiveDate::from_ymd_opt(
                    i32::from(date.year),
                    u32::from(date.month),
                    u32::from(date.day),
                )
            })
            .or_else(|| {
                item.as_str()
                    .and_then(|text| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok())
            });
        if date.is_none() {
            problems.add(item.span(), "expires must be a date: 2027-01-31");
        }
        date
    });
    if problems.list.len() > start {
        return None;
    }
    Some(Suppression {
        check: check?,
        resource: resource?,
        tags: tags?,
        reason: reason?,
        expires,
        line: problems.line_of(here),
    })
}

/// `tags = { team = "platform", env = "prod*" }`: an inline table of strings. Absent is
/// empty; `None` after a problem.
fn suppression_tags(table: &Table, problems: &mut Problems) -> Option<BTreeMap<String, String>> {
    let Some(item) = table.get("tags") else {
        return Some(BTreeMap::new());
    };
    let Some(inline) = item.as_inline_table() else {
        problems.add(
            item.span(),
            "tags must be an inline table of strings: tags = { team = \"platform\" }",
        );
        return None;
    };
    let mut tags = BTreeMap::new();
    let mut valid = true;
    for (key, value) in inline.iter() {
        match value.as_str() {
            Some(text) => {
                tags.insert(key.to_string(), text.to_string());
            }
            None => {
                problems.add(value.span(), format!("tag {key} must be a string"));
                valid = false;
            }
        }
    }
    if tags.is_empty() && valid {
        problems.add(item.span(), "tags is empty: name at least one tag");
        valid = false;
    }
    valid.then_some(tags)
}

impl Thresholds {
    /// Applies the file's values where the command line left its default.
    pub fn apply(&self, settings: &mut Settings, defaults: &Settings) {
        let set = |value: Option<i64>, field: &mut i64, default: i64| {
            if let Some(value) = value
                && *field == default
            {
                *field = value;
            }
        };
        set(
            self.key_max_age_days,
            &mut settings.key_max_age_days,
            defaults.key_max_age_days,
        );
        set(
            self.unused_days,
            &mut settings.unused_days,
            defaults.unused_days,
        );
        set(
            self.root_use_days,
            &mut settings.root_use_days,
            defaults.root_use_days,
        );
        set(
            self.max_password_age_days,
            &mut settings.max_password_age_days,
            defaults.max_password_age_days,
        );
        settings
            .known_accounts
            .extend(self.known_accounts.iter().cloned());
        settings
            .escalation_exclusions
            .extend(self.escalation_exclusions.iter().cloned());
    }
}

impl Suppression {
    pub fn matches(&self, finding: &Finding, tags: &ResourceTags) -> bool {
        let name = finding
            .resource_arn
            .rsplit(['/', ':'])
            .next()
            .unwrap_or_default();
        (self.check == "*" || self.check == finding.check_id)
            && (glob_match(&self.resource, &finding.resource_arn)
                || glob_match(&self.resource, name))
            && self.tags_match(&finding.resource_arn, tags)
    }

    fn tags_match(&self, arn: &str, tags: &ResourceTags) -> bool {
        if self.tags.is_empty() {
            return true;
        }
        // `user/alice#access_key_1` carries alice's tags.
        let owner = arn.split('#').next().unwrap_or(arn);
        let Some(held) = tags.get(owner) else {
            return false;
        };
        self.tags.iter().all(|(key, pattern)| {
            held.get(key)
                .is_some_and(|value| glob_match(pattern, value))
        })
    }

    /// How messages name what it selects.
    fn target(&self) -> String {
        if self.tags.is_empty() {
            return self.resource.clone();
        }
        let tags: Vec<String> = self
            .tags
            .iter()
            .map(|(key, value)| format!("{key}={value}"))
            .collect();
        format!("{} tagged {}", self.resource, tags.join(", "))
    }
}

/// Mutes the failures suppressions cover; returns warnings for expired suppressions (which
/// mute nothing) and for suppressions that matched no finding.
pub fn mute(
    findings: &mut [Finding],
    suppressions: &[Suppression],
    tags: &ResourceTags,
    origin: &str,
    today: NaiveDate,
) -> Vec<String> {
    let mut warnings = Vec::new();
    for suppression in suppressions {
        if let Some(expires) = suppression.expires
            && expires < today
        {
            warnings.push(format!(
                "{origin}:{}: the suppression of {} on {} expired on {expires}: its findings are no longer muted",
                suppression.line,
                suppression.check,
                suppression.target()
            ));
            continue;
        }
        let mut matched = 0;
        for finding in findings
            .iter_mut()
            .filter(|finding| finding.status == Status::Fail && suppression.matches(finding, tags))
        {
            finding.status = Status::Muted;
            finding.muted_reason = Some(
                match suppression.expires {
                    Some(expires) => format!("{} (suppressed until {expires})", suppression.reason),
                    None => suppression.reason.clone(),
                }
                .into(),
            );
            matched += 1;
        }
        if matched == 0 {
            warnings.push(format!(
                "{origin}:{}: the suppression of {} on {} matched no failing finding",
                suppression.line,
                suppression.check,
                suppression.target()
            ));
        }
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHECKS: &[&str] = &["user-direct-policies", "root-mfa-enabled"];

    #[test]
    fn every_problem_is_reported_at_once_with_its_line() {
        let text = r#"
[thresholds]
unused_days = 30
key_max_age = 90

[[suppress]]
check = "user-direct-policy"
resource = "*:user/break-glass"
reason = "by design"

[[suppress]]
check = "root-mfa-enabled"
resource = "*"
expires = "soon"

[extra]
"#;
        let problems = parse(text, "iamscan.toml", CHECKS).unwrap_err();
        assert_eq!(
            problems,
            vec![
                "iamscan.toml:4: unknown key 'key_max_age' in [thresholds] (expected key_max_age_days, unused_days, root_use_days, max_password_age_days, known_accounts, escalation_exclusions)",
                "iamscan.toml:7: unknown check id 'user-direct-policy' (see `iamscan checks`)",
                "iamscan.toml:11: [[suppress]] needs reason",
                "iamscan.toml:14: expires must be a date: 2027-01-31",
                "iamscan.toml:16: unknown key 'extra' (expected [thresholds] or [[suppress]])",
            ]
        );
    }

    #[test]
    fn a_syntax_error_names_its_line() {
        let problems = parse("[thresholds]\nunused_days = \n", "iamscan.toml", CHECKS).unwrap_err();
        assert_eq!(problems.len(), 1);
        assert!(problems[0].starts_with("iamscan.toml:2: "), "{problems:?}");
    }

    fn failing(check: &str, arn: &str) -> Finding {
        Finding {
            check_id: check.to_string().into(),
            title: "".into(),
            severity: crate::finding::Severity::Low,
            categories: Vec::new().into(),
            status: Status::Fail,
            resource_arn: arn.into(),
            resource_type: "AwsIamUser".into(),
            message: String::new().into(),
            remediation: None,
            muted_reason: None,
            change: None,
        }
    }

    #[test]
    fn tags_select_the_resources_a_suppression_mutes_and_keys_follow_their_user() {
        let config = parse(
            r#"
[[suppress]]
check = "*"
tags = { owner = "platform", env = "sandbox-*" }
reason = "sandbox accounts of the platform team"
"#,
            "iamscan.toml",
            CHECKS,
        )
        .unwrap();
        assert_eq!(config.suppressions[0].resource, "*");
        let tagged: crate::inventory::Tags = [("owner", "platform"), ("env", "sandbox-eu")]
            .into_iter()
            .map(|(key, value)| (key.to_string(), value.to_string()))
            .collect();
        let partly: crate::inventory::Tags = [("owner".to_string(), "platform".to_string())]
            .into_iter()
            .collect();
        let tags: ResourceTags = [
            ("arn:aws:iam::123456789012:user/sandbox-bot", &tagged),
            ("arn:aws:iam::123456789012:user/prod-bot", &partly),
        ]
        .into_iter()
        .collect();
        let mut findings = vec![
            failing(
                "user-direct-policies",
                "arn:aws:iam::123456789012:user/sandbox-bot#access_key_1",
            ),
            failing(
                "user-direct-policies",
                "arn:aws:iam::123456789012:user/prod-bot",
            ),
            failing(
                "user-direct-policies",
                "arn:aws:iam::123456789012:user/untagged",
            ),
        ];
        let today = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
        let warnings = mute(
            &mut findings,
            &config.suppressions,
            &tags,
            "iamscan.toml",
            today,
        );
        let statuses: Vec<Status> = findings.iter().map(|finding| finding.status).collect();
        assert_eq!(
            statuses,
            [Status::Muted, Status::Fail, Status::Fail],
            "every tag must match; a key carries its user's tags"
        );
        assert!(warnings.is_empty(), "{warnings:?}");
    }

    #[test]
    fn malformed_tags_are_reported_with_their_lines() {
        let problems = parse(
            r#"
[[suppress]]
check = "*"
tags = { owner = 1 }
reason = "x"

[[suppress]]
check = "*"
tags = "owner=platform"
reason = "y"
"#,
            "iamscan.toml",
            CHECKS,
        )
        .unwrap_err();
        assert_eq!(
            problems,
            vec![
                "iamscan.toml:4: tag owner must be a string",
                "iamscan.toml:9: tags must be an inline table of strings: tags = { team = \"platform\" }",
            ]
        );
    }

    #[test]
    fn suppressions_mute_matching_failures_with_their_reason_until_they_expire() {
        let config = parse(
            r#"
[[suppress]]
check = "user-direct-policies"
resource = "break-*"
reason = "break-glass holds admin by design"
expires = 2026-12-31

[[suppress]]
check = "*"
resource = "arn:aws:iam::*:user/legacy"
reason = "being decommissioned"
expires = 2026-01-01
"#,
            "iamscan.toml",
            CHECKS,
        )
        .unwrap();
        let mut findings = vec![
            failing(
                "user-direct-policies",
                "arn:aws:iam::123456789012:user/emergency/break-glass",
            ),
            failing(
                "user-direct-policies",
                "arn:aws:iam::123456789012:user/ci-deploy",
            ),
            failing("root-mfa-enabled", "arn:aws:iam::123456789012:user/legacy"),
        ];
        let today = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
        let warnings = mute(
            &mut findings,
            &config.suppressions,
            &ResourceTags::new(),
            "iamscan.toml",
            today,
        );
        assert_eq!(findings[0].status, Status::Muted);
        assert_eq!(
            findings[0].muted_reason.as_deref(),
            Some("break-glass holds admin by design (suppressed until 2026-12-31)")
        );
        assert_eq!(findings[1].status, Status::Fail);
        assert_eq!(
            findings[2].status,
            Status::Fail,
            "an expired suppression mutes nothing"
        );
        assert_eq!(
            warnings,
            vec![
                "iamscan.toml:8: the suppression of * on arn:aws:iam::*:user/legacy expired on 2026-01-01: its findings are no longer muted"
            ]
        );
    }
}
