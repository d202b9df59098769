//! Static vocabularies: legal forms, trade abbreviations, generic words, Chinese terms and
//! place names, traditional-to-simplified characters.
//!
//! The tables are plain text files under `data/`, embedded with `include_str!` and parsed once
//! per process (well under a millisecond), so reviewers can read and extend them without
//! touching code. Malformed lines are skipped rather than failing: the files are ours and are
//! checked by unit tests.

use rustc_hash::{FxHashMap, FxHashSet};
use std::sync::OnceLock;

use crate::normalize;

/// Role of a word in a company or person name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Role {
    /// The words that identify the party ("Huawei", "Sugon", a surname).
    Distinctive,
    /// Descriptive words shared by many names ("technology", "electronics").
    Generic,
    /// A place name ("Shenzhen", "Beijing").
    Place,
    /// A number ("13" in "13th Research Institute").
    Number,
    /// Function words ("of", "and").
    Stop,
}

/// A phrase of Latin tokens and what it stands for.
#[derive(Debug, Clone)]
pub(crate) enum Phrase {
    /// A legal form of the given class (`ltd`, `jsc`, `gmbh` ...).
    Legal(String),
    /// One or more canonical words, each with a role.
    Words(Vec<(String, Role)>),
}

/// What a Chinese dictionary word stands for.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum HanTerm {
    /// A legal form (`有限公司`) of a class.
    Legal { english: String, class: String },
    /// A descriptive word with its English list forms (first is preferred).
    Generic { english: Vec<Vec<String>> },
    /// A structural marker (`第`, `号`) around numbers.
    Marker,
    /// A place with its romanisations (first is preferred).
    Place { latin: Vec<String> },
    /// A well-known company or institution name with its English list forms.
    Brand { english: Vec<Vec<String>> },
}

/// All tables, parsed once.
#[derive(Debug)]
pub(crate) struct Tables {
    /// Latin phrases keyed by their first token; each list sorted longest first.
    pub phrases: FxHashMap<String, Vec<(Vec<String>, Phrase)>>,
    /// Canonical Latin place tokens (`beijing`, `hongkong`).
    pub latin_places: FxHashSet<String>,
    /// Chinese dictionary (simplified), keyed by the word.
    pub han: FxHashMap<String, HanTerm>,
    /// Longest Chinese dictionary word, in characters.
    pub han_max_len: usize,
    /// Traditional -> simplified characters.
    pub t2s: FxHashMap<char, char>,
    /// Pinyin overrides for polyphonic characters in names (`长` -> `chang`).
    pub polyphones: FxHashMap<char, &'static str>,
    /// Every toneless pinyin syllable (`zhang`, `li` ...).
    pub syllables: FxHashSet<&'static str>,
    /// One-word country names (`sweden`, `mexico`): places inside company names (see
    /// `prepare::company_places`).
    pub country_words: FxHashSet<String>,
    /// Words of five letters or more that occur in Latin legal forms (`limited`, `company`,
    /// `joint`): a one-edit misspelling of one is read as the word when it completes a legal
    /// form (`prepare::repair_legal_typos`).
    /// Keyed by length, with each word's letter mask for a cheap pre-filter.
    pub legal_words: FxHashMap<usize, Vec<(String, u32)>>,
    /// The same words, for membership tests.
    pub legal_word_set: FxHashSet<String>,
    /// Single-word generic terms of [`GENERIC_TYPO_MIN_LEN`] letters or more (`institute`,
    /// `scientific`, `optoelectronic`), keyed by length with their letter masks: a misspelling
    /// of one is read as the term (`prepare::repair_generic_typos`).
    pub generic_words: FxHashMap<usize, Vec<(String, u32)>>,
}

/// Shortest legal-form word whose misspellings are repaired: shorter ones (`ag`, `ltd`, `inc`)
/// are one edit away from too many real words.
pub(crate) const LEGAL_TYPO_MIN_LEN: usize = 5;

/// Shortest generic term whose misspellings are repaired. Descriptive words are longer than
/// legal-form words, and a name's own word (a brand) is more often one edit from a short term
/// (`Cosco` / `costco`) than from a long one.
pub(crate) const GENERIC_TYPO_MIN_LEN: usize = 7;

static TABLES: OnceLock<Tables> = OnceLock::new();

/// The process-wide tables.
pub(crate) fn tables() -> &'static Tables {
    TABLES.get_or_init(build)
}

const LEGAL_FORMS: &str = include_str!("../data/legal_forms.tsv");
const LATIN_TERMS: &str = include_str!("../data/latin_terms.tsv");
const HAN_TERMS: &str = include_str!("../data/han_terms.tsv");
const HAN_PLACES: &str = include_str!("../data/han_places.tsv");
const T2S: &str = include_str!("../data/t2s_chars.tsv");
const HAN_BRANDS: &str = include_str!("../data/han_brands.tsv");

/// Readings used for characters whose most common reading is wrong in names.
const POLYPHONES: &[(char, &str)] = &[
    ('长', "chang"),
    ('重', "zhong"),
    ('厦', "xia"),
    ('行', "hang"),
    ('乐', "le"),
    ('朝', "chao"),
    ('都', "du"),
    ('单', "shan"),
    ('会', "hui"),
    ('广', "guang"),
    ('华', "hua"),
    ('藏', "zang"),
    ('曾', "zeng"),
    ('解', "xie"),
    ('仇', "qiu"),
    ('区', "qu"),
    ('查', "zha"),
    ('盖', "ge"),
    ('石', "shi"),
    ('传', "chuan"),
    ('调', "diao"),
    ('和', "he"),
    ('强', "qiang"),
    ('兴', "xing"),
    ('发', "fa"),
    ('大', "da"),
    ('中', "zhong"),
    ('为', "wei"),
    ('省', "sheng"),
    ('车', "che"),
    ('蚌', "beng"),
    ('六', "liu"),
    ('地', "di"),
    ('的', "de"),
    ('得', "de"),
    ('了', "le"),
    ('着', "zhe"),
    ('说', "shuo"),
    ('率', "lv"),
    ('参', "shen"),
    ('差', "cha"),
    ('数', "shu"),
    ('系', "xi"),
    ('光', "guang"),
    ('思', "si"),
    ('科', "ke"),
    ('合', "he"),
    ('能', "neng"),
    ('万', "wan"),
    ('凯', "kai"),
];

fn lines(text: &str) -> impl Iterator<Item = Vec<&str>> {
    text.lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| l.split('\t').collect())
}

fn role_of(code: &str) -> Role {
    match code {
        "s" => Role::Stop,
        "p" => Role::Place,
        _ => Role::Generic,
    }
}

fn latin_words(text: &str) -> Vec<String> {
    normalize::latin_tokens(text)
}

fn push_phrase(
    phrases: &mut FxHashMap<String, Vec<(Vec<String>, Phrase)>>,
    key: Vec<String>,
    phrase: Phrase,
) {
    let Some(first) = key.first().cloned() else {
        return;
    };
    let list = phrases.entry(first).or_default();
    if list.iter().any(|(k, _)| *k == key) {
        return;
    }
    list.push((key, phrase));
}

fn build() -> Tables {
    let mut phrases: FxHashMap<String, Vec<(Vec<String>, Phrase)>> = FxHashMap::default();
    let mut latin_places = FxHashSet::default();
    let mut han: FxHashMap<String, HanTerm> = FxHashMap::default();

    // Latin terms first: on a clash with a legal form the term wins (keeps "group" generic).
    for cols in lines(LATIN_TERMS) {
        let (Some(surface), Some(canon), Some(role)) = (cols.first(), cols.get(1), cols.get(2))
        else {
            continue;
        };
        let key = latin_words(surface);
        let role = role_of(role);
        let words: Vec<(String, Role)> =
            latin_words(canon).into_iter().map(|w| (w, role)).collect();
        if key.is_empty() || words.is_empty() {
            continue;
        }
        push_phrase(&mut phrases, key, Phrase::Words(words));
    }
    let mut legal_words: FxHashMap<usize, Vec<(String, u32)>> = FxHashMap::default();
    let mut legal_word_set: FxHashSet<String> = FxHashSet::default();
    for cols in lines(LEGAL_FORMS) {
        let (Some(alias), Some(class)) = (cols.first(), cols.get(1)) else {
            continue;
        };
        if alias.chars().any(normalize::is_han) {
            continue;
        }
        let key = latin_words(alias);
        if key.is_empty() {
            continue;
        }
        for word in &key {
            if word.len() >= LEGAL_TYPO_MIN_LEN
                && word.bytes().all(|b| b.is_ascii_lowercase())
                && legal_word_set.insert(word.clone())
            {
                let entry = (word.clone(), crate::score::letter_mask(word));
                legal_words.entry(word.len()).or_default().push(entry);
            }
        }
        push_phrase(&mut phrases, key, Phrase::Legal((*class).to_owned()));
    }
    for cols in lines(HAN_PLACES) {
        let (Some(word), Some(latin)) = (cols.first(), cols.get(1)) else {
            continue;
        };
        let forms: Vec<String> = latin
            .split('|')
            .map(|alt| latin_words(alt).concat())
            .filter(|f| !f.is_empty())
            .collect();
        for alt in latin.split('|') {
            let key = latin_words(alt);
            let joined = key.concat();
            if joined.is_empty() {
                continue;
            }
            latin_places.insert(joined.clone());
            if key.len() > 1 {
                push_phrase(&mut phrases, key, Phrase::Words(vec![(joined, Role::Place)]));
            }
        }
        if !forms.is_empty() {
            han.insert((*word).to_owned(), HanTerm::Place { latin: forms });
        }
    }
    for extra in ["prc", "hk", "sar"] {
        latin_places.insert(extra.to_owned());
    }
    for cols in lines(HAN_TERMS) {
        let (Some(word), Some(english), Some(role)) = (cols.first(), cols.get(1), cols.get(2))
        else {
            continue;
        };
        if han.contains_key(*word) {
            continue;
        }
        let term = if let Some(class) = role.strip_prefix("l:") {
            HanTerm::Legal { english: (*english).to_owned(), class: class.to_owned() }
        } else if *role == "o" {
            HanTerm::Marker
        } else {
            HanTerm::Generic {
                english: english.split('|').map(latin_words).filter(|w| !w.is_empty()).collect(),
            }
        };
        han.insert((*word).to_owned(), term);
    }
    for cols in lines(HAN_BRANDS) {
        let (Some(word), Some(english)) = (cols.first(), cols.get(1)) else {
            continue;
        };
        let english: Vec<Vec<String>> =
            english.split('|').map(latin_words).filter(|w| !w.is_empty()).collect();
        if !english.is_empty() {
            han.insert((*word).to_owned(), HanTerm::Brand { english });
        }
    }
    for list in phrases.values_mut() {
        list.sort_by_key(|(k, _)| std::cmp::Reverse(k.len()));
    }
    let mut generic_words: FxHashMap<usize, Vec<(String, u32)>> = FxHashMap::default();
    for (word, list) in &phrases {
        // Shortened spellings with letters left out inside (`internatl`) are no target: an
        // ordinary word is often one letter from them (`internal`).
        let generic = list.iter().any(|(key, phrase)| {
            key.len() == 1
                && matches!(phrase, Phrase::Words(ws) if match ws.as_slice() {
                    [(canon, Role::Generic)] => canon.len() <= word.len() || canon.starts_with(word.as_str()),
                    _ => false,
                })
        });
        if generic
            && word.len() >= GENERIC_TYPO_MIN_LEN
            && word.bytes().all(|b| b.is_ascii_lowercase())
        {
            let entry = (word.clone(), crate::score::letter_mask(word));
            generic_words.entry(word.len()).or_default().push(entry);
        }
    }
    // A fixed order, so that a tie between two terms resolves the same way on every run.
    for bucket in generic_words.values_mut() {
        bucket.sort();
    }
    let han_max_len = han.keys().map(|k| k.chars().count()).max().unwrap_or(1);

    let mut t2s = FxHashMap::default();
    for cols in lines(T2S) {
        let (Some(t), Some(s)) = (cols.first(), cols.get(1)) else {
            continue;
        };
        let (mut tc, mut sc) = (t.chars(), s.chars());
        if let (Some(t), None, Some(s)) = (tc.next(), tc.next(), sc.next())
            && t != s
        {
            t2s.insert(t, s);
        }
    }
    let polyphones = POLYPHONES.iter().copied().collect();
    let syllables = (0x4E00u32..=0x9FA5)
        .filter_map(char::from_u32)
        .filter_map(|c| pinyin::ToPinyin::to_pinyin(&c).map(|p| p.plain()))
        .collect();
    let country_words: FxHashSet<String> = earl_lists::country::all_codes()
        .filter_map(earl_lists::country::display_name)
        .map(latin_words)
        .filter_map(|w| match w.as_slice() {
            [one] => Some(one.clone()),
            _ => None,
        })
        .collect();
    Tables {
        phrases,
        latin_places,
        han,
        han_max_len,
        t2s,
        polyphones,
        syllables,
        country_words,
        legal_words,
        legal_word_set,
        generic_words,
    }
}

/// Continents and world regions written as one word in company names (`Faberlic Europe`).
pub(crate) const CONTINENTS: &[&str] =
    &["europe", "asia", "africa", "america", "americas", "eurasia", "oceania", "scandinavia"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_parse_and_hold_the_core_entries() {
        let t = tables();
        assert!(t.han.len() > 450, "han dictionary has {} entries", t.han.len());
        assert!(matches!(t.han.get("有限公司"), Some(HanTerm::Legal { .. })));
        assert!(
            matches!(t.han.get("重庆"), Some(HanTerm::Place { latin }) if latin[0] == "chongqing")
        );
        assert!(t.latin_places.contains("hongkong"));
        assert_eq!(t.t2s.get(&'華'), Some(&'华'));
        assert_eq!(t.t2s.get(&'東'), Some(&'东'));
        let tech = t.phrases.get("tech").expect("tech");
        assert!(matches!(&tech[0].1, Phrase::Words(w) if w[0].0 == "technology"));
        let co = t.phrases.get("co").expect("co");
        assert!(
            co.iter().any(|(k, p)| k.len() == 2 && matches!(p, Phrase::Legal(c) if c == "ltd"))
        );
    }
}
