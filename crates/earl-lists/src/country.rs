//! Country codes: validation, display names, and mapping the country names lists write to
//! ISO 3166-1 alpha-2 codes.

use std::collections::HashMap;
use std::sync::OnceLock;

#[path = "country_table.rs"]
mod table;

fn fold(name: &str) -> String {
    // Lists differ in case, accents and punctuation ("Cote d'Ivoire", "Korea, South").
    name.chars()
        .filter_map(|c| match c {
            'é' | 'è' | 'ê' | 'É' => Some('e'),
            'ô' | 'ö' | 'Ô' => Some('o'),
            'ü' | 'Ü' => Some('u'),
            'ç' => Some('c'),
            'ã' | 'å' | 'á' => Some('a'),
            'í' => Some('i'),
            c if c.is_alphanumeric() => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}

fn by_name() -> &'static HashMap<String, &'static str> {
    static MAP: OnceLock<HashMap<String, &'static str>> = OnceLock::new();
    MAP.get_or_init(|| {
        let mut m = HashMap::new();
        for (code, display, names) in table::COUNTRIES {
            m.insert(fold(display), *code);
            for n in *names {
                m.insert(fold(n), *code);
            }
        }
        m
    })
}

/// Whether `code` is a known ISO 3166-1 alpha-2 code (upper case), or `XK`.
pub fn is_known_code(code: &str) -> bool {
    table::COUNTRIES.iter().any(|(c, _, _)| *c == code)
}

/// Display name of a code, e.g. `CN` -> `China`.
pub fn display_name(code: &str) -> Option<&'static str> {
    table::COUNTRIES.iter().find(|(c, _, _)| *c == code).map(|(_, d, _)| *d)
}

/// Map a country name as a list writes it (or an alpha-2 code in any case) to its code.
pub fn code_from_name(name: &str) -> Option<&'static str> {
    let trimmed = name.trim().trim_end_matches('.');
    if trimmed.len() == 2 {
        let upper = trimmed.to_ascii_uppercase();
        if let Some((c, _, _)) = table::COUNTRIES.iter().find(|(c, _, _)| *c == upper) {
            return Some(c);
        }
    }
    by_name().get(&fold(trimmed)).copied()
}

/// All known codes, sorted.
pub fn all_codes() -> impl Iterator<Item = &'static str> {
    table::COUNTRIES.iter().map(|(c, _, _)| *c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_spellings_map_to_codes() {
        assert_eq!(code_from_name("Burma"), Some("MM"));
        assert_eq!(code_from_name("Korea, South"), Some("KR"));
        assert_eq!(code_from_name("Hong Kong"), Some("HK"));
        assert_eq!(code_from_name("Macau"), Some("MO"));
        assert_eq!(code_from_name("Türkiye"), Some("TR"));
        assert_eq!(code_from_name("Turkey"), Some("TR"));
        assert_eq!(code_from_name("Crimea Region of Ukraine"), Some("UA"));
        assert_eq!(code_from_name("cn"), Some("CN"));
        assert_eq!(code_from_name("Atlantis"), None);
    }

    #[test]
    fn codes_validate() {
        assert!(is_known_code("CN"));
        assert!(is_known_code("XK"));
        assert!(!is_known_code("ZZ"));
        assert!(!is_known_code("cn"));
        assert_eq!(display_name("MO"), Some("Macau"));
    }
}
