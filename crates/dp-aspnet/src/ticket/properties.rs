//! `AuthenticationProperties`: a string dictionary with well-known keys.

use dp_keyring::Timestamp;
use time::format_description::BorrowedFormatItem;
use time::macros::format_description;

use crate::AspNetError;

/// `.issued`: when the ticket was issued.
pub const ISSUED: &str = ".issued";
/// `.expires`: when the ticket expires; the cookie handler rejects it afterwards.
pub const EXPIRES: &str = ".expires";
/// `.persistent`: present (empty value) when the cookie outlives the browser session.
pub const PERSISTENT: &str = ".persistent";
/// `.redirect`: where to go after sign-in.
pub const REDIRECT: &str = ".redirect";
/// `.refresh`: `True` / `False`, whether the handler may slide the expiry.
pub const REFRESH: &str = ".refresh";
/// `.TokenNames`: the names of saved tokens, joined with `;`.
pub const TOKEN_NAMES: &str = ".TokenNames";
/// The prefix of a saved token's key (`.Token.access_token`).
pub const TOKEN_PREFIX: &str = ".Token.";

/// .NET's `DateTimeOffset.ToString("r")` (RFC 1123, always `GMT`).
const RFC1123: &[BorrowedFormatItem<'static>] = format_description!(
    "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
);

/// `AuthenticationProperties.Items`: keys and values in insertion order, keys unique (ordinal).
///
/// `Debug` lists the keys only: values include saved access tokens.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct AuthenticationProperties {
    items: Vec<(String, String)>,
}

impl AuthenticationProperties {
    /// No properties.
    pub fn new() -> Self {
        Self::default()
    }

    /// Properties from pairs in order; `None` if a key repeats (.NET fails such a dictionary).
    pub fn from_items(items: Vec<(String, String)>) -> Option<Self> {
        for (i, (key, _)) in items.iter().enumerate() {
            if items.iter().take(i).any(|(k, _)| k == key) {
                return None;
            }
        }
        Some(Self { items })
    }

    /// The pairs, in order.
    pub fn items(&self) -> &[(String, String)] {
        &self.items
    }

    /// The number of pairs.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.items
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Sets `key` (in place if present, else appended, as a .NET dictionary does).
    pub fn set(&mut self, key: impl Into<String>, value: impl Into<String>) {
        let key = key.into();
        let value = value.into();
        match self.items.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => *v = value,
            None => self.items.push((key, value)),
        }
    }

    /// Removes `key`, returning its value.
    pub fn remove(&mut self, key: &str) -> Option<String> {
        let at = self.items.iter().position(|(k, _)| k == key)?;
        Some(self.items.remove(at).1)
    }

    /// `IssuedUtc`.
    ///
    /// # Errors
    /// [`AspNetError::InvalidDate`] when present but not in the `r` format (.NET then reads
    /// `null`; we say so instead).
    pub fn issued(&self) -> Result<Option<Timestamp>, AspNetError> {
        self.date(ISSUED)
    }

    /// `ExpiresUtc`.
    ///
    /// # Errors
    /// [`AspNetError::InvalidDate`] when present but not in the `r` format.
    pub fn expires(&self) -> Result<Option<Timestamp>, AspNetError> {
        self.date(EXPIRES)
    }

    /// Sets `IssuedUtc` (second precision, as .NET stores it).
    pub fn set_issued(&mut self, at: Timestamp) {
        self.set(ISSUED, format_date(at));
    }

    /// Sets `ExpiresUtc` (second precision).
    pub fn set_expires(&mut self, at: Timestamp) {
        self.set(EXPIRES, format_date(at));
    }

    /// `IsPersistent`: `.persistent` is present.
    pub fn is_persistent(&self) -> bool {
        self.get(PERSISTENT).is_some()
    }

    /// Sets or clears `IsPersistent`.
    pub fn set_persistent(&mut self, persistent: bool) {
        if persistent {
            self.set(PERSISTENT, "");
        } else {
            self.remove(PERSISTENT);
        }
    }

    /// `AllowRefresh`: `True`/`False` (case-insensitive, as `bool.TryParse`), else `None`.
    pub fn allow_refresh(&self) -> Option<bool> {
        let value = self.get(REFRESH)?.trim();
        if value.eq_ignore_ascii_case("true") {
            Some(true)
        } else if value.eq_ignore_ascii_case("false") {
            Some(false)
        } else {
            None
        }
    }

    /// Sets `AllowRefresh` as .NET writes it (`True` / `False`), or removes it.
    pub fn set_allow_refresh(&mut self, allow: Option<bool>) {
        match allow {
            Some(true) => self.set(REFRESH, "True"),
            Some(false) => self.set(REFRESH, "False"),
            None => {
                self.remove(REFRESH);
            }
        }
    }

    /// `RedirectUri`.
    pub fn redirect_uri(&self) -> Option<&str> {
        self.get(REDIRECT)
    }

    /// Saved tokens (`GetTokens()`): each name in `.TokenNames` with its `.Token.{name}` value.
    pub fn tokens(&self) -> Vec<(&str, &str)> {
        let Some(names) = self.get(TOKEN_NAMES) else {
            return Vec::new();
        };
        names
            .split(';')
            .filter(|n| !n.is_empty())
            .filter_map(|name| {
                self.items
                    .iter()
                    .find(|(k, _)| k.strip_prefix(TOKEN_PREFIX) == Some(name))
                    .map(|(_, v)| (name, v.as_str()))
            })
            .collect()
    }

    fn date(&self, key: &'static str) -> Result<Option<Timestamp>, AspNetError> {
        self.get(key)
            .map(|text| parse_date(text).ok_or(AspNetError::InvalidDate { key }))
            .transpose()
    }
}

/// `DateTimeOffset.ToString("r")` of `at` in UTC.
pub fn format_date(at: Timestamp) -> String {
    let utc = at.as_offset_date_time().to_offset(time::UtcOffset::UTC);
    // Every `Timestamp` is within years 1..=9999, which the format always represents.
    utc.format(RFC1123).unwrap_or_default()
}

/// Parses the `r` format exactly (`DateTimeOffset.TryParseExact(…, "r", …)`).
pub fn parse_date(text: &str) -> Option<Timestamp> {
    time::PrimitiveDateTime::parse(text, RFC1123)
        .ok()
        .map(|t| Timestamp::from_offset_date_time(t.assume_offset(time::UtcOffset::UTC)))
}

impl core::fmt::Debug for AuthenticationProperties {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_list()
            .entries(self.items.iter().map(|(k, _)| k))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_use_dotnet_r_format() -> Result<(), AspNetError> {
        let mut p = AuthenticationProperties::new();
        let at = Timestamp::parse_xml("2026-11-30T12:00:00Z")?;
        p.set_issued(at);
        assert_eq!(p.get(ISSUED), Some("Mon, 30 Nov 2026 12:00:00 GMT"));
        assert_eq!(p.issued()?, Some(at));
        p.set(EXPIRES, "2026-12-14");
        assert!(matches!(
            p.expires(),
            Err(AspNetError::InvalidDate { key: EXPIRES })
        ));
        Ok(())
    }

    #[test]
    fn tokens_follow_token_names() {
        let mut p = AuthenticationProperties::new();
        p.set(TOKEN_NAMES, "access_token;id_token");
        p.set(".Token.access_token", "secret-at");
        p.set(".Token.id_token", "secret-it");
        assert_eq!(
            p.tokens(),
            [("access_token", "secret-at"), ("id_token", "secret-it")]
        );
        p.set_persistent(true);
        assert!(p.is_persistent());
        p.set_allow_refresh(Some(true));
        assert_eq!(p.allow_refresh(), Some(true));
        let debug = format!("{p:?}");
        assert!(debug.contains(".Token.access_token") && !debug.contains("secret"));
    }
}
