//! Canonical JSON: the exact byte form that record hashes are computed over.
//!
//! The rules, so that any other implementation (a PostgreSQL backend, an auditor's script) can
//! reproduce a hash byte for byte:
//!
//! - No whitespace anywhere outside strings.
//! - Object members sorted by key, comparing keys as UTF-8 byte strings (the same order as
//!   Unicode code points). Keys are unique because they come from a parsed JSON object.
//! - Arrays keep their order.
//! - Strings: UTF-8, wrapped in `"`. Escaped are `"` as `\"`, `\` as `\\`, and the control
//!   characters U+0000..U+001F: `\b`, `\t`, `\n`, `\f`, `\r` for those five, `\u00xx` (lowercase
//!   hex) for the rest. Everything else, `/` and non-ASCII included, is written as is.
//! - `true`, `false`, `null` literally.
//! - Integers in plain decimal (`-` for negatives, no `+`, no leading zeros). Other numbers as
//!   the shortest decimal that reads back to the same IEEE-754 double (the `ryu` algorithm that
//!   `serde_json` uses): `1.5`, `0.1`, `1e-7`, `1.0` for a float that happens to be whole.

use serde_json::Value;

/// Returns the canonical JSON text of `value` (see the module docs for the rules).
pub fn to_canonical_string(value: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, value);
    out
}

fn write_value(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        // serde_json's Display for numbers is its serialised form (itoa / ryu).
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            // The workspace enables serde_json's `preserve_order`, so maps keep insertion order:
            // sort explicitly.
            let mut members: Vec<(&String, &Value)> = map.iter().collect();
            members.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push('{');
            for (i, (key, item)) in members.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(out, key);
                out.push(':');
                write_value(out, item);
            }
            out.push('}');
        }
    }
}

fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{08}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{0C}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if u32::from(c) < 0x20 => {
                out.push_str(&format!("\\u{:04x}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn sorts_keys_recursively_and_drops_whitespace() {
        let v: Value = serde_json::from_str(
            r#"{ "b": 1, "a": { "z": [3, 2, {"y": null, "x": true}], "m": "s" } }"#,
        )
        .unwrap();
        assert_eq!(
            to_canonical_string(&v),
            r#"{"a":{"m":"s","z":[3,2,{"x":true,"y":null}]},"b":1}"#
        );
    }

    #[test]
    fn key_order_is_byte_order_not_locale_order() {
        let v = json!({"a": 1, "B": 2, "é": 3, "_": 4, "aa": 5});
        // 'B' (0x42) < '_' (0x5f) < 'a' (0x61) < "aa" < 'é' (0xc3 0xa9).
        assert_eq!(to_canonical_string(&v), r#"{"B":2,"_":4,"a":1,"aa":5,"é":3}"#);
    }

    #[test]
    fn escapes_only_quotes_backslash_and_controls() {
        let v = json!("a\"b\\c/d\u{1}\n\t\u{1f}华为<script>");
        assert_eq!(to_canonical_string(&v), r#""a\"b\\c/d\u0001\n\t\u001f华为<script>""#);
    }

    #[test]
    fn numbers_use_plain_integers_and_shortest_floats() {
        let v: Value =
            serde_json::from_str("[0, -12, 18446744073709551615, 1.5, 0.1, 1e-7, 2.0, 1E3]")
                .unwrap();
        assert_eq!(to_canonical_string(&v), "[0,-12,18446744073709551615,1.5,0.1,1e-7,2.0,1000.0]");
    }

    proptest! {
        /// Canonical text parses back to the same value, and canonicalising is idempotent:
        /// a stored canonical text re-canonicalises to itself, which `verify` relies on.
        #[test]
        fn canonical_round_trips(v in arb_json()) {
            let text = to_canonical_string(&v);
            let back: Value = serde_json::from_str(&text).unwrap();
            prop_assert_eq!(&back, &v);
            prop_assert_eq!(to_canonical_string(&back), text);
        }
    }

    fn arb_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(|f| json!(f)),
            any::<String>().prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 32, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::btree_map(any::<String>(), inner, 0..6)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }
}
