//! The credential report: generate it, wait for it, fetch it. IAM builds the report
//! asynchronously and the SDK retries none of its "not ready" answers, so a bounded loop with
//! exponential backoff does; `next_step` is its logic, free of I/O.

use super::api::{error_gap, invalid_gap, to_utc};
use super::progress::{Phase, count};
use super::{CollectOptions, Collected};
use crate::inventory::{CredentialReport, Gap};
use aws_sdk_iam::error::SdkError;
use aws_sdk_iam::operation::get_credential_report::{
    GetCredentialReportError, GetCredentialReportOutput,
};
use aws_sdk_iam::types::ReportStateType;
use std::time::Duration;
use tokio::time::Instant;

const GENERATE: &str = "GenerateCredentialReport";
const GET: &str = "GetCredentialReport";

/// The longest pause between two polls.
const MAX_POLL_INTERVAL: Duration = Duration::from_secs(8);

/// What the last call said about the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ReportState {
    /// GenerateCredentialReport answered COMPLETE: a report is ready.
    Complete,
    /// Generation is under way: GenerateCredentialReport answered STARTED or INPROGRESS, or
    /// GetCredentialReport answered ReportInProgress.
    Generating,
    /// GetCredentialReport answered ReportNotPresent or ReportExpired: generate (again).
    Missing,
    /// GenerateCredentialReport answered LimitExceeded.
    Refused,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Call {
    Generate,
    Get,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Call(Call),
    Wait(Duration, Call),
    GiveUp,
}

/// The loop's bounds: the first pause, doubled on each wait up to `MAX_POLL_INTERVAL`, and
/// the most time to spend in all.
#[derive(Debug, Clone, Copy)]
struct Polling {
    initial: Duration,
    limit: Duration,
    waits: u32,
}

impl Polling {
    fn delay(&self) -> Duration {
        let factor = 1u32.checked_shl(self.waits).unwrap_or(u32::MAX);
        self.initial.saturating_mul(factor).min(MAX_POLL_INTERVAL)
    }

    /// What to do after `state`, `waited` into the loop. A wait never runs past the limit,
    /// and the call after the last wait is the last call.
    fn next_step(&self, state: ReportState, waited: Duration) -> Step {
        let then = match state {
            ReportState::Complete => return Step::Call(Call::Get),
            ReportState::Generating => Call::Get,
            ReportState::Missing | ReportState::Refused => Call::Generate,
        };
        if waited >= self.limit {
            return Step::GiveUp;
        }
        Step::Wait(self.delay().min(self.limit - waited), then)
    }
}

pub(crate) async fn collect(
    client: &aws_sdk_iam::Client,
    options: &CollectOptions,
    phase: Phase,
) -> Collected<Option<CredentialReport>> {
    let collected = poll(client, options, &phase).await;
    match (&collected.value, collected.gaps.first()) {
        (Some(report), _) => phase.done(count(report.users().count(), "user", "users")),
        (None, Some(gap)) => phase.failed(gap),
        (None, None) => phase.done("not collected"),
    }
    collected
}

async fn poll(
    client: &aws_sdk_iam::Client,
    options: &CollectOptions,
    phase: &Phase,
) -> Collected<Option<CredentialReport>> {
    let started = Instant::now();
    let mut polling = Polling {
        initial: options.report_poll_initial,
        limit: options.report_wait,
        waits: 0,
    };
    let mut call = Call::Generate;
    loop {
        let state = match call {
            Call::Generate => match client.generate_credential_report().send().await {
                Ok(output) => {
                    tracing::debug!(state = ?output.state(), "GenerateCredentialReport");
                    match output.state() {
                        Some(ReportStateType::Complete) => ReportState::Complete,
                        _ => ReportState::Generating,
                    }
                }
                Err(error)
                    if error
                        .as_service_error()
                        .is_some_and(|error| error.is_limit_exceeded_exception()) =>
                {
                    ReportState::Refused
                }
                Err(error) => {
                    return without_generating(client, error_gap(GENERATE, &error, None)).await;
                }
            },
            Call::Get => match client.get_credential_report().send().await {
                Ok(output) => return parsed(&output),
                Err(error) => match not_ready(&error) {
                    Some(state) => state,
                    None => return Collected::unseen(error_gap(GET, &error, None)),
                },
            },
        };
        let waited = started.elapsed();
        match polling.next_step(state, waited) {
            Step::Call(next) => call = next,
            Step::Wait(delay, next) => {
                phase.update(format!(
                    "waiting for IAM to generate it ({}s)",
                    waited.as_secs()
                ));
                tracing::debug!(?state, ?delay, "credential report not ready");
                tokio::time::sleep(delay).await;
                polling.waits += 1;
                call = next;
            }
            Step::GiveUp => {
                let (operation, last) = match state {
                    ReportState::Refused => {
                        (GENERATE, "GenerateCredentialReport answered LimitExceeded")
                    }
                    _ => (GET, "IAM was still generating it"),
                };
                return Collected::unseen(invalid_gap(
                    operation,
                    "ReportNotReady",
                    format!(
                        "the credential report was not ready after {}s ({last}); raise --report-wait",
                        waited.as_secs()
                    ),
                    None,
                ));
            }
        }
    }
}

/// The state a "not ready" answer of GetCredentialReport reports, or `None` for a failure.
fn not_ready(error: &SdkError<GetCredentialReportError>) -> Option<ReportState> {
    let error = error.as_service_error()?;
    if error.is_credential_report_not_ready_exception() {
        Some(ReportState::Generating)
    } else if error.is_credential_report_not_present_exception()
        || error.is_credential_report_expired_exception()
    {
        Some(ReportState::Missing)
    } else {
        None
    }
}

/// A principal may be allowed to read the report without being allowed to generate it; a
/// report generated in the last four hours is still there to read.
async fn without_generating(
    client: &aws_sdk_iam::Client,
    generate_gap: Gap,
) -> Collected<Option<CredentialReport>> {
    match client.get_credential_report().send().await {
        Ok(output) => {
            tracing::warn!(
                "GenerateCredentialReport failed ({}); using the report IAM already had",
                generate_gap.error_code
            );
            parsed(&output)
        }
        Err(error) => Collected {
            value: None,
            gaps: vec![generate_gap, error_gap(GET, &error, None)],
        },
    }
}

fn parsed(output: &GetCredentialReportOutput) -> Collected<Option<CredentialReport>> {
    let generated_at = output.generated_time().and_then(to_utc);
    let Some(content) = output.content() else {
        return Collected::unseen(invalid_gap(
            GET,
            "InvalidCredentialReport",
            "the response has no Content".into(),
            None,
        ));
    };
    let text = match std::str::from_utf8(content.as_ref()) {
        Ok(text) => text,
        Err(error) => {
            return Collected::unseen(invalid_gap(
                GET,
                "InvalidCredentialReport",
                format!("the report is not UTF-8 text: {error}"),
                None,
            ));
        }
    };
    match CredentialReport::parse_csv(text, GET, generated_at) {
        Ok(report) => Collected::seen(report),
        Err(message) => {
            Collected::unseen(invalid_gap(GET, "InvalidCredentialReport", message, None))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn polling(waits: u32) -> Polling {
        Polling {
            initial: Duration::from_secs(1),
            limit: Duration::from_secs(120),
            waits,
        }
    }

    const SOON: Duration = Duration::from_secs(3);

    #[test]
    fn a_complete_report_is_fetched_at_once_even_past_the_limit() {
        assert_eq!(
            polling(0).next_step(ReportState::Complete, SOON),
            Step::Call(Call::Get)
        );
        assert_eq!(
            polling(9).next_step(ReportState::Complete, Duration::from_secs(500)),
            Step::Call(Call::Get)
        );
    }

    #[test]
    fn a_report_being_generated_is_polled_with_get_after_a_wait() {
        assert_eq!(
            polling(0).next_step(ReportState::Generating, SOON),
            Step::Wait(Duration::from_secs(1), Call::Get)
        );
    }

    #[test]
    fn a_missing_or_expired_report_or_a_refusal_is_generated_again_after_a_wait() {
        assert_eq!(
            polling(1).next_step(ReportState::Missing, SOON),
            Step::Wait(Duration::from_secs(2), Call::Generate)
        );
        assert_eq!(
            polling(2).next_step(ReportState::Refused, SOON),
            Step::Wait(Duration::from_secs(4), Call::Generate)
        );
    }

    #[test]
    fn the_wait_doubles_up_to_eight_seconds() {
        let delays: Vec<Duration> = (0..6)
            .map(
                |waits| match polling(waits).next_step(ReportState::Generating, SOON) {
                    Step::Wait(delay, _) => delay,
                    other => panic!("expected a wait, got {other:?}"),
                },
            )
            .collect();
        assert_eq!(delays, [1, 2, 4, 8, 8, 8].map(Duration::from_secs));
        assert_eq!(
            polling(40).delay(),
            MAX_POLL_INTERVAL,
            "no overflow on long waits"
        );
    }

    #[test]
    fn the_last_wait_ends_at_the_limit_and_then_the_loop_gives_up() {
        assert_eq!(
            polling(5).next_step(ReportState::Generating, Duration::from_secs(117)),
            Step::Wait(Duration::from_secs(3), Call::Get)
        );
        assert_eq!(
            polling(5).next_step(ReportState::Generating, Duration::from_secs(120)),
            Step::GiveUp
        );
        assert_eq!(
            polling(5).next_step(ReportState::Refused, Duration::from_secs(121)),
            Step::GiveUp
        );
    }
}
