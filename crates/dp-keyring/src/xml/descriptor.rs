use core::fmt;

pub use dp_crypto::names::DescriptorForm;
use dp_crypto::{Algorithm, MasterKey};

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
