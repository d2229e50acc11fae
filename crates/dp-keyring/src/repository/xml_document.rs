//! One XML document holding the whole ring: the layout of .NET's Azure Blob repository
//! (`PersistKeysToAzureBlobStorage`), kept in a local file.
//!
//! ```text
//! EF BB BF <?xml version="1.0" encoding="utf-8"?><repository><key id="…" version="1">…</key><revocation …>…</revocation></repository>
//! ```
//!
//! Children in append order, each in the one-line form (`xml::single_line`); the root's name is
//! not checked on read, and a missing byte-order mark or declaration and whitespace between
//! children are accepted, as .NET accepts them; unknown children are kept verbatim when the
//! document is rewritten. A missing file is an empty ring (and [`XmlRepository::exists`] says
//! so, so that a reading command can report a wrong path).
//!
//! Writes take a lock file beside the document (`{name}.dp-write.lock`), re-read it, append or
//! replace, and rename a complete new document into place: a reader sees the old document or the
//! new one. Key creation is serialised by a second lock file (`{name}.dp-keyring.lock`), so the
//! manager can hold it across its re-read and store.

use std::path::{Path, PathBuf};

use dp_fs::{AtomicFile, FileLock, FsError};
use std::io::Write as _;

use crate::KeyringError;
use crate::repository::{RepositoryLock, StoredElement, XmlRepository};
use crate::xml::{MAX_ELEMENT_BYTES, single_line};

/// The most elements one document may hold (a ring rolls a key every 90 days; this is
/// centuries of keys and revocations).
const MAX_ELEMENTS: usize = 4096;
/// The largest document read.
const MAX_DOCUMENT_BYTES: usize = 64 << 20;
/// What .NET's blob repository writes before the children.
const PROLOG: &str = "\u{FEFF}<?xml version=\"1.0\" encoding=\"utf-8\"?><repository>";
const EPILOG: &str = "</repository>";

/// A key ring in one `<repository>` document on a local path.
#[derive(Debug)]
pub struct XmlDocumentRepository {
    path: PathBuf,
}

/// A child of the document: its friendly name and its exact text.
struct Child {
    name: String,
    text: String,
}

impl Drop for Child {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.text);
    }
}

impl XmlDocumentRepository {
    /// The document at `path` (it need not exist yet).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// The document's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn sibling(&self, suffix: &str) -> PathBuf {
        let mut name = self
            .path
            .file_name()
            .map(|n| n.to_os_string())
            .unwrap_or_default();
        name.push(suffix);
        self.path.with_file_name(name)
    }

    fn fs_error(&self, e: FsError) -> KeyringError {
        KeyringError::File(e)
    }

    fn malformed(&self, reason: impl Into<String>) -> KeyringError {
        KeyringError::malformed(self.path.display().to_string(), reason)
    }

    /// The children of the document, in order; an absent document has none.
    fn read_children(&self) -> Result<Vec<Child>, KeyringError> {
        if !self.path.exists() && self.path.symlink_metadata().is_err() {
            return Ok(Vec::new());
        }
        let bytes = dp_fs::read_regular_file(&self.path, MAX_DOCUMENT_BYTES as u64)
            .map_err(|e| self.fs_error(e))?;
        let text = zeroize::Zeroizing::new(
            String::from_utf8(bytes).map_err(|_| self.malformed("the document is not UTF-8"))?,
        );
        let body = text.strip_prefix('\u{FEFF}').unwrap_or(&text);
        if body.trim().is_empty() {
            return Ok(Vec::new());
        }
        let options = roxmltree::ParsingOptions {
            allow_dtd: false,
            ..roxmltree::ParsingOptions::default()
        };
        let document = roxmltree::Document::parse_with_options(body, options)
            .map_err(|e| self.malformed(format!("not an XML document: {e}")))?;
        let mut children = Vec::new();
        for (index, node) in document.root_element().children().enumerate() {
            if !node.is_element() {
                continue;
            }
            if children.len() >= MAX_ELEMENTS {
                return Err(self.malformed(format!("more than {MAX_ELEMENTS} elements")));
            }
            let text = body
                .get(node.range())
                .ok_or_else(|| self.malformed("an element's text cannot be located"))?;
            if text.len() > MAX_ELEMENT_BYTES {
                return Err(self.malformed(format!(
                    "element {index} is larger than {MAX_ELEMENT_BYTES} bytes"
                )));
            }
            let name = match node.attribute("id") {
                Some(id) => format!("{}-{id}", node.tag_name().name()),
                None => format!("{}-{index}", node.tag_name().name()),
            };
            children.push(Child {
                name,
                text: text.to_owned(),
            });
        }
        Ok(children)
    }

    /// Rewrites the document with `children`, atomically.
    fn write_children(&self, children: &[Child]) -> Result<(), KeyringError> {
        let mut document = zeroize::Zeroizing::new(String::with_capacity(
            PROLOG.len() + EPILOG.len() + children.iter().map(|c| c.text.len()).sum::<usize>(),
        ));
        document.push_str(PROLOG);
        for child in children {
            document.push_str(&child.text);
        }
        document.push_str(EPILOG);
        let mut file = AtomicFile::beside(&self.path).map_err(|e| self.fs_error(e))?;
        file.file()
            .write_all(document.as_bytes())
            .map_err(|e| KeyringError::io(format!("writing {}", self.path.display()), e))?;
        file.persist_replace(&self.path)
            .map_err(|e| self.fs_error(e))
    }

    /// Runs `change` on the children under the write lock, then writes them.
    fn modify(
        &self,
        change: impl FnOnce(&mut Vec<Child>) -> Result<(), KeyringError>,
    ) -> Result<(), KeyringError> {
        if let Some(parent) = self.path.parent().filter(|p| !p.as_os_str().is_empty()) {
            dp_fs::create_private_dir_all(parent).map_err(|e| self.fs_error(e))?;
        }
        let _write =
            FileLock::acquire(&self.sibling(".dp-write.lock")).map_err(|e| self.fs_error(e))?;
        let mut children = self.read_children()?;
        change(&mut children)?;
        self.write_children(&children)
    }
}

impl XmlRepository for XmlDocumentRepository {
    fn load_all(&self) -> Result<Vec<StoredElement>, KeyringError> {
        let source = self.path.display().to_string();
        Ok(self
            .read_children()?
            .iter()
            .enumerate()
            .map(|(index, child)| StoredElement {
                name: child.name.clone(),
                source: format!("{source} [element {index}]"),
                xml: child.text.clone(),
            })
            .collect())
    }

    fn store(&self, name: &str, xml: &str) -> Result<(), KeyringError> {
        let text = single_line(xml);
        self.modify(|children| {
            if children.len() >= MAX_ELEMENTS {
                return Err(KeyringError::InvalidArgument(format!(
                    "{} already holds {MAX_ELEMENTS} elements",
                    self.describe()
                )));
            }
            children.push(Child {
                name: name.to_owned(),
                text: text.to_string(),
            });
            Ok(())
        })
    }

    fn replace(&self, name: &str, xml: &str) -> Result<(), KeyringError> {
        let text = single_line(xml);
        self.modify(|children| {
            let child = children
                .iter_mut()
                .find(|c| c.name == name)
                .ok_or_else(|| {
                    KeyringError::InvalidArgument(format!(
                        "{} holds no element {name}",
                        self.describe()
                    ))
                })?;
            child.text = text.to_string();
            Ok(())
        })
    }

    fn delete(&self, names: &[String]) -> Result<(), KeyringError> {
        if !self.path.exists() {
            return Ok(());
        }
        self.modify(|children| {
            children.retain(|c| !names.contains(&c.name));
            Ok(())
        })
    }

    fn lock(&self) -> Result<Box<dyn RepositoryLock>, KeyringError> {
        if let Some(parent) = self.path.parent().filter(|p| !p.as_os_str().is_empty()) {
            dp_fs::create_private_dir_all(parent).map_err(|e| self.fs_error(e))?;
        }
        let lock =
            FileLock::acquire(&self.sibling(".dp-keyring.lock")).map_err(|e| self.fs_error(e))?;
        Ok(Box::new(lock))
    }

    fn exists(&self) -> bool {
        self.path.is_file()
    }

    fn describe(&self) -> String {
        format!("key document {}", self.path.display())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "\u{FEFF}<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<key id=\"a\" version=\"1\">\n  <creationDate>x</creationDate>\n</key>";

    #[test]
    fn appends_in_dotnet_blob_form_and_reads_back() -> Result<(), KeyringError> {
        let dir = tempfile::tempdir().map_err(|e| KeyringError::io("tempdir", e))?;
        let repo = XmlDocumentRepository::new(dir.path().join("ring.xml"));
        assert!(!repo.exists());
        assert!(repo.load_all()?.is_empty());
        repo.store("key-a", KEY)?;
        repo.store(
            "revocation-b",
            "<revocation version=\"1\">\n  <reason>r</reason>\n</revocation>",
        )?;
        let bytes = std::fs::read(repo.path()).map_err(|e| KeyringError::io("read", e))?;
        assert_eq!(
            String::from_utf8_lossy(&bytes),
            "\u{FEFF}<?xml version=\"1.0\" encoding=\"utf-8\"?><repository><key id=\"a\" version=\"1\"><creationDate>x</creationDate></key><revocation version=\"1\"><reason>r</reason></revocation></repository>"
        );
        let all = repo.load_all()?;
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].name, "key-a");
        assert!(all[1].source.ends_with("[element 1]"));
        repo.delete(&["key-a".to_owned()])?;
        assert_eq!(repo.load_all()?.len(), 1);
        Ok(())
    }

    #[test]
    fn accepts_what_dotnet_accepts_and_fails_closed() -> Result<(), KeyringError> {
        let dir = tempfile::tempdir().map_err(|e| KeyringError::io("tempdir", e))?;
        let path = dir.path().join("ring.xml");
        std::fs::write(
            &path,
            "<anything>\n  <key id=\"x\"/>\n  <!-- c -->\n  <other/>\n</anything>",
        )
        .map_err(|e| KeyringError::io("write", e))?;
        let repo = XmlDocumentRepository::new(&path);
        let names: Vec<String> = repo.load_all()?.iter().map(|e| e.name.clone()).collect();
        assert_eq!(names, ["key-x", "other-5"]);
        std::fs::write(&path, "<repository><key>").map_err(|e| KeyringError::io("write", e))?;
        assert!(matches!(
            repo.load_all(),
            Err(KeyringError::MalformedElement { .. })
        ));
        std::fs::write(&path, "<!DOCTYPE r [<!ENTITY a \"b\">]><r/>")
            .map_err(|e| KeyringError::io("write", e))?;
        assert!(repo.load_all().is_err());
        Ok(())
    }
}
