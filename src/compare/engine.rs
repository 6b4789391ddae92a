//! The comparison itself: the decision rules in the order they apply, each step done by its
//! room (pairing, environment, assess, moderate, suite, settle, gate, budget).

use std::collections::{HashMap, HashSet};

use crate::config::{Config, TestChoice, MODERATION_MIN_METRICS};
use crate::model::{Data, Direction, Run};

use super::assess::{assess, assess_with_history, only_one_side};
use super::budget::check_budget;
use super::draft::Draft;
use super::environment::{environment_differences, last_window, same_environment};
use super::gate::{across_environments, counts, fails_on, gate, is_k6, rank, reasons};
use super::history::trend;
use super::machines::{as_they_ran, take_out_machines};
use super::moderate::{
    far_out_left_out, judge_by_history_tails, learn_history_tails, moderate, moderate_histories,
};
use super::pairing::{
    index, lookup, merged_runs, series, series_of_one_run, series_of_runs, without_machine, Series,
};
use super::rules::{is_deterministic, rules_for, Rules};
use super::settle::{adjust, settle, Family};
use super::suite::{against_suite, judge_against_suite, rests_on_repeats};
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
/// - With a history of at least 4 runs (`SHORT_HISTORY_RUNS`), speed metrics with several
///   current values (repeats, or the runs of [`compare_runs`]), or with one value and at least
///   `min_points` runs, of a suite of at least 8 benchmarks have each run's machine taken out
///   first, where the machines
///   move enough for it to pay (`machines`); the current run's machine is the whole run's shift,
///   judged on its own against the history's ([`SuiteShift::history_runs`]).
/// - With one baseline run (or too short a history), speed metrics of a suite of at least
///   8 benchmarks (`SUITE_MIN_BENCHMARKS`), with samples or with one value a side that the tool gave
///   an interval of (criterion's), are judged against the run-to-run spread the suite shows
///   ([`Method::RunToRun`]), when it shows one.
///
/// The p-values of all metrics are adjusted together (Benjamini-Hochberg) before deciding. Only
/// the runs on the current run's kind of machine are used when there are some (see
/// `same_environment`). When the latest baseline ran in another environment, noisy metrics cannot
/// fail the gate (their regressions become inconclusive) unless `config.allow_cross_environment`
/// is set.
pub fn compare_history(history: &[Run], current: &Run, config: &Config) -> Comparison {
    let values = Values::Repeats { runs: None };
    compare_series(history, current, series(current), values, config)
}

/// What a metric's values are on each side.
enum Values {
    /// The repeats within one run (or a tool's single value), and each baseline run one run.
    /// `runs`: when the current run is several runs merged (their samples pooled), each
    /// metric's value in each of them ([`series_of_runs`]): a regression or improvement must
    /// hold without the run that shows it most, as with one value per run.
    Repeats { runs: Option<Vec<Series>> },
    /// One value per run ([`series_of_runs`]), on every side: the spread of a side's values is
    /// the noise between runs, measured rather than assumed, and each metric is compared by the
    /// t test on its log run values (moderated with the others'), whatever the number of runs
    /// on each side. `current`: the runs of the current side; `one_commit`: the baseline side
    /// when it is several runs of one commit, whose values make one side rather than a history
    /// (whose runs count one value each, [`series_of_one_run`]); `machine_taken_out`: whether
    /// each run's machine was taken out of a side's spread.
    Runs {
        current: usize,
        one_commit: Option<Vec<Series>>,
        machine_taken_out: bool,
    },
}

/// Compares the runs of `current`, each a run of the same benchmarks, with `history` (oldest
/// first): a store's history, or, with `one_commit`, runs of one commit (baseline files).
///
/// One current run and a history is [`compare_history`]. Otherwise a side is several runs,
/// whose spread is the noise between runs that a run's repeats do not show (a second run of
/// the pull request measures it without the change in it), and each metric is compared by one
/// value per run on every side (`Values::Runs`), from one run on a side and two on the
/// other. With fewer than [`MODERATION_MIN_METRICS`] metrics that have values in several runs,
/// their spreads cannot be shared and the t test on two or three values alone has next to no
/// power (criterion's 9 metrics against two baseline runs passed fnv1a's +35%): the runs of
/// each side are then merged (their samples pooled) and compared as one run, as
/// [`compare_history`] does. The current metadata is the first run's, completed from the
/// others'. No current run: budgets only, of nothing.
pub fn compare_runs(
    history: &[Run],
    current: &[Run],
    one_commit: bool,
    config: &Config,
) -> Comparison {
    let one_commit = one_commit && history.len() > 1;
    if let ([one], false) = (current, one_commit) {
        return compare_history(history, one, config);
    }
    let runs: Vec<&Run> = current.iter().collect();
    // Each run's machine is taken out of a side's spread, except in a load test's: its metrics
    // are views of one workload (a request's duration, its waiting time, an iteration's), and a
    // run whose requests all got slower is that run's level, not its machine's.
    let load_test = current
        .iter()
        .chain(history)
        .any(|r| is_k6(r.meta.tool.as_deref()));
    let side = |runs: &[&Run]| {
        let mut series = series_of_runs(runs);
        let machine = !load_test && without_machine(&mut series, runs.len());
        (series, machine)
    };
    let (cur, cur_machine) = side(&runs);
    let (base, base_machine) = match one_commit.then(|| side(&history.iter().collect::<Vec<_>>())) {
        Some((b, m)) => (Some(b), m),
        None => (None, false),
    };
    // Current metrics with values in several runs, on either side.
    let several = |s: &Series| s.values.len() > 1 && !is_deterministic(&s.metric, &s.unit);
    let in_base: HashSet<(&str, &str)> = base
        .iter()
        .flatten()
        .filter(|s| several(s))
        .map(|s| (s.benchmark.as_str(), s.metric.as_str()))
        .collect();
    let tested = cur
        .iter()
        .filter(|s| {
            several(s)
                || (!is_deterministic(&s.metric, &s.unit)
                    && in_base.contains(&(s.benchmark.as_str(), s.metric.as_str())))
        })
        .count();
    let current_runs = runs.len();
    if tested < MODERATION_MIN_METRICS {
        let merged = merged_runs(current);
        let merged = merged.unwrap_or_else(|| Run::new(Default::default(), Vec::new()));
        let merged_base = base.and(merged_runs(history));
        let values = || Values::Repeats {
            runs: Some(series_of_runs(&runs)),
        };
        let mut c = match &merged_base {
            Some(b) => compare_series(
                std::slice::from_ref(b),
                &merged,
                series(&merged),
                values(),
                config,
            ),
            None => compare_series(history, &merged, series(&merged), values(), config),
        };
        c.current_runs = current_runs;
        if merged_base.is_some() {
            c.baseline_runs = history.len();
            c.baseline_one_commit = true;
        }
        // Pooled, the repeats are of several runs: not one run's, as that note says. A metric
        // every current run gave as one value (hyperfine's `user` time) has one value per run:
        // what would decide it is more runs, not more repeats.
        let one_value_each = one_value_each(current);
        for r in &mut c.results {
            r.note.0.retain(|n| !matches!(n, Note::RepeatsOnly { .. }));
            if one_value_each.contains(&(r.benchmark.as_str(), r.metric.as_str())) {
                r.note.0.iter_mut().for_each(in_runs);
            }
        }
        return c;
    }
    let mut meta = runs.first().map(|r| r.meta.clone()).unwrap_or_default();
    for r in runs.iter().skip(1) {
        meta.fill_from(r.meta.clone());
    }
    let shown = Run::new(meta, Vec::new());
    let values = Values::Runs {
        current: current_runs,
        one_commit: base,
        machine_taken_out: cur_machine || base_machine,
    };
    compare_series(history, &shown, cur, values, config)
}

/// The (benchmark, metric) pairs that every one of `runs` gave as one value.
fn one_value_each(runs: &[Run]) -> HashSet<(&str, &str)> {
    let Some((first, rest)) = runs.split_first() else {
        return HashSet::new();
    };
    let one_value = |r: &Run, b: &str, m: &str| {
        r.benchmark(b)
            .and_then(|b| b.metric(m))
            .is_some_and(|m| matches!(m.data, Data::Value(_)))
    };
    first
        .benchmarks
        .iter()
        .flat_map(|b| {
            b.metrics
                .iter()
                .map(move |m| (b.name.as_str(), m.name.as_str()))
        })
        .filter(|&(b, m)| one_value(first, b, m) && rest.iter().all(|r| one_value(r, b, m)))
        .collect()
}

/// A note's advice of repeats as advice of runs: for a metric whose values are one per run.
fn in_runs(note: &mut Note) {
    if let Note::TooFewSamples { advice, .. } | Note::NotSignificant { advice, .. } = note {
        if let Advice::Repeats(n) | Advice::AtLeast(n) = *advice {
            *advice = Advice::Runs(n);
        }
    }
}

/// The comparison of the current series `cur` (of the run `current`, whose metadata it is),
/// whose values are `values`, with the history.
fn compare_series(
    history: &[Run],
    current: &Run,
    cur: Vec<Series>,
    values: Values,
    config: &Config,
) -> Comparison {
    // The runs to compare with: those on the current run's kind of machine, the last window.
    let pool = same_environment(history, current, config);
    let other_environment_runs = history.len() - pool.len();
    let window = last_window(&pool, config);
    let latest = window.last().copied();
    let environment_differences = latest
        .map(|b| environment_differences(&b.meta.environment, &current.meta.environment))
        .unwrap_or_default();
    let gate_noisy = environment_differences.is_empty() || config.allow_cross_environment;
    let load_test =
        is_k6(current.meta.tool.as_deref()) || is_k6(latest.and_then(|b| b.meta.tool.as_deref()));

    // The baseline side: each run of the window, or the runs of one commit as one side.
    let (current_runs, per_run, machine_taken_out) = match &values {
        Values::Repeats { .. } => (1, false, false),
        Values::Runs {
            current,
            machine_taken_out,
            ..
        } => (*current, true, *machine_taken_out),
    };
    let baseline_one_commit = matches!(
        values,
        Values::Runs {
            one_commit: Some(_),
            ..
        }
    );
    let (baseline, baseline_runs, merged): (Vec<Vec<Series>>, usize, Option<Vec<Series>>) =
        match values {
            Values::Repeats { runs } => (
                window.iter().map(|r| series(r)).collect(),
                window.len(),
                runs,
            ),
            Values::Runs {
                one_commit: Some(base),
                ..
            } => (vec![base], history.len(), None),
            Values::Runs { .. } => (
                window.iter().map(|r| series_of_one_run(r)).collect(),
                window.len(),
                None,
            ),
        };

    // With a history of runs of a suite, each run's machine taken out of its speed metrics: the
    // metrics are judged with it out, the reports show them as they ran.
    let mut baseline = baseline;
    let mut machines = (!load_test && config.test == TestChoice::Auto)
        .then(|| take_out_machines(&mut baseline, &cur, config))
        .flatten();
    let judged_cur = machines.as_ref().map_or(&cur, |m| &m.adjusted);

    // What the data say of each metric, alone.
    let (mut drafts, missing) = assess_all(&baseline, judged_cur, per_run, config);
    // Several current runs merged: each metric's value in each of them, for the check that a
    // change holds without the run that shows it most.
    // With the current run's machine taken out of a history, each run's value is judged with it
    // out too: scaled as the merged run's values were.
    if let Some(merged) = &merged {
        let (by_key, raw, judged) = (index(merged), index(&cur), index(judged_cur));
        for d in &mut drafts {
            let key = (d.result.benchmark.as_str(), d.result.metric.as_str());
            let Some(s) = by_key.get(&key).filter(|s| s.values.len() > 1) else {
                continue;
            };
            let scale = match (raw.get(&key), judged.get(&key)) {
                (Some(r), Some(j)) => r
                    .values
                    .first()
                    .zip(j.values.first())
                    .map(|(r, j)| j / r)
                    .filter(|f| f.is_finite() && *f > 0.0)
                    .unwrap_or(1.0),
                _ => 1.0,
            };
            d.current_runs = s.values.iter().map(|v| v * scale).collect();
        }
    }

    // The tails of the history's runs, where each run's machine was taken out of them: the
    // rest is each benchmark's own move (with the machines in, the metrics of a run move
    // together, and their runs are not as many independent values as the fit would count).
    let history_tails = (config.test == TestChoice::Auto && !load_test && machines.is_some())
        .then(|| learn_history_tails(&mut drafts))
        .flatten();
    // With many metrics, each one's noise is learnt from all of them; with one baseline run, from
    // the suite's run-to-run spread. A load test's metrics are views of one workload (a request's
    // duration, its waiting time, an iteration's, each at several percentiles), not benchmarks
    // sharing a machine: when its requests all got slower, that is the change, not the machine,
    // and thirty statistics that move together are one noise estimate, not thirty (k6 run
    // twice: an unchanged run 14% faster than the next two failed the gate on 15 of them, each on one
    // degree of freedom that the moderation counted thirty times).
    let (moderation, history_moderation, suite) = match config.test {
        TestChoice::Auto if load_test => (None, moderate_histories(&mut drafts), None),
        TestChoice::Auto => (
            moderate(&mut drafts),
            moderate_histories(&mut drafts),
            match &machines {
                Some(_) => None,
                None => judge_against_suite(&mut drafts, config),
            },
        ),
        TestChoice::MannWhitney => (None, None, None),
    };
    if let Some(tails) = &history_tails {
        judge_by_history_tails(&mut drafts, tails);
    }

    // The p-values adjusted together, then each metric settled and gated.
    let family = adjust(&mut drafts);
    let suite = match machines.as_mut() {
        Some(m) => {
            m.settle(config);
            Some(m.shift.clone())
        }
        None => suite,
    };
    let mut results: Vec<MetricResult> = drafts
        .into_iter()
        .map(|d| {
            let (outliers, raw_change, repeats_only) = (d.outliers, d.raw_change, d.repeats_only);
            let mut r = settle(d, family);
            against_suite(&mut r, raw_change, suite.as_ref());
            if let Some(m) = &machines {
                as_they_ran(&mut r, m);
            }
            far_out_left_out(&mut r, outliers);
            if !gate_noisy {
                across_environments(&mut r);
            }
            rests_on_repeats(&mut r, repeats_only);
            gate(&mut r, config, load_test);
            r
        })
        .collect();
    for mut m in missing {
        gate(&mut m, config, false);
        results.push(m);
    }
    results.sort_by_key(|r| rank(r.status));

    let budgets: Vec<BudgetResult> = config
        .budgets
        .iter()
        .flat_map(|b| check_budget(b, &cur, per_run))
        .collect();
    let counts = counts(&results, &budgets);
    let mut suite = suite;
    if let Some(s) = suite.as_mut() {
        // A baseline from another kind of machine: the machine is what moves a whole run.
        if !gate_noisy && s.status == Status::Regression {
            s.status = Status::Inconclusive;
        }
        s.fails_gate = fails_on(s.status, config);
    }
    let reasons = reasons(&results, &counts, suite.as_ref());
    Comparison {
        verdict: if reasons.is_empty() {
            Verdict::Pass
        } else {
            Verdict::Fail
        },
        counts,
        results,
        budgets,
        baseline: latest.map(|b| b.meta.clone()),
        current: current.meta.clone(),
        settings: Settings::of(config),
        reasons,
        corrected_over: family.size,
        environment_differences,
        baseline_runs,
        baseline_one_commit,
        other_environment_runs,
        moderation,
        history_moderation,
        history_tails,
        suite,
        current_runs,
        one_value_per_run: per_run,
        machine_taken_out: machine_taken_out || machines.is_some(),
    }
}

/// Every current series paired with the latest run's and assessed against its history (new
/// when the latest run does not have it), and the latest run's series no current one was paired
/// with (missing). Ignored series are left out.
fn assess_all(
    runs: &[Vec<Series>],
    cur: &[Series],
    per_run: bool,
    config: &Config,
) -> (Vec<Draft>, Vec<MetricResult>) {
    let indexes: Vec<HashMap<(&str, &str), &Series>> = runs.iter().map(|r| index(r)).collect();
    let (Some(latest_index), Some(latest_runs)) = (indexes.last(), runs.last()) else {
        return (Vec::new(), Vec::new());
    };
    let mut drafts: Vec<Draft> = Vec::new();
    // The baseline series some current series was paired with: the others are missing.
    let mut paired: HashSet<(&str, &str)> = HashSet::new();
    for c in cur {
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
                let mut d = assess_with_history(b, &past, c, direction, &rules, per_run, config);
                d.result.trend = trend(&past, c);
                if per_run && c.values.len() > 1 {
                    d.current_runs.clone_from(&c.values);
                }
                d
            }
        };
        drafts.push(draft);
    }
    let missing = latest_runs
        .iter()
        .filter(|b| !paired.contains(&(b.benchmark.as_str(), b.metric.as_str())))
        .filter_map(|b| {
            let (direction, rules) = rules_for(b, None, config)?;
            Some(only_one_side(b, direction, &rules, Status::Missing))
        })
        .collect();
    (drafts, missing)
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
