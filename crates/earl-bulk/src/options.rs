//! Options of a bulk run: files, format, columns, screening parameters.

use std::path::{Path, PathBuf};

use earl_lists::ListId;
use earl_screen::DEFAULT_ALERT_THRESHOLD;
use jiff::civil::Date;
use serde::Serialize;

/// File format of the customer file (the output uses the same).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Comma- (or tab-, semicolon-) separated values, RFC 4180 quoting.
    Csv,
    /// One JSON object per line.
    Jsonl,
}

impl Format {
    /// The format a file name implies: `.jsonl`, `.ndjson`, `.json` are JSON lines; `.csv`,
    /// `.tsv`, `.txt` are CSV; anything else is `None` (the caller sniffs the content).
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "jsonl" | "ndjson" | "json" => Some(Format::Jsonl),
            "csv" | "tsv" | "txt" => Some(Format::Csv),
            _ => None,
        }
    }

    /// The usual file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Jsonl => "jsonl",
        }
    }
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "csv" | "tsv" => Ok(Format::Csv),
            "jsonl" | "ndjson" | "json" => Ok(Format::Jsonl),
            other => Err(format!("unknown format `{other}` (expected csv or jsonl)")),
        }
    }
}

/// A column of the customer file: by header name (CSV header field or JSON key) or by
/// 1-based position (CSV only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum ColumnRef {
    /// Header name or JSON key; matched exactly first, then ignoring case, spaces, `_` and `-`.
    Name(String),
    /// 1-based column number.
    Index(usize),
}

impl std::str::FromStr for ColumnRef {
    type Err = String;
    /// A string of digits is a column number, anything else a name.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        if t.is_empty() {
            return Err("column must not be empty".into());
        }
        if t.bytes().all(|b| b.is_ascii_digit()) {
            return match t.parse::<usize>() {
                Ok(0) | Err(_) => Err(format!("column number `{t}` must be 1 or more")),
                Ok(n) => Ok(ColumnRef::Index(n)),
            };
        }
        Ok(ColumnRef::Name(t.to_owned()))
    }
}

/// Whether the CSV file has a header row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum HeaderMode {
    /// Detect: the first row is a header when one of its fields is a known name, country or id
    /// column name (`name`, `customer_name`, `company`, `party`, `名称`, ...) or a column the
    /// options name.
    #[default]
    Auto,
    /// The first row is a header.
    Present,
    /// There is no header: every row is data.
    Absent,
}

/// When to draw the progress bar (on standard error).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProgressMode {
    /// Only when standard error is a terminal.
    #[default]
    Auto,
    /// Always (useful under `script` or in a terminal multiplexer log).
    Always,
    /// Never.
    Never,
}

/// Options of [`crate::screen_file`] and [`crate::rescreen`].
#[derive(Debug, Clone)]
pub struct BulkOptions {
    /// Customer file; `-` reads standard input.
    pub input: PathBuf,
    /// Result file; `-` writes standard output.
    pub output: PathBuf,
    /// Rows that could not be screened; default: the output path with its extension replaced
    /// by `errors.csv` / `errors.jsonl` (`out.csv` gives `out.errors.csv`). Required when the
    /// output is standard output.
    pub errors: Option<PathBuf>,
    /// Format; default from the input extension, else sniffed (`{` first means JSON lines).
    pub format: Option<Format>,
    /// CSV header handling.
    pub header: HeaderMode,
    /// CSV field delimiter; default `,` (tab for `.tsv`).
    pub delimiter: Option<u8>,
    /// Column with the party name; default: detected from the header, else column 1.
    pub name_column: Option<ColumnRef>,
    /// Column with the party's country (ISO code or English name); default: detected from the
    /// header, else none.
    pub country_column: Option<ColumnRef>,
    /// Column with the customer id (used to match reviewed decisions); default: detected from
    /// the header, else none (the name then stands in for the id).
    pub id_column: Option<ColumnRef>,
    /// Score at or above which a hit alerts.
    pub threshold: f64,
    /// Date of screening: entries not in force on it do not match; `None` screens against
    /// every entry of the snapshot.
    pub date: Option<Date>,
    /// Screen only against these lists (`None`: all lists).
    pub lists: Option<Vec<ListId>>,
    /// Rows read, screened and written per step; memory use is proportional to it.
    pub chunk_rows: usize,
    /// Distinct (name, country) results kept for reuse by later rows with the same name and
    /// country (rows of customers with reviews are always screened afresh); 0 disables.
    pub cache_names: usize,
    /// Worker threads; `None` uses every core.
    pub threads: Option<usize>,
    /// Progress bar on standard error.
    pub progress: ProgressMode,
}

/// Default rows per chunk: large enough to keep every core busy between the sequential read and
/// write steps, small enough that memory stays a few megabytes.
pub const DEFAULT_CHUNK_ROWS: usize = 8192;

/// Default size of the result cache: about 30 MB at most.
pub const DEFAULT_CACHE_NAMES: usize = 100_000;

impl BulkOptions {
    /// Options with defaults for everything but the two files.
    pub fn new(input: impl Into<PathBuf>, output: impl Into<PathBuf>) -> Self {
        BulkOptions {
            input: input.into(),
            output: output.into(),
            errors: None,
            format: None,
            header: HeaderMode::Auto,
            delimiter: None,
            name_column: None,
            country_column: None,
            id_column: None,
            threshold: DEFAULT_ALERT_THRESHOLD,
            date: None,
            lists: None,
            chunk_rows: DEFAULT_CHUNK_ROWS,
            cache_names: DEFAULT_CACHE_NAMES,
            threads: None,
            progress: ProgressMode::Auto,
        }
    }
}

/// Default errors file for an output path: `out.csv` → `out.errors.csv`.
pub fn default_errors_path(output: &Path, format: Format) -> PathBuf {
    let mut p = output.to_path_buf();
    p.set_extension(format!("errors.{}", format.extension()));
    p
}

pub(crate) fn is_stdio(p: &Path) -> bool {
    p.as_os_str() == "-"
}
