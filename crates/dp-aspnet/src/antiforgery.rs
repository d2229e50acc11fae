//! Antiforgery tokens as ASP.NET Core validates them. (Stub: being written.)

use crate::AspNetError;
use crate::ClaimsIdentity;
use crate::wire::antiforgery::AntiforgeryToken;

/// The claim uid .NET binds a request token to, if the user has one.
pub fn claim_uid(identities: &[ClaimsIdentity]) -> Option<[u8; 32]> {
    let _ = identities;
    None
}

/// The antiforgery cookie name for an application discriminator.
pub fn cookie_name(application_discriminator: Option<&str>) -> String {
    let _ = application_discriminator;
    String::from(".AspNetCore.Antiforgery.")
}

/// Validates a decoded token pair for the user.
///
/// # Errors
/// Mismatch.
pub fn validate_tokens(
    cookie: &AntiforgeryToken,
    request: &AntiforgeryToken,
    identities: &[ClaimsIdentity],
) -> Result<(), AspNetError> {
    let _ = (cookie, request, identities);
    Ok(())
}

/// Antiforgery over a provider. (Stub: being written.)
#[derive(Debug)]
pub struct Antiforgery;

impl Antiforgery {
    /// Stub.
    pub fn new(provider: &dp_keyring::DataProtectionProvider) -> Self {
        let _ = provider;
        Self
    }

    /// Stub.
    ///
    /// # Errors
    /// Always.
    pub fn decode_token(&self, text: &str) -> Result<AntiforgeryToken, AspNetError> {
        let _ = text;
        Err(AspNetError::InvalidBase64)
    }

    /// Stub.
    ///
    /// # Errors
    /// Always.
    pub fn validate(
        &self,
        cookie_token: &str,
        request_token: &str,
        identities: &[ClaimsIdentity],
    ) -> Result<(), AspNetError> {
        let _ = (cookie_token, request_token, identities);
        Err(AspNetError::InvalidBase64)
    }
}
