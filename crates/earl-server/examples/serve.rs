//! Stand-alone `earl serve` for load tests and local use until the CLI wires it:
//!
//! ```text
//! cargo run --release -p earl-server --example serve -- --db /tmp/audit.db --addr 127.0.0.1:8080 --token loadtest
//! ```
//!
//! `--token NAME` creates a write token of that name and prints it as `TOKEN <plaintext>`.

use std::sync::Arc;

use earl_engine::{Engine, LoadOptions};
use earl_server::ServerConfig;
use earl_store::{Scope, SqliteStore, TokenStore};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mut cfg = ServerConfig::new("audit.db");
    let mut token = None;
    while let Some(flag) = args.next() {
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--db" => cfg.db_path = value.into(),
            "--addr" => cfg.addr = value.parse()?,
            "--token" => token = Some(value),
            other => return Err(format!("unknown flag {other}").into()),
        }
    }
    if let Some(name) = token {
        let store = SqliteStore::open(&cfg.db_path)?;
        let (plain, _) = store.create_token(&name, Scope::Write)?;
        println!("TOKEN {plain}");
    }
    let engine = Arc::new(Engine::load(&LoadOptions::default())?);
    println!("LISTENING {}", cfg.addr);
    earl_server::serve(cfg, engine).await?;
    Ok(())
}
