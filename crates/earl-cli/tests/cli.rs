//! End-to-end tests of the `earl` binary on the bundled data: what a user types, what they see,
//! and the exit code. Each test uses its own data directory.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test helpers fail loudly")]

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

fn earl(data_dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("earl").unwrap();
    cmd.arg("--data-dir").arg(data_dir).env_remove("EARL_DATA_DIR");
    cmd
}

fn workspace_file(rel: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(rel)
}

fn json_out(cmd: &mut Command) -> Value {
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn check_h100_to_shenzhen_requires_a_license_with_citations() {
    let dir = tempfile::tempdir().unwrap();
    let v = json_out(
        earl(dir.path())
            .arg("check")
            .arg(workspace_file("examples/h100-to-shenzhen.json"))
            .arg("--json"),
    );
    assert_eq!(v["verdict"], "license_required");
    assert_eq!(v["items"][0]["eccn"], "3A090.a");
    assert_eq!(v["items"][0]["tpp"], 15832.0);
    let reasons = v["reasons"].as_array().unwrap();
    assert!(reasons.iter().any(|r| r["citation"].as_str().unwrap().contains("742.6(a)(6)")));
    assert!(reasons.iter().all(|r| r["verified"].is_boolean() && r["source"].is_string()));
    let lists = v["data"]["lists"].as_array().unwrap();
    assert!(lists.iter().any(|l| l["list"] == "us_bis_entity_list" && l["sha256"].as_str().unwrap().len() == 64));
    assert!(v["data"]["rules_version"].as_str().unwrap().contains('+'));
}

#[test]
fn check_text_output_names_verdict_and_rules() {
    let dir = tempfile::tempdir().unwrap();
    let out = earl(dir.path())
        .arg("check")
        .arg(workspace_file("examples/h100-to-shenzhen.json"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("VERDICT: license_required"), "{text}");
    assert!(text.contains("TPP"), "{text}");
    assert!(text.contains("15 CFR"), "{text}");
}

#[test]
fn check_reads_standard_input() {
    let dir = tempfile::tempdir().unwrap();
    let tx =
        r#"{"date": "2023-01-10", "destination": "DE", "items": [{"product": "nvidia-h100-sxm"}]}"#;
    let v = json_out(earl(dir.path()).args(["check", "-", "--json"]).write_stdin(tx));
    assert_eq!(v["verdict"], "no_license_required");
    assert!(!v["reasons"].as_array().unwrap().is_empty(), "a clear answer still says why");
}

#[test]
fn entity_list_party_requires_a_license_even_for_ear99() {
    let dir = tempfile::tempdir().unwrap();
    let v = json_out(
        earl(dir.path())
            .arg("check")
            .arg(workspace_file("examples/entity-list-party.json"))
            .arg("--json"),
    );
    assert_eq!(v["verdict"], "license_required");
    let hits = v["parties"][0]["hits"].as_array().unwrap();
    assert!(
        hits.iter().any(|h| h["list"] == "us_bis_entity_list"
            && h["name"].as_str().unwrap().contains("SiCarrier"))
    );
}

#[test]
fn unusable_input_exits_2_and_names_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            r#"{"date": "2025-01-01", "destination": "XX", "items": [{"eccn": "EAR99"}]}"#,
            "destination",
        ),
        (r#"{"date": "2025-13-01", "destination": "CN", "items": [{"eccn": "EAR99"}]}"#, "date"),
        (
            r#"{"date": "2025-01-01", "destination": "CN", "items": [{"chip": {"tops": {"fp8": -5}}}]}"#,
            "items[0].chip.tops.fp8",
        ),
        (
            r#"{"date": "2025-01-01", "destination": "CN", "items": [{"product": "nvidia-h1000"}]}"#,
            "items[0].product",
        ),
        (r#"{"date": "2025-01-01", "destination": "CN", "items": [}"#, "line 1"),
    ];
    for (input, field) in cases {
        let out = earl(dir.path()).args(["check", "-"]).write_stdin(input).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{input}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.contains(field), "expected `{field}` in: {err}");
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn screen_finds_a_messy_erp_spelling_and_explains_it() {
    let dir = tempfile::tempdir().unwrap();
    let v = json_out(earl(dir.path()).args(["screen", "HUAWEI TECHNOLOGY CO LTD", "--json"]));
    assert_eq!(v["query"], "HUAWEI TECHNOLOGY CO LTD");
    let top = &v["hits"][0];
    assert_eq!(top["alert"], true);
    assert_eq!(top["list"], "us_bis_entity_list");
    assert!(top["name"].as_str().unwrap().starts_with("Huawei Technologies"));
    assert!(top["score"].as_f64().unwrap() <= 1.0);
    assert!(!top["explanation"]["aligned"].as_array().unwrap().is_empty());
}

#[test]
fn screen_respects_the_listing_date() {
    let dir = tempfile::tempdir().unwrap();
    let name = "Shenzhen SiCarrier Technologies Co., Ltd.";
    let before =
        json_out(earl(dir.path()).args(["screen", name, "--date", "2024-11-01", "--json"]));
    let after = json_out(earl(dir.path()).args(["screen", name, "--date", "2025-01-01", "--json"]));
    let sicarrier = |v: &Value| {
        v["hits"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["name"].as_str().unwrap().contains("SiCarrier"))
    };
    assert!(!sicarrier(&before), "listed 2024-12-05, must not hit on 2024-11-01");
    assert!(sicarrier(&after));
}

#[test]
fn batch_screening_keeps_order_and_reports_bad_lines() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("names.txt");
    // A byte-order mark and Windows line ends, as a spreadsheet export writes them.
    let mut bytes = "\u{feff}Zhong Ke Shu Guang\r\n{\"name\": \"Moore Threads Intelligent Tech (Beijing) Co Ltd\", \"country\": \"CN\"}\n".as_bytes().to_vec();
    bytes.extend_from_slice(b"bad \xff\xfe utf8\n{\"name\": \"x\", \"country\": \"ZZ\"}\nAcme Plumbing Supplies of Ohio\n");
    bytes.extend_from_slice("{\"query\": \"华为技术有限公司\"}\n".as_bytes());
    std::fs::write(&input, bytes).unwrap();
    let out = earl(dir.path())
        .args(["screen", "--format", "jsonl", "--input"])
        .arg(&input)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "bad lines give a non-zero exit");
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 6, "one output object per input line");
    assert_eq!(lines[0]["query"], "Zhong Ke Shu Guang");
    assert_eq!(lines[1]["query"], "Moore Threads Intelligent Tech (Beijing) Co Ltd");
    assert_eq!(lines[2]["line"], 3);
    assert!(lines[2]["error"].as_str().unwrap().contains("UTF-8"));
    assert!(lines[3]["error"].as_str().unwrap().contains("country"));
    assert_eq!(lines[4]["query"], "Acme Plumbing Supplies of Ohio");
    assert!(lines[4]["hits"].as_array().unwrap().iter().all(|h| h["alert"] == false));
    // An answer's own `query` key reads as the name.
    assert_eq!(lines[5]["query"], "华为技术有限公司");
    assert_eq!(lines[5]["hits"][0]["id"], "EL-CN-huawei-technologies-co-ltd");
    assert_eq!(lines[5]["hits"][0]["alert"], true);
}

#[test]
fn chips_timeline_and_classify() {
    let dir = tempfile::tempdir().unwrap();
    let out = earl(dir.path()).args(["chips", "--timeline"]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for id in ["nvidia-a100-sxm", "nvidia-h20", "huawei-ascend-910c"] {
        assert!(text.contains(id), "timeline lists {id}");
    }
    let v = json_out(earl(dir.path()).args([
        "classify",
        "nvidia-h20",
        "--date",
        "2025-05-05",
        "--json",
    ]));
    assert_eq!(v["eccn"], "not 3A090");
    let spec = dir.path().join("spec.json");
    std::fs::write(
        &spec,
        r#"{"tops": {"fp16": 150}, "die_area_mm2": 100, "datacenter": true, "planar": false}"#,
    )
    .unwrap();
    let v =
        json_out(earl(dir.path()).args(["classify", "--date", "2024-01-01", "--json"]).arg(&spec));
    // TPP 2400, density 24: 3A090.a.2 (TPP >= 1600 and density >= 5.92).
    assert_eq!(v["eccn"], "3A090.a");
    std::fs::write(&spec, r#"{"tops": {"fp16": "many"}}"#).unwrap();
    let out = earl(dir.path()).args(["classify", "--json"]).arg(&spec).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr).unwrap().contains("chip.tops.fp16"));
}

#[test]
fn lists_import_keeps_old_data_on_a_bad_file_and_overrides_on_a_good_one() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let bad = dir.path().join("dpl.txt");
    std::fs::write(&bad, "this is\tnot\ta DPL file\n").unwrap();
    let out =
        earl(&data).args(["lists", "import", "--format", "dpl-tsv"]).arg(&bad).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr).unwrap().contains("line"), "the error names the line");
    let lists = json_out(earl(&data).args(["lists", "--json"]));
    let dpl = lists.as_array().unwrap().iter().find(|l| l["id"] == "us_bis_dpl").unwrap().clone();
    assert_eq!(dpl["origin"], "bundled", "a failed import leaves the list in use");

    // Export the loaded lists, then import one list back as a user override.
    let export = dir.path().join("export");
    assert!(earl(&data).args(["lists", "export"]).arg(&export).output().unwrap().status.success());
    let meu = export.join("us_bis_meu.jsonl");
    let out = earl(&data)
        .args([
            "lists",
            "import",
            "--format",
            "earl-jsonl",
            "--list",
            "us_bis_meu",
            "--as-of",
            "2026-08-01",
        ])
        .arg(&meu)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let lists = json_out(earl(&data).args(["lists", "--json"]));
    let meu = lists.as_array().unwrap().iter().find(|l| l["id"] == "us_bis_meu").unwrap().clone();
    assert_eq!(meu["origin"], "imported");
    assert_eq!(meu["as_of"], "2026-08-01");
    let out = earl(&data).args(["lists", "reset", "us_bis_meu"]).output().unwrap();
    assert!(out.status.success());
    let lists = json_out(earl(&data).args(["lists", "--json"]));
    let meu = lists.as_array().unwrap().iter().find(|l| l["id"] == "us_bis_meu").unwrap().clone();
    assert_eq!(meu["origin"], "bundled");
}

#[test]
fn lists_diff_shows_added_removed_and_changed_entries() {
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("snap");
    assert!(
        earl(dir.path()).args(["lists", "export"]).arg(&export).output().unwrap().status.success()
    );
    // Edit the MEU list: drop the first entry, rename the second, add one.
    let path = export.join("us_bis_meu.jsonl");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut entries: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let removed = entries.remove(0);
    entries[0]["aliases"] = serde_json::json!([{"name": "Added Alias Co"}]);
    let mut added = entries[1].clone();
    added["id"] = "MEU-TEST-1".into();
    added["name"] = "Test Added Military End User Institute".into();
    entries.push(added);
    let body: String = entries.iter().map(|e| format!("{e}\n")).collect();
    std::fs::write(dir.path().join("us_bis_meu.jsonl"), body).unwrap();
    let v = json_out(
        earl(dir.path())
            .args(["lists", "diff", "bundled", "--json"])
            .arg(dir.path().join("us_bis_meu.jsonl")),
    );
    let d = &v[0]["diff"];
    assert_eq!(v[0]["list"], "us_bis_meu");
    assert_eq!(d["removed"][0]["id"], removed["id"]);
    assert_eq!(d["added"][0]["id"], "MEU-TEST-1");
    assert_eq!(d["changed"][0]["fields"][0]["field"], "aliases");
}

#[test]
fn recorded_decisions_verify_and_replay() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("audit.db");
    let out = earl(dir.path())
        .arg("check")
        .arg(workspace_file("examples/h20-2025.json"))
        .args(["--record", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let id =
        text.lines().last().unwrap().trim_end_matches('.').rsplit(' ').next().unwrap().to_owned();
    let out =
        earl(dir.path()).args(["screen", "Sugon", "--record", "--db"]).arg(&db).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let screen_id =
        text.lines().last().unwrap().trim_end_matches('.').rsplit(' ').next().unwrap().to_owned();
    let out = earl(dir.path()).args(["audit", "--db"]).arg(&db).arg("verify").output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8(out.stdout).unwrap().starts_with("OK: 2 records"));
    let v =
        json_out(earl(dir.path()).args(["audit", "--db"]).arg(&db).args(["replay", &id, "--json"]));
    assert_eq!(v["identical"], true, "{v}");
    assert_eq!(v["faithful"], true);
    let v = json_out(
        earl(dir.path()).args(["audit", "--db"]).arg(&db).args(["replay", &screen_id, "--json"]),
    );
    assert_eq!(v["kind"], "screen");
    assert_eq!(v["identical"], true, "{v}");
    let out = earl(dir.path()).args(["audit", "--db"]).arg(&db).arg("export").output().unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap().lines().count(), 2);
}

#[test]
fn screen_file_appends_hits_reports_bad_rows_and_sets_the_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("customers.csv");
    std::fs::write(
        &input,
        "customer_id,customer_name,country\n\
         C1,HUAWEI TECHNOLOGY CO LTD,CN\n\
         C2,Acme Plumbing Supplies of Ohio,US\n\
         C3,too,many,fields\n\
         C4,中科曙光,CN\n",
    )
    .unwrap();
    let output = dir.path().join("out.csv");
    let out = earl(dir.path())
        .args(["screen-file", "--progress", "never", "--date", "2025-06-01"])
        .arg(&input)
        .arg("-o")
        .arg(&output)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(4),
        "alerts and a row error: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&output).unwrap();
    let mut rows = csv::Reader::from_reader(text.as_bytes());
    let headers = rows.headers().unwrap().clone();
    assert_eq!(&headers[0], "customer_id");
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let records: Vec<csv::StringRecord> = rows.records().map(Result::unwrap).collect();
    let ids: Vec<&str> = records.iter().map(|r| &r[0]).collect();
    assert_eq!(ids, ["C1", "C2", "C4"], "input order, bad row left out");
    assert_eq!(&records[0][col("earl_alert")], "true");
    assert!(records[0][col("earl_hit_name")].starts_with("Huawei"));
    assert_eq!(&records[1][col("earl_alert")], "false");
    assert_eq!(&records[2][col("earl_alert")], "true", "Chinese-character name of Sugon");
    let errors = std::fs::read_to_string(dir.path().join("out.errors.csv")).unwrap();
    assert!(errors.contains(",4,") || errors.contains("\n4,"), "line 4 reported: {errors}");
}

#[test]
fn rescreen_finds_customers_of_added_and_removed_entries_only() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old");
    assert!(
        earl(dir.path()).args(["lists", "export"]).arg(&old).output().unwrap().status.success()
    );
    // The old snapshot lacks Sugon (so today's list "added" it) and has an entry today's list
    // does not (so it was "removed").
    let el = old.join("us_bis_entity_list.jsonl");
    let text = std::fs::read_to_string(&el).unwrap();
    let mut lines: Vec<String> =
        text.lines().filter(|l| !l.contains("\"name\":\"Sugon\"")).map(str::to_owned).collect();
    assert_eq!(lines.len() + 1, text.lines().count(), "exactly one Sugon entry removed");
    lines.push(
        serde_json::json!({"id": "EL-TEST-removed", "list": "us_bis_entity_list",
            "name": "Quartzline Vortex Trading Company", "country": "CN"})
        .to_string(),
    );
    let body: String = lines.iter().map(|l| format!("{l}\n")).collect();
    std::fs::write(&el, body).unwrap();
    // Re-seal the manifest so the edited snapshot loads.
    let manifest_path = old.join("manifest.json");
    let mut manifest: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(&manifest_path).unwrap()).unwrap();
    for m in &mut manifest {
        if m["id"] == "us_bis_entity_list" {
            let bytes = std::fs::read(&el).unwrap();
            m["sha256"] = sha256_hex(&bytes).into();
            m["entry_count"] = lines.len().into();
        }
    }
    std::fs::write(&manifest_path, serde_json::to_string_pretty(&manifest).unwrap()).unwrap();

    let input = dir.path().join("customers.csv");
    std::fs::write(
        &input,
        "id,name\nA,Zhongke Shuguang\nB,Quartzline Vortex Trading Co Ltd\nC,Huawei Technologies Co Ltd\nD,Acme Plumbing\n",
    )
    .unwrap();
    let output = dir.path().join("delta.csv");
    let out = earl(dir.path())
        .args(["rescreen", "--progress", "never", "--since"])
        .arg(&old)
        .arg(&input)
        .arg("-o")
        .arg(&output)
        .output()
        .unwrap();
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(&output).unwrap();
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let headers = rdr.headers().unwrap().clone();
    let change = headers.iter().position(|h| h == "earl_change").unwrap();
    let rows: Vec<(String, String)> = rdr
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].to_owned(), r[change].to_owned())
        })
        .collect();
    assert_eq!(
        rows,
        [("A".to_owned(), "added".to_owned()), ("B".to_owned(), "removed_entry".to_owned())],
        "Huawei did not change, so customer C is not re-reported"
    );
}

fn sha256_hex(bytes: &[u8]) -> String {
    earl_lists::snapshot::sha256_hex(bytes)
}

fn http_get(port: u16, path: &str, token: Option<&str>) -> Option<(u16, String)> {
    use std::io::{Read as _, Write as _};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    let auth = token.map(|t| format!("Authorization: Bearer {t}\r\n")).unwrap_or_default();
    write!(s, "GET {path} HTTP/1.1\r\nHost: localhost\r\n{auth}Connection: close\r\n\r\n").ok()?;
    let mut buf = String::new();
    s.read_to_string(&mut buf).ok()?;
    let status = buf.split_whitespace().nth(1)?.parse().ok()?;
    Some((status, buf))
}

#[test]
fn serve_requires_a_token_and_answers_with_one() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("audit.db");
    let out = earl(dir.path())
        .args(["token", "create", "--scope", "read", "--name", "ci-reader", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let token = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    assert!(token.starts_with("earl_"));

    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("earl"))
        .arg("--data-dir")
        .arg(dir.path())
        .args(["serve", "--addr", &format!("127.0.0.1:{port}"), "--db"])
        .arg(&db)
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut ready = false;
    for _ in 0..300 {
        if http_get(port, "/healthz", None).is_some_and(|(s, _)| s == 200) {
            ready = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let unauth = http_get(port, "/v1/screen?name=Huawei", None);
    let auth = http_get(port, "/v1/screen?name=Huawei%20Technologies%20Co%20Ltd", Some(&token));
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(ready, "server did not come up");
    assert_eq!(unauth.unwrap().0, 401);
    let (status, body) = auth.unwrap();
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("Huawei Technologies"), "{body}");
    // The screening was recorded under the token's name.
    let out = earl(dir.path())
        .args(["audit", "--db"])
        .arg(&db)
        .args(["log", "--kind", "screen"])
        .output()
        .unwrap();
    assert!(String::from_utf8(out.stdout).unwrap().contains("token:ci-reader"));
}

#[test]
fn reviewed_false_positive_is_suppressed_in_the_next_run_and_kept_in_the_audit_log() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("customers.csv");
    std::fs::write(
        &input,
        "customer_id,customer_name,country\nC1,HUAWEI TECHNOLOGY CO LTD,CN\nC4,中科曙光,CN\n",
    )
    .unwrap();
    let run = |out: &Path, reviews: Option<&Path>| {
        let mut cmd = earl(dir.path());
        cmd.args(["screen-file", "--progress", "never", "--date", "2025-06-01"])
            .arg(&input)
            .arg("-o")
            .arg(out);
        if let Some(r) = reviews {
            cmd.arg("--reviews").arg(r);
        }
        let o = cmd.output().unwrap();
        assert!(matches!(o.status.code(), Some(0 | 1)), "{}", String::from_utf8_lossy(&o.stderr));
        let text = std::fs::read_to_string(out).unwrap();
        let mut rdr = csv::Reader::from_reader(text.as_bytes());
        let headers = rdr.headers().unwrap().clone();
        let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
        (headers, rows, o.status.code())
    };
    let (headers, rows, code) = run(&dir.path().join("first.csv"), None);
    assert_eq!(code, Some(1), "both customers alert before any review");
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let c1 = &rows[0];
    assert_eq!(&c1[col("earl_alert")], "true");
    // The analyst clears C1's hit as a false positive.
    let reviews = dir.path().join("reviews.csv");
    std::fs::write(
        &reviews,
        format!(
            "customer_id,list,entry_id,decision,reviewer,date\nC1,{},{},false_positive,analyst.a,2025-06-02\n",
            &c1[col("earl_list")],
            &c1[col("earl_entry_id")]
        ),
    )
    .unwrap();
    let (headers, rows, code) = run(&dir.path().join("second.csv"), Some(&reviews));
    let col2 = |name: &str| headers.iter().position(|h| h == name).unwrap();
    // The cleared entry no longer stands as C1's hit; the same firm on another list is a
    // separate entry nobody reviewed, so it may still alert and must be shown.
    assert_ne!(
        (&rows[0][col2("earl_list")], &rows[0][col2("earl_entry_id")]),
        (&c1[col("earl_list")], &c1[col("earl_entry_id")]),
        "reviewed false positive suppressed"
    );
    assert_eq!(&rows[1][col2("earl_alert")], "true", "the unreviewed customer still alerts");
    assert_eq!(code, Some(1));
    // The review is a record of the audit log, and the chain verifies.
    let db = dir.path().join("audit.db");
    let out = earl(dir.path()).args(["audit", "--db"]).arg(&db).arg("export").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.lines().any(|l| l.contains("review") && l.contains("analyst.a")), "{text}");
    let out = earl(dir.path()).args(["audit", "--db"]).arg(&db).arg("verify").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
}
