//! Key stores' element parsing: a `<repository>` document, a Redis list (served by a fake server)
//! and key-store URLs, read from arbitrary bytes, never panic; what a store returns is the exact
//! text it holds. The checks are in `support/store_elements.rs`, shared with the test that
//! replays the seed corpus.
#![no_main]

#[path = "../support/fake_redis.rs"]
mod fake_redis;
#[path = "../support/store_elements.rs"]
mod store_elements;

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use store_elements::Stores;

/// One set of stores per process; each libFuzzer job is its own process, with its own document.
static STORES: OnceLock<Stores> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let stores = STORES.get_or_init(|| {
        let document =
            std::env::temp_dir().join(format!("dp-fuzz-store-{}.xml", std::process::id()));
        Stores::new(document)
    });
    let _ = stores.check(data);
});
