//! Gate: which results fail the gate under the configuration, which are only context (a load
//! test's counts that follow its duration), and the order results are reported in.

use crate::config::Config;
use crate::model::Unit;

use super::types::*;

/// Whether a run's tool is k6 (its summary export or its NDJSON stream).
pub fn is_k6(tool: Option<&str>) -> bool {
    matches!(tool, Some("k6" | "k6-ndjson"))
}

/// The k6 metric a (sub)metric belongs to: `http_req_duration{status:200}` → `http_req_duration`.
pub fn k6_metric(benchmark: &str) -> &str {
    benchmark.split('{').next().unwrap_or(benchmark)
}

/// A k6 count that only follows how long the load test ran, or how much it got through: the
/// number of requests, iterations, bytes, or the passes and fails of a rate (whose rate is the
/// measure). A fixed-duration test that got slower makes fewer requests, and that is the latency
/// regression already counted, not another one: such counts are context, never gated. Counters
/// that count errors are not: more errors is worse whatever the duration.
pub fn follows_duration(r: &MetricResult) -> bool {
    let base = k6_metric(&r.benchmark).to_ascii_lowercase();
    if (base.contains("error") || base.contains("fail")) && r.metric == "count" {
        return false;
    }
    match r.metric.as_str() {
        "passes" | "fails" => true,
        "count" => matches!(r.unit, Unit::Count | Unit::Bytes),
        _ => false,
    }
}

pub(super) fn rank(s: Status) -> u8 {
    match s {
        Status::Regression => 0,
        Status::Inconclusive => 1,
        Status::Improvement => 2,
        Status::Missing => 3,
        Status::New => 4,
        Status::Unchanged => 5,
    }
}

pub(super) fn fails(r: &MetricResult, c: &Config) -> bool {
    fails_on(r.status, c)
}

/// Whether a result of `status` fails the gate under the configuration.
pub(super) fn fails_on(status: Status, c: &Config) -> bool {
    match status {
        Status::Regression => c.fail_on_regression,
        Status::Missing => c.fail_on_missing,
        Status::New => c.fail_on_new,
        Status::Inconclusive => c.fail_on_inconclusive,
        Status::Improvement | Status::Unchanged => false,
    }
}

/// A noisy regression against a baseline that ran in another environment: inconclusive, since
/// the machine may be what moved.
pub(super) fn across_environments(r: &mut MetricResult) {
    if r.deterministic || r.status != Status::Regression {
        return;
    }
    r.status = Status::Inconclusive;
    r.note
        .put_first(Note::AcrossEnvironments { change: r.change });
}

/// A statistic that one value a side cannot gate (a run's `max`, `min` or extreme percentiles, a
/// command's `system` time; [`Note::NotGated`]): inconclusive, and shown apart as context, so
/// that the rows and the heading name what the gate can act on, and `fail_on_inconclusive` does
/// not fail on what no rerun of the same code would settle.
pub(super) fn not_gated(r: &MetricResult) -> bool {
    r.status == Status::Inconclusive && r.note.0.iter().any(|n| matches!(n, Note::NotGated { .. }))
}

/// Marks whether a result is only context (a load test's count that follows its duration, or a
/// statistic not gated without a history) and whether it fails the gate.
pub(super) fn gate(r: &mut MetricResult, config: &Config, load_test: bool) {
    r.context = (load_test && follows_duration(r)) || not_gated(r);
    r.fails_gate = fails(r, config) && !r.context;
}

/// How many results and budgets of each kind.
pub(super) fn counts(results: &[MetricResult], budgets: &[BudgetResult]) -> Counts {
    let mut counts = Counts::default();
    for r in results {
        match r.status {
            Status::Regression => counts.regression += 1,
            Status::Improvement => counts.improvement += 1,
            Status::Inconclusive => counts.inconclusive += 1,
            Status::Unchanged => counts.unchanged += 1,
            Status::New => counts.new += 1,
            Status::Missing => counts.missing += 1,
        }
    }
    counts.budgets_passed = budgets.iter().filter(|b| b.passed).count();
    counts.budgets_broken = budgets.len() - counts.budgets_passed;
    counts
}

/// Why the gate fails (2 regressions, 1 budget broken); empty when it passes.
pub(super) fn reasons(
    results: &[MetricResult],
    counts: &Counts,
    suite: Option<&SuiteShift>,
) -> Vec<Reason> {
    let mut reasons = Vec::new();
    let failing = |s: Status| {
        results
            .iter()
            .filter(|r| r.fails_gate && r.status == s)
            .count()
    };
    for (status, reason) in [
        (
            Status::Regression,
            Reason::Regressions as fn(usize) -> Reason,
        ),
        (Status::Missing, Reason::MissingResults),
        (Status::New, Reason::NewResults),
        (Status::Inconclusive, Reason::InconclusiveResults),
    ] {
        let n = failing(status);
        if n > 0 {
            reasons.push(reason(n));
        }
    }
    if counts.budgets_broken > 0 {
        reasons.push(Reason::BudgetsBroken(counts.budgets_broken));
    }
    reasons.extend(suite.and_then(SuiteShift::failing_reason));
    reasons
}
