//! Replaying a recorded decision: recompute it with the list snapshots it used (found by
//! content hash in the bundled data, the user's imports or the archive) and show every
//! difference from the recorded answer.

use std::fmt::Write as _;

use earl_lists::{ListId, ListSnapshot, SnapshotSet};
use serde::Serialize;
use serde_json::Value;

use crate::{DataDir, Engine, EngineError, ScreenRequest, data};

/// What the audit log holds about a decision.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// `check`, `screen`, ...
    pub kind: String,
    /// The request.
    pub input: Value,
    /// The answer given at the time.
    pub output: Value,
    /// Rule-data version used.
    pub rules_version: String,
    /// Lists used: (list id, sha256).
    pub lists: Vec<(String, String)>,
}

/// Where a list snapshot of the record was found.
#[derive(Debug, Clone, Serialize)]
pub struct ListFound {
    /// List id.
    pub list: String,
    /// SHA-256 recorded.
    pub sha256: String,
    /// `bundled`, `imported`, `archive` or `missing`.
    pub found: &'static str,
}

/// One differing value.
#[derive(Debug, Clone, Serialize)]
pub struct Difference {
    /// JSON path, e.g. `reasons[2].explanation`.
    pub path: String,
    /// Value recorded at the time (absent = `null`).
    pub recorded: Value,
    /// Value recomputed now.
    pub replayed: Value,
}

/// Outcome of a replay.
#[derive(Debug, Clone, Serialize)]
pub struct ReplayReport {
    /// Kind of decision.
    pub kind: String,
    /// The recomputed answer equals the recorded one.
    pub identical: bool,
    /// Every recorded list snapshot was found and the rule data version is the same, so the
    /// replay used exactly the data of the original decision.
    pub faithful: bool,
    /// Rule-data version recorded.
    pub rules_version_recorded: String,
    /// Rule-data version of this binary.
    pub rules_version_now: String,
    /// Where each list came from.
    pub lists: Vec<ListFound>,
    /// Differences between recorded and recomputed answers.
    pub differences: Vec<Difference>,
}

impl ReplayReport {
    /// Human-readable report.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "Replay of a `{}` decision: {}",
            self.kind,
            if self.identical { "IDENTICAL to the recorded answer" } else { "DIFFERENT" }
        );
        let _ = writeln!(
            s,
            "rules: recorded {} / now {}{}",
            self.rules_version_recorded,
            self.rules_version_now,
            if self.rules_version_recorded == self.rules_version_now {
                ""
            } else {
                "  (rule data changed since; this binary can only apply its own rules)"
            }
        );
        for l in &self.lists {
            let _ = writeln!(s, "list {} {}: {}", l.list, short(&l.sha256), l.found);
        }
        if !self.faithful {
            let _ = writeln!(s, "NOTE: not all recorded data was available; see above.");
        }
        for d in &self.differences {
            let _ = writeln!(
                s,
                "  {}:\n    recorded: {}\n    replayed: {}",
                d.path, d.recorded, d.replayed
            );
        }
        s
    }
}

fn short(sha: &str) -> &str {
    sha.get(..12).unwrap_or(sha)
}

/// Recompute `rec` with the data it used.
pub fn replay(data_dir: &DataDir, rec: &Recorded) -> Result<ReplayReport, EngineError> {
    let bundled =
        data::bundled_lists().map_err(|e| EngineError::Data(format!("bundled list data: {e}")))?;
    let imported = data_dir.overrides()?.unwrap_or_default();
    let mut set = SnapshotSet::default();
    let mut found = Vec::with_capacity(rec.lists.len());
    for (list, sha) in &rec.lists {
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
    let engine = Engine::with_lists(set, data_dir.clone())?;
    let replayed = match rec.kind.as_str() {
        "check" => {
            let text = rec.input.to_string();
            engine
                .check_json(&text)
                .map(|d| d.to_json())
                .map_err(|e| EngineError::Data(format!("recorded input no longer parses: {e}")))?
        }
        "screen" => {
            let req: ScreenRequest = serde_json::from_value(rec.input.clone())
                .map_err(|e| EngineError::Data(format!("recorded screening request: {e}")))?;
            let resp = engine
                .screen(&req)
                .map_err(|e| EngineError::Data(format!("recorded screening request: {e}")))?;
            serde_json::to_value(&resp)
                .map_err(|e| EngineError::Data(format!("encoding screening result: {e}")))?
        }
        other => {
            return Err(EngineError::Data(format!(
                "records of kind `{other}` cannot be replayed (only `check` and `screen`)"
            )));
        }
    };
    let mut differences = Vec::new();
    diff_values("", &rec.output, &replayed, &mut differences);
    let rules_now = engine.data_versions().rules_version.clone();
    let faithful = rules_now == rec.rules_version && found.iter().all(|l| l.found != "missing");
    Ok(ReplayReport {
        kind: rec.kind.clone(),
        identical: differences.is_empty(),
        faithful,
        rules_version_recorded: rec.rules_version.clone(),
        rules_version_now: rules_now,
        lists: found,
        differences,
    })
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
