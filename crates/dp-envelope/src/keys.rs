//! RSA keys: PEM files, validation, fingerprints.

use core::fmt;

use der::asn1::BitStringRef;
use der::{Decode, Encode};
use pkcs1::{RsaPrivateKeyRef, RsaPublicKeyRef};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::{EnvelopeError, RsaBackend};

/// Smallest accepted modulus.
pub const MIN_RSA_BITS: usize = 2048;
/// Largest accepted modulus.
pub const MAX_RSA_BITS: usize = 8192;
const F4: [u8; 3] = [0x01, 0x00, 0x01];

/// A key fingerprint: SHA-256 of the SubjectPublicKeyInfo DER.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Fingerprint(pub [u8; 32]);

impl fmt::Display for Fingerprint {
    /// Lowercase hex.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Fingerprint({self})")
    }
}

/// An RSA public key (2048 to 8192 bits, exponent 65537).
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey {
    spki_der: Vec<u8>,
    fingerprint: Fingerprint,
    modulus_len: usize,
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey")
            .field("bits", &(self.modulus_len * 8))
            .field("fingerprint", &self.fingerprint)
            .finish()
    }
}

fn modulus_bits(modulus: &[u8]) -> usize {
    // `UintRef` strips leading zero bytes.
    match modulus.first() {
        Some(first) => modulus.len() * 8 - first.leading_zeros() as usize,
        None => 0,
    }
}

fn check_rsa(public: &RsaPublicKeyRef<'_>) -> Result<usize, EnvelopeError> {
    let bits = modulus_bits(public.modulus.as_bytes());
    if !(MIN_RSA_BITS..=MAX_RSA_BITS).contains(&bits) {
        return Err(EnvelopeError::InvalidKey(format!(
            "RSA keys must have 2048 to 8192 bits, this one has {bits}"
        )));
    }
    if public.public_exponent.as_bytes() != F4 {
        return Err(EnvelopeError::InvalidKey(
            "the RSA public exponent must be 65537".into(),
        ));
    }
    // A product of two odd primes is odd: an even modulus is no RSA key, and the backends
    // would refuse it only later, when sealing.
    if public.modulus.as_bytes().last().is_none_or(|b| b & 1 == 0) {
        return Err(EnvelopeError::InvalidKey("the RSA modulus is even".into()));
    }
    Ok(bits.div_ceil(8))
}

impl PublicKey {
    /// Reads a SubjectPublicKeyInfo DER.
    ///
    /// # Errors
    /// [`EnvelopeError::InvalidKey`] for anything but an RSA key of 2048–8192 bits with
    /// exponent 65537.
    pub fn from_spki_der(der: &[u8]) -> Result<Self, EnvelopeError> {
        let info = spki::SubjectPublicKeyInfoRef::from_der(der)
            .map_err(|_| EnvelopeError::InvalidKey("not a SubjectPublicKeyInfo".into()))?;
        if info.algorithm.oid != pkcs1::ALGORITHM_OID {
            return Err(EnvelopeError::InvalidKey("not an RSA key".into()));
        }
        let bytes = info
            .subject_public_key
            .as_bytes()
            .ok_or_else(|| EnvelopeError::InvalidKey("malformed public key bits".into()))?;
        let rsa = RsaPublicKeyRef::from_der(bytes)
            .map_err(|_| EnvelopeError::InvalidKey("malformed RSA public key".into()))?;
        let modulus_len = check_rsa(&rsa)?;
        Ok(Self {
            spki_der: der.to_vec(),
            fingerprint: Fingerprint(Sha256::digest(der).into()),
            modulus_len,
        })
    }

    /// Reads a `PUBLIC KEY` PEM (SubjectPublicKeyInfo).
    ///
    /// # Errors
    /// [`EnvelopeError::InvalidKey`] for other PEM labels or invalid keys.
    pub fn from_pem(text: &str) -> Result<Self, EnvelopeError> {
        let (label, der) = pem_rfc7468::decode_vec(text.trim().as_bytes())
            .map_err(|_| EnvelopeError::InvalidKey("not a PEM file".into()))?;
        if label != "PUBLIC KEY" {
            return Err(EnvelopeError::InvalidKey(format!(
                "expected a PUBLIC KEY PEM, found {label}"
            )));
        }
        Self::from_spki_der(&der)
    }

    /// The key as `PUBLIC KEY` PEM.
    #[expect(
        clippy::expect_used,
        reason = "the label is a valid constant and the DER of an accepted key is a few KiB: \
                  PEM encoding cannot fail, and an empty string in its place would be written \
                  out as a key file"
    )]
    pub fn to_pem(&self) -> String {
        pem_encode("PUBLIC KEY", &self.spki_der).expect("PEM-encoding a valid key")
    }

    /// The SubjectPublicKeyInfo DER.
    pub fn spki_der(&self) -> &[u8] {
        &self.spki_der
    }

    /// SHA-256 of the SubjectPublicKeyInfo DER: how envelopes name keys.
    pub fn fingerprint(&self) -> Fingerprint {
        self.fingerprint
    }

    /// Modulus length in bytes (the length of ciphertexts and signatures).
    pub fn modulus_len(&self) -> usize {
        self.modulus_len
    }
}

/// An RSA private key (PKCS#8), wiped on drop.
pub struct PrivateKey {
    pkcs8_der: Zeroizing<Vec<u8>>,
    public: PublicKey,
}

/// Shows the public half only (its fingerprint says which key this is); nothing secret.
impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateKey")
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
}

impl PrivateKey {
    /// Reads a PKCS#8 DER private key.
    ///
    /// # Errors
    /// [`EnvelopeError::InvalidKey`] for anything but an acceptable RSA key.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, EnvelopeError> {
        let info = pkcs8::PrivateKeyInfoRef::from_der(der)
            .map_err(|_| EnvelopeError::InvalidKey("not a PKCS#8 private key".into()))?;
        if info.algorithm.oid != pkcs1::ALGORITHM_OID {
            return Err(EnvelopeError::InvalidKey("not an RSA key".into()));
        }
        let rsa = RsaPrivateKeyRef::from_der(info.private_key.as_bytes())
            .map_err(|_| EnvelopeError::InvalidKey("malformed RSA private key".into()))?;
        let public = rsa.public_key();
        check_rsa(&public)?;
        let spki = spki_from_rsa_public(&public)?;
        Ok(Self {
            pkcs8_der: Zeroizing::new(der.to_vec()),
            public: PublicKey::from_spki_der(&spki)?,
        })
    }

    /// Reads a `PRIVATE KEY` PEM (PKCS#8, unencrypted).
    ///
    /// # Errors
    /// [`EnvelopeError::InvalidKey`] for other labels (including encrypted PKCS#8) or keys.
    pub fn from_pem(text: &str) -> Result<Self, EnvelopeError> {
        let (label, der) = pem_rfc7468::decode_vec(text.trim().as_bytes())
            .map_err(|_| EnvelopeError::InvalidKey("not a PEM file".into()))?;
        let der = Zeroizing::new(der);
        if label != "PRIVATE KEY" {
            return Err(EnvelopeError::InvalidKey(format!(
                "expected a PRIVATE KEY PEM (PKCS#8), found {label}"
            )));
        }
        Self::from_pkcs8_der(&der)
    }

    /// Generates a key of `bits` (2048, 3072, 4096 or 8192).
    ///
    /// # Errors
    /// [`EnvelopeError::InvalidArgument`] for other sizes; backend failures.
    pub fn generate(bits: usize, backend: RsaBackend) -> Result<Self, EnvelopeError> {
        let (pkcs8, _) = backend.generate(bits).map_err(EnvelopeError::rsa)?;
        Self::from_pkcs8_der(&pkcs8)
    }

    /// The key as `PRIVATE KEY` PEM (secret: write it with owner-only permissions).
    #[expect(
        clippy::expect_used,
        reason = "the label is a valid constant and the DER of an accepted key is a few KiB: \
                  PEM encoding cannot fail, and an empty string in its place would be written \
                  out as a private-key file with success reported"
    )]
    pub fn to_pem(&self) -> Zeroizing<String> {
        Zeroizing::new(
            pem_encode("PRIVATE KEY", &self.pkcs8_der).expect("PEM-encoding a valid key"),
        )
    }

    /// The public half.
    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// The PKCS#8 DER of the private key, in clear.
    ///
    /// # Security
    /// This is the whole secret key, unwrapped: whoever sees these bytes can open every envelope
    /// sealed to the key and sign as its owner. Prefer [`PrivateKey::to_pem`] for storing the key;
    /// use this only to hand the key to another implementation, never log it, and wipe the copy
    /// you make.
    pub fn danger_pkcs8_der(&self) -> &[u8] {
        &self.pkcs8_der
    }

    /// The PKCS#8 DER, for this crate's RSA operations.
    pub(crate) fn pkcs8_der(&self) -> &[u8] {
        &self.pkcs8_der
    }
}

/// PEM-encodes `der` under `label` (LF line endings).
fn pem_encode(label: &str, der: &[u8]) -> Result<String, EnvelopeError> {
    pem_rfc7468::encode_string(label, pem_rfc7468::LineEnding::LF, der)
        .map_err(|_| EnvelopeError::InvalidKey(format!("cannot PEM-encode as {label:?}")))
}

/// Wraps a PKCS#1 `RSAPublicKey` into a SubjectPublicKeyInfo DER.
pub(crate) fn spki_from_rsa_public(public: &RsaPublicKeyRef<'_>) -> Result<Vec<u8>, EnvelopeError> {
    let encoding = |_| EnvelopeError::InvalidKey("cannot encode the public key".into());
    let pkcs1 = public.to_der().map_err(encoding)?;
    let info = spki::SubjectPublicKeyInfo {
        algorithm: pkcs1::ALGORITHM_ID,
        subject_public_key: BitStringRef::from_bytes(&pkcs1).map_err(encoding)?,
    };
    info.to_der().map_err(encoding)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_encoding_errors_instead_of_yielding_an_empty_key() {
        // The one input pem-rfc7468 refuses is an invalid label; the library never passes one,
        // which is why `to_pem` may `expect`.
        assert!(matches!(
            pem_encode("PRIVATE\nKEY", b"secret"),
            Err(EnvelopeError::InvalidKey(_))
        ));
        let pem = pem_encode("PRIVATE KEY", b"secret").map_err(|e| e.to_string());
        assert_eq!(
            pem.as_deref(),
            Ok("-----BEGIN PRIVATE KEY-----\nc2VjcmV0\n-----END PRIVATE KEY-----\n")
        );
    }

    #[test]
    fn an_even_modulus_is_no_rsa_key() {
        let mut modulus = [0xC5u8; 256];
        let check = |modulus: &[u8]| {
            check_rsa(&RsaPublicKeyRef {
                modulus: der::asn1::UintRef::new(modulus).expect("a positive integer"),
                public_exponent: der::asn1::UintRef::new(&F4).expect("65537"),
            })
        };
        assert!(matches!(check(&modulus), Ok(256)));
        modulus[255] = 0xC4;
        assert!(matches!(
            check(&modulus),
            Err(EnvelopeError::InvalidKey(why)) if why == "the RSA modulus is even"
        ));
    }
}
