//! Valgrind-based Rust benchmark text, in two dialects read by one parser:
//!
//! * bheisler/iai (`cargo bench` with `iai::main!`): a benchmark name line, then indented
//!   `  <Label>: <count>[ (<change>)]` lines (`Instructions`, `L1 Accesses`, `L2 Accesses`,
//!   `RAM Accesses`, `Estimated Cycles`).
//! * iai-callgrind / gungraun (`cargo bench` with `library_benchmark_group!`/`main!`): a header
//!   `<module::path> <id>:<args>` (the args may wrap onto further lines), optional tool headlines
//!   `======= CALLGRIND ====`, `DHAT`, `CACHEGRIND`, `MEMCHECK`..., and metric lines
//!   `  <Label>: <new>|<old> (<change>) [<factor>]` where `<old>` (or `<new>`) may be `N/A`.
//!   Long labels put the values on the next line; `--show-grid` indents with `| `.
//!
//! Detection: an indented `Instructions: <count>` line, a `<new>|<old>` metric line, or a tool
//! headline `======= <TOOL> ===`.
//!
//! Only the new value of a `new|old` pair is kept (a metric that is `N/A` in the new run is
//! absent). Metric names are the labels in snake_case (`instructions`, `l1_hits`, `ll_hits`,
//! `ram_hits`, `total_read_write`, `estimated_cycles`, `l1_accesses`, `dr`, `i1mr`,
//! `total_bytes`...), with [`Unit::Count`] and lower-is-better; DHAT `... bytes` labels are
//! [`Unit::Bytes`]; `... Rate` labels are percentages, stored as [`Unit::Ratio`]; a `[unit]`
//! suffix on a label (newer gungraun) is converted with [`Unit::parse`]. When a second tool of a
//! benchmark reports a label the first already did (Callgrind and Cachegrind both have
//! `Instructions`), the second is prefixed with the tool (`cachegrind_instructions`). Multi-process
//! runs shown with `--show-intermediate` keep only the `## Total` part; `Comparison with ...`
//! sections (`compare_by_id`) describe another benchmark and are skipped, as are `Regressions:`
//! summaries, the benchmarks' own output (up to `- end of stdout/stderr`) and libtest noise.
//!
//! Both tools end every line with a line break: a file that ends inside a benchmark's indented line
//! is refused as cut (`Instructions: 18` may be the start of `18454953`), unless the line ends
//! with a change `(...)` or a factor `[...]`, which show it whole.

use std::collections::{BTreeMap, HashMap};

use super::common::text::{
    clean_lines, parse_number, raw_lines, refuse_cut, snake_case, strip_ansi,
};
use super::spec::{Detect, ParseError, Spec};
use crate::model::{Benchmark, Data, Direction, Metric, Run, RunMeta, Unit};

/// How `iai` is named, detected and read.
pub const SPEC: Spec = Spec {
    name: "iai",
    aliases: &["iai-callgrind", "gungraun"],
    reads: "iai and iai-callgrind / gungraun text",
    detected_by: "lines `  Instructions: <n>` (with `|<old>` for iai-callgrind)",
    detect: &[Detect::Lines(looks_like)],
    parse,
};

/// The labels bheisler/iai prints.
const IAI_LABELS: &[&str] = &[
    "Instructions",
    "L1 Accesses",
    "L2 Accesses",
    "RAM Accesses",
    "Estimated Cycles",
];

/// Fields of iai-callgrind output that are not measurements.
const NON_METRIC_FIELDS: &[&str] = &["Baselines", "Command", "Details"];

/// True for an indented `Instructions: <count>`, an indented `<Label>: <new>|<old>` line, or a tool
/// headline.
pub fn looks_like(text: &str) -> bool {
    raw_lines(text).any(|raw| {
        if !(raw.starts_with("  ") || raw.starts_with('|') || raw.starts_with('\u{1b}')) {
            return false;
        }
        let line = strip_ansi(raw);
        let Some(inner) = indent_body(&line) else {
            return false;
        };
        if tool_headline(inner).is_some() {
            return true;
        }
        let Some((label, values)) = field(inner) else {
            return false;
        };
        let Some(token) = values.split_whitespace().next() else {
            return false;
        };
        match token.split_once('|') {
            Some((new, old)) => {
                (new == "N/A" || parse_number(new).is_some())
                    && (old.is_empty() || old == "N/A" || parse_number(old).is_some())
                    && !label.contains('|')
            }
            None => label == "Instructions" && token.chars().all(|c| c.is_ascii_digit()),
        }
    })
}

/// Per-benchmark parsing state while reading its indented lines.
struct Block {
    bench: usize,
    tool: String,
    /// Metric name -> the tool that reported it first, to prefix a second tool's duplicates.
    seen: BTreeMap<String, String>,
    /// In a `## pid: ...` part of a multi-process run, or a `Comparison with` section.
    skip: bool,
    in_comparison: bool,
    /// A label whose values wrapped onto the next line.
    pending_label: Option<String>,
}

/// Parses iai or iai-callgrind/gungraun output; see the module documentation.
pub fn parse(text: &str) -> Result<Run, ParseError> {
    refuse_cut(text, "iai", read(text), could_be_cut)
}

/// Whether a last line without its line break could be the start of a longer one: a benchmark's
/// indented line, unless it ends with the `)` of a change or the `]` of a factor. Its count may be
/// the start of a longer one (`Instructions: 18` of `18454953`), and iai ends every line it writes
/// with a line break.
fn could_be_cut(line: &str) -> bool {
    indent_body(line).is_some() && !line.trim_end().ends_with([')', ']'])
}

fn read(text: &str) -> Result<Run, ParseError> {
    let mut benchmarks: Vec<Benchmark> = Vec::new();
    let mut positions: HashMap<String, usize> = HashMap::new();
    // Unindented lines since the last blank or indented line: the header candidates.
    let mut pending: Vec<String> = Vec::new();
    let mut last_header: Option<String> = None;
    let mut block: Option<Block> = None;
    let mut callgrind_dialect = false;

    for (no, line) in clean_lines(text) {
        if line.trim().is_empty() {
            pending.clear();
            continue;
        }
        let Some(inner) = indent_body(&line) else {
            // An unindented line ends a benchmark's block and may start the next header.
            block = None;
            let t = line.trim();
            if t.starts_with("- end of std") {
                // The benchmark's own output (`--nocapture`) sat between header and metrics.
                pending = last_header.iter().cloned().collect();
                continue;
            }
            if is_header_start(t) {
                last_header = Some(t.to_string());
            }
            pending.push(t.to_string());
            continue;
        };

        if block.is_none() {
            if !starts_block(inner) || pending.is_empty() {
                pending.clear();
                continue;
            }
            let name = header_name(&pending);
            pending.clear();
            // By a map, not a search of the benchmarks so far: 100,000 names took minutes.
            let bench = match positions.get(&name) {
                Some(&i) => i,
                None => {
                    positions.insert(name.clone(), benchmarks.len());
                    benchmarks.push(Benchmark::new(name));
                    benchmarks.len() - 1
                }
            };
            block = Some(Block {
                bench,
                tool: String::new(),
                seen: BTreeMap::new(),
                skip: false,
                in_comparison: false,
                pending_label: None,
            });
        }
        let Some(b) = block.as_mut() else {
            continue;
        };

        if let Some(tool) = tool_headline(inner) {
            callgrind_dialect = true;
            b.tool = tool.to_ascii_lowercase();
            b.skip = b.in_comparison;
            b.pending_label = None;
            continue;
        }
        let body = inner.trim_start();
        if let Some(segment) = body.strip_prefix("## ") {
            // Multi-process runs: only the total counts, the parts would be duplicates.
            b.skip = b.in_comparison || !segment.trim_start().starts_with("Total");
            continue;
        }
        if body.starts_with("Comparison with") || body.starts_with("------- ") {
            b.in_comparison = true;
            b.skip = true;
            continue;
        }
        if b.skip {
            continue;
        }

        // The values of a label that was too long for one line.
        if inner.starts_with(char::is_whitespace) {
            if let Some(label) = b.pending_label.take() {
                if let Some(token) = body.split_whitespace().next() {
                    if token.contains('|') {
                        callgrind_dialect = true;
                        add_metric(no, &mut benchmarks, b, &label, token)?;
                    }
                }
            }
            continue;
        }
        let Some((label, values)) = field(inner) else {
            b.pending_label = None;
            continue;
        };
        if NON_METRIC_FIELDS.contains(&label) {
            continue;
        }
        let Some(token) = values.split_whitespace().next() else {
            b.pending_label = Some(label.to_string());
            continue;
        };
        b.pending_label = None;
        if token.contains('|') {
            callgrind_dialect = true;
        } else if parse_number(token).is_none() {
            if IAI_LABELS.contains(&label) {
                return Err(ParseError::at(
                    no,
                    format!("`{label}`: expected a count such as `1234`, found `{token}`"),
                ));
            }
            continue;
        }
        add_metric(no, &mut benchmarks, b, label, token)?;
    }

    benchmarks.retain(|b| !b.metrics.is_empty());
    if benchmarks.is_empty() {
        return Err(ParseError::whole(
            "no iai or iai-callgrind results found: expected a benchmark name line followed by \
             indented lines like `  Instructions:  1734` (iai) or \
             `  Instructions:  1734|N/A  (*********)` (iai-callgrind, gungraun)",
        ));
    }
    let tool = if callgrind_dialect {
        "iai-callgrind"
    } else {
        "iai"
    };
    let meta = RunMeta {
        tool: Some(tool.to_string()),
        ..RunMeta::default()
    };
    Ok(Run::new(meta, benchmarks))
}

/// The text after the indentation of an indented line (`  `, or `| `, `|-`, `|=` with
/// `--show-grid`); `None` for unindented lines.
fn indent_body(line: &str) -> Option<&str> {
    ["  ", "| ", "|-", "|=", "\t"]
        .iter()
        .find_map(|p| line.strip_prefix(p))
        .or_else(|| {
            // A single space of indentation is not iai's, but is still not a header.
            line.starts_with(' ').then(|| line.trim_start())
        })
}

/// `======= DHAT ========` -> `DHAT`.
fn tool_headline(inner: &str) -> Option<&str> {
    let rest = inner.trim_start().strip_prefix("=======")?;
    let name = rest.split_whitespace().next()?;
    (!name.starts_with('=') && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        .then_some(name)
}

/// `Label: values` of a field line whose label starts right after the indentation.
fn field(inner: &str) -> Option<(&str, &str)> {
    if inner.starts_with(char::is_whitespace) {
        return None;
    }
    let (label, values) = inner.split_once(':')?;
    let label = label.trim_end();
    if label.is_empty() {
        return None;
    }
    Some((label, values))
}

/// Whether an indented line can open a benchmark's block.
fn starts_block(inner: &str) -> bool {
    if tool_headline(inner).is_some() || inner.trim_start().starts_with("## ") {
        return true;
    }
    let Some((label, values)) = field(inner) else {
        return false;
    };
    if label == "Baselines" {
        return true;
    }
    values.split_whitespace().next().is_some_and(|t| {
        t.contains('|') || (IAI_LABELS.contains(&label) && parse_number(t).is_some())
    })
}

/// An iai-callgrind header starts with a Rust module path: `crate::group::function ...`.
fn is_header_start(line: &str) -> bool {
    line.split_whitespace().next().is_some_and(|first| {
        first.contains("::")
            && first
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '_' | ':' | '<' | '>' | ','))
    })
}

/// The benchmark name from the header candidates: from the last module-path line on (a wrapped
/// iai-callgrind header, joined with spaces), else the last line (an iai function name).
fn header_name(pending: &[String]) -> String {
    match pending.iter().rposition(|l| is_header_start(l)) {
        Some(i) => pending.get(i..).unwrap_or_default().join(" "),
        None => pending.last().cloned().unwrap_or_default(),
    }
}

fn add_metric(
    no: usize,
    benchmarks: &mut [Benchmark],
    b: &mut Block,
    label: &str,
    token: &str,
) -> Result<(), ParseError> {
    let bench_name = benchmarks
        .get(b.bench)
        .map(|x| x.name.clone())
        .unwrap_or_default();
    let new = token.split('|').next().unwrap_or(token);
    if new == "N/A" {
        return Ok(());
    }
    let value = match parse_number(new) {
        Some(v) => v,
        None if is_non_finite(new) => return Ok(()),
        None => {
            return Err(ParseError::at(
                no,
                format!(
                "`{bench_name}`: `{label}`: expected a number or `N/A` before `|`, found `{new}`"
            ),
            ))
        }
    };
    let (display, bracket_unit) = match label.rsplit_once(" [") {
        Some((d, u)) if u.ends_with(']') => (d, Some(u.trim_end_matches(']'))),
        _ => (label, None),
    };
    let base = snake_case(display);
    let lower = display.to_ascii_lowercase();
    let (unit, factor) = match bracket_unit {
        Some(u) => Unit::parse(u),
        // Cache hit and miss rates are printed as percentages.
        None if lower.ends_with(" rate") => (Unit::Ratio, 0.01),
        None if lower.ends_with(" bytes") => (Unit::Bytes, 1.0),
        None => (Unit::Count, 1.0),
    };
    let name = match b.seen.get(&base) {
        None => base.clone(),
        Some(tool) if *tool == b.tool => return Ok(()),
        Some(_) => format!("{}_{base}", b.tool),
    };
    b.seen.entry(base.clone()).or_insert_with(|| b.tool.clone());
    let mut metric = Metric::new(name, unit, Data::Value(value * factor));
    if metric.unit == Unit::Ratio {
        // Name-based inference reads any `hit` as good; only L1 hits are the fast path, a larger
        // share of LL or RAM hits means more accesses missed L1.
        let direction = if base == "l1_hit_rate" {
            Direction::HigherIsBetter
        } else {
            Direction::LowerIsBetter
        };
        metric = metric.with_direction(direction);
    }
    if let Some(bench) = benchmarks.get_mut(b.bench) {
        bench.push(metric);
    }
    Ok(())
}

fn is_non_finite(s: &str) -> bool {
    let l = s.trim_start_matches(['+', '-']).to_ascii_lowercase();
    matches!(l.as_str(), "nan" | "inf" | "infinity")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::common::text::CUT;
    use crate::formats::test_support::{metric, names, value};

    const IAI_TWO: &str = include_str!("../../tests/fixtures/iai/iai-two.txt");
    const IAI_CHANGE: &str = include_str!("../../tests/fixtures/iai/iai-change.txt");
    const CG_DELTA: &str = include_str!("../../tests/fixtures/iai/iai-callgrind-delta.txt");
    const CG_REGRESSIONS: &str =
        include_str!("../../tests/fixtures/iai/iai-callgrind-regressions.txt");
    const CG_ANSI: &str = include_str!("../../tests/fixtures/iai/iai-callgrind-ansi-escapes.txt");

    const SHORT: &str = "rust_iai_callgrind::bench_fibonacci_group::bench_fibonacci short:10";
    const LONG: &str = "rust_iai_callgrind::bench_fibonacci_group::bench_fibonacci long:30";
    const CALLGRIND_METRICS: [&str; 6] = [
        "instructions",
        "l1_hits",
        "l2_hits",
        "ram_hits",
        "total_read_write",
        "estimated_cycles",
    ];

    fn metric_names<'a>(run: &'a Run, bench: &str) -> Vec<&'a str> {
        run.benchmark(bench)
            .map(|b| b.metrics.iter().map(|m| m.name.as_str()).collect())
            .unwrap_or_default()
    }

    fn err(text: &str) -> ParseError {
        parse(text).unwrap_err()
    }

    #[test]
    fn reads_iai_counts_of_a_first_run() {
        let run = parse(IAI_TWO).unwrap();
        assert_eq!(run.meta.tool.as_deref(), Some("iai"));
        assert_eq!(
            names(&run),
            ["bench_fibonacci_short", "bench_fibonacci_long"]
        );
        assert_eq!(
            metric_names(&run, "bench_fibonacci_short"),
            [
                "instructions",
                "l1_accesses",
                "l2_accesses",
                "ram_accesses",
                "estimated_cycles"
            ]
        );
        assert_eq!(value(&run, "bench_fibonacci_short", "instructions"), 1735.0);
        assert_eq!(
            value(&run, "bench_fibonacci_short", "estimated_cycles"),
            2404.0
        );
        assert_eq!(
            value(&run, "bench_fibonacci_long", "instructions"),
            26214735.0
        );
        assert_eq!(
            value(&run, "bench_fibonacci_long", "l1_accesses"),
            35638623.0
        );
        assert_eq!(value(&run, "bench_fibonacci_long", "ram_accesses"), 1.0);
        for b in &run.benchmarks {
            for m in &b.metrics {
                assert_eq!(m.unit, Unit::Count);
                assert_eq!(m.direction, Direction::LowerIsBetter);
            }
        }
        insta::assert_json_snapshot!("iai_two", run);
    }

    #[test]
    fn reads_iai_counts_next_to_changes() {
        let run = parse(IAI_CHANGE).unwrap();
        assert_eq!(run.meta.tool.as_deref(), Some("iai"));
        assert_eq!(names(&run), ["iai_benchmark_short", "iai_benchmark_long"]);
        assert_eq!(value(&run, "iai_benchmark_short", "instructions"), 1243.0);
        assert_eq!(value(&run, "iai_benchmark_short", "l2_accesses"), 1.0);
        assert_eq!(value(&run, "iai_benchmark_short", "ram_accesses"), 2.0);
        assert_eq!(
            value(&run, "iai_benchmark_long", "estimated_cycles"),
            23447295.0
        );
        assert_eq!(run.metric_count(), 10);
    }

    fn assert_fibonacci_callgrind(run: &Run) {
        assert_eq!(run.meta.tool.as_deref(), Some("iai-callgrind"));
        assert_eq!(names(run), [SHORT, LONG]);
        assert_eq!(metric_names(run, SHORT), CALLGRIND_METRICS);
        assert_eq!(metric_names(run, LONG), CALLGRIND_METRICS);
        assert_eq!(value(run, SHORT, "instructions"), 1734.0);
        assert_eq!(value(run, SHORT, "l1_hits"), 2359.0);
        assert_eq!(value(run, SHORT, "l2_hits"), 0.0);
        assert_eq!(value(run, SHORT, "ram_hits"), 3.0);
        assert_eq!(value(run, SHORT, "total_read_write"), 2362.0);
        assert_eq!(value(run, SHORT, "estimated_cycles"), 2464.0);
        assert_eq!(value(run, LONG, "instructions"), 26214734.0);
        assert_eq!(value(run, LONG, "estimated_cycles"), 35638724.0);
        for b in &run.benchmarks {
            for m in &b.metrics {
                assert_eq!(m.unit, Unit::Count);
                assert_eq!(m.direction, Direction::LowerIsBetter);
                assert_eq!(m.data.n(), 1);
            }
        }
    }

    #[test]
    fn keeps_the_new_value_of_new_old_pairs() {
        let run = parse(CG_DELTA).unwrap();
        assert_fibonacci_callgrind(&run);
        insta::assert_json_snapshot!("iai_callgrind_delta", run);
    }

    #[test]
    fn ignores_the_regressions_summary() {
        let run = parse(CG_REGRESSIONS).unwrap();
        assert_fibonacci_callgrind(&run);
        assert_eq!(run, parse(CG_DELTA).unwrap());
    }

    #[test]
    fn reads_first_runs_with_ansi_colours() {
        let run = parse(CG_ANSI).unwrap();
        assert_fibonacci_callgrind(&run);
        assert_eq!(run, parse(CG_DELTA).unwrap());
    }

    #[test]
    fn reads_tool_sections_with_dhat_bytes_and_prefixes_only_colliding_names() {
        let text = "\
bench::group::f id:vec! [3, 2, 1]
  ======= CALLGRIND ==============================================================
  Instructions:                          83|N/A                  (*********)
  I1 Miss Rate:                     0.17301|N/A                  (*********)
  L1 Hit Rate:                      99.8730|N/A                  (*********)
  RAM Hit Rate:                     0.12701|N/A                  (*********)
  ======= DHAT ===================================================================
  Total bytes:                           12|N/A                  (*********)
  Total blocks:                           1|N/A                  (*********)
  At t-gmax bytes:                        0|N/A                  (*********)
  ======= CACHEGRIND =============================================================
  Instructions:                          85|N/A                  (*********)
  SysTime [ms]:                         1.5|N/A                  (*********)

Gungraun result: Ok. 1 without regressions; 0 regressed; 1 benchmarks finished in 0.55554s
";
        let run = parse(text).unwrap();
        let b = "bench::group::f id:vec! [3, 2, 1]";
        assert_eq!(names(&run), [b]);
        assert_eq!(
            metric_names(&run, b),
            [
                "instructions",
                "i1_miss_rate",
                "l1_hit_rate",
                "ram_hit_rate",
                "total_bytes",
                "total_blocks",
                "at_t_gmax_bytes",
                "cachegrind_instructions",
                "sys_time"
            ]
        );
        assert_eq!(value(&run, b, "instructions"), 83.0);
        assert_eq!(value(&run, b, "cachegrind_instructions"), 85.0);
        let miss = metric(&run, b, "i1_miss_rate");
        assert_eq!(miss.unit, Unit::Ratio);
        assert_eq!(miss.direction, Direction::LowerIsBetter);
        assert!((value(&run, b, "i1_miss_rate") - 0.0017301).abs() < 1e-12);
        assert_eq!(
            metric(&run, b, "l1_hit_rate").direction,
            Direction::HigherIsBetter
        );
        assert_eq!(
            metric(&run, b, "ram_hit_rate").direction,
            Direction::LowerIsBetter
        );
        let bytes = metric(&run, b, "total_bytes");
        assert_eq!(bytes.unit, Unit::Bytes);
        assert_eq!(bytes.data, Data::Value(12.0));
        assert_eq!(metric(&run, b, "total_blocks").unit, Unit::Count);
        let sys = metric(&run, b, "sys_time");
        assert_eq!(sys.unit, Unit::Nanoseconds);
        assert_eq!(sys.data, Data::Value(1.5e6));
    }

    #[test]
    fn joins_headers_wrapped_over_lines_and_skips_captured_output() {
        let text = "\
test result: ok. 0 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s

rust_iai_callgrind::bench::multiple_lines id_1:string with multiple
lines
and one more
  Instructions:                   7|N/A             (*********)
my_benchmark::my_group::bench_library some_id:10
Output to stdout: 20
Error output during teardown: 20
- end of stdout/stderr
  Instructions:     \u{1b}[1m            851\u{1b}[0m|N/A             (*********)
";
        let run = parse(text).unwrap();
        assert_eq!(
            names(&run),
            [
                "rust_iai_callgrind::bench::multiple_lines id_1:string with multiple lines and one more",
                "my_benchmark::my_group::bench_library some_id:10"
            ]
        );
        assert_eq!(
            value(
                &run,
                "my_benchmark::my_group::bench_library some_id:10",
                "instructions"
            ),
            851.0
        );
    }

    #[test]
    fn reads_grid_output_wrapped_values_and_multi_process_totals() {
        let text = "\
lib::group::bench_threads
|= ======= CALLGRIND ===========================================
|- ## pid: 1234 thread: 1 part: 1                  |N/A
| Command:             target/release/deps/lib-0123
| Instructions:                          10|N/A             (*********)
|- ## pid: 1234 thread: 2 part: 1                  |N/A
| Instructions:                          20|N/A             (*********)
|- ## Total
| Instructions:                          30|N/A             (*********)
| A label that is far too long for the field column:
|                                        40|38              (+5.26316%) [+1.05263x]
|- Comparison with bench_other id
|- ------- CALLGRIND
| Instructions:                          99|30              (+230.000%) [+3.30000x]
";
        let run = parse(text).unwrap();
        let b = "lib::group::bench_threads";
        assert_eq!(
            metric_names(&run, b),
            [
                "instructions",
                "a_label_that_is_far_too_long_for_the_field_column"
            ]
        );
        assert_eq!(value(&run, b, "instructions"), 30.0);
        assert_eq!(
            value(&run, b, "a_label_that_is_far_too_long_for_the_field_column"),
            40.0
        );
    }

    #[test]
    fn pools_a_benchmark_repeated_in_one_log_and_skips_missing_new_values() {
        let text = "\
a::b::c x
  Instructions:                 10|N/A             (*********)
  L1 Hits:                     N/A|5               (*********)
  Estimated Cycles:            NaN|N/A             (*********)
a::b::c x
  Instructions:                 12|10              (+20.0000%) [+1.20000x]
";
        let run = parse(text).unwrap();
        assert_eq!(metric_names(&run, "a::b::c x"), ["instructions"]);
        assert_eq!(
            metric(&run, "a::b::c x", "instructions").data,
            Data::Samples(vec![10.0, 12.0])
        );
    }

    #[test]
    fn fails_on_bad_numbers_naming_the_line() {
        let e = err("a::b::c x\n  Instructions:     17x4|N/A   (*********)\n");
        assert_eq!(e.line, Some(2));
        assert!(
            e.message
                .contains("`Instructions`: expected a number or `N/A` before `|`, found `17x4`"),
            "{e}"
        );
        let e = err("bench_x\n  Instructions:     1734\n  L1 Accesses:      many\n");
        assert_eq!(e.line, Some(3));
        assert!(e.message.contains("expected a count"), "{e}");
    }

    #[test]
    fn fails_when_there_are_no_results() {
        for text in [
            "",
            "running 0 tests\n\ntest result: ok.\n",
            "bench_x\n",
            "a::b::c x\n  Instructions:   N/A|1734   (*********)\n",
            "\nRegressions:\n\n  a::b::c x:\n    Callgrind: Instructions (1 -> 2): +100% exceeds limit of +5.0%\n",
        ] {
            let e = err(text);
            assert_eq!(e.line, None, "{text:?}");
            assert!(e.message.contains("no iai or iai-callgrind results"), "{e}");
        }
    }

    /// A file cut inside `18454953` gave `Instructions: 18`, a benchmark of 18 instructions.
    #[test]
    fn refuses_a_file_cut_inside_a_count_of_its_last_line() {
        let at = IAI_CHANGE.find("18454953").unwrap();
        let cut = IAI_CHANGE.get(..at + 2).unwrap();
        assert!(cut.ends_with("  Instructions:            18"));
        let e = err(cut);
        assert_eq!(e.line, Some(13));
        assert_eq!(
            e.message,
            format!(
                "{CUT}: `Instructions:            18` has no line break after it, and iai ends \
                 every line with one; run the benchmarks again, or remove the line"
            )
        );
        // Cut inside the change: the count is whole, but the output is still cut.
        let at = IAI_CHANGE.find("(+0.000076%)").unwrap();
        let e = err(IAI_CHANGE.get(..at + 5).unwrap());
        assert_eq!(e.line, Some(13));
        assert!(e.message.starts_with(CUT), "{e}");
        // A first run's last count has nothing after it to show it whole.
        assert!(err(IAI_TWO.trim_end()).message.starts_with(CUT));
    }

    /// A last line that ends with a change `(...)` or a factor `[...]` is whole, line break or not
    /// (`$(cargo bench)` in a shell drops the final ones).
    #[test]
    fn reads_a_last_line_ending_with_its_change_without_a_line_break() {
        for text in [IAI_CHANGE, CG_DELTA, CG_REGRESSIONS, CG_ANSI] {
            let whole = parse(text).unwrap();
            assert_eq!(parse(text.trim_end()).unwrap(), whole);
        }
        // An unindented last line (a header, a summary) holds no count.
        let run = parse("a\n  Instructions: 5\nb").unwrap();
        assert_eq!(value(&run, "a", "instructions"), 5.0);
    }

    /// Each header was looked up in the benchmarks read so far: 50,000 took minutes, a moment by
    /// a map (no timing is asserted).
    #[test]
    fn reads_fifty_thousand_benchmarks_in_one_pass() {
        let text: String = (0..50_000)
            .map(|i| format!("b{i}\n  Instructions: {i}\n\n"))
            .collect();
        let run = parse(&text).unwrap();
        assert_eq!(run.benchmarks.len(), 50_000);
        assert_eq!(value(&run, "b49999", "instructions"), 49_999.0);
        // A name seen again is the same benchmark.
        let run = parse("a\n  Instructions: 1\n\nb\n  Instructions: 2\n\na\n  Instructions: 3\n")
            .unwrap();
        assert_eq!(names(&run), ["a", "b"]);
        assert_eq!(
            metric(&run, "a", "instructions").data,
            Data::Samples(vec![1.0, 3.0])
        );
    }

    #[test]
    fn detects_both_dialects_and_rejects_other_formats() {
        for text in [IAI_TWO, IAI_CHANGE, CG_DELTA, CG_REGRESSIONS, CG_ANSI] {
            assert!(looks_like(text));
        }
        assert!(looks_like("x\n  ======= DHAT =====\n"));
        for other in [
            include_str!("../../tests/fixtures/libtest/issue_390.txt"),
            include_str!("../../tests/fixtures/criterion-text/criterion-many.txt"),
            include_str!("../../tests/fixtures/catch2/catch2_issue_351.txt"),
            include_str!("../../tests/fixtures/go/suffixarray.bench"),
            include_str!("../../tests/fixtures/benchstat-output/crcIgnore.stdout"),
            include_str!("../../tests/fixtures/ruby/ruby-bmbm-two.txt"),
        ] {
            assert!(!looks_like(other));
        }
    }
}
