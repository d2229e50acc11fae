//! The byte formats of ASP.NET Core's web artifacts, decoded and encoded byte for byte. No
//! cryptography here: these are the plaintexts that [`crate::TicketDataFormat`] and
//! [`crate::antiforgery`] protect.
//!
//! Every decoder checks counts and lengths against [`crate::limits`] and against the bytes left
//! before it allocates, and returns an [`AspNetError`](crate::AspNetError), never a panic.

pub mod antiforgery;
pub mod properties;
pub mod ticket;

/// What a decoder accepted, as .NET does, but a careful reader wants to know.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DecodeReport {
    /// Bytes after the end of the ticket or properties (.NET ignores them).
    pub trailing_bytes: usize,
    /// A string was not valid UTF-8 and was read with U+FFFD replacements (as .NET reads it);
    /// re-encoding will not give the same bytes.
    pub replaced_invalid_utf8: bool,
    /// The ticket's embedded properties had this format version instead of 1; .NET then builds
    /// the ticket with empty properties, and so do we.
    pub ignored_properties_version: Option<i32>,
}

impl DecodeReport {
    /// Whether anything was noted.
    pub fn is_clean(&self) -> bool {
        *self == Self::default()
    }
}
