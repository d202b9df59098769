//! Decide and record: the one path by which an API (or CLI) decision reaches the audit log,
//! and `replay`, which re-decides recorded inputs to prove the answers.
//!
//! What a record holds, by kind:
//!
//! | kind | input | output |
//! |---|---|---|
//! | `check` | the transaction JSON | the determination |
//! | `classify` | the classification request | the classification |
//! | `screen` | `{"query": {...}}` (GET) or `{"queries": [...]}` (POST) | `{query, hits}` or `{"results": [...]}` |
//! | `screen_batch` | `{request_id, lines, bytes, input_blake3, date}` | `{queries, errors, alerts, output_lines, output_blake3, completed}` |
//!
//! Batch screening writes one record per request, not per query: a million-line file would
//! otherwise mean a million chained appends. The record carries BLAKE3 hashes of the exact
//! request body and of the exact response stream, so a kept copy of either can be proven
//! against the log; replay skips these records.
//!
//! Screening requests without a date are recorded with the date the server used, so a
//! replay re-asks the same question.

#[allow(unused_imports, reason = "shim")]
use crate::engine_shim as earl_engine;
use earl_engine::Engine;
use earl_store::{AuditStore, ListFilter, ListRef, NewRecord, StoreError, StoredRecord};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};

/// One name to screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ScreenQuery {
    /// The party name, in any script.
    pub name: String,
    /// ISO 3166-1 alpha-2 country of the party, if known (sharpens or lowers scores).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Screening date `YYYY-MM-DD` (list entries in force on it); default today (UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Most hits to return, 1..=100 (default: the engine's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

/// A rejected request: which field and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct DecideError {
    /// Path of the offending field (`name`, `queries[3].date`, `items[0].chip`).
    pub field: String,
    /// Why.
    pub message: String,
}

impl DecideError {
    fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        DecideError { field: field.into(), message: message.into() }
    }
}

/// The most names one `POST /v1/screen` may carry (use the batch endpoint beyond).
pub const MAX_QUERIES: usize = 1000;
/// Longest accepted name, in characters.
pub const MAX_NAME_CHARS: usize = 500;

/// Today's date in UTC, `YYYY-MM-DD`.
pub fn today() -> String {
    jiff::Timestamp::now().to_zoned_datetime(jiff::tz::TimeZone::UTC).date().to_string()
}

impl ScreenQuery {
    /// Checks the fields and fills in the date; `prefix` is the field path of this query.
    pub fn normalised(&self, prefix: &str, today: &str) -> Result<ScreenQuery, DecideError> {
        let at = |f: &str| if prefix.is_empty() { f.to_owned() } else { format!("{prefix}.{f}") };
        let name = self.name.trim();
        if name.is_empty() {
            return Err(DecideError::new(at("name"), "must not be empty"));
        }
        if name.chars().count() > MAX_NAME_CHARS {
            return Err(DecideError::new(
                at("name"),
                format!("longer than {MAX_NAME_CHARS} characters"),
            ));
        }
        let country = match self.country.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
            None => None,
            Some(c) if c.len() == 2 && c.bytes().all(|b| b.is_ascii_alphabetic()) => {
                Some(c.to_ascii_uppercase())
            }
            Some(c) => {
                return Err(DecideError::new(
                    at("country"),
                    format!("`{c}` is not an ISO 3166-1 alpha-2 code (e.g. `CN`)"),
                ));
            }
        };
        let date = match self.date.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
            None => today.to_owned(),
            Some(d) => d
                .parse::<jiff::civil::Date>()
                .map_err(|_| {
                    DecideError::new(at("date"), format!("`{d}` is not a date YYYY-MM-DD"))
                })?
                .to_string(),
        };
        if let Some(limit) = self.limit
            && !(1..=100).contains(&limit)
        {
            return Err(DecideError::new(at("limit"), format!("{limit} is outside 1..=100")));
        }
        Ok(ScreenQuery { name: name.to_owned(), country, date: Some(date), limit: self.limit })
    }
}

/// What to decide.
#[derive(Debug, Clone)]
pub enum Decision {
    /// A license determination for a transaction (JSON as in `earl check`).
    Check(Value),
    /// A classification request (JSON as in `earl classify`).
    Classify(Value),
    /// One screening (`GET /v1/screen`, `earl screen`).
    Screen(ScreenQuery),
    /// Several screenings in one request (`POST /v1/screen`).
    ScreenMany(Vec<ScreenQuery>),
}

/// A decision made, ready to be recorded.
#[derive(Debug, Clone)]
pub struct Decided {
    /// Record kind.
    pub kind: &'static str,
    /// Record input.
    pub input: Value,
    /// Record output (also the response body, before `decision_id` is added).
    pub output: Value,
    /// Names screened and how many alerted (for metrics); zero for checks.
    pub screened: (u64, u64),
}

fn input_error(e: &earl_engine::InputError) -> DecideError {
    DecideError::new(e.field.clone(), e.message.clone())
}

fn to_value<T: Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// Counts hits marked `"alert": true` in a `{query, hits}` value.
pub fn alerting(result: &Value) -> bool {
    result
        .get("hits")
        .and_then(Value::as_array)
        .is_some_and(|hits| hits.iter().any(|h| h.get("alert") == Some(&Value::Bool(true))))
}

fn screen_request(q: &ScreenQuery) -> earl_engine::ScreenRequest {
    earl_engine::ScreenRequest {
        name: q.name.clone(),
        country: q.country.clone(),
        date: q.date.as_deref().and_then(|d| d.parse().ok()),
        limit: q.limit.map(|l| l as usize),
    }
}

/// Screens already normalised queries, in order.
pub fn screen_values(engine: &Engine, queries: &[ScreenQuery]) -> Vec<Value> {
    let requests: Vec<_> = queries.iter().map(screen_request).collect();
    engine.screen_many(&requests).iter().map(to_value).collect()
}

/// Runs the engine on a decision. Pure apart from the engine: records nothing.
pub fn decide(engine: &Engine, decision: &Decision) -> Result<Decided, DecideError> {
    match decision {
        Decision::Check(tx) => {
            let outcome = engine.check_json(&tx.to_string()).map_err(|e| input_error(&e))?;
            Ok(Decided {
                kind: "check",
                input: tx.clone(),
                output: outcome.value,
                screened: (0, 0),
            })
        }
        Decision::Classify(req) => {
            let output = engine.classify_json(&req.to_string()).map_err(|e| input_error(&e))?;
            Ok(Decided { kind: "classify", input: req.clone(), output, screened: (0, 0) })
        }
        Decision::Screen(q) => {
            let q = q.normalised("", &today())?;
            let output = to_value(&engine.screen(&screen_request(&q)));
            let alerts = u64::from(alerting(&output));
            Ok(Decided {
                kind: "screen",
                input: json!({ "query": q }),
                output,
                screened: (1, alerts),
            })
        }
        Decision::ScreenMany(qs) => {
            if qs.is_empty() {
                return Err(DecideError::new("queries", "must hold at least one query"));
            }
            if qs.len() > MAX_QUERIES {
                return Err(DecideError::new(
                    "queries",
                    format!(
                        "{} queries; at most {MAX_QUERIES} per request (use /v1/screen/batch)",
                        qs.len()
                    ),
                ));
            }
            let day = today();
            let qs = qs
                .iter()
                .enumerate()
                .map(|(i, q)| q.normalised(&format!("queries[{i}]"), &day))
                .collect::<Result<Vec<_>, _>>()?;
            let results = screen_values(engine, &qs);
            let alerts = results.iter().filter(|r| alerting(r)).count() as u64;
            Ok(Decided {
                kind: "screen",
                input: json!({ "queries": qs }),
                output: json!({ "results": results }),
                screened: (qs.len() as u64, alerts),
            })
        }
    }
}

/// The data a decision was made against, as the audit log records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    /// Rule-data version.
    pub rules_version: String,
    /// List snapshots.
    pub lists: Vec<ListRef>,
    /// Engine version.
    pub engine_version: String,
}

/// Reads the engine's data versions.
pub fn provenance(engine: &Engine) -> Provenance {
    let v = engine.data_versions();
    Provenance {
        rules_version: v.rules_version.clone(),
        lists: v
            .lists
            .iter()
            .map(|l| ListRef {
                list: l.list.to_string(),
                as_of: l.as_of.to_string(),
                sha256: l.sha256.clone(),
            })
            .collect(),
        engine_version: v.engine_version.clone(),
    }
}

/// Appends a decided record; returns once it is durable.
pub fn record(
    store: &dyn AuditStore,
    provenance: &Provenance,
    caller: &str,
    decided: &Decided,
) -> Result<StoredRecord, StoreError> {
    store.append(NewRecord {
        kind: decided.kind.to_owned(),
        caller: caller.to_owned(),
        input: decided.input.clone(),
        output: decided.output.clone(),
        rules_version: provenance.rules_version.clone(),
        lists: provenance.lists.clone(),
        engine_version: provenance.engine_version.clone(),
    })
}

/// Decides and records in one call (what `earl check` and the API do). Returns the response
/// body (the output plus `decision_id`) and the stored record.
pub fn decide_and_record(
    engine: &Engine,
    store: &dyn AuditStore,
    caller: &str,
    decision: &Decision,
) -> Result<(Value, StoredRecord), DecideAndRecordError> {
    let decided = decide(engine, decision)?;
    let stored = record(store, &provenance(engine), caller, &decided)?;
    Ok((with_decision_id(decided.output, &stored.id), stored))
}

/// Adds `"decision_id"` to an output object (other values are wrapped as `{"result": ...}`).
pub fn with_decision_id(output: Value, id: &str) -> Value {
    let mut obj = match output {
        Value::Object(map) => map,
        other => {
            let mut m = serde_json::Map::new();
            m.insert("result".into(), other);
            m
        }
    };
    obj.insert("decision_id".into(), Value::String(id.to_owned()));
    Value::Object(obj)
}

/// Failure of [`decide_and_record`].
#[derive(Debug, thiserror::Error)]
pub enum DecideAndRecordError {
    /// The request was rejected.
    #[error(transparent)]
    Input(#[from] DecideError),
    /// The audit log could not be written; the decision was not returned.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Rebuilds the decision a record was made for; `None` for kinds that cannot be replayed.
pub fn decision_of(record: &StoredRecord) -> Option<Decision> {
    match record.kind.as_str() {
        "check" => Some(Decision::Check(record.input.clone())),
        "classify" => Some(Decision::Classify(record.input.clone())),
        "screen" => {
            if let Some(q) = record.input.get("query") {
                serde_json::from_value(q.clone()).ok().map(Decision::Screen)
            } else {
                let qs = record.input.get("queries")?;
                serde_json::from_value(qs.clone()).ok().map(Decision::ScreenMany)
            }
        }
        _ => None,
    }
}

/// How one replayed record came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReplayOutcome {
    /// Same output, byte for byte (canonical JSON).
    Same,
    /// Different output under the same rule and list versions: the engine changed or the
    /// record did not come from this data.
    Different,
    /// Different output, and the rule or list versions differ from the record's: expected.
    DataChanged,
    /// The engine now rejects the recorded input.
    Rejected,
    /// Not replayable (batch records hold hashes only).
    Skipped,
}

/// One replayed record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReplayItem {
    /// Record id.
    pub id: String,
    /// Record position.
    pub seq: u64,
    /// Record kind.
    pub kind: String,
    /// Outcome.
    pub outcome: ReplayOutcome,
    /// Details for people (what changed, why skipped).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The result of [`replay`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReplayReport {
    /// Every record replayed, oldest first.
    pub items: Vec<ReplayItem>,
    /// Count of `same`.
    pub same: u64,
    /// Count of `different` (the alarming case).
    pub different: u64,
    /// Count of `data_changed`.
    pub data_changed: u64,
    /// Count of `rejected`.
    pub rejected: u64,
    /// Count of `skipped`.
    pub skipped: u64,
}

impl ReplayReport {
    /// True when no replayed record came out `different` or `rejected`.
    pub fn is_ok(&self) -> bool {
        self.different == 0 && self.rejected == 0
    }
}

/// Re-decides each matching record with `engine` and compares outputs.
///
/// `filter.limit` bounds how many records are replayed (0 = all); records are read newest
/// first in pages and reported oldest first.
pub fn replay(
    engine: &Engine,
    store: &dyn AuditStore,
    filter: &ListFilter,
) -> Result<ReplayReport, StoreError> {
    let wanted = if filter.limit == 0 { u64::MAX } else { u64::from(filter.limit) };
    let current = provenance(engine);
    let mut records = Vec::new();
    let mut offset = filter.offset;
    loop {
        let page = store.list(&ListFilter {
            limit: earl_store::MAX_LIST_LIMIT,
            offset,
            ..filter.clone()
        })?;
        let got = page.len() as u64;
        records.extend(page);
        offset = offset.saturating_add(got);
        if got < u64::from(earl_store::MAX_LIST_LIMIT) || records.len() as u64 >= wanted {
            break;
        }
    }
    records.truncate(usize::try_from(wanted).unwrap_or(usize::MAX));
    records.reverse();

    let mut report = ReplayReport::default();
    for rec in records {
        let (outcome, note) = match decision_of(&rec) {
            None => {
                (ReplayOutcome::Skipped, Some(format!("`{}` records are not replayable", rec.kind)))
            }
            Some(decision) => match decide(engine, &decision) {
                Err(e) => (ReplayOutcome::Rejected, Some(e.to_string())),
                Ok(d) => {
                    let canon = earl_store::canonical::to_canonical_string;
                    if canon(&d.output) == canon(&rec.output) {
                        (ReplayOutcome::Same, None)
                    } else if rec.rules_version != current.rules_version
                        || rec.lists != current.lists
                    {
                        (ReplayOutcome::DataChanged, Some(data_change_note(&rec, &current)))
                    } else {
                        (
                            ReplayOutcome::Different,
                            Some(format!(
                                "output differs under the same data (recorded by engine {}, replayed by {})",
                                rec.engine_version, current.engine_version
                            )),
                        )
                    }
                }
            },
        };
        let counter = match outcome {
            ReplayOutcome::Same => &mut report.same,
            ReplayOutcome::Different => &mut report.different,
            ReplayOutcome::DataChanged => &mut report.data_changed,
            ReplayOutcome::Rejected => &mut report.rejected,
            ReplayOutcome::Skipped => &mut report.skipped,
        };
        *counter = counter.saturating_add(1);
        report.items.push(ReplayItem { id: rec.id, seq: rec.seq, kind: rec.kind, outcome, note });
    }
    Ok(report)
}

fn data_change_note(rec: &StoredRecord, current: &Provenance) -> String {
    let mut parts = Vec::new();
    if rec.rules_version != current.rules_version {
        parts.push(format!("rules {} -> {}", rec.rules_version, current.rules_version));
    }
    for l in &rec.lists {
        match current.lists.iter().find(|c| c.list == l.list) {
            Some(c) if c.sha256 != l.sha256 => {
                parts.push(format!("{} {} -> {}", l.list, l.as_of, c.as_of));
            }
            None => parts.push(format!("{} no longer loaded", l.list)),
            Some(_) => {}
        }
    }
    format!("output differs; data changed since: {}", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_checked_and_dated() {
        let q = ScreenQuery {
            name: "  Huawei ".into(),
            country: Some("cn".into()),
            date: None,
            limit: None,
        };
        let n = q.normalised("", "2026-01-02").unwrap();
        assert_eq!(n.name, "Huawei");
        assert_eq!(n.country.as_deref(), Some("CN"));
        assert_eq!(n.date.as_deref(), Some("2026-01-02"));

        let bad = |q: ScreenQuery| q.normalised("queries[2]", "2026-01-02").unwrap_err().field;
        let base = ScreenQuery { name: "x".into(), country: None, date: None, limit: None };
        assert_eq!(bad(ScreenQuery { name: " ".into(), ..base.clone() }), "queries[2].name");
        assert_eq!(
            bad(ScreenQuery { country: Some("China".into()), ..base.clone() }),
            "queries[2].country"
        );
        assert_eq!(
            bad(ScreenQuery { date: Some("2026-13-01".into()), ..base.clone() }),
            "queries[2].date"
        );
        assert_eq!(bad(ScreenQuery { limit: Some(0), ..base.clone() }), "queries[2].limit");
        assert_eq!(bad(ScreenQuery { name: "x".repeat(501), ..base }), "queries[2].name");
    }

    #[test]
    fn decision_id_is_added_to_objects_and_wraps_others() {
        assert_eq!(with_decision_id(json!({"a": 1}), "id1"), json!({"a": 1, "decision_id": "id1"}));
        assert_eq!(
            with_decision_id(json!([1]), "id1"),
            json!({"result": [1], "decision_id": "id1"})
        );
    }
}
