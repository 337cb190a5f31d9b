//! Effective identity permissions of every user, group and role, and the questions
//! checks ask of them: may this principal do this action on this resource, through which
//! policies, under which conditions; is it effectively an administrator.
//!
//! What a principal holds:
//! * a user: its inline and attached policies, and every group's inline and attached ones;
//! * a role: its inline and attached policies;
//! * a group (for "this group grants admin"): its inline and attached policies;
//!
//! managed policies by their default version only (the inventory holds nothing else),
//! intersected with the permissions boundary when one is set: an action must be allowed by
//! the boundary *and* by the identity policies, and a Deny in either removes it.
//!
//! In a member account of an organization whose service control policies were collected
//! (an organization-wide scan puts them in [`AuthorizationDetails::organization`]), the SCPs
//! are one more ceiling, level by level as AWS evaluates them: an action is allowed only if
//! at *every* level from the root to the account some attached SCP allows it, and no SCP at
//! any level denies it. SCPs never grant, do not apply to the management account, and do not
//! cap service-linked roles. A level that allows an action only under a condition makes the
//! grant conditional; a conditional SCP Deny removes nothing and is reported as a condition,
//! as an identity policy's is.
//!
//! Deny wins over Allow, but only a Deny that applies whatever the requester does
//! (unconditional or effectively so, see [`super::conditions`]) is credited with removing a
//! permission; a conditional Deny is reported as a condition on the Allow.
//!
//! Resource control policies, session policies and resource-based policies are not
//! evaluated; service control policies only when the inventory holds them.
//!
//! A policy the inventory could not read (a gap) makes the principal's answers incomplete:
//! [`Permissions::unknowns`] says which, so a check can report `error` rather than `pass`.
//!
//! The index is built once per scan in time linear in principals plus attachments; every
//! policy is compiled once however many principals hold it, and the administrator probes
//! of a policy without variables are evaluated once for all of them.
//!
//! Using it (a check gets the index from `Context::permissions`):
//!
//! ```text
//! let index = context.permissions()?;              // or PermissionIndex::new(details, account, now)
//! let dave = index.user("dave")?;                   // or .role(name), .group(name), .principal(arn)
//! dave.access("iam:CreateAccessKey", &bob.arn)      // Denied { by } | NotAllowed | Allowed { conditional, grants }
//! dave.access("iam:PassRole", "arn:aws:iam::123456789012:role/*")   // on every role (a set query)
//! dave.access_somewhere("iam:CreatePolicyVersion")  // on at least one resource
//! dave.allowed_resources("iam:PassRole")            // the granting statements, to find targets
//! dave.admin_evidence()                             // Some(route) when effectively administrator
//! dave.unknowns()                                   // policies that could not be read
//! ```

use super::conditions::{ConditionClass, classify};
use super::document::{ActionSpec, Effect, PolicyDocument, ResourceSpec, Statement};
use super::matching::{Glob, Requester, resolve_pattern, resources_cover, service_of};
use crate::inventory::gaad::ManagedPolicy;
use crate::inventory::{AuthorizationDetails, InlinePolicy, Inventory, OrgContext};
use chrono::{DateTime, Utc};
use foldhash::{HashMap, HashMapExt};
use std::collections::BTreeSet;
use std::fmt;
use std::sync::{Arc, OnceLock};

/// Actions whose grant on every resource marks an administrator: one or two per service
/// that matters (identity, compute, data, keys, audit, organization).
pub const ADMIN_PROBES: &[&str] = &[
    "iam:CreateUser",
    "iam:AttachRolePolicy",
    "sts:AssumeRole",
    "ec2:RunInstances",
    "s3:GetObject",
    "s3:PutBucketPolicy",
    "kms:Decrypt",
    "lambda:CreateFunction",
    "secretsmanager:GetSecretValue",
    "dynamodb:Scan",
    "cloudtrail:StopLogging",
    "organizations:CreateAccount",
];

/// How many probe services may be missing and the principal still counts as effectively
/// an administrator: `NotAction: [iam:*, organizations:*]` on `*` is "admin except IAM".
pub const ADMIN_MAX_MISSING_SERVICES: usize = 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PrincipalKind {
    User,
    Group,
    Role,
}

impl PrincipalKind {
    /// `user`, `group`, `role`: as in ARNs and in `user/alice`.
    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalKind::User => "user",
            PrincipalKind::Group => "group",
            PrincipalKind::Role => "role",
        }
    }
}

/// Which principal a [`Permissions`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrincipalRef<'a> {
    pub kind: PrincipalKind,
    pub name: &'a str,
    pub arn: &'a str,
    pub path: &'a str,
}

impl fmt::Display for PrincipalRef<'_> {
    /// `user/alice`, `role/deployer`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.kind.as_str(), self.name)
    }
}

/// A policy, named as a finding should name it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PolicySource {
    Managed {
        arn: String,
        name: String,
    },
    /// `owner` is `user/alice`, `group/admins` or `role/deployer`.
    Inline {
        owner: String,
        name: String,
    },
}

impl PolicySource {
    pub fn is_aws_managed(&self) -> bool {
        match self {
            PolicySource::Managed { arn, .. } => crate::inventory::is_aws_managed_policy(arn),
            PolicySource::Inline { .. } => false,
        }
    }

    /// The managed policy's ARN, or the inline policy's name.
    pub fn name(&self) -> &str {
        match self {
            PolicySource::Managed { name, .. } | PolicySource::Inline { name, .. } => name,
        }
    }
}

impl fmt::Display for PolicySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PolicySource::Managed { arn, .. } => f.write_str(arn),
            PolicySource::Inline { owner, name } => write!(f, "inline policy {name} of {owner}"),
        }
    }
}

/// One statement of one policy that grants (or denies) what was asked.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
///
/// Shared, not copied: the analysis clones sources into every answer and route, and each
/// clone is three reference counts.
pub struct GrantSource {
    pub policy: Arc<PolicySource>,
    /// The group a user holds the policy through.
    pub via_group: Option<Arc<str>>,
    /// The statement's Sid, or `Statement[i]` when it has none.
    pub statement: Arc<str>,
}

impl fmt::Display for GrantSource {
    /// `arn:aws:iam::aws:policy/AdministratorAccess via group admins`,
    /// `inline policy ops of role/deployer`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.policy)?;
        match &self.via_group {
            Some(group) => write!(f, " via group {group}"),
            None => Ok(()),
        }
    }
}

/// The answer to "may this principal do `action` on `resource`?".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    /// A Deny that applies whatever the requester does.
    Denied { by: Vec<GrantSource> },
    /// No Allow applies (implicit deny), or the permissions boundary or some level of the
    /// organization's service control policies does not allow it.
    NotAllowed,
    /// `conditional` says what the grant depends on: the conditions of the Allow
    /// statements when none is (effectively) unconditional, and the conditional Denies
    /// that may still remove it. `None`: allowed outright.
    Allowed {
        conditional: Option<String>,
        grants: Vec<GrantSource>,
    },
}

impl Access {
    pub fn is_allowed(&self) -> bool {
        matches!(self, Access::Allowed { .. })
    }

    /// Allowed with no condition attached.
    pub fn is_certain(&self) -> bool {
        matches!(
            self,
            Access::Allowed {
                conditional: None,
                ..
            }
        )
    }

    /// The statements that allow it (empty unless allowed).
    pub fn grants(&self) -> &[GrantSource] {
        match self {
            Access::Allowed { grants, .. } => grants,
            _ => &[],
        }
    }

    pub fn conditional(&self) -> Option<&str> {
        match self {
            Access::Allowed { conditional, .. } => conditional.as_deref(),
            _ => None,
        }
    }
}

/// Why a principal counts as effectively an administrator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminEvidence {
    /// The statements that grant the probes, each once, in policy order.
    pub grants: Vec<GrantSource>,
    /// What the grant depends on, when it is conditional.
    pub conditional: Option<String>,
    /// Probes of [`ADMIN_PROBES`] not allowed on every resource ("admin except IAM").
    pub missing: Vec<&'static str>,
}

impl AdminEvidence {
    /// Every probe allowed: `*` on `*` in effect.
    pub fn is_full(&self) -> bool {
        self.missing.is_empty()
    }

    /// The granting policies, joined for a message.
    pub fn route(&self) -> String {
        let mut seen = BTreeSet::new();
        self.grants
            .iter()
            .map(ToString::to_string)
            .filter(|text| seen.insert(text.clone()))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The services the principal lacks, for "admin except iam, organizations".
    pub fn missing_services(&self) -> Vec<String> {
        let services: BTreeSet<String> = self
            .missing
            .iter()
            .map(|action| service_of(action))
            .collect();
        services.into_iter().collect()
    }
}

/// An Allow statement that grants an action, with the resources it names, for finding
/// targets without trying every resource: match [`ResourceGrant::covers`] against the
/// candidates, then confirm each with [`Permissions::access`] (which applies Denies and
/// the boundary; this does not).
#[derive(Debug, Clone)]
pub struct ResourceGrant<'p> {
    pub source: GrantSource,
    /// The Allow statement's condition, when it has one that matters.
    pub conditional: Option<Arc<str>>,
    /// The statement's patterns as written (variables unresolved).
    pub patterns: &'p [String],
    /// `NotResource`: every resource except `patterns`.
    pub except: bool,
    action: &'p str,
    requester: Requester<'p>,
    spec: &'p ResourceSpec,
}

impl ResourceGrant<'_> {
    /// Whether the statement covers `resource` for this principal.
    pub fn covers(&self, resource: &str) -> bool {
        resources_cover(Some(self.spec), self.action, resource, &self.requester)
    }

    /// The resolved patterns (`None` for one whose variable has no value: it covers
    /// nothing). For `except`, the resources left out.
    pub fn resolved_patterns(&self) -> Vec<Option<String>> {
        self.patterns
            .iter()
            .map(|pattern| resolve_pattern(pattern, &self.requester))
            .collect()
    }
}

struct CompiledStatement<'a> {
    statement: &'a Statement,
    label: Arc<str>,
    /// What an Allow depends on (see [`ConditionClass::dependency`]), shared by every
    /// verdict that names the statement.
    dependency: Option<Arc<str>>,
    actions: Vec<Glob>,
    not_action: bool,
    class: ConditionClass,
}

impl CompiledStatement<'_> {
    fn covers_action(&self, action: &str) -> bool {
        self.actions
            .iter()
            .any(|glob| glob.matches_ignore_case(action))
            != self.not_action
    }
}

struct CompiledPolicy<'a> {
    source: Arc<PolicySource>,
    statements: Vec<CompiledStatement<'a>>,
    /// Whether some Resource pattern uses a policy variable: then its verdicts depend on
    /// the principal and cannot be shared.
    has_variables: bool,
    /// The verdicts for [`ADMIN_PROBES`] on `*`, shared by every holder when the policy has
    /// no variables. Only those a statement answers, by probe: most policies answer none,
    /// and an empty verdict for each probe came to a kilobyte per policy.
    probes: OnceLock<Vec<(usize, Verdict)>>,
}

fn compile<'a>(
    source: PolicySource,
    document: &'a PolicyDocument,
    now: DateTime<Utc>,
) -> CompiledPolicy<'a> {
    let statements: Vec<CompiledStatement> = document
        .statements
        .iter()
        .enumerate()
        .map(|(index, statement)| {
            let (patterns, not_action) = match &statement.action {
                ActionSpec::Action(patterns) => (patterns, false),
                ActionSpec::NotAction(patterns) => (patterns, true),
            };
            let class = classify(statement, now);
            CompiledStatement {
                statement,
                label: match statement.sid.as_deref() {
                    Some(sid) if !sid.is_empty() => sid.into(),
                    _ => format!("Statement[{index}]").into(),
                },
                dependency: class.dependency().map(Arc::from),
                actions: patterns.iter().map(|pattern| Glob::new(pattern)).collect(),
                not_action,
                class,
            }
        })
        .collect();
    let has_variables = document
        .statements
        .iter()
        .any(|statement| match &statement.resource {
            Some(ResourceSpec::Resource(patterns) | ResourceSpec::NotResource(patterns)) => {
                patterns.iter().any(|pattern| pattern.contains("${"))
            }
            None => false,
        });
    CompiledPolicy {
        source: Arc::new(source),
        statements,
        has_variables,
        probes: OnceLock::new(),
    }
}

/// What one policy says about one request.
#[derive(Debug, Clone, Default)]
struct Verdict {
    /// Allow statements that apply, with their conditions (unsatisfiable ones left out).
    allows: Vec<(usize, Option<Arc<str>>)>,
    /// Deny statements that apply whatever the requester does.
    denies: Vec<usize>,
    /// Deny statements that apply only under a condition.
    conditional_denies: Vec<(usize, Arc<str>)>,
}

impl Verdict {
    fn is_empty(&self) -> bool {
        self.allows.is_empty() && self.denies.is_empty() && self.conditional_denies.is_empty()
    }
}

impl CompiledPolicy<'_> {
    fn verdict(&self, action: &str, resource: &str, requester: &Requester) -> Verdict {
        let mut verdict = Verdict::default();
        for (index, compiled) in self.statements.iter().enumerate() {
            if !compiled.class.is_satisfiable()
                || !compiled.covers_action(action)
                || !resources_cover(
                    compiled.statement.resource.as_ref(),
                    action,
                    resource,
                    requester,
                )
            {
                continue;
            }
            let dependency = compiled.dependency.clone();
            match (compiled.statement.effect, dependency) {
                (Effect::Allow, dependency) => verdict.allows.push((index, dependency)),
                (Effect::Deny, None) => verdict.denies.push(index),
                (Effect::Deny, Some(dependency)) => {
                    verdict.conditional_denies.push((index, dependency))
                }
            }
        }
        verdict
    }

    /// Whether some statement allows one of [`ADMIN_PROBES`] on `*` (for a policy without
    /// variables).
    fn allows_a_probe(&self) -> bool {
        self.probe_verdicts()
            .iter()
            .any(|(_, verdict)| !verdict.allows.is_empty())
    }

    /// The verdict for the `probe`th of [`ADMIN_PROBES`] on `*`.
    fn probe_verdict(&self, probe: usize) -> &Verdict {
        static NOTHING: Verdict = Verdict {
            allows: Vec::new(),
            denies: Vec::new(),
            conditional_denies: Vec::new(),
        };
        self.probe_verdicts()
            .iter()
            .find(|(answered, _)| *answered == probe)
            .map_or(&NOTHING, |(_, verdict)| verdict)
    }

    fn probe_verdicts(&self) -> &[(usize, Verdict)] {
        self.probes.get_or_init(|| {
            let nobody = Requester::default();
            ADMIN_PROBES
                .iter()
                .map(|action| self.verdict(action, "*", &nobody))
                .enumerate()
                .filter(|(_, verdict)| !verdict.is_empty())
                .collect()
        })
    }

    fn source_of(&self, statement: usize, via_group: Option<&Arc<str>>) -> GrantSource {
        GrantSource {
            policy: Arc::clone(&self.source),
            via_group: via_group.cloned(),
            statement: Arc::clone(&self.statements[statement].label),
        }
    }
}

/// A policy a principal holds, and the group it holds it through.
#[derive(Debug, Clone)]
struct Holding {
    policy: usize,
    via_group: Option<Arc<str>>,
}

struct Entry<'a> {
    principal: PrincipalRef<'a>,
    user_id: Option<&'a str>,
    tags: Option<&'a crate::inventory::Tags>,
    holdings: Vec<Holding>,
    boundary_arn: Option<&'a str>,
    boundary: Option<usize>,
    /// Whether the organization's SCPs cap this principal (not a service-linked role).
    capped: bool,
    unknowns: Vec<String>,
    admin: OnceLock<Option<AdminEvidence>>,
}

/// The SCPs attached to one level of the organization, compiled.
struct ScpCeiling<'a> {
    /// `r-...`, `ou-...` or the account id.
    target: &'a str,
    policies: Vec<usize>,
}

/// The effective identity permissions of every principal of an account.
pub struct PermissionIndex<'a> {
    account_id: Option<&'a str>,
    now: DateTime<Utc>,
    policies: Vec<CompiledPolicy<'a>>,
    /// The organization's SCP levels, root first; empty when no SCP applies to the account.
    scp_levels: Vec<ScpCeiling<'a>>,
    entries: Vec<Entry<'a>>,
    by_arn: HashMap<&'a str, usize>,
    by_name: HashMap<(PrincipalKind, &'a str), usize>,
}

/// See [`Permissions::sharing_key`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SharingKey {
    /// Policy, and the group it is held through, by the address of the index's one copy
    /// of the group's name.
    holdings: Vec<(usize, Option<usize>)>,
    boundary: Option<usize>,
    capped: bool,
}

/// One principal's view of the index.
#[derive(Clone, Copy)]
pub struct Permissions<'i, 'a> {
    index: &'i PermissionIndex<'a>,
    entry: &'i Entry<'a>,
}

/// Compiles policies on first use, so a policy held by many principals is compiled once
/// and AWS managed policies nobody holds are never compiled.
struct Builder<'a> {
    now: DateTime<Utc>,
    managed: HashMap<&'a str, &'a ManagedPolicy>,
    compiled_managed: HashMap<&'a str, usize>,
    policies: Vec<CompiledPolicy<'a>>,
}

impl<'a> Builder<'a> {
    /// The index of a managed policy, or why it cannot be evaluated.
    fn managed(&mut self, arn: &'a str) -> Result<usize, String> {
        if let Some(index) = self.compiled_managed.get(arn) {
            return Ok(*index);
        }
        let policy = self
            .managed
            .get(arn)
            .ok_or_else(|| format!("managed policy {arn} is not in the inventory"))?;
        let document = policy.document.as_ref().ok_or_else(|| {
            format!("the default version of managed policy {arn} could not be read")
        })?;
        let index = self.policies.len();
        self.policies.push(compile(
            PolicySource::Managed {
                arn: policy.arn.clone(),
                name: policy.name.clone(),
            },
            document,
            self.now,
        ));
        self.compiled_managed.insert(arn, index);
        Ok(index)
    }

    /// The SCP levels that cap the account's principals, compiled (each policy once,
    /// however many levels it is attached to), and what could not be read of them.
    fn scp_levels(
        &mut self,
        organization: Option<&'a OrgContext>,
        account_id: Option<&str>,
    ) -> (Vec<ScpCeiling<'a>>, Vec<String>) {
        let Some(organization) = organization.filter(|org| org.applies_to(account_id)) else {
            return (Vec::new(), Vec::new());
        };
        let mut compiled: HashMap<&'a str, usize> = HashMap::new();
        let mut unknowns = Vec::new();
        let levels = organization
            .scp_levels
            .iter()
            .map(|level| ScpCeiling {
                target: &level.target,
                policies: level
                    .policies
                    .iter()
                    .filter_map(|policy| {
                        if let Some(index) = compiled.get(policy.arn.as_str()) {
                            return Some(*index);
                        }
                        let Some(document) = &policy.document else {
                            unknowns.push(format!(
                                "service control policy {} ({}) attached to {} could not be read",
                                policy.name, policy.arn, level.target
                            ));
                            return None;
                        };
                        self.policies.push(compile(
                            PolicySource::Managed {
                                arn: policy.arn.clone(),
                                name: policy.name.clone(),
                            },
                            document,
                            self.now,
                        ));
                        let index = self.policies.len() - 1;
                        compiled.insert(&policy.arn, index);
                        Some(index)
                    })
                    .collect(),
            })
            .collect();
        (levels, unknowns)
    }

    fn inline(&mut self, owner: &str, policy: &'a InlinePolicy) -> Result<usize, String> {
        let document = policy
            .document
            .as_ref()
            .ok_or_else(|| format!("inline policy {} of {owner} could not be read", policy.name))?;
        self.policies.push(compile(
            PolicySource::Inline {
                owner: owner.to_string(),
                name: policy.name.clone(),
            },
            document,
            self.now,
        ));
        Ok(self.policies.len() - 1)
    }

    /// The holdings of one principal or group: its inline and attached policies.
    /// A principal's permissions boundary, if it has one; one that cannot be read is an
    /// unknown of the principal, not "no boundary".
    fn boundary(&mut self, arn: Option<&'a str>, unknowns: &mut Vec<String>) -> Option<usize> {
        self.managed(arn?)
            .map_err(|unknown| unknowns.push(format!("permissions boundary: {unknown}")))
            .ok()
    }

    fn own(
        &mut self,
        owner: &str,
        inline: &'a [InlinePolicy],
        attached: &'a [crate::inventory::gaad::AttachedPolicy],
        holdings: &mut Vec<Holding>,
        unknowns: &mut Vec<String>,
    ) {
        for policy in inline {
            match self.inline(owner, policy) {
                Ok(policy) => holdings.push(Holding {
                    policy,
                    via_group: None,
                }),
                Err(unknown) => unknowns.push(unknown),
            }
        }
        for policy in attached {
            match self.managed(&policy.arn) {
                Ok(policy) => holdings.push(Holding {
                    policy,
                    via_group: None,
                }),
                Err(unknown) => unknowns.push(unknown),
            }
        }
    }
}

impl<'a> PermissionIndex<'a> {
    /// Builds the index of an inventory's authorization details; `None` when it has none.
    pub fn for_inventory(inventory: &'a Inventory, now: DateTime<Utc>) -> Option<Self> {
        inventory
            .authorization
            .as_ref()
            .map(|details| Self::new(details, inventory.account_id.as_deref(), now))
    }

    /// The account the index was built for (its principals' policy variables and
    /// `aws:PrincipalAccount` resolve to it).
    pub fn account_id(&self) -> Option<&'a str> {
        self.account_id
    }

    /// Builds the index; `now` is the scan time conditions are judged against.
    pub fn new(
        details: &'a AuthorizationDetails,
        account_id: Option<&'a str>,
        now: DateTime<Utc>,
    ) -> Self {
        let mut builder = Builder {
            now,
            managed: details
                .policies
                .iter()
                .map(|policy| (policy.arn.as_str(), policy))
                .collect(),
            compiled_managed: HashMap::new(),
            policies: Vec::new(),
        };
        let (scp_levels, scp_unknowns) =
            builder.scp_levels(details.organization.as_ref(), account_id);
        let mut entries =
            Vec::with_capacity(details.users.len() + details.groups.len() + details.roles.len());

        // Groups first: a user's holdings include its groups' (same compiled policies).
        // With the group's name: one copy, which every member's holdings share.
        type GroupHoldings = (Arc<str>, Vec<Holding>, Vec<String>);
        let mut group_holdings: HashMap<&str, GroupHoldings> = HashMap::new();
        for group in &details.groups {
            let (mut holdings, mut unknowns) = (Vec::new(), Vec::new());
            let owner = format!("group/{}", group.name);
            builder.own(
                &owner,
                &group.inline_policies,
                &group.attached_policies,
                &mut holdings,
                &mut unknowns,
            );
            group_holdings.insert(
                group.name.as_str(),
                (
                    Arc::from(group.name.as_str()),
                    holdings.clone(),
                    unknowns.clone(),
                ),
            );
            entries.push(Entry {
                principal: PrincipalRef {
                    kind: PrincipalKind::Group,
                    name: &group.name,
                    arn: &group.arn,
                    path: &group.path,
                },
                user_id: None,
                tags: None,
                holdings,
                boundary_arn: None,
                boundary: None,
                capped: true,
                unknowns,
                admin: OnceLock::new(),
            });
        }

        for user in &details.users {
            let (mut holdings, mut unknowns) = (Vec::new(), Vec::new());
            let owner = format!("user/{}", user.name);
            builder.own(
                &owner,
                &user.inline_policies,
                &user.attached_policies,
                &mut holdings,
                &mut unknowns,
            );
            for group_name in &user.groups {
                match group_holdings.get(group_name.as_str()) {
                    Some((via_group, group, group_unknowns)) => {
                        holdings.extend(group.iter().map(|holding| Holding {
                            policy: holding.policy,
                            via_group: Some(Arc::clone(via_group)),
                        }));
                        unknowns.extend(group_unknowns.iter().cloned());
                    }
                    None => unknowns.push(format!(
                        "group {group_name} of user {} is not in the inventory",
                        user.name
                    )),
                }
            }
            let boundary = builder.boundary(user.permissions_boundary.as_deref(), &mut unknowns);
            entries.push(Entry {
                principal: PrincipalRef {
                    kind: PrincipalKind::User,
                    name: &user.name,
                    arn: &user.arn,
                    path: &user.path,
                },
                user_id: Some(user.id.as_str()).filter(|id| !id.is_empty()),
                tags: Some(&user.tags),
                holdings,
                boundary_arn: user.permissions_boundary.as_deref(),
                boundary,
                capped: true,
                unknowns,
                admin: OnceLock::new(),
            });
        }

        for role in &details.roles {
            let (mut holdings, mut unknowns) = (Vec::new(), Vec::new());
            let owner = format!("role/{}", role.name);
            builder.own(
                &owner,
                &role.inline_policies,
                &role.attached_policies,
                &mut holdings,
                &mut unknowns,
            );
            let boundary = builder.boundary(role.permissions_boundary.as_deref(), &mut unknowns);
            entries.push(Entry {
                principal: PrincipalRef {
                    kind: PrincipalKind::Role,
                    name: &role.name,
                    arn: &role.arn,
                    path: &role.path,
                },
                user_id: None,
                tags: Some(&role.tags),
                holdings,
                boundary_arn: role.permissions_boundary.as_deref(),
                boundary,
                // SCPs do not restrict service-linked roles.
                capped: !role.is_service_linked(),
                unknowns,
                admin: OnceLock::new(),
            });
        }

        if !scp_levels.is_empty() {
            for entry in entries.iter_mut().filter(|entry| entry.capped) {
                entry.unknowns.extend(scp_unknowns.iter().cloned());
            }
        }
        let by_arn = entries
            .iter()
            .enumerate()
            .map(|(index, entry)| (entry.principal.arn, index))
            .collect();
        let by_name = entries
            .iter()
            .enumerate()
            .map(|(index, entry)| ((entry.principal.kind, entry.principal.name), index))
            .collect();
        PermissionIndex {
            account_id,
            now,
            policies: builder.policies,
            scp_levels,
            entries,
            by_arn,
            by_name,
        }
    }

    /// The scan time conditions are judged against.
    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    /// Whether the organization's service control policies cap the account's principals
    /// (all but its service-linked roles) in the answers.
    pub fn scps_applied(&self) -> bool {
        !self.scp_levels.is_empty()
    }

    /// A user's, group's or role's permissions, by ARN.
    pub fn principal(&self, arn: &str) -> Option<Permissions<'_, 'a>> {
        self.by_arn.get(arn).map(|index| self.view(*index))
    }

    pub fn user(&self, name: &str) -> Option<Permissions<'_, 'a>> {
        self.by_kind(PrincipalKind::User, name)
    }

    pub fn group(&self, name: &str) -> Option<Permissions<'_, 'a>> {
        self.by_kind(PrincipalKind::Group, name)
    }

    pub fn role(&self, name: &str) -> Option<Permissions<'_, 'a>> {
        self.by_kind(PrincipalKind::Role, name)
    }

    fn by_kind(&self, kind: PrincipalKind, name: &str) -> Option<Permissions<'_, 'a>> {
        self.by_name
            .get(&(kind, name))
            .map(|index| self.view(*index))
    }

    /// Every group, then every user, then every role, in inventory order.
    pub fn principals(&self) -> impl Iterator<Item = Permissions<'_, 'a>> {
        (0..self.entries.len()).map(|index| self.view(index))
    }

    fn view(&self, index: usize) -> Permissions<'_, 'a> {
        Permissions {
            index: self,
            entry: &self.entries[index],
        }
    }

    /// Whether an Allow statement of policy `id` (see [`Permissions::policy_ids`]) names
    /// `action`, on some resource, under conditions that can hold. A principal none of
    /// whose policies does cannot do the action anywhere: Denies, boundaries and SCPs
    /// only take away.
    pub fn policy_allows(&self, id: usize, action: &str) -> bool {
        self.policies[id].statements.iter().any(|compiled| {
            compiled.statement.effect == Effect::Allow
                && compiled.class.is_satisfiable()
                && compiled.statement.resource.is_some()
                && compiled.covers_action(action)
        })
    }

    /// Whether a statement of policy `id`, Allow or Deny, names `action`: one that does
    /// not says nothing about it (see [`Permissions::sharing_key`]).
    pub fn policy_names(&self, id: usize, action: &str) -> bool {
        self.policies[id]
            .statements
            .iter()
            .any(|compiled| compiled.covers_action(action))
    }
}

/// The verdicts of the SCPs attached to one level of the organization (its target first).
type LevelVerdicts<'p> = (&'p str, Vec<(&'p CompiledPolicy<'p>, &'p Verdict)>);

/// Folds verdicts into an answer; `boundary` is the boundary policy's verdict when one is
/// set, `scps` the SCP verdicts of every level (root first) when SCPs cap the principal.
fn answer<'p>(
    parts: impl Iterator<Item = (&'p CompiledPolicy<'p>, Option<&'p Arc<str>>, &'p Verdict)>,
    boundary: Option<(&CompiledPolicy, &Verdict)>,
    scps: &[LevelVerdicts],
) -> Access {
    let mut grants = Vec::new();
    let mut unconditional = false;
    let mut allow_conditions: Vec<Arc<str>> = Vec::new();
    let mut denied_by = Vec::new();
    let mut deny_conditions: Vec<String> = Vec::new();
    for (policy, via_group, verdict) in parts {
        for (statement, dependency) in &verdict.allows {
            grants.push(policy.source_of(*statement, via_group));
            match dependency {
                None => unconditional = true,
                Some(dependency) => allow_conditions.push(dependency.clone()),
            }
        }
        denied_by.extend(
            verdict
                .denies
                .iter()
                .map(|statement| policy.source_of(*statement, via_group)),
        );
        deny_conditions.extend(verdict.conditional_denies.iter().map(|(statement, why)| {
            format!(
                "not denied by {} ({why})",
                policy.source_of(*statement, via_group)
            )
        }));
    }
    // A Deny in an SCP at any level removes the action, as one in an identity policy does.
    for (_, level) in scps {
        for (policy, verdict) in level {
            denied_by.extend(
                verdict
                    .denies
                    .iter()
                    .map(|statement| policy.source_of(*statement, None)),
            );
        }
    }
    let mut boundary_conditions = Vec::new();
    if let Some((policy, verdict)) = boundary {
        denied_by.extend(
            verdict
                .denies
                .iter()
                .map(|statement| policy.source_of(*statement, None)),
        );
        if denied_by.is_empty() {
            if verdict.allows.is_empty() {
                return Access::NotAllowed;
            }
            if verdict
                .allows
                .iter()
                .all(|(_, dependency)| dependency.is_some())
            {
                boundary_conditions.push(format!(
                    "the permissions boundary {} allowing it only if {}",
                    policy.source,
                    join_unique(verdict.allows.iter().filter_map(|(_, d)| d.clone()), " or ")
                ));
            }
            deny_conditions.extend(verdict.conditional_denies.iter().map(|(statement, why)| {
                format!(
                    "not denied by {} ({why})",
                    policy.source_of(*statement, None)
                )
            }));
        }
    }
    // Every level must allow it: a level where no attached SCP does is an implicit deny.
    let mut scp_conditions = Vec::new();
    if denied_by.is_empty() {
        for (target, level) in scps {
            let allows: Vec<&Option<Arc<str>>> = level
                .iter()
                .flat_map(|(_, verdict)| verdict.allows.iter().map(|(_, dependency)| dependency))
                .collect();
            if allows.is_empty() {
                return Access::NotAllowed;
            }
            if allows.iter().all(|dependency| dependency.is_some()) {
                scp_conditions.push(format!(
                    "the service control policies of {target} allowing it only if {}",
                    join_unique(allows.into_iter().flatten().cloned(), " or ")
                ));
            }
            for (policy, verdict) in level {
                deny_conditions.extend(verdict.conditional_denies.iter().map(
                    |(statement, why)| {
                        format!(
                            "not denied by {} ({why})",
                            policy.source_of(*statement, None)
                        )
                    },
                ));
            }
        }
    }
    if !denied_by.is_empty() {
        dedup_sources(&mut denied_by);
        return Access::Denied { by: denied_by };
    }
    if grants.is_empty() {
        return Access::NotAllowed;
    }
    let mut conditions = Vec::new();
    if !unconditional {
        conditions.push(join_unique(allow_conditions.into_iter(), " or "));
    }
    conditions.extend(boundary_conditions);
    conditions.extend(scp_conditions);
    conditions.extend(deny_conditions);
    dedup_sources(&mut grants);
    Access::Allowed {
        conditional: (!conditions.is_empty()).then(|| join_unique(conditions.into_iter(), "; ")),
        grants,
    }
}

fn join_unique<S: AsRef<str>>(items: impl Iterator<Item = S>, separator: &str) -> String {
    let mut seen = BTreeSet::new();
    let mut joined = String::new();
    for item in items {
        let item = item.as_ref();
        if seen.insert(item.to_owned()) {
            if seen.len() > 1 {
                joined.push_str(separator);
            }
            joined.push_str(item);
        }
    }
    joined
}

fn dedup_sources(sources: &mut Vec<GrantSource>) {
    let mut seen = BTreeSet::new();
    sources.retain(|source| seen.insert(source.clone()));
}

impl<'i, 'a> Permissions<'i, 'a> {
    pub fn principal(&self) -> &'i PrincipalRef<'a> {
        &self.entry.principal
    }

    /// Who the requests come from, for policy variables.
    pub fn requester(&self) -> Requester<'i> {
        let principal = &self.entry.principal;
        let is_user = principal.kind == PrincipalKind::User;
        Requester {
            principal_arn: (principal.kind != PrincipalKind::Group).then_some(principal.arn),
            user_name: is_user.then_some(principal.name),
            user_id: self.entry.user_id,
            account_id: self.index.account_id,
            principal_type: match principal.kind {
                PrincipalKind::User => Some("User"),
                PrincipalKind::Role => Some("AssumedRole"),
                PrincipalKind::Group => None,
            },
            tags: self.entry.tags,
        }
    }

    /// The permissions boundary's ARN, when one is set.
    pub fn boundary(&self) -> Option<&'a str> {
        self.entry.boundary_arn
    }

    /// Policies (or groups, or the boundary) that could not be evaluated. Non-empty: the
    /// answers here are built from the rest and may be wrong in either direction.
    pub fn unknowns(&self) -> &'i [String] {
        &self.entry.unknowns
    }

    pub fn is_complete(&self) -> bool {
        self.entry.unknowns.is_empty()
    }

    /// The policies the principal holds (a user's include its groups'), each once.
    pub fn policies(&self) -> Vec<&'i PolicySource> {
        let mut seen = BTreeSet::new();
        self.entry
            .holdings
            .iter()
            .filter(|holding| seen.insert(holding.policy))
            .map(|holding| &*self.index.policies[holding.policy].source)
            .collect()
    }

    /// The index's numbers of the policies the principal holds (a user's include its
    /// groups'), for callers that work out something once per policy (see
    /// [`PermissionIndex::policy_allows`]).
    pub fn policy_ids(&self) -> impl Iterator<Item = usize> + 'i {
        self.entry.holdings.iter().map(|holding| holding.policy)
    }

    /// What this principal's answers about some actions depend on, when that is only what
    /// it holds: those of its policies that `names` says can speak of the actions (a
    /// policy none of whose statements names an action adds nothing to its answer), the
    /// groups it holds them through, its boundary and whether SCPs cap it. Principals with
    /// equal keys get equal answers about those actions. `None` when one of those policies
    /// uses a variable, whose answers depend on who asks.
    pub fn sharing_key(&self, names: impl Fn(usize) -> bool) -> Option<SharingKey> {
        let policies = &self.index.policies;
        let holdings: Vec<(usize, Option<usize>)> = self
            .entry
            .holdings
            .iter()
            .filter(|holding| names(holding.policy))
            .map(|holding| {
                let group = holding.via_group.as_ref();
                (holding.policy, group.map(|name| Arc::as_ptr(name).addr()))
            })
            .collect();
        let boundary = self.entry.boundary;
        let scps = self.scp_levels().iter().flat_map(|level| &level.policies);
        let uses_variables = holdings
            .iter()
            .map(|(id, _)| *id)
            .chain(boundary)
            .chain(scps.copied())
            .any(|id| policies[id].has_variables);
        (!uses_variables).then_some(SharingKey {
            holdings,
            boundary,
            capped: self.entry.capped,
        })
    }

    /// May the principal do `action` on `resource`? A `resource` with wildcards is a set
    /// (`*`: everything; `arn:aws:iam::123456789012:role/*`: every role), answered for
    /// essentially all of it (see [`super::matching`]).
    pub fn access(&self, action: &str, resource: &str) -> Access {
        let requester = self.requester();
        let verdicts: Vec<Verdict> = self
            .entry
            .holdings
            .iter()
            .map(|holding| {
                self.index.policies[holding.policy].verdict(action, resource, &requester)
            })
            .collect();
        let boundary = self.entry.boundary.map(|index| {
            let policy = &self.index.policies[index];
            (policy, policy.verdict(action, resource, &requester))
        });
        let scp_verdicts: Vec<Vec<Verdict>> = self
            .scp_levels()
            .iter()
            .map(|level| {
                level
                    .policies
                    .iter()
                    .map(|index| self.index.policies[*index].verdict(action, resource, &requester))
                    .collect()
            })
            .collect();
        answer(
            self.entry
                .holdings
                .iter()
                .zip(&verdicts)
                .map(|(holding, verdict)| {
                    (
                        &self.index.policies[holding.policy],
                        holding.via_group.as_ref(),
                        verdict,
                    )
                }),
            boundary
                .as_ref()
                .map(|(policy, verdict)| (*policy, verdict)),
            &self.level_verdicts(&scp_verdicts),
        )
    }

    /// The SCP levels that cap this principal: none when SCPs do not apply to it.
    fn scp_levels(&self) -> &'i [ScpCeiling<'a>] {
        if self.entry.capped {
            &self.index.scp_levels
        } else {
            &[]
        }
    }

    /// Each SCP level's policies paired with their verdicts (`verdicts` in level order).
    fn level_verdicts<'v>(&self, verdicts: &'v [Vec<Verdict>]) -> Vec<LevelVerdicts<'v>>
    where
        'i: 'v,
    {
        self.scp_levels()
            .iter()
            .zip(verdicts)
            .map(|(level, verdicts)| {
                (
                    level.target,
                    level
                        .policies
                        .iter()
                        .zip(verdicts)
                        .map(|(index, verdict)| (&self.index.policies[*index], verdict))
                        .collect(),
                )
            })
            .collect()
    }

    /// Whether the organization's SCPs cap this principal's answers.
    pub fn scps_applied(&self) -> bool {
        !self.scp_levels().is_empty()
    }

    /// May the principal do `action` on at least one resource? Each granting statement's
    /// resources are tried as a set, Denies and the boundary applied.
    pub fn access_somewhere(&self, action: &str) -> Access {
        let mut denied = None;
        for grant in self.allowed_resources(action) {
            let queries: Vec<String> = if grant.except {
                vec!["*".to_string()]
            } else {
                grant.resolved_patterns().into_iter().flatten().collect()
            };
            for query in queries {
                match self.access(action, &query) {
                    allowed @ Access::Allowed { .. } => return allowed,
                    denied_here @ Access::Denied { .. } => denied = Some(denied_here),
                    Access::NotAllowed => {}
                }
            }
        }
        denied.unwrap_or(Access::NotAllowed)
    }

    /// The Allow statements of the identity policies that grant `action`, with their
    /// resources: for finding targets (see [`ResourceGrant`]).
    pub fn allowed_resources<'q>(&self, action: &'q str) -> Vec<ResourceGrant<'q>>
    where
        'i: 'q,
    {
        let requester = self.requester();
        let mut grants = Vec::new();
        for holding in &self.entry.holdings {
            let policy = &self.index.policies[holding.policy];
            for (index, compiled) in policy.statements.iter().enumerate() {
                if compiled.statement.effect != Effect::Allow
                    || !compiled.class.is_satisfiable()
                    || !compiled.covers_action(action)
                {
                    continue;
                }
                let Some(spec) = compiled.statement.resource.as_ref() else {
                    continue;
                };
                let (patterns, except) = match spec {
                    ResourceSpec::Resource(patterns) => (patterns, false),
                    ResourceSpec::NotResource(patterns) => (patterns, true),
                };
                grants.push(ResourceGrant {
                    source: policy.source_of(index, holding.via_group.as_ref()),
                    conditional: compiled.dependency.clone(),
                    patterns,
                    except,
                    action,
                    requester,
                    spec,
                });
            }
        }
        grants
    }

    /// Whether the principal is effectively an administrator: every action of
    /// [`ADMIN_PROBES`] allowed on every resource, or all but those of at most
    /// [`ADMIN_MAX_MISSING_SERVICES`] services ("admin except IAM"), after Denies and
    /// within the boundary. Memoised.
    pub fn admin_evidence(&self) -> Option<&'i AdminEvidence> {
        self.entry
            .admin
            .get_or_init(|| self.compute_admin())
            .as_ref()
    }

    fn compute_admin(&self) -> Option<AdminEvidence> {
        let policies = &self.index.policies;
        // Only the principal's own policies grant (the boundary and SCPs only take away):
        // when none of them allows any probe, it is no administrator, and most principals
        // are not.
        if self.entry.holdings.iter().all(|holding| {
            let policy = &policies[holding.policy];
            !policy.has_variables && !policy.allows_a_probe()
        }) {
            return None;
        }
        let requester = self.requester();
        let mut grants: Vec<GrantSource> = Vec::new();
        let mut conditions: Vec<String> = Vec::new();
        let mut missing = Vec::new();
        // Policies with variables are evaluated for this principal; the rest share the
        // verdicts computed once per policy.
        let own: Vec<Option<Vec<Verdict>>> = self
            .entry
            .holdings
            .iter()
            .map(|holding| {
                let policy = &policies[holding.policy];
                policy.has_variables.then(|| {
                    ADMIN_PROBES
                        .iter()
                        .map(|action| policy.verdict(action, "*", &requester))
                        .collect()
                })
            })
            .collect();
        let boundary_own = self.entry.boundary.and_then(|index| {
            let policy = &policies[index];
            policy.has_variables.then(|| {
                ADMIN_PROBES
                    .iter()
                    .map(|action| policy.verdict(action, "*", &requester))
                    .collect::<Vec<_>>()
            })
        });
        // The same for the SCPs, level by level.
        let scp_own: Vec<Vec<Option<Vec<Verdict>>>> = self
            .scp_levels()
            .iter()
            .map(|level| {
                level
                    .policies
                    .iter()
                    .map(|index| {
                        let policy = &policies[*index];
                        policy.has_variables.then(|| {
                            ADMIN_PROBES
                                .iter()
                                .map(|action| policy.verdict(action, "*", &requester))
                                .collect()
                        })
                    })
                    .collect()
            })
            .collect();
        for (probe, action) in ADMIN_PROBES.iter().enumerate() {
            let parts = self.entry.holdings.iter().zip(&own).map(|(holding, own)| {
                let policy = &policies[holding.policy];
                let verdict = match own {
                    Some(verdicts) => &verdicts[probe],
                    None => policy.probe_verdict(probe),
                };
                (policy, holding.via_group.as_ref(), verdict)
            });
            let boundary = self.entry.boundary.map(|index| {
                let policy = &policies[index];
                let verdict = match &boundary_own {
                    Some(verdicts) => &verdicts[probe],
                    None => policy.probe_verdict(probe),
                };
                (policy, verdict)
            });
            let scps: Vec<LevelVerdicts> = self
                .scp_levels()
                .iter()
                .zip(&scp_own)
                .map(|(level, own)| {
                    let verdicts = level
                        .policies
                        .iter()
                        .zip(own)
                        .map(|(index, own)| {
                            let policy = &policies[*index];
                            let verdict = match own {
                                Some(verdicts) => &verdicts[probe],
                                None => policy.probe_verdict(probe),
                            };
                            (policy, verdict)
                        })
                        .collect();
                    (level.target, verdicts)
                })
                .collect();
            match answer(parts, boundary, &scps) {
                Access::Allowed {
                    conditional,
                    grants: probe_grants,
                } => {
                    grants.extend(probe_grants);
                    conditions.extend(conditional);
                }
                Access::Denied { .. } | Access::NotAllowed => missing.push(*action),
            }
        }
        let missing_services: BTreeSet<String> =
            missing.iter().map(|action| service_of(action)).collect();
        if missing_services.len() > ADMIN_MAX_MISSING_SERVICES || grants.is_empty() {
            return None;
        }
        dedup_sources(&mut grants);
        Some(AdminEvidence {
            grants,
            conditional: (!conditions.is_empty())
                .then(|| join_unique(conditions.into_iter(), "; ")),
            missing,
        })
    }
}

/// What one document alone allows, as if it were a principal's only policy: for checks on
/// policies rather than principals (`*` on `*` in a customer managed policy).
pub fn document_access(
    document: &PolicyDocument,
    source: PolicySource,
    action: &str,
    resource: &str,
    now: DateTime<Utc>,
) -> Access {
    let policy = compile(source, document, now);
    let verdict = policy.verdict(action, resource, &Requester::default());
    answer(std::iter::once((&policy, None, &verdict)), None, &[])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::gaad::{AttachedPolicy, Role, User};
    use crate::inventory::{ScpLevel, ServiceControlPolicy};
    use chrono::TimeZone;
    use serde_json::{Value, json};

    const ACCOUNT: &str = "123456789012";
    const ADMIN_ARN: &str = "arn:aws:iam::aws:policy/AdministratorAccess";

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap()
    }

    fn document(statements: Value) -> PolicyDocument {
        PolicyDocument::from_value(&json!({"Version": "2012-10-17", "Statement": statements}))
            .unwrap()
    }

    fn managed(name: &str, statements: Value) -> ManagedPolicy {
        let arn = if name == "AdministratorAccess" || name == "ReadOnlyAccess" {
            format!("arn:aws:iam::aws:policy/{name}")
        } else {
            format!("arn:aws:iam::{ACCOUNT}:policy/{name}")
        };
        ManagedPolicy {
            name: name.into(),
            arn,
            id: String::new(),
            path: "/".into(),
            default_version_id: Some("v1".into()),
            attachment_count: 1,
            permissions_boundary_usage_count: 0,
            is_attachable: true,
            create_date: None,
            update_date: None,
            document: Some(document(statements)),
        }
    }

    fn administrator_access() -> ManagedPolicy {
        managed(
            "AdministratorAccess",
            json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}]),
        )
    }

    fn attached(policy: &ManagedPolicy) -> AttachedPolicy {
        AttachedPolicy {
            name: policy.name.clone(),
            arn: policy.arn.clone(),
        }
    }

    fn inline(name: &str, statements: Value) -> InlinePolicy {
        InlinePolicy {
            name: name.into(),
            document: Some(document(statements)),
        }
    }

    use crate::inventory::fixtures::{group, role};

    fn user(name: &str) -> User {
        User {
            id: format!("AIDA{}", name.to_uppercase()),
            ..crate::inventory::fixtures::user(name)
        }
    }

    fn index(details: &AuthorizationDetails) -> PermissionIndex<'_> {
        PermissionIndex::new(details, Some(ACCOUNT), now())
    }

    /// A user whose only policy is one inline policy with `statements`.
    fn one_user(statements: Value) -> AuthorizationDetails {
        let mut alice = user("alice");
        alice.inline_policies.push(inline("p", statements));
        AuthorizationDetails {
            users: vec![alice],
            ..Default::default()
        }
    }

    fn alice_access(details: &AuthorizationDetails, action: &str, resource: &str) -> Access {
        index(details)
            .user("alice")
            .unwrap()
            .access(action, resource)
    }

    #[test]
    fn user_holds_its_own_and_its_groups_inline_and_attached_policies() {
        let s3 = managed(
            "s3-read",
            json!([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]),
        );
        let mut devs = group("devs");
        devs.attached_policies.push(attached(&s3));
        devs.inline_policies.push(inline(
            "logs",
            json!([{"Effect": "Allow", "Action": "logs:*", "Resource": "*"}]),
        ));
        let mut alice = user("alice");
        alice.groups.push("devs".into());
        alice.inline_policies.push(inline(
            "own",
            json!([{"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"}]),
        ));
        let details = AuthorizationDetails {
            users: vec![alice],
            groups: vec![devs],
            policies: vec![s3],
            ..Default::default()
        };
        let index = index(&details);
        let alice = index.user("alice").unwrap();
        assert!(alice.access("ec2:DescribeInstances", "*").is_certain());
        assert!(alice.access("logs:PutLogEvents", "*").is_certain());
        let access = alice.access("s3:GetObject", "arn:aws:s3:::b/k");
        assert_eq!(
            access.grants()[0].to_string(),
            format!("arn:aws:iam::{ACCOUNT}:policy/s3-read via group devs")
        );
        assert_eq!(
            alice.access("s3:PutObject", "arn:aws:s3:::b/k"),
            Access::NotAllowed
        );
        let devs = index.group("devs").unwrap();
        assert!(devs.access("logs:PutLogEvents", "*").is_allowed());
        assert!(!devs.access("ec2:DescribeInstances", "*").is_allowed());
    }

    #[test]
    fn role_holds_its_inline_and_attached_policies_only() {
        let admin = administrator_access();
        let mut ops = role("ops");
        ops.inline_policies.push(inline(
            "s3",
            json!([{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]),
        ));
        let mut deployer = role("deployer");
        deployer.attached_policies.push(attached(&admin));
        let details = AuthorizationDetails {
            roles: vec![ops, deployer],
            policies: vec![admin],
            ..Default::default()
        };
        let index = index(&details);
        let ops = index.role("ops").unwrap();
        assert!(ops.access("s3:GetObject", "*").is_allowed());
        assert!(!ops.access("iam:CreateUser", "*").is_allowed());
        assert!(
            index
                .principal(&format!("arn:aws:iam::{ACCOUNT}:role/deployer"))
                .unwrap()
                .access("iam:CreateUser", "*")
                .is_allowed()
        );
    }

    #[test]
    fn deny_wins_over_allow() {
        let details = one_user(json!([
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Sid": "NoIam", "Effect": "Deny", "Action": "iam:*", "Resource": "*"}
        ]));
        let access = alice_access(&details, "iam:CreateUser", "*");
        let Access::Denied { by } = access else {
            panic!("{access:?}")
        };
        assert_eq!(&*by[0].statement, "NoIam");
        assert!(alice_access(&details, "s3:GetObject", "*").is_certain());
    }

    #[test]
    fn allow_not_action_grants_every_action_not_listed() {
        let details = one_user(json!([
            {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*"}
        ]));
        assert!(alice_access(&details, "ec2:RunInstances", "*").is_certain());
        assert!(!alice_access(&details, "iam:CreateUser", "*").is_allowed());
        assert!(!alice_access(&details, "IAM:createuser", "*").is_allowed());
    }

    #[test]
    fn allow_not_resource_grants_every_resource_not_listed() {
        let details = one_user(json!([
            {"Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::secret/*"}
        ]));
        assert!(alice_access(&details, "s3:GetObject", "arn:aws:s3:::public/k").is_allowed());
        assert!(!alice_access(&details, "s3:GetObject", "arn:aws:s3:::secret/k").is_allowed());
        assert!(alice_access(&details, "s3:GetObject", "*").is_allowed());
    }

    #[test]
    fn deny_not_action_denies_every_action_not_listed() {
        let details = one_user(json!([
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "NotAction": ["s3:Get*"], "Resource": "*"}
        ]));
        assert!(matches!(
            alice_access(&details, "iam:CreateUser", "*"),
            Access::Denied { .. }
        ));
        assert!(alice_access(&details, "s3:GetObject", "*").is_allowed());
    }

    #[test]
    fn deny_on_one_resource_does_not_deny_the_whole_set() {
        let details = one_user(json!([
            {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
            {"Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::secret/*"}
        ]));
        assert!(alice_access(&details, "s3:GetObject", "*").is_allowed());
        assert!(matches!(
            alice_access(&details, "s3:GetObject", "arn:aws:s3:::secret/k"),
            Access::Denied { .. }
        ));
    }

    #[test]
    fn conditional_deny_does_not_remove_a_permission_but_is_reported() {
        let details = one_user(json!([
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "Action": "*", "Resource": "*",
             "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}
        ]));
        let access = alice_access(&details, "iam:CreateUser", "*");
        assert!(access.is_allowed());
        assert!(
            access
                .conditional()
                .unwrap()
                .contains("aws:MultiFactorAuthPresent"),
            "{access:?}"
        );
    }

    #[test]
    fn conditional_allow_says_what_it_depends_on() {
        let details = one_user(json!([
            {"Effect": "Allow", "Action": "ec2:*", "Resource": "*",
             "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}
        ]));
        let access = alice_access(&details, "ec2:RunInstances", "*");
        assert_eq!(
            access.conditional(),
            Some("IpAddress aws:SourceIp \"10.0.0.0/8\"")
        );
    }

    #[test]
    fn one_unconditional_allow_makes_the_grant_unconditional() {
        let details = one_user(json!([
            {"Effect": "Allow", "Action": "ec2:*", "Resource": "*",
             "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}},
            {"Effect": "Allow", "Action": "ec2:RunInstances", "Resource": "*"}
        ]));
        let access = alice_access(&details, "ec2:RunInstances", "*");
        assert!(access.is_certain());
        assert_eq!(access.grants().len(), 2);
    }

    #[test]
    fn unsatisfiable_allow_grants_nothing() {
        let details = one_user(json!([
            {"Effect": "Allow", "Action": "*", "Resource": "*",
             "Condition": {"DateLessThan": {"aws:CurrentTime": "2021-01-01T00:00:00Z"}}}
        ]));
        assert_eq!(
            alice_access(&details, "iam:CreateUser", "*"),
            Access::NotAllowed
        );
    }

    #[test]
    fn boundary_caps_identity_permissions() {
        let admin = administrator_access();
        let boundary = managed(
            "boundary",
            json!([{"Effect": "Allow", "Action": ["s3:*", "logs:*"], "Resource": "*"}]),
        );
        let mut capped = role("capped");
        capped.attached_policies.push(attached(&admin));
        capped.permissions_boundary = Some(boundary.arn.clone());
        let details = AuthorizationDetails {
            roles: vec![capped],
            policies: vec![admin, boundary],
            ..Default::default()
        };
        let index = index(&details);
        let capped = index.role("capped").unwrap();
        assert!(capped.access("s3:GetObject", "*").is_certain());
        assert_eq!(capped.access("iam:CreateUser", "*"), Access::NotAllowed);
        assert!(capped.admin_evidence().is_none());
        assert_eq!(
            capped.boundary(),
            Some(format!("arn:aws:iam::{ACCOUNT}:policy/boundary").as_str())
        );
    }

    #[test]
    fn boundary_alone_grants_nothing() {
        let boundary = administrator_access();
        let mut bare = role("bare");
        bare.permissions_boundary = Some(boundary.arn.clone());
        let details = AuthorizationDetails {
            roles: vec![bare],
            policies: vec![boundary],
            ..Default::default()
        };
        let index = index(&details);
        assert_eq!(
            index.role("bare").unwrap().access("s3:GetObject", "*"),
            Access::NotAllowed
        );
    }

    #[test]
    fn deny_in_the_boundary_removes_a_permission() {
        let admin = administrator_access();
        let boundary = managed(
            "boundary",
            json!([
                {"Effect": "Allow", "Action": "*", "Resource": "*"},
                {"Effect": "Deny", "Action": "iam:*", "Resource": "*"}
            ]),
        );
        let mut capped = role("capped");
        capped.attached_policies.push(attached(&admin));
        capped.permissions_boundary = Some(boundary.arn.clone());
        let details = AuthorizationDetails {
            roles: vec![capped],
            policies: vec![admin, boundary],
            ..Default::default()
        };
        let index = index(&details);
        assert!(matches!(
            index.role("capped").unwrap().access("iam:CreateUser", "*"),
            Access::Denied { .. }
        ));
    }

    #[test]
    fn unreadable_policy_makes_the_answers_incomplete() {
        let mut alice = user("alice");
        alice.inline_policies.push(InlinePolicy {
            name: "broken".into(),
            document: None,
        });
        alice.attached_policies.push(AttachedPolicy {
            name: "gone".into(),
            arn: format!("arn:aws:iam::{ACCOUNT}:policy/gone"),
        });
        let details = AuthorizationDetails {
            users: vec![alice, user("bob")],
            ..Default::default()
        };
        let index = index(&details);
        let alice = index.user("alice").unwrap();
        assert!(!alice.is_complete());
        assert_eq!(
            alice.unknowns(),
            [
                "inline policy broken of user/alice could not be read".to_string(),
                format!(
                    "managed policy arn:aws:iam::{ACCOUNT}:policy/gone is not in the inventory"
                ),
            ]
        );
        assert!(index.user("bob").unwrap().is_complete());
    }

    #[test]
    fn unreadable_boundary_makes_the_answers_incomplete() {
        let mut capped = role("capped");
        capped.permissions_boundary = Some(format!("arn:aws:iam::{ACCOUNT}:policy/missing"));
        let details = AuthorizationDetails {
            roles: vec![capped],
            ..Default::default()
        };
        let index = index(&details);
        assert!(index.role("capped").unwrap().unknowns()[0].starts_with("permissions boundary: "));
    }

    #[test]
    fn username_variable_is_self_service_not_a_key_for_someone_else() {
        let details = one_user(json!([
            {"Effect": "Allow", "Action": "iam:CreateAccessKey",
             "Resource": "arn:aws:iam::*:user/${aws:username}"}
        ]));
        let alice_arn = format!("arn:aws:iam::{ACCOUNT}:user/alice");
        let bob_arn = format!("arn:aws:iam::{ACCOUNT}:user/bob");
        assert!(alice_access(&details, "iam:CreateAccessKey", &alice_arn).is_allowed());
        assert!(!alice_access(&details, "iam:CreateAccessKey", &bob_arn).is_allowed());
        assert!(
            !alice_access(
                &details,
                "iam:CreateAccessKey",
                &format!("arn:aws:iam::{ACCOUNT}:user/*")
            )
            .is_allowed()
        );
    }

    #[test]
    fn username_variable_in_a_group_policy_resolves_to_each_member() {
        let mut devs = group("devs");
        devs.inline_policies.push(inline(
            "self",
            json!([{"Effect": "Allow", "Action": "iam:CreateAccessKey",
                    "Resource": "arn:aws:iam::*:user/${aws:username}"}]),
        ));
        let mut alice = user("alice");
        alice.groups.push("devs".into());
        let mut bob = user("bob");
        bob.groups.push("devs".into());
        let details = AuthorizationDetails {
            users: vec![alice, bob],
            groups: vec![devs],
            ..Default::default()
        };
        let index = index(&details);
        let bob_arn = format!("arn:aws:iam::{ACCOUNT}:user/bob");
        assert!(
            !index
                .user("alice")
                .unwrap()
                .access("iam:CreateAccessKey", &bob_arn)
                .is_allowed()
        );
        assert!(
            index
                .user("bob")
                .unwrap()
                .access("iam:CreateAccessKey", &bob_arn)
                .is_allowed()
        );
        assert!(
            !index
                .group("devs")
                .unwrap()
                .access("iam:CreateAccessKey", &bob_arn)
                .is_allowed()
        );
    }

    #[test]
    fn access_somewhere_finds_a_grant_on_some_resource() {
        let details = one_user(json!([
            {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::*:role/app-*"},
            {"Effect": "Allow", "Action": "iam:AttachUserPolicy", "Resource": "arn:aws:iam::*:user/x"},
            {"Effect": "Deny", "Action": "iam:AttachUserPolicy", "Resource": "*"}
        ]));
        let index = index(&details);
        let alice = index.user("alice").unwrap();
        assert!(alice.access_somewhere("iam:PassRole").is_allowed());
        assert!(!alice.access("iam:PassRole", "*").is_allowed());
        assert!(matches!(
            alice.access_somewhere("iam:AttachUserPolicy"),
            Access::Denied { .. }
        ));
        assert_eq!(alice.access_somewhere("iam:CreateUser"), Access::NotAllowed);
    }

    #[test]
    fn allowed_resources_lists_the_granting_statements_for_target_lookup() {
        let details = one_user(json!([
            {"Sid": "Pass", "Effect": "Allow", "Action": "iam:PassRole", "Resource": ["arn:aws:iam::*:role/app-*"]},
            {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}
        ]));
        let index = index(&details);
        let alice = index.user("alice").unwrap();
        let grants = alice.allowed_resources("iam:PassRole");
        assert_eq!(grants.len(), 1);
        assert_eq!(&*grants[0].source.statement, "Pass");
        assert!(!grants[0].except);
        assert!(grants[0].covers(&format!("arn:aws:iam::{ACCOUNT}:role/app-web")));
        assert!(!grants[0].covers(&format!("arn:aws:iam::{ACCOUNT}:role/admin")));
    }

    #[test]
    fn admin_through_aws_managed_administrator_access() {
        let admin = administrator_access();
        let mut alice = user("alice");
        alice.attached_policies.push(attached(&admin));
        let details = AuthorizationDetails {
            users: vec![alice],
            policies: vec![admin],
            ..Default::default()
        };
        let index = index(&details);
        let evidence = index.user("alice").unwrap().admin_evidence().unwrap();
        assert!(evidence.is_full());
        assert_eq!(evidence.route(), ADMIN_ARN);
        assert_eq!(evidence.conditional, None);
    }

    #[test]
    fn admin_through_a_customer_star_policy_in_a_group() {
        let star = managed(
            "everything",
            json!([{"Effect": "Allow", "Action": "*:*", "Resource": "*"}]),
        );
        let mut admins = group("admins");
        admins.attached_policies.push(attached(&star));
        let mut bob = user("bob");
        bob.groups.push("admins".into());
        let details = AuthorizationDetails {
            users: vec![bob],
            groups: vec![admins],
            policies: vec![star],
            ..Default::default()
        };
        let index = index(&details);
        let evidence = index.user("bob").unwrap().admin_evidence().unwrap();
        assert_eq!(
            evidence.route(),
            format!("arn:aws:iam::{ACCOUNT}:policy/everything via group admins")
        );
        assert!(index.group("admins").unwrap().admin_evidence().is_some());
    }

    #[test]
    fn admin_split_across_policies_counts() {
        let mut alice = user("alice");
        alice.inline_policies.push(inline(
            "a",
            json!([{"Effect": "Allow", "Action": ["iam:*", "sts:*", "ec2:*", "s3:*", "kms:*"], "Resource": "*"}]),
        ));
        alice.inline_policies.push(inline(
            "b",
            json!([{"Effect": "Allow", "Action": ["lambda:*", "secretsmanager:*", "dynamodb:*", "cloudtrail:*", "organizations:*"], "Resource": "*"}]),
        ));
        let details = AuthorizationDetails {
            users: vec![alice],
            ..Default::default()
        };
        let index = index(&details);
        let evidence = index.user("alice").unwrap().admin_evidence().unwrap();
        assert!(evidence.is_full());
        assert_eq!(
            evidence.route(),
            "inline policy a of user/alice, inline policy b of user/alice"
        );
    }

    #[test]
    fn not_action_with_a_short_exclusion_list_is_admin_except_those_services() {
        let details = one_user(json!([
            {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*"}
        ]));
        let index = index(&details);
        let evidence = index.user("alice").unwrap().admin_evidence().unwrap();
        assert!(!evidence.is_full());
        assert_eq!(evidence.missing_services(), ["iam", "organizations"]);
    }

    #[test]
    fn iam_star_alone_is_not_admin() {
        let details = one_user(json!([
            {"Effect": "Allow", "Action": ["iam:*"], "Resource": "*"}
        ]));
        assert!(
            index(&details)
                .user("alice")
                .unwrap()
                .admin_evidence()
                .is_none()
        );
    }

    #[test]
    fn read_only_auditor_is_not_admin() {
        let details = one_user(json!([
            {"Effect": "Allow", "Action": ["*:Get*", "*:List*", "*:Describe*"], "Resource": "*"}
        ]));
        assert!(
            index(&details)
                .user("alice")
                .unwrap()
                .admin_evidence()
                .is_none()
        );
    }

    #[test]
    fn deny_that_neutralises_an_administrator_is_not_admin() {
        let admin = administrator_access();
        let mut alice = user("alice");
        alice.attached_policies.push(attached(&admin));
        alice.inline_policies.push(inline(
            "quarantine",
            json!([{"Effect": "Deny", "Action": "*", "Resource": "*"}]),
        ));
        let details = AuthorizationDetails {
            users: vec![alice],
            policies: vec![admin],
            ..Default::default()
        };
        assert!(
            index(&details)
                .user("alice")
                .unwrap()
                .admin_evidence()
                .is_none()
        );
    }

    #[test]
    fn conditional_admin_says_what_it_depends_on() {
        let details = one_user(json!([
            {"Effect": "Allow", "Action": "*", "Resource": "*",
             "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}
        ]));
        let index = index(&details);
        let evidence = index.user("alice").unwrap().admin_evidence().unwrap();
        assert_eq!(
            evidence.conditional.as_deref(),
            Some("Bool aws:MultiFactorAuthPresent \"true\"")
        );
    }

    #[test]
    fn admin_on_own_resources_only_is_not_admin() {
        let details = one_user(json!([
            {"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::alice-*"}
        ]));
        assert!(
            index(&details)
                .user("alice")
                .unwrap()
                .admin_evidence()
                .is_none()
        );
    }

    #[test]
    fn document_access_judges_one_policy_alone() {
        let star = document(json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}]));
        let source = PolicySource::Managed {
            arn: format!("arn:aws:iam::{ACCOUNT}:policy/x"),
            name: "x".into(),
        };
        assert!(document_access(&star, source.clone(), "iam:CreateUser", "*", now()).is_certain());
        let scoped =
            document(json!([{"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::b"}]));
        assert!(!document_access(&scoped, source, "iam:CreateUser", "*", now()).is_allowed());
    }

    // --- service control policies ------------------------------------------------------

    const MANAGEMENT: &str = "999999999999";

    fn scp(name: &str, statements: Value) -> ServiceControlPolicy {
        ServiceControlPolicy {
            id: format!("p-{name}"),
            name: name.into(),
            arn: format!(
                "arn:aws:organizations::{MANAGEMENT}:policy/o-exampleorgid/service_control_policy/p-{name}"
            ),
            document: Some(document(statements)),
        }
    }

    fn full_aws_access() -> ServiceControlPolicy {
        scp(
            "FullAWSAccess",
            json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}]),
        )
    }

    /// The root, one OU and the account, with these SCPs attached to each.
    fn organization(
        root: Vec<ServiceControlPolicy>,
        ou: Vec<ServiceControlPolicy>,
        account: Vec<ServiceControlPolicy>,
    ) -> OrgContext {
        OrgContext {
            organization_id: "o-exampleorgid".into(),
            management_account_id: MANAGEMENT.into(),
            scp_levels: vec![
                ScpLevel {
                    target: "r-root".into(),
                    policies: root,
                },
                ScpLevel {
                    target: "ou-root-sandbox".into(),
                    policies: ou,
                },
                ScpLevel {
                    target: ACCOUNT.into(),
                    policies: account,
                },
            ],
        }
    }

    /// alice holds AdministratorAccess; a service-linked role holds it too.
    fn administrators(organization: OrgContext) -> AuthorizationDetails {
        let admin = administrator_access();
        let mut alice = user("alice");
        alice.attached_policies.push(attached(&admin));
        let mut linked = role("AWSServiceRoleForSupport");
        linked.path = "/aws-service-role/support.amazonaws.com/".into();
        linked.attached_policies.push(attached(&admin));
        AuthorizationDetails {
            users: vec![alice],
            roles: vec![linked],
            policies: vec![admin],
            organization: Some(organization),
            ..Default::default()
        }
    }

    #[test]
    fn scp_every_level_must_allow_the_action() {
        let s3_only = scp(
            "S3Only",
            json!([{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]),
        );
        let details = administrators(organization(
            vec![full_aws_access()],
            vec![s3_only],
            vec![full_aws_access()],
        ));
        let scanned = index(&details);
        let alice = scanned.user("alice").unwrap();
        assert!(scanned.scps_applied() && alice.scps_applied());
        assert!(alice.access("s3:GetObject", "*").is_certain());
        assert_eq!(alice.access("iam:CreateUser", "*"), Access::NotAllowed);
        assert!(alice.admin_evidence().is_none());
        // Allowed at the OU but at no other level: still not allowed.
        let details = administrators(organization(
            vec![scp(
                "Ec2Only",
                json!([{"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}]),
            )],
            vec![full_aws_access()],
            vec![full_aws_access()],
        ));
        let scanned = index(&details);
        let alice = scanned.user("alice").unwrap();
        assert!(alice.access("ec2:RunInstances", "*").is_certain());
        assert_eq!(alice.access("s3:GetObject", "*"), Access::NotAllowed);
    }

    #[test]
    fn scp_deny_at_any_level_wins() {
        let deny_iam = scp(
            "DenyIam",
            json!([{"Sid": "NoIam", "Effect": "Deny", "Action": "iam:*", "Resource": "*"}]),
        );
        for at in 0..3 {
            let mut levels = vec![
                vec![full_aws_access()],
                vec![full_aws_access()],
                vec![full_aws_access()],
            ];
            levels[at].push(deny_iam.clone());
            let [root, ou, account] = <[_; 3]>::try_from(levels).unwrap();
            let details = administrators(organization(root, ou, account));
            let scanned = index(&details);
            let alice = scanned.user("alice").unwrap();
            let access = alice.access("iam:CreateUser", "*");
            let Access::Denied { by } = &access else {
                panic!("level {at}: {access:?}")
            };
            assert_eq!(by.len(), 1, "{by:?}");
            assert_eq!(&*by[0].statement, "NoIam");
            assert!(
                by[0]
                    .to_string()
                    .contains(":policy/o-exampleorgid/service_control_policy/p-DenyIam")
            );
            assert!(alice.access("s3:GetObject", "*").is_certain());
            // "admin except IAM" is still an administrator by the probes' rule.
            let evidence = alice
                .admin_evidence()
                .expect("every other probe is allowed");
            assert_eq!(evidence.missing_services(), ["iam"]);
        }
    }

    #[test]
    fn scp_denying_everything_but_reads_leaves_no_administrator() {
        let read_only = scp(
            "ReadOnly",
            json!([{"Effect": "Deny", "NotAction": ["*:Get*", "*:List*", "*:Describe*"], "Resource": "*"}]),
        );
        let details = administrators(organization(
            vec![full_aws_access()],
            vec![full_aws_access(), read_only],
            vec![full_aws_access()],
        ));
        let scanned = index(&details);
        assert!(scanned.user("alice").unwrap().admin_evidence().is_none());
    }

    #[test]
    fn scps_never_grant() {
        let details = AuthorizationDetails {
            users: vec![user("alice")],
            organization: Some(organization(
                vec![full_aws_access()],
                vec![full_aws_access()],
                vec![full_aws_access()],
            )),
            ..Default::default()
        };
        let scanned = index(&details);
        assert_eq!(
            scanned.user("alice").unwrap().access("s3:GetObject", "*"),
            Access::NotAllowed
        );
    }

    #[test]
    fn scps_do_not_cap_service_linked_roles() {
        let deny_all = scp(
            "DenyAll",
            json!([{"Effect": "Deny", "Action": "*", "Resource": "*"}]),
        );
        let details = administrators(organization(
            vec![full_aws_access(), deny_all],
            vec![full_aws_access()],
            vec![full_aws_access()],
        ));
        let scanned = index(&details);
        let alice = scanned.user("alice").unwrap();
        assert!(matches!(
            alice.access("s3:GetObject", "*"),
            Access::Denied { .. }
        ));
        let linked = scanned.role("AWSServiceRoleForSupport").unwrap();
        assert!(!linked.scps_applied());
        assert!(linked.access("s3:GetObject", "*").is_certain());
        assert!(linked.admin_evidence().is_some_and(AdminEvidence::is_full));
    }

    #[test]
    fn scp_conditional_deny_removes_nothing_but_is_reported() {
        let deny_iam_unless_admin_role = scp(
            "DenyIamExceptPlatform",
            json!([{"Effect": "Deny", "Action": "iam:*", "Resource": "*",
                    "Condition": {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/platform"}}}]),
        );
        let details = administrators(organization(
            vec![full_aws_access()],
            vec![full_aws_access(), deny_iam_unless_admin_role],
            vec![full_aws_access()],
        ));
        let scanned = index(&details);
        let alice = scanned.user("alice").unwrap();
        let access = alice.access("iam:CreateUser", "*");
        assert!(access.is_allowed(), "{access:?}");
        let conditional = access.conditional().expect("the deny is reported");
        assert!(
            conditional.starts_with("not denied by arn:aws:organizations::")
                && conditional.contains("p-DenyIamExceptPlatform")
                && conditional.contains("aws:PrincipalArn"),
            "{conditional}"
        );
        assert!(alice.admin_evidence().is_some_and(AdminEvidence::is_full));
    }

    #[test]
    fn scp_conditional_allow_makes_the_grant_conditional() {
        let only_in_eu = scp(
            "OnlyInEu",
            json!([{"Effect": "Allow", "Action": "*", "Resource": "*",
                    "Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}}]),
        );
        let details = administrators(organization(
            vec![full_aws_access()],
            vec![only_in_eu],
            vec![full_aws_access()],
        ));
        let scanned = index(&details);
        let alice = scanned.user("alice").unwrap();
        let access = alice.access("ec2:RunInstances", "*");
        assert_eq!(
            access.conditional(),
            Some(
                "the service control policies of ou-root-sandbox allowing it only if StringEquals aws:RequestedRegion \"eu-west-1\""
            )
        );
        let evidence = alice
            .admin_evidence()
            .expect("conditionally an administrator");
        assert!(
            evidence
                .conditional
                .as_deref()
                .is_some_and(|text| text.contains("ou-root-sandbox"))
        );
        // One unconditional Allow at the level is enough to make it unconditional.
        let details = administrators(organization(
            vec![full_aws_access()],
            vec![
                scp(
                    "OnlyInEu",
                    json!([{"Effect": "Allow", "Action": "*", "Resource": "*",
                            "Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}}]),
                ),
                full_aws_access(),
            ],
            vec![full_aws_access()],
        ));
        let scanned = index(&details);
        assert!(
            scanned
                .user("alice")
                .unwrap()
                .access("ec2:RunInstances", "*")
                .is_certain()
        );
    }

    #[test]
    fn scps_do_not_apply_to_the_management_account() {
        let deny_all = scp(
            "DenyAll",
            json!([{"Effect": "Deny", "Action": "*", "Resource": "*"}]),
        );
        let details = administrators(organization(
            vec![full_aws_access(), deny_all],
            vec![full_aws_access()],
            vec![full_aws_access()],
        ));
        let scanned = PermissionIndex::new(&details, Some(MANAGEMENT), now());
        assert!(!scanned.scps_applied());
        let alice = scanned.user("alice").unwrap();
        assert!(alice.access("iam:CreateUser", "*").is_certain());
        assert!(alice.admin_evidence().is_some_and(AdminEvidence::is_full));
    }

    #[test]
    fn an_unreadable_scp_makes_the_capped_answers_incomplete() {
        let mut unreadable = scp("Broken", json!([]));
        unreadable.document = None;
        let details = administrators(organization(
            vec![full_aws_access()],
            vec![full_aws_access(), unreadable],
            vec![full_aws_access()],
        ));
        let scanned = index(&details);
        assert_eq!(
            scanned.user("alice").unwrap().unknowns(),
            [format!(
                "service control policy Broken (arn:aws:organizations::{MANAGEMENT}:policy/o-exampleorgid/service_control_policy/p-Broken) attached to ou-root-sandbox could not be read"
            )]
        );
        assert!(
            scanned
                .role("AWSServiceRoleForSupport")
                .unwrap()
                .is_complete()
        );
    }

    #[test]
    fn ten_thousand_roles_with_ten_policies_each_build_and_answer_quickly() {
        let policies: Vec<ManagedPolicy> = (0..200)
            .map(|index| {
                managed(
                    &format!("policy-{index}"),
                    json!([
                        {"Effect": "Allow", "Action": [format!("s3:Get{index}*"), "ec2:Describe*"], "Resource": "*"},
                        {"Effect": "Allow", "Action": "iam:PassRole", "Resource": format!("arn:aws:iam::*:role/app-{index}-*")},
                        {"Effect": "Deny", "Action": "iam:*", "Resource": "*", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}}
                    ]),
                )
            })
            .collect();
        let roles: Vec<Role> = (0..10_000)
            .map(|index| {
                let mut role = role(&format!("role-{index}"));
                role.attached_policies = (0..10)
                    .map(|offset| attached(&policies[(index + offset * 7) % policies.len()]))
                    .collect();
                role
            })
            .collect();
        let details = AuthorizationDetails {
            roles,
            policies,
            ..Default::default()
        };
        let started = std::time::Instant::now();
        let index = index(&details);
        let admins = index
            .principals()
            .filter(|principal| principal.admin_evidence().is_some())
            .count();
        let passers = index
            .principals()
            .filter(|principal| {
                principal
                    .access("iam:PassRole", "arn:aws:iam::123456789012:role/app-3-x")
                    .is_allowed()
            })
            .count();
        println!(
            "10,000 roles x 10 policies: index, admin evidence and one access query each in {:?}",
            started.elapsed()
        );
        assert_eq!(admins, 0);
        assert!(passers > 0);
    }
}
