//! CloudTrail: the trails visible from the scan's region (DescribeTrails includes every
//! multi-region and organization trail), then each trail's status and event selectors.

use super::Collected;
use super::api::{error_gap, to_utc};
use super::progress::{Phase, count};
use crate::inventory::{
    AdvancedSelector, BasicSelector, EventSelectors, FieldSelector, Gap, Trail, TrailStatus,
};
use aws_sdk_cloudtrail::types::{AdvancedEventSelector, EventSelector};
use futures::StreamExt;

const DESCRIBE: &str = "DescribeTrails";
const STATUS: &str = "GetTrailStatus";
const SELECTORS: &str = "GetEventSelectors";

pub(crate) async fn collect(
    client: &aws_sdk_cloudtrail::Client,
    concurrency: usize,
    phase: Phase,
) -> Collected<Option<Vec<Trail>>> {
    let listed = match client
        .describe_trails()
        .include_shadow_trails(true)
        .send()
        .await
    {
        Ok(output) => output.trail_list().to_vec(),
        Err(error) => {
            let gap = error_gap(DESCRIBE, &error, None);
            phase.failed(&gap);
            return Collected::unseen(gap);
        }
    };
    let mut gaps = Vec::new();
    let mut trails: Vec<Trail> = futures::stream::iter(listed)
        .map(|listed| async move {
            let mut trail = Trail {
                name: listed.name().unwrap_or_default().to_string(),
                arn: listed.trail_arn().unwrap_or_default().to_string(),
                home_region: listed.home_region().map(str::to_owned),
                is_multi_region: listed.is_multi_region_trail().unwrap_or(false),
                is_organization: listed.is_organization_trail().unwrap_or(false),
                include_global_service_events: listed
                    .include_global_service_events()
                    .unwrap_or(false),
                log_file_validation: listed.log_file_validation_enabled().unwrap_or(false),
                kms_key_id: listed.kms_key_id().map(str::to_owned),
                s3_bucket: listed.s3_bucket_name().map(str::to_owned),
                cloudwatch_logs_log_group_arn: listed
                    .cloud_watch_logs_log_group_arn()
                    .map(str::to_owned),
                status: None,
                selectors: None,
            };
            let (status, selectors) =
                tokio::join!(status(client, &trail.arn), selectors(client, &trail.arn));
            let mut gaps = Vec::new();
            match status {
                Ok(status) => trail.status = Some(status),
                Err(gap) => gaps.push(gap),
            }
            match selectors {
                Ok(selectors) => trail.selectors = Some(selectors),
                Err(gap) => gaps.push(gap),
            }
            (trail, gaps)
        })
        .buffer_unordered(concurrency.max(1))
        .map(|(trail, trail_gaps)| {
            gaps.extend(trail_gaps);
            trail
        })
        .collect()
        .await;
    trails.sort_by(|a, b| a.arn.cmp(&b.arn));
    gaps.sort_by(|a, b| (&a.resource, &a.operation).cmp(&(&b.resource, &b.operation)));
    phase.done(count(trails.len(), "trail", "trails"));
    Collected {
        value: Some(trails),
        gaps,
    }
}

async fn status(client: &aws_sdk_cloudtrail::Client, arn: &str) -> Result<TrailStatus, Gap> {
    let output = client
        .get_trail_status()
        .name(arn)
        .send()
        .await
        .map_err(|error| error_gap(STATUS, &error, Some(arn.to_string())))?;
    Ok(TrailStatus {
        is_logging: output.is_logging().unwrap_or(false),
        latest_delivery_error: output
            .latest_delivery_error()
            .filter(|error| !error.is_empty())
            .map(str::to_owned),
        latest_cloudwatch_logs_delivery_time: output
            .latest_cloud_watch_logs_delivery_time()
            .and_then(to_utc),
    })
}

async fn selectors(client: &aws_sdk_cloudtrail::Client, arn: &str) -> Result<EventSelectors, Gap> {
    let output = client
        .get_event_selectors()
        .trail_name(arn)
        .send()
        .await
        .map_err(|error| error_gap(SELECTORS, &error, Some(arn.to_string())))?;
    Ok(EventSelectors {
        basic: output.event_selectors().iter().map(basic).collect(),
        advanced: output
            .advanced_event_selectors()
            .iter()
            .map(advanced)
            .collect(),
    })
}

/// AWS's defaults for what a basic selector leaves out: all events, management included.
fn basic(selector: &EventSelector) -> BasicSelector {
    BasicSelector {
        read_write_type: selector
            .read_write_type()
            .map_or("All", |kind| kind.as_str())
            .to_string(),
        include_management_events: selector.include_management_events().unwrap_or(true),
        exclude_management_event_sources: selector.exclude_management_event_sources().to_vec(),
        data_resources: selector
            .data_resources()
            .iter()
            .map(|resource| {
                (
                    resource.r#type().unwrap_or_default().to_string(),
                    resource.values().to_vec(),
                )
            })
            .collect(),
    }
}

fn advanced(selector: &AdvancedEventSelector) -> AdvancedSelector {
    AdvancedSelector {
        name: selector.name().map(str::to_owned),
        field_selectors: selector
            .field_selectors()
            .iter()
            .map(|field| FieldSelector {
                field: field.field().to_string(),
                equals: field.equals().to_vec(),
                not_equals: field.not_equals().to_vec(),
                starts_with: field.starts_with().to_vec(),
                not_starts_with: field.not_starts_with().to_vec(),
            })
            .collect(),
    }
}
