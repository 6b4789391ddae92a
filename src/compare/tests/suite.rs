//! Judging metrics against their suite's run-to-run spread with one baseline run.

use super::*;

/// A run of `k` (at most twenty) benchmarks `B00`... with `n` repeats of a little noise each:
/// on a `machine` that many times slower than the baseline's (1: the baseline run itself),
/// each benchmark also moved by its own run-to-run factor (`OWN`, log), and the last one by
/// `slower`.
pub(super) fn suite_run(k: usize, machine: f64, slower: f64, n: usize) -> Run {
    const Z: [f64; 10] = [0.3, -1.2, 0.8, -0.4, 1.5, -0.9, 0.1, -0.2, 1.1, -1.0];
    const OWN: [f64; 20] = [
        0.01, -0.02, 0.03, -0.01, 0.0, 0.02, -0.03, 0.015, -0.015, 0.025, -0.025, 0.005, -0.005,
        0.012, -0.012, 0.02, -0.02, 0.008, -0.008, 0.0,
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
    assert!(words(&b19.note)
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
        reasons(&c.reasons),
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
