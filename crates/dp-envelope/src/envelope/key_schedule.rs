//! Everything derived from the session key, released in stages: the header MAC key first, the
//! content key only once the header MAC verified (age's pattern), so no code path can decrypt
//! content under an unauthenticated header.
//!
//! ```text
//! HKDF-SHA256(salt = message id, ikm = 32-byte session key):
//!   info "dp-envelope/v2 header-mac"        -> 32-byte HMAC-SHA256 key for the header
//!   info "dp-envelope/v2 content"           -> 64-byte dp-crypto master key for the chunks
//!   info "dp-envelope/v2 chunk-randomness"  -> 32-byte PRK for the chunks' key modifiers and
//!                                              IVs or nonces (below)
//! chunk key modifier   = HKDF-Expand(PRK, label ‖ BE64 index ‖ BE32 0, 16)
//! chunk IV or nonce    = HKDF-Expand(PRK, label ‖ BE64 index ‖ BE32 1, 16 or 12)
//! chunk AAD (dp-crypto's KDF label) = "dp-envelope/v2 chunk\0" ‖ SHA-256(header) ‖ BE64 index
//!                                     ‖ last flag
//! ```
//! The chunks' key modifiers and nonces come from the session key rather than a random source:
//! unique per envelope (the session key is fresh) and per chunk, and the content no longer
//! depends on which RSA implementation — drawing randomness or not — wrapped the key. Nor does
//! it depend on how dp-crypto draws them (one call for both, or one each): the envelope hands
//! dp-crypto one stream, key modifier then IV or nonce.

use core::sync::atomic::{AtomicUsize, Ordering};

use dp_crypto::{
    AesKeySize, Algorithm, AuthenticatedEncryptor, CryptoError, MasterKey, SecureRandom,
    ValidationAlgorithm,
};
use dp_format::KEY_MODIFIER_SIZE;
use dp_format::envelope::{ContentAlgorithm, HEADER_MAC_LEN};
use hkdf::Hkdf;
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::sink::Plaintext;
use crate::EnvelopeError;

/// Length of the session key.
pub(crate) const SESSION_KEY_LEN: usize = 32;
const LABEL_HEADER_MAC: &[u8] = b"dp-envelope/v2 header-mac";
const LABEL_CONTENT: &[u8] = b"dp-envelope/v2 content";
const LABEL_CHUNK_RANDOMNESS: &[u8] = b"dp-envelope/v2 chunk-randomness";
const CHUNK_AAD_PREFIX: &[u8] = b"dp-envelope/v2 chunk\0";
/// Prefix, header hash, BE64 index, last flag.
const CHUNK_AAD_LEN: usize = CHUNK_AAD_PREFIX.len() + 32 + 8 + 1;

/// The 256-bit session key.
pub(crate) struct SessionKey(Zeroizing<[u8; SESSION_KEY_LEN]>);

impl SessionKey {
    /// A fresh session key.
    pub(crate) fn generate(rng: &dyn SecureRandom) -> Result<Self, EnvelopeError> {
        let mut key = Zeroizing::new([0u8; SESSION_KEY_LEN]);
        rng.fill(key.as_mut())?;
        Ok(Self(key))
    }

    /// The key unwrapped from a recipient entry; `None` unless it has the right length.
    pub(crate) fn from_unwrapped(bytes: &[u8]) -> Option<Self> {
        let mut key = Zeroizing::new([0u8; SESSION_KEY_LEN]);
        if bytes.len() != SESSION_KEY_LEN {
            return None;
        }
        key.copy_from_slice(bytes);
        Some(Self(key))
    }

    /// The bytes to wrap for each recipient.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.0.as_ref()
    }

    /// Derives the keys of one envelope; only the header key is usable yet.
    pub(crate) fn schedule(&self, message_id: &[u8; 16], content: ContentAlgorithm) -> HeaderKey {
        let hk = Hkdf::<Sha256>::new(Some(message_id), self.0.as_ref());
        HeaderKey {
            mac_key: expand::<32>(&hk, LABEL_HEADER_MAC),
            content_key: expand::<64>(&hk, LABEL_CONTENT),
            randomness_key: expand::<32>(&hk, LABEL_CHUNK_RANDOMNESS),
            content,
        }
    }
}

/// `HKDF-Expand(prk, info, N)`.
///
/// # Panics
/// If `N` exceeds HKDF-SHA256's 8160-byte limit, which no caller asks for (32 and 64 bytes):
/// a key of zeros in its place would silently be used for real.
#[expect(
    clippy::expect_used,
    reason = "the output lengths are constants far below HKDF-SHA256's 255 × 32-byte limit"
)]
fn expand<const N: usize>(hk: &Hkdf<Sha256>, info: &[u8]) -> Zeroizing<[u8; N]> {
    let mut okm = Zeroizing::new([0u8; N]);
    hk.expand(info, okm.as_mut())
        .expect("HKDF-SHA256 output of at most 8160 bytes");
    okm
}

#[expect(
    clippy::expect_used,
    reason = "HMAC takes keys of every length (RFC 2104); a MAC of zeros in its place would make \
              every header verify against a constant"
)]
fn hmac(key: &[u8], data: &[u8]) -> [u8; HEADER_MAC_LEN] {
    let mut mac =
        <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("HMAC accepts keys of every length");
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// The first stage: the header MAC key. The content key inside is released only by
/// [`HeaderKey::seal`] (which makes the MAC) or [`HeaderKey::verify`] (which checks it).
pub(crate) struct HeaderKey {
    mac_key: Zeroizing<[u8; 32]>,
    content_key: Zeroizing<[u8; 64]>,
    randomness_key: Zeroizing<[u8; 32]>,
    content: ContentAlgorithm,
}

impl HeaderKey {
    /// Makes the MAC over the authenticated header bytes; returns it with the content key.
    pub(crate) fn seal(self, authenticated: &[u8]) -> ([u8; HEADER_MAC_LEN], ContentKey) {
        let mac = hmac(self.mac_key.as_ref(), authenticated);
        let content = self.release(authenticated, &mac);
        (mac, content)
    }

    /// Checks the MAC (in constant time) over the exact bytes received; only then is the
    /// content key released.
    ///
    /// # Errors
    /// [`EnvelopeError::HeaderAuthenticationFailed`].
    pub(crate) fn verify(
        self,
        authenticated: &[u8],
        mac: &[u8; HEADER_MAC_LEN],
    ) -> Result<ContentKey, EnvelopeError> {
        let expected = hmac(self.mac_key.as_ref(), authenticated);
        if bool::from(expected.ct_eq(mac)) {
            Ok(self.release(authenticated, mac))
        } else {
            Err(EnvelopeError::HeaderAuthenticationFailed)
        }
    }

    fn release(self, authenticated: &[u8], mac: &[u8; HEADER_MAC_LEN]) -> ContentKey {
        let mut hash = Sha256::new_with_prefix(authenticated);
        hash.update(mac);
        ContentKey {
            encryptor: AuthenticatedEncryptor::new(
                content_algorithm(self.content),
                &MasterKey::from_slice(self.content_key.as_ref()),
            ),
            randomness_key: self.randomness_key,
            header_hash: hash.finalize().into(),
        }
    }
}

fn content_algorithm(content: ContentAlgorithm) -> Algorithm {
    match content {
        ContentAlgorithm::Aes256CbcHmacSha256 => Algorithm::CbcHmac {
            aes: AesKeySize::Aes256,
            mac: ValidationAlgorithm::HmacSha256,
        },
        // AES-256-GCM, and the default for ids dp-format may add later (it refuses unknown
        // ones before anything is derived).
        _ => Algorithm::Gcm {
            aes: AesKeySize::Aes256,
        },
    }
}

/// The second stage: encrypts and decrypts chunks bound to one authenticated header.
pub(crate) struct ContentKey {
    encryptor: AuthenticatedEncryptor,
    randomness_key: Zeroizing<[u8; 32]>,
    header_hash: [u8; 32],
}

impl ContentKey {
    /// The AAD of chunk `index`: binds it to this header, its position and whether it is the
    /// last — the STREAM construction, on top of dp-crypto's per-call subkeys. On the stack:
    /// one per chunk, no allocation.
    fn aad(&self, index: u64, last: bool) -> [u8; CHUNK_AAD_LEN] {
        let mut aad = [0u8; CHUNK_AAD_LEN];
        let index = index.to_be_bytes();
        let last = [u8::from(last)];
        let parts = CHUNK_AAD_PREFIX
            .iter()
            .chain(&self.header_hash)
            .chain(&index)
            .chain(&last);
        for (byte, part) in aad.iter_mut().zip(parts) {
            *byte = *part;
        }
        aad
    }

    /// Appends the body of chunk `index` to `out`.
    ///
    /// # Errors
    /// What dp-crypto reports (nothing is appended then).
    pub(crate) fn seal_chunk(
        &self,
        index: u64,
        last: bool,
        plaintext: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<(), EnvelopeError> {
        let randomness = ChunkRandomness {
            key: &self.randomness_key,
            index,
            drawn: AtomicUsize::new(0),
        };
        self.encryptor
            .encrypt_append(plaintext, &self.aad(index, last), &randomness, out)?;
        Ok(())
    }

    /// Decrypts the body of chunk `index`.
    ///
    /// # Errors
    /// [`EnvelopeError::ChunkAuthenticationFailed`], with no plaintext.
    pub(crate) fn open_chunk(
        &self,
        index: u64,
        last: bool,
        body: &[u8],
    ) -> Result<Plaintext, EnvelopeError> {
        self.encryptor
            .decrypt(body, &self.aad(index, last))
            .map(Plaintext::from_vec)
            .map_err(|_| EnvelopeError::ChunkAuthenticationFailed { index })
    }
}

/// The "random" bytes dp-crypto draws for one chunk, as one stream: its first
/// [`KEY_MODIFIER_SIZE`] bytes are the key modifier, `HKDF-Expand(chunk-randomness PRK,
/// "dp-envelope/v2 chunk-randomness" ‖ BE64 index ‖ BE32 0, 16)`, and the rest the IV or nonce,
/// the same with `BE32 1`. Which bytes a draw gets depends only on where it starts in the
/// stream, so one draw of 28 bytes and a draw of 16 then one of 12 give the same envelope.
struct ChunkRandomness<'a> {
    key: &'a [u8; 32],
    index: u64,
    /// Stream bytes handed out so far.
    drawn: AtomicUsize,
}

impl ChunkRandomness<'_> {
    /// Bytes `skip..skip + out.len()` of expansion `part` (0: key modifier, 1: IV or nonce).
    fn expand(&self, part: u32, skip: usize, out: &mut [u8]) -> Result<(), CryptoError> {
        let hk = Hkdf::<Sha256>::from_prk(self.key).map_err(|_| CryptoError::RandomSourceFailed)?;
        let info = [
            LABEL_CHUNK_RANDOMNESS,
            &self.index.to_be_bytes(),
            &part.to_be_bytes(),
        ];
        if skip == 0 {
            // HKDF's output of length n is the prefix of any longer output: expand just `out`.
            return hk
                .expand_multi_info(&info, out)
                .map_err(|_| CryptoError::RandomSourceFailed);
        }
        // A draw that starts inside a part (dp-crypto never makes one): public values, no wipe.
        let mut whole = vec![0u8; skip.saturating_add(out.len())];
        hk.expand_multi_info(&info, &mut whole)
            .map_err(|_| CryptoError::RandomSourceFailed)?;
        out.copy_from_slice(whole.get(skip..).ok_or(CryptoError::RandomSourceFailed)?);
        Ok(())
    }
}

impl SecureRandom for ChunkRandomness<'_> {
    fn fill(&self, dest: &mut [u8]) -> Result<(), CryptoError> {
        let start = self.drawn.fetch_add(dest.len(), Ordering::Relaxed);
        let in_modifier = KEY_MODIFIER_SIZE.saturating_sub(start).min(dest.len());
        let (modifier, rest) = dest.split_at_mut(in_modifier);
        if !modifier.is_empty() {
            self.expand(0, start, modifier)?;
        }
        if !rest.is_empty() {
            self.expand(1, start.max(KEY_MODIFIER_SIZE) - KEY_MODIFIER_SIZE, rest)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> HeaderKey {
        SessionKey([1; 32].into()).schedule(&[2; 16], ContentAlgorithm::Aes256Gcm)
    }

    fn hex(bytes: &[u8]) -> String {
        hex::encode(bytes)
    }

    /// Known answers computed independently (Python's `hmac` and `hashlib`, RFC 5869 by hand)
    /// for session key 01×32 and message id 02×16. A discarded HKDF result or a MAC of zeros
    /// cannot produce them.
    #[test]
    fn derived_keys_are_known_answers() {
        let k = keys();
        assert_eq!(
            hex(k.mac_key.as_ref()),
            "cbfdabbe484672b743ae641f45ca8e98c752dd21c057dbba70589f192340a23f"
        );
        assert_eq!(
            hex(&hmac(k.mac_key.as_ref(), b"authenticated header bytes")),
            "b59ee74418bc4291dd5929608a8390bacf2dc0f5de6df056e81717483552b9cc"
        );
        assert_eq!(
            hex(k.content_key.as_ref()),
            "48cfe08f1469a87384fdac44259b69bee49e0864c95aaf5a66c5263e72a6624f\
             1da4bbb7dc53469be2676692987c0fb86324827cc1c7a34eaf14227316a31262"
        );
        assert_eq!(
            hex(k.randomness_key.as_ref()),
            "fc6f426d44698090ff58e678f6cf0e46240befd05742a0fd5e21dc606deba48e"
        );
    }

    #[test]
    fn the_content_key_is_released_only_by_a_valid_mac() {
        let (mac, sealed) = keys().seal(b"header");
        let mut body = Vec::new();
        assert!(sealed.seal_chunk(0, true, b"chunk", &mut body).is_ok());
        assert!(matches!(
            keys().verify(b"header", &[0; 32]),
            Err(EnvelopeError::HeaderAuthenticationFailed)
        ));
        assert!(matches!(
            keys().verify(b"headeR", &mac),
            Err(EnvelopeError::HeaderAuthenticationFailed)
        ));
        let opened = keys()
            .verify(b"header", &mac)
            .map(|k| k.open_chunk(0, true, &body));
        assert!(matches!(opened, Ok(Ok(p)) if p.as_slice() == b"chunk"));
    }

    #[test]
    fn chunks_are_bound_to_index_flag_and_header() {
        let (mac, k) = keys().seal(b"header");
        let mut body = Vec::new();
        assert!(k.seal_chunk(5, false, b"chunk", &mut body).is_ok());
        for (index, last) in [(4, false), (5, true), (6, false)] {
            assert!(matches!(
                k.open_chunk(index, last, &body),
                Err(EnvelopeError::ChunkAuthenticationFailed { index: i }) if i == index
            ));
        }
        let (_, other) = keys().seal(b"other header");
        assert!(matches!(
            other.open_chunk(5, false, &body),
            Err(EnvelopeError::ChunkAuthenticationFailed { index: 5 })
        ));
        assert!(matches!(
            keys()
                .verify(b"header", &mac)
                .map(|k| k.open_chunk(5, false, &body)),
            Ok(Ok(_))
        ));
    }

    /// Draws from a fresh stream for chunk `index`, one `fill` per length.
    fn draws(index: u64, lens: &[usize]) -> Vec<u8> {
        let key = [3u8; 32];
        let r = ChunkRandomness {
            key: &key,
            index,
            drawn: AtomicUsize::new(0),
        };
        let mut out = Vec::new();
        for &len in lens {
            let mut buf = vec![0u8; len];
            assert!(r.fill(&mut buf).is_ok());
            out.extend_from_slice(&buf);
        }
        out
    }

    #[test]
    fn chunk_randomness_is_deterministic_per_chunk_and_part() {
        assert_eq!(draws(0, &[16, 12]), draws(0, &[16, 12]));
        assert_ne!(draws(0, &[16, 12]), draws(1, &[16, 12]));
        // Python: HKDF-Expand(03×32, label ‖ 00×8 ‖ 00×4, 16), then the same with 00 00 00 01
        // and 12 bytes.
        assert_eq!(
            hex(&draws(0, &[16, 12])),
            "1b8ece71c9f4cff8a2a65faee3b59894\
             f3d2114f544d09550f9a79be"
        );
    }

    /// The envelope is the same however dp-crypto splits its draws (it made one draw of the
    /// key modifier and one of the nonce, and now makes one of both).
    #[test]
    fn chunk_randomness_does_not_depend_on_how_it_is_drawn() {
        let whole = draws(7, &[16, 16]);
        for lens in [&[32][..], &[16, 16], &[10, 6, 16], &[20, 12], &[1; 32]] {
            assert_eq!(draws(7, lens), whole, "{lens:?}");
        }
        assert_eq!(draws(7, &[28]), draws(7, &[16, 12]));
    }

    /// The chunk AAD, byte for byte: prefix, SHA-256 of the header, BE64 index, last flag.
    #[test]
    fn chunk_aad_layout() {
        let (_, k) = keys().seal(b"header");
        let aad = k.aad(0x0102_0304_0506_0708, true);
        let mut want = CHUNK_AAD_PREFIX.to_vec();
        want.extend_from_slice(&k.header_hash);
        want.extend_from_slice(&[1, 2, 3, 4, 5, 6, 7, 8, 1]);
        assert_eq!(aad.as_slice(), want.as_slice());
        assert_eq!(k.aad(0, false).last(), Some(&0));
    }

    #[test]
    fn a_short_or_long_unwrapped_key_is_no_session_key() {
        assert!(SessionKey::from_unwrapped(&[0; 31]).is_none());
        assert!(SessionKey::from_unwrapped(&[0; 33]).is_none());
        assert!(SessionKey::from_unwrapped(&[0; 32]).is_some());
    }
}
