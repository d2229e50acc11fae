//! One module per command group.

pub(crate) mod bench;
pub(crate) mod capi;
pub(crate) mod envelope;
pub(crate) mod inspect;
pub(crate) mod key_files;
pub(crate) mod keys;
pub(crate) mod protect;

use dp_keyring::Timestamp;

use crate::error::CliError;

/// Parses an RFC 3339 instant given on the command line.
pub(crate) fn parse_instant(text: &str, flag: &str) -> Result<Timestamp, CliError> {
    Timestamp::parse_xml(text).map_err(|_| {
        CliError::usage(format!("{flag}: `{text}` is not an RFC 3339 date and time"))
            .with_hint("for example 2026-12-01T00:00:00Z")
    })
}
