//! Replays the committed `ticket` fuzz corpus (fuzz/corpus/ticket) through the fuzz target's
//! checks, so CI covers it without cargo-fuzz: decoding never panics, and whatever decodes
//! cleanly encodes and decodes back to the same value. The .NET vectors (`vector-*`) must also
//! decode cleanly and re-encode byte for byte.
#![allow(
    clippy::unwrap_used,
    missing_docs,
    reason = "test code: a panic is a test failure, and test items need no docs"
)]

use dp_aspnet::AspNetError;
use dp_aspnet::wire::{properties, ticket};

/// What the hostile seeds were written to provoke, so a seed cannot silently stop testing it.
fn expected(name: &str, result: &Result<(), &AspNetError>) -> bool {
    match name {
        "negative-identities" | "negative-claims" | "negative-claim-properties" => {
            matches!(result, Err(AspNetError::NegativeCount { .. }))
        }
        "huge-identity-count" | "huge-claim-count" => {
            matches!(result, Err(AspNetError::CountExceedsData { .. }))
        }
        "duplicate-ticket-property" | "duplicate-claim-property" => {
            matches!(result, Err(AspNetError::DuplicateKey { .. }))
        }
        "actor-too-deep" => matches!(result, Err(AspNetError::ActorTooDeep)),
        "ticket-version-4" => matches!(result, Err(AspNetError::UnsupportedTicketVersion(4))),
        "bad-length-5th-byte" | "truncated" => matches!(result, Err(AspNetError::Format(_))),
        _ => true,
    }
}

#[test]
fn ticket_corpus() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fuzz/corpus/ticket");
    let mut seen = 0;
    let mut vectors = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        seen += 1;

        let decoded = ticket::decode(&data);
        assert!(
            expected(&name, &decoded.as_ref().map(|_| ())),
            "{name}: {:?}",
            decoded.as_ref().map(|(_, r)| r)
        );
        if let Ok((t, report)) = &decoded
            && report.is_clean()
        {
            let bytes = ticket::encode(t).unwrap();
            assert_eq!(&ticket::decode(&bytes).unwrap().0, t, "{name}");
        }
        if name.starts_with("vector-") {
            vectors += 1;
            let (t, report) = decoded.unwrap();
            assert!(report.is_clean(), "{name}: {report:?}");
            assert_eq!(ticket::encode(&t).unwrap(), data, "{name}");
        }

        if let Ok((p, report)) = properties::decode(&data)
            && report.is_clean()
        {
            let bytes = properties::encode(&p).unwrap();
            assert_eq!(properties::decode(&bytes).unwrap().0, p, "{name}");
        }
    }
    assert!(seen > 0, "the corpus is empty");
    assert!(vectors > 0, "the corpus lacks the .NET vectors");
}
