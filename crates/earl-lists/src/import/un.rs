//! `un-xml`: the UN Security Council Consolidated List XML (`CONSOLIDATED_LIST` with
//! `INDIVIDUALS/INDIVIDUAL` and `ENTITIES/ENTITY` records), read in one streaming pass.
//!
//! - id: `REFERENCE_NUMBER` (e.g. `QDi.001`), the UN's stable permanent reference;
//! - name: `FIRST_NAME` .. `FOURTH_NAME` joined with spaces;
//! - aliases: quality `Good` and `a.k.a.` are [`AliasKind::Aka`], `Low` is
//!   [`AliasKind::Weak`], `f.k.a.` is [`AliasKind::Fka`]; `NAME_ORIGINAL_SCRIPT` is
//!   [`AliasKind::OriginalScript`];
//! - `LISTED_ON` is the listing date; `UN_LIST_TYPE` (the sanctions regime) is the program;
//! - nationality, dates of birth, documents and addresses are kept; comments, designations
//!   and titles go to remarks. The snapshot date is the root's `dateGenerated`.

use super::xml::{Node, for_each_record};
use super::{Format, ImportError, ListTarget, Location, Parsed, add_remark, country_code, utf8};
use crate::model::{Alias, AliasKind, EntityType, Entry, Identifier};
use crate::text::{non_empty, parse_date, squash};

const FORMAT: Format = Format::UnXml;

/// Parse a UN consolidated list file.
pub fn parse(list: &ListTarget, bytes: &[u8]) -> Result<Parsed, ImportError> {
    let text = utf8(FORMAT, bytes)?;
    let mut parsed = Parsed::default();
    let mut index = 0usize;
    let mut seen = std::collections::HashSet::new();
    let root = for_each_record(
        FORMAT,
        text,
        |path| {
            path.len() == 3
                && matches!(path.get(2).map(String::as_str), Some("INDIVIDUAL" | "ENTITY"))
        },
        |node| {
            let entry = record(list, &node, index)?;
            index += 1;
            if !seen.insert(entry.id.clone()) {
                return Err(ImportError::new(
                    FORMAT,
                    Location::Line(node.line),
                    Some("REFERENCE_NUMBER"),
                    format!("duplicate reference number `{}`", entry.id),
                ));
            }
            if list.select.as_ref().is_none_or(|s| entry.programs.iter().any(|p| p == s)) {
                parsed.entries.push(entry);
            }
            Ok(())
        },
    )?;
    parsed.as_of = root.iter().find(|(k, _)| k == "dateGenerated").and_then(|(_, v)| parse_date(v));
    Ok(parsed)
}

fn record(list: &ListTarget, n: &Node, index: usize) -> Result<Entry, ImportError> {
    let individual = n.name == "INDIVIDUAL";
    let missing = |field: &str| {
        ImportError::new(
            FORMAT,
            Location::Line(n.line),
            Some(field),
            format!("record {index} ({}) has no {field}", n.name),
        )
    };
    let id = n
        .child_text("REFERENCE_NUMBER")
        .or_else(|| n.child_text("DATAID"))
        .ok_or_else(|| missing("REFERENCE_NUMBER"))?;
    let name_parts: Vec<String> = ["FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME"]
        .iter()
        .filter_map(|f| n.child_text(f))
        .collect();
    if name_parts.is_empty() {
        return Err(missing("FIRST_NAME"));
    }
    let mut e = Entry::new(list.id.clone(), id, name_parts.join(" "));
    e.entity_type = if individual { EntityType::Person } else { EntityType::Organization };
    if let Some(p) = n.child_text("UN_LIST_TYPE") {
        e.programs.push(p);
    }
    if let Some(d) = n.child_text("LISTED_ON") {
        e.listed_on = Some(parse_date(&d).ok_or_else(|| {
            ImportError::new(
                FORMAT,
                Location::Line(n.line),
                Some("LISTED_ON"),
                format!("not a date: `{d}`"),
            )
        })?);
    }
    if let Some(original) = n.child_text("NAME_ORIGINAL_SCRIPT") {
        push_alias(&mut e, original, AliasKind::OriginalScript);
    }
    let alias_tag = if individual { "INDIVIDUAL_ALIAS" } else { "ENTITY_ALIAS" };
    for a in n.children(alias_tag) {
        let Some(name) = a.child_text("ALIAS_NAME") else {
            continue;
        };
        let kind = match a.child_text("QUALITY").as_deref() {
            Some("Low") => AliasKind::Weak,
            Some("f.k.a.") => AliasKind::Fka,
            _ => AliasKind::Aka,
        };
        push_alias(&mut e, name, kind);
    }
    if let Some(nat) = n.child("NATIONALITY") {
        for v in nat.children("VALUE") {
            let Some(name) = non_empty(&v.text()) else { continue };
            match country_code(&name) {
                Some(code) if !e.nationalities.contains(&code) => e.nationalities.push(code),
                Some(_) => {}
                None => add_remark(&mut e, &format!("nationality: {name}")),
            }
        }
    }
    let address_tag = if individual { "INDIVIDUAL_ADDRESS" } else { "ENTITY_ADDRESS" };
    let mut address_country = None;
    for a in n.children(address_tag) {
        let parts: Vec<String> = ["STREET", "CITY", "STATE_PROVINCE", "ZIP_CODE", "COUNTRY"]
            .iter()
            .filter_map(|f| a.child_text(f))
            .collect();
        if parts.is_empty() {
            continue;
        }
        if address_country.is_none() {
            address_country = a.child_text("COUNTRY").as_deref().and_then(country_code);
        }
        let mut text = parts.join(", ");
        if let Some(note) = a.child_text("NOTE") {
            text.push_str(&format!(" ({note})"));
        }
        e.addresses.push(text);
    }
    e.country = if individual {
        e.nationalities.first().cloned().or(address_country)
    } else {
        address_country
    };
    for dob in n.children("INDIVIDUAL_DATE_OF_BIRTH") {
        if let Some(d) = date_of_birth(dob) {
            e.dates_of_birth.push(d);
        }
    }
    for doc in n.children("INDIVIDUAL_DOCUMENT") {
        let (Some(kind), Some(value)) =
            (doc.child_text("TYPE_OF_DOCUMENT"), doc.child_text("NUMBER"))
        else {
            continue;
        };
        let country = doc
            .child_text("ISSUING_COUNTRY")
            .or_else(|| doc.child_text("COUNTRY_OF_ISSUE"))
            .as_deref()
            .and_then(country_code);
        e.identifiers.push(Identifier { kind, value, country });
    }
    for (tag, label) in [("TITLE", "title"), ("DESIGNATION", "designation")] {
        if let Some(group) = n.child(tag) {
            let values: Vec<String> =
                group.children("VALUE").filter_map(|v| non_empty(&v.text())).collect();
            if !values.is_empty() {
                add_remark(&mut e, &format!("{label}: {}", values.join(", ")));
            }
        }
    }
    if let Some(c) = n.child_text("COMMENTS1") {
        add_remark(&mut e, &squash(&c));
    }
    Ok(e)
}

fn push_alias(e: &mut Entry, name: String, kind: AliasKind) {
    if name != e.name && !e.aliases.iter().any(|a| a.name == name) {
        e.aliases.push(Alias { name, kind });
    }
}

fn date_of_birth(n: &Node) -> Option<String> {
    let kind = n.child_text("TYPE_OF_DATE").unwrap_or_default();
    let value = n.child_text("DATE").or_else(|| n.child_text("YEAR"));
    match (kind.as_str(), value) {
        ("BETWEEN", _) => {
            let from = n.child_text("FROM_YEAR")?;
            let to = n.child_text("TO_YEAR")?;
            Some(format!("between {from} and {to}"))
        }
        ("APPROXIMATELY", Some(v)) => Some(format!("approximately {v}")),
        (_, Some(v)) => Some(v),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ListKind;

    fn target() -> ListTarget {
        ListTarget::new("un", ListKind::UnConsolidated, "UN")
    }

    const FIXTURE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<CONSOLIDATED_LIST dateGenerated="2026-02-27T00:00:09.554Z">
  <INDIVIDUALS>
    <INDIVIDUAL>
      <DATAID>1</DATAID>
      <FIRST_NAME>SADDAM</FIRST_NAME>
      <SECOND_NAME>HUSSEIN</SECOND_NAME>
      <THIRD_NAME>AL-TIKRITI</THIRD_NAME>
      <UN_LIST_TYPE>Iraq</UN_LIST_TYPE>
      <REFERENCE_NUMBER>IQi.001</REFERENCE_NUMBER>
      <LISTED_ON>2003-06-27</LISTED_ON>
      <NAME_ORIGINAL_SCRIPT>صدام حسين التكريتي</NAME_ORIGINAL_SCRIPT>
      <NATIONALITY><VALUE>Iraq</VALUE></NATIONALITY>
      <INDIVIDUAL_ALIAS><QUALITY>Low</QUALITY><ALIAS_NAME>Abu Ali</ALIAS_NAME></INDIVIDUAL_ALIAS>
      <INDIVIDUAL_ALIAS><QUALITY/><ALIAS_NAME/></INDIVIDUAL_ALIAS>
      <INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>EXACT</TYPE_OF_DATE><DATE>1937-04-28</DATE></INDIVIDUAL_DATE_OF_BIRTH>
      <INDIVIDUAL_DOCUMENT><TYPE_OF_DOCUMENT>Passport</TYPE_OF_DOCUMENT><NUMBER>A1</NUMBER><ISSUING_COUNTRY>Iraq</ISSUING_COUNTRY></INDIVIDUAL_DOCUMENT>
    </INDIVIDUAL>
  </INDIVIDUALS>
  <ENTITIES>
    <ENTITY>
      <FIRST_NAME>ADF</FIRST_NAME>
      <UN_LIST_TYPE>DRC</UN_LIST_TYPE>
      <REFERENCE_NUMBER>CDe.001</REFERENCE_NUMBER>
      <LISTED_ON>2014-06-30</LISTED_ON>
      <ENTITY_ALIAS><QUALITY>f.k.a.</QUALITY><ALIAS_NAME>ADF/NALU</ALIAS_NAME></ENTITY_ALIAS>
      <ENTITY_ADDRESS><STATE_PROVINCE>North Kivu </STATE_PROVINCE><COUNTRY>Democratic Republic of the Congo</COUNTRY></ENTITY_ADDRESS>
    </ENTITY>
  </ENTITIES>
</CONSOLIDATED_LIST>"#;

    #[test]
    fn inline_records() {
        let p = parse(&target(), FIXTURE.as_bytes()).unwrap();
        assert_eq!(p.as_of, Some(jiff::civil::date(2026, 2, 27)));
        assert_eq!(p.entries.len(), 2);
        let adf = &p.entries[1];
        assert_eq!(adf.country.as_deref(), Some("CD"));
        assert_eq!(adf.aliases[0].kind, AliasKind::Fka);
        insta::assert_json_snapshot!(p.entries[0]);
    }

    #[test]
    fn malformed_records() {
        let no_name = FIXTURE.replace("<FIRST_NAME>ADF</FIRST_NAME>", "");
        let err = parse(&target(), no_name.as_bytes()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "un-xml: line 21, field `FIRST_NAME`: record 1 (ENTITY) has no FIRST_NAME"
        );
        let bad_date = FIXTURE.replace("2014-06-30", "30 Juin");
        let err = parse(&target(), bad_date.as_bytes()).unwrap_err();
        assert_eq!(err.to_string(), "un-xml: line 21, field `LISTED_ON`: not a date: `30 Juin`");
        let truncated = FIXTURE.get(..FIXTURE.len() / 2).unwrap();
        assert!(parse(&target(), truncated.as_bytes()).is_err());
    }
}
