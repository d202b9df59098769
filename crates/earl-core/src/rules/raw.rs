//! Field access on raw TOML records with errors that name the file, record and field.

use crate::dec::Dec;
use jiff::civil::Date;
use std::collections::BTreeSet;

use super::RuleDataError;

/// One `[[table]]` record of a rule file, with the keys read so far (to reject unknown keys).
pub(crate) struct Rec<'a> {
    pub file: &'a str,
    pub label: String,
    table: &'a toml::Table,
    seen: BTreeSet<&'static str>,
}

impl<'a> Rec<'a> {
    pub fn new(file: &'a str, kind: &str, index: usize, table: &'a toml::Table) -> Self {
        let label = match table.get("id").and_then(|v| v.as_str()) {
            Some(id) => format!("[[{kind}]] `{id}`"),
            None => format!("[[{kind}]] #{}", index + 1),
        };
        Rec { file, label, table, seen: BTreeSet::new() }
    }

    pub fn err(&self, msg: impl Into<String>) -> RuleDataError {
        RuleDataError {
            file: self.file.to_owned(),
            record: self.label.clone(),
            message: msg.into(),
        }
    }

    fn get(&mut self, key: &'static str) -> Option<&'a toml::Value> {
        self.seen.insert(key);
        self.table.get(key)
    }

    pub fn str(&mut self, key: &'static str) -> Result<String, RuleDataError> {
        match self.get(key) {
            Some(toml::Value::String(s)) if !s.trim().is_empty() => Ok(s.clone()),
            Some(toml::Value::String(_)) => Err(self.err(format!("`{key}` must not be empty"))),
            Some(_) => Err(self.err(format!("`{key}` must be a string"))),
            None => Err(self.err(format!("missing `{key}`"))),
        }
    }

    pub fn opt_str(&mut self, key: &'static str) -> Result<Option<String>, RuleDataError> {
        match self.get(key) {
            None => Ok(None),
            Some(toml::Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(self.err(format!("`{key}` must be a string"))),
        }
    }

    pub fn date(&mut self, key: &'static str) -> Result<Date, RuleDataError> {
        match self.opt_date(key)? {
            Some(d) => Ok(d),
            None => Err(self.err(format!("missing `{key}`"))),
        }
    }

    pub fn opt_date(&mut self, key: &'static str) -> Result<Option<Date>, RuleDataError> {
        let text = match self.get(key) {
            None => return Ok(None),
            Some(toml::Value::Datetime(dt)) => dt.to_string(),
            Some(toml::Value::String(s)) => s.clone(),
            Some(_) => return Err(self.err(format!("`{key}` must be a date (YYYY-MM-DD)"))),
        };
        if text.len() != 10 {
            return Err(self.err(format!("`{key}` = `{text}` is not a date (YYYY-MM-DD)")));
        }
        text.parse::<Date>()
            .map(Some)
            .map_err(|e| self.err(format!("`{key}` = `{text}` is not a valid date: {e}")))
    }

    pub fn dec(&mut self, key: &'static str) -> Result<Dec, RuleDataError> {
        match self.opt_dec(key)? {
            Some(d) => Ok(d),
            None => Err(self.err(format!("missing `{key}`"))),
        }
    }

    pub fn opt_dec(&mut self, key: &'static str) -> Result<Option<Dec>, RuleDataError> {
        let v = match self.get(key) {
            None => return Ok(None),
            Some(toml::Value::Integer(i)) => Dec::from_int(*i),
            Some(toml::Value::Float(f)) => Dec::from_f64(*f)
                .ok_or_else(|| self.err(format!("`{key}` is not a finite number")))?,
            Some(_) => return Err(self.err(format!("`{key}` must be a number"))),
        };
        if v.is_negative() {
            return Err(self.err(format!("`{key}` must not be negative")));
        }
        Ok(Some(v))
    }

    pub fn int(&mut self, key: &'static str) -> Result<i64, RuleDataError> {
        match self.opt_int(key)? {
            Some(i) => Ok(i),
            None => Err(self.err(format!("missing `{key}`"))),
        }
    }

    pub fn opt_int(&mut self, key: &'static str) -> Result<Option<i64>, RuleDataError> {
        match self.get(key) {
            None => Ok(None),
            Some(toml::Value::Integer(i)) => Ok(Some(*i)),
            Some(_) => Err(self.err(format!("`{key}` must be an integer"))),
        }
    }

    pub fn opt_bool(&mut self, key: &'static str) -> Result<Option<bool>, RuleDataError> {
        match self.get(key) {
            None => Ok(None),
            Some(toml::Value::Boolean(b)) => Ok(Some(*b)),
            Some(_) => Err(self.err(format!("`{key}` must be true or false"))),
        }
    }

    pub fn str_list(&mut self, key: &'static str) -> Result<Vec<String>, RuleDataError> {
        match self.get(key) {
            None => Ok(Vec::new()),
            Some(toml::Value::Array(a)) => a
                .iter()
                .map(|v| {
                    v.as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| self.err(format!("`{key}` must be a list of strings")))
                })
                .collect(),
            Some(_) => Err(self.err(format!("`{key}` must be a list of strings"))),
        }
    }

    /// Reject keys that were never read: they are typos or fields earl does not know.
    pub fn finish(self) -> Result<(), RuleDataError> {
        for key in self.table.keys() {
            if !self.seen.contains(key.as_str()) {
                return Err(self.err(format!("unknown field `{key}`")));
            }
        }
        Ok(())
    }
}

/// The `[[kind]]` array of tables in a file (empty when absent).
pub(crate) fn records<'a>(
    file: &str,
    doc: &'a toml::Table,
    kind: &str,
) -> Result<Vec<&'a toml::Table>, RuleDataError> {
    match doc.get(kind) {
        None => Ok(Vec::new()),
        Some(toml::Value::Array(a)) => a
            .iter()
            .enumerate()
            .map(|(i, v)| {
                v.as_table().ok_or_else(|| RuleDataError {
                    file: file.to_owned(),
                    record: format!("[[{kind}]] #{}", i + 1),
                    message: "must be a table".into(),
                })
            })
            .collect(),
        Some(_) => Err(RuleDataError {
            file: file.to_owned(),
            record: kind.to_owned(),
            message: format!("`{kind}` must be an array of tables ([[{kind}]])"),
        }),
    }
}
