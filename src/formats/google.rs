//! Google Benchmark JSON: what a benchmark binary writes with `--benchmark_format=json` or
//! `--benchmark_out=<file> --benchmark_out_format=json`: `{"context": {...}, "benchmarks": [rows]}`.
//! The file is not strict JSON: NaN and infinities are written bare (`NaN`, `-Infinity`), so it is
//! read with [`lenient_json`] and those numbers count as "no value".
//!
//! Detection ([`looks_like_json`]): an object with a `context` object and a `benchmarks` array
//! whose items are objects with `name` and `run_type`, `real_time` or `time_unit`.
//!
//! Rows are grouped by `run_name` (by `name` without its aggregate suffix in files too old to have
//! one), and each group is one benchmark named by that run name (`BM_Copy/8/threads:2`).
//! Repetitions (`--benchmark_repetitions=N`) are N `iteration` rows of one group: their
//! `real_time` becomes the samples of `time` and their `cpu_time` those of `cpu_time`, both per
//! iteration and converted from `time_unit` to nanoseconds. The aggregate rows that follow them
//! (`_mean`, `_median`, `_stddev`, `_cv`, user statistics, and the `_BigO`/`_RMS` rows of complexity
//! reports) summarise the same repetitions and are ignored, so nothing is counted twice. When a
//! group has only aggregates (`--benchmark_report_aggregates_only`), its `_median` row (else its
//! `_mean` row) gives one value per metric. Errored and skipped rows are left out.
//!
//! User counters are the numeric keys a row has beyond Google Benchmark's own:
//! `bytes_per_second` becomes `throughput` (B/s) and `items_per_second` stays `items_per_second`
//! (/s), both better higher; memory-manager keys become `allocs` (`allocs_per_iter`) and sizes in
//! bytes (`max_bytes_used`, `total_allocated_bytes`, `net_heap_growth`); any other counter keeps its
//! name as a count, better lower.
//!
//! `context` fills the environment: `num_cpus` as cores, and `host_name`, `executable`,
//! `mhz_per_cpu`, `cpu_scaling_enabled`, `library_version` and `library_build_type` as extras.
//! A `library_build_type` of `debug` means the numbers measure an unoptimised library; such runs
//! should be refused or flagged by configuration later (the parser only records it).

use serde_json::{Map, Value};

use super::common::json::{
    array_field, copy_fields, item_lines, json_document, kind_of, object_or,
};
use super::spec::{Detect, ParseError, Spec};
use crate::model::{Benchmark, Data, Direction, Environment, Metric, Run, RunMeta, Unit};

/// How `google-benchmark` is named, detected and read.
pub const SPEC: Spec = Spec {
    name: "google-benchmark",
    aliases: &["googlecpp", "google"],
    reads: "Google Benchmark --benchmark_format=json / --benchmark_out",
    detected_by: "JSON object with `context` and `benchmarks[]` rows holding `run_type`, `real_time` or `time_unit`",
    detect: &[Detect::Json(looks_like_json)],
    parse,
};

/// Keys Google Benchmark writes itself; every other numeric key of a row is a user counter.
const OWN_KEYS: &[&str] = &[
    "name",
    "family_index",
    "per_family_instance_index",
    "run_name",
    "run_type",
    "repetitions",
    "repetition_index",
    "threads",
    "iterations",
    "real_time",
    "cpu_time",
    "time_unit",
    "aggregate_name",
    "aggregate_unit",
    "label",
    "error_occurred",
    "error_message",
    "skipped",
    "skip_message",
    "big_o",
    "cpu_coefficient",
    "real_coefficient",
    "rms",
];

/// Name suffixes of aggregate rows in files without `run_type`.
const AGGREGATE_SUFFIXES: &[&str] = &["_mean", "_median", "_stddev", "_cv", "_BigO", "_RMS"];

/// True for a Google Benchmark file: an object with `context` and `benchmarks[]` rows that have a
/// `name` and one of `run_type`, `real_time`, `time_unit`.
pub fn looks_like_json(v: &Value) -> bool {
    let Value::Object(o) = v else { return false };
    if !o.get("context").is_some_and(Value::is_object) {
        return false;
    }
    match o.get("benchmarks") {
        Some(Value::Array(rows)) => {
            !rows.is_empty()
                && rows.iter().all(|r| {
                    r.get("name").is_some()
                        && ["run_type", "real_time", "time_unit"]
                            .iter()
                            .any(|k| r.get(*k).is_some())
                })
        }
        _ => false,
    }
}

/// One row, read.
struct Row {
    group: String,
    aggregate: Option<String>,
    metrics: Vec<Metric>,
}

/// Parses Google Benchmark JSON; see the module documentation.
pub fn parse(text: &str) -> Result<Run, ParseError> {
    let (text, doc) = json_document(
        text,
        "the Google Benchmark file is empty: expected the JSON written by `--benchmark_format=json` or `--benchmark_out=<file>`",
    )?;
    let (root, rows) = array_field(
        &doc,
        "benchmarks",
        "a Google Benchmark JSON object with `context` and `benchmarks`",
        "result rows",
        "not a Google Benchmark file: the object has no `benchmarks` array",
    )?;
    let lines = item_lines(text, Some("benchmarks"));
    let mut read = Vec::new();
    let mut left_out = 0usize;
    for (i, row) in rows.iter().enumerate() {
        match read_row(i, row).map_err(|m| ParseError::new(lines.get(i).copied(), m))? {
            Some(r) => read.push(r),
            None => left_out += 1,
        }
    }

    // Groups in order of first appearance.
    let mut groups: Vec<&str> = Vec::new();
    for r in &read {
        if !groups.contains(&r.group.as_str()) {
            groups.push(&r.group);
        }
    }
    let mut benchmarks = Vec::new();
    for g in groups {
        let members: Vec<&Row> = read.iter().filter(|r| r.group == g).collect();
        let iterations: Vec<&Row> = members
            .iter()
            .copied()
            .filter(|r| r.aggregate.is_none())
            .collect();
        let chosen: Vec<&Row> = if iterations.is_empty() {
            let pick = |name: &str| {
                members
                    .iter()
                    .copied()
                    .find(|r| r.aggregate.as_deref() == Some(name))
            };
            pick("median")
                .or_else(|| pick("mean"))
                .into_iter()
                .collect()
        } else {
            iterations
        };
        let mut b = Benchmark::new(g);
        for r in chosen {
            for m in &r.metrics {
                b.push(m.clone());
            }
        }
        if !b.metrics.is_empty() {
            benchmarks.push(b);
        }
    }
    if benchmarks.is_empty() {
        return Err(ParseError::whole(if left_out > 0 {
            format!(
                "the Google Benchmark file has no usable results: all {left_out} rows errored, were skipped or have no time"
            )
        } else {
            "the Google Benchmark file has no results: `benchmarks` is empty or holds only statistics other than median and mean".to_string()
        }));
    }
    Ok(Run::new(read_meta(root), benchmarks))
}

/// Reads one row; `Ok(None)` for rows left out (errored, skipped, or without `real_time`).
fn read_row(i: usize, row: &Value) -> Result<Option<Row>, String> {
    let o = object_or(row, |kind| {
        format!("`benchmarks[{i}]`: expected a result row object, found {kind}")
    })?;
    let name = match o.get("name") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim(),
        Some(Value::String(_)) | None => return Err(format!("`benchmarks[{i}]` has no `name`")),
        Some(other) => {
            return Err(format!(
                "`benchmarks[{i}].name` must be a string, found {}",
                kind_of(other)
            ))
        }
    };
    if truthy(o.get("error_occurred")) || truthy(o.get("skipped")) {
        return Ok(None);
    }
    if !o.contains_key("real_time") {
        // Complexity rows (`_BigO`, `_RMS`) and anything else without a time.
        return Ok(None);
    }
    let run_type = o.get("run_type").and_then(Value::as_str);
    let suffix = AGGREGATE_SUFFIXES
        .iter()
        .find_map(|s| name.strip_suffix(s).map(|base| (base, &s[1..])));
    let aggregate = match run_type {
        Some("aggregate") => Some(
            o.get("aggregate_name")
                .and_then(Value::as_str)
                .map(str::to_string)
                .or_else(|| suffix.map(|(_, s)| s.to_string()))
                .unwrap_or_default(),
        ),
        Some(_) => None,
        None => suffix.map(|(_, s)| s.to_string()),
    };
    let group = match o.get("run_name").and_then(Value::as_str) {
        Some(r) if !r.trim().is_empty() => r.trim().to_string(),
        _ => match (&aggregate, suffix) {
            (Some(_), Some((base, _))) => base.to_string(),
            _ => name.to_string(),
        },
    };

    let unit_text = match o.get("time_unit") {
        Some(Value::String(u)) => u.as_str(),
        None => "ns",
        Some(other) => {
            return Err(format!(
                "`{name}`: `time_unit` must be a string such as \"ns\", found {}",
                kind_of(other)
            ))
        }
    };
    let (unit, factor) = Unit::parse(unit_text);
    if unit != Unit::Nanoseconds {
        return Err(format!(
            "`{name}`: unknown `time_unit` \"{unit_text}\"; expected ns, us, ms or s"
        ));
    }
    let mut metrics = Vec::new();
    for (key, metric) in [("real_time", "time"), ("cpu_time", "cpu_time")] {
        if let Some(v) = number(name, o, key)? {
            let ns = v * factor;
            if ns < 0.0 {
                return Err(format!("`{name}`: `{key}` is negative ({v} {unit_text})"));
            }
            metrics.push(Metric::new(metric, Unit::Nanoseconds, Data::Value(ns)));
        }
    }
    for (key, value) in o {
        if OWN_KEYS.contains(&key.as_str()) || !value.is_number() {
            continue;
        }
        let Some(v) = number(name, o, key)? else {
            continue;
        };
        metrics.push(counter(key, v));
    }
    Ok(Some(Row {
        group,
        aggregate,
        metrics,
    }))
}

fn counter(key: &str, v: f64) -> Metric {
    match key {
        "bytes_per_second" => Metric::new("throughput", Unit::BytesPerSecond, Data::Value(v)),
        "items_per_second" => Metric::new("items_per_second", Unit::PerSecond, Data::Value(v)),
        "allocs_per_iter" => Metric::new("allocs", Unit::Count, Data::Value(v)),
        "max_bytes_used" | "total_allocated_bytes" | "net_heap_growth" => {
            Metric::new(key, Unit::Bytes, Data::Value(v))
        }
        // Counters flagged `kIsRate` are not marked as such in the JSON; the name is all there is.
        _ if key.ends_with("_per_second") => Metric::new(key, Unit::PerSecond, Data::Value(v))
            .with_direction(Direction::HigherIsBetter),
        _ => Metric::new(key, Unit::Count, Data::Value(v)),
    }
}

/// A numeric field: `None` when absent, null (a bare NaN/Infinity) or not finite.
fn number(name: &str, o: &Map<String, Value>, key: &str) -> Result<Option<f64>, String> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => Ok(n.as_f64().filter(|v| v.is_finite())),
        Some(other) => Err(format!(
            "`{name}`: `{key}` must be a number, found {}",
            kind_of(other)
        )),
    }
}

fn truthy(v: Option<&Value>) -> bool {
    match v {
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_f64().is_some_and(|x| x != 0.0),
        _ => false,
    }
}

fn read_meta(root: &Map<String, Value>) -> RunMeta {
    let mut env = Environment::default();
    let mut timestamp = None;
    if let Some(Value::Object(c)) = root.get("context") {
        env.cores = c
            .get("num_cpus")
            .and_then(Value::as_u64)
            .and_then(|n| u32::try_from(n).ok());
        if let Some(date) = c.get("date").and_then(Value::as_str) {
            // Newer versions write RFC 3339; older ones a local time without a zone, which is no
            // usable timestamp but is kept for people.
            if is_rfc3339(date) {
                timestamp = Some(date.to_string());
            } else {
                env.extra.insert("date".to_string(), date.to_string());
            }
        }
        copy_fields(
            c,
            &[
                ("host_name", "host"),
                ("executable", "executable"),
                ("mhz_per_cpu", "mhz_per_cpu"),
                ("cpu_scaling_enabled", "cpu_scaling_enabled"),
                ("library_version", "library_version"),
                ("library_build_type", "library_build_type"),
            ],
            &mut env.extra,
        );
    }
    RunMeta {
        tool: Some("google-benchmark".to_string()),
        timestamp,
        environment: env,
        ..RunMeta::default()
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.f](Z|±HH:MM)`, checked by shape only.
fn is_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| {
        b.get(r)
            .is_some_and(|x| !x.is_empty() && x.iter().all(u8::is_ascii_digit))
    };
    let at = |i: usize, c: u8| b.get(i) == Some(&c);
    let head = digits(0..4)
        && at(4, b'-')
        && digits(5..7)
        && at(7, b'-')
        && digits(8..10)
        && (at(10, b'T') || at(10, b't'))
        && digits(11..13)
        && at(13, b':')
        && digits(14..16)
        && at(16, b':')
        && digits(17..19);
    let tail = s.get(19..).unwrap_or("");
    let tail = tail
        .strip_prefix('.')
        .map_or(tail, |t| t.trim_start_matches(|c: char| c.is_ascii_digit()));
    let zone = tail == "Z"
        || tail == "z"
        || (tail.len() == 6
            && (tail.starts_with('+') || tail.starts_with('-'))
            && tail.as_bytes().get(3) == Some(&b':'));
    head && zone
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::common::json::lenient_json;
    use crate::formats::test_support::metric;

    const GOOGLECPP: &str = include_str!("../../tests/fixtures/google/googlecpp_output.json");
    const AGGREGATES_ONLY: &str =
        include_str!("../../tests/fixtures/google/solution_benchmark.json");

    fn names(b: &Benchmark) -> Vec<&str> {
        b.metrics.iter().map(|m| m.name.as_str()).collect()
    }

    fn err(text: &str) -> ParseError {
        parse(text).unwrap_err()
    }

    /// Rows with repetitions, aggregates, counters, an errored row and a complexity report, in the
    /// layout of Google Benchmark v1.8 (hand-written from the library's JSON reporter).
    const REPETITIONS: &str = r#"{
      "context": {"date": "2024-03-01T10:00:00+01:00", "host_name": "ci", "num_cpus": 4,
                  "library_build_type": "debug", "caches": []},
      "benchmarks": [
        {"name": "BM_Copy/8", "run_name": "BM_Copy/8", "run_type": "iteration", "repetitions": 3,
         "repetition_index": 0, "threads": 1, "iterations": 100, "real_time": 1.5, "cpu_time": 1.25,
         "time_unit": "us", "bytes_per_second": 5.0e6, "items_per_second": 100.0, "foo": 3},
        {"name": "BM_Copy/8", "run_name": "BM_Copy/8", "run_type": "iteration", "repetitions": 3,
         "repetition_index": 1, "threads": 1, "iterations": 100, "real_time": 2.0, "cpu_time": 1.75,
         "time_unit": "us", "bytes_per_second": 4.0e6, "items_per_second": 90.0, "foo": 4},
        {"name": "BM_Copy/8", "run_name": "BM_Copy/8", "run_type": "iteration", "repetitions": 3,
         "repetition_index": 2, "threads": 1, "iterations": 100, "real_time": 2.5, "cpu_time": NaN,
         "time_unit": "us", "bytes_per_second": 3.0e6, "items_per_second": 80.0, "foo": 5},
        {"name": "BM_Copy/8_mean", "run_name": "BM_Copy/8", "run_type": "aggregate",
         "aggregate_name": "mean", "aggregate_unit": "time", "iterations": 3, "real_time": 2.0,
         "cpu_time": 1.5, "time_unit": "us"},
        {"name": "BM_Copy/8_cv", "run_name": "BM_Copy/8", "run_type": "aggregate",
         "aggregate_name": "cv", "aggregate_unit": "percentage", "iterations": 3,
         "real_time": 0.2, "cpu_time": 0.2, "time_unit": "us"},
        {"name": "BM_Fail", "run_name": "BM_Fail", "run_type": "iteration", "error_occurred": true,
         "error_message": "boom", "iterations": 0, "real_time": 0, "cpu_time": 0, "time_unit": "ns"},
        {"name": "BM_Sort/1024", "run_name": "BM_Sort/1024", "run_type": "iteration",
         "iterations": 10, "real_time": 3.0, "cpu_time": 3.0, "time_unit": "ms"},
        {"name": "BM_Sort_BigO", "run_name": "BM_Sort", "run_type": "aggregate",
         "aggregate_name": "BigO", "cpu_coefficient": 1.0, "real_coefficient": 1.0,
         "big_o": "NlgN", "time_unit": "ms"},
        {"name": "BM_Sort_RMS", "run_name": "BM_Sort", "run_type": "aggregate",
         "aggregate_name": "RMS", "rms": 0.01}
      ]
    }"#;

    #[test]
    fn reads_single_iteration_rows_in_nanoseconds() {
        let run = parse(GOOGLECPP).unwrap();
        let all: Vec<&str> = run.benchmarks.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(all, ["fib_10", "fib_20"]);
        let t = metric(&run, "fib_10", "time");
        assert_eq!(t.unit, Unit::Nanoseconds);
        assert_eq!(t.direction, Direction::LowerIsBetter);
        assert_eq!(t.data, Data::Value(2.1498980114547953e+02));
        assert_eq!(
            metric(&run, "fib_20", "cpu_time").data,
            Data::Value(27364.90320427236)
        );
        assert_eq!(
            names(run.benchmark("fib_20").unwrap()),
            ["time", "cpu_time"]
        );
        assert_eq!(run.metric_count(), 4);
    }

    #[test]
    fn reads_the_2019_context_into_metadata() {
        let run = parse(GOOGLECPP).unwrap();
        let m = &run.meta;
        assert_eq!(m.tool.as_deref(), Some("google-benchmark"));
        // A local time without a zone is not a timestamp.
        assert_eq!(m.timestamp, None);
        assert_eq!(m.environment.cores, Some(4));
        let extra = |k: &str| m.environment.extra.get(k).map(String::as_str);
        assert_eq!(extra("date"), Some("2019-11-29 21:26:59"));
        assert_eq!(extra("host"), Some("Corgi.local"));
        assert_eq!(extra("executable"), Some("./a.out"));
        assert_eq!(extra("mhz_per_cpu"), Some("2700"));
        assert_eq!(extra("cpu_scaling_enabled"), Some("false"));
        assert_eq!(extra("library_build_type"), Some("release"));
        insta::assert_json_snapshot!("googlecpp_output", run);
    }

    #[test]
    fn uses_the_median_row_when_only_aggregates_were_reported() {
        let run = parse(AGGREGATES_ONLY).unwrap();
        assert_eq!(run.benchmarks.len(), 1);
        let b = run.benchmark("BM_SampleTest").unwrap();
        assert_eq!(names(b), ["time", "cpu_time"]);
        // The `_median` row, in ms, to ns; not the mean, stddev or cv.
        let t = metric(&run, "BM_SampleTest", "time");
        assert_eq!(t.data, Data::Value(34.55134379983065 * 1e6));
        assert_eq!(
            metric(&run, "BM_SampleTest", "cpu_time").data,
            Data::Value(34.54832335000005 * 1e6)
        );
        assert_eq!(
            run.meta.timestamp.as_deref(),
            Some("2025-07-04T23:57:27+00:00")
        );
        assert_eq!(run.meta.environment.cores, Some(12));
        assert_eq!(
            run.meta.environment.extra.get("library_version"),
            Some(&"v1.9.4".to_string())
        );
        insta::assert_json_snapshot!("solution_benchmark_aggregates_only", run);
    }

    #[test]
    fn falls_back_to_the_mean_aggregate() {
        let text = AGGREGATES_ONLY.replace("\"median\"", "\"p50\"");
        let run = parse(&text).unwrap();
        assert_eq!(
            metric(&run, "BM_SampleTest", "time").data,
            Data::Value(34.53835138010618 * 1e6)
        );
    }

    #[test]
    fn pools_repetitions_as_samples_and_ignores_their_aggregates() {
        let run = parse(REPETITIONS).unwrap();
        let all: Vec<&str> = run.benchmarks.iter().map(|b| b.name.as_str()).collect();
        // No BM_Fail (errored), no BM_Sort (only BigO/RMS rows under that run name).
        assert_eq!(all, ["BM_Copy/8", "BM_Sort/1024"]);
        let copy = run.benchmark("BM_Copy/8").unwrap();
        assert_eq!(
            names(copy),
            ["time", "cpu_time", "throughput", "foo", "items_per_second"]
        );
        assert_eq!(
            metric(&run, "BM_Copy/8", "time").data,
            Data::Samples(vec![1500.0, 2000.0, 2500.0])
        );
        // The bare NaN of the third repetition is no value.
        assert_eq!(
            metric(&run, "BM_Copy/8", "cpu_time").data,
            Data::Samples(vec![1250.0, 1750.0])
        );
        let tp = metric(&run, "BM_Copy/8", "throughput");
        assert_eq!(tp.unit, Unit::BytesPerSecond);
        assert_eq!(tp.direction, Direction::HigherIsBetter);
        assert_eq!(tp.data, Data::Samples(vec![5e6, 4e6, 3e6]));
        let items = metric(&run, "BM_Copy/8", "items_per_second");
        assert_eq!(items.unit, Unit::PerSecond);
        assert_eq!(items.direction, Direction::HigherIsBetter);
        let foo = metric(&run, "BM_Copy/8", "foo");
        assert_eq!(foo.unit, Unit::Count);
        assert_eq!(foo.direction, Direction::LowerIsBetter);
        assert_eq!(foo.data, Data::Samples(vec![3.0, 4.0, 5.0]));
        assert_eq!(
            metric(&run, "BM_Sort/1024", "time").data,
            Data::Value(3_000_000.0)
        );
        assert_eq!(
            run.meta.timestamp.as_deref(),
            Some("2024-03-01T10:00:00+01:00")
        );
        assert_eq!(
            run.meta.environment.extra.get("library_build_type"),
            Some(&"debug".to_string())
        );
    }

    #[test]
    fn recognises_aggregates_by_suffix_in_files_without_run_type() {
        let run = parse(
            r#"{"context": {}, "benchmarks": [
                {"name": "BM_A", "iterations": 5, "real_time": 10, "cpu_time": 9, "time_unit": "ns"},
                {"name": "BM_A", "iterations": 5, "real_time": 12, "cpu_time": 11, "time_unit": "ns"},
                {"name": "BM_A_mean", "iterations": 2, "real_time": 11, "cpu_time": 10, "time_unit": "ns"},
                {"name": "BM_B_median", "iterations": 2, "real_time": 7, "cpu_time": 6, "time_unit": "ns"},
                {"name": "BM_B_stddev", "iterations": 2, "real_time": 1, "cpu_time": 1, "time_unit": "ns"}
            ]}"#,
        )
        .unwrap();
        assert_eq!(
            metric(&run, "BM_A", "time").data,
            Data::Samples(vec![10.0, 12.0])
        );
        assert_eq!(metric(&run, "BM_B", "time").data, Data::Value(7.0));
        assert!(run.benchmark("BM_A_mean").is_none());
    }

    #[test]
    fn detects_google_benchmark_files_and_rejects_others() {
        for text in [GOOGLECPP, AGGREGATES_ONLY, REPETITIONS] {
            assert!(looks_like_json(&lenient_json(text).unwrap()));
        }
        for other in [
            r#"{"machine_info": {}, "benchmarks": [{"name": "a", "stats": {}}]}"#,
            r#"{"context": {}, "benchmarks": []}"#,
            r#"{"benchmarks": [{"name": "a", "real_time": 1}]}"#,
            r#"{"schema": "perfgate.run.v1", "benchmarks": [{"name": "a", "metrics": []}]}"#,
            r#"{"results": [{"command": "x", "times": [1]}]}"#,
        ] {
            assert!(!looks_like_json(&lenient_json(other).unwrap()), "{other}");
        }
    }

    #[test]
    fn fails_on_empty_input_and_no_usable_rows() {
        assert!(err("").message.contains("empty"));
        let e = err(r#"{"context": {}, "benchmarks": []}"#);
        assert!(e.message.contains("no results"), "{e}");
        let e = err(
            r#"{"context": {}, "benchmarks": [{"name": "BM_X", "error_occurred": true,
                "real_time": 0, "time_unit": "ns"}]}"#,
        );
        assert!(e.message.contains("all 1 rows errored"), "{e}");
    }

    #[test]
    fn fails_on_truncated_json_with_its_line() {
        let e = err(GOOGLECPP.get(..700).unwrap());
        assert!(e.line.is_some(), "{e:?}");
        assert!(e.message.contains("EOF"), "{e}");
    }

    #[test]
    fn fails_on_wrong_shapes() {
        let e = err("[]");
        assert!(e.message.contains("found an array"), "{e}");
        let e = err(r#"{"context": {}}"#);
        assert!(e.message.contains("no `benchmarks` array"), "{e}");
        let e = err(r#"{"benchmarks": 3}"#);
        assert!(e.message.contains("`benchmarks` must be an array"), "{e}");
        let e = err("{\"benchmarks\": [\n\"x\"]}");
        assert_eq!(e.line, Some(2));
        assert!(
            e.message.contains("`benchmarks[0]`: expected a result row"),
            "{e}"
        );
        let e = err(r#"{"benchmarks": [{"real_time": 1}]}"#);
        assert!(e.message.contains("`benchmarks[0]` has no `name`"), "{e}");
        let e = err(r#"{"benchmarks": [{"name": 7, "real_time": 1}]}"#);
        assert!(
            e.message.contains("`benchmarks[0].name` must be a string"),
            "{e}"
        );
    }

    #[test]
    fn fails_on_bad_numbers_and_units() {
        let e =
            err(r#"{"benchmarks": [{"name": "BM_X", "real_time": "fast", "time_unit": "ns"}]}"#);
        assert!(
            e.message
                .contains("`BM_X`: `real_time` must be a number, found the string \"fast\""),
            "{e}"
        );
        let e = err(r#"{"benchmarks": [{"name": "BM_X", "real_time": -3, "time_unit": "ns"}]}"#);
        assert!(e.message.contains("`real_time` is negative"), "{e}");
        let e =
            err(r#"{"benchmarks": [{"name": "BM_X", "real_time": 3, "time_unit": "fortnights"}]}"#);
        assert!(
            e.message.contains("unknown `time_unit` \"fortnights\""),
            "{e}"
        );
    }

    #[test]
    fn checks_rfc3339_by_shape() {
        assert!(is_rfc3339("2025-07-04T23:57:27+00:00"));
        assert!(is_rfc3339("2025-07-04T23:57:27.123Z"));
        assert!(!is_rfc3339("2019-11-29 21:26:59"));
        assert!(!is_rfc3339("2019-11-29T21:26:59"));
    }
}
