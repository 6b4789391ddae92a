//! perfgate's own JSON run format (`perfgate.run.v1`): the serde form of [`crate::model::Run`].
//! Users may write it by hand: units as tools spell them (converted on read), direction optional
//! (inferred), `value`, `samples` or `histogram` per metric, and with a `value` optionally the
//! tool's confidence `interval` of it (`{"lo", "hi", "confidence"}`). A benchmark name is given once,
//! and a metric name once per benchmark: perfgate writes each so, and a repeat would mix two
//! measurements into one.

use std::collections::BTreeMap;

use super::common::json::{document_text, item_lines};
use super::spec::{Detect, ParseError, Spec};
use crate::model::{Run, RUN_SCHEMA};

/// How `perfgate` is named, detected and read.
pub const SPEC: Spec = Spec {
    name: "perfgate",
    aliases: &[],
    reads: "perfgate's own JSON run (also written by `perfgate save`)",
    detected_by: "JSON object whose `schema` is \"perfgate.run.v1\", or with `benchmarks[]` of `name` + `metrics`",
    detect: &[Detect::Json(looks_like_json), Detect::JsonLast(looks_like_untagged_json)],
    parse,
};

/// True for a JSON object tagged with the run schema.
pub fn looks_like_json(v: &serde_json::Value) -> bool {
    v.get("schema").and_then(serde_json::Value::as_str) == Some(RUN_SCHEMA)
}

/// True for hand-written perfgate JSON without the schema tag: `benchmarks[]` of `name` +
/// `metrics`, and neither Google Benchmark's `context` nor pytest-benchmark's `machine_info`. Tried
/// after every specific JSON shape.
pub fn looks_like_untagged_json(v: &serde_json::Value) -> bool {
    use serde_json::Value;
    let Value::Object(o) = v else { return false };
    if o.contains_key("context") || o.contains_key("machine_info") {
        return false;
    }
    match o.get("benchmarks") {
        Some(Value::Array(b)) => b
            .iter()
            .all(|x| x.get("name").is_some() && x.get("metrics").is_some()),
        _ => false,
    }
}

pub fn parse(text: &str) -> Result<Run, ParseError> {
    let text = document_text(
        text,
        &format!("the perfgate run file is empty: expected a `{RUN_SCHEMA}` JSON document (as `perfgate save` writes)"),
    )?;
    let run: Run = serde_json::from_str(text).map_err(|e| ParseError::json(&e))?;
    if run.schema != RUN_SCHEMA {
        return Err(ParseError::whole(format!(
            "unsupported schema `{}`: expected `{RUN_SCHEMA}`",
            run.schema
        )));
    }
    // When it ran and where it goes in its branch's history: times, or nothing.
    for (field, time) in [
        ("timestamp", &run.meta.timestamp),
        ("commit_time", &run.meta.commit_time),
    ] {
        let Some(t) = time else { continue };
        if crate::model::instant(t).is_none() {
            return Err(ParseError::whole(format!(
                "`meta.{field}` is `{}`, not an RFC 3339 time such as `2026-12-06T19:19:44Z`",
                super::common::text::excerpt(t, 40)
            )));
        }
    }
    let mut first: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, b) in run.benchmarks.iter().enumerate() {
        if b.name.trim().is_empty() {
            return Err(ParseError::whole("a benchmark has an empty `name`"));
        }
        if b.metrics.is_empty() {
            return Err(ParseError::whole(format!(
                "benchmark `{}` has no metrics",
                b.name
            )));
        }
        if let Some(earlier) = first.insert(b.name.as_str(), i) {
            return Err(ParseError::new(
                item_lines(text, Some("benchmarks")).get(i).copied(),
                format!(
                    "`benchmarks[{i}]` has the same name as `benchmarks[{earlier}]`: `{}`; give each benchmark its own name, or its measurements as one metric's `samples`",
                    b.name
                ),
            ));
        }
        if let Some(m) = repeated_metric(b) {
            return Err(ParseError::new(
                item_lines(text, Some("benchmarks")).get(i).copied(),
                format!(
                    "benchmark `{}` (`benchmarks[{i}]`) has two metrics named `{m}`; give each metric its own name, or its measurements as one metric's `samples`",
                    b.name
                ),
            ));
        }
    }
    Ok(run)
}

/// The first metric name `b` holds twice, if any.
fn repeated_metric(b: &crate::model::Benchmark) -> Option<&str> {
    b.metrics.iter().enumerate().find_map(|(i, m)| {
        b.metrics
            .iter()
            .take(i)
            .any(|earlier| earlier.name == m.name)
            .then_some(m.name.as_str())
    })
}

/// Writes a run in this format, pretty-printed.
pub fn to_string(run: &Run) -> String {
    serde_json::to_string_pretty(run).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Data, Unit};

    #[test]
    fn reads_hand_written_runs_with_tool_units() {
        let run = parse(
            r#"{"benchmarks":[{"name":"parse","metrics":[
                {"name":"time","unit":"ms","samples":[1.0,1.5,2.0]},
                {"name":"throughput","unit":"ops/s","value":1200}]}]}"#,
        )
        .unwrap();
        let b = &run.benchmarks[0];
        assert_eq!(b.metrics[0].unit, Unit::Nanoseconds);
        assert_eq!(b.metrics[0].data, Data::Samples(vec![1e6, 1.5e6, 2e6]));
        assert_eq!(b.metrics[1].unit, Unit::PerSecond);
        assert_eq!(
            b.metrics[1].direction,
            crate::model::Direction::HigherIsBetter
        );
    }

    #[test]
    fn reads_a_run_behind_a_byte_order_mark_and_names_an_empty_file() {
        let text =
            r#"{"benchmarks":[{"name":"a","metrics":[{"name":"time","unit":"ns","value":5}]}]}"#;
        let run = parse(&format!("\u{feff}{text}")).unwrap();
        assert_eq!(run, parse(text).unwrap());
        let e = parse("\u{feff} \n").unwrap_err();
        assert_eq!(e.line, None);
        assert_eq!(
            e.to_string(),
            "the perfgate run file is empty: expected a `perfgate.run.v1` JSON document (as `perfgate save` writes)"
        );
    }

    #[test]
    fn round_trips_what_it_writes() {
        let run = parse(
            r#"{"schema":"perfgate.run.v1","meta":{"commit":"abc"},"benchmarks":[{"name":"a","metrics":[{"name":"time","unit":"ns","value":5}]}]}"#,
        )
        .unwrap();
        assert_eq!(parse(&to_string(&run)).unwrap(), run);
    }

    #[test]
    fn a_commit_time_is_a_time_or_an_error() {
        let with = |t: &str| {
            parse(&format!(
                r#"{{"meta":{{"commit":"abc","commit_time":{t}}},"benchmarks":[{{"name":"a","metrics":[{{"name":"time","unit":"ns","value":5}}]}}]}}"#
            ))
        };
        let run = with(r#""2026-12-06T11:02:00+01:00""#).unwrap();
        assert_eq!(
            run.meta.commit_time.as_deref(),
            Some("2026-12-06T11:02:00+01:00")
        );
        assert_eq!(
            with(r#""2026-02-30T00:00:00Z""#).unwrap_err().to_string(),
            "`meta.commit_time` is `2026-02-30T00:00:00Z`, not an RFC 3339 time such as `2026-12-06T19:19:44Z`"
        );
        let long = format!(r#""{}""#, "9".repeat(100_000));
        let e = with(&long).unwrap_err().to_string();
        assert!(
            e.starts_with("`meta.commit_time` is `9999") && e.len() < 200,
            "{e}"
        );
        assert!(with("17").is_err());
        let e = parse(
            r#"{"meta":{"timestamp":"yesterday"},"benchmarks":[{"name":"a","metrics":[{"name":"time","unit":"ns","value":5}]}]}"#,
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "`meta.timestamp` is `yesterday`, not an RFC 3339 time such as `2026-12-06T19:19:44Z`"
        );
    }

    #[test]
    fn round_trips_a_confidence_interval_in_the_metrics_unit() {
        let run = parse(
            r#"{"benchmarks":[{"name":"fib","metrics":[
                {"name":"time","unit":"us","value":20.271,
                 "interval":{"lo":20.08,"hi":20.515,"confidence":0.9}},
                {"name":"throughput","unit":"B/s","value":5,"interval":{"lo":4,"hi":6}}]}]}"#,
        )
        .unwrap();
        let m = &run.benchmarks[0].metrics;
        let i = m[0].interval.unwrap();
        assert!((i.lo - 20_080.0).abs() < 1e-9 && (i.hi - 20_515.0).abs() < 1e-9);
        assert_eq!(i.confidence, 0.9);
        // The confidence left out is criterion's 95%.
        assert_eq!(m[1].interval.unwrap().confidence, 0.95);
        let text = to_string(&run);
        assert!(
            text.contains(r#""interval": {"#) && text.contains(r#""confidence": 0.95"#),
            "{text}"
        );
        assert_eq!(parse(&text).unwrap(), run);
        // As criterion's terminal output gives it.
        let criterion = crate::formats::criterion_text::parse(include_str!(
            "../../tests/fixtures/reruns/quiet/criterion/run1.txt"
        ))
        .unwrap();
        assert_eq!(parse(&to_string(&criterion)).unwrap(), criterion);
    }

    #[test]
    fn writes_a_metric_without_an_interval_as_before() {
        let run = parse(
            r#"{"benchmarks":[{"name":"a","metrics":[{"name":"time","unit":"ns","value":5}]}]}"#,
        )
        .unwrap();
        assert_eq!(run.benchmarks[0].metrics[0].interval, None);
        assert_eq!(
            to_string(&run),
            r#"{
  "schema": "perfgate.run.v1",
  "meta": {},
  "benchmarks": [
    {
      "name": "a",
      "metrics": [
        {
          "name": "time",
          "unit": "ns",
          "direction": "lower_is_better",
          "value": 5.0
        }
      ]
    }
  ]
}"#
        );
    }

    #[test]
    fn names_an_interval_that_does_not_fit_its_metric() {
        let e = |metric: &str| {
            parse(&format!(
                r#"{{"benchmarks":[{{"name":"a","metrics":[{metric}]}}]}}"#
            ))
            .unwrap_err()
            .to_string()
        };
        let m = e(r#"{"name":"t","unit":"ns","samples":[1,2],"interval":{"lo":1,"hi":2}}"#);
        assert!(m.contains("belongs to a single `value`"), "{m}");
        let m = e(r#"{"name":"t","unit":"ns","value":2,"interval":{"lo":3,"hi":1}}"#);
        assert!(m.contains("`lo` (3) is above its `hi` (1)"), "{m}");
        let m =
            e(r#"{"name":"t","unit":"ns","value":2,"interval":{"lo":1,"hi":3,"confidence":95}}"#);
        assert!(m.contains("between 0 and 1"), "{m}");
        let m = e(r#"{"name":"t","unit":"ns","value":2,"interval":{"lo":-1,"hi":3}}"#);
        assert!(m.contains("negative"), "{m}");
        let m = e(r#"{"name":"t","unit":"ns","value":2,"interval":{"lo":1,"high":3}}"#);
        assert!(m.contains("unknown field `high`"), "{m}");
    }

    #[test]
    fn fails_on_a_benchmark_or_metric_name_given_twice() {
        let text = r#"{"schema": "perfgate.run.v1", "benchmarks": [
  {"name": "a", "metrics": [{"name": "time", "unit": "ns", "value": 5}]},
  {"name": "b", "metrics": [{"name": "time", "unit": "ns", "value": 7}]},
  {"name": "a", "metrics": [{"name": "time", "unit": "ns", "value": 9}]}]}"#;
        let e = parse(text).unwrap_err();
        assert_eq!(e.line, Some(4));
        assert_eq!(
            e.message,
            "`benchmarks[2]` has the same name as `benchmarks[0]`: `a`; give each benchmark its own name, or its measurements as one metric's `samples`"
        );
        let e = parse(
            r#"{"benchmarks": [{"name": "a", "metrics": [
                {"name": "time", "unit": "ns", "value": 5}, {"name": "time", "unit": "ms", "value": 9}]}]}"#,
        )
        .unwrap_err();
        assert!(
            e.message
                .contains("benchmark `a` (`benchmarks[0]`) has two metrics named `time`"),
            "{e}"
        );
        // What perfgate writes reads back: pooled repeats are one metric's samples.
        let run = crate::formats::go::parse(include_str!(
            "../../tests/fixtures/go/go_fiber_duplicate_names_output.txt"
        ))
        .unwrap();
        assert_eq!(parse(&to_string(&run)).unwrap(), run);
    }

    #[test]
    fn names_unknown_keys_and_wrong_schema() {
        let e = parse(r#"{"benchmarks":[],"bogus":1}"#).unwrap_err();
        assert!(e.to_string().contains("unknown field `bogus`"), "{e}");
        let e = parse(r#"{"schema":"perfgate.run.v9","benchmarks":[]}"#).unwrap_err();
        assert!(e.to_string().contains("unsupported schema"), "{e}");
    }
}
