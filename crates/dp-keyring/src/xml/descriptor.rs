use core::fmt;

pub(crate) use dp_crypto::names::DescriptorForm;
use dp_crypto::{Algorithm, MasterKey};

/// A key's algorithm and master key. Not `Clone` or `PartialEq` (it holds the master key), and
/// its `Debug` leaves the key out.
pub(crate) struct Descriptor {
    /// The authenticated-encryption configuration.
    pub(crate) algorithm: Algorithm,
    /// The master key (secret).
    pub(crate) master_key: MasterKey,
    /// The descriptor type it was read from.
    #[cfg_attr(
        not(test),
        allow(
            dead_code,
            reason = "only the tests ask which form a key was read from"
        )
    )]
    pub(crate) form: DescriptorForm,
}

impl fmt::Debug for Descriptor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Descriptor")
    }
}
