//! SQLite backend: one file, WAL journal, `synchronous=FULL`, one writer connection behind a
//! mutex and one reader connection.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension, Row, TransactionBehavior, params};
use serde_json::Value;

use crate::canonical::to_canonical_string;
use crate::record::{
    GENESIS_HASH, Head, ListFilter, ListRef, NewRecord, StoredRecord, format_timestamp,
};
use crate::tokens::{
    ID_HEX_LEN, Scope, TokenInfo, TokenStore, random_bytes, secret_hash, split_token, validate_name,
};
use crate::verify::{ChainSource, RawRecord, VerifyReport, verify_chain};
use crate::{AuditStore, DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT, StoreError};

/// How long a connection waits for another process's write lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS audit_records (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    id             TEXT NOT NULL UNIQUE,
    kind           TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    caller         TEXT NOT NULL,
    input          TEXT NOT NULL,
    output         TEXT NOT NULL,
    rules_version  TEXT NOT NULL,
    lists          TEXT NOT NULL,
    engine_version TEXT NOT NULL,
    prev_hash      TEXT NOT NULL,
    hash           TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_records_hash ON audit_records(hash);
CREATE INDEX IF NOT EXISTS audit_records_prev_hash ON audit_records(prev_hash);
CREATE INDEX IF NOT EXISTS audit_records_kind ON audit_records(kind, seq);
CREATE INDEX IF NOT EXISTS audit_records_caller ON audit_records(caller, seq);
CREATE INDEX IF NOT EXISTS audit_records_created_at ON audit_records(created_at);
-- Guard rails against accidental edits; a deliberate tamperer can drop them, which is what
-- the hash chain is for.
CREATE TRIGGER IF NOT EXISTS audit_records_no_update BEFORE UPDATE ON audit_records
BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_records_no_delete BEFORE DELETE ON audit_records
BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;

CREATE TABLE IF NOT EXISTS api_tokens (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    scope       TEXT NOT NULL,
    salt        TEXT NOT NULL,
    hash        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    revoked_at  TEXT
);
";

const RECORD_COLUMNS: &str = "seq, id, kind, created_at, caller, input, output, rules_version, \
                              lists, engine_version, prev_hash, hash";

fn backend(e: rusqlite::Error) -> StoreError {
    StoreError::Backend(Box::new(e))
}

/// The audit log and token table in one SQLite file.
///
/// Several processes may open the same file (say `earl serve` and `earl check`): appends take
/// SQLite's write lock with `BEGIN IMMEDIATE`, read the head inside that transaction and commit,
/// so the chain stays linear across processes.
pub struct SqliteStore {
    path: PathBuf,
    writer: Mutex<Connection>,
    reader: Mutex<Connection>,
    /// Appends waiting for the next group commit.
    pending: Mutex<Vec<(Prepared, Slot)>>,
}

/// Where an append's outcome is left for its caller.
type Slot = Arc<Mutex<Option<Result<StoredRecord, StoreError>>>>;

/// A record with its JSON columns already in canonical text (done outside the writer lock).
struct Prepared {
    new: NewRecord,
    input: String,
    output: String,
    lists: String,
}

impl Prepared {
    fn new(new: NewRecord) -> Result<Self, StoreError> {
        let lists_value = serde_json::to_value(&new.lists)
            .map_err(|e| StoreError::Invalid { field: "lists".into(), message: e.to_string() })?;
        Ok(Prepared {
            input: to_canonical_string(&new.input),
            output: to_canonical_string(&new.output),
            lists: to_canonical_string(&lists_value),
            new,
        })
    }
}

/// Appends `records` in order in one `BEGIN IMMEDIATE` transaction. The head is read inside
/// the transaction, so other processes appending to the same file keep one chain.
fn write_batch(
    conn: &mut Connection,
    records: Vec<Prepared>,
) -> Result<Vec<StoredRecord>, StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(backend)?;
    let head: Option<(i64, String)> = tx
        .query_row("SELECT seq, hash FROM audit_records ORDER BY seq DESC LIMIT 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()
        .map_err(backend)?;
    let (head_seq, mut prev_hash) = head.unwrap_or((0, GENESIS_HASH.to_owned()));
    let mut seq = u64::try_from(head_seq).unwrap_or(0);
    let mut stored = Vec::with_capacity(records.len());
    {
        let mut insert = tx
            .prepare_cached(
                "INSERT INTO audit_records (seq, id, kind, created_at, caller, input, output, \
                 rules_version, lists, engine_version, prev_hash, hash) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )
            .map_err(backend)?;
        for p in records {
            seq = seq.saturating_add(1);
            let new = p.new;
            let mut record = StoredRecord {
                id: uuid::Uuid::now_v7().to_string(),
                seq,
                kind: new.kind,
                created_at: now(),
                caller: new.caller,
                input: new.input,
                output: new.output,
                rules_version: new.rules_version,
                lists: new.lists,
                engine_version: new.engine_version,
                prev_hash: prev_hash.clone(),
                hash: String::new(),
            };
            record.hash = record.compute_hash();
            insert
                .execute(params![
                    to_i64(seq, "seq")?,
                    record.id,
                    record.kind,
                    record.created_at,
                    record.caller,
                    p.input,
                    p.output,
                    record.rules_version,
                    p.lists,
                    record.engine_version,
                    record.prev_hash,
                    record.hash
                ])
                .map_err(backend)?;
            prev_hash.clone_from(&record.hash);
            stored.push(record);
        }
    }
    // With synchronous=FULL the commit returns after the WAL is on disk.
    tx.commit().map_err(backend)?;
    Ok(stored)
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore").field("path", &self.path).finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path`.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let path = path.as_ref().to_path_buf();
        let open_err = |e: rusqlite::Error| StoreError::Open {
            path: path.display().to_string(),
            message: e.to_string(),
        };
        let writer = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(open_err)?;
        writer.busy_timeout(BUSY_TIMEOUT).map_err(open_err)?;
        // WAL: readers never block the writer. FULL: the WAL is fsynced at every commit, so an
        // acknowledged append survives a crash or power loss, not only a process kill.
        let mode: String =
            writer.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0)).map_err(open_err)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Open {
                path: path.display().to_string(),
                message: format!("could not switch to WAL journal (got `{mode}`)"),
            });
        }
        writer.pragma_update(None, "synchronous", "FULL").map_err(open_err)?;
        writer.execute_batch(SCHEMA).map_err(open_err)?;

        let reader = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(open_err)?;
        reader.busy_timeout(BUSY_TIMEOUT).map_err(open_err)?;
        Ok(SqliteStore {
            path,
            writer: Mutex::new(writer),
            reader: Mutex::new(reader),
            pending: Mutex::new(Vec::new()),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn writer(&self) -> Result<MutexGuard<'_, Connection>, StoreError> {
        self.writer.lock().map_err(|_| StoreError::Poisoned)
    }

    fn reader(&self) -> Result<MutexGuard<'_, Connection>, StoreError> {
        self.reader.lock().map_err(|_| StoreError::Poisoned)
    }
}

fn now() -> String {
    format_timestamp(jiff::Timestamp::now())
}

/// Parses a JSON column; unparseable text becomes a JSON string (which cannot hash right) and
/// non-canonical text clears `faithful`.
fn json_column(text: &str, faithful: &mut bool) -> Value {
    match serde_json::from_str::<Value>(text) {
        Ok(v) => {
            if to_canonical_string(&v) != text {
                *faithful = false;
            }
            v
        }
        Err(_) => {
            *faithful = false;
            Value::String(text.to_owned())
        }
    }
}

fn raw_from_row(row: &Row<'_>) -> rusqlite::Result<RawRecord> {
    let seq: i64 = row.get(0)?;
    let input: String = row.get(5)?;
    let output: String = row.get(6)?;
    let lists_text: String = row.get(8)?;
    let mut faithful = seq >= 1;
    let input = json_column(&input, &mut faithful);
    let output = json_column(&output, &mut faithful);
    let lists_value = json_column(&lists_text, &mut faithful);
    let lists: Vec<ListRef> = serde_json::from_value(lists_value).unwrap_or_else(|_| {
        faithful = false;
        Vec::new()
    });
    let record = StoredRecord {
        id: row.get(1)?,
        seq: u64::try_from(seq).unwrap_or(0),
        kind: row.get(2)?,
        created_at: row.get(3)?,
        caller: row.get(4)?,
        input,
        output,
        rules_version: row.get(7)?,
        lists,
        engine_version: row.get(9)?,
        prev_hash: row.get(10)?,
        hash: row.get(11)?,
    };
    Ok(RawRecord { record, faithful })
}

fn to_i64(n: u64, field: &str) -> Result<i64, StoreError> {
    i64::try_from(n).map_err(|_| StoreError::Invalid {
        field: field.into(),
        message: format!("{n} is too large"),
    })
}

impl AuditStore for SqliteStore {
    fn append(&self, new: NewRecord) -> Result<StoredRecord, StoreError> {
        crate::validate_new(&new)?;
        let prepared = Prepared::new(new)?;
        // Group commit: queue the record, then take the writer. Whoever holds the writer
        // commits everything queued so far in one transaction (one fsync), so concurrent
        // appends share fsyncs instead of waiting for one each.
        let slot = Arc::new(Mutex::new(None));
        self.pending.lock().map_err(|_| StoreError::Poisoned)?.push((prepared, slot.clone()));
        let mut conn = self.writer()?;
        if let Some(done) = slot.lock().map_err(|_| StoreError::Poisoned)?.take() {
            return done; // An earlier holder committed it.
        }
        let batch = std::mem::take(&mut *self.pending.lock().map_err(|_| StoreError::Poisoned)?);
        let (records, slots): (Vec<Prepared>, Vec<Slot>) = batch.into_iter().unzip();
        match write_batch(&mut conn, records) {
            Ok(stored) => {
                for (slot, rec) in slots.iter().zip(stored) {
                    if let Ok(mut s) = slot.lock() {
                        *s = Some(Ok(rec));
                    }
                }
            }
            Err(e) => {
                // The transaction rolled back: nothing of the batch was written.
                let message = e.to_string();
                for slot in &slots {
                    if let Ok(mut s) = slot.lock() {
                        *s = Some(Err(StoreError::Backend(message.clone().into())));
                    }
                }
            }
        }
        drop(conn);
        let mine = slot.lock().map_err(|_| StoreError::Poisoned)?.take();
        mine.unwrap_or_else(|| Err(StoreError::Backend("append was not processed".into())))
    }

    fn get(&self, id: &str) -> Result<Option<StoredRecord>, StoreError> {
        let conn = self.reader()?;
        conn.query_row(
            &format!("SELECT {RECORD_COLUMNS} FROM audit_records WHERE id = ?1"),
            [id],
            raw_from_row,
        )
        .optional()
        .map(|r| r.map(|raw| raw.record))
        .map_err(backend)
    }

    fn list(&self, filter: &ListFilter) -> Result<Vec<StoredRecord>, StoreError> {
        let mut sql = format!("SELECT {RECORD_COLUMNS} FROM audit_records WHERE 1=1");
        let mut args: Vec<String> = Vec::new();
        let mut push = |clause: &str, value: String, sql: &mut String| {
            args.push(value);
            sql.push_str(&format!(" AND {clause} ?{}", args.len()));
        };
        if let Some(kind) = &filter.kind {
            push("kind =", kind.clone(), &mut sql);
        }
        if let Some(caller) = &filter.caller {
            push("caller =", caller.clone(), &mut sql);
        }
        if let Some(since) = filter.since {
            push("created_at >=", format_timestamp(since), &mut sql);
        }
        if let Some(until) = filter.until {
            push("created_at <", format_timestamp(until), &mut sql);
        }
        let limit = match filter.limit {
            0 => DEFAULT_LIST_LIMIT,
            n => n.min(MAX_LIST_LIMIT),
        };
        sql.push_str(&format!(
            " ORDER BY seq DESC LIMIT {limit} OFFSET {}",
            to_i64(filter.offset, "offset")?
        ));
        let conn = self.reader()?;
        let mut stmt = conn.prepare(&sql).map_err(backend)?;
        let rows = stmt
            .query_map(rusqlite::params_from_iter(args.iter()), raw_from_row)
            .map_err(backend)?;
        rows.map(|r| r.map(|raw| raw.record).map_err(backend)).collect()
    }

    fn verify(&self) -> Result<VerifyReport, StoreError> {
        verify_chain(self)
    }

    fn export(&self, out: &mut dyn Write) -> Result<usize, StoreError> {
        let mut n = 0usize;
        self.for_each_record(&mut |raw| {
            serde_json::to_writer(&mut *out, &raw.record)
                .map_err(|e| StoreError::Io(std::io::Error::other(e)))?;
            out.write_all(b"\n")?;
            n = n.saturating_add(1);
            Ok(())
        })?;
        out.flush()?;
        Ok(n)
    }

    fn head(&self) -> Result<Option<Head>, StoreError> {
        let conn = self.reader()?;
        conn.query_row(
            "SELECT seq, id, hash FROM audit_records ORDER BY seq DESC LIMIT 1",
            [],
            |r| {
                let seq: i64 = r.get(0)?;
                Ok(Head { seq: u64::try_from(seq).unwrap_or(0), id: r.get(1)?, hash: r.get(2)? })
            },
        )
        .optional()
        .map_err(backend)
    }

    fn count(&self) -> Result<u64, StoreError> {
        let conn = self.reader()?;
        let n: i64 = conn
            .query_row("SELECT COUNT(*) FROM audit_records", [], |r| r.get(0))
            .map_err(backend)?;
        Ok(u64::try_from(n).unwrap_or(0))
    }
}

impl ChainSource for SqliteStore {
    fn for_each_record(
        &self,
        f: &mut dyn FnMut(RawRecord) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        // A dedicated connection: the walk calls back into find_by_hash, which uses `reader`.
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(backend)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(backend)?;
        let mut stmt = conn
            .prepare(&format!("SELECT {RECORD_COLUMNS} FROM audit_records ORDER BY seq ASC"))
            .map_err(backend)?;
        let mut rows = stmt.query([]).map_err(backend)?;
        while let Some(row) = rows.next().map_err(backend)? {
            f(raw_from_row(row).map_err(backend)?)?;
        }
        Ok(())
    }

    fn find_by_hash(&self, hash: &str) -> Result<Option<RawRecord>, StoreError> {
        let conn = self.reader()?;
        conn.query_row(
            &format!("SELECT {RECORD_COLUMNS} FROM audit_records WHERE hash = ?1 LIMIT 1"),
            [hash],
            raw_from_row,
        )
        .optional()
        .map_err(backend)
    }

    fn find_by_prev_hash(&self, hash: &str) -> Result<Option<RawRecord>, StoreError> {
        let conn = self.reader()?;
        conn.query_row(
            &format!("SELECT {RECORD_COLUMNS} FROM audit_records WHERE prev_hash = ?1 LIMIT 1"),
            [hash],
            raw_from_row,
        )
        .optional()
        .map_err(backend)
    }

    fn highest_seq_issued(&self) -> Result<Option<u64>, StoreError> {
        let conn = self.reader()?;
        let n: Option<i64> = conn
            .query_row("SELECT seq FROM sqlite_sequence WHERE name = 'audit_records'", [], |r| {
                r.get(0)
            })
            .optional()
            .map_err(backend)?;
        Ok(n.and_then(|n| u64::try_from(n).ok()))
    }
}

fn token_from_row(row: &Row<'_>) -> rusqlite::Result<(TokenInfo, String)> {
    let scope: String = row.get(2)?;
    Ok((
        TokenInfo {
            id: row.get(0)?,
            name: row.get(1)?,
            // An unknown scope string in the table grants the least.
            scope: scope.parse().unwrap_or(Scope::Read),
            created_at: row.get(3)?,
            revoked_at: row.get(4)?,
        },
        scope,
    ))
}

impl TokenStore for SqliteStore {
    fn create_token(&self, name: &str, scope: Scope) -> Result<(String, TokenInfo), StoreError> {
        validate_name(name)?;
        let mut id_bytes = [0u8; ID_HEX_LEN / 2];
        let mut secret_bytes = [0u8; 32];
        let mut salt = [0u8; 32];
        random_bytes(&mut id_bytes)?;
        random_bytes(&mut secret_bytes)?;
        random_bytes(&mut salt)?;
        let id = hex::encode(id_bytes);
        let secret = hex::encode(secret_bytes);
        let hash = secret_hash(&salt, &secret);
        let info = TokenInfo {
            id: id.clone(),
            name: name.to_owned(),
            scope,
            created_at: now(),
            revoked_at: None,
        };
        let conn = self.writer()?;
        let taken: bool = conn
            .query_row("SELECT EXISTS(SELECT 1 FROM api_tokens WHERE name = ?1)", [name], |r| {
                r.get(0)
            })
            .map_err(backend)?;
        if taken {
            return Err(StoreError::Invalid {
                field: "name".into(),
                message: format!("a token named `{name}` already exists (names are never reused)"),
            });
        }
        conn.execute(
            "INSERT INTO api_tokens (id, name, scope, salt, hash, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                id,
                name,
                scope.as_str(),
                hex::encode(salt),
                hash.to_hex().as_str(),
                info.created_at
            ],
        )
        .map_err(backend)?;
        Ok((format!("earl_{id}_{secret}"), info))
    }

    fn verify_token(&self, plaintext: &str) -> Result<Option<TokenInfo>, StoreError> {
        let Some((id, secret)) = split_token(plaintext.trim()) else {
            return Ok(None);
        };
        let conn = self.reader()?;
        let row: Option<(TokenInfo, String, String, String)> = conn
            .query_row(
                "SELECT id, name, scope, created_at, revoked_at, salt, hash FROM api_tokens \
                 WHERE id = ?1 AND revoked_at IS NULL",
                [id],
                |r| {
                    let (info, scope) = token_from_row(r)?;
                    Ok((info, scope, r.get(5)?, r.get(6)?))
                },
            )
            .optional()
            .map_err(backend)?;
        drop(conn);
        let Some((info, scope_text, salt_hex, hash_hex)) = row else {
            return Ok(None);
        };
        // A row whose scope, salt or hash is malformed authenticates nobody.
        if scope_text.parse::<Scope>().is_err() {
            return Ok(None);
        }
        let mut salt = [0u8; 32];
        if hex::decode_to_slice(&salt_hex, &mut salt).is_err() {
            return Ok(None);
        }
        let Ok(stored) = blake3::Hash::from_hex(&hash_hex) else {
            return Ok(None);
        };
        // blake3::Hash equality is constant-time.
        Ok((secret_hash(&salt, secret) == stored).then_some(info))
    }

    fn list_tokens(&self) -> Result<Vec<TokenInfo>, StoreError> {
        let conn = self.reader()?;
        let mut stmt = conn
            .prepare(
                "SELECT id, name, scope, created_at, revoked_at FROM api_tokens \
                 ORDER BY created_at, name",
            )
            .map_err(backend)?;
        let rows = stmt.query_map([], token_from_row).map_err(backend)?;
        rows.map(|r| r.map(|(info, _)| info).map_err(backend)).collect()
    }

    fn revoke_token(&self, id_or_name: &str) -> Result<bool, StoreError> {
        let conn = self.writer()?;
        let n = conn
            .execute(
                "UPDATE api_tokens SET revoked_at = ?1 \
                 WHERE (id = ?2 OR name = ?2) AND revoked_at IS NULL",
                params![now(), id_or_name],
            )
            .map_err(backend)?;
        Ok(n > 0)
    }
}
