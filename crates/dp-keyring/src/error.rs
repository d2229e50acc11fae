use core::fmt;
use std::path::PathBuf;

use dp_crypto::CryptoError;
use dp_format::{FormatError, KeyId};

use dp_fs::FsError;

use crate::Timestamp;
use crate::xml::XmlLimit;

/// Everything that can go wrong in the key ring and the protectors.
///
/// [`KeyringError::is_rejection`] separates a rejected payload (tampered, wrong purpose, unknown
/// or revoked key, expired) from an operational failure (I/O, a broken key ring).
#[derive(Debug)]
#[non_exhaustive]
pub enum KeyringError {
    /// The payload is not a protected payload of a version we understand.
    Payload(FormatError),
    /// The payload failed authentication (tampered, wrong purpose, wrong key material).
    AuthenticationFailed,
    /// The payload names a key that is not in the key ring.
    KeyNotFound(KeyId),
    /// The payload's key has been revoked.
    KeyRevoked(KeyId),
    /// A time-limited payload has expired.
    Expired {
        /// When it expired.
        expiration: Timestamp,
    },
    /// The payload authenticated but is not valid for its use (for example a time-limited
    /// payload without its header, or text that is not UTF-8).
    InvalidPayload(&'static str),
    /// The key exists but its descriptor cannot be used (unsupported encryptor, undecryptable
    /// master key, unknown algorithm).
    KeyUnusable {
        /// The key.
        id: KeyId,
        /// Why, without secret material.
        reason: DescriptorError,
    },
    /// A repository element (file) is not a readable key, revocation or XML document.
    MalformedElement {
        /// Where it came from (a path for the file-system repository).
        source: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A repository element exceeds a bound on its size or shape; it is refused before it is
    /// parsed, and like any unreadable element it fails the whole read.
    XmlLimitExceeded {
        /// Where it came from.
        source: String,
        /// The bound it broke.
        limit: XmlLimit,
    },
    /// A file of the store is not what it must be (a link to nothing, a named pipe, too large,
    /// a lock file that is a link), or could not be written.
    File(FsError),
    /// Creating a key now would be pointless: a revocation of every key created before `date`,
    /// which is later than now, would revoke it on arrival.
    AllKeysRevoked {
        /// The date of the mass revocation.
        date: Timestamp,
    },
    /// A key would be written in clear into a ring whose keys are encrypted at rest, and no
    /// encryptor is configured (nor permission to write unencrypted keys).
    WouldWriteUnencryptedKey {
        /// How the ring's keys are protected.
        protection: crate::encryption::KeyProtection,
    },
    /// The store does not exist (a key directory that was never created: probably a wrong
    /// path). Reading commands report it; creating a key creates the store.
    StoreMissing(String),
    /// The payload's key is in the store but cannot be read (malformed id or dates).
    KeyUnreadable {
        /// The key.
        id: KeyId,
        /// Where it was read from.
        source: String,
        /// What is wrong with it.
        reason: MalformedKeyError,
    },
    /// Two key elements share one id; the ring cannot tell which is genuine.
    DuplicateKeyId(KeyId),
    /// A date could not be parsed or represented.
    InvalidDate(String),
    /// No usable default key, and key generation is disabled (read-only ring).
    NoDefaultKey,
    /// An I/O operation on the repository failed.
    Io {
        /// What was being done, with the path.
        context: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The repository cannot be written (for example a read-only key directory).
    ReadOnlyRepository(PathBuf),
    /// A key store server or document cannot be used: unreachable, refused the credentials, a
    /// Redis key of another type than a list, a table that is not the EF Core layout, a
    /// malformed store URL.
    Store {
        /// The store, as a URL with any password redacted.
        store: String,
        /// What went wrong (never a password or key material).
        reason: String,
    },
    /// An API argument is invalid (empty purpose list, bad lifetime).
    InvalidArgument(String),
    /// A key cannot be created with this algorithm: the default descriptor form, which is what
    /// keys are written in, cannot name it (CBC with HMACSHA1 or HMACSHA384), so neither .NET
    /// nor this crate could read the key back. See [`crate::Algorithm::is_standard`].
    NonStandardAlgorithm(dp_crypto::Algorithm),
    /// A cryptographic operation other than authentication failed (the random source).
    Crypto(CryptoError),
    /// A certificate or an identity (certificate and private key) cannot be loaded or used.
    Identity(IdentityError),
}

impl KeyringError {
    /// Whether the error rejects the *payload* (the CLI's exit code 3) rather than signalling
    /// an operational problem.
    pub fn is_rejection(&self) -> bool {
        matches!(
            self,
            Self::Payload(_)
                | Self::AuthenticationFailed
                | Self::KeyNotFound(_)
                | Self::KeyRevoked(_)
                | Self::Expired { .. }
                | Self::InvalidPayload(_)
        )
    }

    pub(crate) fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Self::Io {
            context: context.into(),
            source,
        }
    }

    pub(crate) fn malformed(source: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::MalformedElement {
            source: source.into(),
            reason: reason.into(),
        }
    }
}

impl fmt::Display for KeyringError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Payload(e) => write!(f, "{e}"),
            Self::AuthenticationFailed => f.write_str(
                "the payload failed authentication (tampered, wrong purpose or wrong key ring)",
            ),
            Self::KeyNotFound(id) => write!(f, "the key {id} was not found in the key ring"),
            Self::KeyRevoked(id) => write!(f, "the key {id} has been revoked"),
            Self::Expired { expiration } => write!(f, "the payload expired at {expiration}"),
            Self::InvalidPayload(why) => write!(f, "invalid payload: {why}"),
            Self::KeyUnusable { id, reason } => write!(f, "the key {id} cannot be used: {reason}"),
            Self::MalformedElement { source, reason } => write!(f, "{source}: {reason}"),
            Self::XmlLimitExceeded { source, limit } => {
                write!(f, "{source}: refused before parsing: {limit}")
            }
            Self::File(e) => write!(f, "{e}"),
            Self::AllKeysRevoked { date } => write!(
                f,
                "every key is revoked by the revocation of {}",
                date.to_rfc3339()
            ),
            Self::WouldWriteUnencryptedKey { protection } => write!(
                f,
                "refusing to add an unencrypted key to a key ring whose keys are protected by {protection}"
            ),
            Self::StoreMissing(store) => write!(f, "the {store} does not exist"),
            Self::KeyUnreadable { id, source, reason } => {
                write!(
                    f,
                    "the key {id} is in the key ring but unreadable ({source}): {reason}"
                )
            }
            Self::DuplicateKeyId(id) => {
                write!(f, "the key ring holds more than one key with id {id}")
            }
            Self::InvalidDate(text) => write!(f, "invalid date `{text}`"),
            Self::NoDefaultKey => {
                f.write_str("the key ring has no usable default key and key generation is disabled")
            }
            Self::Io { context, source } => write!(f, "{context}: {source}"),
            Self::ReadOnlyRepository(path) => {
                write!(f, "the key directory {} is not writable", path.display())
            }
            Self::Store { store, reason } => write!(f, "key store {store}: {reason}"),
            Self::InvalidArgument(why) => f.write_str(why),
            Self::NonStandardAlgorithm(algorithm) => write!(
                f,
                "keys cannot be created with {algorithm}: .NET's key XML cannot name it"
            ),
            Self::Crypto(e) => write!(f, "{e}"),
            Self::Identity(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for KeyringError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Io { source, .. } => Some(source),
            Self::Payload(e) => Some(e),
            Self::Crypto(e) => Some(e),
            Self::File(e) => Some(e),
            Self::Identity(e) => Some(e),
            _ => None,
        }
    }
}

/// Why a key's descriptor cannot be used. The key stays in the ring, unusable: .NET reads
/// descriptors lazily and fails only when the key is used.
///
/// Texts taken from the file are cut to 100 characters; no variant carries secret material.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DescriptorError {
    /// The key has no `<descriptor>` element.
    NoDescriptor,
    /// The outer `<descriptor>` does not hold exactly one child element.
    NotOneChildElement,
    /// An element the descriptor needs is missing (`encryption`, `validation`, `hash`,
    /// `masterKey`).
    MissingElement(&'static str),
    /// An element lacks an attribute the descriptor needs.
    MissingAttribute {
        /// The element's local name.
        element: &'static str,
        /// The attribute.
        attribute: &'static str,
    },
    /// The deserializer type is none of .NET's four.
    UnknownDeserializer(String),
    /// The default form names an `EncryptionAlgorithm` member that does not exist.
    UnknownEncryptionAlgorithm(String),
    /// The default form names a `ValidationAlgorithm` member that does not exist.
    UnknownValidationAlgorithm(String),
    /// A managed descriptor names a symmetric algorithm other than AES.
    UnsupportedSymmetricAlgorithm(String),
    /// A managed descriptor names a keyed-hash algorithm other than HMAC-SHA1/256/384/512.
    UnsupportedKeyedHashAlgorithm(String),
    /// A CNG descriptor names an encryption algorithm other than AES.
    UnsupportedCngEncryptionAlgorithm(String),
    /// A CNG descriptor names a hash algorithm other than SHA-1/256/384/512.
    UnsupportedCngHashAlgorithm(String),
    /// `keyLength` is not 128, 192 or 256.
    UnsupportedKeyLength(String),
    /// The descriptor has more than one `<masterKey>`.
    DuplicateMasterKey,
    /// The master key is not valid base64 (the offending text is part of the secret, so it is
    /// not shown).
    MasterKeyNotBase64,
    /// An `<encryptedSecret>` has no `decryptorType`.
    NoDecryptorType,
    /// The master key is encrypted with a decryptor other than `NullXmlDecryptor` (DPAPI,
    /// certificates, DPAPI-NG, Azure Key Vault …).
    UnsupportedDecryptor(String),
    /// An `<encryptedSecret>` of `NullXmlDecryptor` does not hold one element holding one
    /// element.
    MalformedNullSecret,
    /// An `<encryptedSecret>` does not hold exactly one element.
    NotOneEncryptedElement,
    /// The master key is encrypted at rest, and no decryptor for its protection is configured.
    NoDecryptor(crate::encryption::KeyProtection),
    /// The master key is encrypted to a certificate none of the given identities matches.
    NoMatchingIdentity(crate::encryption::CertificateInfo),
    /// An encrypted secret lacks a part W3C XML Encryption requires.
    MalformedEncryptedSecret(&'static str),
    /// An encrypted secret uses an XML Encryption algorithm that is not supported (only
    /// AES-CBC content with RSA PKCS #1 v1.5 or OAEP-SHA1 key transport is, as in .NET).
    UnsupportedXmlEncryption(String),
    /// The master key could not be decrypted: one error for every cause (wrong key, padding,
    /// corrupted or tampered ciphertext), so that it is no decryption oracle.
    SecretDecryptionFailed,
}

impl fmt::Display for DescriptorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotOneEncryptedElement => {
                f.write_str("an <encryptedSecret> element must hold exactly one element")
            }
            Self::NoDecryptor(protection) => write!(
                f,
                "the master key is protected by {protection}, and nothing to decrypt it is configured"
            ),
            Self::NoMatchingIdentity(c) => write!(
                f,
                "the master key is encrypted to {}, and no identity given matches it",
                crate::encryption::KeyProtection::Certificate(c.clone())
            ),
            Self::MalformedEncryptedSecret(what) => {
                write!(f, "the encrypted master key is malformed: {what}")
            }
            Self::UnsupportedXmlEncryption(uri) => {
                write!(f, "the master key is encrypted with an unsupported algorithm {uri}")
            }
            Self::SecretDecryptionFailed => f.write_str(
                "the master key could not be decrypted (wrong key, or a corrupted or tampered secret)",
            ),
            Self::NoDescriptor => f.write_str("the key has no <descriptor> element"),
            Self::NotOneChildElement => {
                f.write_str("the <descriptor> element must have exactly one child element")
            }
            Self::MissingElement(element) => {
                write!(f, "the descriptor has no <{element}> element")
            }
            Self::MissingAttribute { element, attribute } => {
                write!(f, "the <{element}> element has no {attribute} attribute")
            }
            Self::UnknownDeserializer(name) => write!(f, "unknown descriptor deserializer {name}"),
            Self::UnknownEncryptionAlgorithm(name) => {
                write!(f, "unknown encryption algorithm `{name}`")
            }
            Self::UnknownValidationAlgorithm(name) => {
                write!(f, "unknown validation algorithm `{name}`")
            }
            Self::UnsupportedSymmetricAlgorithm(name) => write!(
                f,
                "unsupported symmetric algorithm `{name}` (only AES is supported)"
            ),
            Self::UnsupportedKeyedHashAlgorithm(name) => {
                write!(f, "unsupported keyed hash algorithm `{name}`")
            }
            Self::UnsupportedCngEncryptionAlgorithm(name) => write!(
                f,
                "unsupported CNG encryption algorithm `{name}` (only AES is supported)"
            ),
            Self::UnsupportedCngHashAlgorithm(name) => {
                write!(f, "unsupported CNG hash algorithm `{name}`")
            }
            Self::UnsupportedKeyLength(text) => write!(f, "unsupported AES key length `{text}`"),
            Self::DuplicateMasterKey => {
                f.write_str("the descriptor has more than one <masterKey> element")
            }
            Self::MasterKeyNotBase64 => f.write_str("the master key is not valid base64"),
            Self::NoDecryptorType => {
                f.write_str("an <encryptedSecret> element has no decryptorType attribute")
            }
            Self::UnsupportedDecryptor(name) => write!(
                f,
                "the master key is encrypted with {name}, which is not supported on this platform"
            ),
            Self::MalformedNullSecret => f.write_str(
                "an <encryptedSecret> of NullXmlDecryptor must hold one element holding one element",
            ),
        }
    }
}

impl std::error::Error for DescriptorError {}

/// Why a certificate or an identity (a certificate and its RSA private key, as
/// `ProtectKeysWithCertificate` needs) cannot be loaded.
///
/// A wrong PKCS #12 password is told apart from a malformed file. Reasons quoted from the parsers
/// describe structure only; no variant carries key material or the password.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum IdentityError {
    /// The PKCS #12 (.pfx) file's integrity MAC does not verify under the password (or, for a
    /// file without a MAC, its bags do not decrypt under it).
    WrongPassword,
    /// The bytes are none of PEM text, a DER X.509 certificate or a PKCS #12 file.
    UnrecognizedFormat,
    /// The PKCS #12 file cannot be read (a broken structure, or a scheme that is not supported).
    MalformedPkcs12(String),
    /// The PEM text cannot be read (a broken block, bad base64).
    MalformedPem(String),
    /// A certificate is not a valid DER X.509 certificate.
    MalformedCertificate(String),
    /// A private key is not a valid PKCS #8 or PKCS #1 RSA key.
    MalformedPrivateKey(String),
    /// The PEM private key is encrypted (`ENCRYPTED PRIVATE KEY`), which is not supported.
    EncryptedPemKey,
    /// The input holds no certificate.
    NoCertificate,
    /// The input holds no private key.
    NoPrivateKey,
    /// No certificate of the input carries the public key of the private key.
    KeyMismatch,
    /// The key is not an RSA key (the certificate's, or the private key's), so it cannot
    /// decrypt .NET's `EncryptedXml` key transport.
    NotRsa {
        /// The algorithm's object identifier, dotted.
        algorithm: String,
    },
}

impl fmt::Display for IdentityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::WrongPassword => f.write_str("the PKCS #12 (.pfx) password is wrong"),
            Self::UnrecognizedFormat => f.write_str(
                "not a certificate or identity: expected PEM text, a DER X.509 certificate or a PKCS #12 (.pfx) file",
            ),
            Self::MalformedPkcs12(why) => write!(f, "malformed PKCS #12 (.pfx) file: {why}"),
            Self::MalformedPem(why) => write!(f, "malformed PEM text: {why}"),
            Self::MalformedCertificate(why) => write!(f, "malformed X.509 certificate: {why}"),
            Self::MalformedPrivateKey(why) => write!(f, "malformed private key: {why}"),
            Self::EncryptedPemKey => f.write_str(
                "the PEM private key is encrypted; decrypt it first (openssl pkey) or use a .pfx file",
            ),
            Self::NoCertificate => f.write_str("no certificate found"),
            Self::NoPrivateKey => f.write_str(
                "no private key found (a certificate alone cannot decrypt; give its key too)",
            ),
            Self::KeyMismatch => {
                f.write_str("the private key does not belong to the certificate")
            }
            Self::NotRsa { algorithm } => write!(
                f,
                "the key is not an RSA key (algorithm {algorithm}); certificate encryption needs RSA"
            ),
        }
    }
}

impl std::error::Error for IdentityError {}

impl From<IdentityError> for KeyringError {
    fn from(e: IdentityError) -> Self {
        Self::Identity(e)
    }
}

/// Why a `<key>` element's id or dates cannot be read. .NET skips such keys; the ring lists
/// them ([`crate::KeyRing::unreadable`]) and goes on.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum MalformedKeyError {
    /// The key has no `id` attribute.
    NoId,
    /// The `id` is not a GUID (the text, cut to 100 characters).
    IdNotGuid(String),
    /// A date element is missing.
    MissingDate(&'static str),
    /// A date element does not hold an `XmlConvert` date in years 1–9999.
    InvalidDate {
        /// The element (`creationDate`, `activationDate`, `expirationDate`).
        element: &'static str,
        /// What was found, cut to 64 characters, and why it is refused when that is not plain.
        text: String,
    },
}

impl fmt::Display for MalformedKeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoId => f.write_str("the key has no id attribute"),
            Self::IdNotGuid(text) => write!(f, "the key id `{text}` is not a GUID"),
            Self::MissingDate(element) => write!(f, "no <{element}> element"),
            Self::InvalidDate { element, text } => {
                write!(f, "<{element}>: invalid date `{text}`")
            }
        }
    }
}

impl std::error::Error for MalformedKeyError {}

impl From<FormatError> for KeyringError {
    fn from(e: FormatError) -> Self {
        Self::Payload(e)
    }
}

impl From<CryptoError> for KeyringError {
    fn from(e: CryptoError) -> Self {
        match e {
            CryptoError::AuthenticationFailed => Self::AuthenticationFailed,
            other => Self::Crypto(other),
        }
    }
}

impl From<FsError> for KeyringError {
    fn from(e: FsError) -> Self {
        Self::File(e)
    }
}
