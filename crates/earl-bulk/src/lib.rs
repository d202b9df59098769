//! Bulk screening of customer files, re-screening against list changes, reviewed decisions.
//!
//! - [`screen_file`] screens every row of a CSV or JSON-lines file against the lists and
//!   writes the file back with the best hit of each row appended (`earl_hit_name`,
//!   `earl_matched_name`, `earl_score`, `earl_alert`, `earl_list`, `earl_entry_id`,
//!   `earl_entry_hash`, `earl_review`), in input order. It streams: rows are read in chunks,
//!   each chunk is screened on every core, so memory stays flat whatever the file size.
//! - [`rescreen`] screens a file only against the entries added or changed between two list
//!   snapshots and reports rows that matched an entry now removed; it writes only rows with
//!   something to say.
//! - [`Reviews`] applies analysts' decisions: a false positive suppresses that (customer,
//!   entry) hit until the entry's content changes; reviews are recorded in the audit log.
//! - Malformed rows (wrong column count, invalid UTF-8, unterminated quote, bad JSON) go to
//!   an errors file with their physical line number; the run goes on.
//! - [`Summary`] counts rows, alerts and errors and gives the exit status
//!   ([`Outcome::exit_code`]).
//! - [`render_diff_text`] renders `earl lists diff` output.
//!
//! See `docs/BULK.md` for formats, exit codes and measured throughput.

mod diff_text;
mod error;
mod hash;
mod input;
mod lines;
mod options;
mod output;
mod rescreen;
mod review;
mod run;
mod summary;

use std::path::Path;

use earl_lists::SnapshotSet;
use earl_screen::Screener;

pub use diff_text::render_diff_text;
pub use error::BulkError;
pub use hash::entry_hash;
pub use input::{RowErrorKind, UsedColumns};
pub use options::{
    BulkOptions, ColumnRef, DEFAULT_CACHE_NAMES, DEFAULT_CHUNK_ROWS, Format, HeaderMode,
    ProgressMode, default_errors_path,
};
pub use output::{CHANGE_COLUMN, Change, RESULT_COLUMNS};
pub use rescreen::{RescreenPlan, rescreen, rescreen_with_plan};
pub use review::{
    Decision, PinnedReview, REVIEW_KIND, Review, ReviewAudit, ReviewBook, ReviewSync,
    parse_reviews, read_reviews,
};
pub use summary::{ListStamp, Outcome, RescreenCounts, Summary};

use run::{FullScreen, QueryParams, RunSetup, run};

/// Reviewed decisions loaded for a run.
#[derive(Debug, Clone, Default)]
pub struct Reviews {
    /// The decisions in force, pinned to entry versions.
    pub book: ReviewBook,
    /// What loading them did (counts, audit records appended).
    pub sync: ReviewSync,
}

impl Reviews {
    /// Reads a reviews file and pins each review against the entries `screener` indexes (the
    /// lists in use), recording first-seen reviews in `audit` (see [`ReviewBook::new`]).
    pub fn load(
        path: &Path,
        screener: &Screener,
        audit: Option<&ReviewAudit<'_>>,
    ) -> Result<Reviews, BulkError> {
        let reviews = read_reviews(path)?;
        Self::from_reviews(reviews, screener, audit)
    }

    /// As [`Reviews::load`] with reviews already parsed.
    pub fn from_reviews(
        reviews: Vec<Review>,
        screener: &Screener,
        audit: Option<&ReviewAudit<'_>>,
    ) -> Result<Reviews, BulkError> {
        let current =
            |list: &earl_lists::ListId, id: &str| screener.entry(list, id).map(entry_hash);
        let (book, sync) = ReviewBook::new(reviews, &current, audit)?;
        Ok(Reviews { book, sync })
    }
}

/// Screens every row of the customer file in `opts` against `screener` (which indexes
/// `lists`) and writes the results file and the errors file.
///
/// Each output row is the input row plus the [`RESULT_COLUMNS`] of its best hit (empty when
/// nothing matched). With `reviews`, a hit reviewed as a false positive on the same entry
/// version does not alert (the next alerting hit, if any, is reported instead); a stale review
/// alerts again and says so in `earl_review`.
///
/// Errors stop the run only when the input as a whole is unusable (missing file, no name
/// column, unreadable first record) or an output cannot be written.
pub fn screen_file(
    screener: &Screener,
    lists: &SnapshotSet,
    opts: &BulkOptions,
    reviews: Option<&Reviews>,
) -> Result<Summary, BulkError> {
    let screen = FullScreen { screener, params: QueryParams::new(opts, reviews) };
    let setup = RunSetup {
        opts,
        command: "screen-file",
        lists: ListStamp::from_set(lists),
        reviews: reviews.map(|r| r.sync.clone()),
        rescreen: None,
    };
    run(setup, &screen)
}
