//! HdrHistogram interval logs (`.hlog`), as written by `HistogramLogWriter` (Java), the Rust
//! `hdrhistogram` crate's `IntervalLogWriter`, jHiccup, and many load generators: `#[...]` header
//! comments (`#[Histogram log format version 1.2]`, `#[StartTime: <epoch seconds> ...]`,
//! `#[BaseTime: ...]`), a quoted legend `"StartTimestamp","Interval_Length","Interval_Max",
//! "Interval_Compressed_Histogram"`, and one line per interval: `[Tag=<tag>,]<start>,<length>,
//! <max>,<base64 histogram>`.
//!
//! Every interval histogram is decoded and the intervals are merged per series: untagged lines make
//! the benchmark `hlog`, lines tagged `Tag=<tag>` the benchmark `<tag>`. Each benchmark holds one
//! `latency` histogram. Encodings: V2 (`HISTF...`, compressed or not) is decoded with the
//! `hdrhistogram` crate; the V1 and V0 encodings of older logs (log format 1.01 and earlier,
//! `HISTi...`), which the crate does not read, are decoded here. Recorded values are added at the
//! lowest value of their bucket, as Java's `Histogram.add` does when it merges intervals.
//!
//! The log does not say what unit the recorder used. Values are taken as **nanoseconds**, what
//! jHiccup and most latency recorders record (the `Interval_Max` column is that maximum divided by
//! the writer's ratio, 1e6 by default, i.e. milliseconds); a log recorded in another unit must be
//! converted first. `StartTime` (else `BaseTime`, else an absolute first interval timestamp) becomes
//! the run's timestamp; the log format version and `Logged with` comment go into the environment.
//!
//! Detection: a `#[Histogram log format version` line, the `"StartTimestamp",` legend, or an
//! interval line whose fourth field is an encoded histogram (`HIST...`).

use std::collections::HashMap;
use std::io::Read;

use flate2::read::ZlibDecoder;

use super::common::text::{clean_lines, contains};
use super::common::time::rfc3339;
use super::spec::{Detect, ParseError, Spec};
use crate::model::{Benchmark, Data, Environment, Histogram, Metric, Run, RunMeta, Unit};

/// How `hlog` is named, detected and read.
pub const SPEC: Spec = Spec {
    name: "hlog",
    aliases: &[],
    reads: "HdrHistogram interval log (.hlog, V0-V2)",
    detected_by: "a `#[Histogram log format version` line or the `\"StartTimestamp\",` legend",
    detect: &[Detect::Lines(looks_like)],
    parse,
};

/// The benchmark name of untagged intervals.
const UNTAGGED: &str = "hlog";

/// Decompressed histograms larger than this are refused (a corrupt length, not a real histogram).
const MAX_DECODED_BYTES: u64 = 64 * 1024 * 1024;

const V0_COOKIE_BASE: u32 = 0x1c84_9308;
const V0_COMPRESSED_COOKIE_BASE: u32 = 0x1c84_9309;
const V1_COOKIE_BASE: u32 = 0x1c84_9301;
const V1_COMPRESSED_COOKIE_BASE: u32 = 0x1c84_9302;
const V2_COOKIE_BASE: u32 = 0x1c84_9303;
const V2_COMPRESSED_COOKIE_BASE: u32 = 0x1c84_9304;

/// Seconds in a year: interval timestamps smaller than `StartTime` by more than this are relative.
const YEAR_SECS: f64 = 365.25 * 24.0 * 3600.0;

/// True for a format-version comment, the quoted legend, or an interval line with a `HIST` payload.
pub fn looks_like(text: &str) -> bool {
    let markers = [
        "HIST",
        "#[Histogram log format version",
        "\"StartTimestamp\",",
    ];
    if !markers.iter().any(|m| contains(text, m)) {
        return false;
    }
    text.split('\n').any(|line| {
        let line = line.trim_end_matches('\r').trim();
        line.starts_with("#[Histogram log format version")
            || line.starts_with("\"StartTimestamp\",")
            || interval_shape(line)
    })
}

fn interval_shape(line: &str) -> bool {
    let body = strip_tag(line).map_or(line, |(_, rest)| rest);
    let fields: Vec<&str> = body.split(',').collect();
    match fields.as_slice() {
        [a, b, c, payload] => {
            [a, b, c].iter().all(|f| f.trim().parse::<f64>().is_ok())
                && payload.trim().starts_with("HIST")
        }
        _ => false,
    }
}

/// `Tag=A,0.127,...` -> (`A`, `0.127,...`).
fn strip_tag(line: &str) -> Option<(&str, &str)> {
    line.strip_prefix("Tag=")?.split_once(',')
}

/// Parses an interval log; see the module documentation.
pub fn parse(text: &str) -> Result<Run, ParseError> {
    let mut env = Environment::default();
    let mut start_time: Option<f64> = None;
    let mut base_time: Option<f64> = None;
    let mut first_interval: Option<f64> = None;
    let mut series: Vec<(String, Histogram)> = Vec::new();
    let mut series_index: HashMap<String, usize> = HashMap::new();
    let mut intervals = 0usize;
    for (no, line) in clean_lines(text) {
        let t = line.trim();
        if t.is_empty() || t.starts_with("\"StartTimestamp\"") {
            continue;
        }
        if let Some(comment) = t.strip_prefix('#') {
            read_comment(comment, &mut env, &mut start_time, &mut base_time);
            continue;
        }
        let (tag, body) = match strip_tag(t) {
            Some((tag, rest)) if !tag.trim().is_empty() => (tag.trim(), rest),
            Some(_) => {
                return Err(ParseError::at(
                    no,
                    "an interval line starts with an empty `Tag=`; expected `Tag=<name>,<start>,<length>,<max>,<histogram>`",
                ))
            }
            None => (UNTAGGED, t),
        };
        let fields: Vec<&str> = body.split(',').map(str::trim).collect();
        let [start, length, max, payload] = fields.as_slice() else {
            return Err(ParseError::at(
                no,
                format!(
                    "expected an interval line `[Tag=<tag>,]<start>,<length>,<max>,<base64 histogram>`, found {} fields",
                    fields.len()
                ),
            ));
        };
        let start = number(no, start, "interval start")?;
        number(no, length, "interval length")?;
        number(no, max, "interval max")?;
        first_interval.get_or_insert(start);
        let bytes = base64(payload)
            .ok_or_else(|| ParseError::at(no, "the interval histogram is not valid base64"))?;
        let recorded = decode(&bytes).map_err(|e| ParseError::at(no, e))?;
        // By a map, not a search of the series so far: 40,000 tags took seconds.
        let i = match series_index.get(tag) {
            Some(&i) => i,
            None => {
                series_index.insert(tag.to_string(), series.len());
                series.push((tag.to_string(), Histogram::new()));
                series.len() - 1
            }
        };
        if let Some((_, h)) = series.get_mut(i) {
            for (value, count) in recorded {
                h.record_n(value as f64, count)
                    .map_err(|e| ParseError::at(no, e))?;
            }
        }
        intervals += 1;
    }
    if intervals == 0 {
        return Err(ParseError::whole(
            "no interval histograms found: expected lines `<start>,<length>,<max>,<base64 histogram>` \
             (an HdrHistogram interval log, such as jHiccup's .hlog)",
        ));
    }
    let benchmarks: Vec<Benchmark> = series
        .into_iter()
        .filter(|(_, h)| !h.is_empty())
        .map(|(name, h)| {
            let mut b = Benchmark::new(name);
            b.push(Metric::new(
                "latency",
                Unit::Nanoseconds,
                Data::Histogram(h),
            ));
            b
        })
        .collect();
    if benchmarks.is_empty() {
        return Err(ParseError::whole(format!(
            "all {intervals} interval histograms of the log are empty: nothing was recorded"
        )));
    }
    let timestamp = start_time
        .or(base_time)
        .or(first_interval.filter(|s| *s > YEAR_SECS))
        .and_then(rfc3339);
    let meta = RunMeta {
        tool: Some("hlog".to_string()),
        timestamp,
        environment: env,
        ..RunMeta::default()
    };
    Ok(Run::new(meta, benchmarks))
}

fn read_comment(
    comment: &str,
    env: &mut Environment,
    start_time: &mut Option<f64>,
    base_time: &mut Option<f64>,
) {
    let Some(inner) = comment.strip_prefix('[') else {
        return;
    };
    let inner = inner.trim_end_matches(']');
    let seconds = |rest: &str| -> Option<f64> {
        rest.split_whitespace()
            .next()?
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
    };
    if let Some(rest) = inner.strip_prefix("StartTime:") {
        if start_time.is_none() {
            *start_time = seconds(rest);
        }
    } else if let Some(rest) = inner.strip_prefix("BaseTime:") {
        if base_time.is_none() {
            *base_time = seconds(rest);
        }
    } else if let Some(rest) = inner.strip_prefix("Histogram log format version") {
        env.extra
            .entry("hlog_format_version".to_string())
            .or_insert_with(|| rest.trim().to_string());
    } else if let Some(rest) = inner.strip_prefix("Logged with") {
        env.extra
            .entry("logged_with".to_string())
            .or_insert_with(|| rest.trim().to_string());
    }
}

fn number(no: usize, s: &str, what: &str) -> Result<f64, ParseError> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(ParseError::at(
            no,
            format!("expected a number for the {what}, found `{s}`"),
        )),
    }
}

/// Standard base64, with or without padding, as HdrHistogram's writers emit it.
fn base64(s: &str) -> Option<Vec<u8>> {
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    use base64::Engine as _;
    const LENIENT: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new()
            .with_decode_padding_mode(DecodePaddingMode::Indifferent)
            .with_decode_allow_trailing_bits(true),
    );
    LENIENT.decode(s).ok()
}

fn cookie_at(bytes: &[u8], at: usize) -> Option<u32> {
    let b: [u8; 4] = bytes.get(at..at + 4)?.try_into().ok()?;
    Some(u32::from_be_bytes(b))
}

fn u64_at(bytes: &[u8], at: usize) -> Option<u64> {
    let b: [u8; 8] = bytes.get(at..at + 8)?.try_into().ok()?;
    Some(u64::from_be_bytes(b))
}

/// Decodes one encoded histogram into `(value, count)` pairs, each value the lowest of its bucket.
fn decode(bytes: &[u8]) -> Result<Vec<(u64, u64)>, String> {
    let cookie = cookie_at(bytes, 0).ok_or("the encoded histogram is shorter than its header")?;
    match cookie & !0xf0 {
        base @ (V2_COOKIE_BASE | V2_COMPRESSED_COOKIE_BASE) => {
            // The stated length must be there: hdrhistogram inflates a cut payload into part of
            // the histogram without a word (a line cut short, its base64 payload with it).
            let length = cookie_at(bytes, 4).ok_or("the encoded histogram has no length")?;
            let header = if base == V2_COOKIE_BASE { 40 } else { 8 };
            if (bytes.len() as u64) < header + u64::from(length) {
                return Err(format!(
                    "the encoded histogram is shorter ({} bytes) than its stated length ({} bytes): \
                     the line looks cut",
                    bytes.len(),
                    header + u64::from(length)
                ));
            }
            let h: hdrhistogram::Histogram<u64> = hdrhistogram::serialization::Deserializer::new()
                .deserialize(&mut &bytes[..])
                .map_err(|e| format!("cannot decode the V2 histogram: {e}"))?;
            Ok(h.iter_recorded()
                .map(|v| (h.lowest_equivalent(v.value_iterated_to()), v.count_at_value()))
                .collect())
        }
        V0_COMPRESSED_COOKIE_BASE | V1_COMPRESSED_COOKIE_BASE => {
            let length = cookie_at(bytes, 4).ok_or("the compressed histogram has no length")?;
            let data = bytes
                .get(8..)
                .and_then(|rest| rest.get(..length as usize))
                .ok_or("the compressed histogram is shorter than its stated length")?;
            let mut inner = Vec::new();
            ZlibDecoder::new(data)
                .take(MAX_DECODED_BYTES + 1)
                .read_to_end(&mut inner)
                .map_err(|e| format!("cannot inflate the compressed histogram: {e}"))?;
            if inner.len() as u64 > MAX_DECODED_BYTES {
                return Err("the compressed histogram inflates to more than 64 MiB".into());
            }
            decode_v0_v1(&inner)
        }
        V0_COOKIE_BASE | V1_COOKIE_BASE => decode_v0_v1(bytes),
        _ => Err(format!(
            "unknown histogram encoding (cookie {cookie:#010x}): expected an HdrHistogram V0, V1 or V2 encoding"
        )),
    }
}

/// The uncompressed V0/V1 encodings: a header, then the counts array as big-endian words of 2, 4
/// or 8 bytes (the size is in the cookie), in the standard bucket layout.
fn decode_v0_v1(buf: &[u8]) -> Result<Vec<(u64, u64)>, String> {
    let short = || "the encoded histogram is shorter than its header".to_string();
    let cookie = cookie_at(buf, 0).ok_or_else(short)?;
    let word = (((cookie & 0xf0) >> 4) & 0xe) as usize;
    if !matches!(word, 2 | 4 | 8) {
        return Err(format!(
            "unsupported word size {word} in cookie {cookie:#010x}"
        ));
    }
    let (digits, lowest, payload_at, payload_len) = match cookie & !0xf0 {
        V1_COOKIE_BASE => {
            // cookie, payload length, normalizing index offset, digits, lowest, highest, ratio.
            let len = cookie_at(buf, 4).ok_or_else(short)? as usize;
            let digits = cookie_at(buf, 12).ok_or_else(short)?;
            let lowest = u64_at(buf, 16).ok_or_else(short)?;
            (digits, lowest, 40, Some(len))
        }
        V0_COOKIE_BASE => {
            // cookie, digits, lowest, highest, total count.
            let digits = cookie_at(buf, 4).ok_or_else(short)?;
            let lowest = u64_at(buf, 8).ok_or_else(short)?;
            (digits, lowest, 32, None)
        }
        _ => {
            return Err(format!(
                "unexpected inner cookie {cookie:#010x}: expected a V0 or V1 histogram"
            ))
        }
    };
    if digits > 5 || lowest == 0 || lowest > i64::MAX as u64 {
        return Err(format!(
            "invalid histogram parameters: {digits} significant digits, lowest discernible value {lowest}"
        ));
    }
    let payload = buf.get(payload_at..).ok_or_else(short)?;
    let payload = match payload_len {
        Some(len) => payload
            .get(..len)
            .ok_or("the histogram payload is shorter than its stated length")?,
        None => payload,
    };
    let layout = Layout::new(digits, lowest);
    let mut out = Vec::new();
    for (index, chunk) in payload.chunks_exact(word).enumerate() {
        let count: i64 = match *chunk {
            [a, b] => i16::from_be_bytes([a, b]).into(),
            [a, b, c, d] => i32::from_be_bytes([a, b, c, d]).into(),
            [a, b, c, d, e, f, g, h] => i64::from_be_bytes([a, b, c, d, e, f, g, h]),
            _ => 0,
        };
        if count == 0 {
            continue;
        }
        let count =
            u64::try_from(count).map_err(|_| format!("negative count {count} at index {index}"))?;
        let value = layout
            .value_at(index)
            .ok_or_else(|| format!("count at index {index} lies beyond the largest value"))?;
        out.push((value, count));
    }
    Ok(out)
}

/// HdrHistogram's bucket layout: index -> lowest value of that bucket.
struct Layout {
    sub_bucket_half_count_magnitude: u32,
    unit_magnitude: u32,
}

impl Layout {
    fn new(digits: u32, lowest: u64) -> Layout {
        let largest_single_unit = 2 * 10u64.pow(digits);
        let sub_bucket_count_magnitude = (64 - (largest_single_unit - 1).leading_zeros()).max(1);
        Layout {
            sub_bucket_half_count_magnitude: sub_bucket_count_magnitude - 1,
            unit_magnitude: 63 - lowest.leading_zeros(),
        }
    }

    fn value_at(&self, index: usize) -> Option<u64> {
        let half_mag = self.sub_bucket_half_count_magnitude;
        let half_count = 1u64 << half_mag;
        let index = index as u64;
        let bucket = (index >> half_mag) as i64 - 1;
        let mut sub_bucket = (index & (half_count - 1)) + half_count;
        let bucket = if bucket < 0 {
            sub_bucket -= half_count;
            0
        } else {
            bucket as u32
        };
        let shift = bucket + self.unit_magnitude;
        let value = u128::from(sub_bucket).checked_shl(shift)?;
        u64::try_from(value).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::test_support::latency;

    const V2: &str = include_str!("../../tests/fixtures/hlog/jHiccup-2.0.7S.logV2.hlog");
    const V0: &str = include_str!("../../tests/fixtures/hlog/jHiccup-2.0.1.logV0.hlog");
    const TAGGED: &str = include_str!("../../tests/fixtures/hlog/tagged-Log.logV2.hlog");

    fn err(text: &str) -> ParseError {
        parse(text).unwrap_err()
    }

    #[test]
    fn decodes_the_v0_log_as_the_java_reader_does() {
        // HdrHistogram's HistogramLogReaderWriterTest.jHiccupV0Log reads this file and expects
        // 61256 values, p99.9 = 1510998015 and max = 1569718271 after adding every interval into
        // a Histogram(3).
        let run = parse(V0).unwrap();
        assert_eq!(run.benchmarks.len(), 1);
        let h = latency(&run, "hlog");
        assert_eq!(h.len(), 61256);
        assert_eq!(h.quantile(0.999), 1_510_998_015.0);
        assert_eq!(h.max(), 1_569_718_271.0);
        assert_eq!(
            run.meta.timestamp.as_deref(),
            Some("2015-08-06T14:06:01.225Z")
        );
        assert_eq!(run.meta.tool.as_deref(), Some("hlog"));
        let extra = &run.meta.environment.extra;
        assert_eq!(
            extra.get("hlog_format_version").map(String::as_str),
            Some("1.01")
        );
        assert_eq!(
            extra.get("logged_with").map(String::as_str),
            Some("jHiccup version 2.0.1")
        );
    }

    #[test]
    fn decodes_the_v2_log_with_the_hdrhistogram_crate() {
        let run = parse(V2).unwrap();
        let h = latency(&run, "hlog");
        // 62 intervals of 2-digit histograms with a lowest discernible value of 20 µs (checked
        // against an independent decoder). The largest Interval_Max is 1803.551 ms, the top of the
        // source bucket whose lowest value, 1795162112 ns, is what gets added.
        assert_eq!(h.len(), 48_761);
        assert_eq!(h.min(), 0.0);
        assert_eq!(h.max(), 1_796_210_687.0);
        assert_eq!(h.quantile(0.5), 327_935.0);
        assert_eq!(
            run.meta.timestamp.as_deref(),
            Some("2015-09-09T15:24:39.474Z")
        );
        assert_eq!(
            run.meta
                .environment
                .extra
                .get("hlog_format_version")
                .map(String::as_str),
            Some("1.2")
        );
        insta::assert_json_snapshot!("hlog_jhiccup_v2", run);
    }

    #[test]
    fn splits_tagged_intervals_into_their_own_benchmark() {
        let run = parse(TAGGED).unwrap();
        let names: Vec<&str> = run.benchmarks.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(names, ["hlog", "A"]);
        // The file duplicates every untagged interval under Tag=A.
        let untagged = latency(&run, "hlog");
        let tagged = latency(&run, "A");
        assert_eq!(untagged, tagged);
        assert_eq!(untagged.len(), 16_145);
    }

    #[test]
    fn decodes_hand_encoded_v0_and_v1_payloads() {
        // V1, uncompressed, 8-byte words, 3 digits, lowest 1: index 5 holds 2 values of 5 and
        // index 2048 (first index of bucket 1) holds 3 values of 2048.
        let mut v1 = Vec::new();
        v1.extend_from_slice(&0x1c84_9381u32.to_be_bytes());
        let counts_len = 2049 * 8;
        v1.extend_from_slice(&(counts_len as u32).to_be_bytes());
        v1.extend_from_slice(&0u32.to_be_bytes());
        v1.extend_from_slice(&3u32.to_be_bytes());
        v1.extend_from_slice(&1u64.to_be_bytes());
        v1.extend_from_slice(&3_600_000_000u64.to_be_bytes());
        v1.extend_from_slice(&1.0f64.to_be_bytes());
        let mut counts = vec![0u64; 2049];
        counts[5] = 2;
        counts[2048] = 3;
        for c in &counts {
            v1.extend_from_slice(&c.to_be_bytes());
        }
        assert_eq!(decode(&v1).unwrap(), [(5, 2), (2048, 3)]);
        // V0, 4-byte words, 2 digits, lowest 1000 (unit magnitude 9): bucket 0 spans indexes
        // 0..256 (sub-bucket count 256), so index 130 is 130 << 9; index 256 is the first of
        // bucket 1, sub-bucket 128, so 128 << (1 + 9).
        let mut v0 = Vec::new();
        v0.extend_from_slice(&0x1c84_9348u32.to_be_bytes());
        v0.extend_from_slice(&2u32.to_be_bytes());
        v0.extend_from_slice(&1000u64.to_be_bytes());
        v0.extend_from_slice(&3_600_000_000u64.to_be_bytes());
        v0.extend_from_slice(&7u64.to_be_bytes());
        for i in 0..257u32 {
            let c: u32 = match i {
                3 => 4,
                130 => 3,
                256 => 1,
                _ => 0,
            };
            v0.extend_from_slice(&c.to_be_bytes());
        }
        assert_eq!(
            decode(&v0).unwrap(),
            [(3 << 9, 4), (130 << 9, 3), (128 << 10, 1)]
        );
    }

    #[test]
    fn reads_base64_with_and_without_padding() {
        assert_eq!(base64("SElTVA==").unwrap(), b"HIST");
        assert_eq!(base64("SElTVA").unwrap(), b"HIST");
        assert_eq!(base64("SElT").unwrap(), b"HIS");
        assert!(base64("SE!T").is_none());
        assert!(base64("S").is_none());
        assert!(base64("SE===").is_none());
    }

    #[test]
    fn fails_when_there_are_no_intervals() {
        for text in [
            "",
            "#[Histogram log format version 1.2]\n\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\"\n",
        ] {
            let e = err(text);
            assert_eq!(e.line, None);
            assert!(e.message.contains("no interval histograms found"), "{e}");
        }
    }

    #[test]
    fn fails_on_malformed_interval_lines_naming_the_line() {
        let head = "#[Histogram log format version 1.2]\n";
        let e = err(&format!("{head}0.1,1.0,HISTFAAAAEV4\n"));
        assert_eq!(e.line, Some(2));
        assert!(e.message.contains("found 3 fields"), "{e}");
        let e = err(&format!("{head}soon,1.0,2.0,HISTFAAAAEV4\n"));
        assert!(e.message.contains("interval start, found `soon`"), "{e}");
        let e = err(&format!("{head}0.1,1.0,2.0,HIST*\n"));
        assert!(e.message.contains("not valid base64"), "{e}");
        let e = err(&format!("{head}0.1,1.0,2.0,AAAAAAAA\n"));
        assert!(e.message.contains("unknown histogram encoding"), "{e}");
        let e = err(&format!("{head}Tag=,0.1,1.0,2.0,HISTFAAAAEV4\n"));
        assert!(e.message.contains("empty `Tag=`"), "{e}");
        // A line cut in the middle of its base64 payload.
        let line = V2.lines().nth(4).unwrap();
        let cut = line.get(..line.len() - 20).unwrap();
        let e = err(&format!("{head}{cut}\n"));
        assert_eq!(e.line, Some(2));
        assert!(e.message.contains("shorter"), "{e}");
    }

    /// hdrhistogram inflated a payload cut a few characters short into part of its histogram:
    /// the file read as a log of fewer observations.
    #[test]
    fn a_payload_cut_anywhere_is_refused() {
        let head = "#[Histogram log format version 1.2]\n";
        let line = V2.lines().nth(4).unwrap();
        let payload_at = line.rfind(',').unwrap() + 1;
        // Up to its padding (`=`), which only fills the last group of four characters.
        for end in payload_at + 1..line.trim_end_matches('=').len() {
            let cut = line.get(..end).unwrap();
            for text in [format!("{head}{cut}"), format!("{head}{cut}\n")] {
                let e = err(&text);
                assert_eq!(e.line, Some(2), "{cut}: {e}");
                assert!(
                    ["shorter", "no length", "not valid base64"]
                        .iter()
                        .any(|why| e.message.contains(why)),
                    "{cut}: {e}"
                );
            }
        }
        assert!(parse(&format!("{head}{line}")).is_ok());
    }

    #[test]
    fn detects_logs_but_not_other_formats() {
        assert!(looks_like(V2));
        assert!(looks_like(V0));
        assert!(looks_like(TAGGED));
        assert!(looks_like("0.127,1.007,2.769,HISTFAAAAEV42pNpmSzMwMCgyAABTBDKT4GBgdnNYMcCBvsPEBEJISEuATEZMQ4uASkhIR4nrxg9v2lMaxhvMekILGZkKmcCAEf2CsI=\n"));
        assert!(!looks_like(include_str!(
            "../../tests/fixtures/hgrm/12Krps.hgrm"
        )));
        assert!(!looks_like(include_str!(
            "../../tests/fixtures/wrk/wrk-get-latency.txt"
        )));
        assert!(!looks_like("BenchmarkX-8 100 5 ns/op\n"));
        assert!(!looks_like("a,b,c,d\n1,2,3,4\n"));
    }
}
