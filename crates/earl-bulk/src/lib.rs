//! Bulk screening of customer files, re-screening against list changes, reviewed decisions.
