//! Ruby's standard `Benchmark` library reports (`Benchmark.bm`, `Benchmark.bmbm`,
//! `Benchmark.benchmark` with `Benchmark::CAPTION`): a header `user  system  total  real`, then
//! rows `<label> <user> <system> <total> (<real>)` in seconds.
//!
//! Detection: a header line whose words are `user system total real`, and a row below it.
//!
//! Each row gives `time` = the real (wall-clock) time, plus `user` and `system` CPU time, all in
//! nanoseconds (`total` is their sum and is not kept). `bmbm`'s `Rehearsal ---` block, up to its
//! `total: N.NNsec` line, is a warm-up and is skipped; so are report rows whose label starts with
//! `>` (`>total:`, `>avg:`, sums over the other rows). Labels are kept as written (`for:`); an
//! unlabelled row is named `#<n>` by its position in the table. Repeated labels pool into samples.

use super::common::text::{clean_lines, parse_number, raw_lines, split_tail};
use super::common::S_TO_NS;
use super::spec::{Detect, ParseError, Spec};
use crate::model::{Benchmarks, Data, Metric, Run, RunMeta, Unit};

/// How `ruby` is named, detected and read.
pub const SPEC: Spec = Spec {
    name: "ruby",
    aliases: &[],
    reads: "Ruby Benchmark.bm / Benchmark.bmbm text",
    detected_by: "a `user system total real` header",
    detect: &[Detect::Lines(looks_like)],
    parse,
};

/// True when a `user system total real` header is followed by a report row.
pub fn looks_like(text: &str) -> bool {
    let mut header = false;
    for line in raw_lines(text) {
        if is_header(line) {
            header = true;
        } else if header && row_shape(line).is_some() {
            return true;
        }
    }
    false
}

fn is_header(line: &str) -> bool {
    line.split_whitespace()
        .eq(["user", "system", "total", "real"])
}

/// `(label, user, system, total, real)` texts of a row; `None` unless the line ends with a
/// parenthesised number.
fn row_shape(line: &str) -> Option<(&str, [&str; 3], &str)> {
    let body = line.trim_end().strip_suffix(')')?;
    let (before, real) = body.rsplit_once('(')?;
    let real = real.trim();
    parse_number(real)?;
    let (label, tail) = split_tail(before, 3)?;
    let [user, system, total] = <[&str; 3]>::try_from(tail).ok()?;
    Some((label.trim(), [user, system, total], real))
}

/// Parses a Ruby Benchmark report; see the module documentation.
pub fn parse(text: &str) -> Result<Run, ParseError> {
    let mut benchmarks = Benchmarks::default();
    let mut in_rehearsal = false;
    let mut in_table = false;
    let mut position = 0;
    for (no, line) in clean_lines(text) {
        let trimmed = line.trim();
        if trimmed.starts_with("Rehearsal -") {
            in_rehearsal = true;
            continue;
        }
        if in_rehearsal {
            if trimmed.contains("total:") && trimmed.ends_with("sec") {
                in_rehearsal = false;
            }
            continue;
        }
        if is_header(&line) {
            in_table = true;
            position = 0;
            continue;
        }
        if !in_table {
            continue;
        }
        let Some((label, cpu, real)) = row_shape(&line) else {
            continue;
        };
        position += 1;
        if label.starts_with('>') {
            continue;
        }
        let name = if label.is_empty() {
            format!("#{position}")
        } else {
            label.to_string()
        };
        let seconds = |what: &str, v: &str| -> Result<f64, ParseError> {
            match parse_number(v) {
                Some(x) if x >= 0.0 => Ok(x * S_TO_NS),
                _ => Err(ParseError::at(
                    no,
                    format!("`{name}`: expected the {what} time in seconds, found `{v}`"),
                )),
            }
        };
        let [user, system, total] = cpu;
        let real = seconds("real", real)?;
        let user = seconds("user", user)?;
        let system = seconds("system", system)?;
        seconds("total", total)?;
        let metrics = [
            Metric::new("time", Unit::Nanoseconds, Data::Value(real)),
            Metric::new("user", Unit::Nanoseconds, Data::Value(user)),
            Metric::new("system", Unit::Nanoseconds, Data::Value(system)),
        ];
        benchmarks.add(name, metrics);
    }
    if benchmarks.is_empty() {
        return Err(ParseError::whole(
            "no Ruby Benchmark results found: expected a `user  system  total  real` header \
             followed by rows like `sort   1.460000   0.000000   1.460000 (  1.460465)`",
        ));
    }
    let meta = RunMeta {
        tool: Some("ruby".to_string()),
        ..RunMeta::default()
    };
    Ok(Run::new(meta, benchmarks.into_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::test_support::names;
    use crate::model::Direction;

    const BMBM: &str = include_str!("../../tests/fixtures/ruby/ruby-bmbm-two.txt");
    const BM: &str = include_str!("../../tests/fixtures/ruby/ruby-bm-five.txt");

    fn value(run: &Run, bench: &str, name: &str) -> f64 {
        let m = run
            .benchmark(bench)
            .unwrap_or_else(|| panic!("no benchmark `{bench}`"))
            .metric(name)
            .unwrap_or_else(|| panic!("no `{name}` in `{bench}`"));
        assert_eq!(m.unit, Unit::Nanoseconds);
        assert_eq!(m.direction, Direction::LowerIsBetter);
        match m.data {
            Data::Value(v) => v,
            ref other => panic!("`{bench}` `{name}` is not a value: {other:?}"),
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-3
    }

    fn err(text: &str) -> ParseError {
        parse(text).unwrap_err()
    }

    #[test]
    fn skips_the_bmbm_rehearsal() {
        let run = parse(BMBM).unwrap();
        assert_eq!(run.meta.tool.as_deref(), Some("ruby"));
        assert_eq!(names(&run), ["sort!", "sort"]);
        assert!(close(value(&run, "sort!", "time"), 1_460_465_000.0));
        assert!(close(value(&run, "sort!", "user"), 1_460_000_000.0));
        assert!(close(value(&run, "sort!", "system"), 0.0));
        assert!(close(value(&run, "sort", "time"), 1_448_327_000.0));
        assert!(close(value(&run, "sort", "system"), 10_000_000.0));
        for b in &run.benchmarks {
            let metrics: Vec<&str> = b.metrics.iter().map(|m| m.name.as_str()).collect();
            assert_eq!(metrics, ["time", "user", "system"]);
            assert!(b.metrics.iter().all(|m| m.data.n() == 1), "rehearsal kept");
        }
        insta::assert_json_snapshot!("ruby_bmbm_two", run);
    }

    #[test]
    fn skips_total_and_average_report_rows() {
        let run = parse(BM).unwrap();
        assert_eq!(names(&run), ["for:", "times:", "upto:"]);
        assert!(close(value(&run, "for:", "time"), 952_039_000.0));
        assert!(close(value(&run, "times:", "time"), 984_938_000.0));
        assert!(close(value(&run, "upto:", "time"), 946_787_000.0));
        assert!(close(value(&run, "upto:", "user"), 950_000_000.0));
        assert_eq!(run.metric_count(), 9);
    }

    #[test]
    fn names_unlabelled_rows_by_position_and_pools_repeats() {
        let text = "      user     system      total        real\n\
                    \x20  0.100000   0.000000   0.100000 (  0.100000)\n\
                    a   0.200000   0.000000   0.200000 (  0.210000)\r\n\
                    a   0.200000   0.000000   0.200000 (  0.230000)\n";
        let run = parse(text).unwrap();
        assert_eq!(names(&run), ["#1", "a"]);
        assert_eq!(
            run.benchmark("a").unwrap().metric("time").unwrap().data,
            Data::Samples(vec![210_000_000.0, 230_000_000.0])
        );
    }

    #[test]
    fn fails_on_bad_numbers_naming_the_line() {
        let e = err("   user     system      total        real\nsort   1.46 x.00 1.46 (  1.46)\n");
        assert_eq!(e.line, Some(2));
        assert!(
            e.message
                .contains("`sort`: expected the system time in seconds, found `x.00`"),
            "{e}"
        );
        let e = err("   user     system      total        real\nsort   -1.46 0.00 1.46 (  1.46)\n");
        assert!(e.message.contains("user time"), "{e}");
    }

    #[test]
    fn fails_when_there_are_no_results() {
        for text in [
            "",
            "      user     system      total        real\n",
            "Rehearsal ---------\nsort!   1.490000   0.010000   1.500000 (  1.490520)\n",
            "sort   1.46 0.00 1.46 (  1.46)\n",
        ] {
            let e = err(text);
            assert_eq!(e.line, None);
            assert!(e.message.contains("no Ruby Benchmark results"), "{e}");
        }
    }

    #[test]
    fn detects_ruby_reports_only() {
        assert!(looks_like(BMBM));
        assert!(looks_like(BM));
        for other in [
            include_str!("../../tests/fixtures/catch2/catch2_output_v2.txt"),
            include_str!("../../tests/fixtures/libtest/failed.txt"),
            include_str!("../../tests/fixtures/benchmarkjs/benchmarkjs_four.txt"),
            include_str!("../../tests/fixtures/go/benchstat-testdata-old.txt"),
            "      user     system      total        real\n",
        ] {
            assert!(!looks_like(other));
        }
    }
}
