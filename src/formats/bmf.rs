//! Bencher Metric Format (BMF) JSON, the format of Bencher's `json` adapter and what `bencher run`
//! and `bencher mock` print: `{"<benchmark>": {"<measure>": {"value": n, "lower_value"?: n,
//! "upper_value"?: n}}}` (<https://bencher.dev/docs/reference/bencher-metric-format/>).
//!
//! Detection ([`looks_like_json`]) is strict, because the shape is generic: a non-empty object
//! whose every value is a non-empty object whose every value is an object with a numeric `value`
//! and no keys other than `value`, `lower_value` and `upper_value`.
//!
//! Each top-level key is one benchmark, named as written. Each measure becomes one metric. Bencher's
//! built-in measure slugs get the team's names and their units: `latency` is `time` (nanoseconds),
//! `throughput` is `throughput` (operations per second, better higher), `build-time` is
//! `build_time` (seconds, converted to nanoseconds), `file-size` is `file_size` and `allocated` is
//! `alloc_bytes` (bytes), `gen0-collects`... are `gen0_collections`... (counts), the
//! Callgrind/Cachegrind counters (`instructions`, `l1-hits`, `estimated-cycles`...) keep their slug
//! in snake case as counts, hit rates and miss rates (in percent) become ratios. Any other measure
//! keeps its slug in snake case, as a count, better lower: BMF does not say the unit or the
//! direction of custom measures. `lower_value` and `upper_value` are bounds drawn in Bencher's
//! plots; perfgate has no use for them and ignores them.

use serde_json::{Map, Value};

use super::common::json::{json_object, kind_of, object_or};
use super::spec::{Detect, ParseError, Spec};
use crate::model::{Benchmark, Data, Direction, Metric, Run, RunMeta, Unit};

/// How `bmf` is named, detected and read.
pub const SPEC: Spec = Spec {
    name: "bmf",
    aliases: &[],
    reads: "Bencher Metric Format JSON",
    detected_by: "JSON object of benchmarks, each an object of measures holding a numeric `value`",
    detect: &[Detect::JsonLast(looks_like_json)],
    parse,
};

const MEASURE_KEYS: &[&str] = &["value", "lower_value", "upper_value"];

/// True for BMF JSON; see the module documentation for how strict this is.
pub fn looks_like_json(v: &Value) -> bool {
    let Value::Object(benchmarks) = v else {
        return false;
    };
    !benchmarks.is_empty()
        && benchmarks.values().all(|b| {
            let Value::Object(measures) = b else {
                return false;
            };
            !measures.is_empty()
                && measures.values().all(|m| {
                    let Value::Object(m) = m else { return false };
                    m.get("value").is_some_and(Value::is_number)
                        && m.keys().all(|k| MEASURE_KEYS.contains(&k.as_str()))
                })
        })
}

/// Parses BMF JSON; see the module documentation.
pub fn parse(text: &str) -> Result<Run, ParseError> {
    let root = &json_object(
        text,
        "the BMF file is empty: expected Bencher Metric Format JSON, `{\"<benchmark>\": {\"<measure>\": {\"value\": 1.0}}}`",
        |v| format!("expected Bencher Metric Format JSON, an object of benchmarks, found {}", kind_of(v)),
    )?;
    if root.is_empty() {
        return Err(ParseError::whole(
            "the BMF object has no benchmarks: expected `{\"<benchmark>\": {\"<measure>\": {\"value\": 1.0}}}`",
        ));
    }
    let mut benchmarks = Vec::new();
    for (name, measures) in root {
        benchmarks.push(read_benchmark(name, measures).map_err(ParseError::whole)?);
    }
    let meta = RunMeta {
        tool: Some("bmf".to_string()),
        ..RunMeta::default()
    };
    Ok(Run::new(meta, benchmarks))
}

fn read_benchmark(name: &str, measures: &Value) -> Result<Benchmark, String> {
    if name.trim().is_empty() {
        return Err("a benchmark has an empty name".to_string());
    }
    let measures = object_or(measures, |kind| {
        format!("benchmark `{name}`: expected an object of measures such as `{{\"latency\": {{\"value\": 88.0}}}}`, found {kind}")
    })?;
    if measures.is_empty() {
        return Err(format!("benchmark `{name}` has no measures"));
    }
    let mut b = Benchmark::new(name);
    for (slug, m) in measures {
        if let Some(metric) = read_measure(name, slug, m)? {
            b.push(metric);
        }
    }
    if b.metrics.is_empty() {
        return Err(format!(
            "benchmark `{name}`: no measure has a finite `value`"
        ));
    }
    Ok(b)
}

/// One measure; `None` when its value is null or not finite.
fn read_measure(bench: &str, slug: &str, m: &Value) -> Result<Option<Metric>, String> {
    let m = object_or(m, |kind| {
        format!(
            "benchmark `{bench}`, measure `{slug}`: expected an object with `value`, found {kind}"
        )
    })?;
    let value = number(bench, slug, m, "value")?;
    for bound in ["lower_value", "upper_value"] {
        number(bench, slug, m, bound)?;
    }
    let Some(raw) = value else {
        if m.contains_key("value") {
            return Ok(None);
        }
        return Err(format!(
            "benchmark `{bench}`, measure `{slug}` has no `value`"
        ));
    };
    let (name, unit, factor, direction) = measure(slug);
    let v = raw * factor;
    if v < 0.0 && matches!(unit, Unit::Nanoseconds | Unit::Bytes) {
        return Err(format!(
            "benchmark `{bench}`, measure `{slug}`: `value` {raw} is negative, which a time or size cannot be"
        ));
    }
    let mut metric = Metric::new(name, unit, Data::Value(v));
    if let Some(d) = direction {
        metric = metric.with_direction(d);
    }
    Ok(Some(metric))
}

/// Metric name, unit, factor into it, and a direction when inference from the unit would be wrong.
fn measure(slug: &str) -> (String, Unit, f64, Option<Direction>) {
    let snake = slug.trim().to_ascii_lowercase().replace(['-', ' '], "_");
    match snake.as_str() {
        "latency" => ("time".into(), Unit::Nanoseconds, 1.0, None),
        "throughput" => ("throughput".into(), Unit::PerSecond, 1.0, None),
        "build_time" => (snake, Unit::Nanoseconds, 1e9, None),
        "file_size" => (snake, Unit::Bytes, 1.0, None),
        "allocated" => ("alloc_bytes".into(), Unit::Bytes, 1.0, None),
        "gen0_collects" | "gen1_collects" | "gen2_collects" => {
            let name = snake.replace("_collects", "_collections");
            (name, Unit::Count, 1.0, None)
        }
        "total_bytes" | "at_t_gmax_bytes" | "at_t_end_bytes" | "reads_bytes" | "writes_bytes" => {
            (snake, Unit::Bytes, 1.0, None)
        }
        "sys_cpu_time" => (snake, Unit::Nanoseconds, 1.0, None),
        // Percentages: hit rates are better higher (the unit alone says nothing).
        s if s.ends_with("_hit_rate") => {
            (snake, Unit::Ratio, 0.01, Some(Direction::HigherIsBetter))
        }
        s if s.ends_with("_miss_rate") || s.ends_with("_jitter") || s == "cpu_steal" => {
            (snake, Unit::Ratio, 0.01, Some(Direction::LowerIsBetter))
        }
        // Instructions, cache accesses and hits, estimated cycles and unknown measures: counts.
        _ => (snake, Unit::Count, 1.0, None),
    }
}

fn number(
    bench: &str,
    slug: &str,
    m: &Map<String, Value>,
    key: &str,
) -> Result<Option<f64>, String> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => Ok(n.as_f64().filter(|x| x.is_finite())),
        Some(other) => Err(format!(
            "benchmark `{bench}`, measure `{slug}`: `{key}` must be a number, found {}",
            kind_of(other)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::common::json::lenient_json;
    use crate::formats::test_support::metric;

    /// Hand-made from the example on the Bencher Metric Format reference page (see the README).
    const DOCS_EXAMPLE: &str =
        include_str!("../../tests/fixtures/bmf/bmf-docs-example-handmade.json");
    /// Hand-made: Callgrind measures as Bencher's iai-callgrind adapter names them (see the README).
    const CALLGRIND: &str = include_str!("../../tests/fixtures/bmf/bmf-callgrind-handmade.json");

    fn err(text: &str) -> String {
        parse(text).unwrap_err().to_string()
    }

    #[test]
    fn reads_the_documented_example() {
        let run = parse(DOCS_EXAMPLE).unwrap();
        let all: Vec<&str> = run.benchmarks.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(
            all,
            [
                "/bin/sh -c ./my_build_script.sh",
                "benchmark_name",
                "my_binary"
            ]
        );
        let latency = metric(&run, "benchmark_name", "time");
        assert_eq!(latency.unit, Unit::Nanoseconds);
        assert_eq!(latency.direction, Direction::LowerIsBetter);
        assert_eq!(latency.data, Data::Value(88.0));
        let tp = metric(&run, "benchmark_name", "throughput");
        assert_eq!(tp.unit, Unit::PerSecond);
        assert_eq!(tp.direction, Direction::HigherIsBetter);
        assert_eq!(tp.data, Data::Value(5.55));
        let build = metric(&run, "/bin/sh -c ./my_build_script.sh", "build_time");
        assert_eq!(build.unit, Unit::Nanoseconds);
        assert_eq!(build.data, Data::Value(87.0e9));
        let size = metric(&run, "my_binary", "file_size");
        assert_eq!(size.unit, Unit::Bytes);
        assert_eq!(size.direction, Direction::LowerIsBetter);
        assert_eq!(size.data, Data::Value(42.0));
        assert_eq!(run.meta.tool.as_deref(), Some("bmf"));
        insta::assert_json_snapshot!("bmf_docs_example", run);
    }

    #[test]
    fn reads_callgrind_counters_rates_and_unknown_measures() {
        let run = parse(CALLGRIND).unwrap();
        let b = "bench_fibonacci_group::bench_fibonacci long:30";
        let names: Vec<&str> = run
            .benchmark(b)
            .unwrap()
            .metrics
            .iter()
            .map(|m| m.name.as_str())
            .collect();
        assert_eq!(
            names,
            [
                "estimated_cycles",
                "instructions",
                "l1_hit_rate",
                "l1_hits",
                "ll_hits",
                "ll_miss_rate",
                "my_widgets",
                "ram_hits"
            ]
        );
        let instr = metric(&run, b, "instructions");
        assert_eq!(instr.unit, Unit::Count);
        assert_eq!(instr.direction, Direction::LowerIsBetter);
        assert_eq!(instr.data, Data::Value(24_190_482.0));
        let hit = metric(&run, b, "l1_hit_rate");
        assert_eq!(hit.unit, Unit::Ratio);
        assert_eq!(hit.direction, Direction::HigherIsBetter);
        assert_eq!(hit.data, Data::Value(0.995));
        let miss = metric(&run, b, "ll_miss_rate");
        assert_eq!(miss.direction, Direction::LowerIsBetter);
        let custom = metric(&run, b, "my_widgets");
        assert_eq!(custom.unit, Unit::Count);
        assert_eq!(custom.direction, Direction::LowerIsBetter);
        assert_eq!(
            metric(&run, b, "estimated_cycles").data,
            Data::Value(34_270_702.0)
        );
    }

    #[test]
    fn skips_null_values_and_maps_dotnet_measures() {
        let run = parse(
            r#"{"Ns.Bench.Run": {"latency": {"value": 12.5}, "allocated": {"value": 368},
                "gen0-collects": {"value": 0.02}, "throughput": {"value": NaN}}}"#,
        )
        .unwrap();
        let names: Vec<&str> = run.benchmarks[0]
            .metrics
            .iter()
            .map(|m| m.name.as_str())
            .collect();
        assert_eq!(names, ["alloc_bytes", "gen0_collections", "time"]);
        assert_eq!(
            metric(&run, "Ns.Bench.Run", "alloc_bytes").unit,
            Unit::Bytes
        );
    }

    #[test]
    fn detects_bmf_strictly() {
        for text in [DOCS_EXAMPLE, CALLGRIND] {
            assert!(looks_like_json(&lenient_json(text).unwrap()));
        }
        for other in [
            "{}",
            r#"{"a": {}}"#,
            r#"{"a": {"latency": {"value": "88"}}}"#,
            r#"{"a": {"latency": {"value": 88, "unit": "ns"}}}"#,
            r#"{"a": {"latency": 88}}"#,
            r#"{"metrics": {"http_reqs": {"count": 5, "rate": 1.5}}, "root_group": {"name": ""}}"#,
            r#"{"mean": {"confidence_interval": {"lower_bound": 1}, "point_estimate": 2}}"#,
            r#"{"schema": "perfgate.run.v1", "benchmarks": []}"#,
            r#"[{"name": "a", "unit": "ns", "value": 1}]"#,
        ] {
            assert!(!looks_like_json(&lenient_json(other).unwrap()), "{other}");
        }
    }

    #[test]
    fn fails_on_empty_input() {
        assert!(err("").contains("empty"));
        assert!(err("{}").contains("no benchmarks"));
        assert!(err(r#"{"a": {}}"#).contains("`a` has no measures"));
    }

    #[test]
    fn fails_on_truncated_json_with_its_line() {
        let e = parse(DOCS_EXAMPLE.get(..80).unwrap()).unwrap_err();
        assert!(e.line.is_some(), "{e:?}");
        assert!(e.message.contains("EOF"), "{e}");
    }

    #[test]
    fn fails_on_wrong_shapes() {
        let e = err("[1]");
        assert!(e.contains("found an array"), "{e}");
        let e = err(r#"{"a": 3}"#);
        assert!(
            e.contains("benchmark `a`: expected an object of measures"),
            "{e}"
        );
        let e = err(r#"{"a": {"latency": [1]}}"#);
        assert!(
            e.contains("benchmark `a`, measure `latency`: expected an object with `value`"),
            "{e}"
        );
        let e = err(r#"{"a": {"latency": {"lower_value": 1}}}"#);
        assert!(e.contains("measure `latency` has no `value`"), "{e}");
        let e = err(r#"{"a": {"latency": {"value": null}}}"#);
        assert!(e.contains("no measure has a finite `value`"), "{e}");
    }

    #[test]
    fn fails_on_bad_numbers() {
        let e = err(r#"{"a": {"latency": {"value": "88 ns"}}}"#);
        assert!(
            e.contains("`value` must be a number, found the string \"88 ns\""),
            "{e}"
        );
        let e = err(r#"{"a": {"latency": {"value": 88, "upper_value": "high"}}}"#);
        assert!(e.contains("`upper_value` must be a number"), "{e}");
        let e = err(r#"{"a": {"file-size": {"value": -1}}}"#);
        assert!(e.contains("negative"), "{e}");
    }
}
