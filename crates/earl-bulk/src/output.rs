//! Writing results and row errors, in the input's format.

use std::io::Write;

use serde_json::{Map, Value, json};

use crate::input::{RowError, Slot};

/// Columns appended to every output row of `screen-file`.
pub const RESULT_COLUMNS: &[&str] = &[
    "earl_hit_name",
    "earl_matched_name",
    "earl_score",
    "earl_alert",
    "earl_list",
    "earl_entry_id",
    "earl_entry_hash",
    "earl_review",
];

/// Column that `rescreen` puts before [`RESULT_COLUMNS`]: `added`, `changed` or `removed_entry`.
pub const CHANGE_COLUMN: &str = "earl_change";

/// Why a rescreen row is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// The hit is on an entry added since the old snapshot.
    Added,
    /// The hit is on an entry whose content changed since the old snapshot.
    Changed,
    /// The customer matched an entry that the new snapshot no longer has.
    RemovedEntry,
}

impl Change {
    /// The label written to the output.
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Added => "added",
            Change::Changed => "changed",
            Change::RemovedEntry => "removed_entry",
        }
    }
}

/// The reported hit of one output row.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Finding {
    pub change: Option<Change>,
    pub hit_name: String,
    pub matched_name: String,
    pub score: f64,
    pub alert: bool,
    pub list: String,
    pub entry_id: String,
    pub entry_hash: String,
    pub review: String,
}

/// Output rows writer.
pub(crate) enum ResultWriter<W: Write> {
    Csv(Box<csv::Writer<W>>),
    Jsonl(W),
}

impl<W: Write> ResultWriter<W> {
    pub(crate) fn csv(out: W, delimiter: u8) -> Self {
        ResultWriter::Csv(Box::new(csv::WriterBuilder::new().delimiter(delimiter).from_writer(out)))
    }

    pub(crate) fn header(&mut self, columns: &[String], rescreen: bool) -> std::io::Result<()> {
        if let ResultWriter::Csv(w) = self {
            for c in columns {
                w.write_field(c)?;
            }
            if rescreen {
                w.write_field(CHANGE_COLUMN)?;
            }
            for c in RESULT_COLUMNS {
                w.write_field(c)?;
            }
            w.write_record(None::<&[u8]>)?;
        }
        Ok(())
    }

    /// Writes the input record followed by the result columns (`finding` `None`: no hit).
    pub(crate) fn row(
        &mut self,
        slot: &mut Slot,
        finding: Option<&Finding>,
        rescreen: bool,
        score_buf: &mut String,
    ) -> std::io::Result<()> {
        match self {
            ResultWriter::Csv(w) => {
                for f in &slot.rec {
                    w.write_field(f)?;
                }
                if rescreen {
                    w.write_field(finding.and_then(|f| f.change).map_or("", Change::as_str))?;
                }
                match finding {
                    None => {
                        for _ in RESULT_COLUMNS {
                            w.write_field("")?;
                        }
                    }
                    Some(f) => {
                        use std::fmt::Write as _;
                        score_buf.clear();
                        let _ = write!(score_buf, "{:.3}", f.score);
                        w.write_field(&f.hit_name)?;
                        w.write_field(&f.matched_name)?;
                        w.write_field(score_buf.as_str())?;
                        w.write_field(if f.alert { "true" } else { "false" })?;
                        w.write_field(&f.list)?;
                        w.write_field(&f.entry_id)?;
                        w.write_field(&f.entry_hash)?;
                        w.write_field(&f.review)?;
                    }
                }
                w.write_record(None::<&[u8]>)?;
            }
            ResultWriter::Jsonl(w) => {
                let obj = &mut slot.obj;
                if rescreen {
                    let c =
                        finding.and_then(|f| f.change).map_or(Value::Null, |c| json!(c.as_str()));
                    obj.insert(CHANGE_COLUMN.to_owned(), c);
                }
                add_result(obj, finding);
                serde_json::to_writer(&mut *w, obj)?;
                w.write_all(b"\n")?;
            }
        }
        Ok(())
    }

    pub(crate) fn flush(&mut self) -> std::io::Result<()> {
        match self {
            ResultWriter::Csv(w) => w.flush(),
            ResultWriter::Jsonl(w) => w.flush(),
        }
    }
}

fn add_result(obj: &mut Map<String, Value>, f: Option<&Finding>) {
    let [n, m, s, a, l, e, h, r] = RESULT_COLUMNS else { return };
    let text = |v: Option<&String>| v.map_or(Value::Null, |s| Value::String(s.clone()));
    obj.insert((*n).to_owned(), text(f.map(|f| &f.hit_name)));
    obj.insert((*m).to_owned(), text(f.map(|f| &f.matched_name)));
    obj.insert((*s).to_owned(), f.map_or(Value::Null, |f| json!(f.score)));
    obj.insert((*a).to_owned(), Value::Bool(f.is_some_and(|f| f.alert)));
    obj.insert((*l).to_owned(), text(f.map(|f| &f.list)));
    obj.insert((*e).to_owned(), text(f.map(|f| &f.entry_id)));
    obj.insert((*h).to_owned(), text(f.map(|f| &f.entry_hash)));
    obj.insert((*r).to_owned(), text(f.map(|f| &f.review).filter(|r| !r.is_empty())));
}

/// Errors file writer: `line,kind,message,content` (CSV) or one object per line.
pub(crate) enum ErrorWriter<W: Write> {
    Csv(Box<csv::Writer<W>>),
    Jsonl(W),
}

impl<W: Write> ErrorWriter<W> {
    pub(crate) fn csv(out: W) -> std::io::Result<Self> {
        let mut w = csv::Writer::from_writer(out);
        w.write_record(["line", "kind", "message", "content"])?;
        Ok(ErrorWriter::Csv(Box::new(w)))
    }

    pub(crate) fn write(&mut self, e: &RowError) -> std::io::Result<()> {
        match self {
            ErrorWriter::Csv(w) => {
                w.write_record([&e.line.to_string(), e.kind.as_str(), &e.message, &e.content])?;
            }
            ErrorWriter::Jsonl(w) => {
                let v = json!({
                    "line": e.line,
                    "kind": e.kind.as_str(),
                    "message": e.message,
                    "content": e.content,
                });
                serde_json::to_writer(&mut *w, &v)?;
                w.write_all(b"\n")?;
            }
        }
        Ok(())
    }

    pub(crate) fn flush(&mut self) -> std::io::Result<()> {
        match self {
            ErrorWriter::Csv(w) => w.flush(),
            ErrorWriter::Jsonl(w) => w.flush(),
        }
    }
}
