//! The list data model shared by importers, the screening engine and the rules engine.
//!
//! Every importer maps its source format onto these types, so the rest of earl never sees
//! list-specific layouts. Export-control semantics (listing date, Federal Register citations,
//! license requirement and policy, footnotes, related parties) are fields, not text blobs.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// Identifier of one list, e.g. `us_bis_entity_list`. Stable across snapshots of that list.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ListId(pub String);

impl ListId {
    /// The id as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for ListId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for ListId {
    fn from(s: &str) -> Self {
        ListId(s.to_owned())
    }
}

/// What kind of list this is; the rules engine keys its legal effect on this, not on the id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListKind {
    /// BIS Entity List, Supplement No. 4 to 15 CFR Part 744.
    EntityList,
    /// BIS Military End-User List, Supplement No. 7 to 15 CFR Part 744.
    MilitaryEndUser,
    /// BIS Denied Persons List (denial orders under 15 CFR Part 766).
    DeniedPersons,
    /// BIS Unverified List, Supplement No. 6 to 15 CFR Part 744.
    Unverified,
    /// OFAC Specially Designated Nationals and Blocked Persons List.
    OfacSdn,
    /// OFAC consolidated non-SDN lists (NS-CMIC, SSI, NS-PLC, ...).
    OfacNonSdn,
    /// UN Security Council Consolidated List.
    UnConsolidated,
    /// trade.gov Consolidated Screening List (rows keep their own source list).
    Consolidated,
    /// China MOFCOM Unreliable Entity List.
    CnUnreliableEntity,
    /// China MOFCOM export control control list.
    CnExportControl,
    /// China MOFCOM attention list.
    CnAttention,
    /// Japan METI Foreign End-User List.
    JpEndUser,
    /// Any other list (OpenSanctions datasets, State, DHS, DoD lists, in-house lists).
    Other,
}

/// What sort of party an entry describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityType {
    /// A company, institute, agency or other organisation.
    Organization,
    /// A natural person.
    Person,
    /// A ship.
    Vessel,
    /// An aircraft.
    Aircraft,
    /// The list does not say.
    #[default]
    Unknown,
}

/// How an alternative name relates to the entry's main name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AliasKind {
    /// "also known as".
    #[default]
    Aka,
    /// "formerly known as".
    Fka,
    /// A weak alias (OFAC "weak aka"): low-quality, screen with care.
    Weak,
    /// The name in its original (non-Latin) script, e.g. Chinese characters.
    OriginalScript,
    /// A translation of the name given by the list.
    Translation,
}

/// An alternative name of an entry.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Alias {
    /// The alias as the list writes it.
    pub name: String,
    /// What kind of alias it is.
    #[serde(default, skip_serializing_if = "is_default")]
    pub kind: AliasKind,
}

/// A Federal Register citation of an entry, e.g. `88 FR 71992, 10/19/23`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FrCitation {
    /// Volume and page, e.g. `88 FR 71992`.
    pub cite: String,
    /// Publication date, when the list gives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<Date>,
}

/// How a related party is tied to the listed entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// A subordinate institution named in the entry (the entry covers it).
    Subordinate,
    /// An affiliate, subsidiary or branch named in the entry (the entry covers it).
    Affiliate,
    /// "and any successor, sub-unit, or subsidiary thereof" style clause without a name.
    SuccessorClause,
    /// Linked to, but not covered by, the entry.
    LinkedTo,
}

/// A party named inside an entry (e.g. the affiliates listed under Huawei).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Related {
    /// Name of the related party (empty for a bare successor clause).
    pub name: String,
    /// How it relates.
    pub relation: Relation,
    /// Address given for it, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
}

/// An identifying document or number (passport, registration, IMO, ...).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Identifier {
    /// Kind of identifier as the list names it.
    pub kind: String,
    /// The value.
    pub value: String,
    /// Issuing country (ISO alpha-2), if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

/// One entry of a restricted-party list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// Identifier of the entry, unique within its list and stable across snapshots where the
    /// source provides one (OFAC ent_num, UN reference number); otherwise derived from the
    /// country and main name.
    pub id: String,
    /// The list this entry belongs to.
    pub list: ListId,
    /// Kind of party.
    #[serde(default, skip_serializing_if = "is_default")]
    pub entity_type: EntityType,
    /// The entry's own name, as the list writes it.
    pub name: String,
    /// Alternative names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<Alias>,
    /// Country of the entry (ISO 3166 alpha-2, `XK` style user codes allowed) when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Addresses as the list writes them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<String>,
    /// Sanctions programmes or list sub-sections (OFAC programs, CSL source, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub programs: Vec<String>,
    /// Date from which the entry applies (its first Federal Register publication for BIS
    /// lists). `None` when the source does not say; the rules engine then treats the entry as
    /// in force (fail closed) and says so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listed_on: Option<Date>,
    /// Date after which the entry no longer applies (removal, expiry), if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delisted_on: Option<Date>,
    /// Federal Register citations, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub federal_register: Vec<FrCitation>,
    /// License requirement column (Entity List) as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license_requirement: Option<String>,
    /// License review policy column (Entity List) as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license_policy: Option<String>,
    /// Entity List footnotes attached to the entry (1, 3, 4, 5: foreign-direct-product rules).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub footnotes: Vec<u8>,
    /// Subordinate institutions, affiliates and successor clauses named in the entry.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<Related>,
    /// Identifiers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub identifiers: Vec<Identifier>,
    /// Dates of birth as written (persons).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dates_of_birth: Vec<String>,
    /// Nationalities (ISO alpha-2 where known).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nationalities: Vec<String>,
    /// Free-text remarks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remarks: Option<String>,
    /// Link to the source record, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_url: Option<String>,
}

impl Entry {
    /// A new entry with just an id, list and name; importers fill in the rest.
    pub fn new(list: ListId, id: impl Into<String>, name: impl Into<String>) -> Self {
        Entry {
            id: id.into(),
            list,
            entity_type: EntityType::Unknown,
            name: name.into(),
            aliases: Vec::new(),
            country: None,
            addresses: Vec::new(),
            programs: Vec::new(),
            listed_on: None,
            delisted_on: None,
            federal_register: Vec::new(),
            license_requirement: None,
            license_policy: None,
            footnotes: Vec::new(),
            related: Vec::new(),
            identifiers: Vec::new(),
            dates_of_birth: Vec::new(),
            nationalities: Vec::new(),
            remarks: None,
            source_url: None,
        }
    }

    /// Whether the entry applies on `date`: listed on or before it (or listing date unknown)
    /// and not delisted by then.
    pub fn in_force_on(&self, date: Date) -> bool {
        let started = self.listed_on.is_none_or(|d| d <= date);
        let not_ended = self.delisted_on.is_none_or(|d| d > date);
        started && not_ended
    }

    /// All names of the entry: the main name first, then aliases.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.name.as_str()).chain(self.aliases.iter().map(|a| a.name.as_str()))
    }
}

/// Provenance and version of one list snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListMeta {
    /// Stable id of the list.
    pub id: ListId,
    /// Legal kind of the list.
    pub kind: ListKind,
    /// Official title.
    pub title: String,
    /// Publishing authority, e.g. `US Department of Commerce, BIS`.
    pub authority: String,
    /// Where the data came from (upstream file, repository and commit, or user import path).
    pub source: String,
    /// Official URL of the list, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_url: Option<String>,
    /// Date the snapshot describes (the list "as of" this date).
    pub as_of: Date,
    /// SHA-256 (hex) of the canonical snapshot content (see [`crate::snapshot`]), so a
    /// determination can name exactly the data it used.
    pub sha256: String,
    /// SHA-256 (hex) of the source file the snapshot was imported from, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_sha256: Option<String>,
    /// Number of entries.
    pub entry_count: usize,
    /// Format the snapshot was imported from (importer name).
    pub format: String,
    /// License or reuse terms of the data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license: Option<String>,
    /// Caveats a user should know (extraction artefacts, missing columns, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// One list at one point in time: its provenance and its entries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListSnapshot {
    /// Provenance and version.
    pub meta: ListMeta,
    /// The entries, in source order.
    pub entries: Vec<Entry>,
}

fn is_default<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}
