//! Shared test setup: one engine per test binary, a fresh audit database per test.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    dead_code,
    reason = "test helpers fail loudly on setup errors; not every test binary uses every helper"
)]

use std::sync::{Arc, OnceLock};

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use earl_engine::{Engine, LoadOptions};
use earl_server::{AppState, ServerConfig, router};
use earl_store::{Scope, SqliteStore, TokenStore};
use tower::ServiceExt;

/// The engine over the bundled data only (user overrides ignored), loaded once.
pub fn engine() -> Arc<Engine> {
    static ENGINE: OnceLock<Arc<Engine>> = OnceLock::new();
    ENGINE
        .get_or_init(|| {
            let dir = std::env::temp_dir().join("earl-server-tests-data");
            Arc::new(
                Engine::load(&LoadOptions { data_dir: Some(dir), bundled_only: true })
                    .expect("bundled data loads"),
            )
        })
        .clone()
}

/// An app over a fresh database with a write token (`erp`) and a read token (`analyst`).
pub struct App {
    pub router: Router,
    pub store: Arc<SqliteStore>,
    pub write: String,
    pub read: String,
    pub dir: tempfile::TempDir,
    pub cfg: ServerConfig,
}

pub fn app() -> App {
    app_with(|_| {})
}

pub fn app_with(tweak: impl FnOnce(&mut ServerConfig)) -> App {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = ServerConfig::new(dir.path().join("audit.db"));
    tweak(&mut cfg);
    let store = Arc::new(SqliteStore::open(&cfg.db_path).unwrap());
    let (write, _) = store.create_token("erp", Scope::Write).unwrap();
    let (read, _) = store.create_token("analyst", Scope::Read).unwrap();
    let state = AppState::new(engine(), store.clone(), &cfg);
    App { router: router(state), store, write, read, dir, cfg }
}

/// A response, read whole.
pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

impl App {
    pub async fn call(
        &self,
        method: Method,
        uri: &str,
        token: Option<&str>,
        body: Option<&str>,
    ) -> Resp {
        let mut req = Request::builder().method(method).uri(uri);
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        if let Some(b) = body {
            req = req.header("content-type", "application/json").header("content-length", b.len());
        }
        let req = req.body(body.map_or_else(Body::empty, |b| Body::from(b.to_owned()))).unwrap();
        let resp = self.router.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = axum::body::to_bytes(resp.into_body(), usize::MAX).await.unwrap().to_vec();
        Resp { status, headers, body }
    }

    pub async fn get(&self, uri: &str, token: Option<&str>) -> Resp {
        self.call(Method::GET, uri, token, None).await
    }

    pub async fn post(&self, uri: &str, token: Option<&str>, body: &str) -> Resp {
        self.call(Method::POST, uri, token, Some(body)).await
    }
}

/// An H100 shipment to China: a license is required.
pub const H100_TO_CN: &str = r#"{"date": "2025-06-01", "destination": "CN",
  "exporter": {"name": "Acme Semiconductor", "country": "US", "headquarters": "US"},
  "items": [{"product": "nvidia-h100-sxm"}],
  "parties": [{"role": "end_user", "name": "Example Cloud Ltd", "country": "CN"}]}"#;
