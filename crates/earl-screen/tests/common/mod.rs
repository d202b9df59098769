//! Shared helpers for earl-screen tests, benches and examples: the bundled corpus, the shared
//! developer data, the labelled sets.

#![allow(dead_code, reason = "each test binary uses a subset of the helpers")]
#![allow(
    clippy::panic,
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test helpers (also used by benches and examples) fail loudly on bad local data"
)]

use std::path::PathBuf;

use earl_lists::snapshot::SnapshotSet;
use earl_screen::Screener;

/// Workspace root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The bundled list snapshots (`data/lists`).
pub fn bundled() -> SnapshotSet {
    let dir = root().join("data/lists");
    let manifest = std::fs::read_to_string(dir.join("manifest.json"))
        .unwrap_or_else(|e| panic!("data/lists/manifest.json: {e}"));
    let mut files: Vec<(String, String)> = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("dir entry").path();
        if path.extension().is_some_and(|x| x == "jsonl") {
            let name = path.file_name().expect("name").to_string_lossy().into_owned();
            files.push((name, std::fs::read_to_string(&path).expect("read list")));
        }
    }
    SnapshotSet::from_parts(&manifest, |name| {
        files.iter().find(|(n, _)| n == name).map(|(_, t)| t.as_str())
    })
    .unwrap_or_else(|e| panic!("bundled lists: {e}"))
}

/// A screener over all bundled lists.
pub fn screener() -> Screener {
    Screener::new(&bundled().lists)
}

/// `../shared/data/<rel>`, or `None` (with a note) when the developer data is absent.
pub fn shared(rel: &str) -> Option<PathBuf> {
    let p = root().join("../shared/data").join(rel);
    if p.exists() {
        Some(p)
    } else {
        eprintln!("note: {} not found, skipping", p.display());
        None
    }
}

pub mod quality;

/// `crates/earl-screen/testdata/<rel>`.
pub fn testdata(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata").join(rel)
}
pub mod workload;
