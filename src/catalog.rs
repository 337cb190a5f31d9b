//! The check catalog: what each check means, its risk, remediation and compliance
//! mappings, kept as data in `checks/*.toml` and embedded at build time.

use crate::finding::{Category, Severity};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::sync::OnceLock;

include!(concat!(env!("OUT_DIR"), "/check_files.rs"));

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckMeta {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub categories: Vec<Category>,
    pub resource_type: String,
    pub description: String,
    pub risk: String,
    #[serde(default)]
    pub references: Vec<String>,
    pub remediation: RemediationTemplate,
    #[serde(default)]
    pub compliance: Vec<ComplianceMapping>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemediationTemplate {
    pub console: String,
    pub cli: String,
    #[serde(default)]
    pub terraform: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComplianceMapping {
    pub framework: String,
    pub control: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assessment: Option<Assessment>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub standards: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Assessment {
    Automated,
    Manual,
}

/// The placeholders a remediation template may use; the check fills in those it knows.
pub const PLACEHOLDERS: &[&str] = &[
    "account_id",
    "user_name",
    "access_key_id",
    "group_name",
    "policy_arn",
    "policy_name",
    "days",
    "role_name",
    "provider_arn",
    "region",
    "certificate_name",
    "trail_name",
];

/// Parses and validates every embedded file, reporting all problems at once.
pub fn parse_all(files: &[(&str, &str)]) -> Result<Vec<CheckMeta>, Vec<String>> {
    let mut problems = Vec::new();
    let mut checks: Vec<CheckMeta> = Vec::new();
    for (file, text) in files {
        match toml::from_str::<CheckMeta>(text) {
            Ok(meta) => {
                problems.extend(validate(file, &meta));
                if checks.iter().any(|other| other.id == meta.id) {
                    problems.push(format!("checks/{file}: id '{}' is used twice", meta.id));
                }
                checks.push(meta);
            }
            Err(error) => problems.push(format!("checks/{file}: {}", error.to_string().trim())),
        }
    }
    if problems.is_empty() {
        checks.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(checks)
    } else {
        Err(problems)
    }
}

fn validate(file: &str, meta: &CheckMeta) -> Vec<String> {
    let mut problems = Vec::new();
    let mut problem = |message: String| problems.push(format!("checks/{file}: {message}"));
    if file.strip_suffix(".toml") != Some(meta.id.as_str()) {
        problem(format!("id '{}' does not match the file name", meta.id));
    }
    if meta.categories.is_empty() {
        problem("categories is empty".into());
    }
    for (field, text) in [
        ("title", &meta.title),
        ("description", &meta.description),
        ("risk", &meta.risk),
        ("remediation.console", &meta.remediation.console),
        ("remediation.cli", &meta.remediation.cli),
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
        for name in placeholders_in(text) {
            if !PLACEHOLDERS.contains(&name) {
                problem(format!("{field} uses unknown placeholder {{{name}}}"));
            }
        }
    }
    for mapping in &meta.compliance {
        match mapping.framework.as_str() {
            "cis-aws-foundations-7.0" if mapping.assessment.is_none() => problem(format!(
                "CIS control {} has no assessment (automated or manual)",
                mapping.control
            )),
            "aws-security-hub" if mapping.standards.is_empty() => problem(format!(
                "Security Hub control {} lists no standards",
                mapping.control
            )),
            "cis-aws-foundations-7.0" | "aws-security-hub" => {}
            other => problem(format!("unknown compliance framework '{other}'")),
        }
    }
    problems
}

/// Names written as `{name}` in a template: lower-case letters and underscores only, so
/// JSON or HCL braces in a snippet are not mistaken for placeholders.
pub fn placeholders_in(text: &str) -> impl Iterator<Item = &str> {
    text.split('{').skip(1).filter_map(|rest| {
        let name = rest.split('}').next()?;
        (rest.contains('}')
            && !name.is_empty()
            && name.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
        .then_some(name)
    })
}

/// Fills `{name}` placeholders: `value(name, text)` appends the value of `name` to `text`
/// and says whether it knew one; an unknown name is left as it stands.
/// One pass over the template: a value is never searched for placeholders itself.
pub fn fill<'a>(
    template: &'a str,
    mut value: impl FnMut(&str, &mut String) -> bool,
) -> Cow<'a, str> {
    if !template.contains('{') {
        return Cow::Borrowed(template);
    }
    let mut text = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        text.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) if value(&after[..close], &mut text) => rest = &after[close + 1..],
            _ => {
                text.push('{');
                rest = after;
            }
        }
    }
    text.push_str(rest);
    Cow::Owned(text)
}

/// The embedded catalog. It is validated by the test suite; a build with an invalid file
/// fails its tests, so at run time an invalid catalog is a programming error.
pub fn catalog() -> &'static [CheckMeta] {
    static CATALOG: OnceLock<Vec<CheckMeta>> = OnceLock::new();
    CATALOG.get_or_init(|| {
        parse_all(CHECK_FILES)
            .unwrap_or_else(|problems| panic!("invalid check catalog:\n{}", problems.join("\n")))
    })
}

pub fn find(id: &str) -> Option<&'static CheckMeta> {
    catalog().iter().find(|meta| meta.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_check_file_is_valid() {
        if let Err(problems) = parse_all(CHECK_FILES) {
            panic!("{}", problems.join("\n"));
        }
    }

    #[test]
    fn all_problems_are_reported_at_once_with_the_file() {
        let broken = r#"
id = "other"
title = ""
severity = "severe"
"#;
        let bad_placeholder = r#"
id = "b"
title = "B"
severity = "low"
categories = ["root"]
resource_type = "AwsAccount"
description = "d"
risk = "r"
[remediation]
console = "c"
cli = "aws iam delete-user --user-name {username}"
"#;
        let problems = parse_all(&[("a.toml", broken), ("b.toml", bad_placeholder)]).unwrap_err();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(
            problems[0].starts_with("checks/a.toml: "),
            "{}",
            problems[0]
        );
        assert_eq!(
            problems[1],
            "checks/b.toml: remediation.cli uses unknown placeholder {username}"
        );
    }

    #[test]
    fn json_braces_are_not_placeholders() {
        let names: Vec<_> =
            placeholders_in(r#"{"Version": "2012-10-17"} {user_name} {}"#).collect();
        assert_eq!(names, vec!["user_name"]);
    }
}
