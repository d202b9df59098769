//! `fr-xml`: a Federal Register rule in FR XML that amends the Entity List (Supplement No. 4
//! to Part 744), e.g. FR Doc. 2023-03929.
//!
//! The rule's `GPOTABLE` has one `ROW` per entry: a country row (`ENT I="01"`), then rows of
//! five cells — blank, entity (name, "a.k.a., the following N aliases:" with `—`-prefixed
//! `LI` aliases, then addresses), license requirement (footnotes as `<SU>` superscripts),
//! license review policy, Federal Register citation. A two-cell row that follows an entry
//! continues its addresses. Rows of stars and the column-heading row are skipped.
//!
//! Dates: `listed_on` is the rule's effective date (the `DATES` paragraph, "This rule is
//! effective February 24, 2023."), else the citation date. A citation cell still holding the
//! public-inspection placeholder ("88 FR [INSERT FR PAGE NUMBER AND 2/27/2023]") gets the
//! page of the rule's first `<PRTPAGE P="n"/>` marker. That is the page BIS cites for the
//! rule's entries: for FR Doc. 2023-03929 it gives 88 FR 12171, the citation the eCFR Entity
//! List carries for those entries (checked by a test on the real files).
//!
//! The importer yields the rule's rows as entries with the same ids as the eCFR-derived
//! Entity List (`EL-<country>-<name slug>`), so [`apply_amendment`] can fold them into a
//! bundled snapshot.

use jiff::civil::Date;

use super::entity_list::{
    clean_alias, parse_fr_citations, split_addresses, strip_sentence_period, take_successor_clause,
};
use super::nsfreg::derived_id;
use super::xml::{Content, Node, for_each_record};
use super::{Format, ImportError, ListTarget, Location, Parsed, add_remark, country_code, utf8};
use crate::model::{Alias, AliasKind, Entry, ListSnapshot, Related, Relation};
use crate::snapshot::seal;
use crate::text::{IdAllocator, non_empty, parse_date, squash};

const FORMAT: Format = Format::FrXml;

/// Parse an Entity List rule.
pub fn parse(list: &ListTarget, bytes: &[u8]) -> Result<Parsed, ImportError> {
    let text = utf8(FORMAT, bytes)?;
    let mut rows: Vec<Node> = Vec::new();
    let mut effective: Option<Date> = None;
    let mut first_marker: Option<u64> = None;
    let mut frdoc = None;
    for_each_record(
        FORMAT,
        text,
        |path| {
            matches!(
                path.last().map(String::as_str),
                Some("ROW" | "EFFDATE" | "DATES" | "PRTPAGE" | "FRDOC")
            )
        },
        |node| {
            match node.name.as_str() {
                "ROW" => {
                    if let Some(p) = first_page_marker(&node) {
                        first_marker = Some(first_marker.map_or(p, |m| m.min(p)));
                    }
                    rows.push(node);
                }
                "EFFDATE" | "DATES" => {
                    if effective.is_none() {
                        effective = find_long_date(&node.text());
                    }
                }
                "PRTPAGE" => {
                    if let Some(p) = node.attr("P").and_then(|p| p.parse::<u64>().ok()) {
                        first_marker = Some(first_marker.map_or(p, |m| m.min(p)));
                    }
                }
                _ => frdoc = non_empty(&node.text()),
            }
            Ok(())
        },
    )?;
    let first_page = first_marker;
    let prefix = list.id_prefix.clone().unwrap_or_else(|| "EL".into());
    let mut parsed = Parsed::default();
    let mut ids = IdAllocator::default();
    let mut country: Option<(String, Option<String>)> = None;
    let mut last: Option<usize> = None;
    for row in &rows {
        let cells: Vec<&Node> = row.children("ENT").collect();
        let texts: Vec<String> = cells.iter().map(|c| squash(&glued_text(c))).collect();
        if texts.iter().all(|t| t.is_empty() || is_stars(t)) {
            continue;
        }
        let first_is_country = cells.first().and_then(|c| c.attr("I")) == Some("01");
        if first_is_country {
            let name = texts.first().cloned().unwrap_or_default();
            country = Some((name.clone(), country_code(&name)));
            last = None;
            continue;
        }
        if texts.get(1).is_some_and(|t| t == "Entity") {
            continue; // column headings
        }
        match cells.len() {
            2 => {
                // Address continuation of the previous entry.
                let Some(e) = last.and_then(|i| parsed.entries.get_mut(i)) else {
                    return Err(ImportError::new(
                        FORMAT,
                        Location::Line(row.line),
                        Some("ENT"),
                        "address row without a preceding entry",
                    ));
                };
                let mut remarks = Vec::new();
                let t = take_see_refs(texts.get(1).map_or("", String::as_str), &mut remarks);
                e.addresses.extend(split_addresses(&t));
                for r in remarks {
                    add_remark(e, &r);
                }
            }
            5 => {
                let Some((country_name, code)) = &country else {
                    return Err(ImportError::new(
                        FORMAT,
                        Location::Line(row.line),
                        Some("country"),
                        "entry row before any country row",
                    ));
                };
                let entry_cell = cells.get(1).copied().unwrap_or(row);
                let mut e = entity_cell(list, entry_cell).map_err(|m| {
                    ImportError::new(FORMAT, Location::Line(row.line), Some("entity"), m)
                })?;
                e.country.clone_from(code);
                if code.is_none() {
                    add_remark(&mut e, &format!("country: {country_name}"));
                }
                let (lr, footnotes) = cells.get(2).map(|c| requirement_cell(c)).unwrap_or_default();
                e.license_requirement = non_empty(&lr);
                e.footnotes = footnotes;
                e.license_policy = texts.get(3).and_then(|t| non_empty(t));
                let cite_text = texts.get(4).cloned().unwrap_or_default();
                e.federal_register = parse_fr_citations(&cite_text);
                for c in &mut e.federal_register {
                    if c.cite.contains('[')
                        && let Some(page) = first_page
                        && let Some(volume) = c.cite.split_whitespace().next()
                    {
                        c.cite = format!("{volume} FR {page}");
                    }
                }
                e.listed_on =
                    effective.or_else(|| e.federal_register.iter().filter_map(|c| c.date).min());
                e.id = ids.allocate(derived_id(&prefix, e.country.as_deref(), &e.name));
                last = Some(parsed.entries.len());
                parsed.entries.push(e);
            }
            n => {
                return Err(ImportError::new(
                    FORMAT,
                    Location::Line(row.line),
                    Some("ROW"),
                    format!("expected 5 cells (or 2 for an address continuation), found {n}"),
                ));
            }
        }
    }
    if parsed.entries.is_empty() {
        return Err(ImportError::new(
            FORMAT,
            Location::Input,
            Some("GPOTABLE"),
            "no Entity List entries found in the rule's tables",
        ));
    }
    parsed.as_of = effective.or_else(|| parsed.entries.iter().filter_map(|e| e.listed_on).max());
    if let Some(doc) = frdoc {
        parsed.notes.push(format!("from {doc}"));
    }
    if let Some(page) = first_page {
        parsed.notes.push(format!(
            "citation placeholders replaced with page {page}, the rule's first <PRTPAGE> marker"
        ));
    }
    Ok(parsed)
}

fn is_stars(t: &str) -> bool {
    t.chars().all(|c| c == '*' || c.is_whitespace())
}

fn first_page_marker(node: &Node) -> Option<u64> {
    let mut best = None;
    for child in node.elements() {
        let here = if child.name == "PRTPAGE" {
            child.attr("P").and_then(|p| p.parse::<u64>().ok())
        } else {
            first_page_marker(child)
        };
        if let Some(p) = here {
            best = Some(best.map_or(p, |b: u64| b.min(p)));
        }
    }
    best
}

/// The first "Month d, yyyy" date in text.
fn find_long_date(text: &str) -> Option<Date> {
    let words: Vec<&str> = text.split_whitespace().collect();
    words.windows(3).find_map(|w| {
        let [m, d, y] = w else { return None };
        let y = y.trim_end_matches(['.', ',', ';']);
        if y.len() == 4 && m.chars().next().is_some_and(char::is_uppercase) {
            parse_date(&format!("{m} {d} {y}"))
        } else {
            None
        }
    })
}

fn take_see_refs(text: &str, remarks: &mut Vec<String>) -> String {
    let mut out = text.to_owned();
    while let Some(start) = out.find("(See ") {
        let end = out.get(start..).and_then(|s| s.find(')')).map_or(out.len(), |e| start + e + 1);
        remarks
            .push(out.get(start + 1..end.saturating_sub(1)).unwrap_or_default().trim().to_owned());
        out.replace_range(start..end, "");
    }
    squash(&out)
}

/// Text of a cell without its `<SU>` superscripts, and the footnote numbers they carry.
fn requirement_cell(cell: &Node) -> (String, Vec<u8>) {
    let mut text = String::new();
    let mut footnotes = Vec::new();
    collect_without_su(cell, &mut text, &mut footnotes);
    footnotes.sort_unstable();
    footnotes.dedup();
    let text = squash(&text).replace(" ,", ",").replace(",,", ",");
    (text, footnotes)
}

fn collect_without_su(node: &Node, text: &mut String, footnotes: &mut Vec<u8>) {
    for c in &node.content {
        match c {
            Content::Text(t) => text.push_str(t),
            Content::Node(n) if n.name == "SU" => {
                let s = squash(&n.text());
                match s.parse::<u8>() {
                    Ok(f) if (1..=5).contains(&f) => footnotes.push(f),
                    // Ordinal suffixes ("3<SU>rd</SU>") stay in the text, glued on.
                    _ => glue(text, &s),
                }
            }
            Content::Node(n) => {
                text.push(' ');
                collect_without_su(n, text, footnotes);
                text.push(' ');
            }
        }
    }
}

/// Append a superscript to the text before it, dropping the layout whitespace between.
fn glue(text: &mut String, sup: &str) {
    let kept = text.trim_end().len();
    text.truncate(kept);
    text.push_str(sup);
}

/// Plain text of an element with superscripts glued on (`9<SU>th</SU>` -> `9th`).
fn glued_text(node: &Node) -> String {
    let mut out = String::new();
    for c in &node.content {
        match c {
            Content::Text(t) => out.push_str(t),
            Content::Node(n) if n.name == "SU" => glue(&mut out, &squash(&n.text())),
            Content::Node(n) => {
                out.push(' ');
                out.push_str(&glued_text(n));
                out.push(' ');
            }
        }
    }
    out
}

fn entity_cell(list: &ListTarget, cell: &Node) -> Result<Entry, String> {
    // Leading text (before the first <LI>) holds the name and the a.k.a. lead-in or address.
    let mut lead = String::new();
    let mut items: Vec<String> = Vec::new();
    for c in &cell.content {
        match c {
            Content::Text(t) => {
                if items.is_empty() {
                    lead.push_str(t);
                }
            }
            Content::Node(n) if n.name == "LI" => items.push(squash(&glued_text(n))),
            Content::Node(n) => {
                if items.is_empty() {
                    lead.push_str(&glued_text(n));
                }
            }
        }
    }
    let mut lead = squash(&lead);
    let successor = take_successor_clause(&mut lead);
    let (name, mut address_text) = match lead.find(", a.k.a.") {
        Some(p) => (lead.get(..p).unwrap_or(&lead).to_owned(), String::new()),
        None => split_name_address(&lead),
    };
    let name = name.trim().trim_end_matches([',', ';']).to_owned();
    if name.is_empty() {
        return Err("empty entity name".into());
    }
    let mut e = Entry::new(list.id.clone(), String::new(), name);
    for item in items {
        if let Some(alias) = item.strip_prefix('—') {
            let (names, addresses) = clean_alias(strip_sentence_period(alias.trim()));
            for n in names {
                let n = n.trim_end_matches(" and").trim_end_matches(';').trim().to_owned();
                if !n.is_empty() && n != e.name && !e.aliases.iter().any(|a| a.name == n) {
                    e.aliases.push(Alias { name: n, kind: AliasKind::Aka });
                }
            }
            e.addresses.extend(addresses);
        } else {
            if !address_text.is_empty() {
                address_text.push_str("; ");
            }
            address_text.push_str(&item);
        }
    }
    let mut remarks = Vec::new();
    let address_text = take_see_refs(&address_text, &mut remarks);
    e.addresses.extend(split_addresses(&address_text));
    for r in remarks {
        add_remark(&mut e, &r);
    }
    if successor {
        e.related.push(Related {
            name: String::new(),
            relation: Relation::SuccessorClause,
            address: None,
        });
    }
    Ok(e)
}

/// Split "Name, address" at the first comma after which the text looks like an address
/// (contains a digit within its first segment); without one, it is all name.
fn split_name_address(text: &str) -> (String, String) {
    for (i, _) in text.match_indices(", ") {
        let rest = text.get(i + 2..).unwrap_or_default();
        let segment = rest.split(", ").next().unwrap_or(rest);
        let legal = ["Ltd", "LTD", "Inc", "LLC", "Limited", "Co.", "JSC", "S.A", "GmbH"];
        if legal.iter().any(|l| rest.starts_with(l)) {
            continue;
        }
        if segment.chars().any(|c| c.is_ascii_digit()) {
            return (text.get(..i).unwrap_or(text).to_owned(), rest.to_owned());
        }
    }
    (text.to_owned(), String::new())
}

/// Fold Entity List entries from a rule into a snapshot: an addition that matches an
/// existing entry by the rule of [`crate::diff`] (id, normalised name and country, rename)
/// replaces it, keeping the old id and merging Federal Register citations and the earliest
/// listing date; others are appended. `as_of` moves to the latest listing date among the additions if later.
pub fn apply_amendment(base: &ListSnapshot, additions: &[Entry]) -> ListSnapshot {
    let mut entries = base.entries.clone();
    let (mut replaced, mut added) = (0usize, 0usize);
    for add in additions {
        let mut new = add.clone();
        new.list = base.meta.id.clone();
        let pos = crate::diff::find_match(&entries, add);
        match pos.and_then(|p| entries.get_mut(p)) {
            Some(old) => {
                new.id.clone_from(&old.id);
                for c in &old.federal_register {
                    if !new.federal_register.iter().any(|n| n.cite == c.cite) {
                        new.federal_register.push(c.clone());
                    }
                }
                new.federal_register.sort_by_key(|c| c.date.map_or((1, None), |d| (0, Some(d))));
                new.listed_on = match (old.listed_on, new.listed_on) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
                *old = new;
                replaced += 1;
            }
            None => {
                entries.push(new);
                added += 1;
            }
        }
    }
    let mut meta = base.meta.clone();
    if let Some(latest) = additions.iter().filter_map(|e| e.listed_on).max() {
        meta.as_of = meta.as_of.max(latest);
    }
    meta.notes.push(format!(
        "amended: {added} entries added, {replaced} replaced from a Federal Register rule"
    ));
    let (meta, _) = seal(meta, &entries);
    ListSnapshot { meta, entries }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ListKind;

    const RULE: &str = r#"<RULE><PREAMB><EFFDATE><HD>DATES:</HD><P>This rule is effective February 24, 2023.</P></EFFDATE></PREAMB>
<SUPLINF><P>text <PRTPAGE P="12171"/> more</P>
<GPOTABLE COLS="5"><BOXHD><CHED H="1"> </CHED></BOXHD>
<ROW RUL="s"><ENT I="25">Country</ENT><ENT>Entity</ENT><ENT>License</ENT><ENT>Policy</ENT><ENT>Citation</ENT></ROW>
<ROW><ENT I="28">*  *  *</ENT></ROW>
<ROW><ENT I="01">CHINA, PEOPLE'S REPUBLIC OF</ENT><ENT A="03">*  *  *</ENT></ROW>
<ROW><ENT I="22"> </ENT><ENT>AOOK Technology Ltd., a.k.a., the following two aliases:
<LI>—AOOK; <E T="03">and</E></LI><LI>—AOOK Electronics.</LI>
<LI>Rm 803 Chevalier Building 45-51 Chatham Rd S, Hong Kong, China. (See alternate address under Russia).</LI></ENT>
<ENT>For all items subject to the EAR. (See §§ 734.9(g),<SU>3</SU> 744.21(b), and 746.8(a)(3) of the EAR)</ENT>
<ENT>Policy of denial.</ENT><ENT>88 FR [INSERT FR PAGE NUMBER AND 2/27/2023].</ENT></ROW>
<ROW><ENT I="22"> </ENT><ENT>5F, Bldg 5, Beijing 100081, China.</ENT></ROW>
<ROW><ENT I="22"> </ENT><ENT>Foo Institute, and any successor, sub-unit, or subsidiary thereof, Room 9, 3<SU>rd</SU> Floor, Beijing, China.</ENT>
<ENT>For all items subject to the EAR.</ENT><ENT>Case-by-case review.</ENT><ENT>88 FR 12171, 2/27/23.</ENT></ROW>
</GPOTABLE></SUPLINF><FRDOC>[FR Doc. 2023-03929 Filed 2-24-23; 8:45 am]</FRDOC></RULE>"#;

    fn target() -> ListTarget {
        ListTarget::new("us_bis_entity_list", ListKind::EntityList, "Entity List")
    }

    #[test]
    fn inline_rule() {
        let p = parse(&target(), RULE.as_bytes()).unwrap();
        assert_eq!(p.as_of, Some(jiff::civil::date(2023, 2, 24)));
        assert_eq!(p.entries.len(), 2);
        let aook = &p.entries[0];
        assert_eq!(aook.id, "EL-CN-aook-technology-ltd");
        assert_eq!(aook.footnotes, vec![3]);
        assert_eq!(aook.addresses.len(), 2);
        assert_eq!(aook.federal_register[0].cite, "88 FR 12171");
        let foo = &p.entries[1];
        assert_eq!(foo.name, "Foo Institute");
        assert_eq!(foo.related[0].relation, Relation::SuccessorClause);
        assert_eq!(foo.addresses, vec!["Room 9, 3rd Floor, Beijing, China"]);
        insta::assert_json_snapshot!(aook);
    }

    #[test]
    fn malformed_rules() {
        let err = parse(&target(), b"<RULE><P>nothing</P></RULE>").unwrap_err();
        assert_eq!(
            err.to_string(),
            "fr-xml: input, field `GPOTABLE`: no Entity List entries found in the rule's tables"
        );
        let bad = RULE.replace("<ENT>Policy of denial.</ENT>", "");
        let err = parse(&target(), bad.as_bytes()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "fr-xml: line 7, field `ROW`: expected 5 cells (or 2 for an address continuation), found 4"
        );
        let orphan = RULE.replace(
            "<ROW><ENT I=\"01\">CHINA, PEOPLE'S REPUBLIC OF</ENT><ENT A=\"03\">*  *  *</ENT></ROW>",
            "",
        );
        let err = parse(&target(), orphan.as_bytes()).unwrap_err();
        assert!(
            err.to_string().contains("field `country`: entry row before any country row"),
            "{err}"
        );
        let err = parse(&target(), RULE.get(..RULE.len() - 30).unwrap().as_bytes()).unwrap_err();
        assert!(err.to_string().contains("not closed"), "{err}");
    }
}
