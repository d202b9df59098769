//! Durability: a writer process killed with SIGKILL in the middle of appending loses no record it
//! had acknowledged, and the chain still verifies.
//!
//! The test re-runs its own test executable as the child (selected by an environment variable),
//! so no extra binary is needed.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test helpers fail loudly on setup errors"
)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use earl_store::{AuditStore, NewRecord, SqliteStore};
use serde_json::json;

const CHILD_ENV: &str = "EARL_STORE_CRASH_CHILD_DB";

/// In the child: append forever, printing each id once `append` has returned.
#[test]
fn crash_child_writer() {
    let Ok(path) = std::env::var(CHILD_ENV) else {
        return; // Not the child: nothing to do.
    };
    let store = SqliteStore::open(&path).unwrap();
    let mut out = std::io::stdout().lock();
    for i in 0u64.. {
        let rec = store
            .append(NewRecord {
                kind: "check".into(),
                caller: "cli:crash-test".into(),
                input: json!({"i": i, "pad": "x".repeat(200)}),
                output: json!({"verdict": "license_required"}),
                rules_version: "r1".into(),
                lists: vec![],
                engine_version: "0.1.0".into(),
            })
            .unwrap();
        writeln!(out, "ACK {}", rec.id).unwrap();
        out.flush().unwrap();
    }
}

#[test]
fn acknowledged_appends_survive_sigkill() {
    if std::env::var(CHILD_ENV).is_ok() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("audit.db");
    // Seed the log so the child appends to an existing chain.
    SqliteStore::open(&db).unwrap();

    for round in 0..3 {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "crash_child_writer", "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, &db)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut acked = Vec::new();
        let started = Instant::now();
        // Kill at a different point each round.
        let kill_after = 40 + round * 37;
        for line in BufReader::new(stdout).lines() {
            let line = line.unwrap();
            // libtest may print `test crash_child_writer ... ` before the first line.
            if let Some((_, id)) = line.split_once("ACK ") {
                acked.push(id.trim().to_owned());
            }
            if acked.len() >= kill_after || started.elapsed() > Duration::from_secs(60) {
                // std's Child::kill sends SIGKILL on Unix: no destructors, no clean close.
                child.kill().unwrap();
                break;
            }
        }
        child.wait().unwrap();
        assert!(acked.len() >= 10, "child acknowledged only {} records", acked.len());

        let store = SqliteStore::open(&db).unwrap();
        for id in &acked {
            assert!(
                store.get(id).unwrap().is_some(),
                "acknowledged record {id} lost (round {round})"
            );
        }
        let report = store.verify().unwrap();
        assert!(report.is_ok(), "round {round}: {report:#?}");
        assert!(report.checked >= acked.len() as u64);
    }
}
