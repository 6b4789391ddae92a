//! `go test -bench` text (the Go benchmark format, as benchstat reads it): result lines
//! `Benchmark<Name>[-P] <iterations> <value> <unit> [<value> <unit>]...`, configuration lines
//! `key: value`, and whatever else a CI log carries, which is skipped.
//!
//! Each result line is one measurement; `-count N` repeats a line N times under the same name, and
//! those repeats pool into one sample set per metric (in line order). The benchmark name is kept
//! whole, sub-benchmarks and the `-P` GOMAXPROCS suffix included, because `BenchmarkFib-8` and
//! `BenchmarkFib` are different runs. Standard units get the team's metric names (`ns/op` ->
//! `time`, `B/op` -> `alloc_bytes`, `allocs/op` -> `allocs`, `MB/s` -> `throughput`); units from
//! `b.ReportMetric` are kept under their own spelling. A name that occurs under two `pkg:` blocks
//! of one log (`go test ./...`) is qualified as `<pkg>.<name>` so the two stay apart.

use std::borrow::Cow;

use rustc_hash::FxHashMap;

use super::common::text::{raw_lines, refuse_cut, strip_ansi};
use super::spec::{Detect, ParseError, Spec};
use crate::model::{Benchmark, Benchmarks, Environment, Run, RunMeta, Unit};

/// How `go` is named, detected and read.
pub const SPEC: Spec = Spec {
    name: "go",
    aliases: &[],
    reads: "go test -bench text (with -benchmem, -count N)",
    detected_by: "lines `Benchmark<Name>[-P] <iterations> <value> <unit> ...`",
    detect: &[Detect::Lines(looks_like)],
    parse,
};

/// True when some line has the shape of a result: `Benchmark<name> <integer> <number> <unit>`,
/// separated by tabs or spaces, starting at the beginning of the line.
pub fn looks_like(text: &str) -> bool {
    raw_lines(text).any(|line| {
        if !line.contains("Benchmark") {
            return false;
        }
        if line.contains('\u{1b}') {
            result_shape(&strip_ansi(line))
        } else {
            result_shape(line)
        }
    })
}

/// Looser than [`looks_like`]: whether `text` has any line `go test` prints around benchmark
/// results (`goos:`, `pkg:`, a line starting `Benchmark`), so that a file detection refused
/// can be explained in Go's terms (a result line it could not read, or none at all).
pub fn looks_like_test_output(text: &str) -> bool {
    text.lines().any(|l| {
        let l = l.trim_start();
        l.starts_with("goos: ") || l.starts_with("pkg: ") || l.starts_with("Benchmark")
    })
}

fn result_shape(line: &str) -> bool {
    if !line.starts_with("Benchmark") {
        return false;
    }
    let mut fields = line.split_whitespace().skip(1);
    let (Some(iters), Some(value), Some(_unit)) = (fields.next(), fields.next(), fields.next())
    else {
        return false;
    };
    is_integer(iters) && !value.is_empty() && value.chars().all(|c| c.is_ascii_digit() || c == '.')
}

fn is_integer(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Parses `go test -bench` output; see the module documentation.
///
/// `go test` ends every line it writes: a last line without its line break that is a result
/// line was cut short (the job killed, the file truncated), and its last value may be part of a
/// number with part of its unit (`1416 n` of `1416 ns/op`), which reads as a metric of its own;
/// so was one that had only begun a result (`Benc`, a name without its values), and the rest of
/// the run was lost with it.
pub fn parse(text: &str) -> Result<Run, ParseError> {
    // Every result line starts with `Benchmark`.
    refuse_cut(text, "`go test`", read(text), |last| {
        last.starts_with("Benchmark") || "Benchmark".starts_with(last)
    })
}

fn read(text: &str) -> Result<Run, ParseError> {
    let mut env = Environment::default();
    // Each benchmark of each package gathered as its lines come, so that memory is the run's,
    // not a copy per result line (10,000 benchmarks x 30 lines held 270 MB).
    // Packages by index, so that a result line's key borrows nothing and copies no package name;
    // per package, the position of each benchmark name in `gathered`. A result line allocates
    // nothing unless it brings a new benchmark or metric.
    let mut packages: Vec<Option<String>> = vec![None];
    let mut positions: Vec<FxHashMap<String, usize>> = vec![FxHashMap::default()];
    let mut package_index: FxHashMap<String, usize> = FxHashMap::default();
    let mut package = 0usize;
    let mut gathered: Vec<(usize, Benchmark)> = Vec::new();
    for (i, raw) in raw_lines(text).enumerate() {
        let no = i + 1;
        let line: Cow<'_, str> = if memchr::memchr(0x1b, raw.as_bytes()).is_some() {
            Cow::Owned(strip_ansi(raw))
        } else {
            Cow::Borrowed(raw)
        };
        if let Some((key, value)) = config_line(&line) {
            if key == "pkg" {
                // The same package again (a header per `-count` round) is the same package.
                // By a map, not a search of the packages so far: 40,000 packages took seconds.
                package = match package_index.get(value) {
                    Some(&i) => i,
                    None => {
                        package_index.insert(value.to_string(), packages.len());
                        packages.push(Some(value.to_string()));
                        positions.push(FxHashMap::default());
                        packages.len() - 1
                    }
                };
            }
            let slot = match key {
                "goos" => &mut env.os,
                "goarch" => &mut env.arch,
                "cpu" => &mut env.cpu,
                _ => {
                    env.extra
                        .entry(key.to_string())
                        .or_insert_with(|| value.to_string());
                    continue;
                }
            };
            if slot.is_none() {
                *slot = Some(value.to_string());
            }
            continue;
        }
        let Some(mut result) = result_line(&line) else {
            continue;
        };
        let Some(position) = positions.get_mut(package) else {
            continue;
        };
        let at = match position.get(result.name) {
            Some(&at) => at,
            None => {
                gathered.push((package, Benchmark::new(result.name)));
                position.insert(result.name.to_string(), gathered.len() - 1);
                gathered.len() - 1
            }
        };
        let Some((_, benchmark)) = gathered.get_mut(at) else {
            continue;
        };
        let mut measured = false;
        while let Some(value) = result.fields.next() {
            let Some(unit) = result.fields.next() else {
                return Err(ParseError::at(
                    no,
                    format!("`{}`: the value `{value}` has no unit; expected `<value> <unit>` pairs such as `123.4 ns/op`", result.name),
                ));
            };
            let (metric, unit_kind, v) = measurement(no, result.name, value, unit)?;
            benchmark.push_value(metric, unit_kind, v);
            measured = true;
        }
        if !measured {
            return Err(ParseError::at(
                no,
                format!(
                    "`{}`: expected `<value> <unit>` pairs such as `123.4 ns/op` after the iteration count {}",
                    result.name, result.iters
                ),
            ));
        }
    }
    if gathered.is_empty() {
        return Err(ParseError::whole(
            "no `go test -bench` results found: expected lines like \
             `BenchmarkName-8   1000000   123.4 ns/op` (run `go test -bench=. -run=^$`)",
        ));
    }

    // The same name under two packages are two benchmarks: qualify those names with the package.
    let mut packages_of: FxHashMap<&str, usize> = FxHashMap::default();
    for (_, b) in &gathered {
        *packages_of.entry(b.name.as_str()).or_default() += 1;
    }
    let collides: Vec<bool> = gathered
        .iter()
        .map(|(_, b)| packages_of.get(b.name.as_str()).is_some_and(|n| *n > 1))
        .collect();
    let mut benchmarks = Benchmarks::default();
    for ((package, b), collides) in gathered.into_iter().zip(collides) {
        let pkg = packages.get(package).cloned().flatten();
        let name = match (pkg, collides) {
            (Some(p), true) => format!("{p}.{}", b.name),
            _ => b.name,
        };
        benchmarks.add(name, b.metrics);
    }

    let meta = RunMeta {
        tool: Some("go".to_string()),
        environment: env,
        ..RunMeta::default()
    };
    Ok(Run::new(meta, benchmarks.into_vec()))
}

/// A configuration line `key: value`: the key starts with a lowercase letter and has no spaces or
/// uppercase letters (the benchfmt rule), and the colon is followed by a space or the line's end.
/// Lines with an empty value are ignored.
fn config_line(line: &str) -> Option<(&str, &str)> {
    let colon = memchr::memchr(b':', line.as_bytes())?;
    let (key, rest) = (line.get(..colon)?, line.get(colon + 1..)?);
    let first = key.chars().next()?;
    if !first.is_ascii_lowercase() || key.chars().any(|c| c.is_whitespace() || c.is_uppercase()) {
        return None;
    }
    if !(rest.is_empty() || rest.starts_with(|c: char| c.is_whitespace())) {
        return None;
    }
    let value = rest.trim();
    if value.is_empty() {
        return None;
    }
    Some((key, value))
}

/// A result line's name and iteration count, and the `<value> <unit>` fields after them.
struct ResultLine<'a> {
    name: &'a str,
    iters: &'a str,
    fields: Fields<'a>,
}

/// The whitespace-separated fields of a line: split byte by byte when the line is ASCII without a
/// vertical tab (there ASCII whitespace is exactly Unicode whitespace, which counts U+000B and
/// `is_ascii_whitespace` does not), else char by char. Go's output is ASCII but for names, and
/// decoding every character was a tenth of reading it.
enum Fields<'a> {
    Ascii(std::str::SplitAsciiWhitespace<'a>),
    Unicode(std::str::SplitWhitespace<'a>),
}

impl<'a> Fields<'a> {
    fn of(line: &'a str) -> Fields<'a> {
        // No early exit, so that it compiles to vector compares.
        let plain = line
            .bytes()
            .fold(true, |plain, b| plain & (b < 0x80) & (b != 0x0b));
        if plain {
            Fields::Ascii(line.split_ascii_whitespace())
        } else {
            Fields::Unicode(line.split_whitespace())
        }
    }
}

impl<'a> Iterator for Fields<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        match self {
            Fields::Ascii(f) => f.next(),
            Fields::Unicode(f) => f.next(),
        }
    }
}

/// Reads the start of a result line. `None` for lines that are not results: no `Benchmark`
/// prefix, a name going on in lowercase (`Benchmarking...`), a bare name, or no iteration count
/// after the name.
fn result_line(line: &str) -> Option<ResultLine<'_>> {
    let after = line.strip_prefix("Benchmark")?;
    if after.starts_with(|c: char| c.is_lowercase()) {
        return None;
    }
    let mut fields = Fields::of(line);
    let (name, iters) = (fields.next()?, fields.next()?);
    if !is_integer(iters) {
        return None;
    }
    Some(ResultLine {
        name,
        iters,
        fields,
    })
}

/// One `<value> <unit>` pair: the metric's name, its unit and the value in that unit.
fn measurement<'a>(
    no: usize,
    name: &str,
    value: &str,
    unit: &'a str,
) -> Result<(&'a str, Unit, f64), ParseError> {
    let looks_numeric = value
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'));
    let v: f64 = match value.parse() {
        Ok(v) if looks_numeric => v,
        _ => {
            return Err(ParseError::at(
                no,
                format!("`{name}`: expected a number before `{unit}`, found `{value}`"),
            ))
        }
    };
    let (metric, unit_kind, factor) = match unit {
        "ns/op" => ("time", Unit::Nanoseconds, 1.0),
        "B/op" => ("alloc_bytes", Unit::Bytes, 1.0),
        "allocs/op" => ("allocs", Unit::Count, 1.0),
        "MB/s" => ("throughput", Unit::BytesPerSecond, 1e6),
        other => {
            let (u, f) = Unit::parse(other);
            (other, u, f)
        }
    };
    let v = v * factor;
    if !v.is_finite() {
        return Err(ParseError::at(
            no,
            format!("`{name}`: `{value} {unit}` is not a finite number"),
        ));
    }
    if v < 0.0 && matches!(unit_kind, Unit::Nanoseconds | Unit::Bytes) {
        return Err(ParseError::at(
            no,
            format!("`{name}`: `{value} {unit}` is negative; a time or size cannot be"),
        ));
    }
    Ok((metric, unit_kind, v))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::test_support::{metric, names, value};
    use crate::model::{Data, Direction};

    const THREE: &str = include_str!("../../tests/fixtures/go/bencher-go-three.txt");
    /// Derived: `bencher-go-three.txt` with every line ending turned into CRLF (see the README).
    const THREE_CRLF: &str =
        include_str!("../../tests/fixtures/go/bencher-go-three-crlf-derived.txt");
    const OLD: &str = include_str!("../../tests/fixtures/go/benchstat-testdata-old.txt");
    const FIBER: &str = include_str!("../../tests/fixtures/go/go_fiber_duplicate_names_output.txt");
    const SUFFIXARRAY: &str = include_str!("../../tests/fixtures/go/suffixarray.bench");

    fn samples(run: &Run, bench: &str, name: &str) -> Vec<f64> {
        match &metric(run, bench, name).data {
            Data::Samples(s) => s.clone(),
            other => panic!("`{bench}` `{name}` is not samples: {other:?}"),
        }
    }

    fn metric_names(run: &Run, bench: &str) -> Vec<String> {
        run.benchmark(bench)
            .map(|b| b.metrics.iter().map(|m| m.name.clone()).collect())
            .unwrap_or_default()
    }

    fn err(text: &str) -> ParseError {
        parse(text).unwrap_err()
    }

    #[test]
    fn reads_space_separated_output_with_a_custom_metric() {
        let run = parse(THREE).unwrap();
        assert_eq!(run.meta.tool.as_deref(), Some("go"));
        assert_eq!(run.meta.environment.os.as_deref(), Some("darwin"));
        assert_eq!(run.meta.environment.arch.as_deref(), Some("arm64"));
        assert_eq!(run.meta.environment.cpu, None);
        assert_eq!(
            run.meta.environment.extra.get("pkg").map(String::as_str),
            Some("bencher.dev")
        );
        assert_eq!(
            names(&run),
            [
                "BenchmarkFib10-8",
                "BenchmarkFib20-8",
                "BenchmarkFib20WithAuxMetric-8"
            ]
        );
        assert_eq!(value(&run, "BenchmarkFib10-8", "time"), 210.2);
        assert_eq!(value(&run, "BenchmarkFib20-8", "time"), 26264.0);
        assert_eq!(
            metric_names(&run, "BenchmarkFib20WithAuxMetric-8"),
            ["time", "auxMetricUnits"]
        );
        assert_eq!(
            value(&run, "BenchmarkFib20WithAuxMetric-8", "time"),
            25829.0
        );
        let aux = metric(&run, "BenchmarkFib20WithAuxMetric-8", "auxMetricUnits");
        assert_eq!(aux.unit, Unit::Custom("auxMetricUnits".into()));
        assert_eq!(aux.data, Data::Value(4.0));
        assert_eq!(aux.direction, Direction::LowerIsBetter);
        let time = metric(&run, "BenchmarkFib10-8", "time");
        assert_eq!(time.unit, Unit::Nanoseconds);
        assert_eq!(time.direction, Direction::LowerIsBetter);
        insta::assert_json_snapshot!("bencher_go_three", run);
    }

    #[test]
    fn fields_are_split_whitespace_on_any_line() {
        // Random lines over every ASCII byte and a few Unicode spaces and letters: the byte-wise
        // path gives exactly what split_whitespace gives.
        let alphabet: Vec<char> = (0u8..0x80)
            .map(char::from)
            .chain(['\u{a0}', '\u{85}', '\u{2003}', '\u{3000}', 'ü', '日'])
            .collect();
        let mut x = 0x853c_49e6_748f_ea9b_u64;
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let len = (x % 40) as usize;
            let mut y = x;
            let line: String = (0..len)
                .map(|_| {
                    y = y.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                    let pick = (y >> 33) as usize;
                    // Mostly the bytes of a result line, so that fields come up.
                    match pick % 4 {
                        0 => ' ',
                        1 => '\t',
                        _ => alphabet
                            .get(pick / 4 % alphabet.len())
                            .copied()
                            .unwrap_or('a'),
                    }
                })
                .collect();
            let got: Vec<&str> = Fields::of(&line).collect();
            let want: Vec<&str> = line.split_whitespace().collect();
            assert_eq!(got, want, "{line:?}");
        }
    }

    #[test]
    fn fields_split_at_unicode_whitespace_as_at_spaces() {
        let spaced = parse("BenchmarkA-8 100 5.5 ns/op 3 allocs/op\n").unwrap();
        // A vertical tab and a no-break space are Unicode whitespace: the fields are the same,
        // on the byte-wise path for plain ASCII and the char-wise one for the rest.
        for line in [
            "BenchmarkA-8\u{b}100\t5.5 ns/op\u{b}3 allocs/op\n",
            "BenchmarkA-8\u{a0}100 5.5\u{a0}ns/op 3\u{2003}allocs/op\n",
            "BenchmarkA-8\t100\x0c5.5 ns/op 3\rallocs/op\n",
        ] {
            assert_eq!(parse(line).unwrap(), spaced, "{line:?}");
        }
        let named = parse("BenchmarkÜber-8 100 5.5 ns/op\n").unwrap();
        assert_eq!(names(&named), ["BenchmarkÜber-8"]);
        assert_eq!(value(&named, "BenchmarkÜber-8", "time"), 5.5);
    }

    #[test]
    fn reads_crlf_line_endings_like_lf() {
        assert_eq!(parse(THREE_CRLF).unwrap(), parse(THREE).unwrap());
    }

    #[test]
    fn pools_repeated_lines_into_samples() {
        let run = parse(OLD).unwrap();
        assert_eq!(
            names(&run),
            [
                "BenchmarkEncode/format=json-48",
                "BenchmarkEncode/format=gob-48"
            ]
        );
        assert_eq!(
            samples(&run, "BenchmarkEncode/format=json-48", "time"),
            [1726.0, 1723.0, 1707.0, 1707.0, 1713.0, 1729.0, 1736.0, 1707.0, 1705.0, 1774.0]
        );
        assert_eq!(
            samples(&run, "BenchmarkEncode/format=gob-48", "time"),
            [3069.0, 3075.0, 3069.0, 3067.0, 3207.0, 3064.0, 3064.0, 3058.0, 3059.0, 3062.0]
        );
        assert_eq!(run.metric_count(), 2);
        assert_eq!(run.meta.environment.os.as_deref(), Some("linux"));
        assert_eq!(run.meta.environment.arch.as_deref(), Some("amd64"));
        assert_eq!(
            run.meta.environment.extra.get("pkg").map(String::as_str),
            Some("golang.org/x/perf/cmd/benchstat/testdata")
        );
    }

    #[test]
    fn reads_benchmem_and_throughput_columns_with_ten_samples_each() {
        let run = parse(SUFFIXARRAY).unwrap();
        assert_eq!(run.benchmarks.len(), 42);
        assert_eq!(run.metric_count(), 42 * 4);
        for b in &run.benchmarks {
            assert_eq!(
                b.metrics
                    .iter()
                    .map(|m| m.name.as_str())
                    .collect::<Vec<_>>(),
                ["time", "throughput", "alloc_bytes", "allocs"],
                "{}",
                b.name
            );
            assert!(b.metrics.iter().all(|m| m.data.n() == 10), "{}", b.name);
        }
        let first = "BenchmarkNew/text=opticks/size=100K/bits=32-8";
        assert_eq!(names(&run).first(), Some(&first));
        assert_eq!(names(&run).last(), Some(&"BenchmarkSaveRestore/bits=64-8"));
        let time = samples(&run, first, "time");
        assert_eq!(time.first(), Some(&4052123.0));
        assert_eq!(time.last(), Some(&4775885.0));
        let tp = metric(&run, first, "throughput");
        assert_eq!(tp.unit, Unit::BytesPerSecond);
        assert_eq!(tp.direction, Direction::HigherIsBetter);
        assert_eq!(samples(&run, first, "throughput").first(), Some(&24.68e6));
        let bytes = metric(&run, first, "alloc_bytes");
        assert_eq!(bytes.unit, Unit::Bytes);
        assert_eq!(samples(&run, first, "alloc_bytes").first(), Some(&401490.0));
        let allocs = metric(&run, first, "allocs");
        assert_eq!(allocs.unit, Unit::Count);
        assert_eq!(samples(&run, first, "allocs"), [2.0; 10]);
        let last = samples(&run, "BenchmarkSaveRestore/bits=64-8", "time");
        assert_eq!(last.last(), Some(&12699273.0));
        assert_eq!(
            run.meta.environment.cpu.as_deref(),
            Some("Intel(R) Core(TM) i7-8665U CPU @ 1.90GHz")
        );
        assert_eq!(
            run.meta.environment.extra.get("pkg").map(String::as_str),
            Some("index/suffixarray")
        );
    }

    #[test]
    fn qualifies_names_that_occur_in_two_packages() {
        let run = parse(FIBER).unwrap();
        let cache = "github.com/gofiber/fiber/v3/middleware/cache";
        let csrf = "github.com/gofiber/fiber/v3/middleware/csrf";
        assert_eq!(
            names(&run),
            [
                format!("{cache}.BenchmarkAppendMsgitem-4"),
                format!("{cache}.BenchmarkUnmarshalitem-4"),
                format!("{csrf}.BenchmarkAppendMsgitem-4"),
                format!("{csrf}.BenchmarkUnmarshalitem-4"),
            ]
        );
        let b = format!("{csrf}.BenchmarkAppendMsgitem-4");
        assert_eq!(value(&run, &b, "time"), 0.3733);
        assert_eq!(value(&run, &b, "throughput"), 2678.46e6);
        assert_eq!(value(&run, &b, "alloc_bytes"), 0.0);
        assert_eq!(value(&run, &b, "allocs"), 0.0);
        let b = format!("{cache}.BenchmarkUnmarshalitem-4");
        assert_eq!(value(&run, &b, "time"), 174.0);
        assert_eq!(value(&run, &b, "throughput"), 907.83e6);
        // First value wins for metadata: the first package is recorded.
        let env = &run.meta.environment;
        assert_eq!(env.extra.get("pkg"), Some(&cache.to_string()));
        assert_eq!(env.cpu.as_deref(), Some("AMD EPYC 7763 64-Core Processor"));
        assert_eq!(env.os.as_deref(), Some("linux"));
        insta::assert_json_snapshot!("go_fiber_duplicate_names", run);
    }

    #[test]
    fn keeps_names_bare_when_only_one_package_has_them() {
        let text = "pkg: a\nBenchmarkX-8 10 5 ns/op\npkg: b\nBenchmarkY-8 10 6 ns/op\nBenchmarkX-8 10 7 ns/op\n";
        let run = parse(text).unwrap();
        assert_eq!(
            names(&run),
            ["a.BenchmarkX-8", "BenchmarkY-8", "b.BenchmarkX-8"]
        );
    }

    #[test]
    fn a_package_header_repeated_per_round_is_one_package() {
        // `go test -count` in a shell loop prints the header before every round.
        let text = "pkg: a\nBenchmarkX-8 10 5 ns/op\npkg: a\nBenchmarkX-8 10 7 ns/op\n";
        let run = parse(text).unwrap();
        assert_eq!(names(&run), ["BenchmarkX-8"]);
        let b = run.benchmark("BenchmarkX-8").unwrap();
        assert_eq!(
            b.metric("time").unwrap().data,
            Data::Samples(vec![5.0, 7.0])
        );
    }

    #[test]
    fn skips_noise_bare_names_bench_blocks_and_comments() {
        let text = "\
# a comment line
note: run on a quiet machine
Unit ns/op assume=exact
=== RUN   TestSomething
--- PASS: TestSomething (0.00s)
BenchmarkLogs
BenchmarkLogs-8   \t     100\t     12.5 ns/op\t  3 B/op\t 1 allocs/op
--- BENCH: BenchmarkLogs-8
    bench_test.go:12: BenchmarkLogs 100 abc ns/op is log output, not a result
Benchmarking is fun: this is prose
BenchmarkWarmup is starting
\u{1b}[32mBenchmarkColour-4 \t 200 \t 8 ns/op\u{1b}[0m
PASS
ok  \texample.com/x\t1.2s
FAIL
";
        let run = parse(text).unwrap();
        assert_eq!(names(&run), ["BenchmarkLogs-8", "BenchmarkColour-4"]);
        assert_eq!(value(&run, "BenchmarkLogs-8", "time"), 12.5);
        assert_eq!(value(&run, "BenchmarkLogs-8", "alloc_bytes"), 3.0);
        assert_eq!(value(&run, "BenchmarkLogs-8", "allocs"), 1.0);
        assert_eq!(value(&run, "BenchmarkColour-4", "time"), 8.0);
        assert_eq!(
            run.meta.environment.extra.get("note").map(String::as_str),
            Some("run on a quiet machine")
        );
        assert!(!run
            .meta
            .environment
            .extra
            .contains_key("Unit ns/op assume=exact"));
        assert!(looks_like(text));
    }

    #[test]
    fn converts_reported_metrics_with_known_units() {
        let text = "BenchmarkQ-8 50 100 ns/op 0.25 sec/op 12 p99-ns 3.5 ops/s\n";
        let run = parse(text).unwrap();
        let sec = metric(&run, "BenchmarkQ-8", "sec/op");
        assert_eq!(sec.unit, Unit::Nanoseconds);
        assert_eq!(sec.data, Data::Value(0.25e9));
        let p99 = metric(&run, "BenchmarkQ-8", "p99-ns");
        assert_eq!(p99.unit, Unit::Custom("p99-ns".into()));
        let ops = metric(&run, "BenchmarkQ-8", "ops/s");
        assert_eq!(ops.unit, Unit::PerSecond);
        assert_eq!(ops.direction, Direction::HigherIsBetter);
    }

    #[test]
    fn keeps_the_gomaxprocs_suffix_as_part_of_the_name() {
        let run = parse("BenchmarkFib10 10 5 ns/op\nBenchmarkFib10-8 10 6 ns/op\n").unwrap();
        assert_eq!(names(&run), ["BenchmarkFib10", "BenchmarkFib10-8"]);
    }

    #[test]
    fn first_config_value_wins() {
        let run =
            parse("goos: linux\ncpu: A\ngoos: darwin\ncpu: B\nBenchmarkX 1 1 ns/op\n").unwrap();
        assert_eq!(run.meta.environment.os.as_deref(), Some("linux"));
        assert_eq!(run.meta.environment.cpu.as_deref(), Some("A"));
    }

    #[test]
    fn fails_on_a_malformed_value_naming_the_line() {
        let e = err("goos: linux\nBenchmarkX 100 abc ns/op\n");
        assert_eq!(e.line, Some(2));
        assert!(
            e.message
                .contains("expected a number before `ns/op`, found `abc`"),
            "{e}"
        );
    }

    #[test]
    fn fails_on_a_value_without_unit() {
        let e = err("BenchmarkX 100 12 ns/op 7\n");
        assert_eq!(e.line, Some(1));
        assert!(e.message.contains("has no unit"), "{e}");
    }

    /// A file cut just after a result line, inside the next one, read as if the run ended there.
    #[test]
    fn a_result_line_cut_at_its_start_is_an_error() {
        let full = include_str!("../../tests/fixtures/go/bencher-go-three.txt");
        let second = full
            .match_indices("\nBenchmark")
            .nth(1)
            .map(|(i, _)| i + 1)
            .unwrap();
        for end in [second + 1, second + 4, second + 12] {
            let cut = full.get(..end).unwrap();
            let e = parse(cut).unwrap_err();
            assert_eq!(e.line, Some(5), "{cut:?}: {e}");
            assert!(
                e.message.starts_with(super::super::common::text::CUT),
                "{cut:?}: {e}"
            );
        }
        // A complete output without its final line break is read.
        assert!(parse(full.trim_end()).is_ok());
    }

    /// A file cut inside its last result line gave `1416 n` of `1416 ns/op` as a metric `n`.
    #[test]
    fn a_result_line_cut_short_is_an_error() {
        let full =
            "goos: linux\nBenchmarkA-8 \t 100 \t 1423 ns/op\nBenchmarkA-8 \t 100 \t 1416 ns/op\n";
        assert!(parse(full).is_ok());
        let cut = full.get(..full.len() - 5).unwrap();
        assert!(cut.ends_with("1416 n"));
        let e = parse(cut).unwrap_err();
        assert_eq!(e.line, Some(3));
        assert!(
            e.message.starts_with(super::super::common::text::CUT),
            "{e}"
        );
        // Without its line break, a last line that is not a result is fine.
        assert!(parse(&format!("{full}PASS")).is_ok());
    }

    #[test]
    fn fails_on_an_iteration_count_without_values() {
        let e = err("BenchmarkX-8 100\n");
        assert_eq!(e.line, Some(1));
        assert!(e.message.contains("expected `<value> <unit>` pairs"), "{e}");
    }

    #[test]
    fn fails_on_negative_or_non_finite_times_and_sizes() {
        let e = err("BenchmarkX 100 -5 ns/op\n");
        assert_eq!(e.line, Some(1));
        assert!(e.message.contains("negative"), "{e}");
        let e = err("\nBenchmarkX 100 5 ns/op -1 B/op\n");
        assert_eq!(e.line, Some(2));
        let e = err("BenchmarkX 100 NaN ns/op\n");
        assert!(e.message.contains("found `NaN`"), "{e}");
        let e = err("BenchmarkX 100 1e999 ns/op\n");
        assert!(e.message.contains("not a finite number"), "{e}");
        // A custom metric may be negative.
        let run = parse("BenchmarkX 100 5 ns/op -3 delta\n").unwrap();
        assert_eq!(value(&run, "BenchmarkX", "delta"), -3.0);
    }

    #[test]
    fn fails_when_there_are_no_results() {
        for text in [
            "",
            "\n\n",
            "PASS\nok  \tx\t0.1s\n",
            "goos: linux\nBenchmarkX\n",
        ] {
            let e = err(text);
            assert_eq!(e.line, None);
            assert!(e.message.contains("no `go test -bench` results"), "{e}");
        }
    }

    /// Each `pkg:` line was searched in the packages seen: 50,000 packages took minutes, a moment
    /// by a map (no timing is asserted).
    #[test]
    fn reads_fifty_thousand_packages_in_one_pass() {
        let text: String = (0..50_000)
            .map(|i| format!("pkg: p{i}\nBenchmarkX-8 1 {i} ns/op\n"))
            .collect();
        let run = parse(&text).unwrap();
        assert_eq!(run.benchmarks.len(), 50_000);
        let last = run.benchmarks.last().unwrap();
        assert_eq!(last.name, "p49999.BenchmarkX-8");
        assert_eq!(last.metric("time").unwrap().data, Data::Value(49_999.0));
    }

    #[test]
    fn real_files_are_detected_as_go() {
        for text in [THREE, THREE_CRLF, OLD, FIBER, SUFFIXARRAY] {
            assert_eq!(super::super::detect(text), Ok(super::super::Format::Go));
        }
    }

    #[test]
    fn detects_result_lines_with_tabs_or_spaces() {
        assert!(looks_like(THREE));
        assert!(looks_like(THREE_CRLF));
        assert!(looks_like(OLD));
        assert!(looks_like(FIBER));
        assert!(looks_like(SUFFIXARRAY));
        assert!(!looks_like(""));
        assert!(!looks_like("BenchmarkX\nPASS\n"));
        assert!(!looks_like("  BenchmarkX 100 5 ns/op\n"));
        assert!(!looks_like("BenchmarkX 1e3 5 ns/op\n"));
        assert!(!looks_like(
            r#"[{"name": "BenchmarkX", "unit": "ns", "value": 1}]"#
        ));
    }
}
