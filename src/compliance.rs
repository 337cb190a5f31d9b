//! Compliance views: frameworks are data (`compliance/*.toml`), checks carry their own
//! mappings (`[[compliance]]` in `checks/*.toml`), and this module joins the two with a
//! scan's findings into one status per control.

use crate::catalog::{Assessment, CheckMeta};
use crate::finding::{Finding, Status};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

include!(concat!(env!("OUT_DIR"), "/compliance_files.rs"));

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Framework {
    /// The id checks use in their mappings (`cis-aws-foundations-7.0`).
    pub id: String,
    pub name: String,
    /// Where the list of controls came from.
    pub source: String,
    /// Other names accepted by `--framework` (`cis-aws-7.0`).
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(rename = "control")]
    pub controls: Vec<Control>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Control {
    pub id: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
    /// CIS marks some recommendations Manual: never shown as a plain pass.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assessment: Option<Assessment>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub standards: Vec<String>,
    #[serde(default)]
    pub retired: bool,
    /// Why no check can evaluate it (yet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_covered: Option<String>,
}

/// A control's verdict for one scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ControlStatus {
    Pass,
    Fail,
    /// Some check behind it had no evidence: never a pass.
    Error,
    /// Every failure behind it is suppressed: an accepted risk, not a pass.
    Muted,
    /// CIS marks it Manual: iamscan's evidence is shown, a person decides.
    Manual,
    /// No check behind it ran (not implemented, or not selected with --checks).
    NotCovered,
    /// Retired by the framework.
    Retired,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ControlResult {
    pub id: String,
    pub title: String,
    pub status: ControlStatus,
    /// The checks behind it that ran.
    pub checks: Vec<String>,
    pub passed: usize,
    pub failed: usize,
    pub errored: usize,
    /// What the status rests on, in a sentence.
    pub evidence: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FrameworkResult {
    pub framework: String,
    pub name: String,
    pub controls: Vec<ControlResult>,
}

/// Parses the embedded frameworks, reporting every problem at once.
pub fn parse_all(files: &[(&str, &str)]) -> Result<Vec<Framework>, Vec<String>> {
    let mut problems = Vec::new();
    let mut frameworks: Vec<Framework> = Vec::new();
    for (file, text) in files {
        match toml::from_str::<Framework>(text) {
            Ok(framework) => {
                let mut seen = std::collections::BTreeSet::new();
                for control in &framework.controls {
                    if !seen.insert(control.id.as_str()) {
                        problems.push(format!(
                            "compliance/{file}: control {} is listed twice",
                            control.id
                        ));
                    }
                }
                frameworks.push(framework);
            }
            Err(error) => problems.push(format!("compliance/{file}: {}", error.to_string().trim())),
        }
    }
    if problems.is_empty() {
        Ok(frameworks)
    } else {
        Err(problems)
    }
}

pub fn frameworks() -> &'static [Framework] {
    static FRAMEWORKS: OnceLock<Vec<Framework>> = OnceLock::new();
    FRAMEWORKS.get_or_init(|| {
        parse_all(FRAMEWORK_FILES)
            .unwrap_or_else(|problems| panic!("invalid compliance files:\n{}", problems.join("\n")))
    })
}

/// A framework by id or alias.
pub fn find(name: &str) -> Option<&'static Framework> {
    frameworks().iter().find(|framework| {
        framework.id == name || framework.aliases.iter().any(|alias| alias == name)
    })
}

/// The checks (of those that ran) mapped to `control` of `framework`.
fn checks_for<'a>(
    framework: &Framework,
    control: &Control,
    checks: &'a [CheckMeta],
) -> Vec<&'a CheckMeta> {
    checks
        .iter()
        .filter(|meta| {
            meta.compliance
                .iter()
                .any(|mapping| mapping.framework == framework.id && mapping.control == control.id)
        })
        .collect()
}

/// Every control of `framework`, judged on the findings of the checks that ran.
pub fn evaluate(
    framework: &Framework,
    checks: &[CheckMeta],
    findings: &[Finding],
) -> FrameworkResult {
    // Check id -> status -> findings: one pass over the findings, not one per control.
    let mut tally: HashMap<&str, HashMap<Status, usize>> = HashMap::new();
    for finding in findings {
        *tally
            .entry(finding.check_id.as_str())
            .or_default()
            .entry(finding.status)
            .or_default() += 1;
    }
    let controls = framework
        .controls
        .iter()
        .map(|control| {
            let behind = checks_for(framework, control, checks);
            let ids: Vec<String> = behind.iter().map(|meta| meta.id.clone()).collect();
            let unique: HashSet<&str> = ids.iter().map(String::as_str).collect();
            let count = |status: Status| -> usize {
                unique
                    .iter()
                    .filter_map(|id| tally.get(id)?.get(&status))
                    .sum()
            };
            let (passed, failed, errored, muted) = (
                count(Status::Pass),
                count(Status::Fail),
                count(Status::Error),
                count(Status::Muted),
            );
            let manual = control.assessment == Some(Assessment::Manual);
            let (status, evidence) = if control.retired {
                (
                    ControlStatus::Retired,
                    "retired by the framework".to_string(),
                )
            } else if ids.is_empty() {
                let why = control
                    .not_covered
                    .clone()
                    .unwrap_or_else(|| "no iamscan check evaluates it".to_string());
                (
                    if manual {
                        ControlStatus::Manual
                    } else {
                        ControlStatus::NotCovered
                    },
                    why,
                )
            } else if errored > 0 {
                (
                    ControlStatus::Error,
                    format!("{errored} finding(s) could not be evaluated: not a pass"),
                )
            } else if manual {
                (
                    ControlStatus::Manual,
                    format!(
                        "CIS marks it Manual; iamscan's evidence: {passed} pass, {failed} fail"
                    ),
                )
            } else if failed > 0 {
                (
                    ControlStatus::Fail,
                    format!("{failed} failing finding(s), {passed} passing"),
                )
            } else if muted > 0 {
                (
                    ControlStatus::Muted,
                    format!(
                        "{muted} failing finding(s), all suppressed: an accepted risk, not a pass"
                    ),
                )
            } else if passed > 0 {
                (ControlStatus::Pass, format!("{passed} passing finding(s)"))
            } else {
                // Every finding was skipped (nothing to judge) or muted.
                (
                    ControlStatus::Pass,
                    "nothing in the account that it applies to".to_string(),
                )
            };
            ControlResult {
                id: control.id.clone(),
                title: control.title.clone(),
                status,
                checks: ids,
                passed,
                failed,
                errored,
                evidence,
            }
        })
        .collect();
    FrameworkResult {
        framework: framework.id.clone(),
        name: framework.name.clone(),
        controls,
    }
}

/// Mappings in checks/*.toml that name a control the framework does not have.
pub fn dangling_mappings(catalog: &[CheckMeta], frameworks: &[Framework]) -> Vec<String> {
    catalog
        .iter()
        .flat_map(|meta| {
            meta.compliance.iter().filter_map(move |mapping| {
                let framework = frameworks
                    .iter()
                    .find(|framework| framework.id == mapping.framework)?;
                let control = framework
                    .controls
                    .iter()
                    .find(|control| control.id == mapping.control);
                match control {
                    None => Some(format!(
                        "checks/{}.toml maps to {} {}, which it does not have",
                        meta.id, framework.id, mapping.control
                    )),
                    Some(control)
                        if control.assessment.is_some()
                            && mapping.assessment.is_some()
                            && control.assessment != mapping.assessment =>
                    {
                        Some(format!(
                            "checks/{}.toml says {} {} is {:?}, the framework says {:?}",
                            meta.id,
                            framework.id,
                            mapping.control,
                            mapping.assessment,
                            control.assessment
                        ))
                    }
                    Some(_) => None,
                }
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog;

    #[test]
    fn every_framework_file_is_valid() {
        if let Err(problems) = parse_all(FRAMEWORK_FILES) {
            panic!("{}", problems.join("\n"));
        }
    }

    #[test]
    fn every_check_mapping_names_a_control_its_framework_has() {
        let problems = dangling_mappings(catalog::catalog(), frameworks());
        assert!(problems.is_empty(), "{}", problems.join("\n"));
        for framework in ["cis-aws-foundations-7.0", "aws-security-hub"] {
            assert!(find(framework).is_some(), "compliance/ has no {framework}");
        }
    }
}
