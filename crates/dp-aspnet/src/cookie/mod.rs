//! Cookies as ASP.NET Core reads and writes them. (Stub: being written.)

use std::borrow::Cow;

use dp_keyring::{Duration, Timestamp};

use crate::AspNetError;

/// `ChunkingCookieManager.DefaultChunkSize`: the longest `Set-Cookie` value, attributes included.
pub const DEFAULT_CHUNK_SIZE: usize = 4050;

/// The cookies of a `Cookie` request header, borrowed from it.
#[derive(Debug, Clone, Default)]
pub struct RequestCookies<'a> {
    pairs: Vec<(&'a str, &'a str)>,
}

impl<'a> RequestCookies<'a> {
    /// Parses a `Cookie` header value (with or without the `Cookie:` name).
    ///
    /// # Errors
    /// Header too large.
    pub fn parse(header: &'a str) -> Result<Self, AspNetError> {
        let _ = header;
        Ok(Self { pairs: Vec::new() })
    }

    /// The value of cookie `name` (case-insensitive, percent-decoded), if present and not empty.
    pub fn get(&self, name: &str) -> Option<Cow<'a, str>> {
        let _ = name;
        self.pairs.first().map(|(_, v)| Cow::Borrowed(*v))
    }

    /// The value of cookie `name`, reassembled when it is chunked.
    ///
    /// # Errors
    /// Incomplete or oversized chunked cookies.
    pub fn get_chunked(&self, name: &str) -> Result<Option<Cow<'a, str>>, AspNetError> {
        Ok(self.get(name))
    }

    /// The cookie names, in header order.
    pub fn names(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.pairs.iter().map(|(n, _)| *n)
    }
}

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
}

/// One `Set-Cookie` value.
pub fn set_cookie(name: &str, value: &str, options: &CookieOptions) -> String {
    let _ = options;
    format!("{name}={value}")
}

/// `Set-Cookie` values for `value`, chunked as `ChunkingCookieManager.AppendResponseCookie`.
///
/// # Errors
/// No room for data.
pub fn chunked_set_cookies(
    name: &str,
    value: &str,
    options: &CookieOptions,
    chunk_size: Option<usize>,
) -> Result<Vec<String>, AspNetError> {
    let _ = chunk_size;
    Ok(vec![set_cookie(name, value, options)])
}

/// The cookie authentication handler's cookie name for `scheme`.
pub fn authentication_cookie_name(scheme: &str) -> String {
    format!(".AspNetCore.{scheme}")
}
