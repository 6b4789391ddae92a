//! One row per benchmark: the metrics of a benchmark folded into one row (`time +21.0% · allocs
//! +50.0%`), its changes ordered worse first, the metric it leads with, and how that change was
//! decided. Also the rows of a load test's counts shown as context. [`super::digest`] orders the
//! rows and sorts them into the report's parts.
//!
//! Names stay raw here; each renderer escapes them for its medium.

use std::cmp::Ordering;

use serde::Serialize;

use super::rows::{change_cell, p_cells, value_cell, RowInfo};
use super::words;
use crate::compare::{Method, MetricResult, Status};
use crate::model::Unit;

/// Changed metrics shown in a row before `+N more`.
const CHANGES_PER_ROW: usize = 4;

/// One metric of a benchmark in a row: `time +21.0%`, with its values.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    pub metric: String,
    /// `regression`, `improvement`, `inconclusive`, `unchanged`, `new` or `missing`.
    pub status: &'static str,
    /// `+21.0%`, `n/a`, or `—` when a side is absent.
    pub change: String,
    /// `1.42 µs`, or `—`.
    pub baseline: String,
    pub current: String,
    /// Set on the first change of another kind than the row's: `better:`, `worse:`, `unsure:`.
    pub tag: Option<&'static str>,
}

/// One benchmark: its changed metrics folded into one row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BenchmarkRow {
    pub benchmark: String,
    /// The worst status of its metrics: `regression`, `missing`, `new`, `inconclusive`,
    /// `improvement` or `unchanged`.
    pub status: &'static str,
    pub fails_gate: bool,
    /// The changed metrics, worse ones first and each kind worst first (at most 4).
    pub changes: Vec<Change>,
    /// Changed metrics left out of `changes`.
    pub more_changes: usize,
    /// The metric the row leads with (its first change; for an unchanged benchmark, its main
    /// metric): its values are shown.
    pub lead: Change,
    /// How the lead change was decided, when a test or an exact count says more than the
    /// number: `95% CI +20.0% to +22.0%, p < 0.001, n 10 → 10`, `exact`. Empty otherwise.
    pub evidence: String,
    /// The p-value that decided the lead change: `0.004`, `<0.001`, or `—`.
    pub p: String,
    /// The lead metric's recent runs on the baseline branch and its current value, as a
    /// sparkline (`▁▂▁▃▂▁→█`), on regression, improvement and inconclusive rows with a history
    /// of more than one run; None otherwise, or once left out to fit a size limit.
    pub trend: Option<String>,
    /// The lead metric's chart on the dashboard (`https://o.github.io/r/#b=...&m=...`), on rows
    /// with a trend when the report knows where the dashboard is.
    pub chart: Option<String>,
}

impl RowInfo for BenchmarkRow {}

/// A count that follows the test's duration or throughput, shown as context.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContextRow {
    pub benchmark: String,
    pub metric: String,
    pub baseline: String,
    pub current: String,
    pub change: String,
    /// Whether the gate counts it (as a regression) anyway.
    pub fails_gate: bool,
}

impl RowInfo for ContextRow {}

/// How far a change moved, on a log scale, whichever its sign: +100% and -50% weigh the same.
pub(super) fn magnitude(change: Option<f64>) -> f64 {
    match change {
        Some(c) if c > -1.0 && c.is_finite() => (1.0 + c).ln().abs(),
        Some(_) => f64::INFINITY,
        None => 0.0,
    }
}

/// Which metric of a benchmark leads. For load tests, what says most about the users'
/// experience: `p(95)` first (what k6 users set thresholds and budgets on, whatever moved most),
/// then the other percentiles, then the mean and rates, then the rest (extremes rest on a few
/// requests). For benchmarks, time first, then throughput, then sizes and counts.
fn metric_class(load: bool, r: &MetricResult) -> u8 {
    let metric = r.metric.as_str();
    if load {
        if metric == "p(95)" {
            0
        } else if metric.starts_with("p(") || metric == "med" || metric == "latency" {
            1
        } else if metric == "avg" || metric == "rate" {
            2
        } else {
            3
        }
    } else {
        match r.unit {
            Unit::Nanoseconds => 0,
            Unit::PerSecond | Unit::BytesPerSecond => 1,
            _ => 2,
        }
    }
}

/// For load tests, the k6 metrics users gate on lead: request latency, failed requests, checks.
pub(super) fn benchmark_class(load: bool, benchmark: &str) -> u8 {
    if load
        && !matches!(
            crate::compare::k6_metric(benchmark),
            "http_req_duration" | "http_req_failed" | "checks"
        )
    {
        1
    } else {
        0
    }
}

fn status_rank(s: Status) -> u8 {
    match s {
        Status::Regression => 0,
        Status::Missing => 1,
        Status::New => 2,
        Status::Inconclusive => 3,
        Status::Improvement => 4,
        Status::Unchanged => 5,
    }
}

fn change_of(r: &MetricResult) -> Change {
    Change {
        metric: r.metric.clone(),
        status: r.status.as_str(),
        change: change_cell(r),
        baseline: value_cell(r, r.baseline),
        current: value_cell(r, r.current),
        tag: None,
    }
}

fn evidence(r: &MetricResult) -> String {
    let p = r.p_adjusted.or(r.p_value).map(words::p_value);
    let ci =
        r.ci.map(|(lo, hi)| format!("95% CI {}", words::percent_range(lo, hi)));
    let n = match (r.baseline, r.current) {
        (Some(b), Some(c)) => Some(format!("n {} → {}", b.n, c.n)),
        _ => None,
    };
    let parts: Vec<String> = match r.method {
        Method::MannWhitney | Method::ModeratedT => [ci, p, n].into_iter().flatten().collect(),
        Method::RunToRun => [Some("against the suite".to_string()), ci, p]
            .into_iter()
            .flatten()
            .collect(),
        Method::PredictionInterval => {
            let runs = r.baseline.map(|s| s.n).unwrap_or_default();
            [Some(format!("vs the mean of {runs} runs")), p]
                .into_iter()
                .flatten()
                .collect()
        }
        Method::Exact => vec!["exact".to_string()],
        Method::Threshold | Method::None => Vec::new(),
    };
    if r.status == Status::Unchanged {
        return String::new();
    }
    parts.join(", ")
}

/// What a change is, for ordering: worse, unsure, better.
fn kind(s: Status) -> u8 {
    match s {
        Status::Regression | Status::Missing | Status::New => 0,
        Status::Inconclusive => 1,
        _ => 2,
    }
}

/// The order of the changed metrics of a benchmark: worse first, then unsure, then better; the
/// metric that says most first (see [`metric_class`]), then the largest change.
pub(super) fn change_order(load: bool, a: &MetricResult, b: &MetricResult) -> Ordering {
    kind(a.status)
        .cmp(&kind(b.status))
        .then(metric_class(load, a).cmp(&metric_class(load, b)))
        .then(
            magnitude(b.change)
                .partial_cmp(&magnitude(a.change))
                .unwrap_or(Ordering::Equal),
        )
}

/// Builds the rows of one benchmark from its results (in the comparison's order).
pub(super) fn benchmark_row(load: bool, results: &[&MetricResult]) -> Option<BenchmarkRow> {
    let first = results.first()?;
    let worst = results
        .iter()
        .map(|r| r.status)
        .min_by_key(|s| status_rank(*s))
        .unwrap_or(Status::Unchanged);
    let mut changed: Vec<&MetricResult> = results
        .iter()
        .copied()
        .filter(|r| r.status != Status::Unchanged)
        .collect();
    changed.sort_by(|a, b| change_order(load, a, b));
    let row_kind = kind(worst);
    let mut changes: Vec<Change> = Vec::new();
    let mut last_kind = row_kind;
    for r in &changed {
        let mut ch = change_of(r);
        let k = kind(r.status);
        if k != last_kind {
            ch.tag = Some(match k {
                0 => "worse:",
                1 => "unsure:",
                _ => "better:",
            });
            last_kind = k;
        }
        changes.push(ch);
    }
    let lead_result = changed.first().copied().unwrap_or_else(|| {
        results
            .iter()
            .copied()
            .min_by_key(|r| (metric_class(load, r), r.metric != "p(95)"))
            .unwrap_or(first)
    });
    let more_changes = changes.len().saturating_sub(CHANGES_PER_ROW);
    changes.truncate(CHANGES_PER_ROW);
    Some(BenchmarkRow {
        benchmark: first.benchmark.clone(),
        status: worst.as_str(),
        fails_gate: results.iter().any(|r| r.fails_gate),
        changes,
        more_changes,
        lead: change_of(lead_result),
        evidence: evidence(lead_result),
        p: p_cells(lead_result.p_adjusted.or(lead_result.p_value)).1,
        trend: trend_line(lead_result),
        chart: None,
    })
}

/// The sparkline of a regression, improvement or inconclusive result with a history.
pub(super) fn trend_line(r: &MetricResult) -> Option<String> {
    if !matches!(
        r.status,
        Status::Regression | Status::Improvement | Status::Inconclusive
    ) {
        return None;
    }
    super::sparkline::sparkline(r.trend.as_deref()?, r.current?.value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_weigh_the_same_both_ways_on_a_log_scale() {
        assert!((magnitude(Some(1.0)) - magnitude(Some(-0.5))).abs() < 1e-12);
        assert_eq!(magnitude(Some(-1.0)), f64::INFINITY);
        assert_eq!(magnitude(None), 0.0);
    }
}
