//! Counts the requests an IAM client makes, per operation, by hooking into the SDK's
//! orchestrator: one logical call per execution, one request per attempt. Attempts beyond the
//! calls are retries.

use super::CollectStats;
use aws_sdk_iam::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_iam::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_iam::error::BoxError;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

/// Shared by every clone: register one clone on the client, snapshot another.
#[derive(Debug, Clone, Default)]
pub struct CallCounter {
    counts: Arc<Mutex<BTreeMap<String, OperationCount>>>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct OperationCount {
    calls: u64,
    attempts: u64,
}

impl CallCounter {
    /// `stats` with its call counts replaced by everything counted so far (phase times are
    /// kept), so that calls made after collection (`--list-access-keys`) are included.
    pub fn snapshot(&self, mut stats: CollectStats) -> CollectStats {
        let counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        stats.operations = counts
            .iter()
            .map(|(name, count)| (name.clone(), count.calls))
            .collect();
        stats.api_calls = counts
            .iter()
            .map(|(name, count)| (name.clone(), count.attempts))
            .collect();
        stats.total_api_calls = counts.values().map(|count| count.attempts).sum();
        stats.retries = counts
            .values()
            .map(|count| count.attempts.saturating_sub(count.calls))
            .sum();
        stats
    }

    fn record(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        update: fn(&mut OperationCount),
    ) {
        let operation = context
            .request()
            .body()
            .bytes()
            .and_then(query_action)
            .unwrap_or("Unknown");
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        update(counts.entry(operation.to_string()).or_default());
    }
}

/// The operation a request performs. IAM speaks the AWS query protocol, whose form-encoded
/// body names it in `Action`. (The orchestrator's `Metadata` would name it too, but its type
/// lives in a crate this one does not depend on.)
fn query_action(body: &[u8]) -> Option<&str> {
    let body = std::str::from_utf8(body).ok()?;
    body.split('&')
        .find_map(|pair| pair.strip_prefix("Action="))
        .filter(|action| {
            !action.is_empty() && action.bytes().all(|byte| byte.is_ascii_alphanumeric())
        })
}

impl Intercept for CallCounter {
    fn name(&self) -> &'static str {
        "iamscan::CallCounter"
    }

    /// Once per execution, with the serialized request at hand.
    fn read_after_serialization(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.record(context, |count| count.calls += 1);
        Ok(())
    }

    /// Once per attempt, retries included.
    fn read_before_attempt(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.record(context, |count| count.attempts += 1);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_action_is_read_from_a_query_body() {
        assert_eq!(
            query_action(b"Action=GetAccountAuthorizationDetails&Version=2010-05-08&MaxItems=1000"),
            Some("GetAccountAuthorizationDetails")
        );
        assert_eq!(
            query_action(b"Version=2010-05-08&Action=ListMFADevices"),
            Some("ListMFADevices")
        );
        assert_eq!(query_action(b"Version=2010-05-08"), None);
        assert_eq!(query_action(b"Action=Get%20Things"), None);
    }

    #[test]
    fn a_snapshot_derives_retries_and_totals_and_keeps_phase_times() {
        let counter = CallCounter::default();
        {
            let mut counts = counter.counts.lock().unwrap();
            counts.insert(
                "GetAccountSummary".into(),
                OperationCount {
                    calls: 1,
                    attempts: 3,
                },
            );
            counts.insert(
                "ListSAMLProviders".into(),
                OperationCount {
                    calls: 2,
                    attempts: 2,
                },
            );
        }
        let mut stats = CollectStats::default();
        stats.phase_ms.insert("account_summary".into(), 12);
        let stats = counter.snapshot(stats);
        assert_eq!(stats.total_api_calls, 5);
        assert_eq!(stats.retries, 2);
        assert_eq!(stats.api_calls["GetAccountSummary"], 3);
        assert_eq!(stats.operations["ListSAMLProviders"], 2);
        assert_eq!(stats.phase_ms["account_summary"], 12);
    }
}
