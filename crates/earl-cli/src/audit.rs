//! `earl audit` and recording decisions from the CLI.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, anyhow};
use earl_engine::Engine;
use earl_store::{AuditStore, ListFilter, SqliteStore, StoredRecord};

use crate::args::{AuditAction, AuditArgs, Global};

/// The audit database path: `--db`, else `<data dir>/audit.db`.
pub fn db_path(global: &Global, db: Option<&Path>) -> PathBuf {
    match db {
        Some(p) => p.to_owned(),
        None => earl_engine::DataDir::resolve(global.data_dir.as_deref()).root().join("audit.db"),
    }
}

/// Open (creating if needed) the audit store.
pub fn open_store(global: &Global, db: Option<&Path>) -> anyhow::Result<Box<dyn AuditStore>> {
    let path = db_path(global, db);
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
    }
    Ok(Box::new(SqliteStore::open(&path)?))
}

/// Who is asking, for the audit record.
pub fn cli_caller() -> String {
    let user = std::env::var("USER").or_else(|_| std::env::var("USERNAME")).unwrap_or_default();
    format!("cli:{}", if user.is_empty() { "unknown" } else { &user })
}

/// Append a decision to the audit log with the engine's data versions, in the same record
/// shape the API writes (so `earl audit replay` treats both alike).
pub fn record(
    engine: &Engine,
    store: &dyn AuditStore,
    decided: &earl_server::audit::Decided,
) -> anyhow::Result<StoredRecord> {
    // Keep the lists in use so the decision can be replayed after they change.
    engine.archive_in_use().context("archiving the list snapshots in use")?;
    let provenance = earl_server::audit::provenance(engine);
    earl_server::audit::record(store, &provenance, &cli_caller(), decided)
        .context("writing the audit log")
}

pub fn audit(global: &Global, args: AuditArgs) -> anyhow::Result<ExitCode> {
    let path = db_path(global, args.db.as_deref());
    if !path.exists() {
        return Err(anyhow!("no audit database at {}", path.display()));
    }
    let store = SqliteStore::open(&path)?;
    let mut out = std::io::stdout().lock();
    match args.action {
        AuditAction::Verify { json } => {
            let report = store.verify()?;
            if json {
                writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
            } else {
                write!(out, "{}", render_verify(&report))?;
            }
            Ok(if report.is_ok() { ExitCode::SUCCESS } else { ExitCode::from(1) })
        }
        AuditAction::Replay { id, json } => {
            let rec = store.get(&id)?.ok_or_else(|| anyhow!("no audit record with id `{id}`"))?;
            let data_dir = earl_engine::DataDir::resolve(global.data_dir.as_deref());
            let report = earl_server::audit::replay_record(&data_dir, &rec)?;
            if json {
                writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
            } else {
                writeln!(out, "Recorded {} by {}", rec.created_at, rec.caller)?;
                write!(out, "{}", report.to_text())?;
            }
            Ok(if report.identical { ExitCode::SUCCESS } else { ExitCode::from(1) })
        }
        AuditAction::Export { output } => {
            let n = match output {
                Some(p) => {
                    let mut f = std::io::BufWriter::new(
                        std::fs::File::create(&p)
                            .with_context(|| format!("creating {}", p.display()))?,
                    );
                    let n = store.export(&mut f)?;
                    f.flush()?;
                    n
                }
                None => store.export(&mut out)?,
            };
            eprintln!("exported {n} records");
            Ok(ExitCode::SUCCESS)
        }
        AuditAction::Log { limit, kind } => {
            let filter = ListFilter { kind, limit, ..ListFilter::default() };
            for r in store.list(&filter)? {
                let verdict = r.output.get("verdict").and_then(|v| v.as_str()).unwrap_or("");
                writeln!(
                    out,
                    "{}  {:>5}  {:<12} {:<22} {}",
                    r.created_at, r.seq, r.kind, r.caller, verdict
                )?;
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn render_verify(report: &earl_store::VerifyReport) -> String {
    let mut s = String::new();
    let head = report
        .head
        .as_ref()
        .map(|h| format!("newest record #{} {} (hash {})", h.seq, h.id, h.hash))
        .unwrap_or_else(|| "empty log".to_owned());
    if report.is_ok() {
        s.push_str(&format!("OK: {} records, chain intact; {head}\n", report.checked));
        s.push_str(
            "Keep the newest hash elsewhere to prove later that nothing was cut off the end.\n",
        );
    } else {
        s.push_str(&format!(
            "TAMPERED: {} problem(s) in {} records; {head}\n",
            report.problems.len(),
            report.checked
        ));
        for p in &report.problems {
            s.push_str(&format!("  - {:?} at #{} ({}): {}\n", p.kind, p.seq, p.id, p.message));
        }
    }
    s
}
