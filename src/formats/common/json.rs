//! JSON helpers shared by the JSON parsers: reading the document, how a value is described in
//! messages, the line each
//! array element starts on (serde_json's `Value` keeps no positions), and the common "an object
//! holding an array of results under `key`" check.

use serde_json::{Map, Value};

use crate::formats::spec::ParseError;

/// `text` without a byte-order mark; an empty or blank text is an error that says what was
/// `expected`.
pub(crate) fn document_text<'a>(text: &'a str, expected: &str) -> Result<&'a str, ParseError> {
    let text = text.trim_start_matches('\u{feff}');
    if text.trim().is_empty() {
        return Err(ParseError::whole(expected.to_string()));
    }
    Ok(text)
}

/// The JSON document a parser reads: [`document_text`] and its value (read by [`lenient_json`]).
pub(crate) fn json_document<'a>(
    text: &'a str,
    expected: &str,
) -> Result<(&'a str, Value), ParseError> {
    let text = document_text(text, expected)?;
    Ok((text, lenient_json(text)?))
}

/// The JSON object a parser reads (see [`json_document`]); a document of another kind is an error
/// worded by `not_object` from it.
pub(crate) fn json_object(
    text: &str,
    empty: &str,
    not_object: impl FnOnce(&Value) -> String,
) -> Result<Map<String, Value>, ParseError> {
    match json_document(text, empty)?.1 {
        Value::Object(root) => Ok(root),
        other => Err(ParseError::whole(not_object(&other))),
    }
}

/// The JSON array a parser reads, with the text it came from (for [`item_lines`]); a document of
/// another kind is an error worded by `not_array` from it.
pub(crate) fn json_array<'a>(
    text: &'a str,
    empty: &str,
    not_array: impl FnOnce(&Value) -> String,
) -> Result<(&'a str, Vec<Value>), ParseError> {
    match json_document(text, empty)? {
        (text, Value::Array(items)) => Ok((text, items)),
        (_, other) => Err(ParseError::whole(not_array(&other))),
    }
}

/// Copies the fields `keys` names (`(field, key in extra)`) of a tool's metadata object into an
/// environment's `extra`: trimmed non-empty strings, numbers and booleans as written; other
/// values and absent fields are skipped.
pub(crate) fn copy_fields(
    obj: &Map<String, Value>,
    keys: &[(&str, &str)],
    extra: &mut std::collections::BTreeMap<String, String>,
) {
    for (field, key) in keys {
        let v = match obj.get(*field) {
            Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
            Some(Value::Number(n)) => n.to_string(),
            Some(Value::Bool(b)) => b.to_string(),
            _ => continue,
        };
        extra.insert((*key).to_string(), v);
    }
}

/// `v` as an object; otherwise the error `message` words from the kind of value it is (see
/// [`kind_of`]).
pub(crate) fn object_or(
    v: &Value,
    message: impl FnOnce(String) -> String,
) -> Result<&Map<String, Value>, String> {
    match v {
        Value::Object(o) => Ok(o),
        other => Err(message(kind_of(other))),
    }
}

/// Benchmark parameters as `key=value, ...` in key order, string values unquoted (hyperfine's
/// `parameters`, JMH's `params`).
pub(crate) fn param_label(p: &Map<String, Value>) -> String {
    let mut pairs: Vec<(&String, String)> = p
        .iter()
        .map(|(k, v)| {
            let v = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            (k, v)
        })
        .collect();
    pairs.sort_by(|a, b| a.0.cmp(b.0));
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A value described for an error message, with its content when short: `the string "x"`.
pub(crate) fn kind_of(v: &Value) -> String {
    match v {
        Value::Null => "null".to_string(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => {
            let short: String = s.chars().take(40).collect();
            if short.len() < s.len() {
                format!("the string \"{short}...\"")
            } else {
                format!("the string \"{s}\"")
            }
        }
        Value::Array(_) => "an array".to_string(),
        Value::Object(_) => "an object".to_string(),
    }
}

/// The 1-based line on which each element of an array starts: the top-level array when `key` is
/// `None`, else the array that is the value of `key` in the top-level object. serde_json's `Value`
/// keeps no positions, so errors about an element's content find its line with this scan.
pub(crate) fn item_lines(text: &str, key: Option<&str>) -> Vec<usize> {
    enum Frame {
        Array {
            target: bool,
            expecting: bool,
        },
        Object {
            expect_key: bool,
            last_key: Option<String>,
        },
    }
    let mut out = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut line = 1usize;
    let mut in_string = false;
    let mut escaped = false;
    // The key being read, when a string is an object key at depth 1.
    let mut key_buf: Option<String> = None;
    for c in text.chars() {
        if c == '\n' {
            line += 1;
        }
        if in_string {
            if escaped {
                escaped = false;
                if let Some(k) = key_buf.as_mut() {
                    k.push(c);
                }
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
                if let (Some(k), Some(Frame::Object { last_key, .. })) =
                    (key_buf.take(), stack.last_mut())
                {
                    *last_key = Some(k);
                }
            } else if let Some(k) = key_buf.as_mut() {
                k.push(c);
            }
            continue;
        }
        if c.is_whitespace() {
            continue;
        }
        if let Some(Frame::Array {
            target: true,
            expecting,
        }) = stack.last_mut()
        {
            if *expecting && c != ']' && c != ',' {
                out.push(line);
                *expecting = false;
            }
        }
        let depth = stack.len();
        match c {
            '"' => {
                in_string = true;
                if let Some(Frame::Object { expect_key, .. }) = stack.last() {
                    if *expect_key && depth == 1 {
                        key_buf = Some(String::new());
                    }
                }
            }
            ':' => {
                if let Some(Frame::Object { expect_key, .. }) = stack.last_mut() {
                    *expect_key = false;
                }
            }
            ',' => match stack.last_mut() {
                Some(Frame::Object { expect_key, .. }) => *expect_key = true,
                Some(Frame::Array { expecting, .. }) => *expecting = true,
                None => {}
            },
            '{' => stack.push(Frame::Object {
                expect_key: true,
                last_key: None,
            }),
            '[' => {
                let target = match (key, stack.last()) {
                    (None, None) => true,
                    (Some(k), Some(Frame::Object { last_key, .. })) => {
                        depth == 1 && last_key.as_deref() == Some(k)
                    }
                    _ => false,
                };
                stack.push(Frame::Array {
                    target,
                    expecting: true,
                });
            }
            '}' | ']' => {
                stack.pop();
            }
            _ => {}
        }
    }
    out
}

/// A value's kind for an error message, without its content: `a string`.
pub(crate) fn kind_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The object and its array under `key`, for a document that must be an object holding its
/// results in that array, as most JSON formats do.
/// `expected` says what the document should be (`a hyperfine --export-json object with
/// `results``), `items` what the array holds, and `missing` what to say when `key` is absent.
pub(crate) fn array_field<'a>(
    root: &'a Value,
    key: &str,
    expected: &str,
    items: &str,
    missing: &str,
) -> Result<(&'a Map<String, Value>, &'a Vec<Value>), ParseError> {
    let Value::Object(root) = root else {
        return Err(ParseError::whole(format!(
            "expected {expected}, found {}",
            kind_of(root)
        )));
    };
    match root.get(key) {
        Some(Value::Array(a)) => Ok((root, a)),
        Some(other) => Err(ParseError::whole(format!(
            "`{key}` must be an array of {items}, found {}",
            kind_of(other)
        ))),
        None => Err(ParseError::whole(missing.to_string())),
    }
}

/// Reads a JSON document leniently: bare `NaN`, `Infinity` and `-Infinity` (written by some tools)
/// become `null`. An object with the same key twice is an error ([`no_duplicate_keys`]).
pub(crate) fn lenient_json(text: &str) -> Result<serde_json::Value, ParseError> {
    match no_duplicate_keys(text) {
        Ok(v) => Ok(v),
        Err(first) => {
            if !(text.contains("NaN") || text.contains("Infinity")) {
                return Err(ParseError::json(&first));
            }
            let fixed = replace_bare_non_finite(text);
            no_duplicate_keys(&fixed).map_err(|e| ParseError::json(&e))
        }
    }
}

/// `text` as a JSON value, refusing an object that holds a key twice, at the second one's line:
/// serde_json keeps the last silently, so a BMF file that lists a benchmark twice would lose
/// one of its results without a word. No tool in the corpus writes such a file.
fn no_duplicate_keys(text: &str) -> Result<Value, serde_json::Error> {
    use serde::de::DeserializeSeed;
    let mut de = serde_json::Deserializer::from_str(text);
    let value = Strict.deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

/// A [`Value`] read as serde_json reads it, except that a repeated key in an object is an error.
struct Strict;

impl<'de> serde::de::DeserializeSeed<'de> for Strict {
    type Value = Value;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(Strict)
    }
}

impl<'de> serde::de::Visitor<'de> for Strict {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(Strict)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(item) = seq.next_element_seed(Strict)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                return Err(serde::de::Error::custom(format!(
                    "the key \"{}\" appears twice in one object: which one the tool meant cannot \
                     be told",
                    crate::report::display_name(&key)
                )));
            }
            let value = map.next_value_seed(Strict)?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

fn replace_bare_non_finite(text: &str) -> String {
    // Replace tokens outside strings only; keep line structure so errors keep their lines.
    let mut out = String::with_capacity(text.len());
    let mut in_string = false;
    let mut escaped = false;
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            rest = &rest[c.len_utf8()..];
            continue;
        }
        if c == '"' {
            in_string = true;
            out.push(c);
            rest = &rest[1..];
            continue;
        }
        let mut matched = false;
        for tok in ["-Infinity", "Infinity", "NaN"] {
            if rest.starts_with(tok) {
                out.push_str("null");
                rest = &rest[tok.len()..];
                matched = true;
                break;
            }
        }
        if !matched {
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lenient_json_accepts_bare_nan() {
        let v = lenient_json(r#"{"a": NaN, "b": "NaN", "c": -Infinity}"#).unwrap();
        assert_eq!(v["a"], serde_json::Value::Null);
        assert_eq!(v["b"], "NaN");
        assert_eq!(v["c"], serde_json::Value::Null);
    }

    #[test]
    fn a_key_twice_in_one_object_is_refused_at_its_line() {
        let text = "{\n  \"parse\": {\"latency\": {\"value\": 1.0}},\n  \"parse\": {\"latency\": {\"value\": 2.0}}\n}";
        let e = lenient_json(text).unwrap_err();
        assert_eq!(e.line, Some(3), "{e:?}");
        assert!(
            e.message
                .contains("the key \"parse\" appears twice in one object"),
            "{e:?}"
        );
        // The same key in two objects, or repeated in an array, is fine.
        let v = lenient_json(r#"[{"a": 1, "b": {"a": 2}}, {"a": 3}]"#).unwrap();
        assert_eq!(v[1]["a"], 3);
        // Also on the lenient path (bare NaN), and however deep.
        let e = lenient_json(r#"{"x": NaN, "y": {"z": [{"k": 1, "k": 2}]}}"#).unwrap_err();
        assert!(e.message.contains("\"k\" appears twice"), "{e:?}");
    }

    #[test]
    fn every_json_fixture_reads_as_serde_json_reads_it() {
        let mut read = 0;
        let mut dirs = vec![std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures"
        ))];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                    continue;
                }
                let Ok(text) = std::fs::read_to_string(&path) else {
                    continue;
                };
                let text = text.trim_start_matches('\u{feff}');
                if let Ok(want) = serde_json::from_str::<Value>(text) {
                    assert_eq!(no_duplicate_keys(text).unwrap(), want, "{}", path.display());
                    read += 1;
                }
            }
        }
        assert!(read > 100, "{read}");
    }

    #[test]
    fn copy_fields_keeps_strings_numbers_and_booleans_only() {
        let obj = match serde_json::json!({
            "host": "  ci-runner-7 ", "mhz": 2450, "scaling": false,
            "blank": "  ", "none": null, "nested": {"a": 1}
        }) {
            Value::Object(o) => o,
            _ => Map::new(),
        };
        let mut extra = std::collections::BTreeMap::new();
        copy_fields(
            &obj,
            &[
                ("host", "host"),
                ("mhz", "mhz_per_cpu"),
                ("scaling", "cpu_scaling_enabled"),
                ("blank", "blank"),
                ("none", "none"),
                ("nested", "nested"),
                ("absent", "absent"),
            ],
            &mut extra,
        );
        let got: Vec<(&str, &str)> = extra
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("cpu_scaling_enabled", "false"),
                ("host", "ci-runner-7"),
                ("mhz_per_cpu", "2450"),
            ]
        );
    }

    #[test]
    fn json_document_strips_a_byte_order_mark_and_names_blank_input() {
        let (text, v) = json_document("\u{feff}{\"a\": NaN}", "empty!").unwrap();
        assert_eq!(text, "{\"a\": NaN}");
        assert_eq!(v["a"], Value::Null);
        let e = json_document("\u{feff} \n", "the thing is empty").unwrap_err();
        assert_eq!((e.line, e.message.as_str()), (None, "the thing is empty"));
    }
}
