//! The key ring of ASP.NET Core Data Protection, for Rust: keys and their XML, repositories, the
//! key lifecycle policy, and the data-protector API built on them.
//!
//! * [`DataProtectionProvider`] / [`DataProtector`]: `protect` / `unprotect` with purpose chains
//!   and an application name, byte-compatible with .NET's `IDataProtector`;
//!   [`TimeLimitedDataProtector`] for payloads that expire.
//! * [`repository`]: where key XML lives — one file per element in a directory
//!   ([`FileSystemRepository`], shared safely between processes) or memory.
//! * [`KeyManager`]: reads the ring, creates and revokes keys, deletes old ones.
//! * [`policy`]: default-key resolution and key rolling, as .NET 8–10 do it.
//! * [`xml`]: revocations and the bounds key XML is checked against; keys and their XML, exactly
//!   as .NET reads and writes them, are read through [`KeyManager`].
//!
//! Mechanism (the KDF and encryptors) is in `dp-crypto`; wire layouts are in `dp-format`.
//! Everything a caller needs from them, and from `time`, is re-exported here, so this crate is
//! the only one to depend on:
//!
//! ```
//! use std::sync::Arc;
//!
//! use dp_keyring::{
//!     DataProtectionProvider, Duration, KeyringError, ManualClock, MemoryRepository, OsRandom,
//!     Timestamp,
//! };
//!
//! let clock = Arc::new(ManualClock::new(Timestamp::parse_xml("2026-01-01T00:00:00Z")?));
//! let provider = DataProtectionProvider::builder(MemoryRepository::new())
//!     .application_name(Some("my-app"))
//!     .clock(clock.clone())
//!     .rng(Arc::new(OsRandom))
//!     .build()?;
//!
//! let protector = provider.create_protector("orders").create_protector("v1");
//! let payload = protector.protect(b"order 42")?;
//! assert_eq!(protector.unprotect(&payload)?, b"order 42");
//!
//! let expiring = protector.to_time_limited();
//! let token = expiring.protect_for(b"reset password", Duration::minutes(15))?;
//! let (plaintext, _expiration) = expiring.unprotect(&token)?;
//! assert_eq!(plaintext, b"reset password");
//! clock.advance(Duration::minutes(16));
//! assert!(matches!(expiring.unprotect(&token), Err(KeyringError::Expired { .. })));
//! # Ok::<(), KeyringError>(())
//! ```
#![forbid(unsafe_code)]

mod clock;
pub mod doctor;
pub mod encryption;
mod error;
mod key;
mod manager;
mod operations;
pub mod policy;
mod protector;
pub mod repository;
mod ring;
mod timestamp;
pub mod xml;

pub use clock::{Clock, ManualClock, SystemClock};
pub use error::{DescriptorError, IdentityError, KeyringError, MalformedKeyError};
pub use key::{Key, KeyState};
pub use manager::{KeyManager, LoadedKeys, RewrapReport, UnreadableKey};
pub use operations::{CopyReport, copy_ring};
pub use policy::KeyManagementOptions;
pub use protector::{
    DataProtectionProvider, DataProtector, ProviderBuilder, TimeLimitedDataProtector,
    UnprotectOutcome,
};
pub use repository::{FileSystemRepository, MemoryRepository, XmlRepository};
pub use ring::KeyRing;
pub use timestamp::Timestamp;

pub use dp_crypto::{
    AesKeySize, Algorithm, CryptoError, EncryptionAlgorithm, FastRandom, OsRandom, RngSource,
    SecureRandom, ValidationAlgorithm,
};
pub use dp_format::{FormatError, KeyId};
pub use dp_fs::{FileKind, FsError};
/// The `time` crate, whose `Duration` and `OffsetDateTime` appear in this crate's API
/// ([`TimeLimitedDataProtector::protect_for`], [`KeyManagementOptions`], [`Timestamp`]).
pub use time;
/// Spans of time, as [`TimeLimitedDataProtector::protect_for`] and [`KeyManagementOptions`]
/// take them.
pub use time::Duration;

/// The README's examples are compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;
