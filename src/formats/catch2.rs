//! Catch2 console reporter output of `BENCHMARK` blocks (Catch2 v2 and v3, the default reporter,
//! `./tests "[!benchmark]"`). Each table starts with the three-line header
//! `benchmark name  samples  iterations  estimated|est run time` / `mean  low mean  high mean` /
//! `std dev  low std dev  high std dev` and a `---` rule; each benchmark is then three lines: name
//! with samples, iterations and estimated run time; mean with its bootstrap bounds; standard
//! deviation with its bounds.
//!
//! Detection: a line starting with `benchmark name` followed by `samples` and `iterations`.
//!
//! Only the mean becomes a metric: `time` in nanoseconds, one value (the table's sample count is
//! not the samples themselves, and the bounds are a bootstrap CI). `0 ns` means, which timer
//! resolution produces on Windows, are kept. Names that Catch2 wraps over the following lines'
//! left column are joined with spaces; columns are read from the right because their widths vary
//! between versions and sections. A benchmark name used in two test cases is qualified as
//! `<test case> / <section> / <name>`; repeats within one test case pool into samples.

use super::common;
use super::common::cargo::Result1;
use super::common::text::{clean_lines, parse_number, split_tail};
use super::spec::{Detect, ParseError, Spec};
use crate::model::{Benchmark, Data, Environment, Metric, Run, RunMeta, Unit};

/// How `catch2` is named, detected and read.
pub const SPEC: Spec = Spec {
    name: "catch2",
    aliases: &[],
    reads: "Catch2 console BENCHMARK output (v2, v3)",
    detected_by: "a `benchmark name  samples  iterations` header",
    detect: &[Detect::Lines(looks_like)],
    parse,
};

/// True when some line is the first line of a Catch2 benchmark table header.
pub fn looks_like(text: &str) -> bool {
    text.split('\n').any(is_table_header)
}

fn is_table_header(line: &str) -> bool {
    let mut words = line.split_whitespace();
    words.next() == Some("benchmark")
        && words.next() == Some("name")
        && words.next() == Some("samples")
        && words.next() == Some("iterations")
}

/// Where the reader is inside a benchmark's three lines.
enum State {
    Idle,
    Named { no: usize, name: String },
    Mean { name: String, mean: f64 },
}

struct Found {
    case: Option<String>,
    name: String,
    mean: f64,
}

/// Parses Catch2 console output; see the module documentation.
pub fn parse(text: &str) -> Result<Run, ParseError> {
    let lines: Vec<(usize, String)> = clean_lines(text).collect();
    let mut env = Environment::default();
    let mut case: Option<String> = None;
    let mut in_table = false;
    let mut state = State::Idle;
    let mut found: Vec<Found> = Vec::new();
    let mut skip_to = 0;

    for (i, (no, line)) in lines.iter().enumerate() {
        if i < skip_to {
            continue;
        }
        let trimmed = line.trim();
        if let Some(version) = host_version(trimmed) {
            env.extra
                .entry("catch2_version".into())
                .or_insert_with(|| version.to_string());
        }
        if is_rule(trimmed, '-') {
            let after_header = i
                .checked_sub(1)
                .and_then(|p| lines.get(p))
                .is_some_and(|(_, l)| l.contains("std dev"));
            if after_header {
                in_table = true;
                state = State::Idle;
                continue;
            }
            finish(&mut state, &case, &mut found)?;
            in_table = false;
            if let Some((name, end)) = test_case_name(&lines, i) {
                case = Some(name);
                skip_to = end;
            }
            continue;
        }
        if is_table_header(line) || is_rule(trimmed, '=') {
            finish(&mut state, &case, &mut found)?;
            in_table = false;
            continue;
        }
        if !in_table {
            continue;
        }
        if trimmed.is_empty() {
            finish(&mut state, &case, &mut found)?;
            continue;
        }
        state = match std::mem::replace(&mut state, State::Idle) {
            State::Idle => match name_line(*no, line)? {
                Some(name) => State::Named { no: *no, name },
                None => State::Idle,
            },
            State::Named { name, .. } => {
                let (more, mean) = timing_line(*no, &name, "mean, low mean, high mean", line)?;
                State::Mean {
                    name: join_name(name, more),
                    mean,
                }
            }
            State::Mean { name, mean } => {
                let (more, _) =
                    timing_line(*no, &name, "std dev, low std dev, high std dev", line)?;
                found.push(Found {
                    case: case.clone(),
                    name: join_name(name, more),
                    mean,
                });
                State::Idle
            }
        };
    }
    if let State::Named { no, name } = &state {
        return Err(ParseError::at(
            *no,
            format!("`{name}`: the output ends before the mean line of this benchmark"),
        ));
    }
    finish(&mut state, &case, &mut found)?;
    if found.is_empty() {
        return Err(ParseError::whole(
            "no Catch2 benchmark results found: expected a `benchmark name  samples  iterations  estimated` \
             table followed by three lines per benchmark (run the test binary with its BENCHMARKs enabled)",
        ));
    }
    let meta = RunMeta {
        tool: Some("catch2".to_string()),
        environment: env,
        ..RunMeta::default()
    };
    Ok(Run::new(meta, assemble(found)))
}

/// Records a benchmark whose standard deviation line is missing (the mean is what counts).
fn finish(
    state: &mut State,
    case: &Option<String>,
    found: &mut Vec<Found>,
) -> Result<(), ParseError> {
    match std::mem::replace(state, State::Idle) {
        State::Named { no, name } => Err(ParseError::at(
            no,
            format!("`{name}`: expected a line with mean, low mean and high mean after this one"),
        )),
        State::Mean { name, mean } => {
            found.push(Found {
                case: case.clone(),
                name,
                mean,
            });
            Ok(())
        }
        State::Idle => Ok(()),
    }
}

fn join_name(name: String, more: &str) -> String {
    if more.is_empty() {
        name
    } else {
        format!("{name} {more}")
    }
}

/// `Catch2_bench is a Catch v2.11.0 host application.` -> `2.11.0`.
fn host_version(line: &str) -> Option<&str> {
    let (_, rest) = line.split_once(" is a Catch")?;
    let rest = rest.strip_prefix('2').unwrap_or(rest).trim_start();
    let version = rest.split_whitespace().next()?.trim_start_matches('v');
    version
        .starts_with(|c: char| c.is_ascii_digit())
        .then_some(version)
}

fn is_rule(trimmed: &str, c: char) -> bool {
    trimmed.len() >= 10 && trimmed.chars().all(|x| x == c)
}

/// At a `---` rule that opens a test case header: the case and section names up to the closing
/// rule (joined with ` / `), and the index of the line after the closing rule.
fn test_case_name(lines: &[(usize, String)], open: usize) -> Option<(String, usize)> {
    let mut names = Vec::new();
    for j in open + 1..open + 12 {
        let (_, l) = lines.get(j)?;
        let t = l.trim();
        if is_rule(t, '-') {
            // The closing rule is followed by the source location and a `....` rule.
            let dotted = lines
                .get(j + 2)
                .is_some_and(|(_, d)| is_rule(d.trim(), '.'));
            return (dotted && !names.is_empty()).then(|| (names.join(" / "), j + 1));
        }
        if t.is_empty() || is_table_header(l) {
            return None;
        }
        names.push(t.to_string());
    }
    None
}

/// The first line of a benchmark: `<name> <samples> <iterations> <estimated> <unit>`. `None` for
/// lines of another shape (Catch2 messages inside a table).
fn name_line(no: usize, line: &str) -> Result<Option<String>, ParseError> {
    let Some((head, tail)) = split_tail(line, 4) else {
        return Ok(None);
    };
    let (Some(samples), Some(iterations), Some(estimated), Some(unit)) =
        (tail.first(), tail.get(1), tail.get(2), tail.get(3))
    else {
        return Ok(None);
    };
    if Unit::parse(unit).0 != Unit::Nanoseconds || head.trim().is_empty() {
        return Ok(None);
    }
    let name = head.trim();
    for (what, v) in [("samples", samples), ("iterations", iterations)] {
        if !v.chars().all(|c| c.is_ascii_digit()) {
            return Err(ParseError::at(
                no,
                format!("`{name}`: expected the number of {what} (an integer), found `{v}`"),
            ));
        }
    }
    if parse_number(estimated).is_none() {
        return Err(ParseError::at(
            no,
            format!(
                "`{name}`: expected the estimated run time before `{unit}`, found `{estimated}`"
            ),
        ));
    }
    Ok(Some(name.to_string()))
}

/// A line of three `<number> <time unit>` pairs, optionally preceded by the continuation of a
/// wrapped name. Returns that continuation and the first value in nanoseconds.
fn timing_line<'a>(
    no: usize,
    name: &str,
    what: &str,
    line: &'a str,
) -> Result<(&'a str, f64), ParseError> {
    let expected = || {
        ParseError::at(
            no,
            format!(
                "`{name}`: expected {what} as three `<number> <unit>` pairs, found `{}`",
                line.trim()
            ),
        )
    };
    let (head, tail) = split_tail(line, 6).ok_or_else(expected)?;
    let mut first = None;
    for pair in tail.chunks(2) {
        let (Some(v), Some(u)) = (pair.first(), pair.get(1)) else {
            return Err(expected());
        };
        let (unit, factor) = Unit::parse(u);
        if unit != Unit::Nanoseconds {
            return Err(expected());
        }
        let v = parse_number(v).ok_or_else(expected)? * factor;
        if v < 0.0 {
            return Err(ParseError::at(
                no,
                format!(
                    "`{name}`: the {what} line holds a negative time `{}`",
                    line.trim()
                ),
            ));
        }
        first.get_or_insert(v);
    }
    let mean = first.ok_or_else(expected)?;
    Ok((head.trim(), mean))
}

/// Benchmarks in first-seen order; a name found in two test cases is qualified with its case.
fn assemble(found: Vec<Found>) -> Vec<Benchmark> {
    let results = found.into_iter().map(|f| Result1 {
        target: f.case,
        name: f.name,
        metrics: vec![Metric::new("time", Unit::Nanoseconds, Data::Value(f.mean))],
    });
    common::cargo::assemble(results.collect(), |case, name| format!("{case} / {name}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::test_support::{metric, names};
    use crate::model::Direction;

    const V2: &str = include_str!("../../tests/fixtures/catch2/catch2_output_v2.txt");
    const V3: &str = include_str!("../../tests/fixtures/catch2/catch2_output_v3.txt");
    const ISSUE_351: &str = include_str!("../../tests/fixtures/catch2/catch2_issue_351.txt");
    const WINDOWS: &str = include_str!("../../tests/fixtures/catch2/catch2_windows_zero_ns.txt");

    fn time(run: &Run, bench: &str) -> f64 {
        match metric(run, bench, "time").data {
            Data::Value(v) => v,
            ref other => panic!("`{bench}` time is not a value: {other:?}"),
        }
    }

    fn err(text: &str) -> ParseError {
        parse(text).unwrap_err()
    }

    fn assert_four_fibonacci(run: &Run) {
        assert_eq!(
            names(run),
            [
                "Fibonacci 10",
                "Fibonacci 20",
                "Fibonacci~ 5!",
                "Fibonacci-15_bench"
            ]
        );
        assert_eq!(time(run, "Fibonacci 10"), 344.0);
        assert_eq!(time(run, "Fibonacci 20"), 41731.0);
        assert_eq!(time(run, "Fibonacci~ 5!"), 36.0);
        assert_eq!(time(run, "Fibonacci-15_bench"), 3789.0);
        for b in &run.benchmarks {
            assert_eq!(b.metrics.len(), 1, "only the mean is kept");
            let t = metric(run, &b.name, "time");
            assert_eq!(t.unit, Unit::Nanoseconds);
            assert_eq!(t.direction, Direction::LowerIsBetter);
        }
        assert_eq!(
            run.meta
                .environment
                .extra
                .get("catch2_version")
                .map(String::as_str),
            Some("2.11.0")
        );
    }

    #[test]
    fn reads_the_mean_of_each_benchmark_in_v2_output() {
        let run = parse(V2).unwrap();
        assert_eq!(run.meta.tool.as_deref(), Some("catch2"));
        assert_four_fibonacci(&run);
        insta::assert_json_snapshot!("catch2_v2", run);
    }

    #[test]
    fn reads_v3_headers_saying_est_run_time() {
        let run = parse(V3).unwrap();
        assert_four_fibonacci(&run);
        assert_eq!(run, parse(V2).unwrap());
    }

    #[test]
    fn joins_wrapped_names_and_qualifies_names_used_in_two_test_cases() {
        let run = parse(ISSUE_351).unwrap();
        assert_eq!(
            names(&run),
            [
                "Fibonacci 10",
                "Unit_assignment / Construction / Fibonacci 20",
                "Fibonacci~ 5!",
                "Fibonacci-15_bench",
                "Fibonacci 10 with a long name",
                "Even More Fibonacci / With a long name / Fibonacci 20"
            ]
        );
        assert_eq!(time(&run, "Fibonacci 10"), 344.0);
        assert_eq!(time(&run, "Fibonacci 10 with a long name"), 344.0);
        assert_eq!(
            time(
                &run,
                "Even More Fibonacci / With a long name / Fibonacci 20"
            ),
            41731.0
        );
        assert_eq!(time(&run, "Fibonacci-15_bench"), 3789.0);
        insta::assert_json_snapshot!("catch2_issue_351", run);
    }

    #[test]
    fn keeps_zero_nanosecond_means_of_windows_timers() {
        let run = parse(WINDOWS).unwrap();
        assert_eq!(names(&run), ["Fibonacci 10", "Fibonacci 20"]);
        assert_eq!(time(&run, "Fibonacci 10"), 0.0);
        assert_eq!(time(&run, "Fibonacci 20"), 1.0);
        assert_eq!(
            run.meta
                .environment
                .extra
                .get("catch2_version")
                .map(String::as_str),
            Some("2.11.1")
        );
    }

    #[test]
    fn converts_seconds_and_pools_repeats_of_one_test_case() {
        let text = "\
benchmark name                       samples       iterations    estimated
                                     mean          low mean      high mean
                                     std dev       low std dev   high std dev
-------------------------------------------------------------------------------
slow                                          100             1      2.5 s
                                          1.5 s       1.4 s       1.6 s
                                          0.1 s       0.05 s      0.2 s

slow                                          100             1      2.5 s
                                         1.25e+00 s   1.2 s       1.3 s
                                          0.1 s       0.05 s      0.2 s
";
        let run = parse(text).unwrap();
        assert_eq!(
            metric(&run, "slow", "time").data,
            Data::Samples(vec![1.5e9, 1.25e9])
        );
    }

    #[test]
    fn fails_on_truncated_blocks_and_bad_numbers() {
        let header = "benchmark name    samples    iterations    estimated\n    mean    low mean    high mean\n    std dev    low std dev    high std dev\n----------------------------------------\n";
        let e = err(&format!("{header}fib    100    20    7.48 ms"));
        assert_eq!(e.line, Some(5));
        assert!(e.message.contains("ends before the mean line"), "{e}");
        let e = err(&format!("{header}fib    100    20    7.48 ms\n\n"));
        assert_eq!(e.line, Some(5));
        assert!(e.message.contains("expected a line with mean"), "{e}");
        let e = err(&format!(
            "{header}fib    100    20    7.48 ms\n    3.7 us    3.7 us\n"
        ));
        assert_eq!(e.line, Some(6));
        assert!(
            e.message.contains("expected mean, low mean, high mean"),
            "{e}"
        );
        let e = err(&format!(
            "{header}fib    100    20    7.48 ms\n    3.x us    3.7 us   3.9 us\n"
        ));
        assert_eq!(e.line, Some(6));
        let e = err(&format!("{header}fib    100    2x0    7.48 ms\n"));
        assert!(e.message.contains("number of iterations"), "{e}");
        let e = err(&format!(
            "{header}fib    100    20    7.48 ms\n    -3 us    3.7 us   3.9 us\n"
        ));
        assert!(e.message.contains("negative"), "{e}");
    }

    #[test]
    fn fails_when_there_are_no_results() {
        for text in [
            "",
            "Catch2_bench is a Catch v2.11.0 host application.\n===============\ntest cases: 1 | 1 passed\n",
            "benchmark name    samples    iterations    estimated\n",
        ] {
            let e = err(text);
            assert_eq!(e.line, None);
            assert!(e.message.contains("no Catch2 benchmark results"), "{e}");
        }
    }

    #[test]
    fn detects_catch2_tables_only() {
        for text in [V2, V3, ISSUE_351, WINDOWS] {
            assert!(looks_like(text));
        }
        for other in [
            include_str!("../../tests/fixtures/criterion-text/criterion-many.txt"),
            include_str!("../../tests/fixtures/libtest/issue_390.txt"),
            include_str!("../../tests/fixtures/ruby/ruby-bm-five.txt"),
            include_str!("../../tests/fixtures/go/suffixarray.bench"),
        ] {
            assert!(!looks_like(other));
        }
    }
}
