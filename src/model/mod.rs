//! The data every stage shares: a [`Run`] of benchmarks, each with metrics; a metric has a canonical
//! [`Unit`], a [`Direction`] and its [`Data`] (one value, repeated samples, or a latency histogram).
//!
//! The serde form of these types *is* perfgate's own JSON format (`perfgate.run.v1`): saved runs are
//! written with it, and users can write it by hand (units as tools spell them, direction optional).

mod histogram;
mod unit;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use histogram::Histogram;
pub use unit::{si, sig3, Unit};

/// An RFC 3339 time (`2026-12-06T19:19:44Z`, `2026-12-06T20:19:44+01:00`) as an instant, so
/// that times written with different offsets compare as the moments they are; None when `t` is
/// not one. The run format's times (`timestamp`, `commit_time`) are these.
pub fn instant(t: &str) -> Option<chrono::DateTime<chrono::FixedOffset>> {
    chrono::DateTime::parse_from_rfc3339(t).ok()
}

/// The schema tag of perfgate's own run format.
pub const RUN_SCHEMA: &str = "perfgate.run.v1";

/// One execution of a benchmark suite or load test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Run {
    /// Always [`RUN_SCHEMA`] when written; optional when read.
    #[serde(default = "run_schema")]
    pub schema: String,
    #[serde(default)]
    pub meta: RunMeta,
    pub benchmarks: Vec<Benchmark>,
}

fn run_schema() -> String {
    RUN_SCHEMA.to_string()
}

impl Run {
    pub fn new(meta: RunMeta, benchmarks: Vec<Benchmark>) -> Run {
        Run {
            schema: run_schema(),
            meta,
            benchmarks,
        }
    }

    /// Finds a benchmark by exact name.
    pub fn benchmark(&self, name: &str) -> Option<&Benchmark> {
        self.benchmarks.iter().find(|b| b.name == name)
    }

    /// Number of metrics over all benchmarks.
    pub fn metric_count(&self) -> usize {
        self.benchmarks.iter().map(|b| b.metrics.len()).sum()
    }

    /// The runs merged into one, in order ([`Run::merge`]); None for no run.
    pub fn merged(runs: impl IntoIterator<Item = Run>) -> Option<Run> {
        let mut runs = runs.into_iter();
        let mut first = runs.next()?;
        runs.for_each(|r| first.merge(r));
        Some(first)
    }

    /// Merges another run into this one (several `--current` files make one run). Metrics of a
    /// benchmark present in both are combined: samples are pooled, so that `-count` split over files
    /// still gives one sample set.
    pub fn merge(&mut self, other: Run) {
        self.meta.fill_from(other.meta);
        let mut all = Benchmarks::from_vec(std::mem::take(&mut self.benchmarks));
        for b in other.benchmarks {
            all.add(b.name, b.metrics);
        }
        self.benchmarks = all.into_vec();
    }
}

/// Benchmarks being gathered by name, in order of first appearance: a name seen twice is one
/// benchmark, whose metrics combine as [`Benchmark::push`] combines them (samples pool). Parsers
/// build their runs with it. Finding a name is a hash lookup, so a file of 20,000 benchmarks is
/// read in time linear in its lines (a search from the start made it quadratic).
#[derive(Debug, Default)]
pub struct Benchmarks {
    list: Vec<Benchmark>,
    by_name: rustc_hash::FxHashMap<String, usize>,
}

impl Benchmarks {
    /// Gathering on from `list` (whose duplicate names, if any, stay as they are).
    pub fn from_vec(list: Vec<Benchmark>) -> Benchmarks {
        let mut by_name =
            rustc_hash::FxHashMap::with_capacity_and_hasher(list.len(), Default::default());
        for (i, b) in list.iter().enumerate() {
            by_name.entry(b.name.clone()).or_insert(i);
        }
        Benchmarks { list, by_name }
    }

    /// Adds `metrics` to the benchmark named `name`, appending a new benchmark when there is none.
    pub fn add(&mut self, name: String, metrics: impl IntoIterator<Item = Metric>) {
        let b = self.entry(name);
        metrics.into_iter().for_each(|m| b.push(m));
    }

    /// The benchmark named `name`, appended empty when there is none.
    #[allow(clippy::indexing_slicing)] // `by_name` holds only indexes of `list`, which only grows
    pub fn entry(&mut self, name: String) -> &mut Benchmark {
        let i = match self.by_name.get(&name) {
            Some(&i) => i,
            None => {
                self.by_name.insert(name.clone(), self.list.len());
                self.list.push(Benchmark::new(name));
                self.list.len() - 1
            }
        };
        &mut self.list[i]
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    pub fn into_vec(self) -> Vec<Benchmark> {
        self.list
    }
}

/// Where and when a run was made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RunMeta {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    /// RFC 3339 time of the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    /// RFC 3339 time of the commit (its committer date): where a stored run goes in its branch's
    /// history, which is in commit order, not in the order the runs finished.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit_time: Option<String>,
    /// The tool (format) the results came from, such as `go` or `k6`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool: Option<String>,
    #[serde(default, skip_serializing_if = "Environment::is_empty")]
    pub environment: Environment,
}

impl RunMeta {
    /// Takes out and returns a commit time that cannot place the run: one that is not an RFC
    /// 3339 time, or is later than the run's own time (a commit is made before its runs; a date
    /// in the future, from a clock that was wrong, would keep every later commit's run behind
    /// this one). Every way a run is stored (save, import, the Action's push) asks this first.
    pub fn take_implausible_commit_time(&mut self) -> Option<String> {
        let committed = instant(self.commit_time.as_deref()?);
        let ran = self.timestamp.as_deref().and_then(instant);
        match (committed, ran) {
            (Some(c), Some(r)) if c > r => self.commit_time.take(),
            (None, _) => self.commit_time.take(),
            _ => None,
        }
    }

    /// Takes every field this one lacks from `other`.
    pub fn fill_from(&mut self, other: RunMeta) {
        fn fill<T>(a: &mut Option<T>, b: Option<T>) {
            if a.is_none() {
                *a = b;
            }
        }
        fill(&mut self.commit, other.commit);
        fill(&mut self.branch, other.branch);
        fill(&mut self.timestamp, other.timestamp);
        fill(&mut self.commit_time, other.commit_time);
        match (&mut self.tool, other.tool) {
            (None, t) => self.tool = t,
            (Some(a), Some(b)) if *a != b && !a.split('+').any(|x| x == b) => {
                *a = format!("{a}+{b}");
            }
            _ => {}
        }
        let env = &mut self.environment;
        let o = other.environment;
        fill(&mut env.os, o.os);
        fill(&mut env.arch, o.arch);
        fill(&mut env.cpu, o.cpu);
        fill(&mut env.cores, o.cores);
        fill(&mut env.memory_gib, o.memory_gib);
        fill(&mut env.runner, o.runner);
        for (k, v) in o.extra {
            env.extra.entry(k).or_insert(v);
        }
    }
}

/// The machine a run was made on, as far as it is known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Environment {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arch: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cores: Option<u32>,
    /// Total memory in whole GiB. Rounded because the kernel reports a little less than the
    /// machine has (a 16 GiB runner shows 15.6): the same kind of machine must record the same
    /// number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_gib: Option<u32>,
    /// The kind of CI runner: a hosted runner image as `ImageOS/ImageVersion` (such as
    /// `ubuntu24/20251112.1`), or `github-hosted` / `self-hosted` (`RUNNER_ENVIRONMENT`). Older
    /// perfgate versions recorded the runner's per-job name here; see [`Runner`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runner: Option<String>,
    /// Anything else the tool reported (Go's `pkg`, Google Benchmark's `library_build_type`...).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub extra: BTreeMap<String, String>,
}

impl Environment {
    pub fn is_empty(&self) -> bool {
        self == &Environment::default()
    }

    /// The kind of machine in a few words, such as `linux · x86_64 · AMD EPYC 7763 · 4 cores ·
    /// 16 GiB · github-hosted`: the fields [`Environment::differences`] compares, spelled one
    /// way (`amd64` is `x86_64`), the runner by kind. Empty when nothing is known.
    pub fn kind(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        let mut push = |field: &str, v: &Option<String>| {
            if let Some(v) = v.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
                parts.push(same_name(field, v));
            }
        };
        push("os", &self.os);
        push("arch", &self.arch);
        if let Some(cpu) = self.cpu.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
            parts.push(cpu.to_string());
        }
        if let Some(c) = self.cores {
            parts.push(format!("{c} cores"));
        }
        if let Some(m) = self.memory_gib {
            parts.push(format!("{m} GiB"));
        }
        if let Some(r) = self.runner.as_deref().map(Runner::parse) {
            if r != Runner::Unknown {
                parts.push(r.label().to_string());
            }
        }
        parts.join(" · ")
    }

    /// How `other` differs from this environment, one `field: this → other` line per field,
    /// on what is known on both sides: a field recorded on one side only is no evidence of
    /// another machine. The runner is compared by kind ([`Runner`]), never by name.
    pub fn differences(&self, other: &Environment) -> Vec<String> {
        let mut out = Vec::new();
        let mut check = |name: &str, a: Option<String>, b: Option<String>| {
            if let (Some(a), Some(b)) = (a, b) {
                if same_name(name, a.trim()) != same_name(name, b.trim()) {
                    out.push(format!("{name}: {} → {}", a.trim(), b.trim()));
                }
            }
        };
        check("os", self.os.clone(), other.os.clone());
        check("arch", self.arch.clone(), other.arch.clone());
        check("cpu", self.cpu.clone(), other.cpu.clone());
        check(
            "cores",
            self.cores.map(|c| c.to_string()),
            other.cores.map(|c| c.to_string()),
        );
        check(
            "memory",
            self.memory_gib.map(|m| format!("{m} GiB")),
            other.memory_gib.map(|m| format!("{m} GiB")),
        );
        let (a, b) = (self.runner.as_deref(), other.runner.as_deref());
        if let (Some(a), Some(b)) = (a.map(Runner::parse), b.map(Runner::parse)) {
            if a.differs_from(&b) {
                out.push(format!("runner: {} → {}", a.label(), b.label()));
            }
        }
        out
    }
}

/// One spelling for what tools name differently: Go says `amd64` and `arm64`, `uname` and Rust
/// say `x86_64` and `aarch64`, the runner `X64` and `ARM64`; Go says `darwin` and the runner
/// `macOS`.
fn same_name(field: &str, value: &str) -> String {
    let v = value.to_ascii_lowercase();
    let canonical = match (field, v.as_str()) {
        ("arch", "amd64" | "x86_64" | "x64" | "x86-64") => "x86_64",
        ("arch", "arm64" | "aarch64") => "aarch64",
        ("arch", "386" | "i386" | "i686" | "x86") => "x86",
        ("os", "darwin" | "macos" | "osx") => "macos",
        ("os", "windows" | "win32") => "windows",
        _ => return v,
    };
    canonical.to_string()
}

/// The value `RUNNER_ENVIRONMENT` has on GitHub's hosted runners.
pub const GITHUB_HOSTED: &str = "github-hosted";
/// The value `RUNNER_ENVIRONMENT` has on self-hosted runners.
pub const SELF_HOSTED: &str = "self-hosted";

/// What a recorded [`Environment::runner`] says about the machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Runner<'a> {
    /// A GitHub-hosted runner image, by name (`ubuntu24` of `ubuntu24/20251112.1`). Its version
    /// changes every week or so on the same kind of machine, so it is left out.
    Image(&'a str),
    /// `github-hosted`: what a container action sees of a hosted runner, which has no
    /// `ImageOS`.
    GitHubHosted,
    /// `self-hosted`.
    SelfHosted,
    /// Anything else: what perfgate recorded from `RUNNER_NAME` before (`GitHub Actions 3`,
    /// a self-hosted runner's name). That name changes from job to job on hosted runners, so it
    /// says nothing about the machine; stored baselines holding one keep comparing on the
    /// other fields.
    Unknown,
}

impl<'a> Runner<'a> {
    pub fn parse(recorded: &'a str) -> Runner<'a> {
        let r = recorded.trim();
        if r.eq_ignore_ascii_case(GITHUB_HOSTED) {
            return Runner::GitHubHosted;
        }
        if r.eq_ignore_ascii_case(SELF_HOSTED) {
            return Runner::SelfHosted;
        }
        // ImageOS and ImageVersion have no spaces (`ubuntu24/20251112.1`, `win22/20251110.1`);
        // runner names often do.
        match r.split_once('/') {
            Some((name, version))
                if !name.is_empty() && !version.is_empty() && !r.contains(char::is_whitespace) =>
            {
                Runner::Image(name)
            }
            _ => Runner::Unknown,
        }
    }

    /// Whether the runner is GitHub-hosted; `None` when unknown. Only GitHub's hosted images
    /// set both `ImageOS` and `ImageVersion` (the self-hosted runner's container image sets
    /// `ImageOS` alone), so an image is a hosted runner.
    fn hosted(&self) -> Option<bool> {
        match self {
            Runner::Image(_) | Runner::GitHubHosted => Some(true),
            Runner::SelfHosted => Some(false),
            Runner::Unknown => None,
        }
    }

    /// Whether two recorded runners are known to be different kinds of machine. An image and
    /// `github-hosted` are not: that is one hosted runner seen from a `run:` step and from a
    /// container action.
    pub fn differs_from(&self, other: &Runner<'_>) -> bool {
        match (self, other) {
            (Runner::Image(a), Runner::Image(b)) => a != b,
            _ => matches!((self.hosted(), other.hosted()), (Some(a), Some(b)) if a != b),
        }
    }

    /// How a difference names this runner.
    pub fn label(&self) -> &'a str {
        match self {
            Runner::Image(name) => name,
            Runner::GitHubHosted => GITHUB_HOSTED,
            Runner::SelfHosted => SELF_HOSTED,
            Runner::Unknown => "unknown",
        }
    }
}

/// The most metrics one benchmark may have: no tool writes more than a few dozen for one
/// benchmark (k6, 74 statistics in all), so more is a damaged or forged input.
pub const MAX_METRICS: usize = 10_000;

/// A named benchmark (or load-test series, such as `http_req_duration{expected_response:true}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Benchmark {
    pub name: String,
    pub metrics: Vec<Metric>,
}

impl Benchmark {
    pub fn new(name: impl Into<String>) -> Benchmark {
        Benchmark {
            name: name.into(),
            metrics: Vec::new(),
        }
    }

    pub fn metric(&self, name: &str) -> Option<&Metric> {
        self.metrics.iter().find(|m| m.name == name)
    }

    /// Adds one value of the metric `name`: a new metric, or one more sample of the existing one,
    /// as `push` pools a `Data::Value`, without building a metric to pool.
    pub fn push_value(&mut self, name: &str, unit: Unit, value: f64) {
        let Some(existing) = self.same_metric(name) else {
            self.add_metric(Metric::new(name, unit, Data::Value(value)));
            return;
        };
        existing.absorb_value(value);
    }

    /// Adds a metric, or pools its data into an existing metric of the same name.
    pub fn push(&mut self, metric: Metric) {
        match self.same_metric(&metric.name) {
            Some(existing) => existing.absorb(metric),
            None => self.add_metric(metric),
        }
    }

    /// The metric named `name`, looked for among at most [`MAX_METRICS`]: past them a benchmark
    /// is refused whole ([`crate::formats::parse`]), and each search would cost as much as all
    /// before it (one Go line of 80,000 units took 37 s).
    fn same_metric(&mut self, name: &str) -> Option<&mut Metric> {
        if self.metrics.len() > MAX_METRICS {
            return None;
        }
        self.metrics.iter_mut().find(|m| m.name == name)
    }

    /// Appends a metric. A benchmark's first metric gets room for one: most have one, and
    /// `Vec`'s first growth would make room for four (a Go run of 1,000 one-metric benchmarks
    /// held 550 KB of empty slots at its peak).
    fn add_metric(&mut self, metric: Metric) {
        if self.metrics.capacity() == 0 {
            self.metrics.reserve_exact(1);
        }
        self.metrics.push(metric);
    }
}

/// Whether smaller or bigger values are better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    LowerIsBetter,
    HigherIsBetter,
}

impl Direction {
    /// Infers the direction from the unit first and the metric name second: rates of work
    /// (`ops/s`, `MB/s`) and success ratios are better higher; times, sizes, counts, error rates
    /// and unknown units are better lower.
    pub fn infer(metric_name: &str, unit: &Unit) -> Direction {
        let name = metric_name.to_ascii_lowercase();
        let has = |words: &[&str]| words.iter().any(|w| name.contains(w));
        match unit {
            Unit::PerSecond | Unit::BytesPerSecond => {
                if has(&["fail", "error", "drop", "timeout"]) {
                    Direction::LowerIsBetter
                } else {
                    Direction::HigherIsBetter
                }
            }
            Unit::Ratio => {
                if has(&[
                    "check",
                    "success",
                    "pass",
                    "hit",
                    "ok",
                    "uptime",
                    "availability",
                ]) && !has(&["fail", "error"])
                {
                    Direction::HigherIsBetter
                } else {
                    Direction::LowerIsBetter
                }
            }
            Unit::Nanoseconds | Unit::Bytes | Unit::Count => Direction::LowerIsBetter,
            Unit::Custom(u) => {
                let u = u.to_ascii_lowercase();
                if u.ends_with("/s")
                    || u.ends_with("/sec")
                    || u.contains("per_second")
                    || u.contains("per-second")
                    || has(&[
                        "throughput",
                        "ops_per",
                        "per_second",
                        "per-second",
                        "score",
                        "speedup",
                    ])
                {
                    Direction::HigherIsBetter
                } else {
                    Direction::LowerIsBetter
                }
            }
        }
    }

    /// The other direction.
    pub fn opposite(self) -> Direction {
        match self {
            Direction::LowerIsBetter => Direction::HigherIsBetter,
            Direction::HigherIsBetter => Direction::LowerIsBetter,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Direction::LowerIsBetter => "lower_is_better",
            Direction::HigherIsBetter => "higher_is_better",
        }
    }
}

/// What a metric holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Data {
    /// One value: no noise estimate, unless the tool gave its interval ([`Metric::interval`]).
    Value(f64),
    /// Repeated measurements of the same quantity (Go `-count`, hyperfine runs, criterion samples).
    Samples(Vec<f64>),
    /// A latency distribution.
    Histogram(Histogram),
}

impl Data {
    /// Number of observations: 1 for a value, the sample count, or the histogram's count.
    pub fn n(&self) -> usize {
        match self {
            Data::Value(_) => 1,
            Data::Samples(s) => s.len(),
            Data::Histogram(h) => usize::try_from(h.len()).unwrap_or(usize::MAX),
        }
    }
}

/// Why `v`, in `unit`'s canonical scale, is not a measurement perfgate can compare: not a finite
/// number (a tool's `1e308us` is infinite in nanoseconds), or negative. Changes are ratios, read
/// on the log scale: a negative baseline would turn a regression into an "improvement" of
/// -10100%, and no time, size, rate, count or fraction is below zero.
pub fn check_value(unit: &Unit, v: f64) -> Result<(), String> {
    if !v.is_finite() {
        return Err(format!(
            "value {v} is not a finite number (in {}, the unit values are kept in)",
            unit.as_str()
        ));
    }
    if v < 0.0 {
        let what = match unit {
            Unit::Nanoseconds => "time",
            Unit::Bytes => "size",
            Unit::Ratio => "fraction",
            Unit::Count => "count",
            Unit::PerSecond | Unit::BytesPerSecond => "rate",
            Unit::Custom(_) => "value perfgate compares as a ratio",
        };
        return Err(format!(
            "negative value {v}: expected a {what} of zero or more"
        ));
    }
    Ok(())
}

/// One measured quantity of a benchmark.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "MetricRepr", into = "MetricRepr")]
pub struct Metric {
    /// `time`, `alloc_bytes`, `allocs`, `throughput`, `p(95)`, `rate`, or a custom name.
    pub name: String,
    pub unit: Unit,
    pub direction: Direction,
    pub data: Data,
    /// The tool's own confidence interval of a single value ([`Data::Value`]), in the metric's
    /// unit: criterion's bootstrap interval of its estimate. None for samples and histograms,
    /// and for a value the tool gave alone.
    pub interval: Option<ConfidenceInterval>,
}

/// A confidence interval a tool gave for one value it estimated from observations perfgate does
/// not see (criterion's `time: [lo est hi]`: 100 samples summed up in an estimate and its 95%
/// bootstrap interval). It is the value's within-run error: see `compare::assess`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ConfidenceInterval {
    pub lo: f64,
    pub hi: f64,
    /// The confidence level, such as 0.95.
    pub confidence: f64,
}

/// The confidence level an interval has when a perfgate JSON file does not say: criterion's.
pub const DEFAULT_INTERVAL_CONFIDENCE: f64 = 0.95;

impl Metric {
    /// A metric with its direction inferred from name and unit.
    pub fn new(name: impl Into<String>, unit: Unit, data: Data) -> Metric {
        let name = name.into();
        let direction = Direction::infer(&name, &unit);
        Metric {
            name,
            unit,
            direction,
            data,
            interval: None,
        }
    }

    pub fn with_direction(mut self, direction: Direction) -> Metric {
        self.direction = direction;
        self
    }

    /// The metric with the tool's confidence interval of its value.
    pub fn with_interval(mut self, interval: Option<ConfidenceInterval>) -> Metric {
        self.interval = interval;
        self
    }

    /// Pools another measurement of the same metric into this one: values and samples become one
    /// sample set; histograms are added. An interval described one value, not the pooled data:
    /// it is dropped.
    pub fn absorb(&mut self, other: Metric) {
        if let Data::Value(v) = other.data {
            self.absorb_value(v);
            return;
        }
        self.interval = None;
        let old = std::mem::replace(&mut self.data, Data::Value(0.0));
        self.data = match (old, other.data) {
            (Data::Histogram(mut a), Data::Histogram(b)) => {
                a.add(&b);
                Data::Histogram(a)
            }
            (Data::Histogram(a), _) => Data::Histogram(a),
            (_, Data::Histogram(b)) => Data::Histogram(b),
            (a, b) => {
                let mut v = into_samples(a);
                v.extend(into_samples(b));
                Data::Samples(v)
            }
        };
    }

    /// [`Metric::absorb`] of one value, without a metric built to carry it: a value becomes the
    /// second sample, samples grow by one, a histogram stays as it is.
    pub fn absorb_value(&mut self, value: f64) {
        self.interval = None;
        match &mut self.data {
            Data::Samples(s) => s.push(value),
            Data::Value(v) => {
                let first = *v;
                self.data = Data::Samples(vec![first, value]);
            }
            Data::Histogram(_) => {}
        }
    }
}

fn into_samples(d: Data) -> Vec<f64> {
    match d {
        Data::Value(v) => vec![v],
        Data::Samples(s) => s,
        Data::Histogram(_) => Vec::new(),
    }
}

/// The serde shape of a metric in perfgate's JSON format.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct MetricRepr {
    name: String,
    unit: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    direction: Option<Direction>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    value: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    samples: Option<Vec<f64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    histogram: Option<Histogram>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    interval: Option<IntervalRepr>,
}

/// The serde shape of a [`ConfidenceInterval`]: `{"lo": 20.08, "hi": 20.52, "confidence": 0.95}`,
/// in the metric's unit; `confidence` may be left out (0.95).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct IntervalRepr {
    lo: f64,
    hi: f64,
    #[serde(default = "default_confidence")]
    confidence: f64,
}

fn default_confidence() -> f64 {
    DEFAULT_INTERVAL_CONFIDENCE
}

impl From<Metric> for MetricRepr {
    fn from(m: Metric) -> MetricRepr {
        let (value, samples, histogram) = match m.data {
            Data::Value(v) => (Some(v), None, None),
            Data::Samples(s) => (None, Some(s), None),
            Data::Histogram(h) => (None, None, Some(h)),
        };
        MetricRepr {
            name: m.name,
            unit: m.unit.as_str().to_string(),
            direction: Some(m.direction),
            value,
            samples,
            histogram,
            interval: m.interval.map(|i| IntervalRepr {
                lo: i.lo,
                hi: i.hi,
                confidence: i.confidence,
            }),
        }
    }
}

impl TryFrom<MetricRepr> for Metric {
    type Error = String;

    fn try_from(r: MetricRepr) -> Result<Metric, String> {
        let name = r.name.trim().to_string();
        if name.is_empty() {
            return Err("a metric has an empty `name`".into());
        }
        let (unit, factor) = Unit::from_canonical(&r.unit);
        // A stored value must be a number in its unit, and a time or a size is never negative.
        // Inputs are held to all of `check_value` as they are read (`formats::check_values`);
        // a store written before that (a negative count or custom value was accepted) must still
        // load, or every later compare of it would fail.
        let check = |v: f64| -> Result<f64, String> {
            let v = v * factor;
            let stored =
                v.is_finite() && !(v < 0.0 && matches!(unit, Unit::Nanoseconds | Unit::Bytes));
            if !stored {
                check_value(&unit, v).map_err(|why| format!("metric `{name}`: {why}"))?;
            }
            Ok(v)
        };
        let data = match (r.value, r.samples, r.histogram) {
            (Some(v), None, None) => Data::Value(check(v)?),
            (None, Some(s), None) => {
                if s.is_empty() {
                    return Err(format!("metric `{name}`: `samples` is empty"));
                }
                Data::Samples(s.into_iter().map(check).collect::<Result<_, _>>()?)
            }
            (None, None, Some(h)) => {
                if factor != 1.0 {
                    return Err(format!(
                        "metric `{name}`: a histogram must use a canonical unit (ns, B, count), not `{}`",
                        r.unit
                    ));
                }
                if h.is_empty() {
                    return Err(format!("metric `{name}`: `histogram` is empty"));
                }
                Data::Histogram(h)
            }
            (None, None, None) => {
                return Err(format!(
                    "metric `{name}` has no data: expected one of `value`, `samples` or `histogram`"
                ))
            }
            _ => {
                return Err(format!(
                    "metric `{name}` has more than one of `value`, `samples` and `histogram`"
                ))
            }
        };
        let interval = match (r.interval, &data) {
            (None, _) => None,
            (Some(i), Data::Value(_)) => {
                let (lo, hi) = (check(i.lo)?, check(i.hi)?);
                if lo > hi {
                    return Err(format!(
                        "metric `{name}`: the interval's `lo` ({}) is above its `hi` ({})",
                        i.lo, i.hi
                    ));
                }
                if !(i.confidence > 0.0 && i.confidence < 1.0) {
                    return Err(format!(
                        "metric `{name}`: the interval's `confidence` must be between 0 and 1 (such as 0.95), found {}",
                        i.confidence
                    ));
                }
                Some(ConfidenceInterval {
                    lo,
                    hi,
                    confidence: i.confidence,
                })
            }
            (Some(_), _) => {
                return Err(format!(
                    "metric `{name}`: an `interval` belongs to a single `value`, not to `samples` or a `histogram`"
                ))
            }
        };
        let direction = r
            .direction
            .unwrap_or_else(|| Direction::infer(&name, &unit));
        Ok(Metric {
            name,
            unit,
            direction,
            data,
            interval,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_commit_time_after_its_run_or_not_a_time_is_taken_out() {
        let meta = |commit_time: &str, timestamp: Option<&str>| RunMeta {
            commit_time: Some(commit_time.into()),
            timestamp: timestamp.map(str::to_string),
            ..RunMeta::default()
        };
        // Before the run (as an instant: 12:30+01:00 is 11:30Z), or no run time to check: kept.
        for (c, t) in [
            ("2026-12-06T12:30:00+01:00", Some("2026-12-06T12:00:00Z")),
            ("2026-12-06T12:00:00Z", Some("2026-12-06T12:00:00Z")),
            ("2026-12-06T12:00:00Z", None),
        ] {
            let mut m = meta(c, t);
            assert_eq!(m.take_implausible_commit_time(), None, "{c} {t:?}");
            assert_eq!(m.commit_time.as_deref(), Some(c));
        }
        for (c, t) in [
            ("2062-01-01T00:00:00Z", Some("2026-12-06T12:00:00Z")),
            ("2026-12-06T12:00:01Z", Some("2026-12-06T13:00:00+01:00")),
            ("yesterday", None),
        ] {
            let mut m = meta(c, t);
            assert_eq!(m.take_implausible_commit_time().as_deref(), Some(c));
            assert_eq!(m.commit_time, None);
        }
        assert_eq!(RunMeta::default().take_implausible_commit_time(), None);
    }

    #[test]
    fn infers_direction_from_unit_and_name() {
        assert_eq!(
            Direction::infer("time", &Unit::Nanoseconds),
            Direction::LowerIsBetter
        );
        assert_eq!(
            Direction::infer("throughput", &Unit::BytesPerSecond),
            Direction::HigherIsBetter
        );
        assert_eq!(
            Direction::infer("rate", &Unit::PerSecond),
            Direction::HigherIsBetter
        );
        assert_eq!(
            Direction::infer("http_req_failed", &Unit::Ratio),
            Direction::LowerIsBetter
        );
        assert_eq!(
            Direction::infer("checks", &Unit::Ratio),
            Direction::HigherIsBetter
        );
        assert_eq!(
            Direction::infer("x", &Unit::Custom("ops/sec".into())),
            Direction::HigherIsBetter
        );
        assert_eq!(
            Direction::infer("x", &Unit::Custom("widgets".into())),
            Direction::LowerIsBetter
        );
    }

    #[test]
    fn metric_json_converts_units_and_infers_direction() {
        let m: Metric =
            serde_json::from_str(r#"{"name":"time","unit":"ms","samples":[1.5,2]}"#).unwrap();
        assert_eq!(m.unit, Unit::Nanoseconds);
        assert_eq!(m.data, Data::Samples(vec![1.5e6, 2e6]));
        assert_eq!(m.direction, Direction::LowerIsBetter);
    }

    #[test]
    fn metric_json_rejects_missing_or_bad_data() {
        let e = serde_json::from_str::<Metric>(r#"{"name":"t","unit":"ns"}"#).unwrap_err();
        assert!(e.to_string().contains("has no data"), "{e}");
        let e =
            serde_json::from_str::<Metric>(r#"{"name":"t","unit":"ns","samples":[]}"#).unwrap_err();
        assert!(e.to_string().contains("`samples` is empty"), "{e}");
        let e =
            serde_json::from_str::<Metric>(r#"{"name":"t","unit":"ns","value":-1}"#).unwrap_err();
        assert!(e.to_string().contains("negative"), "{e}");
    }

    #[test]
    fn merging_runs_pools_samples_of_the_same_metric() {
        let mk = |v: f64| {
            let mut b = Benchmark::new("BenchmarkA");
            b.push(Metric::new("time", Unit::Nanoseconds, Data::Value(v)));
            Run::new(RunMeta::default(), vec![b])
        };
        let mut run = mk(1.0);
        run.merge(mk(2.0));
        assert_eq!(run.benchmarks.len(), 1);
        assert_eq!(
            run.benchmarks[0].metrics[0].data,
            Data::Samples(vec![1.0, 2.0])
        );
    }

    #[test]
    fn benchmarks_keep_first_appearance_order_and_pool_a_repeated_name() {
        let t = |v: f64| Metric::new("time", Unit::Nanoseconds, Data::Value(v));
        let mut gathered = Benchmarks::default();
        gathered.add("b".into(), [t(1.0)]);
        gathered.add("a".into(), [t(5.0)]);
        gathered.add("b".into(), [t(2.0), t(3.0)]);
        let benchmarks = gathered.into_vec();
        let names: Vec<&str> = benchmarks.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(names, ["b", "a"]);
        assert_eq!(benchmarks[0].metrics.len(), 1);
        assert_eq!(
            benchmarks[0].metrics[0].data,
            Data::Samples(vec![1.0, 2.0, 3.0])
        );
        assert_eq!(benchmarks[1].metrics[0].data, Data::Value(5.0));
    }

    #[test]
    fn pooling_values_drops_the_interval_each_had() {
        let ci = Some(ConfidenceInterval {
            lo: 0.9,
            hi: 1.1,
            confidence: 0.95,
        });
        let t = |v: f64| Metric::new("time", Unit::Nanoseconds, Data::Value(v)).with_interval(ci);
        let mut b = Benchmark::new("fib");
        b.push(t(1.0));
        assert_eq!(b.metrics[0].interval, ci);
        b.push(t(2.0));
        assert_eq!(b.metrics[0].data, Data::Samples(vec![1.0, 2.0]));
        assert_eq!(b.metrics[0].interval, None);
        let mut b = Benchmark::new("fib");
        b.push(t(1.0));
        b.push_value("time", Unit::Nanoseconds, 2.0);
        assert_eq!(b.metrics[0].interval, None);
    }

    #[test]
    fn pushing_a_value_pools_it_as_pushing_a_metric_of_it_does() {
        let mut h = Histogram::new();
        h.record(5.0).unwrap();
        for start in [
            Data::Value(1.0),
            Data::Samples(vec![1.0, 2.0]),
            Data::Histogram(h),
        ] {
            let first = || Metric::new("time", Unit::Nanoseconds, start.clone());
            let (mut by_metric, mut by_value) = (Benchmark::new("b"), Benchmark::new("b"));
            by_metric.push(first());
            by_value.push(first());
            by_metric.push(Metric::new("time", Unit::Nanoseconds, Data::Value(3.0)));
            by_value.push_value("time", Unit::Nanoseconds, 3.0);
            assert_eq!(by_value.metrics, by_metric.metrics, "from {start:?}");
        }
        let mut fresh = Benchmark::new("b");
        fresh.push_value("time", Unit::Nanoseconds, 3.0);
        assert_eq!(
            fresh.metrics,
            vec![Metric::new("time", Unit::Nanoseconds, Data::Value(3.0))]
        );
    }

    fn on_runner(runner: &str) -> Environment {
        Environment {
            runner: Some(runner.into()),
            ..Environment::default()
        }
    }

    fn machine(cpu: &str, cores: u32, memory_gib: u32) -> Environment {
        Environment {
            os: Some("linux".into()),
            arch: Some("x86_64".into()),
            cpu: Some(cpu.into()),
            cores: Some(cores),
            memory_gib: Some(memory_gib),
            ..Environment::default()
        }
    }

    #[test]
    fn the_same_machine_has_no_differences() {
        let m = machine("AMD EPYC 7763 64-Core Processor", 4, 16);
        assert!(m.differences(&m.clone()).is_empty());
    }

    #[test]
    fn cpu_cores_and_memory_differences_are_named_from_baseline_to_current() {
        let base = machine("AMD EPYC 7763 64-Core Processor", 4, 16);
        let cur = machine("Intel(R) Xeon(R) Platinum 8370C CPU @ 2.80GHz", 2, 8);
        assert_eq!(
            base.differences(&cur),
            [
                "cpu: AMD EPYC 7763 64-Core Processor → Intel(R) Xeon(R) Platinum 8370C CPU @ 2.80GHz",
                "cores: 4 → 2",
                "memory: 16 GiB → 8 GiB",
            ]
        );
    }

    #[test]
    fn os_and_arch_differences_are_named() {
        let base = machine("c", 4, 16);
        let cur = Environment {
            os: Some("macos".into()),
            arch: Some("aarch64".into()),
            ..base.clone()
        };
        assert_eq!(
            base.differences(&cur),
            ["os: linux → macos", "arch: x86_64 → aarch64"]
        );
    }

    #[test]
    fn tools_spellings_of_one_os_and_arch_are_one_machine() {
        // Go's `goos`/`goarch` against what the runner and uname say (issue 11).
        let go = Environment {
            os: Some("linux".into()),
            arch: Some("amd64".into()),
            ..machine("c", 4, 16)
        };
        for (os, arch) in [("Linux", "x86_64"), ("linux", "X64"), ("LINUX", "x86-64")] {
            let runner = Environment {
                os: Some(os.into()),
                arch: Some(arch.into()),
                ..go.clone()
            };
            assert!(go.differences(&runner).is_empty(), "{os} {arch}");
        }
        let mac = |os: &str, arch: &str| Environment {
            os: Some(os.into()),
            arch: Some(arch.into()),
            ..go.clone()
        };
        assert!(mac("darwin", "arm64")
            .differences(&mac("macOS", "aarch64"))
            .is_empty());
        assert_eq!(
            go.differences(&mac("linux", "arm64")),
            ["arch: amd64 → arm64"]
        );
    }

    #[test]
    fn a_field_known_on_one_side_only_is_not_a_difference() {
        let base = machine("c", 4, 16);
        let cur = Environment {
            memory_gib: None,
            cores: None,
            runner: Some(GITHUB_HOSTED.into()),
            ..base.clone()
        };
        assert!(base.differences(&cur).is_empty());
        assert!(cur.differences(&base).is_empty());
    }

    #[test]
    fn a_runner_image_is_compared_by_name_not_by_weekly_version() {
        let base = on_runner("ubuntu24/20251112.1");
        assert!(base
            .differences(&on_runner("ubuntu24/20251119.1"))
            .is_empty());
        assert_eq!(
            base.differences(&on_runner("ubuntu22/20251119.1")),
            ["runner: ubuntu24 → ubuntu22"]
        );
    }

    #[test]
    fn github_hosted_and_self_hosted_runners_differ() {
        assert_eq!(
            on_runner(GITHUB_HOSTED).differences(&on_runner(SELF_HOSTED)),
            ["runner: github-hosted → self-hosted"]
        );
        assert!(on_runner(SELF_HOSTED)
            .differences(&on_runner(SELF_HOSTED))
            .is_empty());
    }

    #[test]
    fn an_image_and_github_hosted_are_one_hosted_runner_seen_from_a_step_and_a_container() {
        let step = on_runner("ubuntu24/20251112.1");
        let container = on_runner(GITHUB_HOSTED);
        assert!(step.differences(&container).is_empty());
        assert!(container.differences(&step).is_empty());
    }

    #[test]
    fn an_image_is_a_hosted_runner_so_it_differs_from_self_hosted() {
        assert_eq!(
            on_runner("ubuntu24/20251112.1").differences(&on_runner(SELF_HOSTED)),
            ["runner: ubuntu24 → self-hosted"]
        );
    }

    #[test]
    fn runner_names_recorded_by_older_versions_are_unknown_and_compare_with_anything() {
        let legacy = on_runner("GitHub Actions 3");
        for other in [
            "GitHub Actions 1000001",
            GITHUB_HOSTED,
            SELF_HOSTED,
            "ubuntu24/20251112.1",
            "my-runner-01",
        ] {
            assert!(legacy.differences(&on_runner(other)).is_empty(), "{other}");
            assert!(on_runner(other).differences(&legacy).is_empty(), "{other}");
        }
        assert_eq!(Runner::parse("Hosted Agent"), Runner::Unknown);
        assert_eq!(Runner::parse("ubuntu24"), Runner::Unknown);
        assert_eq!(Runner::parse("runner 7/x"), Runner::Unknown);
        assert_eq!(Runner::parse(" GitHub-Hosted "), Runner::GitHubHosted);
    }

    #[test]
    fn a_run_recorded_before_memory_was_known_still_loads() {
        let run: Run = serde_json::from_str(
            r#"{"meta":{"environment":{"os":"linux","cores":4,"runner":"GitHub Actions 3"}},
                "benchmarks":[]}"#,
        )
        .unwrap();
        assert_eq!(run.meta.environment.memory_gib, None);
        assert_eq!(run.meta.environment.cores, Some(4));
    }

    #[test]
    fn memory_is_written_and_read_back_and_filled_from_a_merged_run() {
        let mut meta = RunMeta::default();
        meta.fill_from(RunMeta {
            environment: Environment {
                memory_gib: Some(16),
                ..Environment::default()
            },
            ..RunMeta::default()
        });
        assert_eq!(meta.environment.memory_gib, Some(16));
        let json = serde_json::to_string(&meta).unwrap();
        assert!(json.contains(r#""memory_gib":16"#), "{json}");
        assert_eq!(serde_json::from_str::<RunMeta>(&json).unwrap(), meta);
    }
}
