//! The comparison itself: the decision rules in the order they apply, each step done by its
//! room (pairing, environment, assess, moderate, suite, settle, gate, budget).

use std::collections::HashMap;

use crate::config::{Config, TestChoice};
use crate::model::{Direction, Run};
use crate::stats;

use super::assess::{assess, assess_with_history, only_one_side};
use super::budget::check_budget;
use super::draft::Draft;
use super::environment::{environment_differences, last_window, same_environment};
use super::gate::{fails, fails_on, follows_duration, is_k6, rank};
use super::history::{trend, FAR_OUT};
use super::moderate::{moderate, moderate_histories};
use super::pairing::{index, lookup, series, Series};
use super::rules::{rules_for, Rules};
use super::settle::{add_note, count, pct, settle, Family};
use super::suite::judge_against_suite;
use super::types::*;

/// Compares `current` with `baseline` (None: budgets only) under `config`.
pub fn compare(baseline: Option<&Run>, current: &Run, config: &Config) -> Comparison {
    match baseline {
        Some(b) => compare_history(std::slice::from_ref(b), current, config),
        None => compare_history(&[], current, config),
    }
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
