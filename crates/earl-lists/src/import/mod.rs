//! Importers: one module per source format, each a pure function from bytes to entries.
//!
//! [`import`] is the registry the CLI uses (`earl lists import --format F FILE`): it runs the
//! format's parser and wraps the entries in a [`ListSnapshot`] whose [`ListMeta`] carries the
//! target list's identity, the as-of date, content and source hashes.
//!
//! Errors name where the input is bad: the line (text formats) or record index (JSON/XML
//! records) and the field.

use std::fmt;
use std::str::FromStr;

use jiff::civil::Date;

use crate::model::{Entry, ListId, ListKind, ListMeta, ListSnapshot};
use crate::snapshot::{seal, sha256_hex};

pub mod csl;
pub mod dpl;
pub mod earl_jsonl;
pub mod entity_list;
pub mod fr_xml;
pub mod ftm;
pub mod nsfreg;
pub mod ofac;
pub mod un;
mod xml;
pub mod xyna;

/// Source formats earl can import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// `nsfreg-json`: the JSON list files of the nsfreg project (eCFR-derived Entity List,
    /// MEU, DPL and other US lists).
    NsfregJson,
    /// `fr-xml`: a Federal Register rule in FR XML that adds Entity List entries.
    FrXml,
    /// `csl-csv`: the trade.gov Consolidated Screening List CSV (28- or 29-column header).
    CslCsv,
    /// `ofac-csv`: OFAC legacy `sdn.csv` style files (SDN or consolidated non-SDN).
    OfacCsv,
    /// `un-xml`: the UN Security Council Consolidated List XML.
    UnXml,
    /// `dpl-tsv`: the BIS Denied Persons List tab-separated file.
    DplTsv,
    /// `xyna-json`: MOFCOM / METI list JSON of the security-export-control-registry project.
    XynaJson,
    /// `ftm-jsonl`: OpenSanctions FollowTheMoney entities, one JSON object per line.
    FtmJsonl,
    /// `earl-jsonl`: earl's own snapshot format (one entry per line).
    EarlJsonl,
}

impl Format {
    /// Every format, in documentation order.
    pub const ALL: [Format; 9] = [
        Format::NsfregJson,
        Format::FrXml,
        Format::CslCsv,
        Format::OfacCsv,
        Format::UnXml,
        Format::DplTsv,
        Format::XynaJson,
        Format::FtmJsonl,
        Format::EarlJsonl,
    ];

    /// The name used on the command line and in `ListMeta::format`.
    pub fn name(self) -> &'static str {
        match self {
            Format::NsfregJson => "nsfreg-json",
            Format::FrXml => "fr-xml",
            Format::CslCsv => "csl-csv",
            Format::OfacCsv => "ofac-csv",
            Format::UnXml => "un-xml",
            Format::DplTsv => "dpl-tsv",
            Format::XynaJson => "xyna-json",
            Format::FtmJsonl => "ftm-jsonl",
            Format::EarlJsonl => "earl-jsonl",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The format name is not one of [`Format::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown list format `{0}` (expected one of: nsfreg-json, fr-xml, csl-csv, ofac-csv, un-xml, dpl-tsv, xyna-json, ftm-jsonl, earl-jsonl)"
)]
pub struct UnknownFormat(pub String);

impl FromStr for Format {
    type Err = UnknownFormat;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownFormat(s.to_owned()))
    }
}

/// The list an import produces: its identity and provenance. Content-derived fields of
/// [`ListMeta`] (hashes, count, as-of date, format) are filled by [`import`].
#[derive(Debug, Clone, PartialEq)]
pub struct ListTarget {
    /// Stable list id, e.g. `us_bis_entity_list`.
    pub id: ListId,
    /// Legal kind.
    pub kind: ListKind,
    /// Official title.
    pub title: String,
    /// Publishing authority.
    pub authority: String,
    /// Where the data came from (file, repository and commit).
    pub source: String,
    /// Official URL of the list.
    pub source_url: Option<String>,
    /// License or reuse terms.
    pub license: Option<String>,
    /// Caveats to record in the metadata (importer caveats are appended).
    pub notes: Vec<String>,
    /// Keep only records of this sub-list, for files that hold several lists: the CSL
    /// `source` code (`EL`, `MEU`, `DPL`, `SDN`, ...), the xyna `list_id`, or the OFAC
    /// program. `None` keeps everything.
    pub select: Option<String>,
    /// Prefix for derived entry ids (`EL` gives `EL-CN-huawei-technologies-co-ltd`).
    /// `None` lets the importer choose one from the source.
    pub id_prefix: Option<String>,
}

impl ListTarget {
    /// A target with just id, kind and title; other fields empty.
    pub fn new(id: impl Into<String>, kind: ListKind, title: impl Into<String>) -> Self {
        ListTarget {
            id: ListId(id.into()),
            kind,
            title: title.into(),
            authority: String::new(),
            source: String::new(),
            source_url: None,
            license: None,
            notes: Vec::new(),
            select: None,
            id_prefix: None,
        }
    }
}

/// Where in the input an error is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    /// The input as a whole.
    Input,
    /// A 1-based line number.
    Line(u64),
    /// A 0-based record index (JSON array element, XML record).
    Record(usize),
    /// A byte offset.
    Byte(u64),
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Input => f.write_str("input"),
            Location::Line(n) => write!(f, "line {n}"),
            Location::Record(n) => write!(f, "record {n}"),
            Location::Byte(n) => write!(f, "byte {n}"),
        }
    }
}

/// An import failed: which format, where, which field and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ImportError {
    /// Format name.
    pub format: &'static str,
    /// Where in the input.
    pub location: Location,
    /// The field concerned, if any.
    pub field: Option<String>,
    /// What is wrong (lower case).
    pub message: String,
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.format, self.location)?;
        if let Some(field) = &self.field {
            write!(f, ", field `{field}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl ImportError {
    /// An error at `location` about `field`.
    pub fn new(
        format: Format,
        location: Location,
        field: Option<&str>,
        message: impl Into<String>,
    ) -> Self {
        ImportError {
            format: format.name(),
            location,
            field: field.map(str::to_owned),
            message: message.into(),
        }
    }
}

/// What a parser returns before it is wrapped in a snapshot.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Parsed {
    /// Entries in source order.
    pub entries: Vec<Entry>,
    /// The date the source says it describes, if it says.
    pub as_of: Option<Date>,
    /// Caveats discovered while parsing, for `ListMeta::notes`.
    pub notes: Vec<String>,
}

/// Import `bytes` of `format` as list `list`.
///
/// `as_of` overrides the date the file gives (nsfreg `extracted`, UN `dateGenerated`, ...);
/// when neither exists the import fails, because an undated snapshot cannot be cited.
/// For [`Format::OfacCsv`] `bytes` is the primary `sdn.csv`-style file only; use
/// [`ofac::import_ofac`] to add the address, alias and comment files.
pub fn import(
    format: Format,
    list: &ListTarget,
    bytes: &[u8],
    as_of: Option<Date>,
) -> Result<ListSnapshot, ImportError> {
    let parsed = match format {
        Format::NsfregJson => nsfreg::parse(list, bytes)?,
        Format::FrXml => fr_xml::parse(list, bytes)?,
        Format::CslCsv => csl::parse(list, bytes)?,
        Format::OfacCsv => ofac::parse(list, &ofac::OfacFiles::primary(bytes))?,
        Format::UnXml => un::parse(list, bytes)?,
        Format::DplTsv => dpl::parse(list, bytes)?,
        Format::XynaJson => xyna::parse(list, bytes)?,
        Format::FtmJsonl => ftm::parse(list, bytes)?,
        Format::EarlJsonl => earl_jsonl::parse(list, bytes)?,
    };
    finish(format, list, &sha256_hex(bytes), parsed, as_of)
}

/// Wrap parsed entries in a snapshot with metadata.
pub fn finish(
    format: Format,
    list: &ListTarget,
    source_sha256: &str,
    parsed: Parsed,
    as_of: Option<Date>,
) -> Result<ListSnapshot, ImportError> {
    let as_of = as_of.or(parsed.as_of).ok_or_else(|| {
        ImportError::new(
            format,
            Location::Input,
            Some("as_of"),
            "the file carries no snapshot date; pass one explicitly",
        )
    })?;
    let mut notes = list.notes.clone();
    for n in parsed.notes {
        if !notes.contains(&n) {
            notes.push(n);
        }
    }
    let meta = ListMeta {
        id: list.id.clone(),
        kind: list.kind,
        title: list.title.clone(),
        authority: list.authority.clone(),
        source: list.source.clone(),
        source_url: list.source_url.clone(),
        as_of,
        sha256: String::new(),
        source_sha256: Some(source_sha256.to_owned()),
        entry_count: 0,
        format: format.name().to_owned(),
        license: list.license.clone(),
        notes,
    };
    let (meta, _) = seal(meta, &parsed.entries);
    Ok(ListSnapshot { meta, entries: parsed.entries })
}

/// Decode UTF-8 (a leading BOM is dropped), reporting the line of the first bad byte.
pub(crate) fn utf8(format: Format, bytes: &[u8]) -> Result<&str, ImportError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        let good = bytes.get(..e.valid_up_to()).unwrap_or_default();
        let line = good.iter().filter(|b| **b == b'\n').count() + 1;
        ImportError::new(
            format,
            Location::Line(line as u64),
            None,
            format!("invalid UTF-8 at byte {}", e.valid_up_to()),
        )
    })
}

/// Map a JSON parse error to an import error at its line.
pub(crate) fn json_error(format: Format, e: &serde_json::Error) -> ImportError {
    ImportError::new(format, Location::Line(e.line() as u64), None, format!("invalid JSON: {e}"))
}

/// Country code for a country name, or `None` (the caller keeps the name in remarks).
pub(crate) fn country_code(name: &str) -> Option<String> {
    crate::country::code_from_name(name).map(str::to_owned)
}

/// Append a remark line to an entry.
pub(crate) fn add_remark(entry: &mut Entry, remark: &str) {
    let remark = remark.trim();
    if remark.is_empty() {
        return;
    }
    match &mut entry.remarks {
        Some(r) if r.contains(remark) => {}
        Some(r) => {
            r.push_str("; ");
            r.push_str(remark);
        }
        None => entry.remarks = Some(remark.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_names_round_trip() {
        for f in Format::ALL {
            assert_eq!(f.name().parse::<Format>(), Ok(f));
        }
        assert_eq!("CSL-CSV".parse::<Format>(), Ok(Format::CslCsv));
        let err = "xlsx".parse::<Format>().unwrap_err();
        assert!(err.to_string().starts_with("unknown list format `xlsx`"));
    }

    #[test]
    fn bad_utf8_names_the_line() {
        let err = utf8(Format::CslCsv, b"a,b\nc,\xff\n").unwrap_err();
        assert_eq!(err.to_string(), "csl-csv: line 2: invalid UTF-8 at byte 6");
    }

    #[test]
    fn missing_as_of_is_an_error() {
        let list = ListTarget::new("x", ListKind::Other, "X");
        let err = finish(Format::EarlJsonl, &list, "00", Parsed::default(), None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "earl-jsonl: input, field `as_of`: the file carries no snapshot date; pass one explicitly"
        );
    }
}
