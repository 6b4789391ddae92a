//! What every format is and what its parser returns: a [`Spec`] (names, docs lines, detection
//! checks, parser) and the [`ParseError`] a parser fails with. Kept apart from the registry so that
//! format files depend on it and the registry depends on them, never the other way round.

use std::fmt;

use crate::model::Run;

/// A parse failure: the line (1-based) when known, and what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ParseError {
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl ParseError {
    pub fn new(line: Option<usize>, message: impl Into<String>) -> ParseError {
        ParseError {
            line,
            message: message.into(),
        }
    }

    pub fn at(line: usize, message: impl Into<String>) -> ParseError {
        ParseError::new(Some(line), message)
    }

    pub fn whole(message: impl Into<String>) -> ParseError {
        ParseError::new(None, message)
    }

    /// A JSON syntax or shape error, keeping serde_json's line and column.
    pub fn json(e: &serde_json::Error) -> ParseError {
        let line = if e.line() > 0 { Some(e.line()) } else { None };
        let mut msg = e.to_string();
        // serde_json appends " at line L column C"; the line is already reported.
        if let Some(i) = msg.find(" at line ") {
            let col = e.column();
            msg.truncate(i);
            if col > 0 {
                msg = format!("column {col}: {msg}");
            }
        }
        ParseError::new(line, msg)
    }
}

/// One format as a unit: how it is named, what it reads, how it is told apart from the others, and
/// its parser. Each format's file defines its own (`SPEC`).
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    /// The `--format` name, also the run's `tool` when the input names none.
    pub name: &'static str,
    /// Other names `--format` accepts.
    pub aliases: &'static [&'static str],
    /// What it reads, as `perfgate formats` lists it.
    pub reads: &'static str,
    /// How detection tells it, as `perfgate formats` lists it.
    pub detected_by: &'static str,
    /// The checks [`detect`] runs for it; none: only `--format` picks it.
    pub detect: &'static [Detect],
    /// Reads the text (without a byte-order mark) into a run.
    pub parse: fn(&str) -> Result<Run, ParseError>,
}

/// One detection check, by the stage of [`detect`] that runs it. Within a stage the formats are
/// tried in registry order.
#[derive(Debug, Clone, Copy)]
pub enum Detect {
    /// On the text (trimmed) before anything else: shapes a JSON reader would misjudge (one JSON
    /// object per line, a script assignment).
    Head(fn(&str) -> bool),
    /// On a JSON document, by its keys.
    Json(fn(&serde_json::Value) -> bool),
    /// On a JSON document no [`Detect::Json`] check took: the generic shapes.
    JsonLast(fn(&serde_json::Value) -> bool),
    /// On text that is not JSON, by its lines.
    Lines(fn(&str) -> bool),
}
