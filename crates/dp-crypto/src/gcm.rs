//! AES-GCM, as .NET's `AesGcmAuthenticatedEncryptor` computes it.
//!
//! ```text
//! body := key modifier (16) || nonce (12) || ciphertext (|plaintext|) || tag (16)
//! K_E  := KDF(master key, label = AAD, context = context header || key modifier)
//! ```
//! The AES-GCM associated data is empty: the purposes are bound through the derivation.

use dp_format::{GCM_NONCE_SIZE, GcmBody, KEY_MODIFIER_SIZE};

use crate::primitives::{self, AesKey};
use crate::{AesKeySize, Algorithm, CryptoError, SecureRandom, Sp800108Kdf};

/// Body length for a plaintext length (the layout is dp-format's `GcmBody`).
pub(crate) fn body_len(plaintext_len: usize) -> usize {
    GcmBody::len_for(plaintext_len)
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
    // One draw for both.
    let mut drawn = [0u8; KEY_MODIFIER_SIZE + GCM_NONCE_SIZE];
    rng.fill(&mut drawn)?;
    let (key_modifier, nonce) = drawn.split_at(KEY_MODIFIER_SIZE);
    let nonce: &[u8; GCM_NONCE_SIZE] = nonce
        .try_into()
        .map_err(|_| CryptoError::RandomSourceFailed)?;

    let k_e = derive(kdf, aes, aad, key_modifier)?;
    let start = out.len();
    out.reserve(body_len(plaintext.len()));
    out.extend_from_slice(key_modifier);
    out.extend_from_slice(nonce);
    if let Err(e) = primitives::gcm_seal_append(&k_e, nonce, plaintext, out) {
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
    // One failure for every cause, a malformed body included.
    let view = GcmBody::parse(body).map_err(|_| CryptoError::AuthenticationFailed)?;
    let k_e = derive(kdf, aes, aad, view.key_modifier)?;
    primitives::gcm_open(&k_e, view.nonce, view.ciphertext, view.tag)
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
