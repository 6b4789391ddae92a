//! GitHub: the Actions runtime (inputs, event payload, outputs, summary, annotations) and the REST
//! API (sticky PR comment, baselines on a data branch). The edge of the GitHub Action.

pub mod alert;
pub mod api;
pub mod comment;
pub mod datastore;
pub mod runtime;
