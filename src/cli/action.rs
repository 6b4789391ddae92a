//! `perfgate action`: the GitHub Action's entrypoint. Reads `INPUT_*` and `GITHUB_*` variables
//! and the event payload, compares (pull requests) or records (pushes to the default branch),
//! and writes the sticky comment, job summary, annotations, outputs and exit code.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use perfgate::compare::alert::Watch;
use perfgate::compare::{self, Comparison, Status, Verdict};
use perfgate::config::parse_percent;
use perfgate::formats::Format;
use perfgate::github::alert::AlertMode;
use perfgate::github::api::ApiError;
use perfgate::github::datastore::FullRuns;
use perfgate::github::runtime::{
    annotation, framed, inert, output_entry, BaselineSource, Event, Inputs, Level, Mode,
    ANNOTATIONS_PER_LEVEL, SUMMARY_LIMIT_BYTES,
};
use perfgate::model::Run;
use perfgate::report::alert::AlertContext;
use perfgate::report::{self, MarkdownOptions};

use super::{input, load_config, meta, EXIT_ERROR, EXIT_FAIL, EXIT_PASS};
use perfgate::github::datastore::Site;

/// What the action needs from GitHub's API; implemented over the REST client, and by fakes in
/// tests.
pub trait Remote {
    /// The baseline run: the run recorded for `base_sha` when present, else the latest run of
    /// `default_branch`, with a description of which one it is and how to fetch it locally, and
    /// up to `window - 1` earlier runs of its branch (their summaries, but for those `full`
    /// names).
    fn baseline(
        &self,
        base_sha: Option<&str>,
        default_branch: &str,
        window: usize,
        full: &FullRuns<'_>,
    ) -> Result<Option<Baseline>>;
    /// Records a run on the data branch, with the dashboard's files when `site` is given;
    /// returns its id.
    fn save(&self, run: &Run, site: Option<&Site<'_>>) -> Result<String>;
    /// Creates or updates the sticky comment; returns (what happened, comment URL).
    fn upsert_comment(&self, pr: u64, body: &str) -> Result<(String, String)>;
    /// A pull request's state, head commit and head repository (`owner/name`).
    fn pull_head(&self, pr: u64) -> Result<PullHead>;
    /// Tells of the level shifts a push confirmed as `mode` asks (a commit comment, the key's
    /// issue); returns what it wrote, a line each.
    fn alert(&self, mode: AlertMode, watch: &Watch, ctx: &AlertContext) -> Result<Vec<String>>;
}

/// A baseline found by a [`Remote`].
pub struct Baseline {
    pub run: Run,
    /// Earlier runs of the same branch, oldest first (history-aware decisions).
    pub before: Vec<Run>,
    /// Which run it is, for the report.
    pub describe: String,
    /// Shell commands that write it to `baseline.json` locally.
    pub fetch: Option<String>,
}

/// Looks up an environment variable.
pub type Env = dyn Fn(&str) -> Option<String>;

/// Builds the API side once inputs and event are known.
pub type MakeRemote = dyn Fn(&Inputs, &Event) -> Result<Box<dyn Remote>>;

/// What `mode: comment` checks of the pull request it is about to comment on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullHead {
    pub open: bool,
    pub sha: String,
    /// `owner/name`; None when the fork was deleted.
    pub repository: Option<String>,
}

/// The environment the action runs in.
pub struct Ctx {
    pub env: Box<Env>,
}

impl Ctx {
    fn var(&self, k: &str) -> Option<String> {
        (self.env)(k).filter(|v| !v.trim().is_empty())
    }
}

/// Runs the action; errors become an `::error::` annotation and exit code 2.
pub fn main(ctx: &Ctx, remote: &MakeRemote) -> u8 {
    match run(ctx, remote) {
        Ok(code) => code,
        Err(e) => {
            let line = super::error_line(&e);
            let msg = line.strip_prefix("error: ").unwrap_or(&line);
            println!("{}", annotation(Level::Error, "perfgate", msg));
            eprintln!("{line}");
            // A summary written before the error (with its ✅) must not be the last word.
            if let Some(path) = ctx.var("GITHUB_STEP_SUMMARY") {
                let text = format!(
                    "\n### ❌ perfgate failed (exit code {EXIT_ERROR})\n\n{}\n\nNothing was gated: the step failed before a verdict, or after it while reporting or recording.\n",
                    report::escape_markdown(msg)
                );
                if let Err(e) = append(Path::new(&path), &text) {
                    eprintln!("{}", super::error_line(&e));
                }
            }
            EXIT_ERROR
        }
    }
}

fn run(ctx: &Ctx, make_remote: &MakeRemote) -> Result<u8> {
    let inputs = Inputs::from_env(&*ctx.env)?;
    let event_name = ctx.var("GITHUB_EVENT_NAME").unwrap_or_default();
    let event = match ctx.var("GITHUB_EVENT_PATH") {
        Some(p) => {
            let text = fs::read_to_string(&p)
                .with_context(|| format!("cannot read the event payload `{p}`"))?;
            Event::parse(&event_name, &text).map_err(|e| anyhow!("{p}: {e}"))?
        }
        None => Event {
            name: event_name.clone(),
            ..Event::default()
        },
    };
    if let Some(ws) = ctx.var("GITHUB_WORKSPACE") {
        std::env::set_current_dir(&ws)
            .with_context(|| format!("cannot enter the workspace `{ws}`"))?;
    }
    let git_ref = ctx.var("GITHUB_REF").unwrap_or_default();
    let default_branch = event
        .default_branch
        .clone()
        .unwrap_or_else(|| "main".into());

    let mode = match inputs.mode {
        Mode::Auto if event.pull_request.is_some() => Mode::Compare,
        Mode::Auto if event.is_push_to_default(&git_ref) => Mode::Save,
        Mode::Auto => Mode::Compare,
        m => m,
    };
    if mode == Mode::Comment {
        return post_rendered(ctx, &inputs, &event, make_remote);
    }
    if mode == Mode::Save && !event.may_record(&git_ref) {
        bail!(
            "refusing to record a baseline from a `{}` event on `{}`: `mode: save` records runs of the default branch (`{default_branch}`) only: a push, a schedule or a manual run (workflow_dispatch)",
            inert(&event.name, 60),
            inert(&git_ref, 200)
        );
    }

    let mut config = load_config(inputs.config.as_deref().map(Path::new))?;
    if let Some(t) = &inputs.threshold {
        config.threshold = parse_percent(t).map_err(|e| anyhow!("input `threshold`: {e}"))?;
    }
    for line in &inputs.budgets {
        config.budgets.push(
            perfgate::config::Budget::parse_line(line)
                .map_err(|e| anyhow!("input `budgets`: {e}"))?,
        );
    }
    let format = match &inputs.format {
        Some(f) => Some(
            Format::from_name(f).ok_or_else(|| anyhow!("input `format`: unknown format `{f}`"))?,
        ),
        None => None,
    };
    let files = expand(&inputs.results)?;
    let mut current = input::read_runs(&files, format)?;
    let pr = event.pull_request.clone();
    meta::fill(
        &mut current.meta,
        meta::Given {
            commit: pr
                .as_ref()
                .map(|p| p.head_sha.clone())
                .or_else(|| ctx.var("GITHUB_SHA")),
            branch: pr
                .as_ref()
                .map(|p| p.head_ref.clone())
                .or_else(|| git_ref.strip_prefix("refs/heads/").map(str::to_string)),
            timestamp: None,
        },
    );

    let remote = make_remote(&inputs, &event);
    let (history, mut baseline_note, mut fetch) = match &inputs.baseline {
        BaselineSource::Paths(p) => (vec![input::read_runs(&expand(p)?, format)?], None, None),
        BaselineSource::DataBranch => {
            let r = remote.as_ref().map_err(|e| anyhow!("{e:#}"))?;
            let base_sha = pr.as_ref().map(|p| p.base_sha.as_str());
            // The history comes from the index's run summaries, so the whole window costs no
            // more API calls than the base run alone. Samples are read only for the runs the
            // comparison uses them from: the latest on this kind of machine, and the pooled ones.
            let full = |runs: &[&Run]| compare::runs_with_samples(runs, &current, &config);
            let found = match r.baseline(
                base_sha,
                &default_branch,
                config.history.window.max(1),
                &full,
            ) {
                Ok(found) => found,
                // One damaged stored run must not stop the branch from recording: the new run is
                // saved without a comparison, and the warning says what to repair.
                Err(e) if mode == Mode::Save => {
                    println!(
                        "{}",
                        annotation(
                            Level::Warning,
                            "perfgate",
                            &format!("the stored baseline could not be read, so this run is recorded without a comparison: {}. Repair or delete the damaged run on `{}`.", super::error_line(&e).trim_start_matches("error: "), inputs.data_branch)
                        )
                    );
                    None
                }
                Err(e) => return Err(e),
            };
            match found {
                // A stored run is never empty: an empty one was damaged or replaced, and
                // comparing with it would pass any pull request.
                Some(b) if b.run.benchmarks.is_empty() && mode != Mode::Save => {
                    bail!(
                        "the baseline ({}) on `{}` holds no benchmarks: a stored run is never empty, so it was damaged or replaced. The pull request fails closed; repair or delete that run on the data branch (a push to `{default_branch}` records a new one)",
                        b.describe,
                        inputs.data_branch
                    );
                }
                Some(b) => {
                    let mut runs: Vec<Run> = b
                        .before
                        .into_iter()
                        .filter(|r| !r.benchmarks.is_empty())
                        .collect();
                    if !b.run.benchmarks.is_empty() {
                        runs.push(b.run);
                    }
                    (runs, Some(b.describe), b.fetch)
                }
                None => {
                    println!(
                        "{}",
                        annotation(
                            Level::Notice,
                            "perfgate",
                            &format!("no baseline on branch `{}` yet: only budgets were checked. Baselines are recorded by pushes to `{default_branch}`.", inputs.data_branch)
                        )
                    );
                    (Vec::new(), None, None)
                }
            }
        }
    };
    let baseline = history.last();
    if baseline.is_none() && mode == Mode::Compare && config.budgets.is_empty() {
        println!("perfgate: no baseline and no budgets: nothing to gate yet");
    }

    // A push records its run whatever it has in common with the last one; a pull request that
    // compared nothing must not pass.
    let comparison = super::gate(&history, &current, &config, mode == Mode::Save)?;
    // When the base run was left out for a run on this kind of machine, say which one it is.
    if comparison.other_environment_runs > 0
        && history
            .last()
            .is_some_and(|b| !compare::same_machine(b, &current))
    {
        if let Some(b) = &comparison.baseline {
            let run =
                perfgate::github::datastore::run_words(b.commit.as_deref(), b.timestamp.as_deref());
            baseline_note = Some(format!(
                "{run}, the latest run on this kind of machine (the base commit's ran on another)"
            ));
            fetch = None;
        }
    }
    let out_dir = PathBuf::from("perfgate-report").join(&inputs.key);
    fs::create_dir_all(&out_dir)
        .with_context(|| format!("cannot create `{}`", out_dir.display()))?;
    let json_path = out_dir.join("report.json");
    fs::write(&json_path, report::render_json(&comparison))
        .with_context(|| format!("cannot write `{}`", json_path.display()))?;

    let marker = perfgate::github::comment::marker(&inputs.key);
    let mut md_opts = MarkdownOptions {
        dashboard_url: dashboard_url(ctx, &inputs),
        dashboard_key: Some(perfgate::github::comment::sanitize_key(&inputs.key)),
        title: (inputs.key != "default").then(|| format!("perfgate ({})", inputs.key)),
        reproduce: Some(reproduce(&inputs, fetch.as_deref())),
        marker: Some(marker),
        ..MarkdownOptions::default()
    };
    if let Some(note) = &baseline_note {
        md_opts.title = Some(format!(
            "{} · baseline {note}",
            md_opts.title.clone().unwrap_or_else(|| "perfgate".into())
        ));
    }
    // The comment names the current commit but not the time of the run, so that re-running a job
    // on the same commit with the same results leaves the comment as it is.
    let mut for_comment = comparison.clone();
    for_comment.current.timestamp = None;
    let comment = report::render_markdown(&for_comment, &md_opts)?;

    print!(
        "{}",
        framed(
            &report::render_terminal(&comparison, false),
            &super::frame_token()
        )
    );
    annotate(&comparison);

    // The watch on the default branch: level shifts for the worse this push's run confirms.
    let watch = (mode == Mode::Save)
        .then(|| compare::alert::watch(&history, &current, &comparison, &config));
    let alert_ctx = AlertContext {
        key: inputs.key.clone(),
        branch: default_branch.clone(),
        run_commit: current.meta.commit.clone(),
        server_url: ctx.var("GITHUB_SERVER_URL"),
        repository: ctx.var("GITHUB_REPOSITORY"),
    };
    let alerts = watch.as_ref().map_or(0, |w| {
        w.alerts.iter().map(|g| g.shifts.len()).sum::<usize>()
    });
    if let Some(w) = &watch {
        announce(w);
    }

    if inputs.summary {
        if let Some(path) = ctx.var("GITHUB_STEP_SUMMARY") {
            // A push to the default branch that the branch's own history finds slower says so
            // first; the run is still recorded and the job passes.
            let mut first = watch.as_ref().map_or_else(String::new, |w| {
                report::alert::render_summary(w, &alert_ctx, inputs.fail_on_alert)
                    .unwrap_or_default()
            });
            if mode == Mode::Save {
                first.push_str(
                    &report::render_watch(&comparison, &default_branch).unwrap_or_default(),
                );
            }
            let summary = summary_markdown(
                &comparison,
                &md_opts,
                Some(first.as_str()).filter(|f| !f.is_empty()),
            )?;
            append(Path::new(&path), &summary)?;
        }
    }

    let mut comment_url = String::new();
    if let (Some(pr), true, Mode::Compare) = (&pr, inputs.comment, mode) {
        if pr.is_fork {
            fs::write(out_dir.join("comment.md"), &comment)?;
            // What `mode: comment` renders from: data, not Markdown, so a forged artifact cannot
            // smuggle unescaped content into the comment.
            fs::write(
                out_dir.join("comparison.json"),
                serde_json::to_string(&for_comment)?,
            )?;
            fs::write(
                out_dir.join("pr.json"),
                serde_json::json!({"number": pr.number, "head_sha": pr.head_sha, "key": inputs.key})
                    .to_string(),
            )?;
            println!(
                "{}",
                annotation(
                    Level::Notice,
                    "perfgate",
                    &format!("pull requests from forks get a read-only token, so no comment was written. The report is in {} for actions/upload-artifact; a workflow_run workflow with `mode: comment` can post it (see the README).", out_dir.display())
                )
            );
        } else {
            let r = remote.as_ref().map_err(|e| anyhow!("{e:#}"))?;
            let (what, url) = r.upsert_comment(pr.number, &comment)?;
            println!("perfgate: comment {what}: {url}");
            comment_url = url;
        }
    }

    if mode == Mode::Save {
        let r = remote.as_ref().map_err(|e| anyhow!("{e:#}"))?;
        if comparison.verdict == Verdict::Fail {
            current
                .meta
                .environment
                .extra
                .insert("perfgate.verdict".into(), "fail".into());
        }
        let site = inputs
            .dashboard
            .then(|| dashboard_site(ctx, &config, &default_branch));
        let id = r.save(&current, site.as_ref().map(|s| s as &Site<'_>))?;
        println!(
            "perfgate: recorded run {id} on `{}`{}",
            inputs.data_branch,
            if comparison.verdict == Verdict::Fail {
                " (marked: it failed the gate)"
            } else {
                ""
            }
        );
        if let Some(w) = &watch {
            send_alerts(r.as_ref(), inputs.alert, w, &alert_ctx);
        }
    }

    if let Some(path) = ctx.var("GITHUB_OUTPUT") {
        let nonce = nonce();
        let mut out = String::new();
        out.push_str(&output_entry("verdict", comparison.verdict.as_str(), nonce));
        out.push_str(&output_entry(
            "regressions",
            &regressions(&comparison).to_string(),
            nonce,
        ));
        out.push_str(&output_entry(
            "improvements",
            &comparison.counts.improvement.to_string(),
            nonce,
        ));
        out.push_str(&output_entry(
            "report-json",
            &json_path.display().to_string(),
            nonce,
        ));
        out.push_str(&output_entry("comment-url", &comment_url, nonce));
        out.push_str(&output_entry("alerts", &alerts.to_string(), nonce));
        append(Path::new(&path), &out)?;
    }

    Ok(match comparison.verdict {
        Verdict::Fail if inputs.fail_on_regression && mode != Mode::Save => EXIT_FAIL,
        _ if inputs.fail_on_alert && alerts > 0 => EXIT_FAIL,
        _ => EXIT_PASS,
    })
}

/// The level shifts a push confirmed, as warnings in the log and on the run's page.
fn announce(w: &Watch) {
    for g in &w.alerts {
        for s in &g.shifts {
            println!(
                "{}",
                annotation(
                    Level::Warning,
                    "perfgate",
                    &format!(
                        "level shift for the worse: {} {} {:+.1}% since commit {}",
                        s.benchmark,
                        s.metric,
                        s.change * 100.0,
                        g.commit
                    )
                )
            );
        }
    }
}

/// Tells of the push's level shifts as the `alert` input asks. The run is recorded already: a
/// failure here is a warning, never the job's failure, and a 403 names the permission to add.
fn send_alerts(remote: &dyn Remote, mode: AlertMode, w: &Watch, ctx: &AlertContext) {
    let needed = match mode {
        AlertMode::None => return,
        AlertMode::CommitComment if w.alerts.is_empty() => return,
        AlertMode::CommitComment => "contents: write",
        AlertMode::Issue => "issues: write",
    };
    match remote.alert(mode, w, ctx) {
        Ok(done) => {
            for line in done {
                println!("perfgate: alert: {line}");
            }
        }
        Err(e) => {
            let forbidden = e.chain().find_map(|c| match c.downcast_ref::<ApiError>() {
                Some(ApiError::Forbidden { permission, .. }) => Some(*permission),
                _ => None,
            });
            let why = super::error_line(&e);
            let why = why.trim_start_matches("error: ");
            let msg = match forbidden {
                Some(p) => format!("the alert was not written: the token may not do it. Give the job `permissions:` with `{p}` (`alert: {}` needs `{needed}`). The run is recorded all the same. ({why})", mode.as_str()),
                None => format!("the alert was not written (`alert: {}`); the run is recorded all the same: {why}", mode.as_str()),
            };
            println!(
                "{}",
                annotation(Level::Warning, "perfgate", &super::redacted(&msg))
            );
        }
    }
}

/// The job summary: `first` (a short section, such as the default branch's regressions), then
/// the comment's Markdown, shortened until both fit GitHub's 1 MiB limit.
fn summary_markdown(c: &Comparison, opts: &MarkdownOptions, first: Option<&str>) -> Result<String> {
    let first = first.unwrap_or_default();
    let mut max = 250_000;
    loop {
        let o = MarkdownOptions {
            max_chars: max,
            marker: None,
            ..opts.clone()
        };
        let md = format!("{first}{}", report::render_markdown(c, &o)?);
        if md.len() < SUMMARY_LIMIT_BYTES || max < 10_000 {
            return Ok(md);
        }
        max /= 2;
    }
}

/// Error annotations for regressions and broken budgets, warnings for inconclusive results,
/// within GitHub's per-step limits.
/// The regressions the `regressions` output counts: a load test's counts that follow its
/// duration are context, not regressions of their own.
fn regressions(c: &Comparison) -> usize {
    c.results
        .iter()
        .filter(|r| r.status == Status::Regression && !r.context)
        .count()
}

fn annotate(c: &Comparison) {
    let mut errors: Vec<String> = Vec::new();
    let mut warnings: Vec<String> = Vec::new();
    // A load test's counts that follow its duration are context, not annotations.
    for r in c.results.iter().filter(|r| !r.context) {
        let change = r
            .change
            .map(|x| format!("{:+.1}%", x * 100.0))
            .unwrap_or_else(|| "changed".into());
        let line = format!("{} {}: {change}", r.benchmark, r.metric);
        match r.status {
            Status::Regression => errors.push(format!("regression: {line}")),
            Status::Inconclusive => warnings.push(format!(
                "inconclusive: {line}{}",
                r.note
                    .as_deref()
                    .map(|n| format!(" ({n})"))
                    .unwrap_or_default()
            )),
            _ => {}
        }
    }
    for b in c.budgets.iter().filter(|b| !b.passed) {
        errors.push(format!(
            "budget broken: {} {}{}",
            b.benchmark,
            b.expression,
            b.actual
                .map(|a| format!(" (actual {})", b.unit.format(a)))
                .unwrap_or_default()
        ));
    }
    let mut out = std::io::stdout().lock();
    for (level, list) in [(Level::Error, errors), (Level::Warning, warnings)] {
        let n = list.len();
        for (i, msg) in list.into_iter().enumerate() {
            if i + 1 == ANNOTATIONS_PER_LEVEL && n > ANNOTATIONS_PER_LEVEL {
                let _ = writeln!(
                    out,
                    "{}",
                    annotation(
                        level,
                        "perfgate",
                        &format!("… and {} more: see the job summary", n - i)
                    )
                );
                break;
            }
            let _ = writeln!(out, "{}", annotation(level, "perfgate", &msg));
        }
    }
}

/// A number for output delimiters that a result file cannot predict.
fn nonce() -> u64 {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or_default();
    t ^ (u64::from(std::process::id()) << 32) ^ 0x9e37_79b9_7f4a_7c15
}

/// How to run the same comparison locally: fetch the baseline, then compare.
fn reproduce(inputs: &Inputs, fetch: Option<&str>) -> String {
    let mut out = String::new();
    let baseline = match (&inputs.baseline, fetch) {
        (BaselineSource::Paths(p), _) => p
            .iter()
            .map(|p| super::shell_quote(p))
            .collect::<Vec<_>>()
            .join(" "),
        (BaselineSource::DataBranch, Some(f)) => {
            out.push_str(f);
            out.push('\n');
            "baseline.json".to_string()
        }
        (BaselineSource::DataBranch, None) => "<baseline results>".to_string(),
    };
    out.push_str(&format!("perfgate compare --baseline {baseline}"));
    for r in &inputs.results {
        out.push_str(&format!(" --current {}", super::shell_quote(r)));
    }
    if let Some(c) = &inputs.config {
        out.push_str(&format!(" --config {}", super::shell_quote(c)));
    }
    out
}

fn append(path: &Path, text: &str) -> Result<()> {
    let mut f = fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("cannot open `{}`", path.display()))?;
    f.write_all(text.as_bytes())
        .with_context(|| format!("cannot write `{}`", path.display()))
}

/// Expands globs (`*`, `?`, `**`) relative to the working directory; a pattern that matches
/// nothing is an error (never a silent green build).
pub fn expand(patterns: &[String]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in patterns {
        if !p.contains(['*', '?', '[']) {
            out.push(PathBuf::from(p));
            continue;
        }
        let mut matched: Vec<PathBuf> = glob::glob(p)
            .map_err(|e| anyhow!("bad glob `{p}`: {e}"))?
            .filter_map(|r| r.ok())
            .filter(|p| p.is_file())
            .collect();
        if matched.is_empty() {
            bail!(
                "no file matches `{p}` (working directory `{}`)",
                std::env::current_dir()
                    .map(|d| d.display().to_string())
                    .unwrap_or_default()
            );
        }
        matched.sort();
        out.extend(matched);
    }
    Ok(out)
}

/// `mode: comment`: posts the report of a fork pull request's run, after checking the artifact's
/// pull request number and head commit against the API. The artifact is untrusted: the comment is
/// rendered again from its comparison data.
fn post_rendered(
    ctx: &Ctx,
    inputs: &Inputs,
    event: &Event,
    make_remote: &MakeRemote,
) -> Result<u8> {
    let dir = expand(&inputs.results)?.into_iter().next().ok_or_else(|| {
        anyhow!("input `results`: give the folder of the downloaded report artifact")
    })?;
    let dir = if dir.is_dir() {
        dir
    } else {
        dir.parent().map(Path::to_path_buf).unwrap_or_default()
    };
    let pr_text = fs::read_to_string(dir.join("pr.json"))
        .with_context(|| format!("cannot read `{}`", dir.join("pr.json").display()))?;
    let pr: serde_json::Value = serde_json::from_str(&pr_text)
        .with_context(|| format!("`{}` is not valid JSON", dir.join("pr.json").display()))?;
    let number = pr
        .get("number")
        .and_then(serde_json::Value::as_u64)
        .ok_or_else(|| anyhow!("pr.json: `number` must be a pull request number"))?;
    let head = pr
        .get("head_sha")
        .and_then(serde_json::Value::as_str)
        .filter(|s| s.len() == 40 && s.chars().all(|c| c.is_ascii_hexdigit()))
        .ok_or_else(|| anyhow!("pr.json: `head_sha` must be a 40-digit commit id"))?;
    // The artifact comes from a fork's run and is untrusted: the comment is rendered here from
    // the comparison data (every string escaped by the renderer), never copied from Markdown.
    let data_path = dir.join("comparison.json");
    let data = fs::read_to_string(&data_path)
        .with_context(|| format!("cannot read `{}`", data_path.display()))?;
    let comparison: Comparison = serde_json::from_str(&data).with_context(|| {
        format!(
            "`{}` is not a comparison written by perfgate",
            data_path.display()
        )
    })?;
    let body = report::render_markdown(
        &comparison,
        &MarkdownOptions {
            title: (inputs.key != "default").then(|| format!("perfgate ({})", inputs.key)),
            marker: Some(perfgate::github::comment::marker(&inputs.key)),
            ..MarkdownOptions::default()
        },
    )?;
    // The artifact only proposes a pull request. What decides is the triggering run as GitHub
    // reports it in this job's payload: its commit and the repository that commit came from.
    // A fork cannot change those, so it cannot aim the comment at another pull request.
    let Some(trusted) = event
        .workflow_run
        .as_ref()
        .filter(|w| w.event.starts_with("pull_request"))
    else {
        bail!("`mode: comment` posts a fork's report from a `workflow_run` job triggered by a pull request: this `{}` event names no such run, so nothing tells which pull request the artifact belongs to", inert(&event.name, 60));
    };
    if head != trusted.head_sha {
        bail!("the artifact says commit {head}, but the run that uploaded it ran on {}: not posting a forged report", inert(&trusted.head_sha, 40));
    }
    let remote = make_remote(inputs, event)?;
    let pull = remote.pull_head(number)?;
    if pull.sha != trusted.head_sha {
        bail!("the artifact is for commit {head} but pull request #{number} is at {}: not posting a stale or forged report", inert(&pull.sha, 40));
    }
    if pull.repository.is_none() || pull.repository != trusted.head_repository {
        bail!(
            "pull request #{number} comes from {}, but the run that uploaded the artifact ran in {}: not posting a forged report",
            pull.repository.as_deref().map_or("a deleted repository".into(), |r| inert(r, 100)),
            trusted.head_repository.as_deref().map_or("a deleted repository".into(), |r| inert(r, 100))
        );
    }
    if !pull.open {
        bail!("pull request #{number} is closed: not commenting");
    }
    let (what, url) = remote.upsert_comment(number, &body)?;
    println!("perfgate: comment {what}: {url}");
    if let Some(path) = ctx.var("GITHUB_OUTPUT") {
        append(
            Path::new(&path),
            &output_entry("comment-url", &url, nonce()),
        )?;
    }
    Ok(EXIT_PASS)
}

/// Where the dashboard is served: the `dashboard-url` input, else with `dashboard: true` on
/// github.com the project's GitHub Pages address (`https://owner.github.io/repo/`).
fn dashboard_url(ctx: &Ctx, inputs: &Inputs) -> Option<String> {
    if let Some(u) = &inputs.dashboard_url {
        return Some(u.clone());
    }
    let server = ctx.var("GITHUB_SERVER_URL").unwrap_or_default();
    if !inputs.dashboard || server.trim_end_matches('/') != "https://github.com" {
        return None;
    }
    let repo = ctx.var("GITHUB_REPOSITORY")?;
    let (owner, name) = repo.split_once('/')?;
    let plain = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    };
    if !(plain(owner) && plain(name)) {
        return None;
    }
    let owner = owner.to_ascii_lowercase();
    Some(
        if name.eq_ignore_ascii_case(&format!("{owner}.github.io")) {
            format!("https://{owner}.github.io/")
        } else {
            format!("https://{owner}.github.io/{name}/")
        },
    )
}

/// The dashboard's files from the indexes of every key on the data branch: the default branch's
/// runs, judged with the run's config, commits linked on this server.
fn dashboard_site(
    ctx: &Ctx,
    config: &perfgate::config::Config,
    default_branch: &str,
) -> impl Fn(&[(String, perfgate::store::Index)]) -> Vec<(String, String)> + Sync {
    use perfgate::dashboard::{self, site, Options, Source};
    let repo = ctx.var("GITHUB_REPOSITORY").unwrap_or_default();
    let server = ctx
        .var("GITHUB_SERVER_URL")
        .unwrap_or_else(|| "https://github.com".into());
    let options = Options {
        branch: Some(default_branch.to_string()),
        commit_url: (!repo.is_empty())
            .then(|| format!("{}/{repo}/commit/", server.trim_end_matches('/'))),
        title: if repo.is_empty() {
            Options::default().title
        } else {
            format!("{repo} · perfgate")
        },
        ..Options::default()
    };
    let config = config.clone();
    move |indexes| {
        let sources: Vec<Source> = indexes
            .iter()
            .map(|(key, index)| Source { key, index })
            .collect();
        let d = dashboard::build(&sources, &config, &options);
        site::render(&d)
            .into_iter()
            .map(|f| (f.name.to_string(), f.text))
            .collect()
    }
}

/// The REST implementation of [`Remote`]: the data branch of `GITHUB_REPOSITORY` and its pull
/// request comments, through `GITHUB_API_URL` (GitHub Enterprise Server works).
pub fn github_remote(inputs: &Inputs, event: &Event) -> Result<Box<dyn Remote>> {
    use perfgate::github::api::{ClientConfig, GitHub, Repo, Token};
    use perfgate::github::datastore::BlockingDataBranch;
    let repo_name = std::env::var("GITHUB_REPOSITORY")
        .ok()
        .filter(|r| !r.is_empty())
        .or_else(|| event.repository.clone())
        .ok_or_else(|| {
            anyhow!("GITHUB_REPOSITORY is not set: run perfgate action inside GitHub Actions")
        })?;
    let repo = Repo::parse(&repo_name)?;
    let token = inputs.token.clone().map(Token::new);
    let gh = GitHub::new(ClientConfig::from_env(token))?;
    let store = BlockingDataBranch::new(&gh, repo.clone(), &inputs.data_branch, &inputs.key);
    Ok(Box::new(GitHubRemote {
        gh,
        repo,
        store,
        key: inputs.key.clone(),
        author: inputs.comment_author.clone(),
        keep: inputs
            .keep
            .unwrap_or(perfgate::github::datastore::DEFAULT_KEEP),
    }))
}

struct GitHubRemote {
    gh: perfgate::github::api::GitHub,
    repo: perfgate::github::api::Repo,
    store: perfgate::github::datastore::BlockingDataBranch,
    key: String,
    author: String,
    keep: usize,
}

impl Remote for GitHubRemote {
    fn baseline(
        &self,
        base_sha: Option<&str>,
        default_branch: &str,
        window: usize,
        full: &FullRuns<'_>,
    ) -> Result<Option<Baseline>> {
        let branch = self.store.inner().branch().to_string();
        Ok(self
            .store
            .baseline_with_history(base_sha, default_branch, window, full)?
            .map(|b| {
                let path = self.store.inner().run_path(&b.entry.id);
                Baseline {
                    describe: b.describe(),
                    fetch: Some(format!(
                        "git fetch origin {branch} && git show origin/{branch}:{path} > baseline.json"
                    )),
                    run: b.run,
                    before: b.before,
                }
            }))
    }

    fn save(&self, run: &Run, site: Option<&Site<'_>>) -> Result<String> {
        let outcome = match site {
            Some(site) => self.store.save_run_with_site(run, self.keep, site)?,
            None => self.store.save_run(run, self.keep)?,
        };
        for w in [&outcome.prune_warning, &outcome.site_warning]
            .into_iter()
            .flatten()
        {
            println!(
                "{}",
                annotation(Level::Warning, "perfgate", &super::redacted(w))
            );
        }
        if outcome.site_written {
            println!(
                "perfgate: dashboard updated on `{}` (index.html, data.js)",
                self.store.inner().branch()
            );
        }
        Ok(outcome.entry.id)
    }

    fn upsert_comment(&self, pr: u64, body: &str) -> Result<(String, String)> {
        let outcome = self.gh.block_on(perfgate::github::comment::upsert_comment(
            self.gh.client(),
            &self.repo,
            pr,
            &self.key,
            body,
            &self.author,
        ))?;
        if let Some(login) = &outcome.posted_as_another {
            println!(
                "{}",
                annotation(
                    Level::Warning,
                    "perfgate",
                    &format!("the comment was posted as `{login}`, but `comment-author` is `{}`: the next run will not find it and will post another. Set `comment-author: {login}` (the login of the token's identity).", self.author)
                )
            );
        }
        Ok((outcome.action.as_str().to_string(), outcome.url))
    }

    fn alert(&self, mode: AlertMode, watch: &Watch, ctx: &AlertContext) -> Result<Vec<String>> {
        use perfgate::github::alert::{comment_on_commits, keep_issue};
        let client = self.gh.client();
        match mode {
            AlertMode::None => Ok(Vec::new()),
            AlertMode::CommitComment => Ok(self.gh.block_on(comment_on_commits(
                client,
                &self.repo,
                watch,
                ctx,
                &self.author,
            ))?),
            AlertMode::Issue => {
                let outcome =
                    self.gh
                        .block_on(keep_issue(client, &self.repo, watch, ctx, &self.author))?;
                if outcome.label_dropped {
                    println!(
                        "{}",
                        annotation(
                            Level::Warning,
                            "perfgate",
                            &format!("GitHub dropped the label `{}` from the new issue, so the next run will not find it and may open another: let the token set labels (`issues: write`), or create the label in the repository", perfgate::report::alert::ISSUE_LABEL)
                        )
                    );
                }
                Ok(outcome.done)
            }
        }
    }

    fn pull_head(&self, pr: u64) -> Result<PullHead> {
        let pull = self
            .gh
            .block_on(self.gh.client().get_pull(&self.repo, pr))?
            .ok_or_else(|| anyhow!("pull request #{pr} does not exist in {}", self.repo))?;
        Ok(PullHead {
            open: pull.state == "open",
            sha: pull.head.sha,
            repository: pull.head.repo.map(|r| r.full_name),
        })
    }
}
