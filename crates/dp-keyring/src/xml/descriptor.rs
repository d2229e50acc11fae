use core::fmt;

use dp_crypto::{Algorithm, MasterKey};

/// Which of .NET's four descriptor types a key uses. All four produce identical payloads; the
/// form only matters for reading (and for writing keys back unchanged, which we never do).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DescriptorForm {
    /// `AuthenticatedEncryptorDescriptor` (the default, and what we write).
    AuthenticatedEncryptor,
    /// `ManagedAuthenticatedEncryptorDescriptor`.
    Managed,
    /// `CngCbcAuthenticatedEncryptorDescriptor` (Windows).
    CngCbc,
    /// `CngGcmAuthenticatedEncryptorDescriptor` (Windows).
    CngGcm,
}

/// A key's algorithm and master key.
pub struct Descriptor {
    /// The authenticated-encryption configuration.
    pub algorithm: Algorithm,
    /// The master key (secret).
    pub master_key: MasterKey,
    /// The descriptor type it was read from.
    pub form: DescriptorForm,
}

impl fmt::Debug for Descriptor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Descriptor")
            .field("algorithm", &self.algorithm)
            .field("form", &self.form)
            .finish_non_exhaustive()
    }
}
