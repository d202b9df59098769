//! Chinese names: dictionary segmentation, legal forms, numbers and pinyin.
//!
//! Segmentation is forward maximum matching over earl's own vocabulary (legal forms, generic
//! words, places; `data/han_*.tsv`). Characters that start no dictionary word collect into an
//! "unknown" segment: that is normally the distinctive part of a company name (华为, 曙光,
//! 新凯来) and is romanised to toneless pinyin, with alternative readings for polyphonic
//! characters. A general-purpose segmenter (jieba) would split brand names into everyday words
//! (新 | 凯 | 来), which is worse for matching romanised list names.

use pinyin::{ToPinyin, ToPinyinMulti};

use crate::tables::{HanTerm, tables};

/// One segment of a Han run.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Segment {
    /// A dictionary word.
    Term {
        /// The characters as written.
        surface: String,
        /// The simplified characters (dictionary key).
        key: String,
        /// The dictionary entry.
        term: &'static HanTerm,
    },
    /// Characters outside the dictionary: romanised.
    Unknown {
        /// The characters as written.
        surface: String,
        /// Pinyin reading, syllables joined (`huawei`).
        pinyin: String,
        /// Other plausible readings (polyphonic characters).
        alts: Vec<String>,
    },
    /// A number written in Chinese numerals (`十三` in `第十三研究所`).
    Number {
        /// The characters as written.
        surface: String,
        /// Its value.
        value: u32,
    },
}

const PLACE_SUFFIXES: &[&str] = &["特别行政区", "自治区", "新区", "市", "省", "区", "县"];
/// Single-character dictionary words are trusted only as the last character of a run, where
/// they are suffixes (`厂` factory); elsewhere they are usually part of a brand name.
const NUMBER_FOLLOWERS: &[char] = &['所', '厂', '院', '号', '室', '部', '队', '局', '中', '研'];

fn numeral(c: char) -> Option<u32> {
    Some(match c {
        '零' | '〇' => 0,
        '一' => 1,
        '二' | '两' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        '十' => 10,
        '百' => 100,
        '千' => 1000,
        _ => return None,
    })
}

/// Value of a run of Chinese numerals (`十三` = 13, `五十四` = 54, `二〇二` = 202).
fn numeral_value(chars: &[char]) -> Option<u32> {
    let digits: Vec<u32> = chars.iter().map(|c| numeral(*c)).collect::<Option<_>>()?;
    if digits.iter().all(|d| *d < 10) {
        // Positional form: 二〇二
        return digits.iter().try_fold(0u32, |acc, d| acc.checked_mul(10)?.checked_add(*d));
    }
    let (mut total, mut current) = (0u32, 0u32);
    for d in digits {
        if d >= 10 {
            let unit = if current == 0 { 1 } else { current };
            total = total.checked_add(unit.checked_mul(d)?)?;
            current = 0;
        } else {
            current = d;
        }
    }
    total.checked_add(current)
}

/// Pinyin of one character: earl's override for polyphones in names, else the most common
/// reading; non-Han characters map to nothing.
fn reading(c: char) -> Option<&'static str> {
    if let Some(r) = tables().polyphones.get(&c) {
        return Some(r);
    }
    c.to_pinyin().map(|p| p.plain())
}

/// Pinyin of a run plus alternatives, one polyphonic character varied at a time.
pub(crate) fn romanise(chars: &[char]) -> (String, Vec<String>) {
    let main: Vec<&str> = chars.iter().map(|c| reading(*c).unwrap_or("")).collect();
    let joined = main.concat();
    let mut alts: Vec<String> = Vec::new();
    for (i, c) in chars.iter().enumerate() {
        let Some(multi) = c.to_pinyin_multi() else {
            continue;
        };
        for p in multi {
            let plain = p.plain();
            if Some(&plain) == main.get(i) {
                continue;
            }
            let mut v = main.clone();
            if let Some(slot) = v.get_mut(i) {
                *slot = plain;
            }
            let s = v.concat();
            if s != joined && !alts.contains(&s) && alts.len() < 6 {
                alts.push(s);
            }
        }
    }
    (joined, alts)
}

fn take_place_suffix(chars: &[char], at: usize) -> usize {
    for suf in PLACE_SUFFIXES {
        let n = suf.chars().count();
        if let Some(slice) = chars.get(at..at + n)
            && slice.iter().copied().eq(suf.chars())
        {
            return n;
        }
    }
    0
}

/// Segments a Han run. `orig` and `simp` have the same number of characters.
pub(crate) fn segment(orig: &str, simp: &str) -> Vec<Segment> {
    let t = tables();
    let oc: Vec<char> = orig.chars().collect();
    let sc: Vec<char> = simp.chars().collect();
    let n = sc.len();
    let mut out = Vec::new();
    let mut unknown_start: Option<usize> = None;
    let mut i = 0;
    let surface = |a: usize, b: usize| -> String {
        oc.get(a..b).map(|s| s.iter().collect()).unwrap_or_default()
    };
    let flush_unknown = |out: &mut Vec<Segment>, start: Option<usize>, end: usize| {
        if let Some(s) = start
            && let Some(chars) = sc.get(s..end)
        {
            let (pinyin, alts) = romanise(chars);
            if !pinyin.is_empty() {
                out.push(Segment::Unknown { surface: surface(s, end), pinyin, alts });
            }
        }
    };
    while i < n {
        // Numbers: after 第, or before an institute/factory word.
        let num_len = sc
            .get(i..)
            .map(|r| r.iter().take_while(|c| numeral(**c).is_some()).count())
            .unwrap_or(0);
        if num_len > 0 {
            let after_marker = i > 0 && sc.get(i - 1) == Some(&'第');
            let before_unit = sc.get(i + num_len).is_some_and(|c| NUMBER_FOLLOWERS.contains(c));
            if (after_marker || before_unit)
                && let Some(value) = sc.get(i..i + num_len).and_then(numeral_value)
            {
                flush_unknown(&mut out, unknown_start.take(), i);
                out.push(Segment::Number { surface: surface(i, i + num_len), value });
                i += num_len;
                continue;
            }
        }
        let max = t.han_max_len.min(n - i);
        let mut matched = None;
        for len in (1..=max).rev() {
            let Some(slice) = sc.get(i..i + len) else { continue };
            let key: String = slice.iter().collect();
            if let Some(term) = t.han.get(&key) {
                let single_ok = len > 1
                    || i + 1 == n && unknown_start.is_some()
                    || matches!(term, HanTerm::Marker);
                if single_ok {
                    matched = Some((len, key, term));
                    break;
                }
            }
        }
        match matched {
            Some((len, key, term)) => {
                flush_unknown(&mut out, unknown_start.take(), i);
                let extra = if matches!(term, HanTerm::Place { .. }) {
                    take_place_suffix(&sc, i + len)
                } else {
                    0
                };
                out.push(Segment::Term { surface: surface(i, i + len + extra), key, term });
                i += len + extra;
            }
            None => {
                if unknown_start.is_none() {
                    unknown_start = Some(i);
                }
                i += 1;
            }
        }
    }
    flush_unknown(&mut out, unknown_start.take(), n);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(s: &str) -> Vec<String> {
        segment(s, s)
            .into_iter()
            .map(|seg| match seg {
                Segment::Term { surface, .. } => format!("T:{surface}"),
                Segment::Unknown { pinyin, .. } => format!("U:{pinyin}"),
                Segment::Number { value, .. } => format!("N:{value}"),
            })
            .collect()
    }

    #[test]
    fn segments_company_names() {
        assert_eq!(show("华为技术有限公司"), ["U:huawei", "T:技术", "T:有限公司"]);
        assert_eq!(show("曙光信息产业股份有限公司"), ["T:曙光", "T:信息产业", "T:股份有限公司"]);
        assert_eq!(
            show("深圳市新凯来技术有限公司"),
            ["T:深圳市", "T:新凯来", "T:技术", "T:有限公司"]
        );
        assert_eq!(show("摩尔线程智能科技"), ["T:摩尔线程", "T:智能", "T:科技"]);
        assert_eq!(
            show("中国电子科技集团公司第十三研究所"),
            ["T:中国电子科技集团", "T:公司", "T:第", "N:13", "T:研究所"]
        );
    }

    #[test]
    fn unknown_runs_are_romanised() {
        assert_eq!(
            show("上海依图网络科技有限公司"),
            ["T:上海", "U:yitu", "T:网络", "T:科技", "T:有限公司"]
        );
        assert_eq!(
            show("北京智谱华章科技有限公司"),
            ["T:北京", "U:zhipuhuazhang", "T:科技", "T:有限公司"]
        );
    }

    #[test]
    fn polyphones_in_places_and_names() {
        assert_eq!(show("重庆"), ["T:重庆"]);
        assert_eq!(romanise(&['长', '江']).0, "changjiang");
        assert_eq!(romanise(&['厦', '华']).0, "xiahua");
        assert!(romanise(&['重', '工']).1.iter().any(|a| a == "chonggong"));
    }

    #[test]
    fn numerals() {
        assert_eq!(numeral_value(&['十', '三']), Some(13));
        assert_eq!(numeral_value(&['五', '十', '四']), Some(54));
        assert_eq!(numeral_value(&['二', '〇', '二']), Some(202));
        assert_eq!(numeral_value(&['十']), Some(10));
    }
}
