use dp_format::KeyId;

use crate::Timestamp;
use crate::xml::{Descriptor, Revocation};

/// The file content .NET on Linux writes for a new key (spec §7.1): UTF-8 BOM, XML declaration,
/// two-space indentation, `AuthenticatedEncryptorDescriptor` form, unencrypted master key with
/// the warning comment.
pub fn key_document(
    id: KeyId,
    creation: Timestamp,
    activation: Timestamp,
    expiration: Timestamp,
    descriptor: &Descriptor,
) -> String {
    let _ = (id, creation, activation, expiration, descriptor);
    String::new()
}

/// The file content .NET writes for a revocation (spec §7.3).
pub fn revocation_document(revocation: &Revocation) -> String {
    let _ = revocation;
    String::new()
}
