//! BenchmarkDotNet JSON, as written by its JSON exporters (`[JsonExporterAttribute.Full]`,
//! `--exporters json`, giving `BenchmarkDotNet.Artifacts/results/*-report-full.json`, or the
//! brief `*-report.json`): `{Title, HostEnvironmentInfo{...}, Benchmarks[{FullName, Statistics,
//! Memory?, Metrics[]?, ...}]}`. Read for 0.9.x to 0.15.x; 0.9.x has `ShortInfo` instead of
//! `DisplayInfo`, no `FullName`, no `OriginalValues`, and writes `ProcessorName` as an object.
//!
//! Detection ([`looks_like_json`]): an object with `HostEnvironmentInfo` and a `Benchmarks` array.
//!
//! Each benchmark is named by `FullName` (`Namespace.Type.Method(N: 10)`), or in files without it
//! by `Namespace.Type.Method` followed by its `Parameters` (`N=10&Size=3` becomes `(N: 10, Size:
//! 3)`). One method run under several jobs (runtimes, toolchains) gives several entries with one
//! `FullName`; only then the job from `DisplayInfo` is appended in brackets: `... [ShortRun]`.
//!
//! `time` is `Statistics.OriginalValues` (nanoseconds per operation of every measured iteration,
//! outliers included) as samples; without them, the single `Statistics.Median` (else `Mean`). A
//! benchmark whose `Statistics` is null (it failed) is left out. With `[MemoryDiagnoser]`,
//! `alloc_bytes` is `Memory.BytesAllocatedPerOperation` and `gen0_collections`,
//! `gen1_collections`, `gen2_collections` are garbage collections per 1000 operations (as
//! BenchmarkDotNet shows them), all better lower. Other entries of `Metrics[]` (threading,
//! exception or hardware-counter diagnosers) are kept under their descriptor `Id` in snake case,
//! with the descriptor's `Unit` and its `TheGreaterTheBetter` as direction.

use serde_json::{Map, Value};

use super::common::json::{array_field, item_lines, json_document, kind_of, object_or};
use super::spec::{Detect, ParseError, Spec};
use crate::model::{Benchmarks, Data, Direction, Environment, Metric, Run, RunMeta, Unit};

/// How `benchmarkdotnet` is named, detected and read.
pub const SPEC: Spec = Spec {
    name: "benchmarkdotnet",
    aliases: &["dotnet"],
    reads: "BenchmarkDotNet JsonExporter (*-report-full.json)",
    detected_by: "JSON object with `HostEnvironmentInfo` and `Benchmarks[]`",
    detect: &[Detect::Json(looks_like_json)],
    parse,
};

/// True for a BenchmarkDotNet export: an object with `HostEnvironmentInfo` and `Benchmarks[]`.
pub fn looks_like_json(v: &Value) -> bool {
    let Value::Object(o) = v else { return false };
    o.contains_key("HostEnvironmentInfo") && o.get("Benchmarks").is_some_and(Value::is_array)
}

/// One benchmark entry, read.
struct Entry {
    name: String,
    job: Option<String>,
    metrics: Vec<Metric>,
}

/// Parses a BenchmarkDotNet JSON export; see the module documentation.
pub fn parse(text: &str) -> Result<Run, ParseError> {
    let (text, doc) = json_document(
        text,
        "the BenchmarkDotNet export is empty: expected the JSON of its JSON exporter (`*-report-full.json`)",
    )?;
    let (root, items) = array_field(
        &doc,
        "Benchmarks",
        "a BenchmarkDotNet JSON object with `Benchmarks`",
        "benchmark reports",
        "not a BenchmarkDotNet export: the object has no `Benchmarks` array (add `[JsonExporterAttribute.Full]` or `--exporters json`)",
    )?;
    let lines = item_lines(text, Some("Benchmarks"));
    let mut entries = Vec::new();
    let mut failed = 0usize;
    for (i, item) in items.iter().enumerate() {
        match read_entry(i, item).map_err(|m| ParseError::new(lines.get(i).copied(), m))? {
            Some(e) => entries.push(e),
            None => failed += 1,
        }
    }
    if entries.is_empty() {
        return Err(ParseError::whole(if failed > 0 {
            format!("the BenchmarkDotNet export has no results: all {failed} benchmarks have no `Statistics` (they failed)")
        } else {
            "the BenchmarkDotNet export has no results: `Benchmarks` is empty".to_string()
        }));
    }

    // The job joins the name only where one name was run under several jobs.
    let jobs_of = |name: &str| {
        let mut jobs: Vec<Option<&str>> = Vec::new();
        for e in entries.iter().filter(|e| e.name == name) {
            if !jobs.contains(&e.job.as_deref()) {
                jobs.push(e.job.as_deref());
            }
        }
        jobs.len()
    };
    let names: Vec<String> = entries
        .iter()
        .map(|e| match &e.job {
            Some(job) if jobs_of(&e.name) > 1 => format!("{} [{job}]", e.name),
            _ => e.name.clone(),
        })
        .collect();
    let mut benchmarks = Benchmarks::default();
    for (name, e) in names.into_iter().zip(entries) {
        benchmarks.add(name, e.metrics);
    }
    Ok(Run::new(read_meta(root), benchmarks.into_vec()))
}

/// Reads one benchmark; `Ok(None)` when it has no statistics (it failed).
fn read_entry(i: usize, item: &Value) -> Result<Option<Entry>, String> {
    let o = object_or(item, |kind| {
        format!("`Benchmarks[{i}]`: expected a benchmark report object, found {kind}")
    })?;
    let name = name_of(i, o)?;
    let job = ["DisplayInfo", "ShortInfo"]
        .iter()
        .find_map(|k| o.get(*k).and_then(Value::as_str))
        .and_then(|d| d.split_once(": "))
        .map(|(_, job)| job.trim().to_string())
        .filter(|j| !j.is_empty());
    let stats = match o.get("Statistics") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Object(s)) => s,
        Some(other) => {
            return Err(format!(
                "`{name}`: `Statistics` must be an object, found {}",
                kind_of(other)
            ))
        }
    };
    let mut metrics: Vec<Metric> = Vec::new();
    let mut samples = Vec::new();
    match stats.get("OriginalValues") {
        None | Some(Value::Null) => {}
        Some(Value::Array(values)) => {
            for (k, v) in values.iter().enumerate() {
                if let Some(x) = number(&name, &format!("Statistics.OriginalValues[{k}]"), v)? {
                    samples.push(x);
                }
            }
        }
        Some(other) => {
            return Err(format!(
                "`{name}`: `Statistics.OriginalValues` must be an array of nanoseconds, found {}",
                kind_of(other)
            ))
        }
    }
    let time = match samples.len() {
        0 => {
            let median = stats
                .get("Median")
                .map(|v| number(&name, "Statistics.Median", v))
                .transpose()?
                .flatten();
            let mean = stats
                .get("Mean")
                .map(|v| number(&name, "Statistics.Mean", v))
                .transpose()?
                .flatten();
            match median.or(mean) {
                Some(v) => Data::Value(v),
                None => return Err(format!(
                    "`{name}`: `Statistics` has no time: expected `OriginalValues`, `Median` or `Mean` in nanoseconds"
                )),
            }
        }
        1 => Data::Value(samples.first().copied().unwrap_or_default()),
        _ => Data::Samples(samples),
    };
    let negative = match &time {
        Data::Value(v) => *v < 0.0,
        Data::Samples(s) => s.iter().any(|v| *v < 0.0),
        Data::Histogram(_) => false,
    };
    if negative {
        return Err(format!("`{name}`: a time in `Statistics` is negative"));
    }
    metrics.push(Metric::new("time", Unit::Nanoseconds, time));

    // Descriptor metrics first: they carry BenchmarkDotNet's own unit and direction.
    match o.get("Metrics") {
        None | Some(Value::Null) => {}
        Some(Value::Array(list)) => {
            // A set, not a search of the metrics so far: a list of 100,000 took seconds.
            let mut seen: std::collections::HashSet<String> =
                metrics.iter().map(|x| x.name.clone()).collect();
            for (k, m) in list.iter().enumerate() {
                if let Some(metric) = descriptor_metric(&name, k, m)? {
                    if seen.insert(metric.name.clone()) {
                        metrics.push(metric);
                    }
                }
            }
        }
        Some(other) => {
            return Err(format!(
                "`{name}`: `Metrics` must be an array, found {}",
                kind_of(other)
            ))
        }
    }
    match o.get("Memory") {
        None | Some(Value::Null) => {}
        Some(Value::Object(mem)) => {
            for m in memory_metrics(&name, mem)? {
                if !metrics.iter().any(|x| x.name == m.name) {
                    metrics.push(m);
                }
            }
        }
        Some(other) => {
            return Err(format!(
                "`{name}`: `Memory` must be an object, found {}",
                kind_of(other)
            ))
        }
    }
    Ok(Some(Entry { name, job, metrics }))
}

fn name_of(i: usize, o: &Map<String, Value>) -> Result<String, String> {
    let text = |k: &str| {
        o.get(k)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
    };
    if let Some(full) = text("FullName") {
        return Ok(full.to_string());
    }
    let (Some(ty), Some(method)) = (text("Type"), text("Method")) else {
        return Err(format!(
            "`Benchmarks[{i}]` has no `FullName`, and no `Type` and `Method` to name it by"
        ));
    };
    let mut name = match text("Namespace") {
        Some(ns) => format!("{ns}.{ty}.{method}"),
        None => format!("{ty}.{method}"),
    };
    if let Some(params) = text("Parameters") {
        let list: Vec<String> = params
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| match p.split_once('=') {
                Some((k, v)) => format!("{k}: {v}"),
                None => p.to_string(),
            })
            .collect();
        name.push_str(&format!("({})", list.join(", ")));
    }
    Ok(name)
}

/// One entry of `Metrics[]`; `None` when its value is not finite.
fn descriptor_metric(name: &str, k: usize, m: &Value) -> Result<Option<Metric>, String> {
    let m = object_or(m, |kind| {
        format!("`{name}`: `Metrics[{k}]` must be an object with `Value` and `Descriptor`, found {kind}")
    })?;
    let Some(Value::Object(d)) = m.get("Descriptor") else {
        return Err(format!(
            "`{name}`: `Metrics[{k}]` has no `Descriptor` object"
        ));
    };
    let Some(id) = d
        .get("Id")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
    else {
        return Err(format!("`{name}`: `Metrics[{k}].Descriptor` has no `Id`"));
    };
    let Some(value) = m
        .get("Value")
        .map(|v| number(name, &format!("Metrics[{k}].Value"), v))
        .transpose()?
        .flatten()
    else {
        return Ok(None);
    };
    let metric_name = match id {
        "Allocated Memory" => "alloc_bytes".to_string(),
        "Gen0Collects" => "gen0_collections".to_string(),
        "Gen1Collects" => "gen1_collections".to_string(),
        "Gen2Collects" => "gen2_collections".to_string(),
        other => snake_case(other),
    };
    let raw_unit = d.get("Unit").and_then(Value::as_str).unwrap_or("");
    let (unit, factor) = Unit::parse(raw_unit);
    let value = value * factor;
    if value < 0.0 && matches!(unit, Unit::Nanoseconds | Unit::Bytes) {
        return Err(format!(
            "`{name}`: metric `{id}` is negative ({value} {raw_unit})"
        ));
    }
    let mut metric = Metric::new(metric_name, unit, Data::Value(value));
    match d.get("TheGreaterTheBetter") {
        Some(Value::Bool(true)) => metric = metric.with_direction(Direction::HigherIsBetter),
        Some(Value::Bool(false)) => metric = metric.with_direction(Direction::LowerIsBetter),
        _ => {}
    }
    Ok(Some(metric))
}

/// The `Memory` block of `[MemoryDiagnoser]`, for files without (or with fewer) `Metrics[]`.
fn memory_metrics(name: &str, mem: &Map<String, Value>) -> Result<Vec<Metric>, String> {
    let get = |k: &str| -> Result<Option<f64>, String> {
        mem.get(k)
            .map(|v| number(name, &format!("Memory.{k}"), v))
            .transpose()
            .map(Option::flatten)
    };
    let mut out = Vec::new();
    if let Some(bytes) = get("BytesAllocatedPerOperation")? {
        if bytes < 0.0 {
            return Err(format!(
                "`{name}`: `Memory.BytesAllocatedPerOperation` is negative"
            ));
        }
        out.push(Metric::new("alloc_bytes", Unit::Bytes, Data::Value(bytes)));
    }
    if let Some(ops) = get("TotalOperations")?.filter(|n| *n > 0.0) {
        for (key, metric) in [
            ("Gen0Collections", "gen0_collections"),
            ("Gen1Collections", "gen1_collections"),
            ("Gen2Collections", "gen2_collections"),
        ] {
            if let Some(count) = get(key)? {
                out.push(Metric::new(
                    metric,
                    Unit::Count,
                    Data::Value(count / ops * 1000.0),
                ));
            }
        }
    }
    Ok(out)
}

/// `CompletedWorkItemCount` -> `completed_work_item_count`, `Allocated native memory` ->
/// `allocated_native_memory`.
fn snake_case(id: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in id.chars() {
        if c.is_alphanumeric() {
            if c.is_uppercase() && prev_lower && !out.ends_with('_') {
                out.push('_');
            }
            out.extend(c.to_lowercase());
            prev_lower = c.is_lowercase() || c.is_ascii_digit();
        } else {
            if !out.is_empty() && !out.ends_with('_') {
                out.push('_');
            }
            prev_lower = false;
        }
    }
    out.trim_end_matches('_').to_string()
}

/// A number: `None` when null or not finite (BenchmarkDotNet may write `NaN`).
fn number(name: &str, at: &str, v: &Value) -> Result<Option<f64>, String> {
    match v {
        Value::Null => Ok(None),
        Value::Number(n) => Ok(n.as_f64().filter(|x| x.is_finite())),
        Value::String(s) if matches!(s.trim(), "NaN" | "Infinity" | "-Infinity") => Ok(None),
        other => Err(format!(
            "`{name}`: `{at}` must be a number, found {}",
            kind_of(other)
        )),
    }
}

fn read_meta(root: &Map<String, Value>) -> RunMeta {
    let mut env = Environment::default();
    let text = |v: Option<&Value>| -> Option<String> {
        match v? {
            Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
            // 0.9.x: `"ProcessorName": {"IsValueCreated": true, "Value": "..."}`.
            Value::Object(o) => o
                .get("Value")
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string),
            _ => None,
        }
    };
    if let Some(Value::Object(h)) = root.get("HostEnvironmentInfo") {
        env.os = text(h.get("OsVersion"));
        env.arch = text(h.get("Architecture"));
        env.cpu = text(h.get("ProcessorName"));
        env.cores = ["LogicalCoreCount", "ProcessorCount"]
            .iter()
            .find_map(|k| h.get(*k).and_then(Value::as_u64))
            .and_then(|n| u32::try_from(n).ok());
        let runtime = text(h.get("RuntimeVersion")).or_else(|| text(h.get("ClrVersion")));
        for (key, value) in [
            (
                "benchmarkdotnet_version",
                text(h.get("BenchmarkDotNetVersion")),
            ),
            ("runtime", runtime),
            ("configuration", text(h.get("Configuration"))),
            ("dotnet_cli_version", text(h.get("DotNetCliVersion"))),
        ] {
            if let Some(v) = value {
                env.extra.insert(key.to_string(), v);
            }
        }
        if h.get("HasAttachedDebugger").and_then(Value::as_bool) == Some(true) {
            env.extra
                .insert("attached_debugger".to_string(), "true".to_string());
        }
    }
    if let Some(title) = text(root.get("Title")) {
        env.extra.insert("title".to_string(), title);
    }
    RunMeta {
        tool: Some("benchmarkdotnet".to_string()),
        environment: env,
        ..RunMeta::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::common::json::lenient_json;
    use crate::formats::test_support::metric;

    const V0_12: &str = include_str!("../../tests/fixtures/dotnet/benchmarkdotnet.json");
    const MEMORY: &str = include_str!("../../tests/fixtures/dotnet/bdn-memory.json");
    const V0_9: &str = include_str!("../../tests/fixtures/dotnet/bdn-0.9.9-two.json");

    fn names(run: &Run, bench: &str) -> Vec<String> {
        run.benchmark(bench)
            .unwrap()
            .metrics
            .iter()
            .map(|m| m.name.clone())
            .collect()
    }

    fn err(text: &str) -> ParseError {
        parse(text).unwrap_err()
    }

    #[test]
    fn reads_original_values_as_samples_in_nanoseconds() {
        let run = parse(V0_12).unwrap();
        let all: Vec<&str> = run.benchmarks.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(all, ["Sample.Benchmarks.Fib10", "Sample.Benchmarks.Fib20"]);
        let t = metric(&run, "Sample.Benchmarks.Fib10", "time");
        assert_eq!(t.unit, Unit::Nanoseconds);
        assert_eq!(t.direction, Direction::LowerIsBetter);
        let Data::Samples(s) = &t.data else {
            panic!("{:?}", t.data)
        };
        assert_eq!(s.len(), 14);
        assert_eq!(s[0], 24.805462032556534);
        assert_eq!(metric(&run, "Sample.Benchmarks.Fib20", "time").data.n(), 13);
        assert_eq!(names(&run, "Sample.Benchmarks.Fib20"), ["time"]);
    }

    #[test]
    fn reads_host_environment_info_into_metadata() {
        let run = parse(V0_12).unwrap();
        let env = &run.meta.environment;
        assert_eq!(run.meta.tool.as_deref(), Some("benchmarkdotnet"));
        assert_eq!(
            env.os.as_deref(),
            Some("macOS Catalina 10.15.4 (19E287) [Darwin 19.4.0]")
        );
        assert_eq!(env.arch.as_deref(), Some("X64"));
        assert_eq!(
            env.cpu.as_deref(),
            Some("Intel Core i7-7820HQ CPU 2.90GHz (Kaby Lake)")
        );
        assert_eq!(env.cores, Some(8));
        let extra = |k: &str| env.extra.get(k).map(String::as_str);
        assert_eq!(extra("benchmarkdotnet_version"), Some("0.12.1"));
        assert_eq!(
            extra("runtime"),
            Some(".NET Core 3.0.0 (CoreCLR 4.700.19.46205, CoreFX 4.700.19.46214)")
        );
        assert_eq!(extra("configuration"), Some("RELEASE"));
        assert_eq!(extra("title"), Some("Sample.Benchmarks-20200529-164431"));
        assert_eq!(extra("attached_debugger"), None);
        insta::assert_json_snapshot!("benchmarkdotnet_0_12", run);
    }

    #[test]
    fn reads_memory_diagnoser_metrics_with_their_descriptors() {
        let run = parse(MEMORY).unwrap();
        let name = "BenchmarkDotNet.Samples.Memory.AllocEmptyList";
        assert_eq!(
            names(&run, name),
            [
                "time",
                "gen0_collections",
                "gen1_collections",
                "gen2_collections",
                "alloc_bytes"
            ]
        );
        assert_eq!(
            metric(&run, name, "time").data,
            Data::Samples(vec![
                76.35858058929443,
                77.41812467575073,
                78.70677709579468
            ])
        );
        let alloc = metric(&run, name, "alloc_bytes");
        assert_eq!(alloc.unit, Unit::Bytes);
        assert_eq!(alloc.direction, Direction::LowerIsBetter);
        assert_eq!(alloc.data, Data::Value(368.0));
        let gen0 = metric(&run, name, "gen0_collections");
        assert_eq!(gen0.unit, Unit::Count);
        assert_eq!(gen0.data, Data::Value(0.02193450927734375));
        assert_eq!(
            metric(
                &run,
                "BenchmarkDotNet.Samples.Memory.AllocExactList",
                "alloc_bytes"
            )
            .data,
            Data::Value(184.0)
        );
        assert_eq!(run.meta.environment.cores, Some(16));
        assert_eq!(
            run.meta.environment.cpu.as_deref(),
            Some("AMD Ryzen 7 5800X")
        );
        insta::assert_json_snapshot!("bdn_memory_0_15", run);
    }

    #[test]
    fn derives_memory_metrics_from_the_memory_block_alone() {
        // The 0.15.8 file without its `Metrics[]`: the same numbers come from `Memory`.
        let mut v: Value = serde_json::from_str(MEMORY).unwrap();
        for b in v["Benchmarks"].as_array_mut().unwrap() {
            b.as_object_mut().unwrap().remove("Metrics");
        }
        let run = parse(&v.to_string()).unwrap();
        let name = "BenchmarkDotNet.Samples.Memory.AllocEmptyList";
        assert_eq!(metric(&run, name, "alloc_bytes").data, Data::Value(368.0));
        let Data::Value(g) = metric(&run, name, "gen0_collections").data else {
            panic!()
        };
        assert!((g - 0.02193450927734375).abs() < 1e-15, "{g}");
        assert_eq!(
            metric(&run, name, "gen1_collections").data,
            Data::Value(0.0)
        );
    }

    #[test]
    fn reads_a_0_9_file_by_type_method_and_median() {
        let run = parse(V0_9).unwrap();
        let all: Vec<&str> = run.benchmarks.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(
            all,
            [
                "BenchmarkDotNet.Samples.Intro.IntroJsonExport.Sleep10",
                "BenchmarkDotNet.Samples.Intro.IntroJsonExport.Sleep20"
            ]
        );
        assert_eq!(
            metric(
                &run,
                "BenchmarkDotNet.Samples.Intro.IntroJsonExport.Sleep10",
                "time"
            )
            .data,
            Data::Value(10360382.6953125)
        );
        let env = &run.meta.environment;
        // `ProcessorName` is an object in 0.9.x.
        assert_eq!(
            env.cpu.as_deref(),
            Some("Intel(R) Core(TM) i7-4702MQ CPU 2.20GHz")
        );
        assert_eq!(env.cores, Some(8));
        assert_eq!(env.os.as_deref(), Some("Microsoft Windows NT 6.2.9200.0"));
        assert_eq!(
            env.extra.get("runtime").map(String::as_str),
            Some("MS.NET 4.0.30319.42000")
        );
        insta::assert_json_snapshot!("bdn_0_9_9_two", run);
    }

    #[test]
    fn names_by_parameters_and_by_job_only_when_needed() {
        let run = parse(
            r#"{"HostEnvironmentInfo": {}, "Benchmarks": [
                {"Namespace": null, "Type": "Bench", "Method": "Parse", "Parameters": "N=10&Size=3",
                 "DisplayInfo": "Bench.Parse: DefaultJob [N=10, Size=3]",
                 "Statistics": {"Median": 5.0}},
                {"FullName": "Ns.Bench.Run", "DisplayInfo": "Bench.Run: Job-A(Runtime=.NET 8.0)",
                 "Statistics": {"OriginalValues": [1.0, 2.0]}},
                {"FullName": "Ns.Bench.Run", "DisplayInfo": "Bench.Run: Job-B(Runtime=.NET 9.0)",
                 "Statistics": {"Mean": 3.0}},
                {"FullName": "Ns.Bench.Broken", "Statistics": null},
                {"FullName": "Ns.Bench.Threads", "Statistics": {"Median": 9.0},
                 "Metrics": [{"Value": 12.5, "Descriptor": {"Id": "CompletedWorkItemCount",
                   "Unit": "Count", "TheGreaterTheBetter": true}},
                   {"Value": NaN, "Descriptor": {"Id": "LockContentionCount", "Unit": "Count"}}]}
            ]}"#,
        )
        .unwrap();
        let all: Vec<&str> = run.benchmarks.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(
            all,
            [
                "Bench.Parse(N: 10, Size: 3)",
                "Ns.Bench.Run [Job-A(Runtime=.NET 8.0)]",
                "Ns.Bench.Run [Job-B(Runtime=.NET 9.0)]",
                "Ns.Bench.Threads"
            ]
        );
        let work = metric(&run, "Ns.Bench.Threads", "completed_work_item_count");
        assert_eq!(work.unit, Unit::Count);
        assert_eq!(work.direction, Direction::HigherIsBetter);
        assert_eq!(work.data, Data::Value(12.5));
        assert_eq!(
            names(&run, "Ns.Bench.Threads"),
            ["time", "completed_work_item_count"]
        );
    }

    #[test]
    fn turns_descriptor_ids_into_snake_case() {
        assert_eq!(
            snake_case("CompletedWorkItemCount"),
            "completed_work_item_count"
        );
        assert_eq!(
            snake_case("Allocated native memory"),
            "allocated_native_memory"
        );
        assert_eq!(snake_case("Exceptions/Op"), "exceptions_op");
        assert_eq!(snake_case("CacheMisses"), "cache_misses");
    }

    #[test]
    fn detects_benchmarkdotnet_files_and_rejects_others() {
        for text in [V0_12, MEMORY, V0_9] {
            assert!(looks_like_json(&lenient_json(text).unwrap()));
        }
        for other in [
            r#"{"Benchmarks": []}"#,
            r#"{"context": {}, "benchmarks": [{"name": "a", "real_time": 1}]}"#,
            r#"{"machine_info": {}, "benchmarks": [{"name": "a", "stats": {}}]}"#,
            r#"[{"benchmark": "a", "primaryMetric": {}}]"#,
        ] {
            assert!(!looks_like_json(&lenient_json(other).unwrap()), "{other}");
        }
    }

    #[test]
    fn fails_on_empty_input_and_no_results() {
        assert!(err("").message.contains("empty"));
        let e = err(r#"{"HostEnvironmentInfo": {}, "Benchmarks": []}"#);
        assert!(e.message.contains("`Benchmarks` is empty"), "{e}");
        let e = err(r#"{"Benchmarks": [{"FullName": "A.B", "Statistics": null}]}"#);
        assert!(
            e.message.contains("all 1 benchmarks have no `Statistics`"),
            "{e}"
        );
    }

    #[test]
    fn fails_on_truncated_json_with_its_line() {
        let e = err(V0_9.get(..1500).unwrap());
        assert!(e.line.is_some(), "{e:?}");
        assert!(e.message.contains("EOF"), "{e}");
    }

    #[test]
    fn fails_on_wrong_shapes() {
        let e = err("[]");
        assert!(e.message.contains("found an array"), "{e}");
        let e = err(r#"{"HostEnvironmentInfo": {}}"#);
        assert!(e.message.contains("no `Benchmarks` array"), "{e}");
        let e = err("{\"Benchmarks\": [\n  true\n]}");
        assert_eq!(e.line, Some(2));
        assert!(
            e.message
                .contains("`Benchmarks[0]`: expected a benchmark report"),
            "{e}"
        );
        let e = err(r#"{"Benchmarks": [{"Method": "M", "Statistics": {}}]}"#);
        assert!(
            e.message
                .contains("no `FullName`, and no `Type` and `Method`"),
            "{e}"
        );
        let e = err(r#"{"Benchmarks": [{"FullName": "A.B", "Statistics": {"N": 3}}]}"#);
        assert!(e.message.contains("`A.B`: `Statistics` has no time"), "{e}");
        let e = err(
            r#"{"Benchmarks": [{"FullName": "A.B", "Statistics": {"Median": 1}, "Metrics": [{"Value": 1}]}]}"#,
        );
        assert!(
            e.message.contains("`Metrics[0]` has no `Descriptor`"),
            "{e}"
        );
    }

    #[test]
    fn fails_on_bad_numbers() {
        let e = err(
            r#"{"Benchmarks": [{"FullName": "A.B", "Statistics": {"OriginalValues": [1, "x"]}}]}"#,
        );
        assert!(
            e.message.contains(
                "`A.B`: `Statistics.OriginalValues[1]` must be a number, found the string \"x\""
            ),
            "{e}"
        );
        let e = err(r#"{"Benchmarks": [{"FullName": "A.B", "Statistics": {"Median": -2}}]}"#);
        assert!(e.message.contains("negative"), "{e}");
        let e = err(
            r#"{"Benchmarks": [{"FullName": "A.B", "Statistics": {"Median": 2},
                "Memory": {"BytesAllocatedPerOperation": "lots"}}]}"#,
        );
        assert!(
            e.message
                .contains("`Memory.BytesAllocatedPerOperation` must be a number"),
            "{e}"
        );
    }
}
