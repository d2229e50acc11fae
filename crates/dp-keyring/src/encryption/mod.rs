//! Keys encrypted at rest: how a master key is protected ([`KeyProtection`]), the seam for
//! decryptors and encryptors ([`XmlDecryptor`], [`XmlEncryptor`], [`KeyEncryption`]), and — with
//! the `certificates` feature — .NET's certificate encryption (W3C XML Encryption).

pub(crate) mod protection;
mod seam;

pub use protection::{CertificateInfo, KeyProtection};
pub use seam::{KeyEncryption, XmlDecryptor, XmlEncryptor};
