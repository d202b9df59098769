//! The nsfreg importer on the real July 2026 files (skipped when ../shared is absent).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail loudly"
)]

mod common;

use common::{alias_names, by_name, import_shared};
use earl_lists::import::Format;
use earl_lists::{ListKind, Relation};
use jiff::civil::date;

const EL: &str = "nsfreg-us-lists/bis_entity_list.json";

#[test]
fn entity_list_counts_and_dates() {
    let Some(el) = import_shared(Format::NsfregJson, EL, ListKind::EntityList) else {
        return;
    };
    assert_eq!(el.entries.len(), 3409);
    assert_eq!(el.meta.as_of, date(2026, 7, 9));
    assert_eq!(el.meta.entry_count, 3409);
    // Every entry has a citation date, hence a listing date, except the four whose last
    // citation lacks one but whose first has one: all entries end up dated.
    let undated: Vec<_> =
        el.entries.iter().filter(|e| e.listed_on.is_none()).map(|e| &e.name).collect();
    assert!(undated.len() <= 3, "{undated:?}");
    assert!(el.entries.iter().all(|e| e.license_policy.is_none()));
    assert!(el.meta.notes.iter().any(|n| n.contains("license review policy")));
    // Ids are unique (duplicates such as two "Wong Yung Fai" entries get -2).
    let ids: std::collections::HashSet<_> = el.entries.iter().map(|e| &e.id).collect();
    assert_eq!(ids.len(), el.entries.len());
    assert!(el.entries.iter().any(|e| e.id == "EL-CN-wong-yung-fai-2"));
    let china = el.entries.iter().filter(|e| e.country.as_deref() == Some("CN")).count();
    assert_eq!(china, 1106);
    let unmapped: Vec<_> = el.entries.iter().filter(|e| e.country.is_none()).collect();
    assert!(
        unmapped.is_empty(),
        "unmapped countries: {:?}",
        unmapped.iter().map(|e| &e.remarks).collect::<Vec<_>>()
    );
}

#[test]
fn entity_list_footnotes() {
    let Some(el) = import_shared(Format::NsfregJson, EL, ListKind::EntityList) else {
        return;
    };
    let huawei = by_name(&el, "Huawei Technologies Co., Ltd.");
    assert_eq!(huawei.id, "EL-CN-huawei-technologies-co-ltd");
    assert_eq!(huawei.footnotes, vec![1, 2]);
    assert_eq!(
        huawei.license_requirement.as_deref(),
        Some("For all items subject to the EAR, see §§ 734.9(e) and 744.11 of the EAR")
    );
    assert_eq!(huawei.listed_on, Some(date(2019, 5, 21)));

    let sugon = by_name(&el, "Sugon");
    assert_eq!(sugon.footnotes, vec![4]);
    assert!(alias_names(sugon).contains(&"Zhongke Shuguang"));
    assert_eq!(sugon.listed_on, Some(date(2019, 6, 24)));
    assert_eq!(sugon.federal_register.len(), 2);

    let biren = by_name(&el, "Shanghai Biren Intelligent Technology Co., Ltd.");
    assert_eq!(biren.footnotes, vec![4]);
    assert_eq!(biren.listed_on, Some(date(2023, 10, 19)));
    assert!(alias_names(biren).contains(&"Biren"));

    let sicarrier = by_name(&el, "Shenzhen SiCarrier Technologies Co., Ltd.");
    assert_eq!(sicarrier.listed_on, Some(date(2024, 12, 5)));
    assert!(sicarrier.footnotes.is_empty());
    assert!(alias_names(sicarrier).contains(&"Huawei Starlight Department"));
    assert_eq!(sicarrier.addresses.len(), 7);

    // Footnote 5 (Dec 2024): 16 designations in this snapshot, SMIC among them.
    let fn5: Vec<_> = el.entries.iter().filter(|e| e.footnotes.contains(&5)).collect();
    assert_eq!(fn5.len(), 16);
    let smic = by_name(&el, "Semiconductor Manufacturing International Corporation (SMIC)");
    assert_eq!(smic.footnotes, vec![5]);
    let ime = by_name(&el, "Chinese Academy of Sciences Institute of Microelectronics");
    assert_eq!(ime.listed_on, Some(date(2024, 12, 5)));
    assert_eq!(ime.footnotes, vec![5]);

    // Footnote 3: Russian and Belarusian military end users; the "(g),3" digit is not kept
    // in the text and section numbers never become footnotes.
    let fn3 = el.entries.iter().filter(|e| e.footnotes.contains(&3)).count();
    assert!(fn3 > 700, "{fn3}");
    let ru = el
        .entries
        .iter()
        .filter(|e| e.country.as_deref() == Some("RU") && e.footnotes == [3])
        .count();
    assert!(ru > 500, "{ru}");
    for e in &el.entries {
        assert!(e.footnotes.iter().all(|f| (1..=5).contains(f)), "{}", e.name);
        if let Some(lr) = &e.license_requirement {
            assert!(!lr.contains("(g),3") && !lr.contains("(e) 1 "), "{lr}");
        }
    }
    // Footnote 1 is Huawei's family only.
    let fn1: Vec<_> = el.entries.iter().filter(|e| e.footnotes.contains(&1)).collect();
    assert_eq!(fn1.len(), 130);
    assert!(fn1.iter().all(|e| e.name.contains("Huawei")
        || e.aliases.iter().any(|a| a.name.contains("Huawei"))
        || e.footnotes == [1, 2]));
}

#[test]
fn entity_list_related_parties_and_aliases() {
    let Some(el) = import_shared(Format::NsfregJson, EL, ListKind::EntityList) else {
        return;
    };
    let huawei = by_name(&el, "Huawei Technologies Co., Ltd.");
    let affiliates: Vec<_> = huawei
        .related
        .iter()
        .filter(|r| r.relation == Relation::Affiliate)
        .map(|r| r.name.as_str())
        .collect();
    for expected in [
        "Hangzhou Huawei Communication Technology Co., Ltd.",
        "Hangzhou New Longshine Information Technology Co., Ltd.",
        "Huawei Digital Technologies (Suzhou) Co., Ltd.",
        "Huahai Zhihui Technology Co., Ltd.",
        "Huawei Technologies Co., Ltd. Beijing Research Institute",
        "Zhejiang Huawei Communications Technology Co., Ltd.",
    ] {
        assert!(affiliates.contains(&expected), "{expected} missing from {affiliates:?}");
    }
    assert_eq!(affiliates.len(), 22);
    // The affiliates' addresses are not mixed into Huawei's own.
    assert_eq!(huawei.addresses.len(), 7);
    assert!(huawei.addresses.iter().all(|a| !a.contains("Longshine")));

    let cetc38 = by_name(
        &el,
        "China Electronics Technology Group Corporation 38th Research Institute (CETC 38)",
    );
    let subs: Vec<_> =
        cetc38.related.iter().filter(|r| r.relation == Relation::Subordinate).collect();
    assert_eq!(subs.len(), 7);

    let sab = by_name(&el, "Sabanican Company");
    assert_eq!(alias_names(sab), vec!["Sabanican Pad Co."]);
    assert!(sab.addresses[0].starts_with("Unit #23"));

    let bowei = by_name(
        &el,
        "China Electronics Technology Group Corporation 13th Research Institute (CETC 13) subordinate institution: Bowei Integrated Circuits",
    );
    assert!(alias_names(bowei).contains(&"Bowei Integrated Circuits"));

    // No alias keeps list punctuation from the extraction.
    for e in &el.entries {
        for a in &e.aliases {
            assert!(!a.name.ends_with("; and") && !a.name.ends_with(';'), "{}: {}", e.name, a.name);
            assert!(!a.name.is_empty());
        }
    }
}

#[test]
fn entity_list_sample_snapshot() {
    let Some(el) = import_shared(Format::NsfregJson, EL, ListKind::EntityList) else {
        return;
    };
    let picks: Vec<_> = [
        "Sugon",
        "Shenzhen SiCarrier Technologies Co., Ltd.",
        "Beijing Biren Technology Development Co., Ltd.",
        "Abdul Satar Ghoura",
    ]
    .iter()
    .map(|n| by_name(&el, n))
    .collect();
    insta::assert_json_snapshot!(picks);
}

#[test]
fn other_nsfreg_lists() {
    let Some(dpl) =
        import_shared(Format::NsfregJson, "nsfreg-us-lists/bis_dpl.json", ListKind::DeniedPersons)
    else {
        return;
    };
    assert_eq!(dpl.entries.len(), 564);
    let adt = by_name(&dpl, "ADT ANALOG AND DIGITAL TECHNIK");
    assert_eq!(adt.listed_on, Some(date(1981, 9, 10)));
    assert_eq!(adt.country.as_deref(), Some("DE"));
    assert_eq!(adt.federal_register.len(), 2);

    let meu = import_shared(
        Format::NsfregJson,
        "nsfreg-us-lists/bis_meu.json",
        ListKind::MilitaryEndUser,
    )
    .unwrap();
    assert_eq!(meu.entries.len(), 70);
    assert!(meu.entries.iter().all(|e| e.id.starts_with("MEU-")));
    assert_eq!(
        by_name(&meu, "AECC Aero Science & Technology Co. Ltd.").listed_on,
        Some(date(2020, 12, 23))
    );

    let cmic =
        import_shared(Format::NsfregJson, "nsfreg-us-lists/ofac_nscmic.json", ListKind::Other)
            .unwrap();
    assert_eq!(cmic.entries.len(), 68);
    let original: usize = cmic
        .entries
        .iter()
        .filter(|e| e.aliases.iter().any(|a| a.kind == earl_lists::AliasKind::OriginalScript))
        .count();
    assert_eq!(original, 6);

    let uflpa =
        import_shared(Format::NsfregJson, "nsfreg-us-lists/dhs_uflpa.json", ListKind::Other)
            .unwrap();
    assert_eq!(uflpa.entries[0].listed_on, Some(date(2022, 6, 21)));

    let h1260 =
        import_shared(Format::NsfregJson, "nsfreg-us-lists/dow_1260h.json", ListKind::Other)
            .unwrap();
    assert_eq!(h1260.entries.len(), 80);
    assert_eq!(h1260.entries[0].federal_register[0].cite, "91 FR 35189");
    assert_eq!(h1260.entries[0].listed_on, Some(date(2026, 6, 10)));

    let wro =
        import_shared(Format::NsfregJson, "nsfreg-us-lists/cbp_wro.json", ListKind::Other).unwrap();
    assert_eq!(wro.entries.len(), 67);
}
