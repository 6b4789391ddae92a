//! The tails of a history's run-to-run noise, learnt from the history itself.
//!
//! A prediction interval takes the runs' log values as normal. Real run-to-run moves are not:
//! against their suite, the metrics of 60 unchanged pairs of real reruns (Go, a 42-benchmark Go
//! suite and criterion, quiet and busy, `tests/fixtures/reruns`) lay as Student's t with 4 degrees
//! of freedom (scale 0.92; log-likelihood -1985 against -2054 for the normal), 2.4% to 8.5% of
//! them beyond 3 standard errors where the normal has 0.27%. Judged against a normal interval,
//! such a history fails an unchanged run far more often than its level says.
//!
//! A history holds what it needs to tell: each of its runs judged against the others as the
//! current run is judged against all of them. For a normal history of `n` runs that leave-one-out
//! statistic, `(x_j - mean_-j) / (sd_-j sqrt(1 + 1/(n - 1)))`, is exactly Student's t with `n - 2`
//! degrees of freedom. Pooled over the metrics of a run, the statistics are fitted a scaled
//! Student's t by maximum likelihood; where it fits far better than the normal model's t
//! (a likelihood-ratio test at 1%), the current value's p-value and interval are read from the
//! fitted distribution instead. The current pull request plays no part in the fit, so a real
//! change cannot widen the tails that judge it, as it would if they were read from the current
//! run's suite.

use super::tdist::ln_gamma;

/// The scaled Student's t the history's own runs follow: a leave-one-out statistic of theirs is
/// `scale * T(df)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tails {
    pub df: f64,
    pub scale: f64,
    /// How many leave-one-out statistics the fit read, and of how many metrics.
    pub values: usize,
    pub metrics: usize,
}

/// The degrees of freedom tried, from tails heavier than any seen on real reruns to nearly
/// normal.
const DF_GRID: [f64; 16] = [
    1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 5.0, 6.0, 8.0, 10.0, 12.0, 15.0, 20.0, 30.0, 50.0, 100.0,
];

/// Fewest leave-one-out statistics for a fit: twenty metrics of five runs, or five of twenty.
pub const TAILS_MIN_VALUES: usize = 100;

/// Twice the log-likelihood gain over the normal model the fit must reach: the chi-square
/// quantile of 2 degrees of freedom (scale and tails) at 99%.
const TAILS_GAIN: f64 = 9.210_340_371_976_18;

/// Fewest runs of a history for its leave-one-out statistics to count: two fewer are their
/// degrees of freedom under the normal model.
pub const TAILS_MIN_RUNS: usize = 6;

/// The leave-one-out statistics of `logs` (one history's log run values) with their degrees of
/// freedom under the normal model (`n - 2`); none with fewer than [`TAILS_MIN_RUNS`] values, a
/// value that is not finite, or a run whose others do not vary.
pub fn leave_one_out(logs: &[f64]) -> Vec<(f64, f64)> {
    let n = logs.len();
    if n < TAILS_MIN_RUNS || logs.iter().any(|x| !x.is_finite()) {
        return Vec::new();
    }
    let nf = n as f64;
    let mean = logs.iter().sum::<f64>() / nf;
    let ss: f64 = logs.iter().map(|x| (x - mean).powi(2)).sum();
    let mut out = Vec::with_capacity(n);
    for x in logs {
        let d = x - mean;
        // Removing one value: the others' mean and sum of squares.
        let mean_others = mean - d / (nf - 1.0);
        let ss_others = ss - d * d * nf / (nf - 1.0);
        let var_others = ss_others / (nf - 2.0);
        if var_others.is_nan() || var_others <= 0.0 {
            return Vec::new();
        }
        let t = (x - mean_others) / (var_others * (1.0 + 1.0 / (nf - 1.0))).sqrt();
        out.push((t, nf - 2.0));
    }
    out
}

/// The log density of Student's t with `df` degrees of freedom, scaled by `scale`, at `x`.
fn t_log_pdf(x: f64, df: f64, scale: f64) -> f64 {
    t_log_constant(df) - scale.ln() - t_log_kernel(x * x / (scale * scale), df)
}

/// The part of the log density that does not depend on the value.
fn t_log_constant(df: f64) -> f64 {
    ln_gamma((df + 1.0) / 2.0) - ln_gamma(df / 2.0) - 0.5 * (df * std::f64::consts::PI).ln()
}

/// The part that does, from the squared standardized value `z2`.
fn t_log_kernel(z2: f64, df: f64) -> f64 {
    (df + 1.0) / 2.0 * (z2 / df).ln_1p()
}

/// Most rounds of the fixed-point iteration for the scale, and when it has settled.
const SCALE_ROUNDS: usize = 200;
const SCALE_SETTLED: f64 = 1e-10;

/// The log-likelihood of statistics whose squares are `squares` as `scale * T(df)`, at the
/// best scale: the fixed point of `s^2 = mean((df + 1) x^2 / (df + x^2 / s^2))`, the EM
/// algorithm of the t distribution with its degrees of freedom known (Lange, Little & Taylor,
/// "Robust statistical modeling using the t distribution", JASA 1989), each round of which
/// raises the likelihood.
fn best_scale(squares: &[f64], df: f64) -> (f64, f64) {
    let n = squares.len() as f64;
    let mut s2 = squares.iter().sum::<f64>() / n;
    for _ in 0..SCALE_ROUNDS {
        if !(s2.is_finite() && s2 > 0.0) {
            return (f64::NEG_INFINITY, f64::NAN);
        }
        let next = squares
            .iter()
            .map(|x2| (df + 1.0) * x2 / (df + x2 / s2))
            .sum::<f64>()
            / n;
        let settled = (next / s2 - 1.0).abs() < SCALE_SETTLED;
        s2 = next;
        if settled {
            break;
        }
    }
    if !(s2.is_finite() && s2 > 0.0) {
        return (f64::NEG_INFINITY, f64::NAN);
    }
    let kernel: f64 = squares.iter().map(|x2| t_log_kernel(x2 / s2, df)).sum();
    (
        n * t_log_constant(df) - n * 0.5 * s2.ln() - kernel,
        s2.sqrt(),
    )
}

/// Most statistics a fit reads: beyond, an even sample of them (every k-th), which tells the
/// shape as well and keeps a suite of 3,000 benchmarks' history as quick to judge as before.
const FIT_MAX_VALUES: usize = 4096;

/// Fits the scaled Student's t to pooled leave-one-out statistics (`(statistic, df under the
/// normal model)`, of `metrics` metrics). `Some` only where it fits better than the normal model
/// by [`TAILS_GAIN`] and has at least [`TAILS_MIN_VALUES`] statistics: otherwise the normal
/// intervals stand.
pub fn fit_tails(values: &[(f64, f64)], metrics: usize) -> Option<Tails> {
    if values.len() < TAILS_MIN_VALUES
        || values
            .iter()
            .any(|(t, df)| !(t.is_finite() && df.is_finite() && *df > 0.0))
    {
        return None;
    }
    let step = values.len().div_ceil(FIT_MAX_VALUES);
    let read: Vec<(f64, f64)> = values.iter().step_by(step).copied().collect();
    let null: f64 = read.iter().map(|(t, df)| t_log_pdf(*t, *df, 1.0)).sum();
    let squares: Vec<f64> = read.iter().map(|(t, _)| t * t).collect();
    let (ll, df, scale) = DF_GRID
        .iter()
        .map(|df| {
            let (ll, scale) = best_scale(&squares, *df);
            (ll, *df, scale)
        })
        .fold((f64::NEG_INFINITY, f64::NAN, f64::NAN), |best, next| {
            if next.0 > best.0 {
                next
            } else {
                best
            }
        });
    (2.0 * (ll - null) > TAILS_GAIN && df.is_finite()).then_some(Tails {
        df,
        scale,
        values: values.len(),
        metrics,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::stats::tdist::student_t_two_sided_p;
    use crate::stats::testing::{normals, student_t};

    /// `metrics` histories of `runs` log values each, every value `noise()`: their pooled
    /// leave-one-out statistics.
    fn pooled(metrics: usize, runs: usize, mut noise: impl FnMut() -> f64) -> Vec<(f64, f64)> {
        (0..metrics)
            .flat_map(|_| {
                let logs: Vec<f64> = (0..runs).map(|_| 4.0 + 0.03 * noise()).collect();
                leave_one_out(&logs)
            })
            .collect()
    }

    #[test]
    fn the_log_density_is_scipys() {
        // scipy.stats.t.logpdf(1.5, 4); t.logpdf(-0.7 / 0.8, 3.5) - log(0.8) (SciPy 1.17.1)
        assert!((t_log_pdf(1.5, 4.0, 1.0) - -2.096_547_009_582_774_7).abs() < 1e-12);
        assert!((t_log_pdf(-0.7, 3.5, 0.8) - -1.211_437_962_437_611_7).abs() < 1e-12);
    }

    #[test]
    fn each_run_is_judged_against_the_others() {
        // x = log([100, 102, ..., 99, 120]); o = delete(x, j)
        // (x[j] - o.mean()) / (o.std(ddof=1) * sqrt(1 + 1/(n-1)))  (NumPy 2.4.6)
        let values = [
            100.0, 102.0, 98.0, 101.0, 99.5, 103.0, 97.0, 100.5, 101.5, 99.0, 120.0,
        ];
        let logs: Vec<f64> = values.iter().map(|v: &f64| v.ln()).collect();
        let loo = leave_one_out(&logs);
        assert_eq!(loo.len(), 11);
        let (first, df) = loo[0];
        assert!((first - -0.310_731_922_281_746_73).abs() < 1e-9, "{first}");
        assert_eq!(df, 9.0);
        assert!(
            (loo[10].0 - 9.365_134_311_542_727).abs() < 1e-9,
            "{:?}",
            loo[10]
        );
    }

    #[test]
    fn too_short_or_flat_histories_say_nothing() {
        assert!(leave_one_out(&[1.0, 2.0, 3.0, 4.0, 5.0]).is_empty());
        assert!(leave_one_out(&[1.0, 2.0, 3.0, 4.0, 5.0, f64::NAN]).is_empty());
        // Every other run equal: the run judged against them has no spread to be judged by.
        assert!(leave_one_out(&[1.0, 1.0, 1.0, 1.0, 1.0, 2.0]).is_empty());
    }

    #[test]
    fn normal_histories_keep_their_intervals() {
        // 20 metrics of 30 runs, normal: the leave-one-out statistics are Student's t with 28
        // degrees of freedom, and nothing fits better by the margin.
        for seed in 1..=20 {
            let values = pooled(20, 30, normals(seed));
            assert_eq!(values.len(), 600);
            assert_eq!(fit_tails(&values, 20), None, "seed {seed}");
        }
    }

    #[test]
    fn heavy_tailed_histories_are_read_as_they_lie() {
        let values = pooled(20, 30, student_t(7, 3));
        let fit = fit_tails(&values, 20).unwrap();
        assert!((2.5..=5.0).contains(&fit.df), "{fit:?}");
        assert_eq!((fit.values, fit.metrics), (600, 20));
        // A value 5 of the history's spreads out is far rarer under the normal model.
        let heavy = student_t_two_sided_p(5.0 / fit.scale, fit.df);
        let normal = student_t_two_sided_p(5.0, 28.0);
        assert!(heavy > 10.0 * normal, "{heavy} vs {normal}");
    }

    #[test]
    fn an_interval_on_the_scaled_spread_reads_values_as_the_tails_do() {
        // What the gate does with a fit: the history's interval with its spread times the
        // scale and the fit's degrees of freedom, whose p-value is the fitted t's for the
        // statistic the leave-one-out values are.
        let (df, scale) = (4.0, 0.9);
        let (n, mean, sd) = (30, 4.6_f64, 0.03);
        let p = crate::stats::Prediction::from_log(n, mean, sd * scale, df, 0.98);
        for value in [95.0, 100.0, 104.0, 112.0] {
            let t = (f64::ln(value) - mean) / (sd * (1.0 + 1.0 / n as f64).sqrt());
            let interval = p.p_value(value).unwrap();
            let fit = student_t_two_sided_p(t.abs() / scale, df);
            assert!(
                (interval - fit).abs() < 1e-12,
                "{value}: {interval} vs {fit}"
            );
        }
    }

    #[test]
    fn the_scale_is_the_most_likely_one() {
        let mut z = normals(5);
        let xs: Vec<f64> = (0..500).map(|_| 1.7 * z() / (0.5 + z().abs())).collect();
        let squares: Vec<f64> = xs.iter().map(|x| x * x).collect();
        for df in [2.0, 4.0, 30.0] {
            let (ll, scale) = best_scale(&squares, df);
            let at = |s: f64| xs.iter().map(|x| t_log_pdf(*x, df, s)).sum::<f64>();
            assert!((ll - at(scale)).abs() < 1e-6, "{df}: {ll} vs {}", at(scale));
            assert!(
                at(scale * 1.01) < ll && at(scale / 1.01) < ll,
                "{df}: {scale}"
            );
        }
    }

    #[test]
    fn a_large_history_is_read_through_an_even_sample() {
        // 300 metrics of 30 runs, Student's t with 3 degrees of freedom: 9,000 statistics, of
        // which the fit reads every third.
        let values = pooled(300, 30, student_t(9, 3));
        let fit = fit_tails(&values, 300).unwrap();
        assert!((2.5..=5.0).contains(&fit.df), "{fit:?}");
        assert_eq!((fit.values, fit.metrics), (9000, 300));
        assert_eq!(fit_tails(&pooled(300, 30, normals(10)), 300), None);
    }

    #[test]
    fn too_few_or_broken_statistics_fit_nothing() {
        let mut z = normals(3);
        let few: Vec<(f64, f64)> = (0..TAILS_MIN_VALUES - 1)
            .map(|_| (5.0 * z(), 8.0))
            .collect();
        assert_eq!(fit_tails(&few, 10), None);
        let mut broken = pooled(20, 30, normals(4));
        broken[3].0 = f64::NAN;
        assert_eq!(fit_tails(&broken, 20), None);
    }
}
