use core::fmt;
use std::path::PathBuf;

use dp_crypto::CryptoError;
use dp_format::{FormatError, KeyId};

use dp_fs::FsError;

use crate::Timestamp;
use crate::xml::XmlLimit;

/// Everything that can go wrong in the key ring and the protectors.
///
/// [`KeyringError::is_rejection`] separates a rejected payload (tampered, wrong purpose, unknown
/// or revoked key, expired) from an operational failure (I/O, a broken key ring).
#[derive(Debug)]
#[non_exhaustive]
pub enum KeyringError {
    /// The payload is not a protected payload of a version we understand.
    Payload(FormatError),
    /// The payload failed authentication (tampered, wrong purpose, wrong key material).
    AuthenticationFailed,
    /// The payload names a key that is not in the key ring.
    KeyNotFound(KeyId),
    /// The payload's key has been revoked.
    KeyRevoked(KeyId),
    /// A time-limited payload has expired.
    Expired {
        /// When it expired.
        expiration: Timestamp,
    },
    /// The payload authenticated but is not valid for its use (for example a time-limited
    /// payload without its header, or text that is not UTF-8).
    InvalidPayload(&'static str),
    /// The key exists but its descriptor cannot be used (unsupported encryptor, undecryptable
    /// master key, unknown algorithm).
    KeyUnusable {
        /// The key.
        id: KeyId,
        /// Why, without secret material.
        reason: String,
    },
    /// A repository element (file) is not a readable key, revocation or XML document.
    MalformedElement {
        /// Where it came from (a path for the file-system repository).
        source: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A repository element exceeds a bound on its size or shape; it is refused before it is
    /// parsed, and like any unreadable element it fails the whole read.
    XmlLimitExceeded {
        /// Where it came from.
        source: String,
        /// The bound it broke.
        limit: XmlLimit,
    },
    /// A file of the store is not what it must be (a link to nothing, a named pipe, too large,
    /// a lock file that is a link), or could not be written.
    File(FsError),
    /// Creating a key now would be pointless: a revocation of every key created before `date`,
    /// which is later than now, would revoke it on arrival.
    AllKeysRevoked {
        /// The date of the mass revocation.
        date: Timestamp,
    },
    /// Two key elements share one id; the ring cannot tell which is genuine.
    DuplicateKeyId(KeyId),
    /// A date could not be parsed or represented.
    InvalidDate(String),
    /// No usable default key, and key generation is disabled (read-only ring).
    NoDefaultKey,
    /// An I/O operation on the repository failed.
    Io {
        /// What was being done, with the path.
        context: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The repository cannot be written (for example a read-only key directory).
    ReadOnlyRepository(PathBuf),
    /// An API argument is invalid (empty purpose list, bad lifetime).
    InvalidArgument(String),
    /// A cryptographic operation other than authentication failed (the random source).
    Crypto(CryptoError),
}

impl KeyringError {
    /// Whether the error rejects the *payload* (the CLI's exit code 3) rather than signalling
    /// an operational problem.
    pub fn is_rejection(&self) -> bool {
        matches!(
            self,
            Self::Payload(_)
                | Self::AuthenticationFailed
                | Self::KeyNotFound(_)
                | Self::KeyRevoked(_)
                | Self::Expired { .. }
                | Self::InvalidPayload(_)
        )
    }

    pub(crate) fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Self::Io {
            context: context.into(),
            source,
        }
    }

    pub(crate) fn malformed(source: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::MalformedElement {
            source: source.into(),
            reason: reason.into(),
        }
    }
}

impl fmt::Display for KeyringError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Payload(e) => write!(f, "{e}"),
            Self::AuthenticationFailed => f.write_str(
                "the payload failed authentication (tampered, wrong purpose or wrong key ring)",
            ),
            Self::KeyNotFound(id) => write!(f, "the key {id} was not found in the key ring"),
            Self::KeyRevoked(id) => write!(f, "the key {id} has been revoked"),
            Self::Expired { expiration } => write!(f, "the payload expired at {expiration}"),
            Self::InvalidPayload(why) => write!(f, "invalid payload: {why}"),
            Self::KeyUnusable { id, reason } => write!(f, "the key {id} cannot be used: {reason}"),
            Self::MalformedElement { source, reason } => write!(f, "{source}: {reason}"),
            Self::XmlLimitExceeded { source, limit } => {
                write!(f, "{source}: refused before parsing: {limit}")
            }
            Self::File(e) => write!(f, "{e}"),
            Self::AllKeysRevoked { date } => write!(
                f,
                "every key is revoked by the revocation of {}",
                date.to_rfc3339()
            ),
            Self::DuplicateKeyId(id) => {
                write!(f, "the key ring holds more than one key with id {id}")
            }
            Self::InvalidDate(text) => write!(f, "invalid date `{text}`"),
            Self::NoDefaultKey => {
                f.write_str("the key ring has no usable default key and key generation is disabled")
            }
            Self::Io { context, source } => write!(f, "{context}: {source}"),
            Self::ReadOnlyRepository(path) => {
                write!(f, "the key directory {} is not writable", path.display())
            }
            Self::InvalidArgument(why) => f.write_str(why),
            Self::Crypto(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for KeyringError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Io { source, .. } => Some(source),
            Self::Payload(e) => Some(e),
            Self::Crypto(e) => Some(e),
            Self::File(e) => Some(e),
            _ => None,
        }
    }
}

impl From<FormatError> for KeyringError {
    fn from(e: FormatError) -> Self {
        Self::Payload(e)
    }
}

impl From<CryptoError> for KeyringError {
    fn from(e: CryptoError) -> Self {
        match e {
            CryptoError::AuthenticationFailed => Self::AuthenticationFailed,
            other => Self::Crypto(other),
        }
    }
}

impl From<FsError> for KeyringError {
    fn from(e: FsError) -> Self {
        Self::File(e)
    }
}
