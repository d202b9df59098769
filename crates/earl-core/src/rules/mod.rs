//! Rules as data: the records of `data/rules/*.toml`, loaded, validated and indexed by date.
//!
//! Every record carries `id`, `effective`, optional `until`, `citation`, `source`,
//! `evidence` and `note`; area-specific fields follow. Loading rejects overlapping
//! vintages, unknown country codes and groups, missing citations, bad dates and unknown
//! fields, naming the file and record.

mod raw;

use crate::dec::Dec;
use jiff::civil::Date;
use raw::{Rec, records};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// The bundled rule files, embedded at build time.
pub const BUNDLED_FILES: &[(&str, &str)] = &[
    ("general.toml", include_str!("../../../../data/rules/general.toml")),
    ("thresholds_3a090.toml", include_str!("../../../../data/rules/thresholds_3a090.toml")),
    ("country_groups.toml", include_str!("../../../../data/rules/country_groups.toml")),
    ("destinations.toml", include_str!("../../../../data/rules/destinations.toml")),
    ("exceptions.toml", include_str!("../../../../data/rules/exceptions.toml")),
    ("end_uses.toml", include_str!("../../../../data/rules/end_uses.toml")),
    ("informed_letters.toml", include_str!("../../../../data/rules/informed_letters.toml")),
    ("foundry.toml", include_str!("../../../../data/rules/foundry.toml")),
    ("review_policies.toml", include_str!("../../../../data/rules/review_policies.toml")),
    ("ai_diffusion.toml", include_str!("../../../../data/rules/ai_diffusion.toml")),
    ("parties.toml", include_str!("../../../../data/rules/parties.toml")),
];

/// Country groups the advanced-computing rules use.
pub const KNOWN_GROUPS: &[&str] = &["A:5", "A:6", "D:1", "D:4", "D:5"];

/// A rule data file is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {record}: {message}")]
pub struct RuleDataError {
    /// File name, e.g. `destinations.toml`.
    pub file: String,
    /// The record, e.g. "[[scope]] `destinations.2023`".
    pub record: String,
    /// What is wrong.
    pub message: String,
}

/// Reliability of a fact (see the header of `data/rules/general.toml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Evidence {
    /// Verbatim regulatory text.
    V,
    /// Primary-source fact read through a reproduction.
    P,
    /// Secondary source.
    S,
    /// earl's inference or interpretation.
    I,
    /// Unverified.
    U,
}

impl Evidence {
    fn parse(s: &str) -> Option<Evidence> {
        match s {
            "V" => Some(Evidence::V),
            "P" => Some(Evidence::P),
            "S" => Some(Evidence::S),
            "I" => Some(Evidence::I),
            "U" => Some(Evidence::U),
            _ => None,
        }
    }

    /// Whether a reason resting on this evidence counts as verified (V, P or S).
    pub fn verified(self) -> bool {
        matches!(self, Evidence::V | Evidence::P | Evidence::S)
    }

    /// The one-letter label.
    pub fn label(self) -> &'static str {
        match self {
            Evidence::V => "V",
            Evidence::P => "P",
            Evidence::S => "S",
            Evidence::I => "I",
            Evidence::U => "U",
        }
    }
}

/// The fields every rule record has.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleMeta {
    /// Stable id, cited by reasons.
    pub id: String,
    /// File the record came from.
    pub file: String,
    /// First day the rule applies.
    pub effective: Date,
    /// Last day the rule applies, if it ended.
    pub until: Option<Date>,
    /// CFR paragraph.
    pub citation: String,
    /// Federal Register document or other source.
    pub source: String,
    /// Reliability label.
    pub evidence: Evidence,
    /// Short note.
    pub note: String,
}

impl RuleMeta {
    /// Whether the rule applies on `date`.
    pub fn in_force(&self, date: Date) -> bool {
        self.effective <= date && self.until.is_none_or(|u| date <= u)
    }

    fn end(&self) -> Date {
        self.until.unwrap_or(Date::MAX)
    }

    fn overlaps(&self, other: &RuleMeta) -> bool {
        self.effective <= other.end() && other.effective <= self.end()
    }
}

/// 3A090 threshold scheme of a vintage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// Oct 2022: TPP and interconnect.
    TppIo,
    /// Oct 2023: TPP and performance density, tiers .a and .b.
    TppPd,
}

/// 3A090 IC thresholds of one vintage.
#[derive(Debug, Clone)]
pub struct IcThresholds {
    /// Common fields.
    pub meta: RuleMeta,
    /// Scheme.
    pub scheme: Scheme,
    /// TPP for 3A090.a.1 (or 3A090 in 2022).
    pub tpp_a: Dec,
    /// 2022: minimum aggregate bidirectional transfer rate in GB/s.
    pub io_gbps: Option<Dec>,
    /// a.2 TPP minimum.
    pub tpp_a2: Option<Dec>,
    /// a.2 performance density minimum.
    pub pd_a2: Option<Dec>,
    /// b.1 TPP minimum (below `tpp_a`).
    pub tpp_b1: Option<Dec>,
    /// b.1 density minimum (below `pd_a2`).
    pub pd_b1: Option<Dec>,
    /// b.2 TPP minimum.
    pub tpp_b2: Option<Dec>,
    /// b.2 density minimum (below `pd_a2`).
    pub pd_b2: Option<Dec>,
}

/// A dated number-carrying record (Note 2 TPP, HBM density).
#[derive(Debug, Clone)]
pub struct Threshold {
    /// Common fields.
    pub meta: RuleMeta,
    /// The number.
    pub value: Dec,
}

/// Bit length of a set of precisions.
#[derive(Debug, Clone)]
pub struct Precision {
    /// Common fields.
    pub meta: RuleMeta,
    /// Precision names as used in input (`fp8`, `int8`, ...).
    pub names: Vec<String>,
    /// Bit length.
    pub bits: u32,
}

/// Membership of countries in a country group.
#[derive(Debug, Clone)]
pub struct Membership {
    /// Common fields.
    pub meta: RuleMeta,
    /// Group, e.g. `D:5`.
    pub group: String,
    /// ISO alpha-2 codes.
    pub countries: Vec<String>,
}

/// Destination scope of the licence requirement for an item family.
#[derive(Debug, Clone)]
pub struct Scope {
    /// Common fields.
    pub meta: RuleMeta,
    /// Item family: `3A090` (2022), `ac` or `3A090.c`.
    pub items: String,
    /// Groups whose members are in scope.
    pub groups: Vec<String>,
    /// Groups whose members are excluded.
    pub except_groups: Vec<String>,
    /// Countries always in scope.
    pub countries: Vec<String>,
}

/// Headquarters-based licence requirement.
#[derive(Debug, Clone)]
pub struct HqRule {
    /// Common fields.
    pub meta: RuleMeta,
    /// Tiers covered: `a`, `b`, `c`.
    pub tiers: Vec<String>,
    /// Scope record whose destinations are not covered (empty: none excluded).
    pub outside: Option<String>,
}

/// License Exception NAC or ACA of one vintage.
#[derive(Debug, Clone)]
pub struct ExceptionRule {
    /// Common fields.
    pub meta: RuleMeta,
    /// `NAC` or `ACA`.
    pub name: String,
    /// Where it authorises: `d1_d4`, `macau_d5`, `hq_entity`.
    pub applies_to: Vec<String>,
    /// Where prior notification is required.
    pub notify_for: Vec<String>,
    /// Days of prior notification.
    pub notification_days: u32,
}

/// License Exception HBM.
#[derive(Debug, Clone)]
pub struct HbmException {
    /// Common fields.
    pub meta: RuleMeta,
    /// Exception name.
    pub name: String,
    /// Memory bandwidth density must be below this.
    pub density_lt: Dec,
    /// Groups (besides the US) where the exporter may be headquartered.
    pub exporter_hq_groups: Vec<String>,
    /// Conditions the exporter must meet that earl does not check.
    pub conditions: Vec<String>,
}

/// Item scope of an end-use control.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemScope {
    /// Any item subject to the EAR.
    All,
    /// Items on the CCL (not EAR99).
    Ccl,
    /// ECCN families listed.
    List(Vec<String>),
}

/// An end-use control.
#[derive(Debug, Clone)]
pub struct EndUseRule {
    /// Common fields.
    pub meta: RuleMeta,
    /// End use named in the input (`supercomputer`, ...).
    pub end_use: String,
    /// Destination countries.
    pub countries: Vec<String>,
    /// Destination groups.
    pub groups: Vec<String>,
    /// Applies to Macau/D:5-headquartered parties anywhere.
    pub hq_entity: bool,
    /// Items covered.
    pub items: ItemScope,
}

/// An is-informed letter.
#[derive(Debug, Clone)]
pub struct Letter {
    /// Common fields.
    pub meta: RuleMeta,
    /// Company the letter was addressed to.
    pub addressee: String,
    /// Destination countries.
    pub countries: Vec<String>,
    /// Destination groups.
    pub groups: Vec<String>,
    /// Catalog products named.
    pub products: Vec<String>,
    /// Designers (lower case) whose other chips the bandwidth tests reach.
    pub designers: Vec<String>,
    /// Memory bandwidth reached (>=), GB/s.
    pub min_memory_gbps: Option<Dec>,
    /// Interconnect bandwidth reached (>=), GB/s.
    pub min_interconnect_gbps: Option<Dec>,
    /// Exporter names (normalised, lower case) the letter binds.
    pub exporter_names: Vec<String>,
    /// Process node scope (nm, <=).
    pub max_process_nm: Option<Dec>,
}

/// A review policy for advanced-computing licences.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Policy {
    /// Presumption of approval (least strict).
    PresumptionOfApproval,
    /// Case-by-case.
    CaseByCase,
    /// Presumption of denial (strictest).
    PresumptionOfDenial,
}

impl Policy {
    /// The snake_case name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Policy::PresumptionOfApproval => "presumption_of_approval",
            Policy::CaseByCase => "case_by_case",
            Policy::PresumptionOfDenial => "presumption_of_denial",
        }
    }

    fn parse(s: &str) -> Option<Policy> {
        match s {
            "presumption_of_approval" => Some(Policy::PresumptionOfApproval),
            "case_by_case" => Some(Policy::CaseByCase),
            "presumption_of_denial" => Some(Policy::PresumptionOfDenial),
            _ => None,
        }
    }
}

/// A record that only names a policy.
#[derive(Debug, Clone)]
pub struct PolicyRecord {
    /// Common fields.
    pub meta: RuleMeta,
    /// The policy.
    pub policy: Policy,
}

/// The foundry / OSAT presumption.
#[derive(Debug, Clone)]
pub struct FoundryPresumption {
    /// Common fields.
    pub meta: RuleMeta,
    /// Compliance date.
    pub compliance: Date,
    /// Node at or below which a logic IC is "applicable advanced".
    pub max_process_nm: Dec,
}

/// A transistor-count attestation test.
#[derive(Debug, Clone)]
pub struct TransistorTest {
    /// Common fields.
    pub meta: RuleMeta,
    /// Count must be below this many billion.
    pub below_billion: Dec,
    /// The packaged IC must not contain HBM.
    pub requires_no_hbm: bool,
    /// First calendar year of completion covered.
    pub year_from: i16,
    /// Last calendar year covered (none: open).
    pub year_to: Option<i16>,
}

/// The 2026 China/Macau case-by-case zone.
#[derive(Debug, Clone)]
pub struct Zone {
    /// Common fields.
    pub meta: RuleMeta,
    /// Destinations.
    pub countries: Vec<String>,
    /// TPP must be below this.
    pub tpp_lt: Dec,
    /// Total DRAM bandwidth must be below this (GB/s).
    pub dram_gbps_lt: Dec,
    /// Certifications required.
    pub conditions: Vec<String>,
}

/// The AI Diffusion framework records.
#[derive(Debug, Clone)]
pub struct Framework {
    /// Common fields.
    pub meta: RuleMeta,
    /// Whether earl applies it (never, for the framework itself).
    pub enforced: bool,
    /// Compliance date.
    pub compliance: Option<Date>,
    /// Date BIS announced non-enforcement.
    pub nonenforcement_announced: Option<Date>,
}

/// Legal effect of a list kind.
#[derive(Debug, Clone)]
pub struct ListRule {
    /// Common fields.
    pub meta: RuleMeta,
    /// List kind (snake_case of `earl_lists::ListKind`, or `other`).
    pub kind: String,
}

/// All rule data, validated.
#[derive(Debug, Clone)]
pub struct RuleSet {
    /// Human label of the data set, e.g. `2026.11.1`.
    pub label: String,
    /// Date up to which the rules were researched.
    pub data_as_of: Date,
    /// SHA-256 (hex) over all rule files (see [`RuleSet::from_files`]).
    pub sha256: String,
    records: BTreeMap<String, RuleMeta>,
    /// 3A090 IC thresholds by vintage.
    pub ic: Vec<IcThresholds>,
    /// Note 2 (datacenter carve-out).
    pub note2: Vec<Threshold>,
    /// 3A090.c HBM density threshold.
    pub hbm: Vec<Threshold>,
    /// Precision bit lengths.
    pub precisions: Vec<Precision>,
    /// Country-group memberships.
    pub memberships: Vec<Membership>,
    /// Destination scopes.
    pub scopes: Vec<Scope>,
    /// Headquarters requirements.
    pub hq: Vec<HqRule>,
    /// NAC / ACA.
    pub exceptions: Vec<ExceptionRule>,
    /// Exception restrictions (citation records).
    pub restrictions: Vec<RuleMeta>,
    /// License Exception HBM.
    pub hbm_exception: Vec<HbmException>,
    /// End-use controls.
    pub end_uses: Vec<EndUseRule>,
    /// Is-informed letters.
    pub letters: Vec<Letter>,
    /// Review policy assumed for letters.
    pub letter_policy: Vec<PolicyRecord>,
    /// Foundry presumption.
    pub foundry: Vec<FoundryPresumption>,
    /// Foundry transistor tests.
    pub transistor_tests: Vec<TransistorTest>,
    /// Review-policy sets (744.23(d) vintages).
    pub policy_sets: Vec<RuleMeta>,
    /// 2026 case-by-case zone.
    pub zones: Vec<Zone>,
    /// AI Diffusion records.
    pub frameworks: Vec<Framework>,
    /// List effects.
    pub list_rules: Vec<ListRule>,
    /// General records.
    pub general: Vec<RuleMeta>,
}

fn known_country(code: &str) -> bool {
    earl_lists::country::is_known_code(code)
}

struct Loader<'a> {
    file: &'a str,
    doc: toml::Table,
}

impl<'a> Loader<'a> {
    fn each<T>(
        &self,
        kind: &str,
        mut f: impl FnMut(&mut Rec<'_>, RuleMeta) -> Result<T, RuleDataError>,
    ) -> Result<Vec<T>, RuleDataError> {
        let mut out = Vec::new();
        for (i, table) in records(self.file, &self.doc, kind)?.into_iter().enumerate() {
            let mut rec = Rec::new(self.file, kind, i, table);
            let meta = common(&mut rec)?;
            let v = f(&mut rec, meta)?;
            rec.finish()?;
            out.push(v);
        }
        Ok(out)
    }
}

fn common(rec: &mut Rec<'_>) -> Result<RuleMeta, RuleDataError> {
    let id = rec.str("id")?;
    let effective = rec.date("effective")?;
    let until = rec.opt_date("until")?;
    if let Some(u) = until
        && u < effective
    {
        return Err(rec.err(format!("`until` {u} is before `effective` {effective}")));
    }
    let citation = rec.str("citation")?;
    let source = rec.str("source")?;
    let ev = rec.str("evidence")?;
    let evidence = Evidence::parse(&ev)
        .ok_or_else(|| rec.err(format!("`evidence` = `{ev}` is not one of V, P, S, I, U")))?;
    let note = rec.str("note")?;
    Ok(RuleMeta {
        id,
        file: rec.file.to_owned(),
        effective,
        until,
        citation,
        source,
        evidence,
        note,
    })
}

fn countries(rec: &mut Rec<'_>, key: &'static str) -> Result<Vec<String>, RuleDataError> {
    let list = rec.str_list(key)?;
    for c in &list {
        if !known_country(c) {
            return Err(rec.err(format!("unknown country code `{c}` in `{key}`")));
        }
    }
    Ok(list)
}

fn groups(rec: &mut Rec<'_>, key: &'static str) -> Result<Vec<String>, RuleDataError> {
    let list = rec.str_list(key)?;
    for g in &list {
        if !KNOWN_GROUPS.contains(&g.as_str()) {
            return Err(rec.err(format!("unknown country group `{g}` in `{key}`")));
        }
    }
    Ok(list)
}

fn no_overlap<'m>(
    label: &str,
    items: impl IntoIterator<Item = (String, &'m RuleMeta)>,
) -> Result<(), RuleDataError> {
    let mut by_key: BTreeMap<String, Vec<&RuleMeta>> = BTreeMap::new();
    for (key, meta) in items {
        by_key.entry(key).or_default().push(meta);
    }
    for (key, metas) in by_key {
        for (i, a) in metas.iter().enumerate() {
            for b in metas.iter().skip(i + 1) {
                if a.overlaps(b) {
                    return Err(RuleDataError {
                        file: b.file.clone(),
                        record: format!("`{}`", b.id),
                        message: format!("{label} vintage overlaps `{}` for `{key}`", a.id),
                    });
                }
            }
        }
    }
    Ok(())
}

impl RuleSet {
    /// Load and validate the bundled rule files.
    pub fn bundled() -> Result<RuleSet, RuleDataError> {
        RuleSet::from_files(BUNDLED_FILES)
    }

    /// The bundled rules, loaded once per process.
    pub fn bundled_static() -> Result<&'static RuleSet, RuleDataError> {
        static CELL: std::sync::OnceLock<Result<RuleSet, RuleDataError>> =
            std::sync::OnceLock::new();
        CELL.get_or_init(RuleSet::bundled).as_ref().map_err(Clone::clone)
    }

    /// Load and validate rule files given as `(file name, TOML text)`. Files are
    /// recognised by name; `general.toml` is required.
    pub fn from_files(files: &[(&str, &str)]) -> Result<RuleSet, RuleDataError> {
        let mut sorted: Vec<&(&str, &str)> = files.iter().collect();
        sorted.sort_by_key(|(name, _)| *name);
        let mut hasher = Sha256::new();
        for (name, text) in &sorted {
            hasher.update(name.as_bytes());
            hasher.update([0u8]);
            hasher.update(text.as_bytes());
            hasher.update([0u8]);
        }
        let sha256 = hex::encode(hasher.finalize());

        let mut set = RuleSet {
            label: String::new(),
            data_as_of: Date::MIN,
            sha256,
            records: BTreeMap::new(),
            ic: Vec::new(),
            note2: Vec::new(),
            hbm: Vec::new(),
            precisions: Vec::new(),
            memberships: Vec::new(),
            scopes: Vec::new(),
            hq: Vec::new(),
            exceptions: Vec::new(),
            restrictions: Vec::new(),
            hbm_exception: Vec::new(),
            end_uses: Vec::new(),
            letters: Vec::new(),
            letter_policy: Vec::new(),
            foundry: Vec::new(),
            transistor_tests: Vec::new(),
            policy_sets: Vec::new(),
            zones: Vec::new(),
            frameworks: Vec::new(),
            list_rules: Vec::new(),
            general: Vec::new(),
        };
        let mut saw_general = false;
        for (name, text) in sorted {
            let doc: toml::Table = toml::from_str(text).map_err(|e| RuleDataError {
                file: (*name).to_owned(),
                record: "(file)".into(),
                message: format!("invalid TOML: {}", e.message()),
            })?;
            let l = Loader { file: name, doc };
            let known: &[&str] = match *name {
                "general.toml" => {
                    saw_general = true;
                    set.load_general(&l)?;
                    &["meta", "rule"]
                }
                "thresholds_3a090.toml" => {
                    set.load_thresholds(&l)?;
                    &["ic", "note2", "hbm", "precision"]
                }
                "country_groups.toml" => {
                    set.memberships = l.each("membership", |r, meta| {
                        let group = r.str("group")?;
                        if !KNOWN_GROUPS.contains(&group.as_str()) {
                            return Err(r.err(format!("unknown country group `{group}`")));
                        }
                        Ok(Membership { meta, group, countries: countries(r, "countries")? })
                    })?;
                    &["membership"]
                }
                "destinations.toml" => {
                    set.load_destinations(&l)?;
                    &["scope", "hq"]
                }
                "exceptions.toml" => {
                    set.load_exceptions(&l)?;
                    &["exception", "restriction", "hbm_exception"]
                }
                "end_uses.toml" => {
                    set.load_end_uses(&l)?;
                    &["end_use"]
                }
                "informed_letters.toml" => {
                    set.load_letters(&l)?;
                    &["letter", "policy"]
                }
                "foundry.toml" => {
                    set.load_foundry(&l)?;
                    &["presumption", "transistor_test"]
                }
                "review_policies.toml" => {
                    set.load_policies(&l)?;
                    &["policy_set", "zone"]
                }
                "ai_diffusion.toml" => {
                    set.frameworks = l.each("framework", |r, meta| {
                        let enforced =
                            r.opt_bool("enforced")?.ok_or_else(|| r.err("missing `enforced`"))?;
                        Ok(Framework {
                            meta,
                            enforced,
                            compliance: r.opt_date("compliance")?,
                            nonenforcement_announced: r.opt_date("nonenforcement_announced")?,
                        })
                    })?;
                    &["framework"]
                }
                "parties.toml" => {
                    set.list_rules =
                        l.each("list_rule", |r, meta| Ok(ListRule { meta, kind: r.str("kind")? }))?;
                    &["list_rule"]
                }
                other => {
                    return Err(RuleDataError {
                        file: other.to_owned(),
                        record: "(file)".into(),
                        message: "unknown rule file".into(),
                    });
                }
            };
            for key in l.doc.keys() {
                if !known.contains(&key.as_str()) {
                    return Err(RuleDataError {
                        file: (*name).to_owned(),
                        record: format!("[[{key}]]"),
                        message: "unknown record kind".into(),
                    });
                }
            }
        }
        if !saw_general {
            return Err(RuleDataError {
                file: "general.toml".into(),
                record: "(file)".into(),
                message: "missing".into(),
            });
        }
        set.index_and_validate()?;
        Ok(set)
    }

    fn load_general(&mut self, l: &Loader<'_>) -> Result<(), RuleDataError> {
        let meta = l.doc.get("meta").and_then(|v| v.as_table()).ok_or_else(|| RuleDataError {
            file: l.file.to_owned(),
            record: "[meta]".into(),
            message: "missing [meta] table".into(),
        })?;
        let mut rec = Rec::new(l.file, "meta", 0, meta);
        self.label = rec.str("label")?;
        self.data_as_of = rec.date("data_as_of")?;
        rec.finish()?;
        self.general = l.each("rule", |_, meta| Ok(meta))?;
        Ok(())
    }

    fn load_thresholds(&mut self, l: &Loader<'_>) -> Result<(), RuleDataError> {
        self.ic = l.each("ic", |r, meta| {
            let scheme = match r.str("scheme")?.as_str() {
                "tpp_io" => Scheme::TppIo,
                "tpp_pd" => Scheme::TppPd,
                other => return Err(r.err(format!("unknown scheme `{other}`"))),
            };
            let t = IcThresholds {
                meta,
                scheme,
                tpp_a: r.dec("tpp_a")?,
                io_gbps: r.opt_dec("io_gbps")?,
                tpp_a2: r.opt_dec("tpp_a2")?,
                pd_a2: r.opt_dec("pd_a2")?,
                tpp_b1: r.opt_dec("tpp_b1")?,
                pd_b1: r.opt_dec("pd_b1")?,
                tpp_b2: r.opt_dec("tpp_b2")?,
                pd_b2: r.opt_dec("pd_b2")?,
            };
            let complete = match scheme {
                Scheme::TppIo => t.io_gbps.is_some(),
                Scheme::TppPd => [t.tpp_a2, t.pd_a2, t.tpp_b1, t.pd_b1, t.tpp_b2, t.pd_b2]
                    .iter()
                    .all(Option::is_some),
            };
            if !complete {
                return Err(r.err("missing thresholds for its scheme"));
            }
            Ok(t)
        })?;
        self.note2 = l.each("note2", |r, meta| Ok(Threshold { meta, value: r.dec("tpp")? }))?;
        self.hbm = l.each("hbm", |r, meta| Ok(Threshold { meta, value: r.dec("density_gt")? }))?;
        self.precisions = l.each("precision", |r, meta| {
            let bits = u32::try_from(r.int("bits")?).map_err(|_| r.err("`bits` out of range"))?;
            Ok(Precision { meta, names: r.str_list("names")?, bits })
        })?;
        Ok(())
    }

    fn load_destinations(&mut self, l: &Loader<'_>) -> Result<(), RuleDataError> {
        self.scopes = l.each("scope", |r, meta| {
            let items = r.str("items")?;
            if !["3A090", "ac", "3A090.c"].contains(&items.as_str()) {
                return Err(r.err(format!("unknown item family `{items}`")));
            }
            Ok(Scope {
                meta,
                items,
                groups: groups(r, "groups")?,
                except_groups: groups(r, "except_groups")?,
                countries: countries(r, "countries")?,
            })
        })?;
        self.hq = l.each("hq", |r, meta| {
            let tiers = r.str_list("tiers")?;
            if tiers.is_empty() || tiers.iter().any(|t| !["a", "b", "c"].contains(&t.as_str())) {
                return Err(r.err("`tiers` must list a, b and/or c"));
            }
            let outside = r.opt_str("outside")?.filter(|s| !s.is_empty());
            Ok(HqRule { meta, tiers, outside })
        })?;
        Ok(())
    }

    fn load_exceptions(&mut self, l: &Loader<'_>) -> Result<(), RuleDataError> {
        const CATS: &[&str] = &["d1_d4", "macau_d5", "hq_entity"];
        self.exceptions = l.each("exception", |r, meta| {
            let name = r.str("name")?;
            let applies_to = r.str_list("applies_to")?;
            let notify_for = r.str_list("notify_for")?;
            if let Some(bad) =
                applies_to.iter().chain(&notify_for).find(|c| !CATS.contains(&c.as_str()))
            {
                return Err(r.err(format!("unknown destination category `{bad}`")));
            }
            let days = u32::try_from(r.int("notification_days")?)
                .map_err(|_| r.err("bad `notification_days`"))?;
            Ok(ExceptionRule { meta, name, applies_to, notify_for, notification_days: days })
        })?;
        self.restrictions = l.each("restriction", |_, meta| Ok(meta))?;
        self.hbm_exception = l.each("hbm_exception", |r, meta| {
            Ok(HbmException {
                meta,
                name: r.str("name")?,
                density_lt: r.dec("density_lt")?,
                exporter_hq_groups: groups(r, "exporter_hq_groups")?,
                conditions: r.str_list("conditions")?,
            })
        })?;
        Ok(())
    }

    fn load_end_uses(&mut self, l: &Loader<'_>) -> Result<(), RuleDataError> {
        const END_USES: &[&str] =
            &["supercomputer", "advanced_node_ic_production", "military", "sme_production"];
        self.end_uses = l.each("end_use", |r, meta| {
            let end_use = r.str("end_use")?;
            if !END_USES.contains(&end_use.as_str()) {
                return Err(r.err(format!("unknown end use `{end_use}`")));
            }
            let eccns = r.str_list("eccns")?;
            let items = match r.str("items")?.as_str() {
                "all" => ItemScope::All,
                "ccl" => ItemScope::Ccl,
                "list" if !eccns.is_empty() => ItemScope::List(eccns),
                "list" => return Err(r.err("`items = \"list\"` needs `eccns`")),
                other => return Err(r.err(format!("unknown item scope `{other}`"))),
            };
            Ok(EndUseRule {
                meta,
                end_use,
                countries: countries(r, "countries")?,
                groups: groups(r, "groups")?,
                hq_entity: r.opt_bool("hq_entity")?.unwrap_or(false),
                items,
            })
        })?;
        Ok(())
    }

    fn load_letters(&mut self, l: &Loader<'_>) -> Result<(), RuleDataError> {
        self.letters = l.each("letter", |r, meta| {
            Ok(Letter {
                meta,
                addressee: r.str("addressee")?,
                countries: countries(r, "countries")?,
                groups: groups(r, "groups")?,
                products: r.str_list("products")?,
                designers: r.str_list("designers")?.into_iter().map(|s| s.to_lowercase()).collect(),
                min_memory_gbps: r.opt_dec("min_memory_gbps")?,
                min_interconnect_gbps: r.opt_dec("min_interconnect_gbps")?,
                exporter_names: r
                    .str_list("exporter_names")?
                    .into_iter()
                    .map(|s| s.to_lowercase())
                    .collect(),
                max_process_nm: r.opt_dec("max_process_nm")?,
            })
        })?;
        self.letter_policy = l.each("policy", |r, meta| {
            let p = r.str("policy")?;
            let policy = Policy::parse(&p).ok_or_else(|| r.err(format!("unknown policy `{p}`")))?;
            Ok(PolicyRecord { meta, policy })
        })?;
        Ok(())
    }

    fn load_foundry(&mut self, l: &Loader<'_>) -> Result<(), RuleDataError> {
        self.foundry = l.each("presumption", |r, meta| {
            let compliance = r.date("compliance")?;
            if compliance < meta.effective {
                return Err(r.err("`compliance` is before `effective`"));
            }
            Ok(FoundryPresumption { meta, compliance, max_process_nm: r.dec("max_process_nm")? })
        })?;
        self.transistor_tests = l.each("transistor_test", |r, meta| {
            let year =
                |v: i64, r: &Rec<'_>| i16::try_from(v).map_err(|_| r.err("year out of range"));
            let year_from = r.int("year_from")?;
            let year_from = year(year_from, r)?;
            let year_to = match r.opt_int("year_to")? {
                Some(y) => Some(year(y, r)?),
                None => None,
            };
            if year_to.is_some_and(|t| t < year_from) {
                return Err(r.err("`year_to` is before `year_from`"));
            }
            Ok(TransistorTest {
                meta,
                below_billion: r.dec("below_billion")?,
                requires_no_hbm: r.opt_bool("requires_no_hbm")?.unwrap_or(false),
                year_from,
                year_to,
            })
        })?;
        Ok(())
    }

    fn load_policies(&mut self, l: &Loader<'_>) -> Result<(), RuleDataError> {
        self.policy_sets = l.each("policy_set", |_, meta| Ok(meta))?;
        self.zones = l.each("zone", |r, meta| {
            Ok(Zone {
                meta,
                countries: countries(r, "countries")?,
                tpp_lt: r.dec("tpp_lt")?,
                dram_gbps_lt: r.dec("dram_gbps_lt")?,
                conditions: r.str_list("conditions")?,
            })
        })?;
        Ok(())
    }

    fn all_metas(&self) -> Vec<&RuleMeta> {
        let mut v: Vec<&RuleMeta> = Vec::new();
        v.extend(self.general.iter());
        v.extend(self.ic.iter().map(|x| &x.meta));
        v.extend(self.note2.iter().map(|x| &x.meta));
        v.extend(self.hbm.iter().map(|x| &x.meta));
        v.extend(self.precisions.iter().map(|x| &x.meta));
        v.extend(self.memberships.iter().map(|x| &x.meta));
        v.extend(self.scopes.iter().map(|x| &x.meta));
        v.extend(self.hq.iter().map(|x| &x.meta));
        v.extend(self.exceptions.iter().map(|x| &x.meta));
        v.extend(self.restrictions.iter());
        v.extend(self.hbm_exception.iter().map(|x| &x.meta));
        v.extend(self.end_uses.iter().map(|x| &x.meta));
        v.extend(self.letters.iter().map(|x| &x.meta));
        v.extend(self.letter_policy.iter().map(|x| &x.meta));
        v.extend(self.foundry.iter().map(|x| &x.meta));
        v.extend(self.transistor_tests.iter().map(|x| &x.meta));
        v.extend(self.policy_sets.iter());
        v.extend(self.zones.iter().map(|x| &x.meta));
        v.extend(self.frameworks.iter().map(|x| &x.meta));
        v.extend(self.list_rules.iter().map(|x| &x.meta));
        v
    }

    fn index_and_validate(&mut self) -> Result<(), RuleDataError> {
        let mut records = BTreeMap::new();
        for m in self.all_metas() {
            if let Some(prev) = records.insert(m.id.clone(), m.clone()) {
                return Err(RuleDataError {
                    file: m.file.clone(),
                    record: format!("`{}`", m.id),
                    message: format!("duplicate id (also in {})", prev.file),
                });
            }
        }
        no_overlap("3A090 threshold", self.ic.iter().map(|x| ("ic".to_owned(), &x.meta)))?;
        no_overlap("Note 2", self.note2.iter().map(|x| ("note2".to_owned(), &x.meta)))?;
        no_overlap("HBM threshold", self.hbm.iter().map(|x| ("hbm".to_owned(), &x.meta)))?;
        no_overlap(
            "precision",
            self.precisions.iter().flat_map(|p| p.names.iter().map(move |n| (n.clone(), &p.meta))),
        )?;
        no_overlap(
            "country group",
            self.memberships.iter().flat_map(|m| {
                m.countries.iter().map(move |c| (format!("{} {c}", m.group), &m.meta))
            }),
        )?;
        no_overlap("destination scope", self.scopes.iter().map(|s| (s.items.clone(), &s.meta)))?;
        no_overlap(
            "headquarters rule",
            self.hq.iter().flat_map(|h| h.tiers.iter().map(move |t| (t.clone(), &h.meta))),
        )?;
        no_overlap(
            "exception",
            self.exceptions.iter().flat_map(|e| {
                e.applies_to.iter().map(move |c| (format!("{} {c}", e.name), &e.meta))
            }),
        )?;
        no_overlap(
            "HBM exception",
            self.hbm_exception.iter().map(|x| ("hbm".to_owned(), &x.meta)),
        )?;
        no_overlap(
            "end use",
            self.end_uses.iter().flat_map(|e| {
                e.countries
                    .iter()
                    .chain(e.groups.iter())
                    .map(move |c| (format!("{} {c}", e.end_use), &e.meta))
                    .chain(e.hq_entity.then(|| (format!("{} hq_entity", e.end_use), &e.meta)))
            }),
        )?;
        no_overlap(
            "foundry presumption",
            self.foundry.iter().map(|x| ("foundry".to_owned(), &x.meta)),
        )?;
        no_overlap("review policy", self.policy_sets.iter().map(|m| ("policy".to_owned(), m)))?;
        no_overlap("review zone", self.zones.iter().map(|x| ("zone".to_owned(), &x.meta)))?;
        no_overlap(
            "letter policy",
            self.letter_policy.iter().map(|x| ("letter".to_owned(), &x.meta)),
        )?;
        // Transistor tests of one kind must not cover the same year twice.
        for (i, a) in self.transistor_tests.iter().enumerate() {
            for b in self.transistor_tests.iter().skip(i + 1) {
                let a_end = a.year_to.unwrap_or(i16::MAX);
                let b_end = b.year_to.unwrap_or(i16::MAX);
                if a.requires_no_hbm == b.requires_no_hbm
                    && a.year_from <= b_end
                    && b.year_from <= a_end
                {
                    return Err(RuleDataError {
                        file: b.meta.file.clone(),
                        record: format!("`{}`", b.meta.id),
                        message: format!("year range overlaps `{}`", a.meta.id),
                    });
                }
            }
        }
        for h in &self.hq {
            if let Some(o) = &h.outside
                && !self.scopes.iter().any(|s| &s.meta.id == o)
            {
                return Err(RuleDataError {
                    file: h.meta.file.clone(),
                    record: format!("`{}`", h.meta.id),
                    message: format!("`outside` names unknown scope `{o}`"),
                });
            }
        }
        self.records = records;
        Ok(())
    }

    /// The record with this id.
    pub fn meta(&self, id: &str) -> Option<&RuleMeta> {
        self.records.get(id)
    }

    /// All records, by id.
    pub fn records(&self) -> impl Iterator<Item = &RuleMeta> {
        self.records.values()
    }

    /// The membership record placing `country` in `group` on `date`, if any.
    pub fn membership(&self, country: &str, group: &str, date: Date) -> Option<&Membership> {
        self.memberships.iter().find(|m| {
            m.group == group && m.meta.in_force(date) && m.countries.iter().any(|c| c == country)
        })
    }

    /// Whether `country` is in `group` on `date`.
    pub fn in_group(&self, country: &str, group: &str, date: Date) -> bool {
        self.membership(country, group, date).is_some()
    }

    /// Whether `country` is Macau or in D:5 on `date` (the set the rules call "Macau or a
    /// destination specified in Country Group D:5").
    pub fn macau_or_d5(&self, country: &str, date: Date) -> bool {
        country == "MO" || self.in_group(country, "D:5", date)
    }

    /// The destination scope record in force for an item family.
    pub fn scope(&self, items: &str, date: Date) -> Option<&Scope> {
        self.scopes.iter().find(|s| s.items == items && s.meta.in_force(date))
    }

    /// Whether `country` is inside `scope` on `date`, with the evidence of the memberships
    /// that decided it.
    pub fn in_scope(&self, scope: &Scope, country: &str, date: Date) -> (bool, Vec<&Membership>) {
        if scope.countries.iter().any(|c| c == country) {
            return (true, Vec::new());
        }
        let mut used = Vec::new();
        let mut inside = false;
        for g in &scope.groups {
            if let Some(m) = self.membership(country, g, date) {
                used.push(m);
                inside = true;
            }
        }
        if inside {
            for g in &scope.except_groups {
                if let Some(m) = self.membership(country, g, date) {
                    used.push(m);
                    inside = false;
                }
            }
        }
        (inside, used)
    }

    /// The IC thresholds in force.
    pub fn ic_thresholds(&self, date: Date) -> Option<&IcThresholds> {
        self.ic.iter().find(|t| t.meta.in_force(date))
    }

    /// Bit length of a precision name (lower case), with its record.
    pub fn precision(&self, name: &str) -> Option<&Precision> {
        self.precisions.iter().find(|p| p.names.iter().any(|n| n == name))
    }

    /// All precision names earl accepts.
    pub fn precision_names(&self) -> Vec<&str> {
        self.precisions.iter().flat_map(|p| p.names.iter().map(String::as_str)).collect()
    }
}

fn first_in_force<T>(items: &[T], date: Date, meta: impl Fn(&T) -> &RuleMeta) -> Option<&T> {
    items.iter().find(|x| meta(x).in_force(date))
}

impl RuleSet {
    /// Note 2 threshold in force.
    pub fn note2(&self, date: Date) -> Option<&Threshold> {
        first_in_force(&self.note2, date, |x| &x.meta)
    }

    /// HBM (3A090.c) threshold in force.
    pub fn hbm_threshold(&self, date: Date) -> Option<&Threshold> {
        first_in_force(&self.hbm, date, |x| &x.meta)
    }

    /// License Exception HBM in force.
    pub fn hbm_exception(&self, date: Date) -> Option<&HbmException> {
        first_in_force(&self.hbm_exception, date, |x| &x.meta)
    }

    /// Foundry presumption in force (from its effective date).
    pub fn foundry(&self, date: Date) -> Option<&FoundryPresumption> {
        first_in_force(&self.foundry, date, |x| &x.meta)
    }

    /// Review-policy set in force.
    pub fn policy_set(&self, date: Date) -> Option<&RuleMeta> {
        first_in_force(&self.policy_sets, date, |x| x)
    }

    /// 2026 zone in force.
    pub fn zone(&self, date: Date) -> Option<&Zone> {
        first_in_force(&self.zones, date, |x| &x.meta)
    }

    /// Review policy for is-informed letters in force.
    pub fn letter_policy(&self, date: Date) -> Option<&PolicyRecord> {
        first_in_force(&self.letter_policy, date, |x| &x.meta)
    }

    /// The list-effect record for a kind.
    pub fn list_rule(&self, id: &str) -> Option<&ListRule> {
        self.list_rules.iter().find(|l| l.meta.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_rules_load() {
        let r = RuleSet::bundled().unwrap();
        assert_eq!(r.label, "2026.11.1");
        assert!(r.meta("destinations.2023").is_some());
        assert_eq!(r.sha256.len(), 64);
    }

    fn with_replaced(file: &str, from: &str, to: &str) -> Result<RuleSet, RuleDataError> {
        let files: Vec<(&str, String)> = BUNDLED_FILES
            .iter()
            .map(|(n, t)| (*n, if *n == file { t.replacen(from, to, 1) } else { (*t).to_owned() }))
            .collect();
        let refs: Vec<(&str, &str)> = files.iter().map(|(n, t)| (*n, t.as_str())).collect();
        RuleSet::from_files(&refs)
    }

    #[test]
    fn overlapping_vintage_is_rejected() {
        let e = with_replaced("thresholds_3a090.toml", "until = 2023-11-16", "until = 2023-11-17")
            .unwrap_err();
        assert_eq!(e.file, "thresholds_3a090.toml");
        assert!(e.message.contains("overlaps"), "{e}");
        assert!(e.record.contains("thresholds_3a090.2023"), "{e}");
    }

    #[test]
    fn unknown_country_is_rejected() {
        let e =
            with_replaced("country_groups.toml", "\"AF\", \"BY\"", "\"XX\", \"BY\"").unwrap_err();
        assert!(e.to_string().contains("unknown country code `XX`"), "{e}");
        assert!(e.to_string().contains("cg.d5"), "{e}");
    }

    #[test]
    fn missing_citation_is_rejected() {
        let e = with_replaced(
            "destinations.toml",
            "citation = \"15 CFR 742.6(a)(6)(i) (Oct 2022)\"\n",
            "",
        )
        .unwrap_err();
        assert!(e.to_string().contains("missing `citation`"), "{e}");
        assert!(e.to_string().contains("destinations.2022"), "{e}");
    }

    #[test]
    fn bad_dates_are_rejected() {
        let e =
            with_replaced("foundry.toml", "effective = 2025-01-16", "effective = \"2025-02-30\"")
                .unwrap_err();
        assert!(e.to_string().contains("not a valid date"), "{e}");
        let e = with_replaced("destinations.toml", "until = 2023-11-16", "until = 2021-01-01")
            .unwrap_err();
        assert!(e.to_string().contains("is before `effective`"), "{e}");
    }

    #[test]
    fn unknown_field_is_rejected() {
        let e = with_replaced(
            "exceptions.toml",
            "density_lt = 3.3",
            "density_lt = 3.3\ndensity_le = 3.3",
        )
        .unwrap_err();
        assert!(e.to_string().contains("unknown field `density_le`"), "{e}");
    }

    #[test]
    fn groups_follow_dates() {
        let r = RuleSet::bundled().unwrap();
        let d = |s: &str| s.parse::<Date>().unwrap();
        assert!(r.in_group("KH", "D:5", d("2026-02-02")));
        assert!(!r.in_group("KH", "D:5", d("2026-02-03")));
        assert!(r.in_group("AE", "D:4", d("2026-07-13")));
        assert!(!r.in_group("AE", "D:4", d("2026-07-14")));
        assert!(r.in_group("AE", "A:5", d("2026-07-14")));
        assert!(r.macau_or_d5("MO", d("2024-01-01")));
        let scope = r.scope("ac", d("2024-01-01")).unwrap();
        assert!(r.in_scope(scope, "VN", d("2024-01-01")).0);
        assert!(!r.in_scope(scope, "IL", d("2024-01-01")).0);
        assert!(!r.in_scope(scope, "CY", d("2024-01-01")).0);
        assert!(!r.in_scope(scope, "MY", d("2024-01-01")).0);
        assert!(r.in_scope(scope, "MO", d("2024-01-01")).0);
    }
}
