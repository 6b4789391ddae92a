//! Artillery JSON reports: `artillery run --output report.json` (`{aggregate, intermediate[]}`), in
//! the 2.x shape (`aggregate.counters`, `rates`, `summaries`) and the 1.x shape (`aggregate.latency`,
//! `rps`, `codes`, `errors`, `scenariosCreated`).
//!
//! Benchmarks (2.x names; 1.x reports are mapped onto the same names so baselines carry over):
//! - `artillery`, the whole test: `requests` (2.x `http.requests`; 1.x `requestsCompleted`),
//!   `errors` (the sum of the `errors.*` counters; 1.x the sum of `errors{}`), `error_rate` (failed
//!   virtual users over created ones: 2.x `vusers.failed / vusers.created`, 1.x
//!   `(scenariosCreated - scenariosCompleted) / scenariosCreated`) and `rate` (2.x
//!   `http.requests` over the time from `firstCounterAt` to `lastCounterAt`, else
//!   `rates.http.request_rate`; 1.x `rps.mean`).
//! - one per 2.x summary, named by the summary (`http.response_time`, `http.response_time.2xx`,
//!   `vusers.session_length`, ...), except the metrics-by-endpoint plugin's
//!   `plugins.metrics-by-endpoint.response_time.<path>`, named by its `<path>`: `min`, `max`, `avg`
//!   (mean), `med` (median), `p(75)`, `p(90)`, `p(95)`, `p(99)`, `p(99.9)` (`p999`). Summaries are in
//!   milliseconds (Artillery's own all are; custom `histogram` metrics are assumed to be timings too)
//!   and converted to nanoseconds.
//! - 1.x: `http.response_time` from `latency` and `vusers.session_length` from `scenarioDuration`
//!   (`min`, `max`, `med`, `p(95)`, `p(99)`, ms). When the report holds every request's raw latency
//!   (`intermediate[].latencies` or `aggregate.latencies`, nanoseconds, as many as
//!   `requestsCompleted`), `http.response_time` is instead a `latency` histogram built from them, and
//!   its summary values are not emitted (the comparison derives them from the histogram).
//!
//! A report in which nothing succeeded (2.x: empty `summaries`; 1.x: null latency statistics) still
//! parses: the `artillery` benchmark carries the counters, with `error_rate` 1.0, so budgets can fail
//! it instead of the run looking empty. `firstMetricAt` (2.x, epoch ms) or `aggregate.timestamp`
//! (1.x) is the run's timestamp.
//!
//! Artillery writes `null` for a number in three places only, all read as "no value": every 1.x
//! `latency`/`scenarioDuration` statistic when no request or scenario completed (a whole block at
//! once), 1.x `rps.mean` when there was nothing to rate, and 2.x `rates.http.request_rate` (in
//! the intermediate reports of both real 2.x fixtures). Any other `null` (a counter, a 2.x summary
//! statistic, a raw latency), or a 1.x block only partly null, is an error naming the field, so
//! that no metric is left out unseen.
//!
//! Detection: a JSON object with an `aggregate` object and an `intermediate` array, `aggregate`
//! holding `counters` or `summaries` (2.x) or `latency` or `scenariosCreated` (1.x).

use serde_json::{Map, Value};

use super::common::json::{json_object, kind_name};
use super::common::time::rfc3339;
use super::common::MS_TO_NS;
use super::load::{
    error_rate_metric, errors_metric, json_number, non_negative, ns_metric, rate_metric,
    requests_metric, required_number,
};
use super::spec::{Detect, ParseError, Spec};
use crate::model::{Benchmark, Data, Histogram, Metric, Run, RunMeta, Unit};

/// How `artillery` is named, detected and read.
pub const SPEC: Spec = Spec {
    name: "artillery",
    aliases: &[],
    reads: "artillery run --output report.json (1.x and 2.x)",
    detected_by: "JSON with an `aggregate` object and an `intermediate` array",
    detect: &[Detect::Json(looks_like_json)],
    parse,
};

/// The benchmark holding the whole test's counters.
const TOTALS: &str = "artillery";

/// The metrics-by-endpoint plugin's per-path response time summaries.
const ENDPOINT_PREFIX: &str = "plugins.metrics-by-endpoint.response_time.";

/// 2.x summary statistics and the names they get, in output order.
const SUMMARY_STATS: &[(&str, &str)] = &[
    ("min", "min"),
    ("max", "max"),
    ("mean", "avg"),
    ("median", "med"),
    ("p75", "p(75)"),
    ("p90", "p(90)"),
    ("p95", "p(95)"),
    ("p99", "p(99)"),
    ("p999", "p(99.9)"),
];

/// 1.x latency statistics.
const V1_STATS: &[(&str, &str)] = &[
    ("min", "min"),
    ("max", "max"),
    ("median", "med"),
    ("p95", "p(95)"),
    ("p99", "p(99)"),
];

/// True for an Artillery 1.x or 2.x report (see the module documentation).
pub fn looks_like_json(v: &Value) -> bool {
    let Some(Value::Object(agg)) = v.get("aggregate") else {
        return false;
    };
    v.get("intermediate").is_some_and(Value::is_array)
        && ["counters", "summaries", "latency", "scenariosCreated"]
            .iter()
            .any(|k| agg.contains_key(*k))
}

/// Parses an Artillery report; see the module documentation.
pub fn parse(text: &str) -> Result<Run, ParseError> {
    let root = &json_object(
        text,
        "the Artillery report is empty: expected the JSON written by `artillery run --output report.json`",
        |v| format!("expected an Artillery report (a JSON object with `aggregate`), found {}", kind_name(v)),
    )?;
    let agg =
        match root.get("aggregate") {
            Some(Value::Object(a)) => a,
            Some(other) => {
                return Err(ParseError::whole(format!(
                    "`aggregate` must be an object, found {}",
                    kind_name(other)
                )))
            }
            None => return Err(ParseError::whole(
                "not an Artillery report: expected an `aggregate` object (artillery run --output)",
            )),
        };
    let mut meta = RunMeta {
        tool: Some("artillery".to_string()),
        ..RunMeta::default()
    };
    // 1.x reports may carry an empty `counters` object too; `scenariosCreated`/`latency` are 1.x only.
    let benchmarks = if agg.contains_key("scenariosCreated") || agg.contains_key("latency") {
        // A time that is not one (`15:22:NaNZ`, a damaged report) is left out.
        meta.timestamp = agg
            .get("timestamp")
            .and_then(Value::as_str)
            .filter(|t| crate::model::instant(t).is_some())
            .map(str::to_string);
        read_v1(root, agg)?
    } else if agg.contains_key("counters") || agg.contains_key("summaries") {
        meta.timestamp = json_number(agg.get("firstMetricAt"), "aggregate.firstMetricAt")?
            .or(json_number(
                agg.get("firstCounterAt"),
                "aggregate.firstCounterAt",
            )?)
            .and_then(|ms| rfc3339(ms / 1000.0));
        read_v2(agg)?
    } else {
        return Err(ParseError::whole(
            "`aggregate` has neither `counters`/`summaries` (Artillery 2.x) nor `latency`/`scenariosCreated` (Artillery 1.x)",
        ));
    };
    if benchmarks.iter().all(|b| b.metrics.is_empty()) {
        return Err(ParseError::whole(
            "the Artillery report holds no numbers: its counters and summaries are empty",
        ));
    }
    let benchmarks = benchmarks
        .into_iter()
        .filter(|b| !b.metrics.is_empty())
        .collect();
    Ok(Run::new(meta, benchmarks))
}

fn object<'a>(
    parent: &'a Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<Option<&'a Map<String, Value>>, ParseError> {
    match parent.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(o)) => Ok(Some(o)),
        Some(other) => Err(ParseError::whole(format!(
            "`{path}` must be an object, found {}",
            kind_name(other)
        ))),
    }
}

fn read_v2(agg: &Map<String, Value>) -> Result<Vec<Benchmark>, ParseError> {
    let mut totals = Benchmark::new(TOTALS);
    let mut requests = None;
    if let Some(counters) = object(agg, "counters", "aggregate.counters")? {
        let counter =
            |k: &str| required_number(counters.get(k), &format!("aggregate.counters.{k}"));
        if let Some(n) = counter("http.requests")? {
            totals.push(requests_metric(n));
            requests = Some(n);
        }
        let mut errors = 0.0;
        for (k, v) in counters {
            if k.starts_with("errors.") {
                errors +=
                    required_number(Some(v), &format!("aggregate.counters.{k}"))?.unwrap_or(0.0);
            }
        }
        totals.push(errors_metric(errors));
        if let Some(created) = counter("vusers.created")?.filter(|c| *c > 0.0) {
            let failed = counter("vusers.failed")?.unwrap_or(0.0);
            totals.push(error_rate_metric((failed / created).clamp(0.0, 1.0)));
        }
    }
    // The test's mean request rate: its requests over the time they were counted in. The
    // aggregate's own `rates.http.request_rate` is not that: two identical runs (50 arrivals a
    // second for 10 s, 500 requests in 10.0 s each) reported 50 and 38.
    let first = json_number(agg.get("firstCounterAt"), "aggregate.firstCounterAt")?;
    let last = json_number(agg.get("lastCounterAt"), "aggregate.lastCounterAt")?;
    let span_s = match (first, last) {
        (Some(f), Some(l)) if l > f => Some((l - f) / 1000.0),
        _ => None,
    };
    if let (Some(n), Some(s)) = (requests, span_s) {
        totals.push(rate_metric(n / s));
    } else if let Some(rates) = object(agg, "rates", "aggregate.rates")? {
        // Artillery writes a null rate for a period without requests (see the module docs).
        if let Some(r) = json_number(
            rates.get("http.request_rate"),
            "aggregate.rates.http.request_rate",
        )? {
            totals.push(rate_metric(r));
        }
    }
    let mut out = vec![totals];
    // `histograms` repeats `summaries` under its older name; read it only when `summaries` is absent.
    let (key, summaries) = match object(agg, "summaries", "aggregate.summaries")? {
        Some(s) => ("summaries", Some(s)),
        None => (
            "histograms",
            object(agg, "histograms", "aggregate.histograms")?,
        ),
    };
    for (name, stats) in summaries.into_iter().flatten() {
        let path = format!("aggregate.{key}.{name}");
        let Value::Object(stats) = stats else {
            return Err(ParseError::whole(format!(
                "`{path}` must be an object of statistics, found {}",
                kind_name(stats)
            )));
        };
        let bench = name.strip_prefix(ENDPOINT_PREFIX).unwrap_or(name);
        let mut b = Benchmark::new(bench);
        for (stat, metric) in SUMMARY_STATS {
            let mut v = required_number(stats.get(*stat), &format!("{path}.{stat}"))?;
            if *stat == "median" && v.is_none() {
                v = required_number(stats.get("p50"), &format!("{path}.p50"))?;
            }
            if let Some(v) = v {
                b.push(ns_metric(
                    metric,
                    non_negative(v, &format!("{path}.{stat}"))? * MS_TO_NS,
                ));
            }
        }
        out.push(b);
    }
    Ok(out)
}

fn read_v1(
    root: &Map<String, Value>,
    agg: &Map<String, Value>,
) -> Result<Vec<Benchmark>, ParseError> {
    let num = |k: &str| required_number(agg.get(k), &format!("aggregate.{k}"));
    let mut totals = Benchmark::new(TOTALS);
    let completed = num("requestsCompleted")?;
    if let Some(n) = completed {
        totals.push(requests_metric(n));
    }
    if let Some(errors) = object(agg, "errors", "aggregate.errors")? {
        let mut n = 0.0;
        for (k, v) in errors {
            n += required_number(Some(v), &format!("aggregate.errors.{k}"))?.unwrap_or(0.0);
        }
        totals.push(errors_metric(n));
    }
    if let Some(created) = num("scenariosCreated")?.filter(|c| *c > 0.0) {
        let done = num("scenariosCompleted")?.unwrap_or(0.0);
        totals.push(error_rate_metric(
            ((created - done) / created).clamp(0.0, 1.0),
        ));
    }
    if let Some(rps) = object(agg, "rps", "aggregate.rps")? {
        // Null when nothing was requested (see the module docs).
        if let Some(r) = json_number(rps.get("mean"), "aggregate.rps.mean")? {
            totals.push(rate_metric(r));
        }
    }
    let mut response_time = Benchmark::new("http.response_time");
    match raw_latencies(root, agg, completed)? {
        Some(h) => response_time.push(Metric::new(
            "latency",
            Unit::Nanoseconds,
            Data::Histogram(h),
        )),
        None => read_v1_stats(agg, "latency", &mut response_time)?,
    }
    let mut session = Benchmark::new("vusers.session_length");
    read_v1_stats(agg, "scenarioDuration", &mut session)?;
    Ok(vec![totals, response_time, session])
}

/// The 1.x statistics of `aggregate.<key>`: none when every one is null (Artillery's "nothing
/// completed"), else each present one must be a number.
fn read_v1_stats(agg: &Map<String, Value>, key: &str, b: &mut Benchmark) -> Result<(), ParseError> {
    let Some(stats) = object(agg, key, &format!("aggregate.{key}"))? else {
        return Ok(());
    };
    if V1_STATS
        .iter()
        .all(|(stat, _)| stats.get(*stat).is_none_or(Value::is_null))
    {
        return Ok(());
    }
    for (stat, metric) in V1_STATS {
        let path = format!("aggregate.{key}.{stat}");
        if let Some(v) = required_number(stats.get(*stat), &path)? {
            b.push(ns_metric(metric, non_negative(v, &path)? * MS_TO_NS));
        }
    }
    Ok(())
}

/// Every request's latency (nanoseconds) when the report holds all of them: `aggregate.latencies`
/// or the intermediate reports' `latencies`, as many as `requestsCompleted`. Entries are numbers,
/// or `[timestamp, id, latency, status]` arrays in the oldest reports.
fn raw_latencies(
    root: &Map<String, Value>,
    agg: &Map<String, Value>,
    completed: Option<f64>,
) -> Result<Option<Histogram>, ParseError> {
    let Some(completed) = completed.filter(|c| *c > 0.0) else {
        return Ok(None);
    };
    let list = |v: Option<&Value>, path: &str| -> Result<Vec<f64>, ParseError> {
        let items = match v {
            None | Some(Value::Null) => return Ok(Vec::new()),
            Some(Value::Array(a)) => a,
            Some(other) => {
                return Err(ParseError::whole(format!(
                    "`{path}` must be an array of latencies, found {}",
                    kind_name(other)
                )))
            }
        };
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let p = format!("{path}[{i}]");
            let v = match item {
                Value::Array(entry) => required_number(entry.get(2), &format!("{p}[2]"))?,
                other => required_number(Some(other), &p)?,
            };
            if let Some(v) = v {
                out.push(non_negative(v, &p)?);
            }
        }
        Ok(out)
    };
    let mut values = list(agg.get("latencies"), "aggregate.latencies")?;
    if values.is_empty() {
        if let Some(Value::Array(intervals)) = root.get("intermediate") {
            for (i, interval) in intervals.iter().enumerate() {
                values.extend(list(
                    interval.get("latencies"),
                    &format!("intermediate[{i}].latencies"),
                )?);
            }
        }
    }
    if values.len() as f64 != completed {
        return Ok(None);
    }
    let mut h = Histogram::new();
    for v in values {
        h.record(v).map_err(ParseError::whole)?;
    }
    Ok(Some(h))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::test_support::{metric, value};
    use crate::model::Direction;

    const SAWADY: &str =
        include_str!("../../tests/fixtures/artillery/artillery2-sawady-report.json");
    const ALL_ERRORS: &str =
        include_str!("../../tests/fixtures/artillery/artillery2-all-errors-report.json");
    const INTERLEDGER: &str =
        include_str!("../../tests/fixtures/artillery/artillery1-interledger-report.json");
    const V1_ERROR: &str =
        include_str!("../../tests/fixtures/artillery/artillery1-2016-error-report.json");

    fn names(run: &Run, bench: &str) -> Vec<String> {
        run.benchmark(bench)
            .map(|b| b.metrics.iter().map(|m| m.name.clone()).collect())
            .unwrap_or_default()
    }

    fn benches(run: &Run) -> Vec<&str> {
        run.benchmarks.iter().map(|b| b.name.as_str()).collect()
    }

    fn err(text: &str) -> String {
        parse(text).unwrap_err().to_string()
    }

    #[test]
    fn reads_v2_counters_and_one_benchmark_per_summary() {
        let run = parse(SAWADY).unwrap();
        assert_eq!(run.meta.tool.as_deref(), Some("artillery"));
        assert_eq!(
            run.meta.timestamp.as_deref(),
            Some("2025-05-07T08:24:24.820Z")
        );
        assert_eq!(
            benches(&run),
            [
                "artillery",
                "http.response_time",
                "http.response_time.2xx",
                "http.response_time.5xx",
                "/health",
                "vusers.session_length"
            ]
        );
        assert_eq!(
            names(&run, "artillery"),
            ["requests", "errors", "error_rate", "rate"]
        );
        assert_eq!(value(&run, "artillery", "requests"), 3000.0);
        assert_eq!(value(&run, "artillery", "errors"), 0.0);
        assert_eq!(value(&run, "artillery", "error_rate"), 0.0);
        // 3000 requests from the first counter to the last, 60.573 s (50 arrivals a second).
        assert_eq!(value(&run, "artillery", "rate"), 3000.0 / 60.573);
        assert_eq!(
            metric(&run, "artillery", "requests").direction,
            Direction::HigherIsBetter
        );
        assert_eq!(metric(&run, "artillery", "rate").unit, Unit::PerSecond);
        assert_eq!(
            names(&run, "http.response_time"),
            ["min", "max", "avg", "med", "p(75)", "p(90)", "p(95)", "p(99)", "p(99.9)"]
        );
        assert_eq!(value(&run, "http.response_time", "min"), 1e6);
        assert_eq!(value(&run, "http.response_time", "max"), 55e6);
        assert_eq!(value(&run, "http.response_time", "avg"), 3.3e6);
        assert_eq!(value(&run, "http.response_time", "med"), 3e6);
        assert_eq!(value(&run, "http.response_time", "p(99)"), 13.9e6);
        assert_eq!(value(&run, "http.response_time", "p(99.9)"), 50.9e6);
        assert_eq!(value(&run, "http.response_time.5xx", "avg"), 21e6);
        assert_eq!(value(&run, "/health", "p(99.9)"), 50.9e6);
        assert_eq!(value(&run, "vusers.session_length", "max"), 82.6e6);
        let p95 = metric(&run, "http.response_time", "p(95)");
        assert_eq!(p95.unit, Unit::Nanoseconds);
        assert_eq!(p95.direction, Direction::LowerIsBetter);
        insta::assert_json_snapshot!("artillery2_sawady", run);
    }

    #[test]
    fn keeps_counters_of_a_v2_run_where_everything_failed() {
        let run = parse(ALL_ERRORS).unwrap();
        assert_eq!(benches(&run), ["artillery"]);
        assert_eq!(value(&run, "artillery", "requests"), 2700.0);
        // Only the top-level `errors.*` counter, not the plugin's per-endpoint copy.
        assert_eq!(value(&run, "artillery", "errors"), 2700.0);
        assert_eq!(value(&run, "artillery", "error_rate"), 1.0);
        // The test's mean rate: 2700 requests over 179.71 s (a 5 a second warm-up, then 20 a
        // second); the aggregate's `rates.http.request_rate` says 20, its last periods' rate.
        let span_s = (1_773_284_428_377.0 - 1_773_284_248_667.0) / 1000.0;
        assert_eq!(value(&run, "artillery", "rate"), 2700.0 / span_s);
        assert!((value(&run, "artillery", "rate") - 15.02).abs() < 0.01);
        assert_eq!(
            run.meta.timestamp.as_deref(),
            Some("2026-03-12T02:57:28.667Z")
        );
    }

    #[test]
    fn leaves_out_a_v1_time_that_is_not_one() {
        let text = V1_ERROR.replace("2016-03-16T15:22:25.502Z", "2016-03-16T15:22:NaNZ");
        assert_eq!(parse(&text).unwrap().meta.timestamp, None);
        assert_eq!(
            parse(V1_ERROR).unwrap().meta.timestamp.as_deref(),
            Some("2016-03-16T15:22:25.502Z")
        );
    }

    #[test]
    fn builds_a_v1_histogram_from_complete_raw_latencies() {
        let run = parse(INTERLEDGER).unwrap();
        assert_eq!(
            run.meta.timestamp.as_deref(),
            Some("2019-04-29T15:32:30.341Z")
        );
        assert_eq!(
            benches(&run),
            ["artillery", "http.response_time", "vusers.session_length"]
        );
        assert_eq!(value(&run, "artillery", "requests"), 1554.0);
        assert_eq!(value(&run, "artillery", "errors"), 0.0);
        assert_eq!(value(&run, "artillery", "error_rate"), 0.0);
        assert_eq!(value(&run, "artillery", "rate"), 25.79);
        assert_eq!(names(&run, "http.response_time"), ["latency"]);
        let m = metric(&run, "http.response_time", "latency");
        assert_eq!(m.unit, Unit::Nanoseconds);
        let Data::Histogram(h) = &m.data else {
            panic!("not a histogram")
        };
        // 1554 raw latencies; the aggregate says min 0.4 ms, median 3.3 ms, max 90.1 ms.
        assert_eq!(h.len(), 1554);
        assert!((h.min() - 0.4e6).abs() < 0.05e6, "{}", h.min());
        assert!(
            (h.quantile(0.5) - 3.3e6).abs() < 0.1e6,
            "{}",
            h.quantile(0.5)
        );
        assert!((h.max() - 90.1e6).abs() < 0.1e6, "{}", h.max());
        assert_eq!(
            names(&run, "vusers.session_length"),
            ["min", "max", "med", "p(95)", "p(99)"]
        );
        assert_eq!(value(&run, "vusers.session_length", "med"), 35e6);
        assert_eq!(value(&run, "vusers.session_length", "p(99)"), 89.7e6);
    }

    #[test]
    fn falls_back_to_v1_summary_values_without_complete_latencies() {
        let mut v: Value = serde_json::from_str(INTERLEDGER).unwrap();
        v["intermediate"][0]["latencies"] = Value::Array(vec![]);
        let run = parse(&v.to_string()).unwrap();
        assert_eq!(
            names(&run, "http.response_time"),
            ["min", "max", "med", "p(95)", "p(99)"]
        );
        assert_eq!(value(&run, "http.response_time", "min"), 0.4e6);
        assert_eq!(value(&run, "http.response_time", "p(95)"), 12.7e6);
    }

    #[test]
    fn keeps_counters_of_a_v1_run_where_everything_failed() {
        let run = parse(V1_ERROR).unwrap();
        assert_eq!(benches(&run), ["artillery"]);
        assert_eq!(value(&run, "artillery", "requests"), 0.0);
        assert_eq!(value(&run, "artillery", "errors"), 1.0);
        assert_eq!(value(&run, "artillery", "error_rate"), 1.0);
        assert_eq!(value(&run, "artillery", "rate"), 0.68);
        assert_eq!(
            run.meta.timestamp.as_deref(),
            Some("2016-03-16T15:22:25.502Z")
        );
    }

    #[test]
    fn fails_on_empty_truncated_and_wrong_shapes() {
        assert!(err("").contains("empty"));
        let cut = SAWADY.get(..500).unwrap();
        assert!(parse(cut).unwrap_err().line.is_some());
        assert!(err("[]").contains("found an array"));
        assert!(err(r#"{"intermediate": []}"#).contains("not an Artillery report"));
        assert!(err(r#"{"aggregate": 1}"#).contains("`aggregate` must be an object"));
        assert!(err(r#"{"aggregate": {"period": 1}}"#).contains("neither"));
        assert!(err(r#"{"aggregate": {"summaries": {}}}"#).contains("holds no numbers"));
        let e = err(r#"{"aggregate": {"summaries": {"x": 5}}}"#);
        assert!(
            e.contains("`aggregate.summaries.x` must be an object"),
            "{e}"
        );
        let e = err(r#"{"aggregate": {"counters": []}}"#);
        assert!(e.contains("`aggregate.counters` must be an object"), "{e}");
    }

    #[test]
    fn fails_on_bad_numbers_naming_the_field() {
        let e = err(r#"{"aggregate": {"counters": {"http.requests": "lots"}}}"#);
        assert!(
            e.contains("`aggregate.counters.http.requests` must be a number"),
            "{e}"
        );
        let e = err(r#"{"aggregate": {"summaries": {"http.response_time": {"p99": -1}}}}"#);
        assert!(
            e.contains("`aggregate.summaries.http.response_time.p99` is -1"),
            "{e}"
        );
        let e = err(
            r#"{"aggregate": {"scenariosCreated": 1, "requestsCompleted": 1, "latency": {}},
                "intermediate": [{"latencies": [true]}]}"#,
        );
        assert!(
            e.contains("`intermediate[0].latencies[0]` must be a number"),
            "{e}"
        );
    }

    #[test]
    fn fails_on_a_null_artillery_never_writes_there() {
        fn nulled(v: &mut Value) {
            match v {
                Value::Number(_) => *v = Value::Null,
                Value::Array(a) => a.iter_mut().for_each(nulled),
                Value::Object(o) => o.values_mut().for_each(nulled),
                _ => {}
            }
        }
        let with = |text: &str, edit: &dyn Fn(&mut Value)| {
            let mut v: Value = serde_json::from_str(text).unwrap();
            edit(&mut v);
            v.to_string()
        };
        // Every number of the aggregate null: once 48 metrics were left out without a word.
        let e = err(&with(SAWADY, &|v| nulled(&mut v["aggregate"])));
        assert_eq!(
            e,
            "`aggregate.counters.http.requests` is null or NaN: expected a number"
        );
        let e = err(&with(SAWADY, &|v| {
            v["aggregate"]["summaries"]["http.response_time"]["p99"] = Value::Null
        }));
        assert_eq!(
            e,
            "`aggregate.summaries.http.response_time.p99` is null or NaN: expected a number"
        );
        let e = err(&with(ALL_ERRORS, &|v| {
            v["aggregate"]["counters"]["errors.ECONNREFUSED"] = Value::Null
        }));
        assert!(
            e.contains("`aggregate.counters.errors.ECONNREFUSED` is null"),
            "{e}"
        );
        let e = err(&with(INTERLEDGER, &|v| {
            v["aggregate"]["scenariosCompleted"] = Value::Null
        }));
        assert!(e.contains("`aggregate.scenariosCompleted` is null"), "{e}");
        // A 1.x block is null as a whole (nothing completed) or not at all.
        let e = err(&with(INTERLEDGER, &|v| {
            v["aggregate"]["scenarioDuration"]["p95"] = Value::Null
        }));
        assert!(
            e.contains("`aggregate.scenarioDuration.p95` is null"),
            "{e}"
        );
        let e = err(&with(INTERLEDGER, &|v| {
            v["intermediate"][0]["latencies"][3] = Value::Null
        }));
        assert!(e.contains("`intermediate[0].latencies[3]` is null"), "{e}");
    }

    #[test]
    fn keeps_reading_the_nulls_artillery_writes() {
        // The whole-block nulls of a 1.x run where nothing completed.
        let run = parse(V1_ERROR).unwrap();
        assert_eq!(benches(&run), ["artillery"]);
        // A rate Artillery could not compute (its intermediate reports hold such nulls), in a
        // report without the counters' times to work the rate out from.
        let mut v: Value = serde_json::from_str(SAWADY).unwrap();
        v["aggregate"]["rates"]["http.request_rate"] = Value::Null;
        v["aggregate"]
            .as_object_mut()
            .unwrap()
            .remove("lastCounterAt");
        let run = parse(&v.to_string()).unwrap();
        assert_eq!(
            names(&run, "artillery"),
            ["requests", "errors", "error_rate"]
        );
        let mut v: Value = serde_json::from_str(INTERLEDGER).unwrap();
        v["aggregate"]["rps"]["mean"] = Value::Null;
        let run = parse(&v.to_string()).unwrap();
        assert!(run.benchmark("artillery").unwrap().metric("rate").is_none());
        assert_eq!(value(&run, "artillery", "requests"), 1554.0);
    }

    #[test]
    fn detects_both_report_versions_but_not_other_load_test_json() {
        let v = |t: &str| serde_json::from_str::<Value>(t).unwrap();
        for text in [SAWADY, ALL_ERRORS, INTERLEDGER, V1_ERROR] {
            assert!(looks_like_json(&v(text)));
        }
        for other in [
            include_str!("../../tests/fixtures/autocannon/autocannon-example-result.json"),
            include_str!("../../tests/fixtures/oha/oha-handmade.json"),
            include_str!("../../tests/fixtures/k6/circleci-orb-summary.json"),
        ] {
            assert!(!looks_like_json(&v(other)));
        }
    }
}
