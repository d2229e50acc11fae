//! Wire formats of ASP.NET Core Data Protection, byte for byte.
//!
//! This crate only moves bytes: it parses and serializes protected payloads, key identifiers in
//! .NET `Guid` byte order, the additional authenticated data (AAD) that binds a payload to its
//! purpose chain, the time-limited inner header, and base64url text. It performs no cryptography
//! and no I/O, and no input makes it panic: every parser returns a [`FormatError`] instead.
//!
//! ```
//! use dp_format::{KeyId, ProtectedPayload};
//!
//! let key_id: KeyId = "3d6d01fd-c0e7-44ae-82dd-013b996b4093".parse()?;
//! let bytes = ProtectedPayload::encode(key_id, b"body");
//! let payload = ProtectedPayload::parse(&bytes)?;
//! assert_eq!(payload.key_id(), key_id);
//! assert_eq!(payload.body(), b"body");
//! # Ok::<(), dp_format::FormatError>(())
//! ```
#![forbid(unsafe_code)]
// No input may make this crate panic: no indexing or slicing that could be out of bounds.
#![warn(clippy::indexing_slicing)]

mod aad;
pub mod base64url;
mod body;
pub mod capi;
pub mod dotnet_binary;
pub mod envelope;
mod error;
mod key_id;
mod payload;
pub mod payload_text;
mod reader;
pub mod time_limited;

pub use aad::{AadBuilder, encoded_7bit_len};
pub use body::{
    AES_BLOCK_SIZE, CbcHmacBody, GCM_NONCE_SIZE, GCM_TAG_SIZE, GcmBody, KEY_MODIFIER_SIZE,
};
pub use error::FormatError;
pub use key_id::KeyId;
pub use payload::{MAGIC_HEADER_V0, PAYLOAD_HEADER_LEN, ProtectedPayload};
pub use payload_text::{InputKind, decode_payload_text, sniff};
