//! Replays the committed `payload` fuzz corpus (fuzz/corpus/payload) through the same checks as
//! the fuzz target, so CI covers it without cargo-fuzz.
#![allow(
    clippy::unwrap_used,
    missing_docs,
    reason = "test code: a panic is a test failure, and test items need no docs"
)]

use dp_crypto::{Algorithm, AuthenticatedEncryptor, CryptoError, MasterKey};
use dp_format::{AadBuilder, CbcHmacBody, GcmBody, ProtectedPayload, base64url, time_limited};

#[test]
fn payload_corpus() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fuzz/corpus/payload");
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let data = std::fs::read(entry.unwrap().path()).unwrap();
        seen += 1;
        if let Ok(text) = std::str::from_utf8(&data) {
            let _ = base64url::decode(text);
        }
        let _ = time_limited::decode(&data);
        let Ok(payload) = ProtectedPayload::parse(&data) else {
            continue;
        };
        let _ = CbcHmacBody::parse(payload.body(), 32);
        let _ = GcmBody::parse(payload.body());
        let aad = AadBuilder::new(["fuzz"])
            .unwrap()
            .for_key_bytes(payload.key_id_bytes());
        let key = MasterKey::from_slice(&[0x42; 64]);
        for alg in Algorithm::ALL {
            assert_eq!(
                AuthenticatedEncryptor::new(alg, &key).decrypt(payload.body(), &aad),
                Err(CryptoError::AuthenticationFailed)
            );
        }
    }
    assert!(seen > 0, "the corpus is empty");
}
