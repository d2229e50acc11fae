//! Replays the committed `envelope` fuzz corpus (fuzz/corpus/envelope), so CI covers it without
//! cargo-fuzz.
#![allow(
    clippy::unwrap_used,
    missing_docs,
    reason = "test code: a panic is a test failure, and test items need no docs"
)]

use dp_format::envelope::{EnvelopeHeader, header_len};

#[test]
fn envelope_corpus() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fuzz/corpus/envelope");
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let data = std::fs::read(entry.unwrap().path()).unwrap();
        seen += 1;
        let _ = header_len(&data);
        let _ = EnvelopeHeader::parse(&data);
        let _ = dp_envelope::inspect(&data[..]);
    }
    assert!(seen > 0, "the corpus is empty");
}

#[test]
fn capi_blob_corpus() {
    use dp_format::capi::{PlaintextKeyBlob, RsaPrivateBlob, RsaPublicBlob, SimpleBlob, blob_type};
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fuzz/corpus/capi_blob");
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let data = std::fs::read(entry.unwrap().path()).unwrap();
        seen += 1;
        let _ = blob_type(&data);
        if let Ok(b) = RsaPublicBlob::parse(&data) {
            assert_eq!(b.encode().unwrap(), data);
        }
        let _ = RsaPrivateBlob::parse(&data);
        if let Ok(b) = SimpleBlob::parse(&data) {
            assert_eq!(b.encode(), data);
        }
        let _ = PlaintextKeyBlob::parse(&data);
        let _ = dp_envelope::capi::public_key_from_blob(&data);
    }
    assert!(seen > 0, "the corpus is empty");
}
