//! One-sample summaries: mean, quantiles, the median, and benchstat's distribution-free confidence
//! interval of the median.
//!
//! Functions sort a copy with `f64::total_cmp`, so NaN cannot make them panic (a NaN sorts last and
//! shows up in the result instead).

use super::normal;

/// The arithmetic mean. `None` for an empty sample.
///
/// Source: the textbook definition, summed left to right.
pub fn mean(xs: &[f64]) -> Option<f64> {
    if xs.is_empty() {
        return None;
    }
    Some(xs.iter().sum::<f64>() / xs.len() as f64)
}

/// The `q`-quantile with linear interpolation between order statistics: R's default
/// `quantile(xs, q, type = 7)` (Hyndman & Fan 1996, definition 7), `h = (n - 1) q`,
/// `x[floor h] + (h - floor h) (x[floor h + 1] - x[floor h])`, written as R writes it.
/// `None` for an empty sample or `q` outside [0, 1].
pub fn quantile(xs: &[f64], q: f64) -> Option<f64> {
    if xs.is_empty() || !(0.0..=1.0).contains(&q) {
        return None;
    }
    quantile_sorted(&sorted(xs), q)
}

/// Tukey's fences `(Q1 - k IQR, Q3 + k IQR)` with type-7 quartiles (Tukey 1977, *Exploratory Data
/// Analysis*: `k = 1.5` marks outliers, `k = 3` far-out values). `None` for an empty sample or a
/// `k` that is negative or not finite.
pub fn tukey_fences(xs: &[f64], k: f64) -> Option<(f64, f64)> {
    if !(k.is_finite() && k >= 0.0) {
        return None;
    }
    let s = sorted(xs);
    let q1 = quantile_sorted(&s, 0.25)?;
    let q3 = quantile_sorted(&s, 0.75)?;
    let iqr = q3 - q1;
    Some((q1 - k * iqr, q3 + k * iqr))
}

/// The lowest and highest of `xs`; None when there are none.
pub fn extent(xs: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    xs.into_iter().fold(None, |r, v| {
        Some(r.map_or((v, v), |(lo, hi): (f64, f64)| (lo.min(v), hi.max(v))))
    })
}

/// The sample median: the middle order statistic, or the mean of the two middle ones. Equal to
/// `quantile(xs, 0.5)`, and to benchstat's summary (golang/perf `benchmath.AssumeNothing`).
/// `None` for an empty sample.
pub fn median(xs: &[f64]) -> Option<f64> {
    quantile(xs, 0.5)
}

/// [`median`] of `v`, found by selection instead of a sorted copy (`v` is left reordered): for
/// the medians taken over and over of one suite's values while an estimate is solved for.
pub(crate) fn median_in_place(v: &mut [f64]) -> Option<f64> {
    let last = v.len().checked_sub(1)?;
    let (_, &mut lower, above) = v.select_nth_unstable_by(last / 2, f64::total_cmp);
    if last % 2 == 0 {
        return Some(lower);
    }
    let upper = above.iter().copied().min_by(f64::total_cmp)?;
    // The two middle order statistics, interpolated exactly as `quantile_sorted` does at 0.5.
    quantile_sorted(&[lower, upper], 0.5)
}

/// The median on the log scale: with an even count, the geometric mean of the two middle values
/// instead of their mean, so that `log_median(1 / x) = 1 / log_median(x)` and a ratio of two
/// log medians is the same seen from either side (a time and its throughput). The plain
/// [`median`] when a value is zero, negative or not finite. `None` for an empty sample. When the
/// median is a sample (an odd count, or two equal middle values) it is that sample exactly.
pub fn log_median(xs: &[f64]) -> Option<f64> {
    if xs.iter().all(|x| x.is_finite() && *x > 0.0) {
        let v = sorted(xs);
        let lower = v.get(v.len().checked_sub(1)? / 2)?;
        let upper = v.get(v.len() / 2)?;
        if lower == upper {
            // `exp(ln x)` misses most `x` by an ulp (8 allocations would summarise as
            // 7.999999999999998), which an exact count must not.
            return Some(*lower);
        }
        // `ln` keeps the order, so the middle logs are the logs of the middle values.
        quantile_sorted(&[lower.ln(), upper.ln()], 0.5).map(f64::exp)
    } else {
        median(xs)
    }
}

/// A copy of `xs` sorted with `total_cmp`.
pub(crate) fn sorted(xs: &[f64]) -> Vec<f64> {
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    v
}

/// [`quantile`] of an already sorted, non-empty slice.
pub(crate) fn quantile_sorted(v: &[f64], q: f64) -> Option<f64> {
    let last = v.len().checked_sub(1)?;
    let h = last as f64 * q;
    let lo = h.floor();
    let frac = h - lo;
    let i = lo as usize;
    let a = *v.get(i)?;
    if frac == 0.0 {
        return Some(a);
    }
    let b = v.get(i + 1).copied().unwrap_or(a);
    if a == b {
        return Some(a);
    }
    Some((1.0 - frac) * a + frac * b)
}

/// benchstat's distribution-free confidence interval of the median: the order statistics
/// `[x(l), x(r)]` whose coverage under Binomial(n, 1/2) reaches `confidence`, found as golang/perf's
/// benchmath does (`AssumeNothing.Summary` -> go-moremath `stats.QuantileCI(n, 0.5, confidence)`):
/// for n <= 30, start at the lower mode of the binomial and add the larger neighbouring
/// probability (left on ties) until the coverage reaches `confidence`; for n > 30, the normal
/// approximation with continuity correction, with the upper order statistic moved one down when
/// the narrower interval still covers `confidence`.
///
/// `None` for an empty sample, a `confidence` outside (0, 1), or when the sample is too small for
/// an interval inside the data (at 0.95 that is n < 6: benchstat prints `± ∞`).
pub fn median_ci(xs: &[f64], confidence: f64) -> Option<(f64, f64)> {
    if xs.is_empty() || !(confidence > 0.0 && confidence < 1.0) {
        return None;
    }
    let v = sorted(xs);
    let (lo_order, hi_order) = median_ci_orders(v.len(), confidence);
    // Orders are 1-based; 0 and n + 1 stand for -inf and +inf.
    let lo = v.get(usize::try_from(lo_order).ok()?.checked_sub(1)?)?;
    let hi = v.get(usize::try_from(hi_order).ok()?.checked_sub(1)?)?;
    Some((*lo, *hi))
}

/// Up to this sample size [`median_ci_orders`] sums binomial probabilities exactly
/// (go-moremath's `quantileCIApproxThreshold`).
const EXACT_ORDERS_LIMIT: usize = 30;

/// The 1-based order statistics `(LoOrder, HiOrder)` bounding the median CI, clamped to
/// `[0, n + 1]`, as go-moremath `stats.QuantileCI(n, 0.5, confidence)`.
fn median_ci_orders(n: usize, confidence: f64) -> (i64, i64) {
    let n_i = i64::try_from(n).unwrap_or(i64::MAX);
    let (l, r) = if n <= EXACT_ORDERS_LIMIT {
        let pmf = |k: i64| -> f64 {
            if k < 0 || k > n_i {
                0.0
            } else {
                // k is in [0, n], so the cast is exact.
                binomial_coefficient(n, k as usize) * 0.5_f64.powi(n_i as i32)
            }
        };
        // The lower of the two modes when there are two.
        let mode = ((n_i + 1) as f64 * 0.5).ceil() as i64 - 1;
        let mut accum = pmf(mode);
        let (mut l, mut r) = (mode, mode + 1);
        let (mut lp, mut rp) = (pmf(l - 1), pmf(r));
        while accum < confidence && (lp > 0.0 || rp > 0.0) {
            if lp >= rp {
                accum += lp;
                l -= 1;
                lp = pmf(l - 1);
            } else {
                accum += rp;
                r += 1;
                rp = pmf(r);
            }
        }
        (l, r)
    } else {
        let mu = n as f64 * 0.5;
        let sigma = (n as f64 * 0.25).sqrt();
        let alpha = (1.0 - confidence) / 2.0;
        let l1 = mu + sigma * normal::inverse_cdf(alpha);
        let r1 = 2.0 * mu - l1;
        // A binomial point k is the band [k - 0.5, k + 0.5] of the normal approximation.
        let l = (l1 - 0.5).floor() as i64 + 1;
        let mut r = (r1 - 0.5).ceil() as i64 + 1;
        let coverage = |l: i64, r: i64| {
            normal::cdf((r as f64 - 0.5 - mu) / sigma) - normal::cdf((l as f64 - 0.5 - mu) / sigma)
        };
        let unbiased = coverage(l, r);
        let biased = coverage(l, r - 1);
        if biased >= confidence && biased < unbiased {
            r -= 1;
        }
        (l, r)
    };
    (l.max(0), r.min(n_i + 1))
}

/// `C(n, k)` as a float (exact while it fits in 53 bits, which covers every n used here).
pub(crate) fn binomial_coefficient(n: usize, k: usize) -> f64 {
    if k > n {
        return 0.0;
    }
    let k = k.min(n - k);
    let mut c = 1.0_f64;
    for i in 0..k {
        c = c * (n - i) as f64 / (i + 1) as f64;
    }
    c.round()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Samples of every size up to 40: lognormal-ish values rounded to one decimal (so ties
    /// come up, as in Go's integer ns/op), now and then a NaN or an infinity.
    fn samples() -> Vec<Vec<f64>> {
        let mut x = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        (0..2_000)
            .map(|i| {
                let n = i % 41;
                (0..n)
                    .map(|_| match next() % 200 {
                        0 => f64::NAN,
                        1 => f64::INFINITY,
                        r => (1000.0 * (1.0 + r as f64 / 400.0)).round() / 10.0,
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn median_in_place_is_the_median() {
        for xs in samples() {
            let mut v = xs.clone();
            let got = median_in_place(&mut v);
            let want = median(&xs);
            assert_eq!(got.map(f64::to_bits), want.map(f64::to_bits), "{xs:?}");
        }
    }

    #[test]
    fn log_median_is_the_exp_of_the_median_log() {
        for xs in samples() {
            let positive: Vec<f64> = xs.into_iter().filter(|x| x.is_finite()).collect();
            let logs: Vec<f64> = positive.iter().map(|x| x.ln()).collect();
            let want = match sorted(&positive).as_slice() {
                [] => None,
                v if v[(v.len() - 1) / 2] == v[v.len() / 2] => Some(v[v.len() / 2]),
                _ => median(&logs).map(f64::exp),
            };
            let got = log_median(&positive);
            assert_eq!(
                got.map(f64::to_bits),
                want.map(f64::to_bits),
                "{positive:?}"
            );
        }
    }

    #[test]
    fn tukey_fences_match_numpy_quartiles() {
        // q1, q3 = np.quantile(x, [0.25, 0.75]); (q1 - 1.5 (q3 - q1), q3 + 1.5 (q3 - q1))
        let x = [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0];
        assert_eq!(tukey_fences(&x, 1.5), Some((-3.5, 10.5)));
        assert_eq!(tukey_fences(&[7.0], 3.0), Some((7.0, 7.0)));
        assert_eq!(tukey_fences(&[], 3.0), None);
        assert_eq!(tukey_fences(&x, -1.0), None);
        assert_eq!(tukey_fences(&x, f64::NAN), None);
    }

    #[test]
    fn median_of_odd_and_even_samples() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(&[7.0]), Some(7.0));
        assert_eq!(median(&[]), None);
    }

    #[test]
    fn log_median_is_geometric_between_the_middle_two() {
        assert_eq!(log_median(&[3.0, 1.0, 2.0]), Some(2.0));
        // The median is a sample: exactly, not exp(ln 8) = 7.999999999999998.
        assert_eq!(log_median(&[8.0; 10]), Some(8.0));
        assert_eq!(log_median(&[9.0, 8.0, 1.0]), Some(8.0));
        // sqrt(2 * 8) = 4, where the median is 5.
        assert!((log_median(&[8.0, 2.0]).unwrap() - 4.0).abs() < 1e-12);
        let x = [0.895_710_452_036_125_2, 1.097_175_357_884_927_7];
        let inv = [1.0 / x[0], 1.0 / x[1]];
        assert!((log_median(&x).unwrap() * log_median(&inv).unwrap() - 1.0).abs() < 1e-15);
        // Not all positive: the plain median.
        assert_eq!(log_median(&[-1.0, 3.0]), Some(1.0));
        assert_eq!(log_median(&[0.0, 4.0]), Some(2.0));
        assert_eq!(log_median(&[]), None);
    }

    #[test]
    fn median_does_not_panic_on_nan() {
        let m = median(&[1.0, f64::NAN, 2.0]);
        assert!(m.is_some());
    }

    #[test]
    fn quantile_interpolates_linearly_like_r_type_7() {
        let xs = [10.0, 1.0, 7.0, 3.0, 4.0];
        // R: quantile(c(10, 1, 7, 3, 4), c(0, 0.1, 0.25, 0.9, 1), type = 7)
        //    -> 1.0 1.8 3.0 8.8 10.0
        let want = [(0.0, 1.0), (0.1, 1.8), (0.25, 3.0), (0.9, 8.8), (1.0, 10.0)];
        for (q, w) in want {
            let got = quantile(&xs, q).unwrap();
            assert!((got - w).abs() < 1e-12, "q={q}: {got} != {w}");
        }
        assert_eq!(quantile(&xs, 1.5), None);
        assert_eq!(quantile(&xs, f64::NAN), None);
        assert_eq!(quantile(&[], 0.5), None);
    }

    #[test]
    fn mean_of_samples() {
        assert_eq!(mean(&[1.0, 2.0, 6.0]), Some(3.0));
        assert_eq!(mean(&[]), None);
    }

    #[test]
    fn median_ci_needs_six_samples_at_95_percent() {
        let five = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(median_ci(&five, 0.95), None);
        let six = [6.0, 1.0, 5.0, 2.0, 4.0, 3.0];
        // Binomial(6, 1/2): P(1 <= K < 6) = 62/64 >= 0.95, so the interval is [x(1), x(6)].
        assert_eq!(median_ci(&six, 0.95), Some((1.0, 6.0)));
        assert_eq!(median_ci(&[], 0.95), None);
        assert_eq!(median_ci(&six, 1.0), None);
    }

    #[test]
    fn median_ci_order_statistics_match_go_moremath() {
        // (n, confidence, LoOrder, HiOrder) from a line-by-line Python port of go-moremath
        // stats.QuantileCI(n, 0.5, confidence) (exact branch up to n = 30, normal beyond).
        let cases = [
            (2, 0.95, 0, 3),
            (5, 0.95, 0, 5),
            (5, 0.9, 1, 5),
            (6, 0.95, 1, 6),
            (7, 0.95, 1, 7),
            (8, 0.95, 1, 7),
            (9, 0.95, 2, 8),
            (10, 0.95, 2, 9),
            (10, 0.99, 1, 10),
            (10, 0.9, 2, 8),
            (11, 0.95, 2, 9),
            (20, 0.95, 6, 15),
            (30, 0.95, 10, 21),
            (31, 0.95, 10, 22),
            (40, 0.95, 14, 27),
            (50, 0.99, 16, 35),
            (100, 0.95, 40, 60),
            (1000, 0.95, 469, 532),
            (1000, 0.9, 474, 527),
        ];
        for (n, conf, lo, hi) in cases {
            assert_eq!(
                median_ci_orders(n, conf),
                (lo, hi),
                "n={n} confidence={conf}"
            );
        }
    }

    #[test]
    fn median_ci_picks_the_order_statistics() {
        let xs: Vec<f64> = (1..=10).rev().map(f64::from).collect();
        assert_eq!(median_ci(&xs, 0.95), Some((2.0, 9.0)));
    }

    #[test]
    fn binomial_coefficients_are_exact() {
        assert_eq!(binomial_coefficient(10, 3), 120.0);
        assert_eq!(binomial_coefficient(30, 15), 155_117_520.0);
        assert_eq!(binomial_coefficient(3, 5), 0.0);
    }
}
