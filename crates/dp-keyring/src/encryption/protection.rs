//! How a key's master key is protected at rest, told from the key XML alone — so that a key
//! nobody here can decrypt is still explained: which certificate, which DPAPI-NG rule, which
//! Key Vault key it needs.

use core::fmt;

use base64::Engine as _;
use dp_crypto::names;
use roxmltree::Node;
use sha1::{Digest, Sha1};

use crate::Timestamp;

/// XML Encryption's namespace (`EncryptedData`, `EncryptedKey`, `CipherValue`).
#[cfg_attr(
    not(any(feature = "certificates", test)),
    allow(
        dead_code,
        reason = "read by the certificate decryptor and the tests only"
    )
)]
pub(crate) const XMLENC_NS: &str = "http://www.w3.org/2001/04/xmlenc#";
/// XML Signature's namespace (`KeyInfo`, `X509Data`, `X509Certificate`).
pub(crate) const XMLDSIG_NS: &str = "http://www.w3.org/2000/09/xmldsig#";

/// How a key's master key is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyProtection {
    /// In clear in the key XML (what .NET writes on Linux without `ProtectKeysWith…`).
    Clear,
    /// Wrapped by .NET's `NullXmlEncryptor`: in clear as well.
    NullEncryptor,
    /// W3C XML Encryption to an X.509 certificate (`ProtectKeysWithCertificate`).
    Certificate(CertificateInfo),
    /// Windows DPAPI (`ProtectKeysWithDpapi`): only the Windows account or machine can decrypt.
    Dpapi,
    /// Windows DPAPI-NG (`ProtectKeysWithDpapiNG`), with the protection rule it names (for
    /// example `SID=S-1-5-21-…`; informational, not authenticated).
    DpapiNg {
        /// The rule from the `<!-- Rule: … -->` comment.
        rule: Option<String>,
    },
    /// Azure Key Vault (`ProtectKeysWithAzureKeyVault`), with the key URL (`kid`).
    AzureKeyVault {
        /// The `<kid>` URL.
        key_url: Option<String>,
    },
    /// AWS KMS (`Amazon.AspNetCore.DataProtection.SSM`); the blob names no key offline.
    AwsKms,
    /// Another decryptor type.
    Other {
        /// Its full type name.
        decryptor: String,
    },
}

/// What the key XML tells about the certificate a key is encrypted to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateInfo {
    /// SHA-1 of the embedded certificate's DER, upper-case hex: .NET's `Thumbprint`, by which
    /// the decrypting identity is chosen.
    pub thumbprint: String,
    /// The certificate's subject, when the certificate could be parsed.
    pub subject: Option<String>,
    /// Its expiry, when the certificate could be parsed.
    pub not_after: Option<Timestamp>,
    /// The embedded certificate (DER), if any.
    pub der: Option<Vec<u8>>,
}

impl KeyProtection {
    /// Whether the master key is encrypted (not readable from the key XML alone).
    pub fn is_encrypted(&self) -> bool {
        !matches!(self, Self::Clear | Self::NullEncryptor)
    }
}

impl fmt::Display for KeyProtection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Clear => f.write_str("none (master key in clear)"),
            Self::NullEncryptor => f.write_str("none (NullXmlEncryptor)"),
            Self::Certificate(c) => {
                write!(f, "certificate {}", c.thumbprint)?;
                match (&c.subject, &c.not_after) {
                    (Some(s), Some(t)) => write!(f, " ({s}, expires {t})"),
                    (Some(s), None) => write!(f, " ({s})"),
                    _ => Ok(()),
                }
            }
            Self::Dpapi => f.write_str("Windows DPAPI"),
            Self::DpapiNg { rule: Some(rule) } => write!(f, "Windows DPAPI-NG ({rule})"),
            Self::DpapiNg { rule: None } => f.write_str("Windows DPAPI-NG"),
            Self::AzureKeyVault { key_url: Some(url) } => write!(f, "Azure Key Vault ({url})"),
            Self::AzureKeyVault { key_url: None } => f.write_str("Azure Key Vault"),
            Self::AwsKms => f.write_str("AWS KMS"),
            Self::Other { decryptor } => write!(f, "{decryptor}"),
        }
    }
}

/// The protection an `<encryptedSecret>` element stands for, from its `decryptorType` and its
/// child element.
pub(crate) fn of_encrypted_secret(secret: Node<'_, '_>) -> KeyProtection {
    let decryptor = names::type_full_name(secret.attribute("decryptorType").unwrap_or_default());
    let child = secret.children().find(Node::is_element);
    match decryptor.as_str() {
        names::NULL_XML_DECRYPTOR => KeyProtection::NullEncryptor,
        names::ENCRYPTED_XML_DECRYPTOR => {
            KeyProtection::Certificate(certificate_info(child.and_then(embedded_certificate)))
        }
        names::DPAPI_XML_DECRYPTOR => KeyProtection::Dpapi,
        names::DPAPI_NG_XML_DECRYPTOR => KeyProtection::DpapiNg {
            rule: child.and_then(dpapi_ng_rule),
        },
        names::AZURE_KEY_VAULT_XML_DECRYPTOR => KeyProtection::AzureKeyVault {
            key_url: child
                .and_then(|c| c.children().find(|n| n.has_tag_name("kid")))
                .and_then(|kid| kid.text())
                .map(|t| t.trim().to_owned()),
        },
        names::AWS_KMS_XML_DECRYPTOR => KeyProtection::AwsKms,
        _ => KeyProtection::Other { decryptor },
    }
}

/// The first `X509Certificate` under `EncryptedData/KeyInfo/EncryptedKey/KeyInfo/X509Data`,
/// decoded.
pub(crate) fn embedded_certificate(encrypted_data: Node<'_, '_>) -> Option<Vec<u8>> {
    let text = encrypted_data
        .descendants()
        .find(|n| n.has_tag_name((XMLDSIG_NS, "X509Certificate")))?
        .text()?;
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(compact)
        .ok()
}

/// Thumbprint, and (with the `certificates` feature) subject and expiry of a certificate.
pub(crate) fn certificate_info(der: Option<Vec<u8>>) -> CertificateInfo {
    let Some(der) = der else {
        return CertificateInfo {
            thumbprint: "(no certificate embedded)".to_owned(),
            subject: None,
            not_after: None,
            der: None,
        };
    };
    let thumbprint = hex::encode_upper(Sha1::digest(&der));
    #[cfg(feature = "certificates")]
    let (subject, not_after) = match crate::encryption::Certificate::from_der(&der) {
        Ok(c) => (Some(c.subject()), c.not_after().ok()),
        Err(_) => (None, None),
    };
    #[cfg(not(feature = "certificates"))]
    let (subject, not_after) = (None, None);
    CertificateInfo {
        thumbprint,
        subject,
        not_after,
        der: Some(der),
    }
}

/// The rule DPAPI-NG's encryptor records in a comment: `<!-- Rule: SID=… -->`.
fn dpapi_ng_rule(encrypted_key: Node<'_, '_>) -> Option<String> {
    encrypted_key
        .children()
        .filter(Node::is_comment)
        .filter_map(|c| c.text())
        .find_map(|t| t.trim().strip_prefix("Rule:").map(|r| r.trim().to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn protection(xml: &str) -> KeyProtection {
        let doc = roxmltree::Document::parse(xml).unwrap_or_else(|e| panic!("{e}"));
        of_encrypted_secret(doc.root_element())
    }

    #[test]
    fn every_dotnet_encryptor_is_recognised_with_what_identifies_its_secret() {
        assert_eq!(
            protection(
                r#"<encryptedSecret decryptorType="Microsoft.AspNetCore.DataProtection.XmlEncryption.DpapiXmlDecryptor, Microsoft.AspNetCore.DataProtection"><encryptedKey><value>AQAAANCMnd8BFdERjHoAwE/Cl+sBAAAA</value></encryptedKey></encryptedSecret>"#
            ),
            KeyProtection::Dpapi
        );
        assert_eq!(
            protection(
                r#"<encryptedSecret decryptorType="Microsoft.AspNetCore.DataProtection.XmlEncryption.DpapiNGXmlDecryptor, Microsoft.AspNetCore.DataProtection"><encryptedKey><!-- This key is encrypted with Windows DPAPI-NG. --><!-- Rule: SID=S-1-5-21-1004 --><value>MIIB</value></encryptedKey></encryptedSecret>"#
            ),
            KeyProtection::DpapiNg {
                rule: Some("SID=S-1-5-21-1004".to_owned())
            }
        );
        assert_eq!(
            protection(
                r#"<encryptedSecret decryptorType="Microsoft.AspNetCore.DataProtection.AzureKeyVault.AzureKeyVaultXmlDecryptor, Microsoft.AspNetCore.DataProtection.AzureKeyVault"><encryptedKey><kid>https://v.vault.azure.net/keys/k/1</kid><key>AA==</key></encryptedKey></encryptedSecret>"#
            ),
            KeyProtection::AzureKeyVault {
                key_url: Some("https://v.vault.azure.net/keys/k/1".to_owned())
            }
        );
        assert_eq!(
            protection(
                r#"<encryptedSecret decryptorType="Amazon.AspNetCore.DataProtection.SSM.KmsXmlDecryptor, Amazon.AspNetCore.DataProtection.SSM"><encryptedKey><value>AQ==</value></encryptedKey></encryptedSecret>"#
            ),
            KeyProtection::AwsKms
        );
        assert_eq!(
            protection(r#"<encryptedSecret decryptorType="My.Vault, Mine"><x/></encryptedSecret>"#),
            KeyProtection::Other {
                decryptor: "My.Vault".to_owned()
            }
        );
        assert!(!KeyProtection::NullEncryptor.is_encrypted());
        assert!(KeyProtection::Dpapi.is_encrypted());
        assert_eq!(
            KeyProtection::DpapiNg {
                rule: Some("SID=S-1".into())
            }
            .to_string(),
            "Windows DPAPI-NG (SID=S-1)"
        );
    }

    #[test]
    fn a_certificate_is_identified_by_the_sha1_thumbprint_of_its_der() {
        // base64 of the three bytes 01 02 03; SHA-1(010203) = 7037807198C22A7D2B0807371D763779A84FDFCF.
        let xml = format!(
            r#"<encryptedSecret decryptorType="Microsoft.AspNetCore.DataProtection.XmlEncryption.EncryptedXmlDecryptor, X"><EncryptedData xmlns="{XMLENC_NS}"><KeyInfo xmlns="{XMLDSIG_NS}"><EncryptedKey xmlns="{XMLENC_NS}"><KeyInfo xmlns="{XMLDSIG_NS}"><X509Data><X509Certificate>AQID</X509Certificate></X509Data></KeyInfo></EncryptedKey></KeyInfo></EncryptedData></encryptedSecret>"#
        );
        match protection(&xml) {
            KeyProtection::Certificate(c) => {
                assert_eq!(c.thumbprint, "7037807198C22A7D2B0807371D763779A84FDFCF");
                assert_eq!(c.der.as_deref(), Some(&[1u8, 2, 3][..]));
                assert_eq!(c.subject, None, "not a parsable certificate");
            }
            other => panic!("{other:?}"),
        }
    }
}
