//! The `/v1` JSON API, `/healthz` and `/metrics`, with their OpenAPI descriptions.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json, middleware};
use earl_store::ListFilter;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::openapi::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::audit::{self, Decision, ScreenQuery};
use crate::auth::{self, Caller};
use crate::error::{ApiError, ErrorBody, json_error};
use crate::{AppState, batch};

/// A JSON request body, read within the configured size limit; errors name the field.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state).await.map_err(|r| {
            if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "payload_too_large",
                    format!("request body is larger than {} bytes", state.limits.body_limit),
                )
            } else {
                ApiError::bad_request("unreadable_body", r.body_text())
            }
        })?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(ApiError::bad_request("invalid_json", "request body is empty; send JSON"));
        }
        serde_json::from_slice(&bytes).map(JsonBody).map_err(|e| json_error(&e, "request body"))
    }
}

/// Query-string parameters; errors name the parameter.
pub struct QueryParams<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for QueryParams<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        serde_urlencoded_like(query).map(QueryParams)
    }
}

/// Parses a query string through axum's own deserializer, mapping its errors to ours.
fn serde_urlencoded_like<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    let uri: axum::http::Uri = format!("/?{query}")
        .parse()
        .map_err(|_| ApiError::bad_request("invalid_query", "the query string is not valid"))?;
    axum::extract::Query::<T>::try_from_uri(&uri).map(|q| q.0).map_err(|r| {
        let message = r.body_text();
        let field = message
            .split_once('`')
            .and_then(|(_, rest)| rest.split_once('`'))
            .map(|(f, _)| f.to_owned())
            .unwrap_or_default();
        ApiError::bad_request("invalid_query", message).with_field(field)
    })
}

fn decide_error(e: audit::DecideError) -> ApiError {
    ApiError::invalid_input(&e.field, e.to_string())
}

/// Decides on the CPU pool, records on the blocking pool, answers with `decision_id`.
async fn decide_and_record(
    state: &AppState,
    caller: &Caller,
    decision: Decision,
    endpoint: &str,
) -> Result<Response, ApiError> {
    let engine = state.engine.clone();
    let decided = state
        .blocking("deciding", move || audit::decide(&engine, &decision).map_err(decide_error))
        .await?;
    let store = state.store.clone();
    let provenance = state.provenance.clone();
    let caller = caller.name.clone();
    let to_record = decided.clone();
    let stored = tokio::task::spawn_blocking(move || {
        audit::record(store.as_ref(), &provenance, &caller, &to_record)
    })
    .await
    .map_err(|e| ApiError::internal("writing the audit log", &e))?
    .map_err(|e| ApiError::internal("writing the audit log", &e))?;
    state.metrics.decision_recorded(decided.kind);
    if decided.screened.0 > 0 {
        state.metrics.screened(endpoint, decided.screened.0, decided.screened.1);
    }
    let body = audit::with_decision_id(decided.response.unwrap_or(decided.output), &stored.id);
    let mut resp = Json(body).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("/v1/decisions/{}", stored.id)) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    Ok(resp)
}

/// A license determination.
#[utoipa::path(
    post, path = "/v1/check", tag = "decisions",
    request_body(content = Object, description = "The transaction, as for `earl check` (date, destination, exporter, items, parties, end_uses)."),
    responses(
        (status = 200, description = "The determination plus `decision_id` (the audit record); `Location` points at the record.", body = Object),
        (status = 400, description = "Body is not JSON.", body = ErrorBody),
        (status = 422, description = "A field is missing or invalid; `field` names it.", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, description = "Token lacks write scope.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
async fn check(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    JsonBody(tx): JsonBody<Value>,
) -> Result<Response, ApiError> {
    decide_and_record(&state, &caller, Decision::Check(tx), "check").await
}

/// A chip classification (ECCN, TPP, performance density and the arithmetic).
#[utoipa::path(
    post, path = "/v1/classify", tag = "decisions",
    request_body(content = Object, description = "As for `earl classify`: a catalog chip id or a spec, and a date."),
    responses(
        (status = 200, description = "The classification plus `decision_id`.", body = Object),
        (status = 400, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
async fn classify(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    JsonBody(req): JsonBody<Value>,
) -> Result<Response, ApiError> {
    decide_and_record(&state, &caller, Decision::Classify(req), "classify").await
}

/// Screens one name.
#[utoipa::path(
    get, path = "/v1/screen", tag = "screening",
    params(ScreenQuery),
    responses(
        (status = 200, description = "`{query, hits, decision_id}`; each hit has the list, entry, matched name, score, alert flag and explanation.", body = Object),
        (status = 400, description = "Missing or unknown parameter.", body = ErrorBody),
        (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
async fn screen_get(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    QueryParams(q): QueryParams<ScreenQuery>,
) -> Result<Response, ApiError> {
    decide_and_record(&state, &caller, Decision::Screen(q), "single").await
}

/// Several names to screen in one request.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScreenManyRequest {
    /// The names, at most 1000.
    pub queries: Vec<ScreenQuery>,
}

/// Screens up to 1000 names; one audit record for the request.
#[utoipa::path(
    post, path = "/v1/screen", tag = "screening",
    request_body = ScreenManyRequest,
    responses(
        (status = 200, description = "`{results: [{query, hits}], decision_id}` in input order.", body = Object),
        (status = 400, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
async fn screen_post(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    JsonBody(req): JsonBody<ScreenManyRequest>,
) -> Result<Response, ApiError> {
    decide_and_record(&state, &caller, Decision::ScreenMany(req.queries), "many").await
}

/// Streams screening of a JSON-lines body.
#[utoipa::path(
    post, path = "/v1/screen/batch", tag = "screening",
    request_body(content = String, content_type = "application/x-ndjson",
        description = "One query per line: a JSON object `{name, country?, date?, limit?}`, a JSON string, or plain text (the name). Blank lines are skipped."),
    responses(
        (status = 200, content_type = "application/x-ndjson",
         description = "One line per query, in input order: `{\"query\":..., \"hits\":[...]}`, or `{\"line\":N, \"error\":\"...\"}` for a bad line. The audit record (kind `screen_batch`) carries the `x-earl-request-id` header value."),
        (status = 413, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
async fn screen_batch(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    req: Request,
) -> Result<Response, ApiError> {
    batch::screen_batch(state, caller, req).await
}

/// Query of `GET /v1/chips`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DateParam {
    /// `YYYY-MM-DD`; default today (UTC).
    pub date: Option<String>,
}

fn parse_date(date: Option<&str>) -> Result<jiff::civil::Date, ApiError> {
    match date.map(str::trim).filter(|d| !d.is_empty()) {
        None => audit::today().parse().map_err(|e| ApiError::internal("reading today's date", &e)),
        Some(d) => d.parse().map_err(|_| {
            ApiError::invalid_input("date", format!("`{d}` is not a date YYYY-MM-DD"))
        }),
    }
}

/// The chip catalog classified on a date, with the 3A090 thresholds in force.
#[utoipa::path(
    get, path = "/v1/chips", tag = "reference",
    params(DateParam),
    responses((status = 200, description = "Catalog chips with TPP, performance density and classification on the date, and the thresholds.", body = Object), (status = 422, body = ErrorBody)),
    security(("bearer" = []))
)]
async fn chips(
    State(state): State<AppState>,
    QueryParams(p): QueryParams<DateParam>,
) -> Result<Json<Value>, ApiError> {
    let date = parse_date(p.date.as_deref())?;
    let engine = state.engine.clone();
    state
        .blocking("classifying the catalog", move || {
            Ok(Json(json!({
                "date": date.to_string(),
                "thresholds": thresholds(engine.rules(), date),
                "chips": engine.chips(date),
            })))
        })
        .await
}

/// The 3A090 IC thresholds in force on `date`, as numbers for the chart (`null` before 2022-10-07).
fn thresholds(rules: &earl_core::RuleSet, date: jiff::civil::Date) -> Value {
    use earl_core::rules::Scheme;
    let Some(t) = rules.ic_thresholds(date) else {
        return Value::Null;
    };
    let num = |d: Option<earl_core::dec::Dec>| d.map(earl_core::dec::Dec::to_f64);
    json!({
        "id": t.meta.id,
        "scheme": match t.scheme { Scheme::TppIo => "tpp_io", Scheme::TppPd => "tpp_pd" },
        "effective": t.meta.effective.to_string(),
        "citation": t.meta.citation,
        "source": t.meta.source,
        "tpp_a": t.tpp_a.to_f64(),
        "io_gbps": num(t.io_gbps),
        "tpp_a2": num(t.tpp_a2),
        "pd_a2": num(t.pd_a2),
        "tpp_b1": num(t.tpp_b1),
        "pd_b1": num(t.pd_b1),
        "tpp_b2": num(t.tpp_b2),
        "pd_b2": num(t.pd_b2),
        "note2_tpp": rules.note2(date).map(|n| n.value.to_f64()),
    })
}

/// The lists, rule data and engine in use.
#[utoipa::path(
    get, path = "/v1/lists", tag = "reference",
    responses((status = 200, description = "`{engine_version, rules_version, lists: [...]}` with each list's as-of date, entry count and SHA-256.", body = Object)),
    security(("bearer" = []))
)]
async fn lists(State(state): State<AppState>) -> Json<Value> {
    Json(json!({
        "engine_version": state.provenance.engine_version,
        "rules_version": state.provenance.rules_version,
        "lists": state.engine.list_info(),
    }))
}

/// One audit record.
#[utoipa::path(
    get, path = "/v1/decisions/{id}", tag = "audit",
    params(("id" = String, Path, description = "Decision id (UUID v7) as returned in `decision_id`.")),
    responses((status = 200, description = "The stored record: id, seq, kind, created_at, caller, input, output, rules_version, lists, engine_version, prev_hash, hash.", body = Object), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
async fn decision(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<earl_store::StoredRecord>, ApiError> {
    let store = state.store.clone();
    let wanted = id.clone();
    let found = tokio::task::spawn_blocking(move || store.get(&wanted))
        .await
        .map_err(|e| ApiError::internal("reading the audit log", &e))?
        .map_err(|e| ApiError::internal("reading the audit log", &e))?;
    found.map(Json).ok_or_else(|| ApiError::not_found(format!("no decision with id `{id}`")))
}

/// Query of `GET /v1/decisions`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DecisionsParams {
    /// 1..=1000, default 50.
    pub limit: Option<u32>,
    /// Records to skip (newest first).
    pub offset: Option<u64>,
    /// `check`, `screen`, `screen_batch`, `classify`, ...
    pub kind: Option<String>,
    /// `token:<name>` or `cli:<user>`.
    pub caller: Option<String>,
    /// RFC 3339 instant; records at or after it.
    pub since: Option<String>,
    /// RFC 3339 instant; records before it.
    pub until: Option<String>,
}

/// One page of `GET /v1/decisions`.
#[derive(Debug, Serialize, ToSchema)]
pub struct DecisionsPage {
    /// Records, newest first.
    #[schema(value_type = Vec<Object>)]
    pub decisions: Vec<earl_store::StoredRecord>,
    /// Limit applied.
    pub limit: u32,
    /// Offset applied.
    pub offset: u64,
}

fn parse_instant(field: &str, v: Option<&str>) -> Result<Option<jiff::Timestamp>, ApiError> {
    v.map(|s| {
        s.parse().map_err(|_| {
            ApiError::invalid_input(
                field,
                format!("`{s}` is not an RFC 3339 instant (e.g. 2026-01-02T00:00:00Z)"),
            )
        })
    })
    .transpose()
}

/// Decision history, newest first.
#[utoipa::path(
    get, path = "/v1/decisions", tag = "audit",
    params(DecisionsParams),
    responses((status = 200, body = DecisionsPage), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []))
)]
async fn decisions(
    State(state): State<AppState>,
    QueryParams(p): QueryParams<DecisionsParams>,
) -> Result<Json<DecisionsPage>, ApiError> {
    let limit = p.limit.unwrap_or(earl_store::DEFAULT_LIST_LIMIT);
    if !(1..=earl_store::MAX_LIST_LIMIT).contains(&limit) {
        return Err(ApiError::invalid_input(
            "limit",
            format!("{limit} is outside 1..={}", earl_store::MAX_LIST_LIMIT),
        ));
    }
    let filter = ListFilter {
        kind: p.kind.filter(|k| !k.is_empty()),
        caller: p.caller.filter(|c| !c.is_empty()),
        since: parse_instant("since", p.since.as_deref())?,
        until: parse_instant("until", p.until.as_deref())?,
        limit,
        offset: p.offset.unwrap_or(0),
    };
    let store = state.store.clone();
    let found = tokio::task::spawn_blocking(move || store.list(&filter))
        .await
        .map_err(|e| ApiError::internal("reading the audit log", &e))?
        .map_err(|e| ApiError::internal("reading the audit log", &e))?;
    Ok(Json(DecisionsPage { decisions: found, limit, offset: p.offset.unwrap_or(0) }))
}

/// Liveness and readiness: the engine is loaded and the audit database answers.
#[utoipa::path(
    get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "`{status: \"ok\", engine_version, rules_version, audit_records}`", body = Object), (status = 503, body = ErrorBody)),
)]
async fn healthz(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let store = state.store.clone();
    let head = tokio::task::spawn_blocking(move || store.head())
        .await
        .map_err(|e| ApiError::internal("reading the audit log", &e))?
        .map_err(|e| {
            tracing::error!(%e, "health check: audit database unavailable");
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "the audit database does not answer",
            )
        })?;
    Ok(Json(json!({
        "status": "ok",
        "engine_version": state.provenance.engine_version,
        "rules_version": state.provenance.rules_version,
        "audit_records": head.map_or(0, |h| h.seq),
    })))
}

/// Prometheus metrics.
#[utoipa::path(
    get, path = "/metrics", tag = "operations",
    responses((status = 200, content_type = "text/plain; version=0.0.4", description = "Request counts and latency histograms per route, decisions recorded by kind, names screened, data versions as labels.")),
    security(("bearer" = []))
)]
async fn metrics(State(state): State<AppState>) -> Response {
    let store = state.store.clone();
    let head =
        tokio::task::spawn_blocking(move || store.head()).await.ok().and_then(Result::ok).flatten();
    let mut labels = vec![
        ("engine_version".to_owned(), state.provenance.engine_version.clone()),
        ("rules_version".to_owned(), state.provenance.rules_version.clone()),
    ];
    for l in &state.provenance.lists {
        labels.push((format!("list_{}", sanitize_label_name(&l.list)), l.as_of.clone()));
    }
    let text = state.metrics.render(&labels, head.map(|h| h.seq));
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], text).into_response()
}

/// Prometheus label names allow `[a-zA-Z0-9_]`.
fn sanitize_label_name(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect()
}

struct BearerScheme;

impl utoipa::Modify for BearerScheme {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "An earl API token (`earl token create NAME --scope read|write`).",
                    ))
                    .build(),
            ),
        );
    }
}

#[derive(utoipa::OpenApi)]
#[openapi(
    info(title = "earl", description = "US export-control determinations for advanced AI chips, restricted-party screening and a tamper-evident audit log."),
    modifiers(&BearerScheme),
    components(schemas(ErrorBody))
)]
struct ApiDoc;

/// The API router (state still to be supplied) and its OpenAPI document.
pub fn routes(state: AppState) -> (axum::Router<AppState>, OpenApi) {
    let protected = OpenApiRouter::<AppState>::new()
        .routes(routes!(check))
        .routes(routes!(classify))
        .routes(routes!(screen_get, screen_post))
        .routes(routes!(screen_batch))
        .routes(routes!(chips))
        .routes(routes!(lists))
        .routes(routes!(decisions))
        .routes(routes!(decision))
        .routes(routes!(metrics))
        .route_layer(middleware::from_fn_with_state(state.clone(), auth::require_token));
    let body_limit = state.limits.body_limit;
    let public = OpenApiRouter::<AppState>::new().routes(routes!(healthz));
    let (router, mut openapi) = OpenApiRouter::with_openapi(<ApiDoc as utoipa::OpenApi>::openapi())
        .merge(protected)
        .merge(public)
        .split_for_parts();
    openapi.info.version = env!("CARGO_PKG_VERSION").to_owned();
    let router = router.layer(axum::extract::DefaultBodyLimit::max(body_limit));
    (router, openapi)
}
