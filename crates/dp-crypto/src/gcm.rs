//! AES-GCM, as .NET's `AesGcmAuthenticatedEncryptor` computes it.
//!
//! ```text
//! body := key modifier (16) || nonce (12) || ciphertext (|plaintext|) || tag (16)
//! K_E  := KDF(master key, label = AAD, context = context header || key modifier)
//! ```
//! The AES-GCM associated data is empty: the purposes are bound through the derivation.

use aes::{Aes128, Aes192, Aes256};
use aes_gcm::aead::consts::U12;
use aes_gcm::{AeadInOut, AesGcm, KeyInit, Nonce, Tag};
use zeroize::Zeroizing;

use crate::{AesKeySize, Algorithm, CryptoError, SecureRandom, Sp800108Kdf};

const KEY_MODIFIER_SIZE: usize = 16;
const NONCE_SIZE: usize = 12;
const TAG_SIZE: usize = 16;

pub(crate) fn body_len(plaintext_len: usize) -> usize {
    KEY_MODIFIER_SIZE + NONCE_SIZE + plaintext_len + TAG_SIZE
}

macro_rules! with_gcm {
    ($aes:expr, $g:ident => $body:expr) => {
        match $aes {
            AesKeySize::Aes128 => {
                type $g = AesGcm<Aes128, U12>;
                $body
            }
            AesKeySize::Aes192 => {
                type $g = AesGcm<Aes192, U12>;
                $body
            }
            AesKeySize::Aes256 => {
                type $g = AesGcm<Aes256, U12>;
                $body
            }
        }
    };
}

/// Encrypts `buf` in place with empty associated data and returns the tag.
///
/// `key` is `aes.key_len()` bytes (derived to that length by every caller); a key of another
/// length would yield an all-zero tag that never verifies.
pub(crate) fn seal_in_place(
    aes: AesKeySize,
    key: &[u8],
    nonce: &[u8; NONCE_SIZE],
    buf: &mut [u8],
) -> [u8; TAG_SIZE] {
    let nonce = Nonce::<U12>::from(*nonce);
    let mut out = [0u8; TAG_SIZE];
    with_gcm!(aes, G => {
        if let Ok(cipher) = <G as KeyInit>::new_from_slice(key)
            && let Ok(tag) = cipher.encrypt_inout_detached(&nonce, &[], buf.into())
        {
            out.copy_from_slice(&tag);
        }
    });
    out
}

pub(crate) fn encrypt_append(
    kdf: &Sp800108Kdf,
    aes: AesKeySize,
    plaintext: &[u8],
    aad: &[u8],
    rng: &dyn SecureRandom,
    out: &mut Vec<u8>,
) -> Result<(), CryptoError> {
    // Key modifier first, then nonce, as .NET draws them.
    let mut key_modifier = [0u8; KEY_MODIFIER_SIZE];
    rng.fill(&mut key_modifier)?;
    let mut nonce = [0u8; NONCE_SIZE];
    rng.fill(&mut nonce)?;

    let k_e = derive(kdf, aes, aad, &key_modifier)?;
    out.reserve(body_len(plaintext.len()));
    out.extend_from_slice(&key_modifier);
    out.extend_from_slice(&nonce);
    let start = out.len();
    out.extend_from_slice(plaintext);
    let tag = match out.get_mut(start..) {
        Some(buf) => seal_in_place(aes, &k_e, &nonce, buf),
        None => return Err(CryptoError::AuthenticationFailed),
    };
    out.extend_from_slice(&tag);
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
    let (nonce, rest) = rest.split_first_chunk::<NONCE_SIZE>().ok_or(fail.clone())?;
    let (ciphertext, tag) = rest.split_last_chunk::<TAG_SIZE>().ok_or(fail.clone())?;

    let k_e = derive(kdf, aes, aad, key_modifier)?;
    let nonce = Nonce::<U12>::from(*nonce);
    let tag = Tag::from(*tag);
    let mut buf = ciphertext.to_vec();
    // aes-gcm verifies the tag (constant time) before applying the keystream and leaves the
    // buffer untouched on failure.
    let ok = with_gcm!(aes, G => {
        <G as KeyInit>::new_from_slice(&k_e)
            .ok()
            .and_then(|c| c.decrypt_inout_detached(&nonce, &[], buf.as_mut_slice().into(), &tag).ok())
            .is_some()
    });
    if ok { Ok(buf) } else { Err(fail) }
}

fn derive(
    kdf: &Sp800108Kdf,
    aes: AesKeySize,
    aad: &[u8],
    key_modifier: &[u8],
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let header = crate::context_header::context_header(Algorithm::Gcm { aes });
    let mut k_e = Zeroizing::new(vec![0u8; aes.key_len()]);
    kdf.derive(aad, header, key_modifier, &mut k_e)?;
    Ok(k_e)
}
