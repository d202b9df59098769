//! Re-screening against a synthetic change of the real Entity List, and diff rendering.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test helpers fail loudly")]

mod common;

use earl_bulk::{BulkOptions, ProgressMode, render_diff_text, rescreen};
use earl_lists::diff::diff_sets;
use earl_lists::{Alias, AliasKind, Entry, ListId, ListSnapshot, SnapshotSet};
use earl_screen::Screener;

const EL: &str = "us_bis_entity_list";

fn entity_list() -> SnapshotSet {
    let all = common::load_snapshot_dir(&common::lists_dir()).unwrap();
    SnapshotSet { lists: vec![all.get(&ListId::from(EL)).unwrap().clone()] }
}

fn new_entry(id: &str, name: &str, country: &str) -> Entry {
    let mut e = Entry::new(ListId::from(EL), id, name);
    e.country = Some(country.into());
    e.listed_on = "2025-01-15".parse().ok();
    e.license_policy = Some("Presumption of denial.".into());
    e
}

/// Old = the real Entity List; new = old + 3 added, Hikvision removed, SenseTime changed.
fn old_and_new() -> (SnapshotSet, SnapshotSet) {
    let old = entity_list();
    let mut new = old.clone();
    let list: &mut ListSnapshot = &mut new.lists[0];
    list.entries.retain(|e| e.id != "EL-CN-hangzhou-hikvision-digital-technology-co-ltd");
    let sensetime = list
        .entries
        .iter_mut()
        .find(|e| e.id == "EL-CN-beijing-sensetime-technology-development-co-ltd")
        .unwrap();
    sensetime.footnotes = vec![4, 5];
    sensetime.license_policy = Some("Presumption of denial.".into());
    list.entries.push(new_entry(
        "EL-CN-shenzhen-zhuoyue-quantum-microelectronics-co-ltd",
        "Shenzhen Zhuoyue Quantum Microelectronics Co., Ltd.",
        "CN",
    ));
    list.entries.push(new_entry(
        "EL-RU-novosibirsk-avionika-systems-llc",
        "Novosibirsk Avionika Systems LLC",
        "RU",
    ));
    list.entries.push(new_entry(
        "EL-AE-falconridge-general-trading-fze",
        "Falconridge General Trading FZE",
        "AE",
    ));
    (old, new)
}

#[test]
fn rescreen_reports_exactly_the_customers_touched_by_the_change() {
    let (old, new) = old_and_new();
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("customers.csv");
    std::fs::write(
        &input,
        "customer_id,customer_name,country\n\
         C01,\"Shenzhen Zhuoyue Quantum Microelectronics Co., Ltd.\",CN\n\
         C02,NOVOSIBIRSK AVIONIKA SYSTEMS,RU\n\
         C03,Falconridge General Trading FZE,AE\n\
         C04,\"Beijing SenseTime Technology Development Co., Ltd.\",CN\n\
         C05,\"Hangzhou Hikvision Digital Technology Co., Ltd.\",CN\n\
         C06,\"Huawei Technologies Co., Ltd.\",CN\n\
         C07,Maria Rossi,IT\n\
         C08,Nordic Logistics GmbH,SE\n",
    )
    .unwrap();
    let output = dir.path().join("changes.csv");
    let mut opts = BulkOptions::new(&input, &output);
    opts.progress = ProgressMode::Never;
    let screener = Screener::new(&new.lists);
    let s = rescreen(&old, &new, &screener, &opts, None).unwrap();

    let r = s.rescreen.as_ref().unwrap();
    assert_eq!((r.added_entries, r.changed_entries, r.removed_entries), (3, 1, 1));
    assert_eq!((r.added_hits, r.changed_hits, r.removed_hits), (3, 1, 1));
    assert_eq!((s.rows, s.screened, s.alerts, s.written), (8, 8, 4, 5));
    assert_eq!(s.exit_code(), 1);

    let text = std::fs::read_to_string(&output).unwrap();
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = rdr.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(&header[..4], ["customer_id", "customer_name", "country", "earl_change"]);
    let rows: Vec<(String, String, String, String)> = rdr
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].to_owned(), r[3].to_owned(), r[9].to_owned(), r[7].to_owned())
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            (
                "C01".into(),
                "added".into(),
                "EL-CN-shenzhen-zhuoyue-quantum-microelectronics-co-ltd".into(),
                "true".into()
            ),
            (
                "C02".into(),
                "added".into(),
                "EL-RU-novosibirsk-avionika-systems-llc".into(),
                "true".into()
            ),
            (
                "C03".into(),
                "added".into(),
                "EL-AE-falconridge-general-trading-fze".into(),
                "true".into()
            ),
            (
                "C04".into(),
                "changed".into(),
                "EL-CN-beijing-sensetime-technology-development-co-ltd".into(),
                "true".into()
            ),
            (
                "C05".into(),
                "removed_entry".into(),
                "EL-CN-hangzhou-hikvision-digital-technology-co-ltd".into(),
                "false".into()
            ),
        ]
    );
}

#[test]
fn identical_snapshots_report_nothing() {
    let old = entity_list();
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("c.csv");
    std::fs::write(&input, "name\n\"Huawei Technologies Co., Ltd.\"\n").unwrap();
    let mut opts = BulkOptions::new(&input, dir.path().join("o.csv"));
    opts.progress = ProgressMode::Never;
    let screener = Screener::new(&old.lists);
    let s = rescreen(&old, &old, &screener, &opts, None).unwrap();
    assert_eq!((s.rows, s.alerts, s.written, s.exit_code()), (1, 0, 0, 0));
}

#[test]
fn diff_text_shows_entries_and_field_changes() {
    let mk = |id: &str, name: &str| {
        let mut e = Entry::new(ListId::from("el"), id, name);
        e.country = Some("CN".into());
        e
    };
    let meta = entity_list().lists[0].meta.clone();
    let mut a = mk("EL-CN-a", "Alpha Technology Co., Ltd.");
    a.aliases.push(Alias { name: "Alpha Tech".into(), kind: AliasKind::Aka });
    a.addresses.push("1 Road, Shenzhen".into());
    a.license_policy = Some("Case-by-case review.".into());
    let gone = mk("EL-CN-gone", "Gone Ltd.");
    let old = SnapshotSet {
        lists: vec![ListSnapshot { meta: meta.clone(), entries: vec![a.clone(), gone] }],
    };
    let mut a2 = a.clone();
    a2.name = "Alpha Technologies Co., Ltd.".into();
    a2.aliases.push(Alias { name: "阿尔法科技".into(), kind: AliasKind::OriginalScript });
    a2.addresses = vec!["2 Street, Shenzhen".into()];
    a2.footnotes = vec![4];
    a2.license_policy = Some("Presumption of denial.".into());
    let mut fresh = mk("EL-CN-new", "New Microelectronics Co., Ltd.");
    fresh.listed_on = "2025-01-15".parse().ok();
    fresh.federal_register.push(earl_lists::FrCitation { cite: "90 FR 1234".into(), date: None });
    let new = SnapshotSet { lists: vec![ListSnapshot { meta, entries: vec![a2, fresh] }] };
    let text = render_diff_text(&diff_sets(&old, &new));
    insta::assert_snapshot!(text, @r#"
    us_bis_entity_list: 1 added, 1 removed, 1 changed (addresses 1, aliases 1, footnotes 1, license_policy 1, name 1)
      + EL-CN-new  New Microelectronics Co., Ltd. (CN), listed 2025-01-15, 90 FR 1234
      - EL-CN-gone  Gone Ltd. (CN)
      ~ EL-CN-a  Alpha Technologies Co., Ltd. (CN)
          name: "Alpha Technology Co., Ltd." -> "Alpha Technologies Co., Ltd."
          aliases:
            + "阿尔法科技" (kind original_script)
          addresses:
            - "1 Road, Shenzhen"
            + "2 Street, Shenzhen"
          license_policy: "Case-by-case review." -> "Presumption of denial."
          footnotes:
            + 4
    "#);
}
