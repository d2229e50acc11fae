//! Replays the committed `cookie_header` fuzz corpus (fuzz/corpus/cookie_header) the way the fuzz
//! target runs each input, so CI covers it without cargo-fuzz.
#![allow(
    clippy::unwrap_used,
    missing_docs,
    reason = "test code: a panic is a test failure, and test items need no docs"
)]

use dp_aspnet::cookie::RequestCookies;
use dp_aspnet::wire::antiforgery;

const NAMES: [&str; 5] = [
    ".AspNetCore.Cookies",
    ".AspNetCore.Identity.Application",
    ".AspNetCore.Antiforgery.4ewlKE2fs7M",
    "a",
    "",
];

fn run(data: &[u8]) {
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
        let bytes = antiforgery::encode(&token).unwrap();
        assert_eq!(antiforgery::decode(&bytes).ok(), Some(token));
    }
}

#[test]
fn cookie_header_corpus() {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fuzz/corpus/cookie_header"
    );
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        run(&std::fs::read(entry.unwrap().path()).unwrap());
        seen += 1;
    }
    assert!(seen > 0, "the corpus is empty");
}
