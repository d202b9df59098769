//! Where list data comes from: the snapshot bundled in the binary, the user's data directory
//! (lists imported with `earl lists import`, which override bundled lists of the same id), and
//! an archive of every snapshot earl has used, kept by content hash so that old decisions can
//! be replayed and `rescreen --since` can name an earlier snapshot.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use earl_lists::snapshot::{self, SnapshotError};
use earl_lists::{ListId, ListMeta, ListSnapshot, SnapshotSet};

use crate::EngineError;

include!(concat!(env!("OUT_DIR"), "/bundled_lists.rs"));

/// The list snapshot compiled into this binary.
pub fn bundled_lists() -> Result<SnapshotSet, SnapshotError> {
    let manifest = bundled_file("manifest.json")
        .ok_or_else(|| SnapshotError::Missing { file: "manifest.json".to_owned() })?;
    SnapshotSet::from_parts(manifest, bundled_file)
}

fn bundled_file(name: &str) -> Option<&'static str> {
    BUNDLED_LIST_FILES.iter().find(|(n, _)| *n == name).map(|(_, text)| *text)
}

/// A directory holding user data: imported list overrides and the snapshot archive.
#[derive(Debug, Clone)]
pub struct DataDir {
    root: PathBuf,
}

impl DataDir {
    /// Use `root` as the data directory (created on first write).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        DataDir { root: root.into() }
    }

    /// The data directory to use: `explicit` (the `--data-dir` flag), else `$EARL_DATA_DIR`,
    /// else `$XDG_DATA_HOME/earl`, else `$HOME/.local/share/earl`, else `./.earl-data`.
    pub fn resolve(explicit: Option<&Path>) -> Self {
        if let Some(p) = explicit {
            return DataDir::new(p);
        }
        let env = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
        if let Some(p) = env("EARL_DATA_DIR") {
            return DataDir::new(p);
        }
        if let Some(p) = env("XDG_DATA_HOME") {
            return DataDir::new(p.join("earl"));
        }
        if let Some(p) = env("HOME") {
            return DataDir::new(p.join(".local/share/earl"));
        }
        DataDir::new(".earl-data")
    }

    /// The directory itself.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn lists_dir(&self) -> PathBuf {
        self.root.join("lists")
    }

    fn archive_dir(&self) -> PathBuf {
        self.root.join("archive")
    }

    /// Lists the user imported, if any. A damaged override is an error, not silently skipped:
    /// screening against data other than what the user installed would be a wrong answer.
    pub fn overrides(&self) -> Result<Option<SnapshotSet>, EngineError> {
        let dir = self.lists_dir();
        let manifest_path = dir.join("manifest.json");
        if !manifest_path.exists() {
            return Ok(None);
        }
        read_snapshot_dir(&dir).map(Some)
    }

    /// Install `list` as an override for later runs (replacing an earlier import of the same
    /// list) and archive it. Files are written to a temporary name and renamed, so a crash
    /// leaves either the old or the new data, never a mix.
    pub fn install(&self, list: &ListSnapshot) -> Result<(), EngineError> {
        let dir = self.lists_dir();
        fs::create_dir_all(&dir).map_err(|e| EngineError::io(&dir, e))?;
        let mut set = self.overrides()?.unwrap_or_default();
        set.upsert(list.clone());
        write_set(&dir, &set)?;
        self.archive(list)
    }

    /// Remove the override of list `id`; later runs use the bundled list again.
    pub fn remove(&self, id: &ListId) -> Result<bool, EngineError> {
        let Some(mut set) = self.overrides()? else { return Ok(false) };
        let before = set.lists.len();
        set.lists.retain(|l| l.meta.id != *id);
        if set.lists.len() == before {
            return Ok(false);
        }
        let dir = self.lists_dir();
        write_set(&dir, &set)?;
        let stale = dir.join(snapshot::file_name(id));
        if stale.exists() {
            fs::remove_file(&stale).map_err(|e| EngineError::io(&stale, e))?;
        }
        Ok(true)
    }

    /// Keep a copy of `list` under its content hash (no-op when already archived).
    pub fn archive(&self, list: &ListSnapshot) -> Result<(), EngineError> {
        let dir = self.archive_dir();
        fs::create_dir_all(&dir).map_err(|e| EngineError::io(&dir, e))?;
        let (meta, text) = snapshot::seal(list.meta.clone(), &list.entries);
        let data = dir.join(format!("{}.jsonl", meta.sha256));
        if data.exists() {
            return Ok(());
        }
        let meta_json = serde_json::to_string_pretty(&meta)
            .map_err(|e| EngineError::Data(format!("cannot encode list metadata: {e}")))?;
        atomic_write(&dir.join(format!("{}.meta.json", meta.sha256)), meta_json.as_bytes())?;
        atomic_write(&data, text.as_bytes())
    }

    /// A list snapshot by content hash, from the archive.
    pub fn archived(&self, sha256: &str) -> Result<Option<ListSnapshot>, EngineError> {
        if !sha256.bytes().all(|b| b.is_ascii_hexdigit()) || sha256.len() != 64 {
            return Ok(None);
        }
        let dir = self.archive_dir();
        let meta_path = dir.join(format!("{sha256}.meta.json"));
        if !meta_path.exists() {
            return Ok(None);
        }
        let meta_text = read(&meta_path)?;
        let meta: ListMeta = serde_json::from_str(&meta_text)
            .map_err(|e| EngineError::Data(format!("{}: {e}", meta_path.display())))?;
        let data_path = dir.join(format!("{sha256}.jsonl"));
        let text = read(&data_path)?;
        snapshot::decode_jsonl(meta, &text)
            .map(Some)
            .map_err(|e| EngineError::Data(format!("{}: {e}", data_path.display())))
    }
}

/// Read a snapshot directory (`manifest.json` + `<list>.jsonl` files), as written by
/// `earl lists export` or found in `data/lists`.
pub fn read_snapshot_dir(dir: &Path) -> Result<SnapshotSet, EngineError> {
    let manifest = read(&dir.join("manifest.json"))?;
    let metas = snapshot::decode_manifest(&manifest)
        .map_err(|e| EngineError::Data(format!("{}: {e}", dir.display())))?;
    let mut files = Vec::with_capacity(metas.len());
    for meta in &metas {
        let name = snapshot::file_name(&meta.id);
        files.push((name.clone(), read(&dir.join(&name))?));
    }
    SnapshotSet::from_parts(&manifest, |name| {
        files.iter().find(|(n, _)| n == name).map(|(_, t)| t.as_str())
    })
    .map_err(|e| EngineError::Data(format!("{}: {e}", dir.display())))
}

/// Write `set` as a snapshot directory (manifest last, so a reader never sees a manifest
/// naming files that are not yet written).
pub fn write_set(dir: &Path, set: &SnapshotSet) -> Result<(), EngineError> {
    fs::create_dir_all(dir).map_err(|e| EngineError::io(dir, e))?;
    let files = set.encode();
    let mut manifest = None;
    for (name, text) in files {
        if name == "manifest.json" {
            manifest = Some(text);
        } else {
            atomic_write(&dir.join(name), text.as_bytes())?;
        }
    }
    if let Some(m) = manifest {
        atomic_write(&dir.join("manifest.json"), m.as_bytes())?;
    }
    Ok(())
}

fn read(path: &Path) -> Result<String, EngineError> {
    fs::read_to_string(path).map_err(|e| EngineError::io(path, e))
}

fn atomic_write(path: &Path, bytes: &[u8]) -> Result<(), EngineError> {
    let tmp = path.with_extension("tmp");
    let mut f = fs::File::create(&tmp).map_err(|e| EngineError::io(&tmp, e))?;
    f.write_all(bytes).map_err(|e| EngineError::io(&tmp, e))?;
    f.sync_all().map_err(|e| EngineError::io(&tmp, e))?;
    fs::rename(&tmp, path).map_err(|e| EngineError::io(path, e))
}
