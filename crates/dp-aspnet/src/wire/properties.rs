//! `PropertiesSerializer` format 1. (Stub: being written.)

use crate::wire::DecodeReport;
use crate::{AspNetError, AuthenticationProperties};

/// The only format version .NET writes and reads.
pub const FORMAT_VERSION: i32 = 1;

/// Decodes stand-alone properties (OAuth/OIDC `state`).
///
/// # Errors
/// Malformed input.
pub fn decode(bytes: &[u8]) -> Result<(AuthenticationProperties, DecodeReport), AspNetError> {
    let _ = bytes;
    Err(AspNetError::InvalidArgument(
        "properties decoding not written yet",
    ))
}

/// Encodes stand-alone properties.
///
/// # Errors
/// Unwritable values.
pub fn encode(properties: &AuthenticationProperties) -> Result<Vec<u8>, AspNetError> {
    let _ = properties;
    Err(AspNetError::InvalidArgument(
        "properties encoding not written yet",
    ))
}
