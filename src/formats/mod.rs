//! Result formats: each tool's output text becomes a [`Run`]. One file per tool; parsers take text
//! and never touch the file system. [`detect`] picks a format from the text in a documented order
//! and refuses to guess: unrecognised input is an error listing what was tried.

pub mod criterion;
pub mod custom;
pub mod go;
pub mod hyperfine;
pub mod k6;
pub mod perfgate;

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
    /// perfgate's own JSON (`perfgate.run.v1`), also what `perfgate save` writes.
    Perfgate,
    /// `go test -bench` text.
    Go,
    /// k6 end-of-test summary: `--summary-export` JSON or the `handleSummary` data object.
    K6Summary,
    /// criterion.rs `target/criterion` files (`estimates.json`, `sample.json`, or the directory).
    Criterion,
    /// hyperfine `--export-json`.
    Hyperfine,
    /// github-action-benchmark custom JSON; direction inferred from unit and name.
    Custom,
    /// github-action-benchmark `customSmallerIsBetter` JSON.
    CustomSmallerIsBetter,
    /// github-action-benchmark `customBiggerIsBetter` JSON.
    CustomBiggerIsBetter,
}

/// How a format is named on the command line, described and detected; the order is the order in
/// which [`detect`] tries formats.
pub const FORMATS: &[(Format, &str, &str, &str)] = &[
    (
        Format::Perfgate,
        "perfgate",
        "perfgate's own JSON run (also written by `perfgate save`)",
        "JSON object whose `schema` is \"perfgate.run.v1\"",
    ),
    (
        Format::Hyperfine,
        "hyperfine",
        "hyperfine --export-json",
        "JSON object with `results[]` whose items have `command` and `times`",
    ),
    (
        Format::K6Summary,
        "k6",
        "k6 --summary-export JSON, or the handleSummary() data object",
        "JSON object with `metrics` and `root_group`; or with `metadata.k6Version` and a `results.metrics` array",
    ),
    (
        Format::Criterion,
        "criterion",
        "criterion.rs target/criterion directory, estimates.json or sample.json",
        "a directory holding */new/estimates.json; JSON with `mean`/`Mean` objects holding `point_estimate`; JSON with `iters` and `times`",
    ),
    (
        Format::Custom,
        "custom",
        "github-action-benchmark custom JSON; direction inferred from unit and name",
        "JSON array of objects with exactly `name`, `unit`, `value` (and optional `range`, `extra`)",
    ),
    (
        Format::CustomSmallerIsBetter,
        "customSmallerIsBetter",
        "github-action-benchmark custom JSON, every metric smaller-is-better",
        "never auto-detected: pass --format",
    ),
    (
        Format::CustomBiggerIsBetter,
        "customBiggerIsBetter",
        "github-action-benchmark custom JSON, every metric bigger-is-better",
        "never auto-detected: pass --format",
    ),
    (
        Format::Go,
        "go",
        "go test -bench text (with -benchmem, -count N)",
        "text with lines `Benchmark<Name>[-P] <iterations> <value> <unit> ...`",
    ),
];

impl Format {
    pub fn name(self) -> &'static str {
        FORMATS
            .iter()
            .find(|f| f.0 == self)
            .map(|f| f.1)
            .unwrap_or("unknown")
    }

    /// Looks up a format by its command-line name (case-insensitive).
    pub fn from_name(name: &str) -> Option<Format> {
        FORMATS
            .iter()
            .find(|f| f.1.eq_ignore_ascii_case(name))
            .map(|f| f.0)
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

/// Picks the format of `text`: JSON is dispatched on its keys, text on line signatures.
pub fn detect(text: &str) -> Result<Format, DetectError> {
    let tried = Format::names()
        .into_iter()
        .filter(|n| !n.starts_with("custom") || *n == "custom")
        .collect::<Vec<_>>();
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.is_empty() {
        return Err(DetectError {
            reason: "the input is empty".into(),
            tried,
        });
    }
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        let value: serde_json::Value = match serde_json::from_str(trimmed) {
            Ok(v) => v,
            Err(e) => {
                // Not valid JSON: it may still be text that happens to start with a bracket.
                if go::looks_like(text) {
                    return Ok(Format::Go);
                }
                return Err(DetectError {
                    reason: format!(
                        "the input looks like JSON but is not valid: {}",
                        ParseError::json(&e)
                    ),
                    tried,
                });
            }
        };
        return detect_json(&value).ok_or_else(|| DetectError {
            reason: "JSON with keys that match no known format".into(),
            tried,
        });
    }
    if go::looks_like(text) {
        return Ok(Format::Go);
    }
    Err(DetectError {
        reason: "no known result format was recognised in this text".into(),
        tried,
    })
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
            if criterion::looks_like_json(v) {
                return Some(Format::Criterion);
            }
            if o.contains_key("benchmarks")
                && !o.contains_key("context")
                && !o.contains_key("machine_info")
            {
                // Hand-written perfgate JSON without the schema tag.
                if let Some(Value::Array(b)) = o.get("benchmarks") {
                    if b.iter()
                        .all(|x| x.get("name").is_some() && x.get("metrics").is_some())
                    {
                        return Some(Format::Perfgate);
                    }
                }
            }
            None
        }
        Value::Array(items) => {
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
    let text = text.trim_start_matches('\u{feff}');
    let mut run = match format {
        Format::Perfgate => perfgate::parse(text),
        Format::Go => go::parse(text),
        Format::K6Summary => k6::parse(text),
        Format::Criterion => criterion::parse_file(text),
        Format::Hyperfine => hyperfine::parse(text),
        Format::Custom => custom::parse(text, None),
        Format::CustomSmallerIsBetter => {
            custom::parse(text, Some(crate::model::Direction::LowerIsBetter))
        }
        Format::CustomBiggerIsBetter => {
            custom::parse(text, Some(crate::model::Direction::HigherIsBetter))
        }
    }?;
    if run.benchmarks.is_empty() || run.metric_count() == 0 {
        return Err(ParseError::whole(format!(
            "no benchmark results found in this {} input",
            format.name()
        )));
    }
    if run.meta.tool.is_none() {
        run.meta.tool = Some(format.name().to_string());
    }
    Ok(run)
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
        assert!(e.to_string().contains("tried: perfgate, hyperfine"), "{e}");
        let e = detect(r#"{"foo": 1}"#).unwrap_err();
        assert!(e.to_string().contains("match no known format"), "{e}");
    }
}
