//! Parsing of Entity List cell text, shared by the eCFR-derived JSON and the Federal
//! Register XML importers: Federal Register citations, the license-requirement column with
//! footnote markers, addresses, aliases written into names, and related parties named
//! inside the address text.
//!
//! The source texts are extracted from eCFR/PDF renderings, so superscript footnote markers
//! arrive as plain digits glued to the text ("734.9(e) 1", "734.9(g),3", "EAR) 4") and the
//! entity cell sometimes spills into the address cell. The rules below are written against
//! the real July 2026 text and are deliberately conservative: when a pattern is not
//! recognised the text is kept as written, never dropped.

use jiff::civil::Date;

use crate::model::{Alias, AliasKind, FrCitation, Related, Relation};
use crate::text::{find_mdy_dates, parse_date, parse_mdy, squash};

/// Parse Federal Register citations such as `84 FR 29373, 6/24/19.\n87 FR 62202, 10/13/22`,
/// `88 FR 71992 10/19/2023.`, `46 F.R. 46154 9/17/81 and ...`, `91 FR 35189 (June 10, 2026)`
/// or `88 FR [INSERT FR PAGE NUMBER AND 2/27/2023]`. Oldest first. Text without a
/// recognisable `FR` citation but with a date becomes one citation holding the whole text.
pub fn parse_fr_citations(text: &str) -> Vec<FrCitation> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let is_marker = |w: &str| {
        let t = w.trim_end_matches([',', ';', '.']);
        t == "FR" || t == "F.R"
    };
    let mut out: Vec<FrCitation> = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let Some(word) = words.get(i) else { break };
        if !is_marker(word) {
            i += 1;
            continue;
        }
        let volume = i
            .checked_sub(1)
            .and_then(|p| words.get(p))
            .map(|w| w.trim_start_matches(['(', '[']))
            .filter(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_digit()));
        let Some(volume) = volume else {
            i += 1;
            continue;
        };
        // Page: digits, or a bracketed placeholder spanning several words.
        let mut j = i + 1;
        let mut page = String::new();
        let mut bracket_date = None;
        if let Some(next) = words.get(j) {
            if next.starts_with('[') {
                let mut parts = Vec::new();
                while let Some(w) = words.get(j) {
                    parts.push(*w);
                    j += 1;
                    if w.contains(']') {
                        break;
                    }
                }
                let joined = parts.join(" ");
                bracket_date = find_mdy_dates(&joined).into_iter().next();
                // Keep the placeholder without the date, which goes into `date`.
                let inner: Vec<&str> = joined
                    .trim_end_matches(['.', ',', ';'])
                    .trim_start_matches('[')
                    .trim_end_matches(']')
                    .split_whitespace()
                    .filter(|w| parse_mdy(w).is_none())
                    .collect();
                let inner = inner.join(" ");
                let inner = inner.trim_end_matches(" AND").trim_end_matches(" and");
                page = format!("[{inner}]");
            } else {
                let digits: String = next.chars().take_while(char::is_ascii_digit).collect();
                if !digits.is_empty() {
                    page = digits;
                    j += 1;
                }
            }
        }
        // Date: the first date before the next citation.
        let mut date = bracket_date;
        let mut k = j;
        while date.is_none() {
            let Some(w) = words.get(k) else { break };
            if is_marker(w) {
                break;
            }
            let t = w.trim_matches(|c: char| matches!(c, '(' | ')' | ',' | ';' | '.' | '['));
            if t.contains('/') {
                date = parse_mdy(t);
            } else if let (Some(d), Some(y)) = (words.get(k + 1), words.get(k + 2)) {
                // "(June 10, 2026)"
                let candidate = format!("{t} {d} {y}");
                let candidate = candidate.trim_end_matches(['.', ')', ';', ',']);
                if t.chars().next().is_some_and(char::is_alphabetic) {
                    date = parse_date(candidate);
                }
            }
            k += 1;
        }
        let cite =
            if page.is_empty() { format!("{volume} FR") } else { format!("{volume} FR {page}") };
        out.push(FrCitation { cite, date });
        i = j.max(i + 1);
    }
    if out.is_empty() {
        let whole = squash(text);
        if !whole.is_empty() {
            let date = find_mdy_dates(&whole).into_iter().next();
            out.push(FrCitation { cite: whole, date });
        }
    }
    // Oldest first; undated citations keep their place after dated ones.
    out.sort_by_key(|c| c.date.map_or((1, None), |d| (0, Some(d))));
    out
}

/// Earliest citation date, the day an Entity List entry started to apply.
pub fn first_listed(citations: &[FrCitation]) -> Option<Date> {
    citations.iter().filter_map(|c| c.date).min()
}

/// Split the license-requirement column into clean text and Entity List footnotes (1-5).
///
/// Footnote markers are single digits 1-5 that stand after a closing parenthesis (optionally
/// behind one comma or space: `734.9(g),3`, `734.9(e) 1`, `EAR) 4`, `734.9(g)3,`) or after the
/// word `EAR` (`of the EAR 2`). A digit inside a section number, a paragraph `(2)`, or a
/// multi-digit number (`EAR 99`) is never a footnote.
pub fn parse_license_requirement(text: &str) -> (String, Vec<u8>) {
    let chars: Vec<char> = squash(text).chars().collect();
    let mut keep = vec![true; chars.len()];
    let mut footnotes = Vec::new();
    for (i, c) in chars.iter().enumerate() {
        let Some(d) = c.to_digit(10) else { continue };
        if !(1..=5).contains(&d) {
            continue;
        }
        let prev = i.checked_sub(1).and_then(|p| chars.get(p)).copied();
        let next = chars.get(i + 1).copied();
        if next.is_some_and(|n| n.is_ascii_alphanumeric() || n == '.' || n == ')' || n == '(') {
            continue;
        }
        // Look back over at most one separator.
        let (before, sep_at) = match prev {
            Some(' ' | ',') => {
                (i.checked_sub(2).and_then(|p| chars.get(p)).copied(), i.checked_sub(1))
            }
            other => (other, None),
        };
        let after_paren = before == Some(')');
        let after_ear = before == Some('R')
            && i >= 4
            && chars
                .get(i.saturating_sub(4)..i.saturating_sub(1))
                .is_some_and(|s| s.iter().collect::<String>() == "EAR");
        let after_ear_tight = prev == Some('R')
            && chars
                .get(i.saturating_sub(3)..i)
                .is_some_and(|s| s.iter().collect::<String>() == "EAR");
        if !(after_paren || after_ear || after_ear_tight) {
            continue;
        }
        if let Ok(n) = u8::try_from(d) {
            footnotes.push(n);
        }
        if let Some(k) = keep.get_mut(i) {
            *k = false;
        }
        // `(g),3 746.8` keeps its comma; a lone space before the marker goes.
        if let Some(s) = sep_at
            && chars.get(s) == Some(&' ')
            && let Some(k) = keep.get_mut(s)
        {
            *k = false;
        }
    }
    footnotes.sort_unstable();
    footnotes.dedup();
    let cleaned: String = chars.iter().zip(&keep).filter(|(_, k)| **k).map(|(c, _)| *c).collect();
    // `734.9(g), 746.8` after removing `3`; `734.9(g)3,` leaves `734.9(g),`.
    let cleaned = squash(&cleaned.replace(",,", ",").replace(" ,", ","));
    (cleaned, footnotes)
}

/// What the address cell of an Entity List entry holds once names are taken out.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct AddressCell {
    /// Addresses of the entry itself.
    pub addresses: Vec<String>,
    /// Affiliates and subordinate institutions named in the cell.
    pub related: Vec<Related>,
    /// Cross references such as "(See alternate addresses under Pakistan)".
    pub remarks: Vec<String>,
}

const ABBREVIATIONS: &[&str] = &[
    "No", "Co", "Ltd", "St", "Rd", "Ave", "Bldg", "Blvd", "Dr", "Jr", "Mr", "Corp", "Tech", "Dist",
    "Str", "Ul", "Pr", "Bld", "Apt", "Fl", "Inc", "Sq", "Mt", "Hwy", "Pte", "Int'l", "Intl", "Sdn",
    "Bhd", "Pvt", "Nos", "P.O", "U.S", "U.A.E", "P.R", "S.A", "Ste", "Rm",
];

/// Drop a sentence-final period, unless it ends an abbreviation ("Corp.", "Co. Ltd.",
/// "S.A.") that belongs to the name.
pub(crate) fn strip_sentence_period(text: &str) -> &str {
    let Some(stem) = text.strip_suffix('.') else {
        return text;
    };
    let last = stem.rsplit(' ').next().unwrap_or(stem);
    let keep = ABBREVIATIONS.iter().any(|a| a.eq_ignore_ascii_case(last))
        || last.contains('.')
        || last.chars().count() == 1;
    if keep { text } else { stem }
}

/// Split text into sentences at `. ` followed by an upper-case letter, unless the word before
/// the period is a known abbreviation or an initial.
fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let words: Vec<&str> = text.split_whitespace().collect();
    for (i, w) in words.iter().enumerate() {
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(w);
        let Some(stem) = w.strip_suffix('.') else {
            continue;
        };
        let next_starts_upper =
            words.get(i + 1).and_then(|n| n.chars().next()).is_some_and(|c| c.is_uppercase());
        let stem = stem.trim_start_matches(['(', ',']);
        let is_abbrev = ABBREVIATIONS.iter().any(|a| a.eq_ignore_ascii_case(stem))
            || (stem.chars().count() <= 2 && stem.chars().all(char::is_alphabetic))
            || stem.contains('.');
        if next_starts_upper && !is_abbrev {
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

const ADDRESS_WORDS: &[&str] = &[
    "road",
    "rd",
    "rd.",
    "street",
    "st.",
    "avenue",
    "ave",
    "ave.",
    "district",
    "zone",
    "park",
    "floor",
    "room",
    "building",
    "bldg",
    "block",
    "base",
    "center",
    "centre",
    "plaza",
    "tower",
    "lane",
    "highway",
    "village",
    "town",
    "industrial",
    "area",
    "suite",
    "unit",
    "no.",
    "office",
    "box",
    "p.o.",
    "square",
    "boulevard",
    "blvd",
    "prospekt",
    "ulitsa",
    "ul.",
];

const ORG_WORDS: &[&str] = &[
    "co.",
    "co.,",
    "co",
    "ltd",
    "ltd.",
    "limited",
    "inc",
    "inc.",
    "llc",
    "corporation",
    "corp",
    "corp.",
    "company",
    "enterprises",
    "enterprise",
    "technologies",
    "technology",
    "tech.",
    "tech",
    "institute",
    "lab",
    "laboratory",
    "communication",
    "communications",
    "service",
    "services",
    "software",
    "investment",
    "gmbh",
    "jsc",
    "ooo",
    "group",
    "holdings",
    "electronics",
    "industry",
    "industries",
    "factory",
    "plant",
    "university",
    "academy",
];

const LEGAL_SUFFIXES: &[&str] = &[
    "Ltd", "LTD", "Inc", "INC", "LLC", "Limited", "LIMITED", "Co.", "Corp", "JSC", "OOO", "AO ",
    "GmbH", "S.A", "SA ", "PJSC", "OJSC", "CJSC", "ZAO", "OAO",
];

fn word_set_hit(text: &str, set: &[&str]) -> bool {
    text.split(|c: char| c.is_whitespace() || c == ',' || c == ';' || c == '(' || c == ')').any(
        |w| {
            let lw = w.to_lowercase();
            set.contains(&lw.as_str()) || set.contains(&lw.trim_end_matches('.'))
        },
    )
}

fn looks_like_address(segment: &str) -> bool {
    segment.chars().any(|c| c.is_ascii_digit()) || word_set_hit(segment, ADDRESS_WORDS)
}

/// If `sentence` starts with a party name followed by an address ("Hangzhou Huawei
/// Enterprises, No. 410 Jianghong Road, ..."), return the names (a `;`-separated name list
/// is split) and the address.
fn split_named_sentence(sentence: &str) -> Option<(Vec<String>, String)> {
    // Candidate cut points: after ", " or ". " where the following comma-segment looks like
    // an address. The name is everything before the earliest such cut.
    let bytes = sentence.as_bytes();
    let mut cut = None;
    for (i, _) in sentence.match_indices(", ").chain(sentence.match_indices(". ")) {
        let rest = sentence.get(i + 2..)?;
        // "Co., Ltd." continues the name, whatever follows it.
        if LEGAL_SUFFIXES.iter().any(|s| rest.starts_with(s)) {
            continue;
        }
        let segment = rest.split(", ").next().unwrap_or(rest);
        if looks_like_address(segment) && cut.is_none_or(|c| i < c) {
            cut = Some(i);
        }
    }
    let cut = cut?;
    let mut name = sentence.get(..cut)?.trim().to_owned();
    if bytes.get(cut) == Some(&b'.') {
        name.push('.');
    }
    let address = sentence.get(cut + 2..)?.trim().trim_end_matches('.').to_owned();
    if name.is_empty() || address.is_empty() || looks_like_address(&name) {
        return None;
    }
    if !word_set_hit(&name, ORG_WORDS) {
        return None;
    }
    let names = split_name_list(&name);
    Some((names, address))
}

fn split_name_list(text: &str) -> Vec<String> {
    text.split("; ")
        .map(|n| n.trim().trim_start_matches("and ").trim().to_owned())
        .filter(|n| !n.is_empty())
        .collect()
}

const SEE_PREFIXES: &[&str] = &["(See ", "(see "];

/// Take "(See alternate address(es) under X)" style cross references out of an address.
fn take_cross_refs(text: &str, remarks: &mut Vec<String>) -> String {
    let mut out = text.to_owned();
    for prefix in SEE_PREFIXES {
        while let Some(start) = out.find(prefix) {
            let end =
                out.get(start..).and_then(|s| s.find(')')).map_or(out.len(), |e| start + e + 1);
            let note = out.get(start..end).unwrap_or_default().to_owned();
            remarks.push(note.trim_matches(['(', ')']).trim().to_owned());
            out.replace_range(start..end, "");
        }
    }
    squash(&out)
}

/// Split an address list on `; and`, `; ` and `Alt Address:`; drop `Address:` labels, bare
/// "and" pieces and "the following N aliases:" lead-ins whose alias list the extraction lost.
pub fn split_addresses(text: &str) -> Vec<String> {
    let normalised =
        text.replace("Alt Address:", "; ").replace("; and ", "; ").replace(";and ", "; ");
    normalised
        .split(';')
        .map(|a| {
            let mut a = a.trim();
            loop {
                let before = a;
                a = a.strip_prefix("and,").unwrap_or(a).trim_start();
                a = a.strip_prefix("and ").unwrap_or(a).trim_start();
                a = a.strip_prefix("Address:").unwrap_or(a).trim_start();
                if let Some(rest) = a.strip_prefix("the following ")
                    && let Some(colon) = rest.find("alias: ").or_else(|| rest.find("aliases: "))
                {
                    a = rest.get(colon..).and_then(|r| r.split_once(": ")).map_or(a, |(_, r)| r);
                }
                if a == before {
                    break;
                }
            }
            a.trim_end_matches(|c: char| c == '.' || c == ',' || c.is_whitespace())
                .trim_end_matches(", and")
                .trim()
                .to_owned()
        })
        .filter(|a| a.len() > 1 && a != "and")
        .collect()
}

/// Parse the address cell: the entry's own addresses, affiliates written as
/// "Name, address." sentences (Huawei style), subordinate institutions (CETC style:
/// bare names before "The following addresses apply to the entity and ... subordinate
/// institutions:"), and cross references.
///
/// Affiliate detection (best effort): after the first sentence, a sentence whose leading
/// segment contains an organisation word (Co., Ltd., Technology, Institute, ...) and no
/// digits or address words, and which continues with an address, names an affiliate.
/// Sentences that are not recognised stay addresses (of the last affiliate, if any).
pub fn parse_address_cell(text: &str) -> AddressCell {
    let mut cell = AddressCell::default();
    let text = take_cross_refs(&squash(text), &mut cell.remarks);
    if text.is_empty() {
        return cell;
    }
    // "Addresses for Huawei Technologies Co., Ltd.: ..." introduces the entity's own.
    let mut body = text.as_str();
    if let Some(rest) = body.strip_prefix("Addresses for ")
        && let Some(colon) = rest.find(": ")
    {
        body = rest.get(colon + 2..).unwrap_or(rest);
    }

    const APPLY: &str = "The following addresses apply to the entity and";
    if let Some(pos) = body.find(APPLY) {
        let (names, tail) = body.split_at(pos);
        for s in sentences(names) {
            let s = s.trim().trim_end_matches('.');
            let s = s
                .strip_prefix("Subordinate institution ")
                .or_else(|| s.strip_prefix("Subordinate institution: "))
                .unwrap_or(s);
            // "Beijing Laiyin Company Ltd, a.k.a., the following one alias, No. 10, ..."
            let (name, address) = match s.find(", a.k.a.") {
                Some(p) => {
                    let rest = s.get(p..).unwrap_or_default();
                    let addr = rest
                        .find(", No.")
                        .or_else(|| rest.find(", Room"))
                        .map(|q| rest.get(q + 2..).unwrap_or_default().trim().to_owned());
                    (s.get(..p).unwrap_or(s).trim().to_owned(), addr)
                }
                None => (s.to_owned(), None),
            };
            if !name.is_empty() {
                cell.related.push(Related { name, relation: Relation::Subordinate, address });
            }
        }
        let addrs = tail.split_once(':').map_or(tail, |(_, a)| a);
        cell.addresses.extend(split_addresses(addrs));
        return cell;
    }

    // Subordinate institutions named in a leading sentence without the "apply" marker.
    let parts = sentences(body);
    let mut last_affiliate: Option<usize> = None;
    for (i, s) in parts.iter().enumerate() {
        if let Some(rest) = s.strip_prefix("Subordinate institution ") {
            let rest = strip_aka_lead_in(rest);
            let rest = rest.as_str();
            let (names, address) = match split_named_sentence(rest) {
                Some((n, a)) => (n, Some(a)),
                None => (vec![rest.trim_end_matches('.').to_owned()], None),
            };
            for name in names {
                cell.related.push(Related {
                    name,
                    relation: Relation::Subordinate,
                    address: address.clone(),
                });
            }
            continue;
        }
        if i > 0
            && let Some((names, address)) = split_named_sentence(s)
        {
            for name in names {
                cell.related.push(Related {
                    name,
                    relation: Relation::Affiliate,
                    address: Some(address.clone()),
                });
            }
            last_affiliate = Some(cell.related.len().saturating_sub(1));
            continue;
        }
        match last_affiliate.and_then(|k| cell.related.get_mut(k)) {
            // Continuation of the previous affiliate's addresses.
            Some(rel) => {
                let extra = s.trim().trim_end_matches('.');
                rel.address = Some(match rel.address.take() {
                    Some(a) => format!("{a}; {extra}"),
                    None => extra.to_owned(),
                });
            }
            None => cell.addresses.extend(split_addresses(s)),
        }
    }
    cell
}

/// Drop an ", a.k.a., the following one alias" lead-in whose alias list the extraction lost.
fn strip_aka_lead_in(text: &str) -> String {
    let Some(start) = text.find(", a.k.a., the following ") else {
        return text.to_owned();
    };
    let tail = text.get(start..).unwrap_or_default();
    let end = ["aliases", "alias"]
        .iter()
        .filter_map(|w| tail.find(w).map(|p| p + w.len()))
        .min()
        .unwrap_or(tail.len());
    let rest = tail.get(end..).unwrap_or_default().trim_start_matches([':', ' ']);
    format!("{}{}", text.get(..start).unwrap_or_default(), rest)
}

/// The successor clause BIS appends to some entries.
const SUCCESSOR_MARKERS: &[&str] = &[
    "and any successor, sub-unit, or subsidiary thereof",
    "and any successor, sub-unit or subsidiary thereof",
    "any successor, sub-unit, or subsidiary",
    "and its successors",
];

/// Remove a successor clause from `text`, returning whether one was present.
pub fn take_successor_clause(text: &mut String) -> bool {
    for m in SUCCESSOR_MARKERS {
        if let Some(pos) = text.find(m) {
            text.replace_range(pos..pos + m.len(), "");
            *text = squash(text.trim_end_matches([',', ';', ' ']))
                .trim_end_matches([',', ';'])
                .to_owned();
            return true;
        }
    }
    false
}

/// A cleaned entity name with what was split off it.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct NameParts {
    /// The main name.
    pub name: String,
    /// Aliases found in the name ("(a.k.a. X)", "(f.k.a., X)", "subordinate institution: X").
    pub aliases: Vec<Alias>,
    /// The address cell without any alias text that spilled into it.
    pub address: Option<String>,
}

/// Clean an entity-cell name. Handles `Name (a.k.a. X)`, `Name (f.k.a., X)`, a parenthesis
/// left open because the extraction moved its end into the address cell
/// (`Sabanican Company (a.k.a.` + `Sabanican Pad Co.), Unit #23, ...`), and
/// `Parent subordinate institution: Name`.
pub fn clean_name(raw_name: &str, address: Option<&str>) -> NameParts {
    let name = squash(raw_name);
    let mut parts =
        NameParts { name: name.clone(), aliases: Vec::new(), address: address.map(squash) };
    for (marker, kind) in
        [("(a.k.a.", AliasKind::Aka), ("(f.k.a.", AliasKind::Fka), ("(formerly", AliasKind::Fka)]
    {
        let Some(pos) = name.find(marker) else { continue };
        let head = name.get(..pos).unwrap_or(&name).trim().to_owned();
        let inner = name.get(pos + marker.len()..).unwrap_or_default();
        let inner = inner.trim_start_matches(',').trim();
        let alias_text = if let Some(close) = inner.rfind(')') {
            inner.get(..close).unwrap_or(inner).to_owned()
        } else if inner.is_empty() {
            // The alias text continues in the address cell up to ")".
            match parts.address.as_deref().and_then(|a| a.find(')').map(|c| (a, c))) {
                Some((a, c)) => {
                    let alias = a.get(..c).unwrap_or_default().to_owned();
                    let rest = a
                        .get(c + 1..)
                        .unwrap_or_default()
                        .trim_start_matches([',', ' '])
                        .to_owned();
                    parts.address = Some(rest);
                    alias
                }
                None => String::new(),
            }
        } else {
            inner.to_owned()
        };
        parts.name = head;
        for a in split_alias_text(&alias_text) {
            parts.aliases.push(Alias { name: a, kind });
        }
        break;
    }
    for marker in ["subordinate institution:", "Subordinate institution:"] {
        if let Some(pos) = parts.name.find(marker) {
            let sub = parts.name.get(pos + marker.len()..).unwrap_or_default().trim();
            if !sub.is_empty() {
                parts.aliases.push(Alias { name: sub.to_owned(), kind: AliasKind::Aka });
            }
        }
    }
    parts
}

fn split_alias_text(text: &str) -> Vec<String> {
    text.split(['“', '”', '"'])
        .flat_map(|p| p.split("; "))
        .map(|a| a.trim().trim_matches([',', ';']).trim().to_owned())
        .filter(|a| !a.is_empty() && a != "and")
        .collect()
}

/// Clean one alias string from the eCFR extraction: strip list punctuation (`; and`),
/// split `X a.k.a. Y` and `X; Y`, drop "the following N aliases:" lead-ins, and move an
/// address glued to the alias ("Fu Jirui. No. 2A Zhonghuan South Road, ...") out.
/// Returns the aliases and any addresses found.
pub fn clean_alias(raw: &str) -> (Vec<String>, Vec<String>) {
    let mut aliases = Vec::new();
    let mut addresses = Vec::new();
    let text = squash(raw);
    let text = text
        .trim_start_matches(['—', '-', ' '])
        .trim_end_matches([';', ',', ' '])
        .trim_end_matches(" and")
        .trim_end_matches(';')
        .trim()
        .to_owned();
    let text = match text.find(", a.k.a., the following") {
        Some(p) => text.get(..p).unwrap_or(&text).to_owned(),
        None => text,
    };
    // "X (a.k.a., Y)" inside one alias: both are names.
    if text.contains("(a.k.a.") || text.contains("(f.k.a.") {
        let parts = clean_name(&text, None);
        aliases.push(parts.name);
        aliases.extend(parts.aliases.into_iter().map(|a| a.name));
        return (aliases, addresses);
    }
    for chunk in text.split(" a.k.a. ").flat_map(|c| c.split(", a.k.a., ")) {
        // A long alias with a digit may have an address glued on after ". " or ", ".
        if let Some((name, rest)) = glued_address(chunk) {
            aliases.push(name);
            addresses.extend(split_addresses(rest));
            continue;
        }
        for p in chunk.split(';') {
            let p = p.trim().trim_start_matches("and ").trim();
            let p = p.trim_start_matches(['—', '-']).trim();
            if !p.is_empty() && p != "and" {
                aliases.push(p.to_owned());
            }
        }
    }
    (aliases, addresses)
}

fn glued_address(p: &str) -> Option<(String, &str)> {
    if p.len() <= 40 || !p.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    let i = [". ", ", "]
        .iter()
        .filter_map(|sep| {
            p.match_indices(sep).map(|(i, _)| i).find(|&i| {
                let rest = p.get(i + 2..).unwrap_or_default();
                rest.chars().take(40).any(|c| c.is_ascii_digit())
            })
        })
        .min()?;
    let name = p.get(..i)?.trim();
    let rest = p.get(i + 2..)?;
    // A name glued to an address has no digits of its own ("Fu Jirui. No. 2A ...").
    let plausible =
        !name.is_empty() && !name.chars().any(|c| c.is_ascii_digit()) && !name.contains(';');
    plausible.then(|| (name.to_owned(), rest))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn fr_citations_in_list_spellings() {
        let c = parse_fr_citations("84 FR 29373, 6/24/19.\n87 FR 62202, 10/13/22");
        assert_eq!(
            c,
            vec![
                FrCitation { cite: "84 FR 29373".into(), date: Some(date(2019, 6, 24)) },
                FrCitation { cite: "87 FR 62202".into(), date: Some(date(2022, 10, 13)) },
            ]
        );
        let c = parse_fr_citations("88 FR 71992 10/19/2023.\n89 FR 25505, 4/11/24");
        assert_eq!(c[0].date, Some(date(2023, 10, 19)));
        assert_eq!(c[1].cite, "89 FR 25505");
        let c = parse_fr_citations("76 FR 71869, 11/21/11");
        assert_eq!(c[0].date, Some(date(2011, 11, 21)));
        // 2-digit years: 19xx from 50 on, 20xx below.
        let c = parse_fr_citations("64 FR 47666, 8/30/99");
        assert_eq!(c[0].date, Some(date(1999, 8, 30)));
        let c = parse_fr_citations("46 F.R. 46154 9/17/81 and 46 F.R. 19290 3/30/81");
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].date, Some(date(1981, 3, 30)));
        assert_eq!(c[0].cite, "46 FR 19290");
        let c = parse_fr_citations("91 FR 35189 (June 10, 2026)");
        assert_eq!(c[0].date, Some(date(2026, 6, 10)));
        let c = parse_fr_citations("81 FR 61601 preview citation details, 9/7/16");
        assert_eq!(c[0].date, Some(date(2016, 9, 7)));
        let c = parse_fr_citations("73 FR 54508 9/22/08.\n73 FR 74001 12/5/08.\n74 FR 8184");
        assert_eq!(c.len(), 3);
        assert_eq!(c[2].date, None);
        let c = parse_fr_citations("88 FR [INSERT FR PAGE NUMBER AND 2/27/2023].");
        assert_eq!(c[0].cite, "88 FR [INSERT FR PAGE NUMBER]");
        assert_eq!(c[0].date, Some(date(2023, 2, 27)));
        let c = parse_fr_citations("Vol. 86, No. 51, 03/18/21, Federal Register");
        assert_eq!(c[0].date, Some(date(2021, 3, 18)));
        assert_eq!(
            first_listed(&parse_fr_citations("87 FR 1, 1/2/22; 84 FR 2, 3/4/19")),
            Some(date(2019, 3, 4))
        );
    }

    #[test]
    fn footnotes_from_real_license_requirements() {
        let cases: &[(&str, &str, &[u8])] = &[
            (
                "For all items subject to the EAR, see §§ 734.9(e) 1 and 744.11 of the EAR 2",
                "For all items subject to the EAR, see §§ 734.9(e) and 744.11 of the EAR",
                &[1, 2],
            ),
            (
                "For all items subject to the EAR. (See §§ 734.9(e)(2) and 744.11 of the EAR) 4",
                "For all items subject to the EAR. (See §§ 734.9(e)(2) and 744.11 of the EAR)",
                &[4],
            ),
            (
                "For all items subject to the EAR. (See §§ 734.9(e)(2) and 744.11 of the EAR)4",
                "For all items subject to the EAR. (See §§ 734.9(e)(2) and 744.11 of the EAR)",
                &[4],
            ),
            (
                "For all items subject to the EAR. (See §§ 734.9(g),3 746.8(a)(3), and 744.21(b) of the EAR)",
                "For all items subject to the EAR. (See §§ 734.9(g), 746.8(a)(3), and 744.21(b) of the EAR)",
                &[3],
            ),
            (
                "For all items subject to the EAR (See §§ 734.9(g)3, 746.8(a)(3), and 744.2l(b) of the EAR)",
                "For all items subject to the EAR (See §§ 734.9(g), 746.8(a)(3), and 744.2l(b) of the EAR)",
                &[3],
            ),
            (
                "For all items subject to the EAR (See §§ 734.4(a)(9), 734.9(e)(3), and 744.11 of the EAR) 5",
                "For all items subject to the EAR (See §§ 734.4(a)(9), 734.9(e)(3), and 744.11 of the EAR)",
                &[5],
            ),
            (
                "For all items subject to the EAR. (See § 744.11 of the EAR)",
                "For all items subject to the EAR. (See § 744.11 of the EAR)",
                &[],
            ),
            (
                "For items on the CCL and EAR 99 items listed in supplement no. 7 to part 746 of the EAR",
                "For items on the CCL and EAR 99 items listed in supplement no. 7 to part 746 of the EAR",
                &[],
            ),
            (
                "For all items subject to the EAR. (See §§ 734.9(g),3 746.8(a)(3), and 744.21(b) of the EAR) This license requirement may be overcome by License Exception GOV under § 740.11(b)(2) and (e)",
                "For all items subject to the EAR. (See §§ 734.9(g), 746.8(a)(3), and 744.21(b) of the EAR) This license requirement may be overcome by License Exception GOV under § 740.11(b)(2) and (e)",
                &[3],
            ),
        ];
        for (raw, clean, notes) in cases {
            let (text, fns) = parse_license_requirement(raw);
            assert_eq!(&text, clean, "{raw}");
            assert_eq!(fns.as_slice(), *notes, "{raw}");
        }
    }

    #[test]
    fn addresses_split_and_cross_refs_move_to_remarks() {
        let cell = parse_address_cell(
            "501, 5th Floor, Amanullah Sancharaki Market, Kabul, Afghanistan; and Flat No. 41 Block No. 24 Macroyan 3, Kabul, Afghanistan. (See alternate addresses under Pakistan).",
        );
        assert_eq!(
            cell.addresses,
            vec![
                "501, 5th Floor, Amanullah Sancharaki Market, Kabul, Afghanistan",
                "Flat No. 41 Block No. 24 Macroyan 3, Kabul, Afghanistan"
            ]
        );
        assert_eq!(cell.remarks, vec!["See alternate addresses under Pakistan"]);
        assert_eq!(
            split_addresses(
                "the following one alias: 17 Garegin Nzhdehi Street, Yerevan; and, Room 812, Beijing, China, and; and"
            ),
            vec!["17 Garegin Nzhdehi Street, Yerevan", "Room 812, Beijing, China"]
        );
        assert!(cell.related.is_empty());
        // A plain one-sentence city address is never mistaken for a name.
        let cell = parse_address_cell("Chengdu, Sichuan, China.");
        assert_eq!(cell.addresses, vec!["Chengdu, Sichuan, China"]);
        assert!(cell.related.is_empty());
    }

    #[test]
    fn subordinate_institutions_before_apply_marker() {
        let cell = parse_address_cell(
            "Nanjing SunSea Industry Corporation. Nanjing Institute of Radio Technology. The following addresses apply to the entity and the two subordinate institutions: No 1 Dinghuaimen, Nanjing, China; and No 8 Guorui Road, Yuhua District, Nanjing, China.",
        );
        let names: Vec<_> = cell.related.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(
            names,
            vec!["Nanjing SunSea Industry Corporation", "Nanjing Institute of Radio Technology"]
        );
        assert!(cell.related.iter().all(|r| r.relation == Relation::Subordinate));
        assert_eq!(cell.addresses.len(), 2);
    }

    #[test]
    fn subordinate_with_lost_alias_list() {
        let cell = parse_address_cell(
            "Subordinate institution Beijing Laiyin Company Ltd, a.k.a., the following one alias, No. 10, Jiuxianqiao North Road, Beijing, China, 100016; and No. 4 Jiuxianqiao Road, Beijing, China.",
        );
        assert_eq!(cell.related.len(), 1);
        assert_eq!(cell.related[0].name, "Beijing Laiyin Company Ltd");
        assert_eq!(cell.related[0].relation, Relation::Subordinate);
        assert!(cell.related[0].address.as_deref().unwrap().starts_with("No. 10, Jiuxianqiao"));
    }

    #[test]
    fn affiliate_name_lists_and_legal_suffixes() {
        let cell = parse_address_cell(
            "Bantian Huawei Base, Longgang District, Shenzhen, China. HMN Technologies; Huahai Zhihui Technology Co., Ltd.; and HMN Tech. Building R4, No. 2 City Avenue, Dongguan, 523808, China. Huawei Mobile Technology Ltd., Huawei Base, Building 2, District B, Shenzhen, China.",
        );
        assert_eq!(cell.addresses, vec!["Bantian Huawei Base, Longgang District, Shenzhen, China"]);
        let names: Vec<_> = cell.related.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(
            names,
            vec![
                "HMN Technologies",
                "Huahai Zhihui Technology Co., Ltd.",
                "HMN Tech.",
                "Huawei Mobile Technology Ltd."
            ]
        );
        assert_eq!(
            cell.related[0].address.as_deref(),
            Some("Building R4, No. 2 City Avenue, Dongguan, 523808, China")
        );
        assert!(cell.related.iter().all(|r| r.relation == Relation::Affiliate));
    }

    #[test]
    fn names_with_aka_and_spilled_parenthesis() {
        let p = clean_name("Mesbah Energy Company (a.k.a. “MEC”)", Some("77 Armaghan"));
        assert_eq!(p.name, "Mesbah Energy Company");
        assert_eq!(p.aliases[0].name, "MEC");
        let p = clean_name(
            "Sabanican Company (a.k.a.",
            Some("Sabanican Pad Co.), Unit #23, Eighth Floor, Tehran, Iran"),
        );
        assert_eq!(p.name, "Sabanican Company");
        assert_eq!(p.aliases[0].name, "Sabanican Pad Co.");
        assert_eq!(p.address.as_deref(), Some("Unit #23, Eighth Floor, Tehran, Iran"));
        let p =
            clean_name("Gaz-Oil, OOO (f.k.a., Zakrytoe Aktsionernoe Obshchestvo Gaz Oil)", None);
        assert_eq!(p.name, "Gaz-Oil, OOO");
        assert_eq!(p.aliases[0].kind, AliasKind::Fka);
        let p = clean_name("Gazprom Neft (a.k.a. Gazprom Neft OAO", None);
        assert_eq!(p.aliases[0].name, "Gazprom Neft OAO");
    }

    #[test]
    fn aliases_cleaned() {
        assert_eq!(clean_alias("HPSTAR; and").0, vec!["HPSTAR"]);
        assert_eq!(
            clean_alias("Asialink; Xi'an Int'l Logistics Co., Ltd.").0,
            vec!["Asialink", "Xi'an Int'l Logistics Co., Ltd."]
        );
        assert_eq!(
            clean_alias("Yichang Testing Technology Research Institute a.k.a. Yichang Institute of Testing Technology").0,
            vec![
                "Yichang Testing Technology Research Institute",
                "Yichang Institute of Testing Technology"
            ]
        );
        let (a, addr) = clean_alias(
            "Fu Jirui. No. 2A Zhonghuan South Road, Wangjing, Chaoyang District, Beijing, China, 100102; and Room 302 Office, Beijing, China, 100085",
        );
        assert_eq!(a, vec!["Fu Jirui"]);
        assert_eq!(addr.len(), 2);
        assert_eq!(
            clean_alias("National Development Complex (NDC), a.k.a., the following two aliases:").0,
            vec!["National Development Complex (NDC)"]
        );
        assert_eq!(
            clean_alias("Southwest Institute of Nuclear Physics and Chemistry (a.k.a., China Academy of Engineering Physics (CAEP)'s 902 Institute)").0,
            vec![
                "Southwest Institute of Nuclear Physics and Chemistry",
                "China Academy of Engineering Physics (CAEP)'s 902 Institute"
            ]
        );
        let (a, addr) = clean_alias(
            "Ship Repair Center Zvezdochka. 13 Geroyev Sevastopolya Street, Sevastopol, Crimea 99001, Ukraine",
        );
        assert_eq!(a, vec!["Ship Repair Center Zvezdochka"]);
        assert_eq!(addr.len(), 1);
        // Long alias without an address stays whole.
        assert_eq!(
            clean_alias(
                "Harbin Institute of Technology, Anshan Industrial & Technology Research Institute"
            )
            .0
            .len(),
            1
        );
    }

    #[test]
    fn sentence_periods() {
        assert_eq!(strip_sentence_period("AOOK Electronics."), "AOOK Electronics");
        assert_eq!(
            strip_sentence_period("Electronic's Network & Technology Corp."),
            "Electronic's Network & Technology Corp."
        );
        assert_eq!(strip_sentence_period("Spacety Luxembourg S.A."), "Spacety Luxembourg S.A.");
        assert_eq!(
            strip_sentence_period("China Ti-Tech Development Co. Ltd."),
            "China Ti-Tech Development Co. Ltd."
        );
    }

    #[test]
    fn successor_clause() {
        let mut s =
            "Foo Research Institute, and any successor, sub-unit, or subsidiary thereof".to_owned();
        assert!(take_successor_clause(&mut s));
        assert_eq!(s, "Foo Research Institute");
        let mut s = "Foo".to_owned();
        assert!(!take_successor_clause(&mut s));
    }
}
