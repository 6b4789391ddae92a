use std::collections::BTreeMap;
use std::io::Write as _;

use std::io::BufReader;

use super::aggregate::{rfc3339_ns, round_non_negative};
use super::scan;
use super::tags::{KnownTags, RECENT_TAGS};
use super::*;
use crate::formats::test_support::{metric, value};
use crate::model::{Benchmark, Data, Direction, Histogram, Unit};

const JOXTACY: &str = include_str!("../../../tests/fixtures/k6-ndjson/joxtacy-k6-results.ndjson");
const DASHBOARD: &str =
    include_str!("../../../tests/fixtures/k6-ndjson/xk6-dashboard-result.head400.ndjson");

const CONTACTS: &str = "http_req_duration{expected_response:true,group:::Contacts flow,method:GET,name:https://test.k6.io/contacts.php,scenario:default,status:200}";

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
    let e =
        err(r#"{"metric":"vus","type":"Point","data":{"time":"yesterday","value":1,"tags":{}}}"#);
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
    assert_eq!(rfc3339_ns(b"1970-01-01T00:00:00Z"), Some(0));
    assert_eq!(
        rfc3339_ns(b"2024-02-21T16:43:55.731642359Z"),
        Some(1_708_533_835_731_642_359)
    );
    // The same instant with an offset.
    assert_eq!(
        rfc3339_ns(b"2024-02-21T18:43:55.731642359+02:00"),
        rfc3339_ns(b"2024-02-21T16:43:55.731642359Z")
    );
    assert_eq!(
        rfc3339_ns(b"2024-02-21T11:13:55.7316-05:30"),
        Some(1_708_533_835_731_600_000)
    );
    assert_eq!(
        rfc3339_ns(b"2024-02-29T00:00:00.1234567891Z"),
        Some(1_709_164_800_123_456_789)
    );
    assert_eq!(rfc3339_ns(b"1969-12-31T23:59:59Z"), Some(-1_000_000_000));
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
        assert_eq!(rfc3339_ns(bad.as_bytes()), None, "{bad}");
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
        match scan::line(
            text.as_bytes(),
            false,
            &[&[]; RECENT_TAGS],
            &KnownTags::default(),
            &mut Vec::new(),
        ) {
            scan::Line::Point { value, .. } => {
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

#[test]
fn trend_values_round_as_f64_round_does() {
    let mut values = vec![
        0.0,
        0.5,
        1.5,
        2.5,
        0.499_999_999_999_999_94,
        0.500_000_000_000_000_1,
        123_456.499_999,
        123_456.5,
        4_503_599_627_370_495.5, // 2^52 - 0.5: the largest with a fraction of one half
        4_503_599_627_370_496.0,
        9_007_199_254_740_993.0,
        (1u64 << 62) as f64,
    ];
    // k6's millisecond values with six decimals, scaled to nanoseconds as the reader scales them.
    let mut x = 0x2545_f491_4f6c_dd1d_u64;
    for _ in 0..100_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        values.push((x % 100_000_000_000) as f64 / 1e6 * 1e6);
        values.push((x % 1_000_000) as f64 / 1e6 * 1e6);
    }
    for v in values {
        assert_eq!(round_non_negative(v), v.round() as u64, "{v}");
    }
}
