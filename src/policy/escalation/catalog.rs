//! The escalation methods, kept as data in `checks/escalation/methods.toml`.
//!
//! Each method says which actions it needs and on what: the kind decides how the analysis
//! finds the resources (a policy attached to the principal, another user, a role a service
//! trusts, ...). The file is validated as a whole, every problem reported at once.

use serde::Deserialize;
use std::sync::OnceLock;

const METHODS_FILE: &str = include_str!("../../../checks/escalation/methods.toml");

/// How a method's resources are found, and what the attacker gains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// `actions` on a customer managed policy attached to the target principal.
    PolicyVersion,
    /// `actions` on a user: attach or write a policy.
    UserPolicy,
    /// `actions` on a group: attach or write a policy; its members gain.
    GroupPolicy,
    /// `actions` on a role: attach or write a policy.
    RolePolicy,
    /// `actions` on a group: add a user to it.
    GroupMembership,
    /// `actions` on another user: act as that user.
    UserCredentials,
    /// `actions` on a role: rewrite its trust to admit the principal.
    RoleTrust,
    /// `actions` on a role whose trust admits the principal.
    AssumeRole,
    /// iam:PassRole on a role one of `services` trusts, plus `with`.
    PassRole,
    /// `with` only: take over an existing resource that runs with a service's role.
    ServiceRole,
    /// `with` only: create a principal and make it administrator.
    NewPrincipal,
}

impl Kind {
    /// Kinds whose `actions` apply to a target resource.
    fn has_target_actions(self) -> bool {
        !matches!(
            self,
            Kind::PassRole | Kind::ServiceRole | Kind::NewPrincipal
        )
    }

    /// Kinds that reach a role some service trusts.
    fn needs_services(self) -> bool {
        matches!(self, Kind::PassRole | Kind::ServiceRole)
    }
}

/// For console password methods: whether the target user must have a password already.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Password {
    Absent,
    Present,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Method {
    pub id: String,
    pub name: String,
    pub kind: Kind,
    /// Any one of these, on the target resource.
    #[serde(default)]
    pub actions: Vec<String>,
    /// Every inner list needed (any one action of it), on a resource the attacker picks.
    #[serde(default)]
    pub with: Vec<Vec<String>>,
    #[serde(default)]
    pub services: Vec<String>,
    #[serde(default)]
    pub password: Option<Password>,
    /// What must already exist that the inventory cannot show.
    #[serde(default)]
    pub premise: Option<String>,
    pub gains: String,
    pub references: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    method: Vec<Method>,
}

/// Parses and validates a methods file, reporting every problem at once.
pub fn parse(text: &str) -> Result<Vec<Method>, Vec<String>> {
    let file: File = toml::from_str(text).map_err(|error| vec![error.to_string()])?;
    let mut problems = Vec::new();
    for (index, method) in file.method.iter().enumerate() {
        let mut problem = |message: String| {
            problems.push(format!("method[{index}] ({}): {message}", method.id));
        };
        if file.method[..index]
            .iter()
            .any(|other| other.id == method.id)
        {
            problem("id is used twice".into());
        }
        if method.id.is_empty()
            || !method
                .id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            problem("id must be lower-case letters, digits and dashes".into());
        }
        if method.name.trim().is_empty() || method.gains.trim().is_empty() {
            problem("name and gains must not be empty".into());
        }
        if method.references.is_empty() {
            problem("no references".into());
        }
        for reference in &method.references {
            if !reference.starts_with("https://") {
                problem(format!("reference '{reference}' is not an https URL"));
            }
        }
        if method.kind.has_target_actions() == method.actions.is_empty() {
            problem(if method.actions.is_empty() {
                "this kind needs `actions` (on the target resource)".into()
            } else {
                "this kind takes no `actions`, only `with`".into()
            });
        }
        if !method.kind.has_target_actions() && method.with.is_empty() {
            problem("this kind needs `with`".into());
        }
        if method.with.iter().any(Vec::is_empty) {
            problem("an inner list of `with` is empty".into());
        }
        if method.kind.needs_services() == method.services.is_empty() {
            problem(if method.services.is_empty() {
                "this kind needs `services` (who must trust the role)".into()
            } else {
                "only pass-role and service-role methods take `services`".into()
            });
        }
        for service in &method.services {
            if !service.ends_with(".amazonaws.com") {
                problem(format!("service '{service}' is not a service principal"));
            }
        }
        if method.password.is_some() && method.kind != Kind::UserCredentials {
            problem("`password` applies to user-credentials methods only".into());
        }
        if method.kind == Kind::ServiceRole && method.premise.is_none() {
            problem(
                "a service-role method relies on an existing resource: say which in `premise`"
                    .into(),
            );
        }
        for action in method.actions.iter().chain(method.with.iter().flatten()) {
            let valid = action.split_once(':').is_some_and(|(service, name)| {
                !service.is_empty()
                    && !name.is_empty()
                    && !action.contains(['*', '?'])
                    && service
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            });
            if !valid {
                problem(format!(
                    "'{action}' is not a concrete action (service:Name, no wildcards)"
                ));
            }
        }
    }
    if problems.is_empty() {
        Ok(file.method)
    } else {
        Err(problems)
    }
}

/// The embedded catalog. A test validates it, so an invalid file at run time is a
/// programming error.
pub fn methods() -> &'static [Method] {
    static METHODS: OnceLock<Vec<Method>> = OnceLock::new();
    METHODS.get_or_init(|| {
        parse(METHODS_FILE).unwrap_or_else(|problems| {
            panic!(
                "invalid checks/escalation/methods.toml:\n{}",
                problems.join("\n")
            )
        })
    })
}

/// The method with this id. Panics on an unknown id: ids in code are constants that the
/// catalog test pins down.
pub fn method(id: &str) -> &'static Method {
    methods()
        .iter()
        .find(|method| method.id == id)
        .unwrap_or_else(|| panic!("no escalation method '{id}' in checks/escalation/methods.toml"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_catalog_is_valid() {
        if let Err(problems) = parse(METHODS_FILE) {
            panic!("{}", problems.join("\n"));
        }
    }

    #[test]
    fn the_catalog_covers_every_published_method_iam_vulnerable_exercises() {
        let ids: Vec<&str> = methods().iter().map(|method| method.id.as_str()).collect();
        for id in [
            "iam-create-policy-version",
            "iam-set-default-policy-version",
            "ec2-run-instances",
            "iam-create-access-key",
            "iam-create-login-profile",
            "iam-update-login-profile",
            "iam-attach-user-policy",
            "iam-attach-group-policy",
            "iam-attach-role-policy",
            "iam-put-user-policy",
            "iam-put-group-policy",
            "iam-put-role-policy",
            "iam-add-user-to-group",
            "iam-update-assume-role-policy",
            "lambda-create-invoke",
            "lambda-create-event-source",
            "lambda-update-function-code",
            "glue-create-dev-endpoint",
            "glue-update-dev-endpoint",
            "cloudformation-create-stack",
            "cloudformation-update-stack",
            "datapipeline-create-pipeline",
            "codebuild-create-project",
            "ecs-run-task",
            "sagemaker-create-notebook",
            "sagemaker-create-training-job",
            "sagemaker-create-processing-job",
            "sagemaker-presigned-notebook-url",
            "apprunner-create-service",
            "ssm-send-command",
            "ssm-start-session",
            "ec2-instance-connect",
            "sts-assume-role",
        ] {
            assert!(ids.contains(&id), "no method {id}");
        }
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let text = r#"
[[method]]
id = "a"
name = "A"
kind = "pass-role"
actions = ["iam:PassRole"]
gains = "g"
references = ["http://example.com"]

[[method]]
id = "a"
name = "B"
kind = "service-role"
services = ["lambda"]
with = [["lambda:Update*"]]
gains = "g"
references = ["https://example.com"]
"#;
        let problems = parse(text).unwrap_err();
        assert_eq!(
            problems,
            vec![
                "method[0] (a): reference 'http://example.com' is not an https URL",
                "method[0] (a): this kind takes no `actions`, only `with`",
                "method[0] (a): this kind needs `with`",
                "method[0] (a): this kind needs `services` (who must trust the role)",
                "method[1] (a): id is used twice",
                "method[1] (a): service 'lambda' is not a service principal",
                "method[1] (a): a service-role method relies on an existing resource: say which in `premise`",
                "method[1] (a): 'lambda:Update*' is not a concrete action (service:Name, no wildcards)",
            ]
        );
    }
}
