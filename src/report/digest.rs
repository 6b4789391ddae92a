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
use crate::compare::{
    BudgetResult, Comparison, Method, MetricResult, Note, Status, Ungated, Unmeasured,
};

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
    /// Changed statistics that one value a side does not gate (a run's extremes, a command's
    /// `system` time), shown apart; and when and why, in words.
    pub ungated: Vec<ContextRow>,
    pub ungated_why: String,
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

/// The order of broken budgets in every report: furthest over its limit first (a missing value
/// before any), stable among equals.
pub(super) fn worst_budget_first(a: &BudgetResult, b: &BudgetResult) -> Ordering {
    budget_excess(b)
        .partial_cmp(&budget_excess(a))
        .unwrap_or(Ordering::Equal)
}

/// When and why the statistics shown apart are not gated, from their notes: `without a history
/// of runs: `max`, `min` and percentiles beyond 99.9 rest on a run's few slowest or fastest
/// requests`.
fn ungated_why(results: &[&MetricResult], min_points: usize) -> String {
    let mut few = false;
    let mut kernel: Option<f64> = None;
    let mut when: Option<Unmeasured> = None;
    for n in results.iter().flat_map(|r| &r.note.0) {
        if let Note::NotGated {
            why, unmeasured, ..
        } = n
        {
            when.get_or_insert(*unmeasured);
            match why {
                Ungated::FewRequests => few = true,
                Ungated::KernelTime { rerun_move } => kernel = Some(*rerun_move),
            }
        }
    }
    let when = words::not_gated_when(&when.unwrap_or(Unmeasured::NoHistory), Some(min_points));
    let mut parts = Vec::new();
    if few {
        parts.push(
            "`max`, `min` and percentiles beyond 99.9 rest on a run's few slowest or fastest requests"
                .to_string(),
        );
    }
    if let Some(moved) = kernel {
        parts.push(format!(
            "a command's `system` time is a few milliseconds in the kernel, which reruns of unchanged code moved by up to {} (the command's time decides)",
            words::percent_plain(moved)
        ));
    }
    if parts.is_empty() {
        // Read back from a comparison file, whose notes are words.
        parts.push("reruns of unchanged code move them too far to gate on one run".to_string());
    }
    format!("{when}: {}", parts.join("; "))
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

    // Counts that follow a load test's duration, and statistics one value a side does not gate.
    let (duration_counts, ungated_results): (Vec<&MetricResult>, Vec<&MetricResult>) =
        context_results
            .into_iter()
            .filter(|r| r.status != Status::Unchanged)
            .partition(|r| load && crate::compare::follows_duration(r));
    let context_row = |r: &&MetricResult| ContextRow {
        benchmark: r.benchmark.clone(),
        metric: r.metric.clone(),
        baseline: value_cell(r, r.baseline),
        current: value_cell(r, r.current),
        change: change_cell(r),
        fails_gate: r.fails_gate,
    };
    let context: Vec<ContextRow> = duration_counts.iter().map(context_row).collect();
    let ungated: Vec<ContextRow> = ungated_results.iter().map(context_row).collect();
    let ungated_why = ungated_why(&ungated_results, c.settings.history_min_points);

    let mut budgets_broken: Vec<BudgetResult> =
        c.budgets.iter().filter(|b| !b.passed).cloned().collect();
    budgets_broken.sort_by(worst_budget_first);

    // Notes of the changed metrics and of the budgets, each once.
    let mut notes = NoteGroups::default();
    for b in budgets_broken
        .iter()
        .chain(c.budgets.iter().filter(|b| b.passed))
    {
        if let Some(n) = words::budget_note(&b.note) {
            notes.add(&n, None, &b.benchmark, format!("({})", b.expression));
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
        let change = r.change.map(|c| words::percent_quoted(Some(c)));
        match (words::note(&r.note), r.method) {
            (Some(n), _) => notes.add(&n, change.as_deref(), &r.benchmark, metric),
            (None, Method::Threshold) => notes.add(
                "one value per side: no noise estimate, decided by the threshold alone",
                None,
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
        ungated,
        ungated_why,
        notes: notes.finish(),
        budgets_broken,
    }
}
