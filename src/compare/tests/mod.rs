//! Tests of the comparison, by room.

mod budget;
mod environment;
mod gate;
mod history;
mod machines;
mod moderate;
mod pairing;
mod rules;
mod runs;
mod samples;
mod suite;
mod tails;

use super::pairing::{summary, without_procs};
use super::settle::smallest_n;
use super::*;
use crate::config::{Config, TestChoice};
use crate::model::{Benchmark, Data, Direction, Histogram, Metric, Run, RunMeta, Unit};
use crate::report::words::{note as words, reasons};
use crate::stats;
use history::*;
use moderate::*;

/// Ten repeats' noise, in units of 0.2% (or of whatever scale a test gives it).
pub(super) const Z: [f64; 10] = [0.3, -1.2, 0.8, -0.4, 1.5, -0.9, 0.1, -0.2, 1.1, -1.0];

/// Each benchmark's own move in three runs: a few percent, as between runs in CI.
pub(super) const OWN: [[f64; 20]; 3] = [
    [
        0.01, -0.02, 0.03, -0.01, 0.0, 0.02, -0.03, 0.015, -0.015, 0.025, -0.025, 0.005, -0.005,
        0.012, -0.012, 0.02, -0.02, 0.008, -0.008, 0.0,
    ],
    [
        -0.02, 0.01, -0.01, 0.03, 0.015, 0.0, 0.02, -0.025, 0.005, -0.015, 0.01, -0.03, 0.02,
        -0.008, 0.0, -0.012, 0.025, -0.005, 0.012, -0.02,
    ],
    [
        0.0, 0.025, -0.02, 0.01, -0.03, -0.01, 0.012, 0.02, -0.02, 0.005, 0.03, -0.012, -0.015,
        0.0, 0.02, 0.008, -0.005, -0.025, 0.015, 0.01,
    ],
];

/// The whole run's shift of `c`, after checking its status and whether it fails the gate.
pub(super) fn whole_run(c: &Comparison, status: Status, fails_gate: bool) -> SuiteShift {
    let suite = c.suite.clone().expect("the whole run's shift is reported");
    assert_eq!(
        (suite.status, suite.fails_gate),
        (status, fails_gate),
        "{suite:?}"
    );
    suite
}

pub(super) fn s(metric: &str, unit: Unit, values: &[f64]) -> Series {
    Series {
        benchmark: "B".into(),
        metric: metric.into(),
        direction: Direction::infer(metric, &unit),
        unit,
        values: values.to_vec(),
        interval: None,
        repeats: Vec::new(),
    }
}

pub(super) fn t(values: &[f64]) -> Series {
    s("time", Unit::Nanoseconds, values)
}

pub(super) const BASE: [f64; 10] = [
    100.0, 101.0, 99.0, 100.5, 98.5, 100.2, 99.7, 101.3, 100.1, 99.9,
];

pub(super) fn scaled(f: f64) -> Vec<f64> {
    BASE.iter().map(|v| v * f).collect()
}

/// [`decide`] at the defaults of the tests: threshold 5%, significance 0.05, 4 samples.
pub(super) fn judge(b: &Series, c: &Series, direction: Direction) -> MetricResult {
    decide(b, c, direction, 0.05, 0.05, 4)
}
