//! A store index of synthetic history with known level shifts and slow days, for the dashboard's
//! tests and benchmark: `series` series (Go-like benchmarks, time in ns) over `runs` runs of
//! `main`, each run value with 2% lognormal noise from a fixed seed.
//!
//! - series `i % 20 == 0`: 30% slower from run `runs - 10` on (a recent regression);
//! - series `i % 20 == 10`: 25% faster from run `runs - 15` on (a recent improvement);
//! - series `i % 40 == 5`: 40% slower from run `runs / 3` on (an old shift);
//! - series `i % 50 == 7`: run `runs / 2` 1.8x slower (a slow day).

use perfgate::model::{Direction, Environment, RunMeta, Unit};
use perfgate::store::index::{SeriesSummary, Summary};
use perfgate::store::{Index, IndexEntry};

/// A shift the generator put in: the series' benchmark and metric, the run that started it.
#[derive(Debug, Clone, PartialEq)]
pub struct Planted {
    pub benchmark: String,
    pub metric: String,
    pub run: usize,
    pub change: f64,
}

/// splitmix64, uniform on (0, 1).
struct Rng(u64);

impl Rng {
    fn uniform(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (((z ^ (z >> 31)) >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    fn noise(&mut self, sd: f64) -> f64 {
        let (u1, u2) = (self.uniform(), self.uniform());
        let z = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
        (sd * z).exp()
    }
}

/// The commit of run `run`: 40 hex digits.
pub fn commit(run: usize) -> String {
    let mut r = Rng(run as u64);
    let (a, b) = (r.uniform(), r.uniform());
    let bits = |u: f64| ((u * (1u64 << 47) as f64) as u64) | (1u64 << 47);
    format!("{:012x}{:012x}{run:016x}", bits(a), bits(b))
}

pub fn benchmark(i: usize) -> String {
    format!("BenchmarkParse/case={i:04}-8")
}

/// The planted shift of series `i` in a history of `runs` runs, if any.
fn shift_of(i: usize, runs: usize) -> Option<(usize, f64)> {
    if i % 20 == 0 {
        Some((runs - 10, 0.30))
    } else if i % 20 == 10 {
        Some((runs - 15, -0.25))
    } else if i % 40 == 5 {
        Some((runs / 3, 0.40))
    } else {
        None
    }
}

/// The index and the shifts planted in it.
pub fn synthetic(series: usize, runs: usize) -> (Index, Vec<Planted>) {
    let mut rng = Rng(42);
    let env = Environment {
        os: Some("linux".into()),
        arch: Some("amd64".into()),
        cpu: Some("AMD EPYC 7763 64-Core Processor".into()),
        cores: Some(4),
        ..Environment::default()
    };
    let base: Vec<f64> = (0..series)
        .map(|i| 1_000.0 * (1.0 + (i % 97) as f64))
        .collect();
    let mut index = Index::default();
    for run in 0..runs {
        let series: Vec<SeriesSummary> = (0..series)
            .map(|i| {
                let mut v = base[i] * rng.noise(0.02);
                if let Some((at, change)) = shift_of(i, runs) {
                    if run >= at {
                        v *= 1.0 + change;
                    }
                }
                if i % 50 == 7 && run == runs / 2 {
                    v *= 1.8;
                }
                SeriesSummary {
                    benchmark: benchmark(i),
                    metric: "time".into(),
                    unit: Unit::Nanoseconds,
                    direction: Direction::LowerIsBetter,
                    value: v,
                    n: 10,
                }
            })
            .collect();
        let benchmarks = series.len();
        index.runs.push(IndexEntry {
            id: format!("run-{run:04}"),
            meta: RunMeta {
                commit: Some(commit(run)),
                branch: Some("main".into()),
                timestamp: Some(format!(
                    "2026-11-{:02}T{:02}:00:00Z",
                    1 + run / 24,
                    run % 24
                )),
                commit_time: None,
                tool: Some("go".into()),
                environment: env.clone(),
            },
            benchmarks,
            summary: Some(Summary { series }),
        });
    }
    let planted = (0..series)
        .filter_map(|i| {
            shift_of(i, runs).map(|(run, change)| Planted {
                benchmark: benchmark(i),
                metric: "time".into(),
                run,
                change,
            })
        })
        .collect();
    (index, planted)
}
