//! `perfgate action`: the GitHub Action's entrypoint, as the steps of a run, each in its own
//! file and called in order by [`run`]:
//!
//! 1. [`plan`]: the `INPUT_*` and `GITHUB_*` variables and the event payload, the mode (compare
//!    a pull request, record a push to the default branch, or post a fork's report), the config
//!    and the current run;
//! 2. [`baseline`]: the baseline and its history, from files or the data branch, with the
//!    fail-closed rules for damaged runs, and the comparison;
//! 3. [`render`]: `report.json`, the comment's Markdown, the terminal report and annotations;
//! 4. [`publish`]: the job summary, the sticky comment (or a fork's artifact), the recorded run
//!    with the dashboard, alerts, outputs and the exit code.
//!
//! `mode: comment` is [`comment_mode`]; the GitHub side behind [`Remote`] is [`remote`].
//! Variables are read through [`Ctx`] only, and files through the workspace's [`Workdir`]: the
//! process's working directory is never changed.

mod baseline;
mod comment_mode;
mod plan;
mod publish;
mod remote;
mod render;

use anyhow::{anyhow, Result};
use perfgate::compare::alert::Watch;
use perfgate::github::alert::AlertMode;
use perfgate::github::datastore::{FullRuns, Site};
use perfgate::github::runtime::{annotation, Event, Inputs, Level, Mode};
use perfgate::model::Run;
use perfgate::report::{self, alert::AlertContext};
use perfgate::store::Placed;

use super::{Ctx, Workdir, EXIT_ERROR};

pub use remote::github_remote;

/// What the action needs from GitHub's API; implemented over the REST client, and by fakes in
/// tests.
pub trait Remote {
    /// The baseline run as `wanted` says, with a description of which one it is and how to fetch
    /// it locally, and the earlier runs of its branch.
    fn baseline(&self, wanted: &Wanted<'_>) -> Result<Option<Baseline>>;
    /// Records a run on the data branch, with the dashboard's files when `site` is given;
    /// returns its id and where it went in its branch's history.
    fn save(&self, run: &Run, site: Option<&Site<'_>>) -> Result<(String, Placed)>;
    /// Creates or updates the sticky comment of `key`; returns (what happened, comment URL).
    fn upsert_comment(&self, pr: u64, key: &str, body: &str) -> Result<(String, String)>;
    /// A pull request's state, head commit and head repository (`owner/name`).
    fn pull_head(&self, pr: u64) -> Result<PullHead>;
    /// Tells of the level shifts a push confirmed as `mode` asks (a commit comment, the key's
    /// issue); returns what it wrote, a line each.
    fn alert(&self, mode: AlertMode, watch: &Watch, ctx: &AlertContext) -> Result<Vec<String>>;
}

/// Which baseline [`Remote::baseline`] looks for: the run recorded for `base_sha` when present,
/// else the latest run of `default_branch`, with up to `window - 1` earlier runs of its branch
/// (their summaries, but for those `full` names).
pub struct Wanted<'a> {
    pub base_sha: Option<&'a str>,
    pub default_branch: &'a str,
    pub window: usize,
    pub full: &'a FullRuns<'a>,
    /// The time of the commit a push records: it is compared with the latest run committed no
    /// later (see [`perfgate::store::Index::latest_before`]).
    pub committed: Option<&'a str>,
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

/// Builds the API side once the environment, inputs and event are known.
pub type MakeRemote = dyn Fn(&Ctx, &Inputs, &Event) -> Result<Box<dyn Remote>>;

/// The API side as built: an error is kept until a step needs the API (a run that compares with
/// files and writes no comment never does).
type Connection = Result<Box<dyn Remote>>;

/// The [`Remote`] of a [`Connection`], or the error that kept it from being built.
fn connected(remote: &Connection) -> Result<&dyn Remote> {
    remote
        .as_ref()
        .map(Box::as_ref)
        .map_err(|e| anyhow!("{e:#}"))
}

/// What `mode: comment` checks of the pull request it is about to comment on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullHead {
    pub open: bool,
    pub sha: String,
    /// `owner/name`; None when the fork was deleted.
    pub repository: Option<String>,
}

/// Runs the action; errors become an `::error::` annotation and exit code 2.
pub fn main(ctx: &Ctx, remote: &MakeRemote) -> u8 {
    // Where relative paths are once the run entered the workspace, the summary's among them.
    let mut dir = Workdir::default();
    let mut verdict = None;
    match run(ctx, remote, &mut dir, &mut verdict) {
        Ok(code) => code,
        Err(e) => {
            let line = ctx.error_line(&e);
            let msg = line.strip_prefix("error: ").unwrap_or(&line);
            outln!("{}", annotation(Level::Error, "perfgate", msg));
            errln!("{line}");
            // A summary written before the error (with its ✅) must not be the last word; but
            // `summary: false` holds for errors too (read as the inputs are; when they cannot
            // be read, the error is worth the summary).
            let summary = Inputs::from_env(&*ctx.env).map_or(true, |i| i.summary);
            if let Some(path) = ctx.var("GITHUB_STEP_SUMMARY").filter(|_| summary) {
                let what = match verdict {
                    None => "Nothing was gated: the step failed before a verdict.".to_string(),
                    Some(v) => format!(
                        "The gate's verdict above stands ({v}); the step failed after it, while commenting on the pull request or recording the run."
                    ),
                };
                let text = format!(
                    "\n### ❌ perfgate failed (exit code {EXIT_ERROR})\n\n{}\n\n{what}\n",
                    report::note_markdown(msg)
                );
                if let Err(e) = publish::append(&dir, std::path::Path::new(&path), &text) {
                    errln!("{}", ctx.error_line(&e));
                }
            }
            EXIT_ERROR
        }
    }
}

/// One run of the action, step by step; `dir` is set to the workspace once it is entered, and
/// `verdict` once the gate decided and said so (summary, annotations, outputs), so that an error
/// after it (the comment, the recording) does not read as if nothing was gated.
fn run(
    ctx: &Ctx,
    make_remote: &MakeRemote,
    dir: &mut Workdir,
    verdict: &mut Option<&'static str>,
) -> Result<u8> {
    let trigger = plan::trigger(ctx, dir)?;
    if trigger.mode == Mode::Comment {
        return comment_mode::post_rendered(ctx, &trigger, make_remote);
    }
    // The sticky comment of the pull request, should the step fail before a verdict: it must not
    // keep showing an earlier commit's report as if it were this one's.
    let sticky = (trigger.mode == Mode::Compare && trigger.inputs.comment)
        .then(|| {
            let pr = trigger.event.pull_request.as_ref()?;
            (!pr.is_fork).then(|| (trigger.inputs.clone(), trigger.event.clone()))
        })
        .flatten();
    let result = gate(ctx, make_remote, trigger, verdict);
    if let (Err(e), Some((inputs, event)), None) = (&result, &sticky, &verdict) {
        publish::failed_comment(ctx, make_remote, inputs, event, e);
    }
    result
}

/// The gate of a pull request or a push, from the trigger on.
fn gate(
    ctx: &Ctx,
    make_remote: &MakeRemote,
    trigger: plan::Trigger,
    verdict: &mut Option<&'static str>,
) -> Result<u8> {
    let mut plan = plan::gate(ctx, trigger)?;
    let remote = make_remote(ctx, &plan.inputs, &plan.event);
    let mut found = baseline::read(ctx, &plan, &remote)?;
    let comparison = baseline::compare(&plan, &mut found)?;
    let report = render::report(ctx, &plan, &found, &comparison)?;
    let alerts = publish::watch(ctx, &plan, &found.history, &comparison);
    publish::summary(ctx, &plan, &report, &alerts, &comparison)?;
    // The verdict's outputs before anything that talks to GitHub: a comment or a recording that
    // fails must not leave the workflow's later steps without them.
    publish::outputs(ctx, &plan.dir, &comparison, &report, &alerts)?;
    *verdict = Some(comparison.verdict.as_str());
    let comment_url = publish::comment(&plan, &report, &remote)?;
    publish::output(ctx, &plan.dir, "comment-url", &comment_url)?;
    if plan.mode == Mode::Save {
        publish::save(ctx, &mut plan, &comparison, &alerts, &remote)?;
    }
    Ok(publish::exit_code(&plan, &comparison, &alerts))
}
