//! Statistics on samples: perfgate's decisions rest on these, so each follows a published method or
//! a reference tool and cites it. The module knows samples, not benchmarks or units.
//!
//! - `summary`: mean, quantiles, the median and benchstat's confidence interval of the median;
//! - `utest`: the two-sided Mann-Whitney U test exactly as benchstat v2 (golang/perf) computes
//!   it, with the exact null distribution (also under ties) for small samples;
//! - `shift`: the Hodges-Lehmann shift and relative change with their distribution-free
//!   confidence intervals, as R's `wilcox.test(conf.int = TRUE)`;
//! - `multiple`: Benjamini-Hochberg adjustment across the metrics of a run;
//! - `normal`: the normal distribution the large-sample approximations use;
//! - `tdist`: Student's t distribution (CDF and quantile), for prediction intervals;
//! - `predict`: the log-scale prediction interval over a history of runs, and its p-value;
//! - `level`: the level shifts of a history (binary segmentation), and the prediction interval
//!   of its current level;
//! - `moderated`: limma's empirical-Bayes moderated t test on log values, whose variances share a
//!   prior across the metrics of a run;
//! - `between`: the run-to-run spread of a suite's metrics around the suite-wide shift between
//!   two runs (a random-effects model), a metric's test against its suite, and the standard
//!   error a tool's confidence interval of one value gives;
//! - `tails`: the tails of a history's run-to-run noise, a scaled Student's t fitted by maximum
//!   likelihood to each run judged against the others (leave-one-out);
//! - `power`: how many repeats per side would likely decide an inconclusive comparison.
//!
//! No function panics on any input: floats are ordered with `total_cmp`, and empty or non-finite
//! samples give `None` or a [`StatsError`].

mod between;
mod kept;
mod level;
mod moderated;
mod multiple;
mod normal;
mod power;
mod predict;
mod shift;
mod summary;
mod tails;
mod tdist;
#[cfg(test)]
pub(crate) mod testing;
mod utest;

pub use between::{
    against_suite, log_se_from_interval, suite_shift, SuiteMember, SuiteShift, SuiteTest,
    MACHINE_LOADING_SD,
};
pub use level::{
    last_level_shift, level_prediction_interval, level_residuals, level_shifts, LevelShift,
    LEVEL_MIN_RUNS,
};
pub use moderated::{
    fit_variance_prior, log_two_sample, moderated_t, trimmed_log_two_sample, LogTwoSample,
    ModeratedT, VariancePrior,
};
pub use multiple::benjamini_hochberg;
pub use power::{pooled_log_sd, repeats_per_side, repeats_per_side_t};
pub use predict::{log_prediction_interval, Prediction};
pub use shift::{hodges_lehmann, ratio_change, Shift};
pub(crate) use summary::median_in_place;
pub use summary::{extent, log_median, mean, median, median_ci, quantile, tukey_fences};
pub use tails::{fit_tails, leave_one_out, Tails, TAILS_MIN_RUNS, TAILS_MIN_VALUES};
pub use tdist::{student_t_cdf, student_t_quantile};
pub use utest::{mann_whitney_u, min_achievable_p, UTest};

/// Why a test could not be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatsError {
    #[error("a sample is empty")]
    EmptySample,
    #[error("all values are equal; the test is meaningless")]
    SamplesEqual,
    #[error("a value is not finite")]
    NonFinite,
}
