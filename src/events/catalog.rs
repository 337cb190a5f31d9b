//! The event catalog: one entry per CloudTrail event iamscan explains, kept as data in
//! `checks/events/*.toml` and embedded at build time.
//!
//! Most entries are one CloudTrail event (`eventSource` + `eventName`, the id is the event
//! name). Three are pseudo-events, patterns over sign-in and error records rather than one
//! event name: `ConsoleLogin-root`, `ConsoleLogin-no-mfa` and `AccessDenied-burst`; their id
//! differs from their `event_name` and [`find`] finds them by id.

use crate::finding::Severity;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt::{self, Write};
use std::sync::OnceLock;

include!(concat!(env!("OUT_DIR"), "/event_files.rs"));

/// The CloudTrail `eventSource` values an entry may have.
pub const EVENT_SOURCES: &[&str] = &[
    "iam.amazonaws.com",
    "signin.amazonaws.com",
    "sts.amazonaws.com",
];

/// The entries the catalog must have: the IAM events that change who can do what, and the
/// sign-in pseudo-events.
pub const REQUIRED: &[&str] = &[
    "AddUserToGroup",
    "RemoveUserFromGroup",
    "CreateUser",
    "DeleteUser",
    "CreateLoginProfile",
    "UpdateLoginProfile",
    "CreateAccessKey",
    "UpdateAccessKey",
    "DeactivateMFADevice",
    "DeleteVirtualMFADevice",
    "EnableMFADevice",
    "AttachUserPolicy",
    "AttachGroupPolicy",
    "AttachRolePolicy",
    "PutUserPolicy",
    "PutGroupPolicy",
    "PutRolePolicy",
    "CreatePolicyVersion",
    "SetDefaultPolicyVersion",
    "CreateRole",
    "UpdateAssumeRolePolicy",
    "PutRolePermissionsBoundary",
    "DeleteRolePermissionsBoundary",
    "CreateOpenIDConnectProvider",
    "UpdateOpenIDConnectProviderThumbprint",
    "AddClientIDToOpenIDConnectProvider",
    "CreateSAMLProvider",
    "UpdateSAMLProvider",
    "UpdateAccountPasswordPolicy",
    "DeleteAccountPasswordPolicy",
    "ConsoleLogin-root",
    "ConsoleLogin-no-mfa",
    "AccessDenied-burst",
];

/// How an event can go wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Risk {
    UnauthorisedAccess,
    PrivilegeEscalation,
    NoAccountability,
    TrustMisconfiguration,
    Persistence,
    DefenceEvasion,
}

impl Risk {
    pub fn as_str(self) -> &'static str {
        match self {
            Risk::UnauthorisedAccess => "unauthorised-access",
            Risk::PrivilegeEscalation => "privilege-escalation",
            Risk::NoAccountability => "no-accountability",
            Risk::TrustMisconfiguration => "trust-misconfiguration",
            Risk::Persistence => "persistence",
            Risk::DefenceEvasion => "defence-evasion",
        }
    }
}

impl fmt::Display for Risk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One catalog entry, as written in `checks/events/<id>.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventMeta {
    /// The file stem: the event name, or `<name>-<qualifier>` for a pseudo-event.
    pub id: String,
    /// CloudTrail `eventName`; `*` when the entry is a pattern over any event name.
    pub event_name: String,
    /// CloudTrail `eventSource`, one of [`EVENT_SOURCES`].
    pub event_source: String,
    pub title: String,
    /// Base severity of the event happening, before correlation with posture findings.
    pub severity: Severity,
    pub risks: Vec<Risk>,
    /// What the event does, and which record fields say what.
    pub meaning: String,
    /// How it goes wrong.
    pub risk: String,
    /// What to check on seeing it, with read-only commands.
    pub investigate: String,
    /// `requestParameters` keys worth showing in a finding.
    pub parameters: Vec<String>,
    /// Ids of checks in `checks/*.toml` whose result this event can change.
    pub related_checks: Vec<String>,
    /// Ids of `checks/escalation/methods.toml` methods this event is a step of.
    pub escalation_methods: Vec<String>,
    pub references: Vec<String>,
    pub remediation: Remediation,
}

impl EventMeta {
    /// A pattern over records (found by id) rather than one event name.
    pub fn is_pseudo(&self) -> bool {
        self.id != self.event_name
    }
}

/// Remediation text: placeholders are written `<LIKE_THIS>`, nothing fills them in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Remediation {
    pub console: String,
    pub cli: String,
    /// Terraform (HCL), or a CLI or Python sketch where Terraform does not fit.
    pub terraform: String,
}

/// Parses and validates every file, reporting all problems at once. Cross-references are
/// checked against the embedded check catalog and escalation methods.
pub fn parse_all(files: &[(&str, &str)]) -> Result<Vec<EventMeta>, Vec<String>> {
    let checks: BTreeSet<&str> = crate::catalog::catalog()
        .iter()
        .map(|meta| meta.id.as_str())
        .collect();
    let methods: BTreeSet<&str> = crate::policy::escalation::catalog::methods()
        .iter()
        .map(|method| method.id.as_str())
        .collect();
    let mut problems = Vec::new();
    let mut events: Vec<EventMeta> = Vec::new();
    for (file, text) in files {
        match toml::from_str::<EventMeta>(text) {
            Ok(meta) => {
                problems.extend(validate(file, &meta, &checks, &methods));
                if events.iter().any(|other| other.id == meta.id) {
                    problems.push(format!(
                        "checks/events/{file}: id '{}' is used twice",
                        meta.id
                    ));
                }
                events.push(meta);
            }
            Err(error) => problems.push(format!(
                "checks/events/{file}: {}",
                error.to_string().trim()
            )),
        }
    }
    for id in REQUIRED {
        if !events.iter().any(|meta| meta.id == *id) {
            problems.push(format!("checks/events/: no entry for {id} ({id}.toml)"));
        }
    }
    if problems.is_empty() {
        events.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(events)
    } else {
        Err(problems)
    }
}

fn validate(
    file: &str,
    meta: &EventMeta,
    checks: &BTreeSet<&str>,
    methods: &BTreeSet<&str>,
) -> Vec<String> {
    let mut problems = Vec::new();
    let mut problem = |message: String| problems.push(format!("checks/events/{file}: {message}"));
    if file.strip_suffix(".toml") != Some(meta.id.as_str()) {
        problem(format!("id '{}' does not match the file name", meta.id));
    }
    if meta.id.is_empty()
        || !meta
            .id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        problem("id must be ASCII letters, digits and dashes".into());
    }
    if meta.event_name.is_empty() {
        problem("event_name is empty".into());
    } else if meta.event_name != "*" && !meta.event_name.chars().all(|c| c.is_ascii_alphanumeric())
    {
        problem(format!(
            "event_name '{}' is not a CloudTrail event name (or `*`)",
            meta.event_name
        ));
    }
    if meta.is_pseudo() && !meta.id.contains('-') {
        problem(format!(
            "id '{}' differs from event_name '{}': a pseudo-event id is <name>-<qualifier>",
            meta.id, meta.event_name
        ));
    }
    if !EVENT_SOURCES.contains(&meta.event_source.as_str()) {
        problem(format!(
            "event_source '{}' is not one of {}",
            meta.event_source,
            EVENT_SOURCES.join(", ")
        ));
    }
    if meta.title.contains('\n') {
        problem("title must be one line".into());
    }
    for (field, text) in [
        ("title", &meta.title),
        ("meaning", &meta.meaning),
        ("risk", &meta.risk),
        ("investigate", &meta.investigate),
        ("remediation.console", &meta.remediation.console),
        ("remediation.cli", &meta.remediation.cli),
        ("remediation.terraform", &meta.remediation.terraform),
    ] {
        if text.trim().is_empty() {
            problem(format!("{field} is empty"));
        }
    }
    for (field, text) in [
        ("remediation.console", &meta.remediation.console),
        ("remediation.cli", &meta.remediation.cli),
        ("remediation.terraform", &meta.remediation.terraform),
    ] {
        for name in crate::catalog::placeholders_in(text) {
            problem(format!(
                "{field} uses {{{name}}}: nothing fills event templates, write <{}>",
                name.to_ascii_uppercase()
            ));
        }
    }
    if !meta.remediation.cli.contains("aws ") {
        problem("remediation.cli has no aws command".into());
    }
    if meta.risks.is_empty() {
        problem("risks is empty".into());
    }
    if has_duplicates(&meta.risks) {
        problem("risks lists a risk twice".into());
    }
    for parameter in &meta.parameters {
        if !parameter.starts_with(|c: char| c.is_ascii_alphabetic())
            || !parameter.chars().all(|c| c.is_ascii_alphanumeric())
        {
            problem(format!(
                "parameter '{parameter}' is not a requestParameters key"
            ));
        }
    }
    if has_duplicates(&meta.parameters) {
        problem("parameters lists a key twice".into());
    }
    for id in &meta.related_checks {
        if !checks.contains(id.as_str()) {
            problem(format!("related check '{id}' is not in checks/*.toml"));
        }
    }
    if has_duplicates(&meta.related_checks) {
        problem("related_checks lists a check twice".into());
    }
    for id in &meta.escalation_methods {
        if !methods.contains(id.as_str()) {
            problem(format!(
                "escalation method '{id}' is not in checks/escalation/methods.toml"
            ));
        }
    }
    if has_duplicates(&meta.escalation_methods) {
        problem("escalation_methods lists a method twice".into());
    }
    if meta.references.is_empty() {
        problem("no references".into());
    }
    for reference in &meta.references {
        if !reference.starts_with("https://") || reference.contains(char::is_whitespace) {
            problem(format!("reference '{reference}' is not an https URL"));
        }
    }
    problems
}

fn has_duplicates<T: Ord>(items: &[T]) -> bool {
    items.iter().collect::<BTreeSet<_>>().len() != items.len()
}

/// The embedded catalog. It is validated by the test suite; a build with an invalid file
/// fails its tests, so at run time an invalid catalog is a programming error.
pub fn events() -> &'static [EventMeta] {
    static EVENTS: OnceLock<Vec<EventMeta>> = OnceLock::new();
    EVENTS.get_or_init(|| {
        parse_all(EVENT_FILES)
            .unwrap_or_else(|problems| panic!("invalid event catalog:\n{}", problems.join("\n")))
    })
}

/// The entry for a CloudTrail event. Pseudo-events (`ConsoleLogin-root`,
/// `ConsoleLogin-no-mfa`, `AccessDenied-burst`) are found by their id in `event_name`,
/// whatever the source.
pub fn find(event_source: &str, event_name: &str) -> Option<&'static EventMeta> {
    events().iter().find(|meta| {
        if meta.is_pseudo() {
            meta.id == event_name
        } else {
            meta.event_source == event_source && meta.event_name == event_name
        }
    })
}

/// docs/events.md: every entry with its source, severity, risks and related checks.
pub fn index(events: &[EventMeta]) -> String {
    let mut text = String::from(
        "# CloudTrail event catalog\n\n\
         Generated from `checks/events/*.toml` by the test `events::catalog::tests::docs_events_md_is_current`; do not edit by hand \
         (regenerate with `IAMSCAN_WRITE_DOCS=1 cargo test --lib events::catalog`).\n\n\
         Each entry says what the event means, how it goes wrong, what to check when you see it and how to remediate it. \
         The severity is the base severity of the event happening, before correlation with the account's posture. \
         `ConsoleLogin-root`, `ConsoleLogin-no-mfa` and `AccessDenied-burst` are patterns over sign-in and error records rather than one event name.\n\n\
         | event | source | severity | risks | related checks | title |\n|---|---|---|---|---|---|\n",
    );
    for meta in events {
        let risks: Vec<&str> = meta.risks.iter().map(|risk| risk.as_str()).collect();
        let checks: Vec<String> = meta
            .related_checks
            .iter()
            .map(|id| format!("[{id}](checks/{id}.md)"))
            .collect();
        let _ = writeln!(
            text,
            "| [{id}](../checks/events/{id}.toml) | {} | {} | {} | {} | {} |",
            meta.event_source,
            meta.severity,
            risks.join(", "),
            if checks.is_empty() {
                "-".to_string()
            } else {
                checks.join(", ")
            },
            meta.title.replace('|', "\\|"),
            id = meta.id,
        );
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minimal(id: &str, event_name: &str) -> String {
        format!(
            r#"
id = "{id}"
event_name = "{event_name}"
event_source = "iam.amazonaws.com"
title = "T"
severity = "medium"
risks = ["privilege-escalation"]
meaning = "m"
risk = "r"
investigate = "i"
parameters = ["userName"]
related_checks = ["principal-effective-admin"]
escalation_methods = ["iam-add-user-to-group"]
references = ["https://docs.aws.amazon.com/IAM/latest/APIReference/API_AddUserToGroup.html"]

[remediation]
console = "c"
cli = "aws iam get-group --group-name <GROUP_NAME>"
terraform = "t"
"#
        )
    }

    /// The embedded files with one replaced or added.
    fn embedded_with(file: &'static str, text: &'static str) -> Vec<(&'static str, &'static str)> {
        let mut files: Vec<_> = EVENT_FILES
            .iter()
            .copied()
            .filter(|(name, _)| *name != file)
            .collect();
        files.push((file, text));
        files
    }

    fn problems_with(file: &'static str, text: String) -> Vec<String> {
        let text: &'static str = Box::leak(text.into_boxed_str());
        parse_all(&embedded_with(file, text)).unwrap_err()
    }

    #[test]
    fn every_embedded_event_file_is_valid() {
        if let Err(problems) = parse_all(EVENT_FILES) {
            panic!("{}", problems.join("\n"));
        }
        assert_eq!(events().len(), EVENT_FILES.len());
    }

    #[test]
    fn a_minimal_entry_is_valid() {
        let text = minimal("AddUserToGroup", "AddUserToGroup");
        let text: &'static str = Box::leak(text.into_boxed_str());
        parse_all(&embedded_with("AddUserToGroup.toml", text)).unwrap();
    }

    #[test]
    fn the_id_must_be_the_file_stem() {
        let problems = problems_with(
            "AddUserToGroup.toml",
            minimal("AddUserToGroups", "AddUserToGroup"),
        );
        assert!(
            problems.contains(
                &"checks/events/AddUserToGroup.toml: id 'AddUserToGroups' does not match the file name"
                    .to_string()
            ),
            "{problems:?}"
        );
    }

    #[test]
    fn the_event_name_must_not_be_empty() {
        let problems = problems_with("Empty-name.toml", minimal("Empty-name", ""));
        assert!(
            problems.contains(&"checks/events/Empty-name.toml: event_name is empty".to_string()),
            "{problems:?}"
        );
    }

    #[test]
    fn related_checks_must_exist() {
        let text = minimal("AddUserToGroup", "AddUserToGroup")
            .replace("principal-effective-admin", "no-such-check");
        let problems = problems_with("AddUserToGroup.toml", text);
        assert_eq!(
            problems,
            vec![
                "checks/events/AddUserToGroup.toml: related check 'no-such-check' is not in checks/*.toml"
            ]
        );
    }

    #[test]
    fn escalation_methods_must_exist() {
        let text = minimal("AddUserToGroup", "AddUserToGroup")
            .replace("iam-add-user-to-group", "iam-no-such-method");
        let problems = problems_with("AddUserToGroup.toml", text);
        assert_eq!(
            problems,
            vec![
                "checks/events/AddUserToGroup.toml: escalation method 'iam-no-such-method' is not in checks/escalation/methods.toml"
            ]
        );
    }

    #[test]
    fn every_required_event_must_be_present() {
        let files: Vec<_> = EVENT_FILES
            .iter()
            .copied()
            .filter(|(name, _)| *name != "CreateSAMLProvider.toml")
            .collect();
        assert_eq!(
            parse_all(&files).unwrap_err(),
            vec!["checks/events/: no entry for CreateSAMLProvider (CreateSAMLProvider.toml)"]
        );
        for id in REQUIRED {
            assert!(find_by_id(id).is_some(), "no {id}");
        }
    }

    fn find_by_id(id: &str) -> Option<&'static EventMeta> {
        events().iter().find(|meta| meta.id == id)
    }

    #[test]
    fn remediation_fields_must_not_be_empty() {
        let text = minimal("AddUserToGroup", "AddUserToGroup")
            .replace("console = \"c\"", "console = \" \"")
            .replace("terraform = \"t\"", "terraform = \"\"");
        let problems = problems_with("AddUserToGroup.toml", text);
        assert_eq!(
            problems,
            vec![
                "checks/events/AddUserToGroup.toml: remediation.console is empty",
                "checks/events/AddUserToGroup.toml: remediation.terraform is empty",
            ]
        );
    }

    #[test]
    fn references_must_be_https_urls() {
        let text = minimal("AddUserToGroup", "AddUserToGroup").replace(
            "https://docs.aws.amazon.com/IAM",
            "http://docs.aws.amazon.com/IAM",
        );
        let problems = problems_with("AddUserToGroup.toml", text);
        assert_eq!(
            problems,
            vec![
                "checks/events/AddUserToGroup.toml: reference 'http://docs.aws.amazon.com/IAM/latest/APIReference/API_AddUserToGroup.html' is not an https URL"
            ]
        );
    }

    #[test]
    fn all_problems_are_reported_at_once_with_the_file() {
        let broken = minimal("Broken", "")
            .replace("iam.amazonaws.com", "ec2.amazonaws.com")
            .replace("cli = \"aws iam", "cli = \"{user_name} iam")
            .replace("risks = [\"privilege-escalation\"]", "risks = []");
        let unknown_field = format!("{}\nextra = 1\n", minimal("Extra", "Extra"));
        let files = [
            ("Broken.toml", Box::leak(broken.into_boxed_str()) as &str),
            (
                "Extra.toml",
                Box::leak(unknown_field.into_boxed_str()) as &str,
            ),
        ];
        let problems = parse_all(&files).unwrap_err();
        assert_eq!(
            problems[..6],
            [
                "checks/events/Broken.toml: event_name is empty",
                "checks/events/Broken.toml: id 'Broken' differs from event_name '': a pseudo-event id is <name>-<qualifier>",
                "checks/events/Broken.toml: event_source 'ec2.amazonaws.com' is not one of iam.amazonaws.com, signin.amazonaws.com, sts.amazonaws.com",
                "checks/events/Broken.toml: remediation.cli uses {user_name}: nothing fills event templates, write <USER_NAME>",
                "checks/events/Broken.toml: remediation.cli has no aws command",
                "checks/events/Broken.toml: risks is empty",
            ],
            "{problems:#?}"
        );
        assert!(
            problems[6].starts_with("checks/events/Extra.toml: ") && problems[6].contains("extra"),
            "{problems:#?}"
        );
        // And every required entry is missing from these two files.
        assert_eq!(problems.len(), 7 + REQUIRED.len(), "{problems:#?}");
    }

    #[test]
    fn find_matches_source_and_name_and_pseudo_events_by_id() {
        let meta = find("iam.amazonaws.com", "AddUserToGroup").unwrap();
        assert_eq!(meta.id, "AddUserToGroup");
        assert!(find("sts.amazonaws.com", "AddUserToGroup").is_none());
        assert!(find("iam.amazonaws.com", "ListUsers").is_none());
        assert_eq!(
            find("signin.amazonaws.com", "ConsoleLogin-root")
                .unwrap()
                .event_name,
            "ConsoleLogin"
        );
        assert_eq!(
            find("sts.amazonaws.com", "AccessDenied-burst").unwrap().id,
            "AccessDenied-burst"
        );
        // A plain ConsoleLogin is not an entry: which one applies depends on the record.
        assert!(find("signin.amazonaws.com", "ConsoleLogin").is_none());
    }

    #[test]
    fn docs_events_md_is_current() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/events.md");
        let expected = index(events());
        if std::env::var_os("IAMSCAN_WRITE_DOCS").is_some() {
            std::fs::write(&path, &expected).unwrap();
        }
        let actual = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            actual == expected,
            "docs/events.md is stale: run `IAMSCAN_WRITE_DOCS=1 cargo test --lib events::catalog`"
        );
        for meta in events() {
            assert!(actual.contains(&format!("[{}]", meta.id)), "{}", meta.id);
        }
    }
}
