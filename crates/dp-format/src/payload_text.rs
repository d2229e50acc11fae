//! Payload text as people paste it, and which format some bytes are in.
//!
//! .NET writes a payload as base64url (`IDataProtector.Protect(string)`, cookies) or leaves the
//! base64 to the app (`Convert.ToBase64String(protector.Protect(bytes))`, standard alphabet with
//! padding). What reaches a command line has often been through a shell redirect, a browser's
//! developer tools or a configuration file, so [`decode_payload_text`] undoes, in this order:
//!
//! ```text
//! 1. a UTF-8 byte-order mark, or UTF-16 LE/BE text with its byte-order mark (PowerShell `>`)
//! 2. surrounding whitespace and quotes ("…", '…', “…”, ‘…’)
//! 3. a `Cookie:` or `Set-Cookie:` header, or `name=value` pairs separated by `;`: the cookie
//!    named, else the only one, else the only one whose value looks like a payload; a chunked
//!    cookie (`NAME=chunks-N; NAMEC1=…; …; NAMECN=…`, .NET's ChunkingCookieManager) is joined
//! 4. percent-encoding (`%2F`, `%3D`, …)
//! 5. whitespace and line breaks anywhere
//! 6. base64url or standard base64, with or without `=` padding
//! ```
//!
//! Whatever is none of these is rejected with an error saying what was seen. The payload's own
//! header (magic, version) is left to [`ProtectedPayload::parse`](crate::ProtectedPayload::parse).

use std::borrow::Cow;

use base64::Engine as _;
use base64::alphabet::{STANDARD, URL_SAFE};
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

use crate::envelope::MAGIC as ENVELOPE_MAGIC;
use crate::{FormatError, MAGIC_HEADER_V0};

// Trailing bits are ignored, as .NET's `Convert.FromBase64String` ignores them: a payload's
// integrity comes from its MAC, not from a canonical text form.
const LENIENT: GeneralPurposeConfig = GeneralPurposeConfig::new()
    .with_decode_padding_mode(DecodePaddingMode::Indifferent)
    .with_decode_allow_trailing_bits(true);
const URL_DECODER: GeneralPurpose = GeneralPurpose::new(&URL_SAFE, LENIENT);
const STANDARD_DECODER: GeneralPurpose = GeneralPurpose::new(&STANDARD, LENIENT);

/// How a payload's text form starts: base64 of `09 F0 C9 F0` (either alphabet).
const PAYLOAD_TEXT_PREFIX: &str = "CfDJ8";

/// How many leading bytes [`sniff`] looks at.
pub const SNIFF_LEN: usize = 64;

/// Which format some input is in, as far as its first bytes tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum InputKind {
    /// A binary Data Protection payload (magic `09 F0 C9 F0`, any version).
    ProtectedPayload,
    /// A Data Protection payload as text (base64 starting `CfDJ8`, possibly quoted, in a
    /// `name=value` pair or a `Cookie:` header, or UTF-16).
    ProtectedPayloadText,
    /// A dp envelope (magic `dpENV`).
    Envelope,
    /// None of these.
    Unknown,
}

/// Tells which format `prefix` (the first [`SNIFF_LEN`] bytes of an input, or all of it) is in.
///
/// A guess for error messages, not a parse: a payload or envelope recognised here may still be
/// malformed.
pub fn sniff(prefix: &[u8]) -> InputKind {
    let prefix = prefix.get(..SNIFF_LEN).unwrap_or(prefix);
    if prefix.starts_with(&ENVELOPE_MAGIC) {
        return InputKind::Envelope;
    }
    if starts_with_payload_magic(prefix) {
        return InputKind::ProtectedPayload;
    }
    // A prefix may end inside a character: decode lossily.
    let text: String = if let Some(rest) = prefix.strip_prefix(b"\xFF\xFE") {
        char::decode_utf16(
            rest.chunks_exact(2)
                .map(|c| le_or_be(c, u16::from_le_bytes)),
        )
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect()
    } else if let Some(rest) = prefix.strip_prefix(b"\xFE\xFF") {
        char::decode_utf16(
            rest.chunks_exact(2)
                .map(|c| le_or_be(c, u16::from_be_bytes)),
        )
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect()
    } else {
        let rest = prefix.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(prefix);
        String::from_utf8_lossy(rest).into_owned()
    };
    let start = text.trim_start_matches(|c: char| c.is_whitespace() || is_quote(c));
    if start.starts_with(PAYLOAD_TEXT_PREFIX) || start.contains("=CfDJ8") {
        InputKind::ProtectedPayloadText
    } else {
        InputKind::Unknown
    }
}

/// Decodes a payload from the text forms it travels in (see the [module](self) documentation);
/// `cookie` names the cookie to take from a `Cookie:` header or `name=value` pair.
///
/// # Errors
/// Each says what the input looks like instead:
/// [`FormatError::EmptyInput`], [`FormatError::LooksLikeEnvelope`],
/// [`FormatError::BinaryPayload`] (the payload itself, not its text),
/// [`FormatError::NotText`], [`FormatError::Base64Length`] (text cut off),
/// [`FormatError::InvalidBase64At`], [`FormatError::ChunkedCookie`] (a chunked cookie without
/// all its parts), [`FormatError::CookieNotFound`] and [`FormatError::AmbiguousCookie`].
pub fn decode_payload_text(input: &[u8], cookie: Option<&str>) -> Result<Vec<u8>, FormatError> {
    if input.starts_with(&ENVELOPE_MAGIC) {
        return Err(FormatError::LooksLikeEnvelope);
    }
    if starts_with_payload_magic(input) {
        return Err(FormatError::BinaryPayload);
    }
    let text = to_text(input)?;
    let text = unquote(&text);
    if text.is_empty() {
        return Err(FormatError::EmptyInput);
    }
    let value = cookie_value(text, cookie)?;
    let value = unquote(&value);
    if let Some(chunks) = chunk_count(value) {
        return Err(FormatError::ChunkedCookie { chunks });
    }
    let value = percent_decode(value)?;
    let bytes = decode_base64(&value)?;
    if bytes.starts_with(&ENVELOPE_MAGIC) {
        return Err(FormatError::LooksLikeEnvelope);
    }
    Ok(bytes)
}

fn starts_with_payload_magic(bytes: &[u8]) -> bool {
    matches!(bytes, [a, b, c, d, ..]
        if u32::from_be_bytes([*a, *b, *c, *d]) & 0xFFFF_FFF0 == MAGIC_HEADER_V0)
}

fn le_or_be(pair: &[u8], from: fn([u8; 2]) -> u16) -> u16 {
    match pair {
        [a, b] => from([*a, *b]),
        // `chunks_exact(2)` yields pairs only.
        _ => 0,
    }
}

/// The input as text: UTF-8 (a BOM dropped), or UTF-16 with a BOM.
fn to_text(input: &[u8]) -> Result<Cow<'_, str>, FormatError> {
    let utf16 = |bytes: &[u8], from: fn([u8; 2]) -> u16| {
        let pairs = bytes.chunks_exact(2);
        if !pairs.remainder().is_empty() {
            return Err(FormatError::NotText);
        }
        char::decode_utf16(pairs.map(|p| le_or_be(p, from)))
            .collect::<Result<String, _>>()
            .map(Cow::Owned)
            .map_err(|_| FormatError::NotText)
    };
    if let Some(rest) = input.strip_prefix(b"\xFF\xFE") {
        utf16(rest, u16::from_le_bytes)
    } else if let Some(rest) = input.strip_prefix(b"\xFE\xFF") {
        utf16(rest, u16::from_be_bytes)
    } else {
        let rest = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
        std::str::from_utf8(rest)
            .map(Cow::Borrowed)
            .map_err(|_| FormatError::NotText)
    }
}

fn is_quote(c: char) -> bool {
    matches!(c, '"' | '\'' | '“' | '”' | '‘' | '’')
}

/// Trims whitespace, then one pair of surrounding quotes and the whitespace inside them.
fn unquote(text: &str) -> &str {
    let text = text.trim();
    for (open, close) in [('"', '"'), ('\'', '\''), ('“', '”'), ('‘', '’')] {
        if let Some(inner) = text.strip_prefix(open).and_then(|t| t.strip_suffix(close)) {
            return inner.trim();
        }
    }
    text
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    if head.eq_ignore_ascii_case(prefix) {
        text.get(prefix.len()..)
    } else {
        None
    }
}

/// A cookie name: an RFC 6265 token (visible ASCII except separators).
fn is_cookie_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?={}".contains(&b))
}

/// `name=value`, when the part before the first `=` is a cookie name and the rest is more than
/// base64 padding. Payload text followed by junk after its padding is no `name=value`.
fn pair(segment: &str) -> Option<(&str, &str)> {
    let (name, value) = segment.trim().split_once('=')?;
    let name = name.trim();
    (is_cookie_name(name) && !name.starts_with(PAYLOAD_TEXT_PREFIX) && value.contains(|c| c != '='))
        .then(|| (name, value.trim()))
}

/// `chunks-N`: the base value of a cookie .NET's ChunkingCookieManager split into N parts.
fn chunk_count(value: &str) -> Option<usize> {
    let digits = value.strip_prefix("chunks-")?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // More parts than fit in memory: still a chunked cookie.
    Some(digits.parse().unwrap_or(usize::MAX))
}

/// Whether `name` is part `NAMEC<i>` of a chunked cookie among `pairs`.
fn is_chunk_part(name: &str, pairs: &[(&str, &str)]) -> bool {
    pairs.iter().any(|(base, value)| {
        chunk_count(unquote(value)).is_some()
            && name
                .strip_prefix(base)
                .and_then(|rest| rest.strip_prefix('C'))
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    })
}

/// The value to decode: the cookie asked for (or the only plausible one) when the text is a
/// `Cookie:` header or `name=value` pairs, else the text itself.
fn cookie_value<'a>(text: &'a str, cookie: Option<&str>) -> Result<Cow<'a, str>, FormatError> {
    let text = strip_prefix_ignore_case(text, "cookie:")
        .or_else(|| strip_prefix_ignore_case(text, "set-cookie:"))
        .unwrap_or(text);
    let pairs: Vec<(&str, &str)> = text.split(';').filter_map(pair).collect();
    if pairs.is_empty() {
        return Ok(Cow::Borrowed(text.trim()));
    }
    let chosen = match cookie {
        Some(wanted) => pairs
            .iter()
            .find(|(name, _)| *name == wanted)
            .or_else(|| {
                // ASP.NET Core reads request cookies case-insensitively.
                pairs
                    .iter()
                    .find(|(name, _)| name.eq_ignore_ascii_case(wanted))
            })
            .ok_or(FormatError::CookieNotFound)?,
        None => {
            let mut plausible = pairs.iter().filter(|(name, value)| {
                let value = unquote(value);
                (value.starts_with(PAYLOAD_TEXT_PREFIX) || chunk_count(value).is_some())
                    && !is_chunk_part(name, &pairs)
            });
            match (pairs.as_slice(), plausible.next(), plausible.next()) {
                ([only], _, _) | (_, Some(only), None) => only,
                _ => return Err(FormatError::AmbiguousCookie { count: pairs.len() }),
            }
        }
    };
    let (name, value) = *chosen;
    let Some(chunks) = chunk_count(unquote(value)) else {
        return Ok(Cow::Borrowed(value));
    };
    if chunks == 0 || chunks > pairs.len() {
        return Err(FormatError::ChunkedCookie { chunks });
    }
    let mut joined = String::new();
    for i in 1..=chunks {
        let part = format!("{name}C{i}");
        let (_, value) = pairs
            .iter()
            .find(|(n, _)| *n == part)
            .ok_or(FormatError::ChunkedCookie { chunks })?;
        joined.push_str(unquote(value));
    }
    Ok(Cow::Owned(joined))
}

/// Undoes `%XX` escapes; each must encode an ASCII character.
fn percent_decode(value: &str) -> Result<Cow<'_, str>, FormatError> {
    if !value.contains('%') {
        return Ok(Cow::Borrowed(value));
    }
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars().enumerate();
    while let Some((i, c)) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let bad = FormatError::InvalidBase64At {
            position: i + 1,
            found: Some('%'),
        };
        let hi = chars.next().and_then(|(_, h)| h.to_digit(16)).ok_or(bad)?;
        let lo = chars.next().and_then(|(_, l)| l.to_digit(16)).ok_or(bad)?;
        let byte = char::from_u32(hi * 16 + lo)
            .filter(char::is_ascii)
            .ok_or(bad)?;
        out.push(byte);
    }
    Ok(Cow::Owned(out))
}

/// Base64 of either alphabet (not mixed), padded or not, whitespace anywhere.
fn decode_base64(value: &str) -> Result<Vec<u8>, FormatError> {
    let mut data = String::with_capacity(value.len());
    let (mut url, mut standard) = (false, false);
    let mut padding = 0usize;
    let (mut first_pad, mut last_pad) = (0usize, 0usize);
    for (i, c) in value.chars().enumerate() {
        if c.is_ascii_whitespace() {
            continue;
        }
        let position = i + 1;
        let bad = FormatError::InvalidBase64At {
            position,
            found: c.is_ascii_graphic().then_some(c),
        };
        if padding > 0 && c != '=' {
            return Err(bad);
        }
        match c {
            'A'..='Z' | 'a'..='z' | '0'..='9' => data.push(c),
            '-' | '_' if !standard => {
                url = true;
                data.push(c);
            }
            '+' | '/' if !url => {
                standard = true;
                data.push(c);
            }
            '=' if padding < 2 => {
                padding += 1;
                if first_pad == 0 {
                    first_pad = position;
                }
                last_pad = position;
            }
            _ => return Err(bad),
        }
    }
    let misplaced = |position| FormatError::InvalidBase64At {
        position,
        found: Some('='),
    };
    match (data.len() % 4, padding) {
        (_, 0) if data.is_empty() => return Err(FormatError::EmptyInput),
        (1, _) => return Err(FormatError::Base64Length { missing: 3 }),
        (0, p) if p > 0 => return Err(misplaced(first_pad)),
        (rem, p) if p > 0 && rem + p < 4 => {
            return Err(FormatError::Base64Length {
                missing: 4 - rem - p,
            });
        }
        (rem, p) if p > 0 && rem + p > 4 => return Err(misplaced(last_pad)),
        _ => {}
    }
    let engine = if standard {
        &STANDARD_DECODER
    } else {
        &URL_DECODER
    };
    // The checks above leave only decodable text; should the engine disagree, say so plainly.
    engine
        .decode(data.as_bytes())
        .map_err(|_| FormatError::InvalidBase64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const PAYLOAD: [u8; 8] = [0x09, 0xF0, 0xC9, 0xF0, 0xfb, 0xff, 0xfe, 0x3e];

    fn url(bytes: &[u8]) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    }

    fn std_padded(bytes: &[u8]) -> String {
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }

    fn decode(text: &str) -> Result<Vec<u8>, FormatError> {
        decode_payload_text(text.as_bytes(), None)
    }

    fn utf16(text: &str, bom: [u8; 2], to: fn(u16) -> [u8; 2]) -> Vec<u8> {
        bom.into_iter()
            .chain(text.encode_utf16().flat_map(to))
            .collect()
    }

    #[test]
    fn accepts_every_text_form() -> Result<(), FormatError> {
        let u = url(&PAYLOAD);
        let s = std_padded(&PAYLOAD);
        assert_eq!(u, "CfDJ8Pv__j4");
        assert_eq!(s, "CfDJ8Pv//j4=");
        for text in [
            u.clone(),
            format!("{u}="),
            s.clone(),
            s.trim_end_matches('=').to_owned(),
            format!("\u{feff}{u}\r\n"),
            format!("  \"{u}\"\n"),
            format!("'{s}'"),
            format!("“{u}”"),
            "CfDJ8Pv_\r\n_j4".to_owned(),
            "C f D J\n8 P v / / j 4 =".to_owned(),
            "CfDJ8Pv%2F%2Fj4%3D".to_owned(),
            "CfDJ8Pv%2f%2fj4%3d".to_owned(),
            format!(".AspNetCore.Cookies={u}"),
            format!("token=\"{s}\""),
            format!("Cookie: .AspNetCore.Cookies={u}"),
            format!("cookie: _ga=GA1.2.3; .AspNetCore.Cookies={u}; theme=dark"),
            format!("_ga=GA1.2.3; session={u}"),
            format!("Set-Cookie: .AspNetCore.Cookies={u}; path=/; samesite=lax; httponly"),
            {
                let (first, second) = u.split_at(5);
                format!("Cookie: a=chunks-2; aC1={first}; aC2={second}; b=x")
            },
        ] {
            assert_eq!(decode(&text)?, PAYLOAD, "{text:?}");
        }
        let crlf = format!("{u}\r\n");
        let le = utf16(&crlf, [0xFF, 0xFE], u16::to_le_bytes);
        let be = utf16(&crlf, [0xFE, 0xFF], u16::to_be_bytes);
        assert_eq!(decode_payload_text(&le, None)?, PAYLOAD);
        assert_eq!(decode_payload_text(&be, None)?, PAYLOAD);
        Ok(())
    }

    #[test]
    fn the_cookie_named_is_taken() -> Result<(), FormatError> {
        let other = url(&[0x09, 0xF0, 0xC9, 0xF0, 1]);
        let header = format!("Cookie: a={}; b={other}", url(&PAYLOAD));
        assert_eq!(decode_payload_text(header.as_bytes(), Some("a"))?, PAYLOAD);
        assert_eq!(
            decode_payload_text(header.as_bytes(), Some("B"))?,
            [0x09, 0xF0, 0xC9, 0xF0, 1]
        );
        assert_eq!(
            decode_payload_text(header.as_bytes(), Some("c")),
            Err(FormatError::CookieNotFound)
        );
        assert_eq!(
            decode_payload_text(header.as_bytes(), None),
            Err(FormatError::AmbiguousCookie { count: 2 })
        );
        let single = format!("a={}", url(&PAYLOAD));
        assert_eq!(
            decode_payload_text(single.as_bytes(), Some("b")),
            Err(FormatError::CookieNotFound)
        );
        // A bare value needs no name.
        assert_eq!(decode_payload_text(b"CfDJ8Pv__j4", Some("a"))?, PAYLOAD);
        Ok(())
    }

    #[test]
    fn padding_is_not_a_name_value_separator() -> Result<(), FormatError> {
        let bytes = [0x09, 0xF0, 0xC9, 0xF0, 1, 2, 3];
        let padded = std_padded(&bytes);
        assert!(padded.ends_with("=="), "{padded}");
        assert_eq!(decode(&padded)?, bytes);
        Ok(())
    }

    #[test]
    fn says_what_was_seen_instead() {
        let cases: [(&[u8], FormatError); 16] = [
            (b"", FormatError::EmptyInput),
            (b" \r\n\t", FormatError::EmptyInput),
            (b"\xEF\xBB\xBF\n", FormatError::EmptyInput),
            (b"\"\"", FormatError::EmptyInput),
            (b"dpENV\x02\x00\x01", FormatError::LooksLikeEnvelope),
            // base64 of "dpENV\x02"
            (b"ZHBFTlYC", FormatError::LooksLikeEnvelope),
            (&PAYLOAD, FormatError::BinaryPayload),
            (b"\x00\x01\xff\xfe\x80", FormatError::NotText),
            (b"\xFF\xFEC\x00f", FormatError::NotText),
            (b"CfDJ8", FormatError::Base64Length { missing: 3 }),
            (b"CfDJ8P=", FormatError::Base64Length { missing: 1 }),
            (
                b"CfDJ8Pv!j4",
                FormatError::InvalidBase64At {
                    position: 8,
                    found: Some('!'),
                },
            ),
            (
                b"CfDJ8-v+j4",
                FormatError::InvalidBase64At {
                    position: 8,
                    found: Some('+'),
                },
            ),
            (
                "CfDJ8Pé".as_bytes(),
                FormatError::InvalidBase64At {
                    position: 7,
                    found: None,
                },
            ),
            (
                b".AspNetCore.Cookies=chunks-3",
                FormatError::ChunkedCookie { chunks: 3 },
            ),
            (
                b"Cookie: a=chunks-2; aC1=CfDJ8",
                FormatError::ChunkedCookie { chunks: 2 },
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(
                decode_payload_text(input, None),
                Err(expected),
                "{:?}",
                String::from_utf8_lossy(input)
            );
        }
        for (input, expected) in [
            ("CfDJ8Pv__j4A=", 13),
            ("CfDJ8Pv__j4=A", 13),
            ("CfDJ%ZZ", 5),
            ("CfDJ8Pv%C3%A9", 8),
        ] {
            let found = input.chars().nth(expected - 1);
            assert_eq!(
                decode(input),
                Err(FormatError::InvalidBase64At {
                    position: expected,
                    found,
                }),
                "{input}"
            );
        }
    }

    #[test]
    fn sniffs_formats() {
        let le = utf16("\"CfDJ8Pv__j4\"", [0xFF, 0xFE], u16::to_le_bytes);
        for (input, kind) in [
            (&b"dpENV\x02"[..], InputKind::Envelope),
            (&PAYLOAD[..], InputKind::ProtectedPayload),
            (&[0x09, 0xF0, 0xC9, 0xF1][..], InputKind::ProtectedPayload),
            (b"CfDJ8Pv__j4", InputKind::ProtectedPayloadText),
            (b"\xEF\xBB\xBF  'CfDJ8", InputKind::ProtectedPayloadText),
            (b"Cookie: a=CfDJ8", InputKind::ProtectedPayloadText),
            (&le[..], InputKind::ProtectedPayloadText),
            (b"hello", InputKind::Unknown),
            (b"", InputKind::Unknown),
        ] {
            assert_eq!(sniff(input), kind, "{input:?}");
        }
    }

    fn forms(bytes: &[u8]) -> Vec<(Vec<u8>, Option<&'static str>)> {
        let u = url(bytes);
        let s = std_padded(bytes);
        let wrapped: String = s
            .as_bytes()
            .chunks(7)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join("\r\n");
        let percent = s
            .replace('+', "%2B")
            .replace('/', "%2F")
            .replace('=', "%3D");
        let (first, second) = u.split_at(u.len() / 2);
        vec![
            (u.clone().into_bytes(), None),
            (
                base64::engine::general_purpose::URL_SAFE
                    .encode(bytes)
                    .into_bytes(),
                None,
            ),
            (s.clone().into_bytes(), None),
            (format!("\u{feff}{s}\n").into_bytes(), None),
            (
                utf16(&format!("{s}\r\n"), [0xFF, 0xFE], u16::to_le_bytes),
                None,
            ),
            (utf16(&s, [0xFE, 0xFF], u16::to_be_bytes), None),
            (wrapped.into_bytes(), None),
            (format!("\"{u}\"").into_bytes(), None),
            (percent.clone().into_bytes(), None),
            (format!("n={percent}").into_bytes(), None),
            (format!("Cookie: x=1; n={u}; y=2").into_bytes(), Some("n")),
            (
                format!("Cookie: n=chunks-2; nC1={first}; nC2={second}").into_bytes(),
                None,
            ),
        ]
    }

    proptest! {
        #[test]
        fn never_panics(input in proptest::collection::vec(any::<u8>(), 0..200),
                        cookie in proptest::option::of("[a-zA-Z.]{0,4}")) {
            let _ = decode_payload_text(&input, cookie.as_deref());
            let _ = sniff(&input);
        }

        #[test]
        fn never_panics_on_text(input in "[ -~\r\n\u{feff}“”é]{0,120}") {
            let _ = decode_payload_text(input.as_bytes(), None);
            let _ = decode_payload_text(input.as_bytes(), Some("a"));
        }

        #[test]
        fn every_form_round_trips(body in proptest::collection::vec(any::<u8>(), 0..100)) {
            let bytes: Vec<u8> = PAYLOAD.iter().copied().chain(body).collect();
            for (text, cookie) in forms(&bytes) {
                prop_assert_eq!(
                    decode_payload_text(&text, cookie),
                    Ok(bytes.clone()),
                    "{:?}",
                    String::from_utf8_lossy(&text)
                );
                prop_assert_eq!(sniff(&text), InputKind::ProtectedPayloadText);
            }
        }
    }
}
