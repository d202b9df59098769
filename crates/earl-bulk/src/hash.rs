//! Short content hashes of list entries, so a review can pin the version it looked at.

use earl_lists::Entry;

/// Hex digits kept: 48 bits, enough that two versions of one entry never collide in practice
/// while staying readable in a spreadsheet.
const HASH_HEX_LEN: usize = 12;

/// Short content hash of an entry: the first 12 hex digits of BLAKE3 over the entry's canonical
/// snapshot JSON (the `.jsonl` line of the bundled format). Any change to any field (name,
/// aliases, addresses, footnotes, license policy, citations...) changes it.
pub fn entry_hash(entry: &Entry) -> String {
    // Serialising our own plain data types cannot fail; an empty body would still hash.
    let bytes = serde_json::to_vec(entry).unwrap_or_default();
    let mut hex = blake3::hash(&bytes).to_hex().to_string();
    hex.truncate(HASH_HEX_LEN);
    hex
}

#[cfg(test)]
mod tests {
    use super::*;
    use earl_lists::ListId;

    #[test]
    fn any_field_change_changes_the_hash() {
        let a = Entry::new(ListId::from("el"), "1", "Sugon");
        let h = entry_hash(&a);
        assert_eq!(h.len(), 12);
        assert_eq!(h, entry_hash(&a.clone()));
        let mut b = a.clone();
        b.footnotes.push(4);
        assert_ne!(entry_hash(&b), h);
        let mut c = a.clone();
        c.license_policy = Some("Presumption of denial".into());
        assert_ne!(entry_hash(&c), h);
    }
}
