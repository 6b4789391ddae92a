//! pytest-benchmark JSON: the file written by `pytest --benchmark-json=<file>` and the storage files
//! that `--benchmark-autosave` / `--benchmark-save=<name>` keep under
//! `.benchmarks/<machine>/NNNN_<commit>_<date>[_uncommitted-changes].json`. Both have the same
//! schema: `{machine_info, commit_info, benchmarks[{name, fullname, params, stats{...}}], datetime,
//! version}`, every duration in seconds per call. 2.x files lack `ops`, `total`, `data` and most of
//! `commit_info`.
//!
//! Detection ([`looks_like_json`]): a JSON object with `machine_info` and a non-empty `benchmarks`
//! array whose items all have a `stats` object.
//!
//! Each item of `benchmarks[]` is one benchmark named by `fullname` (`path::test[param]`, unique
//! across modules), else by `name`. Its `time` holds the per-round times of `stats.data` as samples
//! (pytest-benchmark already divided each round by its `iterations`), converted to nanoseconds;
//! entries of `data` that are not numbers are skipped (github-action-benchmark's fixtures cut the
//! array short with a string). Without two or more numbers in `data`, `time` is the single value
//! `stats.median` (`stats.mean` if there is no median): the median, because rounds hit by GC or
//! scheduler pauses (pytest-benchmark's own "outliers") drag the mean up and would make the gate
//! flag noise. `throughput` is `stats.ops` (calls per second, 3.x), higher is better.

use serde_json::{Map, Value};

use super::common::json::{
    array_field, copy_fields, item_lines, json_document, kind_of, object_or,
};
use super::common::S_TO_NS;
use super::spec::{Detect, ParseError, Spec};
use crate::model::{Benchmark, Data, Environment, Metric, Run, RunMeta, Unit};

/// How `pytest` is named, detected and read.
pub const SPEC: Spec = Spec {
    name: "pytest",
    aliases: &["pytest-benchmark"],
    reads: "pytest-benchmark --benchmark-json and .benchmarks/ files",
    detected_by: "JSON object with `machine_info` and `benchmarks[]` items holding `stats`",
    detect: &[Detect::Json(looks_like_json)],
    parse,
};

/// True for a pytest-benchmark file: an object with `machine_info` and a non-empty `benchmarks`
/// array of objects that all carry `stats`.
pub fn looks_like_json(v: &Value) -> bool {
    let Value::Object(o) = v else { return false };
    if !o.contains_key("machine_info") {
        return false;
    }
    match o.get("benchmarks") {
        Some(Value::Array(items)) => {
            !items.is_empty()
                && items
                    .iter()
                    .all(|b| b.get("stats").is_some_and(Value::is_object))
        }
        _ => false,
    }
}

/// Parses a pytest-benchmark JSON file; see the module documentation.
pub fn parse(text: &str) -> Result<Run, ParseError> {
    let (text, doc) = json_document(
        text,
        "the pytest-benchmark file is empty: expected the JSON written by `pytest --benchmark-json=<file>`",
    )?;
    let (root, items) = array_field(
        &doc,
        "benchmarks",
        "a pytest-benchmark JSON object with `benchmarks`",
        "benchmark results",
        "not a pytest-benchmark file: the object has no `benchmarks` array (write it with `pytest --benchmark-json=<file>`)",
    )?;
    if items.is_empty() {
        return Err(ParseError::whole(
            "the pytest-benchmark file has no results: `benchmarks` is empty (did any test use the `benchmark` fixture?)",
        ));
    }
    let lines = item_lines(text, Some("benchmarks"));
    let mut benchmarks: Vec<Benchmark> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let b = read_benchmark(i, item).map_err(|m| ParseError::new(lines.get(i).copied(), m))?;
        match benchmarks.iter_mut().find(|x| x.name == b.name) {
            Some(existing) => {
                for m in b.metrics {
                    existing.push(m);
                }
            }
            None => benchmarks.push(b),
        }
    }
    Ok(Run::new(read_meta(root), benchmarks))
}

fn read_benchmark(i: usize, item: &Value) -> Result<Benchmark, String> {
    let o = object_or(item, |kind| {
        format!("`benchmarks[{i}]`: expected an object with `fullname` and `stats`, found {kind}")
    })?;
    let name = [o.get("fullname"), o.get("name")]
        .into_iter()
        .flatten()
        .find_map(|v| v.as_str().map(str::trim).filter(|s| !s.is_empty()))
        .ok_or_else(|| format!("`benchmarks[{i}]` has neither a `fullname` nor a `name` string"))?
        .to_string();
    let stats = match o.get("stats") {
        Some(Value::Object(s)) => s,
        Some(other) => {
            return Err(format!(
                "`{name}`: `stats` must be an object, found {}",
                kind_of(other)
            ))
        }
        None => return Err(format!("`{name}` has no `stats` object")),
    };
    let mut b = Benchmark::new(name.clone());

    let samples = data_samples(&name, stats)?;
    let time = if samples.len() >= 2 {
        Some(Data::Samples(samples))
    } else {
        match stat(&name, stats, "median")? {
            Some(v) => Some(Data::Value(v * S_TO_NS)),
            None => stat(&name, stats, "mean")?.map(|v| Data::Value(v * S_TO_NS)),
        }
    };
    let Some(time) = time else {
        return Err(format!(
            "`{name}`: `stats` has no time: expected `data`, `median` or `mean` in seconds"
        ));
    };
    let negative = match &time {
        Data::Value(v) => *v < 0.0,
        Data::Samples(s) => s.iter().any(|v| *v < 0.0),
        Data::Histogram(_) => false,
    };
    if negative {
        return Err(format!("`{name}`: a time in `stats` is negative"));
    }
    b.push(Metric::new("time", Unit::Nanoseconds, time));
    if let Some(ops) = stat(&name, stats, "ops")? {
        b.push(Metric::new("throughput", Unit::PerSecond, Data::Value(ops)));
    }
    Ok(b)
}

/// The finite numbers of `stats.data`, in nanoseconds.
fn data_samples(name: &str, stats: &Map<String, Value>) -> Result<Vec<f64>, String> {
    match stats.get("data") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => Ok(items
            .iter()
            .filter_map(Value::as_f64)
            .map(|v| v * S_TO_NS)
            .filter(|v| v.is_finite())
            .collect()),
        Some(other) => Err(format!(
            "`{name}`: `stats.data` must be an array of round times in seconds, found {}",
            kind_of(other)
        )),
    }
}

/// A statistic: `None` when absent, null or not finite; an error when it is not a number.
fn stat(name: &str, stats: &Map<String, Value>, key: &str) -> Result<Option<f64>, String> {
    match stats.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => Ok(n.as_f64().filter(|v| v.is_finite())),
        Some(Value::String(s)) if matches!(s.as_str(), "NaN" | "Infinity" | "-Infinity") => {
            Ok(None)
        }
        Some(other) => Err(format!(
            "`{name}`: `stats.{key}` must be a number, found {}",
            kind_of(other)
        )),
    }
}

fn read_meta(root: &Map<String, Value>) -> RunMeta {
    let text = |v: Option<&Value>| {
        v.and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let mut env = Environment::default();
    if let Some(Value::Object(m)) = root.get("machine_info") {
        env.os = text(m.get("system"));
        env.arch = text(m.get("machine"));
        if let Some(Value::Object(cpu)) = m.get("cpu") {
            // py-cpuinfo renamed `brand` to `brand_raw` in 6.0.
            env.cpu = text(cpu.get("brand_raw")).or_else(|| text(cpu.get("brand")));
            env.cores = cpu
                .get("count")
                .and_then(Value::as_u64)
                .and_then(|c| u32::try_from(c).ok());
        }
        copy_fields(
            m,
            &[
                ("node", "host"),
                ("python_implementation", "python_implementation"),
                ("python_version", "python_version"),
            ],
            &mut env.extra,
        );
    }
    if let Some(v) = text(root.get("version")) {
        env.extra.insert("pytest_benchmark_version".to_string(), v);
    }
    let mut meta = RunMeta {
        tool: Some("pytest".to_string()),
        timestamp: text(root.get("datetime")).map(|t| utc_if_naive(&t)),
        ..RunMeta::default()
    };
    if let Some(Value::Object(c)) = root.get("commit_info") {
        meta.commit = text(c.get("id"));
        // pytest-benchmark writes "(unknown)" when git cannot tell the branch.
        meta.branch = text(c.get("branch")).filter(|b| b != "(unknown)");
        // The commit's date (`git show -s --format=%cI`): where a saved run goes in its
        // branch's history. Kept as it was written when it is not RFC 3339.
        if let Some(t) = text(c.get("time")) {
            if crate::model::instant(&t).is_some() {
                meta.commit_time = Some(t);
            } else {
                env.extra.insert("commit_time".to_string(), t);
            }
        }
        if c.get("dirty").and_then(Value::as_bool) == Some(true) {
            env.extra
                .insert("commit_dirty".to_string(), "true".to_string());
        }
        if let Some(p) = text(c.get("project")) {
            env.extra.insert("project".to_string(), p);
        }
    }
    meta.environment = env;
    meta
}

/// pytest-benchmark 3.x writes `datetime.utcnow().isoformat()`, a UTC time without an offset;
/// RFC 3339 needs one.
fn utc_if_naive(t: &str) -> String {
    let time_part = t.split_once('T').map_or("", |(_, time)| time);
    let has_offset = time_part.ends_with('Z') || time_part.contains(['+', '-']);
    if time_part.is_empty() || has_offset {
        t.to_string()
    } else {
        format!("{t}Z")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::common::json::lenient_json;
    use crate::formats::test_support::metric;
    use crate::model::Direction;

    const OUTPUT: &str = include_str!("../../tests/fixtures/pytest/pytest_output.json");
    const SEVERAL_UNITS: &str =
        include_str!("../../tests/fixtures/pytest/pytest_several_units.json");
    const STORAGE_2_5: &str = include_str!(
        "../../tests/fixtures/pytest/0030_5b78858eb718649a31fb93d8dc96ca2cee41a4cd_20150815_030419_uncommitted-changes.json"
    );

    fn samples(run: &Run, bench: &str) -> Vec<f64> {
        match &metric(run, bench, "time").data {
            Data::Samples(s) => s.clone(),
            other => panic!("`{bench}` time is not samples: {other:?}"),
        }
    }

    fn err(text: &str) -> ParseError {
        parse(text).unwrap_err()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * b.abs().max(1.0)
    }

    #[test]
    fn reads_round_times_as_samples_skipping_the_truncation_marker() {
        let run = parse(OUTPUT).unwrap();
        let names: Vec<&str> = run.benchmarks.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(names, ["bench.py::test_fib_10", "bench.py::test_fib_20"]);
        let s = samples(&run, "bench.py::test_fib_10");
        // Four numbers, then the string "... omitted to keep this file small".
        assert_eq!(s.len(), 4);
        assert!(close(s[0], 32_153.0), "{}", s[0]);
        assert!(close(s[3], 24_873.0), "{}", s[3]);
        let t = metric(&run, "bench.py::test_fib_20", "time");
        assert_eq!(t.unit, Unit::Nanoseconds);
        assert_eq!(t.direction, Direction::LowerIsBetter);
        assert_eq!(t.data.n(), 4);
        let ops = metric(&run, "bench.py::test_fib_10", "throughput");
        assert_eq!(ops.unit, Unit::PerSecond);
        assert_eq!(ops.direction, Direction::HigherIsBetter);
        assert_eq!(ops.data, Data::Value(41513.272817492856));
        assert_eq!(run.metric_count(), 4);
    }

    #[test]
    fn reads_machine_and_commit_info_into_metadata() {
        let run = parse(OUTPUT).unwrap();
        let m = &run.meta;
        assert_eq!(m.tool.as_deref(), Some("pytest"));
        assert_eq!(
            m.commit.as_deref(),
            Some("9d55ab0434c9088746ae2d134702d782bf088644")
        );
        assert_eq!(m.branch.as_deref(), Some("pytest"));
        assert_eq!(m.timestamp.as_deref(), Some("2019-11-17T02:22:16.817862Z"));
        let env = &m.environment;
        assert_eq!(env.os.as_deref(), Some("Darwin"));
        assert_eq!(env.arch.as_deref(), Some("x86_64"));
        assert_eq!(
            env.cpu.as_deref(),
            Some("Intel(R) Core(TM) i7-4771 CPU @ 3.50GHz")
        );
        let extra = |k: &str| env.extra.get(k).map(String::as_str);
        assert_eq!(m.commit_time.as_deref(), Some("2019-11-16T12:10:30+09:00"));
        assert_eq!(extra("commit_time"), None);
        assert_eq!(extra("commit_dirty"), Some("true"));
        assert_eq!(extra("python_version"), Some("3.7.5"));
        assert_eq!(extra("pytest_benchmark_version"), Some("3.2.2"));
        assert_eq!(extra("host"), Some("Corgi.local"));
        insta::assert_json_snapshot!("pytest_output", run);
    }

    #[test]
    fn converts_times_from_100_nanoseconds_to_2_seconds() {
        let run = parse(SEVERAL_UNITS).unwrap();
        assert_eq!(run.benchmarks.len(), 4);
        // 100 iterations per round: the data is already per call.
        let fast = samples(&run, "bench.py::test_fib_1");
        assert_eq!(fast.len(), 4);
        assert!(close(fast[0], 145.38999999924586), "{}", fast[0]);
        let slow = samples(&run, "bench.py::test_sleep_2");
        assert_eq!(slow.len(), 5);
        assert!(close(slow[0], 2_005_173_128.0), "{}", slow[0]);
        assert!(close(slow[4], 2_001_044_877.0), "{}", slow[4]);
        assert_eq!(
            metric(&run, "bench.py::test_sleep_2", "throughput").data,
            Data::Value(0.49904108083570886)
        );
        assert_eq!(run.meta.branch.as_deref(), Some("master"));
        assert_eq!(
            run.meta.timestamp.as_deref(),
            Some("2019-12-06T08:58:58.115974Z")
        );
    }

    #[test]
    fn uses_the_median_of_a_2_x_storage_file_without_data() {
        let run = parse(STORAGE_2_5).unwrap();
        assert_eq!(run.benchmarks.len(), 1);
        let name = "tests/test_normal.py::test_xfast_parametrized[0]";
        let t = metric(&run, name, "time");
        let Data::Value(v) = t.data else {
            panic!("{:?}", t.data)
        };
        assert!(close(v, 220.16379230260297), "{v}");
        // 2.x has no `ops`.
        assert!(run.benchmark(name).unwrap().metric("throughput").is_none());
        assert_eq!(
            run.meta.commit.as_deref(),
            Some("5b78858eb718649a31fb93d8dc96ca2cee41a4cd")
        );
        assert_eq!(run.meta.branch, None);
        // An offset is kept as written.
        assert_eq!(
            run.meta.timestamp.as_deref(),
            Some("2015-08-15T00:04:18.687119+00:00")
        );
        assert_eq!(run.meta.environment.os.as_deref(), Some("Linux"));
        assert_eq!(run.meta.environment.cpu, None);
        assert_eq!(
            run.meta.environment.extra.get("pytest_benchmark_version"),
            Some(&"2.5.0".to_string())
        );
        insta::assert_json_snapshot!("pytest_storage_2_5", run);
    }

    #[test]
    fn falls_back_to_name_and_mean() {
        let run = parse(
            r#"{"machine_info": {}, "benchmarks": [
                {"name": "test_a", "stats": {"mean": 0.5, "data": [0.4]}},
                {"name": "test_b", "fullname": "", "stats": {"median": null, "mean": 2e-9}}
            ]}"#,
        )
        .unwrap();
        assert_eq!(metric(&run, "test_a", "time").data, Data::Value(5e8));
        assert_eq!(metric(&run, "test_b", "time").data, Data::Value(2.0));
        assert_eq!(run.meta.environment, Environment::default());
    }

    #[test]
    fn detects_pytest_files_and_rejects_others() {
        for text in [OUTPUT, SEVERAL_UNITS, STORAGE_2_5] {
            assert!(looks_like_json(&lenient_json(text).unwrap()));
        }
        for other in [
            r#"{"context": {}, "benchmarks": [{"name": "a", "real_time": 1}]}"#,
            r#"{"machine_info": {}, "benchmarks": []}"#,
            r#"{"machine_info": {}, "benchmarks": [{"name": "a"}]}"#,
            r#"{"benchmarks": [{"name": "a", "stats": {}}]}"#,
            r#"[{"name": "a", "unit": "ns", "value": 1}]"#,
        ] {
            assert!(!looks_like_json(&lenient_json(other).unwrap()), "{other}");
        }
    }

    #[test]
    fn fails_on_empty_input_and_empty_results() {
        assert!(err("").message.contains("empty"));
        assert!(err(" \n").message.contains("empty"));
        let e = err(r#"{"machine_info": {}, "benchmarks": []}"#);
        assert!(e.message.contains("`benchmarks` is empty"), "{e}");
    }

    #[test]
    fn fails_on_truncated_json_with_its_line() {
        let e = err(OUTPUT.get(..900).unwrap());
        assert!(e.line.is_some(), "{e:?}");
        assert!(e.message.contains("EOF"), "{e}");
    }

    #[test]
    fn fails_on_wrong_shapes() {
        let e = err("[1]");
        assert!(e.message.contains("found an array"), "{e}");
        let e = err(r#"{"machine_info": {}}"#);
        assert!(e.message.contains("no `benchmarks` array"), "{e}");
        let e = err(r#"{"benchmarks": {"a": 1}}"#);
        assert!(e.message.contains("`benchmarks` must be an array"), "{e}");
        let e = err("{\"benchmarks\": [\n  3\n]}");
        assert_eq!(e.line, Some(2));
        assert!(
            e.message.contains("`benchmarks[0]`: expected an object"),
            "{e}"
        );
        let e = err(r#"{"benchmarks": [{"stats": {"median": 1}}]}"#);
        assert!(
            e.message.contains("neither a `fullname` nor a `name`"),
            "{e}"
        );
        let e = err(r#"{"benchmarks": [{"name": "t"}]}"#);
        assert!(e.message.contains("`t` has no `stats`"), "{e}");
        let e = err(r#"{"benchmarks": [{"name": "t", "stats": {"rounds": 3}}]}"#);
        assert!(e.message.contains("`t`: `stats` has no time"), "{e}");
        let e = err(r#"{"benchmarks": [{"name": "t", "stats": {"data": 4}}]}"#);
        assert!(e.message.contains("`stats.data` must be an array"), "{e}");
    }

    #[test]
    fn fails_on_bad_numbers() {
        let e = err(r#"{"benchmarks": [{"name": "t", "stats": {"median": "fast"}}]}"#);
        assert!(
            e.message
                .contains("`t`: `stats.median` must be a number, found the string \"fast\""),
            "{e}"
        );
        let e = err(r#"{"benchmarks": [{"name": "t", "stats": {"median": -1}}]}"#);
        assert!(e.message.contains("negative"), "{e}");
        // A non-finite median is no value: then there is no time at all.
        let e = err(r#"{"benchmarks": [{"name": "t", "stats": {"median": NaN}}]}"#);
        assert!(e.message.contains("has no time"), "{e}");
    }
}
