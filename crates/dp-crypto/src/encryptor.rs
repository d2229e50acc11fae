use core::fmt;

use crate::{Algorithm, CryptoError, MasterKey, SecureRandom, Sp800108Kdf, cbc_hmac, gcm};

/// An authenticated encryptor bound to one key's master key and algorithm.
///
/// Every call derives fresh subkeys from the master key with a fresh random 16-byte key
/// modifier, so the master key itself never touches a cipher. The AAD (see
/// `dp_format::AadBuilder`) is the derivation label: decrypting with other purposes or another
/// key id derives other subkeys and fails authentication.
///
/// The encryptor is immutable, `Send` and `Sync`; share it freely between threads.
pub struct AuthenticatedEncryptor {
    algorithm: Algorithm,
    kdf: Sp800108Kdf,
}

impl AuthenticatedEncryptor {
    /// Prepares an encryptor; the master key may be dropped afterwards.
    pub fn new(algorithm: Algorithm, master_key: &MasterKey) -> Self {
        // Compute the context header once, up front; the cache keeps it.
        crate::context_header::context_header(algorithm);
        Self {
            algorithm,
            kdf: Sp800108Kdf::new(master_key.expose_secret()),
        }
    }

    /// The algorithm configuration.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The exact body length `encrypt` produces for a plaintext length.
    pub fn body_len(&self, plaintext_len: usize) -> usize {
        match self.algorithm {
            Algorithm::CbcHmac { mac, .. } => cbc_hmac::body_len(plaintext_len, mac),
            Algorithm::Gcm { .. } => gcm::body_len(plaintext_len),
        }
    }

    /// Encrypts and authenticates `plaintext`, appending the body to `out`.
    ///
    /// Appending lets a protector write the 20-byte payload header first and avoid a copy.
    ///
    /// # Errors
    /// [`CryptoError::RandomSourceFailed`] if no randomness is available;
    /// [`CryptoError::PlaintextTooLong`] above AES-GCM's limit (2^36 − 32 bytes). On error `out`
    /// is exactly as it was: no partial body, and never plaintext.
    pub fn encrypt_append(
        &self,
        plaintext: &[u8],
        aad: &[u8],
        rng: &dyn SecureRandom,
        out: &mut Vec<u8>,
    ) -> Result<(), CryptoError> {
        let start = out.len();
        let result = match self.algorithm {
            Algorithm::CbcHmac { aes, mac } => {
                cbc_hmac::encrypt_append(&self.kdf, aes, mac, plaintext, aad, rng, out)
            }
            Algorithm::Gcm { aes } => gcm::encrypt_append(&self.kdf, aes, plaintext, aad, rng, out),
        };
        if result.is_err() {
            // Both encryptors fail before appending; this holds the contract should that change.
            out.truncate(start);
        }
        result
    }

    /// Encrypts and authenticates `plaintext`, returning the body.
    ///
    /// # Errors
    /// As [`encrypt_append`](Self::encrypt_append).
    pub fn encrypt(
        &self,
        plaintext: &[u8],
        aad: &[u8],
        rng: &dyn SecureRandom,
    ) -> Result<Vec<u8>, CryptoError> {
        let mut out = Vec::with_capacity(self.body_len(plaintext.len()));
        self.encrypt_append(plaintext, aad, rng, &mut out)?;
        Ok(out)
    }

    /// Authenticates and decrypts a body.
    ///
    /// # Errors
    /// [`CryptoError::AuthenticationFailed`] for every kind of failure — short body, wrong
    /// length, bad tag, bad padding, wrong key or AAD. No plaintext is returned or left behind.
    pub fn decrypt(&self, body: &[u8], aad: &[u8]) -> Result<Vec<u8>, CryptoError> {
        match self.algorithm {
            Algorithm::CbcHmac { aes, mac } => cbc_hmac::decrypt(&self.kdf, aes, mac, body, aad),
            Algorithm::Gcm { aes } => gcm::decrypt(&self.kdf, aes, body, aad),
        }
    }
}

impl fmt::Debug for AuthenticatedEncryptor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AuthenticatedEncryptor")
    }
}
