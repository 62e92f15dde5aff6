//! What `GET /metrics` shows, in Prometheus' text format: requests by endpoint and status,
//! their latencies as a histogram, findings by rule, and how often the pack was reloaded.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

/// The upper bounds of the latency histogram's buckets, in seconds.
const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0];

/// Counters, shared by every request.
#[derive(Default)]
pub struct Metrics {
    inner: Mutex<Counts>,
}

#[derive(Default)]
struct Counts {
    requests: BTreeMap<(String, u16), u64>,
    /// Per endpoint: the count in each bucket (the last one past every bound), the sum.
    latency: BTreeMap<String, ([u64; BUCKETS.len() + 1], f64)>,
    findings: BTreeMap<String, u64>,
    reloads: BTreeMap<&'static str, u64>,
}

impl Metrics {
    /// A request answered.
    pub fn request(&self, endpoint: &str, status: u16, took: Duration) {
        let mut counts = self.lock();
        *counts
            .requests
            .entry((endpoint.to_string(), status))
            .or_default() += 1;
        let seconds = took.as_secs_f64();
        let (buckets, sum) = counts.latency.entry(endpoint.to_string()).or_default();
        let bucket = BUCKETS
            .iter()
            .position(|&b| seconds <= b)
            .unwrap_or(BUCKETS.len());
        buckets[bucket] += 1;
        *sum += seconds;
    }

    /// Findings of a rule, reported by a check.
    pub fn findings(&self, rule: &str, n: u64) {
        *self.lock().findings.entry(rule.to_string()).or_default() += n;
    }

    /// A reload of the pack, that worked or not.
    pub fn reload(&self, worked: bool) {
        let outcome = if worked { "ok" } else { "failed" };
        *self.lock().reloads.entry(outcome).or_default() += 1;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Counts> {
        // A panic while counting leaves counts that are still counts.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The Prometheus text exposition of every counter.
    pub fn render(&self) -> String {
        let counts = self.lock();
        let mut out = String::new();
        out.push_str(
            "# HELP concordant_requests_total Requests answered, by endpoint and status.\n",
        );
        out.push_str("# TYPE concordant_requests_total counter\n");
        for ((endpoint, status), n) in &counts.requests {
            let _ = writeln!(
                out,
                "concordant_requests_total{{endpoint=\"{endpoint}\",status=\"{status}\"}} {n}"
            );
        }
        out.push_str("# HELP concordant_request_seconds How long requests took, by endpoint.\n");
        out.push_str("# TYPE concordant_request_seconds histogram\n");
        for (endpoint, (buckets, sum)) in &counts.latency {
            let mut cumulative = 0;
            for (bound, n) in BUCKETS.iter().zip(buckets) {
                cumulative += n;
                let _ = writeln!(out, "concordant_request_seconds_bucket{{endpoint=\"{endpoint}\",le=\"{bound}\"}} {cumulative}");
            }
            let total = cumulative + buckets[BUCKETS.len()];
            let _ = writeln!(
                out,
                "concordant_request_seconds_bucket{{endpoint=\"{endpoint}\",le=\"+Inf\"}} {total}"
            );
            let _ = writeln!(
                out,
                "concordant_request_seconds_sum{{endpoint=\"{endpoint}\"}} {sum}"
            );
            let _ = writeln!(
                out,
                "concordant_request_seconds_count{{endpoint=\"{endpoint}\"}} {total}"
            );
        }
        out.push_str("# HELP concordant_findings_total Findings reported, by rule.\n");
        out.push_str("# TYPE concordant_findings_total counter\n");
        for (rule, n) in &counts.findings {
            let _ = writeln!(out, "concordant_findings_total{{rule=\"{rule}\"}} {n}");
        }
        out.push_str("# HELP concordant_reloads_total Reloads of the rule pack, by outcome.\n");
        out.push_str("# TYPE concordant_reloads_total counter\n");
        for (outcome, n) in &counts.reloads {
            let _ = writeln!(out, "concordant_reloads_total{{outcome=\"{outcome}\"}} {n}");
        }
        out
    }
}
