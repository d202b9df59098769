//! `ofac-csv`: OFAC's legacy CSV files, for the SDN list (`sdn.csv`, `add.csv`, `alt.csv`,
//! `sdn_comments.csv`) and the consolidated non-SDN list (`cons_prim.csv`, `cons_add.csv`,
//! `cons_alt.csv`, `cons_comments.csv`). The files have no header; `-0-` means empty.
//!
//! - primary (12 columns): ent_num, name, type, program, title, call sign, vessel type,
//!   tonnage, GRT, vessel flag, vessel owner, remarks;
//! - addresses (6): ent_num, add_num, address, city/state/postal code, country, remarks;
//! - aliases (5): ent_num, alt_num, type (`aka`/`fka`/`nka`), name, remarks;
//! - comments (2): ent_num, continuation of a remarks field cut at the column limit.
//!
//! Aliases in the remarks ("a.k.a. 'BNC'") are OFAC's weak aliases and are imported as
//! [`AliasKind::Weak`]; the alias file holds the strong ones. Dates of birth, nationality and
//! citizenship, common identifiers and "Linked To:" parties are parsed out of the remarks,
//! which are also kept whole.
//!
//! The [`super::import`] registry reads the primary file only. To import a full set, call
//! [`import_ofac`]; [`companion_names`] gives the sibling file names a CLI should look for.

use std::collections::HashMap;

use jiff::civil::Date;

use super::{Format, ImportError, ListTarget, Location, Parsed, country_code, finish, utf8};
use crate::model::{
    Alias, AliasKind, EntityType, Entry, Identifier, ListSnapshot, Related, Relation,
};
use crate::snapshot::sha256_hex;
use crate::text::squash;

const FORMAT: Format = Format::OfacCsv;

/// The files of one OFAC legacy CSV set; only the primary file is required.
#[derive(Debug, Clone, Copy)]
pub struct OfacFiles<'a> {
    /// `sdn.csv` / `cons_prim.csv`.
    pub prim: &'a [u8],
    /// `add.csv` / `cons_add.csv`.
    pub add: Option<&'a [u8]>,
    /// `alt.csv` / `cons_alt.csv`.
    pub alt: Option<&'a [u8]>,
    /// `sdn_comments.csv` / `cons_comments.csv`.
    pub comments: Option<&'a [u8]>,
}

impl<'a> OfacFiles<'a> {
    /// Only the primary file.
    pub fn primary(prim: &'a [u8]) -> Self {
        OfacFiles { prim, add: None, alt: None, comments: None }
    }
}

/// Names of the address, alias and comment files that go with a primary file:
/// `sdn.csv` -> `add.csv`, `alt.csv`, `sdn_comments.csv`; `cons_prim.csv` ->
/// `cons_add.csv`, `cons_alt.csv`, `cons_comments.csv`; otherwise `prim` or `sdn` in the name
/// is replaced (`ofac-sdn-2021-07.csv` -> `ofac-sdn-add-2021-07.csv`, ...).
pub fn companion_names(primary: &str) -> Option<[String; 3]> {
    if primary.eq_ignore_ascii_case("sdn.csv") {
        return Some(["add.csv".into(), "alt.csv".into(), "sdn_comments.csv".into()]);
    }
    if let Some(pos) = primary.find("prim") {
        let (head, tail) = primary.split_at(pos);
        let tail = tail.get(4..).unwrap_or_default();
        return Some(["add", "alt", "comments"].map(|k| format!("{head}{k}{tail}")));
    }
    let pos = primary.find("sdn")?;
    let (head, tail) = primary.split_at(pos + 3);
    let sep = if tail.starts_with('_') { '_' } else { '-' };
    Some(["add", "alt", "comments"].map(|k| format!("{head}{sep}{k}{tail}")))
}

/// Import an OFAC CSV set as one snapshot. `source_sha256` is the primary file's hash; the
/// companions' hashes are recorded in the notes.
pub fn import_ofac(
    prim: &[u8],
    add: Option<&[u8]>,
    alt: Option<&[u8]>,
    comments: Option<&[u8]>,
    list: &ListTarget,
    as_of: Option<Date>,
) -> Result<ListSnapshot, ImportError> {
    let files = OfacFiles { prim, add, alt, comments };
    let mut parsed = parse(list, &files)?;
    for (label, bytes) in [("addresses", add), ("aliases", alt), ("comments", comments)] {
        match bytes {
            Some(b) => parsed.notes.push(format!("{label} file sha256 {}", sha256_hex(b))),
            None => parsed.notes.push(format!("no {label} file was imported")),
        }
    }
    finish(FORMAT, list, &sha256_hex(prim), parsed, as_of)
}

fn field(record: &csv::StringRecord, i: usize) -> Option<String> {
    let v = squash(record.get(i)?);
    (v != "-0-" && !v.is_empty()).then_some(v)
}

fn read_records(
    bytes: &[u8],
    cols: usize,
    what: &str,
    mut each: impl FnMut(&csv::StringRecord, u64) -> Result<(), ImportError>,
) -> Result<(), ImportError> {
    let text = utf8(FORMAT, bytes)?;
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut record = csv::StringRecord::new();
    loop {
        let more = reader.read_record(&mut record).map_err(|e| {
            let line = e.position().map_or(0, csv::Position::line);
            ImportError::new(FORMAT, Location::Line(line), None, format!("{what}: {e}"))
        })?;
        if !more {
            break;
        }
        let line = record.position().map_or(0, csv::Position::line);
        // OFAC files end with a DOS end-of-file byte on a line of its own.
        if record.len() == 1
            && record.get(0).is_some_and(|f| f.trim_matches(['\x1a', ' ']).is_empty())
        {
            continue;
        }
        if record.len() != cols {
            return Err(ImportError::new(
                FORMAT,
                Location::Line(line),
                None,
                format!("{what}: expected {cols} columns, found {}", record.len()),
            ));
        }
        each(&record, line)?;
    }
    Ok(())
}

fn ent_num(record: &csv::StringRecord, line: u64, what: &str) -> Result<String, ImportError> {
    let v = field(record, 0).unwrap_or_default();
    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ImportError::new(
            FORMAT,
            Location::Line(line),
            Some("ent_num"),
            format!("{what}: expected a number, found `{v}`"),
        ));
    }
    Ok(v)
}

/// Parse an OFAC CSV set.
pub fn parse(list: &ListTarget, files: &OfacFiles<'_>) -> Result<Parsed, ImportError> {
    let mut parsed = Parsed::default();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut raw_remarks: Vec<String> = Vec::new();
    read_records(files.prim, 12, "primary file", |r, line| {
        let id = ent_num(r, line, "primary file")?;
        let name = field(r, 1).ok_or_else(|| {
            ImportError::new(FORMAT, Location::Line(line), Some("SDN_Name"), "empty name")
        })?;
        let mut e = Entry::new(list.id.clone(), id.clone(), name);
        e.entity_type = match field(r, 2).as_deref() {
            Some("individual") => EntityType::Person,
            Some("vessel") => EntityType::Vessel,
            Some("aircraft") => EntityType::Aircraft,
            _ => EntityType::Organization,
        };
        if let Some(p) = field(r, 3) {
            e.programs = p
                .split("] [")
                .map(|s| s.trim_matches(['[', ']', ' ']).to_owned())
                .filter(|s| !s.is_empty())
                .collect();
        }
        let mut extra = Vec::new();
        if let Some(t) = field(r, 4) {
            extra.push(format!("Title: {t}"));
        }
        if let Some(c) = field(r, 5) {
            e.identifiers.push(Identifier { kind: "Call Sign".into(), value: c, country: None });
        }
        for (i, label) in [
            (6, "Vessel Type"),
            (7, "Tonnage"),
            (8, "GRT"),
            (9, "Vessel Flag"),
            (10, "Vessel Owner"),
        ] {
            if let Some(v) = field(r, i) {
                extra.push(format!("{label}: {v}"));
            }
        }
        if let Some(flag) = field(r, 9) {
            e.country = country_code(&flag);
        }
        if let Some(sel) = &list.select
            && !e.programs.iter().any(|p| p == sel)
        {
            return Ok(());
        }
        if index.insert(id.clone(), parsed.entries.len()).is_some() {
            return Err(ImportError::new(
                FORMAT,
                Location::Line(line),
                Some("ent_num"),
                format!("duplicate ent_num {id}"),
            ));
        }
        raw_remarks.push(field(r, 11).unwrap_or_default());
        e.remarks = (!extra.is_empty()).then(|| extra.join("; "));
        parsed.entries.push(e);
        Ok(())
    })?;

    if let Some(comments) = files.comments {
        read_records(comments, 2, "comments file", |r, line| {
            let id = ent_num(r, line, "comments file")?;
            // The continuation picks up mid-word where the primary file cut the remarks.
            if let Some(text) = r.get(1)
                && let Some(slot) = index.get(&id).and_then(|&i| raw_remarks.get_mut(i))
            {
                slot.push_str(text.trim_end());
            }
            Ok(())
        })?;
    }

    for (e, remarks) in parsed.entries.iter_mut().zip(&raw_remarks) {
        apply_remarks(e, remarks);
    }

    if let Some(add) = files.add {
        // Country of each address, per entry: the entry's country is set only when all its
        // addresses agree (a bank with branches abroad keeps no country).
        let mut countries: HashMap<usize, Vec<Option<String>>> = HashMap::new();
        read_records(add, 6, "addresses file", |r, line| {
            let id = ent_num(r, line, "addresses file")?;
            let Some((&i, e)) = index
                .get_key_value(&id)
                .and_then(|(_, i)| parsed.entries.get_mut(*i).map(|e| (i, e)))
            else {
                return Ok(());
            };
            let parts: Vec<String> = [2, 3, 4].iter().filter_map(|&i| field(r, i)).collect();
            if parts.is_empty() {
                return Ok(());
            }
            countries.entry(i).or_default().push(field(r, 4).as_deref().and_then(country_code));
            let mut a = parts.join(", ");
            if let Some(rem) = field(r, 5) {
                a.push_str(&format!(" ({rem})"));
            }
            e.addresses.push(a);
            Ok(())
        })?;
        for (i, cs) in countries {
            let Some(e) = parsed.entries.get_mut(i) else { continue };
            if e.country.is_none()
                && let Some(Some(first)) = cs.first()
                && cs.iter().all(|c| c.as_ref() == Some(first))
            {
                e.country = Some(first.clone());
            }
        }
    }

    if let Some(alt) = files.alt {
        read_records(alt, 5, "aliases file", |r, line| {
            let id = ent_num(r, line, "aliases file")?;
            let Some(e) = index.get(&id).and_then(|&i| parsed.entries.get_mut(i)) else {
                return Ok(());
            };
            let name = field(r, 3).ok_or_else(|| {
                ImportError::new(FORMAT, Location::Line(line), Some("alt_name"), "empty alias")
            })?;
            let kind = match field(r, 2).as_deref().map(str::to_ascii_lowercase).as_deref() {
                Some("fka") => AliasKind::Fka,
                _ if field(r, 4).is_some_and(|rem| rem.to_lowercase().contains("weak")) => {
                    AliasKind::Weak
                }
                _ => AliasKind::Aka,
            };
            if !e.aliases.iter().any(|a| a.name == name) {
                e.aliases.push(Alias { name, kind });
            }
            Ok(())
        })?;
    }
    Ok(parsed)
}

/// Identifier labels worth lifting out of remarks, longest first so `alt. Passport` wins.
const ID_KINDS: &[&str] = &[
    "Vessel Registration Identification",
    "Unified Social Credit Code (USCC)",
    "Aircraft Manufacturer's Serial Number (MSN)",
    "Business Registration Number",
    "Commercial Registry Number",
    "Aircraft Construction Number",
    "Aircraft Tail Number",
    "Identification Number",
    "Registration Number",
    "Legal Entity Number",
    "National ID No.",
    "Registration ID",
    "Company Number",
    "Tax ID No.",
    "Cedula No.",
    "SWIFT/BIC",
    "Passport",
    "D.N.I.",
    "MMSI",
    "RFC",
];

fn apply_remarks(e: &mut Entry, raw: &str) {
    let remarks = raw.trim().trim_end_matches('.');
    if remarks.is_empty() {
        return;
    }
    for part in split_remarks(remarks) {
        let part = part.trim();
        let stripped = part.strip_prefix("alt. ").unwrap_or(part);
        if let Some(rest) = stripped.strip_prefix("a.k.a. ") {
            push_quoted(e, rest, AliasKind::Weak);
        } else if let Some(rest) = stripped.strip_prefix("f.k.a. ") {
            push_quoted(e, rest, AliasKind::Fka);
        } else if let Some(rest) = stripped.strip_prefix("n.k.a. ") {
            push_quoted(e, rest, AliasKind::Aka);
        } else if let Some(rest) = stripped.strip_prefix("DOB ") {
            e.dates_of_birth.push(rest.trim().to_owned());
        } else if let Some(rest) =
            stripped.strip_prefix("nationality ").or_else(|| stripped.strip_prefix("citizen "))
        {
            if let Some(code) = country_code(rest)
                && !e.nationalities.iter().any(|n| n == code.as_str())
            {
                e.nationalities.push(code);
            }
        } else if let Some(rest) = stripped.strip_prefix("Linked To: ") {
            e.related.push(Related {
                name: rest.trim().trim_end_matches('.').to_owned(),
                relation: Relation::LinkedTo,
                address: None,
            });
        } else if let Some(kind) = ID_KINDS.iter().find(|k| stripped.starts_with(*k)) {
            let rest = stripped.get(kind.len()..).unwrap_or_default().trim();
            let (value, country) = match rest.rfind(" (") {
                Some(p) if rest.ends_with(')') => (
                    rest.get(..p).unwrap_or(rest),
                    rest.get(p + 2..rest.len() - 1).and_then(country_code),
                ),
                _ => (rest, None),
            };
            let value = value.trim().trim_start_matches("IMO ").trim();
            let kind = if kind.starts_with("Vessel Registration") && rest.starts_with("IMO") {
                "IMO".to_owned()
            } else {
                (*kind).to_owned()
            };
            if !value.is_empty() {
                e.identifiers.push(Identifier { kind, value: value.to_owned(), country });
            }
        }
    }
    let full = squash(raw);
    e.remarks = Some(match e.remarks.take() {
        Some(r) => format!("{r}; {full}"),
        None => full,
    });
}

/// Split remarks on `;` outside single quotes (aliases may hold semicolons).
fn split_remarks(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut quoted = false;
    for (i, c) in s.char_indices() {
        match c {
            '\'' => {
                // An apostrophe inside a word ("O'NEIL") does not open a quote.
                let prev = s.get(..i).and_then(|p| p.chars().next_back());
                if quoted || !prev.is_some_and(char::is_alphanumeric) {
                    quoted = !quoted;
                }
            }
            ';' if !quoted => {
                out.push(s.get(start..i).unwrap_or_default());
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(s.get(start..).unwrap_or_default());
    out
}

fn push_quoted(e: &mut Entry, rest: &str, kind: AliasKind) {
    let name = rest.trim().trim_end_matches('.').trim_matches('\'').trim();
    if !name.is_empty() && !e.aliases.iter().any(|a| a.name == name) {
        e.aliases.push(Alias { name: name.to_owned(), kind });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ListKind;

    fn target() -> ListTarget {
        ListTarget::new("sdn", ListKind::OfacSdn, "SDN")
    }

    const PRIM: &str = "306,\"BANCO NACIONAL DE CUBA\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"a.k.a. 'BNC'.\"\r\n\
9639,\"HANIYA, Ismail Abdul Salah\",\"individual\",\"NS-PLC] [SDGT\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"DOB 1962; POB Shati; nationality Palestinian; Passport A123 (Egypt); Linked To: HAM\"\r\n\
\x1a";

    #[test]
    fn inline_set() {
        let add = "306,199,\"Zweierstrasse 35\",\"Zurich CH-8022\",\"Switzerland\",-0- \r\n";
        let alt = "306,220,\"aka\",\"NATIONAL BANK OF CUBA\",-0- \r\n9639,9150,\"fka\",\"HANIYA, Ismail\",-0- \r\n";
        let com = "9639,\"AS.\"\r\n";
        let snap = import_ofac(
            PRIM.as_bytes(),
            Some(add.as_bytes()),
            Some(alt.as_bytes()),
            Some(com.as_bytes()),
            &target(),
            Some(jiff::civil::date(2021, 7, 7)),
        )
        .unwrap();
        let bank = &snap.entries[0];
        assert_eq!(bank.id, "306");
        assert_eq!(bank.entity_type, EntityType::Organization);
        assert_eq!(bank.programs, vec!["CUBA"]);
        assert_eq!(bank.country.as_deref(), Some("CH"), "its only address is in Zurich");
        assert_eq!(bank.aliases[0], Alias { name: "BNC".into(), kind: AliasKind::Weak });
        assert_eq!(bank.aliases[1].kind, AliasKind::Aka);
        let person = &snap.entries[1];
        assert_eq!(person.entity_type, EntityType::Person);
        assert_eq!(person.programs, vec!["NS-PLC", "SDGT"]);
        assert!(person.remarks.as_deref().unwrap().ends_with("Linked To: HAMAS."));
        insta::assert_json_snapshot!(person);
    }

    #[test]
    fn malformed_rows_name_line_and_field() {
        let err = parse(&target(), &OfacFiles::primary(b"1,\"A\",-0-\n")).unwrap_err();
        assert_eq!(err.to_string(), "ofac-csv: line 1: primary file: expected 12 columns, found 3");
        let bad = "x1,\"A\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n";
        let err = parse(&target(), &OfacFiles::primary(bad.as_bytes())).unwrap_err();
        assert_eq!(
            err.to_string(),
            "ofac-csv: line 1, field `ent_num`: primary file: expected a number, found `x1`"
        );
        let empty = "1,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n";
        let err = parse(&target(), &OfacFiles::primary(empty.as_bytes())).unwrap_err();
        assert_eq!(err.to_string(), "ofac-csv: line 1, field `SDN_Name`: empty name");
        let files =
            OfacFiles { alt: Some(b"306,1,\"aka\"\n"), ..OfacFiles::primary(PRIM.as_bytes()) };
        let err = parse(&target(), &files).unwrap_err();
        assert_eq!(err.to_string(), "ofac-csv: line 1: aliases file: expected 5 columns, found 3");
    }

    #[test]
    fn companion_file_names() {
        assert_eq!(companion_names("sdn.csv").unwrap(), ["add.csv", "alt.csv", "sdn_comments.csv"]);
        assert_eq!(
            companion_names("cons_prim.csv").unwrap(),
            ["cons_add.csv", "cons_alt.csv", "cons_comments.csv"]
        );
        assert_eq!(
            companion_names("ofac-sdn-2021-07.csv").unwrap(),
            [
                "ofac-sdn-add-2021-07.csv",
                "ofac-sdn-alt-2021-07.csv",
                "ofac-sdn-comments-2021-07.csv"
            ]
        );
        assert_eq!(
            companion_names("ofac-cons-prim-2025-12.csv").unwrap()[0],
            "ofac-cons-add-2025-12.csv"
        );
        assert!(companion_names("list.csv").is_none());
    }

    #[test]
    fn quotes_protect_semicolons_but_not_apostrophes() {
        assert_eq!(split_remarks("a.k.a. 'A; B'; DOB 1"), vec!["a.k.a. 'A; B'", " DOB 1"]);
        assert_eq!(split_remarks("O'NEIL; x"), vec!["O'NEIL", " x"]);
    }
}
