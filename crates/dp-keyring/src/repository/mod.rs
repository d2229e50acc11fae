//! Where key and revocation elements are stored. Persistence only: what the elements mean is the
//! key manager's business.

mod file_system;
mod memory;
#[cfg(feature = "mysql")]
mod mysql;
#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "redis")]
mod redis;
#[cfg(any(feature = "postgres", feature = "mysql"))]
mod sql;
mod url;
mod xml_document;

pub use file_system::FileSystemRepository;
pub use memory::MemoryRepository;
#[cfg(feature = "mysql")]
pub use mysql::MySqlRepository;
#[cfg(feature = "postgres")]
pub use postgres::PostgresRepository;
#[cfg(feature = "redis")]
pub use redis::RedisRepository;
#[cfg(any(feature = "postgres", feature = "mysql"))]
pub use sql::SqlTable;
pub use url::{SqlTableNames, StoreUrl, redact};
pub use xml_document::XmlDocumentRepository;

/// The Redis list key .NET's `PersistKeysToStackExchangeRedis` uses by default.
pub const REDIS_DEFAULT_KEY: &str = "DataProtection-Keys";

use crate::KeyringError;

/// One stored element.
#[derive(Clone)]
pub struct StoredElement {
    /// The friendly name (`key-{id}`, `revocation-…`); the file stem for the file system.
    pub name: String,
    /// Where it lives, for messages (a path, or `memory:NAME`).
    pub source: String,
    /// The XML text. For keys it contains the master key: treat as secret.
    pub xml: String,
}

impl core::fmt::Debug for StoredElement {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("StoredElement")
            .field("name", &self.name)
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

impl Drop for StoredElement {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.xml);
    }
}

/// A held exclusive lock on a repository; released on drop.
pub trait RepositoryLock: Send {}

/// Storage for key-ring XML elements, as .NET's `IXmlRepository` (+ `IDeletableXmlRepository`).
///
/// Implementations must make `store` atomic (an element is either wholly there or not at all)
/// and must never overwrite an existing element.
pub trait XmlRepository: Send + Sync {
    /// Every element in the repository.
    ///
    /// # Errors
    /// An I/O error, or an element that cannot be read at all (which must fail the whole read:
    /// it might be a revocation).
    fn load_all(&self) -> Result<Vec<StoredElement>, KeyringError>;

    /// Stores a new element under a friendly name.
    ///
    /// # Errors
    /// I/O failure, a read-only repository, or an element of that name already existing.
    fn store(&self, name: &str, xml: &str) -> Result<(), KeyringError>;

    /// Replaces an existing element atomically: a reader sees the old element or the new one,
    /// never neither (used to re-encrypt keys). Repositories that cannot do that keep this
    /// default, which refuses.
    ///
    /// # Errors
    /// [`KeyringError::InvalidArgument`] from the default; I/O failure; a read-only repository.
    fn replace(&self, name: &str, xml: &str) -> Result<(), KeyringError> {
        let _ = (name, xml);
        Err(KeyringError::InvalidArgument(format!(
            "{} cannot replace elements",
            self.describe()
        )))
    }

    /// Deletes elements by friendly name; missing ones are ignored.
    ///
    /// # Errors
    /// I/O failure or a read-only repository.
    fn delete(&self, names: &[String]) -> Result<(), KeyringError>;

    /// Takes the repository-wide exclusive lock that serialises key creation between processes.
    ///
    /// # Errors
    /// I/O failure (a read-only repository may still be lockable: locks are advisory).
    fn lock(&self) -> Result<Box<dyn RepositoryLock>, KeyringError>;

    /// Whether the store exists at all (a key directory that was never created does not).
    /// Reading a store that does not exist is an error of its own — usually a wrong path — while
    /// creating the first key creates it. Stores that always exist keep this default.
    fn exists(&self) -> bool {
        true
    }

    /// A short description for messages (`directory /path/to/keys`).
    fn describe(&self) -> String;

    /// The store's own clock, for stores that have one (servers), to find clock skew between
    /// farm members. `None` when the store has no clock.
    fn server_time(&self) -> Option<Result<crate::Timestamp, KeyringError>> {
        None
    }

    /// Problems of the store itself that `dp doctor` reports (a Redis that may lose the ring, a
    /// key directory that will not survive its container). None by default.
    fn health(&self) -> Vec<crate::doctor::Finding> {
        Vec::new()
    }
}
