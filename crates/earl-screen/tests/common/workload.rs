//! Realistic query workloads for the speed example and the criterion benches: seeded, so every
//! run screens the same names.

use earl_lists::model::{EntityType, ListId};
use earl_lists::snapshot::SnapshotSet;

/// Small deterministic generator (xorshift64*): the workloads must not depend on a crate's
/// random stream changing between versions.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// The lead's word list for company-like word salads (issue 3).
pub const SALAD: &[&str] = &[
    "Global",
    "Trading",
    "Shenzhen",
    "Technology",
    "Co",
    "Ltd",
    "Industrial",
    "Beijing",
    "Smith",
    "John",
    "Electronics",
    "Group",
    "Holdings",
    "Acme",
    "Pacific",
    "International",
    "Logistics",
    "Supply",
    "Precision",
    "Machinery",
];

fn names_of(set: &SnapshotSet, list: Option<&str>, ty: Option<EntityType>) -> Vec<String> {
    set.lists
        .iter()
        .filter(|s| list.is_none_or(|l| s.meta.id == ListId::from(l)))
        .flat_map(|s| s.entries.iter())
        .filter(|e| ty.is_none_or(|t| e.entity_type == t))
        .map(|e| e.name.clone())
        .collect()
}

/// The lead's mix: 1/4 real Entity List names, 3/4 random 2-5 word salads of [`SALAD`].
pub fn lead_mixed(set: &SnapshotSet, n: usize, seed: u64) -> Vec<String> {
    let real = names_of(set, Some("us_bis_entity_list"), None);
    let mut rng = Rng::new(seed);
    (0..n)
        .map(|i| {
            if i % 4 == 0 {
                rng.pick(&real).clone()
            } else {
                let k = 2 + rng.below(4);
                (0..k).map(|_| *rng.pick(SALAD)).collect::<Vec<_>>().join(" ")
            }
        })
        .collect()
}

const HAN_DISTINCT: &[&str] = &[
    "华", "为", "中", "兴", "海", "康", "威", "视", "新", "凯", "来", "曙", "光", "智", "谱", "依",
    "图", "长", "江", "存", "储", "浪", "潮", "紫", "光", "展", "锐", "天", "诚", "达", "瑞", "芯",
    "宏", "盛", "金", "鑫", "鹏", "博", "远", "恒", "通", "信", "源", "泰", "安", "永", "丰", "明",
];
const HAN_GENERIC: &[&str] =
    &["科技", "电子", "技术", "信息", "贸易", "半导体", "集成电路", "实业", "国际", "通信", "智能"];
const HAN_PLACE: &[&str] = &["深圳", "北京", "上海", "杭州", "广州", "武汉", "成都", "苏州"];
const HAN_LEGAL: &[&str] = &["有限公司", "股份有限公司", "有限责任公司", "集团有限公司"];

/// Chinese-character company names: the corpus's Han names and aliases, and generated
/// `[place] brand generic legal-form` names.
pub fn han_names(set: &SnapshotSet, n: usize, seed: u64) -> Vec<String> {
    let has_han = |s: &str| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    let real: Vec<String> = set
        .lists
        .iter()
        .flat_map(|s| s.entries.iter())
        .flat_map(|e| std::iter::once(&e.name).chain(e.aliases.iter().map(|a| &a.name)))
        .filter(|s| has_han(s))
        .cloned()
        .collect();
    let mut rng = Rng::new(seed);
    (0..n)
        .map(|i| {
            if i % 3 == 0 && !real.is_empty() {
                rng.pick(&real).clone()
            } else {
                let mut s = String::new();
                if rng.below(2) == 0 {
                    s.push_str(rng.pick::<&str>(HAN_PLACE));
                    if rng.below(2) == 0 {
                        s.push('市');
                    }
                }
                for _ in 0..2 + rng.below(2) {
                    s.push_str(rng.pick::<&str>(HAN_DISTINCT));
                }
                s.push_str(rng.pick::<&str>(HAN_GENERIC));
                s.push_str(rng.pick::<&str>(HAN_LEGAL));
                s
            }
        })
        .collect()
}

const GIVEN: &[&str] = &[
    "Wei", "Li", "Jun", "Ming", "Mohammad", "Ali", "Hassan", "Ivan", "Sergei", "Olga", "John",
    "Maria", "Ahmed", "Yusuf", "Kim", "Chen", "Xiaoming", "Reza", "Abdul", "Elena",
];
const FAMILY: &[&str] = &[
    "Wang",
    "Zhang",
    "Liu",
    "Chen",
    "Yang",
    "Huang",
    "Hosseini",
    "Rahimi",
    "Petrov",
    "Ivanov",
    "Smith",
    "Garcia",
    "Khan",
    "Al-Rashid",
    "Park",
    "Nguyen",
    "Kuznetsov",
    "Tehrani",
    "Zhou",
    "Sokolov",
];

/// Person names: listed persons (OFAC SDN) and random given + family name combinations.
pub fn persons(set: &SnapshotSet, n: usize, seed: u64) -> Vec<String> {
    let real = names_of(set, Some("us_ofac_sdn"), Some(EntityType::Person));
    let mut rng = Rng::new(seed);
    (0..n)
        .map(|i| {
            if i % 3 == 0 && !real.is_empty() {
                rng.pick(&real).clone()
            } else if rng.below(3) == 0 {
                format!("{} {} {}", rng.pick(GIVEN), rng.pick(GIVEN), rng.pick(FAMILY))
            } else {
                format!("{} {}", rng.pick(GIVEN), rng.pick(FAMILY))
            }
        })
        .collect()
}

/// Every workload by label, `n` names each (the variant set is cycled).
pub fn all(set: &SnapshotSet, n: usize) -> Vec<(&'static str, Vec<String>)> {
    let variants: Vec<String> =
        super::quality::cn_variants().into_iter().map(|v| v.query).collect();
    let cycled: Vec<String> = (0..n).map(|i| variants[i % variants.len()].clone()).collect();
    vec![
        ("lead_mixed", lead_mixed(set, n, 7)),
        ("cn_variants", cycled),
        ("han", han_names(set, n, 11)),
        ("persons", persons(set, n, 13)),
    ]
}

/// One realistic blend: half the lead's mix, then variants, Han names and persons, shuffled
/// by interleaving.
pub fn blend(set: &SnapshotSet, n: usize) -> Vec<String> {
    let parts = all(set, n);
    let mut out = Vec::with_capacity(n);
    let mut rng = Rng::new(17);
    while out.len() < n {
        let k = rng.below(6);
        let (_, names) = &parts[k.saturating_sub(2)];
        out.push(rng.pick(names).clone());
    }
    out
}
