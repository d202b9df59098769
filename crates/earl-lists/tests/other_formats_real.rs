//! MOFCOM/METI JSON, BIS DPL TSV and trade.gov CSL CSV importers on the real files
//! (skipped when ../shared is absent).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail loudly"
)]

mod common;

use common::{alias_names, by_name, import_shared, import_shared_at, import_shared_with};
use earl_lists::import::{Format, ListTarget};
use earl_lists::{AliasKind, EntityType, ListKind};
use jiff::civil::date;

fn cn(select: &str) -> Option<earl_lists::ListSnapshot> {
    let mut t = ListTarget::new("cn", ListKind::Other, "MOFCOM");
    t.select = Some(select.into());
    import_shared_with(Format::XynaJson, "xyna-export-control-registry/cn.json", t)
}

#[test]
fn mofcom_lists() {
    let Some(unreliable) = cn("cn-unreliable-entity-list") else { return };
    let control = cn("cn-export-control-watchlist").unwrap();
    let attention = cn("cn-attention-list").unwrap();
    assert_eq!(
        (unreliable.entries.len(), control.entries.len(), attention.entries.len()),
        (61, 139, 40)
    );
    let subaru = by_name(&attention, "SUBARU Corporation");
    assert_eq!(subaru.aliases[0].name, "斯巴鲁株式会社");
    assert_eq!(subaru.aliases[0].kind, AliasKind::OriginalScript);
    assert_eq!(subaru.listed_on, Some(date(2026, 2, 24)));
    let with_cjk = [&unreliable, &control, &attention]
        .iter()
        .flat_map(|l| &l.entries)
        .filter(|e| e.aliases.iter().any(|a| a.kind == AliasKind::OriginalScript))
        .count();
    assert_eq!(with_cjk, 234);
    assert!(unreliable.entries.iter().all(|e| e.listed_on.is_some()));
    insta::assert_json_snapshot!("mofcom_unreliable_first", unreliable.entries[0]);
}

#[test]
fn meti_end_user_list() {
    let Some(jp) = import_shared(
        Format::XynaJson,
        "xyna-export-control-registry/jp.json",
        ListKind::JpEndUser,
    ) else {
        return;
    };
    assert_eq!(jp.entries.len(), 835);
    assert_eq!(jp.meta.as_of, date(2026, 7, 20));
    let alloys = by_name(&jp, "Emirates Alloys LLC");
    assert_eq!(alloys.country.as_deref(), Some("AE"));
    assert!(alias_names(alloys).contains(&"Emirates Aero"));
    let with_country = jp.entries.iter().filter(|e| e.country.is_some()).count();
    assert!(with_country > 800, "{with_country}");
}

#[test]
fn denied_persons_tsv_2022() {
    let Some(dpl) =
        import_shared(Format::DplTsv, "moov-watchman/bis-dpl-2022-09.txt", ListKind::DeniedPersons)
    else {
        return;
    };
    // 581 rows, 486 distinct orders (name, effective date, citation; whitespace squashed).
    assert_eq!(dpl.entries.len(), 486);
    assert_eq!(dpl.meta.as_of, date(2022, 9, 2));
    assert!(dpl.meta.notes.iter().any(|n| n.contains("typos")));
    let villa = by_name(&dpl, "AARON ABRAHAM VILLA");
    assert_eq!(villa.listed_on, Some(date(2022, 8, 24)));
    assert_eq!(villa.delisted_on, Some(date(2026, 1, 14)));
    assert_eq!(villa.federal_register[0].cite, "87 FR 52741");
    let ash = by_name(&dpl, "I. ASH");
    assert_eq!(ash.federal_register.len(), 3);
    assert_eq!(ash.country.as_deref(), Some("US"));
    insta::assert_json_snapshot!("dpl_2022_villa", villa);
}

#[test]
fn consolidated_screening_list_samples() {
    let csl = |file: &str, d| {
        let t = ListTarget::new("csl", ListKind::Consolidated, "CSL");
        import_shared_at(Format::CslCsv, &format!("moov-watchman/{file}"), t, Some(d))
    };
    let Some(old) = csl("csl-sample-2019.csv", date(2019, 12, 3)) else {
        return;
    };
    let new = csl("csl-sample-2025.csv", date(2025, 6, 25)).unwrap();
    assert_eq!(old.entries.len(), 115);
    assert_eq!(new.entries.len(), 13);
    let el_2019: Vec<_> = old.entries.iter().filter(|e| e.programs[0] == "EL").collect();
    assert_eq!(el_2019.len(), 22);
    assert!(el_2019.iter().all(|e| e.license_policy.is_some() && e.listed_on.is_some()));
    let group = by_name(&old, "32 Group China Ltd.");
    assert_eq!(group.country.as_deref(), Some("HK"));
    assert_eq!(group.federal_register[0].cite, "80 FR 69852");
    assert_eq!(group.listed_on, Some(date(2015, 11, 12)));
    let meu = new.entries.iter().find(|e| e.programs[0] == "MEU").unwrap();
    assert_eq!(meu.name, "Academy of Aerospace Solid Propulsion Technology (AASPT)");
    assert_eq!(meu.country.as_deref(), Some("CN"));
    let persons = old.entries.iter().filter(|e| e.entity_type == EntityType::Person).count();
    assert_eq!(persons, 20);
    // Splitting by source list.
    let mut t = ListTarget::new("el", ListKind::EntityList, "EL from CSL");
    t.select = Some("EL".into());
    let only = import_shared_at(
        Format::CslCsv,
        "moov-watchman/csl-sample-2019.csv",
        t,
        Some(date(2019, 12, 3)),
    )
    .unwrap();
    assert_eq!(only.entries.len(), 22);
    insta::assert_json_snapshot!(
        "csl_2025_entity_list_row",
        new.entries.iter().find(|e| e.programs[0] == "EL").unwrap()
    );
}
