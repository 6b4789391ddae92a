//! Folding k6 Points into series: a metric's kind and unit, one accumulator per series (whole
//! metric, declared submetrics, identity tag sets), the test's time span, and at the end the
//! benchmarks of the run.

use std::collections::HashMap;

use rustc_hash::FxBuildHasher;

use super::tags::{Interner, TagEntry, TagSetId, IDENTITY_TAGS};
use crate::formats::k6::{contained_unit, counts_bad_events, Contains};
use crate::formats::spec::ParseError;
use crate::model::{Benchmark, Data, Direction, Histogram, Metric, Run, RunMeta, Unit};

/// Tag sets kept per metric; Points of further tag sets count only in the whole metric.
pub const MAX_TAG_SETS_PER_METRIC: usize = 1000;

/// Tag-set histograms kept over all trend metrics. One histogram takes up to ~170 KB for latencies
/// up to a second and ~220 KB up to a minute (it grows with the largest value recorded), so this
/// bounds memory to ~200 MB in the worst case; a test with tens of endpoints uses tens of MB.
pub const MAX_TAG_SET_HISTOGRAMS: usize = 1000;

/// Largest value a histogram records, in its unit (~146 years in nanoseconds); larger ones are
/// clamped to it and counted in `meta.environment.extra["clamped_values"]`.
const MAX_RECORDABLE: f64 = (1u64 << 62) as f64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Trend,
    Counter,
    Rate,
    Gauge,
}

impl Kind {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Kind::Trend => "trend",
            Kind::Counter => "counter",
            Kind::Rate => "rate",
            Kind::Gauge => "gauge",
        }
    }
}

/// k6's built-in metrics, for Points whose Metric line is missing (a file cut at the front).
pub(super) fn builtin(name: &str) -> Option<(Kind, Contains)> {
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
pub(super) const TREND_BATCH: usize = 256;

/// A trend series' histogram, with the values not yet recorded.
pub(super) struct Trend {
    hist: Histogram,
    pending: Vec<u64>,
}

impl Trend {
    #[inline]
    pub(super) fn add(&mut self, value: f64) {
        // The caller checked it: finite, 0..=MAX_RECORDABLE.
        self.pending.push(round_non_negative(value));
        if self.pending.len() >= TREND_BATCH {
            self.flush();
        }
    }

    #[inline(never)]
    pub(super) fn flush(&mut self) {
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
    pub(super) fn settled(&mut self) -> &Histogram {
        self.flush();
        &self.hist
    }
}

/// `value.round() as u64` for a finite `value >= 0`, without the call to libm's `round` that
/// `f64::round` makes on a baseline x86-64 target (one per trend Point): the truncated value and
/// the exact fraction left (exact while `value < 2^53`; above, `value` is a whole number).
#[inline]
pub(super) fn round_non_negative(value: f64) -> u64 {
    let whole = value as u64;
    if value - whole as f64 >= 0.5 {
        whole + 1
    } else {
        whole
    }
}

/// One series' running statistics.
pub(super) enum Acc {
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
    pub(super) fn new(kind: Kind) -> Acc {
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
    pub(super) fn add(&mut self, scaled: f64) {
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

    pub(super) fn is_empty(&self) -> bool {
        match self {
            Acc::Trend(t) => t.hist.is_empty() && t.pending.is_empty(),
            Acc::Counter { .. } => false,
            Acc::Rate { total, .. } => *total == 0,
            Acc::Gauge { n, .. } => *n == 0,
        }
    }
}

pub(super) struct Submetric {
    name: String,
    selector: Vec<(String, String)>,
    acc: Acc,
    used: bool,
    /// A trend submetric selecting on identity tags only: the sum of the tag-set histograms it
    /// selects, added up at the end, plus the Points that have no tag-set series.
    derived: bool,
}

pub(super) struct MetricState {
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
    /// The index in `series` of each interned tag set id, [`NO_SERIES`] where it has none: the
    /// ids are dense (fewer than [`super::tags::MAX_INTERNED_TAG_SETS`]), so a lookup is one load, not a hash.
    by_tag_set: Vec<u32>,
    series: Vec<(u32, Acc)>,
    folded: u64,
}

/// A tag set without a series of its own in a metric.
const NO_SERIES: u32 = u32::MAX;

impl MetricState {
    /// Records that tag set `id` is counted in `series[slot]`.
    fn map_series(&mut self, id: u32, slot: u32) {
        let Ok(id) = usize::try_from(id) else {
            return;
        };
        if self.by_tag_set.len() <= id {
            self.by_tag_set.resize(id + 1, NO_SERIES);
        }
        if let Some(s) = self.by_tag_set.get_mut(id) {
            *s = slot;
        }
    }

    pub(super) fn new(name: &str, kind: Kind, contains: Contains) -> MetricState {
        let mut m = MetricState {
            name: name.to_string(),
            is_checks: name == "checks",
            next: 0,
            kind,
            contains,
            whole: Acc::new(kind),
            whole_used: false,
            submetrics: Vec::new(),
            by_tag_set: Vec::new(),
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

    pub(super) fn add_submetric(&mut self, name: String, selector: Vec<(String, String)>) {
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
    pub(super) fn factor(&self) -> f64 {
        contained_unit(self.contains).1
    }
}

/// What a Metric line declares.
pub(super) struct Declaration {
    pub name: String,
    /// `trend`, `counter`, `rate` or `gauge`; when absent, a built-in metric's own.
    pub kind: Option<String>,
    /// `time`, `data` or `default`; when absent, a built-in metric's own.
    pub contains: Option<String>,
    /// Submetric names with the tags they select.
    pub submetrics: Vec<(String, Vec<(String, String)>)>,
}

#[derive(Default)]
pub(super) struct State {
    metrics: Vec<MetricState>,
    by_name: HashMap<Box<[u8]>, usize, FxBuildHasher>,
    /// The identity tag sets seen so far.
    pub(super) interner: Interner,
    tag_set_histograms: usize,
    points: u64,
    clamped: u64,
    pub(super) ignored_lines: u64,
    last_time_raw: Vec<u8>,
    last_time: i128,
    first: Option<(i128, String)>,
    last: Option<i128>,
    /// The metric of the previous Point.
    previous: Option<usize>,
}

impl State {
    pub(super) fn declare(&mut self, d: Declaration, line: usize) -> Result<(), ParseError> {
        let name = d.name.as_str();
        let inferred = builtin(name);
        let kind = match d.kind.as_deref() {
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
        let contains = match d.contains.as_deref() {
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
        for (sub_name, selector) in d.submetrics {
            m.add_submetric(sub_name, selector);
        }
        Ok(())
    }

    /// The index of the metric named `metric` (bytes: compared with names already checked).
    pub(super) fn metric_index(&mut self, metric: &[u8], line: usize) -> Result<usize, ParseError> {
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

    pub(super) fn lookup_metric(
        &mut self,
        metric: &[u8],
        line: usize,
    ) -> Result<usize, ParseError> {
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

    pub(super) fn time(
        &mut self,
        time: &[u8],
        metric: &[u8],
        line: usize,
    ) -> Result<i128, ParseError> {
        if time == self.last_time_raw.as_slice() && !self.last_time_raw.is_empty() {
            return Ok(self.last_time);
        }
        let Some(t) = rfc3339_ns(time) else {
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
    pub(super) fn point(
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
                let known = usize::try_from(id)
                    .ok()
                    .and_then(|i| m.by_tag_set.get(i))
                    .filter(|&&i| i != NO_SERIES);
                let slot = match known {
                    Some(&i) => usize::try_from(i).ok(),
                    None => {
                        let full = m.series.len() >= MAX_TAG_SETS_PER_METRIC
                            || (m.kind == Kind::Trend
                                && self.tag_set_histograms >= MAX_TAG_SET_HISTOGRAMS);
                        match u32::try_from(m.series.len()) {
                            Ok(i) if !full => {
                                m.series.push((id, Acc::new(m.kind)));
                                m.map_series(id, i);
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

    pub(super) fn finish(self) -> Result<Run, ParseError> {
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
pub(super) struct Shape<'a> {
    name: &'a str,
    contains: Contains,
}

impl Shape<'_> {
    pub(super) fn benchmark(&self, series: String, acc: Acc, duration: Option<f64>) -> Benchmark {
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

/// Nanoseconds since the Unix epoch of an RFC 3339 time (`2023-09-08T21:03:10.549397854+02:00`):
/// `T`, `t` or a space between date and time, any number of fraction digits (nanoseconds kept),
/// `Z` or a `±hh:mm` offset.
pub(super) fn rfc3339_ns(time: &[u8]) -> Option<i128> {
    let t = crate::model::instant(std::str::from_utf8(time).ok()?)?;
    // A leap second's nanoseconds run past 10^9, which lands it in the next second.
    Some(i128::from(t.timestamp()) * 1_000_000_000 + i128::from(t.timestamp_subsec_nanos()))
}
