//! Text rendering of list diffs for `earl lists diff OLD NEW`.

use std::fmt::Write as _;

use earl_lists::diff::{FieldChange, ListDiff};
use earl_lists::{Entry, ListId};
use serde_json::Value;

fn entry_line(e: &Entry) -> String {
    let mut s = format!("{}  {}", e.id, e.name);
    if let Some(c) = &e.country {
        let _ = write!(s, " ({c})");
    }
    if let Some(d) = e.listed_on {
        let _ = write!(s, ", listed {d}");
    }
    if let Some(fr) = e.federal_register.last() {
        let _ = write!(s, ", {}", fr.cite);
    }
    s
}

/// One element of a list-valued field, readably: strings quoted, aliases and citations by
/// their text, anything else as compact JSON.
fn element(v: &Value) -> String {
    match v {
        Value::String(s) => format!("{s:?}"),
        Value::Object(m) => {
            let main = m.get("name").or_else(|| m.get("cite")).or_else(|| m.get("value"));
            match main.and_then(Value::as_str) {
                Some(text) => {
                    let extra: Vec<String> = m
                        .iter()
                        .filter(|(k, _)| !matches!(k.as_str(), "name" | "cite" | "value"))
                        .map(|(k, v)| match v {
                            Value::String(s) => format!("{k} {s}"),
                            other => format!("{k} {other}"),
                        })
                        .collect();
                    if extra.is_empty() {
                        format!("{text:?}")
                    } else {
                        format!("{text:?} ({})", extra.join(", "))
                    }
                }
                None => v.to_string(),
            }
        }
        other => other.to_string(),
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::Null => "(none)".to_owned(),
        Value::String(s) => format!("{s:?}"),
        other => other.to_string(),
    }
}

fn field_lines(f: &FieldChange, out: &mut String) {
    match (&f.before, &f.after) {
        (Value::Array(_) | Value::Null, Value::Array(_) | Value::Null)
            if f.before.is_array() || f.after.is_array() =>
        {
            let empty = Vec::new();
            let old = f.before.as_array().unwrap_or(&empty);
            let new = f.after.as_array().unwrap_or(&empty);
            let added: Vec<&Value> = new.iter().filter(|v| !old.contains(v)).collect();
            let removed: Vec<&Value> = old.iter().filter(|v| !new.contains(v)).collect();
            if added.is_empty() && removed.is_empty() {
                let _ = writeln!(out, "      {}: reordered", f.field);
                return;
            }
            let _ = writeln!(out, "      {}:", f.field);
            for v in removed {
                let _ = writeln!(out, "        - {}", element(v));
            }
            for v in added {
                let _ = writeln!(out, "        + {}", element(v));
            }
        }
        (before, after) => {
            let _ = writeln!(out, "      {}: {} -> {}", f.field, scalar(before), scalar(after));
        }
    }
}

/// Renders diffs as text: per list a count line, then `+` added, `-` removed and `~` changed
/// entries, each change with its fields (scalars as `old -> new`, list fields such as
/// aliases, addresses and footnotes as removed and added elements). Lists without changes
/// get one line saying so.
pub fn render_diff_text(diffs: &[(ListId, ListDiff)]) -> String {
    let mut out = String::new();
    for (list, d) in diffs {
        if d.is_empty() {
            let _ = writeln!(out, "{list}: no changes");
            continue;
        }
        let _ = writeln!(out, "{list}: {}", d.summary());
        for e in &d.added {
            let _ = writeln!(out, "  + {}", entry_line(e));
        }
        for e in &d.removed {
            let _ = writeln!(out, "  - {}", entry_line(e));
        }
        for c in &d.changed {
            let renamed =
                if c.old.id == c.id { String::new() } else { format!(" (was {})", c.old.id) };
            let _ = writeln!(out, "  ~ {}{renamed}", entry_line(&c.new));
            for f in c.fields.iter().filter(|f| f.field != "id") {
                field_lines(f, &mut out);
            }
        }
    }
    out
}
