//! Redis, as `PersistKeysToStackExchangeRedis` keeps a ring. (Stub: being written.)

use crate::KeyringError;
use crate::repository::{RepositoryLock, StoredElement, XmlRepository};

/// A key ring in one Redis list.
#[derive(Debug)]
pub struct RedisRepository {
    store: String,
}

impl RedisRepository {
    /// The list key .NET uses by default.
    pub const DEFAULT_KEY: &str = "DataProtection-Keys";

    /// Connects to `url` (`redis://[user:pass@]host[:port][/db]`, `rediss://…`) and uses the list
    /// `key`.
    ///
    /// # Errors
    /// [`KeyringError::Store`] for a malformed URL or an unreachable server.
    pub fn open(url: &str, key: &str) -> Result<Self, KeyringError> {
        let _ = key;
        Err(KeyringError::Store {
            store: url.to_owned(),
            reason: "not written yet".into(),
        })
    }
}

impl XmlRepository for RedisRepository {
    fn load_all(&self) -> Result<Vec<StoredElement>, KeyringError> {
        Ok(Vec::new())
    }

    fn store(&self, name: &str, xml: &str) -> Result<(), KeyringError> {
        let _ = (name, xml);
        Ok(())
    }

    fn delete(&self, names: &[String]) -> Result<(), KeyringError> {
        let _ = names;
        Ok(())
    }

    fn lock(&self) -> Result<Box<dyn RepositoryLock>, KeyringError> {
        Err(KeyringError::Store {
            store: self.store.clone(),
            reason: "not written yet".into(),
        })
    }

    fn describe(&self) -> String {
        self.store.clone()
    }
}
