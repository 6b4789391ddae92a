//! hyperfine `--export-json` files: `{"results": [{command, mean, user, system, times[],
//! memory_usage_byte[]?, exit_codes[], parameters{}?, ...}]}`, all times in seconds.
//!
//! Each result becomes one benchmark named by its command. Its `time` metric holds every run's
//! wall time as samples (converted to nanoseconds), so that baseline and current runs can be
//! compared sample against sample; `user` and `system` are hyperfine's mean CPU times, and
//! `memory` the per-run peak RSS when hyperfine measured it. Runs that failed (non-zero or `null`
//! exit codes, allowed with `--ignore-failure`) are kept as measured. Two results with one name
//! (the same command, or the same `--command-name` for two commands) are an error: pooling their
//! runs would mix two measurements into one benchmark.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::common::json::{
    array_field, item_lines, json_document, kind_of, object_or, param_label,
};
use super::common::S_TO_NS;
use super::spec::{Detect, ParseError, Spec};
use crate::model::{Benchmark, Data, Metric, Run, RunMeta, Unit};

/// How `hyperfine` is named, detected and read.
pub const SPEC: Spec = Spec {
    name: "hyperfine",
    aliases: &[],
    reads: "hyperfine --export-json",
    detected_by: "JSON object with `results[]` whose items have `command` and `times`",
    detect: &[Detect::Json(looks_like_json)],
    parse,
};

/// True for an object whose `results[]` hold a `command` and its `times`.
pub fn looks_like_json(v: &serde_json::Value) -> bool {
    match v.get("results") {
        Some(serde_json::Value::Array(results)) => results
            .iter()
            .any(|r| r.get("command").is_some() && r.get("times").is_some()),
        _ => false,
    }
}

/// Parses a hyperfine JSON export; see the module documentation.
pub fn parse(text: &str) -> Result<Run, ParseError> {
    let (text, doc) = json_document(
        text,
        "the hyperfine export is empty: expected the JSON written by `hyperfine --export-json <file>`",
    )?;
    let (_, results) = array_field(
        &doc,
        "results",
        "a hyperfine --export-json object with `results`",
        "benchmark results",
        "not a hyperfine export: the object has no `results` array",
    )?;
    let lines = item_lines(text, Some("results"));

    let mut read = Vec::new();
    for (i, r) in results.iter().enumerate() {
        if r.is_null() {
            continue;
        }
        read.push(read_result(i, r).map_err(|msg| ParseError::new(lines.get(i).copied(), msg))?);
    }
    if read.is_empty() {
        return Err(ParseError::whole(
            "the hyperfine export has no results: `results` is empty",
        ));
    }

    // Parameters only lengthen a name when the command alone is not unique (`--command-name`).
    let mut uses: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &read {
        *uses.entry(r.command.as_str()).or_default() += 1;
    }
    let names: Vec<String> = read
        .iter()
        .map(|r| match (&r.params, uses.get(r.command.as_str())) {
            (Some(p), Some(n)) if *n > 1 => format!("{} ({p})", r.command),
            _ => r.command.clone(),
        })
        .collect();

    // Two results under one name may be two different commands (`--command-name` given twice):
    // pooling their runs would make one benchmark of both.
    let mut first: BTreeMap<&str, usize> = BTreeMap::new();
    for (name, r) in names.iter().zip(&read) {
        if let Some(earlier) = first.insert(name.as_str(), r.index) {
            return Err(ParseError::new(
                lines.get(r.index).copied(),
                format!(
                    "`results[{}]` has the same name as `results[{earlier}]`: `{name}`; give each command its own name with hyperfine's `--command-name`",
                    r.index
                ),
            ));
        }
    }
    let benchmarks = names
        .into_iter()
        .zip(read)
        .map(|(name, r)| Benchmark {
            name,
            metrics: r.metrics,
        })
        .collect();
    let meta = RunMeta {
        tool: Some("hyperfine".to_string()),
        ..RunMeta::default()
    };
    Ok(Run::new(meta, benchmarks))
}

struct ResultEntry {
    /// The position in `results`.
    index: usize,
    command: String,
    /// `k=v, ...` sorted by key, when the result has parameters.
    params: Option<String>,
    metrics: Vec<Metric>,
}

fn read_result(i: usize, r: &Value) -> Result<ResultEntry, String> {
    let o = object_or(r, |kind| {
        format!("`results[{i}]` must be an object with `command` and `times`, found {kind}")
    })?;
    let command = match o.get("command") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
        Some(Value::String(_)) => return Err(format!("`results[{i}].command` is empty")),
        Some(other) => {
            return Err(format!(
                "`results[{i}].command` must be a string, found {}",
                kind_of(other)
            ))
        }
        None => return Err(format!("`results[{i}]` has no `command`")),
    };
    let at = |field: &str| format!("`results[{i}].{field}` of `{command}`");
    let params = match o.get("parameters") {
        None | Some(Value::Null) => None,
        Some(Value::Object(p)) if p.is_empty() => None,
        Some(Value::Object(p)) => Some(param_label(p)),
        Some(other) => {
            return Err(format!(
                "{} must be an object of parameter values, found {}",
                at("parameters"),
                kind_of(other)
            ))
        }
    };

    let mut metrics = Vec::new();
    let times = number_array(o, i, &command, "times", "seconds", S_TO_NS)?;
    // hyperfine writes a time it could not measure (NaN) as null: times given but every one
    // null means nothing was measured, whatever `mean` says.
    let given = o.get("times").and_then(Value::as_array).map_or(0, Vec::len);
    if times.is_empty() && given > 0 {
        return Err(format!(
            "every one of the {given} values of {} is null (not a number): hyperfine measured no time for `{command}`",
            at("times")
        ));
    }
    let time = if times.is_empty() {
        match o.get("mean") {
            Some(v) => match seconds(v, &at("mean"))? {
                Some(mean) => Data::Value(mean),
                None => {
                    return Err(format!(
                        "{} is null and `times` is empty: no time was measured",
                        at("mean")
                    ))
                }
            },
            None => {
                return Err(format!(
                "`results[{i}]` (`{command}`) has neither `times` nor `mean`: no time was measured"
            ))
            }
        }
    } else {
        Data::Samples(times)
    };
    metrics.push(Metric::new("time", Unit::Nanoseconds, time));
    for field in ["user", "system"] {
        if let Some(v) = o.get(field) {
            if let Some(ns) = seconds(v, &at(field))? {
                metrics.push(Metric::new(field, Unit::Nanoseconds, Data::Value(ns)));
            }
        }
    }
    let memory = number_array(o, i, &command, "memory_usage_byte", "bytes", 1.0)?;
    if !memory.is_empty() {
        metrics.push(Metric::new("memory", Unit::Bytes, Data::Samples(memory)));
    }
    Ok(ResultEntry {
        index: i,
        command,
        params,
        metrics,
    })
}

/// A time in seconds as nanoseconds; `None` for `null`.
fn seconds(v: &Value, what: &str) -> Result<Option<f64>, String> {
    let s = match v {
        Value::Null => return Ok(None),
        Value::Number(n) => n.as_f64(),
        other => {
            return Err(format!(
                "{what} must be a number of seconds, found {}",
                kind_of(other)
            ))
        }
    };
    match s {
        Some(s) if s.is_finite() && s >= 0.0 && (s * S_TO_NS).is_finite() => Ok(Some(s * S_TO_NS)),
        Some(s) if s < 0.0 => Err(format!("{what} is negative ({s} s); a duration cannot be")),
        _ => Err(format!("{what} is not a finite number of seconds")),
    }
}

/// The non-null numbers of the optional array `key` of result `i`, times `factor`; negative or
/// non-numeric entries are errors.
fn number_array(
    o: &Map<String, Value>,
    i: usize,
    command: &str,
    key: &str,
    unit: &str,
    factor: f64,
) -> Result<Vec<f64>, String> {
    let what = format!("`results[{i}].{key}` of `{command}`");
    let item = |j: usize| format!("`results[{i}].{key}[{j}]` of `{command}`");
    let items = match o.get(key) {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(a)) => a,
        Some(other) => {
            return Err(format!(
                "{what} must be an array of {unit}, found {}",
                kind_of(other)
            ))
        }
    };
    let mut out = Vec::with_capacity(items.len());
    for (j, v) in items.iter().enumerate() {
        let x = match v {
            Value::Null => continue,
            Value::Number(n) => n.as_f64().map(|x| (x, x * factor)),
            other => {
                return Err(format!(
                    "{} must be a number of {unit}, found {}",
                    item(j),
                    kind_of(other)
                ))
            }
        };
        match x {
            Some((raw, _)) if raw < 0.0 => {
                return Err(format!("{} is negative ({raw} {unit})", item(j)))
            }
            Some((_, scaled)) if scaled.is_finite() => out.push(scaled),
            _ => return Err(format!("{} is not a finite number of {unit}", item(j))),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::test_support::{metric, value};
    use crate::model::Direction;

    const ONE: &str = include_str!("../../tests/fixtures/hyperfine/hyperfine-one.json");
    const TWO: &str = include_str!("../../tests/fixtures/hyperfine/hyperfine-two.json");
    /// Hand-made (see the fixtures' README): parameters, memory, null entries, one run.
    const PARAMS: &str =
        include_str!("../../tests/fixtures/hyperfine/hyperfine-params-memory-handmade.json");

    fn samples(run: &Run, bench: &str, name: &str) -> Vec<f64> {
        match &metric(run, bench, name).data {
            Data::Samples(s) => s.clone(),
            other => panic!("`{bench}` `{name}` is not samples: {other:?}"),
        }
    }

    fn err(text: &str) -> ParseError {
        parse(text).unwrap_err()
    }

    #[test]
    fn reads_every_run_time_as_a_sample_in_nanoseconds() {
        let run = parse(ONE).unwrap();
        assert_eq!(run.meta.tool.as_deref(), Some("hyperfine"));
        assert_eq!(run.benchmarks.len(), 1);
        let b = run.benchmark("sleep 0.01").unwrap();
        let names: Vec<&str> = b.metrics.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["time", "user", "system"]);
        let times = samples(&run, "sleep 0.01", "time");
        assert_eq!(times.len(), 214);
        assert_eq!(times.first(), Some(&(0.01074585146 * 1e9)));
        let time = metric(&run, "sleep 0.01", "time");
        assert_eq!(time.unit, Unit::Nanoseconds);
        assert_eq!(time.direction, Direction::LowerIsBetter);
        assert_eq!(
            value(&run, "sleep 0.01", "user"),
            0.0003436104672897197 * 1e9
        );
        assert_eq!(
            value(&run, "sleep 0.01", "system"),
            0.0006016885981308419 * 1e9
        );
    }

    #[test]
    fn reads_two_commands_as_two_benchmarks() {
        let run = parse(TWO).unwrap();
        let names: Vec<&str> = run.benchmarks.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(names, ["sleep 0.1", "sleep 0.2"]);
        let a = samples(&run, "sleep 0.1", "time");
        assert_eq!(a.len(), 27);
        assert_eq!(a.first(), Some(&(0.10586876872 * 1e9)));
        assert_eq!(a.last(), Some(&(0.11127360172 * 1e9)));
        let b = samples(&run, "sleep 0.2", "time");
        assert_eq!(b.len(), 13);
        assert_eq!(b.last(), Some(&(0.21289764272000003 * 1e9)));
        assert_eq!(value(&run, "sleep 0.2", "user"), 0.001013969230769231 * 1e9);
        assert_eq!(
            value(&run, "sleep 0.2", "system"),
            0.0020861323076923075 * 1e9
        );
        assert!(run.benchmarks.iter().all(|b| b.metric("memory").is_none()));
        insta::assert_json_snapshot!("hyperfine_two", run);
    }

    #[test]
    fn names_colliding_commands_by_sorted_parameters_and_reads_memory() {
        let run = parse(PARAMS).unwrap();
        let names: Vec<&str> = run.benchmarks.iter().map(|b| b.name.as_str()).collect();
        // `sleep 0.5` is unique, so its parameter does not lengthen its name.
        assert_eq!(
            names,
            [
                "build (profile=release, threads=1)",
                "build (profile=release, threads=2)",
                "sleep 0.5"
            ]
        );
        let one = "build (profile=release, threads=1)";
        assert_eq!(samples(&run, one, "time"), [1.4e9, 1.5e9, 1.6e9]);
        assert_eq!(value(&run, one, "user"), 1.25e9);
        assert_eq!(value(&run, one, "system"), 0.125e9);
        let mem = metric(&run, one, "memory");
        assert_eq!(mem.unit, Unit::Bytes);
        assert_eq!(mem.direction, Direction::LowerIsBetter);
        assert_eq!(
            samples(&run, one, "memory"),
            [104857600.0, 105906176.0, 104857600.0]
        );
        // Null runs (a run killed by a signal) are skipped.
        let two = "build (profile=release, threads=2)";
        assert_eq!(samples(&run, two, "time"), [0.8e9, 0.9e9]);
        assert_eq!(samples(&run, two, "memory"), [209715200.0, 210763776.0]);
        // One run, null stddev, non-zero exit code: still read.
        assert_eq!(samples(&run, "sleep 0.5", "time"), [0.5021e9]);
        insta::assert_json_snapshot!("hyperfine_params_memory_handmade", run);
    }

    #[test]
    fn real_files_are_detected_as_hyperfine() {
        for text in [ONE, TWO, PARAMS] {
            assert_eq!(
                super::super::detect(text),
                Ok(super::super::Format::Hyperfine)
            );
        }
    }

    #[test]
    fn uses_the_mean_when_times_are_missing_or_empty() {
        let run = parse(
            r#"{"results": [{"command": "a", "mean": 0.25, "times": []},
                                        {"command": "c", "mean": 2}]}"#,
        )
        .unwrap();
        assert_eq!(value(&run, "a", "time"), 0.25e9);
        assert_eq!(value(&run, "c", "time"), 2e9);
        // Times given, every one null (NaN): nothing was measured, whatever the mean says.
        let e = parse(r#"{"results": [{"command": "b", "mean": 0.5, "times": [null, null]}]}"#)
            .unwrap_err();
        assert!(e.to_string().contains("every one of the 2 values"), "{e}");
        assert!(run.benchmark("c").unwrap().metric("user").is_none());
    }

    #[test]
    fn fails_on_two_results_with_one_name() {
        // Once pooled: one `sleep 0.1` benchmark of 40 runs, 27 of them from another command.
        let text = TWO.replacen(
            "\"command\": \"sleep 0.2\"",
            "\"command\": \"sleep 0.1\"",
            1,
        );
        assert_ne!(text, TWO);
        let e = err(&text);
        assert_eq!(
            e.message,
            "`results[1]` has the same name as `results[0]`: `sleep 0.1`; give each command its own name with hyperfine's `--command-name`"
        );
        assert!(e.line.is_some(), "{e:?}");
        // The same parameters do not tell two results of one command apart either.
        let e = err(
            r#"{"results": [{"command": "a", "times": [1], "parameters": {"n": "1"}},
                            {"command": "a", "times": [2], "parameters": {"n": "1"}}]}"#,
        );
        assert!(e.message.contains("`a (n=1)`"), "{e}");
    }

    #[test]
    fn fails_on_empty_text_and_empty_results() {
        let e = err("");
        assert!(e.message.contains("empty"), "{e}");
        let e = err(r#"{"results": []}"#);
        assert!(e.message.contains("no results"), "{e}");
        let e = err(r#"{"results": [null]}"#);
        assert!(e.message.contains("no results"), "{e}");
    }

    #[test]
    fn fails_on_truncated_json_with_its_line() {
        let truncated = TWO.get(..400).unwrap();
        let e = err(truncated);
        assert!(e.line.is_some(), "{e}");
        assert!(e.message.contains("EOF"), "{e}");
    }

    #[test]
    fn fails_on_wrong_shape() {
        let e = err("[1, 2]");
        assert!(
            e.message
                .contains("expected a hyperfine --export-json object"),
            "{e}"
        );
        let e = err(r#"{"benchmarks": []}"#);
        assert!(e.message.contains("no `results` array"), "{e}");
        let e = err(r#"{"results": {"command": "a"}}"#);
        assert!(e.message.contains("`results` must be an array"), "{e}");
    }

    #[test]
    fn fails_naming_result_field_and_line_of_bad_values() {
        let text = "{\n  \"results\": [\n    {\"command\": \"a\", \"times\": [0.1]},\n    {\"command\": \"b\",\n     \"times\": [0.1, \"slow\"]}\n  ]\n}";
        let e = err(text);
        assert_eq!(e.line, Some(4));
        assert_eq!(
            e.message,
            "`results[1].times[1]` of `b` must be a number of seconds, found the string \"slow\""
        );
        let e = err(r#"{"results": [{"command": "a", "times": [-0.1]}]}"#);
        assert_eq!(e.line, Some(1));
        assert!(e.message.contains("negative"), "{e}");
        let e = err(r#"{"results": [{"command": "a", "times": [], "mean": null}]}"#);
        assert!(e.message.contains("no time was measured"), "{e}");
        let e = err(r#"{"results": [{"command": "a", "times": [1], "user": "x"}]}"#);
        assert!(
            e.message
                .contains("`results[0].user` of `a` must be a number"),
            "{e}"
        );
        let e = err(r#"{"results": [{"times": [1]}]}"#);
        assert!(e.message.contains("`results[0]` has no `command`"), "{e}");
        let e = err(r#"{"results": [{"command": "a", "times": [1], "memory_usage_byte": [-5]}]}"#);
        assert!(e.message.contains("negative (-5 bytes)"), "{e}");
    }
}
