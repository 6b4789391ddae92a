//! Comparison (being written).
mod types;
pub use types::*;
