//! Context headers: a fingerprint of an algorithm configuration mixed into every derivation.
//!
//! A context header depends only on the algorithm parameters, never on a key, so it is computed
//! once per algorithm per process and cached.
//!
//! ```text
//! CBC + HMAC:
//!   00 00 | BE32(AES key len) | BE32(16 block) | BE32(HMAC key len) | BE32(digest len)
//!         | AES-CBC(K_E, IV = 0^16, "") (one block) | HMAC(K_H, "")
//!   where K_E || K_H := KDF(kdk = "", label = "", context = "", len = key len + digest len)
//! GCM:
//!   00 01 | BE32(AES key len) | BE32(12 nonce) | BE32(16 block) | BE32(16 tag)
//!         | GCM tag of (K_E, nonce = 0^12, plaintext = "", aad = "")
//!   where K_E := KDF(kdk = "", label = "", context = "", len = key len)
//! ```

use std::sync::OnceLock;

use crate::primitives::{self, BLOCK_SIZE, GCM_NONCE_SIZE, GCM_TAG_SIZE};
use crate::{Algorithm, Sp800108Kdf};

static CACHE: [OnceLock<Vec<u8>>; Algorithm::ALL.len()] = [const { OnceLock::new() }; 15];

/// The context header for `algorithm`, computed on first use and cached for the process.
pub fn context_header(algorithm: Algorithm) -> &'static [u8] {
    CACHE[algorithm.index()].get_or_init(|| compute(algorithm))
}

#[expect(
    clippy::expect_used,
    reason = "every input is a constant of the algorithm: the KDF is asked for at most 96 bytes \
              (far below its 2^29-byte limit), the keys it hands out have their cipher's length, \
              and GCM seals an empty plaintext; a header built from a default value instead would \
              silently break compatibility with .NET"
)]
fn compute(algorithm: Algorithm) -> Vec<u8> {
    let kdf = Sp800108Kdf::new(&[]);
    let key_len = algorithm.aes().key_len();
    let mut header = Vec::with_capacity(98);
    match algorithm {
        Algorithm::CbcHmac { aes, mac } => {
            let digest_len = mac.digest_len();
            header.extend_from_slice(&[0x00, 0x00]);
            for n in [key_len, BLOCK_SIZE, digest_len, digest_len] {
                header.extend_from_slice(&be32(n));
            }
            let keys = kdf
                .derive_cbc_subkeys(&[], &[], &[], aes, mac)
                .expect("at most 96 bytes of subkeys");
            primitives::cbc_encrypt_append(&keys.encryption, &[0u8; BLOCK_SIZE], &[], &mut header);
            primitives::hmac_append(&keys.validation, &[], &[], &mut header);
        }
        Algorithm::Gcm { aes } => {
            header.extend_from_slice(&[0x00, 0x01]);
            for n in [key_len, GCM_NONCE_SIZE, BLOCK_SIZE, GCM_TAG_SIZE] {
                header.extend_from_slice(&be32(n));
            }
            let k_e = kdf
                .derive_gcm_subkey(&[], &[], &[], aes)
                .expect("at most 32 bytes of subkey");
            // The plaintext is empty, so only the tag is appended.
            primitives::gcm_seal_append(&k_e, &[0u8; GCM_NONCE_SIZE], &[], &mut header)
                .expect("an empty plaintext is within AES-GCM's length limit");
        }
    }
    header
}

#[expect(
    clippy::expect_used,
    reason = "the sizes written are key, block, nonce, tag and digest lengths: at most 64"
)]
fn be32(n: usize) -> [u8; 4] {
    u32::try_from(n).expect("at most 64").to_be_bytes()
}
