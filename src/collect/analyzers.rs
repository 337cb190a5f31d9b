//! IAM Access Analyzer: the analyzers of each scanned region (ListAnalyzers is regional;
//! IAM is not, so this is the one collector that runs once per region).

use super::Collected;
use super::api::{error_gap, invalid_gap};
use super::progress::{Phase, count};
use crate::inventory::{AccessAnalyzer, Gap};
use std::collections::BTreeMap;

const LIST: &str = "ListAnalyzers";

/// The analyzers per region; a region whose listing failed maps to `None` and leaves a gap
/// naming it. No client (`--regions none`) gives an empty map.
pub(crate) async fn collect(
    clients: &[(String, aws_sdk_accessanalyzer::Client)],
    concurrency: usize,
    phase: Phase,
) -> Collected<Option<BTreeMap<String, Option<Vec<AccessAnalyzer>>>>> {
    use futures::StreamExt;
    if clients.is_empty() {
        // `--regions none`: read, and nothing asked; the check says so.
        phase.done("no region asked (--regions none)");
        return Collected::seen(BTreeMap::new());
    }
    let answers: Vec<(String, Result<Vec<AccessAnalyzer>, Gap>)> = futures::stream::iter(clients)
        .map(|(region, client)| async move { (region.clone(), list(client, region).await) })
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await;
    let mut regions = BTreeMap::new();
    let mut gaps = Vec::new();
    for (region, answer) in answers {
        match answer {
            Ok(analyzers) => {
                regions.insert(region, Some(analyzers));
            }
            Err(gap) => {
                gaps.push(gap);
                regions.insert(region, None);
            }
        }
    }
    gaps.sort_by(|a, b| a.resource.cmp(&b.resource));
    let failed = gaps.len();
    let read = count(regions.len() - failed, "region", "regions");
    if failed == 0 {
        phase.done(read);
    } else {
        phase.done(format!("{read}, {failed} failed"));
    }
    Collected {
        value: Some(regions),
        gaps,
    }
}

async fn list(
    client: &aws_sdk_accessanalyzer::Client,
    region: &str,
) -> Result<Vec<AccessAnalyzer>, Gap> {
    let mut analyzers = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = client
            .list_analyzers()
            .set_next_token(token.clone())
            .send()
            .await
            .map_err(|error| error_gap(LIST, &error, Some(region.to_string())))?;
        analyzers.extend(page.analyzers().iter().map(|analyzer| AccessAnalyzer {
            name: analyzer.name().to_string(),
            arn: analyzer.arn().to_string(),
            kind: analyzer.r#type().as_str().to_string(),
            status: analyzer.status().as_str().to_string(),
        }));
        match page.next_token().filter(|next| !next.is_empty()) {
            None => return Ok(analyzers),
            // A partial list would let the check pass on what it could not see.
            Some(next) if token.as_deref() == Some(next) => {
                return Err(invalid_gap(
                    LIST,
                    "PaginationError",
                    "a page repeats the previous nextToken".to_string(),
                    Some(region.to_string()),
                ));
            }
            Some(next) => token = Some(next.to_string()),
        }
    }
}
