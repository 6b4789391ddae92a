//! Assessing one metric alone: samples (the U test), single values (the threshold, `large_change`, the latency floor), deterministic changes from zero.

use super::*;

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
        Some("one value per side and no history: no noise estimate: reruns of unchanged code can move such a value this far, and only a change beyond 40% (`large_change`) is decided without a noise estimate; repeat the run several times per side, or keep a history of runs (`--store`, the Action's data branch), to decide")
    );
    let r = judge(&t(&[100.0]), &t(&[145.0]), Direction::LowerIsBetter);
    assert_eq!(r.status, Status::Regression);
    assert_eq!(
        words(&r.note).as_deref(),
        Some("one value per side and no history: no noise estimate, but a change of +45.0% is beyond 40% (`large_change`), which reruns of unchanged code seldom reach")
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
        interval: None,
        repeats: Vec::new(),
    }
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
    assert_eq!(
        words(&r.note).as_deref(),
        Some("the baseline is zero, so the change has no ratio; 1.00 ms up from zero is within the 1.00 ms latency floor (`latency_floor`): no change worth a red build without a noise estimate")
    );
    // From 0 to 2 ms (autocannon's p(50) under 3x the work): beyond the floor, and a change from
    // zero is beyond any ratio.
    let r = judge(
        &latency("p(50)", 0.0),
        &latency("p(50)", 2e6),
        Direction::LowerIsBetter,
    );
    assert_eq!(r.status, Status::Regression);
    assert_eq!(
        words(&r.note).as_deref(),
        Some("the baseline is zero, so the change has no ratio; no noise estimate, but a change from zero is beyond 40% (`large_change`), which reruns of unchanged code seldom reach")
    );
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
                Some("every repeat shows it: all 2 current values are beyond all 2 baseline values, and a change of +100.0% is beyond 40% (`large_change`), which reruns of unchanged code seldom reach")
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
fn a_commands_system_time_without_a_history_is_not_gated() {
    // hyperfine's `system` of `gzip -c text.txt` between two unchanged quiet reruns: one mean a
    // side, +115%, which is beyond `large_change`.
    let cpu = |metric: &str, v: f64| Series {
        benchmark: "gzip -c text.txt".into(),
        metric: metric.into(),
        unit: Unit::Nanoseconds,
        direction: Direction::LowerIsBetter,
        values: vec![v],
        interval: None,
        repeats: Vec::new(),
    };
    let r = judge(
        &cpu("system", 1_619_000.0),
        &cpu("system", 3_477_000.0),
        Direction::LowerIsBetter,
    );
    assert_eq!(r.status, Status::Inconclusive);
    assert_eq!(
        words(&r.note).as_deref(),
        Some("one value per side and no history: no noise estimate; `system` is the command's CPU time in the kernel, one mean per run, which reruns of unchanged code moved by up to 129%: not gated without a history of runs (+114.8% here); the command's time decides")
    );
    // `user` keeps the rule for values: the busy reruns' `sha256sum` with 40% more work, +45.7%.
    let r = judge(
        &cpu("user", 66_500_000.0),
        &cpu("user", 96_900_000.0),
        Direction::LowerIsBetter,
    );
    assert_eq!(r.status, Status::Regression);
    // Only time: a metric named `system` counting something else keeps the rule for values.
    let mut calls = cpu("system", 100.0);
    calls.unit = Unit::Count;
    let mut more = calls.clone();
    more.values = vec![150.0];
    let r = judge(&calls, &more, Direction::LowerIsBetter);
    assert_eq!(r.status, Status::Regression);
}
