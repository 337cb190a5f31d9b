//! The escalation graph and its walk.
//!
//! Nodes are the account's users, groups and roles. The walk runs backwards from the
//! *terminals*: administrators, and principals that escalate with their own permissions
//! (a policy on themselves, a takeover, a grant to others). A principal joins when it has
//! an edge to a principal that has joined, and remembers that edge, so every route is
//! read by following links to a terminal; the breadth-first order makes routes short and
//! prefers one hop onto an administrator.
//!
//! No pair of principals is compared blindly. When B joins, the only principals asked
//! whether they have an edge to B are the ones that could: those B's trust policy names,
//! and those whose policies grant the edge's action on B's ARN exactly or through a
//! wildcard pattern (an index of every principal's granting patterns, built once); for
//! service-role methods, those holding the method's actions. A principal stops being
//! asked once it has joined. The cost is the size of the policies plus, per joining
//! principal, its candidates.
//!
//! The walk runs twice: first over certain edges and terminals only, then over all of
//! them for the principals still unreached, so a certain route always wins.

use super::catalog::{Kind, Method, Password, methods};
use super::trusts::{self, Named, RoleTrust};
use super::{
    Analysis, Caveats, Ending, Hop, Outcome, PrincipalVerdict, Route, SHOWN_HOPS, Step, Summary,
};
use crate::inventory::{AuthorizationDetails, CredentialReport};
use crate::policy::PolicyDocument;
use crate::policy::document::Statement;
use crate::policy::matching::glob_match;
use crate::policy::permissions::{
    Access, GrantSource, PermissionIndex, Permissions, PolicySource, PrincipalKind, SharingKey,
};
use chrono::{DateTime, Utc};
use std::borrow::Cow;
// foldhash: the analysis hashes a few million short keys (action names, node numbers).
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use std::collections::VecDeque;
use std::rc::Rc;

const ASSUME_ROLE: &str = "sts:AssumeRole";
const PASS_ROLE: &str = "iam:PassRole";

/// Administrator levels: what a route's terminal gives, and what a principal already has.
const NOT_ADMIN: u8 = 0;
const PARTIAL_ADMIN: u8 = 1;
const FULL_ADMIN: u8 = 2;

/// Analyses an account. `exclusions` (ARN or name patterns with `*` and `?`) name
/// principals to leave unreported and policies to ignore; `now` is the scan time that
/// conditions are judged against.
pub fn analyse(
    details: &AuthorizationDetails,
    account_id: Option<&str>,
    credential_report: Option<&CredentialReport>,
    exclusions: &[String],
    now: DateTime<Utc>,
) -> Analysis {
    analyse_with(
        details,
        account_id,
        credential_report,
        exclusions,
        now,
        None,
    )
}

/// As [`analyse`], with `shared`, an index already built over the same `details` (the
/// checks' own), used instead of a second one when it answers the same questions: no
/// policy excluded, the same account and scan time.
pub fn analyse_with<'a>(
    details: &'a AuthorizationDetails,
    account_id: Option<&str>,
    credential_report: Option<&CredentialReport>,
    exclusions: &[String],
    now: DateTime<Utc>,
    shared: Option<&PermissionIndex<'a>>,
) -> Analysis {
    let details = without_excluded_policies(details, exclusions);
    let account = account_id
        .map(str::to_owned)
        .or_else(|| account_of(&details))
        .unwrap_or_default();
    let own;
    let index = match shared {
        Some(index)
            if exclusions.is_empty()
                && index.account_id() == Some(account.as_str())
                && index.now() == now =>
        {
            index
        }
        _ => {
            own = PermissionIndex::new(&details, Some(&account), now);
            &own
        }
    };
    let mut graph = Graph::new(index, &details, &account, credential_report, now);
    graph.walk();
    graph.forget_answers();
    graph.verdicts(exclusions)
}

/// The first pattern that matches `arn` or `name`.
fn exclusion<'e>(exclusions: &'e [String], arn: &str, name: &str) -> Option<&'e str> {
    exclusions
        .iter()
        .find(|pattern| glob_match(pattern, arn) || glob_match(pattern, name))
        .map(String::as_str)
}

/// The details without the policies the exclusions name (attached by ARN or name,
/// inline by name); borrowed unchanged when none is named.
fn without_excluded_policies<'d>(
    details: &'d AuthorizationDetails,
    exclusions: &[String],
) -> Cow<'d, AuthorizationDetails> {
    if exclusions.is_empty() {
        return Cow::Borrowed(details);
    }
    let mut filtered = details.clone();
    let keep_attached = |policy: &crate::inventory::gaad::AttachedPolicy| {
        exclusion(exclusions, &policy.arn, &policy.name).is_none()
    };
    let keep_inline = |policy: &crate::inventory::InlinePolicy| {
        !exclusions
            .iter()
            .any(|pattern| glob_match(pattern, &policy.name))
    };
    for user in &mut filtered.users {
        user.attached_policies.retain(keep_attached);
        user.inline_policies.retain(keep_inline);
    }
    for group in &mut filtered.groups {
        group.attached_policies.retain(keep_attached);
        group.inline_policies.retain(keep_inline);
    }
    for role in &mut filtered.roles {
        role.attached_policies.retain(keep_attached);
        role.inline_policies.retain(keep_inline);
    }
    Cow::Owned(filtered)
}

fn account_of(details: &AuthorizationDetails) -> Option<String> {
    details
        .users
        .iter()
        .map(|user| &user.arn)
        .chain(details.roles.iter().map(|role| &role.arn))
        .find_map(|arn| arn.split(':').nth(4).filter(|id| !id.is_empty()))
        .map(str::to_owned)
}

struct Node<'i, 'a> {
    permissions: Permissions<'i, 'a>,
    kind: PrincipalKind,
    name: &'a str,
    arn: &'a str,
    level: u8,
    /// Services an "admin except" lacks, and what its administrator grant depends on.
    admin_missing: Vec<String>,
    admin_conditional: Option<String>,
    /// A user's groups.
    groups: &'a [String],
    service_linked: bool,
    trust: Option<Rc<RoleTrust>>,
    /// A user's console password (`None`: unknown) and whether it has an MFA device.
    password: Option<bool>,
    mfa: bool,
}

impl Node<'_, '_> {
    /// `user/alice`.
    fn display(&self) -> String {
        format!("{}/{}", self.kind.as_str(), self.name)
    }
}

/// What a principal that has joined points to.
enum Link {
    Terminal { ending: Ending, level: u8 },
    Next { to: usize, step: Step, level: u8 },
}

impl Link {
    fn level(&self) -> u8 {
        match self {
            Link::Terminal { level, .. } | Link::Next { level, .. } => *level,
        }
    }
}

/// The principals whose policies grant one action, by the patterns they grant it on.
#[derive(Default)]
struct ActionIndex {
    exact: HashMap<String, Vec<usize>>,
    /// Principals granting it through a `NotResource` grant, which may cover anything.
    anywhere: Vec<usize>,
    /// Wildcard patterns by their literal prefix (what comes before the first `*` or `?`),
    /// with the principal granting each: a target's candidates are found by looking up
    /// each prefix of its ARN, not by matching every pattern of the account.
    by_prefix: HashMap<String, Vec<(usize, String)>>,
    /// The lengths of those prefixes, ascending: the only prefixes of an ARN to look up.
    prefix_lengths: Vec<usize>,
}

/// What a resource pattern fixes before its first wildcard.
fn literal_prefix(pattern: &str) -> &str {
    pattern
        .find(['*', '?'])
        .map_or(pattern, |wildcard| &pattern[..wildcard])
}

impl ActionIndex {
    /// A principal granting the action on `patterns` (none: anywhere, a `NotResource` grant).
    fn add(&mut self, id: usize, patterns: &[String]) {
        if patterns.is_empty() {
            self.anywhere.push(id);
        }
        for pattern in patterns {
            if pattern.contains(['*', '?']) {
                let prefix = literal_prefix(pattern);
                if let Err(place) = self.prefix_lengths.binary_search(&prefix.len()) {
                    self.prefix_lengths.insert(place, prefix.len());
                }
                self.by_prefix
                    .entry(prefix.to_string())
                    .or_default()
                    .push((id, pattern.clone()));
            } else {
                self.exact.entry(pattern.clone()).or_default().push(id);
            }
        }
    }

    /// The principals granting the action on `arn` that have not joined yet. Those that
    /// have are dropped from the index on the way: each leaves it once, so a grant on `*`
    /// held by thousands costs its holders once, not once per target.
    fn candidates(&mut self, arn: &str, linked: &[Option<Link>]) -> Vec<usize> {
        let unlinked = |id: &usize| linked[*id].is_none();
        let mut ids: Vec<usize> = Vec::new();
        if let Some(holders) = self.exact.get_mut(arn) {
            holders.retain(unlinked);
            ids.extend(holders.iter());
        }
        self.anywhere.retain(unlinked);
        ids.extend(&self.anywhere);
        let lengths = self
            .prefix_lengths
            .iter()
            .take_while(|&&end| end <= arn.len());
        for &end in lengths.filter(|&&end| arn.is_char_boundary(end)) {
            if let Some(patterns) = self.by_prefix.get_mut(&arn[..end]) {
                patterns.retain(|(id, _)| unlinked(id));
                ids.extend(
                    patterns
                        .iter()
                        .filter(|(_, pattern)| glob_match(pattern, arn))
                        .map(|(id, _)| *id),
                );
            }
        }
        ids.sort_unstable();
        ids.dedup();
        ids
    }
}

/// Which of the catalog's actions each policy names, and which each principal's policies
/// name in an Allow: a cheap test before asking the engine, since a principal none of whose
/// policies allows an action cannot do it anywhere. Worked out once per policy, however
/// many principals hold it.
struct ActionMasks {
    /// Action -> its bit; an action not listed is never ruled out.
    bits: HashMap<&'static str, u32>,
    /// Policy -> the actions a statement names (Allow or Deny); all of them for a policy
    /// no principal holds (a boundary), which is never ruled out.
    named: Vec<u128>,
    /// Principal -> the actions an Allow of its policies names.
    nodes: Vec<u128>,
}

impl ActionMasks {
    fn new(index: &PermissionIndex, nodes: &[Node]) -> Self {
        let mut actions: Vec<&'static str> = vec![PASS_ROLE, ASSUME_ROLE];
        for method in methods() {
            actions.extend(method.actions.iter().map(String::as_str));
            actions.extend(method.with.iter().flatten().map(String::as_str));
        }
        actions.sort_unstable();
        actions.dedup();
        actions.truncate(u128::BITS as usize);
        let bits: HashMap<&'static str, u32> = actions.iter().copied().zip(0..).collect();
        let mask = |test: &dyn Fn(&str) -> bool| {
            actions
                .iter()
                .zip(0..)
                .filter(|(action, _)| test(action))
                .fold(0, |mask, (_, bit)| mask | 1u128 << bit)
        };
        // Policy -> (actions its Allows name, actions any statement names).
        let mut policies: HashMap<usize, (u128, u128)> = HashMap::new();
        let nodes = nodes
            .iter()
            .map(|node| {
                node.permissions.policy_ids().fold(0, |allowed, policy| {
                    let (allows, _) = *policies.entry(policy).or_insert_with(|| {
                        (
                            mask(&|action| index.policy_allows(policy, action)),
                            mask(&|action| index.policy_names(policy, action)),
                        )
                    });
                    allowed | allows
                })
            })
            .collect();
        let mut named = vec![u128::MAX; policies.keys().max().map_or(0, |max| max + 1)];
        for (policy, (_, names)) in policies {
            named[policy] = names;
        }
        ActionMasks { bits, named, nodes }
    }

    /// The action's bit, if it has one.
    fn bit(&self, action: &str) -> Option<u32> {
        self.bits.get(action).copied()
    }

    /// False when no statement of `policy` names the action of `bit`.
    fn names(&self, policy: usize, bit: u32) -> bool {
        self.named
            .get(policy)
            .is_none_or(|named| named >> bit & 1 == 1)
    }

    /// False when principal `id` certainly cannot do the action of `bit` anywhere.
    fn allows(&self, id: usize, bit: u32) -> bool {
        self.nodes[id] >> bit & 1 == 1
    }

    /// False when principal `id` certainly cannot do `action` anywhere.
    fn may(&self, id: usize, action: &str) -> bool {
        self.bit(action).is_none_or(|bit| self.allows(id, bit))
    }

    fn may_any(&self, id: usize, actions: &[String]) -> bool {
        actions.iter().any(|action| self.may(id, action))
    }
}

struct Graph<'i, 'a> {
    nodes: Vec<Node<'i, 'a>>,
    masks: ActionMasks,
    by_arn: HashMap<&'a str, usize>,
    /// Every principal's ARN, sorted: the principals a pattern can cover are those whose
    /// ARN starts with the pattern's literal prefix.
    sorted_arns: Vec<(&'a str, usize)>,
    roles_by_name: HashMap<&'a str, usize>,
    groups_by_name: HashMap<&'a str, usize>,
    /// Groups with at least one member.
    populated_groups: HashSet<&'a str>,
    /// Documents by policy, to read a granting statement's conditions.
    managed_documents: HashMap<&'a str, &'a PolicyDocument>,
    /// `user/alice` (as the engine names owners) -> inline policy name -> document.
    inline_documents: HashMap<String, HashMap<&'a str, &'a PolicyDocument>>,
    /// Customer managed policy ARN -> the principals it is attached to (a group's members
    /// hold it through the group node).
    holders: HashMap<&'a str, Vec<usize>>,
    links: Vec<Option<Link>>,
    /// Principals in the order they were linked.
    order: Vec<usize>,
    /// Target actions of edge methods -> who grants them where.
    indexes: HashMap<&'static str, ActionIndex>,
    /// PassRole method id -> who may pass which roles and holds the method's other
    /// actions: a role trusting the method's service asks only them.
    pass_role_indexes: HashMap<&'static str, ActionIndex>,
    /// Service-role method id -> the principals holding every action it needs.
    service_role_holders: HashMap<&'static str, Vec<usize>>,
    /// `(method id, principal)` of every service-role holder, for membership tests.
    service_role_members: HashSet<(&'static str, usize)>,
    /// `(method id, principal)` pairs whose `with` actions are certain and whose method
    /// assumes nothing: only these can give a certain PassRole or service-role edge.
    certain_with: HashSet<(&'static str, usize)>,
    /// `(action, principal)` -> the resource patterns its Allows grant the action on, for
    /// the indexed actions; empty: anything (a `NotResource` grant).
    coverage: HashMap<(&'static str, usize), Vec<String>>,
    /// `(principal, action's bit)` -> may it do the action somewhere.
    somewhere: HashMap<(usize, u32), Rc<Access>>,
    /// The same, answered once for all the principals whose policies that name the action
    /// are the same, held the same way.
    shared_somewhere: HashMap<(SharingKey, u32), Rc<Access>>,
}

/// Which methods may give one principal a certain step on some target: not those whose
/// every granting statement is conditional. Asked per method, answered once.
struct CertainMethods<'i, 'a> {
    permissions: Permissions<'i, 'a>,
    known: HashMap<&'static str, bool>,
}

impl<'i, 'a> CertainMethods<'i, 'a> {
    fn new(permissions: Permissions<'i, 'a>) -> Self {
        CertainMethods {
            permissions,
            known: HashMap::new(),
        }
    }

    fn may_be_certain(&mut self, method: &'static Method) -> bool {
        let permissions = self.permissions;
        *self.known.entry(method.id.as_str()).or_insert_with(|| {
            method.actions.iter().any(|action| {
                permissions
                    .allowed_resources(action)
                    .iter()
                    .any(|grant| grant.conditional.is_none())
            })
        })
    }
}

/// A method's `with` actions as one principal holds them: the action chosen from each
/// list, and its access.
type WithActions = (Vec<&'static str>, Vec<Rc<Access>>);

/// Any one of `actions` on `resource`: the first certain grant, else the first
/// conditional one, with what it depends on.
fn any_of(
    permissions: &Permissions,
    actions: &'static [String],
    resource: &str,
) -> Option<(&'static str, Access)> {
    let mut fallback = None;
    for action in actions {
        let access = permissions.access(action, resource);
        if access.is_certain() {
            return Some((action.as_str(), access));
        }
        if access.is_allowed() && fallback.is_none() {
            fallback = Some((action.as_str(), access));
        }
    }
    fallback
}

fn step(
    method: &'static Method,
    actions: Vec<&'static str>,
    detail: Option<String>,
    accesses: &[&Access],
) -> Step {
    let mut grants: Vec<GrantSource> = Vec::new();
    let mut caveats = Caveats::default();
    for access in accesses {
        for grant in access.grants() {
            if !grants.contains(grant) {
                grants.push(grant.clone());
            }
        }
        caveats.condition(access.conditional());
    }
    caveats.premise(method.premise.as_deref());
    Step {
        method,
        actions,
        detail,
        grants,
        caveats,
    }
}

/// Certain first, then the fewest caveats, then catalog order.
fn rank(step: &Step) -> (bool, usize, usize) {
    let position = methods()
        .iter()
        .position(|method| std::ptr::eq(method, step.method))
        .unwrap_or(usize::MAX);
    (
        !step.caveats.is_certain(),
        step.caveats.conditions.len() + step.caveats.premises.len(),
        position,
    )
}

fn best(steps: impl IntoIterator<Item = Step>) -> Option<Step> {
    steps.into_iter().min_by_key(rank)
}

fn ending_is_certain(ending: &Ending) -> bool {
    match ending {
        Ending::Administrator { conditional, .. } => conditional.is_none(),
        Ending::Method(step) => step.caveats.is_certain(),
        Ending::Takeover { modify, reach, .. } => {
            modify.caveats.is_certain() && reach.caveats.is_certain()
        }
        Ending::Grant { .. } => false,
    }
}

/// Whether a statement's conditions let it pass a role to `service`: `Some(true)` when its
/// only conditions are on iam:PassedToService and admit the service, `Some(false)` when one
/// of those refuses it, `None` when other conditions decide.
fn passed_to(statement: &Statement, service: &str) -> Option<bool> {
    let mut decided = true;
    for (operator, keys) in &statement.condition {
        let base = operator
            .split_once(':')
            .map_or(operator.as_str(), |(_, base)| base);
        let base = base
            .strip_suffix("IfExists")
            .unwrap_or(base)
            .to_ascii_lowercase();
        for (key, values) in keys {
            if !key.eq_ignore_ascii_case("iam:PassedToService") {
                decided = false;
                continue;
            }
            let matches = |value: &String| match base.as_str() {
                "stringlike" | "stringnotlike" => {
                    glob_match(&value.to_ascii_lowercase(), &service.to_ascii_lowercase())
                }
                _ => value.eq_ignore_ascii_case(service),
            };
            let admits = match base.as_str() {
                "stringequals" | "stringequalsignorecase" | "stringlike" => {
                    values.iter().any(matches)
                }
                "stringnotequals" | "stringnotequalsignorecase" | "stringnotlike" => {
                    !values.iter().any(matches)
                }
                _ => {
                    decided = false;
                    continue;
                }
            };
            if !admits {
                return Some(false);
            }
        }
    }
    decided.then_some(true)
}

impl<'i, 'a> Graph<'i, 'a> {
    fn new(
        index: &'i PermissionIndex<'a>,
        details: &'a AuthorizationDetails,
        account: &str,
        credential_report: Option<&CredentialReport>,
        now: DateTime<Utc>,
    ) -> Self {
        let users: HashMap<&str, &crate::inventory::gaad::User> = details
            .users
            .iter()
            .map(|user| (user.name.as_str(), user))
            .collect();
        let roles: HashMap<&str, &crate::inventory::gaad::Role> = details
            .roles
            .iter()
            .map(|role| (role.name.as_str(), role))
            .collect();
        let report: HashMap<&str, (Option<bool>, bool)> = credential_report
            .map(|report| {
                report
                    .users()
                    .map(|row| (row.user.as_str(), (row.password_enabled, row.mfa_active)))
                    .collect()
            })
            .unwrap_or_default();
        let nodes: Vec<Node> = index
            .principals()
            .map(|permissions| {
                let principal = *permissions.principal();
                let admin = permissions.admin_evidence();
                let level = match admin {
                    Some(evidence) if evidence.is_full() => FULL_ADMIN,
                    Some(_) => PARTIAL_ADMIN,
                    None => NOT_ADMIN,
                };
                let user = (principal.kind == PrincipalKind::User)
                    .then(|| users.get(principal.name).copied())
                    .flatten();
                let role = (principal.kind == PrincipalKind::Role)
                    .then(|| roles.get(principal.name).copied())
                    .flatten();
                let (password, mfa) = report
                    .get(principal.name)
                    .filter(|_| user.is_some())
                    .copied()
                    .unwrap_or((None, false));
                Node {
                    permissions,
                    kind: principal.kind,
                    name: principal.name,
                    arn: principal.arn,
                    level,
                    admin_missing: admin
                        .map(|evidence| evidence.missing_services())
                        .unwrap_or_default(),
                    admin_conditional: admin.and_then(|evidence| evidence.conditional.clone()),
                    groups: user.map(|user| user.groups.as_slice()).unwrap_or(&[]),
                    service_linked: role.is_some_and(|role| role.is_service_linked()),
                    trust: role
                        .and_then(|role| role.assume_role_policy.as_ref())
                        .map(|document| Rc::new(trusts::read(document, account, now))),
                    password,
                    mfa,
                }
            })
            .collect();
        let by_arn = nodes
            .iter()
            .enumerate()
            .map(|(id, node)| (node.arn, id))
            .collect();
        let mut sorted_arns: Vec<(&str, usize)> = nodes
            .iter()
            .enumerate()
            .map(|(id, node)| (node.arn, id))
            .collect();
        sorted_arns.sort_unstable();
        let roles_by_name = nodes
            .iter()
            .enumerate()
            .filter(|(_, node)| node.kind == PrincipalKind::Role)
            .map(|(id, node)| (node.name, id))
            .collect();
        let groups_by_name = nodes
            .iter()
            .enumerate()
            .filter(|(_, node)| node.kind == PrincipalKind::Group)
            .map(|(id, node)| (node.name, id))
            .collect();
        let mut graph = Graph {
            masks: ActionMasks::new(index, &nodes),
            links: (0..nodes.len()).map(|_| None).collect(),
            order: Vec::new(),
            managed_documents: details
                .policies
                .iter()
                .filter_map(|policy| Some((policy.arn.as_str(), policy.document.as_ref()?)))
                .collect(),
            inline_documents: HashMap::new(),
            nodes,
            by_arn,
            sorted_arns,
            roles_by_name,
            groups_by_name,
            populated_groups: details
                .users
                .iter()
                .flat_map(|user| user.groups.iter().map(String::as_str))
                .collect(),
            holders: HashMap::new(),
            indexes: HashMap::new(),
            pass_role_indexes: HashMap::new(),
            service_role_holders: HashMap::new(),
            service_role_members: HashSet::new(),
            certain_with: HashSet::new(),
            coverage: HashMap::new(),
            somewhere: HashMap::new(),
            shared_somewhere: HashMap::new(),
        };
        graph.index_holders(details);
        graph.index_inline_documents(details);
        graph.index_actions();
        graph
    }

    fn index_inline_documents(&mut self, details: &'a AuthorizationDetails) {
        let owners = details
            .users
            .iter()
            .map(|user| (format!("user/{}", user.name), &user.inline_policies))
            .chain(
                details
                    .groups
                    .iter()
                    .map(|group| (format!("group/{}", group.name), &group.inline_policies)),
            )
            .chain(
                details
                    .roles
                    .iter()
                    .map(|role| (format!("role/{}", role.name), &role.inline_policies)),
            );
        for (owner, policies) in owners {
            let documents = self.inline_documents.entry(owner).or_default();
            for policy in policies {
                if let Some(document) = &policy.document {
                    documents.insert(policy.name.as_str(), document);
                }
            }
        }
    }

    fn index_holders(&mut self, details: &'a AuthorizationDetails) {
        let owners = details
            .users
            .iter()
            .map(|user| (user.arn.as_str(), &user.attached_policies))
            .chain(
                details
                    .groups
                    .iter()
                    .map(|group| (group.arn.as_str(), &group.attached_policies)),
            )
            .chain(
                details
                    .roles
                    .iter()
                    .map(|role| (role.arn.as_str(), &role.attached_policies)),
            );
        for (owner, attached) in owners {
            let Some(&id) = self.by_arn.get(owner) else {
                continue;
            };
            for policy in attached {
                if !crate::inventory::is_aws_managed_policy(&policy.arn) {
                    self.holders.entry(&policy.arn).or_default().push(id);
                }
            }
        }
    }

    /// The target actions of every edge method, and iam:PassRole: who grants them on
    /// which exact ARNs, and who through a wildcard.
    fn index_actions(&mut self) {
        let mut actions: Vec<&'static str> = vec![PASS_ROLE];
        for method in methods() {
            if matches!(
                method.kind,
                Kind::AssumeRole | Kind::RoleTrust | Kind::UserCredentials | Kind::GroupMembership
            ) {
                actions.extend(method.actions.iter().map(String::as_str));
            }
        }
        actions.sort_unstable();
        actions.dedup();
        for action in actions {
            let mut index = ActionIndex::default();
            for (id, node) in self.nodes.iter().enumerate() {
                if node.level == FULL_ADMIN || !self.masks.may(id, action) {
                    continue;
                }
                let mut anything = false;
                let mut patterns: Vec<String> = Vec::new();
                for grant in node.permissions.allowed_resources(action) {
                    if grant.except {
                        anything = true;
                        continue;
                    }
                    patterns.extend(grant.resolved_patterns().into_iter().flatten());
                }
                if anything {
                    patterns.clear();
                } else if patterns.is_empty() {
                    continue;
                } else {
                    patterns.sort_unstable();
                    patterns.dedup();
                }
                index.add(id, &patterns);
                self.coverage.insert((action, id), patterns);
            }
            self.indexes.insert(action, index);
        }
        let passers: Vec<usize> = (0..self.nodes.len())
            .filter(|&id| self.coverage.contains_key(&(PASS_ROLE, id)))
            .collect();
        for method in methods() {
            let holders_of: Vec<usize> = match method.kind {
                Kind::PassRole => passers.clone(),
                Kind::ServiceRole => (0..self.nodes.len())
                    .filter(|&id| self.nodes[id].level != FULL_ADMIN)
                    .collect(),
                _ => continue,
            };
            let mut holders: Vec<usize> = Vec::new();
            for id in holders_of {
                let Some((_, accesses)) = self.with_actions(id, method) else {
                    continue;
                };
                if method.premise.is_none() && accesses.iter().all(|access| access.is_certain()) {
                    self.certain_with.insert((method.id.as_str(), id));
                }
                holders.push(id);
            }
            if method.kind == Kind::PassRole {
                let mut index = ActionIndex::default();
                for &id in &holders {
                    index.add(id, &self.coverage[&(PASS_ROLE, id)]);
                }
                self.pass_role_indexes.insert(method.id.as_str(), index);
            } else {
                self.service_role_members
                    .extend(holders.iter().map(|&id| (method.id.as_str(), id)));
                self.service_role_holders
                    .insert(method.id.as_str(), holders);
            }
        }
    }

    fn access_somewhere(&mut self, id: usize, action: &'static str) -> Rc<Access> {
        thread_local! {
            static NOT_ALLOWED: Rc<Access> = Rc::new(Access::NotAllowed);
        }
        let permissions = self.nodes[id].permissions;
        // An action without a bit (past the masks' 128) is never ruled out, nor kept.
        let Some(bit) = self.masks.bit(action) else {
            return Rc::new(permissions.access_somewhere(action));
        };
        if !self.masks.allows(id, bit) {
            return NOT_ALLOWED.with(Rc::clone);
        }
        if let Some(access) = self.somewhere.get(&(id, bit)) {
            return Rc::clone(access);
        }
        let masks = &self.masks;
        let access = match permissions.sharing_key(|policy| masks.names(policy, bit)) {
            Some(key) => Rc::clone(
                self.shared_somewhere
                    .entry((key, bit))
                    .or_insert_with(|| Rc::new(permissions.access_somewhere(action))),
            ),
            None => Rc::new(permissions.access_somewhere(action)),
        };
        self.somewhere.insert((id, bit), Rc::clone(&access));
        access
    }

    /// The method's `with` actions, one of each list, on whatever resource: the actions
    /// chosen and their accesses, or `None` when a list has no allowed action.
    fn with_actions(&mut self, id: usize, method: &'static Method) -> Option<WithActions> {
        let mut chosen = Vec::new();
        let mut accesses = Vec::new();
        for alternatives in &method.with {
            let mut fallback = None;
            let mut found = None;
            for action in alternatives {
                let access = self.access_somewhere(id, action.as_str());
                if access.is_certain() {
                    found = Some((action.as_str(), access));
                    break;
                }
                if access.is_allowed() && fallback.is_none() {
                    fallback = Some((action.as_str(), access));
                }
            }
            let (action, access) = found.or(fallback)?;
            chosen.push(action);
            accesses.push(access);
        }
        Some((chosen, accesses))
    }

    // --- edges -------------------------------------------------------------------------

    /// The best way for `from` to become or act as `to`, if it has one.
    fn edge(&mut self, from: usize, to: usize) -> Option<Step> {
        if from == to {
            return None;
        }
        match self.nodes[to].kind {
            PrincipalKind::Role => self.role_edge(from, to),
            PrincipalKind::User => self.user_edge(from, to),
            PrincipalKind::Group => self.group_edge(from, to),
        }
    }

    fn role_edge(&mut self, from: usize, to: usize) -> Option<Step> {
        let mut steps = Vec::new();
        let role_arn = self.nodes[to].arn;
        let service_linked = self.nodes[to].service_linked;
        let trust = self.nodes[to].trust.clone()?;
        for method in methods() {
            match method.kind {
                Kind::AssumeRole => steps.extend(self.assume(from, &trust, role_arn, method)),
                Kind::RoleTrust if !service_linked => {
                    let source = &self.nodes[from].permissions;
                    if let Some((action, access)) = any_of(source, &method.actions, role_arn)
                        && !matches!(source.access(ASSUME_ROLE, role_arn), Access::Denied { .. })
                    {
                        steps.push(step(method, vec![action], None, &[&access]));
                    }
                }
                Kind::PassRole if !service_linked => {
                    let Some((service, trusted)) = method.services.iter().find_map(|service| {
                        trust.service(service).map(|caveats| (service, caveats))
                    }) else {
                        continue;
                    };
                    let Some(pass) = self.pass_role(from, role_arn, service) else {
                        continue;
                    };
                    let Some((with, accesses)) = self.with_actions(from, method) else {
                        continue;
                    };
                    let mut all = vec![&pass];
                    all.extend(accesses.iter().map(|access| &**access));
                    let mut actions = vec![PASS_ROLE];
                    actions.extend(with);
                    let mut found = step(method, actions, Some(format!("to {service}")), &all);
                    found.caveats.merge(trusted);
                    steps.push(found);
                }
                Kind::ServiceRole if !service_linked => {
                    let Some((service, trusted)) = method.services.iter().find_map(|service| {
                        trust.service(service).map(|caveats| (service, caveats))
                    }) else {
                        continue;
                    };
                    let Some((with, accesses)) = self.with_actions(from, method) else {
                        continue;
                    };
                    let all: Vec<&Access> = accesses.iter().map(|access| &**access).collect();
                    let mut found = step(method, with, Some(format!("via {service}")), &all);
                    found.caveats.merge(trusted);
                    steps.push(found);
                }
                _ => {}
            }
        }
        best(steps)
    }

    /// iam:PassRole of `role_arn` to `service`. A grant whose only conditions are on
    /// iam:PassedToService is decided here for the service at hand: it applies outright
    /// when the service is among the allowed ones and not at all otherwise (the engine can
    /// only call such a grant conditional, not knowing the service).
    fn pass_role(&self, from: usize, role_arn: &str, service: &str) -> Option<Access> {
        let permissions = &self.nodes[from].permissions;
        let access = permissions.access(PASS_ROLE, role_arn);
        let Access::Allowed {
            conditional: Some(conditional),
            grants,
        } = &access
        else {
            return access.is_allowed().then_some(access);
        };
        let covering: Vec<_> = permissions
            .allowed_resources(PASS_ROLE)
            .into_iter()
            .filter(|grant| grant.covers(role_arn))
            .collect();
        if covering.iter().any(|grant| grant.conditional.is_none()) {
            // The condition is a Deny's or the boundary's: nothing to decide here.
            return Some(access);
        }
        let verdicts: Vec<Option<bool>> = covering
            .iter()
            .map(|grant| {
                self.statement(&grant.source)
                    .and_then(|statement| passed_to(statement, service))
            })
            .collect();
        if verdicts.iter().all(|verdict| *verdict == Some(false)) {
            return None;
        }
        if !verdicts.contains(&Some(true)) {
            return Some(access);
        }
        // The Allow side holds for this service; keep what Denies or the boundary add.
        let mut seen = HashSet::new();
        let allow_side = covering
            .iter()
            .filter_map(|grant| grant.conditional.clone())
            .filter(|text| seen.insert(text.clone()))
            .collect::<Vec<_>>()
            .join(" or ");
        let rest = conditional
            .strip_prefix(&allow_side)
            .map(|rest| rest.trim_start_matches("; ").to_string())
            .unwrap_or_else(|| conditional.clone());
        Some(Access::Allowed {
            conditional: (!rest.is_empty()).then_some(rest),
            grants: grants.clone(),
        })
    }

    /// The statement a grant names, from the inventory's documents.
    fn statement(&self, source: &GrantSource) -> Option<&'a Statement> {
        let document = match &*source.policy {
            PolicySource::Managed { arn, .. } => self.managed_documents.get(arn.as_str())?,
            PolicySource::Inline { owner, name } => self
                .inline_documents
                .get(owner.as_str())?
                .get(name.as_str())?,
        };
        document
            .statements
            .iter()
            .enumerate()
            .find_map(|(index, statement)| {
                let label = statement
                    .sid
                    .clone()
                    .filter(|sid| !sid.is_empty())
                    .unwrap_or_else(|| format!("Statement[{index}]"));
                (*label == *source.statement).then_some(statement)
            })
    }

    /// sts:AssumeRole: a trust naming the principal admits it unless its own policies deny
    /// it; a trust naming the account needs its policies to allow it.
    fn assume(
        &self,
        from: usize,
        trust: &RoleTrust,
        role_arn: &str,
        method: &'static Method,
    ) -> Option<Step> {
        let source = &self.nodes[from];
        let named = trust.named.iter().find_map(|(named, caveats)| match named {
            Named::Arn(arn) if arn == source.arn => Some(caveats.clone()),
            Named::Session { role, session }
                if source.kind == PrincipalKind::Role && role == source.name =>
            {
                let mut caveats = caveats.clone();
                caveats.condition(Some(&format!("a session named {session}")));
                Some(caveats)
            }
            _ => None,
        });
        let access = source.permissions.access(ASSUME_ROLE, role_arn);
        if let Some(caveats) = named {
            // Named by ARN, the trust admits it whatever its identity policies allow;
            // only an explicit Deny there stops it.
            if matches!(access, Access::Denied { .. }) {
                return None;
            }
            let mut found = step(method, vec![ASSUME_ROLE], None, &[]);
            found.caveats.merge(&caveats);
            return Some(found);
        }
        let account = trust.account.as_ref()?;
        if !access.is_allowed() {
            return None;
        }
        let mut found = step(method, vec![ASSUME_ROLE], None, &[&access]);
        found.caveats.merge(account);
        Some(found)
    }

    fn user_edge(&mut self, from: usize, to: usize) -> Option<Step> {
        let target = &self.nodes[to];
        let source = &self.nodes[from].permissions;
        let mut steps = Vec::new();
        for method in methods()
            .iter()
            .filter(|method| method.kind == Kind::UserCredentials)
        {
            let premise = match method.password {
                // A console password does not get past an MFA device.
                Some(_) if target.mfa => continue,
                Some(Password::Absent) if target.password == Some(true) => continue,
                Some(Password::Present) if target.password == Some(false) => continue,
                Some(Password::Absent) if target.password.is_none() => Some(format!(
                    "{} has no console password yet (no credential report to tell)",
                    target.display()
                )),
                Some(Password::Present) if target.password.is_none() => Some(format!(
                    "{} has a console password (no credential report to tell)",
                    target.display()
                )),
                _ => None,
            };
            if let Some((action, access)) = any_of(source, &method.actions, target.arn) {
                let mut found = step(method, vec![action], None, &[&access]);
                found.caveats.premise(premise.as_deref());
                steps.push(found);
            }
        }
        best(steps)
    }

    fn group_edge(&mut self, from: usize, to: usize) -> Option<Step> {
        let source = &self.nodes[from];
        let group = &self.nodes[to];
        if source.kind != PrincipalKind::User || source.groups.iter().any(|name| name == group.name)
        {
            return None;
        }
        best(
            methods()
                .iter()
                .filter(|method| method.kind == Kind::GroupMembership)
                .filter_map(|method| {
                    any_of(&source.permissions, &method.actions, group.arn)
                        .map(|(action, access)| step(method, vec![action], None, &[&access]))
                }),
        )
    }

    /// The principals that may have an edge to `to`: never all of them, and none that has
    /// joined. With `certain_only`, not those whose PassRole or service-role method could
    /// only give an uncertain edge whatever the target (its other actions are conditional,
    /// or the method assumes something the inventory cannot show).
    fn candidates(&mut self, to: usize, certain_only: bool) -> Vec<usize> {
        let arn = self.nodes[to].arn;
        let links = &self.links;
        let indexes = &mut self.indexes;
        let mut candidates = Vec::new();
        let mut from_index = |action: &str, candidates: &mut Vec<usize>| {
            if let Some(index) = indexes.get_mut(action) {
                candidates.extend(index.candidates(arn, links));
            }
        };
        match self.nodes[to].kind {
            PrincipalKind::Role => {
                let Some(trust) = self.nodes[to].trust.clone() else {
                    return candidates;
                };
                for (named, _) in &trust.named {
                    let id = match named {
                        Named::Arn(arn) => self.by_arn.get(arn.as_str()),
                        Named::Session { role, .. } => self.roles_by_name.get(role.as_str()),
                    };
                    candidates.extend(id.copied());
                }
                if trust.account.is_some() {
                    from_index(ASSUME_ROLE, &mut candidates);
                }
                let trusted = |method: &Method| {
                    method
                        .services
                        .iter()
                        .any(|service| trust.service(service).is_some())
                };
                let certain_with = &self.certain_with;
                let eligible = |method: &'static Method, id: usize| {
                    links[id].is_none()
                        && (!certain_only || certain_with.contains(&(method.id.as_str(), id)))
                };
                let mut passers_added = false;
                for method in methods() {
                    match method.kind {
                        Kind::RoleTrust => {
                            for action in &method.actions {
                                from_index(action, &mut candidates);
                            }
                        }
                        // Every PassRole method the role's trust allows, at once.
                        Kind::PassRole if trusted(method) && !passers_added => {
                            passers_added = true;
                            let mut passers = Vec::new();
                            for method in methods()
                                .iter()
                                .filter(|method| method.kind == Kind::PassRole && trusted(method))
                            {
                                if let Some(index) =
                                    self.pass_role_indexes.get_mut(method.id.as_str())
                                {
                                    passers.extend(
                                        index
                                            .candidates(arn, links)
                                            .into_iter()
                                            .filter(|&id| eligible(method, id)),
                                    );
                                }
                            }
                            passers.sort_unstable();
                            passers.dedup();
                            candidates.extend(passers);
                        }
                        Kind::ServiceRole if trusted(method) => {
                            if let Some(holders) =
                                self.service_role_holders.get_mut(method.id.as_str())
                            {
                                holders.retain(|id| links[*id].is_none());
                                candidates.extend(
                                    holders.iter().copied().filter(|&id| eligible(method, id)),
                                );
                            }
                        }
                        _ => {}
                    }
                }
            }
            PrincipalKind::User | PrincipalKind::Group => {
                for method in methods().iter().filter(|method| {
                    matches!(method.kind, Kind::UserCredentials | Kind::GroupMembership)
                }) {
                    for action in &method.actions {
                        from_index(action, &mut candidates);
                    }
                }
            }
        }
        let mut seen = HashSet::new();
        candidates.retain(|id| seen.insert(*id));
        candidates
    }

    // --- terminals -------------------------------------------------------------------

    /// A method that changes the principal's own permissions.
    fn own_method(&mut self, id: usize) -> Option<Step> {
        let node = &self.nodes[id];
        let mut steps = Vec::new();
        for method in methods() {
            if !method.actions.is_empty() && !self.masks.may_any(id, &method.actions) {
                continue;
            }
            let targets: Vec<(String, String)> = match method.kind {
                Kind::PolicyVersion => node
                    .permissions
                    .policies()
                    .into_iter()
                    .filter_map(|policy| match policy {
                        PolicySource::Managed { arn, .. } if !policy.is_aws_managed() => {
                            Some((arn.clone(), arn.clone()))
                        }
                        _ => None,
                    })
                    .collect(),
                Kind::UserPolicy if node.kind == PrincipalKind::User => {
                    vec![(node.arn.to_string(), node.display())]
                }
                Kind::RolePolicy if node.kind == PrincipalKind::Role && !node.service_linked => {
                    vec![(node.arn.to_string(), node.display())]
                }
                Kind::GroupPolicy if node.kind == PrincipalKind::Group => {
                    vec![(node.arn.to_string(), node.display())]
                }
                Kind::GroupPolicy if node.kind == PrincipalKind::User => node
                    .groups
                    .iter()
                    .filter_map(|group| self.groups_by_name.get(group.as_str()))
                    .map(|&group| {
                        (
                            self.nodes[group].arn.to_string(),
                            self.nodes[group].display(),
                        )
                    })
                    .collect(),
                _ => continue,
            };
            for (arn, label) in targets {
                if let Some((action, access)) = any_of(&node.permissions, &method.actions, &arn) {
                    steps.push(step(
                        method,
                        vec![action],
                        Some(format!("on {label}")),
                        &[&access],
                    ));
                }
            }
        }
        for method in methods()
            .iter()
            .filter(|method| method.kind == Kind::NewPrincipal)
        {
            if let Some((actions, accesses)) = self.with_actions(id, method) {
                let all: Vec<&Access> = accesses.iter().map(|access| &**access).collect();
                steps.push(step(method, actions, None, &all));
            }
        }
        best(steps)
    }

    /// Whether `id`'s Allows name `arn` for an indexed `action` (patterns only: Denies,
    /// conditions and the boundary are left to [`Permissions::access`]).
    fn covers(&self, action: &str, id: usize, arn: &str) -> bool {
        self.coverage.get(&(action, id)).is_some_and(|patterns| {
            patterns.is_empty() || patterns.iter().any(|pattern| glob_match(pattern, arn))
        })
    }

    /// A cheap test that `from` may have an edge to `to`: what [`Graph::candidates`] asks,
    /// from the other side. [`Graph::edge`] decides.
    fn may_reach(&self, from: usize, to: usize) -> bool {
        let target = &self.nodes[to];
        let covers = |action: &str| self.covers(action, from, target.arn);
        let any_action = |kinds: &[Kind]| {
            methods()
                .iter()
                .filter(|method| kinds.contains(&method.kind))
                .flat_map(|method| &method.actions)
                .any(|action| covers(action))
        };
        match target.kind {
            PrincipalKind::User => any_action(&[Kind::UserCredentials]),
            PrincipalKind::Group => any_action(&[Kind::GroupMembership]),
            PrincipalKind::Role => {
                let Some(trust) = &target.trust else {
                    return false;
                };
                let source = &self.nodes[from];
                let named = trust.named.iter().any(|(named, _)| match named {
                    Named::Arn(arn) => arn == source.arn,
                    Named::Session { role, .. } => {
                        source.kind == PrincipalKind::Role && role == source.name
                    }
                });
                named
                    || (trust.account.is_some() && covers(ASSUME_ROLE))
                    || any_action(&[Kind::RoleTrust])
                    || methods().iter().any(|method| {
                        let trusted = method
                            .services
                            .iter()
                            .any(|service| trust.service(service).is_some());
                        trusted
                            && match method.kind {
                                Kind::PassRole => covers(PASS_ROLE),
                                Kind::ServiceRole => self
                                    .service_role_members
                                    .contains(&(method.id.as_str(), from)),
                                _ => false,
                            }
                    })
            }
        }
    }

    /// What `id` may rewrite besides itself, by the patterns of its Allows: `(method,
    /// principal, resource)` with the resource the method acts on (the principal, or the
    /// policy attached to it). Confirmed with [`Permissions::access`] only where it matters.
    fn rewrites(&mut self, id: usize) -> Vec<(&'static Method, usize, &'a str)> {
        // The actions it may do somewhere: an Allow the boundary or a Deny takes away
        // everywhere names no target.
        let usable: Vec<Vec<&'static str>> = methods()
            .iter()
            .map(|method| {
                method
                    .actions
                    .iter()
                    .map(String::as_str)
                    .filter(|action| self.access_somewhere(id, action).is_allowed())
                    .collect()
            })
            .collect();
        let node = &self.nodes[id];
        let mut found = Vec::new();
        for (method, actions) in methods().iter().zip(&usable) {
            let grants: Vec<_> = actions
                .iter()
                .flat_map(|action| node.permissions.allowed_resources(action))
                .collect();
            if grants.is_empty() {
                continue;
            }
            let covered = |arn: &str| grants.iter().any(|grant| grant.covers(arn));
            let kind = match method.kind {
                Kind::UserPolicy => PrincipalKind::User,
                Kind::GroupPolicy | Kind::GroupMembership => PrincipalKind::Group,
                Kind::RolePolicy => PrincipalKind::Role,
                Kind::PolicyVersion => {
                    let own: HashSet<String> = node
                        .permissions
                        .policies()
                        .into_iter()
                        .map(ToString::to_string)
                        .collect();
                    for (arn, holders) in &self.holders {
                        if own.contains(*arn) || !covered(arn) {
                            continue;
                        }
                        found.extend(
                            holders
                                .iter()
                                .filter(|&&holder| self.nodes[holder].level != FULL_ADMIN)
                                .map(|&holder| (method, holder, *arn)),
                        );
                    }
                    continue;
                }
                _ => continue,
            };
            // A user joins groups by an edge; only others are put into administrator groups.
            if method.kind == Kind::GroupMembership && node.kind == PrincipalKind::User {
                continue;
            }
            for target in self.covered_candidates(&grants) {
                let other = &self.nodes[target];
                let skip = target == id
                    || other.kind != kind
                    || other.service_linked
                    || other.level == FULL_ADMIN && method.kind != Kind::GroupMembership
                    || match method.kind {
                        Kind::GroupMembership => other.level == NOT_ADMIN,
                        Kind::GroupPolicy => {
                            // Its own groups are its own method; a group nobody is in
                            // gives nobody anything.
                            node.groups.iter().any(|name| name == other.name)
                                || !self.populated_groups.contains(other.name)
                        }
                        _ => false,
                    };
                if !skip && covered(other.arn) {
                    found.push((method, target, other.arn));
                }
            }
        }
        found
    }

    /// The principals `grants` may cover, in node order: by each pattern's literal prefix,
    /// or every principal when a grant is a `NotResource` one (or a pattern cannot be
    /// read). Whether each is really covered is still for `covers` to say.
    fn covered_candidates(
        &self,
        grants: &[crate::policy::permissions::ResourceGrant],
    ) -> Vec<usize> {
        let mut prefixes: Vec<String> = Vec::new();
        for grant in grants {
            if grant.except {
                return (0..self.nodes.len()).collect();
            }
            for pattern in grant.resolved_patterns().into_iter().flatten() {
                let pattern: &str = pattern.as_ref();
                prefixes.push(literal_prefix(pattern).to_string());
            }
        }
        let mut ids: Vec<usize> = Vec::new();
        for prefix in &prefixes {
            let start = self
                .sorted_arns
                .partition_point(|(arn, _)| *arn < prefix.as_str());
            ids.extend(
                self.sorted_arns[start..]
                    .iter()
                    .take_while(|(arn, _)| arn.starts_with(prefix.as_str()))
                    .map(|(_, id)| *id),
            );
        }
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// How `id` rewrites `target` through `resource`, confirmed.
    fn rewrite(
        &self,
        id: usize,
        method: &'static Method,
        target: usize,
        resource: &str,
    ) -> Option<Step> {
        let (action, access) = any_of(&self.nodes[id].permissions, &method.actions, resource)?;
        let other = &self.nodes[target];
        let detail = match method.kind {
            Kind::PolicyVersion => format!("on {resource}"),
            Kind::GroupMembership => format!("on {} (any user into it)", other.display()),
            _ => format!("on {}", other.display()),
        };
        Some(step(method, vec![action], Some(detail), &[&access]))
    }

    /// The principal's best terminal: its own method, or taking over a principal it can
    /// also rewrite, or rewriting another principal.
    fn terminal(&mut self, id: usize) -> Option<Ending> {
        let own = self.own_method(id).map(Ending::Method);
        if own.as_ref().is_some_and(ending_is_certain) {
            return own;
        }
        let rewrites = self.rewrites(id);
        let mut takeover: Option<Ending> = None;
        let mut certain_methods = CertainMethods::new(self.nodes[id].permissions);
        for &(method, target, resource) in &rewrites {
            // Once one takeover is found, only a certain one would replace it.
            if takeover.is_some() && !certain_methods.may_be_certain(method) {
                continue;
            }
            if !self.may_reach(id, target) {
                continue;
            }
            let Some(modify) = self.rewrite(id, method, target, resource) else {
                continue;
            };
            let Some(reach) = self.edge(id, target) else {
                continue;
            };
            let candidate = Ending::Takeover {
                target: self.nodes[target].display(),
                modify,
                reach,
            };
            if ending_is_certain(&candidate) {
                return Some(candidate);
            }
            takeover.get_or_insert(candidate);
        }
        own.or(takeover)
            .or_else(|| self.grant_ending(id, &rewrites))
    }

    /// "Can make another principal administrator": a certain rewrite if there is one
    /// (users and groups before roles: someone's credentials can use them), naming one
    /// target and how many more the patterns cover.
    fn grant_ending(
        &self,
        id: usize,
        rewrites: &[(&'static Method, usize, &str)],
    ) -> Option<Ending> {
        let mut ordered: Vec<&(&'static Method, usize, &str)> = rewrites.iter().collect();
        ordered.sort_by_key(|(_, target, _)| {
            (self.nodes[*target].kind == PrincipalKind::Role, *target)
        });
        // Once one rewrite is chosen, only a certain one would replace it.
        let mut certain_methods = CertainMethods::new(self.nodes[id].permissions);
        let mut chosen: Option<(usize, Step)> = None;
        for &&(method, target, resource) in &ordered {
            if chosen.is_some() && !certain_methods.may_be_certain(method) {
                continue;
            }
            let Some(step) = self.rewrite(id, method, target, resource) else {
                continue;
            };
            let certain = step.caveats.is_certain();
            if chosen.is_none() || certain {
                chosen = Some((target, step));
            }
            if certain {
                break;
            }
        }
        let (target, mut step) = chosen?;
        let others: HashSet<usize> = rewrites
            .iter()
            .map(|(_, other, _)| *other)
            .filter(|other| *other != target)
            .collect();
        let node = &self.nodes[target];
        let described = match others.len() {
            0 => node.display(),
            count => format!("{} and up to {count} more", node.display()),
        };
        let holder = match node.kind {
            PrincipalKind::Group => format!("a member of {}", node.display()),
            _ => node.display(),
        };
        step.caveats.premise(Some(&format!(
            "whoever holds {} also holds {holder} (or another principal it can make administrator)",
            self.nodes[id].display()
        )));
        Some(Ending::Grant {
            target: described,
            step,
        })
    }

    // --- the walk --------------------------------------------------------------------

    fn walk(&mut self) {
        let count = self.nodes.len();
        let mut pending: Vec<(usize, Ending, u8)> = Vec::new();
        for id in 0..count {
            let level = self.nodes[id].level;
            if level == FULL_ADMIN {
                pending.push((id, self.administrator(id), FULL_ADMIN));
                continue;
            }
            let partial = level == PARTIAL_ADMIN;
            match self.terminal(id) {
                Some(ending) if ending_is_certain(&ending) || !partial => {
                    pending.push((id, ending, FULL_ADMIN))
                }
                _ if partial => pending.push((id, self.administrator(id), PARTIAL_ADMIN)),
                _ => {}
            }
        }
        // Certain terminals and edges first, administrators at the front of the queue so
        // that one hop onto an administrator beats a longer route.
        let (certain, uncertain): (Vec<_>, Vec<_>) = pending
            .into_iter()
            .partition(|(_, ending, _)| ending_is_certain(ending));
        self.link_terminals(certain);
        self.propagate(true);
        self.link_terminals(uncertain);
        self.propagate(false);
    }

    fn administrator(&self, id: usize) -> Ending {
        let node = &self.nodes[id];
        Ending::Administrator {
            missing: node.admin_missing.clone(),
            conditional: node.admin_conditional.clone(),
        }
    }

    fn link_terminals(&mut self, terminals: Vec<(usize, Ending, u8)>) {
        for (id, ending, level) in terminals {
            if self.links[id].is_none() {
                self.links[id] = Some(Link::Terminal { ending, level });
                self.order.push(id);
            }
        }
    }

    fn propagate(&mut self, certain_only: bool) {
        let mut queue: VecDeque<usize> = VecDeque::new();
        let linked: Vec<usize> = (0..self.nodes.len())
            .filter(|&id| self.links[id].is_some())
            .collect();
        let is_admin = |graph: &Self, id: usize| {
            matches!(
                graph.links[id],
                Some(Link::Terminal {
                    ending: Ending::Administrator { .. },
                    ..
                })
            )
        };
        queue.extend(linked.iter().copied().filter(|&id| is_admin(self, id)));
        queue.extend(linked.iter().copied().filter(|&id| !is_admin(self, id)));
        while let Some(to) = queue.pop_front() {
            let level = self.links[to].as_ref().map_or(NOT_ADMIN, Link::level);
            for from in self.candidates(to, certain_only) {
                if self.links[from].is_some() || self.nodes[from].level >= level {
                    continue;
                }
                let Some(step) = self.edge(from, to) else {
                    continue;
                };
                if certain_only && !step.caveats.is_certain() {
                    continue;
                }
                self.links[from] = Some(Link::Next { to, step, level });
                self.order.push(from);
                queue.push_back(from);
            }
        }
    }

    /// Each linked principal's route summary, and the principal whose link is its route's
    /// last hop, computed once in link order (a link always points to an earlier one).
    /// Frees what only the walk needs (every principal's answers and the action indexes):
    /// the routes are read from the links, and building them on top of those would be the
    /// analysis' high point of memory.
    fn forget_answers(&mut self) {
        self.indexes = HashMap::new();
        self.pass_role_indexes = HashMap::new();
        self.service_role_holders = HashMap::new();
        self.service_role_members = HashSet::new();
        self.certain_with = HashSet::new();
        self.coverage = HashMap::new();
        self.somewhere = HashMap::new();
        self.shared_somewhere = HashMap::new();
    }

    fn summaries(&self) -> (Vec<Option<Summary>>, Vec<usize>) {
        let mut summaries: Vec<Option<Summary>> = vec![None; self.nodes.len()];
        let mut last: Vec<usize> = (0..self.nodes.len()).collect();
        for &id in &self.order {
            match &self.links[id] {
                Some(Link::Terminal { ending, .. }) => {
                    summaries[id] = Some(Summary::of_ending(ending));
                }
                Some(Link::Next { to, step, .. }) => {
                    let rest = summaries[*to].as_ref().expect("linked after its target");
                    summaries[id] = Some(Summary::then(step, rest));
                    last[id] = match &self.links[*to] {
                        Some(Link::Next { .. }) => last[*to],
                        _ => id,
                    };
                }
                None => {}
            }
        }
        (summaries, last)
    }

    fn hop(&self, from: usize) -> Option<Hop> {
        match self.links[from].as_ref()? {
            Link::Next { to, step, .. } => Some(Hop {
                to: self.nodes[*to].display(),
                to_arn: self.nodes[*to].arn.to_string(),
                step: step.clone(),
            }),
            Link::Terminal { .. } => None,
        }
    }

    fn route(&self, start: usize, summaries: &[Option<Summary>], last: &[usize]) -> Option<Route> {
        let summary = summaries[start].clone()?;
        let mut hops = Vec::new();
        let mut at = start;
        while hops.len() < SHOWN_HOPS.min(summary.hops) {
            let Some(Link::Next { to, .. }) = &self.links[at] else {
                break;
            };
            hops.extend(self.hop(at));
            at = *to;
        }
        let elided = summary.hops - hops.len();
        if elided > 0 {
            hops.extend(self.hop(last[start]));
        }
        let elided = elided.saturating_sub(1);
        let mut end = last[start];
        if let Some(Link::Next { to, .. }) = &self.links[end] {
            end = *to;
        }
        let Some(Link::Terminal { ending, .. }) = &self.links[end] else {
            return None;
        };
        let direct = summary.hops == 0
            || (summary.hops == 1 && matches!(ending, Ending::Administrator { .. }));
        Some(Route {
            start: self.nodes[start].display(),
            hops,
            elided,
            ending: ending.clone(),
            direct,
            summary,
        })
    }

    fn verdicts(&self, exclusions: &[String]) -> Analysis {
        let order = |kind: PrincipalKind| match kind {
            PrincipalKind::User => 0,
            PrincipalKind::Role => 1,
            PrincipalKind::Group => 2,
        };
        let mut ids: Vec<usize> = (0..self.nodes.len())
            .filter(|&id| self.nodes[id].kind != PrincipalKind::Group)
            .collect();
        ids.sort_by_key(|&id| (order(self.nodes[id].kind), id));
        let (summaries, last) = self.summaries();
        let principals = ids
            .into_iter()
            .map(|id| {
                let node = &self.nodes[id];
                let administrator = || Outcome::Administrator {
                    route: node
                        .permissions
                        .admin_evidence()
                        .map(|evidence| evidence.route())
                        .unwrap_or_default(),
                };
                let found = if node.level == FULL_ADMIN {
                    administrator()
                } else {
                    match self.route(id, &summaries, &last) {
                        // Its own "admin except" grant, and no way to the rest.
                        Some(route)
                            if route.hops.is_empty()
                                && matches!(route.ending, Ending::Administrator { .. }) =>
                        {
                            administrator()
                        }
                        Some(route) => Outcome::Escalates(Box::new(route)),
                        None => Outcome::Clean,
                    }
                };
                let reaches_administrator = match &found {
                    Outcome::Administrator { .. } => true,
                    Outcome::Escalates(route) => !matches!(route.ending, Ending::Grant { .. }),
                    Outcome::Excluded(_) | Outcome::Clean => false,
                };
                let outcome = match exclusion(exclusions, node.arn, node.name) {
                    Some(pattern) => Outcome::Excluded(pattern.to_string()),
                    None => found,
                };
                PrincipalVerdict {
                    kind: node.kind,
                    name: node.name.to_string(),
                    arn: node.arn.to_string(),
                    outcome,
                    reaches_administrator,
                    unknowns: node.permissions.unknowns().to_vec(),
                }
            })
            .collect();
        Analysis::new(principals)
    }
}
