//! The one error shape every endpoint returns: `{"error": {"code", "message", "field"}}`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// Body of every error response.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// What went wrong, for programs (`code`, `field`) and people (`message`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code, e.g. `invalid_json`, `invalid_input`, `unauthorized`.
    pub code: String,
    /// A sentence naming the problem and, where there is one, the field.
    pub message: String,
    /// Path of the offending field (`items[0].chip.tops`, `name`), when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// An error on its way to becoming an HTTP response.
#[derive(Debug, Clone)]
pub struct ApiError {
    status: StatusCode,
    detail: ErrorDetail,
}

impl ApiError {
    /// An error with any status.
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            detail: ErrorDetail { code: code.to_owned(), message: message.into(), field: None },
        }
    }

    /// Names the offending field.
    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        let field = field.into();
        if !field.is_empty() {
            self.detail.field = Some(field);
        }
        self
    }

    /// 400 for a request that cannot be read (bad JSON, bad query string).
    pub fn bad_request(code: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// 422 for a well-formed request whose content is unacceptable.
    pub fn invalid_input(field: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", message).with_field(field)
    }

    /// 404.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    /// 500 with a generic message; the cause goes to the log, not to the client.
    pub fn internal(context: &str, cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(context, %cause, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            format!("internal error while {context}; the server log has details"),
        )
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The body's detail.
    pub fn detail(&self) -> &ErrorDetail {
        &self.detail
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(ErrorBody { error: self.detail })).into_response()
    }
}

/// Turns a serde_json error on a request body into a 400 that names the field when serde did.
pub fn json_error(err: &serde_json::Error, what: &str) -> ApiError {
    let message = err.to_string();
    // serde_json names fields as "missing field `x`" / "unknown field `x`" / "invalid type ...".
    let field = message
        .split_once('`')
        .and_then(|(_, rest)| rest.split_once('`'))
        .map(|(f, _)| f.to_owned())
        .filter(|_| message.contains(" field `"));
    let code = if err.is_syntax() || err.is_eof() { "invalid_json" } else { "invalid_input" };
    let status = if code == "invalid_json" {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut e = ApiError::new(status, code, format!("{what}: {message}"));
    if let Some(f) = field {
        e = e.with_field(f);
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code, reason = "only deserialised to provoke errors")]
    struct Q {
        name: String,
    }

    #[test]
    fn json_errors_name_the_field() {
        let e = json_error(&serde_json::from_str::<Q>("{}").unwrap_err(), "request body");
        assert_eq!(e.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(e.detail().field.as_deref(), Some("name"));
        assert!(e.detail().message.contains("missing field `name`"), "{}", e.detail().message);

        let e = json_error(&serde_json::from_str::<Q>(r#"{"nam": 1}"#).unwrap_err(), "body");
        assert_eq!(e.detail().field.as_deref(), Some("nam"));

        let e = json_error(&serde_json::from_str::<Q>("{").unwrap_err(), "body");
        assert_eq!(
            (e.status(), e.detail().code.as_str()),
            (StatusCode::BAD_REQUEST, "invalid_json")
        );
        assert_eq!(e.detail().field, None);
    }
}
