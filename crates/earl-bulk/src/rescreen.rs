//! Re-screening a customer file against only what changed between two list snapshots.

use std::collections::{HashMap, HashSet};

use earl_lists::diff::{ListDiff, diff_sets};
use earl_lists::{ListId, SnapshotSet};
use earl_screen::{CandidateGate, Screener};

use crate::Reviews;
use crate::error::BulkError;
use crate::options::BulkOptions;
use crate::output::Change;
use crate::run::{ChangeScreen, QueryParams, RunSetup, run};
use crate::summary::{ListStamp, RescreenCounts, Summary};

/// The indexes a re-screening runs on, built from two snapshots.
pub struct RescreenPlan {
    touched: Screener,
    removed: Screener,
    touched_gate: CandidateGate,
    removed_gate: CandidateGate,
    change_of: HashMap<(ListId, String), Change>,
    counts: RescreenCounts,
    current: Vec<ListStamp>,
}

impl RescreenPlan {
    /// Diffs `since` against `current` and builds two small indexes: the added and changed
    /// entries (a subset of `current_screener`, which must index `current`, so scores equal a
    /// full screening) and the removed entries (a subset of an index over `since`, built here
    /// only when something was removed).
    pub fn new(since: &SnapshotSet, current: &SnapshotSet, current_screener: &Screener) -> Self {
        // The old index is built while the diff runs (it is needed when anything was removed,
        // the usual case after a Federal Register notice), so setup takes the longer of the two.
        let (diffs, old_screener) =
            rayon::join(|| diff_sets(since, current), || Screener::new(&since.lists));
        Self::build(&diffs, since, current, current_screener, Some(&old_screener))
    }

    /// As [`RescreenPlan::new`] with diffs already computed by [`earl_lists::diff::diff_sets`].
    pub fn from_diffs(
        diffs: &[(ListId, ListDiff)],
        since: &SnapshotSet,
        current: &SnapshotSet,
        current_screener: &Screener,
    ) -> Self {
        Self::build(diffs, since, current, current_screener, None)
    }

    fn build(
        diffs: &[(ListId, ListDiff)],
        since: &SnapshotSet,
        current: &SnapshotSet,
        current_screener: &Screener,
        old_screener: Option<&Screener>,
    ) -> Self {
        let mut change_of: HashMap<(ListId, String), Change> = HashMap::new();
        let mut removed_ids: HashSet<(ListId, String)> = HashSet::new();
        let mut counts = RescreenCounts { since: ListStamp::from_set(since), ..Default::default() };
        for (list, d) in diffs {
            counts.added_entries += d.added.len() as u64;
            counts.changed_entries += d.changed.len() as u64;
            counts.removed_entries += d.removed.len() as u64;
            for e in &d.added {
                change_of.insert((list.clone(), e.id.clone()), Change::Added);
            }
            for c in &d.changed {
                change_of.insert((list.clone(), c.id.clone()), Change::Changed);
            }
            for e in &d.removed {
                removed_ids.insert((list.clone(), e.id.clone()));
            }
        }
        let touched = current_screener
            .subset(&|l: &ListId, e| change_of.contains_key(&(l.clone(), e.id.clone())));
        let keep_removed =
            |l: &ListId, e: &earl_lists::Entry| removed_ids.contains(&(l.clone(), e.id.clone()));
        let removed = match (removed_ids.is_empty(), old_screener) {
            (true, _) => Screener::from_entries(Vec::new()),
            (false, Some(old)) => old.subset(&keep_removed),
            (false, None) => Screener::new(&since.lists).subset(&keep_removed),
        };
        let (touched_gate, removed_gate) =
            (CandidateGate::new(&touched), CandidateGate::new(&removed));
        RescreenPlan {
            touched,
            removed,
            touched_gate,
            removed_gate,
            change_of,
            counts,
            current: ListStamp::from_set(current),
        }
    }

    /// Entries added, changed and removed.
    pub fn counts(&self) -> &RescreenCounts {
        &self.counts
    }

    /// Whether the two snapshots are identical (a rescreen then reports nothing).
    pub fn is_empty(&self) -> bool {
        self.counts.added_entries == 0
            && self.counts.changed_entries == 0
            && self.counts.removed_entries == 0
    }
}

/// Re-screens the customer file in `opts` against the entries added or changed between
/// `since` and `current`, and reports customers matching entries that were removed.
///
/// Only rows with a finding are written: one row per finding, `earl_change` saying `added`,
/// `changed` (an alert on an added or changed entry, after reviews) or `removed_entry` (the row
/// scores at or above the threshold against an entry the new snapshot no longer has; its
/// `earl_entry_id` is the old id, `earl_alert` is false). A row can appear twice (a new alert
/// and a removed entry). `current_screener` must index `current`.
pub fn rescreen(
    since: &SnapshotSet,
    current: &SnapshotSet,
    current_screener: &Screener,
    opts: &BulkOptions,
    reviews: Option<&Reviews>,
) -> Result<Summary, BulkError> {
    let plan = RescreenPlan::new(since, current, current_screener);
    rescreen_with_plan(&plan, opts, reviews)
}

/// [`rescreen`] with a plan built beforehand (to reuse it over several files).
pub fn rescreen_with_plan(
    plan: &RescreenPlan,
    opts: &BulkOptions,
    reviews: Option<&Reviews>,
) -> Result<Summary, BulkError> {
    let screen = ChangeScreen {
        touched: &plan.touched,
        removed: &plan.removed,
        touched_gate: &plan.touched_gate,
        removed_gate: &plan.removed_gate,
        change_of: &plan.change_of,
        params: QueryParams::new(opts, reviews),
    };
    let setup = RunSetup {
        opts,
        command: "rescreen",
        lists: plan.current.clone(),
        reviews: reviews.map(|r| r.sync.clone()),
        rescreen: Some(plan.counts.clone()),
    };
    run(setup, &screen)
}
