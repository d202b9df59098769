//! License determination for US export controls on advanced AI chips: dated rules as data,
//! chip classification (ECCN 3A090) and the decision.
//!
//! Everything here is pure: rule data and the chip catalog are embedded with
//! `include_str!`, parsed and validated at start-up ([`RuleSet::bundled`],
//! [`Catalog::bundled`]); [`check`] is a function of its arguments.
//!
//! ```
//! use earl_core::{Catalog, RuleSet, SimpleScreener, Transaction, check};
//! let rules = RuleSet::bundled().unwrap();
//! let catalog = Catalog::bundled().unwrap();
//! let tx = Transaction::from_json(r#"{"date": "2024-06-01", "destination": "CN",
//!     "items": [{"product": "nvidia-h100-sxm"}]}"#).unwrap();
//! let d = check(&tx, &rules, &catalog, &SimpleScreener::new());
//! assert_eq!(d.verdict.as_str(), "license_required");
//! ```

pub mod catalog;
pub mod classify;
pub mod dec;
pub mod determine;
pub mod input;
pub mod output;
pub mod rules;
pub mod screen;
pub mod timeline;

pub use catalog::{Catalog, CatalogChip, CatalogError};
pub use classify::{Candidate, Classification, Missing, Tier};
pub use determine::{check, data_sha256};
pub use input::{
    ChipSpec, EndUse, Exporter, ExporterKind, HbmSpec, InputError, Item, PackagedBy, Party, Role,
    Transaction,
};
pub use output::{Determination, Effect, ItemResult, PartyResult, Reason, Verdict};
pub use rules::{Evidence, Policy, RuleDataError, RuleMeta, RuleSet};
pub use screen::{ListVersion, NoScreener, PartyHit, PartyScreener, SimpleScreener};
pub use timeline::{ChipRow, TimelineRow, chips_to_text, timeline_to_text};

/// Classify a chip spec on a date with the bundled rules (see [`RuleSet::classify_spec`]).
pub fn classify_spec(
    spec: &ChipSpec,
    date: jiff::civil::Date,
) -> Result<Classification, RuleDataError> {
    Ok(RuleSet::bundled_static()?.classify_spec(spec, date))
}

impl RuleSet {
    /// Classify a chip spec on a date, showing the arithmetic.
    pub fn classify_spec(&self, spec: &ChipSpec, date: jiff::civil::Date) -> Classification {
        classify::classify_chip(self, spec, date, "chip")
    }
}
