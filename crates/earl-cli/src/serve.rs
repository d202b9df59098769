//! `earl serve` and `earl token`.

use std::io::Write as _;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context as _, anyhow};
use earl_store::{Scope, SqliteStore, TokenStore as _};

use crate::args::{Global, ServeArgs, TokenAction, TokenArgs};
use crate::audit::db_path;
use crate::check::engine;

pub fn serve(global: &Global, args: &ServeArgs) -> anyhow::Result<ExitCode> {
    let db = db_path(global, args.db.as_deref());
    if let Some(parent) = db.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
    }
    let mut cfg = earl_server::ServerConfig::new(&db);
    cfg.addr = args.addr;
    cfg.require_tokens = !args.no_auth;
    if let Some(b) = args.body_limit {
        cfg.body_limit = b;
    }
    if let Some(b) = args.batch_limit {
        cfg.batch_limit = b;
    }
    if let Some(t) = args.timeout {
        cfg.timeout = std::time::Duration::from_secs(t);
    }
    let engine = Arc::new(engine(global)?);
    eprintln!(
        "earl: serving on http://{} (audit log {}, tokens {}); data loaded in {} ms",
        cfg.addr,
        db.display(),
        if cfg.require_tokens { "required" } else { "off" },
        engine.load_time().as_millis()
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(earl_server::serve(cfg, engine)).map_err(|e| anyhow!("{e}"))?;
    Ok(ExitCode::SUCCESS)
}

pub fn token(global: &Global, args: TokenArgs) -> anyhow::Result<ExitCode> {
    let db = db_path(global, args.db.as_deref());
    if let Some(parent) = db.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
    }
    let store = SqliteStore::open(&db)?;
    let mut out = std::io::stdout().lock();
    match args.action {
        TokenAction::Create { scope, name } => {
            let scope: Scope = scope.parse().map_err(|e| anyhow!("--scope: {e}"))?;
            let name = name.unwrap_or_else(|| {
                format!("{}-{}", scope.as_str(), jiff::Timestamp::now().as_second())
            });
            let (secret, info) = store.create_token(&name, scope)?;
            writeln!(out, "{secret}")?;
            eprintln!(
                "created {} token `{}` (id {}); the secret above is shown only now. Use it as \
                 `Authorization: Bearer <token>`.",
                info.scope.as_str(),
                info.name,
                info.id
            );
        }
        TokenAction::List => {
            for t in store.list_tokens()? {
                writeln!(
                    out,
                    "{}  {:<6} {:<24} created {}{}",
                    t.id,
                    t.scope.as_str(),
                    t.name,
                    t.created_at,
                    t.revoked_at.map(|r| format!(", revoked {r}")).unwrap_or_default()
                )?;
            }
        }
        TokenAction::Revoke { token } => {
            if store.revoke_token(&token)? {
                writeln!(out, "revoked `{token}`")?;
            } else {
                return Err(anyhow!("no live token with id or name `{token}`"));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
