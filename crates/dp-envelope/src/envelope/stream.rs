//! Reading and writing the envelope stream: exact reads that tell truncation from I/O errors,
//! and the header read with its limits checked as each field arrives.

use std::io::{self, Read, Write};

use dp_format::envelope::{HeaderLen, header_len};

use crate::EnvelopeError;

/// Reads until `buf` is full or the input ends; returns the number of bytes read.
pub(super) fn read_full(input: &mut impl Read, buf: &mut [u8]) -> Result<usize, EnvelopeError> {
    let mut filled = 0;
    while let Some(rest) = buf.get_mut(filled..).filter(|r| !r.is_empty()) {
        match input.read(rest) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(EnvelopeError::io("reading the input", e)),
        }
    }
    Ok(filled)
}

/// Replaces `buf` with up to `len` bytes of input (fewer only at the end of the input).
///
/// The old bytes are overwritten rather than cleared first: only a buffer shorter than `len`
/// is zero-filled, so a reused chunk buffer is not set to zeros before every read.
pub(super) fn read_chunk(
    input: &mut impl Read,
    buf: &mut Vec<u8>,
    len: usize,
) -> Result<(), EnvelopeError> {
    buf.resize(len, 0);
    let got = read_full(input, buf)?;
    buf.truncate(got);
    Ok(())
}

/// Fills `buf`, or fails with [`EnvelopeError::Truncated`].
pub(super) fn read_exact_or_truncated(
    input: &mut impl Read,
    buf: &mut [u8],
) -> Result<(), EnvelopeError> {
    if read_full(input, buf)? == buf.len() {
        Ok(())
    } else {
        Err(EnvelopeError::Truncated)
    }
}

/// Fails with [`EnvelopeError::TrailingData`] unless the input has ended.
pub(super) fn expect_end(input: &mut impl Read) -> Result<(), EnvelopeError> {
    let mut extra = [0u8; 1];
    if read_full(input, &mut extra)? == 0 {
        Ok(())
    } else {
        Err(EnvelopeError::TrailingData)
    }
}

pub(super) fn write_all(output: &mut impl Write, bytes: &[u8]) -> Result<(), EnvelopeError> {
    output
        .write_all(bytes)
        .map_err(|e| EnvelopeError::io("writing the output", e))
}

/// Reads the whole header (MAC and wrapped keys included), checking every limit as soon as its
/// field arrives: a hostile header costs at most `MAX_HEADER_LEN` bytes and no RSA work.
/// Returns exactly the header's bytes, for the caller to parse once with `EnvelopeHeader::parse`.
pub(super) fn read_header(input: &mut impl Read) -> Result<Vec<u8>, EnvelopeError> {
    let mut bytes = Vec::with_capacity(1024);
    loop {
        let (need, complete) = match header_len(&bytes)? {
            HeaderLen::NeedAtLeast(n) => (n, false),
            HeaderLen::Complete(n) => (n, true),
        };
        let start = bytes.len();
        bytes.resize(need, 0);
        let got = read_full(input, bytes.get_mut(start..).unwrap_or_default())?;
        if got < need - start {
            bytes.truncate(start + got);
            // Let the parser name a bad magic in a short input before "truncated".
            header_len(&bytes)?;
            return Err(EnvelopeError::Truncated);
        }
        if complete {
            return Ok(bytes);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `seal` encrypts exactly what it read, chunk by chunk, whatever `Read` hands out at a time.
    #[test]
    fn read_chunk_holds_exactly_the_bytes_read() -> Result<(), EnvelopeError> {
        let mut input: &[u8] = b"0123456789";
        let mut buf = vec![0xEE; 3];
        read_chunk(&mut input, &mut buf, 4)?;
        assert_eq!(buf, b"0123");
        read_chunk(&mut input, &mut buf, 4)?;
        assert_eq!(buf, b"4567");
        read_chunk(&mut input, &mut buf, 4)?;
        assert_eq!(buf, b"89");
        read_chunk(&mut input, &mut buf, 4)?;
        assert!(buf.is_empty());
        Ok(())
    }

    #[test]
    fn a_short_header_is_truncated_and_a_wrong_magic_is_named_first() {
        assert!(matches!(
            read_header(&mut &b"dpENV\x02"[..]),
            Err(EnvelopeError::Truncated)
        ));
        assert!(matches!(
            read_header(&mut &b"PK\x03"[..]),
            Err(EnvelopeError::Format(dp_format::FormatError::NotAnEnvelope))
        ));
        assert!(matches!(
            read_header(&mut &b""[..]),
            Err(EnvelopeError::Truncated)
        ));
    }
}
