//! Tampering anywhere in a payload yields the single authentication error and no plaintext.
#![allow(
    clippy::unwrap_used,
    clippy::cast_possible_truncation,
    missing_docs,
    reason = "test code: a panic is a test failure, and test items need no docs"
)]

mod common;

use common::SequentialRandom;
use dp_crypto::{Algorithm, AuthenticatedEncryptor, CryptoError, MasterKey};
use dp_format::{AadBuilder, KeyId, ProtectedPayload};

/// Protects like the keyring will: header, then body; AAD from the key id and purposes.
fn protect(enc: &AuthenticatedEncryptor, key_id: KeyId, plaintext: &[u8]) -> Vec<u8> {
    let aad = AadBuilder::new(["app", "purpose"]).unwrap().for_key(key_id);
    let mut out = ProtectedPayload::header_with_capacity(key_id, 0);
    enc.encrypt_append(plaintext, &aad, &SequentialRandom::default(), &mut out)
        .unwrap();
    out
}

/// Unprotects as the keyring will, except that the key is found regardless of the key id in
/// the payload: a flipped key-id bit must still fail, through the AAD.
fn unprotect(enc: &AuthenticatedEncryptor, payload: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let parsed = match ProtectedPayload::parse(payload) {
        Ok(p) => p,
        // Magic/version damage is rejected by the format layer before any crypto.
        Err(_) => return Err(CryptoError::AuthenticationFailed),
    };
    let aad = AadBuilder::new(["app", "purpose"])
        .unwrap()
        .for_key_bytes(parsed.key_id_bytes());
    enc.decrypt(parsed.body(), &aad)
}

#[test]
fn every_bit_of_a_short_payload() {
    let key_id: KeyId = "3d6d01fd-c0e7-44ae-82dd-013b996b4093".parse().unwrap();
    let key = MasterKey::from_slice(&[7u8; 64]);
    for alg in Algorithm::ALL {
        let enc = AuthenticatedEncryptor::new(alg, &key);
        let payload = protect(&enc, key_id, b"hi");
        assert_eq!(unprotect(&enc, &payload).unwrap(), b"hi");
        for bit in 0..payload.len() * 8 {
            let mut bad = payload.clone();
            bad[bit / 8] ^= 1 << (bit % 8);
            assert_eq!(
                unprotect(&enc, &bad),
                Err(CryptoError::AuthenticationFailed),
                "{alg}: bit {bit}"
            );
        }
        // Every truncation and every extension fails the same way.
        for len in 0..payload.len() {
            assert_eq!(
                unprotect(&enc, &payload[..len]),
                Err(CryptoError::AuthenticationFailed),
                "{alg}: truncated to {len}"
            );
        }
        let mut longer = payload.clone();
        longer.push(0);
        assert_eq!(
            unprotect(&enc, &longer),
            Err(CryptoError::AuthenticationFailed)
        );
    }
}

#[test]
fn every_byte_of_a_longer_payload() {
    let key_id: KeyId = "ba73c9ce-d322-4e45-af90-341307e11c38".parse().unwrap();
    let key = MasterKey::from_slice(&[9u8; 64]);
    let plaintext: Vec<u8> = (0..1000u32).map(|i| (i * 7) as u8).collect();
    for alg in Algorithm::ALL {
        let enc = AuthenticatedEncryptor::new(alg, &key);
        let payload = protect(&enc, key_id, &plaintext);
        for i in 0..payload.len() {
            for delta in [0x01u8, 0x80, 0xFF] {
                let mut bad = payload.clone();
                bad[i] ^= delta;
                assert_eq!(
                    unprotect(&enc, &bad),
                    Err(CryptoError::AuthenticationFailed),
                    "{alg}: byte {i} ^ {delta:#x}"
                );
            }
        }
    }
}
