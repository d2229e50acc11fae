use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use super::{RepositoryLock, StoredElement, XmlRepository};
use crate::KeyringError;

/// An in-memory repository: for tests and ephemeral providers. Cloning shares the storage.
#[derive(Debug, Clone, Default)]
pub struct MemoryRepository {
    elements: Arc<Mutex<Vec<(String, String)>>>,
    creation: Arc<Mutex<()>>,
}

impl MemoryRepository {
    /// An empty repository.
    pub fn new() -> Self {
        Self::default()
    }

    fn elements(&self) -> MutexGuard<'_, Vec<(String, String)>> {
        self.elements.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

struct MemoryLock {
    _guard: Arc<Mutex<()>>,
}

impl RepositoryLock for MemoryLock {}

impl XmlRepository for MemoryRepository {
    fn load_all(&self) -> Result<Vec<StoredElement>, KeyringError> {
        Ok(self
            .elements()
            .iter()
            .map(|(name, xml)| StoredElement {
                name: name.clone(),
                source: format!("memory:{name}"),
                xml: xml.clone(),
            })
            .collect())
    }

    fn store(&self, name: &str, xml: &str) -> Result<(), KeyringError> {
        let mut elements = self.elements();
        if elements.iter().any(|(n, _)| n == name) {
            return Err(KeyringError::io(
                format!("storing memory:{name}"),
                std::io::Error::from(std::io::ErrorKind::AlreadyExists),
            ));
        }
        elements.push((name.to_owned(), xml.to_owned()));
        Ok(())
    }

    fn replace(&self, name: &str, xml: &str) -> Result<(), KeyringError> {
        let mut elements = self.elements();
        match elements.iter_mut().find(|(n, _)| n == name) {
            Some((_, old)) => {
                *old = xml.to_owned();
                Ok(())
            }
            None => Err(KeyringError::io(
                format!("replacing memory:{name}"),
                std::io::Error::from(std::io::ErrorKind::NotFound),
            )),
        }
    }

    fn delete(&self, names: &[String]) -> Result<(), KeyringError> {
        self.elements().retain(|(n, _)| !names.contains(n));
        Ok(())
    }

    fn lock(&self) -> Result<Box<dyn RepositoryLock>, KeyringError> {
        // Within one process the key manager's own mutex already serialises creation; the
        // memory repository has no other processes to exclude.
        Ok(Box::new(MemoryLock {
            _guard: Arc::clone(&self.creation),
        }))
    }

    fn describe(&self) -> String {
        "in-memory repository".to_owned()
    }
}
