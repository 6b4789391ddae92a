//! Multiple comparisons: a run compares many metrics at once, so some p-values fall below alpha by
//! chance. Adjusting them controls the false discovery rate over the whole run.

/// Benjamini-Hochberg adjusted p-values (Benjamini & Hochberg 1995), computed as R's
/// `p.adjust(p, method = "BH")`: walking from the largest p-value down, `min(1, cummin(n / i * p(i)))`
/// for rank `i` among `n`. The result has the input's order; it is monotone in `p` and capped at 1.
/// A NaN input (like R's `NA`) stays NaN and is not counted in `n`.
pub fn benjamini_hochberg(p: &[f64]) -> Vec<f64> {
    let mut order: Vec<(usize, f64)> = p
        .iter()
        .copied()
        .enumerate()
        .filter(|(_, v)| !v.is_nan())
        .collect();
    // Largest first, as R's `order(p, decreasing = TRUE)`.
    order.sort_by(|a, b| b.1.total_cmp(&a.1));
    let n = order.len() as f64;
    let mut adjusted = vec![f64::NAN; p.len()];
    let mut running = f64::INFINITY;
    for (pos, &(index, value)) in order.iter().enumerate() {
        let rank = (order.len() - pos) as f64;
        running = running.min(n / rank * value);
        if let Some(slot) = adjusted.get_mut(index) {
            *slot = running.min(1.0);
        }
    }
    adjusted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_r_p_adjust() {
        // R 4.2.2: p.adjust(c(0.01, 0.04, 0.03, 0.005, 0.5, 0.04, 0.9), "BH")
        let got = benjamini_hochberg(&[0.01, 0.04, 0.03, 0.005, 0.5, 0.04, 0.9]);
        let want = [
            0.035,
            0.055999999999999994,
            0.055999999999999994,
            0.035,
            0.5833333333333334,
            0.055999999999999994,
            0.9,
        ];
        for (g, w) in got.iter().zip(want) {
            assert!((g - w).abs() < 1e-15, "{got:?}");
        }
        // R 4.2.2: p.adjust(c(0.0001, 0.2, 0.2, 0.03, 1, 0.049), "BH")
        let got = benjamini_hochberg(&[0.0001, 0.2, 0.2, 0.03, 1.0, 0.049]);
        let want = [0.0006000000000000001, 0.24, 0.24, 0.09, 1.0, 0.098];
        for (g, w) in got.iter().zip(want) {
            assert!((g - w).abs() < 1e-15, "{got:?}");
        }
    }

    #[test]
    fn single_empty_and_nan_inputs() {
        assert_eq!(benjamini_hochberg(&[0.7]), vec![0.7]);
        assert!(benjamini_hochberg(&[]).is_empty());
        // R 4.2.2: p.adjust(c(0.02, NA, 0.04), "BH") -> 0.04 NA 0.04
        let got = benjamini_hochberg(&[0.02, f64::NAN, 0.04]);
        assert!((got[0] - 0.04).abs() < 1e-15 && got[1].is_nan() && (got[2] - 0.04).abs() < 1e-15);
    }

    #[test]
    fn adjusted_values_are_monotone_bounded_and_not_below_the_input() {
        let mut seed = 5u64;
        let mut next = move || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as f64 / f64::from(1u32 << 31)
        };
        for n in 1..40 {
            let p: Vec<f64> = (0..n).map(|_| next().powi(3)).collect();
            let q = benjamini_hochberg(&p);
            assert_eq!(q.len(), p.len());
            for i in 0..n {
                assert!(q[i] >= p[i] && q[i] <= 1.0, "{p:?} -> {q:?}");
                for j in 0..n {
                    if p[i] <= p[j] {
                        assert!(q[i] <= q[j], "not monotone: {p:?} -> {q:?}");
                    }
                }
            }
        }
    }
}
