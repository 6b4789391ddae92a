//! Runs the Action's tests record and compare: commits named by a number, and a Go-like benchmark.

use perfgate::model::{Benchmark, Data, Metric, Run, RunMeta, Unit};

/// The 40-hex-digit commit numbered `i`.
pub fn sha(i: usize) -> String {
    format!("{i:040x}")
}

/// A Go-like run: `BenchmarkParse-8` with ten time samples around `level` ns (0.1% apart).
pub fn go_run(level: f64, meta: RunMeta) -> Run {
    let samples = (0..10).map(|i| level * (1.0 + f64::from(i) / 1000.0));
    let mut b = Benchmark::new("BenchmarkParse-8");
    b.push(Metric::new(
        "time",
        Unit::Nanoseconds,
        Data::Samples(samples.collect()),
    ));
    Run::new(meta, vec![b])
}
