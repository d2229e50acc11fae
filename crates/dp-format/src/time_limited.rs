//! The inner header of time-limited payloads (`ITimeLimitedDataProtector`).
//!
//! ```text
//! inner plaintext := BE64(expiration as .NET UtcTicks) || user plaintext
//! ```
//! Ticks are 100-nanosecond intervals since 0001-01-01T00:00:00Z. The inner plaintext is then
//! protected with the purpose [`PURPOSE`] appended as the last element of the chain. This module
//! converts between ticks and Unix time; reading the clock is the caller's business.

use crate::FormatError;
use crate::reader::Reader;

/// The purpose .NET appends, always last in the chain.
pub const PURPOSE: &str = "Microsoft.AspNetCore.DataProtection.TimeLimitedDataProtector.v1";

/// Length of the expiration header.
pub const HEADER_LEN: usize = 8;

/// .NET ticks at 1970-01-01T00:00:00Z.
pub const UNIX_EPOCH_TICKS: u64 = 621_355_968_000_000_000;

/// Ticks of `DateTimeOffset.MaxValue` (9999-12-31T23:59:59.9999999Z), the "never expires" value
/// a plain `Protect` on a time-limited protector writes.
pub const MAX_TICKS: u64 = 3_155_378_975_999_999_999;

const TICKS_PER_SECOND: i128 = 10_000_000;

/// An expiration instant in .NET ticks, always within `DateTimeOffset`'s range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Expiration(u64);

impl Expiration {
    /// `DateTimeOffset.MaxValue`: never expires.
    pub const NEVER: Self = Self(MAX_TICKS);

    /// From raw ticks.
    ///
    /// # Errors
    /// [`FormatError::ExpirationOutOfRange`] above `DateTimeOffset.MaxValue`.
    pub fn from_ticks(ticks: u64) -> Result<Self, FormatError> {
        if ticks > MAX_TICKS {
            return Err(FormatError::ExpirationOutOfRange);
        }
        Ok(Self(ticks))
    }

    /// From nanoseconds since the Unix epoch (negative = before 1970), truncated to ticks.
    ///
    /// # Errors
    /// [`FormatError::ExpirationOutOfRange`] outside year 1 to 9999.
    pub fn from_unix_nanos(nanos: i128) -> Result<Self, FormatError> {
        let ticks = nanos.div_euclid(100) + i128::from(UNIX_EPOCH_TICKS);
        let ticks = u64::try_from(ticks).map_err(|_| FormatError::ExpirationOutOfRange)?;
        Self::from_ticks(ticks)
    }

    /// The instant as nanoseconds since the Unix epoch.
    pub fn unix_nanos(self) -> i128 {
        (i128::from(self.0) - i128::from(UNIX_EPOCH_TICKS)) * 100
    }

    /// Whole seconds since the Unix epoch (rounded toward negative infinity).
    pub fn unix_seconds(self) -> i64 {
        let secs = (i128::from(self.0) - i128::from(UNIX_EPOCH_TICKS)).div_euclid(TICKS_PER_SECOND);
        // |secs| < 2^39 for every representable tick count.
        i64::try_from(secs).unwrap_or(i64::MAX)
    }

    /// The raw tick count.
    pub fn ticks(self) -> u64 {
        self.0
    }
}

/// Prepends the expiration header to the user plaintext.
pub fn encode(expiration: Expiration, plaintext: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_LEN + plaintext.len());
    out.extend_from_slice(&expiration.0.to_be_bytes());
    out.extend_from_slice(plaintext);
    out
}

/// Splits an inner plaintext into expiration and user plaintext.
///
/// # Errors
/// [`FormatError::TimeLimitedTooShort`] below 8 bytes; [`FormatError::ExpirationOutOfRange`]
/// when the ticks exceed `DateTimeOffset.MaxValue` (.NET's checked conversion fails there too).
pub fn decode(inner: &[u8]) -> Result<(Expiration, &[u8]), FormatError> {
    let mut r = Reader::new(inner);
    let ticks = r
        .u64_be("expiration")
        .map_err(|_| FormatError::TimeLimitedTooShort)?;
    Ok((Expiration::from_ticks(ticks)?, r.rest()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotnet_headers() -> Result<(), FormatError> {
        // 2000-01-01T00:00:00Z = 946684800 s after the Unix epoch.
        let y2k = Expiration::from_unix_nanos(946_684_800 * 1_000_000_000)?;
        assert_eq!(
            encode(y2k, &[]),
            [0x08, 0xC1, 0x22, 0x02, 0x47, 0xE4, 0x40, 0x00]
        );
        assert_eq!(
            encode(Expiration::NEVER, &[]),
            [0x2B, 0xCA, 0x28, 0x75, 0xF4, 0x37, 0x3F, 0xFF]
        );
        assert_eq!(y2k.unix_seconds(), 946_684_800);
        let inner = encode(y2k, &[1, 2, 3, 4, 5]);
        let (exp, rest) = decode(&inner)?;
        assert_eq!((exp, rest), (y2k, &[1u8, 2, 3, 4, 5][..]));
        Ok(())
    }

    #[test]
    fn rejects_short_and_out_of_range() {
        assert_eq!(decode(&[0; 7]), Err(FormatError::TimeLimitedTooShort));
        assert_eq!(decode(&[0xFF; 8]), Err(FormatError::ExpirationOutOfRange));
        assert_eq!(
            Expiration::from_unix_nanos(-(UNIX_EPOCH_TICKS as i128) * 100 - 100),
            Err(FormatError::ExpirationOutOfRange)
        );
    }
}
