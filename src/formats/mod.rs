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

use crate::model::{Data, Run};

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
/// ([`Detect::Lines`]). Every check sees the text without a byte-order mark, as [`parse`] reads
/// it: a BOM glued to a first line (`\u{feff}Running 10s test @ ...`) hid a wrk2 log's banner,
/// and the log was read as an `.hgrm`.
pub fn detect(text: &str) -> Result<Format, DetectError> {
    let tried = SPECS
        .iter()
        .filter(|(_, spec)| !spec.detect.is_empty())
        .map(|(_, spec)| spec.name)
        .collect::<Vec<_>>();
    let text = text.trim_start_matches('\u{feff}');
    let trimmed = text.trim_start();
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
                // Valid JSON that is still refused (a key twice in one object) is not "invalid".
                let valid = serde_json::from_str::<serde::de::IgnoredAny>(trimmed).is_ok();
                let reason = if valid {
                    format!("the input is JSON that cannot be read as results: {e}")
                } else {
                    format!("the input looks like JSON but is not valid: {e}")
                };
                return Err(DetectError { reason, tried });
            }
        }
    }
    detect_lines(text).ok_or_else(|| DetectError {
        reason: "no known result format was recognised in this text".into(),
        tried,
    })
}

/// Whether [`detect`] would call `text` a saved perfgate run, without the other formats' line
/// checks: a saved run is read as such whatever `--format` says, and with `--format` given the
/// other detectors need not read the whole input.
pub fn is_saved_run(text: &str) -> bool {
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if !(trimmed.starts_with('{') || trimmed.starts_with('[')) {
        return false;
    }
    if first(|d| matches!(d, Detect::Head(check) if check(trimmed))).is_some() {
        return false;
    }
    common::json::lenient_json(trimmed)
        .is_ok_and(|value| detect_json(&value) == Some(Format::Perfgate))
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
    check_values(run)?;
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

/// Every value a parser produced is a measurement perfgate can compare
/// ([`crate::model::check_value`]): after unit conversion (`1e308us` overflows nanoseconds) and
/// whatever the parser checked itself.
fn check_values(run: &Run) -> Result<(), ParseError> {
    for b in &run.benchmarks {
        if b.metrics.len() > crate::model::MAX_METRICS {
            return Err(ParseError::whole(format!(
                "benchmark `{}` has more than {} metrics: no tool writes that many for one benchmark (a damaged input?)",
                crate::formats::common::text::excerpt(&b.name, 200),
                crate::model::MAX_METRICS
            )));
        }
        for m in &b.metrics {
            // Histograms refuse such values as they are built.
            let values: &[f64] = match &m.data {
                Data::Value(v) => std::slice::from_ref(v),
                Data::Samples(s) => s,
                Data::Histogram(_) => &[],
            };
            let bounds = m.interval.iter().flat_map(|i| [i.lo, i.hi]);
            for v in values.iter().copied().chain(bounds) {
                crate::model::check_value(&m.unit, v).map_err(|why| {
                    ParseError::whole(format!(
                        "benchmark `{}`, metric `{}`: {why}",
                        crate::formats::common::text::excerpt(&b.name, 200),
                        crate::formats::common::text::excerpt(&m.name, 200)
                    ))
                })?;
            }
        }
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

    #[test]
    fn tells_a_saved_run_as_detection_does() {
        let go = include_str!("../../tests/fixtures/go/suffixarray.bench");
        let saved = perfgate::to_string(&parse(Format::Go, go).unwrap());
        let hyperfine = r#"{"results": [{"command": "a", "mean": 1, "times": [1]}]}"#;
        for text in [
            saved.as_str(),
            &format!("\u{feff}{saved}"),
            go,
            hyperfine,
            "[]",
            "{",
            "",
        ] {
            assert_eq!(
                is_saved_run(text),
                detect(text) == Ok(Format::Perfgate),
                "{text:.60}"
            );
        }
        assert!(is_saved_run(&saved));
        assert!(!is_saved_run(go));
    }

    /// A byte-order mark glued to the first line hid it from the line checks: an `.hgrm` and a Ruby
    /// report went unrecognised, and a wrk2 log (its banner first) was read as an `.hgrm`.
    #[test]
    fn detection_reads_the_text_after_a_byte_order_mark() {
        for (text, format) in [
            (
                include_str!("../../tests/fixtures/hgrm/12Krps.hgrm"),
                Format::Hgrm,
            ),
            (
                include_str!("../../tests/fixtures/ruby/ruby-bm-five.txt"),
                Format::Ruby,
            ),
            (
                include_str!("../../tests/fixtures/wrk/wrk2-recorded-and-uncorrected.txt"),
                Format::Wrk,
            ),
            (
                include_str!("../../tests/fixtures/criterion-csv/raw.csv"),
                Format::CriterionCsv,
            ),
            (
                include_str!("../../tests/fixtures/go/suffixarray.bench"),
                Format::Go,
            ),
        ] {
            assert_eq!(detect(text), Ok(format));
            assert_eq!(detect(&format!("\u{feff}{text}")), Ok(format));
        }
    }
}
