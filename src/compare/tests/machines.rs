//! Each run's machine taken out of a history of runs of a suite.

use super::moderate::times;
use super::*;

/// Twelve runs' machines: every benchmark of a run that many times as slow (4.5% apart).
const MACHINES: [f64; 12] = [
    1.0, 0.95, 1.06, 0.98, 1.03, 0.93, 1.05, 1.0, 0.97, 1.08, 0.96, 1.02,
];

/// Benchmark `i`'s own move in run `r`: -1% to +1%.
fn own(r: usize, i: usize) -> f64 {
    0.005 * (((r * 7 + i * 3) % 5) as f64 - 2.0)
}

/// Run `r` of `k` benchmarks `B00`... on a `machine`, the last one `slower`.
fn run(r: usize, k: usize, machine: f64, slower: f64) -> Run {
    times((0..k).map(|i| {
        let f = if i + 1 == k { slower } else { 1.0 };
        let level = 100.0 * (1.0 + i as f64) * machine * f * own(r, i).exp();
        let values = Z.iter().map(|z| level * (1.0 + 0.002 * z));
        (format!("B{i:02}"), values.collect())
    }))
}

/// [`run`] with one value per benchmark (its level), as a tool that prints one value does.
fn one_value_run(r: usize, k: usize, machine: f64, slower: f64) -> Run {
    times((0..k).map(|i| {
        let f = if i + 1 == k { slower } else { 1.0 };
        let level = 100.0 * (1.0 + i as f64) * machine * f * own(r, i).exp();
        (format!("B{i:02}"), vec![level])
    }))
}

fn history(runs: usize, k: usize) -> Vec<Run> {
    MACHINES
        .iter()
        .take(runs)
        .enumerate()
        .map(|(r, m)| run(r, k, *m, 1.0))
        .collect()
}

fn result<'a>(c: &'a Comparison, benchmark: &str) -> &'a MetricResult {
    c.results.iter().find(|r| r.benchmark == benchmark).unwrap()
}

#[test]
fn each_metric_is_judged_with_its_runs_machine_taken_out() {
    // The current run on a machine 10% slower than the history's: within what their machines
    // do (4.5% apart), so inconclusive on its own; B19 really 15% slower.
    let current = run(12, 20, 1.10, 1.15);
    let c = compare_history(&history(12, 20), &current, &Config::default());
    let suite = whole_run(&c, Status::Inconclusive, false);
    assert_eq!(suite.history_runs, Some(12));
    assert_eq!((suite.metrics, suite.benchmarks), (20, 20));
    assert!((suite.change - 0.10).abs() < 0.01, "{suite:?}");
    // Each run's own moves are 1% at most: the metric's spread with the machines out.
    assert!(suite.between_cv < 0.01, "{suite:?}");
    let b19 = result(&c, "B19");
    assert_eq!(
        (b19.status, b19.method),
        (Status::Regression, Method::PredictionInterval)
    );
    assert!((b19.change.unwrap() - 0.15).abs() < 0.02, "{b19:?}");
    // The report shows the value as the tool gave it: 2000 x 1.10 x 1.15 x its own move.
    let raw = 2000.0 * 1.10 * 1.15 * own(12, 19).exp();
    let shown = b19.current.unwrap().value;
    assert!((shown / raw - 1.0).abs() < 0.002, "{shown} vs {raw}");
    let said = words(&b19.note).unwrap();
    let whole = format!(
        "against the history's runs as they ran, while the whole run is {:.1}% slower than theirs",
        suite.change * 100.0
    );
    assert!(
        said.contains("on this run's machine") && said.contains(&whole),
        "{said}"
    );
    // Every other benchmark moved with the machine alone, 9-11% against the history as it ran.
    assert_eq!(c.counts.regression, 1, "{:#?}", c.results);
    assert_eq!(c.counts.inconclusive, 0, "{:#?}", c.results);
    assert_eq!(c.verdict, Verdict::Fail);
    assert_eq!(reasons(&c.reasons), vec!["1 regression"]);
    // The trend is the history as it ran, not with the machines out.
    let trend = result(&c, "B00").trend.clone().unwrap();
    for (r, (v, m)) in trend.iter().zip(MACHINES).enumerate() {
        let raw = 100.0 * m * own(r, 0).exp();
        assert!((v / raw - 1.0).abs() < 0.002, "run {r}: {v} vs {raw}");
    }
}

#[test]
fn one_value_per_run_has_its_machine_taken_out_once_judged_against_the_history() {
    // One value per benchmark, the current run on a machine 10% slower, B19 really 15% slower.
    let past = |runs: usize| -> Vec<Run> {
        MACHINES
            .iter()
            .take(runs)
            .enumerate()
            .map(|(r, m)| one_value_run(r, 20, *m, 1.0))
            .collect()
    };
    let current = one_value_run(12, 20, 1.10, 1.15);
    let cfg = Config::default();
    // 12 runs, at least `min_points` (10): judged against the history's interval, machines out.
    let c = compare_history(&past(12), &current, &cfg);
    assert!(c.machine_taken_out);
    let suite = whole_run(&c, Status::Inconclusive, false);
    assert_eq!(suite.history_runs, Some(12));
    let b19 = result(&c, "B19");
    assert_eq!(
        (b19.status, b19.method),
        (Status::Regression, Method::PredictionInterval)
    );
    assert!((b19.change.unwrap() - 0.15).abs() < 0.02, "{b19:?}");
    assert_eq!(c.counts.regression, 1, "{:#?}", c.results);
    assert_eq!(c.counts.inconclusive, 0, "{:#?}", c.results);
    // 6 runs: one value is compared with the latest run as a pair, machines left in.
    let c = compare_history(&past(6), &current, &cfg);
    assert!(!c.machine_taken_out);
    assert!(c.suite.is_none());
    assert_eq!(result(&c, "B19").method, Method::Threshold);
}

#[test]
fn a_whole_run_far_beyond_the_historys_machines_fails_the_gate() {
    // Every benchmark 30% slower: no metric moved against the rest, the whole run did, far
    // beyond what the history's machines do.
    let c = compare_history(
        &history(12, 20),
        &run(12, 20, 1.30, 1.0),
        &Config::default(),
    );
    let suite = whole_run(&c, Status::Regression, true);
    assert_eq!(c.counts.regression, 0, "{:#?}", c.results);
    assert_eq!(c.verdict, Verdict::Fail);
    assert!((suite.change - 0.30).abs() < 0.01, "{suite:?}");
    assert_eq!(
        reasons(&c.reasons),
        vec![format!(
            "the whole run is slower than the history's runs (+{:.1}%)",
            suite.change * 100.0
        )]
    );
}

#[test]
fn machines_are_taken_out_only_of_a_history_of_a_suite_whose_machines_move() {
    let cfg = Config::default();
    // Three runs are not yet a history for samples; seven benchmarks are not a suite.
    let c = compare_history(&history(3, 20), &run(12, 20, 1.10, 1.15), &cfg);
    assert_eq!(c.suite.and_then(|s| s.history_runs), None);
    let c = compare_history(&history(12, 7), &run(12, 7, 1.10, 1.15), &cfg);
    assert!(c.suite.is_none());
    // Machines that move less than reading them from the suite would add: left in.
    let still: Vec<Run> = (0..12).map(|r| run(r, 20, 1.0, 1.0)).collect();
    let c = compare_history(&still, &run(12, 20, 1.0, 1.15), &cfg);
    assert!(c.suite.is_none());
    assert_eq!(result(&c, "B19").status, Status::Regression);
    // Under `mann-whitney`, benchstat's test alone.
    let u = Config {
        test: TestChoice::MannWhitney,
        ..Config::default()
    };
    let c = compare_history(&history(12, 20), &run(12, 20, 1.10, 1.15), &u);
    assert!(c.suite.is_none());
}

#[test]
fn a_history_of_run_values_as_the_data_branch_keeps_them_has_its_machines_taken_out_too() {
    // The Action reads the history's earlier runs from the data branch's index: one run value
    // per series. Only the latest run comes with its samples.
    let full = history(12, 20);
    let summarised: Vec<Run> = full
        .iter()
        .enumerate()
        .map(|(r, run)| {
            if r + 1 == full.len() {
                return run.clone();
            }
            times(run.benchmarks.iter().map(|b| {
                let values = match &b.metrics[0].data {
                    Data::Samples(v) => v.clone(),
                    other => panic!("{other:?}"),
                };
                (b.name.clone(), vec![crate::compare::run_value(&values)])
            }))
        })
        .collect();
    let current = run(12, 20, 1.10, 1.15);
    let c = compare_history(&summarised, &current, &Config::default());
    let whole = compare_history(&full, &current, &Config::default());
    assert_eq!(c.suite, whole.suite);
    assert_eq!(c.suite.as_ref().and_then(|s| s.history_runs), Some(12));
    assert_eq!(result(&c, "B19").status, Status::Regression);
    assert_eq!(c.counts.regression, 1, "{:#?}", c.results);
}

#[test]
fn the_pull_request_run_twice_has_its_machines_taken_out_of_a_history_too() {
    // Two runs of the pull request on machines 10% and 14% slower than the history's, B19
    // really 15% slower in both: each metric is compared by one value per run, and the current
    // side's machine is read from them.
    let current = [run(12, 20, 1.10, 1.15), run(13, 20, 1.14, 1.15)];
    let c = compare_runs(&history(12, 20), &current, false, &Config::default());
    assert!(c.one_value_per_run);
    let suite = c.suite.clone().unwrap();
    assert_eq!(suite.history_runs, Some(12));
    assert!((suite.change - 0.12).abs() < 0.015, "{suite:?}");
    assert_eq!(result(&c, "B19").status, Status::Regression);
    assert_eq!(c.counts.regression, 1, "{:#?}", c.results);
    assert_eq!(c.counts.inconclusive, 0, "{:#?}", c.results);
}

/// Eight benchmarks of one metric each, the pull request run twice: too few metrics to compare by
/// one value per run, so the runs merge, with each run's machine taken out of the history. Both
/// runs on a machine 25% faster, B07 really 30% slower in both: as they ran, B07 is 2.5% faster
/// than the history (1.3 x 0.75); with the machine out, 30% slower. The check that the change
/// holds without the run that shows it most reads each run's value with the machine out too.
#[test]
fn merged_runs_hold_a_change_with_the_machine_taken_out_of_each_run() {
    let current = [run(12, 8, 0.75, 1.3), run(13, 8, 0.76, 1.3)];
    let c = compare_runs(&history(12, 8), &current, false, &Config::default());
    assert!(!c.one_value_per_run, "merged");
    assert_eq!(c.suite.as_ref().and_then(|s| s.history_runs), Some(12));
    let b07 = result(&c, "B07");
    assert_eq!(b07.status, Status::Regression, "{b07:#?}");
    assert!((b07.change.unwrap() - 0.30).abs() < 0.02, "{b07:?}");
    assert_eq!(c.counts.regression, 1, "{:#?}", c.results);
    // Shown by one run alone, it is held.
    let current = [run(12, 8, 0.75, 1.3), run(13, 8, 0.76, 1.0)];
    let c = compare_runs(&history(12, 8), &current, false, &Config::default());
    let b07 = result(&c, "B07");
    assert_eq!(b07.status, Status::Inconclusive, "{b07:#?}");
    assert!(
        b07.note
            .0
            .iter()
            .any(|n| matches!(n, Note::HeldForOneRun { .. })),
        "{b07:#?}"
    );
}
