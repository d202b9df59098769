//! Adapter: the screening engine as the rules engine's [`PartyScreener`].

use earl_core::{ListVersion, PartyHit, PartyScreener};
use earl_lists::{ListId, ListKind};
use earl_screen::{Query, Screener};
use jiff::civil::Date;

/// Hits per party handed to the rules engine: enough to see every alerting entry of a big
/// group (e.g. a parent and its listed subsidiaries), bounded so answers stay readable.
const HITS_PER_PARTY: usize = 10;

/// Screens parties with the real screening engine.
pub struct ListScreener<'a> {
    screener: &'a Screener,
    versions: &'a [ListVersion],
    kinds: &'a [(ListId, ListKind)],
}

impl<'a> ListScreener<'a> {
    /// Screen with `screener`, reporting `versions` as the lists used; `kinds` gives each
    /// list's legal kind, which decides what a hit means for the determination.
    pub fn new(
        screener: &'a Screener,
        versions: &'a [ListVersion],
        kinds: &'a [(ListId, ListKind)],
    ) -> Self {
        ListScreener { screener, versions, kinds }
    }

    fn kind(&self, list: &ListId) -> ListKind {
        // A list the engine did not load cannot produce hits; `Other` keeps it informational.
        self.kinds.iter().find(|(id, _)| id == list).map_or(ListKind::Other, |(_, k)| *k)
    }
}

impl PartyScreener for ListScreener<'_> {
    fn screen_party(&self, name: &str, country: Option<&str>, date: Date) -> Vec<PartyHit> {
        let query = Query {
            name,
            country,
            date: Some(date),
            lists: None,
            entity_type: None,
            limit: HITS_PER_PARTY,
        };
        self.screener
            .screen(&query)
            .into_iter()
            .map(|hit| PartyHit {
                list: hit.list.clone(),
                kind: self.kind(&hit.list),
                explanation: serde_json::to_value(&hit.explanation)
                    .unwrap_or(serde_json::Value::Null),
                matched_name: hit.matched_name,
                score: hit.score,
                alert: hit.alert,
                entry: (*hit.entry).clone(),
            })
            .collect()
    }

    fn lists(&self) -> Vec<ListVersion> {
        self.versions.to_vec()
    }
}
