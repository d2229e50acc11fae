//! What an envelope claims, read without any key. Nothing here is authenticated.

use std::io::{self, Read};

use dp_format::envelope::{
    CHUNK_FRAME_HEADER_LEN, ChunkFrame, ContentAlgorithm, EnvelopeHeader, MIN_BODY_LEN,
};
use sha2::{Digest, Sha256};

use super::SenderIdentity;
use super::stream::{expect_end, read_exact_or_truncated, read_header};
use crate::{EnvelopeError, Fingerprint};

/// Sizes and claims found by [`inspect`] without decrypting.
#[derive(Debug, Clone)]
pub struct Inspection {
    /// The header.
    pub header: EnvelopeHeader,
    /// The sender the header names: always [`SenderIdentity::Claimed`], since no signature is
    /// checked here.
    pub sender: Option<SenderIdentity>,
    /// Header length in bytes, MAC and wrapped keys included.
    pub header_len: usize,
    /// Number of chunks.
    pub chunks: u64,
    /// Sum of the chunk bodies.
    pub content_len: u64,
    /// Whether a complete signature trailer is present.
    pub has_signature: bool,
    /// Total envelope length.
    pub total_len: u64,
}

impl Inspection {
    /// The plaintext length, when the content algorithm determines it (GCM adds a fixed 44
    /// bytes per chunk; CBC's padding makes it a range, so `None`).
    pub fn plaintext_len(&self) -> Option<u64> {
        match self.header.content {
            ContentAlgorithm::Aes256Gcm => self
                .content_len
                .checked_sub(self.chunks.checked_mul(u64::from(MIN_BODY_LEN))?),
            _ => None,
        }
    }
}

/// Reads the header and walks the chunk frames without any key: what an envelope claims.
///
/// # Errors
/// Format errors, truncation, trailing data, I/O.
pub fn inspect<R: Read>(mut input: R) -> Result<Inspection, EnvelopeError> {
    let header_bytes = read_header(&mut input)?;
    let header = EnvelopeHeader::parse(&header_bytes)?.header;
    let mut chunks = 0u64;
    let mut content_len = 0u64;
    loop {
        let mut frame = [0u8; CHUNK_FRAME_HEADER_LEN];
        read_exact_or_truncated(&mut input, &mut frame)?;
        let parsed = ChunkFrame::parse(&frame, header.chunk_size)?;
        let skipped = io::copy(
            &mut (&mut input).take(u64::from(parsed.body_len)),
            &mut io::sink(),
        )
        .map_err(|e| EnvelopeError::io("reading the input", e))?;
        if skipped != u64::from(parsed.body_len) {
            return Err(EnvelopeError::Truncated);
        }
        chunks += 1;
        content_len += skipped;
        if parsed.last {
            break;
        }
    }
    let signature_len = header
        .sender
        .as_ref()
        .map_or(0, |s| u64::from(s.signature_len));
    let skipped = io::copy(&mut (&mut input).take(signature_len), &mut io::sink())
        .map_err(|e| EnvelopeError::io("reading the input", e))?;
    if skipped != signature_len {
        return Err(EnvelopeError::Truncated);
    }
    expect_end(&mut input)?;
    let header_len = header_bytes.len();
    Ok(Inspection {
        sender: header
            .sender
            .as_ref()
            .map(|s| SenderIdentity::Claimed(Fingerprint(Sha256::digest(&s.public_key).into()))),
        has_signature: header.sender.is_some(),
        total_len: header_len as u64
            + chunks * CHUNK_FRAME_HEADER_LEN as u64
            + content_len
            + signature_len,
        header,
        header_len,
        chunks,
        content_len,
    })
}
