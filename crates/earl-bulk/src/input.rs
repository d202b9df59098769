//! Reading customer files: CSV (with recovery from malformed records) and JSON lines, header
//! and column detection.

use std::borrow::Cow;
use std::collections::VecDeque;
use std::io::BufRead;
use std::path::Path;

use csv::ByteRecord;
use serde_json::{Map, Value};

use crate::error::BulkError;
use crate::lines::{LineReader, excerpt};
use crate::options::{BulkOptions, ColumnRef, Format, HeaderMode};

/// A CSV record may span several physical lines (quoted line breaks); past this many lines an
/// open quote is taken for an unterminated one and the lines after the record's first are read
/// again as records of their own.
const MAX_RECORD_LINES: usize = 64;

/// What is wrong with a row that could not be screened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RowErrorKind {
    /// The row has more or fewer fields than the header (or the first row).
    WrongColumnCount,
    /// A field is not valid UTF-8.
    InvalidUtf8,
    /// A quoted field never ends.
    UnterminatedQuote,
    /// A physical line is longer than earl accepts (1 MiB).
    LineTooLong,
    /// A JSON line does not parse.
    BadJson,
    /// A JSON line is valid JSON but not an object.
    NotAnObject,
    /// The name column is missing from the row (JSON lines) or is not text.
    MissingName,
    /// The name column is empty.
    EmptyName,
}

impl RowErrorKind {
    /// The snake_case label written to the errors file.
    pub fn as_str(self) -> &'static str {
        match self {
            RowErrorKind::WrongColumnCount => "wrong_column_count",
            RowErrorKind::InvalidUtf8 => "invalid_utf8",
            RowErrorKind::UnterminatedQuote => "unterminated_quote",
            RowErrorKind::LineTooLong => "line_too_long",
            RowErrorKind::BadJson => "bad_json",
            RowErrorKind::NotAnObject => "not_an_object",
            RowErrorKind::MissingName => "missing_name",
            RowErrorKind::EmptyName => "empty_name",
        }
    }
}

/// A row that could not be screened.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RowError {
    /// 1-based physical line where the record starts.
    pub line: u64,
    pub kind: RowErrorKind,
    pub message: String,
    /// The record's text (lossy, cut), to help fix the file.
    pub content: String,
}

/// One record of a chunk; reused from chunk to chunk so steady-state reading allocates little.
#[derive(Debug, Default)]
pub(crate) struct Slot {
    /// 1-based physical line where the record starts.
    pub line: u64,
    /// CSV fields (all valid UTF-8 when `error` is `None`).
    pub rec: ByteRecord,
    /// JSON lines object.
    pub obj: Map<String, Value>,
    /// Set when the record is malformed.
    pub error: Option<RowError>,
}

impl Slot {
    fn fail(&mut self, line: u64, kind: RowErrorKind, message: String, content: String) {
        self.line = line;
        self.error = Some(RowError { line, kind, message, content });
    }
}

/// CSV records from physical lines, with csv-core doing the field splitting.
struct CsvSource<R> {
    lines: LineReader<R>,
    core: csv_core::Reader,
    /// Lines to parse again after an unterminated quote swallowed them.
    replay: VecDeque<(u64, Vec<u8>)>,
    /// The line being parsed: from `replay` or the reader.
    cur: Vec<u8>,
    cur_no: u64,
    /// Earlier lines of a record that spans lines (its first line first).
    pending: Vec<(u64, Vec<u8>)>,
    out: Vec<u8>,
    ends: Vec<usize>,
    /// Fields every record must have, once known.
    width: Option<usize>,
    too_long_line: Option<u64>,
}

fn csv_core_reader(delimiter: u8) -> csv_core::Reader {
    csv_core::ReaderBuilder::new()
        .delimiter(delimiter)
        .terminator(csv_core::Terminator::Any(b'\n'))
        .build()
}

impl<R: BufRead> CsvSource<R> {
    fn new(input: R, delimiter: u8) -> Self {
        CsvSource {
            lines: LineReader::new(input),
            core: csv_core_reader(delimiter),
            replay: VecDeque::new(),
            cur: Vec::with_capacity(256),
            cur_no: 0,
            pending: Vec::new(),
            out: vec![0; 1024],
            ends: vec![0; 64],
            width: None,
            too_long_line: None,
        }
    }

    /// Makes the next physical line current; `false` at end of input.
    fn load(&mut self) -> std::io::Result<bool> {
        if let Some((no, bytes)) = self.replay.pop_front() {
            self.cur = bytes;
            self.cur_no = no;
            return Ok(true);
        }
        if !self.lines.next_line()? {
            return Ok(false);
        }
        std::mem::swap(&mut self.cur, &mut self.lines.buf);
        self.cur_no = self.lines.line_no;
        if self.lines.too_long {
            self.too_long_line = Some(self.cur_no);
        }
        Ok(true)
    }

    /// Feeds the current line to the parser; `true` when it completed a record.
    fn feed(&mut self, outlen: &mut usize, endlen: &mut usize) -> bool {
        let mut pos = 0;
        loop {
            let input = self.cur.get(pos..).unwrap_or(&[]);
            let out = self.out.get_mut(*outlen..).unwrap_or(&mut []);
            let ends = self.ends.get_mut(*endlen..).unwrap_or(&mut []);
            let (res, nin, nout, nend) = self.core.read_record(input, out, ends);
            pos += nin;
            *outlen += nout;
            *endlen += nend;
            match res {
                csv_core::ReadRecordResult::InputEmpty | csv_core::ReadRecordResult::End => {
                    return false;
                }
                csv_core::ReadRecordResult::OutputFull => {
                    let n = self.out.len().max(64) * 2;
                    self.out.resize(n, 0);
                }
                csv_core::ReadRecordResult::OutputEndsFull => {
                    let n = self.ends.len().max(8) * 2;
                    self.ends.resize(n, 0);
                }
                csv_core::ReadRecordResult::Record => return true,
            }
        }
    }

    /// The text of the record being assembled, for error reports.
    fn record_text(&self) -> String {
        let mut raw: Vec<u8> = Vec::new();
        for (_, l) in &self.pending {
            raw.extend_from_slice(l);
        }
        raw.extend_from_slice(&self.cur);
        excerpt(&raw)
    }

    /// Gives up on the record being assembled: the lines after its first are parsed again.
    fn abandon(&mut self) {
        self.core.reset();
        let mut lines: Vec<(u64, Vec<u8>)> = self.pending.drain(..).collect();
        lines.push((self.cur_no, std::mem::take(&mut self.cur)));
        for item in lines.into_iter().skip(1).rev() {
            self.replay.push_front(item);
        }
    }

    /// Reads the next record into `slot`; `false` at end of input.
    fn next(&mut self, slot: &mut Slot) -> std::io::Result<bool> {
        slot.error = None;
        slot.rec.clear();
        self.pending.clear();
        self.too_long_line = None;
        let (mut outlen, mut endlen) = (0usize, 0usize);
        // Skip blank lines between records.
        loop {
            if !self.load()? {
                return Ok(false);
            }
            if !self.cur.iter().all(u8::is_ascii_whitespace) {
                break;
            }
        }
        let start = self.cur_no;
        slot.line = start;
        // The record is `pending` followed by `cur`.
        while !self.feed(&mut outlen, &mut endlen) {
            // Inside a quoted field at the end of the line: the record continues.
            let spanned = self.pending.len() + 1;
            if spanned >= MAX_RECORD_LINES {
                let content = self.record_text();
                self.abandon();
                slot.fail(
                    start,
                    RowErrorKind::UnterminatedQuote,
                    format!(
                        "unterminated quote: a quoted field opened on line {start} is still open \
                         after {spanned} lines"
                    ),
                    content,
                );
                return Ok(true);
            }
            let prev = (self.cur_no, std::mem::take(&mut self.cur));
            if self.load()? {
                self.pending.push(prev);
            } else {
                (self.cur_no, self.cur) = prev;
                let content = self.record_text();
                self.abandon();
                slot.fail(
                    start,
                    RowErrorKind::UnterminatedQuote,
                    format!(
                        "unterminated quote: a quoted field opened on line {start} never closes"
                    ),
                    content,
                );
                return Ok(true);
            }
        }
        if let Some(line) = self.too_long_line {
            let content = self.record_text();
            slot.fail(
                start,
                RowErrorKind::LineTooLong,
                format!("line {line} is longer than {} bytes", crate::lines::MAX_LINE_BYTES),
                content,
            );
            return Ok(true);
        }
        let nfields = endlen;
        if let Some(w) = self.width
            && nfields != w
        {
            let content = self.record_text();
            if self.pending.is_empty() {
                slot.fail(
                    start,
                    RowErrorKind::WrongColumnCount,
                    format!("wrong column count: {nfields} fields, expected {w}"),
                    content,
                );
            } else {
                let end = self.cur_no;
                self.abandon();
                slot.fail(
                    start,
                    RowErrorKind::UnterminatedQuote,
                    format!(
                        "unterminated quote: a quoted field opened on line {start} ran to line \
                         {end}, leaving {nfields} fields where {w} are expected"
                    ),
                    content,
                );
            }
            return Ok(true);
        }
        let mut begin = 0usize;
        for (i, end) in self.ends.get(..endlen).unwrap_or(&[]).iter().enumerate() {
            let field = self.out.get(begin..*end).unwrap_or(&[]);
            if let Err(e) = std::str::from_utf8(field) {
                let content = self.record_text();
                slot.rec.clear();
                slot.fail(
                    start,
                    RowErrorKind::InvalidUtf8,
                    format!("invalid UTF-8 in column {} at byte {}", i + 1, e.valid_up_to() + 1),
                    content,
                );
                return Ok(true);
            }
            slot.rec.push_field(field);
            begin = *end;
        }
        Ok(true)
    }
}

/// JSON lines records.
struct JsonlSource<R> {
    lines: LineReader<R>,
}

impl<R: BufRead> JsonlSource<R> {
    fn next(&mut self, slot: &mut Slot) -> std::io::Result<bool> {
        slot.error = None;
        loop {
            if !self.lines.next_line()? {
                return Ok(false);
            }
            if !self.lines.is_blank() {
                break;
            }
        }
        let line = self.lines.line_no;
        slot.line = line;
        let bytes = &self.lines.buf;
        if self.lines.too_long {
            let msg = format!("line is longer than {} bytes", crate::lines::MAX_LINE_BYTES);
            slot.fail(line, RowErrorKind::LineTooLong, msg, excerpt(bytes));
            return Ok(true);
        }
        if let Err(e) = std::str::from_utf8(bytes) {
            let msg = format!("invalid UTF-8 at byte {}", e.valid_up_to() + 1);
            slot.fail(line, RowErrorKind::InvalidUtf8, msg, excerpt(bytes));
            return Ok(true);
        }
        match serde_json::from_slice::<Value>(bytes) {
            Ok(Value::Object(m)) => slot.obj = m,
            Ok(other) => {
                let what = match other {
                    Value::Array(_) => "an array",
                    Value::String(_) => "a string",
                    Value::Number(_) => "a number",
                    Value::Bool(_) => "a boolean",
                    _ => "null",
                };
                let msg = format!("expected a JSON object, found {what}");
                slot.fail(line, RowErrorKind::NotAnObject, msg, excerpt(bytes));
            }
            Err(e) => {
                let msg = format!("invalid JSON: {e}");
                slot.fail(line, RowErrorKind::BadJson, msg, excerpt(bytes));
            }
        }
        Ok(true)
    }
}

enum Source<R> {
    Csv(Box<CsvSource<R>>),
    Jsonl(JsonlSource<R>),
}

/// Where the fields the screening needs are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Layout {
    /// CSV: 0-based column positions.
    Csv { name: usize, country: Option<usize>, id: Option<usize> },
    /// JSON lines: object keys.
    Jsonl { name: String, country: Option<String>, id: Option<String> },
}

/// The fields of one row the screening uses.
#[derive(Debug)]
pub(crate) struct RowView<'a> {
    pub name: &'a str,
    pub country: Option<&'a str>,
    pub id: Option<Cow<'a, str>>,
}

impl Layout {
    /// The row's name, country and id, or why it cannot be screened.
    pub(crate) fn view<'a>(&self, slot: &'a Slot) -> Result<RowView<'a>, (RowErrorKind, String)> {
        let (name, country, id) = match self {
            Layout::Csv { name, country, id } => {
                let get = |i: usize| {
                    slot.rec.get(i).and_then(|b| std::str::from_utf8(b).ok()).unwrap_or("")
                };
                let country = country.map(get).map(str::trim).filter(|c| !c.is_empty());
                let id = id.map(get).map(str::trim).filter(|c| !c.is_empty()).map(Cow::Borrowed);
                (get(*name), country, id)
            }
            Layout::Jsonl { name, country, id } => {
                let name = match slot.obj.get(name) {
                    Some(Value::String(s)) => s.as_str(),
                    None | Some(Value::Null) => {
                        return Err((
                            RowErrorKind::MissingName,
                            format!("field `{name}` is missing"),
                        ));
                    }
                    Some(_) => {
                        return Err((
                            RowErrorKind::MissingName,
                            format!("field `{name}` is not a string"),
                        ));
                    }
                };
                let country = country
                    .as_ref()
                    .and_then(|k| slot.obj.get(k))
                    .and_then(Value::as_str)
                    .map(str::trim)
                    .filter(|c| !c.is_empty());
                let id = id.as_ref().and_then(|k| slot.obj.get(k)).and_then(|v| match v {
                    Value::String(s) if !s.trim().is_empty() => Some(Cow::Borrowed(s.trim())),
                    Value::Number(n) => Some(Cow::Owned(n.to_string())),
                    _ => None,
                });
                (name, country, id)
            }
        };
        if name.trim().is_empty() {
            return Err((RowErrorKind::EmptyName, "name is empty".to_owned()));
        }
        Ok(RowView { name, country, id })
    }
}

/// Header names, folded for matching: lower case, without spaces, `_`, `-`, `.`, `/`.
fn fold(s: &str) -> String {
    s.trim()
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '_' | '-' | '.' | '/' | '(' | ')'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Column names that hold a party name, best first (folded, see [`fold`]).
const NAME_KEYS: &[&str] = &[
    "name",
    "customername",
    "companyname",
    "partyname",
    "entityname",
    "legalname",
    "organizationname",
    "organisationname",
    "businessname",
    "suppliername",
    "vendorname",
    "accountname",
    "counterpartyname",
    "consigneename",
    "fullname",
    "company",
    "party",
    "customer",
    "supplier",
    "vendor",
    "counterparty",
    "consignee",
    "entity",
    "organization",
    "organisation",
    "firm",
    "firma",
    "raisonsociale",
    "名称",
    "公司名称",
    "客户名称",
    "企业名称",
    "单位名称",
    "供应商名称",
    "名字",
    "姓名",
    "公司",
    "客户",
];

/// Column names that hold a country.
const COUNTRY_KEYS: &[&str] = &[
    "country",
    "countrycode",
    "countryiso",
    "countryname",
    "iso2",
    "ctry",
    "nation",
    "land",
    "pays",
    "pais",
    "国家",
    "国家地区",
    "国别",
];

/// Column names that hold a customer id.
const ID_KEYS: &[&str] = &[
    "id",
    "customerid",
    "custid",
    "customerno",
    "customernumber",
    "customernr",
    "clientid",
    "partyid",
    "supplierid",
    "vendorid",
    "accountid",
    "accountnumber",
    "account",
    "entityid",
    "recordid",
    "ref",
    "reference",
    "编号",
    "客户编号",
    "客户代码",
    "代码",
];

/// Position of the first header field matching one of `keys` (in `keys` order).
fn detect(header: &[String], keys: &[&str]) -> Option<usize> {
    let folded: Vec<String> = header.iter().map(|h| fold(h)).collect();
    keys.iter().find_map(|k| folded.iter().position(|f| f == k))
}

/// Position of the header field `name`: exact, then folded.
fn find_named(header: &[String], name: &str) -> Option<usize> {
    header
        .iter()
        .position(|h| h == name)
        .or_else(|| header.iter().position(|h| h.trim() == name.trim()))
        .or_else(|| {
            let f = fold(name);
            header.iter().position(|h| fold(h) == f)
        })
}

fn looks_like_header(fields: &[String], opts: &BulkOptions) -> bool {
    let named = [&opts.name_column, &opts.country_column, &opts.id_column]
        .into_iter()
        .flatten()
        .any(|c| matches!(c, ColumnRef::Name(n) if find_named(fields, n).is_some()));
    let folded: Vec<String> = fields.iter().map(|h| fold(h)).collect();
    named
        || folded.iter().any(|f| {
            NAME_KEYS.contains(&f.as_str())
                || COUNTRY_KEYS.contains(&f.as_str())
                || ID_KEYS.contains(&f.as_str())
        })
}

/// A record reader that has looked at the start of the file and knows its layout.
pub(crate) struct Reader<R> {
    source: Source<R>,
    /// Records read while detecting the layout, handed out first.
    pending: VecDeque<Slot>,
    /// The resolved layout.
    pub layout: Layout,
    /// Column names for the output: the header, or `column_1`... when there is none.
    pub columns: Vec<String>,
    /// Whether the input has a header row.
    pub header: bool,
    /// Human-readable names of the columns used (for the summary).
    pub used: UsedColumns,
}

/// The columns a run used, as names (CSV header fields, JSON keys, or `column_N`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct UsedColumns {
    /// Name column.
    pub name: String,
    /// Country column, if any.
    pub country: Option<String>,
    /// Customer id column, if any.
    pub id: Option<String>,
}

/// How many leading malformed JSON lines to look past when detecting the keys.
const MAX_LEADING_BAD_LINES: usize = 10_000;

fn column_list(fields: &[String]) -> String {
    fields.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", ")
}

impl<R: BufRead> Reader<R> {
    /// Opens `input` in `format` and detects header and columns.
    pub(crate) fn open(
        input: R,
        format: Format,
        delimiter: u8,
        opts: &BulkOptions,
        path: &Path,
    ) -> Result<Self, BulkError> {
        match format {
            Format::Csv => Self::open_csv(input, delimiter, opts, path),
            Format::Jsonl => Self::open_jsonl(input, opts, path),
        }
    }

    fn open_csv(
        input: R,
        delimiter: u8,
        opts: &BulkOptions,
        path: &Path,
    ) -> Result<Self, BulkError> {
        let mut src = CsvSource::new(input, delimiter);
        let mut first = Slot::default();
        if !src.next(&mut first).map_err(|e| BulkError::io(path, e))? {
            return Err(BulkError::EmptyInput { path: path.to_owned() });
        }
        if let Some(err) = &first.error {
            return Err(BulkError::BadFirstRecord {
                path: path.to_owned(),
                line: err.line,
                message: err.message.clone(),
            });
        }
        let fields: Vec<String> =
            first.rec.iter().map(|f| String::from_utf8_lossy(f).into_owned()).collect();
        let width = fields.len();
        let header = match opts.header {
            HeaderMode::Present => true,
            HeaderMode::Absent => false,
            HeaderMode::Auto => looks_like_header(&fields, opts),
        };
        let columns: Vec<String> = if header {
            fields.clone()
        } else {
            (1..=width).map(|i| format!("column_{i}")).collect()
        };
        let resolve = |opt: &Option<ColumnRef>,
                       which: &'static str,
                       keys: &[&str]|
         -> Result<Option<usize>, BulkError> {
            match opt {
                Some(ColumnRef::Index(i)) => {
                    if *i == 0 || *i > width {
                        return Err(BulkError::ColumnOutOfRange {
                            path: path.to_owned(),
                            option: which,
                            index: *i,
                            width,
                        });
                    }
                    Ok(Some(i - 1))
                }
                Some(ColumnRef::Name(n)) => {
                    let found = if header { find_named(&fields, n) } else { None };
                    found.map(Some).ok_or_else(|| BulkError::UnknownColumn {
                        path: path.to_owned(),
                        option: which,
                        column: n.clone(),
                        available: if header {
                            column_list(&fields)
                        } else {
                            "no header row".to_owned()
                        },
                    })
                }
                None if header => Ok(detect(&fields, keys)),
                None => Ok(None),
            }
        };
        let name = match resolve(&opts.name_column, "name", NAME_KEYS)? {
            Some(i) => i,
            None if !header => 0,
            None => {
                return Err(BulkError::NoNameColumn {
                    path: path.to_owned(),
                    available: column_list(&fields),
                });
            }
        };
        let country = resolve(&opts.country_column, "country", COUNTRY_KEYS)?;
        let id = resolve(&opts.id_column, "id", ID_KEYS)?;
        let label = |i: usize| columns.get(i).cloned().unwrap_or_default();
        let used =
            UsedColumns { name: label(name), country: country.map(label), id: id.map(label) };
        src.width = Some(width);
        let mut pending = VecDeque::new();
        if !header {
            pending.push_back(first);
        }
        Ok(Reader {
            source: Source::Csv(Box::new(src)),
            pending,
            layout: Layout::Csv { name, country, id },
            columns,
            header,
            used,
        })
    }

    fn open_jsonl(input: R, opts: &BulkOptions, path: &Path) -> Result<Self, BulkError> {
        let mut src = JsonlSource { lines: LineReader::new(input) };
        let mut pending = VecDeque::new();
        let keys: Vec<String> = loop {
            let mut slot = Slot::default();
            if !src.next(&mut slot).map_err(|e| BulkError::io(path, e))? {
                if pending.is_empty() {
                    return Err(BulkError::EmptyInput { path: path.to_owned() });
                }
                break Vec::new();
            }
            let keys: Option<Vec<String>> =
                slot.error.is_none().then(|| slot.obj.keys().cloned().collect());
            pending.push_back(slot);
            if let Some(k) = keys {
                break k;
            }
            if pending.len() > MAX_LEADING_BAD_LINES {
                return Err(BulkError::BadFirstRecord {
                    path: path.to_owned(),
                    line: 1,
                    message: format!("no JSON object in the first {MAX_LEADING_BAD_LINES} lines"),
                });
            }
        };
        let resolve = |opt: &Option<ColumnRef>,
                       which: &'static str,
                       table: &[&str]|
         -> Result<Option<String>, BulkError> {
            match opt {
                Some(ColumnRef::Index(_)) => Err(BulkError::Option {
                    option: which,
                    message: "JSON lines columns are keys, not numbers".into(),
                }),
                Some(ColumnRef::Name(n)) => Ok(Some(
                    find_named(&keys, n)
                        .and_then(|i| keys.get(i).cloned())
                        .unwrap_or_else(|| n.clone()),
                )),
                None => Ok(detect(&keys, table).and_then(|i| keys.get(i).cloned())),
            }
        };
        let name = match resolve(&opts.name_column, "name", NAME_KEYS)? {
            Some(k) => k,
            None => {
                return Err(BulkError::NoNameColumn {
                    path: path.to_owned(),
                    available: column_list(&keys),
                });
            }
        };
        let country = resolve(&opts.country_column, "country", COUNTRY_KEYS)?;
        let id = resolve(&opts.id_column, "id", ID_KEYS)?;
        let used = UsedColumns { name: name.clone(), country: country.clone(), id: id.clone() };
        Ok(Reader {
            source: Source::Jsonl(src),
            pending,
            layout: Layout::Jsonl { name, country, id },
            columns: keys,
            header: false,
            used,
        })
    }

    /// Reads the next record into `slot`; `false` at end of input.
    pub(crate) fn next(&mut self, slot: &mut Slot) -> std::io::Result<bool> {
        if let Some(p) = self.pending.pop_front() {
            *slot = p;
            return Ok(true);
        }
        match &mut self.source {
            Source::Csv(s) => s.next(slot),
            Source::Jsonl(s) => s.next(slot),
        }
    }

    /// Bytes consumed from the input so far.
    pub(crate) fn bytes_read(&self) -> u64 {
        match &self.source {
            Source::Csv(s) => s.lines.bytes,
            Source::Jsonl(s) => s.lines.bytes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn records(text: &[u8], width: Option<usize>) -> Vec<(u64, Result<Vec<String>, RowErrorKind>)> {
        let mut src = CsvSource::new(text, b',');
        src.width = width;
        let mut slot = Slot::default();
        let mut out = Vec::new();
        while src.next(&mut slot).unwrap() {
            let r = match &slot.error {
                Some(e) => {
                    assert_eq!(e.line, slot.line);
                    Err(e.kind)
                }
                None => {
                    Ok(slot.rec.iter().map(|f| String::from_utf8(f.to_vec()).unwrap()).collect())
                }
            };
            out.push((slot.line, r));
        }
        out
    }

    fn ok(fields: &[&str]) -> Result<Vec<String>, RowErrorKind> {
        Ok(fields.iter().map(|s| (*s).to_owned()).collect())
    }

    #[test]
    fn quoted_line_breaks_keep_physical_line_numbers() {
        let text = b"a,b\n1,\"x\ny\"\n\n2,z\r\n3,w";
        assert_eq!(
            records(text, Some(2)),
            vec![
                (1, ok(&["a", "b"])),
                (2, ok(&["1", "x\ny"])),
                (5, ok(&["2", "z"])),
                (6, ok(&["3", "w"]))
            ]
        );
    }

    #[test]
    fn malformed_records_are_reported_and_reading_goes_on() {
        let text = b"a,b\n1,2,3\n2,\xFFx\n3,\"open\n4,\"quoted, fine\"\n5,ok\n6,\"never closed\n";
        let got = records(text, Some(2));
        assert_eq!(
            got,
            vec![
                (1, ok(&["a", "b"])),
                (2, Err(RowErrorKind::WrongColumnCount)),
                (3, Err(RowErrorKind::InvalidUtf8)),
                // The open quote on line 4 closes on line 5 and leaves a 3-field record:
                // line 4 is reported, line 5 is read again on its own.
                (4, Err(RowErrorKind::UnterminatedQuote)),
                (5, ok(&["4", "quoted, fine"])),
                (6, ok(&["5", "ok"])),
                (7, Err(RowErrorKind::UnterminatedQuote)),
            ]
        );
    }

    #[test]
    fn an_open_quote_gives_up_after_max_lines_and_recovers() {
        let mut text = b"1,\"open\n".to_vec();
        for i in 0..100 {
            text.extend_from_slice(format!("{i},plain\n").as_bytes());
        }
        let got = records(&text, Some(2));
        assert_eq!(got.first(), Some(&(1, Err(RowErrorKind::UnterminatedQuote))));
        assert_eq!(got.len(), 101);
        assert_eq!(got.get(1), Some(&(2, ok(&["0", "plain"]))));
        assert_eq!(got.last(), Some(&(101, ok(&["99", "plain"]))));
    }

    #[test]
    fn bom_and_blank_lines_are_skipped() {
        let text = b"\xEF\xBB\xBFname\n\n\nAcme\n";
        assert_eq!(records(text, None), vec![(1, ok(&["name"])), (4, ok(&["Acme"]))]);
    }

    proptest! {
        /// Whatever the fields hold (delimiters, quotes, line breaks), what the csv crate
        /// writes we read back field for field, each record at the physical line it starts on.
        #[test]
        fn reads_back_what_csv_writes(rows in prop::collection::vec(
            prop::collection::vec("[a-z ,\"\n华]{0,8}", 3), 1..30)
        ) {
            let mut w = csv::Writer::from_writer(Vec::new());
            for r in &rows {
                w.write_record(r).unwrap();
            }
            let bytes = w.into_inner().unwrap();
            let got = records(&bytes, Some(3));
            let mut line = 1u64;
            let mut expected = Vec::new();
            for r in &rows {
                // A record of three empty fields is written as `,,` and is not blank.
                expected.push((line, Ok(r.clone())));
                let written: usize = r.iter().map(|f| f.matches('\n').count()).sum();
                line += 1 + written as u64;
            }
            prop_assert_eq!(got, expected);
        }
    }
}
