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
//! * [`xml`]: key and revocation XML exactly as .NET reads and writes it.
//!
//! Mechanism (the KDF and encryptors) is in `dp-crypto`; wire layouts are in `dp-format`.
#![forbid(unsafe_code)]

mod clock;
mod error;
mod key;
mod manager;
pub mod policy;
mod protector;
pub mod repository;
mod ring;
mod timestamp;
pub mod xml;

pub use clock::{Clock, ManualClock, SystemClock};
pub use error::{DescriptorError, KeyringError, MalformedKeyError};
pub use key::{Key, KeyState};
pub use manager::{KeyManager, LoadedKeys, UnreadableKey};
pub use policy::KeyManagementOptions;
pub use protector::{
    DataProtectionProvider, DataProtector, ProviderBuilder, TimeLimitedDataProtector,
    UnprotectOutcome,
};
pub use repository::{FileSystemRepository, MemoryRepository, XmlRepository};
pub use ring::KeyRing;
pub use timestamp::Timestamp;

pub use dp_crypto::Algorithm;
pub use dp_format::KeyId;
pub use dp_fs::{FileKind, FsError};

/// The README's examples are compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;
