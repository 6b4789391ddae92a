//! Keeps the README and the book (`docs/`) from drifting away from the code: every Action input
//! and output, config key and format is documented, every relative link resolves, every chapter
//! is in `SUMMARY.md`, and the README stays a short front page that starts with the two commands,
//! which still do what it shows.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(rel: &str) -> String {
    let path = root().join(rel);
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Every `.md` file under `docs/src`, as paths relative to `docs/src`, sorted.
fn chapters() -> Vec<PathBuf> {
    fn walk(dir: &Path, base: &Path, out: &mut Vec<PathBuf>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, base, out);
            } else if path.extension().is_some_and(|e| e == "md") {
                out.push(path.strip_prefix(base).unwrap().to_path_buf());
            }
        }
    }
    let base = root().join("docs/src");
    let mut out = Vec::new();
    walk(&base, &base, &mut out);
    out.sort();
    out
}

/// The whole book's text.
fn book() -> String {
    chapters()
        .iter()
        .map(|c| read(&format!("docs/src/{}", c.display())))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The names under a top-level `section:` of action.yml (its two-space-indented keys).
fn action_names(section: &str) -> Vec<String> {
    let yml = read("action.yml");
    let mut names = Vec::new();
    let mut inside = false;
    for line in yml.lines() {
        if !line.starts_with(' ') && !line.trim().is_empty() {
            inside = line.trim_end() == format!("{section}:");
            continue;
        }
        if inside {
            if let Some(rest) = line.strip_prefix("  ") {
                if !rest.starts_with(' ') && !rest.starts_with('#') {
                    if let Some((name, _)) = rest.split_once(':') {
                        names.push(name.trim().to_string());
                    }
                }
            }
        }
    }
    names
}

/// Names that `text` lacks as `` `name` ``.
fn undocumented<'a>(text: &str, names: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    names
        .into_iter()
        .filter(|n| !text.contains(&format!("`{n}`")))
        .collect()
}

#[test]
fn the_action_reference_names_every_input_and_output() {
    let page = read("docs/src/action.md");
    let inputs = action_names("inputs");
    let outputs = action_names("outputs");
    assert!(
        inputs.len() >= 10 && inputs.contains(&"results".to_string()),
        "{inputs:?}"
    );
    assert!(outputs.contains(&"verdict".to_string()), "{outputs:?}");
    let all: Vec<&str> = inputs.iter().chain(&outputs).map(String::as_str).collect();
    let missing = undocumented(&page, all);
    assert!(
        missing.is_empty(),
        "docs/src/action.md does not name: {missing:?}"
    );
}

#[test]
fn the_configuration_page_names_every_key() {
    use perfgate::config::{HISTORY_KEYS, KEYS, RULE_KEYS, STORE_KEYS};
    let page = read("docs/src/configuration.md");
    let keys = KEYS
        .iter()
        .chain(RULE_KEYS)
        .chain(STORE_KEYS)
        .chain(HISTORY_KEYS)
        .copied();
    let missing = undocumented(&page, keys);
    assert!(
        missing.is_empty(),
        "docs/src/configuration.md does not name: {missing:?}"
    );
    for table in ["[[rule]]", "[budgets]", "[store]", "[history]"] {
        assert!(
            page.contains(table),
            "docs/src/configuration.md lacks {table}"
        );
    }
}

#[test]
fn the_book_names_every_format() {
    let text = book();
    let names = perfgate::formats::FORMATS.iter().map(|f| f.1);
    let missing = undocumented(&text, names);
    assert!(
        missing.is_empty(),
        "the book does not name the formats {missing:?}"
    );
}

/// The command-line reference names every option of every command (as `--name`), from each
/// command's own `--help`.
#[test]
fn the_cli_reference_names_every_option() {
    let page = read("docs/src/cli.md");
    let mut missing = Vec::new();
    for cmd in ["compare", "save", "show", "formats", "import", "dashboard"] {
        let out = Command::cargo_bin("perfgate")
            .unwrap()
            .args([cmd, "--help"])
            .output()
            .unwrap();
        let help = String::from_utf8(out.stdout).unwrap();
        for word in help.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-')) {
            let Some(name) = word.strip_prefix("--") else {
                continue;
            };
            if name.is_empty() || name == "help" || name == "version" {
                continue;
            }
            let flag = format!("`--{name}");
            if !page.contains(&flag) {
                missing.push(format!("{cmd} --{name}"));
            }
        }
    }
    missing.dedup();
    assert!(
        missing.is_empty(),
        "docs/src/cli.md does not name {missing:?}"
    );
}

/// The formats page lists the formats in the order auto-detection tries them, as it says
/// (`perfgate formats` prints that order).
#[test]
fn the_formats_table_is_in_detection_order() {
    let page = read("docs/src/formats.md");
    let listed: Vec<&str> = page
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .flat_map(|l| {
            let cell = l.split(" |").next().unwrap_or_default();
            cell.split(", ")
                .map(|n| n.trim_matches('`'))
                .collect::<Vec<_>>()
        })
        .filter(|n| *n != "--format")
        .collect();
    let order: Vec<&str> = perfgate::formats::FORMATS.iter().map(|f| f.1).collect();
    assert_eq!(listed, order);
}

/// The targets of the Markdown links `](target)` in `text`.
fn link_targets(text: &str) -> Vec<String> {
    text.split("](")
        .skip(1)
        .filter_map(|rest| rest.split_once(')').map(|(t, _)| t.trim().to_string()))
        .collect()
}

/// The anchor mdBook (and GitHub) gives a heading: lower case, spaces to `-`, punctuation dropped.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}

/// The anchors of the headings of a Markdown file (outside code blocks).
fn anchors(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut code = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            code = !code;
        } else if !code && line.starts_with('#') {
            out.insert(anchor(line.trim_start_matches('#')));
        }
    }
    out
}

/// Broken relative `.md` links of the file `rel` (relative to the repository).
fn broken_links(rel: &str) -> Vec<String> {
    let text = read(rel);
    let dir = root().join(rel).parent().unwrap().to_path_buf();
    let mut broken = Vec::new();
    for target in link_targets(&text) {
        if target.contains("://") || target.starts_with("mailto:") {
            continue;
        }
        let (file, fragment) = match target.split_once('#') {
            Some((f, a)) => (f, Some(a)),
            None => (target.as_str(), None),
        };
        if !file.ends_with(".md") {
            continue;
        }
        let path = dir.join(file);
        match fs::read_to_string(&path) {
            Err(_) => broken.push(format!("{rel}: {target} (no such file)")),
            Ok(linked) => {
                if let Some(a) = fragment {
                    if !anchors(&linked).contains(a) {
                        broken.push(format!("{rel}: {target} (no such heading)"));
                    }
                }
            }
        }
    }
    broken
}

#[test]
fn every_relative_link_resolves() {
    let mut files = vec!["README.md".to_string()];
    files.extend(
        chapters()
            .iter()
            .map(|c| format!("docs/src/{}", c.display())),
    );
    let broken: Vec<String> = files.iter().flat_map(|f| broken_links(f)).collect();
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn every_chapter_is_in_the_summary() {
    let summary = read("docs/src/SUMMARY.md");
    let listed: BTreeSet<String> = link_targets(&summary).into_iter().collect();
    let unlisted: Vec<String> = chapters()
        .iter()
        .map(|c| c.display().to_string().replace('\\', "/"))
        .filter(|c| c != "SUMMARY.md" && !listed.contains(c))
        .collect();
    assert!(
        unlisted.is_empty(),
        "chapters missing from SUMMARY.md: {unlisted:?}"
    );
    assert!(read("docs/book.toml").contains("src = \"src\""));
}

const RUN: &str =
    "cargo run -- compare --baseline examples/go/base.txt --current examples/go/head.txt";

#[test]
fn the_readme_is_a_short_front_page_that_starts_with_the_two_commands() {
    let readme = read("README.md");
    assert!(
        readme.len() <= 12_288,
        "README.md is {} bytes; the front page stays within 12 KiB (move detail into docs/)",
        readme.len()
    );
    let first = readme
        .lines()
        .find(|l| l.starts_with("## "))
        .expect("README.md has no ## section");
    assert_eq!(first, "## The two commands");
    let section = readme
        .split("## The two commands")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .unwrap();
    assert!(section.contains(RUN), "the first command changed");
    assert!(
        section
            .lines()
            .any(|l| l.starts_with("cargo test ") || l == "cargo test"),
        "the second command is `cargo test`"
    );
}

#[test]
fn the_first_command_prints_the_report_the_readme_shows() {
    let readme = read("README.md");
    let shown = readme
        .split("exits with code 1")
        .nth(1)
        .and_then(|s| s.split("```\n").nth(1))
        .expect("README.md shows the first command's report in a code block");
    let args: Vec<&str> = RUN.split_whitespace().skip(3).collect();
    let out = Command::cargo_bin("perfgate")
        .unwrap()
        .current_dir(root())
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_ACTIONS")
        .args(&args)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "the README says it exits 1");
    let stdout = String::from_utf8(out.stdout).unwrap();
    // The first line names the current commit, branch and time, which change.
    let skip_first = |s: &str| s.lines().skip(1).collect::<Vec<_>>().join("\n");
    assert_eq!(skip_first(&stdout).trim(), skip_first(shown).trim());
}

/// The README's install section and the release workflow that makes what it downloads: the same
/// four targets, the archive and folder names it unpacks, and the Rust version Cargo.toml needs.
#[test]
fn the_install_section_matches_the_release_workflow() {
    let readme = read("README.md");
    let release = read(".github/workflows/release.yml");
    let targets: Vec<&str> = release
        .lines()
        .filter_map(|l| l.trim().strip_prefix("- { target: "))
        .filter_map(|l| l.split(',').next())
        .collect();
    assert_eq!(
        targets,
        [
            "x86_64-unknown-linux-musl",
            "aarch64-unknown-linux-musl",
            "x86_64-apple-darwin",
            "aarch64-apple-darwin"
        ]
    );
    for t in &targets {
        assert!(readme.contains(t), "the README does not name {t}");
    }
    // The archive `perfgate-<version>-<target>.tar.gz` holds the folder of the same name.
    assert!(release.contains(r#"name="perfgate-${VERSION}-${{ matrix.target }}""#));
    assert!(release.contains(r#"tar czf "$name.tar.gz" "$name""#));
    assert!(readme.contains("releases/download/$v/perfgate-$v-$t.tar.gz"));
    assert!(readme.contains("./perfgate-$v-$t/perfgate --version"));
    let rust = read("Cargo.toml")
        .lines()
        .find_map(|l| l.strip_prefix("rust-version = "))
        .map(|v| v.trim_matches('"').to_string())
        .unwrap();
    assert!(
        readme.contains(&format!("with Rust {rust} or newer")),
        "the README names another Rust version than rust-version {rust}"
    );
}

/// The JSON report's example in `reports.md` is the README's first command: its result carries
/// the numbers the binary writes for it (to the digits shown).
#[test]
fn the_json_example_has_the_numbers_of_the_example_pair() {
    let doc = read("docs/src/reports.md");
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("report.json");
    let args: Vec<&str> = RUN.split_whitespace().skip(3).collect();
    Command::cargo_bin("perfgate")
        .unwrap()
        .current_dir(root())
        .args(&args)
        .arg("--report-json")
        .arg(&json)
        .assert()
        .code(1);
    let report: serde_json::Value = serde_json::from_str(&read_abs(&json)).unwrap();
    let r = &report["results"][0];
    let num = |v: &serde_json::Value| v.as_f64().unwrap();
    let shown = |key: &str, x: f64| {
        // As the example writes it: 4 decimals, or 3 significant digits below 0.001.
        let text = if x.abs() < 1e-3 {
            format!("\"{key}\": {x:.2e}").replace("e-5", "e-05")
        } else {
            format!("\"{key}\": {:.4}", x)
        };
        assert!(doc.contains(&text), "reports.md does not show {text}");
    };
    shown("change", num(&r["change"]));
    shown("p_value", num(&r["p_value"]));
    shown("p_adjusted", num(&r["p_adjusted"]));
    let ci = format!("\"ci\": [{:.4}, {:.4}]", num(&r["ci"][0]), num(&r["ci"][1]));
    assert!(doc.contains(&ci), "reports.md does not show {ci}");
    for key in ["status", "method"] {
        let text = format!("\"{key}\": {}", r[key]);
        assert!(doc.contains(&text), "reports.md does not show {text}");
    }
}

fn read_abs(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The book's "Templates" section names every variable a template receives (the top-level
/// fields of `report::View`), and its example template renders.
#[test]
fn the_templates_section_names_every_variable() {
    use perfgate::formats::{parse, Format};
    let page = read("docs/src/reports.md");
    let section = page
        .split("## Templates")
        .nth(1)
        .and_then(|s| s.split("\n## JSON report schema").next())
        .expect("reports.md has a Templates section");
    let run = |p: &str| parse(Format::Go, &read(p)).unwrap();
    let c = perfgate::compare::compare_runs(
        &[run("examples/go/base.txt")],
        &[run("examples/go/head.txt")],
        true,
        &perfgate::config::Config::default(),
    );
    let view = serde_json::to_value(perfgate::report::view(&c)).unwrap();
    let keys: Vec<&String> = view.as_object().unwrap().keys().collect();
    let missing: Vec<&&String> = keys
        .iter()
        .filter(|k| !section.contains(&format!("`{k}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "the Templates section does not name {missing:?}"
    );

    let template = section
        .split("```jinja\n")
        .nth(1)
        .and_then(|s| s.split("```").next())
        .expect("the Templates section shows an example template");
    let md = perfgate::report::render_markdown(
        &c,
        &perfgate::report::MarkdownOptions {
            template: Some(template.to_string()),
            ..Default::default()
        },
    )
    .unwrap();
    assert!(
        md.contains("- BenchmarkEncode/format=json-48 time: +21.0% (1.42 µs → 1.72 µs)"),
        "{md}"
    );
}
