//! Pairs the metrics of a baseline run and a current run, decides each one, checks budgets, and
//! applies the configuration's gate rules. Pure: no I/O.

use crate::config::{glob_matches, Budget, Config};
use crate::model::{Data, Direction, Run, Unit};
use crate::stats;

use super::types::*;

/// Confidence level of the reported intervals of the change.
pub const CONFIDENCE: f64 = 0.95;

/// The statistics a latency histogram is compared through, named as k6 names them.
const HISTOGRAM_STATS: &[(&str, Option<f64>)] = &[
    ("avg", None),
    ("p(50)", Some(0.50)),
    ("p(90)", Some(0.90)),
    ("p(95)", Some(0.95)),
    ("p(99)", Some(0.99)),
    ("p(99.9)", Some(0.999)),
    ("max", Some(1.0)),
];

/// One comparable quantity: a metric (or a statistic of a histogram) of a benchmark.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub benchmark: String,
    pub metric: String,
    pub unit: Unit,
    pub direction: Direction,
    /// One value, or the samples.
    pub values: Vec<f64>,
}

/// Flattens a run into comparable series; histograms become one series per statistic (`p(95)`,
/// or `<metric> p(95)` when a benchmark has several histograms).
pub fn series(run: &Run) -> Vec<Series> {
    let mut out = Vec::new();
    for b in &run.benchmarks {
        let histograms = b
            .metrics
            .iter()
            .filter(|m| matches!(m.data, Data::Histogram(_)))
            .count();
        for m in &b.metrics {
            match &m.data {
                Data::Value(v) => out.push(Series {
                    benchmark: b.name.clone(),
                    metric: m.name.clone(),
                    unit: m.unit.clone(),
                    direction: m.direction,
                    values: vec![*v],
                }),
                Data::Samples(s) => out.push(Series {
                    benchmark: b.name.clone(),
                    metric: m.name.clone(),
                    unit: m.unit.clone(),
                    direction: m.direction,
                    values: s.clone(),
                }),
                Data::Histogram(h) => {
                    if h.is_empty() {
                        continue;
                    }
                    for (stat, q) in HISTOGRAM_STATS {
                        let v = match q {
                            Some(q) => h.quantile(*q),
                            None => h.mean(),
                        };
                        let metric = if histograms > 1 {
                            format!("{} {stat}", m.name)
                        } else {
                            (*stat).to_string()
                        };
                        out.push(Series {
                            benchmark: b.name.clone(),
                            metric,
                            unit: m.unit.clone(),
                            direction: m.direction,
                            values: vec![v],
                        });
                    }
                }
            }
        }
    }
    out
}

/// The summary of a series: its median (the value itself for one value).
fn summary(values: &[f64]) -> f64 {
    stats::median(values).unwrap_or(f64::NAN)
}

/// Compares `current` with `baseline` (None: budgets only) under `config`.
pub fn compare(baseline: Option<&Run>, current: &Run, config: &Config) -> Comparison {
    let cur = series(current);
    let base = baseline.map(series).unwrap_or_default();
    let mut results = Vec::new();

    if baseline.is_some() {
        for c in &cur {
            let r = config.resolve(&c.benchmark, &c.metric);
            if r.ignore {
                continue;
            }
            let direction = r.direction.unwrap_or(c.direction);
            let b = base
                .iter()
                .find(|b| b.benchmark == c.benchmark && b.metric == c.metric);
            let mut result = match b {
                Some(b) => decide(b, c, direction, r.threshold, r.alpha, config.min_samples),
                None => only_one_side(c, direction, r.threshold, r.alpha, Status::New),
            };
            result.fails_gate = fails(&result, config);
            results.push(result);
        }
        for b in &base {
            if cur
                .iter()
                .any(|c| c.benchmark == b.benchmark && c.metric == b.metric)
            {
                continue;
            }
            let r = config.resolve(&b.benchmark, &b.metric);
            if r.ignore {
                continue;
            }
            let direction = r.direction.unwrap_or(b.direction);
            let mut result = only_one_side(b, direction, r.threshold, r.alpha, Status::Missing);
            result.fails_gate = fails(&result, config);
            results.push(result);
        }
    }
    results.sort_by_key(|r| rank(r.status));

    let budgets: Vec<BudgetResult> = config
        .budgets
        .iter()
        .flat_map(|b| check_budget(b, &cur))
        .collect();

    let mut counts = Counts::default();
    for r in &results {
        match r.status {
            Status::Regression => counts.regression += 1,
            Status::Improvement => counts.improvement += 1,
            Status::Inconclusive => counts.inconclusive += 1,
            Status::Unchanged => counts.unchanged += 1,
            Status::New => counts.new += 1,
            Status::Missing => counts.missing += 1,
        }
    }
    counts.budgets_passed = budgets.iter().filter(|b| b.passed).count();
    counts.budgets_broken = budgets.len() - counts.budgets_passed;

    let mut reasons = Vec::new();
    let failing = |s: Status| {
        results
            .iter()
            .filter(|r| r.fails_gate && r.status == s)
            .count()
    };
    for (status, one, many) in [
        (Status::Regression, "regression", "regressions"),
        (Status::Missing, "missing result", "missing results"),
        (Status::New, "new result", "new results"),
        (
            Status::Inconclusive,
            "inconclusive result",
            "inconclusive results",
        ),
    ] {
        let n = failing(status);
        if n > 0 {
            reasons.push(format!("{n} {}", if n == 1 { one } else { many }));
        }
    }
    if counts.budgets_broken > 0 {
        let n = counts.budgets_broken;
        reasons.push(format!(
            "{n} {}",
            if n == 1 {
                "budget broken"
            } else {
                "budgets broken"
            }
        ));
    }
    let verdict = if reasons.is_empty() {
        Verdict::Pass
    } else {
        Verdict::Fail
    };

    Comparison {
        verdict,
        counts,
        results,
        budgets,
        baseline: baseline.map(|b| b.meta.clone()),
        current: current.meta.clone(),
        settings: Settings {
            threshold: config.threshold,
            alpha: config.alpha,
            min_samples: config.min_samples,
            fail_on_regression: config.fail_on_regression,
            fail_on_missing: config.fail_on_missing,
            fail_on_new: config.fail_on_new,
            fail_on_inconclusive: config.fail_on_inconclusive,
        },
        reasons,
    }
}

fn rank(s: Status) -> u8 {
    match s {
        Status::Regression => 0,
        Status::Inconclusive => 1,
        Status::Improvement => 2,
        Status::Missing => 3,
        Status::New => 4,
        Status::Unchanged => 5,
    }
}

fn fails(r: &MetricResult, c: &Config) -> bool {
    match r.status {
        Status::Regression => c.fail_on_regression,
        Status::Missing => c.fail_on_missing,
        Status::New => c.fail_on_new,
        Status::Inconclusive => c.fail_on_inconclusive,
        Status::Improvement | Status::Unchanged => false,
    }
}

fn only_one_side(
    s: &Series,
    direction: Direction,
    threshold: f64,
    alpha: f64,
    status: Status,
) -> MetricResult {
    let side = Some(Side {
        value: summary(&s.values),
        n: s.values.len(),
    });
    let (baseline, current) = if status == Status::New {
        (None, side)
    } else {
        (side, None)
    };
    MetricResult {
        benchmark: s.benchmark.clone(),
        metric: s.metric.clone(),
        unit: s.unit.clone(),
        direction,
        baseline,
        current,
        change: None,
        ci: None,
        p_value: None,
        status,
        method: Method::None,
        threshold,
        alpha,
        fails_gate: false,
        note: None,
    }
}

/// Decides one metric present on both sides.
///
/// With samples on both sides, a change is a regression (or improvement) only when the two-sided
/// Mann-Whitney U test is significant at `alpha` AND the change of the medians is beyond
/// `threshold` in the worse (better) direction — benchstat's test plus a minimum effect. With one
/// value on a side there is no noise estimate and the threshold alone decides.
pub fn decide(
    b: &Series,
    c: &Series,
    direction: Direction,
    threshold: f64,
    alpha: f64,
    min_samples: usize,
) -> MetricResult {
    let base_v = summary(&b.values);
    let cur_v = summary(&c.values);
    let mut out = MetricResult {
        benchmark: c.benchmark.clone(),
        metric: c.metric.clone(),
        unit: c.unit.clone(),
        direction,
        baseline: Some(Side {
            value: base_v,
            n: b.values.len(),
        }),
        current: Some(Side {
            value: cur_v,
            n: c.values.len(),
        }),
        change: None,
        ci: None,
        p_value: None,
        status: Status::Unchanged,
        method: Method::Threshold,
        threshold,
        alpha,
        fails_gate: false,
        note: None,
    };
    if b.unit != c.unit {
        out.status = Status::Inconclusive;
        out.note = Some(format!(
            "units differ (baseline `{}`, current `{}`): not comparable",
            b.unit, c.unit
        ));
        return out;
    }

    // Signed change where positive means "worse", whatever the direction.
    let change = if base_v != 0.0 {
        Some(cur_v / base_v - 1.0)
    } else if cur_v == 0.0 {
        Some(0.0)
    } else {
        None
    };
    out.change = change;
    let worse_by = |ch: f64| match direction {
        Direction::LowerIsBetter => ch,
        Direction::HigherIsBetter => -ch,
    };
    let badness = match change {
        Some(ch) => worse_by(ch),
        // From zero to something: infinitely worse or better.
        None => worse_by(if cur_v > base_v {
            f64::INFINITY
        } else {
            f64::NEG_INFINITY
        }),
    };
    let beyond = badness.abs() > threshold;
    let moved = if badness > 0.0 {
        Status::Regression
    } else {
        Status::Improvement
    };
    if change.is_none() {
        out.note = Some("the baseline is zero, so the change has no ratio".into());
    }

    if b.values.len() >= 2 && c.values.len() >= 2 {
        out.method = Method::MannWhitney;
        let p = match stats::mann_whitney_u(&b.values, &c.values) {
            Ok(t) => Some(t.p),
            Err(stats::StatsError::SamplesEqual) => Some(1.0),
            Err(_) => None,
        };
        out.p_value = p;
        out.ci = stats::ratio_change(&b.values, &c.values, CONFIDENCE).map(|s| (s.lo, s.hi));
        let (n1, n2) = (b.values.len(), c.values.len());
        let enough =
            n1 >= min_samples && n2 >= min_samples && stats::min_achievable_p(n1, n2) < alpha;
        if !beyond {
            out.status = Status::Unchanged;
        } else if !enough {
            out.status = Status::Inconclusive;
            out.note = Some(format!(
                "too few samples to decide ({n1} and {n2}): at least {} per side are needed; run more repeats",
                min_samples.max(smallest_n(alpha))
            ));
        } else if p.is_some_and(|p| p < alpha) {
            out.status = moved;
        } else {
            out.status = Status::Inconclusive;
            out.note = Some(format!(
                "a change of {} is not statistically significant ({}): too noisy to decide; run more repeats or reduce noise",
                pct(change),
                p.map(|p| format!("p = {p:.3}")).unwrap_or_else(|| "no p-value".into())
            ));
        }
    } else {
        out.method = Method::Threshold;
        out.status = if beyond { moved } else { Status::Unchanged };
        let extra = out.note.take();
        out.note = Some(match extra {
            Some(e) => format!(
                "{e}; one value per side: no noise estimate, decided by the threshold alone"
            ),
            None => "one value per side: no noise estimate, decided by the threshold alone".into(),
        });
    }
    out
}

/// The smallest equal sample size whose exact test can reach `alpha`.
fn smallest_n(alpha: f64) -> usize {
    (2..100)
        .find(|&n| stats::min_achievable_p(n, n) < alpha)
        .unwrap_or(100)
}

fn pct(change: Option<f64>) -> String {
    match change {
        Some(c) => format!("{:+.1}%", c * 100.0),
        None => "n/a".into(),
    }
}

/// Equivalent spellings of common statistics.
fn same_stat(a: &str, b: &str) -> bool {
    fn canon(s: &str) -> String {
        let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        match s.as_str() {
            "med" | "median" | "p50" | "p(50)" => "p(50)".into(),
            "avg" | "mean" => "avg".into(),
            _ => s,
        }
    }
    canon(a) == canon(b)
}

/// Checks one budget against the current run's series.
pub fn check_budget(budget: &Budget, current: &[Series]) -> Vec<BudgetResult> {
    let matching: Vec<&Series> = current
        .iter()
        .filter(|s| glob_matches(&budget.benchmark, &s.benchmark))
        .collect();
    let broken = |benchmark: &str, unit: Unit, note: String| BudgetResult {
        benchmark: benchmark.to_string(),
        metric: budget.metric.clone(),
        expression: budget.expression.clone(),
        actual: None,
        limit: budget.value,
        unit,
        passed: false,
        note: Some(note),
    };
    if matching.is_empty() {
        return vec![broken(
            &budget.benchmark,
            Unit::Count,
            format!("no benchmark matches `{}`", budget.benchmark),
        )];
    }
    let mut names: Vec<&str> = matching.iter().map(|s| s.benchmark.as_str()).collect();
    names.dedup();
    let mut out = Vec::new();
    for name in names {
        let of_bench: Vec<&&Series> = matching.iter().filter(|s| s.benchmark == name).collect();
        let Some(s) = of_bench
            .iter()
            .find(|s| same_stat(&s.metric, &budget.metric))
        else {
            let have: Vec<&str> = of_bench.iter().map(|s| s.metric.as_str()).collect();
            out.push(broken(
                name,
                Unit::Count,
                format!(
                    "`{name}` has no metric `{}`; it has: {}",
                    budget.metric,
                    have.join(", ")
                ),
            ));
            continue;
        };
        let actual = summary(&s.values);
        match budget.limit_in(&s.unit) {
            Ok(limit) => out.push(BudgetResult {
                benchmark: name.to_string(),
                metric: s.metric.clone(),
                expression: budget.expression.clone(),
                actual: Some(actual),
                limit,
                unit: s.unit.clone(),
                passed: budget.op.holds(actual, limit),
                note: (s.values.len() > 1).then(|| format!("median of {} samples", s.values.len())),
            }),
            Err(e) => out.push(BudgetResult {
                actual: Some(actual),
                ..broken(name, s.unit.clone(), e)
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Benchmark, Histogram, Metric, RunMeta};

    fn s(metric: &str, unit: Unit, values: &[f64]) -> Series {
        Series {
            benchmark: "B".into(),
            metric: metric.into(),
            direction: Direction::infer(metric, &unit),
            unit,
            values: values.to_vec(),
        }
    }

    fn t(values: &[f64]) -> Series {
        s("time", Unit::Nanoseconds, values)
    }

    const BASE: [f64; 10] = [
        100.0, 101.0, 99.0, 100.5, 98.5, 100.2, 99.7, 101.3, 100.1, 99.9,
    ];

    fn scaled(f: f64) -> Vec<f64> {
        BASE.iter().map(|v| v * f).collect()
    }

    #[test]
    fn a_significant_slowdown_beyond_the_threshold_is_a_regression() {
        let r = decide(
            &t(&BASE),
            &t(&scaled(1.2)),
            Direction::LowerIsBetter,
            0.05,
            0.05,
            4,
        );
        assert_eq!(r.status, Status::Regression);
        assert_eq!(r.method, Method::MannWhitney);
        assert!(r.p_value.unwrap() < 0.001);
        let (lo, hi) = r.ci.unwrap();
        assert!(lo > 0.15 && hi < 0.25, "{lo} {hi}");
        assert!((r.change.unwrap() - 0.2).abs() < 1e-9);
        assert_eq!(r.baseline.unwrap().n, 10);
    }

    #[test]
    fn a_significant_change_within_the_threshold_is_unchanged() {
        let r = decide(
            &t(&BASE),
            &t(&scaled(1.03)),
            Direction::LowerIsBetter,
            0.05,
            0.05,
            4,
        );
        assert!(r.p_value.unwrap() < 0.05);
        assert_eq!(r.status, Status::Unchanged);
    }

    #[test]
    fn a_speedup_is_an_improvement() {
        let r = decide(
            &t(&BASE),
            &t(&scaled(0.8)),
            Direction::LowerIsBetter,
            0.05,
            0.05,
            4,
        );
        assert_eq!(r.status, Status::Improvement);
    }

    #[test]
    fn lower_throughput_is_a_regression() {
        let b = s("throughput", Unit::BytesPerSecond, &BASE);
        let c = s("throughput", Unit::BytesPerSecond, &scaled(0.8));
        let r = decide(&b, &c, Direction::HigherIsBetter, 0.05, 0.05, 4);
        assert_eq!(r.status, Status::Regression);
    }

    #[test]
    fn too_few_samples_for_a_large_change_is_inconclusive() {
        let r = decide(
            &t(&[100.0, 101.0, 99.0]),
            &t(&[130.0, 131.0, 129.0]),
            Direction::LowerIsBetter,
            0.05,
            0.05,
            4,
        );
        assert_eq!(r.status, Status::Inconclusive);
        assert!(
            r.note
                .as_deref()
                .unwrap()
                .contains("too few samples to decide (3 and 3): at least 4 per side"),
            "{:?}",
            r.note
        );
    }

    #[test]
    fn a_large_change_that_is_not_significant_is_inconclusive() {
        let noisy_base = [100.0, 60.0, 140.0, 90.0, 110.0, 70.0, 130.0, 100.0];
        let noisy_cur = [112.0, 65.0, 160.0, 95.0, 125.0, 80.0, 150.0, 110.0];
        let r = decide(
            &t(&noisy_base),
            &t(&noisy_cur),
            Direction::LowerIsBetter,
            0.05,
            0.05,
            4,
        );
        assert_eq!(r.status, Status::Inconclusive);
        assert!(r.p_value.unwrap() > 0.05);
        assert!(r
            .note
            .as_deref()
            .unwrap()
            .contains("not statistically significant"));
    }

    #[test]
    fn single_values_are_decided_by_the_threshold_alone() {
        let r = decide(
            &t(&[100.0]),
            &t(&[110.0]),
            Direction::LowerIsBetter,
            0.05,
            0.05,
            4,
        );
        assert_eq!(r.status, Status::Regression);
        assert_eq!(r.method, Method::Threshold);
        assert_eq!(r.p_value, None);
        assert!(r.note.as_deref().unwrap().contains("no noise estimate"));
        let r = decide(
            &t(&[100.0]),
            &t(&[104.0]),
            Direction::LowerIsBetter,
            0.05,
            0.05,
            4,
        );
        assert_eq!(r.status, Status::Unchanged);
    }

    #[test]
    fn an_allocation_appearing_from_zero_is_a_regression() {
        let b = s("allocs", Unit::Count, &[0.0]);
        let c = s("allocs", Unit::Count, &[2.0]);
        let r = decide(&b, &c, Direction::LowerIsBetter, 0.0, 0.05, 4);
        assert_eq!(r.status, Status::Regression);
        assert_eq!(r.change, None);
        assert!(r.note.as_deref().unwrap().contains("baseline is zero"));
    }

    fn run(benches: &[(&str, f64)]) -> Run {
        Run::new(
            RunMeta::default(),
            benches
                .iter()
                .map(|(n, v)| {
                    let mut b = Benchmark::new(*n);
                    b.push(Metric::new("time", Unit::Nanoseconds, Data::Value(*v)));
                    b
                })
                .collect(),
        )
    }

    #[test]
    fn reports_new_and_missing_and_fails_only_when_configured() {
        let base = run(&[("A", 100.0), ("Gone", 5.0)]);
        let cur = run(&[("A", 150.0), ("Fresh", 7.0)]);
        let c = compare(Some(&base), &cur, &Config::default());
        let statuses: Vec<_> = c
            .results
            .iter()
            .map(|r| (r.benchmark.as_str(), r.status))
            .collect();
        assert_eq!(
            statuses,
            [
                ("A", Status::Regression),
                ("Gone", Status::Missing),
                ("Fresh", Status::New)
            ]
        );
        assert_eq!(c.verdict, Verdict::Fail);
        assert_eq!(c.reasons, ["1 regression"]);

        let cfg = Config {
            fail_on_regression: false,
            fail_on_missing: true,
            ..Config::default()
        };
        let c = compare(Some(&base), &cur, &cfg);
        assert_eq!(c.reasons, ["1 missing result"]);
        let cfg = Config {
            fail_on_regression: false,
            ..Config::default()
        };
        assert_eq!(compare(Some(&base), &cur, &cfg).verdict, Verdict::Pass);
    }

    #[test]
    fn ignored_benchmarks_are_not_compared() {
        let cfg = Config::parse("t.toml", "[[rule]]\nbenchmark = \"A*\"\nignore = true\n").unwrap();
        let c = compare(Some(&run(&[("Alpha", 1.0)])), &run(&[("Alpha", 9.0)]), &cfg);
        assert!(c.results.is_empty());
        assert_eq!(c.verdict, Verdict::Pass);
    }

    #[test]
    fn rules_override_threshold_and_direction() {
        let cfg = Config::parse(
            "t.toml",
            "[[rule]]\nbenchmark = \"A\"\nthreshold = \"50%\"\n[[rule]]\nbenchmark = \"B\"\ndirection = \"higher_is_better\"\n",
        )
        .unwrap();
        let c = compare(
            Some(&run(&[("A", 100.0), ("B", 100.0)])),
            &run(&[("A", 140.0), ("B", 140.0)]),
            &cfg,
        );
        let a = c.results.iter().find(|r| r.benchmark == "A").unwrap();
        let b = c.results.iter().find(|r| r.benchmark == "B").unwrap();
        assert_eq!((a.status, a.threshold), (Status::Unchanged, 0.5));
        assert_eq!(
            (b.status, b.direction),
            (Status::Improvement, Direction::HigherIsBetter)
        );
    }

    fn k6_like() -> Run {
        let mut d = Benchmark::new("http_req_duration");
        d.push(Metric::new("p(95)", Unit::Nanoseconds, Data::Value(30e6)));
        d.push(Metric::new("med", Unit::Nanoseconds, Data::Value(20e6)));
        let mut f = Benchmark::new("http_req_failed");
        f.push(Metric::new("rate", Unit::Ratio, Data::Value(0.02)));
        Run::new(RunMeta::default(), vec![d, f])
    }

    #[test]
    fn budgets_pass_and_break_with_actual_and_limit() {
        let cfg = Config::parse(
            "t.toml",
            "[budgets]\nhttp_req_duration = [\"p(95) < 200ms\", \"p(50) < 10\"]\nhttp_req_failed = \"rate < 1%\"\n",
        )
        .unwrap();
        let c = compare(None, &k6_like(), &cfg);
        assert!(c.results.is_empty());
        let got: Vec<_> = c
            .budgets
            .iter()
            .map(|b| (b.metric.as_str(), b.actual, b.limit, b.passed))
            .collect();
        assert_eq!(
            got,
            [
                ("p(95)", Some(30e6), 200e6, true),
                ("med", Some(20e6), 10e6, false),
                ("rate", Some(0.02), 0.01, false),
            ]
        );
        assert_eq!(c.counts.budgets_broken, 2);
        assert_eq!(c.reasons, ["2 budgets broken"]);
        assert_eq!(c.verdict, Verdict::Fail);
    }

    #[test]
    fn a_budget_on_something_absent_is_broken_not_skipped() {
        let cfg = Config::parse(
            "t.toml",
            "[budgets]\nhttp_req_duraton = \"p(95) < 200\"\nhttp_req_duration = \"p(96) < 200\"\n",
        )
        .unwrap();
        let c = compare(None, &k6_like(), &cfg);
        let notes: Vec<_> = c.budgets.iter().map(|b| b.note.clone().unwrap()).collect();
        assert_eq!(
            notes,
            [
                "`http_req_duration` has no metric `p(96)`; it has: p(95), med",
                "no benchmark matches `http_req_duraton`",
            ]
        );
        assert!(c.budgets.iter().all(|b| !b.passed));
    }

    #[test]
    fn histograms_are_compared_through_their_percentiles() {
        let mut h = Histogram::new();
        for v in 1..=1000 {
            h.record(f64::from(v) * 1000.0).unwrap();
        }
        let mut b = Benchmark::new("GET /");
        b.push(Metric::new(
            "latency",
            Unit::Nanoseconds,
            Data::Histogram(h),
        ));
        let run = Run::new(RunMeta::default(), vec![b]);
        let names: Vec<_> = series(&run).into_iter().map(|s| s.metric).collect();
        assert_eq!(
            names,
            ["avg", "p(50)", "p(90)", "p(95)", "p(99)", "p(99.9)", "max"]
        );
        let p99 = series(&run)
            .into_iter()
            .find(|s| s.metric == "p(99)")
            .unwrap();
        assert!((p99.values[0] - 990_000.0).abs() / 990_000.0 < 0.001);
    }
}
