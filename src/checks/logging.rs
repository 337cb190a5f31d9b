//! CloudTrail coverage: is IAM activity recorded, kept tamper-evident, encrypted, and
//! delivered where it can be alerted on.

use super::{Context, Emitter, Resource, require};
use crate::inventory::Trail;

fn trail_resource(trail: &Trail) -> Resource {
    Resource::new(&trail.arn, "AwsCloudTrailTrail")
}

/// "in the organization's management account" for a member's view of an organization trail.
fn owner_note(trail: &Trail) -> &'static str {
    if trail.is_organization {
        " (an organization trail: change it from the management account)"
    } else {
        ""
    }
}

/// Why `trail` does not record the account's IAM activity in every region, or `None` when
/// it does; `Err` when a call that would tell failed.
pub(super) fn records_everywhere(
    context: &Context,
    trail: &Trail,
) -> Result<Option<String>, String> {
    let mut missing = Vec::new();
    if !trail.is_multi_region {
        missing.push("single-region".to_string());
    }
    if !trail.include_global_service_events {
        missing.push("excludes global service events (IAM, STS, sign-in)".to_string());
    }
    let unread = |operation: &str| {
        context
            .inventory
            .gaps
            .iter()
            .find(|gap| gap.operation == operation && gap.resource.as_deref() == Some(&trail.arn))
            .map_or_else(
                || format!("{operation} was not answered for trail {}", trail.name),
                |gap| {
                    format!(
                        "{operation} failed for trail {}: {} ({})",
                        trail.name, gap.error_code, gap.message
                    )
                },
            )
    };
    let mut unknown = Vec::new();
    match &trail.status {
        Some(status) if !status.is_logging => missing.push("not logging".to_string()),
        Some(_) => {}
        None => unknown.push(unread("GetTrailStatus")),
    }
    match &trail.selectors {
        Some(selectors) => {
            let coverage = selectors.iam_management();
            match (coverage.read, coverage.write) {
                (true, true) => {}
                (false, true) => {
                    missing.push("records write but not read management events".to_string())
                }
                (true, false) => {
                    missing.push("records read but not write management events".to_string())
                }
                (false, false) => missing.push("records no IAM management events".to_string()),
            }
        }
        None => unknown.push(unread("GetEventSelectors")),
    }
    if !missing.is_empty() {
        return Ok(Some(missing.join(", ")));
    }
    if !unknown.is_empty() {
        return Err(unknown.join("; "));
    }
    Ok(None)
}

pub fn cloudtrail_enabled(context: &Context, emit: &mut Emitter) {
    let trails = require!(context, emit, context.trails());
    let account = Resource::new(context.account_arn(), "AwsAccount");
    if trails.is_empty() {
        emit.fail(
            account,
            "no CloudTrail trail: nothing records who changed IAM, and AWS keeps only 90 days of management events in Event history",
            &[],
        );
        return;
    }
    let mut reasons = Vec::new();
    let mut unknowns = Vec::new();
    for trail in trails {
        match records_everywhere(context, trail) {
            Ok(None) => {
                emit.pass(
                    account,
                    format!(
                        "trail {} records read and write management events in every region, global service events included{}",
                        trail.name,
                        if trail.is_organization { " (an organization trail)" } else { "" }
                    ),
                );
                return;
            }
            Ok(Some(reason)) => reasons.push(format!("{}: {reason}", trail.name)),
            Err(unknown) => unknowns.push(unknown),
        }
    }
    if !unknowns.is_empty() {
        emit.error(
            account,
            format!(
                "no trail is shown to record IAM activity in every region, and {}; the others: {}",
                unknowns.join("; "),
                if reasons.is_empty() {
                    "none".to_string()
                } else {
                    reasons.join("; ")
                }
            ),
        );
        return;
    }
    emit.fail(
        account,
        format!(
            "no trail records IAM activity in every region: {}",
            reasons.join("; ")
        ),
        &[],
    );
}

/// One finding per trail: `judge` says whether it passes and why.
fn per_trail(context: &Context, emit: &mut Emitter, judge: impl Fn(&Trail) -> (bool, String)) {
    let trails = require!(context, emit, context.trails());
    if trails.is_empty() {
        emit.skipped(
            Resource::new(context.account_arn(), "AwsAccount"),
            "the account has no CloudTrail trail (cloudtrail-enabled fails)",
        );
        return;
    }
    for trail in trails {
        let (passes, message) = judge(trail);
        if passes {
            emit.pass(trail_resource(trail), message);
        } else {
            emit.fail(
                trail_resource(trail),
                format!("{message}{}", owner_note(trail)),
                &[("trail_name", trail.name.clone())],
            );
        }
    }
}

pub fn log_file_validation(context: &Context, emit: &mut Emitter) {
    per_trail(context, emit, |trail| {
        if trail.log_file_validation {
            (
                true,
                format!(
                    "trail {} writes digest files for log file validation",
                    trail.name
                ),
            )
        } else {
            (
                false,
                format!(
                    "trail {} has log file validation off: deleted or edited log files cannot be detected",
                    trail.name
                ),
            )
        }
    });
}

pub fn kms_encryption(context: &Context, emit: &mut Emitter) {
    per_trail(context, emit, |trail| match &trail.kms_key_id {
        Some(key) => (
            true,
            format!("trail {} encrypts its logs with {key}", trail.name),
        ),
        None => (
            false,
            format!(
                "trail {} stores its logs with S3-managed encryption only: anyone who can read the bucket reads the logs",
                trail.name
            ),
        ),
    });
}

pub fn cloudwatch_logs(context: &Context, emit: &mut Emitter) {
    per_trail(context, emit, |trail| {
        match &trail.cloudwatch_logs_log_group_arn {
            Some(group) => {
                let delivered = trail
                    .status
                    .as_ref()
                    .and_then(|status| status.latest_cloudwatch_logs_delivery_time)
                    .map(|time| format!(", last delivery {}", time.format("%Y-%m-%d %H:%M UTC")))
                    .unwrap_or_default();
                (
                    true,
                    format!("trail {} delivers to {group}{delivered}", trail.name),
                )
            }
            None => (
                false,
                format!(
                    "trail {} does not deliver to CloudWatch Logs: no metric filter or alarm can watch it",
                    trail.name
                ),
            ),
        }
    });
}

/// CIS 4.8 and 4.9: a logging multi-region trail records S3 object-level events of the
/// given direction for every bucket.
fn s3_object_logging(context: &Context, emit: &mut Emitter, write: bool) {
    let trails = require!(context, emit, context.trails());
    let account = Resource::new(context.account_arn(), "AwsAccount");
    let direction = if write { "write" } else { "read" };
    let mut reasons = Vec::new();
    let mut unknowns = Vec::new();
    for trail in trails {
        if !trail.is_multi_region {
            reasons.push(format!("{}: single-region", trail.name));
            continue;
        }
        match &trail.status {
            Some(status) if !status.is_logging => {
                reasons.push(format!("{}: not logging", trail.name));
                continue;
            }
            Some(_) => {}
            None => {
                unknowns.push(format!(
                    "the status of trail {} could not be read",
                    trail.name
                ));
                continue;
            }
        }
        let Some(selectors) = &trail.selectors else {
            unknowns.push(format!(
                "the event selectors of trail {} could not be read",
                trail.name
            ));
            continue;
        };
        let coverage = selectors.s3_objects();
        if (write && coverage.write) || (!write && coverage.read) {
            emit.pass(
                account,
                format!(
                    "trail {} records S3 object-level {direction} events for all buckets",
                    trail.name
                ),
            );
            return;
        }
        reasons.push(format!(
            "{}: no S3 object-level {direction} events for all buckets",
            trail.name
        ));
    }
    if !unknowns.is_empty() {
        emit.error(
            account,
            format!(
                "no trail is shown to record S3 object-level {direction} events, and {}",
                unknowns.join("; ")
            ),
        );
        return;
    }
    if reasons.is_empty() {
        reasons.push("the account has no CloudTrail trail".to_string());
    }
    emit.fail(
        account,
        format!(
            "nothing records who {} S3 objects: {}",
            if write { "writes or deletes" } else { "reads" },
            reasons.join("; ")
        ),
        &[],
    );
}

pub fn s3_object_write_logging(context: &Context, emit: &mut Emitter) {
    s3_object_logging(context, emit, true);
}

pub fn s3_object_read_logging(context: &Context, emit: &mut Emitter) {
    s3_object_logging(context, emit, false);
}

#[cfg(test)]
mod tests {
    use crate::checks::fixtures::*;
    use crate::finding::Status;
    use crate::inventory::{
        AdvancedSelector, BasicSelector, EventSelectors, FieldSelector, Gap, Inventory, Trail,
        TrailStatus,
    };

    fn trail(name: &str) -> Trail {
        Trail {
            name: name.into(),
            arn: format!("arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/{name}"),
            home_region: Some("us-east-1".into()),
            is_multi_region: true,
            is_organization: false,
            include_global_service_events: true,
            log_file_validation: true,
            kms_key_id: None,
            s3_bucket: Some("trail-bucket".into()),
            cloudwatch_logs_log_group_arn: None,
            status: Some(TrailStatus {
                is_logging: true,
                latest_delivery_error: None,
                latest_cloudwatch_logs_delivery_time: None,
            }),
            selectors: Some(basic("All")),
        }
    }

    fn basic(read_write_type: &str) -> EventSelectors {
        EventSelectors {
            basic: vec![BasicSelector {
                read_write_type: read_write_type.into(),
                include_management_events: true,
                exclude_management_event_sources: vec![],
                data_resources: vec![],
            }],
            advanced: vec![],
        }
    }

    fn field(name: &str, equals: &[&str]) -> FieldSelector {
        FieldSelector {
            field: name.into(),
            equals: equals.iter().map(|value| value.to_string()).collect(),
            ..FieldSelector::default()
        }
    }

    fn advanced(fields: Vec<FieldSelector>) -> EventSelectors {
        EventSelectors {
            basic: vec![],
            advanced: vec![AdvancedSelector {
                name: None,
                field_selectors: fields,
            }],
        }
    }

    fn with_trails(trails: Option<Vec<Trail>>) -> Inventory {
        let mut inventory = inventory_with_report(vec![]);
        inventory.trails = trails;
        inventory
    }

    fn verdict(trails: Vec<Trail>) -> (Status, String) {
        let findings = run("cloudtrail-enabled", &with_trails(Some(trails)));
        assert_eq!(findings.len(), 1);
        (findings[0].status, findings[0].message.to_string())
    }

    #[test]
    fn one_complete_multi_region_trail_is_enough() {
        let mut regional = trail("regional");
        regional.is_multi_region = false;
        let (status, message) = verdict(vec![regional, trail("audit")]);
        assert_eq!(status, Status::Pass);
        assert!(
            message.starts_with("trail audit records read and write"),
            "{message}"
        );
    }

    #[test]
    fn each_way_a_trail_falls_short_is_named() {
        let mut regional = trail("regional");
        regional.is_multi_region = false;
        let mut no_global = trail("no-global");
        no_global.include_global_service_events = false;
        let mut stopped = trail("stopped");
        stopped.status.as_mut().unwrap().is_logging = false;
        let mut write_only = trail("write-only");
        write_only.selectors = Some(basic("WriteOnly"));
        let mut iam_excluded = trail("iam-excluded");
        iam_excluded.selectors.as_mut().unwrap().basic[0]
            .exclude_management_event_sources
            .push("iam.amazonaws.com".into());
        let (status, message) =
            verdict(vec![regional, no_global, stopped, write_only, iam_excluded]);
        assert_eq!(status, Status::Fail);
        assert_eq!(
            message,
            "no trail records IAM activity in every region: regional: single-region; \
             no-global: excludes global service events (IAM, STS, sign-in); stopped: not logging; \
             write-only: records write but not read management events; \
             iam-excluded: records no IAM management events"
        );
    }

    #[test]
    fn advanced_selectors_count_only_for_what_they_can_be_shown_to_record() {
        let management = || field("eventCategory", &["Management"]);
        let mut all = trail("advanced-all");
        all.selectors = Some(advanced(vec![management()]));
        assert_eq!(verdict(vec![all]).0, Status::Pass);

        let mut read_only = trail("advanced-read");
        read_only.selectors = Some(advanced(vec![management(), field("readOnly", &["true"])]));
        assert!(verdict(vec![read_only]).1.contains("read but not write"));

        let mut s3_only = trail("advanced-s3");
        s3_only.selectors = Some(advanced(vec![
            management(),
            field("eventSource", &["s3.amazonaws.com"]),
        ]));
        assert!(
            verdict(vec![s3_only])
                .1
                .contains("records no IAM management events")
        );

        // A field this cannot judge narrows the selector in unknown ways: it counts for
        // nothing rather than for everything.
        let mut unknown_field = trail("advanced-arn");
        unknown_field.selectors = Some(advanced(vec![
            management(),
            field("userIdentity.arn", &["arn:aws:iam::123456789012:role/x"]),
        ]));
        assert_eq!(verdict(vec![unknown_field]).0, Status::Fail);
    }

    #[test]
    fn no_trail_fails_and_unread_data_is_an_error_never_a_pass() {
        assert_eq!(verdict(vec![]).0, Status::Fail);
        assert_eq!(
            statuses("cloudtrail-enabled", &with_trails(None)),
            vec![Status::Error]
        );
        let mut unread = trail("audit");
        unread.status = None;
        let mut inventory = with_trails(Some(vec![unread.clone()]));
        inventory.gaps.push(Gap {
            operation: "GetTrailStatus".into(),
            error_code: "AccessDeniedException".into(),
            message: "not authorized".into(),
            resource: Some(unread.arn.clone()),
        });
        let findings = run("cloudtrail-enabled", &inventory);
        assert_eq!(findings[0].status, Status::Error);
        assert!(
            findings[0]
                .message
                .contains("GetTrailStatus failed for trail audit: AccessDeniedException"),
            "{}",
            findings[0].message
        );
        // A trail shown to fall short is a failure even when its status is unknown.
        let mut regional = unread;
        regional.is_multi_region = false;
        assert_eq!(verdict(vec![regional]).0, Status::Fail);
    }

    #[test]
    fn per_trail_settings_fail_each_trail_and_name_organization_trails() {
        let mut org = trail("org");
        org.is_organization = true;
        org.log_file_validation = false;
        let mut encrypted = trail("encrypted");
        encrypted.kms_key_id = Some("arn:aws:kms:us-east-1:123456789012:key/k".into());
        encrypted.cloudwatch_logs_log_group_arn =
            Some("arn:aws:logs:us-east-1:123456789012:log-group:trail:*".into());
        let inventory = with_trails(Some(vec![org, encrypted]));
        let validation = run("cloudtrail-log-file-validation", &inventory);
        assert_eq!(validation[0].status, Status::Fail);
        assert!(
            validation[0]
                .message
                .contains("change it from the management account"),
            "{}",
            validation[0].message
        );
        let cli = validation[0].remediation.as_ref().unwrap().cli();
        assert!(
            cli.contains("update-trail --name org --enable-log-file-validation"),
            "{cli}"
        );
        assert_eq!(validation[1].status, Status::Pass);
        assert_eq!(
            statuses("cloudtrail-kms-encryption", &inventory),
            vec![Status::Fail, Status::Pass]
        );
        assert_eq!(
            statuses("cloudtrail-cloudwatch-logs", &inventory),
            vec![Status::Fail, Status::Pass]
        );
        assert_eq!(
            statuses("cloudtrail-kms-encryption", &with_trails(Some(vec![]))),
            vec![Status::Skipped]
        );
    }

    #[test]
    fn s3_object_logging_needs_all_buckets_in_the_right_direction() {
        let mut writes = trail("data");
        writes.selectors.as_mut().unwrap().basic[0].read_write_type = "WriteOnly".into();
        writes.selectors.as_mut().unwrap().basic[0].data_resources =
            vec![("AWS::S3::Object".into(), vec!["arn:aws:s3".into()])];
        let inventory = with_trails(Some(vec![writes.clone()]));
        assert_eq!(
            statuses("cloudtrail-s3-object-write-logging", &inventory),
            vec![Status::Pass]
        );
        assert_eq!(
            statuses("cloudtrail-s3-object-read-logging", &inventory),
            vec![Status::Fail]
        );

        let mut one_bucket = writes.clone();
        one_bucket.selectors.as_mut().unwrap().basic[0].data_resources = vec![(
            "AWS::S3::Object".into(),
            vec!["arn:aws:s3:::logs-bucket/".into()],
        )];
        assert_eq!(
            statuses(
                "cloudtrail-s3-object-write-logging",
                &with_trails(Some(vec![one_bucket]))
            ),
            vec![Status::Fail],
            "one bucket is not every bucket"
        );

        let mut advanced_all = trail("advanced");
        advanced_all.selectors = Some(advanced(vec![
            field("eventCategory", &["Data"]),
            field("resources.type", &["AWS::S3::Object"]),
        ]));
        let inventory = with_trails(Some(vec![advanced_all]));
        assert_eq!(
            statuses("cloudtrail-s3-object-read-logging", &inventory),
            vec![Status::Pass]
        );

        let mut unread = writes;
        unread.selectors = None;
        assert_eq!(
            statuses(
                "cloudtrail-s3-object-write-logging",
                &with_trails(Some(vec![unread]))
            ),
            vec![Status::Error]
        );
    }
}
