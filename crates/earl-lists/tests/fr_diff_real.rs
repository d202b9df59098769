//! Federal Register rule import, amendment of the Entity List, and snapshot diffs, on the
//! real files (skipped when ../shared is absent).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail loudly"
)]

mod common;

use common::{alias_names, by_name, import_shared};
use earl_lists::diff::{diff, diff_sets, rescreen_targets};
use earl_lists::import::Format;
use earl_lists::import::fr_xml::apply_amendment;
use earl_lists::{Alias, AliasKind, Entry, ListId, ListKind, SnapshotSet};
use jiff::civil::date;

const EL: &str = "nsfreg-us-lists/bis_entity_list.json";
const RULE: &str = "federal-register/2023-03929.xml";

#[test]
fn rule_2023_03929() {
    let Some(rule) = import_shared(Format::FrXml, RULE, ListKind::EntityList) else {
        return;
    };
    // 10 entities under 13 entries: Canada 2, China 5, France 1, Luxembourg 1, Netherlands 1, Russia 3.
    assert_eq!(rule.entries.len(), 13);
    let mut by_country = std::collections::BTreeMap::new();
    for e in &rule.entries {
        *by_country.entry(e.country.clone().unwrap()).or_insert(0) += 1;
    }
    let expected: std::collections::BTreeMap<String, i32> =
        [("CA", 2), ("CN", 5), ("FR", 1), ("LU", 1), ("NL", 1), ("RU", 3)]
            .into_iter()
            .map(|(c, n)| (c.to_owned(), n))
            .collect();
    assert_eq!(by_country, expected);
    assert_eq!(rule.meta.as_of, date(2023, 2, 24));
    for e in &rule.entries {
        assert_eq!(e.footnotes, vec![3], "{}", e.name);
        assert_eq!(e.listed_on, Some(date(2023, 2, 24)));
        assert_eq!(e.federal_register[0].cite, "88 FR 12171");
        assert_eq!(e.federal_register[0].date, Some(date(2023, 2, 27)));
        assert!(e.license_policy.as_deref().unwrap().starts_with(
            "Policy of denial for all items subject to the EAR apart from food and medicine"
        ));
        assert!(e.id.starts_with("EL-"));
    }
    let en = by_name(&rule, "Electronic Network Inc.");
    assert_eq!(alias_names(en).len(), 6);
    assert!(alias_names(en).contains(&"Electronic's Network & Technology Corp."));
    // The address continued in the next table row belongs to the entry.
    assert_eq!(
        en.addresses,
        vec!["145 Montee De Liesse Ste 10 St. Laurent, Quebec H4T 1T9 Canada"]
    );
    let yunze = by_name(&rule, "Beijing Yunze Technology Co., Ltd.");
    assert_eq!(yunze.addresses.len(), 3);
    let spacety_cn = rule
        .entries
        .iter()
        .find(|e| e.name == "Spacety Co., Ltd." && e.country.as_deref() == Some("CN"))
        .unwrap();
    assert_eq!(
        spacety_cn.addresses[1],
        "Room 445, 9th Floor, Block B, No. 18 Zhongguancun Street, Haidian District, Beijing China"
    );
    insta::assert_json_snapshot!(
        "fr_2023_03929_china_head",
        by_name(&rule, "China HEAD Aerospace Technology Co.")
    );
}

#[test]
fn amendment_updates_the_bundled_entity_list() {
    let Some(el) = import_shared(Format::NsfregJson, EL, ListKind::EntityList) else {
        return;
    };
    let rule = import_shared(Format::FrXml, RULE, ListKind::EntityList).unwrap();
    // The July 2026 list already holds the 2023 additions: 12 under the same ids, and
    // "AOOK Technology Ltd." as "AOOK Technology Limited".
    let same_id = rule.entries.iter().filter(|r| el.entries.iter().any(|e| e.id == r.id)).count();
    assert_eq!(same_id, 12);
    let amended = apply_amendment(&el, &rule.entries);
    assert_eq!(amended.entries.len(), el.entries.len());
    // The rule brings the license review policy the eCFR extract lacks, and its citation
    // (placeholder resolved to 88 FR 12171) is the one the eCFR already carries.
    let aook = amended.entries.iter().find(|e| e.id == "EL-CN-aook-technology-limited").unwrap();
    assert!(aook.license_policy.is_some());
    assert_eq!(aook.federal_register.len(), 1);
    assert_eq!(amended.meta.entry_count, amended.entries.len());
    let d = diff(&el, &amended);
    assert!(d.added.is_empty() && d.removed.is_empty());
    assert_eq!(d.changed.len(), 13);
    assert!(d.changed.iter().all(|c| c.fields.iter().any(|f| f.field == "license_policy")));
    assert!(d.changed.iter().all(|c| !c.fields.iter().any(|f| f.field == "federal_register")));
}

fn alias(name: &str) -> Alias {
    Alias { name: name.into(), kind: AliasKind::Aka }
}

#[test]
fn entity_list_diff_is_exact() {
    let Some(old) = import_shared(Format::NsfregJson, EL, ListKind::EntityList) else {
        return;
    };
    let mut new = old.clone();
    // 1 removal
    let removed_id = "EL-AF-abdul-satar-ghoura";
    new.entries.retain(|e| e.id != removed_id);
    // 2 modifications: an alias added to Sugon, Biren's footnote 4 changed to 5
    let sugon = new.entries.iter_mut().find(|e| e.id == "EL-CN-sugon").unwrap();
    sugon.aliases.push(alias("Sugon Information Industry Co., Ltd."));
    let biren = new
        .entries
        .iter_mut()
        .find(|e| e.id == "EL-CN-beijing-biren-technology-development-co-ltd")
        .unwrap();
    biren.footnotes = vec![5];
    // 3 additions
    for (i, name) in [
        "Example Compute One Co., Ltd.",
        "Example Compute Two Co., Ltd.",
        "Example Lithography Ltd.",
    ]
    .iter()
    .enumerate()
    {
        let mut e = Entry::new(old.meta.id.clone(), format!("EL-CN-example-{i}"), *name);
        e.country = Some("CN".into());
        e.listed_on = Some(date(2026, 9, 1));
        e.footnotes = vec![5];
        new.entries.push(e);
    }
    let d = diff(&old, &new);
    assert_eq!(d.added.len(), 3);
    assert_eq!(d.removed.len(), 1);
    assert_eq!(d.removed[0].id, removed_id);
    assert_eq!(d.changed.len(), 2);
    assert_eq!(d.summary(), "3 added, 1 removed, 2 changed (aliases 1, footnotes 1)");
    insta::assert_json_snapshot!("entity_list_diff", d);

    // Set level: only touched entries are re-screened.
    let old_set = SnapshotSet { lists: vec![old] };
    let new_set = SnapshotSet { lists: vec![new] };
    let diffs = diff_sets(&old_set, &new_set);
    let targets = rescreen_targets(&diffs);
    assert_eq!(targets.len(), 5);
    assert!(targets.contains(&(ListId::from("test_list"), "EL-CN-sugon".to_owned())));
    assert!(!targets.iter().any(|(_, id)| id == removed_id));
}
