//! Keys encrypted at rest: how a master key is protected ([`KeyProtection`]), the seam for
//! decryptors and encryptors ([`XmlDecryptor`], [`XmlEncryptor`], [`KeyEncryption`]), and — with
//! the `certificates` feature — .NET's certificate encryption (W3C XML Encryption).
//!
//! With `certificates`: [`Certificate`] and [`Identity`], the X.509 certificate and the
//! certificate-plus-RSA-private-key that .NET's `ProtectKeysWithCertificate` uses. .NET embeds
//! the certificate in each encrypted key's `<X509Certificate>` element and, to decrypt, selects
//! the identity whose certificate has the same SHA-1 thumbprint ([`Certificate::thumbprint`]);
//! so an identity is loaded once (PKCS #12 or PEM) and matched by thumbprint
//! ([`CertificateXmlDecryptor`]). New keys are encrypted with [`CertificateXmlEncryptor`].

#[cfg(feature = "certificates")]
mod certificate;
#[cfg(feature = "certificates")]
mod identity;
pub(crate) mod protection;
mod seam;
#[cfg(feature = "certificates")]
mod xmlenc;

#[cfg(feature = "certificates")]
pub use certificate::Certificate;
#[cfg(feature = "certificates")]
pub use identity::Identity;
pub use protection::{CertificateInfo, KeyProtection};
pub use seam::{KeyEncryption, NullXmlDecryptor, XmlDecryptor, XmlEncryptor};
#[cfg(feature = "certificates")]
pub use xmlenc::{CertificateXmlDecryptor, CertificateXmlEncryptor, KeyTransport};
