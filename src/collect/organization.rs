//! What an organization-wide scan asks AWS before it scans any account: who the caller is
//! (STS GetCallerIdentity), the organization and its accounts (Organizations
//! DescribeOrganization, ListAccounts), credentials in each member (STS AssumeRole), and the
//! service control policies over each member (ListRoots, ListParents,
//! ListPoliciesForTarget, DescribePolicy).
//!
//! The organization calls need the management account or a delegated administrator. Each
//! answer the members share (an OU's parent, the SCPs attached to an OU, a policy's
//! content) is asked for once, however many accounts sit under it and in whatever order
//! their concurrent scans get there.

use super::api::{error_gap, invalid_gap};
use crate::inventory::{Gap, ScpLevel, ServiceControlPolicy};
use crate::policy::PolicyDocument;
use aws_sdk_organizations::types::{ParentType, PolicyType, PolicyTypeStatus};
use futures::FutureExt;
use futures::future::{BoxFuture, Shared};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

/// The identity the scan runs as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub account_id: String,
    pub arn: String,
    /// `aws`, `aws-cn`, `aws-us-gov`: the partition of every ARN the scan builds.
    pub partition: String,
}

pub async fn caller_identity(client: &aws_sdk_sts::Client) -> Result<Caller, Gap> {
    const OPERATION: &str = "GetCallerIdentity";
    let output = client
        .get_caller_identity()
        .send()
        .await
        .map_err(|error| error_gap(OPERATION, &error, None))?;
    let arn = output.arn().unwrap_or_default().to_string();
    let partition = arn.split(':').nth(1).unwrap_or_default().to_string();
    match output.account() {
        Some(account) if !partition.is_empty() => Ok(Caller {
            account_id: account.to_string(),
            arn,
            partition,
        }),
        _ => Err(invalid_gap(
            OPERATION,
            "InvalidResponse",
            format!("the answer names no account or no ARN with a partition ({arn:?})"),
            None,
        )),
    }
}

/// The organization, as DescribeOrganization names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organization {
    pub id: String,
    pub management_account_id: String,
}

pub async fn describe_organization(
    client: &aws_sdk_organizations::Client,
) -> Result<Organization, Gap> {
    const OPERATION: &str = "DescribeOrganization";
    let output = client
        .describe_organization()
        .send()
        .await
        .map_err(|error| error_gap(OPERATION, &error, None))?;
    let organization = output.organization();
    match (
        organization.and_then(|organization| organization.id()),
        organization.and_then(|organization| organization.master_account_id()),
    ) {
        (Some(id), Some(management)) => Ok(Organization {
            id: id.to_string(),
            management_account_id: management.to_string(),
        }),
        _ => Err(invalid_gap(
            OPERATION,
            "InvalidResponse",
            "the answer names no organization id or management account".to_string(),
            None,
        )),
    }
}

/// A member of the organization, as ListAccounts lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub id: String,
    pub name: Option<String>,
    /// `ACTIVE`, `SUSPENDED`, `PENDING_CLOSURE`, `CLOSED`, ... from the `State` field, or
    /// from the deprecated `Status` when an answer has no `State`.
    pub state: String,
}

impl Member {
    pub fn is_active(&self) -> bool {
        self.state == "ACTIVE"
    }
}

/// Every account of the organization, whatever its state.
pub async fn list_accounts(client: &aws_sdk_organizations::Client) -> Result<Vec<Member>, Gap> {
    const OPERATION: &str = "ListAccounts";
    let pages = client
        .list_accounts()
        .into_paginator()
        .send()
        .try_collect()
        .await
        .map_err(|error| error_gap(OPERATION, &error, None))?;
    Ok(pages
        .iter()
        .flat_map(|page| page.accounts())
        .filter_map(|account| {
            let state = match (account.state(), account.status()) {
                (Some(state), _) => state.as_str(),
                (None, Some(status)) => status.as_str(),
                (None, None) => "UNKNOWN",
            };
            Some(Member {
                id: account.id()?.to_string(),
                name: account.name().map(str::to_owned),
                state: state.to_string(),
            })
        })
        .collect())
}

/// AssumeRole into `role_arn` (with `external_id` when the role's trust asks for one). The
/// error is one line naming the role and why: AWS's code and message.
pub async fn assume_role(
    client: &aws_sdk_sts::Client,
    role_arn: &str,
    external_id: Option<&str>,
    session_name: &str,
) -> Result<aws_sdk_iam::config::Credentials, String> {
    let output = client
        .assume_role()
        .role_arn(role_arn)
        .role_session_name(session_name)
        .set_external_id(external_id.map(str::to_owned))
        .send()
        .await
        .map_err(|error| {
            let gap = error_gap("AssumeRole", &error, Some(role_arn.to_string()));
            format!(
                "cannot assume {role_arn}: {}: {}",
                gap.error_code, gap.message
            )
        })?;
    let credentials = output
        .credentials()
        .ok_or_else(|| format!("cannot assume {role_arn}: the answer holds no credentials"))?;
    let expiry = std::time::SystemTime::try_from(*credentials.expiration()).ok();
    Ok(aws_sdk_iam::config::Credentials::new(
        credentials.access_key_id(),
        credentials.secret_access_key(),
        Some(credentials.session_token().to_string()),
        expiry,
        "iamscan-assume-role",
    ))
}

type Pending<T> = Shared<BoxFuture<'static, Result<T, Gap>>>;

/// One call per key, shared by every caller that asks for it, even at the same time. A
/// failure is shared too: the SDK has already retried what was worth retrying.
struct Memo<T> {
    calls: Mutex<HashMap<String, Pending<T>>>,
}

impl<T: Clone + Send + Sync + 'static> Memo<T> {
    fn new() -> Self {
        Memo {
            calls: Mutex::new(HashMap::new()),
        }
    }

    async fn get(
        &self,
        key: &str,
        call: impl FnOnce() -> BoxFuture<'static, Result<T, Gap>>,
    ) -> Result<T, Gap> {
        let pending = {
            let mut calls = self.calls.lock().unwrap_or_else(PoisonError::into_inner);
            calls
                .entry(key.to_string())
                .or_insert_with(|| call().shared())
                .clone()
        };
        pending.await
    }
}

/// An attached SCP, as ListPoliciesForTarget names it.
#[derive(Debug, Clone)]
struct Attached {
    id: String,
    name: String,
    arn: String,
}

/// OUs nest at most five deep under the root: a longer chain is a loop in the answers.
const MAX_LEVELS: usize = 8;

/// The service control policies over the organization's members.
pub struct ServiceControlPolicies {
    client: aws_sdk_organizations::Client,
    /// Whether the SCP policy type is enabled at the root; when it is not, no SCP applies.
    enabled: bool,
    parents: Memo<(String, bool)>,
    attached: Memo<Vec<Attached>>,
    contents: Memo<PolicyDocument>,
}

impl ServiceControlPolicies {
    /// Reads the root (ListRoots): whether SCPs are on in this organization.
    pub async fn load(client: &aws_sdk_organizations::Client) -> Result<Arc<Self>, Gap> {
        const OPERATION: &str = "ListRoots";
        let pages = client
            .list_roots()
            .into_paginator()
            .send()
            .try_collect()
            .await
            .map_err(|error| error_gap(OPERATION, &error, None))?;
        let enabled = pages.iter().flat_map(|page| page.roots()).any(|root| {
            root.policy_types().iter().any(|policy_type| {
                policy_type.r#type() == Some(&PolicyType::ServiceControlPolicy)
                    && policy_type.status() == Some(&PolicyTypeStatus::Enabled)
            })
        });
        Ok(Arc::new(ServiceControlPolicies {
            client: client.clone(),
            enabled,
            parents: Memo::new(),
            attached: Memo::new(),
            contents: Memo::new(),
        }))
    }

    /// The SCPs over `account_id`, root first, each with its content. `Err` when the chain
    /// itself cannot be read; a policy whose content cannot be read is kept without its
    /// document, and its gap is in the second value.
    pub async fn for_account(&self, account_id: &str) -> Result<(Vec<ScpLevel>, Vec<Gap>), Gap> {
        if !self.enabled {
            return Ok((Vec::new(), Vec::new()));
        }
        let mut chain = vec![account_id.to_string()];
        loop {
            let child = chain.last().cloned().unwrap_or_default();
            let (parent, is_root) = self.parent(&child).await?;
            chain.push(parent);
            if is_root {
                break;
            }
            if chain.len() > MAX_LEVELS {
                return Err(invalid_gap(
                    "ListParents",
                    "InvalidResponse",
                    format!(
                        "no root within {MAX_LEVELS} levels above {account_id}: {}",
                        chain.join(" -> ")
                    ),
                    Some(account_id.to_string()),
                ));
            }
        }
        chain.reverse();
        let mut levels = Vec::with_capacity(chain.len());
        let mut gaps = Vec::new();
        for target in chain {
            let mut policies = Vec::new();
            for attached in self.attached_to(&target).await? {
                let document = match self.content(&attached.id).await {
                    Ok(document) => Some(document),
                    Err(gap) => {
                        gaps.push(gap);
                        None
                    }
                };
                policies.push(ServiceControlPolicy {
                    id: attached.id,
                    name: attached.name,
                    arn: attached.arn,
                    document,
                });
            }
            levels.push(ScpLevel { target, policies });
        }
        Ok((levels, gaps))
    }

    /// The parent of an account or OU, and whether it is the root.
    async fn parent(&self, child: &str) -> Result<(String, bool), Gap> {
        const OPERATION: &str = "ListParents";
        let client = self.client.clone();
        let child_id = child.to_string();
        self.parents
            .get(child, move || {
                async move {
                    let pages = client
                        .list_parents()
                        .child_id(&child_id)
                        .into_paginator()
                        .send()
                        .try_collect()
                        .await
                        .map_err(|error| error_gap(OPERATION, &error, Some(child_id.clone())))?;
                    // An account or OU has exactly one parent.
                    match pages.iter().flat_map(|page| page.parents()).next() {
                        Some(parent) if parent.id().is_some() => Ok((
                            parent.id().unwrap_or_default().to_string(),
                            parent.r#type() == Some(&ParentType::Root),
                        )),
                        _ => Err(invalid_gap(
                            OPERATION,
                            "InvalidResponse",
                            format!("{child_id} has no parent"),
                            Some(child_id),
                        )),
                    }
                }
                .boxed()
            })
            .await
    }

    /// The SCPs attached directly to a root, OU or account.
    async fn attached_to(&self, target: &str) -> Result<Vec<Attached>, Gap> {
        const OPERATION: &str = "ListPoliciesForTarget";
        let client = self.client.clone();
        let target_id = target.to_string();
        self.attached
            .get(target, move || {
                async move {
                    let pages = client
                        .list_policies_for_target()
                        .target_id(&target_id)
                        .filter(PolicyType::ServiceControlPolicy)
                        .into_paginator()
                        .send()
                        .try_collect()
                        .await
                        .map_err(|error| error_gap(OPERATION, &error, Some(target_id.clone())))?;
                    Ok(pages
                        .iter()
                        .flat_map(|page| page.policies())
                        .filter_map(|policy| {
                            Some(Attached {
                                id: policy.id()?.to_string(),
                                name: policy.name().unwrap_or_default().to_string(),
                                arn: policy.arn().unwrap_or_default().to_string(),
                            })
                        })
                        .collect())
                }
                .boxed()
            })
            .await
    }

    /// A policy's content (DescribePolicy), parsed.
    async fn content(&self, policy_id: &str) -> Result<PolicyDocument, Gap> {
        const OPERATION: &str = "DescribePolicy";
        let client = self.client.clone();
        let id = policy_id.to_string();
        self.contents
            .get(policy_id, move || {
                async move {
                    let output = client
                        .describe_policy()
                        .policy_id(&id)
                        .send()
                        .await
                        .map_err(|error| error_gap(OPERATION, &error, Some(id.clone())))?;
                    let content = output
                        .policy()
                        .and_then(|policy| policy.content())
                        .ok_or_else(|| {
                            invalid_gap(
                                OPERATION,
                                "InvalidResponse",
                                format!("service control policy {id} has no content"),
                                Some(id.clone()),
                            )
                        })?;
                    PolicyDocument::decode(content).map_err(|error| {
                        invalid_gap(
                            OPERATION,
                            "InvalidPolicyDocument",
                            format!("service control policy {id} could not be parsed: {error}"),
                            Some(id.clone()),
                        )
                    })
                }
                .boxed()
            })
            .await
    }
}
