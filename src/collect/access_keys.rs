//! ListAccessKeys, for `--list-access-keys`: the key ids of users whose keys fail a check, so
//! that remediation can name the key. Not part of a collection: the credential report already
//! says everything the checks judge.

use super::api::{for_each_page, to_utc};
use crate::inventory::{AccessKey, Gap};
use futures::StreamExt;
use std::collections::BTreeMap;

const LIST_ACCESS_KEYS: &str = "ListAccessKeys";

/// The access keys of each of `users`, `concurrency` calls at a time. A user whose call
/// fails is absent from the map and named in a gap.
pub async fn list_access_keys(
    client: &aws_sdk_iam::Client,
    users: &[String],
    concurrency: usize,
) -> (BTreeMap<String, Vec<AccessKey>>, Vec<Gap>) {
    let mut keys = BTreeMap::new();
    let mut gaps = Vec::new();
    let mut answers = futures::stream::iter(users)
        .map(|user| async move { (user, user_keys(client, user).await) })
        .buffer_unordered(concurrency.max(1));
    while let Some((user, listed)) = answers.next().await {
        match listed {
            Ok(list) => {
                keys.insert(user.clone(), list);
            }
            Err(mut gap) => {
                gap.resource = Some(user.clone());
                gaps.push(gap);
            }
        }
    }
    gaps.sort_by(|a, b| a.resource.cmp(&b.resource));
    (keys, gaps)
}

async fn user_keys(client: &aws_sdk_iam::Client, user: &str) -> Result<Vec<AccessKey>, Gap> {
    let mut keys = Vec::new();
    for_each_page(
        LIST_ACCESS_KEYS,
        |marker| {
            client
                .list_access_keys()
                .user_name(user)
                .set_marker(marker)
                .send()
        },
        |page| {
            keys.extend(page.access_key_metadata().iter().filter_map(|key| {
                Some(AccessKey {
                    access_key_id: key.access_key_id()?.to_string(),
                    status: key
                        .status()
                        .map(|status| status.as_str().to_string())
                        .unwrap_or_default(),
                    create_date: key.create_date().and_then(to_utc),
                })
            }))
        },
    )
    .await?;
    tracing::debug!(user, keys = keys.len(), "ListAccessKeys");
    Ok(keys)
}
