//! Prometheus text exposition (format 0.0.4), kept in memory. Small enough not to need a
//! metrics crate: counters and fixed-bucket histograms behind one mutex each.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds (seconds) of the latency histogram buckets.
const BUCKETS: [f64; 14] =
    [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

#[derive(Default)]
struct Inner {
    /// (route, method, status) -> count
    requests: BTreeMap<(String, String, u16), u64>,
    /// route -> latency histogram
    latency: BTreeMap<String, Histogram>,
    /// kind -> records appended
    decisions: BTreeMap<String, u64>,
    /// endpoint -> names screened
    screened: BTreeMap<String, u64>,
    /// endpoint -> names with at least one alerting hit
    alerted: BTreeMap<String, u64>,
}

/// The server's metrics registry.
#[derive(Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
}

impl Metrics {
    fn with<R>(&self, f: impl FnOnce(&mut Inner) -> R) -> Option<R> {
        // A poisoned metrics lock only loses metrics; never fail a request over it.
        self.inner.lock().ok().map(|mut g| f(&mut g))
    }

    /// Counts one finished request and its latency.
    pub fn observe_request(&self, route: &str, method: &str, status: u16, elapsed: Duration) {
        let secs = elapsed.as_secs_f64();
        self.with(|m| {
            let n = m.requests.entry((route.to_owned(), method.to_owned(), status)).or_default();
            *n = n.saturating_add(1);
            let h = m.latency.entry(route.to_owned()).or_default();
            for (bound, count) in BUCKETS.iter().zip(h.counts.iter_mut()) {
                if secs <= *bound {
                    *count = count.saturating_add(1);
                }
            }
            h.count = h.count.saturating_add(1);
            h.sum += secs;
        });
    }

    /// Counts one audit record appended.
    pub fn decision_recorded(&self, kind: &str) {
        self.with(|m| {
            let n = m.decisions.entry(kind.to_owned()).or_default();
            *n = n.saturating_add(1);
        });
    }

    /// Counts names screened through `endpoint` and how many of them alerted.
    pub fn screened(&self, endpoint: &str, names: u64, alerts: u64) {
        self.with(|m| {
            let n = m.screened.entry(endpoint.to_owned()).or_default();
            *n = n.saturating_add(names);
            let a = m.alerted.entry(endpoint.to_owned()).or_default();
            *a = a.saturating_add(alerts);
        });
    }

    /// Renders everything; `info_labels` become one `earl_data_info` gauge.
    pub fn render(&self, info_labels: &[(String, String)], audit_head_seq: Option<u64>) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP earl_data_info Versions of the engine, rule data and lists in use."
        );
        let _ = writeln!(out, "# TYPE earl_data_info gauge");
        let labels: Vec<String> =
            info_labels.iter().map(|(k, v)| format!("{k}=\"{}\"", escape_label(v))).collect();
        let _ = writeln!(out, "earl_data_info{{{}}} 1", labels.join(","));
        if let Some(seq) = audit_head_seq {
            let _ = writeln!(
                out,
                "# HELP earl_audit_head_seq Sequence number of the newest audit record."
            );
            let _ = writeln!(out, "# TYPE earl_audit_head_seq gauge");
            let _ = writeln!(out, "earl_audit_head_seq {seq}");
        }
        self.with(|m| {
            let _ = writeln!(out, "# HELP earl_http_requests_total HTTP requests by route, method and status.");
            let _ = writeln!(out, "# TYPE earl_http_requests_total counter");
            for ((route, method, status), n) in &m.requests {
                let _ = writeln!(
                    out,
                    "earl_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{status}\"}} {n}",
                    escape_label(route),
                    escape_label(method)
                );
            }
            let _ = writeln!(out, "# HELP earl_http_request_duration_seconds Request latency by route.");
            let _ = writeln!(out, "# TYPE earl_http_request_duration_seconds histogram");
            for (route, h) in &m.latency {
                let route = escape_label(route);
                for (bound, count) in BUCKETS.iter().zip(h.counts.iter()) {
                    let _ = writeln!(
                        out,
                        "earl_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {count}"
                    );
                }
                let _ = writeln!(
                    out,
                    "earl_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                    h.count
                );
                let _ = writeln!(out, "earl_http_request_duration_seconds_sum{{route=\"{route}\"}} {}", h.sum);
                let _ = writeln!(out, "earl_http_request_duration_seconds_count{{route=\"{route}\"}} {}", h.count);
            }
            let _ = writeln!(out, "# HELP earl_decisions_recorded_total Audit records appended by kind.");
            let _ = writeln!(out, "# TYPE earl_decisions_recorded_total counter");
            for (kind, n) in &m.decisions {
                let _ = writeln!(out, "earl_decisions_recorded_total{{kind=\"{}\"}} {n}", escape_label(kind));
            }
            let _ = writeln!(out, "# HELP earl_screened_names_total Names screened by endpoint.");
            let _ = writeln!(out, "# TYPE earl_screened_names_total counter");
            for (endpoint, n) in &m.screened {
                let _ = writeln!(out, "earl_screened_names_total{{endpoint=\"{}\"}} {n}", escape_label(endpoint));
            }
            let _ = writeln!(out, "# HELP earl_screening_alerts_total Screened names with an alerting hit.");
            let _ = writeln!(out, "# TYPE earl_screening_alerts_total counter");
            for (endpoint, n) in &m.alerted {
                let _ = writeln!(out, "earl_screening_alerts_total{{endpoint=\"{}\"}} {n}", escape_label(endpoint));
            }
        });
        out
    }
}

/// Escapes a label value: backslash, double quote and newline, per the exposition format.
fn escape_label(v: &str) -> String {
    v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_are_cumulative_and_labels_escaped() {
        let m = Metrics::default();
        m.observe_request("/v1/screen", "GET", 200, Duration::from_millis(3));
        m.observe_request("/v1/screen", "GET", 200, Duration::from_millis(30));
        m.observe_request("/v1/screen", "GET", 400, Duration::from_micros(100));
        m.decision_recorded("screen");
        m.screened("single", 2, 1);
        let text = m.render(&[("rules_version".into(), "a\"b".into())], Some(7));
        assert!(text.contains("earl_data_info{rules_version=\"a\\\"b\"} 1"), "{text}");
        assert!(text.contains(
            "earl_http_requests_total{route=\"/v1/screen\",method=\"GET\",status=\"200\"} 2"
        ));
        assert!(text.contains("le=\"0.0005\"} 1"), "{text}");
        assert!(text.contains("le=\"0.005\"} 2"), "{text}");
        assert!(text.contains("le=\"0.05\"} 3"), "{text}");
        assert!(text.contains("le=\"+Inf\"} 3"), "{text}");
        assert!(text.contains("earl_decisions_recorded_total{kind=\"screen\"} 1"));
        assert!(text.contains("earl_screening_alerts_total{endpoint=\"single\"} 1"));
        assert!(text.contains("earl_audit_head_seq 7"));
    }
}
