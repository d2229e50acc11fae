//! .NET's certificate encryption of master keys (`ProtectKeysWithCertificate`): W3C XML
//! Encryption as `System.Security.Cryptography.Xml.EncryptedXml` writes and reads it.
//!
//! ```text
//! <EncryptedData Type="http://www.w3.org/2001/04/xmlenc#Element" xmlns="http://www.w3.org/2001/04/xmlenc#">
//!   <EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes256-cbc" />
//!   <KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#">
//!     <EncryptedKey xmlns="http://www.w3.org/2001/04/xmlenc#">
//!       <EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#rsa-1_5" />   or rsa-oaep-mgf1p
//!       <KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#">
//!         <X509Data><X509Certificate>base64 DER</X509Certificate></X509Data>
//!       </KeyInfo>
//!       <CipherData><CipherValue>base64 RSA(K)</CipherValue></CipherData>
//!     </EncryptedKey>
//!   </KeyInfo>
//!   <CipherData><CipherValue>base64 IV(16) ‖ AES-CBC(K, IV, ISO-10126(UTF-8 of the element))</CipherValue></CipherData>
//! </EncryptedData>
//! ```
//! Live .NET 10 reads AES-128/256-CBC content with `rsa-1_5` or `rsa-oaep-mgf1p` (SHA-1) key
//! transport and nothing newer — one key it cannot read stops its whole ring — so those are all
//! that is written: AES-256-CBC with OAEP (SHA-1) by default, PKCS #1 v1.5 on request (what
//! .NET itself writes).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use dp_crypto::legacy::{
    BLOCK_SIZE, danger_aes_cbc_iso10126_decrypt, danger_aes_cbc_iso10126_encrypt,
};
use dp_crypto::names::{ENCRYPTED_XML_DECRYPTOR, ENCRYPTED_XML_DECRYPTOR_TYPE};
use dp_crypto::rsa::{KeyWrapPadding, RsaBackend};
use dp_crypto::{AesKeySize, OsRandom, SecureRandom};
use roxmltree::{Document, Node};
use sha1::{Digest, Sha1};
use zeroize::Zeroizing;

use crate::encryption::protection::{XMLDSIG_NS, XMLENC_NS, certificate_info};
use crate::encryption::{Certificate, Identity, KeyProtection, XmlDecryptor, XmlEncryptor};
use crate::{DescriptorError, KeyringError};

const AES_CBC: [(&str, AesKeySize); 3] = [
    (
        "http://www.w3.org/2001/04/xmlenc#aes128-cbc",
        AesKeySize::Aes128,
    ),
    (
        "http://www.w3.org/2001/04/xmlenc#aes192-cbc",
        AesKeySize::Aes192,
    ),
    (
        "http://www.w3.org/2001/04/xmlenc#aes256-cbc",
        AesKeySize::Aes256,
    ),
];
const RSA_1_5: &str = "http://www.w3.org/2001/04/xmlenc#rsa-1_5";
const RSA_OAEP_MGF1P: &str = "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p";
const SHA1_DIGEST: &str = "http://www.w3.org/2000/09/xmldsig#sha1";

/// How the AES key travels to the certificate's RSA key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum KeyTransport {
    /// RSA-OAEP with SHA-1 and MGF1-SHA-1 (`xmlenc#rsa-oaep-mgf1p`): the default.
    #[default]
    RsaOaepSha1,
    /// RSA PKCS #1 v1.5 (`xmlenc#rsa-1_5`), byte for byte what .NET writes.
    ///
    /// # Security
    /// PKCS #1 v1.5 decryption is a padding oracle (Bleichenbacher, Marvin) wherever its
    /// failures can be told apart; prefer OAEP unless a reader needs this form.
    DangerRsaPkcs1v15,
}

impl KeyTransport {
    fn uri(self) -> &'static str {
        match self {
            Self::RsaOaepSha1 => RSA_OAEP_MGF1P,
            Self::DangerRsaPkcs1v15 => RSA_1_5,
        }
    }

    fn padding(self) -> KeyWrapPadding {
        match self {
            Self::RsaOaepSha1 => KeyWrapPadding::OaepSha1,
            Self::DangerRsaPkcs1v15 => KeyWrapPadding::DangerPkcs1v15,
        }
    }
}

/// Decrypts certificate-encrypted master keys with the identity whose certificate the key
/// embeds (chosen by SHA-1 thumbprint, as .NET's `UnprotectKeysWithAnyCertificate`).
pub struct CertificateXmlDecryptor {
    identities: Vec<Identity>,
    backend: RsaBackend,
}

impl core::fmt::Debug for CertificateXmlDecryptor {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CertificateXmlDecryptor")
            .field(
                "identities",
                &self
                    .identities
                    .iter()
                    .map(|i| i.certificate().thumbprint_hex())
                    .collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

impl CertificateXmlDecryptor {
    /// A decryptor holding these identities.
    pub fn new(identities: Vec<Identity>) -> Self {
        Self {
            identities,
            backend: RsaBackend::default(),
        }
    }

    fn identity_for(&self, thumbprint: &[u8; 20]) -> Option<&Identity> {
        self.identities
            .iter()
            .find(|i| &i.certificate().thumbprint() == thumbprint)
    }
}

/// The first child element with this namespace and local name.
fn child<'a, 'input>(node: Node<'a, 'input>, ns: &str, name: &str) -> Option<Node<'a, 'input>> {
    node.children()
        .find(|c| c.is_element() && c.has_tag_name((ns, name)))
}

fn base64_text(node: Option<Node<'_, '_>>) -> Option<Vec<u8>> {
    let text = node?.text().unwrap_or_default();
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    STANDARD.decode(compact).ok()
}

fn cipher_value(node: Node<'_, '_>) -> Option<Vec<u8>> {
    base64_text(
        child(node, XMLENC_NS, "CipherData").and_then(|d| child(d, XMLENC_NS, "CipherValue")),
    )
}

impl XmlDecryptor for CertificateXmlDecryptor {
    fn decryptor_type(&self) -> &str {
        ENCRYPTED_XML_DECRYPTOR
    }

    fn decrypt(&self, encrypted: &str) -> Result<Zeroizing<String>, DescriptorError> {
        let malformed = |what: &'static str| DescriptorError::MalformedEncryptedSecret(what);
        let document = Document::parse(encrypted).map_err(|_| malformed("not XML"))?;
        let data = document.root_element();
        if !data.has_tag_name((XMLENC_NS, "EncryptedData")) {
            return Err(malformed("no EncryptedData element"));
        }
        let content_uri = child(data, XMLENC_NS, "EncryptionMethod")
            .and_then(|m| m.attribute("Algorithm"))
            .ok_or(malformed("no content EncryptionMethod"))?;
        let aes = AES_CBC
            .iter()
            .find(|(uri, _)| *uri == content_uri)
            .map(|(_, aes)| *aes)
            .ok_or_else(|| DescriptorError::UnsupportedXmlEncryption(content_uri.to_owned()))?;
        let encrypted_key = child(data, XMLDSIG_NS, "KeyInfo")
            .and_then(|k| child(k, XMLENC_NS, "EncryptedKey"))
            .ok_or(malformed("no EncryptedKey"))?;
        let method = child(encrypted_key, XMLENC_NS, "EncryptionMethod")
            .ok_or(malformed("no key EncryptionMethod"))?;
        let padding = match method.attribute("Algorithm").unwrap_or_default() {
            RSA_1_5 => KeyWrapPadding::DangerPkcs1v15,
            RSA_OAEP_MGF1P => {
                let digest = child(method, XMLDSIG_NS, "DigestMethod")
                    .and_then(|d| d.attribute("Algorithm"));
                if digest.is_some_and(|d| d != SHA1_DIGEST) {
                    return Err(DescriptorError::UnsupportedXmlEncryption(
                        digest.unwrap_or_default().to_owned(),
                    ));
                }
                KeyWrapPadding::OaepSha1
            }
            other => return Err(DescriptorError::UnsupportedXmlEncryption(other.to_owned())),
        };
        let certificates: Vec<Vec<u8>> = encrypted_key
            .descendants()
            .filter(|n| n.has_tag_name((XMLDSIG_NS, "X509Certificate")))
            .filter_map(|n| base64_text(Some(n)))
            .collect();
        let identity = certificates
            .iter()
            .find_map(|der| self.identity_for(&Sha1::digest(der).into()))
            .ok_or_else(|| {
                DescriptorError::NoMatchingIdentity(certificate_info(certificates.first().cloned()))
            })?;
        let wrapped = cipher_value(encrypted_key).ok_or(malformed("no key CipherValue"))?;
        let content = cipher_value(data).ok_or(malformed("no content CipherValue"))?;

        // One failure for every cause below. A key that does not unwrap is replaced by a random
        // one and the content decrypted all the same (implicit rejection), so that neither the
        // result nor the time taken tells a bad RSA padding from a bad AES padding.
        let unwrapped = self
            .backend
            .decrypt(identity.private_key_pkcs8(), padding, &wrapped)
            .ok()
            .filter(|k| k.len() == aes.key_len());
        let key_ok = unwrapped.is_some();
        let key = match unwrapped {
            Some(k) => k,
            None => {
                let mut random = Zeroizing::new(vec![0u8; aes.key_len()]);
                OsRandom
                    .fill(&mut random)
                    .map_err(|_| DescriptorError::SecretDecryptionFailed)?;
                random
            }
        };
        let (iv, ciphertext) = content
            .split_first_chunk::<BLOCK_SIZE>()
            .ok_or(DescriptorError::SecretDecryptionFailed)?;
        let plain = danger_aes_cbc_iso10126_decrypt(aes, &key, iv, ciphertext)
            .map(Zeroizing::new)
            .map_err(|_| DescriptorError::SecretDecryptionFailed)?;
        if !key_ok {
            return Err(DescriptorError::SecretDecryptionFailed);
        }
        let text =
            core::str::from_utf8(&plain).map_err(|_| DescriptorError::SecretDecryptionFailed)?;
        Ok(Zeroizing::new(text.to_owned()))
    }
}

/// Encrypts new master keys to a certificate, as .NET's `CertificateXmlEncryptor` does.
pub struct CertificateXmlEncryptor {
    certificate: Certificate,
    spki: Vec<u8>,
    transport: KeyTransport,
    backend: RsaBackend,
}

impl core::fmt::Debug for CertificateXmlEncryptor {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CertificateXmlEncryptor")
            .field("certificate", &self.certificate.thumbprint_hex())
            .field("transport", &self.transport)
            .finish_non_exhaustive()
    }
}

impl CertificateXmlEncryptor {
    /// Encrypts to `certificate`'s RSA key.
    ///
    /// # Errors
    /// The certificate's key is not RSA.
    pub fn new(certificate: Certificate, transport: KeyTransport) -> Result<Self, KeyringError> {
        let spki = certificate.rsa_public_key_spki()?;
        Ok(Self {
            certificate,
            spki,
            transport,
            backend: RsaBackend::default(),
        })
    }
}

impl XmlEncryptor for CertificateXmlEncryptor {
    fn decryptor_type_name(&self) -> &str {
        ENCRYPTED_XML_DECRYPTOR_TYPE
    }

    fn protection(&self) -> KeyProtection {
        KeyProtection::Certificate(certificate_info(Some(self.certificate.der().to_vec())))
    }

    fn encrypt(&self, secret_element: &str) -> Result<String, KeyringError> {
        let aes = AesKeySize::Aes256;
        let mut key = Zeroizing::new(vec![0u8; aes.key_len()]);
        OsRandom.fill(&mut key)?;
        let mut iv = [0u8; BLOCK_SIZE];
        OsRandom.fill(&mut iv)?;
        let ciphertext =
            danger_aes_cbc_iso10126_encrypt(aes, &key, &iv, secret_element.as_bytes())?;
        let mut content = Vec::with_capacity(BLOCK_SIZE + ciphertext.len());
        content.extend_from_slice(&iv);
        content.extend_from_slice(&ciphertext);
        let wrapped =
            self.backend
                .encrypt(&self.spki, self.transport.padding(), &key, &OsRandom)?;
        let (content_uri, _) = AES_CBC[2];
        Ok(format!(
            "<EncryptedData Type=\"http://www.w3.org/2001/04/xmlenc#Element\" xmlns=\"{XMLENC_NS}\">\n  \
             <EncryptionMethod Algorithm=\"{content_uri}\" />\n  \
             <KeyInfo xmlns=\"{XMLDSIG_NS}\">\n    \
             <EncryptedKey xmlns=\"{XMLENC_NS}\">\n      \
             <EncryptionMethod Algorithm=\"{transport}\" />\n      \
             <KeyInfo xmlns=\"{XMLDSIG_NS}\">\n        \
             <X509Data>\n          \
             <X509Certificate>{certificate}</X509Certificate>\n        \
             </X509Data>\n      \
             </KeyInfo>\n      \
             <CipherData>\n        \
             <CipherValue>{wrapped}</CipherValue>\n      \
             </CipherData>\n    \
             </EncryptedKey>\n  \
             </KeyInfo>\n  \
             <CipherData>\n    \
             <CipherValue>{content}</CipherValue>\n  \
             </CipherData>\n\
             </EncryptedData>",
            transport = self.transport.uri(),
            certificate = STANDARD.encode(self.certificate.der()),
            wrapped = STANDARD.encode(&wrapped),
            content = STANDARD.encode(&content),
        ))
    }
}
