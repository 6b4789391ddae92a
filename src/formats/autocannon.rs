//! autocannon (mcollina/autocannon) results: `autocannon --json <url>` (one JSON object on stdout)
//! or the object its programmatic API returns. Three summarised HdrHistograms, `latency` (ms per
//! response), `requests` (responses per second) and `throughput` (bytes per second), plus counters
//! (`errors`, `timeouts`, `non2xx`, `1xx`...`5xx`, `statusCodeStats`).
//!
//! The run is one benchmark named by its `url` (else `socketPath`, `title`, or `autocannon`):
//! `avg` (latency mean), `min`, `max`, `p(2.5)` ... `p(99.999)` (every `pN_M` key present from 2.5
//! up; ms -> ns); `rate` = `requests.average` (responses per second, higher is better);
//! `throughput` = `throughput.average` (B/s); `requests` = `requests.total` (responses received);
//! `errors` = `errors`, which already includes `timeouts` (autocannon's `onTimeout` increments both
//! counters, so they are not added); `error_rate` = (`errors` + `non2xx`) / (`requests.total` +
//! `errors`), the failed share of all attempts, when anything was attempted. `non2xx` is recomputed
//! from `statusCodeStats` (counts may be strings) when absent. `start` is the run's timestamp;
//! `title`, `connections`, `pipelining`, `workers` and `duration` go into the environment.
//!
//! autocannon writes its JSON with `JSON.stringify`, which turns NaN into `null`. Latency statistics
//! may be NaN (older releases reported NaN latencies when no response was 2xx, autocannon issue
//! #127), so a `null` there is "no value"; the counters, `requests.average` and
//! `throughput.average` are always numbers, and a `null` among them is an error naming the field.
//!
//! Detection: a JSON object whose `latency`, `requests` and `throughput` are objects, with
//! `latency` holding `p2_5` or `p97_5`.

use serde_json::{Map, Value};

use super::common::json::{json_object, kind_name};
use super::common::MS_TO_NS;
use super::load::{
    error_rate_metric, errors_metric, json_number, non_negative, ns_metric, percentile_name,
    rate_metric, requests_metric, required_number,
};
use super::spec::{Detect, ParseError, Spec};
use crate::model::{Benchmark, Data, Environment, Metric, Run, RunMeta, Unit};

/// How `autocannon` is named, detected and read.
pub const SPEC: Spec = Spec {
    name: "autocannon",
    aliases: &[],
    reads: "autocannon --json",
    detected_by: "JSON with `latency`, `requests`, `throughput` objects holding `p2_5`/`p97_5`",
    detect: &[Detect::Json(looks_like_json)],
    parse,
};

/// True for autocannon's result object (see the module documentation).
pub fn looks_like_json(v: &Value) -> bool {
    let is_obj = |k: &str| v.get(k).is_some_and(Value::is_object);
    is_obj("latency")
        && is_obj("requests")
        && is_obj("throughput")
        && v.get("latency")
            .is_some_and(|l| l.get("p2_5").is_some() || l.get("p97_5").is_some())
}

/// Parses autocannon's JSON result; see the module documentation.
pub fn parse(text: &str) -> Result<Run, ParseError> {
    let root = &json_object(
        text,
        "the autocannon output is empty: expected the JSON written by `autocannon --json`",
        |v| {
            format!("expected autocannon's result (a JSON object with `latency`, `requests` and `throughput`), found {}", kind_name(v))
        },
    )?;
    let latency = section(root, "latency")?;
    let requests = section(root, "requests")?;
    let throughput = section(root, "throughput")?;
    if latency.is_none() && requests.is_none() {
        return Err(ParseError::whole(
            "not an autocannon result: expected `latency` and `requests` objects (autocannon --json)",
        ));
    }
    let name = ["url", "socketPath", "title"]
        .iter()
        .find_map(|k| {
            root.get(*k)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
        })
        .unwrap_or("autocannon");
    let mut b = Benchmark::new(name);

    if let Some(lat) = latency {
        // Latency statistics may be NaN, written as null (see the module documentation).
        let mean = match json_number(lat.get("mean"), "latency.mean")? {
            Some(v) => Some(v),
            None => json_number(lat.get("average"), "latency.average")?,
        };
        for (name, v) in [
            ("avg", mean),
            ("min", json_number(lat.get("min"), "latency.min")?),
            ("max", json_number(lat.get("max"), "latency.max")?),
        ] {
            if let Some(v) = v {
                b.push(ns_metric(
                    name,
                    non_negative(v, &format!("latency.{name}"))? * MS_TO_NS,
                ));
            }
        }
        let mut percentiles: Vec<(f64, f64)> = Vec::new();
        for (key, v) in lat {
            let Some(p) = percentile_key(key) else {
                continue;
            };
            if p < 2.5 {
                continue;
            }
            let path = format!("latency.{key}");
            if let Some(v) = json_number(Some(v), &path)? {
                percentiles.push((p, non_negative(v, &path)? * MS_TO_NS));
            }
        }
        percentiles.sort_by(|a, b| a.0.total_cmp(&b.0));
        for (p, v) in percentiles {
            b.push(ns_metric(&percentile_name(p), v));
        }
    }

    let total = match requests {
        Some(r) => required_number(r.get("total"), "requests.total")?,
        None => None,
    };
    let errors = required_number(root.get("errors"), "errors")?;
    let non2xx = match required_number(root.get("non2xx"), "non2xx")? {
        Some(n) => Some(n),
        None => non2xx_from_stats(root)?,
    };
    if let Some(total) = total {
        b.push(requests_metric(total));
    }
    if let Some(e) = errors {
        b.push(errors_metric(e));
    }
    if let Some(total) = total {
        let failed = errors.unwrap_or(0.0) + non2xx.unwrap_or(0.0);
        let attempts = total + errors.unwrap_or(0.0);
        if attempts > 0.0 {
            b.push(error_rate_metric((failed / attempts).clamp(0.0, 1.0)));
        }
    }
    if let Some(r) = requests {
        if let Some(v) = required_number(r.get("average"), "requests.average")? {
            b.push(rate_metric(v));
        }
    }
    if let Some(t) = throughput {
        if let Some(v) = required_number(t.get("average"), "throughput.average")? {
            b.push(Metric::new(
                "throughput",
                Unit::BytesPerSecond,
                Data::Value(v),
            ));
        }
    }
    if b.metrics.is_empty() {
        return Err(ParseError::whole(
            "the autocannon result holds no numbers: `latency`, `requests` and `throughput` are empty",
        ));
    }

    let mut env = Environment::default();
    for key in ["title", "connections", "pipelining", "workers", "duration"] {
        match root.get(key) {
            Some(Value::String(s)) if !s.is_empty() => {
                env.extra.insert(key.to_string(), s.clone());
            }
            Some(Value::Number(n)) => {
                env.extra.insert(key.to_string(), n.to_string());
            }
            _ => {}
        }
    }
    let meta = RunMeta {
        tool: Some("autocannon".to_string()),
        timestamp: root
            .get("start")
            .and_then(Value::as_str)
            .map(str::to_string),
        environment: env,
        ..RunMeta::default()
    };
    Ok(Run::new(meta, vec![b]))
}

fn section<'a>(
    root: &'a Map<String, Value>,
    key: &str,
) -> Result<Option<&'a Map<String, Value>>, ParseError> {
    match root.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(o)) => Ok(Some(o)),
        Some(other) => Err(ParseError::whole(format!(
            "`{key}` must be an object of statistics, found {}",
            kind_name(other)
        ))),
    }
}

/// `p97_5` -> 97.5, `p99_999` -> 99.999, `p50` -> 50.
fn percentile_key(key: &str) -> Option<f64> {
    let digits = key.strip_prefix('p')?;
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit() || c == '_') {
        return None;
    }
    digits
        .replacen('_', ".", 1)
        .parse::<f64>()
        .ok()
        .filter(|p| (0.0..=100.0).contains(p))
}

/// Responses whose status is not 2xx, summed from `statusCodeStats{"<code>": {"count": n}}`.
fn non2xx_from_stats(root: &Map<String, Value>) -> Result<Option<f64>, ParseError> {
    let Some(Value::Object(stats)) = root.get("statusCodeStats") else {
        return Ok(None);
    };
    let mut n = 0.0;
    for (code, v) in stats {
        if code.starts_with('2') {
            continue;
        }
        let path = format!("statusCodeStats.{code}.count");
        n += required_number(v.get("count"), &path)?.unwrap_or(0.0);
    }
    Ok(Some(n))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::test_support::{metric, value};
    use crate::model::Direction;

    const EXAMPLE: &str =
        include_str!("../../tests/fixtures/autocannon/autocannon-example-result.json");

    fn err(text: &str) -> String {
        parse(text).unwrap_err().to_string()
    }

    const URL: &str = "https://httpbin.org/get";

    #[test]
    fn reads_the_example_result_with_crlf_and_string_counts() {
        let run = parse(EXAMPLE).unwrap();
        assert_eq!(run.meta.tool.as_deref(), Some("autocannon"));
        assert_eq!(
            run.meta.timestamp.as_deref(),
            Some("2020-11-06T09:38:31.027Z")
        );
        let extra = &run.meta.environment.extra;
        assert_eq!(
            extra.get("title").map(String::as_str),
            Some("example result")
        );
        assert_eq!(extra.get("connections").map(String::as_str), Some("40"));
        assert_eq!(extra.get("pipelining").map(String::as_str), Some("1"));
        assert_eq!(extra.get("duration").map(String::as_str), Some("2.06"));
        assert_eq!(run.benchmarks.len(), 1);
        let names: Vec<&str> = run
            .benchmark(URL)
            .unwrap()
            .metrics
            .iter()
            .map(|m| m.name.as_str())
            .collect();
        assert_eq!(
            names,
            [
                "avg",
                "min",
                "max",
                "p(2.5)",
                "p(10)",
                "p(25)",
                "p(50)",
                "p(75)",
                "p(90)",
                "p(97.5)",
                "p(99)",
                "p(99.9)",
                "p(99.99)",
                "p(99.999)",
                "requests",
                "errors",
                "error_rate",
                "rate",
                "throughput"
            ]
        );
        assert_eq!(value(&run, URL, "avg"), 100.1e6);
        assert_eq!(value(&run, URL, "min"), 47e6);
        assert_eq!(value(&run, URL, "max"), 424e6);
        assert_eq!(value(&run, URL, "p(2.5)"), 55e6);
        assert_eq!(value(&run, URL, "p(97.5)"), 378e6);
        assert_eq!(value(&run, URL, "p(99.999)"), 424e6);
        assert_eq!(metric(&run, URL, "p(50)").unit, Unit::Nanoseconds);
        assert_eq!(value(&run, URL, "requests"), 500.0);
        assert_eq!(value(&run, URL, "errors"), 0.0);
        assert_eq!(value(&run, URL, "error_rate"), 0.0);
        assert_eq!(value(&run, URL, "rate"), 250.0);
        assert_eq!(value(&run, URL, "throughput"), 52468.0);
        assert_eq!(metric(&run, URL, "throughput").unit, Unit::BytesPerSecond);
        assert_eq!(
            metric(&run, URL, "requests").direction,
            Direction::HigherIsBetter
        );
        assert_eq!(
            metric(&run, URL, "rate").direction,
            Direction::HigherIsBetter
        );
        assert_eq!(
            metric(&run, URL, "errors").direction,
            Direction::LowerIsBetter
        );
        assert_eq!(
            metric(&run, URL, "error_rate").direction,
            Direction::LowerIsBetter
        );
        insta::assert_json_snapshot!("autocannon_example", run);
    }

    #[test]
    fn counts_errors_once_and_non_2xx_from_status_code_stats() {
        // 8 errors, 3 of them timeouts (autocannon counts a timeout in both); no `non2xx` key,
        // so the 401 and 503 counts (given as strings) are summed from statusCodeStats.
        let run = parse(
            r#"{"url": "http://localhost:3000", "errors": 8, "timeouts": 3,
                "latency": {"mean": 2, "p2_5": 1, "p97_5": 4},
                "requests": {"average": 90.5, "total": 92},
                "throughput": {"average": 1000},
                "statusCodeStats": {"200": {"count": "80"}, "401": {"count": "10"}, "503": {"count": 2}}}"#,
        )
        .unwrap();
        let b = "http://localhost:3000";
        assert_eq!(value(&run, b, "errors"), 8.0);
        assert_eq!(value(&run, b, "requests"), 92.0);
        assert_eq!(value(&run, b, "error_rate"), (8.0 + 12.0) / (92.0 + 8.0));
        assert_eq!(value(&run, b, "rate"), 90.5);
    }

    #[test]
    fn names_the_run_by_socket_path_title_or_tool() {
        let body =
            r#""latency": {"mean": 2, "p2_5": 1}, "requests": {"total": 1}, "throughput": {}"#;
        let run = parse(&format!(r#"{{"socketPath": "/tmp/s.sock", {body}}}"#)).unwrap();
        assert_eq!(run.benchmarks[0].name, "/tmp/s.sock");
        let run = parse(&format!(r#"{{"title": "home page", {body}}}"#)).unwrap();
        assert_eq!(run.benchmarks[0].name, "home page");
        let run = parse(&format!(r#"{{{body}}}"#)).unwrap();
        assert_eq!(run.benchmarks[0].name, "autocannon");
    }

    #[test]
    fn fails_on_empty_truncated_and_wrong_shapes() {
        assert!(err("").contains("empty"));
        let cut = EXAMPLE.get(..400).unwrap();
        let e = parse(cut).unwrap_err();
        assert!(e.line.is_some(), "{e:?}");
        assert!(err("[]").contains("found an array"));
        assert!(err(r#"{"url": "x"}"#).contains("not an autocannon result"));
        assert!(err(r#"{"latency": [1], "requests": {}}"#).contains("`latency` must be an object"));
        assert!(err(r#"{"latency": {}, "requests": {}}"#).contains("holds no numbers"));
    }

    #[test]
    fn fails_on_bad_numbers_naming_the_field() {
        let e = err(r#"{"latency": {"mean": "slow"}, "requests": {}}"#);
        assert!(
            e.contains("`latency.mean` must be a number, found the string `slow`"),
            "{e}"
        );
        let e = err(r#"{"latency": {"p99": -3}, "requests": {}}"#);
        assert!(e.contains("`latency.p99` is -3"), "{e}");
        let e = err(r#"{"latency": {}, "requests": {"total": [5]}}"#);
        assert!(
            e.contains("`requests.total` must be a number, found an array"),
            "{e}"
        );
        let e = err(
            r#"{"latency": {}, "requests": {"total": 5}, "statusCodeStats": {"500": {"count": "many"}}}"#,
        );
        assert!(e.contains("`statusCodeStats.500.count`"), "{e}");
    }

    #[test]
    fn fails_on_a_null_count_or_rate_but_not_on_a_null_latency() {
        let with = |path: &[&str]| {
            let mut v: Value = serde_json::from_str(EXAMPLE).unwrap();
            let mut at = &mut v;
            for key in path {
                at = &mut at[*key];
            }
            *at = Value::Null;
            v.to_string()
        };
        assert_eq!(
            err(&with(&["requests", "average"])),
            "`requests.average` is null or NaN: expected a number"
        );
        for (path, field) in [
            (&["requests", "total"][..], "`requests.total`"),
            (&["throughput", "average"][..], "`throughput.average`"),
            (&["errors"][..], "`errors`"),
            (&["non2xx"][..], "`non2xx`"),
        ] {
            let e = err(&with(path));
            assert!(e.contains(&format!("{field} is null")), "{e}");
        }
        // NaN latencies (written as null) are no value, as autocannon means them.
        let run = parse(&with(&["latency", "p99"])).unwrap();
        let b = run.benchmark(URL).unwrap();
        assert!(b.metric("p(99)").is_none());
        assert_eq!(value(&run, URL, "p(97.5)"), 378e6);
        assert_eq!(value(&run, URL, "rate"), 250.0);
    }

    #[test]
    fn detects_autocannon_but_not_other_load_test_json() {
        let v = |t: &str| serde_json::from_str::<Value>(t).unwrap();
        assert!(looks_like_json(&v(EXAMPLE)));
        for other in [
            include_str!("../../tests/fixtures/oha/oha-handmade.json"),
            include_str!("../../tests/fixtures/artillery/artillery2-sawady-report.json"),
            include_str!("../../tests/fixtures/artillery/artillery1-interledger-report.json"),
            include_str!("../../tests/fixtures/k6/circleci-orb-summary.json"),
        ] {
            assert!(!looks_like_json(&v(other)));
        }
    }
}
