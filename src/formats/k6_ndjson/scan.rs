//! A scanner for the compact JSON lines k6 writes. It accepts a strict subset of JSON (no string
//! escapes, string tag values) and gives up on anything else, so what it accepts it reads exactly
//! as serde_json would.

use super::tags::{KnownTags, Span, RECENT_TAGS};

pub(super) enum Line<'a> {
    Point {
        /// Not checked for UTF-8 (see [`super::aggregate::State::point`]).
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

/// True when a byte below 0x20 (a control character, not allowed in a JSON string) is in
/// `bytes`. Written without an early exit so that it compiles to vector compares: the strings
/// checked are short, and checking them a byte at a time was a tenth of the scanner's time.
fn has_control_byte(bytes: &[u8]) -> bool {
    bytes.iter().fold(0u8, |seen, &b| seen | u8::from(b < 0x20)) != 0
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
        self.members(|c, key| {
            match key {
                "metric" if metric.is_none() => metric = Some(c.string()?),
                "type" if kind.is_none() => kind = Some(c.string()?),
                "data" if data.is_none() => data = Some(c.data(spans)?),
                "metric" | "type" | "data" => return Err(Stop::Bad),
                _ => c.skip_value(0)?,
            }
            Ok(())
        })?;
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
        self.members(|c, key| {
            match key {
                "time" if d.time.is_none() => d.time = Some(c.string()?),
                "value" if d.value.is_none() => d.value = Some(c.number()?),
                "tags" if d.tags.is_none() => d.tags = Some(c.tags(spans)?),
                "time" | "value" | "tags" => return Err(Stop::Bad),
                _ => c.skip_value(1)?,
            }
            Ok(())
        })?;
        Ok(d)
    }

    /// The members of an object whose `{` was just read, up to and including its `}`: `member`
    /// reads each value, given its key.
    fn members(&mut self, mut member: impl FnMut(&mut Self, &'a str) -> Scan<()>) -> Scan<()> {
        loop {
            self.skip_ws();
            let key = self.string()?;
            self.expect(b':')?;
            self.skip_ws();
            member(self, key)?;
            self.skip_ws();
            match self.next()? {
                b',' => {}
                b'}' => return Ok(()),
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
        let line = rest.get(..memchr::memchr(b'\n', rest).unwrap_or(rest.len()));
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
        let rest = self.b.get(start..).unwrap_or_default();
        // The first quote or backslash ends the string; a control character before it is not
        // JSON.
        let stop = memchr::memchr2(b'"', b'\\', rest);
        let contents = rest.get(..stop.unwrap_or(rest.len())).unwrap_or_default();
        if has_control_byte(contents) {
            return Err(Stop::Bad);
        }
        match stop.map(|n| (n, rest.get(n))) {
            Some((n, Some(b'"'))) => {
                self.i = start + n + 1;
                Ok((start, start + n))
            }
            Some(_) => Err(Stop::Bad),
            None => Err(Stop::Eof),
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
