//! Replays the committed `key_xml` and `store_elements` fuzz corpora (fuzz/corpus/key_xml,
//! fuzz/corpus/store_elements), so CI covers them without cargo-fuzz. The `store_elements`
//! checks are the fuzz target's own (fuzz/support/), run against a fake Redis server; they need
//! the `redis` feature, which the workspace build turns on (through dp-cli).
#![allow(
    clippy::unwrap_used,
    missing_docs,
    reason = "test code: a panic is a test failure, and test items need no docs"
)]

use std::sync::Arc;

#[cfg(feature = "redis")]
#[path = "../../../fuzz/support/fake_redis.rs"]
mod fake_redis;
#[cfg(feature = "redis")]
#[path = "../../../fuzz/support/store_elements.rs"]
mod store_elements;

#[cfg(feature = "redis")]
use dp_keyring::KeyringError;
use dp_keyring::{KeyManager, MemoryRepository, OsRandom, SystemClock, XmlRepository};

/// Reads one element the way every key-ring read does.
fn load(text: &str) {
    let repository = MemoryRepository::new();
    repository.store("corpus", text).unwrap();
    let manager = KeyManager::new(
        Arc::new(repository),
        Arc::new(SystemClock),
        Arc::new(OsRandom),
    );
    let _ = manager.load();
}

#[test]
fn key_xml_corpus() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fuzz/corpus/key_xml");
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let data = std::fs::read(entry.unwrap().path()).unwrap();
        seen += 1;
        if let Ok(text) = std::str::from_utf8(&data) {
            load(text);
        }
    }
    assert!(seen > 0, "the corpus is empty");
}

#[cfg(feature = "redis")]
#[test]
fn store_elements_corpus() {
    let scratch = tempfile::tempdir().unwrap();
    let stores = store_elements::Stores::new(scratch.path().join("ring.xml"));
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fuzz/corpus/store_elements"
    );
    let mut seen = 0;
    let mut seeds = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        seen += 1;
        let (document, redis) = stores.check(&data);
        let name = path.file_name().unwrap().to_string_lossy();
        let malformed = |r: &Result<usize, KeyringError>| {
            matches!(r, Err(KeyringError::MalformedElement { .. }))
        };
        // What the hand-made seeds were made to reach; inputs the fuzzer added may do anything.
        let as_expected = match name.as_ref() {
            "document-dotnet-blob" => document.as_ref().ok() == Some(&4),
            "document-indented-pg-rows" => document.as_ref().ok() == Some(&5),
            "document-doctype" | "document-unclosed" => malformed(&document),
            "redis-list-dotnet" => redis.as_ref().ok() == Some(&4),
            "redis-bom-element" | "redis-not-utf8" => malformed(&redis),
            "redis-odd-key-ids" => redis.as_ref().ok() == Some(&5),
            _ => continue,
        };
        seeds += 1;
        assert!(
            as_expected,
            "{name}: document {document:?}, redis {redis:?}"
        );
    }
    assert!(seen > 0, "the corpus is empty");
    assert_eq!(seeds, 8, "a hand-made seed is missing");
}
