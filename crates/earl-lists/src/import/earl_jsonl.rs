//! `earl-jsonl`: earl's own snapshot format, one [`Entry`] per line (see
//! [`crate::snapshot`]), so an exported list can be imported again, possibly under another
//! list id: every entry's `list` is set to the target list. The file carries no date, so the
//! caller passes one.

use std::collections::HashSet;

use super::{Format, ImportError, ListTarget, Location, Parsed, utf8};
use crate::model::Entry;

const FORMAT: Format = Format::EarlJsonl;

/// Parse earl JSON lines.
pub fn parse(list: &ListTarget, bytes: &[u8]) -> Result<Parsed, ImportError> {
    let text = utf8(FORMAT, bytes)?;
    let mut parsed = Parsed::default();
    let mut ids = HashSet::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let at = Location::Line(i as u64 + 1);
        let mut e: Entry = serde_json::from_str(line)
            .map_err(|err| ImportError::new(FORMAT, at, None, format!("invalid entry: {err}")))?;
        if e.id.trim().is_empty() {
            return Err(ImportError::new(FORMAT, at, Some("id"), "empty id"));
        }
        if e.name.trim().is_empty() {
            return Err(ImportError::new(FORMAT, at, Some("name"), "empty name"));
        }
        if let Some(c) = &e.country
            && !crate::country::is_known_code(c)
        {
            return Err(ImportError::new(
                FORMAT,
                at,
                Some("country"),
                format!("unknown country code `{c}`"),
            ));
        }
        if !ids.insert(e.id.clone()) {
            return Err(ImportError::new(
                FORMAT,
                at,
                Some("id"),
                format!("duplicate id `{}`", e.id),
            ));
        }
        e.list = list.id.clone();
        parsed.entries.push(e);
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ListKind;
    use crate::snapshot::encode_jsonl;

    #[test]
    fn exported_entries_round_trip_under_a_new_id() {
        let mut a = Entry::new("old".into(), "EL-CN-a", "A");
        a.country = Some("CN".into());
        let text = encode_jsonl(&[a.clone()]);
        let t = ListTarget::new("mine", ListKind::EntityList, "Mine");
        let p = parse(&t, text.as_bytes()).unwrap();
        a.list = "mine".into();
        assert_eq!(p.entries, vec![a]);
    }

    #[test]
    fn malformed_lines() {
        let t = ListTarget::new("x", ListKind::Other, "X");
        let err = parse(
            &t,
            b"{\"id\":\"a\",\"list\":\"x\",\"name\":\"A\"}\n{\"id\":\"b\",\"list\":\"x\"}\n",
        )
        .unwrap_err();
        assert!(
            err.to_string().starts_with("earl-jsonl: line 2: invalid entry: missing field `name`"),
            "{err}"
        );
        let err = parse(&t, b"{\"id\":\"a\",\"list\":\"x\",\"name\":\"A\",\"country\":\"ZZ\"}\n")
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "earl-jsonl: line 1, field `country`: unknown country code `ZZ`"
        );
        let err = parse(
            &t,
            b"{\"id\":\"a\",\"list\":\"x\",\"name\":\"A\",\"listed_on\":\"2019-02-30\"}\n",
        )
        .unwrap_err();
        assert!(err.to_string().contains("line 1"), "{err}");
    }
}
