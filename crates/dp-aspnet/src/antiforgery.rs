//! Antiforgery tokens as ASP.NET Core issues and validates them: the claim uid a request token
//! is bound to, the check of a cookie token against a request token for the current user, the
//! cookie name, and [`Antiforgery`], which protects and unprotects tokens over a key ring.

use dp_format::base64url;
use dp_format::dotnet_binary::BinaryWriter;
use dp_keyring::{DataProtectionProvider, DataProtector, KeyringError, SecureRandom};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::wire::antiforgery::{self, AntiforgeryToken, SecurityToken, TokenKind, TokenUser};
use crate::{AspNetError, ClaimsIdentity, claim_types, purposes};

/// Why a token pair was refused ([`AspNetError::Antiforgery`]); re-exported here because the
/// error module is private.
pub use crate::error::AntiforgeryMismatch;

/// The claim types `DefaultClaimUidExtractor` looks for first, in order.
const IDENTIFIER_CLAIM_TYPES: [&str; 3] = ["sub", claim_types::NAME_IDENTIFIER, claim_types::UPN];

/// The longest token text [`Antiforgery`] decodes, in characters: far above the 198 characters
/// of a claims-based request token, and the size of the largest `Cookie` header read.
const MAX_TOKEN_TEXT: usize = crate::limits::MAX_COOKIE_HEADER;

/// The claim uid .NET binds a request token to (`DefaultClaimUidExtractor`), if the user has
/// one:
///
/// ```text
/// for each authenticated identity, in order:
///     the first claim of type "sub", else nameidentifier, else upn, if its value is not empty
///         → SHA-256( str(type) ‖ str(value) ‖ str(issuer) )          ; BinaryWriter strings
/// otherwise every claim of every authenticated identity, sorted by type (ordinal)
///         → SHA-256( str(type₁) ‖ str(value₁) ‖ str(issuer₁) ‖ … )
/// no authenticated claim → None (the token carries the user name instead)
/// ```
///
/// .NET sorts with `List.Sort`, which is unstable: claims of equal type may hash in another
/// order there. This sort is stable (equal types keep their identity and claim order), which is
/// one of .NET's possible orders and the one it produces for small lists.
pub fn claim_uid(identities: &[ClaimsIdentity]) -> Option<[u8; 32]> {
    let authenticated = || identities.iter().filter(|i| i.is_authenticated());
    for identity in authenticated() {
        for claim_type in IDENTIFIER_CLAIM_TYPES {
            // .NET takes the first claim of the type and moves on when its value is empty.
            let claim = identity.claims.iter().find(|c| c.claim_type == claim_type);
            if let Some(claim) = claim.filter(|c| !c.value.is_empty()) {
                return hash_strings([&claim.claim_type, &claim.value, &claim.issuer]);
            }
        }
    }
    let mut claims: Vec<_> = authenticated().flat_map(|i| i.claims.iter()).collect();
    if claims.is_empty() {
        return None;
    }
    // `string.Compare(…, StringComparison.Ordinal)` compares UTF-16 code units.
    claims.sort_by(|a, b| a.claim_type.encode_utf16().cmp(b.claim_type.encode_utf16()));
    hash_strings(
        claims
            .iter()
            .flat_map(|c| [&c.claim_type, &c.value, &c.issuer]),
    )
}

/// SHA-256 over .NET `BinaryWriter` strings; `None` only for a string of 2 GiB, which .NET
/// cannot write either.
fn hash_strings<'s>(strings: impl IntoIterator<Item = &'s String>) -> Option<[u8; 32]> {
    let mut w = BinaryWriter::new();
    for s in strings {
        w.string(s).ok()?;
    }
    Some(Sha256::digest(w.as_bytes()).into())
}

/// The antiforgery cookie name for an application discriminator (the application name):
///
/// ```text
/// ".AspNetCore.Antiforgery." + base64url( SHA-256( UTF-8(discriminator ?? "") )[0..8] )
/// ```
///
/// # Security
/// The name reveals the discriminator to anyone who can guess it.
pub fn cookie_name(application_discriminator: Option<&str>) -> String {
    let digest = Sha256::digest(application_discriminator.unwrap_or_default().as_bytes());
    let prefix = digest.get(..8).unwrap_or_default();
    format!(".AspNetCore.Antiforgery.{}", base64url::encode(prefix))
}

/// The antiforgery cookie name for applications using `provider` (its application name).
pub fn cookie_name_for(provider: &DataProtectionProvider) -> String {
    cookie_name(provider.application_name())
}

/// Validates a decoded token pair for the user (`DefaultAntiforgeryTokenGenerator
/// .TryValidateTokenSet`), checking in .NET's order:
///
/// 1. the cookie token is a cookie token and the request token is not;
/// 2. their security tokens are equal;
/// 3. the user name: the first authenticated identity's name when the user has no claim uid
///    (else `""`), against the token's user name (`""` for claims-based tokens), ignoring case
///    unless the current name starts with `http://` or `https://`;
/// 4. the claim uid: both absent, or equal (compared in constant time);
/// 5. the additional data is empty (the default `IAntiforgeryAdditionalDataProvider`).
///
/// # Errors
/// [`AspNetError::Antiforgery`] with the first check that failed.
pub fn validate_tokens(
    cookie: &AntiforgeryToken,
    request: &AntiforgeryToken,
    identities: &[ClaimsIdentity],
) -> Result<(), AspNetError> {
    let mismatch = |m| Err(AspNetError::Antiforgery(m));
    let TokenKind::Request {
        user,
        additional_data,
    } = &request.kind
    else {
        return mismatch(AntiforgeryMismatch::TokensSwapped);
    };
    if !cookie.is_cookie_token() {
        return mismatch(AntiforgeryMismatch::TokensSwapped);
    }
    if !bool::from(cookie.security_token.ct_eq(&request.security_token)) {
        return mismatch(AntiforgeryMismatch::SecurityTokenMismatch);
    }
    let (current_username, current_uid) = match identities.iter().find(|i| i.is_authenticated()) {
        None => ("", None),
        Some(identity) => match claim_uid(identities) {
            Some(uid) => ("", Some(uid)),
            None => (identity.name().unwrap_or_default(), None),
        },
    };
    let (token_username, token_uid) = match user {
        TokenUser::ClaimUid(uid) => ("", Some(uid)),
        TokenUser::Username(name) => (name.as_str(), None),
    };
    if !usernames_equal(token_username, current_username) {
        return mismatch(AntiforgeryMismatch::UsernameMismatch);
    }
    let uid_matches = match (token_uid, current_uid) {
        (None, None) => true,
        (Some(token), Some(current)) => bool::from(token.ct_eq(&current)),
        _ => false,
    };
    if !uid_matches {
        return mismatch(AntiforgeryMismatch::ClaimUidMismatch);
    }
    if !additional_data.is_empty() {
        return mismatch(AntiforgeryMismatch::AdditionalDataRejected);
    }
    Ok(())
}

/// .NET compares user names with `OrdinalIgnoreCase`, except URIs (OpenID and similar schemes
/// use them as user names), which are compared ordinally. Case is folded per character with
/// the simple (one-to-one) upper-case mapping, as `OrdinalIgnoreCase` folds it.
fn usernames_equal(token: &str, current: &str) -> bool {
    let is_uri = |s: &str| {
        ["http://", "https://"].iter().any(|scheme| {
            s.get(..scheme.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(scheme))
        })
    };
    if is_uri(current) {
        return token == current;
    }
    let fold = |c: char| {
        let mut upper = c.to_uppercase();
        match (upper.next(), upper.next()) {
            (Some(u), None) => u,
            _ => c,
        }
    };
    token.chars().map(fold).eq(current.chars().map(fold))
}

/// Antiforgery tokens over a key ring: protected with the purpose
/// [`purposes::ANTIFORGERY`] after the provider's application name, carried as base64url.
#[derive(Debug, Clone)]
pub struct Antiforgery {
    protector: DataProtector,
}

impl Antiforgery {
    /// Tokens for applications using `provider`.
    pub fn new(provider: &DataProtectionProvider) -> Self {
        Self {
            protector: provider.create_protector(purposes::ANTIFORGERY),
        }
    }

    /// Decodes a cookie or request token: base64url, unprotect, then the token format.
    ///
    /// # Errors
    /// * [`AspNetError::LimitExceeded`] for text longer than 64 KiB (checked first);
    /// * [`AspNetError::InvalidBase64`];
    /// * [`AspNetError::Unprotect`] (tampered, another application or purpose, unknown or revoked
    ///   key);
    /// * the errors of [`wire::antiforgery::decode`](crate::wire::antiforgery::decode).
    pub fn decode_token(&self, text: &str) -> Result<AntiforgeryToken, AspNetError> {
        if text.len() > MAX_TOKEN_TEXT {
            return Err(AspNetError::LimitExceeded {
                what: "antiforgery token",
                limit: MAX_TOKEN_TEXT,
            });
        }
        let payload = base64url::decode(text).map_err(|_| AspNetError::InvalidBase64)?;
        let plaintext = self
            .protector
            .unprotect(&payload)
            .map_err(AspNetError::Unprotect)?;
        antiforgery::decode(&plaintext)
    }

    /// Encodes and protects a token, as base64url.
    ///
    /// # Errors
    /// [`AspNetError::Unprotect`] when the key ring cannot protect (no usable default key, an
    /// unreadable ring); [`AspNetError::Format`] for an unwritable string.
    pub fn protect_token(&self, token: &AntiforgeryToken) -> Result<String, AspNetError> {
        let plaintext = antiforgery::encode(token)?;
        let payload = self.protector.protect(&plaintext)?;
        Ok(base64url::encode(&payload))
    }

    /// Decodes both tokens and validates them for the user (see [`validate_tokens`]).
    ///
    /// # Errors
    /// The errors of [`Antiforgery::decode_token`] for either token (cookie token first), then
    /// [`AspNetError::Antiforgery`].
    pub fn validate(
        &self,
        cookie_token: &str,
        request_token: &str,
        identities: &[ClaimsIdentity],
    ) -> Result<(), AspNetError> {
        let cookie = self.decode_token(cookie_token)?;
        let request = self.decode_token(request_token)?;
        validate_tokens(&cookie, &request, identities)
    }

    /// A new token pair for the user, as `GetAndStoreTokens` makes one with no cookie yet: 16
    /// random bytes shared by both; the request token bound to the user's claim uid, else to the
    /// first authenticated identity's name, else to `""`. Returns `(cookie token, request
    /// token)`, both protected and base64url-encoded.
    ///
    /// # Errors
    /// [`AspNetError::Unprotect`] with [`KeyringError::Crypto`] when `rng` fails, or the errors
    /// of [`Antiforgery::protect_token`].
    pub fn generate(
        &self,
        identities: &[ClaimsIdentity],
        rng: &dyn SecureRandom,
    ) -> Result<(String, String), AspNetError> {
        let mut security_token: SecurityToken = [0; 16];
        rng.fill(&mut security_token)
            .map_err(|e| AspNetError::Unprotect(KeyringError::Crypto(e)))?;
        let user = match claim_uid(identities) {
            Some(uid) => TokenUser::ClaimUid(uid),
            None => TokenUser::Username(
                identities
                    .iter()
                    .find(|i| i.is_authenticated())
                    .and_then(ClaimsIdentity::name)
                    .unwrap_or_default()
                    .to_owned(),
            ),
        };
        let cookie = AntiforgeryToken {
            security_token,
            kind: TokenKind::Cookie,
        };
        let request = AntiforgeryToken {
            security_token,
            kind: TokenKind::Request {
                user,
                additional_data: String::new(),
            },
        };
        Ok((self.protect_token(&cookie)?, self.protect_token(&request)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Claim;

    #[test]
    fn claim_uid_of_the_spec_example() {
        let alice = ClaimsIdentity::new("Cookies").with_claim("sub", "alice");
        assert_eq!(
            claim_uid(&[alice]).map(hex),
            Some("c5ddab4eb7959039f573fd16d31f4070bd9297c3f0bb2fbd7b8fd270541b83b3".into())
        );
    }

    fn hex(bytes: [u8; 32]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn claim_uid_selection() {
        let nameid = |v: &str| ClaimsIdentity::new("A").with_claim(claim_types::NAME_IDENTIFIER, v);
        // Unauthenticated identities are skipped; none authenticated → None.
        assert_eq!(claim_uid(&[]), None);
        assert_eq!(
            claim_uid(&[ClaimsIdentity::new("").with_claim("sub", "x")]),
            None
        );
        // sub before nameidentifier in one identity; the first identity with one wins.
        let both = nameid("n").with_claim("sub", "s");
        let sub_only = ClaimsIdentity::new("A").with_claim("sub", "s");
        assert_eq!(
            claim_uid(&[both]),
            claim_uid(std::slice::from_ref(&sub_only))
        );
        assert_eq!(
            claim_uid(&[sub_only.clone(), nameid("n")]),
            claim_uid(&[sub_only])
        );
        // An empty first sub falls through to nameidentifier.
        let empty_sub = nameid("n").with_claim("sub", "");
        assert_eq!(claim_uid(&[empty_sub]), claim_uid(&[nameid("n")]));
        // Fallback: all claims sorted by type.
        let claims = ClaimsIdentity::new("A")
            .with_claim("b", "2")
            .with_claim("a", "1");
        let mut w = BinaryWriter::new();
        for s in ["a", "1", "LOCAL AUTHORITY", "b", "2", "LOCAL AUTHORITY"] {
            w.string(s).ok();
        }
        let expected: [u8; 32] = Sha256::digest(w.as_bytes()).into();
        assert_eq!(claim_uid(&[claims]), Some(expected));
    }

    #[test]
    fn derived_cookie_names() {
        assert_eq!(cookie_name(None), ".AspNetCore.Antiforgery.47DEQpj8HBQ");
        assert_eq!(cookie_name(Some("")), ".AspNetCore.Antiforgery.47DEQpj8HBQ");
        assert_eq!(
            cookie_name(Some("MyApp")),
            ".AspNetCore.Antiforgery.TeM5zmpk18g"
        );
        assert_eq!(
            cookie_name(Some("/app/")),
            ".AspNetCore.Antiforgery.VyLW6ORzMgk"
        );
        assert_eq!(
            cookie_name(Some("C:\\app\\")),
            ".AspNetCore.Antiforgery.sJA_cBL8Zc0"
        );
        assert_eq!(
            cookie_name(Some("WebApp")),
            ".AspNetCore.Antiforgery.4ewlKE2fs7M"
        );
    }

    fn pair(user: TokenUser, additional_data: &str) -> (AntiforgeryToken, AntiforgeryToken) {
        let cookie = AntiforgeryToken {
            security_token: [3; 16],
            kind: TokenKind::Cookie,
        };
        let request = AntiforgeryToken {
            security_token: [3; 16],
            kind: TokenKind::Request {
                user,
                additional_data: additional_data.into(),
            },
        };
        (cookie, request)
    }

    fn check(
        (cookie, request): &(AntiforgeryToken, AntiforgeryToken),
        identities: &[ClaimsIdentity],
    ) -> Result<(), AntiforgeryMismatch> {
        match validate_tokens(cookie, request, identities) {
            Ok(()) => Ok(()),
            Err(AspNetError::Antiforgery(m)) => Err(m),
            Err(e) => panic!("unexpected {e}"),
        }
    }

    #[test]
    fn validation_follows_dotnet() {
        use AntiforgeryMismatch::*;
        let named = |name: &str| {
            let mut i = ClaimsIdentity::new("A");
            i.claims.push(Claim::new(claim_types::NAME, name));
            i
        };
        let anon = pair(TokenUser::Username(String::new()), "");
        assert_eq!(check(&anon, &[]), Ok(()));
        assert_eq!(check(&anon, &[ClaimsIdentity::new("")]), Ok(()));
        assert_eq!(
            check(&(anon.1.clone(), anon.0.clone()), &[]),
            Err(TokensSwapped)
        );
        assert_eq!(
            check(&(anon.0.clone(), anon.0.clone()), &[]),
            Err(TokensSwapped)
        );
        let mut other = anon.clone();
        other.1.security_token[0] ^= 1;
        assert_eq!(check(&other, &[]), Err(SecurityTokenMismatch));

        // A user with only a name claim gets the fallback claim uid (all claims), not the name.
        let alice = named("Alice");
        let uid = claim_uid(std::slice::from_ref(&alice)).unwrap_or_default();
        let bound = pair(TokenUser::ClaimUid(uid), "");
        assert_eq!(check(&bound, std::slice::from_ref(&alice)), Ok(()));
        assert_eq!(check(&bound, &[]), Err(ClaimUidMismatch));
        assert_eq!(check(&bound, &[named("Bob")]), Err(ClaimUidMismatch));
        assert_eq!(check(&anon, &[alice]), Err(ClaimUidMismatch));

        // Name-bound tokens (issued by apps whose users had no claims at the time): compared
        // with the current name only when the user has no claim uid.
        let by_name = pair(TokenUser::Username("alice".into()), "");
        assert_eq!(check(&by_name, &[]), Err(UsernameMismatch));
        assert_eq!(check(&by_name, &[named("ALICE")]), Err(UsernameMismatch));
        let extra = pair(TokenUser::Username(String::new()), "x");
        assert_eq!(check(&extra, &[]), Err(AdditionalDataRejected));
    }

    #[test]
    fn usernames_compare_like_dotnet() {
        assert!(usernames_equal("alice", "ALICE"));
        assert!(usernames_equal("élodie", "ÉLODIE"));
        assert!(!usernames_equal("alice", "alic"));
        assert!(usernames_equal("https://id/a", "https://id/a"));
        assert!(!usernames_equal("https://id/a", "https://id/A"));
        assert!(!usernames_equal("http://id/a", "HTTP://id/A"));
        assert!(usernames_equal("", ""));
    }
}
