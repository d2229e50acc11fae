//! Antiforgery token plaintext, version 1. (Stub: being written.)

use crate::AspNetError;

/// The security token shared by a cookie token and its request tokens.
pub type SecurityToken = [u8; 16];

/// A decoded antiforgery token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AntiforgeryToken {
    /// 128 random bits shared by the cookie token and the request token.
    pub security_token: SecurityToken,
    /// Cookie token, or request token with its user binding.
    pub kind: TokenKind,
}

/// Which of the pair a token is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenKind {
    /// The cookie token (`IsCookieToken`).
    Cookie,
    /// The request (form field / header) token.
    Request {
        /// Whom it was issued to.
        user: TokenUser,
        /// `AdditionalData` (the default provider writes `""`).
        additional_data: String,
    },
}

/// The user a request token is bound to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenUser {
    /// Claims-based: the SHA-256 claim uid.
    ClaimUid([u8; 32]),
    /// The user name (`""` when anonymous).
    Username(String),
}

/// Decodes a token plaintext.
///
/// # Errors
/// Malformed input.
pub fn decode(bytes: &[u8]) -> Result<AntiforgeryToken, AspNetError> {
    let _ = bytes;
    Err(AspNetError::InvalidArgument(
        "antiforgery decoding not written yet",
    ))
}

/// Encodes a token plaintext.
///
/// # Errors
/// Unwritable values.
pub fn encode(token: &AntiforgeryToken) -> Result<Vec<u8>, AspNetError> {
    let _ = token;
    Err(AspNetError::InvalidArgument(
        "antiforgery encoding not written yet",
    ))
}
