#![doc = include_str!("../README.md")]
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

/// The workspace README's examples, compiled and run as doctests by `cargo xtask ci`
/// (`RUSTDOCFLAGS="--cfg dp_workspace_readme" cargo test -p dp-keyring --doc`). That README is
/// outside this package, so the doctest exists only when asked for: `cargo test` inside the
/// published crate never looks for the file.
#[cfg(all(doctest, dp_workspace_readme))]
#[doc = include_str!("../../../README.md")]
struct WorkspaceReadmeDoctests;
