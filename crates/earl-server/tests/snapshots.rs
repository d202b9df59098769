//! Snapshots of the API's JSON shapes: error bodies in full, answers as shapes (keys and value
//! types), so a changed contract shows up as a reviewed diff while rule-data updates that only
//! change values do not.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test helpers fail loudly")]

mod common;

use axum::http::Method;
use common::{H100_TO_CN, app, app_with};
use serde_json::{Map, Value, json};

/// Keys and value types down to two levels of objects (deeper content depends on the data:
/// which list entry or rule matched); arrays keep the shape of their first element.
fn shape(v: &Value) -> Value {
    shape_at(v, 0)
}

fn shape_at(v: &Value, depth: usize) -> Value {
    const MAX_OBJECT_DEPTH: usize = 2;
    match v {
        Value::Object(_) if depth >= MAX_OBJECT_DEPTH => json!("object"),
        Value::Null => json!("null"),
        Value::Bool(_) => json!("bool"),
        Value::Number(_) => json!("number"),
        Value::String(_) => json!("string"),
        Value::Array(items) => {
            Value::Array(items.first().map(|i| shape_at(i, depth)).into_iter().collect())
        }
        Value::Object(map) => {
            let mut keys: Vec<_> = map.keys().collect();
            keys.sort();
            Value::Object(
                keys.into_iter()
                    .map(|k| (k.clone(), shape_at(&map[k], depth + 1)))
                    .collect::<Map<_, _>>(),
            )
        }
    }
}

#[tokio::test]
async fn error_bodies() {
    let app = app_with(|c| c.body_limit = 64);
    let mut all = Map::new();
    let cases = [
        ("missing_token", app.get("/v1/lists", None).await),
        ("read_token_on_check", app.post("/v1/check", Some(&app.read), "{}").await),
        ("unknown_route", app.get("/v1/nothing", Some(&app.read)).await),
        ("wrong_method", app.call(Method::PUT, "/v1/screen", Some(&app.read), None).await),
        ("not_json", app.post("/v1/check", Some(&app.write), "{oops").await),
        ("too_large", app.post("/v1/check", Some(&app.write), &"x".repeat(100)).await),
        ("missing_query_param", app.get("/v1/screen", Some(&app.read)).await),
        ("bad_date", app.get("/v1/chips?date=2025-02-30", Some(&app.read)).await),
    ];
    for (name, r) in cases {
        let mut body = r.json();
        body["status"] = json!(r.status.as_u16());
        all.insert(name.into(), body);
    }
    insta::assert_json_snapshot!(Value::Object(all), {
        ".read_token_on_check.error.message" => "[token `analyst` has read scope; POST /v1/check needs write scope]",
    });
}

#[tokio::test]
async fn answer_shapes() {
    let app = app();
    let check = app.post("/v1/check", Some(&app.write), H100_TO_CN).await.json();
    let screen =
        app.get("/v1/screen?name=Huawei%20Technologies%20Co%20Ltd", Some(&app.read)).await.json();
    let many = app
        .post("/v1/screen", Some(&app.read), r#"{"queries": [{"name": "SMIC", "country": "CN"}]}"#)
        .await
        .json();
    let classify =
        app.post("/v1/classify", Some(&app.read), r#"{"product": "nvidia-h20"}"#).await.json();
    let chips = app.get("/v1/chips?date=2025-01-01", Some(&app.read)).await.json();
    let lists = app.get("/v1/lists", Some(&app.read)).await.json();
    let health = app.get("/healthz", None).await.json();
    let history = app.get("/v1/decisions?limit=1&kind=check", Some(&app.read)).await.json();
    insta::assert_json_snapshot!(json!({
        "check": shape(&check),
        "screen": shape(&screen),
        "screen_many": shape(&many),
        "classify": shape(&classify),
        "chips": shape(&chips),
        "lists": shape(&lists),
        "healthz": shape(&health),
        "decisions": shape(&history),
    }));
}

#[tokio::test]
async fn stored_record_of_a_check() {
    let app = app();
    let id = app.post("/v1/check", Some(&app.write), H100_TO_CN).await.json()["decision_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut rec = app.get(&format!("/v1/decisions/{id}"), Some(&app.read)).await.json();
    // The determination itself belongs to the rules' own snapshots; keep its shape here.
    rec["output"] = shape(&rec["output"]);
    insta::assert_json_snapshot!(rec, {
        ".id" => "[uuid v7]",
        ".created_at" => "[rfc3339]",
        ".hash" => "[blake3]",
        ".rules_version" => "[rules version]",
        ".lists[].as_of" => "[date]",
        ".lists[].sha256" => "[sha256]",
    });
}

#[tokio::test]
async fn openapi_operations() {
    let app = app();
    let doc = app.get("/openapi.json", None).await.json();
    let mut ops: Vec<String> = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let secured =
                op.get("security").is_some_and(|s| s.as_array().is_some_and(|a| !a.is_empty()));
            ops.push(format!(
                "{} {path}{}",
                method.to_uppercase(),
                if secured { " [bearer]" } else { "" }
            ));
        }
    }
    ops.sort();
    insta::assert_json_snapshot!(ops);
}
