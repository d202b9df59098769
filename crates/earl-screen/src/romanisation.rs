//! Chinese names in romanisations other than pinyin: Wade-Giles (Taiwan, older Western sources:
//! `Hsi Chin-ping` = Xi Jinping, `Mao Tse-tung` = Mao Zedong) and Hong Kong Cantonese spellings
//! (`Wong` = Huang or Wang, `Cheung` = Zhang, `Lee` = Li), read as pinyin.
//!
//! Wade-Giles is a fixed syllable system: its table is derived from every pinyin syllable by
//! the standard Wade-Giles <-> Hanyu Pinyin correspondence (initials `b`->`p`, `d`->`t`,
//! `g`->`k`, `zh`/`j`->`ch`, `x`->`hs`, `z`/`c`->`ts`, `r`->`j`; finals `-ong`->`-ung`,
//! `-ian`->`-ien`, `-ie`->`-ieh`, `-ue`->`-ueh`, `-uo`->`-o`; whole syllables `zhi`->`chih`,
//! `shi`->`shih`, `zi`->`tzu`, `si`->`ssu`, `er`->`erh`, `ge`->`ko` ...), as laid out in the
//! Library of Congress "Pinyin Conversion Project" Wade-Giles/pinyin table (2000).
//! Apostrophes (aspiration: `ch'` = `q`/`ch`) and umlauts are lost in normalisation, so one
//! spelling may stand for several pinyin syllables (`chin` = `jin` or `qin`). Cantonese
//! spellings are a table of surnames and common given-name syllables
//! (`data/cantonese_names.tsv`, sources in its header).
//!
//! Many of these syllables are also English words or other names (`Tang`, `Ho`, `Lee`, `Chin`,
//! `Sun`), so the alternative readings are only added to names that read as a Chinese name
//! written this way: two or more distinctive words, every one a syllable (pinyin, Wade-Giles or
//! Cantonese), and at least one of them a Wade-Giles or Cantonese spelling that is not pinyin
//! (`Hsi`, `Tse`, `Wong`, `Cheung`). A pinyin name (`Chang Wei`) therefore never gains a reading,
//! and neither does a company with one such word (`Tang Industries`).

use std::sync::OnceLock;

use rustc_hash::FxHashMap;

use crate::prepare::{NameForm, Origin, Token};
use crate::tables::{Role, tables};

const CANTONESE: &str = include_str!("../data/cantonese_names.tsv");

/// Whole pinyin syllables whose Wade-Giles spelling does not follow the initial + final rules.
const WG_SYLLABLES: &[(&str, &str)] = &[
    ("zhi", "chih"),
    ("chi", "chih"),
    ("shi", "shih"),
    ("ri", "jih"),
    ("zi", "tzu"),
    ("ci", "tzu"),
    ("si", "ssu"),
    ("er", "erh"),
    ("yi", "i"),
    ("ye", "yeh"),
    ("yan", "yen"),
    ("you", "yu"),
    ("yong", "yung"),
    ("yue", "yueh"),
    ("e", "o"),
    ("ge", "ko"),
    ("ke", "ko"),
    ("he", "ho"),
    ("gui", "kuei"),
    ("kui", "kuei"),
    ("guo", "kuo"),
    ("kuo", "kuo"),
    ("huo", "huo"),
    ("shuo", "shuo"),
];

/// Pinyin initials and their Wade-Giles spelling (aspiration marks dropped), two-letter ones first.
const WG_INITIALS: &[(&str, &str)] = &[
    ("zh", "ch"),
    ("ch", "ch"),
    ("sh", "sh"),
    ("b", "p"),
    ("p", "p"),
    ("d", "t"),
    ("t", "t"),
    ("g", "k"),
    ("k", "k"),
    ("j", "ch"),
    ("q", "ch"),
    ("x", "hs"),
    ("z", "ts"),
    ("c", "ts"),
    ("r", "j"),
    ("s", "s"),
    ("h", "h"),
    ("m", "m"),
    ("f", "f"),
    ("n", "n"),
    ("l", "l"),
    ("y", "y"),
    ("w", "w"),
];

/// Pinyin finals spelt differently in Wade-Giles (`v` stands for `ü`).
const WG_FINALS: &[(&str, &str)] = &[
    ("iong", "iung"),
    ("ong", "ung"),
    ("ian", "ien"),
    ("ie", "ieh"),
    ("ue", "ueh"),
    ("ve", "ueh"),
    ("uo", "o"),
    ("v", "u"),
];

/// Wade-Giles spelling of a pinyin syllable (`v` or `ü` for `ü`), apostrophes and umlauts
/// dropped as normalisation drops them.
fn wade_giles(py: &str) -> String {
    if let Some((_, wg)) = WG_SYLLABLES.iter().find(|(p, _)| *p == py) {
        return (*wg).to_owned();
    }
    let (head, final_) = WG_INITIALS
        .iter()
        .find_map(|(p, wg)| py.strip_prefix(p).map(|rest| (*wg, rest)))
        .unwrap_or(("", py));
    let final_ = WG_FINALS.iter().find(|(p, _)| *p == final_).map_or(final_, |(_, wg)| wg);
    format!("{head}{final_}")
}

/// Pinyin readings of non-pinyin spellings: Wade-Giles and Cantonese, spelling -> syllables.
fn readings_table() -> &'static FxHashMap<String, Vec<String>> {
    static TABLE: OnceLock<FxHashMap<String, Vec<String>>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut m: FxHashMap<String, Vec<String>> = FxHashMap::default();
        let mut add = |spelling: String, py: String| {
            let list = m.entry(spelling).or_default();
            if !list.contains(&py) {
                list.push(py);
            }
        };
        let mut syllables: Vec<String> = tables()
            .syllables
            .iter()
            .map(|s| s.replace('ü', "v"))
            .filter(|s| s.is_ascii() && has_vowel(s))
            .collect();
        syllables.sort_unstable();
        for py in syllables {
            let wg = wade_giles(&py);
            // Latin list names write `ü` as `u` (`Lu`, `Xu`).
            add(wg, py.replace('v', "u"));
        }
        add("szu".to_owned(), "si".to_owned());
        for line in CANTONESE.lines().filter(|l| !l.starts_with('#') && !l.is_empty()) {
            let mut cols = line.split('\t');
            let (Some(spelling), Some(readings)) = (cols.next(), cols.next()) else { continue };
            for py in readings.split('|').filter(|p| !p.is_empty()) {
                add(spelling.to_owned(), py.to_owned());
            }
        }
        m
    })
}

fn has_vowel(s: &str) -> bool {
    s.bytes().any(|c| matches!(c, b'a' | b'e' | b'i' | b'o' | b'u' | b'v'))
}

/// Whether `w` is a pinyin syllable (the interjections `ng`, `m`, `hm` excepted: `Ng` is the
/// Cantonese spelling of 吳 Wu).
fn is_pinyin(w: &str) -> bool {
    has_vowel(w) && tables().syllables.contains(w)
}

/// Whether `w` is two or three pinyin syllables run together (`jinping`).
pub(crate) fn is_pinyin_compound(w: &str) -> bool {
    fn split(w: &str, parts: usize) -> bool {
        if w.is_empty() {
            return true;
        }
        parts > 0
            && (1..=w.len().min(6)).any(|cut| {
                w.get(..cut).is_some_and(is_pinyin)
                    && w.get(cut..).is_some_and(|r| split(r, parts - 1))
            })
    }
    w.len() >= 4 && split(w, 3)
}

/// Syllable spellings that are also everyday English words: they get readings in a name that
/// is Chinese by other evidence, but are no evidence themselves.
const ENGLISH_WORDS: &[&str] = &[
    "to", "so", "no", "lo", "on", "kin", "kit", "tin", "sum", "hung", "sin", "law", "chin", "sung",
];

/// Pinyin syllables that, as a surname, are almost always the Hong Kong spelling of another
/// syllable (`Chan` = 陳 Chen; the pinyin surname Chan is very rare).
const CANTONESE_ONLY: &[&str] = &["chan"];

/// Pinyin readings of one word, the word itself first when it is pinyin.
fn options(word: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    if is_pinyin(word) {
        out.push(word.to_owned());
    }
    for r in readings_table().get(word).into_iter().flatten() {
        if !out.contains(r) {
            out.push(r.clone());
        }
    }
    out
}

/// Adds pinyin readings to the words of a name written in Wade-Giles or Cantonese spelling
/// (`Hsi` -> `xi`, `Chin` -> `jin`/`qin`, `Wong` -> `huang`/`wang`). Names that do not read as
/// such are left unchanged (module docs). Given names written in parts (`Chin-ping`, `Tai
/// Man`) meet the pinyin word (`Jinping`, `Dawen`) through merges over these readings
/// (`score::merge_edges`).
pub(crate) fn add_pinyin_readings(form: &mut NameForm) {
    let table = readings_table();
    let mut distinctive = 0usize;
    let mut evidence = false;
    for t in &form.tokens {
        if t.role != Role::Distinctive {
            continue;
        }
        if !matches!(t.origin, Origin::Plain | Origin::Translit) || t.paren {
            return;
        }
        let f = t.form.as_str();
        let pinyin = is_pinyin(f);
        let known = table.contains_key(f);
        if !(pinyin || known || is_pinyin_compound(f)) {
            return;
        }
        evidence |=
            (known && !pinyin && !ENGLISH_WORDS.contains(&f)) || CANTONESE_ONLY.contains(&f);
        distinctive += 1;
    }
    if distinctive < 2 {
        return;
    }
    let single = |t: &Token| {
        t.role == Role::Distinctive && (is_pinyin(&t.form) || table.contains_key(&t.form))
    };
    let hyphened = form.hyphened;
    // Pinyin writes a given name as one word; Wade-Giles and Hong Kong spellings hyphenate it.
    let hyphenated_syllables = form.tokens.windows(2).enumerate().any(|(i, w)| {
        i + 1 < 64
            && hyphened & (1u64 << (i + 1)) != 0
            && matches!(w, [a, b] if single(a) && single(b))
    });
    if !(evidence || hyphenated_syllables) {
        return;
    }
    for t in form.tokens.iter_mut().filter(|t| t.role == Role::Distinctive) {
        for r in options(&t.form) {
            if r != t.form && !t.alts.contains(&r) {
                t.alts.push(r);
            }
        }
    }
}

/// Spellings in the readings table (for tests).
#[cfg(test)]
fn spellings() -> rustc_hash::FxHashSet<&'static str> {
    readings_table().keys().map(String::as_str).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prepare::analyze;

    fn readings(w: &str) -> Vec<String> {
        readings_table().get(w).cloned().unwrap_or_default()
    }

    #[test]
    fn wade_giles_spellings_of_pinyin_syllables() {
        for (py, wg) in [
            ("xi", "hsi"),
            ("jin", "chin"),
            ("ping", "ping"),
            ("ze", "tse"),
            ("dong", "tung"),
            ("deng", "teng"),
            ("xiao", "hsiao"),
            ("jiang", "chiang"),
            ("zhou", "chou"),
            ("xu", "hsu"),
            ("shi", "shih"),
            ("zi", "tzu"),
            ("xie", "hsieh"),
            ("cai", "tsai"),
            ("guo", "kuo"),
            ("rong", "jung"),
            ("xiong", "hsiung"),
            ("bian", "pien"),
            ("yan", "yen"),
            ("lve", "lueh"),
            ("lian", "lien"),
            ("lv", "lu"),
            ("zhuo", "cho"),
            ("luo", "lo"),
            ("er", "erh"),
        ] {
            assert_eq!(wade_giles(py), wg, "{py}");
        }
    }

    #[test]
    fn spellings_read_as_pinyin() {
        assert_eq!(readings("hsi"), ["xi"]);
        let chin = readings("chin");
        assert!(chin.contains(&"jin".to_owned()) && chin.contains(&"qin".to_owned()), "{chin:?}");
        assert!(readings("tse").contains(&"ze".to_owned()));
        assert!(readings("tse").contains(&"xie".to_owned()), "Cantonese 謝");
        let wong = readings("wong");
        assert!(wong.contains(&"huang".to_owned()) && wong.contains(&"wang".to_owned()));
        assert!(readings("ssu").contains(&"si".to_owned()));
        assert!(readings("szu").contains(&"si".to_owned()));
        assert!(spellings().contains("cheung"));
        assert!(!spellings().contains("smith"));
    }

    fn tokens(name: &str) -> Vec<(String, Vec<String>)> {
        analyze(name).tokens.into_iter().map(|t| (t.form, t.alts)).collect()
    }

    #[test]
    fn chinese_names_in_other_spellings_gain_pinyin_readings() {
        let t = tokens("Hsi Chin-ping");
        assert_eq!(t[0].0, "hsi");
        assert!(t[0].1.contains(&"xi".to_owned()));
        assert!(t[1].1.contains(&"jin".to_owned()), "{:?}", t[1].1);
        let t = tokens("Mao Tse-tung");
        assert!(t[1].1.contains(&"ze".to_owned()) && t[2].1.contains(&"dong".to_owned()));
        let t = tokens("Cheung Tai Man");
        assert!(t[0].1.contains(&"zhang".to_owned()));
        assert!(t[1].1.contains(&"da".to_owned()) && t[2].1.contains(&"wen".to_owned()));
        // `Chan` as a surname is the Hong Kong spelling of 陳 Chen.
        assert!(tokens("Chan Tai Man")[0].1.contains(&"chen".to_owned()));
        // A hyphenated given name marks the spelling even when every syllable is also pinyin.
        let t = tokens("Chou En-lai");
        assert!(t[0].1.contains(&"zhou".to_owned()));
        // Words stay as written: the hyphen mark is kept.
        let f = analyze("Chiang Ching-kuo");
        assert_eq!(f.tokens.len(), 3);
        assert_eq!(f.hyphened, 0b100);
    }

    #[test]
    fn other_names_are_left_alone() {
        for name in [
            "Chang Wei",
            "Zhang Jin Ping",
            "Ma Ying Jeou",
            "Tang Industries",
            "Lee Smith",
            "Sun Chemical Corp",
            "Chin Sin",
            "Kim Jong-un",
        ] {
            let f = analyze(name);
            assert!(f.tokens.iter().all(|t| t.alts.is_empty()), "{name}: {:?}", f.tokens);
        }
        assert_eq!(analyze("Kim Jong-un").hyphened, 0b100);
    }
}
