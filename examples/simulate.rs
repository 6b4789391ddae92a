//! How often does perfgate's gate raise a false alarm, and how often does it catch a real
//! regression? This program feeds perfgate's own decision code (`compare::compare` and
//! `compare::compare_history`, with the default configuration, and other thresholds in one
//! table) with simulated benchmark results and counts. Run it with:
//!
//! ```sh
//! cargo run --release --example simulate
//! ```
//!
//! Noise is lognormal with a coefficient of variation (CV) of 2%, 5% or 10%; a "real" change
//! multiplies every value of the current side. Random numbers come from a seeded splitmix64
//! generator (Steele, Lea & Flood 2014) and the Box-Muller transform, so the tables are the
//! same on every machine and every run. Cells are computed on all cores, each from its own seed.

use std::fmt::Write as _;
use std::thread;

use perfgate::compare::{self, Comparison, Status, Verdict};
use perfgate::config::{Config, TestChoice};
use perfgate::model::{Benchmark, Data, Metric, Run, RunMeta, Unit};

const CVS: [f64; 3] = [0.02, 0.05, 0.10];
const SAMPLE_SIZES: [usize; 4] = [1, 5, 10, 30];
const CHANGES: [f64; 4] = [0.0, 0.05, 0.10, 0.20];
/// Comparisons per cell of the one-metric table.
const METRIC_TRIALS: usize = 10_000;
/// Pull requests per cell of the pull-request table.
const PR_TRIALS: usize = 500;
const PR_BENCHMARKS: usize = 300;
const PR_REAL: usize = 10;
const HISTORY_RUNS: usize = 30;
const HISTORY_TRIALS: usize = 4000;
const HISTORY_PR_TRIALS: usize = 100;

/// splitmix64 (Steele, Lea & Flood, "Fast splittable pseudorandom number generators", 2014).
struct Rng {
    state: u64,
    spare: Option<f64>,
}

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng {
            state: seed,
            spare: None,
        }
    }

    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform on (0, 1): 53 random bits, never 0.
    fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    /// Standard normal, Box-Muller (Box & Muller 1958), both values of a pair used.
    fn normal(&mut self) -> f64 {
        if let Some(z) = self.spare.take() {
            return z;
        }
        let (u1, u2) = (self.uniform(), self.uniform());
        let r = (-2.0 * u1.ln()).sqrt();
        let theta = 2.0 * std::f64::consts::PI * u2;
        self.spare = Some(r * theta.sin());
        r * theta.cos()
    }

    /// A lognormal value with median `median` and coefficient of variation `cv`.
    /// A factor from 1.1 to 1.3, log-uniform: how much an interference slows what it hits.
    fn slower_by_10_to_30_percent(&mut self) -> f64 {
        self.slower_by(0.1, 0.3)
    }

    /// A factor `1 + lo` to `1 + hi`, log-uniform.
    fn slower_by(&mut self, lo: f64, hi: f64) -> f64 {
        (lo.ln_1p() + (hi.ln_1p() - lo.ln_1p()) * self.uniform()).exp()
    }

    /// Student's t with `df` degrees of freedom: a normal over the root of a chi-square over its
    /// degrees of freedom (a whole number of them, each a squared normal).
    fn student_t(&mut self, df: f64) -> f64 {
        let z = self.normal();
        let k = df.round().max(1.0) as usize;
        let chi2: f64 = (0..k).map(|_| self.normal().powi(2)).sum();
        z / (chi2 / k as f64).sqrt()
    }

    fn lognormal(&mut self, median: f64, cv: f64) -> f64 {
        let sigma = (1.0 + cv * cv).ln().sqrt();
        median * (sigma * self.normal()).exp()
    }
}

fn metric(values: Vec<f64>) -> Metric {
    let data = match values.as_slice() {
        [v] => Data::Value(*v),
        _ => Data::Samples(values),
    };
    Metric::new("time", Unit::Nanoseconds, data)
}

/// A run of benchmarks `B000`..., each with `n` values around 1000 ns times its factor.
fn run(rng: &mut Rng, factors: &[f64], n: usize, cv: f64) -> Run {
    run_with(rng, factors, n, &Noise::Lognormal(cv))
}

/// How the values of a pull-request run vary.
#[derive(Debug, Clone)]
enum Noise {
    /// Lognormal, one CV for every benchmark.
    Lognormal(f64),
    /// Lognormal, each benchmark its own CV (fixed across runs).
    Mixed(Vec<f64>),
    /// Lognormal at `cv`, and each value, with probability `share`, `factor` times slower
    /// (a GC pause, a noisy neighbour).
    Outliers { cv: f64, share: f64, factor: f64 },
}

impl Noise {
    /// CVs log-uniform between `lo` and `hi`, one per benchmark, from `seed`.
    fn mixed(seed: u64, lo: f64, hi: f64) -> Noise {
        let mut rng = Rng::new(seed);
        Noise::Mixed(
            (0..PR_BENCHMARKS)
                .map(|_| (lo.ln() + (hi.ln() - lo.ln()) * rng.uniform()).exp())
                .collect(),
        )
    }

    fn value(&self, rng: &mut Rng, i: usize, median: f64) -> f64 {
        match self {
            Noise::Lognormal(cv) => rng.lognormal(median, *cv),
            Noise::Mixed(cvs) => rng.lognormal(median, cvs.get(i).copied().unwrap_or(0.05)),
            Noise::Outliers { cv, share, factor } => {
                let v = rng.lognormal(median, *cv);
                if rng.uniform() < *share {
                    v * factor
                } else {
                    v
                }
            }
        }
    }
}

/// [`run`] with any [`Noise`].
fn run_with(rng: &mut Rng, factors: &[f64], n: usize, noise: &Noise) -> Run {
    let benchmarks = factors
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let mut b = Benchmark::new(format!("B{i:03}"));
            let values = (0..n).map(|_| noise.value(rng, i, 1000.0 * f)).collect();
            b.push(metric(values));
            b
        })
        .collect();
    Run::new(RunMeta::default(), benchmarks)
}

fn regressions(c: &Comparison) -> Vec<bool> {
    with_status(c, Status::Regression)
}

/// Which benchmarks `c` says have `status`, by index.
fn with_status(c: &Comparison, status: Status) -> Vec<bool> {
    let mut flagged = vec![false; c.results.len()];
    for r in &c.results {
        let index = r
            .benchmark
            .strip_prefix('B')
            .and_then(|i| i.parse::<usize>().ok());
        if let (Some(i), true) = (index, r.status == status) {
            if let Some(slot) = flagged.get_mut(i) {
                *slot = true;
            }
        }
    }
    flagged
}

/// Share of single-metric comparisons flagged as a regression.
fn one_metric(seed: u64, cv: f64, n: usize, change: f64, config: &Config) -> f64 {
    let mut rng = Rng::new(seed);
    let mut hits = 0usize;
    for _ in 0..METRIC_TRIALS {
        let base = run(&mut rng, &[1.0], n, cv);
        let cur = run(&mut rng, &[1.0 + change], n, cv);
        let c = compare::compare(Some(&base), &cur, config);
        if c.counts.regression > 0 {
            hits += 1;
        }
    }
    hits as f64 / METRIC_TRIALS as f64
}

/// Pull requests of 300 benchmarks, the last 10 really slower by `change`: false alarms per PR
/// and the share of real regressions caught.
fn pull_requests(seed: u64, cv: f64, n: usize, change: f64, config: &Config) -> (f64, f64) {
    pull_requests_with(seed, &Noise::Lognormal(cv), n, change, config)
}

/// [`pull_requests`] with any [`Noise`].
fn pull_requests_with(
    seed: u64,
    noise: &Noise,
    n: usize,
    change: f64,
    config: &Config,
) -> (f64, f64) {
    let mut rng = Rng::new(seed);
    let mut factors = vec![1.0; PR_BENCHMARKS];
    for f in factors.iter_mut().skip(PR_BENCHMARKS - PR_REAL) {
        *f = 1.0 + change;
    }
    let ones = vec![1.0; PR_BENCHMARKS];
    let (mut false_alarms, mut caught) = (0usize, 0usize);
    for _ in 0..PR_TRIALS {
        let base = run_with(&mut rng, &ones, n, noise);
        let cur = run_with(&mut rng, &factors, n, noise);
        let flagged = regressions(&compare::compare(Some(&base), &cur, config));
        let (null, real) = flagged.split_at(PR_BENCHMARKS - PR_REAL);
        false_alarms += null.iter().filter(|f| **f).count();
        caught += real.iter().filter(|f| **f).count();
    }
    (
        false_alarms as f64 / PR_TRIALS as f64,
        caught as f64 / (PR_TRIALS * PR_REAL) as f64,
    )
}

/// One value per run against the last 30 runs: share flagged as a regression.
fn history_metric(seed: u64, cv: f64, change: f64, config: &Config) -> f64 {
    let mut rng = Rng::new(seed);
    let mut hits = 0usize;
    for _ in 0..HISTORY_TRIALS {
        let past: Vec<Run> = (0..HISTORY_RUNS)
            .map(|_| run(&mut rng, &[1.0], 1, cv))
            .collect();
        let cur = run(&mut rng, &[1.0 + change], 1, cv);
        if compare::compare_history(&past, &cur, config)
            .counts
            .regression
            > 0
        {
            hits += 1;
        }
    }
    hits as f64 / HISTORY_TRIALS as f64
}

/// Something that happened to a history on the baseline branch: a change that landed (and
/// perhaps was undone), one slow run, or both.
#[derive(Clone, Copy, Default)]
struct Trouble {
    /// A change that moved the benchmark by `.1` landed `.0` runs ago (1: the latest run is the
    /// first at the new level); the pull request is made on top of it.
    change: Option<(usize, f64)>,
    /// The change was undone this many runs ago: the current level is the one before it.
    undone: Option<usize>,
    /// One run `.1` times slower, `.0` runs before the latest (0: the latest run itself).
    slow: Option<(usize, f64)>,
}

impl Trouble {
    /// The factor of the run `ago` runs before the latest.
    fn factor(self, ago: usize) -> f64 {
        let changed = self
            .change
            .filter(|(runs, _)| ago < *runs && self.undone.is_none_or(|u| ago >= u))
            .map_or(1.0, |(_, f)| f);
        let slow = self.slow.filter(|(a, _)| *a == ago).map_or(1.0, |(_, f)| f);
        changed * slow
    }

    /// The current level, which the pull request is made on.
    fn level(self) -> f64 {
        match (self.change, self.undone) {
            (Some((_, f)), None) => f,
            _ => 1.0,
        }
    }
}

/// One value per run against a 30-run history with some trouble: share flagged as a regression,
/// and share inconclusive.
fn troubled_history(
    seed: u64,
    cv: f64,
    change: f64,
    trouble: Trouble,
    config: &Config,
) -> (f64, f64) {
    let mut rng = Rng::new(seed);
    let (mut hits, mut unsure) = (0usize, 0usize);
    for _ in 0..HISTORY_TRIALS {
        let past: Vec<Run> = (0..HISTORY_RUNS)
            .map(|i| {
                let ago = HISTORY_RUNS - 1 - i;
                let factor = trouble.factor(ago);
                run(&mut rng, &[factor], 1, cv)
            })
            .collect();
        let level = trouble.level();
        let cur = run(&mut rng, &[level * (1.0 + change)], 1, cv);
        let counts = compare::compare_history(&past, &cur, config).counts;
        hits += usize::from(counts.regression > 0);
        unsure += usize::from(counts.inconclusive > 0);
    }
    (
        hits as f64 / HISTORY_TRIALS as f64,
        unsure as f64 / HISTORY_TRIALS as f64,
    )
}

/// Pull requests of 300 single-value benchmarks against a 30-run history, 10 really slower.
fn history_pull_requests(seed: u64, cv: f64, change: f64, config: &Config) -> (f64, f64) {
    let mut rng = Rng::new(seed);
    let mut factors = vec![1.0; PR_BENCHMARKS];
    for f in factors.iter_mut().skip(PR_BENCHMARKS - PR_REAL) {
        *f = 1.0 + change;
    }
    let ones = vec![1.0; PR_BENCHMARKS];
    let (mut false_alarms, mut caught) = (0usize, 0usize);
    for _ in 0..HISTORY_PR_TRIALS {
        let past: Vec<Run> = (0..HISTORY_RUNS)
            .map(|_| run(&mut rng, &ones, 1, cv))
            .collect();
        let cur = run(&mut rng, &factors, 1, cv);
        let flagged = regressions(&compare::compare_history(&past, &cur, config));
        let (null, real) = flagged.split_at(PR_BENCHMARKS - PR_REAL);
        false_alarms += null.iter().filter(|f| **f).count();
        caught += real.iter().filter(|f| **f).count();
    }
    (
        false_alarms as f64 / HISTORY_PR_TRIALS as f64,
        caught as f64 / (HISTORY_PR_TRIALS * PR_REAL) as f64,
    )
}

/// Run-to-run noise as CI has it (issue 10): every run gets a machine factor shared by all its
/// benchmarks, each benchmark a factor of its own for that run (the run's placement in memory,
/// the neighbour's load), and then each repeat its within-run noise. CVs in that order.
#[derive(Debug, Clone, Copy)]
struct CiNoise {
    machine: f64,
    run: f64,
    within: f64,
    /// Noisy neighbours: with this probability a run has one, and it slows a random
    /// [`NEIGHBOUR_SHARE`] of the run's benchmarks by 10% to 30% (log-uniform) — interference is
    /// not uniform across a suite, so a suite-wide shift does not absorb it.
    neighbour: f64,
    /// A stretch of slow repeats: with this probability a run has one, in one random benchmark,
    /// a contiguous 20% to 50% of its repeats slower by 10% to 30% (the machine busy for part of
    /// that benchmark's run, as criterion's `fib_20` in `tests/fixtures/reruns/quiet` run5: its
    /// first 40 of 100 samples 31% slower).
    burst: f64,
    /// Slow modes: with this probability each benchmark runs, for a whole run, in a slow mode,
    /// 30% to 70% slower (log-uniform), every repeat alike. The real quiet reruns show it:
    /// hyperfine's `sha256sum` took 75 ms in three runs and 126-144 ms in two; Go's run4 was 34% to
    /// 41% faster than both run1 and run5 on five of twelve benchmarks, where run5 was within 5% of
    /// run4 on five of the other seven.
    modes: f64,
    /// Heavy tails: each benchmark's own run factor is Student's t with this many degrees of
    /// freedom on the log scale (scaled by `run`) instead of normal; 0 for normal. Real reruns
    /// (`tests/fixtures/reruns`, Go, the Go suite and criterion, quiet and busy, 1,245 metrics of
    /// 60 unchanged pairs) lay against their suite as Student's t with 4 degrees of freedom (scale
    /// 0.92; log-likelihood -1985, against -2054 for the normal): 2.4% to 8.5% beyond 3 standard
    /// errors, where the normal has 0.27%.
    tails: f64,
    /// Loadings: each benchmark follows the machine by a factor of its own, `1 + loading * z`
    /// (fixed for the benchmark, [`loadings`]), so that a machine `M` moves it by `M^b`; 0 for
    /// all alike. The 42-benchmark Go suite's 30 real runs (`tests/fixtures/reruns/quiet/go-history`)
    /// have loadings from 0.55 to 1.74, spread 0.22 beyond their estimates' error
    /// (`stats::MACHINE_LOADING_SD`), with machines spread 4.7%.
    loading: f64,
}

/// Each benchmark's loading on the machine for a model with `loading`: fixed for the benchmark
/// (the same in every run and every trial), `1 + loading * z` with `z` standard normal.
fn loadings(loading: f64) -> Vec<f64> {
    let mut rng = Rng::new(4242);
    (0..CI_BENCHMARKS)
        .map(|_| 1.0 + loading * rng.normal())
        .collect()
}

/// Benchmarks of a CI pull request, and how many of them are really slower.
const CI_BENCHMARKS: usize = 20;
const CI_REAL: usize = 5;
const CI_REPEATS: usize = 10;
const CI_TRIALS: usize = 1000;
const CI_HISTORY_TRIALS: usize = 300;
const NEIGHBOUR_SHARE: f64 = 0.3;

impl CiNoise {
    /// One CI run of `factors.len()` benchmarks with `n` repeats each.
    fn run(&self, rng: &mut Rng, factors: &[f64], n: usize) -> Run {
        let machine = rng.lognormal(1.0, self.machine);
        let loadings = loadings(self.loading);
        let neighbour = rng.uniform() < self.neighbour;
        // Drawn only when the model has bursts, so that the other models' draws stay as they were.
        let burst = (self.burst > 0.0 && rng.uniform() < self.burst).then(|| {
            let which = ((rng.uniform() * factors.len() as f64) as usize).min(factors.len() - 1);
            let share = 0.2 + 0.3 * rng.uniform();
            let len = ((share * n as f64).round() as usize).clamp(1, n);
            let start = ((rng.uniform() * (n - len + 1) as f64) as usize).min(n - len);
            let slower = rng.slower_by_10_to_30_percent();
            // One value per run is the tool's mean over the run's iterations: the stretch moves
            // it by its share.
            let slower = if n == 1 {
                1.0 + share * (slower - 1.0)
            } else {
                slower
            };
            (which, start..start + len, slower)
        });
        let benchmarks = factors
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let own = if self.tails > 0.0 {
                    rng.student_t(self.tails) * (1.0 + self.run * self.run).ln().sqrt()
                } else {
                    (1.0 + self.run * self.run).ln().sqrt() * rng.normal()
                };
                let follows = loadings.get(i).copied().unwrap_or(1.0);
                let mut level = 1000.0 * f * machine.powf(follows) * own.exp();
                if neighbour && rng.uniform() < NEIGHBOUR_SHARE {
                    level *= rng.slower_by_10_to_30_percent();
                }
                // Drawn only when the model has modes, as bursts are.
                if self.modes > 0.0 && rng.uniform() < self.modes {
                    level *= rng.slower_by(0.3, 0.7);
                }
                let mut b = Benchmark::new(format!("B{i:03}"));
                let values = (0..n)
                    .map(|k| {
                        let v = rng.lognormal(level, self.within);
                        match &burst {
                            Some((which, stretch, slower))
                                if *which == i && stretch.contains(&k) =>
                            {
                                v * slower
                            }
                            _ => v,
                        }
                    })
                    .collect();
                b.push(metric(values));
                b
            })
            .collect();
        Run::new(RunMeta::default(), benchmarks)
    }
}

/// What a CI pull request is compared with.
#[derive(Debug, Clone, Copy, PartialEq)]
enum CiBaseline {
    /// One run of [`CI_REPEATS`] repeats (`--baseline FILE`).
    OneRun,
    /// [`HISTORY_RUNS`] runs of [`CI_REPEATS`] repeats (`compare --store`, the Action).
    History,
    /// [`HISTORY_RUNS`] runs of one value each.
    SingleValues,
}

/// The benchmarks' true factors of a CI pull request: all 1, and the last [`CI_REAL`] `1 + change`.
fn ci_factors(change: f64) -> (Vec<f64>, Vec<f64>) {
    let ones = vec![1.0; CI_BENCHMARKS];
    let mut slower = ones.clone();
    for f in slower.iter_mut().skip(CI_BENCHMARKS - CI_REAL) {
        *f = 1.0 + change;
    }
    (ones, slower)
}

/// How many of the really slower benchmarks (the last [`CI_REAL`]) are flagged.
fn caught_among_real(flagged: &[bool]) -> usize {
    flagged
        .iter()
        .skip(CI_BENCHMARKS - CI_REAL)
        .filter(|f| **f)
        .count()
}

/// CI pull requests of [`CI_BENCHMARKS`] benchmarks: the share of unchanged PRs that fail, and
/// (with [`CI_REAL`] benchmarks really slower by `change`) the shares of real regressions caught
/// and of those called inconclusive (not passed in silence: the report names them), and of PRs
/// that fail.
fn ci_pull_requests(
    seed: u64,
    noise: CiNoise,
    baseline: CiBaseline,
    pr_runs: usize,
    change: f64,
    config: &Config,
) -> CiRow {
    let mut rng = Rng::new(seed);
    let (ones, slower) = ci_factors(change);
    let n = if baseline == CiBaseline::SingleValues {
        1
    } else {
        CI_REPEATS
    };
    let trials = if baseline == CiBaseline::OneRun {
        CI_TRIALS
    } else {
        CI_HISTORY_TRIALS
    };
    let (mut failed_null, mut failed_real, mut caught) = (0usize, 0usize, 0usize);
    let (mut unsure, mut null_unsure) = (0usize, 0usize);
    for _ in 0..trials {
        let past: Vec<Run> = match baseline {
            CiBaseline::OneRun => vec![noise.run(&mut rng, &ones, n)],
            _ => (0..HISTORY_RUNS)
                .map(|_| noise.run(&mut rng, &ones, n))
                .collect(),
        };
        // The pull request run once, or run `pr_runs` times and compared run by run.
        let mut pr = |factors: &[f64]| {
            let runs: Vec<Run> = (0..pr_runs)
                .map(|_| noise.run(&mut rng, factors, n))
                .collect();
            compare::compare_runs(&past, &runs, false, config)
        };
        let c = pr(&ones);
        failed_null += usize::from(c.verdict == Verdict::Fail);
        null_unsure += with_status(&c, Status::Inconclusive)
            .iter()
            .filter(|f| **f)
            .count();
        let c = pr(&slower);
        failed_real += usize::from(c.verdict == Verdict::Fail);
        caught += caught_among_real(&regressions(&c));
        unsure += caught_among_real(&with_status(&c, Status::Inconclusive));
    }
    let real = (trials * CI_REAL) as f64;
    CiRow {
        null: failed_null as f64 / trials as f64,
        null_unsure: null_unsure as f64 / (trials * CI_BENCHMARKS) as f64,
        caught: caught as f64 / real,
        unsure: unsure as f64 / real,
        failed: failed_real as f64 / trials as f64,
    }
}

/// One row of the CI table: unchanged PRs that fail, and their benchmarks called inconclusive;
/// real regressions caught and called inconclusive; PRs with real regressions that fail.
#[derive(Debug, Clone, Copy)]
struct CiRow {
    null: f64,
    null_unsure: f64,
    caught: f64,
    unsure: f64,
    failed: f64,
}

/// The ceiling of any rule with one baseline run: the suite test of `stats::against_suite` told
/// the run-to-run noise exactly (no estimate from the suite), Benjamini-Hochberg over the
/// benchmarks, the threshold as in the gate. Unchanged PRs that fail and +`change` caught.
fn ci_oracle(seed: u64, noise: CiNoise, change: f64, config: &Config) -> (f64, f64) {
    let mut rng = Rng::new(seed);
    let (ones, slower) = ci_factors(change);
    let log_var = |cv: f64| (1.0 + cv * cv).ln();
    let tau2 = 2.0 * log_var(noise.run);
    let se2 = 2.0 * log_var(noise.within) / CI_REPEATS as f64;
    let log_mean = |run: &Run, i: usize| {
        run.benchmarks
            .get(i)
            .and_then(|b| b.metrics.first())
            .map_or(f64::NAN, |m| match &m.data {
                Data::Samples(v) => v.iter().map(|x| x.ln()).sum::<f64>() / v.len() as f64,
                _ => f64::NAN,
            })
    };
    let flagged = |base: &Run, cur: &Run| -> Vec<bool> {
        let shifts: Vec<f64> = (0..CI_BENCHMARKS)
            .map(|i| log_mean(cur, i) - log_mean(base, i))
            .collect();
        let center = perfgate::stats::median(&shifts).unwrap_or(0.0);
        // Each shift taken against the centre here, so that the suite's own shift (0) adds no
        // loadings' variance: M1 and M2 have none.
        let suite = perfgate::stats::SuiteShift {
            shift: 0.0,
            shift_var: std::f64::consts::FRAC_PI_2 * (tau2 + se2) / CI_BENCHMARKS as f64,
            tau2,
            df: 1e6,
            kept: CI_BENCHMARKS,
            members: CI_BENCHMARKS,
        };
        let tests: Vec<perfgate::stats::SuiteTest> = shifts
            .iter()
            .filter_map(|&shift| {
                let m = perfgate::stats::SuiteMember {
                    shift: shift - center,
                    se2,
                    df: f64::INFINITY,
                };
                perfgate::stats::against_suite(&m, &suite, compare::CONFIDENCE)
            })
            .collect();
        let p: Vec<f64> = tests.iter().map(|t| t.p).collect();
        let q = perfgate::stats::benjamini_hochberg(&p);
        tests
            .iter()
            .zip(&q)
            .map(|(t, q)| *q < config.alpha && t.relative > config.threshold.ln_1p())
            .collect()
    };
    let (mut failed_null, mut caught) = (0usize, 0usize);
    for _ in 0..CI_TRIALS {
        let base = noise.run(&mut rng, &ones, CI_REPEATS);
        let null = noise.run(&mut rng, &ones, CI_REPEATS);
        failed_null += usize::from(flagged(&base, &null).iter().any(|f| *f));
        let real = noise.run(&mut rng, &slower, CI_REPEATS);
        caught += caught_among_real(&flagged(&base, &real));
    }
    (
        failed_null as f64 / CI_TRIALS as f64,
        caught as f64 / (CI_TRIALS * CI_REAL) as f64,
    )
}

/// The run-to-run table and its targets.
fn ci_section(config: &Config, out: &mut String, verdicts: &mut Vec<(String, bool)>) {
    // M3 to M5 are M1 with one more kind of noise each.
    const M1: CiNoise = CiNoise {
        machine: 0.03,
        run: 0.015,
        within: 0.01,
        neighbour: 0.0,
        burst: 0.0,
        modes: 0.0,
        tails: 0.0,
        loading: 0.0,
    };
    let models = [
        ("M1 (3% / 1.5% / 1%)", M1),
        (
            "M2 (1% / 3% / 2%)",
            CiNoise {
                machine: 0.01,
                run: 0.03,
                within: 0.02,
                ..M1
            },
        ),
        (
            "M3: M1 + noisy neighbours",
            CiNoise {
                neighbour: 0.2,
                ..M1
            },
        ),
        (
            "M4: M1 + a stretch of slow repeats",
            CiNoise { burst: 0.5, ..M1 },
        ),
        ("M5: M1 + slow modes", CiNoise { modes: 0.1, ..M1 }),
        (
            "M6: M1, benchmarks' run moves heavy-tailed",
            CiNoise { tails: 4.0, ..M1 },
        ),
        (
            "M7: M1, machines 5%, benchmarks follow them unlike (loadings 1 ± 0.22)",
            CiNoise {
                machine: 0.05,
                loading: 0.22,
                ..M1
            },
        ),
    ];
    let baselines = [
        ("one run of 10 repeats", CiBaseline::OneRun, 1),
        ("30 runs of 10 repeats", CiBaseline::History, 1),
        ("30 runs of one value", CiBaseline::SingleValues, 1),
        (
            "one run of 10 repeats, the PR run twice",
            CiBaseline::OneRun,
            2,
        ),
        (
            "one run of 10 repeats, the PR run 3 times",
            CiBaseline::OneRun,
            3,
        ),
        (
            "30 runs of 10 repeats, the PR run twice",
            CiBaseline::History,
            2,
        ),
    ];
    let mut cells = Vec::new();
    for (m, (_, noise)) in models.iter().enumerate() {
        for (b, (_, baseline, pr_runs)) in baselines.iter().enumerate() {
            cells.push((m, b, *noise, *baseline, *pr_runs));
        }
    }
    let jobs = cells
        .iter()
        .map(|&(m, b, noise, baseline, pr_runs)| {
            // The rows of one PR run keep the seeds they had before the others were added.
            let seed = if pr_runs == 1 {
                8000 + (m * 3 + b) as u64
            } else {
                8100 + (m * baselines.len() + b) as u64
            };
            Box::new(move || ci_pull_requests(seed, noise, baseline, pr_runs, 0.15, config))
                as Box<dyn FnOnce() -> CiRow + Send + '_>
        })
        .collect();
    let rows = parallel(jobs);
    table(
        out,
        &format!("\nCI pull requests with run-to-run noise: {CI_BENCHMARKS} benchmarks; each run a machine factor shared by its benchmarks, a factor per benchmark, then within-run noise (CVs in that order); {CI_REAL} benchmarks really +15% slower in the second PR ({CI_TRIALS} PRs per one-run row, {CI_HISTORY_TRIALS} per history row)"),
        &["<noise", "<baseline", "unchanged PRs that fail", "unchanged benchmarks inconclusive", "+15% caught", "+15% inconclusive", "PRs with +15% that fail"],
    );
    for (&(m, b, _, baseline, _), row) in cells.iter().zip(&rows) {
        let CiRow {
            null,
            null_unsure,
            caught,
            unsure,
            failed,
        } = *row;
        let (model, _) = models.get(m).copied().unwrap_or(("?", models[0].1));
        let (what, _, _) = baselines
            .get(b)
            .copied()
            .unwrap_or(("?", CiBaseline::OneRun, 1));
        let _ = writeln!(
            out,
            "| {model} | {what} | {} | {} | {} | {} | {} |",
            pct(null),
            pct(null_unsure),
            pct(caught),
            pct(unsure),
            pct(failed)
        );
        if m < 2 && b < 3 {
            let (max_null, min_caught) = if baseline == CiBaseline::OneRun {
                (0.10, 0.70)
            } else {
                (0.05, 0.85)
            };
            let short = model.split(' ').next().unwrap_or(model);
            verdicts.push((
                format!(
                    "{short}, {what}: {} of unchanged PRs fail (target at most {})",
                    pct(null),
                    pct(max_null)
                ),
                null <= max_null,
            ));
            verdicts.push((
                format!(
                    "{short}, {what}: {} of +15% caught (target at least {})",
                    pct(caught),
                    pct(min_caught)
                ),
                caught >= min_caught,
            ));
        }
    }
    let oracles = parallel(
        models
            .iter()
            .take(2)
            .enumerate()
            .map(|(m, &(_, noise))| {
                Box::new(move || ci_oracle(9000 + m as u64, noise, 0.15, config))
                    as Box<dyn FnOnce() -> (f64, f64) + Send + '_>
            })
            .collect(),
    );
    let _ = writeln!(
        out,
        "\nThe ceiling with one baseline run: the same test told each benchmark's run-to-run noise exactly instead of reading it from the suite ({CI_TRIALS} PRs per row)\n\n| noise | unchanged PRs that fail | +15% caught |\n|:--|--:|--:|"
    );
    for (&(model, _), (null, caught)) in models.iter().zip(&oracles) {
        let _ = writeln!(out, "| {model} | {} | {} |", pct(*null), pct(*caught));
    }
}

/// Unchanged runs of a real suite: the 42-benchmark Go suite run 30 times back to back on one
/// machine (`tests/fixtures/reruns/quiet/go-history`).
const REAL_RUNS: usize = 30;
const REAL_DIR: &str = "tests/fixtures/reruns/quiet/go-history";
/// Draws of the benchmarks made slower, per comparison.
const REAL_DRAWS: usize = 2;
/// The first run judged against every run before it: 10 runs of history.
const REAL_FIRST_JUDGED: usize = 11;

/// `run` with the benchmarks of `slower` slower by `1 + change`: their time multiplied, their
/// throughput divided; allocations as they were.
fn slowed(run: &Run, slower: &[bool], change: f64) -> Run {
    let mut run = run.clone();
    for (b, slow) in run.benchmarks.iter_mut().zip(slower) {
        if !slow {
            continue;
        }
        for m in &mut b.metrics {
            let factor = match m.name.as_str() {
                "time" => 1.0 + change,
                "throughput" => 1.0 / (1.0 + change),
                _ => continue,
            };
            match &mut m.data {
                Data::Samples(v) => v.iter_mut().for_each(|x| *x *= factor),
                Data::Value(x) => *x *= factor,
                Data::Histogram(_) => {}
            }
        }
    }
    run
}

/// How many of `CI_REAL` benchmarks of a real run, drawn and made `change` slower, the
/// comparison with `past` calls a regression in time.
fn slowed_compare(
    rng: &mut Rng,
    past: &[Run],
    current: &Run,
    change: f64,
    config: &Config,
) -> usize {
    let benchmarks = current.benchmarks.len();
    let mut slower = vec![false; benchmarks];
    let mut left = CI_REAL.min(benchmarks);
    while left > 0 {
        let k = ((rng.uniform() * benchmarks as f64) as usize).min(benchmarks - 1);
        if let Some(s) = slower.get_mut(k).filter(|s| !**s) {
            *s = true;
            left -= 1;
        }
    }
    let c = compare::compare_history(past, &slowed(current, &slower, change), config);
    current
        .benchmarks
        .iter()
        .zip(&slower)
        .filter(|(b, slow)| {
            **slow
                && c.results.iter().any(|r| {
                    r.benchmark == b.name && r.metric == "time" && r.status == Status::Regression
                })
        })
        .count()
}

/// A real suite's unchanged runs compared as a pull request would be: each run against the one
/// run before it (every pair, the earlier as the baseline run), or against every run before it
/// from the [`REAL_FIRST_JUDGED`]th on (a history): the share that fail; and with `CI_REAL`
/// benchmarks of the judged run made `change` slower (their samples multiplied, so the real
/// run-to-run noise stays as it was), the share of those caught. Rows: one baseline run, history.
fn real_runs(change: f64, config: &Config) -> Result<Vec<(f64, f64, usize)>, String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(REAL_DIR);
    let runs = (1..=REAL_RUNS)
        .map(|i| {
            let path = dir.join(format!("run{i}.txt"));
            let text =
                std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            perfgate::formats::parse(perfgate::formats::Format::Go, &text)
                .map_err(|e| format!("{}: {e}", path.display()))
        })
        .collect::<Result<Vec<Run>, String>>()?;
    // The same runs as one value per benchmark (each run's median): what a tool that prints one
    // value per benchmark would have given.
    let single: Vec<Run> = runs
        .iter()
        .map(|r| {
            let mut r = r.clone();
            for b in &mut r.benchmarks {
                // A tool that prints one value per benchmark prints its time (and throughput).
                b.metrics
                    .retain(|m| m.name == "time" || m.name == "throughput");
                for m in &mut b.metrics {
                    if let Data::Samples(v) = &m.data {
                        if let Some(median) = perfgate::stats::median(v) {
                            m.data = Data::Value(median);
                        }
                    }
                }
            }
            r
        })
        .collect();
    let mut rng = Rng::new(9500);
    let mut rows = Vec::new();
    let cases: [Vec<(&[Run], &Run)>; 3] = [
        (0..runs.len())
            .flat_map(|i| (i + 1..runs.len()).map(move |j| (i, j)))
            .filter_map(|(i, j)| Some((runs.get(i..=i)?, runs.get(j)?)))
            .collect(),
        (REAL_FIRST_JUDGED - 1..runs.len())
            .filter_map(|j| Some((runs.get(..j)?, runs.get(j)?)))
            .collect(),
        (REAL_FIRST_JUDGED - 1..single.len())
            .filter_map(|j| Some((single.get(..j)?, single.get(j)?)))
            .collect(),
    ];
    for case in cases {
        let (mut failed, mut caught) = (0usize, 0usize);
        for &(past, current) in &case {
            failed += usize::from(
                compare::compare_history(past, current, config).verdict == Verdict::Fail,
            );
            for _ in 0..REAL_DRAWS {
                caught += slowed_compare(&mut rng, past, current, change, config);
            }
        }
        let n = case.len().max(1);
        rows.push((
            failed as f64 / n as f64,
            caught as f64 / (n * REAL_DRAWS * CI_REAL) as f64,
            case.len(),
        ));
    }
    Ok(rows)
}

/// The real suite's table.
fn real_section(config: &Config, out: &mut String) {
    let rows = match real_runs(0.15, config) {
        Ok(rows) => rows,
        Err(e) => {
            let _ = writeln!(out, "\nReal run-to-run noise: not measured: {e}");
            return;
        }
    };
    table(
        out,
        &format!("\nReal run-to-run noise: the 42-benchmark Go suite run {REAL_RUNS} times, unchanged (`{REAL_DIR}`), each run compared as a pull request; {CI_REAL} benchmarks of it made +15% slower ({REAL_DRAWS} draws a comparison)"),
        &["<baseline", "comparisons", "unchanged that fail", "+15% caught"],
    );
    let what = [
        "one run of 10 repeats: every pair of runs, the earlier as the baseline".to_string(),
        format!(
            "every run before it (runs {REAL_FIRST_JUDGED} to {REAL_RUNS}, against {} to {})",
            REAL_FIRST_JUDGED - 1,
            REAL_RUNS - 1
        ),
        "every run before it, one value per benchmark (each run's median)".to_string(),
    ];
    for (what, (null, caught, n)) in what.iter().zip(rows) {
        let _ = writeln!(out, "| {what} | {n} | {} | {} |", pct(null), pct(caught));
    }
}

/// Starts a Markdown table: its title as a paragraph, the header and the alignment row (numbers
/// to the right; a column whose name starts with `<` to the left, without the `<`).
fn table(out: &mut String, title: &str, columns: &[&str]) {
    let _ = writeln!(out, "{title}\n");
    let names: Vec<&str> = columns.iter().map(|c| c.trim_start_matches('<')).collect();
    let aligns: Vec<&str> = columns
        .iter()
        .map(|c| if c.starts_with('<') { ":--" } else { "--:" })
        .collect();
    let _ = writeln!(out, "| {} |", names.join(" | "));
    let _ = writeln!(out, "|{}|", aligns.join("|"));
}

fn pct(v: f64) -> String {
    format!("{:.1}%", v * 100.0)
}

/// Runs `jobs` on all cores and returns their results in order.
fn parallel<T: Send>(jobs: Vec<Box<dyn FnOnce() -> T + Send + '_>>) -> Vec<T> {
    let workers = thread::available_parallelism().map_or(1, |n| n.get());
    let mut slots: Vec<Option<T>> = jobs.iter().map(|_| None).collect();
    let queue = std::sync::Mutex::new(jobs.into_iter().enumerate().collect::<Vec<_>>());
    let done = std::sync::Mutex::new(Vec::new());
    thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let job = queue.lock().ok().and_then(|mut q| q.pop());
                let Some((i, job)) = job else { break };
                let out = job();
                if let Ok(mut d) = done.lock() {
                    d.push((i, out));
                }
            });
        }
    });
    for (i, out) in done.into_inner().unwrap_or_default() {
        if let Some(slot) = slots.get_mut(i) {
            *slot = Some(out);
        }
    }
    slots.into_iter().flatten().collect()
}

fn main() {
    let config = Config::default();
    let started = std::time::Instant::now();
    let mut out = String::new();
    let mut verdicts: Vec<(String, bool)> = Vec::new();
    if std::env::args().nth(1).as_deref() == Some("ci") {
        ci_section(&config, &mut out, &mut verdicts);
        real_section(&config, &mut out);
        for (what, ok) in &verdicts {
            let _ = writeln!(out, "- {} {what}", if *ok { "met:" } else { "MISSED:" });
        }
        print!("{out}");
        return;
    }

    // One metric: every (cv, n, change).
    let cells: Vec<(f64, usize, f64)> = CVS
        .iter()
        .flat_map(|&cv| {
            SAMPLE_SIZES
                .iter()
                .flat_map(move |&n| CHANGES.iter().map(move |&ch| (cv, n, ch)))
        })
        .collect();
    let jobs = cells
        .iter()
        .enumerate()
        .map(|(i, &(cv, n, ch))| {
            let config = &config;
            Box::new(move || one_metric(1000 + i as u64, cv, n, ch, config))
                as Box<dyn FnOnce() -> f64 + Send + '_>
        })
        .collect();
    let rates = parallel(jobs);
    let rate = |cv: f64, n: usize, ch: f64| {
        cells
            .iter()
            .zip(&rates)
            .find(|((c, m, x), _)| *c == cv && *m == n && *x == ch)
            .map_or(f64::NAN, |(_, r)| *r)
    };
    table(
        &mut out,
        &format!("One metric, n values per side ({METRIC_TRIALS} comparisons per cell): share flagged as a regression"),
        &["CV", "n per side", "false alarms (0%)", "caught at +5%", "caught at +10%", "caught at +20%"],
    );
    for &cv in &CVS {
        for &n in &SAMPLE_SIZES {
            let _ = writeln!(
                out,
                "| {} | {n} | {} | {} | {} | {} |",
                pct(cv),
                pct(rate(cv, n, 0.0)),
                pct(rate(cv, n, 0.05)),
                pct(rate(cv, n, 0.10)),
                pct(rate(cv, n, 0.20))
            );
        }
    }
    verdicts.push((
        format!(
            "one metric, CV 5%, n = 10: false alarms {} (target at most 1%)",
            pct(rate(0.05, 10, 0.0))
        ),
        rate(0.05, 10, 0.0) <= 0.01,
    ));
    verdicts.push((
        format!(
            "one metric, CV 5%, n = 10: +10% caught {} (target at least 95%)",
            pct(rate(0.05, 10, 0.10))
        ),
        rate(0.05, 10, 0.10) >= 0.95,
    ));

    // Pull requests of 300 benchmarks.
    let pr_cells: Vec<(f64, usize)> = CVS
        .iter()
        .flat_map(|&cv| [5usize, 10, 30].into_iter().map(move |n| (cv, n)))
        .collect();
    let jobs = pr_cells
        .iter()
        .enumerate()
        .map(|(i, &(cv, n))| {
            let config = &config;
            Box::new(move || pull_requests(2000 + i as u64, cv, n, 0.10, config))
                as Box<dyn FnOnce() -> (f64, f64) + Send + '_>
        })
        .collect();
    let prs = parallel(jobs);
    table(
        &mut out,
        &format!("\nPull requests of {PR_BENCHMARKS} benchmarks, {PR_REAL} of them really +10% slower ({PR_TRIALS} PRs per row)"),
        &["CV", "n per side", "false alarms per PR", "real regressions caught"],
    );
    for (&(cv, n), &(fa, caught)) in pr_cells.iter().zip(&prs) {
        let _ = writeln!(out, "| {} | {n} | {fa:.2} | {} |", pct(cv), pct(caught));
        if cv == 0.05 && n == 10 {
            verdicts.push((
                format!("PR, CV 5%, n = 10: {fa:.2} false alarms per PR (target at most 0.3)"),
                fa <= 0.3,
            ));
            verdicts.push((
                format!(
                    "PR, CV 5%, n = 10: {} of real +10% regressions caught (target at least 85%)",
                    pct(caught)
                ),
                caught >= 0.85,
            ));
        }
    }

    // Pull requests whose noise is not one lognormal: does the moderated test stay calibrated?
    let u_test = Config {
        test: TestChoice::MannWhitney,
        ..Config::default()
    };
    let scenarios = [
        (
            "CV 1% to 20%, each benchmark its own",
            Noise::mixed(7, 0.01, 0.20),
        ),
        (
            "CV 5%, 2% of values 1.5x slower",
            Noise::Outliers {
                cv: 0.05,
                share: 0.02,
                factor: 1.5,
            },
        ),
    ];
    let mut cells: Vec<(&str, &Noise, usize, &str)> = Vec::new();
    for (what, noise) in &scenarios {
        for n in [10usize, 30] {
            for test in ["auto", "mann-whitney"] {
                cells.push((what, noise, n, test));
            }
        }
    }
    let jobs = cells
        .iter()
        .enumerate()
        .map(|(i, &(_, noise, n, test))| {
            let config = if test == "auto" { &config } else { &u_test };
            Box::new(move || pull_requests_with(6000 + i as u64, noise, n, 0.10, config))
                as Box<dyn FnOnce() -> (f64, f64) + Send + '_>
        })
        .collect();
    let other = parallel(jobs);
    table(
        &mut out,
        &format!("\nPull requests of {PR_BENCHMARKS} benchmarks, {PR_REAL} of them really +10% slower, other noise ({PR_TRIALS} PRs per row)"),
        &["<noise", "n per side", "<test", "false alarms per PR", "real regressions caught"],
    );
    for (&(what, _, n, test), &(fa, caught)) in cells.iter().zip(&other) {
        let _ = writeln!(
            out,
            "| {what} | {n} | `{test}` | {fa:.2} | {} |",
            pct(caught)
        );
    }

    // One value per run against a 30-run history.
    let h_cells: Vec<(f64, f64)> = CVS
        .iter()
        .flat_map(|&cv| CHANGES.iter().map(move |&ch| (cv, ch)))
        .collect();
    let mut jobs: Vec<Box<dyn FnOnce() -> (f64, f64) + Send + '_>> = h_cells
        .iter()
        .enumerate()
        .map(|(i, &(cv, ch))| {
            let config = &config;
            Box::new(move || (history_metric(3000 + i as u64, cv, ch, config), 0.0))
                as Box<dyn FnOnce() -> (f64, f64) + Send + '_>
        })
        .collect();
    for (i, &cv) in CVS.iter().enumerate() {
        let config = &config;
        jobs.push(Box::new(move || {
            history_pull_requests(4000 + i as u64, cv, 0.20, config)
        }));
    }
    let h = parallel(jobs);
    let (h_rates, h_prs) = h.split_at(h_cells.len());
    let h_rate = |cv: f64, ch: f64| {
        h_cells
            .iter()
            .zip(h_rates)
            .find(|((c, x), _)| *c == cv && *x == ch)
            .map_or(f64::NAN, |(_, r)| r.0)
    };
    table(
        &mut out,
        &format!("\nOne value per run against the last {HISTORY_RUNS} runs ({HISTORY_TRIALS} comparisons per cell; PRs: {PR_BENCHMARKS} benchmarks, {PR_REAL} really +20% slower, {HISTORY_PR_TRIALS} PRs)"),
        &["CV", "false alarms (0%)", "caught at +5%", "caught at +10%", "caught at +20%", "PR: false alarms per PR", "PR: +20% caught"],
    );
    for (&cv, &(fa, caught)) in CVS.iter().zip(h_prs) {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {fa:.2} | {} |",
            pct(cv),
            pct(h_rate(cv, 0.0)),
            pct(h_rate(cv, 0.05)),
            pct(h_rate(cv, 0.10)),
            pct(h_rate(cv, 0.20)),
            pct(caught)
        );
    }
    verdicts.push((
        format!(
            "history, CV 5%: false alarms {} (target at most 2%)",
            pct(h_rate(0.05, 0.0))
        ),
        h_rate(0.05, 0.0) <= 0.02,
    ));
    verdicts.push((
        format!(
            "history, CV 5%: +20% caught {} (target at least 85%)",
            pct(h_rate(0.05, 0.20))
        ),
        h_rate(0.05, 0.20) >= 0.85,
    ));

    // Histories with trouble: a slow day, a change that landed on the baseline branch.
    let troubles: [(&str, Trouble); 8] = [
        (
            "one run 1.5x slower, 10 runs ago",
            Trouble {
                slow: Some((10, 1.5)),
                ..Trouble::default()
            },
        ),
        (
            "the latest run 1.5x slower, a one-off",
            Trouble {
                slow: Some((0, 1.5)),
                ..Trouble::default()
            },
        ),
        (
            "a +20% change landed 10 runs ago",
            Trouble {
                change: Some((10, 1.2)),
                ..Trouble::default()
            },
        ),
        (
            "a +20% change landed 3 runs ago",
            Trouble {
                change: Some((3, 1.2)),
                ..Trouble::default()
            },
        ),
        (
            "a +20% change landed in the latest run",
            Trouble {
                change: Some((1, 1.2)),
                ..Trouble::default()
            },
        ),
        (
            "a -20% change landed 10 runs ago",
            Trouble {
                change: Some((10, 0.8)),
                ..Trouble::default()
            },
        ),
        (
            "a +20% change landed 10 runs ago, one run 2x slower 20 runs ago",
            Trouble {
                change: Some((10, 1.2)),
                slow: Some((20, 2.0)),
                ..Trouble::default()
            },
        ),
        (
            "a +20% change landed 20 runs ago, undone 10 runs ago",
            Trouble {
                change: Some((20, 1.2)),
                undone: Some(10),
                ..Trouble::default()
            },
        ),
    ];
    let jobs = troubles
        .iter()
        .enumerate()
        .flat_map(|(i, &(_, trouble))| {
            let config = &config;
            [0.0, 0.20].into_iter().enumerate().map(move |(j, ch)| {
                Box::new(move || {
                    troubled_history(7000 + (2 * i + j) as u64, 0.05, ch, trouble, config)
                }) as Box<dyn FnOnce() -> (f64, f64) + Send + '_>
            })
        })
        .collect();
    let troubled = parallel(jobs);
    table(
        &mut out,
        &format!("\nOne value per run against the last {HISTORY_RUNS} runs, CV 5%, when something happened on the baseline branch ({HISTORY_TRIALS} comparisons per cell; the pull request is at the current level)"),
        &["<history", "false alarms (0%)", "inconclusive (0%)", "caught at +20%"],
    );
    for ((what, _), pair) in troubles.iter().zip(troubled.chunks(2)) {
        if let [(fa, unsure), (caught, _)] = pair {
            let _ = writeln!(
                out,
                "| {what} | {} | {} | {} |",
                pct(*fa),
                pct(*unsure),
                pct(*caught)
            );
        }
    }

    // The threshold trades false alarms for detection: one metric, CV 5%, n = 10.
    let thresholds = [0.05, 0.055, 0.06];
    let configs: Vec<Config> = thresholds
        .iter()
        .map(|&t| Config {
            threshold: t,
            ..Config::default()
        })
        .collect();
    let jobs = configs
        .iter()
        .enumerate()
        .flat_map(|(i, c)| {
            [0.0, 0.10].into_iter().enumerate().map(move |(j, ch)| {
                Box::new(move || one_metric(5000 + (2 * i + j) as u64, 0.05, 10, ch, c))
                    as Box<dyn FnOnce() -> f64 + Send + '_>
            })
        })
        .collect();
    let by_threshold = parallel(jobs);
    table(
        &mut out,
        &format!("\nOne metric, CV 5%, n = 10 per side, by threshold ({METRIC_TRIALS} comparisons per cell)"),
        &["threshold", "false alarms (0%)", "caught at +10%"],
    );
    for (t, pair) in thresholds.iter().zip(by_threshold.chunks(2)) {
        if let [fa, caught] = pair {
            let _ = writeln!(out, "| {} | {} | {} |", pct(*t), pct(*fa), pct(*caught));
        }
    }

    ci_section(&config, &mut out, &mut verdicts);
    real_section(&config, &mut out);

    let _ = writeln!(
        out,
        "\nTargets (issue 5, CV 5%; issue 10, run-to-run noise):\n"
    );
    for (what, ok) in &verdicts {
        let _ = writeln!(out, "- {} {what}", if *ok { "met:" } else { "MISSED:" });
    }
    let _ = writeln!(
        out,
        "\n(default configuration; {:.0} s)",
        started.elapsed().as_secs_f64()
    );
    print!("{out}");
}
