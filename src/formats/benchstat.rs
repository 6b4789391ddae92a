//! benchstat's output (golang.org/x/perf/cmd/benchstat, 2023+ version), recognised only to refuse
//! it with a useful message: it is a comparison table of medians, confidence intervals and
//! p-values computed from `go test -bench` files, not benchmark results, and the samples the gate
//! needs are gone from it.
//!
//! Detection: the text table's two-line header drawn with `│` (U+2502), each line starting and
//! ending with `│` after its indentation; or the `-format csv` header, a line starting with `,`
//! that has a `CI` column after a unit column (`,sec/op,CI,...`).

use super::common::text::{contains, raw_lines};
use super::spec::{Detect, ParseError, Spec};
use crate::model::Run;

/// How `benchstat` is named, detected and read.
pub const SPEC: Spec = Spec {
    name: "benchstat",
    aliases: &[],
    reads: "benchstat's comparison output: recognised and refused (pass the go test -bench files instead)",
    detected_by: "a `│` table with `sec/op` or `vs base`, or benchstat's CSV header",
    detect: &[Detect::Lines(looks_like)],
    parse,
};

/// True for benchstat's text tables and CSV output.
pub fn looks_like(text: &str) -> bool {
    if !contains(text, "\u{2502}") && !contains(text, ",CI") {
        return false;
    }
    let mut previous_was_box_header = false;
    for line in raw_lines(text) {
        let boxed = is_box_header(line);
        if boxed && previous_was_box_header {
            return true;
        }
        previous_was_box_header = boxed;
        if is_csv_header(line) {
            return true;
        }
    }
    false
}

/// `                │ old.txt │ new.txt │` and `│ sec/op │ sec/op  vs base │`.
fn is_box_header(line: &str) -> bool {
    let t = line.trim();
    t.len() > 2 && t.starts_with('\u{2502}') && t.ends_with('\u{2502}')
}

/// `,sec/op,CI,sec/op,CI,vs base,P` (also `,sec/op,CI` for one file).
fn is_csv_header(line: &str) -> bool {
    let mut cells = line.trim().split(',');
    if cells.next() != Some("") {
        return false;
    }
    let cells: Vec<&str> = cells.collect();
    cells
        .windows(2)
        .any(|w| matches!(w, [unit, ci] if *ci == "CI" && !unit.is_empty() && !unit.contains(' ')))
}

/// Always fails: benchstat output is a summary, not results.
pub fn parse(_text: &str) -> Result<Run, ParseError> {
    Err(ParseError::whole(
        "this is benchstat's comparison output, not benchmark results: it holds medians, \
         confidence intervals and p-values, not the measurements perfgate compares. \
         Pass the `go test -bench` output files that benchstat read instead (with `-count` of 6 or \
         more, perfgate runs its own tests on the samples)",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const OUTPUTS: &[(&str, &str)] = &[
        (
            "crcIgnore",
            include_str!("../../tests/fixtures/benchstat-output/crcIgnore.stdout"),
        ),
        (
            "crcOldNew",
            include_str!("../../tests/fixtures/benchstat-output/crcOldNew.stdout"),
        ),
        (
            "crcSizeVsPoly",
            include_str!("../../tests/fixtures/benchstat-output/crcSizeVsPoly.stdout"),
        ),
        (
            "csvErrors",
            include_str!("../../tests/fixtures/benchstat-output/csvErrors.stdout"),
        ),
        (
            "csvOldNew",
            include_str!("../../tests/fixtures/benchstat-output/csvOldNew.stdout"),
        ),
        (
            "issue19565",
            include_str!("../../tests/fixtures/benchstat-output/issue19565.stdout"),
        ),
        (
            "issue19634",
            include_str!("../../tests/fixtures/benchstat-output/issue19634.stdout"),
        ),
        (
            "smallSample",
            include_str!("../../tests/fixtures/benchstat-output/smallSample.stdout"),
        ),
        (
            "units",
            include_str!("../../tests/fixtures/benchstat-output/units.stdout"),
        ),
        (
            "zero",
            include_str!("../../tests/fixtures/benchstat-output/zero.stdout"),
        ),
    ];

    #[test]
    fn recognises_every_benchstat_output_sample() {
        for (name, text) in OUTPUTS {
            assert!(looks_like(text), "{name}");
            assert!(looks_like(&text.replace('\n', "\r\n")), "{name} with CRLF");
        }
    }

    #[test]
    fn refuses_benchstat_output_and_points_to_the_go_files() {
        for (name, text) in OUTPUTS {
            let e = parse(text).unwrap_err();
            assert_eq!(e.line, None, "{name}");
            assert!(e.message.contains("benchstat's comparison output"), "{e}");
            assert!(e.message.contains("`go test -bench` output files"), "{e}");
        }
        assert!(parse("").is_err());
    }

    #[test]
    fn rejects_go_test_bench_text_and_other_formats() {
        for other in [
            include_str!("../../tests/fixtures/go/benchstat-testdata-old.txt"),
            include_str!("../../tests/fixtures/go/suffixarray.bench"),
            include_str!("../../tests/fixtures/go/go_fiber_duplicate_names_output.txt"),
            include_str!("../../tests/fixtures/catch2/catch2_output_v2.txt"),
            include_str!("../../tests/fixtures/criterion-text/criterion-many.txt"),
            "a,b,c\n1,2,3\n",
            "\u{2502} lonely box line \u{2502}\n",
            "",
        ] {
            assert!(!looks_like(other));
        }
    }
}
