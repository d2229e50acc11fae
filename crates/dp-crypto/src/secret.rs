use core::fmt;

use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::{CryptoError, SecureRandom};

/// A key's master key: the key-derivation key from which every payload's subkeys come.
///
/// Newly generated master keys are 64 random bytes, as in .NET; keys read from a key ring may
/// have any length. The bytes are wiped on drop and never printed; the type is neither `Clone`
/// nor `PartialEq`, so a copy is always explicit ([`MasterKey::to_zeroizing`]) and no comparison
/// can leak timing.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct MasterKey(Vec<u8>);

impl MasterKey {
    /// Size of a generated master key (.NET `KDK_SIZE_IN_BYTES`).
    pub const GENERATED_LEN: usize = 64;

    /// Draws a fresh 64-byte master key.
    ///
    /// # Errors
    /// [`CryptoError::RandomSourceFailed`] if the random source fails.
    pub fn generate(rng: &dyn SecureRandom) -> Result<Self, CryptoError> {
        let mut bytes = vec![0u8; Self::GENERATED_LEN];
        rng.fill(&mut bytes)?;
        Ok(Self(bytes))
    }

    /// Takes ownership of key bytes (for example decoded from key XML).
    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }

    /// Copies key bytes; the caller remains responsible for wiping its copy.
    pub fn from_slice(bytes: &[u8]) -> Self {
        Self(bytes.to_vec())
    }

    /// The secret bytes.
    ///
    /// # Security
    /// Only for persisting the key (key XML) or escrow; the copy the caller makes is not wiped
    /// for it — wrap it in [`Zeroizing`].
    pub fn expose_secret(&self) -> &[u8] {
        &self.0
    }

    /// A wiped-on-drop copy of the bytes.
    pub fn to_zeroizing(&self) -> Zeroizing<Vec<u8>> {
        Zeroizing::new(self.0.clone())
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the key is empty (allowed by .NET when read from XML, never generated).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MasterKey")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_secret() {
        let key = MasterKey::from_slice(b"super secret");
        assert_eq!(format!("{key:?}"), "MasterKey");
    }
}
