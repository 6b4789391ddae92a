//! Judging metrics against their suite's run-to-run spread with one baseline run.

use super::*;

/// A run of `k` (at most twenty) benchmarks `B00`... with `n` repeats of a little noise each:
/// on a `machine` that many times slower than the baseline's (1: the baseline run itself),
/// each benchmark also moved by its own run-to-run factor (`OWN[0]`, log), and the last one by
/// `slower`.
pub(super) fn suite_run(k: usize, machine: f64, slower: f64, n: usize) -> Run {
    times(OWN[0].iter().take(k).enumerate().map(|(i, o)| {
        let f = if i + 1 == k { slower } else { 1.0 };
        let own = if machine == 1.0 { 0.0f64 } else { *o };
        let level = 100.0 * machine * f * own.exp();
        let values = Z.iter().take(n).map(|z| level * (1.0 + 0.002 * z));
        (format!("B{i:02}"), values.collect())
    }))
}

#[test]
fn with_one_baseline_run_a_suite_is_judged_against_its_run_to_run_spread() {
    // The current run is on a machine 8% slower, each benchmark moves by its own +-3%
    // between runs, and B19 is really 30% slower.
    let side = |machine: f64, slower: f64| suite_run(20, machine, slower, 10);
    let c = compare(Some(&side(1.0, 1.0)), &side(1.08, 1.3), &Config::default());
    // 8% is beyond the threshold but within what the machine may do: inconclusive, and it
    // does not fail the gate by default.
    let suite = whole_run(&c, Status::Inconclusive, false);
    assert_eq!((suite.metrics, suite.benchmarks), (20, 20));
    assert!((suite.change - 0.08).abs() < 0.01, "{suite:?}");
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
fn too_few_benchmarks_for_a_suite_say_their_verdicts_rest_on_the_repeats() {
    let rest_on_repeats = |c: &Comparison| -> Vec<String> {
        let said = "decided on each run's repeats, which do not see another machine or another moment: 7 benchmarks are too few for the suite to show how far a benchmark moves between runs (8 would); a history of 4 runs or more (`--store`, the Action's data branch) would confirm it";
        c.results
            .iter()
            .filter(|r| words(&r.note).is_some_and(|w| w.contains(said)))
            .map(|r| r.benchmark.clone())
            .collect()
    };
    // Seven benchmarks, the last 30% slower, the others as they were: the one decided says what
    // its verdict rests on, the unchanged ones say nothing.
    let base = suite_run(7, 1.0, 1.0, 10);
    let c = compare(Some(&base), &suite_run(7, 1.0, 1.3, 10), &Config::default());
    assert_eq!(c.counts.regression, 1, "{:#?}", c.results);
    assert_eq!(rest_on_repeats(&c), ["B06"]);
    // Improvements too: the same runs the other way.
    let c = compare(Some(&suite_run(7, 1.0, 1.3, 10)), &base, &Config::default());
    assert_eq!(c.counts.improvement, 1, "{:#?}", c.results);
    assert_eq!(rest_on_repeats(&c), ["B06"]);
    // Eight benchmarks are a suite, which shows the spread between runs: no such note.
    let c = compare(
        Some(&suite_run(8, 1.0, 1.0, 10)),
        &suite_run(8, 1.25, 1.3, 10),
        &Config::default(),
    );
    assert!(c.suite.is_some());
    assert!(c
        .results
        .iter()
        .all(|r| words(&r.note).is_none_or(|w| !w.contains("decided on each run's repeats"))));
    // Benchstat's test is asked for by name: each metric alone, as benchstat says it.
    let u = Config {
        test: TestChoice::MannWhitney,
        ..Config::default()
    };
    let c = compare(Some(&base), &suite_run(7, 1.0, 1.3, 10), &u);
    assert_eq!(c.counts.regression, 1);
    assert!(rest_on_repeats(&c).is_empty());
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
    whole_run(&c, Status::Regression, true);
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

/// Criterion's terminal output on two runs of `k` benchmarks `B00`...: one `time` value each,
/// with criterion's interval of it (±0.5%, as its 100 samples give on a quiet machine). The
/// baseline run has every benchmark at 100; the current one moves each by its own run-to-run
/// `OWN` (within ±2%), on a `machine` that many times slower, and the last one by `slower`.
fn criterion_text_runs(k: usize, machine: f64, slower: f64) -> (Run, Run) {
    criterion_text_runs_apart(k, machine, slower, 1.0)
}

/// [`criterion_text_runs`] with each benchmark's own move `spread` times as large.
fn criterion_text_runs_apart(k: usize, machine: f64, slower: f64, spread: f64) -> (Run, Run) {
    const OWN: [f64; 20] = [
        0.01, -0.02, 0.015, -0.01, 0.0, 0.02, -0.015, 0.005, -0.005, 0.012, -0.012, 0.018, -0.018,
        0.008, -0.008, 0.003, -0.003, 0.01, -0.01, 0.0,
    ];
    let run = |values: Vec<f64>| {
        let benchmarks = values
            .iter()
            .enumerate()
            .map(|(i, &v)| {
                let mut b = Benchmark::new(format!("B{i:02}"));
                let interval = crate::model::ConfidenceInterval {
                    lo: v * 0.995,
                    hi: v * 1.005,
                    confidence: 0.95,
                };
                b.push(
                    Metric::new("time", Unit::Nanoseconds, Data::Value(v))
                        .with_interval(Some(interval)),
                );
                b
            })
            .collect();
        Run::new(RunMeta::default(), benchmarks)
    };
    let current = OWN
        .iter()
        .take(k)
        .enumerate()
        .map(|(i, own)| {
            let f = if i + 1 == k { slower } else { 1.0 };
            100.0 * machine * f * (spread * own).exp()
        })
        .collect();
    (run(vec![100.0; k]), run(current))
}

#[test]
fn single_values_with_criterions_interval_are_judged_against_their_suite() {
    for k in [8, 12, 20] {
        let (base, cur) = criterion_text_runs(k, 1.0, 1.35);
        let c = compare(Some(&base), &cur, &Config::default());
        let suite = c.suite.clone().unwrap_or_else(|| panic!("{k}: no suite"));
        assert_eq!((suite.metrics, suite.benchmarks), (k, k));
        assert_eq!(suite.status, Status::Unchanged, "{suite:?}");
        assert!(c.results.iter().all(|r| r.method == Method::RunToRun));
        let last = format!("B{:02}", k - 1);
        let slow = c.results.iter().find(|r| r.benchmark == last).unwrap();
        assert_eq!(slow.status, Status::Regression, "{k}: {slow:?}");
        // Tested like samples: a p-value, corrected over the suite, and no "no noise estimate".
        assert!(slow.p_adjusted.is_some_and(|p| p < 0.05), "{slow:?}");
        assert!(words(&slow.note).is_none(), "{:?}", words(&slow.note));
        assert!((slow.change.unwrap() - 0.35).abs() < 0.03, "{slow:?}");
        // The others moved by their own ±2% between runs: nothing.
        for r in c.results.iter().filter(|r| r.benchmark != last) {
            assert_eq!(r.status, Status::Unchanged, "{k}: {r:?}");
            assert!(words(&r.note).is_none(), "{r:?}");
        }
        assert_eq!(c.corrected_over, k);
        assert_eq!(c.verdict, Verdict::Fail);
    }
}

#[test]
fn a_slower_machine_moves_a_criterion_text_suite_without_failing_it() {
    // Everything 8% slower, each benchmark by its own ±2% too: the machine, inconclusive as a
    // whole; the benchmark 35% slower than the rest still is a regression.
    let (base, cur) = criterion_text_runs(10, 1.08, 1.35);
    let c = compare(Some(&base), &cur, &Config::default());
    whole_run(&c, Status::Inconclusive, false);
    assert_eq!(c.counts.regression, 1, "{:#?}", c.results);
    let b09 = c.results.iter().find(|r| r.benchmark == "B09").unwrap();
    assert_eq!(
        (b09.status, b09.method),
        (Status::Regression, Method::RunToRun)
    );
}

#[test]
fn fewer_than_eight_single_values_with_intervals_keep_the_threshold_rule() {
    let (base, cur) = criterion_text_runs(7, 1.0, 1.35);
    let c = compare(Some(&base), &cur, &Config::default());
    assert!(c.suite.is_none());
    assert!(c.results.iter().all(|r| r.method == Method::Threshold));
    // +35% is within `large_change` with no noise estimate: inconclusive, as without intervals.
    let b06 = c.results.iter().find(|r| r.benchmark == "B06").unwrap();
    assert_eq!(b06.status, Status::Inconclusive, "{b06:?}");
    assert_eq!(b06.p_value, None);
    assert!(words(&b06.note)
        .unwrap()
        .starts_with("one value per side and no history: no noise estimate"));
    assert_eq!(c.counts.regression, 0);
    assert_eq!(c.verdict, Verdict::Pass);
    // The same runs without the intervals give the same comparison.
    let strip = |r: &Run| {
        let mut r = r.clone();
        for b in &mut r.benchmarks {
            for m in &mut b.metrics {
                m.interval = None;
            }
        }
        r
    };
    let without = compare(Some(&strip(&base)), &strip(&cur), &Config::default());
    assert_eq!(without.results, c.results);
    assert_eq!(without.verdict, c.verdict);
}

#[test]
fn a_suite_of_intervals_that_shows_no_run_to_run_noise_keeps_the_threshold_rule() {
    // Eight benchmarks that did not move at all but one: no spread between runs, no shift. The
    // intervals alone are too narrow to judge a change by (unchanged reruns move by more), so the
    // threshold decides, as without them.
    let (base, _) = criterion_text_runs(8, 1.0, 1.0);
    let mut cur = base.clone();
    if let Some(Data::Value(v)) = cur.benchmarks.last_mut().map(|b| &mut b.metrics[0].data) {
        *v *= 1.35;
    }
    let c = compare(Some(&base), &cur, &Config::default());
    assert!(c.suite.is_none());
    let b07 = c.results.iter().find(|r| r.benchmark == "B07").unwrap();
    assert_eq!(
        (b07.status, b07.method),
        (Status::Inconclusive, Method::Threshold)
    );
}

#[test]
fn under_mann_whitney_single_values_with_intervals_keep_the_threshold_rule() {
    let (base, cur) = criterion_text_runs(12, 1.0, 1.35);
    let u = Config {
        test: TestChoice::MannWhitney,
        ..Config::default()
    };
    let c = compare(Some(&base), &cur, &u);
    assert!(c.suite.is_none());
    assert!(c.results.iter().all(|r| r.method == Method::Threshold));
    assert_eq!(c.counts.regression, 0);
}

#[test]
fn a_value_far_beyond_large_change_is_decided_though_its_noisy_suite_cannot_confirm_it() {
    // Each benchmark moves by its own ±30% between these runs, and the last one 2.2 times:
    // the suite's spread leaves that not significant, but both intervals are far apart and the
    // change beyond `large_change` against the rest of the suite, as for repeats that all show
    // it.
    let (base, cur) = criterion_text_runs_apart(10, 1.0, 2.2, 15.0);
    let c = compare(Some(&base), &cur, &Config::default());
    assert!(c.suite.is_some());
    let b09 = c.results.iter().find(|r| r.benchmark == "B09").unwrap();
    assert!(b09.p_adjusted.unwrap() > 0.05, "{b09:?}");
    assert_eq!(
        (b09.status, b09.method),
        (Status::Regression, Method::RunToRun)
    );
    assert!(
        matches!(
            b09.note.0.first(),
            Some(Note::EveryRepeat {
                current: 1,
                baseline: 1,
                ..
            })
        ),
        "{b09:?}"
    );
    // One value a side: the words say what was apart, the tool's intervals, not "all 1 values".
    let words = b09.note.0[0].to_string();
    assert!(
        words.starts_with("the tool's confidence intervals of the two values are further apart than the threshold, and a change of +"),
        "{words}"
    );
}

#[test]
fn criterion_values_against_two_baseline_runs_keep_their_intervals_and_their_suite() {
    // Two baseline runs of 8 benchmarks (the second moved by each one's own ±2%), the pull
    // request once (each benchmark its own move the other way) with the last 35% slower. Eight metrics are too few to moderate one value
    // per run, so the runs merge: each value is the runs' geometric mean with the interval of
    // that mean, and the suite judges it as it judges one run's value.
    let (first, second) = criterion_text_runs(8, 1.0, 1.0);
    let (_, cur) = criterion_text_runs_apart(8, 1.0, 1.35, -1.0);
    let baseline = [first, second];
    let merged = crate::compare::pairing::merged_runs(&baseline).unwrap();
    let b00 = merged.benchmarks.first().unwrap().metrics.first().unwrap();
    // B00: 100 and 100 * e^0.01; each interval ±0.5%, so each log half-width ln(1.005/0.995)/2,
    // and the mean's sqrt(2) times that over 2.
    let mean = 100.0 * 0.005f64.exp();
    let Data::Value(v) = b00.data else {
        panic!("{b00:?}")
    };
    assert!((v - mean).abs() < 1e-9, "{v}");
    let half = (1.005f64 / 0.995).ln() / 2.0 * 2f64.sqrt() / 2.0;
    let i = b00.interval.unwrap();
    assert!((i.lo - mean * (-half).exp()).abs() < 1e-9, "{i:?}");
    assert!((i.hi - mean * half.exp()).abs() < 1e-9, "{i:?}");
    assert_eq!(i.confidence, 0.95);

    let c = compare_runs(&baseline, &[cur], true, &Config::default());
    assert!(!c.one_value_per_run);
    let slow = c.results.iter().find(|r| r.benchmark == "B07").unwrap();
    assert_eq!(
        (slow.status, slow.method),
        (Status::Regression, Method::RunToRun),
        "{slow:?}"
    );
    assert_eq!(c.counts.regression, 1, "{:#?}", c.results);
}

#[test]
fn every_repeat_beyond_large_change_is_news_only_beyond_the_suites_spread() {
    // Twenty benchmarks with 10 tight repeats each; between the runs each moved by its own
    // factor, `spread` times `OWN[0]`'s (log), and the last one by another +70%.
    let run = |spread: f64, moved: bool| {
        times(OWN[0].iter().enumerate().map(|(i, o)| {
            let own = if moved { (spread * o).exp() } else { 1.0 };
            let last = if moved && i == 19 { 1.7 } else { 1.0 };
            let level = 100.0 * own * last;
            let values = Z.iter().map(|z| level * (1.0 + 0.002 * z)).collect();
            (format!("B{i:02}"), values)
        }))
    };
    let b19 = |spread: f64| {
        let c = compare(
            Some(&run(spread, false)),
            &run(spread, true),
            &Config::default(),
        );
        let between = c.suite.clone().unwrap().between_cv;
        let r = c
            .results
            .into_iter()
            .find(|r| r.benchmark == "B19")
            .unwrap();
        (r.status, between)
    };
    // Benchmarks that move by about 3% between runs: +70% that every repeat shows is decided.
    let (status, between) = b19(1.0);
    assert_eq!(status, Status::Regression, "{between}");
    // Benchmarks that move by about 30% between runs (a busy machine): +70% is within 3 of the
    // suite's standard deviations, so the test decides, and it cannot tell.
    let (status, between) = b19(12.0);
    assert!(between > 0.15, "{between}");
    assert_eq!(status, Status::Inconclusive, "{between}");
}
