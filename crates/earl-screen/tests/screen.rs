//! Behaviour of the public API: explanations, dates, filters, subsets, invariants.

#![allow(clippy::panic, reason = "test helpers fail loudly")]

mod common;

use std::sync::{Arc, OnceLock};

use earl_lists::model::{Entry, ListId};
use earl_screen::{Hit, Query, Screener};
use jiff::civil::date;
use proptest::prelude::*;

fn screener() -> &'static Screener {
    static S: OnceLock<Screener> = OnceLock::new();
    S.get_or_init(common::screener)
}

fn top(name: &str) -> Hit {
    let hits = screener().screen(&Query::new(name));
    hits.into_iter().next().unwrap_or_else(|| panic!("no hit for {name}"))
}

#[test]
fn explanation_snapshots() {
    for (label, name) in [
        ("huawei_erp", "HUAWEI TECHNOLOGY CO LTD"),
        ("zhong_ke_shu_guang", "Zhong Ke Shu Guang"),
        ("shuguang_han", "曙光信息产业股份有限公司"),
        ("moore_threads", "Moore Threads Intelligent Tech (Beijing) Co Ltd"),
        ("sicarrier", "Shenzhen SiCarrier Tech"),
        ("innocent_xinhua", "Shanghai Xinhua Technology Co Ltd"),
    ] {
        let hits = screener().screen(&Query { limit: 2, ..Query::new(name) });
        insta::assert_json_snapshot!(label, hits);
    }
}

#[test]
fn key_queries_alert_on_the_right_entry() {
    assert_eq!(top("HUAWEI TECHNOLOGY CO LTD").id, "EL-CN-huawei-technologies-co-ltd");
    assert_eq!(top("Zhong Ke Shu Guang").id, "EL-CN-sugon");
    assert_eq!(
        top("Moore Threads Intelligent Tech (Beijing) Co Ltd").id,
        "EL-CN-moore-thread-intelligent-technology-beijing-co-ltd"
    );
    assert_eq!(top("Shenzhen SiCarrier Tech").id, "EL-CN-shenzhen-sicarrier-technologies-co-ltd");
    assert_eq!(top("深圳市新凯来技术有限公司").id, "EL-CN-shenzhen-sicarrier-technologies-co-ltd");
    for q in [
        "HUAWEI TECHNOLOGY CO LTD",
        "Zhong Ke Shu Guang",
        "曙光信息产业股份有限公司",
        "华为技术有限公司",
        "華為技術有限公司",
    ] {
        assert!(top(q).alert, "{q} should alert");
    }
    let innocent = screener().screen(&Query::new("Shanghai Xinhua Technology Co Ltd"));
    assert!(
        innocent.iter().all(|h| !h.alert),
        "{:?}",
        innocent.first().map(|h| (&h.name, h.score))
    );
}

#[test]
fn exact_name_scores_one_and_ranks_first() {
    let h = top("Huawei Technologies Co., Ltd.");
    assert_eq!(h.score, 1.0);
    assert!(h.explanation.aligned.iter().all(|p| p.similarity > 0.99));
}

fn one_entry(listed_on: Option<jiff::civil::Date>) -> Screener {
    let mut e = Entry::new(
        ListId::from("us_bis_entity_list"),
        "EL-X",
        "Shenzhen Example Semiconductor Co., Ltd.",
    );
    e.listed_on = listed_on;
    Screener::from_entries(vec![Arc::new(e)])
}

#[test]
fn date_before_listing_does_not_hit() {
    let s = one_entry(Some(date(2024, 12, 5)));
    let mut q = Query::new("Shenzhen Example Semiconductor");
    q.date = Some(date(2024, 12, 1));
    assert!(s.screen(&q).is_empty());
    q.date = Some(date(2024, 12, 5));
    assert!(s.screen(&q)[0].alert);
    q.date = None;
    assert!(s.screen(&q)[0].alert);
}

#[test]
fn list_and_type_filters() {
    let s = one_entry(None);
    let other = [ListId::from("us_bis_dpl")];
    let q = Query { lists: Some(&other), ..Query::new("Shenzhen Example Semiconductor") };
    assert!(s.screen(&q).is_empty());
    assert!(s.entry(&ListId::from("us_bis_entity_list"), "EL-X").is_some());
}

#[test]
fn country_is_a_soft_signal_and_never_the_only_reason() {
    let s = screener();
    let base = s.screen(&Query::new("Shanghai Biren Tech"));
    let same = s.screen(&Query { country: Some("CN"), ..Query::new("Shanghai Biren Tech") });
    let diff = s.screen(&Query { country: Some("DE"), ..Query::new("Shanghai Biren Tech") });
    assert_eq!(base[0].id, same[0].id);
    assert!(same[0].score >= base[0].score && diff[0].score < base[0].score);
    assert_eq!(same[0].explanation.country.as_ref().map(|c| c.verdict), Some("same"));
    // A below-threshold name never alerts because of the country.
    for h in
        s.screen(&Query { country: Some("CN"), ..Query::new("Shanghai Xinhua Technology Co Ltd") })
    {
        assert!(!h.alert);
    }
}

#[test]
fn subset_scores_equal_full_screener() {
    let s = screener();
    let sub = s.subset(&|_, e| e.name.contains("Biren"));
    assert!(sub.stats().entries < 20 && sub.stats().entries > 3);
    let full = s.screen(&Query::new("Shanghai Biren Tech"));
    let part = sub.screen(&Query::new("Shanghai Biren Tech"));
    for h in &part {
        let f = full.iter().find(|x| x.id == h.id).expect("in full results");
        assert!((f.score - h.score).abs() < 1e-9, "{} {} vs {}", h.id, f.score, h.score);
    }
}

#[test]
fn limit_and_ordering() {
    let hits = screener().screen(&Query { limit: 3, ..Query::new("Huawei") });
    assert_eq!(hits.len(), 3);
    assert!(hits.windows(2).all(|w| w[0].score >= w[1].score));
    assert!(screener().screen(&Query::new("")).is_empty());
    assert!(screener().screen(&Query::new("  ,.;  ")).is_empty());
}

fn chinese_entries() -> Vec<Entry> {
    common::bundled()
        .lists
        .iter()
        .filter(|l| l.meta.id.as_str() == "us_bis_entity_list")
        .flat_map(|l| l.entries.iter().filter(|e| e.country.as_deref() == Some("CN")).cloned())
        .collect()
}

fn to_fullwidth(s: &str) -> String {
    s.chars()
        .map(
            |c| {
                if c.is_ascii_graphic() {
                    char::from_u32(c as u32 + 0xFEE0).unwrap_or(c)
                } else {
                    c
                }
            },
        )
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn listed_name_screens_as_itself_after_case_and_width_changes(idx in 0usize..1000, style in 0u8..4) {
        let entries = chinese_entries();
        let e = &entries[idx % entries.len()];
        let q = match style {
            0 => e.name.to_uppercase(),
            1 => e.name.to_lowercase(),
            2 => to_fullwidth(&e.name),
            _ => e.name.replace([',', '.'], " "),
        };
        let hits = screener().screen(&Query { limit: 50, ..Query::new(&q) });
        let found = hits.iter().find(|h| h.id == e.id);
        prop_assert!(found.is_some_and(|h| h.alert), "{q:?} -> {:?}", hits.first().map(|h| (&h.id, h.score)));
    }

    #[test]
    fn scores_are_in_unit_range_and_roughly_symmetric(a in "[A-Za-z ]{1,30}", b in "[A-Za-z ]{1,30}") {
        let s = screener();
        let x = s.score_pair(&a, &b);
        let y = s.score_pair(&b, &a);
        prop_assert!((0.0..=1.0).contains(&x) && (0.0..=1.0).contains(&y));
        prop_assert!((x - y).abs() <= 0.35, "{a:?} {b:?} {x} {y}");
    }
}

#[test]
fn chinese_alias_in_traditional_script_screens_as_itself() {
    let set = common::bundled();
    let mut checked = 0;
    for e in set.entries().filter(|e| e.list.as_str().starts_with("cn_mofcom")) {
        for a in e
            .aliases
            .iter()
            .filter(|a| a.name.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)))
        {
            let hits = screener().screen(&Query { limit: 20, ..Query::new(&a.name) });
            assert!(
                hits.iter().any(|h| h.id == e.id && h.alert),
                "{} -> {:?}",
                a.name,
                hits.first().map(|h| &h.id)
            );
            checked += 1;
        }
    }
    eprintln!("checked {checked} Chinese-script aliases");
}

#[test]
fn blocking_finds_typos_and_run_together_words() {
    let s = screener();
    for (query, id) in [
        ("Huawie Technologies", "EL-CN-huawei-technologies-co-ltd"),
        ("CAMRBIAN TECHNOLOGIES CO LTD", "EL-CN-cambricon-technologies-corporation-limited"),
        ("MAKlogistics", "EL-CN-mak-logistics"),
        ("Zhongkeshuguang", "EL-CN-sugon"),
        ("Huawweicloud Shenzhen", "EL-CN-huawei-cloud-shenzhen"),
    ] {
        let candidates = s.candidate_entries(query);
        assert!(candidates.iter().any(|(_, e)| e == id), "{query}: {id} not a candidate");
        let top = s.screen(&Query { limit: 1, ..Query::new(query) });
        assert!(top.first().is_some_and(|h| h.id == id && h.alert), "{query}: {:?}", top.first());
    }
}

#[test]
fn top_hit_does_not_depend_on_the_limit_for_listed_names() {
    let s = screener();
    let set = common::bundled();
    // Every 97th name of every list: the best hit with limit 1 equals the best with limit 10.
    for e in set.entries().step_by(97) {
        let one = s.screen(&Query { limit: 1, ..Query::new(&e.name) });
        let ten = s.screen(&Query::new(&e.name));
        let (Some(a), Some(b)) = (one.first(), ten.first()) else {
            panic!("{}: no hit", e.name);
        };
        assert!((a.score - b.score).abs() < 1e-9, "{}: {} vs {}", e.name, a.score, b.score);
        assert!(a.alert, "{} does not alert on itself ({} {})", e.name, a.id, a.score);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_input_screens_without_panicking(name in "\\PC{0,80}", limit in 0usize..12) {
        let hits = screener().screen(&Query { limit, ..Query::new(&name) });
        prop_assert!(hits.len() <= limit);
        prop_assert!(hits.windows(2).all(|w| w[0].score >= w[1].score));
        prop_assert!(hits.iter().all(|h| (0.0..=1.0).contains(&h.score)));
    }
}

#[test]
fn very_long_and_repetitive_names_are_handled() {
    let s = screener();
    let long = "Huawei Technologies Shenzhen ".repeat(300);
    let hits = s.screen(&Query::new(&long));
    assert!(hits.len() <= 10);
    let words: String = (0..200).map(|i| format!("w{i}x ")).collect();
    assert!(s.screen(&Query::new(&words)).len() <= 10);
}

fn pair(a: &str, b: &str) -> f64 {
    screener().score_pair(a, b)
}

/// The pair's score, after checking that its explanation aligns words `how`.
fn pair_aligned_by(a: &str, b: &str, how: earl_screen::MatchKind) -> f64 {
    let (score, why) =
        screener().explain_pair(a, b).unwrap_or_else(|| panic!("no explanation for {a} ~ {b}"));
    assert!(why.aligned.iter().any(|p| p.how == how), "{a} ~ {b}: {why:?}");
    score
}

#[test]
fn neighbouring_series_numbers_pair_but_distant_ones_contradict() {
    let score = pair_aligned_by(
        "Korvane Capital Fund X L.P.",
        "Korvane Capital Fund XI L.P.",
        earl_screen::MatchKind::OtherNumber,
    );
    assert!(score >= 0.8, "{score}");
    assert!(pair("Snow Drift 1", "Snow Drift 2") >= 0.8);
    assert!(pair("Marlowe Leasing 3 Ltd", "Marlowe Leasing 6 Ltd") < 0.8);
    assert!(pair("Brigade Forty-Four", "Brigade 44") > 0.95);
    // Ordinals number an organisation's units, each a party of its own.
    assert!(pair("CETC 13th Research Institute", "CETC 14th Research Institute") < 0.8);
    assert!(pair("CETC 13th Research Institute", "CETC 13th Research Institute") > 0.95);
}

#[test]
fn chinese_names_of_institutions_and_their_units() {
    for (han, id) in [
        ("军事医学科学院", "EL-CN-academy-of-military-medical-sciences"),
        ("北京邮电大学", "EL-CN-beijing-university-of-posts-and-telecommunications-bupt"),
        ("中科院计算所", "EL-CN-chinese-academy-of-sciences-institute-of-computing"),
        ("中国人民解放军空军工程大学", "EL-CN-air-force-engineering-university"),
        (
            "中芯国际集成电路制造有限公司",
            "EL-CN-semiconductor-manufacturing-international-corporation-smic",
        ),
        // Brand table: English names that are not pinyin (DoD 1260H list).
        ("腾讯控股有限公司", "1260H-CN-tencent-holdings-limited"),
        ("宁德时代新能源科技股份有限公司", "1260H-CN-contemporary-amperex-technology-co-ltd"),
        // Japan's End User List writes names in two scripts, with shinjitai kanji; a Chinese
        // query in simplified characters meets the kanji part whole.
        ("中国运载火箭技术研究院", "jp-eul-508"),
        ("高丽航空", "jp-eul-300"),
    ] {
        let hits = screener().screen(&Query::new(han));
        assert!(
            hits.iter().any(|h| h.alert && h.id == id),
            "{han}: {:?}",
            hits.first().map(|h| (&h.id, h.score))
        );
    }
    // The 13th institute of CETC, not the 13th institute of another group found through a
    // short alias ("13th Institute") and the words of its entry's other names.
    let hits = screener().screen(&Query::new("中国电子科技集团公司第十三研究所"));
    let first = hits.first().map(|h| h.id.as_str());
    assert_eq!(first, Some("EL-CN-china-electronics-technology-group-corporation-13th"));
    assert!(
        hits.iter().filter(|h| h.alert).all(|h| h.id.starts_with("EL-CN-china-electronics")),
        "{hits:?}"
    );
}

#[test]
fn a_name_run_together_with_an_abbreviation_meets_both_words() {
    let score = pair_aligned_by(
        "Higoninfo Tech",
        "Higon Information Technology",
        earl_screen::MatchKind::MergeSplit,
    );
    assert!(score >= 0.8, "{score}");
    // Only a real abbreviation of the next word: `Higonix` is not `Higon` + anything.
    assert!(pair("Higonix Tech", "Higon Information Technology") < 0.8);
}

#[test]
fn a_city_added_to_a_name_of_descriptive_words_only_is_another_firm() {
    assert!(pair("Wuxi Electronics Network Limited", "Electronic Network Inc.") < 0.8);
    assert!(pair("Electronics Network Limited", "Electronic Network Inc.") >= 0.8);
    // A country before the name is no such city.
    assert!(
        pair(
            "China National Defense Technology University",
            "National Defense Technology University"
        ) > pair(
            "Wuhan National Defense Technology University",
            "National Defense Technology University"
        )
    );
}

#[test]
fn a_bare_brand_alias_does_not_vouch_for_another_line_of_business() {
    // The entry's other names say what Biren does; a restaurant is not it.
    let restaurant = top("Shanghai Biren Restaurant");
    assert!(!restaurant.alert, "{} {}", restaurant.matched_name, restaurant.score);
    let sugon_hotel = top("Sugon Hotel Management");
    assert!(!sugon_hotel.alert, "{} {}", sugon_hotel.matched_name, sugon_hotel.score);
    // Words the entry's names do carry, and a branch of the listed firm, still alert.
    for q in [
        "Biren Technology",
        "Sugon Information Industry",
        "Hangzhou Hikvision Digital Technology Sales Office",
    ] {
        assert!(top(q).alert, "{q}: {}", top(q).score);
    }
}

#[test]
fn sibling_companies_score_below_the_alert_line() {
    // Another line of business, another location, a national subsidiary.
    assert!(pair("Tarvik Systems, Inc.", "Tarvik Industries, Inc.") < 0.8);
    assert!(pair("Tarvik Systems, Inc.", "Tarvik Systems Inc") > 0.95);
    assert!(pair("Tarvik Solutions (Sweden) AB", "Tarvik Solutions (Finland) AB") < 0.8);
    assert!(pair("Banco Tarvik S.A.", "Banco Tarvik Mexico S.A.") < 0.8);
    // A region is not a national registration.
    assert!(pair("tarvik", "TARVIK EUROPE Sp. z o.o.") >= 0.8);
}

/// A small list of Chinese persons and companies in pinyin, plus one in Wade-Giles.
fn romanisation_screener() -> Screener {
    let entries = [
        ("P1", "Xi Jinping"),
        ("P2", "Mao Zedong"),
        ("P3", "Deng Xiaoping"),
        ("P4", "Chen Dawen"),
        ("P5", "Huang Guoqiang"),
        ("P6", "Li Xianlong"),
        ("P7", "Zhang Wei"),
        ("P8", "Chiang Ching-kuo"),
        ("C1", "Deng Technology Co., Ltd."),
        ("C2", "Deng Industries Co., Ltd."),
    ];
    Screener::from_entries(
        entries
            .into_iter()
            .map(|(id, name)| Arc::new(Entry::new(ListId::from("us_bis_entity_list"), id, name)))
            .collect(),
    )
}

fn alert_id(s: &Screener, name: &str) -> Option<String> {
    s.screen(&Query::new(name)).into_iter().find(|h| h.alert).map(|h| h.entry.id.clone())
}

#[test]
fn wade_giles_and_hong_kong_spellings_find_the_pinyin_name() {
    let s = romanisation_screener();
    for (query, id) in [
        ("Hsi Chin-ping", "P1"),
        ("HSI Chin Ping", "P1"),
        ("Mao Tse-tung", "P2"),
        ("Teng Hsiao-ping", "P3"),
        ("Chan Tai Man", "P4"),
        ("Tai Man Chan", "P4"),
        ("Wong Kwok Keung", "P5"),
        ("Wong Kwok-keung", "P5"),
        ("Lee Hsien Loong", "P6"),
        ("Cheung Wai", "P7"),
        // The list name in Wade-Giles, the query in pinyin.
        ("Jiang Jingguo", "P8"),
    ] {
        assert_eq!(alert_id(&s, query).as_deref(), Some(id), "{query}");
    }
    // Either name may be the query.
    assert!(s.score_pair("Xi Jinping", "Hsi Chin-ping") >= 0.9);
    assert!(s.score_pair("Chen Dawen", "Chan Tai Man") >= 0.9);
}

#[test]
fn romanisation_readings_do_not_widen_other_names() {
    let s = romanisation_screener();
    // One syllable-like word in a company name, a pinyin name, an English word: no reading.
    for query in ["Tang Industries", "Tang Technology Co Ltd", "Chang Wei", "Chin Sun", "Lee Smith"]
    {
        assert_eq!(alert_id(&s, query), None, "{query}");
    }
    // A different given name stays different under the other spelling.
    assert!(s.score_pair("Hsi Chin-ping", "Xi Jinlong") < 0.8);
    assert!(s.score_pair("Wong Kwok Keung", "Huang Guoming") < 0.8);
}

#[test]
fn misspelt_legal_forms_do_not_count_as_extra_words() {
    // ERP exports misspell legal forms; the listed name must still alert, and a misspelt legal
    // form must not make an unrelated name look closer.
    assert!(
        pair(
            "Tactical Missiles Corporation Joynt Stock Company",
            "Tactical Missiles Corporation Joint Stock Company"
        ) > 0.95
    );
    assert!(pair("HUAWEI TECHNOLOGIES CO LIMTED", "Huawei Technologies Co., Ltd.") > 0.95);
    assert!(pair("Korvane Trading Co Limted", "Marlowe Trading Co Limited") < 0.5);
}
