//! The HTTP API in process (`tower::ServiceExt::oneshot`, no sockets): contracts, auth, errors,
//! audit recording, metrics and the OpenAPI document.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test helpers fail loudly")]

mod common;

use axum::http::{Method, StatusCode};
use common::{H100_TO_CN, app, app_with};
use earl_store::{AuditStore, ListFilter};
use serde_json::{Value, json};

fn error_of(body: &Value) -> (&str, Option<&str>, &str) {
    let e = &body["error"];
    (e["code"].as_str().unwrap(), e["field"].as_str(), e["message"].as_str().unwrap())
}

#[tokio::test]
async fn healthz_needs_no_token_and_reports_versions() {
    let app = app();
    let r = app.get("/healthz", None).await;
    assert_eq!(r.status, StatusCode::OK);
    let body = r.json();
    assert_eq!(body["status"], "ok");
    assert!(body["rules_version"].as_str().is_some_and(|v| !v.is_empty()));
    assert_eq!(body["audit_records"], 0);
}

#[tokio::test]
async fn api_routes_refuse_missing_wrong_and_revoked_tokens() {
    let app = app();
    let r = app.get("/v1/screen?name=Huawei", None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.headers["www-authenticate"], "Bearer");
    assert_eq!(
        error_of(&r.json()),
        ("unauthorized", Some("Authorization"), "missing `Authorization: Bearer <token>` header")
    );

    let r = app.get("/v1/screen?name=Huawei", Some("earl_000000000000_nope")).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);

    use earl_store::TokenStore;
    assert!(app.store.revoke_token("analyst").unwrap());
    let r = app.get("/v1/lists", Some(&app.read)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text());
    // Nothing was recorded for refused requests.
    assert_eq!(app.store.count().unwrap(), 0);
}

#[tokio::test]
async fn read_tokens_cannot_make_determinations() {
    let app = app();
    let r = app.post("/v1/check", Some(&app.read), H100_TO_CN).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let body = r.json();
    let (code, _, message) = error_of(&body);
    assert_eq!(code, "forbidden");
    assert!(message.contains("analyst") && message.contains("write"), "{message}");
    // Read scope suffices for screening.
    let r = app.get("/v1/screen?name=Huawei", Some(&app.read)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
}

#[tokio::test]
async fn check_returns_the_determination_and_records_it() {
    let app = app();
    let r = app.post("/v1/check", Some(&app.write), H100_TO_CN).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let body = r.json();
    assert_eq!(body["verdict"], "license_required");
    let id = body["decision_id"].as_str().unwrap();
    assert_eq!(r.headers["location"], format!("/v1/decisions/{id}").as_str());
    assert!(body["reasons"].as_array().is_some_and(|r| !r.is_empty()));

    let rec = app.store.get(id).unwrap().expect("recorded");
    assert_eq!((rec.kind.as_str(), rec.caller.as_str()), ("check", "token:erp"));
    assert_eq!(rec.input["items"][0]["product"], "nvidia-h100-sxm");
    assert_eq!(rec.output["verdict"], "license_required");
    assert!(rec.output.get("decision_id").is_none(), "the id is not part of the hashed output");
    assert!(!rec.lists.is_empty() && rec.lists.iter().all(|l| l.sha256.len() == 64));
    assert!(app.store.verify().unwrap().is_ok());

    // The record is readable through the API.
    let r = app.get(&format!("/v1/decisions/{id}"), Some(&app.read)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["hash"], rec.hash.as_str());
}

#[tokio::test]
async fn bad_bodies_get_json_errors_naming_the_field() {
    let app = app();
    let r = app.post("/v1/check", Some(&app.write), "{\"date\": ").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(error_of(&r.json()).0, "invalid_json");

    let r = app.post("/v1/check", Some(&app.write), "").await;
    assert_eq!((r.status, error_of(&r.json()).0), (StatusCode::BAD_REQUEST, "invalid_json"));

    let r = app
        .post(
            "/v1/check",
            Some(&app.write),
            r#"{"date": "2025-06-01", "items": [{"product": "nvidia-h100-sxm"}]}"#,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.json();
    let (code, field, message) = error_of(&body);
    assert_eq!((code, field), ("invalid_input", Some("destination")));
    assert!(message.contains("destination"), "{message}");

    let r = app
        .post("/v1/check", Some(&app.write), r#"{"date": "2025-06-01", "destination": "CN", "items": [{"product": "nvidia-h1000"}]}"#)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_of(&r.json()).1, Some("items[0].product"));

    // Nothing reached the audit log.
    assert_eq!(app.store.count().unwrap(), 0);
    // No error body carries a Rust panic or backtrace.
    let body = r.text();
    assert!(!body.contains("panicked") && !body.contains("src/"), "{body}");
}

#[tokio::test]
async fn bodies_over_the_limit_are_refused_with_413() {
    let app = app_with(|c| c.body_limit = 1024);
    let big = format!("{{\"date\": \"2025-06-01\", \"pad\": \"{}\"}}", "x".repeat(4096));
    let r = app.post("/v1/check", Some(&app.write), &big).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(error_of(&r.json()).0, "payload_too_large");
}

#[tokio::test]
async fn unknown_routes_and_methods_get_json_errors() {
    let app = app();
    let r = app.get("/v2/nothing", Some(&app.read)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(error_of(&r.json()).0, "not_found");
    let r = app.call(Method::DELETE, "/v1/check", Some(&app.write), None).await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(error_of(&r.json()).0, "method_not_allowed");
}

#[tokio::test]
async fn screening_returns_hits_with_entries_and_records_the_query() {
    let app = app();
    let r = app
        .get("/v1/screen?name=Huawei%20Technologies%20Co%20Ltd&country=cn&limit=5", Some(&app.read))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let body = r.json();
    assert_eq!(body["query"], "Huawei Technologies Co Ltd");
    let hits = body["hits"].as_array().unwrap();
    assert!(!hits.is_empty() && hits.len() <= 5);
    let top = &hits[0];
    assert!(top["name"].as_str().unwrap().to_lowercase().contains("huawei"), "{top}");
    assert_eq!(top["alert"], true);
    assert!(top["entry"]["name"].is_string(), "client view carries the entry: {top}");
    assert!(top["explanation"]["aligned"].is_array());

    let id = body["decision_id"].as_str().unwrap();
    let rec = app.store.get(id).unwrap().unwrap();
    assert_eq!(rec.kind, "screen");
    assert_eq!(rec.caller, "token:analyst");
    // The date used is recorded, so a replay asks the same question.
    assert_eq!(rec.input["query"]["country"], "CN");
    assert!(rec.input["query"]["date"].as_str().is_some_and(|d| d.len() == 10));
    // The record keeps hit references, not copies of list entries.
    assert!(rec.output["hits"][0].get("entry").is_none());
    assert_eq!(rec.output["hits"][0]["id"], top["id"]);
}

#[tokio::test]
async fn screening_errors_name_the_parameter() {
    let app = app();
    let r = app.get("/v1/screen?country=CN", Some(&app.read)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(error_of(&r.json()).1, Some("name"));
    let r = app.get("/v1/screen?name=x&nam=y", Some(&app.read)).await;
    assert_eq!(error_of(&r.json()).1, Some("nam"));
    let r = app.get("/v1/screen?name=Huawei&date=2025-02-30", Some(&app.read)).await;
    assert_eq!((r.status, error_of(&r.json()).1), (StatusCode::UNPROCESSABLE_ENTITY, Some("date")));
    let r = app.get("/v1/screen?name=Huawei&country=ZZ", Some(&app.read)).await;
    assert_eq!(error_of(&r.json()).1, Some("country"));
    let r = app.get("/v1/screen?name=%20", Some(&app.read)).await;
    assert_eq!(error_of(&r.json()).1, Some("name"));
}

#[tokio::test]
async fn screening_many_keeps_order_and_names_the_bad_query() {
    let app = app();
    let body = json!({"queries": [
        {"name": "Semiconductor Manufacturing International Corporation"},
        {"name": "Totally Harmless Bakery GmbH", "country": "DE"},
        {"name": "华为技术有限公司"},
    ]});
    let r = app.post("/v1/screen", Some(&app.read), &body.to_string()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let out = r.json();
    let results = out["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    assert_eq!(results[1]["query"], "Totally Harmless Bakery GmbH");
    assert!(
        results[0]["hits"][0]["alert"] == true && results[2]["hits"][0]["alert"] == true,
        "{out}"
    );
    let rec = app.store.get(out["decision_id"].as_str().unwrap()).unwrap().unwrap();
    assert_eq!(rec.input["queries"].as_array().unwrap().len(), 3);

    let bad = json!({"queries": [{"name": "ok"}, {"name": "x", "date": "yesterday"}]});
    let r = app.post("/v1/screen", Some(&app.read), &bad.to_string()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_of(&r.json()).1, Some("queries[1].date"));
    let r = app.post("/v1/screen", Some(&app.read), r#"{"queries": []}"#).await;
    assert_eq!(error_of(&r.json()).1, Some("queries"));
}

#[tokio::test]
async fn batch_streams_lines_in_order_with_errors_inline_and_one_record() {
    let app = app();
    let input = [
        r#"{"name": "Huawei Technologies Co., Ltd.", "country": "CN"}"#,
        r#""Semiconductor Manufacturing International Corporation""#,
        "",
        "Totally Harmless Bakery GmbH",
        r#"{"name": "x", "date": "2025-13-01"}"#,
        r#"{"nam": "typo"}"#,
        "{not json",
        "华为技术有限公司",
    ]
    .join("\n");
    let r = app.call(Method::POST, "/v1/screen/batch", Some(&app.read), Some(&input)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers["content-type"], "application/x-ndjson");
    let request_id = r.headers["x-earl-request-id"].to_str().unwrap().to_owned();
    let lines: Vec<Value> = r.text().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 7, "blank line skipped: {lines:#?}");
    assert_eq!(lines[0]["query"], "Huawei Technologies Co., Ltd.");
    assert_eq!(lines[0]["hits"][0]["alert"], true);
    assert_eq!(lines[1]["query"], "Semiconductor Manufacturing International Corporation");
    assert_eq!(lines[2]["query"], "Totally Harmless Bakery GmbH");
    assert_eq!(lines[3]["line"], 5);
    assert!(lines[3]["error"].as_str().unwrap().contains("date"));
    assert_eq!(lines[4]["line"], 6);
    assert!(lines[4]["error"].as_str().unwrap().contains("nam"));
    assert_eq!(lines[5]["line"], 7);
    assert_eq!(lines[6]["query"], "华为技术有限公司");

    let recs = app
        .store
        .list(&ListFilter { kind: Some("screen_batch".into()), ..Default::default() })
        .unwrap();
    assert_eq!(recs.len(), 1);
    let rec = &recs[0];
    assert_eq!(rec.input["request_id"], request_id.as_str());
    assert_eq!(rec.input["lines"], 8);
    assert_eq!(rec.input["input_blake3"], blake3::hash(input.as_bytes()).to_hex().as_str());
    assert_eq!(rec.output["queries"], 4);
    assert_eq!(rec.output["errors"], 3);
    assert_eq!(rec.output["completed"], true);
    // The record proves the exact bytes the client received.
    assert_eq!(rec.output["output_blake3"], blake3::hash(&r.body).to_hex().as_str());
}

#[tokio::test]
async fn batch_over_the_limit_is_refused_up_front() {
    let app = app_with(|c| c.batch_limit = 64);
    let input = "Huawei\n".repeat(20);
    let r = app.call(Method::POST, "/v1/screen/batch", Some(&app.read), Some(&input)).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(error_of(&r.json()).0, "payload_too_large");

    // Without a Content-Length the stream is cut where the limit is crossed, with an error line.
    use tower::ServiceExt;
    let chunks: Vec<Result<String, std::io::Error>> = vec![Ok(input.clone())];
    let req = axum::http::Request::post("/v1/screen/batch")
        .header("authorization", format!("Bearer {}", app.read))
        .body(axum::body::Body::from_stream(futures_util::stream::iter(chunks)))
        .unwrap();
    let resp = app.router.clone().oneshot(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let text = String::from_utf8(
        axum::body::to_bytes(resp.into_body(), usize::MAX).await.unwrap().to_vec(),
    )
    .unwrap();
    let last: Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
    assert_eq!(last["error"]["code"], "payload_too_large", "{text}");
    let rec = &app.store.list(&ListFilter::default()).unwrap()[0];
    assert_eq!(rec.output["completed"], false);
}

#[tokio::test]
async fn classify_chips_and_lists_answer() {
    let app = app();
    let r = app
        .post(
            "/v1/classify",
            Some(&app.read),
            r#"{"product": "nvidia-h100-sxm", "date": "2025-06-01"}"#,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let c = r.json();
    assert!(c["eccn"].as_str().unwrap().starts_with("3A090.a"), "{c}");
    assert!(app.store.get(c["decision_id"].as_str().unwrap()).unwrap().is_some());

    let r = app
        .post(
            "/v1/classify",
            Some(&app.read),
            r#"{"chip": {"tops": {"fp16": 10}, "die_area_mm2": 100}, "date": "2025-06-01"}"#,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(!r.json()["eccn"].as_str().unwrap().starts_with("3A090"));

    let r =
        app.post("/v1/classify", Some(&app.read), r#"{"chip": {"tops": {"fp16": "many"}}}"#).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error_of(&r.json()).1.unwrap().starts_with("chip.tops"), "{}", r.text());

    let r = app.get("/v1/chips?date=2024-06-01", Some(&app.read)).await;
    assert_eq!(r.status, StatusCode::OK);
    let chips = r.json();
    assert_eq!(chips["thresholds"]["scheme"], "tpp_pd");
    assert_eq!(chips["thresholds"]["tpp_a"], 4800.0);
    let h100 =
        chips["chips"].as_array().unwrap().iter().find(|c| c["id"] == "nvidia-h100-sxm").unwrap();
    assert!(h100["tpp"].as_f64().unwrap() > 4800.0);
    let r = app.get("/v1/chips?date=2023-01-01", Some(&app.read)).await;
    assert_eq!(r.json()["thresholds"]["scheme"], "tpp_io");
    let r = app.get("/v1/chips?date=1.1.2023", Some(&app.read)).await;
    assert_eq!(error_of(&r.json()).1, Some("date"));

    let r = app.get("/v1/lists", Some(&app.read)).await;
    let lists = r.json();
    let all = lists["lists"].as_array().unwrap();
    assert!(all.iter().any(|l| l["id"] == "us_bis_entity_list"), "{lists}");
    assert!(all.iter().all(|l| l["sha256"].as_str().is_some_and(|h| h.len() == 64)));
}

#[tokio::test]
async fn decision_history_filters_by_kind_and_validates_parameters() {
    let app = app();
    app.post("/v1/check", Some(&app.write), H100_TO_CN).await;
    app.get("/v1/screen?name=Huawei", Some(&app.read)).await;
    app.get("/v1/screen?name=SMIC", Some(&app.read)).await;
    let r = app.get("/v1/decisions?kind=screen&limit=10", Some(&app.read)).await;
    let page = r.json();
    let kinds: Vec<&str> =
        page["decisions"].as_array().unwrap().iter().map(|d| d["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["screen", "screen"]);
    let r = app.get("/v1/decisions?limit=1", Some(&app.read)).await;
    assert_eq!(r.json()["decisions"][0]["input"]["query"]["name"], "SMIC");
    let r = app.get("/v1/decisions?limit=0", Some(&app.read)).await;
    assert_eq!(error_of(&r.json()).1, Some("limit"));
    let r = app.get("/v1/decisions?since=yesterday", Some(&app.read)).await;
    assert_eq!(error_of(&r.json()).1, Some("since"));
    let r = app.get("/v1/decisions/no-such-id", Some(&app.read)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn metrics_count_requests_decisions_and_show_data_versions() {
    let app = app();
    app.get("/v1/screen?name=Huawei", Some(&app.read)).await;
    app.get("/v1/screen?country=CN", Some(&app.read)).await;
    app.post("/v1/check", Some(&app.write), H100_TO_CN).await;
    let r = app.get("/metrics", Some(&app.read)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.headers["content-type"].to_str().unwrap().starts_with("text/plain; version=0.0.4"));
    let text = r.text();
    for needle in [
        "earl_http_requests_total{route=\"/v1/screen\",method=\"GET\",status=\"200\"} 1",
        "earl_http_requests_total{route=\"/v1/screen\",method=\"GET\",status=\"400\"} 1",
        "earl_http_request_duration_seconds_count{route=\"/v1/check\"} 1",
        "earl_decisions_recorded_total{kind=\"check\"} 1",
        "earl_decisions_recorded_total{kind=\"screen\"} 1",
        "earl_screened_names_total{endpoint=\"single\"} 1",
        "earl_audit_head_seq 2",
        "list_us_bis_entity_list=\"",
    ] {
        assert!(text.contains(needle), "missing {needle} in\n{text}");
    }
    let r = app.get("/metrics", None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn openapi_document_describes_every_route_and_the_bearer_scheme() {
    let app = app();
    let r = app.get("/openapi.json", None).await;
    assert_eq!(r.status, StatusCode::OK);
    let doc = r.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for (path, method) in [
        ("/v1/check", "post"),
        ("/v1/classify", "post"),
        ("/v1/screen", "get"),
        ("/v1/screen", "post"),
        ("/v1/screen/batch", "post"),
        ("/v1/chips", "get"),
        ("/v1/lists", "get"),
        ("/v1/decisions", "get"),
        ("/v1/decisions/{id}", "get"),
        ("/healthz", "get"),
        ("/metrics", "get"),
    ] {
        assert!(paths.get(path).and_then(|p| p.get(method)).is_some(), "{method} {path} missing");
    }
    assert_eq!(doc["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
    let params = doc["paths"]["/v1/screen"]["get"]["parameters"].as_array().unwrap();
    assert!(params.iter().any(|p| p["name"] == "name" && p["required"] == true));
}

#[tokio::test]
async fn web_page_is_served_without_token_with_a_strict_csp() {
    let app = app();
    let r = app.get("/", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("<script src=\"/static/app.js\""));
    let csp = r.headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(r.headers["x-content-type-options"], "nosniff");
    let js = app.get("/static/app.js", None).await;
    assert_eq!(js.status, StatusCode::OK);
    assert!(js.headers["content-type"].to_str().unwrap().starts_with("text/javascript"));
    // The page never inserts markup from data.
    assert!(!js.text().contains("innerHTML") && !js.text().contains("insertAdjacentHTML"));
    let css = app.get("/static/app.css", None).await;
    assert_eq!(css.status, StatusCode::OK);
}

#[tokio::test]
async fn tokens_can_be_switched_off_for_loopback_use() {
    let app = app_with(|c| c.require_tokens = false);
    let r = app.post("/v1/check", None, H100_TO_CN).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let rec = app.store.get(r.json()["decision_id"].as_str().unwrap()).unwrap().unwrap();
    assert_eq!(rec.caller, "anonymous");
}

#[tokio::test]
async fn replay_re_decides_recorded_inputs() {
    let app = app();
    app.post("/v1/check", Some(&app.write), H100_TO_CN).await;
    app.get("/v1/screen?name=Huawei&date=2025-01-01", Some(&app.read)).await;
    app.post("/v1/classify", Some(&app.read), r#"{"product": "nvidia-h20", "date": "2025-06-01"}"#)
        .await;
    app.call(Method::POST, "/v1/screen/batch", Some(&app.read), Some("SMIC\n")).await;
    // A record whose output the engine would not give for its input.
    let engine = common::engine();
    let prov = earl_server::audit::provenance(&engine);
    let forged = app
        .store
        .append(earl_store::NewRecord {
            kind: "check".into(),
            caller: "cli:mallory".into(),
            input: serde_json::from_str(H100_TO_CN).unwrap(),
            output: json!({"verdict": "no_license_required"}),
            rules_version: prov.rules_version.clone(),
            lists: prov.lists.clone(),
            engine_version: prov.engine_version.clone(),
        })
        .unwrap();

    let report =
        earl_server::audit::replay(&engine, app.store.as_ref(), &ListFilter::default()).unwrap();
    let outcomes: Vec<_> = report.items.iter().map(|i| (i.kind.as_str(), i.outcome)).collect();
    use earl_server::audit::ReplayOutcome::{Different, Same, Skipped};
    assert_eq!(
        outcomes,
        [
            ("check", Same),
            ("screen", Same),
            ("classify", Same),
            ("screen_batch", Skipped),
            ("check", Different)
        ],
        "{report:#?}"
    );
    assert_eq!(report.items[4].id, forged.id);
    assert!(!report.is_ok());
}
