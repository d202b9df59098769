//! Small text helpers shared by the importers: whitespace, slugs, dates.

use std::collections::HashMap;

use jiff::civil::Date;

/// Collapse runs of whitespace (incl. newlines and NBSP) into single spaces and trim.
pub(crate) fn squash(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split(|c: char| c.is_whitespace() || c == '\u{a0}') {
        if word.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// `Some(squashed)` unless the text is empty after squashing.
pub(crate) fn non_empty(s: &str) -> Option<String> {
    let t = squash(s);
    (!t.is_empty()).then_some(t)
}

/// Lower-case ASCII slug: transliterated, alphanumerics kept, everything else one `-`.
/// Cut at a word boundary near `max` bytes so ids stay readable.
pub(crate) fn slug(s: &str, max: usize) -> String {
    let ascii = deunicode::deunicode(s);
    let mut out = String::with_capacity(ascii.len());
    let mut dash = false;
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c.to_ascii_lowercase());
        } else if c != '\'' {
            // Apostrophes vanish ("Xi'an" -> "xian") rather than split words.
            dash = true;
        }
    }
    if out.len() > max {
        let cut = out.get(..max).and_then(|head| head.rfind('-')).unwrap_or(max);
        out.truncate(cut);
    }
    out
}

/// Hands out unique ids: the first use of a base id gets it unchanged, later uses get
/// `-2`, `-3`, ... in call order, so source order decides and reruns are deterministic.
#[derive(Debug, Default)]
pub(crate) struct IdAllocator {
    seen: HashMap<String, usize>,
}

impl IdAllocator {
    pub(crate) fn allocate(&mut self, base: String) -> String {
        let n = self.seen.entry(base.clone()).or_insert(0);
        *n += 1;
        if *n == 1 { base } else { format!("{base}-{n}") }
    }
}

fn month_from_name(s: &str) -> Option<i8> {
    let lower = s.trim_end_matches('.').to_ascii_lowercase();
    let m = match lower.get(..3)? {
        "jan" => 1,
        "feb" => 2,
        "mar" => 3,
        "apr" => 4,
        "may" => 5,
        "jun" => 6,
        "jul" => 7,
        "aug" => 8,
        "sep" => 9,
        "oct" => 10,
        "nov" => 11,
        "dec" => 12,
        _ => return None,
    };
    Some(m)
}

/// Two-digit years in list citations: 50-99 are 19xx, 00-49 are 20xx. The Entity List
/// (citations from 1997 on) reads the same under the "19xx from 90" convention; the wider
/// window also gets Denied Persons orders from the 1980s right ("46 F.R. 46154 9/17/81").
fn full_year(y: i32, digits: usize) -> i32 {
    if digits <= 2 { if y >= 50 { 1900 + y } else { 2000 + y } } else { y }
}

fn ymd(y: i32, m: i32, d: i32) -> Option<Date> {
    let y = i16::try_from(y).ok()?;
    let m = i8::try_from(m).ok()?;
    let d = i8::try_from(d).ok()?;
    Date::new(y, m, d).ok()
}

/// Parse a US style `m/d/yy` or `m/d/yyyy` date.
pub(crate) fn parse_mdy(s: &str) -> Option<Date> {
    let mut parts = s.trim().split('/');
    let m: i32 = parts.next()?.trim().parse().ok()?;
    let d: i32 = parts.next()?.trim().parse().ok()?;
    let ys = parts.next()?.trim();
    if parts.next().is_some() || ys.is_empty() || !ys.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let y: i32 = ys.parse().ok()?;
    ymd(full_year(y, ys.len()), m, d)
}

/// Parse the date spellings found across list files: ISO `2019-06-24` (optionally with a
/// time), `6/24/19`, `June 21, 2022`, `21 Jun 2019`, `24-Jun-2019`, `20190624`.
pub(crate) fn parse_date(s: &str) -> Option<Date> {
    let t = s.trim().trim_end_matches('.');
    if t.is_empty() {
        return None;
    }
    // ISO, possibly followed by a time.
    let head = t.get(..10).unwrap_or(t);
    if head.len() == 10 && head.as_bytes().get(4) == Some(&b'-') {
        let y: i32 = head.get(..4)?.parse().ok()?;
        let m: i32 = head.get(5..7)?.parse().ok()?;
        let d: i32 = head.get(8..10)?.parse().ok()?;
        return ymd(y, m, d);
    }
    if t.len() == 8 && t.bytes().all(|b| b.is_ascii_digit()) {
        let y: i32 = t.get(..4)?.parse().ok()?;
        let m: i32 = t.get(4..6)?.parse().ok()?;
        let d: i32 = t.get(6..8)?.parse().ok()?;
        return ymd(y, m, d);
    }
    if t.contains('/') {
        return parse_mdy(t);
    }
    let words: Vec<&str> = t
        .split(|c: char| c.is_whitespace() || c == ',' || c == '-')
        .filter(|w| !w.is_empty())
        .collect();
    match words.as_slice() {
        [a, b, c] => {
            if let Some(m) = month_from_name(a) {
                // June 21, 2022
                ymd(c.parse().ok()?, i32::from(m), b.parse().ok()?)
            } else {
                // 21 Jun 2019
                let m = month_from_name(b)?;
                let ys = *c;
                ymd(full_year(ys.parse().ok()?, ys.len()), i32::from(m), a.parse().ok()?)
            }
        }
        _ => None,
    }
}

/// Find every `m/d/y` date in free text, in order.
pub(crate) fn find_mdy_dates(s: &str) -> Vec<Date> {
    let mut out = Vec::new();
    for token in s.split(|c: char| !(c.is_ascii_digit() || c == '/')) {
        if token.matches('/').count() == 2
            && let Some(d) = parse_mdy(token)
        {
            out.push(d);
        }
    }
    out
}

/// Whether `s` has a letter from a non-Latin script (Han, Arabic, Cyrillic, ...).
pub(crate) fn has_non_latin_letters(s: &str) -> bool {
    s.chars().any(|c| c.is_alphabetic() && !is_latin(c))
}

fn is_latin(c: char) -> bool {
    // Basic Latin, Latin-1, Latin Extended-A/B, IPA and Latin Extended Additional.
    matches!(u32::from(c), 0x00..=0x024F | 0x1E00..=0x1EFF)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn slugs_are_ascii_and_bounded() {
        assert_eq!(slug("Huawei Technologies Co., Ltd.", 60), "huawei-technologies-co-ltd");
        assert_eq!(slug("Xi'an Huawei", 60), "xian-huawei");
        assert_eq!(slug("华为技术有限公司", 60), "hua-wei-ji-shu-you-xian-gong-si");
        let long = slug(&"word ".repeat(40), 30);
        assert!(long.len() <= 30, "{long}");
        assert!(!long.ends_with('-'));
    }

    #[test]
    fn ids_are_disambiguated_in_order() {
        let mut ids = IdAllocator::default();
        assert_eq!(ids.allocate("a".into()), "a");
        assert_eq!(ids.allocate("b".into()), "b");
        assert_eq!(ids.allocate("a".into()), "a-2");
        assert_eq!(ids.allocate("a".into()), "a-3");
    }

    #[test]
    fn dates_in_list_spellings() {
        assert_eq!(parse_date("6/24/19"), Some(date(2019, 6, 24)));
        assert_eq!(parse_date("11/21/99"), Some(date(1999, 11, 21)));
        assert_eq!(parse_date("9/17/81"), Some(date(1981, 9, 17)));
        assert_eq!(parse_date("9/17/25"), Some(date(2025, 9, 17)));
        assert_eq!(parse_date("10/19/2023"), Some(date(2023, 10, 19)));
        assert_eq!(parse_date("2021-08-02"), Some(date(2021, 8, 2)));
        assert_eq!(parse_date("2021-08-02T00:00:00"), Some(date(2021, 8, 2)));
        assert_eq!(parse_date("June 21, 2022"), Some(date(2022, 6, 21)));
        assert_eq!(parse_date("03 Jun 2021"), Some(date(2021, 6, 3)));
        assert_eq!(parse_date("20190624"), Some(date(2019, 6, 24)));
        assert_eq!(parse_date("2/30/21"), None);
        assert_eq!(parse_date("soon"), None);
        assert_eq!(
            find_mdy_dates("84 FR 29373, 6/24/19.\n87 FR 62202, 10/13/22"),
            vec![date(2019, 6, 24), date(2022, 10, 13)]
        );
    }

    #[test]
    fn script_detection() {
        assert!(has_non_latin_letters("斯巴鲁株式会社"));
        assert!(has_non_latin_letters("محمد"));
        assert!(!has_non_latin_letters("Société Générale"));
    }
}
