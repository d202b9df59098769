//! API tokens: created once, shown once, stored only as a salted keyed hash.
//!
//! A token reads `earl_<id>_<secret>`: `<id>` is 12 hex characters that find the row, `<secret>`
//! is 64 hex characters (32 random bytes) that prove possession. The store keeps a random 32-byte
//! salt per token and `blake3::keyed_hash(salt, secret)`; checking compares hashes in constant
//! time ([`blake3::Hash`]'s equality), so neither the database nor timing gives the secret away.

use serde::{Deserialize, Serialize};

use crate::StoreError;

/// What a token may do. `Write` includes `Read`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Screening, classification, chips, lists, decision history.
    Read,
    /// Everything `Read` allows plus determinations, which write to the audit log.
    Write,
}

impl Scope {
    /// True when a token of this scope may do what `needed` requires.
    pub fn allows(self, needed: Scope) -> bool {
        self >= needed
    }

    /// `read` or `write`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Write => "write",
        }
    }
}

impl std::str::FromStr for Scope {
    type Err = StoreError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "read" => Ok(Scope::Read),
            "write" => Ok(Scope::Write),
            other => Err(StoreError::Invalid {
                field: "scope".into(),
                message: format!("`{other}` is not a scope (expected `read` or `write`)"),
            }),
        }
    }
}

/// What the store tells about a token (never the secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenInfo {
    /// Public id (the 12 hex characters after `earl_`).
    pub id: String,
    /// Unique human name; the audit log records callers as `token:<name>`.
    pub name: String,
    /// What the token may do.
    pub scope: Scope,
    /// RFC 3339 UTC creation time.
    pub created_at: String,
    /// RFC 3339 UTC revocation time, if revoked.
    pub revoked_at: Option<String>,
}

/// Token management. Implemented by [`crate::SqliteStore`].
pub trait TokenStore: Send + Sync {
    /// Creates a token; returns its plaintext (show it once, it cannot be recovered) and info.
    fn create_token(&self, name: &str, scope: Scope) -> Result<(String, TokenInfo), StoreError>;
    /// The token's info if `plaintext` is a live (not revoked) token.
    fn verify_token(&self, plaintext: &str) -> Result<Option<TokenInfo>, StoreError>;
    /// Every token, revoked ones included, oldest first.
    fn list_tokens(&self) -> Result<Vec<TokenInfo>, StoreError>;
    /// Revokes the token with this id or name; false if there was no live such token.
    fn revoke_token(&self, id_or_name: &str) -> Result<bool, StoreError>;
}

pub(crate) const ID_HEX_LEN: usize = 12;
pub(crate) const SECRET_HEX_LEN: usize = 64;

/// Checks a token name: 1..=64 characters from `A-Za-z0-9._-@`.
pub(crate) fn validate_name(name: &str) -> Result<(), StoreError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
    if ok {
        Ok(())
    } else {
        Err(StoreError::Invalid {
            field: "name".into(),
            message: format!(
                "token name `{name}` must be 1 to 64 characters of letters, digits, `.`, `_`, `-`, `@`"
            ),
        })
    }
}

/// Fills `buf` from the operating system's random source.
pub(crate) fn random_bytes(buf: &mut [u8]) -> Result<(), StoreError> {
    getrandom::fill(buf).map_err(|e| StoreError::Backend(format!("random source: {e}").into()))
}

/// Splits `earl_<id>_<secret>` into id and secret, checking the shape.
pub(crate) fn split_token(plaintext: &str) -> Option<(&str, &str)> {
    let rest = plaintext.strip_prefix("earl_")?;
    let (id, secret) = rest.split_once('_')?;
    let hex = |s: &str| s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    (id.len() == ID_HEX_LEN && secret.len() == SECRET_HEX_LEN && hex(id) && hex(secret))
        .then_some((id, secret))
}

/// The stored hash of a secret under a salt.
pub(crate) fn secret_hash(salt: &[u8; 32], secret: &str) -> blake3::Hash {
    blake3::keyed_hash(salt, secret.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_scope_implies_read() {
        assert!(Scope::Write.allows(Scope::Read));
        assert!(Scope::Write.allows(Scope::Write));
        assert!(Scope::Read.allows(Scope::Read));
        assert!(!Scope::Read.allows(Scope::Write));
    }

    #[test]
    fn token_shape_is_checked() {
        let secret = "a".repeat(64);
        let good = format!("earl_0123456789ab_{secret}");
        assert_eq!(split_token(&good), Some(("0123456789ab", secret.as_str())));
        assert_eq!(split_token(&good.to_uppercase()), None);
        assert_eq!(split_token(&format!("earl_0123456789a_{secret}")), None);
        assert_eq!(split_token(&format!("earl_0123456789ab_{secret}0")), None);
        assert_eq!(split_token(&format!("earx_0123456789ab_{secret}")), None);
        assert_eq!(split_token(""), None);
    }

    #[test]
    fn names_are_restricted() {
        assert!(validate_name("erp-prod_1@acme.example").is_ok());
        assert!(validate_name("").is_err());
        assert!(validate_name("has space").is_err());
        assert!(validate_name("<script>").is_err());
        assert!(validate_name(&"x".repeat(65)).is_err());
    }
}
