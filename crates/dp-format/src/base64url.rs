//! base64url as .NET's `WebEncoders` writes and reads it.
//!
//! Encoding uses the URL-safe alphabet without `=` padding. Decoding accepts the same alphabet
//! with or without correct padding and rejects everything else (standard-alphabet `+` and `/`,
//! whitespace, non-canonical trailing bits), so one payload has exactly one text form.

use base64::Engine as _;
use base64::alphabet::URL_SAFE;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

use crate::FormatError;

const ENCODER: GeneralPurpose = GeneralPurpose::new(
    &URL_SAFE,
    GeneralPurposeConfig::new().with_encode_padding(false),
);

const DECODER: GeneralPurpose = GeneralPurpose::new(
    &URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Encodes bytes as unpadded base64url.
pub fn encode(bytes: &[u8]) -> String {
    ENCODER.encode(bytes)
}

/// Decodes base64url text, padded or not.
///
/// # Errors
/// [`FormatError::InvalidBase64`] for any character outside the URL-safe alphabet, misplaced or
/// wrong padding, or an impossible length.
pub fn decode(text: &str) -> Result<Vec<u8>, FormatError> {
    DECODER.decode(text).map_err(|_| FormatError::InvalidBase64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_strips_padding() -> Result<(), FormatError> {
        assert_eq!(encode(&[0xfb, 0xff]), "-_8");
        assert_eq!(decode("-_8")?, [0xfb, 0xff]);
        assert_eq!(decode("-_8=")?, [0xfb, 0xff]);
        assert_eq!(decode("")?, Vec::<u8>::new());
        assert_eq!(encode(&[9, 0xf0, 0xc9, 0xf0]), "CfDJ8A");
        Ok(())
    }

    #[test]
    fn rejects_non_url_alphabet_and_junk() {
        for bad in ["+/8", "-_8==", "-_8 ", " -_8", "-_\n8", "A", "AB=C", "-_9"] {
            assert_eq!(decode(bad), Err(FormatError::InvalidBase64), "{bad:?}");
        }
    }
}
