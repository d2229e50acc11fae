//! One module per command group.

pub(crate) mod antiforgery;
pub(crate) mod bench;
pub(crate) mod capi;
pub(crate) mod cookie;
pub(crate) mod doctor;
pub(crate) mod envelope;
pub(crate) mod inspect;
pub(crate) mod key_files;
pub(crate) mod keys;
pub(crate) mod manpages;
pub(crate) mod protect;
pub(crate) mod purposes;

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

/// Parses a positive lifetime given on the command line (`15m`, `2h`, `14d`).
pub(crate) fn parse_lifetime(text: &str, flag: &str) -> Result<time::Duration, CliError> {
    if text.trim_start().starts_with('-') {
        return Err(CliError::usage(format!(
            "{flag}: `{text}` is negative: it must end after it starts"
        )));
    }
    let lifetime = humantime::parse_duration(text).map_err(|e| {
        CliError::usage(format!("{flag}: `{text}`: {e}")).with_hint("for example 15m, 2h or 7d")
    })?;
    if lifetime.is_zero() {
        return Err(CliError::usage(format!(
            "{flag}: `{text}` is zero: it would be expired when made"
        )));
    }
    time::Duration::try_from(lifetime)
        .map_err(|_| CliError::usage(format!("{flag}: `{text}` is too long")))
}
