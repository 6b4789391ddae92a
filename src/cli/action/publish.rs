//! The last step of a run: what it leaves behind. The watch over the default branch (level
//! shifts a push confirmed), the job summary, the sticky comment (or, for a fork's pull request,
//! the artifact `mode: comment` posts), the recorded run with the dashboard and the alerts, the
//! step's outputs and the exit code.

use std::fs;
use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use perfgate::compare::alert::Watch;
use perfgate::compare::{self, Comparison, Status, Verdict};
use perfgate::github::alert::AlertMode;
use perfgate::github::api::ApiError;
use perfgate::github::datastore::Site;
use perfgate::github::runtime::{annotation, output_entry, Event, Inputs, Level, Mode};
use perfgate::model::Run;
use perfgate::report::{self, alert::AlertContext};
use perfgate::store::Placed;

use super::plan::Plan;
use super::render::{summary_markdown, Report};
use super::{connected, remote, Connection, Ctx, Remote};
use crate::cli::{write_in_workspace, Workdir, EXIT_FAIL, EXIT_PASS};

/// The watch over the default branch: level shifts for the worse a push's run confirms.
pub(super) struct Alerts {
    /// Only when recording a push.
    watch: Option<Watch>,
    ctx: AlertContext,
    /// How many level shifts it confirmed.
    count: usize,
}

/// Watches the default branch's history when recording, and warns of each level shift found.
pub(super) fn watch(ctx: &Ctx, plan: &Plan, history: &[Run], comparison: &Comparison) -> Alerts {
    let watch = (plan.mode == Mode::Save)
        .then(|| compare::alert::watch(history, &plan.current, comparison, &plan.config));
    let alert_ctx = AlertContext {
        key: plan.inputs.key.clone(),
        branch: plan.default_branch.clone(),
        run_commit: plan.current.meta.commit.clone(),
        server_url: ctx.var("GITHUB_SERVER_URL"),
        repository: ctx.var("GITHUB_REPOSITORY"),
    };
    let count = watch.as_ref().map_or(0, |w| {
        w.alerts.iter().map(|g| g.shifts.len()).sum::<usize>()
    });
    if let Some(w) = &watch {
        announce(w);
    }
    Alerts {
        watch,
        ctx: alert_ctx,
        count,
    }
}

/// A notice or warning of perfgate's in the log and on the run's page.
fn say(level: Level, text: &str) {
    outln!("{}", annotation(level, "perfgate", text));
}

/// The level shifts a push confirmed, as warnings in the log and on the run's page.
fn announce(w: &Watch) {
    for g in &w.alerts {
        for s in &g.shifts {
            say(
                Level::Warning,
                &format!(
                    "level shift for the worse: {} {} {:+.1}% since commit {}",
                    s.benchmark,
                    s.metric,
                    s.change * 100.0,
                    g.commit
                ),
            );
        }
    }
}

/// Appends the report to the job summary, when asked for and the runner gives one.
pub(super) fn summary(
    ctx: &Ctx,
    plan: &Plan,
    report: &Report,
    alerts: &Alerts,
    comparison: &Comparison,
) -> Result<()> {
    let Some(path) = ctx
        .var("GITHUB_STEP_SUMMARY")
        .filter(|_| plan.inputs.summary)
    else {
        return Ok(());
    };
    // A push to the default branch that the branch's own history finds slower says so first; the
    // run is still recorded and the job passes.
    let mut first = alerts.watch.as_ref().map_or_else(String::new, |w| {
        report::alert::render_summary(w, &alerts.ctx, plan.inputs.fail_on_alert).unwrap_or_default()
    });
    if plan.mode == Mode::Save {
        first.push_str(&report::render_watch(comparison, &plan.default_branch).unwrap_or_default());
    }
    let summary = summary_markdown(
        comparison,
        &report.md_opts,
        Some(first.as_str()).filter(|f| !f.is_empty()),
    )?;
    append(&plan.dir, Path::new(&path), &summary)
}

/// The sticky comment of a pull request being compared, when the `comment` input asks for it;
/// returns its address. A fork's pull request gets a read-only token: its report is left for
/// `mode: comment` instead.
pub(super) fn comment(plan: &Plan, report: &Report, remote: &Connection) -> Result<String> {
    let (Some(pr), true, Mode::Compare) = (plan.pr(), plan.inputs.comment, plan.mode) else {
        return Ok(String::new());
    };
    if !pr.is_fork {
        match connected(remote)?.upsert_comment(pr.number, &plan.inputs.key, &report.comment) {
            Ok((what, url)) => {
                outln!("perfgate: comment {what}: {url}");
                return Ok(url);
            }
            // A read-only token on the repository's own pull request (Dependabot's, or a
            // workflow without `pull-requests: write`): leave the report as a fork's is, for
            // `mode: comment`, and say which permission would have let the step comment.
            Err(e) if forbidden(&e).is_some() => {
                let text = format!(
                    "the token may not comment on this pull request (it needs `{}`; Dependabot's pull requests get a read-only token): the report is left in `{}` for `mode: comment`, as a fork's is",
                    forbidden(&e).unwrap_or("pull-requests: write"),
                    report.out_dir.display()
                );
                say(Level::Warning, &text);
            }
            Err(e) => return Err(e),
        }
    }
    let out_dir = &report.out_dir;
    let write = |name: &str, text: &str| write_in_workspace(&plan.dir, &out_dir.join(name), text);
    write("comment.md", &report.comment)?;
    // What `mode: comment` renders from: data, not Markdown, so a forged artifact cannot smuggle
    // unescaped content into the comment.
    write(
        "comparison.json",
        &serde_json::to_string(&report.for_comment)?,
    )?;
    write(
        "pr.json",
        &serde_json::json!({"number": pr.number, "head_sha": pr.head_sha, "key": plan.inputs.key})
            .to_string(),
    )?;
    if pr.is_fork {
        let text = format!("pull requests from forks get a read-only token, so no comment was written. The report is in {} for actions/upload-artifact; a workflow_run workflow with `mode: comment` can post it (see the README).", out_dir.display());
        say(Level::Notice, &text);
    }
    Ok(String::new())
}

/// Replaces the sticky comment of the event's pull request with the error that stopped the step
/// before a verdict (unreadable results, a baseline that cannot be read...), so that it does not
/// keep showing an earlier commit's report. Best effort: the step fails with `error` anyway, and
/// a comment that cannot be written is a warning.
pub(super) fn failed_comment(
    ctx: &Ctx,
    make_remote: &super::MakeRemote,
    inputs: &Inputs,
    event: &Event,
    error: &anyhow::Error,
) {
    let Some(pr) = &event.pull_request else {
        return;
    };
    let line = ctx.error_line(error);
    let why = line.strip_prefix("error: ").unwrap_or(&line);
    let body = format!(
        "### ❌ {}: the check failed on {}\n\n{}\n\nNothing was gated for this commit: an earlier commit's report that stood here is no longer current.\n",
        report::escape_markdown(&super::render::title(inputs).unwrap_or_else(|| "perfgate".into())),
        report::inline_code(pr.head_sha.get(..7).unwrap_or(&pr.head_sha)),
        report::note_markdown(why)
    );
    // upsert_comment ends the body with the key's marker.
    let posted = make_remote(ctx, inputs, event)
        .and_then(|r| r.upsert_comment(pr.number, &inputs.key, &body));
    match posted {
        Ok((what, url)) => outln!("perfgate: comment {what} with the error: {url}"),
        Err(e) => say(
            Level::Warning,
            &format!(
                "the pull request's comment could not be updated with the error: {}",
                ctx.error_line(&e).trim_start_matches("error: ")
            ),
        ),
    }
}

/// Records the run on the data branch (marked when it failed the gate), with the dashboard when
/// asked for, then sends the alerts.
pub(super) fn save(
    ctx: &Ctx,
    plan: &mut Plan,
    comparison: &Comparison,
    alerts: &Alerts,
    remote: &Connection,
) -> Result<()> {
    let r = connected(remote)?;
    let inputs = &plan.inputs;
    if comparison.verdict == Verdict::Fail {
        plan.current
            .meta
            .environment
            .extra
            .insert("perfgate.verdict".into(), "fail".into());
    }
    let site = inputs
        .dashboard
        .then(|| remote::dashboard_site(ctx, &plan.config, &plan.default_branch));
    let (id, placed) = r.save(&plan.current, site.as_ref().map(|s| s as &Site<'_>))?;
    let marked = if comparison.verdict == Verdict::Fail {
        " (marked: it failed the gate)"
    } else {
        ""
    };
    let branch = report::inline_code(&plan.default_branch);
    let data = report::inline_code(&inputs.data_branch);
    // A run whose job finished after later commits' goes before their runs: the baseline is
    // still the latest commit's. One older than every run kept is pruned by its own save.
    let (log, summary) = match placed {
        Placed::Latest => (
            format!("recorded run {id} on `{}`{marked}", inputs.data_branch),
            format!("Recorded this run on {data} as the latest baseline of {branch}{marked}."),
        ),
        Placed::Before(n) => {
            let place = match n {
                1 => "before 1 later run, whose job finished first".to_string(),
                n => format!("before {n} later runs, whose jobs finished first"),
            };
            (
                format!("recorded run {id} on `{}`, {place}{marked}", inputs.data_branch),
                format!("Recorded this run on {data} in the history of {branch}, {place}{marked}."),
            )
        }
        Placed::NotKept => (
            format!(
                "run {id} not kept on `{}`: its commit is older than every run of `{}` kept (the `keep` input, or `store.keep`)",
                inputs.data_branch, plan.default_branch
            ),
            format!("This run was not kept on {data}: its commit is older than every run of {branch} kept (the `keep` input, or `store.keep` in the config)."),
        ),
    };
    outln!("perfgate: {log}");
    // The summary says so too: on a push it is where the job's result is read.
    if let Some(path) = ctx.var("GITHUB_STEP_SUMMARY").filter(|_| inputs.summary) {
        append(&plan.dir, Path::new(&path), &format!("\n{summary}\n"))?;
    }
    if let Some(w) = &alerts.watch {
        send_alerts(ctx, r, inputs.alert, w, &alerts.ctx);
    }
    Ok(())
}

/// The permission a refused call needed, when GitHub refused it for the token's permissions.
fn forbidden(e: &anyhow::Error) -> Option<&'static str> {
    e.chain().find_map(|c| match c.downcast_ref::<ApiError>() {
        Some(ApiError::Forbidden { permission, .. }) => Some(*permission),
        _ => None,
    })
}

/// Tells of the push's level shifts as the `alert` input asks. The run is recorded already: a
/// failure here is a warning, never the job's failure, and a 403 names the permission to add.
fn send_alerts(ctx: &Ctx, remote: &dyn Remote, mode: AlertMode, w: &Watch, alert: &AlertContext) {
    let needed = match mode {
        AlertMode::None => return,
        AlertMode::CommitComment if w.alerts.is_empty() => return,
        AlertMode::CommitComment => "contents: write",
        AlertMode::Issue => "issues: write",
    };
    match remote.alert(mode, w, alert) {
        Ok(done) => {
            for line in done {
                outln!("perfgate: alert: {line}");
            }
        }
        Err(e) => {
            let forbidden = forbidden(&e);
            let why = ctx.error_line(&e);
            let why = why.trim_start_matches("error: ");
            let msg = match forbidden {
                Some(p) => format!("the alert was not written: the token may not do it. Give the job `permissions:` with `{p}` (`alert: {}` needs `{needed}`). The run is recorded all the same. ({why})", mode.as_str()),
                None => format!("the alert was not written (`alert: {}`); the run is recorded all the same: {why}", mode.as_str()),
            };
            say(Level::Warning, &ctx.redacted(&msg));
        }
    }
}

/// The step's outputs, when the runner gives a `GITHUB_OUTPUT` file.
/// The verdict's outputs: `verdict`, `regressions`, `improvements`, `report-json`, `alerts`
/// (`comment-url` follows the comment, with [`output`]).
pub(super) fn outputs(
    ctx: &Ctx,
    dir: &Workdir,
    comparison: &Comparison,
    report: &Report,
    alerts: &Alerts,
) -> Result<()> {
    let Some(path) = ctx.var("GITHUB_OUTPUT") else {
        return Ok(());
    };
    let nonce = nonce();
    let mut out = String::new();
    out.push_str(&output_entry("verdict", comparison.verdict.as_str(), nonce));
    out.push_str(&output_entry(
        "regressions",
        &regressions(comparison).to_string(),
        nonce,
    ));
    out.push_str(&output_entry(
        "improvements",
        &comparison.counts.improvement.to_string(),
        nonce,
    ));
    out.push_str(&output_entry(
        "report-json",
        &report.json_path.display().to_string(),
        nonce,
    ));
    out.push_str(&output_entry("alerts", &alerts.count.to_string(), nonce));
    append(dir, Path::new(&path), &out)
}

/// One more output, `name`, after [`outputs`].
pub(super) fn output(ctx: &Ctx, dir: &Workdir, name: &str, value: &str) -> Result<()> {
    let Some(path) = ctx.var("GITHUB_OUTPUT") else {
        return Ok(());
    };
    append(dir, Path::new(&path), &output_entry(name, value, nonce()))
}

/// The regressions the `regressions` output counts: a load test's counts that follow its
/// duration are context, not regressions of their own.
pub(super) fn regressions(c: &Comparison) -> usize {
    c.results
        .iter()
        .filter(|r| r.status == Status::Regression && !r.context)
        .count()
}

/// The exit code: a regression fails a pull request's job (when `fail-on-regression`), never a
/// push's, whose run is recorded all the same; a confirmed level shift fails it when
/// `fail-on-alert`.
pub(super) fn exit_code(plan: &Plan, comparison: &Comparison, alerts: &Alerts) -> u8 {
    match comparison.verdict {
        Verdict::Fail if plan.inputs.fail_on_regression && plan.mode != Mode::Save => EXIT_FAIL,
        _ if plan.inputs.fail_on_alert && alerts.count > 0 => EXIT_FAIL,
        _ => EXIT_PASS,
    }
}

/// A number for output delimiters that a result file cannot predict.
pub(super) fn nonce() -> u64 {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or_default();
    t ^ (u64::from(std::process::id()) << 32) ^ 0x9e37_79b9_7f4a_7c15
}

/// Appends `text` to a file the runner reads (summary, outputs), creating it when absent; a
/// relative path is in `dir`.
pub(super) fn append(dir: &Workdir, path: &Path, text: &str) -> Result<()> {
    let mut f = fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.path(path))
        .with_context(|| format!("cannot open `{}`", path.display()))?;
    f.write_all(text.as_bytes())
        .with_context(|| format!("cannot write `{}`", path.display()))
}
