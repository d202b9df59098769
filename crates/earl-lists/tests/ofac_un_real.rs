//! OFAC CSV and UN XML importers on the real files (skipped when ../shared is absent).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail loudly"
)]

mod common;

use common::{alias_names, import_shared, shared};
use earl_lists::import::ofac::import_ofac;
use earl_lists::import::{Format, ListTarget};
use earl_lists::{AliasKind, EntityType, ListKind, Relation};
use jiff::civil::date;

fn sdn() -> Option<earl_lists::ListSnapshot> {
    let prim = shared("moov-watchman/ofac-sdn-2021-07.csv")?;
    let add = shared("moov-watchman/ofac-sdn-add-2021-07.csv")?;
    let alt = shared("moov-watchman/ofac-sdn-alt-2021-07.csv")?;
    let com = shared("moov-watchman/ofac-sdn-comments-2021-07.csv")?;
    let t = ListTarget::new("us_ofac_sdn", ListKind::OfacSdn, "SDN");
    Some(
        import_ofac(&prim, Some(&add), Some(&alt), Some(&com), &t, Some(date(2021, 7, 7))).unwrap(),
    )
}

#[test]
fn ofac_sdn_2021() {
    let Some(s) = sdn() else { return };
    assert_eq!(s.entries.len(), 8976);
    let persons = s.entries.iter().filter(|e| e.entity_type == EntityType::Person).count();
    assert_eq!(persons, 4620);
    assert_eq!(s.entries.iter().filter(|e| e.entity_type == EntityType::Vessel).count(), 406);
    // 11,910 alias rows, all attached to an entry.
    let strong: usize = s
        .entries
        .iter()
        .map(|e| {
            e.aliases.iter().filter(|a| matches!(a.kind, AliasKind::Aka | AliasKind::Fka)).count()
        })
        .sum();
    assert!(strong >= 11_800, "{strong}");
    let addresses: usize = s.entries.iter().map(|e| e.addresses.len()).sum();
    assert!(addresses > 10_000, "{addresses}");
    let bnc = s.entries.iter().find(|e| e.id == "306").unwrap();
    assert_eq!(bnc.name, "BANCO NACIONAL DE CUBA");
    assert!(bnc.aliases.iter().any(|a| a.name == "BNC" && a.kind == AliasKind::Weak));
    assert!(alias_names(bnc).contains(&"NATIONAL BANK OF CUBA"));
    // Branches in four countries: no single country.
    assert_eq!(bnc.country, None);
    // A remarks field continued in sdn_comments.csv is joined back together.
    let lazarus_linked = s.entries.iter().find(|e| e.id == "28263").unwrap();
    assert!(lazarus_linked.remarks.as_deref().unwrap().ends_with("Linked To: LAZARUS GROUP."));
    assert!(
        lazarus_linked
            .related
            .iter()
            .any(|r| r.name == "LAZARUS GROUP" && r.relation == Relation::LinkedTo)
    );
    let with_dob = s.entries.iter().filter(|e| !e.dates_of_birth.is_empty()).count();
    assert!(with_dob > 3500, "{with_dob}");
    let imo = s.entries.iter().filter(|e| e.identifiers.iter().any(|i| i.kind == "IMO")).count();
    assert!(imo > 350, "{imo}");
    insta::assert_json_snapshot!("ofac_sdn_306", bnc);
}

#[test]
fn ofac_consolidated_2025() {
    let Some(prim) = shared("moov-watchman/ofac-cons-prim-2025-12.csv") else { return };
    let add = shared("moov-watchman/ofac-cons-add-2025-12.csv").unwrap();
    let alt = shared("moov-watchman/ofac-cons-alt-2025-12.csv").unwrap();
    let com = shared("moov-watchman/ofac-cons-comments-2025-12.csv").unwrap();
    let t = ListTarget::new("us_ofac_cons", ListKind::OfacNonSdn, "Consolidated");
    let s = import_ofac(&prim, Some(&add), Some(&alt), Some(&com), &t, Some(date(2025, 12, 19)))
        .unwrap();
    assert_eq!(s.entries.len(), 442);
    let cmic = s.entries.iter().filter(|e| e.programs.iter().any(|p| p == "CMIC-EO13959")).count();
    assert_eq!(cmic, 68);
    // Selecting a program keeps only its rows.
    let mut t = t;
    t.select = Some("CMIC-EO13959".into());
    let only = import_ofac(&prim, None, None, None, &t, Some(date(2025, 12, 19))).unwrap();
    assert_eq!(only.entries.len(), 68);
}

#[test]
fn un_consolidated_2026() {
    let Some(un) = import_shared(
        Format::UnXml,
        "moov-watchman/un-consolidated-2026-02-27.xml",
        ListKind::UnConsolidated,
    ) else {
        return;
    };
    assert_eq!(un.meta.as_of, date(2026, 2, 27));
    assert_eq!(un.entries.len(), 1003);
    let persons = un.entries.iter().filter(|e| e.entity_type == EntityType::Person).count();
    assert_eq!(persons, 730);
    let original: usize = un
        .entries
        .iter()
        .map(|e| e.aliases.iter().filter(|a| a.kind == AliasKind::OriginalScript).count())
        .sum();
    assert!(original >= 370, "{original}");
    let saddam = un.entries.iter().find(|e| e.id == "IQi.001").unwrap();
    assert_eq!(saddam.name, "SADDAM HUSSEIN AL-TIKRITI");
    assert!(
        saddam
            .aliases
            .iter()
            .any(|a| a.kind == AliasKind::OriginalScript && a.name == "صدام حسين التكريتي")
    );
    assert_eq!(saddam.listed_on, Some(date(2003, 6, 27)));
    assert_eq!(saddam.nationalities, vec!["IQ"]);
    let weak =
        un.entries.iter().flat_map(|e| &e.aliases).filter(|a| a.kind == AliasKind::Weak).count();
    assert_eq!(weak, 615);
    assert!(un.entries.iter().all(|e| e.listed_on.is_some()));
    insta::assert_json_snapshot!("un_iqi_001", saddam);
}
