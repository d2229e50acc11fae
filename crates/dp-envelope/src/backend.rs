//! RSA operations, through AWS-LC (default, constant-time) or the pure-Rust `rsa` crate.
//!
//! Keys travel between here and the rest of the crate as DER (PKCS#8 for private keys,
//! SubjectPublicKeyInfo for public keys), so both backends read the same files and each
//! operation is a plain function of its inputs.

use dp_crypto::SecureRandom;
use zeroize::Zeroizing;

use crate::EnvelopeError;

#[cfg(not(any(feature = "aws-lc", feature = "rust-rsa")))]
compile_error!("dp-envelope needs an RSA backend: enable `aws-lc` (default) or `rust-rsa`");

/// Which implementation performs RSA operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RsaBackend {
    /// AWS-LC through `aws-lc-rs`: constant-time private-key operations.
    #[cfg(feature = "aws-lc")]
    AwsLc,
    /// The pure-Rust `rsa` crate.
    ///
    /// # Security
    /// Its private-key operations leak timing (Marvin attack, RUSTSEC-2023-0071): an attacker who
    /// can time many decryptions may recover the key. Use only where AWS-LC cannot be built.
    #[cfg(feature = "rust-rsa")]
    RustCrypto,
}

impl Default for RsaBackend {
    fn default() -> Self {
        #[cfg(feature = "aws-lc")]
        return Self::AwsLc;
        #[cfg(not(feature = "aws-lc"))]
        return Self::RustCrypto;
    }
}

/// An RSA padding for key transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyWrapPadding {
    /// OAEP with SHA-256 and MGF1-SHA-256, empty label.
    OaepSha256,
    /// OAEP with SHA-1 and MGF1-SHA-1, empty label (CryptoAPI's `CRYPT_OAEP`).
    OaepSha1,
    /// PKCS#1 v1.5 type 2 (CryptoAPI's default). A padding oracle: legacy use only.
    Pkcs1v15,
}

impl RsaBackend {
    /// Every backend compiled in.
    pub const ALL: &'static [Self] = &[
        #[cfg(feature = "aws-lc")]
        Self::AwsLc,
        #[cfg(feature = "rust-rsa")]
        Self::RustCrypto,
    ];

    /// Encrypts `message` to a public key. The pure-Rust backend draws its padding randomness
    /// from `rng`; AWS-LC draws from its own generator (its API takes none), so only the former
    /// is reproducible with a seeded `rng`.
    pub(crate) fn encrypt(
        self,
        spki_der: &[u8],
        padding: KeyWrapPadding,
        message: &[u8],
        rng: &dyn SecureRandom,
    ) -> Result<Vec<u8>, EnvelopeError> {
        #[cfg(not(feature = "rust-rsa"))]
        let _ = rng;
        match self {
            #[cfg(feature = "aws-lc")]
            Self::AwsLc => aws::encrypt(spki_der, padding, message),
            #[cfg(feature = "rust-rsa")]
            Self::RustCrypto => rust::encrypt(spki_der, padding, message, rng),
        }
    }

    /// Decrypts with a private key. Every failure is the same `None`, so that padding errors are
    /// not distinguishable from other errors.
    pub(crate) fn decrypt(
        self,
        pkcs8_der: &[u8],
        padding: KeyWrapPadding,
        ciphertext: &[u8],
    ) -> Option<Zeroizing<Vec<u8>>> {
        match self {
            #[cfg(feature = "aws-lc")]
            Self::AwsLc => aws::decrypt(pkcs8_der, padding, ciphertext),
            #[cfg(feature = "rust-rsa")]
            Self::RustCrypto => rust::decrypt(pkcs8_der, padding, ciphertext),
        }
    }

    /// Signs with RSA-PSS-SHA256 (salt length 32); the salt comes from `rng` as for
    /// [`RsaBackend::encrypt`].
    pub(crate) fn sign_pss_sha256(
        self,
        pkcs8_der: &[u8],
        message: &[u8],
        rng: &dyn SecureRandom,
    ) -> Result<Vec<u8>, EnvelopeError> {
        #[cfg(not(feature = "rust-rsa"))]
        let _ = rng;
        match self {
            #[cfg(feature = "aws-lc")]
            Self::AwsLc => aws::sign(pkcs8_der, message),
            #[cfg(feature = "rust-rsa")]
            Self::RustCrypto => rust::sign(pkcs8_der, message, rng),
        }
    }

    /// Verifies an RSA-PSS-SHA256 signature.
    pub(crate) fn verify_pss_sha256(
        self,
        spki_der: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> bool {
        match self {
            #[cfg(feature = "aws-lc")]
            Self::AwsLc => aws::verify(spki_der, message, signature),
            #[cfg(feature = "rust-rsa")]
            Self::RustCrypto => rust::verify(spki_der, message, signature),
        }
    }

    /// Whether the backend accepts a PKCS#8 RSA key (both check the key's consistency).
    pub(crate) fn accepts_private_key(self, pkcs8_der: &[u8]) -> bool {
        match self {
            #[cfg(feature = "aws-lc")]
            Self::AwsLc => aws_lc_rs::rsa::KeyPair::from_pkcs8(pkcs8_der).is_ok(),
            #[cfg(feature = "rust-rsa")]
            Self::RustCrypto => {
                use rsa::pkcs8::DecodePrivateKey;
                rsa::PrivateKey::from_pkcs8_der(pkcs8_der).is_ok()
            }
        }
    }

    /// Generates a key pair: (PKCS#8 DER, SubjectPublicKeyInfo DER).
    pub(crate) fn generate(
        self,
        bits: usize,
    ) -> Result<(Zeroizing<Vec<u8>>, Vec<u8>), EnvelopeError> {
        match self {
            #[cfg(feature = "aws-lc")]
            Self::AwsLc => aws::generate(bits),
            #[cfg(feature = "rust-rsa")]
            Self::RustCrypto => rust::generate(bits),
        }
    }
}

#[cfg(feature = "aws-lc")]
mod aws {
    use aws_lc_rs::encoding::AsDer;
    use aws_lc_rs::rand::SystemRandom;
    use aws_lc_rs::rsa::{
        KeyPair, KeySize, OAEP_SHA1_MGF1SHA1, OAEP_SHA256_MGF1SHA256, OaepPrivateDecryptingKey,
        OaepPublicEncryptingKey, Pkcs1PrivateDecryptingKey, Pkcs1PublicEncryptingKey,
        PrivateDecryptingKey, PublicEncryptingKey,
    };
    use aws_lc_rs::signature::KeyPair as _;
    use aws_lc_rs::signature::{RSA_PSS_2048_8192_SHA256, RSA_PSS_SHA256, UnparsedPublicKey};
    use zeroize::Zeroizing;

    use super::KeyWrapPadding;
    use crate::EnvelopeError;

    pub(super) fn encrypt(
        spki: &[u8],
        padding: KeyWrapPadding,
        msg: &[u8],
    ) -> Result<Vec<u8>, EnvelopeError> {
        let key = PublicEncryptingKey::from_der(spki)
            .map_err(|_| EnvelopeError::InvalidKey("not an RSA public key".into()))?;
        let mut out = vec![0u8; key.key_size_bytes()];
        let len = match padding {
            KeyWrapPadding::OaepSha256 | KeyWrapPadding::OaepSha1 => {
                let alg = if padding == KeyWrapPadding::OaepSha256 {
                    &OAEP_SHA256_MGF1SHA256
                } else {
                    &OAEP_SHA1_MGF1SHA1
                };
                OaepPublicEncryptingKey::new(key)
                    .and_then(|k| k.encrypt(alg, msg, &mut out, None).map(|c| c.len()))
            }
            KeyWrapPadding::Pkcs1v15 => Pkcs1PublicEncryptingKey::new(key)
                .and_then(|k| k.encrypt(msg, &mut out).map(|c| c.len())),
        }
        .map_err(|_| EnvelopeError::Rsa("encryption failed"))?;
        out.truncate(len);
        Ok(out)
    }

    pub(super) fn decrypt(
        pkcs8: &[u8],
        padding: KeyWrapPadding,
        ct: &[u8],
    ) -> Option<Zeroizing<Vec<u8>>> {
        let key = PrivateDecryptingKey::from_pkcs8(pkcs8).ok()?;
        let mut out = Zeroizing::new(vec![0u8; key.key_size_bytes()]);
        let len = match padding {
            KeyWrapPadding::OaepSha256 | KeyWrapPadding::OaepSha1 => {
                let alg = if padding == KeyWrapPadding::OaepSha256 {
                    &OAEP_SHA256_MGF1SHA256
                } else {
                    &OAEP_SHA1_MGF1SHA1
                };
                OaepPrivateDecryptingKey::new(key)
                    .ok()?
                    .decrypt(alg, ct, &mut out, None)
                    .ok()?
                    .len()
            }
            KeyWrapPadding::Pkcs1v15 => Pkcs1PrivateDecryptingKey::new(key)
                .ok()?
                .decrypt(ct, &mut out)
                .ok()?
                .len(),
        };
        out.truncate(len);
        Some(out)
    }

    pub(super) fn sign(pkcs8: &[u8], msg: &[u8]) -> Result<Vec<u8>, EnvelopeError> {
        let key = KeyPair::from_pkcs8(pkcs8)
            .map_err(|_| EnvelopeError::InvalidKey("not an RSA private key".into()))?;
        let mut sig = vec![0u8; key.public_modulus_len()];
        key.sign(&RSA_PSS_SHA256, &SystemRandom::new(), msg, &mut sig)
            .map_err(|_| EnvelopeError::Rsa("signing failed"))?;
        Ok(sig)
    }

    pub(super) fn verify(spki: &[u8], msg: &[u8], sig: &[u8]) -> bool {
        UnparsedPublicKey::new(&RSA_PSS_2048_8192_SHA256, spki)
            .verify(msg, sig)
            .is_ok()
    }

    pub(super) fn generate(bits: usize) -> Result<(Zeroizing<Vec<u8>>, Vec<u8>), EnvelopeError> {
        let size = match bits {
            2048 => KeySize::Rsa2048,
            3072 => KeySize::Rsa3072,
            4096 => KeySize::Rsa4096,
            8192 => KeySize::Rsa8192,
            _ => {
                return Err(EnvelopeError::InvalidArgument(format!(
                    "unsupported RSA key size {bits}"
                )));
            }
        };
        let pair =
            KeyPair::generate(size).map_err(|_| EnvelopeError::Rsa("key generation failed"))?;
        let pkcs8 = pair
            .as_der()
            .map_err(|_| EnvelopeError::Rsa("key encoding failed"))?;
        let spki = pair
            .public_key()
            .as_der()
            .map_err(|_| EnvelopeError::Rsa("key encoding failed"))?;
        Ok((
            Zeroizing::new(pkcs8.as_ref().to_vec()),
            spki.as_ref().to_vec(),
        ))
    }
}

#[cfg(feature = "rust-rsa")]
mod rust {
    use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
    use rsa::pss::{Signature, SigningKey, VerifyingKey};
    use rsa::signature::{RandomizedSigner, SignatureEncoding, Verifier};
    use rsa::{Oaep, Pkcs1v15Encrypt, PrivateKey, PublicKey};
    use sha1::Sha1;
    use sha2::Sha256;
    use zeroize::Zeroizing;

    use super::{KeyWrapPadding, SecureRandom};
    use crate::EnvelopeError;

    fn rng() -> rand_core::UnwrapErr<getrandom::SysRng> {
        rand_core::UnwrapErr(getrandom::SysRng)
    }

    /// A [`SecureRandom`] as the `rand_core` generator the `rsa` crate takes; its failure is
    /// the operation's failure, never a fallback.
    struct Injected<'a>(&'a dyn SecureRandom);

    impl rand_core::TryRng for Injected<'_> {
        type Error = dp_crypto::CryptoError;

        fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
            let mut b = [0u8; 4];
            self.0.fill(&mut b)?;
            Ok(u32::from_le_bytes(b))
        }

        fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
            let mut b = [0u8; 8];
            self.0.fill(&mut b)?;
            Ok(u64::from_le_bytes(b))
        }

        fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
            self.0.fill(dst)
        }
    }

    impl rand_core::TryCryptoRng for Injected<'_> {}

    pub(super) fn encrypt(
        spki: &[u8],
        padding: KeyWrapPadding,
        msg: &[u8],
        rng: &dyn SecureRandom,
    ) -> Result<Vec<u8>, EnvelopeError> {
        let key = PublicKey::from_public_key_der(spki)
            .map_err(|_| EnvelopeError::InvalidKey("not an RSA public key".into()))?;
        let mut rng = Injected(rng);
        match padding {
            KeyWrapPadding::OaepSha256 => key.encrypt(&mut rng, Oaep::<Sha256>::new(), msg),
            KeyWrapPadding::OaepSha1 => key.encrypt(&mut rng, Oaep::<Sha1>::new(), msg),
            KeyWrapPadding::Pkcs1v15 => key.encrypt(&mut rng, Pkcs1v15Encrypt, msg),
        }
        .map_err(|_| EnvelopeError::Rsa("encryption failed"))
    }

    pub(super) fn decrypt(
        pkcs8: &[u8],
        padding: KeyWrapPadding,
        ct: &[u8],
    ) -> Option<Zeroizing<Vec<u8>>> {
        let key = PrivateKey::from_pkcs8_der(pkcs8).ok()?;
        let mut rng = rng();
        match padding {
            KeyWrapPadding::OaepSha256 => key.decrypt_blinded(&mut rng, Oaep::<Sha256>::new(), ct),
            KeyWrapPadding::OaepSha1 => key.decrypt_blinded(&mut rng, Oaep::<Sha1>::new(), ct),
            KeyWrapPadding::Pkcs1v15 => key.decrypt_blinded(&mut rng, Pkcs1v15Encrypt, ct),
        }
        .ok()
        .map(Zeroizing::new)
    }

    pub(super) fn sign(
        pkcs8: &[u8],
        msg: &[u8],
        rng: &dyn SecureRandom,
    ) -> Result<Vec<u8>, EnvelopeError> {
        let key = PrivateKey::from_pkcs8_der(pkcs8)
            .map_err(|_| EnvelopeError::InvalidKey("not an RSA private key".into()))?;
        let signer = SigningKey::<Sha256>::new(key);
        let sig = signer
            .try_sign_with_rng(&mut Injected(rng), msg)
            .map_err(|_| EnvelopeError::Rsa("signing failed"))?;
        Ok(sig.to_vec())
    }

    pub(super) fn verify(spki: &[u8], msg: &[u8], sig: &[u8]) -> bool {
        let Ok(key) = PublicKey::from_public_key_der(spki) else {
            return false;
        };
        let Ok(sig) = Signature::try_from(sig) else {
            return false;
        };
        VerifyingKey::<Sha256>::new(key).verify(msg, &sig).is_ok()
    }

    pub(super) fn generate(bits: usize) -> Result<(Zeroizing<Vec<u8>>, Vec<u8>), EnvelopeError> {
        if !matches!(bits, 2048 | 3072 | 4096 | 8192) {
            return Err(EnvelopeError::InvalidArgument(format!(
                "unsupported RSA key size {bits}"
            )));
        }
        let key = PrivateKey::new(&mut rng(), bits)
            .map_err(|_| EnvelopeError::Rsa("key generation failed"))?;
        let pkcs8 = key
            .to_pkcs8_der()
            .map_err(|_| EnvelopeError::Rsa("key encoding failed"))?;
        let spki = key
            .to_public_key()
            .to_public_key_der()
            .map_err(|_| EnvelopeError::Rsa("key encoding failed"))?;
        Ok((
            Zeroizing::new(pkcs8.as_bytes().to_vec()),
            spki.as_bytes().to_vec(),
        ))
    }
}
