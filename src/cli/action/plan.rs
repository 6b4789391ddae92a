//! The first step of a run: what to do. Reads the inputs and the event payload, enters the
//! workspace (relative paths are resolved against it from then on: [`Workdir`]), decides the
//! mode (refusing to record from anything but the default branch), and for a gate reads the
//! config (with the inputs' overrides) and the current run.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use perfgate::config::{parse_percent, Budget, Config};
use perfgate::formats::Format;
use perfgate::github::runtime::{inert, Event, Inputs, Mode, PullRequest};
use perfgate::model::Run;

use super::Ctx;
use crate::cli::input::{self, expand};
use crate::cli::{load_config, meta, Workdir};

/// What triggered the run and what it is to do, as the inputs and the event decide.
pub(super) struct Trigger {
    pub inputs: Inputs,
    pub event: Event,
    /// The workspace, which relative paths name files in.
    pub dir: Workdir,
    /// `GITHUB_REF`.
    git_ref: String,
    /// The repository's default branch (`main` when the payload does not say).
    default_branch: String,
    /// `auto` decided: [`Mode::Compare`], [`Mode::Save`] or [`Mode::Comment`].
    pub mode: Mode,
}

/// A gate's inputs, all read and checked before the baseline is looked up.
pub(super) struct Plan {
    pub inputs: Inputs,
    pub event: Event,
    /// The workspace, which relative paths name files in.
    pub dir: Workdir,
    /// The repository's default branch (`main` when the payload does not say).
    pub default_branch: String,
    /// [`Mode::Compare`] or [`Mode::Save`], `auto` decided.
    pub mode: Mode,
    /// The config file with the `threshold` and `budgets` inputs applied.
    pub config: Config,
    /// The `format` input.
    pub format: Option<Format>,
    /// This job's run, with its commit and branch from the event: the `results` files merged.
    pub current: Run,
    /// The runs of `results` when its files are several runs of the same benchmarks (each
    /// compared as one value per run, see `compare::compare_runs`); empty for one run.
    pub runs: Vec<Run>,
}

impl Plan {
    /// The pull request the event is about.
    pub fn pr(&self) -> Option<&PullRequest> {
        self.event.pull_request.as_ref()
    }
}

/// Reads the inputs and the event, enters the workspace (`dir` is set as soon as it is, for the
/// report of an error from then on) and decides the mode; refuses to record a run that is not
/// the default branch's.
pub(super) fn trigger(ctx: &Ctx, dir: &mut Workdir) -> Result<Trigger> {
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
        *dir = Workdir::new(enter(&ws)?);
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
    if mode == Mode::Save && !event.may_record(&git_ref) {
        bail!(
            "refusing to record a baseline from a `{}` event on `{}`: `mode: save` records runs of the default branch (`{default_branch}`) only: a push, a schedule or a manual run (workflow_dispatch)",
            inert(&event.name, 60),
            inert(&git_ref, 200)
        );
    }

    Ok(Trigger {
        inputs,
        event,
        dir: dir.clone(),
        git_ref,
        default_branch,
        mode,
    })
}

/// Reads what a compare or save run gates: the config (with the inputs' overrides) and the
/// current run, its commit and branch from the event.
pub(super) fn gate(ctx: &Ctx, trigger: Trigger) -> Result<Plan> {
    let Trigger {
        inputs,
        event,
        dir,
        git_ref,
        default_branch,
        mode,
    } = trigger;
    let config = config(ctx, &dir, &inputs)?;
    let format = match &inputs.format {
        Some(f) => Some(
            Format::from_name(f).ok_or_else(|| anyhow!("input `format`: unknown format `{f}`"))?,
        ),
        None => None,
    };
    let pr = event.pull_request.as_ref();
    let head = meta::Head::start(
        meta::Given {
            commit: pr
                .map(|p| p.head_sha.clone())
                .or_else(|| ctx.var("GITHUB_SHA")),
            branch: pr
                .map(|p| p.head_ref.clone())
                .or_else(|| git_ref.strip_prefix("refs/heads/").map(str::to_string)),
        },
        &*ctx.env,
    );
    let reader = input::Reader { ctx, dir: &dir };
    let mut runs = reader.read_separate_runs(&expand(&dir, &inputs.results)?, format)?;
    for run in &mut runs {
        meta::fill(&mut run.meta, None, &*ctx.env);
    }
    if let Some(first) = runs.first_mut() {
        head.settle(&mut first.meta);
        let meta = &mut first.meta;
        if let Some(t) = meta.commit.as_deref().and_then(|c| event.commit_time(c)) {
            meta.commit_time = Some(t.to_string());
        }
        // A commit dated after its run (a clock that was wrong) would keep every later
        // commit's run behind this one: such a run goes at the end, as one without a date.
        meta.take_implausible_commit_time();
    }
    // What a push records: the runs merged (one run is kept as it is, not copied).
    let merged = if runs.len() == 1 {
        runs.pop()
    } else {
        Run::merged(runs.iter().cloned())
    };
    let Some(current) = merged else {
        bail!("no result files were given");
    };
    Ok(Plan {
        inputs,
        event,
        dir,
        default_branch,
        mode,
        config,
        format,
        current,
        runs,
    })
}

/// The real path of the workspace, or the error `cd` into it would have given: `ws/.` resolves
/// only where `cd ws` works (a directory that can be searched).
fn enter(ws: &str) -> Result<PathBuf> {
    fs::canonicalize(Path::new(ws).join("."))
        .with_context(|| format!("cannot enter the workspace `{ws}`"))
}

/// The config file, with the `threshold` and `budgets` inputs applied.
fn config(ctx: &Ctx, dir: &Workdir, inputs: &Inputs) -> Result<Config> {
    let mut config = load_config(ctx, dir, inputs.config.as_deref().map(Path::new))?;
    if let Some(t) = &inputs.threshold {
        config.threshold = parse_percent(t).map_err(|e| anyhow!("input `threshold`: {e}"))?;
    }
    for line in &inputs.budgets {
        let mut budget = Budget::parse_line(line).map_err(|e| anyhow!("input `budgets`: {e}"))?;
        budget.source = Some("input `budgets`".into());
        config.budgets.push(budget);
    }
    Ok(config)
}
