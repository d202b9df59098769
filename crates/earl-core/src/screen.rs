//! Party screening interface. The real engine (earl-screen) implements [`PartyScreener`];
//! [`SimpleScreener`] is a small exact/alias matcher for tests and as a fallback.

use earl_lists::{Entry, ListId, ListKind};
use jiff::civil::Date;
use serde::Serialize;

/// A list hit for one party.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartyHit {
    /// List the entry is on.
    pub list: ListId,
    /// Legal kind of that list.
    pub kind: ListKind,
    /// The entry.
    pub entry: Entry,
    /// The entry name or alias that matched.
    pub matched_name: String,
    /// Match score in [0, 1].
    pub score: f64,
    /// Whether the screener considers this an alert (counts for the determination).
    pub alert: bool,
    /// How the match was made.
    pub explanation: serde_json::Value,
}

/// Version of one list a screener uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListVersion {
    /// List id.
    pub list: ListId,
    /// Snapshot date.
    pub as_of: Date,
    /// SHA-256 of the snapshot.
    pub sha256: String,
}

/// Screens party names against restricted-party lists.
pub trait PartyScreener {
    /// Hits for a party name (and its country, if known) on a date.
    fn screen_party(&self, name: &str, country: Option<&str>, date: Date) -> Vec<PartyHit>;
    /// The lists screened, with their versions.
    fn lists(&self) -> Vec<ListVersion>;
}

/// A screener with no lists (every party is clear); use only where screening is done
/// elsewhere, the determination still reports that no list was screened.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoScreener;

impl PartyScreener for NoScreener {
    fn screen_party(&self, _: &str, _: Option<&str>, _: Date) -> Vec<PartyHit> {
        Vec::new()
    }

    fn lists(&self) -> Vec<ListVersion> {
        Vec::new()
    }
}

/// Test and fallback screener: exact match of normalised names and aliases (lower case,
/// punctuation removed, whitespace collapsed). No fuzzy matching, no transliteration.
#[derive(Debug, Clone, Default)]
pub struct SimpleScreener {
    lists: Vec<(ListId, ListKind, ListVersion)>,
    entries: Vec<(ListKind, Entry)>,
}

/// Normalise a name for exact comparison.
pub fn normalise_name(s: &str) -> String {
    let mut out = String::new();
    let mut space = false;
    for ch in s.chars() {
        if ch.is_alphanumeric() {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.extend(ch.to_lowercase());
        } else {
            space = true;
        }
    }
    out
}

impl SimpleScreener {
    /// An empty screener.
    pub fn new() -> SimpleScreener {
        SimpleScreener::default()
    }

    /// Add a list with its entries.
    pub fn add_list(
        &mut self,
        list: ListId,
        kind: ListKind,
        as_of: Date,
        sha256: impl Into<String>,
        entries: Vec<Entry>,
    ) {
        self.lists.push((list.clone(), kind, ListVersion { list, as_of, sha256: sha256.into() }));
        self.entries.extend(entries.into_iter().map(|e| (kind, e)));
    }
}

impl PartyScreener for SimpleScreener {
    fn screen_party(&self, name: &str, country: Option<&str>, _date: Date) -> Vec<PartyHit> {
        let wanted = normalise_name(name);
        if wanted.is_empty() {
            return Vec::new();
        }
        let mut hits = Vec::new();
        for (kind, e) in &self.entries {
            if let Some(matched) = e.names().find(|n| normalise_name(n) == wanted) {
                let country_differs =
                    matches!((country, e.country.as_deref()), (Some(a), Some(b)) if a != b);
                hits.push(PartyHit {
                    list: e.list.clone(),
                    kind: *kind,
                    entry: e.clone(),
                    matched_name: matched.to_owned(),
                    score: if country_differs { 0.9 } else { 1.0 },
                    alert: true,
                    explanation: serde_json::json!({
                        "method": "exact match of normalised name or alias (SimpleScreener)",
                        "country_differs": country_differs,
                    }),
                });
            }
        }
        hits
    }

    fn lists(&self) -> Vec<ListVersion> {
        self.lists.iter().map(|(_, _, v)| v.clone()).collect()
    }
}
