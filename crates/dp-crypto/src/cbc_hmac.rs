//! AES-CBC + HMAC, encrypt-then-MAC, as .NET's `ManagedAuthenticatedEncryptor` and
//! `CbcAuthenticatedEncryptor` compute it.
//!
//! ```text
//! body := key modifier (16) || IV (16) || AES-CBC-PKCS7(K_E, IV, plaintext) || HMAC(K_H, IV || C)
//! K_E || K_H := KDF(master key, label = AAD, context = context header || key modifier)
//! ```

use zeroize::Zeroizing;

use crate::kdf::CbcSubkeys;
use crate::primitives::{self, BLOCK_SIZE};
use crate::{AesKeySize, Algorithm, CryptoError, SecureRandom, Sp800108Kdf, ValidationAlgorithm};

// Layout sizes are repeated here rather than taken from `dp-format` so that the crypto crate
// stands alone (STYLE.md: format and crypto depend on none of ours); `dp_format::CbcHmacBody`
// parses the same layout and the integration tests check the two agree.
const KEY_MODIFIER_SIZE: usize = 16;

/// Body length for a plaintext length: PKCS#7 always adds 1..=16 bytes.
pub(crate) fn body_len(plaintext_len: usize, mac: ValidationAlgorithm) -> usize {
    KEY_MODIFIER_SIZE + BLOCK_SIZE + primitives::cbc_padded_len(plaintext_len) + mac.digest_len()
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
    // Key modifier first, then IV: the order .NET draws them, which the KATs depend on.
    let mut key_modifier = [0u8; KEY_MODIFIER_SIZE];
    rng.fill(&mut key_modifier)?;
    let mut iv = [0u8; BLOCK_SIZE];
    rng.fill(&mut iv)?;

    let keys = derive(kdf, aes, mac, aad, &key_modifier)?;

    out.reserve(body_len(plaintext.len(), mac));
    out.extend_from_slice(&key_modifier);
    let mac_start = out.len();
    out.extend_from_slice(&iv);
    primitives::cbc_encrypt_append(&keys.encryption, &iv, plaintext, out);
    let (_, iv_and_ct) = out.split_at(mac_start);
    let mut tag = Zeroizing::new(Vec::with_capacity(mac.digest_len()));
    primitives::hmac_append(&keys.validation, iv_and_ct, &[], &mut tag);
    out.extend_from_slice(&tag);
    Ok(())
}

pub(crate) fn decrypt(
    kdf: &Sp800108Kdf,
    aes: AesKeySize,
    mac: ValidationAlgorithm,
    body: &[u8],
    aad: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    let digest_len = mac.digest_len();
    let fail = CryptoError::AuthenticationFailed;
    let (key_modifier, rest) = body
        .split_first_chunk::<KEY_MODIFIER_SIZE>()
        .ok_or(fail.clone())?;
    let ct_len = rest
        .len()
        .checked_sub(BLOCK_SIZE + digest_len)
        .ok_or(fail.clone())?;
    if ct_len == 0 {
        return Err(fail);
    }
    let (iv_and_ct, tag) = rest.split_at(BLOCK_SIZE + ct_len);
    let (iv, ciphertext) = iv_and_ct
        .split_first_chunk::<BLOCK_SIZE>()
        .ok_or(fail.clone())?;

    let keys = derive(kdf, aes, mac, aad, key_modifier)?;

    // The tag is checked, in constant time, before a single block is decrypted.
    if !primitives::hmac_verify(&keys.validation, iv_and_ct, tag) {
        return Err(fail);
    }
    primitives::cbc_decrypt(&keys.encryption, iv, ciphertext)
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
