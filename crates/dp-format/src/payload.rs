//! The outer protected-payload layout shared by every encryptor.

use crate::reader::Reader;
use crate::{FormatError, KeyId};

/// The only magic header in ASP.NET Core Data Protection; its low nibble is the payload version.
///
/// The top 28 bits are the top 28 bits of SHA-1 of the .NET type name
/// `Microsoft.AspNet.DataProtection.KeyManagement.KeyRingBasedDataProtector`; `F0 C9` cannot
/// occur in UTF-8, so a payload is never mistaken for text.
pub const MAGIC_HEADER_V0: u32 = 0x09F0_C9F0;

/// Length of magic plus key id: the bytes before the encryptor body.
pub const PAYLOAD_HEADER_LEN: usize = 20;

/// A parsed protected payload, borrowing the bytes it was parsed from.
///
/// ```text
/// offset 0   magic       09 F0 C9 F0          (BE32; low nibble = version, must be 0)
/// offset 4   key id      16 bytes             (.NET Guid byte order)
/// offset 20  body        encryptor output     (CBC+HMAC or GCM layout, see `CbcHmacBody`/`GcmBody`)
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProtectedPayload<'a> {
    key_id_bytes: &'a [u8; 16],
    body: &'a [u8],
}

impl<'a> ProtectedPayload<'a> {
    /// Parses the header in the order .NET checks it: length, magic, version.
    ///
    /// # Errors
    /// [`FormatError::BadMagicHeader`] when the input is shorter than 20 bytes or the top 28 bits
    /// of the magic do not match; [`FormatError::NewerVersion`] when only the version differs.
    pub fn parse(input: &'a [u8]) -> Result<Self, FormatError> {
        // .NET reports any input shorter than the header as a bad magic header.
        if input.len() < PAYLOAD_HEADER_LEN {
            return Err(FormatError::BadMagicHeader);
        }
        let mut r = Reader::new(input);
        let magic = r.u32_be("magic header")?;
        if magic & 0xFFFF_FFF0 != MAGIC_HEADER_V0 {
            return Err(FormatError::BadMagicHeader);
        }
        let version = (magic & 0xF) as u8;
        if version != 0 {
            return Err(FormatError::NewerVersion { version });
        }
        let key_id_bytes = r.array_ref::<16>("key id")?;
        Ok(Self {
            key_id_bytes,
            body: r.rest(),
        })
    }

    /// The id of the key that protected this payload.
    pub fn key_id(&self) -> KeyId {
        KeyId::from_wire_bytes(*self.key_id_bytes)
    }

    /// The key id exactly as received, for building the AAD from the received bytes.
    pub fn key_id_bytes(&self) -> &'a [u8; 16] {
        self.key_id_bytes
    }

    /// The encryptor body: everything after the 20-byte header.
    pub fn body(&self) -> &'a [u8] {
        self.body
    }

    /// Writes the 20-byte header for `key_id` into a new buffer with room for `body_len` more
    /// bytes, so an encryptor can append its body without a second copy.
    pub fn header_with_capacity(key_id: KeyId, body_len: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(PAYLOAD_HEADER_LEN.saturating_add(body_len));
        out.extend_from_slice(&MAGIC_HEADER_V0.to_be_bytes());
        out.extend_from_slice(&key_id.to_wire_bytes());
        out
    }

    /// Serializes a complete payload from a key id and an encryptor body.
    pub fn encode(key_id: KeyId, body: &[u8]) -> Vec<u8> {
        let mut out = Self::header_with_capacity(key_id, body.len());
        out.extend_from_slice(body);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "ba73c9ce-d322-4e45-af90-341307e11c38";

    #[test]
    fn frames_like_the_dotnet_protector_test() -> Result<(), FormatError> {
        let id: KeyId = KEY.parse()?;
        let bytes = ProtectedPayload::encode(id, &[0x23, 0x29, 0x31, 0x37]);
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, "09f0c9f0cec973ba22d3454eaf90341307e11c3823293137");
        let parsed = ProtectedPayload::parse(&bytes)?;
        assert_eq!(parsed.key_id(), id);
        assert_eq!(parsed.body(), &[0x23, 0x29, 0x31, 0x37]);
        Ok(())
    }

    #[test]
    fn rejects_like_dotnet() -> Result<(), FormatError> {
        let id: KeyId = KEY.parse()?;
        let good = ProtectedPayload::encode(id, b"xyz");
        for len in 0..PAYLOAD_HEADER_LEN {
            assert_eq!(
                ProtectedPayload::parse(&good[..len]),
                Err(FormatError::BadMagicHeader)
            );
        }
        // Header only is structurally fine: the encryptor rejects the empty body.
        assert!(ProtectedPayload::parse(&good[..PAYLOAD_HEADER_LEN]).is_ok());

        let mut first = good.clone();
        first[0] = first[0].wrapping_add(1);
        assert_eq!(
            ProtectedPayload::parse(&first),
            Err(FormatError::BadMagicHeader)
        );

        let mut version = good.clone();
        version[3] = version[3].wrapping_add(1);
        assert_eq!(
            ProtectedPayload::parse(&version),
            Err(FormatError::NewerVersion { version: 1 })
        );
        version[3] = 0xFF;
        assert_eq!(
            ProtectedPayload::parse(&version),
            Err(FormatError::NewerVersion { version: 15 })
        );
        Ok(())
    }
}
