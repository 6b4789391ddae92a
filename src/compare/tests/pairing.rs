//! Pairing: new, missing and ignored benchmarks, Go's `-N` names, histograms as series, rules.

use super::*;

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
    assert_eq!(reasons(&c.reasons), ["1 regression"]);

    let cfg = Config {
        fail_on_regression: false,
        fail_on_missing: true,
        ..Config::default()
    };
    let c = compare(Some(&base), &cur, &cfg);
    assert_eq!(reasons(&c.reasons), ["1 missing result"]);
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
fn a_series_of_one_value_carries_the_tools_interval_of_it() {
    let interval = Some(crate::model::ConfidenceInterval {
        lo: 19.0,
        hi: 21.0,
        confidence: 0.95,
    });
    let mut b = Benchmark::new("fib");
    b.push(Metric::new("time", Unit::Nanoseconds, Data::Value(20.0)).with_interval(interval));
    b.push(Metric::new(
        "alloc_bytes",
        Unit::Bytes,
        Data::Samples(vec![1.0, 2.0]),
    ));
    let s = series(&Run::new(RunMeta::default(), vec![b]));
    assert_eq!(s[0].values, [20.0]);
    assert_eq!(s[0].interval, interval);
    assert_eq!(s[1].interval, None);
}
