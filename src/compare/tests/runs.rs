//! Several runs of a side: one value per run and metric, the t test on the runs.

use super::*;
use crate::compare::pairing::{series_of_runs, without_machine};

/// A run of twenty benchmarks `B00`... of 10 repeats each (a little noise within the run),
/// each at `100 * exp(own[i]) * slower(i)`: `own` is each benchmark's own move in this run.
fn run_with(own: &[f64; 20], slower: impl Fn(usize) -> f64) -> Run {
    let rows: Vec<(String, Vec<f64>)> = own
        .iter()
        .enumerate()
        .map(|(i, o)| {
            let level = 100.0 * o.exp() * slower(i);
            (
                format!("B{i:02}"),
                BASE.iter().map(|v| level * v / 100.0).collect(),
            )
        })
        .collect();
    let rows: Vec<(&str, &str, Unit, Vec<f64>)> = rows
        .iter()
        .map(|(n, v)| (n.as_str(), "time", Unit::Nanoseconds, v.clone()))
        .collect();
    run_of(RunMeta::default(), &rows)
}

/// Each benchmark's own move in three runs: a few percent, as between runs in CI.
const OWN: [[f64; 20]; 3] = [
    [
        0.01, -0.02, 0.03, -0.01, 0.0, 0.02, -0.03, 0.015, -0.015, 0.025, -0.025, 0.005, -0.005,
        0.012, -0.012, 0.02, -0.02, 0.008, -0.008, 0.0,
    ],
    [
        -0.02, 0.01, -0.01, 0.03, 0.015, 0.0, 0.02, -0.025, 0.005, -0.015, 0.01, -0.03, 0.02,
        -0.008, 0.0, -0.012, 0.025, -0.005, 0.012, -0.02,
    ],
    [
        0.0, 0.025, -0.02, 0.01, -0.03, -0.01, 0.012, 0.02, -0.02, 0.005, 0.03, -0.012, -0.015,
        0.0, 0.02, 0.008, -0.005, -0.025, 0.015, 0.01,
    ],
];

#[test]
fn with_few_metrics_the_runs_are_merged_and_judged_by_their_repeats() {
    // One baseline run of ten repeats; the pull request run twice, 10% and 14% slower. One
    // metric cannot share its noise with others, and the t test on three run values would have
    // next to no power: the two runs are merged, twenty repeats against ten.
    let b = run_of(
        RunMeta::default(),
        &[("B", "time", Unit::Nanoseconds, BASE.to_vec())],
    );
    let c: Vec<Run> = [1.10, 1.14]
        .iter()
        .map(|f| {
            run_of(
                RunMeta::default(),
                &[("B", "time", Unit::Nanoseconds, scaled(*f))],
            )
        })
        .collect();
    let r = compare_runs(std::slice::from_ref(&b), &c, true, &Config::default());
    assert!(!r.one_value_per_run);
    assert_eq!(r.current_runs, 2);
    let m = r.results.first().unwrap();
    assert_eq!(m.method, Method::MannWhitney);
    assert_eq!((m.baseline.unwrap().n, m.current.unwrap().n), (10, 20));
    assert_eq!(m.status, Status::Regression);
}

#[test]
fn many_metrics_of_several_runs_are_tested_by_one_value_per_run() {
    let base = run_with(&OWN[0], |_| 1.0);
    let c = compare_runs(
        std::slice::from_ref(&base),
        &[run_with(&OWN[1], |_| 1.0), run_with(&OWN[2], |_| 1.0)],
        false,
        &Config::default(),
    );
    assert!(c.one_value_per_run);
    assert_eq!((c.baseline_runs, c.current_runs), (1, 2));
    let m = c.results.iter().find(|r| r.benchmark == "B00").unwrap();
    assert_eq!((m.baseline.unwrap().n, m.current.unwrap().n), (1, 2));
    assert!(matches!(m.method, Method::ModeratedT | Method::RunToRun));
    assert_eq!(c.verdict, Verdict::Pass);
    let notes = crate::report::render_terminal(&c, false);
    assert!(
        notes.contains("Each metric was compared by one value per run (the median of its repeats): 1 baseline run against 2 current runs"),
        "{notes}"
    );
}

#[test]
fn a_noisy_neighbour_in_one_pull_request_run_does_not_fail_the_gate() {
    // A neighbour slowed four benchmarks of the pull request's first run by 25%; its second run
    // was left alone.
    let base = run_with(&OWN[0], |_| 1.0);
    let neighbour = run_with(&OWN[1], |i| if i < 4 { 1.25 } else { 1.0 });
    let calm = run_with(&OWN[2], |_| 1.0);
    // Compared alone, the first run fails the gate.
    let alone = compare(Some(&base), &neighbour, &Config::default());
    assert_eq!(alone.verdict, Verdict::Fail);
    // Both runs: the two disagree by 25% on those four, which is noise between runs.
    let c = compare_runs(
        std::slice::from_ref(&base),
        &[neighbour, calm],
        false,
        &Config::default(),
    );
    assert_eq!(c.verdict, Verdict::Pass, "{:#?}", c.results);
    assert_eq!(c.counts.regression, 0);
    assert!(c.moderation.is_some());
}

#[test]
fn a_change_every_pull_request_run_shows_fails_the_gate() {
    let base = run_with(&OWN[0], |_| 1.0);
    let slower = |i: usize| if i == 19 { 1.3 } else { 1.0 };
    let c = compare_runs(
        std::slice::from_ref(&base),
        &[run_with(&OWN[1], slower), run_with(&OWN[2], slower)],
        false,
        &Config::default(),
    );
    assert_eq!(c.verdict, Verdict::Fail);
    let regressions: Vec<&str> = c
        .results
        .iter()
        .filter(|r| r.status == Status::Regression)
        .map(|r| r.benchmark.as_str())
        .collect();
    assert_eq!(regressions, ["B19"], "{:#?}", c.results);
}

#[test]
fn the_machine_of_each_run_is_taken_out_of_the_runs_spread() {
    // The second run's machine is 10% slower: every benchmark moved by it, B07 by 30% more.
    let rows = |f: &dyn Fn(usize) -> f64| -> Run {
        let rows: Vec<(String, Vec<f64>)> = (0..8)
            .map(|i| (format!("B{i}"), vec![100.0 * (i + 1) as f64 * f(i)]))
            .collect();
        let rows: Vec<(&str, &str, Unit, Vec<f64>)> = rows
            .iter()
            .map(|(n, v)| (n.as_str(), "time", Unit::Nanoseconds, v.clone()))
            .collect();
        run_of(RunMeta::default(), &rows)
    };
    let first = rows(&|_| 1.0);
    let second = rows(&|i| if i == 7 { 1.1 * 1.3 } else { 1.1 });
    let series = series_of_runs(&[&first, &second]);
    for s in &series {
        let [a, b] = s.values.as_slice() else {
            panic!("{s:?}")
        };
        // The side's geometric mean stays where it was.
        let level = 100.0 * (s.benchmark[1..].parse::<f64>().unwrap() + 1.0);
        let mean = (a * b).sqrt();
        if s.benchmark == "B7" {
            assert!((b / a - 1.3).abs() < 1e-9, "{s:?}");
            assert!((mean - level * (1.1f64 * 1.3).sqrt()).abs() < 1e-9);
        } else {
            assert!((b / a - 1.0).abs() < 1e-9, "{s:?}");
            assert!((mean - level * 1.1f64.sqrt()).abs() < 1e-9);
        }
    }
    // With fewer than eight benchmarks the runs are left as they are.
    let mut few: Vec<Series> = series_of_runs(&[&first, &second])
        .into_iter()
        .take(7)
        .collect();
    for s in &mut few {
        s.values = vec![s.values[0], s.values[0] * 1.1];
    }
    let before = few.clone();
    without_machine(&mut few, 2);
    assert_eq!(few, before);
}
