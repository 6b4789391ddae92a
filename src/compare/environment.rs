//! Environment: which runs of a history are comparable with the current run (the same kind of
//! machine), and which of them the comparison reads.

use crate::config::Config;
use crate::model::{Environment, Run};

/// How the environments of two runs differ, on the fields known on both sides
/// ([`Environment::differences`]).
pub fn environment_differences(base: &Environment, cur: &Environment) -> Vec<String> {
    base.differences(cur)
}

/// Whether two runs ran on the same kind of machine: no known difference in os, arch, cpu, cores,
/// memory or runner ([`environment_differences`]).
pub fn same_machine(a: &Run, b: &Run) -> bool {
    environment_differences(&a.meta.environment, &b.meta.environment).is_empty()
}

/// The runs of `history` to compare `current` with. Shared CI runners change machine from job to
/// job (GitHub's hosted runners have several CPU models), and a history mixes them: the runs that
/// ran on the current run's kind of machine (no known difference in os, arch, cpu, cores, memory
/// or runner) are the comparable ones. They are used when there are any, unless cross-environment
/// comparisons are allowed, where they must be enough for an interval (`min_points`) to be
/// preferred to the whole history. Otherwise the whole history.
pub(super) fn same_environment<'a>(
    history: &'a [Run],
    current: &Run,
    config: &Config,
) -> Vec<&'a Run> {
    let runs: Vec<&Run> = history.iter().collect();
    comparable(&runs, current, config)
        .into_iter()
        .filter_map(|i| history.get(i))
        .collect()
}

/// The runs of `history` (oldest first) that [`compare_history`] judges `current` against: those
/// on its kind of machine (see `same_environment`), the last `history.window` of them. The watch
/// on the default branch reads the same runs, so that it announces what the gate sees.
pub fn history_window<'a>(history: &'a [Run], current: &Run, config: &Config) -> Vec<&'a Run> {
    let pool = same_environment(history, current, config);
    last_window(&pool, config).to_vec()
}

/// The last `history.window` runs of `pool`.
pub(super) fn last_window<'p, 'a>(pool: &'p [&'a Run], config: &Config) -> &'p [&'a Run] {
    pool.get(pool.len().saturating_sub(config.history.window.max(1))..)
        .unwrap_or(pool)
}

/// [`same_environment`] as positions in `history`.
pub(super) fn comparable(history: &[&Run], current: &Run, config: &Config) -> Vec<usize> {
    let same: Vec<usize> = history
        .iter()
        .enumerate()
        .filter(|(_, r)| same_machine(r, current))
        .map(|(i, _)| i)
        .collect();
    let enough = if config.allow_cross_environment {
        same.len() >= config.history.min_points
    } else {
        !same.is_empty()
    };
    if enough {
        same
    } else {
        (0..history.len()).collect()
    }
}

/// Positions in `history` (oldest first, the baseline run last) of the runs whose samples
/// [`compare_history`] compares with: the latest of the runs it uses ([`same_environment`]) and
/// the ones `history.pool` pools with it. Every other run counts only through its run values
/// ([`run_value`]), which a store's index keeps, so a store needs to read no other run in full.
pub fn runs_with_samples(history: &[&Run], current: &Run, config: &Config) -> Vec<usize> {
    let used = comparable(history, current, config);
    let take = config.history.pool.max(1).min(config.history.window.max(1));
    used.get(used.len().saturating_sub(take)..)
        .unwrap_or_default()
        .to_vec()
}
