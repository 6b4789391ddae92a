//! Times as the run metadata writes them: epoch seconds (HdrHistogram logs, Artillery, Locust)
//! turned into RFC 3339.

use std::time::{Duration, UNIX_EPOCH};

/// First millisecond of the year 10000, which RFC 3339's four-digit year cannot write (humantime
/// fails its `Display`, and `to_string` panics on that).
const YEAR_10000_MS: f64 = 253_402_300_800_000.0;

/// Epoch seconds as RFC 3339 with milliseconds (rounded, so `...961.225` stays `.225`); `None`
/// for negative or non-finite values, and from the year 10000 on.
pub(crate) fn rfc3339(secs: f64) -> Option<String> {
    let millis = (secs * 1000.0).round();
    if !(0.0..YEAR_10000_MS).contains(&millis) {
        return None;
    }
    let t = UNIX_EPOCH.checked_add(Duration::from_millis(millis as u64))?;
    Some(humantime::format_rfc3339_millis(t).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A time from the year 10000 on panicked in every format that has one (`show` aborted).
    #[test]
    fn times_rfc_3339_cannot_write_are_none() {
        assert_eq!(
            rfc3339(253_402_300_799.999).as_deref(),
            Some("9999-12-31T23:59:59.999Z")
        );
        assert_eq!(rfc3339(253_402_300_800.0), None);
        assert_eq!(rfc3339(1e300), None);
        assert_eq!(rfc3339(-1.0), None);
        assert_eq!(rfc3339(f64::NAN), None);
        assert_eq!(rfc3339(0.0).as_deref(), Some("1970-01-01T00:00:00.000Z"));
    }
}
