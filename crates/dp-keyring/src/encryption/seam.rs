//! The seam between the key ring and whatever keeps master keys secret at rest: .NET's
//! `IXmlEncryptor` / `IXmlDecryptor` pair, as traits a user can implement for a key-encryption
//! service (Key Vault, KMS, an HSM).
//!
//! On write, the `<masterKey>` element is handed to the [`XmlEncryptor`] and replaced by
//! `<encryptedSecret decryptorType="…">{its output}</encryptedSecret>`. On read, each
//! `<encryptedSecret>` is handed to the [`XmlDecryptor`] registered for its `decryptorType`,
//! and replaced by the element that comes back. A key whose secret cannot be decrypted is
//! unusable, never fatal to the ring.

use std::sync::Arc;

use zeroize::Zeroizing;

use crate::encryption::KeyProtection;
use crate::{DescriptorError, KeyringError};

/// Decrypts the `<encryptedSecret>` elements of one decryptor type.
pub trait XmlDecryptor: Send + Sync {
    /// The full name of the .NET decryptor type this stands for (the text before the first
    /// comma of `decryptorType`, e.g.
    /// `Microsoft.AspNetCore.DataProtection.XmlEncryption.EncryptedXmlDecryptor`).
    fn decryptor_type(&self) -> &str;

    /// Decrypts `encrypted`, the XML text of the one element inside `<encryptedSecret>`, into
    /// the XML text of the secret element (`<masterKey …>…</masterKey>`).
    ///
    /// # Errors
    /// A [`DescriptorError`]: the key becomes unusable with that reason.
    fn decrypt(&self, encrypted: &str) -> Result<Zeroizing<String>, DescriptorError>;
}

/// Encrypts a secret element for storage.
pub trait XmlEncryptor: Send + Sync {
    /// The assembly-qualified `decryptorType` written beside the output: what .NET loads to
    /// decrypt it.
    fn decryptor_type_name(&self) -> &str;

    /// How keys written with this encryptor are protected (for reports and for the rule that a
    /// ring is never downgraded).
    fn protection(&self) -> KeyProtection;

    /// Encrypts `secret_element`, the XML text of `<masterKey …>…</masterKey>` as .NET
    /// serializes it, into the element stored in its place: XML text, two spaces of
    /// indentation per level from column 0, lines separated by `\n` (the writer indents it to
    /// its place in the key file).
    ///
    /// # Errors
    /// Whatever keeps the key from being written; nothing is stored then.
    fn encrypt(&self, secret_element: &str) -> Result<String, KeyringError>;
}

/// .NET's `NullXmlDecryptor`: the secret inside `<unencryptedKey>` is in clear. The key reader
/// handles this decryptor in place (no text round trip), so it need not be registered; it is
/// here as the seam's simplest implementation and for callers that decrypt elements themselves.
#[derive(Debug, Clone, Copy, Default)]
pub struct NullXmlDecryptor;

impl XmlDecryptor for NullXmlDecryptor {
    fn decryptor_type(&self) -> &str {
        dp_crypto::names::NULL_XML_DECRYPTOR
    }

    fn decrypt(&self, encrypted: &str) -> Result<Zeroizing<String>, DescriptorError> {
        let document = roxmltree::Document::parse(encrypted)
            .map_err(|_| DescriptorError::MalformedNullSecret)?;
        let mut elements = document
            .root_element()
            .children()
            .filter(roxmltree::Node::is_element);
        match (elements.next(), elements.next()) {
            (Some(secret), None) => encrypted
                .get(secret.range())
                .map(|text| Zeroizing::new(text.to_owned()))
                .ok_or(DescriptorError::MalformedNullSecret),
            _ => Err(DescriptorError::MalformedNullSecret),
        }
    }
}

/// The decryptors a key ring may use and the encryptor new keys are written with.
#[derive(Clone, Default)]
pub struct KeyEncryption {
    decryptors: Vec<Arc<dyn XmlDecryptor>>,
    encryptor: Option<Arc<dyn XmlEncryptor>>,
    allow_unencrypted: bool,
}

impl core::fmt::Debug for KeyEncryption {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("KeyEncryption")
            .field(
                "decryptors",
                &self
                    .decryptors
                    .iter()
                    .map(|d| d.decryptor_type().to_owned())
                    .collect::<Vec<_>>(),
            )
            .field(
                "encryptor",
                &self.encryptor.as_ref().map(|e| e.protection()),
            )
            .field("allow_unencrypted", &self.allow_unencrypted)
            .finish()
    }
}

impl KeyEncryption {
    /// No decryptors (only clear and `NullXmlEncryptor` keys are readable) and no encryptor.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a decryptor; several may serve one type (certificate identities are one decryptor
    /// holding them all).
    pub fn with_decryptor(mut self, decryptor: Arc<dyn XmlDecryptor>) -> Self {
        self.decryptors.push(decryptor);
        self
    }

    /// Writes new keys with `encryptor`.
    pub fn with_encryptor(mut self, encryptor: Arc<dyn XmlEncryptor>) -> Self {
        self.encryptor = Some(encryptor);
        self
    }

    /// Allows writing an unencrypted key into a ring whose keys are encrypted at rest (by
    /// default refused: the .NET apps sharing the ring would start using a key in clear).
    pub fn allow_unencrypted_keys(mut self, allow: bool) -> Self {
        self.allow_unencrypted = allow;
        self
    }

    /// The encryptor for new keys, if any.
    pub fn encryptor(&self) -> Option<&Arc<dyn XmlEncryptor>> {
        self.encryptor.as_ref()
    }

    /// Whether unencrypted keys may join an encrypted ring.
    pub fn allows_unencrypted_keys(&self) -> bool {
        self.allow_unencrypted
    }

    /// The decryptors registered for a full type name.
    pub(crate) fn decryptors_for<'a>(
        &'a self,
        full_type_name: &'a str,
    ) -> impl Iterator<Item = &'a Arc<dyn XmlDecryptor>> + 'a {
        self.decryptors
            .iter()
            .filter(move |d| d.decryptor_type() == full_type_name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_null_decryptor_returns_the_element_inside() {
        let inner = r#"<masterKey xmlns:p4="urn:x" p4:requiresEncryption="true"><value>AQ==</value></masterKey>"#;
        let wrapped =
            format!("<unencryptedKey><!-- This key is not encrypted. -->{inner}</unencryptedKey>");
        assert_eq!(
            NullXmlDecryptor.decrypt(&wrapped).map(|s| s.to_string()),
            Ok(inner.to_owned())
        );
        assert_eq!(
            NullXmlDecryptor
                .decrypt("<unencryptedKey/>")
                .map(|s| s.to_string()),
            Err(DescriptorError::MalformedNullSecret)
        );
    }
}
