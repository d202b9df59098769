//! Party screening for earl: multilingual name normalisation (Chinese first), an in-memory
//! index over restricted-party lists, explainable weighted token-alignment scoring.
//!
//! ```
//! use earl_lists::model::{Entry, ListId};
//! use earl_screen::{Query, Screener};
//! use std::sync::Arc;
//!
//! let e = Entry::new(ListId::from("us_bis_entity_list"), "1", "Huawei Technologies Co., Ltd.");
//! let screener = Screener::from_entries(vec![Arc::new(e)]);
//! let hits = screener.screen(&Query::new("华为技术有限公司"));
//! assert!(hits[0].alert);
//! ```
//!
//! The pipeline and its measured quality and speed are described in `docs/SCREENING.md`.

mod blocking;
mod explain;
mod han;
mod normalize;
mod person;
mod prepare;
mod romanisation;
mod score;
mod screener;
mod tables;

pub use explain::{
    AlignedPair, CountryNote, Explanation, LegalFormNote, MatchKind, TokenRole, Unmatched,
};
pub use screener::{
    AnalysedName, CandidateGate, DEFAULT_ALERT_THRESHOLD, DEFAULT_LIMIT, Hit, IndexStats, Query,
    Screener,
};

/// Comparable token forms of a name as the screener reads it (legal forms removed; Chinese
/// segmented, romanised or translated), e.g. `华为技术有限公司` -> `["huawei", "technology"]`.
pub fn name_tokens(name: &str) -> Vec<String> {
    prepare::analyze(name).tokens.into_iter().map(|t| t.form).collect()
}
