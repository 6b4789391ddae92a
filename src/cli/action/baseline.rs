//! The second step of a run: the baseline and its history, and the comparison with them.
//! Baseline files are read as given; the data branch is asked through the [`Remote`]. A pull
//! request fails closed on a damaged (empty) baseline; a push records its run without a
//! comparison when the stored baseline cannot be read, so one damaged run never stops the branch.

use anyhow::{bail, Result};
use perfgate::compare::{self, Comparison};
use perfgate::github::runtime::{annotation, BaselineSource, Level, Mode};
use perfgate::model::Run;

use super::plan::Plan;
use super::{connected, Connection, Ctx, Wanted};
use crate::cli::input::{self, expand};

/// The baseline a run is compared with.
pub(super) struct Found {
    /// Oldest first; the baseline run is last. Empty when there is none yet.
    pub history: Vec<Run>,
    /// Which run the baseline is, for the comment's title.
    pub note: Option<String>,
    /// Shell commands that fetch it locally, for the reproduce command.
    pub fetch: Option<String>,
}

/// Reads the baseline as the `baseline` input says: files, or the data branch.
pub(super) fn read(ctx: &Ctx, plan: &Plan, remote: &Connection) -> Result<Found> {
    match &plan.inputs.baseline {
        BaselineSource::Paths(p) => {
            let reader = input::Reader {
                ctx,
                dir: &plan.dir,
            };
            Ok(Found {
                // Several runs of one commit when the files are runs of the same benchmarks.
                history: reader.read_separate_runs(&expand(&plan.dir, p)?, plan.format)?,
                note: None,
                fetch: None,
            })
        }
        BaselineSource::DataBranch => from_data_branch(ctx, plan, remote),
    }
}

/// The baseline and its history from the data branch, with the rules for damaged runs.
fn from_data_branch(ctx: &Ctx, plan: &Plan, remote: &Connection) -> Result<Found> {
    let r = connected(remote)?;
    let inputs = &plan.inputs;
    let default_branch = &plan.default_branch;
    let base_sha = plan.event.base_sha();
    // The history comes from the index's run summaries, so the whole window costs no more API
    // calls than the base run alone. Samples are read only for the runs the comparison uses
    // them from: the latest on this kind of machine, and the pooled ones.
    let full = |runs: &[&Run]| compare::runs_with_samples(runs, &plan.current, &plan.config);
    let wanted = Wanted {
        base_sha,
        default_branch,
        window: plan.config.history.window.max(1),
        full: &full,
        // A push recording its run is compared with the runs its commit follows; anything
        // else (a pull request, a push to another branch) with the branch's latest.
        committed: (plan.mode == Mode::Save)
            .then_some(plan.current.meta.commit_time.as_deref())
            .flatten(),
    };
    let found = match r.baseline(&wanted) {
        Ok(found) => found,
        // One damaged stored run must not stop the branch from recording: the new run is
        // saved without a comparison, and the warning says what to repair.
        Err(e) if plan.mode == Mode::Save => {
            outln!(
                "{}",
                annotation(
                    Level::Warning,
                    "perfgate",
                    &format!("the stored baseline could not be read, so this run is recorded without a comparison: {}. Repair or delete the damaged run on `{}`.", ctx.error_line(&e).trim_start_matches("error: "), inputs.data_branch)
                )
            );
            None
        }
        Err(e) => return Err(e),
    };
    match found {
        // A stored run is never empty: an empty one was damaged or replaced, and comparing with
        // it would pass any pull request.
        Some(b) if b.run.benchmarks.is_empty() && plan.mode != Mode::Save => {
            bail!(
                "the baseline ({}) on `{}` holds no benchmarks: a stored run is never empty, so it was damaged or replaced. The pull request fails closed; repair or delete that run on the data branch (a push to `{default_branch}` records a new one)",
                b.describe,
                inputs.data_branch
            );
        }
        Some(b) => {
            let mut history: Vec<Run> = b
                .before
                .into_iter()
                .filter(|r| !r.benchmarks.is_empty())
                .collect();
            if !b.run.benchmarks.is_empty() {
                history.push(b.run);
            }
            Ok(Found {
                history,
                note: Some(b.describe),
                fetch: b.fetch,
            })
        }
        None => {
            outln!(
                "{}",
                annotation(
                    Level::Notice,
                    "perfgate",
                    &if plan.mode == Mode::Save {
                        format!("no baseline on branch `{}` yet: this push records the first one (only budgets were checked).", inputs.data_branch)
                    } else {
                        format!("no baseline on branch `{}` yet: only budgets were checked. Baselines are recorded by pushes to `{default_branch}`.", inputs.data_branch)
                    }
                )
            );
            Ok(Found {
                history: Vec::new(),
                note: None,
                fetch: None,
            })
        }
    }
}

/// Compares the current run with the baseline's history. A push records its run whatever it
/// has in common with the last one (renamed benchmarks start new series); a pull request that
/// compared nothing must not pass. When the base run was left out for a run on this kind of
/// machine, the note says which one was used.
pub(super) fn compare(plan: &Plan, found: &mut Found) -> Result<Comparison> {
    if found.history.is_empty() && plan.mode == Mode::Compare && plan.config.budgets.is_empty() {
        outln!("perfgate: no baseline and no budgets: nothing to gate yet");
    }
    let current = if plan.runs.is_empty() {
        std::slice::from_ref(&plan.current)
    } else {
        plan.runs.as_slice()
    };
    let comparison = crate::cli::gate(
        &found.history,
        current,
        matches!(plan.inputs.baseline, BaselineSource::Paths(_)),
        &plan.config,
        plan.mode == Mode::Save,
    )?;
    if comparison.other_environment_runs > 0
        && found
            .history
            .last()
            .is_some_and(|b| !compare::same_machine(b, &plan.current))
    {
        if let Some(b) = &comparison.baseline {
            let run =
                perfgate::github::datastore::run_words(b.commit.as_deref(), b.timestamp.as_deref());
            found.note = Some(format!(
                "{run}, the latest run on this kind of machine (the base commit's ran on another)"
            ));
            found.fetch = None;
        }
    }
    Ok(comparison)
}
