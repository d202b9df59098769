//! Generates `testdata/cn_variants.csv`: realistic variants of listed Chinese names (labelled
//! positive with the expected entry id) and innocent look-alikes (labelled negative), from the
//! bundled list snapshots plus the hand-written `testdata/han_names.csv` and
//! `testdata/innocent_names.csv`. Deterministic: a fixed seed, input order, no clock.
//!
//! `cargo run -p earl-screen --example gen_testdata --release`
//!
//! Split: 30% of expected entries (hash of the entry id; of the query for negatives) go to
//! `holdout`, never used for tuning; the rest is `dev`.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs,
    reason = "developer tool: fails loudly on bad local data"
)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::collections::{BTreeSet, HashSet};
use std::fmt::Write as _;

use earl_lists::model::{EntityType, Entry};
use pinyin::ToPinyin;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // splitmix64
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
    fn chance(&mut self, p: f64) -> bool {
        (self.next() % 10_000) as f64 / 10_000.0 < p
    }
}

fn fnv(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

fn split_of(key: &str) -> &'static str {
    if fnv(key) % 10 < 3 { "holdout" } else { "dev" }
}

const ABBREV: &[(&str, &str)] = &[
    ("Science and Technology", "Sci & Tech"),
    ("Science & Technology", "Sci-Tech"),
    ("Technologies", "Tech"),
    ("Technology", "Tech"),
    ("International", "Intl"),
    ("Group", "Grp"),
    ("Electronics", "Elec"),
    ("Electronic", "Elec"),
    ("Communications", "Comm"),
    ("Communication", "Comm"),
    ("Manufacturing", "Mfg"),
    ("Semiconductor", "Semi"),
    ("Research Institute", "Res Inst"),
    ("Information", "Info"),
    ("Development", "Dev"),
    ("Equipment", "Equip"),
    ("Engineering", "Eng"),
    ("Industrial", "Ind"),
    ("Industry", "Ind"),
    ("Corporation", "Corp"),
    ("Company", "Co"),
    ("Limited", "Ltd"),
    ("Holdings", "Hldgs"),
    ("Services", "Svcs"),
];

const LEGAL_ENDINGS: &[&str] = &[
    "Co., Ltd.",
    "Co. Ltd.",
    "Company Limited",
    "Co., Limited",
    "Limited",
    "Ltd.",
    "Corporation",
    "Corp.",
    "Co.",
];
const LEGAL_CHOICES: &[&str] =
    &["Co Ltd", "Company Limited", "Ltd", "Corp", "Co., Ltd", "Limited", ""];

const CN_PLACES: &[&str] = &[
    "Beijing",
    "Shanghai",
    "Shenzhen",
    "Guangzhou",
    "Tianjin",
    "Chongqing",
    "Chengdu",
    "Wuhan",
    "Hangzhou",
    "Nanjing",
    "Xi'an",
    "Suzhou",
    "Hefei",
    "Changsha",
    "Shenyang",
    "Harbin",
    "Dalian",
    "Qingdao",
    "Xiamen",
    "Zhuhai",
    "Dongguan",
    "Wuxi",
    "Jinan",
    "Zhengzhou",
];

const GENERIC: &[&str] = &[
    "Technology",
    "Technologies",
    "Electronics",
    "Electronic",
    "Information",
    "Industry",
    "Industrial",
    "International",
    "Trading",
    "Development",
    "Equipment",
    "Engineering",
    "Intelligent",
    "Science",
    "Systems",
    "Network",
    "Semiconductor",
    "Microelectronics",
    "Communication",
    "Optoelectronics",
    "Materials",
    "Precision",
    "Instruments",
    "Digital",
];

fn syllables() -> BTreeSet<String> {
    let mut set = BTreeSet::new();
    for cp in 0x4E00u32..0x9FA5 {
        if let Some(c) = char::from_u32(cp)
            && let Some(p) = c.to_pinyin()
        {
            set.insert(p.plain().to_owned());
        }
    }
    set
}

/// Splits a lowercase word into pinyin syllables (longest first), if it is made of them.
fn split_pinyin(word: &str, syl: &BTreeSet<String>) -> Option<Vec<String>> {
    fn go(w: &str, syl: &BTreeSet<String>, out: &mut Vec<String>) -> bool {
        if w.is_empty() {
            return true;
        }
        for len in (1..=w.len().min(6)).rev() {
            if let Some(head) = w.get(..len)
                && syl.contains(head)
            {
                out.push(head.to_owned());
                if go(&w[len..], syl, out) {
                    return true;
                }
                out.pop();
            }
        }
        false
    }
    const ENGLISH: &[&str] = &[
        "china", "marine", "one", "semi", "time", "data", "lion", "panda", "nano", "sino", "tech",
        "line", "wing", "hang",
    ];
    if ENGLISH.contains(&word.to_lowercase().as_str()) {
        return None;
    }
    let mut out = Vec::new();
    (go(&word.to_lowercase(), syl, &mut out) && out.len() >= 2 && out.iter().all(|s| s.len() >= 2))
        .then_some(out)
}

fn cap(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

fn words(s: &str) -> Vec<String> {
    s.split_whitespace().map(str::to_owned).collect()
}

fn is_generic(w: &str) -> bool {
    let t = w.trim_matches(|c: char| !c.is_alphanumeric());
    GENERIC.iter().any(|g| g.eq_ignore_ascii_case(t))
        || matches!(
            t.to_ascii_lowercase().as_str(),
            "co" | "ltd" | "limited" | "company" | "corporation" | "corp" | "group" | "and" | "of"
        )
        || CN_PLACES.iter().any(|p| p.eq_ignore_ascii_case(t))
}

fn strip_legal(name: &str) -> (String, Option<&'static str>) {
    for end in LEGAL_ENDINGS {
        if let Some(rest) = name.strip_suffix(end) {
            return (rest.trim_end_matches([' ', ',']).to_owned(), Some(end));
        }
    }
    (name.to_owned(), None)
}

fn typo(rng: &mut Rng, w: &str) -> String {
    let c: Vec<char> = w.chars().collect();
    let n = c.len();
    let i = 1 + rng.below(n - 2);
    let mut out = c.clone();
    match rng.below(4) {
        0 => out.swap(i, i + 1),
        1 => {
            out.remove(i);
        }
        2 => out.insert(i, c[i]),
        _ => {
            let vowels = ['a', 'e', 'i', 'o', 'u'];
            out[i] = if vowels.contains(&c[i]) {
                *rng.pick(&vowels)
            } else {
                *rng.pick(&['n', 'g', 'h', 'r', 's', 't'])
            };
        }
    }
    out.into_iter().collect()
}

/// One transformation of a Latin list name; `None` if it does not apply.
fn transform(kind: &str, name: &str, rng: &mut Rng, syl: &BTreeSet<String>) -> Option<String> {
    match kind {
        "erp_upper" => {
            let (core, legal) = strip_legal(name);
            let cleaned: String = core
                .chars()
                .map(|c| if c.is_alphanumeric() || c == ' ' || c == '&' { c } else { ' ' })
                .collect();
            let mut s = words(&cleaned).join(" ").to_uppercase();
            if legal.is_some() {
                s.push_str(" CO LTD");
            }
            Some(s)
        }
        "abbrev" => {
            let mut s = name.to_owned();
            let mut n = 0;
            for (long, short) in ABBREV {
                if s.contains(long) && (n == 0 || rng.chance(0.7)) {
                    s = s.replacen(long, short, 1);
                    n += 1;
                }
            }
            (n > 0).then_some(s)
        }
        "legal_change" => {
            let (core, legal) = strip_legal(name);
            legal?;
            let mut choice = *rng.pick(LEGAL_CHOICES);
            if Some(choice) == legal {
                choice = "";
            }
            Some(if choice.is_empty() { core } else { format!("{core} {choice}") })
        }
        "typo" => {
            let ws = words(name);
            let idx = ws
                .iter()
                .enumerate()
                .filter(|(_, w)| {
                    w.chars().count() >= 5 && w.chars().all(char::is_alphabetic) && !is_generic(w)
                })
                .max_by_key(|(_, w)| w.len())
                .map(|(i, _)| i)?;
            let mut ws = ws;
            ws[idx] = typo(rng, &ws[idx]);
            Some(ws.join(" "))
        }
        "pinyin_spacing" => {
            let ws = words(name);
            for (i, w) in ws.iter().enumerate() {
                if is_generic(w) || !w.chars().all(char::is_alphabetic) {
                    continue;
                }
                if let Some(parts) = split_pinyin(w, syl) {
                    let mut out = ws.clone();
                    out[i] = parts.iter().map(|p| cap(p)).collect::<Vec<_>>().join(" ");
                    return Some(out.join(" "));
                }
            }
            // Merge two adjacent distinctive words instead.
            for i in 0..ws.len().saturating_sub(1) {
                let (a, b) = (&ws[i], &ws[i + 1]);
                if !is_generic(a)
                    && !is_generic(b)
                    && a.chars().all(char::is_alphabetic)
                    && b.chars().all(char::is_alphabetic)
                {
                    let mut out = ws.clone();
                    out[i] = format!("{a}{}", b.to_lowercase());
                    out.remove(i + 1);
                    return Some(out.join(" "));
                }
            }
            None
        }
        "city_move" => {
            let (core, legal) = strip_legal(name);
            let legal = legal.map(|l| format!(" {l}")).unwrap_or_default();
            let ws = words(&core);
            let first = ws.first()?;
            if CN_PLACES.iter().any(|p| p == first) && ws.len() >= 3 {
                return Some(format!("{} ({first}){legal}", ws[1..].join(" ")));
            }
            let open = core.find('(')?;
            let close = core[open..].find(')')? + open;
            let place = &core[open + 1..close];
            if CN_PLACES.contains(&place) {
                let rest = format!("{}{}", &core[..open], &core[close + 1..]);
                return Some(format!("{place} {}{legal}", words(&rest).join(" ")));
            }
            None
        }
        "drop_generic" => {
            let ws = words(name);
            let idx: Vec<usize> = ws
                .iter()
                .enumerate()
                .filter(|(_, w)| GENERIC.iter().any(|g| g == *w))
                .map(|(i, _)| i)
                .collect();
            if idx.is_empty() || ws.len() < 3 {
                return None;
            }
            let mut out = ws.clone();
            out.remove(*rng.pick(&idx));
            Some(out.join(" "))
        }
        _ => None,
    }
}

const KINDS: &[&str] =
    &["erp_upper", "abbrev", "legal_change", "typo", "pinyin_spacing", "city_move", "drop_generic"];

fn s2t_table() -> Vec<(char, char)> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/data/t2s_chars.tsv"))
        .expect("t2s table");
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let mut it = line.split('\t');
        if let (Some(t), Some(s)) = (it.next(), it.next()) {
            let (t, s) = (t.chars().next().expect("t"), s.chars().next().expect("s"));
            if seen.insert(s) {
                out.push((s, t));
            }
        }
    }
    out
}

fn to_traditional(s: &str, table: &[(char, char)]) -> String {
    s.chars().map(|c| table.iter().find(|(a, _)| *a == c).map_or(c, |(_, t)| *t)).collect()
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

struct Row {
    label: &'static str,
    category: String,
    query: String,
    expected: String,
    split: &'static str,
}

fn has_latin(s: &str) -> bool {
    s.chars().any(|c| c.is_ascii_alphabetic())
        && !s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

fn main() {
    let set = common::bundled();
    let screener = earl_screen::Screener::new(&set.lists);
    let syl = syllables();
    let mut rng = Rng(20_261_129);
    let mut rows: Vec<Row> = Vec::new();
    let entries: Vec<&Entry> = set.entries().collect();
    let vocab: HashSet<String> =
        entries.iter().flat_map(|e| e.names().flat_map(earl_screen::name_tokens)).collect();
    let all_names: HashSet<String> = entries
        .iter()
        .flat_map(|e| e.names().map(|n| earl_screen::name_tokens(n).join(" ")))
        .collect();

    // Positives: variants of listed Chinese entries (Entity List, MEU).
    let cn: Vec<&Entry> = entries
        .iter()
        .copied()
        .filter(|e| matches!(e.list.as_str(), "us_bis_entity_list" | "us_bis_meu"))
        .filter(|e| matches!(e.country.as_deref(), Some("CN" | "HK" | "MO")))
        .filter(|e| e.entity_type != EntityType::Person)
        .collect();
    for e in &cn {
        let names: Vec<&str> =
            e.names().filter(|n| has_latin(n) && n.split_whitespace().count() >= 2).collect();
        if names.is_empty() {
            continue;
        }
        let n_variants = if rng.chance(0.5) { 2 } else { 1 };
        for _ in 0..n_variants {
            let name = *rng.pick(&names);
            let mut kinds: Vec<&str> = KINDS.to_vec();
            // Try kinds in random order until one applies; sometimes stack a second one.
            for i in (1..kinds.len()).rev() {
                kinds.swap(i, rng.below(i + 1));
            }
            let Some((kind, mut q)) =
                kinds.iter().find_map(|k| transform(k, name, &mut rng, &syl).map(|q| (*k, q)))
            else {
                continue;
            };
            let mut category = kind.to_owned();
            if rng.chance(0.3) {
                let second = *rng.pick(KINDS);
                if second != kind
                    && let Some(q2) = transform(second, &q, &mut rng, &syl)
                {
                    q = q2;
                    category = format!("{kind}+{second}");
                }
            }
            if q.trim().is_empty() {
                continue;
            }
            rows.push(Row {
                label: "pos",
                category,
                query: q,
                expected: e.id.clone(),
                split: split_of(&e.id),
            });
        }
    }

    // Positives: hand-written Chinese names and their traditional / legal-form variants.
    let s2t = s2t_table();
    let han = std::fs::read_to_string(common::testdata("han_names.csv")).expect("han_names.csv");
    for line in han.lines().skip(1) {
        let mut cols = line.splitn(3, ',');
        let (Some(name), Some(id)) = (cols.next(), cols.next()) else { continue };
        let split = split_of(id);
        rows.push(Row {
            label: "pos",
            category: "han".into(),
            query: name.into(),
            expected: id.into(),
            split,
        });
        rows.push(Row {
            label: "pos",
            category: "han_traditional".into(),
            query: to_traditional(name, &s2t),
            expected: id.into(),
            split,
        });
        let legal = if name.ends_with("股份有限公司") {
            Some(name.replace("股份有限公司", "有限公司"))
        } else if name.ends_with("有限责任公司") {
            Some(name.replace("有限责任公司", "股份有限公司"))
        } else if name.ends_with("有限公司") {
            Some(name.replace("有限公司", ""))
        } else {
            None
        };
        if let Some(l) = legal {
            rows.push(Row {
                label: "pos",
                category: "han_legal".into(),
                query: l.replace('(', "（").replace(')', "）"),
                expected: id.into(),
                split,
            });
        }
    }
    // Positives: Chinese-script aliases of the MOFCOM lists, in traditional characters.
    for e in entries.iter().filter(|e| e.list.as_str().starts_with("cn_mofcom")) {
        for a in &e.aliases {
            if a.name.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)) {
                let t = to_traditional(&a.name, &s2t);
                rows.push(Row {
                    label: "pos",
                    category: "han_traditional_cnlist".into(),
                    query: t,
                    expected: e.id.clone(),
                    split: split_of(&e.id),
                });
                break;
            }
        }
    }

    // Negatives 1: listed Chinese names with the distinctive words replaced by an unused
    // pinyin name (same city, same generic words, different firm).
    let syl_list: Vec<&String> = syl.iter().filter(|s| s.len() >= 2).collect();
    let mut fake_count = 0;
    for e in &cn {
        if fake_count >= 700 || !rng.chance(0.75) {
            continue;
        }
        let (core, legal) = strip_legal(&e.name);
        let ws = words(&core);
        let distinct: Vec<usize> =
            ws.iter().enumerate().filter(|(_, w)| !is_generic(w)).map(|(i, _)| i).collect();
        if distinct.is_empty()
            || distinct.len() == ws.len()
            || core.contains('(')
                && !core.contains("(Beijing)")
                && !core.contains("(Shanghai)")
                && !core.contains("(Shenzhen)")
        {
            continue;
        }
        // A fresh two-syllable name, far from every corpus token.
        let fake = loop {
            let w = format!("{}{}", rng.pick(&syl_list), rng.pick(&syl_list));
            let w = earl_screen::name_tokens(&w).concat();
            let far = !w.is_empty() && vocab.iter().all(|v| strsim_far(v, &w));
            if far {
                break cap(&w);
            }
        };
        let mut out: Vec<String> = Vec::new();
        let mut placed = false;
        for (i, w) in ws.iter().enumerate() {
            if distinct.contains(&i) {
                if !placed {
                    out.push(fake.clone());
                    placed = true;
                }
            } else {
                out.push(w.clone());
            }
        }
        let q = format!("{}{}", out.join(" "), legal.map(|l| format!(" {l}")).unwrap_or_default());
        if all_names.contains(&earl_screen::name_tokens(&q).join(" ")) {
            continue;
        }
        fake_count += 1;
        rows.push(Row {
            label: "neg",
            category: "fake_distinctive".into(),
            split: split_of(&q),
            query: q,
            expected: String::new(),
        });
    }

    // Negatives 2: generic words only, with a city.
    for _ in 0..120 {
        let city = rng.pick(CN_PLACES);
        let g1 = rng.pick(GENERIC);
        let g2 = rng.pick(GENERIC);
        let legal = rng.pick(LEGAL_CHOICES);
        let q = format!("{city} {g1} {g2} {legal}").trim().to_owned();
        if all_names.contains(&earl_screen::name_tokens(&q).join(" ")) || g1 == g2 {
            continue;
        }
        rows.push(Row {
            label: "neg",
            category: "generic_only".into(),
            split: split_of(&q),
            query: q,
            expected: String::new(),
        });
    }

    // Negatives 3: persons sharing one name part with a listed person.
    const GIVEN: &[&str] = &[
        "Wei", "Ming", "Jian", "Hong", "Li", "Yan", "Tao", "Jun", "Fang", "Lei", "Peter", "Anna",
        "Maria", "John", "David", "Olga", "Sergei", "Ahmed", "Fatima", "Hassan",
    ];
    const FAMILY: &[&str] = &[
        "Zhang", "Wang", "Chen", "Liu", "Zhao", "Huang", "Smith", "Johnson", "Brown", "Garcia",
        "Petrov", "Ivanova", "Khan", "Rahman", "Nguyen", "Kowalski", "Schmidt", "Rossi", "Silva",
        "Haddad",
    ];
    let persons: Vec<&Entry> = entries
        .iter()
        .copied()
        .filter(|e| e.entity_type == EntityType::Person && e.name.split_whitespace().count() == 2)
        .collect();
    for _ in 0..250 {
        if persons.is_empty() {
            break;
        }
        let p = rng.pick(&persons);
        let parts: Vec<&str> = p.name.split([' ', ',']).filter(|s| !s.is_empty()).collect();
        let Some(keep) = parts.first() else { continue };
        let other = if rng.chance(0.5) { rng.pick(GIVEN) } else { rng.pick(FAMILY) };
        if parts.iter().any(|x| x.eq_ignore_ascii_case(other)) {
            continue;
        }
        let q = if rng.chance(0.5) { format!("{keep} {other}") } else { format!("{other} {keep}") };
        if all_names.contains(&earl_screen::name_tokens(&q).join(" ")) {
            continue;
        }
        rows.push(Row {
            label: "neg",
            category: "person_one_token".into(),
            split: split_of(&q),
            query: q,
            expected: String::new(),
        });
    }

    // Negatives 4: real companies that are not listed (hand-written; checked below).
    let innocent = std::fs::read_to_string(common::testdata("innocent_names.csv"))
        .expect("innocent_names.csv");
    for line in innocent.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let q = line.split(',').next().unwrap_or_default().to_owned();
        rows.push(Row {
            label: "neg",
            category: "real_unlisted".into(),
            split: split_of(&q),
            query: q,
            expected: String::new(),
        });
    }

    let mut out = String::from("split,label,category,query,expected_id\n");
    let mut seen = HashSet::new();
    for r in &rows {
        if !seen.insert((r.query.clone(), r.expected.clone())) {
            continue;
        }
        let _ = writeln!(
            out,
            "{},{},{},{},{}",
            r.split,
            r.label,
            r.category,
            csv_field(&r.query),
            r.expected
        );
    }
    std::fs::write(common::testdata("cn_variants.csv"), out).expect("write");
    // Report real-unlisted names that alert, so their labels can be checked by hand.
    for r in rows.iter().filter(|r| r.category == "real_unlisted") {
        let hits = screener.screen(&earl_screen::Query::new(&r.query));
        if let Some(h) = hits.first().filter(|h| h.alert) {
            eprintln!("check label: {:?} alerts on {} {} ({})", r.query, h.id, h.name, h.score);
        }
    }
    eprintln!("{} rows", seen.len());
}

/// True when `a` and `b` are more than two edits apart (cheap length gate first).
fn strsim_far(a: &str, b: &str) -> bool {
    if a.len().abs_diff(b.len()) > 2 {
        return true;
    }
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()] > 2
}
