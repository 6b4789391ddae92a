//! Helpers shared by the parsers' tests: look up a parsed metric and its value, with a clear
//! panic message when it is absent.

use crate::model::{Data, Metric, Run};

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
