//! Result formats: each tool's output text becomes a [`Run`]. One file per tool; parsers take text
//! and never touch the file system. [`detect`] picks a format from the text in a documented order
//! and refuses to guess: unrecognised input is an error listing what was tried.

pub mod artillery;
pub mod asv;
pub mod autocannon;
pub mod benchmarkjs;
pub mod benchstat;
pub mod bmf;
pub mod catch2;
pub mod criterion;
pub mod criterion_csv;
pub mod criterion_text;
pub mod custom;
pub mod dotnet;
pub mod gab_history;
pub mod go;
pub mod google;
pub mod hgrm;
pub mod hlog;
pub mod hyperfine;
pub mod iai;
pub mod jmh;
mod json;
pub mod julia;
pub mod k6;
pub mod k6_ndjson;
pub mod libtest;
pub mod locust;
pub mod oha;
pub mod perfgate;
pub mod pytest;
pub mod ruby;
pub mod wrk;

#[cfg(test)]
mod test_support;

use std::fmt;

use crate::model::Run;

/// A parse failure: the line (1-based) when known, and what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ParseError {
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl ParseError {
    pub fn new(line: Option<usize>, message: impl Into<String>) -> ParseError {
        ParseError {
            line,
            message: message.into(),
        }
    }

    pub fn at(line: usize, message: impl Into<String>) -> ParseError {
        ParseError::new(Some(line), message)
    }

    pub fn whole(message: impl Into<String>) -> ParseError {
        ParseError::new(None, message)
    }

    /// A JSON syntax or shape error, keeping serde_json's line and column.
    pub fn json(e: &serde_json::Error) -> ParseError {
        let line = if e.line() > 0 { Some(e.line()) } else { None };
        let mut msg = e.to_string();
        // serde_json appends " at line L column C"; the line is already reported.
        if let Some(i) = msg.find(" at line ") {
            let col = e.column();
            msg.truncate(i);
            if col > 0 {
                msg = format!("column {col}: {msg}");
            }
        }
        ParseError::new(line, msg)
    }
}

/// A supported input format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Perfgate,
    Hyperfine,
    K6Summary,
    K6Ndjson,
    Pytest,
    GoogleBenchmark,
    BenchmarkDotNet,
    GabHistory,
    Oha,
    Autocannon,
    Artillery,
    Criterion,
    CriterionCsv,
    Bmf,
    Jmh,
    Julia,
    Custom,
    CustomSmallerIsBetter,
    CustomBiggerIsBetter,
    Locust,
    Benchstat,
    Hlog,
    Wrk,
    Hgrm,
    Go,
    Libtest,
    CriterionText,
    Catch2,
    BenchmarkJs,
    Iai,
    Asv,
    Ruby,
}

/// How a format is named on the command line, what it reads and how it is detected, in the order
/// [`detect`] tries them: JSON documents by their keys (the specific shapes first, the generic
/// Bencher Metric Format last), then text by its lines.
pub const FORMATS: &[(Format, &str, &str, &str)] = &[
    (Format::Perfgate, "perfgate", "perfgate's own JSON run (also written by `perfgate save`)", "JSON object whose `schema` is \"perfgate.run.v1\", or with `benchmarks[]` of `name` + `metrics`"),
    (Format::K6Ndjson, "k6-ndjson", "k6 run --out json=FILE (NDJSON, optionally gzipped), streamed into latency histograms", "first line is a JSON object with `\"type\":\"Metric\"` or `\"Point\"` and a `metric` key"),
    (Format::Hyperfine, "hyperfine", "hyperfine --export-json", "JSON object with `results[]` whose items have `command` and `times`"),
    (Format::K6Summary, "k6", "k6 --summary-export JSON, or the handleSummary() data object", "JSON object with `metrics` and `root_group`; or with `metadata.k6Version` and a `results.metrics` array"),
    (Format::Pytest, "pytest", "pytest-benchmark --benchmark-json and .benchmarks/ files", "JSON object with `machine_info` and `benchmarks[]` items holding `stats`"),
    (Format::GoogleBenchmark, "google-benchmark", "Google Benchmark --benchmark_format=json / --benchmark_out", "JSON object with `context` and `benchmarks[]` rows holding `run_type`, `real_time` or `time_unit`"),
    (Format::BenchmarkDotNet, "benchmarkdotnet", "BenchmarkDotNet JsonExporter (*-report-full.json)", "JSON object with `HostEnvironmentInfo` and `Benchmarks[]`"),
    (Format::GabHistory, "gab-history", "github-action-benchmark history (data.js or its JSON); latest entry", "text starting `window.BENCHMARK_DATA =`, or JSON with `entries` and `lastUpdate`"),
    (Format::Oha, "oha", "oha --output-format json", "JSON with `summary.requestsPerSec` and `latencyPercentiles`"),
    (Format::Autocannon, "autocannon", "autocannon --json", "JSON with `latency`, `requests`, `throughput` objects holding `p2_5`/`p97_5`"),
    (Format::Artillery, "artillery", "artillery run --output report.json (1.x and 2.x)", "JSON with an `aggregate` object and an `intermediate` array"),
    (Format::Criterion, "criterion", "criterion.rs target/criterion directory, estimates.json or sample.json", "a directory holding */new/estimates.json; JSON with `mean`/`Mean` objects holding `point_estimate`; JSON with `iters` and `times`"),
    (Format::Bmf, "bmf", "Bencher Metric Format JSON", "JSON object of benchmarks, each an object of measures holding a numeric `value`"),
    (Format::Jmh, "jmh", "JMH -rf json", "JSON array of objects with `benchmark` and `primaryMetric`"),
    (Format::Julia, "julia", "Julia BenchmarkTools.save JSON", "JSON array `[{Julia, BenchmarkTools}, [...]]`"),
    (Format::Custom, "custom", "github-action-benchmark custom JSON; direction inferred from unit and name", "JSON array of objects with exactly `name`, `unit`, `value` (and optional `range`, `extra`)"),
    (Format::CustomSmallerIsBetter, "customSmallerIsBetter", "github-action-benchmark custom JSON, every metric smaller-is-better", "never auto-detected: pass --format"),
    (Format::CustomBiggerIsBetter, "customBiggerIsBetter", "github-action-benchmark custom JSON, every metric bigger-is-better", "never auto-detected: pass --format"),
    (Format::CriterionCsv, "criterion-csv", "criterion.rs raw.csv (criterion 0.3, or the csv_output feature)", "a first line `group,function,value,sample_time_nanos,iteration_count` (or the newer raw.csv header)"),
    (Format::Locust, "locust", "Locust --csv _stats.csv and _stats_history.csv", "first line is a Locust CSV header (`Type,Name,Request Count,...` or `Timestamp,User Count,...`)"),
    (Format::Benchstat, "benchstat", "benchstat's comparison output: recognised and refused (pass the go test -bench files instead)", "a `│` table with `sec/op` or `vs base`, or benchstat's CSV header"),
    (Format::Hlog, "hlog", "HdrHistogram interval log (.hlog, V0-V2)", "a `#[Histogram log format version` line or the `\"StartTimestamp\",` legend"),
    (Format::Wrk, "wrk", "wrk --latency and wrk2 -L text", "a `Running ... test @ <url>` line and a `Requests/sec:` line"),
    (Format::Hgrm, "hgrm", "HdrHistogram percentile distribution text (.hgrm)", "the `Value Percentile TotalCount 1/(1-Percentile)` header"),
    (Format::Go, "go", "go test -bench text (with -benchmem, -count N)", "lines `Benchmark<Name>[-P] <iterations> <value> <unit> ...`"),
    (Format::Libtest, "libtest", "cargo bench (libtest #[bench]) text, criterion --output-format bencher", "lines `test <name> ... bench: <n> ns/iter (+/- <n>)`"),
    (Format::CriterionText, "criterion-text", "criterion.rs terminal output", "lines `<id> time: [<low> <est> <high>]`"),
    (Format::Catch2, "catch2", "Catch2 console BENCHMARK output (v2, v3)", "a `benchmark name  samples  iterations` header"),
    (Format::BenchmarkJs, "benchmarkjs", "Benchmark.js String(benchmark) lines", "lines `<name> x <hz> ops/sec ±<rme>% (<n> runs sampled)`"),
    (Format::Iai, "iai", "iai and iai-callgrind / gungraun text", "lines `  Instructions: <n>` (with `|<old>` for iai-callgrind)"),
    (Format::Asv, "asv", "airspeed velocity `asv run` console log", "lines `[ <pct>%] ··· <benchmark> <result>`"),
    (Format::Ruby, "ruby", "Ruby Benchmark.bm / Benchmark.bmbm text", "a `user system total real` header"),
];

/// Other names accepted by `--format`.
const ALIASES: &[(&str, Format)] = &[
    ("googlecpp", Format::GoogleBenchmark),
    ("google", Format::GoogleBenchmark),
    ("dotnet", Format::BenchmarkDotNet),
    ("k6-json", Format::K6Ndjson),
    ("wrk2", Format::Wrk),
    ("iai-callgrind", Format::Iai),
    ("gungraun", Format::Iai),
    ("cargo", Format::Libtest),
    ("benchmark.js", Format::BenchmarkJs),
    ("pytest-benchmark", Format::Pytest),
    ("github-action-benchmark", Format::Custom),
];

impl Format {
    pub fn name(self) -> &'static str {
        FORMATS
            .iter()
            .find(|f| f.0 == self)
            .map(|f| f.1)
            .unwrap_or("unknown")
    }

    /// Looks up a format by its command-line name or an alias (case-insensitive).
    pub fn from_name(name: &str) -> Option<Format> {
        FORMATS
            .iter()
            .find(|f| f.1.eq_ignore_ascii_case(name))
            .map(|f| f.0)
            .or_else(|| {
                ALIASES
                    .iter()
                    .find(|a| a.0.eq_ignore_ascii_case(name))
                    .map(|a| a.1)
            })
    }

    pub fn names() -> Vec<&'static str> {
        FORMATS.iter().map(|f| f.1).collect()
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why no format could be chosen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}; tried: {}; pass --format to force one", tried.join(", "))]
pub struct DetectError {
    pub reason: String,
    pub tried: Vec<&'static str>,
}

/// Whether `text` is k6's NDJSON output, judged from its first non-blank line.
pub fn looks_like_k6_ndjson(text: &str) -> bool {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .is_some_and(k6_ndjson::looks_like)
}

/// Picks the format of `text`: JSON is dispatched on its keys, text on line signatures.
pub fn detect(text: &str) -> Result<Format, DetectError> {
    let tried = Format::names()
        .into_iter()
        .filter(|n| !matches!(*n, "customSmallerIsBetter" | "customBiggerIsBetter"))
        .collect::<Vec<_>>();
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.is_empty() {
        return Err(DetectError {
            reason: "the input is empty".into(),
            tried,
        });
    }
    if looks_like_k6_ndjson(trimmed) {
        return Ok(Format::K6Ndjson);
    }
    if gab_history::looks_like(trimmed) {
        return Ok(Format::GabHistory);
    }
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        match lenient_json(trimmed) {
            Ok(value) => {
                let reason = if value.get("$schema").is_some() {
                    "this is a JSON Schema document, not benchmark results".into()
                } else {
                    "JSON with keys that match no known format".into()
                };
                return detect_json(&value).ok_or(DetectError { reason, tried });
            }
            Err(e) => {
                // Not valid JSON: it may still be text that happens to start with a bracket.
                if let Some(f) = detect_text(text) {
                    return Ok(f);
                }
                return Err(DetectError {
                    reason: format!("the input looks like JSON but is not valid: {e}"),
                    tried,
                });
            }
        }
    }
    detect_text(text).ok_or_else(|| DetectError {
        reason: "no known result format was recognised in this text".into(),
        tried,
    })
}

type TextCheck = fn(&str) -> bool;
type JsonCheck = fn(&serde_json::Value) -> bool;

fn detect_text(text: &str) -> Option<Format> {
    let checks: &[(TextCheck, Format)] = &[
        (criterion_csv::looks_like, Format::CriterionCsv),
        (locust::looks_like, Format::Locust),
        (benchstat::looks_like, Format::Benchstat),
        (hlog::looks_like, Format::Hlog),
        (wrk::looks_like, Format::Wrk),
        (hgrm::looks_like, Format::Hgrm),
        (go::looks_like, Format::Go),
        (libtest::looks_like, Format::Libtest),
        (criterion_text::looks_like, Format::CriterionText),
        (catch2::looks_like, Format::Catch2),
        (benchmarkjs::looks_like, Format::BenchmarkJs),
        (iai::looks_like, Format::Iai),
        (asv::looks_like, Format::Asv),
        (ruby::looks_like, Format::Ruby),
    ];
    checks.iter().find(|(f, _)| f(text)).map(|(_, fmt)| *fmt)
}

fn detect_json(v: &serde_json::Value) -> Option<Format> {
    use serde_json::Value;
    match v {
        Value::Object(o) => {
            if o.get("schema").and_then(Value::as_str) == Some(crate::model::RUN_SCHEMA) {
                return Some(Format::Perfgate);
            }
            if let Some(Value::Array(results)) = o.get("results") {
                if results
                    .iter()
                    .any(|r| r.get("command").is_some() && r.get("times").is_some())
                {
                    return Some(Format::Hyperfine);
                }
            }
            if o.contains_key("metrics") && o.contains_key("root_group") {
                return Some(Format::K6Summary);
            }
            // k6's versioned machine-readable summary (`--new-machine-readable-summary`).
            if o.get("metadata").and_then(|m| m.get("k6Version")).is_some()
                && o.get("results")
                    .and_then(|r| r.get("metrics"))
                    .is_some_and(Value::is_array)
            {
                return Some(Format::K6Summary);
            }
            let checks: &[(JsonCheck, Format)] = &[
                (pytest::looks_like_json, Format::Pytest),
                (google::looks_like_json, Format::GoogleBenchmark),
                (dotnet::looks_like_json, Format::BenchmarkDotNet),
                (gab_history::looks_like_json, Format::GabHistory),
                (oha::looks_like_json, Format::Oha),
                (autocannon::looks_like_json, Format::Autocannon),
                (artillery::looks_like_json, Format::Artillery),
                (criterion::looks_like_json, Format::Criterion),
            ];
            if let Some((_, f)) = checks.iter().find(|(check, _)| check(v)) {
                return Some(*f);
            }
            if !o.contains_key("context") && !o.contains_key("machine_info") {
                // Hand-written perfgate JSON without the schema tag.
                if let Some(Value::Array(b)) = o.get("benchmarks") {
                    if b.iter()
                        .all(|x| x.get("name").is_some() && x.get("metrics").is_some())
                    {
                        return Some(Format::Perfgate);
                    }
                }
            }
            // The most generic shape last.
            bmf::looks_like_json(v).then_some(Format::Bmf)
        }
        Value::Array(items) => {
            if jmh::looks_like_json(v) {
                return Some(Format::Jmh);
            }
            if julia::looks_like_json(v) {
                return Some(Format::Julia);
            }
            if criterion::looks_like_json(v) {
                return Some(Format::Criterion);
            }
            if !items.is_empty() && items.iter().all(custom::looks_like_item) {
                return Some(Format::Custom);
            }
            None
        }
        _ => None,
    }
}

/// Parses `text` as `format`.
pub fn parse(format: Format, text: &str) -> Result<Run, ParseError> {
    use crate::model::Direction;
    let text = text.trim_start_matches('\u{feff}');
    let mut run = match format {
        Format::Perfgate => perfgate::parse(text),
        Format::Hyperfine => hyperfine::parse(text),
        Format::K6Summary => k6::parse(text),
        Format::K6Ndjson => k6_ndjson::parse(text),
        Format::Pytest => pytest::parse(text),
        Format::GoogleBenchmark => google::parse(text),
        Format::BenchmarkDotNet => dotnet::parse(text),
        Format::GabHistory => gab_history::parse(text),
        Format::Oha => oha::parse(text),
        Format::Autocannon => autocannon::parse(text),
        Format::Artillery => artillery::parse(text),
        Format::Criterion => criterion::parse_file(text),
        Format::CriterionCsv => criterion_csv::parse(text),
        Format::Bmf => bmf::parse(text),
        Format::Jmh => jmh::parse(text),
        Format::Julia => julia::parse(text),
        Format::Custom => custom::parse(text, None),
        Format::CustomSmallerIsBetter => custom::parse(text, Some(Direction::LowerIsBetter)),
        Format::CustomBiggerIsBetter => custom::parse(text, Some(Direction::HigherIsBetter)),
        Format::Locust => locust::parse(text),
        Format::Benchstat => benchstat::parse(text),
        Format::Hlog => hlog::parse(text),
        Format::Wrk => wrk::parse(text),
        Format::Hgrm => hgrm::parse(text),
        Format::Go => go::parse(text),
        Format::Libtest => libtest::parse(text),
        Format::CriterionText => criterion_text::parse(text),
        Format::Catch2 => catch2::parse(text),
        Format::BenchmarkJs => benchmarkjs::parse(text),
        Format::Iai => iai::parse(text),
        Format::Asv => asv::parse(text),
        Format::Ruby => ruby::parse(text),
    }?;
    finish(format, &mut run)?;
    Ok(run)
}

/// Checks that a parsed run holds results and names its tool.
pub fn finish(format: Format, run: &mut Run) -> Result<(), ParseError> {
    if run.benchmarks.is_empty() || run.metric_count() == 0 {
        return Err(ParseError::whole(format!(
            "no benchmark results found in this {} input",
            format.name()
        )));
    }
    if run.meta.tool.is_none() {
        run.meta.tool = Some(format.name().to_string());
    }
    Ok(())
}

/// One file of a criterion directory: its path relative to that directory, and its text.
#[derive(Debug, Clone)]
pub struct InputFile {
    pub path: String,
    pub text: String,
}

/// Splits text into lines with 1-based numbers, without trailing `\r`s, with ANSI colour escapes
/// removed: what every text parser wants.
pub fn clean_lines(text: &str) -> impl Iterator<Item = (usize, String)> + '_ {
    text.split('\n').enumerate().map(|(i, l)| {
        let l = l.trim_end_matches('\r');
        (i + 1, strip_ansi(l))
    })
}

/// Removes `ESC [ ... <letter>` sequences.
pub fn strip_ansi(s: &str) -> String {
    if !s.contains('\u{1b}') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            if chars.peek() == Some(&'[') {
                chars.next();
                for c2 in chars.by_ref() {
                    if c2.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Reads a JSON document leniently: bare `NaN`, `Infinity` and `-Infinity` (written by some tools)
/// become `null`.
pub fn lenient_json(text: &str) -> Result<serde_json::Value, ParseError> {
    match serde_json::from_str(text) {
        Ok(v) => Ok(v),
        Err(first) => {
            if !(text.contains("NaN") || text.contains("Infinity")) {
                return Err(ParseError::json(&first));
            }
            let fixed = replace_bare_non_finite(text);
            serde_json::from_str(&fixed).map_err(|e| ParseError::json(&e))
        }
    }
}

fn replace_bare_non_finite(text: &str) -> String {
    // Replace tokens outside strings only; keep line structure so errors keep their lines.
    let mut out = String::with_capacity(text.len());
    let mut in_string = false;
    let mut escaped = false;
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            rest = &rest[c.len_utf8()..];
            continue;
        }
        if c == '"' {
            in_string = true;
            out.push(c);
            rest = &rest[1..];
            continue;
        }
        let mut matched = false;
        for tok in ["-Infinity", "Infinity", "NaN"] {
            if rest.starts_with(tok) {
                out.push_str("null");
                rest = &rest[tok.len()..];
                matched = true;
                break;
            }
        }
        if !matched {
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lenient_json_accepts_bare_nan() {
        let v = lenient_json(r#"{"a": NaN, "b": "NaN", "c": -Infinity}"#).unwrap();
        assert_eq!(v["a"], serde_json::Value::Null);
        assert_eq!(v["b"], "NaN");
        assert_eq!(v["c"], serde_json::Value::Null);
    }

    #[test]
    fn strips_ansi_colours() {
        assert_eq!(strip_ansi("\u{1b}[1;32mok\u{1b}[0m"), "ok");
    }

    #[test]
    fn detection_refuses_empty_and_unknown_input() {
        let e = detect("   \n").unwrap_err();
        assert!(e.to_string().contains("empty"), "{e}");
        let e = detect("hello world\n").unwrap_err();
        assert!(
            e.to_string()
                .contains("tried: perfgate, k6-ndjson, hyperfine"),
            "{e}"
        );
        let e = detect(r#"{"$schema": "http://json-schema.org/draft-07/schema#", "title": "oha"}"#)
            .unwrap_err();
        assert!(e.to_string().contains("JSON Schema document"), "{e}");
        let e = detect(r#"{"foo": 1}"#).unwrap_err();
        assert!(e.to_string().contains("match no known format"), "{e}");
    }
}
