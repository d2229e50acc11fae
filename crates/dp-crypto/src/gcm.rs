//! AES-GCM, as .NET's `AesGcmAuthenticatedEncryptor` computes it.
//!
//! ```text
//! body := key modifier (16) || nonce (12) || ciphertext (|plaintext|) || tag (16)
//! K_E  := KDF(master key, label = AAD, context = context header || key modifier)
//! ```
//! The AES-GCM associated data is empty: the purposes are bound through the derivation.

use crate::primitives::{self, AesKey, GCM_NONCE_SIZE, GCM_TAG_SIZE};
use crate::{AesKeySize, Algorithm, CryptoError, SecureRandom, Sp800108Kdf};

const KEY_MODIFIER_SIZE: usize = 16;

pub(crate) fn body_len(plaintext_len: usize) -> usize {
    KEY_MODIFIER_SIZE + GCM_NONCE_SIZE + plaintext_len + GCM_TAG_SIZE
}

/// Appends a body to `out`.
///
/// # Errors
/// [`CryptoError::RandomSourceFailed`], or [`CryptoError::PlaintextTooLong`] above AES-GCM's
/// limit; `out` is then exactly as it was.
pub(crate) fn encrypt_append(
    kdf: &Sp800108Kdf,
    aes: AesKeySize,
    plaintext: &[u8],
    aad: &[u8],
    rng: &dyn SecureRandom,
    out: &mut Vec<u8>,
) -> Result<(), CryptoError> {
    // Refuse before drawing randomness or deriving anything.
    primitives::gcm_check_plaintext_len(plaintext.len())?;
    // Key modifier first, then nonce, as .NET draws them.
    let mut key_modifier = [0u8; KEY_MODIFIER_SIZE];
    rng.fill(&mut key_modifier)?;
    let mut nonce = [0u8; GCM_NONCE_SIZE];
    rng.fill(&mut nonce)?;

    let k_e = derive(kdf, aes, aad, &key_modifier)?;
    let start = out.len();
    out.reserve(body_len(plaintext.len()));
    out.extend_from_slice(&key_modifier);
    out.extend_from_slice(&nonce);
    if let Err(e) = primitives::gcm_seal_append(&k_e, &nonce, plaintext, out) {
        out.truncate(start);
        return Err(e);
    }
    Ok(())
}

pub(crate) fn decrypt(
    kdf: &Sp800108Kdf,
    aes: AesKeySize,
    body: &[u8],
    aad: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    let fail = CryptoError::AuthenticationFailed;
    let (key_modifier, rest) = body
        .split_first_chunk::<KEY_MODIFIER_SIZE>()
        .ok_or(fail.clone())?;
    let (nonce, rest) = rest
        .split_first_chunk::<GCM_NONCE_SIZE>()
        .ok_or(fail.clone())?;
    let (ciphertext, tag) = rest.split_last_chunk::<GCM_TAG_SIZE>().ok_or(fail)?;

    let k_e = derive(kdf, aes, aad, key_modifier)?;
    primitives::gcm_open(&k_e, nonce, ciphertext, tag)
}

fn derive(
    kdf: &Sp800108Kdf,
    aes: AesKeySize,
    aad: &[u8],
    key_modifier: &[u8],
) -> Result<AesKey, CryptoError> {
    let header = crate::context_header::context_header(Algorithm::Gcm { aes });
    kdf.derive_gcm_subkey(aad, header, key_modifier, aes)
}
