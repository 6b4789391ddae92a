//! Rules: what the configuration and a metric's name say about how one series is decided: its
//! direction, threshold, significance level, and whether it is deterministic (an exact count) or
//! a load test's latency statistic.

use crate::config::Config;
use crate::model::{Direction, Unit};

use super::pairing::Series;
use super::types::Ungated;

/// The settings that decide one metric.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rules {
    /// Relative change that counts (0.05 = 5%).
    pub threshold: f64,
    /// Significance level.
    pub alpha: f64,
    /// Fewest samples per side for a statistical decision.
    pub min_samples: usize,
    /// Exact threshold, no test.
    pub deterministic: bool,
    /// A change beyond this ratio is decided without a noise estimate ([`Config::large_change`]).
    pub large_change: f64,
    /// Latency statistics with no noise estimate: a smaller absolute change is no change (ns).
    pub latency_floor: f64,
}

impl Rules {
    /// The configuration's own rules, before any rule names a metric: its threshold and
    /// significance level, nothing deterministic.
    pub(super) fn of(config: &Config) -> Rules {
        Rules {
            threshold: config.threshold,
            alpha: config.alpha,
            min_samples: config.min_samples,
            deterministic: false,
            large_change: config.large_change,
            latency_floor: config.latency_floor,
        }
    }
}

/// The direction and decision rules the configuration gives a series (with the baseline's series
/// of the same metric, when there is one); None when it is ignored.
///
/// A metric deterministic by its name is decided exactly only while its repeats agree on each
/// side: Go's B/op divides the run's background allocations by `b.N`, so `BenchmarkSHA256_64KB`
/// reads 166-193 B/op within one unchanged run and 134-171 across runs, and
/// `BenchmarkMapInsert_10K` 275-280 allocs/op. Repeats that disagree are noise, and a test
/// decides them. A rule's `deterministic = true` is taken at its word.
pub(super) fn rules_for(
    s: &Series,
    baseline: Option<&Series>,
    config: &Config,
) -> Option<(Direction, Rules)> {
    let r = config.resolve(&s.benchmark, &s.metric);
    if r.ignore {
        return None;
    }
    let agree = |v: &[f64]| v.windows(2).all(|w| w.first() == w.last());
    let deterministic = r.deterministic.unwrap_or_else(|| {
        is_deterministic(&s.metric, &s.unit)
            && agree(&s.values)
            && baseline.is_none_or(|b| agree(&b.values))
    });
    Some((
        r.direction.unwrap_or(s.direction),
        Rules {
            threshold: r.threshold,
            alpha: r.alpha,
            deterministic,
            ..Rules::of(config)
        },
    ))
}

/// Whether a metric is deterministic: an exact count or size that does not vary between runs of
/// the same code (instruction counts, estimated cycles, cache hits and accesses from a
/// simulator, allocations, allocated bytes, binary and file sizes). Times, rates and ratios never
/// are; hardware `cycles` and memory use (RSS, `memory`, peaks) vary and are not. A rule's
/// `deterministic = true/false` overrides this.
pub fn is_deterministic(metric: &str, unit: &Unit) -> bool {
    if matches!(
        unit,
        Unit::Nanoseconds | Unit::BytesPerSecond | Unit::PerSecond | Unit::Ratio
    ) {
        return false;
    }
    let name: String = metric
        .to_ascii_lowercase()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    let has = |words: &[&str]| words.iter().any(|w| name.contains(w));
    if has(&["rss", "memory", "peak", "heap", "resident"]) {
        return false;
    }
    // Callgrind / iai-callgrind event names: Ir (instructions), Dr/Dw (data reads/writes),
    // I1mr, D1mr, ... (misses), L1/LL/RAM hits, total read+write, estimated cycles.
    let callgrind = [
        "ir", "dr", "dw", "i1mr", "d1mr", "d1mw", "ilmr", "dlmr", "dlmw", "bc", "bcm", "bi", "bim",
    ];
    if callgrind.contains(&name.as_str()) {
        return true;
    }
    if has(&[
        "instruction",
        "instr",
        "estimatedcycles",
        "hits",
        "misses",
        "accesses",
        "cache",
        "totalreadwrite",
        "alloc",
    ]) {
        return true;
    }
    *unit == Unit::Bytes && has(&["size", "binary", "wasm", "executable"])
}

/// The last word of a metric's name, the statistic of a load test's latency (`p(95)`, `avg`,
/// `http_req_duration p(95)` gives `p(95)`).
pub(super) fn statistic(metric: &str) -> &str {
    metric.rsplit(' ').next().unwrap_or(metric)
}

/// Whether a metric is a statistic of many requests' latencies (a load test's `p(95)`, `avg`,
/// `med`, `max`...), whose single value per run moves between reruns by more than a benchmark's
/// time per operation does.
pub(super) fn is_latency_stat(metric: &str) -> bool {
    let s = statistic(metric).to_ascii_lowercase();
    matches!(
        s.as_str(),
        "avg"
            | "mean"
            | "med"
            | "median"
            | "min"
            | "max"
            | "stdev"
            | "stddev"
            | "p50"
            | "p90"
            | "p95"
            | "p99"
    ) || (s.starts_with("p(") && s.ends_with(')'))
}

/// Why one value a side of `metric` is not gated without a history, when it is not: it moves
/// between unchanged reruns by far more than `large_change`.
///
/// - [`Ungated::FewRequests`]: `max`, `min` and the percentiles beyond 99.9 (and below 0.1), which
///   rest on a run's few slowest or fastest requests (autocannon's p(99.9) +54%, p(99.99) +91% on
///   `tests/fixtures/reruns/busy`).
/// - [`Ungated::KernelTime`]: a command's CPU time in the kernel, `system` (hyperfine's and Ruby
///   Benchmark's, in time units): one mean per run, a few milliseconds of a compute command
///   (`tests/fixtures/reruns`: +115% on the quiet machine, 1.6 ms to 3.5 ms of a 400 ms `gzip`;
///   +129% on the busy one, 3.7 ms to 8.4 ms of `sha256sum`). The command's time, which has its
///   repeats, decides. `user` keeps the rule for values: it moved by +79% only where the host
///   slowed the CPU and the command's time moved as much, and on the busy machine it was the
///   steadiest measure (within 8% while times moved by up to +338%), the one that caught
///   `sha256sum`'s +40% of work.
pub(super) fn ungated_without_history(metric: &str, unit: &Unit) -> Option<Ungated> {
    let s = statistic(metric).to_ascii_lowercase();
    let percentile = s
        .strip_prefix("p(")
        .and_then(|p| p.strip_suffix(')'))
        .and_then(|p| p.parse::<f64>().ok());
    if matches!(s.as_str(), "max" | "min") || percentile.is_some_and(|p| p >= 99.9 || p <= 0.1) {
        Some(Ungated::FewRequests)
    } else if *unit == Unit::Nanoseconds && metric.eq_ignore_ascii_case("system") {
        Some(Ungated::KernelTime {
            rerun_move: KERNEL_TIME_RERUN_MOVE,
        })
    } else {
        None
    }
}

/// The largest move of a command's `system` time between unchanged reruns recorded in
/// `tests/fixtures/reruns` (`sha256sum data.bin`, 3.66 ms to 8.37 ms, busy machine).
const KERNEL_TIME_RERUN_MOVE: f64 = 1.29;
