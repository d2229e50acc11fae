//! Key-ring XML: any text parses to an element or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = dp_keyring::xml::parse_element(text, "fuzz");
    }
});
