//! Replays the committed `envelope`, `envelope_open` and `capi_blob` fuzz corpora (fuzz/corpus/),
//! so CI covers them without cargo-fuzz. The `envelope_open` checks are the fuzz target's own
//! (fuzz/support/envelope_open.rs); its hand-made seeds must also fail at the stage they were made
//! to reach.
#![allow(
    clippy::unwrap_used,
    missing_docs,
    reason = "test code: a panic is a test failure, and test items need no docs"
)]

#[path = "../../../fuzz/support/envelope_open.rs"]
mod envelope_open;

use dp_envelope::EnvelopeError;
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

/// What each hand-made `envelope_open` seed must give; `None` for inputs the fuzzer added.
fn expected_open(name: &str, result: &Result<Vec<u8>, EnvelopeError>) -> Option<bool> {
    // The known-answer plaintexts: byte i is i mod 251.
    let plaintext = |len: usize| {
        (0..len)
            .map(|i| u8::try_from(i % 251).unwrap())
            .collect::<Vec<u8>>()
    };
    Some(match name {
        "unsigned-gcm-one-recipient.dpenv" => result.as_deref().ok() == Some(&plaintext(100)[..]),
        "signed-gcm-two-recipients-three-chunks.dpenv" => {
            result.as_deref().ok() == Some(&plaintext(2500)[..])
        }
        "signed-cbc-empty.dpenv" => matches!(result, Err(EnvelopeError::NotARecipient)),
        "truncated-last-byte.dpenv" | "empty.dpenv" => {
            matches!(result, Err(EnvelopeError::Truncated))
        }
        "trailing-byte.dpenv" => matches!(result, Err(EnvelopeError::TrailingData)),
        "flipped-last-byte.dpenv" => {
            matches!(result, Err(EnvelopeError::ChunkAuthenticationFailed { .. }))
        }
        "flipped-signature.dpenv" => matches!(result, Err(EnvelopeError::BadSignature)),
        _ => return None,
    })
}

#[test]
fn envelope_open_corpus() {
    let bob = envelope_open::bob();
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fuzz/corpus/envelope_open"
    );
    let mut seen = 0;
    let mut seeds = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        seen += 1;
        let result = envelope_open::check(&data, &bob);
        let name = path.file_name().unwrap().to_string_lossy();
        if let Some(as_expected) = expected_open(&name, &result) {
            seeds += 1;
            assert!(as_expected, "{name}: {:?}", result.map(|p| p.len()));
        }
    }
    assert!(seen > 0, "the corpus is empty");
    assert_eq!(seeds, 8, "a hand-made seed is missing");
}
