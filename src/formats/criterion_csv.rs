//! criterion.rs `raw.csv` (criterion up to 0.3; later behind the `csv_output` feature): one row
//! per sample. Two headers exist:
//! `group,function,value,sample_time_nanos,iteration_count` (≤ 0.3.3) and
//! `group,function,value,throughput_num,throughput_type,sample_measured_value,unit,iteration_count`
//! (≥ 0.3.4). The per-iteration time of a sample is its measured value over its iteration count;
//! the samples of one benchmark (`group/function/value`, empty parts left out) become `time`
//! samples. Detected by either header as the first non-blank line.
//!
//! Every row must have every column, and end with a line break, as criterion's CSV writer ends
//! each: a file whose last row has none was cut, and its last cell (the iteration count) may be
//! the start of a longer number.

use super::common::text::refuse_cut;
use super::spec::{Detect, ParseError, Spec};
use crate::model::{Benchmarks, Data, Metric, Run, RunMeta, Unit};

/// How `criterion-csv` is named, detected and read.
pub const SPEC: Spec = Spec {
    name: "criterion-csv",
    aliases: &[],
    reads: "criterion.rs raw.csv (criterion 0.3, or the csv_output feature)",
    detected_by: "a first line `group,function,value,sample_time_nanos,iteration_count` (or the newer raw.csv header)",
    detect: &[Detect::Lines(looks_like)],
    parse,
};

const OLD_HEADER: &str = "group,function,value,sample_time_nanos,iteration_count";
const NEW_HEADER: &str =
    "group,function,value,throughput_num,throughput_type,sample_measured_value,unit,iteration_count";

/// True when the first non-blank line is one of criterion's `raw.csv` headers.
pub fn looks_like(text: &str) -> bool {
    text.lines()
        .map(|l| l.trim().trim_start_matches('\u{feff}'))
        .find(|l| !l.is_empty())
        .is_some_and(|l| l == OLD_HEADER || l == NEW_HEADER)
}

/// Parses a criterion `raw.csv`; see the module documentation.
pub fn parse(text: &str) -> Result<Run, ParseError> {
    // Every row ends with a line break, and the last cell is a number that a cut file may hold
    // the start of: a row without one is refused.
    refuse_cut(text, "criterion's CSV writer", read(text), |_| true)
}

fn read(text: &str) -> Result<Run, ParseError> {
    let mut lines = super::common::text::clean_lines(text).filter(|(_, l)| !l.trim().is_empty());
    let Some((_, header)) = lines.next() else {
        return Err(ParseError::whole(
            "the input is empty: expected criterion's raw.csv",
        ));
    };
    // Column positions of the measured value, its unit (new layout) and the iteration count.
    let (value_col, unit_col, iters_col, width) = match header.trim() {
        OLD_HEADER => (3, None, 4, 5),
        NEW_HEADER => (5, Some(6), 7, 8),
        other => {
            return Err(ParseError::at(
                1,
                format!("expected a criterion raw.csv header (`{OLD_HEADER}`), found `{other}`"),
            ))
        }
    };
    let mut benchmarks = Benchmarks::default();
    for (n, line) in lines {
        let cells: Vec<&str> = line.split(',').map(str::trim).collect();
        if cells.len() != width {
            return Err(ParseError::at(
                n,
                format!(
                    "expected {width} comma-separated fields, found {}",
                    cells.len()
                ),
            ));
        }
        let cell = |i: usize| cells.get(i).copied().unwrap_or_default();
        let measured: f64 = cell(value_col).parse().map_err(|_| {
            ParseError::at(
                n,
                format!("the measured value `{}` is not a number", cell(value_col)),
            )
        })?;
        let iters: f64 = cell(iters_col).parse().map_err(|_| {
            ParseError::at(
                n,
                format!("the iteration count `{}` is not a number", cell(iters_col)),
            )
        })?;
        if !measured.is_finite() || measured < 0.0 || !iters.is_finite() || iters <= 0.0 {
            return Err(ParseError::at(
                n,
                "expected a non-negative measured value and a positive iteration count",
            ));
        }
        let (unit, factor) = match unit_col.map(cell) {
            Some(u) if !u.is_empty() => Unit::parse(u),
            _ => (Unit::Nanoseconds, 1.0),
        };
        let name = [cell(0), cell(1), cell(2)]
            .into_iter()
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join("/");
        if name.is_empty() {
            return Err(ParseError::at(
                n,
                "a row has no group, function or value to name it",
            ));
        }
        let metric = Metric::new("time", unit, Data::Value(measured * factor / iters));
        benchmarks.add(name, [metric]);
    }
    if benchmarks.is_empty() {
        return Err(ParseError::whole(
            "no samples found: expected rows after criterion's raw.csv header",
        ));
    }
    Ok(Run::new(
        RunMeta {
            tool: Some("criterion".into()),
            ..RunMeta::default()
        },
        benchmarks.into_vec(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::common::text::CUT;

    const RAW: &str = include_str!("../../tests/fixtures/criterion-csv/raw.csv");

    #[test]
    fn reads_every_sample_as_a_per_iteration_time() {
        let run = parse(RAW).unwrap();
        assert_eq!(run.benchmarks.len(), 1);
        let b = &run.benchmarks[0];
        assert_eq!(b.name, "Fibonacci2/Iterative/20");
        let m = b.metric("time").unwrap();
        assert_eq!(m.unit, Unit::Nanoseconds);
        let Data::Samples(s) = &m.data else {
            panic!("{:?}", m.data)
        };
        assert_eq!(s.len(), 100);
        assert_eq!(s[0], 1166000.0 / 208873.0);
        assert_eq!(s[99], 4.584795545618629);
    }

    #[test]
    fn reads_the_newer_header_with_its_unit() {
        let text = "group,function,value,throughput_num,throughput_type,sample_measured_value,unit,iteration_count\n\
                    parse,json,,,,2000,ns,10\nparse,json,,,,4000,ns,20\n";
        let run = parse(text).unwrap();
        assert_eq!(run.benchmarks[0].name, "parse/json");
        assert_eq!(
            run.benchmarks[0].metrics[0].data,
            Data::Samples(vec![200.0, 200.0])
        );
    }

    #[test]
    fn refuses_bad_rows_with_their_line() {
        let e = parse(&format!("{OLD_HEADER}\na,b,1,x,3\n")).unwrap_err();
        assert_eq!(e.line, Some(2));
        assert!(e.message.contains("not a number"), "{e}");
        let e = parse(&format!("{OLD_HEADER}\na,b,1,3\n")).unwrap_err();
        assert!(e.message.contains("5 comma-separated fields"), "{e}");
        let e = parse(&format!("{OLD_HEADER}\na,b,1,3,0\n")).unwrap_err();
        assert!(e.message.contains("positive iteration count"), "{e}");
        assert!(parse(OLD_HEADER)
            .unwrap_err()
            .message
            .contains("no samples"));
        assert!(parse("").is_err());
    }

    /// A file cut inside the last row's iteration count (`18` of `18380824`) gave a sample a
    /// million times too slow.
    #[test]
    fn refuses_a_file_cut_inside_its_last_row() {
        let at = RAW.rfind("20887300").unwrap();
        for cut in [RAW.get(..at + 2).unwrap(), RAW.trim_end()] {
            let e = parse(cut).unwrap_err();
            assert_eq!(e.line, Some(101));
            assert!(
                e.message
                    .starts_with(&format!("{CUT}: `Fibonacci2,Iterative,20,95764000,")),
                "{e}"
            );
            assert!(
                e.message.contains(
                    "has no line break after it, and criterion's CSV writer ends every line with one"
                ),
                "{e}"
            );
        }
        // Cut before the last cell: the row's own error says so, as a cut.
        let e = parse(RAW.get(..at).unwrap()).unwrap_err();
        assert_eq!(e.line, Some(101));
        assert_eq!(
            e.message,
            format!("{CUT} (the iteration count `` is not a number)")
        );
        let e = parse(RAW.get(..at - 1).unwrap()).unwrap_err();
        assert_eq!(e.line, Some(101));
        assert_eq!(
            e.message,
            format!("{CUT} (expected 5 comma-separated fields, found 4)")
        );
    }

    #[test]
    fn detects_only_its_headers() {
        assert!(looks_like(RAW));
        assert!(!looks_like("Type,Name,Request Count\n"));
        assert!(!looks_like("BenchmarkA 1 2 ns/op\n"));
    }
}
