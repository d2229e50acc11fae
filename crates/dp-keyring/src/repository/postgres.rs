//! EF Core's `DataProtectionKeys` table on postgres. (Stub: being written.)

use crate::KeyringError;
use crate::repository::sql::SqlTable;
use crate::repository::{RepositoryLock, StoredElement, XmlRepository};

/// A key ring in EF Core's table layout.
#[derive(Debug)]
pub struct PostgresRepository {
    store: String,
}

impl PostgresRepository {
    /// Connects to `url` and finds the table: `table`'s names where given, else detected from the
    /// catalogue.
    ///
    /// # Errors
    /// [`KeyringError::Store`] for a malformed URL, an unreachable server, no table or a
    /// look-alike table.
    pub fn open(url: &str, table: &SqlTable) -> Result<Self, KeyringError> {
        let _ = table;
        Err(KeyringError::Store {
            store: url.to_owned(),
            reason: "not written yet".into(),
        })
    }

    /// Creates the table with the DDL EF Core's migrations create for this provider (names from
    /// `table`, defaults `DataProtectionKeys`/`Id`/`FriendlyName`/`Xml`), if it does not exist.
    ///
    /// # Errors
    /// [`KeyringError::Store`].
    pub fn init(url: &str, table: &SqlTable) -> Result<(), KeyringError> {
        let _ = table;
        Err(KeyringError::Store {
            store: url.to_owned(),
            reason: "not written yet".into(),
        })
    }
}

impl XmlRepository for PostgresRepository {
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
