//! AES-CBC + HMAC, encrypt-then-MAC, as .NET's `ManagedAuthenticatedEncryptor` and
//! `CbcAuthenticatedEncryptor` compute it.
//!
//! ```text
//! body := key modifier (16) || IV (16) || AES-CBC-PKCS7(K_E, IV, plaintext) || HMAC(K_H, IV || C)
//! K_E || K_H := KDF(master key, label = AAD, context = context header || key modifier)
//! ```

use dp_format::{AES_BLOCK_SIZE, CbcHmacBody, KEY_MODIFIER_SIZE};

use crate::kdf::CbcSubkeys;
use crate::primitives;
use crate::{AesKeySize, Algorithm, CryptoError, SecureRandom, Sp800108Kdf, ValidationAlgorithm};

/// Body length for a plaintext length (the layout is dp-format's `CbcHmacBody`).
pub(crate) fn body_len(plaintext_len: usize, mac: ValidationAlgorithm) -> usize {
    CbcHmacBody::len_for(plaintext_len, mac.digest_len())
}

/// Appends a body to `out`.
///
/// Everything that can fail (the random source, the derivation) happens before the first byte
/// is appended, and the ciphertext never passes through `out` as plaintext.
pub(crate) fn encrypt_append(
    kdf: &Sp800108Kdf,
    aes: AesKeySize,
    mac: ValidationAlgorithm,
    plaintext: &[u8],
    aad: &[u8],
    rng: &dyn SecureRandom,
    out: &mut Vec<u8>,
) -> Result<(), CryptoError> {
    // Key modifier first, then IV: the order .NET draws them, which the KATs depend on. One
    // draw for both (a random source's output does not depend on how it is split).
    let mut drawn = [0u8; KEY_MODIFIER_SIZE + AES_BLOCK_SIZE];
    rng.fill(&mut drawn)?;
    let (key_modifier, iv) = drawn.split_at(KEY_MODIFIER_SIZE);
    let iv: &[u8; AES_BLOCK_SIZE] = iv.try_into().map_err(|_| CryptoError::RandomSourceFailed)?;

    let keys = derive(kdf, aes, mac, aad, key_modifier)?;

    out.reserve(body_len(plaintext.len(), mac));
    out.extend_from_slice(key_modifier);
    out.extend_from_slice(iv);
    primitives::cbc_encrypt_hmac_append(&keys.encryption, &keys.validation, iv, plaintext, out);
    Ok(())
}

pub(crate) fn decrypt(
    kdf: &Sp800108Kdf,
    aes: AesKeySize,
    mac: ValidationAlgorithm,
    body: &[u8],
    aad: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    // One failure for every cause, a malformed body included.
    let fail = CryptoError::AuthenticationFailed;
    let view = CbcHmacBody::parse(body, mac.digest_len()).map_err(|_| fail.clone())?;
    let iv_and_ct = view.mac_input(body).ok_or(fail.clone())?;

    let keys = derive(kdf, aes, mac, aad, view.key_modifier)?;

    // The tag is checked, in constant time, before a single block is decrypted.
    if !primitives::hmac_verify(&keys.validation, iv_and_ct, view.tag) {
        return Err(fail);
    }
    primitives::cbc_decrypt(&keys.encryption, view.iv, view.ciphertext)
}

fn derive(
    kdf: &Sp800108Kdf,
    aes: AesKeySize,
    mac: ValidationAlgorithm,
    aad: &[u8],
    key_modifier: &[u8],
) -> Result<CbcSubkeys, CryptoError> {
    let header = crate::context_header::context_header(Algorithm::CbcHmac { aes, mac });
    kdf.derive_cbc_subkeys(aad, header, key_modifier, aes, mac)
}
