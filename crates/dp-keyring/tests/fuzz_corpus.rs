//! Replays the committed `key_xml` fuzz corpus (fuzz/corpus/key_xml), so CI covers it without
//! cargo-fuzz.
#![allow(
    clippy::unwrap_used,
    missing_docs,
    reason = "test code: a panic is a test failure, and test items need no docs"
)]

#[test]
fn key_xml_corpus() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fuzz/corpus/key_xml");
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let data = std::fs::read(entry.unwrap().path()).unwrap();
        seen += 1;
        if let Ok(text) = std::str::from_utf8(&data) {
            let _ = dp_keyring::xml::parse_element(text, "corpus");
        }
    }
    assert!(seen > 0, "the corpus is empty");
}
