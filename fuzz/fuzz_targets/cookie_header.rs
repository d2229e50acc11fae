//! `Cookie` headers and antiforgery token plaintexts: parsing, lookups, chunk reassembly and
//! token decoding of arbitrary input must never panic; a decoded token must re-encode to a
//! token that decodes the same.
#![no_main]

use dp_aspnet::cookie::RequestCookies;
use dp_aspnet::wire::antiforgery;
use libfuzzer_sys::fuzz_target;

/// Names a fuzzed header is asked for: the vector cookies and short ones the mutator hits.
const NAMES: [&str; 5] = [
    ".AspNetCore.Cookies",
    ".AspNetCore.Identity.Application",
    ".AspNetCore.Antiforgery.4ewlKE2fs7M",
    "a",
    "",
];

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(cookies) = RequestCookies::parse(text)
    {
        for name in NAMES {
            let _ = cookies.get(name);
            let _ = cookies.get_chunked(name);
        }
        for name in cookies.names() {
            let _ = cookies.get_chunked(name);
        }
    }
    if let Ok(token) = antiforgery::decode(data) {
        let bytes = antiforgery::encode(&token).expect("a decoded token re-encodes");
        assert_eq!(
            antiforgery::decode(&bytes).ok(),
            Some(token),
            "re-encoding changed the token"
        );
    }
});
