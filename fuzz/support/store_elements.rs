//! The checks of the `store_elements` fuzz target: how the key stores take elements apart before
//! the key parser sees them. Shared by the target and the test that replays its corpus
//! (crates/dp-keyring/tests/fuzz_corpus.rs), which include this file with `#[path]`.
//!
//! One input is read three ways:
//!
//! ```text
//! document : the input as one <repository> file (.NET's Azure Blob layout), read by
//!            XmlDocumentRepository, then by a key manager over it
//! redis    : the input split at NUL bytes into the elements of a list on the real Redis server
//!            (DP_TEST_REDIS_URL, default redis://127.0.0.1:6379/0, as the store tests use), read
//!            by RedisRepository (size, byte-order mark, UTF-8, friendly names), then by a key
//!            manager over it
//! text     : the input as a key-store URL (StoreUrl::parse, redaction) and through the
//!            one-line rewriting every store applies on write (xml::single_line)
//! ```
//!
//! The rows of the SQL stores are fuzzed by `sql_rows` (support/sql_rows.rs).

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use dp_keyring::repository::{RedisRepository, StoreUrl, XmlDocumentRepository, redact};
use dp_keyring::xml::single_line;
use dp_keyring::{KeyManager, KeyringError, OsRandom, SystemClock, XmlRepository};

/// The variable naming the Redis server, as in crates/dp-keyring/tests/redis_store.rs.
const REDIS_VAR: &str = "DP_TEST_REDIS_URL";
const REDIS_DEFAULT: &str = "redis://127.0.0.1:6379/0";
/// Seconds a list outlives its last write: a fuzzing process is never dropped, so its list
/// expires instead of being deleted.
const LIST_TTL_SECS: i64 = 600;

/// The repositories and managers one process reuses for every input.
pub(crate) struct Stores {
    document: PathBuf,
    document_repository: Arc<XmlDocumentRepository>,
    document_manager: KeyManager,
    /// A connection of our own, to write the list the repository reads.
    redis_writer: Mutex<redis::Connection>,
    redis_key: String,
    redis_repository: Arc<RedisRepository>,
    redis_manager: KeyManager,
}

fn manager(repository: Arc<dyn XmlRepository>) -> KeyManager {
    KeyManager::new(repository, Arc::new(SystemClock), Arc::new(OsRandom))
}

/// `$DP_TEST_REDIS_URL`, else the local default.
fn redis_url() -> String {
    std::env::var(REDIS_VAR)
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| REDIS_DEFAULT.to_owned())
}

impl Stores {
    /// Stores whose document lives at `document` (rewritten for each input, removed after it)
    /// and whose Redis list is `redis_key` on the server of [`redis_url`].
    ///
    /// # Errors
    /// Why the Redis server cannot be used.
    pub(crate) fn new(document: PathBuf, redis_key: &str) -> Result<Self, String> {
        let url = redis_url();
        let writer = redis::Client::open(url.as_str())
            .and_then(|c| c.get_connection_with_timeout(Duration::from_secs(5)))
            .map_err(|e| format!("no Redis server at {url} ({e}); set {REDIS_VAR}"))?;
        let redis_repository =
            Arc::new(RedisRepository::open(&url, redis_key).map_err(|e| format!("{url}: {e}"))?);
        let document_repository = Arc::new(XmlDocumentRepository::new(&document));
        Ok(Self {
            document,
            document_manager: manager(document_repository.clone()),
            document_repository,
            redis_writer: Mutex::new(writer),
            redis_key: redis_key.to_owned(),
            redis_manager: manager(redis_repository.clone()),
            redis_repository,
        })
    }

    /// Reads `data` every way; panics only on a broken invariant. Returns how many elements
    /// the document and the Redis list held, or why the store refused them (`None` for a list
    /// the server did not take).
    pub(crate) fn check(
        &self,
        data: &[u8],
    ) -> (
        Result<usize, KeyringError>,
        Option<Result<usize, KeyringError>>,
    ) {
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

    /// Replaces the list with `elements` in one transaction.
    fn write_list(&self, elements: &[&[u8]]) -> redis::RedisResult<()> {
        let mut push = redis::cmd("RPUSH");
        push.arg(&self.redis_key);
        for element in elements {
            push.arg(*element);
        }
        let mut writer = self
            .redis_writer
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        redis::pipe()
            .atomic()
            .cmd("DEL")
            .arg(&self.redis_key)
            .ignore()
            .add_command(push)
            .ignore()
            .cmd("EXPIRE")
            .arg(&self.redis_key)
            .arg(LIST_TTL_SECS)
            .ignore()
            .query::<()>(&mut *writer)
    }

    fn redis(&self, data: &[u8]) -> Option<Result<usize, KeyringError>> {
        let list: Vec<&[u8]> = data.split(|b| *b == 0).collect();
        if let Err(e) = self.write_list(&list) {
            // The server, not the code under test: say so and go on with the next input.
            eprintln!("store_elements: writing the Redis list failed: {e}");
            return None;
        }
        let elements = self.redis_repository.load_all();
        if let Ok(elements) = &elements {
            // All or nothing, in list order, byte for byte, each named by its content.
            assert_eq!(elements.len(), list.len(), "an element was lost or added");
            for (element, bytes) in elements.iter().zip(&list) {
                assert!(
                    element.xml.as_bytes() == *bytes,
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
        Some(elements.map(|e| e.len()))
    }
}

impl Drop for Stores {
    fn drop(&mut self) {
        let writer = self
            .redis_writer
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner);
        let _ = redis::cmd("DEL").arg(&self.redis_key).query::<i64>(writer);
    }
}
