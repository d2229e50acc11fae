//! The cryptographic mechanism of ASP.NET Core Data Protection, byte-compatible with .NET.
//!
//! * [`Sp800108Kdf`]: the SP800-108 counter-mode KDF with HMAC-SHA512 that turns a key's master
//!   key into per-payload subkeys.
//! * [`context_header`]: the per-algorithm context headers that enter every derivation.
//! * [`AuthenticatedEncryptor`]: AES-CBC + HMAC (encrypt-then-MAC) and AES-GCM, producing and
//!   consuming the exact encryptor bodies .NET does.
//! * `rsa` (with the feature `aws-lc` or `rust-rsa`): RSA key transport (OAEP, PKCS#1 v1.5)
//!   and RSA-PSS signatures over DER keys, for envelopes and certificate-encrypted keys.
//!
//! Policy (which key, which purposes, when keys roll) lives in `dp-keyring`; wire layouts live in
//! `dp-format`. Randomness comes in through [`SecureRandom`] so known-answer tests can be
//! deterministic; the default is the operating system's CSPRNG ([`OsRandom`]).
//!
//! ```
//! use dp_crypto::{Algorithm, AuthenticatedEncryptor, MasterKey, OsRandom};
//!
//! let master_key = MasterKey::generate(&OsRandom)?;
//! let encryptor = AuthenticatedEncryptor::new(Algorithm::default(), &master_key);
//! let body = encryptor.encrypt(b"hello", b"additional data", &OsRandom)?;
//! assert_eq!(encryptor.decrypt(&body, b"additional data")?, b"hello");
//! assert_eq!(
//!     encryptor.decrypt(&body, b"other data"),
//!     Err(dp_crypto::CryptoError::AuthenticationFailed)
//! );
//! # Ok::<(), dp_crypto::CryptoError>(())
//! ```
#![forbid(unsafe_code)]

mod algorithm;
mod cbc_hmac;
pub mod context_header;
mod encryptor;
mod error;
mod gcm;
mod kdf;
pub mod legacy;
pub mod names;
mod primitives;
mod random;
#[cfg(any(feature = "aws-lc", feature = "rust-rsa"))]
pub mod rsa;
mod secret;

pub use algorithm::{AesKeySize, Algorithm, EncryptionAlgorithm, ValidationAlgorithm};
pub use encryptor::AuthenticatedEncryptor;
pub use error::CryptoError;
pub use kdf::Sp800108Kdf;
pub use random::{FastRandom, OsRandom, RngSource, SecureRandom};
pub use secret::MasterKey;
