//! How a history of runs is read: one value per run (oldest first), split into levels at the
//! shifts a change on the baseline branch starts, with the runs far out from their own level (a
//! slow day on the runners) and a latest run apart from the runs before it left out, and the
//! prediction interval of the current level that the next run is judged by.
//!
//! The comparison engine judges a current value with it, the dashboard draws it and the watch
//! on the default branch finds the shifts it announces: one reading, so what the dashboard shows
//! is what the gate does (the gate reads it after taking each run's machine out of a suite's
//! speed metrics, `compare::machines`, where the dashboard and the watch read the runs as they
//! ran). Pure: no I/O.

use crate::config::Config;
use crate::stats;

use super::pairing::{run_value, summary, Series};
use super::rules::Rules;

/// How far out (in interquartile ranges beyond the quartiles of the log values) a value must lie
/// to be left out of the moderated t test. Far beyond Tukey's 3: a side of 10 normal values
/// loses a value about once in a hundred, while a 1.5x slower run among ten with 5% noise
/// (eight standard deviations) is left out 70% of the time (NumPy, 200,000 trials). The mean and
/// variance of the t test are not robust to such a run, as the rank-based U test is.
pub(crate) const FAR_OUT: f64 = 4.5;

/// Fewest values on a side for its quartiles to mark far-out values (at 5 values, 7% of normal
/// samples would lose one).
const FAR_OUT_MIN_VALUES: usize = 8;

/// Family-wise level at which a history's level shift is believed (Bonferroni over the splits
/// tried). Strict: a false shift throws history away.
pub(crate) const LEVEL_SHIFT_ALPHA: f64 = 0.01;

/// Which of `xs` (log values, or their distances from a level) lie beyond the far-out fences;
/// none when there are too few of them to tell.
fn beyond_fences(xs: &[f64]) -> Vec<bool> {
    let fences = (xs.len() >= FAR_OUT_MIN_VALUES)
        .then(|| stats::tukey_fences(xs, FAR_OUT))
        .flatten();
    match fences {
        Some((lo, hi)) => xs.iter().map(|x| !(lo..=hi).contains(x)).collect(),
        None => vec![false; xs.len()],
    }
}

/// `values` without their far-out ones on a log scale (all of them when there are too few to
/// tell or a value is not positive).
pub(crate) fn without_far_out(values: &[f64]) -> Vec<f64> {
    if values.iter().any(|v| !(*v > 0.0 && v.is_finite())) {
        return values.to_vec();
    }
    let logs: Vec<f64> = values.iter().map(|v| v.ln()).collect();
    values
        .iter()
        .zip(beyond_fences(&logs))
        .filter(|(_, far)| !far)
        .map(|(v, _)| *v)
        .collect()
}

/// Which of `values` (one per run, oldest first) lie far out from their own level: the history is
/// split at its level shifts first, so that the runs of a new level are not taken for far-out
/// ones. None are when there are too few values to tell or a value is not positive.
///
/// The split's t test is not robust to a slow day: a run 2x slower inside a history that also
/// has a level shift widens both levels' spread until neither the shift nor the slow day is
/// found, and the band then spans both. So runs far from their neighbours on both sides (see
/// [`apart_from_neighbours`]) are set aside while the levels are searched for and their means
/// and noise measured; then every run, those included, is judged against its level.
fn far_out_of_levels(values: &[f64], threshold: f64) -> Vec<bool> {
    let n = values.len();
    if n < FAR_OUT_MIN_VALUES || values.iter().any(|v| !(*v > 0.0 && v.is_finite())) {
        return vec![false; n];
    }
    let logs: Vec<f64> = values.iter().map(|v| v.ln()).collect();
    let aside = apart_from_neighbours(&logs, threshold.ln_1p());
    let rest: Vec<usize> = (0..n).filter(|&i| aside.get(i) == Some(&false)).collect();
    let rest_values: Vec<f64> = rest
        .iter()
        .filter_map(|&i| values.get(i).copied())
        .collect();
    // The shifts found among the runs not set aside, placed in the whole history.
    let shifts: Vec<stats::LevelShift> =
        stats::level_shifts(&rest_values, LEVEL_SHIFT_ALPHA, threshold)
            .into_iter()
            .filter_map(|s| {
                Some(stats::LevelShift {
                    start: *rest.get(s.start)?,
                    ..s
                })
            })
            .collect();
    let Some(residuals) = stats::level_residuals(values, &shifts, &aside) else {
        return vec![false; n];
    };
    let kept: Vec<f64> = rest
        .iter()
        .filter_map(|&i| residuals.get(i).copied())
        .collect();
    match stats::tukey_fences(&kept, FAR_OUT) {
        Some((lo, hi)) => residuals.iter().map(|r| !(lo..=hi).contains(r)).collect(),
        None => vec![false; n],
    }
}

/// Runs on each side of a run that its neighbours' medians are taken over.
const NEIGHBOURS: usize = 3;

/// Which of `logs` (one per run, oldest first) lie far from the runs before them and from the
/// runs after them alike, on the same side: beyond [`FAR_OUT`] interquartile ranges of the runs'
/// distances from the median of their neighbourhood, and beyond the gate's threshold
/// (`min_log`, its log), measured from the median of the (up to) [`NEIGHBOURS`] runs before and
/// from that of the runs after. A run at a level shift is near one side, and the first and last
/// runs have one side only, so neither is ever set aside here. The threshold keeps a history
/// whose runs barely move (where a running median follows them closely) from setting aside the
/// ordinary runs of a noisier level.
fn apart_from_neighbours(logs: &[f64], min_log: f64) -> Vec<bool> {
    let n = logs.len();
    // The median of at most 2 NEIGHBOURS + 1 runs, selected in a buffer on the stack: it is taken
    // for every run of every series the dashboard draws (6% of its build time with a sorted copy).
    let window = |from: usize, to: usize| {
        let runs = logs.get(from..to)?;
        let mut buf = [0.0; 2 * NEIGHBOURS + 1];
        let part = buf.get_mut(..runs.len())?;
        part.copy_from_slice(runs);
        stats::median_in_place(part)
    };
    let local: Option<Vec<f64>> = (0..n)
        .map(|i| {
            let m = window(i.saturating_sub(NEIGHBOURS), (i + NEIGHBOURS + 1).min(n))?;
            logs.get(i).map(|l| l - m)
        })
        .collect();
    let Some((local, (lo, hi))) =
        local.and_then(|local| stats::tukey_fences(&local, FAR_OUT).map(|f| (local, f)))
    else {
        return vec![false; n];
    };
    let (below, above) = (lo.min(-min_log), hi.max(min_log));
    (0..n)
        .map(|i| {
            // Away from the ends both neighbourhoods hold NEIGHBOURS runs, and a run beyond
            // both of their medians is beyond that of all 2 NEIGHBOURS + 1 as well (at least
            // NEIGHBOURS + 1 of them lie on the medians' other side): the common case is settled
            // by the distance already measured.
            let interior = i >= NEIGHBOURS && i + NEIGHBOURS < n;
            if interior && local.get(i).is_some_and(|r| (lo..=hi).contains(r)) {
                return false;
            }
            let before = window(i.saturating_sub(NEIGHBOURS), i);
            let after = window(i + 1, (i + 1 + NEIGHBOURS).min(n));
            match (logs.get(i), before, after) {
                (Some(l), Some(b), Some(a)) => l - b.max(a) > above || l - b.min(a) < below,
                _ => false,
            }
        })
        .collect()
}

/// The history read as levels (a change that landed on the baseline branch starts a new one)
/// and one noise: the prediction interval of its current level and the last level shift.
/// `threshold` is the gate's: smaller shifts are not looked for.
pub(crate) fn model(
    values: &[f64],
    threshold: f64,
    confidence: f64,
) -> Option<(stats::Prediction, Option<stats::LevelShift>)> {
    stats::level_prediction_interval(values, confidence, LEVEL_SHIFT_ALPHA, threshold)
}

/// Which runs of a history are used, and why the others are not.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Usable {
    /// Positions in the history of the runs kept, in order.
    pub kept: Vec<usize>,
    /// Per run: far out from its own level.
    pub far_out: Vec<bool>,
    /// The latest run is not far out, but outside the interval of the kept runs before it (with
    /// at least `min_points` of them): a one-off, or the first run of a new level, which only
    /// the next runs can tell. Left out.
    pub latest_apart: bool,
}

/// The runs of `values` (one per run, oldest first) that a current value is judged against:
/// not far out from their own level (a slow day on the runners must not widen the interval for
/// the next 30 runs), and the latest run only when it is not apart from the runs before it.
pub(crate) fn usable(values: &[f64], threshold: f64, confidence: f64, min_points: usize) -> Usable {
    let far_out = far_out_of_levels(values, threshold);
    let mut kept: Vec<usize> = (0..values.len())
        .filter(|&i| far_out.get(i) == Some(&false))
        .collect();
    let mut latest_apart = false;
    let latest_far = far_out.last() == Some(&true);
    if let (false, Some(&last)) = (latest_far, values.last()) {
        let before: Vec<f64> = kept
            .get(..kept.len().saturating_sub(1))
            .unwrap_or(&[])
            .iter()
            .filter_map(|&i| values.get(i).copied())
            .collect();
        latest_apart = before.len() >= min_points
            && model(&before, threshold, confidence)
                .is_some_and(|(p, _)| last > p.hi || last < p.lo);
        if latest_apart {
            kept.pop();
        }
    }
    Usable {
        kept,
        far_out,
        latest_apart,
    }
}

/// A history as the gate reads it ([`read`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    /// Per run: far out from its own level, left out (a slow day).
    pub far_out: Vec<bool>,
    /// The latest run lies outside the interval of the runs before it and was left out until
    /// the next runs tell a one-off from a new level.
    pub latest_apart: bool,
    /// The level shifts among the runs kept, oldest first; `start` is a position in the whole
    /// history (the first run of the new level).
    pub shifts: Vec<stats::LevelShift>,
    /// The prediction interval of the next run's value: the band a pull request's value is
    /// judged against (None with fewer than two runs kept or values that are not positive).
    pub band: Option<stats::Prediction>,
    /// Positions of the runs kept.
    pub kept: Vec<usize>,
}

/// One level of a [`Reading`]: where it starts, how many runs are kept at it, and their
/// geometric mean.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Level {
    /// The level's first run (the first run kept, for the first level; a shift's `start` for
    /// the others).
    pub start: usize,
    /// Runs kept at the level.
    pub runs: usize,
    /// Geometric mean of those runs; None without runs or with a value that is not positive.
    pub mean: Option<f64>,
}

impl Reading {
    /// The levels of this reading of `values` (the history it read), oldest first: one before
    /// the first shift and one after each, each the geometric mean of its kept runs.
    pub fn levels(&self, values: &[f64]) -> Vec<Level> {
        let mut per_level: Vec<Vec<f64>> = vec![Vec::new(); self.shifts.len() + 1];
        for &i in &self.kept {
            let level = self.shifts.iter().take_while(|s| s.start <= i).count();
            if let (Some(bucket), Some(v)) = (per_level.get_mut(level), values.get(i)) {
                bucket.push(*v);
            }
        }
        let first = self.kept.first().copied().unwrap_or(0);
        let starts = std::iter::once(first).chain(self.shifts.iter().map(|s| s.start));
        starts
            .zip(&per_level)
            .map(|(start, kept)| Level {
                start,
                runs: kept.len(),
                mean: geometric_mean(kept),
            })
            .collect()
    }
}

/// The geometric mean of positive values; None for none, or with one that is not positive.
fn geometric_mean(values: &[f64]) -> Option<f64> {
    if values.is_empty() || values.iter().any(|v| !(*v > 0.0 && v.is_finite())) {
        return None;
    }
    Some((values.iter().map(|v| v.ln()).sum::<f64>() / values.len() as f64).exp())
}

/// Reads a history of run values (oldest first) as the gate does when it judges the next run
/// against it, with the gate's `threshold` for the series, its `confidence` and `min_points`
/// (`history.confidence`, `history.min_points`).
pub fn read(values: &[f64], threshold: f64, confidence: f64, min_points: usize) -> Reading {
    let u = usable(values, threshold, confidence, min_points);
    let kept_values: Vec<f64> = u
        .kept
        .iter()
        .filter_map(|&i| values.get(i).copied())
        .collect();
    let shifts = stats::level_shifts(&kept_values, LEVEL_SHIFT_ALPHA, threshold)
        .into_iter()
        .filter_map(|s| {
            u.kept
                .get(s.start)
                .map(|&start| stats::LevelShift { start, ..s })
        })
        .collect();
    let band = model(&kept_values, threshold, confidence).map(|(p, _)| p);
    Reading {
        far_out: u.far_out,
        latest_apart: u.latest_apart,
        shifts,
        band,
        kept: u.kept,
    }
}

/// What was left out of a history of single values before it was used.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct HistoryShape {
    /// The history's level shifted: the runs before the current level were left out.
    pub(super) shift: Option<LevelShiftSeen>,
    /// Far-out runs left out of the current level.
    pub(super) far_out: usize,
    /// The latest run's value, when it was one of those far-out runs.
    pub(super) far_latest: Option<f64>,
    /// The far-out runs above the runs kept, and those below them.
    pub(super) far_above: Option<FarRuns>,
    pub(super) far_below: Option<FarRuns>,
}

/// Far-out runs on one side of a history: how many, and the lowest and highest of their values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct FarRuns {
    pub(super) runs: usize,
    pub(super) lo: f64,
    pub(super) hi: f64,
}

impl FarRuns {
    fn of(values: &[f64]) -> Option<FarRuns> {
        let (lo, hi) = stats::extent(values.iter().copied())?;
        Some(FarRuns {
            runs: values.len(),
            lo,
            hi,
        })
    }
}

#[derive(Debug, Clone, Copy)]
pub(super) struct LevelShiftSeen {
    /// Runs at the current level, and in the whole history used.
    pub(super) runs: usize,
    pub(super) of: usize,
    pub(super) change: f64,
}

/// The history read as levels and one noise ([`history::model`]) with the series' threshold.
pub(super) fn history_model(
    values: &[f64],
    rules: &Rules,
    config: &Config,
) -> Option<(stats::Prediction, Option<stats::LevelShift>)> {
    model(values, rules.threshold, config.history.confidence)
}

/// The values of a history (one per run, oldest first) that a current value is judged against
/// ([`history::usable`]), and what was left out.
pub(super) fn usable_history(
    values: &[f64],
    rules: &Rules,
    config: &Config,
) -> (Vec<f64>, HistoryShape) {
    let u = usable(
        values,
        rules.threshold,
        config.history.confidence,
        config.history.min_points,
    );
    let kept: Vec<f64> = u
        .kept
        .iter()
        .filter_map(|&i| values.get(i).copied())
        .collect();
    let latest_far = u.far_out.last() == Some(&true);
    // The far-out runs, on either side of the runs kept.
    let middle = stats::median(&kept).unwrap_or(f64::NAN);
    let (above, below): (Vec<f64>, Vec<f64>) = values
        .iter()
        .zip(&u.far_out)
        // Neither side of a middle that is not a number (no run kept).
        .filter(|(v, far)| **far && v.partial_cmp(&&middle).is_some_and(|o| o.is_ne()))
        .map(|(v, _)| *v)
        .partition(|v| *v > middle);
    let shape = HistoryShape {
        far_above: FarRuns::of(&above),
        far_below: FarRuns::of(&below),
        far_out: u.far_out.iter().filter(|f| **f).count() - usize::from(latest_far),
        far_latest: (latest_far || u.latest_apart)
            .then(|| values.last().copied())
            .flatten(),
        ..HistoryShape::default()
    };
    (kept, shape)
}

/// The values of a metric over the history read (`past`, oldest first, only runs that have it),
/// for reports to draw: one per run in the current run's unit, each run's [`run_value`] (the
/// median when its values have no logarithm: zeros or negatives), runs without a finite value
/// left out. None with fewer than two such runs: one baseline run is no trend.
pub(super) fn trend(past: &[&Series], c: &Series) -> Option<Vec<f64>> {
    let values: Vec<f64> = past
        .iter()
        .filter(|s| s.unit == c.unit)
        .map(|s| {
            let v = run_value(&s.values);
            if v.is_finite() {
                v
            } else {
                summary(&s.values)
            }
        })
        .filter(|v| v.is_finite())
        .collect();
    (values.len() > 1).then_some(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn noisy(level: f64, n: usize, seed: u64) -> Vec<f64> {
        // A fixed small pattern of noise (±2%), repeatable.
        (0..n)
            .map(|i| level * (1.0 + 0.02 * (((i as u64 * 7 + seed) % 5) as f64 - 2.0) / 2.0))
            .collect()
    }

    #[test]
    fn a_shift_is_placed_at_the_first_run_of_the_new_level_in_the_whole_history() {
        let mut values = noisy(100.0, 12, 1);
        values[4] = 125.0; // a slow day, left out
        values.extend(noisy(130.0, 10, 3));
        let r = read(&values, 0.05, 0.99, 10);
        assert_eq!(r.far_out.iter().filter(|f| **f).count(), 1);
        assert!(r.far_out[4]);
        assert_eq!(r.shifts.len(), 1);
        assert_eq!(r.shifts[0].start, 12);
        assert!((r.shifts[0].change - 0.30).abs() < 0.01, "{:?}", r.shifts);
        let band = r.band.expect("band");
        assert!(
            band.lo < 130.0 && 130.0 < band.hi && band.lo > 115.0,
            "{band:?}"
        );
        assert!(!r.latest_apart);
        assert_eq!(r.kept.len(), values.len() - 1);
        // Two levels: the slow day is not in the first one's mean.
        let levels = r.levels(&values);
        assert_eq!(
            levels.iter().map(|l| (l.start, l.runs)).collect::<Vec<_>>(),
            [(0, 11), (12, 10)]
        );
        let kept_first: Vec<f64> = (0..12).filter(|&i| i != 4).map(|i| values[i]).collect();
        let expected = (kept_first.iter().map(|v| v.ln()).sum::<f64>() / 11.0).exp();
        assert!((levels[0].mean.unwrap() - expected).abs() < 1e-9);
        assert!(
            (levels[1].mean.unwrap() / levels[0].mean.unwrap() - 1.0 - r.shifts[0].change).abs()
                < 1e-9
        );
        // A value that is not positive leaves its level without a mean.
        let zeros = read(&[0.0, 1.0, 2.0], 0.05, 0.99, 10);
        assert_eq!(zeros.levels(&[0.0, 1.0, 2.0])[0].mean, None);
    }

    #[test]
    fn a_slow_day_far_beyond_the_noise_hides_neither_itself_nor_a_level_shift() {
        // Before, a run 2x slower (or faster) inside a history with a +30% shift widened both
        // levels until neither was found: the band ran from 69 to 195.
        for slow in [125.0, 200.0, 300.0, 30.0] {
            let mut values = noisy(100.0, 12, 1);
            values[4] = slow;
            values.extend(noisy(130.0, 10, 3));
            let r = read(&values, 0.05, 0.99, 10);
            let far: Vec<usize> = (0..values.len()).filter(|&i| r.far_out[i]).collect();
            assert_eq!(far, [4], "{slow}: {r:?}");
            assert_eq!(r.shifts.len(), 1, "{slow}: {r:?}");
            assert_eq!(r.shifts[0].start, 12);
            let band = r.band.expect("band");
            assert!(band.lo > 124.0 && band.hi < 136.0, "{slow}: {band:?}");
        }
        // Two slow runs in a row, and one just before the shift.
        let mut values = noisy(100.0, 12, 1);
        values[5] = 300.0;
        values[6] = 280.0;
        values[11] = 250.0;
        values.extend(noisy(130.0, 10, 3));
        let r = read(&values, 0.05, 0.99, 10);
        let far: Vec<usize> = (0..values.len()).filter(|&i| r.far_out[i]).collect();
        assert_eq!(far, [5, 6, 11], "{r:?}");
        assert_eq!(r.shifts.iter().map(|s| s.start).collect::<Vec<_>>(), [12]);
    }

    #[test]
    fn the_runs_of_a_young_level_are_not_slow_days() {
        // Two runs at a new level: no slow days; the latest is apart until a third tells.
        let mut values = noisy(100.0, 14, 1);
        values.extend([131.0, 129.0]);
        let r = read(&values, 0.05, 0.99, 10);
        assert!(r.far_out.iter().all(|f| !f) && r.latest_apart, "{r:?}");
        values.push(130.0);
        let r = read(&values, 0.05, 0.99, 10);
        assert!(r.far_out.iter().all(|f| !f) && !r.latest_apart, "{r:?}");
        assert_eq!(r.shifts.iter().map(|s| s.start).collect::<Vec<_>>(), [14]);
    }

    #[test]
    fn a_latest_run_apart_from_the_others_is_left_out_of_the_band() {
        let mut values = noisy(100.0, 15, 2);
        values.push(106.0);
        let r = read(&values, 0.05, 0.99, 10);
        assert!(r.latest_apart && !r.far_out[15], "{r:?}");
        assert!(r.shifts.is_empty());
        assert_eq!(r.kept, (0..15).collect::<Vec<_>>());
        assert!(r.band.expect("band").hi < 105.0);
        // Far out of its level, the latest run is a slow day, not apart.
        *values.last_mut().unwrap() = 160.0;
        let r = read(&values, 0.05, 0.99, 10);
        assert!(!r.latest_apart && r.far_out[15]);
    }

    #[test]
    fn too_few_runs_have_no_band_and_values_that_are_not_positive_no_levels() {
        assert_eq!(read(&[5.0], 0.05, 0.99, 10).band, None);
        let r = read(
            &[0.0, 1.0, 2.0, 0.0, 1.0, 2.0, 0.0, 1.0, 2.0],
            0.05,
            0.99,
            10,
        );
        assert!(r.shifts.is_empty() && r.band.is_none());
        assert!(read(&[], 0.05, 0.99, 10).kept.is_empty());
    }
}
