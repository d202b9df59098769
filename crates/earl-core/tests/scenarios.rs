//! Data-driven scenarios: one test per file in `tests/scenarios/`, each file a list of named
//! cases with a transaction and the expected verdict, exception, policy, notification,
//! cited rules and missing facts. Every failing case is reported by name.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test harness helpers outside #[test] fns"
)]

mod common;

use earl_core::{InputError, NoScreener, PartyScreener, Transaction, check};
use serde_json::Value;

fn tx_value(case: &toml::Table, defaults: Option<&Value>) -> Result<Value, String> {
    let v = match case.get("tx") {
        Some(toml::Value::String(s)) => {
            serde_json::from_str::<Value>(s).map_err(|e| format!("tx is not JSON: {e}"))?
        }
        Some(t @ toml::Value::Table(_)) => serde_json::to_value(t).map_err(|e| e.to_string())?,
        _ => return Err("missing `tx`".into()),
    };
    match (defaults, v) {
        (Some(Value::Object(d)), Value::Object(mut m)) => {
            for (k, dv) in d {
                m.entry(k.clone()).or_insert_with(|| dv.clone());
            }
            Ok(Value::Object(m))
        }
        (_, v) => Ok(v),
    }
}

fn strs(case: &toml::Table, key: &str) -> Option<Vec<String>> {
    case.get(key)
        .and_then(|v| v.as_array())
        .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_owned)).collect())
}

fn opt_str_expect(case: &toml::Table, key: &str) -> Option<Option<String>> {
    case.get(key)
        .and_then(|v| v.as_str())
        .map(|s| if s == "none" { None } else { Some(s.to_owned()) })
}

fn run_case(case: &toml::Table, defaults: Option<&Value>) -> Result<(), String> {
    let rules = common::rules();
    let catalog = common::catalog();
    let default_screener = common::screener();
    let screener: &dyn PartyScreener = match case.get("screener").and_then(|v| v.as_str()) {
        Some("none") => &NoScreener,
        _ => &default_screener,
    };
    let raw = match case.get("raw").and_then(|v| v.as_str()) {
        Some(r) => r.to_owned(),
        None => tx_value(case, defaults)?.to_string(),
    };
    let parsed: Result<Transaction, InputError> = Transaction::from_json(&raw);
    if let Some(field) = case.get("error_field").and_then(|v| v.as_str()) {
        return match parsed {
            Ok(_) => Err(format!("expected an input error on `{field}`, got a transaction")),
            Err(e) if e.field != field => Err(format!("expected error on `{field}`, got `{e}`")),
            Err(e) => match case.get("error_contains").and_then(|v| v.as_str()) {
                Some(c) if !e.message.contains(c) => {
                    Err(format!("error `{e}` does not contain `{c}`"))
                }
                _ => Ok(()),
            },
        };
    }
    let tx = parsed.map_err(|e| format!("input error: {e}"))?;
    let d = check(&tx, &rules, &catalog, screener);
    let mut errs: Vec<String> = Vec::new();
    let cited: Vec<&str> = d.reasons.iter().map(|r| r.rule.as_str()).collect();
    if let Some(v) = case.get("verdict").and_then(|v| v.as_str())
        && d.verdict.as_str() != v
    {
        errs.push(format!("verdict: expected {v}, got {}", d.verdict.as_str()));
    }
    if let Some(e) = opt_str_expect(case, "exception")
        && d.license_exception != e
    {
        errs.push(format!("exception: expected {e:?}, got {:?}", d.license_exception));
    }
    if let Some(e) = strs(case, "exceptions")
        && d.license_exceptions != e
    {
        errs.push(format!("exceptions: expected {e:?}, got {:?}", d.license_exceptions));
    }
    if let Some(p) = opt_str_expect(case, "policy") {
        let got = d.review_policy.map(|p| p.as_str().to_owned());
        if got != p {
            errs.push(format!("policy: expected {p:?}, got {got:?}"));
        }
    }
    if let Some(n) = case.get("notification").and_then(|v| v.as_bool())
        && d.notification_required != n
    {
        errs.push(format!("notification: expected {n}, got {}", d.notification_required));
    }
    for r in strs(case, "rules").unwrap_or_default() {
        if !cited.contains(&r.as_str()) {
            errs.push(format!("rule `{r}` not cited (cited: {cited:?})"));
        }
    }
    for r in strs(case, "not_rules").unwrap_or_default() {
        if cited.contains(&r.as_str()) {
            errs.push(format!("rule `{r}` cited but should not be"));
        }
    }
    if let Some(m) = strs(case, "missing") {
        let got: Vec<&str> = d.missing_facts.iter().map(|m| m.field.as_str()).collect();
        let mut want: Vec<&str> = m.iter().map(String::as_str).collect();
        want.sort();
        let mut g = got.clone();
        g.sort();
        g.dedup();
        if g != want {
            errs.push(format!("missing: expected {want:?}, got {g:?}"));
        }
    }
    if let Some(e) = strs(case, "eccn") {
        let got: Vec<&str> = d.items.iter().map(|i| i.eccn.as_str()).collect();
        if got != e.iter().map(String::as_str).collect::<Vec<_>>() {
            errs.push(format!("eccn: expected {e:?}, got {got:?}"));
        }
    }
    if let Some(t) = case.get("tpp").and_then(|v| v.as_array()) {
        let got: Vec<Option<f64>> = d.items.iter().map(|i| i.tpp).collect();
        let want: Vec<Option<f64>> =
            t.iter().map(|x| x.as_float().or_else(|| x.as_integer().map(|i| i as f64))).collect();
        if got != want {
            errs.push(format!("tpp: expected {want:?}, got {got:?}"));
        }
    }
    if let Some(v) = case.get("verified").and_then(|v| v.as_bool()) {
        // Every reason citing a listed rule must carry this verified flag.
        for r in strs(case, "verified_rules").unwrap_or_default() {
            for reason in d.reasons.iter().filter(|x| x.rule == r) {
                if reason.verified != v {
                    errs.push(format!("reason `{r}` verified = {}, expected {v}", reason.verified));
                }
            }
        }
    }
    if let Some(text) = case.get("text_contains").and_then(|v| v.as_str())
        && !d.to_text().contains(text)
    {
        errs.push(format!("text does not contain `{text}`"));
    }
    // Invariant for every case: no reason cites a rule not in force on the date.
    for r in &d.reasons {
        match rules.meta(&r.rule) {
            None => errs.push(format!("reason cites unknown rule `{}`", r.rule)),
            Some(m) if !m.in_force(tx.date) => {
                errs.push(format!("reason cites `{}` not in force on {}", r.rule, tx.date))
            }
            _ => {}
        }
    }
    if errs.is_empty() { Ok(()) } else { Err(format!("{}\n{}", errs.join("\n"), d.to_text())) }
}

fn run_file(name: &str) {
    let path = format!("{}/tests/scenarios/{name}.toml", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let doc: toml::Table = toml::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    let defaults = doc.get("defaults").and_then(|d| d.get("tx")).map(|t| match t {
        toml::Value::String(s) => {
            serde_json::from_str::<Value>(s).unwrap_or_else(|e| panic!("{path}: defaults.tx: {e}"))
        }
        other => serde_json::to_value(other).unwrap_or(Value::Null),
    });
    let cases =
        doc.get("case").and_then(|c| c.as_array()).unwrap_or_else(|| panic!("{path}: no [[case]]"));
    let mut failures = Vec::new();
    let mut names = std::collections::BTreeSet::new();
    for (i, c) in cases.iter().enumerate() {
        let c = c.as_table().unwrap_or_else(|| panic!("{path}: case {i} is not a table"));
        let name = c.get("name").and_then(|v| v.as_str()).unwrap_or("(unnamed)").to_owned();
        assert!(names.insert(name.clone()), "{path}: duplicate case name `{name}`");
        if let Err(e) = run_case(c, defaults.as_ref()) {
            failures.push(format!("--- case `{name}`:\n{e}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases in {name}.toml failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    println!("{name}.toml: {} cases passed", cases.len());
}

macro_rules! scenario_files {
    ($($name:ident),* $(,)?) => { $( #[test] fn $name() { run_file(stringify!($name)); } )* };
}

scenario_files!(
    thresholds,
    vintages,
    destinations,
    headquarters,
    exceptions,
    entity_list,
    end_uses,
    informed_letters,
    foundry,
    review_policy_2026,
    ai_diffusion,
    bad_input,
    catalog,
);
