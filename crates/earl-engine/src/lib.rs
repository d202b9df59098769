//! The earl engine: one value holding the rule data, the chip catalog, the list snapshot in
//! use and the screening index built from it. The CLI, the HTTP server and the bulk runner are
//! thin shells around [`Engine`]; everything they answer comes from here, stamped with the data
//! versions that produced it.
//!
//! Lists come from the snapshot compiled into the binary, overlaid by lists the user imported
//! into their data directory ([`data::DataDir`]).

pub mod data;
pub mod replay;
mod screening;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use earl_core::{
    Catalog, ChipRow, ChipSpec, Classification, Determination, InputError, RuleSet, TimelineRow,
    Transaction,
};
use earl_lists::{ListId, ListMeta, SnapshotSet};
use earl_screen::{Hit, Query, Screener};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

pub use data::DataDir;
pub use screening::ListScreener;

/// Errors loading or changing earl's data.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// Bundled or user data is invalid (names the file and record).
    #[error("{0}")]
    Data(String),
}

impl EngineError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        EngineError::Io { path: path.to_owned(), source }
    }
}

/// How to load the engine.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Data directory (see [`DataDir::resolve`]); `None` picks the default.
    pub data_dir: Option<PathBuf>,
    /// Ignore lists the user imported and use only the bundled snapshot.
    pub bundled_only: bool,
}

/// Provenance of one loaded list, as `earl lists` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct ListInfo {
    /// Metadata of the snapshot in use.
    #[serde(flatten)]
    pub meta: ListMeta,
    /// `bundled` or `imported` (from the user's data directory).
    pub origin: &'static str,
}

/// Rule-data and list versions, stamped on every answer and audit record.
#[derive(Debug, Clone, Serialize)]
pub struct DataVersions {
    /// Version of the rule data and chip catalog.
    pub rules_version: String,
    /// Lists in use.
    pub lists: Vec<earl_core::ListVersion>,
}

/// One screening request (CLI `earl screen`, `GET /v1/screen`, one line of a batch).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScreenRequest {
    /// Name to screen, any script. Also read from `query`, the key a batch answer echoes it
    /// under.
    #[serde(alias = "query")]
    pub name: String,
    /// Country of the party, ISO 3166 alpha-2 (a soft signal).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Date of the transaction (YYYY-MM-DD): entries listed after it do not hit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Maximum number of hits (1..=100, default 10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<usize>,
    /// Restrict to these list ids.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lists: Option<Vec<String>>,
}

/// Screening result for one name: `{"query": ..., "hits": [...]}`.
#[derive(Debug, Clone, Serialize)]
pub struct ScreenResponse {
    /// The name as given.
    pub query: String,
    /// Hits sorted by score, at most the limit.
    pub hits: Vec<Hit>,
}

/// A bad screening request: names the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("field `{field}`: {message}")]
pub struct RequestError {
    /// The offending field.
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

impl RequestError {
    fn new(field: &str, message: impl Into<String>) -> Self {
        RequestError { field: field.to_owned(), message: message.into() }
    }
}

/// Longest name accepted for screening, in characters. Longer input is not a party name.
pub const MAX_NAME_CHARS: usize = 500;

/// The loaded engine. Immutable and `Send + Sync`: share it behind an `Arc`.
pub struct Engine {
    rules: &'static RuleSet,
    catalog: &'static Catalog,
    lists: SnapshotSet,
    origins: Vec<(ListId, &'static str)>,
    kinds: Vec<(ListId, earl_lists::ListKind)>,
    screener: Arc<Screener>,
    versions: DataVersions,
    data_dir: DataDir,
    load_time: Duration,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("rules_version", &self.versions.rules_version)
            .field("lists", &self.lists.lists.len())
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// Load the bundled data and the user's imported lists, and build the screening index.
    pub fn load(opts: &LoadOptions) -> Result<Engine, EngineError> {
        let started = Instant::now();
        let data_dir = DataDir::resolve(opts.data_dir.as_deref());
        let mut lists = data::bundled_lists()
            .map_err(|e| EngineError::Data(format!("bundled list data: {e}")))?;
        let mut origins: Vec<(ListId, &'static str)> =
            lists.metas().map(|m| (m.id.clone(), "bundled")).collect();
        if !opts.bundled_only
            && let Some(overrides) = data_dir.overrides()?
        {
            for list in overrides.lists {
                let id = list.meta.id.clone();
                lists.upsert(list);
                origins.retain(|(i, _)| *i != id);
                origins.push((id, "imported"));
            }
        }
        Engine::build(lists, origins, data_dir, started)
    }

    /// An engine over exactly these lists (replay of an old decision, tests).
    pub fn with_lists(lists: SnapshotSet, data_dir: DataDir) -> Result<Engine, EngineError> {
        let origins = lists.metas().map(|m| (m.id.clone(), "given")).collect();
        Engine::build(lists, origins, data_dir, Instant::now())
    }

    fn build(
        lists: SnapshotSet,
        origins: Vec<(ListId, &'static str)>,
        data_dir: DataDir,
        started: Instant,
    ) -> Result<Engine, EngineError> {
        let rules =
            RuleSet::bundled_static().map_err(|e| EngineError::Data(format!("rule data: {e}")))?;
        let catalog = Catalog::bundled_static()
            .map_err(|e| EngineError::Data(format!("chip catalog: {e}")))?;
        let screener = Arc::new(Screener::new(&lists.lists));
        let versions = DataVersions {
            rules_version: rules_version(rules, catalog),
            lists: lists
                .metas()
                .map(|m| earl_core::ListVersion {
                    list: m.id.clone(),
                    as_of: m.as_of,
                    sha256: m.sha256.clone(),
                })
                .collect(),
        };
        let kinds = lists.metas().map(|m| (m.id.clone(), m.kind)).collect();
        Ok(Engine {
            rules,
            catalog,
            kinds,
            lists,
            origins,
            screener,
            versions,
            data_dir,
            load_time: started.elapsed(),
        })
    }

    /// The rule data.
    pub fn rules(&self) -> &RuleSet {
        self.rules
    }

    /// The chip catalog.
    pub fn catalog(&self) -> &Catalog {
        self.catalog
    }

    /// The list snapshot in use.
    pub fn lists(&self) -> &SnapshotSet {
        &self.lists
    }

    /// The screening index.
    pub fn screener(&self) -> &Arc<Screener> {
        &self.screener
    }

    /// The user data directory.
    pub fn data_dir(&self) -> &DataDir {
        &self.data_dir
    }

    /// Archive every list snapshot in use (by content hash) in the data directory, so that
    /// decisions recorded now can be replayed after the lists or the binary change.
    pub fn archive_in_use(&self) -> Result<(), EngineError> {
        for list in &self.lists.lists {
            self.data_dir.archive(list)?;
        }
        Ok(())
    }

    /// Time taken to load data and build the index.
    pub fn load_time(&self) -> Duration {
        self.load_time
    }

    /// Rule-data and list versions in use.
    pub fn data_versions(&self) -> &DataVersions {
        &self.versions
    }

    /// Provenance of every loaded list.
    pub fn list_info(&self) -> Vec<ListInfo> {
        self.lists
            .metas()
            .map(|m| ListInfo {
                meta: m.clone(),
                origin: self
                    .origins
                    .iter()
                    .find(|(id, _)| *id == m.id)
                    .map_or("bundled", |(_, o)| *o),
            })
            .collect()
    }

    /// Parse a transaction (JSON text) and determine it. Unusable input is an error that
    /// names the field; every usable input gets a determination.
    pub fn check_json(&self, text: &str) -> Result<Determination, InputError> {
        let tx = Transaction::from_json_with(text, self.catalog)?;
        Ok(self.check(&tx))
    }

    /// Determine a parsed transaction.
    pub fn check(&self, tx: &Transaction) -> Determination {
        let screener = ListScreener::new(&self.screener, &self.versions.lists, &self.kinds);
        earl_core::check(tx, self.rules, self.catalog, &screener)
    }

    /// Screen one name.
    pub fn screen(&self, req: &ScreenRequest) -> Result<ScreenResponse, RequestError> {
        let name = req.name.trim();
        if name.is_empty() {
            return Err(RequestError::new("name", "must not be empty"));
        }
        if name.chars().count() > MAX_NAME_CHARS {
            return Err(RequestError::new(
                "name",
                format!("longer than {MAX_NAME_CHARS} characters"),
            ));
        }
        let country = match req.country.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
            None => None,
            Some(c) => {
                let upper = c.to_ascii_uppercase();
                if !earl_lists::country::is_known_code(&upper) {
                    return Err(RequestError::new(
                        "country",
                        format!("`{c}` is not an ISO 3166 alpha-2 country code"),
                    ));
                }
                Some(upper)
            }
        };
        let date = match req.date.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
            None => None,
            Some(d) => Some(parse_date(d).ok_or_else(|| {
                RequestError::new("date", format!("`{d}` is not a valid YYYY-MM-DD date"))
            })?),
        };
        let limit = req.limit.unwrap_or(earl_screen::DEFAULT_LIMIT);
        if !(1..=100).contains(&limit) {
            return Err(RequestError::new("limit", "must be between 1 and 100"));
        }
        let lists: Option<Vec<ListId>> = match &req.lists {
            None => None,
            Some(ids) => {
                let mut out = Vec::with_capacity(ids.len());
                for id in ids {
                    let id = ListId(id.clone());
                    if self.lists.get(&id).is_none() {
                        return Err(RequestError::new(
                            "lists",
                            format!("unknown list `{id}` (see `earl lists`)"),
                        ));
                    }
                    out.push(id);
                }
                Some(out)
            }
        };
        let query = Query {
            name,
            country: country.as_deref(),
            date,
            lists: lists.as_deref(),
            entity_type: None,
            limit,
        };
        Ok(ScreenResponse { query: req.name.clone(), hits: self.screener.screen(&query) })
    }

    /// Classify a catalog product on a date.
    pub fn classify_product(&self, id: &str, date: Date) -> Result<Classification, InputError> {
        let chip = self.catalog.get(id).ok_or_else(|| {
            let close = self.catalog.close_ids(id);
            InputError {
                field: "product".to_owned(),
                message: if close.is_empty() {
                    format!("unknown product `{id}` (see `earl chips`)")
                } else {
                    format!("unknown product `{id}`; did you mean {}?", close.join(", "))
                },
            }
        })?;
        Ok(earl_core::classify::classify_chip(self.rules, &chip.spec, date, "product"))
    }

    /// Parse a chip spec (JSON object with the fields of a transaction's `chip` item) and
    /// classify it on `date`. Errors name the field, e.g. `chip.tops.fp8`.
    pub fn classify_spec_json(&self, text: &str, date: Date) -> Result<Classification, InputError> {
        let spec: serde_json::Value = serde_json::from_str(text).map_err(|e| InputError {
            field: "chip".to_owned(),
            message: format!("not valid JSON: {e}"),
        })?;
        // Parse through the transaction parser so a spec is validated exactly as in `check`.
        let wrapped = serde_json::json!({
            "date": date.to_string(),
            "destination": "CN",
            "items": [{"chip": spec}],
        });
        let tx = Transaction::from_value(&wrapped, self.catalog).map_err(|e| InputError {
            field: e.field.replacen("items[0].chip", "chip", 1),
            message: e.message,
        })?;
        let chip = tx.items.first().and_then(|i| i.chip.as_ref()).ok_or_else(|| InputError {
            field: "chip".to_owned(),
            message: "no chip facts given".to_owned(),
        })?;
        Ok(self.classify_spec(chip, date))
    }

    /// Classify a chip spec on a date.
    pub fn classify_spec(&self, spec: &ChipSpec, date: Date) -> Classification {
        self.rules.classify_spec(spec, date)
    }

    /// Every catalog chip classified on `date`.
    pub fn chips(&self, date: Date) -> Vec<ChipRow> {
        self.catalog.chips(self.rules, date)
    }

    /// When each catalog chip became controlled for China, and by which rule.
    pub fn timeline(&self) -> Vec<TimelineRow> {
        self.catalog.timeline(self.rules)
    }
}

/// Parse a `YYYY-MM-DD` date.
pub fn parse_date(s: &str) -> Option<Date> {
    s.trim().parse::<Date>().ok().filter(|_| s.trim().len() == 10)
}

/// Map `f` over `items` on all cores, keeping input order.
pub fn par_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync + Send) -> Vec<R> {
    use rayon::prelude::*;
    items.par_iter().map(f).collect()
}

/// The rule-data version stamped on answers: the rules' label plus the first 12 hex digits of
/// the combined SHA-256 of rule files and chip catalog (as in each determination's `data`).
pub fn rules_version(rules: &RuleSet, catalog: &Catalog) -> String {
    let sha = earl_core::data_sha256(rules, catalog);
    format!("{}+{}", rules.label, sha.get(..12).unwrap_or(""))
}
