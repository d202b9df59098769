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

/// Old = the real Entity List; new = 8 added entries (some with a Chinese alias), 4 changed
/// and 4 removed Chinese entries.
fn larger_change() -> (SnapshotSet, SnapshotSet) {
    let old = entity_list();
    let mut new = old.clone();
    let list: &mut ListSnapshot = &mut new.lists[0];
    let cn: Vec<String> = list
        .entries
        .iter()
        .filter(|e| e.country.as_deref() == Some("CN"))
        .map(|e| e.id.clone())
        .collect();
    for id in cn.iter().step_by(97).take(4) {
        let e = list.entries.iter_mut().find(|e| &e.id == id).unwrap();
        e.license_policy = Some("Case-by-case review (changed in this test).".into());
    }
    let gone: Vec<&String> = cn.iter().skip(40).step_by(89).take(4).collect();
    list.entries.retain(|e| !gone.contains(&&e.id));
    let added: &[(&str, Option<&str>)] = &[
        ("Shenzhen Huaxin Semiconductor Co., Ltd.", Some("深圳华芯半导体有限公司")),
        ("Hangzhou Ruitai Intelligent Technology Co., Ltd.", None),
        ("Beijing Zhongke Guangxin Optoelectronics Co., Ltd.", Some("北京中科光芯光电有限公司")),
        ("Wuhan Jinbao Electronics Co., Ltd.", None),
        ("Chengdu Longxing Communication Co., Ltd.", Some("成都龙兴通信有限公司")),
        ("Tianjin Fuan New Materials Co., Ltd.", None),
        ("Li Xiaoming", Some("李晓明")),
        ("Novosibirsk Avionika Systems LLC", None),
    ];
    for (i, (name, alias)) in added.iter().enumerate() {
        let mut e = new_entry(&format!("EL-new-{i}"), name, "CN");
        if let Some(a) = alias {
            e.aliases.push(Alias { name: (*a).into(), kind: AliasKind::default() });
        }
        list.entries.push(e);
    }
    (old, new)
}

/// Customer names around the changed entries (as listed, typos, words dropped or joined,
/// other legal forms, Chinese forms) and ordinary names sharing their words.
fn customers_around(names: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for name in names {
        out.push(name.clone());
        out.push(name.to_uppercase());
        out.push(name.replace(' ', ""));
        out.push(name.replace("Co., Ltd.", "Company Limited"));
        let chars: Vec<char> = name.chars().collect();
        for p in (0..chars.len()).step_by(2) {
            let mut del = chars.clone();
            del.remove(p);
            out.push(del.iter().collect());
            if p + 1 < chars.len() {
                let mut swap = chars.clone();
                swap.swap(p, p + 1);
                out.push(swap.iter().collect());
            }
        }
        let words: Vec<&str> = name.split_whitespace().collect();
        for i in 0..words.len() {
            let mut dropped = words.clone();
            dropped.remove(i);
            out.push(dropped.join(" "));
        }
    }
    let cities =
        ["Shenzhen", "Wuhan", "Chengdu", "Tianjin", "Beijing", "Hamburg", "深圳市", "武汉市"];
    let trades = ["Huaxin", "Jinbao", "Ruitai", "Longxing", "Fuan", "Guangxin", "Kexin", "Atlas"];
    let kinds =
        ["Electronics Co., Ltd.", "Semiconductor Co. Ltd", "New Materials GmbH", "科技有限公司"];
    for (i, c) in cities.iter().enumerate() {
        for (j, t) in trades.iter().enumerate() {
            for k in kinds {
                out.push(format!("{c} {t} {k}"));
                out.push(format!("{t}{} {k}", ["", "g", "x"][(i + j) % 3]));
            }
        }
    }
    out.retain(|n| !n.trim().is_empty());
    out
}

#[test]
fn gated_rescreen_equals_screening_with_only_the_changed_entries() {
    let (old, new) = larger_change();
    let diffs = diff_sets(&old, &new);
    let (mut added, mut changed, mut removed) = (Vec::new(), Vec::new(), Vec::new());
    for (_, d) in &diffs {
        added.extend(d.added.iter().map(|e| e.id.clone()));
        changed.extend(d.changed.iter().map(|c| c.id.clone()));
        removed.extend(d.removed.iter().map(|e| e.id.clone()));
    }
    assert_eq!((added.len(), changed.len(), removed.len()), (8, 4, 4));
    let new_screener = Screener::new(&new.lists);
    let old_screener = Screener::new(&old.lists);
    // The reference: indexes of only the changed entries, queried for every row.
    let touched = new_screener.subset(&|_, e| added.contains(&e.id) || changed.contains(&e.id));
    let gone = old_screener.subset(&|_, e| removed.contains(&e.id));
    let mut names: Vec<String> = Vec::new();
    let new_touched = new.entries().filter(|e| added.contains(&e.id) || changed.contains(&e.id));
    for e in new_touched.chain(old.entries().filter(|e| removed.contains(&e.id))) {
        names.push(e.name.clone());
        names.extend(e.aliases.iter().map(|a| a.name.clone()));
    }
    let rows = customers_around(&names);
    assert!(rows.len() > 1500, "{}", rows.len());

    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("customers.csv");
    let mut csv_text = String::from("customer_id,customer_name,country\n");
    let mut expected: Vec<(String, String, String, String)> = Vec::new();
    for (i, name) in rows.iter().enumerate() {
        let id = format!("C{i:05}");
        let country = ["CN", "HK", "DE", ""][i % 4];
        csv_text.push_str(&format!("{id},\"{}\",{country}\n", name.replace('"', "\"\"")));
        let q = earl_screen::Query {
            name,
            country: (!country.is_empty()).then_some(country),
            date: None,
            lists: None,
            entity_type: None,
            limit: 1,
        };
        if let Some(h) = touched.screen(&q).into_iter().next().filter(|h| h.score >= 0.8) {
            let change = if added.contains(&h.id) { "added" } else { "changed" };
            expected.push((id.clone(), change.into(), h.id.clone(), format!("{:.3}", h.score)));
        }
        if let Some(h) = gone.screen(&q).into_iter().next().filter(|h| h.score >= 0.8) {
            expected.push((id.clone(), "removed_entry".into(), h.id, format!("{:.3}", h.score)));
        }
    }
    std::fs::write(&input, csv_text).unwrap();
    let output = dir.path().join("changes.csv");
    let mut opts = BulkOptions::new(&input, &output);
    opts.progress = ProgressMode::Never;
    let s = rescreen(&old, &new, &new_screener, &opts, None).unwrap();
    assert_eq!(s.errors, 0, "{:?}", s.errors_by_kind);
    let text = std::fs::read_to_string(&output).unwrap();
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let mut got: Vec<(String, String, String, String)> = rdr
        .deserialize::<std::collections::HashMap<String, String>>()
        .map(|r| {
            let r = r.unwrap();
            (
                r["customer_id"].clone(),
                r["earl_change"].clone(),
                r["earl_entry_id"].clone(),
                r["earl_score"].clone(),
            )
        })
        .collect();
    got.sort();
    expected.sort();
    // Typos, dropped words and Chinese forms of the changed entries do alert.
    assert!(expected.len() > 150, "only {} findings", expected.len());
    assert!(expected.iter().any(|e| e.1 == "removed_entry"));
    assert!(expected.iter().any(|e| e.1 == "changed"));
    let missing: Vec<_> = expected.iter().filter(|e| !got.contains(e)).collect();
    let extra: Vec<_> = got.iter().filter(|g| !expected.contains(g)).collect();
    assert!(missing.is_empty() && extra.is_empty(), "missing {missing:?}\nextra {extra:?}");
    assert_eq!(got, expected);
}
