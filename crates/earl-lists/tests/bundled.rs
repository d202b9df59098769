//! The committed snapshot in `data/lists` loads, verifies and holds what DATA.md promises.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail loudly"
)]

use std::collections::HashMap;
use std::path::PathBuf;

use earl_lists::{ListId, ListKind, SnapshotSet};

fn load() -> SnapshotSet {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/lists");
    let manifest = std::fs::read_to_string(dir.join("manifest.json")).unwrap();
    let mut files = HashMap::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "jsonl") {
            let name = path.file_name().unwrap().to_str().unwrap().to_owned();
            files.insert(name, std::fs::read_to_string(&path).unwrap());
        }
    }
    SnapshotSet::from_parts(&manifest, |n| files.get(n).map(String::as_str)).unwrap()
}

#[test]
fn bundled_lists_load_and_verify() {
    let set = load();
    let el = set.get(&ListId::from("us_bis_entity_list")).unwrap();
    assert_eq!(el.meta.kind, ListKind::EntityList);
    assert_eq!(el.entries.len(), 3409);
    assert!(el.meta.source.contains("02787e87e65d9452d34e1413859cbea1b0a94b00"));
    assert!(el.meta.license.is_some());
    for list in &set.lists {
        assert!(!list.entries.is_empty(), "{}", list.meta.id);
        assert!(list.meta.source_sha256.is_some(), "{}", list.meta.id);
        assert!(!list.meta.source.is_empty(), "{}", list.meta.id);
        assert!(list.meta.license.is_some(), "{}", list.meta.id);
        for e in &list.entries {
            assert_eq!(e.list, list.meta.id);
            if let Some(c) = &e.country {
                assert!(earl_lists::country::is_known_code(c), "{}: {c}", e.id);
            }
        }
    }
}
