//! Run metadata from the outside world: commit, branch and time from flags, the CI environment or
//! git, and the machine's fingerprint. Values a tool already reported are kept.

use std::process::Command;

use perfgate::model::{Environment, RunMeta};

/// Explicit values from flags; each wins over what the environment says.
#[derive(Debug, Default, Clone)]
pub struct Given {
    pub commit: Option<String>,
    pub branch: Option<String>,
    pub timestamp: Option<String>,
}

/// Fills commit, branch, timestamp and environment of `meta`.
pub fn fill(meta: &mut RunMeta, given: Given) {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
    if let Some(c) = given
        .commit
        .or_else(|| env("GITHUB_SHA"))
        .or_else(|| env("CI_COMMIT_SHA"))
        .or_else(|| env("BUILDKITE_COMMIT"))
        .or_else(|| git(&["rev-parse", "HEAD"]))
    {
        meta.commit = Some(c);
    }
    let branch = given
        .branch
        .or_else(|| env("GITHUB_HEAD_REF"))
        .or_else(|| env("GITHUB_REF_NAME"))
        .or_else(|| env("CI_COMMIT_REF_NAME"))
        .or_else(|| env("BUILDKITE_BRANCH"))
        .or_else(|| git(&["rev-parse", "--abbrev-ref", "HEAD"]).filter(|b| b != "HEAD"));
    if let Some(b) = branch {
        meta.branch = Some(b);
    }
    meta.timestamp = given
        .timestamp
        .or_else(|| meta.timestamp.take())
        .or_else(|| Some(humantime::format_rfc3339_seconds(now()).to_string()));
    fingerprint(&mut meta.environment);
}

/// The current time, or `SOURCE_DATE_EPOCH` when set (reproducible output).
fn now() -> std::time::SystemTime {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .map(|secs| std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs))
        .unwrap_or_else(std::time::SystemTime::now)
}

/// Adds what is known of this machine where the tool said nothing.
pub fn fingerprint(e: &mut Environment) {
    e.os.get_or_insert_with(|| std::env::consts::OS.to_string());
    e.arch
        .get_or_insert_with(|| std::env::consts::ARCH.to_string());
    if e.cpu.is_none() {
        e.cpu = cpu_model();
    }
    if e.cores.is_none() {
        e.cores = std::thread::available_parallelism()
            .ok()
            .and_then(|n| u32::try_from(n.get()).ok());
    }
    if e.runner.is_none() {
        let env = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        e.runner = match (env("ImageOS"), env("ImageVersion")) {
            (Some(os), Some(v)) => Some(format!("{os}/{v}")),
            (Some(os), None) => Some(os),
            _ => env("RUNNER_NAME"),
        };
    }
}

fn cpu_model() -> Option<String> {
    let text = std::fs::read_to_string("/proc/cpuinfo").ok()?;
    text.lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let s = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (!s.is_empty()).then_some(s)
}
