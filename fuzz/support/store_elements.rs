//! The checks of the `store_elements` fuzz target: how the key stores take elements apart before
//! the key parser sees them. Shared by the target and the test that replays its corpus
//! (crates/dp-keyring/tests/fuzz_corpus.rs), which include this file (and `fake_redis.rs`,
//! expected at `crate::fake_redis`) with `#[path]`.
//!
//! One input is read three ways:
//!
//! ```text
//! document : the input as one <repository> file (.NET's Azure Blob layout), read by
//!            XmlDocumentRepository, then by a key manager over it
//! redis    : the input split at NUL bytes into list elements, served by a fake Redis and read by
//!            RedisRepository (size, byte-order mark, UTF-8, friendly names), then by a key
//!            manager over it
//! text     : the input as a key-store URL (StoreUrl::parse, redaction) and through the
//!            one-line rewriting every store applies on write (xml::single_line)
//! ```
//!
//! SQL stores hand each row's text to the same key parser unchanged (the only row-specific step
//! is a length cap the server applies), so the document and Redis paths cover what they read.

use std::path::PathBuf;
use std::sync::Arc;

use dp_keyring::repository::{RedisRepository, StoreUrl, XmlDocumentRepository, redact};
use dp_keyring::xml::single_line;
use dp_keyring::{KeyManager, KeyringError, OsRandom, SystemClock, XmlRepository};

use crate::fake_redis::FakeRedis;

/// The repositories and managers one process reuses for every input.
pub(crate) struct Stores {
    document: PathBuf,
    document_repository: Arc<XmlDocumentRepository>,
    document_manager: KeyManager,
    redis: FakeRedis,
    redis_repository: Arc<RedisRepository>,
    redis_manager: KeyManager,
}

fn manager(repository: Arc<dyn XmlRepository>) -> KeyManager {
    KeyManager::new(repository, Arc::new(SystemClock), Arc::new(OsRandom))
}

impl Stores {
    /// Stores whose document lives at `document` (rewritten for each input, removed after it)
    /// and whose Redis list is served by a fake server on a local port.
    ///
    /// # Panics
    /// When the fake server cannot listen or the repository cannot connect to it.
    pub(crate) fn new(document: PathBuf) -> Self {
        let redis = FakeRedis::start().unwrap_or_else(|e| panic!("fake Redis: {e}"));
        let redis_repository = Arc::new(
            RedisRepository::open(redis.url(), RedisRepository::DEFAULT_KEY)
                .unwrap_or_else(|e| panic!("connecting to the fake Redis: {e}")),
        );
        let document_repository = Arc::new(XmlDocumentRepository::new(&document));
        Self {
            document,
            document_manager: manager(document_repository.clone()),
            document_repository,
            redis,
            redis_manager: manager(redis_repository.clone()),
            redis_repository,
        }
    }

    /// Reads `data` every way; panics only on a broken invariant. Returns how many elements
    /// the document and the Redis list held, or why the store refused them.
    pub(crate) fn check(
        &self,
        data: &[u8],
    ) -> (Result<usize, KeyringError>, Result<usize, KeyringError>) {
        let document = self.document(data);
        let redis = self.redis(data);
        if let Ok(text) = core::str::from_utf8(data) {
            if let Ok(url) = StoreUrl::parse(text) {
                let _ = url.redacted();
            }
            let _ = redact(text);
            let _ = single_line(text);
        }
        (document, redis)
    }

    fn document(&self, data: &[u8]) -> Result<usize, KeyringError> {
        std::fs::write(&self.document, data)
            .unwrap_or_else(|e| panic!("writing the scratch document: {e}"));
        let children = self.document_repository.load_all();
        if let Ok(children) = &children {
            // Children are the exact text received, never a re-serialisation.
            let text = String::from_utf8_lossy(data);
            for child in children {
                assert!(
                    text.contains(child.xml.as_str()),
                    "a child of the document is not text of the document"
                );
            }
        }
        let _ = self.document_manager.load();
        let _ = std::fs::remove_file(&self.document);
        children.map(|c| c.len())
    }

    fn redis(&self, data: &[u8]) -> Result<usize, KeyringError> {
        let list: Vec<Vec<u8>> = data.split(|b| *b == 0).map(<[u8]>::to_vec).collect();
        self.redis.set_list(list.clone());
        let elements = self.redis_repository.load_all();
        if let Ok(elements) = &elements {
            // All or nothing, in list order, byte for byte, each named by its content.
            assert_eq!(elements.len(), list.len(), "an element was lost or added");
            for (element, bytes) in elements.iter().zip(&list) {
                assert!(
                    element.xml.as_bytes() == bytes.as_slice(),
                    "an element changed on reading"
                );
                assert!(
                    ["key-", "revocation-", "element-"]
                        .iter()
                        .any(|prefix| element.name.starts_with(prefix)),
                    "unexpected friendly name {}",
                    element.name
                );
            }
        }
        let _ = self.redis_manager.load();
        elements.map(|e| e.len())
    }
}
