//! Machines: with a history of runs, each run's machine taken out of its speed metrics. A run on
//! a slower machine moves every benchmark of the run together; each metric's history then holds
//! the machines' spread on top of its own, and the current run's machine is in its value. With
//! a suite of at least [`SUITE_MIN_BENCHMARKS`] benchmarks the suite tells the machine apart:
//! each run's machine is the median move of its speed metrics, which a benchmark that really
//! changed does not move. Each metric is then judged by its run value with its run's machine
//! taken out, against its history's values with theirs taken out, and the current run's machine
//! (the whole run's shift) is judged on its own against the history's machines.

use std::collections::HashMap;
use std::f64::consts::FRAC_PI_2;

use crate::config::Config;
use crate::model::Direction;
use crate::stats;

use super::assess::{against_history_interval, SHORT_HISTORY_RUNS};
use super::change::{judged, worse_sign as sign};
use super::history::{history_model, usable_history};
use super::pairing::{index, is_speed, lookup, machines_of, run_value, Series};
use super::rules::{is_deterministic, rules_for, Rules};
use super::suite::{distinct, SUITE_MIN_BENCHMARKS};
use super::types::{Method, MetricResult, Note, Status, SuiteShift};

/// How many times the error of reading a run's machine from its suite the machines' spread must
/// be for taking them out to pay: taking a machine out swaps its variance for that error, and
/// the metrics that really changed pull the current run's median a little too. In the
/// simulation, machines of 1% with metrics moving 3% between runs (M2, an error of 0.9%, a
/// spread of 2.3 times it) lost regressions caught (94.1% to 91.1%) and failed more unchanged
/// pull requests (1.0% to 2.7%); machines of 3% with metrics moving 1.5% (M1) catch 100% instead
/// of 90.5%.
const MACHINES_WORTH: f64 = 3.0;

/// Each run's machine, read from the suite, and how the current run's compares with the
/// history's.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Machines {
    /// The whole run's shift against the history, judged against the history's machines.
    pub(super) shift: SuiteShift,
    /// Each run's machine (log, worse-positive), the history's oldest first, centred on zero.
    history: Vec<f64>,
    /// The current run's, against the same centre.
    current: f64,
    /// The whole run's p-value against the history's machines, before correction.
    p: Option<f64>,
    /// The metrics (current benchmark and metric names) the machines were taken out of, with
    /// their sign (`worse_sign`: logs taken this way move up on a slower machine).
    taken_out: HashMap<(String, String), f64>,
    /// The current run's series with its machine taken out: what the metrics are judged by.
    pub(super) adjusted: Vec<Series>,
}

/// Values whose run value has a logarithm: at least one, every one positive and finite.
fn positive(values: &[f64]) -> bool {
    !values.is_empty() && values.iter().all(|v| *v > 0.0 && v.is_finite())
}

/// Takes each run's machine out of the speed metrics of the current run judged against the
/// history's interval ([`against_history_interval`]: its repeats or the pull request's runs, or
/// one value with `min_points` runs) that every run of the history (`window`, oldest first)
/// has (with samples, or as its run value alone), when they are of at least
/// [`SUITE_MIN_BENCHMARKS`] benchmarks and the history has at least [`SHORT_HISTORY_RUNS`] runs:
///
/// - a metric's log run values (worse-positive) less their mean over the history are its moves;
///   a run's machine is the median of its metrics' moves (the current run's too, against the
///   same means), and the history's machines are centred on zero, so that each metric's history
///   keeps its geometric mean;
/// - every value of such a metric, in every run, is divided by its run's machine.
///
/// None (nothing done) otherwise. The current run's machine is the whole run's shift against the
/// history: judged against the history's machines with the reading a metric's history gets
/// (levels, far-out runs, the prediction interval), within the threshold it is nothing; beyond
/// it and within the machines' spread, inconclusive (the machine, or a change that moves
/// everything); beyond that spread too, decided.
pub(super) fn take_out_machines(
    window: &mut [Vec<Series>],
    cur: &[Series],
    config: &Config,
) -> Option<Machines> {
    let runs = window.len();
    if runs < SHORT_HISTORY_RUNS {
        return None;
    }
    // The metrics: (index in `cur`, index in each run of the window, direction). A run's series
    // is found as the comparison pairs it (`lookup`), then placed by its own name: the first of
    // duplicate names, as `index` keeps.
    let keys: Vec<(usize, Vec<usize>, Direction)> = {
        let indexes: Vec<HashMap<(&str, &str), &Series>> =
            window.iter().map(|r| index(r)).collect();
        let positions: Vec<HashMap<(&str, &str), usize>> = window
            .iter()
            .map(|run| {
                let mut at = HashMap::with_capacity(run.len());
                for (j, s) in run.iter().enumerate() {
                    at.entry((s.benchmark.as_str(), s.metric.as_str()))
                        .or_insert(j);
                }
                at
            })
            .collect();
        cur.iter()
            .enumerate()
            .filter(|(_, c)| {
                // Its repeats, the values of the pull request's runs when it ran several times,
                // or the one value a tool printed, where it is judged against the history's
                // interval (one value with fewer runs is compared with the latest run as a pair,
                // and taking the machines out would only add their reading's noise: busy
                // criterion's terminal output against four runs failed twice, `sort_100k` +43%).
                // A history's runs may be their run values alone (the data branch's index keeps
                // one per series). One value kept the machines in until the real Go suite's runs,
                // taken as one value a benchmark (each run's median), showed what that costs:
                // against every run before it, 42.0% of +15% caught with them in, 64.0% out.
                is_speed(&c.unit)
                    && against_history_interval(c.values.len(), runs, config)
                    && positive(&c.values)
                    && !is_deterministic(&c.metric, &c.unit)
            })
            .filter_map(|(i, c)| {
                let (direction, _) = rules_for(c, None, config)?;
                let at: Option<Vec<usize>> = indexes
                    .iter()
                    .zip(&positions)
                    .map(|(ix, at)| {
                        let b = lookup(ix, &c.benchmark, &c.metric)?;
                        (b.unit == c.unit && positive(&b.values))
                            .then(|| at.get(&(b.benchmark.as_str(), b.metric.as_str())).copied())
                            .flatten()
                    })
                    .collect();
                Some((i, at?, direction))
            })
            .collect()
    };
    let benchmark_count = distinct(
        keys.iter()
            .filter_map(|(i, _, _)| cur.get(*i).map(|c| c.benchmark.as_str())),
    );
    if benchmark_count < SUITE_MIN_BENCHMARKS {
        return None;
    }

    // Each metric's worse-positive log run values, the history's then the current run's, and
    // each run's machine from them.
    let logs: Vec<Vec<f64>> = keys
        .iter()
        .map(|(i, at, d)| {
            let k = sign(*d);
            let run_log =
                |s: Option<&Series>| s.map_or(f64::NAN, |s| k * run_value(&s.values).ln());
            at.iter()
                .zip(window.iter())
                .map(|(j, run)| run_log(run.get(*j)))
                .chain(std::iter::once(run_log(cur.get(*i))))
                .collect()
        })
        .collect();
    let mut history = machines_of(&logs, runs);
    let current = history.pop().unwrap_or(0.0);

    // One metric's spread between runs with the machines taken out: the median of the metrics'
    // standard deviations of their log run values less their runs' machines (whose mean over
    // the history, the machines being centred, is the metric's own).
    let spreads: Vec<f64> = logs
        .iter()
        .map(|l| {
            let out: Vec<f64> = l.iter().zip(&history).map(|(v, o)| v - o).collect();
            let mean = out.iter().sum::<f64>() / runs as f64;
            let var = out.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (runs - 1) as f64;
            var.sqrt()
        })
        .collect();
    let between = stats::median(&spreads).unwrap_or(0.0);

    // Worth it only where the machines move more than the error of reading each one from the
    // suite's median (pi/2 times a metric's variance over the metrics) adds back: otherwise the
    // metrics keep the machines in their histories, as before.
    let read_error = FRAC_PI_2
        * stats::median(&spreads.iter().map(|s| s * s).collect::<Vec<_>>()).unwrap_or(0.0)
        / keys.len() as f64;
    let machines_var = history.iter().map(|o| o * o).sum::<f64>() / (runs - 1) as f64;
    if machines_var.is_nan() || machines_var <= MACHINES_WORTH * read_error {
        return None;
    }

    // Every value of each metric divided by its run's machine: the history's in place, the
    // current run's in a copy (its values as they ran stay for the budgets).
    let mut adjusted = cur.to_vec();
    let mut taken_out = HashMap::with_capacity(keys.len());
    for (i, at, d) in &keys {
        let k = sign(*d);
        for ((j, run), o) in at.iter().zip(window.iter_mut()).zip(&history) {
            if let Some(s) = run.get_mut(*j) {
                s.values.iter_mut().for_each(|v| *v *= (-k * o).exp());
            }
        }
        if let Some(c) = adjusted.get_mut(*i) {
            taken_out.insert((c.benchmark.clone(), c.metric.clone()), k);
            c.values.iter_mut().for_each(|v| *v *= (-k * current).exp());
        }
    }

    let change = current.exp_m1();
    let (status, p) = whole_run(&history, current, config);
    Some(Machines {
        shift: SuiteShift {
            change,
            metrics: keys.len(),
            benchmarks: benchmark_count,
            between_cv: between.exp_m1().max(0.0),
            status,
            fails_gate: false,
            history_runs: Some(runs),
        },
        history,
        current,
        p,
        taken_out,
        adjusted,
    })
}

/// The whole run's shift (`current`, log, worse-positive) against the history's machines (each
/// run's, oldest first), read as a metric's history is (levels, far-out runs, the prediction
/// interval): within the threshold, unchanged; beyond it, slower or faster when its p-value
/// holds (see [`Machines::settle`]), inconclusive otherwise. The status before that, and the
/// p-value.
fn whole_run(history: &[f64], current: f64, config: &Config) -> (Status, Option<f64>) {
    let rules = Rules::of(config);
    let change = current.exp_m1();
    let mv = judged(
        Some(change),
        change > 0.0,
        Direction::LowerIsBetter,
        config.threshold,
    );
    if !mv.beyond {
        return (Status::Unchanged, None);
    }
    let values: Vec<f64> = history.iter().map(|o| o.exp()).collect();
    let (kept, _) = usable_history(&values, &rules, config);
    let p = (kept.len() >= SHORT_HISTORY_RUNS)
        .then(|| history_model(&kept, &rules, config))
        .flatten()
        .and_then(|(p, _)| p.p_value(current.exp()));
    (mv.moved, p)
}

/// The share of the significance level the whole run's shift is held at: one question beside
/// the metrics' family. Alone, at the full level, a run on a slower machine than the history's
/// failed 2.0% of unchanged pull requests in the simulation (M1), 1.0% without it; held with
/// the metrics' family (Bonferroni over 21), a change that slows every benchmark by 10% failed
/// 42.3% of pull requests, where it failed 81.7% before the machines were taken out. At half the
/// level: 1.7% and 78.0% (+15%: 97.0%, 97.3% before).
const WHOLE_RUN_ALPHA: f64 = 0.5;

impl Machines {
    /// Decides the whole run's shift: beyond the threshold, slower or faster when its p-value is
    /// below [`WHOLE_RUN_ALPHA`] of `alpha`, inconclusive otherwise.
    pub(super) fn settle(&mut self, config: &Config) {
        if self.shift.status == Status::Unchanged {
            return;
        }
        let held = self.p.is_some_and(|p| p < WHOLE_RUN_ALPHA * config.alpha);
        if !held {
            self.shift.status = Status::Inconclusive;
        }
    }
}

/// Puts back what the reports show of a metric the machines were taken out of, once it is
/// decided: the current value as the tool gave it, the prediction interval moved by the current
/// run's machine (where the value was expected on it), the latest run's value as it ran (the
/// baseline, when it was, and in the notes that quote it), and the history's trend as it ran; with a note of the change against
/// the history as it ran when the whole run moved and the metric changed.
pub(super) fn as_they_ran(r: &mut MetricResult, m: &Machines) {
    let Some(k) = m
        .taken_out
        .get(&(r.benchmark.clone(), r.metric.clone()))
        .copied()
    else {
        return;
    };
    let moved = (k * m.current).exp();
    let latest = (k * m.history.last().copied().unwrap_or(0.0)).exp();
    if let Some(c) = r.current.as_mut() {
        c.value *= moved;
    }
    if r.method != Method::PredictionInterval {
        if let Some(b) = r.baseline.as_mut() {
            b.value *= latest;
        }
    }
    for n in &mut r.note.0 {
        match n {
            Note::OutsideInterval { interval, .. }
            | Note::OutsideNotSignificant { interval, .. }
            | Note::WithinInterval { interval, .. } => {
                interval.lo *= moved;
                interval.hi *= moved;
                interval.this_machine = true;
            }
            Note::LatestRunApart { value, .. } => *value *= latest,
            Note::HeldForLatestRun { latest: v, .. } => *v *= latest,
            _ => {}
        }
    }
    if let Some(t) = r.trend.as_mut() {
        for (v, o) in t.iter_mut().zip(&m.history) {
            *v *= (k * o).exp();
        }
    }
    let whole_run = m.shift.change;
    if r.status != Status::Unchanged && whole_run.abs() >= 0.01 {
        if let (Some(b), Some(c)) = (r.baseline, r.current) {
            if b.value > 0.0 && c.value.is_finite() {
                r.note.push(Note::AgainstHistory {
                    change: c.value / b.value - 1.0,
                    whole_run,
                });
            }
        }
    }
}
