//! Encryption of key XML at rest.
//!
//! With the `certificates` feature: [`Certificate`] and [`Identity`], the X.509 certificate and
//! the certificate-plus-RSA-private-key that .NET's `ProtectKeysWithCertificate` uses. .NET
//! embeds the certificate in each encrypted key's `<X509Certificate>` element and, to decrypt,
//! selects the identity whose certificate has the same SHA-1 thumbprint
//! ([`Certificate::thumbprint`]); so an identity is loaded once (PKCS #12 or PEM) and matched
//! by thumbprint.

#[cfg(feature = "certificates")]
mod certificate;
#[cfg(feature = "certificates")]
mod identity;

#[cfg(feature = "certificates")]
pub use certificate::Certificate;
#[cfg(feature = "certificates")]
pub use identity::Identity;
