//! The command line: clap definitions, the dispatch to one module per command (read -> core ->
//! emit), and what the commands share: config loading, printing, error lines.
//! Files, environment, stdout and exit codes live here and nowhere else.

/// `println!` for messages along the way: a standard output that cannot be written (`>/dev/full`,
/// a closed log) loses the line instead of aborting the run. Reports go through [`print`].
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

/// `eprintln!` that never aborts the run when standard error cannot be written: the exit code
/// still says what happened.
macro_rules! errln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

mod action;
mod compare;
mod dashboard;
mod input;
mod meta;
mod reproduce;
mod save;
mod show;

use std::borrow::Cow;
use std::collections::HashMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand};
use perfgate::compare::Comparison;
use perfgate::config::Config;
use perfgate::formats::Format;
use perfgate::model::Run;

/// Exit code when the gate passed.
pub const EXIT_PASS: u8 = 0;
/// Exit code when the gate failed: a regression beyond its threshold or a broken budget.
pub const EXIT_FAIL: u8 = 1;
/// Exit code for usage, config and input errors.
pub const EXIT_ERROR: u8 = 2;

const AFTER_HELP: &str = "\
Exit codes:
  0  the gate passed
  1  the gate failed (a regression beyond its threshold, or a broken budget, as configured)
  2  usage, config or input error (missing, unreadable or unparsable files, zero benchmarks)

Examples:
  perfgate compare --baseline old.txt --current new.txt
  perfgate save --store .perfgate --current bench.txt
  perfgate compare --store .perfgate --current bench.txt --report-md report.md
  perfgate show results.json";

#[derive(Parser)]
#[command(
    name = "perfgate",
    version,
    about = "A performance regression gate for CI: compare benchmark and load-test results with a baseline, report, and fail on regressions or broken budgets.",
    after_help = AFTER_HELP,
    propagate_version = true
)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Compare current results with a baseline (a file or a store) and gate.
    Compare(CompareArgs),
    /// Record a run in a local store (for use as a baseline later).
    Save(SaveArgs),
    /// Show what perfgate understood from result files: benchmarks, metrics, units, samples.
    Show(ShowArgs),
    /// List the supported formats and how each is detected.
    Formats,
    /// Import a github-action-benchmark history (data.js or its JSON) into a local store.
    Import(ImportArgs),
    /// Build a static dashboard (index.html + data.js) of a store's history.
    Dashboard(DashboardArgs),
    /// Run as the GitHub Action (reads INPUT_* and GITHUB_* variables; see action.yml).
    Action,
}

#[derive(Args)]
struct ImportArgs {
    /// The history file: github-action-benchmark's `data.js` (or the JSON inside it).
    #[arg(value_name = "FILE")]
    history: PathBuf,
    /// The store directory (created when absent).
    #[arg(long, value_name = "DIR")]
    store: PathBuf,
    /// Branch to record the runs under (the history does not say).
    #[arg(long, default_value = "main")]
    branch: String,
    /// Runs to keep per branch [default: the config's store.keep, 100].
    #[arg(long, value_name = "N")]
    keep: Option<usize>,
    /// Config file [default: perfgate.toml when present].
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

#[derive(Args)]
struct DashboardArgs {
    /// A local store, or a folder of stores such as a checkout of the data branch (one folder
    /// per key, each with its index.json).
    #[arg(long, value_name = "DIR")]
    store: PathBuf,
    /// Where to write index.html and data.js (created when absent).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Branch whose runs are drawn [default: main, else master].
    #[arg(long, value_name = "BRANCH")]
    branch: Option<String>,
    /// The repository's page, for links to commits (https://github.com/OWNER/REPO).
    #[arg(long, value_name = "URL")]
    repo_url: Option<String>,
    /// Runs at the end of the branch whose level shifts are listed first.
    #[arg(long, value_name = "N", default_value_t = perfgate::dashboard::DEFAULT_RECENT)]
    recent: usize,
    /// The page's title [default: perfgate dashboard].
    #[arg(long)]
    title: Option<String>,
    /// Config file, for thresholds and ignored series [default: perfgate.toml when present].
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

#[derive(Args)]
struct InputArgs {
    /// Result files (or a criterion directory; a quoted glob reads what it matches): files of
    /// other benchmarks join one run; a file of benchmarks already read starts another run of
    /// them, which `compare` judges by one value per run (`save` merges them).
    #[arg(long, short = 'c', required = true, num_args = 1.., value_name = "PATH")]
    current: Vec<PathBuf>,
    /// Force the input format instead of detecting it (see `perfgate formats`).
    #[arg(long, short = 'f', value_name = "FORMAT", value_parser = parse_format)]
    format: Option<Format>,
    /// Config file [default: perfgate.toml when present].
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

#[derive(Args)]
struct CompareArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Baseline results: a run saved by perfgate or a tool's raw output (a quoted glob reads
    /// what it matches); files of the same benchmarks are several runs, as for `--current`.
    #[arg(long, short = 'b', num_args = 1.., value_name = "PATH", conflicts_with = "store")]
    baseline: Vec<PathBuf>,
    /// Compare against the latest run of the baseline branch in this local store.
    #[arg(long, value_name = "DIR")]
    store: Option<PathBuf>,
    /// Branch whose latest stored run is the baseline [default: main, else master].
    #[arg(long, value_name = "BRANCH", requires = "store")]
    baseline_branch: Option<String>,
    /// Runs of the baseline branch to read from the store: single values are judged against
    /// their prediction interval [default: the config's history.window, 30].
    #[arg(long, value_name = "N", requires = "store")]
    history_window: Option<usize>,
    /// Let noisy metrics fail the gate even when the baseline ran in another environment.
    #[arg(long)]
    allow_cross_environment: bool,
    /// Relative change that counts as a regression, such as 5% (overrides the config; default 5.5%).
    #[arg(long, value_name = "PERCENT")]
    threshold: Option<String>,
    /// Significance level of the statistical test, such as 0.05 (overrides the config).
    #[arg(long, value_name = "ALPHA")]
    significance: Option<f64>,
    /// Fewest samples per side for a statistical decision (overrides the config).
    #[arg(long, value_name = "N")]
    min_samples: Option<usize>,
    /// `auto`: with 10 or more metrics, learn their noise together (the moderated t test for
    /// samples, moderated prediction intervals for histories), else the Mann-Whitney U test;
    /// `mann-whitney`: each metric alone, as benchstat (overrides the config).
    #[arg(long, value_name = "TEST", value_parser = ["auto", "mann-whitney"])]
    test: Option<String>,
    /// An absolute budget: `<benchmark> <statistic> <op> <value>`, such as
    /// "http_req_duration p(95) < 200ms", or k6's "http_req_duration: p(95)<200". Repeatable;
    /// added to the config's budgets.
    #[arg(long = "budget", value_name = "EXPR")]
    budgets: Vec<String>,
    /// Fail when a baseline benchmark is missing from the current run.
    #[arg(long)]
    fail_on_missing: bool,
    /// Fail when the current run has benchmarks the baseline lacks.
    #[arg(long)]
    fail_on_new: bool,
    /// Fail when a result is inconclusive (not one shown apart as context, such as a run's `max`
    /// without a history).
    #[arg(long)]
    fail_on_inconclusive: bool,
    /// Write the JSON report (schema perfgate.report.v1) to this file.
    #[arg(long, value_name = "FILE")]
    report_json: Option<PathBuf>,
    /// Write the Markdown report to this file.
    #[arg(long, value_name = "FILE")]
    report_md: Option<PathBuf>,
    /// A minijinja template for the Markdown report instead of the built-in one (with
    /// `--report-md`).
    #[arg(long, value_name = "FILE", requires = "report_md")]
    template: Option<PathBuf>,
    /// The dashboard's address (`perfgate dashboard`, served somewhere): rows of the Markdown
    /// report with a trend link to their chart there (with `--report-md`).
    #[arg(long, value_name = "URL", requires = "report_md")]
    dashboard_url: Option<String>,
}

#[derive(Args)]
struct SaveArgs {
    #[command(flatten)]
    input: InputArgs,
    /// The store directory (created when absent).
    #[arg(long, value_name = "DIR")]
    store: PathBuf,
    /// Commit of the run: a hash, or a name git resolves (`HEAD~1`, a tag) [default: from CI
    /// variables or git].
    #[arg(long)]
    commit: Option<String>,
    /// Branch of the run [default: from CI variables or git].
    #[arg(long)]
    branch: Option<String>,
    /// Time of the run, RFC 3339 [default: the result files' time, else now].
    #[arg(long)]
    timestamp: Option<String>,
    /// Time of the commit, RFC 3339: the run goes in its branch's history after the runs of
    /// earlier commits, whenever it is saved [default: the result files' date of the commit,
    /// else git's].
    #[arg(long, value_name = "TIME")]
    commit_time: Option<String>,
    /// Runs to keep per branch [default: the config's store.keep, 100].
    #[arg(long, value_name = "N")]
    keep: Option<usize>,
}

#[derive(Args)]
struct ShowArgs {
    /// Result files or criterion directories.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Force the input format instead of detecting it.
    #[arg(long, short = 'f', value_name = "FORMAT", value_parser = parse_format)]
    format: Option<Format>,
    /// Print perfgate's JSON run format (one file: a run; several: an array of runs).
    #[arg(long)]
    json: bool,
}

fn parse_format(s: &str) -> Result<Format, String> {
    Format::from_name(s).ok_or_else(|| {
        format!(
            "unknown format `{s}`; expected one of: {}",
            Format::names().join(", ")
        )
    })
}

/// Runs the command line and returns the process exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                EXIT_ERROR
            } else {
                EXIT_PASS
            });
        }
    };
    let ctx = Ctx::new(
        std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?))),
    );
    let result = match cli.command {
        Cmd::Compare(a) => compare::cmd_compare(&ctx, a),
        Cmd::Save(a) => save::cmd_save(&ctx, a),
        Cmd::Show(a) => show::cmd_show(&ctx, a),
        Cmd::Formats => show::cmd_formats(),
        Cmd::Import(a) => save::cmd_import(&ctx, a),
        Cmd::Dashboard(a) => dashboard::cmd_dashboard(&ctx, a),
        Cmd::Action => return ExitCode::from(action::main(&ctx, &action::github_remote)),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            errln!("{}", ctx.error_line(&e));
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// Looks up an environment variable.
pub type Env = dyn Fn(&str) -> Option<String>;

/// What the commands know of their process: its environment variables, read once by [`main`]
/// (the edge), and the secrets among them that printed errors are redacted against. Nothing
/// below `main` reads the environment or changes what the process shares (its variables, its
/// working directory: see [`Workdir`]).
pub struct Ctx {
    /// A variable's value as it was when perfgate started.
    pub env: Box<Env>,
    /// Values of the variables that look like secrets, longest first.
    secrets: Vec<String>,
}

impl Ctx {
    /// The context of a process with these variables.
    pub fn new(vars: impl IntoIterator<Item = (String, String)>) -> Ctx {
        let vars: HashMap<String, String> = vars.into_iter().collect();
        let secrets =
            perfgate::github::runtime::secrets(vars.iter().map(|(k, v)| (k.clone(), v.clone())));
        Ctx {
            env: Box::new(move |k: &str| vars.get(k).cloned()),
            secrets,
        }
    }

    /// A variable's value; unset and blank are the same.
    fn var(&self, k: &str) -> Option<String> {
        (self.env)(k).filter(|v| !v.trim().is_empty())
    }

    /// `text` with the values of the environment's secrets replaced by `***`, for anything
    /// printed that may quote an answer from GitHub (some proxies echo the request, token
    /// included).
    pub(crate) fn redacted(&self, text: &str) -> String {
        perfgate::github::runtime::redact(text, &self.secrets)
    }

    /// An error as printed to standard error: secrets from the environment redacted, made inert
    /// for the Actions runner (one line, no command), and at most a few thousand characters.
    pub(crate) fn error_line(&self, e: &anyhow::Error) -> String {
        format!(
            "error: {}",
            perfgate::github::runtime::inert(&self.redacted(&chain(e)), 4000)
        )
    }
}

/// The directory relative paths name files in: the Action's workspace (`GITHUB_WORKSPACE`), or
/// by default the process's working directory. Instead of entering the workspace (`cd`, which
/// changes the whole process), files are opened at [`Workdir::path`]; messages show paths as
/// they were given, as they did when the process had entered it.
#[derive(Debug, Clone, Default)]
pub struct Workdir(Option<PathBuf>);

impl Workdir {
    /// Relative paths from `dir`, the real path of a directory (what the working directory is
    /// after `cd dir`).
    pub fn new(dir: PathBuf) -> Workdir {
        Workdir(Some(dir))
    }

    /// Where `p` is: joined to the directory when relative, as it is otherwise.
    pub fn path<'a>(&self, p: &'a Path) -> Cow<'a, Path> {
        match &self.0 {
            Some(dir) if p.is_relative() => Cow::Owned(dir.join(p)),
            _ => Cow::Borrowed(p),
        }
    }

    /// The directory; None for the process's working directory.
    pub fn dir(&self) -> Option<&Path> {
        self.0.as_deref()
    }
}

/// The configuration: `path`, else `perfgate.toml` where it exists (as a link too), else the
/// defaults. Read as result files are ([`input::Reader::read_hand_written`]).
fn load_config(ctx: &Ctx, dir: &Workdir, path: Option<&Path>) -> Result<Config> {
    let (path, explicit) = match path {
        Some(p) => (p.to_path_buf(), true),
        None => (PathBuf::from("perfgate.toml"), false),
    };
    if !explicit && fs::symlink_metadata(dir.path(&path)).is_err() {
        return Ok(Config::default());
    }
    let text = input::Reader { ctx, dir }.read_hand_written(&path, "a config file")?;
    Ok(Config::parse(&path.display().to_string(), &text)?)
}

fn color_stdout() -> bool {
    anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never
}

/// Prints a human report whose lines hold untrusted names (benchmark names come from a pull
/// request's code): framed by `::stop-commands::` under GitHub Actions, so that a name such as
/// `::add-mask::x` or `##[error]x` is printed, not run; as it is elsewhere.
fn print_report(ctx: &Ctx, text: &str) -> Result<()> {
    if in_actions(&*ctx.env) {
        print(&perfgate::github::runtime::framed(text, &frame_token()))
    } else {
        print(text)
    }
}

/// Whether this runs as a step of GitHub Actions (the runner sets `GITHUB_ACTIONS=true`).
pub(crate) fn in_actions(env: &dyn Fn(&str) -> Option<String>) -> bool {
    env("GITHUB_ACTIONS").as_deref() == Some("true")
}

/// A token for one `::stop-commands::` frame that the framed text cannot know: 128 bits from
/// the standard library's randomly keyed hasher.
pub(crate) fn frame_token() -> String {
    use std::hash::{BuildHasher, Hasher};
    let half = || {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos()),
        );
        h.finish()
    };
    format!("perfgate-{:016x}{:016x}", half(), half())
}

/// An error and its causes joined by `: ` (as `{:#}` does), leaving out a cause whose text the
/// message before it already holds: an API error that names its cause in its own message was
/// printed twice in one line.
fn chain(e: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if parts.last().is_some_and(|p| p.contains(&text)) {
            continue;
        }
        parts.push(text);
    }
    parts.join(": ")
}

/// Compares `current` with the baseline's history (oldest first, the baseline run last): the one
/// gate path of `perfgate compare` and the Action. A comparison with nothing in common with its
/// baseline would pass anything, so it is an error, unless `recording` (a push records its run
/// whatever it shares with the last one: renamed benchmarks start new series).
/// The current runs (several when the files were runs of the same benchmarks) are compared with
/// the history, or with runs of one commit (`one_commit`: baseline files), by
/// `compare::compare_runs`.
fn gate(
    history: &[Run],
    current: &[Run],
    one_commit: bool,
    config: &Config,
    recording: bool,
) -> Result<Comparison> {
    let comparison = perfgate::compare::compare_runs(history, current, one_commit, config);
    if let Some(why) = comparison.misfit_budgets() {
        bail!("{why}");
    }
    if let Some(why) = comparison.nothing_in_common().filter(|_| !recording) {
        bail!("{why}");
    }
    // Every metric ignored by the configuration (a rule `ignore = true` on a glob that took
    // everything) and no budget: a gate that looked at nothing must not pass.
    if comparison.baseline.is_some()
        && comparison.results.is_empty()
        && comparison.budgets.is_empty()
        && !recording
    {
        bail!(
            "every metric of the current run is ignored by the configuration (`ignore = true` rules), and there is no budget: nothing was gated. Narrow the rules' `benchmark` and `metric` globs"
        );
    }
    Ok(comparison)
}

fn print(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    // A closed pipe (`| head`) is not an error worth a non-zero exit.
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => r.context("cannot write to standard output"),
    }
}

/// Writes `text` to `rel` below the workspace `dir`, creating its folders, but never through a
/// symbolic link: the Action writes its reports (`perfgate-report/...`) into a checkout of the
/// pull request, which can commit `perfgate-report` as a link to the runner's files.
pub(crate) fn write_in_workspace(dir: &Workdir, rel: &Path, text: &str) -> Result<()> {
    let mut at = PathBuf::new();
    for c in rel.components() {
        at.push(c);
        if fs::symlink_metadata(dir.path(&at)).is_ok_and(|m| m.file_type().is_symlink()) {
            bail!(
                "`{}` is a symbolic link: refused (perfgate writes its reports into the workspace, and a pull request must not send them elsewhere)",
                at.display()
            );
        }
    }
    if let Some(parent) = rel.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir.path(parent))
            .with_context(|| format!("cannot create `{}`", parent.display()))?;
    }
    fs::write(dir.path(rel), text).with_context(|| format!("cannot write `{}`", rel.display()))
}

fn write_file(path: &Path, text: &str) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).with_context(|| format!("cannot create `{}`", dir.display()))?;
    }
    fs::write(path, text).with_context(|| format!("cannot write `{}`", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A pull request can commit `perfgate-report` (or a file in it) as a link out of the
    /// workspace: the Action's reports are never written through one.
    #[cfg(unix)]
    #[test]
    fn reports_are_never_written_through_a_link() {
        let ws = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let dir = Workdir::new(ws.path().to_path_buf());
        let rel = Path::new("perfgate-report/default/report.json");
        write_in_workspace(&dir, rel, "{}").unwrap();
        assert_eq!(fs::read_to_string(ws.path().join(rel)).unwrap(), "{}");

        let victim = outside.path().join("victim.txt");
        fs::write(&victim, "keep").unwrap();
        let comment = ws.path().join("perfgate-report/default/comment.md");
        std::os::unix::fs::symlink(&victim, &comment).unwrap();
        let err = write_in_workspace(&dir, Path::new("perfgate-report/default/comment.md"), "x")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("`perfgate-report/default/comment.md` is a symbolic link"),
            "{err}"
        );
        assert_eq!(fs::read_to_string(&victim).unwrap(), "keep");

        fs::remove_dir_all(ws.path().join("perfgate-report")).unwrap();
        std::os::unix::fs::symlink(outside.path(), ws.path().join("perfgate-report")).unwrap();
        let err = write_in_workspace(&dir, rel, "{}").unwrap_err().to_string();
        assert!(
            err.contains("`perfgate-report` is a symbolic link"),
            "{err}"
        );
        assert!(!outside.path().join("default").exists());
    }

    #[test]
    fn errors_are_redacted_against_the_secrets_of_the_given_environment() {
        let ctx = Ctx::new([
            (
                "INPUT_GITHUB-TOKEN".to_string(),
                "ghs_0123456789abcdef".to_string(),
            ),
            ("HOME".to_string(), "/home/runner".to_string()),
        ]);
        let e =
            anyhow::anyhow!("GitHub answered 401 for token ghs_0123456789abcdef at /home/runner");
        assert_eq!(
            ctx.error_line(&e),
            "error: GitHub answered 401 for token *** at /home/runner"
        );
        assert_eq!((ctx.env)("HOME").as_deref(), Some("/home/runner"));
        assert_eq!(ctx.var("PATH"), None);
    }

    #[test]
    fn a_workdir_resolves_relative_paths_only() {
        let here = Workdir::default();
        assert_eq!(here.path(Path::new("a/b.txt")), Path::new("a/b.txt"));
        let ws = Workdir::new(PathBuf::from("/github/workspace"));
        assert_eq!(
            ws.path(Path::new("a/b.txt")),
            Path::new("/github/workspace/a/b.txt")
        );
        assert_eq!(ws.path(Path::new("/tmp/x")), Path::new("/tmp/x"));
    }

    #[test]
    fn a_cause_already_in_its_message_is_said_once() {
        #[derive(Debug)]
        struct Api;
        impl std::fmt::Display for Api {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("GitHub answered 502: bad gateway")
            }
        }
        impl std::error::Error for Api {}
        let e = anyhow::Error::new(std::io::Error::other("bad gateway"))
            .context(Api)
            .context("cannot post the comment");
        assert_eq!(
            chain(&e),
            "cannot post the comment: GitHub answered 502: bad gateway"
        );
        let e = anyhow::anyhow!("inner").context("outer");
        assert_eq!(chain(&e), "outer: inner");
    }
}
