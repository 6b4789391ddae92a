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
//!
//! # Layout
//! This file streams the input into lines; `reader` reads one line, with the `scan`ner or
//! serde_json; `tags` recognises tags objects and interns identity tag sets; `aggregate` folds
//! Points into series and builds the run.

mod aggregate;
mod reader;
mod scan;
mod tags;
#[cfg(test)]
mod tests;

use std::io::{BufRead, BufReader, Read};

use crate::formats::spec::{Detect, ParseError, Spec};
use crate::model::Run;
use reader::{Parser, BOM};

pub use aggregate::{MAX_TAG_SETS_PER_METRIC, MAX_TAG_SET_HISTOGRAMS};
pub use tags::IDENTITY_TAGS;

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

/// A line longer than this is not k6 output; refusing it keeps memory bounded.
pub const MAX_LINE_BYTES: usize = 16 << 20;

/// The buffer [`parse_read`] reads through; also the size the CLI should give its `BufReader`.
pub const READ_BUFFER_BYTES: usize = 256 << 10;

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
        let (take, found) = match memchr::memchr(b'\n', buf) {
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
