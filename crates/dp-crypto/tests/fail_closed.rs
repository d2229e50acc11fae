//! Every error path of the public encrypting API leaves its output exactly as it was: no partial
//! body, and never plaintext.
#![allow(
    clippy::unwrap_used,
    missing_docs,
    reason = "test code: a panic is a test failure, and test items need no docs"
)]

use std::sync::atomic::{AtomicUsize, Ordering};

use dp_crypto::legacy::{danger_aes_cbc_decrypt, danger_aes_cbc_encrypt};
use dp_crypto::{
    AesKeySize, Algorithm, AuthenticatedEncryptor, CryptoError, MasterKey, SecureRandom,
};

/// Succeeds for the first `ok_calls` fills, then fails.
struct FailingRandom {
    ok_calls: usize,
    calls: AtomicUsize,
}

impl FailingRandom {
    fn after(ok_calls: usize) -> Self {
        Self {
            ok_calls,
            calls: AtomicUsize::new(0),
        }
    }
}

impl SecureRandom for FailingRandom {
    fn fill(&self, dest: &mut [u8]) -> Result<(), CryptoError> {
        if self.calls.fetch_add(1, Ordering::Relaxed) < self.ok_calls {
            dest.fill(0x11);
            Ok(())
        } else {
            Err(CryptoError::RandomSourceFailed)
        }
    }
}

#[test]
fn encrypt_append_leaves_output_untouched_when_randomness_fails() {
    let key = MasterKey::from_slice(&[5u8; 64]);
    let plaintext = b"attack at dawn, attack at dawn!!";
    for alg in Algorithm::ALL {
        let enc = AuthenticatedEncryptor::new(alg, &key);
        // Fail on the one draw (key modifier and IV / nonce together).
        for ok_calls in 0..1 {
            let mut out = b"payload header".to_vec();
            assert_eq!(
                enc.encrypt_append(plaintext, b"aad", &FailingRandom::after(ok_calls), &mut out),
                Err(CryptoError::RandomSourceFailed),
                "{alg}, failing after {ok_calls} draws"
            );
            assert_eq!(
                out, b"payload header",
                "{alg}, failing after {ok_calls} draws"
            );
            assert_eq!(
                enc.encrypt(plaintext, b"aad", &FailingRandom::after(ok_calls)),
                Err(CryptoError::RandomSourceFailed)
            );
        }
        // With randomness, the same call appends a body that holds no plaintext.
        let mut out = b"payload header".to_vec();
        enc.encrypt_append(plaintext, b"aad", &FailingRandom::after(1), &mut out)
            .unwrap();
        assert_eq!(out.len(), 14 + enc.body_len(plaintext.len()));
        assert!(!out.windows(16).any(|w| w == &plaintext[..16]), "{alg}");
    }
}

#[test]
fn legacy_cbc_refuses_wrong_key_lengths_without_output() {
    let iv = [0u8; 16];
    for aes in [AesKeySize::Aes128, AesKeySize::Aes192, AesKeySize::Aes256] {
        for len in [0, 15, 16, 24, 32, 33] {
            if len == aes.key_len() {
                continue;
            }
            let key = vec![1u8; len];
            assert_eq!(
                danger_aes_cbc_encrypt(aes, &key, &iv, b"secret"),
                Err(CryptoError::InvalidKeyLength),
                "{aes:?} with {len} bytes"
            );
            assert_eq!(
                danger_aes_cbc_decrypt(aes, &key, &iv, &[0u8; 16]),
                Err(CryptoError::InvalidKeyLength),
                "{aes:?} with {len} bytes"
            );
        }
    }
}
