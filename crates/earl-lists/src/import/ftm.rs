//! `ftm-jsonl`: OpenSanctions FollowTheMoney entities, one JSON object per line
//! (`{"id", "schema", "properties": {prop: [values]}, "datasets": [...], "last_seen", ...}`),
//! as in `entities.ftm.json` exports and in `targets.nested.json` (where related entities
//! such as sanctions are nested objects inside `properties`).
//!
//! Parties are the entities of schema Person, Company, Organization, LegalEntity,
//! PublicBody, Vessel and Airplane. `Sanction` entities (top level, linked by their `entity`
//! property, or nested under `sanctions`) give the party's programs and listing date
//! (earliest `listingDate`, else `startDate`). Other schemas (Address, Identification,
//! Ownership, ...) are skipped and counted in the notes.
//!
//! Property mapping: `name` (first value is the name, others aliases), `alias` ->
//! [`AliasKind::Aka`], `weakAlias` -> [`AliasKind::Weak`], `previousName` ->
//! [`AliasKind::Fka`]; non-Latin aliases -> [`AliasKind::OriginalScript`]; `country`,
//! `jurisdiction`, `nationality`, `citizenship`, `address`, `birthDate`, identifier
//! properties (`registrationNumber`, `taxNumber`, `imoNumber`, ...), `topics`, `notes`,
//! `sourceUrl`. The snapshot date is the latest `last_seen`.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::{Map, Value};

use super::{Format, ImportError, ListTarget, Location, Parsed, add_remark, country_code, utf8};
use crate::model::{Alias, AliasKind, EntityType, Entry, Identifier};
use crate::text::{has_non_latin_letters, non_empty, parse_date};

const FORMAT: Format = Format::FtmJsonl;

#[derive(Deserialize)]
struct Raw {
    id: Option<String>,
    schema: Option<String>,
    #[serde(default)]
    properties: Map<String, Value>,
    #[serde(default)]
    datasets: Vec<String>,
    #[serde(default)]
    last_seen: Option<String>,
}

const ID_PROPS: &[&str] = &[
    "registrationNumber",
    "taxNumber",
    "idNumber",
    "passportNumber",
    "innCode",
    "ogrnCode",
    "leiCode",
    "swiftBic",
    "uscCode",
    "imoNumber",
    "mmsi",
    "callSign",
    "serialNumber",
];

fn entity_type(schema: &str) -> Option<EntityType> {
    match schema {
        "Person" => Some(EntityType::Person),
        "Company" | "Organization" | "LegalEntity" | "PublicBody" => Some(EntityType::Organization),
        "Vessel" => Some(EntityType::Vessel),
        "Airplane" => Some(EntityType::Aircraft),
        _ => None,
    }
}

/// String values of a property (nested entity objects are skipped).
fn strings<'a>(props: &'a Map<String, Value>, name: &str) -> impl Iterator<Item = String> + 'a {
    let values = props.get(name).and_then(Value::as_array);
    values.into_iter().flatten().filter_map(|v| v.as_str().and_then(non_empty))
}

#[derive(Default)]
struct SanctionInfo {
    programs: Vec<String>,
    listed: Option<jiff::civil::Date>,
}

fn sanction_info(props: &Map<String, Value>, info: &mut SanctionInfo) {
    // The program id ("US-BIS-EL") is stable across sources; the label is the fallback.
    let mut programs: Vec<String> = strings(props, "programId").collect();
    if programs.is_empty() {
        programs = strings(props, "program").collect();
    }
    for p in programs {
        if !info.programs.contains(&p) {
            info.programs.push(p);
        }
    }
    let dates = strings(props, "listingDate")
        .chain(strings(props, "startDate"))
        .filter_map(|d| parse_date(&d));
    for d in dates {
        info.listed = Some(info.listed.map_or(d, |old| old.min(d)));
    }
}

/// Parse FollowTheMoney JSON lines.
pub fn parse(list: &ListTarget, bytes: &[u8]) -> Result<Parsed, ImportError> {
    let text = utf8(FORMAT, bytes)?;
    let mut parsed = Parsed::default();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut sanctions: HashMap<String, SanctionInfo> = HashMap::new();
    let mut skipped: HashMap<String, usize> = HashMap::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = i as u64 + 1;
        if line.trim().is_empty() {
            continue;
        }
        let err = |field: Option<&str>, msg: String| {
            ImportError::new(FORMAT, Location::Line(line_no), field, msg)
        };
        let raw: Raw =
            serde_json::from_str(line).map_err(|e| err(None, format!("invalid JSON: {e}")))?;
        let schema = raw.schema.ok_or_else(|| err(Some("schema"), "missing".into()))?;
        let id =
            raw.id.and_then(|s| non_empty(&s)).ok_or_else(|| err(Some("id"), "missing".into()))?;
        let props = raw.properties;
        if schema == "Sanction" {
            for target in strings(&props, "entity") {
                sanction_info(&props, sanctions.entry(target).or_default());
            }
            continue;
        }
        let Some(kind) = entity_type(&schema) else {
            *skipped.entry(schema).or_default() += 1;
            continue;
        };
        if let Some(s) = raw.last_seen.as_deref().and_then(parse_date) {
            parsed.as_of = Some(parsed.as_of.map_or(s, |old| old.max(s)));
        }
        let mut names = strings(&props, "name");
        let name = names.next().ok_or_else(|| err(Some("properties.name"), "no name".into()))?;
        let mut e = Entry::new(list.id.clone(), id.clone(), name);
        e.entity_type = kind;
        let aliases = names
            .map(|n| (n, AliasKind::Aka))
            .chain(strings(&props, "alias").map(|n| (n, AliasKind::Aka)))
            .chain(strings(&props, "weakAlias").map(|n| (n, AliasKind::Weak)))
            .chain(strings(&props, "previousName").map(|n| (n, AliasKind::Fka)));
        for (n, k) in aliases {
            if n == e.name || e.aliases.iter().any(|a| a.name == n) {
                continue;
            }
            let k = if k == AliasKind::Aka && has_non_latin_letters(&n) {
                AliasKind::OriginalScript
            } else {
                k
            };
            e.aliases.push(Alias { name: n, kind: k });
        }
        e.country = strings(&props, "country")
            .chain(strings(&props, "jurisdiction"))
            .chain(strings(&props, "flag"))
            .find_map(|c| country_code(&c));
        for c in strings(&props, "nationality").chain(strings(&props, "citizenship")) {
            if let Some(code) = country_code(&c)
                && !e.nationalities.contains(&code)
            {
                e.nationalities.push(code);
            }
        }
        e.addresses = strings(&props, "address").collect();
        e.dates_of_birth = strings(&props, "birthDate").collect();
        for p in ID_PROPS {
            for v in strings(&props, p) {
                e.identifiers.push(Identifier { kind: (*p).to_owned(), value: v, country: None });
            }
        }
        let topics: Vec<String> = strings(&props, "topics").collect();
        if !topics.is_empty() {
            add_remark(&mut e, &format!("topics: {}", topics.join(", ")));
        }
        for n in strings(&props, "notes") {
            add_remark(&mut e, &n);
        }
        if !raw.datasets.is_empty() {
            add_remark(&mut e, &format!("datasets: {}", raw.datasets.join(", ")));
        }
        e.source_url = strings(&props, "sourceUrl").next();
        // Nested sanctions (targets.nested.json).
        let nested = props.get("sanctions").and_then(Value::as_array);
        for s in nested.into_iter().flatten() {
            if let Some(sp) = s.get("properties").and_then(Value::as_object) {
                sanction_info(sp, sanctions.entry(id.clone()).or_default());
            }
        }
        if index.insert(id.clone(), parsed.entries.len()).is_some() {
            return Err(err(Some("id"), format!("duplicate id `{id}`")));
        }
        parsed.entries.push(e);
    }
    for (id, info) in sanctions {
        if let Some(e) = index.get(&id).and_then(|&i| parsed.entries.get_mut(i)) {
            e.programs = info.programs;
            e.listed_on = info.listed;
        }
    }
    if list.select.is_some() {
        parsed.entries.retain(|e| list.select.as_ref().is_some_and(|s| e.programs.contains(s)));
    }
    let mut skipped: Vec<_> = skipped.into_iter().collect();
    skipped.sort();
    if !skipped.is_empty() {
        let list: Vec<String> = skipped.iter().map(|(s, n)| format!("{s} {n}")).collect();
        parsed.notes.push(format!("skipped non-party entities: {}", list.join(", ")));
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ListKind;

    // Hand-written after the FollowTheMoney schema (Person, Company, Vessel, Sanction,
    // Address); values are invented but shaped like OpenSanctions exports.
    const FIXTURE: &str = include_str!("../../tests/fixtures/ftm-sample.jsonl");

    fn target() -> ListTarget {
        ListTarget::new("os", ListKind::Other, "OpenSanctions sample")
    }

    #[test]
    fn fixture_entities() {
        let p = parse(&target(), FIXTURE.as_bytes()).unwrap();
        assert_eq!(p.entries.len(), 4);
        assert_eq!(p.as_of, Some(jiff::civil::date(2026, 3, 2)));
        let company = p.entries.iter().find(|e| e.id == "os-demo-co-1").unwrap();
        assert_eq!(company.entity_type, EntityType::Organization);
        assert_eq!(company.country.as_deref(), Some("CN"));
        assert_eq!(company.programs, vec!["US-BIS-EL"]);
        assert_eq!(company.listed_on, Some(jiff::civil::date(2019, 6, 24)));
        assert!(company.aliases.iter().any(|a| a.kind == AliasKind::OriginalScript));
        let vessel = p.entries.iter().find(|e| e.entity_type == EntityType::Vessel).unwrap();
        assert_eq!(vessel.identifiers[0].kind, "imoNumber");
        assert!(p.notes[0].contains("Address 1"));
        insta::assert_json_snapshot!(p.entries);
    }

    #[test]
    fn malformed_lines() {
        let err = parse(&target(), b"{\"id\":\"a\",\"schema\":\"Person\",\"properties\":{\"name\":[\"A\"]}}\n{\"id\":\"b\"}\n").unwrap_err();
        assert_eq!(err.to_string(), "ftm-jsonl: line 2, field `schema`: missing");
        let err = parse(&target(), b"{\"id\":\"a\",\"schema\":\"Person\",\"properties\":{}}\n")
            .unwrap_err();
        assert_eq!(err.to_string(), "ftm-jsonl: line 1, field `properties.name`: no name");
        let err = parse(&target(), b"\n{\"id\":\"a\",").unwrap_err();
        assert!(err.to_string().starts_with("ftm-jsonl: line 2: invalid JSON"), "{err}");
    }
}
