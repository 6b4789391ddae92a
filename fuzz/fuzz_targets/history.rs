//! The decision on a history of stored runs with arbitrary values: level shifts, far-out runs,
//! the far-latest guard, moderation and the correction must not panic on any floats (NaN,
//! infinities, zeros, negatives, subnormals) or on machines that change from run to run.
#![no_main]

use libfuzzer_sys::fuzz_target;
use perfgate::compare;
use perfgate::config::Config;
use perfgate::model::{Benchmark, Data, Environment, Metric, Run, RunMeta, Unit};

/// A run of `metrics` single-value benchmarks on CPU `cpu`, values taken from `values`.
fn run(values: &mut impl Iterator<Item = f64>, metrics: usize, cpu: u8) -> Run {
    let meta = RunMeta {
        environment: Environment {
            cpu: Some(format!("cpu{}", cpu % 3)),
            ..Environment::default()
        },
        ..RunMeta::default()
    };
    let benchmarks = (0..metrics)
        .map(|i| {
            let mut b = Benchmark::new(format!("B{i}"));
            let v = values.next().unwrap_or(1.0);
            b.push(Metric::new("time", Unit::Nanoseconds, Data::Value(v)));
            b
        })
        .collect();
    Run::new(meta, benchmarks)
}

fuzz_target!(|data: &[u8]| {
    let Some((&head, rest)) = data.split_first() else {
        return;
    };
    // 1 to 12 metrics per run; the runs' CPUs from the low bits of the first byte.
    let metrics = usize::from(head % 12) + 1;
    let mut values = rest
        .chunks_exact(8)
        .map(|c| f64::from_le_bytes(c.try_into().unwrap_or([0; 8])));
    let runs = (rest.len() / 8) / metrics;
    if runs < 2 {
        return;
    }
    let history: Vec<Run> = (0..runs - 1)
        .map(|r| run(&mut values, metrics, head.rotate_left(r as u32)))
        .collect();
    let current = run(&mut values, metrics, head);
    let c = compare::compare_history(&history, &current, &Config::default());
    assert_eq!(c.results.len(), metrics);
    let allow = Config {
        allow_cross_environment: true,
        ..Config::default()
    };
    let _ = compare::compare_history(&history, &current, &allow);
});
