//! `nsfreg-json`: US list files of the nsfreg project (github.com/phagehunter/nsfreg,
//! `data/*.json`), shaped `{list_id, source_file, extracted, count, entities: [{name,
//! aliases[], country, address, status, effective_date, federal_register, notes}]}`.
//!
//! For the Entity List (`list_id` `bis-entity-list`, text of Supplement No. 4 to Part 744
//! from the eCFR) the cells are parsed with [`super::entity_list`]: citations and listing
//! date, license requirement and footnotes, addresses, affiliates, aliases. The license
//! review policy column is not in this source, so `license_policy` stays empty. For the
//! other lists, `effective_date` (or the earliest citation) is the listing date and `notes`
//! become remarks.

use serde::Deserialize;

use super::entity_list::{
    clean_alias, clean_name, first_listed, parse_address_cell, parse_fr_citations,
    parse_license_requirement, split_addresses, take_successor_clause,
};
use super::{
    Format, ImportError, ListTarget, Location, Parsed, add_remark, country_code, json_error, utf8,
};
use crate::model::{Alias, AliasKind, EntityType, Entry, Related, Relation};
use crate::text::{IdAllocator, has_non_latin_letters, non_empty, parse_date, slug};

const FORMAT: Format = Format::NsfregJson;

#[derive(Deserialize)]
struct File {
    list_id: String,
    #[serde(default)]
    extracted: Option<String>,
    #[serde(default)]
    count: Option<usize>,
    entities: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
struct Record {
    name: String,
    #[serde(default)]
    aliases: Option<Vec<String>>,
    #[serde(default)]
    country: Option<String>,
    #[serde(default)]
    address: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    effective_date: Option<String>,
    #[serde(default)]
    federal_register: Option<String>,
    #[serde(default)]
    notes: Option<String>,
}

/// Id prefix for a nsfreg `list_id`.
pub fn id_prefix(list_id: &str) -> String {
    match list_id {
        "bis-entity-list" => "EL".into(),
        "bis-meu" => "MEU".into(),
        "bis-dpl" => "DPL".into(),
        "ofac-nscmic" => "NSCMIC".into(),
        "ofac-eo14032" => "EO14032".into(),
        "dow-1260h" => "1260H".into(),
        "dow-1286" => "1286".into(),
        "state-nonproliferation" => "ISN".into(),
        "state-debarred-statutory" => "DTC".into(),
        "state-debarred-admin" => "DTC-ADM".into(),
        "dhs-uflpa" => "UFLPA".into(),
        "fcc-covered" => "FCC".into(),
        "cbp-wro" => "WRO".into(),
        other => other.to_ascii_uppercase(),
    }
}

/// Base id `<prefix>-<country code or XX>-<slug of name>`.
pub(crate) fn derived_id(prefix: &str, country: Option<&str>, name: &str) -> String {
    format!("{prefix}-{}-{}", country.unwrap_or("XX"), slug(name, 60))
}

/// Parse a nsfreg list file.
pub fn parse(list: &ListTarget, bytes: &[u8]) -> Result<Parsed, ImportError> {
    let text = utf8(FORMAT, bytes)?;
    let file: File = serde_json::from_str(text).map_err(|e| json_error(FORMAT, &e))?;
    let is_entity_list = file.list_id == "bis-entity-list";
    let prefix = list.id_prefix.clone().unwrap_or_else(|| id_prefix(&file.list_id));
    let mut ids = IdAllocator::default();
    let mut parsed =
        Parsed { as_of: file.extracted.as_deref().and_then(parse_date), ..Parsed::default() };
    if let Some(n) = file.count
        && n != file.entities.len()
    {
        parsed
            .notes
            .push(format!("source says count {n} but holds {} entities", file.entities.len()));
    }
    let mut truncated = 0usize;
    for (i, value) in file.entities.into_iter().enumerate() {
        let record: Record = serde_json::from_value(value)
            .map_err(|e| ImportError::new(FORMAT, Location::Record(i), None, e.to_string()))?;
        if record.name.trim().is_empty() {
            return Err(ImportError::new(FORMAT, Location::Record(i), Some("name"), "empty name"));
        }
        if record.notes.as_deref().is_some_and(|n| n.ends_with("...")) {
            truncated += 1;
        }
        let entry = if is_entity_list {
            entity_list_entry(list, &prefix, &mut ids, record)
        } else {
            generic_entry(list, &prefix, &mut ids, record)
        };
        parsed.entries.push(entry);
    }
    if is_entity_list {
        parsed.notes.push(
            "license review policy column is not in the eCFR-derived source: license_policy is empty; read the entry in the Federal Register rule that added it".into(),
        );
        parsed.notes.push(
            "footnotes recovered from digits the text extraction glued to the license-requirement column; affiliates named inside address cells are detected best effort (related, relation affiliate)".into(),
        );
    }
    if truncated > 0 {
        parsed.notes.push(format!(
            "{truncated} entries carry text cut off with \"...\" by the upstream extraction (license requirement or notes)"
        ));
    }
    Ok(parsed)
}

fn push_alias(entry: &mut Entry, name: String, kind: AliasKind) {
    let name = name.trim().to_owned();
    if name.is_empty() || name == entry.name || entry.aliases.iter().any(|a| a.name == name) {
        return;
    }
    let kind = if kind == AliasKind::Aka && has_non_latin_letters(&name) {
        AliasKind::OriginalScript
    } else {
        kind
    };
    entry.aliases.push(Alias { name, kind });
}

fn set_country(entry: &mut Entry, country: Option<&str>) {
    let Some(c) = country.and_then(non_empty) else {
        return;
    };
    match country_code(&c) {
        Some(code) => entry.country = Some(code),
        None => add_remark(entry, &format!("country: {c}")),
    }
}

fn entity_list_entry(list: &ListTarget, prefix: &str, ids: &mut IdAllocator, r: Record) -> Entry {
    let parts = clean_name(&r.name, r.address.as_deref());
    let mut name = parts.name;
    let mut successor = take_successor_clause(&mut name);
    let mut entry = Entry::new(list.id.clone(), String::new(), name);
    set_country(&mut entry, r.country.as_deref());
    for a in parts.aliases {
        push_alias(&mut entry, a.name, a.kind);
    }
    for raw in r.aliases.unwrap_or_default() {
        let (names, addresses) = clean_alias(&raw);
        for n in names {
            push_alias(&mut entry, n, AliasKind::Aka);
        }
        entry.addresses.extend(addresses);
    }
    if let Some(mut address) = parts.address {
        successor |= take_successor_clause(&mut address);
        let cell = parse_address_cell(&address);
        entry.addresses.extend(cell.addresses);
        entry.related.extend(cell.related);
        for remark in cell.remarks {
            add_remark(&mut entry, &remark);
        }
    }
    if successor {
        entry.related.push(Related {
            name: String::new(),
            relation: Relation::SuccessorClause,
            address: None,
        });
    }
    if let Some(fr) = r.federal_register.as_deref() {
        entry.federal_register = parse_fr_citations(fr);
        entry.listed_on = first_listed(&entry.federal_register);
    }
    if let Some(notes) = r.notes.as_deref() {
        let (text, footnotes) = parse_license_requirement(notes);
        entry.license_requirement = non_empty(&text);
        entry.footnotes = footnotes;
    }
    entry.id = ids.allocate(derived_id(prefix, entry.country.as_deref(), &entry.name));
    entry
}

fn generic_entry(list: &ListTarget, prefix: &str, ids: &mut IdAllocator, r: Record) -> Entry {
    let mut entry = Entry::new(list.id.clone(), String::new(), crate::text::squash(&r.name));
    set_country(&mut entry, r.country.as_deref());
    for raw in r.aliases.unwrap_or_default() {
        let (names, addresses) = clean_alias(&raw);
        for n in names {
            push_alias(&mut entry, n, AliasKind::Aka);
        }
        entry.addresses.extend(addresses);
    }
    if let Some(a) = r.address.as_deref() {
        entry.addresses.extend(split_addresses(a));
    }
    if let Some(fr) = r.federal_register.as_deref() {
        entry.federal_register = parse_fr_citations(fr);
    }
    entry.listed_on = r
        .effective_date
        .as_deref()
        .and_then(parse_date)
        .or_else(|| first_listed(&entry.federal_register));
    if let Some(status) = r.status.as_deref().and_then(non_empty) {
        add_remark(&mut entry, &format!("status: {status}"));
    }
    if let Some(notes) = r.notes.as_deref() {
        add_remark(&mut entry, &crate::text::squash(notes));
    }
    // Names written "LAST, First" with no company words are people on the debarment lists.
    if matches!(prefix, "DTC" | "DTC-ADM" | "DPL") && looks_like_person(&entry.name) {
        entry.entity_type = EntityType::Person;
    }
    entry.id = ids.allocate(derived_id(prefix, entry.country.as_deref(), &entry.name));
    entry
}

fn looks_like_person(name: &str) -> bool {
    const ORG: &[&str] = &[
        "inc",
        "ltd",
        "llc",
        "co",
        "corp",
        "company",
        "gmbh",
        "limited",
        "corporation",
        "trading",
        "international",
        "group",
        "sa",
        "s.a",
        "srl",
        "bv",
        "ag",
        "industries",
        "technologies",
        "technology",
        "enterprises",
        "services",
        "systems",
    ];
    let lower = name.to_lowercase();
    let has_org = lower
        .split(|c: char| !c.is_alphanumeric() && c != '.')
        .any(|w| ORG.contains(&w.trim_end_matches('.')));
    !has_org && name.matches(',').count() == 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ListKind;
    use jiff::civil::date;

    fn target() -> ListTarget {
        ListTarget::new("us_bis_entity_list", ListKind::EntityList, "Entity List")
    }

    fn fixture(entities: &str) -> String {
        format!(
            r#"{{"list_id":"bis-entity-list","source_file":"x","extracted":"2026-07-09","count":1,"entities":[{entities}]}}"#
        )
    }

    #[test]
    fn inline_entity_list_entry() {
        let json = fixture(
            r#"{"name":"Sugon","aliases":["Dawning","Zhongke Shuguang"],"country":"China","address":"Sugon Building, No. 36 Zhongguancun Software Park, Beijing; and No. 15, Haitai Huake Street, Tianjin.","status":null,"effective_date":null,"federal_register":"84 FR 29373, 6/24/19.\n87 FR 62202, 10/13/22","notes":"For all items subject to the EAR. (See §§ 734.9(e) and 744.11 of the EAR) 4"}"#,
        );
        let p = parse(&target(), json.as_bytes()).unwrap();
        assert_eq!(p.as_of, Some(date(2026, 7, 9)));
        let e = &p.entries[0];
        assert_eq!(e.id, "EL-CN-sugon");
        assert_eq!(e.listed_on, Some(date(2019, 6, 24)));
        assert_eq!(e.footnotes, vec![4]);
        assert_eq!(e.addresses.len(), 2);
        assert!(e.license_policy.is_none());
        insta::assert_json_snapshot!(e);
    }

    #[test]
    fn malformed_records_name_record_and_field() {
        let err =
            parse(&target(), fixture(r#"{"name":"A"},{"aliases":[]}"#).as_bytes()).unwrap_err();
        assert_eq!(err.to_string(), "nsfreg-json: record 1: missing field `name`");
        let err = parse(&target(), fixture(r#"{"name":"   "}"#).as_bytes()).unwrap_err();
        assert_eq!(err.to_string(), "nsfreg-json: record 0, field `name`: empty name");
        let err = parse(&target(), b"{\"list_id\": \"x\",\n \"entities\": [").unwrap_err();
        assert!(err.to_string().starts_with("nsfreg-json: line 2: invalid JSON"), "{err}");
        let err = parse(&target(), fixture(r#"{"name":"A","aliases":"not a list"}"#).as_bytes())
            .unwrap_err();
        assert!(err.to_string().contains("record 0"), "{err}");
    }

    #[test]
    fn unknown_country_kept_in_remarks() {
        let json = fixture(
            r#"{"name":"A","country":"Atlantis","federal_register":"80 FR 1, 1/2/15","notes":"x"}"#,
        );
        let p = parse(&target(), json.as_bytes()).unwrap();
        assert_eq!(p.entries[0].country, None);
        assert_eq!(p.entries[0].remarks.as_deref(), Some("country: Atlantis"));
        assert_eq!(p.entries[0].id, "EL-XX-a");
    }
}
