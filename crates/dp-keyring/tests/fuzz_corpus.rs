//! Replays the committed `key_xml`, `store_elements` and `sql_rows` fuzz corpora
//! (fuzz/corpus/), so CI covers them without cargo-fuzz. The `store_elements` and `sql_rows`
//! checks are the fuzz targets' own (fuzz/support/), run against the real servers the store tests
//! use (`DP_TEST_REDIS_URL`, `DP_TEST_POSTGRES_URL`, `DP_TEST_MYSQL_URL`): without one they are
//! skipped, unless `CI=true`, where they fail. They need the `redis`, `postgres` and `mysql`
//! features, which the workspace build turns on (through dp-cli).
#![allow(
    clippy::unwrap_used,
    missing_docs,
    reason = "test code: a panic is a test failure, and test items need no docs"
)]

use std::sync::Arc;

#[cfg(all(feature = "postgres", feature = "mysql"))]
#[path = "../../../fuzz/support/sql_rows.rs"]
mod sql_rows;
#[cfg(feature = "redis")]
#[path = "../../../fuzz/support/store_elements.rs"]
mod store_elements;

#[cfg(any(feature = "redis", feature = "postgres", feature = "mysql"))]
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

/// Every input of fuzz/corpus/TARGET, by file name; never empty.
fn corpus(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target);
    let inputs: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).unwrap())
        })
        .collect();
    assert!(!inputs.is_empty(), "the {target} corpus is empty");
    inputs
}

#[test]
fn key_xml_corpus() {
    for (_, data) in corpus("key_xml") {
        if let Ok(text) = std::str::from_utf8(&data) {
            load(text);
        }
    }
}

#[cfg(feature = "redis")]
#[test]
fn store_elements_corpus() {
    let scratch = tempfile::tempdir().unwrap();
    let key = format!("dp-test-{}-fuzz-corpus-store-elements", unique());
    let stores = match store_elements::Stores::new(scratch.path().join("ring.xml"), &key) {
        Ok(stores) => stores,
        Err(why) => return unreachable(&why),
    };
    let mut seeds = 0;
    for (name, data) in corpus("store_elements") {
        let (document, redis) = stores.check(&data);
        let malformed = |r: &Result<usize, KeyringError>| {
            matches!(r, Err(KeyringError::MalformedElement { .. }))
        };
        // What the hand-made seeds were made to reach; inputs the fuzzer added may do anything.
        let as_expected = match name.as_str() {
            "document-dotnet-blob" => document.as_ref().ok() == Some(&4),
            "document-indented-pg-rows" => document.as_ref().ok() == Some(&5),
            "document-doctype" | "document-unclosed" => malformed(&document),
            "redis-list-dotnet" => count(&redis) == Some(4),
            "redis-bom-element" | "redis-not-utf8" => redis.as_ref().is_some_and(malformed),
            "redis-odd-key-ids" => count(&redis) == Some(5),
            _ => continue,
        };
        seeds += 1;
        assert!(
            as_expected,
            "{name}: document {document:?}, redis {redis:?}"
        );
    }
    assert_eq!(seeds, 8, "a hand-made seed is missing");
}

/// The element count of a read that the server took and the repository accepted.
#[cfg(any(feature = "redis", feature = "postgres", feature = "mysql"))]
fn count(read: &Option<Result<usize, KeyringError>>) -> Option<usize> {
    read.as_ref().and_then(|r| r.as_ref().ok()).copied()
}

/// `{pid}_{nanos}`: a name no other test run uses.
#[cfg(any(feature = "redis", feature = "postgres", feature = "mysql"))]
fn unique() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("{}_{nanos}", std::process::id())
}

/// A server the replay needs cannot be reached: fails under CI, else says why it is skipped.
#[cfg(any(feature = "redis", feature = "postgres", feature = "mysql"))]
fn unreachable(why: &str) {
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{why} (CI=true)"
    );
    eprintln!("skipping the corpus replay: {why} (CI=true makes this fail)");
}

#[cfg(all(feature = "postgres", feature = "mysql"))]
#[test]
fn sql_rows_corpus() {
    let rows = match sql_rows::SqlRows::new(&format!("dp_test_{}_fuzz_rows", unique())) {
        Ok(rows) => rows,
        Err(why) => return unreachable(&why),
    };
    let mut seeds = 0;
    for (name, data) in corpus("sql_rows") {
        let (postgres, mysql) = rows.check(&data);
        // What the hand-made seeds were made to reach, the same on both servers; inputs the
        // fuzzer added may do anything.
        let expected = match name.as_str() {
            "postgres-rows-dotnet" | "mysql-rows-dotnet" => Some(4),
            "nameless-and-empty-rows" => Some(2),
            "four-byte-text" => Some(2),
            "bom-and-declaration-row" | "not-xml-row" => Some(1),
            _ => continue,
        };
        seeds += 1;
        assert_eq!(count(&postgres), expected, "{name}: postgres {postgres:?}");
        assert_eq!(count(&mysql), expected, "{name}: mysql {mysql:?}");
    }
    assert_eq!(seeds, 6, "a hand-made seed is missing");
}
