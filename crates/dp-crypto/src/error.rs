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
    /// The bytes are not an RSA key of the kind the operation needs (SubjectPublicKeyInfo DER
    /// for a public key, PKCS#8 DER for a private key), or the key is inconsistent.
    InvalidRsaKey(&'static str),
    /// RSA key generation was asked for a modulus size other than 2048, 3072, 4096 or 8192
    /// bits (API misuse).
    UnsupportedRsaKeySize(usize),
    /// An RSA operation failed for a reason other than its key: a message too long for the key
    /// and padding, the random source, an internal error.
    RsaFailed(&'static str),
    /// RSA decryption failed.
    ///
    /// Deliberately one variant for every cause — a key that does not parse, the wrong key, bad
    /// padding, a wrong length — so that it is no padding oracle.
    RsaDecryptionFailed,
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
            Self::InvalidRsaKey(why) => write!(f, "invalid RSA key: {why}"),
            Self::UnsupportedRsaKeySize(bits) => write!(f, "unsupported RSA key size {bits}"),
            Self::RsaFailed(why) => write!(f, "RSA operation failed: {why}"),
            Self::RsaDecryptionFailed => f.write_str("RSA decryption failed"),
        }
    }
}

impl std::error::Error for CryptoError {}
