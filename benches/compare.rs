//! How long perfgate's decision takes on a large pull request: `compare::compare` (U tests,
//! Hodges-Lehmann intervals, the moderated t test over every metric with samples,
//! Benjamini-Hochberg) on runs of 300 and 3,000 benchmarks with 10 lognormal samples a side at
//! CV 5%, and the same runs with `test = "mann-whitney"`; and `compare::compare_history`
//! (level shifts, far-out runs, prediction intervals, moderated histories) for 300 single-value
//! benchmarks against a 30-run history, and for 3,000 benchmarks with samples against the run
//! values of a 30-run history whose runs' machines are taken out.
//!
//! `cargo bench --bench compare`

// A benchmark harness: a panic here is a failed benchmark run, not a crash on user input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::hint::black_box;

use criterion::Criterion;
use perfgate::compare;
use perfgate::config::{Config, TestChoice};
use perfgate::model::{Benchmark, Data, Metric, Run, RunMeta, Unit};

#[path = "support/rng.rs"]
mod rng;

use rng::Rng;

/// `benchmarks` benchmarks of 10 time samples each; the first tenth are 10% slower when `slower`.
fn run(rng: &mut Rng, benchmarks: usize, slower: bool) -> Run {
    samples(rng, benchmarks, slower, 10)
}

/// `benchmarks` benchmarks of `n` time values each; the first tenth are 10% slower when `slower`.
fn samples(rng: &mut Rng, benchmarks: usize, slower: bool, n: usize) -> Run {
    let list = (0..benchmarks)
        .map(|i| {
            let factor = if slower && i < benchmarks / 10 {
                1.1
            } else {
                1.0
            };
            let base = 1_000.0 * (1 + i % 97) as f64;
            let values: Vec<f64> = (0..n).map(|_| base * factor * rng.noise()).collect();
            let data = match values.as_slice() {
                [one] => Data::Value(*one),
                _ => Data::Samples(values),
            };
            let mut b = Benchmark::new(format!("Benchmark{i:05}"));
            b.push(Metric::new("time", Unit::Nanoseconds, data));
            b
        })
        .collect();
    Run::new(RunMeta::default(), list)
}

fn decisions(c: &mut Criterion) {
    let mut rng = Rng(42);
    let auto = Config::default();
    let u_test = Config {
        test: TestChoice::MannWhitney,
        ..Config::default()
    };
    for benchmarks in [300, 3_000] {
        let base = run(&mut rng, benchmarks, false);
        let head = run(&mut rng, benchmarks, true);
        for (name, config) in [("auto", &auto), ("mann-whitney", &u_test)] {
            c.bench_function(
                &format!("compare {benchmarks} benchmarks, test = {name}"),
                |b| b.iter(|| compare::compare(Some(black_box(&base)), black_box(&head), config)),
            );
        }
    }
    // The Action's history of a suite: the data branch keeps one run value per series, and each
    // run ran on its own machine (every benchmark 5% apart from run to run), which is taken out.
    let on_machine = |rng: &mut Rng, mut run: Run| {
        let machine = rng.noise();
        for b in &mut run.benchmarks {
            for m in &mut b.metrics {
                match &mut m.data {
                    Data::Value(v) => *v *= machine,
                    Data::Samples(s) => s.iter_mut().for_each(|v| *v *= machine),
                    Data::Histogram(_) => {}
                }
            }
        }
        run
    };
    let history: Vec<Run> = (0..30)
        .map(|_| {
            let r = samples(&mut rng, 3_000, false, 1);
            on_machine(&mut rng, r)
        })
        .collect();
    let head = run(&mut rng, 3_000, true);
    let head = on_machine(&mut rng, head);
    c.bench_function(
        "compare_history 3000 benchmarks of samples, 30 runs on their machines",
        |b| b.iter(|| compare::compare_history(black_box(&history), black_box(&head), &auto)),
    );
    let history: Vec<Run> = (0..30).map(|_| samples(&mut rng, 300, false, 1)).collect();
    let head = samples(&mut rng, 300, true, 1);
    c.bench_function("compare_history 300 benchmarks, 30 runs", |b| {
        b.iter(|| compare::compare_history(black_box(&history), black_box(&head), &auto))
    });
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    decisions(&mut c);
    c.final_summary();
}
