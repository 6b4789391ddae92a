//! Prediction intervals over a history of runs: where the next run's value of a metric is
//! expected to fall, given the last runs' values, and how surprising a new value is.
//!
//! Values are taken on a log scale (run-to-run noise of times and sizes is multiplicative, and a
//! log scale makes the interval asymmetric in the right way: it can never go below zero).

use super::tdist::{student_t_quantile, student_t_two_sided_p};

/// A prediction interval for one future value, back on the original scale.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prediction {
    /// Number of history values.
    pub n: usize,
    /// Mean of the log values.
    pub log_mean: f64,
    /// Sample standard deviation of the log values (`n - 1` in the denominator), or the
    /// moderated one ([`Prediction::moderated`]).
    pub log_sd: f64,
    /// Degrees of freedom of `log_sd`: `n - 1`, or more once moderated.
    pub df: f64,
    /// `exp(log_mean)`: the geometric mean of the history.
    pub center: f64,
    pub lo: f64,
    pub hi: f64,
    pub confidence: f64,
}

/// The t-based prediction interval for one future observation of a normal sample, computed on
/// `ln` of the values: `mean ± t_{(1+confidence)/2, n-1} · sd · sqrt(1 + 1/n)`, mapped back with
/// `exp` (the textbook interval, e.g. Hahn & Meeker, *Statistical Intervals*, 1991, chapter 4;
/// NIST/SEMATECH e-Handbook of Statistical Methods). It covers the next value with probability
/// `confidence` when the log values are independent and normal with a stable mean and spread.
///
/// `None` with fewer than two values, a value that is not positive and finite, or a
/// `confidence` outside (0, 1).
pub fn log_prediction_interval(history: &[f64], confidence: f64) -> Option<Prediction> {
    if history.len() < 2 || !(confidence > 0.0 && confidence < 1.0) {
        return None;
    }
    if history.iter().any(|v| !v.is_finite() || *v <= 0.0) {
        return None;
    }
    let n = history.len() as f64;
    let logs: Vec<f64> = history.iter().map(|v| v.ln()).collect();
    let first = logs.first().copied().unwrap_or(0.0);
    // A flat history (a count that never moved) must give a point interval exactly, not one
    // widened by rounding.
    let (mean, sd) = if logs.iter().all(|l| *l == first) {
        (first, 0.0)
    } else {
        let mean = logs.iter().sum::<f64>() / n;
        let var = logs.iter().map(|l| (l - mean).powi(2)).sum::<f64>() / (n - 1.0);
        (mean, var.sqrt())
    };
    Some(Prediction::from_log(
        history.len(),
        mean,
        sd,
        n - 1.0,
        confidence,
    ))
}

impl Prediction {
    /// The interval for the next value from `n` values whose logs have mean `log_mean` and a
    /// standard deviation `log_sd` on `df` degrees of freedom:
    /// `log_mean ± t_{(1+confidence)/2, df} · log_sd · sqrt(1 + 1/n)`, mapped back with `exp`.
    pub fn from_log(n: usize, log_mean: f64, log_sd: f64, df: f64, confidence: f64) -> Prediction {
        let half = half_width(n, log_sd, df, confidence);
        Prediction::around(n, log_mean, log_sd, df, confidence, half)
    }

    fn around(n: usize, log_mean: f64, log_sd: f64, df: f64, confidence: f64, half: f64) -> Self {
        Prediction {
            n,
            log_mean,
            log_sd,
            df,
            center: log_mean.exp(),
            lo: (log_mean - half).exp(),
            hi: (log_mean + half).exp(),
            confidence,
        }
    }

    /// The same interval with the spread of the log values replaced by a moderated one: the
    /// posterior variance of limma's empirical Bayes over many metrics' histories
    /// ([`super::moderated_t`]'s `var` and `df`), `mean ± t_{(1+confidence)/2, df} · sqrt(var) ·
    /// sqrt(1 + 1/n)`. `None` for a variance that is not positive and finite or degrees of
    /// freedom that are not positive.
    pub fn moderated(&self, var: f64, df: f64) -> Option<Prediction> {
        if !(var.is_finite() && var > 0.0 && df > 0.0) {
            return None;
        }
        let sd = var.sqrt();
        let half = half_width(self.n, sd, df, self.confidence);
        if !half.is_finite() {
            return None;
        }
        Some(Prediction::around(
            self.n,
            self.log_mean,
            sd,
            df,
            self.confidence,
            half,
        ))
    }
}

/// Half the width of the interval on the log scale: `t_{(1+confidence)/2, df} · sd · sqrt(1 + 1/n)`.
fn half_width(n: usize, log_sd: f64, df: f64, confidence: f64) -> f64 {
    student_t_quantile((1.0 + confidence) / 2.0, df) * log_sd * (1.0 + 1.0 / n as f64).sqrt()
}

impl Prediction {
    /// The two-sided predictive p-value of a new value: the smallest `1 - confidence` whose
    /// interval excludes it, `2 P(T_{n-1} >= |ln v - mean| / (sd sqrt(1 + 1/n)))`. Under the
    /// interval's assumptions it is uniform on (0, 1) for a value from the same distribution, so
    /// it can join the other p-values of a run in a false discovery correction. With a history
    /// of equal values (sd 0) it is 1 for the same value and 0 for any other. `None` for a value
    /// that is not positive and finite.
    pub fn p_value(&self, value: f64) -> Option<f64> {
        if !value.is_finite() || value <= 0.0 {
            return None;
        }
        let dist = (value.ln() - self.log_mean).abs();
        let scale = self.log_sd * (1.0 + 1.0 / self.n as f64).sqrt();
        if scale == 0.0 {
            return Some(if dist == 0.0 { 1.0 } else { 0.0 });
        }
        let t = dist / scale;
        Some(student_t_two_sided_p(t, self.df))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HISTORY: [f64; 10] = [
        100.0, 102.0, 98.0, 101.0, 99.5, 103.0, 97.0, 100.5, 101.5, 99.0,
    ];

    #[test]
    fn matches_scipy() {
        // x = np.log([100, 102, 98, 101, 99.5, 103, 97, 100.5, 101.5, 99.0]); n = 10
        // m, s = x.mean(), x.std(ddof=1); h = stats.t.ppf(0.975, n-1) * s * np.sqrt(1 + 1/n)
        // np.exp(m - h), np.exp(m + h)  (NumPy 2.4.6, SciPy 1.17.1)
        let p = log_prediction_interval(&HISTORY, 0.95).unwrap();
        assert!((p.log_mean - 4.606516498179732).abs() < 1e-13);
        assert!((p.log_sd - 0.018425056124950705).abs() < 1e-13);
        assert!((p.lo - 95.85165678328038).abs() < 1e-9, "{p:?}");
        assert!((p.hi - 104.60917279909756).abs() < 1e-9, "{p:?}");
        // z = (np.log(106) - m) / (s * np.sqrt(1 + 1/n)); 2 * stats.t.sf(abs(z), n - 1)
        let pv = p.p_value(106.0).unwrap();
        assert!((pv - 0.0163363010615307).abs() < 1e-12, "{pv}");
    }

    #[test]
    fn refuses_what_it_cannot_use() {
        assert!(log_prediction_interval(&[1.0], 0.95).is_none());
        assert!(log_prediction_interval(&[1.0, 0.0, 2.0], 0.95).is_none());
        assert!(log_prediction_interval(&[1.0, f64::NAN], 0.95).is_none());
        assert!(log_prediction_interval(&[1.0, 2.0], 1.0).is_none());
    }

    #[test]
    fn a_flat_history_has_a_point_interval() {
        let p = log_prediction_interval(&[5.0; 12], 0.95).unwrap();
        assert_eq!(p.log_sd, 0.0);
        assert_eq!(p.lo, p.hi);
        assert!((p.lo - 5.0).abs() < 1e-12);
        assert_eq!(p.p_value(5.0), Some(1.0));
        assert_eq!(p.p_value(5.1), Some(0.0));
    }

    #[test]
    fn covers_the_next_value_at_its_level_for_lognormal_noise() {
        // 20,000 histories of 10 lognormal values and one more value: the share of next values
        // inside the interval should be `confidence` (binomial standard error 0.15-0.3
        // percentage points; the bound allows about four).
        let mut normal = crate::stats::testing::normals(3);
        for conf in [0.9, 0.98] {
            let trials = 20_000;
            let mut inside = 0;
            for _ in 0..trials {
                let h: Vec<f64> = (0..10).map(|_| 100.0 * (0.05 * normal()).exp()).collect();
                let next = 100.0 * (0.05 * normal()).exp();
                let p = log_prediction_interval(&h, conf).unwrap();
                if p.lo <= next && next <= p.hi {
                    inside += 1;
                }
            }
            let share = f64::from(inside) / f64::from(trials);
            assert!((share - conf).abs() < 0.008, "{conf}: {share}");
        }
    }

    #[test]
    fn the_p_value_agrees_with_the_interval() {
        // A value on the interval's edge has p = 1 - confidence; inside, more; outside, less.
        let mut seed = 11u64;
        let mut next = move || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 11) as f64 / (1u64 << 53) as f64
        };
        for n in 2..40 {
            let h: Vec<f64> = (0..n).map(|_| 50.0 + 10.0 * next()).collect();
            for conf in [0.8, 0.95, 0.98] {
                let p = log_prediction_interval(&h, conf).unwrap();
                assert!(p.lo <= p.center && p.center <= p.hi);
                assert!((p.p_value(p.hi).unwrap() - (1.0 - conf)).abs() < 1e-9);
                assert!((p.p_value(p.lo).unwrap() - (1.0 - conf)).abs() < 1e-9);
                assert!(p.p_value(p.hi * 1.01).unwrap() < 1.0 - conf);
                assert!(p.p_value(p.center).unwrap() > 1.0 - conf);
            }
        }
    }
}
