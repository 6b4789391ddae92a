//! A latency histogram: an `hdrhistogram` with 3 significant digits over values in the metric's
//! canonical unit (nanoseconds for latencies), stored in JSON as `[[value, count], ...]` buckets.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Significant digits kept by every histogram perfgate builds.
pub const SIGNIFICANT_DIGITS: u8 = 3;

#[derive(Clone)]
pub struct Histogram {
    inner: hdrhistogram::Histogram<u64>,
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram::new()
    }
}

impl Histogram {
    pub fn new() -> Histogram {
        // `new` with a valid digit count cannot fail; fall back to explicit bounds otherwise.
        let inner = hdrhistogram::Histogram::new(SIGNIFICANT_DIGITS).unwrap_or_else(|_| {
            #[allow(clippy::expect_used)]
            hdrhistogram::Histogram::new_with_bounds(1, 2, 1).expect("valid bounds")
        });
        Histogram { inner }
    }

    /// Records `count` observations of `value` (rounded to an integer of the canonical unit).
    pub fn record_n(&mut self, value: f64, count: u64) -> Result<(), String> {
        if !value.is_finite() || value < 0.0 {
            return Err(format!(
                "histogram value {value} is not a finite, non-negative number"
            ));
        }
        self.record_count(value.round() as u64, count)
            .map_err(|e| format!("histogram cannot record {value}: {e}"))
    }

    /// Records `count` observations of `value`, refusing counts that overflow the total:
    /// hdrhistogram saturates it, and a file whose counts did would show n =
    /// 18446744073709551615 and quantiles of whatever fitted.
    fn record_count(&mut self, value: u64, count: u64) -> Result<(), String> {
        if self.inner.len().checked_add(count).is_none() {
            return Err(format!(
                "histogram counts add up to more than {} observations",
                u64::MAX
            ));
        }
        self.inner
            .record_n(value, count)
            .map_err(|e| format!("{e:?}"))
    }

    pub fn record(&mut self, value: f64) -> Result<(), String> {
        self.record_n(value, 1)
    }

    /// Adds every observation of `other`.
    pub fn add(&mut self, other: &Histogram) {
        // Auto-resizing histograms accept any u64, so adding cannot fail.
        let _ = self.inner.add(&other.inner);
    }

    pub fn len(&self) -> u64 {
        self.inner.len()
    }

    pub fn is_empty(&self) -> bool {
        self.inner.is_empty()
    }

    /// The value at quantile `q` (0..=1).
    pub fn quantile(&self, q: f64) -> f64 {
        self.inner.value_at_quantile(q.clamp(0.0, 1.0)) as f64
    }

    pub fn min(&self) -> f64 {
        self.inner.min() as f64
    }

    pub fn max(&self) -> f64 {
        self.inner.max() as f64
    }

    pub fn mean(&self) -> f64 {
        self.inner.mean()
    }

    pub fn inner(&self) -> &hdrhistogram::Histogram<u64> {
        &self.inner
    }

    /// `(value, count)` for every non-empty bucket, ascending.
    pub fn buckets(&self) -> Vec<(u64, u64)> {
        self.inner
            .iter_recorded()
            .map(|v| (v.value_iterated_to(), v.count_at_value()))
            .collect()
    }
}

impl PartialEq for Histogram {
    fn eq(&self, other: &Self) -> bool {
        self.buckets() == other.buckets()
    }
}

impl fmt::Debug for Histogram {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Histogram")
            .field("len", &self.len())
            .field("buckets", &self.buckets().len())
            .finish()
    }
}

impl Serialize for Histogram {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.buckets().serialize(s)
    }
}

impl<'de> Deserialize<'de> for Histogram {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let buckets = Vec::<(u64, u64)>::deserialize(d)?;
        let mut h = Histogram::new();
        for (value, count) in buckets {
            h.record_count(value, count)
                .map_err(|e| serde::de::Error::custom(format!("bad histogram bucket: {e}")))?;
        }
        Ok(h)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_json_buckets() {
        let mut h = Histogram::new();
        for v in [1000.0, 2000.0, 2000.0, 150_000.0] {
            h.record(v).unwrap();
        }
        let json = serde_json::to_string(&h).unwrap();
        assert_eq!(json, "[[1000,1],[2000,2],[150015,1]]");
        let back: Histogram = serde_json::from_str(&json).unwrap();
        assert_eq!(back, h);
        assert_eq!(back.len(), 4);
        assert_eq!(back.quantile(0.5), 2000.0);
    }

    #[test]
    fn rejects_counts_that_overflow_the_total() {
        let mut h = Histogram::new();
        h.record_n(1000.0, u64::MAX - 1).unwrap();
        h.record_n(5000.0, 1).unwrap();
        let e = h.record_n(5000.0, 1).unwrap_err();
        assert!(e.contains("add up to more than"), "{e}");
        assert_eq!(h.len(), u64::MAX);
        let e = serde_json::from_str::<Histogram>("[[1000, 18446744073709551615], [5000, 1]]")
            .unwrap_err();
        assert!(e.to_string().contains("add up to more than"), "{e}");
    }

    #[test]
    fn rejects_negative_values() {
        assert!(Histogram::new().record(-1.0).is_err());
        assert!(Histogram::new().record(f64::NAN).is_err());
    }
}
