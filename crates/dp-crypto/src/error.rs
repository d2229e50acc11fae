use core::fmt;

/// Errors of the cryptographic layer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CryptoError {
    /// The body failed authentication.
    ///
    /// Deliberately one variant for every cause — bad tag, bad padding, impossible length, wrong
    /// key, wrong purposes — so that nothing about the failure leaks to an attacker.
    AuthenticationFailed,
    /// The random source could not produce bytes.
    RandomSourceFailed,
    /// A name does not denote a supported algorithm.
    UnknownAlgorithm(String),
    /// A KDF request asked for more output than the 32-bit length field can describe.
    OutputTooLong,
    /// A raw cipher key has the wrong length for its algorithm (API misuse).
    InvalidKeyLength,
    /// The plaintext is longer than the cipher can encrypt under one nonce (AES-GCM: 2^36 − 32
    /// bytes). Nothing is written.
    PlaintextTooLong,
}

impl fmt::Display for CryptoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::AuthenticationFailed => f.write_str("the payload failed authentication"),
            Self::RandomSourceFailed => f.write_str("the random number generator failed"),
            Self::UnknownAlgorithm(name) => write!(f, "unsupported algorithm `{name}`"),
            Self::OutputTooLong => f.write_str("requested key derivation output is too long"),
            Self::InvalidKeyLength => f.write_str("the key has the wrong length for the cipher"),
            Self::PlaintextTooLong => f.write_str("the plaintext is too long for the cipher"),
        }
    }
}

impl std::error::Error for CryptoError {}
