//! Key stores' element parsing: a `<repository>` document, a Redis list on the real server
//! (`DP_TEST_REDIS_URL`, default `redis://127.0.0.1:6379/0`) and key-store URLs, read from
//! arbitrary bytes, never panic; what a store returns is the exact text it holds. The checks are
//! in `support/store_elements.rs`, shared with the test that replays the seed corpus.
#![no_main]

#[path = "../support/store_elements.rs"]
mod store_elements;

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use store_elements::Stores;

/// One set of stores per process; each libFuzzer job is its own process, with its own document
/// and list.
static STORES: OnceLock<Stores> = OnceLock::new();

fuzz_target!(
    init: {
        let pid = std::process::id();
        let document = std::env::temp_dir().join(format!("dp-fuzz-store-{pid}.xml"));
        // Before any input: a missing server fails the run instead of looking like a crash.
        match Stores::new(document, &format!("dp-fuzz-store-elements-{pid}")) {
            Ok(stores) => {
                let _ = STORES.set(stores);
            }
            Err(why) => {
                eprintln!("store_elements needs a Redis server: {why}");
                std::process::exit(2);
            }
        }
    },
    |data: &[u8]| {
        if let Some(stores) = STORES.get() {
            let _ = stores.check(data);
        }
    }
);
