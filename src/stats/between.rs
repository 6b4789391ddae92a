//! Run-to-run noise read from a suite: two runs of the same suite, each metric's log shift between
//! them with its within-run standard error. In CI most noise is between runs: a slower machine
//! moves every benchmark of a run (the suite-wide shift), and each benchmark also moves by a
//! factor of its own that repeats within one run do not show. The model is the random-effects
//! model of meta-analysis (DerSimonian & Laird 1986):
//!
//! `x_i = m + u_i + e_i`, with `u_i ~ N(0, tau^2)` (between runs) and `e_i ~ N(0, se_i^2)`
//! (within the runs).
//!
//! `m` is estimated by the median of the shifts, so that the few metrics a change really moved
//! do not move it; `tau^2` by the Paule-Mandel moment equation (Paule & Mandel 1982),
//! `sum (x_i - m)^2 / (tau^2 + se_i^2) = k - 1`, over the metrics within 3 standardized
//! deviations of `m` after a first, median-based pass (Rousseeuw & Croux 1993's reasoning: a
//! median of squares has a known value under the model, `0.4549` for a chi-square of 1 df). A
//! metric is then tested against the suite: `t = (x_i - m) / sqrt(tau^2 + se_i^2 + var(m))`, with
//! Welch-Satterthwaite degrees of freedom (Satterthwaite 1946).

use super::summary::median;
use super::tdist::{student_t_cdf, student_t_quantile};

/// Median of a chi-square distribution with one degree of freedom.
const CHI2_1_MEDIAN: f64 = 0.454_936_423_119_572_7;

/// How far from the suite's shift (in standardized deviations) a metric may lie and still be used
/// to estimate the spread: farther, it is a change, not noise.
const KEEP_WITHIN: f64 = 2.0;

/// Share of a normal distribution's variance left after truncating it at +-2.5 standard
/// deviations: `1 - 2 c phi(c) / (2 Phi(c) - 1)` at `c = 2.5`.
const TRUNCATED_VARIANCE: f64 = 0.773_741;

/// Rounds of "cut at [`KEEP_WITHIN`], re-estimate" after the median-based first pass.
const ROUNDS: usize = 20;

/// One metric of a suite: its log shift between the runs and the squared standard error of that
/// shift from the repeats within the runs (0 for one value per run), with its degrees of freedom
/// (infinite when there are none to speak of).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SuiteMember {
    pub shift: f64,
    pub se2: f64,
    pub df: f64,
}

/// The suite-wide shift between two runs and the run-to-run spread of the metrics around it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SuiteShift {
    /// `m`: the median log shift.
    pub shift: f64,
    /// Its variance, `pi/2 * typical total variance / k` (the median's efficiency).
    pub shift_var: f64,
    /// `tau^2`: the variance of a metric's log shift between runs beyond its within-run error.
    pub tau2: f64,
    /// Degrees of freedom of `tau^2`: the metrics it was estimated from, less one.
    pub df: f64,
    /// How many metrics the estimate used (within [`KEEP_WITHIN`] of the shift), of `members`.
    pub kept: usize,
    pub members: usize,
}

/// A metric judged against its suite.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SuiteTest {
    /// The metric's log shift less the suite's.
    pub relative: f64,
    /// Total variance of `relative`: between runs, within runs, and of the suite's shift.
    pub var: f64,
    pub df: f64,
    /// Two-sided p-value of `relative / sqrt(var)` under Student's t with `df`.
    pub p: f64,
    /// Confidence interval of `relative`.
    pub lo: f64,
    pub hi: f64,
}

/// Fits [`SuiteShift`] to the members; None with fewer than 3 members or a non-finite value.
pub fn suite_shift(members: &[SuiteMember]) -> Option<SuiteShift> {
    let k = members.len();
    if k < 3
        || members
            .iter()
            .any(|m| !m.shift.is_finite() || !m.se2.is_finite() || m.se2 < 0.0)
    {
        return None;
    }
    let shifts: Vec<f64> = members.iter().map(|m| m.shift).collect();
    let center = median(&shifts)?;
    let r2: Vec<(f64, f64)> = members
        .iter()
        .map(|m| ((m.shift - center).powi(2), m.se2))
        .collect();
    // First pass, robust: median of r^2 / (tau^2 + se^2) equals chi2(1)'s median.
    let robust = solve_tau2(&r2, |r2, tau2| {
        let z: Vec<f64> = r2.iter().map(|(r, s)| ratio(*r, tau2 + s)).collect();
        median(&z).unwrap_or(0.0) - CHI2_1_MEDIAN
    });
    // Then efficient: Paule-Mandel over the metrics within the cut, corrected for the
    // truncation, until the metrics kept stop changing. A median-based spread is inflated when a
    // quarter of the suite really moved; the rounds shed those metrics one cut at a time.
    let mut tau2 = robust;
    let mut kept: Vec<(f64, f64)> = Vec::new();
    for _ in 0..ROUNDS {
        let next: Vec<(f64, f64)> = r2
            .iter()
            .copied()
            .filter(|(r, s)| ratio(*r, tau2 + s) <= KEEP_WITHIN * KEEP_WITHIN)
            .collect();
        if next.len() < 3 {
            return None;
        }
        let same = next == kept;
        kept = next;
        if same {
            break;
        }
        let target = (kept.len() - 1) as f64 * TRUNCATED_VARIANCE;
        tau2 = solve_tau2(&kept, |r2, tau2| {
            r2.iter().map(|(r, s)| ratio(*r, tau2 + s)).sum::<f64>() - target
        });
    }
    let n = kept.len();
    let totals: Vec<f64> = kept.iter().map(|(_, s)| tau2 + s).collect();
    let typical = median(&totals)?;
    Some(SuiteShift {
        shift: center,
        shift_var: std::f64::consts::FRAC_PI_2 * typical / n as f64,
        tau2,
        df: (n - 1) as f64,
        kept: n,
        members: k,
    })
}

/// `r / v`, with 0/0 = 0 and r/0 = infinity (a metric that moved with no noise at all).
fn ratio(r: f64, v: f64) -> f64 {
    if v > 0.0 {
        r / v
    } else if r > 0.0 {
        f64::INFINITY
    } else {
        0.0
    }
}

/// The `tau^2 >= 0` where `f` (decreasing in `tau^2`) crosses zero; 0 when `f(0) <= 0`.
fn solve_tau2(r2: &[(f64, f64)], f: impl Fn(&[(f64, f64)], f64) -> f64) -> f64 {
    if f(r2, 0.0) <= 0.0 {
        return 0.0;
    }
    let mut hi = r2.iter().map(|(r, _)| *r).fold(0.0, f64::max).max(1e-300);
    let mut guard = 0;
    while f(r2, hi) > 0.0 && guard < 200 {
        hi *= 2.0;
        guard += 1;
    }
    let mut lo = 0.0;
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        if f(r2, mid) > 0.0 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// Tests one member against the suite's shift at `confidence`.
pub fn against_suite(m: &SuiteMember, suite: &SuiteShift, confidence: f64) -> Option<SuiteTest> {
    let relative = m.shift - suite.shift;
    let var = suite.tau2 + m.se2 + suite.shift_var;
    if !relative.is_finite() || var.is_nan() || var <= 0.0 || !var.is_finite() {
        return None;
    }
    // Welch-Satterthwaite: each variance component with its own degrees of freedom.
    let part = |v: f64, df: f64| {
        if v > 0.0 && df.is_finite() && df > 0.0 {
            v * v / df
        } else {
            0.0
        }
    };
    let denominator = part(suite.tau2 + suite.shift_var, suite.df) + part(m.se2, m.df.max(1.0));
    let df = if denominator > 0.0 {
        (var * var / denominator).max(1.0)
    } else {
        f64::INFINITY
    };
    let df = df.min(1e6);
    let t = relative / var.sqrt();
    let p = (2.0 * student_t_cdf(-t.abs(), df)).clamp(0.0, 1.0);
    let q = student_t_quantile(0.5 + confidence / 2.0, df);
    Some(SuiteTest {
        relative,
        var,
        df,
        p,
        lo: relative - q * var.sqrt(),
        hi: relative + q * var.sqrt(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(shift: f64) -> SuiteMember {
        SuiteMember {
            shift,
            se2: 0.0,
            df: f64::INFINITY,
        }
    }

    #[test]
    fn the_suite_shift_is_the_median_shift() {
        let xs = [0.01, 0.02, 0.03, 0.04, 0.05, 0.9, 1.0];
        let s = suite_shift(&xs.map(member)).unwrap();
        assert_eq!(s.shift, 0.04);
        assert_eq!(s.members, 7);
        // The two far-away shifts are changes, not noise: left out of the spread.
        assert_eq!(s.kept, 5);
    }

    #[test]
    fn without_within_run_error_the_spread_is_the_sample_variance_about_the_median() {
        // Paule-Mandel with se = 0: sum r^2 / tau^2 = (k - 1) * 0.911247.
        let xs = [-0.02, -0.01, 0.0, 0.01, 0.02];
        let s = suite_shift(&xs.map(member)).unwrap();
        let expected = (0.0004 + 0.0001 + 0.0 + 0.0001 + 0.0004) / (4.0 * TRUNCATED_VARIANCE);
        assert!((s.tau2 - expected).abs() < 1e-12, "{}", s.tau2);
        assert_eq!(s.df, 4.0);
    }

    #[test]
    fn within_run_error_that_explains_the_spread_leaves_no_between_run_variance() {
        let xs: Vec<SuiteMember> = [-0.01, 0.0, 0.01, 0.005, -0.005]
            .iter()
            .map(|&shift| SuiteMember {
                shift,
                se2: 0.01,
                df: 18.0,
            })
            .collect();
        assert_eq!(suite_shift(&xs).unwrap().tau2, 0.0);
    }

    #[test]
    fn a_metric_far_from_its_suite_is_significant_and_one_within_it_is_not() {
        let xs: Vec<SuiteMember> = (0..20)
            .map(|i| member(0.03 + 0.02 * ((i as f64) / 19.0 - 0.5)))
            .collect();
        let s = suite_shift(&xs).unwrap();
        let far = against_suite(&member(0.03 + 0.15), &s, 0.95).unwrap();
        assert!(far.p < 1e-6, "{far:?}");
        assert!((far.relative - 0.15).abs() < 1e-12);
        let near = against_suite(&member(0.035), &s, 0.95).unwrap();
        assert!(near.p > 0.5, "{near:?}");
        assert!(near.lo < 0.005 && near.hi > 0.005);
    }

    #[test]
    fn too_few_or_broken_members_give_nothing() {
        assert!(suite_shift(&[member(0.0), member(0.1)]).is_none());
        assert!(suite_shift(&[member(0.0), member(0.1), member(f64::NAN)]).is_none());
    }
}
