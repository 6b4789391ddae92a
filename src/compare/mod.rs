//! Comparison: pairs a baseline run with a current run, decides every metric (regression,
//! improvement, unchanged, inconclusive, new, missing) with `stats`, checks budgets, and applies the
//! configuration's gate rules into a typed [`Comparison`]. Pure: no I/O.
//!
//! The rooms, in the order a comparison goes through them ([`engine`] reads as that order):
//!
//! - `environment`: which runs of a history are comparable (the same kind of machine).
//! - `pairing`: runs as series, and the baseline series each current one is compared with.
//! - `rules`: how the configuration and a metric's name say one series is decided.
//! - `assess`: what the data say about one metric: change, interval, raw p-value.
//! - [`history`]: how a history of runs is read (levels, far-out runs, prediction interval).
//! - `moderate`: many metrics' noise shrunk toward what all of them show (empirical Bayes).
//! - `machines`: with a history, each run's machine taken out of its speed metrics.
//! - `suite`: with one baseline run, metrics judged against their suite's run-to-run spread.
//! - `settle`: p-values adjusted together (Benjamini-Hochberg) and turned into statuses.
//! - `gate`: which results fail the gate, which are context, the verdict and its reasons.
//! - `budget`: absolute limits on the current run.
//! - [`alert`]: the watch on the default branch, reading the history as the gate does.

pub mod alert;
mod assess;
mod budget;
mod change;
mod draft;
mod engine;
mod environment;
mod gate;
pub mod history;
mod machines;
mod moderate;
mod pairing;
mod rules;
mod settle;
mod suite;
mod types;

pub use assess::{is_short_history, SHORT_HISTORY_RUNS};
pub use budget::check_budget;
pub use change::CONFIDENCE;
pub use engine::{compare, compare_history, compare_runs, decide, decide_with};
pub use environment::{environment_differences, history_window, runs_with_samples, same_machine};
pub use gate::{follows_duration, is_k6, k6_metric};
pub use pairing::{run_value, series, Series};
pub use rules::{is_deterministic, Rules};
pub use settle::TARGET_POWER;
pub use types::*;

#[cfg(test)]
mod tests;
