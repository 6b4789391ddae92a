//! Sparklines: a metric's recent runs on the baseline branch and the current value, drawn in a
//! few characters (`▁▂▁▃▂▁→█`) so that a row shows whether a change stands out from the usual
//! run-to-run movement or continues a drift.
//!
//! Each line is scaled on its own, from its lowest to its highest value, over the eight block
//! elements U+2581..U+2588; the current value comes last, after `→`. The characters are ours, not
//! the input's, so they need no escaping.

/// The block elements, lowest first.
const BLOCKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// Separates the history from the current value.
pub const CURRENT_MARK: char = '→';

/// Draws `history` (oldest first) and then `current`, scaled together: `▁▂▁▃▂▁→█`. Values that
/// are not finite numbers are left out. None without a finite current value or a finite value
/// in the history: there is nothing to compare the current value with.
pub fn sparkline(history: &[f64], current: f64) -> Option<String> {
    if !current.is_finite() {
        return None;
    }
    let past: Vec<f64> = history.iter().copied().filter(|v| v.is_finite()).collect();
    if past.is_empty() {
        return None;
    }
    let (lo, hi) = past
        .iter()
        .fold((current, current), |(lo, hi), &v| (lo.min(v), hi.max(v)));
    let span = hi - lo;
    let block = |v: f64| -> char {
        // A constant line (or a span too small to divide by) sits on the baseline.
        let level = if span > 0.0 && span.is_finite() {
            ((v - lo) / span * 7.0).round()
        } else {
            0.0
        };
        // `level` is in 0..=7 by construction; the clamp keeps rounding at the edges in it.
        let i = level.clamp(0.0, 7.0) as usize;
        BLOCKS.get(i).copied().unwrap_or('▁')
    };
    let mut out: String = past.iter().map(|&v| block(v)).collect();
    out.push(CURRENT_MARK);
    out.push(block(current));
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lowest_value_is_the_lowest_block_and_the_highest_the_full_one() {
        assert_eq!(
            sparkline(&[1.0, 2.0, 1.0, 3.0, 2.0, 1.0], 8.0).as_deref(),
            Some("▁▂▁▃▂▁→█")
        );
        assert_eq!(sparkline(&[10.0, 20.0], 15.0).as_deref(), Some("▁█→▅"));
    }

    #[test]
    fn each_line_is_scaled_on_its_own() {
        let small = sparkline(&[1.0, 2.0, 3.0], 4.0);
        let large = sparkline(&[1000.0, 2000.0, 3000.0], 4000.0);
        assert_eq!(small, large);
        assert_eq!(small.as_deref(), Some("▁▃▆→█"));
    }

    #[test]
    fn a_current_value_below_the_history_is_the_lowest_block() {
        assert_eq!(
            sparkline(&[5.0, 6.0, 5.0, 6.0], 1.0).as_deref(),
            Some("▇█▇█→▁")
        );
    }

    #[test]
    fn a_constant_series_is_flat() {
        assert_eq!(sparkline(&[3.0, 3.0, 3.0], 3.0).as_deref(), Some("▁▁▁→▁"));
    }

    #[test]
    fn one_value_of_history_is_enough_to_draw() {
        assert_eq!(sparkline(&[1.0], 2.0).as_deref(), Some("▁→█"));
    }

    #[test]
    fn without_history_or_current_value_there_is_no_line() {
        assert_eq!(sparkline(&[], 2.0), None);
        assert_eq!(sparkline(&[1.0, 2.0], f64::NAN), None);
        assert_eq!(sparkline(&[1.0, 2.0], f64::INFINITY), None);
        assert_eq!(sparkline(&[f64::NAN, f64::NEG_INFINITY], 1.0), None);
    }

    #[test]
    fn values_that_are_not_finite_are_left_out() {
        assert_eq!(
            sparkline(&[1.0, f64::NAN, 2.0, f64::INFINITY, 3.0], 3.0).as_deref(),
            Some("▁▅█→█")
        );
    }

    #[test]
    fn extreme_values_stay_within_the_blocks() {
        let line = sparkline(&[f64::MIN, 0.0, f64::MAX], -f64::MAX).unwrap_or_default();
        assert_eq!(line.chars().count(), 5, "{line}");
        assert!(line
            .chars()
            .all(|c| BLOCKS.contains(&c) || c == CURRENT_MARK));
    }

    #[test]
    fn tiny_differences_still_show() {
        let line = sparkline(&[1.0, 1.0 + 1e-12], 1.0 + 2e-12).unwrap_or_default();
        assert!(line.starts_with('▁') && line.ends_with("→█"), "{line}");
    }
}
