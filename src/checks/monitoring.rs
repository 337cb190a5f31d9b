//! CIS section 5: would the account alert on the events each control names? A metric
//! filter on the log group of a trail that records IAM activity in every region, whose
//! pattern matches every one of the control's events, with an alarm on its metric whose
//! action is an SNS topic somebody is subscribed to.

use super::logging::records_everywhere;
use super::{Context, Emitter, Resource, require};
use crate::inventory::{MetricFilter, Monitoring, log_group_location};
use crate::monitoring::controls::{MonitoringControl, control, coverage};
use crate::monitoring::pattern::{FilterPattern, parse};

/// A filter, parsed, and whether its metric reaches a person (`None`: unknown).
struct Judged<'i> {
    filter: &'i MetricFilter,
    pattern: Option<FilterPattern>,
    alerts: Result<Option<String>, String>,
}

fn alerting(context: &Context, emit: &mut Emitter, id: &str) {
    let Some(control) = control(id) else {
        unreachable!("the registry names CIS {id}, which monitoring::controls defines");
    };
    let trails = require!(context, emit, context.trails());
    let monitoring = require!(context, emit, context.monitoring());
    let account = Resource::new(context.account_arn(), "AwsAccount");
    let mut unknowns = Vec::new();
    let mut reasons = Vec::new();
    let mut watched = 0;
    for trail in trails {
        let Some(group) = trail.cloudwatch_logs_log_group_arn.as_deref() else {
            continue;
        };
        match records_everywhere(context, trail) {
            Ok(None) => {}
            Ok(Some(shortfall)) => {
                reasons.push(format!(
                    "trail {} delivers to CloudWatch Logs but does not record IAM activity everywhere ({shortfall})",
                    trail.name
                ));
                continue;
            }
            Err(unknown) => {
                unknowns.push(unknown);
                continue;
            }
        }
        watched += 1;
        match judge_group(context, monitoring, control, group) {
            Verdict::Alerts(evidence) => {
                emit.pass(account, format!("trail {}: {evidence}", trail.name));
                return;
            }
            Verdict::Falls(reason) => reasons.push(format!("trail {}: {reason}", trail.name)),
            Verdict::Unknown(reason) => unknowns.push(format!("trail {}: {reason}", trail.name)),
        }
    }
    if watched == 0 && unknowns.is_empty() && reasons.is_empty() {
        reasons.push(
            "no trail delivers to CloudWatch Logs, so no metric filter can see the events"
                .to_string(),
        );
    }
    if !unknowns.is_empty() {
        emit.error(
            account,
            format!(
                "no alert on CIS {} is shown to exist, and {}{}",
                control.id,
                unknowns.join("; "),
                if reasons.is_empty() {
                    String::new()
                } else {
                    format!("; otherwise: {}", reasons.join("; "))
                }
            ),
        );
        return;
    }
    emit.fail(
        account,
        format!(
            "nothing alerts on {}: {}",
            control.title.to_lowercase(),
            reasons.join("; ")
        ),
        &[],
    );
}

enum Verdict {
    Alerts(String),
    Falls(String),
    Unknown(String),
}

fn judge_group(
    context: &Context,
    monitoring: &Monitoring,
    control: &MonitoringControl,
    group: &str,
) -> Verdict {
    let group_name = log_group_location(group).map_or(group, |(_, name)| name);
    let Some(Some(filters)) = monitoring.metric_filters.get(group) else {
        return Verdict::Unknown(gap_reason(context, "DescribeMetricFilters", group));
    };
    let region = log_group_location(group)
        .map(|(region, _)| region)
        .unwrap_or("");
    let judged: Vec<Judged> = filters
        .iter()
        .map(|filter| Judged {
            filter,
            pattern: parse(&filter.pattern).ok(),
            alerts: reaches_someone(context, monitoring, region, filter),
        })
        .collect();
    let patterns = |keep: &dyn Fn(&Judged) -> bool| -> Vec<&FilterPattern> {
        judged
            .iter()
            .filter(|judged| keep(judged))
            .filter_map(|judged| judged.pattern.as_ref())
            .collect()
    };
    let alerting = patterns(&|judged| matches!(judged.alerts, Ok(Some(_))));
    let with_alarm = coverage(control, &alerting);
    if with_alarm.is_complete() {
        let evidence: Vec<String> = judged
            .iter()
            .filter_map(|judged| match (&judged.alerts, &judged.pattern) {
                (Ok(Some(path)), Some(pattern))
                    if control
                        .events
                        .iter()
                        .any(|(_, event)| pattern.matches(event)) =>
                {
                    Some(format!("filter {} {path}", judged.filter.name))
                }
                _ => None,
            })
            .collect();
        return Verdict::Alerts(format!(
            "on log group {group_name}, {} covers {}",
            evidence.join(" and "),
            with_alarm.covered.join(", ")
        ));
    }
    let any_filter = coverage(control, &patterns(&|_| true));
    let unparsable: Vec<&str> = judged
        .iter()
        .filter(|judged| judged.pattern.is_none())
        .map(|judged| judged.filter.name.as_str())
        .collect();
    let unknown: Vec<String> = judged
        .iter()
        .filter_map(|judged| judged.alerts.as_ref().err().cloned())
        .collect();
    let mut reason = if any_filter.is_complete() {
        let silent: Vec<String> = judged
            .iter()
            .filter_map(|judged| match &judged.alerts {
                Ok(None) => Some(judged.filter.name.clone()),
                _ => None,
            })
            .collect();
        format!(
            "metric filters on log group {group_name} match every event, but no alarm on their metrics notifies anyone (filters without one: {})",
            silent.join(", ")
        )
    } else if any_filter.covered.is_empty() {
        format!(
            "no metric filter on log group {group_name} matches {}",
            any_filter.missing.join(", ")
        )
    } else {
        format!(
            "the metric filters on log group {group_name} miss {} (they match {})",
            any_filter.missing.join(", "),
            any_filter.covered.join(", ")
        )
    };
    if !unparsable.is_empty() {
        reason.push_str(&format!(
            "; filter patterns iamscan cannot read: {}",
            unparsable.join(", ")
        ));
    }
    if unknown.is_empty() {
        Verdict::Falls(reason)
    } else {
        Verdict::Unknown(format!("{reason}; {}", unknown.join("; ")))
    }
}

/// How a filter's metric reaches a person ("-> alarm A -> topic T (2 subscribers)"),
/// `Ok(None)` when it does not, `Err` when a call that would tell failed.
fn reaches_someone(
    context: &Context,
    monitoring: &Monitoring,
    region: &str,
    filter: &MetricFilter,
) -> Result<Option<String>, String> {
    let Some(Some(alarms)) = monitoring.alarms.get(region) else {
        return Err(gap_reason(context, "DescribeAlarms", region));
    };
    let mut unknown = None;
    for alarm in alarms.iter().filter(|alarm| {
        alarm.actions_enabled
            && filter.metrics.iter().any(|(namespace, name)| {
                alarm.namespace.as_deref() == Some(namespace.as_str())
                    && alarm.metric_name.as_deref() == Some(name.as_str())
            })
    }) {
        for topic in &alarm.alarm_actions {
            match monitoring.topic_subscribers.get(topic) {
                Some(Some(subscribers)) if *subscribers > 0 => {
                    return Ok(Some(format!(
                        "-> alarm {} -> topic {} ({subscribers} confirmed subscription{})",
                        alarm.name,
                        topic.rsplit(':').next().unwrap_or(topic),
                        if *subscribers == 1 { "" } else { "s" }
                    )));
                }
                Some(None) => {
                    unknown = Some(gap_reason(context, "ListSubscriptionsByTopic", topic))
                }
                _ => {}
            }
        }
    }
    unknown.map_or(Ok(None), Err)
}

fn gap_reason(context: &Context, operation: &str, resource: &str) -> String {
    context
        .inventory
        .gaps
        .iter()
        .find(|gap| gap.operation == operation && gap.resource.as_deref() == Some(resource))
        .map_or_else(
            || format!("{operation} was not answered for {resource}"),
            |gap| {
                format!(
                    "{operation} failed for {resource}: {} ({})",
                    gap.error_code, gap.message
                )
            },
        )
}

macro_rules! section_5 {
    ($($name:ident => $id:literal),* $(,)?) => {$(
        pub fn $name(context: &Context, emit: &mut Emitter) {
            alerting(context, emit, $id);
        }
    )*};
}

section_5!(
    unauthorized_api_calls => "5.1",
    console_without_mfa => "5.2",
    root_usage => "5.3",
    iam_policy_changes => "5.4",
    cloudtrail_changes => "5.5",
    console_auth_failures => "5.6",
    cmk_disabling => "5.7",
    s3_policy_changes => "5.8",
    config_changes => "5.9",
    security_group_changes => "5.10",
    nacl_changes => "5.11",
    gateway_changes => "5.12",
    route_table_changes => "5.13",
    vpc_changes => "5.14",
    organizations_changes => "5.15",
);

#[cfg(test)]
mod tests {
    use crate::checks::fixtures::*;
    use crate::finding::Status;
    use crate::inventory::{
        BasicSelector, EventSelectors, Gap, Inventory, MetricAlarm, MetricFilter, Monitoring,
        Trail, TrailStatus,
    };
    use crate::monitoring::controls::control;

    const GROUP: &str = "arn:aws:logs:eu-west-1:123456789012:log-group:cloudtrail:*";
    const TOPIC: &str = "arn:aws:sns:eu-west-1:123456789012:security-alerts";

    fn trail() -> Trail {
        Trail {
            name: "audit".into(),
            arn: format!("arn:aws:cloudtrail:eu-west-1:{ACCOUNT}:trail/audit"),
            home_region: Some("eu-west-1".into()),
            is_multi_region: true,
            is_organization: false,
            include_global_service_events: true,
            log_file_validation: true,
            kms_key_id: None,
            s3_bucket: None,
            cloudwatch_logs_log_group_arn: Some(GROUP.into()),
            status: Some(TrailStatus {
                is_logging: true,
                latest_delivery_error: None,
                latest_cloudwatch_logs_delivery_time: None,
            }),
            selectors: Some(EventSelectors {
                basic: vec![BasicSelector {
                    read_write_type: "All".into(),
                    include_management_events: true,
                    exclude_management_event_sources: vec![],
                    data_resources: vec![],
                }],
                advanced: vec![],
            }),
        }
    }

    /// The trail, a filter with `pattern` on its log group, an alarm on the filter's metric
    /// notifying the topic, and the topic with `subscribers` confirmed subscriptions.
    fn watched(pattern: &str, subscribers: u32) -> Inventory {
        let mut inventory = inventory_with_report(vec![]);
        inventory.trails = Some(vec![trail()]);
        let mut monitoring = Monitoring::default();
        monitoring.metric_filters.insert(
            GROUP.into(),
            Some(vec![MetricFilter {
                name: "iam-policy-changes".into(),
                pattern: pattern.into(),
                metrics: vec![("CISBenchmark".into(), "IamPolicyChanges".into())],
            }]),
        );
        monitoring.alarms.insert(
            "eu-west-1".into(),
            Some(vec![MetricAlarm {
                name: "iam-policy-changes".into(),
                namespace: Some("CISBenchmark".into()),
                metric_name: Some("IamPolicyChanges".into()),
                actions_enabled: true,
                alarm_actions: vec![TOPIC.into()],
            }]),
        );
        monitoring
            .topic_subscribers
            .insert(TOPIC.into(), Some(subscribers));
        inventory.monitoring = Some(monitoring);
        inventory
    }

    fn verdict(inventory: &Inventory) -> (Status, String) {
        let findings = run("alarm-iam-policy-changes", inventory);
        assert_eq!(findings.len(), 1, "{findings:#?}");
        (findings[0].status, findings[0].message.to_string())
    }

    fn recommended() -> &'static str {
        control("5.4").unwrap().recommended_pattern
    }

    #[test]
    fn the_recommended_filter_with_an_alarm_someone_receives_passes_with_its_path() {
        let (status, message) = verdict(&watched(recommended(), 2));
        assert_eq!(status, Status::Pass, "{message}");
        assert!(
            message.contains(
                "filter iam-policy-changes -> alarm iam-policy-changes -> topic security-alerts (2 confirmed subscriptions)"
            ),
            "{message}"
        );
    }

    #[test]
    fn a_pattern_missing_one_event_fails_and_names_it() {
        let without = recommended().replace("||($.eventName=DeletePolicyVersion)", "");
        assert_ne!(without, recommended(), "the pattern had the event");
        let (status, message) = verdict(&watched(&without, 1));
        assert_eq!(status, Status::Fail);
        assert!(message.contains("miss DeletePolicyVersion"), "{message}");
    }

    #[test]
    fn a_filter_whose_alarm_reaches_nobody_fails() {
        let (status, message) = verdict(&watched(recommended(), 0));
        assert_eq!(status, Status::Fail);
        assert!(
            message.contains("no alarm on their metrics notifies anyone"),
            "{message}"
        );
    }

    #[test]
    fn unread_alarms_are_an_error_and_a_missing_trail_delivery_fails() {
        let mut unread = watched(recommended(), 1);
        let monitoring = unread.monitoring.as_mut().unwrap();
        monitoring.alarms.insert("eu-west-1".into(), None);
        unread.gaps.push(Gap {
            operation: "DescribeAlarms".into(),
            error_code: "AccessDenied".into(),
            message: "no cloudwatch:DescribeAlarms".into(),
            resource: Some("eu-west-1".into()),
        });
        let (status, message) = verdict(&unread);
        assert_eq!(status, Status::Error);
        assert!(
            message.contains("DescribeAlarms failed for eu-west-1: AccessDenied"),
            "{message}"
        );

        let mut undelivered = watched(recommended(), 1);
        undelivered.trails.as_mut().unwrap()[0].cloudwatch_logs_log_group_arn = None;
        let (status, message) = verdict(&undelivered);
        assert_eq!(status, Status::Fail);
        assert!(
            message.contains("no trail delivers to CloudWatch Logs"),
            "{message}"
        );

        let mut regional = watched(recommended(), 1);
        regional.trails.as_mut().unwrap()[0].is_multi_region = false;
        let (status, message) = verdict(&regional);
        assert_eq!(
            status,
            Status::Fail,
            "a filter on a one-region trail misses the others"
        );
        assert!(message.contains("single-region"), "{message}");

        let mut uncollected = watched(recommended(), 1);
        uncollected.monitoring = None;
        assert_eq!(verdict(&uncollected).0, Status::Error);
    }

    #[test]
    fn each_control_is_judged_on_its_own_events() {
        // A 5.4 filter does not cover root usage (5.3).
        let findings = run("alarm-root-usage", &watched(recommended(), 1));
        assert_eq!(findings[0].status, Status::Fail);
        assert!(
            findings[0].message.contains("root"),
            "{}",
            findings[0].message
        );
    }
}
