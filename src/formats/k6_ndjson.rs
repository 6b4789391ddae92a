//! k6 raw output, `k6 run --out json=FILE` (optionally gzipped): one JSON object per line, either
//! a `Metric` declaration (type, `contains`, submetrics) or a `Point` (one sample: time, value,
//! tags).
//! The file grows by about 1 KB per request, so it is streamed, never held: every Point is folded
//! into a per-series accumulator as it is read, and memory depends on the number of series, not on
//! the file size.
//!
//! # Series
//! For each metric, in k6's summary naming (so a run read from here and a k6 end-of-test summary of
//! the same test share benchmark names where they overlap, see [`super::k6`]):
//! - `http_req_duration`: every Point of the metric;
//! - the submetrics the Metric line declares (k6 declares them for thresholds, and always declares
//!   `http_req_duration{expected_response:true}`), matched on all of a Point's tags;
//! - one series per *tag set*: the Point's values of the identity tags [`IDENTITY_TAGS`] (plus
//!   `check` for `checks`), keys sorted, empty values left out:
//!   `http_req_duration{expected_response:true,group:::Login,method:GET,name:https://x/login,scenario:default,status:200}`.
//!   Tags such as `url`, `proto` and `tls_version` do not split series. At most
//!   [`MAX_TAG_SETS_PER_METRIC`] tag sets per metric and [`MAX_TAG_SET_HISTOGRAMS`] tag-set
//!   histograms in all are kept; further Points still count in the metric and its submetrics, and
//!   `meta.environment.extra["folded_points"]` says how many were folded.
//!
//! # Metrics of a series (names, units and directions as [`super::k6`] sets them)
//! - trends: `latency` (an HdrHistogram, 3 significant digits, milliseconds converted to rounded
//!   nanoseconds) for `contains: time`, else `value` (rounded to integers: HdrHistogram holds
//!   non-negative integers, so a negative trend value is an error), and `count`. The comparison
//!   expands histograms into avg and percentiles itself.
//! - counters: `count` (the sum of the increments; bytes for `data_*`) and `rate` (count per
//!   second of the test, the test lasting from the first to the last Point time in the file).
//! - rates: `rate` (fraction of non-zero samples, a ratio), `passes` (non-zero samples), `fails`.
//!   So the HTTP error rate is `http_req_failed` -> `rate`, and requests per second are
//!   `http_reqs` -> `rate`.
//! - gauges: `value` (the last sample in file order), `min`, `max`.
//!
//! # Reading a file
//! [`parse_read`] takes any `Read` (an opened file), sniffs gzip from the first two bytes and
//! streams through a [`READ_BUFFER_BYTES`] buffer; [`parse_reader`] takes an already buffered,
//! already decompressed reader; [`parse`] reads text in memory. Parsers never open files.
//!
//! # Memory
//! Constant in the file size: one accumulator per series (a histogram of up to ~220 KB for
//! trends, a few numbers otherwise), bounded by [`MAX_TAG_SETS_PER_METRIC`] and
//! [`MAX_TAG_SET_HISTOGRAMS`]; at most 20,000 distinct tag sets and 10,000 distinct tags objects
//! remembered (~10 MB); one read buffer; one reused line buffer of at most [`MAX_LINE_BYTES`].
//!
//! # Speed
//! Points are read in place in the reader's buffer by a small scanner for the compact JSON k6
//! writes, key order included (UTF-8 is checked for the strings it keeps). The tags object, which
//! k6 repeats for the ~10 Points of one request, is compared byte for byte with the last few, then
//! looked up by its bytes, and parsed only the first time it is seen. Trend values are recorded
//! into their histograms in sorted batches, and a trend's whole-metric histogram is the sum of its
//! tag-set histograms, added once at the end. Any line the scanner does not fully understand
//! (other key orders and whitespace go to a general scanner; string escapes, Metric lines and
//! errors to serde_json) is read the same way by the slower path, which also words the errors.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};
use std::io::{BufRead, BufReader, Read};

use serde::Deserialize;

use super::k6::{contained_unit, counts_bad_events, Contains};
use super::spec::{Detect, ParseError, Spec};
use crate::model::{Benchmark, Data, Direction, Histogram, Metric, Run, RunMeta, Unit};

/// How `k6-ndjson` is named, detected and read.
pub const SPEC: Spec = Spec {
    name: "k6-ndjson",
    aliases: &["k6-json"],
    reads: "k6 run --out json=FILE (NDJSON, optionally gzipped), streamed into latency histograms",
    detected_by:
        "first line is a JSON object with `\"type\":\"Metric\"` or `\"Point\"` and a `metric` key",
    detect: &[Detect::Head(looks_like)],
    parse,
};

/// Tags that tell series apart, in the (sorted) order they appear in series names. `checks` Points
/// also keep `check`.
pub const IDENTITY_TAGS: [&str; 6] = [
    "expected_response",
    "group",
    "method",
    "name",
    "scenario",
    "status",
];

/// Tag sets kept per metric; Points of further tag sets count only in the whole metric.
pub const MAX_TAG_SETS_PER_METRIC: usize = 1000;

/// Tag-set histograms kept over all trend metrics. One histogram takes up to ~170 KB for latencies
/// up to a second and ~220 KB up to a minute (it grows with the largest value recorded), so this
/// bounds memory to ~200 MB in the worst case; a test with tens of endpoints uses tens of MB.
pub const MAX_TAG_SET_HISTOGRAMS: usize = 1000;

/// Distinct tag sets remembered over all metrics (beyond the per-metric limit, so that a test that
/// tags every request with a unique `name` cannot grow memory without bound).
const MAX_INTERNED_TAG_SETS: usize = 20_000;

/// A line longer than this is not k6 output; refusing it keeps memory bounded.
pub const MAX_LINE_BYTES: usize = 16 << 20;

/// The buffer [`parse_read`] reads through; also the size the CLI should give its `BufReader`.
pub const READ_BUFFER_BYTES: usize = 256 << 10;

/// Largest value a histogram records, in its unit (~146 years in nanoseconds); larger ones are
/// clamped to it and counted in `meta.environment.extra["clamped_values"]`.
const MAX_RECORDABLE: f64 = (1u64 << 62) as f64;

const BOM: &[u8] = b"\xef\xbb\xbf";

/// True when `bytes` (the first bytes of a file) start with the gzip magic number `1f 8b`.
pub fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0x1f, 0x8b])
}

/// True when the first non-blank line of `text` is k6 `--out json` output (see [`looks_like_line`]).
pub fn looks_like(text: &str) -> bool {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .is_some_and(looks_like_line)
}

/// True when `first_line` is one k6 `--out json` line: a JSON object whose `type` is `"Metric"` or
/// `"Point"` and that has a `metric` key. Detection should try this on the first non-blank line only
/// (the whole file is not one JSON document).
pub fn looks_like_line(first_line: &str) -> bool {
    let line = first_line.trim_start_matches('\u{feff}').trim();
    if !line.starts_with('{') {
        return false;
    }
    match serde_json::from_str::<serde_json::Value>(line) {
        Ok(serde_json::Value::Object(o)) => {
            matches!(
                o.get("type").and_then(serde_json::Value::as_str),
                Some("Metric" | "Point")
            ) && o.get("metric").is_some_and(serde_json::Value::is_string)
        }
        _ => false,
    }
}

/// True when `head`, the first bytes of a file (64 KiB is plenty), is k6 `--out json` output,
/// plain or gzipped: its first non-blank line passes [`looks_like_line`]. Lets the CLI pick this
/// streaming parser without reading the whole file.
pub fn sniff(head: &[u8]) -> bool {
    if is_gzip(head) {
        // A prefix of a gzip stream decodes as far as it goes, then fails: keep what it gave.
        let mut text = Vec::new();
        let _ = flate2::read::MultiGzDecoder::new(head)
            .take(SNIFF_BYTES)
            .read_to_end(&mut text);
        return first_line_looks_like(&text);
    }
    first_line_looks_like(head)
}

/// What [`sniff`] decompresses at most.
const SNIFF_BYTES: u64 = 64 << 10;

fn first_line_looks_like(bytes: &[u8]) -> bool {
    let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
    valid_utf8_prefix(bytes)
        .lines()
        .find(|l| !l.trim().is_empty())
        .is_some_and(looks_like_line)
}

/// Parses k6 NDJSON held in memory (tests, small files); see [`parse_reader`] for files.
pub fn parse(text: &str) -> Result<Run, ParseError> {
    parse_reader(text.as_bytes())
}

/// Reads k6 NDJSON from `reader`, plain or gzipped (sniffed from the first two bytes; several
/// concatenated gzip members are read as one stream), through a [`READ_BUFFER_BYTES`] buffer.
/// This is what the CLI should call with an opened file.
pub fn parse_read<R: Read>(mut reader: R) -> Result<Run, ParseError> {
    // A pipe may deliver the two bytes that decide one at a time.
    let mut magic = [0u8; 2];
    let mut got = 0;
    while let Some(rest) = magic.get_mut(got..).filter(|r| !r.is_empty()) {
        match reader.read(rest) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(read_error(1, &e)),
        }
    }
    let head = magic.get(..got).unwrap_or_default();
    let stream = head.chain(reader);
    if is_gzip(head) {
        let decoder = flate2::read::MultiGzDecoder::new(stream);
        parse_reader(BufReader::with_capacity(READ_BUFFER_BYTES, decoder))
    } else {
        parse_reader(BufReader::with_capacity(READ_BUFFER_BYTES, stream))
    }
}

/// Streams k6 NDJSON (not gzipped: see [`parse_read`]) line by line, parsing each line in place in
/// the reader's buffer; only a line that straddles two buffer fills is copied, into one reused
/// buffer. A buffer of [`READ_BUFFER_BYTES`] is recommended (8 KiB works, a little slower).
///
/// Errors name the line: a line that is not JSON (a truncated last line included), a Point without
/// a numeric value or a valid time, a negative trend value, a Point of an undeclared custom
/// metric. Blank lines are skipped. A file without Points is an error.
pub fn parse_reader<R: BufRead>(mut reader: R) -> Result<Run, ParseError> {
    let mut parser = Parser::default();
    let mut carry: Vec<u8> = Vec::new();
    let mut line = 0usize;
    let mut at_start = true;
    loop {
        let buf = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(read_error(line + 1, &e)),
        };
        if buf.is_empty() {
            break;
        }
        let mut pos = 0;
        if at_start {
            at_start = false;
            if buf.starts_with(BOM) {
                pos = BOM.len();
            }
        }
        let mut partial = false;
        while let Some(rest) = buf.get(pos..).filter(|r| !r.is_empty()) {
            line += 1;
            match parser.line(rest, false, line)? {
                Some(used) => pos += used,
                None => {
                    line -= 1;
                    partial = true;
                    break;
                }
            }
        }
        let len = buf.len();
        if partial {
            carry.extend_from_slice(buf.get(pos..).unwrap_or_default());
            reader.consume(len);
            line += 1;
            read_rest_of_line(&mut reader, &mut carry, line)?;
            parser.carried_line(&carry, line)?;
            carry.clear();
        } else {
            reader.consume(pos.min(len));
        }
    }
    parser.finish()
}

fn valid_utf8_prefix(bytes: &[u8]) -> &str {
    match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => bytes
            .get(..e.valid_up_to())
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or(""),
    }
}

fn read_error(line: usize, e: &std::io::Error) -> ParseError {
    ParseError::at(line, format!("cannot read the k6 output: {e}"))
}

/// Appends to `carry` up to and including the next newline, or up to the end of the input.
fn read_rest_of_line<R: BufRead>(
    reader: &mut R,
    carry: &mut Vec<u8>,
    line: usize,
) -> Result<(), ParseError> {
    loop {
        let buf = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(read_error(line, &e)),
        };
        if buf.is_empty() {
            return Ok(());
        }
        let (take, found) = match find_byte(buf, b'\n') {
            Some(nl) => (nl + 1, true),
            None => (buf.len(), false),
        };
        if carry.len() + take > MAX_LINE_BYTES {
            return Err(ParseError::at(
                line,
                format!(
                    "the line is longer than {} MiB: this is not k6 `--out json` output",
                    MAX_LINE_BYTES >> 20
                ),
            ));
        }
        carry.extend_from_slice(buf.get(..take).unwrap_or_default());
        reader.consume(take);
        if found {
            return Ok(());
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Driving one line through the fast scanner or serde_json.

/// Tags objects compared byte for byte before looking one up: the ~10 Points of one request share
/// one, and a few others (the request's check, the iteration's) come back often.
const RECENT_TAGS: usize = 4;

/// Distinct tags objects remembered; beyond that new ones are parsed every time they occur (a
/// test that puts a unique tag on every request). About 1 KB each.
const MAX_TAG_OBJECTS: usize = 10_000;

/// Tags objects by their exact JSON.
type KnownTags = HashMap<Box<[u8]>, u32, FxBuild>;

/// Every distinct tags object the scanner has read, each parsed and identified once.
#[derive(Default)]
struct TagTable {
    entries: Vec<TagEntry>,
    index: KnownTags,
    /// The last new tags object read once `entries` is full.
    overflow: TagEntry,
}

/// The [`TagTable`] key of `overflow`.
const OVERFLOW: u32 = u32::MAX;

impl TagTable {
    fn get(&self, k: u32) -> Option<&TagEntry> {
        if k == OVERFLOW {
            Some(&self.overflow)
        } else {
            usize::try_from(k).ok().and_then(|i| self.entries.get(i))
        }
    }

    fn add(&mut self, raw: &str, spans: &[Span], state: &mut State) -> u32 {
        match u32::try_from(self.entries.len()) {
            Ok(k) if self.entries.len() < MAX_TAG_OBJECTS => {
                let mut entry = TagEntry::default();
                entry.fill_raw(raw, spans, state);
                self.entries.push(entry);
                self.index.insert(raw.as_bytes().into(), k);
                k
            }
            _ => {
                self.overflow.fill_raw(raw, spans, state);
                OVERFLOW
            }
        }
    }
}

#[derive(Default)]
struct Parser {
    state: State,
    tags: TagTable,
    /// The tags objects used last, compared first.
    recent: [Option<u32>; RECENT_TAGS],
    /// When each of `recent` was last used, to replace the least recently used.
    used: [u64; RECENT_TAGS],
    /// The most recently used of `recent`.
    current: usize,
    clock: u64,
    /// `tags: null`.
    no_tags: TagEntry,
    /// Where the scanner found each tag of a tags object it parsed.
    spans: Vec<Span>,
}

impl Parser {
    /// Reads the line at the start of `bytes`; returns the bytes it used (newline included), or
    /// `None` when `bytes` ends before the line does.
    fn line(
        &mut self,
        bytes: &[u8],
        at_eof: bool,
        line: usize,
    ) -> Result<Option<usize>, ParseError> {
        let recent: [&[u8]; RECENT_TAGS] = std::array::from_fn(|j| {
            self.recent
                .get((self.current + j) % RECENT_TAGS)
                .copied()
                .flatten()
                .and_then(|k| self.tags.get(k))
                .map_or(&[][..], |e| e.text.as_bytes())
        });
        let scanned = fast::line(bytes, at_eof, &recent, &self.tags.index, &mut self.spans);
        match scanned {
            fast::Line::Point {
                metric,
                time,
                value,
                tags,
                end,
            } => {
                self.clock += 1;
                let key = match tags {
                    fast::Tags::Null => None,
                    fast::Tags::Recent(j) => {
                        let slot = (self.current + j) % RECENT_TAGS;
                        self.touch(slot);
                        self.recent.get(slot).copied().flatten()
                    }
                    fast::Tags::Known(k) => {
                        self.remember(k);
                        Some(k)
                    }
                    fast::Tags::New(raw) => {
                        let k = self.tags.add(raw, &self.spans, &mut self.state);
                        self.remember(k);
                        Some(k)
                    }
                };
                let entry = key.and_then(|k| self.tags.get(k)).unwrap_or(&self.no_tags);
                self.state.point(metric, time, value, entry, line)?;
                Ok(Some(end))
            }
            fast::Line::Blank { end } => Ok(Some(end)),
            fast::Line::Incomplete | fast::Line::Slow => match find_byte(bytes, b'\n') {
                Some(nl) => {
                    self.slow_line(bytes.get(..nl).unwrap_or_default(), line, false)?;
                    Ok(Some(nl + 1))
                }
                None if at_eof => {
                    self.slow_line(bytes, line, true)?;
                    Ok(Some(bytes.len()))
                }
                None => Ok(None),
            },
        }
    }

    fn touch(&mut self, slot: usize) {
        self.current = slot;
        if let Some(t) = self.used.get_mut(slot) {
            *t = self.clock;
        }
    }

    /// Puts tags object `k` among the recent ones, in place of the least recently used.
    fn remember(&mut self, k: u32) {
        let lru = (0..RECENT_TAGS)
            .min_by_key(|&j| self.used.get(j).copied().unwrap_or(0))
            .unwrap_or(0);
        if let Some(r) = self.recent.get_mut(lru) {
            *r = Some(k);
        }
        self.touch(lru);
    }

    /// A line that straddled buffer fills, with its newline unless the input ended first.
    fn carried_line(&mut self, bytes: &[u8], line: usize) -> Result<(), ParseError> {
        let bytes = if line == 1 {
            bytes.strip_prefix(BOM).unwrap_or(bytes)
        } else {
            bytes
        };
        self.line(bytes, true, line).map(|_| ())
    }

    /// Reads one line (without its newline) with serde_json: Metric lines, and Points the scanner
    /// left (escapes, whitespace); reports what is wrong with anything else.
    fn slow_line(
        &mut self,
        bytes: &[u8],
        line: usize,
        unterminated: bool,
    ) -> Result<(), ParseError> {
        let start = bytes.iter().position(|b| !b.is_ascii_whitespace());
        let Some(start) = start else {
            return Ok(());
        };
        if bytes.get(start) != Some(&b'{') {
            let shown: String = String::from_utf8_lossy(bytes.get(start..).unwrap_or_default())
                .chars()
                .take(40)
                .collect();
            return Err(ParseError::at(
                line,
                format!(
                    "expected one JSON object per line, as `k6 run --out json=FILE` writes; found `{shown}`"
                ),
            ));
        }
        let parsed: SlowLine = serde_json::from_slice(bytes).map_err(|e| {
            let mut err = ParseError::json(&e);
            err.line = Some(line);
            err.message = format!(
                "{}: expected one JSON object per line, as `k6 run --out json=FILE` writes{}",
                err.message,
                if unterminated {
                    " (this last line has no newline: the file looks truncated)"
                } else {
                    ""
                }
            );
            err
        })?;
        match parsed.kind.as_deref() {
            Some("Point") => {
                let Some(metric) = parsed.metric else {
                    return Err(ParseError::at(line, "a Point without a `metric` name"));
                };
                let Some(data) = parsed.data else {
                    return Err(ParseError::at(
                        line,
                        format!("the Point of `{metric}` has no `data` object"),
                    ));
                };
                let Some(time) = data.time else {
                    return Err(ParseError::at(
                        line,
                        format!("the Point of `{metric}` has no `data.time`"),
                    ));
                };
                let value = match &data.value {
                    Some(serde_json::Value::Number(n)) => n.as_f64(),
                    _ => None,
                };
                let Some(value) = value.filter(|v| v.is_finite()) else {
                    return Err(ParseError::at(
                        line,
                        format!(
                            "the Point of `{metric}` has no numeric `data.value` (found {})",
                            data.value.as_ref().map_or("nothing", json_kind)
                        ),
                    ));
                };
                let mut tags = TagEntry::default();
                let pairs = data.tags.iter().flatten().filter_map(|(k, v)| match v {
                    serde_json::Value::Null => None,
                    serde_json::Value::String(s) => Some((k.as_str(), Cow::Borrowed(s.as_str()))),
                    other => Some((k.as_str(), Cow::Owned(other.to_string()))),
                });
                let pairs: Vec<(&str, Cow<'_, str>)> = pairs.collect();
                tags.fill_pairs(
                    pairs.iter().map(|(k, v)| (*k, v.as_ref())),
                    &mut self.state,
                );
                self.state
                    .point(metric.as_bytes(), time.as_bytes(), value, &tags, line)
            }
            Some("Metric") => {
                let data = parsed.data.unwrap_or_default();
                let name = match (parsed.metric, data.name.as_deref()) {
                    (Some(m), _) => m.into_owned(),
                    (None, Some(n)) => n.to_string(),
                    (None, None) => {
                        return Err(ParseError::at(line, "a Metric line without a `metric` name"))
                    }
                };
                self.state.declare(&name, &data, line)
            }
            Some(_) => {
                // Not a kind k6 writes today; a later k6 may add some.
                self.state.ignored_lines += 1;
                Ok(())
            }
            None => Err(ParseError::at(
                line,
                "expected a k6 output line: a JSON object with `type` \"Point\" or \"Metric\" and a `metric` name (as `k6 run --out json=FILE` writes)",
            )),
        }
    }

    fn finish(self) -> Result<Run, ParseError> {
        self.state.finish()
    }
}

fn json_kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number out of range",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

#[derive(Deserialize)]
struct SlowLine<'a> {
    #[serde(rename = "type", borrow, default)]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    metric: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    data: Option<SlowData<'a>>,
}

#[derive(Deserialize, Default)]
struct SlowData<'a> {
    // Point fields.
    #[serde(borrow, default)]
    time: Option<Cow<'a, str>>,
    #[serde(default)]
    value: Option<serde_json::Value>,
    #[serde(default)]
    tags: Option<BTreeMap<String, serde_json::Value>>,
    // Metric fields.
    #[serde(default)]
    name: Option<String>,
    #[serde(rename = "type", default)]
    metric_type: Option<String>,
    #[serde(default)]
    contains: Option<String>,
    #[serde(default)]
    submetrics: Option<Vec<SlowSubmetric>>,
}

#[derive(Deserialize)]
struct SlowSubmetric {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    suffix: Option<String>,
    #[serde(default)]
    tags: Option<BTreeMap<String, serde_json::Value>>,
}

// ---------------------------------------------------------------------------------------------
// Tag sets.

/// Where one tag's key and value sit in [`TagEntry::text`].
#[derive(Debug, Clone, Copy, Default)]
struct Span {
    key: (usize, usize),
    value: (usize, usize),
}

/// The tags of one Point, with the interned ids of its identity.
#[derive(Default)]
struct TagEntry {
    /// The tags object exactly as the scanner read it, or (slow path) the keys and values one
    /// after another.
    text: String,
    spans: Vec<Span>,
    /// The identity tag set without `check`.
    id: TagSetId,
    /// The identity tag set with `check`, for `checks` Points.
    check_id: TagSetId,
}

impl TagEntry {
    /// Takes the tags object the scanner read, whose tags are at `spans`.
    fn fill_raw(&mut self, raw: &str, spans: &[Span], state: &mut State) {
        self.text.clear();
        self.text.push_str(raw);
        self.spans.clear();
        self.spans.extend_from_slice(spans);
        self.identify(state);
    }

    fn fill_pairs<'t>(
        &mut self,
        pairs: impl Iterator<Item = (&'t str, &'t str)>,
        state: &mut State,
    ) {
        self.text.clear();
        self.spans.clear();
        for (k, v) in pairs {
            let k0 = self.text.len();
            self.text.push_str(k);
            let k1 = self.text.len();
            self.text.push_str(v);
            self.spans.push(Span {
                key: (k0, k1),
                value: (k1, self.text.len()),
            });
        }
        self.identify(state);
    }

    fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.spans.iter().map(|s| {
            (
                self.text.get(s.key.0..s.key.1).unwrap_or(""),
                self.text.get(s.value.0..s.value.1).unwrap_or(""),
            )
        })
    }

    fn identify(&mut self, state: &mut State) {
        let mut slots: [&str; 6] = [""; 6];
        let mut check = "";
        for (k, v) in self.pairs() {
            if k == "check" {
                check = v;
            } else if let Some(i) = IDENTITY_TAGS.iter().position(|t| *t == k) {
                if let Some(slot) = slots.get_mut(i) {
                    *slot = v;
                }
            }
        }
        let identity = || {
            IDENTITY_TAGS
                .iter()
                .zip(slots)
                .filter(|(_, v)| !v.is_empty())
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<Vec<_>>()
        };
        // Keys sorted: `check` sorts before every identity tag.
        let key = &mut state.key_buf;
        key.clear();
        for (k, v) in IDENTITY_TAGS.iter().zip(slots) {
            push_tag(key, k, v);
        }
        let id = state.interner.intern(key, identity);
        let check_id = if check.is_empty() {
            id
        } else {
            let with_check = &mut state.key_buf2;
            with_check.clear();
            push_tag(with_check, "check", check);
            if !key.is_empty() {
                with_check.push(',');
                with_check.push_str(key);
            }
            state.interner.intern(with_check, || {
                let mut pairs = vec![("check".to_string(), check.to_string())];
                pairs.extend(identity());
                pairs
            })
        };
        self.id = id;
        self.check_id = check_id;
    }

    fn matches(&self, selector: &[(String, String)]) -> bool {
        selector
            .iter()
            .all(|(k, v)| self.pairs().any(|(tk, tv)| tk == k && tv == v))
    }
}

fn push_tag(key: &mut String, k: &str, v: &str) {
    if v.is_empty() {
        return;
    }
    if !key.is_empty() {
        key.push(',');
    }
    key.push_str(k);
    key.push(':');
    key.push_str(v);
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum TagSetId {
    /// No identity tag: the series is the whole metric.
    #[default]
    None,
    /// Too many tag sets: counted in the whole metric only.
    Folded,
    Id(u32),
}

#[derive(Default)]
struct Interner {
    ids: HashMap<String, u32, FxBuild>,
    keys: Vec<String>,
    /// The tags of each tag set, for matching submetric selectors.
    tags: Vec<Vec<(String, String)>>,
}

impl Interner {
    fn intern(&mut self, key: &str, tags: impl FnOnce() -> Vec<(String, String)>) -> TagSetId {
        if key.is_empty() {
            return TagSetId::None;
        }
        if let Some(&id) = self.ids.get(key) {
            return TagSetId::Id(id);
        }
        if self.keys.len() >= MAX_INTERNED_TAG_SETS {
            return TagSetId::Folded;
        }
        let Ok(id) = u32::try_from(self.keys.len()) else {
            return TagSetId::Folded;
        };
        self.ids.insert(key.to_string(), id);
        self.keys.push(key.to_string());
        self.tags.push(tags());
        TagSetId::Id(id)
    }

    fn tags(&self, id: u32) -> &[(String, String)] {
        usize::try_from(id)
            .ok()
            .and_then(|i| self.tags.get(i))
            .map_or(&[], Vec::as_slice)
    }

    fn key(&self, id: u32) -> &str {
        usize::try_from(id)
            .ok()
            .and_then(|i| self.keys.get(i))
            .map_or("", String::as_str)
    }
}

// ---------------------------------------------------------------------------------------------
// Metrics and their series.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Trend,
    Counter,
    Rate,
    Gauge,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Trend => "trend",
            Kind::Counter => "counter",
            Kind::Rate => "rate",
            Kind::Gauge => "gauge",
        }
    }
}

/// k6's built-in metrics, for Points whose Metric line is missing (a file cut at the front).
fn builtin(name: &str) -> Option<(Kind, Contains)> {
    Some(match name {
        "http_req_duration"
        | "http_req_waiting"
        | "http_req_connecting"
        | "http_req_tls_handshaking"
        | "http_req_sending"
        | "http_req_receiving"
        | "http_req_blocked"
        | "iteration_duration"
        | "group_duration"
        | "ws_connecting"
        | "ws_session_duration"
        | "ws_ping"
        | "grpc_req_duration" => (Kind::Trend, Contains::Time),
        "http_reqs"
        | "iterations"
        | "dropped_iterations"
        | "ws_msgs_sent"
        | "ws_msgs_received"
        | "ws_sessions"
        | "grpc_streams"
        | "grpc_streams_msgs_sent"
        | "grpc_streams_msgs_received" => (Kind::Counter, Contains::Default),
        "data_sent" | "data_received" => (Kind::Counter, Contains::Data),
        "http_req_failed" | "checks" => (Kind::Rate, Contains::Default),
        "vus" | "vus_max" => (Kind::Gauge, Contains::Default),
        _ => return None,
    })
}

/// Values a trend series buffers before recording them sorted: a few hundred histograms of
/// ~160 KB do not fit in a CPU cache, and ascending sweeps miss it far less than random updates.
const TREND_BATCH: usize = 256;

/// A trend series' histogram, with the values not yet recorded.
struct Trend {
    hist: Histogram,
    pending: Vec<u64>,
}

impl Trend {
    #[inline]
    fn add(&mut self, value: f64) {
        // The caller checked it: finite, 0..=MAX_RECORDABLE.
        self.pending.push(value.round() as u64);
        if self.pending.len() >= TREND_BATCH {
            self.flush();
        }
    }

    #[inline(never)]
    fn flush(&mut self) {
        self.pending.sort_unstable();
        let mut rest = self.pending.as_slice();
        while let Some(&v) = rest.first() {
            let run = rest.iter().take_while(|&&x| x == v).count();
            let _ = self.hist.record_n(v as f64, run as u64);
            rest = rest.get(run..).unwrap_or_default();
        }
        self.pending.clear();
    }

    /// The histogram with every value recorded.
    fn settled(&mut self) -> &Histogram {
        self.flush();
        &self.hist
    }
}

/// One series' running statistics.
enum Acc {
    Trend(Trend),
    Counter {
        sum: f64,
    },
    Rate {
        nonzero: u64,
        total: u64,
    },
    Gauge {
        last: f64,
        min: f64,
        max: f64,
        n: u64,
    },
}

impl Acc {
    fn new(kind: Kind) -> Acc {
        match kind {
            Kind::Trend => Acc::Trend(Trend {
                hist: Histogram::new(),
                pending: Vec::new(),
            }),
            Kind::Counter => Acc::Counter { sum: 0.0 },
            Kind::Rate => Acc::Rate {
                nonzero: 0,
                total: 0,
            },
            Kind::Gauge => Acc::Gauge {
                last: 0.0,
                min: f64::INFINITY,
                max: f64::NEG_INFINITY,
                n: 0,
            },
        }
    }

    /// Adds one sample; `scaled` is the value in the series' unit (already range-checked for
    /// trends).
    #[inline]
    fn add(&mut self, scaled: f64) {
        match self {
            Acc::Trend(t) => t.add(scaled),
            Acc::Counter { sum } => *sum += scaled,
            Acc::Rate { nonzero, total } => {
                *total += 1;
                if scaled != 0.0 {
                    *nonzero += 1;
                }
            }
            Acc::Gauge { last, min, max, n } => {
                *last = scaled;
                *min = min.min(scaled);
                *max = max.max(scaled);
                *n += 1;
            }
        }
    }

    fn is_empty(&self) -> bool {
        match self {
            Acc::Trend(t) => t.hist.is_empty() && t.pending.is_empty(),
            Acc::Counter { .. } => false,
            Acc::Rate { total, .. } => *total == 0,
            Acc::Gauge { n, .. } => *n == 0,
        }
    }
}

struct Submetric {
    name: String,
    selector: Vec<(String, String)>,
    acc: Acc,
    used: bool,
    /// A trend submetric selecting on identity tags only: the sum of the tag-set histograms it
    /// selects, added up at the end, plus the Points that have no tag-set series.
    derived: bool,
}

struct MetricState {
    name: String,
    /// `checks`, whose series also split by `check`.
    is_checks: bool,
    /// The metric whose Point followed this one's last time: k6 writes a request's metrics in a
    /// fixed order, so this is usually the next one and saves a hash lookup.
    next: usize,
    kind: Kind,
    contains: Contains,
    whole: Acc,
    whole_used: bool,
    submetrics: Vec<Submetric>,
    by_tag_set: HashMap<u32, u32, FxBuild>,
    series: Vec<(u32, Acc)>,
    folded: u64,
}

impl MetricState {
    fn new(name: &str, kind: Kind, contains: Contains) -> MetricState {
        let mut m = MetricState {
            name: name.to_string(),
            is_checks: name == "checks",
            next: 0,
            kind,
            contains,
            whole: Acc::new(kind),
            whole_used: false,
            submetrics: Vec::new(),
            by_tag_set: HashMap::default(),
            series: Vec::new(),
            folded: 0,
        };
        if name == "http_req_duration" {
            // k6 always reports this submetric (and declares it since v0.31).
            m.add_submetric(
                "http_req_duration{expected_response:true}".to_string(),
                vec![("expected_response".to_string(), "true".to_string())],
            );
        }
        m
    }

    fn add_submetric(&mut self, name: String, selector: Vec<(String, String)>) {
        if selector.is_empty() || self.submetrics.iter().any(|s| s.name == name) {
            return;
        }
        let derived = self.kind == Kind::Trend
            && selector
                .iter()
                .all(|(k, v)| IDENTITY_TAGS.contains(&k.as_str()) && !v.is_empty());
        self.submetrics.push(Submetric {
            name,
            selector,
            acc: Acc::new(self.kind),
            used: false,
            derived,
        });
    }

    /// The factor from k6's scale to the canonical unit.
    fn factor(&self) -> f64 {
        contained_unit(self.contains).1
    }
}

#[derive(Default)]
struct State {
    metrics: Vec<MetricState>,
    by_name: HashMap<Box<[u8]>, usize, FxBuild>,
    interner: Interner,
    key_buf: String,
    key_buf2: String,
    tag_set_histograms: usize,
    points: u64,
    clamped: u64,
    ignored_lines: u64,
    last_time_raw: Vec<u8>,
    last_time: i128,
    first: Option<(i128, String)>,
    last: Option<i128>,
    /// The metric of the previous Point.
    previous: Option<usize>,
}

impl State {
    fn declare(&mut self, name: &str, data: &SlowData<'_>, line: usize) -> Result<(), ParseError> {
        let inferred = builtin(name);
        let kind = match data.metric_type.as_deref() {
            Some("trend") => Kind::Trend,
            Some("counter") => Kind::Counter,
            Some("rate") => Kind::Rate,
            Some("gauge") => Kind::Gauge,
            Some(other) => {
                return Err(ParseError::at(
                    line,
                    format!(
                        "metric `{name}` has unknown type `{other}`: expected trend, counter, rate or gauge"
                    ),
                ))
            }
            None => match inferred {
                Some((k, _)) => k,
                None => {
                    return Err(ParseError::at(
                        line,
                        format!("the Metric line of `{name}` has no `data.type`"),
                    ))
                }
            },
        };
        let contains = match data.contains.as_deref() {
            Some("time") => Contains::Time,
            Some("data") => Contains::Data,
            Some(_) => Contains::Default,
            None => inferred.map_or(Contains::Default, |(_, c)| c),
        };
        let idx = match self.by_name.get(name.as_bytes()) {
            Some(&idx) => {
                let existing = self.metrics.get(idx).map(|m| (m.kind, m.contains));
                if existing != Some((kind, contains)) {
                    return Err(ParseError::at(
                        line,
                        format!(
                            "metric `{name}` is declared again as a {} (was a {}): are two different tests concatenated?",
                            kind.as_str(),
                            existing.map_or("?", |(k, _)| k.as_str())
                        ),
                    ));
                }
                idx
            }
            None => {
                self.metrics.push(MetricState::new(name, kind, contains));
                let idx = self.metrics.len() - 1;
                self.by_name.insert(name.as_bytes().into(), idx);
                idx
            }
        };
        let Some(m) = self.metrics.get_mut(idx) else {
            return Ok(());
        };
        for sub in data.submetrics.iter().flatten() {
            let selector = match (&sub.tags, &sub.suffix) {
                (Some(tags), _) => tags
                    .iter()
                    .filter_map(|(k, v)| match v {
                        serde_json::Value::String(s) => Some((k.clone(), s.clone())),
                        serde_json::Value::Null => None,
                        other => Some((k.clone(), other.to_string())),
                    })
                    .collect(),
                (None, Some(suffix)) => parse_selector(suffix),
                (None, None) => sub
                    .name
                    .as_deref()
                    .and_then(|n| n.split_once('{'))
                    .map(|(_, s)| parse_selector(s.trim_end_matches('}')))
                    .unwrap_or_default(),
            };
            let sub_name = match (&sub.name, &sub.suffix) {
                (Some(n), _) => n.clone(),
                (None, Some(s)) => format!("{name}{{{s}}}"),
                (None, None) => continue,
            };
            m.add_submetric(sub_name, selector);
        }
        Ok(())
    }

    /// The index of the metric named `metric` (bytes: compared with names already checked).
    fn metric_index(&mut self, metric: &[u8], line: usize) -> Result<usize, ParseError> {
        let guess = self
            .previous
            .and_then(|p| self.metrics.get(p))
            .map(|m| m.next);
        if let Some(g) = guess {
            if self
                .metrics
                .get(g)
                .is_some_and(|m| m.name.as_bytes() == metric)
            {
                self.previous = Some(g);
                return Ok(g);
            }
        }
        let idx = self.lookup_metric(metric, line)?;
        if let Some(p) = self.previous.and_then(|p| self.metrics.get_mut(p)) {
            p.next = idx;
        }
        self.previous = Some(idx);
        Ok(idx)
    }

    fn lookup_metric(&mut self, metric: &[u8], line: usize) -> Result<usize, ParseError> {
        if let Some(&idx) = self.by_name.get(metric) {
            return Ok(idx);
        }
        let Ok(name) = std::str::from_utf8(metric) else {
            return Err(ParseError::at(
                line,
                "the Point's `metric` name is not valid UTF-8: expected one JSON object per line, as `k6 run --out json=FILE` writes",
            ));
        };
        let Some((kind, contains)) = builtin(name) else {
            return Err(ParseError::at(
                line,
                format!(
                    "a Point of `{name}` comes before the Metric line that declares its type, and `{name}` is not a k6 built-in metric: is the start of the file missing?"
                ),
            ));
        };
        self.metrics.push(MetricState::new(name, kind, contains));
        let idx = self.metrics.len() - 1;
        self.by_name.insert(metric.into(), idx);
        Ok(idx)
    }

    fn time(&mut self, time: &[u8], metric: &[u8], line: usize) -> Result<i128, ParseError> {
        if time == self.last_time_raw.as_slice() && !self.last_time_raw.is_empty() {
            return Ok(self.last_time);
        }
        let Some(t) = parse_rfc3339(time) else {
            return Err(ParseError::at(
                line,
                format!(
                    "the Point of `{}` has `data.time` \"{}\", which is not an RFC 3339 time such as 2024-02-21T16:43:55.731642359Z",
                    String::from_utf8_lossy(metric),
                    String::from_utf8_lossy(time)
                ),
            ));
        };
        self.last_time_raw.clear();
        self.last_time_raw.extend_from_slice(time);
        self.last_time = t;
        if self.first.as_ref().is_none_or(|(f, _)| t < *f) {
            // A valid time is ASCII.
            self.first = Some((t, String::from_utf8_lossy(time).into_owned()));
        }
        if self.last.is_none_or(|l| t > l) {
            self.last = Some(t);
        }
        Ok(t)
    }

    /// Adds one Point; `metric` and `time` as the line holds them (the scanner does not check
    /// their UTF-8: metric names are matched against names already checked, times parsed
    /// byte by byte).
    fn point(
        &mut self,
        metric: &[u8],
        time: &[u8],
        value: f64,
        tags: &TagEntry,
        line: usize,
    ) -> Result<(), ParseError> {
        let idx = self.metric_index(metric, line)?;
        self.time(time, metric, line)?;
        let Some(m) = self.metrics.get_mut(idx) else {
            return Ok(());
        };
        let mut scaled = value * m.factor();
        if m.kind == Kind::Trend {
            if scaled < 0.0 {
                return Err(ParseError::at(
                    line,
                    format!(
                        "the Point of trend `{}` has value {value}: trend values must not be negative",
                        m.name
                    ),
                ));
            }
            if scaled > MAX_RECORDABLE {
                scaled = MAX_RECORDABLE;
                self.clamped += 1;
            }
        }
        self.points += 1;
        let id = if m.is_checks { tags.check_id } else { tags.id };
        let mut in_series = false;
        match id {
            TagSetId::None => {}
            TagSetId::Folded => m.folded += 1,
            TagSetId::Id(id) => {
                let slot = match m.by_tag_set.get(&id) {
                    Some(&i) => usize::try_from(i).ok(),
                    None => {
                        let full = m.series.len() >= MAX_TAG_SETS_PER_METRIC
                            || (m.kind == Kind::Trend
                                && self.tag_set_histograms >= MAX_TAG_SET_HISTOGRAMS);
                        match u32::try_from(m.series.len()) {
                            Ok(i) if !full => {
                                m.series.push((id, Acc::new(m.kind)));
                                m.by_tag_set.insert(id, i);
                                if m.kind == Kind::Trend {
                                    self.tag_set_histograms += 1;
                                }
                                usize::try_from(i).ok()
                            }
                            _ => {
                                m.folded += 1;
                                None
                            }
                        }
                    }
                };
                if let Some((_, acc)) = slot.and_then(|i| m.series.get_mut(i)) {
                    acc.add(scaled);
                    in_series = true;
                }
            }
        }
        // A trend's whole metric and its identity-tag submetrics are sums of its tag-set
        // histograms, added up at the end: one histogram update per Point instead of three.
        let deferred = in_series && m.kind == Kind::Trend;
        if !deferred {
            m.whole.add(scaled);
        }
        m.whole_used = true;
        for sub in &mut m.submetrics {
            if !(deferred && sub.derived) && tags.matches(&sub.selector) {
                sub.acc.add(scaled);
                sub.used = true;
            }
        }
        Ok(())
    }

    fn finish(self) -> Result<Run, ParseError> {
        let (Some((first, first_text)), Some(last)) = (self.first, self.last) else {
            return Err(ParseError::whole(
                "no k6 Points found: expected the NDJSON written by `k6 run --out json=FILE` (Metric and Point lines); was the test run with no iterations?",
            ));
        };
        if self.points == 0 {
            return Err(ParseError::whole("no k6 Points found"));
        }
        let seconds = (last - first) as f64 / 1e9;
        let mut meta = RunMeta {
            tool: Some("k6".to_string()),
            timestamp: Some(first_text),
            ..RunMeta::default()
        };
        let extra = &mut meta.environment.extra;
        extra.insert("duration_s".to_string(), format!("{seconds:.3}"));
        extra.insert("points".to_string(), self.points.to_string());
        let folded: Vec<String> = self
            .metrics
            .iter()
            .filter(|m| m.folded > 0)
            .map(|m| format!("{} ({} points)", m.name, m.folded))
            .collect();
        if !folded.is_empty() {
            extra.insert(
                "folded_points".to_string(),
                format!(
                    "{}: over {MAX_TAG_SETS_PER_METRIC} tag sets per metric or {MAX_TAG_SET_HISTOGRAMS} tag-set histograms; counted in the whole metric only",
                    folded.join(", ")
                ),
            );
        }
        if self.clamped > 0 {
            extra.insert("clamped_values".to_string(), self.clamped.to_string());
        }
        if self.ignored_lines > 0 {
            extra.insert("ignored_lines".to_string(), self.ignored_lines.to_string());
        }
        let duration = (seconds > 0.0).then_some(seconds);
        let mut benchmarks: Vec<Benchmark> = Vec::new();
        for m in self.metrics {
            let MetricState {
                name,
                contains,
                mut whole,
                whole_used,
                mut submetrics,
                mut series,
                ..
            } = m;
            for (id, acc) in &mut series {
                let Acc::Trend(t) = acc else {
                    continue;
                };
                let h = t.settled();
                if let Acc::Trend(w) = &mut whole {
                    w.hist.add(h);
                }
                let tags = self.interner.tags(*id);
                for sub in submetrics.iter_mut().filter(|s| s.derived) {
                    let selected = sub
                        .selector
                        .iter()
                        .all(|(k, v)| tags.iter().any(|(tk, tv)| tk == k && tv == v));
                    if let (true, Acc::Trend(st)) = (selected, &mut sub.acc) {
                        st.hist.add(h);
                        sub.used |= !h.is_empty();
                    }
                }
            }
            let shape = Shape {
                name: &name,
                contains,
            };
            if whole_used {
                benchmarks.push(shape.benchmark(name.clone(), whole, duration));
            }
            let mut sub_names = Vec::new();
            for s in submetrics.into_iter().filter(|s| s.used) {
                sub_names.push(s.name.clone());
                benchmarks.push(shape.benchmark(s.name, s.acc, duration));
            }
            for (id, acc) in series {
                let series = format!("{name}{{{}}}", self.interner.key(id));
                // A declared submetric of the same name wins: it is what k6 would report.
                if !sub_names.contains(&series) {
                    benchmarks.push(shape.benchmark(series, acc, duration));
                }
            }
        }
        benchmarks.retain(|b| !b.metrics.is_empty());
        if benchmarks.is_empty() {
            return Err(ParseError::whole("no k6 Points found"));
        }
        benchmarks.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(Run::new(meta, benchmarks))
    }
}

/// What a metric's series are made of.
struct Shape<'a> {
    name: &'a str,
    contains: Contains,
}

impl Shape<'_> {
    fn benchmark(&self, series: String, acc: Acc, duration: Option<f64>) -> Benchmark {
        let mut b = Benchmark::new(series);
        if acc.is_empty() {
            return b;
        }
        let (unit, _) = contained_unit(self.contains);
        match acc {
            Acc::Trend(mut t) => {
                t.flush();
                let h = t.hist;
                let count = h.len() as f64;
                let stat = if self.contains == Contains::Time {
                    "latency"
                } else {
                    "value"
                };
                b.push(Metric::new(stat, unit, Data::Histogram(h)));
                b.push(Metric::new("count", Unit::Count, Data::Value(count)));
            }
            Acc::Counter { sum } => {
                let direction = if counts_bad_events(self.name) {
                    Direction::LowerIsBetter
                } else {
                    Direction::HigherIsBetter
                };
                let rate_unit = match self.contains {
                    Contains::Default => Unit::PerSecond,
                    Contains::Data => Unit::BytesPerSecond,
                    // Milliseconds accumulated per second of test, as k6 reports it.
                    Contains::Time => Unit::Custom("ms/s".to_string()),
                };
                b.push(Metric::new("count", unit, Data::Value(sum)).with_direction(direction));
                if let Some(seconds) = duration {
                    // `sum` is in the canonical unit; k6's rate is in its own unit per second.
                    let k6_sum = sum / contained_unit(self.contains).1;
                    b.push(
                        Metric::new("rate", rate_unit, Data::Value(k6_sum / seconds))
                            .with_direction(direction),
                    );
                }
            }
            Acc::Rate { nonzero, total } => {
                let direction = Direction::infer(self.name, &Unit::Ratio);
                let rate = nonzero as f64 / total as f64;
                b.push(
                    Metric::new("rate", Unit::Ratio, Data::Value(rate)).with_direction(direction),
                );
                // `passes` counts the non-zero samples that make up the rate (failed requests for
                // `http_req_failed`), so it shares the rate's direction.
                b.push(
                    Metric::new("passes", Unit::Count, Data::Value(nonzero as f64))
                        .with_direction(direction),
                );
                b.push(
                    Metric::new("fails", Unit::Count, Data::Value((total - nonzero) as f64))
                        .with_direction(Direction::opposite(direction)),
                );
            }
            Acc::Gauge { last, min, max, .. } => {
                for (stat, v) in [("value", last), ("min", min), ("max", max)] {
                    b.push(Metric::new(stat, unit.clone(), Data::Value(v)));
                }
            }
        }
        b
    }
}

/// `key:value,key:value` as in a k6 submetric suffix.
fn parse_selector(s: &str) -> Vec<(String, String)> {
    s.split(',')
        .filter_map(|kv| kv.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .filter(|(k, _)| !k.is_empty())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Time.

/// Nanoseconds since the Unix epoch of an RFC 3339 time (`2023-09-08T21:03:10.549397854+02:00`):
/// `T`, `t` or a space between date and time, any number of fraction digits (nanoseconds kept),
/// `Z` or a `±hh:mm` offset.
fn parse_rfc3339(s: impl AsRef<[u8]>) -> Option<i128> {
    let b = s.as_ref();
    let num = |from: usize, len: usize| -> Option<i64> {
        let digits = b.get(from..from + len)?;
        digits.iter().try_fold(0i64, |acc, &d| {
            d.is_ascii_digit().then(|| acc * 10 + i64::from(d - b'0'))
        })
    };
    let at = |i: usize, allowed: &[u8]| b.get(i).is_some_and(|c| allowed.contains(c));
    let year = num(0, 4)?;
    let month = num(5, 2)?;
    let day = num(8, 2)?;
    let hour = num(11, 2)?;
    let minute = num(14, 2)?;
    let second = num(17, 2)?;
    if !(at(4, b"-") && at(7, b"-") && at(10, b"Tt ") && at(13, b":") && at(16, b":")) {
        return None;
    }
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if day < 1 || day > days_in_month || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut i = 19;
    let mut nanos: i64 = 0;
    if at(i, b".") {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            if i - start < 9 {
                nanos = nanos * 10 + i64::from(b.get(i).copied().unwrap_or(b'0') - b'0');
            }
            i += 1;
        }
        if i == start {
            return None;
        }
        for _ in (i - start)..9 {
            nanos *= 10;
        }
    }
    let offset = match b.get(i) {
        Some(b'Z' | b'z') => {
            i += 1;
            0
        }
        Some(&sign @ (b'+' | b'-')) => {
            let oh = num(i + 1, 2)?;
            let om = num(i + 4, 2)?;
            if !at(i + 3, b":") || oh > 23 || om > 59 {
                return None;
            }
            i += 6;
            let o = oh * 3600 + om * 60;
            if sign == b'-' {
                -o
            } else {
                o
            }
        }
        _ => return None,
    };
    if i != b.len() {
        return None;
    }
    let secs =
        days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset;
    Some(i128::from(secs) * 1_000_000_000 + i128::from(nanos))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant, "chrono-Compatible Low-Level
/// Date Algorithms", `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

// ---------------------------------------------------------------------------------------------
// Byte scanning.

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// High bit set in each zero byte of `v` (exact for the lowest one, which is all we use).
fn zero_bytes(v: u64) -> u64 {
    v.wrapping_sub(ONES) & !v & HIGHS
}

fn word(chunk: &[u8]) -> Option<u64> {
    <[u8; 8]>::try_from(chunk).ok().map(u64::from_le_bytes)
}

/// Position of the first `needle` in `s`, eight bytes at a time.
fn find_byte(s: &[u8], needle: u8) -> Option<usize> {
    let pattern = ONES * u64::from(needle);
    let mut i = 0;
    while let Some(w) = s.get(i..i + 8).and_then(word) {
        let m = zero_bytes(w ^ pattern);
        if m != 0 {
            return Some(i + (m.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    s.get(i..)?.iter().position(|&b| b == needle).map(|p| p + i)
}

/// A scanner for the compact JSON lines k6 writes. It accepts a strict subset of JSON (no string
/// escapes, string tag values) and gives up on anything else, so what it accepts it reads exactly
/// as serde_json would.
mod fast {
    use super::{find_byte, word, zero_bytes, KnownTags, Span, HIGHS, ONES, RECENT_TAGS};

    pub(super) enum Line<'a> {
        Point {
            /// Not checked for UTF-8 (see [`super::State::point`]).
            metric: &'a [u8],
            time: &'a [u8],
            value: f64,
            tags: Tags<'a>,
            /// Bytes used, newline included.
            end: usize,
        },
        Blank {
            end: usize,
        },
        /// The text ends before the line does.
        Incomplete,
        /// Not a Point the scanner reads: hand the line to serde_json.
        Slow,
    }

    pub(super) enum Tags<'a> {
        /// `null`.
        Null,
        /// Byte for byte the tags object `recent[i]`.
        Recent(usize),
        /// Byte for byte the tags object `known` maps to this key.
        Known(u32),
        /// A tags object, whose tags are now in `spans` (relative to its start).
        New(&'a str),
    }

    enum Stop {
        /// Ran out of text.
        Eof,
        /// Not something the scanner reads.
        Bad,
    }

    type Scan<T> = Result<T, Stop>;

    /// Reads the line at the start of `s`. `at_eof`: `s` is all that is left of the input.
    pub(super) fn line<'a>(
        s: &'a [u8],
        at_eof: bool,
        recent: &[&[u8]; RECENT_TAGS],
        known: &KnownTags,
        spans: &mut Vec<Span>,
    ) -> Line<'a> {
        let mut c = Cursor {
            b: s,
            i: 0,
            recent,
            known,
        };
        if let Ok(l) = c.point_as_k6_writes_it(at_eof, spans) {
            return l;
        }
        c.i = 0;
        match c.line(at_eof, spans) {
            Ok(l) => l,
            Err(Stop::Eof) if !at_eof => Line::Incomplete,
            Err(_) => Line::Slow,
        }
    }

    /// Exact powers of ten up to the largest an f64 holds exactly.
    const POW10: [f64; 23] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
        1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];

    #[derive(Default)]
    struct PointData<'a> {
        time: Option<&'a str>,
        value: Option<f64>,
        tags: Option<Tags<'a>>,
    }

    struct Cursor<'a, 'k> {
        b: &'a [u8],
        i: usize,
        recent: &'k [&'k [u8]; RECENT_TAGS],
        known: &'k KnownTags,
    }

    impl<'a> Cursor<'a, '_> {
        fn peek(&self) -> Option<u8> {
            self.b.get(self.i).copied()
        }

        fn next(&mut self) -> Scan<u8> {
            let b = self.peek().ok_or(Stop::Eof)?;
            self.i += 1;
            Ok(b)
        }

        /// Whitespace within a line (a newline ends the line).
        fn skip_ws(&mut self) {
            while matches!(self.peek(), Some(b' ' | b'\t' | b'\r')) {
                self.i += 1;
            }
        }

        fn expect(&mut self, byte: u8) -> Scan<()> {
            self.skip_ws();
            if self.next()? == byte {
                Ok(())
            } else {
                Err(Stop::Bad)
            }
        }

        /// True (and past it) when `literal` comes next. Fixed-size, so that the compare is
        /// inlined.
        fn eat<const N: usize>(&mut self, literal: &[u8; N]) -> bool {
            let found = self
                .b
                .get(self.i..self.i + N)
                .and_then(|next| <&[u8; N]>::try_from(next).ok())
                .is_some_and(|next| next == literal);
            if found {
                self.i += N;
            }
            found
        }

        /// A Point in the layout k6 writes (`{"metric":..,"type":"Point","data":{"time":..,
        /// "value":..,"tags":..}}`), read without looking keys up; anything else is `Bad`, and
        /// [`Cursor::line`] reads it instead.
        fn point_as_k6_writes_it(&mut self, at_eof: bool, spans: &mut Vec<Span>) -> Scan<Line<'a>> {
            if !self.eat(b"{\"metric\":") {
                return Err(Stop::Bad);
            }
            let metric = self.raw_string()?;
            if !self.eat(b",\"type\":\"Point\",\"data\":{\"time\":") {
                return Err(Stop::Bad);
            }
            let time = self.raw_string()?;
            if !self.eat(b",\"value\":") {
                return Err(Stop::Bad);
            }
            let value = self.number()?;
            if !self.eat(b",\"tags\":") {
                return Err(Stop::Bad);
            }
            let tags = self.tags(spans)?;
            if !self.eat(b"}}") {
                return Err(Stop::Bad);
            }
            let end = match self.peek() {
                Some(b'\n') => self.i + 1,
                Some(b'\r') if self.b.get(self.i + 1) == Some(&b'\n') => self.i + 2,
                None if at_eof => self.i,
                _ => return Err(Stop::Bad),
            };
            Ok(Line::Point {
                metric,
                time,
                value,
                tags,
                end,
            })
        }

        fn line(&mut self, at_eof: bool, spans: &mut Vec<Span>) -> Scan<Line<'a>> {
            self.skip_ws();
            match self.peek() {
                None if at_eof => return Ok(Line::Blank { end: self.i }),
                None => return Err(Stop::Eof),
                Some(b'\n') => return Ok(Line::Blank { end: self.i + 1 }),
                Some(b'{') => self.i += 1,
                Some(_) => return Err(Stop::Bad),
            }
            let (mut metric, mut kind, mut data) = (None, None, None);
            loop {
                self.skip_ws();
                let key = self.string()?;
                self.expect(b':')?;
                self.skip_ws();
                match key {
                    "metric" if metric.is_none() => metric = Some(self.string()?),
                    "type" if kind.is_none() => kind = Some(self.string()?),
                    "data" if data.is_none() => data = Some(self.data(spans)?),
                    "metric" | "type" | "data" => return Err(Stop::Bad),
                    _ => self.skip_value(0)?,
                }
                self.skip_ws();
                match self.next()? {
                    b',' => {}
                    b'}' => break,
                    _ => return Err(Stop::Bad),
                }
            }
            self.skip_ws();
            let end = match self.peek() {
                None if at_eof => self.i,
                None => return Err(Stop::Eof),
                Some(b'\n') => self.i + 1,
                Some(_) => return Err(Stop::Bad),
            };
            match (kind, metric, data) {
                (
                    Some("Point"),
                    Some(metric),
                    Some(PointData {
                        time: Some(time),
                        value: Some(value),
                        tags,
                    }),
                ) => Ok(Line::Point {
                    metric: metric.as_bytes(),
                    time: time.as_bytes(),
                    value,
                    tags: tags.unwrap_or(Tags::Null),
                    end,
                }),
                _ => Err(Stop::Bad),
            }
        }

        fn data(&mut self, spans: &mut Vec<Span>) -> Scan<PointData<'a>> {
            if self.next()? != b'{' {
                return Err(Stop::Bad);
            }
            let mut d = PointData::default();
            self.skip_ws();
            if self.peek() == Some(b'}') {
                self.i += 1;
                return Ok(d);
            }
            loop {
                self.skip_ws();
                let key = self.string()?;
                self.expect(b':')?;
                self.skip_ws();
                match key {
                    "time" if d.time.is_none() => d.time = Some(self.string()?),
                    "value" if d.value.is_none() => d.value = Some(self.number()?),
                    "tags" if d.tags.is_none() => d.tags = Some(self.tags(spans)?),
                    "time" | "value" | "tags" => return Err(Stop::Bad),
                    _ => self.skip_value(1)?,
                }
                self.skip_ws();
                match self.next()? {
                    b',' => {}
                    b'}' => return Ok(d),
                    _ => return Err(Stop::Bad),
                }
            }
        }

        fn tags(&mut self, spans: &mut Vec<Span>) -> Scan<Tags<'a>> {
            match self.peek() {
                None => return Err(Stop::Eof),
                Some(b'n') => {
                    self.literal(b"null")?;
                    return Ok(Tags::Null);
                }
                Some(b'{') => {}
                Some(_) => return Err(Stop::Bad),
            }
            // The same bytes parse the same way: an object read before is complete and valid.
            let rest = self.b.get(self.i..).unwrap_or_default();
            for (j, seen) in self.recent.iter().enumerate() {
                if !seen.is_empty() && rest.starts_with(seen) {
                    self.i += seen.len();
                    return Ok(Tags::Recent(j));
                }
            }
            // In k6's layout the tags object ends the line, before `}}`.
            let line = rest.get(..find_byte(rest, b'\n').unwrap_or(rest.len()));
            let line = line.map(|l| l.strip_suffix(b"\r").unwrap_or(l));
            if let Some(&k) = line
                .and_then(|l| l.strip_suffix(b"}}"))
                .and_then(|object| self.known.get(object))
            {
                self.i += line.map_or(0, |l| l.len() - 2);
                return Ok(Tags::Known(k));
            }
            let start = self.i;
            self.i += 1;
            spans.clear();
            self.skip_ws();
            if self.peek() == Some(b'}') {
                self.i += 1;
            } else {
                loop {
                    self.skip_ws();
                    let key = self.string_span()?;
                    self.expect(b':')?;
                    self.skip_ws();
                    let value = self.string_span()?;
                    spans.push(Span {
                        key: (key.0 - start, key.1 - start),
                        value: (value.0 - start, value.1 - start),
                    });
                    self.skip_ws();
                    match self.next()? {
                        b',' => {}
                        b'}' => break,
                        _ => return Err(Stop::Bad),
                    }
                }
            }
            // UTF-8 is checked once for the object: its strings are then all valid.
            let raw = self.b.get(start..self.i).ok_or(Stop::Bad)?;
            std::str::from_utf8(raw)
                .map(Tags::New)
                .map_err(|_| Stop::Bad)
        }

        /// The bytes of a string without escapes, UTF-8 unchecked.
        fn raw_string(&mut self) -> Scan<&'a [u8]> {
            let (start, end) = self.string_span()?;
            self.b.get(start..end).ok_or(Stop::Bad)
        }

        /// A string without escapes, in valid UTF-8.
        fn string(&mut self) -> Scan<&'a str> {
            let (start, end) = self.string_span()?;
            let bytes = self.b.get(start..end).ok_or(Stop::Bad)?;
            std::str::from_utf8(bytes).map_err(|_| Stop::Bad)
        }

        /// Where the contents of a string without escapes start and end.
        fn string_span(&mut self) -> Scan<(usize, usize)> {
            match self.peek() {
                Some(b'"') => self.i += 1,
                None => return Err(Stop::Eof),
                Some(_) => return Err(Stop::Bad),
            }
            let start = self.i;
            loop {
                // Eight bytes at a time up to the first quote, backslash or control character.
                while let Some(w) = self.b.get(self.i..self.i + 8).and_then(word) {
                    let m = zero_bytes(w ^ (ONES * u64::from(b'"')))
                        | zero_bytes(w ^ (ONES * u64::from(b'\\')))
                        | (w.wrapping_sub(ONES * 0x20) & !w & HIGHS);
                    if m != 0 {
                        self.i += (m.trailing_zeros() / 8) as usize;
                        break;
                    }
                    self.i += 8;
                }
                match self.peek() {
                    None => return Err(Stop::Eof),
                    Some(b'"') => {
                        let end = self.i;
                        self.i += 1;
                        return Ok((start, end));
                    }
                    Some(b'\\' | 0..=0x1f) => return Err(Stop::Bad),
                    Some(_) => self.i += 1,
                }
            }
        }

        /// A JSON number, read as serde_json reads it (correctly rounded).
        fn number(&mut self) -> Scan<f64> {
            let start = self.i;
            let negative = self.peek() == Some(b'-');
            if negative {
                self.i += 1;
            }
            let digits_start = self.i;
            let mut mantissa: u64 = 0;
            match self.next()? {
                b'0' => {}
                d @ b'1'..=b'9' => {
                    mantissa = u64::from(d - b'0');
                    self.digits(&mut mantissa);
                }
                _ => return Err(Stop::Bad),
            }
            let int_end = self.i;
            let mut fraction = 0;
            if self.peek() == Some(b'.') {
                self.i += 1;
                let from = self.i;
                self.some_digits(&mut mantissa)?;
                fraction = self.i - from;
            }
            let mut exponent = false;
            if matches!(self.peek(), Some(b'e' | b'E')) {
                exponent = true;
                self.i += 1;
                if matches!(self.peek(), Some(b'+' | b'-')) {
                    self.i += 1;
                }
                self.some_digits(&mut 0)?;
            }
            if self.peek().is_none() {
                // The number may go on in the next buffer.
                return Err(Stop::Eof);
            }
            let digits = int_end - digits_start + fraction;
            if !exponent && digits <= 15 {
                // Clinger's fast path: the digits as an integer below 2^53 and a power of ten
                // are both exact, so one correctly rounded division gives the correctly rounded
                // value, as a full parse would.
                if let Some(scale) = POW10.get(fraction) {
                    let v = mantissa as f64 / scale;
                    return Ok(if negative { -v } else { v });
                }
            }
            let text = self
                .b
                .get(start..self.i)
                .and_then(|b| std::str::from_utf8(b).ok())
                .ok_or(Stop::Bad)?;
            let v: f64 = text.parse().map_err(|_| Stop::Bad)?;
            if v.is_finite() {
                Ok(v)
            } else {
                Err(Stop::Bad)
            }
        }

        /// Skips digits, accumulating them into `into` (wrapping: only used when there are few).
        fn digits(&mut self, into: &mut u64) {
            while let Some(d) = self.peek().filter(u8::is_ascii_digit) {
                *into = into.wrapping_mul(10).wrapping_add(u64::from(d - b'0'));
                self.i += 1;
            }
        }

        fn some_digits(&mut self, into: &mut u64) -> Scan<()> {
            match self.peek() {
                None => Err(Stop::Eof),
                Some(b) if b.is_ascii_digit() => {
                    self.digits(into);
                    Ok(())
                }
                Some(_) => Err(Stop::Bad),
            }
        }

        fn literal(&mut self, word: &[u8]) -> Scan<()> {
            let rest = self.b.get(self.i..).unwrap_or_default();
            if rest.starts_with(word) {
                self.i += word.len();
                Ok(())
            } else if word.starts_with(rest) {
                Err(Stop::Eof)
            } else {
                Err(Stop::Bad)
            }
        }

        /// Any JSON value, checked and skipped.
        fn skip_value(&mut self, depth: u32) -> Scan<()> {
            if depth > 64 {
                return Err(Stop::Bad);
            }
            match self.peek() {
                None => Err(Stop::Eof),
                Some(b'"') => self.string().map(|_| ()),
                Some(b'-' | b'0'..=b'9') => self.number().map(|_| ()),
                Some(b't') => self.literal(b"true"),
                Some(b'f') => self.literal(b"false"),
                Some(b'n') => self.literal(b"null"),
                Some(open @ (b'{' | b'[')) => {
                    self.i += 1;
                    let close = if open == b'{' { b'}' } else { b']' };
                    self.skip_ws();
                    if self.peek() == Some(close) {
                        self.i += 1;
                        return Ok(());
                    }
                    loop {
                        self.skip_ws();
                        if open == b'{' {
                            self.string()?;
                            self.expect(b':')?;
                            self.skip_ws();
                        }
                        self.skip_value(depth + 1)?;
                        self.skip_ws();
                        match self.next()? {
                            b',' => {}
                            b if b == close => return Ok(()),
                            _ => return Err(Stop::Bad),
                        }
                    }
                }
                Some(_) => Err(Stop::Bad),
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// A fast hasher for the per-line lookups (FxHash, as in rustc): the keys are metric names and
// tag sets from one file, so hash flooding is not a concern.

#[derive(Default, Clone, Copy)]
struct FxHasher {
    hash: u64,
}

type FxBuild = BuildHasherDefault<FxHasher>;

impl FxHasher {
    fn add(&mut self, w: u64) {
        self.hash = (self.hash.rotate_left(5) ^ w).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            if let Some(w) = word(c) {
                self.add(w);
            }
        }
        let mut tail = [0u8; 8];
        for (d, s) in tail.iter_mut().zip(chunks.remainder()) {
            *d = *s;
        }
        self.add(u64::from_le_bytes(tail));
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        self.hash
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::io::Write as _;

    use super::*;

    const JOXTACY: &str = include_str!("../../tests/fixtures/k6-ndjson/joxtacy-k6-results.ndjson");
    const DASHBOARD: &str =
        include_str!("../../tests/fixtures/k6-ndjson/xk6-dashboard-result.head400.ndjson");

    const CONTACTS: &str = "http_req_duration{expected_response:true,group:::Contacts flow,method:GET,name:https://test.k6.io/contacts.php,scenario:default,status:200}";

    fn metric<'a>(run: &'a Run, bench: &str, stat: &str) -> &'a Metric {
        let b = run
            .benchmark(bench)
            .unwrap_or_else(|| panic!("no benchmark `{bench}`"));
        b.metric(stat)
            .unwrap_or_else(|| panic!("no metric `{stat}` in `{bench}`"))
    }

    fn value(run: &Run, bench: &str, stat: &str) -> f64 {
        match metric(run, bench, stat).data {
            Data::Value(v) => v,
            ref other => panic!("`{bench}` `{stat}` is not a value: {other:?}"),
        }
    }

    fn histogram<'a>(run: &'a Run, bench: &str, stat: &str) -> &'a Histogram {
        match &metric(run, bench, stat).data {
            Data::Histogram(h) => h,
            other => panic!("`{bench}` `{stat}` is not a histogram: {other:?}"),
        }
    }

    fn names(b: &Benchmark) -> Vec<&str> {
        b.metrics.iter().map(|m| m.name.as_str()).collect()
    }

    fn err(text: &str) -> ParseError {
        parse(text).unwrap_err()
    }

    /// One Point as read independently of the parser, with serde_json::Value.
    struct RawPoint {
        metric: String,
        time: String,
        value: f64,
        tags: BTreeMap<String, String>,
    }

    fn raw_points(text: &str) -> Vec<RawPoint> {
        text.lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .filter(|v| v["type"] == "Point")
            .map(|v| RawPoint {
                metric: v["metric"].as_str().unwrap().to_string(),
                time: v["data"]["time"].as_str().unwrap().to_string(),
                value: v["data"]["value"].as_f64().unwrap(),
                tags: v["data"]["tags"]
                    .as_object()
                    .map(|o| {
                        o.iter()
                            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
                            .collect()
                    })
                    .unwrap_or_default(),
            })
            .collect()
    }

    /// The values (in k6's unit) of `metric`'s Points whose tags pass `keep`, sorted.
    fn sorted(
        points: &[RawPoint],
        metric: &str,
        keep: impl Fn(&BTreeMap<String, String>) -> bool,
    ) -> Vec<f64> {
        let mut v: Vec<f64> = points
            .iter()
            .filter(|p| p.metric == metric && keep(&p.tags))
            .map(|p| p.value)
            .collect();
        v.sort_by(f64::total_cmp);
        v
    }

    /// The nearest-rank percentile, as HdrHistogram defines it (the `ceil(q * n)`-th value).
    fn nearest_rank(sorted: &[f64], q: f64) -> f64 {
        let rank = ((q * sorted.len() as f64).ceil() as usize).max(1);
        sorted[rank - 1]
    }

    /// Checks the histogram's percentiles against a sort of the raw values (ms), within
    /// HdrHistogram's 3 significant digits (plus the rounding to whole nanoseconds).
    fn assert_percentiles(h: &Histogram, raw_ms: &[f64]) {
        assert_eq!(h.len(), raw_ms.len() as u64);
        for q in [0.5, 0.9, 0.95, 0.99, 0.999, 1.0] {
            let expected = nearest_rank(raw_ms, q) * 1e6;
            let got = h.quantile(q);
            assert!(
                (got - expected).abs() <= expected * 0.001 + 1.0,
                "p({}) is {got} ns, expected {expected} ns",
                q * 100.0
            );
        }
        let min = raw_ms[0] * 1e6;
        assert!((h.min() - min).abs() <= min * 0.001 + 1.0);
        let mean = raw_ms.iter().sum::<f64>() / raw_ms.len() as f64 * 1e6;
        assert!((h.mean() - mean).abs() <= mean * 0.001 + 1.0);
    }

    /// Nanoseconds of the day of `2024-02-21T16:43:55.7316Z`-like times (one file, one day, one
    /// offset), read by hand.
    fn time_of_day_ns(t: &str) -> i64 {
        let hms = &t[11..19];
        let parts: Vec<i64> = hms.split(':').map(|p| p.parse().unwrap()).collect();
        let digits: String = t[19..]
            .trim_start_matches('.')
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        let frac: i64 = format!("{digits:0<9}").parse().unwrap();
        ((parts[0] * 60 + parts[1]) * 60 + parts[2]) * 1_000_000_000 + frac
    }

    /// True when a histogram value is the recorded `ns` within HdrHistogram's precision.
    fn close(got: f64, ns: f64) -> bool {
        (got - ns).abs() <= ns * 0.001 + 1.0
    }

    fn test_seconds(points: &[RawPoint]) -> f64 {
        let times: Vec<i64> = points.iter().map(|p| time_of_day_ns(&p.time)).collect();
        let (min, max) = (times.iter().min().unwrap(), times.iter().max().unwrap());
        (max - min) as f64 / 1e9
    }

    /// A small hand-written run with checks and a custom metric.
    const CHECKS: &str = r#"{"type":"Metric","data":{"name":"checks","type":"rate","contains":"default","thresholds":["rate>0.9"],"submetrics":null},"metric":"checks"}
{"metric":"checks","type":"Point","data":{"time":"2024-05-01T10:00:00Z","value":1,"tags":{"check":"status is 200","group":"::Login","scenario":"default"}}}
{"metric":"checks","type":"Point","data":{"time":"2024-05-01T10:00:01Z","value":0,"tags":{"check":"status is 200","group":"::Login","scenario":"default"}}}
{"metric":"checks","type":"Point","data":{"time":"2024-05-01T10:00:02Z","value":1,"tags":{"check":"body has token","group":"::Login","scenario":"default"}}}
{"metric":"checks","type":"Point","data":{"time":"2024-05-01T10:00:03Z","value":1,"tags":{"check":"body has token","group":"::Login","scenario":"default"}}}
{"type":"Metric","data":{"name":"cart_items","type":"trend","contains":"default","thresholds":[],"submetrics":null},"metric":"cart_items"}
{"metric":"cart_items","type":"Point","data":{"time":"2024-05-01T10:00:04Z","value":3,"tags":{"scenario":"default"}}}
{"metric":"cart_items","type":"Point","data":{"time":"2024-05-01T10:00:04Z","value":7,"tags":{"scenario":"default"}}}
"#;

    #[test]
    fn reads_every_series_of_a_complete_k6_run() {
        let run = parse(JOXTACY).unwrap();
        assert_eq!(run.meta.tool.as_deref(), Some("k6"));
        assert_eq!(
            run.meta.timestamp.as_deref(),
            Some("2024-02-21T16:43:55.731642359Z")
        );
        let extra = &run.meta.environment.extra;
        assert_eq!(extra.get("points").map(String::as_str), Some("510"));
        assert_eq!(extra.get("duration_s").map(String::as_str), Some("44.694"));
        assert!(!extra.contains_key("folded_points"));
        let all: Vec<&str> = run.benchmarks.iter().map(|b| b.name.as_str()).collect();
        // 16 metrics; 7 http timings, http_reqs and http_req_failed split over 4 requests;
        // group_duration over 2 groups; data_*, iterations and iteration_duration over one scenario.
        assert_eq!(all.len(), 16 + 9 * 4 + 2 + 4 + 1);
        for name in [
            "http_req_duration",
            "http_req_duration{expected_response:true}",
            CONTACTS,
            "http_req_duration{expected_response:true,group:::Coinflip game,method:GET,name:https://test.k6.io/flip_coin.php?bet=heads,scenario:default,status:200}",
            "http_reqs{expected_response:true,group:::Contacts flow,method:GET,name:https://test.k6.io/,scenario:default,status:200}",
            "group_duration{group:::Contacts flow,scenario:default}",
            "iteration_duration{scenario:default}",
            "data_received{scenario:default}",
            "vus",
            "vus_max",
        ] {
            assert!(all.contains(&name), "missing {name} in {all:#?}");
        }
        // `vus` has `tags: {}`: no tag-set series.
        assert!(!all.iter().any(|n| n.starts_with("vus{")));
        // Tags that do not identify a series (url, proto, tls_version) never appear in names.
        assert!(!all
            .iter()
            .any(|n| n.contains("url:") || n.contains("proto:")));
        assert_eq!(
            names(run.benchmark("http_req_duration").unwrap()),
            ["latency", "count"]
        );
        assert_eq!(
            names(run.benchmark("http_reqs").unwrap()),
            ["count", "rate"]
        );
        assert_eq!(
            names(run.benchmark("http_req_failed").unwrap()),
            ["rate", "passes", "fails"]
        );
        assert_eq!(
            names(run.benchmark("vus").unwrap()),
            ["value", "min", "max"]
        );
        let sorted_names = {
            let mut v = all.clone();
            v.sort();
            v
        };
        assert_eq!(all, sorted_names);
    }

    #[test]
    fn latency_percentiles_match_a_sort_of_the_raw_points() {
        let run = parse(JOXTACY).unwrap();
        let points = raw_points(JOXTACY);
        let all = sorted(&points, "http_req_duration", |_| true);
        assert_eq!(all.len(), 40);
        let h = histogram(&run, "http_req_duration", "latency");
        assert_percentiles(h, &all);
        assert_eq!(value(&run, "http_req_duration", "count"), 40.0);
        let expected = sorted(&points, "http_req_duration", |t| {
            t.get("expected_response").map(String::as_str) == Some("true")
        });
        assert_percentiles(
            histogram(&run, "http_req_duration{expected_response:true}", "latency"),
            &expected,
        );
        let contacts = sorted(&points, "http_req_duration", |t| {
            t.get("name").map(String::as_str) == Some("https://test.k6.io/contacts.php")
        });
        assert_eq!(contacts.len(), 10);
        assert_percentiles(histogram(&run, CONTACTS, "latency"), &contacts);
        assert_eq!(value(&run, CONTACTS, "count"), 10.0);
        // Sub-millisecond times keep their precision in nanoseconds.
        assert_percentiles(
            histogram(&run, "http_req_receiving", "latency"),
            &sorted(&points, "http_req_receiving", |_| true),
        );
        assert_percentiles(
            histogram(&run, "iteration_duration", "latency"),
            &sorted(&points, "iteration_duration", |_| true),
        );
        let latency = metric(&run, "http_req_duration", "latency");
        assert_eq!(latency.unit, Unit::Nanoseconds);
        assert_eq!(latency.direction, Direction::LowerIsBetter);
    }

    #[test]
    fn counters_sum_their_points_over_the_test_duration() {
        let run = parse(JOXTACY).unwrap();
        let points = raw_points(JOXTACY);
        let seconds = test_seconds(&points);
        assert!((seconds - 44.694148339).abs() < 1e-9, "{seconds}");
        assert_eq!(value(&run, "http_reqs", "count"), 40.0);
        let rate = value(&run, "http_reqs", "rate");
        assert!((rate - 40.0 / seconds).abs() < 1e-9, "{rate}");
        let sent: f64 = sorted(&points, "data_sent", |_| true).iter().sum();
        let data_sent = metric(&run, "data_sent", "count");
        assert_eq!(data_sent.unit, Unit::Bytes);
        assert_eq!(data_sent.data, Data::Value(sent));
        assert_eq!(sent, 8000.0 + 1150.0 * 0.0 + sent - 8000.0);
        let sent_rate = metric(&run, "data_sent", "rate");
        assert_eq!(sent_rate.unit, Unit::BytesPerSecond);
        assert!(matches!(sent_rate.data, Data::Value(v) if (v - sent / seconds).abs() < 1e-6));
        let received: f64 = sorted(&points, "data_received", |_| true).iter().sum();
        assert_eq!(value(&run, "data_received", "count"), received);
        assert_eq!(value(&run, "iterations", "count"), 10.0);
        assert_eq!(value(&run, "iterations{scenario:default}", "count"), 10.0);
        let per_request = "http_reqs{expected_response:true,group:::Contacts flow,method:GET,name:https://test.k6.io/,scenario:default,status:200}";
        assert_eq!(value(&run, per_request, "count"), 10.0);
        // Every series divides by the whole test's duration, as k6 does for submetrics.
        assert!((value(&run, per_request, "rate") - 10.0 / seconds).abs() < 1e-9);
        assert_eq!(
            metric(&run, "http_reqs", "rate").direction,
            Direction::HigherIsBetter
        );
        assert_eq!(metric(&run, "http_reqs", "rate").unit, Unit::PerSecond);
    }

    #[test]
    fn rates_count_non_zero_points_and_gauges_keep_last_min_and_max() {
        let run = parse(JOXTACY).unwrap();
        assert_eq!(value(&run, "http_req_failed", "rate"), 0.0);
        assert_eq!(value(&run, "http_req_failed", "passes"), 0.0);
        assert_eq!(value(&run, "http_req_failed", "fails"), 40.0);
        let failed = metric(&run, "http_req_failed", "rate");
        assert_eq!(failed.unit, Unit::Ratio);
        assert_eq!(failed.direction, Direction::LowerIsBetter);
        assert_eq!(value(&run, "vus", "value"), 1.0);
        assert_eq!(value(&run, "vus_max", "max"), 1.0);

        let run = parse(CHECKS).unwrap();
        assert_eq!(value(&run, "checks", "rate"), 0.75);
        assert_eq!(value(&run, "checks", "passes"), 3.0);
        assert_eq!(value(&run, "checks", "fails"), 1.0);
        let checks = run.benchmark("checks").unwrap();
        let dirs: Vec<Direction> = checks.metrics.iter().map(|m| m.direction).collect();
        assert_eq!(
            dirs,
            [
                Direction::HigherIsBetter,
                Direction::HigherIsBetter,
                Direction::LowerIsBetter
            ]
        );
        // `checks` series split by check.
        let status = "checks{check:status is 200,group:::Login,scenario:default}";
        assert_eq!(value(&run, status, "rate"), 0.5);
        assert_eq!(
            value(
                &run,
                "checks{check:body has token,group:::Login,scenario:default}",
                "rate"
            ),
            1.0
        );
    }

    #[test]
    fn gauges_report_the_last_value_in_file_order() {
        let text = r#"{"metric":"vus","type":"Point","data":{"time":"2024-05-01T10:00:00Z","value":5,"tags":{}}}
{"metric":"vus","type":"Point","data":{"time":"2024-05-01T10:00:01Z","value":20,"tags":{}}}
{"metric":"vus","type":"Point","data":{"time":"2024-05-01T10:00:02Z","value":12,"tags":null}}
"#;
        let run = parse(text).unwrap();
        assert_eq!(value(&run, "vus", "value"), 12.0);
        assert_eq!(value(&run, "vus", "min"), 5.0);
        assert_eq!(value(&run, "vus", "max"), 20.0);
        assert_eq!(run.benchmarks.len(), 1);
    }

    #[test]
    fn reads_times_with_offsets_in_the_trimmed_dashboard_run() {
        let run = parse(DASHBOARD).unwrap();
        let points = raw_points(DASHBOARD);
        assert_eq!(
            run.meta.timestamp.as_deref(),
            Some("2023-09-08T21:03:10.549397854+02:00")
        );
        let seconds = test_seconds(&points);
        assert!((seconds - 2.32744036).abs() < 1e-9);
        assert_eq!(value(&run, "http_reqs", "count"), 35.0);
        assert!((value(&run, "http_reqs", "rate") - 35.0 / seconds).abs() < 1e-9);
        // An empty `group` (the root group) is left out of series names.
        let redirect = "http_req_duration{expected_response:true,method:GET,name:http://test.k6.io,scenario:contacts,status:308}";
        let raw = sorted(&points, "http_req_duration", |t| t["status"] == "308");
        assert_eq!(raw.len(), 18);
        assert_percentiles(histogram(&run, redirect, "latency"), &raw);
        assert_percentiles(
            histogram(&run, "http_req_waiting", "latency"),
            &sorted(&points, "http_req_waiting", |_| true),
        );
        assert_eq!(value(&run, "vus", "value"), 2.0);
        assert_eq!(value(&run, "iterations{scenario:contacts}", "count"), 16.0);
    }

    #[test]
    fn reads_gzipped_output_and_concatenated_gzip_members() {
        let plain = parse(JOXTACY).unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(JOXTACY.as_bytes()).unwrap();
        let bytes = gz.finish().unwrap();
        assert!(is_gzip(&bytes));
        assert!(!is_gzip(JOXTACY.as_bytes()));
        assert_eq!(parse_read(bytes.as_slice()).unwrap(), plain);
        // `cat a.gz b.gz` is one gzip stream of two members.
        let (first, second) = JOXTACY.split_at(JOXTACY.len() / 2);
        let mut two = Vec::new();
        for part in [first, second] {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            gz.write_all(part.as_bytes()).unwrap();
            two.extend(gz.finish().unwrap());
        }
        assert_eq!(parse_read(two.as_slice()).unwrap(), plain);
        // Plain text goes through parse_read as well.
        assert_eq!(parse_read(JOXTACY.as_bytes()).unwrap(), plain);
    }

    #[test]
    fn fails_on_a_corrupt_gzip_stream_with_the_line_it_reached() {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(JOXTACY.as_bytes()).unwrap();
        let mut bytes = gz.finish().unwrap();
        let middle = bytes.len() / 2;
        bytes.truncate(middle);
        let e = parse_read(bytes.as_slice()).unwrap_err();
        assert!(e.line.is_some_and(|l| l > 1), "{e}");
        assert!(e.message.contains("cannot read the k6 output"), "{e}");
    }

    /// Hands out one byte per read, as a slow pipe may.
    struct Trickle<'a>(&'a [u8]);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            match (self.0.split_first(), buf.first_mut()) {
                (Some((b, rest)), Some(slot)) => {
                    *slot = *b;
                    self.0 = rest;
                    Ok(1)
                }
                _ => Ok(0),
            }
        }
    }

    #[test]
    fn sniffs_gzip_from_a_reader_that_gives_one_byte_at_a_time() {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(DASHBOARD.as_bytes()).unwrap();
        let bytes = gz.finish().unwrap();
        let expected = parse(DASHBOARD).unwrap();
        assert_eq!(parse_read(Trickle(&bytes)).unwrap(), expected);
        assert_eq!(parse_read(Trickle(DASHBOARD.as_bytes())).unwrap(), expected);
        assert!(parse_read(Trickle(b"")).is_err());
    }

    #[test]
    fn reads_crlf_line_endings_blank_lines_and_a_bom() {
        let plain = parse(JOXTACY).unwrap();
        let crlf = JOXTACY.replace('\n', "\r\n");
        assert_eq!(parse(&crlf).unwrap(), plain);
        let spaced = format!("\u{feff}\n  \n{}\n\n", JOXTACY.replace('\n', "\n\r\n"));
        assert_eq!(parse(&spaced).unwrap(), plain);
    }

    #[test]
    fn reads_lines_split_across_small_read_buffers() {
        let whole = parse(DASHBOARD).unwrap();
        for capacity in [1, 7, 64, 333, 4096] {
            let reader = BufReader::with_capacity(capacity, DASHBOARD.as_bytes());
            assert_eq!(parse_reader(reader).unwrap(), whole, "buffer of {capacity}");
        }
        let crlf = DASHBOARD.replace('\n', "\r\n");
        let reader = BufReader::with_capacity(100, crlf.as_bytes());
        assert_eq!(parse_reader(reader).unwrap(), whole);
    }

    #[test]
    fn serde_json_reads_whatever_the_scanner_leaves_the_same_way() {
        let fast = parse(JOXTACY).unwrap();
        // An escape sends every line to serde_json.
        let escaped = JOXTACY
            .replace("\"Point\"", "\"P\\u006fint\"")
            .replace("\"Metric\"", "\"M\\u0065tric\"");
        assert_eq!(parse(&escaped).unwrap(), fast);
        // Keys in another order, and whitespace, go through the scanner's general path.
        let reordered: String = JOXTACY
            .lines()
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                format!(
                    "{}\n",
                    serde_json::to_string_pretty(&v).unwrap().replace('\n', " ")
                )
            })
            .collect();
        assert!(reordered
            .trim_start_matches(['{', ' '])
            .starts_with("\"data\""));
        assert_eq!(parse(&reordered).unwrap(), fast);
        // Tag values escaped in a few lines only.
        let some = JOXTACY.replacen("\"::Contacts flow\"", "\"::Contacts\\u0020flow\"", 3);
        assert_eq!(parse(&some).unwrap(), fast);
    }

    #[test]
    fn fails_on_a_line_that_is_not_json_with_its_line_number() {
        let mut lines: Vec<&str> = JOXTACY.lines().collect();
        lines.insert(4, "k6 v0.49.0: running test");
        let e = err(&lines.join("\n"));
        assert_eq!(e.line, Some(5), "{e}");
        assert!(
            e.message.contains("expected one JSON object per line"),
            "{e}"
        );
        let point =
            r#"{"metric":"vus","type":"Point","data":{"time":"2024-05-01T10:00:00Z","value":1}}"#;
        let e = err(&format!("{point}\n[1, 2]\n"));
        assert_eq!(e.line, Some(2), "{e}");
        assert!(e.message.contains("found `[1, 2]`"), "{e}");
        let e = err(&format!("{point}\n{{\"hello\": 1}}\n"));
        assert_eq!(e.line, Some(2), "{e}");
        assert!(e.message.contains("`type` \"Point\" or \"Metric\""), "{e}");
        let e = err(&format!(
            "{point}\n{{\"metric\":\"vus\",\"type\":\"Point\"}}\n"
        ));
        assert!(e.message.contains("no `data` object"), "{e}");
    }

    #[test]
    fn fails_on_a_point_without_a_numeric_value() {
        let line = |value: &str| {
            format!(
                "{{\"metric\":\"vus\",\"type\":\"Point\",\"data\":{{\"time\":\"2024-05-01T10:00:00Z\",\"value\":{value},\"tags\":{{}}}}}}\n"
            )
        };
        for (value, found) in [
            ("\"12\"", "a string"),
            ("null", "nothing"),
            ("true", "a boolean"),
        ] {
            let text = format!("{}{}", line("1"), line(value));
            let e = err(&text);
            assert_eq!(e.line, Some(2), "{e}");
            assert!(e.message.contains("no numeric `data.value`"), "{e}");
            assert!(e.message.contains(found), "{e}");
        }
        let e = err(r#"{"metric":"vus","type":"Point","data":{"time":"2024-05-01T10:00:00Z"}}"#);
        assert!(e.message.contains("found nothing"), "{e}");
        let e = err(
            r#"{"metric":"vus","type":"Point","data":{"time":"2024-05-01T10:00:00Z","value":1e999}}"#,
        );
        assert_eq!(e.line, Some(1), "{e}");
    }

    #[test]
    fn fails_on_a_truncated_last_line() {
        let cut = &JOXTACY[..JOXTACY.len() - 40];
        let e = err(cut);
        assert_eq!(e.line, Some(JOXTACY.lines().count()), "{e}");
        assert!(e.message.contains("truncated"), "{e}");
        // Through small buffers too.
        let e = parse_reader(BufReader::with_capacity(50, cut.as_bytes())).unwrap_err();
        assert_eq!(e.line, Some(JOXTACY.lines().count()), "{e}");
        // A complete last line without its newline is fine.
        let run = parse(JOXTACY.trim_end()).unwrap();
        assert_eq!(run, parse(JOXTACY).unwrap());
    }

    #[test]
    fn fails_when_there_are_no_points() {
        let metrics_only: String = JOXTACY
            .lines()
            .filter(|l| l.contains("\"type\":\"Metric\""))
            .map(|l| format!("{l}\n"))
            .collect();
        for text in ["", "\n\n", metrics_only.as_str()] {
            let e = err(text);
            assert_eq!(e.line, None);
            assert!(e.message.contains("no k6 Points"), "{e}");
        }
    }

    #[test]
    fn fails_on_a_negative_trend_value_or_a_bad_time() {
        let e = err(
            r#"{"metric":"http_req_duration","type":"Point","data":{"time":"2024-05-01T10:00:00Z","value":-0.5,"tags":{}}}"#,
        );
        assert_eq!(e.line, Some(1));
        assert!(e.message.contains("must not be negative"), "{e}");
        let e = err(
            r#"{"metric":"vus","type":"Point","data":{"time":"yesterday","value":1,"tags":{}}}"#,
        );
        assert!(e.message.contains("not an RFC 3339 time"), "{e}");
        let e = err(r#"{"metric":"vus","type":"Point","data":{"value":1,"tags":{}}}"#);
        assert!(e.message.contains("no `data.time`"), "{e}");
        // Gauges may go below zero.
        let run = parse(r#"{"type":"Metric","data":{"type":"gauge","contains":"default"},"metric":"temperature"}
{"metric":"temperature","type":"Point","data":{"time":"2024-05-01T10:00:00Z","value":-3.5,"tags":{}}}"#)
        .unwrap();
        assert_eq!(value(&run, "temperature", "min"), -3.5);
    }

    #[test]
    fn reads_built_in_metrics_without_their_metric_line_but_not_custom_ones() {
        let run = parse(r#"{"metric":"http_req_duration","type":"Point","data":{"time":"2024-05-01T10:00:00Z","value":12.5,"tags":{"status":"200"}}}
{"metric":"data_sent","type":"Point","data":{"time":"2024-05-01T10:00:02Z","value":100,"tags":{}}}"#)
        .unwrap();
        assert!(close(
            histogram(&run, "http_req_duration", "latency").max(),
            12_500_000.0
        ));
        assert_eq!(metric(&run, "data_sent", "count").unit, Unit::Bytes);
        assert_eq!(value(&run, "data_sent", "rate"), 50.0);
        let e = err(
            r#"{"metric":"login_time","type":"Point","data":{"time":"2024-05-01T10:00:00Z","value":1,"tags":{}}}"#,
        );
        assert!(e.message.contains("before the Metric line"), "{e}");
        let e = err(r#"{"type":"Metric","data":{"type":"histogram"},"metric":"x"}"#);
        assert!(e.message.contains("unknown type `histogram`"), "{e}");
    }

    #[test]
    fn names_custom_trends_value_and_keeps_declared_submetrics() {
        let run = parse(CHECKS).unwrap();
        let items = metric(&run, "cart_items", "value");
        assert_eq!(items.unit, Unit::Count);
        assert_eq!(histogram(&run, "cart_items", "value").max(), 7.0);
        assert_eq!(value(&run, "cart_items{scenario:default}", "count"), 2.0);

        let text = r#"{"type":"Metric","data":{"name":"login_duration","type":"trend","contains":"time","thresholds":["p(95)<300"],"submetrics":[{"name":"login_duration{url:https://x/login}","suffix":"url:https://x/login","tags":{"url":"https://x/login"}},{"name":"login_duration{scenario:auth}","suffix":"scenario:auth","tags":{"scenario":"auth"}}]},"metric":"login_duration"}
{"metric":"login_duration","type":"Point","data":{"time":"2024-05-01T10:00:00Z","value":100,"tags":{"scenario":"auth","url":"https://x/login"}}}
{"metric":"login_duration","type":"Point","data":{"time":"2024-05-01T10:00:01Z","value":200,"tags":{"scenario":"auth","url":"https://x/other"}}}
{"metric":"login_duration","type":"Point","data":{"time":"2024-05-01T10:00:02Z","value":300,"tags":{"scenario":"browse","url":"https://x/login"}}}
"#;
        let run = parse(text).unwrap();
        let all: Vec<&str> = run.benchmarks.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(
            all,
            [
                "login_duration",
                "login_duration{scenario:auth}",
                "login_duration{scenario:browse}",
                "login_duration{url:https://x/login}",
            ]
        );
        // `{scenario:auth}` is both a declared submetric and a tag set: one series.
        assert_eq!(value(&run, "login_duration{scenario:auth}", "count"), 2.0);
        assert_eq!(
            value(&run, "login_duration{url:https://x/login}", "count"),
            2.0
        );
        assert!(close(
            histogram(&run, "login_duration{url:https://x/login}", "latency").max(),
            300_000_000.0
        ));
        assert_eq!(value(&run, "login_duration", "count"), 3.0);
    }

    #[test]
    fn folds_tag_sets_beyond_the_limit_into_the_whole_metric() {
        let mut text = String::new();
        let n = MAX_TAG_SETS_PER_METRIC + 5;
        for i in 0..n {
            text.push_str(&format!(
                "{{\"metric\":\"http_reqs\",\"type\":\"Point\",\"data\":{{\"time\":\"2024-05-01T10:00:{:02}Z\",\"value\":1,\"tags\":{{\"name\":\"https://x/item/{i}\",\"method\":\"GET\"}}}}}}\n",
                i % 60
            ));
        }
        let run = parse(&text).unwrap();
        assert_eq!(value(&run, "http_reqs", "count"), n as f64);
        assert_eq!(run.benchmarks.len(), 1 + MAX_TAG_SETS_PER_METRIC);
        assert!(run
            .benchmark("http_reqs{method:GET,name:https://x/item/0}")
            .is_some());
        let note = &run.meta.environment.extra["folded_points"];
        assert!(note.starts_with("http_reqs (5 points)"), "{note}");
    }

    #[test]
    fn ignores_unknown_line_kinds_and_counts_them() {
        let text = format!("{JOXTACY}{{\"type\":\"Summary\",\"metric\":\"x\",\"data\":{{}}}}\n");
        let run = parse(&text).unwrap();
        assert_eq!(run.meta.environment.extra["ignored_lines"], "1");
    }

    #[test]
    fn fails_on_invalid_utf8_and_on_endless_lines() {
        let mut bytes = JOXTACY.as_bytes().to_vec();
        let at = JOXTACY.find("Contacts").unwrap();
        bytes[at] = 0xff;
        let line = JOXTACY[..at].matches('\n').count() + 1;
        let e = parse_reader(bytes.as_slice()).unwrap_err();
        assert_eq!(e.line, Some(line), "{e}");
        let e = parse_reader(BufReader::with_capacity(64, bytes.as_slice())).unwrap_err();
        assert_eq!(e.line, Some(line), "{e}");
        let endless = vec![b'{'; MAX_LINE_BYTES + 10];
        let e = parse_reader(BufReader::with_capacity(1 << 16, endless.as_slice())).unwrap_err();
        assert_eq!(e.line, Some(1));
        assert!(e.message.contains("longer than 16 MiB"), "{e}");
    }

    #[test]
    fn parses_rfc3339_times_with_offsets_and_nanoseconds() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            parse_rfc3339("2024-02-21T16:43:55.731642359Z"),
            Some(1_708_533_835_731_642_359)
        );
        // The same instant with an offset.
        assert_eq!(
            parse_rfc3339("2024-02-21T18:43:55.731642359+02:00"),
            parse_rfc3339("2024-02-21T16:43:55.731642359Z")
        );
        assert_eq!(
            parse_rfc3339("2024-02-21T11:13:55.7316-05:30"),
            Some(1_708_533_835_731_600_000)
        );
        assert_eq!(
            parse_rfc3339("2024-02-29T00:00:00.1234567891Z"),
            Some(1_709_164_800_123_456_789)
        );
        assert_eq!(parse_rfc3339("1969-12-31T23:59:59Z"), Some(-1_000_000_000));
        for bad in [
            "",
            "2024-02-21",
            "2024-02-21T16:43:55",
            "2023-02-29T00:00:00Z",
            "2024-13-01T00:00:00Z",
            "2024-02-21T24:00:00Z",
            "2024-02-21T16:43:55.Z",
            "2024-02-21T16:43:55+0200",
            "2024-02-21T16:43:55Zjunk",
            "２024-02-21T16:43:55Z",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }

    #[test]
    fn recognises_k6_lines_and_gzip_magic() {
        let first = JOXTACY.lines().next().unwrap();
        assert!(looks_like_line(first));
        assert!(looks_like_line(DASHBOARD.lines().nth(1).unwrap()));
        assert!(looks_like_line(&format!("\u{feff}{first}\r")));
        assert!(!looks_like_line(r#"{"type":"Point","data":{}}"#));
        assert!(!looks_like_line(r#"{"metrics":{},"root_group":{}}"#));
        assert!(!looks_like_line("BenchmarkFoo-8   100   12 ns/op"));
        assert!(is_gzip(&[0x1f, 0x8b, 8]));
        assert!(!is_gzip(&[0x1f]));
        // The first bytes of a file, plain or gzipped.
        assert!(sniff(JOXTACY.as_bytes().get(..4096).unwrap()));
        assert!(sniff(format!("\u{feff}\n\n{DASHBOARD}").as_bytes()));
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(JOXTACY.as_bytes()).unwrap();
        let bytes = gz.finish().unwrap();
        assert!(sniff(&bytes[..bytes.len() / 3]));
        assert!(!sniff(br#"{"metrics": {}, "root_group": {}}"#));
        assert!(!sniff(b"BenchmarkFoo-8 100 12 ns/op\n"));
        assert!(!sniff(b""));
    }

    #[test]
    fn scanner_reads_numbers_exactly_as_serde_json() {
        for n in [
            "0",
            "-0",
            "1",
            "224.534453",
            "0.00128",
            "123456789012345",
            "1234567890123456",
            "0.1",
            "1e3",
            "1.5E-7",
            "-12.25",
            "9007199254740993",
            "3.141592653589793238",
        ] {
            let text = format!(
                "{{\"metric\":\"x\",\"type\":\"Point\",\"data\":{{\"time\":\"t\",\"value\":{n},\"tags\":null}}}}\n"
            );
            let expected: f64 = serde_json::from_str(n).unwrap();
            match fast::line(
                text.as_bytes(),
                false,
                &[&[]; RECENT_TAGS],
                &KnownTags::default(),
                &mut Vec::new(),
            ) {
                fast::Line::Point { value, .. } => {
                    assert_eq!(value.to_bits(), expected.to_bits(), "{n}");
                }
                _ => panic!("{n} was not read as a Point"),
            }
        }
    }

    #[test]
    fn snapshot_of_a_complete_k6_run() {
        insta::assert_json_snapshot!("joxtacy_k6_results", parse(JOXTACY).unwrap());
    }
}
