//! Antiforgery token plaintext, version 1 (`DefaultAntiforgeryTokenSerializer`), before it is
//! protected:
//!
//! ```text
//! u8    version = 0x01
//! 16 B  SecurityToken
//! bool  IsCookieToken
//! if !IsCookieToken:
//!     bool  IsClaimsBased
//!     if IsClaimsBased: 32 B ClaimUid
//!     else:             str  Username
//!     str   AdditionalData
//! (nothing may follow)
//! ```

use dp_format::dotnet_binary::{BinaryReader, BinaryWriter};

use crate::AspNetError;

/// The only token format version .NET writes and reads.
const VERSION: u8 = 0x01;

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

impl AntiforgeryToken {
    /// Whether this is the cookie half of the pair.
    pub fn is_cookie_token(&self) -> bool {
        matches!(self.kind, TokenKind::Cookie)
    }
}

/// Decodes a token plaintext (the bytes `Unprotect` returned).
///
/// Strings that are not valid UTF-8 are read with U+FFFD replacements, as .NET's `BinaryReader`
/// reads them.
///
/// # Errors
/// * [`AspNetError::UnsupportedAntiforgeryVersion`] for a first byte other than `0x01`.
/// * [`AspNetError::Format`] naming the field that ends early or has a malformed length, or
///   [`FormatError::TrailingBytes`](dp_format::FormatError::TrailingBytes) when bytes follow the
///   token (.NET rejects those tokens too).
pub fn decode(bytes: &[u8]) -> Result<AntiforgeryToken, AspNetError> {
    let mut r = BinaryReader::new(bytes);
    let version = r.u8("antiforgery version")?;
    if version != VERSION {
        return Err(AspNetError::UnsupportedAntiforgeryVersion(version));
    }
    let security_token = array(&mut r, "security token")?;
    let kind = if r.bool("is cookie token")? {
        TokenKind::Cookie
    } else {
        let user = if r.bool("is claims based")? {
            TokenUser::ClaimUid(array(&mut r, "claim uid")?)
        } else {
            TokenUser::Username(r.string("username")?.text.into_owned())
        };
        let additional_data = r.string("additional data")?.text.into_owned();
        TokenKind::Request {
            user,
            additional_data,
        }
    };
    r.finish()?;
    Ok(AntiforgeryToken {
        security_token,
        kind,
    })
}

/// Reads a fixed-size byte field.
fn array<const N: usize>(
    r: &mut BinaryReader<'_>,
    field: &'static str,
) -> Result<[u8; N], AspNetError> {
    let bytes = r.bytes(N, field)?;
    // `bytes` returned exactly N bytes.
    <[u8; N]>::try_from(bytes).map_err(|_| dp_format::FormatError::Truncated { field }.into())
}

/// Encodes a token plaintext byte for byte as .NET writes it.
///
/// # Errors
/// [`AspNetError::Format`] for a user name or additional data of 2 GiB or more, which .NET
/// cannot write.
pub fn encode(token: &AntiforgeryToken) -> Result<Vec<u8>, AspNetError> {
    let mut w = BinaryWriter::with_capacity(64);
    w.u8(VERSION).bytes(&token.security_token);
    match &token.kind {
        TokenKind::Cookie => {
            w.bool(true);
        }
        TokenKind::Request {
            user,
            additional_data,
        } => {
            w.bool(false);
            match user {
                TokenUser::ClaimUid(uid) => {
                    w.bool(true).bytes(uid);
                }
                TokenUser::Username(name) => {
                    w.bool(false).string(name)?;
                }
            }
            w.string(additional_data)?;
        }
    }
    Ok(w.into_bytes())
}

#[cfg(test)]
mod tests {
    use dp_format::FormatError;

    use super::*;

    fn request(user: TokenUser) -> AntiforgeryToken {
        AntiforgeryToken {
            security_token: [7; 16],
            kind: TokenKind::Request {
                user,
                additional_data: String::new(),
            },
        }
    }

    #[test]
    fn sizes_match_the_spec() -> Result<(), AspNetError> {
        let cookie = AntiforgeryToken {
            security_token: [7; 16],
            kind: TokenKind::Cookie,
        };
        assert_eq!(encode(&cookie)?.len(), 18);
        assert_eq!(
            encode(&request(TokenUser::Username(String::new())))?.len(),
            21
        );
        assert_eq!(encode(&request(TokenUser::ClaimUid([1; 32])))?.len(), 52);
        for token in [
            cookie,
            request(TokenUser::Username("alice".into())),
            request(TokenUser::ClaimUid([1; 32])),
        ] {
            assert_eq!(decode(&encode(&token)?)?, token);
        }
        Ok(())
    }

    #[test]
    fn rejects_what_dotnet_rejects() -> Result<(), AspNetError> {
        let mut bytes = encode(&request(TokenUser::Username("bob".into())))?;
        bytes.push(0);
        assert!(matches!(
            decode(&bytes),
            Err(AspNetError::Format(FormatError::TrailingBytes))
        ));
        bytes.pop();
        bytes[0] = 2;
        assert!(matches!(
            decode(&bytes),
            Err(AspNetError::UnsupportedAntiforgeryVersion(2))
        ));
        bytes[0] = 1;
        for len in 0..bytes.len() {
            assert!(matches!(
                decode(&bytes[..len]),
                Err(AspNetError::Format(FormatError::Truncated { .. }))
            ));
        }
        // Any non-zero byte is true: a cookie token written with 0x02.
        let mut cookie = vec![1];
        cookie.extend([9; 16]);
        cookie.push(2);
        assert!(decode(&cookie)?.is_cookie_token());
        Ok(())
    }
}
