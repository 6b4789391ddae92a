//! Run metadata from the outside world: commit, branch and time from flags, the CI environment or
//! git, and the machine's fingerprint. Values a tool already reported are kept.

use std::process::{Child, Command, Stdio};

use perfgate::model::{instant, Environment, RunMeta};

use super::Env;

/// The commit and branch as flags (or the event) give them; each wins over the CI variables.
#[derive(Debug, Default, Clone)]
pub struct Given {
    pub commit: Option<String>,
    pub branch: Option<String>,
}

/// The run's commit and branch: from the flags, else the CI variables, else the result files,
/// else git, asked at most once.
///
/// `compare` shows the current run's commit and branch in every report (the terminal's first
/// line included), `save` and the Action store them: so git is asked whenever nothing else said
/// them, and only then. It is started by [`Head::start`], before the result files are parsed, and
/// read by [`Head::settle`] when the commit is needed: `git rev-parse` takes a few milliseconds,
/// as long as the rest of a small comparison, and this way it runs while perfgate parses instead
/// of before or after. Only three formats can name a commit and a branch (pytest-benchmark, asv,
/// perfgate's own runs); when the result files did, the git started for nothing is stopped.
pub struct Head {
    commit: Option<String>,
    branch: Option<String>,
    /// `git rev-parse`, started when the flags and CI variables left either unknown.
    git: Option<Child>,
}

impl Head {
    /// The commit and branch the flags and CI variables (read through `vars`) give, with git
    /// started when they leave either unknown.
    pub fn start(given: Given, vars: &Env) -> Head {
        let env = |k: &str| vars(k).filter(|v| !v.trim().is_empty());
        let commit = given
            .commit
            .or_else(|| env("GITHUB_SHA"))
            .or_else(|| env("CI_COMMIT_SHA"))
            .or_else(|| env("BUILDKITE_COMMIT"));
        let branch = given
            .branch
            .or_else(|| env("GITHUB_HEAD_REF"))
            .or_else(|| env("GITHUB_REF_NAME"))
            .or_else(|| env("CI_COMMIT_REF_NAME"))
            .or_else(|| env("BUILDKITE_BRANCH"));
        let git = match (&commit, &branch) {
            (Some(_), Some(_)) => None,
            _ => start_git_head(),
        };
        Head {
            commit,
            branch,
            git,
        }
    }

    /// Sets the commit and branch of `meta`: what the flags and CI variables said, else what the
    /// result files said, else what git said.
    /// A commit time the result files gave is kept only for the commit they named: it is that
    /// commit's date, not the one the flags or CI variables name instead.
    pub fn settle(mut self, meta: &mut RunMeta) {
        let named = meta.commit.clone();
        let commit = self.commit.take().or_else(|| meta.commit.take());
        let branch = self.branch.take().or_else(|| meta.branch.take());
        let (commit, branch) = match (commit, branch) {
            (Some(c), Some(b)) => (Some(c), Some(b)),
            (c, b) => {
                let (git_commit, git_branch) = self.git.take().map_or((None, None), git_head);
                (c.or(git_commit), b.or(git_branch))
            }
        };
        if commit != named {
            meta.commit_time = None;
        }
        meta.commit = commit;
        meta.branch = branch;
    }
}

impl Drop for Head {
    /// A git whose answer is not needed (the result files named both, or the command failed
    /// first) is stopped and reaped, never left running behind perfgate.
    fn drop(&mut self) {
        if let Some(mut git) = self.git.take() {
            let _ = git.kill();
            let _ = git.wait();
        }
    }
}

/// Fills the timestamp (`timestamp` as a flag gives it, else the result files', else now) and
/// the environment of `meta`, reading CI variables through `vars`; the commit and branch are
/// [`Head`]'s.
pub fn fill(meta: &mut RunMeta, timestamp: Option<String>, vars: &Env) {
    // A tool's time that is not one (`15:22:NaNZ`) is left for the time of reading.
    meta.timestamp = timestamp
        .or_else(|| meta.timestamp.take().filter(|t| instant(t).is_some()))
        .or_else(|| Some(humantime::format_rfc3339_seconds(now(vars)).to_string()));
    fingerprint(&mut meta.environment, vars);
}

/// The current time, or `SOURCE_DATE_EPOCH` when set (reproducible output).
fn now(vars: &Env) -> std::time::SystemTime {
    vars("SOURCE_DATE_EPOCH")
        .and_then(|s| s.trim().parse::<u64>().ok())
        .map(|secs| std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs))
        .unwrap_or_else(std::time::SystemTime::now)
}

/// Adds what is known of this machine where the tool said nothing.
///
/// Only what a container action can see identifies the machine: the runner starts the Action's
/// container with the `GITHUB_*`, `RUNNER_*` and `INPUT_*` variables but not the host's own
/// (`ImageOS`, `ImageVersion`), and `/proc` shows the host's CPU and memory. `RUNNER_NAME` is
/// never used: on hosted runners it changes from job to job ("GitHub Actions 3", "GitHub
/// Actions 1000001"), which made every pull request look like another machine.
pub fn fingerprint(e: &mut Environment, vars: &Env) {
    let env = |k: &str| vars(k).filter(|v| !v.trim().is_empty());
    e.os.get_or_insert_with(|| std::env::consts::OS.to_string());
    e.arch
        .get_or_insert_with(|| std::env::consts::ARCH.to_string());
    if e.cpu.is_none() {
        e.cpu = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|t| cpu_model(&t));
    }
    if e.cores.is_none() {
        e.cores = std::thread::available_parallelism()
            .ok()
            .and_then(|n| u32::try_from(n.get()).ok());
    }
    if e.memory_gib.is_none() {
        e.memory_gib = std::fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|t| memory_gib(&t));
    }
    if e.runner.is_none() {
        e.runner = runner(env);
    }
}

/// The kind of runner: the hosted image as `ImageOS/ImageVersion` where a `run:` step sees them,
/// else `RUNNER_ENVIRONMENT` (`github-hosted` or `self-hosted`), which a container action gets.
/// `ImageOS` alone is no hosted image: the self-hosted runner's container image sets it
/// (actions/runner `images/Dockerfile`), without `ImageVersion`.
fn runner(env: impl Fn(&str) -> Option<String>) -> Option<String> {
    match (env("ImageOS"), env("ImageVersion")) {
        (Some(os), Some(v)) => Some(format!("{}/{}", os.trim(), v.trim())),
        _ => env("RUNNER_ENVIRONMENT").map(|r| r.trim().to_string()),
    }
}

/// The CPU model from the text of `/proc/cpuinfo`.
fn cpu_model(cpuinfo: &str) -> Option<String> {
    cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// Total memory in whole GiB from the text of `/proc/meminfo` (`MemTotal:  16365256 kB`). The
/// kernel keeps some memory for itself, so a 16 GiB machine reports about 15.6 GiB: rounding to
/// the nearest GiB makes 15.6 and 16.0 the same machine.
fn memory_gib(meminfo: &str) -> Option<u32> {
    let kib: u64 = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))?
        .trim()
        .strip_suffix("kB")?
        .trim()
        .parse()
        .ok()?;
    const KIB_PER_GIB: u64 = 1024 * 1024;
    let gib = (kib + KIB_PER_GIB / 2) / KIB_PER_GIB;
    u32::try_from(gib).ok().filter(|&g| g > 0)
}

/// The commit a name that is not a hexadecimal object name stands for (`HEAD~1`, `main`, a
/// tag), as git resolves it (`git rev-parse --verify --end-of-options <name>^{commit}`); None
/// when git cannot (not a repository, no such name), when the name is already hexadecimal, or
/// starts with `-`.
pub fn resolve_commit(name: &str) -> Option<String> {
    if is_object_name(name) || name.is_empty() || name.starts_with('-') || name.len() > 200 {
        return None;
    }
    let commit = format!("{name}^{{commit}}");
    let sha = git(&[
        "rev-parse",
        "--verify",
        "--quiet",
        "--end-of-options",
        &commit,
    ])?;
    (sha.len() >= 40 && is_object_name(&sha)).then_some(sha)
}

/// The committer date of `commit` as git knows it (`git show -s --format=%cI`), RFC 3339; None
/// when git cannot say (not a repository, a commit it does not have) or `commit` is not a
/// hexadecimal object name (nothing else reaches git's command line).
pub fn commit_time(commit: &str) -> Option<String> {
    if !is_object_name(commit) {
        return None;
    }
    let time = git(&["show", "-s", "--format=%cI", commit])?;
    instant(&time).map(|_| time)
}

/// Whether `name` is a (possibly abbreviated) hexadecimal object name, 4 to 64 digits.
pub fn is_object_name(name: &str) -> bool {
    (4..=64).contains(&name.len()) && name.chars().all(|c| c.is_ascii_hexdigit())
}

/// What `git <args>` printed, trimmed, when it ran and succeeded (its errors are not shown).
fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()
        .filter(|o| o.status.success())?;
    Some(String::from_utf8(out.stdout).ok()?.trim().to_string())
}

/// `git rev-parse HEAD --abbrev-ref HEAD` started (None when git cannot be run).
fn start_git_head() -> Option<Child> {
    Command::new("git")
        .args(["rev-parse", "HEAD", "--abbrev-ref", "HEAD"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()
}

/// The checked-out commit and branch (None on a detached HEAD) that a started
/// [`start_git_head`] prints.
fn git_head(git: Child) -> (Option<String>, Option<String>) {
    let Some(out) = git
        .wait_with_output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
    else {
        return (None, None);
    };
    let mut lines = out.lines().map(str::trim).filter(|l| !l.is_empty());
    let commit = lines.next().map(str::to_string);
    let branch = lines.next().filter(|b| *b != "HEAD").map(str::to_string);
    (commit, branch)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| {
            pairs
                .iter()
                .find(|(name, _)| *name == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn a_step_on_a_hosted_runner_records_the_image() {
        let env = [
            ("ImageOS", "ubuntu24"),
            ("ImageVersion", "20251112.1"),
            ("RUNNER_ENVIRONMENT", "github-hosted"),
            ("RUNNER_NAME", "GitHub Actions 3"),
        ];
        assert_eq!(runner(vars(&env)).as_deref(), Some("ubuntu24/20251112.1"));
    }

    #[test]
    fn a_container_action_records_the_runner_environment_never_the_runner_name() {
        let env = [
            ("RUNNER_ENVIRONMENT", "github-hosted"),
            ("RUNNER_NAME", "GitHub Actions 1000001"),
        ];
        assert_eq!(runner(vars(&env)).as_deref(), Some("github-hosted"));
        assert_eq!(runner(vars(&[("RUNNER_NAME", "GitHub Actions 3")])), None);
    }

    #[test]
    fn image_os_without_a_version_is_the_self_hosted_runner_image_not_a_hosted_one() {
        let env = [
            ("ImageOS", "ubuntu24"),
            ("RUNNER_ENVIRONMENT", "self-hosted"),
        ];
        assert_eq!(runner(vars(&env)).as_deref(), Some("self-hosted"));
    }

    #[test]
    fn memory_is_rounded_to_whole_gib_so_15_6_and_16_agree() {
        // MemTotal of a 4-core GitHub-hosted Linux runner (16 GiB) is about 15.6 GiB.
        let hosted = "MemTotal:       16365256 kB\nMemFree:         1024 kB\n";
        assert_eq!(memory_gib(hosted), Some(16));
        assert_eq!(memory_gib("MemTotal: 16777216 kB"), Some(16));
        assert_eq!(memory_gib("MemTotal: 8000000 kB"), Some(8));
    }

    #[test]
    fn memory_is_unknown_when_meminfo_says_nothing_usable() {
        assert_eq!(memory_gib(""), None);
        assert_eq!(memory_gib("MemTotal: lots"), None);
        assert_eq!(memory_gib("MemTotal: 16365256 MB"), None);
        assert_eq!(memory_gib("MemTotal: 1024 kB"), None);
    }

    #[test]
    fn reads_the_cpu_model_from_cpuinfo() {
        let text = "processor\t: 0\nmodel name\t: AMD EPYC 7763 64-Core Processor\n";
        assert_eq!(
            cpu_model(text).as_deref(),
            Some("AMD EPYC 7763 64-Core Processor")
        );
        assert_eq!(cpu_model("processor\t: 0\n"), None);
    }
}
