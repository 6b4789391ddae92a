//! criterion.rs human-readable output, as `cargo bench` prints it (criterion 0.2 to 0.5 and
//! cargo-criterion): per benchmark `<id> time: [<low> <est> <high>]`, optionally followed by
//! `thrpt: [...]`. The id moves to its own line above an indented `time:` when it is longer than
//! 23 characters.
//!
//! Detection: some line holds `time:` followed by `[` and three `<number> <time unit>` pairs.
//!
//! `time` is the middle value, the point estimate (slope for linear sampling, mean otherwise),
//! converted to nanoseconds; `throughput` is the middle value of `thrpt:` (`elem/s` family ->
//! per second, `B/s`, `KiB/s`, `MB/s`... -> bytes per second). The bracket bounds are criterion's
//! bootstrap confidence interval of the estimate (95% unless the bench set `confidence_level`,
//! which the output does not show), not observations: they are kept as the metric's
//! [`ConfidenceInterval`], each bound in its own unit (criterion picks one per number, as in
//! `[999.87 µs 1.0001 ms 1.0003 ms]`), and left out when a bound is in another kind of unit or
//! negative. `thrpt:` is computed from the time, so its low bound comes from the time's high one:
//! criterion prints it in ascending order all the same. `change:` blocks (whose `time:` and
//! `thrpt:` hold percentages), `Benchmarking ...` progress lines, warnings, outlier reports and the
//! libtest lines of the same `cargo bench` are skipped. `µs` and `μs` are both read, and so is the
//! U+2212 minus. An id seen under two cargo `Running <target>` lines is qualified as
//! `<target>::<id>`; repeats under one target pool into samples, without the intervals.

use super::common::cargo::{assemble, cargo_target, qualify_with_target, Result1};
use super::common::text::{clean_lines, excerpt, parse_number, snake_case, strip_ansi};
use super::spec::{Detect, ParseError, Spec};
use crate::model::{ConfidenceInterval, Data, Metric, Run, RunMeta, Unit};

/// How `criterion-text` is named, detected and read.
pub const SPEC: Spec = Spec {
    name: "criterion-text",
    aliases: &[],
    reads: "criterion.rs terminal output",
    detected_by: "lines `<id> time: [<low> <est> <high>]`",
    detect: &[Detect::Lines(looks_like)],
    parse,
};

/// True when some line holds a `time: [<n> <unit> <n> <unit> <n> <unit>]` estimate in a time unit.
pub fn looks_like(text: &str) -> bool {
    text.split('\n').any(|raw| {
        if !raw.contains("time:") {
            return false;
        }
        let line = visible(&strip_ansi(raw.trim_end_matches('\r')));
        stat(&line, "time:").is_some_and(|(_, inside)| {
            let t: Vec<&str> = inside.split_whitespace().collect();
            t.len() == 6
                && t.chunks(2).all(|p| {
                    p.first().and_then(|v| parse_number(v)).is_some()
                        && p.get(1)
                            .is_some_and(|u| Unit::parse(u).0 == Unit::Nanoseconds)
                })
        })
    })
}

/// Parses criterion.rs terminal output; see the module documentation.
pub fn parse(text: &str) -> Result<Run, ParseError> {
    let mut target: Option<String> = None;
    let mut results: Vec<Result1> = Vec::new();
    // Index in `results` of the benchmark a `thrpt:` line belongs to.
    let mut current: Option<usize> = None;
    let mut previous: Option<String> = None;
    for (no, raw) in clean_lines(text) {
        let line = visible(&raw);
        if let Some(t) = cargo_target(&line) {
            target = Some(t);
            current = None;
            previous = None;
            continue;
        }
        if let Some((left, inside)) = stat(&line, "time:") {
            if is_change(inside) {
                continue;
            }
            let id = if left.trim().is_empty() {
                // A long id is printed on the line above.
                match previous.as_deref() {
                    Some(p) => p.to_string(),
                    None => return Err(ParseError::at(
                        no,
                        "found `time: [...]` without a benchmark id on this line or the line above",
                    )),
                }
            } else {
                left.trim().to_string()
            };
            let [low, (value, unit), high] = bracket(no, &id, "time", inside)?;
            let (kind, factor) = Unit::parse(unit);
            let metric = if kind == Unit::Nanoseconds {
                "time".to_string()
            } else {
                // Custom measurements (cycles, instructions) print their own units.
                snake_case(unit)
            };
            let v = value * factor;
            if v < 0.0 {
                return Err(ParseError::at(
                    no,
                    format!("`{id}`: the time estimate `{value} {unit}` is negative"),
                ));
            }
            let interval = interval(low, high, &kind);
            results.push(Result1 {
                target: target.clone(),
                name: id,
                metrics: vec![Metric::new(metric, kind, Data::Value(v)).with_interval(interval)],
            });
            current = Some(results.len() - 1);
            previous = None;
            continue;
        }
        if let Some((_, inside)) = stat(&line, "thrpt:") {
            if is_change(inside) {
                continue;
            }
            let Some(r) = current.and_then(|i| results.get_mut(i)) else {
                return Err(ParseError::at(
                    no,
                    "found `thrpt: [...]` that follows no `time: [...]` line",
                ));
            };
            let [low, (value, unit), high] = bracket(no, &r.name, "thrpt", inside)?;
            let (kind, factor) = Unit::parse(unit);
            if !matches!(kind, Unit::PerSecond | Unit::BytesPerSecond) {
                return Err(ParseError::at(
                    no,
                    format!(
                        "`{}`: expected a rate such as `12.5 Melem/s` or `1.2 GiB/s` in `thrpt:`, found `{unit}`",
                        r.name
                    ),
                ));
            }
            let interval = interval(low, high, &kind);
            r.metrics.push(
                Metric::new("throughput", kind, Data::Value(value * factor))
                    .with_interval(interval),
            );
            continue;
        }
        let trimmed = line.trim();
        if !trimmed.is_empty() {
            previous = Some(trimmed.to_string());
        }
    }
    if results.is_empty() {
        return Err(ParseError::whole(
            "no criterion results found: expected lines like \
             `fib 20                  time:   [26.029 µs 26.251 µs 26.505 µs]` from `cargo bench`",
        ));
    }
    let meta = RunMeta {
        tool: Some("criterion-text".to_string()),
        ..RunMeta::default()
    };
    Ok(Run::new(meta, assemble(results, qualify_with_target)))
}

/// What a terminal shows of a line that was overwritten with `\r` (progress lines).
fn visible(line: &str) -> String {
    line.rsplit('\r').next().unwrap_or(line).to_string()
}

/// Splits `<left><ws>label<ws>[<inside>]...` at the last `label` that starts a word and is followed
/// by `[`, returning the left part and the bracket contents.
///
/// Linear in the line: the labels are tried from the right, and each one's `]` is searched for only
/// up to where the search for the label after it began (beyond that, the first `]` is already
/// known). Searching the rest of the line once per label took minutes on one line of a million
/// `time: [`.
fn stat<'a>(line: &'a str, label: &str) -> Option<(&'a str, &'a str)> {
    // Where the last bracket tried opened, and the first `]` at or after it.
    let mut searched_from = line.len();
    let mut first_close: Option<usize> = None;
    for (i, _) in line.rmatch_indices(label) {
        let Some(left) = line.get(..i) else {
            continue;
        };
        if !(left.is_empty() || left.ends_with(char::is_whitespace)) {
            continue;
        }
        let Some(inside) = line
            .get(i + label.len()..)
            .and_then(|after| after.trim_start().strip_prefix('['))
        else {
            continue;
        };
        let open = line.len() - inside.len();
        let close = match line
            .get(open..searched_from.max(open))
            .and_then(|s| s.find(']'))
        {
            Some(j) => Some(open + j),
            None => first_close,
        };
        searched_from = open;
        first_close = close;
        if let Some(inside) = close.and_then(|c| line.get(open..c)) {
            return Some((left, inside));
        }
    }
    None
}

/// The `time:` and `thrpt:` lines of a `change:` block hold percentages.
fn is_change(inside: &str) -> bool {
    inside.contains('%')
}

/// The three `<number> <unit>` pairs of `<low> <unit> <est> <unit> <high> <unit>`.
fn bracket<'a>(
    no: usize,
    id: &str,
    label: &str,
    inside: &'a str,
) -> Result<[(f64, &'a str); 3], ParseError> {
    let t: Vec<&str> = inside.split_whitespace().collect();
    let expected = || {
        ParseError::at(
            no,
            format!(
                "`{id}`: expected `{label}: [<low> <unit> <estimate> <unit> <high> <unit>]`, found `[{}]`",
                excerpt(inside, 80)
            ),
        )
    };
    if t.len() != 6 {
        return Err(expected());
    }
    let mut out = [(0.0, ""); 3];
    for (slot, pair) in out.iter_mut().zip(t.chunks(2)) {
        let (Some(number), Some(unit)) = (pair.first(), pair.get(1)) else {
            return Err(expected());
        };
        let Some(v) = parse_number(number) else {
            return Err(ParseError::at(
                no,
                format!(
                    "`{id}`: expected numbers in `{label}: [{}]`, found `{}`",
                    excerpt(inside, 80),
                    excerpt(number, 40)
                ),
            ));
        };
        *slot = (v, unit);
    }
    Ok(out)
}

/// The confidence level of criterion's intervals: its default `confidence_level`, which the
/// terminal output does not print.
const CRITERION_CONFIDENCE: f64 = 0.95;

/// The bracket's bounds as the estimate's interval, in the canonical unit of `kind`; None when a
/// bound is in another kind of unit than the estimate, or negative (no interval of a time or a
/// rate).
fn interval(low: (f64, &str), high: (f64, &str), kind: &Unit) -> Option<ConfidenceInterval> {
    let canonical = |(v, unit): (f64, &str)| {
        let (k, factor) = Unit::parse(unit);
        let v = v * factor;
        (k == *kind && v.is_finite() && v >= 0.0).then_some(v)
    };
    let (a, b) = (canonical(low)?, canonical(high)?);
    Some(ConfidenceInterval {
        lo: a.min(b),
        hi: a.max(b),
        confidence: CRITERION_CONFIDENCE,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::test_support::{metric, names, value};
    use crate::model::Direction;

    const MANY: &str = include_str!("../../tests/fixtures/criterion-text/criterion-many.txt");
    const DOGFOOD: &str = include_str!("../../tests/fixtures/criterion-text/criterion-dogfood.txt");
    const QUIET_RUN1: &str = include_str!("../../tests/fixtures/reruns/quiet/criterion/run1.txt");

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * b.abs().max(1.0)
    }

    fn err(text: &str) -> ParseError {
        parse(text).unwrap_err()
    }

    #[test]
    fn reads_point_estimates_in_picoseconds_and_microseconds() {
        let run = parse(MANY).unwrap();
        assert_eq!(run.meta.tool.as_deref(), Some("criterion-text"));
        assert_eq!(
            names(&run),
            [
                "file",
                "rolling_file",
                "tracing_file",
                "tracing_rolling_file",
                "benchmark: name with spaces"
            ]
        );
        assert!(close(value(&run, "file", "time"), 0.32390));
        assert!(close(value(&run, "rolling_file", "time"), 0.42966));
        assert!(close(value(&run, "tracing_file", "time"), 18019.0));
        assert!(close(value(&run, "tracing_rolling_file", "time"), 20930.0));
        assert!(close(
            value(&run, "benchmark: name with spaces", "time"),
            20.930
        ));
        for b in &run.benchmarks {
            assert_eq!(b.metrics.len(), 1, "{}", b.name);
            let t = metric(&run, &b.name, "time");
            assert_eq!(t.unit, Unit::Nanoseconds);
            assert_eq!(t.direction, Direction::LowerIsBetter);
        }
        insta::assert_json_snapshot!("criterion_many", run);
    }

    #[test]
    fn reads_ids_wrapped_onto_their_own_line() {
        let run = parse(DOGFOOD).unwrap();
        assert_eq!(
            names(&run),
            [
                "Adapter::Magic (JSON)",
                "Adapter::Json",
                "Adapter::Magic (Rust)",
                "Adapter::Rust"
            ]
        );
        assert!(close(value(&run, "Adapter::Magic (JSON)", "time"), 3463.2));
        assert!(close(value(&run, "Adapter::Json", "time"), 3479.6));
        assert!(close(value(&run, "Adapter::Magic (Rust)", "time"), 14726.0));
        assert!(close(value(&run, "Adapter::Rust", "time"), 14884.0));
        assert_eq!(run.metric_count(), 4);
        insta::assert_json_snapshot!("criterion_dogfood", run);
    }

    #[test]
    fn reads_throughput_and_skips_change_blocks_with_percentages() {
        let text = "\
Benchmarking group/parse: Analyzing
group/parse             time:   [1.0 ms 1.5 ms 2.0 ms]
                        thrpt:  [10.0 MiB/s 13.3 MiB/s 20.0 MiB/s]
                 change:
                        time:   [\u{2212}1.0% +0.5% +2.0%] (p = 0.50 > 0.05)
                        thrpt:  [\u{2212}2.0% \u{2212}0.5% +1.0%]
                        No change in performance detected.
group/elems             time:   [100 ns 120 ns 130 ns]
                        thrpt:  [7.6 Melem/s 8.3 Melem/s 10.0 Melem/s]
";
        let run = parse(text).unwrap();
        assert_eq!(names(&run), ["group/parse", "group/elems"]);
        assert_eq!(value(&run, "group/parse", "time"), 1.5e6);
        let tp = metric(&run, "group/parse", "throughput");
        assert_eq!(tp.unit, Unit::BytesPerSecond);
        assert_eq!(tp.direction, Direction::HigherIsBetter);
        assert!(close(
            value(&run, "group/parse", "throughput"),
            13.3 * 1048576.0
        ));
        let tp = metric(&run, "group/elems", "throughput");
        assert_eq!(tp.unit, Unit::PerSecond);
        assert!(close(value(&run, "group/elems", "throughput"), 8.3e6));
    }

    #[test]
    fn keeps_the_confidence_interval_of_every_estimate() {
        let run = parse(QUIET_RUN1).unwrap();
        let ci = |bench: &str, name: &str| {
            let i = metric(&run, bench, name).interval.unwrap();
            (i.lo, i.hi, i.confidence)
        };
        let mib = 1048576.0;
        // `fib_20  time: [20.080 µs 20.271 µs 20.515 µs]` and so on, in nanoseconds.
        let expected = [
            ("fib_20", "time", 20_080.0, 20_515.0),
            ("sort_1k", "time", 7_611.1, 7_626.0),
            ("sort_100k", "time", 1_544_100.0, 1_547_000.0),
            ("hashmap_insert_10k", "time", 365_290.0, 365_940.0),
            ("string_build_1k", "time", 20_087.0, 20_164.0),
            ("hash/fnv1a_64k", "time", 87_991.0, 88_162.0),
            // `thrpt: [708.92 MiB/s 709.54 MiB/s 710.30 MiB/s]`: the low rate is the high time's.
            ("hash/fnv1a_64k", "throughput", 708.92 * mib, 710.30 * mib),
            ("count_words_5k", "time", 119_880.0, 121_510.0),
            ("sum_squares_10k", "time", 6_649.5, 6_676.1),
        ];
        assert_eq!(run.metric_count(), expected.len());
        for (bench, name, lo, hi) in expected {
            let (l, h, confidence) = ci(bench, name);
            assert!(close(l, lo) && close(h, hi), "{bench} {name}: [{l} {h}]");
            assert_eq!(confidence, 0.95);
            let v = value(&run, bench, name);
            assert!(l < v && v < h, "{bench} {name}: {v} outside [{l} {h}]");
        }
        // The time's high bound is the rate's low one: 64 KiB in 88.162 µs.
        assert!((65536.0 / 88_162e-9 / (708.92 * mib) - 1.0).abs() < 1e-4);
    }

    #[test]
    fn reads_each_bound_in_its_own_unit_and_drops_an_interval_of_another_kind() {
        let run = parse(
            "\
a                       time:   [999.87 \u{b5}s 1.0001 ms 1.0003 ms]
b                       time:   [1.0 ns 2.0 cycles 3.0 ns]
c                       time:   [-1.0 ns 2.0 ns 3.0 ns]
",
        )
        .unwrap();
        let a = metric(&run, "a", "time");
        assert_eq!(a.data, Data::Value(1_000_100.0));
        let i = a.interval.unwrap();
        assert!(close(i.lo, 999_870.0) && close(i.hi, 1_000_300.0), "{i:?}");
        assert_eq!(metric(&run, "b", "cycles").interval, None);
        assert_eq!(metric(&run, "c", "time").interval, None);
    }

    #[test]
    fn reads_greek_mu_seconds_colours_and_overwritten_progress_lines() {
        let text = "Benchmarking a: Analyzing\ra                       time:   [1.0 \u{3bc}s \u{1b}[1m2.0 \u{3bc}s\u{1b}[0m 3.0 \u{3bc}s]\r\n";
        let run = parse(text).unwrap();
        assert_eq!(names(&run), ["a"]);
        assert_eq!(value(&run, "a", "time"), 2000.0);
        assert!(looks_like(text));
    }

    #[test]
    fn names_custom_measurement_units_after_the_unit() {
        let run =
            parse("hash                    time:   [10 cycles 12 cycles 14 cycles]\n").unwrap();
        let m = metric(&run, "hash", "cycles");
        assert_eq!(m.unit, Unit::Count);
        assert_eq!(m.data, Data::Value(12.0));
    }

    #[test]
    fn pools_repeats_and_qualifies_ids_of_two_bench_binaries() {
        let text = "\
     Running benches/a.rs (target/release/deps/a-0123abcd)
fib                     time:   [1 ns 2 ns 3 ns]
fib                     time:   [1 ns 4 ns 5 ns]
     Running benches/b.rs (target/release/deps/b-0123abcd)
fib                     time:   [1 ns 8 ns 9 ns]
";
        let run = parse(text).unwrap();
        assert_eq!(names(&run), ["a::fib", "b::fib"]);
        assert_eq!(
            metric(&run, "a::fib", "time").data,
            Data::Samples(vec![2.0, 4.0])
        );
        // Each interval described one estimate, not the pooled two.
        assert_eq!(metric(&run, "a::fib", "time").interval, None);
        assert!(metric(&run, "b::fib", "time").interval.is_some());
    }

    #[test]
    fn fails_on_truncated_or_malformed_estimates() {
        let e = err("fib                     time:   [1.0 ns 2.0 ns]\n");
        assert_eq!(e.line, Some(1));
        assert!(
            e.message
                .contains("expected `time: [<low> <unit> <estimate>"),
            "{e}"
        );
        let e = err("x\nfib                     time:   [1.0 ns abc ns 3.0 ns]\n");
        assert_eq!(e.line, Some(2));
        assert!(e.message.contains("found `abc`"), "{e}");
        let e = err("                        time:   [1.0 ns 2.0 ns 3.0 ns]\n");
        assert!(e.message.contains("without a benchmark id"), "{e}");
        let e = err("                        thrpt:  [1 B/s 2 B/s 3 B/s]\n");
        assert!(e.message.contains("follows no `time: [...]`"), "{e}");
        let e =
            err("f                       time:   [1 ns 2 ns 3 ns]\n  thrpt:  [1 ns 2 ns 3 ns]\n");
        assert_eq!(e.line, Some(2));
        assert!(e.message.contains("expected a rate"), "{e}");
        let e = err("f                       time:   [1 ns -2 ns 3 ns]\n");
        assert!(e.message.contains("negative"), "{e}");
    }

    /// Runs in moments when a line is read once; searching the rest of the line for `]` from each
    /// of the half a million labels took minutes (no timing is asserted: it would just hang).
    #[test]
    fn reads_a_four_megabyte_line_of_unclosed_labels_in_one_pass() {
        let line = format!("x{}", " time: [".repeat(500_000));
        assert_eq!(line.len(), 4_000_001);
        assert!(!looks_like(&line));
        let e = err(&line);
        assert_eq!(e.line, None);
        assert!(e.message.contains("no criterion results"), "{e}");
        // A bracket closed before the unclosed ones is still found, whatever follows it.
        let text = format!("fib time: [1 ns 2 ns 3 ns]{}\n", " time: [".repeat(500_000));
        assert!(looks_like(&text));
        let run = parse(&text).unwrap();
        assert_eq!(names(&run), ["fib"]);
        assert_eq!(value(&run, "fib", "time"), 2.0);
    }

    #[test]
    fn fails_when_there_are_no_results() {
        for text in [
            "",
            "Benchmarking fib: Warming up for 3.0000 s\n",
            "running 0 tests\n\ntest result: ok.\n",
        ] {
            let e = err(text);
            assert_eq!(e.line, None);
            assert!(e.message.contains("no criterion results"), "{e}");
        }
    }

    #[test]
    fn detects_criterion_text_only() {
        assert!(looks_like(MANY));
        assert!(looks_like(DOGFOOD));
        assert!(!looks_like(include_str!(
            "../../tests/fixtures/libtest/criterion_output.txt"
        )));
        assert!(!looks_like(include_str!(
            "../../tests/fixtures/libtest/issue_390.txt"
        )));
        assert!(!looks_like(include_str!(
            "../../tests/fixtures/catch2/catch2_output_v2.txt"
        )));
        assert!(!looks_like(include_str!(
            "../../tests/fixtures/go/suffixarray.bench"
        )));
        assert!(!looks_like(
            "                        time:   [-1.0% +0.5% +2.0%] (p = 0.50 > 0.05)\n"
        ));
    }
}
