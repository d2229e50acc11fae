#![doc = include_str!("../README.md")]
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
