//! The additional authenticated data that binds a payload to its key and purpose chain.

use crate::dotnet_binary::write_7bit;
use crate::payload::MAGIC_HEADER_V0;
use crate::{FormatError, KeyId};

/// Builds the AAD for one purpose chain, once, and stamps a key id into it per payload.
///
/// ```text
/// AAD := BE32(0x09F0C9F0) || key id (16, .NET Guid order) || BE32(purpose count)
///        || for each purpose: 7-bit length prefix of its UTF-8 byte count || UTF-8 bytes
/// ```
/// The AAD never travels on the wire: it is the SP800-108 label, so a payload only decrypts under
/// the same key id and the same purposes in the same order. The chain includes the application
/// name first when one is set, exactly like .NET's `SetApplicationName`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AadBuilder {
    template: Vec<u8>,
}

const KEY_ID_RANGE: core::ops::Range<usize> = 4..20;

impl AadBuilder {
    /// Prepares the AAD template for a purpose chain (outermost first).
    ///
    /// An empty chain and empty-string purposes are representable; rejecting an empty chain is
    /// the protector's job, as in .NET.
    ///
    /// # Errors
    /// [`FormatError::TooManyPurposes`] if the count does not fit .NET's signed 32-bit integer.
    pub fn new<I, S>(purposes: I) -> Result<Self, FormatError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        // The purposes first, since the count precedes them.
        let mut encoded = Vec::with_capacity(40);
        let mut count: u32 = 0;
        for purpose in purposes {
            let bytes = purpose.as_ref().as_bytes();
            let len = u32::try_from(bytes.len()).map_err(|_| FormatError::TooManyPurposes)?;
            write_7bit(&mut encoded, len);
            encoded.extend_from_slice(bytes);
            count = count.checked_add(1).ok_or(FormatError::TooManyPurposes)?;
        }
        if i32::try_from(count).is_err() {
            return Err(FormatError::TooManyPurposes);
        }
        let mut template = Vec::with_capacity(24 + encoded.len());
        template.extend_from_slice(&MAGIC_HEADER_V0.to_be_bytes());
        template.extend_from_slice(&[0u8; 16]);
        template.extend_from_slice(&count.to_be_bytes());
        template.extend_from_slice(&encoded);
        Ok(Self { template })
    }

    /// The AAD with the all-zero key id, as .NET's template test asserts it.
    pub fn template(&self) -> &[u8] {
        &self.template
    }

    /// The AAD for a payload protected with `key_id`.
    pub fn for_key(&self, key_id: KeyId) -> Vec<u8> {
        self.for_key_bytes(&key_id.to_wire_bytes())
    }

    /// The AAD for the key id bytes as received in a payload (no re-encoding).
    pub fn for_key_bytes(&self, key_id_bytes: &[u8; 16]) -> Vec<u8> {
        let mut aad = self.template.clone();
        // The template always starts with magic (4) + key id (16); see `new`.
        if let Some(slot) = aad.get_mut(KEY_ID_RANGE) {
            slot.copy_from_slice(key_id_bytes);
        }
        aad
    }
}

/// Number of bytes the 7-bit length prefix of `value` takes (1 to 5).
pub fn encoded_7bit_len(value: u32) -> usize {
    let mut buf = Vec::with_capacity(5);
    write_7bit(&mut buf, value);
    buf.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seven_bit_lengths_match_dotnet() {
        let cases = [
            (0, 1),
            (1, 1),
            (127, 1),
            (128, 2),
            (16383, 2),
            (16384, 3),
            (2_097_151, 3),
            (2_097_152, 4),
            (268_435_455, 4),
            (268_435_456, 5),
            (u32::MAX, 5),
        ];
        for (value, len) in cases {
            assert_eq!(encoded_7bit_len(value), len, "{value}");
        }
        let mut buf = Vec::new();
        write_7bit(&mut buf, 155);
        assert_eq!(buf, [0x9B, 0x01]);
    }

    #[test]
    fn protector_aads_match_dotnet() -> Result<(), FormatError> {
        let id: KeyId = "ba73c9ce-d322-4e45-af90-341307e11c38".parse()?;
        let hex = |b: &[u8]| b.iter().map(|b| format!("{b:02x}")).collect::<String>();
        let three = AadBuilder::new(["purpose1", "purpose2", "yet another purpose"])?;
        assert_eq!(
            hex(&three.for_key(id)),
            "09f0c9f0cec973ba22d3454eaf90341307e11c3800000003087075727\
             06f73653108707572706f7365321379657420616e6f7468657220707572706f7365"
        );
        let one = AadBuilder::new(["single purpose"])?;
        assert_eq!(
            hex(&one.for_key(id)),
            "09f0c9f0cec973ba22d3454eaf90341307e11c38000000010e73696e676c6520707572706f7365"
        );
        let empty = AadBuilder::new([""])?;
        assert_eq!(&empty.template()[20..], &[0, 0, 0, 1, 0]);
        Ok(())
    }
}
