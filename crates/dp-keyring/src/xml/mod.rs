//! Key and revocation XML, read and written exactly as ASP.NET Core Data Protection does.
//!
//! Public here: revocations (which [`crate::LoadedKeys`] lists, and which a repository may want
//! to write) and the bounds every element is checked against before it is parsed
//! ([`XmlLimit`]). The parsed key elements and their descriptors, which hold master keys, are
//! internal: keys are read through [`crate::KeyManager`].
//!
//! Reading is namespace-aware (never by prefix) and tolerant where .NET is: a UTF-8 BOM, an XML
//! declaration, comments and whitespace anywhere, CRLF line ends. Writing produces what .NET on
//! Linux writes (`XElement.Save`): UTF-8 with BOM, the XML declaration, two-space indentation, the
//! unencrypted-key warning comment.

mod descriptor;
mod limits;
mod read;
mod write;

pub(crate) use descriptor::{Descriptor, DescriptorForm};
pub use limits::{
    MAX_ATTRIBUTES, MAX_DEPTH, MAX_ELEMENT_BYTES, MAX_NAMESPACE_DECLARATIONS, XmlLimit,
};
#[cfg(test)]
pub(crate) use read::parse_element;
pub(crate) use read::parse_element_with;
pub(crate) use write::key_document;
pub use write::{revocation_document, single_line};

use dp_format::KeyId;

use crate::{DescriptorError, MalformedKeyError, Timestamp};

/// The XML namespace of `requiresEncryption` and `encryptedSecret`.
pub(crate) const DATA_PROTECTION_NS: &str = "http://schemas.asp.net/2015/03/dataProtection";

/// One top-level element of a repository.
#[derive(Debug)]
pub(crate) enum Element {
    /// A `<key>` whose id and dates parsed.
    Key(KeyElement),
    /// A `<key>` whose id or dates did not parse: .NET skips such keys; we keep the reason so it
    /// can be shown.
    MalformedKey {
        /// The id, when it parsed.
        id: Option<KeyId>,
        /// What is wrong, without secret material.
        reason: MalformedKeyError,
    },
    /// A `<revocation>`.
    Revocation(Revocation),
    /// Any other root element; ignored, as .NET does.
    Other {
        /// Its local name.
        #[allow(
            dead_code,
            reason = "only the tests look at it; kept for debugging output"
        )]
        name: String,
    },
}

/// A parsed `<key>` element.
#[derive(Debug)]
pub(crate) struct KeyElement {
    /// The key id (`id` attribute).
    pub(crate) id: KeyId,
    /// `<creationDate>`.
    pub(crate) creation: Timestamp,
    /// `<activationDate>`.
    pub(crate) activation: Timestamp,
    /// `<expirationDate>`.
    pub(crate) expiration: Timestamp,
    /// The descriptor, or why it cannot be used. Failure makes only this key unusable.
    pub(crate) descriptor: Result<Descriptor, DescriptorError>,
    /// How the master key is protected at rest.
    pub(crate) protection: crate::encryption::KeyProtection,
}

/// A parsed `<revocation>` element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Revocation {
    /// Revokes one key (`<key id="…"/>`).
    Key {
        /// The revoked key.
        id: KeyId,
        /// `<revocationDate>`.
        date: Timestamp,
        /// `<reason>` (written, never used for decisions).
        reason: Option<String>,
    },
    /// Revokes every key created strictly before `date` (`<key id="*"/>`).
    AllCreatedBefore {
        /// `<revocationDate>`.
        date: Timestamp,
        /// `<reason>`.
        reason: Option<String>,
    },
}

impl Revocation {
    /// `<revocationDate>`.
    pub fn date(&self) -> Timestamp {
        match self {
            Self::Key { date, .. } | Self::AllCreatedBefore { date, .. } => *date,
        }
    }

    /// `<reason>`, if the revocation gives one.
    pub fn reason(&self) -> Option<&str> {
        match self {
            Self::Key { reason, .. } | Self::AllCreatedBefore { reason, .. } => reason.as_deref(),
        }
    }

    /// Whether this revokes every key created before its date (`<key id="*"/>`).
    pub fn is_mass(&self) -> bool {
        matches!(self, Self::AllCreatedBefore { .. })
    }

    /// The repository friendly name .NET uses: `revocation-{id}` or
    /// `revocation-{yyyyMMddTHHmmssFFFFFFFZ}`.
    pub fn friendly_name(&self) -> String {
        match self {
            Self::Key { id, .. } => format!("revocation-{id}"),
            Self::AllCreatedBefore { date, .. } => format!("revocation-{}", date.to_compact_utc()),
        }
    }
}

/// The repository friendly name of a key: `key-{id}`.
pub(crate) fn key_friendly_name(id: KeyId) -> String {
    format!("key-{id}")
}

#[cfg(test)]
mod tests;
