//! Result formats: each tool's output text becomes a [`Run`]. One file per tool; parsers take text
//! and never touch the file system. [`detect`] picks a format from the text in a documented order
//! and refuses to guess: unrecognised input is an error listing what was tried.
//!
//! This file is the registry. Each format's file holds its [`Spec`] (name, aliases, what it reads,
//! how it is detected, its parser) as one unit; the `registry!` list below orders them. Adding a
//! format: write `src/formats/<tool>.rs` with a `SPEC`, declare the module, and add one line to the
//! list. What several parsers share lives in `common/` (text, JSON, cargo output, units) and
//! `load/` (load-test metrics and HdrHistogram percentile tables).

pub mod artillery;
pub mod asv;
pub mod autocannon;
pub mod benchmarkjs;
pub mod benchstat;
pub mod bmf;
pub mod catch2;
mod common;
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
pub mod julia;
pub mod k6;
pub mod k6_ndjson;
pub mod libtest;
mod load;
pub mod locust;
pub mod oha;
pub mod perfgate;
pub mod pytest;
pub mod ruby;
mod spec;
pub mod wrk;

#[cfg(test)]
mod test_support;

use std::fmt;

use crate::model::Run;

pub use criterion::InputFile;
pub use spec::{Detect, ParseError, Spec};

/// Declares [`Format`] (one variant per line) and the tables read from each variant's spec, in the
/// order of the list: the order `perfgate formats` prints and [`detect`] tries within each stage.
macro_rules! registry {
    ($($variant:ident => $spec:path,)*) => {
        /// A supported input format.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Format {
            $($variant,)*
        }

        /// Every format with its spec, in registry order.
        pub const SPECS: &[(Format, &Spec)] = &[$((Format::$variant, &$spec),)*];

        /// How a format is named on the command line, what it reads and how it is detected, in
        /// registry order: JSON documents by their keys (the specific shapes first, the generic
        /// Bencher Metric Format last), then text by its lines.
        pub const FORMATS: &[(Format, &str, &str, &str)] =
            &[$((Format::$variant, $spec.name, $spec.reads, $spec.detected_by),)*];

        impl Format {
            /// This format's spec.
            pub fn spec(self) -> &'static Spec {
                match self {
                    $(Format::$variant => &$spec,)*
                }
            }
        }
    };
}

registry! {
    Perfgate => perfgate::SPEC,
    K6Ndjson => k6_ndjson::SPEC,
    Hyperfine => hyperfine::SPEC,
    K6Summary => k6::SPEC,
    Pytest => pytest::SPEC,
    GoogleBenchmark => google::SPEC,
    BenchmarkDotNet => dotnet::SPEC,
    GabHistory => gab_history::SPEC,
    Oha => oha::SPEC,
    Autocannon => autocannon::SPEC,
    Artillery => artillery::SPEC,
    Criterion => criterion::SPEC,
    Bmf => bmf::SPEC,
    Jmh => jmh::SPEC,
    Julia => julia::SPEC,
    Custom => custom::SPEC,
    CustomSmallerIsBetter => custom::SMALLER_IS_BETTER,
    CustomBiggerIsBetter => custom::BIGGER_IS_BETTER,
    CriterionCsv => criterion_csv::SPEC,
    Locust => locust::SPEC,
    Benchstat => benchstat::SPEC,
    Hlog => hlog::SPEC,
    Wrk => wrk::SPEC,
    Hgrm => hgrm::SPEC,
    Go => go::SPEC,
    Libtest => libtest::SPEC,
    CriterionText => criterion_text::SPEC,
    Catch2 => catch2::SPEC,
    BenchmarkJs => benchmarkjs::SPEC,
    Iai => iai::SPEC,
    Asv => asv::SPEC,
    Ruby => ruby::SPEC,
}

impl Format {
    pub fn name(self) -> &'static str {
        self.spec().name
    }

    /// Looks up a format by its command-line name or an alias (case-insensitive).
    pub fn from_name(name: &str) -> Option<Format> {
        let named = |f: &(Format, &Spec)| f.1.name.eq_ignore_ascii_case(name);
        let aliased =
            |f: &(Format, &Spec)| f.1.aliases.iter().any(|a| a.eq_ignore_ascii_case(name));
        SPECS
            .iter()
            .find(|f| named(f))
            .or_else(|| SPECS.iter().find(|f| aliased(f)))
            .map(|f| f.0)
    }

    pub fn names() -> Vec<&'static str> {
        SPECS.iter().map(|f| f.1.name).collect()
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why no format could be chosen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}; tried: {}; pass --format (the Action's `format` input) to force one", tried.join(", "))]
pub struct DetectError {
    pub reason: String,
    pub tried: Vec<&'static str>,
}

/// Picks the format of `text`: first the [`Detect::Head`] checks, then JSON is dispatched on its
/// keys ([`Detect::Json`], then [`Detect::JsonLast`]) and other text on its lines
/// ([`Detect::Lines`]).
pub fn detect(text: &str) -> Result<Format, DetectError> {
    let tried = SPECS
        .iter()
        .filter(|(_, spec)| !spec.detect.is_empty())
        .map(|(_, spec)| spec.name)
        .collect::<Vec<_>>();
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.is_empty() {
        return Err(DetectError {
            reason: "the input is empty".into(),
            tried,
        });
    }
    if let Some(f) = first(|d| matches!(d, Detect::Head(check) if check(trimmed))) {
        return Ok(f);
    }
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        match common::json::lenient_json(trimmed) {
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
                if let Some(f) = detect_lines(text) {
                    return Ok(f);
                }
                return Err(DetectError {
                    reason: format!("the input looks like JSON but is not valid: {e}"),
                    tried,
                });
            }
        }
    }
    detect_lines(text).ok_or_else(|| DetectError {
        reason: "no known result format was recognised in this text".into(),
        tried,
    })
}

/// The first format, in registry order, with a check that `passes`.
fn first(passes: impl Fn(&Detect) -> bool) -> Option<Format> {
    SPECS
        .iter()
        .find(|(_, spec)| spec.detect.iter().any(&passes))
        .map(|(f, _)| *f)
}

fn detect_json(v: &serde_json::Value) -> Option<Format> {
    first(|d| matches!(d, Detect::Json(check) if check(v)))
        .or_else(|| first(|d| matches!(d, Detect::JsonLast(check) if check(v))))
}

fn detect_lines(text: &str) -> Option<Format> {
    first(|d| matches!(d, Detect::Lines(check) if check(text)))
}

/// Parses `text` as `format`.
pub fn parse(format: Format, text: &str) -> Result<Run, ParseError> {
    let text = text.trim_start_matches('\u{feff}');
    let mut run = (format.spec().parse)(text)?;
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
    // A benchmark's metrics grow one push at a time, which leaves room for four: with one metric
    // each (custom JSON, hyperfine), 100,000 benchmarks held 60 MB of room never used.
    for b in &mut run.benchmarks {
        b.metrics.shrink_to_fit();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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
