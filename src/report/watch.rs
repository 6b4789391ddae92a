//! Watching the default branch: when a push's run is slower than the branch's own history, the
//! push job's summary says so in a short section, so that a regression that landed without a
//! pull request's gate (or slipped through it) is seen where the run is recorded.
//!
//! Only regressions the history decided count: the value left the prediction interval of the
//! branch's last runs (at their current level, after a level shift). A regression against one
//! run, with no noise estimate, is too often the machine to be announced on every push.

use std::fmt::Write as _;

use super::digest::is_load_test;
use super::markdown::{escape_markdown, escape_name, inline_code};
use super::rows::value_cell;
use super::words::{percent_plain, percent_signed, short_commit};
use crate::compare::{Comparison, Method, MetricResult, Status};
use crate::model::Unit;

/// Regressions listed before `… and N more`.
const LISTED: usize = 10;

/// The regressions of `c` that the history confirmed, worst first: a load test's counts that
/// follow its duration are context, not regressions.
fn confirmed(c: &Comparison) -> Vec<&MetricResult> {
    let mut found: Vec<&MetricResult> = c
        .results
        .iter()
        .filter(|r| r.status == Status::Regression && r.method == Method::PredictionInterval)
        .filter(|r| !r.context)
        .collect();
    let size = |r: &MetricResult| match r.change {
        Some(ch) if ch > -1.0 && ch.is_finite() => (1.0 + ch).ln().abs(),
        _ => f64::INFINITY,
    };
    found.sort_by(|a, b| size(b).total_cmp(&size(a)));
    found
}

/// The job summary's section for a run recorded on `branch`, the default branch, when it
/// regressed against the branch's history: `### ⚠️ main got slower at a1b2c3d: BenchmarkParse time
/// +30.2%`, then each regression. None when the history confirmed none.
pub fn render_watch(c: &Comparison, branch: &str) -> Option<String> {
    let found = confirmed(c);
    let worst = found.first()?;
    let speed = found.iter().all(|r| {
        matches!(
            r.unit,
            Unit::Nanoseconds | Unit::PerSecond | Unit::BytesPerSecond
        )
    });
    let verb = if speed && !is_load_test(c) {
        "slower"
    } else {
        "worse"
    };
    let commit = c.current.commit.as_deref().map_or_else(
        || "(unknown commit)".to_string(),
        |s| inline_code(short_commit(s)),
    );
    let change = |r: &MetricResult| r.change.map_or_else(|| "n/a".into(), percent_signed);
    let mut out = format!(
        "### ⚠️ {} got {verb} at {commit}: {} {} {}\n\n",
        inline_code(branch),
        escape_name(&worst.benchmark),
        escape_name(&worst.metric),
        change(worst)
    );
    let _ = write!(
        out,
        "{} beyond the {} prediction interval of the last runs of {} (at their current level). The run is recorded all the same, and this job passes.\n\n",
        match found.len() {
            1 => "1 regression".to_string(),
            n => format!("{n} regressions"),
        },
        percent_plain(c.settings.history_confidence),
        inline_code(branch),
    );
    for r in found.iter().take(LISTED) {
        let _ = writeln!(
            out,
            "- {} {} {} ({} → {})",
            escape_name(&r.benchmark),
            escape_name(&r.metric),
            change(r),
            escape_markdown(&value_cell(r, r.baseline)),
            escape_markdown(&value_cell(r, r.current)),
        );
    }
    if found.len() > LISTED {
        let _ = writeln!(out, "- … and {} more", found.len() - LISTED);
    }
    out.push('\n');
    Some(out)
}
