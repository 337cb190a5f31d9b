//! Counts the requests the clients make, per operation, by hooking into the SDK's
//! orchestrator: one logical call per execution, one request per attempt. Attempts beyond the
//! calls are retries. One counter serves every client (IAM and Access Analyzer).

use super::CollectStats;
use aws_sdk_iam::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_iam::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_iam::error::BoxError;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
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

    /// Tallies under the operation's name, which every generated operation puts in its
    /// configuration as `Metadata` (`GetAccountAuthorizationDetails`, `ListAnalyzers`).
    fn record(&self, cfg: &ConfigBag, update: fn(&mut OperationCount)) {
        let operation = cfg.load::<Metadata>().map_or("Unknown", Metadata::name);
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        update(counts.entry(operation.to_string()).or_default());
    }
}

impl Intercept for CallCounter {
    fn name(&self) -> &'static str {
        "iamscan::CallCounter"
    }

    /// Once per execution, with the serialized request at hand.
    fn read_after_serialization(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.record(cfg, |count| count.calls += 1);
        Ok(())
    }

    /// Once per attempt, retries included.
    fn read_before_attempt(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.record(cfg, |count| count.attempts += 1);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
