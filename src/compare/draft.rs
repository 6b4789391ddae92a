//! The draft of one metric's decision: what `assess` found, refined by `moderate` and `suite`,
//! for `settle` to turn into a status.

use crate::stats;

use super::history::HistoryShape;
use super::rules::Rules;
use super::types::*;

/// What `settle` needs beyond the result itself.
pub(super) struct Draft {
    pub(super) result: MetricResult,
    /// The rules the metric was assessed under, for `settle` to decide with.
    pub(super) rules: Rules,
    /// Pooled standard deviation of the log values of both sides (samples only).
    pub(super) log_sd: Option<f64>,
    /// The prediction interval a single value was judged against.
    pub(super) prediction: Option<stats::Prediction>,
    /// Baseline runs that had a value, when the history was too short for an interval.
    pub(super) short_history: Option<usize>,
    /// What was left out of a history before judging against it.
    pub(super) shape: HistoryShape,
    /// Both samples on a log scale, for the moderated t test (positive samples only), without
    /// their far-out values.
    pub(super) log_two: Option<stats::LogTwoSample>,
    /// How many far-out values `log_two` leaves out.
    pub(super) outliers: usize,
    /// The log shift, worse-positive, with its within-run error (from the repeats, or from the
    /// tools' intervals of one value a side): a member of the suite whose run-to-run spread
    /// decides metrics compared with one baseline run.
    pub(super) within: Option<stats::SuiteMember>,
    /// Every repeat shows the change (all current values beyond all baseline values by more than
    /// the threshold, the change beyond `large_change`; for one value a side, the two intervals
    /// that far apart): the regression or improvement it is.
    pub(super) obvious: Option<Status>,
    /// What `obvious` read: values, or runs (with their repeats, when each run kept them).
    pub(super) obvious_of: Shown,
    /// The change against the baseline run, when the suite's shift was taken out of `change`.
    pub(super) raw_change: Option<f64>,
    /// One value per side and no noise estimate: what was decided, for `settle` to word.
    pub(super) no_noise: Option<NoNoise>,
    /// `within` comes from the tools' intervals of one value a side (criterion's), not from
    /// repeats: judged against the suite, there are no repeats for `min_samples` to count.
    pub(super) from_intervals: bool,
    /// The values are one per run (`compare_runs`): `min_samples` counts repeats, and
    /// runs are not repeats.
    pub(super) runs: bool,
    /// The current side's run values, when the pull request ran more than once and each run
    /// counts as one value: a change must hold without any one of them.
    pub(super) current_runs: Vec<f64>,
    /// Judged against a suite whose metrics move between runs by more than their repeats show
    /// (`tau^2 > 0`): more repeats would not decide it, a history of runs would.
    pub(super) runs_differ: bool,
    /// Tested on its repeats in a suite of this many benchmarks, too few to show how far one
    /// moves between runs: a regression or improvement says so.
    pub(super) repeats_only: Option<usize>,
    /// Each run of the history judged against the others as the current value is against all of
    /// them (`stats::leave_one_out`): what the history's tails are learnt from
    /// (`moderate::learn_history_tails`).
    pub(super) leave_one_out: Vec<(f64, f64)>,
    /// Judged by the tails the history's runs showed (`moderate::judge_by_history_tails`), not
    /// by a moderated interval.
    pub(super) by_tails: bool,
}

impl Draft {
    pub(super) fn plain(result: MetricResult, rules: Rules) -> Draft {
        Draft {
            result,
            rules,
            log_sd: None,
            prediction: None,
            short_history: None,
            shape: HistoryShape::default(),
            log_two: None,
            outliers: 0,
            within: None,
            obvious: None,
            obvious_of: Shown::Values,
            raw_change: None,
            no_noise: None,
            from_intervals: false,
            runs: false,
            current_runs: Vec::new(),
            runs_differ: false,
            repeats_only: None,
            leave_one_out: Vec::new(),
            by_tails: false,
        }
    }
}

/// How a change with no noise estimate (one value per side, no usable history) was decided.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum NoNoise {
    /// Within the threshold.
    Within,
    /// A latency statistic that moved less than the latency floor (its absolute change).
    UnderFloor(f64),
    /// Not gated without a history, and why.
    Ungated(Ungated),
    /// Beyond `large_change`: decided.
    Large,
    /// Beyond the threshold, within `large_change`: inconclusive.
    Unsure,
}
