//! One XML document holding the whole ring (the Azure Blob layout) on a local path. (Stub.)

use std::path::PathBuf;

/// A key ring in one `<repository>` document.
#[derive(Debug)]
pub struct XmlDocumentRepository {
    path: PathBuf,
}

impl XmlDocumentRepository {
    /// The document at `path` (it need not exist yet).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// The document's path.
    pub fn path(&self) -> &std::path::Path {
        &self.path
    }
}
