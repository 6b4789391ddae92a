//! The JSON report, `perfgate.report.v1`: a stable contract for scripts and later CI steps. It is
//! built from dedicated `Serialize` structs (not from the comparison types) so that refactoring
//! the comparison cannot change the contract by accident; field order is the declaration order.

use std::collections::BTreeMap;

use serde::Serialize;

use super::rows::method_str;
use super::REPORT_SCHEMA;
use crate::compare::{BudgetNote, BudgetResult, Comparison, MetricResult, Notes, Reason, Side};
use crate::model::RunMeta;

#[derive(Serialize)]
struct Report<'a> {
    schema: &'static str,
    verdict: &'static str,
    counts: CountsJson,
    /// Worded (`report::words`).
    reasons: &'a [Reason],
    settings: SettingsJson<'a>,
    multiple_comparisons: MultipleJson,
    moderation: Option<ModerationJson>,
    history_moderation: Option<ModerationJson>,
    history_tails: Option<crate::compare::HistoryTails>,
    /// The suite-wide shift against one baseline run, when metrics were judged against it, or
    /// the current run's machine against a history's, when each run's was taken out.
    suite: Option<&'a crate::compare::SuiteShift>,
    cross_environment: bool,
    environment_differences: &'a [String],
    baseline_runs: usize,
    baseline_one_commit: bool,
    current_runs: usize,
    one_value_per_run: bool,
    machine_taken_out: bool,
    other_environment_runs: usize,
    baseline_run: Option<RunJson<'a>>,
    current_run: RunJson<'a>,
    results: Vec<ResultJson<'a>>,
    budgets: Vec<BudgetJson<'a>>,
}

#[derive(Serialize)]
struct CountsJson {
    regression: usize,
    improvement: usize,
    inconclusive: usize,
    unchanged: usize,
    new: usize,
    missing: usize,
    budgets_passed: usize,
    budgets_broken: usize,
}

#[derive(Serialize)]
struct SettingsJson<'a> {
    threshold: f64,
    alpha: f64,
    min_samples: usize,
    fail_on_regression: bool,
    fail_on_missing: bool,
    fail_on_new: bool,
    fail_on_inconclusive: bool,
    allow_cross_environment: bool,
    history: HistoryJson,
    test: &'a str,
}

#[derive(Serialize)]
struct HistoryJson {
    window: usize,
    min_points: usize,
    pool: usize,
    confidence: f64,
}

#[derive(Serialize)]
struct MultipleJson {
    method: &'static str,
    metrics: usize,
}

#[derive(Serialize)]
struct ModerationJson {
    method: &'static str,
    metrics: usize,
    prior_df: Option<f64>,
    prior_cv: f64,
    pooled_df: f64,
}

fn moderation_json(m: crate::compare::Moderation) -> ModerationJson {
    ModerationJson {
        method: "limma_ebayes",
        metrics: m.metrics,
        prior_df: m.prior_df,
        prior_cv: m.prior_cv,
        pooled_df: m.pooled_df,
    }
}

#[derive(Serialize)]
struct RunJson<'a> {
    commit: Option<&'a str>,
    branch: Option<&'a str>,
    timestamp: Option<&'a str>,
    tool: Option<&'a str>,
    environment: EnvironmentJson<'a>,
}

#[derive(Serialize)]
struct EnvironmentJson<'a> {
    os: Option<&'a str>,
    arch: Option<&'a str>,
    cpu: Option<&'a str>,
    cores: Option<u32>,
    runner: Option<&'a str>,
    extra: &'a BTreeMap<String, String>,
}

#[derive(Serialize)]
struct SideJson {
    value: f64,
    n: usize,
}

#[derive(Serialize)]
struct ResultJson<'a> {
    benchmark: &'a str,
    metric: &'a str,
    unit: &'a str,
    direction: &'static str,
    baseline: Option<SideJson>,
    current: Option<SideJson>,
    change: Option<f64>,
    ci: Option<[f64; 2]>,
    p_value: Option<f64>,
    p_adjusted: Option<f64>,
    status: &'static str,
    method: &'static str,
    threshold: f64,
    deterministic: bool,
    fails_gate: bool,
    /// Worded, or null (`report::words`).
    note: &'a Notes,
    /// The baseline branch's recent run values, oldest first; absent without a history.
    #[serde(skip_serializing_if = "Option::is_none")]
    trend: Option<&'a [f64]>,
    /// Context, never gated: a load test's count that follows its duration, or a statistic that
    /// one value a side does not gate (a run's `max`, a command's `system` time); absent
    /// otherwise.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    context: bool,
}

#[derive(Serialize)]
struct BudgetJson<'a> {
    benchmark: &'a str,
    metric: &'a str,
    expression: &'a str,
    actual: Option<f64>,
    limit: f64,
    unit: &'a str,
    passed: bool,
    /// Worded, or null (`report::words`).
    note: Option<&'a BudgetNote>,
    /// A size limit written in decimal multiples: shown in them (kept for comments rendered
    /// from this report).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    decimal: bool,
}

/// The comparison as pretty-printed JSON (`perfgate.report.v1`), ending with a newline.
/// Numbers are in each metric's canonical unit; non-finite numbers become `null`.
pub fn render_json(c: &Comparison) -> String {
    let k = &c.counts;
    let s = &c.settings;
    let report = Report {
        schema: REPORT_SCHEMA,
        verdict: c.verdict.as_str(),
        counts: CountsJson {
            regression: k.regression,
            improvement: k.improvement,
            inconclusive: k.inconclusive,
            unchanged: k.unchanged,
            new: k.new,
            missing: k.missing,
            budgets_passed: k.budgets_passed,
            budgets_broken: k.budgets_broken,
        },
        reasons: &c.reasons,
        settings: SettingsJson {
            threshold: s.threshold,
            alpha: s.alpha,
            min_samples: s.min_samples,
            fail_on_regression: s.fail_on_regression,
            fail_on_missing: s.fail_on_missing,
            fail_on_new: s.fail_on_new,
            fail_on_inconclusive: s.fail_on_inconclusive,
            allow_cross_environment: s.allow_cross_environment,
            history: HistoryJson {
                window: s.history_window,
                min_points: s.history_min_points,
                pool: s.history_pool,
                confidence: s.history_confidence,
            },
            test: &s.test,
        },
        multiple_comparisons: MultipleJson {
            method: "benjamini_hochberg",
            metrics: c.corrected_over,
        },
        moderation: c.moderation.map(moderation_json),
        history_moderation: c.history_moderation.map(moderation_json),
        history_tails: c.history_tails,
        suite: c.suite.as_ref(),
        cross_environment: c.cross_environment(),
        environment_differences: &c.environment_differences,
        baseline_runs: c.baseline_runs,
        baseline_one_commit: c.baseline_one_commit,
        current_runs: c.current_runs,
        one_value_per_run: c.one_value_per_run,
        machine_taken_out: c.machine_taken_out,
        other_environment_runs: c.other_environment_runs,
        baseline_run: c.baseline.as_ref().map(run),
        current_run: run(&c.current),
        results: c.results.iter().map(result).collect(),
        budgets: c.budgets.iter().map(budget).collect(),
    };
    match serde_json::to_string_pretty(&report) {
        Ok(mut text) => {
            text.push('\n');
            text
        }
        // Unreachable with these types (string keys only), but a report must never panic.
        Err(e) => {
            let fallback = serde_json::json!({ "schema": REPORT_SCHEMA, "error": e.to_string() });
            format!("{fallback}\n")
        }
    }
}

fn run(m: &RunMeta) -> RunJson<'_> {
    let e = &m.environment;
    RunJson {
        commit: m.commit.as_deref(),
        branch: m.branch.as_deref(),
        timestamp: m.timestamp.as_deref(),
        tool: m.tool.as_deref(),
        environment: EnvironmentJson {
            os: e.os.as_deref(),
            arch: e.arch.as_deref(),
            cpu: e.cpu.as_deref(),
            cores: e.cores,
            runner: e.runner.as_deref(),
            extra: &e.extra,
        },
    }
}

fn side(s: Option<Side>) -> Option<SideJson> {
    s.map(|s| SideJson {
        value: s.value,
        n: s.n,
    })
}

fn result(r: &MetricResult) -> ResultJson<'_> {
    ResultJson {
        benchmark: &r.benchmark,
        metric: &r.metric,
        unit: r.unit.as_str(),
        direction: r.direction.as_str(),
        baseline: side(r.baseline),
        current: side(r.current),
        change: r.change,
        ci: r.ci.map(|(lo, hi)| [lo, hi]),
        p_value: r.p_value,
        p_adjusted: r.p_adjusted,
        status: r.status.as_str(),
        method: method_str(r.method),
        threshold: r.threshold,
        deterministic: r.deterministic,
        fails_gate: r.fails_gate,
        note: &r.note,
        trend: r.trend.as_deref(),
        context: r.context,
    }
}

fn budget(b: &BudgetResult) -> BudgetJson<'_> {
    BudgetJson {
        benchmark: &b.benchmark,
        metric: &b.metric,
        expression: &b.expression,
        actual: b.actual,
        limit: b.limit,
        unit: b.unit.as_str(),
        passed: b.passed,
        note: b.note.as_ref(),
        decimal: b.decimal,
    }
}
