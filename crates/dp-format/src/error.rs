use core::fmt;

/// Why a byte string is not a valid wire object.
///
/// The variants name the field that failed; they never carry the offending bytes, so an error
/// can be logged without leaking payload content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FormatError {
    /// The payload is shorter than the 20-byte header or does not start with the magic
    /// `09 F0 C9 F0` (.NET: "bad magic header").
    BadMagicHeader,
    /// The magic matches but its version nibble is non-zero: the payload was produced by a newer
    /// version of the format than this library understands.
    NewerVersion {
        /// The version nibble found (1..=15).
        version: u8,
    },
    /// The encryptor body is shorter than its algorithm's minimum, or its ciphertext length is
    /// impossible for the layout.
    BodyTooShort {
        /// The minimum number of body bytes the layout requires.
        minimum: usize,
        /// The number of bytes present.
        actual: usize,
    },
    /// The text is not base64url (with or without padding).
    InvalidBase64,
    /// The text is not a GUID in any of the .NET `D`, `N`, `B` or `P` forms.
    InvalidKeyId,
    /// A time-limited inner payload is shorter than its 8-byte expiration header.
    TimeLimitedTooShort,
    /// A time-limited expiration lies outside the range .NET's `DateTimeOffset` can represent.
    ExpirationOutOfRange,
    /// A purpose chain holds more purposes than the 32-bit signed count can carry.
    TooManyPurposes,
    /// The input does not start with the envelope magic `dpENV`.
    NotAnEnvelope,
    /// The envelope version is not one this library reads.
    UnsupportedEnvelopeVersion {
        /// The version byte found.
        version: u8,
    },
    /// An algorithm identifier is unknown.
    UnknownAlgorithm {
        /// Which field.
        field: &'static str,
        /// The identifier found.
        id: u8,
    },
    /// A length or count is outside the limits the format allows.
    LimitExceeded {
        /// Which field.
        field: &'static str,
    },
    /// A field that must be zero (reserved bits, absent sender) is not.
    NonZeroReserved {
        /// Which field.
        field: &'static str,
    },
    /// The input ended inside a structure.
    Truncated {
        /// What was being read.
        field: &'static str,
    },
    /// Bytes follow the end of a complete structure.
    TrailingBytes,
    /// A CryptoAPI `BLOBHEADER` has a version other than 2.
    UnsupportedBlobVersion {
        /// The `bVersion` found.
        version: u8,
    },
    /// A CryptoAPI BLOB is of another type than the one expected (or of no known type).
    WrongBlobType {
        /// The `bType` found.
        found: u8,
    },
    /// A CryptoAPI `ALG_ID` is not one this field allows.
    WrongAlgId {
        /// Which field.
        field: &'static str,
        /// The `ALG_ID` found.
        found: u32,
    },
    /// An `RSAPUBKEY` magic is not `RSA1` (public) or `RSA2` (private) as the BLOB type requires.
    WrongRsaMagic,
    /// A BLOB's declared bit or byte length does not match its data.
    LengthMismatch {
        /// Which field.
        field: &'static str,
    },
    /// A BLOB's RSA number cannot belong to any RSA key: an even modulus, or a public exponent
    /// that is even or below 3. The BLOB is well-formed, the key it describes is not.
    InvalidRsaNumber {
        /// Which field (`modulus` or `pubexp`).
        field: &'static str,
    },
    /// Payload text: nothing but whitespace (or a byte-order mark) was given.
    EmptyInput,
    /// Payload text: the input is a dp envelope (it starts with `dpENV`, or decodes to bytes
    /// that do), not a Data Protection payload.
    LooksLikeEnvelope,
    /// Payload text: the input is a binary Data Protection payload (it starts with the magic
    /// `09 F0 C9 F0`), not its text form.
    BinaryPayload,
    /// Payload text: the input is neither UTF-8 nor UTF-16 with a byte-order mark.
    NotText,
    /// Payload text: the base64 text has a length no base64 text can have; `missing`
    /// characters would complete it (it was probably cut off).
    Base64Length {
        /// How many characters are missing.
        missing: usize,
    },
    /// Payload text: a character that is not base64 (or `=` padding before the end, or a mix of
    /// the standard and URL-safe alphabets).
    InvalidBase64At {
        /// 1-based position of the character in the payload text.
        position: usize,
        /// The character, when it is printable ASCII (never a letter or digit: those are base64).
        found: Option<char>,
    },
    /// Payload text: a chunked cookie's base value `chunks-N`, without its parts.
    ChunkedCookie {
        /// The number of parts the cookie was split into.
        chunks: usize,
    },
    /// Payload text: the cookie asked for is not in the `Cookie:` header or `name=value` pair.
    CookieNotFound,
    /// Payload text: a `Cookie:` header holds several cookies and none was named.
    AmbiguousCookie {
        /// The number of cookies in the header.
        count: usize,
    },
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BadMagicHeader => f.write_str("not a protected payload: bad magic header"),
            Self::NewerVersion { version } => write!(
                f,
                "payload version {version} was produced by a newer version of the format"
            ),
            Self::BodyTooShort { minimum, actual } => write!(
                f,
                "encryptor body too short: {actual} bytes, at least {minimum} required"
            ),
            Self::InvalidBase64 => f.write_str("input is not valid base64url"),
            Self::InvalidKeyId => f.write_str("not a valid key id (GUID)"),
            Self::TimeLimitedTooShort => {
                f.write_str("time-limited payload is shorter than its expiration header")
            }
            Self::ExpirationOutOfRange => {
                f.write_str("time-limited expiration is outside the representable range")
            }
            Self::TooManyPurposes => f.write_str("too many purposes in the chain"),
            Self::NotAnEnvelope => f.write_str("not a dp envelope: bad magic"),
            Self::UnsupportedEnvelopeVersion { version } => {
                write!(f, "unsupported envelope version {version}")
            }
            Self::UnknownAlgorithm { field, id } => write!(f, "unknown {field} algorithm id {id}"),
            Self::LimitExceeded { field } => write!(f, "{field} is outside the allowed limits"),
            Self::NonZeroReserved { field } => write!(f, "reserved field {field} is not zero"),
            Self::Truncated { field } => write!(f, "input ends inside the {field}"),
            Self::TrailingBytes => f.write_str("unexpected bytes after the end"),
            Self::UnsupportedBlobVersion { version } => {
                write!(
                    f,
                    "unsupported CryptoAPI BLOB version {version} (expected 2)"
                )
            }
            Self::WrongBlobType { found } => {
                write!(f, "unexpected CryptoAPI BLOB type {found:#04x}")
            }
            Self::WrongAlgId { field, found } => {
                write!(f, "unexpected {field} ALG_ID {found:#010x}")
            }
            Self::WrongRsaMagic => f.write_str("wrong RSAPUBKEY magic for this BLOB type"),
            Self::LengthMismatch { field } => write!(f, "{field} does not match the BLOB's length"),
            Self::InvalidRsaNumber { field } => {
                write!(f, "the {field} cannot be part of an RSA key")
            }
            Self::EmptyInput => f.write_str("empty input"),
            Self::LooksLikeEnvelope => {
                f.write_str("this looks like a dp envelope, not a Data Protection payload")
            }
            Self::BinaryPayload => {
                f.write_str("this is a binary Data Protection payload, not base64 text")
            }
            Self::NotText => f.write_str(
                "the input is binary, neither base64 text nor a Data Protection payload",
            ),
            Self::Base64Length { missing: 1 } => {
                f.write_str("the base64 text is incomplete: 1 character missing")
            }
            Self::Base64Length { missing } => write!(
                f,
                "the base64 text is incomplete: {missing} characters missing"
            ),
            Self::InvalidBase64At {
                position,
                found: Some(c),
            } => write!(f, "not base64: unexpected `{c}` at character {position}"),
            Self::InvalidBase64At {
                position,
                found: None,
            } => write!(
                f,
                "not base64: unexpected non-printable or non-ASCII character at character {position}"
            ),
            Self::ChunkedCookie { chunks } => write!(
                f,
                "this is the base value of a cookie split into {chunks} chunks (`chunks-{chunks}`), not a payload"
            ),
            Self::CookieNotFound => f.write_str("the cookie asked for is not in the input"),
            Self::AmbiguousCookie { count } => write!(
                f,
                "the Cookie header holds {count} cookies and it is not clear which one is the payload"
            ),
        }
    }
}

impl std::error::Error for FormatError {}
