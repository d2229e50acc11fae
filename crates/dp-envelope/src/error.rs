use core::fmt;

use dp_format::FormatError;

/// Everything that can go wrong sealing or opening an envelope.
///
/// [`EnvelopeError::is_rejection`] separates a rejected envelope (the CLI's exit code 3) from
/// an operational failure.
#[derive(Debug)]
#[non_exhaustive]
pub enum EnvelopeError {
    /// The input is not a well-formed envelope (bad magic, unknown version or algorithm, a limit
    /// exceeded). Detected before any public-key operation.
    Format(FormatError),
    /// A CryptoAPI `SIMPLEBLOB` (a wrapped session key) is malformed: wrong type, version,
    /// ALG_ID or length, or a ciphertext that is not as long as the key's modulus. A rejected
    /// input, like a malformed envelope.
    SessionKeyBlob(FormatError),
    /// A CryptoAPI key BLOB (`PUBLICKEYBLOB` / `PRIVATEKEYBLOB`) is malformed, or its numbers
    /// cannot form an RSA key. A bad key file, like an unreadable PEM: not a rejection.
    KeyBlob(FormatError),
    /// None of the envelope's recipients is the opening key.
    NotARecipient,
    /// The header failed authentication (tampered, or the wrapped key is not for this key).
    HeaderAuthenticationFailed,
    /// A chunk failed authentication (tampered, reordered, duplicated or from another envelope).
    ChunkAuthenticationFailed {
        /// Index of the failing chunk.
        index: u64,
    },
    /// The input ended before the last chunk or the signature.
    Truncated,
    /// Bytes follow the end of the envelope.
    TrailingData,
    /// The envelope is older than the maximum age.
    TooOld {
        /// Its creation time (Unix seconds).
        created: i64,
    },
    /// The envelope claims a creation time in the future beyond the clock-skew allowance.
    FromTheFuture {
        /// Its creation time (Unix seconds).
        created: i64,
    },
    /// The envelope (sender, message id) was opened before.
    Replayed,
    /// A signature was required (an expected sender was named) but the envelope is unsigned.
    Unsigned,
    /// The envelope is signed by someone other than the expected sender.
    WrongSender,
    /// The signature does not verify.
    BadSignature,
    /// The authenticated header names a sender key that is no acceptable RSA key (2048–8192
    /// bits, exponent 65537) or does not match the signature length.
    InvalidSenderKey,
    /// A wrapped session key (CryptoAPI `SIMPLEBLOB`) could not be unwrapped. One error for
    /// every cause — wrong key, bad padding, wrong length — so that it is no padding oracle.
    KeyUnwrapFailed,
    /// A key could not be read or is not acceptable (size, exponent, type).
    InvalidKey(String),
    /// A public-key operation failed for a reason other than the input (should not happen).
    Rsa(&'static str),
    /// A cryptographic operation failed (the random source).
    Crypto(dp_crypto::CryptoError),
    /// An I/O operation failed.
    Io {
        /// What was being done.
        context: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// An argument is invalid (no recipients, bad chunk size).
    InvalidArgument(String),
    /// A file (the replay cache or its lock) is not what it must be — a named pipe, a device, a
    /// link, too large — or could not be read or written.
    File(dp_fs::FsError),
    /// A shared replay cache (a Redis server) is unreachable, refused the credentials, timed out
    /// or failed a command. The envelope is neither accepted nor recorded: an unknown answer is
    /// never taken for "not seen".
    ReplayStore {
        /// The store, without its password.
        store: String,
        /// What went wrong.
        reason: String,
    },
}

impl EnvelopeError {
    /// Whether the envelope itself was rejected (as opposed to an operational failure).
    pub fn is_rejection(&self) -> bool {
        matches!(
            self,
            Self::Format(_)
                | Self::SessionKeyBlob(_)
                | Self::NotARecipient
                | Self::HeaderAuthenticationFailed
                | Self::ChunkAuthenticationFailed { .. }
                | Self::Truncated
                | Self::TrailingData
                | Self::TooOld { .. }
                | Self::FromTheFuture { .. }
                | Self::Replayed
                | Self::Unsigned
                | Self::WrongSender
                | Self::BadSignature
                | Self::InvalidSenderKey
                | Self::KeyUnwrapFailed
        )
    }

    /// The error of an RSA backend call (`dp_crypto::rsa`), in this crate's terms.
    pub(crate) fn rsa(e: dp_crypto::CryptoError) -> Self {
        use dp_crypto::CryptoError;
        match e {
            CryptoError::InvalidRsaKey(why) => Self::InvalidKey(why.into()),
            CryptoError::RsaFailed(why) => Self::Rsa(why),
            CryptoError::UnsupportedRsaKeySize(_) => Self::InvalidArgument(e.to_string()),
            other => Self::Crypto(other),
        }
    }

    pub(crate) fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Self::Io {
            context: context.into(),
            source,
        }
    }
}

impl fmt::Display for EnvelopeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Format(e) => write!(f, "malformed envelope: {e}"),
            Self::SessionKeyBlob(e) => write!(f, "malformed CryptoAPI SIMPLEBLOB: {e}"),
            Self::KeyBlob(e) => write!(f, "malformed CryptoAPI key BLOB: {e}"),
            Self::NotARecipient => f.write_str("this key is not a recipient of the envelope"),
            Self::HeaderAuthenticationFailed => {
                f.write_str("the envelope header failed authentication (tampered)")
            }
            Self::ChunkAuthenticationFailed { index } => {
                write!(
                    f,
                    "chunk {index} failed authentication (tampered, reordered or spliced)"
                )
            }
            Self::Truncated => f.write_str("the envelope is truncated"),
            Self::TrailingData => f.write_str("unexpected data after the end of the envelope"),
            Self::TooOld { created } => {
                write!(
                    f,
                    "the envelope is too old (created at Unix time {created})"
                )
            }
            Self::FromTheFuture { created } => write!(
                f,
                "the envelope is dated in the future (Unix time {created}); check the clocks"
            ),
            Self::Replayed => f.write_str("the envelope was already opened (replay)"),
            Self::Unsigned => f.write_str("the envelope is not signed, but a sender was required"),
            Self::WrongSender => f.write_str("the envelope is signed by a different sender"),
            Self::BadSignature => f.write_str("the sender signature does not verify"),
            Self::InvalidSenderKey => f.write_str(
                "the envelope names a sender key that is not an acceptable RSA key for its signature",
            ),
            Self::KeyUnwrapFailed => {
                f.write_str("the session key could not be unwrapped with this key")
            }
            Self::InvalidKey(why) => write!(f, "invalid key: {why}"),
            Self::Rsa(why) => write!(f, "RSA operation failed: {why}"),
            Self::Crypto(e) => write!(f, "{e}"),
            Self::Io { context, source } => write!(f, "{context}: {source}"),
            Self::File(e) => write!(f, "{e}"),
            Self::ReplayStore { store, reason } => write!(f, "replay cache {store}: {reason}"),
            Self::InvalidArgument(why) => f.write_str(why),
        }
    }
}

impl std::error::Error for EnvelopeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Format(e) | Self::SessionKeyBlob(e) | Self::KeyBlob(e) => Some(e),
            Self::Crypto(e) => Some(e),
            Self::Io { source, .. } => Some(source),
            Self::File(e) => Some(e),
            _ => None,
        }
    }
}

impl From<FormatError> for EnvelopeError {
    fn from(e: FormatError) -> Self {
        Self::Format(e)
    }
}

impl From<dp_crypto::CryptoError> for EnvelopeError {
    fn from(e: dp_crypto::CryptoError) -> Self {
        Self::Crypto(e)
    }
}

impl From<dp_fs::FsError> for EnvelopeError {
    fn from(e: dp_fs::FsError) -> Self {
        Self::File(e)
    }
}

#[cfg(test)]
mod tests {
    use dp_crypto::CryptoError;

    use super::EnvelopeError;
    use crate::{PrivateKey, RsaBackend};

    #[test]
    fn rsa_backend_errors_keep_their_envelope_variants() {
        assert!(matches!(
            EnvelopeError::rsa(CryptoError::InvalidRsaKey("not an RSA public key")),
            EnvelopeError::InvalidKey(why) if why == "not an RSA public key"
        ));
        assert!(matches!(
            EnvelopeError::rsa(CryptoError::RsaFailed("signing failed")),
            EnvelopeError::Rsa("signing failed")
        ));
        assert!(matches!(
            EnvelopeError::rsa(CryptoError::RandomSourceFailed),
            EnvelopeError::Crypto(CryptoError::RandomSourceFailed)
        ));
        for &backend in RsaBackend::ALL {
            assert!(matches!(
                PrivateKey::generate(1024, backend),
                Err(EnvelopeError::InvalidArgument(why)) if why == "unsupported RSA key size 1024"
            ));
        }
    }
}
