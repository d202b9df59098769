//! HTTP API and analyst web page for earl (`earl serve`).
//!
//! - [`serve`] binds (127.0.0.1:8080 by default), opens the audit database and serves until
//!   Ctrl-C or SIGTERM.
//! - [`router`] builds the whole application for in-process tests.
//! - [`audit`] holds the decide-and-record logic shared with the CLI, plus `replay`.
//!
//! Every determination, screening and classification answered through the API is appended to
//! the audit log before the answer is sent, so an acknowledged answer survives a crash.
//! CPU-bound work runs on tokio's blocking pool behind a semaphore sized to the machine.

pub mod api;
pub mod audit;
pub mod auth;
mod batch;
pub mod error;
pub mod metrics;
mod web;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use earl_engine::Engine;
use earl_store::{AuditStore, SqliteStore, TokenStore};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use crate::error::ApiError;
use crate::metrics::Metrics;

/// How `earl serve` runs.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Address to listen on. Default `127.0.0.1:8080`: loopback unless told otherwise.
    pub addr: SocketAddr,
    /// The audit database (created if missing); tokens live in the same file.
    pub db_path: PathBuf,
    /// Require `Authorization: Bearer <token>` on every API route (default true). Without
    /// tokens the server refuses to listen on anything but loopback.
    pub require_tokens: bool,
    /// Largest JSON request body, in bytes (default 1 MiB).
    pub body_limit: usize,
    /// Largest `POST /v1/screen/batch` body, in bytes (default 256 MiB).
    pub batch_limit: usize,
    /// Time limit for one request until its response starts (default 30 s).
    pub timeout: Duration,
}

impl ServerConfig {
    /// The defaults, with the audit database at `db_path`.
    pub fn new(db_path: impl Into<PathBuf>) -> Self {
        ServerConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            db_path: db_path.into(),
            require_tokens: true,
            body_limit: 1024 * 1024,
            batch_limit: 256 * 1024 * 1024,
            timeout: Duration::from_secs(30),
        }
    }
}

/// Why the server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The audit database could not be opened.
    #[error(transparent)]
    Store(#[from] earl_store::StoreError),
    /// The listening socket failed.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The cause.
        source: std::io::Error,
    },
    /// The configuration is unsafe or inconsistent.
    #[error("refusing to start: {0}")]
    Config(String),
    /// The server loop failed.
    #[error("server: {0}")]
    Io(#[from] std::io::Error),
}

/// Limits applied to requests.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// See [`ServerConfig::body_limit`].
    pub body_limit: usize,
    /// See [`ServerConfig::batch_limit`].
    pub batch_limit: usize,
    /// See [`ServerConfig::timeout`].
    pub timeout: Duration,
}

/// Everything a handler needs; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// The decision engine.
    pub engine: Arc<Engine>,
    /// The audit log.
    pub store: Arc<dyn AuditStore>,
    /// The API tokens.
    pub tokens: Arc<dyn TokenStore>,
    /// Request and decision metrics.
    pub metrics: Arc<Metrics>,
    /// See [`ServerConfig::require_tokens`].
    pub require_tokens: bool,
    /// Request limits.
    pub limits: Limits,
    /// Rule-data, list and engine versions, read once at start-up (the engine's data is
    /// immutable while it runs).
    pub provenance: Arc<audit::Provenance>,
    /// Bounds concurrent CPU-bound jobs so a burst queues instead of oversubscribing the cores.
    pub cpu: Arc<Semaphore>,
}

impl AppState {
    /// State over an opened SQLite store (audit log and tokens in one file).
    pub fn new(engine: Arc<Engine>, store: Arc<SqliteStore>, cfg: &ServerConfig) -> Self {
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
        AppState {
            provenance: Arc::new(audit::provenance(&engine)),
            engine,
            store: store.clone(),
            tokens: store,
            metrics: Arc::new(Metrics::default()),
            require_tokens: cfg.require_tokens,
            limits: Limits {
                body_limit: cfg.body_limit,
                batch_limit: cfg.batch_limit,
                timeout: cfg.timeout,
            },
            cpu: Arc::new(Semaphore::new(cores.saturating_mul(2).max(2))),
        }
    }

    /// Runs CPU-bound or blocking work off the async workers, at most a few at a time.
    pub async fn blocking<T, F>(&self, what: &str, f: F) -> Result<T, ApiError>
    where
        F: FnOnce() -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let _permit = self.cpu.acquire().await.map_err(|e| ApiError::internal(what, &e))?;
        tokio::task::spawn_blocking(f).await.map_err(|e| ApiError::internal(what, &e))?
    }
}

/// The whole application: API, web page, health, metrics, OpenAPI document.
pub fn router(state: AppState) -> Router {
    let (api, openapi) = api::routes(state.clone());
    let openapi_json = Arc::new(openapi.to_pretty_json().unwrap_or_else(|_| "{}".into()));
    Router::new()
        .merge(api)
        .merge(web::routes())
        .route(
            "/openapi.json",
            axum::routing::get(move || {
                let doc = openapi_json.clone();
                async move {
                    ([(header::CONTENT_TYPE, "application/json")], doc.as_str().to_owned())
                }
            }),
        )
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(state.clone(), track))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(|_| {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "internal error; the server log has details",
            )
            .into_response()
        }))
        .with_state(state)
}

async fn not_found(req: Request) -> ApiError {
    ApiError::not_found(format!("no route for {} {}", req.method(), req.uri().path()))
}

async fn method_not_allowed(req: Request) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!("{} is not allowed on {}", req.method(), req.uri().path()),
    )
}

/// Outermost middleware: time limit, metrics, and headers every response carries.
async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |m| m.as_str().to_owned());
    let method = req.method().to_string();
    let mut resp = match tokio::time::timeout(state.limits.timeout, next.run(req)).await {
        Ok(resp) => resp,
        Err(_) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "timeout",
            format!("the request took longer than {} s", state.limits.timeout.as_secs_f64()),
        )
        .into_response(),
    };
    let headers = resp.headers_mut();
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    state.metrics.observe_request(&route, &method, resp.status().as_u16(), started.elapsed());
    resp
}

/// True for loopback addresses (127.0.0.0/8, ::1).
fn is_loopback(addr: &SocketAddr) -> bool {
    addr.ip().is_loopback()
}

/// Opens the store, binds `cfg.addr` and serves until Ctrl-C / SIGTERM.
pub async fn serve(cfg: ServerConfig, engine: Arc<Engine>) -> Result<(), ServeError> {
    if !cfg.require_tokens && !is_loopback(&cfg.addr) {
        return Err(ServeError::Config(format!(
            "tokens are disabled, so the server only listens on loopback, not {}",
            cfg.addr
        )));
    }
    if !is_loopback(&cfg.addr) {
        tracing::warn!(addr = %cfg.addr, "listening beyond loopback; put TLS in front of earl");
    }
    let store = Arc::new(SqliteStore::open(&cfg.db_path)?);
    // Keep the list snapshots in use, so `earl audit replay` can rebuild this engine's data.
    if let Err(e) = engine.archive_in_use() {
        tracing::warn!(%e, "could not archive the list snapshots in use; replay may lack them");
    }
    let listener = TcpListener::bind(cfg.addr)
        .await
        .map_err(|source| ServeError::Bind { addr: cfg.addr, source })?;
    let state = AppState::new(engine, store, &cfg);
    serve_on(listener, state, shutdown_signal()).await
}

/// Serves `state` on an already bound listener until `shutdown` completes (tests bind
/// 127.0.0.1:0 and read the port back from the listener).
pub async fn serve_on(
    listener: TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let addr = listener.local_addr()?;
    tracing::info!(%addr, require_tokens = state.require_tokens, "earl serve listening");
    axum::serve(listener, router(state)).with_graceful_shutdown(shutdown).await?;
    Ok(())
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
