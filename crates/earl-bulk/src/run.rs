//! The streaming pipeline shared by `screen_file` and `rescreen`: read a chunk of rows, screen
//! it on every core, write results in input order, repeat.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, IsTerminal, Read, Write};
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use earl_lists::ListId;
use earl_screen::{AnalysedName, CandidateGate, Hit, Query, Screener};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;

use crate::error::BulkError;
use crate::hash::entry_hash;
use crate::input::{Layout, Reader, RowError, RowErrorKind, RowView, Slot};
use crate::options::{BulkOptions, Format, ProgressMode, default_errors_path, is_stdio};
use crate::output::{Change, ErrorWriter, Finding, ResultWriter};
use crate::review::{ReviewBook, ReviewState, ReviewSync};
use crate::summary::{ListStamp, RescreenCounts, Summary};

/// Hits asked for when the customer has reviews: a suppressed best hit must not hide the next.
const HITS_WITH_REVIEWS: usize = 10;

/// What one row's screening found.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Flags {
    pub alert: bool,
    pub suppressed: bool,
    pub stale: bool,
    pub true_match: bool,
    pub added: bool,
    pub changed: bool,
    pub removed: bool,
}

/// Screens one row.
pub(crate) trait RowScreen: Sync {
    /// Whether the row's result depends only on its name and country (no review concerns the
    /// customer), so it may be reused for a later row with the same name and country.
    fn reusable(&self, view: &RowView<'_>) -> bool;
    /// Whether output rows carry the change column and only rows with findings are written.
    fn is_rescreen(&self) -> bool;
    /// Findings to write (for `screen-file`: at most one, `None` meaning "no hit") and flags.
    fn screen_row(&self, view: &RowView<'_>) -> (Vec<Finding>, Flags);
}

/// Query parameters common to both modes.
pub(crate) struct QueryParams<'a> {
    pub threshold: f64,
    pub date: Option<jiff::civil::Date>,
    pub lists: Option<&'a [ListId]>,
    pub reviews: Option<&'a ReviewBook>,
}

impl<'a> QueryParams<'a> {
    /// The per-query settings of a run: the same for full screening and re-screening.
    pub(crate) fn new(opts: &'a BulkOptions, reviews: Option<&'a crate::Reviews>) -> Self {
        QueryParams {
            threshold: opts.threshold,
            date: opts.date,
            lists: opts.lists.as_deref(),
            reviews: reviews.map(|r| &r.book),
        }
    }

    fn reusable(&self, view: &RowView<'_>) -> bool {
        !self.reviews.is_some_and(|r| r.has_customer(Self::customer(view)))
    }

    fn customer<'v>(view: &'v RowView<'_>) -> &'v str {
        view.id.as_deref().unwrap_or(view.name)
    }

    fn query<'q>(&'q self, view: &'q RowView<'_>) -> Query<'q> {
        let reviewed = self.reviews.is_some_and(|r| r.has_customer(Self::customer(view)));
        Query {
            name: view.name,
            country: view.country,
            date: self.date,
            lists: self.lists,
            entity_type: None,
            limit: if reviewed { HITS_WITH_REVIEWS } else { 1 },
        }
    }

    /// The hit to report among `hits` (best first): the first that alerts after reviews, else
    /// the best one.
    fn choose(&self, hits: Vec<Hit>, customer: &str, flags: &mut Flags) -> Option<Finding> {
        let mut pick: Option<(usize, bool, String, Option<String>)> = None;
        for (i, hit) in hits.iter().enumerate() {
            let over = hit.score >= self.threshold;
            let reviews = self.reviews.filter(|r| r.contains(customer, &hit.list, &hit.id));
            let (alert, review, hash) = match reviews {
                None => (over, String::new(), None),
                Some(book) => {
                    let hash = entry_hash(&hit.entry);
                    let state = book.state(customer, &hit.list, &hit.id, &hash);
                    let text = state.as_ref().map(ReviewState::describe).unwrap_or_default();
                    let alert = match state {
                        Some(ReviewState::Suppressed(_)) => {
                            flags.suppressed |= over;
                            false
                        }
                        Some(ReviewState::Stale(..)) => {
                            flags.stale |= over;
                            over
                        }
                        _ => over,
                    };
                    (alert, text, Some(hash))
                }
            };
            if alert || i == 0 {
                pick = Some((i, alert, review, hash));
            }
            if alert {
                break;
            }
        }
        let (i, alert, review, hash) = pick?;
        let hit = hits.into_iter().nth(i)?;
        flags.alert |= alert;
        flags.true_match |= review.starts_with("true_match");
        let entry_hash = hash.unwrap_or_else(|| entry_hash(&hit.entry));
        Some(Finding {
            change: None,
            hit_name: hit.name,
            matched_name: hit.matched_name,
            score: hit.score,
            alert,
            list: hit.list.0,
            entry_id: hit.id,
            entry_hash,
            review,
        })
    }
}

/// `screen-file`: the best hit of every row against the full index.
pub(crate) struct FullScreen<'a> {
    pub screener: &'a Screener,
    pub params: QueryParams<'a>,
}

impl RowScreen for FullScreen<'_> {
    fn is_rescreen(&self) -> bool {
        false
    }

    fn reusable(&self, view: &RowView<'_>) -> bool {
        self.params.reusable(view)
    }

    fn screen_row(&self, view: &RowView<'_>) -> (Vec<Finding>, Flags) {
        let mut flags = Flags::default();
        let hits = self.screener.screen(&self.params.query(view));
        let customer = QueryParams::customer(view);
        let found = self.params.choose(hits, customer, &mut flags);
        (found.into_iter().collect(), flags)
    }
}

/// `rescreen`: alerts on added or changed entries, and matches of removed entries.
pub(crate) struct ChangeScreen<'a> {
    /// Index of the added and changed entries (new snapshot, full-corpus statistics).
    pub touched: &'a Screener,
    /// Index of the removed entries (old snapshot, full-corpus statistics).
    pub removed: &'a Screener,
    /// Proves for most rows that `touched` has no candidate for them.
    pub touched_gate: &'a CandidateGate,
    /// The same for `removed`.
    pub removed_gate: &'a CandidateGate,
    pub change_of: &'a std::collections::HashMap<(ListId, String), Change>,
    pub params: QueryParams<'a>,
}

impl RowScreen for ChangeScreen<'_> {
    fn is_rescreen(&self) -> bool {
        true
    }

    fn reusable(&self, view: &RowView<'_>) -> bool {
        self.params.reusable(view)
    }

    fn screen_row(&self, view: &RowView<'_>) -> (Vec<Finding>, Flags) {
        let mut flags = Flags::default();
        let mut out = Vec::new();
        // The name is analysed once for both indexes; a gate that rules out every candidate
        // means the index would return no hit, so it is not queried (same findings, a
        // fraction of the cost: most rows share no word with a list change).
        let name = AnalysedName::new(view.name);
        let touched = self.touched_gate.admits(&name);
        let removed = self.removed_gate.admits(&name);
        if !touched && !removed {
            return (out, flags);
        }
        let customer = QueryParams::customer(view);
        if touched {
            let hits = self.touched.screen_analysed(&self.params.query(view), &name);
            let mut f = Flags::default();
            if let Some(mut found) = self.params.choose(hits, customer, &mut f)
                && found.alert
            {
                let key = (ListId(found.list.clone()), found.entry_id.clone());
                let change = self.change_of.get(&key).copied().unwrap_or(Change::Changed);
                match change {
                    Change::Added => flags.added = true,
                    _ => flags.changed = true,
                }
                found.change = Some(change);
                out.push(found);
            }
            flags.alert = f.alert;
            flags.suppressed = f.suppressed;
            flags.stale = f.stale;
            flags.true_match = f.true_match;
        }
        if removed {
            let mut q = self.params.query(view);
            q.limit = 1;
            if let Some(hit) = self.removed.screen_analysed(&q, &name).into_iter().next()
                && hit.score >= self.params.threshold
            {
                flags.removed = true;
                out.push(Finding {
                    change: Some(Change::RemovedEntry),
                    entry_hash: entry_hash(&hit.entry),
                    hit_name: hit.name,
                    matched_name: hit.matched_name,
                    score: hit.score,
                    alert: false,
                    list: hit.list.0,
                    entry_id: hit.id,
                    review: String::new(),
                });
            }
        }
        (out, flags)
    }
}

enum RowOutcome {
    Bad,
    Invalid(RowErrorKind, String),
    Done(Vec<Finding>, Flags),
}

/// Results of (name, country) pairs already screened in this run. Customer files repeat names
/// (one legal entity, several accounts or ship-to addresses); screening is deterministic, so a
/// repeat reuses the first result. Bounded: emptied when full, so memory stays flat.
struct ResultCache {
    map: Mutex<HashMap<String, (Vec<Finding>, Flags)>>,
    capacity: usize,
    hits: AtomicU64,
}

impl ResultCache {
    fn key(view: &RowView<'_>) -> String {
        let country = view.country.unwrap_or("");
        let mut k = String::with_capacity(view.name.len() + country.len() + 1);
        k.push_str(view.name);
        k.push('\u{1f}');
        k.push_str(country);
        k
    }

    fn get(&self, key: &str) -> Option<(Vec<Finding>, Flags)> {
        let map = self.map.lock().ok()?;
        let found = map.get(key).cloned();
        if found.is_some() {
            self.hits.fetch_add(1, Ordering::Relaxed);
        }
        found
    }

    fn put(&self, key: String, value: &(Vec<Finding>, Flags)) {
        if let Ok(mut map) = self.map.lock() {
            if map.len() >= self.capacity {
                map.clear();
            }
            map.insert(key, value.clone());
        }
    }
}

fn screen_slot(
    slot: &Slot,
    layout: &Layout,
    screen: &dyn RowScreen,
    cache: Option<&ResultCache>,
) -> RowOutcome {
    if slot.error.is_some() {
        return RowOutcome::Bad;
    }
    let view = match layout.view(slot) {
        Ok(view) => view,
        Err((kind, msg)) => return RowOutcome::Invalid(kind, msg),
    };
    let cache = cache.filter(|_| screen.reusable(&view));
    let key = cache.map(|_| ResultCache::key(&view));
    if let (Some(c), Some(k)) = (cache, &key)
        && let Some((f, flags)) = c.get(k)
    {
        return RowOutcome::Done(f, flags);
    }
    let result = screen.screen_row(&view);
    if let (Some(c), Some(k)) = (cache, key) {
        c.put(k, &result);
    }
    RowOutcome::Done(result.0, result.1)
}

/// Everything a run needs besides the row screening.
pub(crate) struct RunSetup<'a> {
    pub opts: &'a BulkOptions,
    pub command: &'static str,
    pub lists: Vec<ListStamp>,
    pub reviews: Option<ReviewSync>,
    pub rescreen: Option<RescreenCounts>,
}

/// Runs the pipeline on the configured thread pool.
pub(crate) fn run(setup: RunSetup<'_>, screen: &dyn RowScreen) -> Result<Summary, BulkError> {
    match setup.opts.threads {
        None => run_here(setup, screen),
        Some(n) => {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .map_err(|e| BulkError::Threads { threads: n, message: e.to_string() })?;
            pool.install(|| run_here(setup, screen))
        }
    }
}

fn sniff<R: BufRead>(r: &mut R) -> Format {
    match r.fill_buf() {
        Ok(b) => {
            let b = b.strip_prefix(b"\xEF\xBB\xBF".as_slice()).unwrap_or(b);
            if b.iter().find(|c| !c.is_ascii_whitespace()) == Some(&b'{') {
                Format::Jsonl
            } else {
                Format::Csv
            }
        }
        Err(_) => Format::Csv,
    }
}

fn is_tsv(p: &Path) -> bool {
    p.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case("tsv"))
}

fn create(path: &Path) -> Result<Box<dyn Write>, BulkError> {
    if is_stdio(path) {
        return Ok(Box::new(std::io::stdout().lock()));
    }
    let f = File::create(path).map_err(|e| BulkError::io(path, e))?;
    Ok(Box::new(f))
}

/// Whether two paths name the same file (compared after resolving, when they exist).
fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

/// Writing a result over the input would destroy it before it is read.
fn refuse_overwrite(input: &Path, target: &Path, option: &'static str) -> Result<(), BulkError> {
    if !is_stdio(input) && !is_stdio(target) && same_file(input, target) {
        return Err(BulkError::Option {
            option,
            message: format!("{} is the input file; choose another path", target.display()),
        });
    }
    Ok(())
}

fn progress_bar(mode: ProgressMode, total: Option<u64>) -> ProgressBar {
    let show = match mode {
        ProgressMode::Never => false,
        ProgressMode::Always => true,
        ProgressMode::Auto => std::io::stderr().is_terminal(),
    };
    if !show {
        return ProgressBar::hidden();
    }
    let target = ProgressDrawTarget::stderr_with_hz(4);
    match total {
        Some(n) => {
            let pb = ProgressBar::with_draw_target(Some(n), target);
            if let Ok(style) = ProgressStyle::with_template(
                "{elapsed_precise} [{wide_bar}] {percent:>3}%  {msg}  ETA {eta}",
            ) {
                pb.set_style(style.progress_chars("=> "));
            }
            pb
        }
        None => {
            let pb = ProgressBar::with_draw_target(None, target);
            if let Ok(style) = ProgressStyle::with_template("{spinner} {elapsed_precise}  {msg}") {
                pb.set_style(style);
            }
            pb
        }
    }
}

fn record_text(slot: &Slot, layout: &Layout, delimiter: u8) -> String {
    match layout {
        Layout::Csv { .. } => {
            let mut raw = Vec::new();
            for (i, f) in slot.rec.iter().enumerate() {
                if i > 0 {
                    raw.push(delimiter);
                }
                raw.extend_from_slice(f);
            }
            crate::lines::excerpt(&raw)
        }
        Layout::Jsonl { .. } => {
            crate::lines::excerpt(serde_json::to_string(&slot.obj).unwrap_or_default().as_bytes())
        }
    }
}

fn run_here(setup: RunSetup<'_>, screen: &dyn RowScreen) -> Result<Summary, BulkError> {
    let start = Instant::now();
    let opts = setup.opts;
    let input = opts.input.as_path();
    let (raw, size): (Box<dyn Read + Send>, Option<u64>) = if is_stdio(input) {
        (Box::new(std::io::stdin()), None)
    } else {
        let f = File::open(input).map_err(|e| BulkError::io(input, e))?;
        let size = f.metadata().ok().map(|m| m.len());
        (Box::new(f), size)
    };
    let mut buffered = BufReader::with_capacity(1 << 18, raw);
    let format = match opts.format.or_else(|| Format::from_path(input)) {
        Some(f) => f,
        None => sniff(&mut buffered),
    };
    let delimiter = opts.delimiter.unwrap_or(if is_tsv(input) { b'\t' } else { b',' });
    if opts.chunk_rows == 0 {
        return Err(BulkError::Option {
            option: "chunk_rows",
            message: "must be 1 or more".into(),
        });
    }
    let mut reader = Reader::open(buffered, format, delimiter, opts, input)?;

    let errors_path = match (&opts.errors, is_stdio(&opts.output)) {
        (Some(p), _) => p.clone(),
        (None, false) => default_errors_path(&opts.output, format),
        (None, true) => {
            return Err(BulkError::Option {
                option: "errors",
                message: "name an errors file when the output is standard output".into(),
            });
        }
    };
    refuse_overwrite(input, &opts.output, "output")?;
    refuse_overwrite(input, &errors_path, "errors")?;
    if !is_stdio(&opts.output) && same_file(&opts.output, &errors_path) {
        return Err(BulkError::Option {
            option: "errors",
            message: "the errors file must differ from the output file".into(),
        });
    }
    let out = create(&opts.output)?;
    let mut results = match format {
        Format::Csv => ResultWriter::csv(BufWriter::with_capacity(1 << 17, out), delimiter),
        Format::Jsonl => ResultWriter::Jsonl(BufWriter::with_capacity(1 << 17, out)),
    };
    let rescreen = screen.is_rescreen();
    let out_err = |e: std::io::Error| BulkError::io(&opts.output, e);
    results.header(&reader.columns, rescreen).map_err(out_err)?;
    let err_file = create(&errors_path)?;
    let err_err = |e: std::io::Error| BulkError::io(&errors_path, e);
    let mut errors = match format {
        Format::Csv => ErrorWriter::csv(BufWriter::new(err_file)).map_err(err_err)?,
        Format::Jsonl => ErrorWriter::Jsonl(BufWriter::new(err_file)),
    };

    let pb = progress_bar(opts.progress, size);
    let mut summary = Summary {
        command: setup.command,
        input: input.display().to_string(),
        output: opts.output.display().to_string(),
        errors_file: errors_path.display().to_string(),
        format,
        header: reader.header,
        columns: reader.used.clone(),
        rows: 0,
        screened: 0,
        alerts: 0,
        written: 0,
        suppressed: 0,
        stale_reviews: 0,
        true_matches: 0,
        errors: 0,
        errors_by_kind: BTreeMap::new(),
        threshold: opts.threshold,
        reviews: setup.reviews,
        rescreen: setup.rescreen,
        lists: setup.lists,
        reused: 0,
        seconds: 0.0,
        rows_per_second: 0.0,
    };
    let mut counts = RescreenCounts::default();

    let chunk = opts.chunk_rows;
    let mut slots: Vec<Slot> = Vec::with_capacity(chunk);
    let mut outcomes: Vec<RowOutcome> = Vec::with_capacity(chunk);
    let mut score_buf = String::new();
    let layout = reader.layout.clone();
    let cache = (opts.cache_names > 0).then(|| ResultCache {
        map: Mutex::new(HashMap::new()),
        capacity: opts.cache_names,
        hits: AtomicU64::new(0),
    });
    let mut last_draw = Instant::now();
    // Reads up to `chunk` records into `slots`: how many, and whether the input ended.
    let fill =
        |reader: &mut Reader<_>, slots: &mut Vec<Slot>| -> Result<(usize, bool), BulkError> {
            let mut n = 0;
            while n < chunk {
                if slots.len() == n {
                    slots.push(Slot::default());
                }
                let Some(slot) = slots.get_mut(n) else { break };
                if !reader.next(slot).map_err(|e| BulkError::io(input, e))? {
                    return Ok((n, true));
                }
                n += 1;
            }
            Ok((n, false))
        };
    // Two chunks in flight: the next one is read and split while the current one is
    // screened (reading is sequential; on two cores it would otherwise idle one of them).
    let mut next_slots: Vec<Slot> = Vec::with_capacity(chunk);
    let (mut n, mut eof) = fill(&mut reader, &mut slots)?;
    loop {
        let batch = slots.get_mut(..n).unwrap_or_default();
        let (read, ()) = rayon::join(
            || if eof { Ok((0, true)) } else { fill(&mut reader, &mut next_slots) },
            || {
                batch
                    .par_iter()
                    .map(|s| screen_slot(s, &layout, screen, cache.as_ref()))
                    .collect_into_vec(&mut outcomes)
            },
        );
        for (slot, outcome) in batch.iter_mut().zip(outcomes.drain(..)) {
            summary.rows += 1;
            let row_error = match outcome {
                RowOutcome::Bad => slot.error.take(),
                RowOutcome::Invalid(kind, message) => Some(RowError {
                    line: slot.line,
                    kind,
                    message,
                    content: record_text(slot, &layout, delimiter),
                }),
                RowOutcome::Done(findings, flags) => {
                    summary.screened += 1;
                    summary.alerts += u64::from(flags.alert);
                    summary.suppressed += u64::from(flags.suppressed);
                    summary.stale_reviews += u64::from(flags.stale);
                    summary.true_matches += u64::from(flags.true_match);
                    counts.added_hits += u64::from(flags.added);
                    counts.changed_hits += u64::from(flags.changed);
                    counts.removed_hits += u64::from(flags.removed);
                    if rescreen {
                        for f in &findings {
                            results.row(slot, Some(f), true, &mut score_buf).map_err(out_err)?;
                            summary.written += 1;
                        }
                    } else {
                        results
                            .row(slot, findings.first(), false, &mut score_buf)
                            .map_err(out_err)?;
                        summary.written += 1;
                    }
                    None
                }
            };
            if let Some(e) = row_error {
                summary.errors += 1;
                *summary.errors_by_kind.entry(e.kind.as_str().to_owned()).or_default() += 1;
                errors.write(&e).map_err(err_err)?;
            }
        }
        if last_draw.elapsed() >= Duration::from_millis(200) || eof {
            last_draw = Instant::now();
            let secs = start.elapsed().as_secs_f64().max(1e-9);
            if size.is_some() {
                pb.set_position(reader.bytes_read());
            } else {
                pb.tick();
            }
            pb.set_message(format!(
                "{} rows, {:.0} rows/s, {} alerts, {} errors",
                summary.rows,
                summary.rows as f64 / secs,
                summary.alerts,
                summary.errors
            ));
        }
        if eof {
            break;
        }
        (n, eof) = read?;
        std::mem::swap(&mut slots, &mut next_slots);
    }
    results.flush().map_err(out_err)?;
    errors.flush().map_err(err_err)?;
    pb.finish_and_clear();
    if let Some(r) = summary.rescreen.as_mut() {
        r.added_hits = counts.added_hits;
        r.changed_hits = counts.changed_hits;
        r.removed_hits = counts.removed_hits;
    }
    summary.reused = cache.map_or(0, |c| c.hits.load(Ordering::Relaxed));
    summary.seconds = start.elapsed().as_secs_f64();
    summary.rows_per_second = summary.rows as f64 / summary.seconds.max(1e-9);
    Ok(summary)
}
