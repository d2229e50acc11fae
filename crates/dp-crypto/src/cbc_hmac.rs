//! AES-CBC + HMAC, encrypt-then-MAC, as .NET's `ManagedAuthenticatedEncryptor` and
//! `CbcAuthenticatedEncryptor` compute it.
//!
//! ```text
//! body := key modifier (16) || IV (16) || AES-CBC-PKCS7(K_E, IV, plaintext) || HMAC(K_H, IV || C)
//! K_E || K_H := KDF(master key, label = AAD, context = context header || key modifier)
//! ```

use aes::{Aes128, Aes192, Aes256};
use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyIvInit};
use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use sha2::{Sha256, Sha384, Sha512};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, Zeroizing};

use crate::{AesKeySize, Algorithm, CryptoError, SecureRandom, Sp800108Kdf, ValidationAlgorithm};

// Layout sizes are repeated here rather than taken from `dp-format` so that the crypto crate
// stands alone (STYLE.md: format and crypto depend on none of ours); `dp_format::CbcHmacBody`
// parses the same layout and the integration tests check the two agree.
const KEY_MODIFIER_SIZE: usize = 16;
const BLOCK_SIZE: usize = 16;

/// Body length for a plaintext length: PKCS#7 always adds 1..=16 bytes.
pub(crate) fn body_len(plaintext_len: usize, mac: ValidationAlgorithm) -> usize {
    KEY_MODIFIER_SIZE
        + BLOCK_SIZE
        + (plaintext_len / BLOCK_SIZE + 1) * BLOCK_SIZE
        + mac.digest_len()
}

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
    let (k_e, k_h) = keys.split_at(aes.key_len());

    out.reserve(body_len(plaintext.len(), mac));
    out.extend_from_slice(&key_modifier);
    let mac_start = out.len();
    out.extend_from_slice(&iv);
    cbc_encrypt_append(aes, k_e, &iv, plaintext, out);
    let (_, iv_and_ct) = out.split_at(mac_start);
    let mut tag = Zeroizing::new(Vec::with_capacity(mac.digest_len()));
    mac_append(mac, k_h, iv_and_ct, &[], &mut tag);
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
    let (iv, ciphertext) = iv_and_ct.split_at(BLOCK_SIZE);

    let keys = derive(kdf, aes, mac, aad, key_modifier)?;
    let (k_e, k_h) = keys.split_at(aes.key_len());

    // The tag is checked, in constant time, before a single block is decrypted.
    if !mac_verify(mac, k_h, iv_and_ct, tag) {
        return Err(fail);
    }
    cbc_decrypt(aes, k_e, iv, ciphertext)
}

fn derive(
    kdf: &Sp800108Kdf,
    aes: AesKeySize,
    mac: ValidationAlgorithm,
    aad: &[u8],
    key_modifier: &[u8],
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let header = crate::context_header::context_header(Algorithm::CbcHmac { aes, mac });
    let mut keys = Zeroizing::new(vec![0u8; aes.key_len() + mac.digest_len()]);
    kdf.derive(aad, header, key_modifier, &mut keys)?;
    Ok(keys)
}

macro_rules! with_aes {
    ($aes:expr, $cipher:ident => $body:expr) => {
        match $aes {
            AesKeySize::Aes128 => {
                type $cipher = Aes128;
                $body
            }
            AesKeySize::Aes192 => {
                type $cipher = Aes192;
                $body
            }
            AesKeySize::Aes256 => {
                type $cipher = Aes256;
                $body
            }
        }
    };
}

/// Appends `AES-CBC-PKCS7(key, iv, plaintext)` to `out`.
///
/// `key` must be `aes.key_len()` bytes; callers derive it to exactly that length.
pub(crate) fn cbc_encrypt_append(
    aes: AesKeySize,
    key: &[u8],
    iv: &[u8; BLOCK_SIZE],
    plaintext: &[u8],
    out: &mut Vec<u8>,
) {
    let start = out.len();
    let padded = (plaintext.len() / BLOCK_SIZE + 1) * BLOCK_SIZE;
    out.extend_from_slice(plaintext);
    out.resize(start + padded, 0);
    let Some(buf) = out.get_mut(start..) else {
        return;
    };
    with_aes!(aes, C => {
        if let Ok(enc) = cbc::Encryptor::<C>::new_from_slices(key, iv) {
            // The buffer is exactly the padded length, so padding cannot fail.
            let _ = enc.encrypt_padded::<Pkcs7>(buf, plaintext.len());
        }
    });
}

pub(crate) fn cbc_decrypt(
    aes: AesKeySize,
    key: &[u8],
    iv: &[u8],
    ciphertext: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    if !ciphertext.len().is_multiple_of(BLOCK_SIZE) {
        return Err(CryptoError::AuthenticationFailed);
    }
    let mut buf = ciphertext.to_vec();
    let len = with_aes!(aes, C => {
        cbc::Decryptor::<C>::new_from_slices(key, iv)
            .ok()
            .and_then(|dec| dec.decrypt_padded::<Pkcs7>(&mut buf).ok().map(<[u8]>::len))
    });
    match len {
        Some(len) => {
            buf.truncate(len);
            Ok(buf)
        }
        None => {
            // Unreachable for an authentic body; wipe the partial plaintext regardless.
            buf.zeroize();
            Err(CryptoError::AuthenticationFailed)
        }
    }
}

macro_rules! with_hmac {
    ($mac:expr, $m:ident => $body:expr) => {
        match $mac {
            ValidationAlgorithm::HmacSha1 => {
                type $m = Hmac<Sha1>;
                $body
            }
            ValidationAlgorithm::HmacSha256 => {
                type $m = Hmac<Sha256>;
                $body
            }
            ValidationAlgorithm::HmacSha384 => {
                type $m = Hmac<Sha384>;
                $body
            }
            ValidationAlgorithm::HmacSha512 => {
                type $m = Hmac<Sha512>;
                $body
            }
        }
    };
}

/// Appends `HMAC(key, a || b)` to `out`.
pub(crate) fn mac_append(
    mac: ValidationAlgorithm,
    key: &[u8],
    a: &[u8],
    b: &[u8],
    out: &mut Vec<u8>,
) {
    with_hmac!(mac, M => {
        if let Ok(mut m) = <M as KeyInit>::new_from_slice(key) {
            m.update(a);
            m.update(b);
            out.extend_from_slice(&m.finalize().into_bytes());
        }
    });
}

fn mac_verify(mac: ValidationAlgorithm, key: &[u8], data: &[u8], tag: &[u8]) -> bool {
    let mut expected = Zeroizing::new(Vec::with_capacity(mac.digest_len()));
    mac_append(mac, key, data, &[], &mut expected);
    // `ct_eq` on slices of different lengths is false without early exit on content.
    bool::from(expected.as_slice().ct_eq(tag)) && expected.len() == mac.digest_len()
}
