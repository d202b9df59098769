//! The chip catalog (`data/chips/catalog.toml`): products, their facts and provenance.

use crate::input::{ChipSpec, PRECISIONS};
use crate::rules::Evidence;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// The bundled catalog file.
pub const BUNDLED_CATALOG: &str = include_str!("../../../data/chips/catalog.toml");

/// The catalog file is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("catalog.toml: {record}: {message}")]
pub struct CatalogError {
    /// The chip record.
    pub record: String,
    /// What is wrong.
    pub message: String,
}

/// Where a catalog number comes from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Provenance {
    /// Reliability label.
    pub evidence: Evidence,
    /// Source.
    pub source: String,
}

/// One catalog product.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CatalogChip {
    /// Product id, e.g. `nvidia-h100-sxm`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Designer / vendor.
    pub designer: String,
    /// Release or launch (free text, e.g. `2022-10`).
    pub released: Option<String>,
    /// Memory description.
    pub memory: Option<String>,
    /// Caveat shown with the product.
    pub note: Option<String>,
    /// The facts as a chip spec (unknown numbers absent).
    pub spec: ChipSpec,
    /// Provenance per field (`tops`, `die_area_mm2`, ...).
    pub provenance: BTreeMap<String, Provenance>,
}

impl CatalogChip {
    /// Evidence of a field, if recorded.
    pub fn evidence(&self, field: &str) -> Option<Evidence> {
        self.provenance.get(field).map(|p| p.evidence)
    }
}

/// The catalog.
#[derive(Debug, Clone)]
pub struct Catalog {
    chips: Vec<CatalogChip>,
    /// SHA-256 (hex) of the catalog file.
    pub sha256: String,
}

fn err(record: &str, message: impl Into<String>) -> CatalogError {
    CatalogError { record: record.to_owned(), message: message.into() }
}

fn num(t: &toml::Table, key: &str, rec: &str) -> Result<Option<f64>, CatalogError> {
    match t.get(key) {
        None => Ok(None),
        Some(toml::Value::Integer(i)) => Ok(Some(*i as f64)),
        Some(toml::Value::Float(f)) if f.is_finite() && *f >= 0.0 => Ok(Some(*f)),
        Some(_) => Err(err(rec, format!("`{key}` must be a non-negative number"))),
    }
}

fn text(t: &toml::Table, key: &str, rec: &str) -> Result<Option<String>, CatalogError> {
    match t.get(key) {
        None => Ok(None),
        Some(toml::Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(err(rec, format!("`{key}` must be a string"))),
    }
}

fn flag(t: &toml::Table, key: &str, rec: &str) -> Result<Option<bool>, CatalogError> {
    match t.get(key) {
        None => Ok(None),
        Some(toml::Value::Boolean(b)) => Ok(Some(*b)),
        Some(_) => Err(err(rec, format!("`{key}` must be true or false"))),
    }
}

const FIELDS: &[&str] = &[
    "id",
    "name",
    "designer",
    "released",
    "datacenter",
    "tops",
    "die_area_mm2",
    "process_nm",
    "planar",
    "transistors_billion",
    "hbm",
    "memory",
    "dram_bandwidth_gbps",
    "interconnect_gbps",
    "provenance",
    "note",
];

/// Fields whose values need a provenance entry when present.
const SOURCED: &[&str] = &[
    "tops",
    "die_area_mm2",
    "process_nm",
    "transistors_billion",
    "dram_bandwidth_gbps",
    "interconnect_gbps",
    "datacenter",
];

impl Catalog {
    /// Load and validate the bundled catalog.
    pub fn bundled() -> Result<Catalog, CatalogError> {
        Catalog::from_toml(BUNDLED_CATALOG)
    }

    /// The bundled catalog, loaded once per process.
    pub fn bundled_static() -> Result<&'static Catalog, CatalogError> {
        static CELL: std::sync::OnceLock<Result<Catalog, CatalogError>> =
            std::sync::OnceLock::new();
        CELL.get_or_init(Catalog::bundled).as_ref().map_err(Clone::clone)
    }

    /// Parse and validate catalog TOML.
    pub fn from_toml(source: &str) -> Result<Catalog, CatalogError> {
        let doc: toml::Table = toml::from_str(source)
            .map_err(|e| err("(file)", format!("invalid TOML: {}", e.message())))?;
        let arr = match doc.get("chip") {
            Some(toml::Value::Array(a)) => a,
            _ => return Err(err("(file)", "expected [[chip]] records")),
        };
        let mut chips: Vec<CatalogChip> = Vec::new();
        for (i, v) in arr.iter().enumerate() {
            let t = v.as_table().ok_or_else(|| err(&format!("#{}", i + 1), "must be a table"))?;
            let id = text(t, "id", &format!("#{}", i + 1))?
                .ok_or_else(|| err(&format!("#{}", i + 1), "missing `id`"))?;
            let rec = id.as_str();
            if let Some(k) = t.keys().find(|k| !FIELDS.contains(&k.as_str())) {
                return Err(err(rec, format!("unknown field `{k}`")));
            }
            if chips.iter().any(|c| c.id == id) {
                return Err(err(rec, "duplicate id"));
            }
            let mut tops = BTreeMap::new();
            if let Some(tv) = t.get("tops") {
                let tt = tv.as_table().ok_or_else(|| err(rec, "`tops` must be a table"))?;
                for (k, _) in tt {
                    if !PRECISIONS.iter().any(|(p, _)| p == k) {
                        return Err(err(rec, format!("unknown precision `{k}` in `tops`")));
                    }
                    let n = num(tt, k, rec)?.ok_or_else(|| err(rec, "bad tops value"))?;
                    tops.insert(k.clone(), n);
                }
            }
            let spec = ChipSpec {
                tops,
                die_area_mm2: num(t, "die_area_mm2", rec)?,
                datacenter: flag(t, "datacenter", rec)?,
                interconnect_gbps: num(t, "interconnect_gbps", rec)?,
                process_nm: num(t, "process_nm", rec)?,
                planar: flag(t, "planar", rec)?,
                transistors_billion: num(t, "transistors_billion", rec)?,
                hbm: flag(t, "hbm", rec)?,
                dram_bandwidth_gbps: num(t, "dram_bandwidth_gbps", rec)?,
                designer: text(t, "designer", rec)?,
                ..ChipSpec::default()
            };
            let mut provenance = BTreeMap::new();
            if let Some(pv) = t.get("provenance") {
                let pt = pv.as_table().ok_or_else(|| err(rec, "`provenance` must be a table"))?;
                for (k, v) in pt {
                    let s = v
                        .as_str()
                        .ok_or_else(|| err(rec, format!("provenance `{k}` must be a string")))?;
                    let (ev, src) = s.split_once(':').ok_or_else(|| {
                        err(rec, format!("provenance `{k}` must read \"<V|P|S|I|U>: source\""))
                    })?;
                    let evidence = match ev.trim() {
                        "V" => Evidence::V,
                        "P" => Evidence::P,
                        "S" => Evidence::S,
                        "I" => Evidence::I,
                        "U" => Evidence::U,
                        other => {
                            return Err(err(
                                rec,
                                format!("provenance `{k}`: unknown evidence `{other}`"),
                            ));
                        }
                    };
                    provenance
                        .insert(k.clone(), Provenance { evidence, source: src.trim().to_owned() });
                }
            }
            for f in SOURCED {
                let present = if *f == "tops" { !spec.tops.is_empty() } else { t.contains_key(*f) };
                if present && !provenance.contains_key(*f) {
                    return Err(err(rec, format!("`{f}` has no provenance entry")));
                }
            }
            chips.push(CatalogChip {
                name: text(t, "name", rec)?.ok_or_else(|| err(rec, "missing `name`"))?,
                designer: spec.designer.clone().ok_or_else(|| err(rec, "missing `designer`"))?,
                released: text(t, "released", rec)?,
                memory: text(t, "memory", rec)?,
                note: text(t, "note", rec)?,
                id,
                spec,
                provenance,
            });
        }
        Ok(Catalog { chips, sha256: hex::encode(Sha256::digest(source.as_bytes())) })
    }

    /// A product by id.
    pub fn get(&self, id: &str) -> Option<&CatalogChip> {
        self.chips.iter().find(|c| c.id == id)
    }

    /// All products, in file order.
    pub fn all(&self) -> &[CatalogChip] {
        &self.chips
    }

    /// All ids, in file order.
    pub fn ids(&self) -> Vec<&str> {
        self.chips.iter().map(|c| c.id.as_str()).collect()
    }

    /// Ids close to a mistyped one (edit distance or shared prefix), best first.
    pub fn close_ids(&self, wanted: &str) -> Vec<&str> {
        let mut scored: Vec<(f64, &str)> = self
            .chips
            .iter()
            .map(|c| (strsim::normalized_damerau_levenshtein(wanted, &c.id), c.id.as_str()))
            .filter(|(s, id)| {
                *s >= 0.6 || id.contains(wanted) || (wanted.len() >= 4 && wanted.contains(*id))
            })
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0));
        scored.into_iter().take(3).map(|(_, id)| id).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_catalog_has_the_required_ids() {
        let c = Catalog::bundled().unwrap();
        for id in [
            "nvidia-a100-sxm",
            "nvidia-a800-sxm",
            "nvidia-h100-sxm",
            "nvidia-h100-pcie",
            "nvidia-h800-sxm",
            "nvidia-h200-sxm",
            "nvidia-h20",
            "nvidia-l20",
            "nvidia-l40",
            "nvidia-l40s",
            "nvidia-rtx-4090",
            "nvidia-rtx-4090d",
            "nvidia-b200",
            "amd-mi300x",
            "amd-mi308x",
            "intel-gaudi-3",
            "huawei-ascend-910b",
            "huawei-ascend-910c",
        ] {
            assert!(c.get(id).is_some(), "{id}");
        }
    }

    #[test]
    fn numbers_without_provenance_are_rejected() {
        let bad = "[[chip]]\nid = \"x\"\nname = \"X\"\ndesigner = \"Y\"\ndie_area_mm2 = 5\n";
        let e = Catalog::from_toml(bad).unwrap_err();
        assert!(e.to_string().contains("`die_area_mm2` has no provenance"), "{e}");
    }

    #[test]
    fn close_ids_suggest_typos() {
        let c = Catalog::bundled().unwrap();
        assert_eq!(c.close_ids("nvidia-h100-sxn").first(), Some(&"nvidia-h100-sxm"));
        assert!(c.close_ids("h20").contains(&"nvidia-h20"));
    }
}
