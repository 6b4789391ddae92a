//! How many repeats would likely decide an inconclusive comparison: a sample-size estimate for
//! the Mann-Whitney U test, or for a t test on log values, from the observed change and spread.

use super::normal;

/// Repeats per side for the two-sided Mann-Whitney U test at level `alpha` to detect, with
/// probability `power`, a shift of `log_shift` between two samples of log values with standard
/// deviation `log_sd`: Noether's formula (Noether 1987, "Sample size determination for some
/// common nonparametric tests", JASA 82:645-647) with equal sample sizes,
/// `N = (z_{1-alpha/2} + z_power)^2 / (3 (p - 1/2)^2)` in total, where
/// `p = P(Y > X) = Phi(|shift| / (sd sqrt 2))` for normal log values; per side `N / 2`, rounded up.
///
/// An estimate from the observed effect: the true change may be smaller. `None` when the shift
/// is zero or not finite, the spread is not finite, or the inputs are out of range. With zero
/// spread the formula gives its floor (6 per side at alpha 0.05 and 80% power).
pub fn repeats_per_side(log_shift: f64, log_sd: f64, alpha: f64, power: f64) -> Option<usize> {
    if !log_shift.is_finite() || log_shift == 0.0 || !log_sd.is_finite() || log_sd < 0.0 {
        return None;
    }
    if !(alpha > 0.0 && alpha < 1.0 && power > 0.0 && power < 1.0) {
        return None;
    }
    let p_sup = normal::cdf(log_shift.abs() / (log_sd * std::f64::consts::SQRT_2));
    let gap = p_sup - 0.5;
    if gap <= 0.0 {
        return None;
    }
    let z = normal::inverse_cdf(1.0 - alpha / 2.0) + normal::inverse_cdf(power);
    let per_side = (z * z / (3.0 * gap * gap) / 2.0).ceil();
    if !per_side.is_finite() {
        return None;
    }
    // Saturating: a billion repeats and a billion and one say the same thing.
    Some((per_side as usize).max(2))
}

/// Repeats per side for a two-sided t test on log values (such as the moderated t test) at level
/// `alpha` to detect, with probability `power`, a shift of `log_shift` with standard deviation
/// `log_sd`: the normal-approximation formula for two equal samples,
/// `n = 2 (z_{1-alpha/2} + z_power)^2 sd^2 / shift^2` per side, rounded up (at least 2). The
/// moderated test's degrees of freedom are many, so the normal quantiles serve. `None` under the
/// same conditions as [`repeats_per_side`].
pub fn repeats_per_side_t(log_shift: f64, log_sd: f64, alpha: f64, power: f64) -> Option<usize> {
    if !log_shift.is_finite() || log_shift == 0.0 || !log_sd.is_finite() || log_sd < 0.0 {
        return None;
    }
    if !(alpha > 0.0 && alpha < 1.0 && power > 0.0 && power < 1.0) {
        return None;
    }
    let z = normal::inverse_cdf(1.0 - alpha / 2.0) + normal::inverse_cdf(power);
    let per_side = (2.0 * (z * log_sd / log_shift).powi(2)).ceil();
    if !per_side.is_finite() {
        return None;
    }
    Some((per_side as usize).max(2))
}

/// The pooled standard deviation of the log values of two samples,
/// `sqrt(((n1 - 1) s1^2 + (n2 - 1) s2^2) / (n1 + n2 - 2))` (the two-sample t test's estimate):
/// the square root of [`super::log_two_sample`]'s `var`. `None` when a value is not positive and
/// finite, a sample is empty, or there are fewer than three values in all.
pub fn pooled_log_sd(x: &[f64], y: &[f64]) -> Option<f64> {
    super::log_two_sample(x, y).map(|s| s.var.sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_noethers_formula_by_hand() {
        // shift 0.1, sd 0.1: p = Phi(1/sqrt 2) = 0.760250; z = 1.959964 + 0.841621 = 2.801585;
        // N = 7.848878 / (3 * 0.067730) = 38.63 -> 19.3 per side -> 20.
        assert_eq!(repeats_per_side(0.1, 0.1, 0.05, 0.8), Some(20));
        assert_eq!(repeats_per_side(-0.1, 0.1, 0.05, 0.8), Some(20));
    }

    #[test]
    fn the_t_formula_by_hand() {
        // 2 * 2.801585^2 * (0.1 / 0.1)^2 = 15.70 -> 16 per side (Noether's U-test formula: 20).
        assert_eq!(repeats_per_side_t(0.1, 0.1, 0.05, 0.8), Some(16));
        assert_eq!(repeats_per_side_t(-0.1, 0.1, 0.05, 0.8), Some(16));
        // shift 0.05, sd 0.05, alpha 0.0017: z = 3.137 + 0.842 = 3.979; 2 * 15.83 = 31.7 -> 32.
        assert_eq!(repeats_per_side_t(0.05, 0.05, 0.0017, 0.8), Some(32));
        assert_eq!(repeats_per_side_t(0.05, 0.0, 0.05, 0.8), Some(2));
        assert_eq!(repeats_per_side_t(0.0, 0.05, 0.05, 0.8), None);
    }

    #[test]
    fn more_noise_or_a_smaller_change_needs_more_repeats() {
        let base = repeats_per_side(0.05, 0.05, 0.05, 0.8).unwrap();
        assert!(repeats_per_side(0.05, 0.10, 0.05, 0.8).unwrap() > base);
        assert!(repeats_per_side(0.02, 0.05, 0.05, 0.8).unwrap() > base);
        assert!(repeats_per_side(0.05, 0.05, 0.001, 0.8).unwrap() > base);
        assert_eq!(repeats_per_side(0.05, 0.0, 0.05, 0.8), Some(6));
        assert_eq!(repeats_per_side(0.0, 0.05, 0.05, 0.8), None);
        assert_eq!(repeats_per_side(f64::NAN, 0.05, 0.05, 0.8), None);
    }

    #[test]
    fn pooled_sd_of_logs() {
        let e = std::f64::consts::E;
        // ln values [0, 2] and [1, 3]: each has a sum of squares of 2; pooled sd = sqrt(4 / 2).
        let sd = pooled_log_sd(&[1.0, e * e], &[e, e * e * e]).unwrap();
        assert!((sd - 2f64.sqrt()).abs() < 1e-12);
        assert_eq!(pooled_log_sd(&[1.0], &[2.0]), None);
        assert_eq!(pooled_log_sd(&[1.0, -1.0], &[2.0]), None);
    }
}
