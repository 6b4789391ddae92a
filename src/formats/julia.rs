//! Julia BenchmarkTools.jl results saved with `BenchmarkTools.save("results.json", results)`:
//! `[{"Julia": "<version>", "BenchmarkTools": "<version>"}, [<value>, ...]]`, where every value is a
//! `[<TypeName>, {fields}]` pair: a `BenchmarkGroup` (`{"data": {<key>: <value>}, "tags": [...]}`,
//! nested to any depth), a `TrialEstimate` (`{time, gctime, memory, allocs, params}`, the result
//! of `median(trial)`, `minimum(trial)`...) or a `Trial` (`{times[], gctimes[], memory, allocs,
//! params}`, every sample).
//!
//! Detection ([`looks_like_json`]): a two-element array whose first element is an object with
//! `Julia` and `BenchmarkTools`.
//!
//! Each leaf is one benchmark named by the path of group keys down to it, joined with `/`
//! (`fib/10`); group keys are sorted so that runs list benchmarks in the same order. A leaf saved
//! at the top level, outside any group, is named by its 1-based position in the file. A
//! `TrialEstimate` gives one value per metric: `time` and `gc_time` (nanoseconds per evaluation),
//! `alloc_bytes` (`memory`, bytes) and `allocs`. A `Trial` gives every sample of `times` and
//! `gctimes` as samples of `time` and `gc_time`, and its `memory` and `allocs` as values. Other
//! types (`TrialRatio`, `TrialJudgement`) are comparisons, not measurements, and are skipped.

use serde_json::{Map, Value};

use super::common::json::{copy_fields, json_array, kind_of};
use super::spec::{Detect, ParseError, Spec};
use crate::model::{Benchmark, Data, Environment, Metric, Run, RunMeta, Unit};

/// How `julia` is named, detected and read.
pub const SPEC: Spec = Spec {
    name: "julia",
    aliases: &[],
    reads: "Julia BenchmarkTools.save JSON",
    detected_by: "JSON array `[{Julia, BenchmarkTools}, [...]]`",
    detect: &[Detect::Json(looks_like_json)],
    parse,
};

/// True for a BenchmarkTools.save file: `[{"Julia": ..., "BenchmarkTools": ...}, [...]]`.
pub fn looks_like_json(v: &Value) -> bool {
    let Value::Array(items) = v else { return false };
    let [Value::Object(header), Value::Array(_)] = items.as_slice() else {
        return false;
    };
    header.contains_key("Julia") && header.contains_key("BenchmarkTools")
}

/// Parses a BenchmarkTools.save JSON file; see the module documentation.
pub fn parse(text: &str) -> Result<Run, ParseError> {
    let (_, items) = json_array(
        text,
        "the BenchmarkTools file is empty: expected the JSON written by `BenchmarkTools.save`",
        |v| {
            format!("expected a BenchmarkTools.save array `[{{\"Julia\": ..., \"BenchmarkTools\": ...}}, [...]]`, found {}", kind_of(v))
        },
    )?;
    let items = &items;
    let (header, values) = match items.as_slice() {
        [Value::Object(h), Value::Array(v)] => (h, v),
        [Value::Object(_), other] => {
            return Err(ParseError::whole(format!(
                "the second element of a BenchmarkTools file must be the array of saved values, found {}",
                kind_of(other)
            )))
        }
        _ => {
            return Err(ParseError::whole(
                "not a BenchmarkTools.save file: expected a two-element array of a version header and the saved values",
            ))
        }
    };
    let mut benchmarks = Vec::new();
    for (i, value) in values.iter().enumerate() {
        let top = (i + 1).to_string();
        read_value(value, &[], &top, &mut benchmarks).map_err(ParseError::whole)?;
    }
    if benchmarks.is_empty() {
        return Err(ParseError::whole(
            "the BenchmarkTools file has no results: expected a `BenchmarkGroup` holding `TrialEstimate` or `Trial` values",
        ));
    }
    Ok(Run::new(read_meta(header), benchmarks))
}

/// Reads one `[TypeName, {fields}]` value found at `path`.
fn read_value(
    value: &Value,
    path: &[&str],
    top: &str,
    out: &mut Vec<Benchmark>,
) -> Result<(), String> {
    let at = if path.is_empty() {
        format!("value {top}")
    } else {
        format!("`{}`", path.join("/"))
    };
    let (kind, fields) = match value {
        Value::Array(pair) => match pair.as_slice() {
            [Value::String(kind), Value::Object(fields)] => (kind.as_str(), fields),
            _ => {
                return Err(format!(
                    "{at}: expected a `[\"TypeName\", {{fields}}]` pair such as `[\"TrialEstimate\", {{...}}]`"
                ))
            }
        },
        other => {
            return Err(format!(
                "{at}: expected a `[\"TypeName\", {{fields}}]` pair, found {}",
                kind_of(other)
            ))
        }
    };
    let name = || {
        if path.is_empty() {
            top.to_string()
        } else {
            path.join("/")
        }
    };
    match kind {
        "BenchmarkGroup" => {
            let data = match fields.get("data") {
                Some(Value::Object(d)) => d,
                Some(other) => {
                    return Err(format!(
                        "{at}: `data` of a BenchmarkGroup must be an object, found {}",
                        kind_of(other)
                    ))
                }
                None => return Err(format!("{at}: the BenchmarkGroup has no `data`")),
            };
            // serde_json's map iterates keys in sorted order.
            for (key, child) in data {
                let mut child_path = path.to_vec();
                child_path.push(key);
                read_value(child, &child_path, top, out)?;
            }
        }
        "TrialEstimate" => {
            let mut b = Benchmark::new(name());
            let time = nanoseconds(&at, fields, "time")?
                .ok_or_else(|| format!("{at}: the TrialEstimate has no `time` in nanoseconds"))?;
            b.push(Metric::new("time", Unit::Nanoseconds, Data::Value(time)));
            if let Some(gc) = nanoseconds(&at, fields, "gctime")? {
                b.push(Metric::new("gc_time", Unit::Nanoseconds, Data::Value(gc)));
            }
            push_memory(&at, fields, &mut b)?;
            out.push(b);
        }
        "Trial" => {
            let mut b = Benchmark::new(name());
            let times = samples(&at, fields, "times")?;
            if times.is_empty() {
                return Err(format!("{at}: the Trial has no `times`"));
            }
            b.push(Metric::new("time", Unit::Nanoseconds, as_data(times)));
            let gc = samples(&at, fields, "gctimes")?;
            if !gc.is_empty() {
                b.push(Metric::new("gc_time", Unit::Nanoseconds, as_data(gc)));
            }
            push_memory(&at, fields, &mut b)?;
            out.push(b);
        }
        _ => {}
    }
    Ok(())
}

fn as_data(mut v: Vec<f64>) -> Data {
    if v.len() == 1 {
        Data::Value(v.pop().unwrap_or_default())
    } else {
        Data::Samples(v)
    }
}

fn push_memory(at: &str, fields: &Map<String, Value>, b: &mut Benchmark) -> Result<(), String> {
    if let Some(bytes) = number(at, fields, "memory")? {
        if bytes < 0.0 {
            return Err(format!("{at}: `memory` is negative ({bytes})"));
        }
        b.push(Metric::new("alloc_bytes", Unit::Bytes, Data::Value(bytes)));
    }
    if let Some(allocs) = number(at, fields, "allocs")? {
        if allocs < 0.0 {
            return Err(format!(
                "{at}: `allocs` is negative ({allocs}): expected a count of allocations, 0 or more"
            ));
        }
        b.push(Metric::new("allocs", Unit::Count, Data::Value(allocs)));
    }
    Ok(())
}

fn nanoseconds(at: &str, fields: &Map<String, Value>, key: &str) -> Result<Option<f64>, String> {
    let v = number(at, fields, key)?;
    if let Some(x) = v {
        if x < 0.0 {
            return Err(format!("{at}: `{key}` is negative ({x} ns)"));
        }
    }
    Ok(v)
}

/// A number: `None` when absent, null or not finite.
fn number(at: &str, fields: &Map<String, Value>, key: &str) -> Result<Option<f64>, String> {
    match fields.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => Ok(n.as_f64().filter(|x| x.is_finite())),
        Some(other) => Err(format!(
            "{at}: `{key}` must be a number, found {}",
            kind_of(other)
        )),
    }
}

/// The finite numbers of an array of nanoseconds.
fn samples(at: &str, fields: &Map<String, Value>, key: &str) -> Result<Vec<f64>, String> {
    let items = match fields.get(key) {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(other) => {
            return Err(format!(
                "{at}: `{key}` must be an array of nanoseconds, found {}",
                kind_of(other)
            ))
        }
    };
    let mut out = Vec::with_capacity(items.len());
    for (k, v) in items.iter().enumerate() {
        match v {
            Value::Null => {}
            Value::Number(n) => {
                if let Some(x) = n.as_f64().filter(|x| x.is_finite()) {
                    if x < 0.0 {
                        return Err(format!("{at}: `{key}[{k}]` is negative ({x} ns)"));
                    }
                    out.push(x);
                }
            }
            other => {
                return Err(format!(
                    "{at}: `{key}[{k}]` must be a number, found {}",
                    kind_of(other)
                ))
            }
        }
    }
    Ok(out)
}

fn read_meta(header: &Map<String, Value>) -> RunMeta {
    let mut env = Environment::default();
    copy_fields(
        header,
        &[
            ("Julia", "julia_version"),
            ("BenchmarkTools", "benchmarktools_version"),
        ],
        &mut env.extra,
    );
    RunMeta {
        tool: Some("julia".to_string()),
        environment: env,
        ..RunMeta::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::common::json::lenient_json;
    use crate::formats::test_support::metric;
    use crate::model::Direction;

    const OUTPUT: &str = include_str!("../../tests/fixtures/julia/julia_output.json");

    fn err(text: &str) -> String {
        parse(text).unwrap_err().to_string()
    }

    #[test]
    fn reads_trial_estimates_named_by_their_group_path() {
        let run = parse(OUTPUT).unwrap();
        let all: Vec<&str> = run.benchmarks.iter().map(|b| b.name.as_str()).collect();
        // Keys sorted as strings.
        assert_eq!(all, ["fib/10", "fib/20"]);
        let t = metric(&run, "fib/10", "time");
        assert_eq!(t.unit, Unit::Nanoseconds);
        assert_eq!(t.direction, Direction::LowerIsBetter);
        assert_eq!(t.data, Data::Value(246.03846153846155));
        assert_eq!(metric(&run, "fib/20", "time").data, Data::Value(31028.0));
        assert_eq!(metric(&run, "fib/20", "gc_time").data, Data::Value(0.0));
        let mem = metric(&run, "fib/20", "alloc_bytes");
        assert_eq!(mem.unit, Unit::Bytes);
        assert_eq!(mem.data, Data::Value(0.0));
        let allocs = metric(&run, "fib/10", "allocs");
        assert_eq!(allocs.unit, Unit::Count);
        assert_eq!(allocs.data, Data::Value(0.0));
        let names: Vec<&str> = run.benchmarks[0]
            .metrics
            .iter()
            .map(|m| m.name.as_str())
            .collect();
        assert_eq!(names, ["time", "gc_time", "alloc_bytes", "allocs"]);
        assert_eq!(run.meta.tool.as_deref(), Some("julia"));
        let extra = |k: &str| run.meta.environment.extra.get(k).map(String::as_str);
        assert_eq!(extra("julia_version"), Some("1.7.0-rc3"));
        assert_eq!(extra("benchmarktools_version"), Some("1.0.0"));
        insta::assert_json_snapshot!("julia_output", run);
    }

    #[test]
    fn reads_trials_as_samples_and_top_level_leaves_by_position() {
        let run = parse(
            r#"[{"Julia": "1.10.0", "BenchmarkTools": "1.4.0"}, [
                ["BenchmarkGroup", {"data": {
                    "io": ["BenchmarkGroup", {"data": {
                        "read": ["Trial", {"times": [100.0, 120.5, NaN], "gctimes": [0.0, 3.0],
                                          "memory": 4096, "allocs": 12, "params": ["Parameters", {}]}],
                        "ratio": ["TrialRatio", {"time": 1.1}]
                    }, "tags": []}]
                }, "tags": []}],
                ["TrialEstimate", {"time": 5.0, "gctime": 0.0, "memory": 0, "allocs": 0}]
            ]]"#,
        )
        .unwrap();
        let all: Vec<&str> = run.benchmarks.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(all, ["io/read", "2"]);
        assert_eq!(
            metric(&run, "io/read", "time").data,
            Data::Samples(vec![100.0, 120.5])
        );
        assert_eq!(
            metric(&run, "io/read", "gc_time").data,
            Data::Samples(vec![0.0, 3.0])
        );
        assert_eq!(
            metric(&run, "io/read", "alloc_bytes").data,
            Data::Value(4096.0)
        );
        assert_eq!(metric(&run, "io/read", "allocs").data, Data::Value(12.0));
        assert_eq!(metric(&run, "2", "time").data, Data::Value(5.0));
    }

    #[test]
    fn detects_benchmarktools_files_and_rejects_others() {
        assert!(looks_like_json(&lenient_json(OUTPUT).unwrap()));
        for other in [
            r#"[{"Julia": "1.7"}, []]"#,
            r#"[{"Julia": "1.7", "BenchmarkTools": "1.0"}]"#,
            r#"[{"benchmark": "a", "primaryMetric": {}}]"#,
            r#"[{"name": "a", "unit": "ns", "value": 1}]"#,
            r#"{"Julia": "1.7", "BenchmarkTools": "1.0"}"#,
        ] {
            assert!(!looks_like_json(&lenient_json(other).unwrap()), "{other}");
        }
    }

    #[test]
    fn fails_on_empty_input_and_no_results() {
        assert!(err("").contains("empty"));
        let e = err(r#"[{"Julia": "1.7", "BenchmarkTools": "1.0"}, []]"#);
        assert!(e.contains("no results"), "{e}");
        let e = err(
            r#"[{"Julia": "1.7", "BenchmarkTools": "1.0"}, [["BenchmarkGroup", {"data": {}, "tags": []}]]]"#,
        );
        assert!(e.contains("no results"), "{e}");
    }

    #[test]
    fn fails_on_truncated_json_with_its_line() {
        let e = parse(OUTPUT.get(..600).unwrap()).unwrap_err();
        assert!(e.line.is_some(), "{e:?}");
        assert!(e.message.contains("EOF"), "{e}");
    }

    #[test]
    fn fails_on_wrong_shapes() {
        let e = err(r#"{"Julia": "1.7"}"#);
        assert!(e.contains("found an object"), "{e}");
        let e = err(r#"[1, 2, 3]"#);
        assert!(e.contains("two-element array"), "{e}");
        let e = err(r#"[{"Julia": "1.7"}, {"a": 1}]"#);
        assert!(e.contains("must be the array of saved values"), "{e}");
        let e = err(r#"[{"Julia": "1.7"}, [["BenchmarkGroup", {"data": {"a": 3}}]]]"#);
        assert!(
            e.contains("`a`: expected a `[\"TypeName\", {fields}]` pair, found the number 3"),
            "{e}"
        );
        let e = err(r#"[{"Julia": "1.7"}, [["BenchmarkGroup", {"tags": []}]]]"#);
        assert!(
            e.contains("value 1: the BenchmarkGroup has no `data`"),
            "{e}"
        );
        let e = err(
            r#"[{"Julia": "1.7"}, [["BenchmarkGroup", {"data": {"a": ["TrialEstimate", {"memory": 1}]}}]]]"#,
        );
        assert!(e.contains("`a`: the TrialEstimate has no `time`"), "{e}");
        let e = err(r#"[{"Julia": "1.7"}, [["Trial", {"times": []}]]]"#);
        assert!(e.contains("the Trial has no `times`"), "{e}");
    }

    #[test]
    fn fails_on_bad_numbers() {
        let e = err(
            r#"[{"Julia": "1.7"}, [["BenchmarkGroup", {"data": {"a": ["TrialEstimate", {"time": "12ns"}]}}]]]"#,
        );
        assert!(
            e.contains("`a`: `time` must be a number, found the string \"12ns\""),
            "{e}"
        );
        let e = err(r#"[{"Julia": "1.7"}, [["Trial", {"times": [1, -2]}]]]"#);
        assert!(e.contains("`times[1]` is negative"), "{e}");
        let e = err(r#"[{"Julia": "1.7"}, [["Trial", {"times": [1, true]}]]]"#);
        assert!(
            e.contains("`times[1]` must be a number, found the boolean true"),
            "{e}"
        );
    }

    #[test]
    fn fails_on_a_negative_allocation_count() {
        let text = OUTPUT.replacen("\"allocs\": 0,", "\"allocs\": -1.5,", 1);
        assert_ne!(text, OUTPUT);
        assert_eq!(
            err(&text),
            "`fib/20`: `allocs` is negative (-1.5): expected a count of allocations, 0 or more"
        );
    }
}
