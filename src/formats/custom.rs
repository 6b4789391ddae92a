//! github-action-benchmark "custom" JSON, the input of its `customSmallerIsBetter` and
//! `customBiggerIsBetter` tools: an array of `{"name", "unit", "value", "range"?, "extra"?}`.
//!
//! Each entry becomes one benchmark named `name` with one metric, named after the unit's dimension
//! (`time`, `size`, `throughput`, `ratio`, or `value` for counts and unknown units) so that entries
//! in different units of one dimension compare. The file does not say which way is better: the
//! caller passes the direction the tool name implies, or none to infer it from the unit. `range`
//! and `extra` are free text for the action's charts and are ignored.

use serde_json::Value;

use super::common::json::{item_lines, json_array, kind_of};
use super::spec::{Detect, ParseError, Spec};
use crate::model::{Benchmark, Benchmarks, Data, Direction, Metric, Run, RunMeta, Unit};

/// How `custom` is named, detected and read.
pub const SPEC: Spec = Spec {
    name: "custom",
    aliases: &["github-action-benchmark"],
    reads: "github-action-benchmark custom JSON; direction inferred from unit and name",
    detected_by:
        "JSON array of objects with exactly `name`, `unit`, `value` (and optional `range`, `extra`)",
    detect: &[Detect::Json(looks_like_json)],
    parse: |text| parse(text, None),
};

/// `customSmallerIsBetter`: the same JSON, every metric smaller-is-better.
pub const SMALLER_IS_BETTER: Spec = Spec {
    name: "customSmallerIsBetter",
    aliases: &[],
    reads: "github-action-benchmark custom JSON, every metric smaller-is-better",
    detected_by: "never auto-detected: pass --format",
    detect: &[],
    parse: |text| parse(text, Some(Direction::LowerIsBetter)),
};

/// `customBiggerIsBetter`: the same JSON, every metric bigger-is-better.
pub const BIGGER_IS_BETTER: Spec = Spec {
    name: "customBiggerIsBetter",
    aliases: &[],
    reads: "github-action-benchmark custom JSON, every metric bigger-is-better",
    detected_by: "never auto-detected: pass --format",
    detect: &[],
    parse: |text| parse(text, Some(Direction::HigherIsBetter)),
};

/// Keys an entry may have besides `name`, `unit` and `value`.
const OPTIONAL_KEYS: &[&str] = &["range", "extra"];

/// True for an object with `name`, `unit` and `value` and no keys other than `range` and
/// `extra`: the shape of one entry. Types are not checked here, so that a wrong type reaches
/// [`parse`] and gets an error naming it.
/// True for a non-empty array whose every item has exactly `name`, `unit`, `value` (and
/// optionally `range`, `extra`).
pub fn looks_like_json(v: &Value) -> bool {
    let Value::Array(items) = v else { return false };
    !items.is_empty() && items.iter().all(looks_like_item)
}

fn looks_like_item(v: &Value) -> bool {
    let Value::Object(o) = v else { return false };
    ["name", "unit", "value"].iter().all(|k| o.contains_key(*k))
        && o.keys().all(|k| {
            matches!(k.as_str(), "name" | "unit" | "value") || OPTIONAL_KEYS.contains(&k.as_str())
        })
}

/// Parses the custom JSON array. `direction` is forced on every metric when given
/// (`customSmallerIsBetter` / `customBiggerIsBetter`), otherwise inferred from unit and metric name.
pub fn parse(text: &str, direction: Option<Direction>) -> Result<Run, ParseError> {
    let (text, items) = json_array(
        text,
        "the custom benchmark JSON is empty: expected an array of `{\"name\", \"unit\", \"value\"}` objects",
        |v| format!("expected github-action-benchmark custom JSON, an array of `{{\"name\", \"unit\", \"value\"}}` objects; found {}", kind_of(v)),
    )?;
    if items.is_empty() {
        return Err(ParseError::whole(
            "the custom benchmark array is empty: expected at least one `{\"name\", \"unit\", \"value\"}` object",
        ));
    }
    let lines = item_lines(text, None);
    let mut benchmarks = Benchmarks::default();
    // (benchmark, raw unit) -> the metric its values go to.
    let mut named: std::collections::HashMap<(String, String), String> =
        std::collections::HashMap::new();
    // Each entry is taken out of the tree as it is read, so the tree shrinks as the run grows.
    for (i, item) in items.into_iter().enumerate() {
        let fail = |msg: String| ParseError::new(lines.get(i).copied(), msg);
        let o = match item {
            Value::Object(o) => o,
            other => {
                return Err(fail(format!(
                    "`[{i}]`: expected an object with `name`, `unit` and `value`, found {}",
                    kind_of(&other)
                )))
            }
        };
        let name = match o.get("name") {
            Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
            Some(Value::String(_)) => return Err(fail(format!("`[{i}].name` is empty"))),
            Some(other) => {
                return Err(fail(format!(
                    "`[{i}].name` must be a string, found {}",
                    kind_of(other)
                )))
            }
            None => return Err(fail(format!("`[{i}]` has no `name`"))),
        };
        let raw_unit = match o.get("unit") {
            Some(Value::String(s)) => s.trim().to_string(),
            Some(other) => {
                return Err(fail(format!(
                "`[{i}].unit` of \"{name}\" must be a string such as \"ns\" or \"ops/s\", found {}",
                kind_of(other)
            )))
            }
            None => return Err(fail(format!("`[{i}]` (\"{name}\") has no `unit`"))),
        };
        let raw_value = match o.get("value") {
            Some(Value::Number(n)) => n.as_f64(),
            Some(Value::Null) => None,
            Some(other) => {
                return Err(fail(format!(
                    "`[{i}].value` of \"{name}\" must be a number, found {}",
                    kind_of(other)
                )))
            }
            None => return Err(fail(format!("`[{i}]` (\"{name}\") has no `value`"))),
        };
        let (unit, factor) = Unit::parse(&raw_unit);
        let Some((raw, value)) = raw_value
            .map(|v| (v, v * factor))
            .filter(|(_, v)| v.is_finite())
        else {
            return Err(fail(format!(
                "`[{i}].value` of \"{name}\" is not a finite number"
            )));
        };
        if value < 0.0 && matches!(unit, Unit::Nanoseconds | Unit::Bytes) {
            return Err(fail(format!(
                "`[{i}].value` of \"{name}\" is negative ({raw} {raw_unit}), which a time or size cannot be"
            )));
        }
        // The same name and unit again is another measurement of the same thing: its values
        // pool into one metric as repeats, so that the verdict does not hang on the order of
        // the entries (numbered metrics paired the first of one file with the first of another).
        let key = (name.clone(), raw_unit.clone());
        let bench = benchmarks.entry(name);
        let metric_name = match named.get(&key) {
            Some(n) => n.clone(),
            None => {
                let n = free_metric_name(bench, dimension_name(&unit), &raw_unit);
                named.insert(key, n.clone());
                n
            }
        };
        let mut metric = Metric::new(metric_name, unit, Data::Value(value));
        if let Some(d) = direction {
            metric = metric.with_direction(d);
        }
        bench.push(metric);
    }
    let meta = RunMeta {
        tool: Some("github-action-benchmark".to_string()),
        ..RunMeta::default()
    };
    Ok(Run::new(meta, benchmarks.into_vec()))
}

/// The metric name for a unit's dimension, shared by every entry in that dimension.
fn dimension_name(unit: &Unit) -> &'static str {
    match unit {
        Unit::Nanoseconds => "time",
        Unit::Bytes => "size",
        Unit::PerSecond | Unit::BytesPerSecond => "throughput",
        Unit::Ratio => "ratio",
        Unit::Count | Unit::Custom(_) => "value",
    }
}

/// A benchmark name given again in another unit of the same dimension is another measurement:
/// it gets its own metric, named by the raw unit (then numbered). The same name in the same unit
/// pools into the metric it had (see `parse`).
fn free_metric_name(bench: &Benchmark, base: &str, raw_unit: &str) -> String {
    if bench.metric(base).is_none() {
        return base.to_string();
    }
    let stem = if raw_unit.is_empty() { base } else { raw_unit };
    if bench.metric(stem).is_none() {
        return stem.to_string();
    }
    let mut k = 2usize;
    loop {
        let candidate = format!("{stem} #{k}");
        if bench.metric(&candidate).is_none() {
            return candidate;
        }
        k += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BIGGER: &str =
        include_str!("../../tests/fixtures/custom/customBiggerIsBetter_output.json");
    const SMALLER: &str =
        include_str!("../../tests/fixtures/custom/customSmallerIsBetter_output.json");
    const SMALLER2: &str =
        include_str!("../../tests/fixtures/custom/customSmallerIsBetter_output2.json");

    fn only_metric<'a>(run: &'a Run, bench: &str) -> &'a Metric {
        let b = run
            .benchmark(bench)
            .unwrap_or_else(|| panic!("no benchmark `{bench}`"));
        assert_eq!(b.metrics.len(), 1, "{bench}");
        b.metrics.first().unwrap()
    }

    fn err(text: &str) -> ParseError {
        parse(text, None).unwrap_err()
    }

    #[test]
    fn reads_bigger_is_better_entries_with_forced_direction() {
        let run = parse(BIGGER, Some(Direction::HigherIsBetter)).unwrap();
        assert_eq!(run.meta.tool.as_deref(), Some("github-action-benchmark"));
        assert_eq!(run.benchmarks.len(), 2);
        let tp = only_metric(&run, "My Custom Bigger Is Better Benchmark - Throughput");
        assert_eq!(tp.name, "throughput");
        assert_eq!(tp.unit, Unit::PerSecond);
        assert_eq!(tp.data, Data::Value(70.0));
        assert_eq!(tp.direction, Direction::HigherIsBetter);
        let mem = only_metric(&run, "My Custom Bigger Is Better Benchmark - Free Memory");
        assert_eq!(mem.name, "size");
        assert_eq!(mem.unit, Unit::Bytes);
        assert_eq!(mem.data, Data::Value(150e6));
        assert_eq!(mem.direction, Direction::HigherIsBetter);
        insta::assert_json_snapshot!("custom_bigger_is_better", run);
    }

    #[test]
    fn infers_direction_when_none_is_given() {
        let run = parse(BIGGER, None).unwrap();
        let tp = only_metric(&run, "My Custom Bigger Is Better Benchmark - Throughput");
        assert_eq!(tp.direction, Direction::HigherIsBetter);
        let mem = only_metric(&run, "My Custom Bigger Is Better Benchmark - Free Memory");
        assert_eq!(mem.direction, Direction::LowerIsBetter);
    }

    #[test]
    fn reads_smaller_is_better_entries_ignoring_range_and_extra() {
        let run = parse(SMALLER, Some(Direction::LowerIsBetter)).unwrap();
        let cpu = only_metric(&run, "My Custom Smaller Is Better Benchmark - CPU Load");
        assert_eq!(cpu.name, "ratio");
        assert_eq!(cpu.unit, Unit::Ratio);
        assert_eq!(cpu.data, Data::Value(0.5));
        assert_eq!(cpu.direction, Direction::LowerIsBetter);
        let mem = only_metric(&run, "My Custom Smaller Is Better Benchmark - Memory Used");
        assert_eq!(mem.data, Data::Value(100e6));
        assert_eq!(mem.direction, Direction::LowerIsBetter);
        insta::assert_json_snapshot!("custom_smaller_is_better", run);
    }

    #[test]
    fn reads_numeric_ranges_and_nanosecond_values() {
        let run = parse(SMALLER2, Some(Direction::LowerIsBetter)).unwrap();
        let names: Vec<&str> = run.benchmarks.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "No instrumentation",
                "Deactivated probe",
                "No logging",
                "Binary file"
            ]
        );
        let expected = [90.9439, 445.661, 1847.38, 3886.75];
        for (b, v) in run.benchmarks.iter().zip(expected) {
            let m = b.metrics.first().unwrap();
            assert_eq!(m.name, "time");
            assert_eq!(m.unit, Unit::Nanoseconds);
            assert_eq!(m.data, Data::Value(v));
        }
    }

    #[test]
    fn converts_units_to_canonical_scale() {
        let text = r#"[{"name": "a", "unit": "ms", "value": 1.5},
                       {"name": "b", "unit": "KiB", "value": 2},
                       {"name": "c", "unit": "%", "value": 12.5},
                       {"name": "d", "unit": "MB/s", "value": 3}]"#;
        let run = parse(text, None).unwrap();
        let a = only_metric(&run, "a");
        assert_eq!(
            (a.name.as_str(), &a.unit, &a.data),
            ("time", &Unit::Nanoseconds, &Data::Value(1.5e6))
        );
        let b = only_metric(&run, "b");
        assert_eq!(
            (b.name.as_str(), &b.unit, &b.data),
            ("size", &Unit::Bytes, &Data::Value(2048.0))
        );
        let c = only_metric(&run, "c");
        assert_eq!(
            (c.name.as_str(), &c.unit, &c.data),
            ("ratio", &Unit::Ratio, &Data::Value(0.125))
        );
        let d = only_metric(&run, "d");
        assert_eq!(
            (d.name.as_str(), &d.unit, &d.data),
            ("throughput", &Unit::BytesPerSecond, &Data::Value(3e6))
        );
    }

    #[test]
    fn keeps_repeated_names_apart_by_unit_and_pools_the_same_unit() {
        let text = r#"[{"name": "x", "unit": "ns", "value": 1},
                       {"name": "x", "unit": "us", "value": 2},
                       {"name": "x", "unit": "us", "value": 3},
                       {"name": "x", "unit": "B", "value": 4}]"#;
        let run = parse(text, None).unwrap();
        assert_eq!(run.benchmarks.len(), 1);
        let b = run.benchmark("x").unwrap();
        let got: Vec<(&str, &Data)> = b
            .metrics
            .iter()
            .map(|m| (m.name.as_str(), &m.data))
            .collect();
        assert_eq!(
            got,
            [
                ("time", &Data::Value(1.0)),
                ("us", &Data::Samples(vec![2000.0, 3000.0])),
                ("size", &Data::Value(4.0)),
            ]
        );
        // The same entries in another order: the same run, up to the order of the repeats.
        let swapped = r#"[{"name": "x", "unit": "ns", "value": 1},
                          {"name": "x", "unit": "us", "value": 3},
                          {"name": "x", "unit": "B", "value": 4},
                          {"name": "x", "unit": "us", "value": 2}]"#;
        let other = parse(swapped, None).unwrap();
        let us = other.benchmark("x").unwrap().metric("us").unwrap();
        assert_eq!(us.data, Data::Samples(vec![3000.0, 2000.0]));
    }

    #[test]
    fn recognises_entry_shaped_objects_only() {
        let item = |s: &str| looks_like_item(&serde_json::from_str::<Value>(s).unwrap());
        assert!(item(r#"{"name": "a", "unit": "ns", "value": 1}"#));
        assert!(item(
            r#"{"name": "a", "unit": "ns", "value": 1, "range": "5%", "extra": "x"}"#
        ));
        assert!(!item(r#"{"name": "a", "unit": "ns"}"#));
        assert!(!item(
            r#"{"name": "a", "unit": "ns", "value": 1, "iters": 3}"#
        ));
        assert!(!item(r#"["name", "unit", "value"]"#));
        let all = |s: &str| match serde_json::from_str::<Value>(s).unwrap() {
            Value::Array(a) => a.iter().all(looks_like_item),
            _ => false,
        };
        assert!(all(BIGGER) && all(SMALLER) && all(SMALLER2));
    }

    #[test]
    fn real_files_are_detected_as_custom() {
        for text in [BIGGER, SMALLER, SMALLER2] {
            assert_eq!(super::super::detect(text), Ok(super::super::Format::Custom));
        }
    }

    #[test]
    fn fails_on_empty_text_and_empty_array() {
        let e = err("  \n");
        assert!(e.message.contains("empty"), "{e}");
        let e = err("[]");
        assert_eq!(e.line, None);
        assert!(e.message.contains("array is empty"), "{e}");
    }

    #[test]
    fn fails_on_truncated_json_with_its_line() {
        let truncated = BIGGER.get(..120).unwrap();
        let e = err(truncated);
        assert!(e.line.is_some(), "{e}");
        assert!(e.message.contains("EOF"), "{e}");
    }

    #[test]
    fn fails_on_wrong_shape() {
        let e = err(r#"{"name": "a", "unit": "ns", "value": 1}"#);
        assert!(e.message.contains("found an object"), "{e}");
        let e = err("[1, 2]");
        assert_eq!(e.line, Some(1));
        assert!(e.message.contains("`[0]`: expected an object"), "{e}");
    }

    #[test]
    fn fails_naming_index_and_line_of_a_bad_entry() {
        let text = "[\n  {\"name\": \"ok\", \"unit\": \"ns\", \"value\": 1},\n  {\"name\": \"bad\",\n   \"unit\": \"ns\", \"value\": \"12\"}\n]";
        let e = err(text);
        assert_eq!(e.line, Some(3));
        assert_eq!(
            e.message,
            "`[1].value` of \"bad\" must be a number, found the string \"12\""
        );
        let e = err(r#"[{"name": "a", "unit": "ns"}]"#);
        assert!(e.message.contains("`[0]` (\"a\") has no `value`"), "{e}");
        let e = err(r#"[{"name": 5, "unit": "ns", "value": 1}]"#);
        assert!(
            e.message
                .contains("`[0].name` must be a string, found the number 5"),
            "{e}"
        );
        let e = err(r#"[{"name": "a", "unit": "ns", "value": NaN}]"#);
        assert!(e.message.contains("not a finite number"), "{e}");
        let e = err(r#"[{"name": "a", "unit": "ms", "value": -1}]"#);
        assert!(e.message.contains("negative"), "{e}");
    }

    #[test]
    fn finds_the_line_of_each_array_item() {
        assert_eq!(item_lines(SMALLER2, None), [2, 8, 14, 20]);
        assert_eq!(
            item_lines("[\"a,[\\\"\", {\"x\": [1,\n2]},\n 3]", None),
            [1, 1, 3]
        );
        let hf = "{\"x\": [9],\n \"results\": [\n {\"times\": [1, 2]},\n {}\n]}";
        assert_eq!(item_lines(hf, Some("results")), [3, 4]);
        assert_eq!(item_lines(hf, Some("missing")), Vec::<usize>::new());
    }
}
