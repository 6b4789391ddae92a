//! Random draws for the statistics' tests, the same on every machine.

/// Standard normal draws: splitmix64 (Steele, Lea & Flood 2014) and Box-Muller, one value of
/// each pair.
pub(crate) fn normals(seed: u64) -> impl FnMut() -> f64 {
    let mut state = seed;
    let mut uniform = move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (((z ^ (z >> 31)) >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    };
    move || {
        let (u1, u2) = (uniform(), uniform());
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }
}

/// Student's t draws with `df` (whole) degrees of freedom: a normal over the root of a
/// chi-square over its degrees of freedom.
pub(crate) fn student_t(seed: u64, df: usize) -> impl FnMut() -> f64 {
    let mut z = normals(seed);
    move || {
        let top = z();
        let chi2: f64 = (0..df).map(|_| z().powi(2)).sum();
        top / (chi2 / df as f64).sqrt()
    }
}
