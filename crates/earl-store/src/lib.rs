//! Tamper-evident audit log: the store trait and its SQLite backend, plus API tokens.
//!
//! Every decision earl makes for a caller (a determination, a screening, a classification, a
//! review) is appended as a [`StoredRecord`]: the input, the output, the rule-data and list
//! versions, the engine version, the time and the caller. Records form a hash chain:
//!
//! ```text
//! hash(n) = blake3( prev_hash(n) || canonical_json(fields of n except prev_hash and hash) )
//! prev_hash(1) = "000…0" (64 zeros), prev_hash(n) = hash(n - 1)
//! ```
//!
//! with `prev_hash` entering as its 64 ASCII hex characters and canonical JSON defined in
//! [`canonical`]. [`AuditStore::verify`] walks the chain and names each record that was altered,
//! deleted or reordered. A chain proves that nothing changed *behind* its newest record; to
//! prove that nothing was cut off the end (or that the whole log was not rewritten), keep
//! [`AuditStore::head`] somewhere else from time to time (a ticket, an e-mail, a printout).
//!
//! # Backends
//!
//! [`SqliteStore`] is the embedded backend. A PostgreSQL backend (for several servers sharing
//! one log) must guarantee what the SQLite one does:
//!
//! - **Serialisable append.** Reading the head (`seq`, `hash`) and inserting `seq + 1` with
//!   `prev_hash = hash` happen as one transaction that no other append interleaves with: take a
//!   lock first (`LOCK TABLE audit_records IN EXCLUSIVE MODE`, or `pg_advisory_xact_lock`) or use
//!   `SERIALIZABLE` and retry on serialisation failure. A unique constraint on `seq` is the
//!   backstop. Sequence numbers start at 1 and have no gaps (do not use a `SEQUENCE`, which
//!   leaves gaps on rollback).
//! - **Durable acknowledgement.** `append` returns only after the commit is on disk
//!   (`synchronous_commit = on`, the default).
//! - **Byte-exact JSON.** Store `input`, `output` and `lists` as `text` holding the canonical
//!   JSON, not `jsonb` (which reorders keys and rewrites numbers), so a byte edit is visible.
//! - **The same hash and verify.** Use [`record::record_hash`] and implement [`ChainSource`] so
//!   [`verify::verify_chain`] reports the same problems; `highest_seq_issued` may return `None`.
//! - Timestamps in the format of [`record::format_timestamp`], so text order is time order.
//!
//! Tokens ([`TokenStore`]) live in the same database, in their own table.

pub mod canonical;
pub mod record;
mod sqlite;
pub mod tokens;
pub mod verify;

use std::io::Write;

pub use record::{GENESIS_HASH, Head, ListFilter, ListRef, NewRecord, StoredRecord};
pub use sqlite::SqliteStore;
pub use tokens::{Scope, TokenInfo, TokenStore};
pub use verify::{ChainSource, Problem, ProblemKind, VerifyReport};

/// Records returned by [`AuditStore::list`] when the filter sets no limit.
pub const DEFAULT_LIST_LIMIT: u32 = 50;
/// The most records one [`AuditStore::list`] call returns.
pub const MAX_LIST_LIMIT: u32 = 1000;

/// Errors of the audit store. Messages name the file, field or record involved.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be opened or initialised.
    #[error("cannot open audit database {path}: {message}")]
    Open {
        /// The database file.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// The backend failed (I/O, lock timeout, constraint...).
    #[error("audit store: {0}")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// A caller-supplied value is unacceptable.
    #[error("invalid {field}: {message}")]
    Invalid {
        /// The offending field.
        field: String,
        /// Why.
        message: String,
    },
    /// A thread panicked while holding a store lock.
    #[error("audit store lock poisoned by a panicked thread")]
    Poisoned,
    /// Writing an export failed.
    #[error("writing audit export: {0}")]
    Io(#[from] std::io::Error),
}

/// An append-only, hash-chained decision log.
///
/// The API is synchronous; async callers use `spawn_blocking`. Implementations are shared
/// between threads.
pub trait AuditStore: Send + Sync {
    /// Appends a record and returns it as stored. Returns only after the record is durable: an
    /// acknowledged record survives a crash of the process or the machine.
    fn append(&self, record: NewRecord) -> Result<StoredRecord, StoreError>;
    /// The record with this id.
    fn get(&self, id: &str) -> Result<Option<StoredRecord>, StoreError>;
    /// Records matching `filter`, newest first.
    fn list(&self, filter: &ListFilter) -> Result<Vec<StoredRecord>, StoreError>;
    /// Walks the whole chain and reports every record that was altered, deleted or reordered.
    fn verify(&self) -> Result<VerifyReport, StoreError>;
    /// Writes every record, oldest first, as one JSON object per line; returns the count.
    fn export(&self, out: &mut dyn Write) -> Result<usize, StoreError>;
    /// The newest record's position and hash (`None` for an empty log).
    fn head(&self) -> Result<Option<Head>, StoreError>;
    /// How many records the log holds.
    fn count(&self) -> Result<u64, StoreError>;
}

fn validate_new(r: &NewRecord) -> Result<(), StoreError> {
    for (field, value) in [
        ("kind", &r.kind),
        ("caller", &r.caller),
        ("rules_version", &r.rules_version),
        ("engine_version", &r.engine_version),
    ] {
        if value.trim().is_empty() {
            return Err(StoreError::Invalid {
                field: field.into(),
                message: "must not be empty".into(),
            });
        }
    }
    Ok(())
}
