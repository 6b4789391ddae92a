//! The tails of a history's runs, learnt from its own runs.

use super::moderate::times;
use super::*;

/// Runs' machines, 30 of them: every benchmark of a run that many times as slow.
fn machine(r: usize) -> f64 {
    1.0 + 0.03 * Z[(r * 7) % Z.len()]
}

/// Benchmark `i`'s own move in run `r`: about 1% most of the time, and in one run of about
/// nineteen 8% either way (`far`), as real benchmarks move between runs; without `far`, the
/// 1% alone.
fn own(r: usize, i: usize, far: bool) -> f64 {
    let core = 0.01 * Z[(r * 3 + i * 7) % Z.len()];
    let sign = if (r + i) % 2 == 0 { 1.0 } else { -1.0 };
    if far && (r * 7 + i * 11) % 19 == 0 {
        core + 0.08 * sign
    } else {
        core
    }
}

/// Run `r` of 20 benchmarks `B00`...; `moved` names one benchmark and its own move instead.
fn run(r: usize, far: bool, moved: Option<(usize, f64)>) -> Run {
    times((0..20).map(|i| {
        let own = match moved {
            Some((b, m)) if b == i => m,
            _ => own(r, i, far),
        };
        let level = 100.0 * (1.0 + i as f64) * machine(r) * own.exp();
        let values = Z.iter().map(|z| level * (1.0 + 0.002 * z));
        (format!("B{i:02}"), values.collect())
    }))
}

fn history(far: bool) -> Vec<Run> {
    (0..30).map(|r| run(r, far, None)).collect()
}

fn result<'a>(c: &'a Comparison, benchmark: &str) -> &'a MetricResult {
    c.results.iter().find(|r| r.benchmark == benchmark).unwrap()
}

#[test]
fn a_history_whose_runs_lie_far_out_judges_a_value_as_they_lie() {
    // B05 9% slower than its history: as far as the history's own far runs go.
    let current = run(30, true, Some((5, 0.09)));
    let c = compare_history(&history(true), &current, &Config::default());
    assert!(c.machine_taken_out);
    let tails = c
        .history_tails
        .expect("the history's tails are heavier than normal");
    assert!(tails.df <= 4.0, "{tails:?}");
    // 30 runs of 20 metrics, less the 17 far-out ones left out as slow days (beyond 4.5
    // interquartile ranges): the rest still lie farther out than normal.
    assert_eq!((tails.runs, tails.metrics), (583, 20));
    // Every history was judged by its tails, so none by a moderated (normal) interval.
    assert_eq!(c.history_moderation, None);
    let b05 = result(&c, "B05");
    assert_eq!(b05.method, Method::PredictionInterval);
    assert_eq!(b05.status, Status::Inconclusive, "{b05:#?}");
    assert_eq!(c.verdict, Verdict::Pass);

    // The same value against the same history read as normal is a regression: the far runs
    // widen its spread, but not as far as they lie.
    let normal = compare_history(&history(false), &current, &Config::default());
    assert_eq!(normal.history_tails, None);
    assert_eq!(normal.history_moderation.map(|m| m.metrics), Some(20));
    assert_eq!(result(&normal, "B05").status, Status::Regression);
    assert_eq!(normal.verdict, Verdict::Fail);
}

#[test]
fn a_change_beyond_the_historys_tails_still_fails() {
    let current = run(30, true, Some((5, 0.35)));
    let c = compare_history(&history(true), &current, &Config::default());
    assert!(c.history_tails.is_some());
    let tails = c.history_tails.unwrap();
    let b05 = result(&c, "B05");
    assert_eq!(b05.status, Status::Regression, "{b05:#?}");
    let p = b05.p_value.unwrap();
    assert!(p < 0.001, "{p}");
    assert_eq!(c.verdict, Verdict::Fail);
    // The interval shown is the one the value was judged by, from the fitted tails: its
    // half-width is the fitted t's quantile of the spread the value's p-value reads it by.
    let Some(Note::OutsideInterval { interval, above }) = b05.note.0.first() else {
        panic!("{b05:#?}");
    };
    assert!(*above && interval.this_machine, "{interval:?}");
    let center = (interval.lo * interval.hi).sqrt();
    let quantile = crate::stats::student_t_quantile(0.5 + interval.confidence / 2.0, tails.df);
    let spread = (interval.hi / interval.lo).ln() / 2.0 / quantile;
    let t = (b05.current.unwrap().value / center).ln() / spread;
    let read = 2.0 * crate::stats::student_t_cdf(-t, tails.df);
    assert!((read / p - 1.0).abs() < 1e-6, "{read} vs {p}");
}
