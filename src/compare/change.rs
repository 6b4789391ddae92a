//! Change: how far a value moved from its baseline as a ratio, whether that is beyond a
//! threshold (the same both ways on the log scale), and which way is worse.

use crate::model::Direction;

use super::types::Status;

/// Confidence level of the reported intervals of the change.
pub const CONFIDENCE: f64 = 0.95;

/// +1 when a larger value is worse, -1 when it is better: log shifts times this are worse-positive.
pub(super) fn worse_sign(direction: Direction) -> f64 {
    match direction {
        Direction::LowerIsBetter => 1.0,
        Direction::HigherIsBetter => -1.0,
    }
}

/// The change of `cur_v` against `base_v`, and whether it is beyond the threshold and which way.
pub(super) struct Movement {
    pub(super) change: Option<f64>,
    pub(super) beyond: bool,
    /// Regression or improvement, by the sign of the change and the direction.
    pub(super) moved: Status,
}

pub(super) fn movement(base_v: f64, cur_v: f64, direction: Direction, threshold: f64) -> Movement {
    let change = if base_v != 0.0 {
        Some(cur_v / base_v - 1.0)
    } else if cur_v == 0.0 {
        Some(0.0)
    } else {
        None
    };
    judged(change, cur_v > base_v, direction, threshold)
}

/// [`Movement`] of a relative `change` (None: from zero to something, upward when `up`).
pub(super) fn judged(
    change: Option<f64>,
    up: bool,
    direction: Direction,
    threshold: f64,
) -> Movement {
    let worse_by = |ch: f64| match direction {
        Direction::LowerIsBetter => ch,
        Direction::HigherIsBetter => -ch,
    };
    // Positive means worse, whatever the direction; from zero to something is infinitely so.
    let badness = match change {
        Some(ch) => worse_by(ch),
        None => worse_by(if up { f64::INFINITY } else { f64::NEG_INFINITY }),
    };
    // The threshold is a ratio, the same both ways on the log scale: with 5%, beyond means above
    // 1.05x or below 1/1.05x. So a benchmark's time and its throughput (its reciprocal) always
    // get the same verdict, and a threshold of 100% or more can still be crossed downwards.
    let beyond = match change {
        Some(ch) if ch.is_nan() => false,
        Some(ch) if 1.0 + ch > 0.0 => (1.0 + ch).ln().abs() > threshold.ln_1p(),
        // Down to zero or below, or up from zero: infinitely far.
        _ => true,
    };
    Movement {
        change,
        beyond,
        moved: if badness > 0.0 {
            Status::Regression
        } else {
            Status::Improvement
        },
    }
}

/// Whether a relative change is beyond `large` (a ratio, the same both ways as the threshold).
/// From zero or to zero is infinitely far.
pub(super) fn beyond_large(change: Option<f64>, large: f64) -> bool {
    match change {
        Some(ch) if ch.is_nan() => false,
        Some(ch) if 1.0 + ch > 0.0 => (1.0 + ch).ln().abs() > large.ln_1p(),
        _ => true,
    }
}
