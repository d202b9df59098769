//! Placeholder: implemented in a following commit.

use super::{ImportError, ListTarget, Parsed};

/// Parse the format.
pub fn parse(_list: &ListTarget, _files: &OfacFiles<'_>) -> Result<Parsed, ImportError> {
    Err(ImportError::new(
        super::Format::EarlJsonl,
        super::Location::Input,
        None,
        "format not implemented yet",
    ))
}

/// The OFAC file set.
pub struct OfacFiles<'a> {
    /// Primary file.
    pub prim: &'a [u8],
}

impl<'a> OfacFiles<'a> {
    /// Only the primary file.
    pub fn primary(prim: &'a [u8]) -> Self {
        OfacFiles { prim }
    }
}
