//! RSA key transport and signatures, through AWS-LC (feature `aws-lc`, constant-time) or the
//! pure-Rust `rsa` crate (feature `rust-rsa`). The module exists only when at least one of the
//! two features is on.
//!
//! Keys come in as DER — PKCS#8 for private keys, SubjectPublicKeyInfo for public keys — so both
//! backends read the same bytes and each operation is a plain function of its inputs. Both
//! dp-envelope (envelopes, CryptoAPI BLOBs) and dp-keyring (certificate-encrypted keys, whose
//! W3C XML Encryption key transport is RSA-OAEP-SHA1 or PKCS#1 v1.5) go through here.
//!
//! ```
//! use dp_crypto::OsRandom;
//! use dp_crypto::rsa::{KeyWrapPadding, RsaBackend};
//!
//! let backend = RsaBackend::default();
//! let (pkcs8, spki) = backend.generate(2048)?;
//! let wrapped = backend.encrypt(&spki, KeyWrapPadding::OaepSha1, b"session key", &OsRandom)?;
//! let unwrapped = backend.decrypt(&pkcs8, KeyWrapPadding::OaepSha1, &wrapped)?;
//! assert_eq!(unwrapped.as_slice(), b"session key");
//! # Ok::<(), dp_crypto::CryptoError>(())
//! ```

use zeroize::Zeroizing;

use crate::{CryptoError, SecureRandom};

#[cfg(feature = "aws-lc")]
mod aws;
#[cfg(feature = "rust-rsa")]
mod rust;

/// The RSA modulus sizes [`RsaBackend::generate`] produces (both backends support exactly these).
const GENERATED_BITS: [usize; 4] = [2048, 3072, 4096, 8192];

/// Which implementation performs RSA operations.
///
/// Backends interoperate: what one encrypts or signs, the other decrypts or verifies.
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
    /// AWS-LC when it is compiled in, else the pure-Rust backend.
    fn default() -> Self {
        #[cfg(feature = "aws-lc")]
        return Self::AwsLc;
        #[cfg(not(feature = "aws-lc"))]
        return Self::RustCrypto;
    }
}

/// An RSA encryption padding for key transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyWrapPadding {
    /// OAEP with SHA-256 and MGF1-SHA-256, empty label.
    OaepSha256,
    /// OAEP with SHA-1 and MGF1-SHA-1, empty label: CryptoAPI's `CRYPT_OAEP`, and XML
    /// Encryption's `http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p` without `OAEPparams`.
    OaepSha1,
    /// PKCS#1 v1.5 type 2: CryptoAPI's default, and XML Encryption's
    /// `http://www.w3.org/2001/04/xmlenc#rsa-1_5`.
    ///
    /// # Security
    /// A padding oracle (Bleichenbacher): whoever learns whether decryptions of chosen
    /// ciphertexts succeed — from an error, a timing or a later failure — can decrypt any
    /// ciphertext to the key, or sign with it. Only to read what legacy peers wrote; never to
    /// produce new data, and never where an attacker can submit ciphertexts and observe the
    /// outcome.
    DangerPkcs1v15,
}

impl RsaBackend {
    /// Every backend compiled in.
    pub const ALL: &'static [Self] = &[
        #[cfg(feature = "aws-lc")]
        Self::AwsLc,
        #[cfg(feature = "rust-rsa")]
        Self::RustCrypto,
    ];

    /// The backend's name for people: `AWS-LC` or `RustCrypto rsa`.
    pub fn name(self) -> &'static str {
        match self {
            #[cfg(feature = "aws-lc")]
            Self::AwsLc => "AWS-LC",
            #[cfg(feature = "rust-rsa")]
            Self::RustCrypto => "RustCrypto rsa",
        }
    }

    /// Encrypts `message` to the public key `spki_der` (DER SubjectPublicKeyInfo).
    ///
    /// The pure-Rust backend draws its padding randomness from `rng`; AWS-LC draws from its own
    /// generator (its API takes none), so only the former is reproducible with a seeded `rng`.
    ///
    /// # Errors
    /// [`CryptoError::InvalidRsaKey`] if `spki_der` is not an RSA public key;
    /// [`CryptoError::RsaFailed`] if the message is too long for the key and padding, or the
    /// random source fails.
    pub fn encrypt(
        self,
        spki_der: &[u8],
        padding: KeyWrapPadding,
        message: &[u8],
        rng: &dyn SecureRandom,
    ) -> Result<Vec<u8>, CryptoError> {
        #[cfg(not(feature = "rust-rsa"))]
        let _ = rng;
        match self {
            #[cfg(feature = "aws-lc")]
            Self::AwsLc => aws::encrypt(spki_der, padding, message),
            #[cfg(feature = "rust-rsa")]
            Self::RustCrypto => rust::encrypt(spki_der, padding, message, rng),
        }
    }

    /// Decrypts `ciphertext` with the private key `pkcs8_der` (DER PKCS#8).
    ///
    /// # Errors
    /// Only [`CryptoError::RsaDecryptionFailed`], for every cause — a key that does not parse,
    /// the wrong key, bad padding, a wrong length — so that the error tells nothing about the
    /// padding.
    ///
    /// # Security
    /// With [`KeyWrapPadding::DangerPkcs1v15`] the outcome itself is an oracle: see there. The
    /// backends differ there: AWS-LC returns the error for a bad padding, while the pure-Rust
    /// backend applies *implicit rejection* — a bad padding (the wrong key, a corrupted
    /// ciphertext) decrypts to a pseudo-random plaintext, derived deterministically from the key
    /// and the ciphertext, of pseudo-random length, and only failures visible from public
    /// values (a ciphertext not of the modulus length, or not below the modulus; a key that does
    /// not parse) are errors. Success therefore proves nothing: whatever is unwrapped must be
    /// authenticated before use (its expected length checked, then a MAC or AEAD tag it keys).
    /// The pure-Rust backend leaks timing whatever the padding.
    pub fn decrypt(
        self,
        pkcs8_der: &[u8],
        padding: KeyWrapPadding,
        ciphertext: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        let plaintext = match self {
            #[cfg(feature = "aws-lc")]
            Self::AwsLc => aws::decrypt(pkcs8_der, padding, ciphertext),
            #[cfg(feature = "rust-rsa")]
            Self::RustCrypto => rust::decrypt(pkcs8_der, padding, ciphertext),
        };
        plaintext.ok_or(CryptoError::RsaDecryptionFailed)
    }

    /// Signs `message` with RSA-PSS-SHA256 (MGF1-SHA-256, salt length 32) under the private key
    /// `pkcs8_der`; the salt comes from `rng` as for [`RsaBackend::encrypt`].
    ///
    /// # Errors
    /// [`CryptoError::InvalidRsaKey`] if `pkcs8_der` is not an RSA private key;
    /// [`CryptoError::RsaFailed`] if signing fails (the random source, a key too small).
    pub fn sign_pss_sha256(
        self,
        pkcs8_der: &[u8],
        message: &[u8],
        rng: &dyn SecureRandom,
    ) -> Result<Vec<u8>, CryptoError> {
        #[cfg(not(feature = "rust-rsa"))]
        let _ = rng;
        match self {
            #[cfg(feature = "aws-lc")]
            Self::AwsLc => aws::sign(pkcs8_der, message),
            #[cfg(feature = "rust-rsa")]
            Self::RustCrypto => rust::sign(pkcs8_der, message, rng),
        }
    }

    /// Whether `signature` is a valid RSA-PSS-SHA256 signature of `message` under the public key
    /// `spki_der`. A key that does not parse verifies nothing.
    #[must_use]
    pub fn verify_pss_sha256(self, spki_der: &[u8], message: &[u8], signature: &[u8]) -> bool {
        match self {
            #[cfg(feature = "aws-lc")]
            Self::AwsLc => aws::verify(spki_der, message, signature),
            #[cfg(feature = "rust-rsa")]
            Self::RustCrypto => rust::verify(spki_der, message, signature),
        }
    }

    /// Whether the backend accepts `pkcs8_der` as an RSA private key; both backends check the
    /// key's consistency, not only its encoding.
    #[must_use]
    pub fn accepts_private_key(self, pkcs8_der: &[u8]) -> bool {
        match self {
            #[cfg(feature = "aws-lc")]
            Self::AwsLc => aws::accepts_private_key(pkcs8_der),
            #[cfg(feature = "rust-rsa")]
            Self::RustCrypto => rust::accepts_private_key(pkcs8_der),
        }
    }

    /// Generates a key pair of `bits` bits (2048, 3072, 4096 or 8192) with exponent 65537,
    /// from the operating system's generator: (PKCS#8 DER, SubjectPublicKeyInfo DER).
    ///
    /// # Errors
    /// [`CryptoError::UnsupportedRsaKeySize`] for other sizes; [`CryptoError::RsaFailed`] if
    /// generation (the random source included) or encoding fails.
    pub fn generate(self, bits: usize) -> Result<(Zeroizing<Vec<u8>>, Vec<u8>), CryptoError> {
        if !GENERATED_BITS.contains(&bits) {
            return Err(CryptoError::UnsupportedRsaKeySize(bits));
        }
        match self {
            #[cfg(feature = "aws-lc")]
            Self::AwsLc => aws::generate(bits),
            #[cfg(feature = "rust-rsa")]
            Self::RustCrypto => rust::generate(bits),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::OnceLock;

    use super::{KeyWrapPadding, RsaBackend};
    use crate::{CryptoError, OsRandom};

    /// Keys and ciphertexts made by OpenSSL (`tests/data/rsa-key-transport.json`). Fixed
    /// ciphertexts keep the failure tests deterministic: a random PKCS#1 v1.5 ciphertext
    /// decrypted under the wrong key has well-formed padding about once in 2^16 tries.
    struct Fixture {
        message: Vec<u8>,
        pkcs8: Vec<u8>,
        spki: Vec<u8>,
        other_pkcs8: Vec<u8>,
        oaep_sha1: Vec<u8>,
        pkcs1v15: Vec<u8>,
    }

    fn fixture() -> &'static Fixture {
        static FIXTURE: OnceLock<Fixture> = OnceLock::new();
        FIXTURE.get_or_init(|| {
            let json: serde_json::Value =
                serde_json::from_str(include_str!("../tests/data/rsa-key-transport.json")).unwrap();
            let hex = |name: &str| hex::decode(json[name].as_str().unwrap()).unwrap();
            Fixture {
                message: json["message_utf8"].as_str().unwrap().as_bytes().to_vec(),
                pkcs8: hex("pkcs8"),
                spki: hex("spki"),
                other_pkcs8: hex("other_pkcs8"),
                oaep_sha1: hex("oaep_sha1"),
                pkcs1v15: hex("pkcs1v15"),
            }
        })
    }

    const PADDINGS: [KeyWrapPadding; 3] = [
        KeyWrapPadding::OaepSha256,
        KeyWrapPadding::OaepSha1,
        KeyWrapPadding::DangerPkcs1v15,
    ];

    /// Encrypts to the public SPKI and decrypts with the PKCS#8 key; then decrypts what OpenSSL
    /// encrypted with the same padding.
    fn round_trip(backend: RsaBackend, padding: KeyWrapPadding, openssl_ciphertext: &[u8]) {
        let f = fixture();
        let wrapped = backend
            .encrypt(&f.spki, padding, &f.message, &OsRandom)
            .unwrap();
        assert_eq!(wrapped.len(), 256);
        let unwrapped = backend.decrypt(&f.pkcs8, padding, &wrapped).unwrap();
        assert_eq!(unwrapped.as_slice(), f.message);
        let unwrapped = backend
            .decrypt(&f.pkcs8, padding, openssl_ciphertext)
            .unwrap();
        assert_eq!(unwrapped.as_slice(), f.message);
    }

    /// The wrong key, a corrupted or truncated ciphertext, the wrong padding and a private key
    /// that does not parse all give the one generic failure — except that the pure-Rust
    /// backend's PKCS#1 v1.5 answers a bad padding by implicit rejection (see
    /// [`RsaBackend::decrypt`]).
    fn generic_failure(backend: RsaBackend) {
        let f = fixture();
        let fail = Err(CryptoError::RsaDecryptionFailed);
        let bad_padding = |key: &[u8], padding: KeyWrapPadding, ciphertext: &[u8], ctx: &str| {
            let result = backend.decrypt(key, padding, ciphertext);
            if implicit_rejection(backend, padding) {
                let synthetic = result.unwrap();
                assert_ne!(synthetic.as_slice(), f.message, "{ctx}");
                assert_eq!(
                    backend.decrypt(key, padding, ciphertext).unwrap(),
                    synthetic,
                    "{ctx}: not deterministic"
                );
            } else {
                assert_eq!(result, fail, "{ctx}");
            }
        };
        for (padding, ciphertext, wrong_padding) in [
            (
                KeyWrapPadding::OaepSha1,
                &f.oaep_sha1,
                KeyWrapPadding::OaepSha256,
            ),
            (
                KeyWrapPadding::DangerPkcs1v15,
                &f.pkcs1v15,
                KeyWrapPadding::OaepSha1,
            ),
        ] {
            let ctx = format!("{backend:?} {padding:?}");
            bad_padding(&f.other_pkcs8, padding, ciphertext, &ctx);
            // Not byte 0: a flipped top bit could put the ciphertext above the modulus, an error
            // from a public check with either backend.
            for i in [1, 2, 100, 254, 255] {
                let mut corrupted = ciphertext.clone();
                corrupted[i] ^= 0x01;
                bad_padding(&f.pkcs8, padding, &corrupted, &format!("{ctx} {i}"));
            }
            // Every bit set is larger than the modulus.
            assert_eq!(
                backend.decrypt(&f.pkcs8, padding, &[0xff; 256]),
                fail,
                "{ctx}"
            );
            assert_eq!(
                backend.decrypt(&f.pkcs8, padding, &ciphertext[..255]),
                fail,
                "{ctx}"
            );
            assert_eq!(backend.decrypt(&f.pkcs8, padding, &[]), fail, "{ctx}");
            assert_eq!(
                backend.decrypt(&f.pkcs8, wrong_padding, ciphertext),
                fail,
                "{ctx}"
            );
            assert_eq!(backend.decrypt(&f.spki, padding, ciphertext), fail, "{ctx}");
            assert_eq!(
                backend.decrypt(b"not a key", padding, ciphertext),
                fail,
                "{ctx}"
            );
        }
        // A fresh OAEP-SHA256 ciphertext too: a flipped bit anywhere fails its hash check.
        let wrapped = backend
            .encrypt(&f.spki, KeyWrapPadding::OaepSha256, &f.message, &OsRandom)
            .unwrap();
        for i in [0, 128, 255] {
            let mut corrupted = wrapped.clone();
            corrupted[i] ^= 0x80;
            assert_eq!(
                backend.decrypt(&f.pkcs8, KeyWrapPadding::OaepSha256, &corrupted),
                fail,
                "{backend:?} {i}"
            );
        }
    }

    /// Whether a bad padding decrypts to a synthetic plaintext rather than an error.
    fn implicit_rejection(backend: RsaBackend, padding: KeyWrapPadding) -> bool {
        #[cfg(feature = "rust-rsa")]
        if backend == RsaBackend::RustCrypto {
            return padding == KeyWrapPadding::DangerPkcs1v15;
        }
        let _ = (backend, padding);
        false
    }

    #[cfg(feature = "aws-lc")]
    #[test]
    fn aws_lc_oaep_sha1_round_trips() {
        round_trip(
            RsaBackend::AwsLc,
            KeyWrapPadding::OaepSha1,
            &fixture().oaep_sha1,
        );
    }

    #[cfg(feature = "aws-lc")]
    #[test]
    fn aws_lc_pkcs1v15_round_trips() {
        round_trip(
            RsaBackend::AwsLc,
            KeyWrapPadding::DangerPkcs1v15,
            &fixture().pkcs1v15,
        );
    }

    #[cfg(feature = "aws-lc")]
    #[test]
    fn aws_lc_decryption_failures_are_one_generic_error() {
        generic_failure(RsaBackend::AwsLc);
    }

    #[cfg(feature = "rust-rsa")]
    #[test]
    fn rust_rsa_oaep_sha1_round_trips() {
        round_trip(
            RsaBackend::RustCrypto,
            KeyWrapPadding::OaepSha1,
            &fixture().oaep_sha1,
        );
    }

    #[cfg(feature = "rust-rsa")]
    #[test]
    fn rust_rsa_pkcs1v15_round_trips() {
        round_trip(
            RsaBackend::RustCrypto,
            KeyWrapPadding::DangerPkcs1v15,
            &fixture().pkcs1v15,
        );
    }

    #[cfg(feature = "rust-rsa")]
    #[test]
    fn rust_rsa_decryption_failures_are_one_generic_error() {
        generic_failure(RsaBackend::RustCrypto);
    }

    #[test]
    fn backends_interoperate() {
        let f = fixture();
        for &a in RsaBackend::ALL {
            for &b in RsaBackend::ALL {
                for padding in PADDINGS {
                    let wrapped = a.encrypt(&f.spki, padding, &f.message, &OsRandom).unwrap();
                    let unwrapped = b.decrypt(&f.pkcs8, padding, &wrapped).unwrap();
                    assert_eq!(
                        unwrapped.as_slice(),
                        f.message,
                        "{a:?} -> {b:?} {padding:?}"
                    );
                }
                let signature = a.sign_pss_sha256(&f.pkcs8, &f.message, &OsRandom).unwrap();
                assert_eq!(signature.len(), 256);
                assert!(
                    b.verify_pss_sha256(&f.spki, &f.message, &signature),
                    "{a:?} -> {b:?}"
                );
            }
        }
    }

    #[test]
    fn altered_signatures_do_not_verify() {
        let f = fixture();
        for &backend in RsaBackend::ALL {
            let signature = backend
                .sign_pss_sha256(&f.pkcs8, &f.message, &OsRandom)
                .unwrap();
            assert!(!backend.verify_pss_sha256(&f.spki, b"another message", &signature));
            let mut altered = signature.clone();
            altered[10] ^= 0x80;
            assert!(!backend.verify_pss_sha256(&f.spki, &f.message, &altered));
            assert!(!backend.verify_pss_sha256(&f.spki, &f.message, &signature[..255]));
            assert!(!backend.verify_pss_sha256(b"not a key", &f.message, &signature));
        }
    }

    #[test]
    fn keys_of_the_wrong_kind_are_invalid_rsa_keys() {
        let f = fixture();
        for &backend in RsaBackend::ALL {
            assert!(backend.accepts_private_key(&f.pkcs8), "{backend:?}");
            assert!(!backend.accepts_private_key(&f.spki), "{backend:?}");
            assert!(!backend.accepts_private_key(b""), "{backend:?}");
            assert_eq!(
                backend.encrypt(&f.pkcs8, KeyWrapPadding::OaepSha256, &f.message, &OsRandom),
                Err(CryptoError::InvalidRsaKey("not an RSA public key")),
                "{backend:?}"
            );
            assert_eq!(
                backend.sign_pss_sha256(&f.spki, &f.message, &OsRandom),
                Err(CryptoError::InvalidRsaKey("not an RSA private key")),
                "{backend:?}"
            );
        }
    }

    #[test]
    fn a_message_too_long_for_the_key_is_an_rsa_failure() {
        let f = fixture();
        // OAEP-SHA256 carries at most 256 - 2 * 32 - 2 = 190 bytes under a 2048-bit key.
        for &backend in RsaBackend::ALL {
            assert_eq!(
                backend.encrypt(&f.spki, KeyWrapPadding::OaepSha256, &[0; 191], &OsRandom),
                Err(CryptoError::RsaFailed("encryption failed")),
                "{backend:?}"
            );
        }
    }

    #[test]
    fn generated_keys_work_with_every_backend() {
        for &backend in RsaBackend::ALL {
            let (pkcs8, spki) = backend.generate(2048).unwrap();
            for &other in RsaBackend::ALL {
                assert!(other.accepts_private_key(&pkcs8), "{backend:?} {other:?}");
                let wrapped = other
                    .encrypt(&spki, KeyWrapPadding::OaepSha256, b"k", &OsRandom)
                    .unwrap();
                let unwrapped = backend
                    .decrypt(&pkcs8, KeyWrapPadding::OaepSha256, &wrapped)
                    .unwrap();
                assert_eq!(unwrapped.as_slice(), b"k");
            }
        }
    }

    #[test]
    fn only_the_standard_sizes_are_generated() {
        for &backend in RsaBackend::ALL {
            for bits in [0, 1024, 2047, 2049, 16384] {
                assert_eq!(
                    backend.generate(bits),
                    Err(CryptoError::UnsupportedRsaKeySize(bits)),
                    "{backend:?}"
                );
            }
        }
    }

    #[test]
    fn the_default_is_the_constant_time_backend_when_built() {
        #[cfg(feature = "aws-lc")]
        assert_eq!(RsaBackend::default(), RsaBackend::AwsLc);
        #[cfg(not(feature = "aws-lc"))]
        assert_eq!(RsaBackend::default(), RsaBackend::RustCrypto);
        assert!(RsaBackend::ALL.contains(&RsaBackend::default()));
        for backend in RsaBackend::ALL {
            assert!(["AWS-LC", "RustCrypto rsa"].contains(&backend.name()));
        }
    }
}
