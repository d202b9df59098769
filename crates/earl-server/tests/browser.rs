//! The web page in a real headless Chromium, driven over the W3C WebDriver protocol
//! (chromedriver), with a small HTTP client instead of a WebDriver crate.
//!
//! Needs Debian's `chromium` and `chromium-driver`; skips with a note when they are missing.
//! Screenshots go to `<target>/test-output/`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test setup fails loudly"
)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::engine;
use earl_server::{AppState, ServerConfig, serve_on};
use earl_store::{Scope, SqliteStore, TokenStore};
use serde_json::{Value, json};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

fn find_program(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in names {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

struct Driver {
    http: reqwest::Client,
    base: String,
    session: String,
    process: Child,
    shots: PathBuf,
}

impl Driver {
    async fn cmd(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}/session/{}{}", self.base, self.session, path);
        let mut req = self.http.request(method, &url);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap_or_else(|e| panic!("{url}: {e}"));
        let status = resp.status();
        let v: Value = resp.json().await.unwrap();
        assert!(status.is_success(), "{path}: {status} {v}");
        v["value"].clone()
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        self.cmd(reqwest::Method::POST, path, Some(body)).await
    }

    async fn js(&self, script: &str, args: Value) -> Value {
        self.post("/execute/sync", json!({"script": script, "args": args})).await
    }

    async fn find(&self, css: &str) -> String {
        let v = self.post("/element", json!({"using": "css selector", "value": css})).await;
        v[ELEMENT].as_str().unwrap_or_else(|| panic!("no element {css}: {v}")).to_owned()
    }

    async fn click(&self, css: &str) {
        let id = self.find(css).await;
        self.post(&format!("/element/{id}/click"), json!({})).await;
    }

    async fn type_into(&self, css: &str, text: &str) {
        let id = self.find(css).await;
        self.post(&format!("/element/{id}/clear"), json!({})).await;
        self.post(&format!("/element/{id}/value"), json!({"text": text})).await;
    }

    async fn text(&self, css: &str) -> String {
        let id = self.find(css).await;
        self.cmd(reqwest::Method::GET, &format!("/element/{id}/text"), None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Waits until `script` (a JS expression) is truthy.
    async fn wait_for(&self, what: &str, expr: &str) {
        let started = Instant::now();
        loop {
            let v = self.js(&format!("return Boolean({expr});"), json!([])).await;
            if v == Value::Bool(true) {
                return;
            }
            if started.elapsed() > Duration::from_secs(30) {
                let status = self
                    .js("return document.getElementById('status').textContent;", json!([]))
                    .await;
                self.screenshot(&format!("timeout-{}", what.replace(' ', "-"))).await;
                panic!("timed out waiting for {what} (page status: {status})");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn screenshot(&self, name: &str) {
        let b64 = self.cmd(reqwest::Method::GET, "/screenshot", None).await;
        let png = base64_decode(b64.as_str().unwrap());
        std::fs::create_dir_all(&self.shots).unwrap();
        std::fs::write(self.shots.join(format!("{name}.png")), png).unwrap();
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

fn base64_decode(s: &str) -> Vec<u8> {
    let val = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' => 62,
            b'/' => 63,
            _ => panic!("bad base64 byte {c}"),
        }
    };
    let bytes: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace() && *b != b'=').collect();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut n = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            n |= val(*c) << (18 - 6 * i);
        }
        let take = chunk.len().saturating_sub(1);
        for i in 0..take {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    out
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

async fn start_driver(chromedriver: &Path, chromium: &Path, profile: &Path) -> Driver {
    let port = free_port();
    let process = Command::new(chromedriver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let started = Instant::now();
    loop {
        if let Ok(r) = http.get(format!("{base}/status")).send().await
            && r.status().is_success()
        {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "chromedriver did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let caps = json!({"capabilities": {"alwaysMatch": {
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": chromium,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,2000",
                format!("--user-data-dir={}", profile.display()),
            ],
        },
    }}});
    let resp: Value = http
        .post(format!("{base}/session"))
        .json(&caps)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let session = resp["value"]["sessionId"]
        .as_str()
        .unwrap_or_else(|| panic!("no WebDriver session: {resp}"))
        .to_owned();
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .map_or_else(|| PathBuf::from("test-output"), |p| p.join("test-output"));
    Driver { http, base, session, process, shots }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn analyst_page_screens_checks_and_charts_in_chromium() {
    let chromium = find_program(&["chromium", "chromium-browser"]);
    let chromedriver = find_program(&["chromedriver"]);
    let (Some(chromium), Some(chromedriver)) = (chromium, chromedriver) else {
        eprintln!(
            "SKIPPED browser test: chromium and chromedriver are not installed \
             (apt-get install chromium chromium-driver)"
        );
        return;
    };

    let dir = tempfile::tempdir().unwrap();
    let cfg = ServerConfig::new(dir.path().join("audit.db"));
    let store = Arc::new(SqliteStore::open(&cfg.db_path).unwrap());
    let (token, _) = store.create_token("analyst-desk", Scope::Write).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = AppState::new(engine(), store, &cfg);
    tokio::spawn(serve_on(listener, state, std::future::pending()));

    let profile = dir.path().join("chromium-profile");
    let d = start_driver(&chromedriver, &chromium, &profile).await;
    d.post("/url", json!({"url": format!("http://{addr}/")})).await;
    d.wait_for("page script", "document.getElementById('token-state').textContent.length > 0")
        .await;

    // Token into sessionStorage.
    d.type_into("#token", &token).await;
    d.click("#token-form button").await;
    let stored = d.js("return sessionStorage.getItem('earl.token');", json!([])).await;
    assert_eq!(stored, Value::String(token.clone()));

    // Screening.
    d.type_into("#screen-name", "Huawei Technologies Co Ltd").await;
    d.click("#screen-submit").await;
    d.wait_for("screening hits", "document.querySelectorAll('#screen-results .hit').length > 0")
        .await;
    let top = d.text("#screen-results .hit .hit-name").await;
    assert!(top.to_lowercase().contains("huawei"), "top hit: {top}");
    let card = d.text("#screen-results .hit").await;
    assert!(card.contains("ALERT"), "{card}");
    assert!(card.contains("License requirement") || card.contains("Federal Register"), "{card}");
    d.screenshot("screening").await;

    // Hostile input shows as text and runs nothing.
    let hostile = "<script>window.__xss=1</script><img src=x onerror=\"window.__xss=2\">";
    d.type_into("#screen-name", hostile).await;
    d.click("#screen-submit").await;
    d.wait_for(
        "hostile query echoed",
        "document.querySelector('#screen-summary .query') && document.querySelector('#screen-summary .query').textContent.includes('<script>')",
    )
    .await;
    let shown = d.text("#screen-summary .query").await;
    assert_eq!(shown, hostile);
    let injected = d
        .js(
            "return [typeof window.__xss, document.querySelectorAll('main img, main script').length];",
            json!([]),
        )
        .await;
    assert_eq!(injected, json!(["undefined", 0]));

    // Transaction check: an H100 to China.
    d.click("#tabs button[data-tab=check]").await;
    d.wait_for("chip catalog", "document.querySelector('select.item-chip').options.length > 1")
        .await;
    d.js(
        "const s = document.querySelector('select.item-chip'); s.value = 'nvidia-h100-sxm'; \
         s.dispatchEvent(new Event('change')); document.getElementById('tx-date').value = '2025-06-01';",
        json!([]),
    )
    .await;
    d.type_into("#tx-destination", "CN").await;
    d.click("#check-submit").await;
    d.wait_for("verdict", "document.getElementById('verdict')").await;
    let verdict = d.text("#verdict").await;
    assert_eq!(verdict, "License required");
    let citations = d
        .js("return [...document.querySelectorAll('#check-result .citation')].map(e => e.textContent);", json!([]))
        .await;
    assert!(
        citations.as_array().unwrap().iter().any(|c| c.as_str().unwrap().contains("CFR")),
        "{citations}"
    );
    d.screenshot("check").await;

    // Chip chart.
    d.click("#tabs button[data-tab=chips]").await;
    d.wait_for("chart", "document.querySelectorAll('#chips-svg text.label').length > 3").await;
    let labels = d
        .js("return [...document.querySelectorAll('#chips-svg text.label')].map(e => e.textContent);", json!([]))
        .await;
    let labels: Vec<&str> =
        labels.as_array().unwrap().iter().map(|l| l.as_str().unwrap()).collect();
    assert!(labels.iter().any(|l| l.contains("H100")), "{labels:?}");
    assert!(labels.iter().any(|l| l.contains("H20")), "{labels:?}");
    let regions = d.js("return document.querySelectorAll('#chips-svg path.region-a, #chips-svg path.region-b').length;", json!([])).await;
    assert_eq!(regions, json!(2));
    d.screenshot("chips").await;

    // History shows the decisions just made.
    d.click("#tabs button[data-tab=history]").await;
    d.wait_for("history", "document.querySelectorAll('#history-table tbody tr').length >= 3").await;
    let rows = d.text("#history-table tbody").await;
    assert!(rows.contains("token:analyst-desk") && rows.contains("check"), "{rows}");
    d.screenshot("history").await;

    let _ = d.cmd(reqwest::Method::DELETE, "", None).await;
    eprintln!("browser screenshots in {}", d.shots.display());
}
