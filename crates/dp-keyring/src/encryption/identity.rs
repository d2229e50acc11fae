//! Identities: a certificate and its RSA private key, what .NET's `EncryptedXml` needs to
//! decrypt a key written by `ProtectKeysWithCertificate`.
//!
//! They come as a PKCS #12 (.pfx) file, as Windows and `X509Certificate2.Export` write them, or
//! as PEM (one text with both, or two files). PKCS #12 files of Windows and of `openssl -legacy`
//! use the PBES1 schemes (`pbeWithSHAAnd3-KeyTripleDES-CBC`, `pbeWithSHAAnd40BitRC2-CBC`) with a
//! SHA-1 MAC; `p12-keystore` reads those as well as PBES2.

use core::fmt;

use der::asn1::OctetStringRef;
use der::{Decode, Encode};
use p12_keystore::Pkcs12Archive;
use p12_keystore::error::Error as Pkcs12Error;
use zeroize::Zeroizing;

use super::certificate::{
    CERTIFICATE_LABEL, Certificate, RSA_ENCRYPTION, Sniffed, pem_blocks, sniff,
};
use crate::{IdentityError, KeyringError};

/// A certificate and its RSA private key: a secret.
///
/// The key is held as PKCS #8 DER and zeroized on drop. Not `Clone`; `Debug` shows the
/// certificate's thumbprint only.
pub struct Identity {
    certificate: Certificate,
    private_key: Zeroizing<Vec<u8>>,
}

impl Identity {
    /// Reads a PKCS #12 (.pfx) file: its RSA private key and the certificate that carries the
    /// key's public key (found by key, not by the bags' `localKeyId`).
    ///
    /// # Errors
    /// [`IdentityError::WrongPassword`] if the MAC does not verify under `password`;
    /// [`IdentityError::MalformedPkcs12`]; [`IdentityError::NoPrivateKey`],
    /// [`IdentityError::NoCertificate`], [`IdentityError::KeyMismatch`],
    /// [`IdentityError::NotRsa`].
    pub fn from_pkcs12(bytes: &[u8], password: &str) -> Result<Self, KeyringError> {
        Ok(read_pkcs12(bytes, password)?.into_identity()?)
    }

    /// Reads one PEM text holding the certificate (`CERTIFICATE`, possibly with the rest of
    /// its chain) and the private key: `PRIVATE KEY` (PKCS #8) or `RSA PRIVATE KEY` (PKCS #1).
    /// The certificate used is the one that carries the key's public key.
    ///
    /// # Errors
    /// [`IdentityError::MalformedPem`], [`IdentityError::MalformedCertificate`],
    /// [`IdentityError::MalformedPrivateKey`], [`IdentityError::EncryptedPemKey`],
    /// [`IdentityError::NoCertificate`], [`IdentityError::NoPrivateKey`],
    /// [`IdentityError::KeyMismatch`], [`IdentityError::NotRsa`].
    pub fn from_pem(text: &str) -> Result<Self, KeyringError> {
        Ok(from_pem_texts(text, text)?)
    }

    /// Reads a certificate PEM and a private-key PEM (two files); the key must belong to the
    /// certificate (or to one of the certificates of a chain file).
    ///
    /// # Errors
    /// As [`Identity::from_pem`]; [`IdentityError::KeyMismatch`] when the key belongs to none of
    /// the certificates.
    pub fn from_pem_pair(certificate_pem: &str, key_pem: &str) -> Result<Self, KeyringError> {
        Ok(from_pem_texts(certificate_pem, key_pem)?)
    }

    /// Reads a PEM text or a PKCS #12 file, told apart by content. A missing password is the
    /// empty password.
    ///
    /// # Errors
    /// [`IdentityError::UnrecognizedFormat`]; [`IdentityError::NoPrivateKey`] for a certificate
    /// alone; otherwise as [`Identity::from_pem`] and [`Identity::from_pkcs12`].
    pub fn load(bytes: &[u8], pfx_password: Option<&str>) -> Result<Self, KeyringError> {
        match sniff(bytes)? {
            Sniffed::Pem(text) => Self::from_pem(text),
            Sniffed::DerCertificate => Err(IdentityError::NoPrivateKey.into()),
            Sniffed::Pkcs12 => Self::from_pkcs12(bytes, pfx_password.unwrap_or("")),
        }
    }

    /// The certificate.
    pub fn certificate(&self) -> &Certificate {
        &self.certificate
    }

    /// The RSA private key as PKCS #8 DER.
    pub(crate) fn private_key_pkcs8(&self) -> &[u8] {
        &self.private_key
    }
}

impl fmt::Debug for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Identity")
            .field("thumbprint", &self.certificate.thumbprint_hex())
            .finish_non_exhaustive()
    }
}

fn from_pem_texts(certificate_pem: &str, key_pem: &str) -> Result<Identity, IdentityError> {
    let certificates = pem_blocks(certificate_pem)?
        .iter()
        .filter(|block| block.label() == CERTIFICATE_LABEL)
        .map(|block| Certificate::parse(block.der()))
        .collect::<Result<Vec<_>, _>>()?;
    let mut keys = Vec::new();
    for block in pem_blocks(key_pem)? {
        match block.label() {
            "PRIVATE KEY" => keys.push(block.into_der()),
            "RSA PRIVATE KEY" => keys.push(pkcs8_from_pkcs1(block.der())?),
            "ENCRYPTED PRIVATE KEY" => return Err(IdentityError::EncryptedPemKey),
            _ => {}
        }
    }
    pair(certificates, keys)
}

/// Wraps a PKCS #1 `RSAPrivateKey` in a PKCS #8 `PrivateKeyInfo` with the `rsaEncryption`
/// algorithm, as `openssl pkey` would.
fn pkcs8_from_pkcs1(pkcs1_der: &[u8]) -> Result<Zeroizing<Vec<u8>>, IdentityError> {
    let malformed = |e: der::Error| IdentityError::MalformedPrivateKey(format!("PKCS #1: {e}"));
    pkcs1::RsaPrivateKey::<der::asn1::UintRef<'_>>::from_der(pkcs1_der).map_err(malformed)?;
    let octets = OctetStringRef::new(pkcs1_der).map_err(malformed)?;
    let info = pkcs8::PrivateKeyInfoRef::new(pkcs1::ALGORITHM_ID, octets);
    info.to_der().map(Zeroizing::new).map_err(malformed)
}

/// An RSA private key (PKCS #8) with its public half, to find its certificate.
struct RsaKey {
    pkcs8: Zeroizing<Vec<u8>>,
    modulus: Vec<u8>,
    public_exponent: Vec<u8>,
}

impl RsaKey {
    fn parse(pkcs8: Zeroizing<Vec<u8>>) -> Result<Self, IdentityError> {
        let malformed = |e: der::Error| IdentityError::MalformedPrivateKey(e.to_string());
        let info = pkcs8::PrivateKeyInfoRef::from_der(&pkcs8).map_err(malformed)?;
        if info.algorithm.oid != RSA_ENCRYPTION {
            return Err(IdentityError::NotRsa {
                algorithm: info.algorithm.oid.to_string(),
            });
        }
        let key =
            pkcs1::RsaPrivateKey::<der::asn1::UintRef<'_>>::from_der(info.private_key.as_bytes())
                .map_err(malformed)?;
        let modulus = key.modulus.as_bytes().to_vec();
        let public_exponent = key.public_exponent.as_bytes().to_vec();
        Ok(Self {
            pkcs8,
            modulus,
            public_exponent,
        })
    }

    fn belongs_to(&self, certificate: &Certificate) -> bool {
        certificate.rsa_public_key().is_ok_and(|public| {
            public.modulus.as_bytes() == self.modulus.as_slice()
                && public.public_exponent.as_bytes() == self.public_exponent.as_slice()
        })
    }
}

/// The first key, in order, that belongs to one of the certificates, with that certificate.
fn pair(
    certificates: Vec<Certificate>,
    keys: Vec<Zeroizing<Vec<u8>>>,
) -> Result<Identity, IdentityError> {
    if keys.is_empty() {
        return Err(IdentityError::NoPrivateKey);
    }
    if certificates.is_empty() {
        return Err(IdentityError::NoCertificate);
    }
    let mut first_error = None;
    for key in keys {
        let key = match RsaKey::parse(key) {
            Ok(key) => key,
            Err(e) => {
                first_error.get_or_insert(e);
                continue;
            }
        };
        if let Some(certificate) = certificates.iter().find(|c| key.belongs_to(c)) {
            return Ok(Identity {
                certificate: certificate.clone(),
                private_key: key.pkcs8,
            });
        }
        // An RSA key that belongs to none of the certificates is the more telling failure.
        first_error = Some(IdentityError::KeyMismatch);
    }
    Err(first_error.unwrap_or(IdentityError::KeyMismatch))
}

/// The decrypted contents of a PKCS #12 file.
pub(super) struct Pkcs12Contents {
    certificates: Vec<Certificate>,
    keys: Vec<Zeroizing<Vec<u8>>>,
}

impl Pkcs12Contents {
    fn into_identity(self) -> Result<Identity, IdentityError> {
        pair(self.certificates, self.keys)
    }

    /// The certificate of the private key if there is one that matches, else the end-entity
    /// certificate: the first that is not the issuer of another certificate of the file.
    pub(super) fn into_certificate(self) -> Result<Certificate, IdentityError> {
        let Self { certificates, keys } = self;
        if !keys.is_empty()
            && let Ok(identity) = pair(certificates.clone(), keys)
        {
            return Ok(identity.certificate);
        }
        let issues_another = |candidate: &Certificate| {
            let (subject, _) = candidate.names();
            certificates.iter().any(|other| {
                let (other_subject, other_issuer) = other.names();
                other != candidate && other_subject != subject && other_issuer == subject
            })
        };
        let end_entity = certificates
            .iter()
            .find(|c| !issues_another(c))
            .or_else(|| certificates.first())
            .ok_or(IdentityError::NoCertificate)?;
        Ok(end_entity.clone())
    }
}

/// Decrypts a PKCS #12 file and keeps its certificates and private keys.
///
/// `p12-keystore`'s own buffers of the decrypted key bags are not zeroized (its `PrivateKey`
/// does not zeroize); the copies kept here are.
pub(super) fn read_pkcs12(bytes: &[u8], password: &str) -> Result<Pkcs12Contents, IdentityError> {
    let archive = Pkcs12Archive::from_pkcs12(bytes, password).map_err(pkcs12_error)?;
    let certificates = archive
        .certs
        .iter()
        .map(|bag| Certificate::parse(bag.cert.as_der()))
        .collect::<Result<Vec<_>, _>>()?;
    let keys = archive
        .keys
        .iter()
        .map(|bag| Zeroizing::new(bag.key.as_der().to_vec()))
        .collect();
    Ok(Pkcs12Contents { certificates, keys })
}

/// A MAC that does not verify is a wrong password; so is bad padding after a PBES1 decryption,
/// which is what a wrong password gives for a file without a MAC (with a MAC that verified, a
/// bag encrypted under another password).
fn pkcs12_error(e: Pkcs12Error) -> IdentityError {
    match e {
        Pkcs12Error::MacError(_) | Pkcs12Error::UnpadError => IdentityError::WrongPassword,
        Pkcs12Error::InvalidPrivateKey => {
            IdentityError::MalformedPrivateKey("a PKCS #12 key bag is not PKCS #8".into())
        }
        other => IdentityError::MalformedPkcs12(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(name: &str) -> Vec<u8> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/certificate")
            .join(name);
        std::fs::read(path).unwrap()
    }

    #[test]
    fn pfx_pem_and_pkcs1_give_the_same_pkcs8_key() {
        let from_pfx = Identity::from_pkcs12(&data("certificate.pfx"), "interop").unwrap();
        let from_rc2 = Identity::from_pkcs12(&data("certificate-rc2.pfx"), "interop").unwrap();
        let cert_pem = String::from_utf8(data("certificate.cert.pem")).unwrap();
        let key_pem = String::from_utf8(data("certificate.key.pem")).unwrap();
        let from_pem = Identity::from_pem_pair(&cert_pem, &key_pem).unwrap();
        assert_eq!(from_pfx.private_key_pkcs8(), from_pem.private_key_pkcs8());
        assert_eq!(from_rc2.private_key_pkcs8(), from_pem.private_key_pkcs8());

        let info = pkcs8::PrivateKeyInfoRef::from_der(from_pem.private_key_pkcs8()).unwrap();
        let rewrapped = pkcs8_from_pkcs1(info.private_key.as_bytes()).unwrap();
        assert_eq!(rewrapped.as_slice(), from_pem.private_key_pkcs8());
    }
}
