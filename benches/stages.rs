//! Each stage of `perfgate compare` on Go benchmark output at the sizes issue 13 measures
//! against benchstat: 100 benchmarks x 10 samples, 1,000 x 10 and 10,000 x 30 per side, 5% noise,
//! the samples interleaved as `go test -count` loops print them (every benchmark once per round).
//! Stages: reading the text (`formats::parse`), deciding (`compare::compare`), and rendering the
//! terminal, Markdown and JSON reports.
//!
//! `cargo bench --bench stages` (`-- parse` for one stage). The side-by-side timing of the built
//! binary against benchstat is `benches/vs_benchstat.sh`.

// A benchmark harness: a panic here is a failed benchmark run, not a crash on user input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::fmt::Write as _;
use std::hint::black_box;
use std::time::Duration;

use criterion::Criterion;
use perfgate::compare;
use perfgate::config::Config;
use perfgate::formats::{self, Format};
use perfgate::report::{self, MarkdownOptions};

#[path = "support/rng.rs"]
mod rng;

use rng::Rng;

/// `go test -bench . -count n` output of `benchmarks` benchmarks, rounds interleaved.
fn go_text(rng: &mut Rng, benchmarks: usize, n: usize) -> String {
    let mut out = String::from("goos: linux\ngoarch: amd64\npkg: example.com/x\n");
    for _ in 0..n {
        for b in 0..benchmarks {
            let base = 1_000.0 * (1 + b % 97) as f64;
            let _ = writeln!(
                out,
                "BenchmarkB{b:05}-8 \t 100000 \t {:.1} ns/op",
                base * rng.noise()
            );
        }
    }
    out.push_str("PASS\nok  \texample.com/x\t1.0s\n");
    out
}

fn stages(c: &mut Criterion) {
    let mut rng = Rng(7);
    let config = Config::default();
    for (benchmarks, n) in [(100, 10), (1_000, 10), (10_000, 30)] {
        let size = format!("{benchmarks}x{n}");
        let old = go_text(&mut rng, benchmarks, n);
        let new = go_text(&mut rng, benchmarks, n);
        let mut group = c.benchmark_group(size.clone());
        if benchmarks >= 10_000 {
            group
                .sample_size(10)
                .measurement_time(Duration::from_secs(20));
        }
        group.bench_function("parse", |b| {
            b.iter(|| formats::parse(Format::Go, black_box(&old)).unwrap())
        });
        let (base, head) = (
            formats::parse(Format::Go, &old).unwrap(),
            formats::parse(Format::Go, &new).unwrap(),
        );
        group.bench_function("compare", |b| {
            b.iter(|| compare::compare(Some(black_box(&base)), black_box(&head), &config))
        });
        let comparison = compare::compare(Some(&base), &head, &config);
        group.bench_function("render terminal", |b| {
            b.iter(|| report::render_terminal(black_box(&comparison), false))
        });
        group.bench_function("render markdown", |b| {
            b.iter(|| {
                report::render_markdown(black_box(&comparison), &MarkdownOptions::default())
                    .unwrap()
            })
        });
        group.bench_function("render json", |b| {
            b.iter(|| report::render_json(black_box(&comparison)))
        });
        group.finish();
    }
}

criterion::criterion_group!(benches, stages);
criterion::criterion_main!(benches);
