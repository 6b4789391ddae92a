//! Helpers shared by the parsers' tests: look up a parsed metric and its value, with a clear
//! panic message when it is absent.

use crate::model::{Data, Direction, Histogram, Metric, Run, Unit};

pub fn metric<'a>(run: &'a Run, bench: &str, name: &str) -> &'a Metric {
    run.benchmark(bench)
        .unwrap_or_else(|| panic!("no benchmark `{bench}`"))
        .metric(name)
        .unwrap_or_else(|| panic!("no metric `{name}` in `{bench}`"))
}

pub fn value(run: &Run, bench: &str, name: &str) -> f64 {
    match metric(run, bench, name).data {
        Data::Value(v) => v,
        ref other => panic!("`{bench}` `{name}` is not a value: {other:?}"),
    }
}

pub fn names(run: &Run) -> Vec<&str> {
    run.benchmarks.iter().map(|b| b.name.as_str()).collect()
}

/// The `latency` histogram of `bench`, checked to be in nanoseconds and lower-is-better.
pub fn latency(run: &Run, bench: &str) -> Histogram {
    let m = metric(run, bench, "latency");
    assert_eq!(m.unit, Unit::Nanoseconds);
    assert_eq!(m.direction, Direction::LowerIsBetter);
    match &m.data {
        Data::Histogram(h) => h.clone(),
        other => panic!("not a histogram: {other:?}"),
    }
}
