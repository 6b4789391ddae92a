//! The typed result of a comparison: one [`MetricResult`] per compared metric, one
//! [`BudgetResult`] per budget check, counts, and the overall [`Verdict`].

use serde::{Deserialize, Serialize};

use crate::config::{Config, UnitMismatch};
use crate::model::{Direction, RunMeta, Unit};

/// What happened to one metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Worse beyond the threshold (and, with samples, statistically significant).
    Regression,
    /// Better beyond the threshold (and, with samples, statistically significant).
    Improvement,
    /// The data cannot decide: too few samples, or a large change that is not significant.
    Inconclusive,
    /// No change beyond the threshold.
    Unchanged,
    /// Present in the current run only.
    New,
    /// Present in the baseline only.
    Missing,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Regression => "regression",
            Status::Improvement => "improvement",
            Status::Inconclusive => "inconclusive",
            Status::Unchanged => "unchanged",
            Status::New => "new",
            Status::Missing => "missing",
        }
    }
}

/// How a metric was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Samples on both sides: two-sided Mann-Whitney U test plus the relative threshold.
    MannWhitney,
    /// Samples on both sides, among many such metrics: the moderated t test on log values
    /// (limma's empirical Bayes: each metric's noise is shrunk toward what all of them show)
    /// plus the relative threshold. See [`Moderation`].
    ModeratedT,
    /// Samples on both sides of one baseline run, in a suite of enough metrics: the change of
    /// the metric against the suite-wide shift, tested against the run-to-run spread that the
    /// suite's metrics show around it (see [`SuiteShift`]), plus the relative threshold.
    RunToRun,
    /// One value on at least one side and no history: no noise estimate. A change within the
    /// threshold is no change, one beyond `large_change` is decided, and one in between is
    /// inconclusive.
    Threshold,
    /// A deterministic metric (instructions, allocations, sizes): any change beyond the
    /// threshold counts, without a statistical test.
    Exact,
    /// One value per run against the history of the baseline branch: the value must leave the
    /// log-scale prediction interval of the last runs and move beyond the threshold.
    PredictionInterval,
    /// Nothing to compare (new or missing).
    None,
}

/// One side of a comparison: the summary value (median of samples, or the single value) in the
/// metric's canonical unit, and the number of observations.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Side {
    pub value: f64,
    pub n: usize,
}

/// The decision for one metric of one benchmark.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricResult {
    pub benchmark: String,
    pub metric: String,
    pub unit: Unit,
    pub direction: Direction,
    pub baseline: Option<Side>,
    pub current: Option<Side>,
    /// Relative change: 0.10 = +10%. With samples on both sides, the Hodges-Lehmann estimate of
    /// the ratio (the center of `ci`); otherwise the ratio of the summary values. None when
    /// undefined (zero baseline).
    pub change: Option<f64>,
    /// Confidence interval of the relative change (Hodges-Lehmann on log values), when samples allow.
    pub ci: Option<(f64, f64)>,
    pub p_value: Option<f64>,
    /// The p-value after the Benjamini-Hochberg adjustment over every metric of the comparison
    /// that has a p-value; decisions use it.
    pub p_adjusted: Option<f64>,
    pub status: Status,
    pub method: Method,
    /// The relative threshold applied to this metric (0.05 = 5%).
    pub threshold: f64,
    /// The significance level applied to this metric.
    pub alpha: f64,
    /// Whether the metric was treated as deterministic (an exact count or size).
    pub deterministic: bool,
    /// Whether this result makes the gate fail under the configuration.
    pub fails_gate: bool,
    /// Why the decision is what it is, when it needs saying: typed, worded by
    /// [`crate::report::words`].
    #[serde(default)]
    pub note: Notes,
    /// The baseline branch's recent values of this metric, oldest first: one per run of the
    /// history the comparison read (the window, on the current run's kind of machine), each
    /// run's value as the history is read ([`crate::compare::run_value`]; the median when the
    /// values have no logarithm). The current value is not in it. None with a single baseline
    /// run or without a baseline. For reports to draw a trend; decisions do not read it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trend: Option<Vec<f64>>,
    /// Context for the reader, never failing the gate, not annotated, not counted as a
    /// regression of its own: a load test's count that only follows how long the test ran or how
    /// much it got through (`crate::compare::follows_duration`), or a statistic that one value a
    /// side does not gate (`compare::gate::not_gated`: a run's `max`, `min`, extreme
    /// percentiles, a command's `system` time), inconclusive.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub context: bool,
}

/// The explanation of one decision: its parts, in the order they were added. The report joins
/// their words with `; `. Serialized as those words (a string, or null when there is none), and
/// read back as [`Note::Worded`]: a comparison file carries what a report says.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Notes(pub Vec<Note>);

impl Notes {
    /// A note of one part.
    pub fn one(note: Note) -> Notes {
        Notes(vec![note])
    }

    /// A note already in words (read back from a comparison file, or written by hand).
    pub fn worded(words: String) -> Notes {
        Notes::one(Note::Worded(words))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Adds a part after the others.
    pub fn push(&mut self, note: Note) {
        self.0.push(note);
    }

    /// Puts a part before the others.
    pub fn put_first(&mut self, note: Note) {
        self.0.insert(0, note);
    }
}

/// One reason of a decision, with the numbers it quotes. Changes are ratios (0.10 = +10%),
/// values are in `unit`.
#[derive(Debug, Clone, PartialEq)]
pub enum Note {
    /// The two sides are in different units: not comparable.
    UnitsDiffer { baseline: Unit, current: Unit },
    /// A value is not a number: not comparable.
    NotANumber,
    /// The baseline is zero, so the change has no ratio.
    ZeroBaseline,
    /// A deterministic metric beyond the threshold (after a zero baseline, when `zero_baseline`).
    Deterministic { zero_baseline: bool },
    /// Enough runs of history, but a value is not positive: no log-scale interval.
    HistoryNotPositive,
    /// The current value cannot be compared on a log scale.
    NotOnLogScale { value: f64, unit: Unit },
    /// Every repeat shows the change, beyond `large_change`: decided although not significant.
    /// `current` and `baseline` count values, or runs when `of` says the values are runs'.
    EveryRepeat {
        current: usize,
        baseline: usize,
        change: Option<f64>,
        large_change: f64,
        of: Shown,
    },
    /// A load test's latency statistic that moved less than the latency floor (`delta`, in
    /// `unit`; the floor in nanoseconds).
    UnderLatencyFloor {
        change: Option<f64>,
        delta: f64,
        unit: Unit,
        floor: f64,
    },
    /// A statistic that reruns move too far to gate with no noise estimate: not gated.
    NotGated {
        unmeasured: Unmeasured,
        statistic: String,
        change: Option<f64>,
        why: Ungated,
    },
    /// No noise estimate, but a change beyond `large_change`: decided.
    LargeChange {
        unmeasured: Unmeasured,
        change: Option<f64>,
        large_change: f64,
    },
    /// No noise estimate, a change beyond the threshold but within `large_change`: inconclusive.
    UnsureChange {
        unmeasured: Unmeasured,
        large_change: f64,
    },
    /// The baseline's history shifted level: compared with the `runs` since, with the noise of
    /// all `of`.
    LevelShift { change: f64, runs: usize, of: usize },
    /// Far-out runs left out of the history.
    FarOutRuns { count: usize, fences: f64 },
    /// A change as far out as `runs` far-out runs of the history on its side, which lay `lo` to
    /// `hi` from the history's level (ratios less 1): runs that recur, which one more run tells
    /// from a change.
    LikeFarOutRuns { runs: usize, lo: f64, hi: f64 },
    /// The latest baseline run, far from the runs before it, left out.
    LatestRunApart { value: f64, unit: Unit },
    /// A change against the history held back: the latest baseline run is far from the runs
    /// before it, and the current value within its noise.
    HeldForLatestRun {
        better: bool,
        latest: f64,
        unit: Unit,
        change: Option<f64>,
    },
    /// A change of the pull request run several times that its runs do not all show: without
    /// the run that moved most, the rest changed by `change` (within the threshold, or the
    /// other way).
    HeldForOneRun { runs: usize, change: Option<f64> },
    /// Too few samples on a side to decide.
    TooFewSamples {
        baseline: usize,
        current: usize,
        needed: usize,
        advice: Advice,
    },
    /// A change beyond the threshold that is not significant.
    NotSignificant {
        change: Option<f64>,
        p: Option<Significance>,
        advice: Advice,
    },
    /// Outside the prediction interval of the history, and significant.
    OutsideInterval { above: bool, interval: Interval },
    /// Outside the prediction interval, but not significant after correction.
    OutsideNotSignificant {
        interval: Interval,
        p: Option<Significance>,
    },
    /// Within the prediction interval: the run-to-run noise is too large for the change.
    WithinInterval {
        interval: Interval,
        change: Option<f64>,
    },
    /// The current run had samples: the next runs on the baseline branch will tell.
    NextRunsWillTell,
    /// The current run had one value: samples would decide.
    RecordRepeats,
    /// Judged against its suite: its change against the baseline run itself, while the whole
    /// run moved by `whole_run` (worse-positive for times).
    AgainstBaselineRun { change: f64, whole_run: f64 },
    /// Judged with each run's machine taken out of a history: its change against the history as
    /// it ran, while the whole run moved by `whole_run` against the history's machines
    /// (worse-positive for times).
    AgainstHistory { change: f64, whole_run: f64 },
    /// Decided on the repeats within each run: the suite's `benchmarks` are too few (`needed`)
    /// to show how far a benchmark moves between runs, which the repeats do not see; a history
    /// of `history` runs would.
    RepeatsOnly {
        benchmarks: usize,
        needed: usize,
        history: usize,
    },
    /// Far-out values left out of the t test.
    FarOutValues { count: usize, fences: f64 },
    /// A noisy regression against a baseline from another environment: inconclusive.
    AcrossEnvironments { change: Option<f64> },
    /// Words read back from a comparison file.
    Worded(String),
}

/// Why a statistic with one value a side is not gated without a history of runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Ungated {
    /// `max`, `min` or an extreme percentile: a run's few slowest or fastest requests.
    FewRequests,
    /// A command's CPU time in the kernel (`system`), one mean per run; `rerun_move` is its
    /// largest move between unchanged reruns (1.29 = +129%).
    KernelTime { rerun_move: f64 },
}

/// Where a noise estimate is missing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Unmeasured {
    /// One value per side and no history.
    NoHistory,
    /// One value per run and only this many runs of history with the metric.
    ShortHistory(usize),
    /// One value per run, this many runs on each side, whose spread does not decide it.
    Runs { baseline: usize, current: usize },
    /// After another note that says why.
    Plainly,
}

/// What showed a change beyond `large_change` ([`Note::EveryRepeat`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    /// Each value: a repeat, or one value a side with the tool's interval.
    Values,
    /// Each run's one value (a load test's statistic), also beyond what the runs move between
    /// them.
    Runs,
    /// Every repeat of every run (each run's fastest and slowest), also beyond what the runs'
    /// values move between them.
    RunsRepeats,
}

/// What would decide an inconclusive comparison of samples.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Advice {
    /// About this many repeats per side (80% power at the observed change and noise).
    Repeats(usize),
    /// At least this many repeats per side.
    AtLeast(usize),
    /// The runs differ by more than their repeats do: a history of runs.
    KeepHistory,
    /// The runs differ by more than their repeats do, and the history has `runs` runs, fewer
    /// than the `needed` from which samples are judged against it.
    GrowHistory { runs: usize, needed: usize },
    /// About this many runs per side (80% power at the observed change and the noise between
    /// runs), when each side was given as several runs.
    Runs(usize),
}

/// A p-value, and the number of metrics it was corrected over (1: none).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Significance {
    pub p: f64,
    pub over: usize,
}

/// A prediction interval of the history: its confidence, the runs it was read from, its bounds.
#[derive(Debug, Clone, PartialEq)]
pub struct Interval {
    pub confidence: f64,
    pub runs: usize,
    pub lo: f64,
    pub hi: f64,
    pub unit: Unit,
    /// Moved by the current run's machine (each run's machine taken out of the history): where
    /// the value was expected on this run's machine.
    pub this_machine: bool,
}

/// What a budget check says besides its verdict, with what it quotes; worded by
/// [`crate::report::words`]. Serialized as those words, and read back as
/// [`BudgetNote::Worded`], as [`Notes`] are.
#[derive(Debug, Clone, PartialEq)]
pub enum BudgetNote {
    /// No benchmark of the current run matches the budget's `pattern`.
    NoBenchmark { pattern: String },
    /// The benchmark has no metric of the budget's statistic; `has` names the ones it has.
    NoMetric {
        benchmark: String,
        metric: String,
        has: Vec<String>,
    },
    /// The budget's unit does not fit the metric.
    UnitMismatch(UnitMismatch),
    /// The value checked is the median of this many samples.
    MedianOf(usize),
    /// The value checked is the median of this many runs' values (a side given as several runs,
    /// each metric one value per run).
    MedianOfRuns(usize),
    /// Words read back from a comparison file.
    Worded(String),
}

/// The check of one absolute budget against the current run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BudgetResult {
    /// The benchmark the budget was checked on (a concrete name, or the pattern when none matched).
    pub benchmark: String,
    pub metric: String,
    /// The expression as written, such as `p(95) < 200ms`.
    pub expression: String,
    /// The measured value in the metric's canonical unit, when found.
    pub actual: Option<f64>,
    /// The limit in the metric's canonical unit.
    pub limit: f64,
    pub unit: Unit,
    pub passed: bool,
    pub note: Option<BudgetNote>,
    /// Where the budget was written ([`crate::config::Budget::source`]), for errors.
    #[serde(skip)]
    pub source: Option<String>,
    /// A size limit written in decimal multiples (`1MB`, `500kB`): its values are shown in them
    /// (`1 MB`, not `977 KiB`). Kept in the JSON report when set, so that a comment rendered
    /// from it (a fork's pull request) shows them as the run did.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub decimal: bool,
}

impl BudgetResult {
    /// `value` (in [`Self::unit`]) as the report shows this budget's actual value and limit.
    pub fn format(&self, value: f64) -> String {
        if self.decimal && self.unit == crate::model::Unit::Bytes {
            crate::model::Unit::format_decimal_bytes(value)
        } else {
            self.unit.format(value)
        }
    }
}

/// Why a verdict fails, with the numbers it quotes; worded by [`crate::report::words`]
/// (`2 regressions`, `1 budget broken`). Serialized as those words, and read back as
/// [`Reason::Worded`], as [`Notes`] are.
#[derive(Debug, Clone, PartialEq)]
pub enum Reason {
    /// Regressions that fail the gate.
    Regressions(usize),
    /// Missing results that fail the gate.
    MissingResults(usize),
    /// New results that fail the gate.
    NewResults(usize),
    /// Inconclusive results that fail the gate.
    InconclusiveResults(usize),
    /// Budgets broken.
    BudgetsBroken(usize),
    /// The whole run moved against one baseline run beyond what the gate lets pass (the
    /// suite-wide shift's `change`, worse-positive: +0.031 = 3.1% slower).
    WholeRun { change: f64 },
    /// The whole run moved against the history's runs beyond what their machines do between
    /// runs (the current run's machine against theirs, worse-positive).
    WholeRunAgainstHistory { change: f64 },
    /// Words read back from a comparison file.
    Worded(String),
}

/// The overall outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Pass,
    Fail,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
        }
    }
}

/// How many results of each kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Counts {
    pub regression: usize,
    pub improvement: usize,
    pub inconclusive: usize,
    pub unchanged: usize,
    pub new: usize,
    pub missing: usize,
    pub budgets_passed: usize,
    pub budgets_broken: usize,
}

/// The settings in force, for the report to state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    pub threshold: f64,
    pub alpha: f64,
    pub min_samples: usize,
    pub fail_on_regression: bool,
    pub fail_on_missing: bool,
    pub fail_on_new: bool,
    pub fail_on_inconclusive: bool,
    pub allow_cross_environment: bool,
    /// `[history]` settings: runs read, fewest points for a prediction interval, runs pooled,
    /// the interval's level.
    pub history_window: usize,
    pub history_min_points: usize,
    pub history_pool: usize,
    pub history_confidence: f64,
    /// `test`: `auto` or `mann-whitney`.
    #[serde(default = "auto")]
    pub test: String,
}

impl Settings {
    /// The settings of `config` that a report states.
    pub fn of(config: &Config) -> Settings {
        Settings {
            threshold: config.threshold,
            alpha: config.alpha,
            min_samples: config.min_samples,
            fail_on_regression: config.fail_on_regression,
            fail_on_missing: config.fail_on_missing,
            fail_on_new: config.fail_on_new,
            fail_on_inconclusive: config.fail_on_inconclusive,
            allow_cross_environment: config.allow_cross_environment,
            history_window: config.history.window,
            history_min_points: config.history.min_points,
            history_pool: config.history.pool,
            history_confidence: config.history.confidence,
            test: config.test.as_str().to_string(),
        }
    }
}

fn auto() -> String {
    "auto".into()
}

/// The tails of a history's run-to-run noise, learnt from its own runs, each judged against the
/// others as the current value is against all of them (`stats::fit_tails`): they lie as
/// `scale` times Student's t with `df` degrees of freedom.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct HistoryTails {
    pub df: f64,
    pub scale: f64,
    /// How many runs (each of one metric) the fit read, and of how many metrics.
    pub runs: usize,
    pub metrics: usize,
}

/// How the moderated t test learnt the noise of the metrics it decided.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Moderation {
    /// Metrics decided by it: those with positive samples on both sides.
    pub metrics: usize,
    /// Prior degrees of freedom (limma's `df.prior`): how many extra values' worth of noise
    /// information each metric borrowed. None when infinite (every metric is as noisy as the
    /// others, up to sampling).
    pub prior_df: Option<f64>,
    /// The typical noise of the metrics: the coefficient of variation of the prior variance of
    /// the log values, `sqrt(exp(s0^2) - 1)`.
    pub prior_cv: f64,
    /// The degrees of freedom of all the metrics together (limma's `df.pooled`): no test gets
    /// more than these.
    #[serde(default)]
    pub pooled_df: f64,
}

/// Everything a report needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub verdict: Verdict,
    pub counts: Counts,
    /// Sorted: regressions first, then inconclusive, improvements, missing, new, unchanged; by
    /// benchmark and metric within each.
    pub results: Vec<MetricResult>,
    pub budgets: Vec<BudgetResult>,
    /// Metadata of the baseline run; None when there was no baseline (budgets only).
    pub baseline: Option<RunMeta>,
    pub current: RunMeta,
    pub settings: Settings,
    /// Why the verdict fails (such as 2 regressions); empty when it passes.
    pub reasons: Vec<Reason>,
    /// How many metrics had a p-value: the family the Benjamini-Hochberg adjustment ran over.
    pub corrected_over: usize,
    /// How the baseline and current environments differ, such as
    /// `cpu: AMD EPYC 7763 → Intel Xeon 8370C`, on the fields known on both sides (os, arch,
    /// cpu, cores, memory, kind of runner: [`crate::model::Environment::differences`]). Empty
    /// when they agree or nothing is known.
    pub environment_differences: Vec<String>,
    /// How many baseline runs were read (1 for a single baseline, more with a store history; 0
    /// without a baseline).
    pub baseline_runs: usize,
    /// The `baseline_runs` are runs of one commit given together (baseline files), not a
    /// history of runs.
    #[serde(default)]
    pub baseline_one_commit: bool,
    /// Runs of the history left out because they ran on another kind of machine than the current
    /// run, while some ran on the same (those are compared with).
    #[serde(default)]
    pub other_environment_runs: usize,
    /// Set when metrics were decided by the moderated t test.
    #[serde(default)]
    pub moderation: Option<Moderation>,
    /// Set when single values were judged against prediction intervals whose spreads were
    /// moderated across metrics (the same empirical Bayes over the histories' log variances).
    #[serde(default)]
    pub history_moderation: Option<Moderation>,
    /// Set when the history's own runs lie farther out than a normal spread, and the metrics
    /// judged against its intervals were judged as those runs lie.
    #[serde(default)]
    pub history_tails: Option<HistoryTails>,
    /// Set when metrics with samples were judged against their suite's run-to-run spread.
    #[serde(default)]
    pub suite: Option<SuiteShift>,
    /// How many runs of the same benchmarks the current side was given as (1 for one run).
    #[serde(default = "one_run")]
    pub current_runs: usize,
    /// Each metric was compared by one value per run on every side (a side given as several
    /// runs: `compare::compare_runs`), not by the repeats within one run.
    #[serde(default)]
    pub one_value_per_run: bool,
    /// With one value per run: each run's machine (the median move of its benchmarks' speed
    /// metrics) was taken out of a side's spread. Not with fewer than 8 benchmarks, nor for a
    /// load test, whose statistics are one workload.
    #[serde(default)]
    pub machine_taken_out: bool,
}

fn one_run() -> usize {
    1
}

impl Comparison {
    /// A budget whose unit does not fit the metric it names (`p(95) < 200parsecs`, `time < 5%`,
    /// `rate > 0,95`): a mistake in the configuration, not a budget the run broke, so the caller
    /// stops on it (exit code 2) instead of failing the gate on a made-up limit. None when every
    /// budget's unit fits.
    /// Each misfit is named with where its budget was written (`perfgate.toml:12: `).
    pub fn misfit_budgets(&self) -> Option<String> {
        let misfits: Vec<String> = self
            .budgets
            .iter()
            .filter_map(|b| match &b.note {
                Some(BudgetNote::UnitMismatch(e)) => {
                    let source = b
                        .source
                        .as_deref()
                        .map(|s| format!("{s}: "))
                        .unwrap_or_default();
                    Some(format!(
                        "{source}budget `{} {}`: {e}",
                        b.benchmark, b.expression
                    ))
                }
                _ => None,
            })
            .collect();
        let first = misfits.first()?;
        let more = match misfits.len() {
            1 => String::new(),
            n => format!(" (and {} more)", n - 1),
        };
        Some(format!(
            "{first}{more}. Write the limit in the metric's unit (a time in ns, us, ms or s; a size in B, KB, MB; a rate as % or a fraction), or as a bare number (milliseconds on a time)"
        ))
    }

    /// Why nothing was compared although there was a baseline: every current benchmark is new
    /// and every baseline one missing (renamed benchmarks, another tool's names, the wrong
    /// baseline). A gate that compared nothing must not pass. None when something was compared,
    /// or there was no baseline.
    pub fn nothing_in_common(&self) -> Option<String> {
        self.baseline.as_ref()?;
        let compared = self
            .results
            .iter()
            .filter(|r| !matches!(r.status, Status::New | Status::Missing))
            .count();
        if compared > 0 || self.results.is_empty() {
            return None;
        }
        let names = |status: Status| {
            let mut v: Vec<&str> = self
                .results
                .iter()
                .filter(|r| r.status == status)
                .map(|r| r.benchmark.as_str())
                .collect();
            v.dedup();
            let more = v.len().saturating_sub(3);
            let mut shown: Vec<String> = v.iter().take(3).map(|n| format!("`{n}`")).collect();
            if more > 0 {
                shown.push(format!("{more} more"));
            }
            shown.join(", ")
        };
        // The same benchmarks with other metrics (another unit, a tool's other output) are not
        // "no benchmark in the baseline": say which metrics each side has.
        let shared = self.results.iter().find(|n| {
            n.status == Status::New
                && self
                    .results
                    .iter()
                    .any(|m| m.status == Status::Missing && m.benchmark == n.benchmark)
        });
        if let Some(n) = shared {
            let metrics = |status: Status| {
                let mut v: Vec<String> = self
                    .results
                    .iter()
                    .filter(|r| r.status == status && r.benchmark == n.benchmark)
                    .map(|r| format!("`{}`", r.metric))
                    .collect();
                v.dedup();
                v.join(", ")
            };
            return Some(format!(
                "no metric of the current run is in the baseline, so nothing was compared: `{}` has {} in the current run and {} in the baseline. Check that both come from the same tool and its same options (units, output format)",
                n.benchmark,
                metrics(Status::New),
                metrics(Status::Missing)
            ));
        }
        Some(format!(
            "no benchmark of the current run is in the baseline, so nothing was compared (current: {}; baseline: {}). Check that both come from the same benchmarks and tool, and that the baseline is the right one",
            names(Status::New),
            names(Status::Missing)
        ))
    }

    /// Whether the baseline ran in a different environment than the current run.
    pub fn cross_environment(&self) -> bool {
        !self.environment_differences.is_empty()
    }
}

/// The shift of a whole suite between one baseline run and the current run: a slower machine
/// moves every benchmark, and so does a change that slows everything; one pair of runs cannot
/// tell the two apart. Set when metrics were decided against their suite ([`Method::RunToRun`]),
/// or when each run's machine was taken out of a history (`history_runs`): the current run's
/// machine against the history's, which their spread tells apart from a change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SuiteShift {
    /// The median change of the suite's speed metrics, worse-positive: +0.031 = the whole run is
    /// 3.1% slower.
    pub change: f64,
    /// Metrics (times and rates with samples on both sides) and benchmarks it was read from.
    pub metrics: usize,
    pub benchmarks: usize,
    /// The run-to-run spread of one metric's change around the suite's, as a CV, beyond the
    /// repeats' own noise.
    pub between_cv: f64,
    /// Unchanged (within the threshold), inconclusive (beyond it: the machine or the code), or
    /// regression / improvement (beyond `large_change`).
    pub status: Status,
    /// Whether it makes the gate fail under the configuration.
    pub fails_gate: bool,
    /// The runs of history it was judged against, when each run's machine was taken out of a
    /// history (`compare::machines`); None against one baseline run.
    pub history_runs: Option<usize>,
}

impl SuiteShift {
    /// Why the gate fails on the whole run, when it does: the reason, the heading and the
    /// Action's annotation say it alike.
    pub fn failing_reason(&self) -> Option<Reason> {
        self.fails_gate.then_some(match self.history_runs {
            Some(_) => Reason::WholeRunAgainstHistory {
                change: self.change,
            },
            None => Reason::WholeRun {
                change: self.change,
            },
        })
    }
}
