//! Append / read / verify round trips and tamper detection, with tampering done the way an
//! attacker with file access would: straight on the SQLite file.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test helpers fail loudly on setup errors"
)]

use earl_store::{
    AuditStore, GENESIS_HASH, ListFilter, ListRef, NewRecord, ProblemKind, Scope, SqliteStore,
    StoredRecord, TokenStore,
};
use rusqlite::Connection;
use serde_json::json;

fn new_record(i: usize) -> NewRecord {
    NewRecord {
        kind: if i.is_multiple_of(2) { "check".into() } else { "screen".into() },
        caller: format!("token:erp-{}", i % 3),
        input: json!({"destination": "CN", "n": i, "items": [{"chip": "H100", "qty": 8}]}),
        output: json!({"verdict": "license_required", "reasons": [{"citation": "15 CFR 742.6(a)(6)"}]}),
        rules_version: "2025-01-15".into(),
        lists: vec![ListRef {
            list: "us_bis_entity_list".into(),
            as_of: "2025-01-15".into(),
            sha256: "ab".repeat(32),
        }],
        engine_version: "0.1.0".into(),
    }
}

fn store_with(n: usize) -> (tempfile::TempDir, SqliteStore, Vec<StoredRecord>) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("audit.db")).unwrap();
    let records = (0..n).map(|i| store.append(new_record(i)).unwrap()).collect();
    (dir, store, records)
}

/// Opens the file behind the store's back and removes the guard triggers, as an attacker would.
fn tamper(dir: &tempfile::TempDir, sql: &str) {
    let conn = Connection::open(dir.path().join("audit.db")).unwrap();
    conn.execute_batch(
        "DROP TRIGGER audit_records_no_update; DROP TRIGGER audit_records_no_delete;",
    )
    .unwrap();
    conn.execute_batch(sql).unwrap();
}

#[test]
fn appended_records_chain_and_read_back() {
    let (_dir, store, records) = store_with(5);
    assert_eq!(records[0].prev_hash, GENESIS_HASH);
    for (i, pair) in records.windows(2).enumerate() {
        assert_eq!(pair[1].prev_hash, pair[0].hash, "record {} does not chain", i + 1);
        assert_eq!(pair[1].seq, pair[0].seq + 1);
    }
    for r in &records {
        assert_eq!(r.compute_hash(), r.hash);
        assert_eq!(store.get(&r.id).unwrap().as_ref(), Some(r));
        // uuid v7: version nibble 7.
        assert_eq!(r.id.as_bytes()[14], b'7', "{}", r.id);
        assert!(r.created_at.ends_with('Z') && r.created_at.len() == 27, "{}", r.created_at);
    }
    assert_eq!(store.get("nope").unwrap(), None);
    let head = store.head().unwrap().unwrap();
    assert_eq!((head.seq, head.hash.as_str()), (5, records[4].hash.as_str()));
    assert_eq!(store.count().unwrap(), 5);
    let report = store.verify().unwrap();
    assert!(report.is_ok(), "{report:#?}");
    assert_eq!(report.checked, 5);
    assert_eq!(report.head, Some(head));
}

#[test]
fn empty_log_verifies() {
    let (_dir, store, _) = store_with(0);
    let report = store.verify().unwrap();
    assert!(report.is_ok());
    assert_eq!((report.checked, report.head), (0, None));
}

#[test]
fn list_filters_and_pages_newest_first() {
    let (_dir, store, records) = store_with(7);
    let all = store.list(&ListFilter::default()).unwrap();
    assert_eq!(all.iter().map(|r| r.seq).collect::<Vec<_>>(), vec![7, 6, 5, 4, 3, 2, 1]);

    let checks =
        store.list(&ListFilter { kind: Some("check".into()), ..Default::default() }).unwrap();
    assert_eq!(checks.iter().map(|r| r.seq).collect::<Vec<_>>(), vec![7, 5, 3, 1]);

    let page = store.list(&ListFilter { limit: 2, offset: 1, ..Default::default() }).unwrap();
    assert_eq!(page.iter().map(|r| r.seq).collect::<Vec<_>>(), vec![6, 5]);

    let by_caller = store
        .list(&ListFilter { caller: Some("token:erp-0".into()), ..Default::default() })
        .unwrap();
    assert_eq!(by_caller.iter().map(|r| r.seq).collect::<Vec<_>>(), vec![7, 4, 1]);

    let t3: jiff::Timestamp = records[3].created_at.parse().unwrap();
    let since = store.list(&ListFilter { since: Some(t3), ..Default::default() }).unwrap();
    assert!(since.iter().all(|r| r.seq >= 4) && since.iter().any(|r| r.seq == 4));
    let until = store.list(&ListFilter { until: Some(t3), ..Default::default() }).unwrap();
    assert!(until.iter().all(|r| r.created_at < records[3].created_at));
}

#[test]
fn export_writes_json_lines_oldest_first() {
    let (_dir, store, records) = store_with(3);
    let mut out = Vec::new();
    assert_eq!(store.export(&mut out).unwrap(), 3);
    let lines: Vec<StoredRecord> =
        String::from_utf8(out).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines, records);
}

#[test]
fn triggers_refuse_ordinary_edits() {
    let (dir, _store, _) = store_with(2);
    let conn = Connection::open(dir.path().join("audit.db")).unwrap();
    let err = conn.execute("UPDATE audit_records SET caller = 'x' WHERE seq = 1", []).unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
    assert!(conn.execute("DELETE FROM audit_records WHERE seq = 1", []).is_err());
}

#[test]
fn changed_output_byte_is_named_as_altered() {
    let (dir, store, records) = store_with(5);
    tamper(
        &dir,
        "UPDATE audit_records SET output = replace(output, 'license_required', 'license_requirex') \
         WHERE seq = 3",
    );
    let report = store.verify().unwrap();
    assert_eq!(report.problems.len(), 1, "{report:#?}");
    let p = &report.problems[0];
    assert_eq!((p.kind, p.seq, p.id.as_str()), (ProblemKind::Altered, 3, records[2].id.as_str()));
    assert!(p.message.contains(&records[2].id), "{}", p.message);
}

#[test]
fn whitespace_only_edit_of_json_is_still_altered() {
    let (dir, store, records) = store_with(3);
    tamper(&dir, "UPDATE audit_records SET input = ' ' || input WHERE seq = 2");
    let report = store.verify().unwrap();
    assert_eq!(report.problems.len(), 1, "{report:#?}");
    assert_eq!(report.problems[0].kind, ProblemKind::Altered);
    assert_eq!(report.problems[0].id, records[1].id);
}

#[test]
fn deleted_middle_row_is_named_with_the_missing_seq() {
    let (dir, store, records) = store_with(5);
    tamper(&dir, "DELETE FROM audit_records WHERE seq = 3");
    let report = store.verify().unwrap();
    assert_eq!(report.problems.len(), 1, "{report:#?}");
    let p = &report.problems[0];
    assert_eq!(p.kind, ProblemKind::Deleted);
    assert_eq!(p.missing, Some((3, 3)));
    // Detected at the record after the gap.
    assert_eq!((p.seq, p.id.as_str()), (4, records[3].id.as_str()));
}

#[test]
fn deleted_first_row_and_cut_tail_are_found() {
    let (dir, store, _) = store_with(5);
    tamper(
        &dir,
        "DELETE FROM audit_records WHERE seq = 1; DELETE FROM audit_records WHERE seq >= 4",
    );
    let report = store.verify().unwrap();
    let kinds: Vec<_> = report.problems.iter().map(|p| (p.kind, p.missing)).collect();
    assert_eq!(
        kinds,
        vec![(ProblemKind::Deleted, Some((1, 1))), (ProblemKind::Deleted, Some((4, 5)))],
        "{report:#?}"
    );
}

#[test]
fn deleted_and_renumbered_rows_break_the_chain() {
    // The attacker closes the gap by renumbering: every later record's hash no longer holds.
    let (dir, store, records) = store_with(4);
    tamper(
        &dir,
        "DELETE FROM audit_records WHERE seq = 2; \
         UPDATE audit_records SET seq = seq - 1 WHERE seq > 2; \
         UPDATE sqlite_sequence SET seq = 3 WHERE name = 'audit_records';",
    );
    let report = store.verify().unwrap();
    assert!(!report.is_ok());
    let first = &report.problems[0];
    assert_eq!(first.id, records[2].id, "{report:#?}");
    assert_ne!(first.kind, ProblemKind::BrokenLink);
}

#[test]
fn swapped_seq_is_named_as_reordered_for_both_rows() {
    let (dir, store, records) = store_with(6);
    tamper(
        &dir,
        "UPDATE audit_records SET seq = -1 WHERE seq = 3; \
         UPDATE audit_records SET seq = 3 WHERE seq = 4; \
         UPDATE audit_records SET seq = 4 WHERE seq = -1;",
    );
    let report = store.verify().unwrap();
    let got: Vec<_> =
        report.problems.iter().map(|p| (p.kind, p.seq, p.id.clone(), p.written_seq)).collect();
    assert_eq!(
        got,
        vec![
            (ProblemKind::Reordered, 3, records[3].id.clone(), Some(4)),
            (ProblemKind::Reordered, 4, records[2].id.clone(), Some(3)),
        ],
        "{report:#?}"
    );
}

#[test]
fn swapped_last_two_and_distant_rows_are_reordered() {
    let (dir, store, records) = store_with(8);
    tamper(
        &dir,
        "UPDATE audit_records SET seq = -1 WHERE seq = 7; \
         UPDATE audit_records SET seq = 7 WHERE seq = 8; \
         UPDATE audit_records SET seq = 8 WHERE seq = -1; \
         UPDATE audit_records SET seq = -1 WHERE seq = 2; \
         UPDATE audit_records SET seq = 2 WHERE seq = 5; \
         UPDATE audit_records SET seq = 5 WHERE seq = -1;",
    );
    let report = store.verify().unwrap();
    let got: Vec<_> = report.problems.iter().map(|p| (p.kind, p.seq, p.written_seq)).collect();
    assert_eq!(
        got,
        vec![
            (ProblemKind::Reordered, 2, Some(5)),
            (ProblemKind::Reordered, 5, Some(2)),
            (ProblemKind::Reordered, 7, Some(8)),
            (ProblemKind::Reordered, 8, Some(7)),
        ],
        "{report:#?}"
    );
    assert_eq!(report.problems[0].id, records[4].id);
}

#[test]
fn changed_created_at_is_named_as_altered() {
    let (dir, store, records) = store_with(4);
    tamper(
        &dir,
        "UPDATE audit_records SET created_at = '2020-01-01T00:00:00.000000Z' WHERE seq = 2",
    );
    let report = store.verify().unwrap();
    assert_eq!(report.problems.len(), 1, "{report:#?}");
    let p = &report.problems[0];
    assert_eq!((p.kind, p.seq, p.id.as_str()), (ProblemKind::Altered, 2, records[1].id.as_str()));
}

#[test]
fn rewriting_a_record_with_a_fresh_hash_is_caught_at_its_successor() {
    let (dir, store, records) = store_with(4);
    // Recompute record 2's hash after the edit, as a careful attacker would.
    let mut forged = records[1].clone();
    forged.output = json!({"verdict": "no_license_required"});
    forged.hash = forged.compute_hash();
    tamper(
        &dir,
        &format!(
            "UPDATE audit_records SET output = '{}', hash = '{}' WHERE seq = 2",
            earl_store::canonical::to_canonical_string(&forged.output),
            forged.hash
        ),
    );
    let report = store.verify().unwrap();
    assert_eq!(report.problems.len(), 1, "{report:#?}");
    let p = &report.problems[0];
    assert_eq!((p.kind, p.seq, p.id.as_str()), (ProblemKind::Altered, 2, records[1].id.as_str()));
}

#[test]
fn unparseable_json_column_is_altered_not_an_error() {
    let (dir, store, records) = store_with(2);
    tamper(&dir, "UPDATE audit_records SET lists = '[{' WHERE seq = 1");
    let report = store.verify().unwrap();
    assert_eq!(report.problems.len(), 1, "{report:#?}");
    assert_eq!(report.problems[0].kind, ProblemKind::Altered);
    assert_eq!(report.problems[0].id, records[0].id);
}

#[test]
fn append_continues_the_chain_after_reopen_and_across_handles() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.db");
    let a = SqliteStore::open(&path).unwrap();
    let first = a.append(new_record(0)).unwrap();
    // A second process (say the CLI while the server runs) appends to the same file.
    let b = SqliteStore::open(&path).unwrap();
    let second = b.append(new_record(1)).unwrap();
    let third = a.append(new_record(2)).unwrap();
    assert_eq!(second.prev_hash, first.hash);
    assert_eq!(third.prev_hash, second.hash);
    assert_eq!(third.seq, 3);
    drop((a, b));
    let c = SqliteStore::open(&path).unwrap();
    assert!(c.verify().unwrap().is_ok());
}

#[test]
fn concurrent_appends_from_threads_keep_one_chain() {
    let (_dir, store, _) = store_with(0);
    let store = std::sync::Arc::new(store);
    let handles: Vec<_> = (0..8)
        .map(|t| {
            let store = store.clone();
            std::thread::spawn(move || {
                for i in 0..25 {
                    store.append(new_record(t * 100 + i)).unwrap();
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let report = store.verify().unwrap();
    assert!(report.is_ok(), "{report:#?}");
    assert_eq!(report.checked, 200);
}

#[test]
fn empty_fields_are_refused_with_the_field_name() {
    let (_dir, store, _) = store_with(0);
    let mut r = new_record(0);
    r.caller = " ".into();
    let err = store.append(r).unwrap_err();
    assert!(err.to_string().contains("caller"), "{err}");
}

#[test]
fn tokens_verify_only_with_the_exact_secret_and_until_revoked() {
    let (dir, store, _) = store_with(0);
    let (plain, info) = store.create_token("erp-prod", Scope::Write).unwrap();
    assert!(plain.starts_with(&format!("earl_{}_", info.id)));
    assert_eq!(store.verify_token(&plain).unwrap(), Some(info.clone()));

    // Flip the last secret character.
    let mut wrong = plain.clone();
    let last = wrong.pop().unwrap();
    wrong.push(if last == '0' { '1' } else { '0' });
    assert_eq!(store.verify_token(&wrong).unwrap(), None);
    assert_eq!(store.verify_token("").unwrap(), None);
    assert_eq!(store.verify_token("Bearer x").unwrap(), None);

    // The plaintext secret is not in the database file.
    let secret = plain.rsplit('_').next().unwrap();
    let conn = Connection::open(dir.path().join("audit.db")).unwrap();
    let stored: String =
        conn.query_row("SELECT salt || hash || id FROM api_tokens", [], |r| r.get(0)).unwrap();
    assert!(!stored.contains(secret));

    assert!(store.create_token("erp-prod", Scope::Read).is_err(), "duplicate name accepted");
    let (reader, _) = store.create_token("analyst", Scope::Read).unwrap();
    assert_eq!(store.verify_token(&reader).unwrap().unwrap().scope, Scope::Read);
    assert_eq!(store.list_tokens().unwrap().len(), 2);

    assert!(store.revoke_token("erp-prod").unwrap());
    assert!(!store.revoke_token("erp-prod").unwrap());
    assert_eq!(store.verify_token(&plain).unwrap(), None);
    assert!(store.revoke_token(&store.verify_token(&reader).unwrap().unwrap().id).unwrap());
    let listed = store.list_tokens().unwrap();
    assert!(listed.iter().all(|t| t.revoked_at.is_some()));
}
