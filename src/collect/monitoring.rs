//! What watches the trails' log groups (CIS section 5): the metric filters on each trail's
//! CloudWatch Logs log group, the alarms on the metrics those filters publish, and whether
//! the alarms' SNS topics reach anyone. Regions come from the log group ARNs.

use super::Collected;
use super::api::error_gap;
use super::progress::{Phase, count};
use crate::aws::ClientFactory;
use crate::inventory::{Gap, MetricAlarm, MetricFilter, Monitoring, Trail, log_group_location};
use futures::StreamExt;
use std::collections::BTreeSet;

const FILTERS: &str = "DescribeMetricFilters";
const ALARMS: &str = "DescribeAlarms";
const SUBSCRIPTIONS: &str = "ListSubscriptionsByTopic";

/// `None` when the trails are unknown: without them nothing says which log groups matter.
pub(crate) async fn collect(
    factory: &ClientFactory,
    trails: Option<&[Trail]>,
    concurrency: usize,
    phase: Phase,
) -> Collected<Option<Monitoring>> {
    let Some(trails) = trails else {
        phase.done("no trail list");
        return Collected {
            value: None,
            gaps: Vec::new(),
        };
    };
    let concurrency = concurrency.max(1);
    let mut gaps = Vec::new();
    let mut monitoring = Monitoring::default();

    let groups: BTreeSet<&str> = trails
        .iter()
        .filter_map(|trail| trail.cloudwatch_logs_log_group_arn.as_deref())
        .collect();
    let filters: Vec<(String, Result<Vec<MetricFilter>, Gap>)> = futures::stream::iter(groups)
        .map(|arn| async move { (arn.to_string(), metric_filters(factory, arn).await) })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    for (arn, answer) in filters {
        monitoring
            .metric_filters
            .insert(arn, keep(answer, &mut gaps));
    }

    // Alarms only where a log group is, and only those on a metric some filter publishes.
    let published: BTreeSet<(String, String)> = monitoring
        .metric_filters
        .values()
        .flatten()
        .flatten()
        .flat_map(|filter| filter.metrics.iter().cloned())
        .collect();
    let regions: BTreeSet<&str> = monitoring
        .metric_filters
        .keys()
        .filter_map(|arn| log_group_location(arn).map(|(region, _)| region))
        .collect();
    let published = &published;
    let alarms: Vec<(String, Result<Vec<MetricAlarm>, Gap>)> = futures::stream::iter(regions)
        .map(|region| async move { (region.to_string(), alarms(factory, region, published).await) })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    for (region, answer) in alarms {
        monitoring.alarms.insert(region, keep(answer, &mut gaps));
    }

    let topics: BTreeSet<String> = monitoring
        .alarms
        .values()
        .flatten()
        .flatten()
        .filter(|alarm| alarm.actions_enabled)
        .flat_map(|alarm| alarm.alarm_actions.iter())
        .filter(|action| action.starts_with("arn:") && action.split(':').nth(2) == Some("sns"))
        .cloned()
        .collect();
    let subscribers: Vec<(String, Result<u32, Gap>)> = futures::stream::iter(topics)
        .map(|topic| async move {
            let answer = confirmed_subscriptions(factory, &topic).await;
            (topic, answer)
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    for (topic, answer) in subscribers {
        monitoring
            .topic_subscribers
            .insert(topic, keep(answer, &mut gaps));
    }

    gaps.sort_by(|a, b| (&a.operation, &a.resource).cmp(&(&b.operation, &b.resource)));
    phase.done(format!(
        "{}, {}",
        count(monitoring.metric_filters.len(), "log group", "log groups"),
        count(
            monitoring.alarms.values().flatten().map(Vec::len).sum(),
            "alarm",
            "alarms"
        )
    ));
    Collected {
        value: Some(monitoring),
        gaps,
    }
}

fn keep<T>(answer: Result<T, Gap>, gaps: &mut Vec<Gap>) -> Option<T> {
    answer.map_err(|gap| gaps.push(gap)).ok()
}

async fn metric_filters(factory: &ClientFactory, arn: &str) -> Result<Vec<MetricFilter>, Gap> {
    let invalid = || Gap {
        operation: FILTERS.to_string(),
        error_code: "InvalidLogGroupArn".to_string(),
        message: format!("the trail's CloudWatchLogsLogGroupArn {arn} is not a log group ARN"),
        resource: Some(arn.to_string()),
    };
    let (region, name) = log_group_location(arn).ok_or_else(invalid)?;
    let client = factory.logs(Some(region));
    let pages = client
        .describe_metric_filters()
        .log_group_name(name)
        .into_paginator()
        .send()
        .collect::<Vec<_>>()
        .await;
    let mut filters = Vec::new();
    for page in pages {
        let page = page.map_err(|error| error_gap(FILTERS, &error, Some(arn.to_string())))?;
        filters.extend(page.metric_filters().iter().map(|filter| {
            MetricFilter {
                name: filter.filter_name().unwrap_or_default().to_string(),
                pattern: filter.filter_pattern().unwrap_or_default().to_string(),
                metrics: filter
                    .metric_transformations()
                    .iter()
                    .map(|metric| {
                        (
                            metric.metric_namespace().to_string(),
                            metric.metric_name().to_string(),
                        )
                    })
                    .collect(),
            }
        }));
    }
    Ok(filters)
}

async fn alarms(
    factory: &ClientFactory,
    region: &str,
    published: &BTreeSet<(String, String)>,
) -> Result<Vec<MetricAlarm>, Gap> {
    let client = factory.cloudwatch(Some(region));
    let pages = client
        .describe_alarms()
        .into_paginator()
        .send()
        .collect::<Vec<_>>()
        .await;
    let mut alarms = Vec::new();
    for page in pages {
        let page = page.map_err(|error| error_gap(ALARMS, &error, Some(region.to_string())))?;
        alarms.extend(
            page.metric_alarms()
                .iter()
                .filter(|alarm| match (alarm.namespace(), alarm.metric_name()) {
                    (Some(namespace), Some(name)) => {
                        published.contains(&(namespace.to_string(), name.to_string()))
                    }
                    _ => false,
                })
                .map(|alarm| MetricAlarm {
                    name: alarm.alarm_name().unwrap_or_default().to_string(),
                    namespace: alarm.namespace().map(str::to_owned),
                    metric_name: alarm.metric_name().map(str::to_owned),
                    actions_enabled: alarm.actions_enabled().unwrap_or(true),
                    alarm_actions: alarm.alarm_actions().to_vec(),
                }),
        );
    }
    Ok(alarms)
}

/// Subscriptions that can deliver: a pending or deleted one notifies nobody.
async fn confirmed_subscriptions(factory: &ClientFactory, topic: &str) -> Result<u32, Gap> {
    let region = topic.split(':').nth(3).filter(|region| !region.is_empty());
    let client = factory.sns(region);
    let pages = client
        .list_subscriptions_by_topic()
        .topic_arn(topic)
        .into_paginator()
        .send()
        .collect::<Vec<_>>()
        .await;
    let mut confirmed = 0;
    for page in pages {
        let page =
            page.map_err(|error| error_gap(SUBSCRIPTIONS, &error, Some(topic.to_string())))?;
        confirmed += page
            .subscriptions()
            .iter()
            .filter(|subscription| {
                subscription.subscription_arn().is_some_and(|arn| {
                    arn.starts_with("arn:") && arn != "PendingConfirmation" && arn != "Deleted"
                })
            })
            .count() as u32;
    }
    Ok(confirmed)
}
