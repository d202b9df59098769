//! `POST /v1/screen/batch`: JSON lines in, JSON lines out, streamed in input order.
//!
//! The body is read as it arrives, cut into lines and screened in chunks on the CPU pool, so
//! memory stays bounded by the chunk size whatever the file size. A bad line yields
//! `{"line": N, "error": "..."}` and the stream goes on. When the input ends, one
//! `screen_batch` audit record is appended (counts and BLAKE3 hashes of the exact request and
//! response bytes) before the response stream closes.

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::AppState;
use crate::audit::{self, Decided, ScreenQuery};
use crate::auth::Caller;
use crate::error::ApiError;

/// Queries screened per engine call.
const CHUNK: usize = 256;
/// Longest accepted line, in bytes.
const MAX_LINE: usize = 64 * 1024;

type Parsed = (u64, Result<ScreenQuery, String>);

/// Parses one input line (without its newline); `None` for a blank line.
fn parse_line(raw: &[u8], today: &str) -> Option<Result<ScreenQuery, String>> {
    if raw.len() > MAX_LINE {
        return Some(Err(format!("line is longer than {MAX_LINE} bytes")));
    }
    let Ok(text) = std::str::from_utf8(raw) else {
        return Some(Err("line is not valid UTF-8".into()));
    };
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let query = if text.starts_with('{') {
        serde_json::from_str::<ScreenQuery>(text).map_err(|e| format!("not a query object: {e}"))
    } else if text.starts_with('"') {
        serde_json::from_str::<String>(text)
            .map(|name| ScreenQuery { name, country: None, date: None, limit: None })
            .map_err(|e| format!("not a JSON string: {e}"))
    } else {
        Ok(ScreenQuery { name: text.to_owned(), country: None, date: None, limit: None })
    };
    Some(query.and_then(|q| q.normalised("", today).map_err(|e| e.to_string())))
}

#[derive(Default)]
struct Tally {
    lines: u64,
    bytes: u64,
    queries: u64,
    errors: u64,
    alerts: u64,
    output_lines: u64,
}

struct Run {
    state: AppState,
    tx: mpsc::Sender<Result<Bytes, std::io::Error>>,
    out_hash: blake3::Hasher,
    tally: Tally,
    client_gone: bool,
}

impl Run {
    /// Sends lines to the client, hashing exactly the bytes sent.
    async fn send(&mut self, lines: &[Value]) {
        if self.client_gone || lines.is_empty() {
            return;
        }
        let mut buf = Vec::with_capacity(lines.len() * 256);
        for line in lines {
            // Serialising a Value cannot fail.
            let _ = serde_json::to_writer(&mut buf, line);
            buf.push(b'\n');
        }
        self.out_hash.update(&buf);
        self.tally.output_lines = self.tally.output_lines.saturating_add(lines.len() as u64);
        if self.tx.send(Ok(Bytes::from(buf))).await.is_err() {
            self.client_gone = true;
        }
    }

    /// Screens a chunk and sends its lines in input order.
    async fn flush(&mut self, chunk: &mut Vec<Parsed>) {
        if chunk.is_empty() {
            return;
        }
        let parsed = std::mem::take(chunk);
        let queries: Vec<ScreenQuery> =
            parsed.iter().filter_map(|(_, q)| q.as_ref().ok().cloned()).collect();
        let engine = self.state.engine.clone();
        let results = if queries.is_empty() {
            Ok(Vec::new())
        } else {
            self.state
                .blocking("screening a batch", move || Ok(audit::screen_values(&engine, &queries)))
                .await
        };
        let mut results = match results {
            Ok(r) => r
                .into_iter()
                .map(|r| r.map(|s| s.client).map_err(|e| e.to_string()))
                .collect::<Vec<_>>()
                .into_iter(),
            Err(e) => {
                let line = json!({"error": e.detail()});
                self.send(&[line]).await;
                self.client_gone = true;
                return;
            }
        };
        let mut out = Vec::with_capacity(parsed.len());
        for (line, q) in parsed {
            let result = match q {
                Ok(_) => results.next().unwrap_or_else(|| Ok(Value::Null)),
                Err(message) => Err(message),
            };
            match result {
                Ok(r) => {
                    self.tally.queries = self.tally.queries.saturating_add(1);
                    if audit::alerting(&r) {
                        self.tally.alerts = self.tally.alerts.saturating_add(1);
                    }
                    out.push(r);
                }
                Err(message) => {
                    self.tally.errors = self.tally.errors.saturating_add(1);
                    out.push(json!({"line": line, "error": message}));
                }
            }
        }
        self.send(&out).await;
    }
}

/// Starts the streaming response; the work runs in a task feeding the body.
pub(crate) async fn screen_batch(
    state: AppState,
    caller: Caller,
    req: Request,
) -> Result<Response, ApiError> {
    let limit = state.limits.batch_limit;
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("batch body is larger than {limit} bytes"),
        ));
    }
    let request_id = uuid::Uuid::now_v7().to_string();
    let (tx, rx) = mpsc::channel::<Result<Bytes, std::io::Error>>(8);
    tokio::spawn(run(state, caller, req.into_body(), tx, request_id.clone()));
    let stream =
        futures_util::stream::unfold(
            rx,
            |mut rx| async move { rx.recv().await.map(|item| (item, rx)) },
        );
    let mut resp = Body::from_stream(stream).into_response();
    let headers = resp.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/x-ndjson"));
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        headers.insert("x-earl-request-id", v);
    }
    Ok(resp)
}

async fn run(
    state: AppState,
    caller: Caller,
    body: Body,
    tx: mpsc::Sender<Result<Bytes, std::io::Error>>,
    request_id: String,
) {
    let limit = state.limits.batch_limit as u64;
    let today = audit::today();
    let mut input = body.into_data_stream();
    let mut in_hash = blake3::Hasher::new();
    let mut run = Run {
        state,
        tx,
        out_hash: blake3::Hasher::new(),
        tally: Tally::default(),
        client_gone: false,
    };
    let mut pending: Vec<u8> = Vec::new();
    let mut chunk: Vec<Parsed> = Vec::with_capacity(CHUNK);
    let mut completed = true;

    while let Some(next) = input.next().await {
        let bytes = match next {
            Ok(b) => b,
            Err(e) => {
                tracing::warn!(%e, "batch: reading the request body failed");
                run.send(&[json!({"error": {"code": "unreadable_body", "message": "reading the request body failed"}})]).await;
                completed = false;
                break;
            }
        };
        run.tally.bytes = run.tally.bytes.saturating_add(bytes.len() as u64);
        if run.tally.bytes > limit {
            run.flush(&mut chunk).await;
            run.send(&[json!({"error": {"code": "payload_too_large", "message": format!("batch body is larger than {limit} bytes; the lines above were screened, the rest was not")}})]).await;
            completed = false;
            break;
        }
        in_hash.update(&bytes);
        pending.extend_from_slice(&bytes);
        let mut start = 0usize;
        while let Some(rel) =
            pending.get(start..).and_then(|rest| rest.iter().position(|b| *b == b'\n'))
        {
            let end = start + rel;
            run.tally.lines = run.tally.lines.saturating_add(1);
            if let Some(parsed) = pending.get(start..end).and_then(|l| parse_line(l, &today)) {
                chunk.push((run.tally.lines, parsed));
            }
            start = end + 1;
            if chunk.len() >= CHUNK {
                run.flush(&mut chunk).await;
            }
        }
        pending.drain(..start);
        if run.client_gone {
            completed = false;
            break;
        }
    }
    if completed && !pending.is_empty() {
        run.tally.lines = run.tally.lines.saturating_add(1);
        if let Some(parsed) = parse_line(&pending, &today) {
            chunk.push((run.tally.lines, parsed));
        }
    }
    run.flush(&mut chunk).await;
    if run.client_gone {
        completed = false;
    }

    let t = &run.tally;
    let decided = Decided {
        kind: "screen_batch",
        input: json!({
            "request_id": request_id,
            "lines": t.lines,
            "bytes": t.bytes,
            "input_blake3": in_hash.finalize().to_hex().as_str(),
            "date": today,
        }),
        output: json!({
            "queries": t.queries,
            "errors": t.errors,
            "alerts": t.alerts,
            "output_lines": t.output_lines,
            "output_blake3": run.out_hash.finalize().to_hex().as_str(),
            "completed": completed,
        }),
        response: None,
        screened: (t.queries, t.alerts),
    };
    run.state.metrics.screened("batch", t.queries, t.alerts);
    let store = run.state.store.clone();
    let provenance = run.state.provenance.clone();
    let name = caller.name.clone();
    let stored = tokio::task::spawn_blocking(move || {
        audit::record(store.as_ref(), &provenance, &name, &decided)
    })
    .await;
    match stored {
        Ok(Ok(_)) => run.state.metrics.decision_recorded("screen_batch"),
        Ok(Err(e)) => {
            tracing::error!(%e, request_id, "batch: audit record failed");
            let line = json!({"error": {"code": "audit_failed", "message": "the audit record for this batch could not be written"}});
            // Not hashed into the record: there is no record.
            let _ = run.tx.send(Ok(Bytes::from(format!("{line}\n")))).await;
        }
        Err(e) => tracing::error!(%e, request_id, "batch: audit task failed"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_may_be_objects_strings_or_plain_text() {
        let day = "2026-01-02";
        let q = parse_line(br#"{"name":"Huawei","country":"cn"}"#, day).unwrap().unwrap();
        assert_eq!(
            (q.name.as_str(), q.country.as_deref(), q.date.as_deref()),
            ("Huawei", Some("CN"), Some(day))
        );
        let q = parse_line(br#""SMIC \"Beijing\"""#, day).unwrap().unwrap();
        assert_eq!(q.name, "SMIC \"Beijing\"");
        let q = parse_line("  华为技术有限公司 \r".as_bytes(), day).unwrap().unwrap();
        assert_eq!(q.name, "华为技术有限公司");
        assert!(parse_line(b"   ", day).is_none());
    }

    #[test]
    fn bad_lines_explain_themselves() {
        let day = "2026-01-02";
        let e = parse_line(br#"{"nam":"x"}"#, day).unwrap().unwrap_err();
        assert!(e.contains("unknown field `nam`"), "{e}");
        let e = parse_line(br#"{"name":"x","date":"2026-02-30"}"#, day).unwrap().unwrap_err();
        assert!(e.contains("date"), "{e}");
        let e = parse_line(b"\xff\xfe", day).unwrap().unwrap_err();
        assert!(e.contains("UTF-8"), "{e}");
        let e = parse_line(&vec![b'a'; MAX_LINE + 1], day).unwrap().unwrap_err();
        assert!(e.contains("longer"), "{e}");
    }
}
