//! Helpers for tests on the real list files in `../shared/data` (developer machines only).

#![allow(dead_code, reason = "each test binary uses a subset of the helpers")]
#![allow(clippy::panic, reason = "test helpers fail loudly")]

use std::path::PathBuf;

use earl_lists::import::{Format, ListTarget, import};
use earl_lists::{Entry, ListKind, ListSnapshot};

/// `../shared/data/<rel>` relative to the workspace root.
pub fn shared_path(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data").join(rel)
}

/// Read a shared data file, or print a skip note and return `None` if it is missing.
pub fn shared(rel: &str) -> Option<Vec<u8>> {
    let path = shared_path(rel);
    match std::fs::read(&path) {
        Ok(b) => Some(b),
        Err(_) => {
            eprintln!("note: {} not found, skipping test on real data", path.display());
            None
        }
    }
}

/// Import a shared file with a throwaway target.
pub fn import_shared(format: Format, rel: &str, kind: ListKind) -> Option<ListSnapshot> {
    import_shared_with(format, rel, ListTarget::new("test_list", kind, "Test"))
}

/// Import a shared file with the given target.
pub fn import_shared_with(format: Format, rel: &str, target: ListTarget) -> Option<ListSnapshot> {
    import_shared_at(format, rel, target, None)
}

/// Import a shared file with the given target and as-of date.
pub fn import_shared_at(
    format: Format,
    rel: &str,
    target: ListTarget,
    as_of: Option<jiff::civil::Date>,
) -> Option<ListSnapshot> {
    let bytes = shared(rel)?;
    Some(import(format, &target, &bytes, as_of).unwrap_or_else(|e| panic!("{rel}: {e}")))
}

/// The entry with exactly this name.
pub fn by_name<'a>(snap: &'a ListSnapshot, name: &str) -> &'a Entry {
    snap.entries
        .iter()
        .find(|e| e.name == name)
        .unwrap_or_else(|| panic!("no entry named {name:?}"))
}

/// Alias names of an entry.
pub fn alias_names(e: &Entry) -> Vec<&str> {
    e.aliases.iter().map(|a| a.name.as_str()).collect()
}
