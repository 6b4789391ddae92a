//! The two-sided Mann-Whitney U test as benchstat v2 computes it (golang/perf `benchmath`, which
//! calls go-moremath `stats.MannWhitneyUTest(x, y, LocationDiffers)`), and the exact null
//! distribution of U that it and the Hodges-Lehmann interval share.
//!
//! The exact distribution is computed differently from go-moremath (which uses the Mann-Whitney
//! 1947 recurrence without ties and the Cheung-Klotz 1997 linked-list algorithm with ties) but
//! gives the same probabilities: it counts, with exact 128-bit integers, the ways to place the
//! first sample among the tie groups of the pooled sample (Klotz 1966: given the tie structure,
//! every choice of n1 positions out of N is equally likely). A dynamic program runs over the tie
//! groups in increasing order; taking `r` of the `t` members of a group whose doubled mid-rank is
//! `a` adds `r * a` to the doubled rank sum and has `C(t, r)` ways. Without ties every group has
//! size one and this is the classic subset-sum count of the Wilcoxon statistic.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use super::normal;
use super::StatsError;

/// The result of a Mann-Whitney U test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UTest {
    /// `U1 = R1 - n1(n1+1)/2` of the first sample, with mid-ranks for ties: the number of pairs
    /// where the first sample's value is larger, plus half the tied pairs.
    pub u: f64,
    /// The two-sided p-value.
    pub p: f64,
}

/// Without ties, the exact distribution is used when both samples have at most this many values
/// (go-moremath `MannWhitneyExactLimit`).
const EXACT_LIMIT: usize = 50;
/// With ties, the exact distribution is used when both samples have at most this many values
/// (go-moremath `MannWhitneyTiesExactLimit` as used by benchstat v2).
const TIES_EXACT_LIMIT: usize = 25;

/// Two-sided Mann-Whitney U test exactly as golang/perf benchstat v2 computes it (go-moremath
/// `stats.MannWhitneyUTest` with `LocationDiffers`; Mann & Whitney 1947, Klotz 1966):
///
/// - U is `U1 = R1 - n1(n1+1)/2` for the first sample `x`, with mid-ranks for ties;
/// - the exact distribution of U is used when there are no ties and n1, n2 <= 50, or there are
///   ties and n1, n2 <= 25; with ties it is the exact conditional distribution given the tie
///   structure. Then `p = 2 P(tail)`, the tail on the observed side (`U <= U1` when U1 is the
///   smaller statistic, else `U >= U1`), capped at 1, and `p = 1` when `U1 == U2`;
/// - otherwise the normal approximation with tie correction
///   `sigma^2 = n1 n2 / 12 * ((N + 1) - sum(t^3 - t) / (N (N - 1)))` and continuity correction.
///
/// One deliberate difference from benchstat: with ties and unequal sample sizes the conditional
/// distribution of U1 is not symmetric, and benchstat's `2 P(U1 <= min(U1, U2))` is then not a
/// tail probability of the observed U1 — it can exceed 1, or fall far below the doubled tail
/// (x = [3], y = [1, 4, 2, 1, 1, 1, 2] gives 0 where the doubled tail is 0.5), which would make a
/// gate raise false alarms. perfgate doubles the observed tail, computed as the lower tail of U2
/// when U1 is the larger. With equal sample sizes or without ties (every benchstat golden case)
/// both are the same.
///
/// Errors: [`StatsError::EmptySample`] if a sample is empty, [`StatsError::NonFinite`] for NaN
/// or infinite values, [`StatsError::SamplesEqual`] if all values of both samples are equal
/// (benchstat then reports p = 1).
pub fn mann_whitney_u(x: &[f64], y: &[f64]) -> Result<UTest, StatsError> {
    if x.is_empty() || y.is_empty() {
        return Err(StatsError::EmptySample);
    }
    if x.iter().chain(y).any(|v| !v.is_finite()) {
        return Err(StatsError::NonFinite);
    }
    let (n1, n2) = (x.len(), y.len());
    let ranking = Ranking::new(x, y);
    let nn = (n1 * n2) as u64;
    // Doubled U statistics, exact integers: 2 U1 = 2 R1 - n1 (n1 + 1).
    let two_u1 = ranking.two_r1.saturating_sub((n1 * (n1 + 1)) as u64);
    let two_u2 = (2 * nn).saturating_sub(two_u1);
    let u1 = two_u1 as f64 / 2.0;
    let has_ties = ranking.ties.iter().any(|&t| t > 1);

    let exact = if has_ties {
        n1 <= TIES_EXACT_LIMIT && n2 <= TIES_EXACT_LIMIT
    } else {
        n1 <= EXACT_LIMIT && n2 <= EXACT_LIMIT
    };
    let p = if exact {
        if ranking.ties.len() == 1 {
            return Err(StatsError::SamplesEqual);
        }
        if two_u1 == two_u2 {
            // U1 is the centre: doubling a tail would count the mass at U1 twice; the whole
            // distribution is as extreme as the observation (benchstat reports 1).
            1.0
        } else {
            // The tail on the observed side. Under ties with unequal sizes the conditional
            // distribution of U1 is not symmetric, so the upper tail of U1 is computed as the
            // lower tail of U2 (the same test with the samples' roles swapped). benchstat doubles
            // P(U1 <= min(U1, U2)) instead, which can understate p in that one case; with equal
            // sizes or no ties both are the same.
            let (n_first, two_u) = if two_u1 <= two_u2 {
                (n1, two_u1)
            } else {
                (n2, two_u2)
            };
            let tail = if has_ties {
                let counts = u_counts(n_first, &ranking.ties, two_u);
                let below = counts.iter().fold(0u128, |a, &c| a.saturating_add(c));
                below as f64 / choose_u128(n1 + n2, n1) as f64
            } else {
                let cdf = no_ties_cdf(n_first, n1 + n2 - n_first);
                usize::try_from(two_u)
                    .ok()
                    .and_then(|k| cdf.get(k).copied())
                    .unwrap_or(0.0)
            };
            (2.0 * tail).min(1.0)
        }
    } else {
        let n = (n1 + n2) as f64;
        let tie_sum: f64 = ranking
            .ties
            .iter()
            .map(|&t| {
                let t = t as f64;
                t * t * t - t
            })
            .sum();
        let mu = nn as f64 / 2.0;
        let sigma = (nn as f64 * ((n + 1.0) - tie_sum / (n * (n - 1.0))) / 12.0).sqrt();
        if sigma == 0.0 || sigma.is_nan() {
            return Err(StatsError::SamplesEqual);
        }
        let mut numer = u1 - mu;
        numer -= sign(numer) * 0.5;
        let z = numer / sigma;
        let lower = normal::cdf(z);
        2.0 * lower.min(1.0 - lower)
    };
    Ok(UTest { u: u1, p })
}

/// The smallest two-sided p-value the exact Mann-Whitney test can give for samples of sizes `n1`
/// and `n2`: `2 / C(n1 + n2, n1)` (all of one sample below all of the other), capped at 1, and 1
/// when a sample is empty. benchstat warns "need >= 4 samples to detect a difference at alpha
/// level 0.05" from the same quantity (golang/perf `benchmath/anone.go`, `uTestMinP`).
pub fn min_achievable_p(n1: usize, n2: usize) -> f64 {
    if n1 == 0 || n2 == 0 {
        return 1.0;
    }
    let k = n1.min(n2);
    let n = n1 as f64 + n2 as f64;
    let mut c = 1.0_f64;
    for i in 0..k {
        c = c * (n - i as f64) / (i as f64 + 1.0);
        if c.is_infinite() {
            // C(n, k) grows past f64 long before k is large: the p-value is 0 from here on.
            return 0.0;
        }
    }
    (2.0 / c).min(1.0)
}

/// `-1`, `0` or `1` (unlike `f64::signum`, zero maps to zero), as go-moremath's `mathSign`.
fn sign(v: f64) -> f64 {
    if v > 0.0 {
        1.0
    } else if v < 0.0 {
        -1.0
    } else {
        0.0
    }
}

/// The pooled ranking of two samples: tie group sizes in increasing value order and the doubled
/// rank sum of the first sample (mid-ranks, so doubling keeps it an integer).
pub(crate) struct Ranking {
    pub(crate) ties: Vec<usize>,
    pub(crate) two_r1: u64,
}

impl Ranking {
    pub(crate) fn new(x: &[f64], y: &[f64]) -> Ranking {
        let mut merged: Vec<(f64, bool)> = x
            .iter()
            .map(|&v| (v, true))
            .chain(y.iter().map(|&v| (v, false)))
            .collect();
        merged.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut ties = Vec::new();
        let mut two_r1 = 0u64;
        let mut start = 0usize;
        let mut iter = merged.iter().peekable();
        while let Some(&(v, first)) = iter.next() {
            let mut len = 1usize;
            let mut in_x = usize::from(first);
            while let Some(&&(w, f)) = iter.peek() {
                if w != v {
                    break;
                }
                len += 1;
                in_x += usize::from(f);
                iter.next();
            }
            // Ranks start+1 ..= start+len share the mid-rank (2 start + len + 1) / 2.
            two_r1 += (in_x * (2 * start + len + 1)) as u64;
            ties.push(len);
            start += len;
        }
        Ranking { ties, two_r1 }
    }
}

/// The exact null distribution of the doubled U statistic of a first sample of size `n1`, given
/// the tie group sizes `ties` of the pooled sample (in increasing value order): element `k` of the
/// result is the number of the `C(N, n1)` equally likely placements with `2 U1 = k`, for
/// `k = 0 ..= two_u_max`.
pub(crate) fn u_counts(n1: usize, ties: &[usize], two_u_max: u64) -> Vec<u128> {
    if ties.iter().sum::<usize>() <= MAX_N_IN_U64 {
        u_counts_in::<u64>(n1, ties, two_u_max)
            .into_iter()
            .map(u128::from)
            .collect()
    } else {
        u_counts_in::<u128>(n1, ties, two_u_max)
    }
}

/// Up to this pooled sample size every count of [`u_counts`] fits in 64 bits: a cell of row `j`
/// counts some of the `C(m, j)` ways to place `j` items among the first `m` values, and
/// `C(64, 32) < 2^64`. The dynamic program then runs on `u64`, whose additions the compiler turns
/// into vector adds (it is most of the exact test's time with ties).
const MAX_N_IN_U64: usize = 64;

/// The integers [`u_counts_in`] counts with.
trait Count: Copy + Default {
    const ONE: Self;
    /// `self + c * ways`.
    fn add_times(self, c: Self, ways: Self) -> Self;
    fn add(self, c: Self) -> Self;
    fn choose(n: usize, k: usize) -> Self;
}

/// Used only up to [`MAX_N_IN_U64`] values, where no count reaches 2^64: the operations cannot
/// wrap.
impl Count for u64 {
    const ONE: Self = 1;
    fn add_times(self, c: Self, ways: Self) -> Self {
        self.wrapping_add(c.wrapping_mul(ways))
    }
    fn add(self, c: Self) -> Self {
        self.wrapping_add(c)
    }
    fn choose(n: usize, k: usize) -> Self {
        u64::try_from(choose_u128(n, k)).unwrap_or(u64::MAX)
    }
}

impl Count for u128 {
    const ONE: Self = 1;
    fn add_times(self, c: Self, ways: Self) -> Self {
        self.saturating_add(c.saturating_mul(ways))
    }
    fn add(self, c: Self) -> Self {
        self.saturating_add(c)
    }
    fn choose(n: usize, k: usize) -> Self {
        choose_u128(n, k)
    }
}

fn u_counts_in<T: Count>(n1: usize, ties: &[usize], two_u_max: u64) -> Vec<T> {
    let base = n1 * (n1 + 1); // the smallest doubled rank sum of n1 items
    let s_max = usize::try_from(two_u_max)
        .unwrap_or(usize::MAX)
        .saturating_add(base);
    let width = s_max.saturating_add(1);
    // Row j, cell s: the placements of j of the first sample's items among the values seen so far
    // with a doubled rank sum of s.
    let mut counts = vec![T::default(); width.saturating_mul(n1 + 1)];
    if let Some(c) = counts.first_mut() {
        *c = T::ONE;
    }
    let mut before = 0usize;
    for &t in ties {
        // Doubled mid-rank of this group: ranks before+1 ..= before+t. Taking r of its t values
        // moves row j - r up by r a into row j, C(t, r) ways. Done in place from the last row
        // down, so every row is read before it is written.
        let a = 2 * before + t + 1;
        for j in (1..=n1.min(before + t)).rev() {
            let (lower, upper) = counts.split_at_mut(j * width);
            let Some(row) = upper.get_mut(..width) else {
                continue;
            };
            for r in 1..=t.min(j) {
                let shift = r * a;
                let (Some(dst), Some(src)) = (row.get_mut(shift..), lower.get((j - r) * width..))
                else {
                    break;
                };
                if t == 1 {
                    // C(1, 1) = 1 way: the common case, without the multiplication.
                    dst.iter_mut().zip(src).for_each(|(d, &c)| *d = d.add(c));
                } else {
                    let ways = T::choose(t, r);
                    dst.iter_mut()
                        .zip(src)
                        .for_each(|(d, &c)| *d = d.add_times(c, ways));
                }
            }
        }
        before += t;
    }
    counts
        .get(n1 * width + base..(n1 + 1) * width)
        .map(<[T]>::to_vec)
        .unwrap_or_default()
}

/// No-ties null distributions by sample sizes `(n1, n2)`.
type DistributionCache = HashMap<(usize, usize), Arc<Vec<f64>>>;

/// The exact null distribution of the doubled U statistic without ties, for a first sample of
/// `n1` values and a second of `n2`: element `k` is `P(2 U1 <= k)`, the number of the
/// `C(n1 + n2, n1)` placements with `2 U1 <= k` (counted exactly) over that total, for
/// `k = 0 ..= 2 n1 n2`.
///
/// Without ties the distribution depends on the sample sizes alone, so it is computed once per
/// pair of sizes and kept: a run of 300 benchmarks with 30 samples each then costs one dynamic
/// program instead of 300 (and the Hodges-Lehmann interval reuses it too).
pub(crate) fn no_ties_cdf(n1: usize, n2: usize) -> Arc<Vec<f64>> {
    static CACHE: OnceLock<Mutex<DistributionCache>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(hit) = cache.lock().ok().and_then(|c| c.get(&(n1, n2)).cloned()) {
        return hit;
    }
    let ties = vec![1usize; n1 + n2];
    let two_u_max = u64::try_from(n1.saturating_mul(n2).saturating_mul(2)).unwrap_or(u64::MAX);
    let total = choose_u128(n1 + n2, n1) as f64;
    let mut running: u128 = 0;
    let cdf: Vec<f64> = u_counts(n1, &ties, two_u_max)
        .into_iter()
        .map(|c| {
            running = running.saturating_add(c);
            running as f64 / total
        })
        .collect();
    let cdf = Arc::new(cdf);
    // A poisoned lock only costs the cache, never the answer.
    if let Ok(mut c) = cache.lock() {
        c.insert((n1, n2), Arc::clone(&cdf));
    }
    cdf
}

/// `C(n, k)` exactly (it fits: C(100, 50) < 2^97).
pub(crate) fn choose_u128(n: usize, k: usize) -> u128 {
    if k > n {
        return 0;
    }
    let k = k.min(n - k);
    let mut c: u128 = 1;
    for i in 0..k {
        c = c.saturating_mul((n - i) as u128) / (i as u128 + 1);
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_p(x: &[f64], y: &[f64], want_u: f64, want_p: f64) {
        let t = mann_whitney_u(x, y).unwrap();
        assert_eq!(t.u, want_u, "U for {x:?} vs {y:?}");
        assert!(
            (t.p - want_p).abs() <= 1e-12 * want_p.max(1e-300),
            "p for {x:?} vs {y:?}: got {}, want {want_p}",
            t.p
        );
    }

    #[test]
    fn exact_without_ties_matches_scipy() {
        // scipy.stats.mannwhitneyu(x, y, alternative="two-sided", method="exact") (SciPy 1.17.1);
        // SciPy's statistic is U1 of x, like ours.
        assert_p(
            &[2.0, 1.0, 3.0, 5.0],
            &[12.0, 11.0, 13.0, 15.0],
            0.0,
            0.02857142857142857,
        );
        assert_p(
            &[2.0, 1.0, 3.0, 5.0],
            &[0.0, 4.0, 6.0, 7.0],
            5.0,
            0.4857142857142857,
        );
        assert_p(&[100.0], &[101.0], 0.0, 1.0);
        assert_p(
            &[1.1, 2.2, 3.3, 4.4, 5.5, 6.6, 7.7],
            &[3.9, 8.1, 9.2, 10.3, 4.8],
            7.0,
            0.10606060606060606,
        );
    }

    #[test]
    fn exact_at_fifty_per_sample_without_ties() {
        // x = 0, 2, ..., 98 and y = 1.5, 3.5, ..., 99.5 (50 each, no ties).
        // scipy.stats.mannwhitneyu(x, y, alternative="two-sided", method="exact") -> U = 1225.0
        let x: Vec<f64> = (0..50).map(|i| f64::from(i) * 2.0).collect();
        let y: Vec<f64> = (0..50).map(|i| f64::from(i) * 2.0 + 1.5).collect();
        assert_p(&x, &y, 1225.0, 0.8664717523984022);
    }

    #[test]
    fn exact_with_ties_matches_full_enumeration() {
        // Reference p-values from enumerating all C(N, n1) placements of x among the pooled
        // values (the exact conditional distribution given the ties), computed in Python with
        // itertools.combinations: p = min(1, 2 * P(U1 <= min(U1, U2))).
        assert_p(
            &[2.0, 1.0, 3.0, 5.0],
            &[2.0, 2.0, 2.0, 2.0],
            10.0,
            0.7142857142857143,
        );
        assert_p(
            &[115.0, 114.0, 115.0, 115.0, 115.0],
            &[78.8, 78.8, 78.8, 78.8, 78.8],
            25.0,
            0.007936507936507936,
        );
        assert_p(
            &[1.0, 2.0, 2.0, 3.0, 3.0, 3.0, 4.0],
            &[3.0, 4.0, 4.0, 5.0, 5.0, 6.0],
            3.5,
            0.015151515151515152,
        );
        // An asymmetric tie structure where 2 P(U <= Umin) exceeds 1 (go-moremath would say
        // 4/3); we cap it at 1.
        assert_p(&[1.0], &[1.0, 2.0], 0.5, 1.0);
    }

    #[test]
    fn all_equal_samples_have_no_test() {
        assert_eq!(
            mann_whitney_u(&[3.0, 3.0, 3.0], &[3.0, 3.0]),
            Err(StatsError::SamplesEqual)
        );
        let big = vec![1.0; 60];
        assert_eq!(mann_whitney_u(&big, &big), Err(StatsError::SamplesEqual));
    }

    #[test]
    fn empty_or_non_finite_samples_are_errors() {
        assert_eq!(mann_whitney_u(&[], &[1.0]), Err(StatsError::EmptySample));
        assert_eq!(mann_whitney_u(&[1.0], &[]), Err(StatsError::EmptySample));
        assert_eq!(
            mann_whitney_u(&[1.0, f64::NAN], &[2.0]),
            Err(StatsError::NonFinite)
        );
        assert_eq!(
            mann_whitney_u(&[1.0], &[f64::INFINITY]),
            Err(StatsError::NonFinite)
        );
    }

    #[test]
    fn normal_approximation_for_large_samples_matches_scipy() {
        // l1 = 0, 2, ..., 998 (500); l2 = -41, -39, ..., 1157 (600); l3 = l2 with its first 30
        // values replaced by l1's (ties). These are go-moremath's utest_test.go samples; its expected
        // p-values (0.0049335360814172224, 0.0038703814239617884) agree to 1e-14.
        // scipy.stats.mannwhitneyu(x, y, alternative="two-sided", method="asymptotic",
        //                          use_continuity=True)
        let l1: Vec<f64> = (0..500).map(|i| f64::from(i) * 2.0).collect();
        let l2: Vec<f64> = (0..600).map(|i| f64::from(i) * 2.0 - 41.0).collect();
        let mut l3 = l2.clone();
        l3[..30].copy_from_slice(&l1[..30]);
        assert_p(&l1, &l2, 135250.0, 0.004933536081417191);
        assert_p(&l1, &l3, 134845.0, 0.0038703814239617993);
        assert_p(&l1, &l1, 125000.0, 1.0);
    }

    #[test]
    fn ties_beyond_25_per_sample_use_the_normal_approximation() {
        // 26 values per sample with ties. scipy.stats.mannwhitneyu(x, y, alternative="two-sided",
        // method="asymptotic", use_continuity=True)
        let x: Vec<f64> = (0..26).map(|i| f64::from(i / 2)).collect();
        let y: Vec<f64> = (0..26).map(|i| f64::from(i / 2) + 3.0).collect();
        assert_p(&x, &y, 200.0, 0.011664781032728012);
    }

    /// A small deterministic generator for property tests (PCG-style LCG, upper bits).
    fn generator(mut seed: u64) -> impl FnMut() -> f64 {
        move || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as f64 / f64::from(1u32 << 31)
        }
    }

    #[test]
    fn swapping_samples_without_ties_keeps_p_and_mirrors_u() {
        let mut next = generator(12345);
        for case in 0..60 {
            let n1 = 1 + case % 9;
            let n2 = 1 + (case * 7) % 11;
            let x: Vec<f64> = (0..n1).map(|_| next()).collect();
            let y: Vec<f64> = (0..n2).map(|_| next() + 0.3).collect();
            let a = mann_whitney_u(&x, &y).unwrap();
            let b = mann_whitney_u(&y, &x).unwrap();
            assert_eq!(a.p, b.p, "{x:?} {y:?}");
            assert_eq!(a.u + b.u, (n1 * n2) as f64);
        }
    }

    #[test]
    fn with_ties_and_unequal_sizes_p_does_not_depend_on_the_order() {
        // benchstat (go-moremath) evaluates the CDF of the first sample's U at min(U1, U2),
        // which is not symmetric in the samples under ties (it gives 38/45 and 44/45 here);
        // perfgate doubles the tail on the observed side, which is.
        let x = [7.0, 7.0];
        let y = [4.0, 5.0, 7.0, 4.0, 8.0, 3.0, 9.0, 9.0];
        let a = mann_whitney_u(&x, &y).unwrap().p;
        let b = mann_whitney_u(&y, &x).unwrap().p;
        assert_eq!(a, b);
        assert!((a - enumerated_p(&x, &y)).abs() < 1e-15);
    }

    #[test]
    fn with_unequal_sizes_and_ties_p_doubles_the_observed_tail() {
        // U1 = 6 and U2 = 1, but x's U cannot be below 1.5 with these ties: benchstat's
        // 2 P(U1 <= 1) would be 0; the doubled upper tail is 2 * 2/8 = 0.5.
        let t = mann_whitney_u(&[3.0], &[1.0, 4.0, 2.0, 1.0, 1.0, 1.0, 2.0]).unwrap();
        assert_eq!(t, UTest { u: 6.0, p: 0.5 });
    }

    /// `min(1, 2 P(tail))` by enumerating every placement of the first sample, where the tail is
    /// `U <= U1` when U1 is the smaller statistic and `U >= U1` otherwise.
    fn enumerated_p(x: &[f64], y: &[f64]) -> f64 {
        let pooled: Vec<f64> = x.iter().chain(y).copied().collect();
        let n = pooled.len();
        // Doubled mid-rank of each pooled value.
        let two_rank: Vec<u64> = pooled
            .iter()
            .map(|v| {
                let below = pooled.iter().filter(|w| *w < v).count() as u64;
                let equal = pooled.iter().filter(|w| *w == v).count() as u64;
                2 * below + equal + 1
            })
            .collect();
        let n1 = x.len();
        let base = (n1 * (n1 + 1)) as u64;
        let observed: u64 = two_rank[..n1].iter().sum::<u64>() - base;
        let other = 2 * (n1 * y.len()) as u64 - observed;
        if observed == other {
            return 1.0;
        }
        let lower_tail = observed < other;
        let (mut hits, mut total) = (0u64, 0u64);
        for mask in 0u32..(1 << n) {
            if mask.count_ones() as usize != n1 {
                continue;
            }
            let two_u: u64 = (0..n)
                .filter(|i| mask & (1 << i) != 0)
                .map(|i| two_rank[i])
                .sum::<u64>()
                - base;
            total += 1;
            if (lower_tail && two_u <= observed) || (!lower_tail && two_u >= observed) {
                hits += 1;
            }
        }
        (2.0 * hits as f64 / total as f64).min(1.0)
    }

    #[test]
    fn exact_p_with_ties_equals_enumerating_all_placements() {
        let mut next = generator(4242);
        for case in 0..120 {
            let n1 = 1 + case % 6;
            let n2 = 1 + (case * 5) % 8;
            // Few distinct values make ties common.
            let x: Vec<f64> = (0..n1).map(|_| (next() * 5.0).floor()).collect();
            let y: Vec<f64> = (0..n2).map(|_| (next() * 5.0).floor() + 1.0).collect();
            match mann_whitney_u(&x, &y) {
                Ok(t) => {
                    let want = enumerated_p(&x, &y);
                    assert!((t.p - want).abs() < 1e-12, "{x:?} {y:?}: {} vs {want}", t.p);
                    assert!((0.0..=1.0).contains(&t.p), "{x:?} {y:?}: {t:?}");
                    if n1 == n2 {
                        // Symmetric distribution: a proper two-sided p-value.
                        assert!(t.p > 0.0, "{x:?} {y:?}: {t:?}");
                    }
                }
                Err(e) => {
                    assert_eq!(e, StatsError::SamplesEqual);
                    assert!(x.iter().chain(&y).all(|v| *v == x[0]));
                }
            }
        }
    }

    #[test]
    fn counting_in_64_bits_gives_the_128_bit_counts() {
        let mut x = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move |m: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            usize::try_from(x % m).unwrap_or(0)
        };
        // The largest pooled sample counted in 64 bits, without ties and with, and random
        // tie structures below it.
        let mut cases = vec![(32, vec![1; 64]), (32, vec![2; 32]), (25, vec![1; 50])];
        for _ in 0..300 {
            let mut ties = Vec::new();
            while ties.iter().sum::<usize>() < 4 + next(60) {
                ties.push(1 + next(4));
            }
            let n: usize = ties.iter().sum();
            cases.push((1 + next(n as u64 - 1), ties));
        }
        for (n1, ties) in cases {
            let n: usize = ties.iter().sum();
            assert!(n <= MAX_N_IN_U64);
            let two_u_max = 2 * (n1 * (n - n1)) as u64;
            let wide = u_counts_in::<u128>(n1, &ties, two_u_max);
            let narrow: Vec<u128> = u_counts_in::<u64>(n1, &ties, two_u_max)
                .into_iter()
                .map(u128::from)
                .collect();
            assert_eq!(narrow, wide, "n1 = {n1}, ties = {ties:?}");
            assert_eq!(wide.iter().sum::<u128>(), choose_u128(n, n1));
        }
    }

    #[test]
    fn exact_distribution_sums_to_all_placements() {
        let ties = [2, 1, 3, 1, 1];
        let counts = u_counts(3, &ties, 2 * 15);
        let total: u128 = counts.iter().sum();
        assert_eq!(total, choose_u128(8, 3));
        // Mann & Whitney (1947) table: P(U <= 2) for n1 = 3, n2 = 3 is 0.2 (4 of 20).
        let counts = u_counts(3, &[1; 6], 4);
        assert_eq!(counts.iter().sum::<u128>(), 4);
    }

    #[test]
    fn min_achievable_p_is_two_over_the_number_of_placements() {
        assert_eq!(min_achievable_p(1, 1), 1.0);
        assert!((min_achievable_p(3, 3) - 0.1).abs() < 1e-15);
        // benchstat's uTestMinP table (golang/perf benchmath/anone.go).
        assert!((min_achievable_p(4, 4) - 0.02857142857142857).abs() < 1e-15);
        assert!((min_achievable_p(5, 5) - 0.007936507936507936).abs() < 1e-15);
        assert!((min_achievable_p(9, 9) - 4.113533525298231e-05).abs() < 1e-18);
        assert_eq!(min_achievable_p(0, 5), 1.0);
        assert!(min_achievable_p(3, 3) >= 0.05 && min_achievable_p(4, 4) < 0.05);
        assert_eq!(min_achievable_p(2, 5), min_achievable_p(5, 2));
        assert!(min_achievable_p(1000, 1000) >= 0.0);
    }
}
