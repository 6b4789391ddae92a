//! The decisions on runs with samples, with arbitrary floats: one baseline run of a suite (the
//! suite's run-to-run spread, its shift, "every repeat beyond `large_change`"), a few runs of
//! history, the pull request run several times (each run must show a change: the hold rule),
//! criterion's values with their intervals, and the reports rendered from the result. None may
//! panic on any floats (NaN, infinities, zeros, negatives, subnormals) or sample counts.
#![no_main]

use libfuzzer_sys::fuzz_target;
use perfgate::compare;
use perfgate::config::Config;
use perfgate::model::{Benchmark, ConfidenceInterval, Data, Metric, Run, RunMeta, Unit};
use perfgate::report::{render_json, render_markdown, render_terminal, MarkdownOptions};

/// Reads the fuzzer's bytes as the runs' numbers.
struct Input<'a> {
    bytes: &'a [u8],
}

impl Input<'_> {
    fn byte(&mut self) -> u8 {
        let Some((&b, rest)) = self.bytes.split_first() else {
            return 0;
        };
        self.bytes = rest;
        b
    }

    /// A float: mostly near 1000 (so that suites look like suites), sometimes any bit pattern.
    fn value(&mut self) -> f64 {
        let tag = self.byte();
        if tag < 200 {
            1000.0 * (1.0 + f64::from(self.byte()) / 256.0 - 0.5) * (1.0 + f64::from(tag) / 400.0)
        } else {
            let mut raw = [0u8; 8];
            for b in &mut raw {
                *b = self.byte();
            }
            f64::from_le_bytes(raw)
        }
    }
}

/// One run of `benchmarks` benchmarks; how each metric is held comes from the input.
fn run(input: &mut Input<'_>, benchmarks: usize) -> Run {
    let benchmarks = (0..benchmarks)
        .map(|i| {
            let mut b = Benchmark::new(format!("B{i}"));
            let shape = input.byte();
            let unit = if shape & 0x40 == 0 {
                Unit::Nanoseconds
            } else {
                Unit::PerSecond
            };
            let name = if unit == Unit::Nanoseconds {
                "time"
            } else {
                "rate"
            };
            let metric = match shape % 4 {
                // criterion's terminal output: one value with its interval.
                0 => {
                    let (lo, v, hi) = (input.value(), input.value(), input.value());
                    let confidence = f64::from(input.byte()) / 255.0;
                    Metric::new(name, unit, Data::Value(v))
                        .with_interval(Some(ConfidenceInterval { lo, hi, confidence }))
                }
                1 => Metric::new(name, unit, Data::Value(input.value())),
                // Samples: 0 to 31 of them.
                _ => {
                    let n = usize::from(input.byte() % 32);
                    Metric::new(
                        name,
                        unit,
                        Data::Samples((0..n).map(|_| input.value()).collect()),
                    )
                }
            };
            b.push(metric);
            b
        })
        .collect();
    Run::new(RunMeta::default(), benchmarks)
}

fuzz_target!(|data: &[u8]| {
    let mut input = Input { bytes: data };
    let head = input.byte();
    // 1 to 24 benchmarks: the suite needs 8.
    let benchmarks = usize::from(head % 24) + 1;
    // 1 to 4 baseline runs, 1 to 3 runs of the pull request.
    let history_runs = usize::from((head >> 5) % 4) + 1;
    let current_runs = usize::from(input.byte() % 3) + 1;
    let history: Vec<Run> = (0..history_runs)
        .map(|_| run(&mut input, benchmarks))
        .collect();
    let current: Vec<Run> = (0..current_runs)
        .map(|_| run(&mut input, benchmarks))
        .collect();
    let config = Config {
        fail_on_inconclusive: head & 0x10 != 0,
        ..Config::default()
    };
    let c = compare::compare_runs(&history, &current, head & 0x08 != 0, &config);
    let _ = render_terminal(&c, false);
    let _ = render_json(&c);
    let _ = render_markdown(&c, &MarkdownOptions::default());
});
