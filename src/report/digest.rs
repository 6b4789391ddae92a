//! The digest: a comparison told per benchmark, for people who read the PR comment first and
//! the details later.
//!
//! The comparison decides per metric; people think per benchmark. One Go benchmark that got
//! slower moves its time, bytes and allocations: that is one slower benchmark with three changed
//! metrics, not three regressions. So the digest folds the metrics of a benchmark into one row
//! (`time +21.0% · allocs +50.0%`, worst first), orders rows worst first, says a note once with
//! the names it applies to, and names the worst change in a heading that says what changed.
//!
//! Load tests get one more rule, here and not in the gate: counts that only follow the test's
//! duration or throughput (k6's requests, iterations, data sent and received, `passes`/`fails`
//! of a rate) are shown as context, not as regressions. A fixed-duration test that got slower
//! makes fewer requests; the latencies and rates already say so. Latency percentiles and error
//! rates lead instead. This is presentation only: [`crate::compare`] still decides on them.
//!
//! Names stay raw here; each renderer escapes them for its medium.
//!
//! The rooms: [`super::benchmark_rows`] builds one benchmark's row, [`super::note_groups`] says
//! each note once, and [`super::headline`] words the heading; this file puts them together.

use std::cmp::Ordering;

use rustc_hash::FxHashMap;

use super::benchmark_rows::{
    benchmark_class, benchmark_row, change_order, magnitude, BenchmarkRow, ContextRow,
};
use super::headline::{benchmark_summary, heading};
use super::note_groups::{NoteGroup, NoteGroups};
use super::rows::{change_cell, value_cell};
use super::words;
use crate::compare::{BudgetResult, Comparison, Method, MetricResult, Status};

/// What [`digest`] returns; the fields go into the [`super::View`].
pub(crate) struct Digest {
    pub heading_icon: &'static str,
    pub heading: String,
    pub benchmark_summary: String,
    pub noun: &'static str,
    pub failing: Vec<BenchmarkRow>,
    pub unsure: Vec<BenchmarkRow>,
    pub better: Vec<BenchmarkRow>,
    pub same: Vec<BenchmarkRow>,
    pub context: Vec<ContextRow>,
    pub notes: Vec<NoteGroup>,
    /// Broken budgets, worst first.
    pub budgets_broken: Vec<BudgetResult>,
}

/// Whether the comparison is of a load test (k6), whose counts follow the test's duration.
pub(crate) fn is_load_test(c: &Comparison) -> bool {
    crate::compare::is_k6(c.current.tool.as_deref())
        || crate::compare::is_k6(c.baseline.as_ref().and_then(|b| b.tool.as_deref()))
}

/// How far a broken budget is from its limit, for ordering: a missing value first.
fn budget_excess(b: &BudgetResult) -> f64 {
    match b.actual {
        Some(a) if a > 0.0 && b.limit > 0.0 => (a / b.limit).ln().abs(),
        Some(_) => 0.0,
        None => f64::INFINITY,
    }
}

/// Tells the comparison per benchmark: rows, context, notes and a heading.
pub(crate) fn digest(c: &Comparison) -> Digest {
    let load = is_load_test(c);
    let (context_results, results): (Vec<&MetricResult>, Vec<&MetricResult>) =
        c.results.iter().partition(|r| r.context);

    // Benchmarks in the order they first appear (found by name: 10,000 benchmarks searched
    // one by one made the report quadratic).
    let mut by_benchmark: Vec<(&str, Vec<&MetricResult>)> = Vec::new();
    let mut position: FxHashMap<&str, usize> = FxHashMap::default();
    for r in &results {
        match position.get(r.benchmark.as_str()) {
            Some(&i) => {
                if let Some((_, rs)) = by_benchmark.get_mut(i) {
                    rs.push(r);
                }
            }
            None => {
                position.insert(&r.benchmark, by_benchmark.len());
                by_benchmark.push((&r.benchmark, vec![r]));
            }
        }
    }
    let rows: Vec<BenchmarkRow> = by_benchmark
        .iter()
        .filter_map(|(_, rs)| benchmark_row(load, rs))
        .collect();
    let magnitudes: FxHashMap<(&str, &str), f64> = results
        .iter()
        .map(|r| {
            (
                (r.benchmark.as_str(), r.metric.as_str()),
                magnitude(r.change),
            )
        })
        .collect();
    let status_of = |row: &BenchmarkRow| -> u8 {
        match row.status {
            "regression" => 0,
            "missing" | "new" if row.fails_gate => 1,
            "inconclusive" => 3,
            "improvement" => 4,
            _ => 5,
        }
    };
    // Worst first: by status, then the class of benchmark, then the lead change's size. The
    // keys are worked out once per row, not at each of the sort's comparisons.
    let mut keyed: Vec<((u8, u8, f64), BenchmarkRow)> = rows
        .into_iter()
        .map(|row| {
            let lead = (row.benchmark.as_str(), row.lead.metric.as_str());
            let key = (
                status_of(&row),
                benchmark_class(load, &row.benchmark),
                magnitudes.get(&lead).copied().unwrap_or(0.0),
            );
            (key, row)
        })
        .collect();
    keyed.sort_by(|(a, _), (b, _)| {
        a.0.cmp(&b.0)
            .then(a.1.cmp(&b.1))
            .then(b.2.partial_cmp(&a.2).unwrap_or(Ordering::Equal))
    });
    let rows: Vec<BenchmarkRow> = keyed.into_iter().map(|(_, row)| row).collect();
    let mut failing = Vec::new();
    let mut unsure = Vec::new();
    let mut better = Vec::new();
    let mut same = Vec::new();
    for row in rows {
        match status_of(&row) {
            0 | 1 => failing.push(row),
            3 => unsure.push(row),
            4 => better.push(row),
            _ => same.push(row),
        }
    }

    let context: Vec<ContextRow> = context_results
        .iter()
        .filter(|r| r.status != Status::Unchanged)
        .map(|r| ContextRow {
            benchmark: r.benchmark.clone(),
            metric: r.metric.clone(),
            baseline: value_cell(r, r.baseline),
            current: value_cell(r, r.current),
            change: change_cell(r),
            fails_gate: r.fails_gate,
        })
        .collect();

    let mut budgets_broken: Vec<BudgetResult> =
        c.budgets.iter().filter(|b| !b.passed).cloned().collect();
    budgets_broken.sort_by(|a, b| {
        budget_excess(b)
            .partial_cmp(&budget_excess(a))
            .unwrap_or(Ordering::Equal)
    });

    // Notes of the changed metrics and of the budgets, each once.
    let mut notes = NoteGroups::default();
    for b in budgets_broken
        .iter()
        .chain(c.budgets.iter().filter(|b| b.passed))
    {
        if let Some(n) = words::budget_note(&b.note) {
            notes.add(&n, &b.benchmark, format!("({})", b.expression));
        }
    }
    // In the order of the rows, so that the worst benchmarks are named first.
    let mut changed: Vec<&MetricResult> = Vec::new();
    for row in failing.iter().chain(&unsure).chain(&better) {
        let mut rs: Vec<&MetricResult> = results
            .iter()
            .copied()
            .filter(|r| r.benchmark == row.benchmark && r.status != Status::Unchanged)
            .collect();
        rs.sort_by(|a, b| change_order(load, a, b));
        changed.extend(rs);
    }
    for r in changed {
        let metric = r.metric.clone();
        match (words::note(&r.note), r.method) {
            (Some(n), _) => notes.add(&n, &r.benchmark, metric),
            (None, Method::Threshold) => notes.add(
                "one value per side: no noise estimate, decided by the threshold alone",
                &r.benchmark,
                metric,
            ),
            _ => {}
        }
    }

    let noun = if load { "metric" } else { "benchmark" };
    let (heading_icon, heading) = heading(
        c,
        load,
        noun,
        &failing,
        &unsure,
        &better,
        &same,
        &context,
        &budgets_broken,
    );
    let benchmark_summary = benchmark_summary(&failing, &unsure, &better, &same, c);
    Digest {
        heading_icon,
        heading,
        benchmark_summary,
        noun,
        failing,
        unsure,
        better,
        same,
        context,
        notes: notes.finish(),
        budgets_broken,
    }
}
