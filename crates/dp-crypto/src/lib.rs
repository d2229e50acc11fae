#![doc = include_str!("../README.md")]
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
