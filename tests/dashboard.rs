//! `perfgate dashboard` from the built binary: a generated store of 200 series x 60 runs with
//! planted level shifts, its site's data checked against what was planted, and the page opened
//! in headless Chromium (tests/browser/dashboard.mjs) when a browser is at hand; `.ci/run` sets
//! `PERFGATE_BROWSER=required`, so there it always runs.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use std::path::{Path, PathBuf};
use std::process::Command as Process;

use assert_cmd::Command;
use serde_json::Value;
use support::history::{commit, synthetic};

fn perfgate() -> Command {
    let mut c = Command::cargo_bin("perfgate").unwrap();
    c.env_remove("GITHUB_ACTIONS");
    c
}

/// `perfgate dashboard --store <store> --out <out>`, more arguments to follow.
fn dashboard(store: impl AsRef<std::ffi::OsStr>, out: impl AsRef<std::ffi::OsStr>) -> Command {
    let mut c = perfgate();
    c.args(["dashboard", "--store"])
        .arg(store)
        .arg("--out")
        .arg(out);
    c
}

/// A folder under target/ that outlives the test, so the site and screenshots can be looked at.
fn artifacts(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join("test-artifacts")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn data_of(site: &Path) -> Value {
    let text = std::fs::read_to_string(site.join("data.js")).unwrap();
    let json = text
        .strip_prefix("window.PERFGATE_DATA = ")
        .and_then(|t| t.strip_suffix(";\n"))
        .expect("data.js is one assignment");
    serde_json::from_str(json).unwrap()
}

#[test]
fn the_site_of_a_generated_store_lists_the_planted_shifts_with_their_commits() {
    let dir = artifacts("dashboard");
    let store = dir.join("store");
    let site = dir.join("site");
    let (index, planted) = synthetic(200, 60);
    std::fs::create_dir_all(&store).unwrap();
    std::fs::write(store.join("index.json"), index.to_json()).unwrap();

    let out = dashboard(&store, &site)
        .args(["--repo-url", "https://github.com/octo/app/"])
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(
        stdout.contains("200 series over 60 runs, 20 level shifts in the last 20 runs"),
        "{stdout}"
    );

    let d = data_of(&site);
    assert_eq!(d["schema"], "perfgate.dashboard.v1");
    assert_eq!(d["commit_url"], "https://github.com/octo/app/commit/");
    assert_eq!(d["series"].as_array().unwrap().len(), 200);
    // The recent list: exactly the shifts planted in the last 20 runs, with their commits.
    let commits = d["keys"][0]["commits"].as_array().unwrap();
    let mut listed: Vec<(String, String, f64)> = d["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let s = &d["series"][c["s"].as_u64().unwrap() as usize];
            let run = c["run"].as_u64().unwrap() as usize;
            (
                s["b"].as_str().unwrap().to_string(),
                commits[run].as_str().unwrap().to_string(),
                c["change"].as_f64().unwrap(),
            )
        })
        .collect();
    let mut expected: Vec<(String, String)> = planted
        .iter()
        .filter(|p| p.run >= 40)
        .map(|p| (p.benchmark.clone(), commit(p.run)))
        .collect();
    let sizes: Vec<f64> = listed.iter().map(|l| (1.0 + l.2).ln().abs()).collect();
    assert!(
        sizes.windows(2).all(|w| w[0] >= w[1]),
        "biggest first: {sizes:?}"
    );
    for (b, _, change) in &listed {
        let p = planted.iter().find(|p| &p.benchmark == b).unwrap();
        assert!(
            (change - p.change).abs() < 0.03,
            "{b}: {change} vs {}",
            p.change
        );
    }
    let mut got: Vec<(String, String)> = listed.drain(..).map(|(b, c, _)| (b, c)).collect();
    got.sort();
    expected.sort();
    assert_eq!(got, expected);
    // The old shift is drawn in its series, not listed; the slow day is left out.
    let s5 = &d["series"][5];
    assert_eq!(s5["sh"][0][0], 20);
    assert_eq!(s5["sh"][0][2], 1);
    assert_eq!(d["series"][7]["far"], serde_json::json!([30]));
    let band = d["series"][0]["band"].as_array().unwrap();
    assert_eq!(band[2], 50, "the band starts at the current level");

    // Within the size target with room to spare at this size.
    let bytes = std::fs::metadata(site.join("data.js")).unwrap().len()
        + std::fs::metadata(site.join("index.html")).unwrap().len();
    assert!(bytes < 600_000, "{bytes} bytes");

    std::fs::write(
        dir.join("expected.json"),
        serde_json::to_string_pretty(&serde_json::json!({
            "changes": got.iter().map(|(b, c)| serde_json::json!({"benchmark": b, "commit": c})).collect::<Vec<_>>(),
            "series": 200,
        }))
        .unwrap(),
    )
    .unwrap();
    let hostile = hostile_site(&dir);
    browser(&site, &dir, &hostile);
}

/// A site whose benchmark names try to run script: one key of a data-branch checkout.
fn hostile_site(dir: &Path) -> PathBuf {
    let (mut index, _) = synthetic(3, 12);
    let names = [
        "<img src=x onerror=\"window.__pwned=1\">",
        "</script><script>window.__pwned=2</script>",
        "javascript:window.__pwned=3",
    ];
    for e in &mut index.runs {
        for (s, name) in e.summary.as_mut().unwrap().series.iter_mut().zip(names) {
            s.benchmark = name.to_string();
        }
    }
    let checkout = dir.join("data-branch");
    std::fs::create_dir_all(checkout.join("bench")).unwrap();
    std::fs::write(checkout.join("bench").join("index.json"), index.to_json()).unwrap();
    let site = dir.join("hostile");
    dashboard(&checkout, &site)
        .args(["--title", "<script>window.__pwned=4</script>"])
        .assert()
        .success();
    let d = data_of(&site);
    assert_eq!(
        d["keys"][0]["key"], "bench",
        "a folder of stores: one key per folder"
    );
    site
}

#[test]
fn a_store_that_is_missing_or_empty_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    let missing = dashboard(dir.path().join("nope"), &out).assert().code(2);
    let err = String::from_utf8_lossy(&missing.get_output().stderr).into_owned();
    assert!(err.contains("does not exist"), "{err}");

    let empty = dashboard(dir.path(), &out).assert().code(2);
    let err = String::from_utf8_lossy(&empty.get_output().stderr).into_owned();
    assert!(err.contains("holds no store"), "{err}");

    // Runs of another branch only: nothing to draw.
    let (mut index, _) = synthetic(2, 20);
    for e in &mut index.runs {
        e.meta.branch = Some("dev".into());
    }
    std::fs::write(dir.path().join("index.json"), index.to_json()).unwrap();
    let other = dashboard(dir.path(), &out).assert().code(2);
    let err = String::from_utf8_lossy(&other.get_output().stderr).into_owned();
    assert!(
        err.contains("has no runs of main (or master) to draw"),
        "{err}"
    );
    assert!(!out.exists(), "nothing written");
    dashboard(dir.path(), &out)
        .args(["--branch", "dev"])
        .assert()
        .success();
    assert!(out.join("index.html").is_file());
}

/// Opens the site in headless Chromium with tests/browser/dashboard.mjs (playwright-core).
fn browser(site: &Path, dir: &Path, hostile: &Path) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("browser");
    let required = std::env::var("PERFGATE_BROWSER").is_ok_and(|v| v == "required");
    let ready = root.join("node_modules").join("playwright-core").is_dir()
        && Process::new("node").arg("--version").output().is_ok();
    if !ready {
        assert!(
            !required,
            "PERFGATE_BROWSER=required but node or tests/browser/node_modules is missing (run `npm ci` in tests/browser)"
        );
        eprintln!("skipping the browser test: run `npm ci` in tests/browser and install chromium");
        return;
    }
    let out = Process::new("node")
        .arg(root.join("dashboard.mjs"))
        .arg(site)
        .arg(dir.join("expected.json"))
        .arg(dir)
        .arg(hostile)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "browser test failed:\n{text}");
    eprintln!("{text}");
}
