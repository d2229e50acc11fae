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

/// Parses an RFC 3339 instant given on the command line. The zone is required: an instant
/// without one would mean different things on different machines.
pub(crate) fn parse_instant(text: &str, flag: &str) -> Result<Timestamp, CliError> {
    let trimmed = text.trim();
    let has_zone = trimmed.ends_with(['Z', 'z'])
        || trimmed
            .get(trimmed.len().saturating_sub(6)..)
            .is_some_and(|tail| {
                tail.starts_with(['+', '-']) && tail.as_bytes().get(3) == Some(&b':')
            });
    let parsed = Timestamp::parse_xml(trimmed).ok().filter(|_| has_zone);
    parsed.ok_or_else(|| {
        CliError::usage(format!(
            "{flag}: `{text}` is not an RFC 3339 date and time with a zone (Z or ±hh:mm)"
        ))
        .with_hint("for example 2026-12-01T00:00:00Z or 2026-12-01T01:00:00+01:00")
    })
}
