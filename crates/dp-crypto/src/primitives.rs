//! The block-cipher and MAC primitives under the encryptors, with typed keys.
//!
//! This is a leaf module: it depends on the algorithm enums and the error type only, and the
//! KDF, the context headers and both encryptors depend on it, never the other way round.
//!
//! Every function here fails closed. Keys are typed ([`AesKey`] holds exactly the bytes its
//! size needs, [`HmacKey`] names its digest), so a wrong key length cannot reach a cipher; the
//! encrypting functions write ciphertext into zeroed space beside the plaintext rather than
//! copying the plaintext into `out` first, so no error path can leave plaintext behind; and where
//! an invariant makes a library error impossible the code says so in an `expect` rather than
//! substituting a default value.

use core::fmt;

use aes::{Aes128, Aes192, Aes256};
use aes_gcm::aead::consts::U12;
use aes_gcm::aead::inout::InOutBuf;
use aes_gcm::{AeadInOut, AesGcm, KeyInit, Tag};
use cbc::cipher::block_padding::{Padding, Pkcs7};
use cbc::cipher::consts::U16;
use cbc::cipher::{
    Array, BlockCipherEncBackend, BlockCipherEncClosure, BlockCipherEncrypt, BlockModeDecrypt,
    BlockModeEncrypt, BlockSizeUser, InnerIvInit, KeyIvInit,
};
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Sha256, Sha384, Sha512};
use zeroize::{Zeroize, Zeroizing};

use crate::{AesKeySize, CryptoError, ValidationAlgorithm};

/// AES block size, which is also the CBC IV size.
pub(crate) const BLOCK_SIZE: usize = 16;
/// AES-GCM nonce size (96 bits, the only size .NET uses).
pub(crate) const GCM_NONCE_SIZE: usize = 12;
/// AES-GCM tag size.
pub(crate) const GCM_TAG_SIZE: usize = 16;
/// Longest plaintext one AES-GCM invocation may encrypt (NIST SP 800-38D: 2^39 − 256 bits).
pub(crate) const GCM_MAX_PLAINTEXT: u64 = (1 << 36) - 32;

/// An AES key of exactly 16, 24 or 32 bytes: the size is the variant, so a key of the wrong
/// length cannot be built. Wiped on drop; `Debug` prints only the type name.
pub(crate) struct AesKey(AesKeyBytes);

enum AesKeyBytes {
    Aes128(Zeroizing<[u8; 16]>),
    Aes192(Zeroizing<[u8; 24]>),
    Aes256(Zeroizing<[u8; 32]>),
}

impl AesKey {
    /// Copies `bytes` into a key of `size`.
    ///
    /// # Errors
    /// [`CryptoError::InvalidKeyLength`] unless `bytes` is exactly `size.key_len()` long.
    pub(crate) fn new(size: AesKeySize, bytes: &[u8]) -> Result<Self, CryptoError> {
        fn exact<const N: usize>(bytes: &[u8]) -> Result<Zeroizing<[u8; N]>, CryptoError> {
            if bytes.len() != N {
                return Err(CryptoError::InvalidKeyLength);
            }
            // Copy straight into the wiped-on-drop array: `<[u8; N]>::try_from` would leave an
            // unwiped copy on the stack.
            let mut key = Zeroizing::new([0u8; N]);
            key.copy_from_slice(bytes);
            Ok(key)
        }
        Ok(Self(match size {
            AesKeySize::Aes128 => AesKeyBytes::Aes128(exact(bytes)?),
            AesKeySize::Aes192 => AesKeyBytes::Aes192(exact(bytes)?),
            AesKeySize::Aes256 => AesKeyBytes::Aes256(exact(bytes)?),
        }))
    }
}

impl fmt::Debug for AesKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AesKey")
    }
}

/// Runs `$body` with `$k` bound to the key array and `$cipher` to the matching AES type.
macro_rules! with_aes_key {
    ($key:expr, |$k:ident, $cipher:ident| $body:expr) => {
        match &$key.0 {
            AesKeyBytes::Aes128($k) => {
                type $cipher = Aes128;
                $body
            }
            AesKeyBytes::Aes192($k) => {
                type $cipher = Aes192;
                $body
            }
            AesKeyBytes::Aes256($k) => {
                type $cipher = Aes256;
                $body
            }
        }
    };
}

/// An HMAC key bound to its digest, held as the keyed HMAC state (the padded key already
/// absorbed), so each use clones a state instead of re-keying or allocating. HMAC accepts keys
/// of every length (long keys are hashed, short ones padded). The states are wiped on drop.
pub(crate) struct HmacKey {
    keyed: KeyedHmac,
}

enum KeyedHmac {
    Sha1(Hmac<Sha1>),
    Sha256(Hmac<Sha256>),
    Sha384(Hmac<Sha384>),
    Sha512(Hmac<Sha512>),
}

impl HmacKey {
    /// Keys an HMAC of `alg` with `bytes`.
    pub(crate) fn new(alg: ValidationAlgorithm, bytes: &[u8]) -> Self {
        let keyed = match alg {
            ValidationAlgorithm::HmacSha1 => KeyedHmac::Sha1(hmac_keyed(bytes)),
            ValidationAlgorithm::HmacSha256 => KeyedHmac::Sha256(hmac_keyed(bytes)),
            ValidationAlgorithm::HmacSha384 => KeyedHmac::Sha384(hmac_keyed(bytes)),
            ValidationAlgorithm::HmacSha512 => KeyedHmac::Sha512(hmac_keyed(bytes)),
        };
        Self { keyed }
    }
}

/// Runs `$body` with `$m`, a fresh copy of the key's keyed HMAC state.
macro_rules! with_keyed_hmac {
    ($key:expr, $m:ident => $body:expr) => {
        match &$key.keyed {
            KeyedHmac::Sha1(state) => {
                let mut $m = state.clone();
                $body
            }
            KeyedHmac::Sha256(state) => {
                let mut $m = state.clone();
                $body
            }
            KeyedHmac::Sha384(state) => {
                let mut $m = state.clone();
                $body
            }
            KeyedHmac::Sha512(state) => {
                let mut $m = state.clone();
                $body
            }
        }
    };
}

impl fmt::Debug for HmacKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HmacKey")
    }
}

/// Keys an HMAC.
#[expect(
    clippy::expect_used,
    reason = "`Hmac::new_from_slice` only fails for fixed-size-key MACs; HMAC takes keys of \
              every length (RFC 2104), so there is no error to handle and no default to use"
)]
pub(crate) fn hmac_keyed<M: KeyInit>(key: &[u8]) -> M {
    M::new_from_slice(key).expect("HMAC accepts keys of every length")
}

/// Appends `HMAC(key, a || b)` to `out`: always exactly the digest length of
/// the key's algorithm.
pub(crate) fn hmac_append(key: &HmacKey, a: &[u8], b: &[u8], out: &mut Vec<u8>) {
    with_keyed_hmac!(key, m => {
        m.update(a);
        m.update(b);
        out.extend_from_slice(&m.finalize().into_bytes());
    });
}

/// Whether `tag` is `HMAC(key, data)`, compared in constant time (`verify_slice` compares
/// with `subtle`, and a tag of another length is refused without looking at it).
pub(crate) fn hmac_verify(key: &HmacKey, data: &[u8], tag: &[u8]) -> bool {
    with_keyed_hmac!(key, m => {
        m.update(data);
        m.verify_slice(tag).is_ok()
    })
}

/// Length of `AES-CBC-PKCS7` output for a plaintext length: padding always adds 1..=16 bytes.
pub(crate) const fn cbc_padded_len(plaintext_len: usize) -> usize {
    (plaintext_len / BLOCK_SIZE + 1) * BLOCK_SIZE
}

/// Appends `AES-CBC-PKCS7(key, iv, plaintext)` to `out`.
///
/// The ciphertext is written into zeroed space appended to `out`; the plaintext is never copied
/// there, so even a panic leaves no plaintext in `out`.
pub(crate) fn cbc_encrypt_append(
    key: &AesKey,
    iv: &[u8; BLOCK_SIZE],
    plaintext: &[u8],
    out: &mut Vec<u8>,
) {
    cbc_encrypt_append_padded::<Pkcs7>(key, iv, plaintext, out);
}

/// [`cbc_encrypt_append`] with another padding of 1..=16 bytes (ISO 10126 for XML Encryption).
#[expect(
    clippy::expect_used,
    reason = "the output region is resized to exactly the padded length first, so a 1..=16-byte \
              padding cannot run out of room"
)]
pub(crate) fn cbc_encrypt_append_padded<P: Padding>(
    key: &AesKey,
    iv: &[u8; BLOCK_SIZE],
    plaintext: &[u8],
    out: &mut Vec<u8>,
) {
    let start = out.len();
    out.resize(start + cbc_padded_len(plaintext.len()), 0);
    let (_, region) = out.split_at_mut(start);
    with_aes_key!(key, |k, C| {
        cbc::Encryptor::<C>::new((&**k).into(), iv.into())
            .encrypt_padded_b2b::<P>(plaintext, region)
            .expect("the region is exactly the padded length");
    });
}

/// Ciphertext encrypted ahead of its MAC in [`cbc_encrypt_hmac_append`]: small enough that the
/// HMAC reads it back from L1, large enough that the per-call overhead of both is noise.
const STITCH_CHUNK: usize = 512;

/// CBC encryption of whole blocks over an AES backend, continuing from `chain` (the IV, then
/// the last ciphertext block).
///
/// The `cbc` crate keeps its chaining value behind a reference, so each block's encryption
/// waits for a store and a reload of the previous block on top of AES's own latency; CBC
/// encryption is nothing but that chain, and the round trip through memory costs some 10 %.
/// Here the chaining value is a local the compiler keeps in a register.
struct CbcEncryptChain<'a> {
    chain: &'a mut Array<u8, U16>,
    input: &'a [Array<u8, U16>],
    output: &'a mut [Array<u8, U16>],
}

impl BlockSizeUser for CbcEncryptChain<'_> {
    type BlockSize = U16;
}

impl BlockCipherEncClosure for CbcEncryptChain<'_> {
    #[inline(always)]
    fn call<B: BlockCipherEncBackend<BlockSize = U16>>(self, backend: &B) {
        let mut chain = *self.chain;
        for (plain, cipher) in self.input.iter().zip(self.output.iter_mut()) {
            for (c, p) in chain.iter_mut().zip(plain) {
                *c ^= p;
            }
            backend.encrypt_block((&mut chain).into());
            *cipher = chain;
        }
        *self.chain = chain;
    }
}

/// Appends `AES-CBC-PKCS7(enc, iv, plaintext)` followed by `HMAC(mac, iv || ciphertext)` to
/// `out`, in one pass over the data.
///
/// CBC encryption is one long dependency chain (each block waits for the previous one), which
/// leaves most of the core idle; the HMAC of the ciphertext just written is independent work
/// the core can run meanwhile. Alternating the two over small chunks lets out-of-order
/// execution overlap them, instead of making two serial passes as separate calls would. The
/// bytes are exactly those of [`cbc_encrypt_append`] then [`hmac_append`].
#[expect(
    clippy::expect_used,
    reason = "the output region is resized to exactly the padded length first: the full-block \
              part has as many blocks as the input, and one block of room remains for the tail"
)]
pub(crate) fn cbc_encrypt_hmac_append(
    enc: &AesKey,
    mac: &HmacKey,
    iv: &[u8; BLOCK_SIZE],
    plaintext: &[u8],
    out: &mut Vec<u8>,
) {
    let start = out.len();
    out.resize(start + cbc_padded_len(plaintext.len()), 0);
    let full = plaintext.len() - plaintext.len() % BLOCK_SIZE;
    let (body, tail) = plaintext.split_at(full);
    with_keyed_hmac!(mac, m => {
        m.update(iv);
        {
            let (_, region) = out.split_at_mut(start);
            let (out_body, out_tail) = region.split_at_mut(full);
            with_aes_key!(enc, |k, C| {
                let cipher = C::new((&**k).into());
                let mut chain = Array::from(*iv);
                for (chunk_in, chunk_out) in body
                    .chunks(STITCH_CHUNK)
                    .zip(out_body.chunks_mut(STITCH_CHUNK))
                {
                    let (input, _) = Array::slice_as_chunks(chunk_in);
                    let (output, _) = Array::slice_as_chunks_mut(chunk_out);
                    cipher.encrypt_with_backend(CbcEncryptChain {
                        chain: &mut chain,
                        input,
                        output,
                    });
                    m.update(chunk_out);
                }
                cbc::Encryptor::<C>::inner_iv_init(cipher, &chain)
                    .encrypt_padded_b2b::<Pkcs7>(tail, out_tail)
                    .expect("one block of room for the tail and its padding");
            });
            m.update(out_tail);
        }
        // The tag is public: it goes into the payload.
        out.extend_from_slice(&m.finalize().into_bytes());
    });
}

/// Decrypts `AES-CBC-PKCS7(key, iv, ciphertext)`.
///
/// # Errors
/// [`CryptoError::AuthenticationFailed`] for a ciphertext that is not whole blocks or whose
/// padding is wrong (one error for both); the partial plaintext is wiped.
pub(crate) fn cbc_decrypt(
    key: &AesKey,
    iv: &[u8; BLOCK_SIZE],
    ciphertext: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    cbc_decrypt_padded::<Pkcs7>(key, iv, ciphertext)
}

/// [`cbc_decrypt`] with another padding (ISO 10126 for XML Encryption).
///
/// # Errors
/// As [`cbc_decrypt`].
pub(crate) fn cbc_decrypt_padded<P: Padding>(
    key: &AesKey,
    iv: &[u8; BLOCK_SIZE],
    ciphertext: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    if ciphertext.is_empty() || !ciphertext.len().is_multiple_of(BLOCK_SIZE) {
        return Err(CryptoError::AuthenticationFailed);
    }
    let mut buf = ciphertext.to_vec();
    let len = with_aes_key!(key, |k, C| {
        cbc::Decryptor::<C>::new((&**k).into(), iv.into())
            .decrypt_padded::<P>(&mut buf)
            .map(<[u8]>::len)
    });
    match len {
        Ok(len) => {
            buf.truncate(len);
            Ok(buf)
        }
        Err(_) => {
            buf.zeroize();
            Err(CryptoError::AuthenticationFailed)
        }
    }
}

/// Refuses plaintexts longer than one AES-GCM invocation may encrypt.
///
/// # Errors
/// [`CryptoError::PlaintextTooLong`] above [`GCM_MAX_PLAINTEXT`] bytes.
pub(crate) fn gcm_check_plaintext_len(len: usize) -> Result<(), CryptoError> {
    match u64::try_from(len) {
        Ok(n) if n <= GCM_MAX_PLAINTEXT => Ok(()),
        _ => Err(CryptoError::PlaintextTooLong),
    }
}

/// Appends `AES-GCM(key, nonce, plaintext, aad = "")` — ciphertext then 16-byte tag — to `out`.
///
/// # Errors
/// [`CryptoError::PlaintextTooLong`] above [`GCM_MAX_PLAINTEXT`] bytes; `out` is then exactly
/// as it was.
#[expect(
    clippy::expect_used,
    reason = "the output region is resized to the plaintext length first, so the in/out \
              buffers cannot differ in length"
)]
pub(crate) fn gcm_seal_append(
    key: &AesKey,
    nonce: &[u8; GCM_NONCE_SIZE],
    plaintext: &[u8],
    out: &mut Vec<u8>,
) -> Result<(), CryptoError> {
    gcm_check_plaintext_len(plaintext.len())?;
    let start = out.len();
    out.resize(start + plaintext.len(), 0);
    let (_, region) = out.split_at_mut(start);
    let buf = InOutBuf::new(plaintext, region).expect("the region is the plaintext length");
    let tag = with_aes_key!(key, |k, C| {
        AesGcm::<C, U12>::new((&**k).into()).encrypt_inout_detached(nonce.into(), &[], buf)
    });
    match tag {
        Ok(tag) => {
            out.extend_from_slice(&tag);
            Ok(())
        }
        Err(_) => {
            // Only the length limit makes aes-gcm refuse, and it was checked above; should that
            // ever change, nothing but the original bytes stays in `out`.
            out.truncate(start);
            Err(CryptoError::PlaintextTooLong)
        }
    }
}

/// Verifies the tag, then decrypts: `AES-GCM⁻¹(key, nonce, ciphertext, aad = "", tag)`.
///
/// # Errors
/// [`CryptoError::AuthenticationFailed`] when the tag does not verify; no plaintext exists then.
#[expect(
    clippy::expect_used,
    reason = "the output buffer is allocated at the ciphertext length, so the in/out buffers \
              cannot differ in length"
)]
pub(crate) fn gcm_open(
    key: &AesKey,
    nonce: &[u8; GCM_NONCE_SIZE],
    ciphertext: &[u8],
    tag: &[u8; GCM_TAG_SIZE],
) -> Result<Vec<u8>, CryptoError> {
    let mut plaintext = vec![0u8; ciphertext.len()];
    let buf = InOutBuf::new(ciphertext, &mut plaintext).expect("equal lengths");
    let tag = Tag::from(*tag);
    // aes-gcm checks the tag (in constant time) before applying the keystream.
    let ok = with_aes_key!(key, |k, C| {
        AesGcm::<C, U12>::new((&**k).into())
            .decrypt_inout_detached(nonce.into(), &[], buf, &tag)
            .is_ok()
    });
    if ok {
        Ok(plaintext)
    } else {
        plaintext.zeroize();
        Err(CryptoError::AuthenticationFailed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIZES: [AesKeySize; 3] = [AesKeySize::Aes128, AesKeySize::Aes192, AesKeySize::Aes256];

    #[test]
    fn aes_keys_of_the_wrong_length_are_refused() {
        for size in SIZES {
            for len in [0, 1, 15, 16, 17, 23, 24, 25, 31, 32, 33, 64] {
                let key = AesKey::new(size, &vec![7u8; len]);
                if len == size.key_len() {
                    let Ok(AesKey(bytes)) = key else {
                        panic!("{size:?} {len}: refused");
                    };
                    let built = match bytes {
                        AesKeyBytes::Aes128(_) => AesKeySize::Aes128,
                        AesKeyBytes::Aes192(_) => AesKeySize::Aes192,
                        AesKeyBytes::Aes256(_) => AesKeySize::Aes256,
                    };
                    assert_eq!(built, size);
                } else {
                    assert!(
                        matches!(key, Err(CryptoError::InvalidKeyLength)),
                        "{size:?} {len}"
                    );
                }
            }
        }
    }

    #[test]
    fn key_debug_hides_the_secret() -> Result<(), CryptoError> {
        let aes = AesKey::new(AesKeySize::Aes128, &[0x42; 16])?;
        assert_eq!(format!("{aes:?}"), "AesKey");
        let mac = HmacKey::new(ValidationAlgorithm::HmacSha256, &[0x42; 32]);
        assert_eq!(format!("{mac:?}"), "HmacKey");
        Ok(())
    }

    /// RFC 4231 test cases 1 (20-byte key) and 6 (131-byte key, hashed first), plus keys of
    /// length 0 and 1: every key length yields a full tag, never nothing.
    #[test]
    fn hmac_always_appends_a_full_tag() -> Result<(), hex::FromHexError> {
        let case1 = HmacKey::new(ValidationAlgorithm::HmacSha256, &[0x0b; 20]);
        let mut out = b"prefix".to_vec();
        hmac_append(&case1, b"Hi ", b"There", &mut out);
        assert_eq!(
            out,
            [
                &b"prefix"[..],
                &hex::decode("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")?
            ]
            .concat()
        );
        let case6 = HmacKey::new(ValidationAlgorithm::HmacSha256, &[0xaa; 131]);
        let mut out = Vec::new();
        hmac_append(
            &case6,
            b"Test Using Larger Than Block-Size Key - Hash Key First",
            b"",
            &mut out,
        );
        assert_eq!(
            out,
            hex::decode("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")?
        );
        for alg in [
            ValidationAlgorithm::HmacSha1,
            ValidationAlgorithm::HmacSha256,
            ValidationAlgorithm::HmacSha384,
            ValidationAlgorithm::HmacSha512,
        ] {
            for len in [0, 1, 200] {
                let key = HmacKey::new(alg, &vec![1u8; len]);
                let mut out = Vec::new();
                hmac_append(&key, b"data", &[], &mut out);
                assert_eq!(out.len(), alg.digest_len(), "{alg:?} key of {len}");
                assert!(hmac_verify(&key, b"data", &out));
                assert!(!hmac_verify(&key, b"data", &out[1..]));
                assert!(!hmac_verify(&key, b"data", &[]));
            }
        }
        Ok(())
    }

    #[test]
    fn cbc_output_never_holds_plaintext() -> Result<(), CryptoError> {
        let plaintext = [0x5a_u8; 40];
        for size in SIZES {
            let key = AesKey::new(size, &vec![3u8; size.key_len()])?;
            let mut out = b"header".to_vec();
            cbc_encrypt_append(&key, &[9; BLOCK_SIZE], &plaintext, &mut out);
            assert_eq!(out.len(), 6 + cbc_padded_len(plaintext.len()));
            assert!(out.starts_with(b"header"));
            assert!(
                !out.windows(BLOCK_SIZE)
                    .any(|w| w == &plaintext[..BLOCK_SIZE])
            );
            let ciphertext = out.split_off(6);
            assert_eq!(cbc_decrypt(&key, &[9; BLOCK_SIZE], &ciphertext)?, plaintext);
            for bad in [&[][..], &ciphertext[..15], &ciphertext[..47]] {
                assert_eq!(
                    cbc_decrypt(&key, &[9; BLOCK_SIZE], bad),
                    Err(CryptoError::AuthenticationFailed)
                );
            }
        }
        Ok(())
    }

    #[test]
    fn gcm_output_never_holds_plaintext_and_refuses_overlong_input() -> Result<(), CryptoError> {
        let plaintext = [0x5a_u8; 40];
        for size in SIZES {
            let key = AesKey::new(size, &vec![3u8; size.key_len()])?;
            let mut out = b"header".to_vec();
            gcm_seal_append(&key, &[1; GCM_NONCE_SIZE], &plaintext, &mut out)?;
            assert_eq!(out.len(), 6 + plaintext.len() + GCM_TAG_SIZE);
            assert!(
                !out.windows(BLOCK_SIZE)
                    .any(|w| w == &plaintext[..BLOCK_SIZE])
            );
            // A real tag, not the all-zero placeholder a failed seal used to return.
            let (ciphertext, tag) = out
                .split_at(6)
                .1
                .split_last_chunk::<GCM_TAG_SIZE>()
                .ok_or(CryptoError::AuthenticationFailed)?;
            assert_ne!(tag, &[0u8; GCM_TAG_SIZE]);
            assert_eq!(
                gcm_open(&key, &[1; GCM_NONCE_SIZE], ciphertext, tag)?,
                plaintext
            );
            let mut bad_tag = *tag;
            bad_tag[0] ^= 1;
            assert_eq!(
                gcm_open(&key, &[1; GCM_NONCE_SIZE], ciphertext, &bad_tag),
                Err(CryptoError::AuthenticationFailed)
            );
        }
        // The length limit is checked before anything is written (a 64 GiB buffer is not
        // something a test can allocate, so the check is exercised directly).
        assert_eq!(gcm_check_plaintext_len(0), Ok(()));
        let max = usize::try_from(GCM_MAX_PLAINTEXT).unwrap_or(usize::MAX);
        assert_eq!(gcm_check_plaintext_len(max), Ok(()));
        if let Ok(over) = usize::try_from(GCM_MAX_PLAINTEXT + 1) {
            assert_eq!(
                gcm_check_plaintext_len(over),
                Err(CryptoError::PlaintextTooLong)
            );
        }
        Ok(())
    }
}
