//! Key-ring XML: any text parses to an element or an error, never a panic.
#![no_main]

use std::sync::Arc;

use dp_keyring::{KeyManager, MemoryRepository, OsRandom, SystemClock, XmlRepository};
use libfuzzer_sys::fuzz_target;

// The element parser is internal; a key-ring read over a one-element repository reaches it
// (and the revocation and descriptor handling after it) through the public API.
fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let repository = MemoryRepository::new();
        if repository.store("fuzz", text).is_ok() {
            let manager = KeyManager::new(
                Arc::new(repository),
                Arc::new(SystemClock),
                Arc::new(OsRandom),
            );
            let _ = manager.load();
        }
    }
});
