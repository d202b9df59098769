//! Restricted-party lists for earl: the shared data model, importers for official formats,
//! the bundled snapshot format and snapshot diffs.
//!
//! Importers are pure functions from bytes to [`ListSnapshot`]s; this crate does no file or
//! network I/O of its own, so the binaries decide where data comes from.

pub mod country;
pub mod diff;
pub mod import;
pub mod model;
pub mod snapshot;
mod text;

pub use model::*;
pub use snapshot::SnapshotSet;
