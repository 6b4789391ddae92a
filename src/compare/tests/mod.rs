//! Tests of the comparison, by room.

use super::pairing::{summary, without_procs};
use super::settle::smallest_n;
use super::*;
use crate::config::{Config, TestChoice};
use crate::model::{Benchmark, Data, Direction, Histogram, Metric, Run, RunMeta, Unit};
use crate::report::words::note as words;
use crate::stats;

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
        words(&r.note)
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
    assert!(words(&r.note)
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
        words(&r.note).as_deref(),
        Some("one value per side and no history: no noise estimate: reruns of unchanged code move such a value by up to 40% (`large_change`); repeat the run several times per side, or keep a history of runs (`--store`, the Action's data branch), to decide")
    );
    let r = judge(&t(&[100.0]), &t(&[145.0]), Direction::LowerIsBetter);
    assert_eq!(r.status, Status::Regression);
    assert_eq!(
        words(&r.note).as_deref(),
        Some("one value per side and no history: no noise estimate, but a change of +45.0% is beyond 40% (`large_change`), which reruns of unchanged code do not reach")
    );
    // The same ratio both ways: 1/1.45 is as far down.
    let r = judge(&t(&[145.0]), &t(&[100.0]), Direction::LowerIsBetter);
    assert_eq!(r.status, Status::Improvement);
    let r = judge(&t(&[100.0]), &t(&[104.0]), Direction::LowerIsBetter);
    assert_eq!((r.status, words(&r.note)), (Status::Unchanged, None));
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
        words(&r.note).as_deref(),
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
    assert!(words(&r.note).as_deref().unwrap().contains(
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
                words(&r.note).as_deref(),
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
    assert!(words(&r.note)
        .as_deref()
        .unwrap()
        .contains("baseline is zero"));
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
    let note = words(&r.note).unwrap();
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
        words(&r.note).as_deref(),
        Some("1 far-out value (beyond 4.5 interquartile ranges, log scale) left out of the t test")
    );
    assert_eq!(r.current.unwrap().n, 10);
    assert_eq!(c.counts.regression, 0);
    assert!(c
        .results
        .iter()
        .filter(|r| r.benchmark != "B07")
        .all(|r| r.note.is_empty()));
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
    let n = repeats_in(&words(&r.note).unwrap());
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
    assert_eq!(repeats_in(&words(&r.note).unwrap()), 50);
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
    assert!(words(&t.note)
        .as_deref()
        .unwrap()
        .contains("another environment"));
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
    assert!(words(&c.results[0].note)
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
    let n = repeats_in(words(&m0.note).as_deref().unwrap());
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
    let note = words(&r.note).unwrap();
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
    assert!(words(&r.note)
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
        words(&r.note)
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
    let note = words(&r.note).unwrap();
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
    assert!(!words(&r.note).as_deref().unwrap().contains("changed level"));

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
        words(&r.note)
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
        (r.status, words(&r.note).unwrap_or_default())
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
                format!(
                    "the latest baseline run ({shown}) is far from the runs before it: left out"
                )
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
    let note = words(&r.note).unwrap();
    assert!(
        note.contains(
            "1 far-out run of the history (beyond 4.5 interquartile ranges, log scale) left out"
        ),
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
    let note = words(&r.note).unwrap();
    assert!(
        note.starts_with("worse than the history, but the latest baseline run (130 ns) is far from the runs before it and this value is within its noise (+0.8%)"),
        "{note}"
    );
    // At 100 it agrees with the history: unchanged, and the note says what was left out.
    let r = &compare_history(&runs, &one(100.0), &Config::default()).results[0];
    assert_eq!(r.status, Status::Unchanged);
    assert_eq!(
        words(&r.note).as_deref(),
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
        words(&r.note)
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
