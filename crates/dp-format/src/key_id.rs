use core::fmt;
use core::str::FromStr;

use uuid::Uuid;

use crate::FormatError;

/// The identifier of a key in a key ring.
///
/// .NET writes a `Guid` to the wire with `Guid.ToByteArray()`, which stores the first three
/// fields little-endian (`Data1` u32, `Data2` u16, `Data3` u16) and the last eight bytes as-is.
/// Getting this "mixed-endian" order wrong is the most common interoperability bug, so the only
/// ways in and out of wire bytes are [`KeyId::from_wire_bytes`] and [`KeyId::to_wire_bytes`].
///
/// ```text
/// text   AABBCCDD-EEFF-GGHH-IIJJ-KKLLMMNNOOPP
/// wire   DD CC BB AA | FF EE | HH GG | II JJ KK LL MM NN OO PP
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct KeyId(Uuid);

impl KeyId {
    /// The all-zero id, used by .NET's ephemeral provider and the AAD template.
    pub const NIL: Self = Self(Uuid::nil());

    /// Wraps a UUID given in canonical (big-endian, RFC 9562) field order.
    pub const fn from_uuid(uuid: Uuid) -> Self {
        Self(uuid)
    }

    /// The UUID in canonical field order.
    pub const fn as_uuid(&self) -> &Uuid {
        &self.0
    }

    /// Reads the 16 bytes .NET's `Guid.ToByteArray()` produces.
    pub const fn from_wire_bytes(bytes: [u8; 16]) -> Self {
        Self(Uuid::from_bytes_le(bytes))
    }

    /// The 16 bytes .NET's `Guid.ToByteArray()` produces.
    pub const fn to_wire_bytes(&self) -> [u8; 16] {
        self.0.to_bytes_le()
    }
}

impl fmt::Display for KeyId {
    /// The .NET `D` format in lowercase, as written in key XML and file names.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0.hyphenated(), f)
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({})", self.0.hyphenated())
    }
}

impl FromStr for KeyId {
    type Err = FormatError;

    /// Accepts the forms `XmlConvert.ToGuid` accepts: `D` (hyphenated), `N` (32 digits), `B`
    /// (`{…}`) and `P` (`(…)`), in either case, surrounded by no other text.
    ///
    /// # Errors
    /// [`FormatError::InvalidKeyId`] for anything else.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let inner = match s.as_bytes() {
            [b'{', .., b'}'] | [b'(', .., b')'] => s.get(1..s.len() - 1),
            _ => Some(s),
        }
        .ok_or(FormatError::InvalidKeyId)?;
        // `Uuid::parse_str` also accepts `urn:uuid:` and braces; restrict to the two plain forms
        // so that only the shapes .NET understands get through.
        let plain = inner.len() == 36 || inner.len() == 32;
        if !plain || !inner.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-') {
            return Err(FormatError::InvalidKeyId);
        }
        Uuid::try_parse(inner)
            .map(Self)
            .map_err(|_| FormatError::InvalidKeyId)
    }
}

impl From<Uuid> for KeyId {
    fn from(uuid: Uuid) -> Self {
        Self(uuid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_order_matches_dotnet_examples() -> Result<(), FormatError> {
        let cases = [
            (
                "3d6d01fd-c0e7-44ae-82dd-013b996b4093",
                "fd016d3de7c0ae4482dd013b996b4093",
            ),
            (
                "ba73c9ce-d322-4e45-af90-341307e11c38",
                "cec973ba22d3454eaf90341307e11c38",
            ),
            (
                "0c819c80-6619-4019-9536-53f8aaffee57",
                "809c810c19661940953653f8aaffee57",
            ),
        ];
        for (text, wire) in cases {
            let wire = wire.replace(' ', "");
            let id: KeyId = text.parse()?;
            let bytes = id.to_wire_bytes();
            let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            assert_eq!(hex, wire);
            assert_eq!(KeyId::from_wire_bytes(bytes), id);
            assert_eq!(id.to_string(), text);
        }
        Ok(())
    }

    #[test]
    fn accepts_dotnet_text_forms() -> Result<(), FormatError> {
        let d: KeyId = "3D6D01FD-C0E7-44AE-82DD-013B996B4093".parse()?;
        for form in [
            "3d6d01fdc0e744ae82dd013b996b4093",
            "{3d6d01fd-c0e7-44ae-82dd-013b996b4093}",
            "(3d6d01fd-c0e7-44ae-82dd-013b996b4093)",
        ] {
            assert_eq!(form.parse::<KeyId>()?, d);
        }
        for bad in [
            "",
            "{}",
            "{invalid}",
            "*",
            "urn:uuid:3d6d01fd-c0e7-44ae-82dd-013b996b4093",
            " 3d6d01fd-c0e7-44ae-82dd-013b996b4093",
            "{3d6d01fd-c0e7-44ae-82dd-013b996b4093",
        ] {
            assert_eq!(
                bad.parse::<KeyId>(),
                Err(FormatError::InvalidKeyId),
                "{bad}"
            );
        }
        Ok(())
    }
}
