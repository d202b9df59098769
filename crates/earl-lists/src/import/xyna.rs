//! `xyna-json`: China MOFCOM and Japan METI lists as published by the
//! security-export-control-registry project (`data/entities/cn.json`, `jp.json`): a JSON
//! array of `{id, list_id, entity_name, aliases[], addresses[], country, date_added,
//! entity_type, reason, source_list_name, source_url, last_verified}`.
//!
//! `cn.json` holds three MOFCOM lists told apart by `list_id`
//! (`cn-unreliable-entity-list`, `cn-export-control-watchlist`, `cn-attention-list`); set
//! [`ListTarget::select`] to one of them to import a single list. The record's `country` is
//! the publishing country (`cn`/`jp`), not the party's, so the party's country comes from an
//! address that is just a country name, when there is one. Aliases in Chinese or Japanese
//! characters are [`AliasKind::OriginalScript`].

use serde::Deserialize;

use super::{
    Format, ImportError, ListTarget, Location, Parsed, add_remark, country_code, json_error, utf8,
};
use crate::model::{Alias, AliasKind, EntityType, Entry};
use crate::text::{IdAllocator, has_non_latin_letters, non_empty, parse_date, squash};

const FORMAT: Format = Format::XynaJson;

#[derive(Deserialize)]
struct Record {
    id: String,
    list_id: String,
    entity_name: String,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    addresses: Vec<String>,
    #[serde(default)]
    date_added: Option<String>,
    #[serde(default)]
    entity_type: Option<String>,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    source_list_name: Option<String>,
    #[serde(default)]
    source_url: Option<String>,
    #[serde(default)]
    last_verified: Option<String>,
}

/// Parse a registry list file.
pub fn parse(list: &ListTarget, bytes: &[u8]) -> Result<Parsed, ImportError> {
    let text = utf8(FORMAT, bytes)?;
    let values: Vec<serde_json::Value> =
        serde_json::from_str(text).map_err(|e| json_error(FORMAT, &e))?;
    let mut parsed = Parsed::default();
    let mut ids = IdAllocator::default();
    let mut recovered = 0usize;
    let mut renumbered = 0usize;
    for (i, value) in values.into_iter().enumerate() {
        let r: Record = serde_json::from_value(value)
            .map_err(|e| ImportError::new(FORMAT, Location::Record(i), None, e.to_string()))?;
        if list.select.as_ref().is_some_and(|s| *s != r.list_id) {
            continue;
        }
        let bad = |field: &str, msg: String| {
            ImportError::new(FORMAT, Location::Record(i), Some(field), msg)
        };
        let mut addresses: Vec<String> = r.addresses.iter().filter_map(|a| non_empty(a)).collect();
        let mut name = squash(&r.entity_name);
        if name.is_empty() {
            // Upstream extraction sometimes glues the name onto the country in the address
            // ("People's Republic of China Abascience Tech Co. Ltd").
            match addresses.first().and_then(|a| split_country_prefix(a)) {
                Some((country, rest)) => {
                    name = rest;
                    if let Some(first) = addresses.first_mut() {
                        *first = country;
                    }
                    recovered += 1;
                }
                None => return Err(bad("entity_name", "empty name".into())),
            }
        }
        let raw_id = r.id.trim();
        if raw_id.is_empty() {
            return Err(bad("id", "empty id".into()));
        }
        let id = ids.allocate(raw_id.to_owned());
        if id != raw_id {
            renumbered += 1;
        }
        let mut e = Entry::new(list.id.clone(), id, name);
        e.entity_type = match r.entity_type.as_deref() {
            Some("organization" | "company" | "entity") => EntityType::Organization,
            Some("person" | "individual") => EntityType::Person,
            _ => EntityType::Unknown,
        };
        for a in &r.aliases {
            let Some(a) = non_empty(a) else { continue };
            if a == e.name || e.aliases.iter().any(|x| x.name == a) {
                continue;
            }
            let kind =
                if has_non_latin_letters(&a) { AliasKind::OriginalScript } else { AliasKind::Aka };
            e.aliases.push(Alias { name: a, kind });
        }
        for a in addresses.drain(..) {
            if e.country.is_none() {
                e.country = country_code(&a);
            }
            e.addresses.push(a);
        }
        if let Some(d) = r.date_added.as_deref().and_then(non_empty) {
            e.listed_on = Some(
                parse_date(&d).ok_or_else(|| bad("date_added", format!("not a date: `{d}`")))?,
            );
        }
        if let Some(s) = r.source_list_name.as_deref().and_then(non_empty) {
            e.programs.push(s);
        }
        if let Some(reason) = r.reason.as_deref() {
            add_remark(&mut e, &squash(reason));
        }
        e.source_url = r.source_url.as_deref().and_then(non_empty);
        if let Some(v) = r.last_verified.as_deref().and_then(parse_date) {
            parsed.as_of = Some(parsed.as_of.map_or(v, |old| old.max(v)));
        }
        parsed.entries.push(e);
    }
    if recovered > 0 {
        parsed.notes.push(format!(
            "{recovered} records had an empty entity_name upstream; the name was recovered from the address field after its country name"
        ));
    }
    if renumbered > 0 {
        parsed.notes.push(format!(
            "{renumbered} records repeat an upstream id already used by another record; they got a `-2` style suffix in source order"
        ));
    }
    Ok(parsed)
}

/// Split "People's Republic of China Foo Co., Ltd." into the country name and the rest, using
/// the longest leading run of up to six words that names a country.
fn split_country_prefix(text: &str) -> Option<(String, String)> {
    let words: Vec<&str> = text.split_whitespace().collect();
    (1..=words.len().saturating_sub(1).min(6)).rev().find_map(|n| {
        let head = words.get(..n)?.join(" ");
        let rest = words.get(n..)?.join(" ");
        crate::country::code_from_name(&head).map(|_| (head, rest))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ListKind;

    const FIXTURE: &str = r#"[
      {"addresses": [], "aliases": ["斯巴鲁株式会社"], "country": "cn", "date_added": "2026-02-24", "entity_name": "SUBARU Corporation", "entity_type": "organization", "id": "cn-att-20260224-1", "last_verified": "2026-07-19", "list_id": "cn-attention-list", "reason": "r", "source_list_name": "关注名单 (Attention List)", "source_url": "https://example.invalid/a"},
      {"addresses": ["United Arab Emirates"], "aliases": ["Emirates Alloys"], "country": "jp", "date_added": null, "entity_name": "Emirates Alloys LLC", "entity_type": "organization", "id": "jp-eul-10", "last_verified": "2026-07-20", "list_id": "jp-end-user-list", "reason": "N", "source_list_name": "外国ユーザーリスト", "source_url": null}
    ]"#;

    #[test]
    fn inline_records_and_selection() {
        let t = ListTarget::new("x", ListKind::Other, "X");
        let p = parse(&t, FIXTURE.as_bytes()).unwrap();
        assert_eq!(p.entries.len(), 2);
        assert_eq!(p.as_of, Some(jiff::civil::date(2026, 7, 20)));
        assert_eq!(p.entries[0].aliases[0].kind, AliasKind::OriginalScript);
        assert_eq!(p.entries[0].country, None);
        assert_eq!(p.entries[1].country.as_deref(), Some("AE"));
        let mut t = t;
        t.select = Some("cn-attention-list".into());
        let p = parse(&t, FIXTURE.as_bytes()).unwrap();
        assert_eq!(p.entries.len(), 1);
        insta::assert_json_snapshot!(p.entries[0]);
    }

    #[test]
    fn upstream_artifacts_are_repaired() {
        let t = ListTarget::new("x", ListKind::Other, "X");
        let json = r#"[
          {"id": "a", "list_id": "l", "entity_name": "", "addresses": ["People's Republic of China Abascience Tech Co. Ltd"]},
          {"id": "a", "list_id": "l", "entity_name": "Other", "addresses": []}
        ]"#;
        let p = parse(&t, json.as_bytes()).unwrap();
        assert_eq!(p.entries[0].name, "Abascience Tech Co. Ltd");
        assert_eq!(p.entries[0].country.as_deref(), Some("CN"));
        assert_eq!(p.entries[0].addresses, vec!["People's Republic of China"]);
        assert_eq!(p.entries[1].id, "a-2");
        assert_eq!(p.notes.len(), 2);
        let err =
            parse(&t, br#"[{"id": "a", "list_id": "l", "entity_name": " ", "addresses": []}]"#)
                .unwrap_err();
        assert_eq!(err.to_string(), "xyna-json: record 0, field `entity_name`: empty name");
    }

    #[test]
    fn malformed_records() {
        let t = ListTarget::new("x", ListKind::Other, "X");
        let err =
            parse(&t, FIXTURE.replace("\"2026-02-24\"", "\"someday\"").as_bytes()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "xyna-json: record 0, field `date_added`: not a date: `someday`"
        );
        let err =
            parse(&t, FIXTURE.replace("\"entity_name\": \"SUBARU Corporation\", ", "").as_bytes())
                .unwrap_err();
        assert_eq!(err.to_string(), "xyna-json: record 0: missing field `entity_name`");
        let err = parse(&t, b"[{\"id\": 1}").unwrap_err();
        assert!(err.to_string().starts_with("xyna-json: line 1: invalid JSON"), "{err}");
    }
}
