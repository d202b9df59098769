//! Support for replaying recorded decisions: finding the list snapshots a decision used (by
//! content hash, in the bundled data, the user's imports or the archive) and comparing a
//! recomputed answer with the recorded one. `earl_server::audit::replay_record` uses both.

use earl_lists::{ListId, ListSnapshot, SnapshotSet};
use serde::Serialize;
use serde_json::Value;

use crate::{DataDir, EngineError, data};

/// Where a list snapshot of a recorded decision was found.
#[derive(Debug, Clone, Serialize)]
pub struct ListFound {
    /// List id.
    pub list: String,
    /// SHA-256 recorded.
    pub sha256: String,
    /// `bundled`, `imported`, `archive` or `missing`.
    pub found: &'static str,
}

/// One differing value between a recorded and a recomputed answer.
#[derive(Debug, Clone, Serialize)]
pub struct Difference {
    /// JSON path, e.g. `reasons[2].explanation`.
    pub path: String,
    /// Value recorded at the time (absent = `null`).
    pub recorded: Value,
    /// Value recomputed now.
    pub replayed: Value,
}

/// The list snapshots a decision used, found by content hash in the bundled data, the user's
/// imports or the snapshot archive. Lists that cannot be found are reported as `missing` and
/// left out, so the caller can say the replay is not faithful.
pub fn recorded_lists(
    data_dir: &DataDir,
    lists: &[(String, String)],
) -> Result<(SnapshotSet, Vec<ListFound>), EngineError> {
    let bundled =
        data::bundled_lists().map_err(|e| EngineError::Data(format!("bundled list data: {e}")))?;
    let imported = data_dir.overrides()?.unwrap_or_default();
    let mut set = SnapshotSet::default();
    let mut found = Vec::with_capacity(lists.len());
    for (list, sha) in lists {
        let pick = |s: &SnapshotSet| -> Option<ListSnapshot> {
            s.get(&ListId(list.clone())).filter(|l| l.meta.sha256 == *sha).cloned()
        };
        let (snapshot, origin) = if let Some(l) = pick(&bundled) {
            (Some(l), "bundled")
        } else if let Some(l) = pick(&imported) {
            (Some(l), "imported")
        } else if let Some(l) = data_dir.archived(sha)? {
            (Some(l), "archive")
        } else {
            (None, "missing")
        };
        if let Some(l) = snapshot {
            set.upsert(l);
        }
        found.push(ListFound { list: list.clone(), sha256: sha.clone(), found: origin });
    }
    Ok((set, found))
}

/// Collect leaf differences between two JSON values.
pub fn diff_values(path: &str, a: &Value, b: &Value, out: &mut Vec<Difference>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                let p = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                diff_values(
                    &p,
                    x.get(k).unwrap_or(&Value::Null),
                    y.get(k).unwrap_or(&Value::Null),
                    out,
                );
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            for i in 0..x.len().max(y.len()) {
                diff_values(
                    &format!("{path}[{i}]"),
                    x.get(i).unwrap_or(&Value::Null),
                    y.get(i).unwrap_or(&Value::Null),
                    out,
                );
            }
        }
        _ if a == b => {}
        _ => {
            out.push(Difference { path: path.to_owned(), recorded: a.clone(), replayed: b.clone() })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn diff_names_leaf_paths() {
        let a = json!({"verdict": "license_required", "reasons": [{"rule": "a"}, {"rule": "b"}]});
        let b = json!({"verdict": "no_license_required", "reasons": [{"rule": "a"}]});
        let mut d = Vec::new();
        diff_values("", &a, &b, &mut d);
        let paths: Vec<&str> = d.iter().map(|x| x.path.as_str()).collect();
        assert_eq!(paths, ["reasons[1]", "verdict"]);
    }

    #[test]
    fn identical_values_have_no_difference() {
        let a = json!({"x": [1, 2, {"y": null}]});
        let mut d = Vec::new();
        diff_values("", &a, &a.clone(), &mut d);
        assert!(d.is_empty());
    }
}
