//! Throughput of the k6 `--out json` reader against `wc -l` on the same file.
//!
//! Generates a deterministic NDJSON file shaped like real k6 output (Metric lines, then per request
//! nine `http_req_*` Points sharing one tags object, a `checks` Point per request, per iteration
//! `data_*`/`iteration_duration`/`iterations`, and `vus`/`vus_max` once a second) in the temp
//! directory, times `perfgate::formats::k6_ndjson::parse_reader` and `wc -l` on it, prints both in
//! MB/s with their ratio, and removes the file.
//!
//! - `PERFGATE_BENCH_MB`: file size in MB (default 300).
//! - `PERFGATE_BENCH_PARSE_FILE=<path>`: parse that file once and print what was read (for
//!   `/usr/bin/time -v` peak-memory measurements); with `PERFGATE_BENCH_WRITE_FILE=<path>` the
//!   generated file is written there and kept instead.
//!
//! `cargo bench --bench k6_ndjson`

// A benchmark harness: a panic here is a failed benchmark run, not a crash on user input.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use perfgate::formats::k6_ndjson;

/// Removes the generated file however the benchmark ends.
struct TempFile(PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// xorshift64*: deterministic and fast.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A k6-like duration in ms with 6 decimals: log-normal-ish around `median`.
    fn ms(&mut self, median: f64) -> f64 {
        let spread = (self.unit() + self.unit() + self.unit() - 1.5) * 1.2;
        (median * spread.exp() * 1e6).round() / 1e6
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }
}

const ENDPOINTS: &[(&str, &str, &str, f64)] = &[
    ("GET", "https://test.k6.io/", "::Home", 120.0),
    (
        "GET",
        "https://test.k6.io/contacts.php",
        "::Contacts flow",
        180.0,
    ),
    (
        "POST",
        "https://test.k6.io/login.php",
        "::Contacts flow",
        240.0,
    ),
    ("GET", "https://test.k6.io/news.php", "::News", 95.0),
    (
        "GET",
        "https://test.k6.io/flip_coin.php?bet=heads",
        "::Coinflip game",
        110.0,
    ),
    (
        "GET",
        "https://test.k6.io/flip_coin.php?bet=tails",
        "::Coinflip game",
        110.0,
    ),
    ("GET", "https://test.k6.io/pi.php?decimals=3", "", 60.0),
    (
        "PUT",
        "https://test.k6.io/my_messages.php",
        "::Messages",
        300.0,
    ),
];

const METRICS: &[(&str, &str, &str)] = &[
    ("http_reqs", "counter", "default"),
    ("http_req_duration", "trend", "time"),
    ("http_req_blocked", "trend", "time"),
    ("http_req_connecting", "trend", "time"),
    ("http_req_tls_handshaking", "trend", "time"),
    ("http_req_sending", "trend", "time"),
    ("http_req_waiting", "trend", "time"),
    ("http_req_receiving", "trend", "time"),
    ("http_req_failed", "rate", "default"),
    ("checks", "rate", "default"),
    ("data_sent", "counter", "data"),
    ("data_received", "counter", "data"),
    ("iteration_duration", "trend", "time"),
    ("iterations", "counter", "default"),
    ("vus", "gauge", "default"),
    ("vus_max", "gauge", "default"),
];

/// `2024-02-21T16:43:55.731642359Z` for `ns` nanoseconds after 2024-02-21T16:00:00Z.
fn timestamp(out: &mut String, ns: u64) {
    use std::fmt::Write as _;
    let secs = ns / 1_000_000_000;
    let (h, m, s) = (16 + secs / 3600, (secs / 60) % 60, secs % 60);
    let _ = write!(
        out,
        "2024-02-21T{h:02}:{m:02}:{s:02}.{:09}Z",
        ns % 1_000_000_000
    );
}

struct Writer<W: Write> {
    out: W,
    declared: Vec<bool>,
    time: String,
    written: u64,
}

impl<W: Write> Writer<W> {
    fn point(&mut self, metric: usize, value: f64, tags: &str) {
        let (name, kind, contains) = METRICS[metric];
        if !self.declared[metric] {
            self.declared[metric] = true;
            let submetrics = if name == "http_req_duration" {
                r#"[{"name":"http_req_duration{expected_response:true}","suffix":"expected_response:true","tags":{"expected_response":"true"}}]"#
            } else {
                "null"
            };
            let line = format!(
                "{{\"type\":\"Metric\",\"data\":{{\"name\":\"{name}\",\"type\":\"{kind}\",\"contains\":\"{contains}\",\"thresholds\":[],\"submetrics\":{submetrics}}},\"metric\":\"{name}\"}}\n"
            );
            self.out.write_all(line.as_bytes()).unwrap();
            self.written += line.len() as u64;
        }
        let line = format!(
            "{{\"metric\":\"{name}\",\"type\":\"Point\",\"data\":{{\"time\":\"{}\",\"value\":{value},\"tags\":{tags}}}}}\n",
            self.time
        );
        self.out.write_all(line.as_bytes()).unwrap();
        self.written += line.len() as u64;
    }
}

/// Writes about `bytes` bytes of k6 NDJSON.
fn generate(path: &Path, bytes: u64) {
    let mut w = Writer {
        out: BufWriter::with_capacity(1 << 20, File::create(path).unwrap()),
        declared: vec![false; METRICS.len()],
        time: String::new(),
        written: 0,
    };
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut ns: u64 = 0;
    let mut next_gauge: u64 = 0;
    let vus = 50.0;
    while w.written < bytes {
        let iteration_start = ns;
        let scenario = if rng.next() % 4 == 0 {
            "browse"
        } else {
            "default"
        };
        for _ in 0..4 {
            let &(method, url, group, median) = rng.pick(ENDPOINTS);
            let status = match rng.next() % 100 {
                0..=1 => "500",
                2..=4 => "404",
                _ if method == "POST" => "201",
                _ => "200",
            };
            let expected = if status.starts_with('5') || status == "404" {
                "false"
            } else {
                "true"
            };
            ns += 1_000_000 + rng.next() % 300_000_000;
            w.time.clear();
            timestamp(&mut w.time, ns);
            let tags = format!(
                "{{\"expected_response\":\"{expected}\",\"group\":\"{group}\",\"method\":\"{method}\",\"name\":\"{url}\",\"proto\":\"HTTP/1.1\",\"scenario\":\"{scenario}\",\"status\":\"{status}\",\"tls_version\":\"tls1.3\",\"url\":\"{url}\"}}"
            );
            let waiting = rng.ms(median);
            let sending = rng.ms(0.05);
            let receiving = rng.ms(0.3);
            let new_connection = rng.next() % 20 == 0;
            let (connecting, tls) = if new_connection {
                (rng.ms(30.0), rng.ms(60.0))
            } else {
                (0.0, 0.0)
            };
            let blocked = if new_connection {
                connecting + tls + rng.ms(0.5)
            } else {
                rng.ms(0.004)
            };
            let duration = ((sending + waiting + receiving) * 1e6).round() / 1e6;
            let failed = if expected == "true" { 0.0 } else { 1.0 };
            w.point(0, 1.0, &tags);
            w.point(1, duration, &tags);
            w.point(2, blocked, &tags);
            w.point(3, connecting, &tags);
            w.point(4, tls, &tags);
            w.point(5, sending, &tags);
            w.point(6, waiting, &tags);
            w.point(7, receiving, &tags);
            w.point(8, failed, &tags);
            let check_tags = format!(
                "{{\"check\":\"status is {status}\",\"group\":\"{group}\",\"scenario\":\"{scenario}\"}}"
            );
            w.point(9, 1.0 - failed, &check_tags);
        }
        let tags = format!("{{\"group\":\"\",\"scenario\":\"{scenario}\"}}");
        w.point(10, (400 + rng.next() % 200) as f64, &tags);
        w.point(11, (9000 + rng.next() % 9000) as f64, &tags);
        w.point(12, (ns - iteration_start) as f64 / 1e6, &tags);
        w.point(13, 1.0, &tags);
        if ns >= next_gauge {
            next_gauge = ns + 1_000_000_000;
            w.point(14, vus, "{}");
            w.point(15, vus, "{}");
        }
        // Fifty VUs run at once: the clock moves by a fiftieth of an iteration.
        ns = iteration_start + (ns - iteration_start) / 50;
    }
    w.out.flush().unwrap();
}

fn parse_file(path: &Path) -> perfgate::model::Run {
    let file = File::open(path).unwrap();
    k6_ndjson::parse_reader(BufReader::with_capacity(k6_ndjson::READ_BUFFER_BYTES, file)).unwrap()
}

fn wc_available() -> bool {
    Command::new("wc")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn wc_l(path: &Path) {
    let out = Command::new("wc").arg("-l").arg(path).output().unwrap();
    assert!(out.status.success(), "wc -l failed");
}

/// The best of `runs` timings of `f`.
fn best_of(runs: usize, mut f: impl FnMut()) -> Duration {
    (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn main() {
    if let Ok(path) = std::env::var("PERFGATE_BENCH_PARSE_FILE") {
        let start = Instant::now();
        let run = parse_file(Path::new(&path));
        println!(
            "parsed {path} in {:.3} s: {} benchmarks, {} metrics, extra {:?}",
            start.elapsed().as_secs_f64(),
            run.benchmarks.len(),
            run.metric_count(),
            run.meta.environment.extra
        );
        return;
    }
    let mb: u64 = std::env::var("PERFGATE_BENCH_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let keep = std::env::var("PERFGATE_BENCH_WRITE_FILE").ok();
    let path = match &keep {
        Some(p) => PathBuf::from(p),
        None => {
            std::env::temp_dir().join(format!("perfgate-k6-bench-{}.ndjson", std::process::id()))
        }
    };
    let start = Instant::now();
    generate(&path, mb * 1_000_000);
    let size = std::fs::metadata(&path).unwrap().len();
    println!(
        "generated {} ({:.0} MB) in {:.1} s",
        path.display(),
        size as f64 / 1e6,
        start.elapsed().as_secs_f64()
    );
    if keep.is_some() {
        return;
    }
    let file = TempFile(path);
    let path = file.0.as_path();

    let mut c = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(8))
        .configure_from_args();
    let mut group = c.benchmark_group("k6_ndjson");
    group.throughput(Throughput::Bytes(size));
    group.bench_function("perfgate_parse_reader", |b| {
        b.iter(|| parse_file(path));
    });
    let wc = wc_available();
    if wc {
        group.bench_function("wc_l", |b| b.iter(|| wc_l(path)));
    } else {
        println!("wc is not installed: skipping the wc -l comparison");
    }
    group.finish();

    // The same comparison as one line, best of three runs each (the file is in the page cache).
    let mb_s = |d: Duration| size as f64 / 1e6 / d.as_secs_f64();
    let ours = best_of(3, || {
        parse_file(path);
    });
    print!(
        "k6_ndjson: {:.0} MB file: perfgate {:.0} MB/s ({:.3} s)",
        size as f64 / 1e6,
        mb_s(ours),
        ours.as_secs_f64()
    );
    if wc {
        let theirs = best_of(3, || wc_l(path));
        println!(
            ", wc -l {:.0} MB/s ({:.3} s): perfgate takes {:.2}x the time of wc -l",
            mb_s(theirs),
            theirs.as_secs_f64(),
            ours.as_secs_f64() / theirs.as_secs_f64()
        );
    } else {
        println!();
    }
    c.final_summary();
}
