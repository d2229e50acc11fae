//! Helpers shared by the integration tests.
#![allow(
    dead_code,
    unreachable_pub,
    missing_docs,
    reason = "test code: a panic is a test failure, and test items need no docs"
)]

use std::sync::atomic::{AtomicU8, Ordering};

use base64::Engine as _;
use dp_crypto::{CryptoError, SecureRandom};
use serde_json::Value;

/// .NET's `SequentialGenRandom`: bytes 00, 01, 02, … continuing across calls.
#[derive(Default)]
pub struct SequentialRandom(AtomicU8);

impl SecureRandom for SequentialRandom {
    fn fill(&self, dest: &mut [u8]) -> Result<(), CryptoError> {
        for b in dest {
            *b = self.0.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    }
}

pub fn hex(s: &str) -> Vec<u8> {
    let clean: String = s.chars().filter(|c| c.is_ascii_hexdigit()).collect();
    hex::decode(clean).unwrap_or_else(|e| panic!("bad hex in test data: {e}"))
}

pub fn b64(s: &str) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(s)
        .unwrap_or_else(|e| panic!("bad base64 in test data: {e}"))
}

pub fn load(name: &str) -> Value {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

pub fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("missing string field {key}"))
}
