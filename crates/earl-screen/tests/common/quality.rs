//! Quality evaluation shared by `tests/quality.rs` and `examples/quality.rs`.

use std::collections::BTreeMap;

use earl_lists::model::ListId;
use earl_screen::{DEFAULT_ALERT_THRESHOLD, Query, Screener};

/// Confusion counts.
#[derive(Debug, Clone, Copy, Default)]
pub struct Counts {
    pub tp: usize,
    pub fp: usize,
    pub tn: usize,
    pub fn_: usize,
}

impl Counts {
    pub fn add(&mut self, truth: bool, predicted: bool) {
        match (truth, predicted) {
            (true, true) => self.tp += 1,
            (false, true) => self.fp += 1,
            (false, false) => self.tn += 1,
            (true, false) => self.fn_ += 1,
        }
    }
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }
    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 { 0.0 } else { 2.0 * p * r / (p + r) }
    }
    pub fn n(&self) -> usize {
        self.tp + self.fp + self.tn + self.fn_
    }
    pub fn false_alert_rate(&self) -> f64 {
        ratio(self.fp, self.fp + self.tn)
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// One labelled pair.
pub struct Pair {
    pub group: String,
    pub category: String,
    pub query: String,
    pub candidate: String,
    pub is_match: bool,
    /// Reference score/prediction of another system, if the file carries one.
    pub reference: Option<bool>,
    /// `dev` or `holdout` (name_bench: by a hash of the two names), empty when unsplit.
    pub split: &'static str,
}

fn read_csv(path: &std::path::Path) -> Vec<csv::StringRecord> {
    let mut r = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .flexible(true)
        .from_path(path)
        .expect("open csv");
    r.records().map(|x| x.expect("csv record")).collect()
}

/// FNV-1a (64-bit): a stable hash for deterministic splits.
pub fn fnv1a(text: &str) -> u64 {
    text.bytes()
        .fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// Split of a name_bench case: 30% held out, by a hash of both names (so a pair repeated in
/// two groups lands on the same side). Never tune on `holdout`.
pub fn bench_split(name1: &str, name2: &str) -> &'static str {
    if fnv1a(&format!("{name1}\u{1f}{name2}")) % 10 < 3 { "holdout" } else { "dev" }
}

/// name_bench cases (`cases.csv`, 826 pairs, the upstream source of truth), each with
/// logic-v2's prediction at its 0.7 threshold where its frozen run has the same pair (808:
/// the frozen run predates 18 cases).
pub fn name_bench() -> Option<Vec<Pair>> {
    let cases = super::shared("nomenklatura-name-bench/cases.csv")?;
    let mut reference: std::collections::HashMap<(String, String), bool> = Default::default();
    if let Some(frozen) = super::shared("nomenklatura-name-bench/logicv2-frozen.csv") {
        for r in read_csv(&frozen) {
            reference.insert((r[3].to_owned(), r[4].to_owned()), &r[10] == "true");
        }
    }
    let mut out = Vec::new();
    for r in read_csv(&cases) {
        out.push(Pair {
            group: format!("{}/{}", &r[0], &r[1]),
            category: r[6].to_owned(),
            query: r[2].to_owned(),
            candidate: r[3].to_owned(),
            is_match: &r[4] == "true",
            reference: reference.get(&(r[2].to_owned(), r[3].to_owned())).copied(),
            split: bench_split(&r[2], &r[3]),
        });
    }
    Some(out)
}

/// Watchman's authored company/vessel pairs (cascade) and cross-script pairs.
pub fn watchman_pairs() -> Option<Vec<Pair>> {
    let cascade = super::shared("moov-watchman/cascade-name-pairs.csv")?;
    let mut out = Vec::new();
    for r in read_csv(&cascade) {
        out.push(Pair {
            group: format!("cascade/{}", &r[1]),
            category: r[6].to_owned(),
            query: r[2].to_owned(),
            candidate: r[3].to_owned(),
            is_match: &r[4] == "true",
            reference: r.get(9).and_then(|s| s.parse::<f64>().ok()).map(|s| s >= 0.7),
            split: "",
        });
    }
    if let Some(cross) = super::shared("moov-watchman/cross_script_pairs.csv") {
        for r in read_csv(&cross) {
            if r.len() < 2 {
                continue;
            }
            out.push(Pair {
                group: "cross_script".into(),
                category: r.get(3).unwrap_or("").to_owned(),
                query: r[0].to_owned(),
                candidate: r[1].to_owned(),
                is_match: true,
                reference: None,
                split: "",
            });
        }
    }
    Some(out)
}

/// Pairwise evaluation: counts per group for us (and the reference system).
pub fn eval_pairs(s: &Screener, pairs: &[Pair]) -> BTreeMap<String, (Counts, Counts)> {
    let mut by: BTreeMap<String, (Counts, Counts)> = BTreeMap::new();
    for p in pairs {
        let score = s.score_pair(&p.query, &p.candidate);
        let pred = score >= DEFAULT_ALERT_THRESHOLD;
        let split = (!p.split.is_empty()).then(|| p.split.to_owned());
        for key in ["ALL".to_owned(), p.group.clone()].into_iter().chain(split) {
            let slot = by.entry(key).or_default();
            slot.0.add(p.is_match, pred);
            if let Some(r) = p.reference {
                slot.1.add(p.is_match, r);
            }
        }
    }
    by
}

/// One row of the derived Chinese set.
pub struct Variant {
    pub split: String,
    pub positive: bool,
    pub category: String,
    pub query: String,
    pub expected: String,
}

pub fn cn_variants() -> Vec<Variant> {
    read_csv(&super::testdata("cn_variants.csv"))
        .into_iter()
        .map(|r| Variant {
            split: r[0].to_owned(),
            positive: &r[1] == "pos",
            category: r[2].split('+').next().unwrap_or("").to_owned(),
            query: r[3].to_owned(),
            expected: r[4].to_owned(),
        })
        .collect()
}

/// Corpus-search results for one slice of the set.
#[derive(Debug, Clone, Copy, Default)]
pub struct SearchCounts {
    pub positives: usize,
    /// Expected entry reached the scorer.
    pub candidate_hits: usize,
    /// Expected entry returned with alert=true.
    pub found: usize,
    pub negatives: usize,
    /// Negatives with any alert.
    pub false_alerts: usize,
    /// Positives whose expected entry is not in the corpus (skipped).
    pub skipped: usize,
}

impl SearchCounts {
    pub fn recall(&self) -> f64 {
        ratio(self.found, self.positives)
    }
    pub fn candidate_recall(&self) -> f64 {
        ratio(self.candidate_hits, self.positives)
    }
    pub fn false_alert_rate(&self) -> f64 {
        ratio(self.false_alerts, self.negatives)
    }
}

/// Screens every row against the whole corpus; counts per `split` and per `split/category`.
pub fn eval_search(
    s: &Screener,
    rows: &[Variant],
    misses: &mut Vec<String>,
) -> BTreeMap<String, SearchCounts> {
    let mut by: BTreeMap<String, SearchCounts> = BTreeMap::new();
    for v in rows {
        let keys = [v.split.clone(), format!("{}/{}", v.split, v.category)];
        let mut q = Query::new(&v.query);
        q.limit = 50;
        let hits = s.screen(&q);
        if v.positive {
            let Some(list) = s_entry_list(s, &v.expected) else {
                for k in &keys {
                    by.entry(k.clone()).or_default().skipped += 1;
                }
                continue;
            };
            let cand =
                s.candidate_entries(&v.query).iter().any(|(l, id)| *l == list && *id == v.expected);
            let found = hits.iter().any(|h| h.alert && h.id == v.expected);
            if !found {
                let top = hits
                    .first()
                    .map(|h| format!("{:.3} {} | {}", h.score, h.id, h.matched_name))
                    .unwrap_or_default();
                let mine = hits
                    .iter()
                    .find(|h| h.id == v.expected)
                    .map(|h| format!("{:.3}", h.score))
                    .unwrap_or("-".into());
                misses.push(format!(
                    "MISS [{}] {:?} -> {} (got {mine}; cand {cand}; top {top})",
                    v.category, v.query, v.expected
                ));
            }
            for k in &keys {
                let c = by.entry(k.clone()).or_default();
                c.positives += 1;
                c.candidate_hits += usize::from(cand);
                c.found += usize::from(found);
            }
        } else {
            let alert = hits.iter().find(|h| h.alert);
            if let Some(h) = alert {
                misses.push(format!(
                    "FALSE [{}] {:?} -> {:.3} {} | {}",
                    v.category, v.query, h.score, h.id, h.matched_name
                ));
            }
            for k in &keys {
                let c = by.entry(k.clone()).or_default();
                c.negatives += 1;
                c.false_alerts += usize::from(alert.is_some());
            }
        }
    }
    by
}

fn s_entry_list(s: &Screener, id: &str) -> Option<ListId> {
    // Ids are unique across the bundled lists; find the list by probing the known prefixes.
    const LISTS: &[&str] = &[
        "us_bis_entity_list",
        "us_bis_meu",
        "us_ofac_nscmic",
        "us_dod_1260h",
        "us_dod_1286",
        "cn_mofcom_unreliable_entity",
        "cn_mofcom_export_control",
        "cn_mofcom_attention",
        "jp_meti_end_user",
        "us_bis_dpl",
        "us_ofac_sdn",
        "us_ofac_cons",
    ];
    LISTS.iter().map(|l| ListId::from(*l)).find(|l| s.entry(l, id).is_some())
}
