//! The pure-Rust backend (the `rsa` crate). Its private-key operations are blinded but not
//! constant-time (Marvin, RUSTSEC-2023-0071). Randomness comes from the caller's
//! [`SecureRandom`] where the API takes one, else from [`OsRandom`]; a failing source fails the
//! operation, never falls back.

use ::rsa::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use ::rsa::pss::{Signature, SigningKey, VerifyingKey};
use ::rsa::signature::{RandomizedSigner, SignatureEncoding, Verifier};
use ::rsa::{Oaep, Pkcs1v15Encrypt, PrivateKey, PublicKey};
use sha1::Sha1;
use sha2::Sha256;
use zeroize::Zeroizing;

use super::KeyWrapPadding;
use crate::{CryptoError, OsRandom, SecureRandom};

/// A [`SecureRandom`] as the `rand_core` generator the `rsa` crate takes.
struct Injected<'a>(&'a dyn SecureRandom);

impl rand_core::TryRng for Injected<'_> {
    type Error = CryptoError;

    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        let mut b = [0u8; 4];
        self.0.fill(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }

    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        let mut b = [0u8; 8];
        self.0.fill(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        self.0.fill(dst)
    }
}

impl rand_core::TryCryptoRng for Injected<'_> {}

pub(super) fn encrypt(
    spki: &[u8],
    padding: KeyWrapPadding,
    msg: &[u8],
    rng: &dyn SecureRandom,
) -> Result<Vec<u8>, CryptoError> {
    let key = PublicKey::from_public_key_der(spki)
        .map_err(|_| CryptoError::InvalidRsaKey("not an RSA public key"))?;
    let mut rng = Injected(rng);
    match padding {
        KeyWrapPadding::OaepSha256 => key.encrypt(&mut rng, Oaep::<Sha256>::new(), msg),
        KeyWrapPadding::OaepSha1 => key.encrypt(&mut rng, Oaep::<Sha1>::new(), msg),
        KeyWrapPadding::DangerPkcs1v15 => key.encrypt(&mut rng, Pkcs1v15Encrypt, msg),
    }
    .map_err(|_| CryptoError::RsaFailed("encryption failed"))
}

/// Every failure is the same `None`. The blinding factor comes from the operating system.
pub(super) fn decrypt(
    pkcs8: &[u8],
    padding: KeyWrapPadding,
    ct: &[u8],
) -> Option<Zeroizing<Vec<u8>>> {
    let key = PrivateKey::from_pkcs8_der(pkcs8).ok()?;
    let mut rng = Injected(&OsRandom);
    match padding {
        KeyWrapPadding::OaepSha256 => key.decrypt_blinded(&mut rng, Oaep::<Sha256>::new(), ct),
        KeyWrapPadding::OaepSha1 => key.decrypt_blinded(&mut rng, Oaep::<Sha1>::new(), ct),
        KeyWrapPadding::DangerPkcs1v15 => key.decrypt_blinded(&mut rng, Pkcs1v15Encrypt, ct),
    }
    .ok()
    .map(Zeroizing::new)
}

pub(super) fn sign(
    pkcs8: &[u8],
    msg: &[u8],
    rng: &dyn SecureRandom,
) -> Result<Vec<u8>, CryptoError> {
    let key = PrivateKey::from_pkcs8_der(pkcs8)
        .map_err(|_| CryptoError::InvalidRsaKey("not an RSA private key"))?;
    let signer = SigningKey::<Sha256>::new(key);
    let sig = signer
        .try_sign_with_rng(&mut Injected(rng), msg)
        .map_err(|_| CryptoError::RsaFailed("signing failed"))?;
    Ok(sig.to_vec())
}

pub(super) fn verify(spki: &[u8], msg: &[u8], sig: &[u8]) -> bool {
    let Ok(key) = PublicKey::from_public_key_der(spki) else {
        return false;
    };
    let Ok(sig) = Signature::try_from(sig) else {
        return false;
    };
    VerifyingKey::<Sha256>::new(key).verify(msg, &sig).is_ok()
}

pub(super) fn accepts_private_key(pkcs8: &[u8]) -> bool {
    PrivateKey::from_pkcs8_der(pkcs8).is_ok()
}

/// `bits` is one of `GENERATED_BITS`, checked by the caller.
pub(super) fn generate(bits: usize) -> Result<(Zeroizing<Vec<u8>>, Vec<u8>), CryptoError> {
    let key = PrivateKey::new(&mut Injected(&OsRandom), bits)
        .map_err(|_| CryptoError::RsaFailed("key generation failed"))?;
    let pkcs8 = key
        .to_pkcs8_der()
        .map_err(|_| CryptoError::RsaFailed("key encoding failed"))?;
    let spki = key
        .to_public_key()
        .to_public_key_der()
        .map_err(|_| CryptoError::RsaFailed("key encoding failed"))?;
    Ok((
        Zeroizing::new(pkcs8.as_bytes().to_vec()),
        spki.as_bytes().to_vec(),
    ))
}
