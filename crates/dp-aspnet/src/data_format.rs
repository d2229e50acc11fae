//! `SecureDataFormat<T>`: serialize, protect, base64url — and back.
//!
//! .NET turns every failure of `Unprotect` (base64, MAC, unknown key, parse) into `null`. Here the
//! reason is kept, typed, so a service can log it and [`AspNetError::reason`] can sort it; a caller
//! that must not reveal it answers every error the same way.

use dp_format::base64url;
use dp_keyring::{DataProtectionProvider, DataProtector};

use crate::purposes::{self, Preset};
use crate::wire::{self, DecodeReport};
use crate::{AspNetError, AuthenticationProperties, AuthenticationTicket, limits};

/// The longest text accepted: the base64url form of a [`limits::MAX_PAYLOAD`]-byte payload.
const MAX_TEXT: usize = limits::MAX_PAYLOAD / 3 * 4 + 4;

/// `TicketDataFormat`: authentication tickets protected as sign-in cookies and bearer tokens carry
/// them.
///
/// Cheap to clone, `Send + Sync`: build one per scheme at start-up and share it.
#[derive(Debug, Clone)]
pub struct TicketDataFormat {
    protector: DataProtector,
}

/// `PropertiesDataFormat`: authentication properties protected as OAuth and OpenID Connect
/// `state` parameters carry them.
#[derive(Debug, Clone)]
pub struct PropertiesDataFormat {
    protector: DataProtector,
}

impl TicketDataFormat {
    /// Over a protector whose purpose chain is already complete.
    pub fn new(protector: DataProtector) -> Self {
        Self { protector }
    }

    /// Cookie authentication for `scheme` (`AddCookie(scheme)`; the default scheme is `Cookies`).
    pub fn cookie(provider: &DataProtectionProvider, scheme: &str) -> Self {
        Self::new(chain(
            provider,
            &[purposes::COOKIE_AUTHENTICATION, scheme, "v2"],
        ))
    }

    /// ASP.NET Core Identity's application cookie (scheme `Identity.Application`).
    pub fn identity_application(provider: &DataProtectionProvider) -> Self {
        Self::cookie(provider, "Identity.Application")
    }

    /// Bearer access tokens for `scheme` (`AddBearerToken`; the Identity API uses
    /// `Identity.Bearer`).
    pub fn bearer_token(provider: &DataProtectionProvider, scheme: &str) -> Self {
        Self::new(chain(
            provider,
            &[purposes::BEARER_TOKEN, scheme, "BearerToken"],
        ))
    }

    /// Refresh tokens for `scheme`.
    pub fn refresh_token(provider: &DataProtectionProvider, scheme: &str) -> Self {
        Self::new(chain(
            provider,
            &[purposes::BEARER_TOKEN, scheme, "RefreshToken"],
        ))
    }

    /// A well-known chain; `None` when the preset does not carry tickets or the scheme does not
    /// fit it (see [`Preset::chain`]).
    pub fn from_preset(
        provider: &DataProtectionProvider,
        preset: Preset,
        scheme: Option<&str>,
    ) -> Option<Self> {
        if preset.info().plaintext != "ticket" {
            return None;
        }
        let chain_purposes = preset.chain(scheme)?;
        let refs: Vec<&str> = chain_purposes.iter().map(String::as_str).collect();
        Some(Self::new(chain(provider, &refs)))
    }

    /// The protector, with its full purpose chain.
    pub fn protector(&self) -> &DataProtector {
        &self.protector
    }

    /// Serializes, protects and base64url-encodes `ticket`.
    ///
    /// # Errors
    /// An unwritable ticket, or no key to protect with.
    pub fn protect(&self, ticket: &AuthenticationTicket) -> Result<String, AspNetError> {
        let bytes = wire::ticket::encode(ticket)?;
        Ok(base64url::encode(&self.protector.protect(&bytes)?))
    }

    /// Decodes, unprotects and deserializes a protected ticket (a cookie value, reassembled if
    /// it was chunked).
    ///
    /// # Errors
    /// [`AspNetError::InvalidBase64`], [`AspNetError::Unprotect`] (wrong purpose, tampered,
    /// unknown or revoked key), or a malformed ticket.
    pub fn unprotect(
        &self,
        text: &str,
    ) -> Result<(AuthenticationTicket, DecodeReport), AspNetError> {
        let plaintext = unprotect_text(&self.protector, text)?;
        wire::ticket::decode(&plaintext)
    }
}

impl PropertiesDataFormat {
    /// Over a protector whose purpose chain is already complete.
    pub fn new(protector: DataProtector) -> Self {
        Self { protector }
    }

    /// OpenID Connect `state` for `scheme` (`AddOpenIdConnect`; default scheme `OpenIdConnect`).
    pub fn oidc_state(provider: &DataProtectionProvider, scheme: &str) -> Self {
        Self::new(chain(provider, &[purposes::OPENID_CONNECT, scheme, "v1"]))
    }

    /// OAuth `state` of the handler whose `typeof(T).FullName` is `handler_type` for `scheme`
    /// (e.g. `Microsoft.AspNetCore.Authentication.Google.GoogleHandler`, `Google`).
    pub fn oauth_state(
        provider: &DataProtectionProvider,
        handler_type: &str,
        scheme: &str,
    ) -> Self {
        Self::new(chain(provider, &[handler_type, scheme, "v1"]))
    }

    /// The protector, with its full purpose chain.
    pub fn protector(&self) -> &DataProtector {
        &self.protector
    }

    /// Serializes, protects and base64url-encodes `properties`.
    ///
    /// # Errors
    /// Unwritable properties, or no key to protect with.
    pub fn protect(&self, properties: &AuthenticationProperties) -> Result<String, AspNetError> {
        let bytes = wire::properties::encode(properties)?;
        Ok(base64url::encode(&self.protector.protect(&bytes)?))
    }

    /// Decodes, unprotects and deserializes protected properties.
    ///
    /// # Errors
    /// As [`TicketDataFormat::unprotect`].
    pub fn unprotect(
        &self,
        text: &str,
    ) -> Result<(AuthenticationProperties, DecodeReport), AspNetError> {
        let plaintext = unprotect_text(&self.protector, text)?;
        wire::properties::decode(&plaintext)
    }
}

fn chain(provider: &DataProtectionProvider, chain_purposes: &[&str]) -> DataProtector {
    let (first, rest) = chain_purposes.split_first().unwrap_or((&"", &[]));
    rest.iter()
        .fold(provider.create_protector(first), |p, purpose| {
            p.create_protector(purpose)
        })
}

/// base64url → unprotect, capped before decoding.
pub(crate) fn unprotect_text(
    protector: &DataProtector,
    text: &str,
) -> Result<Vec<u8>, AspNetError> {
    if text.len() > MAX_TEXT {
        return Err(AspNetError::LimitExceeded {
            what: "protected value length",
            limit: MAX_TEXT,
        });
    }
    let payload = base64url::decode(text).map_err(|_| AspNetError::InvalidBase64)?;
    Ok(protector.unprotect(&payload)?)
}
