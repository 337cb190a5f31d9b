//! CloudTrail's LookupEvents: the last 90 days of management events, one lookup attribute
//! per query, so one query per event source. IAM, STS and sign-in events are global and
//! recorded in us-east-1. Each event carries its full record as JSON text, which is read
//! with the same reader as delivered log files.

use super::api::error_gap;
use crate::aws::ClientFactory;
use crate::events::records::{ReadStats, Record, read_stream};
use crate::inventory::Gap;
use aws_sdk_cloudtrail::types::{LookupAttribute, LookupAttributeKey};
use chrono::{DateTime, Utc};
use std::path::Path;
use std::time::Duration;

const LOOKUP: &str = "LookupEvents";
/// Where global services record their events.
const GLOBAL_REGION: &str = "us-east-1";
/// CloudTrail allows about two LookupEvents requests a second per account and region.
const PAUSE: Duration = Duration::from_millis(500);
/// The event sources looked up.
pub const SOURCES: [&str; 2] = ["iam.amazonaws.com", "signin.amazonaws.com"];

/// Feeds every event since `since` to `on_record`. A failed query is a gap; the records
/// already read stay read.
pub async fn lookup_events(
    factory: &ClientFactory,
    since: DateTime<Utc>,
    mut on_record: impl FnMut(&Record<'_>),
) -> (ReadStats, Vec<Gap>) {
    let client = factory.cloudtrail(Some(GLOBAL_REGION));
    let mut stats = ReadStats::default();
    let mut gaps = Vec::new();
    let start = aws_sdk_cloudtrail::primitives::DateTime::from_secs(since.timestamp());
    for source in SOURCES {
        let mut token: Option<String> = None;
        let mut first = true;
        loop {
            if !first {
                tokio::time::sleep(PAUSE).await;
            }
            first = false;
            let attribute = LookupAttribute::builder()
                .attribute_key(LookupAttributeKey::EventSource)
                .attribute_value(source)
                .build()
                .expect("key and value are set");
            let page = match client
                .lookup_events()
                .lookup_attributes(attribute)
                .start_time(start)
                .max_results(50)
                .set_next_token(token.clone())
                .send()
                .await
            {
                Ok(page) => page,
                Err(error) => {
                    gaps.push(error_gap(LOOKUP, &error, Some(source.to_string())));
                    break;
                }
            };
            let records: Vec<&str> = page
                .events()
                .iter()
                .filter_map(|event| event.cloud_trail_event())
                .collect();
            let text = format!("{{\"Records\":[{}]}}", records.join(","));
            let read = read_stream(
                Path::new(&format!("LookupEvents {source}")),
                text.as_bytes(),
                &mut on_record,
            );
            stats.records_read += read.records_read;
            stats.records_skipped += read.records_skipped;
            for (account, count) in read.accounts {
                *stats.accounts.entry(account).or_default() += count;
            }
            stats.warnings.extend(read.warnings);
            match page.next_token().filter(|next| !next.is_empty()) {
                None => break,
                Some(next) if token.as_deref() == Some(next) => {
                    gaps.push(super::api::invalid_gap(
                        LOOKUP,
                        "PaginationError",
                        "a page repeats the previous NextToken".to_string(),
                        Some(source.to_string()),
                    ));
                    break;
                }
                Some(next) => token = Some(next.to_string()),
            }
        }
    }
    (stats, gaps)
}
