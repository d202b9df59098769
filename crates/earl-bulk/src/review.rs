//! Analysts' reviewed decisions: reading them, pinning each to the list entry version it was
//! made on (via the audit log), and applying them to hits.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use earl_lists::ListId;
use earl_store::{AuditStore, ListFilter, ListRef, NewRecord, StoredRecord};
use jiff::civil::Date;
use serde::Serialize;
use serde_json::{Value, json};

use crate::error::BulkError;
use crate::options::Format;

/// An analyst's decision on one (customer, list entry) hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Not the listed party: suppress this hit until the entry changes.
    FalsePositive,
    /// The listed party: keep alerting, annotated.
    TrueMatch,
}

impl Decision {
    /// `false_positive` or `true_match`.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::FalsePositive => "false_positive",
            Decision::TrueMatch => "true_match",
        }
    }
}

impl std::str::FromStr for Decision {
    type Err = String;
    /// Accepts `false_positive`, `false positive`, `false-positive` (any case), likewise
    /// `true_match`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let folded: String = s
            .trim()
            .chars()
            .map(|c| if c == ' ' || c == '-' { '_' } else { c.to_ascii_lowercase() })
            .collect();
        match folded.as_str() {
            "false_positive" => Ok(Decision::FalsePositive),
            "true_match" => Ok(Decision::TrueMatch),
            _ => Err(format!("`{s}` is not a decision (false_positive or true_match)")),
        }
    }
}

/// One line of a reviewed-decisions file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Review {
    /// Customer id as in the customer file's id column (or the name when the file has none).
    pub customer_id: String,
    /// List of the entry.
    pub list: ListId,
    /// Entry id within the list.
    pub entry_id: String,
    /// The decision.
    pub decision: Decision,
    /// Who decided.
    pub reviewer: String,
    /// When (`YYYY-MM-DD`).
    pub date: Date,
    /// Entry hash the review was made on ([`crate::entry_hash`]), when the file gives it.
    pub entry_hash: Option<String>,
    /// Line of the reviews file (for messages).
    #[serde(skip)]
    pub line: u64,
}

/// Accepted spellings of each reviews-file column (folded: lower case, no `_`, `-`, spaces).
const FIELDS: &[(&str, &[&str])] = &[
    ("customer_id", &["customerid", "customer", "custid", "partyid", "id"]),
    ("list", &["list", "listid", "earllist"]),
    ("entry_id", &["entryid", "entry", "listentryid", "earlentryid"]),
    ("decision", &["decision"]),
    ("reviewer", &["reviewer", "reviewedby", "analyst"]),
    ("date", &["date", "reviewedon", "reviewdate"]),
    ("entry_hash", &["entryhash", "earlentryhash", "hash"]),
];

fn fold(s: &str) -> String {
    s.trim()
        .chars()
        .filter(|c| !matches!(c, '_' | '-' | ' '))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Reads a reviews file (CSV with a header, or JSON lines; by extension, else sniffed).
/// Any unusable line stops with an error naming the line and field: a silently dropped review
/// would silently change what alerts.
pub fn read_reviews(path: &Path) -> Result<Vec<Review>, BulkError> {
    let bytes = std::fs::read(path).map_err(|e| BulkError::io(path, e))?;
    let format = Format::from_path(path).unwrap_or_else(|| {
        if bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') {
            Format::Jsonl
        } else {
            Format::Csv
        }
    });
    parse_reviews(&bytes, format, path)
}

/// Parses reviews from bytes (see [`read_reviews`]); `path` only names the source in errors.
pub fn parse_reviews(bytes: &[u8], format: Format, path: &Path) -> Result<Vec<Review>, BulkError> {
    let err =
        |line: u64, message: String| BulkError::Review { path: path.to_owned(), line, message };
    let mut rows: Vec<(u64, HashMap<&'static str, String>)> = Vec::new();
    match format {
        Format::Csv => {
            let mut rdr = csv::ReaderBuilder::new().has_headers(true).from_reader(bytes);
            let header = rdr.headers().map_err(|e| err(1, e.to_string()))?.clone();
            let mut cols: Vec<Option<&'static str>> = Vec::new();
            for h in header.iter() {
                let f = fold(h);
                cols.push(
                    FIELDS.iter().find(|(_, keys)| keys.contains(&f.as_str())).map(|(n, _)| *n),
                );
            }
            for rec in rdr.records() {
                let rec = rec.map_err(|e| {
                    let line = e.position().map_or(0, csv::Position::line);
                    err(line, e.to_string())
                })?;
                let line = rec.position().map_or(0, csv::Position::line);
                if rec.iter().all(|f| f.trim().is_empty()) {
                    continue;
                }
                let mut m = HashMap::new();
                for (c, v) in cols.iter().zip(rec.iter()) {
                    if let Some(c) = c {
                        m.insert(*c, v.trim().to_owned());
                    }
                }
                rows.push((line, m));
            }
        }
        Format::Jsonl => {
            let text = std::str::from_utf8(bytes)
                .map_err(|e| err(0, format!("invalid UTF-8 at byte {}", e.valid_up_to() + 1)))?;
            for (i, l) in text.lines().enumerate() {
                let line = i as u64 + 1;
                if l.trim().is_empty() {
                    continue;
                }
                let v: Value =
                    serde_json::from_str(l).map_err(|e| err(line, format!("invalid JSON: {e}")))?;
                let Value::Object(obj) = v else {
                    return Err(err(line, "expected a JSON object".into()));
                };
                let mut m = HashMap::new();
                for (k, v) in &obj {
                    let f = fold(k);
                    if let Some((name, _)) =
                        FIELDS.iter().find(|(_, keys)| keys.contains(&f.as_str()))
                    {
                        let s = match v {
                            Value::String(s) => s.trim().to_owned(),
                            Value::Number(n) => n.to_string(),
                            Value::Null => String::new(),
                            _ => return Err(err(line, format!("field `{k}` must be a string"))),
                        };
                        m.insert(*name, s);
                    }
                }
                rows.push((line, m));
            }
        }
    }
    rows.into_iter()
        .map(|(line, mut m)| {
            let mut take = |f: &str| -> Result<String, BulkError> {
                match m.remove(f) {
                    Some(v) if !v.is_empty() => Ok(v),
                    _ => Err(err(line, format!("field `{f}` is missing or empty"))),
                }
            };
            let customer_id = take("customer_id")?;
            let list = ListId(take("list")?);
            let entry_id = take("entry_id")?;
            let decision = take("decision")?
                .parse::<Decision>()
                .map_err(|m| err(line, format!("field `decision`: {m}")))?;
            let reviewer = take("reviewer")?;
            let date_text = take("date")?;
            let date = date_text.parse::<Date>().map_err(|_| {
                err(line, format!("field `date`: `{date_text}` is not a date (YYYY-MM-DD)"))
            })?;
            let entry_hash =
                m.remove("entry_hash").filter(|h| !h.is_empty()).map(|h| h.to_ascii_lowercase());
            Ok(Review { customer_id, list, entry_id, decision, reviewer, date, entry_hash, line })
        })
        .collect()
}

/// Where reviews are recorded: the audit log and what to stamp on the records.
pub struct ReviewAudit<'a> {
    /// The audit log.
    pub store: &'a dyn AuditStore,
    /// Who runs the bulk job, e.g. `cli:alice`.
    pub caller: String,
    /// Version of the rule data in force.
    pub rules_version: String,
    /// Version of the engine.
    pub engine_version: String,
    /// List snapshots in use.
    pub lists: Vec<ListRef>,
}

/// Audit record kind of a review.
pub const REVIEW_KIND: &str = "review";

/// A review with the entry version it applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PinnedReview {
    /// The review.
    pub review: Review,
    /// Hash of the entry version the review was made on; `None` when the entry did not exist
    /// when the review was first seen (the review then never suppresses).
    pub pinned_hash: Option<String>,
}

/// What happened while loading reviews.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReviewSync {
    /// Reviews in the file.
    pub reviews: usize,
    /// Reviews seen for the first time and appended to the audit log now.
    pub recorded: usize,
    /// Reviews already in the audit log.
    pub already_recorded: usize,
    /// Reviews whose list entry does not exist in the lists in use.
    pub unknown_entries: usize,
    /// Reviews replaced by a later review of the same customer and entry.
    pub superseded: usize,
}

/// How a review bears on one hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ReviewState<'a> {
    /// False positive on this very entry version: the hit is suppressed.
    Suppressed(&'a PinnedReview),
    /// False positive on an older version of the entry: the hit alerts again.
    Stale(&'a PinnedReview, &'a str),
    /// Confirmed match: the hit alerts, annotated.
    TrueMatch(&'a PinnedReview),
}

impl ReviewState<'_> {
    /// The text of the `review` output column.
    pub(crate) fn describe(&self) -> String {
        match self {
            ReviewState::Suppressed(p) => {
                format!("false_positive by {} on {}", p.review.reviewer, p.review.date)
            }
            ReviewState::Stale(p, now) => format!(
                "stale: false_positive by {} on {} was for entry version {}, entry is now {}",
                p.review.reviewer,
                p.review.date,
                p.pinned_hash.as_deref().unwrap_or("(none)"),
                now
            ),
            ReviewState::TrueMatch(p) => {
                format!("true_match by {} on {}", p.review.reviewer, p.review.date)
            }
        }
    }
}

type Key = (String, ListId, String);

/// Reviewed decisions ready to apply: one per (customer, list, entry), the latest.
#[derive(Debug, Clone, Default)]
pub struct ReviewBook {
    by_key: HashMap<Key, PinnedReview>,
    customers: HashSet<String>,
}

fn identity(r: &Review) -> Value {
    json!({
        "customer_id": r.customer_id,
        "list": r.list.as_str(),
        "entry_id": r.entry_id,
        "decision": r.decision.as_str(),
        "reviewer": r.reviewer,
        "date": r.date.to_string(),
    })
}

fn identity_of_record(rec: &StoredRecord) -> Option<Value> {
    let i = rec.input.as_object()?;
    let mut out = serde_json::Map::new();
    for k in ["customer_id", "list", "entry_id", "decision", "reviewer", "date"] {
        out.insert(k.to_owned(), i.get(k)?.clone());
    }
    Some(Value::Object(out))
}

/// Every review record in the log, oldest first per identity (the first sighting wins).
fn recorded_reviews(store: &dyn AuditStore) -> Result<HashMap<String, Option<String>>, BulkError> {
    let mut found: HashMap<String, (u64, Option<String>)> = HashMap::new();
    let mut offset = 0u64;
    loop {
        let page = store.list(&ListFilter {
            kind: Some(REVIEW_KIND.to_owned()),
            limit: earl_store::MAX_LIST_LIMIT,
            offset,
            ..ListFilter::default()
        })?;
        let n = page.len();
        for rec in page {
            let Some(id) = identity_of_record(&rec) else { continue };
            let hash = rec.output.get("entry_hash").and_then(Value::as_str).map(str::to_owned);
            let key = id.to_string();
            match found.get(&key) {
                Some((seq, _)) if *seq < rec.seq => {}
                _ => {
                    found.insert(key, (rec.seq, hash));
                }
            }
        }
        if n < earl_store::MAX_LIST_LIMIT as usize {
            break;
        }
        offset += n as u64;
    }
    Ok(found.into_iter().map(|(k, (_, h))| (k, h)).collect())
}

impl ReviewBook {
    /// Pins each review to an entry version and keeps the latest review per (customer, list,
    /// entry). `current_hash` gives the hash of an entry in the lists in use (`None` when the
    /// entry does not exist).
    ///
    /// The version a review applies to is, in order: the `entry_hash` the file gives; the hash
    /// recorded in the audit log when the review was first seen; the entry's current hash (the
    /// review is new: it is recorded now). Without an audit log, reviews without `entry_hash`
    /// pin the current version on every run, so they never go stale: pass a log in production.
    pub fn new(
        reviews: Vec<Review>,
        current_hash: &dyn Fn(&ListId, &str) -> Option<String>,
        audit: Option<&ReviewAudit<'_>>,
    ) -> Result<(ReviewBook, ReviewSync), BulkError> {
        let mut sync = ReviewSync { reviews: reviews.len(), ..ReviewSync::default() };
        let recorded = match audit {
            Some(a) => recorded_reviews(a.store)?,
            None => HashMap::new(),
        };
        let mut appended: HashSet<String> = HashSet::new();
        let mut book = ReviewBook::default();
        for review in reviews {
            let current = current_hash(&review.list, &review.entry_id);
            if current.is_none() {
                sync.unknown_entries += 1;
            }
            let id = identity(&review);
            let id_text = id.to_string();
            let logged = recorded.get(&id_text);
            let pinned_hash = match (&review.entry_hash, logged) {
                (Some(h), _) => Some(h.clone()),
                (None, Some(h)) => h.clone(),
                (None, None) => current.clone(),
            };
            if let Some(a) = audit {
                if logged.is_some() {
                    sync.already_recorded += 1;
                } else if appended.insert(id_text) {
                    let mut input = id;
                    if let Some(obj) = input.as_object_mut() {
                        obj.insert("entry_hash".into(), json!(review.entry_hash));
                    }
                    a.store.append(NewRecord {
                        kind: REVIEW_KIND.to_owned(),
                        caller: a.caller.clone(),
                        input,
                        output: json!({
                            "entry_hash": pinned_hash,
                            "entry_found": current.is_some(),
                        }),
                        rules_version: a.rules_version.clone(),
                        lists: a.lists.clone(),
                        engine_version: a.engine_version.clone(),
                    })?;
                    sync.recorded += 1;
                } else {
                    sync.already_recorded += 1;
                }
            }
            let key = (review.customer_id.clone(), review.list.clone(), review.entry_id.clone());
            let pinned = PinnedReview { review, pinned_hash };
            match book.by_key.get(&key) {
                // Keep the later decision; on the same date, the later line.
                Some(old) if old.review.date > pinned.review.date => sync.superseded += 1,
                Some(_) => {
                    sync.superseded += 1;
                    book.customers.insert(key.0.clone());
                    book.by_key.insert(key, pinned);
                }
                None => {
                    book.customers.insert(key.0.clone());
                    book.by_key.insert(key, pinned);
                }
            }
        }
        Ok((book, sync))
    }

    /// Number of (customer, entry) decisions in force.
    pub fn len(&self) -> usize {
        self.by_key.len()
    }

    /// Whether there are no decisions.
    pub fn is_empty(&self) -> bool {
        self.by_key.is_empty()
    }

    /// Whether any decision concerns this customer (cheap pre-check per row).
    pub(crate) fn has_customer(&self, customer: &str) -> bool {
        self.customers.contains(customer)
    }

    /// How the review of (customer, entry), if any, bears on a hit whose entry now hashes to
    /// `now` (computed only when a review exists).
    pub(crate) fn state<'a>(
        &'a self,
        customer: &str,
        list: &ListId,
        entry_id: &str,
        now: &'a str,
    ) -> Option<ReviewState<'a>> {
        let p = self.by_key.get(&(customer.to_owned(), list.clone(), entry_id.to_owned()))?;
        Some(match p.review.decision {
            Decision::TrueMatch => ReviewState::TrueMatch(p),
            Decision::FalsePositive if p.pinned_hash.as_deref() == Some(now) => {
                ReviewState::Suppressed(p)
            }
            Decision::FalsePositive => ReviewState::Stale(p, now),
        })
    }

    /// Whether a review exists for (customer, list, entry).
    pub(crate) fn contains(&self, customer: &str, list: &ListId, entry_id: &str) -> bool {
        self.has_customer(customer)
            && self.by_key.contains_key(&(customer.to_owned(), list.clone(), entry_id.to_owned()))
    }
}
