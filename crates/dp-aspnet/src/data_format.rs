//! `SecureDataFormat<T>`: serialize, protect, base64url. (Being written.)

use dp_keyring::DataProtector;

/// `TicketDataFormat`.
#[derive(Debug, Clone)]
pub struct TicketDataFormat {
    protector: DataProtector,
}

/// `PropertiesDataFormat`.
#[derive(Debug, Clone)]
pub struct PropertiesDataFormat {
    protector: DataProtector,
}

impl TicketDataFormat {
    /// Over `protector`.
    pub fn new(protector: DataProtector) -> Self {
        Self { protector }
    }
}

impl PropertiesDataFormat {
    /// Over `protector`.
    pub fn new(protector: DataProtector) -> Self {
        Self { protector }
    }
}
