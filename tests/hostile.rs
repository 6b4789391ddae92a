//! Hostile input through the built binary, as a pull request can hand it to the runner (issue
//! 14): names that try to be workflow commands, result paths that lead to the runner's secrets,
//! files that never end, and compressed padding.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Output};

fn perfgate(workspace: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_perfgate"));
    c.current_dir(workspace)
        .env("NO_COLOR", "1")
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_WORKSPACE", workspace)
        .env("INPUT_GITHUB-TOKEN", "ghs_s3cr3tT0kenValue0123456789")
        .env_remove("GITHUB_SHA")
        .env_remove("GITHUB_REF_NAME")
        .env_remove("GITHUB_HEAD_REF");
    c
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// The workflow commands the Actions runner would run from a log: lines starting (after
/// whitespace) with `::`, or holding the older `##[` form anywhere, outside a
/// `::stop-commands::TOKEN` ... `::TOKEN::` frame; the frame's own two lines are not counted.
fn live_commands(log: &str) -> Vec<String> {
    let mut stopped: Option<String> = None;
    let mut live = Vec::new();
    for line in log.lines() {
        let t = line.trim_start();
        if let Some(token) = &stopped {
            if t == format!("::{token}::") {
                stopped = None;
            }
            continue;
        }
        if let Some(token) = t.strip_prefix("::stop-commands::") {
            stopped = Some(token.to_string());
            continue;
        }
        if t.starts_with("::") || line.contains("##[") {
            live.push(line.to_string());
        }
    }
    live
}

/// A perfgate run with one metric per benchmark name, `ns` times of ten samples scaled by `f`.
fn run_json(names: &[&str], f: f64) -> String {
    let benchmarks: Vec<serde_json::Value> = names
        .iter()
        .map(|n| {
            let samples: Vec<f64> = (0..10).map(|i| f * (100.0 + i as f64)).collect();
            serde_json::json!({"name": n, "metrics": [
                {"name": "time", "unit": "ns", "direction": "lower_is_better", "samples": samples}
            ]})
        })
        .collect();
    serde_json::json!({"schema": "perfgate.run.v1", "meta": {}, "benchmarks": benchmarks})
        .to_string()
}

const HOSTILE_NAMES: &[&str] = &[
    "::add-mask::perfgate",
    "::stop-commands::pwned",
    "::error file=x::fake annotation",
    "  ::warning::indented",
    "a ##[error]old-style command",
    "\u{1b}]8;;https://evil.example\u{7}link\u{1b}]8;;\u{7}",
];

#[test]
fn hostile_benchmark_names_print_but_never_run_as_commands() {
    let ws = tempfile::tempdir().unwrap();
    std::fs::write(ws.path().join("base.json"), run_json(HOSTILE_NAMES, 1.0)).unwrap();
    std::fs::write(ws.path().join("cur.json"), run_json(HOSTILE_NAMES, 1.5)).unwrap();
    let out = perfgate(ws.path())
        .args([
            "compare",
            "--baseline",
            "base.json",
            "--current",
            "cur.json",
        ])
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    // The names are in the report...
    assert!(stdout.contains("::add-mask::perfgate"), "{stdout}");
    assert!(stdout.contains("##[error]old-style command"), "{stdout}");
    // ...inside a frame the runner reads no command from.
    assert_eq!(live_commands(&stdout), Vec::<String>::new(), "{stdout}");
    assert_eq!(live_commands(&stderr), Vec::<String>::new(), "{stderr}");
    let show = perfgate(ws.path())
        .args(["show", "cur.json"])
        .output()
        .unwrap();
    let (stdout, _) = text(&show);
    assert!(stdout.contains("::stop-commands::"), "{stdout}");
    assert_eq!(live_commands(&stdout), Vec::<String>::new(), "{stdout}");
}

#[test]
fn errors_quote_input_inert_and_never_a_secret() {
    let ws = tempfile::tempdir().unwrap();
    // A header that carries a secret from the environment, a command and an escape sequence.
    std::fs::write(
        ws.path().join("raw.csv"),
        "ghs_s3cr3tT0kenValue0123456789,##[error]x\u{1b}[2J,\n::error::y\n",
    )
    .unwrap();
    let out = perfgate(ws.path())
        .args(["show", "--format", "criterion-csv", "raw.csv"])
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stdout}\n{stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(!stderr.contains("ghs_s3cr3t"), "{stderr}");
    assert!(stderr.contains("***"), "{stderr}");
    assert!(!stderr.contains('\u{1b}'), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert_eq!(live_commands(&stderr), Vec::<String>::new(), "{stderr}");
    // A result file named to start a command.
    let name = "x\n::error::named.json";
    std::fs::write(ws.path().join(name), "not a result").unwrap();
    let out = perfgate(ws.path()).args(["show", name]).output().unwrap();
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(live_commands(&stderr), Vec::<String>::new(), "{stderr}");
}

#[cfg(unix)]
#[test]
fn a_link_out_of_the_workspace_is_refused_before_anything_is_read() {
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("environ");
    std::fs::write(&secret, "group,function,value\nINPUT_GITHUB-TOKEN=leaked\n").unwrap();
    let ws = tempfile::tempdir().unwrap();
    let dir = ws.path().join("target/criterion/parse");
    std::fs::create_dir_all(&dir).unwrap();
    std::os::unix::fs::symlink(&secret, dir.join("raw.csv")).unwrap();
    let out = perfgate(ws.path())
        .args([
            "show",
            "--format",
            "criterion-csv",
            "target/criterion/parse/raw.csv",
        ])
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stdout}\n{stderr}");
    assert!(stderr.contains("symbolic link"), "{stderr}");
    assert!(stderr.contains("outside the workspace"), "{stderr}");
    assert!(
        !stderr.contains("leaked") && !stdout.contains("leaked"),
        "{stderr}"
    );
    // A link that stays inside the workspace is read as the file it points at.
    let inside = ws.path().join("go.txt");
    std::fs::write(
        &inside,
        "BenchmarkA-2 \t 1000 \t 100 ns/op\nBenchmarkA-2 \t 1000 \t 101 ns/op\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(&inside, ws.path().join("link.txt")).unwrap();
    let out = perfgate(ws.path())
        .args(["show", "link.txt"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out).1);
}

/// Inside a criterion directory a link out of the workspace was skipped without a word: the
/// benchmark fell back to its estimate alone. It is refused as a link given directly is.
#[cfg(unix)]
#[test]
fn a_link_out_of_the_workspace_inside_a_criterion_directory_is_refused() {
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("environ");
    std::fs::write(&secret, "INPUT_GITHUB-TOKEN=leaked\n").unwrap();
    let ws = tempfile::tempdir().unwrap();
    let from = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/reruns/quiet/criterion/run1/fib_20");
    let new = ws.path().join("criterion/fib_20/new");
    std::fs::create_dir_all(&new).unwrap();
    for name in ["benchmark.json", "estimates.json", "sample.json"] {
        std::fs::copy(from.join("new").join(name), new.join(name)).unwrap();
    }
    let out = perfgate(ws.path())
        .args(["show", "criterion"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out).1);
    // A link inside the workspace is read as its file.
    std::fs::rename(new.join("sample.json"), ws.path().join("sample.json")).unwrap();
    std::os::unix::fs::symlink(ws.path().join("sample.json"), new.join("sample.json")).unwrap();
    let out = perfgate(ws.path())
        .args(["show", "criterion"])
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stdout.contains("median"), "{stdout}");
    std::fs::remove_file(new.join("sample.json")).unwrap();
    std::os::unix::fs::symlink(&secret, new.join("sample.json")).unwrap();
    let out = perfgate(ws.path())
        .args(["show", "criterion"])
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("sample.json` is a symbolic link to"),
        "{stderr}"
    );
    assert!(!stderr.contains("leaked") && !stdout.contains("leaked"));
}

#[cfg(unix)]
#[test]
fn devices_and_fifos_are_not_result_files() {
    let ws = tempfile::tempdir().unwrap();
    let fifo = ws.path().join("results.txt");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    for path in [fifo.as_path(), Path::new("/dev/zero")] {
        let out = perfgate(ws.path()).arg("show").arg(path).output().unwrap();
        let (_, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("not a regular file"), "{stderr}");
        // import's history too (it hung on a FIFO and filled memory from /dev/zero).
        let out = perfgate(ws.path())
            .arg("import")
            .arg(path)
            .args(["--store", "store"])
            .output()
            .unwrap();
        let (_, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains("expected a github-action-benchmark history"),
            "{stderr}"
        );
    }
}

/// The config file and a template get the checks result files get: a pull request's
/// `perfgate.toml` as a link to the runner's files was read and quoted by the parse error, and
/// `--config /dev/zero` grew to gigabytes.
#[cfg(unix)]
#[test]
fn config_files_and_templates_are_read_as_carefully_as_results() {
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("c2");
    std::fs::write(&secret, "ghp_leakedSecretValue123 = 1\n").unwrap();
    let ws = tempfile::tempdir().unwrap();
    std::fs::write(
        ws.path().join("go.txt"),
        "BenchmarkA-2 \t 1000 \t 100 ns/op\nBenchmarkA-2 \t 1000 \t 101 ns/op\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(&secret, ws.path().join("perfgate.toml")).unwrap();
    let compare = |more: &[&str]| {
        let out = perfgate(ws.path())
            .args(["compare", "--baseline", "go.txt", "--current", "go.txt"])
            .args(more)
            .output()
            .unwrap();
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(2), "{stdout}\n{stderr}");
        assert!(
            !stderr.contains("leaked") && !stdout.contains("leaked"),
            "{stderr}"
        );
        stderr
    };
    let err = compare(&[]);
    assert!(
        err.contains("`perfgate.toml` is a symbolic link to"),
        "{err}"
    );
    assert!(err.contains("outside the workspace"), "{err}");
    std::fs::remove_file(ws.path().join("perfgate.toml")).unwrap();

    let err = compare(&["--config", "/dev/zero"]);
    assert!(err.contains("`/dev/zero` is not a regular file"), "{err}");
    assert!(err.contains("expected a config file"), "{err}");
    let fifo = ws.path().join("template.j2");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let err = compare(&["--template", "template.j2", "--report-md", "r.md"]);
    assert!(err.contains("expected a template"), "{err}");
    std::fs::write(ws.path().join("big.toml"), vec![b'#'; 2 << 20]).unwrap();
    let err = compare(&["--config", "big.toml"]);
    assert!(
        err.contains("cannot read a config file `big.toml`: larger than 1048576 bytes (1 MiB at most, for a file written by hand): not read"),
        "{err}"
    );
    // Exactly the cap reads (a comment of 1 MiB is a valid config).
    std::fs::write(ws.path().join("big.toml"), vec![b'#'; 1 << 20]).unwrap();
    let out = perfgate(ws.path())
        .args(["compare", "--baseline", "go.txt", "--current", "go.txt"])
        .args(["--config", "big.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out).1);
}

#[test]
fn compressed_padding_past_the_cap_is_an_error_not_a_pass() {
    let ws = tempfile::tempdir().unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(b"BenchmarkA-2 \t 1000 \t 100 ns/op\nBenchmarkA-2 \t 1000 \t 101 ns/op\n")
        .unwrap();
    let padding = vec![b' '; 1 << 20];
    for _ in 0..8 {
        gz.write_all(&padding).unwrap();
    }
    std::fs::write(ws.path().join("go.txt.gz"), gz.finish().unwrap()).unwrap();
    let out = perfgate(ws.path())
        .env("PERFGATE_MAX_INPUT", "1MiB")
        .args(["show", "go.txt.gz"])
        .output()
        .unwrap();
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("larger than 1048576 bytes"), "{stderr}");
    // Under the default cap the same file reads.
    let out = perfgate(ws.path())
        .args(["show", "go.txt.gz"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out).1);
    // A cap that is not a size is an error naming the variable.
    let out = perfgate(ws.path())
        .env("PERFGATE_MAX_INPUT", "lots")
        .args(["show", "go.txt.gz"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).1.contains("PERFGATE_MAX_INPUT"));
}

/// k6's NDJSON is streamed in bounded memory, but the cap held only for the other formats: a
/// small .gz of endless records was read to its end.
#[test]
fn a_streamed_k6_file_past_the_cap_is_an_error_too() {
    let ws = tempfile::tempdir().unwrap();
    let mut ndjson = String::from(
        r#"{"type":"Metric","data":{"name":"http_reqs","type":"counter","contains":"default","thresholds":[],"submetrics":null},"metric":"http_reqs"}"#,
    );
    ndjson.push('\n');
    let point = r#"{"metric":"http_reqs","type":"Point","data":{"time":"2024-02-21T16:43:55Z","value":1,"tags":{}}}"#;
    for _ in 0..20_000 {
        ndjson.push_str(point);
        ndjson.push('\n');
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(ndjson.as_bytes()).unwrap();
    std::fs::write(ws.path().join("k6.json.gz"), gz.finish().unwrap()).unwrap();
    std::fs::write(ws.path().join("k6.json"), &ndjson).unwrap();
    for name in ["k6.json.gz", "k6.json"] {
        let out = perfgate(ws.path())
            .env("PERFGATE_MAX_INPUT", "1MiB")
            .args(["show", name])
            .output()
            .unwrap();
        let (_, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
        assert!(
            stderr.contains("larger than 1048576 bytes"),
            "{name}: {stderr}"
        );
        // Under the default cap it reads.
        let out = perfgate(ws.path()).args(["show", name]).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{name}: {}", text(&out).1);
    }
}

#[test]
fn a_token_with_a_line_break_is_an_input_error_not_a_panic() {
    let ws = tempfile::tempdir().unwrap();
    std::fs::write(
        ws.path().join("go.txt"),
        "BenchmarkA-2 \t 1000 \t 100 ns/op\nBenchmarkA-2 \t 1000 \t 101 ns/op\n",
    )
    .unwrap();
    let out = perfgate(ws.path())
        .arg("action")
        .env("INPUT_RESULTS", "go.txt")
        .env("INPUT_GITHUB-TOKEN", "ghs_abcdefgh\r\nX-Injected: 1")
        .env("GITHUB_EVENT_NAME", "pull_request")
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stdout}\n{stderr}");
    assert!(stderr.contains("input `github-token`"), "{stderr}");
    assert!(!stderr.contains("ghs_abcdefgh") && !stdout.contains("ghs_abcdefgh"));
}
