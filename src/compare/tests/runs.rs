//! Several runs of a side: one value per run and metric, the t test on the runs.

use super::*;
use crate::compare::assess::assess_runs;
use crate::compare::draft::Draft;
use crate::compare::pairing::{series_of_runs, without_machine};
use crate::compare::settle::{hold_for_one_run, settle, Family};

/// A run of twenty benchmarks `B00`... of 10 repeats each (a little noise within the run),
/// each at `100 * exp(own[i]) * slower(i)`: `own` is each benchmark's own move in this run.
fn run_with(own: &[f64; 20], slower: impl Fn(usize) -> f64) -> Run {
    times(own.iter().enumerate().map(|(i, o)| {
        let level = 100.0 * o.exp() * slower(i);
        (
            format!("B{i:02}"),
            BASE.iter().map(|v| level * v / 100.0).collect(),
        )
    }))
}

/// The rules of the tests: threshold 5%, significance 0.05, 4 samples.
fn rules() -> Rules {
    Rules {
        threshold: 0.05,
        alpha: 0.05,
        min_samples: 4,
        deterministic: false,
        large_change: crate::config::DEFAULT_LARGE_CHANGE,
        latency_floor: crate::config::DEFAULT_LATENCY_FLOOR_NS,
    }
}

/// A metric's draft settled alone (its p-value corrected over nothing else).
fn settled(mut d: Draft) -> MetricResult {
    d.result.p_adjusted = d.result.p_value;
    let family = Family {
        size: usize::from(d.result.p_value.is_some()),
        discoveries: 0,
    };
    settle(d, family)
}

#[test]
fn one_value_a_run_is_tested_by_the_t_test_on_the_runs() {
    // One baseline run's value; the pull request run twice, 10% and 14% slower.
    let (b, c) = (t(&[100.0]), t(&[110.0, 114.0]));
    let d = assess_runs(&b, &c, Direction::LowerIsBetter, &rules());
    // t = mean(ln c) - ln b over sqrt(s^2 (1/1 + 1/2)), s^2 from the two runs of the pull
    // request (1 degree of freedom): t = 0.11317 / 0.030937 = 3.658, and with 1 degree of
    // freedom p = 1 - 2 atan(t) / pi = 0.1700.
    let (shift, diff) = (
        (1.10f64.ln() + 1.14f64.ln()) / 2.0,
        1.14f64.ln() - 1.10f64.ln(),
    );
    let t_value = shift / (diff * diff / 2.0 * 1.5).sqrt();
    let p = 1.0 - 2.0 * t_value.atan() / std::f64::consts::PI;
    assert!((p - 0.1700).abs() < 5e-4, "{p}");
    assert_eq!(d.result.method, Method::ModeratedT);
    assert!(
        (d.result.p_value.unwrap() - p).abs() < 1e-9,
        "{:?}",
        d.result
    );
    assert!((d.result.change.unwrap() - shift.exp_m1()).abs() < 1e-9);
    // Runs are not repeats: one against two is tested, and +12% that two runs cannot tell from
    // the noise between them is inconclusive, with how many runs would decide it.
    let r = settled(d);
    assert_eq!((r.baseline.unwrap().n, r.current.unwrap().n), (1, 2));
    assert_eq!(r.status, Status::Inconclusive);
    let said = words(&r.note).unwrap();
    assert!(
        said.contains("about 3 runs per side would likely decide it"),
        "{said}"
    );
}

#[test]
fn beyond_large_change_but_within_what_the_runs_move_the_test_decides() {
    // Two baseline runs 30% apart and the pull request's one run beyond both, +64% against
    // their geometric mean: every value shows it, beyond `large_change` (40%), but the runs show
    // the metric moves that far between them (3 standard errors of the change: ln 1.3 / sqrt 2
    // per run, times sqrt(1/2 + 1/1), is 0.68; the change's log is 0.50). As busy Go's
    // `SHA256_1KB` did, unchanged: 4.71 and 3.80 us, then 6.10.
    let (b, c) = (t(&[100.0, 130.0]), t(&[187.0]));
    let r = settled(assess_runs(&b, &c, Direction::LowerIsBetter, &rules()));
    assert!((r.change.unwrap() - 187.0 / 130f64.sqrt() / 10.0 + 1.0).abs() < 1e-9);
    assert_eq!(r.status, Status::Inconclusive, "{r:?}");
    assert!(words(&r.note)
        .unwrap()
        .contains("not statistically significant"));
    // Runs 10% apart: +57% is beyond 3 standard errors (0.25 against its log, 0.45), every
    // value shows it, and it is decided, although the t test on two runs against one (1 degree
    // of freedom: t = 5.5, p = 0.11) cannot.
    let (b, c) = (t(&[100.0, 110.0]), t(&[165.0]));
    let d = assess_runs(&b, &c, Direction::LowerIsBetter, &rules());
    assert!(d.result.p_value.unwrap() > 0.1, "{:?}", d.result.p_value);
    let r = settled(d);
    assert_eq!(r.status, Status::Regression, "{r:?}");
    assert!(
        matches!(r.note.0.first(), Some(Note::EveryRepeat { .. })),
        "{:?}",
        r.note
    );
}

#[test]
fn beyond_large_change_every_repeat_of_every_run_must_show_it() {
    // Two baseline runs 10% apart and one current run 81% slower than their geometric mean:
    // beyond `large_change` and beyond 3 standard errors of what the runs move, but the t test
    // on two runs against one (1 degree of freedom) cannot decide it (p = 0.09).
    let with = |values: &[f64], repeats: &[(f64, f64)]| Series {
        repeats: repeats.to_vec(),
        ..t(values)
    };
    let b = with(&[100.0, 110.0], &[(95.0, 104.0), (104.0, 115.0)]);
    let judge = |c: &Series| settled(assess_runs(&b, c, Direction::LowerIsBetter, &rules()));
    // Every repeat of the current run slower than every baseline repeat: decided.
    let r = judge(&with(&[190.0], &[(180.0, 200.0)]));
    assert_eq!(r.status, Status::Regression, "{r:?}");
    assert!(matches!(
        r.note.0.first(),
        Some(Note::EveryRepeat {
            current: 1,
            baseline: 2,
            of: Shown::RunsRepeats,
            ..
        })
    ));
    // The words say what was read: every repeat of every run, and the runs' spread.
    assert_eq!(
        words(&r.note).unwrap(),
        "every repeat of the current run is beyond every repeat of the 2 baseline runs, and a \
         change of +81.2% is beyond 40% (`large_change`), which reruns of unchanged code seldom reach and the \
         runs' own spread does not explain"
    );
    // Its fastest repeats as fast as the baseline's (busy Go's `StrconvItoa` in run3: 7 of 10
    // repeats 109-136 ns, 3 at 58-62 ns, against runs of 58 and 56 ns): the median moved as a
    // neighbour moves it, not every repeat. The test decides: inconclusive.
    let r = judge(&with(&[190.0], &[(101.0, 200.0)]));
    assert_eq!(r.status, Status::Inconclusive, "{r:?}");
    // So too where the runs gave the same values (no spread for the t test): every repeat of
    // every run decides, not the run values.
    let same = with(&[100.0, 100.0], &[(95.0, 104.0), (96.0, 105.0)]);
    let on_same = |c: &Series| settled(assess_runs(&same, c, Direction::LowerIsBetter, &rules()));
    let r = on_same(&with(&[190.0, 190.0], &[(180.0, 200.0), (185.0, 195.0)]));
    assert_eq!(r.status, Status::Regression, "{r:?}");
    let r = on_same(&with(&[190.0, 190.0], &[(101.0, 200.0), (185.0, 195.0)]));
    assert_eq!(r.status, Status::Inconclusive, "{r:?}");
    // Without the runs' repeats (one value per run, as a load test's statistics), the run
    // values decide as before.
    let r = settled(assess_runs(
        &t(&[100.0, 110.0]),
        &t(&[190.0]),
        Direction::LowerIsBetter,
        &rules(),
    ));
    assert_eq!(r.status, Status::Regression, "{r:?}");
    assert!(
        words(&r.note)
            .unwrap()
            .starts_with("the current run is beyond all 2 baseline runs, and a change of +81.2%"),
        "{:?}",
        r.note
    );
}

#[test]
fn the_few_slowest_requests_are_not_gated_by_a_few_runs_either() {
    // A load test's `max`, 5x in both runs of the pull request: the spread of three runs does
    // not show how far a run's slowest request moves (autocannon's unchanged busy reruns: +1243%).
    let (b, c) = (
        s("max", Unit::Nanoseconds, &[2.0e6]),
        s("max", Unit::Nanoseconds, &[10.0e6, 10.2e6]),
    );
    let r = settled(assess_runs(&b, &c, Direction::LowerIsBetter, &rules()));
    assert_eq!(
        (r.method, r.status),
        (Method::Threshold, Status::Inconclusive)
    );
    assert_eq!((r.baseline.unwrap().n, r.current.unwrap().n), (1, 2));
    assert_eq!(r.current.unwrap().value, 10.1e6);
    assert_eq!(
        words(&r.note).unwrap(),
        "one value per run, 1 baseline run against 2 current runs; `max` rests on the run's few slowest or fastest requests: not gated by a few runs a side (+405.0% here)"
    );
    // A percentile that many requests make is tested.
    let (b, c) = (
        s("p(95)", Unit::Nanoseconds, &[2.0e6]),
        s("p(95)", Unit::Nanoseconds, &[10.0e6, 10.2e6]),
    );
    let r = settled(assess_runs(&b, &c, Direction::LowerIsBetter, &rules()));
    assert_eq!(r.method, Method::ModeratedT);
}

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
    // Baseline files of two runs merge as well: twenty repeats a side.
    let r = compare_runs(&[b.clone(), b], &c, true, &Config::default());
    assert!(!r.one_value_per_run);
    let m = r.results.first().unwrap();
    assert_eq!((m.baseline.unwrap().n, m.current.unwrap().n), (20, 20));
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
    // The benchmarks' own moves between runs (`OWN`, a few percent) show as spread between the
    // runs: each metric is judged against the suite, and nothing changed.
    assert_eq!(m.method, Method::RunToRun);
    assert!(c.suite.is_some());
    assert!(c.results.iter().all(|r| r.status == Status::Unchanged));
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
    assert_eq!(regressions(&c), ["B19"], "{:#?}", c.results);
}

/// The benchmarks of a comparison's regressions.
fn regressions(c: &Comparison) -> Vec<&str> {
    c.results
        .iter()
        .filter(|r| r.status == Status::Regression)
        .map(|r| r.benchmark.as_str())
        .collect()
}

#[test]
fn the_machine_of_each_run_is_taken_out_of_the_runs_spread() {
    // The second run's machine is 10% slower: every benchmark moved by it, B07 by 30% more.
    let rows = |f: &dyn Fn(usize) -> f64| -> Run {
        times((0..8).map(|i| (format!("B{i}"), vec![100.0 * (i + 1) as f64 * f(i)])))
    };
    let first = rows(&|_| 1.0);
    let second = rows(&|i| if i == 7 { 1.1 * 1.3 } else { 1.1 });
    let mut series = series_of_runs(&[&first, &second]);
    assert!(without_machine(&mut series, 2));
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
    assert!(!without_machine(&mut few, 2));
    assert_eq!(few, before);
}

#[test]
fn baseline_files_of_several_runs_are_one_side_of_several_values() {
    // Two baseline runs of one commit, and the pull request run once with B19 30% slower: the
    // baseline's two runs give the noise between runs.
    let c = compare_runs(
        &[run_with(&OWN[0], |_| 1.0), run_with(&OWN[1], |_| 1.0)],
        &[run_with(&OWN[2], |i| if i == 19 { 1.3 } else { 1.0 })],
        true,
        &Config::default(),
    );
    assert!(c.one_value_per_run);
    assert_eq!((c.baseline_runs, c.current_runs), (2, 1));
    let m = c.results.iter().find(|r| r.benchmark == "B00").unwrap();
    assert_eq!((m.baseline.unwrap().n, m.current.unwrap().n), (2, 1));
    let regressions: Vec<&str> = c
        .results
        .iter()
        .filter(|r| r.status == Status::Regression)
        .map(|r| r.benchmark.as_str())
        .collect();
    assert_eq!(regressions, ["B19"], "{:#?}", c.results);
    // A store's history of the same two runs is a history: the current run is one run.
    let h = compare_runs(
        &[run_with(&OWN[0], |_| 1.0), run_with(&OWN[1], |_| 1.0)],
        &[run_with(&OWN[2], |i| if i == 19 { 1.3 } else { 1.0 })],
        false,
        &Config::default(),
    );
    assert!(!h.one_value_per_run);
}

#[test]
fn a_latency_within_the_floor_in_every_run_is_not_gated_by_a_few_runs() {
    // k6's `http_req_blocked` `avg` in three unchanged quiet runs: 25 µs, then 72 and 85 µs
    // (one and three 1-second SYN retries among 50,000 requests). Two runs that agree by chance
    // are no noise estimate for that: within the 1 ms floor on every run, it is no change.
    let (b, c) = (
        s("avg", Unit::Nanoseconds, &[24_560.0]),
        s("avg", Unit::Nanoseconds, &[71_640.0, 85_240.0]),
    );
    let r = settled(assess_runs(&b, &c, Direction::LowerIsBetter, &rules()));
    assert_eq!((r.method, r.status), (Method::Threshold, Status::Unchanged));
    assert_eq!((r.baseline.unwrap().n, r.current.unwrap().n), (1, 2));
    assert!(
        words(&r.note)
            .unwrap()
            .contains("is within the 1.00 ms latency floor (`latency_floor`): no change worth a red build without a noise estimate"),
        "{:?}",
        words(&r.note)
    );
    // A run beyond the floor: tested (wrk's and oha's `p(50)`, 1.4 ms, rose 0.55 ms in the
    // quiet reruns' slowdown, which the t test on the runs catches).
    let (b, c) = (
        s("p(50)", Unit::Nanoseconds, &[1.40e6, 1.42e6]),
        s("p(50)", Unit::Nanoseconds, &[1.95e6]),
    );
    let r = settled(assess_runs(&b, &c, Direction::LowerIsBetter, &rules()));
    assert_eq!(
        (r.method, r.status),
        (Method::ModeratedT, Status::Regression)
    );
    // A configured floor of zero gates every latency.
    let zero = Rules {
        latency_floor: 0.0,
        ..rules()
    };
    let (b, c) = (
        s("avg", Unit::Nanoseconds, &[24_560.0]),
        s("avg", Unit::Nanoseconds, &[71_640.0, 85_240.0]),
    );
    let r = settled(assess_runs(&b, &c, Direction::LowerIsBetter, &zero));
    assert_eq!(r.method, Method::ModeratedT);
}

/// Each benchmark's own move in run `k` of a history: a few percent, different in every run.
fn own_in_run(k: usize) -> [f64; 20] {
    std::array::from_fn(|i| 0.006 * (((k * 7 + i * 13) % 11) as f64 - 5.0))
}

#[test]
fn with_a_history_a_change_one_pull_request_run_alone_shows_is_held_back() {
    let history: Vec<Run> = (0..12).map(|k| run_with(&own_in_run(k), |_| 1.0)).collect();
    // A neighbour slowed B00-B03 by 25% in the pull request's first run; the second was left
    // alone. Judged by the median of the two (+12%), they are beyond the history's interval.
    let neighbour = run_with(&own_in_run(12), |i| if i < 4 { 1.25 } else { 1.0 });
    let calm = run_with(&own_in_run(13), |_| 1.0);
    let c = compare_runs(&history, &[neighbour, calm], false, &Config::default());
    assert!(c.one_value_per_run);
    assert_eq!(c.verdict, Verdict::Pass, "{:#?}", c.results);
    let held: Vec<&MetricResult> = c
        .results
        .iter()
        .filter(|r| matches!(r.note.0.as_slice(), [Note::HeldForOneRun { .. }]))
        .collect();
    let names: Vec<&str> = held.iter().map(|r| r.benchmark.as_str()).collect();
    assert_eq!(names, ["B00", "B01", "B02", "B03"], "{:#?}", c.results);
    let b00 = held.first().unwrap();
    assert_eq!(b00.method, Method::PredictionInterval);
    assert_eq!(b00.status, Status::Inconclusive);
    // B00 in the calm run against the history's level, each run's machine taken out: +0.3%.
    let said = words(&b00.note).unwrap();
    assert_eq!(
        said,
        "not every run of the pull request shows it: without the one of its 2 runs that moved most, the rest do not show it beyond the threshold (+0.3% here); one run alone can be that run's noise (a busy neighbour on the machine), not the code: run it again to decide"
    );
    // The same change in both runs is a regression.
    let slower = |i: usize| if i < 4 { 1.25 } else { 1.0 };
    let c = compare_runs(
        &history,
        &[
            run_with(&own_in_run(12), slower),
            run_with(&own_in_run(13), slower),
        ],
        false,
        &Config::default(),
    );
    assert_eq!(
        regressions(&c),
        ["B00", "B01", "B02", "B03"],
        "{:#?}",
        c.results
    );
    assert_eq!(c.verdict, Verdict::Fail);
}

/// The pull request's `runs` of a time settled against `base`, then said to be a regression.
fn a_regression_of(base: &Series, runs: &[f64]) -> MetricResult {
    let mut r = settled(assess_runs(
        base,
        &t(runs),
        Direction::LowerIsBetter,
        &rules(),
    ));
    r.status = Status::Regression;
    r
}

/// The change a held result's note quotes, for `runs` runs.
fn held_change(r: &MetricResult, runs: usize) -> f64 {
    assert_eq!(r.status, Status::Inconclusive);
    match r.note.0.as_slice() {
        [Note::HeldForOneRun {
            runs: n,
            change: Some(change),
        }] if *n == runs => *change,
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_change_holds_only_without_the_run_that_shows_it_most() {
    // Five baseline runs, three of the pull request: one 30% slower, two 28% and 27% slower.
    let base = t(&[100.0, 101.0, 99.0, 100.5, 99.5]);
    let runs = [130.0, 128.0, 127.0];
    let mut r = settled(assess_runs(
        &base,
        &t(&runs),
        Direction::LowerIsBetter,
        &rules(),
    ));
    assert_eq!(r.status, Status::Regression);
    // Without the 130: the median of 128 and 127 (their geometric mean), +27.5%: it holds.
    assert!(!hold_for_one_run(&mut r, &runs, 1.0));
    assert_eq!(r.status, Status::Regression);
    // One run 30% slower, two as before: without it, +0.5% (the geometric mean of 100 and 101).
    let runs = [130.0, 100.0, 101.0];
    let mut r = a_regression_of(&base, &runs);
    assert!(hold_for_one_run(&mut r, &runs, 1.0));
    let expected = (100.0f64 * 101.0).sqrt() / 100.0 - 1.0;
    assert!((held_change(&r, 3) - expected).abs() < 1e-12);
    // A rate that rose in one run alone (higher is better): the run left out is the highest.
    let rate = |v: &[f64]| s("throughput", Unit::PerSecond, v);
    let runs = [1300.0, 1010.0];
    let mut r = settled(assess_runs(
        &rate(&[1000.0, 1010.0, 990.0, 1005.0, 995.0]),
        &rate(&runs),
        Direction::HigherIsBetter,
        &rules(),
    ));
    r.status = Status::Improvement;
    assert!(hold_for_one_run(&mut r, &runs, 1.0));
    assert!((held_change(&r, 2) - 0.01).abs() < 1e-12);
    // One run is no pull request run several times.
    let mut r = a_regression_of(&base, &[130.0]);
    assert!(!hold_for_one_run(&mut r, &[130.0], 1.0));
}

#[test]
fn judged_against_its_suite_the_other_runs_are_too() {
    // The whole run 10% slower than the baseline run, B 132 and 112 in the pull request's two
    // runs against 100: against the suite, without the 132 run B is 112 / 110, +1.8%.
    let base = t(&[100.0, 101.0, 99.0, 100.5, 99.5]);
    let runs = [132.0, 112.0];
    let mut r = a_regression_of(&base, &runs);
    assert!(hold_for_one_run(&mut r, &runs, 1.1));
    assert!((held_change(&r, 2) - (112.0 / 110.0 - 1.0)).abs() < 1e-12);
    // 132 and 125: without the 132 run, +13.6% beyond the whole run's shift. It holds.
    let runs = [132.0, 125.0];
    let mut r = a_regression_of(&base, &runs);
    assert!(!hold_for_one_run(&mut r, &runs, 1.1));
    assert_eq!(r.status, Status::Regression);
    // Against the baseline run alone (no suite), 112 is +12%: that holds too.
    assert!(!hold_for_one_run(&mut r, &[132.0, 112.0], 1.0));
    // A suite-wide shift that could not be worked out: nothing is held.
    assert!(!hold_for_one_run(&mut r, &[132.0, 112.0], f64::NAN));
}

#[test]
fn merged_runs_count_the_baseline_runs_and_are_not_one_runs_repeats() {
    // Three benchmarks, two runs a side: too few metrics to compare by run values, so each side's
    // runs are merged; their pooled repeats are of two runs, not one run's.
    let side = |slower: f64| vec![super::suite::suite_run(3, 1.0, slower, 10); 2];
    let c = compare_runs(&side(1.0), &side(1.3), true, &Config::default());
    assert!(!c.one_value_per_run);
    assert_eq!((c.baseline_runs, c.current_runs), (2, 2));
    assert_eq!(c.counts.regression, 1, "{:#?}", c.results);
    assert!(c
        .results
        .iter()
        .all(|r| words(&r.note).is_none_or(|w| !w.contains("decided on each run's repeats"))));
}

/// Too few metrics to compare by one value per run (fewer than 10), the runs of a side are
/// merged, their repeats pooled: a change one run of the pull request shows and the other does
/// not was a regression on the pooled repeats (busy criterion run twice: `sort_100k` +17.6%, of
/// which run2 showed nothing). It must hold without the run that shows it most, as with one value
/// per run; shown by both, it does.
#[test]
fn merged_runs_hold_a_change_one_run_alone_shows() {
    let at = |level: f64| BASE.iter().map(|v| level * v / 100.0).collect::<Vec<f64>>();
    let run = |a: f64| {
        times([
            ("A".to_string(), at(100.0 * a)),
            ("B".to_string(), at(200.0)),
            ("C".to_string(), at(300.0)),
        ])
    };
    let baseline = [run(1.0)];
    let c = compare_runs(&baseline, &[run(1.04), run(1.6)], false, &Config::default());
    assert!(!c.one_value_per_run, "merged: {c:#?}");
    let a = c.results.iter().find(|r| r.benchmark == "A").unwrap();
    assert_eq!(a.status, Status::Inconclusive, "{a:#?}");
    assert_eq!(
        words(&a.note).unwrap(),
        "not every run of the pull request shows it: without the one of its 2 runs that moved most, the rest do not show it beyond the threshold (+4.0% here); one run alone can be that run's noise (a busy neighbour on the machine), not the code: run it again to decide"
    );
    assert_eq!(c.verdict, Verdict::Pass);
    let c = compare_runs(&baseline, &[run(1.25), run(1.3)], false, &Config::default());
    let a = c.results.iter().find(|r| r.benchmark == "A").unwrap();
    assert_eq!(a.status, Status::Regression, "{a:#?}");
    assert_eq!(c.verdict, Verdict::Fail);
}
