//! The `Cookie` request header, read as ASP.NET Core's `RequestCookieCollection` reads it.

use std::borrow::Cow;

use crate::AspNetError;
use crate::limits::MAX_COOKIE_HEADER;

/// The cookies of a `Cookie` request header, borrowed from it.
///
/// Lookups follow the current .NET parser (`CookieHeaderParserShared`, `RequestCookieCollection`):
/// names match ASCII case-insensitively, a later duplicate overrides an earlier one, empty values
/// are absent, and values are percent-decoded as `Uri.UnescapeDataString` decodes them.
#[derive(Debug, Clone, Default)]
pub struct RequestCookies<'a> {
    /// `(name, value)` in header order; values are unquoted but still percent-encoded, and never
    /// empty.
    pairs: Vec<(&'a str, &'a str)>,
}

impl<'a> RequestCookies<'a> {
    /// Parses a `Cookie` header value (with or without the `Cookie:` name, in any case).
    ///
    /// ```text
    /// [Cookie:] name=value; name2="value2"; …      ; a value may contain '='
    /// ```
    ///
    /// Segments without `=` or with an empty name are skipped (.NET skips what it cannot parse);
    /// surrounding double quotes are removed from values; empty values are dropped. Nothing is
    /// allocated but the list of pairs.
    ///
    /// # Errors
    /// [`AspNetError::LimitExceeded`] for a header longer than
    /// [`MAX_COOKIE_HEADER`](crate::limits::MAX_COOKIE_HEADER) bytes, checked before anything
    /// else.
    pub fn parse(header: &'a str) -> Result<Self, AspNetError> {
        if header.len() > MAX_COOKIE_HEADER {
            return Err(AspNetError::LimitExceeded {
                what: "cookie header",
                limit: MAX_COOKIE_HEADER,
            });
        }
        let header = strip_header_name(header.trim_start_matches(is_space));
        // Every pair has a '=' and every pair but the last ends with ';': the smaller count bounds
        // the pairs, so a header of 64 KiB of ';' allocates nothing.
        let semicolons = header.bytes().filter(|&b| b == b';').count();
        let equals = header.bytes().filter(|&b| b == b'=').count();
        let mut pairs = Vec::with_capacity(equals.min(semicolons.saturating_add(1)));
        for segment in header.split(';') {
            let Some((name, value)) = segment.split_once('=') else {
                continue;
            };
            let name = name.trim_matches(is_space);
            let value = unquote(value.trim_matches(is_space));
            if name.is_empty() || value.is_empty() {
                continue;
            }
            pairs.push((name, value));
        }
        Ok(Self { pairs })
    }

    /// The value of cookie `name` (ASCII case-insensitive, percent-decoded), if present and not
    /// empty. When the name appears more than once the last value wins, as in .NET.
    ///
    /// The value is borrowed from the header unless it contains `%`.
    pub fn get(&self, name: &str) -> Option<Cow<'a, str>> {
        self.raw(|n| n.eq_ignore_ascii_case(name))
            .map(unescape_data_string)
    }

    /// The still-encoded value of the last cookie whose name satisfies `matches`.
    pub(super) fn raw(&self, matches: impl Fn(&str) -> bool) -> Option<&'a str> {
        self.pairs
            .iter()
            .rev()
            .find(|(n, _)| matches(n))
            .map(|(_, v)| *v)
    }

    /// How many cookies the header carries (duplicates counted).
    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    /// Whether the header carries no cookie.
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    /// The cookie names, in header order (duplicates repeated).
    pub fn names(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.pairs.iter().map(|(n, _)| *n)
    }
}

/// HTTP optional whitespace.
fn is_space(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// Removes a leading `Cookie:` (any case), as pasted from a request dump.
fn strip_header_name(header: &str) -> &str {
    const NAME: &str = "cookie:";
    match header.get(..NAME.len()) {
        Some(prefix) if prefix.eq_ignore_ascii_case(NAME) => header
            .get(NAME.len()..)
            .unwrap_or_default()
            .trim_start_matches(is_space),
        _ => header,
    }
}

/// `"value"` → `value` (RFC 6265 allows a quoted cookie value; .NET strips the quotes).
fn unquote(value: &str) -> &str {
    value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(value)
}

/// `Uri.UnescapeDataString`: `%XX` becomes the byte `XX`; runs of escaped bytes are decoded as
/// UTF-8, and escapes that do not form valid UTF-8 are kept as written, as are `%` signs not
/// followed by two hex digits. `+` stays `+`.
pub(crate) fn unescape_data_string(value: &str) -> Cow<'_, str> {
    if !value.contains('%') {
        return Cow::Borrowed(value);
    }
    let bytes = value.as_bytes();
    let mut out = String::with_capacity(value.len());
    let mut i = 0;
    let mut run: Vec<u8> = Vec::new();
    while i < bytes.len() {
        // A run of consecutive escapes starts at `i`: each byte of `run` came from three
        // characters of `value` starting at `run_start`.
        let run_start = i;
        run.clear();
        while let Some(byte) = escaped_byte(bytes, i) {
            run.push(byte);
            i += 3;
        }
        if !run.is_empty() {
            push_run(&mut out, &run, value, run_start);
            continue;
        }
        // Not an escape: copy up to the next '%' (or the end), which is a char boundary.
        let next = bytes
            .iter()
            .skip(i + 1)
            .position(|&b| b == b'%')
            .map_or(bytes.len(), |p| i + 1 + p);
        out.push_str(value.get(i..next).unwrap_or_default());
        i = next;
    }
    Cow::Owned(out)
}

/// The byte of a `%XX` escape at `at`, if there is one.
fn escaped_byte(bytes: &[u8], at: usize) -> Option<u8> {
    match bytes.get(at..at.checked_add(3)?)? {
        [b'%', hi, lo] => {
            let hi = char::from(*hi).to_digit(16)?;
            let lo = char::from(*lo).to_digit(16)?;
            u8::try_from(hi * 16 + lo).ok()
        }
        _ => None,
    }
}

/// Appends a run of unescaped bytes: valid UTF-8 decoded, invalid sequences as their original
/// `%XX` text (`source[start + 3k ..]` spells byte `k` of the run).
fn push_run(out: &mut String, run: &[u8], source: &str, start: usize) {
    let mut done = 0;
    while done < run.len() {
        let rest = run.get(done..).unwrap_or_default();
        match core::str::from_utf8(rest) {
            Ok(text) => {
                out.push_str(text);
                return;
            }
            Err(e) => {
                let valid = e.valid_up_to();
                out.push_str(
                    rest.get(..valid)
                        .and_then(|v| core::str::from_utf8(v).ok())
                        .unwrap_or_default(),
                );
                // An incomplete sequence at the end of the run is invalid too: the run is over.
                let bad = e.error_len().unwrap_or(rest.len() - valid);
                let from = start + 3 * (done + valid);
                out.push_str(source.get(from..from + 3 * bad).unwrap_or_default());
                done += valid + bad;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_like_dotnet() -> Result<(), AspNetError> {
        let c = RequestCookies::parse("COOKIE:  a=1; B = \"two=2\" ;c=;d; =x; a=3;e=%2B%2f%20ok+")?;
        assert_eq!(c.names().collect::<Vec<_>>(), ["a", "B", "a", "e"]);
        assert_eq!(c.get("A").as_deref(), Some("3"));
        assert_eq!(c.get("b").as_deref(), Some("two=2"));
        assert_eq!(c.get("c"), None);
        assert_eq!(c.get("d"), None);
        assert_eq!(c.get("e").as_deref(), Some("+/ ok+"));
        assert!(matches!(c.get("a"), Some(Cow::Borrowed(_))));
        Ok(())
    }

    #[test]
    fn unescapes_like_uri_unescape_data_string() {
        let u = |s: &str| unescape_data_string(s).into_owned();
        assert_eq!(u("%C3%A9t%C3%A9"), "été");
        assert_eq!(u("100%"), "100%");
        assert_eq!(u("%zz%4"), "%zz%4");
        assert_eq!(u("%FF%41"), "%FFA");
        assert_eq!(u("%C3"), "%C3");
        assert_eq!(u("%C3%28"), "%C3(");
        assert_eq!(u("é%41é"), "éAé");
        assert_eq!(u("%e2%82%ac"), "€");
    }

    #[test]
    fn oversized_headers_are_refused_before_parsing() {
        let header = "a".repeat(MAX_COOKIE_HEADER + 1);
        assert!(matches!(
            RequestCookies::parse(&header),
            Err(AspNetError::LimitExceeded {
                what: "cookie header",
                limit: MAX_COOKIE_HEADER
            })
        ));
    }
}
