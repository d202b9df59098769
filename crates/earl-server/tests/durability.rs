//! The server on a real socket, and the durability promise: a determination acknowledged to a
//! client survives `kill -9` of the server.
//!
//! The kill test re-runs this test executable as the server process (selected by an
//! environment variable), so it needs no separately built binary.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test setup fails loudly")]

mod common;

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{H100_TO_CN, engine};
use earl_server::{AppState, ServerConfig, serve_on};
use earl_store::{AuditStore, Scope, SqliteStore, TokenStore};

const CHILD_ENV: &str = "EARL_SERVER_CHILD_DB";

/// In the child: serve the database named by the environment until killed.
#[test]
fn server_child_process() {
    let Ok(db) = std::env::var(CHILD_ENV) else {
        return;
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async move {
        let cfg = ServerConfig::new(&db);
        let store = Arc::new(SqliteStore::open(&db).unwrap());
        let state = AppState::new(engine(), store, &cfg);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        // Straight to the stdout handle: libtest's output capture hooks only the print macros.
        let mut out = std::io::stdout().lock();
        writeln!(out, "LISTENING {}", listener.local_addr().unwrap()).unwrap();
        out.flush().unwrap();
        drop(out);
        serve_on(listener, state, std::future::pending()).await.unwrap();
    });
}

#[tokio::test]
async fn real_socket_serves_and_shuts_down_gracefully() {
    if std::env::var(CHILD_ENV).is_ok() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let cfg = ServerConfig::new(dir.path().join("audit.db"));
    let store = Arc::new(SqliteStore::open(&cfg.db_path).unwrap());
    let (token, _) = store.create_token("erp", Scope::Write).unwrap();
    let state = AppState::new(engine(), store.clone(), &cfg);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve_on(listener, state, async {
        let _ = stopped.await;
    }));

    let client = reqwest::Client::new();
    let health = client.get(format!("http://{addr}/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let resp = client
        .post(format!("http://{addr}/v1/check"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(H100_TO_CN)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["verdict"], "license_required");
    let missing = client.get(format!("http://{addr}/nope")).send().await.unwrap();
    assert_eq!(missing.status(), 404);
    assert_eq!(missing.headers()["content-type"], "application/json");

    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(10), server).await.unwrap().unwrap().unwrap();
    assert!(client.get(format!("http://{addr}/healthz")).send().await.is_err());
    assert_eq!(store.count().unwrap(), 1);
}

#[tokio::test]
async fn acknowledged_checks_survive_sigkill_of_the_server() {
    if std::env::var(CHILD_ENV).is_ok() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("audit.db");
    let token = {
        let store = SqliteStore::open(&db).unwrap();
        store.create_token("erp", Scope::Write).unwrap().0
    };
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "server_child_process", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, &db)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let addr = tokio::task::spawn_blocking(move || {
        let started = Instant::now();
        for line in BufReader::new(stdout).lines() {
            let line = line.unwrap();
            // libtest may print `test server_child_process ... ` before it on the same line.
            if let Some((_, addr)) = line.split_once("LISTENING ") {
                return addr.trim().to_owned();
            }
            assert!(started.elapsed() < Duration::from_secs(300), "server child never listened");
        }
        panic!("server child exited before listening");
    })
    .await
    .unwrap();

    let acked: Arc<Mutex<Vec<String>>> = Arc::default();
    let client = reqwest::Client::new();
    let workers: Vec<_> = (0..4)
        .map(|_| {
            let (client, acked, token, addr) =
                (client.clone(), acked.clone(), token.clone(), addr.clone());
            tokio::spawn(async move {
                loop {
                    let sent = client
                        .post(format!("http://{addr}/v1/check"))
                        .bearer_auth(&token)
                        .header("content-type", "application/json")
                        .body(H100_TO_CN)
                        .send()
                        .await;
                    // Once the server is gone, requests fail: stop.
                    let Ok(resp) = sent else { return };
                    if resp.status() != 200 {
                        return;
                    }
                    let Ok(body) = resp.json::<serde_json::Value>().await else { return };
                    acked.lock().unwrap().push(body["decision_id"].as_str().unwrap().to_owned());
                }
            })
        })
        .collect();

    let started = Instant::now();
    while acked.lock().unwrap().len() < 60 && started.elapsed() < Duration::from_secs(60) {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // SIGKILL while requests are in flight.
    child.kill().unwrap();
    child.wait().unwrap();
    for w in workers {
        let _ = tokio::time::timeout(Duration::from_secs(10), w).await;
    }

    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() >= 20, "only {} checks acknowledged", acked.len());
    let store = SqliteStore::open(&db).unwrap();
    for id in &acked {
        assert!(store.get(id).unwrap().is_some(), "acknowledged decision {id} lost");
    }
    let report = store.verify().unwrap();
    assert!(report.is_ok(), "{report:#?}");
    assert!(report.checked >= acked.len() as u64);
}
