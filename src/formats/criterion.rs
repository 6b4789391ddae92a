//! criterion.rs result files from `target/criterion/<id>/new/`: `estimates.json` (point estimates
//! in nanoseconds per iteration), `sample.json` (iteration counts and total times of every sample)
//! and `benchmark.json` (the benchmark's `full_id`), in both layouts criterion has written:
//! PascalCase keys and a `[[iters], [times]]` sample array up to 0.3.3, snake_case keys and a
//! `{sampling_mode, iters, times}` object since 0.3.4.
//!
//! Each benchmark gets one metric, `time`: the per-iteration time of every sample when
//! `sample.json` is there (so the statistics can test the difference), else the slope (or mean)
//! estimate. criterion declares these files private, so shapes are checked rather than assumed.
//! In a directory, an `estimates.json` next to a `sample.json` is checked too, though its numbers
//! are not used: criterion writes both, and a cut or empty one is a broken result directory. Two
//! benchmark directories holding the same files are one directory reached twice (a symbolic link
//! to a parent) and an error: no two measurements give the same samples.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value};

use super::common::json::lenient_json;
use super::common::json::{json_document, kind_name};
use super::spec::{Detect, ParseError, Spec};
use crate::model::{Benchmark, Data, Metric, Run, RunMeta, Unit};

/// One file of a criterion directory: its path relative to that directory, and its text.
#[derive(Debug, Clone)]
pub struct InputFile {
    pub path: String,
    pub text: String,
}

/// How `criterion` is named, detected and read.
pub const SPEC: Spec = Spec {
    name: "criterion",
    aliases: &[],
    reads: "criterion.rs target/criterion directory, estimates.json or sample.json",
    detected_by: "a directory holding */new/estimates.json; JSON with `mean`/`Mean` objects holding `point_estimate`; JSON with `iters` and `times`",
    detect: &[Detect::Json(looks_like_json)],
    parse: parse_file,
};

/// The benchmark name used when one file is parsed alone.
const SINGLE_NAME: &str = "criterion";

/// Parses one `estimates.json` or `sample.json` given alone, as one benchmark named `criterion`.
pub fn parse_file(text: &str) -> Result<Run, ParseError> {
    let (_, v) = json_document(
        text,
        "the criterion input is empty: expected estimates.json or sample.json from target/criterion/<id>/new/",
    )?;
    let data = match classify(&v) {
        Some(FileKind::Sample) => read_sample(&v),
        Some(FileKind::Estimates) => read_estimates(&v),
        Some(FileKind::Benchmark) => Err(
            "this is criterion's benchmark.json, which holds only the benchmark's name: pass the estimates.json or sample.json next to it, or the whole target/criterion directory"
                .to_string(),
        ),
        None => Err(format!(
            "expected criterion's estimates.json (an object with `mean` holding `point_estimate`) or sample.json (`iters` and `times`), found {}",
            kind_name(&v)
        )),
    }
    .map_err(ParseError::whole)?;
    Ok(one_run(vec![time_benchmark(SINGLE_NAME, data)]))
}

/// Parses the files of a `target/criterion`-like directory. Paths are relative to it and use `/`;
/// only files directly under a `new/` directory are read (`base/`, `change/`, `report/` and saved
/// baselines are ignored). A benchmark is named by the `full_id` of its `benchmark.json`, else by
/// its directory path.
pub fn parse_dir(files: &[InputFile]) -> Result<Run, ParseError> {
    #[derive(Default)]
    struct Dir<'a> {
        estimates: Option<&'a InputFile>,
        sample: Option<&'a InputFile>,
        benchmark: Option<&'a InputFile>,
    }
    let mut dirs: BTreeMap<String, Dir> = BTreeMap::new();
    for f in files {
        let path = normalize(&f.path);
        let Some((rest, file)) = path.rsplit_once('/') else {
            continue;
        };
        let dir = match rest.rsplit_once('/') {
            Some((dir, "new")) => dir,
            None if rest == "new" => "",
            _ => continue,
        };
        let entry = dirs.entry(dir.to_string()).or_default();
        match file {
            "estimates.json" => entry.estimates = Some(f),
            "sample.json" => entry.sample = Some(f),
            "benchmark.json" => entry.benchmark = Some(f),
            _ => {}
        }
    }
    let mut benchmarks: Vec<(Benchmark, String)> = Vec::new();
    // The directory that holds each set of files, to tell one directory reached twice.
    let mut holders: HashMap<[Option<&str>; 3], &str> = HashMap::new();
    let mut named: HashMap<String, &str> = HashMap::new();
    for (dir, d) in &dirs {
        let data = match (d.sample, d.estimates) {
            (Some(sample), estimates) => {
                // The samples are what is read, but criterion writes the estimates with them: a
                // broken estimates.json (cut, empty) is a broken result directory, not a detail.
                if let Some(f) = estimates {
                    in_file(f, read_estimates)?;
                }
                in_file(sample, read_sample)?
            }
            (None, Some(f)) => in_file(f, read_estimates)?,
            (None, None) => continue,
        };
        let name = match d.benchmark {
            Some(f) => in_file(f, read_full_id)?,
            None => None,
        }
        .unwrap_or_else(|| {
            if dir.is_empty() {
                SINGLE_NAME.to_string()
            } else {
                dir.clone()
            }
        });
        if let Some(other) = named.insert(name.clone(), dir) {
            return Err(ParseError::whole(format!(
                "two criterion benchmarks are named `{name}`: `{other}` and `{dir}`"
            )));
        }
        // Two measurements never give the same files: these are one directory reached by two
        // paths (a symbolic link to a parent gave `a`, `a/loop/a`, `a/loop/a/loop/a`...).
        let texts = [d.benchmark, d.estimates, d.sample].map(|f| f.map(|f| f.text.as_str()));
        if let Some(other) = holders.insert(texts, dir) {
            return Err(ParseError::whole(format!(
                "`{}` and `{}` hold the same result files, which no two measurements give: one benchmark's results copied, or one directory reached by two paths (a symbolic link to a parent directory?); remove the copy or the link",
                shown(other),
                shown(dir)
            )));
        }
        benchmarks.push((time_benchmark(&name, data), dir.clone()));
    }
    if benchmarks.is_empty() {
        return Err(ParseError::whole(
            "no criterion results found: expected `<id>/new/estimates.json` files (or `<id>/new/sample.json`), as under target/criterion",
        ));
    }
    let mut benchmarks: Vec<Benchmark> = benchmarks.into_iter().map(|(b, _)| b).collect();
    benchmarks.sort_by(|a, b| a.name.cmp(&b.name));
    // Read from files rather than one text, so not through `formats::parse`: the same checks of
    // what was read (values perfgate can compare, metrics per benchmark).
    let mut run = one_run(benchmarks);
    super::finish(super::Format::Criterion, &mut run)?;
    Ok(run)
}

/// True for JSON that is one of criterion's result files: estimates.json (`Mean`/`mean` holding
/// `point_estimate`), sample.json (`[[iters...], [times...]]`, or an object with `iters` and
/// `times`) or benchmark.json (`group_id` and `full_id`).
pub fn looks_like_json(v: &Value) -> bool {
    classify(v).is_some()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FileKind {
    Estimates,
    Sample,
    Benchmark,
}

fn classify(v: &Value) -> Option<FileKind> {
    match v {
        Value::Object(o) => {
            let holds_estimate = |k: &str| {
                o.get(k)
                    .and_then(Value::as_object)
                    .is_some_and(|m| m.contains_key("point_estimate"))
            };
            if holds_estimate("Mean") || holds_estimate("mean") {
                Some(FileKind::Estimates)
            } else if o.get("iters").is_some_and(Value::is_array)
                && o.get("times").is_some_and(Value::is_array)
            {
                Some(FileKind::Sample)
            } else if o.contains_key("group_id") && o.contains_key("full_id") {
                Some(FileKind::Benchmark)
            } else {
                None
            }
        }
        Value::Array(items) => match items.as_slice() {
            [Value::Array(a), Value::Array(b)]
                if a.iter().chain(b).all(Value::is_number) && !(a.is_empty() && b.is_empty()) =>
            {
                Some(FileKind::Sample)
            }
            _ => None,
        },
        _ => None,
    }
}

/// Runs a reader on one file of a directory, naming the file in any error.
fn in_file<T>(
    f: &InputFile,
    read: impl FnOnce(&Value) -> Result<T, String>,
) -> Result<T, ParseError> {
    let path = normalize(&f.path);
    let text = f.text.trim_start_matches('\u{feff}');
    if text.trim().is_empty() {
        return Err(ParseError::whole(format!("{path}: the file is empty")));
    }
    // The line is only meaningful together with the file, so both go in the message.
    let v = lenient_json(text).map_err(|e| ParseError::whole(format!("{path}: {e}")))?;
    read(&v).map_err(|e| ParseError::whole(format!("{path}: {e}")))
}

/// Per-iteration times (`times[i] / iters[i]`) of a sample.json in either layout.
fn read_sample(v: &Value) -> Result<Data, String> {
    let (iters, times) = match v {
        Value::Array(items) => match items.as_slice() {
            [Value::Array(i), Value::Array(t)] => (i, t),
            _ => {
                return Err(
                    "expected sample.json as `[[iteration counts...], [times...]]`".to_string(),
                )
            }
        },
        Value::Object(o) => (array(o, "iters")?, array(o, "times")?),
        other => {
            return Err(format!(
                "expected sample.json (an object with `iters` and `times`), found {}",
                kind_name(other)
            ))
        }
    };
    if iters.len() != times.len() {
        return Err(format!(
            "`iters` has {} values but `times` has {}: they must pair up",
            iters.len(),
            times.len()
        ));
    }
    if iters.is_empty() {
        return Err("`iters` and `times` are empty: no samples".to_string());
    }
    let mut out = Vec::with_capacity(iters.len());
    for (i, (n, t)) in iters.iter().zip(times).enumerate() {
        let n = number(n, &format!("iters[{i}]"))?;
        let t = number(t, &format!("times[{i}]"))?;
        if n <= 0.0 {
            return Err(format!(
                "`iters[{i}]` is {n}: iteration counts must be positive"
            ));
        }
        if t < 0.0 {
            return Err(format!("`times[{i}]` is {t}: a time cannot be negative"));
        }
        let per_iter = t / n;
        if !per_iter.is_finite() {
            return Err(format!(
                "sample {i} gives a non-finite time per iteration ({t} / {n})"
            ));
        }
        out.push(per_iter);
    }
    Ok(Data::Samples(out))
}

/// The slope estimate (linear sampling), else the mean, of an estimates.json in either casing.
fn read_estimates(v: &Value) -> Result<Data, String> {
    let Value::Object(o) = v else {
        return Err(format!(
            "expected estimates.json (an object with `mean`), found {}",
            kind_name(v)
        ));
    };
    let has = |pascal: &str, snake: &str| o.contains_key(pascal) || o.contains_key(snake);
    if !has("StdDev", "std_dev")
        && !has("MedianAbsDev", "median_abs_dev")
        && has("Median", "median")
    {
        return Err(
            "this looks like change/estimates.json (relative change against the baseline, only `mean` and `median`), not new/estimates.json"
                .to_string(),
        );
    }
    if let Some(slope) = point_estimate(o, "Slope", "slope")? {
        return Ok(Data::Value(slope));
    }
    match point_estimate(o, "Mean", "mean")? {
        Some(mean) => Ok(Data::Value(mean)),
        None => Err(
            "expected a `mean` (or `slope`) estimate with a numeric `point_estimate`".to_string(),
        ),
    }
}

/// The `point_estimate` under `pascal` or `snake`; `None` when the key is absent or null.
fn point_estimate(
    o: &Map<String, Value>,
    pascal: &str,
    snake: &str,
) -> Result<Option<f64>, String> {
    let (key, est) = match (o.get(pascal), o.get(snake)) {
        (Some(e), _) => (pascal, e),
        (None, Some(e)) => (snake, e),
        (None, None) => return Ok(None),
    };
    let est = match est {
        Value::Null => return Ok(None),
        Value::Object(m) => m,
        other => {
            return Err(format!(
                "`{key}` must be an object with `point_estimate`, found {}",
                kind_name(other)
            ))
        }
    };
    let v = match est.get("point_estimate") {
        None | Some(Value::Null) => return Ok(None),
        Some(p) => number(p, &format!("{key}.point_estimate"))?,
    };
    if v < 0.0 {
        return Err(format!(
            "`{key}.point_estimate` is {v}: a time cannot be negative"
        ));
    }
    Ok(Some(v))
}

/// `full_id` of a benchmark.json; `None` when missing (the directory then names the benchmark).
fn read_full_id(v: &Value) -> Result<Option<String>, String> {
    match v {
        Value::Object(o) => Ok(o
            .get("full_id")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)),
        other => Err(format!(
            "expected benchmark.json (an object with `full_id`), found {}",
            kind_name(other)
        )),
    }
}

fn array<'a>(o: &'a Map<String, Value>, key: &str) -> Result<&'a Vec<Value>, String> {
    match o.get(key) {
        Some(Value::Array(a)) => Ok(a),
        Some(other) => Err(format!(
            "`{key}` must be an array of numbers, found {}",
            kind_name(other)
        )),
        None => Err(format!("expected sample.json with `{key}`: it is missing")),
    }
}

fn number(v: &Value, what: &str) -> Result<f64, String> {
    match v.as_f64() {
        Some(n) if n.is_finite() => Ok(n),
        _ => Err(format!(
            "`{what}` must be a finite number, found {}",
            kind_name(v)
        )),
    }
}

fn time_benchmark(name: &str, data: Data) -> Benchmark {
    let mut b = Benchmark::new(name);
    b.push(Metric::new("time", Unit::Nanoseconds, data));
    b
}

fn one_run(benchmarks: Vec<Benchmark>) -> Run {
    let meta = RunMeta {
        tool: Some("criterion".to_string()),
        ..RunMeta::default()
    };
    Run::new(meta, benchmarks)
}

/// A benchmark directory as a message shows it, its results' `new/` included.
fn shown(dir: &str) -> String {
    if dir.is_empty() {
        "new".to_string()
    } else {
        format!("{dir}/new")
    }
}

/// A relative path with `/` separators and no leading `./`.
fn normalize(path: &str) -> String {
    let p = path.replace('\\', "/");
    let mut p = p.as_str();
    while let Some(rest) = p.strip_prefix("./") {
        p = rest;
    }
    p.trim_start_matches('/').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Direction;

    // Real criterion 0.3.x files (criterion.rs book, PascalCase keys, array sample.json).
    const OLD_ESTIMATES: &str =
        include_str!("../../tests/fixtures/criterion/old-layout/estimates.json");
    const OLD_SAMPLE: &str = include_str!("../../tests/fixtures/criterion/old-layout/sample.json");
    const OLD_BENCHMARK: &str =
        include_str!("../../tests/fixtures/criterion/old-layout/benchmark.json");
    const OLD_CHANGE: &str =
        include_str!("../../tests/fixtures/criterion/old-layout/change-estimates.json");
    // DERIVED, not real output: the old-layout files rewritten in the >= 0.3.4 layout (snake_case
    // keys, `{sampling_mode, iters, times}` object), same numbers. See the fixtures' README.
    const NEW_ESTIMATES: &str =
        include_str!("../../tests/fixtures/criterion/new-layout-derived/estimates.json");
    const NEW_SAMPLE: &str =
        include_str!("../../tests/fixtures/criterion/new-layout-derived/sample.json");

    fn file(path: &str, text: &str) -> InputFile {
        InputFile {
            path: path.to_string(),
            text: text.to_string(),
        }
    }

    fn time(run: &Run, bench: &str) -> Data {
        let b = run
            .benchmark(bench)
            .unwrap_or_else(|| panic!("no benchmark `{bench}`"));
        let m = b.metric("time").unwrap();
        assert_eq!(m.unit, Unit::Nanoseconds);
        assert_eq!(m.direction, Direction::LowerIsBetter);
        m.data.clone()
    }

    fn samples(run: &Run, bench: &str) -> Vec<f64> {
        match time(run, bench) {
            Data::Samples(s) => s,
            other => panic!("not samples: {other:?}"),
        }
    }

    fn err_file(text: &str) -> String {
        parse_file(text).unwrap_err().to_string()
    }

    #[test]
    fn reads_old_array_sample_as_per_iteration_times() {
        let run = parse_file(OLD_SAMPLE).unwrap();
        assert_eq!(run.meta.tool.as_deref(), Some("criterion"));
        assert_eq!(run.benchmarks.len(), 1);
        let s = samples(&run, "criterion");
        assert_eq!(s.len(), 100);
        assert_eq!(s.first().copied(), Some(1128000.0 / 209454.0));
        assert_eq!(s.get(16).copied(), Some(20063000.0 / 3560718.0));
        assert_eq!(s.last().copied(), Some(94869000.0 / 20945400.0));
        assert!(s.iter().all(|&t| (4.0..6.0).contains(&t)), "{s:?}");
        insta::assert_json_snapshot!("old_layout_sample", run);
    }

    #[test]
    fn reads_new_object_sample_like_the_old_one() {
        let new = parse_file(NEW_SAMPLE).unwrap();
        let old = parse_file(OLD_SAMPLE).unwrap();
        assert_eq!(new, old);
    }

    #[test]
    fn reads_slope_of_old_pascal_case_estimates() {
        let run = parse_file(OLD_ESTIMATES).unwrap();
        assert_eq!(time(&run, "criterion"), Data::Value(4.708418938929127));
    }

    #[test]
    fn reads_slope_of_new_snake_case_estimates() {
        let run = parse_file(NEW_ESTIMATES).unwrap();
        assert_eq!(time(&run, "criterion"), Data::Value(4.708418938929127));
    }

    #[test]
    fn falls_back_to_mean_when_slope_is_null() {
        let run = parse_file(
            r#"{"mean":{"point_estimate":12.5,"standard_error":0.1},"median":{"point_estimate":12.0},
                "median_abs_dev":{"point_estimate":0.2},"slope":null,"std_dev":{"point_estimate":0.3}}"#,
        )
        .unwrap();
        assert_eq!(time(&run, "criterion"), Data::Value(12.5));
        let run = parse_file(r#"{"Mean":{"point_estimate":7.0},"StdDev":{"point_estimate":1.0}}"#)
            .unwrap();
        assert_eq!(time(&run, "criterion"), Data::Value(7.0));
    }

    #[test]
    fn detects_every_criterion_file_and_nothing_else() {
        for text in [
            OLD_ESTIMATES,
            OLD_SAMPLE,
            OLD_BENCHMARK,
            OLD_CHANGE,
            NEW_ESTIMATES,
            NEW_SAMPLE,
        ] {
            let v: Value = serde_json::from_str(text).unwrap();
            assert!(looks_like_json(&v), "{text}");
        }
        for text in [
            r#"{"mean": 5}"#,
            r#"[[1, 2], ["a"]]"#,
            r#"[[1], [2], [3]]"#,
            r#"[{"name": "a", "unit": "ns", "value": 1}]"#,
            r#"{"metrics": {}, "root_group": {}}"#,
            r#"{"results": [{"command": "x", "times": [1]}]}"#,
        ] {
            let v: Value = serde_json::from_str(text).unwrap();
            assert!(!looks_like_json(&v), "{text}");
        }
    }

    #[test]
    fn single_files_are_detected_and_parsed_as_criterion() {
        use super::super::{detect, parse, Format};
        for text in [OLD_ESTIMATES, OLD_SAMPLE, NEW_ESTIMATES, NEW_SAMPLE] {
            assert_eq!(detect(text), Ok(Format::Criterion));
            let run = parse(Format::Criterion, text).unwrap();
            assert_eq!(run.benchmarks.len(), 1);
        }
    }

    #[test]
    fn reads_a_directory_using_full_ids_and_ignoring_other_baselines() {
        let files = vec![
            // full_id from benchmark.json; estimates only.
            file("Fibonacci2/Iterative/20/new/benchmark.json", OLD_BENCHMARK),
            file("Fibonacci2/Iterative/20/new/estimates.json", OLD_ESTIMATES),
            // No benchmark.json: named by its directory; samples win over estimates.
            file("Fibonacci/Iterative/new/estimates.json", OLD_ESTIMATES),
            file("Fibonacci/Iterative/new/sample.json", OLD_SAMPLE),
            file("Fibonacci/Iterative/new/tukey.json", "[1, 2, 3, 4]"),
            // New layout, named by a full_id that differs from its sanitised directory.
            file(
                "parse/json_value/new/benchmark.json",
                r#"{"group_id":"parse","function_id":"json value","value_str":null,"throughput":null,
                    "full_id":"parse/json value","directory_name":"parse/json_value","title":"parse/json value"}"#,
            ),
            file("parse/json_value/new/estimates.json", NEW_ESTIMATES),
            file("parse/json_value/new/sample.json", NEW_SAMPLE),
            // Ignored: other baselines, changes, reports, even when malformed.
            file("Fibonacci/Iterative/base/estimates.json", "{broken"),
            file("Fibonacci/Iterative/base/sample.json", "[[1], [-5]]"),
            file("Fibonacci/Iterative/change/estimates.json", OLD_CHANGE),
            file("Fibonacci/Iterative/report/index.html", "<html>"),
            file("report/index.html", "<html>"),
            file("only-base/base/estimates.json", OLD_ESTIMATES),
        ];
        let run = parse_dir(&files).unwrap();
        let names: Vec<&str> = run.benchmarks.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "Fibonacci/Iterative",
                "Fibonacci2/Iterative/20",
                "parse/json value"
            ]
        );
        assert_eq!(
            time(&run, "Fibonacci2/Iterative/20"),
            Data::Value(4.708418938929127)
        );
        let s = samples(&run, "Fibonacci/Iterative");
        assert_eq!(s.len(), 100);
        assert_eq!(s.get(1).copied(), Some(1853000.0 / 418908.0));
        assert_eq!(samples(&run, "parse/json value"), s);
        assert_eq!(run.meta.tool.as_deref(), Some("criterion"));
        insta::assert_json_snapshot!("directory", run);
    }

    #[test]
    fn accepts_windows_separators_and_a_benchmark_directory_as_root() {
        let run = parse_dir(&[file(r".\a\b\new\estimates.json", OLD_ESTIMATES)]).unwrap();
        assert!(run.benchmark("a/b").is_some());
        let run = parse_dir(&[file("new/estimates.json", OLD_ESTIMATES)]).unwrap();
        assert!(run.benchmark("criterion").is_some());
    }

    #[test]
    fn fails_on_a_directory_without_new_results() {
        let e = parse_dir(&[
            file("a/base/estimates.json", OLD_ESTIMATES),
            file("a/new/benchmark.json", OLD_BENCHMARK),
        ])
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("expected `<id>/new/estimates.json` files"),
            "{e}"
        );
        let e = parse_dir(&[]).unwrap_err().to_string();
        assert!(e.contains("no criterion results found"), "{e}");
    }

    #[test]
    fn names_the_file_of_a_directory_error() {
        let e = parse_dir(&[file("a/new/sample.json", "[[1, 0], [5, 5]]")])
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "a/new/sample.json: `iters[1]` is 0: iteration counts must be positive"
        );
        let e = parse_dir(&[file(
            "a/new/estimates.json",
            r#"{"mean": {"point_estimate""#,
        )])
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("a/new/estimates.json: line 1: "), "{e}");
        let e = parse_dir(&[file("a/new/sample.json", "")])
            .unwrap_err()
            .to_string();
        assert_eq!(e, "a/new/sample.json: the file is empty");
        let e = parse_dir(&[
            file("a/new/estimates.json", OLD_ESTIMATES),
            file("a/new/benchmark.json", "[]"),
        ])
        .unwrap_err()
        .to_string();
        assert!(
            e.starts_with("a/new/benchmark.json: expected benchmark.json"),
            "{e}"
        );
    }

    /// A cut `estimates.json` next to a `sample.json` was skipped without a word.
    #[test]
    fn fails_on_a_broken_estimates_file_next_to_samples() {
        let cut = OLD_ESTIMATES.get(..100).unwrap();
        for (estimates, expected) in [
            (cut, "a/new/estimates.json: line 1: "),
            ("", "a/new/estimates.json: the file is empty"),
            ("[]", "a/new/estimates.json: expected estimates.json (an object with `mean`), found an array"),
        ] {
            let e = parse_dir(&[
                file("a/new/estimates.json", estimates),
                file("a/new/sample.json", OLD_SAMPLE),
                file("b/new/estimates.json", OLD_ESTIMATES),
                file("b/new/sample.json", OLD_SAMPLE),
            ])
            .unwrap_err();
            assert_eq!(e.line, None);
            assert!(e.message.starts_with(expected), "{e}");
        }
        let e = parse_dir(&[
            file("a/new/estimates.json", cut),
            file("a/new/sample.json", OLD_SAMPLE),
        ])
        .unwrap_err();
        assert!(e.message.contains("EOF"), "{e}");
    }

    /// A link `a/loop -> ..` gave benchmarks `a`, `a/loop/a`, `a/loop/a/loop/a`... as deep as the
    /// walk went.
    #[test]
    fn fails_on_one_directory_reached_by_two_paths() {
        let e = parse_dir(&[
            file("a/new/estimates.json", OLD_ESTIMATES),
            file("a/new/sample.json", OLD_SAMPLE),
            file("a/loop/a/new/estimates.json", OLD_ESTIMATES),
            file("a/loop/a/new/sample.json", OLD_SAMPLE),
            file("b/new/estimates.json", NEW_ESTIMATES),
            file("b/new/sample.json", NEW_SAMPLE),
        ])
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "`a/new` and `a/loop/a/new` hold the same result files, which no two measurements give: one benchmark's results copied, or one directory reached by two paths (a symbolic link to a parent directory?); remove the copy or the link"
        );
        // Other files in each, same numbers written otherwise: two benchmarks.
        let run = parse_dir(&[
            file("a/new/estimates.json", OLD_ESTIMATES),
            file("a/new/sample.json", OLD_SAMPLE),
            file("b/new/estimates.json", NEW_ESTIMATES),
            file("b/new/sample.json", NEW_SAMPLE),
        ])
        .unwrap();
        assert_eq!(run.benchmarks.len(), 2);
    }

    #[test]
    fn fails_when_two_directories_share_a_full_id() {
        let id = r#"{"group_id":"g","full_id":"g/f"}"#;
        let e = parse_dir(&[
            file("g/f/new/estimates.json", OLD_ESTIMATES),
            file("g/f/new/benchmark.json", id),
            file("g/f_/new/estimates.json", OLD_ESTIMATES),
            file("g/f_/new/benchmark.json", id),
        ])
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("two criterion benchmarks are named `g/f`"),
            "{e}"
        );
    }

    #[test]
    fn fails_on_empty_and_truncated_input() {
        assert!(err_file("").contains("empty"));
        assert!(err_file(" \n").contains("empty"));
        let cut = OLD_ESTIMATES.get(..100).unwrap();
        let e = parse_file(cut).unwrap_err();
        assert_eq!(e.line, Some(1));
        assert!(e.message.contains("EOF"), "{e}");
    }

    #[test]
    fn fails_on_bad_samples() {
        let e = err_file(r#"{"sampling_mode":"Linear","iters":[1,2],"times":[5]}"#);
        assert!(e.contains("`iters` has 2 values but `times` has 1"), "{e}");
        let e = err_file(r#"{"iters":[],"times":[]}"#);
        assert!(e.contains("empty"), "{e}");
        let e = err_file(r#"{"iters":[1,-2],"times":[5,5]}"#);
        assert!(e.contains("`iters[1]` is -2"), "{e}");
        let e = err_file(r#"{"iters":[1,2],"times":[5,"x"]}"#);
        assert!(
            e.contains("`times[1]` must be a finite number, found a string"),
            "{e}"
        );
        let e = err_file(r#"{"iters":[1,2],"times":[5,NaN]}"#);
        assert!(
            e.contains("`times[1]` must be a finite number, found null"),
            "{e}"
        );
        let e = err_file(r#"{"iters":[1],"times":[-5]}"#);
        assert!(e.contains("`times[0]` is -5"), "{e}");
        let e = err_file(r#"{"iters":{"a":1},"times":[5]}"#);
        assert!(e.contains("expected criterion's estimates.json"), "{e}");
    }

    #[test]
    fn fails_on_bad_estimates() {
        let e = err_file(r#"{"Mean":{"point_estimate":"fast"},"StdDev":{"point_estimate":1}}"#);
        assert!(
            e.contains("`Mean.point_estimate` must be a finite number, found a string"),
            "{e}"
        );
        let e = err_file(r#"{"mean":{"point_estimate":null},"std_dev":{"point_estimate":1}}"#);
        assert!(e.contains("expected a `mean` (or `slope`) estimate"), "{e}");
        let e = err_file(r#"{"mean":{"point_estimate":1},"slope":5,"std_dev":{}}"#);
        assert!(e.contains("`slope` must be an object"), "{e}");
        let e = err_file(r#"{"mean":{"point_estimate":-3},"std_dev":{}}"#);
        assert!(e.contains("`mean.point_estimate` is -3"), "{e}");
    }

    #[test]
    fn refuses_change_estimates_and_benchmark_json_alone() {
        let e = err_file(OLD_CHANGE);
        assert!(e.contains("change/estimates.json"), "{e}");
        let e = err_file(OLD_BENCHMARK);
        assert!(e.contains("benchmark.json"), "{e}");
        let e = err_file(r#"{"foo": 1}"#);
        assert!(e.contains("expected criterion's estimates.json"), "{e}");
    }
}
