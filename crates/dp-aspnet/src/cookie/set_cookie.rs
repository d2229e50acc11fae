//! `Set-Cookie` values as .NET's `ResponseCookies` and `SetCookieHeaderValue` write them, and the
//! default cookie names.

use std::borrow::Cow;
use std::fmt::Write as _;

use dp_keyring::{Duration, Timestamp};

use crate::ticket::properties::format_date;

/// `SameSite`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SameSite {
    /// `samesite=none`.
    None,
    /// `samesite=lax`.
    Lax,
    /// `samesite=strict`.
    Strict,
}

/// The attributes of a `Set-Cookie` value (.NET's `CookieOptions`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CookieOptions {
    /// `expires=` (a persistent cookie).
    pub expires: Option<Timestamp>,
    /// `max-age=`.
    pub max_age: Option<Duration>,
    /// `domain=`.
    pub domain: Option<String>,
    /// `path=`.
    pub path: Option<String>,
    /// `secure`.
    pub secure: bool,
    /// `samesite=`.
    pub same_site: Option<SameSite>,
    /// `httponly`.
    pub http_only: bool,
}

impl CookieOptions {
    /// The cookie authentication handler's defaults: `path=/; secure; samesite=lax; httponly`.
    pub fn authentication() -> Self {
        Self {
            path: Some("/".into()),
            secure: true,
            same_site: Some(SameSite::Lax),
            http_only: true,
            ..Self::default()
        }
    }

    /// The antiforgery cookie's defaults with no `PathBase`: `path=/; samesite=strict;
    /// httponly`. .NET leaves `secure` to the request's scheme (`SecurePolicy.None` by default),
    /// so it is not set here.
    pub fn antiforgery() -> Self {
        Self {
            path: Some("/".into()),
            same_site: Some(SameSite::Strict),
            http_only: true,
            ..Self::default()
        }
    }

    /// The attributes as `SetCookieHeaderValue.ToString` appends them after `name=value`:
    ///
    /// ```text
    /// ; expires={r date}; max-age={whole seconds}; domain={d}; path={p}; secure; samesite={s}; httponly
    /// ```
    pub(super) fn attributes(&self) -> String {
        let mut out = String::new();
        // `write!` into a `String` cannot fail.
        if let Some(expires) = self.expires {
            let _ = write!(out, "; expires={}", format_date(expires));
        }
        if let Some(max_age) = self.max_age {
            // .NET writes `(long)MaxAge.TotalSeconds`, which truncates toward zero.
            let _ = write!(out, "; max-age={}", max_age.whole_seconds());
        }
        if let Some(domain) = &self.domain {
            let _ = write!(out, "; domain={domain}");
        }
        if let Some(path) = &self.path {
            let _ = write!(out, "; path={path}");
        }
        if self.secure {
            out.push_str("; secure");
        }
        if let Some(same_site) = self.same_site {
            out.push_str(match same_site {
                SameSite::None => "; samesite=none",
                SameSite::Lax => "; samesite=lax",
                SameSite::Strict => "; samesite=strict",
            });
        }
        if self.http_only {
            out.push_str("; httponly");
        }
        out
    }
}

/// One `Set-Cookie` value, as `Response.Cookies.Append(name, value, options)` writes it: the
/// name verbatim, the value escaped as `Uri.EscapeDataString` escapes it (base64url passes
/// unchanged), then the attributes in .NET's order and spelling.
pub fn set_cookie(name: &str, value: &str, options: &CookieOptions) -> String {
    let mut out = format!("{name}={}", escape_data_string(value));
    out.push_str(&options.attributes());
    out
}

/// The cookie authentication handler's cookie name for `scheme`:
/// `".AspNetCore." + Uri.EscapeDataString(scheme)`.
pub fn authentication_cookie_name(scheme: &str) -> String {
    format!(".AspNetCore.{}", escape_data_string(scheme))
}

/// `Uri.EscapeDataString`: every UTF-8 byte outside the unreserved set `A-Z a-z 0-9 - . _ ~`
/// becomes `%XX` (upper-case hex). Borrowed when nothing needs escaping.
pub(crate) fn escape_data_string(value: &str) -> Cow<'_, str> {
    let unreserved = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~');
    if value.bytes().all(unreserved) {
        return Cow::Borrowed(value);
    }
    let mut out = String::with_capacity(value.len() * 3);
    for b in value.bytes() {
        if unreserved(b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_follow_set_cookie_header_value() -> Result<(), dp_keyring::KeyringError> {
        let all = CookieOptions {
            expires: Some(Timestamp::parse_xml("2026-12-14T12:00:00Z")?),
            max_age: Some(Duration::milliseconds(90_500)),
            domain: Some("example.com".into()),
            path: Some("/app".into()),
            secure: true,
            same_site: Some(SameSite::None),
            http_only: true,
        };
        assert_eq!(
            set_cookie("n", "v", &all),
            "n=v; expires=Mon, 14 Dec 2026 12:00:00 GMT; max-age=90; domain=example.com; \
             path=/app; secure; samesite=none; httponly"
        );
        assert_eq!(set_cookie("n", "", &CookieOptions::default()), "n=");
        assert_eq!(
            set_cookie("n", "a+b/c= é", &CookieOptions::antiforgery()),
            "n=a%2Bb%2Fc%3D%20%C3%A9; path=/; samesite=strict; httponly"
        );
        Ok(())
    }

    #[test]
    fn authentication_cookie_names() {
        assert_eq!(authentication_cookie_name("Cookies"), ".AspNetCore.Cookies");
        assert_eq!(
            authentication_cookie_name("Identity.Application"),
            ".AspNetCore.Identity.Application"
        );
        assert_eq!(
            authentication_cookie_name("My Scheme"),
            ".AspNetCore.My%20Scheme"
        );
    }
}
