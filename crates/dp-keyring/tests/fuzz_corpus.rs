//! Replays the committed `key_xml` fuzz corpus (fuzz/corpus/key_xml), so CI covers it without
//! cargo-fuzz.
#![allow(
    clippy::unwrap_used,
    missing_docs,
    reason = "test code: a panic is a test failure, and test items need no docs"
)]

use std::sync::Arc;

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
