//! Levels in a history of runs, and the prediction interval of the current level.
//!
//! A history of one value per run (the default branch's last 30 runs) is only a good baseline
//! while the code it measures stays the same. When a change that moved a benchmark lands on the
//! default branch (a deliberate slowdown, a faster algorithm), the runs before it describe other
//! code: judged against all of them, every pull request after it would look like a regression
//! (or an improvement) until the window has rolled over. Here a history is read as levels with
//! shifts between them and one noise: [`level_shifts`] finds the shifts (binary segmentation),
//! and [`level_prediction_interval`] predicts the next value from the current level's mean and
//! the noise of all the levels.

use super::predict::Prediction;
use super::tdist::student_t_two_sided_p;

/// Fewest runs on each side of a shift: a single last run far from the others cannot tell a new
/// level from a one-off; two that agree can.
pub const LEVEL_MIN_RUNS: usize = 2;

/// A level shift in a history.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LevelShift {
    /// Index of the first value of the new level.
    pub start: usize,
    /// Geometric mean of the new level over that of the level before, minus 1: `0.2` for a level
    /// 20% higher.
    pub change: f64,
    /// The split's two-sided p-value, multiplied by the number of splits tried (Bonferroni).
    pub p: f64,
}

/// The level shifts of `values` (positive, oldest first), in order.
///
/// Binary segmentation (Scott and Knott 1974) on log values: in a stretch of the history, among
/// the splits that leave at least [`LEVEL_MIN_RUNS`] values on each side and whose geometric means
/// differ by more than the ratio `1 + min_change` either way, and where each side has at least
/// [`LEVEL_MIN_RUNS`] values on its side of the midpoint between the means, take the one that
/// explains most of the spread (the largest `na nb / n · diff²`); it is a shift when the pooled two-sample t test
/// on it (or the same test with a third level taken out of one side, see `best_split`) is
/// significant at `alpha` after Bonferroni over the splits tried, and then both sides are
/// searched the same way. Shifts smaller than `min_change` (the gate's threshold) are not looked
/// for: they would not change a verdict.
///
/// Empty when there is no shift, when a value is not positive and finite, or when `alpha` or
/// `min_change` is not a finite non-negative number.
pub fn level_shifts(values: &[f64], alpha: f64, min_change: f64) -> Vec<LevelShift> {
    if !(alpha.is_finite() && alpha > 0.0 && min_change.is_finite() && min_change >= 0.0) {
        return Vec::new();
    }
    if values.iter().any(|v| !(v.is_finite() && *v > 0.0)) {
        return Vec::new();
    }
    let logs: Vec<f64> = values.iter().map(|v| v.ln()).collect();
    let mut found: Vec<(usize, f64)> = Vec::new();
    segment(&logs, 0, alpha, min_change.ln_1p(), &mut found);
    found.sort_by_key(|(start, _)| *start);
    let starts: Vec<usize> = found.iter().map(|(s, _)| *s).collect();
    let means: Vec<f64> = levels(&logs, &starts).into_iter().map(mean).collect();
    found
        .iter()
        .zip(means.windows(2))
        .map(|(&(start, p), pair)| LevelShift {
            start,
            change: match pair {
                [before, after] => (after - before).exp_m1(),
                _ => 0.0,
            },
            p,
        })
        .collect()
}

/// `logs` cut at `starts` (increasing): the levels, oldest first.
fn levels<'a>(logs: &'a [f64], starts: &[usize]) -> Vec<&'a [f64]> {
    let mut out = Vec::with_capacity(starts.len() + 1);
    let mut rest = logs;
    let mut at = 0;
    for &start in starts {
        let (level, tail) = rest.split_at(start.saturating_sub(at).min(rest.len()));
        out.push(level);
        rest = tail;
        at = at.max(start);
    }
    out.push(rest);
    out
}

fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len().max(1) as f64
}

/// The last of [`level_shifts`]: where the current level begins.
pub fn last_level_shift(values: &[f64], alpha: f64, min_change: f64) -> Option<LevelShift> {
    level_shifts(values, alpha, min_change).pop()
}

/// Searches `logs` (which start at `offset` in the whole history) for shifts, recursively.
fn segment(logs: &[f64], offset: usize, alpha: f64, min_log: f64, found: &mut Vec<(usize, f64)>) {
    let Some((k, p)) = best_split(logs, min_log) else {
        return;
    };
    if p.is_nan() || p >= alpha {
        return;
    }
    found.push((offset + k, p));
    let (left, right) = logs.split_at(k);
    segment(left, offset, alpha, min_log, found);
    segment(right, offset + k, alpha, min_log, found);
}

/// The split of `logs` beyond `min_log` that explains most of their spread, and its pooled t
/// test's two-sided p-value times the number of splits tried.
///
/// A change that landed and was later undone leaves three levels, and the split at either end of
/// it has the third level inside one side, whose spread then hides the split. So the split is also
/// tested with the spread left once the best further split of either side is taken out (with
/// `n - 3` degrees of freedom; that split held to `min_log` and to runs at each level, as any), and
/// the smaller p-value counts. Not multiplied again by the further splits tried: in the
/// simulation (CV 5%, a +20% change landed 20 runs ago and undone 10 runs ago) that would catch
/// 53% of +20% regressions where this catches 80%, and an unchanged history's false alarms move
/// by 0.1 point at most.
fn best_split(logs: &[f64], min_log: f64) -> Option<(usize, f64)> {
    let n = logs.len();
    let (k, diff, _, splits) = best_cut(logs, min_log)?;
    let (before, after) = logs.split_at(k);
    let (a, b) = (Moments::of(before), Moments::of(after));
    let ss = a.ss() + b.ss();
    let t_p = |ss: f64, df: f64| {
        let se = (ss / df * (1.0 / a.n + 1.0 / b.n)).sqrt();
        if se > 0.0 {
            student_t_two_sided_p(diff.abs() / se, df)
        } else {
            0.0
        }
    };
    let mut p = t_p(ss, (n - 2) as f64) * splits as f64;
    // The best further split, on either side: its gain is the spread it takes out.
    let further = [before, after]
        .iter()
        .filter_map(|side| best_cut(side, min_log))
        .map(|(_, _, gain, _)| gain)
        .reduce(f64::max);
    if let Some(gain) = further {
        p = p.min(t_p((ss - gain).max(0.0), (n - 3) as f64) * splits as f64);
    }
    Some((k, p.min(1.0)))
}

/// The split of `logs` beyond `min_log` that explains most of their spread: its position, the
/// difference of the two sides' mean logs, its gain (`na nb / n · diff²`, the spread it takes
/// out), and how many splits were tried.
fn best_cut(logs: &[f64], min_log: f64) -> Option<(usize, f64, f64, usize)> {
    let n = logs.len();
    if n < 2 * LEVEL_MIN_RUNS {
        return None;
    }
    let splits = n + 1 - 2 * LEVEL_MIN_RUNS;
    let whole = Moments::of(logs);
    let mut head = Moments::of(logs.get(..LEVEL_MIN_RUNS - 1).unwrap_or(&[]));
    let mut best: Option<(usize, f64, f64)> = None;
    for k in LEVEL_MIN_RUNS..=n - LEVEL_MIN_RUNS {
        head.add(logs.get(k - 1).copied().unwrap_or(0.0));
        let (before, after) = logs.split_at(k);
        let tail = whole.minus(&head);
        let diff = tail.mean() - head.mean();
        if diff.abs() <= min_log {
            continue;
        }
        let gain = head.n * tail.n / n as f64 * diff * diff;
        if best.is_some_and(|(_, _, g)| gain <= g) {
            continue;
        }
        // Each level needs runs that are at it: at least LEVEL_MIN_RUNS on its side of the
        // midpoint between the two means (a normal run and a far-out one are no level).
        let mid = (head.mean() + tail.mean()) / 2.0;
        let at_level = |part: &[f64], high: bool| {
            part.iter().filter(|l| (**l > mid) == high).count() >= LEVEL_MIN_RUNS
        };
        if at_level(before, diff < 0.0) && at_level(after, diff > 0.0) {
            best = Some((k, diff, gain));
        }
    }
    best.map(|(k, diff, gain)| (k, diff, gain, splits))
}

/// Count, sum and sum of squares of log values, around a fixed centre for accuracy.
#[derive(Debug, Clone, Copy)]
struct Moments {
    centre: f64,
    n: f64,
    sum: f64,
    sq: f64,
}

impl Moments {
    fn of(xs: &[f64]) -> Moments {
        let centre = xs.first().copied().unwrap_or(0.0);
        let mut m = Moments {
            centre,
            n: 0.0,
            sum: 0.0,
            sq: 0.0,
        };
        for x in xs {
            m.add(*x);
        }
        m
    }

    fn add(&mut self, x: f64) {
        let d = x - self.centre;
        self.n += 1.0;
        self.sum += d;
        self.sq += d * d;
    }

    /// The moments of the values of `self` that are not in `part` (a sub-multiset).
    fn minus(&self, part: &Moments) -> Moments {
        // Re-centre `part` on our centre: sum(x - c) = sum(x - c') + n (c' - c).
        let shift = part.centre - self.centre;
        let sum = part.sum + part.n * shift;
        let sq = part.sq + 2.0 * shift * part.sum + part.n * shift * shift;
        Moments {
            centre: self.centre,
            n: self.n - part.n,
            sum: self.sum - sum,
            sq: self.sq - sq,
        }
    }

    fn mean(&self) -> f64 {
        self.centre + self.sum / self.n
    }

    /// Sum of squared deviations from the mean.
    fn ss(&self) -> f64 {
        (self.sq - self.sum * self.sum / self.n).max(0.0)
    }
}

/// The log of each of `values` (positive) minus the mean log of its level, the levels being
/// separated by `shifts` (from [`level_shifts`] on the same values, or on those not left out,
/// with their starts as positions in `values`). A level's mean is taken over its values not
/// `left_out` (none is when the slice is shorter), so that a far-out value set aside does not
/// move it and is measured from it all the same. What is left is the noise, whose quartiles can
/// tell a far-out run from a new level. `None` when a value is not positive and finite, or a level
/// has no value to take its mean over.
pub fn level_residuals(
    values: &[f64],
    shifts: &[LevelShift],
    left_out: &[bool],
) -> Option<Vec<f64>> {
    if values.iter().any(|v| !(v.is_finite() && *v > 0.0)) {
        return None;
    }
    let logs: Vec<f64> = values.iter().map(|v| v.ln()).collect();
    let starts: Vec<usize> = shifts.iter().map(|s| s.start).collect();
    let mut out = Vec::with_capacity(logs.len());
    let mut at = 0;
    for level in levels(&logs, &starts) {
        let counted: Vec<f64> = level
            .iter()
            .enumerate()
            .filter(|(i, _)| left_out.get(at + i) != Some(&true))
            .map(|(_, l)| *l)
            .collect();
        if counted.is_empty() && !level.is_empty() {
            return None;
        }
        let m = mean(&counted);
        out.extend(level.iter().map(|l| l - m));
        at += level.len();
    }
    Some(out)
}

/// The prediction interval for the next value of a history read as levels and one noise: centred
/// on the geometric mean of the current level's `k` runs, with the standard deviation `s` of the
/// log values around their own level's mean, pooled over all levels (`N - levels` degrees of
/// freedom): `mean ± t · s · sqrt(1 + 1/k)`. Without a shift it is [`super::log_prediction_interval`]
/// exactly. The shift is the last one, if any (see [`level_shifts`]).
///
/// `None` under the same conditions as [`super::log_prediction_interval`].
pub fn level_prediction_interval(
    history: &[f64],
    confidence: f64,
    alpha: f64,
    min_change: f64,
) -> Option<(Prediction, Option<LevelShift>)> {
    let shifts = level_shifts(history, alpha, min_change);
    let Some(last) = shifts.last().copied() else {
        return super::log_prediction_interval(history, confidence).map(|p| (p, None));
    };
    if !(confidence > 0.0 && confidence < 1.0) {
        return None;
    }
    let logs: Vec<f64> = history.iter().map(|v| v.ln()).collect();
    let starts: Vec<usize> = shifts.iter().map(|s| s.start).collect();
    let parts = levels(&logs, &starts);
    let within: f64 = parts.iter().map(|part| Moments::of(part).ss()).sum();
    let df = (logs.len() - parts.len()) as f64;
    let level = *parts.last()?;
    let sd = (within / df).sqrt();
    Some((
        Prediction::from_log(level.len(), mean(level), sd, df, confidence),
        Some(last),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_up_is_found_where_it_starts() {
        // 20 runs near 100, then 5 near 120.
        let mut v = vec![
            100.0, 101.2, 99.1, 100.4, 98.7, 101.9, 100.3, 99.6, 100.8, 99.2, 100.1, 101.0, 98.9,
            100.6, 99.8, 100.2, 101.4, 99.4, 100.0, 100.9,
        ];
        v.extend([120.3, 119.1, 121.0, 120.4, 119.7]);
        let s = last_level_shift(&v, 0.01, 0.05).unwrap();
        assert_eq!(s.start, 20);
        // exp(mean of the last 5 logs - mean of the first 20 logs) - 1, by NumPy.
        assert!(
            (s.change - 0.198_927_495_270_316_83).abs() < 1e-12,
            "{}",
            s.change
        );
        // SciPy: ttest_ind(log(last 5), log(first 20)).pvalue = 1.1875e-23, times 22 splits.
        assert!(
            (s.p / 2.612_431_064_154_951_6e-22 - 1.0).abs() < 1e-6,
            "{}",
            s.p
        );

        // The next value is predicted from the last 5 runs' mean and the noise of both levels:
        // a = log(first 20), b = log(last 5); s = sqrt((SS(a) + SS(b)) / 23);
        // h = t.ppf(0.99, 23) * s * sqrt(1 + 1/5); exp(b.mean() -/+ h)  (SciPy 1.17.1)
        let (p, shift) = level_prediction_interval(&v, 0.98, 0.01, 0.05).unwrap();
        assert_eq!(shift.map(|s| s.start), Some(20));
        assert_eq!((p.n, p.df), (5, 23.0));
        assert!((p.log_mean - 4.788_310_158_075_456).abs() < 1e-12);
        assert!((p.log_sd - 0.008_292_280_203_386_548).abs() < 1e-12);
        assert!((p.lo - 117.401_774_700_165_45).abs() < 1e-8, "{p:?}");
        assert!((p.hi - 122.856_657_815_945_75).abs() < 1e-8, "{p:?}");
        // Without a shift it is the plain interval.
        let flat = &v[..20];
        assert_eq!(
            level_prediction_interval(flat, 0.98, 0.01, 0.05).map(|(p, _)| p),
            crate::stats::log_prediction_interval(flat, 0.98)
        );
    }

    #[test]
    fn the_last_of_several_shifts_is_the_start_of_the_current_level() {
        let mut v = vec![100.0, 101.0, 99.0, 100.5, 99.5, 100.2, 99.8, 100.4];
        v.extend([80.0, 80.6, 79.5, 80.2, 79.9, 80.4, 80.1]);
        v.extend([90.2, 89.8, 90.5]);
        let s = last_level_shift(&v, 0.01, 0.05).unwrap();
        assert_eq!(s.start, 15);
        // Against the 80s only, not the whole history: exp(mean log 90s - mean log 80s) - 1.
        assert!(
            (s.change - 0.125_680_075_735_277_1).abs() < 1e-12,
            "{}",
            s.change
        );
    }

    #[test]
    fn a_change_that_landed_and_was_undone_is_two_shifts() {
        // 10 runs near 100, 10 near 120, 10 near 100 again (±4%).
        let mut v = vec![
            100.0, 104.1, 96.2, 101.5, 97.8, 103.0, 99.1, 102.4, 96.9, 100.6,
        ];
        v.extend(
            [
                101.2, 97.4, 103.3, 99.0, 100.9, 96.8, 102.1, 98.5, 104.0, 99.7,
            ]
            .map(|x| x * 1.2),
        );
        v.extend([
            99.3, 102.8, 97.1, 101.9, 98.4, 103.5, 96.6, 100.2, 102.0, 98.9,
        ]);
        let shifts = level_shifts(&v, 0.01, 0.05);
        assert_eq!(shifts.iter().map(|s| s.start).collect::<Vec<_>>(), [10, 20]);
        // The split at 20 alone, with the 120s inside its first side: pooled t test p = 0.0065,
        // times 27 splits = 0.176, no shift. With the split at 10 taken out of that side's
        // spread (28 degrees of freedom), 9.38e-9 (SciPy 1.17.1).
        let undone = shifts.last().unwrap();
        assert!(
            (undone.p / 9.381_481_662_248_758e-9 - 1.0).abs() < 1e-6,
            "{undone:?}"
        );
        let (band, _) = level_prediction_interval(&v, 0.98, 0.01, 0.05).unwrap();
        assert_eq!(band.n, 10);
        assert!(band.hi < 110.0, "{band:?}");
    }

    #[test]
    fn one_last_outlier_is_not_a_new_level() {
        let mut v = vec![100.0; 10];
        v.extend([101.0, 99.0, 100.5, 99.5, 150.0]);
        assert_eq!(last_level_shift(&v, 0.01, 0.05), None);
        // Nor is a normal run with a far-out one after it, though their mean is far from the rest.
        let mut w = v.clone();
        w.insert(14, 100.2);
        assert_eq!(last_level_shift(&w, 0.01, 0.05), None);
        // Two that agree are.
        v.push(151.0);
        assert_eq!(last_level_shift(&v, 0.01, 0.05).map(|s| s.start), Some(14));
    }

    #[test]
    fn noise_and_small_steps_are_not_shifts() {
        // A significant step smaller than the minimum change is not a shift.
        let mut v = vec![
            100.0, 100.1, 99.9, 100.0, 100.1, 99.9, 100.0, 100.1, 99.9, 100.0,
        ];
        v.extend([102.0, 102.1, 101.9, 102.0, 102.1]);
        assert_eq!(last_level_shift(&v, 0.01, 0.05), None);
        assert!(last_level_shift(&v, 0.01, 0.01).is_some());
        // 5% noise without a shift.
        let noisy = [
            100.0, 95.1, 104.8, 99.3, 102.2, 97.0, 106.1, 93.9, 101.5, 98.2, 103.7, 96.4, 100.9,
            94.8, 105.0,
        ];
        assert_eq!(last_level_shift(&noisy, 0.01, 0.05), None);
    }

    #[test]
    fn a_flat_history_and_a_clean_step() {
        assert_eq!(last_level_shift(&[7.0; 12], 0.01, 0.0), None);
        let mut v = vec![7.0; 6];
        v.extend([9.0; 3]);
        let s = last_level_shift(&v, 0.01, 0.05).unwrap();
        assert_eq!(s.start, 6);
        assert!(s.p < 1e-12, "{}", s.p);
        assert!((s.change - 2.0 / 7.0).abs() < 1e-12);
    }

    #[test]
    fn residuals_are_taken_around_each_level() {
        let v = [1.0, 4.0, 2.0, 8.0, 8.0];
        let shifts = [LevelShift {
            start: 3,
            change: 0.0,
            p: 0.0,
        }];
        let r = level_residuals(&v, &shifts, &[]).unwrap();
        // The first level's mean log is ln 2: ln(1/2), ln(4/2), ln(2/2); the second's is ln 8.
        let want = [-(2.0_f64.ln()), 2.0_f64.ln(), 0.0, 0.0, 0.0];
        assert!(
            r.iter().zip(want).all(|(a, b)| (a - b).abs() < 1e-12),
            "{r:?}"
        );
        // With 4 left out, the first level's mean is that of 1 and 2, and 4 is measured from it.
        let r = level_residuals(&v, &shifts, &[false, true]).unwrap();
        let m = 2.0_f64.sqrt().ln();
        let want = [-m, 4.0_f64.ln() - m, 2.0_f64.ln() - m, 0.0, 0.0];
        assert!(
            r.iter().zip(want).all(|(a, b)| (a - b).abs() < 1e-12),
            "{r:?}"
        );
        // A level with nothing left to measure it by has no residuals.
        assert_eq!(
            level_residuals(&v, &shifts, &[false, false, false, true, true]),
            None
        );
        assert_eq!(level_residuals(&[1.0, -1.0], &[], &[]), None);
    }

    #[test]
    fn bad_input_gives_none() {
        assert_eq!(last_level_shift(&[], 0.01, 0.05), None);
        assert_eq!(last_level_shift(&[1.0, 2.0, 3.0], 0.01, 0.05), None);
        assert_eq!(
            last_level_shift(&[1.0, 1.0, 0.0, 2.0, 2.0], 0.01, 0.05),
            None
        );
        assert_eq!(
            last_level_shift(&[1.0, 1.0, 2.0, 2.0], f64::NAN, 0.05),
            None
        );
        assert_eq!(last_level_shift(&[1.0, 1.0, 2.0, 2.0], 0.01, -1.0), None);
    }
}
