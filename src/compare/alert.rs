//! Watching the default branch for level shifts: on a push, which shifts of the branch's history
//! the push's run confirms, and which earlier shifts a later one has undone. Pure: no I/O.
//!
//! A shift is the history's ([`history::read`]): the run values (oldest first) split into levels.
//! A shift needs two runs on its new level, so the run that starts it cannot tell it from a
//! one-off; the run after it can. A shift *confirmed by a run* is one that the reading of the
//! history with that run finds and the reading without it does not: each push confirms a shift
//! once, and the shift is named after the commit of the first run of its new level (usually an
//! earlier push), which is the commit that made the change.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::history;
use super::{history_window, run_value, series, Comparison, MetricResult, Status};
use crate::config::Config;
use crate::model::{Direction, Run, Unit};

/// How many runs apart two readings may place the start of one shift. Adding a run can move an
/// ambiguous boundary by a run; two distinct shifts are at least two runs apart (a level has two
/// runs at least), so a shift moved by one run is the same shift, not a new one.
const SAME_SHIFT_RUNS: usize = 1;

/// A level shift of a series, as one reading of its history sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Level {
    /// Position in the history of the first run of the new level.
    pub start: usize,
    /// The new level over the old one, minus 1 (geometric means of the kept runs).
    pub change: f64,
    /// The level before (geometric mean of its kept runs).
    pub before: f64,
    /// The new level, up to the next shift or the latest run.
    pub after: f64,
    /// Kept runs at the new level.
    pub runs: usize,
}

/// A series' history read with the push's run.
#[derive(Debug, Clone, PartialEq)]
pub struct Levels {
    /// Every level shift of the reading, oldest first.
    pub shifts: Vec<Level>,
    /// The shifts the push's run confirmed: absent from the reading without it.
    pub confirmed: Vec<Level>,
    /// The current level: geometric mean of the kept runs since the last shift.
    pub current: Option<f64>,
}

/// Reads `values` (one per run, oldest first, the push's run last) with and without the last
/// run, with the gate's `threshold` for the series and the history settings.
pub fn levels(values: &[f64], threshold: f64, confidence: f64, min_points: usize) -> Levels {
    let with = shifts_of(values, threshold, confidence, min_points);
    let without = match values.split_last() {
        Some((_, before)) => shifts_of(before, threshold, confidence, min_points).0,
        None => Vec::new(),
    };
    let confirmed = with
        .0
        .iter()
        .filter(|s| !without.iter().any(|w| same_shift(s, w)))
        .copied()
        .collect();
    Levels {
        shifts: with.0,
        confirmed,
        current: with.1,
    }
}

/// Whether two readings' shifts are one: same way, starts at most a run apart.
fn same_shift(a: &Level, b: &Level) -> bool {
    a.start.abs_diff(b.start) <= SAME_SHIFT_RUNS && (a.change > 0.0) == (b.change > 0.0)
}

/// The shifts of one reading with the levels around them, and the current level.
fn shifts_of(
    values: &[f64],
    threshold: f64,
    confidence: f64,
    min_points: usize,
) -> (Vec<Level>, Option<f64>) {
    let reading = history::read(values, threshold, confidence, min_points);
    let levels = reading.levels(values);
    let shifts = reading
        .shifts
        .iter()
        .zip(levels.windows(2))
        .filter_map(|(s, pair)| {
            let [before, after] = pair else { return None };
            let (b, a) = (before.mean?, after.mean?);
            Some(Level {
                start: s.start,
                change: a / b - 1.0,
                before: b,
                after: a,
                runs: after.runs,
            })
        })
        .collect();
    (shifts, levels.last().and_then(|l| l.mean))
}

/// Whether a change of a series in `direction` makes it worse.
pub fn is_worse(change: f64, direction: Direction) -> bool {
    match direction {
        Direction::LowerIsBetter => change > 0.0,
        Direction::HigherIsBetter => change < 0.0,
    }
}

/// A level shift for the worse that a push's run confirmed: an alert.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shift {
    pub benchmark: String,
    pub metric: String,
    pub unit: Unit,
    pub direction: Direction,
    /// The commit of the first run of the new level: the change that started it.
    pub commit: String,
    /// The new level over the old one, minus 1.
    pub change: f64,
    /// The level before the shift and the new level (geometric means of their runs).
    pub before: f64,
    pub after: f64,
    /// The gate's threshold for the series.
    pub threshold: f64,
}

/// The alerts of one commit: the shifts it started that the push's run confirmed.
#[derive(Debug, Clone, PartialEq)]
pub struct ShiftGroup {
    pub commit: String,
    /// Worst first.
    pub shifts: Vec<Shift>,
}

/// One series of the push, with its history read ([`levels`]) and the commits of its runs.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesLevels {
    pub benchmark: String,
    pub metric: String,
    pub threshold: f64,
    /// The commit of each run of the reading, oldest first, the push's run last.
    pub commits: Vec<Option<String>>,
    pub levels: Levels,
}

impl SeriesLevels {
    /// Whether the shift started by `commit` from the level `before` is undone: the current
    /// level is back within the threshold of `before`, and it is not that shift's own level (a
    /// later shift brought it back, or the history no longer reads those runs as a level: they
    /// left the window, or a short episode now reads as runs far out from one level).
    pub fn undoes(&self, commit: &str, before: f64) -> bool {
        let at = self
            .commits
            .iter()
            .position(|c| c.as_deref() == Some(commit));
        let own_level = match (at, self.levels.shifts.last()) {
            (Some(at), Some(last)) => last.start.abs_diff(at) <= SAME_SHIFT_RUNS,
            _ => false,
        };
        let back = self
            .levels
            .current
            .is_some_and(|now| before > 0.0 && (now / before - 1.0).abs() <= self.threshold);
        back && !own_level
    }
}

/// What the watch found on a push.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Watch {
    /// Shifts for the worse the push confirmed, by the commit that started them, worst first.
    pub alerts: Vec<ShiftGroup>,
    /// Every series of the push with a history, for telling undone shifts.
    pub series: Vec<SeriesLevels>,
}

impl Watch {
    /// The series named `benchmark` `metric`.
    pub fn series(&self, benchmark: &str, metric: &str) -> Option<&SeriesLevels> {
        self.series
            .iter()
            .find(|s| s.benchmark == benchmark && s.metric == metric)
    }
}

/// Watches a push: `history` (the branch's runs, oldest first) and `current`, the push's run, as
/// `comparison` compared them under `config`. Only the runs the gate judged against are read
/// ([`history_window`]); a load test's counts that follow its duration are context, never
/// alerts, and so are series the configuration ignores (they have no result).
pub fn watch(history: &[Run], current: &Run, comparison: &Comparison, config: &Config) -> Watch {
    let runs = history_window(history, current, config);
    let indexed: Vec<HashMap<(String, String), (Unit, f64)>> =
        runs.iter().map(|r| run_values(r)).collect();
    let now = run_values(current);
    let mut out = Watch::default();
    for r in comparison.results.iter().filter(|r| watched(r)) {
        let key = (r.benchmark.clone(), r.metric.clone());
        let Some((unit, value)) = now.get(&key) else {
            continue;
        };
        let mut values = Vec::new();
        let mut commits = Vec::new();
        for (run, index) in runs.iter().zip(&indexed) {
            if let Some((_, v)) = index.get(&key).filter(|(u, _)| u == unit) {
                values.push(*v);
                commits.push(run.meta.commit.clone());
            }
        }
        values.push(*value);
        commits.push(current.meta.commit.clone());
        let levels = levels(
            &values,
            r.threshold,
            config.history.confidence,
            config.history.min_points,
        );
        out.series.push(SeriesLevels {
            benchmark: r.benchmark.clone(),
            metric: r.metric.clone(),
            threshold: r.threshold,
            commits,
            levels,
        });
    }
    out.alerts = group(alerts(&out, comparison));
    out
}

/// A result the watch reads: the push measured it, and it is not a load test's count that
/// follows the test's duration.
fn watched(r: &MetricResult) -> bool {
    r.current.is_some() && r.status != Status::Missing && !r.context
}

/// Each series' run value (the value the history is read by) and unit.
fn run_values(run: &Run) -> HashMap<(String, String), (Unit, f64)> {
    let mut out = HashMap::new();
    for s in series(run) {
        let v = run_value(&s.values);
        if v.is_finite() {
            out.entry((s.benchmark, s.metric)).or_insert((s.unit, v));
        }
    }
    out
}

/// The confirmed shifts for the worse, beyond the threshold, whose starting commit is known.
fn alerts(w: &Watch, c: &Comparison) -> Vec<Shift> {
    let mut out = Vec::new();
    for s in &w.series {
        let Some(r) = c
            .results
            .iter()
            .find(|r| r.benchmark == s.benchmark && r.metric == s.metric)
        else {
            continue;
        };
        for l in &s.levels.confirmed {
            let beyond = l.change.abs() > r.threshold;
            let commit = s.commits.get(l.start).cloned().flatten();
            if let (true, true, Some(commit)) = (is_worse(l.change, r.direction), beyond, commit) {
                out.push(Shift {
                    benchmark: s.benchmark.clone(),
                    metric: s.metric.clone(),
                    unit: r.unit.clone(),
                    direction: r.direction,
                    commit,
                    change: l.change,
                    before: l.before,
                    after: l.after,
                    threshold: r.threshold,
                });
            }
        }
    }
    out
}

/// How bad a shift is, for ordering: the size of its log change.
pub fn size(s: &Shift) -> f64 {
    if s.change > -1.0 && s.change.is_finite() {
        s.change.ln_1p().abs()
    } else {
        f64::INFINITY
    }
}

/// Shifts grouped by the commit that started them; groups and their shifts worst first.
fn group(shifts: Vec<Shift>) -> Vec<ShiftGroup> {
    let mut groups: Vec<ShiftGroup> = Vec::new();
    for s in shifts {
        match groups.iter_mut().find(|g| g.commit == s.commit) {
            Some(g) => g.shifts.push(s),
            None => groups.push(ShiftGroup {
                commit: s.commit.clone(),
                shifts: vec![s],
            }),
        }
    }
    for g in &mut groups {
        g.shifts.sort_by(|a, b| size(b).total_cmp(&size(a)));
    }
    let worst = |g: &ShiftGroup| g.shifts.first().map_or(0.0, size);
    groups.sort_by(|a, b| worst(b).total_cmp(&worst(a)));
    groups
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::compare_history;
    use crate::model::{Benchmark, Data, Metric, RunMeta};

    /// ±1.5% of noise, repeatable, around `level`: what a Go benchmark's medians look like on one
    /// kind of runner.
    fn noise(level: f64, i: usize) -> f64 {
        const PATTERN: [f64; 7] = [0.4, -1.1, 0.9, -0.3, 1.5, -0.8, 0.1];
        level * (1.0 + PATTERN.get(i % PATTERN.len()).copied().unwrap_or(0.0) / 100.0)
    }

    fn commit(i: usize) -> String {
        format!("{:040x}", 0xc0ffee + i)
    }

    /// BenchmarkParse-8's medians on main: 48.2 µs for 20 pushes, then push 20 makes it 22%
    /// slower, push 32 takes most of it back, and allocations stay where they were.
    fn main_history() -> Vec<(f64, f64)> {
        (0..40)
            .map(|i| {
                let level = match i {
                    0..20 => 48_200.0,
                    20..32 => 58_800.0,
                    _ => 48_900.0,
                };
                (noise(level, i), 1_536.0)
            })
            .collect()
    }

    fn run(i: usize, time: f64, allocs: f64) -> Run {
        let mut b = Benchmark::new("BenchmarkParse-8");
        b.push(Metric::new("time", Unit::Nanoseconds, Data::Value(time)));
        b.push(Metric::new("B/op", Unit::Bytes, Data::Value(allocs)));
        let meta = RunMeta {
            commit: Some(commit(i)),
            branch: Some("main".into()),
            ..RunMeta::default()
        };
        Run::new(meta, vec![b])
    }

    /// Every push of `values` in turn, as the Action watches it: (push, what it found).
    fn pushes(values: &[(f64, f64)]) -> Vec<(usize, Watch)> {
        let config = Config::default();
        let runs: Vec<Run> = values
            .iter()
            .enumerate()
            .map(|(i, (t, a))| run(i, *t, *a))
            .collect();
        (1..runs.len())
            .map(|i| {
                let (history, rest) = runs.split_at(i);
                let current = rest.first().expect("a push");
                let c = compare_history(history, current, &config);
                (i, watch(history, current, &c, &config))
            })
            .collect()
    }

    #[test]
    fn a_slowdown_is_announced_once_by_the_push_that_confirms_it_and_named_after_its_commit() {
        let found: Vec<(usize, Vec<ShiftGroup>)> = pushes(&main_history())
            .into_iter()
            .filter(|(_, w)| !w.alerts.is_empty())
            .map(|(i, w)| (i, w.alerts))
            .collect();
        assert_eq!(found.len(), 1, "{found:#?}");
        let (push, groups) = &found[0];
        // Push 20 is one slow run, left out of the band as a possible one-off; push 21 is apart
        // from the runs before it too; push 22, in line with those two, shows the new level:
        // the shift, started by push 20's commit.
        assert_eq!(*push, 22);
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].commit, commit(20));
        let s = &groups[0].shifts[0];
        assert_eq!(
            (s.benchmark.as_str(), s.metric.as_str()),
            ("BenchmarkParse-8", "time")
        );
        assert!((s.change - 0.22).abs() < 0.02, "{s:?}");
        assert!((s.before - 48_200.0).abs() < 500.0 && (s.after - 58_800.0).abs() < 1_000.0);
    }

    #[test]
    fn the_push_that_confirms_a_shift_back_undoes_the_slowdown_and_raises_no_alert() {
        let all = pushes(&main_history());
        // From push 22 on, the shift started by push 20 is tracked.
        for (i, w) in all.iter().filter(|(i, _)| *i >= 22) {
            let time = w.series("BenchmarkParse-8", "time").expect("time");
            let undone = time.undoes(&commit(20), 48_200.0);
            assert_eq!(undone, *i >= 34, "push {i}: {:?}", time.levels);
            if *i == 34 {
                assert!(w.alerts.is_empty());
                assert_eq!(time.levels.confirmed.len(), 1, "{:?}", time.levels);
                assert!(time.levels.confirmed[0].change < -0.15);
            }
        }
    }

    #[test]
    fn a_faster_level_is_no_alert_and_neither_is_a_one_off_slow_run() {
        let mut values: Vec<(f64, f64)> = (0..30).map(|i| (noise(1_000.0, i), 10.0)).collect();
        values[12].0 = 1_400.0;
        for (i, v) in values.iter_mut().enumerate().skip(20) {
            v.0 = noise(800.0, i);
        }
        assert!(pushes(&values).iter().all(|(_, w)| w.alerts.is_empty()));
    }

    #[test]
    fn a_throughput_that_drops_is_an_alert_and_one_that_rises_is_not() {
        let drop = |factor: f64| -> Vec<f64> {
            (0..16)
                .map(|i| noise(if i < 10 { 5_000.0 } else { 5_000.0 * factor }, i))
                .collect()
        };
        // Read push by push, the drop is confirmed once, at its second run.
        let confirmed: Vec<(usize, Level)> = (1..=16)
            .flat_map(|n| {
                levels(drop(0.7).get(..n).unwrap_or(&[]), 0.055, 0.98, 10)
                    .confirmed
                    .into_iter()
                    .map(move |l| (n - 1, l))
            })
            .collect();
        assert_eq!(confirmed.len(), 1, "{confirmed:?}");
        assert_eq!(confirmed[0].1.start, 10);
        assert!(is_worse(confirmed[0].1.change, Direction::HigherIsBetter));
        assert!(!is_worse(0.3, Direction::HigherIsBetter));
    }

    #[test]
    fn a_load_tests_counts_that_follow_its_duration_are_never_alerts() {
        let config = Config::default();
        // More requests in the fixed duration once the requests got faster: k6 counts them, and
        // a count is better lower by its unit.
        let runs = |tool: Option<&str>| -> Vec<Run> {
            (0..16)
                .map(|i| {
                    let reqs = noise(if i < 10 { 9_000.0 } else { 12_000.0 }, i);
                    let mut b = Benchmark::new("http_reqs");
                    b.push(Metric::new("count", Unit::Count, Data::Value(reqs)));
                    let meta = RunMeta {
                        commit: Some(commit(i)),
                        tool: tool.map(str::to_string),
                        ..RunMeta::default()
                    };
                    Run::new(meta, vec![b])
                })
                .collect()
        };
        let alerts = |runs: &[Run]| -> usize {
            (1..runs.len())
                .map(|i| {
                    let (history, rest) = runs.split_at(i);
                    let c = compare_history(history, &rest[0], &config);
                    watch(history, &rest[0], &c, &config).alerts.len()
                })
                .sum()
        };
        assert_eq!(alerts(&runs(Some("k6"))), 0);
        // The same numbers from a tool whose counts are measures are an alert.
        assert_eq!(alerts(&runs(None)), 1);
    }

    #[test]
    fn shifts_of_one_commit_are_grouped_worst_first() {
        let shift = |metric: &str, commit: &str, change: f64| Shift {
            benchmark: "b".into(),
            metric: metric.into(),
            unit: Unit::Nanoseconds,
            direction: Direction::LowerIsBetter,
            commit: commit.into(),
            change,
            before: 1.0,
            after: 1.0 + change,
            threshold: 0.05,
        };
        let g = group(vec![
            shift("p50", "aaa", 0.1),
            shift("p99", "bbb", 0.5),
            shift("p90", "aaa", 0.3),
        ]);
        let names: Vec<(&str, Vec<&str>)> = g
            .iter()
            .map(|g| {
                (
                    g.commit.as_str(),
                    g.shifts.iter().map(|s| s.metric.as_str()).collect(),
                )
            })
            .collect();
        assert_eq!(names, [("bbb", vec!["p99"]), ("aaa", vec!["p90", "p50"])]);
    }
}
