//! oha (hatoo/oha) JSON: `oha --output-format json <url>` (older releases: `-j`/`--json`), one
//! pretty-printed object with `summary`, `latencyPercentiles`, `responseTimeHistogram`,
//! `firstBytePercentiles`, `rps`, `details`, `statusCodeDistribution` and `errorDistribution`; newer
//! releases add a CI-oriented `metrics` block (`success_rate`, `requests_per_sec`,
//! `latency_ms{min, mean, p50, p95, p99, max}`), read when `summary` is absent.
//!
//! The output does not name the URL, so the run is one benchmark named `oha`: `avg`, `min`
//! (`fastest`), `max` (`slowest`) and `p(10)` ... `p(99.99)` (oha's seconds -> nanoseconds),
//! `requests` (responses of any status plus errors), `errors` (`errorDistribution`, but for the
//! requests cut off when `-z <duration>` ran out: "aborted due to deadline"), `error_rate`
//! (`1 - successRate`: oha counts any response as a success and only connection-level errors as
//! failures), `rate` (`requestsPerSec`) and `throughput` (`sizePerSec`, body bytes per second).
//! When present, time to first byte (`details.firstByte` and `firstBytePercentiles`) is the
//! benchmark `oha first byte`. `null` statistics (oha writes them when no request succeeded) are
//! skipped. oha (serde_json) writes its numbers as JSON numbers: a string where a number belongs is
//! an error, even one holding a number.
//!
//! `responseTimeHistogram` is not turned into a histogram: oha bins the latencies into 11 equal-width
//! bins between the fastest and the slowest request, far too coarse for percentiles, while the
//! percentiles it prints are exact.
//!
//! Detection: a JSON object with `summary.requestsPerSec` and `latencyPercentiles`, or with
//! `metrics.requests_per_sec` and `metrics.latency_ms`.

use serde_json::{Map, Value};

use super::common::json::{json_object, kind_name};
use super::common::{MS_TO_NS, S_TO_NS};
use super::load::{
    error_rate_metric, errors_metric, fraction, json_number_only, non_negative, ns_metric,
    percentile_name, rate_metric, requests_metric,
};
use super::spec::{Detect, ParseError, Spec};
use crate::model::{Benchmark, Data, Metric, Run, RunMeta, Unit};

/// How `oha` is named, detected and read.
pub const SPEC: Spec = Spec {
    name: "oha",
    aliases: &[],
    reads: "oha --output-format json",
    detected_by: "JSON with `summary.requestsPerSec` and `latencyPercentiles`",
    detect: &[Detect::Json(looks_like_json)],
    parse,
};

/// True for oha's JSON summary (see the module documentation).
pub fn looks_like_json(v: &Value) -> bool {
    let summary = v
        .get("summary")
        .is_some_and(|s| s.get("requestsPerSec").is_some())
        && v.get("latencyPercentiles").is_some();
    let ci = v
        .get("metrics")
        .is_some_and(|m| m.get("requests_per_sec").is_some() && m.get("latency_ms").is_some());
    summary || ci
}

/// Parses oha's JSON output; see the module documentation.
pub fn parse(text: &str) -> Result<Run, ParseError> {
    let root = &json_object(
        text,
        "the oha output is empty: expected the JSON written by `oha --output-format json`",
        |v| {
            format!(
                "expected oha's JSON summary (an object with `summary`), found {}",
                kind_name(v)
            )
        },
    )?;
    let mut main = Benchmark::new("oha");
    match (root.get("summary"), root.get("metrics")) {
        (Some(Value::Object(summary)), _) => read_summary(root, summary, &mut main)?,
        (Some(other), _) => {
            return Err(ParseError::whole(format!(
                "`summary` must be an object, found {}",
                kind_name(other)
            )))
        }
        (None, Some(Value::Object(metrics))) => read_ci_metrics(metrics, &mut main)?,
        (None, _) => {
            return Err(ParseError::whole(
                "not an oha summary: expected a `summary` object (oha --output-format json)",
            ))
        }
    }
    let mut benchmarks = Vec::new();
    if !main.metrics.is_empty() {
        benchmarks.push(main);
    }
    let mut first_byte = Benchmark::new("oha first byte");
    if let Some(fb) = root.get("details").and_then(|d| d.get("firstByte")) {
        for (key, name) in [("average", "avg"), ("fastest", "min"), ("slowest", "max")] {
            let path = format!("details.firstByte.{key}");
            if let Some(v) = json_number_only(fb.get(key), &path)? {
                first_byte.push(ns_metric(name, non_negative(v, &path)? * S_TO_NS));
            }
        }
    }
    read_percentiles(root, "firstBytePercentiles", &mut first_byte)?;
    if !first_byte.metrics.is_empty() {
        benchmarks.push(first_byte);
    }
    if benchmarks.is_empty() {
        return Err(ParseError::whole(
            "the oha summary holds no numbers: every statistic is null or missing",
        ));
    }
    let meta = RunMeta {
        tool: Some("oha".to_string()),
        ..RunMeta::default()
    };
    Ok(Run::new(meta, benchmarks))
}

fn read_summary(
    root: &Map<String, Value>,
    summary: &Map<String, Value>,
    b: &mut Benchmark,
) -> Result<(), ParseError> {
    for (key, name) in [("average", "avg"), ("fastest", "min"), ("slowest", "max")] {
        let path = format!("summary.{key}");
        if let Some(v) = json_number_only(summary.get(key), &path)? {
            b.push(ns_metric(name, non_negative(v, &path)? * S_TO_NS));
        }
    }
    read_percentiles(root, "latencyPercentiles", b)?;
    let responses = sum_counts(root, "statusCodeDistribution", &[])?;
    let errors = sum_counts(root, "errorDistribution", &[DEADLINE])?;
    if responses.is_some() || errors.is_some() {
        let errors = errors.unwrap_or(0.0);
        b.push(requests_metric(responses.unwrap_or(0.0) + errors));
        b.push(errors_metric(errors));
    }
    if let Some(success) = json_number_only(summary.get("successRate"), "summary.successRate")? {
        b.push(error_rate(success, "summary.successRate")?);
    }
    if let Some(r) = json_number_only(summary.get("requestsPerSec"), "summary.requestsPerSec")? {
        b.push(rate_metric(r));
    }
    if let Some(t) = json_number_only(summary.get("sizePerSec"), "summary.sizePerSec")? {
        b.push(Metric::new(
            "throughput",
            Unit::BytesPerSecond,
            Data::Value(t),
        ));
    }
    Ok(())
}

/// The `metrics` block of newer oha releases (milliseconds, unlike the rest of the output).
fn read_ci_metrics(metrics: &Map<String, Value>, b: &mut Benchmark) -> Result<(), ParseError> {
    if let Some(lat) = metrics.get("latency_ms") {
        for (key, name) in [
            ("mean", "avg"),
            ("min", "min"),
            ("max", "max"),
            ("p50", "p(50)"),
            ("p95", "p(95)"),
            ("p99", "p(99)"),
        ] {
            let path = format!("metrics.latency_ms.{key}");
            if let Some(v) = json_number_only(lat.get(key), &path)? {
                b.push(ns_metric(name, non_negative(v, &path)? * MS_TO_NS));
            }
        }
    }
    if let Some(s) = json_number_only(metrics.get("success_rate"), "metrics.success_rate")? {
        b.push(error_rate(s, "metrics.success_rate")?);
    }
    if let Some(r) = json_number_only(metrics.get("requests_per_sec"), "metrics.requests_per_sec")?
    {
        b.push(rate_metric(r));
    }
    Ok(())
}

fn error_rate(success: f64, path: &str) -> Result<Metric, ParseError> {
    let success = fraction(success, &format!("`{path}`"), "a success rate")?;
    Ok(error_rate_metric(1.0 - success))
}

/// `{"p10": 0.0013, ..., "p99.99": 0.0142}` in seconds, in ascending order of percentile.
fn read_percentiles(
    root: &Map<String, Value>,
    key: &str,
    b: &mut Benchmark,
) -> Result<(), ParseError> {
    let obj = match root.get(key) {
        None | Some(Value::Null) => return Ok(()),
        Some(Value::Object(o)) => o,
        Some(other) => {
            return Err(ParseError::whole(format!(
                "`{key}` must be an object of percentiles, found {}",
                kind_name(other)
            )))
        }
    };
    let mut found: Vec<(f64, f64)> = Vec::new();
    for (k, v) in obj {
        let p = k
            .strip_prefix('p')
            .and_then(|n| n.parse::<f64>().ok())
            .filter(|p| (0.0..=100.0).contains(p))
            .ok_or_else(|| {
                ParseError::whole(format!(
                    "`{key}` has the key `{k}`; expected percentiles such as `p50` or `p99.9`"
                ))
            })?;
        let path = format!("{key}.{k}");
        if let Some(v) = json_number_only(Some(v), &path)? {
            found.push((p, non_negative(v, &path)? * S_TO_NS));
        }
    }
    found.sort_by(|a, b| a.0.total_cmp(&b.0));
    for (p, v) in found {
        b.push(ns_metric(&percentile_name(p), v));
    }
    Ok(())
}

/// The requests in flight when `-z <duration>` ran out, which oha cuts off and lists under
/// `errorDistribution` (one per connection, every run): not failures of the server, and not in
/// oha's own `successRate`.
const DEADLINE: &str = "aborted due to deadline";

/// The sum of a `{"<label>": <count>}` object `key`, leaving out the labels in `skip`; `None`
/// when the key is absent.
fn sum_counts(
    root: &Map<String, Value>,
    key: &str,
    skip: &[&str],
) -> Result<Option<f64>, ParseError> {
    let obj = match root.get(key) {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Object(o)) => o,
        Some(other) => {
            return Err(ParseError::whole(format!(
                "`{key}` must be an object of counts, found {}",
                kind_name(other)
            )))
        }
    };
    let mut total = 0.0;
    for (k, v) in obj.iter().filter(|(k, _)| !skip.contains(&k.as_str())) {
        let path = format!("{key}.{k}");
        match json_number_only(Some(v), &path)? {
            Some(n) if n >= 0.0 => total += n,
            Some(n) => {
                return Err(ParseError::whole(format!(
                    "`{path}` is {n}, but a count cannot be negative"
                )))
            }
            None => {}
        }
    }
    Ok(Some(total))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::test_support::{metric, value};
    use crate::model::Direction;

    /// Hand-made from oha's JSON Schema and `print_json` (no real sample exists).
    const HANDMADE: &str = include_str!("../../tests/fixtures/oha/oha-handmade.json");
    /// Hand-made: every request failed to connect, so latency statistics are null.
    const FAILED: &str = include_str!("../../tests/fixtures/oha/oha-all-failed-handmade.json");

    fn names(run: &Run, bench: &str) -> Vec<String> {
        run.benchmark(bench)
            .map(|b| b.metrics.iter().map(|m| m.name.clone()).collect())
            .unwrap_or_default()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= b.abs() * 1e-9
    }

    fn err(text: &str) -> String {
        parse(text).unwrap_err().to_string()
    }

    #[test]
    fn reads_summary_percentiles_counts_and_first_byte() {
        let run = parse(HANDMADE).unwrap();
        assert_eq!(run.meta.tool.as_deref(), Some("oha"));
        let all: Vec<&str> = run.benchmarks.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(all, ["oha", "oha first byte"]);
        assert_eq!(
            names(&run, "oha"),
            [
                "avg",
                "min",
                "max",
                "p(10)",
                "p(25)",
                "p(50)",
                "p(75)",
                "p(90)",
                "p(95)",
                "p(99)",
                "p(99.9)",
                "p(99.99)",
                "requests",
                "errors",
                "error_rate",
                "rate",
                "throughput"
            ]
        );
        assert!(close(value(&run, "oha", "avg"), 1_486_519.0));
        assert!(close(value(&run, "oha", "min"), 612_375.0));
        assert!(close(value(&run, "oha", "max"), 14_835_209.0));
        assert!(close(value(&run, "oha", "p(99.9)"), 7_096_125.0));
        assert!(close(value(&run, "oha", "p(99.99)"), 14_231_458.0));
        assert_eq!(metric(&run, "oha", "p(50)").unit, Unit::Nanoseconds);
        // 19990 x 200 and 10 x 503 responses, plus 3 connection errors.
        assert_eq!(value(&run, "oha", "requests"), 20003.0);
        assert_eq!(value(&run, "oha", "errors"), 3.0);
        assert!(close(value(&run, "oha", "error_rate"), 3.0 / 20003.0));
        assert!(close(value(&run, "oha", "rate"), 3365.2352073577645));
        assert!(close(value(&run, "oha", "throughput"), 6753014.109050676));
        assert_eq!(
            metric(&run, "oha", "requests").direction,
            Direction::HigherIsBetter
        );
        assert_eq!(
            metric(&run, "oha", "rate").direction,
            Direction::HigherIsBetter
        );
        assert_eq!(
            metric(&run, "oha", "error_rate").direction,
            Direction::LowerIsBetter
        );
        assert_eq!(metric(&run, "oha", "throughput").unit, Unit::BytesPerSecond);
        assert_eq!(names(&run, "oha first byte").len(), 3 + 9);
        assert!(close(value(&run, "oha first byte", "avg"), 1_472_000.0));
        assert!(close(value(&run, "oha first byte", "p(99)"), 1_998_000.0));
        insta::assert_json_snapshot!("oha_handmade", run);
    }

    #[test]
    fn keeps_counts_and_rates_when_nothing_succeeded() {
        let run = parse(FAILED).unwrap();
        let all: Vec<&str> = run.benchmarks.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(all, ["oha"]);
        assert_eq!(
            names(&run, "oha"),
            ["requests", "errors", "error_rate", "rate", "throughput"]
        );
        assert_eq!(value(&run, "oha", "requests"), 50.0);
        assert_eq!(value(&run, "oha", "errors"), 50.0);
        assert_eq!(value(&run, "oha", "error_rate"), 1.0);
        assert!(close(value(&run, "oha", "rate"), 24.98750624687656));
    }

    /// oha 1.16 with `-z 10s`, a real run (`tests/fixtures/reruns/quiet/oha`): the 10 requests in
    /// flight when the time ran out are listed as "aborted due to deadline", which oha's own
    /// success rate leaves out; they were counted as 10 errors in every healthy run, so a budget
    /// on errors failed every time.
    #[test]
    fn requests_cut_off_by_the_deadline_are_not_errors() {
        let text = include_str!("../../tests/fixtures/reruns/quiet/oha/run1.json");
        assert!(text.contains("\"aborted due to deadline\": 10"));
        let run = parse(text).unwrap();
        assert_eq!(value(&run, "oha", "errors"), 0.0);
        assert_eq!(value(&run, "oha", "error_rate"), 0.0);
        let responses: f64 = serde_json::from_str::<Value>(text).unwrap()["statusCodeDistribution"]
            .as_object()
            .unwrap()
            .values()
            .filter_map(Value::as_f64)
            .sum();
        assert_eq!(value(&run, "oha", "requests"), responses);
        // Any other error still counts.
        let other = text.replace(
            "\"aborted due to deadline\": 10",
            "\"connection refused\": 4",
        );
        assert_eq!(value(&parse(&other).unwrap(), "oha", "errors"), 4.0);
    }

    #[test]
    fn reads_the_ci_metrics_block_in_milliseconds_without_summary() {
        let run = parse(
            r#"{"metrics": {"success_rate": 0.99, "requests_per_sec": 1200.5,
                "latency_ms": {"min": 0.5, "mean": 1.25, "p50": 1.0, "p95": 3.0, "p99": 7.5, "max": 20}}}"#,
        )
        .unwrap();
        assert_eq!(
            names(&run, "oha"),
            [
                "avg",
                "min",
                "max",
                "p(50)",
                "p(95)",
                "p(99)",
                "error_rate",
                "rate"
            ]
        );
        assert_eq!(value(&run, "oha", "avg"), 1_250_000.0);
        assert_eq!(value(&run, "oha", "max"), 20_000_000.0);
        assert!(close(value(&run, "oha", "error_rate"), 0.01));
        assert_eq!(value(&run, "oha", "rate"), 1200.5);
    }

    #[test]
    fn fails_on_empty_truncated_and_wrong_shapes() {
        assert!(err("").contains("empty"));
        let cut = HANDMADE.get(..300).unwrap();
        let e = parse(cut).unwrap_err();
        assert!(e.line.is_some(), "{e:?}");
        assert!(err("[1]").contains("found an array"));
        assert!(err(r#"{"foo": 1}"#).contains("not an oha summary"));
        assert!(err(r#"{"summary": 3}"#).contains("`summary` must be an object"));
        assert!(err(r#"{"summary": {}}"#).contains("holds no numbers"));
    }

    #[test]
    fn fails_on_bad_numbers_naming_the_field() {
        let e = err(r#"{"summary": {"average": "fast"}, "latencyPercentiles": {}}"#);
        assert!(
            e.contains("`summary.average` must be a number, found the string `fast`"),
            "{e}"
        );
        let e = err(r#"{"summary": {"slowest": -1}}"#);
        assert!(e.contains("`summary.slowest` is -1"), "{e}");
        let e = err(r#"{"summary": {"successRate": 1.5}}"#);
        assert!(e.contains("fraction between 0 and 1"), "{e}");
        let e = err(r#"{"summary": {}, "latencyPercentiles": {"median": 1}}"#);
        assert!(e.contains("the key `median`"), "{e}");
        let e = err(r#"{"summary": {}, "latencyPercentiles": [1]}"#);
        assert!(e.contains("must be an object of percentiles"), "{e}");
        let e = err(r#"{"summary": {}, "statusCodeDistribution": {"200": true}}"#);
        assert!(
            e.contains("`statusCodeDistribution.200` must be a number"),
            "{e}"
        );
        let e = err(r#"{"summary": {}, "errorDistribution": {"x": -2}}"#);
        assert!(e.contains("cannot be negative"), "{e}");
    }

    #[test]
    fn fails_on_a_number_written_as_a_string() {
        // oha writes JSON numbers only: "12" is a wrong type, not a success rate of 12.
        let text = HANDMADE.replacen(
            "\"successRate\": 0.9998500224966255",
            "\"successRate\": \"12\"",
            1,
        );
        assert_eq!(
            err(&text),
            "`summary.successRate` must be a number, found the string `12`"
        );
        let text = HANDMADE.replacen("\"503\": 10", "\"503\": \"10\"", 1);
        assert_eq!(
            err(&text),
            "`statusCodeDistribution.503` must be a number, found the string `10`"
        );
    }

    #[test]
    fn detects_oha_json_but_not_other_load_test_json() {
        let v = |t: &str| serde_json::from_str::<Value>(t).unwrap();
        assert!(looks_like_json(&v(HANDMADE)));
        assert!(looks_like_json(&v(FAILED)));
        assert!(looks_like_json(&v(
            r#"{"metrics": {"requests_per_sec": 1, "latency_ms": {}}}"#
        )));
        for other in [
            include_str!("../../tests/fixtures/autocannon/autocannon-example-result.json"),
            include_str!("../../tests/fixtures/artillery/artillery2-sawady-report.json"),
            include_str!("../../tests/fixtures/artillery/artillery1-2016-error-report.json"),
            include_str!("../../tests/fixtures/k6/circleci-orb-summary.json"),
        ] {
            assert!(!looks_like_json(&v(other)));
        }
    }
}
