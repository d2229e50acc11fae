//! The two encryptor body layouts, in one place: dp-crypto writes and reads bodies through
//! these sizes and views, and `dp inspect` describes payloads with them.

use crate::FormatError;

/// Size of the random key modifier that starts every body; it is the KDF context.
pub const KEY_MODIFIER_SIZE: usize = 16;
/// AES block size, which is also the CBC IV size.
pub const AES_BLOCK_SIZE: usize = 16;
/// AES-GCM nonce size (96 bits).
pub const GCM_NONCE_SIZE: usize = 12;
/// AES-GCM tag size (128 bits).
pub const GCM_TAG_SIZE: usize = 16;

/// The body written by the CBC + HMAC encryptor.
///
/// ```text
/// key modifier (16) | IV (16) | AES-CBC ciphertext (16·k, k ≥ 1) | HMAC tag (digest size)
/// ```
/// The tag covers `IV || ciphertext` only; the key modifier, magic and key id are bound through
/// the key derivation instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CbcHmacBody<'a> {
    /// KDF context for this payload.
    pub key_modifier: &'a [u8; KEY_MODIFIER_SIZE],
    /// CBC initialization vector.
    pub iv: &'a [u8; AES_BLOCK_SIZE],
    /// AES-CBC ciphertext, PKCS#7 padded.
    pub ciphertext: &'a [u8],
    /// HMAC over `IV || ciphertext`.
    pub tag: &'a [u8],
}

impl<'a> CbcHmacBody<'a> {
    /// Minimum body length for a digest size: key modifier, IV, one ciphertext block and tag.
    pub const fn minimum_len(digest_size: usize) -> usize {
        KEY_MODIFIER_SIZE + AES_BLOCK_SIZE + AES_BLOCK_SIZE + digest_size
    }

    /// The body length for a plaintext length: PKCS#7 always adds 1 to 16 bytes.
    pub const fn len_for(plaintext_len: usize, digest_size: usize) -> usize {
        KEY_MODIFIER_SIZE
            + AES_BLOCK_SIZE
            + (plaintext_len / AES_BLOCK_SIZE + 1) * AES_BLOCK_SIZE
            + digest_size
    }

    /// The bytes the MAC covers: `IV || ciphertext`, contiguous in the body.
    pub fn mac_input(&self, body: &'a [u8]) -> Option<&'a [u8]> {
        body.get(KEY_MODIFIER_SIZE..KEY_MODIFIER_SIZE + AES_BLOCK_SIZE + self.ciphertext.len())
    }

    /// The range of plaintext lengths this body can hold (PKCS#7 adds 1 to 16 bytes), or
    /// `None` when the ciphertext is not whole blocks — a body every decryption rejects.
    pub fn plaintext_len_range(&self) -> Option<(usize, usize)> {
        let ct = self.ciphertext.len();
        if ct.is_multiple_of(AES_BLOCK_SIZE) && ct > 0 {
            Some((ct - AES_BLOCK_SIZE, ct - 1))
        } else {
            None
        }
    }

    /// Splits a body whose tag is `digest_size` bytes.
    ///
    /// .NET accepts any non-empty ciphertext here and lets decryption reject a length that is not
    /// a whole number of blocks; since every failure after this point becomes one
    /// authentication error, this view accepts the same set.
    ///
    /// # Errors
    /// [`FormatError::BodyTooShort`] when there is no room for a non-empty ciphertext.
    pub fn parse(body: &'a [u8], digest_size: usize) -> Result<Self, FormatError> {
        let too_short = FormatError::BodyTooShort {
            minimum: KEY_MODIFIER_SIZE + AES_BLOCK_SIZE + 1 + digest_size,
            actual: body.len(),
        };
        let (key_modifier, rest) = body
            .split_first_chunk::<KEY_MODIFIER_SIZE>()
            .ok_or(too_short)?;
        let (iv, rest) = rest
            .split_first_chunk::<AES_BLOCK_SIZE>()
            .ok_or(too_short)?;
        let ct_len = rest.len().checked_sub(digest_size).ok_or(too_short)?;
        if ct_len == 0 {
            return Err(too_short);
        }
        let (ciphertext, tag) = rest.split_at(ct_len);
        Ok(Self {
            key_modifier,
            iv,
            ciphertext,
            tag,
        })
    }
}

/// The body written by the AES-GCM encryptor.
///
/// ```text
/// key modifier (16) | nonce (12) | ciphertext (= plaintext length) | tag (16)
/// ```
/// The AES-GCM associated data is empty: the purposes reach the cipher through the KDF.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GcmBody<'a> {
    /// KDF context for this payload.
    pub key_modifier: &'a [u8; KEY_MODIFIER_SIZE],
    /// GCM nonce.
    pub nonce: &'a [u8; GCM_NONCE_SIZE],
    /// Ciphertext, as long as the plaintext (may be empty).
    pub ciphertext: &'a [u8],
    /// GCM authentication tag.
    pub tag: &'a [u8; GCM_TAG_SIZE],
}

impl<'a> GcmBody<'a> {
    /// Minimum body length: an empty plaintext gives 44 bytes.
    pub const MINIMUM_LEN: usize = KEY_MODIFIER_SIZE + GCM_NONCE_SIZE + GCM_TAG_SIZE;

    /// The body length for a plaintext length.
    pub const fn len_for(plaintext_len: usize) -> usize {
        Self::MINIMUM_LEN + plaintext_len
    }

    /// The plaintext length: GCM's ciphertext is exactly as long.
    pub fn plaintext_len(&self) -> usize {
        self.ciphertext.len()
    }

    /// Splits a GCM body.
    ///
    /// # Errors
    /// [`FormatError::BodyTooShort`] below 44 bytes.
    pub fn parse(body: &'a [u8]) -> Result<Self, FormatError> {
        let too_short = FormatError::BodyTooShort {
            minimum: Self::MINIMUM_LEN,
            actual: body.len(),
        };
        let (key_modifier, rest) = body
            .split_first_chunk::<KEY_MODIFIER_SIZE>()
            .ok_or(too_short)?;
        let (nonce, rest) = rest
            .split_first_chunk::<GCM_NONCE_SIZE>()
            .ok_or(too_short)?;
        let (ciphertext, tag) = rest.split_last_chunk::<GCM_TAG_SIZE>().ok_or(too_short)?;
        Ok(Self {
            key_modifier,
            nonce,
            ciphertext,
            tag,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cbc_layout_of_the_dotnet_kat() -> Result<(), FormatError> {
        let body: Vec<u8> = (0u8..80).collect();
        let view = CbcHmacBody::parse(&body, 32)?;
        assert_eq!(view.key_modifier[0], 0);
        assert_eq!(view.iv[0], 16);
        assert_eq!(view.ciphertext, &body[32..48]);
        assert_eq!(view.tag, &body[48..80]);
        assert_eq!(CbcHmacBody::minimum_len(32), 80);
        Ok(())
    }

    #[test]
    fn lengths_round_trip_through_the_views() -> Result<(), FormatError> {
        for len in [0usize, 1, 15, 16, 17, 100] {
            let cbc = vec![0u8; CbcHmacBody::len_for(len, 32)];
            let (lo, hi) = CbcHmacBody::parse(&cbc, 32)?
                .plaintext_len_range()
                .ok_or(FormatError::InvalidBase64)?;
            assert!(lo <= len && len <= hi, "{len}: {lo}..={hi}");
            let gcm = vec![0u8; GcmBody::len_for(len)];
            assert_eq!(GcmBody::parse(&gcm)?.plaintext_len(), len);
        }
        let ragged = [0u8; 16 + 16 + 17 + 32];
        let view = CbcHmacBody::parse(&ragged, 32)?;
        assert_eq!(view.plaintext_len_range(), None);
        assert_eq!(view.mac_input(&ragged), Some(&ragged[16..49]));
        Ok(())
    }

    #[test]
    fn cbc_requires_non_empty_ciphertext() {
        let body = [0u8; 64];
        assert_eq!(
            CbcHmacBody::parse(&body, 32),
            Err(FormatError::BodyTooShort {
                minimum: 65,
                actual: 64
            })
        );
        assert!(CbcHmacBody::parse(&[0u8; 65], 32).is_ok());
        assert!(matches!(
            CbcHmacBody::parse(&[], 64),
            Err(FormatError::BodyTooShort { actual: 0, .. })
        ));
    }

    #[test]
    fn gcm_accepts_empty_plaintext() -> Result<(), FormatError> {
        let body = [7u8; 44];
        let view = GcmBody::parse(&body)?;
        assert!(view.ciphertext.is_empty());
        assert_eq!(
            GcmBody::parse(&body[..43]),
            Err(FormatError::BodyTooShort {
                minimum: 44,
                actual: 43
            })
        );
        Ok(())
    }
}
