//! The third step of a run: the reports. Writes `report.json` under `perfgate-report/<key>/`,
//! renders the comment's Markdown (the job summary starts from the same options), prints the
//! terminal report framed against workflow commands, and annotates regressions.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;
use perfgate::compare::Comparison;
use perfgate::github::runtime::{
    annotation, framed, BaselineSource, Inputs, Level, ANNOTATIONS_PER_LEVEL, SUMMARY_LIMIT_BYTES,
};
use perfgate::report::{self, MarkdownOptions};

use super::baseline::Found;
use super::plan::Plan;
use super::{remote, Ctx};
use crate::cli::reproduce::{Quote, Reproduce};
use crate::cli::{frame_token, write_in_workspace};

/// The reports of a run, for the steps that publish them.
pub(super) struct Report {
    /// `perfgate-report/<key>` in the workspace: where `report.json` is, and a fork's comment
    /// artifact goes.
    pub out_dir: PathBuf,
    pub json_path: PathBuf,
    /// The comment's options; the job summary renders with them too.
    pub md_opts: MarkdownOptions,
    /// The comparison as the comment shows it (no time of the run).
    pub for_comment: Comparison,
    /// The comment's Markdown.
    pub comment: String,
}

/// Writes `report.json`, renders the comment, prints the terminal report and the annotations.
pub(super) fn report(
    ctx: &Ctx,
    plan: &Plan,
    found: &Found,
    comparison: &Comparison,
) -> Result<Report> {
    let inputs = &plan.inputs;
    let out_dir = PathBuf::from("perfgate-report").join(&inputs.key);
    let json_path = out_dir.join("report.json");
    write_in_workspace(&plan.dir, &json_path, &report::render_json(comparison))?;

    let mut md_opts = MarkdownOptions {
        dashboard_url: remote::dashboard_url(ctx, inputs),
        dashboard_key: Some(perfgate::github::comment::sanitize_key(&inputs.key)),
        title: title(inputs),
        reproduce: Some(reproduce(inputs, found.fetch.as_deref())),
        marker: Some(perfgate::github::comment::marker(&inputs.key)),
        // The JSON report stays on the runner unless the workflow uploads it: the log is where
        // a reader of the comment finds every result.
        full_list: Some(
            "the terminal report in the job log (as does the JSON report, the step's `report-json` output)"
                .into(),
        ),
        ..MarkdownOptions::default()
    };
    if let Some(note) = &found.note {
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

    // The log is for reading: a standard output that cannot take it loses it, no more.
    let _ = super::super::print(&framed(
        &report::render_terminal(comparison, false),
        &frame_token(),
    ));
    annotate(comparison);
    Ok(Report {
        out_dir,
        json_path,
        md_opts,
        for_comment,
        comment,
    })
}

/// The report's title: the key's name, but for the default key.
pub(super) fn title(inputs: &Inputs) -> Option<String> {
    title_of(&inputs.key)
}

/// The report's title for `key`: `perfgate (<key>)`, or the default title for `default`.
pub(super) fn title_of(key: &str) -> Option<String> {
    (key != "default").then(|| format!("perfgate ({key})"))
}

/// The job summary: `first` (a short section, such as the default branch's regressions), then
/// the comment's Markdown, shortened until both fit GitHub's 1 MiB limit.
pub(super) fn summary_markdown(
    c: &Comparison,
    opts: &MarkdownOptions,
    first: Option<&str>,
) -> Result<String> {
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

/// Error annotations for broken budgets, a whole run that fails the gate and regressions,
/// warnings for inconclusive results, worst first as the report orders them
/// ([`report::annotations`]), within GitHub's per-step limits.
fn annotate(c: &Comparison) {
    let report::Annotations { errors, warnings } = report::annotations(c);
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

/// How to run the same comparison locally: fetch the baseline, then compare.
fn reproduce(inputs: &Inputs, fetch: Option<&str>) -> String {
    let mut cmd = match (&inputs.baseline, fetch) {
        (BaselineSource::Paths(p), _) => Reproduce::new(None, Quote::Always).arg("--baseline", p),
        (BaselineSource::DataBranch, Some(f)) => {
            Reproduce::new(Some(f), Quote::Always).literal("--baseline", "baseline.json")
        }
        (BaselineSource::DataBranch, None) => {
            Reproduce::new(None, Quote::Always).literal("--baseline", "<baseline results>")
        }
    };
    for r in &inputs.results {
        cmd = cmd.arg("--current", [r]);
    }
    if let Some(c) = &inputs.config {
        cmd = cmd.arg("--config", [c]);
    }
    cmd.build()
}
