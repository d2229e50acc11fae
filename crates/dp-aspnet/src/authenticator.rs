//! Per-request cookie authentication: the `Cookie` header in, the signed-in user (or a typed
//! reason why not) out — what ASP.NET Core's `CookieAuthenticationHandler` does, minus the
//! session store and sliding renewal.

use std::sync::Arc;

use dp_keyring::{Clock, DataProtectionProvider, Duration, SystemClock, Timestamp};

use crate::cookie::{self, CookieOptions, RequestCookies};
use crate::wire::DecodeReport;
use crate::{AspNetError, AuthenticationTicket, ClaimsIdentity, TicketDataFormat};

/// The cookie handler's default `ExpireTimeSpan`.
pub const DEFAULT_LIFETIME: Duration = Duration::days(14);

/// A signed-in request: the ticket the cookie carried.
#[derive(Debug, Clone)]
pub struct Authenticated {
    /// The ticket: identities, claims, properties.
    pub ticket: AuthenticationTicket,
    /// What the decoder accepted as .NET does but noted (trailing bytes, invalid UTF-8).
    pub report: DecodeReport,
}

impl Authenticated {
    /// The user's name (the first identity's name claim).
    pub fn name(&self) -> Option<&str> {
        self.ticket.name()
    }
}

/// Authenticates requests by the ASP.NET Core sign-in cookie of one scheme.
///
/// Build it once at start-up and share it (`Send + Sync`; wrap in an `Arc` or clone it — clones
/// share the key ring). Each [`authenticate`](Self::authenticate) is one unprotect: the header is
/// parsed in place, and the only allocations are the decoded payload, its plaintext and the
/// ticket itself (a chunked cookie adds its reassembled value).
///
/// ```no_run
/// use dp_aspnet::CookieAuthenticator;
/// use dp_keyring::{DataProtectionProvider, FileSystemRepository};
///
/// let ring = FileSystemRepository::new("/var/lib/myapp/keys");
/// let provider = DataProtectionProvider::new(ring, Some("WebApp"));
/// let cookies = CookieAuthenticator::new(&provider, "Cookies");
/// match cookies.authenticate("theme=dark; .AspNetCore.Cookies=CfDJ8…") {
///     Ok(user) => println!("hello {}", user.name().unwrap_or("?")),
///     Err(why) => println!("not signed in: {:?}", why.reason()),
/// }
/// ```
#[derive(Clone)]
pub struct CookieAuthenticator {
    scheme: String,
    cookie_name: String,
    format: TicketDataFormat,
    clock: Arc<dyn Clock>,
    allow_expired: bool,
    lifetime: Duration,
    options: CookieOptions,
}

impl core::fmt::Debug for CookieAuthenticator {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CookieAuthenticator")
            .field("scheme", &self.scheme)
            .field("cookie_name", &self.cookie_name)
            .field("allow_expired", &self.allow_expired)
            .finish_non_exhaustive()
    }
}

impl CookieAuthenticator {
    /// Cookie authentication for `scheme` as `AddCookie(scheme)` configures it: cookie
    /// `.AspNetCore.{scheme}`, purposes `CookieAuthenticationMiddleware/{scheme}/v2`, 14-day
    /// tickets, the system clock.
    pub fn new(provider: &DataProtectionProvider, scheme: &str) -> Self {
        Self {
            scheme: scheme.to_owned(),
            cookie_name: cookie::authentication_cookie_name(scheme),
            format: TicketDataFormat::cookie(provider, scheme),
            clock: Arc::new(SystemClock),
            allow_expired: false,
            lifetime: DEFAULT_LIFETIME,
            options: CookieOptions::authentication(),
        }
    }

    /// Reads and writes another cookie name (`options.Cookie.Name`).
    #[must_use]
    pub fn with_cookie_name(mut self, name: impl Into<String>) -> Self {
        self.cookie_name = name.into();
        self
    }

    /// Uses another clock for expiry and issuing (tests, replays).
    #[must_use]
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Accepts tickets whose `.expires` is past (diagnostics only: the .NET app would not).
    #[must_use]
    pub fn allow_expired(mut self, allow: bool) -> Self {
        self.allow_expired = allow;
        self
    }

    /// Issues tickets valid for `lifetime` (`ExpireTimeSpan`).
    #[must_use]
    pub fn with_lifetime(mut self, lifetime: Duration) -> Self {
        self.lifetime = lifetime;
        self
    }

    /// Writes cookies with these attributes (`options.Cookie`).
    #[must_use]
    pub fn with_cookie_options(mut self, options: CookieOptions) -> Self {
        self.options = options;
        self
    }

    /// The scheme.
    pub fn scheme(&self) -> &str {
        &self.scheme
    }

    /// The cookie read and written.
    pub fn cookie_name(&self) -> &str {
        &self.cookie_name
    }

    /// The ticket format (for tickets carried elsewhere than in this cookie).
    pub fn format(&self) -> &TicketDataFormat {
        &self.format
    }

    /// Authenticates a request by its `Cookie` header (the value, with or without `Cookie:`).
    ///
    /// # Errors
    /// [`AspNetError::NoCookie`], a malformed header or chunked cookie, the unprotect failure
    /// ([`AspNetError::Unprotect`]: tampered, wrong purpose, unknown or revoked key), a malformed
    /// ticket, or [`AspNetError::Expired`]. [`AspNetError::reason`] sorts them.
    pub fn authenticate(&self, cookie_header: &str) -> Result<Authenticated, AspNetError> {
        let cookies = RequestCookies::parse(cookie_header)?;
        let value =
            cookies
                .get_chunked(&self.cookie_name)?
                .ok_or_else(|| AspNetError::NoCookie {
                    name: self.cookie_name.clone(),
                })?;
        self.authenticate_value(&value)
    }

    /// Authenticates the cookie's value (already reassembled, if it was chunked).
    ///
    /// # Errors
    /// As [`authenticate`](Self::authenticate), minus the header errors.
    pub fn authenticate_value(&self, value: &str) -> Result<Authenticated, AspNetError> {
        let (ticket, report) = self.format.unprotect(value)?;
        // An unreadable `.expires` is refused whatever `allow_expired` says: .NET would read it
        // as "no expiry", which would make a malformed ticket live forever.
        let expires = ticket.properties.expires()?;
        if let Some(expires) = expires.filter(|at| !self.allow_expired && *at < self.clock.now()) {
            return Err(AspNetError::Expired { expires });
        }
        Ok(Authenticated { ticket, report })
    }

    /// Signs `identity` in as the handler's `SignInAsync` does: `.issued` now, `.expires` after
    /// the lifetime, `.persistent` if asked. Returns the `Set-Cookie` values, chunked as .NET
    /// chunks them (a persistent cookie carries `expires=`).
    ///
    /// # Errors
    /// No key to protect with, or an unwritable ticket.
    pub fn sign_in(
        &self,
        identity: ClaimsIdentity,
        persistent: bool,
    ) -> Result<Vec<String>, AspNetError> {
        let now = truncate_to_second(self.clock.now());
        let mut ticket = AuthenticationTicket::new(self.scheme.clone(), vec![identity]);
        ticket.properties.set_issued(now);
        ticket.properties.set_expires(now + self.lifetime);
        ticket.properties.set_persistent(persistent);
        self.issue(&ticket)
    }

    /// The `Set-Cookie` values carrying `ticket` (chunked as .NET chunks them; `expires=` from the
    /// ticket's `.expires` when it is persistent).
    ///
    /// # Errors
    /// No key to protect with, an unwritable ticket, or an unreadable `.expires`.
    pub fn issue(&self, ticket: &AuthenticationTicket) -> Result<Vec<String>, AspNetError> {
        let value = self.format.protect(ticket)?;
        let mut options = self.options.clone();
        if ticket.properties.is_persistent() {
            options.expires = ticket.properties.expires()?;
        }
        cookie::chunked_set_cookies(
            &self.cookie_name,
            &value,
            &options,
            Some(cookie::DEFAULT_CHUNK_SIZE),
        )
    }
}

/// .NET keeps `.issued` / `.expires` to the second (the `r` format).
fn truncate_to_second(at: Timestamp) -> Timestamp {
    Timestamp::from_unix_seconds(at.unix_seconds()).unwrap_or(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn is_send_and_sync() {
        assert_send_sync::<CookieAuthenticator>();
        assert_send_sync::<TicketDataFormat>();
    }
}
