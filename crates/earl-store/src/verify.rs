//! Walking the hash chain: backend-independent, so every backend reports tampering the same way.

use serde::{Deserialize, Serialize};

use crate::StoreError;
use crate::record::{GENESIS_HASH, Head, StoredRecord};

/// What kind of damage [`crate::AuditStore::verify`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    /// A record's fields no longer hash to its stored hash (content, time, caller... changed),
    /// or a record was rewritten together with its hash so its successor no longer chains to it.
    Altered,
    /// Records are missing: a gap in the sequence numbers, or a record chains to a predecessor
    /// that is no longer there, or the tail of the log was cut off.
    Deleted,
    /// A record is intact but sits at another position than the one it was written at.
    Reordered,
    /// A record is intact but does not chain to the record before it, for no reason above.
    BrokenLink,
}

/// One finding of [`crate::AuditStore::verify`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// The kind of damage.
    pub kind: ProblemKind,
    /// Stored sequence number of the record where the damage shows.
    pub seq: u64,
    /// Id of that record (for a cut-off tail: the last record still present).
    pub id: String,
    /// For [`ProblemKind::Reordered`]: the sequence number the record was written with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub written_seq: Option<u64>,
    /// For [`ProblemKind::Deleted`]: the first and last missing sequence numbers, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing: Option<(u64, u64)>,
    /// A sentence for people.
    pub message: String,
}

/// The result of walking the whole chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyReport {
    /// How many records were read.
    pub checked: u64,
    /// The newest record, if any.
    pub head: Option<Head>,
    /// Every problem found, in log order. Empty means the chain is intact.
    pub problems: Vec<Problem>,
}

impl VerifyReport {
    /// True when no problem was found.
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// A record read back from a backend, with a flag for stored text that is not in canonical form
/// (so a byte edit that happens to parse to the same JSON value is still caught).
#[derive(Debug, Clone)]
pub struct RawRecord {
    /// The record as parsed. Unparseable JSON columns become JSON strings holding the raw text,
    /// which can never hash to the stored hash.
    pub record: StoredRecord,
    /// False when a stored JSON column was not byte-identical to its canonical form.
    pub faithful: bool,
}

/// What the chain walk needs from a backend.
pub trait ChainSource {
    /// Calls `f` on every record in ascending stored `seq` order; stops at the first error.
    fn for_each_record(
        &self,
        f: &mut dyn FnMut(RawRecord) -> Result<(), StoreError>,
    ) -> Result<(), StoreError>;
    /// The record whose stored hash is `hash`, if any.
    fn find_by_hash(&self, hash: &str) -> Result<Option<RawRecord>, StoreError>;
    /// The record whose stored prev_hash is `hash`, if any.
    fn find_by_prev_hash(&self, hash: &str) -> Result<Option<RawRecord>, StoreError>;
    /// The highest sequence number the backend ever handed out, if it tracks that separately
    /// from the records (SQLite's `sqlite_sequence`); used to notice a cut-off tail.
    fn highest_seq_issued(&self) -> Result<Option<u64>, StoreError>;
}

/// The sequence number a record was written with, if its hash proves one: its stored `seq` when
/// intact, or a neighbour-derived position when only `seq` was changed (reordering). `None` when
/// the content itself was altered.
fn written_seq(source: &dyn ChainSource, raw: &RawRecord) -> Result<Option<u64>, StoreError> {
    let rec = &raw.record;
    if !raw.faithful {
        return Ok(None);
    }
    if rec.compute_hash() == rec.hash {
        return Ok(Some(rec.seq));
    }
    // Only seq may have changed: try the positions the neighbours in the chain imply. This
    // covers swaps of adjacent and distant records; anything else is reported as altered.
    let mut candidates = Vec::with_capacity(4);
    if rec.prev_hash == GENESIS_HASH {
        candidates.push(1);
    } else if let Some(p) = source.find_by_hash(&rec.prev_hash)? {
        candidates.push(p.record.seq.saturating_add(1));
        candidates.push(p.record.seq);
    }
    if let Some(n) = source.find_by_prev_hash(&rec.hash)? {
        candidates.push(n.record.seq.saturating_sub(1));
        candidates.push(n.record.seq);
    }
    for c in candidates {
        if c >= 1 && c != rec.seq && rec.compute_hash_with_seq(c) == rec.hash {
            return Ok(Some(c));
        }
    }
    Ok(None)
}

struct Walked {
    seq: u64,
    written: Option<u64>,
    hash: String,
    id: String,
}

/// Walks the chain of `source` and reports every problem (see [`crate::AuditStore::verify`]).
pub fn verify_chain(source: &dyn ChainSource) -> Result<VerifyReport, StoreError> {
    let mut problems = Vec::new();
    let mut checked = 0u64;
    let mut prev: Option<Walked> = None;
    let mut expected_seq = 1u64;

    source.for_each_record(&mut |raw| {
        checked = checked.saturating_add(1);
        let rec = &raw.record;
        let mut gap_reported = false;
        if rec.seq > expected_seq {
            let (from, to) = (expected_seq, rec.seq.saturating_sub(1));
            problems.push(Problem {
                kind: ProblemKind::Deleted,
                seq: rec.seq,
                id: rec.id.clone(),
                written_seq: None,
                missing: Some((from, to)),
                message: if from == to {
                    format!("record seq {from} is missing (deleted before record {})", rec.id)
                } else {
                    format!("records seq {from}..={to} are missing (deleted before record {})", rec.id)
                },
            });
            gap_reported = true;
        }
        expected_seq = rec.seq.saturating_add(1);

        let written = written_seq(source, &raw)?;
        match written {
            None => problems.push(Problem {
                kind: ProblemKind::Altered,
                seq: rec.seq,
                id: rec.id.clone(),
                written_seq: None,
                missing: None,
                message: format!(
                    "record seq {} (id {}) was altered: its fields no longer match its hash",
                    rec.seq, rec.id
                ),
            }),
            Some(w) if w != rec.seq => problems.push(Problem {
                kind: ProblemKind::Reordered,
                seq: rec.seq,
                id: rec.id.clone(),
                written_seq: Some(w),
                missing: None,
                message: format!(
                    "record id {} was written as seq {w} but is stored as seq {}",
                    rec.id, rec.seq
                ),
            }),
            Some(_) => {}
        }

        // Link check, only for records whose own hash holds (an altered record's prev_hash may
        // be the altered field, and it is already reported).
        if let Some(w) = written {
            let linked = if w == 1 {
                rec.prev_hash == GENESIS_HASH
            } else if let Some(p) = prev.as_ref().filter(|p| p.written.unwrap_or(p.seq) == w - 1) {
                p.hash == rec.prev_hash
            } else {
                match source.find_by_hash(&rec.prev_hash)? {
                    Some(p) => {
                        let pw = written_seq(source, &p)?.unwrap_or(p.record.seq);
                        pw == w - 1
                    }
                    None => false,
                }
            };
            if !linked && !gap_reported {
                let walked_prev_is_predecessor =
                    prev.as_ref().filter(|p| p.written.unwrap_or(p.seq) == w.saturating_sub(1));
                if let Some(p) = walked_prev_is_predecessor {
                    problems.push(Problem {
                        kind: ProblemKind::Altered,
                        seq: p.seq,
                        id: p.id.clone(),
                        written_seq: None,
                        missing: None,
                        message: format!(
                            "record seq {} (id {}) was rewritten together with its hash: record seq {} chained to a different record",
                            p.seq, p.id, rec.seq
                        ),
                    });
                } else if w > 1 && source.find_by_hash(&rec.prev_hash)?.is_none() {
                    problems.push(Problem {
                        kind: ProblemKind::Deleted,
                        seq: rec.seq,
                        id: rec.id.clone(),
                        written_seq: None,
                        missing: None,
                        message: format!(
                            "the record before seq {} (id {}) is missing: nothing has hash {}",
                            rec.seq, rec.id, rec.prev_hash
                        ),
                    });
                } else {
                    problems.push(Problem {
                        kind: ProblemKind::BrokenLink,
                        seq: rec.seq,
                        id: rec.id.clone(),
                        written_seq: None,
                        missing: None,
                        message: format!(
                            "record seq {} (id {}) does not chain to the record before it",
                            rec.seq, rec.id
                        ),
                    });
                }
            }
        }

        prev = Some(Walked { seq: rec.seq, written, hash: rec.hash.clone(), id: rec.id.clone() });
        Ok(())
    })?;

    let head = prev.as_ref().map(|p| Head { seq: p.seq, id: p.id.clone(), hash: p.hash.clone() });
    if let Some(issued) = source.highest_seq_issued()? {
        let last = prev.as_ref().map_or(0, |p| p.seq);
        if issued > last {
            let from = last.saturating_add(1);
            problems.push(Problem {
                kind: ProblemKind::Deleted,
                seq: last,
                id: prev.as_ref().map(|p| p.id.clone()).unwrap_or_default(),
                written_seq: None,
                missing: Some((from, issued)),
                message: format!(
                    "the tail of the log was cut off: seq {from}..={issued} were issued but are missing"
                ),
            });
        }
    }
    Ok(VerifyReport { checked, head, problems })
}
