//! Times as the run metadata writes them: epoch seconds (HdrHistogram logs, Artillery, Locust)
//! turned into RFC 3339.

use std::time::{Duration, UNIX_EPOCH};

/// Epoch seconds as RFC 3339 with milliseconds (rounded, so `...961.225` stays `.225`); `None`
/// for negative, non-finite or absurdly large values.
pub(crate) fn rfc3339(secs: f64) -> Option<String> {
    let millis = (secs * 1000.0).round();
    if !(0.0..=1e15).contains(&millis) {
        return None;
    }
    let t = UNIX_EPOCH.checked_add(Duration::from_millis(millis as u64))?;
    Some(humantime::format_rfc3339_millis(t).to_string())
}
