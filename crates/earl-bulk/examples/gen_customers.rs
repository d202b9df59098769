//! Generates a realistic customer file for bulk-screening benchmarks and tests.
//!
//! ```text
//! cargo run -p earl-bulk --release --example gen_customers -- --rows 1000000 --seed 1 -o /tmp/customers.csv
//! ```
//!
//! Rows mix Western companies, Chinese companies (romanised and in Chinese characters), and
//! persons, with countries, cities and street addresses. About 0.5 % of rows (`--variants`)
//! are true variants of names on the bundled lists (`data/lists`): the name as listed, upper
//! case, another legal form, punctuation dropped, a typo, or an alias. About 0.01 % of rows
//! (`--bad`) are malformed: an extra field, an invalid UTF-8 byte, or an unterminated quote.
//! The same seed gives the same file. `--truth PATH` writes the planted variants (customer id,
//! list, entry id, name) for measuring recall. `.jsonl` output writes JSON lines instead of CSV (its
//! malformed rows are broken JSON or invalid UTF-8).

#[path = "../tests/common/mod.rs"]
mod common;

use std::io::Write;

use earl_lists::{Entry, ListId};

/// SplitMix64: small, fast, reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> Option<&'a T> {
        xs.get(self.below(xs.len()))
    }
}

const CN_CITIES: &[(&str, &str)] = &[
    ("Shenzhen", "深圳"),
    ("Shanghai", "上海"),
    ("Beijing", "北京"),
    ("Guangzhou", "广州"),
    ("Hangzhou", "杭州"),
    ("Suzhou", "苏州"),
    ("Chengdu", "成都"),
    ("Wuhan", "武汉"),
    ("Xi'an", "西安"),
    ("Nanjing", "南京"),
    ("Tianjin", "天津"),
    ("Dongguan", "东莞"),
    ("Xiamen", "厦门"),
    ("Ningbo", "宁波"),
    ("Qingdao", "青岛"),
    ("Hefei", "合肥"),
    ("Changsha", "长沙"),
    ("Zhengzhou", "郑州"),
    ("Jinan", "济南"),
    ("Dalian", "大连"),
];
const CN_SYLLABLES: &[(&str, &str)] = &[
    ("hua", "华"),
    ("xin", "信"),
    ("tong", "通"),
    ("da", "达"),
    ("feng", "丰"),
    ("sheng", "盛"),
    ("kang", "康"),
    ("tai", "泰"),
    ("yuan", "源"),
    ("rui", "瑞"),
    ("long", "龙"),
    ("hong", "宏"),
    ("jia", "佳"),
    ("mei", "美"),
    ("heng", "恒"),
    ("chang", "昌"),
    ("fu", "富"),
    ("an", "安"),
    ("ming", "明"),
    ("guang", "光"),
    ("tian", "天"),
    ("hai", "海"),
    ("jin", "金"),
    ("bao", "宝"),
    ("cheng", "诚"),
    ("de", "德"),
    ("yi", "易"),
    ("xing", "兴"),
    ("wei", "威"),
    ("zhong", "中"),
    ("lian", "联"),
    ("chuang", "创"),
    ("ke", "科"),
    ("run", "润"),
    ("bo", "博"),
    ("sen", "森"),
];
const CN_INDUSTRIES: &[(&str, &str)] = &[
    ("Electronics", "电子"),
    ("Technology", "科技"),
    ("Trading", "贸易"),
    ("Semiconductor", "半导体"),
    ("Machinery", "机械"),
    ("Logistics", "物流"),
    ("Precision", "精密"),
    ("Optoelectronics", "光电"),
    ("Intelligent Technology", "智能科技"),
    ("New Materials", "新材料"),
    ("Communication", "通信"),
    ("Software", "软件"),
    ("Industrial", "实业"),
    ("Import and Export", "进出口"),
    ("Information Technology", "信息技术"),
];
const CN_LEGAL: &[&str] = &["Co., Ltd.", "Co., Limited", "Company Limited", "Co. Ltd"];
const WEST_PREFIX: &[&str] = &[
    "Nordic",
    "Blue",
    "Atlas",
    "Summit",
    "Pioneer",
    "Harbor",
    "Silver",
    "Evergreen",
    "Alpine",
    "Meridian",
    "Crescent",
    "Granite",
    "Falcon",
    "Orion",
    "Vertex",
    "Cobalt",
    "Northwind",
    "Redwood",
    "Lakeside",
    "Sterling",
    "Keystone",
    "Beacon",
    "Horizon",
    "Iron",
    "Oak",
    "Cedar",
    "Apex",
    "Delta",
    "Polar",
    "Westbrook",
    "Rhein",
    "Alster",
    "Lumière",
    "Solano",
    "Vistula",
];
const SURNAMES: &[&str] = &[
    "Miller",
    "Schmidt",
    "Dubois",
    "Rossi",
    "Jensen",
    "Novak",
    "García",
    "Müller",
    "Smith",
    "Johnson",
    "Brown",
    "Kowalski",
    "Andersson",
    "Moreau",
    "Bianchi",
    "Fischer",
    "Weber",
    "Wagner",
    "Becker",
    "Hoffmann",
    "Silva",
    "Santos",
    "Tanaka",
    "Suzuki",
    "Kim",
    "Park",
    "Nguyen",
    "O'Brien",
    "Murphy",
    "Walsh",
    "Patel",
    "Singh",
    "Cohen",
    "Levy",
    "Van Dijk",
];
const FIRST_NAMES: &[&str] = &[
    "John", "Maria", "Peter", "Anna", "Thomas", "Laura", "Michael", "Sofia", "David", "Elena",
    "James", "Julia", "Lukas", "Emma", "Marco", "Chiara", "Jan", "Eva", "Pierre", "Claire",
    "Kenji", "Yuki", "Min-jun", "Ji-woo", "Rahul", "Priya", "Ahmed", "Fatima", "Carlos", "Ana",
];
const WEST_QUALIFIERS: &[&str] = &[
    "North",
    "Global",
    "International",
    "Europe",
    "Precision",
    "United",
    "Advanced",
    "Pacific",
    "Atlantic",
    "Central",
    "Digital",
    "Smart",
    "Prime",
    "First",
    "Royal",
    "Nova",
    "Baltic",
    "Alpine",
    "Coastal",
    "Metro",
    "Union",
    "Euro",
    "Trans",
    "Micro",
    "Power",
    "Green",
    "Swift",
    "Bright",
    "Bay",
    "Valley",
];
const WEST_INDUSTRIES: &[&str] = &[
    "Logistics",
    "Components",
    "Systems",
    "Electronics",
    "Trading",
    "Industries",
    "Supply",
    "Distribution",
    "Technologies",
    "Instruments",
    "Semiconductors",
    "Engineering",
    "Solutions",
    "Automation",
    "Devices",
    "Networks",
    "Data Services",
    "Optics",
    "Controls",
    "Materials",
];
const WEST_LEGAL: &[(&str, &str)] = &[
    ("GmbH", "DE"),
    ("AG", "DE"),
    ("LLC", "US"),
    ("Inc.", "US"),
    ("Corp.", "US"),
    ("Ltd", "GB"),
    ("Limited", "GB"),
    ("S.A.", "FR"),
    ("SAS", "FR"),
    ("B.V.", "NL"),
    ("S.r.l.", "IT"),
    ("S.p.A.", "IT"),
    ("Oy", "FI"),
    ("AB", "SE"),
    ("Pty Ltd", "AU"),
    ("Sp. z o.o.", "PL"),
    ("S.L.", "ES"),
    ("K.K.", "JP"),
    ("Co., Ltd.", "KR"),
    ("Pte. Ltd.", "SG"),
    ("Ltda.", "BR"),
    ("S.A. de C.V.", "MX"),
    ("Inc.", "CA"),
    ("A/S", "DK"),
    ("AS", "NO"),
];
const CN_SURNAMES: &[(&str, &str)] = &[
    ("Wang", "王"),
    ("Li", "李"),
    ("Zhang", "张"),
    ("Liu", "刘"),
    ("Chen", "陈"),
    ("Yang", "杨"),
    ("Huang", "黄"),
    ("Zhao", "赵"),
    ("Wu", "吴"),
    ("Zhou", "周"),
    ("Xu", "徐"),
    ("Sun", "孙"),
];
const CN_GIVEN: &[(&str, &str)] = &[
    ("Wei", "伟"),
    ("Fang", "芳"),
    ("Min", "敏"),
    ("Jing", "静"),
    ("Lei", "磊"),
    ("Jun", "军"),
    ("Yong", "勇"),
    ("Jie", "杰"),
    ("Tao", "涛"),
    ("Ming", "明"),
    ("Xiaoming", "小明"),
    ("Hui", "慧"),
    ("Hao", "浩"),
    ("Yan", "燕"),
    ("Qiang", "强"),
    ("Xiuying", "秀英"),
];
const WEST_CITIES: &[(&str, &str)] = &[
    ("Hamburg", "DE"),
    ("Munich", "DE"),
    ("Chicago", "US"),
    ("Austin", "US"),
    ("San Jose", "US"),
    ("Boston", "US"),
    ("London", "GB"),
    ("Manchester", "GB"),
    ("Lyon", "FR"),
    ("Paris", "FR"),
    ("Rotterdam", "NL"),
    ("Milan", "IT"),
    ("Espoo", "FI"),
    ("Gothenburg", "SE"),
    ("Sydney", "AU"),
    ("Wrocław", "PL"),
    ("Barcelona", "ES"),
    ("Osaka", "JP"),
    ("Seoul", "KR"),
    ("Singapore", "SG"),
    ("São Paulo", "BR"),
    ("Monterrey", "MX"),
    ("Toronto", "CA"),
    ("Aarhus", "DK"),
    ("Oslo", "NO"),
    ("Hsinchu", "TW"),
    ("Bangalore", "IN"),
    ("Dubai", "AE"),
    ("Istanbul", "TR"),
    ("Hong Kong", "HK"),
];
const STREETS: &[&str] = &[
    "Industrial Park Road",
    "Harbour Street",
    "Hauptstraße",
    "Main Street",
    "Science Avenue",
    "Rue de la Paix",
    "Via Roma",
    "Keizersgracht",
    "High Street",
    "Technology Drive",
    "Keji Road",
    "Nanshan Avenue",
    "Zhangjiang Road",
    "Binhai Boulevard",
    "Gaoxin 2nd Road",
];

fn cn_trade_name(rng: &mut Rng) -> (String, String) {
    let a = rng.pick(CN_SYLLABLES).copied().unwrap_or(("hua", "华"));
    let b = rng.pick(CN_SYLLABLES).copied().unwrap_or(("xin", "信"));
    let mut latin = format!("{}{}", a.0, b.0);
    if let Some(first) = latin.get(..1) {
        latin = first.to_uppercase() + latin.get(1..).unwrap_or("");
    }
    (latin, format!("{}{}", a.1, b.1))
}

/// An ordinary (unlisted) customer: name, country, city, address.
fn customer(rng: &mut Rng) -> (String, String, String, String) {
    let roll = rng.below(100);
    let num = 1 + rng.below(998);
    if roll < 38 {
        // Western company.
        let (legal, country) = rng.pick(WEST_LEGAL).copied().unwrap_or(("GmbH", "DE"));
        let city = WEST_CITIES.iter().find(|(_, c)| *c == country).map_or("Berlin", |(n, _)| *n);
        let first = if rng.chance(0.5) {
            rng.pick(WEST_PREFIX).copied().unwrap_or("Atlas").to_owned()
        } else {
            rng.pick(SURNAMES).copied().unwrap_or("Miller").to_owned()
        };
        let industry = rng.pick(WEST_INDUSTRIES).copied().unwrap_or("Systems");
        let name = match rng.below(10) {
            0 | 1 => {
                let second = rng.pick(SURNAMES).copied().unwrap_or("Brown");
                format!("{first} & {second} {industry} {legal}")
            }
            2..=6 => {
                let q = rng.pick(WEST_QUALIFIERS).copied().unwrap_or("Global");
                format!("{first} {q} {industry} {legal}")
            }
            _ => format!("{first} {industry} {legal}"),
        };
        let street =
            rng.pick(STREETS.get(..10).unwrap_or(STREETS)).copied().unwrap_or("Main Street");
        (name, country.to_owned(), city.to_owned(), format!("{num} {street}"))
    } else if roll < 63 {
        // Chinese company, romanised.
        let (city, _) = rng.pick(CN_CITIES).copied().unwrap_or(("Shenzhen", "深圳"));
        let (trade, _) = cn_trade_name(rng);
        let (industry, _) = rng.pick(CN_INDUSTRIES).copied().unwrap_or(("Technology", "科技"));
        let legal = rng.pick(CN_LEGAL).copied().unwrap_or("Co., Ltd.");
        let name = if rng.chance(0.8) {
            format!("{city} {trade} {industry} {legal}")
        } else {
            format!("{trade} {industry} {legal}")
        };
        let country = if rng.chance(0.1) { "HK" } else { "CN" };
        let street = rng.pick(STREETS.get(10..).unwrap_or(STREETS)).copied().unwrap_or("Keji Road");
        (name, country.to_owned(), city.to_owned(), format!("No. {num} {street}"))
    } else if roll < 75 {
        // Chinese company in Chinese characters.
        let (city, city_zh) = rng.pick(CN_CITIES).copied().unwrap_or(("Shenzhen", "深圳"));
        let (_, trade) = cn_trade_name(rng);
        let (_, industry) = rng.pick(CN_INDUSTRIES).copied().unwrap_or(("Technology", "科技"));
        let name = format!("{city_zh}市{trade}{industry}有限公司");
        (name, "CN".to_owned(), city.to_owned(), format!("{city_zh}市高新区{num}号"))
    } else if roll < 90 {
        // Western person.
        let first = rng.pick(FIRST_NAMES).copied().unwrap_or("Anna");
        let last = rng.pick(SURNAMES).copied().unwrap_or("Miller");
        let (city, country) = rng.pick(WEST_CITIES).copied().unwrap_or(("Hamburg", "DE"));
        let street =
            rng.pick(STREETS.get(..10).unwrap_or(STREETS)).copied().unwrap_or("Main Street");
        let name = if rng.chance(0.6) {
            let initial = char::from(b'A' + (rng.below(26) as u8));
            let second = rng.pick(FIRST_NAMES).copied().unwrap_or("Maria");
            if rng.chance(0.5) {
                format!("{first} {initial}. {last}")
            } else {
                format!("{first}-{second} {last}")
            }
        } else {
            format!("{first} {last}")
        };
        (name, country.to_owned(), city.to_owned(), format!("{num} {street}"))
    } else {
        // Chinese person, romanised or in characters.
        let (s_lat, s_zh) = rng.pick(CN_SURNAMES).copied().unwrap_or(("Wang", "王"));
        let (g_lat, g_zh) = rng.pick(CN_GIVEN).copied().unwrap_or(("Wei", "伟"));
        let (city, _) = rng.pick(CN_CITIES).copied().unwrap_or(("Beijing", "北京"));
        let name =
            if rng.chance(0.4) { format!("{s_zh}{g_zh}") } else { format!("{s_lat} {g_lat}") };
        (name, "CN".to_owned(), city.to_owned(), format!("Room {num}, Building 3"))
    }
}

/// A true variant of a listed name, as customers' master data tends to spell it.
fn variant(rng: &mut Rng, e: &Entry) -> String {
    let name = e.name.clone();
    match rng.below(7) {
        0 => name,
        1 => name.to_uppercase(),
        2 => {
            let swaps = [
                ("Co., Ltd.", "Company Limited"),
                ("Co., Limited", "Co., Ltd."),
                ("Company Limited", "Co., Ltd."),
                ("Limited", "Ltd"),
                ("LLC", "L.L.C."),
                ("Ltd.", "Limited"),
                ("Inc.", "Incorporated"),
            ];
            swaps
                .iter()
                .find(|(a, _)| name.contains(a))
                .map_or(name.clone(), |(a, b)| name.replacen(a, b, 1))
        }
        3 => name.chars().filter(|c| !matches!(c, ',' | '.' | '(' | ')')).collect(),
        4 => {
            // Swap two adjacent letters inside the longest word.
            let words: Vec<&str> = name.split(' ').collect();
            let longest =
                words.iter().enumerate().max_by_key(|(_, w)| w.chars().count()).map(|(i, _)| i);
            match longest {
                Some(i) if words.get(i).is_some_and(|w| w.chars().count() >= 6 && w.is_ascii()) => {
                    let w = words.get(i).copied().unwrap_or_default();
                    let mut b: Vec<u8> = w.bytes().collect();
                    let k = 1 + rng.below(b.len().saturating_sub(3));
                    b.swap(k, k + 1);
                    let typo = String::from_utf8(b).unwrap_or_else(|_| w.to_owned());
                    let mut out = words.clone();
                    if let Some(slot) = out.get_mut(i) {
                        *slot = &typo;
                    }
                    out.join(" ")
                }
                _ => name,
            }
        }
        _ => rng.pick(&e.aliases).map_or(name, |a| a.name.clone()),
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

struct Args {
    rows: u64,
    seed: u64,
    out: String,
    variants: f64,
    bad: f64,
    truth: Option<String>,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        rows: 100_000,
        seed: 1,
        out: "customers.csv".into(),
        variants: 0.005,
        bad: 0.0001,
        truth: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut val = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--rows" => a.rows = val()?.parse().map_err(|e| format!("--rows: {e}"))?,
            "--seed" => a.seed = val()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "-o" | "--output" => a.out = val()?,
            "--variants" => a.variants = val()?.parse().map_err(|e| format!("--variants: {e}"))?,
            "--bad" => a.bad = val()?.parse().map_err(|e| format!("--bad: {e}"))?,
            "--truth" => a.truth = Some(val()?),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(a)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = parse_args()?;
    let lists = common::load_snapshot_dir(&common::lists_dir())?;
    let el = ListId::from("us_bis_entity_list");
    let listed: Vec<&Entry> = lists.entries().collect();
    let entity_list: Vec<&Entry> = listed.iter().copied().filter(|e| e.list == el).collect();
    let jsonl = args.out.ends_with(".jsonl");
    let file = std::fs::File::create(&args.out)?;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
    let mut rng = Rng(args.seed);
    if !jsonl {
        writeln!(w, "customer_id,customer_name,country,city,address")?;
    }
    let (mut variants, mut bad) = (0u64, 0u64);
    let mut truth = match &args.truth {
        Some(p) => {
            let mut t = std::io::BufWriter::new(std::fs::File::create(p)?);
            writeln!(t, "customer_id,list,entry_id,name")?;
            Some(t)
        }
        None => None,
    };
    for i in 0..args.rows {
        let id = format!("C{:08}", i + 1);
        let (name, country, city, address) = if rng.chance(args.variants) {
            variants += 1;
            let pool = if rng.chance(0.7) { &entity_list } else { &listed };
            let e = rng.pick(pool).copied();
            match e {
                Some(e) => {
                    let v = variant(&mut rng, e);
                    if let Some(t) = truth.as_mut() {
                        writeln!(t, "{id},{},{},{}", e.list, csv_field(&e.id), csv_field(&v))?;
                    }
                    (
                        v,
                        e.country.clone().unwrap_or_default(),
                        String::new(),
                        e.addresses.first().cloned().unwrap_or_default(),
                    )
                }
                None => customer(&mut rng),
            }
        } else {
            customer(&mut rng)
        };
        if rng.chance(args.bad) {
            bad += 1;
            if jsonl {
                match rng.below(2) {
                    0 => writeln!(w, "{{\"customer_id\":\"{id}\",\"customer_name\":\"{name}\"")?,
                    _ => {
                        w.write_all(b"{\"customer_id\":\"")?;
                        w.write_all(id.as_bytes())?;
                        w.write_all(b"\",\"customer_name\":\"\xFF\xFEbad\"}\n")?;
                    }
                }
            } else {
                match rng.below(3) {
                    0 => writeln!(
                        w,
                        "{id},{},{country},{},{},extra",
                        csv_field(&name),
                        csv_field(&city),
                        csv_field(&address)
                    )?,
                    1 => {
                        w.write_all(id.as_bytes())?;
                        w.write_all(b",Bad\xFF\xFEBytes Trading,DE,Berlin,1 Main Street\n")?;
                    }
                    _ => writeln!(
                        w,
                        "{id},\"{name},{country},{},{}",
                        csv_field(&city),
                        csv_field(&address)
                    )?,
                }
            }
            continue;
        }
        if jsonl {
            let v = serde_json::json!({
                "customer_id": id, "customer_name": name, "country": country,
                "city": city, "address": address,
            });
            serde_json::to_writer(&mut w, &v)?;
            w.write_all(b"\n")?;
        } else {
            writeln!(
                w,
                "{id},{},{},{},{}",
                csv_field(&name),
                csv_field(&country),
                csv_field(&city),
                csv_field(&address)
            )?;
        }
    }
    w.flush()?;
    if let Some(t) = truth.as_mut() {
        t.flush()?;
    }
    eprintln!(
        "wrote {} rows to {} ({variants} listed-name variants, {bad} malformed)",
        args.rows, args.out
    );
    Ok(())
}
