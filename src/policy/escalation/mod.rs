//! Privilege escalation: which principals can become administrator, and how.
//!
//! Built on the effective permissions of [`super::permissions`]: a method of the catalog
//! (`checks/escalation/methods.toml`) is open to a principal when every action it needs is
//! allowed on the resources it needs, from any combination of the principal's policies.
//!
//! The analysis is a graph whose nodes are users, groups and roles, with an edge from A to
//! B when A can become or act as B (assume it, pass it to a service that runs A's code,
//! create its credentials, rewrite its trust, join it). A principal escalates when it can
//! change its own permissions (attach a policy to itself, version a policy it holds),
//! grant administrator to another principal, or reach an administrator or such a
//! principal through edges. [`graph`] explains how the graph is walked without comparing
//! every pair of principals.
//!
//! Routes that need no condition and no resource the inventory cannot show are found
//! first; a principal is reported on an uncertain route only when it has no certain one.
//!
//! Identity and trust policies only: service control policies, resource control policies
//! and other resource-based policies are not in one account's inventory.

pub mod catalog;
mod graph;
mod trusts;

#[cfg(test)]
pub(crate) mod tests;

pub use catalog::{Kind, Method, methods};
pub use graph::{analyse, analyse_with};

use super::permissions::{GrantSource, PrincipalKind};
use std::collections::HashMap;
use std::fmt::Write;

/// What a step (or a route) depends on beyond the principal's policies.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Caveats {
    /// Conditions of the granting statements or of a trust policy.
    pub conditions: Vec<String>,
    /// Resources that must exist which the inventory cannot show (the catalog's premise).
    pub premises: Vec<String>,
}

impl Caveats {
    pub fn is_certain(&self) -> bool {
        self.conditions.is_empty() && self.premises.is_empty()
    }

    fn condition(&mut self, condition: Option<&str>) {
        if let Some(condition) = condition
            && !self.conditions.iter().any(|known| known == condition)
        {
            self.conditions.push(condition.to_string());
        }
    }

    fn premise(&mut self, premise: Option<&str>) {
        if let Some(premise) = premise
            && !self.premises.iter().any(|known| known == premise)
        {
            self.premises.push(premise.to_string());
        }
    }

    fn merge(&mut self, other: &Caveats) {
        for condition in &other.conditions {
            self.condition(Some(condition));
        }
        for premise in &other.premises {
            self.premise(Some(premise));
        }
    }
}

/// One use of a method: the actions, on what, granted by which statements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub method: &'static Method,
    /// The actions used, each once, in the order the method needs them.
    pub actions: Vec<&'static str>,
    /// `on user/alice`, `to lambda.amazonaws.com`: what the actions were aimed at.
    pub detail: Option<String>,
    pub grants: Vec<GrantSource>,
    pub caveats: Caveats,
}

impl Step {
    fn describe(&self) -> String {
        let mut text = self.actions.join(" + ");
        if let Some(detail) = &self.detail {
            let _ = write!(text, " {detail}");
        }
        text
    }
}

/// How a route ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    /// On an administrator: `missing` names the services it lacks ("admin except iam"),
    /// `conditional` what its administrator grant depends on.
    Administrator {
        missing: Vec<String>,
        conditional: Option<String>,
    },
    /// The last principal changes its own permissions.
    Method(Step),
    /// The last principal first takes over `target`, then makes it administrator (or the
    /// other way round): both with its own permissions.
    Takeover {
        target: String,
        modify: Step,
        reach: Step,
    },
    /// The last principal can make another principal (`target`) administrator, though not
    /// itself: escalation for whoever also holds that principal.
    Grant { target: String, step: Step },
}

/// One edge of a route: the principal reached and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hop {
    /// `role/deployer`, `user/alice`, `group/admins`.
    pub to: String,
    pub to_arn: String,
    pub step: Step,
}

/// What a whole route uses and depends on, accumulated hop by hop (long routes are not
/// walked again for every principal on them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub caveats: Caveats,
    /// Catalog ids of the methods used, each once, in route order.
    pub methods: Vec<&'static str>,
    /// The granting statements, each once, in route order, at most [`LISTED`].
    pub grants: Vec<String>,
    /// Granting statements beyond those listed.
    pub more_grants: usize,
    /// Every hop of the route, shown or not.
    pub hops: usize,
}

/// How many conditions, premises or grants a finding lists.
pub const LISTED: usize = 12;

/// How many hops from the start a path shows before eliding up to the last one.
pub const SHOWN_HOPS: usize = 8;

impl Summary {
    fn add_step(&mut self, step: &Step) {
        if !self.methods.contains(&step.method.id.as_str()) {
            self.methods.push(step.method.id.as_str());
        }
        for grant in &step.grants {
            let text = format!("{grant} ({})", grant.statement);
            if self.grants.contains(&text) {
                continue;
            }
            if self.grants.len() < LISTED {
                self.grants.push(text);
            } else {
                self.more_grants += 1;
            }
        }
        for condition in &step.caveats.conditions {
            if self.caveats.conditions.len() < LISTED {
                self.caveats.condition(Some(condition));
            }
        }
        for premise in &step.caveats.premises {
            if self.caveats.premises.len() < LISTED {
                self.caveats.premise(Some(premise));
            }
        }
    }

    /// The summary of a route that ends here.
    pub(crate) fn of_ending(ending: &Ending) -> Summary {
        let mut summary = Summary::default();
        match ending {
            Ending::Administrator { conditional, .. } => {
                if let Some(condition) = conditional {
                    summary.caveats.condition(Some(&format!(
                        "the administrator grant's condition ({condition})"
                    )));
                }
            }
            Ending::Method(step) | Ending::Grant { step, .. } => summary.add_step(step),
            Ending::Takeover { modify, reach, .. } => {
                summary.add_step(modify);
                summary.add_step(reach);
            }
        }
        summary
    }

    /// The summary of `step` followed by the route summarised by `rest`.
    pub(crate) fn then(step: &Step, rest: &Summary) -> Summary {
        let mut summary = Summary::default();
        summary.add_step(step);
        for method in &rest.methods {
            if !summary.methods.contains(method) {
                summary.methods.push(method);
            }
        }
        for grant in &rest.grants {
            if summary.grants.contains(grant) {
                continue;
            }
            if summary.grants.len() < LISTED {
                summary.grants.push(grant.clone());
            } else {
                summary.more_grants += 1;
            }
        }
        summary.more_grants += rest.more_grants;
        for condition in &rest.caveats.conditions {
            if summary.caveats.conditions.len() < LISTED {
                summary.caveats.condition(Some(condition));
            }
        }
        for premise in &rest.caveats.premises {
            if summary.caveats.premises.len() < LISTED {
                summary.caveats.premise(Some(premise));
            }
        }
        summary.hops = rest.hops + 1;
        summary
    }
}

/// How a principal escalates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// `user/dave`.
    pub start: String,
    /// The hops shown: the first [`SHOWN_HOPS`], and the last one when more were elided.
    pub hops: Vec<Hop>,
    /// Hops left out between the shown ones and the last.
    pub elided: usize,
    pub ending: Ending,
    /// Every step uses the starting principal's own permissions (at most one hop, onto an
    /// administrator, or a takeover): principal-privilege-escalation's kind of route.
    pub direct: bool,
    pub summary: Summary,
}

impl Route {
    /// Everything the route depends on, each once.
    pub fn caveats(&self) -> Caveats {
        self.summary.caveats.clone()
    }

    /// No condition, no premise, and it ends in full administrator of the account.
    pub fn is_certain_full_admin(&self) -> bool {
        self.summary.caveats.is_certain()
            && match &self.ending {
                Ending::Administrator { missing, .. } => missing.is_empty(),
                Ending::Method(_) | Ending::Takeover { .. } => true,
                Ending::Grant { .. } => false,
            }
    }

    /// The catalog ids of the methods used, each once, in route order.
    pub fn method_ids(&self) -> Vec<&'static str> {
        self.summary.methods.clone()
    }

    /// The granting statements of every step, each once, as findings name them.
    pub fn grants(&self) -> Vec<String> {
        let mut grants = self.summary.grants.clone();
        if self.summary.more_grants > 0 {
            grants.push(format!("{} more", self.summary.more_grants));
        }
        grants
    }

    /// `user/dave -> role/ops (sts:AssumeRole) -> iam:AttachRolePolicy on role/ops`.
    pub fn path(&self) -> String {
        let mut text = self.start.clone();
        for (index, hop) in self.hops.iter().enumerate() {
            if self.elided > 0 && index + 1 == self.hops.len() {
                let _ = write!(text, " -> ... ({} more hops)", self.elided);
            }
            let _ = write!(text, " -> {} ({})", hop.to, hop.step.describe());
        }
        match &self.ending {
            Ending::Administrator { missing, .. } if missing.is_empty() => {
                text.push_str(", an administrator");
            }
            Ending::Administrator { missing, .. } => {
                let _ = write!(text, ", an administrator except {}", missing.join(", "));
            }
            Ending::Method(step) => {
                let _ = write!(text, " -> {}", step.describe());
            }
            Ending::Takeover {
                modify,
                reach,
                target,
            } => {
                let _ = write!(
                    text,
                    " -> {} (then {} to act as {target})",
                    modify.describe(),
                    reach.describe()
                );
            }
            Ending::Grant { step, .. } => {
                let _ = write!(text, " -> {}", step.describe());
            }
        }
        text
    }
}

/// The analysis's answer for one user or role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Declared out of scope by this `escalation_exclusions` pattern.
    Excluded(String),
    /// Already an administrator of everything (admin-access reports it); `route` names
    /// the granting policies.
    Administrator {
        route: String,
    },
    Escalates(Box<Route>),
    /// No route found.
    Clean,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrincipalVerdict {
    pub kind: PrincipalKind,
    pub name: String,
    pub arn: String,
    pub outcome: Outcome,
    /// Is, or can become, an administrator (an exclusion does not change it): for checks
    /// whose severity rises with what a principal can reach.
    pub reaches_administrator: bool,
    /// Policies that could not be evaluated: a clean verdict is then unknown.
    pub unknowns: Vec<String>,
}

/// Every user and role of the account, in inventory order (users first).
#[derive(Debug, Clone, Default)]
pub struct Analysis {
    pub principals: Vec<PrincipalVerdict>,
    by_arn: HashMap<String, usize>,
}

impl Analysis {
    fn new(principals: Vec<PrincipalVerdict>) -> Self {
        let by_arn = principals
            .iter()
            .enumerate()
            .map(|(index, verdict)| (verdict.arn.clone(), index))
            .collect();
        Analysis { principals, by_arn }
    }

    pub fn verdict(&self, arn: &str) -> Option<&PrincipalVerdict> {
        self.by_arn.get(arn).map(|&index| &self.principals[index])
    }

    /// Whether whoever holds this principal is, or can become, an administrator.
    pub fn reaches_administrator(&self, arn: &str) -> bool {
        self.verdict(arn)
            .is_some_and(|verdict| verdict.reaches_administrator)
    }
}
