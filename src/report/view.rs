//! The view model: a [`Comparison`] turned into what people read, with every number already
//! formatted (`1.23 ms`, `+12.3%`, `p = 0.004`) and results grouped into the sections a report
//! shows. Markdown templates (built-in or the user's) and the terminal table render from it, so
//! numbers read the same everywhere. Text from the input (names, notes, units) is kept raw here:
//! each renderer escapes it for its medium.

use serde::Serialize;

use super::digest::{digest, BenchmarkRow, ContextRow, NoteGroup};
use super::words::{self, percent_plain, percent_signed, plural, trim_number};
use crate::compare::{
    BudgetResult, Comparison, Counts, Method, MetricResult, Moderation, Status, Verdict,
};
use crate::model::RunMeta;

/// Shown in a cell that has no value.
pub const NONE: &str = "—";

/// What report templates receive. See the module documentation of [`crate::report`] for the
/// meaning of each field.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct View {
    pub title: String,
    /// `pass` or `fail`.
    pub verdict: &'static str,
    pub passed: bool,
    /// `✅` or `❌`.
    pub icon: &'static str,
    /// The verdict in words: `2 regressions, 1 budget broken`, `no regressions`.
    pub headline: String,
    /// The non-zero counts in words: `2 regressions · 1 improvement · 3 unchanged`.
    pub summary: String,
    pub counts: Counts,
    pub reasons: Vec<String>,
    pub baseline: Option<RunView>,
    pub current: RunView,
    pub settings: SettingsView,
    pub regressions: Section<ResultRow>,
    pub budgets_broken: Section<BudgetRow>,
    /// Missing results that fail the gate (the others are in `others`).
    pub missing: Section<ResultRow>,
    /// New results that fail the gate (the others are in `others`).
    pub new: Section<ResultRow>,
    pub inconclusive: Section<ResultRow>,
    pub improvements: Section<ResultRow>,
    /// Everything else: unchanged, and new or missing results that do not fail the gate.
    pub others: Section<ResultRow>,
    pub budgets_passed: Section<BudgetRow>,
    /// What `others` and `budgets_passed` hold, in words: `3 unchanged, 1 new, 2 budgets met`.
    pub others_summary: String,
    /// Whether to show `others` and `budgets_passed` (in a collapsed block); false when the
    /// report had to be shortened.
    pub details: bool,
    /// True when rows were left out to fit the size limit.
    pub shortened: bool,
    /// True when the rows' trends were left out to fit the size limit (they go first).
    pub trends_hidden: bool,
    /// A command to reproduce the run locally, when the caller gave one.
    pub reproduce: Option<String>,
    pub total_results: usize,
    pub total_budgets: usize,
    /// How many metrics the p-values were adjusted over (Benjamini-Hochberg).
    pub corrected_over: usize,
    /// `p-values adjusted for false discoveries over 312 metrics (Benjamini-Hochberg)`, when
    /// more than one metric had a p-value.
    pub correction: Option<String>,
    /// How the moderated t test learnt the noise, in plain words, when it decided metrics.
    pub moderation: Option<String>,
    /// Whether the baseline ran in a different environment.
    pub cross_environment: bool,
    /// What the suite-wide shift against one baseline run was and what the verdict did with it,
    /// when it is beyond the threshold (within it, `moderation` says it in passing).
    pub suite_note: Option<String>,
    /// How the environments differ: `cpu: AMD EPYC 7763 → Intel Xeon 8370C`.
    pub environment_differences: Vec<String>,
    /// What a cross-environment comparison means for the gate, in words (or none).
    pub environment_note: Option<String>,
    /// How many baseline runs were read (more than 1 with a store history).
    pub baseline_runs: usize,
    /// Runs of the history left out because they ran on another kind of machine.
    pub other_environment_runs: usize,
    /// `on the same kind of machine (12 runs on others left out)`, when some were.
    pub same_machine: Option<String>,
    /// `❌` when the gate failed, `⚠️` when it passed with regressions, broken budgets or
    /// inconclusive results, `✅` otherwise.
    pub heading_icon: &'static str,
    /// What changed, worst first: `1 benchmark slower: BenchmarkJoin time +3605%`,
    /// `budget broken: http_req_duration p(95) 312 ms > 200 ms · 9 metrics worse`.
    pub heading: String,
    /// Benchmarks (for load tests, metrics) counted by their worst change, and budgets:
    /// `1 budget broken · 1 regression · 14 unchanged`.
    pub benchmark_summary: String,
    /// What a row is: `benchmark`, or `metric` for a load test (a k6 metric with its statistics).
    pub noun: &'static str,
    /// One row per benchmark, its changed metrics folded in, worst first: benchmarks with a
    /// regression (or missing or new and failing the gate).
    pub failing: Section<BenchmarkRow>,
    /// Benchmarks whose worst change is inconclusive.
    pub unsure: Section<BenchmarkRow>,
    /// Benchmarks whose worst change is an improvement.
    pub better: Section<BenchmarkRow>,
    /// Benchmarks without a change (and new or missing ones not failing the gate).
    pub same: Section<BenchmarkRow>,
    /// What `same` and `budgets_passed` hold: `14 unchanged, 2 budgets met`.
    pub same_summary: String,
    /// Load tests: changed counts that only follow the test's duration or throughput (requests,
    /// iterations, bytes, passes and fails of a rate), shown as context, not as regressions.
    pub context: Section<ContextRow>,
    /// How many of `context` the gate counts as regressions anyway.
    pub context_gating: usize,
    /// Notes of the changed metrics and the budgets, each said once with what it applies to.
    pub notes: Vec<NoteGroup>,
}

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

/// Something a section row can say about itself.
pub trait RowInfo {
    fn has_note(&self) -> bool;
    fn threshold_only(&self) -> bool;
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

    /// Keeps at most `max` rows.
    pub fn cap(&mut self, max: usize) {
        self.rows.truncate(max);
        self.refresh();
    }

    fn refresh(&mut self) {
        self.more = self.total.saturating_sub(self.rows.len());
        self.has_notes = self.rows.iter().any(RowInfo::has_note);
        self.has_threshold = self.rows.iter().any(RowInfo::threshold_only);
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
    fn threshold_only(&self) -> bool {
        false
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
}

/// The settings in force, formatted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SettingsView {
    /// `5%`.
    pub threshold: String,
    /// `0.05`.
    pub alpha: String,
    pub min_samples: usize,
    pub fail_on_regression: bool,
    pub fail_on_missing: bool,
    pub fail_on_new: bool,
    pub fail_on_inconclusive: bool,
    pub allow_cross_environment: bool,
    /// Runs of history read with a store: `30`.
    pub history_window: usize,
    /// Level of the history's prediction interval: `98%`.
    pub history_confidence: String,
    /// `test`: `auto` or `mann-whitney`.
    pub test: String,
}

/// Builds the view model of a comparison, with every row shown.
pub fn view(c: &Comparison) -> View {
    let rows_where = |keep: &dyn Fn(&MetricResult) -> bool| -> Vec<ResultRow> {
        c.results
            .iter()
            .filter(|r| keep(r))
            .map(|r| result_row(r, c.corrected_over))
            .collect()
    };
    let is = |s: Status| move |r: &MetricResult| r.status == s;
    let regressions = rows_where(&is(Status::Regression));
    let inconclusive = rows_where(&is(Status::Inconclusive));
    let improvements = rows_where(&is(Status::Improvement));
    let missing = rows_where(&|r| r.status == Status::Missing && r.fails_gate);
    let new = rows_where(&|r| r.status == Status::New && r.fails_gate);
    let others = rows_where(&|r| {
        matches!(r.status, Status::Unchanged | Status::New | Status::Missing) && !r.fails_gate
    });
    let budgets_passed: Vec<BudgetRow> = c
        .budgets
        .iter()
        .filter(|b| b.passed)
        .map(budget_row)
        .collect();
    let others_summary = others_summary(&others, budgets_passed.len());
    let passed = c.verdict == Verdict::Pass;
    let d = digest(c);
    // Worst first, as the digest orders them.
    let budgets_broken: Vec<BudgetRow> = d.budgets_broken.iter().map(budget_row).collect();
    let same_summary = {
        let count = |s: &str| d.same.iter().filter(|r| r.status == s).count();
        let parts: Vec<String> = [
            (count("unchanged"), "unchanged", "unchanged"),
            (count("new"), "new", "new"),
            (count("missing"), "missing", "missing"),
            (budgets_passed.len(), "budget met", "budgets met"),
        ]
        .iter()
        .filter(|(n, _, _)| *n > 0)
        .map(|&(n, one, many)| plural(n, one, many))
        .collect();
        parts.join(", ")
    };
    View {
        title: "perfgate".to_string(),
        verdict: c.verdict.as_str(),
        passed,
        icon: if passed { "✅" } else { "❌" },
        headline: headline(c),
        summary: summary(&c.counts),
        counts: c.counts,
        reasons: c.reasons.clone(),
        baseline: c.baseline.as_ref().map(run_view),
        current: run_view(&c.current),
        settings: SettingsView {
            threshold: percent_plain(c.settings.threshold),
            alpha: trim_number(c.settings.alpha, 4),
            min_samples: c.settings.min_samples,
            fail_on_regression: c.settings.fail_on_regression,
            fail_on_missing: c.settings.fail_on_missing,
            fail_on_new: c.settings.fail_on_new,
            fail_on_inconclusive: c.settings.fail_on_inconclusive,
            allow_cross_environment: c.settings.allow_cross_environment,
            history_window: c.settings.history_window,
            history_confidence: percent_plain(c.settings.history_confidence),
            test: c.settings.test.clone(),
        },
        regressions: Section::new(regressions),
        budgets_broken: Section::new(budgets_broken),
        missing: Section::new(missing),
        new: Section::new(new),
        inconclusive: Section::new(inconclusive),
        improvements: Section::new(improvements),
        others: Section::new(others),
        budgets_passed: Section::new(budgets_passed),
        others_summary,
        details: true,
        shortened: false,
        trends_hidden: false,
        reproduce: None,
        total_results: c.results.len(),
        total_budgets: c.budgets.len(),
        corrected_over: c.corrected_over,
        correction: (c.corrected_over > 1).then(|| {
            format!(
                "p-values adjusted for false discoveries over {} metrics (Benjamini-Hochberg)",
                c.corrected_over
            )
        }),
        moderation: {
            let samples = c.moderation.map(|m| {
                moderation_words(
                    &m,
                    "with samples were tested together (moderated t test on log values)",
                    "noise",
                )
            });
            let histories = c.history_moderation.map(|m| {
                moderation_words(
                    &m,
                    "with one value per run were judged against their histories together (moderated prediction intervals)",
                    "run-to-run noise",
                )
            });
            let suite = c
                .suite
                .as_ref()
                .filter(|s| s.status == Status::Unchanged)
                .map(suite_words);
            let parts: Vec<String> = [samples, histories, suite].into_iter().flatten().collect();
            (!parts.is_empty()).then(|| parts.join(". "))
        },
        suite_note: c
            .suite
            .as_ref()
            .filter(|s| s.status != Status::Unchanged)
            .map(|s| suite_note(s, c.settings.threshold)),
        cross_environment: c.cross_environment(),
        environment_differences: c.environment_differences.clone(),
        environment_note: c.cross_environment().then(|| environment_note(c)),
        baseline_runs: c.baseline_runs,
        other_environment_runs: c.other_environment_runs,
        same_machine: (c.other_environment_runs > 0).then(|| {
            format!(
                "on the same kind of machine ({} left out)",
                plural(c.other_environment_runs, "run on another", "runs on others")
            )
        }),
        heading_icon: d.heading_icon,
        heading: d.heading,
        benchmark_summary: d.benchmark_summary,
        noun: d.noun,
        failing: Section::new(d.failing),
        unsure: Section::new(d.unsure),
        better: Section::new(d.better),
        same: Section::new(d.same),
        same_summary,
        context_gating: d.context.iter().filter(|r| r.fails_gate).count(),
        context: Section::new(d.context),
        notes: d.notes,
    }
}

/// What a comparison across environments means for the gate.
fn environment_note(c: &Comparison) -> String {
    let what = format!(
        "The baseline ran in a different environment ({})",
        c.environment_differences.join(", ")
    );
    if c.settings.allow_cross_environment {
        format!("{what}; every metric gates anyway (allow_cross_environment is set), so machine differences can show as changes.")
    } else {
        format!("{what}: noisy metrics such as times cannot fail the gate (their regressions are inconclusive); deterministic metrics such as instruction counts and sizes still gate.")
    }
}

impl View {
    /// Hides the collapsed details and keeps at most `max` rows in the sections that fail the
    /// gate, and a quarter of that (at least one) in the inconclusive and improved ones.
    pub fn cap(&mut self, max: usize) {
        self.hide_details();
        let minor = (max / 4).max(1);
        self.regressions.cap(max);
        self.budgets_broken.cap(max);
        self.missing.cap(max);
        self.new.cap(max);
        self.inconclusive.cap(minor);
        self.improvements.cap(minor);
        self.failing.cap(max);
        self.unsure.cap(minor);
        self.better.cap(minor);
        self.context.cap(minor);
        self.notes.truncate(max);
        let cut = [
            self.failing.more,
            self.unsure.more,
            self.better.more,
            self.context.more,
            self.regressions.more,
            self.budgets_broken.more,
            self.missing.more,
            self.new.more,
            self.inconclusive.more,
            self.improvements.more,
        ];
        if cut.iter().any(|&m| m > 0) {
            self.shortened = true;
        }
    }

    /// Leaves out the trends of every row: the first thing to go when a report is too long.
    /// Returns whether there were any.
    pub fn hide_trends(&mut self) -> bool {
        let mut any = false;
        let mut clear = |t: &mut Option<String>| any |= t.take().is_some();
        for s in [
            &mut self.failing,
            &mut self.unsure,
            &mut self.better,
            &mut self.same,
        ] {
            s.rows.iter_mut().for_each(|r| {
                clear(&mut r.trend);
                r.chart = None;
            });
        }
        for s in [
            &mut self.regressions,
            &mut self.missing,
            &mut self.new,
            &mut self.inconclusive,
            &mut self.improvements,
            &mut self.others,
        ] {
            s.rows.iter_mut().for_each(|r| clear(&mut r.trend));
        }
        self.trends_hidden |= any;
        any
    }

    /// Links each benchmark row that has a trend to its chart on the dashboard at `url` (the
    /// page's address), the series of `key` when given: `{url}#b=<benchmark>&m=<metric>&k=<key>`,
    /// every name percent-encoded, so that no name can change the link or the Markdown around it.
    pub fn link_charts(&mut self, url: &str, key: Option<&str>) {
        let base = url.split('#').next().unwrap_or(url);
        for s in [
            &mut self.failing,
            &mut self.unsure,
            &mut self.better,
            &mut self.same,
        ] {
            for r in s.rows.iter_mut().filter(|r| r.trend.is_some()) {
                let mut link = format!(
                    "{base}#b={}&m={}",
                    percent_encode(&r.benchmark),
                    percent_encode(&r.lead.metric)
                );
                if let Some(k) = key {
                    link.push_str(&format!("&k={}", percent_encode(k)));
                }
                r.chart = Some(link);
            }
        }
    }

    /// Hides the collapsed details (unchanged results and passed budgets).
    pub fn hide_details(&mut self) {
        if self.details
            && (self.others.total > 0 || self.same.total > 0 || self.budgets_passed.total > 0)
        {
            self.details = false;
            self.shortened = true;
        }
    }
}

/// `p = 0.004`, `p < 0.001` or `—`, and the short form.
fn p_cells(p: Option<f64>) -> (String, String) {
    match p {
        Some(p) if p < 0.001 => ("p < 0.001".to_string(), "<0.001".to_string()),
        Some(p) if p.is_finite() => (format!("p = {p:.3}"), format!("{p:.3}")),
        _ => (NONE.to_string(), NONE.to_string()),
    }
}

/// A result row; `corrected_over` is the size of the comparison's multiple-testing family.
pub(crate) fn result_row(r: &MetricResult, corrected_over: usize) -> ResultRow {
    let side = |s: Option<crate::compare::Side>| match s {
        Some(s) => r.unit.format(s.value),
        None => NONE.to_string(),
    };
    let n = |s: Option<crate::compare::Side>| match s {
        Some(s) => s.n.to_string(),
        None => NONE.to_string(),
    };
    let change = match (r.baseline, r.current, r.change) {
        (_, _, Some(ch)) => percent_signed(ch),
        (Some(_), Some(_), None) => "n/a".to_string(),
        _ => NONE.to_string(),
    };
    let (p, p_short) = p_cells(r.p_adjusted.or(r.p_value));
    let (p_raw, _) = p_cells(r.p_value);
    let ci = match r.ci {
        Some((lo, hi)) => format!("{} to {}", percent_signed(lo), percent_signed(hi)),
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
        baseline: side(r.baseline),
        current: side(r.current),
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
        trend: super::digest::trend_line(r),
    }
}

pub(crate) fn budget_row(b: &BudgetResult) -> BudgetRow {
    BudgetRow {
        benchmark: b.benchmark.clone(),
        metric: b.metric.clone(),
        expression: b.expression.clone(),
        actual: match b.actual {
            Some(v) => b.unit.format(v),
            None => NONE.to_string(),
        },
        limit: b.unit.format(b.limit),
        unit: b.unit.as_str().to_string(),
        passed: b.passed,
        note: b.note.clone(),
    }
}

fn run_view(m: &RunMeta) -> RunView {
    RunView {
        commit: m.commit.clone(),
        short_commit: m.commit.as_deref().map(short_commit),
        branch: m.branch.clone(),
        timestamp: m.timestamp.clone(),
        tool: m.tool.clone(),
        os: m.environment.os.clone(),
        arch: m.environment.arch.clone(),
        cpu: m.environment.cpu.clone(),
        cores: m.environment.cores,
        runner: m.environment.runner.clone(),
    }
}

fn short_commit(commit: &str) -> String {
    let c = commit.trim();
    if c.len() > 7 && c.chars().all(|ch| ch.is_ascii_hexdigit()) {
        c.chars().take(7).collect()
    } else {
        c.to_string()
    }
}

/// "48 metrics with samples were tested together (moderated t test on log values): their
/// typical noise is 4.9% and each borrowed 36 degrees of freedom from the others".
/// How metrics were judged against their suite, in passing.
fn suite_words(s: &crate::compare::SuiteShift) -> String {
    format!(
        "With one baseline run, the {} speed metrics of {} benchmarks were judged against the rest of the suite: the whole run is {} {} than the baseline run, and one metric moves by {} between runs beyond its repeats' noise",
        s.metrics,
        s.benchmarks,
        one_decimal(s.change.abs()),
        if s.change > 0.0 { "slower" } else { "faster" },
        one_decimal(s.between_cv)
    )
}

/// A suite-wide shift beyond the threshold, on its own.
fn suite_note(s: &crate::compare::SuiteShift, threshold: f64) -> String {
    let way = if s.change > 0.0 { "slower" } else { "faster" };
    let what = match s.status {
        Status::Regression | Status::Improvement => format!(
            "beyond what a machine does between runs (`large_change`): the whole run is {way}"
        ),
        _ => format!(
            "beyond the {} threshold: the machine, or a change that makes everything {way}; one pair of runs cannot tell them apart, so it is inconclusive (run the job again, or keep a history of runs, to tell)",
            percent_plain(threshold)
        ),
    };
    format!(
        "The whole run is {} {way} than the baseline run (the median of {} speed metrics of {} benchmarks), {what}. Each metric was judged by its change against the rest of the suite, with the run-to-run spread the suite shows ({} per metric beyond its repeats' noise), so a slower machine does not fail the gate and a benchmark that got slower than the rest does.",
        one_decimal(s.change.abs()),
        s.metrics,
        s.benchmarks,
        one_decimal(s.between_cv)
    )
}

/// "3.1%": a ratio as a percentage with one decimal.
fn one_decimal(v: f64) -> String {
    format!("{:.1}%", v * 100.0)
}

fn moderation_words(m: &Moderation, what: &str, noise: &str) -> String {
    // A test never gets more than the pooled degrees of freedom of all the metrics.
    let borrowed = match m.prior_df {
        Some(df) if m.pooled_df <= 0.0 || df < m.pooled_df => {
            format!("each borrowed {df:.0} degrees of freedom from the others")
        }
        _ if m.pooled_df > 0.0 => format!(
            "they are about as noisy as each other, so each test uses the noise of all ({:.0} degrees of freedom)",
            m.pooled_df
        ),
        _ => "they are about as noisy as each other, so each test uses the noise of all".to_string(),
    };
    format!(
        "{} {what}: their typical {noise} is {:.1}% and {borrowed}",
        plural(m.metrics, "metric", "metrics"),
        m.prior_cv * 100.0
    )
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

fn headline(c: &Comparison) -> String {
    if c.verdict == Verdict::Fail {
        return if c.reasons.is_empty() {
            "failed".to_string()
        } else {
            c.reasons.join(", ")
        };
    }
    if c.results.is_empty() {
        return match c.budgets.len() {
            0 => "nothing to compare".to_string(),
            1 => "the budget is met".to_string(),
            n => format!("all {n} budgets met"),
        };
    }
    let mut text = match c.counts.regression {
        0 => "no regressions".to_string(),
        n => format!("{} (not gating)", plural(n, "regression", "regressions")),
    };
    if c.counts.improvement > 0 {
        text.push_str(", ");
        text.push_str(&plural(c.counts.improvement, "improvement", "improvements"));
    }
    text
}

fn summary(c: &Counts) -> String {
    let parts: Vec<String> = [
        (c.regression, "regression", "regressions"),
        (c.budgets_broken, "budget broken", "budgets broken"),
        (c.missing, "missing", "missing"),
        (c.new, "new", "new"),
        (c.inconclusive, "inconclusive", "inconclusive"),
        (c.improvement, "improvement", "improvements"),
        (c.unchanged, "unchanged", "unchanged"),
        (c.budgets_passed, "budget met", "budgets met"),
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

fn others_summary(others: &[ResultRow], budgets_passed: usize) -> String {
    let count = |s: Status| others.iter().filter(|r| r.status == s.as_str()).count();
    let parts: Vec<String> = [
        (count(Status::Unchanged), "unchanged", "unchanged"),
        (count(Status::New), "new", "new"),
        (count(Status::Missing), "missing", "missing"),
        (budgets_passed, "budget met", "budgets met"),
    ]
    .iter()
    .filter(|(n, _, _)| *n > 0)
    .map(|&(n, one, many)| plural(n, one, many))
    .collect();
    parts.join(", ")
}

/// The bytes of RFC 3986 that are not unreserved (letters, digits, `-`, `.`, `_`, `~`).
const RESERVED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// `text` with every byte but the unreserved characters of RFC 3986 written as `%XX`: a name
/// that goes into a link or a request path can change neither, nor the Markdown around it.
pub fn percent_encode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, RESERVED).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_read_as_signed_percentages() {
        assert_eq!(percent_signed(0.123), "+12.3%");
        assert_eq!(percent_signed(-0.04), "-4.0%");
        assert_eq!(percent_signed(0.0001), "0.0%");
        assert_eq!(percent_signed(-0.0001), "0.0%");
        assert_eq!(percent_signed(12.5), "+1250%");
        assert_eq!(percent_signed(f64::NAN), "n/a");
    }

    #[test]
    fn settings_drop_needless_digits() {
        assert_eq!(percent_plain(0.05), "5%");
        assert_eq!(percent_plain(0.025), "2.5%");
        assert_eq!(trim_number(0.05, 4), "0.05");
        assert_eq!(trim_number(0.1, 4), "0.1");
    }

    #[test]
    fn only_hexadecimal_commits_are_shortened() {
        assert_eq!(short_commit("0123456789abcdef"), "0123456");
        assert_eq!(short_commit("v1.2.3-rc"), "v1.2.3-rc");
        assert_eq!(short_commit("abc"), "abc");
    }
}
