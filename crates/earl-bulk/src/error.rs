//! Errors that stop a bulk run (row-level problems are reported in the errors file instead).

use std::path::PathBuf;

/// A problem that makes the input, the options or an output unusable: the run stops.
/// Problems with single rows never produce this; they go to the errors file.
#[derive(Debug, thiserror::Error)]
pub enum BulkError {
    /// A file could not be opened, read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file (`-` for standard input or output).
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The input holds no data at all.
    #[error("{path}: input is empty")]
    EmptyInput {
        /// The input file.
        path: PathBuf,
    },
    /// The requested column is not in the header.
    #[error("{path}: {option} column `{column}` not found; the header has: {available}")]
    UnknownColumn {
        /// The input file.
        path: PathBuf,
        /// Which option named it (`name`, `country`, `id`).
        option: &'static str,
        /// The column asked for.
        column: String,
        /// The columns that exist, comma separated.
        available: String,
    },
    /// The requested column number is beyond the rows' width.
    #[error("{path}: {option} column {index} does not exist: rows have {width} columns")]
    ColumnOutOfRange {
        /// The input file.
        path: PathBuf,
        /// Which option named it (`name`, `country`, `id`).
        option: &'static str,
        /// 1-based column number asked for.
        index: usize,
        /// Number of columns in the first row.
        width: usize,
    },
    /// No column looks like a name and none was given.
    #[error(
        "{path}: no name column found in the header ({available}); pass the name column explicitly"
    )]
    NoNameColumn {
        /// The input file.
        path: PathBuf,
        /// The columns that exist, comma separated.
        available: String,
    },
    /// The first line of the file cannot be parsed (no header, no first row).
    #[error("{path} line {line}: {message}")]
    BadFirstRecord {
        /// The input file.
        path: PathBuf,
        /// 1-based physical line.
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// An option value is unusable.
    #[error("invalid option {option}: {message}")]
    Option {
        /// The option.
        option: &'static str,
        /// Why.
        message: String,
    },
    /// The reviewed-decisions file is unusable (names the line and field).
    #[error("{path} line {line}: {message}")]
    Review {
        /// The reviews file.
        path: PathBuf,
        /// 1-based physical line (1 = header).
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// The audit log refused a read or an append.
    #[error("audit log: {0}")]
    Audit(#[from] earl_store::StoreError),
    /// The worker thread pool could not be built.
    #[error("cannot start {threads} worker threads: {message}")]
    Threads {
        /// Threads asked for.
        threads: usize,
        /// Why.
        message: String,
    },
}

impl BulkError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        BulkError::Io { path: path.into(), source }
    }
}
