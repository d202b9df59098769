//! Differences between two snapshots of a list, for `earl lists diff OLD NEW` and for
//! re-screening only what changed.
//!
//! Matching rule, in order (each step only looks at entries not matched yet):
//! 1. same `id`;
//! 2. same normalised name (letters and digits, lower case, legal forms shortened:
//!    "Limited" = "Ltd.") and country: catches lists whose ids are not stable;
//! 3. same country, and the normalised name of one is an alias of the other: a renamed
//!    entry (BIS keeps the old name as an alias);
//! 4. same country, same first Federal Register citation and at least one common address: a
//!    renamed entry whose old name was dropped.
//!
//! Matched pairs whose content differs are `changed`, listing every differing field; the
//! rest are `added` or `removed`.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;
use serde_json::Value;

use crate::model::{Entry, ListId, ListSnapshot};
use crate::snapshot::SnapshotSet;

/// One field that differs between two versions of an entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldChange {
    /// Field name as in the snapshot JSON (`name`, `aliases`, `footnotes`, ...).
    pub field: String,
    /// Old value (`null` when absent).
    pub before: Value,
    /// New value (`null` when absent).
    pub after: Value,
}

/// An entry present in both snapshots with different content.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntryChange {
    /// Id in the new snapshot.
    pub id: String,
    /// The old version.
    pub old: Entry,
    /// The new version.
    pub new: Entry,
    /// The fields that differ, in snapshot field order.
    pub fields: Vec<FieldChange>,
}

/// What changed in one list between two snapshots.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct ListDiff {
    /// Entries only in the new snapshot.
    pub added: Vec<Entry>,
    /// Entries only in the old snapshot.
    pub removed: Vec<Entry>,
    /// Entries in both, with differences.
    pub changed: Vec<EntryChange>,
}

impl ListDiff {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }

    /// One line: counts of added, removed and changed entries, and changed fields.
    pub fn summary(&self) -> String {
        let mut fields: BTreeMap<&str, usize> = BTreeMap::new();
        for c in &self.changed {
            for f in &c.fields {
                *fields.entry(f.field.as_str()).or_default() += 1;
            }
        }
        let mut s = format!(
            "{} added, {} removed, {} changed",
            self.added.len(),
            self.removed.len(),
            self.changed.len()
        );
        if !fields.is_empty() {
            let parts: Vec<String> = fields.iter().map(|(f, n)| format!("{f} {n}")).collect();
            s.push_str(&format!(" ({})", parts.join(", ")));
        }
        s
    }

    /// Ids (in the new snapshot) of entries that were added or changed.
    pub fn touched_ids(&self) -> impl Iterator<Item = &str> {
        self.added.iter().map(|e| e.id.as_str()).chain(self.changed.iter().map(|c| c.id.as_str()))
    }
}

/// Lower-case letters and digits only, with common legal forms shortened, so "AOOK
/// Technology Limited" and "AOOK Technology Ltd." compare equal.
fn norm(s: &str) -> String {
    let lower = s.to_lowercase();
    lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| match w {
            "limited" => "ltd",
            "company" => "co",
            "corporation" => "corp",
            "incorporated" => "inc",
            other => other,
        })
        .collect()
}

/// The name-and-country key used when ids do not match.
pub fn match_key(e: &Entry) -> (String, Option<String>) {
    (norm(&e.name), e.country.clone())
}

fn renamed(a: &Entry, b: &Entry) -> bool {
    if a.country != b.country {
        return false;
    }
    let (na, nb) = (norm(&a.name), norm(&b.name));
    if b.aliases.iter().any(|x| norm(&x.name) == na)
        || a.aliases.iter().any(|x| norm(&x.name) == nb)
    {
        return true;
    }
    let same_cite = match (a.federal_register.first(), b.federal_register.first()) {
        (Some(x), Some(y)) => x.cite == y.cite,
        _ => false,
    };
    same_cite && a.addresses.iter().any(|x| b.addresses.contains(x))
}

fn fields(e: &Entry) -> serde_json::Map<String, Value> {
    match serde_json::to_value(e) {
        Ok(Value::Object(m)) => m,
        _ => serde_json::Map::new(),
    }
}

/// Position of the entry in `entries` that `candidate` is another version of, by the
/// module's matching rule (id, then name and country, then rename).
pub fn find_match(entries: &[Entry], candidate: &Entry) -> Option<usize> {
    entries
        .iter()
        .position(|e| e.id == candidate.id)
        .or_else(|| {
            let key = match_key(candidate);
            entries.iter().position(|e| match_key(e) == key)
        })
        .or_else(|| entries.iter().position(|e| renamed(e, candidate)))
}

/// Field order of the snapshot JSON (`list` is the same by construction and not compared).
const FIELDS: &[&str] = &[
    "id",
    "entity_type",
    "name",
    "aliases",
    "country",
    "addresses",
    "programs",
    "listed_on",
    "delisted_on",
    "federal_register",
    "license_requirement",
    "license_policy",
    "footnotes",
    "related",
    "identifiers",
    "dates_of_birth",
    "nationalities",
    "remarks",
    "source_url",
];

fn compare(old: &Entry, new: &Entry) -> Vec<FieldChange> {
    let (a, b) = (fields(old), fields(new));
    FIELDS
        .iter()
        .filter_map(|f| {
            let before = a.get(*f).cloned().unwrap_or(Value::Null);
            let after = b.get(*f).cloned().unwrap_or(Value::Null);
            (before != after).then(|| FieldChange { field: (*f).to_owned(), before, after })
        })
        .collect()
}

/// Compare two snapshots of one list.
pub fn diff(old: &ListSnapshot, new: &ListSnapshot) -> ListDiff {
    diff_entries(&old.entries, &new.entries)
}

/// Compare two entry lists (see the module docs for the matching rule).
pub fn diff_entries(old: &[Entry], new: &[Entry]) -> ListDiff {
    let mut pair_of_new: Vec<Option<usize>> = vec![None; new.len()];
    let mut old_taken = vec![false; old.len()];

    // 1. by id
    let by_id: HashMap<&str, usize> =
        old.iter().enumerate().map(|(i, e)| (e.id.as_str(), i)).collect();
    for (j, e) in new.iter().enumerate() {
        if let Some(&i) = by_id.get(e.id.as_str())
            && let Some(t) = old_taken.get_mut(i)
            && !*t
        {
            *t = true;
            if let Some(p) = pair_of_new.get_mut(j) {
                *p = Some(i);
            }
        }
    }
    // 2. by normalised name and country, in order
    let mut by_key: HashMap<(String, Option<String>), Vec<usize>> = HashMap::new();
    for (i, e) in old.iter().enumerate() {
        if !old_taken.get(i).copied().unwrap_or(true) {
            by_key.entry(match_key(e)).or_default().push(i);
        }
    }
    for (j, e) in new.iter().enumerate() {
        if pair_of_new.get(j).copied().flatten().is_some() {
            continue;
        }
        if let Some(list) = by_key.get_mut(&match_key(e))
            && !list.is_empty()
        {
            let i = list.remove(0);
            if let Some(t) = old_taken.get_mut(i) {
                *t = true;
            }
            if let Some(p) = pair_of_new.get_mut(j) {
                *p = Some(i);
            }
        }
    }
    // 3 and 4. renames (quadratic over the few leftovers only)
    for (j, e) in new.iter().enumerate() {
        if pair_of_new.get(j).copied().flatten().is_some() {
            continue;
        }
        let found = old
            .iter()
            .enumerate()
            .find(|(i, o)| !old_taken.get(*i).copied().unwrap_or(true) && renamed(o, e))
            .map(|(i, _)| i);
        if let Some(i) = found {
            if let Some(t) = old_taken.get_mut(i) {
                *t = true;
            }
            if let Some(p) = pair_of_new.get_mut(j) {
                *p = Some(i);
            }
        }
    }

    let mut out = ListDiff::default();
    for (j, e) in new.iter().enumerate() {
        match pair_of_new.get(j).copied().flatten().and_then(|i| old.get(i)) {
            None => out.added.push(e.clone()),
            Some(o) => {
                let fields = compare(o, e);
                if !fields.is_empty() {
                    out.changed.push(EntryChange {
                        id: e.id.clone(),
                        old: o.clone(),
                        new: e.clone(),
                        fields,
                    });
                }
            }
        }
    }
    for (i, o) in old.iter().enumerate() {
        if !old_taken.get(i).copied().unwrap_or(false) {
            out.removed.push(o.clone());
        }
    }
    out
}

/// Diff every list of two snapshot sets: lists in the new set in its order, then lists only
/// in the old set (all their entries removed). Lists without changes are included with an
/// empty diff so the caller sees every list was compared.
pub fn diff_sets(old: &SnapshotSet, new: &SnapshotSet) -> Vec<(ListId, ListDiff)> {
    let mut out = Vec::new();
    for n in &new.lists {
        let d = match old.get(&n.meta.id) {
            Some(o) => diff(o, n),
            None => ListDiff { added: n.entries.clone(), ..ListDiff::default() },
        };
        out.push((n.meta.id.clone(), d));
    }
    for o in &old.lists {
        if new.get(&o.meta.id).is_none() {
            out.push((
                o.meta.id.clone(),
                ListDiff { removed: o.entries.clone(), ..ListDiff::default() },
            ));
        }
    }
    out
}

/// The (list, entry id) pairs a re-screening has to look at: entries added or changed.
pub fn rescreen_targets(diffs: &[(ListId, ListDiff)]) -> BTreeSet<(ListId, String)> {
    diffs
        .iter()
        .flat_map(|(list, d)| d.touched_ids().map(move |id| (list.clone(), id.to_owned())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Alias, AliasKind, FrCitation};

    fn e(id: &str, name: &str) -> Entry {
        let mut e = Entry::new(ListId::from("el"), id, name);
        e.country = Some("CN".into());
        e
    }

    #[test]
    fn unstable_ids_fall_back_to_name_and_country() {
        let old = vec![e("1", "Foo Co., Ltd."), e("2", "Bar")];
        let mut moved = e("99", "FOO CO LTD");
        moved.addresses.push("new address".into());
        let new = vec![moved, e("2", "Bar")];
        let d = diff_entries(&old, &new);
        assert!(d.added.is_empty() && d.removed.is_empty());
        assert_eq!(d.changed.len(), 1);
        let fields: Vec<_> = d.changed[0].fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, vec!["id", "name", "addresses"]);
    }

    #[test]
    fn renamed_entries_are_changes() {
        let mut old = e("EL-CN-old-name", "Old Name Co.");
        old.federal_register.push(FrCitation { cite: "84 FR 1".into(), date: None });
        old.addresses.push("1 Road".into());
        let mut via_alias = e("EL-CN-new-name", "New Name Co.");
        via_alias.aliases.push(Alias { name: "Old Name Co".into(), kind: AliasKind::Aka });
        let d = diff_entries(std::slice::from_ref(&old), &[via_alias]);
        assert_eq!((d.added.len(), d.removed.len(), d.changed.len()), (0, 0, 1));

        let mut via_cite = e("EL-CN-other", "Other Name");
        via_cite.federal_register = old.federal_register.clone();
        via_cite.addresses.push("1 Road".into());
        let d = diff_entries(std::slice::from_ref(&old), &[via_cite]);
        assert_eq!((d.added.len(), d.removed.len(), d.changed.len()), (0, 0, 1));

        // Different country: not a rename.
        let mut elsewhere = e("x", "New");
        elsewhere.country = Some("RU".into());
        elsewhere.aliases.push(Alias { name: "Old Name Co.".into(), kind: AliasKind::Aka });
        let d = diff_entries(&[old], &[elsewhere]);
        assert_eq!((d.added.len(), d.removed.len(), d.changed.len()), (1, 1, 0));
        assert_eq!(d.summary(), "1 added, 1 removed, 0 changed");
    }
}
