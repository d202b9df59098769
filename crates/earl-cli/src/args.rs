//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// earl: export-control (EAR) logic for advanced AI chips — license determinations, chip
/// classification and party screening, with reasons, citations and data versions.
#[derive(Debug, Parser)]
#[command(name = "earl", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// Options shared by all commands.
    #[command(flatten)]
    pub global: Global,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options shared by all commands.
#[derive(Debug, Clone, Args)]
pub struct Global {
    /// Directory for imported lists, the snapshot archive and the default audit database
    /// [default: $EARL_DATA_DIR, else $XDG_DATA_HOME/earl, else ~/.local/share/earl].
    #[arg(long, global = true, env = "EARL_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Use only the list snapshot bundled in this binary, ignoring imported lists.
    #[arg(long, global = true)]
    pub bundled_only: bool,
}

/// Commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Determine whether a transaction needs a license (JSON file or `-` for stdin).
    Check(CheckArgs),
    /// Classify a catalog product or a chip spec (ECCN 3A090) on a date, showing the arithmetic.
    Classify(ClassifyArgs),
    /// List the bundled chip catalog with its classification, or when each chip became
    /// controlled for China.
    Chips(ChipsArgs),
    /// Screen a name (or a file of names) against the restricted-party lists.
    Screen(ScreenArgs),
    /// Screen every row of a customer file (CSV or JSON lines) and write it back with the best
    /// hit appended. Exit: 0 clean, 1 alerts, 2 unusable input, 3 row errors, 4 alerts and row
    /// errors.
    ScreenFile(BulkArgs),
    /// Re-screen a customer file only against list entries added or changed since an earlier
    /// snapshot, and report customers whose earlier hit's entry was removed.
    Rescreen(RescreenArgs),
    /// Show, import, diff or export the restricted-party lists.
    Lists(ListsArgs),
    /// Verify, replay or export the audit log.
    Audit(AuditArgs),
    /// Run the HTTP API and the analyst web page.
    Serve(ServeArgs),
    /// Create, list or revoke API tokens.
    Token(TokenArgs),
}

/// `earl check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Transaction JSON file, or `-` for standard input.
    pub file: PathBuf,
    /// Print the determination as one JSON object.
    #[arg(long)]
    pub json: bool,
    /// Store the determination in the audit log.
    #[arg(long)]
    pub record: bool,
    /// Audit database [default: <data dir>/audit.db].
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
}

/// `earl classify`.
#[derive(Debug, Args)]
pub struct ClassifyArgs {
    /// Catalog product id (see `earl chips`), or a chip spec JSON file (`-` for stdin) with
    /// the fields of a transaction's `chip` item.
    pub target: String,
    /// Date of the rules to apply (YYYY-MM-DD) [default: today].
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// `earl chips`.
#[derive(Debug, Args)]
pub struct ChipsArgs {
    /// Date of the rules to apply (YYYY-MM-DD) [default: today].
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,
    /// Show when each chip became controlled for China, and by which rule.
    #[arg(long)]
    pub timeline: bool,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// `earl screen`.
#[derive(Debug, Args)]
pub struct ScreenArgs {
    /// The name to screen (any script). Omit when using `--input`.
    #[arg(required_unless_present = "input", conflicts_with = "input")]
    pub name: Option<String>,
    /// Country of the party (ISO 3166 alpha-2); a soft signal.
    #[arg(long, value_name = "CC")]
    pub country: Option<String>,
    /// Transaction date (YYYY-MM-DD): entries listed after it do not hit.
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,
    /// Maximum hits per name.
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
    /// Restrict to these list ids (comma-separated; see `earl lists`).
    #[arg(long, value_delimiter = ',', value_name = "IDS")]
    pub lists: Option<Vec<String>>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    /// File of queries, one per line (UTF-8; a byte-order mark and CRLF line ends are fine): a
    /// plain name, or a JSON object `{"name": ..., "country": ..., "date": ...}` (`query` is
    /// read as `name`) (`-` for stdin).
    #[arg(long, value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// Output format for `--input`.
    #[arg(long, value_enum, default_value_t = BatchFormat::Jsonl, requires = "input")]
    pub format: BatchFormat,
    /// Write batch output here instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE", requires = "input")]
    pub output: Option<PathBuf>,
    /// Store the screening in the audit log.
    #[arg(long)]
    pub record: bool,
    /// Audit database [default: <data dir>/audit.db].
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
}

/// Batch output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BatchFormat {
    /// One JSON object per input line, in input order.
    Jsonl,
}

/// `earl lists`.
#[derive(Debug, Args)]
pub struct ListsArgs {
    /// What to do (default: show the loaded lists).
    #[command(subcommand)]
    pub action: Option<ListsAction>,
    /// Print JSON (when showing).
    #[arg(long)]
    pub json: bool,
}

/// `earl lists ...` actions.
#[derive(Debug, Subcommand)]
pub enum ListsAction {
    /// Show the loaded lists: source, as-of date, entries, SHA-256.
    Show {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Replace one list from an official file, for later runs.
    Import(ImportArgs),
    /// Stop using an imported list (go back to the bundled one).
    Reset {
        /// List id.
        list: String,
    },
    /// Show entries added, removed and changed between two snapshots.
    Diff(DiffArgs),
    /// Write the loaded lists as a snapshot directory (usable with `--since` and `diff`).
    Export {
        /// Directory to write (`manifest.json` + one `.jsonl` per list).
        dir: PathBuf,
    },
}

/// `earl lists import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Source format: nsfreg-json, fr-xml, csl-csv, ofac-csv, un-xml, dpl-tsv, xyna-json,
    /// ftm-jsonl, earl-jsonl.
    #[arg(long, value_name = "F")]
    pub format: String,
    /// The official file.
    pub file: PathBuf,
    /// List id to replace or create [default: the usual list for the format].
    #[arg(long, value_name = "ID")]
    pub list: Option<String>,
    /// Date the file describes (YYYY-MM-DD), when the file does not say.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// For `fr-xml`: add the rule's entries to the list instead of replacing it.
    #[arg(long)]
    pub amend: bool,
}

/// `earl lists diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// Old snapshot: a snapshot directory, a list `.jsonl` file, or `bundled`.
    pub old: String,
    /// New snapshot: same forms, or `current` for the lists in use.
    pub new: String,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// `earl audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Audit database [default: <data dir>/audit.db].
    #[arg(long, global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// What to do.
    #[command(subcommand)]
    pub action: AuditAction,
}

/// `earl audit ...` actions.
#[derive(Debug, Subcommand)]
pub enum AuditAction {
    /// Check the hash chain; names every altered, deleted or reordered record.
    Verify {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Recompute a stored decision with the data versions it used and show any difference.
    Replay {
        /// Record id.
        id: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Write every record as JSON lines.
    Export {
        /// Output file [default: standard output].
        #[arg(long, short = 'o')]
        output: Option<PathBuf>,
    },
    /// Show recent records.
    Log {
        /// How many.
        #[arg(long, default_value_t = 20)]
        limit: u32,
        /// Only this kind (check, screen, classify, review, ...).
        #[arg(long)]
        kind: Option<String>,
    },
}

/// Options shared by `earl screen-file` and `earl rescreen`.
#[derive(Debug, Args)]
pub struct BulkArgs {
    /// Customer file (`-` for standard input).
    pub input: PathBuf,
    /// Result file (`-` for standard output; then `--errors` is required).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: PathBuf,
    /// Rows that could not be screened, with their line numbers [default: OUTPUT with
    /// `.errors.csv` / `.errors.jsonl`].
    #[arg(long, value_name = "FILE")]
    pub errors: Option<PathBuf>,
    /// File format [default: from the extension, else sniffed].
    #[arg(long, value_name = "csv|jsonl")]
    pub format: Option<String>,
    /// Whether the CSV file has a header row.
    #[arg(long, value_enum, default_value_t = HeaderArg::Auto)]
    pub header: HeaderArg,
    /// CSV delimiter (one character) [default: `,`, tab for .tsv].
    #[arg(long, value_name = "C")]
    pub delimiter: Option<char>,
    /// Column holding the party name: header name or 1-based number [default: detected,
    /// else column 1].
    #[arg(long, value_name = "COL")]
    pub name_column: Option<String>,
    /// Column holding the country (ISO code or English name) [default: detected].
    #[arg(long, value_name = "COL")]
    pub country_column: Option<String>,
    /// Column holding the customer id (used by reviewed decisions) [default: detected].
    #[arg(long, value_name = "COL")]
    pub id_column: Option<String>,
    /// Alert threshold on the score.
    #[arg(long, default_value_t = earl_screen::DEFAULT_ALERT_THRESHOLD)]
    pub threshold: f64,
    /// Screening date (YYYY-MM-DD): entries not in force on it do not match [default: today].
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,
    /// Screen only against these lists (comma-separated ids).
    #[arg(long, value_delimiter = ',', value_name = "IDS")]
    pub lists: Option<Vec<String>>,
    /// Analysts' reviewed decisions (CSV or JSONL): false positives are suppressed until the
    /// list entry changes; reviews are kept in the audit log.
    #[arg(long, value_name = "FILE")]
    pub reviews: Option<PathBuf>,
    /// Audit database for reviews [default: <data dir>/audit.db].
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Worker threads [default: all cores].
    #[arg(long)]
    pub threads: Option<usize>,
    /// Rows per parallel chunk.
    #[arg(long, default_value_t = earl_bulk::DEFAULT_CHUNK_ROWS)]
    pub chunk_rows: usize,
    /// Distinct (name, country) results reused for repeated rows (0 disables).
    #[arg(long, default_value_t = earl_bulk::DEFAULT_CACHE_NAMES)]
    pub cache_names: usize,
    /// Progress bar on standard error.
    #[arg(long, value_enum, default_value_t = ProgressArg::Auto)]
    pub progress: ProgressArg,
    /// Print the summary as JSON (on standard output, or standard error when the results go
    /// to standard output).
    #[arg(long)]
    pub json: bool,
}

/// `earl rescreen`.
#[derive(Debug, Args)]
pub struct RescreenArgs {
    /// The earlier list snapshot: a snapshot directory (from `earl lists export`) or `bundled`.
    #[arg(long, value_name = "SNAPSHOT")]
    pub since: String,
    /// File and screening options.
    #[command(flatten)]
    pub bulk: BulkArgs,
}

/// CSV header handling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum HeaderArg {
    /// Detect a header from known column names.
    Auto,
    /// The first row is a header.
    Yes,
    /// No header row.
    No,
}

/// When to draw the progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ProgressArg {
    /// Only on a terminal.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// `earl serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (loopback unless told otherwise).
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
    pub addr: std::net::SocketAddr,
    /// Audit database, which also holds the API tokens [default: <data dir>/audit.db].
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Serve without API tokens (only allowed on a loopback address).
    #[arg(long)]
    pub no_auth: bool,
    /// Largest JSON request body, in bytes.
    #[arg(long, value_name = "BYTES")]
    pub body_limit: Option<usize>,
    /// Largest batch-screening request body, in bytes.
    #[arg(long, value_name = "BYTES")]
    pub batch_limit: Option<usize>,
    /// Request timeout, in seconds.
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<u64>,
}

/// `earl token`.
#[derive(Debug, Args)]
pub struct TokenArgs {
    /// Audit database holding the tokens [default: <data dir>/audit.db].
    #[arg(long, global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// What to do.
    #[command(subcommand)]
    pub action: TokenAction,
}

/// `earl token ...` actions.
#[derive(Debug, Subcommand)]
pub enum TokenAction {
    /// Create a token; its secret is printed once and stored only as a salted hash.
    Create {
        /// `read` (screen, classify, chips, lists, decisions) or `write` (also check, which
        /// records determinations).
        #[arg(long, value_name = "read|write")]
        scope: String,
        /// Unique name, recorded as the caller in the audit log [default: generated].
        #[arg(long)]
        name: Option<String>,
    },
    /// List tokens (never their secrets).
    List,
    /// Revoke a token by id or name.
    Revoke {
        /// Token id or name.
        token: String,
    },
}
