//! The view model: a [`Comparison`] turned into what people read, with every number already
//! formatted (`1.23 ms`, `+12.3%`, `p = 0.004`) and results grouped into the sections a report
//! shows. Markdown templates (built-in or the user's) and the terminal table render from it, so
//! numbers read the same everywhere. Text from the input (names, notes, units) is kept raw here:
//! each renderer escapes it for its medium. The heading, which every report shows as it is, names
//! benchmarks as [`display_name`] shows them (shortened when long); the Markdown report shortens
//! the other names likewise ([`View::shorten_names`]), and the terminal to its columns.
//!
//! The rooms it is built from: [`super::rows`] (the detailed tables' rows and cells),
//! [`super::digest`] (one row per benchmark, worst first), [`super::headline`] (the report in a
//! line, the counts in words) and [`super::method_notes`] (how the comparison was made).

use serde::Serialize;

use super::benchmark_rows::{BenchmarkRow, ContextRow};
use super::digest::digest;
use super::headline::{details_summary, headline, summary};
use super::method_notes::{correction, environment_note, moderation, same_machine, suite_note};
use super::names::display_name;
use super::note_groups::NoteGroup;
use super::rows::{
    budget_row, result_row, run_view, BudgetRow, Capped, ResultRow, RunView, Section,
};
use super::words::{self, percent_plain, trim_number};
use crate::compare::{Comparison, Counts, MetricResult, Status, Verdict};

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
    /// Where every result can be read when rows are left out, as the caller says: "the terminal
    /// report (the job log)", or the JSON report and its path in backticks (pass it through
    /// `note`).
    pub full_list: String,
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
    /// What the suite-wide shift was (against one baseline run, or the current run's machine
    /// against a history's) and what the verdict did with it, when it is beyond the threshold
    /// (within it, `moderation` says it in passing).
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
    /// Changed statistics that one value a side does not gate without a history of runs (a
    /// run's `max`, `min` and extreme percentiles, a command's `system` time): inconclusive,
    /// shown apart, never failing the gate.
    pub ungated: Section<ContextRow>,
    /// When and why `ungated` is not gated, in words (`without a history of runs: ...`, with
    /// code spans: pass it through `note`).
    pub ungated_why: String,
    /// Notes of the changed metrics and the budgets, each said once with what it applies to.
    pub notes: Vec<NoteGroup>,
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
    build(c, true)
}

/// The view with its per-metric sections (`regressions`, `missing`, `new`, `inconclusive`,
/// `improvements`, `others`) left empty: for the terminal, which shows a row per benchmark and
/// would otherwise format a row for every metric only to print none of them (a fifth of
/// `compare` at 1,000 benchmarks).
pub(crate) fn benchmark_view(c: &Comparison) -> View {
    build(c, false)
}

fn build(c: &Comparison, metric_rows: bool) -> View {
    let rows_where = |keep: &dyn Fn(&MetricResult) -> bool| -> Vec<ResultRow> {
        if !metric_rows {
            return Vec::new();
        }
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
    let other = |r: &MetricResult| {
        matches!(r.status, Status::Unchanged | Status::New | Status::Missing) && !r.fails_gate
    };
    let others = rows_where(&other);
    let budgets_passed: Vec<BudgetRow> = c
        .budgets
        .iter()
        .filter(|b| b.passed)
        .map(budget_row)
        .collect();
    let others_summary = details_summary(
        c.results
            .iter()
            .filter(|r| other(r))
            .map(|r| r.status.as_str()),
        budgets_passed.len(),
    );
    let passed = c.verdict == Verdict::Pass;
    let d = digest(c);
    // Worst first, as the digest orders them.
    let budgets_broken: Vec<BudgetRow> = d.budgets_broken.iter().map(budget_row).collect();
    let same_summary = details_summary(d.same.iter().map(|r| r.status), budgets_passed.len());
    View {
        title: "perfgate".to_string(),
        verdict: c.verdict.as_str(),
        passed,
        icon: if passed { "✅" } else { "❌" },
        headline: headline(c),
        summary: summary(&c.counts),
        counts: c.counts,
        reasons: words::reasons(&c.reasons),
        baseline: c.baseline.as_ref().map(|m| {
            run_view(
                m,
                if c.baseline_one_commit {
                    c.baseline_runs
                } else {
                    1
                },
            )
        }),
        current: run_view(&c.current, c.current_runs),
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
        full_list: super::markdown::FULL_LIST_DEFAULT.to_string(),
        total_results: c.results.len(),
        total_budgets: c.budgets.len(),
        corrected_over: c.corrected_over,
        correction: correction(c),
        moderation: moderation(c),
        suite_note: suite_note(c),
        cross_environment: c.cross_environment(),
        environment_differences: c.environment_differences.clone(),
        environment_note: environment_note(c),
        baseline_runs: c.baseline_runs,
        other_environment_runs: c.other_environment_runs,
        same_machine: same_machine(c),
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
        ungated: Section::new(d.ungated),
        ungated_why: d.ungated_why,
        notes: d.notes,
    }
}

/// How much of [`View::cap`]'s cap a section keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Share {
    Whole,
    Quarter,
}

impl View {
    /// Hides the collapsed details and keeps at most `max` rows in the sections that fail the
    /// gate, and a quarter of that (at least one) in the inconclusive and improved ones.
    pub fn cap(&mut self, max: usize) {
        self.hide_details();
        let minor = (max / 4).max(1);
        let mut cut = false;
        for (share, section) in self.capped_sections() {
            section.cap(match share {
                Share::Whole => max,
                Share::Quarter => minor,
            });
            cut |= section.left_out() > 0;
        }
        self.notes.truncate(max);
        if cut {
            self.shortened = true;
        }
    }

    /// The smallest `max` of [`View::cap`] that leaves every row in (the sections of minor rows
    /// keep a quarter of it), and every note. Mutable only to walk the same sections as `cap`.
    pub(crate) fn rows_uncapped(&mut self) -> usize {
        let mut most = self.notes.len().max(1);
        for (share, section) in self.capped_sections() {
            let rows = section.shown();
            most = most.max(match share {
                Share::Whole => rows,
                Share::Quarter => 4 * rows,
            });
        }
        most
    }

    /// The sections [`View::cap`] shortens, with the share of the cap each keeps: every row up
    /// to the cap where the gate fails or results are missing or new, a quarter of it for the
    /// inconclusive, improved and ungated ones.
    fn capped_sections(&mut self) -> [(Share, &mut dyn Capped); 11] {
        [
            (Share::Whole, &mut self.regressions),
            (Share::Whole, &mut self.budgets_broken),
            (Share::Whole, &mut self.missing),
            (Share::Whole, &mut self.new),
            (Share::Whole, &mut self.failing),
            (Share::Quarter, &mut self.inconclusive),
            (Share::Quarter, &mut self.improvements),
            (Share::Quarter, &mut self.unsure),
            (Share::Quarter, &mut self.better),
            (Share::Quarter, &mut self.context),
            (Share::Quarter, &mut self.ungated),
        ]
    }

    /// The sections of result rows, one metric each, mutable.
    fn result_sections(&mut self) -> [&mut Section<ResultRow>; 6] {
        [
            &mut self.regressions,
            &mut self.missing,
            &mut self.new,
            &mut self.inconclusive,
            &mut self.improvements,
            &mut self.others,
        ]
    }

    /// The sections of benchmark rows (a benchmark's metrics together), mutable.
    fn benchmark_sections(&mut self) -> [&mut Section<BenchmarkRow>; 4] {
        [
            &mut self.failing,
            &mut self.unsure,
            &mut self.better,
            &mut self.same,
        ]
    }

    /// Shows every name from the input (benchmarks, metrics, budgets, the names of notes) as
    /// [`display_name`] does: a long one shortened in the middle, so that one name of 100,000
    /// characters cannot take a report's room. The heading names them so already. Call it
    /// after [`View::link_charts`], whose links name each series whole.
    pub fn shorten_names(&mut self) {
        fn short(s: &mut String) {
            let shown = match display_name(s) {
                std::borrow::Cow::Owned(t) => Some(t),
                std::borrow::Cow::Borrowed(_) => None,
            };
            if let Some(t) = shown {
                *s = t;
            }
        }
        for s in self.result_sections() {
            for r in &mut s.rows {
                short(&mut r.benchmark);
                short(&mut r.metric);
            }
        }
        for s in [&mut self.budgets_broken, &mut self.budgets_passed] {
            for b in &mut s.rows {
                short(&mut b.benchmark);
                short(&mut b.metric);
                short(&mut b.expression);
            }
        }
        for s in self.benchmark_sections() {
            for r in &mut s.rows {
                short(&mut r.benchmark);
                short(&mut r.lead.metric);
                r.changes.iter_mut().for_each(|ch| short(&mut ch.metric));
            }
        }
        for s in [&mut self.context, &mut self.ungated] {
            for r in &mut s.rows {
                short(&mut r.benchmark);
                short(&mut r.metric);
            }
        }
        for n in &mut self.notes {
            n.names.iter_mut().for_each(short);
        }
    }

    /// Leaves out the trends of every row: the first thing to go when a report is too long.
    /// Returns whether there were any.
    pub fn hide_trends(&mut self) -> bool {
        let mut any = false;
        let mut clear = |t: &mut Option<String>| any |= t.take().is_some();
        for s in self.benchmark_sections() {
            s.rows.iter_mut().for_each(|r| {
                clear(&mut r.trend);
                r.chart = None;
            });
        }
        for s in self.result_sections() {
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
        for s in self.benchmark_sections() {
            for r in s.rows.iter_mut().filter(|r| r.trend.is_some()) {
                let mut link = format!(
                    "{base}#b={}&m={}",
                    percent_encode(&r.benchmark),
                    percent_encode(&r.lead.metric)
                );
                if let Some(k) = key {
                    link.push_str(&format!("&k={}", percent_encode(k)));
                }
                // A link of a name of thousands of characters would take the comment's room
                // (and no browser keeps it whole): that row keeps its trend, without a link.
                r.chart = (link.len() <= MAX_CHART_LINK).then_some(link);
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

/// The longest chart link a row gets, in bytes.
const MAX_CHART_LINK: usize = 2_000;

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
