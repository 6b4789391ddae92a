//! The contract checker: matches requests against the OpenAPI path templates of
//! `tests/fixtures/github/rest-subset.json` (a copy of the subset of GitHub's REST description
//! perfgate may use) and validates JSON bodies against the operation's schemas.
//!
//! The validator knows the keywords the subset uses: `$ref`, `type`, `nullable` (OpenAPI 3.0),
//! `properties`, `required`, `items`, `enum`, `oneOf`/`anyOf`/`allOf`, `additionalProperties`,
//! `minLength`/`maxLength`; annotations (`format`, `description`, `example`...) are ignored. Any
//! other keyword is reported, so a regenerated subset cannot silently weaken the check.

use std::collections::BTreeMap;

use serde_json::Value;

/// Keywords that describe and never constrain.
const ANNOTATIONS: &[&str] = &[
    "title",
    "description",
    "example",
    "examples",
    "default",
    "format",
    "deprecated",
    "readOnly",
    "writeOnly",
    "discriminator",
    "externalDocs",
];

pub struct Spec {
    doc: Value,
    ops: Vec<Operation>,
}

#[derive(Debug, Clone)]
pub struct Operation {
    pub id: String,
    pub method: String,
    pub template: String,
    segments: Vec<Segment>,
    op: Value,
}

#[derive(Debug, Clone)]
enum Segment {
    Literal(String),
    Param { name: String, multi: bool },
}

/// A matched request: the operation and its decoded path parameters.
#[derive(Debug, Clone)]
pub struct Matched {
    pub operation: Operation,
    pub params: BTreeMap<String, String>,
}

impl Spec {
    pub fn load() -> Spec {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/github/rest-subset.json"
        );
        let text = std::fs::read_to_string(path).expect("the REST subset fixture");
        Spec::from_json(serde_json::from_str(&text).expect("valid JSON"))
    }

    pub fn from_json(doc: Value) -> Spec {
        let mut ops = Vec::new();
        if let Some(paths) = doc["paths"].as_object() {
            for (template, item) in paths {
                for (method, op) in item.as_object().into_iter().flatten() {
                    if !["get", "put", "post", "patch", "delete"].contains(&method.as_str()) {
                        continue;
                    }
                    let params = resolve_params(&doc, op);
                    let segments = template
                        .trim_start_matches('/')
                        .split('/')
                        .map(
                            |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                                Some(name) => Segment::Param {
                                    name: name.to_string(),
                                    multi: params
                                        .iter()
                                        .find(|p| p["name"] == name && p["in"] == "path")
                                        .is_some_and(|p| p["x-multi-segment"] == true),
                                },
                                None => Segment::Literal(s.to_string()),
                            },
                        )
                        .collect();
                    ops.push(Operation {
                        id: op["operationId"].as_str().unwrap_or_default().to_string(),
                        method: method.to_uppercase(),
                        template: template.clone(),
                        segments,
                        op: op.clone(),
                    });
                }
            }
        }
        Spec { doc, ops }
    }

    pub fn doc(&self) -> &Value {
        &self.doc
    }

    /// A documented example value (`components/examples/<name>/value`), to build mock answers.
    pub fn example(&self, name: &str) -> Value {
        let v = self.doc["components"]["examples"][name]["value"].clone();
        assert!(!v.is_null(), "no example `{name}` in the subset");
        v
    }

    /// The operation `method path` is, with its path parameters; `path` is below the API URL.
    pub fn match_request(&self, method: &str, path: &str) -> Option<Matched> {
        let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        self.ops
            .iter()
            .filter(|o| o.method.eq_ignore_ascii_case(method))
            .find_map(|o| {
                let mut params = BTreeMap::new();
                match_segments(&o.segments, &segs, &mut params).then(|| Matched {
                    operation: o.clone(),
                    params,
                })
            })
    }

    /// Checks one request: a documented method and path, declared query parameters of the right
    /// type, and a JSON body valid against the request schema (or no body when none is
    /// documented). Returns the operation id.
    pub fn check_request(
        &self,
        method: &str,
        path: &str,
        query: Option<&str>,
        body: &[u8],
    ) -> Result<String, String> {
        let m = self
            .match_request(method, path)
            .ok_or_else(|| format!("{method} {path}: not an operation of the REST subset"))?;
        let op = &m.operation.op;
        let params = resolve_params(&self.doc, op);
        for (name, value) in &m.params {
            let p = params
                .iter()
                .find(|p| p["name"] == name.as_str() && p["in"] == "path")
                .ok_or_else(|| format!("{method} {path}: undeclared path parameter `{name}`"))?;
            self.check_param(&p["schema"], value)
                .map_err(|e| format!("{method} {path}: path parameter `{name}`: {e}"))?;
        }
        for pair in query
            .unwrap_or_default()
            .split('&')
            .filter(|p| !p.is_empty())
        {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let p = params
                .iter()
                .find(|p| p["name"] == name && p["in"] == "query")
                .ok_or_else(|| {
                    format!("{method} {path}: query parameter `{name}` is not documented")
                })?;
            self.check_param(&p["schema"], &percent_decode(value))
                .map_err(|e| format!("{method} {path}: query parameter `{name}`: {e}"))?;
        }
        let request_body = &op["requestBody"];
        if request_body.is_null() {
            if !body.is_empty() {
                return Err(format!(
                    "{method} {path}: sends a body, but none is documented"
                ));
            }
        } else if body.is_empty() {
            if request_body["required"] == true {
                return Err(format!("{method} {path}: the documented body is missing"));
            }
        } else {
            let schema = &request_body["content"]["application/json"]["schema"];
            let value: Value = serde_json::from_slice(body)
                .map_err(|e| format!("{method} {path}: the body is not JSON: {e}"))?;
            let errors = self.validate(schema, &value);
            if !errors.is_empty() {
                return Err(format!(
                    "{method} {path}: the body does not match the schema: {}",
                    errors.join("; ")
                ));
            }
        }
        Ok(m.operation.id.clone())
    }

    /// Validates an answer body against the operation's documented schema for `status`
    /// (`application/json`); Ok when the status documents no JSON body.
    pub fn check_response(
        &self,
        method: &str,
        path: &str,
        status: u16,
        body: &Value,
    ) -> Result<(), String> {
        let m = self
            .match_request(method, path)
            .ok_or_else(|| format!("{method} {path}: not an operation of the REST subset"))?;
        let mut response = m.operation.op["responses"][status.to_string()].clone();
        if let Some(r) = response["$ref"].as_str() {
            response = self.lookup(r).clone();
        }
        let schema = &response["content"]["application/json"]["schema"];
        if schema.is_null() {
            return Ok(());
        }
        // GitHub's error schemas overlap (a 409 body is both a basic error and a rule
        // violation), so for answers `oneOf` only needs one match.
        let mut errors = Vec::new();
        self.validate_at(schema, body, "$", false, &mut errors);
        if errors.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "{method} {path} -> {status}: the mock answer does not match the schema: {}",
                errors.join("; ")
            ))
        }
    }

    fn check_param(&self, schema: &Value, value: &str) -> Result<(), String> {
        match schema["type"].as_str() {
            Some("integer") if value.parse::<i64>().is_err() => {
                Err(format!("`{value}` is not an integer"))
            }
            Some("boolean") if value != "true" && value != "false" => {
                Err(format!("`{value}` is not a boolean"))
            }
            _ if value.is_empty() => Err("empty".to_string()),
            _ => Ok(()),
        }
    }

    fn lookup(&self, reference: &str) -> &Value {
        let mut node = &self.doc;
        for part in reference.trim_start_matches("#/").split('/') {
            node = &node[part];
        }
        assert!(!node.is_null(), "dangling $ref {reference}");
        node
    }

    /// Every way `value` breaks `schema` (empty when it conforms).
    pub fn validate(&self, schema: &Value, value: &Value) -> Vec<String> {
        let mut errors = Vec::new();
        self.validate_at(schema, value, "$", true, &mut errors);
        errors
    }

    /// `strict`: `oneOf` means exactly one, as JSON Schema says.
    fn validate_at(
        &self,
        schema: &Value,
        value: &Value,
        at: &str,
        strict: bool,
        errors: &mut Vec<String>,
    ) {
        let Some(s) = schema.as_object() else {
            return;
        };
        if let Some(r) = s.get("$ref").and_then(Value::as_str) {
            let target = self.lookup(r).clone();
            self.validate_at(&target, value, at, strict, errors);
            return;
        }
        if value.is_null() && s.get("nullable") == Some(&Value::Bool(true)) {
            return;
        }
        for key in s.keys() {
            let known = [
                "type",
                "nullable",
                "properties",
                "required",
                "items",
                "enum",
                "oneOf",
                "anyOf",
                "allOf",
                "additionalProperties",
                "minLength",
                "maxLength",
            ];
            if !known.contains(&key.as_str())
                && !ANNOTATIONS.contains(&key.as_str())
                && !key.starts_with("x-")
            {
                errors.push(format!("{at}: the checker does not know keyword `{key}`"));
            }
        }
        if let Some(t) = s.get("type").and_then(Value::as_str) {
            let ok = match t {
                "object" => value.is_object(),
                "array" => value.is_array(),
                "string" => value.is_string(),
                "integer" => value.is_i64() || value.is_u64(),
                "number" => value.is_number(),
                "boolean" => value.is_boolean(),
                "null" => value.is_null(),
                _ => false,
            };
            if !ok {
                errors.push(format!("{at}: expected {t}, found {}", kind(value)));
                return;
            }
        }
        if let Some(options) = s.get("enum").and_then(Value::as_array) {
            if !options.contains(value) {
                errors.push(format!(
                    "{at}: {value} is not one of {}",
                    Value::from(options.clone())
                ));
            }
        }
        if let Some(text) = value.as_str() {
            let n = text.chars().count() as u64;
            if let Some(min) = s.get("minLength").and_then(Value::as_u64) {
                if n < min {
                    errors.push(format!("{at}: shorter than {min} characters"));
                }
            }
            if let Some(max) = s.get("maxLength").and_then(Value::as_u64) {
                if n > max {
                    errors.push(format!("{at}: longer than {max} characters"));
                }
            }
        }
        if let Some(obj) = value.as_object() {
            for name in s
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(name) = name.as_str() {
                    if !obj.contains_key(name) {
                        errors.push(format!("{at}: missing required property `{name}`"));
                    }
                }
            }
            let props = s.get("properties").and_then(Value::as_object);
            for (name, v) in obj {
                match props.and_then(|p| p.get(name)) {
                    Some(ps) => self.validate_at(ps, v, &format!("{at}.{name}"), strict, errors),
                    None => match s.get("additionalProperties") {
                        Some(Value::Bool(false)) => {
                            errors.push(format!("{at}: unknown property `{name}`"))
                        }
                        Some(extra @ Value::Object(_)) => {
                            self.validate_at(extra, v, &format!("{at}.{name}"), strict, errors)
                        }
                        _ => {}
                    },
                }
            }
        }
        if let (Some(items), Some(list)) = (s.get("items"), value.as_array()) {
            for (i, v) in list.iter().enumerate() {
                self.validate_at(items, v, &format!("{at}[{i}]"), strict, errors);
            }
        }
        if let Some(all) = s.get("allOf").and_then(Value::as_array) {
            for sub in all {
                self.validate_at(sub, value, at, strict, errors);
            }
        }
        let matches = |sub: &Value| {
            let mut e = Vec::new();
            self.validate_at(sub, value, at, strict, &mut e);
            e.is_empty()
        };
        if let Some(any) = s.get("anyOf").and_then(Value::as_array) {
            if !any.iter().any(matches) {
                errors.push(format!("{at}: matches none of anyOf"));
            }
        }
        if let Some(one) = s.get("oneOf").and_then(Value::as_array) {
            let n = one.iter().filter(|sub| matches(sub)).count();
            if n == 0 || (strict && n > 1) {
                errors.push(format!("{at}: matches {n} of oneOf, expected exactly one"));
            }
        }
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// The operation's parameters with `$ref`s resolved.
fn resolve_params(doc: &Value, op: &Value) -> Vec<Value> {
    op["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| match p["$ref"].as_str() {
            Some(r) => {
                let mut node = doc;
                for part in r.trim_start_matches("#/").split('/') {
                    node = &node[part];
                }
                node.clone()
            }
            None => p.clone(),
        })
        .collect()
}

/// Matches path segments; a multi-segment parameter takes one or more segments.
fn match_segments(
    template: &[Segment],
    segs: &[&str],
    params: &mut BTreeMap<String, String>,
) -> bool {
    match template.split_first() {
        None => segs.is_empty(),
        Some((Segment::Literal(l), rest)) => match segs.split_first() {
            Some((s, more)) if s == l => match_segments(rest, more, params),
            _ => false,
        },
        Some((Segment::Param { name, multi }, rest)) => {
            let max = if *multi {
                segs.len()
            } else {
                segs.len().min(1)
            };
            for take in (1..=max).rev() {
                let (mine, more) = segs.split_at(take);
                if mine.iter().any(|s| s.is_empty()) {
                    continue;
                }
                let mut attempt = params.clone();
                attempt.insert(
                    name.clone(),
                    mine.iter()
                        .map(|s| percent_decode(s))
                        .collect::<Vec<_>>()
                        .join("/"),
                );
                if match_segments(rest, more, &mut attempt) {
                    *params = attempt;
                    return true;
                }
            }
            false
        }
    }
}

pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
