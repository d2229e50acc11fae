//! .NET's `BinaryReader` / `BinaryWriter` primitives, as ASP.NET Core's serializers use them.
//!
//! `TicketSerializer`, `PropertiesSerializer`, antiforgery tokens and Identity's token provider
//! are all written with `BinaryWriter(stream, Encoding.UTF8)`:
//!
//! ```text
//! i32   4 bytes, little-endian (the Data Protection AAD's purpose count is big-endian instead)
//! bool  1 byte; written 00/01, any non-zero byte reads as true
//! str   7-bit length (LEB128 of the UTF-8 byte count, at most 5 bytes, the 5th ≤ 0x0F) ‖ UTF-8
//! ```
//!
//! The reader follows `BinaryReader`: overlong length forms (`80 00`) are accepted, a length with a
//! sixth byte or a 5th byte above `0x0F` is rejected, and invalid UTF-8 becomes U+FFFD (reported,
//! so a caller can flag it). Unlike .NET, a length larger than the bytes left fails before anything
//! is allocated.

use std::borrow::Cow;

use crate::FormatError;
use crate::reader::Reader;

/// A cursor over bytes written by .NET's `BinaryWriter`. Never panics; every read names its field.
#[derive(Debug, Clone)]
pub struct BinaryReader<'a> {
    inner: Reader<'a>,
}

/// A string read by [`BinaryReader::string`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DotnetString<'a> {
    /// The text; borrowed unless invalid UTF-8 was replaced with U+FFFD.
    pub text: Cow<'a, str>,
    /// Whether the bytes were not valid UTF-8 (.NET replaces silently; the text no longer
    /// re-encodes to the same bytes).
    pub replaced_invalid_utf8: bool,
}

impl<'a> BinaryReader<'a> {
    /// A reader over `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        Self {
            inner: Reader::new(bytes),
        }
    }

    /// `ReadInt32`: 4 bytes, little-endian.
    ///
    /// # Errors
    /// [`FormatError::Truncated`] naming `field`.
    pub fn i32(&mut self, field: &'static str) -> Result<i32, FormatError> {
        self.inner.array(field).map(i32::from_le_bytes)
    }

    /// `ReadInt64`: 8 bytes, little-endian.
    ///
    /// # Errors
    /// [`FormatError::Truncated`] naming `field`.
    pub fn i64(&mut self, field: &'static str) -> Result<i64, FormatError> {
        self.inner.array(field).map(i64::from_le_bytes)
    }

    /// `ReadByte`.
    ///
    /// # Errors
    /// [`FormatError::Truncated`] naming `field`.
    pub fn u8(&mut self, field: &'static str) -> Result<u8, FormatError> {
        self.inner.u8(field)
    }

    /// `ReadBoolean`: any non-zero byte is true.
    ///
    /// # Errors
    /// [`FormatError::Truncated`] naming `field`.
    pub fn bool(&mut self, field: &'static str) -> Result<bool, FormatError> {
        self.inner.u8(field).map(|b| b != 0)
    }

    /// The next `n` bytes.
    ///
    /// # Errors
    /// [`FormatError::Truncated`] naming `field`.
    pub fn bytes(&mut self, n: usize, field: &'static str) -> Result<&'a [u8], FormatError> {
        self.inner.take(n, field)
    }

    /// `Read7BitEncodedInt` as a length: at most 5 bytes, the 5th at most `0x0F`, not negative.
    ///
    /// # Errors
    /// [`FormatError::Truncated`], or [`FormatError::LimitExceeded`] for a form .NET rejects.
    pub fn length_7bit(&mut self, field: &'static str) -> Result<usize, FormatError> {
        let mut value: u32 = 0;
        for shift in [0u32, 7, 14, 21] {
            let byte = self.inner.u8(field)?;
            value |= u32::from(byte & 0x7F) << shift;
            if byte & 0x80 == 0 {
                return usize::try_from(value).map_err(|_| FormatError::LimitExceeded { field });
            }
        }
        let last = self.inner.u8(field)?;
        if last > 0x0F {
            return Err(FormatError::LimitExceeded { field });
        }
        value |= u32::from(last) << 28;
        // .NET returns an `int`: lengths of 2^31 and above read as negative and are refused.
        if i32::try_from(value).is_err() {
            return Err(FormatError::LimitExceeded { field });
        }
        usize::try_from(value).map_err(|_| FormatError::LimitExceeded { field })
    }

    /// `ReadString`: a 7-bit length and that many UTF-8 bytes, checked against the bytes left
    /// before anything is read.
    ///
    /// # Errors
    /// [`FormatError::Truncated`] when the length exceeds the bytes left, or a length error.
    pub fn string(&mut self, field: &'static str) -> Result<DotnetString<'a>, FormatError> {
        let len = self.length_7bit(field)?;
        let bytes = self.inner.take(len, field)?;
        Ok(match core::str::from_utf8(bytes) {
            Ok(text) => DotnetString {
                text: Cow::Borrowed(text),
                replaced_invalid_utf8: false,
            },
            Err(_) => DotnetString {
                text: String::from_utf8_lossy(bytes),
                replaced_invalid_utf8: true,
            },
        })
    }

    /// How many bytes remain.
    pub fn remaining(&self) -> usize {
        self.inner.remaining()
    }

    /// Fails unless every byte was read.
    ///
    /// # Errors
    /// [`FormatError::TrailingBytes`].
    pub fn finish(&self) -> Result<(), FormatError> {
        self.inner.finish()
    }
}

/// Appends .NET `BinaryWriter` primitives to a byte vector.
#[derive(Debug, Clone, Default)]
pub struct BinaryWriter {
    out: Vec<u8>,
}

impl BinaryWriter {
    /// An empty writer.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty writer with room for `capacity` bytes.
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            out: Vec::with_capacity(capacity),
        }
    }

    /// `Write(int)`.
    pub fn i32(&mut self, value: i32) -> &mut Self {
        self.out.extend_from_slice(&value.to_le_bytes());
        self
    }

    /// `Write(long)`.
    pub fn i64(&mut self, value: i64) -> &mut Self {
        self.out.extend_from_slice(&value.to_le_bytes());
        self
    }

    /// `Write(byte)`.
    pub fn u8(&mut self, value: u8) -> &mut Self {
        self.out.push(value);
        self
    }

    /// `Write(bool)`: `00` or `01`.
    pub fn bool(&mut self, value: bool) -> &mut Self {
        self.out.push(u8::from(value));
        self
    }

    /// Raw bytes.
    pub fn bytes(&mut self, bytes: &[u8]) -> &mut Self {
        self.out.extend_from_slice(bytes);
        self
    }

    /// `Write(string)`: 7-bit UTF-8 byte count, then the bytes.
    ///
    /// # Errors
    /// [`FormatError::LimitExceeded`] for a string of 2 GiB or more, which .NET cannot write.
    pub fn string(&mut self, value: &str) -> Result<&mut Self, FormatError> {
        let len = i32::try_from(value.len())
            .ok()
            .and_then(|n| u32::try_from(n).ok())
            .ok_or(FormatError::LimitExceeded { field: "string" })?;
        write_7bit(&mut self.out, len);
        self.out.extend_from_slice(value.as_bytes());
        Ok(self)
    }

    /// The bytes written so far.
    pub fn as_bytes(&self) -> &[u8] {
        &self.out
    }

    /// The bytes written.
    pub fn into_bytes(self) -> Vec<u8> {
        self.out
    }
}

/// .NET `BinaryWriter.Write7BitEncodedInt`: little-endian base-128, high bit = more follows.
pub(crate) fn write_7bit(out: &mut Vec<u8>, mut value: u32) {
    while value >= 0x80 {
        out.push(low7(value) | 0x80);
        value >>= 7;
    }
    out.push(low7(value));
}

fn low7(value: u32) -> u8 {
    (value & 0x7F).to_le_bytes()[0]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn lengths_follow_binary_reader() {
        let read = |bytes: &[u8]| BinaryReader::new(bytes).length_7bit("len");
        assert_eq!(read(&[0x00]), Ok(0));
        assert_eq!(read(&[0x9B, 0x01]), Ok(155));
        // Overlong forms are accepted, as .NET accepts them.
        assert_eq!(read(&[0x80, 0x00]), Ok(0));
        assert_eq!(read(&[0xFF, 0xFF, 0xFF, 0xFF, 0x07]), Ok(0x7FFF_FFFF));
        // Negative as an int, a 5th byte above 0x0F, or a 6th byte: refused.
        for bad in [
            &[0x80, 0x80, 0x80, 0x80, 0x08][..],
            &[0x80, 0x80, 0x80, 0x80, 0x10],
            &[0x80, 0x80, 0x80, 0x80, 0x8F, 0x00],
        ] {
            assert_eq!(read(bad), Err(FormatError::LimitExceeded { field: "len" }));
        }
        assert_eq!(read(&[0x80]), Err(FormatError::Truncated { field: "len" }));
    }

    #[test]
    fn strings_are_checked_against_what_is_left_and_replace_invalid_utf8() {
        let mut r = BinaryReader::new(&[0x05, b'a', b'l']);
        assert_eq!(r.string("s"), Err(FormatError::Truncated { field: "s" }));
        let mut r = BinaryReader::new(&[0x02, 0xC3, 0x28]);
        let s = r.string("s");
        assert_eq!(
            s,
            Ok(DotnetString {
                text: Cow::Owned("\u{FFFD}(".into()),
                replaced_invalid_utf8: true
            })
        );
    }

    #[test]
    fn writer_matches_dotnet() -> Result<(), FormatError> {
        let mut w = BinaryWriter::new();
        w.i32(5).string("Cookies")?.bool(true).i64(-1);
        assert_eq!(
            w.into_bytes(),
            [
                5, 0, 0, 0, 7, b'C', b'o', b'o', b'k', b'i', b'e', b's', 1, 0xFF, 0xFF, 0xFF, 0xFF,
                0xFF, 0xFF, 0xFF, 0xFF
            ]
        );
        Ok(())
    }

    proptest! {
        #[test]
        fn strings_round_trip(s in ".{0,300}") {
            let mut w = BinaryWriter::new();
            w.string(&s).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let bytes = w.into_bytes();
            let mut r = BinaryReader::new(&bytes);
            let read = r.string("s").map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(read.text.as_ref(), s.as_str());
            prop_assert!(r.finish().is_ok());
        }

        #[test]
        fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let mut r = BinaryReader::new(&bytes);
            while r.string("s").is_ok() {}
        }
    }
}
