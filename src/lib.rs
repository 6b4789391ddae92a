//! perfgate: a performance regression gate for CI.
//!
//! Data flows one way: `formats` (tool output -> [`model::Run`]) -> `store` (baselines) ->
//! `compare` (decisions, with `stats`) -> `report` (Markdown, terminal, JSON) -> `cli` (files,
//! environment, exit codes).

pub mod compare;
pub mod config;
pub mod dashboard;
pub mod formats;
pub mod github;
pub mod model;
pub mod report;
pub mod stats;
pub mod store;
