//! `TicketSerializer` format 5. (Stub: being written.)

use crate::wire::DecodeReport;
use crate::{AspNetError, AuthenticationTicket};

/// The only format version .NET writes and reads.
pub const FORMAT_VERSION: i32 = 5;

/// Decodes a ticket.
///
/// # Errors
/// Malformed input.
pub fn decode(bytes: &[u8]) -> Result<(AuthenticationTicket, DecodeReport), AspNetError> {
    let _ = bytes;
    Err(AspNetError::InvalidArgument(
        "ticket decoding not written yet",
    ))
}

/// Encodes a ticket.
///
/// # Errors
/// Unwritable values.
pub fn encode(ticket: &AuthenticationTicket) -> Result<Vec<u8>, AspNetError> {
    let _ = ticket;
    Err(AspNetError::InvalidArgument(
        "ticket encoding not written yet",
    ))
}
