//! The rows of the report's tables, with every number already formatted (`1.23 ms`, `+12.3%`,
//! `p = 0.004`): one metric of one benchmark ([`ResultRow`]), one budget check ([`BudgetRow`]),
//! where a run was made ([`RunView`]), and the [`Section`] that holds a part's rows. Text from the
//! input is kept raw: each renderer escapes it for its medium.

use serde::Serialize;

use super::benchmark_rows::trend_line;
use super::words::{self, percent_plain, percent_signed};
use crate::compare::{BudgetResult, Method, MetricResult, Side};
use crate::model::RunMeta;

/// Shown in a cell that has no value.
pub const NONE: &str = "—";

/// Rows of one part of the report. `rows` may be shortened to fit a size limit; `total` counts
/// them all and `more` the ones left out.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Section<T> {
    pub rows: Vec<T>,
    pub total: usize,
    pub more: usize,
    /// Whether any shown row has a note.
    pub has_notes: bool,
    /// Whether any shown row was decided by the threshold alone (one value on a side).
    pub has_threshold: bool,
}

/// Something a section row can say about itself; a row says neither unless it says otherwise.
pub trait RowInfo {
    fn has_note(&self) -> bool {
        false
    }
    fn threshold_only(&self) -> bool {
        false
    }
}

impl<T: RowInfo> Section<T> {
    pub(crate) fn new(rows: Vec<T>) -> Section<T> {
        let mut s = Section {
            total: rows.len(),
            rows,
            more: 0,
            has_notes: false,
            has_threshold: false,
        };
        s.refresh();
        s
    }

    fn refresh(&mut self) {
        self.more = self.total.saturating_sub(self.rows.len());
        self.has_notes = self.rows.iter().any(RowInfo::has_note);
        self.has_threshold = self.rows.iter().any(RowInfo::threshold_only);
    }
}

/// A section of any rows, as a report shortened to fit sees it.
pub(crate) trait Capped {
    /// Keeps at most `max` rows.
    fn cap(&mut self, max: usize);
    /// The rows shown.
    fn shown(&self) -> usize;
    /// The rows left out.
    fn left_out(&self) -> usize;
}

impl<T: RowInfo> Capped for Section<T> {
    fn cap(&mut self, max: usize) {
        self.rows.truncate(max);
        self.refresh();
    }
    fn shown(&self) -> usize {
        self.rows.len()
    }
    fn left_out(&self) -> usize {
        self.more
    }
}

/// One metric of one benchmark, formatted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResultRow {
    pub benchmark: String,
    pub metric: String,
    /// Canonical unit, such as `ns`.
    pub unit: String,
    /// `lower_is_better` or `higher_is_better`.
    pub direction: &'static str,
    /// `regression`, `improvement`, `inconclusive`, `unchanged`, `new` or `missing`.
    pub status: &'static str,
    /// `mann_whitney`, `threshold`, `exact`, `prediction_interval` or `none`.
    pub method: &'static str,
    /// `1.20 ms`, or `—` when the side is absent.
    pub baseline: String,
    pub current: String,
    /// `+12.3%`; `n/a` when the baseline is zero; `—` when a side is absent.
    pub change: String,
    /// `+9.8% to +14.9%`, or `—`.
    pub ci: String,
    /// The p-value that decided (adjusted over the comparison's metrics): `p = 0.004`,
    /// `p < 0.001`, or `—`.
    pub p: String,
    /// The same p-value alone: `0.004`, `<0.001`, or `—`.
    pub p_short: String,
    /// The p-value before adjustment, formatted as `p`.
    pub p_raw: String,
    /// The change in plain words: `+12.3% (95% CI +9.8% to +14.9%, p = 0.001 after correction
    /// over 312 metrics)`, `+25.0% (deterministic: exact)`, `+22.0% vs the mean of 30 runs
    /// (p = 0.004)`, `+25.0% (one value per side, no test)`, or `—`.
    pub explained: String,
    /// Observations per side: `10 → 10`, `— → 5`.
    pub n: String,
    /// The relative threshold applied: `5%`.
    pub threshold: String,
    pub fails_gate: bool,
    pub note: Option<String>,
    /// Regressions, improvements and inconclusive results with a history of more than one
    /// run: the baseline branch's recent values and the current one, `▁▂▁▃▂▁→█`.
    pub trend: Option<String>,
}

impl RowInfo for ResultRow {
    fn has_note(&self) -> bool {
        self.note.is_some()
    }
    fn threshold_only(&self) -> bool {
        self.method == method_str(Method::Threshold)
    }
}

/// One budget check, formatted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BudgetRow {
    pub benchmark: String,
    pub metric: String,
    /// As written in the configuration: `p(95) < 200ms`.
    pub expression: String,
    /// `212 ms`, or `—` when the value was not found.
    pub actual: String,
    pub limit: String,
    pub unit: String,
    pub passed: bool,
    pub note: Option<String>,
}

impl RowInfo for BudgetRow {
    fn has_note(&self) -> bool {
        self.note.is_some()
    }
}

/// Where and when a run was made.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunView {
    pub commit: Option<String>,
    /// The first 7 characters of a hexadecimal commit id; other ids as they are.
    pub short_commit: Option<String>,
    pub branch: Option<String>,
    pub timestamp: Option<String>,
    pub tool: Option<String>,
    pub os: Option<String>,
    pub arch: Option<String>,
    pub cpu: Option<String>,
    pub cores: Option<u32>,
    pub runner: Option<String>,
    /// The runs of this commit the side was given as (several result files of the same
    /// benchmarks); 1 for one run. A baseline that is a history of runs is 1 here, its last run.
    pub runs: usize,
}

/// A side's value in the metric's unit (`1.20 ms`), or `—` when the side is absent.
pub(super) fn value_cell(r: &MetricResult, side: Option<Side>) -> String {
    side.map_or_else(|| NONE.to_string(), |s| r.unit.format(s.value))
}

/// The change: `+12.3%`; `n/a` when the baseline is zero; `—` when a side is absent.
pub(super) fn change_cell(r: &MetricResult) -> String {
    match (r.baseline, r.current, r.change) {
        (_, _, Some(ch)) => percent_signed(ch),
        (Some(_), Some(_), None) => "n/a".to_string(),
        _ => NONE.to_string(),
    }
}

/// `p = 0.004`, `p < 0.001` (as [`words::p_value`] quotes it) or `—`, and the short form.
pub(super) fn p_cells(p: Option<f64>) -> (String, String) {
    match p.filter(|p| p.is_finite()) {
        Some(p) if p < 0.001 => (words::p_value(p), "<0.001".to_string()),
        Some(p) => (words::p_value(p), format!("{p:.3}")),
        None => (NONE.to_string(), NONE.to_string()),
    }
}

/// A result row; `corrected_over` is the size of the comparison's multiple-testing family.
pub(crate) fn result_row(r: &MetricResult, corrected_over: usize) -> ResultRow {
    let n = |s: Option<Side>| match s {
        Some(s) => s.n.to_string(),
        None => NONE.to_string(),
    };
    let change = change_cell(r);
    let (p, p_short) = p_cells(r.p_adjusted.or(r.p_value));
    let (p_raw, _) = p_cells(r.p_value);
    let ci = match r.ci {
        Some((lo, hi)) => words::percent_range(lo, hi),
        None => NONE.to_string(),
    };
    let p_words = if p == NONE {
        None
    } else if r.p_adjusted.is_some() && corrected_over > 1 {
        Some(format!(
            "{p} after correction over {corrected_over} metrics"
        ))
    } else {
        Some(p.clone())
    };
    let explained = if change == NONE {
        NONE.to_string()
    } else {
        match r.method {
            Method::MannWhitney | Method::ModeratedT => match (r.ci.is_some(), &p_words) {
                (true, Some(pw)) => format!("{change} (95% CI {ci}, {pw})"),
                (true, None) => format!("{change} (95% CI {ci})"),
                (false, Some(pw)) => format!("{change} ({pw})"),
                (false, None) => change.clone(),
            },
            Method::PredictionInterval => {
                let runs = r.baseline.map(|s| s.n).unwrap_or_default();
                match &p_words {
                    Some(pw) => format!("{change} vs the mean of {runs} runs ({pw})"),
                    None => format!("{change} vs the mean of {runs} runs"),
                }
            }
            Method::RunToRun => match &p_words {
                Some(pw) => format!("{change} against the rest of the suite (95% CI {ci}, {pw})"),
                None => format!("{change} against the rest of the suite (95% CI {ci})"),
            },
            Method::Exact => format!("{change} (deterministic: exact)"),
            Method::Threshold => format!("{change} (one value per side, no test)"),
            Method::None => change.clone(),
        }
    };
    ResultRow {
        benchmark: r.benchmark.clone(),
        metric: r.metric.clone(),
        unit: r.unit.as_str().to_string(),
        direction: r.direction.as_str(),
        status: r.status.as_str(),
        method: method_str(r.method),
        baseline: value_cell(r, r.baseline),
        current: value_cell(r, r.current),
        change,
        ci,
        p,
        p_short,
        p_raw,
        explained,
        n: format!("{} → {}", n(r.baseline), n(r.current)),
        threshold: percent_plain(r.threshold),
        fails_gate: r.fails_gate,
        note: words::note(&r.note),
        trend: trend_line(r),
    }
}

pub(crate) fn budget_row(b: &BudgetResult) -> BudgetRow {
    BudgetRow {
        benchmark: b.benchmark.clone(),
        metric: b.metric.clone(),
        expression: b.expression.clone(),
        actual: match b.actual {
            Some(v) => b.format(v),
            None => NONE.to_string(),
        },
        limit: b.format(b.limit),
        unit: b.unit.as_str().to_string(),
        passed: b.passed,
        note: words::budget_note(&b.note),
    }
}

/// `m` as a report shows it, a side given as `runs` runs of its commit.
pub(super) fn run_view(m: &RunMeta, runs: usize) -> RunView {
    RunView {
        commit: m.commit.clone(),
        // Trimmed here (the run line always was); the watch and alert sections show an id as
        // it was given.
        short_commit: m
            .commit
            .as_deref()
            .map(|c| words::short_commit(c.trim()).to_string()),
        branch: m.branch.clone(),
        timestamp: m.timestamp.clone(),
        tool: m.tool.clone(),
        os: m.environment.os.clone(),
        arch: m.environment.arch.clone(),
        cpu: m.environment.cpu.clone(),
        cores: m.environment.cores,
        runner: m.environment.runner.clone(),
        runs,
    }
}

/// The method's name as the JSON report spells it.
pub fn method_str(m: Method) -> &'static str {
    match m {
        Method::MannWhitney => "mann_whitney",
        Method::ModeratedT => "moderated_t",
        Method::RunToRun => "run_to_run",
        Method::Threshold => "threshold",
        Method::Exact => "exact",
        Method::PredictionInterval => "prediction_interval",
        Method::None => "none",
    }
}
