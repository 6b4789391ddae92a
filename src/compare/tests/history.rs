//! Single values against the prediction interval of a history: levels, far-out runs, short histories, pooling, trends.

use super::*;

/// `n` runs of one single-value metric, `100 * (1 + spread * wave)` with a fixed wave.
pub(super) fn history(n: usize, spread: f64) -> Vec<Run> {
    (0..n)
        .map(|i| {
            let wave = ((i * 7 % 11) as f64 - 5.0) / 5.0;
            times(vec![100.0 * (1.0 + spread * wave)])
        })
        .collect()
}

/// A run of benchmark `T` whose `time` (ns) has `values`.
fn times(values: Vec<f64>) -> Run {
    run_of(
        RunMeta::default(),
        &[("T", "time", Unit::Nanoseconds, values)],
    )
}

pub(super) fn one(v: f64) -> Run {
    times(vec![v])
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
pub(super) fn level(n: usize, level: f64) -> Vec<f64> {
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
                "the history has values that are not positive numbers: no prediction interval, compared with the latest run; no noise estimate: reruns of unchanged code can move such a value this far, and only a change beyond 40% (`large_change`) is decided without a noise estimate; repeat the run several times per side, or keep a history of runs (`--store`, the Action's data branch), to decide".to_string()
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
        .map(|i| times(scaled(1.0 + f64::from(i) * 0.001)))
        .collect();
    let cur = times(scaled(1.2));
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
fn the_trend_carries_the_run_values_of_the_history_read_in_order() {
    // 40 runs, a window of 30: the trend is the last 30, oldest first.
    let v: Vec<f64> = (0..40).map(|i| 100.0 + f64::from(i)).collect();
    let c = compare_history(&history_of(&v), &one(150.0), &Config::default());
    let r = &c.results[0];
    assert_eq!(r.trend.as_deref(), v.get(10..), "{r:?}");
    // Samples count through each run's log median, as the history is read.
    let runs: Vec<Run> = [(1.0, 4.0), (2.0, 8.0), (3.0, 12.0)]
        .iter()
        .map(|&(a, b)| times(vec![a, b]))
        .collect();
    let current = times(vec![3.0, 12.0]);
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

#[test]
fn a_change_as_far_out_as_recurring_far_out_runs_says_so() {
    // 30 runs with 2% noise, three of them in a slow mode (1.4x to 1.6x): left out, so the
    // interval is the fast mode's. A value as slow as they were is still a regression, and the
    // note says such runs recur (the simulation's slow modes, M5).
    let mut v = level(30, 100.0);
    (v[5], v[14], v[22]) = (140.0, 150.0, 160.0);
    let runs = history_of(&v);
    let judge = |x: f64| compare_history(&runs, &one(x), &Config::default()).results[0].clone();
    let r = judge(145.0);
    assert_eq!(r.status, Status::Regression);
    let note = words(&r.note).unwrap();
    assert!(
        note.ends_with("3 far-out runs of the history (beyond 4.5 interquartile ranges, log scale) left out; as far out as 3 runs the history left out (+39.9% to +59.9% from its level): runs this far out recur for this benchmark; run it again to tell a change from one more of them"),
        "{note}"
    );
    // +15%, short of the nearest of them less the threshold (132.7): no such note.
    let r = judge(115.0);
    assert_eq!(r.status, Status::Regression);
    assert!(!words(&r.note).unwrap().contains("as far out as"), "{r:?}");
    // Below: far-out fast runs, and an improvement as fast as they were.
    let mut v = level(30, 100.0);
    (v[3], v[17]) = (60.0, 65.0);
    let r = &compare_history(&history_of(&v), &one(62.0), &Config::default()).results[0];
    assert_eq!(r.status, Status::Improvement);
    assert!(
        words(&r.note).unwrap().contains(
            "as far out as 2 runs the history left out (-39.9% to -34.9% from its level)"
        ),
        "{r:?}"
    );
    // One far-out run is a slow day, not runs that recur.
    let mut v = level(30, 100.0);
    v[5] = 150.0;
    let r = &compare_history(&history_of(&v), &one(150.0), &Config::default()).results[0];
    assert_eq!(r.status, Status::Regression);
    assert!(!words(&r.note).unwrap().contains("as far out as"), "{r:?}");
    // After a level shift, far-out runs of the level before it are not this level's.
    let mut v = level(15, 100.0);
    (v[3], v[9]) = (150.0, 160.0);
    v.extend(level(15, 120.0));
    let r = &compare_history(&history_of(&v), &one(155.0), &Config::default()).results[0];
    assert_eq!(r.status, Status::Regression);
    let note = words(&r.note).unwrap();
    assert!(
        note.contains("the baseline changed level (+20.3%)"),
        "{note}"
    );
    assert!(!note.contains("as far out as"), "{note}");
}
