//! Rust libtest bench text: what `cargo bench` prints for nightly `#[bench]` functions, and what
//! criterion.rs prints with `cargo bench -- --output-format bencher`. Result lines are
//! `test <name> ... bench: <value> <unit>/iter (+/- <dev>)[ = <n> MB/s]`; everything else in a
//! cargo log (`running N tests`, `... ok`, `... ignored`, `... FAILED`, `failures:` blocks,
//! `test result:` summaries, compiler noise) is skipped, so failed and ignored benches are absent.
//!
//! Detection: some line, ANSI colours removed, starts with `test ` and holds ` ... bench: `
//! followed by a number.
//!
//! The value becomes `time` (converted to nanoseconds) when its unit is a time; harnesses that
//! imitate the format with other units (`cycles/iter`) get a metric named after the unit (`cycles`,
//! [`Unit::parse`] decides the canonical unit). A unit must end with `/iter` and be one
//! [`Unit::parse`] knows: `xs/iter` is an error, not a metric `xs`. `= N MB/s` becomes
//! `throughput` (decimal MB, as libtest computes it). The `(+/- dev)` must be there (it ends every
//! result line, so a line without it was cut) but is left out on purpose: for libtest it is the
//! range (max - min) of the winsorized samples, for criterion's bencher output a standard
//! deviation, and neither is an observation the gate can test with. A file that ends inside a
//! `test ...` line (no line break after it) is refused as cut, unless that line is complete. Numbers may carry `,` thousands separators
//! (`18,794.12`). A name seen under two cargo `Running <target>` lines (two bench binaries) is
//! qualified as `<target>::<name>`; repeats under one target pool into samples.

use super::common::cargo::{assemble, cargo_target, qualify_with_target, Result1};
use super::common::text::{
    clean_lines, excerpt, parse_number, raw_lines, refuse_cut, snake_case, strip_ansi,
};
use super::spec::{Detect, ParseError, Spec};
use crate::model::{Data, Metric, Run, RunMeta, Unit};

/// How `libtest` is named, detected and read.
pub const SPEC: Spec = Spec {
    name: "libtest",
    aliases: &["cargo"],
    reads: "cargo bench (libtest #[bench]) text, criterion --output-format bencher",
    detected_by: "lines `test <name> ... bench: <n> ns/iter (+/- <n>)`",
    detect: &[Detect::Lines(looks_like)],
    parse,
};

/// True when some line has the shape `test <name> ... bench: <number> <unit>`.
pub fn looks_like(text: &str) -> bool {
    raw_lines(text).any(|line| {
        if !line.starts_with("test ") || !line.contains("bench") {
            return false;
        }
        let line = strip_ansi(line);
        split_result_line(&line).is_some_and(|(_, after)| {
            after
                .split_whitespace()
                .next()
                .is_some_and(|v| parse_number(v).is_some())
        })
    })
}

/// Parses libtest bench output; see the module documentation.
pub fn parse(text: &str) -> Result<Run, ParseError> {
    refuse_cut(text, "libtest", read(text), could_be_cut)
}

/// Whether a last line without its line break could be the start of a longer libtest line: a
/// `test <name> ...` line that is not complete (a result line that reads whole is; so are `ok`,
/// `FAILED`, `ignored` and the `test result:` summary). Other lines are cargo's, not results.
fn could_be_cut(line: &str) -> bool {
    let Some(rest) = line.strip_prefix("test ") else {
        return false;
    };
    if rest.starts_with("result: ") || split_result_line(line).is_some() {
        return false;
    }
    let status = rest.rsplit_once(" ... ").map(|(_, s)| s.trim());
    !status.is_some_and(|s| s == "ok" || s == "FAILED" || s.starts_with("ignored"))
}

fn read(text: &str) -> Result<Run, ParseError> {
    let mut target: Option<String> = None;
    let mut results = Vec::new();
    for (no, line) in clean_lines(text) {
        if let Some(t) = cargo_target(&line) {
            target = Some(t);
            continue;
        }
        let Some((name, after)) = split_result_line(&line) else {
            continue;
        };
        let metrics = result_metrics(no, name, after)?;
        results.push(Result1 {
            target: target.clone(),
            name: name.to_string(),
            metrics,
        });
    }
    if results.is_empty() {
        return Err(ParseError::whole(
            "no libtest bench results found: expected lines like \
             `test bench_fib ... bench:       1,234 ns/iter (+/- 56)` \
             (from `cargo bench` with #[bench], or criterion with `-- --output-format bencher`)",
        ));
    }
    let meta = RunMeta {
        tool: Some("libtest".to_string()),
        ..RunMeta::default()
    };
    Ok(Run::new(meta, assemble(results, qualify_with_target)))
}

/// `test <name> ... bench: <rest>` split into the name (padding removed) and the rest.
fn split_result_line(line: &str) -> Option<(&str, &str)> {
    let rest = line.strip_prefix("test ")?;
    let (name, after) = rest.split_once(" ... bench:")?;
    let name = name.trim();
    if name.is_empty() {
        return None;
    }
    Some((name, after))
}

fn result_metrics(no: usize, name: &str, after: &str) -> Result<Vec<Metric>, ParseError> {
    let mut tokens = after.split_whitespace();
    let (Some(value), Some(unit)) = (tokens.next(), tokens.next()) else {
        return Err(ParseError::at(
            no,
            format!("`{name}`: expected `<value> <unit>/iter` after `bench:`, such as `1,234 ns/iter (+/- 56)`"),
        ));
    };
    let mut metrics = vec![value_metric(no, name, value, unit)?];
    // `(+/- N)` ends every result line: without it the line was cut (or is no libtest line).
    let deviation = match (tokens.next(), tokens.next()) {
        (Some("(+/-"), Some(d)) => d.strip_suffix(')').and_then(parse_number),
        _ => None,
    };
    if deviation.is_none() {
        return Err(ParseError::at(
            no,
            format!(
                "`{name}`: expected `(+/- <range>)` after `{value} {unit}`, as in `1,234 ns/iter (+/- 56)`, found `{}`",
                excerpt(after.trim(), 80)
            ),
        ));
    }
    // ` = N MB/s`: the throughput libtest reports when the bench sets `b.bytes`.
    let rest: Vec<&str> = tokens.collect();
    if let Some(eq) = rest.iter().position(|t| *t == "=") {
        let (Some(v), Some(u)) = (rest.get(eq + 1), rest.get(eq + 2)) else {
            return Err(ParseError::at(
                no,
                format!("`{name}`: expected `= <number> MB/s` after the value"),
            ));
        };
        metrics.push(throughput_metric(no, name, v, u)?);
    }
    Ok(metrics)
}

fn value_metric(no: usize, name: &str, value: &str, unit: &str) -> Result<Metric, ParseError> {
    let v = number_or_error(no, name, value, unit)?;
    let (kind, factor) = Unit::parse(unit);
    if !unit.ends_with("/iter") || matches!(kind, Unit::Custom(_)) {
        return Err(ParseError::at(
            no,
            format!(
                "`{name}`: expected a unit per iteration such as `ns/iter`, `\u{b5}s/iter`, `ms/iter`, `s/iter` or `cycles/iter`, found `{}`",
                excerpt(unit, 40)
            ),
        ));
    }
    let metric = if kind == Unit::Nanoseconds {
        "time".to_string()
    } else {
        snake_case(unit.strip_suffix("/iter").unwrap_or(unit))
    };
    let v = v * factor;
    if !v.is_finite() || (v < 0.0 && matches!(kind, Unit::Nanoseconds | Unit::Bytes)) {
        return Err(ParseError::at(
            no,
            format!("`{name}`: `{value} {unit}` is not a finite, non-negative measurement"),
        ));
    }
    Ok(Metric::new(metric, kind, Data::Value(v)))
}

fn throughput_metric(no: usize, name: &str, value: &str, unit: &str) -> Result<Metric, ParseError> {
    let v = number_or_error(no, name, value, unit)?;
    let (kind, factor) = Unit::parse(unit);
    if !matches!(kind, Unit::BytesPerSecond | Unit::PerSecond) {
        return Err(ParseError::at(
            no,
            format!("`{name}`: expected a rate such as `= 120 MB/s`, found `= {value} {unit}`"),
        ));
    }
    Ok(Metric::new("throughput", kind, Data::Value(v * factor)))
}

fn number_or_error(no: usize, name: &str, value: &str, unit: &str) -> Result<f64, ParseError> {
    parse_number(value).ok_or_else(|| {
        ParseError::at(
            no,
            format!("`{name}`: expected a number before `{unit}`, found `{value}`"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::common::text::CUT;
    use crate::formats::test_support::{metric, names, value};
    use crate::model::Direction;

    const INTEGERS: &str = include_str!("../../tests/fixtures/libtest/cargo_output.txt");
    const DECIMALS: &str = include_str!("../../tests/fixtures/libtest/cargo_output3.txt");
    const IGNORED: &str = include_str!("../../tests/fixtures/libtest/issue_390.txt");
    const FAILED: &str = include_str!("../../tests/fixtures/libtest/failed.txt");
    const CRITERION_BENCHER: &str =
        include_str!("../../tests/fixtures/libtest/criterion_output.txt");

    fn err(text: &str) -> ParseError {
        parse(text).unwrap_err()
    }

    #[test]
    fn reads_integer_values_with_thousands_separators() {
        let run = parse(INTEGERS).unwrap();
        assert_eq!(run.meta.tool.as_deref(), Some("libtest"));
        assert_eq!(names(&run), ["bench_fib_10", "bench_fib_20"]);
        assert_eq!(value(&run, "bench_fib_10", "time"), 135.0);
        assert_eq!(value(&run, "bench_fib_20", "time"), 18149.0);
        for b in &run.benchmarks {
            assert_eq!(b.metrics.len(), 1, "only `time`: the +/- range is left out");
            let time = metric(&run, &b.name, "time");
            assert_eq!(time.unit, Unit::Nanoseconds);
            assert_eq!(time.direction, Direction::LowerIsBetter);
        }
    }

    #[test]
    fn reads_two_decimal_values_of_newer_toolchains() {
        let run = parse(DECIMALS).unwrap();
        assert_eq!(names(&run), ["bench_fib_10", "bench_fib_20"]);
        assert_eq!(value(&run, "bench_fib_10", "time"), 148.70);
        assert_eq!(value(&run, "bench_fib_20", "time"), 18794.12);
        insta::assert_json_snapshot!("cargo_output3", run);
    }

    #[test]
    fn skips_ignored_tests_and_trims_aligned_names() {
        let run = parse(IGNORED).unwrap();
        assert_eq!(
            names(&run),
            [
                "bleu::benchmark::bench_batch_bleu",
                "bleu::benchmark::bench_bleu",
                "ngram::benchmark::bench_ngram",
                "tokenizer::benchmark::bench_tokenizer"
            ]
        );
        assert_eq!(
            value(&run, "bleu::benchmark::bench_batch_bleu", "time"),
            13967756.30
        );
        assert_eq!(
            value(&run, "bleu::benchmark::bench_bleu", "time"),
            298794.10
        );
        assert_eq!(
            value(&run, "ngram::benchmark::bench_ngram", "time"),
            49480.28
        );
        assert_eq!(
            value(&run, "tokenizer::benchmark::bench_tokenizer", "time"),
            15690.73
        );
        assert_eq!(run.metric_count(), 4);
    }

    #[test]
    fn skips_failed_benches() {
        let run = parse(FAILED).unwrap();
        assert_eq!(names(&run), ["tests::benchmark_a", "tests::benchmark_c"]);
        assert_eq!(value(&run, "tests::benchmark_a", "time"), 3296.0);
        assert_eq!(value(&run, "tests::benchmark_c", "time"), 3215.0);
    }

    #[test]
    fn reads_criterion_bencher_output_between_warnings() {
        let run = parse(CRITERION_BENCHER).unwrap();
        assert_eq!(
            names(&run),
            [
                "Create Realm",
                "Symbols (Execution)",
                "For loop (Execution)",
                "Fibonacci (Execution)"
            ]
        );
        assert_eq!(value(&run, "Create Realm", "time"), 329.0);
        assert_eq!(value(&run, "Symbols (Execution)", "time"), 3268.0);
        assert_eq!(value(&run, "For loop (Execution)", "time"), 12314.0);
        assert_eq!(value(&run, "Fibonacci (Execution)", "time"), 1672496.0);
        insta::assert_json_snapshot!("criterion_bencher", run);
    }

    #[test]
    fn reads_throughput_in_decimal_megabytes_per_second() {
        let run =
            parse("test enc::big ... bench:       2,000 ns/iter (+/- 30) = 512 MB/s\n").unwrap();
        assert_eq!(value(&run, "enc::big", "time"), 2000.0);
        let tp = metric(&run, "enc::big", "throughput");
        assert_eq!(tp.unit, Unit::BytesPerSecond);
        assert_eq!(tp.direction, Direction::HigherIsBetter);
        assert_eq!(tp.data, Data::Value(512e6));
    }

    #[test]
    fn names_metrics_of_other_units_after_the_unit() {
        let run = parse("test hash ... bench:  1,500 cycles/iter (+/- 20)\n").unwrap();
        let m = metric(&run, "hash", "cycles");
        assert_eq!(m.unit, Unit::Count);
        assert_eq!(m.data, Data::Value(1500.0));
        assert!(run.benchmark("hash").unwrap().metric("time").is_none());
        let run = parse("test t ... bench:  1.5 us/iter (+/- 0.1)\n").unwrap();
        assert_eq!(value(&run, "t", "time"), 1500.0);
    }

    #[test]
    fn qualifies_names_repeated_in_two_bench_binaries_and_pools_repeats() {
        let text = "\
     Running benches/a.rs (target/release/deps/a-0123456789abcdef)
test fib ... bench: 10 ns/iter (+/- 1)
test only_a ... bench: 5 ns/iter (+/- 1)
     Running benches/b.rs (target/release/deps/b-fedcba9876543210)
test fib ... bench: 20 ns/iter (+/- 1)
test fib ... bench: 22 ns/iter (+/- 1)
";
        let run = parse(text).unwrap();
        assert_eq!(names(&run), ["a::fib", "only_a", "b::fib"]);
        assert_eq!(
            metric(&run, "b::fib", "time").data,
            Data::Samples(vec![20.0, 22.0])
        );
    }

    #[test]
    fn reads_cargo_running_lines_of_several_cargo_versions() {
        assert_eq!(
            cargo_target(
                "     Running unittests (target/release/deps/log4rs_bench-f36c88332bd25d23)"
            ),
            Some("log4rs_bench".into())
        );
        assert_eq!(
            cargo_target("     Running benches/x.rs (target/release/deps/x-0a1b2c)"),
            Some("x".into())
        );
        assert_eq!(
            cargo_target("     Running `target/release/deps/old-0a1b2c --bench`"),
            Some("old".into())
        );
        assert_eq!(
            cargo_target("Running target/release/deps/test_regular_bench-8b173c29ce041afa"),
            Some("test_regular_bench".into())
        );
        assert_eq!(cargo_target("test x ... ok"), None);
    }

    #[test]
    fn reads_coloured_output() {
        let run =
            parse("test x ... \u{1b}[36mbench\u{1b}[0m:   1,000 ns/iter (+/- 5)\r\n").unwrap();
        assert_eq!(value(&run, "x", "time"), 1000.0);
        assert!(looks_like(
            "test x ... \u{1b}[36mbench\u{1b}[0m:   1,000 ns/iter (+/- 5)\n"
        ));
    }

    #[test]
    fn fails_on_a_bad_number_naming_the_line() {
        let e = err("running 1 test\ntest x ... bench:   12a ns/iter (+/- 5)\n");
        assert_eq!(e.line, Some(2));
        assert!(
            e.message
                .contains("expected a number before `ns/iter`, found `12a`"),
            "{e}"
        );
        let e = err("test x ... bench:   -12 ns/iter (+/- 5)\n");
        assert!(e.message.contains("non-negative"), "{e}");
    }

    #[test]
    fn fails_on_a_truncated_result_line() {
        let e = err("test x ... bench:   1,234\n");
        assert_eq!(e.line, Some(1));
        assert!(e.message.contains("expected `<value> <unit>/iter`"), "{e}");
        let e = err("test x ... bench:   1,234 ns/iter (+/- 5) = \n");
        assert!(e.message.contains("`= <number> MB/s`"), "{e}");
        let e = err("test x ... bench:   1,234 ns/iter (+/- 5) = 12 ns\n");
        assert!(e.message.contains("expected a rate"), "{e}");
    }

    /// `18,149 ns/` (a file cut inside `ns/iter`) was read as a metric `ns` in the unit `ns/`.
    #[test]
    fn refuses_a_file_cut_inside_its_last_test_line() {
        let full = INTEGERS.find("18,149 ns/iter (+/- 755)").unwrap();
        for (keep, why) in [
            (
                "18,149 ns/",
                "(`bench_fib_20`: expected a unit per iteration",
            ),
            (
                "18,149 ns/iter (+/- 75",
                "(`bench_fib_20`: expected `(+/- <range>)`",
            ),
            ("18,149", "(`bench_fib_20`: expected `<value> <unit>/iter`"),
            ("", "(`bench_fib_20`: expected `<value> <unit>/iter`"),
        ] {
            let cut = INTEGERS.get(..full + keep.len()).unwrap();
            let e = err(cut);
            assert_eq!(e.line, Some(9), "{keep}");
            assert!(
                e.message.starts_with(&format!("{CUT} {why}")),
                "{keep}: {e}"
            );
        }
        let status = INTEGERS.find("bench_fib_20 ... bench:").unwrap();
        let cut = INTEGERS.get(..status + "bench_fib_20 ... b".len()).unwrap();
        assert!(cut.ends_with("test bench_fib_20 ... b"));
        let e = err(cut);
        assert_eq!(e.line, Some(9));
        assert!(
            e.message.starts_with(&format!(
                "{CUT}: `test bench_fib_20 ... b` has no line break after it, and libtest ends every line with one"
            )),
            "{e}"
        );
        assert!(err("test x ... bench:   1,234 ns/iter (+/- 5) = 512 MB/")
            .message
            .starts_with(CUT));
    }

    /// A last line that is complete by libtest's grammar is read, line break or not (`$(cargo
    /// bench)` in a shell drops the final ones).
    #[test]
    fn reads_complete_last_lines_without_a_line_break() {
        for text in [INTEGERS, DECIMALS, IGNORED, FAILED, CRITERION_BENCHER] {
            let whole = parse(text).unwrap();
            assert_eq!(parse(text.trim_end()).unwrap(), whole);
        }
        let run = parse("test a ... bench: 10 ns/iter (+/- 1)").unwrap();
        assert_eq!(value(&run, "a", "time"), 10.0);
        let run = parse("test a ... bench: 10 ns/iter (+/- 1) = 512 MB/s").unwrap();
        assert_eq!(value(&run, "a", "throughput"), 512e6);
        for last in ["test b ... ok", "test b ... ignored", "test b ... FAILED"] {
            let run = parse(&format!("test a ... bench: 10 ns/iter (+/- 1)\n{last}")).unwrap();
            assert_eq!(names(&run), ["a"]);
        }
    }

    /// `xs/iter` became a metric `xs`; `ns` without `/iter` is no libtest unit either.
    #[test]
    fn fails_on_a_unit_it_does_not_know_naming_the_line() {
        let e = err(&INTEGERS.replace("135 ns/iter", "135 xs/iter"));
        assert_eq!(e.line, Some(8));
        assert_eq!(
            e.message,
            "`bench_fib_10`: expected a unit per iteration such as `ns/iter`, `\u{b5}s/iter`, `ms/iter`, `s/iter` or `cycles/iter`, found `xs/iter`"
        );
        let e = err("test a ... bench: 10 ns (+/- 1)\n");
        assert_eq!(e.line, Some(1));
        assert!(e.message.ends_with("found `ns`"), "{e}");
        let e = err("test a ... bench: 10 ns/iter\n");
        assert_eq!(e.line, Some(1));
        assert!(e.message.contains("expected `(+/- <range>)`"), "{e}");
    }

    /// The bench binaries of a name were searched per result: one name in 50,000 binaries took
    /// minutes, a moment now (no timing is asserted).
    #[test]
    fn qualifies_a_name_of_fifty_thousand_bench_binaries_in_one_pass() {
        let text: String = (0..50_000)
            .map(|i| {
                format!("     Running benches/t{i}.rs (target/release/deps/t{i}-0a1b)\ntest a ... bench: {i} ns/iter (+/- 1)\n")
            })
            .collect();
        let run = parse(&text).unwrap();
        assert_eq!(run.benchmarks.len(), 50_000);
        assert_eq!(value(&run, "t49999::a", "time"), 49_999.0);
    }

    #[test]
    fn fails_when_there_are_no_results() {
        for text in [
            "",
            "\n",
            "running 1 test\ntest a ... ignored\n",
            FAILED.replace("bench:", "ok").as_str(),
        ] {
            let e = err(text);
            assert_eq!(e.line, None);
            assert!(e.message.contains("no libtest bench results"), "{e}");
        }
    }

    #[test]
    fn detects_libtest_and_bencher_lines_only() {
        for text in [INTEGERS, DECIMALS, IGNORED, FAILED, CRITERION_BENCHER] {
            assert!(looks_like(text));
        }
        assert!(!looks_like(include_str!(
            "../../tests/fixtures/criterion-text/criterion-many.txt"
        )));
        assert!(!looks_like(include_str!(
            "../../tests/fixtures/go/benchstat-testdata-old.txt"
        )));
        assert!(!looks_like(include_str!(
            "../../tests/fixtures/iai/iai-callgrind-delta.txt"
        )));
        assert!(!looks_like("test a ... bench: fast\n"));
        assert!(!looks_like("running 2 tests\ntest a ... ok\n"));
    }
}
