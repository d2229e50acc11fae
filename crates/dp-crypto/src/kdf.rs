use core::fmt;

use hmac::{Hmac, Mac};
use sha2::Sha512;
use zeroize::{Zeroize, Zeroizing};

use crate::primitives::{AesKey, HmacKey, hmac_keyed};
use crate::{AesKeySize, CryptoError, ValidationAlgorithm};

/// The subkeys of one CBC + HMAC payload, typed so that neither can have the wrong length.
pub(crate) struct CbcSubkeys {
    /// `K_E`, the AES-CBC key.
    pub(crate) encryption: AesKey,
    /// `K_H`, the HMAC key (`digest_len` bytes, as .NET derives it).
    pub(crate) validation: HmacKey,
}

/// NIST SP800-108 KDF in counter mode with HMAC-SHA512, exactly as .NET implements it.
///
/// ```text
/// K(i) := HMAC-SHA512(kdk, BE32(i) || label || 0x00 || context header || context || BE32(L))
/// out  := first L/8 bytes of K(1) || K(2) || …        (i counts from 1; L in bits)
/// ```
/// `L` is the total output of one call: the CBC encryptor derives its encryption and MAC subkeys
/// in a single call, so `K_E` of a 32-byte request is not a prefix of a 64-byte request.
///
/// The HMAC key schedule (the inner and outer padded key blocks) is computed once in [`new`] and
/// cloned per block, which saves two SHA-512 compressions per derivation; .NET's managed
/// implementation pays them every time.
///
/// [`new`]: Sp800108Kdf::new
pub struct Sp800108Kdf {
    prf: Hmac<Sha512>,
}

const PRF_OUTPUT_LEN: usize = 64;

impl Sp800108Kdf {
    /// Keys the PRF with a key-derivation key of any length (HMAC hashes keys over 128 bytes).
    pub fn new(kdk: &[u8]) -> Self {
        // An empty key is valid too (.NET's context headers are derived with one).
        Self {
            prf: hmac_keyed(kdk),
        }
    }

    /// Fills `out` with key material for one `(label, context header, context)` triple.
    ///
    /// # Errors
    /// [`CryptoError::OutputTooLong`] if `out` holds 2^29 bytes or more (the bit length must fit
    /// 32 bits).
    pub fn derive(
        &self,
        label: &[u8],
        context_header: &[u8],
        context: &[u8],
        out: &mut [u8],
    ) -> Result<(), CryptoError> {
        let bits = u32::try_from(out.len())
            .ok()
            .and_then(|n| n.checked_mul(8))
            .ok_or(CryptoError::OutputTooLong)?;
        let mut counter: u32 = 1;
        for chunk in out.chunks_mut(PRF_OUTPUT_LEN) {
            let mut prf = self.prf.clone();
            prf.update(&counter.to_be_bytes());
            prf.update(label);
            prf.update(&[0]);
            prf.update(context_header);
            prf.update(context);
            prf.update(&bits.to_be_bytes());
            let mut block = [0u8; PRF_OUTPUT_LEN];
            block.copy_from_slice(&prf.finalize().into_bytes());
            chunk.copy_from_slice(&block[..chunk.len()]);
            block.zeroize();
            // At most 2^29 / 64 blocks: cannot wrap.
            counter = counter.wrapping_add(1);
        }
        Ok(())
    }

    /// Derives `K_E || K_H` in one call (`L` covers both, as in .NET) and hands them out typed.
    ///
    /// # Errors
    /// None in practice (at most 96 bytes are requested); errors of [`derive`] are passed on.
    ///
    /// [`derive`]: Sp800108Kdf::derive
    pub(crate) fn derive_cbc_subkeys(
        &self,
        label: &[u8],
        context_header: &[u8],
        context: &[u8],
        aes: AesKeySize,
        mac: ValidationAlgorithm,
    ) -> Result<CbcSubkeys, CryptoError> {
        // At most 32 + 64 bytes: on the stack, wiped on drop.
        let mut buffer = Zeroizing::new([0u8; 2 * PRF_OUTPUT_LEN]);
        let keys = buffer
            .get_mut(..aes.key_len() + mac.digest_len())
            .ok_or(CryptoError::OutputTooLong)?;
        self.derive(label, context_header, context, keys)?;
        let (k_e, k_h) = keys.split_at(aes.key_len());
        Ok(CbcSubkeys {
            encryption: AesKey::new(aes, k_e)?,
            validation: HmacKey::new(mac, k_h),
        })
    }

    /// Derives the AES-GCM key `K_E` and hands it out typed.
    ///
    /// # Errors
    /// None in practice (at most 32 bytes are requested); errors of [`derive`] are passed on.
    ///
    /// [`derive`]: Sp800108Kdf::derive
    pub(crate) fn derive_gcm_subkey(
        &self,
        label: &[u8],
        context_header: &[u8],
        context: &[u8],
        aes: AesKeySize,
    ) -> Result<AesKey, CryptoError> {
        let mut buffer = Zeroizing::new([0u8; PRF_OUTPUT_LEN]);
        let k_e = buffer
            .get_mut(..aes.key_len())
            .ok_or(CryptoError::OutputTooLong)?;
        self.derive(label, context_header, context, k_e)?;
        AesKey::new(aes, k_e)
    }
}

impl fmt::Debug for Sp800108Kdf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Sp800108Kdf")
    }
}
