//! Pairs the metrics of a baseline (one run, or a history of runs) and a current run, decides each
//! one, corrects for multiple comparisons, checks budgets, and applies the configuration's gate
//! rules. Pure: no I/O.
//!
//! A metric is decided in two steps. `assess` computes what the data say (the change, its
//! interval, a raw p-value); once every metric of the comparison is assessed, the p-values are
//! adjusted together (Benjamini-Hochberg), and `settle` turns each assessment into a status with
//! the adjusted p-value. Deciding on the adjusted p-values keeps the expected share of false
//! alarms among the flagged metrics at the significance level, however many metrics a run has.

use std::collections::HashMap;

use crate::config::{glob_matches, Budget, Config, TestChoice, MODERATION_MIN_METRICS};
use crate::model::{Data, Direction, Environment, Run, Unit};
use crate::stats;

use super::history::{self, without_far_out, FAR_OUT};
use super::types::*;

/// Confidence level of the reported intervals of the change.
pub const CONFIDENCE: f64 = 0.95;

/// The power the "repeats per side" estimate of an inconclusive result aims for.
pub const TARGET_POWER: f64 = 0.8;

/// The statistics a latency histogram is compared through, named as k6 names them.
const HISTOGRAM_STATS: &[(&str, Option<f64>)] = &[
    ("avg", None),
    ("p(50)", Some(0.50)),
    ("p(90)", Some(0.90)),
    ("p(95)", Some(0.95)),
    ("p(99)", Some(0.99)),
    ("p(99.9)", Some(0.999)),
    ("max", Some(1.0)),
];

/// One comparable quantity: a metric (or a statistic of a histogram) of a benchmark.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub benchmark: String,
    pub metric: String,
    pub unit: Unit,
    pub direction: Direction,
    /// One value, or the samples.
    pub values: Vec<f64>,
}

/// Flattens a run into comparable series; histograms become one series per statistic (`p(95)`,
/// or `<metric> p(95)` when a benchmark has several histograms).
pub fn series(run: &Run) -> Vec<Series> {
    let mut out = Vec::new();
    for b in &run.benchmarks {
        let histograms = b
            .metrics
            .iter()
            .filter(|m| matches!(m.data, Data::Histogram(_)))
            .count();
        for m in &b.metrics {
            match &m.data {
                Data::Value(v) => out.push(Series {
                    benchmark: b.name.clone(),
                    metric: m.name.clone(),
                    unit: m.unit.clone(),
                    direction: m.direction,
                    values: vec![*v],
                }),
                Data::Samples(s) => out.push(Series {
                    benchmark: b.name.clone(),
                    metric: m.name.clone(),
                    unit: m.unit.clone(),
                    direction: m.direction,
                    values: s.clone(),
                }),
                Data::Histogram(h) => {
                    if h.is_empty() {
                        continue;
                    }
                    for (stat, q) in HISTOGRAM_STATS {
                        let v = match q {
                            Some(q) => h.quantile(*q),
                            None => h.mean(),
                        };
                        let metric = if histograms > 1 {
                            format!("{} {stat}", m.name)
                        } else {
                            (*stat).to_string()
                        };
                        out.push(Series {
                            benchmark: b.name.clone(),
                            metric,
                            unit: m.unit.clone(),
                            direction: m.direction,
                            values: vec![v],
                        });
                    }
                }
            }
        }
    }
    out
}

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

/// Whether a metric is deterministic: an exact count or size that does not vary between runs of
/// the same code (instruction counts, estimated cycles, cache hits and accesses from a
/// simulator, allocations, allocated bytes, binary and file sizes). Times, rates and ratios never
/// are; hardware `cycles` and memory use (RSS, `memory`, peaks) vary and are not. A rule's
/// `deterministic = true/false` overrides this.
pub fn is_deterministic(metric: &str, unit: &Unit) -> bool {
    if matches!(
        unit,
        Unit::Nanoseconds | Unit::BytesPerSecond | Unit::PerSecond | Unit::Ratio
    ) {
        return false;
    }
    let name: String = metric
        .to_ascii_lowercase()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    let has = |words: &[&str]| words.iter().any(|w| name.contains(w));
    if has(&["rss", "memory", "peak", "heap", "resident"]) {
        return false;
    }
    // Callgrind / iai-callgrind event names: Ir (instructions), Dr/Dw (data reads/writes),
    // I1mr, D1mr, ... (misses), L1/LL/RAM hits, total read+write, estimated cycles.
    let callgrind = [
        "ir", "dr", "dw", "i1mr", "d1mr", "d1mw", "ilmr", "dlmr", "dlmw", "bc", "bcm", "bi", "bim",
    ];
    if callgrind.contains(&name.as_str()) {
        return true;
    }
    if has(&[
        "instruction",
        "instr",
        "estimatedcycles",
        "hits",
        "misses",
        "accesses",
        "cache",
        "totalreadwrite",
        "alloc",
    ]) {
        return true;
    }
    *unit == Unit::Bytes && has(&["size", "binary", "wasm", "executable"])
}

/// The summary of a series: its median (the value itself for one value).
fn summary(values: &[f64]) -> f64 {
    stats::median(values).unwrap_or(f64::NAN)
}

/// A run's value of a series in a history: the median of its logs (the value itself for one
/// value), as the data branch's index keeps it.
pub fn run_value(values: &[f64]) -> f64 {
    stats::log_median(values).unwrap_or(f64::NAN)
}

/// How the environments of two runs differ, on the fields known on both sides
/// ([`Environment::differences`]).
pub fn environment_differences(base: &Environment, cur: &Environment) -> Vec<String> {
    base.differences(cur)
}

/// Whether two runs ran on the same kind of machine: no known difference in os, arch, cpu, cores,
/// memory or runner ([`environment_differences`]).
pub fn same_machine(a: &Run, b: &Run) -> bool {
    environment_differences(&a.meta.environment, &b.meta.environment).is_empty()
}

/// The runs of `history` to compare `current` with. Shared CI runners change machine from job to
/// job (GitHub's hosted runners have several CPU models), and a history mixes them: the runs that
/// ran on the current run's kind of machine (no known difference in os, arch, cpu, cores, memory
/// or runner) are the comparable ones. They are used when there are any, unless cross-environment
/// comparisons are allowed, where they must be enough for an interval (`min_points`) to be
/// preferred to the whole history. Otherwise the whole history.
fn same_environment<'a>(history: &'a [Run], current: &Run, config: &Config) -> Vec<&'a Run> {
    let runs: Vec<&Run> = history.iter().collect();
    comparable(&runs, current, config)
        .into_iter()
        .filter_map(|i| history.get(i))
        .collect()
}

/// The runs of `history` (oldest first) that [`compare_history`] judges `current` against: those
/// on its kind of machine (see `same_environment`), the last `history.window` of them. The watch
/// on the default branch reads the same runs, so that it announces what the gate sees.
pub fn history_window<'a>(history: &'a [Run], current: &Run, config: &Config) -> Vec<&'a Run> {
    let pool = same_environment(history, current, config);
    last_window(&pool, config).to_vec()
}

/// The last `history.window` runs of `pool`.
fn last_window<'p, 'a>(pool: &'p [&'a Run], config: &Config) -> &'p [&'a Run] {
    pool.get(pool.len().saturating_sub(config.history.window.max(1))..)
        .unwrap_or(pool)
}

/// [`same_environment`] as positions in `history`.
fn comparable(history: &[&Run], current: &Run, config: &Config) -> Vec<usize> {
    let same: Vec<usize> = history
        .iter()
        .enumerate()
        .filter(|(_, r)| same_machine(r, current))
        .map(|(i, _)| i)
        .collect();
    let enough = if config.allow_cross_environment {
        same.len() >= config.history.min_points
    } else {
        !same.is_empty()
    };
    if enough {
        same
    } else {
        (0..history.len()).collect()
    }
}

/// Positions in `history` (oldest first, the baseline run last) of the runs whose samples
/// [`compare_history`] compares with: the latest of the runs it uses ([`same_environment`]) and
/// the ones `history.pool` pools with it. Every other run counts only through its run values
/// ([`run_value`]), which a store's index keeps, so a store needs to read no other run in full.
pub fn runs_with_samples(history: &[&Run], current: &Run, config: &Config) -> Vec<usize> {
    let used = comparable(history, current, config);
    let take = config.history.pool.max(1).min(config.history.window.max(1));
    used.get(used.len().saturating_sub(take)..)
        .unwrap_or_default()
        .to_vec()
}

/// Compares `current` with `baseline` (None: budgets only) under `config`.
pub fn compare(baseline: Option<&Run>, current: &Run, config: &Config) -> Comparison {
    match baseline {
        Some(b) => compare_history(std::slice::from_ref(b), current, config),
        None => compare_history(&[], current, config),
    }
}

/// What `settle` needs beyond the result itself.
struct Draft {
    result: MetricResult,
    /// The rules the metric was assessed under, for `settle` to decide with.
    rules: Rules,
    /// Pooled standard deviation of the log values of both sides (samples only).
    log_sd: Option<f64>,
    /// The prediction interval a single value was judged against.
    prediction: Option<stats::Prediction>,
    /// Baseline runs that had a value, when the history was too short for an interval.
    short_history: Option<usize>,
    /// What was left out of a history before judging against it.
    shape: HistoryShape,
    /// Both samples on a log scale, for the moderated t test (positive samples only), without
    /// their far-out values.
    log_two: Option<stats::LogTwoSample>,
    /// How many far-out values `log_two` leaves out.
    outliers: usize,
    /// The log shift, worse-positive, with its within-run error: a member of the suite whose
    /// run-to-run spread decides metrics compared with one baseline run.
    within: Option<stats::SuiteMember>,
    /// Every repeat shows the change (all current values beyond all baseline values by more than
    /// the threshold, the change beyond `large_change`): the regression or improvement it is.
    obvious: Option<Status>,
    /// The change against the baseline run, when the suite's shift was taken out of `change`.
    raw_change: Option<f64>,
    /// One value per side and no noise estimate: what was decided, for `settle` to word.
    no_noise: Option<NoNoise>,
}

/// How a change with no noise estimate (one value per side, no usable history) was decided.
#[derive(Debug, Clone, Copy, PartialEq)]
enum NoNoise {
    /// Within the threshold.
    Within,
    /// A latency statistic that moved less than the latency floor (its absolute change).
    UnderFloor(f64),
    /// `max` or `min`: one request each, not gated without a history.
    Extreme,
    /// Beyond `large_change`: decided.
    Large,
    /// Beyond the threshold, within `large_change`: inconclusive.
    Unsure,
}

/// The multiple-comparison context of a comparison: how many metrics had a p-value and how many
/// of them the adjusted p-values flag.
#[derive(Debug, Clone, Copy)]
struct Family {
    size: usize,
    discoveries: usize,
}

/// Compares `current` with a history of baseline runs, oldest first: the last run is the
/// latest, and only the last `config.history.window` runs are used. An empty history checks
/// budgets only.
///
/// - Deterministic metrics are decided exactly against the latest run ([`Method::Exact`]).
/// - Metrics with samples on both sides are compared with the latest run's samples, or the
///   pooled samples of the last `config.history.pool` runs ([`Method::MannWhitney`]).
/// - A single current value, with at least `config.history.min_points` runs of history, is
///   judged against the log-scale prediction interval of those runs
///   ([`Method::PredictionInterval`]); with less history, against the latest run's value by the
///   threshold alone ([`Method::Threshold`]).
///
/// The p-values of all metrics are adjusted together (Benjamini-Hochberg) before deciding. Only
/// the runs on the current run's kind of machine are used when there are some (see
/// `same_environment`). When the latest baseline ran in another environment, noisy metrics cannot
/// fail the gate (their regressions become inconclusive) unless `config.allow_cross_environment`
/// is set.
pub fn compare_history(history: &[Run], current: &Run, config: &Config) -> Comparison {
    let pool = same_environment(history, current, config);
    let other_environment_runs = history.len() - pool.len();
    let window = last_window(&pool, config);
    let latest = window.last().copied();
    let cur = series(current);
    let runs: Vec<Vec<Series>> = window.iter().map(|r| series(r)).collect();
    let indexes: Vec<HashMap<(&str, &str), &Series>> = runs.iter().map(|r| index(r)).collect();
    let latest_index = indexes.last();
    let environment_differences = latest
        .map(|b| environment_differences(&b.meta.environment, &current.meta.environment))
        .unwrap_or_default();
    let gate_noisy = environment_differences.is_empty() || config.allow_cross_environment;
    let load_test =
        is_k6(current.meta.tool.as_deref()) || is_k6(latest.and_then(|b| b.meta.tool.as_deref()));

    let mut drafts: Vec<Draft> = Vec::new();
    let mut missing = Vec::new();
    if let Some(latest_index) = latest_index {
        // The baseline series some current series was paired with: the others are missing.
        let mut paired: std::collections::HashSet<(&str, &str)> = Default::default();
        for c in &cur {
            let key = (c.benchmark.as_str(), c.metric.as_str());
            let latest = lookup(latest_index, key.0, key.1);
            if let Some(b) = latest {
                paired.insert((b.benchmark.as_str(), b.metric.as_str()));
            }
            let Some((direction, rules)) = rules_for(c, latest, config) else {
                continue;
            };
            let draft = match latest {
                None => Draft::plain(only_one_side(c, direction, &rules, Status::New), rules),
                Some(b) => {
                    let past: Vec<&Series> = indexes
                        .iter()
                        .filter_map(|i| lookup(i, key.0, key.1))
                        .collect();
                    let mut d = assess_with_history(b, &past, c, direction, &rules, config);
                    d.result.trend = trend(&past, c);
                    d
                }
            };
            drafts.push(draft);
        }
        if let Some(latest_runs) = runs.last() {
            for b in latest_runs {
                if paired.contains(&(b.benchmark.as_str(), b.metric.as_str())) {
                    continue;
                }
                let Some((direction, rules)) = rules_for(b, None, config) else {
                    continue;
                };
                missing.push(only_one_side(b, direction, &rules, Status::Missing));
            }
        }
    }

    let (moderation, history_moderation) = match config.test {
        TestChoice::Auto => (moderate(&mut drafts), moderate_histories(&mut drafts)),
        TestChoice::MannWhitney => (None, None),
    };
    let suite = match config.test {
        TestChoice::Auto => judge_against_suite(&mut drafts, config),
        TestChoice::MannWhitney => None,
    };

    // Benjamini-Hochberg over every metric with a p-value.
    let family_members: Vec<usize> = drafts
        .iter()
        .enumerate()
        .filter(|(_, d)| d.result.p_value.is_some())
        .map(|(i, _)| i)
        .collect();
    let raw: Vec<f64> = family_members
        .iter()
        .filter_map(|&i| drafts.get(i).and_then(|d| d.result.p_value))
        .collect();
    let adjusted = stats::benjamini_hochberg(&raw);
    for (&i, q) in family_members.iter().zip(&adjusted) {
        if let Some(d) = drafts.get_mut(i) {
            d.result.p_adjusted = Some(*q);
        }
    }
    let family = Family {
        size: raw.len(),
        discoveries: drafts
            .iter()
            .filter(|d| d.result.p_adjusted.is_some_and(|q| q < d.result.alpha))
            .count(),
    };

    let mut results: Vec<MetricResult> = drafts
        .into_iter()
        .map(|d| {
            let outliers = d.outliers;
            let raw = d.raw_change;
            let mut r = settle(d, family);
            if let (Method::RunToRun, Some(raw), Some(s)) = (r.method, raw, &suite) {
                if r.status != Status::Unchanged && s.change.abs() >= 0.01 {
                    add_note(
                        &mut r,
                        Some(format!(
                            "{} against the baseline run, while the whole run is {:.1}% {}",
                            pct(Some(raw)),
                            s.change.abs() * 100.0,
                            if s.change > 0.0 { "slower" } else { "faster" }
                        )),
                    );
                }
            }
            if outliers > 0 && matches!(r.method, Method::ModeratedT | Method::RunToRun) {
                add_note(
                    &mut r,
                    Some(format!(
                        "{} (beyond {FAR_OUT} interquartile ranges, log scale) left out of the t test",
                        count(outliers, "far-out value")
                    )),
                );
            }
            if !gate_noisy && !r.deterministic && r.status == Status::Regression {
                r.status = Status::Inconclusive;
                let what = format!(
                    "would be a regression ({}), but the baseline ran in another environment: noisy metrics do not fail the gate across environments; compare runs from the same runner (or base and head in the same job), or set allow_cross_environment = true",
                    pct(r.change)
                );
                r.note = Some(match r.note.take() {
                    Some(n) => format!("{what}; {n}"),
                    None => what,
                });
            }
            r.context = load_test && follows_duration(&r);
            r.fails_gate = fails(&r, config) && !r.context;
            r
        })
        .collect();
    for mut m in missing {
        m.fails_gate = fails(&m, config);
        results.push(m);
    }
    results.sort_by_key(|r| rank(r.status));

    let budgets: Vec<BudgetResult> = config
        .budgets
        .iter()
        .flat_map(|b| check_budget(b, &cur))
        .collect();

    let mut counts = Counts::default();
    for r in &results {
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

    let mut reasons = Vec::new();
    let failing = |s: Status| {
        results
            .iter()
            .filter(|r| r.fails_gate && r.status == s)
            .count()
    };
    for (status, one, many) in [
        (Status::Regression, "regression", "regressions"),
        (Status::Missing, "missing result", "missing results"),
        (Status::New, "new result", "new results"),
        (
            Status::Inconclusive,
            "inconclusive result",
            "inconclusive results",
        ),
    ] {
        let n = failing(status);
        if n > 0 {
            reasons.push(format!("{n} {}", if n == 1 { one } else { many }));
        }
    }
    if counts.budgets_broken > 0 {
        let n = counts.budgets_broken;
        reasons.push(format!(
            "{n} {}",
            if n == 1 {
                "budget broken"
            } else {
                "budgets broken"
            }
        ));
    }
    let mut suite = suite;
    if let Some(s) = suite.as_mut() {
        s.fails_gate = fails_on(s.status, config);
        if s.fails_gate {
            reasons.push(format!(
                "the whole run is {} than the baseline run ({})",
                if s.change > 0.0 { "slower" } else { "faster" },
                pct(Some(s.change))
            ));
        }
    }
    let verdict = if reasons.is_empty() {
        Verdict::Pass
    } else {
        Verdict::Fail
    };

    Comparison {
        verdict,
        counts,
        results,
        budgets,
        baseline: latest.map(|b| b.meta.clone()),
        current: current.meta.clone(),
        settings: Settings {
            threshold: config.threshold,
            alpha: config.alpha,
            min_samples: config.min_samples,
            fail_on_regression: config.fail_on_regression,
            fail_on_missing: config.fail_on_missing,
            fail_on_new: config.fail_on_new,
            fail_on_inconclusive: config.fail_on_inconclusive,
            allow_cross_environment: config.allow_cross_environment,
            history_window: config.history.window,
            history_min_points: config.history.min_points,
            history_pool: config.history.pool,
            history_confidence: config.history.confidence,
            test: config.test.as_str().to_string(),
        },
        reasons,
        corrected_over: family.size,
        environment_differences,
        baseline_runs: window.len(),
        other_environment_runs,
        moderation,
        history_moderation,
        suite,
    }
}

/// +1 when a larger value is worse, -1 when it is better: log shifts times this are worse-positive.
fn worse_sign(direction: Direction) -> f64 {
    match direction {
        Direction::LowerIsBetter => 1.0,
        Direction::HigherIsBetter => -1.0,
    }
}

/// Fewest distinct benchmarks whose speed metrics can tell a suite's run-to-run spread.
pub const SUITE_MIN_BENCHMARKS: usize = 8;

/// Compared with one baseline run, metrics with samples see only the noise within the runs, and in
/// CI most noise is between runs: the machine (every benchmark of a run moves together) and each
/// benchmark's own run-to-run move. With speed metrics with samples (decided by the U test, or by
/// the moderated t test with its moderated spread) of at least [`SUITE_MIN_BENCHMARKS`]
/// benchmarks, the suite shows both: its median shift is the suite-wide one, and the spread of
/// the metrics' shifts around it, beyond their within-run error, is the run-to-run noise of one metric (`stats::suite_shift`). Each metric is then
/// judged by its change against the rest of the suite, tested against that spread. The suite-wide
/// shift itself is reported on its own: within the threshold it is nothing; beyond it, the
/// machine and a change that slows everything look the same in one pair of runs, so it is
/// inconclusive; beyond `large_change` it is decided. A suite that shows neither spread between
/// runs nor a suite-wide shift leaves its metrics to their own tests: judging them against it
/// would only add the noise of its median (on independent noise, 86% of +10% regressions caught
/// among 300 metrics would drop to 84%).
fn judge_against_suite(drafts: &mut [Draft], config: &Config) -> Option<SuiteShift> {
    let speed = |u: &Unit| {
        matches!(
            u,
            Unit::Nanoseconds | Unit::BytesPerSecond | Unit::PerSecond
        )
    };
    let members: Vec<(usize, stats::SuiteMember)> = drafts
        .iter()
        .enumerate()
        .filter(|(_, d)| {
            matches!(d.result.method, Method::MannWhitney | Method::ModeratedT)
                && speed(&d.result.unit)
        })
        .filter_map(|(i, d)| d.within.map(|w| (i, w)))
        .collect();
    let mut benchmarks: Vec<&str> = members
        .iter()
        .filter_map(|(i, _)| drafts.get(*i).map(|d| d.result.benchmark.as_str()))
        .collect();
    benchmarks.sort_unstable();
    benchmarks.dedup();
    let benchmark_count = benchmarks.len();
    if benchmark_count < SUITE_MIN_BENCHMARKS {
        return None;
    }
    let fit = stats::suite_shift(&members.iter().map(|(_, m)| *m).collect::<Vec<_>>())
        .filter(stats::SuiteShift::shows_run_to_run_noise)?;
    for (i, m) in &members {
        let Some(d) = drafts.get_mut(*i) else {
            continue;
        };
        let Some(t) = stats::against_suite(m, &fit, CONFIDENCE) else {
            continue;
        };
        let sign = worse_sign(d.result.direction);
        let (lo, hi) = ((sign * t.lo).exp_m1(), (sign * t.hi).exp_m1());
        let relative = (sign * t.relative).exp_m1();
        d.result.method = Method::RunToRun;
        d.result.p_value = Some(t.p);
        d.raw_change = d.result.change;
        d.result.change = Some(relative);
        d.result.ci = Some((lo.min(hi), lo.max(hi)));
        // A change every repeat shows, but that the whole run shares, is the suite's to decide.
        let m = judged(Some(relative), relative > 0.0, d.result.direction, 0.0);
        if !(beyond_large(Some(relative), config.large_change) && d.obvious == Some(m.moved)) {
            d.obvious = None;
        }
    }
    let change = fit.shift.exp_m1();
    let mv = judged(
        Some(change),
        change > 0.0,
        Direction::LowerIsBetter,
        config.threshold,
    );
    let status = if !mv.beyond {
        Status::Unchanged
    } else if beyond_large(Some(change), config.large_change) {
        mv.moved
    } else {
        Status::Inconclusive
    };
    Some(SuiteShift {
        change,
        metrics: members.len(),
        benchmarks: benchmark_count,
        between_cv: fit.tau2.exp_m1().max(0.0).sqrt(),
        status,
        fails_gate: false,
    })
}

/// What a report says of a moderation that decided `decided` metrics (none: nothing to say).
fn moderation_of(decided: usize, prior: &stats::VariancePrior) -> Option<Moderation> {
    (decided > 0).then(|| Moderation {
        metrics: decided,
        prior_df: prior.df.is_finite().then_some(prior.df),
        prior_cv: prior.var.exp_m1().max(0.0).sqrt(),
        pooled_df: prior.df_pooled,
    })
}

/// With at least [`MODERATION_MIN_METRICS`] single values judged against prediction intervals,
/// moderates the spreads of their histories the same way as [`moderate`] does samples: the log
/// variances of all the histories get a common prior, each is shrunk toward it, and the
/// interval and its p-value use the posterior spread with the added degrees of freedom. Flat
/// histories (a value that never moved) keep their own.
fn moderate_histories(drafts: &mut [Draft]) -> Option<Moderation> {
    let spread = |d: &Draft| {
        d.prediction.and_then(|p| {
            (d.result.method == Method::PredictionInterval && p.log_sd > 0.0 && p.df > 0.0)
                .then_some(stats::LogTwoSample {
                    shift: 0.0,
                    var: p.log_sd * p.log_sd,
                    df: p.df,
                    scale: 1.0,
                })
        })
    };
    let members: Vec<(usize, stats::LogTwoSample)> = drafts
        .iter()
        .enumerate()
        .filter_map(|(i, d)| spread(d).map(|s| (i, s)))
        .collect();
    if members.len() < MODERATION_MIN_METRICS {
        return None;
    }
    let spreads: Vec<stats::LogTwoSample> = members.iter().map(|(_, s)| *s).collect();
    let prior = stats::fit_variance_prior(&spreads)?;
    let mut decided = 0;
    for (i, s) in &members {
        let Some(d) = drafts.get_mut(*i) else {
            continue;
        };
        let Some(m) = stats::moderated_t(s, &prior, CONFIDENCE) else {
            continue;
        };
        let (Some(p), Some(cur)) = (d.prediction, d.result.current) else {
            continue;
        };
        let Some(moderated) = p.moderated(m.var, m.df) else {
            continue;
        };
        d.result.p_value = moderated.p_value(cur.value);
        d.prediction = Some(moderated);
        decided += 1;
    }
    moderation_of(decided, &prior)
}

/// Fewest runs of history with which a metric with samples is judged by its run value against
/// the history's run values (the prediction interval), not by the latest run's repeats alone.
const SHORT_HISTORY_RUNS: usize = 4;

/// Fewest values on each side for the t test to compare 20%-trimmed means (Yuen's test) instead
/// of means. A burst of load in one run slows a stretch of its repeats: criterion's `fib_20` on an
/// idle machine (`tests/fixtures/reruns/quiet/criterion` run5) had the first 40 of its 100 samples
/// 15-40% slower, a mean 11% above the other runs' and a median 2%. The t test on means called
/// it a regression in 4 of 10 unchanged pairs, on trimmed means in 2. With 20 values a side
/// still keeps 12 after trimming; below that the trimming costs too much power (issue 5's n = 10
/// tables).
const TRIM_MIN_VALUES: usize = 20;

/// With at least [`MODERATION_MIN_METRICS`] metrics that have positive samples on both sides,
/// decides them with the moderated t test on log values instead of the U test: their log
/// variances are fitted a common prior (limma's empirical Bayes), each metric's variance is
/// shrunk toward it, and the test gains the degrees of freedom of that prior. The change becomes
/// the geometric-mean ratio with its t interval, so change, interval and p-value agree.
fn moderate(drafts: &mut [Draft]) -> Option<Moderation> {
    let members: Vec<usize> = drafts
        .iter()
        .enumerate()
        .filter(|(_, d)| {
            // Constant samples (a count that never varies) say nothing about noise and would
            // drag the prior toward zero: they keep the U test.
            d.result.method == Method::MannWhitney
                && d.result.p_value.is_some()
                && d.log_two.is_some_and(|s| s.var > 0.0)
        })
        .map(|(i, _)| i)
        .collect();
    if members.len() < MODERATION_MIN_METRICS {
        return None;
    }
    let samples: Vec<stats::LogTwoSample> = members
        .iter()
        .filter_map(|&i| drafts.get(i).and_then(|d| d.log_two))
        .collect();
    let prior = stats::fit_variance_prior(&samples)?;
    let mut decided = 0;
    for &i in &members {
        let Some(d) = drafts.get_mut(i) else { continue };
        let Some(t) = d
            .log_two
            .and_then(|s| stats::moderated_t(&s, &prior, CONFIDENCE))
        else {
            continue;
        };
        d.result.method = Method::ModeratedT;
        d.result.p_value = Some(t.p);
        d.result.change = Some(t.shift.exp_m1());
        d.result.ci = Some((t.lo.exp_m1(), t.hi.exp_m1()));
        d.log_sd = Some(t.var.sqrt());
        let sign = worse_sign(d.result.direction);
        d.within = d.log_two.map(|s| stats::SuiteMember {
            shift: sign * t.shift,
            se2: t.var * s.scale,
            df: t.df,
        });
        decided += 1;
    }
    moderation_of(decided, &prior)
}

/// Series of a run by benchmark and metric name, and by the name without Go's `-N` suffix (the
/// GOMAXPROCS that `go test` appends) when that does not clash with another benchmark:
/// github-action-benchmark strips the suffix, so a history imported from it names
/// `BenchmarkJoin` what `go test` prints as `BenchmarkJoin-8`.
fn index(series: &[Series]) -> HashMap<(&str, &str), &Series> {
    let mut out = HashMap::with_capacity(series.len());
    for s in series {
        // The first of duplicate names wins, as a linear search would.
        out.entry((s.benchmark.as_str(), s.metric.as_str()))
            .or_insert(s);
    }
    // An alias two benchmarks share (`size-1000` and `size-2000` of a run without the suffix)
    // would pair the wrong ones: it is left out.
    let mut aliases: HashMap<(&str, &str), Option<&Series>> = HashMap::new();
    for s in series {
        if let Some(base) = without_procs(&s.benchmark) {
            aliases
                .entry((base, s.metric.as_str()))
                .and_modify(|a| *a = None)
                .or_insert(Some(s));
        }
    }
    for (key, s) in aliases {
        if let Some(s) = s {
            out.entry(key).or_insert(s);
        }
    }
    out
}

/// A series of `index` by exact name, else by the name without Go's `-N` suffix.
fn lookup<'a>(
    index: &HashMap<(&str, &str), &'a Series>,
    benchmark: &str,
    metric: &str,
) -> Option<&'a Series> {
    index
        .get(&(benchmark, metric))
        .copied()
        .or_else(|| without_procs(benchmark).and_then(|base| index.get(&(base, metric)).copied()))
}

/// A Go benchmark name without the `-N` GOMAXPROCS suffix `go test` appends
/// (`BenchmarkJoin/size=8-16` gives `BenchmarkJoin/size=8`); None for other names.
fn without_procs(name: &str) -> Option<&str> {
    if !name.starts_with("Benchmark") {
        return None;
    }
    let (base, procs) = name.rsplit_once('-')?;
    (!procs.is_empty() && procs.bytes().all(|b| b.is_ascii_digit()) && !base.is_empty())
        .then_some(base)
}

/// The direction and decision rules the configuration gives a series (with the baseline's series
/// of the same metric, when there is one); None when it is ignored.
///
/// A metric deterministic by its name is decided exactly only while its repeats agree on each
/// side: Go's B/op divides the run's background allocations by `b.N`, so `BenchmarkSHA256_64KB`
/// reads 166-193 B/op within one unchanged run and 134-171 across runs, and
/// `BenchmarkMapInsert_10K` 275-280 allocs/op. Repeats that disagree are noise, and a test
/// decides them. A rule's `deterministic = true` is taken at its word.
fn rules_for(s: &Series, baseline: Option<&Series>, config: &Config) -> Option<(Direction, Rules)> {
    let r = config.resolve(&s.benchmark, &s.metric);
    if r.ignore {
        return None;
    }
    let agree = |v: &[f64]| v.windows(2).all(|w| w.first() == w.last());
    let deterministic = r.deterministic.unwrap_or_else(|| {
        is_deterministic(&s.metric, &s.unit)
            && agree(&s.values)
            && baseline.is_none_or(|b| agree(&b.values))
    });
    Some((
        r.direction.unwrap_or(s.direction),
        Rules {
            threshold: r.threshold,
            alpha: r.alpha,
            min_samples: config.min_samples,
            deterministic,
            large_change: config.large_change,
            latency_floor: config.latency_floor,
        },
    ))
}

fn rank(s: Status) -> u8 {
    match s {
        Status::Regression => 0,
        Status::Inconclusive => 1,
        Status::Improvement => 2,
        Status::Missing => 3,
        Status::New => 4,
        Status::Unchanged => 5,
    }
}

fn fails(r: &MetricResult, c: &Config) -> bool {
    fails_on(r.status, c)
}

/// Whether a result of `status` fails the gate under the configuration.
fn fails_on(status: Status, c: &Config) -> bool {
    match status {
        Status::Regression => c.fail_on_regression,
        Status::Missing => c.fail_on_missing,
        Status::New => c.fail_on_new,
        Status::Inconclusive => c.fail_on_inconclusive,
        Status::Improvement | Status::Unchanged => false,
    }
}

/// The settings that decide one metric.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rules {
    /// Relative change that counts (0.05 = 5%).
    pub threshold: f64,
    /// Significance level.
    pub alpha: f64,
    /// Fewest samples per side for a statistical decision.
    pub min_samples: usize,
    /// Exact threshold, no test.
    pub deterministic: bool,
    /// A change beyond this ratio is decided without a noise estimate ([`Config::large_change`]).
    pub large_change: f64,
    /// Latency statistics with no noise estimate: a smaller absolute change is no change (ns).
    pub latency_floor: f64,
}

impl Draft {
    fn plain(result: MetricResult, rules: Rules) -> Draft {
        Draft {
            result,
            rules,
            log_sd: None,
            prediction: None,
            short_history: None,
            shape: HistoryShape::default(),
            log_two: None,
            outliers: 0,
            within: None,
            obvious: None,
            raw_change: None,
            no_noise: None,
        }
    }
}

/// What was left out of a history of single values before it was used.
#[derive(Debug, Clone, Copy, Default)]
struct HistoryShape {
    /// The history's level shifted: the runs before the current level were left out.
    shift: Option<LevelShiftSeen>,
    /// Far-out runs left out of the current level.
    far_out: usize,
    /// The latest run's value, when it was one of those far-out runs.
    far_latest: Option<f64>,
}

#[derive(Debug, Clone, Copy)]
struct LevelShiftSeen {
    /// Runs at the current level, and in the whole history used.
    runs: usize,
    of: usize,
    change: f64,
}

fn only_one_side(s: &Series, direction: Direction, rules: &Rules, status: Status) -> MetricResult {
    let side = Some(Side {
        value: summary(&s.values),
        n: s.values.len(),
    });
    let (baseline, current) = if status == Status::New {
        (None, side)
    } else {
        (side, None)
    };
    MetricResult {
        benchmark: s.benchmark.clone(),
        metric: s.metric.clone(),
        unit: s.unit.clone(),
        direction,
        baseline,
        current,
        change: None,
        ci: None,
        p_value: None,
        p_adjusted: None,
        status,
        method: Method::None,
        threshold: rules.threshold,
        alpha: rules.alpha,
        deterministic: rules.deterministic,
        fails_gate: false,
        note: None,
        trend: None,
        context: false,
    }
}

/// Decides one noisy metric present on both sides, alone (no other metric to correct for).
///
/// With samples on both sides, a change is a regression (or improvement) only when the two-sided
/// Mann-Whitney U test is significant at `alpha` AND the Hodges-Lehmann change is beyond
/// `threshold` in the worse (better) direction — benchstat's test plus a minimum effect. With one
/// value on a side there is no noise estimate and the threshold alone decides.
pub fn decide(
    b: &Series,
    c: &Series,
    direction: Direction,
    threshold: f64,
    alpha: f64,
    min_samples: usize,
) -> MetricResult {
    let rules = Rules {
        threshold,
        alpha,
        min_samples,
        deterministic: false,
        large_change: crate::config::DEFAULT_LARGE_CHANGE,
        latency_floor: crate::config::DEFAULT_LATENCY_FLOOR_NS,
    };
    decide_with(b, c, direction, &rules)
}

/// [`decide`] with every rule, deterministic metrics included.
pub fn decide_with(b: &Series, c: &Series, direction: Direction, rules: &Rules) -> MetricResult {
    let mut d = assess(b, c, direction, rules);
    d.result.p_adjusted = d.result.p_value;
    let family = Family {
        size: usize::from(d.result.p_value.is_some()),
        discoveries: 0,
    };
    settle(d, family)
}

/// The values of a metric over the history read (`past`, oldest first, only runs that have it),
/// for reports to draw: one per run in the current run's unit, each run's [`run_value`] (the
/// median when its values have no logarithm: zeros or negatives), runs without a finite value
/// left out. None with fewer than two such runs: one baseline run is no trend.
fn trend(past: &[&Series], c: &Series) -> Option<Vec<f64>> {
    let values: Vec<f64> = past
        .iter()
        .filter(|s| s.unit == c.unit)
        .map(|s| {
            let v = run_value(&s.values);
            if v.is_finite() {
                v
            } else {
                summary(&s.values)
            }
        })
        .filter(|v| v.is_finite())
        .collect();
    (values.len() > 1).then_some(values)
}

/// Picks the baseline data for one metric from the history (`past`, oldest first, the latest
/// run's series last, only runs that have the metric) and assesses it.
fn assess_with_history(
    latest: &Series,
    past: &[&Series],
    c: &Series,
    direction: Direction,
    rules: &Rules,
    config: &Config,
) -> Draft {
    let comparable: Vec<&&Series> = past.iter().filter(|s| s.unit == c.unit).collect();
    if !rules.deterministic && past.len() > 1 && latest.unit == c.unit {
        // One value per run: a run's samples count through their summary, so that the history's
        // spread is the run-to-run noise, which repeats within one run do not show.
        let values: Vec<f64> = comparable.iter().map(|s| run_value(&s.values)).collect();
        let (kept, mut shape) = usable_history(&values, rules, config);
        // Samples with a few runs of history already have the run-to-run spread those runs show,
        // which the latest run's repeats do not: the interval is wide with few runs, but honest.
        let enough = kept.len() >= config.history.min_points
            || (c.values.len() > 1 && kept.len() >= SHORT_HISTORY_RUNS);
        if enough {
            if let Some((p, shift)) = history_model(&kept, rules, config) {
                shape.shift = shift.map(|s| LevelShiftSeen {
                    runs: p.n,
                    of: kept.len(),
                    change: s.change,
                });
                let mut d = assess_prediction(p, c, direction, rules);
                d.shape = shape;
                return d;
            }
        }
        // Samples fall back to the latest run's (or the pooled runs') samples below; a single
        // value to the latest run's value, with no noise estimate.
        if c.values.len() == 1 {
            let mut d = assess(latest, c, direction, rules);
            if enough {
                // Runs enough, but a value is zero, negative or not a number: no log-scale
                // interval.
                if d.result.method == Method::Threshold {
                    d.result.note = Some(
                        "the history has values that are not positive numbers: no prediction interval, compared with the latest run"
                            .into(),
                    );
                }
            } else {
                d.short_history = Some(kept.len());
            }
            // The latest run is the baseline here, far out or not.
            d.shape = HistoryShape {
                far_latest: None,
                ..shape
            };
            return d;
        }
    }
    if !rules.deterministic && config.history.pool > 1 && latest.values.len() > 1 {
        let pooled: Vec<f64> = comparable
            .iter()
            .rev()
            .take(config.history.pool)
            .flat_map(|s| s.values.iter().copied())
            .collect();
        let base = Series {
            values: pooled,
            ..latest.clone()
        };
        return assess(&base, c, direction, rules);
    }
    assess(latest, c, direction, rules)
}

/// The history read as levels and one noise ([`history::model`]) with the series' threshold.
fn history_model(
    values: &[f64],
    rules: &Rules,
    config: &Config,
) -> Option<(stats::Prediction, Option<stats::LevelShift>)> {
    history::model(values, rules.threshold, config.history.confidence)
}

/// The values of a history (one per run, oldest first) that a current value is judged against
/// ([`history::usable`]), and what was left out.
fn usable_history(values: &[f64], rules: &Rules, config: &Config) -> (Vec<f64>, HistoryShape) {
    let u = history::usable(
        values,
        rules.threshold,
        config.history.confidence,
        config.history.min_points,
    );
    let kept: Vec<f64> = u
        .kept
        .iter()
        .filter_map(|&i| values.get(i).copied())
        .collect();
    let latest_far = u.far_out.last() == Some(&true);
    let shape = HistoryShape {
        far_out: u.far_out.iter().filter(|f| **f).count() - usize::from(latest_far),
        far_latest: (latest_far || u.latest_apart)
            .then(|| values.last().copied())
            .flatten(),
        ..HistoryShape::default()
    };
    (kept, shape)
}

/// The change of `cur_v` against `base_v`, and whether it is beyond the threshold and which way.
struct Movement {
    change: Option<f64>,
    beyond: bool,
    /// Regression or improvement, by the sign of the change and the direction.
    moved: Status,
}

fn movement(base_v: f64, cur_v: f64, direction: Direction, threshold: f64) -> Movement {
    let change = if base_v != 0.0 {
        Some(cur_v / base_v - 1.0)
    } else if cur_v == 0.0 {
        Some(0.0)
    } else {
        None
    };
    judged(change, cur_v > base_v, direction, threshold)
}

/// [`Movement`] of a relative `change` (None: from zero to something, upward when `up`).
fn judged(change: Option<f64>, up: bool, direction: Direction, threshold: f64) -> Movement {
    let worse_by = |ch: f64| match direction {
        Direction::LowerIsBetter => ch,
        Direction::HigherIsBetter => -ch,
    };
    // Positive means worse, whatever the direction; from zero to something is infinitely so.
    let badness = match change {
        Some(ch) => worse_by(ch),
        None => worse_by(if up { f64::INFINITY } else { f64::NEG_INFINITY }),
    };
    // The threshold is a ratio, the same both ways on the log scale: with 5%, beyond means above
    // 1.05x or below 1/1.05x. So a benchmark's time and its throughput (its reciprocal) always
    // get the same verdict, and a threshold of 100% or more can still be crossed downwards.
    let beyond = match change {
        Some(ch) if ch.is_nan() => false,
        Some(ch) if 1.0 + ch > 0.0 => (1.0 + ch).ln().abs() > threshold.ln_1p(),
        // Down to zero or below, or up from zero: infinitely far.
        _ => true,
    };
    Movement {
        change,
        beyond,
        moved: if badness > 0.0 {
            Status::Regression
        } else {
            Status::Improvement
        },
    }
}

fn skeleton(
    c: &Series,
    direction: Direction,
    rules: &Rules,
    baseline: Side,
    current: Side,
) -> MetricResult {
    MetricResult {
        benchmark: c.benchmark.clone(),
        metric: c.metric.clone(),
        unit: c.unit.clone(),
        direction,
        baseline: Some(baseline),
        current: Some(current),
        change: None,
        ci: None,
        p_value: None,
        p_adjusted: None,
        status: Status::Unchanged,
        method: Method::Threshold,
        threshold: rules.threshold,
        alpha: rules.alpha,
        deterministic: rules.deterministic,
        fails_gate: false,
        note: None,
        trend: None,
        context: false,
    }
}

/// What the data say about one metric with `b` as its baseline: change, interval, raw p-value.
/// Statuses that need no p-value are final; the others wait for [`settle`].
fn assess(b: &Series, c: &Series, direction: Direction, rules: &Rules) -> Draft {
    let base_v = summary(&b.values);
    let cur_v = summary(&c.values);
    let mut out = skeleton(
        c,
        direction,
        rules,
        Side {
            value: base_v,
            n: b.values.len(),
        },
        Side {
            value: cur_v,
            n: c.values.len(),
        },
    );
    if b.unit != c.unit {
        out.status = Status::Inconclusive;
        out.method = Method::None;
        out.note = Some(format!(
            "units differ (baseline `{}`, current `{}`): not comparable",
            b.unit, c.unit
        ));
        return Draft::plain(out, *rules);
    }
    // The change is a ratio of log medians: with an even count of values the plain median
    // averages the middle two, and a time and its throughput would then disagree.
    let log_median = |v: &[f64]| stats::log_median(v).unwrap_or(f64::NAN);
    let mv = movement(
        log_median(&b.values),
        log_median(&c.values),
        direction,
        rules.threshold,
    );
    out.change = mv.change;
    if mv.change.is_some_and(f64::is_nan) {
        out.status = Status::Inconclusive;
        out.method = Method::None;
        out.note = Some("a value is not a number: not comparable".into());
        return Draft::plain(out, *rules);
    }
    let zero_note = mv
        .change
        .is_none()
        .then(|| "the baseline is zero, so the change has no ratio".to_string());

    if rules.deterministic {
        out.method = Method::Exact;
        out.status = if mv.beyond {
            mv.moved
        } else {
            Status::Unchanged
        };
        if mv.beyond {
            out.note = Some(match zero_note {
                Some(z) => {
                    format!("{z}; deterministic metric: any change beyond the threshold counts")
                }
                None => {
                    "deterministic metric: any change beyond the threshold counts, no test needed"
                        .into()
                }
            });
        }
        return Draft::plain(out, *rules);
    }

    if b.values.len() >= 2 && c.values.len() >= 2 {
        out.method = Method::MannWhitney;
        out.p_value = match stats::mann_whitney_u(&b.values, &c.values) {
            Ok(t) => Some(t.p),
            Err(stats::StatsError::SamplesEqual) => Some(1.0),
            Err(_) => None,
        };
        // The change is the Hodges-Lehmann estimate, the center of the interval shown with it
        // (the medians' ratio when the values are not all positive).
        if let Some(s) = stats::ratio_change(&b.values, &c.values, CONFIDENCE) {
            out.change = Some(s.estimate);
            out.ci = Some((s.lo, s.hi));
        }
        out.note = zero_note;
        let obvious = (mv.beyond
            && beyond_large(mv.change, rules.large_change)
            && separated(&b.values, &c.values, rules.threshold))
        .then_some(mv.moved);
        // Many repeats: trimmed means, which a stretch of slow repeats does not move. Few: the
        // plain means without their far-out values, which keeps the power of every repeat.
        let (log_two, outliers) = if b.values.len().min(c.values.len()) >= TRIM_MIN_VALUES {
            (stats::trimmed_log_two_sample(&b.values, &c.values), 0)
        } else {
            let (b_kept, c_kept) = (without_far_out(&b.values), without_far_out(&c.values));
            let left_out = (b.values.len() - b_kept.len()) + (c.values.len() - c_kept.len());
            (stats::log_two_sample(&b_kept, &c_kept), left_out)
        };
        // Its own noise, as the suite step reads it; the moderated t test refines it.
        let within = log_two.filter(|s| s.var > 0.0).map(|s| stats::SuiteMember {
            shift: worse_sign(direction) * s.shift,
            se2: s.var * s.scale,
            df: s.df,
        });
        return Draft {
            result: out,
            rules: *rules,
            log_sd: stats::pooled_log_sd(&b.values, &c.values),
            prediction: None,
            short_history: None,
            shape: HistoryShape::default(),
            log_two,
            outliers,
            within,
            obvious,
            raw_change: None,
            no_noise: None,
        };
    }

    out.method = Method::Threshold;
    let decision = if !mv.beyond {
        NoNoise::Within
    } else if let Some(delta) = under_latency_floor(c, base_v, cur_v, rules) {
        NoNoise::UnderFloor(delta)
    } else if is_extreme_stat(&c.metric) {
        NoNoise::Extreme
    } else if beyond_large(mv.change, rules.large_change) {
        NoNoise::Large
    } else {
        NoNoise::Unsure
    };
    out.status = match decision {
        NoNoise::Within | NoNoise::UnderFloor(_) => Status::Unchanged,
        NoNoise::Extreme | NoNoise::Unsure => Status::Inconclusive,
        NoNoise::Large => mv.moved,
    };
    out.note = zero_note;
    Draft {
        no_noise: Some(decision),
        ..Draft::plain(out, *rules)
    }
}

/// Whether a relative change is beyond `large` (a ratio, the same both ways as the threshold).
/// From zero or to zero is infinitely far.
fn beyond_large(change: Option<f64>, large: f64) -> bool {
    match change {
        Some(ch) if ch.is_nan() => false,
        Some(ch) if 1.0 + ch > 0.0 => (1.0 + ch).ln().abs() > large.ln_1p(),
        _ => true,
    }
}

/// Whether every value of `c` lies beyond every value of `b` on the same side, with the closest
/// two more than the threshold apart (as a ratio): every repeat shows the change.
fn separated(b: &[f64], c: &[f64], threshold: f64) -> bool {
    let range = |v: &[f64]| {
        v.iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), x| {
                (lo.min(*x), hi.max(*x))
            })
    };
    let ((b_lo, b_hi), (c_lo, c_hi)) = (range(b), range(c));
    let positive = b_lo > 0.0 && c_lo > 0.0 && b_hi.is_finite() && c_hi.is_finite();
    let ratio = threshold.ln_1p();
    positive && ((c_lo / b_hi).ln() > ratio || (b_lo / c_hi).ln() > ratio)
}

/// The last word of a metric's name, the statistic of a load test's latency (`p(95)`, `avg`,
/// `http_req_duration p(95)` gives `p(95)`).
fn statistic(metric: &str) -> &str {
    metric.rsplit(' ').next().unwrap_or(metric)
}

/// Whether a metric is a statistic of many requests' latencies (a load test's `p(95)`, `avg`,
/// `med`, `max`...), whose single value per run moves between reruns by more than a benchmark's
/// time per operation does.
fn is_latency_stat(metric: &str) -> bool {
    let s = statistic(metric).to_ascii_lowercase();
    matches!(
        s.as_str(),
        "avg"
            | "mean"
            | "med"
            | "median"
            | "min"
            | "max"
            | "stdev"
            | "stddev"
            | "p50"
            | "p90"
            | "p95"
            | "p99"
    ) || (s.starts_with("p(") && s.ends_with(')'))
}

/// Statistics that rest on a run's few slowest or fastest requests: `max`, `min`, and the
/// percentiles beyond 99.9 (and below 0.1). Between unchanged reruns they move by far more than
/// `large_change` (autocannon's p(99.9) +54%, p(99.99) +91% on `tests/fixtures/reruns/busy`).
fn is_extreme_stat(metric: &str) -> bool {
    let s = statistic(metric).to_ascii_lowercase();
    let percentile = s
        .strip_prefix("p(")
        .and_then(|p| p.strip_suffix(')'))
        .and_then(|p| p.parse::<f64>().ok());
    matches!(s.as_str(), "max" | "min") || percentile.is_some_and(|p| p >= 99.9 || p <= 0.1)
}

/// The absolute change of a latency statistic when it is within the latency floor.
fn under_latency_floor(c: &Series, base_v: f64, cur_v: f64, rules: &Rules) -> Option<f64> {
    let delta = (cur_v - base_v).abs();
    (c.unit == Unit::Nanoseconds && is_latency_stat(&c.metric) && delta <= rules.latency_floor)
        .then_some(delta)
}

/// A single current value against the prediction interval of the history.
fn assess_prediction(
    p: stats::Prediction,
    c: &Series,
    direction: Direction,
    rules: &Rules,
) -> Draft {
    let cur_v = run_value(&c.values);
    let mut out = skeleton(
        c,
        direction,
        rules,
        Side {
            value: p.center,
            n: p.n,
        },
        Side {
            value: cur_v,
            n: c.values.len(),
        },
    );
    out.method = Method::PredictionInterval;
    out.change = movement(p.center, cur_v, direction, rules.threshold).change;
    out.p_value = p.p_value(cur_v);
    if out.p_value.is_none() {
        out.status = Status::Inconclusive;
        out.note = Some(format!(
            "the value {} cannot be compared on a log scale",
            c.unit.format(cur_v)
        ));
        return Draft::plain(out, *rules);
    }
    Draft {
        prediction: Some(p),
        ..Draft::plain(out, *rules)
    }
}

/// Turns an assessment into a status, using the adjusted p-value, and writes the note.
fn settle(d: Draft, family: Family) -> MetricResult {
    let rules = &d.rules;
    let mut out = d.result;
    match out.method {
        Method::MannWhitney | Method::ModeratedT | Method::RunToRun => {
            settle_samples(&mut out, d.log_sd, rules.min_samples, family);
            if let (Some(moved), Status::Inconclusive) = (d.obvious, out.status) {
                if let (Some(b), Some(c)) = (out.baseline, out.current) {
                    out.status = moved;
                    out.note = Some(format!(
                        "every repeat shows it: all {} current values are beyond all {} baseline values, and a change of {} is beyond {} (`large_change`), which reruns of unchanged code do not reach",
                        c.n,
                        b.n,
                        pct(out.change),
                        pct_plain(rules.large_change)
                    ));
                }
            }
        }
        Method::PredictionInterval => {
            if let Some(p) = d.prediction {
                settle_prediction(&mut out, &p, family);
                let held = d
                    .shape
                    .far_latest
                    .is_some_and(|v| hold_for_a_far_latest_run(&mut out, &p, v));
                let words = shape_words(&d.shape, held, &out.unit);
                add_note(&mut out, words);
            }
        }
        Method::Threshold => {
            let why = match (d.short_history, out.note.is_some()) {
                (Some(k), _) => format!(
                    "one value per run and only {} of history with this metric: no noise estimate",
                    count(k, "run")
                ),
                (None, true) => "no noise estimate".to_string(),
                (None, false) => "one value per side and no history: no noise estimate".to_string(),
            };
            let words = d
                .no_noise
                .and_then(|n| no_noise_words(n, &out, rules, &why));
            add_note(&mut out, words);
            let words = shape_words(&d.shape, false, &out.unit);
            add_note(&mut out, words);
        }
        Method::Exact | Method::None => {}
    }
    out
}

/// What a decision without a noise estimate says (`why`: where the estimate is missing).
fn no_noise_words(n: NoNoise, out: &MetricResult, rules: &Rules, why: &str) -> Option<String> {
    let large = pct_plain(rules.large_change);
    match n {
        NoNoise::Within => None,
        NoNoise::UnderFloor(delta) => Some(format!(
            "{} ({}) is within the {} latency floor (`latency_floor`): no change worth a red build without a noise estimate",
            pct(out.change),
            out.unit.format(delta),
            Unit::Nanoseconds.format(rules.latency_floor)
        )),
        NoNoise::Extreme => Some(format!(
            "{why}; `{}` rests on the run's few slowest or fastest requests: not gated without a history of runs ({} here)",
            statistic(&out.metric),
            pct(out.change)
        )),
        NoNoise::Large => Some(format!(
            "{why}, but a change of {} is beyond {large} (`large_change`), which reruns of unchanged code do not reach",
            pct(out.change)
        )),
        NoNoise::Unsure => Some(format!(
            "{why}: reruns of unchanged code move such a value by up to {large} (`large_change`); repeat the run several times per side, or keep a history of runs (`--store`, the Action's data branch), to decide"
        )),
    }
}

/// "40%": a ratio as a percentage, without a sign.
fn pct_plain(v: f64) -> String {
    format!("{}%", trim(v * 100.0))
}

/// "1 run", "12 runs": `k` of `what`, plural when it is not one.
fn count(k: usize, what: &str) -> String {
    if k == 1 {
        format!("1 {what}")
    } else {
        format!("{k} {what}s")
    }
}

/// Appends `more` to the result's note.
fn add_note(out: &mut MetricResult, more: Option<String>) {
    if let Some(more) = more {
        out.note = Some(match out.note.take() {
            Some(n) => format!("{n}; {more}"),
            None => more,
        });
    }
}

/// What was done with the history, in words (`held`: the latest run's own note is already
/// there).
fn shape_words(shape: &HistoryShape, held: bool, unit: &Unit) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(s) = shape.shift {
        parts.push(format!(
            "the baseline changed level ({}): compared with the {} since, with the noise of all {}",
            pct(Some(s.change)),
            count(s.runs, "run"),
            s.of
        ));
    }
    if shape.far_out > 0 {
        parts.push(format!(
            "{} of the history (beyond {FAR_OUT} interquartile ranges, log scale) left out",
            count(shape.far_out, "far-out run")
        ));
    }
    if let (Some(v), false) = (shape.far_latest, held) {
        parts.push(format!(
            "the latest baseline run ({}) is far from the runs before it: left out",
            unit.format(v)
        ));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// The latest baseline run lies far from the runs before it: a one-off, or the first run of a
/// new level, which only the next runs can tell apart. A change against the history (`p`) is then
/// believed only when it is one against the new level too: outside the same interval centred on
/// the latest run, with the history's noise (a level of one run). Otherwise it is inconclusive:
/// a pull request made on top of a deliberate slowdown must not fail for it. True when it held
/// the verdict back.
fn hold_for_a_far_latest_run(out: &mut MetricResult, p: &stats::Prediction, latest: f64) -> bool {
    let Some(cur) = out.current else {
        return false;
    };
    if !matches!(out.status, Status::Regression | Status::Improvement) || latest <= 0.0 {
        return false;
    }
    let mv = movement(latest, cur.value, out.direction, out.threshold);
    // A flat history has no noise to centre on the latest run: nothing is beyond it then.
    let beyond_it = p.log_sd > 0.0 && {
        let l = stats::Prediction::from_log(1, latest.ln(), p.log_sd, p.df, p.confidence);
        cur.value > l.hi || cur.value < l.lo
    };
    if beyond_it && mv.beyond && mv.moved == out.status {
        return false;
    }
    let way = if out.status == Status::Improvement {
        "better"
    } else {
        "worse"
    };
    out.status = Status::Inconclusive;
    out.note = Some(format!(
        "{way} than the history, but the latest baseline run ({}) is far from the runs before it and this value is within its noise ({}): a one-off or a new level, which the next runs on the baseline branch will tell: run this check again after them",
        out.unit.format(latest),
        pct(mv.change)
    ));
    true
}

/// "p = 0.012 after correction over 312 metrics", or "p = 0.012" alone.
fn p_words(p: f64, family: Family) -> String {
    let v = if p < 0.001 {
        "p < 0.001".to_string()
    } else {
        format!("p = {p:.3}")
    };
    if family.size > 1 {
        format!("{v} after correction over {} metrics", family.size)
    } else {
        v
    }
}

/// The level one more metric must reach to be flagged, given the others: Benjamini-Hochberg's
/// critical value for the next discovery, `alpha (R + 1) / m`.
fn next_discovery_level(alpha: f64, family: Family) -> f64 {
    if family.size <= 1 {
        return alpha;
    }
    (alpha * (family.discoveries + 1) as f64 / family.size as f64).min(alpha)
}

fn settle_samples(out: &mut MetricResult, log_sd: Option<f64>, min_samples: usize, family: Family) {
    let (Some(base), Some(cur)) = (out.baseline, out.current) else {
        return;
    };
    let mv = match out.change {
        Some(ch) => judged(Some(ch), ch > 0.0, out.direction, out.threshold),
        None => movement(base.value, cur.value, out.direction, out.threshold),
    };
    let p = out.p_adjusted.or(out.p_value);
    let (n1, n2) = (base.n, cur.n);
    let alpha = out.alpha;
    // The exact U test cannot go below a p-value that depends on the sample sizes; the t test can.
    let u_test = out.method == Method::MannWhitney;
    let reachable = |a: f64| !u_test || stats::min_achievable_p(n1, n2) < a;
    let smallest = |a: f64| {
        if u_test {
            min_samples.max(smallest_n(a))
        } else {
            min_samples
        }
    };
    let enough = n1 >= min_samples && n2 >= min_samples && reachable(alpha);
    // How many repeats per side would likely decide it, at the observed change and spread.
    let level = next_discovery_level(alpha, family);
    let floor = smallest(level);
    // Noether's formula for the U test; the t formula with the moderated spread for the t test.
    let formula = if u_test {
        stats::repeats_per_side
    } else {
        stats::repeats_per_side_t
    };
    // Worked out only for the notes that give it: most metrics are decided without (the power
    // formula's normal quantiles were 7.5% of a 10,000-benchmark comparison).
    let advice = || {
        if out.method == Method::RunToRun {
            // More repeats do not shrink the noise between runs.
            return "the runs differ by more than their repeats do: keep a history of runs (`--store`, the Action's data branch) to decide".to_string();
        }
        let needed = match (mv.change, log_sd) {
            (Some(ch), Some(sd)) if ch > -1.0 => {
                formula((1.0 + ch).ln(), sd, level, TARGET_POWER).map(|n| n.max(floor))
            }
            _ => None,
        };
        match needed {
            Some(n) => format!(
                "about {n} repeats per side would likely decide it (80% power at the observed change and noise)"
            ),
            None => format!("run more repeats (at least {floor} per side)"),
        }
    };
    if !mv.beyond {
        out.status = Status::Unchanged;
    } else if !enough {
        out.status = Status::Inconclusive;
        out.note = Some(format!(
            "too few samples to decide ({n1} and {n2}): at least {} per side are needed; {}",
            smallest(alpha),
            advice()
        ));
    } else if p.is_some_and(|p| p < alpha) {
        out.status = mv.moved;
    } else {
        out.status = Status::Inconclusive;
        out.note = Some(format!(
            "a change of {} is not statistically significant ({}): too noisy to decide; {}",
            pct(mv.change),
            p.map(|p| p_words(p, family))
                .unwrap_or_else(|| "no p-value".into()),
            advice()
        ));
    }
}

fn settle_prediction(out: &mut MetricResult, p: &stats::Prediction, family: Family) {
    let Some(cur) = out.current else {
        return;
    };
    let mv = movement(p.center, cur.value, out.direction, out.threshold);
    let level = pct_plain(p.confidence);
    let range = format!("{} to {}", out.unit.format(p.lo), out.unit.format(p.hi));
    let outside = cur.value > p.hi || cur.value < p.lo;
    let q = out.p_adjusted.or(out.p_value);
    let significant = q.is_some_and(|q| q < out.alpha);
    if !mv.beyond {
        out.status = Status::Unchanged;
    } else if outside && significant {
        out.status = mv.moved;
        out.note = Some(format!(
            "{} the {level} prediction interval of the last {} runs ({range})",
            if cur.value > p.hi { "above" } else { "below" },
            p.n
        ));
    } else {
        out.status = Status::Inconclusive;
        let why = if outside {
            format!(
                "outside the {level} prediction interval of the last {} runs ({range}) but not significant ({})",
                p.n,
                q.map(|q| p_words(q, family)).unwrap_or_default()
            )
        } else {
            format!(
                "within the {level} prediction interval of the last {} runs ({range}): the run-to-run noise is too large to confirm a change of {}",
                p.n,
                pct(mv.change)
            )
        };
        out.note = Some(if cur.n > 1 {
            format!("{why}; the next runs on the baseline branch will tell whether it stays")
        } else {
            format!("{why}; record several repeats per run (samples) to decide")
        });
    }
}

/// A number with at most two decimals and no trailing zeros.
fn trim(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The smallest equal sample size whose exact test can reach `alpha`.
fn smallest_n(alpha: f64) -> usize {
    (2..100)
        .find(|&n| stats::min_achievable_p(n, n) < alpha)
        .unwrap_or(100)
}

fn pct(change: Option<f64>) -> String {
    match change {
        Some(c) => format!("{:+.1}%", c * 100.0),
        None => "n/a".into(),
    }
}

/// Equivalent spellings of common statistics.
fn same_stat(a: &str, b: &str) -> bool {
    fn canon(s: &str) -> String {
        let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        match s.as_str() {
            "med" | "median" | "p50" | "p(50)" => "p(50)".into(),
            "avg" | "mean" => "avg".into(),
            _ => s,
        }
    }
    canon(a) == canon(b)
}

/// Checks one budget against the current run's series.
pub fn check_budget(budget: &Budget, current: &[Series]) -> Vec<BudgetResult> {
    let matching: Vec<&Series> = current
        .iter()
        .filter(|s| glob_matches(&budget.benchmark, &s.benchmark))
        .collect();
    let broken = |benchmark: &str, unit: Unit, note: String| BudgetResult {
        benchmark: benchmark.to_string(),
        metric: budget.metric.clone(),
        expression: budget.expression.clone(),
        actual: None,
        limit: budget.value,
        unit,
        passed: false,
        note: Some(note),
    };
    if matching.is_empty() {
        return vec![broken(
            &budget.benchmark,
            Unit::Count,
            format!("no benchmark matches `{}`", budget.benchmark),
        )];
    }
    let mut names: Vec<&str> = matching.iter().map(|s| s.benchmark.as_str()).collect();
    names.dedup();
    let mut out = Vec::new();
    for name in names {
        let of_bench: Vec<&&Series> = matching.iter().filter(|s| s.benchmark == name).collect();
        let Some(s) = of_bench
            .iter()
            .find(|s| same_stat(&s.metric, &budget.metric))
        else {
            let have: Vec<&str> = of_bench.iter().map(|s| s.metric.as_str()).collect();
            out.push(broken(
                name,
                Unit::Count,
                format!(
                    "`{name}` has no metric `{}`; it has: {}",
                    budget.metric,
                    have.join(", ")
                ),
            ));
            continue;
        };
        let actual = summary(&s.values);
        match budget.limit_in(&s.unit) {
            Ok(limit) => out.push(BudgetResult {
                benchmark: name.to_string(),
                metric: s.metric.clone(),
                expression: budget.expression.clone(),
                actual: Some(actual),
                limit,
                unit: s.unit.clone(),
                passed: budget.op.holds(actual, limit),
                note: (s.values.len() > 1).then(|| format!("median of {} samples", s.values.len())),
            }),
            Err(e) => out.push(BudgetResult {
                actual: Some(actual),
                ..broken(name, s.unit.clone(), e)
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Benchmark, Histogram, Metric, RunMeta};

    fn s(metric: &str, unit: Unit, values: &[f64]) -> Series {
        Series {
            benchmark: "B".into(),
            metric: metric.into(),
            direction: Direction::infer(metric, &unit),
            unit,
            values: values.to_vec(),
        }
    }

    fn t(values: &[f64]) -> Series {
        s("time", Unit::Nanoseconds, values)
    }

    const BASE: [f64; 10] = [
        100.0, 101.0, 99.0, 100.5, 98.5, 100.2, 99.7, 101.3, 100.1, 99.9,
    ];

    fn scaled(f: f64) -> Vec<f64> {
        BASE.iter().map(|v| v * f).collect()
    }

    /// [`decide`] at the defaults of the tests: threshold 5%, significance 0.05, 4 samples.
    fn judge(b: &Series, c: &Series, direction: Direction) -> MetricResult {
        decide(b, c, direction, 0.05, 0.05, 4)
    }

    #[test]
    fn a_significant_slowdown_beyond_the_threshold_is_a_regression() {
        let r = judge(&t(&BASE), &t(&scaled(1.2)), Direction::LowerIsBetter);
        assert_eq!(r.status, Status::Regression);
        assert_eq!(r.method, Method::MannWhitney);
        assert!(r.p_value.unwrap() < 0.001);
        let (lo, hi) = r.ci.unwrap();
        assert!(lo > 0.15 && hi < 0.25, "{lo} {hi}");
        assert!((r.change.unwrap() - 0.2).abs() < 1e-9);
        assert_eq!(r.baseline.unwrap().n, 10);
    }

    #[test]
    fn the_change_of_samples_is_the_hodges_lehmann_estimate_inside_its_interval() {
        let cur = [
            101.0, 101.5, 102.0, 104.0, 105.6, 105.8, 106.0, 106.2, 106.4, 106.6,
        ];
        let r = judge(&t(&BASE), &t(&cur), Direction::LowerIsBetter);
        // exp(median of the pairwise log differences) - 1, by NumPy; the medians' ratio
        // 105.7 / 100.05 - 1 = 0.0565 is not what is reported.
        let change = r.change.unwrap();
        assert!(
            (change - 0.052_528_059_631_117_06).abs() < 1e-12,
            "{change}"
        );
        let (lo, hi) = r.ci.unwrap();
        assert!(lo < change && change < hi, "{lo} {change} {hi}");
        assert_eq!(r.status, Status::Regression);
    }

    #[test]
    fn a_significant_change_within_the_threshold_is_unchanged() {
        let r = judge(&t(&BASE), &t(&scaled(1.03)), Direction::LowerIsBetter);
        assert!(r.p_value.unwrap() < 0.05);
        assert_eq!(r.status, Status::Unchanged);
    }

    #[test]
    fn a_speedup_is_an_improvement() {
        let r = judge(&t(&BASE), &t(&scaled(0.8)), Direction::LowerIsBetter);
        assert_eq!(r.status, Status::Improvement);
    }

    #[test]
    fn lower_throughput_is_a_regression() {
        let b = s("throughput", Unit::BytesPerSecond, &BASE);
        let c = s("throughput", Unit::BytesPerSecond, &scaled(0.8));
        let r = judge(&b, &c, Direction::HigherIsBetter);
        assert_eq!(r.status, Status::Regression);
    }

    #[test]
    fn too_few_samples_for_a_large_change_is_inconclusive() {
        let r = decide(
            &t(&[100.0, 101.0, 99.0]),
            &t(&[130.0, 131.0, 129.0]),
            Direction::LowerIsBetter,
            0.05,
            0.05,
            4,
        );
        assert_eq!(r.status, Status::Inconclusive);
        assert!(
            r.note
                .as_deref()
                .unwrap()
                .contains("too few samples to decide (3 and 3): at least 4 per side"),
            "{:?}",
            r.note
        );
    }

    #[test]
    fn a_large_change_that_is_not_significant_is_inconclusive() {
        let noisy_base = [100.0, 60.0, 140.0, 90.0, 110.0, 70.0, 130.0, 100.0];
        let noisy_cur = [112.0, 65.0, 160.0, 95.0, 125.0, 80.0, 150.0, 110.0];
        let r = judge(&t(&noisy_base), &t(&noisy_cur), Direction::LowerIsBetter);
        assert_eq!(r.status, Status::Inconclusive);
        assert!(r.p_value.unwrap() > 0.05);
        assert!(r
            .note
            .as_deref()
            .unwrap()
            .contains("not statistically significant"));
    }

    #[test]
    fn single_values_without_noise_estimate_are_decided_only_beyond_the_large_change() {
        let r = judge(&t(&[100.0]), &t(&[110.0]), Direction::LowerIsBetter);
        assert_eq!(r.status, Status::Inconclusive);
        assert_eq!(r.method, Method::Threshold);
        assert_eq!(r.p_value, None);
        assert_eq!(
            r.note.as_deref(),
            Some("one value per side and no history: no noise estimate: reruns of unchanged code move such a value by up to 40% (`large_change`); repeat the run several times per side, or keep a history of runs (`--store`, the Action's data branch), to decide")
        );
        let r = judge(&t(&[100.0]), &t(&[145.0]), Direction::LowerIsBetter);
        assert_eq!(r.status, Status::Regression);
        assert_eq!(
            r.note.as_deref(),
            Some("one value per side and no history: no noise estimate, but a change of +45.0% is beyond 40% (`large_change`), which reruns of unchanged code do not reach")
        );
        // The same ratio both ways: 1/1.45 is as far down.
        let r = judge(&t(&[145.0]), &t(&[100.0]), Direction::LowerIsBetter);
        assert_eq!(r.status, Status::Improvement);
        let r = judge(&t(&[100.0]), &t(&[104.0]), Direction::LowerIsBetter);
        assert_eq!((r.status, r.note), (Status::Unchanged, None));
    }

    fn latency(metric: &str, v: f64) -> Series {
        Series {
            benchmark: "GET /".into(),
            metric: metric.into(),
            unit: Unit::Nanoseconds,
            direction: Direction::LowerIsBetter,
            values: vec![v],
        }
    }

    /// A run of `k` (at most twenty) benchmarks `B00`... with `n` repeats of a little noise each:
    /// on a `machine` that many times slower than the baseline's (1: the baseline run itself),
    /// each benchmark also moved by its own run-to-run factor (`OWN`, log), and the last one by
    /// `slower`.
    fn suite_run(k: usize, machine: f64, slower: f64, n: usize) -> Run {
        const Z: [f64; 10] = [0.3, -1.2, 0.8, -0.4, 1.5, -0.9, 0.1, -0.2, 1.1, -1.0];
        const OWN: [f64; 20] = [
            0.01, -0.02, 0.03, -0.01, 0.0, 0.02, -0.03, 0.015, -0.015, 0.025, -0.025, 0.005,
            -0.005, 0.012, -0.012, 0.02, -0.02, 0.008, -0.008, 0.0,
        ];
        let benches: Vec<(String, Vec<f64>)> = OWN
            .iter()
            .take(k)
            .enumerate()
            .map(|(i, o)| {
                let f = if i + 1 == k { slower } else { 1.0 };
                let own = if machine == 1.0 { 0.0f64 } else { *o };
                let level = 100.0 * machine * f * own.exp();
                let values = Z.iter().take(n).map(|z| level * (1.0 + 0.002 * z));
                (format!("B{i:02}"), values.collect())
            })
            .collect();
        let rows: Vec<(&str, &str, Unit, Vec<f64>)> = benches
            .iter()
            .map(|(n, v)| (n.as_str(), "time", Unit::Nanoseconds, v.clone()))
            .collect();
        run_of(RunMeta::default(), &rows)
    }

    #[test]
    fn with_one_baseline_run_a_suite_is_judged_against_its_run_to_run_spread() {
        // The current run is on a machine 8% slower, each benchmark moves by its own +-3%
        // between runs, and B19 is really 30% slower.
        let side = |machine: f64, slower: f64| suite_run(20, machine, slower, 10);
        let c = compare(Some(&side(1.0, 1.0)), &side(1.08, 1.3), &Config::default());
        let suite = c.suite.clone().unwrap();
        assert_eq!((suite.metrics, suite.benchmarks), (20, 20));
        assert!((suite.change - 0.08).abs() < 0.01, "{suite:?}");
        // 8% is beyond the threshold but within what the machine may do: inconclusive, and it
        // does not fail the gate by default.
        assert_eq!(
            (suite.status, suite.fails_gate),
            (Status::Inconclusive, false)
        );
        let b19 = c.results.iter().find(|r| r.benchmark == "B19").unwrap();
        assert_eq!(
            (b19.status, b19.method),
            (Status::Regression, Method::RunToRun)
        );
        // +30% against the rest of the suite, near enough.
        assert!((b19.change.unwrap() - 0.30).abs() < 0.04, "{b19:?}");
        assert!(b19
            .note
            .as_deref()
            .unwrap()
            .contains("against the baseline run, while the whole run is 8"));
        // Every other benchmark moved with the machine: no regression, though each is +5-11%
        // against the baseline run.
        assert_eq!(c.counts.regression, 1, "{:#?}", c.results);
        assert_eq!(c.verdict, Verdict::Fail);
        // Under `mann-whitney` nothing of this: benchstat's test, each metric alone.
        let u = Config {
            test: TestChoice::MannWhitney,
            ..Config::default()
        };
        let c = compare(Some(&side(1.0, 1.0)), &side(1.08, 1.3), &u);
        assert!(c.suite.is_none());
        assert!(c.results.iter().all(|r| r.method == Method::MannWhitney));
    }

    #[test]
    fn eight_benchmarks_of_one_metric_are_a_suite_too() {
        // Too few metrics for the moderated t test (10), enough benchmarks for a suite: each
        // U-test metric is judged against the rest of the suite with its own within-run noise.
        let c = compare(
            Some(&suite_run(8, 1.0, 1.0, 10)),
            &suite_run(8, 1.25, 1.3, 10),
            &Config::default(),
        );
        assert!(c.moderation.is_none());
        let suite = c.suite.clone().unwrap();
        assert_eq!((suite.metrics, suite.benchmarks), (8, 8));
        // The machine 25% slower: inconclusive, not eight regressions.
        assert_eq!(suite.status, Status::Inconclusive, "{suite:?}");
        assert!(c.results.iter().all(|r| r.method == Method::RunToRun));
        let last = c.results.iter().find(|r| r.benchmark == "B07").unwrap();
        assert_eq!(last.status, Status::Regression, "{last:?}");
        assert_eq!(c.counts.regression, 1, "{:#?}", c.results);
        // Seven benchmarks are not enough to tell: each keeps its own test.
        let c = compare(
            Some(&suite_run(7, 1.0, 1.0, 10)),
            &suite_run(7, 1.25, 1.3, 10),
            &Config::default(),
        );
        assert!(c.suite.is_none());
        assert_eq!(c.counts.regression, 7);
    }

    #[test]
    fn a_change_every_repeat_shows_but_the_whole_run_shares_is_the_suites_to_decide() {
        // Everything 1.6x slower with 3 repeats a side: every repeat of B19 is +74% against the
        // baseline run, but only +9% against the rest of its suite, within the suite's spread.
        let c = compare(
            Some(&suite_run(20, 1.0, 1.0, 3)),
            &suite_run(20, 1.6, 1.09, 3),
            &Config::default(),
        );
        let suite = c.suite.clone().unwrap();
        assert_eq!(
            (suite.status, suite.fails_gate),
            (Status::Regression, true),
            "{suite:?}"
        );
        // 1.6 times exp(0.0025), the median of the benchmarks' own moves with B19's +9%.
        assert_eq!(
            c.reasons,
            ["the whole run is slower than the baseline run (+60.4%)"]
        );
        let b19 = c.results.iter().find(|r| r.benchmark == "B19").unwrap();
        assert_eq!(
            (b19.status, b19.method),
            (Status::Inconclusive, Method::RunToRun),
            "{b19:?}"
        );
        assert_eq!(c.counts.regression, 0, "{:#?}", c.results);
    }

    #[test]
    fn a_load_test_latency_that_moved_less_than_the_floor_is_unchanged() {
        // wrk's p(50) on an unchanged rerun: 61.7 us -> 75.4 us.
        let r = judge(
            &latency("p(50)", 61_700.0),
            &latency("p(50)", 75_400.0),
            Direction::LowerIsBetter,
        );
        assert_eq!(r.status, Status::Unchanged);
        assert_eq!(
            r.note.as_deref(),
            Some("+22.2% (13.7 µs) is within the 1.00 ms latency floor (`latency_floor`): no change worth a red build without a noise estimate")
        );
        // autocannon reports whole milliseconds: its p(75) from 0 to 1 ms on an unchanged rerun.
        let r = judge(
            &latency("p(75)", 0.0),
            &latency("p(75)", 1e6),
            Direction::LowerIsBetter,
        );
        assert_eq!((r.status, r.change), (Status::Unchanged, None));
        // 10x over the floor and beyond the large change: decided.
        let r = judge(
            &latency("p(95)", 20e6),
            &latency("p(95)", 192.6e6),
            Direction::LowerIsBetter,
        );
        assert_eq!(r.status, Status::Regression);
    }

    #[test]
    fn tail_percentiles_without_a_history_are_not_gated() {
        for (metric, extreme) in [
            ("p(99.9)", true),
            ("p(99.99)", true),
            ("http_req_duration p(99.999)", true),
            ("p(0.1)", true),
            ("min", true),
            ("p(99)", false),
            ("p(95)", false),
            ("avg", false),
        ] {
            let r = judge(
                &latency(metric, 26e6),
                &latency(metric, 86e6),
                Direction::LowerIsBetter,
            );
            let want = if extreme {
                Status::Inconclusive
            } else {
                Status::Regression
            };
            assert_eq!(r.status, want, "{metric}");
        }
    }

    #[test]
    fn max_and_min_without_a_history_are_not_gated() {
        let r = judge(
            &latency("max", 20e6),
            &latency("max", 60e6),
            Direction::LowerIsBetter,
        );
        assert_eq!(r.status, Status::Inconclusive);
        assert!(r.note.as_deref().unwrap().contains(
            "`max` rests on the run's few slowest or fastest requests: not gated without a history of runs (+200.0% here)"
        ));
    }

    #[test]
    fn a_change_every_repeat_shows_fails_at_any_number_of_repeats() {
        // Issue 10's small samples: 2 repeats of 2x, 3 of 1.5x, 4 of 3x, 5 of 37x.
        for (n, factor) in [(1usize, 2.0), (2, 2.0), (3, 1.5), (4, 3.0), (5, 37.0)] {
            let base: Vec<f64> = (0..n).map(|i| 100.0 + i as f64).collect();
            let cur: Vec<f64> = base.iter().map(|v| v * factor).collect();
            let r = judge(&t(&base), &t(&cur), Direction::LowerIsBetter);
            assert_eq!(r.status, Status::Regression, "{n} repeats of {factor}x");
            if n == 2 {
                assert_eq!(
                    r.note.as_deref(),
                    Some("every repeat shows it: all 2 current values are beyond all 2 baseline values, and a change of +100.0% is beyond 40% (`large_change`), which reruns of unchanged code do not reach")
                );
            }
        }
        // Faster the same way: an improvement.
        let r = judge(
            &t(&[200.0, 202.0]),
            &t(&[100.0, 101.0]),
            Direction::LowerIsBetter,
        );
        assert_eq!(r.status, Status::Improvement);
        // Overlapping repeats are not "every repeat": 2 of 2x where one current value is fast.
        let r = judge(
            &t(&[100.0, 101.0]),
            &t(&[99.0, 300.0]),
            Direction::LowerIsBetter,
        );
        assert_eq!(r.status, Status::Inconclusive);
        // Separated but within the large change: too few repeats to decide.
        let r = judge(
            &t(&[100.0, 101.0]),
            &t(&[120.0, 121.0]),
            Direction::LowerIsBetter,
        );
        assert_eq!(r.status, Status::Inconclusive);
    }

    #[test]
    fn the_threshold_is_a_ratio_the_same_both_ways() {
        // With no large-change bound, a single value is decided by the threshold alone.
        let one = |base: f64, cur: f64, direction: Direction, threshold: f64| {
            let rules = Rules {
                threshold,
                alpha: 0.05,
                min_samples: 4,
                deterministic: false,
                large_change: 0.0,
                latency_floor: 0.0,
            };
            decide_with(&t(&[base]), &t(&[cur]), direction, &rules).status
        };
        use Direction::{HigherIsBetter as Higher, LowerIsBetter as Lower};
        use Status::{Improvement, Regression, Unchanged};
        let (old, new) = (70.0, 70.0 * 1.0572);
        let cases = [
            // A time 5.72% up and its throughput 5.41% down are the same change, seen from both
            // sides: with a 5.5% threshold both are regressions (benchstat's CRC example).
            (old, new, Lower, 0.055, Regression),
            (1.0 / old, 1.0 / new, Higher, 0.055, Regression),
            // Downwards the bound is 1/1.055 = 0.94787: -5.2% crosses it, -5.0% does not.
            (100.0, 94.78, Lower, 0.055, Improvement),
            (100.0, 94.79, Lower, 0.055, Unchanged),
            (100.0, 105.49, Lower, 0.055, Unchanged),
            // A threshold of 100% (2x) can be crossed downwards too: halving and a bit more.
            (100.0, 49.0, Higher, 1.0, Regression),
            (100.0, 51.0, Higher, 1.0, Unchanged),
            // Down to zero is beyond any threshold.
            (100.0, 0.0, Higher, 5.0, Regression),
        ];
        for (base, cur, direction, threshold, want) in cases {
            assert_eq!(
                one(base, cur, direction, threshold),
                want,
                "{base} -> {cur} at {threshold}"
            );
        }
        // Two values against one: the middle of two is their geometric mean (+9.8% here, where
        // the plain median's +9.2% would be -9.4% seen as a throughput), so both sides agree.
        let (x, y) = ([0.895_710_452, 1.097_175_358], [1.088_447_173]);
        let inv = |v: &[f64]| v.iter().map(|t| 1.0 / t).collect::<Vec<f64>>();
        let rules = Rules {
            threshold: 0.095,
            alpha: 0.05,
            min_samples: 4,
            deterministic: false,
            large_change: 0.0,
            latency_floor: 0.0,
        };
        let time = decide_with(&t(&x), &t(&y), Direction::LowerIsBetter, &rules);
        let tp = decide_with(
            &t(&inv(&x)),
            &t(&inv(&y)),
            Direction::HigherIsBetter,
            &rules,
        );
        assert_eq!(
            (time.status, tp.status),
            (Status::Regression, Status::Regression)
        );
        let (a, b) = (time.change.unwrap(), tp.change.unwrap());
        assert!((a - 0.097_957_456).abs() < 1e-8 && ((1.0 + a) * (1.0 + b) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn an_allocation_appearing_from_zero_is_a_regression() {
        let b = s("allocs", Unit::Count, &[0.0]);
        let c = s("allocs", Unit::Count, &[2.0]);
        let r = decide(&b, &c, Direction::LowerIsBetter, 0.0, 0.05, 4);
        assert_eq!(r.status, Status::Regression);
        assert_eq!(r.change, None);
        assert!(r.note.as_deref().unwrap().contains("baseline is zero"));
    }

    #[test]
    fn go_names_match_with_or_without_the_gomaxprocs_suffix() {
        let config = Config::default();
        // github-action-benchmark's history strips `-8`; go test prints it.
        let imported = run(&[("BenchmarkJoin", 100.0), ("BenchmarkSplit/n=10", 50.0)]);
        let current = run(&[("BenchmarkJoin-8", 200.0), ("BenchmarkSplit/n=10-8", 50.0)]);
        let c = compare(Some(&imported), &current, &config);
        assert_eq!(
            statuses(&c),
            [
                ("BenchmarkJoin-8", Status::Regression),
                ("BenchmarkSplit/n=10-8", Status::Unchanged)
            ]
        );
        // Another GOMAXPROCS on each side: still the same benchmark.
        let four = run(&[("BenchmarkJoin-4", 100.0)]);
        let c = compare(Some(&four), &run(&[("BenchmarkJoin-8", 100.0)]), &config);
        assert_eq!(c.counts.unchanged, 1, "{:?}", c.results);
        // Two sub-benchmarks that only a suffix tells apart are never paired by it.
        let base = run(&[
            ("BenchmarkSort/size-1000", 100.0),
            ("BenchmarkSort/size-2000", 200.0),
        ]);
        let cur = run(&[("BenchmarkSort/size", 300.0)]);
        let c = compare(Some(&base), &cur, &config);
        assert_eq!((c.counts.new, c.counts.missing), (1, 2), "{:?}", c.results);
        assert!(c.nothing_in_common().is_some());
        assert_eq!(without_procs("BenchmarkA-16"), Some("BenchmarkA"));
        assert_eq!(without_procs("BenchmarkA"), None);
        assert_eq!(without_procs("parse-8"), None);
    }

    /// Each result's benchmark and status, in the comparison's order.
    fn statuses(c: &Comparison) -> Vec<(&str, Status)> {
        c.results
            .iter()
            .map(|r| (r.benchmark.as_str(), r.status))
            .collect()
    }

    fn run(benches: &[(&str, f64)]) -> Run {
        Run::new(
            RunMeta::default(),
            benches
                .iter()
                .map(|(n, v)| {
                    let mut b = Benchmark::new(*n);
                    b.push(Metric::new("time", Unit::Nanoseconds, Data::Value(*v)));
                    b
                })
                .collect(),
        )
    }

    #[test]
    fn reports_new_and_missing_and_fails_only_when_configured() {
        let base = run(&[("A", 100.0), ("Gone", 5.0)]);
        let cur = run(&[("A", 150.0), ("Fresh", 7.0)]);
        let c = compare(Some(&base), &cur, &Config::default());
        assert_eq!(
            statuses(&c),
            [
                ("A", Status::Regression),
                ("Gone", Status::Missing),
                ("Fresh", Status::New)
            ]
        );
        assert_eq!(c.verdict, Verdict::Fail);
        assert_eq!(c.reasons, ["1 regression"]);

        let cfg = Config {
            fail_on_regression: false,
            fail_on_missing: true,
            ..Config::default()
        };
        let c = compare(Some(&base), &cur, &cfg);
        assert_eq!(c.reasons, ["1 missing result"]);
        let cfg = Config {
            fail_on_regression: false,
            ..Config::default()
        };
        assert_eq!(compare(Some(&base), &cur, &cfg).verdict, Verdict::Pass);
    }

    #[test]
    fn ignored_benchmarks_are_not_compared() {
        let cfg = Config::parse("t.toml", "[[rule]]\nbenchmark = \"A*\"\nignore = true\n").unwrap();
        let c = compare(Some(&run(&[("Alpha", 1.0)])), &run(&[("Alpha", 9.0)]), &cfg);
        assert!(c.results.is_empty());
        assert_eq!(c.verdict, Verdict::Pass);
    }

    #[test]
    fn rules_override_threshold_and_direction() {
        let cfg = Config::parse(
            "t.toml",
            "[[rule]]\nbenchmark = \"A\"\nthreshold = \"50%\"\n[[rule]]\nbenchmark = \"B\"\ndirection = \"higher_is_better\"\n",
        )
        .unwrap();
        let c = compare(
            Some(&run(&[("A", 100.0), ("B", 100.0)])),
            &run(&[("A", 150.0), ("B", 150.0)]),
            &cfg,
        );
        let a = c.results.iter().find(|r| r.benchmark == "A").unwrap();
        let b = c.results.iter().find(|r| r.benchmark == "B").unwrap();
        assert_eq!((a.status, a.threshold), (Status::Unchanged, 0.5));
        assert_eq!(
            (b.status, b.direction),
            (Status::Improvement, Direction::HigherIsBetter)
        );
    }

    fn k6_like() -> Run {
        let mut d = Benchmark::new("http_req_duration");
        d.push(Metric::new("p(95)", Unit::Nanoseconds, Data::Value(30e6)));
        d.push(Metric::new("med", Unit::Nanoseconds, Data::Value(20e6)));
        let mut f = Benchmark::new("http_req_failed");
        f.push(Metric::new("rate", Unit::Ratio, Data::Value(0.02)));
        Run::new(RunMeta::default(), vec![d, f])
    }

    #[test]
    fn budgets_pass_and_break_with_actual_and_limit() {
        let cfg = Config::parse(
            "t.toml",
            "[budgets]\nhttp_req_duration = [\"p(95) < 200ms\", \"p(50) < 10\"]\nhttp_req_failed = \"rate < 1%\"\n",
        )
        .unwrap();
        let c = compare(None, &k6_like(), &cfg);
        assert!(c.results.is_empty());
        let got: Vec<_> = c
            .budgets
            .iter()
            .map(|b| (b.metric.as_str(), b.actual, b.limit, b.passed))
            .collect();
        assert_eq!(
            got,
            [
                ("p(95)", Some(30e6), 200e6, true),
                ("med", Some(20e6), 10e6, false),
                ("rate", Some(0.02), 0.01, false),
            ]
        );
        assert_eq!(c.counts.budgets_broken, 2);
        assert_eq!(c.reasons, ["2 budgets broken"]);
        assert_eq!(c.verdict, Verdict::Fail);
    }

    #[test]
    fn a_budget_on_something_absent_is_broken_not_skipped() {
        let cfg = Config::parse(
            "t.toml",
            "[budgets]\nhttp_req_duraton = \"p(95) < 200\"\nhttp_req_duration = \"p(96) < 200\"\n",
        )
        .unwrap();
        let c = compare(None, &k6_like(), &cfg);
        let notes: Vec<_> = c.budgets.iter().map(|b| b.note.clone().unwrap()).collect();
        assert_eq!(
            notes,
            [
                "`http_req_duration` has no metric `p(96)`; it has: p(95), med",
                "no benchmark matches `http_req_duraton`",
            ]
        );
        assert!(c.budgets.iter().all(|b| !b.passed));
    }

    /// A run of one-metric benchmarks; `(name, metric, unit, values)`.
    #[test]
    fn k6_counts_that_follow_the_duration_never_fail_the_gate() {
        let k6 = || RunMeta {
            tool: Some("k6".into()),
            ..RunMeta::default()
        };
        let run = |reqs: f64, iterations: f64, errors: f64, p95: f64| {
            run_of(
                k6(),
                &[
                    ("http_reqs", "count", Unit::Count, vec![reqs]),
                    ("iterations", "count", Unit::Count, vec![iterations]),
                    ("errors", "count", Unit::Count, vec![errors]),
                    ("http_req_duration", "p(95)", Unit::Nanoseconds, vec![p95]),
                ],
            )
        };
        let config = Config::default();
        // Half the requests in the same fixed duration, latency unchanged: nothing to fail on.
        let c = compare(
            Some(&run(10_000.0, 5_000.0, 0.0, 30e6)),
            &run(5_000.0, 2_500.0, 0.0, 30e6),
            &config,
        );
        assert_eq!(c.verdict, Verdict::Pass, "{:?}", c.reasons);
        let reqs = c
            .results
            .iter()
            .find(|r| r.benchmark == "http_reqs")
            .unwrap();
        assert!(reqs.context && !reqs.fails_gate);
        let p95 = c
            .results
            .iter()
            .find(|r| r.benchmark == "http_req_duration")
            .unwrap();
        assert!(!p95.context);
        // More errors is worse whatever the duration; and the latency still gates.
        let c = compare(
            Some(&run(10_000.0, 5_000.0, 10.0, 30e6)),
            &run(10_000.0, 5_000.0, 100.0, 300e6),
            &config,
        );
        let failing: Vec<&str> = c
            .results
            .iter()
            .filter(|r| r.fails_gate)
            .map(|r| r.benchmark.as_str())
            .collect();
        assert_eq!(failing, ["errors", "http_req_duration"]);
        // Only k6's counts: other tools' counts keep their own rules.
        assert!(is_k6(Some("k6-ndjson")) && !is_k6(Some("wrk")) && !is_k6(None));
    }

    fn run_of(meta: RunMeta, benches: &[(&str, &str, Unit, Vec<f64>)]) -> Run {
        Run::new(
            meta,
            benches
                .iter()
                .map(|(n, m, u, v)| {
                    let mut b = Benchmark::new(*n);
                    let data = match v.as_slice() {
                        [one] => Data::Value(*one),
                        _ => Data::Samples(v.clone()),
                    };
                    b.push(Metric::new(*m, u.clone(), data));
                    b
                })
                .collect(),
        )
    }

    /// Raw p = 0.0147 (SciPy `mannwhitneyu(BASE, BORDERLINE, method="exact")`), +5.8% median.
    const BORDERLINE: [f64; 10] = [
        108.4, 107.0, 104.6, 102.9, 107.1, 105.4, 106.4, 99.5, 98.2, 108.2,
    ];

    #[test]
    fn a_borderline_p_value_alone_is_a_regression_but_not_among_twenty_metrics() {
        let alone = compare(
            Some(&run_of(
                RunMeta::default(),
                &[("T", "time", Unit::Nanoseconds, BASE.to_vec())],
            )),
            &run_of(
                RunMeta::default(),
                &[("T", "time", Unit::Nanoseconds, BORDERLINE.to_vec())],
            ),
            &Config::default(),
        );
        let r = &alone.results[0];
        assert_eq!(r.status, Status::Regression);
        assert!((r.p_value.unwrap() - 0.014689644720604474).abs() < 1e-12);
        assert_eq!(r.p_adjusted, r.p_value);
        assert_eq!(alone.corrected_over, 1);

        let names: Vec<String> = (0..19).map(|i| format!("Other{i:02}")).collect();
        let mut base = vec![("T", "time", Unit::Nanoseconds, BASE.to_vec())];
        let mut cur = vec![("T", "time", Unit::Nanoseconds, BORDERLINE.to_vec())];
        for n in &names {
            base.push((n.as_str(), "time", Unit::Nanoseconds, BASE.to_vec()));
            cur.push((n.as_str(), "time", Unit::Nanoseconds, scaled(1.001)));
        }
        let u_test = Config {
            test: TestChoice::MannWhitney,
            ..Config::default()
        };
        let c = compare(
            Some(&run_of(RunMeta::default(), &base)),
            &run_of(RunMeta::default(), &cur),
            &u_test,
        );
        assert_eq!(c.corrected_over, 20);
        assert!(c.moderation.is_none());
        assert!(c.results.iter().all(|r| r.method == Method::MannWhitney));
        let r = c.results.iter().find(|r| r.benchmark == "T").unwrap();
        assert_eq!(r.status, Status::Inconclusive);
        // Benjamini-Hochberg: the smallest of 20 p-values is multiplied by 20.
        assert!((r.p_adjusted.unwrap() - 20.0 * r.p_value.unwrap()).abs() < 1e-12);
        let note = r.note.as_deref().unwrap();
        assert!(note.contains("after correction over 20 metrics"), "{note}");
        assert!(
            note.contains("repeats per side would likely decide it"),
            "{note}"
        );
        assert_eq!(c.verdict, Verdict::Pass);
    }

    /// Twenty metrics with samples: `T` (BASE against BORDERLINE * 1.02) and nineteen unchanged
    /// ones of different spreads. Memory, not speed: the suite's run-to-run rule leaves them to
    /// the moderated t test.
    fn twenty_metrics() -> (Run, Run) {
        let names: Vec<String> = (0..19).map(|i| format!("Other{i:02}")).collect();
        let t: Vec<f64> = BORDERLINE.iter().map(|v| v * 1.02).collect();
        let mut base = vec![("T", "rss", Unit::Bytes, BASE.to_vec())];
        let mut cur = vec![("T", "rss", Unit::Bytes, t)];
        for (i, n) in names.iter().enumerate() {
            let k = 0.5 + i as f64 * 0.1;
            let b: Vec<f64> = BASE.iter().map(|v| 100.0 + (v - 100.0) * k).collect();
            let c: Vec<f64> = b.iter().rev().map(|v| v * 1.001).collect();
            base.push((n.as_str(), "rss", Unit::Bytes, b));
            cur.push((n.as_str(), "rss", Unit::Bytes, c));
        }
        (
            run_of(RunMeta::default(), &base),
            run_of(RunMeta::default(), &cur),
        )
    }

    #[test]
    fn many_metrics_with_samples_are_decided_by_the_moderated_t_test() {
        let (base, cur) = twenty_metrics();
        let c = compare(Some(&base), &cur, &Config::default());
        assert_eq!(c.settings.test, "auto");
        assert!(c.results.iter().all(|r| r.method == Method::ModeratedT));
        // Reference values: a NumPy/SciPy transcription of limma's fitFDist and eBayes
        // (prior d0 = 3.3120, s0^2 = 9.5506e-05; T: t = 6.3161 on 21.31 df).
        let m = c.moderation.unwrap();
        assert_eq!(m.metrics, 20);
        assert!(
            (m.prior_df.unwrap() - 3.311_977_250_187_707).abs() < 1e-6,
            "{m:?}"
        );
        assert!((m.prior_cv - 9.550_563_861_489_725e-5_f64.exp_m1().sqrt()).abs() < 1e-9);
        assert_eq!(m.pooled_df, 20.0 * 18.0);
        let r = c.results.iter().find(|r| r.benchmark == "T").unwrap();
        assert_eq!(r.status, Status::Regression);
        let p = r.p_value.unwrap();
        assert!((p / 2.715_178_302_108_749e-6 - 1.0).abs() < 1e-6, "{p}");
        let q = r.p_adjusted.unwrap();
        assert!((q / 5.430_356_604_217_497_7e-5 - 1.0).abs() < 1e-6, "{q}");
        // The change is the geometric-mean ratio, inside its t interval.
        assert!((r.change.unwrap() - 0.067_914_448_556_460_31).abs() < 1e-12);
        let (lo, hi) = r.ci.unwrap();
        assert!((lo - 0.045_078_827_137_595_61).abs() < 1e-9, "{lo}");
        assert!((hi - 0.091_249_042_485_383_4).abs() < 1e-9, "{hi}");
        assert_eq!(c.counts.regression, 1);
        assert_eq!(c.counts.unchanged, 19);
    }

    #[test]
    fn the_u_test_decides_when_configured_or_when_few_metrics_have_samples() {
        let (base, cur) = twenty_metrics();
        let u = Config {
            test: TestChoice::MannWhitney,
            ..Config::default()
        };
        let c = compare(Some(&base), &cur, &u);
        assert!(c.moderation.is_none());
        assert!(c.results.iter().all(|r| r.method == Method::MannWhitney));

        // Nine metrics with samples (and one without): too few to learn their noise together.
        let keep: Vec<Benchmark> = cur.benchmarks.iter().take(9).cloned().collect();
        let few = Run::new(RunMeta::default(), keep);
        let c = compare(Some(&base), &few, &Config::default());
        assert!(c.moderation.is_none());
        assert!(c
            .results
            .iter()
            .filter(|r| r.current.is_some())
            .all(|r| r.method == Method::MannWhitney));
    }

    #[test]
    fn one_outlier_is_left_out_of_the_moderated_test_and_said_so() {
        // Thirty unchanged metrics; in one, a single current value is twice as slow (a GC pause).
        let names: Vec<String> = (0..30).map(|i| format!("B{i:02}")).collect();
        let mut base = Vec::new();
        let mut cur = Vec::new();
        for (i, n) in names.iter().enumerate() {
            let b: Vec<f64> = BASE.iter().cycle().skip(i).take(10).copied().collect();
            let mut c: Vec<f64> = BASE.iter().cycle().skip(i + 3).take(10).copied().collect();
            if i == 7 {
                c[0] *= 2.0;
            }
            base.push((n.as_str(), "rss", Unit::Bytes, b));
            cur.push((n.as_str(), "rss", Unit::Bytes, c));
        }
        let c = compare(
            Some(&run_of(RunMeta::default(), &base)),
            &run_of(RunMeta::default(), &cur),
            &Config::default(),
        );
        assert!(c.moderation.is_some());
        let r = c.results.iter().find(|r| r.benchmark == "B07").unwrap();
        assert_eq!(r.method, Method::ModeratedT);
        // With the doubled value the geometric mean would be 7.2% slower; without it, unchanged.
        assert!(r.change.unwrap().abs() < 0.01, "{r:?}");
        assert_eq!(r.status, Status::Unchanged);
        assert_eq!(
            r.note.as_deref(),
            Some("1 far-out value (beyond 4.5 interquartile ranges, log scale) left out of the t test")
        );
        assert_eq!(r.current.unwrap().n, 10);
        assert_eq!(c.counts.regression, 0);
        assert!(c
            .results
            .iter()
            .filter(|r| r.benchmark != "B07")
            .all(|r| r.note.is_none()));
    }

    #[test]
    fn a_strong_regression_survives_the_correction() {
        let mut base = vec![("T", "time", Unit::Nanoseconds, BASE.to_vec())];
        let mut cur = vec![("T", "time", Unit::Nanoseconds, scaled(1.2))];
        let names: Vec<String> = (0..299).map(|i| format!("Other{i:03}")).collect();
        for n in &names {
            base.push((n.as_str(), "time", Unit::Nanoseconds, BASE.to_vec()));
            cur.push((n.as_str(), "time", Unit::Nanoseconds, BASE.to_vec()));
        }
        let c = compare(
            Some(&run_of(RunMeta::default(), &base)),
            &run_of(RunMeta::default(), &cur),
            &Config::default(),
        );
        assert_eq!(c.corrected_over, 300);
        assert_eq!(c.counts.regression, 1);
        assert!(c.results[0].p_adjusted.unwrap() < 0.05);
    }

    /// The N of "about N repeats per side" in a note.
    fn repeats_in(note: &str) -> usize {
        note.split("about ")
            .nth(1)
            .and_then(|s| s.split(' ').next())
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("{note}"))
    }

    #[test]
    fn the_inconclusive_note_says_how_many_repeats_would_decide() {
        let (b, c) = (
            [100.0, 110.0, 92.0, 104.0, 97.0],
            [108.0, 118.0, 99.0, 96.0, 112.0],
        );
        let r = judge(&t(&b), &t(&c), Direction::LowerIsBetter);
        assert_eq!(r.status, Status::Inconclusive);
        // Noether's formula at the Hodges-Lehmann change and the pooled spread of the logs, one
        // metric so at the significance level itself.
        let n = repeats_in(&r.note.unwrap());
        let want = stats::repeats_per_side(
            r.change.unwrap().ln_1p(),
            stats::pooled_log_sd(&b, &c).unwrap(),
            0.05,
            TARGET_POWER,
        )
        .unwrap();
        assert_eq!(n, want.max(smallest_n(0.05)));
        assert!((10..=100).contains(&n), "{n}");
        // With min_samples above the estimate, the bar is min_samples.
        let r = decide(&t(&b), &t(&c), Direction::LowerIsBetter, 0.05, 0.05, 50);
        assert_eq!(repeats_in(&r.note.unwrap()), 50);
    }

    #[test]
    fn detects_deterministic_metrics_from_name_and_unit() {
        for (name, unit) in [
            ("instructions", Unit::Count),
            ("Instructions", Unit::Count),
            ("Ir", Unit::Count),
            ("Estimated Cycles", Unit::Count),
            ("L1 Hits", Unit::Count),
            ("RAM Hits", Unit::Count),
            ("Total read+write", Unit::Count),
            ("allocs", Unit::Count),
            ("alloc_bytes", Unit::Bytes),
            ("Allocated", Unit::Bytes),
            ("binary_size", Unit::Bytes),
            ("size", Unit::Bytes),
        ] {
            assert!(is_deterministic(name, &unit), "{name}");
        }
        for (name, unit) in [
            ("time", Unit::Nanoseconds),
            ("allocs_time", Unit::Nanoseconds),
            ("memory", Unit::Bytes),
            ("max_rss", Unit::Bytes),
            ("cycles", Unit::Count),
            ("throughput", Unit::BytesPerSecond),
            ("iterations", Unit::Count),
            ("size", Unit::Count),
        ] {
            assert!(!is_deterministic(name, &unit), "{name}");
        }
    }

    #[test]
    fn deterministic_metrics_are_decided_exactly_without_a_test() {
        let base = run_of(
            RunMeta::default(),
            &[
                ("A", "allocs", Unit::Count, vec![10.0; 10]),
                ("I", "instructions", Unit::Count, vec![1_000_000.0]),
            ],
        );
        let cur = run_of(
            RunMeta::default(),
            &[
                ("A", "allocs", Unit::Count, vec![11.0; 10]),
                ("I", "instructions", Unit::Count, vec![1_010_000.0]),
            ],
        );
        let c = compare(Some(&base), &cur, &Config::default());
        let a = c.results.iter().find(|r| r.benchmark == "A").unwrap();
        assert_eq!((a.status, a.method), (Status::Regression, Method::Exact));
        assert!(a.deterministic && a.p_value.is_none());
        let i = c.results.iter().find(|r| r.benchmark == "I").unwrap();
        assert_eq!((i.status, i.method), (Status::Unchanged, Method::Exact));
        assert_eq!(
            c.corrected_over, 0,
            "exact metrics have no p-value to correct"
        );

        // A 0% rule makes any increase count; `deterministic = false` brings the test back.
        let cfg = Config::parse(
            "t.toml",
            "[[rule]]\nmetric = \"instructions\"\nthreshold = \"0%\"\n[[rule]]\nmetric = \"allocs\"\ndeterministic = false\n",
        )
        .unwrap();
        let c = compare(Some(&base), &cur, &cfg);
        let i = c.results.iter().find(|r| r.benchmark == "I").unwrap();
        assert_eq!(i.status, Status::Regression);
        let a = c.results.iter().find(|r| r.benchmark == "A").unwrap();
        assert_eq!(a.method, Method::MannWhitney);
        assert!(!a.deterministic);
    }

    fn on(cpu: &str, cores: Option<u32>) -> RunMeta {
        RunMeta {
            environment: crate::model::Environment {
                os: Some("linux".into()),
                cpu: Some(cpu.into()),
                cores,
                ..Default::default()
            },
            ..RunMeta::default()
        }
    }

    #[test]
    fn across_environments_noisy_regressions_are_inconclusive_but_deterministic_ones_gate() {
        let benches = |f: f64| {
            vec![
                ("T", "time", Unit::Nanoseconds, vec![100.0 * f]),
                ("A", "allocs", Unit::Count, vec![10.0 * f]),
            ]
        };
        let base = run_of(on("AMD EPYC 7763", Some(4)), &benches(1.0));
        let cur = run_of(on("Intel Xeon 8370C", Some(4)), &benches(1.5));
        let c = compare(Some(&base), &cur, &Config::default());
        assert_eq!(
            c.environment_differences,
            ["cpu: AMD EPYC 7763 → Intel Xeon 8370C"]
        );
        assert!(c.cross_environment());
        let t = c.results.iter().find(|r| r.benchmark == "T").unwrap();
        assert_eq!(t.status, Status::Inconclusive);
        assert!(t.note.as_deref().unwrap().contains("another environment"));
        let a = c.results.iter().find(|r| r.benchmark == "A").unwrap();
        assert_eq!(a.status, Status::Regression);
        assert_eq!(c.reasons, ["1 regression"]);

        let cfg = Config {
            allow_cross_environment: true,
            ..Config::default()
        };
        assert_eq!(compare(Some(&base), &cur, &cfg).counts.regression, 2);

        // A hosted runner's image version is not a difference; its image is.
        let runner = |r: &str| RunMeta {
            environment: crate::model::Environment {
                runner: Some(r.into()),
                ..Default::default()
            },
            ..RunMeta::default()
        };
        let base = run_of(runner("ubuntu24/20251112.1"), &benches(1.0));
        let cur = run_of(runner("ubuntu24/20251119.1"), &benches(1.0));
        assert!(!compare(Some(&base), &cur, &Config::default()).cross_environment());
        let cur = run_of(runner("ubuntu22/20251119.1"), &benches(1.0));
        assert_eq!(
            compare(Some(&base), &cur, &Config::default()).environment_differences,
            ["runner: ubuntu24 → ubuntu22"]
        );

        // Fields known on one side only do not count as a difference.
        let base = run_of(on("AMD EPYC 7763", None), &benches(1.0));
        let cur = run_of(on("AMD EPYC 7763", Some(8)), &benches(1.5));
        let c = compare(Some(&base), &cur, &Config::default());
        assert!(!c.cross_environment());
        assert_eq!(c.counts.regression, 2);
    }

    #[test]
    fn a_history_from_several_kinds_of_machine_is_compared_on_the_current_one() {
        // Main ran on two CPU models in turn; the Intel runs are 20% slower.
        let amd = "AMD EPYC 7763";
        let intel = "Intel Xeon 8370C";
        let history: Vec<Run> = level(40, 100.0)
            .into_iter()
            .enumerate()
            .map(|(i, v)| {
                let (cpu, f) = if i % 2 == 0 { (amd, 1.0) } else { (intel, 1.2) };
                run_of(
                    on(cpu, Some(4)),
                    &[("T", "time", Unit::Nanoseconds, vec![v * f])],
                )
            })
            .collect();
        let at = |cpu: &str, v: f64| {
            run_of(
                on(cpu, Some(4)),
                &[("T", "time", Unit::Nanoseconds, vec![v])],
            )
        };
        // A pull request on an AMD runner is judged against the 20 AMD runs only: the latest
        // run (Intel) and the other Intel runs are left out, so nothing is cross-environment.
        let c = compare_history(&history, &at(amd, 101.0), &Config::default());
        assert_eq!((c.baseline_runs, c.other_environment_runs), (20, 20));
        assert!(!c.cross_environment());
        assert_eq!(c.results[0].status, Status::Unchanged);
        assert_eq!(c.results[0].baseline.unwrap().n, 20);
        // ... where +12% is a regression that gates.
        let c = compare_history(&history, &at(amd, 112.0), &Config::default());
        assert_eq!(c.results[0].status, Status::Regression);
        // The same on an Intel runner, at its own level.
        let c = compare_history(&history, &at(intel, 120.0 * 1.12), &Config::default());
        assert_eq!(c.results[0].status, Status::Regression);
        assert_eq!(c.other_environment_runs, 20);

        // A kind of machine the history never saw: the whole history, across environments.
        // There, a regression beyond the whole mixed history cannot fail the gate.
        let c = compare_history(&history, &at("Apple M2", 150.0), &Config::default());
        assert_eq!((c.baseline_runs, c.other_environment_runs), (30, 0));
        assert!(c.cross_environment());
        assert_eq!(c.results[0].status, Status::Inconclusive);
        assert!(c.results[0]
            .note
            .as_deref()
            .unwrap()
            .contains("another environment"));

        // Allowing cross-environment comparisons, the same-machine runs are still preferred when
        // they are enough for an interval (10), else the whole history is used.
        let allow = Config {
            allow_cross_environment: true,
            ..Config::default()
        };
        let c = compare_history(&history, &at(amd, 101.0), &allow);
        assert_eq!(c.other_environment_runs, 20);
        let few = history.get(30..).unwrap();
        let c = compare_history(few, &at(amd, 101.0), &allow);
        assert_eq!((c.baseline_runs, c.other_environment_runs), (10, 0));
        let c = compare_history(few, &at(amd, 101.0), &Config::default());
        assert_eq!((c.baseline_runs, c.other_environment_runs), (5, 5));
    }

    /// `n` runs of one single-value metric, `100 * (1 + spread * wave)` with a fixed wave.
    fn history(n: usize, spread: f64) -> Vec<Run> {
        (0..n)
            .map(|i| {
                let wave = ((i * 7 % 11) as f64 - 5.0) / 5.0;
                run_of(
                    RunMeta::default(),
                    &[(
                        "T",
                        "time",
                        Unit::Nanoseconds,
                        vec![100.0 * (1.0 + spread * wave)],
                    )],
                )
            })
            .collect()
    }

    fn one(v: f64) -> Run {
        run_of(
            RunMeta::default(),
            &[("T", "time", Unit::Nanoseconds, vec![v])],
        )
    }

    #[test]
    fn a_moderated_inconclusive_result_gets_the_t_tests_repeats() {
        // Twelve metrics with 5 samples a side at about 4% noise; M00 is 9% slower, which the
        // moderated t test cannot confirm after the correction over 12 metrics (+7.4% measured).
        const Z: [f64; 10] = [0.3, -1.2, 0.8, -0.4, 1.5, -0.9, 0.1, -0.2, 1.1, -1.0];
        let names: Vec<String> = (0..12).map(|i| format!("M{i:02}")).collect();
        let side = |offset: usize, slower: f64| {
            let benches: Vec<(&str, &str, Unit, Vec<f64>)> = names
                .iter()
                .enumerate()
                .map(|(i, n)| {
                    let f = if i == 0 { slower } else { 1.0 };
                    let v = (0..5)
                        .map(|j| 100.0 * f * (0.04 * Z[(i + j + offset) % 10]).exp())
                        .collect();
                    (n.as_str(), "rss", Unit::Bytes, v)
                })
                .collect();
            run_of(RunMeta::default(), &benches)
        };
        let (base, cur) = (side(0, 1.0), side(5, 1.09));
        let c = compare(Some(&base), &cur, &Config::default());
        let m0 = c.results.iter().find(|r| r.benchmark == "M00").unwrap();
        assert_eq!(
            (m0.status, m0.method),
            (Status::Inconclusive, Method::ModeratedT)
        );
        let n = repeats_in(m0.note.as_deref().unwrap());
        // The same numbers by hand: the moderated spread of M00, the level of one more discovery
        // among 12 (none yet), the t formula.
        let logs: Vec<stats::LogTwoSample> = names
            .iter()
            .map(|name| {
                let pick = |r: &Run| match &r
                    .benchmarks
                    .iter()
                    .find(|b| &b.name == name)
                    .unwrap()
                    .metrics[0]
                    .data
                {
                    Data::Samples(v) => v.clone(),
                    _ => unreachable!(),
                };
                stats::log_two_sample(&pick(&base), &pick(&cur)).unwrap()
            })
            .collect();
        let prior = stats::fit_variance_prior(&logs).unwrap();
        let t = stats::moderated_t(&logs[0], &prior, CONFIDENCE).unwrap();
        let level = 0.05 / 12.0;
        let shift = t.shift;
        assert_eq!(
            Some(n),
            stats::repeats_per_side_t(shift, t.var.sqrt(), level, TARGET_POWER)
        );
        // Noether's U-test formula would ask for more.
        assert!(stats::repeats_per_side(shift, t.var.sqrt(), level, TARGET_POWER).unwrap() > n);
    }

    /// Ten runs of twelve single-value benchmarks (`H00`..`H11`), each with its own spread, and a
    /// current run where `H00` is 8% slower.
    fn twelve_histories() -> (Vec<Run>, Run) {
        const Z: [f64; 10] = [0.3, -1.2, 0.8, -0.4, 1.5, -0.9, 0.1, -0.2, 1.1, -1.0];
        let names: Vec<String> = (0..12).map(|i| format!("H{i:02}")).collect();
        let spread = |i: usize| 0.01 + 0.002 * i as f64;
        let runs = (0..10)
            .map(|r| {
                let benches: Vec<(&str, &str, Unit, Vec<f64>)> = names
                    .iter()
                    .enumerate()
                    .map(|(i, n)| {
                        let z = Z[(r + i) % 10];
                        let v = 1000.0 * (spread(i) * z).exp();
                        (n.as_str(), "time", Unit::Nanoseconds, vec![v])
                    })
                    .collect();
                run_of(RunMeta::default(), &benches)
            })
            .collect();
        let cur: Vec<(&str, &str, Unit, Vec<f64>)> = names
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let v = if i == 0 {
                    1080.0
                } else {
                    1000.0 * (spread(i) * 0.5).exp()
                };
                (n.as_str(), "time", Unit::Nanoseconds, vec![v])
            })
            .collect();
        (runs, run_of(RunMeta::default(), &cur))
    }

    #[test]
    fn many_histories_moderate_their_prediction_intervals() {
        let (history, cur) = twelve_histories();
        let c = compare_history(&history, &cur, &Config::default());
        // Reference: NumPy/SciPy, limma's fitFDist over the twelve log variances (9 df each),
        // posterior variance and 98% t interval on min(d0 + 9, 108) degrees of freedom.
        let m = c.history_moderation.unwrap();
        assert_eq!(m.metrics, 12);
        assert!(
            (m.prior_df.unwrap() - 7.392_242_746_051_601).abs() < 1e-6,
            "{m:?}"
        );
        assert_eq!(m.pooled_df, 108.0);
        assert!(c.moderation.is_none());
        let r = c.results.iter().find(|r| r.benchmark == "H00").unwrap();
        assert_eq!(r.method, Method::PredictionInterval);
        assert_eq!(r.status, Status::Regression);
        let p = r.p_value.unwrap();
        assert!((p / 6.901_149_671_015_474e-5 - 1.0).abs() < 1e-6, "{p}");
        let q = r.p_adjusted.unwrap();
        assert!((q / 8.281_379_605_218_57e-4 - 1.0).abs() < 1e-6, "{q}");
        let note = r.note.as_deref().unwrap();
        assert!(note.contains("(963 ns to 1.04 µs)"), "{note}");
        assert_eq!(c.counts.regression, 1);

        // Each history alone (the U-test setting turns moderation off): t on 9 degrees of freedom.
        let u = Config {
            test: TestChoice::MannWhitney,
            ..Config::default()
        };
        let c = compare_history(&history, &cur, &u);
        assert!(c.history_moderation.is_none());
        let r = c.results.iter().find(|r| r.benchmark == "H00").unwrap();
        let p = r.p_value.unwrap();
        assert!((p / 2.328_735_223_410_471_6e-5 - 1.0).abs() < 1e-6, "{p}");
    }

    #[test]
    fn a_single_value_is_judged_against_the_prediction_interval_of_the_history() {
        let cfg = Config::default();
        let quiet = history(30, 0.02);
        let c = compare_history(&quiet, &one(112.0), &cfg);
        let r = &c.results[0];
        assert_eq!(
            (r.status, r.method),
            (Status::Regression, Method::PredictionInterval)
        );
        assert_eq!(r.baseline.unwrap().n, 30);
        assert!(r
            .note
            .as_deref()
            .unwrap()
            .contains("above the 98% prediction interval of the last 30 runs"));
        assert_eq!(c.baseline_runs, 30);
        assert_eq!(
            compare_history(&quiet, &one(103.0), &cfg).results[0].status,
            Status::Unchanged
        );
        assert_eq!(
            compare_history(&quiet, &one(85.0), &cfg).results[0].status,
            Status::Improvement
        );

        // A noisy history cannot confirm the same +12%.
        let noisy = history(30, 0.15);
        let r = &compare_history(&noisy, &one(112.0), &cfg).results[0];
        assert_eq!(r.status, Status::Inconclusive);
        assert!(
            r.note
                .as_deref()
                .unwrap()
                .contains("within the 98% prediction interval"),
            "{:?}",
            r.note
        );

        // Only the window is used: the last 12 of 40 runs.
        let cfg12 = Config {
            history: crate::config::HistoryConfig {
                window: 12,
                ..Default::default()
            },
            ..Config::default()
        };
        let c = compare_history(&history(40, 0.02), &one(112.0), &cfg12);
        assert_eq!(
            (c.baseline_runs, c.results[0].baseline.unwrap().n),
            (12, 12)
        );
    }

    /// A history whose runs take the given values (one per run, oldest first).
    fn history_of(values: &[f64]) -> Vec<Run> {
        values.iter().map(|v| one(*v)).collect()
    }

    /// `n` runs near `level` with 2% noise (the same wave as [`history`]).
    fn level(n: usize, level: f64) -> Vec<f64> {
        (0..n)
            .map(|i| level * (1.0 + 0.02 * ((i * 7 % 11) as f64 - 5.0) / 5.0))
            .collect()
    }

    #[test]
    fn after_a_level_shift_the_runs_of_the_new_level_are_the_baseline() {
        // 20 runs near 100, then a deliberate +30% landed: 12 runs near 130.
        let mut v = level(20, 100.0);
        v.extend(level(12, 130.0));
        let runs = history_of(&v);
        // A pull request on top of it, at 131: unchanged, judged against the 12 runs since.
        let r = &compare_history(&runs, &one(131.0), &Config::default()).results[0];
        assert_eq!(
            (r.status, r.method, r.baseline.unwrap().n),
            (Status::Unchanged, Method::PredictionInterval, 12)
        );
        let note = r.note.as_deref().unwrap();
        assert_eq!(
            note,
            "the baseline changed level (+29.8%): compared with the 12 runs since, with the noise of all 30"
        );
        // A real +12% on the new level is still caught.
        let r = &compare_history(&runs, &one(130.0 * 1.12), &Config::default()).results[0];
        assert_eq!(r.status, Status::Regression, "{:?}", r.note);
        // Without the shift, the same history (30 of its runs) would call 131 a regression.
        let flat: Vec<f64> = level(30, 100.0);
        let r = &compare_history(&history_of(&flat), &one(131.0), &Config::default()).results[0];
        assert_eq!(r.status, Status::Regression);
        assert!(!r.note.as_deref().unwrap().contains("changed level"));

        // Three runs since the shift are a level already: its mean with the noise of all 23.
        let mut v = level(20, 100.0);
        v.extend([130.0, 131.0, 129.5]);
        let runs = history_of(&v);
        let r = &compare_history(&runs, &one(131.0), &Config::default()).results[0];
        assert_eq!(
            (r.status, r.method, r.baseline.unwrap().n),
            (Status::Unchanged, Method::PredictionInterval, 3)
        );
        assert!(
            r.note
                .as_deref()
                .unwrap()
                .contains("compared with the 3 runs since, with the noise of all 23"),
            "{:?}",
            r.note
        );
        let r = &compare_history(&runs, &one(130.0 * 1.12), &Config::default()).results[0];
        assert_eq!(r.status, Status::Regression, "{:?}", r.note);
    }

    #[test]
    fn a_history_with_values_that_are_not_positive_numbers() {
        // Found by the `history` fuzz target: a NaN latest run was taken for a far-out one twice.
        let judged = |v: &[f64]| {
            let c = compare_history(&history_of(v), &one(104.0), &Config::default());
            assert_eq!(c.results.len(), 1);
            let r = c.results.into_iter().next().unwrap();
            (r.status, r.note.unwrap_or_default())
        };
        // A latest run that is not a number cannot be compared with.
        let mut v = level(12, 100.0);
        v.push(f64::NAN);
        assert_eq!(
            judged(&v),
            (
                Status::Inconclusive,
                "a value is not a number: not comparable".to_string()
            )
        );
        // A latest run of zero, below zero or infinite is outside the interval of the runs
        // before it: left out, and 104 is judged against the 12 others.
        for (bad, shown) in [(0.0, "0 ns"), (-5.0, "-5.00 ns"), (f64::INFINITY, "inf")] {
            let mut v = level(12, 100.0);
            v.push(bad);
            assert_eq!(
                judged(&v),
                (
                    Status::Unchanged,
                    format!("the latest baseline run ({shown}) is far from the runs before it: left out")
                )
            );
        }
        // Such a value inside the history: no log-scale interval, the latest run decides by the
        // threshold (104 against 98: +6.1%), and the note says why.
        for bad in [f64::NAN, f64::INFINITY, 0.0, -5.0] {
            let mut v = level(12, 100.0);
            v.insert(3, bad);
            assert_eq!(
                judged(&v),
                (
                    Status::Inconclusive,
                    "the history has values that are not positive numbers: no prediction interval, compared with the latest run; no noise estimate: reruns of unchanged code move such a value by up to 40% (`large_change`); repeat the run several times per side, or keep a history of runs (`--store`, the Action's data branch), to decide".to_string()
                )
            );
        }
    }

    #[test]
    fn a_far_out_run_of_the_history_is_left_out() {
        // One slow day (1.6x) among 30 runs with 2% noise: without it the interval is narrow
        // enough to catch +8%.
        let mut v = level(30, 100.0);
        v[10] = 160.0;
        let r = &compare_history(&history_of(&v), &one(108.0), &Config::default()).results[0];
        assert_eq!((r.status, r.baseline.unwrap().n), (Status::Regression, 29));
        let note = r.note.as_deref().unwrap();
        assert!(
            note.contains("1 far-out run of the history (beyond 4.5 interquartile ranges, log scale) left out"),
            "{note}"
        );
    }

    #[test]
    fn a_far_out_latest_run_makes_a_value_that_agrees_with_it_inconclusive() {
        // The latest main run is 1.3x the 29 before it: a one-off or the first run of a new level.
        let mut v = level(29, 100.0);
        v.push(130.0);
        let runs = history_of(&v);
        // A pull request at 131 agrees with it: not a regression until the next runs tell.
        let r = &compare_history(&runs, &one(131.0), &Config::default()).results[0];
        assert_eq!(r.status, Status::Inconclusive);
        let note = r.note.as_deref().unwrap();
        assert!(
            note.starts_with("worse than the history, but the latest baseline run (130 ns) is far from the runs before it and this value is within its noise (+0.8%)"),
            "{note}"
        );
        // At 100 it agrees with the history: unchanged, and the note says what was left out.
        let r = &compare_history(&runs, &one(100.0), &Config::default()).results[0];
        assert_eq!(r.status, Status::Unchanged);
        assert_eq!(
            r.note.as_deref(),
            Some("the latest baseline run (130 ns) is far from the runs before it: left out")
        );
        // Beyond both: a regression.
        let r = &compare_history(&runs, &one(150.0), &Config::default()).results[0];
        assert_eq!(r.status, Status::Regression);
    }

    #[test]
    fn a_short_history_falls_back_to_the_latest_run() {
        let short = history(5, 0.02);
        let c = compare_history(&short, &one(120.0), &Config::default());
        let r = &c.results[0];
        // No noise estimate: +20% is within what reruns reach, so it is inconclusive.
        assert_eq!(
            (r.status, r.method),
            (Status::Inconclusive, Method::Threshold)
        );
        assert_eq!(
            r.baseline.unwrap().value,
            summary(&[100.0 * (1.0 + 0.02 * ((4 * 7 % 11) as f64 - 5.0) / 5.0)])
        );
        assert!(
            r.note
                .as_deref()
                .unwrap()
                .contains("only 5 runs of history"),
            "{:?}",
            r.note
        );
    }

    #[test]
    fn samples_use_the_latest_run_or_the_pooled_last_runs() {
        let runs: Vec<Run> = (0..3)
            .map(|i| {
                run_of(
                    RunMeta::default(),
                    &[(
                        "T",
                        "time",
                        Unit::Nanoseconds,
                        scaled(1.0 + f64::from(i) * 0.001),
                    )],
                )
            })
            .collect();
        let cur = run_of(
            RunMeta::default(),
            &[("T", "time", Unit::Nanoseconds, scaled(1.2))],
        );
        let latest = compare_history(&runs, &cur, &Config::default());
        assert_eq!(latest.results[0].baseline.unwrap().n, 10);
        assert_eq!(latest.results[0].method, Method::MannWhitney);
        let cfg = Config {
            history: crate::config::HistoryConfig {
                pool: 2,
                ..Default::default()
            },
            ..Config::default()
        };
        let pooled = compare_history(&runs, &cur, &cfg);
        assert_eq!(pooled.results[0].baseline.unwrap().n, 20);
        assert_eq!(pooled.results[0].status, Status::Regression);
    }

    #[test]
    fn histograms_are_compared_through_their_percentiles() {
        let mut h = Histogram::new();
        for v in 1..=1000 {
            h.record(f64::from(v) * 1000.0).unwrap();
        }
        let mut b = Benchmark::new("GET /");
        b.push(Metric::new(
            "latency",
            Unit::Nanoseconds,
            Data::Histogram(h),
        ));
        let run = Run::new(RunMeta::default(), vec![b]);
        let names: Vec<_> = series(&run).into_iter().map(|s| s.metric).collect();
        assert_eq!(
            names,
            ["avg", "p(50)", "p(90)", "p(95)", "p(99)", "p(99.9)", "max"]
        );
        let p99 = series(&run)
            .into_iter()
            .find(|s| s.metric == "p(99)")
            .unwrap();
        assert!((p99.values[0] - 990_000.0).abs() / 990_000.0 < 0.001);
    }

    #[test]
    fn the_trend_carries_the_run_values_of_the_history_read_in_order() {
        // 40 runs, a window of 30: the trend is the last 30, oldest first.
        let v: Vec<f64> = (0..40).map(|i| 100.0 + f64::from(i)).collect();
        let c = compare_history(&history_of(&v), &one(150.0), &Config::default());
        let r = &c.results[0];
        assert_eq!(r.trend.as_deref(), v.get(10..), "{r:?}");
        // Samples count through each run's log median, as the history is read.
        let runs: Vec<Run> = [(1.0, 4.0), (2.0, 8.0), (3.0, 12.0)]
            .iter()
            .map(|&(a, b)| {
                run_of(
                    RunMeta::default(),
                    &[("T", "time", Unit::Nanoseconds, vec![a, b])],
                )
            })
            .collect();
        let current = run_of(
            RunMeta::default(),
            &[("T", "time", Unit::Nanoseconds, vec![3.0, 12.0])],
        );
        let r = &compare_history(&runs, &current, &Config::default()).results[0];
        let trend = r.trend.clone().unwrap();
        assert_eq!(trend.len(), 3);
        for (got, want) in trend.iter().zip([2.0, 4.0, 6.0]) {
            assert!((got - want).abs() < 1e-9, "{trend:?}");
        }
    }

    #[test]
    fn a_single_baseline_run_has_no_trend_and_zeros_still_draw_one() {
        let r = &compare(Some(&one(100.0)), &one(120.0), &Config::default()).results[0];
        assert_eq!(r.trend, None);
        // No logarithm for zeros: the run's median stands for it.
        let zero = |v: f64| run_of(RunMeta::default(), &[("T", "allocs", Unit::Count, vec![v])]);
        let runs = vec![zero(0.0), zero(0.0), zero(0.0)];
        let r = &compare_history(&runs, &zero(1.0), &Config::default()).results[0];
        assert_eq!(r.trend, Some(vec![0.0, 0.0, 0.0]));
        // Runs on another kind of machine were not read: they are not in the trend.
        let on = |cpu: &str, v: f64| {
            let mut r = one(v);
            r.meta.environment.cpu = Some(cpu.into());
            r
        };
        let runs = vec![
            on("amd", 1.0),
            on("intel", 2.0),
            on("amd", 3.0),
            on("amd", 4.0),
        ];
        let r = &compare_history(&runs, &on("amd", 5.0), &Config::default()).results[0];
        assert_eq!(r.trend, Some(vec![1.0, 3.0, 4.0]));
    }
}
