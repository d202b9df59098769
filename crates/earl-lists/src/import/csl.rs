//! `csl-csv`: the trade.gov Consolidated Screening List CSV.
//!
//! Two header layouts exist and are told apart by the header row: the current 29 columns
//! (`_id,source,entity_number,type,programs,name,...,ids`) and the older 28 without `_id`.
//! Columns are looked up by name, so their order does not matter.
//!
//! Each row keeps its source list as the first program, as the short code in the `source`
//! text (`Entity List (EL) - Bureau of Industry and Security` -> `EL`), so a consolidated
//! import can be split by list with [`ListTarget::select`] (e.g. `EL`, `MEU`, `DPL`, `SDN`).
//! Entity List rows carry license requirement, license policy, FR notice and start date.
//! Ids: the row's `_id` when present, else `<code>-<entity_number>`, else derived from
//! country and name.

use std::collections::HashMap;

use super::entity_list::{
    parse_fr_citations, parse_license_requirement, split_addresses, take_successor_clause,
};
use super::nsfreg::derived_id;
use super::{Format, ImportError, ListTarget, Location, Parsed, add_remark, country_code, utf8};
use crate::model::{Alias, AliasKind, EntityType, Entry, Identifier, Related, Relation};
use crate::text::{IdAllocator, has_non_latin_letters, non_empty, parse_date};

const FORMAT: Format = Format::CslCsv;

const REQUIRED: &[&str] =
    &["source", "name", "addresses", "alt_names", "federal_register_notice", "start_date"];

/// The short code of a CSL `source` value: the text in the last parentheses before " - ".
pub fn source_code(source: &str) -> String {
    let head = source.split(" - ").next().unwrap_or(source);
    match (head.rfind('('), head.rfind(')')) {
        (Some(a), Some(b)) if a < b => head.get(a + 1..b).unwrap_or(head).trim().to_owned(),
        _ => head.trim().to_owned(),
    }
}

/// Parse a CSL CSV file.
pub fn parse(list: &ListTarget, bytes: &[u8]) -> Result<Parsed, ImportError> {
    let text = utf8(FORMAT, bytes)?;
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| ImportError::new(FORMAT, Location::Line(1), None, format!("header: {e}")))?
        .clone();
    let col: HashMap<&str, usize> = header.iter().enumerate().map(|(i, h)| (h.trim(), i)).collect();
    for r in REQUIRED {
        if !col.contains_key(r) {
            return Err(ImportError::new(
                FORMAT,
                Location::Line(1),
                Some(r),
                "column missing from header",
            ));
        }
    }
    let mut parsed = Parsed::default();
    parsed.notes.push(format!(
        "CSL header with {} columns ({})",
        header.len(),
        if col.contains_key("_id") {
            "current layout with _id"
        } else {
            "older layout without _id"
        }
    ));
    let mut ids = IdAllocator::default();
    for row in reader.records() {
        let row = row.map_err(|e| {
            let line = e.position().map_or(0, csv::Position::line);
            ImportError::new(FORMAT, Location::Line(line), None, e.to_string())
        })?;
        let line = row.position().map_or(0, csv::Position::line);
        if row.len() != header.len() {
            return Err(ImportError::new(
                FORMAT,
                Location::Line(line),
                None,
                format!("expected {} columns, found {}", header.len(), row.len()),
            ));
        }
        let get = |name: &str| col.get(name).and_then(|&i| row.get(i)).and_then(non_empty);
        let source = get("source").ok_or_else(|| {
            ImportError::new(FORMAT, Location::Line(line), Some("source"), "empty source")
        })?;
        let code = source_code(&source);
        if list.select.as_ref().is_some_and(|s| *s != code) {
            continue;
        }
        let mut name = get("name").ok_or_else(|| {
            ImportError::new(FORMAT, Location::Line(line), Some("name"), "empty name")
        })?;
        let successor = take_successor_clause(&mut name);
        let mut e = Entry::new(list.id.clone(), String::new(), name);
        if successor {
            e.related.push(Related {
                name: String::new(),
                relation: Relation::SuccessorClause,
                address: None,
            });
        }
        e.entity_type = match get("type").as_deref() {
            Some("Individual") => EntityType::Person,
            Some("Entity") => EntityType::Organization,
            Some("Vessel") => EntityType::Vessel,
            Some("Aircraft") => EntityType::Aircraft,
            _ => EntityType::Unknown,
        };
        e.programs.push(code.clone());
        for p in get("programs").unwrap_or_default().split(';') {
            if let Some(p) = non_empty(p)
                && !e.programs.contains(&p)
            {
                e.programs.push(p);
            }
        }
        for a in split_addresses(&get("addresses").unwrap_or_default()) {
            // Addresses end with the ISO code of their country: "..., Xian, China, CN".
            if e.country.is_none() {
                e.country = a.rsplit(", ").next().and_then(country_code);
            }
            e.addresses.push(a);
        }
        for a in get("alt_names").unwrap_or_default().split("; ") {
            let a = a.trim().trim_start_matches("and ").trim_end_matches('.').trim();
            if a.is_empty() || a == e.name || e.aliases.iter().any(|x| x.name == a) {
                continue;
            }
            let kind =
                if has_non_latin_letters(a) { AliasKind::OriginalScript } else { AliasKind::Aka };
            e.aliases.push(Alias { name: a.to_owned(), kind });
        }
        let date = |field: &str| -> Result<Option<jiff::civil::Date>, ImportError> {
            match get(field) {
                None => Ok(None),
                Some(v) => parse_date(&v).map(Some).ok_or_else(|| {
                    ImportError::new(
                        FORMAT,
                        Location::Line(line),
                        Some(field),
                        format!("not a date: `{v}`"),
                    )
                }),
            }
        };
        e.listed_on = date("start_date")?;
        e.delisted_on = date("end_date")?;
        if let Some(fr) = get("federal_register_notice") {
            e.federal_register = parse_fr_citations(&fr);
            // The CSL gives the notice without its date; the start date is its effective date.
            if let [only] = e.federal_register.as_mut_slice()
                && only.date.is_none()
            {
                only.date = e.listed_on;
            }
        }
        if let Some(lr) = get("license_requirement") {
            if code == "EL" {
                let (text, footnotes) = parse_license_requirement(&lr);
                e.license_requirement = non_empty(&text);
                e.footnotes = footnotes;
            } else {
                e.license_requirement = Some(lr);
            }
        }
        e.license_policy = get("license_policy");
        for field in ["citizenships", "nationalities"] {
            for c in get(field).unwrap_or_default().split(';') {
                if let Some(code) = country_code(c)
                    && !e.nationalities.contains(&code)
                {
                    e.nationalities.push(code);
                }
            }
        }
        for d in get("dates_of_birth").unwrap_or_default().split(';') {
            if let Some(d) = non_empty(d) {
                e.dates_of_birth.push(d);
            }
        }
        for i in get("ids").unwrap_or_default().split("; ") {
            if let Some(id) = parse_id(i) {
                e.identifiers.push(id);
            }
        }
        if let Some(c) = get("call_sign") {
            e.identifiers.push(Identifier { kind: "Call Sign".into(), value: c, country: None });
        }
        for (field, label) in [
            ("title", "title"),
            ("places_of_birth", "place of birth"),
            ("standard_order", "standard order"),
            ("vessel_type", "vessel type"),
            ("vessel_flag", "vessel flag"),
            ("vessel_owner", "vessel owner"),
            ("remarks", "remarks"),
        ] {
            if let Some(v) = get(field) {
                add_remark(&mut e, &format!("{label}: {v}"));
            }
        }
        e.source_url = get("source_information_url").or_else(|| get("source_list_url"));
        let base = match (get("_id"), get("entity_number")) {
            (Some(id), _) => id,
            (None, Some(n)) => format!("{code}-{n}"),
            (None, None) => derived_id(&code, e.country.as_deref(), &e.name),
        };
        e.id = ids.allocate(base);
        parsed.entries.push(e);
    }
    Ok(parsed)
}

/// `US, 80-0890696, Tax ID No.` or `IMO 8898831, Vessel Registration Identification`.
fn parse_id(text: &str) -> Option<Identifier> {
    let parts: Vec<&str> = text.split(", ").map(str::trim).collect();
    match parts.as_slice() {
        [c, value, kind] if c.len() == 2 => Some(Identifier {
            kind: (*kind).to_owned(),
            value: (*value).to_owned(),
            country: country_code(c),
        }),
        [value, kind] if !value.is_empty() && !kind.is_empty() => {
            Some(Identifier { kind: (*kind).to_owned(), value: (*value).to_owned(), country: None })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ListKind;

    const NEW: &str = "_id,source,entity_number,type,programs,name,title,addresses,federal_register_notice,start_date,end_date,standard_order,license_requirement,license_policy,call_sign,vessel_type,gross_tonnage,gross_registered_tonnage,vessel_flag,vessel_owner,remarks,source_list_url,alt_names,citizenships,dates_of_birth,nationalities,places_of_birth,source_information_url,ids\n\
\"233a\",\"Nonproliferation Sanctions (ISN) - State Department\",\"\",\"\",\"INKSNA\",\"Sinobright Import and Export Company; and any successor, sub-unit, or subsidiary thereof\",\"\",\"\",\"Vol. 88, No. 151, 08/08/2023\",\"2023-07-19\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\"\n\
\"e1\",\"Entity List (EL) - Bureau of Industry and Security\",\"\",\"Entity\",\"\",\"Sugon\",\"\",\"Sugon Building, Beijing, CN; No. 15, Tianjin, CN\",\"84 FR 29373\",\"2019-06-24\",\"\",\"\",\"For all items subject to the EAR. (See §§ 734.9(e) and 744.11 of the EAR) 4\",\"Presumption of denial.\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"Dawning; Zhongke Shuguang; 中科曙光\",\"\",\"\",\"\",\"\",\"https://example.invalid\",\"US, 80-0890696, Tax ID No.\"\n";

    fn target() -> ListTarget {
        ListTarget::new("csl", ListKind::Consolidated, "CSL")
    }

    #[test]
    fn current_header_rows() {
        let p = parse(&target(), NEW.as_bytes()).unwrap();
        assert_eq!(p.entries.len(), 2);
        let isn = &p.entries[0];
        assert_eq!(isn.name, "Sinobright Import and Export Company");
        assert_eq!(isn.related[0].relation, Relation::SuccessorClause);
        assert_eq!(isn.programs, vec!["ISN", "INKSNA"]);
        let el = &p.entries[1];
        assert_eq!(el.footnotes, vec![4]);
        assert_eq!(el.license_policy.as_deref(), Some("Presumption of denial."));
        assert_eq!(el.country.as_deref(), Some("CN"));
        assert_eq!(el.aliases[2].kind, AliasKind::OriginalScript);
        insta::assert_json_snapshot!(el);
        let mut t = target();
        t.select = Some("EL".into());
        assert_eq!(parse(&t, NEW.as_bytes()).unwrap().entries.len(), 1);
    }

    #[test]
    fn source_codes() {
        assert_eq!(source_code("Entity List (EL) - Bureau of Industry and Security"), "EL");
        assert_eq!(
            source_code("Military End User (MEU) List - Bureau of Industry and Security"),
            "MEU"
        );
        assert_eq!(
            source_code("Specially Designated Nationals (SDN) - Treasury Department"),
            "SDN"
        );
    }

    #[test]
    fn malformed_rows() {
        let err = parse(&target(), b"source,name\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "csl-csv: line 1, field `addresses`: column missing from header"
        );
        let bad = format!("{}\n\"x\",\"y\"\n", NEW.lines().next().unwrap());
        let err = parse(&target(), bad.as_bytes()).unwrap_err();
        assert_eq!(err.to_string(), "csl-csv: line 2: expected 29 columns, found 2");
        let bad = NEW.replace("\"2019-06-24\"", "\"24.06.2019\"");
        let err = parse(&target(), bad.as_bytes()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "csl-csv: line 3, field `start_date`: not a date: `24.06.2019`"
        );
    }
}
