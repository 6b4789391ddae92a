//! Property-based tests of `perfgate::stats` with `proptest`: laws that every input must obey,
//! as opposed to the reference values the unit tests check.
//!
//! - Mann-Whitney U: p is a probability, the same with the samples swapped (and `U1 + U2 =
//!   n1 n2`), unchanged by a strictly increasing transform of all values (a rank test), never below
//!   [`min_achievable_p`] in the exact range, and equal to it when one sample lies above the other.
//! - Hodges-Lehmann: the estimate lies in its interval; shifting `y` by `c` shifts everything by
//!   `c`; swapping the samples negates and swaps; a higher confidence gives a wider interval.
//! - `ratio_change`: scaling `y` by `k` scales `1 + change` by `k`; swapping inverts the ratio.
//! - Benjamini-Hochberg: bounded, not below the raw p-values, order-preserving, permutation
//!   invariant, its smallest value `min_k m p_(k) / k` and its largest the largest raw p-value.
//! - Student's t: the quantile inverts the CDF, the CDF is symmetric and monotone.
//! - Prediction intervals: the centre lies inside, a higher confidence widens, scaling the history
//!   scales the interval, and the p-value is largest at the centre and falls outside.
//! - Level shifts: found in order, at least two runs apart, unchanged by the unit (scaling every
//!   value); residuals sum to zero within each level; without a shift the level interval is the
//!   plain one; a step far beyond the noise is found where it is and the interval follows it.
//! - Moderated t: the prior exists and is positive for any run of usable metrics; p is a
//!   probability consistent with the interval; swapping a metric's samples mirrors its test;
//!   scaling every value leaves the test unchanged; the posterior variance and degrees of freedom
//!   lie between the metric's own and the prior's.
//! - Summaries and power: the median lies within the data and its interval, quantiles grow with
//!   `q`, `pooled_log_sd` is the textbook pooled estimate, more noise needs more repeats.
//! - Verdicts: a benchmark's time and its reciprocal (a throughput) get the same verdict, with
//!   samples or single values, at any threshold (the threshold is a ratio, the same both ways).
//! - The whole comparison, one baseline run (suite rule, moderation, single values) or a history
//!   (prediction intervals, levels, machines taken out): swapping the runs mirrors every verdict,
//!   and neither the benchmarks' order, the repeats' order nor a common scale decides anything.
//! - No public function panics on arbitrary floats (NaN, infinities, zeros, subnormals, negatives,
//!   empty samples), and each returns `None`, an error or NaN where its documentation says so.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use perfgate::compare::{compare, compare_history, decide, Series, Status};
use perfgate::config::Config;
use perfgate::model::{Benchmark, Data, Direction, Metric, Run, RunMeta, Unit};
use perfgate::stats::{
    benjamini_hochberg, fit_variance_prior, hodges_lehmann, level_prediction_interval,
    level_residuals, level_shifts, log_prediction_interval, log_two_sample, mann_whitney_u, mean,
    median, median_ci, min_achievable_p, moderated_t, pooled_log_sd, quantile, ratio_change,
    repeats_per_side, student_t_cdf, student_t_quantile, LogTwoSample, StatsError, VariancePrior,
};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;

/// Few enough cases that the whole file runs in a few seconds in a debug build; a
/// `PROPTEST_CASES` environment variable overrides them all (for a longer hunt).
fn cases(n: u32) -> ProptestConfig {
    let config = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_some() {
        config
    } else {
        ProptestConfig { cases: n, ..config }
    }
}

/// `|a - b| <= rel * max(1, |a|, |b|, scale)`; equal infinities are close.
fn close(a: f64, b: f64, rel: f64, scale: f64) -> bool {
    a == b || (a - b).abs() <= rel * a.abs().max(b.abs()).max(scale).max(1.0)
}

/// `|a - b| <= rel * max(|a|, |b|)`, for positive quantities of any magnitude.
fn close_rel(a: f64, b: f64, rel: f64) -> bool {
    a == b || (a - b).abs() <= rel * a.abs().max(b.abs())
}

fn max_abs(values: &[f64]) -> f64 {
    values.iter().fold(0.0, |m, v| m.max(v.abs()))
}

/// Two samples of sizes in `sizes` whose pooled values are all distinct: cumulative positive
/// steps from a random start, shuffled and split.
fn distinct_pair(
    sizes: std::ops::RangeInclusive<usize>,
) -> impl Strategy<Value = (Vec<f64>, Vec<f64>)> {
    (sizes.clone(), sizes).prop_flat_map(|(n1, n2)| {
        (1.0..100.0_f64, vec(0.01..10.0_f64, n1 + n2))
            .prop_map(|(start, steps)| {
                steps
                    .iter()
                    .scan(start, |acc, s| {
                        *acc += s;
                        Some(*acc)
                    })
                    .collect::<Vec<f64>>()
            })
            .prop_shuffle()
            .prop_map(move |pooled| {
                let (x, y) = pooled.split_at(n1);
                (x.to_vec(), y.to_vec())
            })
    })
}

/// Two samples of small positive integers: ties within and across the samples are common.
fn tied_pair(
    sizes: std::ops::RangeInclusive<usize>,
) -> impl Strategy<Value = (Vec<f64>, Vec<f64>)> {
    let value = (1_u8..=6).prop_map(f64::from);
    (vec(value.clone(), sizes.clone()), vec(value, sizes))
}

/// Positive samples on a realistic multiplicative scale: `base * exp(noise)`.
fn lognormalish(n: std::ops::RangeInclusive<usize>) -> impl Strategy<Value = Vec<f64>> {
    (1.0..1e5_f64, 0.001..0.5_f64, vec(-1.0..1.0_f64, n)).prop_map(|(base, spread, noise)| {
        noise
            .iter()
            .map(|z| base * (spread * z).exp())
            .collect::<Vec<f64>>()
    })
}

/// A history of positive values: arbitrary, multiplicative noise, or flat.
fn history() -> impl Strategy<Value = Vec<f64>> {
    prop_oneof![
        vec(1.0..1e6_f64, 2..=30),
        lognormalish(2..=30),
        (1.0..1e6_f64, 2_usize..=30).prop_map(|(v, n)| vec![v; n]),
    ]
}

/// One metric of a run: a baseline and a candidate sample with n1 + n2 >= 3, both positive.
fn metric() -> impl Strategy<Value = (Vec<f64>, Vec<f64>)> {
    (
        1_usize..=6,
        1_usize..=6,
        1.0..1e5_f64,
        0.001..0.3_f64,
        -0.3..0.3_f64,
    )
        .prop_filter("n1 + n2 >= 3", |(n1, n2, ..)| n1 + n2 >= 3)
        .prop_flat_map(|(n1, n2, base, spread, shift)| {
            (vec(-1.0..1.0_f64, n1), vec(-1.0..1.0_f64, n2)).prop_map(move |(zx, zy)| {
                let x = zx.iter().map(|z| base * (spread * z).exp()).collect();
                let y = zy
                    .iter()
                    .map(|z| base * (shift + spread * z).exp())
                    .collect();
                (x, y)
            })
        })
}

/// Any float, with the awkward ones and small integers (for ties) more often than chance.
fn wild() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => prop::num::f64::ANY,
        2 => select(vec![
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            0.0,
            -0.0,
            5e-324,
            f64::MIN_POSITIVE,
            1e-300,
            1e300,
            f64::MAX,
            f64::MIN,
            0.5,
            0.95,
        ]),
        3 => (-3_i8..=3).prop_map(f64::from),
    ]
}

fn wild_vec(max: usize) -> impl Strategy<Value = Vec<f64>> {
    vec(wild(), 0..=max)
}

fn positive_finite(values: &[f64]) -> bool {
    values.iter().all(|v| v.is_finite() && *v > 0.0)
}

// ---------------------------------------------------------------------------------------------
// 1. Mann-Whitney U
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(cases(192))]

    #[test]
    fn u_test_p_is_a_probability_and_symmetric(
        (x, y) in prop_oneof![distinct_pair(1..=20), tied_pair(1..=30)]
    ) {
        let all_equal = x.iter().chain(&y).all(|v| *v == x[0]);
        match (mann_whitney_u(&x, &y), mann_whitney_u(&y, &x)) {
            (Ok(a), Ok(b)) => {
                prop_assert!(!all_equal);
                prop_assert!((0.0..=1.0).contains(&a.p), "p = {}", a.p);
                // Exact branch: bit-identical; normal approximation: up to rounding of 1 - Phi.
                prop_assert!((a.p - b.p).abs() <= 1e-12, "{} vs {}", a.p, b.p);
                prop_assert_eq!(a.u + b.u, (x.len() * y.len()) as f64);
            }
            (Err(StatsError::SamplesEqual), Err(StatsError::SamplesEqual)) => {
                prop_assert!(all_equal);
            }
            other => prop_assert!(false, "unexpected {:?}", other),
        }
    }

    #[test]
    fn u_test_depends_on_ranks_only(
        (x, y) in prop_oneof![distinct_pair(1..=20), tied_pair(1..=30)]
    ) {
        let base = mann_whitney_u(&x, &y);
        let affine = |v: &Vec<f64>| v.iter().map(|a| 3.0 * a + 7.0).collect::<Vec<f64>>();
        let log = |v: &Vec<f64>| v.iter().map(|a| a.ln()).collect::<Vec<f64>>();
        prop_assert_eq!(mann_whitney_u(&affine(&x), &affine(&y)), base.clone());
        prop_assert_eq!(mann_whitney_u(&log(&x), &log(&y)), base);
    }

    #[test]
    fn u_test_p_is_never_below_the_minimum_achievable(
        (x, y) in prop_oneof![distinct_pair(1..=20), tied_pair(1..=25)]
    ) {
        // Both sizes are within the exact range (with or without ties): the observed placement
        // itself is one of the C(n1 + n2, n1) placements counted in the tail.
        if let Ok(t) = mann_whitney_u(&x, &y) {
            let floor = min_achievable_p(x.len(), y.len());
            prop_assert!(t.p >= floor * (1.0 - 1e-12), "p = {} < {floor}", t.p);
        }
    }

    #[test]
    fn u_test_separated_samples_reach_the_minimum_p((x, y) in distinct_pair(1..=20)) {
        let max_x = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let min_y = y.iter().copied().fold(f64::INFINITY, f64::min);
        let above: Vec<f64> = y.iter().map(|v| v + (max_x - min_y) + 1.0).collect();
        let t = mann_whitney_u(&x, &above).unwrap();
        let floor = min_achievable_p(x.len(), y.len());
        prop_assert_eq!(t.u, 0.0);
        prop_assert!(t.p <= floor * (1.0 + 1e-12), "p = {} > {floor}", t.p);
        prop_assert!(close_rel(t.p, floor, 1e-12), "p = {} != {floor}", t.p);
        // And the mirror image.
        let t = mann_whitney_u(&above, &x).unwrap();
        prop_assert_eq!(t.u, (x.len() * y.len()) as f64);
        prop_assert!(close_rel(t.p, floor, 1e-12), "p = {} != {floor}", t.p);
    }

    #[test]
    fn min_achievable_p_never_panics_on_huge_sizes(n1 in any::<usize>(), n2 in any::<usize>()) {
        let p = min_achievable_p(n1, n2);
        prop_assert!((0.0..=1.0).contains(&p), "{p}");
    }

    #[test]
    fn min_achievable_p_is_symmetric_bounded_and_falls_with_more_data(
        n1 in 0_usize..2000,
        n2 in 0_usize..2000,
    ) {
        let p = min_achievable_p(n1, n2);
        prop_assert!((0.0..=1.0).contains(&p), "{p}");
        prop_assert_eq!(p, min_achievable_p(n2, n1));
        prop_assert!(min_achievable_p(n1 + 1, n2) <= p);
        prop_assert!(min_achievable_p(n1, n2 + 1) <= p);
        if n1 == 0 || n2 == 0 {
            prop_assert_eq!(p, 1.0);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 2-3. Hodges-Lehmann shift and ratio change
// ---------------------------------------------------------------------------------------------

/// Samples for the Hodges-Lehmann interval at 0.90..0.99: at least five values each, distinct
/// (the exact interval) or small integers with ties (R's asymptotic interval).
fn hl_pair() -> impl Strategy<Value = (Vec<f64>, Vec<f64>)> {
    prop_oneof![distinct_pair(5..=25), tied_pair(5..=25)]
}

proptest! {
    #![proptest_config(cases(192))]

    #[test]
    fn hodges_lehmann_estimate_lies_in_its_interval(
        (x, y) in hl_pair(),
        confidence in 0.8..0.99_f64,
    ) {
        let s = hodges_lehmann(&x, &y, confidence).unwrap();
        prop_assert!(s.lo <= s.estimate && s.estimate <= s.hi, "{s:?}");
    }

    #[test]
    fn hodges_lehmann_follows_a_shift_of_y(
        (x, y, c) in prop_oneof![
            // Continuous values and shift: equal up to rounding.
            (distinct_pair(5..=25), -1e3..1e3_f64).prop_map(|((x, y), c)| (x, y, c)),
            // Integers in x, half-integers in y, an integer shift: ties within the samples
            // (the asymptotic branch) but never across them, whatever the shift.
            (tied_pair(5..=25), -1000_i32..1000).prop_map(|((x, y), c)| {
                (x, y.iter().map(|v| v + 0.5).collect(), f64::from(c))
            }),
        ],
    ) {
        let shifted: Vec<f64> = y.iter().map(|v| v + c).collect();
        let a = hodges_lehmann(&x, &y, 0.95).unwrap();
        let b = hodges_lehmann(&x, &shifted, 0.95).unwrap();
        let scale = max_abs(&x).max(max_abs(&shifted)).max(c.abs());
        prop_assert!(close(b.estimate, a.estimate + c, 1e-9, scale), "{a:?} + {c} -> {b:?}");
        prop_assert!(close(b.lo, a.lo + c, 1e-9, scale), "{a:?} + {c} -> {b:?}");
        prop_assert!(close(b.hi, a.hi + c, 1e-9, scale), "{a:?} + {c} -> {b:?}");
    }

    #[test]
    fn hodges_lehmann_swapping_the_samples_negates(
        (x, y) in hl_pair(),
        confidence in 0.8..0.99_f64,
    ) {
        let a = hodges_lehmann(&x, &y, confidence).unwrap();
        let b = hodges_lehmann(&y, &x, confidence).unwrap();
        prop_assert_eq!((b.estimate, b.lo, b.hi), (-a.estimate, -a.hi, -a.lo));
    }

    #[test]
    fn hodges_lehmann_interval_widens_with_confidence((x, y) in hl_pair()) {
        let narrow = hodges_lehmann(&x, &y, 0.90).unwrap();
        let mid = hodges_lehmann(&x, &y, 0.95).unwrap();
        let wide = hodges_lehmann(&x, &y, 0.99).unwrap();
        prop_assert!(wide.lo <= mid.lo && mid.lo <= narrow.lo, "{narrow:?} {mid:?} {wide:?}");
        prop_assert!(narrow.hi <= mid.hi && mid.hi <= wide.hi, "{narrow:?} {mid:?} {wide:?}");
        prop_assert_eq!(narrow.estimate, wide.estimate);
    }

    #[test]
    fn ratio_change_scales_with_y(
        x in vec(1.0..1e6_f64, 5..=20),
        y in vec(1.0..1e6_f64, 5..=20),
        k in 0.01..100.0_f64,
    ) {
        let scaled: Vec<f64> = y.iter().map(|v| v * k).collect();
        let a = ratio_change(&x, &y, 0.95).unwrap();
        let b = ratio_change(&x, &scaled, 0.95).unwrap();
        prop_assert!(a.lo <= a.estimate && a.estimate <= a.hi, "{a:?}");
        prop_assert!(a.lo > -1.0, "{a:?}");
        for (before, after) in [(a.estimate, b.estimate), (a.lo, b.lo), (a.hi, b.hi)] {
            prop_assert!(
                close_rel(1.0 + after, k * (1.0 + before), 1e-9),
                "{a:?} * {k} -> {b:?}"
            );
        }
        // Swapping the samples inverts the ratio and swaps the ends of its interval.
        let r = ratio_change(&y, &x, 0.95).unwrap();
        prop_assert!(close_rel((1.0 + r.estimate) * (1.0 + a.estimate), 1.0, 1e-9), "{a:?} {r:?}");
        prop_assert!(close_rel((1.0 + r.lo) * (1.0 + a.hi), 1.0, 1e-9), "{a:?} {r:?}");
        prop_assert!(close_rel((1.0 + r.hi) * (1.0 + a.lo), 1.0, 1e-9), "{a:?} {r:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// 4. Benjamini-Hochberg
// ---------------------------------------------------------------------------------------------

/// p-values in [0, 1], with exact 0s and 1s, very small ones and repeated ones.
fn p_values() -> impl Strategy<Value = Vec<f64>> {
    let p = prop_oneof![
        4 => 0.0..=1.0_f64,
        2 => (0.0..=1.0_f64).prop_map(|u| u.powi(8)),
        2 => select(vec![0.0, 1.0, 0.01, 0.04, 0.05, 0.2]),
    ];
    vec(p, 1..=40)
}

proptest! {
    #![proptest_config(cases(256))]

    #[test]
    fn benjamini_hochberg_is_bounded_monotone_and_permutation_invariant(
        (p, perm) in p_values().prop_flat_map(|p| {
            let n = p.len();
            (Just(p), Just((0..n).collect::<Vec<usize>>()).prop_shuffle())
        })
    ) {
        let q = benjamini_hochberg(&p);
        prop_assert_eq!(q.len(), p.len());
        for i in 0..p.len() {
            prop_assert!(q[i] >= p[i] && q[i] <= 1.0, "{p:?} -> {q:?}");
            for j in 0..p.len() {
                if p[i] <= p[j] {
                    prop_assert!(q[i] <= q[j], "not order-preserving: {p:?} -> {q:?}");
                }
            }
        }
        // Permuting the input permutes the output the same way.
        let permuted: Vec<f64> = perm.iter().map(|&i| p[i]).collect();
        let q_permuted = benjamini_hochberg(&permuted);
        for (slot, &i) in perm.iter().enumerate() {
            prop_assert_eq!(q_permuted[slot], q[i]);
        }
        // The smallest adjusted value is min_k m p_(k) / k, capped at 1; the largest is the
        // largest raw p-value (m / m = 1).
        let mut sorted = p.clone();
        sorted.sort_by(f64::total_cmp);
        let m = p.len() as f64;
        let want_min = sorted
            .iter()
            .enumerate()
            .map(|(k, v)| m * v / (k + 1) as f64)
            .fold(f64::INFINITY, f64::min)
            .min(1.0);
        let got_min = q.iter().copied().fold(f64::INFINITY, f64::min);
        prop_assert!(close_rel(got_min, want_min, 1e-12), "{got_min} vs {want_min} for {p:?}");
        let got_max = q.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        prop_assert_eq!(got_max, sorted[p.len() - 1]);
    }
}

// ---------------------------------------------------------------------------------------------
// 5. Student's t
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(cases(256))]

    #[test]
    fn student_t_quantile_inverts_the_cdf(t in -6.0..6.0_f64, df in 1.0..1000.0_f64) {
        let p = student_t_cdf(t, df);
        prop_assert!(p > 0.0 && p < 1.0, "cdf({t}, {df}) = {p}");
        let back = student_t_quantile(p, df);
        prop_assert!((back - t).abs() <= 1e-8 * (1.0 + t.abs()), "cdf({t}, {df}) = {p} -> {back}");
    }

    #[test]
    fn student_t_cdf_is_symmetric_and_monotone(
        t in -50.0..50.0_f64,
        dt in 0.0..10.0_f64,
        df in 0.5..1e4_f64,
    ) {
        let c = student_t_cdf(t, df);
        prop_assert!((0.0..=1.0).contains(&c), "cdf({t}, {df}) = {c}");
        prop_assert!((student_t_cdf(-t, df) - (1.0 - c)).abs() <= 1e-14, "cdf({t}, {df})");
        prop_assert!(c <= student_t_cdf(t + dt, df), "cdf({t}, {df}) > cdf({}, {df})", t + dt);
        prop_assert_eq!(student_t_cdf(0.0, df), 0.5);
    }

    #[test]
    fn student_t_quantile_is_monotone(
        p in 1e-9..1.0_f64,
        dp in 0.0..1.0_f64,
        df in 0.5..1e4_f64,
    ) {
        let p2 = (p + dp).min(1.0 - 1e-9);
        let (a, b) = (student_t_quantile(p, df), student_t_quantile(p2, df));
        prop_assert!(a.is_finite() && b.is_finite(), "{a} {b}");
        prop_assert!(a <= b, "quantile({p}, {df}) = {a} > quantile({p2}, {df}) = {b}");
        // Symmetry, at a dyadic p for which 1 - p is exact.
        let dyadic = ((p * 2f64.powi(30)).round() / 2f64.powi(30)).max(2f64.powi(-30));
        prop_assert_eq!(
            student_t_quantile(1.0 - dyadic, df),
            -student_t_quantile(dyadic, df)
        );
    }
}

// ---------------------------------------------------------------------------------------------
// 6. Prediction intervals
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(cases(256))]

    #[test]
    fn prediction_interval_contains_its_centre_and_widens_with_confidence(
        h in history(),
        c1 in 0.5..0.99_f64,
        dc in 0.0..1.0_f64,
    ) {
        let c2 = c1 + dc * (0.999 - c1);
        let a = log_prediction_interval(&h, c1).unwrap();
        let b = log_prediction_interval(&h, c2).unwrap();
        prop_assert!(a.lo <= a.center && a.center <= a.hi, "{a:?}");
        prop_assert!(a.lo > 0.0 || a.hi.is_infinite(), "{a:?}");
        prop_assert!(b.lo <= a.lo && a.hi <= b.hi, "{a:?} vs {b:?}");
        prop_assert_eq!(a.center, b.center);
    }

    #[test]
    fn prediction_interval_scales_with_the_history(h in history(), k in 1e-3..1e3_f64) {
        let scaled: Vec<f64> = h.iter().map(|v| v * k).collect();
        let a = log_prediction_interval(&h, 0.95).unwrap();
        let b = log_prediction_interval(&scaled, 0.95).unwrap();
        prop_assert!(close_rel(b.center, a.center * k, 1e-9), "{a:?} * {k} -> {b:?}");
        prop_assert!(close_rel(b.lo, a.lo * k, 1e-9), "{a:?} * {k} -> {b:?}");
        prop_assert!(close_rel(b.hi, a.hi * k, 1e-9), "{a:?} * {k} -> {b:?}");
    }

    #[test]
    fn prediction_p_value_is_largest_at_the_centre_and_falls_outside(
        h in prop_oneof![
            lognormalish(2..=30),
            (1.0..1e6_f64, 2_usize..=30).prop_map(|(v, n)| vec![v; n]),
        ],
        confidence in 0.5..0.99_f64,
        f1 in 1.0..3.0_f64,
        f2 in 1.0..3.0_f64,
    ) {
        let pred = log_prediction_interval(&h, confidence).unwrap();
        let at_centre = pred.p_value(pred.center).unwrap();
        prop_assert!(at_centre >= 1.0 - 1e-9, "p(centre) = {at_centre} for {pred:?}");
        let alpha = 1.0 - confidence;
        for value in [pred.lo, pred.hi, pred.lo / f1, pred.hi * f1, h[0]] {
            let p = pred.p_value(value).unwrap();
            prop_assert!((0.0..=1.0).contains(&p) && p <= at_centre, "p({value}) = {p}");
        }
        // The interval's ends are where the p-value is alpha (the quantile and the CDF agree);
        // beyond them it is smaller, and smaller further out.
        let (near, far) = (f1.min(f2), f1.max(f2));
        if pred.log_sd > 0.0 {
            for end in [pred.lo, pred.hi] {
                let p = pred.p_value(end).unwrap();
                prop_assert!((p - alpha).abs() <= 1e-9, "p({end}) = {p} != {alpha} for {pred:?}");
            }
            for (a, b) in [
                (pred.hi * near, pred.hi * near * far),
                (pred.lo / near, pred.lo / near / far),
            ] {
                let (pa, pb) = (pred.p_value(a).unwrap(), pred.p_value(b).unwrap());
                prop_assert!(pa <= alpha + 1e-9, "p({a}) = {pa} > {alpha} for {pred:?}");
                prop_assert!(pb <= pa, "p({b}) = {pb} > p({a}) = {pa} for {pred:?}");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 7. Moderated t
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(cases(256))]

    #[test]
    fn level_shifts_are_ordered_and_do_not_depend_on_the_unit(
        h in history(),
        k in 1e-3..1e3_f64,
        min_change in select(vec![0.0, 0.02, 0.055, 0.2]),
    ) {
        let shifts = level_shifts(&h, 0.01, min_change);
        for pair in shifts.windows(2) {
            prop_assert!(pair[1].start >= pair[0].start + 2);
        }
        for s in &shifts {
            prop_assert!(s.start >= 2 && s.start + 2 <= h.len());
            prop_assert!(s.p >= 0.0 && s.p < 0.01);
            prop_assert!(s.change.abs() > 0.0);
        }
        let scaled: Vec<f64> = h.iter().map(|v| v * k).collect();
        let again = level_shifts(&scaled, 0.01, min_change);
        prop_assert_eq!(
            shifts.iter().map(|s| s.start).collect::<Vec<_>>(),
            again.iter().map(|s| s.start).collect::<Vec<_>>()
        );
        let residuals = level_residuals(&h, &shifts, &[]).unwrap();
        prop_assert_eq!(residuals.len(), h.len());
        let total: f64 = residuals.iter().sum();
        prop_assert!(total.abs() < 1e-9 * h.len() as f64, "{}", total);
        match level_prediction_interval(&h, 0.98, 0.01, min_change) {
            Some((p, None)) => prop_assert_eq!(Some(p), log_prediction_interval(&h, 0.98)),
            Some((p, Some(last))) => {
                prop_assert_eq!(Some(last), shifts.last().copied());
                prop_assert_eq!(p.n, h.len() - last.start);
                prop_assert!(p.lo <= p.center && p.center <= p.hi);
            }
            None => prop_assert!(false, "no interval for a valid history"),
        }
    }

    #[test]
    fn a_large_step_is_found_where_it_is(
        base in 1e-3..1e6_f64,
        before_n in 8_usize..=25,
        after_n in 2_usize..=10,
        step in select(vec![0.5, 2.0, 3.0]),
    ) {
        // Two levels with a small wobble of their own (at most 0.5%).
        let h: Vec<f64> = (0..before_n + after_n)
            .map(|i| {
                let wobble = 1.0 + 0.001 * ((i * 7 % 11) as f64 - 5.0);
                if i < before_n { base * wobble } else { base * step * wobble }
            })
            .collect();
        let (p, shift) = level_prediction_interval(&h, 0.98, 0.01, 0.055).unwrap();
        prop_assert_eq!(shift.map(|s| s.start), Some(before_n));
        prop_assert_eq!(p.n, after_n);
        prop_assert!((p.center / (base * step) - 1.0).abs() < 0.01);
    }
}

fn summaries(metrics: &[(Vec<f64>, Vec<f64>)]) -> Vec<LogTwoSample> {
    metrics
        .iter()
        .map(|(x, y)| log_two_sample(x, y).unwrap())
        .collect()
}

proptest! {
    #![proptest_config(cases(128))]

    #[test]
    fn moderated_t_is_consistent_for_every_metric_of_a_run(
        metrics in vec(metric(), 2..=8),
        confidence in 0.8..0.99_f64,
    ) {
        let samples = summaries(&metrics);
        let prior = fit_variance_prior(&samples).unwrap();
        prop_assert!(prior.var.is_finite() && prior.var > 0.0, "{prior:?}");
        prop_assert!(prior.df > 0.0, "{prior:?}");
        prop_assert_eq!(prior.df_pooled, samples.iter().map(|s| s.df).sum::<f64>());
        let alpha = 1.0 - confidence;
        for s in &samples {
            let m = moderated_t(s, &prior, confidence).unwrap();
            prop_assert!((0.0..=1.0).contains(&m.p), "{m:?}");
            prop_assert!(m.lo <= m.shift && m.shift <= m.hi, "{m:?}");
            prop_assert_eq!(m.shift, s.shift);
            // The posterior variance is a weighted mean of the metric's and the prior's.
            let (v_lo, v_hi) = (s.var.min(prior.var), s.var.max(prior.var));
            prop_assert!(
                m.var >= v_lo * (1.0 - 1e-12) && m.var <= v_hi * (1.0 + 1e-12),
                "{m:?} not between {} and {}", s.var, prior.var
            );
            if prior.df.is_infinite() {
                prop_assert_eq!(m.var, prior.var);
            }
            prop_assert!(m.df >= s.df && m.df <= prior.df_pooled, "{m:?} {s:?} {prior:?}");
            // The interval is the test inverted: it excludes 0 exactly when p < alpha.
            if m.lo > 0.0 || m.hi < 0.0 {
                prop_assert!(m.p <= alpha + 1e-9, "{m:?} excludes 0 at {confidence}");
            } else {
                prop_assert!(m.p >= alpha - 1e-9, "{m:?} covers 0 at {confidence}");
            }
        }
    }

    #[test]
    fn moderated_t_swapping_a_metric_mirrors_its_test(
        metrics in vec(metric(), 2..=8),
        confidence in 0.8..0.99_f64,
    ) {
        let samples = summaries(&metrics);
        let (x, y) = &metrics[0];
        let s = samples[0];
        let r = log_two_sample(y, x).unwrap();
        prop_assert_eq!((r.shift, r.var, r.df, r.scale), (-s.shift, s.var, s.df, s.scale));
        let mut swapped = samples.clone();
        swapped[0] = r;
        let prior = fit_variance_prior(&samples).unwrap();
        prop_assert_eq!(fit_variance_prior(&swapped).unwrap(), prior);
        let a = moderated_t(&s, &prior, confidence).unwrap();
        let b = moderated_t(&r, &prior, confidence).unwrap();
        prop_assert_eq!(
            (b.shift, b.t, b.p, b.var, b.df, b.lo, b.hi),
            (-a.shift, -a.t, a.p, a.var, a.df, -a.hi, -a.lo)
        );
    }

    #[test]
    fn moderated_t_does_not_depend_on_the_unit(
        metrics in vec(metric(), 2..=8),
        k in 1e-3..1e3_f64,
    ) {
        let scaled: Vec<(Vec<f64>, Vec<f64>)> = metrics
            .iter()
            .map(|(x, y)| {
                (x.iter().map(|v| v * k).collect(), y.iter().map(|v| v * k).collect())
            })
            .collect();
        let (a_samples, b_samples) = (summaries(&metrics), summaries(&scaled));
        let a_prior = fit_variance_prior(&a_samples).unwrap();
        let b_prior = fit_variance_prior(&b_samples).unwrap();
        prop_assert!(close_rel(a_prior.var, b_prior.var, 1e-9), "{a_prior:?} {b_prior:?}");
        prop_assert!(close_rel(a_prior.df, b_prior.df, 1e-9), "{a_prior:?} {b_prior:?}");
        for (s, t) in a_samples.iter().zip(&b_samples) {
            let a = moderated_t(s, &a_prior, 0.95).unwrap();
            let b = moderated_t(t, &b_prior, 0.95).unwrap();
            prop_assert!((a.shift - b.shift).abs() <= 1e-12, "{a:?} {b:?}");
            prop_assert!(close(a.t, b.t, 1e-9, 1.0), "{a:?} {b:?}");
            prop_assert!((a.p - b.p).abs() <= 1e-9, "{a:?} {b:?}");
            prop_assert!(close_rel(a.var, b.var, 1e-9), "{a:?} {b:?}");
            prop_assert!(close_rel(a.df, b.df, 1e-9), "{a:?} {b:?}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 8. Summaries and power
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(cases(256))]

    #[test]
    fn median_lies_within_the_data_and_its_interval(
        xs in prop_oneof![vec(-1e6..1e6_f64, 1..=60), vec((-3_i8..=3).prop_map(f64::from), 1..=60)],
        confidence in 0.5..0.999_f64,
    ) {
        let lo = xs.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let m = median(&xs).unwrap();
        prop_assert!(lo <= m && m <= hi, "median {m} outside [{lo}, {hi}]");
        prop_assert_eq!(quantile(&xs, 0.0), Some(lo));
        prop_assert_eq!(quantile(&xs, 1.0), Some(hi));
        if let Some((a, b)) = median_ci(&xs, confidence) {
            prop_assert!(a <= m && m <= b, "median {m} outside its interval [{a}, {b}]");
            prop_assert!(xs.contains(&a) && xs.contains(&b));
        }
    }

    #[test]
    fn quantile_is_monotone_in_q(
        xs in prop_oneof![vec(-1e6..1e6_f64, 1..=60), vec((-3_i8..=3).prop_map(f64::from), 1..=60)],
        q1 in 0.0..=1.0_f64,
        q2 in 0.0..=1.0_f64,
    ) {
        let (q1, q2) = (q1.min(q2), q1.max(q2));
        let (a, b) = (quantile(&xs, q1).unwrap(), quantile(&xs, q2).unwrap());
        prop_assert!(a <= b, "quantile({q1}) = {a} > quantile({q2}) = {b}");
    }

    #[test]
    fn pooled_log_sd_is_the_textbook_pooled_estimate((x, y) in metric(), k in 1e-3..1e3_f64) {
        let sd = pooled_log_sd(&x, &y).unwrap();
        // ((n1 - 1) s1^2 + (n2 - 1) s2^2) / (n1 + n2 - 2), from the logs directly.
        let ss = |v: &[f64]| {
            let logs: Vec<f64> = v.iter().map(|x| x.ln()).collect();
            let m = logs.iter().sum::<f64>() / logs.len() as f64;
            logs.iter().map(|l| (l - m).powi(2)).sum::<f64>()
        };
        let textbook = ((ss(&x) + ss(&y)) / (x.len() + y.len() - 2) as f64).sqrt();
        prop_assert!(close(sd, textbook, 1e-9, 1e-12), "{sd} vs {textbook}");
        let s = log_two_sample(&x, &y).unwrap();
        prop_assert!(close(s.var, textbook * textbook, 1e-9, 1e-12), "{} vs {textbook}^2", s.var);
        prop_assert_eq!(pooled_log_sd(&y, &x), Some(sd));
        let xk: Vec<f64> = x.iter().map(|v| v * k).collect();
        let yk: Vec<f64> = y.iter().map(|v| v * k).collect();
        prop_assert!(close(pooled_log_sd(&xk, &yk).unwrap(), sd, 1e-9, 0.0));
    }

    #[test]
    fn more_noise_or_a_smaller_change_needs_more_repeats(
        shift in 1e-3..1.0_f64,
        sd in 0.0..1.0_f64,
        more in 1.0..10.0_f64,
        alpha in 0.001..0.2_f64,
        power in 0.5..0.99_f64,
    ) {
        let n = repeats_per_side(shift, sd, alpha, power).unwrap();
        prop_assert!(n >= 2);
        prop_assert_eq!(repeats_per_side(-shift, sd, alpha, power), Some(n));
        prop_assert!(repeats_per_side(shift, sd * more, alpha, power).unwrap() >= n);
        prop_assert!(repeats_per_side(shift / more, sd, alpha, power).unwrap() >= n);
        prop_assert!(repeats_per_side(shift, sd, alpha / more, power).unwrap() >= n);
    }
}

// ---------------------------------------------------------------------------------------------
// 9. No panics on arbitrary input, and the documented refusals
// ---------------------------------------------------------------------------------------------

fn metric_series(metric: &str, unit: Unit, values: Vec<f64>) -> Series {
    Series {
        benchmark: "BenchmarkCRC32".into(),
        metric: metric.into(),
        unit,
        direction: Direction::LowerIsBetter,
        values,
        interval: None,
        repeats: Vec::new(),
    }
}

proptest! {
    #![proptest_config(cases(256))]

    /// Go reports a benchmark's time and its MB/s, which are reciprocal: whatever the data and the
    /// threshold, they must never disagree (a time regression is a throughput regression).
    #[test]
    fn time_and_throughput_of_one_benchmark_get_the_same_verdict(
        (x, y) in metric(),
        threshold in select(vec![0.0, 0.05, 0.055, 0.1, 1.0]),
    ) {
        let inv = |v: &[f64]| v.iter().map(|t| 1e9 / t).collect::<Vec<f64>>();
        let time = decide(
            &metric_series("time", Unit::Nanoseconds, x.clone()),
            &metric_series("time", Unit::Nanoseconds, y.clone()),
            Direction::LowerIsBetter,
            threshold,
            0.05,
            4,
        );
        let throughput = decide(
            &metric_series("throughput", Unit::BytesPerSecond, inv(&x)),
            &metric_series("throughput", Unit::BytesPerSecond, inv(&y)),
            Direction::HigherIsBetter,
            threshold,
            0.05,
            4,
        );
        prop_assert_eq!(time.status, throughput.status, "{:?} {:?}", time.change, throughput.change);
        prop_assert_eq!(time.method, throughput.method);
    }

    /// The same through a whole comparison of 6 to 15 benchmarks, each reporting its time and
    /// its MB/s: with 12 or more metrics they are moderated together and corrected together,
    /// and still no benchmark's two metrics may disagree.
    #[test]
    fn time_and_throughput_agree_in_a_moderated_comparison(
        metrics in vec(metric(), 6..=15),
        threshold in select(vec![0.0, 0.05, 0.055, 0.1]),
    ) {
        let run = |side: usize| {
            let benchmarks = metrics
                .iter()
                .enumerate()
                .map(|(i, (x, y))| {
                    let v = if side == 0 { x } else { y };
                    let mut b = Benchmark::new(format!("BenchmarkCRC32/{i}"));
                    let data = |v: Vec<f64>| match v.as_slice() {
                        [one] => Data::Value(*one),
                        _ => Data::Samples(v),
                    };
                    b.push(Metric::new("time", Unit::Nanoseconds, data(v.clone())));
                    let inv = v.iter().map(|t| 1e9 / t).collect();
                    b.push(Metric::new("throughput", Unit::BytesPerSecond, data(inv)));
                    b
                })
                .collect();
            Run::new(RunMeta::default(), benchmarks)
        };
        let config = Config { threshold, ..Config::default() };
        let c = compare(Some(&run(0)), &run(1), &config);
        for r in c.results.iter().filter(|r| r.metric == "time") {
            let other = c
                .results
                .iter()
                .find(|o| o.benchmark == r.benchmark && o.metric == "throughput")
                .unwrap();
            prop_assert_eq!(r.status, other.status, "{} {:?} {:?}", r.benchmark, r.change, other.change);
            prop_assert_eq!(r.method, other.method);
        }
    }
}

proptest! {
    #![proptest_config(cases(256))]

    #[test]
    fn one_sample_functions_never_panic(xs in wild_vec(40), q in wild(), confidence in wild()) {
        prop_assert_eq!(mean(&xs).is_some(), !xs.is_empty());
        prop_assert_eq!(median(&xs).is_some(), !xs.is_empty());
        prop_assert_eq!(
            quantile(&xs, q).is_some(),
            !xs.is_empty() && (0.0..=1.0).contains(&q)
        );
        let ci = median_ci(&xs, confidence);
        if xs.is_empty() || !(confidence > 0.0 && confidence < 1.0) {
            prop_assert_eq!(ci, None);
        }
        let _ = benjamini_hochberg(&xs);
    }

    #[test]
    fn level_functions_never_panic(xs in wild_vec(40), a in wild(), m in wild()) {
        let shifts = level_shifts(&xs, a, m);
        let _ = level_residuals(&xs, &shifts, &[]);
        let _ = level_residuals(&xs, &shifts, &xs.iter().map(|x| *x > 1.0).collect::<Vec<_>>());
        let _ = level_prediction_interval(&xs, a, a, m);
        let _ = level_prediction_interval(&xs, 0.98, 0.01, 0.05);
    }

    #[test]
    fn two_sample_functions_never_panic(
        x in wild_vec(12),
        y in wild_vec(12),
        confidence in prop_oneof![wild(), 0.5..1.0_f64],
    ) {
        let finite = x.iter().chain(&y).all(|v| v.is_finite());
        match mann_whitney_u(&x, &y) {
            Ok(t) => prop_assert!((0.0..=1.0).contains(&t.p), "{t:?}"),
            Err(StatsError::EmptySample) => prop_assert!(x.is_empty() || y.is_empty()),
            Err(StatsError::NonFinite) => prop_assert!(!finite),
            Err(StatsError::SamplesEqual) => {
                prop_assert!(x.iter().chain(&y).all(|v| *v == x[0]));
            }
        }
        let hl = hodges_lehmann(&x, &y, confidence);
        if x.is_empty() || y.is_empty() || !finite || !(confidence > 0.0 && confidence < 1.0) {
            prop_assert_eq!(hl, None);
        }
        let rc = ratio_change(&x, &y, confidence);
        if !(positive_finite(&x) && positive_finite(&y)) {
            prop_assert_eq!(rc, None);
        }
        let sd = pooled_log_sd(&x, &y);
        if x.len() + y.len() < 3 || !(positive_finite(&x) && positive_finite(&y)) {
            prop_assert_eq!(sd, None);
        }
        match log_two_sample(&x, &y) {
            Some(s) => {
                prop_assert!(!x.is_empty() && !y.is_empty() && x.len() + y.len() >= 3);
                prop_assert!(positive_finite(&x) && positive_finite(&y));
                prop_assert!(s.var.is_finite() && s.var >= 0.0 && s.shift.is_finite(), "{s:?}");
                prop_assert_eq!(s.df, (x.len() + y.len() - 2) as f64);
            }
            None => prop_assert!(
                x.is_empty()
                    || y.is_empty()
                    || x.len() + y.len() < 3
                    || !(positive_finite(&x) && positive_finite(&y))
            ),
        }
    }

    #[test]
    fn benjamini_hochberg_never_panics_and_keeps_nan_in_place(p in wild_vec(40)) {
        let q = benjamini_hochberg(&p);
        prop_assert_eq!(q.len(), p.len());
        for (a, b) in p.iter().zip(&q) {
            prop_assert_eq!(a.is_nan(), b.is_nan(), "{:?} -> {:?}", p, q);
        }
    }

    #[test]
    fn student_t_never_panics(t in wild(), df in wild(), p in wild()) {
        let c = student_t_cdf(t, df);
        // Above 1e9 degrees of freedom the normal stands in (the incomplete beta function gave
        // student_t_cdf(-1.0, 5e14) = -0.917 before it did).
        prop_assert!(c.is_nan() || (0.0..=1.0).contains(&c), "cdf({t}, {df}) = {c}");
        if t.is_nan() || df.is_nan() || df <= 0.0 {
            prop_assert!(c.is_nan());
        }
        let q = student_t_quantile(p, df);
        if p.is_nan() || !(0.0..=1.0).contains(&p) || df.is_nan() || df <= 0.0 {
            prop_assert!(q.is_nan(), "quantile({p}, {df}) = {q}");
        }
    }

    #[test]
    fn prediction_never_panics(h in wild_vec(20), confidence in wild(), value in wild()) {
        let pred = log_prediction_interval(&h, confidence);
        if h.len() < 2 || !positive_finite(&h) || !(confidence > 0.0 && confidence < 1.0) {
            prop_assert_eq!(pred, None);
        }
        if let Some(pred) = pred {
            match pred.p_value(value) {
                Some(p) => prop_assert!((0.0..=1.0).contains(&p), "p({value}) = {p}"),
                None => prop_assert!(!(value.is_finite() && value > 0.0)),
            }
        }
    }

    #[test]
    fn power_never_panics(a in wild(), b in wild(), c in wild(), d in wild()) {
        if let Some(n) = repeats_per_side(a, b, c, d) {
            prop_assert!(n >= 2);
        }
    }

    #[test]
    fn moderated_functions_never_panic(
        fields in vec((wild(), wild(), wild(), wild()), 0..=8),
        prior in (wild(), wild(), wild()),
        confidence in prop_oneof![wild(), 0.5..1.0_f64],
    ) {
        let samples: Vec<LogTwoSample> = fields
            .iter()
            .map(|&(shift, var, df, scale)| LogTwoSample { shift, var, df, scale })
            .collect();
        if let Some(fitted) = fit_variance_prior(&samples) {
            prop_assert!(fitted.var.is_finite() && fitted.var > 0.0, "{fitted:?}");
            prop_assert!(fitted.df > 0.0 && fitted.df_pooled.is_finite(), "{fitted:?}");
        }
        let (df, var, df_pooled) = prior;
        let prior = VariancePrior { df, var, df_pooled };
        for s in &samples {
            if let Some(m) = moderated_t(s, &prior, confidence) {
                prop_assert!((0.0..=1.0).contains(&m.p), "{m:?}");
                prop_assert!(m.lo <= m.hi, "{m:?}");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 10. The whole comparison: what a verdict must not depend on
// ---------------------------------------------------------------------------------------------

/// A run-wide suite of `benchmarks` time metrics: each side's repeats (1 to 12), a shift per
/// benchmark (most none), and a machine factor shared by the current run's benchmarks.
fn suite() -> impl Strategy<Value = Vec<(Vec<f64>, Vec<f64>)>> {
    (1_usize..=14, -0.2..0.2_f64, 1_usize..=12, 1_usize..=12).prop_flat_map(
        |(benchmarks, machine, n1, n2)| {
            vec(
                (
                    1.0..1e6_f64,
                    0.001..0.2_f64,
                    prop_oneof![3 => Just(0.0), 1 => -1.0..1.0_f64],
                    vec(-1.0..1.0_f64, n1),
                    vec(-1.0..1.0_f64, n2),
                ),
                benchmarks,
            )
            .prop_map(move |ms| {
                ms.into_iter()
                    .map(|(base, spread, shift, zx, zy)| {
                        let x = zx.iter().map(|z| base * (spread * z).exp()).collect();
                        let y = zy
                            .iter()
                            .map(|z| base * (machine + shift + spread * z).exp())
                            .collect();
                        (x, y)
                    })
                    .filter(|(x, y): &(Vec<f64>, Vec<f64>)| x.len() + y.len() >= 3)
                    .collect()
            })
        },
    )
}

/// The run of one side of `metrics` (0 the baseline, 1 the current), benchmark `i` named
/// `BenchmarkX/<names[i]>`.
fn suite_run(metrics: &[(Vec<f64>, Vec<f64>)], side: usize, names: &[usize]) -> Run {
    let benchmarks = metrics
        .iter()
        .zip(names)
        .map(|((x, y), name)| {
            let v = if side == 0 { x } else { y };
            let mut b = Benchmark::new(format!("BenchmarkX/{name}"));
            let data = match v.as_slice() {
                [one] => Data::Value(*one),
                _ => Data::Samples(v.clone()),
            };
            b.push(Metric::new("time", Unit::Nanoseconds, data));
            b
        })
        .collect();
    Run::new(RunMeta::default(), benchmarks)
}

/// Each benchmark's status, by name.
fn statuses(c: &perfgate::compare::Comparison) -> std::collections::BTreeMap<String, Status> {
    c.results
        .iter()
        .map(|r| (r.benchmark.clone(), r.status))
        .collect()
}

/// Each benchmark's status when the current side of `metrics` is compared with the baseline
/// side, benchmark `i` named after `names[i]`, with the default config.
fn suite_verdicts(
    metrics: &[(Vec<f64>, Vec<f64>)],
    names: &[usize],
) -> std::collections::BTreeMap<String, Status> {
    statuses(&compare(
        Some(&suite_run(metrics, 0, names)),
        &suite_run(metrics, 1, names),
        &Config::default(),
    ))
}

proptest! {
    #![proptest_config(cases(256))]

    /// Swapping the runs mirrors every verdict: what got slower one way got faster the other,
    /// and what was unchanged or undecided stays so.
    #[test]
    fn swapping_the_runs_mirrors_every_verdict(metrics in suite()) {
        let names: Vec<usize> = (0..metrics.len()).collect();
        let config = Config::default();
        let (a, b) = (suite_run(&metrics, 0, &names), suite_run(&metrics, 1, &names));
        let forward = statuses(&compare(Some(&a), &b, &config));
        let back = statuses(&compare(Some(&b), &a, &config));
        for (name, s) in &forward {
            let mirrored = match s {
                Status::Regression => Status::Improvement,
                Status::Improvement => Status::Regression,
                other => *other,
            };
            prop_assert_eq!(back.get(name), Some(&mirrored), "{}: {:?} -> {:?}", name, forward, back);
        }
    }

    /// The order the benchmarks come in and the order of each side's repeats decide nothing.
    #[test]
    fn order_decides_nothing(metrics in suite(), seed in any::<u64>()) {
        let names: Vec<usize> = (0..metrics.len()).collect();
        let before = suite_verdicts(&metrics, &names);
        // A fixed pseudo-random permutation of the benchmarks and of each side's repeats.
        let mut state = seed | 1;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut order: Vec<usize> = (0..metrics.len()).collect();
        for i in (1..order.len()).rev() {
            order.swap(i, (next() % (i as u64 + 1)) as usize);
        }
        let mut shuffled: Vec<(Vec<f64>, Vec<f64>)> = order.iter().map(|&i| metrics[i].clone()).collect();
        for (x, y) in &mut shuffled {
            x.reverse();
            let half = y.len() / 2;
            y.rotate_left(half);
        }
        let after = suite_verdicts(&shuffled, &order);
        prop_assert_eq!(before, after);
    }

    /// Scaling every value of both runs (another unit, a faster machine for both) decides
    /// nothing: the gate reads ratios.
    #[test]
    fn a_common_scale_decides_nothing(metrics in suite(), k in prop_oneof![Just(1000.0), Just(0.001), 0.01..100.0_f64]) {
        let names: Vec<usize> = (0..metrics.len()).collect();
        let before = suite_verdicts(&metrics, &names);
        let scaled: Vec<(Vec<f64>, Vec<f64>)> = metrics
            .iter()
            .map(|(x, y)| (x.iter().map(|v| v * k).collect(), y.iter().map(|v| v * k).collect()))
            .collect();
        let after = suite_verdicts(&scaled, &names);
        prop_assert_eq!(before, after);
    }
}

/// A history of 2 to 12 runs and a current run of 1 to 12 benchmarks, each run with a
/// machine factor shared by its benchmarks, each benchmark with its own move per run, then
/// repeats (1 to 5 a run): `runs[r][b]` is benchmark `b`'s values in run `r`, the last run the
/// current one.
fn suite_history() -> impl Strategy<Value = Vec<Vec<Vec<f64>>>> {
    (1_usize..=12, 3_usize..=13, 1_usize..=5).prop_flat_map(|(benchmarks, runs, n)| {
        (
            vec((1.0..1e6_f64, 0.001..0.1_f64, 0.0..0.2_f64), benchmarks),
            vec(
                (-0.1..0.1_f64, vec(vec(-1.0..1.0_f64, n + 1), benchmarks)),
                runs,
            ),
        )
            .prop_map(|(bases, runs)| {
                runs.iter()
                    .map(|(machine, zs)| {
                        bases
                            .iter()
                            .zip(zs)
                            .map(|((base, spread, moves), z)| {
                                let own = moves * z[0];
                                z[1..]
                                    .iter()
                                    .map(|w| base * (machine + own + spread * w).exp())
                                    .collect()
                            })
                            .collect()
                    })
                    .collect()
            })
    })
}

/// One run of [`suite_history`]'s, its benchmarks in `order` (benchmark `b` named
/// `BenchmarkX/<b>`), each value times `k`, each benchmark's repeats backwards when asked.
fn history_run(values: &[Vec<f64>], order: &[usize], k: f64, backwards: bool) -> Run {
    let benchmarks = order
        .iter()
        .map(|&b| {
            let mut bench = Benchmark::new(format!("BenchmarkX/{b}"));
            let mut v: Vec<f64> = values[b].iter().map(|x| x * k).collect();
            if backwards {
                v.reverse();
            }
            let data = match v.as_slice() {
                [one] => Data::Value(*one),
                _ => Data::Samples(v),
            };
            bench.push(Metric::new("time", Unit::Nanoseconds, data));
            bench
        })
        .collect();
    Run::new(RunMeta::default(), benchmarks)
}

proptest! {
    #![proptest_config(cases(128))]

    /// Against a history too (prediction intervals, levels, machines taken out): neither the
    /// benchmarks' order, nor their repeats' order, nor a common scale of every value decides
    /// anything.
    #[test]
    fn against_a_history_order_and_scale_decide_nothing(
        runs in suite_history(),
        k in prop_oneof![Just(1000.0), 0.01..100.0_f64],
    ) {
        let n = runs[0].len();
        let config = Config::default();
        let judge = |order: &[usize], k: f64, backwards: bool| {
            let (current, history) = runs.split_last().unwrap();
            let history: Vec<Run> =
                history.iter().map(|r| history_run(r, order, k, backwards)).collect();
            statuses(&compare_history(&history, &history_run(current, order, k, backwards), &config))
        };
        let straight: Vec<usize> = (0..n).collect();
        let reversed: Vec<usize> = (0..n).rev().collect();
        let before = judge(&straight, 1.0, false);
        prop_assert_eq!(&before, &judge(&reversed, 1.0, true));
        prop_assert_eq!(&before, &judge(&straight, k, false));
    }
}
