//! CryptoAPI interoperability: RSA keys as `PUBLICKEYBLOB` / `PRIVATEKEYBLOB`, session keys as
//! `SIMPLEBLOB`, and the unauthenticated AES-CBC messages of the original session-key exchange.
//!
//! # Security
//! This is the procedure of the seed document as Windows programs run it: the message has no
//! integrity protection and nothing detects a replay. Use it to talk to such programs; use
//! [`crate::seal`] / [`crate::open`] for anything new.
//!
//! Without integrity, whether [`danger_decrypt_message`] succeeds is a CBC padding oracle: of
//! the 256 values of the last byte of the second-to-last ciphertext block (the IV for a
//! one-block message), about 2 give valid padding. Anyone who can submit modified messages and
//! learn the outcome (an exit status, an error reply, a timing) recovers the plaintext with
//! about 128 tries per byte, without the key.

use der::asn1::{OctetStringRef, UintRef};
use der::{Decode, Encode};
use dp_crypto::legacy::{BLOCK_SIZE, danger_aes_cbc_decrypt, danger_aes_cbc_encrypt};
use dp_crypto::{AesKeySize, OsRandom, SecureRandom};
use dp_format::capi::{AlgId, RsaPrivateBlob, RsaPublicBlob, SimpleBlob};
use zeroize::Zeroizing;

use crate::keys::spki_from_rsa_public;
use crate::{EnvelopeError, KeyWrapPadding, PrivateKey, PublicKey, RsaBackend};

/// How the session key is padded inside the `SIMPLEBLOB`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SessionKeyPadding {
    /// OAEP with SHA-1 and MGF1-SHA-1, empty label: `CryptExportKey` with `CRYPT_OAEP`.
    #[default]
    OaepSha1,
    /// PKCS#1 v1.5 type 2, CryptoAPI's default.
    ///
    /// # Security
    /// Unwrapping it is a padding oracle (Bleichenbacher, Marvin). Accept it only from systems
    /// that cannot send OAEP, and never where an attacker can submit many blobs and time or
    /// observe the results.
    DangerLegacyPkcs1v15,
}

impl SessionKeyPadding {
    fn wrap_padding(self) -> KeyWrapPadding {
        match self {
            Self::OaepSha1 => KeyWrapPadding::OaepSha1,
            Self::DangerLegacyPkcs1v15 => KeyWrapPadding::DangerPkcs1v15,
        }
    }
}

fn aes_of(alg: AlgId) -> Option<AesKeySize> {
    match alg {
        AlgId::Aes128 => Some(AesKeySize::Aes128),
        AlgId::Aes192 => Some(AesKeySize::Aes192),
        AlgId::Aes256 => Some(AesKeySize::Aes256),
        _ => None,
    }
}

fn alg_of(aes: AesKeySize) -> AlgId {
    match aes {
        AesKeySize::Aes128 => AlgId::Aes128,
        AesKeySize::Aes192 => AlgId::Aes192,
        AesKeySize::Aes256 => AlgId::Aes256,
    }
}

fn u32_of(be: &[u8]) -> Option<u32> {
    if be.len() > 4 {
        return None;
    }
    let mut buf = [0u8; 4];
    buf[4 - be.len()..].copy_from_slice(be);
    Some(u32::from_be_bytes(buf))
}

fn uint(bytes: &[u8]) -> Result<UintRef<'_>, EnvelopeError> {
    UintRef::new(bytes).map_err(|_| invalid("malformed key number"))
}

fn invalid(why: &str) -> EnvelopeError {
    EnvelopeError::InvalidKey(why.to_owned())
}

fn rsa_public(key: &PublicKey) -> Result<(Vec<u8>, Vec<u8>), EnvelopeError> {
    let info = spki::SubjectPublicKeyInfoRef::from_der(key.spki_der())
        .map_err(|_| invalid("malformed public key"))?;
    let bits = info
        .subject_public_key
        .as_bytes()
        .ok_or_else(|| invalid("malformed public key"))?;
    let rsa =
        pkcs1::RsaPublicKeyRef::from_der(bits).map_err(|_| invalid("malformed public key"))?;
    Ok((
        rsa.modulus.as_bytes().to_vec(),
        rsa.public_exponent.as_bytes().to_vec(),
    ))
}

fn bit_len(modulus: &[u8]) -> Result<u32, EnvelopeError> {
    let first = modulus.first().ok_or_else(|| invalid("empty modulus"))?;
    let bits = modulus.len() * 8 - first.leading_zeros() as usize;
    u32::try_from(bits).map_err(|_| invalid("modulus too large"))
}

/// The public key as a `PUBLICKEYBLOB` (`CALG_RSA_KEYX`).
///
/// # Errors
/// [`EnvelopeError::InvalidKey`] for keys a BLOB cannot hold; [`EnvelopeError::KeyBlob`] for
/// numbers no RSA key has (an even modulus), which a PEM can carry but a BLOB must not.
pub fn public_key_to_blob(key: &PublicKey) -> Result<Vec<u8>, EnvelopeError> {
    let (modulus, exponent) = rsa_public(key)?;
    let blob = RsaPublicBlob {
        alg: AlgId::RsaKeyx,
        bit_len: bit_len(&modulus)?,
        public_exponent: u32_of(&exponent).ok_or_else(|| invalid("public exponent too large"))?,
        modulus,
    };
    blob.encode().map_err(EnvelopeError::KeyBlob)
}

/// Reads a `PUBLICKEYBLOB` (key exchange or signature).
///
/// # Errors
/// [`EnvelopeError::KeyBlob`] for a malformed BLOB or numbers no RSA key has (an even modulus,
/// an even public exponent or one below 3); [`EnvelopeError::InvalidKey`] for a key we do not
/// accept (fewer than 2048 or more than 8192 bits, an exponent other than 65537). A key this
/// returns is one every backend encrypts to.
pub fn public_key_from_blob(bytes: &[u8]) -> Result<PublicKey, EnvelopeError> {
    let blob = RsaPublicBlob::parse(bytes).map_err(EnvelopeError::KeyBlob)?;
    let exponent = blob.public_exponent.to_be_bytes();
    let rsa = pkcs1::RsaPublicKeyRef {
        modulus: UintRef::new(&blob.modulus).map_err(|_| invalid("malformed modulus"))?,
        public_exponent: UintRef::new(&exponent).map_err(|_| invalid("malformed exponent"))?,
    };
    PublicKey::from_spki_der(&spki_from_rsa_public(&rsa)?)
}

/// The key pair as a `PRIVATEKEYBLOB` (secret; wiped on drop).
///
/// # Errors
/// [`EnvelopeError::InvalidKey`] for keys a BLOB cannot hold (multi-prime keys, primes of
/// unequal size); [`EnvelopeError::KeyBlob`] for numbers no RSA key has.
pub fn private_key_to_blob(key: &PrivateKey) -> Result<Zeroizing<Vec<u8>>, EnvelopeError> {
    let info = pkcs8::PrivateKeyInfoRef::from_der(key.pkcs8_der())
        .map_err(|_| invalid("malformed private key"))?;
    let rsa = pkcs1::RsaPrivateKeyRef::from_der(info.private_key.as_bytes())
        .map_err(|_| invalid("malformed private key"))?;
    if rsa.other_prime_infos.is_some() {
        return Err(invalid("multi-prime RSA keys have no PRIVATEKEYBLOB form"));
    }
    let blob = RsaPrivateBlob::from_numbers(
        AlgId::RsaKeyx,
        bit_len(rsa.modulus.as_bytes())?,
        u32_of(rsa.public_exponent.as_bytes())
            .ok_or_else(|| invalid("public exponent too large"))?,
        rsa.modulus.as_bytes().to_vec(),
        rsa.prime1.as_bytes().to_vec(),
        rsa.prime2.as_bytes().to_vec(),
        rsa.exponent1.as_bytes().to_vec(),
        rsa.exponent2.as_bytes().to_vec(),
        rsa.coefficient.as_bytes().to_vec(),
        rsa.private_exponent.as_bytes().to_vec(),
    );
    blob.encode().map(Zeroizing::new).map_err(|e| match e {
        dp_format::FormatError::LengthMismatch { .. } => {
            invalid("the key's primes do not fit a PRIVATEKEYBLOB")
        }
        other => EnvelopeError::KeyBlob(other),
    })
}

/// Reads a `PRIVATEKEYBLOB` into a PKCS#8 key, checked for consistency by the RSA backend.
///
/// # Errors
/// [`EnvelopeError::KeyBlob`] for a malformed BLOB or public numbers no RSA key has;
/// [`EnvelopeError::InvalidKey`] for private numbers that do not form a valid RSA key with
/// them, or a key we do not accept.
pub fn private_key_from_blob(
    bytes: &[u8],
    backend: RsaBackend,
) -> Result<PrivateKey, EnvelopeError> {
    let blob = RsaPrivateBlob::parse(bytes).map_err(EnvelopeError::KeyBlob)?;
    let exponent = blob.public_exponent().to_be_bytes();
    let rsa = pkcs1::RsaPrivateKeyRef {
        modulus: uint(blob.modulus())?,
        public_exponent: uint(&exponent)?,
        private_exponent: uint(blob.private_exponent())?,
        prime1: uint(blob.prime1())?,
        prime2: uint(blob.prime2())?,
        exponent1: uint(blob.exponent1())?,
        exponent2: uint(blob.exponent2())?,
        coefficient: uint(blob.coefficient())?,
        other_prime_infos: None,
    };
    let pkcs1_der = Zeroizing::new(rsa.to_der().map_err(|_| invalid("cannot encode the key"))?);
    let info = pkcs8::PrivateKeyInfoRef {
        algorithm: pkcs1::ALGORITHM_ID,
        private_key: OctetStringRef::new(&pkcs1_der)
            .map_err(|_| invalid("cannot encode the key"))?,
        public_key: None,
    };
    let pkcs8_der = Zeroizing::new(
        info.to_der()
            .map_err(|_| invalid("cannot encode the key"))?,
    );
    if !backend.accepts_private_key(&pkcs8_der) {
        return Err(invalid("the BLOB's numbers do not form a valid RSA key"));
    }
    PrivateKey::from_pkcs8_der(&pkcs8_der)
}

/// Whether a key file holds PEM text rather than a binary BLOB: PEM starts, after optional
/// whitespace, with `-----BEGIN `, which no BLOB header does (its first byte is a BLOB type).
fn is_pem(bytes: &[u8]) -> bool {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    bytes
        .get(start..)
        .is_some_and(|rest| rest.starts_with(b"-----BEGIN "))
}

fn pem_text(bytes: &[u8]) -> Result<&str, EnvelopeError> {
    core::str::from_utf8(bytes).map_err(|_| EnvelopeError::InvalidKey("not a PEM text file".into()))
}

/// A public key from a key file's bytes: SubjectPublicKeyInfo PEM, or a `PUBLICKEYBLOB`.
///
/// # Errors
/// [`EnvelopeError::InvalidKey`] for PEM that is not an acceptable RSA public key;
/// [`EnvelopeError::KeyBlob`] for a malformed BLOB.
pub fn public_key_from_file(bytes: &[u8]) -> Result<PublicKey, EnvelopeError> {
    if is_pem(bytes) {
        PublicKey::from_pem(pem_text(bytes)?)
    } else {
        public_key_from_blob(bytes)
    }
}

/// A private key from a key file's bytes: PKCS#8 PEM, or a `PRIVATEKEYBLOB`.
///
/// # Errors
/// As [`public_key_from_file`].
pub fn private_key_from_file(
    bytes: &[u8],
    backend: RsaBackend,
) -> Result<PrivateKey, EnvelopeError> {
    if is_pem(bytes) {
        PrivateKey::from_pem(pem_text(bytes)?)
    } else {
        private_key_from_blob(bytes, backend)
    }
}

/// Wraps a session key for `recipient` as a `SIMPLEBLOB`.
///
/// # Errors
/// [`EnvelopeError::InvalidArgument`] when the key length does not match `aes`; RSA errors.
pub fn wrap_session_key(
    recipient: &PublicKey,
    aes: AesKeySize,
    session_key: &[u8],
    padding: SessionKeyPadding,
    backend: RsaBackend,
) -> Result<Vec<u8>, EnvelopeError> {
    if session_key.len() != aes.key_len() {
        return Err(EnvelopeError::InvalidArgument(
            "session key length does not match the algorithm".into(),
        ));
    }
    let ciphertext = backend
        .encrypt(
            recipient.spki_der(),
            padding.wrap_padding(),
            session_key,
            &OsRandom,
        )
        .map_err(EnvelopeError::rsa)?;
    Ok(SimpleBlob {
        session_alg: alg_of(aes),
        ciphertext,
    }
    .encode())
}

/// Unwraps a `SIMPLEBLOB` with the recipient's key.
///
/// # Errors
/// [`EnvelopeError::SessionKeyBlob`] for a malformed BLOB or one whose ciphertext length is not
/// this key's modulus length; otherwise the single
/// [`EnvelopeError::KeyUnwrapFailed`] for every cryptographic failure (wrong key, padding,
/// length), so that the answer is no oracle.
pub fn unwrap_session_key(
    key: &PrivateKey,
    blob: &[u8],
    padding: SessionKeyPadding,
    backend: RsaBackend,
) -> Result<(AesKeySize, Zeroizing<Vec<u8>>), EnvelopeError> {
    let blob = SimpleBlob::parse(blob).map_err(EnvelopeError::SessionKeyBlob)?;
    let aes = aes_of(blob.session_alg).ok_or(EnvelopeError::KeyUnwrapFailed)?;
    // Public information, so a specific error reveals nothing: the ciphertext must be exactly
    // as long as the key's modulus.
    if blob.ciphertext.len() != key.public_key().modulus_len() {
        return Err(EnvelopeError::SessionKeyBlob(
            dp_format::FormatError::LengthMismatch {
                field: "encrypted key (for this key's modulus)",
            },
        ));
    }
    let session_key = backend
        .decrypt(key.pkcs8_der(), padding.wrap_padding(), &blob.ciphertext)
        .ok()
        .filter(|k| k.len() == aes.key_len())
        .ok_or(EnvelopeError::KeyUnwrapFailed)?;
    Ok((aes, session_key))
}

/// Encrypts a message as the seed procedure does: a random IV, then AES-CBC with PKCS#7
/// padding (`CryptEncrypt` with an AES session key), IV prepended.
///
/// # Errors
/// A wrong key length or a failing random source.
///
/// # Security
/// No integrity protection: see the module documentation.
pub fn danger_encrypt_message(
    aes: AesKeySize,
    session_key: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>, EnvelopeError> {
    let mut iv = [0u8; BLOCK_SIZE];
    OsRandom.fill(&mut iv)?;
    let mut out = iv.to_vec();
    out.extend(danger_aes_cbc_encrypt(aes, session_key, &iv, plaintext)?);
    Ok(out)
}

/// Decrypts a message made by [`danger_encrypt_message`] (or a CryptoAPI peer).
///
/// # Errors
/// [`EnvelopeError::KeyUnwrapFailed`] when the message is too short, not whole blocks, or its
/// padding is wrong (the likely cause: the wrong session key).
///
/// # Security
/// Success does not mean the message is genuine or fresh, and success versus failure is a
/// padding oracle: never let anyone who can submit messages observe it. See the module
/// documentation.
pub fn danger_decrypt_message(
    aes: AesKeySize,
    session_key: &[u8],
    message: &[u8],
) -> Result<Zeroizing<Vec<u8>>, EnvelopeError> {
    let (iv, ciphertext) = message
        .split_first_chunk::<BLOCK_SIZE>()
        .ok_or(EnvelopeError::KeyUnwrapFailed)?;
    danger_aes_cbc_decrypt(aes, session_key, iv, ciphertext)
        .map(Zeroizing::new)
        .map_err(|_| EnvelopeError::KeyUnwrapFailed)
}

#[cfg(test)]
mod tests {
    #[test]
    fn pem_and_blobs_are_told_apart_by_their_first_bytes() {
        assert!(super::is_pem(b"\n  -----BEGIN PUBLIC KEY-----"));
        assert!(!super::is_pem(&[0x06, 0x02, 0, 0, 0, 0xA4, 0, 0]));
        assert!(!super::is_pem(b"   "));
        assert!(!super::is_pem(b""));
    }
}
