//! airspeed velocity (asv) console logs of `asv run` / `asv continuous`: progress lines
//! `[ <pct>%] ··· <dotted.benchmark.name>  <result>`, with `·· Benchmarking <env>` lines announcing
//! each environment and `· For <project> commit <hash> <branch>:` the commit.
//!
//! Detection: some line starts with `[ <pct>%]` followed by `·` dots.
//!
//! Results are shown as asv's `human_value` writes them: times `<value>±<err><unit>` (`11.1±0.01μs`,
//! units `ns`, `μs`/`µs`/`us`, `ms`, `s`, `m`, `h`, `d`, `w`, `y`) become `time` in nanoseconds;
//! sizes with an SI suffix (`2.42k`, base 1000, asv's `human_file_size`) become `value` in bytes,
//! as do bare numbers of `mem_`/`peakmem_` benchmarks; other bare numbers (`track_` benchmarks)
//! become `value` as a count. The `±` error is asv's estimate of the uncertainty, not data, and is
//! not kept. `failed`, `skipped`, `n/a` and `ok` (the header of a parameterised table, whose rows
//! are not read) are skipped. The same benchmark runs once per environment: names are
//! `<env> <benchmark>` when the log has results from several environments, else the benchmark
//! name (and prefixed with the commit when several commits appear). asv's JSON results directory
//! holds more than this log (samples, parameters); prefer it when available.
//!
//! asv ends every line with a line break: a file that ends inside a result line is refused as cut
//! when the result could go on (a bare number, `2.` of `2.42k`, `m` of `ms`).

use std::collections::HashSet;

use super::common::text::{clean_lines, refuse_cut};
use super::spec::{Detect, ParseError, Spec};
use crate::model::{Benchmarks, Data, Metric, Run, RunMeta, Unit};

/// How `asv` is named, detected and read.
pub const SPEC: Spec = Spec {
    name: "asv",
    aliases: &[],
    reads: "airspeed velocity `asv run` console log",
    detected_by: "lines `[ <pct>%] ··· <benchmark> <result>`",
    detect: &[Detect::Lines(looks_like)],
    parse,
};

/// True when some line starts with a `[ <pct>%]` progress prefix followed by `·` dots.
pub fn looks_like(text: &str) -> bool {
    text.split('\n')
        .any(|l| progress(l.trim_end_matches('\r')).is_some_and(|(dots, _)| dots > 0))
}

/// `(number of dots, rest)` of a progress line `[ 35.00%] ··· rest`.
fn progress(line: &str) -> Option<(usize, &str)> {
    let rest = line.trim_start().strip_prefix('[')?;
    let (pct, rest) = rest.split_once("%]")?;
    pct.trim().parse::<f64>().ok()?;
    let rest = rest.trim_start();
    let dots = rest.chars().take_while(|c| *c == '\u{b7}').count();
    let rest = rest.trim_start_matches('\u{b7}');
    Some((dots, rest.trim()))
}

struct Found {
    env: Option<String>,
    commit: Option<String>,
    name: String,
    metric: Metric,
}

/// Parses an asv console log; see the module documentation.
pub fn parse(text: &str) -> Result<Run, ParseError> {
    refuse_cut(text, "asv", read(text), could_be_cut)
}

/// Whether a last line without its line break could be the start of a longer one: a result whose
/// text could go on (`2.` of `2.42k`, `11.1\u{b1}0.01m` of `...ms`). A unit that no other begins
/// with (`s`, `k`) shows the result whole.
fn could_be_cut(line: &str) -> bool {
    let Some((3, rest)) = progress(line) else {
        return false;
    };
    rest.split_once(char::is_whitespace)
        .is_some_and(|(name, result)| {
            let r = result.trim();
            name.contains('.')
                && r.ends_with(|c: char| c.is_ascii_digit() || matches!(c, '.' | 'm'))
        })
}

fn read(text: &str) -> Result<Run, ParseError> {
    let mut env: Option<String> = None;
    let mut commit: Option<String> = None;
    let mut branch: Option<String> = None;
    let mut found: Vec<Found> = Vec::new();
    for (no, line) in clean_lines(text) {
        let Some((dots, rest)) = progress(&line) else {
            continue;
        };
        match dots {
            1 => {
                if let Some((hash, br)) = commit_line(rest) {
                    commit = Some(hash.to_string());
                    if branch.is_none() {
                        branch = br.map(str::to_string);
                    }
                }
            }
            2 => {
                if let Some(e) = rest.strip_prefix("Benchmarking ") {
                    env = Some(e.trim().to_string());
                }
            }
            3 => {
                let Some((name, result)) = rest.split_once(char::is_whitespace) else {
                    continue;
                };
                if !name.contains('.') || name.starts_with('(') {
                    continue;
                }
                if let Some(metric) = read_result(no, name, result.trim())? {
                    found.push(Found {
                        env: env.clone(),
                        commit: commit.clone(),
                        name: name.to_string(),
                        metric,
                    });
                }
            }
            _ => {}
        }
    }
    if found.is_empty() {
        return Err(ParseError::whole(
            "no asv results found: expected `asv run` progress lines like \
             `[ 35.00%] \u{b7}\u{b7}\u{b7} benchmarks.TimeSuite.time_keys   11.1\u{b1}0.01\u{3bc}s`",
        ));
    }
    // A set, not a list searched per result: 40,000 environments took seconds.
    let distinct =
        |f: fn(&Found) -> &Option<String>| found.iter().map(f).collect::<HashSet<_>>().len();
    let many_envs = distinct(|f| &f.env) > 1;
    let many_commits = distinct(|f| &f.commit) > 1;
    let mut benchmarks = Benchmarks::default();
    for f in found {
        let mut parts = Vec::new();
        if many_commits {
            parts.extend(f.commit.clone());
        }
        if many_envs {
            parts.extend(f.env.clone());
        }
        parts.push(f.name);
        let name = parts.join(" ");
        benchmarks.add(name, [f.metric]);
    }
    let meta = RunMeta {
        tool: Some("asv".to_string()),
        commit: if many_commits { None } else { commit },
        branch,
        ..RunMeta::default()
    };
    Ok(Run::new(meta, benchmarks.into_vec()))
}

/// `For project commit 4238c44d <master>:` -> (`4238c44d`, `master`).
fn commit_line(rest: &str) -> Option<(&str, Option<&str>)> {
    let (_, after) = rest.strip_prefix("For ")?.split_once(" commit ")?;
    let after = after.trim_end_matches(':').trim();
    let mut words = after.split_whitespace();
    let hash = words.next()?;
    if !hash.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let branch = words
        .next()
        .and_then(|b| b.strip_prefix('<'))
        .and_then(|b| b.strip_suffix('>'));
    Some((hash, branch))
}

/// A result cell as asv prints it; `None` for results that hold no value.
fn read_result(no: usize, name: &str, result: &str) -> Result<Option<Metric>, ParseError> {
    if matches!(result, "failed" | "skipped" | "n/a" | "ok" | "timeout") {
        return Ok(None);
    }
    let bad = || {
        ParseError::at(
            no,
            format!(
                "`{name}`: expected a result such as `11.1\u{b1}0.01\u{3bc}s`, `2.42k`, `42` or `failed`, found `{result}`"
            ),
        )
    };
    let (number, rest) = split_number(result);
    let value: f64 = number.parse().map_err(|_| bad())?;
    if !value.is_finite() {
        return Err(bad());
    }
    // `11.1±0.01μs`: the unit follows the error estimate.
    let suffix = match rest.strip_prefix('\u{b1}') {
        Some(err) => {
            let (e, suffix) = split_number(err);
            e.parse::<f64>().map_err(|_| bad())?;
            suffix
        }
        None => rest,
    };
    let is_memory = name
        .rsplit('.')
        .next()
        .is_some_and(|f| f.starts_with("mem_") || f.starts_with("peakmem_"));
    if let Some(factor) = time_factor(suffix) {
        if value < 0.0 {
            return Err(bad());
        }
        return Ok(Some(Metric::new(
            "time",
            Unit::Nanoseconds,
            Data::Value(value * factor),
        )));
    }
    if let Some(factor) = size_factor(suffix) {
        return Ok(Some(Metric::new(
            "value",
            Unit::Bytes,
            Data::Value(value * factor),
        )));
    }
    if suffix.is_empty() {
        let unit = if is_memory { Unit::Bytes } else { Unit::Count };
        return Ok(Some(Metric::new("value", unit, Data::Value(value))));
    }
    Err(bad())
}

/// Splits a leading decimal number (with an optional exponent) from the rest.
fn split_number(s: &str) -> (&str, &str) {
    let bytes = s.as_bytes();
    let mut end = 0;
    while let Some(&c) = bytes.get(end) {
        let sign_ok = end == 0 && (c == b'-' || c == b'+');
        if c.is_ascii_digit() || c == b'.' || sign_ok {
            end += 1;
        } else if c == b'e'
            && end > 0
            && bytes
                .get(end + 1)
                .is_some_and(|n| n.is_ascii_digit() || *n == b'-' || *n == b'+')
        {
            end += 2;
        } else {
            break;
        }
    }
    (s.get(..end).unwrap_or(""), s.get(end..).unwrap_or(""))
}

/// asv's time units (`asv_runner.util._human_time_units`) in nanoseconds.
fn time_factor(unit: &str) -> Option<f64> {
    Some(match unit {
        "ns" => 1.0,
        "\u{3bc}s" | "\u{b5}s" | "us" => 1e3,
        "ms" => 1e6,
        "s" => 1e9,
        "m" => 60e9,
        "h" => 3600e9,
        "d" => 86400e9,
        "w" => 604800e9,
        "y" => 604800e9 * 52.0,
        _ => return None,
    })
}

/// asv's `human_file_size` suffixes (powers of 1000).
fn size_factor(unit: &str) -> Option<f64> {
    let i = ["k", "M", "G", "T", "P", "E", "H"]
        .iter()
        .position(|s| *s == unit)?;
    Some(1000f64.powi(i32::try_from(i).ok()? + 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::common::text::CUT;
    use crate::formats::test_support::{metric, names, value};
    use crate::model::Direction;

    const SIX: &str = include_str!("../../tests/fixtures/asv/asv-six.txt");

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * b.abs().max(1.0)
    }

    fn err(text: &str) -> ParseError {
        parse(text).unwrap_err()
    }

    #[test]
    fn names_benchmarks_by_environment_when_there_are_several() {
        let run = parse(SIX).unwrap();
        assert_eq!(run.meta.tool.as_deref(), Some("asv"));
        assert_eq!(run.meta.commit.as_deref(), Some("4238c44d"));
        assert_eq!(run.meta.branch.as_deref(), Some("master"));
        assert_eq!(
            names(&run),
            [
                "virtualenv-py2.7 benchmarks.MemSuite.mem_list",
                "virtualenv-py2.7 benchmarks.TimeSuite.time_iterkeys",
                "virtualenv-py2.7 benchmarks.TimeSuite.time_keys",
                "virtualenv-py2.7 benchmarks.TimeSuite.time_range",
                "virtualenv-py2.7 benchmarks.TimeSuite.time_xrange",
                "virtualenv-py3.6 benchmarks.MemSuite.mem_list3",
                "virtualenv-py3.6 benchmarks.TimeSuite.time_keys3",
                "virtualenv-py3.6 benchmarks.TimeSuite.time_range3",
            ]
        );
        let b = "virtualenv-py2.7 benchmarks.TimeSuite.time_iterkeys";
        let t = metric(&run, b, "time");
        assert_eq!(t.unit, Unit::Nanoseconds);
        assert_eq!(t.direction, Direction::LowerIsBetter);
        assert!(close(value(&run, b, "time"), 11_100.0));
        assert!(close(
            value(
                &run,
                "virtualenv-py3.6 benchmarks.TimeSuite.time_keys3",
                "time"
            ),
            9_070.0
        ));
        assert!(close(
            value(
                &run,
                "virtualenv-py2.7 benchmarks.TimeSuite.time_xrange",
                "time"
            ),
            30_300.0
        ));
        let mem = metric(
            &run,
            "virtualenv-py2.7 benchmarks.MemSuite.mem_list",
            "value",
        );
        assert_eq!(mem.unit, Unit::Bytes);
        assert_eq!(mem.direction, Direction::LowerIsBetter);
        assert!(close(
            value(
                &run,
                "virtualenv-py2.7 benchmarks.MemSuite.mem_list",
                "value"
            ),
            2_420.0
        ));
        assert!(close(
            value(
                &run,
                "virtualenv-py3.6 benchmarks.MemSuite.mem_list3",
                "value"
            ),
            2_110.0
        ));
        assert_eq!(run.metric_count(), 8);
        insta::assert_json_snapshot!("asv_six", run);
    }

    #[test]
    fn keeps_bare_names_with_one_environment() {
        let text = "\
\u{b7} For project commit 0123abcd <main>:
[  0.00%] \u{b7}\u{b7} Benchmarking virtualenv-py3.12
[ 50.00%] \u{b7}\u{b7}\u{b7} bench.Suite.time_a        1.00\u{b1}0ms
[ 60.00%] \u{b7}\u{b7}\u{b7} bench.Suite.track_n       42
[ 70.00%] \u{b7}\u{b7}\u{b7} bench.Suite.track_f       3.5\u{b1}0.1
[ 80.00%] \u{b7}\u{b7}\u{b7} bench.Suite.peakmem_x     512
[ 85.00%] \u{b7}\u{b7}\u{b7} bench.Suite.time_b        2.5m
[ 90.00%] \u{b7}\u{b7}\u{b7} bench.Suite.time_c        7\u{b1}1\u{b5}s
[ 95.00%] \u{b7}\u{b7}\u{b7} bench.Suite.time_param    ok
[100.00%] \u{b7}\u{b7}\u{b7} bench.Suite.time_d        n/a
";
        let run = parse(text).unwrap();
        assert_eq!(
            names(&run),
            [
                "bench.Suite.time_a",
                "bench.Suite.track_n",
                "bench.Suite.track_f",
                "bench.Suite.peakmem_x",
                "bench.Suite.time_b",
                "bench.Suite.time_c"
            ]
        );
        assert_eq!(value(&run, "bench.Suite.time_a", "time"), 1e6);
        let n = metric(&run, "bench.Suite.track_n", "value");
        assert_eq!(n.unit, Unit::Count);
        assert_eq!(n.data, Data::Value(42.0));
        assert_eq!(value(&run, "bench.Suite.track_f", "value"), 3.5);
        assert_eq!(
            metric(&run, "bench.Suite.peakmem_x", "value").unit,
            Unit::Bytes
        );
        assert_eq!(value(&run, "bench.Suite.time_b", "time"), 150e9);
        assert_eq!(value(&run, "bench.Suite.time_c", "time"), 7000.0);
    }

    #[test]
    fn prefixes_the_commit_when_a_log_covers_several() {
        let text = "\
[  0.00%] \u{b7} For project commit aaaa1111 <main>:
[ 50.00%] \u{b7}\u{b7}\u{b7} b.time_a        1.00ms
[ 50.00%] \u{b7} For project commit bbbb2222 <main>:
[100.00%] \u{b7}\u{b7}\u{b7} b.time_a        2.00ms
";
        let run = parse(text).unwrap();
        assert_eq!(names(&run), ["aaaa1111 b.time_a", "bbbb2222 b.time_a"]);
        assert_eq!(run.meta.commit, None);
    }

    #[test]
    fn fails_on_unreadable_results_naming_the_line() {
        let e = err("[ 0.00%] \u{b7}\u{b7} Benchmarking env\n[ 35.00%] \u{b7}\u{b7}\u{b7} b.time_x   11.1\u{b1}0.01parsecs\n");
        assert_eq!(e.line, Some(2));
        assert!(e.message.contains("`b.time_x`: expected a result"), "{e}");
        let e = err("[ 35.00%] \u{b7}\u{b7}\u{b7} b.time_x   fast\n");
        assert!(e.message.contains("found `fast`"), "{e}");
        let e = err("[ 35.00%] \u{b7}\u{b7}\u{b7} b.time_x   -3ms\n");
        assert_eq!(e.line, Some(1));
    }

    /// `2.` of `2.11k` (a file cut inside its last result) was read as 2 bytes.
    #[test]
    fn refuses_a_file_cut_inside_its_last_result() {
        let mem = SIX.find("2.11k").unwrap();
        let time = SIX.find("9.07\u{b1}0.5\u{3bc}s").unwrap();
        for cut in [
            SIX.get(..mem + 1).unwrap(),
            SIX.get(..mem + 2).unwrap(),
            SIX.get(..mem + "2.11".len()).unwrap(),
            SIX.get(..time + "9.07\u{b1}0.5".len()).unwrap(),
        ] {
            let e = err(cut);
            assert_eq!(e.line, Some(cut.lines().count()), "{cut}");
            assert!(e.message.starts_with(&format!("{CUT}: `[")), "{e}");
            assert!(
                e.message.ends_with(
                    "` has no line break after it, and asv ends every line with one; run the benchmarks again, or remove the line"
                ),
                "{e}"
            );
        }
        // What cannot be read whole is said to be cut, not a bad result.
        let e = err(SIX.get(..time + "9.07\u{b1}0.5\u{3bc}".len()).unwrap());
        assert_eq!(e.line, Some(16));
        assert!(
            e.message.starts_with(&format!(
                "{CUT} (`benchmarks.TimeSuite.time_keys3`: expected a result such as"
            )),
            "{e}"
        );
        // `m` (minutes) may be the start of `ms`.
        let e = err("[ 35.00%] \u{b7}\u{b7}\u{b7} b.time_x   1.5\u{b1}0.01m");
        assert_eq!(e.line, Some(1));
        assert!(e.message.starts_with(CUT), "{e}");
    }

    /// A last result with a unit that no other begins with is whole, line break or not.
    #[test]
    fn reads_a_whole_last_result_without_a_line_break() {
        assert_eq!(parse(SIX.trim_end()).unwrap(), parse(SIX).unwrap());
        let mem = SIX.find("2.11k").unwrap();
        let run = parse(SIX.get(..mem + "2.11k".len()).unwrap()).unwrap();
        let b = "virtualenv-py3.6 benchmarks.MemSuite.mem_list3";
        assert_eq!(value(&run, b, "value"), 2110.0);
        let time = SIX.find("9.07\u{b1}0.5\u{3bc}s").unwrap();
        let run = parse(SIX.get(..time + "9.07\u{b1}0.5\u{3bc}s".len()).unwrap()).unwrap();
        let b = "virtualenv-py3.6 benchmarks.TimeSuite.time_keys3";
        assert!(close(value(&run, b, "time"), 9070.0));
    }

    /// Each result's environment was searched in a list of those seen: 50,000 environments took
    /// minutes, a moment by a set (no timing is asserted).
    #[test]
    fn reads_fifty_thousand_environments_in_one_pass() {
        let text: String = (0..50_000)
            .map(|i| {
                format!(
                    "[ 1.00%] \u{b7}\u{b7} Benchmarking e{i}\n[ 1.00%] \u{b7}\u{b7}\u{b7} a.time_b   {i}.0\u{b1}0.1ms\n"
                )
            })
            .collect();
        let run = parse(&text).unwrap();
        assert_eq!(run.benchmarks.len(), 50_000);
        assert!(close(value(&run, "e49999 a.time_b", "time"), 49_999e6));
    }

    #[test]
    fn fails_when_there_are_no_results() {
        for text in [
            "",
            "\u{b7} Running 10 total benchmarks (1 commits * 2 environments * 5 benchmarks)\n",
            "[ 85.00%] \u{b7}\u{b7}\u{b7} benchmarks.TimeSuite.time_iterkeys3    failed\n",
            "[ 10.00%] \u{b7}\u{b7}\u{b7} Running (benchmarks.TimeSuite.time_iterkeys--)....\n",
        ] {
            let e = err(text);
            assert_eq!(e.line, None);
            assert!(e.message.contains("no asv results"), "{e}");
        }
    }

    #[test]
    fn detects_asv_logs_only() {
        assert!(looks_like(SIX));
        for other in [
            include_str!("../../tests/fixtures/benchmarkjs/benchmarkjs_output.txt"),
            include_str!("../../tests/fixtures/criterion-text/criterion-many.txt"),
            include_str!("../../tests/fixtures/libtest/issue_390.txt"),
            include_str!("../../tests/fixtures/go/suffixarray.bench"),
            "[ 35.00%] done\n",
        ] {
            assert!(!looks_like(other));
        }
    }
}
