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
//! `sum (x_i - m)^2 / (tau^2 + se_i^2) = k - 1`, over the metrics within 2 standardized
//! deviations of `m` (corrected for that truncation), cut again with each new estimate until the
//! metrics kept settle, from a first, median-based pass (a median of squares has a known value
//! under the model, `0.4549` for a chi-square of 1 df). The spread counts only when the metrics
//! scatter by more than their within-run errors explain (Cochran's Q, Cochran 1954, at the 5%
//! level), so that metrics compared within one machine's run keep the power of their own test.
//! A metric is then tested against the suite: `t = (x_i - m) / sqrt(tau^2 + se_i^2 + var(m))`,
//! with Welch-Satterthwaite degrees of freedom (Satterthwaite 1946).

use super::summary::{median, median_in_place};
use super::tdist::{student_t_cdf, student_t_quantile};

/// The standard normal quantile of 0.995: a suite-wide shift beyond this many of its standard
/// errors is one (two-sided, 1%).
const SHIFT_Z: f64 = 2.575_829_303_548_901;

/// Median of a chi-square distribution with one degree of freedom.
const CHI2_1_MEDIAN: f64 = 0.454_936_423_119_572_7;

/// How far from the suite's shift (in standardized deviations) a metric may lie and still be used
/// to estimate the spread: farther, it is a change, not noise.
const KEEP_WITHIN: f64 = 2.0;

/// Share of a normal distribution's variance left after truncating it at +-[`KEEP_WITHIN`]
/// standard deviations: `1 - 2 c phi(c) / (2 Phi(c) - 1)` at `c = 2`.
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

impl SuiteShift {
    /// Whether the suite shows anything its metrics' own tests do not: spread between runs, or a
    /// suite-wide shift beyond what the median of the metrics' own errors would show (two-sided,
    /// 1%, as the spread). Otherwise judging each metric against the suite only adds the noise of
    /// the suite's median to its own test.
    pub fn shows_run_to_run_noise(&self) -> bool {
        self.tau2 > 0.0 || self.shift.abs() > SHIFT_Z * self.shift_var.sqrt()
    }
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
    // A shift's within-run error is estimated: over its standard error it is Student's t with
    // `df` degrees of freedom, whose variance is df / (df - 2). Taking `se^2` at face value would
    // read the t's heavier tails as run-to-run spread where there is none.
    let r2: Vec<(f64, f64)> = members
        .iter()
        .map(|m| ((m.shift - center).powi(2), m.se2 * t_variance(m.df)))
        .collect();
    // First pass, robust: median of r^2 / (tau^2 + se^2) equals chi2(1)'s median.
    let mut z = Vec::with_capacity(r2.len());
    let robust = solve_tau2(&r2, |r2, tau2| {
        z.clear();
        z.extend(r2.iter().map(|(r, s)| ratio(*r, tau2 + s)));
        median_in_place(&mut z).unwrap_or(0.0) - CHI2_1_MEDIAN
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
    // Precision weighs the metrics where each one's error is measured on repeats.
    let measured = members.iter().all(|m| m.df >= MEASURED_DF);
    let tau2 = if heterogeneous(&r2, measured) {
        tau2
    } else {
        0.0
    };
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

/// Confidence at which the metrics' spread must exceed their within-run error to count as
/// spread between runs. At 99% it missed spread that real reruns have: a few metrics far out
/// while the noisier rest scatter as their repeats say (busy Go run2 → run4, Q 24.5 against
/// 24.7; the quiet 42-benchmark Go suite run1 → run5), and those far out failed unchanged code.
/// At 95% both pass, no real rerun fails that passed, every slowdown still fails, and the
/// simulation's one-run and history rows and its 300-benchmark tables are unchanged; with the
/// pull request run twice or three times, M2 catches 6 and 10 points less (those rows' errors
/// rest on two or three runs). An earlier rule, at 95%, found spread in one suite in eight of
/// 300 metrics with none and lost 4% of the regressions caught; measured again with this one,
/// the 300-benchmark tables do not move.
const HETEROGENEITY_LEVEL: f64 = 0.95;

/// Whether the metrics' shifts scatter by more than their within-run errors explain (`r2`: each
/// squared residual with its within-run variance). Without this test, the moment estimate's own
/// noise adds spread about half the time where there is none (metrics compared within one
/// machine's run, the simulation's independent noise), and costs the test power.
///
/// Cochran's Q at `tau^2 = 0` over the metrics within 3 standard errors (a quarter of the suite
/// may really have changed), corrected for that truncation, against its chi-square quantile; and
/// heterogeneous at once when more than a quarter lie beyond 3 standard errors, which happens to
/// 0.3% of metrics without spread between runs, or, `by_precision`, when those beyond hold more
/// than a quarter of the suite's within-run precision (the sum of `1 / se^2`). A quarter of the
/// suite that changed is a quarter of its information; on a busy machine, where most metrics'
/// repeats are noisy and a few are precise, the precise ones are what shows the spread between
/// runs. criterion's busy reruns, run1 → run5, unchanged: 2 of 8 benchmarks lay 14% and 18% from
/// the rest, beyond 3 standard errors; a quarter by count, not more, so no spread between runs
/// was counted and 3 benchmarks (+11% to +20%) failed the gate; they hold 28% of the precision.
fn heterogeneous(r2: &[(f64, f64)], by_precision: bool) -> bool {
    let within: Vec<f64> = r2
        .iter()
        .map(|(r, v)| ratio(*r, *v))
        .filter(|z2| *z2 <= 9.0)
        .collect();
    let precision = |v: f64| 1.0 / v.max(MIN_VARIANCE);
    let total: f64 = r2.iter().map(|(_, v)| precision(*v)).sum();
    let beyond: f64 = r2
        .iter()
        .filter(|(r, v)| ratio(*r, *v) > 9.0)
        .map(|(_, v)| precision(*v))
        .sum();
    let many_beyond = within.len() * 4 < r2.len() * 3 || (by_precision && beyond * 4.0 > total);
    if many_beyond || within.len() < 3 {
        return true;
    }
    let q = within.iter().sum::<f64>() / TRUNCATED_VARIANCE_AT_3;
    q > chi2_quantile(HETEROGENEITY_LEVEL, (within.len() - 1) as f64)
}

/// The smallest within-run variance counted in a metric's precision (a standard error of 1e-6 on
/// the log scale): one value per run without an interval has none.
const MIN_VARIANCE: f64 = 1e-12;

/// Fewest degrees of freedom of every metric's within-run error for precision to weigh the
/// metrics beyond 3 standard errors: an error measured on two or three runs is too rough a
/// weight (with the pull request run twice or three times, M2's regressions caught fell by 3.4
/// points in the simulation, where they fall by 1.2 with this floor).
const MEASURED_DF: f64 = 8.0;

/// Share of a normal distribution's variance left after truncating it at +-3 standard deviations.
const TRUNCATED_VARIANCE_AT_3: f64 = 0.973_336;

/// The `p` quantile of the chi-square distribution with `df` degrees of freedom, by Wilson and
/// Hilferty's cube-root normal approximation (1931): within 1% from 3 degrees of freedom on.
fn chi2_quantile(p: f64, df: f64) -> f64 {
    let z = super::normal::inverse_cdf(p);
    let a = 2.0 / (9.0 * df);
    df * (1.0 - a + z * a.sqrt()).powi(3)
}

/// The variance of Student's t with `df` degrees of freedom, `df / (df - 2)`; 2 below 4 degrees
/// of freedom, where it is infinite or not yet near (a cap that keeps a metric of two repeats from
/// hiding all spread), 1 when `df` is infinite (a known error).
fn t_variance(df: f64) -> f64 {
    if df.is_infinite() {
        1.0
    } else if df >= 4.0 {
        df / (df - 2.0)
    } else {
        2.0
    }
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
fn solve_tau2(r2: &[(f64, f64)], mut f: impl FnMut(&[(f64, f64)], f64) -> f64) -> f64 {
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

/// The standard error of a positive estimate on the log scale, from the confidence interval a
/// tool gave for it: `ln(hi / lo) / (2 z)`, with `z` the standard normal quantile of
/// `(1 + confidence) / 2` (1.96 at 95%): the usual way back from a reported interval of a ratio
/// to its standard error (Altman & Bland, "How to obtain the P value from a confidence
/// interval", BMJ 2011). The interval is taken as symmetric on the log scale; a skewed one
/// counts by its whole width. None unless `0 < lo <= hi`, both finite, and
/// `0 < confidence < 1`.
pub fn log_se_from_interval(lo: f64, hi: f64, confidence: f64) -> Option<f64> {
    let usable = lo > 0.0 && hi >= lo && hi.is_finite() && confidence > 0.0 && confidence < 1.0;
    if !usable {
        return None;
    }
    let z = super::normal::inverse_cdf(0.5 + confidence / 2.0);
    Some((hi / lo).ln() / (2.0 * z))
}

/// How much benchmarks differ in how they follow the machine: the standard deviation of their
/// loadings on it. A faster machine does not speed every benchmark up alike: in the 42-benchmark
/// Go suite run 30 times on one VM (`tests/fixtures/reruns/quiet/go-history`, machines spread
/// 4.7% between runs), each benchmark's run values regressed on its runs' machines move 0.55
/// (`Atomic_10K`, `PingPong_1K`: synchronisation) to 1.74 (`BinarySearch_10K`: memory) times
/// as far as the machine; their spread is 0.255, of which 0.132 is the error of estimating
/// each from 30 runs, which leaves 0.22. A benchmark that follows the machine by a loading `b`
/// moves `(b - 1) m` against its suite when the whole run moved by `m`: with one baseline run,
/// 19 of the 45 pairs of those runs that failed unchanged were pairs whose whole run moved by 8%
/// or more (run13 -> run18, 13% faster: `Atomic_10K` +22% against the rest, +6.7% against the
/// baseline run itself).
pub const MACHINE_LOADING_SD: f64 = 0.22;

/// The variance a metric's move against its suite gets from the loadings' spread when the whole
/// run moved by `shift` (log): `(MACHINE_LOADING_SD * shift)^2`.
fn loading_var(shift: f64) -> f64 {
    (MACHINE_LOADING_SD * shift).powi(2)
}

/// Tests one member against the suite's shift at `confidence`.
pub fn against_suite(m: &SuiteMember, suite: &SuiteShift, confidence: f64) -> Option<SuiteTest> {
    let relative = m.shift - suite.shift;
    let estimated = suite.tau2 + suite.shift_var;
    let var = estimated + loading_var(suite.shift) + m.se2;
    if !relative.is_finite() || var.is_nan() || var <= 0.0 || !var.is_finite() {
        return None;
    }
    // Welch-Satterthwaite: each estimated variance component with its own degrees of freedom.
    // The loadings' part is added to the variance only: in the degrees of freedom it would count
    // as known and raise them, which can lower a p-value it was added to raise.
    let part = |v: f64, df: f64| {
        if v > 0.0 && df.is_finite() && df > 0.0 {
            v * v / df
        } else {
            0.0
        }
    };
    let denominator = part(estimated, suite.df) + part(m.se2, m.df.max(1.0));
    let df = if denominator > 0.0 {
        ((estimated + m.se2).powi(2) / denominator).max(1.0)
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
        // Paule-Mandel with se = 0: sum r^2 / tau^2 = (k - 1) * TRUNCATED_VARIANCE.
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
    fn a_whole_run_that_moved_widens_each_metrics_test_by_the_loadings() {
        let suite = |shift: f64| SuiteShift {
            shift,
            shift_var: 1e-5,
            tau2: 0.02f64.powi(2),
            df: 41.0,
            kept: 42,
            members: 42,
        };
        let m = |relative: f64, shift: f64| SuiteMember {
            shift: shift + relative,
            se2: 0.01f64.powi(2),
            df: 18.0,
        };
        // The same move against the suite: the whole run held still, or was 13% faster.
        let still = against_suite(&m(0.15, 0.0), &suite(0.0), 0.95).unwrap();
        let moved = against_suite(&m(0.15, -0.13), &suite(-0.13), 0.95).unwrap();
        let extra = (MACHINE_LOADING_SD * 0.13).powi(2);
        assert!(
            (moved.var - still.var - extra).abs() < 1e-15,
            "{still:?} {moved:?}"
        );
        assert_eq!(moved.relative, still.relative);
        assert!(moved.p > 10.0 * still.p, "{still:?} {moved:?}");
        // The degrees of freedom are those of the estimated parts alone.
        assert_eq!(moved.df, still.df);
        // A larger variance at the same degrees of freedom never lowers a p-value: the
        // known part must not raise the degrees of freedom of a metric measured on few runs.
        let few = SuiteMember {
            shift: 0.10,
            se2: 0.03f64.powi(2),
            df: 2.0,
        };
        let p0 = against_suite(&few, &suite(0.0), 0.95).unwrap();
        let few_moved = SuiteMember {
            shift: 0.10 + 0.2,
            ..few
        };
        let p1 = against_suite(&few_moved, &suite(0.2), 0.95).unwrap();
        assert!((p1.relative - p0.relative).abs() < 1e-12);
        assert!(p1.p > p0.p, "{p0:?} {p1:?}");
    }

    #[test]
    fn the_chi_square_quantile_is_close_to_scipys() {
        // scipy.stats.chi2.ppf(0.95, df)
        for (df, want) in [(7.0, 14.067_140), (19.0, 30.143_527), (299.0, 340.000_342)] {
            let got = chi2_quantile(0.95, df);
            assert!((got / want - 1.0).abs() < 0.005, "{df}: {got} vs {want}");
        }
    }

    #[test]
    fn spread_the_within_run_error_explains_is_not_taken_for_spread_between_runs() {
        // Twenty metrics whose shifts scatter by about their standard error: no spread between
        // runs, though the moment equation alone would find a little.
        let z = [
            0.3, -1.2, 0.8, -0.4, 1.5, -0.9, 0.1, -0.2, 1.1, -1.0, 0.6, -0.7, 0.2, -0.1, 1.3, -1.4,
            0.4, -0.5, 0.9, -0.3,
        ];
        let xs: Vec<SuiteMember> = z
            .iter()
            .map(|z| SuiteMember {
                shift: 0.01 * z,
                se2: 0.0001,
                df: f64::INFINITY,
            })
            .collect();
        assert_eq!(suite_shift(&xs).unwrap().tau2, 0.0);
        // Three times the spread: between runs.
        let wide: Vec<SuiteMember> = xs
            .iter()
            .map(|m| SuiteMember {
                shift: 3.0 * m.shift,
                ..*m
            })
            .collect();
        assert!(suite_shift(&wide).unwrap().tau2 > 0.0005);
    }

    /// Members of `(shift, standard error)` pairs whose errors have `df` degrees of freedom.
    fn with_errors(pairs: &[(f64, f64)], df: f64) -> Vec<SuiteMember> {
        pairs
            .iter()
            .map(|&(shift, se)| SuiteMember {
                shift,
                se2: se * se,
                df,
            })
            .collect()
    }

    #[test]
    fn precise_metrics_far_from_the_rest_show_spread_between_runs() {
        // criterion's busy reruns, run1 → run5 (unchanged code): each benchmark's shift against
        // the median and the standard error of its shift from 100 samples a side.
        let shifts = [
            (0.142, 0.0563),
            (0.100, 0.0460),
            (0.019, 0.0378),
            (0.002, 0.0287),
            (0.138, 0.0310),
            (0.181, 0.0390),
            (-0.007, 0.0443),
            (-0.002, 0.0285),
        ];
        // Two of eight beyond 3 standard errors: a quarter by count, 28% of the precision.
        let fit = suite_shift(&with_errors(&shifts, 99.0)).unwrap();
        assert!(fit.tau2 > 0.005, "{fit:?}");
    }

    #[test]
    fn precision_weighs_only_errors_measured_on_repeats() {
        // Six noisy metrics that scatter as their errors say, and two precise ones far out: a
        // quarter by count, nearly all the precision.
        let suite = |df: f64| -> Vec<SuiteMember> {
            let shifts = [
                (-0.06, 0.05),
                (-0.05, 0.05),
                (-0.03, 0.05),
                (0.03, 0.05),
                (0.05, 0.05),
                (0.06, 0.05),
                (0.05, 0.005),
                (-0.04, 0.005),
            ];
            with_errors(&shifts, df)
        };
        let fit = suite_shift(&suite(99.0)).unwrap();
        assert!(fit.tau2 > 0.0, "{fit:?}");
        // Errors measured on two runs are too rough to weigh: the count decides, and two of
        // eight are not more than a quarter.
        let fit = suite_shift(&suite(2.0)).unwrap();
        assert_eq!(fit.tau2, 0.0, "{fit:?}");
    }

    #[test]
    fn a_suite_shows_run_to_run_noise_by_its_spread_or_its_shift() {
        let quiet: Vec<SuiteMember> = [-0.01, 0.005, 0.0, 0.01, -0.005]
            .iter()
            .map(|&shift| SuiteMember {
                shift,
                se2: 0.0001,
                df: f64::INFINITY,
            })
            .collect();
        assert!(!suite_shift(&quiet).unwrap().shows_run_to_run_noise());
        // The same scatter on a machine 5% slower: a shift far beyond its error.
        let slower: Vec<SuiteMember> = quiet
            .iter()
            .map(|m| SuiteMember {
                shift: m.shift + 0.05,
                ..*m
            })
            .collect();
        let s = suite_shift(&slower).unwrap();
        assert_eq!(s.tau2, 0.0);
        assert!(s.shows_run_to_run_noise());
    }

    #[test]
    fn a_95_percent_interval_is_four_standard_errors_wide_on_the_log_scale() {
        // criterion's `fib_20  time: [20.080 µs 20.271 µs 20.515 µs]`.
        let se = log_se_from_interval(20.080, 20.515, 0.95).unwrap();
        let want = (20.515f64 / 20.080).ln() / (2.0 * 1.959_963_984_540_054);
        assert!((se / want - 1.0).abs() < 1e-12, "{se} vs {want}");
        // A 90% interval of the same width is narrower in standard errors (1.645 each way).
        let se90 = log_se_from_interval(20.080, 20.515, 0.90).unwrap();
        assert!((se90 / se - 1.959_964 / 1.644_854).abs() < 1e-5);
        assert_eq!(log_se_from_interval(5.0, 5.0, 0.95), Some(0.0));
        for (lo, hi, c) in [
            (0.0, 1.0, 0.95),
            (2.0, 1.0, 0.95),
            (1.0, f64::INFINITY, 0.95),
            (1.0, 2.0, 1.0),
            (f64::NAN, 2.0, 0.95),
        ] {
            assert_eq!(log_se_from_interval(lo, hi, c), None, "{lo} {hi} {c}");
        }
    }

    #[test]
    fn too_few_or_broken_members_give_nothing() {
        assert!(suite_shift(&[member(0.0), member(0.1)]).is_none());
        assert!(suite_shift(&[member(0.0), member(0.1), member(f64::NAN)]).is_none());
    }
}
