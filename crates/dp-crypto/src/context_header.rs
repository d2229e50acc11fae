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

use zeroize::Zeroizing;

use crate::{Algorithm, Sp800108Kdf, cbc_hmac, gcm};

static CACHE: [OnceLock<Vec<u8>>; Algorithm::ALL.len()] = [const { OnceLock::new() }; 15];

/// The context header for `algorithm`, computed on first use and cached for the process.
pub fn context_header(algorithm: Algorithm) -> &'static [u8] {
    CACHE[algorithm.index()].get_or_init(|| compute(algorithm))
}

fn compute(algorithm: Algorithm) -> Vec<u8> {
    let kdf = Sp800108Kdf::new(&[]);
    let key_len = algorithm.aes().key_len();
    let mut header = Vec::with_capacity(98);
    match algorithm {
        Algorithm::CbcHmac { aes, mac } => {
            let digest_len = mac.digest_len();
            header.extend_from_slice(&[0x00, 0x00]);
            for n in [key_len, 16, digest_len, digest_len] {
                header.extend_from_slice(&be32(n));
            }
            let mut keys = Zeroizing::new(vec![0u8; key_len + digest_len]);
            // Lengths are at most 96 bytes: the KDF cannot refuse them.
            let _ = kdf.derive(&[], &[], &[], &mut keys);
            let (k_e, k_h) = keys.split_at(key_len);
            cbc_hmac::cbc_encrypt_append(aes, k_e, &[0u8; 16], &[], &mut header);
            cbc_hmac::mac_append(mac, k_h, &[], &[], &mut header);
        }
        Algorithm::Gcm { aes } => {
            header.extend_from_slice(&[0x00, 0x01]);
            for n in [key_len, 12, 16, 16] {
                header.extend_from_slice(&be32(n));
            }
            let mut k_e = Zeroizing::new(vec![0u8; key_len]);
            let _ = kdf.derive(&[], &[], &[], &mut k_e);
            let mut empty: [u8; 0] = [];
            let tag = gcm::seal_in_place(aes, &k_e, &[0u8; 12], &mut empty);
            header.extend_from_slice(&tag);
        }
    }
    header
}

fn be32(n: usize) -> [u8; 4] {
    // Sizes here are at most 64.
    u32::try_from(n).unwrap_or(u32::MAX).to_be_bytes()
}
