//! CloudTrail coverage against moto, seeded through aws-sdk-cloudtrail: a complete
//! multi-region trail passes every logging check, a stopped single-region one fails each
//! per-trail check, and the calls are one listing plus two per trail.
//!
//! Moto 5.2.5 gives a new trail no event selectors (AWS gives it read and write management
//! events), so the tests put them explicitly.

mod common;

use common::*;

const AUDIT: &str = "audit";
const REGIONAL: &str = "regional";
const BUCKET: &str = "trail-bucket";

fn trail_arn(name: &str) -> String {
    format!("arn:aws:cloudtrail:us-east-1:{MOTO_ACCOUNT}:trail/{name}")
}

async fn seed(client: &aws_sdk_cloudtrail::Client) {
    use aws_sdk_cloudtrail::types::{EventSelector, ReadWriteType};
    client
        .create_trail()
        .name(AUDIT)
        .s3_bucket_name(BUCKET)
        .is_multi_region_trail(true)
        .include_global_service_events(true)
        .enable_log_file_validation(true)
        .kms_key_id(format!("arn:aws:kms:us-east-1:{MOTO_ACCOUNT}:key/trail"))
        .cloud_watch_logs_log_group_arn(format!(
            "arn:aws:logs:us-east-1:{MOTO_ACCOUNT}:log-group:cloudtrail:*"
        ))
        .cloud_watch_logs_role_arn(format!("arn:aws:iam::{MOTO_ACCOUNT}:role/trail-to-logs"))
        .send()
        .await
        .expect("CreateTrail audit");
    client
        .put_event_selectors()
        .trail_name(AUDIT)
        .event_selectors(
            EventSelector::builder()
                .read_write_type(ReadWriteType::All)
                .include_management_events(true)
                .build(),
        )
        .send()
        .await
        .expect("PutEventSelectors");
    client
        .start_logging()
        .name(AUDIT)
        .send()
        .await
        .expect("StartLogging");
    // Single-region, never started, no validation, no KMS key, no log group.
    client
        .create_trail()
        .name(REGIONAL)
        .s3_bucket_name(BUCKET)
        .send()
        .await
        .expect("CreateTrail regional");
}

#[test]
fn a_complete_trail_passes_and_a_bare_one_fails_each_setting() {
    let moto = Moto::start();
    moto.create_bucket(BUCKET);
    block_on(seed(&moto.cloudtrail()));
    let report = scan_live(
        &moto.url,
        &[
            "--checks",
            "cloudtrail-enabled,cloudtrail-log-file-validation,cloudtrail-kms-encryption,cloudtrail-cloudwatch-logs",
        ],
    )
    .report();

    assert_eq!(
        status(&report, "cloudtrail-enabled", &account_arn()),
        "pass"
    );
    assert!(
        message(&report, "cloudtrail-enabled", &account_arn()).starts_with("trail audit "),
        "{}",
        message(&report, "cloudtrail-enabled", &account_arn())
    );
    for check in [
        "cloudtrail-log-file-validation",
        "cloudtrail-kms-encryption",
        "cloudtrail-cloudwatch-logs",
    ] {
        assert_eq!(status(&report, check, &trail_arn(AUDIT)), "pass", "{check}");
        assert_eq!(
            status(&report, check, &trail_arn(REGIONAL)),
            "fail",
            "{check}"
        );
    }
    let calls = &report["stats"]["api_calls"];
    assert_eq!(calls["DescribeTrails"], 1);
    assert_eq!(calls["GetTrailStatus"], 2, "one per trail");
    assert_eq!(calls["GetEventSelectors"], 2, "one per trail");
}

#[test]
fn a_stopped_trail_is_named_as_not_logging() {
    let moto = Moto::start();
    moto.create_bucket(BUCKET);
    block_on(async {
        let client = moto.cloudtrail();
        seed(&client).await;
        client
            .stop_logging()
            .name(AUDIT)
            .send()
            .await
            .expect("StopLogging");
    });
    let report = scan_live(&moto.url, &["--checks", "cloudtrail-enabled"]).report();
    assert_eq!(
        status(&report, "cloudtrail-enabled", &account_arn()),
        "fail"
    );
    let reason = message(&report, "cloudtrail-enabled", &account_arn());
    assert!(reason.contains("audit: not logging"), "{reason}");
    assert!(reason.contains("regional: single-region"), "{reason}");
}

/// Moto 5.2.5 reads metric filters but does not speak CloudWatch's rpc-v2-cbor protocol
/// (HTTP 404 to DescribeAlarms): the alarm checks are `error`, naming the call, never a
/// pass or a fail. tests/faults.rs answers DescribeAlarms over replayed HTTP.
#[test]
fn metric_filters_are_read_and_unreadable_alarms_make_the_alarm_checks_errors() {
    let moto = Moto::start();
    moto.create_bucket(BUCKET);
    block_on(async {
        seed(&moto.cloudtrail()).await;
        let logs = moto.logs();
        logs.create_log_group()
            .log_group_name("cloudtrail")
            .send()
            .await
            .expect("CreateLogGroup");
        logs.put_metric_filter()
            .log_group_name("cloudtrail")
            .filter_name("IamPolicyChanges")
            .filter_pattern(
                iamscan::monitoring::controls::control("5.4")
                    .expect("CIS 5.4")
                    .recommended_pattern,
            )
            .metric_transformations(
                aws_sdk_cloudwatchlogs::types::MetricTransformation::builder()
                    .metric_name("IamPolicyChanges")
                    .metric_namespace("CISBenchmark")
                    .metric_value("1")
                    .build()
                    .expect("a metric transformation"),
            )
            .send()
            .await
            .expect("PutMetricFilter");
    });
    let report = scan_live(&moto.url, &["--checks", "alarm-iam-policy-changes"]).report();
    assert_eq!(report["stats"]["api_calls"]["DescribeMetricFilters"], 1);
    assert_eq!(
        status(&report, "alarm-iam-policy-changes", &account_arn()),
        "error"
    );
    let reason = message(&report, "alarm-iam-policy-changes", &account_arn());
    assert!(
        reason.contains("DescribeAlarms failed for us-east-1"),
        "{reason}"
    );
}
