//! `PropertiesSerializer` format 1: `AuthenticationProperties.Items` as .NET writes them, alone
//! (OAuth/OIDC `state`, through `PropertiesDataFormat`) or at the end of every ticket.
//!
//! ```text
//! properties = i32 1                          ; any other version: .NET returns null
//!              i32 count                      ; negative: .NET throws (dictionary capacity)
//!              (str key, str value) × count   ; null written as ""; a repeated key throws
//! ```
//!
//! `i32` is little-endian; `str` is a 7-bit length (LEB128 of the UTF-8 byte count) and the bytes
//! ([`dp_format::dotnet_binary`]). Items are written in the dictionary's order, which is the
//! order [`AuthenticationProperties`] keeps.
//!
//! The helpers here (strings with U+FFFD replacement noted, counts checked before allocating,
//! key/value dictionaries) are also what [`super::ticket`] reads claims with.

use dp_format::FormatError;
use dp_format::dotnet_binary::{BinaryReader, BinaryWriter};

use crate::limits::{MAX_PAYLOAD, MAX_PROPERTIES, MIN_PROPERTY_LEN};
use crate::wire::DecodeReport;
use crate::{AspNetError, AuthenticationProperties};

/// The only format version .NET writes and reads.
pub const FORMAT_VERSION: i32 = 1;

/// Decodes stand-alone properties (OAuth/OIDC `state`).
///
/// Bytes after the dictionary are accepted, as .NET accepts them, and counted in
/// [`DecodeReport::trailing_bytes`].
///
/// # Errors
/// [`AspNetError::LimitExceeded`] for input above [`MAX_PAYLOAD`] or more than
/// [`MAX_PROPERTIES`] items; [`AspNetError::UnsupportedPropertiesVersion`] for a version other
/// than 1 (alone, unlike inside a ticket, there is nothing left to return);
/// [`AspNetError::NegativeCount`] / [`AspNetError::CountExceedsData`] for an impossible count;
/// [`AspNetError::DuplicateKey`] for a repeated key; [`AspNetError::Format`] for truncated input
/// or a malformed string length.
pub fn decode(bytes: &[u8]) -> Result<(AuthenticationProperties, DecodeReport), AspNetError> {
    check_payload_len(bytes, "properties")?;
    let mut r = BinaryReader::new(bytes);
    let mut report = DecodeReport::default();
    let version = r.i32("properties version")?;
    if version != FORMAT_VERSION {
        return Err(AspNetError::UnsupportedPropertiesVersion(version));
    }
    let properties = read_items(&mut r, &mut report, &STANDALONE_PROPERTIES)?;
    report.trailing_bytes = r.remaining();
    Ok((properties, report))
}

/// Encodes stand-alone properties, byte for byte as .NET's `PropertiesSerializer` does.
///
/// # Errors
/// [`AspNetError::InvalidArgument`] for a string of 2 GiB or more, which .NET cannot write
/// either.
pub fn encode(properties: &AuthenticationProperties) -> Result<Vec<u8>, AspNetError> {
    let mut w = BinaryWriter::with_capacity(len_hint(properties));
    write(&mut w, properties)?;
    Ok(w.into_bytes())
}

/// Reads embedded properties the way a ticket does: a version other than 1 yields `None` after
/// the version, exactly where .NET stops reading (everything after it is then trailing).
pub(crate) fn read_embedded(
    r: &mut BinaryReader<'_>,
    report: &mut DecodeReport,
) -> Result<Option<AuthenticationProperties>, AspNetError> {
    let version = r.i32("properties version")?;
    if version != FORMAT_VERSION {
        report.ignored_properties_version = Some(version);
        return Ok(None);
    }
    read_items(r, report, &TICKET_PROPERTIES).map(Some)
}

/// Writes `properties` with its version, as a ticket embeds them and as they stand alone.
pub(crate) fn write(
    w: &mut BinaryWriter,
    properties: &AuthenticationProperties,
) -> Result<(), AspNetError> {
    w.i32(FORMAT_VERSION);
    write_pairs(
        w,
        properties
            .items()
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str())),
    )
}

/// A generous estimate of [`write`]'s output, so the writer allocates once.
pub(crate) fn len_hint(properties: &AuthenticationProperties) -> usize {
    properties.items().iter().fold(8, |n, (k, v)| {
        n.saturating_add(str_len_hint(k))
            .saturating_add(str_len_hint(v))
    })
}

/// The encoded size of a string: at most 5 length bytes plus the text.
pub(crate) fn str_len_hint(s: &str) -> usize {
    s.len().saturating_add(5)
}

/// How one dictionary names its fields in errors.
pub(crate) struct PairFields {
    /// The count, for count errors and [`AspNetError::LimitExceeded`].
    pub(crate) count: &'static str,
    /// A key, for truncation errors.
    pub(crate) key: &'static str,
    /// A value, for truncation errors.
    pub(crate) value: &'static str,
    /// What [`AspNetError::DuplicateKey`] names.
    pub(crate) duplicate: &'static str,
}

/// A ticket's properties.
const TICKET_PROPERTIES: PairFields = PairFields {
    count: "ticket property count",
    key: "ticket property key",
    value: "ticket property value",
    duplicate: "ticket property",
};

/// Properties on their own.
const STANDALONE_PROPERTIES: PairFields = PairFields {
    count: "property count",
    key: "property key",
    value: "property value",
    duplicate: "property",
};

/// One claim's properties.
pub(crate) const CLAIM_PROPERTIES: PairFields = PairFields {
    count: "claim property count",
    key: "claim property key",
    value: "claim property value",
    duplicate: "claim property",
};

/// The dictionary after the version, as [`AuthenticationProperties`].
fn read_items(
    r: &mut BinaryReader<'_>,
    report: &mut DecodeReport,
    fields: &PairFields,
) -> Result<AuthenticationProperties, AspNetError> {
    let items = read_pairs(r, report, fields)?;
    // `read_pairs` already refused repeated keys; this only re-states that invariant.
    AuthenticationProperties::from_items(items).ok_or(AspNetError::DuplicateKey {
        field: fields.duplicate,
    })
}

/// A count then that many `(str key, str value)` pairs, refusing repeated keys as .NET's
/// `Dictionary.Add` does (ordinal, case-sensitive).
pub(crate) fn read_pairs(
    r: &mut BinaryReader<'_>,
    report: &mut DecodeReport,
    fields: &PairFields,
) -> Result<Vec<(String, String)>, AspNetError> {
    let count = read_count(r, fields.count, MIN_PROPERTY_LEN, MAX_PROPERTIES)?;
    let mut pairs = Vec::with_capacity(count);
    for _ in 0..count {
        let key = read_string(r, report, fields.key)?;
        let value = read_string(r, report, fields.value)?;
        pairs.push((key, value));
    }
    if has_duplicate_key(&pairs) {
        return Err(AspNetError::DuplicateKey {
            field: fields.duplicate,
        });
    }
    Ok(pairs)
}

/// Whether two pairs share a key. Sorting references keeps a hostile 1024-key dictionary cheap
/// (a quadratic scan would not be); duplicates are found once the dictionary is read, so a
/// dictionary that is both repeated and truncated reports the truncation.
fn has_duplicate_key(pairs: &[(String, String)]) -> bool {
    if pairs.len() < 2 {
        return false;
    }
    let mut keys: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
    keys.sort_unstable();
    keys.windows(2).any(|w| matches!(w, [a, b] if a == b))
}

/// Writes a count and the pairs.
pub(crate) fn write_pairs<'p>(
    w: &mut BinaryWriter,
    pairs: impl ExactSizeIterator<Item = (&'p str, &'p str)>,
) -> Result<(), AspNetError> {
    w.i32(count_i32(pairs.len())?);
    for (key, value) in pairs {
        write_string(w, key)?;
        write_string(w, value)?;
    }
    Ok(())
}

/// Reads an `i32` count and checks it before the caller allocates: not negative (.NET would
/// throw, or loop until the data ends), not more items than the bytes left could hold at
/// `min_item_len` each, and not above `max`. The data check comes first, so
/// [`AspNetError::LimitExceeded`] means the items were really there.
pub(crate) fn read_count(
    r: &mut BinaryReader<'_>,
    field: &'static str,
    min_item_len: usize,
    max: usize,
) -> Result<usize, AspNetError> {
    let count = r.i32(field)?;
    let count = usize::try_from(count).map_err(|_| AspNetError::NegativeCount { field })?;
    if count > r.remaining() / min_item_len.max(1) {
        return Err(AspNetError::CountExceedsData { field });
    }
    if count > max {
        return Err(AspNetError::LimitExceeded {
            what: field,
            limit: max,
        });
    }
    Ok(count)
}

/// `ReadString`, noting a U+FFFD replacement in the report (.NET replaces silently).
pub(crate) fn read_string(
    r: &mut BinaryReader<'_>,
    report: &mut DecodeReport,
    field: &'static str,
) -> Result<String, AspNetError> {
    let s = r.string(field)?;
    report.replaced_invalid_utf8 |= s.replaced_invalid_utf8;
    Ok(s.text.into_owned())
}

/// `Write(string)`; a string .NET could not write either becomes [`AspNetError::InvalidArgument`]
/// (the caller's value, not malformed input).
pub(crate) fn write_string(w: &mut BinaryWriter, s: &str) -> Result<(), AspNetError> {
    match w.string(s) {
        Ok(_) => Ok(()),
        Err(FormatError::LimitExceeded { .. }) => Err(AspNetError::InvalidArgument(
            "a string of 2 GiB or more cannot be written",
        )),
        Err(e) => Err(AspNetError::Format(e)),
    }
}

/// A count as .NET's `Write(int)` carries it.
pub(crate) fn count_i32(n: usize) -> Result<i32, AspNetError> {
    i32::try_from(n)
        .map_err(|_| AspNetError::InvalidArgument("more items than a 32-bit count can carry"))
}

/// Refuses input above [`MAX_PAYLOAD`] before reading any of it.
pub(crate) fn check_payload_len(bytes: &[u8], what: &'static str) -> Result<(), AspNetError> {
    if bytes.len() > MAX_PAYLOAD {
        return Err(AspNetError::LimitExceeded {
            what,
            limit: MAX_PAYLOAD,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test code: a panic is a test failure")]

    use super::*;

    fn props(pairs: &[(&str, &str)]) -> AuthenticationProperties {
        AuthenticationProperties::from_items(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        )
        .unwrap()
    }

    #[test]
    fn round_trips_in_order() {
        let p = props(&[(".redirect", "/home"), (".xsrf", "abc"), ("", "")]);
        let bytes = encode(&p).unwrap();
        assert_eq!(
            hex::encode(&bytes),
            "010000000300000009\
             2e7265646972656374052f686f6d65052e78737266036162630000"
        );
        let (back, report) = decode(&bytes).unwrap();
        assert_eq!(back, p);
        assert!(report.is_clean());
    }

    #[test]
    fn wrong_version_alone_is_an_error() {
        let bytes = [2, 0, 0, 0, 0, 0, 0, 0];
        assert!(matches!(
            decode(&bytes),
            Err(AspNetError::UnsupportedPropertiesVersion(2))
        ));
    }

    #[test]
    fn hostile_counts() {
        let negative = [1, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF];
        assert!(matches!(
            decode(&negative),
            Err(AspNetError::NegativeCount {
                field: "property count"
            })
        ));
        // Three pairs announced, four bytes left: at most two empty pairs fit.
        let too_many = [1, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0];
        assert!(matches!(
            decode(&too_many),
            Err(AspNetError::CountExceedsData {
                field: "property count"
            })
        ));
        let mut over_cap = vec![1, 0, 0, 0];
        over_cap.extend_from_slice(&1025i32.to_le_bytes());
        over_cap.resize(over_cap.len() + 2 * 1025, 0);
        assert!(matches!(
            decode(&over_cap),
            Err(AspNetError::LimitExceeded {
                what: "property count",
                limit: 1024
            })
        ));
    }

    #[test]
    fn duplicate_keys_are_refused() {
        let bytes = [1, 0, 0, 0, 2, 0, 0, 0, 1, b'a', 0, 1, b'a', 1, b'x'];
        assert!(matches!(
            decode(&bytes),
            Err(AspNetError::DuplicateKey { field: "property" })
        ));
    }

    #[test]
    fn payload_cap() {
        let big = vec![0u8; MAX_PAYLOAD + 1];
        assert!(matches!(
            decode(&big),
            Err(AspNetError::LimitExceeded {
                what: "properties",
                limit: MAX_PAYLOAD
            })
        ));
    }

    #[test]
    fn trailing_bytes_and_invalid_utf8_are_reported() {
        let bytes = [1, 0, 0, 0, 1, 0, 0, 0, 1, 0xFF, 0, 7, 7];
        let (p, report) = decode(&bytes).unwrap();
        assert_eq!(p.get("\u{FFFD}"), Some(""));
        assert_eq!(report.trailing_bytes, 2);
        assert!(report.replaced_invalid_utf8);
    }
}
