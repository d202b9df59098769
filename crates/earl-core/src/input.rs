//! The transaction to decide, parsed from JSON with errors that name the field.

use crate::catalog::Catalog;
use crate::dec::Dec;
use jiff::civil::Date;
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Precisions accepted in `tops`, with their bit length (mirrors `thresholds_3a090.toml`;
/// a test keeps the two in step).
pub const PRECISIONS: &[(&str, u32)] = &[
    ("fp4", 4),
    ("int4", 4),
    ("fp8", 8),
    ("int8", 8),
    ("fp16", 16),
    ("bf16", 16),
    ("tf32", 32),
    ("fp32", 32),
    ("fp64", 64),
];

/// Largest accepted dense TOPS figure per precision.
pub const MAX_TOPS: f64 = 1e9;

/// Unusable input: names the field path and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct InputError {
    /// Field path, e.g. `items[0].chip.tops.fp8`.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

impl InputError {
    fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        InputError { field: field.into(), message: message.into() }
    }
}

/// What kind of company exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExporterKind {
    /// IC designer.
    Designer,
    /// Distributor or reseller.
    Distributor,
    /// Front-end fabricator (foundry).
    FrontEndFabricator,
    /// Outsourced assembly and test.
    Osat,
    /// Anything else.
    Other,
}

/// Who packaged the IC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PackagedBy {
    /// The front-end fabricator.
    FrontEndFabricator,
    /// An OSAT.
    Osat,
    /// Someone else.
    Other,
}

/// Role of a party (15 CFR 748.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Ultimate end user.
    EndUser,
    /// Ultimate consignee.
    Consignee,
    /// Purchaser.
    Purchaser,
    /// Intermediate consignee.
    IntermediateConsignee,
    /// Distributor (matters for License Exception HBM).
    Distributor,
}

/// A stated end use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EndUse {
    /// "Supercomputer" development, production, operation, ... (744.23(a)(1)).
    Supercomputer,
    /// Development or production of ICs at an advanced-node facility (744.23(a)(2)).
    AdvancedNodeIcProduction,
    /// Military end use or end user (744.21).
    Military,
    /// Development or production of front-end SME (744.23(a)(4)).
    SmeProduction,
}

impl EndUse {
    /// The snake_case name used in input and rule data.
    pub fn as_str(self) -> &'static str {
        match self {
            EndUse::Supercomputer => "supercomputer",
            EndUse::AdvancedNodeIcProduction => "advanced_node_ic_production",
            EndUse::Military => "military",
            EndUse::SmeProduction => "sme_production",
        }
    }
}

/// The exporter.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Exporter {
    /// Name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Country of the exporting entity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Headquarters country.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headquarters: Option<String>,
    /// Headquarters country of the ultimate parent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_headquarters: Option<String>,
    /// Kind.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<ExporterKind>,
}

/// Technical facts of an IC (or of a board/package at its highest level of integration).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ChipSpec {
    /// Dense peak TOPS/TFLOPS per precision.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub tops: BTreeMap<String, f64>,
    /// Area of the logic dies in mm2.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub die_area_mm2: Option<f64>,
    /// Designed or marketed for use in datacenters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub datacenter: Option<bool>,
    /// Aggregate bidirectional interconnect (I/O) bandwidth, GB/s.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interconnect_gbps: Option<f64>,
    /// Process node in nm.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub process_nm: Option<f64>,
    /// Planar transistor architecture (false = FinFET/GAA).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub planar: Option<bool>,
    /// Aggregated approximated transistor count, billions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transistors_billion: Option<f64>,
    /// The package contains HBM.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hbm: Option<bool>,
    /// Total DRAM bandwidth, GB/s.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dram_bandwidth_gbps: Option<f64>,
    /// Who packaged the IC.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub packaged_by: Option<PackagedBy>,
    /// Where it was packaged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub packaging_country: Option<String>,
    /// The packager attested the transistor count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attested_transistors: Option<bool>,
    /// The designer is an approved or authorized IC designer (Supp. 6 to Part 740) and
    /// attested the TPP and performance density given here.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub designer_approved: Option<bool>,
    /// The OSAT that packaged it is an approved OSAT (Supp. 7 to Part 740).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub osat_approved: Option<bool>,
    /// Designer company (matters for is-informed letters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub designer: Option<String>,
}

impl ChipSpec {
    /// This spec with every field that `over` sets replaced (catalog values + user facts).
    pub fn overlaid(&self, over: &ChipSpec) -> ChipSpec {
        let mut out = self.clone();
        if !over.tops.is_empty() {
            out.tops = over.tops.clone();
        }
        macro_rules! take {
            ($($f:ident),*) => { $( if over.$f.is_some() { out.$f = over.$f.clone(); } )* };
        }
        take!(
            die_area_mm2,
            datacenter,
            interconnect_gbps,
            process_nm,
            planar,
            transistors_billion,
            hbm,
            dram_bandwidth_gbps,
            packaged_by,
            packaging_country,
            attested_transistors,
            designer_approved,
            osat_approved,
            designer
        );
        out
    }
}

/// A standalone HBM stack or package.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct HbmSpec {
    /// Memory bandwidth of the package or stack, GB/s.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bandwidth_gbps: Option<f64>,
    /// Area of the package or stack, mm2.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub area_mm2: Option<f64>,
    /// Destined for co-packaging at a facility that produces advanced-node ICs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub packaging_at_advanced_node_facility: Option<bool>,
}

/// One line item.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Item {
    /// Catalog product id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    /// ECCN given by the user (used as is for items without a chip, and as the ECCN of a
    /// chip that is not 3A090).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eccn: Option<String>,
    /// Datacenter design/marketing of an item given by ECCN.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub datacenter: Option<bool>,
    /// Chip facts (alone, or overriding the catalog values of `product`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chip: Option<ChipSpec>,
    /// Standalone HBM.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hbm: Option<HbmSpec>,
}

/// A party to the transaction.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Party {
    /// Role.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// Name (screened against the lists).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Country where the party is located.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Headquarters country.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headquarters: Option<String>,
    /// Headquarters country of the ultimate parent (absent: no separate parent stated).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_headquarters: Option<String>,
    /// An intermediate consignee acting only as freight forwarder / customs broker hired by
    /// the packaging site (License Exception HBM).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub freight_forwarder: Option<bool>,
}

/// A dated transaction.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Transaction {
    /// Date of export.
    pub date: Date,
    /// Exporter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exporter: Option<Exporter>,
    /// Destination country (ISO alpha-2; `HK` is treated as `CN`).
    pub destination: String,
    /// Items.
    pub items: Vec<Item>,
    /// Parties.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub parties: Vec<Party>,
    /// Stated end uses.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub end_uses: Vec<EndUse>,
}

/// Keys ignored everywhere (annotations).
fn is_annotation(key: &str) -> bool {
    key.starts_with('_') || matches!(key, "comment" | "note" | "description" | "label" | "id")
}

struct Obj<'a> {
    path: String,
    map: &'a Map<String, Value>,
}

impl<'a> Obj<'a> {
    fn new(path: impl Into<String>, v: &'a Value) -> Result<Obj<'a>, InputError> {
        let path = path.into();
        match v {
            Value::Object(map) => Ok(Obj { path, map }),
            _ => Err(InputError::new(path, "must be an object")),
        }
    }

    fn field(&self, key: &str) -> String {
        if self.path.is_empty() { key.to_owned() } else { format!("{}.{key}", self.path) }
    }

    fn check_keys(&self, allowed: &[&str]) -> Result<(), InputError> {
        for key in self.map.keys() {
            if !allowed.contains(&key.as_str()) && !is_annotation(key) {
                return Err(InputError::new(
                    self.field(key),
                    format!("unknown field (expected one of: {})", allowed.join(", ")),
                ));
            }
        }
        Ok(())
    }

    fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    fn opt_str(&self, key: &str) -> Result<Option<String>, InputError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.trim().to_owned())),
            Some(_) => Err(InputError::new(self.field(key), "must be a string")),
        }
    }

    fn opt_bool(&self, key: &str) -> Result<Option<bool>, InputError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(InputError::new(self.field(key), "must be true or false")),
        }
    }

    fn opt_num(&self, key: &str, max: f64) -> Result<Option<f64>, InputError> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => number(&self.field(key), v, max).map(Some),
        }
    }

    fn opt_country(&self, key: &str) -> Result<Option<String>, InputError> {
        match self.opt_str(key)? {
            None => Ok(None),
            Some(c) => country(&self.field(key), &c).map(Some),
        }
    }

    fn opt_enum<T>(
        &self,
        key: &str,
        parse: impl Fn(&str) -> Option<T>,
        allowed: &str,
    ) -> Result<Option<T>, InputError> {
        match self.opt_str(key)? {
            None => Ok(None),
            Some(s) => parse(&s).map(Some).ok_or_else(|| {
                InputError::new(
                    self.field(key),
                    format!("unknown value `{s}` (expected one of: {allowed})"),
                )
            }),
        }
    }
}

fn number(field: &str, v: &Value, max: f64) -> Result<f64, InputError> {
    let n = v.as_f64().ok_or_else(|| InputError::new(field, "must be a number"))?;
    if !n.is_finite() {
        return Err(InputError::new(field, "must be a finite number"));
    }
    if n < 0.0 {
        return Err(InputError::new(field, format!("must not be negative (got {n})")));
    }
    if n > max {
        return Err(InputError::new(field, format!("{n} is implausibly large (limit {max})")));
    }
    Ok(n)
}

/// Validate an ISO 3166 alpha-2 code (any case); returns it upper-cased.
pub fn country(field: &str, code: &str) -> Result<String, InputError> {
    let upper = code.trim().to_ascii_uppercase();
    if upper.len() == 2 && upper != "XK" && earl_lists::country::is_known_code(&upper) {
        Ok(upper)
    } else {
        Err(InputError::new(field, format!("`{code}` is not an ISO 3166 alpha-2 country code")))
    }
}

fn parse_kind(s: &str) -> Option<ExporterKind> {
    match s {
        "designer" => Some(ExporterKind::Designer),
        "distributor" => Some(ExporterKind::Distributor),
        "front_end_fabricator" => Some(ExporterKind::FrontEndFabricator),
        "osat" => Some(ExporterKind::Osat),
        "other" => Some(ExporterKind::Other),
        _ => None,
    }
}

fn parse_packaged_by(s: &str) -> Option<PackagedBy> {
    match s {
        "front_end_fabricator" => Some(PackagedBy::FrontEndFabricator),
        "osat" => Some(PackagedBy::Osat),
        "other" => Some(PackagedBy::Other),
        _ => None,
    }
}

fn parse_role(s: &str) -> Option<Role> {
    match s {
        "end_user" => Some(Role::EndUser),
        "consignee" | "ultimate_consignee" => Some(Role::Consignee),
        "purchaser" => Some(Role::Purchaser),
        "intermediate_consignee" => Some(Role::IntermediateConsignee),
        "distributor" => Some(Role::Distributor),
        _ => None,
    }
}

fn parse_end_use(s: &str) -> Option<EndUse> {
    match s {
        "supercomputer" => Some(EndUse::Supercomputer),
        "advanced_node_ic_production" => Some(EndUse::AdvancedNodeIcProduction),
        "military" => Some(EndUse::Military),
        "sme_production" => Some(EndUse::SmeProduction),
        _ => None,
    }
}

/// Parse a `YYYY-MM-DD` date.
pub fn parse_date(field: &str, s: &str) -> Result<Date, InputError> {
    let ok_shape = s.len() == 10
        && s.bytes()
            .enumerate()
            .all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
    if !ok_shape {
        return Err(InputError::new(field, format!("`{s}` is not a date in the form YYYY-MM-DD")));
    }
    s.parse::<Date>()
        .map_err(|_| InputError::new(field, format!("`{s}` is not a valid calendar date")))
}

/// Whether an ECCN string is well formed (`EAR99`, or like `3A090`, `3A090.a`, `5A992.z.1`).
pub fn valid_eccn(s: &str) -> bool {
    if s == "EAR99" {
        return true;
    }
    let b = s.as_bytes();
    let head_ok = b.len() >= 5
        && b.first().is_some_and(u8::is_ascii_digit)
        && b.get(1).is_some_and(|c| (b'A'..=b'E').contains(c))
        && b.get(2..5).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    let rest = s.get(5..).unwrap_or("");
    head_ok
        && (rest.is_empty()
            || (rest.starts_with('.')
                && rest
                    .split('.')
                    .skip(1)
                    .all(|p| !p.is_empty() && p.bytes().all(|c| c.is_ascii_alphanumeric()))))
}

fn parse_chip(o: &Obj<'_>) -> Result<ChipSpec, InputError> {
    o.check_keys(&[
        "tops",
        "die_area_mm2",
        "datacenter",
        "interconnect_gbps",
        "process_nm",
        "planar",
        "transistors_billion",
        "hbm",
        "dram_bandwidth_gbps",
        "packaged_by",
        "packaging_country",
        "attested_transistors",
        "designer_approved",
        "osat_approved",
        "designer",
    ])?;
    let mut tops = BTreeMap::new();
    if let Some(v) = o.get("tops") {
        let t = Obj::new(o.field("tops"), v)?;
        for (k, v) in t.map {
            let key = k.to_ascii_lowercase();
            if !PRECISIONS.iter().any(|(p, _)| *p == key) {
                let names: Vec<&str> = PRECISIONS.iter().map(|(p, _)| *p).collect();
                return Err(InputError::new(
                    t.field(k),
                    format!("unknown precision (expected one of: {})", names.join(", ")),
                ));
            }
            tops.insert(key, number(&t.field(k), v, MAX_TOPS)?);
        }
    }
    Ok(ChipSpec {
        tops,
        die_area_mm2: o.opt_num("die_area_mm2", 1e7)?,
        datacenter: o.opt_bool("datacenter")?,
        interconnect_gbps: o.opt_num("interconnect_gbps", 1e9)?,
        process_nm: o.opt_num("process_nm", 1e5)?,
        planar: o.opt_bool("planar")?,
        transistors_billion: o.opt_num("transistors_billion", 1e7)?,
        hbm: o.opt_bool("hbm")?,
        dram_bandwidth_gbps: o.opt_num("dram_bandwidth_gbps", 1e9)?,
        packaged_by: o.opt_enum(
            "packaged_by",
            parse_packaged_by,
            "front_end_fabricator, osat, other",
        )?,
        packaging_country: o.opt_country("packaging_country")?,
        attested_transistors: o.opt_bool("attested_transistors")?,
        designer_approved: o.opt_bool("designer_approved")?,
        osat_approved: o.opt_bool("osat_approved")?,
        designer: o.opt_str("designer")?,
    })
}

/// Exact TPP of a spec (max over precisions of TOPS x bits), if any precision is given.
pub fn tpp_of(tops: &BTreeMap<String, f64>) -> Option<Dec> {
    let mut best: Option<Dec> = None;
    for (name, v) in tops {
        let bits = PRECISIONS.iter().find(|(p, _)| p == name).map(|(_, b)| *b)?;
        let product = Dec::from_f64(*v)?.checked_mul(Dec::from_int(i64::from(bits)))?;
        if best.is_none_or(|b| product.gt(b)) {
            best = Some(product);
        }
    }
    best
}

impl Transaction {
    /// Parse and validate a transaction (products checked against the bundled catalog).
    pub fn from_json(text: &str) -> Result<Transaction, InputError> {
        let catalog =
            Catalog::bundled_static().map_err(|e| InputError::new("(catalog)", e.to_string()))?;
        Transaction::from_json_with(text, catalog)
    }

    /// Parse and validate a transaction against a given catalog.
    pub fn from_json_with(text: &str, catalog: &Catalog) -> Result<Transaction, InputError> {
        let v: Value = serde_json::from_str(text).map_err(|e| {
            InputError::new(
                "(json)",
                format!("malformed JSON at line {} column {}: {e}", e.line(), e.column()),
            )
        })?;
        Transaction::from_value(&v, catalog)
    }

    /// Parse and validate an already-parsed JSON value.
    pub fn from_value(v: &Value, catalog: &Catalog) -> Result<Transaction, InputError> {
        let root = Obj::new("", v)
            .map_err(|_| InputError::new("(json)", "the transaction must be a JSON object"))?;
        root.check_keys(&["date", "exporter", "destination", "items", "parties", "end_uses"])?;

        let date = match root.get("date") {
            None => return Err(InputError::new("date", "is required (YYYY-MM-DD)")),
            Some(Value::String(s)) => parse_date("date", s.trim())?,
            Some(_) => return Err(InputError::new("date", "must be a string YYYY-MM-DD")),
        };
        let destination = match root.opt_str("destination")? {
            None => {
                return Err(InputError::new("destination", "is required (ISO 3166 alpha-2 code)"));
            }
            Some(d) => country("destination", &d)?,
        };

        let exporter = match root.get("exporter") {
            None => None,
            Some(v) => {
                let o = Obj::new("exporter", v)?;
                o.check_keys(&["name", "country", "headquarters", "parent_headquarters", "kind"])?;
                Some(Exporter {
                    name: o.opt_str("name")?,
                    country: o.opt_country("country")?,
                    headquarters: o.opt_country("headquarters")?,
                    parent_headquarters: o.opt_country("parent_headquarters")?,
                    kind: o.opt_enum(
                        "kind",
                        parse_kind,
                        "designer, distributor, front_end_fabricator, osat, other",
                    )?,
                })
            }
        };

        let items_v = match root.get("items") {
            None => return Err(InputError::new("items", "is required (a non-empty list)")),
            Some(Value::Array(a)) if a.is_empty() => {
                return Err(InputError::new("items", "must not be empty"));
            }
            Some(Value::Array(a)) => a,
            Some(_) => return Err(InputError::new("items", "must be a list")),
        };
        let mut items = Vec::new();
        for (i, v) in items_v.iter().enumerate() {
            items.push(parse_item(&format!("items[{i}]"), v, catalog, date)?);
        }

        let mut parties = Vec::new();
        match root.get("parties") {
            None => {}
            Some(Value::Array(a)) => {
                for (i, v) in a.iter().enumerate() {
                    let o = Obj::new(format!("parties[{i}]"), v)?;
                    o.check_keys(&[
                        "role",
                        "name",
                        "country",
                        "headquarters",
                        "parent_headquarters",
                        "freight_forwarder",
                    ])?;
                    parties.push(Party {
                        role: o.opt_enum(
                            "role",
                            parse_role,
                            "end_user, consignee, purchaser, intermediate_consignee, distributor",
                        )?,
                        name: o.opt_str("name")?,
                        country: o.opt_country("country")?,
                        headquarters: o.opt_country("headquarters")?,
                        parent_headquarters: o.opt_country("parent_headquarters")?,
                        freight_forwarder: o.opt_bool("freight_forwarder")?,
                    });
                }
            }
            Some(_) => return Err(InputError::new("parties", "must be a list")),
        }

        let mut end_uses = Vec::new();
        match root.get("end_uses") {
            None => {}
            Some(Value::Array(a)) => {
                for (i, v) in a.iter().enumerate() {
                    let field = format!("end_uses[{i}]");
                    let s =
                        v.as_str().ok_or_else(|| InputError::new(&field, "must be a string"))?;
                    let e = parse_end_use(s.trim()).ok_or_else(|| {
                        InputError::new(
                            &field,
                            format!(
                                "unknown end use `{s}` (expected one of: supercomputer, advanced_node_ic_production, military, sme_production)"
                            ),
                        )
                    })?;
                    if !end_uses.contains(&e) {
                        end_uses.push(e);
                    }
                }
            }
            Some(_) => return Err(InputError::new("end_uses", "must be a list")),
        }

        Ok(Transaction { date, exporter, destination, items, parties, end_uses })
    }
}

fn parse_item(path: &str, v: &Value, catalog: &Catalog, date: Date) -> Result<Item, InputError> {
    let o = Obj::new(path, v)?;
    o.check_keys(&["product", "eccn", "datacenter", "chip", "hbm", "quantity"])?;
    let product = match o.opt_str("product")? {
        None => None,
        Some(p) => {
            let id = p.to_ascii_lowercase();
            if catalog.get(&id).is_none() {
                let close = catalog.close_ids(&id);
                let hint = if close.is_empty() {
                    format!("known ids: {}", catalog.ids().join(", "))
                } else {
                    format!("did you mean: {}", close.join(", "))
                };
                return Err(InputError::new(
                    o.field("product"),
                    format!("unknown product `{p}` ({hint})"),
                ));
            }
            Some(id)
        }
    };
    let eccn = match o.opt_str("eccn")? {
        None => None,
        Some(e) => {
            let up = normalise_eccn(&e);
            if !valid_eccn(&up) {
                return Err(InputError::new(
                    o.field("eccn"),
                    format!("`{e}` is not an ECCN (e.g. EAR99, 3A090.a, 5A992.z)"),
                ));
            }
            Some(up)
        }
    };
    let chip = match o.get("chip") {
        None => None,
        Some(v) => Some(parse_chip(&Obj::new(o.field("chip"), v)?)?),
    };
    let hbm = match o.get("hbm") {
        None => None,
        Some(v) => {
            let h = Obj::new(o.field("hbm"), v)?;
            h.check_keys(&["bandwidth_gbps", "area_mm2", "packaging_at_advanced_node_facility"])?;
            let spec = HbmSpec {
                bandwidth_gbps: h.opt_num("bandwidth_gbps", 1e9)?,
                area_mm2: h.opt_num("area_mm2", 1e7)?,
                packaging_at_advanced_node_facility: h
                    .opt_bool("packaging_at_advanced_node_facility")?,
            };
            if spec.area_mm2 == Some(0.0) {
                return Err(InputError::new(
                    h.field("area_mm2"),
                    "must be greater than 0 (memory bandwidth density divides by it)",
                ));
            }
            Some(spec)
        }
    };
    if let Some(q) = o.get("quantity")
        && !q.as_f64().is_some_and(|n| n >= 0.0)
    {
        return Err(InputError::new(o.field("quantity"), "must be a non-negative number"));
    }
    let datacenter = o.opt_bool("datacenter")?;
    if product.is_none() && eccn.is_none() && chip.is_none() && hbm.is_none() {
        return Err(InputError::new(path, "needs one of `product`, `eccn`, `chip` or `hbm`"));
    }
    if hbm.is_some() && (product.is_some() || chip.is_some()) {
        return Err(InputError::new(
            o.field("hbm"),
            "a standalone HBM item cannot also have `product` or `chip`",
        ));
    }
    // Zero die area is absurd when performance density decides (TPP in [1600, 4800) on a
    // non-planar die).
    let spec = match (&product, &chip) {
        (Some(p), over) => catalog.get(p).map(|c| match over {
            Some(o) => c.spec.overlaid(o),
            None => c.spec.clone(),
        }),
        (None, Some(c)) => Some(c.clone()),
        _ => None,
    };
    if let Some(s) = &spec
        && s.die_area_mm2 == Some(0.0)
        && s.planar != Some(true)
        && date >= Date::constant(2023, 11, 17)
        && let Some(tpp) = tpp_of(&s.tops)
        && tpp.ge(Dec::from_int(1600))
        && tpp.lt(Dec::from_int(4800))
    {
        return Err(InputError::new(
            format!("{path}.chip.die_area_mm2"),
            format!("must be greater than 0: with TPP {tpp} the performance density decides"),
        ));
    }
    Ok(Item { product, eccn, datacenter, chip, hbm })
}

/// Upper-case an ECCN's head and lower-case its paragraph letters (`3a090.A` -> `3A090.a`).
pub fn normalise_eccn(e: &str) -> String {
    let t = e.trim();
    if t.eq_ignore_ascii_case("ear99") {
        return "EAR99".into();
    }
    let (head, rest) = t.split_at(t.len().min(5));
    format!("{}{}", head.to_ascii_uppercase(), rest.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eccn_shapes() {
        for ok in ["EAR99", "3A090", "3A090.a", "5A992.z", "3A001.z.1.a", "4A003.z.2.b"] {
            assert!(valid_eccn(ok), "{ok}");
        }
        for bad in ["EAR", "3A09", "3X090", "3A090.", "3A090..a", "abcde"] {
            assert!(!valid_eccn(bad), "{bad}");
        }
        assert_eq!(normalise_eccn("3a090.A"), "3A090.a");
        assert_eq!(normalise_eccn("ear99"), "EAR99");
    }

    #[test]
    fn dates_must_be_strict() {
        assert!(parse_date("date", "2025-05-05").is_ok());
        assert!(parse_date("date", "2025-5-5").is_err());
        assert!(parse_date("date", "2025-02-30").is_err());
        assert!(parse_date("date", "20250505").is_err());
    }
}
