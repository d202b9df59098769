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
    /// ISO 3166-1 alpha-2 country of the party, if known (a soft signal for scoring).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Screening date `YYYY-MM-DD` (list entries in force on it); default today (UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Most hits to return, 1..=100 (default 10).
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

/// Today's date in UTC, `YYYY-MM-DD`.
pub fn today() -> String {
    jiff::Timestamp::now().to_zoned_datetime(jiff::tz::TimeZone::UTC).date().to_string()
}

fn prefixed(prefix: &str, field: &str) -> String {
    if prefix.is_empty() { field.to_owned() } else { format!("{prefix}.{field}") }
}

impl ScreenQuery {
    /// Fills in the date (so the audit record says which date was used) and tidies the
    /// fields; the engine checks the rest. `prefix` is this query's field path.
    pub fn normalised(&self, prefix: &str, today: &str) -> Result<ScreenQuery, DecideError> {
        let date = match self.date.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
            None => today.to_owned(),
            Some(d) => earl_engine::parse_date(d)
                .ok_or_else(|| {
                    DecideError::new(
                        prefixed(prefix, "date"),
                        format!("`{d}` is not a date YYYY-MM-DD"),
                    )
                })?
                .to_string(),
        };
        Ok(ScreenQuery {
            name: self.name.trim().to_owned(),
            country: self
                .country
                .as_deref()
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_ascii_uppercase),
            date: Some(date),
            limit: self.limit,
        })
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
    /// Record output.
    pub output: Value,
    /// Response body when it differs from `output` (screening adds entry details), before
    /// `decision_id` is added.
    pub response: Option<Value>,
    /// Names screened and how many alerted (for metrics); zero for checks.
    pub screened: (u64, u64),
}

fn input_error(e: &earl_core::InputError) -> DecideError {
    DecideError::new(e.field.clone(), e.message.clone())
}

fn to_value<T: Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// True when a `{query, hits}` value has a hit marked `"alert": true`.
pub fn alerting(result: &Value) -> bool {
    result
        .get("hits")
        .and_then(Value::as_array)
        .is_some_and(|hits| hits.iter().any(|h| h.get("alert") == Some(&Value::Bool(true))))
}

/// A screening answer in its two forms.
#[derive(Debug, Clone)]
pub struct Screened {
    /// What the audit log keeps: `{query, hits}` with each hit naming its list and entry id.
    /// The entry's text is not copied: it is fixed by the list snapshot hash in the record.
    pub record: Value,
    /// What the client gets: the same, each hit with its full `entry` (license requirement,
    /// Federal Register citations, addresses...).
    pub client: Value,
}

/// Screens one normalised query; errors carry `prefix` in their field path.
pub fn screen_value(
    engine: &Engine,
    q: &ScreenQuery,
    prefix: &str,
) -> Result<Screened, DecideError> {
    let request = earl_engine::ScreenRequest {
        name: q.name.clone(),
        country: q.country.clone(),
        date: q.date.clone(),
        limit: q.limit.map(|l| l as usize),
        lists: None,
    };
    let response = engine
        .screen(&request)
        .map_err(|e| DecideError::new(prefixed(prefix, &e.field), e.message))?;
    let record = to_value(&response);
    let mut client = record.clone();
    if let Some(hits) = client.get_mut("hits").and_then(Value::as_array_mut) {
        for (hit, full) in hits.iter_mut().zip(&response.hits) {
            if let Value::Object(map) = hit {
                map.insert("entry".into(), to_value(&*full.entry));
            }
        }
    }
    Ok(Screened { record, client })
}

/// Screens normalised queries in order, spread over the cores (the engine's rayon pool).
pub fn screen_values(
    engine: &Engine,
    queries: &[ScreenQuery],
) -> Vec<Result<Screened, DecideError>> {
    earl_engine::par_map(queries, |q| screen_value(engine, q, ""))
}

/// Classifies one item on a date. The body is an item as in a transaction (`product`, `chip`,
/// `eccn` + `datacenter`, or `hbm`) plus an optional `date` (default today).
pub fn classify_value(engine: &Engine, req: &Value) -> Result<Value, DecideError> {
    let Some(obj) = req.as_object() else {
        return Err(DecideError::new("", "the request must be a JSON object"));
    };
    let date = match obj.get("date") {
        None => today(),
        Some(Value::String(d)) => d.trim().to_owned(),
        Some(_) => return Err(DecideError::new("date", "must be a string YYYY-MM-DD")),
    };
    let mut item = obj.clone();
    item.remove("date");
    // Reuse the transaction parser so a classification accepts exactly what a check does.
    let tx = json!({"date": date, "destination": "CN", "items": [Value::Object(item)]});
    let tx = earl_core::Transaction::from_value(&tx, engine.catalog()).map_err(|e| {
        let field = e.field.strip_prefix("items[0].").unwrap_or(&e.field).to_owned();
        DecideError::new(if field == "items[0]" { String::new() } else { field }, e.message)
    })?;
    let Some(item) = tx.items.first() else {
        return Err(DecideError::new("", "nothing to classify"));
    };
    let rules = engine.rules();
    let classification = if let Some(spec) = &item.chip {
        earl_core::classify::classify_chip(rules, spec, tx.date, "chip")
    } else if let Some(hbm) = &item.hbm {
        earl_core::classify::classify_hbm(rules, hbm, tx.date, "hbm")
    } else if let Some(eccn) = &item.eccn {
        earl_core::classify::classify_eccn(rules, eccn, item.datacenter, tx.date, "eccn")
    } else if let Some(product) = &item.product {
        engine.classify_product(product, tx.date).map_err(|e| input_error(&e))?
    } else {
        return Err(DecideError::new("product", "give one of `product`, `chip`, `eccn` or `hbm`"));
    };
    let mut out = to_value(&classification);
    if let Value::Object(map) = &mut out {
        map.insert("date".into(), Value::String(tx.date.to_string()));
        if let Some(p) = &item.product {
            map.insert("product".into(), Value::String(p.clone()));
        }
    }
    Ok(out)
}

/// Runs the engine on a decision. Pure apart from the engine: records nothing.
pub fn decide(engine: &Engine, decision: &Decision) -> Result<Decided, DecideError> {
    match decision {
        Decision::Check(tx) => {
            let determination = engine.check_json(&tx.to_string()).map_err(|e| input_error(&e))?;
            let output = to_value(&determination);
            Ok(Decided {
                kind: "check",
                input: tx.clone(),
                output,
                response: None,
                screened: (0, 0),
            })
        }
        Decision::Classify(req) => {
            let output = classify_value(engine, req)?;
            Ok(Decided {
                kind: "classify",
                input: req.clone(),
                output,
                response: None,
                screened: (0, 0),
            })
        }
        Decision::Screen(q) => {
            let q = q.normalised("", &today())?;
            let screened = screen_value(engine, &q, "")?;
            let alerts = u64::from(alerting(&screened.record));
            Ok(Decided {
                kind: "screen",
                input: json!({ "query": q }),
                output: screened.record,
                response: Some(screened.client),
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
            let results = screen_values(engine, &qs)
                .into_iter()
                .enumerate()
                .map(|(i, r)| {
                    r.map_err(|e| {
                        DecideError::new(prefixed(&format!("queries[{i}]"), &e.field), e.message)
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            let alerts = results.iter().filter(|r| alerting(&r.record)).count() as u64;
            let (records, clients): (Vec<Value>, Vec<Value>) =
                results.into_iter().map(|r| (r.record, r.client)).unzip();
            Ok(Decided {
                kind: "screen",
                input: json!({ "queries": qs }),
                output: json!({ "results": records }),
                response: Some(json!({ "results": clients })),
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
        // The workspace shares one version, so the server's is the engine's.
        engine_version: env!("CARGO_PKG_VERSION").to_owned(),
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
    let body = decided.response.unwrap_or(decided.output);
    Ok((with_decision_id(body, &stored.id), stored))
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

/// Replay of one recorded decision with the data it used.
#[derive(Debug, Clone, Serialize)]
pub struct RecordReplay {
    /// Record id.
    pub id: String,
    /// Record kind.
    pub kind: String,
    /// The recomputed answer equals the recorded one.
    pub identical: bool,
    /// Every recorded list snapshot was found and the rule data version is this binary's, so
    /// the replay used exactly the data of the original decision.
    pub faithful: bool,
    /// Rule-data version recorded.
    pub rules_version_recorded: String,
    /// Rule-data version of this binary (the only rules it can apply).
    pub rules_version_now: String,
    /// Where each recorded list snapshot was found.
    pub lists: Vec<earl_engine::replay::ListFound>,
    /// Every differing value, by JSON path.
    pub differences: Vec<earl_engine::replay::Difference>,
}

impl RecordReplay {
    /// Human-readable report.
    pub fn to_text(&self) -> String {
        use std::fmt::Write as _;
        let mut s = String::new();
        let _ = writeln!(
            s,
            "Replay of `{}` decision {}: {}",
            self.kind,
            self.id,
            if self.identical { "IDENTICAL to the recorded answer" } else { "DIFFERENT" }
        );
        let same_rules = self.rules_version_recorded == self.rules_version_now;
        let _ = writeln!(
            s,
            "rules: recorded {}, now {}{}",
            self.rules_version_recorded,
            self.rules_version_now,
            if same_rules { "" } else { " (this binary can only apply its own rule data)" }
        );
        for l in &self.lists {
            let _ =
                writeln!(s, "list {} {}: {}", l.list, l.sha256.get(..12).unwrap_or(""), l.found);
        }
        if !self.faithful {
            let _ = writeln!(s, "NOTE: not all recorded data was available, see above.");
        }
        for d in &self.differences {
            let _ = writeln!(
                s,
                "  {}\n    recorded: {}\n    replayed: {}",
                d.path, d.recorded, d.replayed
            );
        }
        s
    }
}

/// Failure of [`replay_record`].
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    /// The record's kind holds no replayable request (batch records keep hashes only).
    #[error("records of kind `{0}` cannot be replayed")]
    NotReplayable(String),
    /// The recorded data could not be loaded.
    #[error(transparent)]
    Data(#[from] earl_engine::EngineError),
    /// The engine rejects the recorded request.
    #[error("the recorded request is rejected now: {0}")]
    Rejected(#[from] DecideError),
}

/// Recomputes one recorded decision with the list snapshots it used (found by hash in the
/// bundled data, the user's imports or the archive in `data_dir`) and compares the answers.
pub fn replay_record(
    data_dir: &earl_engine::DataDir,
    rec: &StoredRecord,
) -> Result<RecordReplay, ReplayError> {
    let decision = decision_of(rec).ok_or_else(|| ReplayError::NotReplayable(rec.kind.clone()))?;
    let lists: Vec<(String, String)> =
        rec.lists.iter().map(|l| (l.list.clone(), l.sha256.clone())).collect();
    let (set, found) = earl_engine::replay::recorded_lists(data_dir, &lists)?;
    let engine = Engine::with_lists(set, data_dir.clone())?;
    let decided = decide(&engine, &decision)?;
    let mut differences = Vec::new();
    earl_engine::replay::diff_values("", &rec.output, &decided.output, &mut differences);
    let rules_now = engine.data_versions().rules_version.clone();
    let faithful = rules_now == rec.rules_version && found.iter().all(|l| l.found != "missing");
    Ok(RecordReplay {
        id: rec.id.clone(),
        kind: rec.kind.clone(),
        identical: differences.is_empty(),
        faithful,
        rules_version_recorded: rec.rules_version.clone(),
        rules_version_now: rules_now,
        lists: found,
        differences,
    })
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
    fn queries_are_dated_and_tidied() {
        let q = ScreenQuery {
            name: "  Huawei ".into(),
            country: Some(" cn".into()),
            date: None,
            limit: None,
        };
        let n = q.normalised("", "2026-01-02").unwrap();
        assert_eq!(n.name, "Huawei");
        assert_eq!(n.country.as_deref(), Some("CN"));
        assert_eq!(n.date.as_deref(), Some("2026-01-02"));
        let bad = ScreenQuery { date: Some("2026-02-30".into()), ..q };
        assert_eq!(
            bad.normalised("queries[2]", "2026-01-02").unwrap_err().field,
            "queries[2].date"
        );
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
