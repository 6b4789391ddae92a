//! The size of a change between two samples: the Hodges-Lehmann shift estimate with the
//! distribution-free confidence interval that inverts the Mann-Whitney test, and the same on a log
//! scale for relative changes.
//!
//! The `n1 * n2` pairwise differences are never stored: an order statistic of `y_j - x_i` is found
//! by bisecting over the ordered bit patterns of `f64`, counting the differences at or below a
//! value with two pointers over the sorted samples (floating-point subtraction is monotone, so the
//! count is exact for the differences as computed). Each order statistic costs
//! `O(64 (n1 + n2))` time and no extra memory.

use super::normal;
use super::summary::sorted;
use super::utest::{min_achievable_p, no_ties_cdf, Ranking};

/// A shift (or relative change) estimate with its confidence interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shift {
    pub estimate: f64,
    pub lo: f64,
    pub hi: f64,
}

/// Both samples below this size (and no ties in the pooled sample) get the exact critical value,
/// as R's `wilcox.test` (`exact <- (n.x < 50) && (n.y < 50)`).
const EXACT_BELOW: usize = 50;

/// Hodges-Lehmann estimate of the shift of `y` relative to `x`, the median of all `y_j - x_i`, with
/// the distribution-free confidence interval obtained by inverting the two-sided Mann-Whitney
/// test (Hollander & Wolfe, *Nonparametric Statistical Methods*, 3rd ed., section 4.3), computed as
/// R's `wilcox.test(y, x, conf.int = TRUE, conf.level = confidence)`:
///
/// - without ties in the pooled sample and with both samples below 50 values, the exact critical
///   value `qu = qwilcox((1 - confidence) / 2, n1, n2)` and the interval `[d(qu), d(n1 n2 - qu + 1)]`
///   of the sorted differences;
/// - otherwise R's asymptotic interval: the shifts where the normal approximation of the test
///   (continuity correction, tie correction for the ties inside each sample) crosses the critical
///   z. R locates these with `uniroot`; they are order statistics of the differences, which this
///   returns exactly.
///
/// The estimate is always the median of the differences (R's asymptotic branch reports a
/// `uniroot` approximation of the same point).
///
/// `None` when a sample is empty or holds a non-finite value, when `confidence` is outside
/// (0, 1), or when the samples are too small for the requested confidence: then even the widest
/// interval, from the smallest to the largest difference, covers less than `confidence`
/// (`2 / C(n1 + n2, n1) > 1 - confidence`; R warns "requested conf.level not achievable").
pub fn hodges_lehmann(x: &[f64], y: &[f64], confidence: f64) -> Option<Shift> {
    if x.is_empty() || y.is_empty() || !(confidence > 0.0 && confidence < 1.0) {
        return None;
    }
    if x.iter().chain(y).any(|v| !v.is_finite()) {
        return None;
    }
    let alpha = 1.0 - confidence;
    if min_achievable_p(x.len(), y.len()) > alpha + 1e-12 {
        return None;
    }
    let diffs = Differences::new(x, y)?;
    let mn = diffs.count;
    let estimate = diffs.median()?;
    if diffs.nth(1)? == diffs.nth(mn)? {
        // Both samples are constant: every difference is the same, and so is every bound.
        return Some(Shift {
            estimate,
            lo: estimate,
            hi: estimate,
        });
    }
    let pooled_ties = Ranking::new(y, x).ties.iter().any(|&t| t > 1);
    let (lo_rank, hi_rank) = if !pooled_ties && x.len() < EXACT_BELOW && y.len() < EXACT_BELOW {
        exact_ranks(y.len(), x.len(), alpha)?
    } else {
        asymptotic_ranks(&diffs, alpha)?
    };
    Some(Shift {
        estimate,
        lo: diffs.nth(lo_rank)?,
        hi: diffs.nth(hi_rank)?,
    })
}

/// The relative change of `y` versus `x` as a ratio minus one (`0.10` = +10%), with its confidence
/// interval: [`hodges_lehmann`] on `ln x` and `ln y`, mapped back with `exp(.) - 1`. On the log
/// scale the shift is a ratio, so this is the Hodges-Lehmann estimate of the ratio of the
/// distributions' scales (Hollander & Wolfe; Bauer 1972).
///
/// `None` if any value is not a positive finite number, or when [`hodges_lehmann`] gives `None`.
pub fn ratio_change(x: &[f64], y: &[f64], confidence: f64) -> Option<Shift> {
    if x.iter().chain(y).any(|&v| !(v > 0.0 && v.is_finite())) {
        return None;
    }
    let lx: Vec<f64> = x.iter().map(|v| v.ln()).collect();
    let ly: Vec<f64> = y.iter().map(|v| v.ln()).collect();
    let s = hodges_lehmann(&lx, &ly, confidence)?;
    Some(Shift {
        estimate: s.estimate.exp_m1(),
        lo: s.lo.exp_m1(),
        hi: s.hi.exp_m1(),
    })
}

/// The 1-based ranks of the sorted differences bounding the exact interval, as R's
/// `wilcox.test`: `qu = qwilcox(alpha/2, n1, n2)` (the smallest `q` with `P(U <= q) >= alpha/2`,
/// with R's `10 * DBL_EPSILON` fuzz), at least 1, and `[qu, n1 n2 - qu + 1]`.
fn exact_ranks(n1: usize, n2: usize, alpha: f64) -> Option<(usize, usize)> {
    let mn = n1.checked_mul(n2)?;
    // U is symmetric about mn / 2 without ties, so qu <= mn / 2.
    let cdf = no_ties_cdf(n1, n2);
    let target = alpha / 2.0 - 10.0 * f64::EPSILON;
    // Without ties 2U is even: P(U <= q) is the distribution at index 2q.
    let qu = cdf
        .iter()
        .step_by(2)
        .take(mn / 2 + 1)
        .position(|&p| p >= target);
    let qu = qu.unwrap_or(mn / 2).max(1);
    Some((qu, mn.checked_sub(qu)? + 1))
}

/// The 1-based ranks of the sorted differences bounding R's asymptotic interval.
///
/// For a shift `d` strictly between two distinct differences, the statistic of R's `W(d)` is
/// `#{y_j - x_i > d}` (no ties across the samples there), its variance carries the tie correction
/// of the ties inside each sample, and R's criterion is `(W - mn/2 - sign(W - mn/2)/2) / sigma - zq`.
/// The root R's `uniroot` finds is the difference where that criterion changes sign: for the lower
/// bound (`zq = +z`) the smallest difference `D` with `#{> D}` passing, i.e. `d(mn - k)` for the
/// largest passing count `k`; the same with `zq = -z` for the upper bound. When no count passes,
/// R returns the largest difference.
fn asymptotic_ranks(diffs: &Differences, alpha: f64) -> Option<(usize, usize)> {
    let mn = diffs.count;
    let (n1, n2) = (diffs.ys.len() as f64, diffs.xs.len() as f64);
    let n = n1 + n2;
    let tie_sum = within_tie_sum(&diffs.xs) + within_tie_sum(&diffs.ys);
    let sigma = ((n1 * n2 / 12.0) * ((n + 1.0) - tie_sum / (n * (n - 1.0)))).sqrt();
    if sigma.is_nan() || sigma <= 0.0 {
        return None;
    }
    let z = normal::inverse_cdf(1.0 - alpha / 2.0);
    let half = mn as f64 / 2.0;
    let criterion = |w: usize, zq: f64| -> f64 {
        let dz = w as f64 - half;
        let correction = if dz > 0.0 {
            0.5
        } else if dz < 0.0 {
            -0.5
        } else {
            0.0
        };
        (dz - correction) / sigma - zq
    };
    let rank = |zq: f64| -> usize {
        // The criterion grows with W: find the largest W in [0, mn] with criterion <= 0.
        if criterion(0, zq) > 0.0 {
            return mn;
        }
        let (mut ok, mut bad) = (0usize, mn + 1);
        while bad - ok > 1 {
            let mid = ok + (bad - ok) / 2;
            if criterion(mid, zq) <= 0.0 {
                ok = mid;
            } else {
                bad = mid;
            }
        }
        (mn - ok).max(1)
    };
    Some((rank(z), rank(-z)))
}

/// `sum(t^3 - t)` over the groups of equal values of a sorted sample.
fn within_tie_sum(sorted: &[f64]) -> f64 {
    sorted
        .chunk_by(|a, b| a == b)
        .map(|g| {
            let t = g.len() as f64;
            t * t * t - t
        })
        .sum()
}

/// The multiset of pairwise differences `y_j - x_i`, queried by order statistic.
struct Differences {
    xs: Vec<f64>,
    ys: Vec<f64>,
    count: usize,
    /// Every difference, sorted, when there are few: a lookup then answers [`Differences::nth`]
    /// instead of a search over the floats (a sixth of a 1,000-benchmark comparison at 10
    /// repeats a side went to that search).
    all: Option<Vec<f64>>,
}

/// Up to this many differences are listed and sorted once.
const LISTED_DIFFERENCES: usize = 4096;

impl Differences {
    fn new(x: &[f64], y: &[f64]) -> Option<Differences> {
        Differences::listing_up_to(x, y, LISTED_DIFFERENCES)
    }

    /// [`Differences::new`], listing the differences when there are at most `limit`.
    fn listing_up_to(x: &[f64], y: &[f64], limit: usize) -> Option<Differences> {
        let count = x.len().checked_mul(y.len())?;
        let (xs, ys) = (sorted(x), sorted(y));
        let all = (count <= limit).then(|| {
            // Sorted as integers with the order of `total_cmp` (equal keys are equal bits, so
            // any sort gives the same list): this sort was a tenth of compare at 1,000 x 10.
            let mut keys: Vec<u64> = ys
                .iter()
                .flat_map(|yj| xs.iter().map(move |xi| order_key(yj - xi)))
                .collect();
            keys.sort_unstable();
            keys.into_iter().map(from_order_key).collect()
        });
        Some(Differences { xs, ys, count, all })
    }

    /// The number of differences `y_j - x_i <= v`, as computed in floating point.
    fn count_at_most(&self, v: f64) -> usize {
        // For each y_j the passing x_i are a suffix of the sorted xs, and the suffix only
        // shrinks as y_j grows.
        let mut start = 0usize;
        let mut total = 0usize;
        for &yj in &self.ys {
            while let Some(&xi) = self.xs.get(start) {
                if yj - xi <= v {
                    break;
                }
                start += 1;
            }
            total += self.xs.len() - start;
        }
        total
    }

    /// The `k`-th smallest difference (1-based).
    fn nth(&self, k: usize) -> Option<f64> {
        if k == 0 || k > self.count {
            return None;
        }
        if let Some(all) = &self.all {
            // `+ 0.0` turns a -0.0 into 0.0, as below.
            return all.get(k - 1).map(|d| d + 0.0);
        }
        let min = self.ys.first()? - self.xs.last()?;
        let max = self.ys.last()? - self.xs.first()?;
        // Invariant: count(<= from_key(lo)) < k <= count(<= from_key(hi)).
        let mut lo = order_key(min).checked_sub(1)?;
        let mut hi = order_key(max);
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if self.count_at_most(from_order_key(mid)) >= k {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        // No float lies strictly between the two keys, so `hi` is a difference; `+ 0.0` turns a
        // -0.0 into 0.0.
        Some(from_order_key(hi) + 0.0)
    }

    /// The median of the differences, interpolated as [`super::median`].
    fn median(&self) -> Option<f64> {
        let n = self.count;
        if n % 2 == 1 {
            self.nth(n / 2 + 1)
        } else {
            let a = self.nth(n / 2)?;
            let b = self.nth(n / 2 + 1)?;
            Some(if a == b { a } else { 0.5 * a + 0.5 * b })
        }
    }
}

/// A `u64` key with the same order as `f64::total_cmp`.
fn order_key(v: f64) -> u64 {
    let bits = v.to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    }
}

/// The inverse of [`order_key`].
fn from_order_key(k: u64) -> f64 {
    if k >> 63 == 1 {
        f64::from_bits(k & !(1 << 63))
    } else {
        f64::from_bits(!k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * b.abs().max(1.0)
    }

    fn assert_shift(x: &[f64], y: &[f64], conf: f64, want: (f64, f64, f64)) {
        let s = hodges_lehmann(x, y, conf).unwrap_or_else(|| panic!("no shift for {x:?} vs {y:?}"));
        assert!(
            close(s.estimate, want.0) && close(s.lo, want.1) && close(s.hi, want.2),
            "{x:?} vs {y:?} at {conf}: got {s:?}, want {want:?}"
        );
    }

    #[test]
    fn exact_interval_matches_r_wilcox_test() {
        // R 4.2.2: wilcox.test(y, x, conf.int = TRUE, conf.level = conf) -> estimate, conf.int.
        // The depression data of R's ?wilcox.test example.
        let x = [0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46];
        let y = [1.15, 0.88, 0.90, 0.74, 1.21];
        assert_shift(&x, &y, 0.95, (-0.305, -0.76, 0.15));
        assert_shift(&x, &y, 0.9, (-0.305, -0.72, 0.08));
        assert_shift(
            &[1.0, 2.0, 3.0, 4.0],
            &[5.5, 6.5, 7.5, 8.5],
            0.95,
            (4.5, 1.5, 7.5),
        );
        assert_shift(&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0], 0.9, (3.0, 1.0, 5.0));
        // 49 and 40 values, no ties: still exact. x = (0:48) * 4 + 0.5, y = (0:39) * 3 + 11.
        let x49: Vec<f64> = (0..49).map(|i| f64::from(i) * 4.0 + 0.5).collect();
        let y40: Vec<f64> = (0..40).map(|i| f64::from(i) * 3.0 + 11.0).collect();
        assert_shift(&x49, &y40, 0.95, (-27.0, -50.5, -3.5));
    }

    #[test]
    fn asymptotic_interval_matches_r_wilcox_test() {
        // R 4.2.2: wilcox.test(y, x, conf.int = TRUE, conf.level = conf, tol.root = 1e-10);
        // R's roots are within 1e-10 of the differences returned here.
        // Ties force the normal approximation.
        let x = [10.0, 11.0, 11.0, 12.0, 13.0, 13.0, 14.0];
        let y = [12.0, 13.0, 14.0, 14.0, 15.0, 16.0, 16.0, 17.0];
        assert_shift(&x, &y, 0.95, (3.0, 1.0, 5.0));
        assert_shift(&x, &y, 0.8, (3.0, 1.0, 4.0));
        assert_shift(
            &[1.0, 2.0, 2.0, 3.0, 5.0],
            &[2.0, 4.0, 4.0, 6.0, 7.0, 7.0, 9.0],
            0.95,
            (3.0, 0.0, 6.0),
        );
        // 60 values: the normal approximation even without ties. x = (0:59) * 2,
        // y = (0:54) * 2 + 7.5.
        let x60: Vec<f64> = (0..60).map(|i| f64::from(i) * 2.0).collect();
        let y55: Vec<f64> = (0..55).map(|i| f64::from(i) * 2.0 + 7.5).collect();
        assert_shift(&x60, &y55, 0.95, (2.5, -10.5, 15.5));
    }

    #[test]
    fn no_interval_when_samples_are_too_small() {
        assert_eq!(hodges_lehmann(&[1.0, 2.0], &[3.0, 4.0], 0.95), None);
        assert_eq!(
            hodges_lehmann(&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0], 0.95),
            None
        );
        // 2 / C(6, 3) = 0.1 is exactly reachable at 90%.
        let s = hodges_lehmann(&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0], 0.9).unwrap();
        assert_eq!((s.lo, s.hi), (1.0, 5.0));
        assert_eq!(hodges_lehmann(&[], &[1.0], 0.95), None);
        assert_eq!(hodges_lehmann(&[1.0], &[], 0.95), None);
        assert_eq!(hodges_lehmann(&[1.0; 5], &[f64::NAN; 5], 0.95), None);
        assert_eq!(hodges_lehmann(&[1.0; 5], &[1.0; 5], 1.0), None);
    }

    #[test]
    fn constant_samples_give_a_point_interval() {
        let s = hodges_lehmann(&[3.0; 5], &[5.0; 6], 0.95).unwrap();
        assert_eq!(
            s,
            Shift {
                estimate: 2.0,
                lo: 2.0,
                hi: 2.0
            }
        );
    }

    #[test]
    fn ratio_change_is_relative() {
        let x = [100.0, 101.0, 99.0, 100.5, 99.5, 100.2];
        let y: Vec<f64> = x.iter().map(|v| v * 1.1).collect();
        let r = ratio_change(&x, &y, 0.95).unwrap();
        assert!((r.estimate - 0.1).abs() < 1e-12, "{r:?}");
        assert!(r.lo <= r.estimate && r.estimate <= r.hi);
        assert_eq!(ratio_change(&[0.0, 1.0], &[1.0, 2.0], 0.95), None);
        assert_eq!(ratio_change(&[-1.0; 6], &[1.0; 6], 0.95), None);
    }

    #[test]
    fn order_statistics_of_differences_match_brute_force() {
        let mut seed = 99u64;
        let mut next = move || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as f64 / f64::from(1u32 << 31)
        };
        for case in 0..40 {
            let n1 = 1 + case % 7;
            let n2 = 1 + (case * 3) % 8;
            let x: Vec<f64> = (0..n1)
                .map(|_| (next() * 20.0 - 10.0).round() / 4.0)
                .collect();
            let y: Vec<f64> = (0..n2).map(|_| next() * 30.0 - 5.0).collect();
            let mut all: Vec<f64> = y
                .iter()
                .flat_map(|b| x.iter().map(move |a| b - a))
                .collect();
            all.sort_by(f64::total_cmp);
            // Both ways: the sorted list, and the search over the floats that large samples use.
            for limit in [LISTED_DIFFERENCES, 0] {
                let d = Differences::listing_up_to(&x, &y, limit).unwrap();
                assert_eq!(d.all.is_some(), limit > 0);
                for (k, want) in all.iter().enumerate() {
                    assert_eq!(d.nth(k + 1), Some(*want + 0.0), "k={} of {all:?}", k + 1);
                }
                assert_eq!(d.nth(0), None);
                assert_eq!(d.nth(all.len() + 1), None);
            }
        }
    }

    #[test]
    fn shifting_y_shifts_the_estimate_and_interval() {
        let mut seed = 7u64;
        let mut next = move || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as f64 / f64::from(1u32 << 31)
        };
        for case in 0..30 {
            let n1 = 6 + case % 10;
            let n2 = 6 + (case * 5) % 13;
            // Multiples of 1/8 keep the shifted differences exact; x on even and y on odd
            // eighths never tie across samples, so the shift cannot switch exact and asymptotic.
            let x: Vec<f64> = (0..n1).map(|_| (next() * 400.0).round() / 4.0).collect();
            let y: Vec<f64> = (0..n2)
                .map(|_| (next() * 400.0).round() / 4.0 + 0.125)
                .collect();
            let c = 37.25;
            let shifted: Vec<f64> = y.iter().map(|v| v + c).collect();
            let a = hodges_lehmann(&x, &y, 0.95).unwrap();
            let b = hodges_lehmann(&x, &shifted, 0.95).unwrap();
            assert_eq!(b.estimate, a.estimate + c, "case {case}");
            assert_eq!(b.lo, a.lo + c, "case {case}");
            assert_eq!(b.hi, a.hi + c, "case {case}");
            assert!(a.lo <= a.estimate && a.estimate <= a.hi);
            // Swapping the samples negates everything.
            let r = hodges_lehmann(&y, &x, 0.95).unwrap();
            assert_eq!(
                (r.estimate, r.lo, r.hi),
                (-a.estimate, -a.hi, -a.lo),
                "case {case}"
            );
        }
    }
}
