//! The bundled snapshot format.
//!
//! One list is one JSON-lines file, `<list_id>.jsonl`: one [`Entry`] per line in canonical
//! `serde_json` form (struct field order, no extra whitespace), in source order, each line
//! ending in `\n`. A `manifest.json` holds the [`ListMeta`] of every list as a JSON array;
//! `ListMeta::sha256` is the SHA-256 of the `.jsonl` bytes, so a determination can name the
//! exact data it used and a damaged or hand-edited file is refused at load time.
//!
//! Loading is I/O free: [`SnapshotSet::from_parts`] takes the manifest text and a lookup from
//! file name to contents, which can be `include_str!` data or files read from a user data dir.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::model::{Entry, ListId, ListMeta, ListSnapshot};

/// Errors while reading the snapshot format.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// The manifest is not a JSON array of list metadata.
    #[error("manifest.json: {0}")]
    Manifest(#[source] serde_json::Error),
    /// A line of a list file is not a valid entry.
    #[error("{file} line {line}: invalid entry: {source}")]
    Entry {
        /// File name.
        file: String,
        /// 1-based line number.
        line: usize,
        /// Parser error (names the field).
        #[source]
        source: serde_json::Error,
    },
    /// An entry belongs to another list than the file it is in.
    #[error("{file} line {line}: field `list` is `{found}`, expected `{expected}`")]
    WrongList {
        /// File name.
        file: String,
        /// 1-based line number.
        line: usize,
        /// List id found in the entry.
        found: String,
        /// List id of the file.
        expected: String,
    },
    /// Two entries of one list share an id.
    #[error("{file} line {line}: field `id`: duplicate entry id `{id}`")]
    DuplicateId {
        /// File name.
        file: String,
        /// 1-based line number.
        line: usize,
        /// The repeated id.
        id: String,
    },
    /// The file's SHA-256 differs from the manifest.
    #[error("{file}: sha256 mismatch: manifest says {expected}, content is {actual}")]
    Checksum {
        /// File name.
        file: String,
        /// Hash in the manifest.
        expected: String,
        /// Hash of the content.
        actual: String,
    },
    /// The number of entries differs from the manifest.
    #[error("{file}: entry_count mismatch: manifest says {expected}, file has {actual}")]
    Count {
        /// File name.
        file: String,
        /// Count in the manifest.
        expected: usize,
        /// Entries in the file.
        actual: usize,
    },
    /// The manifest names a list whose file is not available.
    #[error("{file}: listed in manifest.json but not found")]
    Missing {
        /// File name.
        file: String,
    },
    /// The manifest names a list twice.
    #[error("manifest.json: list `{0}` appears twice")]
    DuplicateList(String),
}

/// File name of a list's entries in the snapshot format, `<list_id>.jsonl`.
pub fn file_name(id: &ListId) -> String {
    format!("{}.jsonl", id.as_str())
}

/// The canonical JSON-lines encoding of entries: one compact JSON object per line.
pub fn encode_jsonl(entries: &[Entry]) -> String {
    let mut out = String::new();
    for e in entries {
        // Serialising our own plain data types to a string cannot fail (no maps with
        // non-string keys, no custom serializers); skip defensively rather than panic.
        if let Ok(line) = serde_json::to_string(e) {
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: impl AsRef<[u8]>) -> String {
    hex::encode(Sha256::digest(bytes.as_ref()))
}

/// Build the metadata fields that depend on content: `sha256` and `entry_count`.
pub fn seal(mut meta: ListMeta, entries: &[Entry]) -> (ListMeta, String) {
    let text = encode_jsonl(entries);
    meta.sha256 = sha256_hex(&text);
    meta.entry_count = entries.len();
    (meta, text)
}

/// Decode one list file, verifying its SHA-256 and entry count against `meta`.
pub fn decode_jsonl(meta: ListMeta, text: &str) -> Result<ListSnapshot, SnapshotError> {
    let file = file_name(&meta.id);
    let actual = sha256_hex(text);
    if !actual.eq_ignore_ascii_case(&meta.sha256) {
        return Err(SnapshotError::Checksum { file, expected: meta.sha256.clone(), actual });
    }
    let entries = parse_lines(&file, &meta.id, text)?;
    if entries.len() != meta.entry_count {
        return Err(SnapshotError::Count {
            file,
            expected: meta.entry_count,
            actual: entries.len(),
        });
    }
    Ok(ListSnapshot { meta, entries })
}

/// Parse entries from JSON lines without a checksum (user-edited or exported files).
/// Blank lines are skipped; every entry must carry `list_id`.
pub fn parse_entries(list: &ListId, text: &str) -> Result<Vec<Entry>, SnapshotError> {
    parse_lines(&file_name(list), list, text)
}

fn parse_lines(file: &str, list: &ListId, text: &str) -> Result<Vec<Entry>, SnapshotError> {
    let mut entries = Vec::with_capacity(text.len() / 400);
    let mut ids = std::collections::HashSet::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let entry: Entry = serde_json::from_str(line).map_err(|source| SnapshotError::Entry {
            file: file.to_owned(),
            line: i + 1,
            source,
        })?;
        if entry.list != *list {
            return Err(SnapshotError::WrongList {
                file: file.to_owned(),
                line: i + 1,
                found: entry.list.0,
                expected: list.0.clone(),
            });
        }
        if !ids.insert(entry.id.clone()) {
            return Err(SnapshotError::DuplicateId {
                file: file.to_owned(),
                line: i + 1,
                id: entry.id,
            });
        }
        entries.push(entry);
    }
    Ok(entries)
}

/// Parse `manifest.json`.
pub fn decode_manifest(text: &str) -> Result<Vec<ListMeta>, SnapshotError> {
    serde_json::from_str(text).map_err(SnapshotError::Manifest)
}

/// Encode `manifest.json`: a pretty-printed JSON array, newline-terminated, in the given order.
pub fn encode_manifest(metas: &[ListMeta]) -> String {
    let mut out = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b"  ");
    let mut ser = serde_json::Serializer::with_formatter(&mut out, fmt);
    if metas.serialize(&mut ser).is_err() {
        return String::from("[]\n");
    }
    let mut s = String::from_utf8(out).unwrap_or_default();
    s.push('\n');
    s
}

/// Every list of one snapshot (the bundled data, or a user's data dir), in manifest order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SnapshotSet {
    /// The lists.
    pub lists: Vec<ListSnapshot>,
}

impl SnapshotSet {
    /// Load a set from the manifest text and a lookup from file name (`<list_id>.jsonl`) to
    /// its contents. Every list is checked against its manifest hash and count.
    pub fn from_parts<'a>(
        manifest_text: &str,
        mut file: impl FnMut(&str) -> Option<&'a str>,
    ) -> Result<Self, SnapshotError> {
        let metas = decode_manifest(manifest_text)?;
        let mut work: Vec<(ListMeta, &'a str)> = Vec::with_capacity(metas.len());
        for meta in metas {
            if work.iter().any(|(m, _)| m.id == meta.id) {
                return Err(SnapshotError::DuplicateList(meta.id.0));
            }
            let name = file_name(&meta.id);
            let text = file(&name).ok_or(SnapshotError::Missing { file: name })?;
            work.push((meta, text));
        }
        // Sequential on purpose: decoding on two threads measured slower than this on the
        // 2-core build machine (see docs/DATA.md); all lists load in well under 100 ms.
        let lists = work
            .into_iter()
            .map(|(meta, text)| decode_jsonl(meta, text))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(SnapshotSet { lists })
    }

    /// The list with this id.
    pub fn get(&self, id: &ListId) -> Option<&ListSnapshot> {
        self.lists.iter().find(|l| l.meta.id == *id)
    }

    /// Add a list, replacing one with the same id (a user override of a bundled list).
    pub fn upsert(&mut self, list: ListSnapshot) {
        match self.lists.iter_mut().find(|l| l.meta.id == list.meta.id) {
            Some(slot) => *slot = list,
            None => self.lists.push(list),
        }
    }

    /// Metadata of all lists, in order.
    pub fn metas(&self) -> impl Iterator<Item = &ListMeta> {
        self.lists.iter().map(|l| &l.meta)
    }

    /// All entries of all lists.
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.lists.iter().flat_map(|l| l.entries.iter())
    }

    /// Total number of entries.
    pub fn entry_count(&self) -> usize {
        self.lists.iter().map(|l| l.entries.len()).sum()
    }

    /// Encode the set as `(file name, contents)` pairs: the manifest first, then one
    /// `.jsonl` per list. Metadata hashes and counts are recomputed from the entries.
    pub fn encode(&self) -> Vec<(String, String)> {
        let mut files = Vec::with_capacity(self.lists.len() + 1);
        let mut metas = Vec::with_capacity(self.lists.len());
        for list in &self.lists {
            let (meta, text) = seal(list.meta.clone(), &list.entries);
            files.push((file_name(&meta.id), text));
            metas.push(meta);
        }
        files.insert(0, ("manifest.json".to_owned(), encode_manifest(&metas)));
        files
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Alias, AliasKind, ListKind};
    use jiff::civil::date;
    use std::collections::HashMap;

    fn meta(id: &str) -> ListMeta {
        ListMeta {
            id: ListId::from(id),
            kind: ListKind::EntityList,
            title: "Entity List".into(),
            authority: "BIS".into(),
            source: "test".into(),
            source_url: None,
            as_of: date(2024, 12, 5),
            sha256: String::new(),
            source_sha256: None,
            entry_count: 0,
            format: "earl-jsonl".into(),
            license: None,
            notes: vec![],
        }
    }

    fn entries(list: &str) -> Vec<Entry> {
        let mut a = Entry::new(ListId::from(list), "EL-CN-sugon", "Sugon");
        a.aliases.push(Alias { name: "Zhongke Shuguang".into(), kind: AliasKind::Aka });
        a.listed_on = Some(date(2019, 6, 24));
        a.footnotes = vec![4];
        let b = Entry::new(ListId::from(list), "EL-RU-x", "X");
        vec![a, b]
    }

    fn set_files(list: &str) -> HashMap<String, String> {
        let set =
            SnapshotSet { lists: vec![ListSnapshot { meta: meta(list), entries: entries(list) }] };
        set.encode().into_iter().collect()
    }

    #[test]
    fn round_trips_and_is_canonical() {
        let files = set_files("el");
        let back =
            SnapshotSet::from_parts(&files["manifest.json"], |n| files.get(n).map(String::as_str))
                .unwrap();
        assert_eq!(back.lists[0].entries, entries("el"));
        assert_eq!(back.lists[0].meta.entry_count, 2);
        // Re-encoding gives identical bytes.
        let again: HashMap<_, _> = back.encode().into_iter().collect();
        assert_eq!(again, files);
        insta::assert_snapshot!(files["el.jsonl"], @r#"
        {"id":"EL-CN-sugon","list":"el","name":"Sugon","aliases":[{"name":"Zhongke Shuguang"}],"listed_on":"2019-06-24","footnotes":[4]}
        {"id":"EL-RU-x","list":"el","name":"X"}
        "#);
    }

    #[test]
    fn tampering_is_detected() {
        let files = set_files("el");
        let tampered = files["el.jsonl"].replace("Sugon", "Sugan");
        let err = SnapshotSet::from_parts(&files["manifest.json"], |n| {
            if n == "el.jsonl" { Some(tampered.as_str()) } else { None }
        })
        .unwrap_err();
        assert!(err.to_string().starts_with("el.jsonl: sha256 mismatch"), "{err}");
    }

    #[test]
    fn errors_name_the_line_and_field() {
        let text =
            "{\"id\":\"a\",\"list\":\"el\",\"name\":\"A\"}\n{\"id\":\"b\",\"list\":\"el\"}\n";
        let mut m = meta("el");
        m.sha256 = sha256_hex(text);
        m.entry_count = 2;
        let err = decode_jsonl(m, text).unwrap_err().to_string();
        assert!(err.contains("line 2"), "{err}");
        assert!(err.contains("`name`"), "{err}");

        let dup = "{\"id\":\"a\",\"list\":\"el\",\"name\":\"A\"}\n{\"id\":\"a\",\"list\":\"el\",\"name\":\"B\"}\n";
        let err = parse_entries(&ListId::from("el"), dup).unwrap_err().to_string();
        assert_eq!(err, "el.jsonl line 2: field `id`: duplicate entry id `a`");

        let files = set_files("el");
        let err = SnapshotSet::from_parts(&files["manifest.json"], |_| None).unwrap_err();
        assert_eq!(err.to_string(), "el.jsonl: listed in manifest.json but not found");
    }

    #[test]
    fn count_mismatch_is_detected() {
        let files = set_files("el");
        let manifest = files["manifest.json"].replace("\"entry_count\": 2", "\"entry_count\": 3");
        let err =
            SnapshotSet::from_parts(&manifest, |n| files.get(n).map(String::as_str)).unwrap_err();
        assert_eq!(err.to_string(), "el.jsonl: entry_count mismatch: manifest says 3, file has 2");
    }
}
