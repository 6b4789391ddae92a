//! Student's t distribution: its CDF through the regularized incomplete beta function, and its
//! quantile function. Prediction intervals over a history of runs need the quantile; predictive
//! p-values need the CDF.
//!
//! `ln_gamma` is the Lanczos approximation (g = 7, nine coefficients, as tabulated by Godfrey and
//! used in many libraries), relative error about 1e-15; the incomplete beta function is the
//! continued fraction of Numerical Recipes (Press et al., 3rd ed., section 6.4, `betacf`),
//! evaluated with the modified Lentz method. Both are far more precise than a decision with a
//! 95% interval needs.

use std::cell::RefCell;
use std::f64::consts::PI;

use super::kept::{kept_or, Kept};

/// Lanczos coefficients for g = 7, n = 9 (Godfrey).
const LANCZOS: [f64; 9] = [
    0.999_999_999_999_809_9,
    676.520_368_121_885_1,
    -1_259.139_216_722_402_8,
    771.323_428_777_653_1,
    -176.615_029_162_140_6,
    12.507_343_278_686_905,
    -0.138_571_095_265_720_12,
    9.984_369_578_019_572e-6,
    1.505_632_735_149_311_6e-7,
];

/// `ln Γ(x)` for `x > 0` (the Lanczos approximation; reflection below 0.5). NaN for `x <= 0`.
pub(crate) fn ln_gamma(x: f64) -> f64 {
    if x.is_nan() || x <= 0.0 {
        return f64::NAN;
    }
    if x < 0.5 {
        // Γ(x) Γ(1 - x) = π / sin(π x); the sine is positive on (0, 0.5).
        return (PI / (PI * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut sum = 0.0;
    let mut first = true;
    for (i, c) in LANCZOS.iter().enumerate() {
        if first {
            sum = *c;
            first = false;
        } else {
            sum += c / (x + i as f64);
        }
    }
    let t = x + 7.5;
    0.5 * (2.0 * PI).ln() + (x + 0.5) * t.ln() - t + sum.ln()
}

/// The regularized incomplete beta function `I_x(a, b)` (Numerical Recipes, 3rd ed., 6.4:
/// `betai`, with the symmetry `I_x(a, b) = 1 - I_{1-x}(b, a)` to keep the continued fraction
/// in its fast-converging region). NaN outside `0 <= x <= 1`, `a, b > 0`.
pub(crate) fn incomplete_beta(x: f64, a: f64, b: f64) -> f64 {
    if !(0.0..=1.0).contains(&x) || a.is_nan() || b.is_nan() || a <= 0.0 || b <= 0.0 {
        return f64::NAN;
    }
    if x == 0.0 || x == 1.0 {
        return x;
    }
    let ln_front = ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln();
    let front = ln_front.exp();
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_continued_fraction(x, a, b) / a
    } else {
        1.0 - front * beta_continued_fraction(1.0 - x, b, a) / b
    }
}

/// Keeps a continued-fraction term away from zero (Lentz's method).
const TINY: f64 = 1e-300;

fn not_tiny(v: f64) -> f64 {
    if v.abs() < TINY {
        TINY
    } else {
        v
    }
}

/// One step of Lentz's method with partial numerator `aa`: updates `c` and `d` and returns the
/// factor the fraction's value is multiplied by.
fn lentz_step(aa: f64, c: &mut f64, d: &mut f64) -> f64 {
    *d = 1.0 / not_tiny(1.0 + aa * *d);
    *c = not_tiny(1.0 + aa / *c);
    *d * *c
}

/// The continued fraction of the incomplete beta function (Numerical Recipes `betacf`).
fn beta_continued_fraction(x: f64, a: f64, b: f64) -> f64 {
    let qab = a + b;
    let qap = a + 1.0;
    let qam = a - 1.0;
    let mut c = 1.0;
    let mut d = 1.0 / not_tiny(1.0 - qab * x / qap);
    let mut h = d;
    let mut m = 1.0;
    while m < 10_000.0 {
        let m2 = 2.0 * m;
        // The even step, then the odd one.
        h *= lentz_step(m * (b - m) * x / ((qam + m2) * (a + m2)), &mut c, &mut d);
        let del = lentz_step(
            -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)),
            &mut c,
            &mut d,
        );
        h *= del;
        if (del - 1.0).abs() < 4.0 * f64::EPSILON {
            break;
        }
        m += 1.0;
    }
    h
}

/// Above this many degrees of freedom (and for infinitely many) the normal distribution stands in
/// for Student's. The tail of the t distribution exceeds the normal's by a relative
/// `(t^4 + 2t^2 - 1) / (4 df)` or so (5e-6 at `t = 12` and 1e9 degrees of freedom), while the
/// incomplete beta function loses precision as `df` grows, its `ln Γ(df/2)` terms cancelling
/// (1e-9 at 1e7 degrees of freedom, 1e-6 at 1e9 against SciPy, values outside [0, 1] beyond
/// 1e14): here the two errors cross over.
pub(crate) const NORMAL_DF: f64 = 1e9;

/// The CDF of Student's t distribution with `df > 0` degrees of freedom:
/// `P(T <= t) = 1 - I_{df/(df+t^2)}(df/2, 1/2) / 2` for `t >= 0` and by symmetry below
/// (Abramowitz & Stegun 26.7.1 with 26.5.27); the normal CDF above [`NORMAL_DF`] degrees of
/// freedom. NaN for `df <= 0` or a NaN argument.
pub fn student_t_cdf(t: f64, df: f64) -> f64 {
    if t.is_nan() || df.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    if t.is_infinite() {
        return if t > 0.0 { 1.0 } else { 0.0 };
    }
    if df > NORMAL_DF {
        return super::normal::cdf(t);
    }
    let x = df / (df + t * t);
    let tail = 0.5 * incomplete_beta(x, df / 2.0, 0.5);
    if t > 0.0 {
        1.0 - tail
    } else {
        tail
    }
}

/// `P(|T_df| >= |t|)`, the two-sided tail, computed as the tail itself so that it keeps its
/// relative precision far below 1e-12 (not as `2 (1 - cdf)`): `I_{df/(df+t^2)}(df/2, 1/2)`
/// (Abramowitz & Stegun 26.7.1 with 26.5.27), `erfc(|t| / sqrt 2)` above [`NORMAL_DF`]. 1 at
/// `t = 0`; NaN for a NaN argument or `df <= 0`.
pub(crate) fn student_t_two_sided_p(t: f64, df: f64) -> f64 {
    if t.is_nan() || df.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    if t == 0.0 {
        return 1.0;
    }
    if t.is_infinite() {
        return 0.0;
    }
    let p = if df > NORMAL_DF {
        super::normal::erfc(t.abs() / std::f64::consts::SQRT_2)
    } else {
        incomplete_beta(df / (df + t * t), df / 2.0, 0.5)
    };
    p.clamp(0.0, 1.0)
}

/// The density of Student's t distribution.
fn student_t_pdf(t: f64, df: f64) -> f64 {
    let ln = ln_gamma((df + 1.0) / 2.0)
        - ln_gamma(df / 2.0)
        - 0.5 * (df * PI).ln()
        - (df + 1.0) / 2.0 * (1.0 + t * t / df).ln();
    ln.exp()
}

/// The quantile of Student's t distribution: the `t` with `P(T <= t) = p`, for `df > 0`.
/// `-inf` at 0, `+inf` at 1, NaN outside [0, 1]: [`super::normal::symmetric_quantile`] on
/// [`student_t_cdf`], started from the normal quantile; the normal quantile itself above
/// [`NORMAL_DF`] degrees of freedom.
pub fn student_t_quantile(p: f64, df: f64) -> f64 {
    if p.is_nan() || !(0.0..=1.0).contains(&p) || df.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    if df > NORMAL_DF {
        return super::normal::inverse_cdf(p);
    }
    // The metrics of one comparison ask for a few quantiles over and over (one confidence
    // level; the moderated degrees of freedom they share, less a far-out value left out here and
    // there), and each answer takes dozens of incomplete beta evaluations (a fifth of a
    // 1,000-benchmark comparison): the last few are kept.
    kept_or(&QUANTILES, (p.to_bits(), df.to_bits()), || {
        super::normal::symmetric_quantile(
            p,
            |t| student_t_cdf(t, df),
            |t| student_t_pdf(t, df),
            super::normal::inverse_cdf,
        )
    })
}

thread_local! {
    /// The last 8 quantiles [`student_t_quantile`] worked out, by the bits of `p` and `df`.
    static QUANTILES: RefCell<Kept<(u64, u64), 8>> = const { RefCell::new(Kept::new()) };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_quantiles_are_the_quantiles() {
        // More keys than are kept, asked in turn: every answer is what it was the first time.
        let keys: Vec<(f64, f64)> = (1..=20)
            .map(|i| (0.5 + f64::from(i) / 50.0, f64::from(i % 7) + 2.5))
            .collect();
        let first: Vec<u64> = keys
            .iter()
            .map(|&(p, df)| student_t_quantile(p, df).to_bits())
            .collect();
        for round in 0..3 {
            for (i, &(p, df)) in keys.iter().enumerate().skip(round) {
                let q = student_t_quantile(p, df).to_bits();
                assert_eq!(Some(&q), first.get(i), "{p} {df}");
            }
        }
        // scipy.stats.t.ppf(0.975, 10)
        assert!((student_t_quantile(0.975, 10.0) - 2.228_138_851_986_273_5).abs() < 1e-13);
    }

    #[test]
    fn very_many_degrees_of_freedom_are_the_normal_distribution() {
        // scipy.stats.norm.cdf(1.959963984540054) = 0.975; the incomplete beta function gave
        // student_t_cdf(-1.0, 5e14) = -0.917 and NaN for infinite df.
        for df in [2e9, 5e14, f64::INFINITY] {
            assert!((student_t_cdf(1.959_963_984_540_054, df) - 0.975).abs() < 1e-12);
            assert!((student_t_cdf(-1.0, df) - 0.158_655_253_931_457_05).abs() < 1e-12);
            assert!((student_t_quantile(0.025, df) + 1.959_963_984_540_054).abs() < 1e-9);
        }
    }

    #[test]
    fn cdf_matches_scipy() {
        // scipy.stats.t.cdf(t, df) (SciPy 1.17.1).
        let cases = [
            (0.0, 5.0, 0.5),
            (1.0, 1.0, 0.75),
            (2.0, 3.0, 0.9303370157205785),
            (-2.5, 10.0, 0.01572342211830441),
            (4.0, 29.0, 0.9997999680271737),
            (1.5, 1000.0, 0.9330349805889568),
            (-0.3, 2.5, 0.39367118574759863),
            (10.0, 4.0, 0.999718998188642),
        ];
        for (t, df, want) in cases {
            let got = student_t_cdf(t, df);
            assert!(
                (got - want).abs() <= 1e-12,
                "cdf({t}, {df}) = {got}, want {want}"
            );
        }
        assert!(student_t_cdf(1.0, 0.0).is_nan());
        assert_eq!(student_t_cdf(f64::INFINITY, 3.0), 1.0);
    }

    #[test]
    fn quantile_matches_scipy() {
        // scipy.stats.t.ppf(p, df) (SciPy 1.17.1).
        let cases = [
            (0.975, 29.0, 2.045229642132703),
            (0.975, 9.0, 2.262157162798205),
            (0.99, 29.0, 2.4620213601504126),
            (0.975, 1.0, 12.706204736174694),
            (0.5, 7.0, 0.0),
            (0.025, 4.0, -2.7764451051977943),
            (0.999, 2.0, 22.327124770119866),
            (0.95, 100.0, 1.6602343260853392),
        ];
        for (p, df, want) in cases {
            let got = student_t_quantile(p, df);
            assert!(
                (got - want).abs() <= 1e-10 * want.abs().max(1.0),
                "quantile({p}, {df}) = {got}, want {want}"
            );
        }
        assert_eq!(student_t_quantile(1.0, 3.0), f64::INFINITY);
        assert!(student_t_quantile(1.2, 3.0).is_nan());
    }

    #[test]
    fn quantile_inverts_cdf_everywhere() {
        for df in [1.0, 2.0, 3.5, 9.0, 29.0, 200.0] {
            for i in 1..100 {
                let p = f64::from(i) / 100.0;
                let t = student_t_quantile(p, df);
                assert!((student_t_cdf(t, df) - p).abs() < 1e-12, "df={df} p={p}");
            }
        }
    }

    #[test]
    fn ln_gamma_matches_factorials() {
        assert!(ln_gamma(1.0).abs() < 1e-14);
        assert!((ln_gamma(5.0) - 24f64.ln()).abs() < 1e-13);
        assert!((ln_gamma(0.5) - PI.sqrt().ln()).abs() < 1e-14);
        assert!(ln_gamma(-1.0).is_nan());
    }
}
