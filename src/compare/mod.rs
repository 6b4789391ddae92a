//! Comparison: pairs a baseline run with a current run, decides every metric (regression,
//! improvement, unchanged, inconclusive, new, missing) with `stats`, checks budgets, and applies the
//! configuration's gate rules into a typed [`Comparison`]. Pure: no I/O.

pub mod alert;
mod engine;
pub mod history;
mod types;

pub use engine::{
    check_budget, compare, compare_history, decide, decide_with, environment_differences,
    follows_duration, history_window, is_deterministic, is_k6, k6_metric, run_value,
    runs_with_samples, same_machine, series, Rules, Series, CONFIDENCE, TARGET_POWER,
};
pub use types::*;
