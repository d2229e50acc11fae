//! The AWS-LC backend (`aws-lc-rs`): constant-time private-key operations. Its encryption and
//! signing draw randomness from AWS-LC's own generator; its API takes none.

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{
    KeyPair, KeySize, OAEP_SHA1_MGF1SHA1, OAEP_SHA256_MGF1SHA256, OaepAlgorithm,
    OaepPrivateDecryptingKey, OaepPublicEncryptingKey, Pkcs1PrivateDecryptingKey,
    Pkcs1PublicEncryptingKey, PrivateDecryptingKey, PublicEncryptingKey,
};
use aws_lc_rs::signature::KeyPair as _;
use aws_lc_rs::signature::{RSA_PSS_2048_8192_SHA256, RSA_PSS_SHA256, UnparsedPublicKey};
use zeroize::Zeroizing;

use super::KeyWrapPadding;
use crate::CryptoError;

/// The OAEP parameters of a padding; `None` for PKCS#1 v1.5.
fn oaep(padding: KeyWrapPadding) -> Option<&'static OaepAlgorithm> {
    match padding {
        KeyWrapPadding::OaepSha256 => Some(&OAEP_SHA256_MGF1SHA256),
        KeyWrapPadding::OaepSha1 => Some(&OAEP_SHA1_MGF1SHA1),
        KeyWrapPadding::DangerPkcs1v15 => None,
    }
}

pub(super) fn encrypt(
    spki: &[u8],
    padding: KeyWrapPadding,
    msg: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    let key = PublicEncryptingKey::from_der(spki)
        .map_err(|_| CryptoError::InvalidRsaKey("not an RSA public key"))?;
    let mut out = vec![0u8; key.key_size_bytes()];
    let len = match oaep(padding) {
        Some(alg) => OaepPublicEncryptingKey::new(key)
            .and_then(|k| k.encrypt(alg, msg, &mut out, None).map(|c| c.len())),
        None => Pkcs1PublicEncryptingKey::new(key)
            .and_then(|k| k.encrypt(msg, &mut out).map(|c| c.len())),
    }
    .map_err(|_| CryptoError::RsaFailed("encryption failed"))?;
    out.truncate(len);
    Ok(out)
}

/// Every failure is the same `None`.
pub(super) fn decrypt(
    pkcs8: &[u8],
    padding: KeyWrapPadding,
    ct: &[u8],
) -> Option<Zeroizing<Vec<u8>>> {
    let key = PrivateDecryptingKey::from_pkcs8(pkcs8).ok()?;
    let mut out = Zeroizing::new(vec![0u8; key.key_size_bytes()]);
    let len = match oaep(padding) {
        Some(alg) => OaepPrivateDecryptingKey::new(key)
            .ok()?
            .decrypt(alg, ct, &mut out, None)
            .ok()?
            .len(),
        None => Pkcs1PrivateDecryptingKey::new(key)
            .ok()?
            .decrypt(ct, &mut out)
            .ok()?
            .len(),
    };
    out.truncate(len);
    Some(out)
}

pub(super) fn sign(pkcs8: &[u8], msg: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let key = KeyPair::from_pkcs8(pkcs8)
        .map_err(|_| CryptoError::InvalidRsaKey("not an RSA private key"))?;
    let mut sig = vec![0u8; key.public_modulus_len()];
    key.sign(&RSA_PSS_SHA256, &SystemRandom::new(), msg, &mut sig)
        .map_err(|_| CryptoError::RsaFailed("signing failed"))?;
    Ok(sig)
}

pub(super) fn verify(spki: &[u8], msg: &[u8], sig: &[u8]) -> bool {
    UnparsedPublicKey::new(&RSA_PSS_2048_8192_SHA256, spki)
        .verify(msg, sig)
        .is_ok()
}

pub(super) fn accepts_private_key(pkcs8: &[u8]) -> bool {
    KeyPair::from_pkcs8(pkcs8).is_ok()
}

/// `bits` is one of `GENERATED_BITS`, checked by the caller.
pub(super) fn generate(bits: usize) -> Result<(Zeroizing<Vec<u8>>, Vec<u8>), CryptoError> {
    let size = match bits {
        2048 => KeySize::Rsa2048,
        3072 => KeySize::Rsa3072,
        4096 => KeySize::Rsa4096,
        8192 => KeySize::Rsa8192,
        _ => return Err(CryptoError::UnsupportedRsaKeySize(bits)),
    };
    let pair =
        KeyPair::generate(size).map_err(|_| CryptoError::RsaFailed("key generation failed"))?;
    let pkcs8 = pair
        .as_der()
        .map_err(|_| CryptoError::RsaFailed("key encoding failed"))?;
    let spki = pair
        .public_key()
        .as_der()
        .map_err(|_| CryptoError::RsaFailed("key encoding failed"))?;
    Ok((
        Zeroizing::new(pkcs8.as_ref().to_vec()),
        spki.as_ref().to_vec(),
    ))
}
