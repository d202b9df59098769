//! Bearer-token authentication and scope checks.
//!
//! Scopes: `write` for `POST /v1/check` (a determination is a business record the caller relies
//! on), `read` for everything else under `/v1/` and for `/metrics`. Screening and classification
//! are recorded in the audit log too, but as a record of what was asked, so read tokens may
//! do them. `/healthz`, the web page and `/openapi.json` need no token.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use earl_store::Scope;

use crate::AppState;
use crate::error::ApiError;

/// Who made a request, as recorded in the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// `token:<name>`, or `anonymous` when tokens are not required.
    pub name: String,
}

/// The scope a request needs.
pub fn required_scope(method: &Method, path: &str) -> Scope {
    if method == Method::POST && path == "/v1/check" { Scope::Write } else { Scope::Read }
}

fn bearer(headers: &HeaderMap) -> Result<&str, ApiError> {
    let value = headers.get(header::AUTHORIZATION).ok_or_else(|| {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "missing `Authorization: Bearer <token>` header",
        )
        .with_field("Authorization")
    })?;
    let text = value.to_str().unwrap_or_default();
    let token = text
        .strip_prefix("Bearer ")
        .or_else(|| text.strip_prefix("bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty());
    token.ok_or_else(|| {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "the `Authorization` header must read `Bearer <token>`",
        )
        .with_field("Authorization")
    })
}

fn unauthorized(e: ApiError) -> Response {
    let mut resp = e.into_response();
    resp.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    resp
}

/// Middleware on the protected routes: resolves the token, checks its scope and stores the
/// [`Caller`] in the request extensions.
pub async fn require_token(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    if !state.require_tokens {
        req.extensions_mut().insert(Caller { name: "anonymous".into() });
        return next.run(req).await;
    }
    let token = match bearer(req.headers()) {
        Ok(t) => t.to_owned(),
        Err(e) => return unauthorized(e),
    };
    let tokens = state.tokens.clone();
    let info = match tokio::task::spawn_blocking(move || tokens.verify_token(&token)).await {
        Ok(Ok(info)) => info,
        Ok(Err(e)) => return ApiError::internal("checking the API token", &e).into_response(),
        Err(e) => return ApiError::internal("checking the API token", &e).into_response(),
    };
    let Some(info) = info else {
        return unauthorized(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "the bearer token is unknown or revoked",
        ));
    };
    let needed = required_scope(req.method(), req.uri().path());
    if !info.scope.allows(needed) {
        return ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!(
                "token `{}` has {} scope; {} {} needs {} scope",
                info.name,
                info.scope.as_str(),
                req.method(),
                req.uri().path(),
                needed.as_str()
            ),
        )
        .into_response();
    }
    req.extensions_mut().insert(Caller { name: format!("token:{}", info.name) });
    next.run(req).await
}
