//! The summary of a bulk run and the exit status it implies.

use std::collections::BTreeMap;

use earl_lists::SnapshotSet;
use serde::Serialize;

use crate::input::UsedColumns;
use crate::options::Format;
use crate::review::ReviewSync;

/// One list snapshot a run used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListStamp {
    /// List id.
    pub list: String,
    /// Snapshot date.
    pub as_of: String,
    /// SHA-256 of the snapshot.
    pub sha256: String,
}

impl ListStamp {
    /// Stamps of every list of a snapshot set.
    pub fn from_set(set: &SnapshotSet) -> Vec<ListStamp> {
        set.metas()
            .map(|m| ListStamp {
                list: m.id.0.clone(),
                as_of: m.as_of.to_string(),
                sha256: m.sha256.clone(),
            })
            .collect()
    }
}

/// How a run ended, for the exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Every row screened, no alert.
    Clean,
    /// Every row screened, at least one alert.
    Alerts,
    /// No alert, but some rows could not be screened (see the errors file).
    RowErrors,
    /// At least one alert and some rows could not be screened.
    AlertsAndRowErrors,
    /// Rows existed but none could be screened (wrong delimiter, wrong format...).
    Unusable,
}

impl Outcome {
    /// Exit status the CLI should use: 0 clean, 1 alerts, 2 unusable input (also used for every
    /// error that stops a run, as in the rest of earl), 3 row errors without alerts, 4 alerts
    /// and row errors.
    pub fn exit_code(self) -> u8 {
        match self {
            Outcome::Clean => 0,
            Outcome::Alerts => 1,
            Outcome::Unusable => 2,
            Outcome::RowErrors => 3,
            Outcome::AlertsAndRowErrors => 4,
        }
    }
}

/// Counts specific to `rescreen`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RescreenCounts {
    /// Entries added since the old snapshot (all lists).
    pub added_entries: u64,
    /// Entries changed since the old snapshot.
    pub changed_entries: u64,
    /// Entries removed since the old snapshot.
    pub removed_entries: u64,
    /// Rows alerting on an added entry.
    pub added_hits: u64,
    /// Rows alerting on a changed entry.
    pub changed_hits: u64,
    /// Rows that match (at or above the threshold) an entry that was removed.
    pub removed_hits: u64,
    /// Snapshot the file was screened against before.
    pub since: Vec<ListStamp>,
}

/// What a bulk run did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// `screen-file` or `rescreen`.
    pub command: &'static str,
    /// Input file.
    pub input: String,
    /// Output file.
    pub output: String,
    /// Errors file.
    pub errors_file: String,
    /// Format of input and output.
    pub format: Format,
    /// Whether the input had a header row (CSV).
    pub header: bool,
    /// Columns used.
    pub columns: UsedColumns,
    /// Records read (screened plus errors).
    pub rows: u64,
    /// Rows screened.
    pub screened: u64,
    /// Rows whose reported hit alerts (score at or above the threshold, not suppressed by a
    /// review). For `rescreen`: rows alerting on an added or changed entry.
    pub alerts: u64,
    /// Rows written to the output.
    pub written: u64,
    /// Rows where a current false-positive review suppressed an alerting hit.
    pub suppressed: u64,
    /// Rows where a false-positive review no longer applies because the entry changed.
    pub stale_reviews: u64,
    /// Rows whose reported hit carries a true-match review.
    pub true_matches: u64,
    /// Rows that could not be screened.
    pub errors: u64,
    /// Errors by kind (`wrong_column_count`, `invalid_utf8`, ...).
    pub errors_by_kind: BTreeMap<String, u64>,
    /// Alert threshold used.
    pub threshold: f64,
    /// Reviews loaded for the run, if any.
    pub reviews: Option<ReviewSync>,
    /// Re-screening counts (`rescreen` only).
    pub rescreen: Option<RescreenCounts>,
    /// Lists screened against.
    pub lists: Vec<ListStamp>,
    /// Rows whose (name, country) repeated an earlier row and reused its result.
    pub reused: u64,
    /// Wall-clock seconds, from opening the input to the last write.
    pub seconds: f64,
    /// Records per second.
    pub rows_per_second: f64,
}

impl Summary {
    /// How the run ended.
    pub fn outcome(&self) -> Outcome {
        if self.rows > 0 && self.screened == 0 {
            return Outcome::Unusable;
        }
        match (self.alerts > 0, self.errors > 0) {
            (false, false) => Outcome::Clean,
            (true, false) => Outcome::Alerts,
            (false, true) => Outcome::RowErrors,
            (true, true) => Outcome::AlertsAndRowErrors,
        }
    }

    /// Exit status for the CLI (see [`Outcome::exit_code`]).
    pub fn exit_code(&self) -> u8 {
        self.outcome().exit_code()
    }

    /// Whether any row alerted.
    pub fn has_alerts(&self) -> bool {
        self.alerts > 0
    }

    /// Whether any row could not be screened.
    pub fn has_errors(&self) -> bool {
        self.errors > 0
    }

    /// A short human-readable report (several lines, ends with a newline).
    pub fn render_text(&self) -> String {
        let mut s = String::new();
        let n = |v: u64| group(v);
        s.push_str(&format!(
            "{}: {} rows of {} in {:.1} s ({} rows/s)\n",
            self.command,
            n(self.rows),
            self.input,
            self.seconds,
            n(self.rows_per_second.round() as u64),
        ));
        let cols = match (&self.columns.country, &self.columns.id) {
            (Some(c), Some(i)) => format!("name `{}`, country `{c}`, id `{i}`", self.columns.name),
            (Some(c), None) => format!("name `{}`, country `{c}`", self.columns.name),
            (None, Some(i)) => format!("name `{}`, id `{i}`", self.columns.name),
            (None, None) => format!("name `{}`", self.columns.name),
        };
        s.push_str(&format!(
            "  columns:        {cols}{}\n",
            if self.header { "" } else { " (no header row)" }
        ));
        if let Some(r) = &self.rescreen {
            s.push_str(&format!(
                "  list changes:   {} added, {} changed, {} removed entries\n",
                n(r.added_entries),
                n(r.changed_entries),
                n(r.removed_entries)
            ));
            s.push_str(&format!(
                "  new alerts:     {} on added entries, {} on changed entries\n",
                n(r.added_hits),
                n(r.changed_hits)
            ));
            s.push_str(&format!(
                "  removed hits:   {} (matched entries no longer listed)\n",
                n(r.removed_hits)
            ));
        } else {
            s.push_str(&format!(
                "  alerts:         {} (score >= {:.2})\n",
                n(self.alerts),
                self.threshold
            ));
        }
        if let Some(r) = &self.reviews {
            s.push_str(&format!(
                "  reviews:        {} loaded ({} newly recorded in the audit log, {} unknown entries)\n",
                n(r.reviews as u64),
                n(r.recorded as u64),
                n(r.unknown_entries as u64)
            ));
            s.push_str(&format!(
                "                  {} suppressed, {} stale (entry changed), {} true matches\n",
                n(self.suppressed),
                n(self.stale_reviews),
                n(self.true_matches)
            ));
        }
        if self.errors > 0 {
            let kinds: Vec<String> =
                self.errors_by_kind.iter().map(|(k, v)| format!("{k} {}", n(*v))).collect();
            s.push_str(&format!(
                "  row errors:     {} ({}) -> {}\n",
                n(self.errors),
                kinds.join(", "),
                self.errors_file
            ));
        } else {
            s.push_str("  row errors:     0\n");
        }
        if self.reused > 0 {
            s.push_str(&format!(
                "  repeated names: {} rows reused the result of an earlier identical name and country\n",
                n(self.reused)
            ));
        }
        s.push_str(&format!("  output:         {} ({} rows)\n", self.output, n(self.written)));
        let verdict = match self.outcome() {
            Outcome::Clean => "clean",
            Outcome::Alerts => "alerts to review",
            Outcome::RowErrors => "no alerts, but some rows were not screened",
            Outcome::AlertsAndRowErrors => "alerts to review, and some rows were not screened",
            Outcome::Unusable => "no row could be screened: check format, delimiter and columns",
        };
        s.push_str(&format!("  result:         {verdict} (exit {})\n", self.exit_code()));
        s
    }
}

/// `1234567` → `1,234,567`.
fn group(v: u64) -> String {
    let digits = v.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::group;

    #[test]
    fn groups_thousands() {
        assert_eq!(group(0), "0");
        assert_eq!(group(999), "999");
        assert_eq!(group(1000), "1,000");
        assert_eq!(group(1_234_567), "1,234,567");
    }
}
