//! Property tests: every algorithm round-trips every plaintext size up to 4 KiB.
#![allow(
    clippy::unwrap_used,
    clippy::cast_possible_truncation,
    missing_docs,
    reason = "test code: a panic is a test failure, and test items need no docs"
)]

use dp_crypto::{Algorithm, AuthenticatedEncryptor, CryptoError, MasterKey, OsRandom};
use proptest::prelude::*;

fn algorithms() -> impl Strategy<Value = Algorithm> {
    prop::sample::select(Algorithm::ALL.to_vec())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn round_trip(
        alg in algorithms(),
        key in prop::collection::vec(any::<u8>(), 0..200),
        plaintext in prop::collection::vec(any::<u8>(), 0..4096),
        aad in prop::collection::vec(any::<u8>(), 0..64),
    ) {
        let enc = AuthenticatedEncryptor::new(alg, &MasterKey::from_bytes(key));
        let body = enc.encrypt(&plaintext, &aad, &OsRandom).unwrap();
        prop_assert_eq!(body.len(), enc.body_len(plaintext.len()));
        prop_assert_eq!(enc.decrypt(&body, &aad).unwrap(), plaintext);
    }

    #[test]
    fn other_aad_or_key_fails(
        alg in algorithms(),
        plaintext in prop::collection::vec(any::<u8>(), 0..256),
        aad in prop::collection::vec(any::<u8>(), 1..64),
    ) {
        let key = MasterKey::generate(&OsRandom).unwrap();
        let enc = AuthenticatedEncryptor::new(alg, &key);
        let body = enc.encrypt(&plaintext, &aad, &OsRandom).unwrap();
        let mut other_aad = aad.clone();
        other_aad[0] ^= 1;
        prop_assert_eq!(enc.decrypt(&body, &other_aad), Err(CryptoError::AuthenticationFailed));
        let other = AuthenticatedEncryptor::new(alg, &MasterKey::generate(&OsRandom).unwrap());
        prop_assert_eq!(other.decrypt(&body, &aad), Err(CryptoError::AuthenticationFailed));
    }

    #[test]
    fn arbitrary_bodies_never_panic(
        alg in algorithms(),
        body in prop::collection::vec(any::<u8>(), 0..300),
    ) {
        let enc = AuthenticatedEncryptor::new(alg, &MasterKey::from_slice(b"k"));
        prop_assert_eq!(enc.decrypt(&body, b"aad"), Err(CryptoError::AuthenticationFailed));
    }
}

#[test]
fn empty_plaintext_sizes_match_dotnet() {
    let key = MasterKey::from_slice(b"master key");
    for alg in Algorithm::ALL {
        let enc = AuthenticatedEncryptor::new(alg, &key);
        let body = enc.encrypt(&[], b"", &OsRandom).unwrap();
        let expected = match alg {
            Algorithm::CbcHmac { mac, .. } => 48 + mac.digest_len(),
            Algorithm::Gcm { .. } => 44,
        };
        assert_eq!(body.len(), expected, "{alg}");
        assert_eq!(enc.decrypt(&body, b"").unwrap(), Vec::<u8>::new());
    }
}
