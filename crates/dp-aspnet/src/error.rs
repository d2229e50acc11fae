use core::fmt;

use dp_format::FormatError;
use dp_keyring::{KeyId, KeyringError, Timestamp};

/// Why a web artifact could not be read, written or accepted.
///
/// Errors never carry ticket contents, claim values or token bytes, so they can be logged.
/// [`AspNetError::reason`] sorts them into the few reasons a web service acts on.
#[derive(Debug)]
#[non_exhaustive]
pub enum AspNetError {
    /// The request carries no cookie of that name (or an empty one).
    NoCookie {
        /// The cookie looked for.
        name: String,
    },
    /// A chunked cookie (`chunks-N`) lacks one of its parts `NAMEC1..NAMECN`. .NET silently
    /// treats the literal `chunks-N` as the value, which then fails to unprotect.
    IncompleteChunkedCookie {
        /// The base cookie.
        name: String,
        /// The number of chunks it announces.
        chunks: usize,
        /// The first missing part (1-based).
        missing: usize,
    },
    /// A bound on input size or on a count was exceeded (checked before allocating).
    LimitExceeded {
        /// What was counted or measured.
        what: &'static str,
        /// The bound.
        limit: usize,
    },
    /// The cookie value or token is not base64url.
    InvalidBase64,
    /// The bytes end early, or a .NET primitive is malformed.
    Format(FormatError),
    /// The payload did not unprotect: wrong purpose or application, tampered, unknown or revoked
    /// key (see [`AspNetError::reason`]).
    Unprotect(KeyringError),
    /// A ticket of another `TicketSerializer` format version than 5.
    UnsupportedTicketVersion(i32),
    /// Stand-alone properties (`PropertiesDataFormat`) of another format version than 1.
    UnsupportedPropertiesVersion(i32),
    /// An antiforgery token of another version than 1.
    UnsupportedAntiforgeryVersion(u8),
    /// A negative count where .NET would throw or loop.
    NegativeCount {
        /// Which count.
        field: &'static str,
    },
    /// A count larger than the bytes left could hold.
    CountExceedsData {
        /// Which count.
        field: &'static str,
    },
    /// Actor identities nested deeper than [`limits::MAX_ACTOR_DEPTH`](crate::limits::MAX_ACTOR_DEPTH).
    ActorTooDeep,
    /// The same key twice in one properties dictionary; .NET fails the whole ticket.
    DuplicateKey {
        /// `ticket property` or `claim property`.
        field: &'static str,
    },
    /// A date property (`.issued`, `.expires`) is not in .NET's `r` format.
    InvalidDate {
        /// The property key.
        key: &'static str,
    },
    /// The ticket's `.expires` is in the past (the cookie handler's check).
    Expired {
        /// When the ticket expired.
        expires: Timestamp,
    },
    /// A value cannot be written in the format (an empty cookie name, a chunk size with no
    /// room for data, a string of 2 GiB).
    InvalidArgument(&'static str),
    /// Antiforgery: the token pair does not validate for this user.
    Antiforgery(AntiforgeryMismatch),
}

/// Why an antiforgery token pair was refused, in .NET's order of checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AntiforgeryMismatch {
    /// The cookie token is a request token or the request token a cookie token.
    TokensSwapped,
    /// The two tokens carry different security tokens.
    SecurityTokenMismatch,
    /// The request token was issued for another user name.
    UsernameMismatch,
    /// The request token was issued for another user's claims (or for none).
    ClaimUidMismatch,
    /// The request token carries additional data the default provider does not accept.
    AdditionalDataRejected,
}

/// The reason a web service acts on when a cookie or token is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RejectReason {
    /// No cookie: the user is not signed in.
    NoCookie,
    /// The value is not a well-formed payload or ticket (or chunks are missing).
    Malformed,
    /// The payload failed authentication: tampered, or protected for another purpose or app.
    Tampered,
    /// The payload's key is not in the ring.
    UnknownKey,
    /// The payload's key was revoked.
    KeyRevoked,
    /// The ticket's `.expires` is past.
    Expired,
    /// Antiforgery tokens that do not belong together or to this user.
    Mismatch,
    /// The key ring could not be read (an operational failure, not the client's fault).
    KeyRing,
}

impl AspNetError {
    /// The reason to act on.
    pub fn reason(&self) -> RejectReason {
        match self {
            Self::NoCookie { .. } => RejectReason::NoCookie,
            Self::Expired { .. } => RejectReason::Expired,
            Self::Antiforgery(_) => RejectReason::Mismatch,
            Self::Unprotect(e) => match e {
                // A failing random source (when issuing) is the server's problem.
                KeyringError::Crypto(dp_keyring::CryptoError::RandomSourceFailed) => {
                    RejectReason::KeyRing
                }
                KeyringError::AuthenticationFailed | KeyringError::Crypto(_) => {
                    RejectReason::Tampered
                }
                KeyringError::KeyNotFound(_) => RejectReason::UnknownKey,
                KeyringError::KeyRevoked(_) => RejectReason::KeyRevoked,
                KeyringError::Payload(_) | KeyringError::InvalidPayload(_) => {
                    RejectReason::Malformed
                }
                _ => RejectReason::KeyRing,
            },
            _ => RejectReason::Malformed,
        }
    }

    /// The key id of an unknown or revoked key, for diagnostics.
    pub fn key_id(&self) -> Option<KeyId> {
        match self {
            Self::Unprotect(KeyringError::KeyNotFound(id) | KeyringError::KeyRevoked(id)) => {
                Some(*id)
            }
            _ => None,
        }
    }
}

impl fmt::Display for AspNetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoCookie { name } => write!(f, "no cookie named {name}"),
            Self::IncompleteChunkedCookie {
                name,
                chunks,
                missing,
            } => write!(
                f,
                "chunked cookie {name} announces {chunks} chunks but {name}C{missing} is missing or empty"
            ),
            Self::LimitExceeded { what, limit } => write!(f, "{what} exceeds the limit of {limit}"),
            Self::InvalidBase64 => f.write_str("the value is not base64url"),
            Self::Format(e) => write!(f, "malformed: {e}"),
            Self::Unprotect(e) => write!(f, "cannot unprotect: {e}"),
            Self::UnsupportedTicketVersion(v) => {
                write!(f, "ticket format version {v} (only 5 is known)")
            }
            Self::UnsupportedPropertiesVersion(v) => {
                write!(f, "properties format version {v} (only 1 is known)")
            }
            Self::UnsupportedAntiforgeryVersion(v) => {
                write!(f, "antiforgery token version {v} (only 1 is known)")
            }
            Self::NegativeCount { field } => write!(f, "negative {field}"),
            Self::CountExceedsData { field } => {
                write!(f, "{field} is larger than the data that follows could hold")
            }
            Self::ActorTooDeep => write!(
                f,
                "actor identities nested deeper than {}",
                crate::limits::MAX_ACTOR_DEPTH
            ),
            Self::DuplicateKey { field } => write!(f, "duplicate {field} key"),
            Self::InvalidDate { key } => {
                write!(f, "property {key} is not a date in .NET's \"r\" format")
            }
            Self::Expired { expires } => write!(f, "the ticket expired at {expires}"),
            Self::InvalidArgument(what) => f.write_str(what),
            Self::Antiforgery(m) => f.write_str(match m {
                AntiforgeryMismatch::TokensSwapped => {
                    "the antiforgery cookie token and request token were swapped"
                }
                AntiforgeryMismatch::SecurityTokenMismatch => {
                    "the antiforgery cookie token and request token do not match"
                }
                AntiforgeryMismatch::UsernameMismatch => {
                    "the antiforgery request token was issued for another user name"
                }
                AntiforgeryMismatch::ClaimUidMismatch => {
                    "the antiforgery request token was issued for another user"
                }
                AntiforgeryMismatch::AdditionalDataRejected => {
                    "the antiforgery request token carries unexpected additional data"
                }
            }),
        }
    }
}

impl std::error::Error for AspNetError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Format(e) => Some(e),
            Self::Unprotect(e) => Some(e),
            _ => None,
        }
    }
}

impl From<FormatError> for AspNetError {
    fn from(e: FormatError) -> Self {
        Self::Format(e)
    }
}

impl From<KeyringError> for AspNetError {
    fn from(e: KeyringError) -> Self {
        Self::Unprotect(e)
    }
}
