//! k6 end-of-test summaries, in the three JSON shapes k6 writes: the legacy
//! `k6 run --summary-export` file (metric statistics flattened into each metric object, no
//! `type`), the `data` object handed to `handleSummary()` (`metrics.<name>.{type, contains,
//! values}`), and the versioned "new machine-readable summary" (`results.metrics[]`, k6 v1.x with
//! `--new-machine-readable-summary`).
//!
//! Each k6 metric key, tag selector included (`http_req_duration{expected_response:true}`), becomes
//! one benchmark whose metrics are the statistics k6 reports, under k6's own names (`avg`, `p(95)`,
//! `rate`, `count`...). Times are converted from k6's milliseconds to nanoseconds. Thresholds,
//! groups and individual checks are not measurements and are ignored.
//!
//! k6 writes every statistic as a number (one it cannot compute, such as the average of no
//! sample, is 0): a `null` (how `JSON.stringify` in `handleSummary()` writes NaN) is an error
//! naming the metric and the statistic, as is a rate outside 0..1 or a negative time or size.

use std::cmp::Ordering;
use std::collections::HashSet;

use serde_json::{Map, Value};

use super::common::json::{json_object, kind_name};
use super::common::MS_TO_NS;
use super::load::fraction;
use super::spec::{Detect, ParseError, Spec};
use crate::model::{Benchmark, Data, Direction, Metric, Run, RunMeta, Unit};

/// How `k6` is named, detected and read.
pub const SPEC: Spec = Spec {
    name: "k6",
    aliases: &[],
    reads: "k6 --summary-export JSON, or the handleSummary() data object",
    detected_by: "JSON object with `metrics` and `root_group`; or with `metadata.k6Version` and a `results.metrics` array",
    detect: &[Detect::Json(looks_like_json)],
    parse,
};

/// True for the `--summary-export` / handleSummary() object (`metrics` and `root_group`), or the
/// versioned machine-readable summary (`metadata.k6Version` and a `results.metrics` array).
pub fn looks_like_json(v: &Value) -> bool {
    let Value::Object(o) = v else { return false };
    if o.contains_key("metrics") && o.contains_key("root_group") {
        return true;
    }
    // k6's versioned machine-readable summary (`--new-machine-readable-summary`).
    o.get("metadata").and_then(|m| m.get("k6Version")).is_some()
        && o.get("results")
            .and_then(|r| r.get("metrics"))
            .is_some_and(Value::is_array)
}

/// k6's built-in trends that hold times; the legacy `--summary-export` file does not say which
/// trends are times, so these names (and the suffixes in [`is_time_name`]) decide it there.
const BUILTIN_TIME_TRENDS: &[&str] = &[
    "http_req_duration",
    "http_req_waiting",
    "http_req_connecting",
    "http_req_tls_handshaking",
    "http_req_sending",
    "http_req_receiving",
    "http_req_blocked",
    "iteration_duration",
    "group_duration",
];

/// Parses any of the three k6 summary shapes; which one is decided by the document's shape.
pub fn parse(text: &str) -> Result<Run, ParseError> {
    let root = &json_object(
        text,
        "the k6 summary is empty: expected the JSON written by `k6 run --summary-export` or by handleSummary()",
        |v| format!("expected a k6 summary (a JSON object with `metrics`), found {}", kind_name(v)),
    )?;
    let mut meta = RunMeta {
        tool: Some("k6".to_string()),
        ..RunMeta::default()
    };
    let mut benchmarks = match (root.get("metrics"), root.get("results")) {
        (Some(Value::Object(metrics)), _) => {
            let mut out = Vec::new();
            for (key, m) in metrics {
                if let Some(b) = read_metric(key, m)? {
                    out.push(b);
                }
            }
            out
        }
        (Some(other), _) => {
            return Err(ParseError::whole(format!(
                "`metrics` must be an object keyed by metric name, found {}",
                kind_name(other)
            )))
        }
        (None, Some(Value::Object(results))) => {
            read_meta_v1(root, &mut meta);
            read_results_v1(results)?
        }
        (None, _) => {
            return Err(ParseError::whole(
                "not a k6 summary: expected a `metrics` object (--summary-export or handleSummary data) or `results.metrics` (new machine-readable summary)",
            ))
        }
    };
    if benchmarks.is_empty() {
        return Err(ParseError::whole(
            "the k6 summary has no metrics: `metrics` is empty or holds no numbers",
        ));
    }
    // k6 reorders keys from run to run; sorting keeps reports and snapshots stable.
    benchmarks.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Run::new(meta, benchmarks))
}

/// The new machine-readable summary: `results.metrics[]`, plus the aggregate metrics of the
/// `results.checks` section (per-check results are ignored).
fn read_results_v1(results: &Map<String, Value>) -> Result<Vec<Benchmark>, ParseError> {
    let mut out: Vec<Benchmark> = Vec::new();
    let mut seen: HashSet<&str> = HashSet::new();
    let main = match results.get("metrics") {
        Some(Value::Array(items)) => items.as_slice(),
        Some(other) => {
            return Err(ParseError::whole(format!(
                "`results.metrics` must be an array of metrics, found {}",
                kind_name(other)
            )))
        }
        None => {
            return Err(ParseError::whole(
                "not a k6 summary: `results` has no `metrics` array",
            ))
        }
    };
    let checks = match results.get("checks").and_then(|c| c.get("metrics")) {
        Some(Value::Array(items)) => items.as_slice(),
        _ => &[],
    };
    for (i, item) in main.iter().chain(checks).enumerate() {
        let Value::Object(obj) = item else {
            return Err(ParseError::whole(format!(
                "`results.metrics[{i}]` must be an object with `name`, `type` and `values`, found {}",
                kind_name(item)
            )));
        };
        let name = match obj.get("name") {
            Some(Value::String(s)) if !s.trim().is_empty() => s.as_str(),
            _ => {
                return Err(ParseError::whole(format!(
                    "`results.metrics[{i}]` has no `name` string"
                )))
            }
        };
        // The checks section may repeat a metric of the main list. A set, not a search of the
        // metrics so far: 100,000 metrics took seconds.
        if !seen.insert(name) {
            continue;
        }
        if let Some(b) = read_metric(name, item)? {
            out.push(b);
        }
    }
    Ok(out)
}

fn read_meta_v1(root: &Map<String, Value>, meta: &mut RunMeta) {
    let Some(Value::Object(m)) = root.get("metadata") else {
        return;
    };
    if let Some(Value::String(t)) = m.get("generatedAt") {
        meta.timestamp = Some(t.clone());
    }
    if let Some(Value::String(v)) = m.get("k6Version") {
        meta.environment
            .extra
            .insert("k6_version".to_string(), v.clone());
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Trend,
    Rate,
    Counter,
    Gauge,
}

/// What a k6 metric's values are: k6's `contains` (shared with the NDJSON reader).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Contains {
    Default,
    Time,
    Data,
}

/// The statistics of one metric, by name.
type Stats = Vec<(String, f64)>;

/// Reads one metric object in any of the three shapes; `None` when it holds no values at all.
fn read_metric(key: &str, m: &Value) -> Result<Option<Benchmark>, ParseError> {
    let Value::Object(obj) = m else {
        return Err(ParseError::whole(format!(
            "metric `{key}`: expected an object of statistics, found {}",
            kind_name(m)
        )));
    };
    // handleSummary and the new summary nest the statistics under `values`; the legacy export
    // flattens them into the metric object next to its `thresholds`.
    let stats = match obj.get("values") {
        Some(Value::Object(values)) => read_stats(key, values, &[])?,
        Some(other) => {
            return Err(ParseError::whole(format!(
                "metric `{key}`: `values` must be an object of statistics, found {}",
                kind_name(other)
            )))
        }
        None if obj.contains_key("type") => {
            return Err(ParseError::whole(format!(
                "metric `{key}` has a `type` but no `values` object"
            )))
        }
        None => read_stats(key, obj, &["thresholds", "type", "contains", "name"])?,
    };
    let kind = match obj.get("type") {
        Some(Value::String(t)) => match t.as_str() {
            "trend" => Kind::Trend,
            "rate" => Kind::Rate,
            "counter" => Kind::Counter,
            "gauge" => Kind::Gauge,
            other => {
                return Err(ParseError::whole(format!(
                    "metric `{key}`: unknown type `{other}`: expected trend, rate, counter or gauge"
                )))
            }
        },
        Some(other) => {
            return Err(ParseError::whole(format!(
                "metric `{key}`: `type` must be a string, found {}",
                kind_name(other)
            )))
        }
        None => infer_kind(key, &stats)?,
    };
    let base = base_name(key);
    let contains = match obj.get("contains") {
        Some(Value::String(c)) => match c.as_str() {
            "time" => Contains::Time,
            "data" => Contains::Data,
            _ => Contains::Default,
        },
        None | Some(Value::Null) => infer_contains(base, kind),
        Some(other) => {
            return Err(ParseError::whole(format!(
                "metric `{key}`: `contains` must be a string, found {}",
                kind_name(other)
            )))
        }
    };
    let mut b = Benchmark::new(key);
    match kind {
        Kind::Trend => {
            let mut stats = stats;
            stats.sort_by(|a, b| trend_order(&a.0, &b.0));
            for (stat, v) in stats {
                let (unit, factor) = if stat == "count" {
                    (Unit::Count, 1.0)
                } else {
                    contained_unit(contains)
                };
                let direction = Direction::infer(&stat, &unit);
                push(&mut b, key, &stat, unit, factor, Some(v), direction)?;
            }
        }
        Kind::Rate => {
            let rate_direction = Direction::infer(base, &Unit::Ratio);
            // The legacy export names the rate `value`; an error names the field as written.
            let (rate_field, rate) = match get(&stats, "rate") {
                Some(r) => ("rate", Some(r)),
                None => ("value", get(&stats, "value")),
            };
            if let Some(r) = rate {
                fraction(
                    r,
                    &format!("metric `{key}`: statistic `{rate_field}`"),
                    "a rate",
                )?;
            }
            let (passes, fails) = match (get(&stats, "passes"), get(&stats, "matches")) {
                (Some(p), _) => (Some(p), get(&stats, "fails")),
                (None, Some(matches)) => {
                    // New summary: `matches` non-zero samples out of `total`.
                    let fails = match get(&stats, "total") {
                        Some(total) if total < matches => {
                            return Err(ParseError::whole(format!(
                                "metric `{key}`: `matches` ({matches}) is larger than `total` ({total})"
                            )))
                        }
                        Some(total) => Some(total - matches),
                        None => None,
                    };
                    (Some(matches), fails)
                }
                (None, None) => (None, get(&stats, "fails")),
            };
            push(&mut b, key, "rate", Unit::Ratio, 1.0, rate, rate_direction)?;
            // `passes` counts the non-zero samples that make up the rate, so it shares the rate's
            // direction (successful checks, but failed requests for `http_req_failed`).
            push(
                &mut b,
                key,
                "passes",
                Unit::Count,
                1.0,
                passes,
                rate_direction,
            )?;
            push(
                &mut b,
                key,
                "fails",
                Unit::Count,
                1.0,
                fails,
                Direction::opposite(rate_direction),
            )?;
        }
        Kind::Counter => {
            let direction = if counts_bad_events(base) {
                Direction::LowerIsBetter
            } else {
                Direction::HigherIsBetter
            };
            let (count_unit, factor) = contained_unit(contains);
            let rate_unit = match contains {
                Contains::Default => Unit::PerSecond,
                Contains::Data => Unit::BytesPerSecond,
                // Milliseconds accumulated per second of test: dimensionless, kept as k6 means it.
                Contains::Time => Unit::Custom("ms/s".to_string()),
            };
            push(
                &mut b,
                key,
                "count",
                count_unit,
                factor,
                get(&stats, "count"),
                direction,
            )?;
            push(
                &mut b,
                key,
                "rate",
                rate_unit,
                1.0,
                get(&stats, "rate"),
                direction,
            )?;
        }
        Kind::Gauge => {
            let (unit, factor) = contained_unit(contains);
            for stat in ["value", "min", "max"] {
                let direction = Direction::infer(stat, &unit);
                push(
                    &mut b,
                    key,
                    stat,
                    unit.clone(),
                    factor,
                    get(&stats, stat),
                    direction,
                )?;
            }
        }
    }
    Ok(if b.metrics.is_empty() { None } else { Some(b) })
}

/// Reads every statistic of `obj` except the `skip` keys; each must be a number (k6 writes no
/// `null`, so one would be a metric left out unseen).
fn read_stats(key: &str, obj: &Map<String, Value>, skip: &[&str]) -> Result<Stats, ParseError> {
    let mut out = Vec::with_capacity(obj.len());
    for (stat, v) in obj {
        if skip.contains(&stat.as_str()) {
            continue;
        }
        let v = match v {
            Value::Number(n) => n.as_f64().filter(|x| x.is_finite()).ok_or_else(|| {
                ParseError::whole(format!(
                    "metric `{key}`: statistic `{stat}` is {n}: expected a finite number"
                ))
            })?,
            Value::Null => {
                return Err(ParseError::whole(format!(
                    "metric `{key}`: statistic `{stat}` is null or NaN: expected a number"
                )))
            }
            other => {
                return Err(ParseError::whole(format!(
                    "metric `{key}`: statistic `{stat}` must be a number, found {}",
                    kind_name(other)
                )))
            }
        };
        out.push((stat.clone(), v));
    }
    Ok(out)
}

/// The legacy export has no `type`; k6's statistics tell it apart.
fn infer_kind(key: &str, stats: &Stats) -> Result<Kind, ParseError> {
    let has = |name: &str| stats.iter().any(|(s, _)| s == name);
    let has_trend_stat = stats
        .iter()
        .any(|(s, _)| matches!(s.as_str(), "avg" | "med") || s.starts_with("p("));
    if has("passes") || has("fails") {
        Ok(Kind::Rate)
    } else if has("value") && !has_trend_stat {
        Ok(Kind::Gauge)
    } else if has("rate") && !has_trend_stat {
        Ok(Kind::Counter)
    } else if has_trend_stat || has("min") || has("max") || has("count") {
        Ok(Kind::Trend)
    } else {
        let keys = stats
            .iter()
            .map(|(s, _)| format!("`{s}`"))
            .collect::<Vec<_>>()
            .join(", ");
        Err(ParseError::whole(format!(
            "metric `{key}`: cannot tell its k6 type from its statistics ({}): expected trend stats (avg, med, p(95)...), passes/fails (rate), count/rate (counter) or value/min/max (gauge)",
            if keys.is_empty() { "none" } else { keys.as_str() }
        )))
    }
}

/// The legacy export has no `contains`: k6's built-in time trends and data counters are known by
/// name, and custom trends by the usual time suffixes.
fn infer_contains(base: &str, kind: Kind) -> Contains {
    match kind {
        Kind::Trend if is_time_name(base) => Contains::Time,
        Kind::Counter if matches!(base, "data_sent" | "data_received") => Contains::Data,
        _ => Contains::Default,
    }
}

fn is_time_name(base: &str) -> bool {
    BUILTIN_TIME_TRENDS.contains(&base)
        || base.ends_with("_duration")
        || base.ends_with("_time")
        || base.ends_with("_ms")
}

/// The unit of a value whose metric `contains` this, and the factor from k6's scale.
pub(super) fn contained_unit(contains: Contains) -> (Unit, f64) {
    match contains {
        Contains::Time => (Unit::Nanoseconds, MS_TO_NS),
        Contains::Data => (Unit::Bytes, 1.0),
        Contains::Default => (Unit::Count, 1.0),
    }
}

/// The metric name without its `{tag:value}` submetric selector.
fn base_name(key: &str) -> &str {
    key.split_once('{').map_or(key, |(b, _)| b).trim()
}

/// Whether a metric counts failures (fewer is better), from its name.
pub(super) fn counts_bad_events(base: &str) -> bool {
    let name = base.to_ascii_lowercase();
    ["fail", "error", "drop", "timeout"]
        .iter()
        .any(|w| name.contains(w))
}

fn get(stats: &Stats, name: &str) -> Option<f64> {
    stats.iter().find(|(s, _)| s == name).map(|(_, v)| *v)
}

/// k6's summary order: avg, min, med, max, percentiles by rank, count, then anything else.
fn trend_order(a: &str, b: &str) -> Ordering {
    fn rank(s: &str) -> (u8, f64) {
        match s {
            "avg" => (0, 0.0),
            "min" => (1, 0.0),
            "med" => (2, 0.0),
            "max" => (3, 0.0),
            "count" => (5, 0.0),
            _ => match percentile(s) {
                Some(p) => (4, p),
                None => (6, 0.0),
            },
        }
    }
    let (ra, pa) = rank(a);
    let (rb, pb) = rank(b);
    ra.cmp(&rb).then(pa.total_cmp(&pb)).then_with(|| a.cmp(b))
}

fn percentile(stat: &str) -> Option<f64> {
    stat.strip_prefix("p(")?
        .strip_suffix(')')?
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|p| p.is_finite())
}

/// Adds one statistic: an absent one is skipped; a negative time or size, or one too large for
/// its unit, is an error.
fn push(
    b: &mut Benchmark,
    key: &str,
    stat: &str,
    unit: Unit,
    factor: f64,
    value: Option<f64>,
    direction: Direction,
) -> Result<(), ParseError> {
    let Some(raw) = value else {
        return Ok(());
    };
    let v = raw * factor;
    if !v.is_finite() {
        return Err(ParseError::whole(format!(
            "metric `{key}`: statistic `{stat}` is {raw}, too large to convert to {}",
            unit.as_str()
        )));
    }
    if v < 0.0 && matches!(unit, Unit::Nanoseconds | Unit::Bytes) {
        return Err(ParseError::whole(format!(
            "metric `{key}`: statistic `{stat}` is {raw}, but a {} cannot be negative",
            if unit == Unit::Nanoseconds {
                "time"
            } else {
                "size"
            }
        )));
    }
    b.push(Metric::new(stat, unit, Data::Value(v)).with_direction(direction));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::test_support::{metric, value};

    const QR_EXPORT: &str =
        include_str!("../../tests/fixtures/k6/qr-code-generator-summary-export.json");
    const TICKET_EXPORT: &str =
        include_str!("../../tests/fixtures/k6/ticket-reserve-summary-export.json");
    const CIRCLECI: &str = include_str!("../../tests/fixtures/k6/circleci-orb-summary.json");
    const REPORTER_SIMPLE: &str = include_str!("../../tests/fixtures/k6/k6-reporter-simple.json");
    const HTML_REPORTER: &str =
        include_str!("../../tests/fixtures/k6/k6-html-reporter-export.json");
    /// Hand-made: no real new machine-readable summary was found (see the fixtures' README).
    const NEW_SUMMARY: &str = include_str!("../../tests/fixtures/k6/new-summary-handmade.json");

    fn names(b: &Benchmark) -> Vec<&str> {
        b.metrics.iter().map(|m| m.name.as_str()).collect()
    }

    fn err(text: &str) -> String {
        parse(text).unwrap_err().to_string()
    }

    #[test]
    fn reads_legacy_summary_export_with_custom_trend_stats() {
        let run = parse(QR_EXPORT).unwrap();
        assert_eq!(run.meta.tool.as_deref(), Some("k6"));
        let all: Vec<&str> = run.benchmarks.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(
            all,
            [
                "checks",
                "data_received",
                "data_sent",
                "http_req_blocked",
                "http_req_connecting",
                "http_req_duration",
                "http_req_duration{expected_response:true}",
                "http_req_failed",
                "http_req_receiving",
                "http_req_sending",
                "http_req_tls_handshaking",
                "http_req_waiting",
                "http_reqs",
                "iteration_duration",
                "iterations",
                "vus",
                "vus_max",
            ]
        );
        let tagged = run
            .benchmark("http_req_duration{expected_response:true}")
            .unwrap();
        assert_eq!(
            names(tagged),
            ["avg", "min", "med", "max", "p(99)", "p(99.9)", "count"]
        );
        let p999 = metric(&run, "http_req_duration{expected_response:true}", "p(99.9)");
        assert_eq!(p999.unit, Unit::Nanoseconds);
        assert_eq!(p999.direction, Direction::LowerIsBetter);
        assert_eq!(p999.data, Data::Value(787.1129890000226 * 1e6));
        let count = metric(&run, "http_req_duration", "count");
        assert_eq!(count.unit, Unit::Count);
        assert_eq!(count.data, Data::Value(493168.0));
        assert_eq!(value(&run, "http_req_waiting", "min"), 0.061 * 1e6);
        assert_eq!(value(&run, "iteration_duration", "max"), 1737.463337 * 1e6);

        // Rate metrics: the legacy value key is `value`.
        assert_eq!(value(&run, "http_req_failed", "rate"), 0.0);
        assert_eq!(value(&run, "http_req_failed", "passes"), 0.0);
        assert_eq!(value(&run, "http_req_failed", "fails"), 493168.0);
        assert_eq!(value(&run, "checks", "rate"), 1.0);
        assert_eq!(metric(&run, "checks", "rate").unit, Unit::Ratio);
        assert_eq!(metric(&run, "checks", "passes").unit, Unit::Count);

        // Counters: data counters are bytes, the others events.
        let sent = metric(&run, "data_sent", "count");
        assert_eq!(sent.unit, Unit::Bytes);
        assert_eq!(sent.data, Data::Value(48041532.0));
        let sent_rate = metric(&run, "data_sent", "rate");
        assert_eq!(sent_rate.unit, Unit::BytesPerSecond);
        assert_eq!(sent_rate.data, Data::Value(417721.56983663695));
        let reqs = metric(&run, "http_reqs", "rate");
        assert_eq!(reqs.unit, Unit::PerSecond);
        assert_eq!(reqs.data, Data::Value(4288.100370179589));
        assert_eq!(metric(&run, "iterations", "count").unit, Unit::Count);

        // Gauges.
        let vus = run.benchmark("vus").unwrap();
        assert_eq!(names(vus), ["value", "min", "max"]);
        assert_eq!(value(&run, "vus", "max"), 149.0);
        assert_eq!(metric(&run, "vus", "value").unit, Unit::Count);
        assert_eq!(value(&run, "vus_max", "value"), 174.0);
        // 9 trends with 7 stats, 2 rates, 4 counters, 2 gauges.
        assert_eq!(run.metric_count(), 9 * 7 + 2 * 3 + 4 * 2 + 2 * 3);
    }

    #[test]
    fn converts_legacy_percentiles_from_milliseconds_to_nanoseconds() {
        let run = parse(TICKET_EXPORT).unwrap();
        let b = run.benchmark("http_req_duration").unwrap();
        assert_eq!(names(b), ["avg", "min", "med", "max", "p(90)", "p(95)"]);
        assert_eq!(value(&run, "http_req_duration", "p(95)"), 4101.811365 * 1e6);
        assert_eq!(
            value(&run, "http_req_duration{expected_response:true}", "p(95)"),
            4102.77963 * 1e6
        );
        assert_eq!(
            value(&run, "http_req_blocked", "avg"),
            35.55828399999999 * 1e6
        );
        assert_eq!(value(&run, "http_req_failed", "rate"), 0.01);
        assert_eq!(value(&run, "http_req_failed", "passes"), 1.0);
        assert_eq!(value(&run, "http_req_failed", "fails"), 99.0);
        assert_eq!(value(&run, "checks", "rate"), 0.99);
        assert_eq!(value(&run, "data_received", "count"), 7566.0);
        assert_eq!(value(&run, "vus", "min"), 15.0);
        assert_eq!(run.benchmarks.len(), 17);
        insta::assert_json_snapshot!("ticket_reserve_summary_export", run);
    }

    #[test]
    fn sets_directions_for_failures_checks_and_throughput() {
        let run = parse(TICKET_EXPORT).unwrap();
        let failed = run.benchmark("http_req_failed").unwrap();
        let dirs: Vec<_> = failed.metrics.iter().map(|m| m.direction).collect();
        // A "pass" of http_req_failed is a failed request.
        assert_eq!(
            dirs,
            [
                Direction::LowerIsBetter,
                Direction::LowerIsBetter,
                Direction::HigherIsBetter
            ]
        );
        let checks = run.benchmark("checks").unwrap();
        let dirs: Vec<_> = checks.metrics.iter().map(|m| m.direction).collect();
        assert_eq!(
            dirs,
            [
                Direction::HigherIsBetter,
                Direction::HigherIsBetter,
                Direction::LowerIsBetter
            ]
        );
        for stat in ["count", "rate"] {
            assert_eq!(
                metric(&run, "http_reqs", stat).direction,
                Direction::HigherIsBetter
            );
            assert_eq!(
                metric(&run, "data_received", stat).direction,
                Direction::HigherIsBetter
            );
        }
        assert_eq!(
            metric(&run, "iteration_duration", "p(95)").direction,
            Direction::LowerIsBetter
        );
    }

    #[test]
    fn reads_handle_summary_data_written_on_one_line() {
        assert!(!CIRCLECI.contains('\n'));
        let run = parse(CIRCLECI).unwrap();
        assert_eq!(run.benchmarks.len(), 16);
        let p95 = metric(&run, "http_req_duration", "p(95)");
        assert_eq!(p95.unit, Unit::Nanoseconds);
        assert_eq!(p95.data, Data::Value(260.64205000000004 * 1e6));
        assert_eq!(
            names(run.benchmark("http_req_duration").unwrap()),
            ["avg", "min", "med", "max", "p(90)", "p(95)"]
        );
        assert_eq!(
            value(&run, "http_req_duration{expected_response:true}", "med"),
            255.0285 * 1e6
        );
        assert_eq!(value(&run, "http_req_failed", "rate"), 0.0);
        assert_eq!(value(&run, "http_req_failed", "fails"), 20.0);
        assert_eq!(value(&run, "http_reqs", "count"), 20.0);
        assert_eq!(value(&run, "http_reqs", "rate"), 2.4169333249062928);
        assert_eq!(metric(&run, "data_sent", "count").unit, Unit::Bytes);
        assert_eq!(value(&run, "data_sent", "count"), 4490.0);
        assert_eq!(value(&run, "vus", "value"), 5.0);
        assert!(run.benchmark("checks").is_none());
        insta::assert_json_snapshot!("circleci_orb_handle_summary", run);
    }

    #[test]
    fn reads_handle_summary_with_p99_and_failing_rates() {
        let run = parse(REPORTER_SIMPLE).unwrap();
        assert_eq!(run.benchmarks.len(), 18);
        assert_eq!(
            names(run.benchmark("http_req_duration").unwrap()),
            ["avg", "min", "med", "max", "p(90)", "p(95)", "p(99)"]
        );
        // serde_json without its `float_roundtrip` feature may read this literal one ULP off.
        let p99 = value(&run, "http_req_duration", "p(99)");
        assert!((p99 - 39.577136380000084 * 1e6).abs() < 1e-6, "{p99}");
        assert_eq!(value(&run, "group_duration", "min"), 516.179498 * 1e6);
        let failed = metric(&run, "http_req_failed", "rate");
        assert_eq!(failed.data, Data::Value(0.39749430523917995));
        assert_eq!(failed.direction, Direction::LowerIsBetter);
        let checks = metric(&run, "checks", "rate");
        assert_eq!(checks.data, Data::Value(0.60250569476082));
        assert_eq!(checks.direction, Direction::HigherIsBetter);
        assert_eq!(value(&run, "checks", "passes"), 529.0);
        assert_eq!(value(&run, "checks", "fails"), 349.0);
        // Checks by name ("Status is ok", "NOT 500") are not benchmarks.
        assert!(run.benchmarks.iter().all(|b| !b.name.contains("Status")));
    }

    #[test]
    fn reads_old_handle_summary_with_nested_groups_and_custom_rate() {
        let run = parse(HTML_REPORTER).unwrap();
        assert_eq!(run.benchmarks.len(), 17);
        let error_rate = run.benchmark("errorRate").unwrap();
        assert_eq!(names(error_rate), ["rate", "passes", "fails"]);
        assert_eq!(
            metric(&run, "errorRate", "rate").direction,
            Direction::LowerIsBetter
        );
        assert_eq!(value(&run, "errorRate", "fails"), 29.0);
        assert_eq!(value(&run, "checks", "rate"), 0.6666666666666666);
        assert_eq!(value(&run, "group_duration", "max"), 2.1008 * 1e6);
        assert_eq!(value(&run, "iterations", "count"), 149.0);
        assert_eq!(value(&run, "vus_max", "max"), 10.0);
    }

    #[test]
    fn reads_hand_made_new_machine_readable_summary() {
        let run = parse(NEW_SUMMARY).unwrap();
        assert_eq!(run.meta.timestamp.as_deref(), Some("2025-06-02T10:00:00Z"));
        assert_eq!(
            run.meta
                .environment
                .extra
                .get("k6_version")
                .map(String::as_str),
            Some("1.0.0")
        );
        let all: Vec<&str> = run.benchmarks.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(
            all,
            [
                "checks_failed",
                "checks_succeeded",
                "checks_total",
                "data_received",
                "http_req_duration",
                "http_req_duration{expected_response:true}",
                "http_req_failed",
                "http_reqs",
                "vus",
            ]
        );
        assert_eq!(value(&run, "http_req_duration", "p(95)"), 23_500_000.0);
        assert_eq!(
            value(&run, "http_req_duration{expected_response:true}", "p(99)"),
            30_250_000.0
        );
        // `matches`/`total` become passes/fails.
        assert_eq!(value(&run, "checks_succeeded", "rate"), 0.75);
        assert_eq!(value(&run, "checks_succeeded", "passes"), 45.0);
        assert_eq!(value(&run, "checks_succeeded", "fails"), 15.0);
        assert_eq!(
            metric(&run, "checks_succeeded", "rate").direction,
            Direction::HigherIsBetter
        );
        assert_eq!(
            metric(&run, "checks_failed", "rate").direction,
            Direction::LowerIsBetter
        );
        assert_eq!(value(&run, "http_req_failed", "passes"), 2.0);
        assert_eq!(value(&run, "http_req_failed", "fails"), 58.0);
        assert_eq!(
            metric(&run, "http_req_failed", "rate").direction,
            Direction::LowerIsBetter
        );
        assert_eq!(
            metric(&run, "data_received", "rate").unit,
            Unit::BytesPerSecond
        );
        // Per-check results ("status is 200") are not benchmarks.
        assert!(run.benchmark("status is 200").is_none());
        insta::assert_json_snapshot!("new_summary_handmade", run);
    }

    #[test]
    fn reads_a_metric_repeated_in_the_checks_section_once() {
        let run = parse(
            r#"{"version": "1.0.0", "metadata": {"k6Version": "1.1.0"}, "results": {
                "metrics": [{"name": "checks", "type": "rate", "contains": "default",
                             "values": {"rate": 0.5, "matches": 1, "total": 2}}],
                "checks": {"metrics": [{"name": "checks", "type": "rate", "contains": "default",
                             "values": {"rate": 0.9, "matches": 9, "total": 10}}],
                           "results": [{"name": "ok", "passes": 1, "fails": 1}]}}}"#,
        )
        .unwrap();
        assert_eq!(run.benchmarks.len(), 1);
        assert_eq!(value(&run, "checks", "rate"), 0.5);
        assert_eq!(value(&run, "checks", "fails"), 1.0);
    }

    #[test]
    fn skips_metrics_without_values() {
        let run = parse(
            r#"{"metrics": {
                "http_req_duration": {"type":"trend","contains":"time","values":{"p(95)":23.5}},
                "empty": {"type":"trend","contains":"time","values":{}}
            }, "root_group": {}}"#,
        )
        .unwrap();
        assert_eq!(run.benchmarks.len(), 1);
        assert_eq!(
            names(run.benchmark("http_req_duration").unwrap()),
            ["p(95)"]
        );
        assert_eq!(value(&run, "http_req_duration", "p(95)"), 23_500_000.0);
    }

    #[test]
    fn fails_on_a_null_or_nan_statistic_naming_it() {
        // k6 turns what it cannot compute into 0, never NaN or null: a null would be a metric
        // left out unseen, then reported missing by a comparison that passes.
        let failed = "\"fails\": 493168,\n            \"value\": 0";
        assert!(QR_EXPORT.contains(failed));
        for bad in ["null", "NaN"] {
            let text = QR_EXPORT.replacen(failed, &failed.replace(": 0", &format!(": {bad}")), 1);
            assert_eq!(
                err(&text),
                "metric `http_req_failed`: statistic `value` is null or NaN: expected a number"
            );
        }
        let e = err(
            r#"{"metrics": {"http_req_duration": {"type":"trend","contains":"time",
                "values":{"avg":NaN,"p(95)":23.5}}}, "root_group": {}}"#,
        );
        assert!(
            e.contains("`http_req_duration`: statistic `avg` is null"),
            "{e}"
        );
    }

    #[test]
    fn fails_on_a_rate_outside_0_to_1() {
        let failed = "\"fails\": 493168,\n            \"value\": 0";
        let text = QR_EXPORT.replacen(failed, &failed.replace(": 0", ": -1.5"), 1);
        assert_eq!(
            err(&text),
            "metric `http_req_failed`: statistic `value` is -1.5, but a rate is a fraction between 0 and 1"
        );
        let text = CIRCLECI.replacen(
            r#""values":{"rate":0,"passes":0,"fails":20}"#,
            r#""values":{"rate":1.5,"passes":0,"fails":20}"#,
            1,
        );
        assert_ne!(text, CIRCLECI);
        let e = err(&text);
        assert!(
            e.contains("`http_req_failed`: statistic `rate` is 1.5, but a rate is a fraction"),
            "{e}"
        );
    }

    #[test]
    fn infers_custom_time_trends_in_the_legacy_export_by_name() {
        let run = parse(
            r#"{"metrics": {
                "login_duration{scenario:auth}": {"avg": 2.5, "p(95)": 4},
                "cart_size": {"avg": 2.5, "max": 7},
                "my_errors": {"count": 3, "rate": 0.5}
            }, "root_group": {}}"#,
        )
        .unwrap();
        let login = metric(&run, "login_duration{scenario:auth}", "avg");
        assert_eq!(login.unit, Unit::Nanoseconds);
        assert_eq!(login.data, Data::Value(2_500_000.0));
        let cart = metric(&run, "cart_size", "max");
        assert_eq!(cart.unit, Unit::Count);
        assert_eq!(cart.data, Data::Value(7.0));
        assert_eq!(
            metric(&run, "my_errors", "rate").direction,
            Direction::LowerIsBetter
        );
        assert_eq!(
            metric(&run, "my_errors", "count").direction,
            Direction::LowerIsBetter
        );
    }

    #[test]
    fn ignores_legacy_thresholds_inside_metric_objects() {
        let run = parse(
            r#"{"metrics": {"http_req_duration": {"avg": 1, "p(95)": 2,
                "thresholds": {"p(95)<500": false}}}, "root_group": {}}"#,
        )
        .unwrap();
        assert_eq!(
            names(run.benchmark("http_req_duration").unwrap()),
            ["avg", "p(95)"]
        );
    }

    #[test]
    fn real_summaries_are_detected_as_k6() {
        for text in [
            QR_EXPORT,
            TICKET_EXPORT,
            CIRCLECI,
            REPORTER_SIMPLE,
            HTML_REPORTER,
        ] {
            assert_eq!(
                super::super::detect(text),
                Ok(super::super::Format::K6Summary)
            );
        }
    }

    #[test]
    fn fails_on_empty_input() {
        let e = err("");
        assert!(e.contains("empty"), "{e}");
        let e = err("  \n");
        assert!(e.contains("empty"), "{e}");
    }

    #[test]
    fn fails_on_truncated_json_with_its_line() {
        let cut = TICKET_EXPORT.get(..200).unwrap();
        let e = parse(cut).unwrap_err();
        assert!(e.line.is_some(), "{e:?}");
        assert!(e.message.contains("EOF"), "{e}");
    }

    #[test]
    fn fails_when_metrics_holds_no_metric() {
        let e = err(r#"{"metrics": {}, "root_group": {}}"#);
        assert!(e.contains("no metrics"), "{e}");
        let e = err(r#"{"results": {"metrics": []}, "version": "1.0.0"}"#);
        assert!(e.contains("no metrics"), "{e}");
    }

    #[test]
    fn fails_on_a_statistic_that_is_not_a_number() {
        let e = err(
            r#"{"metrics": {"http_req_duration": {"type": "trend", "contains": "time",
            "values": {"avg": "12ms"}}}, "root_group": {}}"#,
        );
        assert!(e.contains("`http_req_duration`"), "{e}");
        assert!(e.contains("`avg` must be a number, found a string"), "{e}");
        let e = err(r#"{"metrics": {"vus": {"value": true, "min": 1, "max": 2}}}"#);
        assert!(e.contains("`vus`: statistic `value`"), "{e}");
    }

    #[test]
    fn fails_on_wrong_shapes_naming_the_metric() {
        let e = err("[1, 2]");
        assert!(e.contains("found an array"), "{e}");
        let e = err(r#"{"root_group": {}}"#);
        assert!(e.contains("not a k6 summary"), "{e}");
        let e = err(r#"{"metrics": [1]}"#);
        assert!(e.contains("`metrics` must be an object"), "{e}");
        let e = err(r#"{"metrics": {"http_reqs": 5}}"#);
        assert!(e.contains("metric `http_reqs`: expected an object"), "{e}");
        let e = err(r#"{"metrics": {"http_reqs": {"type": "counter", "values": [1]}}}"#);
        assert!(e.contains("`http_reqs`: `values` must be an object"), "{e}");
        let e = err(r#"{"metrics": {"http_reqs": {"type": "counter"}}}"#);
        assert!(
            e.contains("`http_reqs` has a `type` but no `values`"),
            "{e}"
        );
        let e = err(r#"{"metrics": {"x": {"type": "histogram", "values": {"a": 1}}}}"#);
        assert!(e.contains("`x`: unknown type `histogram`"), "{e}");
        let e = err(r#"{"metrics": {"x": {"foo": 1}}}"#);
        assert!(e.contains("`x`: cannot tell its k6 type"), "{e}");
        let e = err(r#"{"results": {"metrics": [{"type": "gauge"}]}}"#);
        assert!(e.contains("`results.metrics[0]` has no `name`"), "{e}");
        let e = err(
            r#"{"results": {"metrics": [{"name": "checks", "type": "rate",
                "values": {"rate": 1, "matches": 5, "total": 3}}]}}"#,
        );
        assert!(
            e.contains("`checks`: `matches` (5) is larger than `total` (3)"),
            "{e}"
        );
    }

    #[test]
    fn fails_on_a_negative_time() {
        let e = err(r#"{"metrics": {"http_req_duration": {"avg": -1, "med": 2}}}"#);
        assert!(
            e.contains("`http_req_duration`: statistic `avg` is -1"),
            "{e}"
        );
    }
}
