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

use std::cmp::Ordering;
use std::collections::HashMap;

use serde::Serialize;

use super::view::{RowInfo, NONE};
use super::words::{self, percent_signed, plural};
use crate::compare::{BudgetResult, Comparison, Method, MetricResult, Status, Verdict};
use crate::model::Unit;

/// Changed metrics shown in a row before `+N more`.
const CHANGES_PER_ROW: usize = 4;
/// Benchmarks listed under a note before `… and N more`.
const NOTE_NAMES: usize = 6;

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

impl RowInfo for BenchmarkRow {
    fn has_note(&self) -> bool {
        false
    }
    fn threshold_only(&self) -> bool {
        false
    }
}

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

impl RowInfo for ContextRow {
    fn has_note(&self) -> bool {
        false
    }
    fn threshold_only(&self) -> bool {
        false
    }
}

/// A note said once, with the benchmarks and metrics it applies to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NoteGroup {
    pub text: String,
    /// `BenchmarkX time`, `http_req_duration (p(95), p(99))`, `http_req_duration (p(95) < 200ms)`:
    /// at most 6 benchmarks.
    pub names: Vec<String>,
    /// Names left out of `names`.
    pub more: usize,
}

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

/// How far a change moved, on a log scale, whichever its sign: +100% and -50% weigh the same.
fn magnitude(change: Option<f64>) -> f64 {
    match change {
        Some(c) if c > -1.0 && c.is_finite() => (1.0 + c).ln().abs(),
        Some(_) => f64::INFINITY,
        None => 0.0,
    }
}

/// Which metric of a benchmark leads. For load tests, what says most about the users'
/// experience: percentiles first, then the mean and rates, then the rest (extremes rest on a few
/// requests). For benchmarks, time first, then throughput, then sizes and counts.
fn metric_class(load: bool, r: &MetricResult) -> u8 {
    let metric = r.metric.as_str();
    if load {
        if metric.starts_with("p(") || metric == "med" || metric == "latency" {
            0
        } else if metric == "avg" || metric == "rate" {
            1
        } else {
            2
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
fn benchmark_class(load: bool, benchmark: &str) -> u8 {
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

fn change_text(r: &MetricResult) -> String {
    match (r.baseline, r.current, r.change) {
        (_, _, Some(ch)) => percent_signed(ch),
        (Some(_), Some(_), None) => "n/a".to_string(),
        _ => NONE.to_string(),
    }
}

fn side(r: &MetricResult, s: Option<crate::compare::Side>) -> String {
    s.map_or_else(|| NONE.to_string(), |s| r.unit.format(s.value))
}

fn change_of(r: &MetricResult) -> Change {
    Change {
        metric: r.metric.clone(),
        status: r.status.as_str(),
        change: change_text(r),
        baseline: side(r, r.baseline),
        current: side(r, r.current),
        tag: None,
    }
}

fn evidence(r: &MetricResult) -> String {
    let p = r.p_adjusted.or(r.p_value).map(|p| {
        if p < 0.001 {
            "p < 0.001".to_string()
        } else {
            format!("p = {p:.3}")
        }
    });
    let ci =
        r.ci.map(|(lo, hi)| format!("95% CI {} to {}", percent_signed(lo), percent_signed(hi)));
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
fn change_order(load: bool, a: &MetricResult, b: &MetricResult) -> Ordering {
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
fn benchmark_row(load: bool, results: &[&MetricResult]) -> Option<BenchmarkRow> {
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
        p: match lead_result.p_adjusted.or(lead_result.p_value) {
            Some(p) if p < 0.001 => "<0.001".to_string(),
            Some(p) if p.is_finite() => format!("{p:.3}"),
            _ => NONE.to_string(),
        },
        trend: trend_line(lead_result),
        chart: None,
    })
}

/// The sparkline of a regression, improvement or inconclusive result with a history.
pub(crate) fn trend_line(r: &MetricResult) -> Option<String> {
    if !matches!(
        r.status,
        Status::Regression | Status::Improvement | Status::Inconclusive
    ) {
        return None;
    }
    super::sparkline::sparkline(r.trend.as_deref()?, r.current?.value)
}

/// How far a broken budget is from its limit, for ordering: a missing value first.
fn budget_excess(b: &BudgetResult) -> f64 {
    match b.actual {
        Some(a) if a > 0.0 && b.limit > 0.0 => (a / b.limit).ln().abs(),
        Some(_) => 0.0,
        None => f64::INFINITY,
    }
}

/// `http_req_duration p(95) 312 ms > 200 ms`, or `… not found`.
pub(crate) fn budget_words(b: &BudgetResult) -> String {
    match b.actual {
        Some(a) => {
            let op = match a.partial_cmp(&b.limit) {
                Some(Ordering::Greater) => ">",
                Some(Ordering::Less) => "<",
                _ => "=",
            };
            format!(
                "{} {} {} {op} {}",
                b.benchmark,
                b.metric,
                b.unit.format(a),
                b.unit.format(b.limit)
            )
        }
        None => format!("{} {}: not found", b.benchmark, b.metric),
    }
}

/// Replaces signed percentages (`+939.0%`, `-4.2%`) in a note, so that notes differing only in
/// the change they quote read as one: the rows already show each change.
fn generalize(note: &str) -> String {
    const MARK: &str = "\u{1}";
    let chars: Vec<char> = note.chars().collect();
    let mut out = String::with_capacity(note.len());
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        let starts = matches!(c, '+' | '-' | '−')
            && chars.get(i + 1).is_some_and(char::is_ascii_digit)
            && (i == 0 || chars.get(i - 1).is_some_and(|p| !p.is_alphanumeric()));
        if starts {
            let mut j = i + 1;
            while chars
                .get(j)
                .is_some_and(|d| d.is_ascii_digit() || *d == '.')
            {
                j += 1;
            }
            if chars.get(j) == Some(&'%') {
                out.push_str(MARK);
                i = j + 1;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    out.replace(&format!(" ({MARK} here)"), "")
        .replace(&format!("a change of {MARK}"), "the change")
        .replace(MARK, "the change")
}

/// Notes grouped by text, each with the benchmarks and metrics it applies to.
#[derive(Default)]
struct Notes {
    groups: Vec<NoteDraft>,
}

struct NoteDraft {
    /// The note with its quoted changes generalized: notes with the same key are one.
    key: String,
    /// The note as the first result said it.
    text: String,
    /// Whether notes of the group quote different changes (then the key is shown).
    generalized: bool,
    /// Benchmarks and, for each, what the note applies to (metrics, budget expressions).
    names: Vec<(String, Vec<String>)>,
    /// Where each benchmark is in `names`.
    name_index: HashMap<String, usize>,
}

impl Notes {
    fn add(&mut self, note: &str, benchmark: &str, what: String) {
        let key = generalize(note);
        let i = match self.groups.iter().position(|g| g.key == key) {
            Some(i) => i,
            None => {
                self.groups.push(NoteDraft {
                    key,
                    text: note.to_string(),
                    generalized: false,
                    names: Vec::new(),
                    name_index: HashMap::new(),
                });
                self.groups.len() - 1
            }
        };
        let Some(g) = self.groups.get_mut(i) else {
            return;
        };
        if g.text != note {
            g.generalized = true;
        }
        match g
            .name_index
            .get(benchmark)
            .and_then(|&i| g.names.get_mut(i))
        {
            Some((_, whats)) if !whats.contains(&what) => whats.push(what),
            Some(_) => {}
            None => {
                g.name_index.insert(benchmark.to_string(), g.names.len());
                g.names.push((benchmark.to_string(), vec![what]));
            }
        }
    }

    fn finish(self) -> Vec<NoteGroup> {
        self.groups
            .into_iter()
            .map(|g| {
                let more = g.names.len().saturating_sub(NOTE_NAMES);
                let names = g
                    .names
                    .into_iter()
                    .take(NOTE_NAMES)
                    .map(|(b, whats)| match whats.as_slice() {
                        [one] => format!("{b} {one}"),
                        _ => format!("{b} ({})", whats.join(", ")),
                    })
                    .collect();
                NoteGroup {
                    text: if g.generalized { g.key } else { g.text },
                    names,
                    more,
                }
            })
            .collect()
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
    let mut position: HashMap<&str, usize> = HashMap::new();
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
    let mut rows: Vec<BenchmarkRow> = by_benchmark
        .iter()
        .filter_map(|(_, rs)| benchmark_row(load, rs))
        .collect();
    let magnitudes: HashMap<(&str, &str), f64> = results
        .iter()
        .map(|r| {
            (
                (r.benchmark.as_str(), r.metric.as_str()),
                magnitude(r.change),
            )
        })
        .collect();
    let lead_magnitude = |row: &BenchmarkRow| -> f64 {
        magnitudes
            .get(&(row.benchmark.as_str(), row.lead.metric.as_str()))
            .copied()
            .unwrap_or(0.0)
    };
    let status_of = |row: &BenchmarkRow| -> u8 {
        match row.status {
            "regression" => 0,
            "missing" | "new" if row.fails_gate => 1,
            "inconclusive" => 3,
            "improvement" => 4,
            _ => 5,
        }
    };
    rows.sort_by(|a, b| {
        status_of(a)
            .cmp(&status_of(b))
            .then(benchmark_class(load, &a.benchmark).cmp(&benchmark_class(load, &b.benchmark)))
            .then(
                lead_magnitude(b)
                    .partial_cmp(&lead_magnitude(a))
                    .unwrap_or(Ordering::Equal),
            )
    });
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
            baseline: side(r, r.baseline),
            current: side(r, r.current),
            change: change_text(r),
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
    let mut notes = Notes::default();
    for b in budgets_broken
        .iter()
        .chain(c.budgets.iter().filter(|b| b.passed))
    {
        if let Some(n) = &b.note {
            notes.add(n, &b.benchmark, format!("({})", b.expression));
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

/// `BenchmarkJoin time +3605%`.
fn named_change(row: &BenchmarkRow) -> String {
    match row.status {
        "missing" | "new" => format!("{} ({})", row.benchmark, row.status),
        _ => format!("{} {} {}", row.benchmark, row.lead.metric, row.lead.change),
    }
}

fn noun_count(n: usize, noun: &str) -> String {
    plural(n, noun, &format!("{noun}s"))
}

/// What changed, in a few words, worst first: `1 benchmark slower: BenchmarkJoin time +3605%`,
/// `budget broken: http_req_duration p(95) 312 ms > 200 ms · 9 metrics worse`,
/// `2 inconclusive: …`, `no change in 14 benchmarks`.
#[allow(clippy::too_many_arguments)]
fn heading(
    c: &Comparison,
    load: bool,
    noun: &str,
    failing: &[BenchmarkRow],
    unsure: &[BenchmarkRow],
    better: &[BenchmarkRow],
    same: &[BenchmarkRow],
    context: &[ContextRow],
    budgets_broken: &[BudgetResult],
) -> (&'static str, String) {
    let fail = c.verdict == Verdict::Fail;
    let mut parts: Vec<String> = Vec::new();
    if let Some(worst) = budgets_broken.first() {
        parts.push(match budgets_broken.len() {
            1 => format!("budget broken: {}", budget_words(worst)),
            n => format!("{n} budgets broken: {}", budget_words(worst)),
        });
    }
    let regressions: Vec<&BenchmarkRow> = failing
        .iter()
        .filter(|r| r.status == "regression")
        .collect();
    if let Some(worst) = regressions.first() {
        let speed = |r: &&BenchmarkRow| {
            c.results
                .iter()
                .find(|m| m.benchmark == r.benchmark && m.metric == r.lead.metric)
                .is_some_and(|m| {
                    matches!(
                        m.unit,
                        Unit::Nanoseconds | Unit::PerSecond | Unit::BytesPerSecond
                    )
                })
        };
        let verb = if !load && regressions.iter().all(speed) {
            "slower"
        } else {
            "worse"
        };
        let count = noun_count(regressions.len(), noun);
        let gating = if regressions.iter().any(|r| r.fails_gate) {
            ""
        } else {
            " (not gating)"
        };
        parts.push(if parts.is_empty() {
            format!("{count} {verb}: {}{gating}", named_change(worst))
        } else {
            format!("{count} {verb}{gating}")
        });
    }
    for status in ["missing", "new"] {
        let rows: Vec<&BenchmarkRow> = failing.iter().filter(|r| r.status == status).collect();
        if let Some(first) = rows.first() {
            parts.push(if parts.is_empty() {
                format!(
                    "{} {status}: {}",
                    noun_count(rows.len(), noun),
                    first.benchmark
                )
            } else {
                format!("{} {status}", noun_count(rows.len(), noun))
            });
        }
    }
    if parts.is_empty() {
        if let Some(worst) = unsure.first() {
            let lead = unsure
                .iter()
                .find(|r| {
                    r.changes
                        .first()
                        .is_some_and(|ch| ch.status == "inconclusive")
                })
                .unwrap_or(worst);
            parts.push(format!(
                "{} inconclusive: {}",
                unsure.len(),
                named_change(lead)
            ));
        }
    }
    if parts.is_empty() && fail {
        // The gate failed on something the rows do not show as failing: counts that follow the
        // test's duration, or the whole suite's shift.
        let counted: Vec<&ContextRow> = context.iter().filter(|r| r.fails_gate).collect();
        parts.push(match counted.first() {
            Some(first) => format!(
                "the gate failed on counts that follow the test's duration: {} {} {}",
                first.benchmark, first.metric, first.change
            ),
            None if c.reasons.is_empty() => "failed".to_string(),
            None => c.reasons.join(", "),
        });
    }
    if parts.is_empty() {
        if let Some(best) = better.first() {
            let verb = if load { "better" } else { "faster" };
            parts.push(format!(
                "{} {verb}: {}",
                noun_count(better.len(), noun),
                named_change(best)
            ));
        } else if !same.is_empty() {
            parts.push(format!("no change in {}", noun_count(same.len(), noun)));
        } else {
            parts.push(match c.budgets.len() {
                0 => "nothing to compare".to_string(),
                1 => "the budget is met".to_string(),
                n => format!("all {n} budgets met"),
            });
        }
    }
    let icon = if fail {
        "❌"
    } else if !failing.is_empty() || !unsure.is_empty() || !budgets_broken.is_empty() {
        "⚠️"
    } else {
        "✅"
    };
    (icon, parts.join(" · "))
}

/// The rows counted: `1 budget broken · 1 regression · 2 inconclusive · 14 unchanged`.
fn benchmark_summary(
    failing: &[BenchmarkRow],
    unsure: &[BenchmarkRow],
    better: &[BenchmarkRow],
    same: &[BenchmarkRow],
    c: &Comparison,
) -> String {
    let count = |rows: &[BenchmarkRow], s: &str| rows.iter().filter(|r| r.status == s).count();
    let parts: Vec<String> = [
        (c.counts.budgets_broken, "budget broken", "budgets broken"),
        (count(failing, "regression"), "regression", "regressions"),
        (count(failing, "missing"), "missing", "missing"),
        (count(failing, "new"), "new", "new"),
        (unsure.len(), "inconclusive", "inconclusive"),
        (better.len(), "improvement", "improvements"),
        (count(same, "unchanged"), "unchanged", "unchanged"),
        (count(same, "new"), "new", "new"),
        (count(same, "missing"), "missing", "missing"),
        (c.counts.budgets_passed, "budget met", "budgets met"),
    ]
    .iter()
    .filter(|(n, _, _)| *n > 0)
    .map(|&(n, one, many)| plural(n, one, many))
    .collect();
    if parts.is_empty() {
        "nothing compared".to_string()
    } else {
        parts.join(" · ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_that_differ_only_in_the_change_read_as_one() {
        assert_eq!(
            generalize("no noise estimate, but a change of +939.0% is beyond 40% (`large_change`)"),
            "no noise estimate, but the change is beyond 40% (`large_change`)"
        );
        assert_eq!(
            generalize("not gated without a history of runs (+863.0% here)"),
            "not gated without a history of runs"
        );
        assert_eq!(
            generalize("p(95) -4.2% and x-1.5%"),
            "p(95) the change and x-1.5%"
        );
        assert_eq!(generalize("at least 5 per side"), "at least 5 per side");
    }

    #[test]
    fn changes_weigh_the_same_both_ways_on_a_log_scale() {
        assert!((magnitude(Some(1.0)) - magnitude(Some(-0.5))).abs() < 1e-12);
        assert_eq!(magnitude(Some(-1.0)), f64::INFINITY);
        assert_eq!(magnitude(None), 0.0);
    }
}
