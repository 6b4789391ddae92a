//! Pairing: a run flattened into comparable series (a histogram becomes one series per
//! statistic), and the baseline series each current one is compared with, found by name (or by
//! the name without Go's `-N` suffix).

use std::collections::hash_map::Entry;
use std::collections::HashMap;

use crate::model::{ConfidenceInterval, Data, Direction, Run, Unit};
use crate::stats;

use super::rules::ungated_without_history;

/// The statistics a latency histogram is compared through, named as k6 names them.
pub(super) const HISTOGRAM_STATS: &[(&str, Option<f64>)] = &[
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
    /// The tool's confidence interval of the one value (criterion's), when it gave one.
    pub interval: Option<ConfidenceInterval>,
    /// With one value per run ([`series_of_runs`]): each run's lowest and highest repeat, in
    /// the order of `values` (the value itself where the run gave one). Empty otherwise.
    pub repeats: Vec<(f64, f64)>,
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
                    interval: m.interval,
                    repeats: Vec::new(),
                }),
                Data::Samples(s) => out.push(Series {
                    benchmark: b.name.clone(),
                    metric: m.name.clone(),
                    unit: m.unit.clone(),
                    direction: m.direction,
                    values: s.clone(),
                    interval: None,
                    repeats: Vec::new(),
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
                            interval: None,
                            repeats: Vec::new(),
                        });
                    }
                }
            }
        }
    }
    out
}

/// The summary of a series: its median (the value itself for one value).
pub(super) fn summary(values: &[f64]) -> f64 {
    stats::median(values).unwrap_or(f64::NAN)
}

/// A run's value of a series in a history: the median of its logs (the value itself for one
/// value), as the data branch's index keeps it.
pub fn run_value(values: &[f64]) -> f64 {
    stats::log_median(values).unwrap_or(f64::NAN)
}

/// One value for one run of a series, when each run counts as one value: the run value (the
/// median of the logs), or the plain median when a value is not positive (a count of errors
/// that stayed at zero), so that such a series stays comparable.
fn one_per_run(values: &[f64]) -> f64 {
    stats::log_median(values)
        .or_else(|| stats::median(values))
        .unwrap_or(f64::NAN)
}

/// The series of a run with one value each ([`one_per_run`]): no interval, which was the error
/// of a value within its run.
pub(super) fn series_of_one_run(run: &Run) -> Vec<Series> {
    let mut out = series(run);
    for s in &mut out {
        let range = stats::extent(s.values.iter().copied().filter(|v| v.is_finite()));
        s.values = vec![one_per_run(&s.values)];
        s.repeats = range.into_iter().collect();
        s.interval = None;
    }
    out
}

/// The series of several runs of the same benchmarks, one value per run (see
/// [`series_of_one_run`]): a series' values are its runs' values, in the order of the runs. A
/// series only some runs have has the values of those.
pub(super) fn series_of_runs(runs: &[&Run]) -> Vec<Series> {
    let mut out: Vec<Series> = Vec::new();
    let mut at: HashMap<(String, String), usize> = HashMap::new();
    for run in runs {
        for s in series_of_one_run(run) {
            match at.entry((s.benchmark.clone(), s.metric.clone())) {
                Entry::Occupied(i) => {
                    if let Some(seen) = out.get_mut(*i.get()) {
                        seen.values.extend(s.values);
                        seen.repeats.extend(s.repeats);
                    }
                }
                Entry::Vacant(slot) => {
                    slot.insert(out.len());
                    out.push(s);
                }
            }
        }
    }
    out
}

/// Fewest benchmarks whose speed metrics tell a run's machine (every benchmark of a run slower
/// together) from the benchmarks' own moves: the suite's minimum.
const MACHINE_MIN_BENCHMARKS: usize = super::suite::SUITE_MIN_BENCHMARKS;

/// Times and rates: what a slower machine moves, all together.
pub(super) fn is_speed(unit: &Unit) -> bool {
    matches!(
        unit,
        Unit::Nanoseconds | Unit::BytesPerSecond | Unit::PerSecond
    )
}

/// Each run's machine, from `logs`: per metric, its worse-positive log value in each run (one
/// column per run). A run's machine is the median, over the metrics, of the metric's value less
/// its mean over the first `reference` runs; the machines are centred on their mean over those
/// runs, so that each metric's values there keep their geometric mean. Runs after `reference`
/// (the current run, against a history) are read against the same means and centre.
pub(super) fn machines_of(logs: &[Vec<f64>], reference: usize) -> Vec<f64> {
    let runs = logs.iter().map(Vec::len).max().unwrap_or(0);
    let means: Vec<f64> = logs
        .iter()
        .map(|l| l.iter().take(reference).sum::<f64>() / reference.max(1) as f64)
        .collect();
    let mut offsets: Vec<f64> = (0..runs)
        .map(|r| {
            let at: Vec<f64> = logs
                .iter()
                .zip(&means)
                .filter_map(|(l, m)| l.get(r).map(|v| v - m))
                .collect();
            stats::median(&at).unwrap_or(0.0)
        })
        .collect();
    let centre = offsets.iter().take(reference).sum::<f64>() / reference.max(1) as f64;
    offsets.iter_mut().for_each(|o| *o -= centre);
    offsets
}

/// Takes the machine out of the spread of several runs of one side: a run on a slower machine
/// moves every benchmark, and the runs' spread would read that as each benchmark's own noise,
/// which would then be counted twice (the suite's shift between the sides holds it). Each run's
/// offset is the median, over the speed metrics that every run has, of the metric's worse-
/// positive log value less its mean over the runs; the offsets are centred on zero, so the
/// side's geometric mean stays, and each speed metric's run values are divided by their run's.
/// Nothing is done with fewer than [`MACHINE_MIN_BENCHMARKS`] such benchmarks, or one run.
/// Whether it was done.
pub(super) fn without_machine(series: &mut [Series], runs: usize) -> bool {
    let sign = super::change::worse_sign;
    let usable = |s: &Series| {
        is_speed(&s.unit)
            && s.values.len() == runs
            && s.values.iter().all(|v| *v > 0.0 && v.is_finite())
    };
    let benchmarks = super::suite::distinct(
        series
            .iter()
            .filter(|s| usable(s))
            .map(|s| s.benchmark.as_str()),
    );
    if runs < 2 || benchmarks < MACHINE_MIN_BENCHMARKS {
        return false;
    }
    let logs: Vec<Vec<f64>> = series
        .iter()
        .filter(|s| usable(s))
        .map(|s| {
            s.values
                .iter()
                .map(|v| sign(s.direction) * v.ln())
                .collect()
        })
        .collect();
    let offsets = machines_of(&logs, runs);
    for s in series.iter_mut().filter(|s| usable(s)) {
        let k = sign(s.direction);
        for (v, o) in s.values.iter_mut().zip(&offsets) {
            *v *= (-k * o).exp();
        }
        if s.repeats.len() == runs {
            for ((lo, hi), o) in s.repeats.iter_mut().zip(&offsets) {
                (*lo, *hi) = (*lo * (-k * o).exp(), *hi * (-k * o).exp());
            }
        }
    }
    true
}

/// Series of a run by benchmark and metric name, and by the name without Go's `-N` suffix (the
/// GOMAXPROCS that `go test` appends) when that does not clash with another benchmark:
/// github-action-benchmark strips the suffix, so a history imported from it names
/// `BenchmarkJoin` what `go test` prints as `BenchmarkJoin-8`.
pub(super) fn index(series: &[Series]) -> HashMap<(&str, &str), &Series> {
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
pub(super) fn lookup<'a>(
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
pub(super) fn without_procs(name: &str) -> Option<&str> {
    if !name.starts_with("Benchmark") {
        return None;
    }
    let (base, procs) = name.rsplit_once('-')?;
    (!procs.is_empty() && procs.bytes().all(|b| b.is_ascii_digit()) && !base.is_empty())
        .then_some(base)
}

/// Several runs of a side merged into one, to be judged as one run ([`Run::merged`]: samples
/// pooled), except a metric that every run gave as one value with the tool's interval of it
/// (criterion's terminal output): that stays one value, the runs' geometric mean, with the
/// interval of that mean (each run's log half-width squared, summed, square-rooted, over the
/// number of runs), so that the suite still judges it against the run-to-run spread as it does
/// one run's value. Pooled into two samples, the intervals were lost and a change became a
/// matter of the threshold: criterion's +35% against two baseline runs passed where it failed
/// against one. A statistic not gated without a history (a run's `max`, a command's `system`
/// time: [`ungated_without_history`]) that every run gave as one value stays one value too, the
/// runs' median: pooled, two runs' `system` times became two repeats "all beyond" the baseline's,
/// and an unchanged hyperfine run twice failed the gate on `gzip`'s +65% in the kernel. None for
/// no run.
pub(super) fn merged_runs(runs: &[Run]) -> Option<Run> {
    let mut merged = Run::merged(runs.iter().cloned())?;
    if runs.len() < 2 {
        return Some(merged);
    }
    for b in &mut merged.benchmarks {
        for m in &mut b.metrics {
            if ungated_without_history(&m.name, &m.unit).is_none() {
                continue;
            }
            let values: Option<Vec<f64>> = runs
                .iter()
                .map(|r| {
                    match r
                        .benchmark(&b.name)
                        .and_then(|b| b.metric(&m.name))
                        .map(|m| &m.data)
                    {
                        Some(Data::Value(v)) => Some(*v),
                        _ => None,
                    }
                })
                .collect();
            if let Some(median) = values.as_deref().and_then(stats::median) {
                m.data = Data::Value(median);
            }
        }
    }
    // Each run's values with intervals, by benchmark and metric.
    let with_interval = |run: &Run| -> HashMap<(String, String), (f64, ConfidenceInterval)> {
        run.benchmarks
            .iter()
            .flat_map(|b| {
                b.metrics
                    .iter()
                    .filter_map(move |m| match (&m.data, m.interval) {
                        (Data::Value(v), Some(i)) => {
                            Some(((b.name.clone(), m.name.clone()), (*v, i)))
                        }
                        _ => None,
                    })
            })
            .collect()
    };
    let per_run: Vec<_> = runs.iter().map(with_interval).collect();
    let Some((first, rest)) = per_run.split_first().filter(|(f, _)| !f.is_empty()) else {
        // No value with an interval (all but criterion's terminal output): pooled as it is.
        return Some(merged);
    };
    for b in &mut merged.benchmarks {
        for m in &mut b.metrics {
            let key = (b.name.clone(), m.name.clone());
            let Some(&(_, i0)) = first.get(&key) else {
                continue;
            };
            let all: Option<Vec<(f64, ConfidenceInterval)>> = std::iter::once(first)
                .chain(rest)
                .map(|r| r.get(&key).copied())
                .collect();
            let Some(all) = all else {
                continue;
            };
            let usable = all.iter().all(|(v, i)| {
                *v > 0.0
                    && v.is_finite()
                    && i.lo > 0.0
                    && i.hi >= i.lo
                    && i.hi.is_finite()
                    && i.confidence == i0.confidence
            });
            if !usable {
                continue;
            }
            let k = all.len() as f64;
            let log_mean = all.iter().map(|(v, _)| v.ln()).sum::<f64>() / k;
            let half = all
                .iter()
                .map(|(_, i)| ((i.hi / i.lo).ln() / 2.0).powi(2))
                .sum::<f64>()
                .sqrt()
                / k;
            m.data = Data::Value(log_mean.exp());
            m.interval = Some(ConfidenceInterval {
                lo: (log_mean - half).exp(),
                hi: (log_mean + half).exp(),
                confidence: i0.confidence,
            });
        }
    }
    Some(merged)
}
