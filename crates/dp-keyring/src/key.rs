//! A key of the ring: metadata, revocation state, and its encryptor.

use core::fmt;

use dp_crypto::{Algorithm, AuthenticatedEncryptor};
use dp_format::KeyId;

use crate::encryption::KeyProtection;
use crate::{DescriptorError, KeyringError, Timestamp};

/// What a key is good for at a given instant, most significant first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyState {
    /// Its descriptor cannot be read or decrypted.
    Unusable,
    /// A revocation applies to it.
    Revoked,
    /// It is the key new payloads are protected with.
    Default,
    /// Past its expiration: it still unprotects, never protects.
    Expired,
    /// Not yet activated.
    Pending,
    /// Activated, unexpired, but not the default.
    Active,
}

impl KeyState {
    /// Lowercase name, for listings.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unusable => "unreadable",
            Self::Revoked => "revoked",
            Self::Default => "default",
            Self::Expired => "expired",
            Self::Pending => "pending",
            Self::Active => "active",
        }
    }
}

/// One key of a key ring.
///
/// The master key is not kept: the encryptor holds the keyed KDF state it needs, and the
/// master key's only other use — writing the key file — happens once, at creation.
pub struct Key {
    pub(crate) id: KeyId,
    pub(crate) creation: Timestamp,
    pub(crate) activation: Timestamp,
    pub(crate) expiration: Timestamp,
    pub(crate) revoked: bool,
    pub(crate) element_name: String,
    pub(crate) source: String,
    pub(crate) encryptor: Result<AuthenticatedEncryptor, DescriptorError>,
    pub(crate) protection: KeyProtection,
}

impl Key {
    /// The key id.
    pub fn id(&self) -> KeyId {
        self.id
    }

    /// When the key was created.
    pub fn creation(&self) -> Timestamp {
        self.creation
    }

    /// From when the key may be the default key.
    pub fn activation(&self) -> Timestamp {
        self.activation
    }

    /// From when the key may no longer protect (it still unprotects).
    pub fn expiration(&self) -> Timestamp {
        self.expiration
    }

    /// Whether a revocation applies to the key.
    pub fn is_revoked(&self) -> bool {
        self.revoked
    }

    /// Whether the key is expired at `now` (`expiration <= now`, as in .NET).
    pub fn is_expired_at(&self, now: Timestamp) -> bool {
        self.expiration <= now
    }

    /// The key's state at `now`, given the ring's default key.
    pub fn state(&self, now: Timestamp, default: Option<KeyId>) -> KeyState {
        if self.encryptor.is_err() {
            KeyState::Unusable
        } else if self.revoked {
            KeyState::Revoked
        } else if Some(self.id) == default {
            KeyState::Default
        } else if self.is_expired_at(now) {
            KeyState::Expired
        } else if self.activation > now {
            KeyState::Pending
        } else {
            KeyState::Active
        }
    }

    /// How the key's master key is protected at rest.
    pub fn protection(&self) -> &KeyProtection {
        &self.protection
    }

    /// When a payload protected with this key can have been made: a key protects only while it
    /// is the default — not before it exists nor more than `clock_skew` before it activates,
    /// and normally not after it expires.
    pub fn production_window(&self, clock_skew: time::Duration) -> (Timestamp, Timestamp) {
        let earliest = core::cmp::max(self.creation, self.activation - clock_skew);
        (earliest, self.expiration)
    }

    /// The algorithm, when the descriptor could be read.
    pub fn algorithm(&self) -> Option<Algorithm> {
        self.encryptor
            .as_ref()
            .ok()
            .map(AuthenticatedEncryptor::algorithm)
    }

    /// Why the key cannot be used, if it cannot.
    pub fn unusable_reason(&self) -> Option<&DescriptorError> {
        self.encryptor.as_ref().err()
    }

    /// Where the key was read from (a file path).
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The repository element name (`key-{id}`).
    pub fn element_name(&self) -> &str {
        &self.element_name
    }

    /// The key's encryptor.
    ///
    /// # Errors
    /// [`KeyringError::KeyUnusable`] when the descriptor could not be read or decrypted.
    pub fn encryptor(&self) -> Result<&AuthenticatedEncryptor, KeyringError> {
        self.encryptor
            .as_ref()
            .map_err(|reason| KeyringError::KeyUnusable {
                id: self.id,
                reason: reason.clone(),
            })
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Key")
            .field("id", &self.id)
            .field("creation", &self.creation)
            .field("activation", &self.activation)
            .field("expiration", &self.expiration)
            .field("revoked", &self.revoked)
            .field("algorithm", &self.algorithm())
            .finish_non_exhaustive()
    }
}
