//! JMH results as written by `java -jar benchmarks.jar -rf json [-rff jmh-result.json]`: a JSON
//! array with one element per benchmark method, mode and parameter combination, each with
//! `benchmark`, `mode`, `params{}`, `primaryMetric{score, scoreUnit, rawData[fork][iteration]}` and
//! `secondaryMetrics{}` (profiler output).
//!
//! Detection ([`looks_like_json`]): a non-empty array whose elements are objects with `benchmark`
//! and `primaryMetric` (`jmhVersion` is absent from JMH before 1.19).
//!
//! Identity: JMH runs one method in several modes and with several `@Param` values, so a benchmark
//! is named `<benchmark> [<mode>]`, followed by its parameters sorted by name when it has any:
//! `org.x.Bench.method [thrpt] (size=10, type=array)`. The mode comes first because it decides the
//! metric and its direction.
//!
//! Primary metric: in `thrpt` mode the score is a rate (`ops/ms` ...), stored as `throughput` in
//! events per second, better higher; in `avgt`, `sample` and `ss` modes it is a time per operation
//! (`ms/op` ...), stored as `time` in nanoseconds, better lower. Its data is every measurement
//! iteration of every fork (`rawData` flattened) as samples, or the single `score` when a file has
//! no `rawData`. JMH writes NaN as the string `"NaN"`; such numbers are skipped.
//!
//! Secondary metrics: only `gc.alloc.rate.norm` (bytes allocated per operation, from `-prof gc`;
//! older JMH prefixes the name with `·`) is kept, as `alloc_bytes`. The other GC figures are
//! skipped: `gc.alloc.rate` is the same allocation divided by time (it moves with the score), and
//! `gc.count`/`gc.time` count rare events too coarsely to gate on. Hardware counters from
//! `-prof perfnorm` are not read yet.

use serde_json::{Map, Value};

use super::common::json::{copy_fields, item_lines, json_array, kind_of, object_or, param_label};
use super::spec::{Detect, ParseError, Spec};
use crate::model::{
    Benchmark, Benchmarks, Data, Direction, Environment, Metric, Run, RunMeta, Unit,
};

/// How `jmh` is named, detected and read.
pub const SPEC: Spec = Spec {
    name: "jmh",
    aliases: &[],
    reads: "JMH -rf json",
    detected_by: "JSON array of objects with `benchmark` and `primaryMetric`",
    detect: &[Detect::Json(looks_like_json)],
    parse,
};

/// True for a JMH result file: a non-empty array of objects with `benchmark` and `primaryMetric`.
pub fn looks_like_json(v: &Value) -> bool {
    let Value::Array(items) = v else { return false };
    !items.is_empty()
        && items.iter().all(|i| {
            i.get("benchmark").is_some_and(Value::is_string)
                && i.get("primaryMetric").is_some_and(Value::is_object)
        })
}

/// Parses a JMH JSON result file; see the module documentation.
pub fn parse(text: &str) -> Result<Run, ParseError> {
    let (text, items) = json_array(
        text,
        "the JMH result file is empty: expected the JSON written by `-rf json`",
        |v| {
            format!(
                "expected a JMH result array (written by `-rf json`), found {}",
                kind_of(v)
            )
        },
    )?;
    let items = &items;
    if items.is_empty() {
        return Err(ParseError::whole(
            "the JMH result file has no results: the array is empty",
        ));
    }
    let lines = item_lines(text, None);
    let mut benchmarks = Benchmarks::default();
    for (i, item) in items.iter().enumerate() {
        let b = read_result(i, item).map_err(|m| ParseError::new(lines.get(i).copied(), m))?;
        benchmarks.add(b.name, b.metrics);
    }
    Ok(Run::new(read_meta(items), benchmarks.into_vec()))
}

fn read_result(i: usize, item: &Value) -> Result<Benchmark, String> {
    let o = object_or(item, |kind| {
        format!("`[{i}]`: expected a JMH result object with `benchmark` and `primaryMetric`, found {kind}")
    })?;
    let method = match o.get("benchmark") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim(),
        Some(Value::String(_)) | None => return Err(format!("`[{i}]` has no `benchmark` name")),
        Some(other) => {
            return Err(format!(
                "`[{i}].benchmark` must be a string, found {}",
                kind_of(other)
            ))
        }
    };
    let mode = match o.get("mode") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim(),
        Some(other) => {
            return Err(format!(
                "`{method}`: `mode` must be one of thrpt, avgt, sample, ss; found {}",
                kind_of(other)
            ))
        }
        None => return Err(format!("`{method}` has no `mode`")),
    };
    let name = identity(method, mode, o.get("params"))?;
    let primary = match o.get("primaryMetric") {
        Some(Value::Object(p)) => p,
        Some(other) => {
            return Err(format!(
                "`{name}`: `primaryMetric` must be an object, found {}",
                kind_of(other)
            ))
        }
        None => return Err(format!("`{name}` has no `primaryMetric`")),
    };
    let mut b = Benchmark::new(name.clone());
    let direction = if mode == "thrpt" {
        Direction::HigherIsBetter
    } else {
        Direction::LowerIsBetter
    };
    let (unit, factor, raw_unit) = score_unit(&name, "primaryMetric", primary)?;
    let metric_name = match unit {
        Unit::PerSecond => "throughput",
        Unit::Nanoseconds => "time",
        _ => "score",
    };
    let data = score_data(&name, "primaryMetric", primary, factor, &raw_unit)?;
    b.push(Metric::new(metric_name, unit, data).with_direction(direction));

    if let Some(Value::Object(secondary)) = o.get("secondaryMetrics") {
        for (key, m) in secondary {
            if key.trim_start_matches('\u{b7}') != "gc.alloc.rate.norm" {
                continue;
            }
            let m = object_or(m, |kind| {
                format!("`{name}`: secondary metric `{key}` must be an object, found {kind}")
            })?;
            let (unit, factor, raw_unit) = score_unit(&name, key, m)?;
            let data = score_data(&name, key, m, factor, &raw_unit)?;
            b.push(Metric::new("alloc_bytes", unit, data).with_direction(Direction::LowerIsBetter));
        }
    }
    Ok(b)
}

/// `benchmark [mode]`, then ` (k=v, ...)` with the parameters sorted by name.
fn identity(method: &str, mode: &str, params: Option<&Value>) -> Result<String, String> {
    let mut name = format!("{method} [{mode}]");
    match params {
        None | Some(Value::Null) => {}
        Some(Value::Object(p)) if p.is_empty() => {}
        Some(Value::Object(p)) => {
            name.push_str(&format!(" ({})", param_label(p)));
        }
        Some(other) => {
            return Err(format!(
                "`{method}`: `params` must be an object of parameter values, found {}",
                kind_of(other)
            ))
        }
    }
    Ok(name)
}

/// The canonical unit of a metric's `scoreUnit`, the factor into it, and the unit as written.
fn score_unit(
    name: &str,
    what: &str,
    m: &Map<String, Value>,
) -> Result<(Unit, f64, String), String> {
    match m.get("scoreUnit") {
        Some(Value::String(u)) if !u.trim().is_empty() => {
            let (unit, factor) = Unit::parse(u);
            Ok((unit, factor, u.trim().to_string()))
        }
        Some(other) => Err(format!(
            "`{name}`: `{what}.scoreUnit` must be a unit such as \"ops/s\" or \"ms/op\", found {}",
            kind_of(other)
        )),
        None => Err(format!("`{name}`: `{what}` has no `scoreUnit`")),
    }
}

/// Every iteration of `rawData` as samples, else the `score` as a value; in the canonical unit.
fn score_data(
    name: &str,
    what: &str,
    m: &Map<String, Value>,
    factor: f64,
    raw_unit: &str,
) -> Result<Data, String> {
    let mut samples = Vec::new();
    match m.get("rawData") {
        None | Some(Value::Null) => {}
        Some(Value::Array(forks)) => {
            for (f, fork) in forks.iter().enumerate() {
                let Value::Array(iterations) = fork else {
                    return Err(format!(
                        "`{name}`: `{what}.rawData[{f}]` must be an array of iteration scores, found {}",
                        kind_of(fork)
                    ));
                };
                for (k, v) in iterations.iter().enumerate() {
                    let at = format!("{what}.rawData[{f}][{k}]");
                    if let Some(x) = number(name, &at, v)? {
                        samples.push(check(name, &at, x * factor, raw_unit)?);
                    }
                }
            }
        }
        Some(other) => {
            return Err(format!(
                "`{name}`: `{what}.rawData` must be an array of forks, found {}",
                kind_of(other)
            ))
        }
    }
    match samples.len() {
        0 => {
            let at = format!("{what}.score");
            let score = match m.get("score") {
                Some(v) => number(name, &at, v)?,
                None => {
                    return Err(format!(
                        "`{name}`: `{what}` has no `score` and no `rawData`"
                    ))
                }
            };
            match score {
                Some(s) => Ok(Data::Value(check(name, &at, s * factor, raw_unit)?)),
                None => Err(format!(
                    "`{name}`: `{what}` has no finite score: `score` is NaN and `rawData` holds no number"
                )),
            }
        }
        1 => Ok(Data::Value(samples.first().copied().unwrap_or_default())),
        _ => Ok(Data::Samples(samples)),
    }
}

/// A JMH number: JSON numbers, or the strings `"NaN"`/`"Infinity"` JMH writes, which are no value.
fn number(name: &str, at: &str, v: &Value) -> Result<Option<f64>, String> {
    match v {
        Value::Null => Ok(None),
        Value::Number(n) => Ok(n.as_f64().filter(|x| x.is_finite())),
        Value::String(s) => match s.trim() {
            "NaN" | "Infinity" | "-Infinity" => Ok(None),
            t => match t.parse::<f64>() {
                Ok(x) if x.is_finite() => Ok(Some(x)),
                _ => Err(format!(
                    "`{name}`: `{at}` must be a number, found {}",
                    kind_of(v)
                )),
            },
        },
        other => Err(format!(
            "`{name}`: `{at}` must be a number, found {}",
            kind_of(other)
        )),
    }
}

fn check(name: &str, at: &str, v: f64, raw_unit: &str) -> Result<f64, String> {
    if !v.is_finite() {
        return Err(format!("`{name}`: `{at}` is too large in {raw_unit}"));
    }
    if v < 0.0 {
        return Err(format!(
            "`{name}`: `{at}` is negative ({raw_unit}); a score cannot be"
        ));
    }
    Ok(v)
}

fn read_meta(items: &[Value]) -> RunMeta {
    let mut env = Environment::default();
    if let Some(Value::Object(first)) = items.first() {
        copy_fields(
            first,
            &[
                ("jmhVersion", "jmh_version"),
                ("jdkVersion", "jdk_version"),
                ("vmName", "vm_name"),
                ("vmVersion", "vm_version"),
            ],
            &mut env.extra,
        );
    }
    RunMeta {
        tool: Some("jmh".to_string()),
        environment: env,
        ..RunMeta::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::common::json::lenient_json;
    use crate::formats::test_support::metric;

    const ONE: &str = include_str!("../../tests/fixtures/jmh/jmh_output.json");
    const PARAMS: &str = include_str!("../../tests/fixtures/jmh/jmh_output_2.json");
    const JCASBIN: &str = include_str!("../../tests/fixtures/jmh/jcasbin-jmh-result.json");
    const SIX: &str = include_str!("../../tests/fixtures/jmh/bencher-jmh-six.json");

    fn err(text: &str) -> ParseError {
        parse(text).unwrap_err()
    }

    /// One `avgt` result with `-prof gc` output, NaN error strings and a single iteration per fork,
    /// in the layout JMH 1.37 writes (values invented).
    const AVGT_GC: &str = r#"[{
        "jmhVersion": "1.37", "benchmark": "org.x.Bench.parse", "mode": "avgt", "threads": 1,
        "forks": 2, "params": {"size": "10", "kind": "json"},
        "primaryMetric": {"score": 1.5, "scoreError": "NaN", "scoreConfidence": ["NaN", "NaN"],
            "scoreUnit": "us/op", "rawData": [[1.25], [1.75, "NaN"]]},
        "secondaryMetrics": {
            "·gc.alloc.rate": {"score": 900.0, "scoreUnit": "MB/sec", "rawData": [[900.0], [900.0]]},
            "·gc.alloc.rate.norm": {"score": 1024.0, "scoreUnit": "B/op", "rawData": [[1024.0], [1024.5]]},
            "·gc.count": {"score": 3.0, "scoreUnit": "counts", "rawData": [[1.0], [2.0]]}
        }
    }]"#;

    #[test]
    fn reads_a_throughput_result_with_its_iterations_as_samples() {
        let run = parse(ONE).unwrap();
        assert_eq!(run.benchmarks.len(), 1);
        let name = "org.openjdk.jmh.samples.JMHSample_01_HelloWorld.wellHelloThere [thrpt]";
        let tp = metric(&run, name, "throughput");
        assert_eq!(tp.unit, Unit::PerSecond);
        assert_eq!(tp.direction, Direction::HigherIsBetter);
        assert_eq!(
            tp.data,
            Data::Samples(vec![
                3.376842765688582E9,
                3.37651988895058E9,
                3.375353964729294E9
            ])
        );
        assert_eq!(run.meta.tool.as_deref(), Some("jmh"));
        let extra = |k: &str| run.meta.environment.extra.get(k).map(String::as_str);
        assert_eq!(extra("jmh_version"), Some("1.29"));
        assert_eq!(extra("jdk_version"), Some("1.8.0_202"));
        assert_eq!(extra("vm_name"), Some("Java HotSpot(TM) 64-Bit Server VM"));
        assert_eq!(extra("vm_version"), Some("25.202-b08"));
        insta::assert_json_snapshot!("jmh_output", run);
    }

    #[test]
    fn names_a_benchmark_by_method_mode_and_sorted_params() {
        let run = parse(PARAMS).unwrap();
        let b = &run.benchmarks[0];
        assert_eq!(
            b.name,
            "org.openjdk.jmh.samples.JMHSample_01_HelloWorld.wellHelloThere [thrpt] (paramA=17, paramB=33)"
        );
        assert_eq!(b.metrics.len(), 1);
        assert_eq!(b.metrics[0].data.n(), 3);
    }

    #[test]
    fn reads_thrpt_in_ops_per_ms_and_single_shot_in_ms_per_op() {
        let run = parse(JCASBIN).unwrap();
        assert_eq!(run.benchmarks.len(), 37);
        let enforce = "org.casbin.jcasbin.main.benchmark.BenchmarkEnforce.enforce [thrpt] \
                       (dataScale=small, modelType=rbac, useCache=false)";
        let tp = metric(&run, enforce, "throughput");
        assert_eq!(tp.unit, Unit::PerSecond);
        // ops/ms to ops/s.
        let Data::Samples(s) = &tp.data else {
            panic!("{:?}", tp.data)
        };
        assert_eq!(s.len(), 3);
        assert!((s[0] - 15_889.612079979479).abs() < 1e-6, "{}", s[0]);
        assert!((s[2] - 24_119.562_527_568_99).abs() < 1e-6, "{}", s[2]);
        let memory =
            "org.casbin.jcasbin.main.benchmark.BenchmarkMemory.measureMemory [ss] (scenario=ACL)";
        let t = metric(&run, memory, "time");
        assert_eq!(t.unit, Unit::Nanoseconds);
        assert_eq!(t.direction, Direction::LowerIsBetter);
        assert_eq!(t.data.n(), 3);
        let add = "org.casbin.jcasbin.main.benchmark.BenchmarkManagement.addPolicy [thrpt] (currentRuleSize=100000)";
        assert!(run.benchmark(add).is_some());
        assert_eq!(
            run.meta.environment.extra.get("jdk_version"),
            Some(&"17.0.8".to_string())
        );
        // Every result has exactly one metric: no secondary metrics in this file.
        assert_eq!(run.metric_count(), 37);
    }

    #[test]
    fn reads_the_six_caffeine_results_in_ops_per_second() {
        let run = parse(SIX).unwrap();
        assert_eq!(run.benchmarks.len(), 6);
        let name = "com.github.caffeine.caffeine.cache.ComputeBenchmark.compute_sameKey [thrpt] (computeType=Caffeine)";
        assert_eq!(
            metric(&run, name, "throughput").data,
            Data::Samples(vec![
                1.524957059947031E8,
                1.5272414315072593E8,
                1.5234054788663682E8
            ])
        );
        assert_eq!(
            run.meta.environment.extra.get("jmh_version"),
            Some(&"1.36".to_string())
        );
        insta::assert_json_snapshot!("bencher_jmh_six", run);
    }

    #[test]
    fn keeps_only_the_normalised_allocation_of_the_gc_profiler() {
        let run = parse(AVGT_GC).unwrap();
        let name = "org.x.Bench.parse [avgt] (kind=json, size=10)";
        let b = run.benchmark(name).unwrap();
        let names: Vec<&str> = b.metrics.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["time", "alloc_bytes"]);
        // us/op to ns; the "NaN" iteration is skipped.
        assert_eq!(
            metric(&run, name, "time").data,
            Data::Samples(vec![1250.0, 1750.0])
        );
        let alloc = metric(&run, name, "alloc_bytes");
        assert_eq!(alloc.unit, Unit::Bytes);
        assert_eq!(alloc.direction, Direction::LowerIsBetter);
        assert_eq!(alloc.data, Data::Samples(vec![1024.0, 1024.5]));
    }

    #[test]
    fn uses_the_score_without_raw_data_and_pools_a_repeated_identity() {
        let text = r#"[
            {"benchmark": "a.B.m", "mode": "sample", "primaryMetric": {"score": 2, "scoreUnit": "ms/op"}},
            {"benchmark": "a.B.m", "mode": "sample", "params": {}, "primaryMetric": {"score": "3", "scoreUnit": "ms/op", "rawData": []}}
        ]"#;
        let run = parse(text).unwrap();
        assert_eq!(run.benchmarks.len(), 1);
        assert_eq!(
            metric(&run, "a.B.m [sample]", "time").data,
            Data::Samples(vec![2e6, 3e6])
        );
    }

    #[test]
    fn detects_jmh_files_and_rejects_others() {
        for text in [ONE, PARAMS, JCASBIN, SIX, AVGT_GC] {
            assert!(looks_like_json(&lenient_json(text).unwrap()));
        }
        for other in [
            "[]",
            r#"[{"name": "a", "unit": "ns", "value": 1}]"#,
            r#"[{"Julia": "1.7", "BenchmarkTools": "1.0"}, []]"#,
            r#"{"benchmark": "a", "primaryMetric": {}}"#,
        ] {
            assert!(!looks_like_json(&lenient_json(other).unwrap()), "{other}");
        }
    }

    #[test]
    fn fails_on_empty_input() {
        assert!(err("").message.contains("empty"));
        assert!(err("[]").message.contains("the array is empty"));
    }

    #[test]
    fn fails_on_truncated_json_with_its_line() {
        let e = err(SIX.get(..1200).unwrap());
        assert!(e.line.is_some(), "{e:?}");
        assert!(e.message.contains("EOF"), "{e}");
    }

    /// Each result's name was searched in the benchmarks so far: 50,000 results took minutes, a
    /// moment by a map (no timing is asserted).
    #[test]
    fn reads_fifty_thousand_results_in_one_pass() {
        let items: Vec<String> = (0..50_000)
            .map(|i| {
                format!(r#"{{"benchmark": "a.B.m{i}", "mode": "avgt", "primaryMetric": {{"score": {i}, "scoreUnit": "ns/op"}}}}"#)
            })
            .collect();
        let run = parse(&format!("[{}]", items.join(","))).unwrap();
        assert_eq!(run.benchmarks.len(), 50_000);
        let last = run.benchmarks.last().unwrap();
        assert_eq!(last.metric("time").unwrap().data, Data::Value(49_999.0));
    }

    #[test]
    fn fails_on_wrong_shapes() {
        let e = err(r#"{"benchmark": "x"}"#);
        assert!(e.message.contains("found an object"), "{e}");
        let e = err("[\n  1\n]");
        assert_eq!(e.line, Some(2));
        assert!(
            e.message.contains("`[0]`: expected a JMH result object"),
            "{e}"
        );
        let e = err(r#"[{"mode": "avgt"}]"#);
        assert!(e.message.contains("`[0]` has no `benchmark`"), "{e}");
        let e = err(r#"[{"benchmark": "a.B.m"}]"#);
        assert!(e.message.contains("`a.B.m` has no `mode`"), "{e}");
        let e = err(r#"[{"benchmark": "a.B.m", "mode": "avgt"}]"#);
        assert!(
            e.message.contains("`a.B.m [avgt]` has no `primaryMetric`"),
            "{e}"
        );
        let e =
            err(r#"[{"benchmark": "a.B.m", "mode": "avgt", "params": [1], "primaryMetric": {}}]"#);
        assert!(e.message.contains("`params` must be an object"), "{e}");
        let e = err(r#"[{"benchmark": "a.B.m", "mode": "avgt", "primaryMetric": {"score": 1}}]"#);
        assert!(e.message.contains("has no `scoreUnit`"), "{e}");
        let e = err(
            r#"[{"benchmark": "a.B.m", "mode": "avgt", "primaryMetric": {"score": 1, "scoreUnit": "ns/op", "rawData": [3]}}]"#,
        );
        assert!(
            e.message
                .contains("`primaryMetric.rawData[0]` must be an array"),
            "{e}"
        );
    }

    #[test]
    fn fails_on_bad_numbers() {
        let e = err(
            r#"[{"benchmark": "a.B.m", "mode": "avgt", "primaryMetric": {"score": 1, "scoreUnit": "ns/op", "rawData": [[1, "fast"]]}}]"#,
        );
        assert!(
            e.message.contains(
                "`primaryMetric.rawData[0][1]` must be a number, found the string \"fast\""
            ),
            "{e}"
        );
        let e = err(
            r#"[{"benchmark": "a.B.m", "mode": "avgt", "primaryMetric": {"score": -1, "scoreUnit": "ns/op"}}]"#,
        );
        assert!(e.message.contains("negative"), "{e}");
        let e = err(
            r#"[{"benchmark": "a.B.m", "mode": "avgt", "primaryMetric": {"score": "NaN", "scoreUnit": "ns/op"}}]"#,
        );
        assert!(e.message.contains("no finite score"), "{e}");
    }
}
