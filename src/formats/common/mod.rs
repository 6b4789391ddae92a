//! What several format parsers share, so that each parser file holds only its tool's rules:
//! reading text lines and numbers ([`text`]), JSON documents ([`json`]), cargo bench output
//! ([`cargo`]), times ([`time`]), and the unit conversions every parser applies at parse time.

pub(crate) mod cargo;
pub(crate) mod json;
pub(crate) mod text;
pub(crate) mod time;

/// Nanoseconds per millisecond.
pub(crate) const MS_TO_NS: f64 = 1e6;

/// Nanoseconds per second.
pub(crate) const S_TO_NS: f64 = 1e9;
