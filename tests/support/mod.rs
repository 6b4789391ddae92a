//! Shared test support for the GitHub API tests: a fake GitHub on loopback ([`fake`]), the
//! OpenAPI contract checker every request and mock answer goes through ([`openapi`]), and the
//! environment a container action gets on a hosted runner ([`runner`]), and the runs the Action's
//! tests record ([`runs`]).

// Each test binary uses a different part of the support code.
#![allow(dead_code)]

pub mod fake;
pub mod history;
pub mod openapi;
pub mod runner;
pub mod runs;
