//! The moderated t test over many metrics and over many histories, and the correction for multiple comparisons.

use super::*;

/// A run of one-metric benchmarks; `(name, metric, unit, values)`.
pub(super) fn run_of(meta: RunMeta, benches: &[(&str, &str, Unit, Vec<f64>)]) -> Run {
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

/// A run of the benchmarks `values` names, each with its `time` values in nanoseconds.
pub(super) fn times(values: impl IntoIterator<Item = (String, Vec<f64>)>) -> Run {
    let rows: Vec<(String, Vec<f64>)> = values.into_iter().collect();
    let rows: Vec<(&str, &str, Unit, Vec<f64>)> = rows
        .iter()
        .map(|(n, v)| (n.as_str(), "time", Unit::Nanoseconds, v.clone()))
        .collect();
    run_of(RunMeta::default(), &rows)
}

/// Raw p = 0.0147 (SciPy `mannwhitneyu(BASE, BORDERLINE, method="exact")`), +5.8% median.
pub(super) const BORDERLINE: [f64; 10] = [
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
fn a_moderated_inconclusive_result_gets_the_t_tests_repeats() {
    // Twelve metrics with 5 samples a side at about 4% noise; M00 is 9% slower, which the
    // moderated t test cannot confirm after the correction over 12 metrics (+7.4% measured).
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
fn a_stretch_of_slow_repeats_barely_moves_the_shift_of_many_repeats() {
    // Ten benchmarks, 40 repeats a side with 1% of noise. In the current run B08 is really 10%
    // slower; B09's first 16 repeats (a burst of load, 40% of the run) are 30% slower and the
    // rest unchanged, as criterion's `fib_20` in the quiet reruns' run5.
    let noise = |i: usize, k: usize| 1.0 + 0.01 * ((i * 7 + k * 13) as f64 * 0.7).sin();
    let run = |current: bool| {
        times((0..10).map(|i| {
            let values = (0..40)
                .map(|k| {
                    let slow = match (current, i) {
                        (true, 8) => 1.1,
                        (true, 9) if k < 16 => 1.3,
                        _ => 1.0,
                    };
                    100.0 * slow * noise(i, k + usize::from(current) * 40)
                })
                .collect();
            (format!("B{i:02}"), values)
        }))
    };
    let c = compare(Some(&run(false)), &run(true), &Config::default());
    let of = |name: &str| c.results.iter().find(|r| r.benchmark == name).unwrap();
    let (b08, b09) = (of("B08"), of("B09"));
    assert_eq!(b09.method, Method::ModeratedT);
    // Its mean moved by 12% and its 20%-trimmed mean by 9%; the Hodges-Lehmann shift by ~1%.
    let change = b09.change.unwrap();
    assert!((0.0..0.03).contains(&change), "{b09:?}");
    assert_eq!(b09.status, Status::Unchanged, "{b09:?}");
    assert_eq!(b08.status, Status::Regression, "{b08:?}");
    assert!((b08.change.unwrap() - 0.10).abs() < 0.01, "{b08:?}");
}
