//! Units: every value perfgate holds is converted once, at parse time, to a canonical unit of its
//! dimension (nanoseconds, bytes, bytes per second, events per second, a fraction, a count), so that
//! `ms` against `ns` or `KB` against `B` compare correctly. Unknown units are kept verbatim and only
//! compare with the same spelling.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A canonical unit. Values stored with a unit are always in that canonical scale.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Unit {
    /// Time in nanoseconds (also per operation: `ns/op`, `ns/iter`).
    Nanoseconds,
    /// A size in bytes (also per operation: `B/op`).
    Bytes,
    /// A data rate in bytes per second.
    BytesPerSecond,
    /// Events (operations, requests, elements) per second.
    PerSecond,
    /// A fraction between 0 and 1 (error rate, success rate), shown as a percentage.
    Ratio,
    /// A dimensionless count (allocations, instructions, requests).
    Count,
    /// Anything else, kept as written.
    Custom(String),
}

impl Unit {
    /// Parses a unit as tools write it and returns the canonical unit with the factor that converts
    /// a value in `text` into it (`"ms"` gives `(Nanoseconds, 1e6)`). Never fails: an unknown unit
    /// becomes [`Unit::Custom`] with factor 1.
    pub fn parse(text: &str) -> (Unit, f64) {
        let t = text.trim();
        if t.is_empty() {
            return (Unit::Count, 1.0);
        }
        // Per-operation suffixes do not change the dimension.
        let base = ["/op", "/iter", "/iteration", "/call"]
            .iter()
            .find_map(|s| t.strip_suffix(s))
            .unwrap_or(t);
        if let Some(f) = time_factor(base) {
            return (Unit::Nanoseconds, f);
        }
        if let Some(f) = byte_factor(base) {
            return (Unit::Bytes, f);
        }
        if let Some(num) = base
            .strip_suffix("/s")
            .or_else(|| base.strip_suffix("/sec"))
            .or_else(|| base.strip_suffix("ps").filter(|n| n.ends_with('B')))
        {
            if let Some(f) = byte_factor(num) {
                return (Unit::BytesPerSecond, f);
            }
            if let Some(f) = event_factor(num) {
                return (Unit::PerSecond, f);
            }
        }
        match base {
            "rps" | "qps" | "ops" | "hz" | "Hz" => return (Unit::PerSecond, 1.0),
            "%" | "percent" => return (Unit::Ratio, 0.01),
            "ratio" | "fraction" | "rate" => return (Unit::Ratio, 1.0),
            "count" | "allocs" | "alloc" | "allocations" | "instructions" | "instr" | "cycles"
            | "iterations" | "requests" | "reqs" | "x" => return (Unit::Count, 1.0),
            _ => {}
        }
        // Spelled-out units are matched whatever their case (`Percent`, `Megabytes`).
        if base.len() > 3 && base.chars().any(|c| c.is_ascii_uppercase()) {
            let lower = base.to_ascii_lowercase();
            if lower != base {
                let (u, f) = Unit::parse(&lower);
                if !matches!(u, Unit::Custom(_)) {
                    return (u, f);
                }
            }
        }
        // Events per another time unit: ops/ms, ops/us (JMH).
        if let Some((num, den)) = base.split_once('/') {
            if let (Some(e), Some(tf)) = (event_factor(num), time_factor(den)) {
                return (Unit::PerSecond, e * 1e9 / tf);
            }
        }
        (Unit::Custom(t.to_string()), 1.0)
    }

    /// The canonical spelling, as stored in saved runs and reports.
    pub fn as_str(&self) -> &str {
        match self {
            Unit::Nanoseconds => "ns",
            Unit::Bytes => "B",
            Unit::BytesPerSecond => "B/s",
            Unit::PerSecond => "/s",
            Unit::Ratio => "ratio",
            Unit::Count => "count",
            Unit::Custom(s) => s,
        }
    }

    /// Reads a canonical spelling back (saved runs). Anything else is parsed with [`Unit::parse`].
    pub fn from_canonical(text: &str) -> (Unit, f64) {
        match text {
            "ns" => (Unit::Nanoseconds, 1.0),
            "B" => (Unit::Bytes, 1.0),
            "B/s" => (Unit::BytesPerSecond, 1.0),
            "/s" => (Unit::PerSecond, 1.0),
            "ratio" => (Unit::Ratio, 1.0),
            "count" => (Unit::Count, 1.0),
            other => Unit::parse(other),
        }
    }

    /// A size in bytes in decimal multiples (`1 MB`, `977 kB`), as a limit written in them is
    /// shown; [`Unit::format`] shows sizes in binary ones (`KiB`, `MiB`).
    pub fn format_decimal_bytes(value: f64) -> String {
        if !value.is_finite() {
            return format!("{value}");
        }
        let steps = [
            (1.0, "B"),
            (1e3, "kB"),
            (1e6, "MB"),
            (1e9, "GB"),
            (1e12, "TB"),
        ];
        let (v, u) = scale_down(value, &steps);
        format!("{} {u}", sig3(v))
    }

    /// Formats a value held in this unit for people: `1.23 ms`, `512 B`, `12.5k/s`, `0.10%`.
    pub fn format(&self, value: f64) -> String {
        if !value.is_finite() {
            return format!("{value}");
        }
        match self {
            Unit::Nanoseconds => {
                let (v, u) =
                    scale_down(value, &[(1.0, "ns"), (1e3, "µs"), (1e6, "ms"), (1e9, "s")]);
                format!("{} {u}", sig3(v))
            }
            Unit::Bytes => {
                let (v, u) = scale_down(
                    value,
                    &[
                        (1.0, "B"),
                        (1024.0, "KiB"),
                        (1048576.0, "MiB"),
                        (1073741824.0, "GiB"),
                    ],
                );
                format!("{} {u}", sig3(v))
            }
            Unit::BytesPerSecond => {
                let (v, u) = scale_down(
                    value,
                    &[(1.0, "B/s"), (1e3, "kB/s"), (1e6, "MB/s"), (1e9, "GB/s")],
                );
                format!("{} {u}", sig3(v))
            }
            Unit::PerSecond => format!("{}/s", si(value)),
            Unit::Ratio => format!("{}%", sig3(value * 100.0)),
            Unit::Count => si(value),
            Unit::Custom(s) => format!("{} {s}", sig3(value)),
        }
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Unit {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Unit {
    /// Only canonical spellings round-trip exactly; use [`Unit::parse`] for tools' spellings.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(Unit::from_canonical(&s).0)
    }
}

fn time_factor(u: &str) -> Option<f64> {
    Some(match u {
        "ps" => 1e-3,
        "ns" | "nsec" | "nanoseconds" => 1.0,
        "us" | "µs" | "μs" | "usec" | "microseconds" => 1e3,
        "ms" | "msec" | "milliseconds" => 1e6,
        "s" | "sec" | "secs" | "seconds" | "second" => 1e9,
        "min" | "minutes" => 60e9,
        "h" | "hours" => 3600e9,
        _ => return None,
    })
}

fn byte_factor(u: &str) -> Option<f64> {
    Some(match u {
        "B" | "bytes" | "byte" => 1.0,
        "kilobytes" => 1e3,
        "megabytes" => 1e6,
        "gigabytes" => 1e9,
        "kB" | "KB" => 1e3,
        "MB" => 1e6,
        "GB" => 1e9,
        "TB" => 1e12,
        "KiB" => 1024.0,
        "MiB" => 1048576.0,
        "GiB" => 1073741824.0,
        "TiB" => 1099511627776.0,
        _ => return None,
    })
}

fn event_factor(u: &str) -> Option<f64> {
    Some(match u {
        "ops" | "op" | "req" | "reqs" | "requests" | "elem" | "elements" | "iter" | "iters"
        | "calls" | "events" | "msgs" | "messages" | "tx" | "" => 1.0,
        "Kelem" | "kops" | "Kops" => 1e3,
        "Melem" | "Mops" => 1e6,
        "Gelem" | "Gops" => 1e9,
        _ => return None,
    })
}

fn scale_down(value: f64, steps: &[(f64, &'static str)]) -> (f64, &'static str) {
    let mut chosen = steps.first().copied().unwrap_or((1.0, ""));
    for &(factor, name) in steps {
        if value.abs() >= factor {
            chosen = (factor, name);
        }
    }
    (value / chosen.0, chosen.1)
}

/// Three significant digits, without a trailing `.0` on integers of three to nine digits; a
/// value the units cannot bring below a billion (1e308 ns is 3e294 hours) in scientific
/// notation, never as a 300-digit integer.
pub fn sig3(v: f64) -> String {
    let a = v.abs();
    if a == 0.0 {
        "0".to_string()
    } else if !a.is_finite() {
        format!("{v}")
    } else if a >= 1e9 {
        format!("{v:.2e}")
    } else if a >= 100.0 {
        format!("{v:.0}")
    } else if a >= 10.0 {
        format!("{v:.1}")
    } else if a >= 1.0 {
        format!("{v:.2}")
    } else if a >= 0.01 {
        format!("{v:.3}")
    } else {
        format!("{v:.3e}")
    }
}

/// A count with an SI suffix: `950`, `12.3k`, `4.56M`.
pub fn si(v: f64) -> String {
    let a = v.abs();
    if a < 1e4 {
        if v.fract() == 0.0 {
            format!("{v:.0}")
        } else {
            sig3(v)
        }
    } else if a < 1e6 {
        format!("{}k", sig3(v / 1e3))
    } else if a < 1e9 {
        format!("{}M", sig3(v / 1e6))
    } else if a < 1e12 {
        format!("{}G", sig3(v / 1e9))
    } else if a < 1e15 {
        format!("{}T", sig3(v / 1e12))
    } else {
        sig3(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_stay_short_at_any_magnitude() {
        assert_eq!(sig3(1e308), "1.00e308");
        assert_eq!(sig3(-2.5e10), "-2.50e10");
        assert_eq!(sig3(2_000_000.0), "2000000");
        assert_eq!(sig3(1.5e-300), "1.500e-300");
        assert_eq!(sig3(f64::INFINITY), "inf");
        assert_eq!(si(4.56e13), "45.6T");
        assert_eq!(si(1e300), "1.00e300");
        assert!(si(-1e300).len() < 12);
    }

    #[test]
    fn parses_time_units_into_nanoseconds() {
        assert_eq!(Unit::parse("ns/op"), (Unit::Nanoseconds, 1.0));
        assert_eq!(Unit::parse("ms"), (Unit::Nanoseconds, 1e6));
        assert_eq!(Unit::parse("µs"), (Unit::Nanoseconds, 1e3));
        assert_eq!(Unit::parse("μs"), (Unit::Nanoseconds, 1e3));
        assert_eq!(Unit::parse("sec/op"), (Unit::Nanoseconds, 1e9));
        assert_eq!(Unit::parse("ns/iter"), (Unit::Nanoseconds, 1.0));
    }

    #[test]
    fn parses_sizes_and_rates() {
        assert_eq!(Unit::parse("B/op"), (Unit::Bytes, 1.0));
        assert_eq!(Unit::parse("KiB"), (Unit::Bytes, 1024.0));
        assert_eq!(Unit::parse("KB"), (Unit::Bytes, 1000.0));
        assert_eq!(Unit::parse("MB/s"), (Unit::BytesPerSecond, 1e6));
        assert_eq!(Unit::parse("ops/s"), (Unit::PerSecond, 1.0));
        assert_eq!(Unit::parse("ops/sec"), (Unit::PerSecond, 1.0));
        assert_eq!(Unit::parse("ops/ms"), (Unit::PerSecond, 1e3));
        assert_eq!(Unit::parse("Melem/s"), (Unit::PerSecond, 1e6));
        assert_eq!(Unit::parse("%"), (Unit::Ratio, 0.01));
        assert_eq!(Unit::parse("Percent"), (Unit::Ratio, 0.01));
        assert_eq!(Unit::parse("Megabytes"), (Unit::Bytes, 1e6));
        assert_eq!(Unit::parse("Milliseconds"), (Unit::Nanoseconds, 1e6));
        assert_eq!(Unit::parse("allocs/op"), (Unit::Count, 1.0));
        assert_eq!(
            Unit::parse("auxMetricUnits"),
            (Unit::Custom("auxMetricUnits".into()), 1.0)
        );
    }

    #[test]
    fn canonical_spellings_round_trip() {
        for u in [
            Unit::Nanoseconds,
            Unit::Bytes,
            Unit::BytesPerSecond,
            Unit::PerSecond,
            Unit::Ratio,
            Unit::Count,
            Unit::Custom("widgets".into()),
        ] {
            assert_eq!(Unit::from_canonical(u.as_str()), (u.clone(), 1.0));
        }
    }

    #[test]
    fn formats_values_for_people() {
        assert_eq!(Unit::Nanoseconds.format(1_234_567.0), "1.23 ms");
        assert_eq!(Unit::Nanoseconds.format(456.0), "456 ns");
        assert_eq!(Unit::Nanoseconds.format(12_300.0), "12.3 µs");
        assert_eq!(Unit::Bytes.format(512.0), "512 B");
        assert_eq!(Unit::Bytes.format(1536.0), "1.50 KiB");
        assert_eq!(Unit::format_decimal_bytes(1536.0), "1.54 kB");
        assert_eq!(Unit::format_decimal_bytes(1e6), "1.00 MB");
        assert_eq!(Unit::format_decimal_bytes(977.0), "977 B");
        assert_eq!(Unit::PerSecond.format(12_500.0), "12.5k/s");
        assert_eq!(Unit::Ratio.format(0.001), "0.100%");
        assert_eq!(Unit::Count.format(42.0), "42");
        assert_eq!(Unit::Count.format(4_560_000.0), "4.56M");
    }
}
