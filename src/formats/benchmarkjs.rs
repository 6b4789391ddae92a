//! Benchmark.js results as `String(benchmark)` prints them, usually from a suite's `cycle` event
//! (`suite.on('cycle', e => console.log(String(e.target)))`):
//! `<name> x <hz> ops/sec ±<rme>% (<n> runs sampled)`.
//!
//! Detection: some line ends with ` x <number> ops/sec ±<number>% (<n> run[s] sampled)`.
//!
//! Each line gives `throughput`, operations per second, higher is better (one value: the runs are
//! summarised, not listed). Names may themselves contain ` x `, so a line is read from its end.
//! `<hz>` may carry `,` thousands separators. A line of that shape with another unit than
//! `ops/sec` is an error (Benchmark.js prints no other); any other line is skipped.

use super::common::text::{clean_lines, excerpt, parse_number, refuse_cut};
use super::spec::{Detect, ParseError, Spec};
use crate::model::{Benchmarks, Data, Direction, Metric, Run, RunMeta, Unit};

/// How `benchmarkjs` is named, detected and read.
pub const SPEC: Spec = Spec {
    name: "benchmarkjs",
    aliases: &["benchmark.js"],
    reads: "Benchmark.js String(benchmark) lines",
    detected_by: "lines `<name> x <hz> ops/sec ±<rme>% (<n> runs sampled)`",
    detect: &[Detect::Lines(looks_like)],
    parse,
};

/// True when some line has the Benchmark.js result shape.
pub fn looks_like(text: &str) -> bool {
    text.split('\n').any(|l| {
        l.contains(" ops/sec ")
            && result_shape(l.trim_end_matches('\r')).is_some_and(|(_, _, unit)| unit == UNIT)
    })
}

/// The only unit Benchmark.js prints.
const UNIT: &str = "ops/sec";

/// `(name, hz text, unit)` of a line shaped like a result,
/// `<name> x <hz> <unit> ±<rme>% (<n> runs sampled)`, without judging the number or the unit.
fn result_shape(line: &str) -> Option<(&str, &str, &str)> {
    let line = line.trim_end();
    let runs = line.strip_suffix(" sampled)")?;
    let (head, runs) = runs.rsplit_once("% (")?;
    let (count, word) = runs.split_once(' ')?;
    if !matches!(word, "runs" | "run")
        || count.is_empty()
        || !count.chars().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    // `±0.74%`; old builds print `+/-`.
    let (head, rme) = head
        .rsplit_once(" \u{b1}")
        .or_else(|| head.rsplit_once(" +/-"))?;
    rme.parse::<f64>().ok()?;
    let (head, unit) = head.trim_end().rsplit_once(' ')?;
    let (name, hz) = head.rsplit_once(" x ")?;
    let name = name.trim();
    (!name.is_empty()).then_some((name, hz.trim(), unit))
}

/// Parses Benchmark.js output; see the module documentation.
pub fn parse(text: &str) -> Result<Run, ParseError> {
    refuse_cut(text, "`console.log`", read(text), could_be_cut)
}

/// Whether a last line without its line break is the start of a result cut short: a name, ` x `
/// and the start of a rate (`fib(20) x 12,`), or a name and ` x`, that is not a whole result.
/// Other text with an `x` in it (`this x line`) is not.
fn could_be_cut(line: &str) -> bool {
    let line = line.trim_end();
    let rate_begun = line
        .rsplit_once(" x ")
        .is_some_and(|(_, rest)| rest.trim_start().starts_with(|c: char| c.is_ascii_digit()));
    (rate_begun || line.ends_with(" x")) && result_shape(line).is_none()
}

fn read(text: &str) -> Result<Run, ParseError> {
    let mut benchmarks = Benchmarks::default();
    for (no, line) in clean_lines(text) {
        let Some((name, hz, unit)) = result_shape(&line) else {
            continue;
        };
        // Any other unit is not Benchmark.js's: reading it as a rate, or skipping the line, would
        // lose the benchmark (then reported missing, not failed).
        if unit != UNIT {
            return Err(ParseError::at(
                no,
                format!(
                    "`{name}`: expected the unit `{UNIT}` (the only one Benchmark.js prints), found `{}`",
                    excerpt(unit, 40)
                ),
            ));
        }
        let value = match parse_number(hz) {
            Some(v) if v >= 0.0 => v,
            _ => {
                return Err(ParseError::at(
                    no,
                    format!(
                    "`{name}`: expected the operations per second before `ops/sec`, found `{hz}`"
                ),
                ))
            }
        };
        // Operations per second: more is better, whatever the name says.
        let metric = Metric::new("throughput", Unit::PerSecond, Data::Value(value))
            .with_direction(Direction::HigherIsBetter);
        benchmarks.add(name.to_string(), [metric]);
    }
    if benchmarks.is_empty() {
        return Err(ParseError::whole(
            "no Benchmark.js results found: expected lines like \
             `fib(10) x 1,431,759 ops/sec \u{b1}0.74% (93 runs sampled)` (print `String(event.target)` in the suite's `cycle` handler)",
        ));
    }
    let meta = RunMeta {
        tool: Some("benchmarkjs".to_string()),
        ..RunMeta::default()
    };
    Ok(Run::new(meta, benchmarks.into_vec()))
}

#[cfg(test)]
mod tests {
    use super::super::common::text::CUT;
    use super::*;

    /// Cut inside its last result, the output lost that benchmark (then reported missing).
    #[test]
    fn refuses_a_file_cut_inside_its_last_result() {
        let whole = "fib(10) x 1,431,759 ops/sec \u{b1}0.74% (93 runs sampled)\n";
        for cut in [
            "fib(20) x 12,",
            "fib(20) x",
            "fib(20) x 12,146 ops/sec \u{b1}0.32% (96 ru",
        ] {
            let e = parse(&format!("{whole}{cut}")).unwrap_err();
            assert_eq!(e.line, Some(2), "{cut}: {e}");
            assert!(e.message.starts_with(CUT), "{cut}: {e}");
        }
        // Whole without its line break, or other text last: read.
        let run = parse(whole.trim_end()).unwrap();
        assert_eq!(run.benchmarks.len(), 1);
        let run = parse(&format!("{whole}this x line should be ignored")).unwrap();
        assert_eq!(run.benchmarks.len(), 1);
    }
    use crate::formats::test_support::names;

    const OUTPUT: &str = include_str!("../../tests/fixtures/benchmarkjs/benchmarkjs_output.txt");
    const FOUR: &str = include_str!("../../tests/fixtures/benchmarkjs/benchmarkjs_four.txt");
    const CHROMIUM: &str =
        include_str!("../../tests/fixtures/benchmarkjs/benchmarkjs_issue_506.txt");

    fn value(run: &Run, bench: &str) -> f64 {
        let m = run
            .benchmark(bench)
            .unwrap_or_else(|| panic!("no benchmark `{bench}`"))
            .metric("throughput")
            .unwrap_or_else(|| panic!("no throughput in `{bench}`"));
        assert_eq!(m.unit, Unit::PerSecond);
        assert_eq!(m.direction, Direction::HigherIsBetter);
        match m.data {
            Data::Value(v) => v,
            ref other => panic!("`{bench}` is not a value: {other:?}"),
        }
    }

    fn err(text: &str) -> ParseError {
        parse(text).unwrap_err()
    }

    #[test]
    fn reads_throughput_with_thousands_separators_and_skips_decoys() {
        let run = parse(OUTPUT).unwrap();
        assert_eq!(run.meta.tool.as_deref(), Some("benchmarkjs"));
        assert_eq!(
            names(&run),
            ["fib(10)", "fib(20)", "createObjectBuffer with 200 comments"]
        );
        assert_eq!(value(&run, "fib(10)"), 1431759.0);
        assert_eq!(value(&run, "fib(20)"), 12146.0);
        assert_eq!(value(&run, "createObjectBuffer with 200 comments"), 81.61);
        assert_eq!(run.metric_count(), 3);
        insta::assert_json_snapshot!("benchmarkjs_output", run);
    }

    #[test]
    fn splits_names_containing_x_at_the_last_x() {
        let run = parse(FOUR).unwrap();
        assert_eq!(
            names(&run),
            [
                "fib(10)",
                "fib(20)",
                "benchmark with x 2 many things",
                "createObjectBuffer with 200 comments"
            ]
        );
        assert_eq!(value(&run, "benchmark with x 2 many things"), 50.0);
    }

    #[test]
    fn reads_one_decimal_margins_among_runner_messages() {
        let run = parse(CHROMIUM).unwrap();
        assert_eq!(run.benchmarks.len(), 6);
        assert_eq!(value(&run, "text encoder utf8"), 28.33);
        assert_eq!(value(&run, "text encoder utf16"), 55.25);
        assert_eq!(value(&run, "sha512 wasm from string utf8"), 15.20);
        assert_eq!(value(&run, "sha512 native from string utf16"), 29.76);
    }

    #[test]
    fn pools_repeated_names_and_reads_a_single_run() {
        let run = parse(
            "a x 10 ops/sec \u{b1}1% (1 run sampled)\r\na x 12 ops/sec +/-1% (5 runs sampled)\n",
        )
        .unwrap();
        assert_eq!(
            run.benchmark("a")
                .unwrap()
                .metric("throughput")
                .unwrap()
                .data,
            Data::Samples(vec![10.0, 12.0])
        );
    }

    #[test]
    fn fails_on_a_bad_rate_naming_the_line() {
        let e = err("Running...\nfib x 1.2.3 ops/sec \u{b1}1.00% (90 runs sampled)\n");
        assert_eq!(e.line, Some(2));
        assert!(e.message.contains("found `1.2.3`"), "{e}");
        let e = err("fib x -5 ops/sec \u{b1}1.00% (90 runs sampled)\n");
        assert_eq!(e.line, Some(1));
    }

    /// `ops/fortnight` dropped the benchmark, which was then reported missing, not failed.
    #[test]
    fn fails_on_another_unit_naming_the_line() {
        let text = OUTPUT.replace("1,431,759 ops/sec", "1,431,759 ops/fortnight");
        let e = err(&text);
        assert_eq!(e.line, Some(1));
        assert_eq!(
            e.message,
            "`fib(10)`: expected the unit `ops/sec` (the only one Benchmark.js prints), found `ops/fortnight`"
        );
        let e = err("a x 10 ops/sec \u{b1}1% (1 run sampled)\nb x 10 Hz +/-1% (5 runs sampled)\n");
        assert_eq!(e.line, Some(2));
        assert!(e.message.ends_with("found `Hz`"), "{e}");
        // The detection still needs a line in `ops/sec`.
        assert!(looks_like(&text));
        assert!(!looks_like("b x 10 Hz \u{b1}1% (5 runs sampled)\n"));
    }

    #[test]
    fn fails_when_there_are_no_results() {
        for text in [
            "",
            "Running 6 benchmarks on Chromium...\nDone!\n",
            "fib x 1,000 ops/sec \u{b1}1.00%",
            "this x line should be ignored\n",
        ] {
            let e = err(text);
            assert_eq!(e.line, None);
            assert!(e.message.contains("no Benchmark.js results"), "{e}");
        }
    }

    #[test]
    fn detects_benchmarkjs_lines_only() {
        for text in [OUTPUT, FOUR, CHROMIUM] {
            assert!(looks_like(text));
        }
        for other in [
            include_str!("../../tests/fixtures/libtest/issue_390.txt"),
            include_str!("../../tests/fixtures/criterion-text/criterion-many.txt"),
            include_str!("../../tests/fixtures/asv/asv-six.txt"),
            include_str!("../../tests/fixtures/go/suffixarray.bench"),
            "this x line should be ignored\n",
        ] {
            assert!(!looks_like(other));
        }
    }
}
