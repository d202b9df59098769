//! Placeholder: implemented in a following commit.

use super::{ImportError, ListTarget, Parsed};

/// Parse the format.
pub fn parse(_list: &ListTarget, _bytes: &[u8]) -> Result<Parsed, ImportError> {
    Err(ImportError::new(
        super::Format::EarlJsonl,
        super::Location::Input,
        None,
        "format not implemented yet",
    ))
}
