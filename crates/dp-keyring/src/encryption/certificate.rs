//! X.509 certificates, as .NET's `X509Certificate2` exposes what Data Protection needs of them:
//! the raw DER, the SHA-1 thumbprint that selects a decryption identity, names, validity and the
//! RSA public key that encrypts key XML.

use core::fmt;

use der::{Decode, Encode, Header, SliceReader, Tag};
use sha1::{Digest, Sha1};
use spki::ObjectIdentifier;
use x509_cert::time::Time;
use zeroize::Zeroizing;

use super::identity;
use crate::{IdentityError, KeyringError, Timestamp};

/// The `rsaEncryption` algorithm of a SubjectPublicKeyInfo or a PKCS #8 key.
pub(super) const RSA_ENCRYPTION: ObjectIdentifier = pkcs1::ALGORITHM_OID;

/// An X.509 certificate: public data.
///
/// Equality is by the exact DER bytes, as .NET compares `RawData`.
#[derive(Clone)]
pub struct Certificate {
    /// The bytes as received (never a re-encoding: the thumbprint is over these).
    der: Vec<u8>,
    parsed: x509_cert::Certificate,
}

impl Certificate {
    /// Parses a DER-encoded X.509 certificate.
    ///
    /// # Errors
    /// [`IdentityError::MalformedCertificate`] if the bytes are not one DER certificate (trailing
    /// bytes are refused).
    pub fn from_der(der: &[u8]) -> Result<Self, KeyringError> {
        Ok(Self::parse(der)?)
    }

    /// Parses the first `CERTIFICATE` block of a PEM text (other blocks, such as a private key
    /// or the rest of a chain, are skipped).
    ///
    /// # Errors
    /// [`IdentityError::MalformedPem`] for a broken PEM block, [`IdentityError::NoCertificate`]
    /// if there is no `CERTIFICATE` block, [`IdentityError::MalformedCertificate`] if it does not
    /// hold a certificate.
    pub fn from_pem(text: &str) -> Result<Self, KeyringError> {
        let blocks = pem_blocks(text)?;
        let certificate = blocks
            .iter()
            .find(|block| block.label() == CERTIFICATE_LABEL)
            .ok_or(IdentityError::NoCertificate)?;
        Ok(Self::parse(certificate.der())?)
    }

    /// Loads a certificate from PEM text, DER or a PKCS #12 (.pfx) file, told apart by content.
    ///
    /// From a PKCS #12 file, the certificate of its private key if it has one, else the
    /// end-entity certificate (the first that issued no other certificate of the file). A
    /// missing password is the empty password.
    ///
    /// # Errors
    /// [`KeyringError::Identity`]: [`IdentityError::UnrecognizedFormat`] for bytes that are none
    /// of the three, [`IdentityError::WrongPassword`], and the errors of [`Certificate::from_der`]
    /// and [`Certificate::from_pem`] and of a PKCS #12 file.
    pub fn load(bytes: &[u8], pfx_password: Option<&str>) -> Result<Self, KeyringError> {
        match sniff(bytes)? {
            Sniffed::Pem(text) => Self::from_pem(text),
            Sniffed::DerCertificate => Self::from_der(bytes),
            Sniffed::Pkcs12 => {
                let contents = identity::read_pkcs12(bytes, pfx_password.unwrap_or(""))?;
                Ok(contents.into_certificate()?)
            }
        }
    }

    pub(super) fn parse(der: &[u8]) -> Result<Self, IdentityError> {
        let parsed = x509_cert::Certificate::from_der(der)
            .map_err(|e| IdentityError::MalformedCertificate(e.to_string()))?;
        Ok(Self {
            der: der.to_vec(),
            parsed,
        })
    }

    /// The certificate's DER bytes, as received (.NET's `RawData`).
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The SHA-1 of the DER bytes: .NET's `Thumbprint`, by which Data Protection finds the
    /// certificate that decrypts a key.
    pub fn thumbprint(&self) -> [u8; 20] {
        Sha1::digest(&self.der).into()
    }

    /// [`Certificate::thumbprint`] in upper-case hex, as .NET prints it.
    pub fn thumbprint_hex(&self) -> String {
        upper_hex(&self.thumbprint())
    }

    /// The subject's distinguished name in RFC 4514 form, e.g. `CN=dp interop test`.
    pub fn subject(&self) -> String {
        self.parsed.tbs_certificate().subject().to_string()
    }

    /// The issuer's distinguished name in RFC 4514 form.
    pub fn issuer(&self) -> String {
        self.parsed.tbs_certificate().issuer().to_string()
    }

    /// The serial number in upper-case hex, big-endian, as .NET's `SerialNumber` (with the
    /// leading `00` the DER integer may have).
    pub fn serial_hex(&self) -> String {
        upper_hex(self.parsed.tbs_certificate().serial_number().as_bytes())
    }

    /// The start of the validity period.
    ///
    /// # Errors
    /// [`KeyringError::InvalidDate`] if the instant cannot be represented.
    pub fn not_before(&self) -> Result<Timestamp, KeyringError> {
        timestamp(self.parsed.tbs_certificate().validity().not_before)
    }

    /// The end of the validity period.
    ///
    /// # Errors
    /// [`KeyringError::InvalidDate`] if the instant cannot be represented (a `99991231235959Z`
    /// "no expiry" date is representable).
    pub fn not_after(&self) -> Result<Timestamp, KeyringError> {
        timestamp(self.parsed.tbs_certificate().validity().not_after)
    }

    /// The certificate's public key as a DER SubjectPublicKeyInfo, if it is an RSA key.
    ///
    /// # Errors
    /// [`IdentityError::NotRsa`] for any other algorithm.
    pub fn rsa_public_key_spki(&self) -> Result<Vec<u8>, KeyringError> {
        let spki = self.rsa_spki()?;
        spki.to_der()
            .map_err(|e| IdentityError::MalformedCertificate(e.to_string()).into())
    }

    /// The length in bytes of the RSA modulus: the size of one RSA-encrypted block.
    ///
    /// # Errors
    /// [`IdentityError::NotRsa`] for a key of another algorithm,
    /// [`IdentityError::MalformedCertificate`] if the RSA key cannot be read.
    pub fn rsa_modulus_len(&self) -> Result<usize, KeyringError> {
        let key = self.rsa_public_key()?;
        Ok(key.modulus.as_bytes().len())
    }

    fn rsa_spki(&self) -> Result<&spki::SubjectPublicKeyInfoOwned, IdentityError> {
        let spki = self.parsed.tbs_certificate().subject_public_key_info();
        if spki.algorithm.oid != RSA_ENCRYPTION {
            return Err(IdentityError::NotRsa {
                algorithm: spki.algorithm.oid.to_string(),
            });
        }
        Ok(spki)
    }

    /// The certificate's RSA public key (modulus and exponent).
    pub(super) fn rsa_public_key(
        &self,
    ) -> Result<pkcs1::RsaPublicKey<der::asn1::UintRef<'_>>, IdentityError> {
        let spki = self.rsa_spki()?;
        let bits = spki.subject_public_key.as_bytes().ok_or_else(|| {
            IdentityError::MalformedCertificate("the public key has unused bits".into())
        })?;
        pkcs1::RsaPublicKey::from_der(bits)
            .map_err(|e| IdentityError::MalformedCertificate(format!("RSA public key: {e}")))
    }

    /// The subject and issuer names, which the end-entity selection compares.
    pub(super) fn names(&self) -> (&x509_cert::name::Name, &x509_cert::name::Name) {
        let tbs = self.parsed.tbs_certificate();
        (tbs.subject(), tbs.issuer())
    }
}

impl PartialEq for Certificate {
    fn eq(&self, other: &Self) -> bool {
        self.der == other.der
    }
}

impl Eq for Certificate {}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Certificate")
            .field("subject", &self.subject())
            .field("thumbprint", &self.thumbprint_hex())
            .finish()
    }
}

fn timestamp(time: Time) -> Result<Timestamp, KeyringError> {
    let seconds = time.to_unix_duration().as_secs();
    let seconds =
        i64::try_from(seconds).map_err(|_| KeyringError::InvalidDate(time.to_string()))?;
    Timestamp::from_unix_seconds(seconds)
}

fn upper_hex(bytes: &[u8]) -> String {
    use fmt::Write as _;
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        // Writing to a String cannot fail.
        let _ = write!(out, "{byte:02X}");
    }
    out
}

pub(super) const CERTIFICATE_LABEL: &str = "CERTIFICATE";

/// One PEM block: its label and its decoded contents (zeroized, as it may be a private key).
pub(super) struct PemBlock {
    label: String,
    der: Zeroizing<Vec<u8>>,
}

impl PemBlock {
    /// The label of the `-----BEGIN` line, e.g. `CERTIFICATE`.
    pub(super) fn label(&self) -> &str {
        &self.label
    }

    /// The decoded contents.
    pub(super) fn der(&self) -> &[u8] {
        &self.der
    }

    /// The decoded contents, still zeroized on drop.
    pub(super) fn into_der(self) -> Zeroizing<Vec<u8>> {
        self.der
    }
}

/// The PEM blocks of a text, in order. Text outside the blocks (OpenSSL's `Bag Attributes`,
/// comments) is ignored; each block from its `-----BEGIN` line to its `-----END` line is decoded
/// by `pem-rfc7468`.
pub(super) fn pem_blocks(text: &str) -> Result<Vec<PemBlock>, IdentityError> {
    const BEGIN: &str = "-----BEGIN ";
    const END: &str = "-----END ";
    const DASHES: &str = "-----";
    let mut blocks = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(BEGIN) {
        let Some(tail) = rest.get(start..) else { break };
        let end_line = tail
            .find(END)
            .ok_or_else(|| IdentityError::MalformedPem("a block has no END line".into()))?;
        let after_end = tail.get(end_line + END.len()..).unwrap_or_default();
        let close = after_end
            .find(DASHES)
            .ok_or_else(|| IdentityError::MalformedPem("an END line is not closed".into()))?;
        let block_len = end_line + END.len() + close + DASHES.len();
        let block = tail.get(..block_len).unwrap_or_default();
        let (label, der) = pem_rfc7468::decode_vec(block.as_bytes())
            .map_err(|e| IdentityError::MalformedPem(e.to_string()))?;
        blocks.push(PemBlock {
            label: label.to_owned(),
            der: Zeroizing::new(der),
        });
        rest = tail.get(block_len..).unwrap_or_default();
    }
    Ok(blocks)
}

/// What a file holds, told by its first bytes.
pub(super) enum Sniffed<'a> {
    /// PEM text.
    Pem(&'a str),
    /// `Certificate ::= SEQUENCE { tbsCertificate SEQUENCE, … }`.
    DerCertificate,
    /// `PFX ::= SEQUENCE { version INTEGER, … }`.
    Pkcs12,
}

pub(super) fn sniff(bytes: &[u8]) -> Result<Sniffed<'_>, IdentityError> {
    if bytes.windows(11).any(|w| w == b"-----BEGIN ") {
        return core::str::from_utf8(bytes)
            .map(Sniffed::Pem)
            .map_err(|_| IdentityError::MalformedPem("the text is not UTF-8".into()));
    }
    // Only the outer header and the first inner tag are read, so a truncated or corrupt PKCS #12
    // file is still reported as one.
    let unrecognized = |_| IdentityError::UnrecognizedFormat;
    let mut reader = SliceReader::new(bytes).map_err(unrecognized)?;
    let outer = Header::decode(&mut reader).map_err(unrecognized)?;
    if outer.tag() != Tag::Sequence {
        return Err(IdentityError::UnrecognizedFormat);
    }
    match Tag::peek(&reader) {
        Ok(Tag::Sequence) => Ok(Sniffed::DerCertificate),
        Ok(Tag::Integer) => Ok(Sniffed::Pkcs12),
        _ => Err(IdentityError::UnrecognizedFormat),
    }
}
