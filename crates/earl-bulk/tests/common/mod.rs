//! Helpers shared by the tests and examples: the bundled list snapshot from `data/lists`.

#![allow(dead_code, reason = "each test binary uses a different part")]

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use earl_lists::SnapshotSet;

/// `data/lists` of the repository.
pub fn lists_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/lists")
}

/// Reads a snapshot directory (`manifest.json` and `<list>.jsonl` files).
pub fn load_snapshot_dir(dir: &Path) -> Result<SnapshotSet, String> {
    let manifest = std::fs::read_to_string(dir.join("manifest.json"))
        .map_err(|e| format!("{}: {e}", dir.join("manifest.json").display()))?;
    let mut files: HashMap<String, String> = HashMap::new();
    for entry in std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.extension().is_some_and(|e| e == "jsonl") {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
            let text =
                std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            files.insert(name, text);
        }
    }
    SnapshotSet::from_parts(&manifest, |n| files.get(n).map(String::as_str))
        .map_err(|e| e.to_string())
}
