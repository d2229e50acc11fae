//! `ChunkingCookieManager`: values too long for one cookie split over `NAME=chunks-N` and
//! `NAMEC1..NAMECN`, and put back together.

use std::borrow::Cow;

use dp_keyring::Timestamp;

use super::header::{RequestCookies, unescape_data_string};
use super::set_cookie::{CookieOptions, escape_data_string, set_cookie};
use crate::AspNetError;
use crate::limits::{MAX_CHUNKS, MAX_COOKIE_HEADER};

/// `ChunkingCookieManager.DefaultChunkSize`: the longest `Set-Cookie` value, attributes included.
pub const DEFAULT_CHUNK_SIZE: usize = 4050;

/// The value of the base cookie of a chunked cookie starts with this.
const CHUNK_COUNT_PREFIX: &str = "chunks-";

/// `ParseChunksCount`: `chunks-N` where N is `int.Parse(…, NumberStyles.None)` — ASCII digits
/// only (leading zeros allowed), no sign or space, at most `int.MaxValue`. `None` for anything
/// else, including `chunks-0`, which .NET then returns literally.
fn chunk_count(value: &str) -> Option<usize> {
    let digits = value.strip_prefix(CHUNK_COUNT_PREFIX)?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: i32 = digits.parse().ok()?;
    usize::try_from(n).ok().filter(|&n| n > 0)
}

/// Whether `candidate` is `{base}C{index}` (the base ASCII case-insensitive, as .NET looks
/// cookies up), without building the name.
fn is_chunk_name(candidate: &str, base: &str, index: usize) -> bool {
    let Some(rest) = candidate
        .get(..base.len())
        .filter(|prefix| prefix.eq_ignore_ascii_case(base))
        .and_then(|_| candidate.get(base.len()..))
    else {
        return false;
    };
    let Some(digits) = rest.strip_prefix('C').or_else(|| rest.strip_prefix('c')) else {
        return false;
    };
    // .NET builds the name with `index.ToString()`: no leading zeros.
    !digits.starts_with('0') && digits.parse::<usize>().ok() == Some(index)
}

impl<'a> RequestCookies<'a> {
    /// The value of cookie `name`, reassembled when it is chunked, as
    /// `ChunkingCookieManager.GetRequestCookie` reassembles it:
    ///
    /// ```text
    /// NAME=chunks-N; NAMEC1=part1; …; NAMECN=partN   →  part1 ‖ … ‖ partN   (each part decoded)
    /// ```
    ///
    /// `N` must be digits only and positive; `chunks-0`, `chunks-x` and the like are returned
    /// literally, as .NET returns them. Parts beyond `N` are ignored.
    ///
    /// # Errors
    /// * [`AspNetError::LimitExceeded`] when `N` exceeds
    ///   [`MAX_CHUNKS`](crate::limits::MAX_CHUNKS).
    /// * [`AspNetError::IncompleteChunkedCookie`] when `N` exceeds the cookies present or a part
    ///   is missing or empty. .NET (with its default `ThrowForPartialCookies = false`) instead
    ///   returns the literal `chunks-N`, which then fails to unprotect and silently signs the user
    ///   out; a typed error says what happened.
    pub fn get_chunked(&self, name: &str) -> Result<Option<Cow<'a, str>>, AspNetError> {
        let Some(value) = self.get(name) else {
            return Ok(None);
        };
        let Some(chunks) = chunk_count(&value) else {
            return Ok(Some(value));
        };
        if chunks > MAX_CHUNKS {
            return Err(AspNetError::LimitExceeded {
                what: "cookie chunks",
                limit: MAX_CHUNKS,
            });
        }
        let incomplete = |missing| AspNetError::IncompleteChunkedCookie {
            name: name.to_owned(),
            chunks,
            missing,
        };
        // .NET allocates N slots before looking; here N parts cannot be present among fewer
        // cookies, so say so before searching.
        if chunks > self.len() {
            let missing = (1..=chunks)
                .find(|&i| self.raw(|n| is_chunk_name(n, name, i)).is_none())
                .unwrap_or(chunks);
            return Err(incomplete(missing));
        }
        let mut parts = Vec::with_capacity(chunks);
        let mut total: usize = 0;
        for index in 1..=chunks {
            let part = self
                .raw(|n| is_chunk_name(n, name, index))
                .ok_or_else(|| incomplete(index))?;
            let part = unescape_data_string(part);
            total = total.saturating_add(part.len());
            if total > MAX_COOKIE_HEADER {
                return Err(AspNetError::LimitExceeded {
                    what: "reassembled cookie",
                    limit: MAX_COOKIE_HEADER,
                });
            }
            parts.push(part);
        }
        let mut joined = String::with_capacity(total);
        for part in &parts {
            joined.push_str(part);
        }
        Ok(Some(Cow::Owned(joined)))
    }
}

/// The length .NET measures: `string.Length`, in UTF-16 code units.
fn dotnet_len(text: &str) -> usize {
    text.encode_utf16().count()
}

/// `Set-Cookie` values for `value`, chunked as `ChunkingCookieManager.AppendResponseCookie`
/// chunks them (`chunk_size` `None` = [`DEFAULT_CHUNK_SIZE`]; for no chunking at all, use
/// [`set_cookie`]):
///
/// ```text
/// T = len(set_cookie(name, "", options))            ; the template, attributes included
/// value empty or chunk_size > T + len(value):  [ name=value; attrs ]
/// chunk_size < T + 10:                         error: no room for data
/// else per = chunk_size − T − 3, N = ceil(len(value) / per):
///     [ name=chunks-N; attrs,  nameC1=value[0..per]; attrs,  …,  nameCN=rest; attrs ]
/// ```
///
/// As in .NET, lengths count UTF-16 code units of the unescaped value, the value is split
/// first and each part is then escaped (`Uri.EscapeDataString`), so a part that needs escaping
/// can make its line longer than `chunk_size`; base64url values never need it. Unlike .NET, a
/// split never falls inside a surrogate pair (.NET would escape the halves as two U+FFFD): such a
/// part ends one code unit early.
///
/// # Errors
/// * [`AspNetError::InvalidArgument`] when the name and attributes leave fewer than 10
///   characters of `chunk_size` (.NET's `InvalidOperationException`).
/// * [`AspNetError::LimitExceeded`] when the value needs more than
///   [`MAX_CHUNKS`](crate::limits::MAX_CHUNKS) parts: .NET would write them, but browsers keep
///   about 50 cookies per domain and [`RequestCookies::get_chunked`] refuses to read them.
pub fn chunked_set_cookies(
    name: &str,
    value: &str,
    options: &CookieOptions,
    chunk_size: Option<usize>,
) -> Result<Vec<String>, AspNetError> {
    let chunk_size = chunk_size.unwrap_or(DEFAULT_CHUNK_SIZE);
    let attributes = options.attributes();
    let template = dotnet_len(name) + 1 + dotnet_len(&attributes);
    let len = dotnet_len(value);
    if value.is_empty() || chunk_size > template.saturating_add(len) {
        return Ok(vec![set_cookie(name, value, options)]);
    }
    if chunk_size < template.saturating_add(10) {
        return Err(AspNetError::InvalidArgument(
            "the cookie name and attributes leave no room for data within the chunk size",
        ));
    }
    // chunk_size ≥ template + 10, so at least 7 units per part.
    let per = chunk_size - template - 3;
    let parts = split_utf16(value, per);
    if parts.len() > MAX_CHUNKS {
        return Err(AspNetError::LimitExceeded {
            what: "cookie chunks",
            limit: MAX_CHUNKS,
        });
    }
    let mut lines = Vec::with_capacity(parts.len() + 1);
    lines.push(format!(
        "{name}={CHUNK_COUNT_PREFIX}{}{attributes}",
        parts.len()
    ));
    for (i, part) in parts.iter().enumerate() {
        lines.push(format!(
            "{name}C{}={}{attributes}",
            i + 1,
            escape_data_string(part)
        ));
    }
    Ok(lines)
}

/// Splits `value` into parts of `per` UTF-16 code units (the last shorter), never inside a
/// character. `per` ≥ 2, so every part holds at least one character.
fn split_utf16(value: &str, per: usize) -> Vec<&str> {
    let mut parts = Vec::with_capacity(dotnet_len(value).div_ceil(per.max(1)));
    let mut start = 0;
    let mut units = 0;
    for (at, c) in value.char_indices() {
        let width = c.len_utf16();
        if units + width > per && at > start {
            parts.push(value.get(start..at).unwrap_or_default());
            start = at;
            units = 0;
        }
        units += width;
    }
    if start < value.len() {
        parts.push(value.get(start..).unwrap_or_default());
    }
    parts
}

/// `Set-Cookie` values that delete cookie `name` and its parts `nameC1..nameC{chunks}`, as
/// `ChunkingCookieManager.DeleteCookie` writes them: empty values, the same attributes with
/// `expires=Thu, 01 Jan 1970 00:00:00 GMT` and no `max-age`. `chunks` is the count the request's
/// `name=chunks-N` announced (0 for a cookie that was not chunked); counts above
/// [`MAX_CHUNKS`](crate::limits::MAX_CHUNKS) are cut to it, since no such request is read.
pub fn delete_chunked_cookies(name: &str, chunks: usize, options: &CookieOptions) -> Vec<String> {
    let chunks = chunks.min(MAX_CHUNKS);
    let expired = CookieOptions {
        expires: Some(Timestamp::UNIX_EPOCH),
        max_age: None,
        ..options.clone()
    };
    let attributes = expired.attributes();
    let mut lines = Vec::with_capacity(chunks + 1);
    lines.push(format!("{name}={attributes}"));
    lines.extend((1..=chunks).map(|i| format!("{name}C{i}={attributes}")));
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunk_counts_parse_as_dotnet_parses_them() {
        assert_eq!(chunk_count("chunks-3"), Some(3));
        assert_eq!(chunk_count("chunks-007"), Some(7));
        for literal in [
            "chunks-0",
            "chunks-",
            "chunks-x",
            "chunks--1",
            "chunks-+1",
            "chunks- 1",
            "chunks-2147483648",
            "Chunks-1",
        ] {
            assert_eq!(chunk_count(literal), None, "{literal}");
        }
        assert_eq!(chunk_count("chunks-2147483647"), Some(2_147_483_647));
    }

    #[test]
    fn chunk_names() {
        assert!(is_chunk_name("aC1", "a", 1));
        assert!(is_chunk_name("Ac12", "a", 12));
        assert!(is_chunk_name("ac2", "A", 2));
        assert!(!is_chunk_name("aC01", "a", 1));
        assert!(!is_chunk_name("aC1", "a", 2));
        assert!(!is_chunk_name("abC1", "a", 1));
        assert!(!is_chunk_name("é", "a", 1));
    }

    #[test]
    fn small_chunks() -> Result<(), AspNetError> {
        let o = CookieOptions::default();
        // Template "n=" is 2: per = 15 − 2 − 3 = 10.
        assert_eq!(
            chunked_set_cookies("n", "0123456789abcdefghijXY", &o, Some(15))?,
            ["n=chunks-3", "nC1=0123456789", "nC2=abcdefghij", "nC3=XY"]
        );
        assert_eq!(
            chunked_set_cookies("n", "0123456789abc", &o, Some(16))?,
            ["n=0123456789abc"]
        );
        assert!(matches!(
            chunked_set_cookies("n", "0123456789abc", &o, Some(11)),
            Err(AspNetError::InvalidArgument(_))
        ));
        assert_eq!(chunked_set_cookies("n", "", &o, Some(1))?, ["n="]);
        // A surrogate pair is never split.
        assert_eq!(split_utf16("abcdef😀x", 7), ["abcdef", "😀x"]);
        Ok(())
    }

    #[test]
    fn deletion() {
        assert_eq!(
            delete_chunked_cookies("n", 2, &CookieOptions::authentication()),
            [
                "n=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/; secure; samesite=lax; httponly",
                "nC1=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/; secure; samesite=lax; httponly",
                "nC2=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/; secure; samesite=lax; httponly",
            ]
        );
    }
}
