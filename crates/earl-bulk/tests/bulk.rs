//! Bulk screening end to end on small files: formats, columns, malformed rows, order, reviews.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test helpers fail loudly")]

mod common;

use std::path::{Path, PathBuf};

use earl_bulk::{
    BulkOptions, ColumnRef, Format, HeaderMode, Outcome, ProgressMode, ReviewAudit, Reviews,
    Summary, entry_hash, screen_file,
};
use earl_lists::{Entry, ListId, ListKind, ListMeta, ListSnapshot, SnapshotSet};
use earl_screen::Screener;
use earl_store::{AuditStore, SqliteStore};

fn meta(id: &str) -> ListMeta {
    ListMeta {
        id: ListId::from(id),
        kind: ListKind::EntityList,
        title: "Test list".into(),
        authority: "test".into(),
        source: "test".into(),
        source_url: None,
        as_of: "2025-01-15".parse().unwrap(),
        sha256: "00".repeat(32),
        source_sha256: None,
        entry_count: 0,
        format: "test".into(),
        license: None,
        notes: vec![],
    }
}

fn entry(list: &str, id: &str, name: &str, country: &str) -> Entry {
    let mut e = Entry::new(ListId::from(list), id, name);
    e.country = Some(country.into());
    e
}

/// Three distinctive entries on one list, and Huawei again on a second list.
fn small_set() -> SnapshotSet {
    SnapshotSet {
        lists: vec![
            ListSnapshot {
                meta: meta("test_list"),
                entries: vec![
                    entry("test_list", "T1", "Huawei Technologies Co., Ltd.", "CN"),
                    entry("test_list", "T2", "Sugon Information Industry Co., Ltd.", "CN"),
                    entry("test_list", "T3", "Rosoboronexport", "RU"),
                ],
            },
            ListSnapshot {
                meta: meta("other_list"),
                entries: vec![entry("other_list", "O1", "Huawei Technologies Co., Ltd.", "CN")],
            },
        ],
    }
}

struct Case {
    dir: tempfile::TempDir,
}

impl Case {
    fn new() -> Self {
        Case { dir: tempfile::tempdir().unwrap() }
    }
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
    fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }
    fn opts(&self, input: &str, output: &str) -> BulkOptions {
        let mut o = BulkOptions::new(self.path(input), self.path(output));
        o.progress = ProgressMode::Never;
        o
    }
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap()
}

fn run(set: &SnapshotSet, opts: &BulkOptions) -> Summary {
    let screener = Screener::new(&set.lists);
    screen_file(&screener, set, opts, None).unwrap()
}

#[test]
fn csv_with_detected_header_keeps_columns_and_appends_results() {
    let c = Case::new();
    c.write(
        "in.csv",
        "customer_id,customer_name,country,city\n\
         C1,\"Huawei Technologies Co., Ltd.\",CN,Shenzhen\n\
         C2,Maria Rossi,IT,Milan\n\
         C3,ROSOBORONEXPORT,RU,Moscow\n"
            .as_bytes(),
    );
    let s = run(&small_set(), &c.opts("in.csv", "out.csv"));
    assert!(s.header);
    assert_eq!(s.columns.name, "customer_name");
    assert_eq!(s.columns.country.as_deref(), Some("country"));
    assert_eq!(s.columns.id.as_deref(), Some("customer_id"));
    assert_eq!((s.rows, s.screened, s.alerts, s.errors), (3, 3, 2, 0));
    assert_eq!(s.outcome(), Outcome::Alerts);
    assert_eq!(s.exit_code(), 1);
    let out =
        read(&c.path("out.csv")).replace(&entry_hash(&small_set().lists[0].entries[0]), "<T1>");
    let out = out.replace(&entry_hash(&small_set().lists[0].entries[2]), "<T3>");
    insta::assert_snapshot!(out, @r#"
    customer_id,customer_name,country,city,earl_hit_name,earl_matched_name,earl_score,earl_alert,earl_list,earl_entry_id,earl_entry_hash,earl_review
    C1,"Huawei Technologies Co., Ltd.",CN,Shenzhen,"Huawei Technologies Co., Ltd.","Huawei Technologies Co., Ltd.",1.000,true,test_list,T1,<T1>,
    C2,Maria Rossi,IT,Milan,,,,,,,,
    C3,ROSOBORONEXPORT,RU,Moscow,Rosoboronexport,Rosoboronexport,1.000,true,test_list,T3,<T3>,
    "#);
    // The errors file exists and holds only its header.
    assert_eq!(read(&c.path("out.errors.csv")), "line,kind,message,content\n");
}

#[test]
fn csv_without_header_screens_column_one() {
    let c = Case::new();
    c.write("in.csv", b"Rosoboronexport,RU\nMaria Rossi,IT\n");
    let s = run(&small_set(), &c.opts("in.csv", "out.csv"));
    assert!(!s.header);
    assert_eq!(s.columns.name, "column_1");
    assert_eq!(s.columns.country, None);
    assert_eq!((s.rows, s.alerts), (2, 1));
    let out = read(&c.path("out.csv"));
    let mut lines = out.lines();
    assert_eq!(
        lines.next().unwrap(),
        "column_1,column_2,earl_hit_name,earl_matched_name,earl_score,earl_alert,earl_list,earl_entry_id,earl_entry_hash,earl_review"
    );
    assert!(lines.next().unwrap().starts_with("Rosoboronexport,RU,Rosoboronexport,"));
    assert_eq!(lines.next().unwrap(), "Maria Rossi,IT,,,,,,,,");
}

#[test]
fn custom_columns_by_name_and_number_and_semicolons() {
    let c = Case::new();
    c.write("in.txt", "Kunde;Firma;Land\nK1;Sugon Information Industry Co., Ltd.;CN\n".as_bytes());
    let mut o = c.opts("in.txt", "out.txt");
    o.delimiter = Some(b';');
    o.name_column = Some("firma".parse().unwrap());
    o.country_column = Some(ColumnRef::Index(3));
    o.id_column = Some("Kunde".parse().unwrap());
    let s = run(&small_set(), &o);
    assert!(s.header, "a header naming the requested column is detected");
    assert_eq!(s.columns.name, "Firma");
    assert_eq!(s.columns.country.as_deref(), Some("Land"));
    assert_eq!(s.columns.id.as_deref(), Some("Kunde"));
    assert_eq!(s.alerts, 1);
    let out = read(&c.path("out.txt"));
    assert!(
        out.lines().nth(1).unwrap().starts_with("K1;Sugon Information Industry Co., Ltd.;CN;Sugon")
    );

    // A column that is not there stops the run with a message naming what exists.
    let mut o = c.opts("in.txt", "out.txt");
    o.delimiter = Some(b';');
    o.name_column = Some("company".parse().unwrap());
    let screener = Screener::new(&small_set().lists);
    let err = screen_file(&screener, &small_set(), &o, None).unwrap_err().to_string();
    assert!(
        err.ends_with("name column `company` not found; the header has: `Kunde`, `Firma`, `Land`"),
        "{err}"
    );
}

#[test]
fn chinese_header_names_are_detected() {
    let c = Case::new();
    c.write("in.csv", "编号,客户名称,国家\n1,Rosoboronexport,RU\n".as_bytes());
    let s = run(&small_set(), &c.opts("in.csv", "out.csv"));
    assert_eq!(s.columns.name, "客户名称");
    assert_eq!(s.columns.country.as_deref(), Some("国家"));
    assert_eq!(s.columns.id.as_deref(), Some("编号"));
    assert_eq!(s.alerts, 1);
}

#[test]
fn malformed_csv_rows_go_to_the_errors_file_with_their_lines() {
    let c = Case::new();
    let mut input = Vec::new();
    input.extend_from_slice(b"customer_id,customer_name,country\n"); // 1
    input.extend_from_slice(b"C1,Huawei Technologies Co., Ltd.,CN\n"); // 2: 4 fields
    input.extend_from_slice(b"C2,\"Multi\nline name\",DE\n"); // 3-4: fine
    input.extend_from_slice(b"C3,Bad\xFF Bytes,DE\n"); // 5: invalid UTF-8
    input.extend_from_slice(b"C4,\"Rosoboronexport,RU\n"); // 6: unterminated quote
    input.extend_from_slice(b"C5,\"Sugon Information Industry Co., Ltd.\",CN\n"); // 7
    input.extend_from_slice(b"C6,,CN\n"); // 8: empty name
    input.extend_from_slice(b"C7,Rosoboronexport,RU\n"); // 9
    c.write("in.csv", &input);
    let s = run(&small_set(), &c.opts("in.csv", "out.csv"));
    assert_eq!((s.rows, s.screened, s.errors, s.alerts), (7, 3, 4, 2));
    assert_eq!(s.outcome(), Outcome::AlertsAndRowErrors);
    assert_eq!(s.exit_code(), 4);
    insta::assert_snapshot!(read(&c.path("out.errors.csv")), @r#"
    line,kind,message,content
    2,wrong_column_count,"wrong column count: 4 fields, expected 3","C1,Huawei Technologies Co., Ltd.,CN"
    5,invalid_utf8,invalid UTF-8 in column 2 at byte 4,"C3,Bad� Bytes,DE"
    6,unterminated_quote,"unterminated quote: a quoted field opened on line 6 ran to line 7, leaving 4 fields where 3 are expected","C4,""Rosoboronexport,RU
    C5,""Sugon Information Industry Co., Ltd."",CN"
    8,empty_name,name is empty,"C6,,CN"
    "#);
    let out = read(&c.path("out.csv"));
    let ids: Vec<&str> = out.lines().skip(1).map(|l| l.split(',').next().unwrap()).collect();
    // C2's name spans two lines; its second line starts with "line name".
    assert_eq!(ids, vec!["C2", "line name\"", "C5", "C7"]);
}

#[test]
fn jsonl_in_jsonl_out_with_bad_lines_reported() {
    let c = Case::new();
    let mut input = Vec::new();
    input.extend_from_slice(
        b"{\"id\":1,\"company\":\"Rosoboronexport\",\"country\":\"RU\",\"note\":\"x\"}\n",
    );
    input.extend_from_slice(b"{\"id\":2,\"company\":\"Maria Rossi\"\n"); // bad JSON
    input.extend_from_slice(b"\n"); // blank: skipped
    input.extend_from_slice(b"[1,2]\n"); // not an object
    input.extend_from_slice(b"{\"id\":3,\"company\":\"\xFF\"}\n"); // invalid UTF-8
    input.extend_from_slice(b"{\"id\":4,\"country\":\"CN\"}\n"); // no name
    input.extend_from_slice(b"{\"id\":5,\"company\":\"Maria Rossi\"}\n");
    c.write("in.jsonl", &input);
    let s = run(&small_set(), &c.opts("in.jsonl", "out.jsonl"));
    assert_eq!(s.format, Format::Jsonl);
    assert_eq!(s.columns.name, "company");
    assert_eq!((s.rows, s.screened, s.errors, s.alerts), (6, 2, 4, 1));
    let hash = entry_hash(&small_set().lists[0].entries[2]);
    let out = read(&c.path("out.jsonl")).replace(&hash, "<T3>");
    insta::assert_snapshot!(out, @r#"
    {"id":1,"company":"Rosoboronexport","country":"RU","note":"x","earl_hit_name":"Rosoboronexport","earl_matched_name":"Rosoboronexport","earl_score":1.0,"earl_alert":true,"earl_list":"test_list","earl_entry_id":"T3","earl_entry_hash":"<T3>","earl_review":null}
    {"id":5,"company":"Maria Rossi","earl_hit_name":null,"earl_matched_name":null,"earl_score":null,"earl_alert":false,"earl_list":null,"earl_entry_id":null,"earl_entry_hash":null,"earl_review":null}
    "#);
    let errors = read(&c.path("out.errors.jsonl"));
    let kinds: Vec<(u64, String)> = errors
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (v["line"].as_u64().unwrap(), v["kind"].as_str().unwrap().to_owned())
        })
        .collect();
    assert_eq!(
        kinds,
        vec![
            (2, "bad_json".to_owned()),
            (4, "not_an_object".to_owned()),
            (5, "invalid_utf8".to_owned()),
            (6, "missing_name".to_owned()),
        ]
    );
}

#[test]
fn unusable_input_is_reported_as_such() {
    let c = Case::new();
    // Every row has the wrong width: nothing could be screened.
    c.write("in.csv", b"name,country\na,b,c\nd,e,f\n");
    let s = run(&small_set(), &c.opts("in.csv", "out.csv"));
    assert_eq!((s.rows, s.screened), (2, 0));
    assert_eq!(s.outcome(), Outcome::Unusable);
    assert_eq!(s.exit_code(), 2);

    c.write("empty.csv", b"");
    let screener = Screener::new(&small_set().lists);
    let err =
        screen_file(&screener, &small_set(), &c.opts("empty.csv", "o.csv"), None).unwrap_err();
    assert!(err.to_string().ends_with("empty.csv: input is empty"), "{err}");

    // The output must not overwrite the input.
    let err = screen_file(&screener, &small_set(), &c.opts("in.csv", "in.csv"), None).unwrap_err();
    assert!(err.to_string().starts_with("invalid option output:"), "{err}");
    assert_eq!(read(&c.path("in.csv")), "name,country\na,b,c\nd,e,f\n");

    c.write("noname.csv", b"foo,bar\n1,2\n");
    let mut o = c.opts("noname.csv", "o.csv");
    o.header = HeaderMode::Present;
    let err = screen_file(&screener, &small_set(), &o, None).unwrap_err().to_string();
    assert!(err.contains("no name column found in the header (`foo`, `bar`)"), "{err}");
}

#[test]
fn row_errors_without_alerts_exit_three() {
    let c = Case::new();
    c.write("in.csv", b"name,country\nMaria Rossi,IT\nJan Novak,CZ,extra\n");
    let s = run(&small_set(), &c.opts("in.csv", "out.csv"));
    assert_eq!((s.rows, s.screened, s.errors, s.alerts), (2, 1, 1, 0));
    assert_eq!(s.outcome(), Outcome::RowErrors);
    assert_eq!(s.exit_code(), 3);
}

#[test]
fn clean_file_exits_zero_and_summary_renders() {
    let c = Case::new();
    c.write("in.csv", b"name,country\nMaria Rossi,IT\nJan Novak,CZ\n");
    let mut s = run(&small_set(), &c.opts("in.csv", "out.csv"));
    assert_eq!(s.exit_code(), 0);
    s.seconds = 0.5;
    s.rows_per_second = 4.0;
    let text = s.render_text().replace(c.dir.path().to_str().unwrap(), "<dir>");
    insta::assert_snapshot!(text, @r"
    screen-file: 2 rows of <dir>/in.csv in 0.5 s (4 rows/s)
      columns:        name `name`, country `country`
      alerts:         0 (score >= 0.80)
      row errors:     0
      output:         <dir>/out.csv (2 rows)
      result:         clean (exit 0)
    ");
}

/// Many rows, small chunks, two threads, result reuse: output order is input order, and
/// equals a one-thread run without reuse byte for byte.
#[test]
fn output_order_is_input_order_under_parallelism() {
    let c = Case::new();
    let names = [
        "Huawei Technologies Co., Ltd.",
        "Maria Rossi",
        "Sugon Information Industry Co., Ltd.",
        "Nordic Logistics GmbH",
        "Rosoboronexport",
        "深圳市华信电子有限公司",
    ];
    let mut input = String::from("id,name\n");
    for i in 0..3000 {
        input.push_str(&format!("R{i},\"{}\"\n", names[(i * 7 + i / 5) % names.len()]));
    }
    c.write("in.csv", input.as_bytes());
    let mut par = c.opts("in.csv", "par.csv");
    par.chunk_rows = 37;
    par.threads = Some(2);
    let mut seq = c.opts("in.csv", "seq.csv");
    seq.threads = Some(1);
    seq.chunk_rows = 100_000;
    seq.cache_names = 0;
    let set = small_set();
    let screener = Screener::new(&set.lists);
    let a = screen_file(&screener, &set, &par, None).unwrap();
    let b = screen_file(&screener, &set, &seq, None).unwrap();
    assert_eq!((a.rows, a.alerts), (b.rows, b.alerts));
    // The parallel run reused results of repeated names; the sequential one had no cache.
    assert!(a.reused > 2900, "{}", a.reused);
    assert_eq!(b.reused, 0);
    let out = read(&c.path("par.csv"));
    assert_eq!(out, read(&c.path("seq.csv")));
    let ids: Vec<String> =
        out.lines().skip(1).map(|l| l.split(',').next().unwrap().to_owned()).collect();
    let expected: Vec<String> = (0..3000).map(|i| format!("R{i}")).collect();
    assert_eq!(ids, expected);
}

fn reviews_file(c: &Case, rows: &[&str]) -> PathBuf {
    let mut text = String::from("customer_id,list,entry_id,decision,reviewer,date\n");
    for r in rows {
        text.push_str(r);
        text.push('\n');
    }
    c.write("reviews.csv", text.as_bytes())
}

fn audit<'a>(store: &'a SqliteStore) -> ReviewAudit<'a> {
    ReviewAudit {
        store,
        caller: "cli:test".into(),
        rules_version: "test".into(),
        engine_version: "0.1.0".into(),
        lists: vec![],
    }
}

fn field(out: &str, row: usize, col: &str) -> String {
    let mut rdr = csv::Reader::from_reader(out.as_bytes());
    let header = rdr.headers().unwrap().clone();
    let i = header.iter().position(|h| h == col).unwrap();
    rdr.records().nth(row).unwrap().unwrap().get(i).unwrap().to_owned()
}

#[test]
fn false_positive_suppresses_until_the_entry_changes() {
    let c = Case::new();
    c.write("in.csv", b"customer_id,name\nC1,Rosoboronexport\nC2,Rosoboronexport\n");
    let reviews = reviews_file(&c, &["C1,test_list,T3,false positive,alice,2025-01-10"]);
    let store = SqliteStore::open(c.path("audit.db")).unwrap();
    let set = small_set();
    let screener = Screener::new(&set.lists);

    // First run: the review is new, recorded in the audit log, and suppresses C1's hit only.
    let r = Reviews::load(&reviews, &screener, Some(&audit(&store))).unwrap();
    assert_eq!((r.sync.reviews, r.sync.recorded, r.sync.already_recorded), (1, 1, 0));
    let s = screen_file(&screener, &set, &c.opts("in.csv", "out1.csv"), Some(&r)).unwrap();
    assert_eq!((s.alerts, s.suppressed, s.stale_reviews), (1, 1, 0));
    let out = read(&c.path("out1.csv"));
    assert_eq!(field(&out, 0, "earl_alert"), "false");
    assert_eq!(field(&out, 0, "earl_review"), "false_positive by alice on 2025-01-10");
    assert_eq!(field(&out, 1, "earl_alert"), "true");
    assert_eq!(field(&out, 1, "earl_review"), "");

    // Second run, same lists: nothing new is recorded, the hit stays suppressed.
    let r = Reviews::load(&reviews, &screener, Some(&audit(&store))).unwrap();
    assert_eq!((r.sync.recorded, r.sync.already_recorded), (0, 1));
    assert_eq!(store.count().unwrap(), 1);
    let s = screen_file(&screener, &set, &c.opts("in.csv", "out2.csv"), Some(&r)).unwrap();
    assert_eq!((s.alerts, s.suppressed), (1, 1));

    // The entry changes (a new footnote): the review pinned in the audit log no longer
    // matches, the hit alerts again and says why.
    let mut changed = small_set();
    changed.lists[0].entries[2].footnotes = vec![4];
    let screener2 = Screener::new(&changed.lists);
    let r = Reviews::load(&reviews, &screener2, Some(&audit(&store))).unwrap();
    assert_eq!(r.sync.recorded, 0);
    let s = screen_file(&screener2, &changed, &c.opts("in.csv", "out3.csv"), Some(&r)).unwrap();
    assert_eq!((s.alerts, s.suppressed, s.stale_reviews), (2, 0, 1));
    let out = read(&c.path("out3.csv"));
    assert_eq!(field(&out, 0, "earl_alert"), "true");
    let old = entry_hash(&small_set().lists[0].entries[2]);
    let new = entry_hash(&changed.lists[0].entries[2]);
    assert_eq!(
        field(&out, 0, "earl_review"),
        format!(
            "stale: false_positive by alice on 2025-01-10 was for entry version {old}, entry is now {new}"
        )
    );
    assert_eq!(store.count().unwrap(), 1, "reviews are recorded once");
}

#[test]
fn review_hash_from_the_file_pins_the_version_without_an_audit_log() {
    let c = Case::new();
    c.write("in.csv", b"customer_id,name\nC1,Rosoboronexport\n");
    let set = small_set();
    let hash = entry_hash(&set.lists[0].entries[2]);
    let text = format!(
        "customer_id,list,entry_id,decision,reviewer,date,entry_hash\nC1,test_list,T3,false_positive,bob,2025-02-01,{hash}\n"
    );
    let reviews = c.write("reviews.csv", text.as_bytes());
    let mut changed = small_set();
    changed.lists[0].entries[2]
        .aliases
        .push(earl_lists::Alias { name: "Rosoboron".into(), kind: earl_lists::AliasKind::Aka });
    for (lists, suppressed) in [(&set, true), (&changed, false)] {
        let screener = Screener::new(&lists.lists);
        let r = Reviews::load(&reviews, &screener, None).unwrap();
        let s = screen_file(&screener, lists, &c.opts("in.csv", "out.csv"), Some(&r)).unwrap();
        assert_eq!(s.suppressed == 1, suppressed);
        assert_eq!(s.alerts == 1, !suppressed);
    }
}

#[test]
fn a_suppressed_hit_does_not_hide_the_next_alerting_one() {
    let c = Case::new();
    c.write("in.csv", b"customer_id,name\nC1,Huawei Technologies Co. Ltd\n");
    let set = small_set();
    let screener = Screener::new(&set.lists);
    let reviews = reviews_file(
        &c,
        &[
            "C1,test_list,T1,false_positive,alice,2025-01-10",
            "C1,other_list,O1,true match,carol,2025-01-11",
        ],
    );
    let r = Reviews::load(&reviews, &screener, None).unwrap();
    let s = screen_file(&screener, &set, &c.opts("in.csv", "out.csv"), Some(&r)).unwrap();
    assert_eq!((s.alerts, s.suppressed, s.true_matches), (1, 1, 1));
    let out = read(&c.path("out.csv"));
    assert_eq!(field(&out, 0, "earl_list"), "other_list");
    assert_eq!(field(&out, 0, "earl_review"), "true_match by carol on 2025-01-11");
}

#[test]
fn bad_review_files_name_the_line_and_field() {
    let c = Case::new();
    let set = small_set();
    let screener = Screener::new(&set.lists);
    let p = reviews_file(&c, &["C1,test_list,T3,maybe,alice,2025-01-10"]);
    let err = Reviews::load(&p, &screener, None).unwrap_err().to_string();
    assert!(
        err.ends_with(
            "line 2: field `decision`: `maybe` is not a decision (false_positive or true_match)"
        ),
        "{err}"
    );
    let p = reviews_file(&c, &["C1,test_list,T3,true_match,alice,10/01/2025"]);
    let err = Reviews::load(&p, &screener, None).unwrap_err().to_string();
    assert!(
        err.ends_with("line 2: field `date`: `10/01/2025` is not a date (YYYY-MM-DD)"),
        "{err}"
    );
    let p = c.write("r.jsonl", b"{\"customer_id\":\"C1\",\"list\":\"test_list\",\"entry_id\":\"T3\",\"decision\":\"true_match\",\"date\":\"2025-01-10\"}\n");
    let err = Reviews::load(&p, &screener, None).unwrap_err().to_string();
    assert!(err.ends_with("line 1: field `reviewer` is missing or empty"), "{err}");
}
