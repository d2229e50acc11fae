//! Unauthenticated AES-CBC, for talking to legacy systems (Windows CryptoAPI's `CryptEncrypt`).
//!
//! # Security
//! Nothing here detects tampering: a modified ciphertext decrypts to modified plaintext or to a
//! padding error, and padding errors observable by an attacker form a decryption oracle. Use
//! [`crate::AuthenticatedEncryptor`] (or `dp-envelope`) for anything new; the `danger_` prefix
//! is there so that every caller says so.

use cbc::cipher::block_padding::{Iso10126, Padding, Pkcs7};

use crate::primitives::{self, AesKey};
use crate::{AesKeySize, CryptoError};

/// AES block size, which is also the IV size.
pub const BLOCK_SIZE: usize = primitives::BLOCK_SIZE;

/// `AES-CBC(key, iv, PKCS#7(plaintext))`.
///
/// # Errors
/// [`CryptoError::InvalidKeyLength`] when `key` is not `aes.key_len()` bytes.
///
/// # Security
/// Unauthenticated; see the module documentation.
pub fn danger_aes_cbc_encrypt(
    aes: AesKeySize,
    key: &[u8],
    iv: &[u8; BLOCK_SIZE],
    plaintext: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    encrypt_padded::<Pkcs7>(aes, key, iv, plaintext)
}

/// Decrypts AES-CBC and removes PKCS#7 padding.
///
/// # Errors
/// [`CryptoError::InvalidKeyLength`] for a wrong key length; [`CryptoError::AuthenticationFailed`]
/// for a ciphertext that is not whole blocks or whose padding is wrong (one error for both).
///
/// # Security
/// Unauthenticated: success does not mean the ciphertext is genuine.
pub fn danger_aes_cbc_decrypt(
    aes: AesKeySize,
    key: &[u8],
    iv: &[u8; BLOCK_SIZE],
    ciphertext: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    decrypt_padded::<Pkcs7>(aes, key, iv, ciphertext)
}

/// `AES-CBC(key, iv, ISO-10126(plaintext))`, as W3C XML Encryption (`EncryptedXml`) writes its
/// content. The padding's filler bytes are not random (ISO 10126 allows any filler: readers look
/// at the last byte only, .NET included).
///
/// # Errors
/// [`CryptoError::InvalidKeyLength`] when `key` is not `aes.key_len()` bytes.
///
/// # Security
/// Unauthenticated; see the module documentation.
pub fn danger_aes_cbc_iso10126_encrypt(
    aes: AesKeySize,
    key: &[u8],
    iv: &[u8; BLOCK_SIZE],
    plaintext: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    encrypt_padded::<Iso10126>(aes, key, iv, plaintext)
}

/// Decrypts AES-CBC and removes ISO 10126 padding (its last byte, 1..=16, says how much).
///
/// # Errors
/// [`CryptoError::InvalidKeyLength`] for a wrong key length; [`CryptoError::AuthenticationFailed`]
/// for a ciphertext that is not whole blocks or whose last byte is no padding length.
///
/// # Security
/// Unauthenticated: success does not mean the ciphertext is genuine, and callers must not let an
/// attacker tell padding failures from later ones.
pub fn danger_aes_cbc_iso10126_decrypt(
    aes: AesKeySize,
    key: &[u8],
    iv: &[u8; BLOCK_SIZE],
    ciphertext: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    decrypt_padded::<Iso10126>(aes, key, iv, ciphertext)
}

fn encrypt_padded<P: Padding>(
    aes: AesKeySize,
    key: &[u8],
    iv: &[u8; BLOCK_SIZE],
    plaintext: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    let key = AesKey::new(aes, key)?;
    let mut out = Vec::with_capacity(primitives::cbc_padded_len(plaintext.len()));
    primitives::cbc_encrypt_append_padded::<P>(&key, iv, plaintext, &mut out);
    Ok(out)
}

fn decrypt_padded<P: Padding>(
    aes: AesKeySize,
    key: &[u8],
    iv: &[u8; BLOCK_SIZE],
    ciphertext: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    let key = AesKey::new(aes, key)?;
    primitives::cbc_decrypt_padded::<P>(&key, iv, ciphertext)
}

#[cfg(test)]
mod tests {
    #[test]
    fn iso10126_accepts_any_filler_and_checks_only_the_last_byte() -> Result<(), CryptoError> {
        let key = [7u8; 32];
        let iv = [9u8; BLOCK_SIZE];
        let ct = danger_aes_cbc_iso10126_encrypt(AesKeySize::Aes256, &key, &iv, b"hello")?;
        assert_eq!(ct.len(), 16);
        assert_eq!(
            danger_aes_cbc_iso10126_decrypt(AesKeySize::Aes256, &key, &iv, &ct)?,
            b"hello"
        );
        // A block whose filler is random but whose last byte is 11: what .NET writes.
        let mut block = *b"hello\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b";
        let raw = danger_aes_cbc_encrypt(AesKeySize::Aes256, &key, &iv, &block)?;
        // Encrypt the filled block without padding by taking the first block of PKCS#7 output.
        let first = raw.get(..16).map(<[u8]>::to_vec).unwrap_or_default();
        assert_eq!(
            danger_aes_cbc_iso10126_decrypt(AesKeySize::Aes256, &key, &iv, &first)?,
            b"hello"
        );
        block[15] = 17;
        let raw = danger_aes_cbc_encrypt(AesKeySize::Aes256, &key, &iv, &block)?;
        let first = raw.get(..16).map(<[u8]>::to_vec).unwrap_or_default();
        assert!(matches!(
            danger_aes_cbc_iso10126_decrypt(AesKeySize::Aes256, &key, &iv, &first),
            Err(CryptoError::AuthenticationFailed)
        ));
        Ok(())
    }

    use super::*;

    /// NIST SP 800-38A F.2.5 (CBC-AES256.Encrypt), first block, plus the PKCS#7 block.
    #[test]
    fn sp800_38a_vector_and_round_trip() -> Result<(), CryptoError> {
        let key: Vec<u8> = (0..32)
            .map(|i| {
                [
                    0x60, 0x3d, 0xeb, 0x10, 0x15, 0xca, 0x71, 0xbe, 0x2b, 0x73, 0xae, 0xf0, 0x85,
                    0x7d, 0x77, 0x81, 0x1f, 0x35, 0x2c, 0x07, 0x3b, 0x61, 0x08, 0xd7, 0x2d, 0x98,
                    0x10, 0xa3, 0x09, 0x14, 0xdf, 0xf4,
                ][i]
            })
            .collect();
        let iv: [u8; 16] = core::array::from_fn(|i| u8::try_from(i).unwrap_or(0));
        let pt = [
            0x6b, 0xc1, 0xbe, 0xe2, 0x2e, 0x40, 0x9f, 0x96, 0xe9, 0x3d, 0x7e, 0x11, 0x73, 0x93,
            0x17, 0x2a,
        ];
        let ct = danger_aes_cbc_encrypt(AesKeySize::Aes256, &key, &iv, &pt)?;
        assert_eq!(
            &ct[..16],
            &[
                0xf5, 0x8c, 0x4c, 0x04, 0xd6, 0xe5, 0xf1, 0xba, 0x77, 0x9e, 0xab, 0xfb, 0x5f, 0x7b,
                0xfb, 0xd6
            ]
        );
        assert_eq!(ct.len(), 32);
        assert_eq!(
            danger_aes_cbc_decrypt(AesKeySize::Aes256, &key, &iv, &ct)?,
            pt
        );
        assert_eq!(
            danger_aes_cbc_decrypt(AesKeySize::Aes256, &key, &iv, &ct[..31]),
            Err(CryptoError::AuthenticationFailed)
        );
        assert_eq!(
            danger_aes_cbc_encrypt(AesKeySize::Aes128, &key, &iv, &pt),
            Err(CryptoError::InvalidKeyLength)
        );
        Ok(())
    }
}
