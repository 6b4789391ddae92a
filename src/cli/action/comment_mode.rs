//! `mode: comment`: posts a fork pull request's report from a trusted `workflow_run` job. The
//! artifact only proposes a pull request and is untrusted: its numbers are checked against the
//! triggering run and the API, and the comment is rendered again from its comparison data.

use std::fs;
use std::path::Path;

use anyhow::{anyhow, bail, Context, Result};
use perfgate::compare::Comparison;
use perfgate::github::runtime::{annotation, inert, Inputs, Level};
use perfgate::report::{self, MarkdownOptions};

use super::plan::Trigger;
use super::publish::{output, regressions};
use super::render::title_of;
use super::{Ctx, MakeRemote};
use crate::cli::input::expand;
use crate::cli::{Workdir, EXIT_PASS};

/// `mode: comment`: posts the report of a fork pull request's run, after checking the artifact's
/// pull request number and head commit against the triggering run and the API.
pub(super) fn post_rendered(ctx: &Ctx, trigger: &Trigger, make_remote: &MakeRemote) -> Result<u8> {
    let (inputs, event) = (&trigger.inputs, &trigger.event);
    let Some(Artifact {
        number,
        head,
        key,
        body,
        comparison,
    }) = read_artifact(&trigger.dir, inputs)?
    else {
        // A pull request from the repository itself commented from its own run, which left its
        // report without `pr.json`: the commenting workflow runs for it too, with nothing to do.
        outln!(
            "{}",
            annotation(
                Level::Notice,
                "perfgate",
                "the artifact holds a report but no pr.json: its pull request is not a fork's, and its own run posted the comment. Nothing to post"
            )
        );
        return Ok(EXIT_PASS);
    };
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
    let remote = make_remote(ctx, inputs, event)?;
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
    let (what, url) = remote.upsert_comment(number, &key, &body)?;
    outln!("perfgate: comment {what}: {url}");
    // The pull request's verdict as its run gave it, for the steps after this one.
    for (name, value) in [
        ("verdict", comparison.verdict.as_str().to_string()),
        ("regressions", regressions(&comparison).to_string()),
        ("improvements", comparison.counts.improvement.to_string()),
        ("comment-url", url),
    ] {
        output(ctx, &trigger.dir, name, &value)?;
    }
    Ok(EXIT_PASS)
}

/// Where a comment posted from an artifact says every result is, when it leaves rows out.
const FULL_LIST: &str =
    "the terminal report in the pull request's own run (its job log; as does `report.json` in its artifact)";

/// What a fork's report artifact proposes: its pull request, the commit it ran on, and the
/// comment rendered here from its comparison data.
struct Artifact {
    number: u64,
    head: String,
    /// Whose sticky comment it is (see [`read_artifact`]).
    key: String,
    body: String,
    comparison: Comparison,
}

/// Reads the artifact in the folder the `results` input names (or the folder of the file it
/// names), relative paths in `workdir`; None for the report of a pull request that is not a
/// fork's (`report.json` without `pr.json`).
fn read_artifact(workdir: &Workdir, inputs: &Inputs) -> Result<Option<Artifact>> {
    let dir = expand(workdir, &inputs.results)?
        .into_iter()
        .next()
        .ok_or_else(|| {
            anyhow!("input `results`: give the folder of the downloaded report artifact")
        })?;
    if !workdir.path(&dir).exists() {
        bail!(
            "`{}` does not exist: download the pull request run's artifact there first (actions/download-artifact with `path: {}`). A run that failed before its report uploads none",
            dir.display(),
            dir.display()
        );
    }
    let dir = if workdir.path(&dir).is_dir() {
        dir
    } else {
        dir.parent().map(Path::to_path_buf).unwrap_or_default()
    };
    let pr_path = dir.join("pr.json");
    if !workdir.path(&pr_path).exists() && workdir.path(&dir.join("report.json")).is_file() {
        return Ok(None);
    }
    let pr_text = fs::read_to_string(workdir.path(&pr_path))
        .with_context(|| format!("cannot read `{}`", pr_path.display()))?;
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
    let data = fs::read_to_string(workdir.path(&data_path))
        .with_context(|| format!("cannot read `{}`", data_path.display()))?;
    let comparison: Comparison = serde_json::from_str(&data).with_context(|| {
        format!(
            "`{}` is not a comparison written by perfgate",
            data_path.display()
        )
    })?;
    // Whose comment this is: the `key` input, or when it is left at `default`, the key the run
    // wrote its report under (one commenting job for a matrix of keys). Either way a comment on
    // the pull request checked below, and only a marker's name.
    let key = match pr.get("key").and_then(serde_json::Value::as_str) {
        Some(k) if inputs.key == "default" => perfgate::github::comment::sanitize_key(k),
        _ => inputs.key.clone(),
    };
    let body = report::render_markdown(
        &comparison,
        &MarkdownOptions {
            title: title_of(&key),
            marker: Some(perfgate::github::comment::marker(&key)),
            // This job's log has no report: the pull request's own run printed it, and its
            // artifact (downloaded here) holds the JSON report.
            full_list: Some(FULL_LIST.into()),
            ..MarkdownOptions::default()
        },
    )?;
    Ok(Some(Artifact {
        number,
        head: head.to_string(),
        key,
        body,
        comparison,
    }))
}
