//! Audit records and the hash that chains them.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::canonical::to_canonical_string;

/// `prev_hash` of the first record of a log: 64 zeros.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One list snapshot a decision was made against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListRef {
    /// List id, e.g. `us_bis_entity_list`.
    pub list: String,
    /// Date of the snapshot (as published by the list owner).
    pub as_of: String,
    /// SHA-256 (hex) of the bundled snapshot bytes.
    pub sha256: String,
}

/// What a caller hands to [`crate::AuditStore::append`]; the store adds id, seq, time and hashes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewRecord {
    /// What kind of decision: `check`, `screen`, `screen_batch`, `classify`, `review`, ...
    pub kind: String,
    /// Who asked: `token:<name>` for the API, `cli:<user>` for the command line.
    pub caller: String,
    /// The request exactly as the engine saw it.
    pub input: Value,
    /// The engine's answer exactly as returned to the caller.
    pub output: Value,
    /// Version of the rule data in force for the decision.
    pub rules_version: String,
    /// List snapshots the decision used.
    pub lists: Vec<ListRef>,
    /// Version of the engine that decided.
    pub engine_version: String,
}

/// A record as stored: the caller's fields plus identity, position, time and chain hashes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredRecord {
    /// UUID v7, as a lowercase hyphenated string.
    pub id: String,
    /// Position in the log, starting at 1 with no gaps.
    pub seq: u64,
    /// See [`NewRecord::kind`].
    pub kind: String,
    /// When the store accepted the record: RFC 3339, UTC, microseconds, e.g.
    /// `2026-11-29T10:00:00.123456Z`.
    pub created_at: String,
    /// See [`NewRecord::caller`].
    pub caller: String,
    /// See [`NewRecord::input`].
    pub input: Value,
    /// See [`NewRecord::output`].
    pub output: Value,
    /// See [`NewRecord::rules_version`].
    pub rules_version: String,
    /// See [`NewRecord::lists`].
    pub lists: Vec<ListRef>,
    /// See [`NewRecord::engine_version`].
    pub engine_version: String,
    /// `hash` of the record with `seq - 1`, or [`GENESIS_HASH`] for the first record.
    pub prev_hash: String,
    /// [`record_hash`] of this record.
    pub hash: String,
}

impl StoredRecord {
    /// Recomputes this record's hash from its fields, as if it had sequence number `seq`.
    pub fn compute_hash_with_seq(&self, seq: u64) -> String {
        record_hash(&self.prev_hash, &self.content_json(seq))
    }

    /// Recomputes this record's hash from its fields.
    pub fn compute_hash(&self) -> String {
        self.compute_hash_with_seq(self.seq)
    }

    /// The JSON object whose canonical form is hashed: every field but `prev_hash` and `hash`.
    pub fn content_json(&self, seq: u64) -> Value {
        json!({
            "caller": self.caller,
            "created_at": self.created_at,
            "engine_version": self.engine_version,
            "id": self.id,
            "input": self.input,
            "kind": self.kind,
            "lists": self.lists,
            "output": self.output,
            "rules_version": self.rules_version,
            "seq": seq,
        })
    }
}

/// `hash = blake3(prev_hash || canonical_json(content))`, as 64 lowercase hex characters.
///
/// `prev_hash` enters as its 64 ASCII hex characters; `content` is the object of every record
/// field except `prev_hash` and `hash` (see [`StoredRecord::content_json`]), in the canonical form
/// of [`crate::canonical`].
pub fn record_hash(prev_hash: &str, content: &Value) -> String {
    let mut hasher = blake3::Hasher::new();
    hasher.update(prev_hash.as_bytes());
    hasher.update(to_canonical_string(content).as_bytes());
    hasher.finalize().to_hex().to_string()
}

/// The newest record's position and hash; an operator who keeps this outside the database can
/// later prove that no records were cut off the end of the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Head {
    /// Sequence number of the newest record.
    pub seq: u64,
    /// Id of the newest record.
    pub id: String,
    /// Hash of the newest record.
    pub hash: String,
}

/// Which records [`crate::AuditStore::list`] returns (newest first).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListFilter {
    /// Only records of this kind.
    pub kind: Option<String>,
    /// Only records created at or after this instant.
    pub since: Option<jiff::Timestamp>,
    /// Only records created before this instant.
    pub until: Option<jiff::Timestamp>,
    /// At most this many records (the store caps it at [`crate::MAX_LIST_LIMIT`]); 0 = default 50.
    pub limit: u32,
    /// Skip this many matching records first.
    pub offset: u64,
    /// Only records from this caller.
    pub caller: Option<String>,
}

/// Formats a timestamp the way `created_at` is stored, so text comparison orders by time.
pub fn format_timestamp(ts: jiff::Timestamp) -> String {
    ts.strftime("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> StoredRecord {
        StoredRecord {
            id: "0192f3a0-0000-7000-8000-000000000001".into(),
            seq: 1,
            kind: "check".into(),
            created_at: "2026-11-29T10:00:00.000000Z".into(),
            caller: "cli:alice".into(),
            input: json!({"destination": "CN", "items": [{"chip": "H100"}]}),
            output: json!({"verdict": "license_required"}),
            rules_version: "2025-01-15".into(),
            lists: vec![ListRef {
                list: "us_bis_entity_list".into(),
                as_of: "2025-01-15".into(),
                sha256: "ab".repeat(32),
            }],
            engine_version: "0.1.0".into(),
            prev_hash: GENESIS_HASH.into(),
            hash: String::new(),
        }
    }

    #[test]
    fn hash_is_blake3_of_prev_hash_then_canonical_content() {
        let r = sample();
        let canonical = r#"{"caller":"cli:alice","created_at":"2026-11-29T10:00:00.000000Z","engine_version":"0.1.0","id":"0192f3a0-0000-7000-8000-000000000001","input":{"destination":"CN","items":[{"chip":"H100"}]},"kind":"check","lists":[{"as_of":"2025-01-15","list":"us_bis_entity_list","sha256":"abababababababababababababababababababababababababababababababab"}],"output":{"verdict":"license_required"},"rules_version":"2025-01-15","seq":1}"#;
        assert_eq!(to_canonical_string(&r.content_json(1)), canonical);
        let mut bytes = GENESIS_HASH.as_bytes().to_vec();
        bytes.extend_from_slice(canonical.as_bytes());
        assert_eq!(r.compute_hash(), blake3::hash(&bytes).to_hex().to_string());
        assert_eq!(r.compute_hash().len(), 64);
    }

    #[test]
    fn every_field_changes_the_hash() {
        let base = sample().compute_hash();
        let edits: [fn(&mut StoredRecord); 11] = [
            (|r| r.id.push('x')),
            (|r| r.seq = 2),
            (|r| r.kind = "screen".into()),
            (|r| r.created_at = "2026-11-29T10:00:00.000001Z".into()),
            (|r| r.caller = "cli:bob".into()),
            (|r| r.input = json!({"destination": "CA"})),
            (|r| r.output = json!({"verdict": "nlr"})),
            (|r| r.rules_version = "x".into()),
            (|r| r.lists.clear()),
            (|r| r.engine_version = "0.1.1".into()),
            (|r| r.prev_hash = "1".repeat(64)),
        ];
        for (i, edit) in edits.iter().enumerate() {
            let mut r = sample();
            edit(&mut r);
            assert_ne!(r.compute_hash(), base, "edit {i} left the hash unchanged");
        }
    }

    #[test]
    fn timestamps_format_with_fixed_microseconds() {
        let ts: jiff::Timestamp = "2026-11-29T10:00:00Z".parse().unwrap();
        assert_eq!(format_timestamp(ts), "2026-11-29T10:00:00.000000Z");
        let ts: jiff::Timestamp = "2026-11-29T10:00:00.5+01:00".parse().unwrap();
        assert_eq!(format_timestamp(ts), "2026-11-29T09:00:00.500000Z");
    }
}
