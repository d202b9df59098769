//! Human-readable rendering of screening results.

use std::fmt::Write as _;

use earl_engine::{Engine, ScreenRequest, ScreenResponse};
use earl_screen::Hit;

/// Render hits for a terminal: one block per hit with the entry's export-control fields and
/// the token alignment that produced the score.
pub fn render_hits(engine: &Engine, req: &ScreenRequest, resp: &ScreenResponse) -> String {
    let mut s = String::new();
    let _ = write!(s, "Screening \"{}\"", resp.query);
    if let Some(c) = &req.country {
        let _ = write!(s, ", country {c}");
    }
    if let Some(d) = &req.date {
        let _ = write!(s, ", on {d}");
    }
    let lists = engine.lists();
    let _ = writeln!(s, " against {} lists ({} entries)", lists.lists.len(), lists.entry_count());
    let alerts = resp.hits.iter().filter(|h| h.alert).count();
    if resp.hits.is_empty() {
        let _ = writeln!(s, "No hits.");
        return s;
    }
    let _ = writeln!(
        s,
        "{} hit(s), {} alert(s) (alert threshold {:.2})\n",
        resp.hits.len(),
        alerts,
        earl_screen::DEFAULT_ALERT_THRESHOLD
    );
    for (i, hit) in resp.hits.iter().enumerate() {
        render_hit(&mut s, i + 1, hit);
    }
    s
}

fn render_hit(s: &mut String, n: usize, hit: &Hit) {
    let flag = if hit.alert { "ALERT" } else { "  -  " };
    let _ = writeln!(s, "{n:>2}. {flag} {:.3}  {}  [{}] {}", hit.score, hit.name, hit.list, hit.id);
    if hit.matched_name != hit.name {
        let _ = writeln!(
            s,
            "           matched {} \"{}\"",
            hit.explanation.matched_via, hit.matched_name
        );
    }
    let e = &hit.entry;
    let mut facts = Vec::new();
    if let Some(c) = &e.country {
        facts.push(c.clone());
    }
    if let Some(d) = e.listed_on {
        facts.push(format!("listed {d}"));
    }
    if let Some(fr) = e.federal_register.first() {
        facts.push(fr.cite.clone());
    }
    if !e.footnotes.is_empty() {
        let f: Vec<String> = e.footnotes.iter().map(u8::to_string).collect();
        facts.push(format!("footnote {}", f.join(",")));
    }
    if !facts.is_empty() {
        let _ = writeln!(s, "           {}", facts.join(" · "));
    }
    if let Some(req) = &e.license_requirement {
        let _ = writeln!(s, "           license requirement: {req}");
    }
    if let Some(pol) = &e.license_policy {
        let _ = writeln!(s, "           review policy: {pol}");
    }
    let pairs: Vec<String> = hit
        .explanation
        .aligned
        .iter()
        .map(|p| {
            let how = serde_json::to_value(p.how)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            if p.query == p.list {
                format!("{} ({how})", p.query)
            } else {
                format!("{} ~ {} ({how})", p.query, p.list)
            }
        })
        .collect();
    if !pairs.is_empty() {
        let _ = writeln!(s, "           aligned: {}", pairs.join(", "));
    }
    let extra: Vec<&str> =
        hit.explanation.unmatched_query.iter().map(|u| u.token.as_str()).collect();
    if !extra.is_empty() {
        let _ = writeln!(s, "           query words not in the list name: {}", extra.join(", "));
    }
    let missing: Vec<&str> =
        hit.explanation.unmatched_list.iter().map(|u| u.token.as_str()).collect();
    if !missing.is_empty() {
        let _ = writeln!(s, "           list words not in the query: {}", missing.join(", "));
    }
    s.push('\n');
}
