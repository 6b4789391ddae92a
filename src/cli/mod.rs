//! The command line: clap definitions and one short function per command (read -> core -> emit).
//! Files, environment, stdout and exit codes live here and nowhere else.

mod action;
mod input;
mod meta;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{anyhow, bail, Context, Result};
use clap::{Args, Parser, Subcommand};
use perfgate::compare::{self, Verdict};
use perfgate::config::{parse_percent, Budget, Config, TestChoice};
use perfgate::formats::{self, Format};
use perfgate::model::{Data, Run};
use perfgate::report::{self, MarkdownOptions};
use perfgate::store::{BaselineStore, LocalStore};

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
    /// Result files (or a criterion directory); several files merge into one run.
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
    /// Baseline results: a run saved by perfgate or a tool's raw output; several files merge.
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
    /// "http_req_duration p(95) < 200ms". Repeatable; added to the config's budgets.
    #[arg(long = "budget", value_name = "EXPR")]
    budgets: Vec<String>,
    /// Fail when a baseline benchmark is missing from the current run.
    #[arg(long)]
    fail_on_missing: bool,
    /// Fail when the current run has benchmarks the baseline lacks.
    #[arg(long)]
    fail_on_new: bool,
    /// Fail when a result is inconclusive.
    #[arg(long)]
    fail_on_inconclusive: bool,
    /// Write the JSON report (schema perfgate.report.v1) to this file.
    #[arg(long, value_name = "FILE")]
    report_json: Option<PathBuf>,
    /// Write the Markdown report to this file.
    #[arg(long, value_name = "FILE")]
    report_md: Option<PathBuf>,
    /// A minijinja template for the Markdown report instead of the built-in one.
    #[arg(long, value_name = "FILE")]
    template: Option<PathBuf>,
    /// The dashboard's address (`perfgate dashboard`, served somewhere): rows of the Markdown
    /// report with a trend link to their chart there.
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
    /// Commit of the run [default: from CI variables or git].
    #[arg(long)]
    commit: Option<String>,
    /// Branch of the run [default: from CI variables or git].
    #[arg(long)]
    branch: Option<String>,
    /// Time of the run, RFC 3339 [default: now].
    #[arg(long)]
    timestamp: Option<String>,
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
    let result = match cli.command {
        Cmd::Compare(a) => cmd_compare(a),
        Cmd::Save(a) => cmd_save(a),
        Cmd::Show(a) => cmd_show(a),
        Cmd::Formats => cmd_formats(),
        Cmd::Import(a) => cmd_import(a),
        Cmd::Dashboard(a) => cmd_dashboard(a),
        Cmd::Action => {
            let ctx = action::Ctx {
                env: Box::new(|k: &str| std::env::var(k).ok()),
            };
            return ExitCode::from(action::main(&ctx, &action::github_remote));
        }
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("{}", error_line(&e));
            ExitCode::from(EXIT_ERROR)
        }
    }
}

fn load_config(path: Option<&Path>) -> Result<Config> {
    let (path, explicit) = match path {
        Some(p) => (p.to_path_buf(), true),
        None => (PathBuf::from("perfgate.toml"), false),
    };
    if !explicit && !path.is_file() {
        return Ok(Config::default());
    }
    let text = fs::read_to_string(&path)
        .with_context(|| format!("cannot read config file `{}`", path.display()))?;
    Ok(Config::parse(&path.display().to_string(), &text)?)
}

fn color_stdout() -> bool {
    anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never
}

/// Prints a human report whose lines hold untrusted names (benchmark names come from a pull
/// request's code): framed by `::stop-commands::` under GitHub Actions, so that a name such as
/// `::add-mask::x` or `##[error]x` is printed, not run; as it is elsewhere.
fn print_report(text: &str) -> Result<()> {
    if in_actions(&|k| std::env::var(k).ok()) {
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

/// `text` with the values of the environment's secrets replaced by `***`, for anything printed
/// that may quote an answer from GitHub (some proxies echo the request, token included).
pub(crate) fn redacted(text: &str) -> String {
    use perfgate::github::runtime::{redact, secrets};
    let secrets = secrets(
        std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?))),
    );
    redact(text, &secrets)
}

/// An error as printed to standard error: secrets from the environment redacted, made inert for
/// the Actions runner (one line, no command), and at most a few thousand characters.
pub(crate) fn error_line(e: &anyhow::Error) -> String {
    format!(
        "error: {}",
        perfgate::github::runtime::inert(&redacted(&chain(e)), 4000)
    )
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

fn print(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    // A closed pipe (`| head`) is not an error worth a non-zero exit.
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => r.context("cannot write to standard output"),
    }
}

fn write_file(path: &Path, text: &str) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).with_context(|| format!("cannot create `{}`", dir.display()))?;
    }
    fs::write(path, text).with_context(|| format!("cannot write `{}`", path.display()))
}

fn cmd_compare(a: CompareArgs) -> Result<u8> {
    let mut config = load_config(a.input.config.as_deref())?;
    if let Some(t) = &a.threshold {
        config.threshold = parse_percent(t).map_err(|e| anyhow!("--threshold: {e}"))?;
    }
    if let Some(s) = a.significance {
        if !(s > 0.0 && s < 1.0) {
            bail!("--significance: expected a level between 0 and 1, such as 0.05, found {s}");
        }
        config.alpha = s;
    }
    if let Some(n) = a.min_samples {
        if n < 2 {
            bail!("--min-samples: expected at least 2, found {n}");
        }
        config.min_samples = n;
    }
    if let Some(t) = a.test.as_deref().and_then(TestChoice::from_name) {
        config.test = t;
    }
    for b in &a.budgets {
        config
            .budgets
            .push(Budget::parse_cli(b).map_err(|e| anyhow!("--budget: {e}"))?);
    }
    config.fail_on_missing |= a.fail_on_missing;
    config.fail_on_new |= a.fail_on_new;
    config.fail_on_inconclusive |= a.fail_on_inconclusive;
    config.allow_cross_environment |= a.allow_cross_environment;
    if let Some(w) = a.history_window {
        if w == 0 {
            bail!("--history-window: expected at least 1");
        }
        config.history.window = w;
    }
    let template = match &a.template {
        Some(p) => Some(
            fs::read_to_string(p)
                .with_context(|| format!("cannot read template `{}`", p.display()))?,
        ),
        None => None,
    };

    let mut current = input::read_runs(&a.input.current, a.input.format)?;
    meta::fill(&mut current.meta, meta::Given::default());

    // Oldest first; the latest baseline run is last. Several baseline files merge into one run.
    let baseline: Vec<Run> = if !a.baseline.is_empty() {
        vec![input::read_runs(&a.baseline, a.input.format)?]
    } else if let Some(dir) = &a.store {
        // A typo in the path must not turn the gate off.
        if !dir.is_dir() {
            bail!(
                "the store `{}` does not exist: check the path, or record a baseline first (`perfgate save --store {} --current <results>` on the default branch)",
                dir.display(),
                dir.display()
            );
        }
        let store = LocalStore::new(dir);
        let branch = a
            .baseline_branch
            .clone()
            .or_else(|| config.baseline_branch.clone());
        let branch = match branch {
            Some(b) => Some(b),
            None => perfgate::store::Index {
                runs: store.entries()?,
                ..perfgate::store::Index::default()
            }
            .default_branch()
            .map(str::to_string),
        };
        let read = |n: usize| -> Result<Vec<Run>> {
            let runs = store.history(branch.as_deref(), n)?;
            // A stored run is never empty: an empty one was damaged or replaced, and comparing
            // with it would pass anything. The latest fails closed; older ones are left out.
            if let Some((entry, _)) = runs.last().filter(|(_, r)| r.benchmarks.is_empty()) {
                bail!(
                    "the latest stored run `{}` in `{}` holds no benchmarks: a stored run is never empty, so it was damaged or replaced. Repair or delete it (and its line in index.json) before comparing",
                    entry.id,
                    dir.display()
                );
            }
            Ok(runs
                .into_iter()
                .map(|(_, run)| run)
                .filter(|run| !run.benchmarks.is_empty())
                .collect())
        };
        let mut runs = read(config.history.window)?;
        // Some of the window ran on another kind of machine: compare_history keeps the runs on
        // this one, so read them all (the store keeps `keep` runs) to fill the window with them.
        if !config.allow_cross_environment
            && runs.iter().any(|r| !compare::same_machine(r, &current))
        {
            runs = read(usize::MAX)?;
        }
        if runs.is_empty() {
            eprintln!(
                "warning: the store `{}` has no run{}: only budgets are checked",
                dir.display(),
                branch
                    .map(|b| format!(" of branch `{b}`"))
                    .unwrap_or_default()
            );
        }
        runs
    } else {
        if config.budgets.is_empty() {
            bail!("nothing to compare with: give --baseline <PATH> or --store <DIR>, or budgets (--budget or perfgate.toml)");
        }
        Vec::new()
    };

    let comparison = compare::compare_history(&baseline, &current, &config);
    if let Some(why) = comparison.nothing_in_common() {
        bail!("{why}");
    }

    if let Some(p) = &a.report_json {
        write_file(p, &report::render_json(&comparison))?;
    }
    if let Some(p) = &a.report_md {
        let opts = MarkdownOptions {
            template,
            reproduce: Some(reproduce_command(&a)),
            dashboard_url: a.dashboard_url.clone(),
            ..MarkdownOptions::default()
        };
        let md = report::render_markdown(&comparison, &opts)?;
        write_file(p, &md)?;
    }
    print_report(&report::render_terminal(&comparison, color_stdout()))?;
    Ok(match comparison.verdict {
        Verdict::Pass => EXIT_PASS,
        Verdict::Fail => EXIT_FAIL,
    })
}

fn reproduce_command(a: &CompareArgs) -> String {
    let q = |p: &Path| {
        let s = p.display().to_string();
        if s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-/".contains(c))
        {
            s
        } else {
            format!("'{}'", s.replace('\'', "'\\''"))
        }
    };
    let mut cmd = String::from("perfgate compare");
    for b in &a.baseline {
        cmd.push_str(&format!(" --baseline {}", q(b)));
    }
    if let Some(s) = &a.store {
        cmd.push_str(&format!(" --store {}", q(s)));
    }
    for c in &a.input.current {
        cmd.push_str(&format!(" --current {}", q(c)));
    }
    if let Some(c) = &a.input.config {
        cmd.push_str(&format!(" --config {}", q(c)));
    }
    cmd
}

fn cmd_save(a: SaveArgs) -> Result<u8> {
    let config = load_config(a.input.config.as_deref())?;
    // Everything is read and validated before the store is touched: a failed or partial run
    // never replaces a baseline.
    let mut run = input::read_runs(&a.input.current, a.input.format)?;
    meta::fill(
        &mut run.meta,
        meta::Given {
            commit: a.commit,
            branch: a.branch,
            timestamp: a.timestamp,
        },
    );
    let keep = a.keep.unwrap_or(config.keep);
    if keep == 0 {
        bail!("--keep: expected at least 1");
    }
    let store = LocalStore::new(&a.store);
    let entry = store.save(&run, keep)?;
    print(&format!(
        "saved run {} ({} benchmarks, {} metrics; commit {}, branch {}) to {}\n",
        entry.id,
        run.benchmarks.len(),
        run.metric_count(),
        entry.commit.as_deref().map(short).unwrap_or("unknown"),
        entry.branch.as_deref().unwrap_or("unknown"),
        a.store.display()
    ))?;
    Ok(EXIT_PASS)
}

fn short(c: &str) -> &str {
    c.get(..12).unwrap_or(c)
}

fn cmd_show(a: ShowArgs) -> Result<u8> {
    let mut runs = Vec::new();
    for p in &a.paths {
        runs.push((p, input::read_run(p, a.format)?));
    }
    if a.json {
        let text = if let [(_, run)] = runs.as_slice() {
            serde_json::to_string_pretty(run)?
        } else {
            let only: Vec<&Run> = runs.iter().map(|(_, r)| r).collect();
            serde_json::to_string_pretty(&only)?
        };
        print(&format!("{text}\n"))?;
        return Ok(EXIT_PASS);
    }
    let mut out = String::new();
    for (path, run) in &runs {
        out.push_str(&show_run(path, run));
    }
    print_report(&out)?;
    Ok(EXIT_PASS)
}

fn show_run(path: &Path, run: &Run) -> String {
    let mut out = format!(
        "{}: {} ({} benchmarks, {} metrics)\n",
        path.display(),
        run.meta.tool.as_deref().unwrap_or("unknown format"),
        run.benchmarks.len(),
        run.metric_count()
    );
    let e = &run.meta.environment;
    let env: Vec<String> = [
        e.os.as_deref().map(|v| format!("os {v}")),
        e.arch.as_deref().map(|v| format!("arch {v}")),
        e.cpu.as_deref().map(|v| format!("cpu {v}")),
    ]
    .into_iter()
    .flatten()
    .chain(e.extra.iter().map(|(k, v)| format!("{k} {v}")))
    .collect();
    if !env.is_empty() {
        out.push_str(&format!("  {}\n", env.join(", ")));
    }
    let mut rows = vec![[
        "benchmark".to_string(),
        "metric".into(),
        "unit".into(),
        "better".into(),
        "n".into(),
        "value".into(),
    ]];
    for b in &run.benchmarks {
        for m in &b.metrics {
            let (n, value) = match &m.data {
                Data::Value(v) => ("1".to_string(), m.unit.format(*v)),
                Data::Samples(s) => {
                    let med = perfgate::stats::median(s).unwrap_or(f64::NAN);
                    let lo = s.iter().copied().fold(f64::INFINITY, f64::min);
                    let hi = s.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                    (
                        s.len().to_string(),
                        format!(
                            "median {} (min {}, max {})",
                            m.unit.format(med),
                            m.unit.format(lo),
                            m.unit.format(hi)
                        ),
                    )
                }
                Data::Histogram(h) => (
                    h.len().to_string(),
                    format!(
                        "histogram: p50 {}, p99 {}, max {}",
                        m.unit.format(h.quantile(0.5)),
                        m.unit.format(h.quantile(0.99)),
                        m.unit.format(h.max())
                    ),
                ),
            };
            rows.push([
                b.name.clone(),
                m.name.clone(),
                m.unit.to_string(),
                match m.direction {
                    perfgate::model::Direction::LowerIsBetter => "lower".into(),
                    perfgate::model::Direction::HigherIsBetter => "higher".into(),
                },
                n,
                value,
            ]);
        }
    }
    out.push_str(&table(&rows));
    out.push('\n');
    out
}

fn table<const N: usize>(rows: &[[String; N]]) -> String {
    let mut widths = [0usize; N];
    for r in rows {
        for (w, c) in widths.iter_mut().zip(r.iter()) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    for r in rows {
        let mut line = String::from("  ");
        for (i, (c, w)) in r.iter().zip(widths.iter()).enumerate() {
            line.push_str(c);
            if i + 1 < N {
                line.push_str(&" ".repeat(w - c.chars().count() + 2));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn cmd_import(a: ImportArgs) -> Result<u8> {
    let config = load_config(a.config.as_deref())?;
    let shown = a.history.display();
    let text = fs::read_to_string(&a.history).with_context(|| format!("cannot read `{shown}`"))?;
    // Every run is parsed before the store is touched.
    let runs = formats::gab_history::parse_history(&text)
        .map_err(|e| anyhow!("cannot read `{shown}` as a github-action-benchmark history: {e}"))?;
    if runs.is_empty() {
        bail!("`{shown}` holds no benchmark runs");
    }
    let keep = a.keep.unwrap_or(config.keep).max(1);
    let store = LocalStore::new(&a.store);
    let total = runs.len();
    for mut run in runs {
        run.meta.branch = Some(a.branch.clone());
        store.save(&run, keep)?;
    }
    let runs_word = |n: usize| if n == 1 { "run" } else { "runs" };
    print(&format!(
        "imported {total} {} into {} (branch {}; the last {} kept)\n",
        runs_word(total),
        a.store.display(),
        a.branch,
        keep.min(total)
    ))?;
    Ok(EXIT_PASS)
}

fn cmd_dashboard(a: DashboardArgs) -> Result<u8> {
    use perfgate::dashboard::{self, site, Options, Source};
    let config = load_config(a.config.as_deref())?;
    let stores = dashboard_stores(&a.store)?;
    let indexes: Vec<(String, perfgate::store::Index)> = stores
        .into_iter()
        .map(|(key, dir)| {
            let runs = LocalStore::new(&dir).entries()?;
            Ok((
                key,
                perfgate::store::Index {
                    runs,
                    ..Default::default()
                },
            ))
        })
        .collect::<Result<_>>()?;
    let sources: Vec<Source> = indexes
        .iter()
        .map(|(key, index)| Source { key, index })
        .collect();
    let repo_url = a.repo_url.as_deref().map(|u| u.trim_end_matches('/'));
    if let Some(u) = repo_url {
        if !(u.starts_with("https://") || u.starts_with("http://")) {
            bail!("--repo-url `{u}` is not a web address: give the repository's page, such as https://github.com/OWNER/REPO");
        }
    }
    let options = Options {
        branch: a.branch.clone(),
        commit_url: repo_url.map(|u| format!("{u}/commit/")),
        recent: a.recent,
        title: a.title.clone().unwrap_or_else(|| Options::default().title),
    };
    let d = dashboard::build(&sources, &config, &options);
    if d.series.is_empty() {
        let branch = a.branch.as_deref().unwrap_or("main (or master)");
        bail!(
            "`{}` has no runs of {branch} to draw{}: record some with `perfgate save` on that branch, or pick another with --branch",
            a.store.display(),
            if d.unsummarised > 0 { " (its runs were written by a perfgate older than index summaries)" } else { "" }
        );
    }
    fs::create_dir_all(&a.out).with_context(|| format!("cannot create `{}`", a.out.display()))?;
    let mut sizes = Vec::new();
    for f in site::render(&d) {
        let path = a.out.join(f.name);
        perfgate::store::local::write_atomic(&path, &f.text)?;
        sizes.push(format!("{} ({})", path.display(), kib(f.text.len())));
    }
    let runs: usize = d.keys.iter().map(|k| k.commits.len()).sum();
    print(&format!(
        "wrote {}: {} series over {runs} runs, {} level {} in the last {} runs\n",
        sizes.join(" and "),
        d.series.len(),
        d.changes.len(),
        if d.changes.len() == 1 {
            "shift"
        } else {
            "shifts"
        },
        d.recent
    ))?;
    Ok(EXIT_PASS)
}

fn kib(bytes: usize) -> String {
    if bytes < 10 * 1024 {
        format!("{bytes} bytes")
    } else {
        format!("{} KiB", bytes / 1024)
    }
}

/// The stores under `dir`, each with its key: `dir` itself when it holds an index (key
/// `default`), else each folder of `dir` that holds one (a checkout of the data branch), by name.
fn dashboard_stores(dir: &Path) -> Result<Vec<(String, PathBuf)>> {
    if !dir.is_dir() {
        bail!(
            "the store `{}` does not exist: give a folder made by `perfgate save` or a checkout of the data branch",
            dir.display()
        );
    }
    if dir.join("index.json").is_file() {
        return Ok(vec![("default".into(), dir.to_path_buf())]);
    }
    let mut out = Vec::new();
    let entries = fs::read_dir(dir).with_context(|| format!("cannot list `{}`", dir.display()))?;
    for e in entries {
        let e = e.with_context(|| format!("cannot list `{}`", dir.display()))?;
        let path = e.path();
        if path.join("index.json").is_file() {
            out.push((e.file_name().to_string_lossy().into_owned(), path));
        }
    }
    out.sort();
    if out.is_empty() {
        bail!(
            "`{}` holds no store: neither an index.json nor folders with one (a data branch has one folder per key)",
            dir.display()
        );
    }
    Ok(out)
}

fn cmd_formats() -> Result<u8> {
    // Each format in a block that fits 100 columns: its name, what it reads, how it is told.
    let width = formats::FORMATS
        .iter()
        .map(|(_, name, _, _)| name.len())
        .max()
        .unwrap_or(0)
        + 4;
    let mut out =
        String::from("Formats, in the order auto-detection tries them (--format forces one):\n\n");
    for (_, name, what, how) in formats::FORMATS {
        let lines = wrap(what, 100 - width)
            .into_iter()
            .chain(wrap(&format!("detected by: {how}"), 100 - width));
        for (i, line) in lines.enumerate() {
            let label = if i == 0 { *name } else { "" };
            out.push_str(&format!("  {label:<w$}{line}\n", w = width - 2));
        }
    }
    print(&out)?;
    Ok(EXIT_PASS)
}

/// `text` in lines of at most `width` characters, broken at spaces (a longer word stands alone).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

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
