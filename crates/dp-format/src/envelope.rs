//! The dp envelope: a session key wrapped to RSA recipients, chunked authenticated content,
//! an optional sender signature. Byte layout only; the cryptography is in `dp-envelope`.
//!
//! ```text
//! header (all integers big-endian):
//!   0   5  magic "dpENV"
//!   5   1  version = 2
//!   6   1  content algorithm     1 = AES-256-GCM, 2 = AES-256-CBC + HMAC-SHA256 (dp-crypto bodies)
//!   7   1  key transport         1 = RSA-OAEP, SHA-256 and MGF1-SHA-256
//!   8   1  signature algorithm   0 = unsigned, 1 = RSA-PSS-SHA256
//!   9   1  reserved = 0
//!  10   8  creation time, Unix seconds (signed)
//!  18  16  message id (random)
//!  34   4  chunk size: plaintext bytes per chunk, 1 KiB ..= 1 MiB
//!  38   2  recipient count, 1 ..= 64
//!  40   2  signature length (0 when unsigned, else 256 ..= 1024: the sender's modulus length)
//!  42   2  sender key length k (0 when unsigned, else 256 ..= 1100)
//!  44   k  sender public key: SubjectPublicKeyInfo DER (its SHA-256 is the sender fingerprint)
//!   …      recipient table, one entry per recipient:
//!            32  recipient fingerprint: SHA-256 of the SubjectPublicKeyInfo DER
//!             2  wrapped key length, 256 ..= 1024
//!   …  32  header MAC: HMAC-SHA256 over every header byte before it
//!   …      wrapped keys, in table order: RSA-OAEP ciphertexts of the 32-byte session key
//!
//! chunks (one or more):
//!   1  flag: 0 = more chunks follow, 1 = last chunk
//!   4  body length
//!   n  dp-crypto authenticated-encryption body of the chunk's plaintext; every chunk but the
//!      last holds exactly chunk-size plaintext bytes, the last 0 ..= chunk-size
//!
//! trailer, when signed:
//!   s  RSA-PSS-SHA256 signature (s = signature length) over every byte before it
//! end of input: trailing bytes are rejected
//! ```
//! The MAC covers a contiguous prefix, the exact bytes received. The wrapped keys follow it:
//! each is bound to the session key by the MAC it must unlock (a wrong or altered one yields no
//! key that verifies), and in a signed envelope the signature covers them too. Keeping them out
//! of the MAC makes everything but the wrapped keys and the signature a function of the
//! session key, the sender and the options — the same whichever RSA implementation sealed it.
//!
//! Every limit is checked as soon as the field is read, so a hostile header is rejected after
//! reading at most [`MAX_HEADER_LEN`] bytes and before any public-key operation.

use crate::reader::Reader;
use crate::{CbcHmacBody, FormatError, GcmBody};

/// The magic that opens every envelope.
pub const MAGIC: [u8; 5] = *b"dpENV";
/// The only version this library reads and writes.
pub const VERSION: u8 = 2;
/// Length of the fixed part of the header, before the sender key.
pub const FIXED_HEADER_LEN: usize = 44;
/// Length of a recipient table entry.
pub const RECIPIENT_ENTRY_LEN: usize = 34;
/// Length of the header MAC.
pub const HEADER_MAC_LEN: usize = 32;
/// Length of a key fingerprint (SHA-256).
pub const FINGERPRINT_LEN: usize = 32;
/// Most recipients an envelope may name.
pub const MAX_RECIPIENTS: u16 = 64;
/// Smallest RSA ciphertext or signature: a 2048-bit modulus.
pub const MIN_RSA_LEN: u16 = 256;
/// Largest RSA ciphertext or signature: an 8192-bit modulus.
pub const MAX_RSA_LEN: u16 = 1024;
/// Smallest sender key accepted (a 2048-bit RSA SubjectPublicKeyInfo is 294 bytes).
pub const MIN_SENDER_KEY_LEN: u16 = 256;
/// Largest sender key accepted (an 8192-bit RSA SubjectPublicKeyInfo is 1062 bytes).
pub const MAX_SENDER_KEY_LEN: u16 = 1100;
/// Smallest chunk size.
pub const MIN_CHUNK_SIZE: u32 = 1024;
/// Largest chunk size.
pub const MAX_CHUNK_SIZE: u32 = 1 << 20;
/// Default chunk size.
pub const DEFAULT_CHUNK_SIZE: u32 = 64 * 1024;
/// The largest possible header.
pub const MAX_HEADER_LEN: usize = FIXED_HEADER_LEN
    + MAX_SENDER_KEY_LEN as usize
    + MAX_RECIPIENTS as usize * (RECIPIENT_ENTRY_LEN + MAX_RSA_LEN as usize)
    + HEADER_MAC_LEN;
/// Length of a chunk frame header (flag + body length).
pub const CHUNK_FRAME_HEADER_LEN: usize = 5;
/// Largest overhead of an authenticated-encryption body over its plaintext (CBC + HMAC-SHA256:
/// key modifier 16, IV 16, padding up to 16, tag 32).
#[expect(
    clippy::cast_possible_truncation,
    reason = "a constant of 80 (a unit test checks it)"
)]
pub const MAX_BODY_OVERHEAD: u32 = CbcHmacBody::len_for(0, HMAC_SHA256_TAG_LEN) as u32;
/// Smallest body (GCM, empty plaintext).
#[expect(
    clippy::cast_possible_truncation,
    reason = "a constant of 44 (a unit test checks it)"
)]
pub const MIN_BODY_LEN: u32 = GcmBody::MINIMUM_LEN as u32;
/// The tag length of the CBC content algorithm (HMAC-SHA256).
const HMAC_SHA256_TAG_LEN: usize = 32;

/// Content encryption: which `dp-crypto` authenticated encryption the chunks use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ContentAlgorithm {
    /// AES-256-GCM (id 1, the default).
    Aes256Gcm,
    /// AES-256-CBC with HMAC-SHA256 (id 2).
    Aes256CbcHmacSha256,
}

impl ContentAlgorithm {
    /// The wire id.
    pub const fn id(self) -> u8 {
        match self {
            Self::Aes256Gcm => 1,
            Self::Aes256CbcHmacSha256 => 2,
        }
    }

    /// The name people read (`AES-256-GCM`).
    pub const fn name(self) -> &'static str {
        match self {
            Self::Aes256Gcm => "AES-256-GCM",
            Self::Aes256CbcHmacSha256 => "AES-256-CBC+HMAC-SHA256",
        }
    }

    fn from_id(id: u8) -> Result<Self, FormatError> {
        match id {
            1 => Ok(Self::Aes256Gcm),
            2 => Ok(Self::Aes256CbcHmacSha256),
            _ => Err(FormatError::UnknownAlgorithm {
                field: "content",
                id,
            }),
        }
    }
}

/// Key transport: how the session key is wrapped for each recipient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyTransport {
    /// RSA-OAEP with SHA-256 and MGF1-SHA-256, empty label (id 1).
    RsaOaepSha256,
}

impl KeyTransport {
    /// The wire id.
    pub const fn id(self) -> u8 {
        match self {
            Self::RsaOaepSha256 => 1,
        }
    }

    /// The name people read.
    pub const fn name(self) -> &'static str {
        match self {
            Self::RsaOaepSha256 => "RSA-OAEP-SHA256",
        }
    }

    fn from_id(id: u8) -> Result<Self, FormatError> {
        match id {
            1 => Ok(Self::RsaOaepSha256),
            _ => Err(FormatError::UnknownAlgorithm {
                field: "key transport",
                id,
            }),
        }
    }
}

/// How a signed envelope is signed. An unsigned envelope has no [`Sender`] at all (wire id 0),
/// so a signature algorithm without a sender cannot be expressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignatureAlgorithm {
    /// RSA-PSS with SHA-256, MGF1-SHA-256, salt length 32 (id 1).
    RsaPssSha256,
}

impl SignatureAlgorithm {
    /// The wire id.
    pub const fn id(self) -> u8 {
        match self {
            Self::RsaPssSha256 => 1,
        }
    }

    /// The name people read.
    pub const fn name(self) -> &'static str {
        match self {
            Self::RsaPssSha256 => "RSA-PSS-SHA256",
        }
    }

    /// `None` for the unsigned id 0.
    fn from_id(id: u8) -> Result<Option<Self>, FormatError> {
        match id {
            0 => Ok(None),
            1 => Ok(Some(Self::RsaPssSha256)),
            _ => Err(FormatError::UnknownAlgorithm {
                field: "signature",
                id,
            }),
        }
    }
}

/// One recipient: who, and the session key wrapped to them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecipientEntry {
    /// SHA-256 of the recipient's SubjectPublicKeyInfo DER.
    pub fingerprint: [u8; FINGERPRINT_LEN],
    /// RSA-OAEP ciphertext of the session key.
    pub wrapped_key: Vec<u8>,
}

/// The sender of a signed envelope: the key that signed it, carried in the header, so that
/// every opener can verify the signature whether or not it knows the sender.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender {
    /// The signature algorithm.
    pub algorithm: SignatureAlgorithm,
    /// The sender's SubjectPublicKeyInfo DER (not validated here: dp-format has no ASN.1).
    pub public_key: Vec<u8>,
    /// Length of the trailer signature (the sender's modulus length).
    pub signature_len: u16,
}

/// An envelope header (everything before the chunks).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvelopeHeader {
    /// Content encryption.
    pub content: ContentAlgorithm,
    /// Key transport.
    pub key_transport: KeyTransport,
    /// Creation time, Unix seconds.
    pub created: i64,
    /// Random message id (the replay-cache key with the sender).
    pub message_id: [u8; 16],
    /// Plaintext bytes per chunk.
    pub chunk_size: u32,
    /// The signing sender; `None` for an unsigned envelope.
    pub sender: Option<Sender>,
    /// Recipients, in order.
    pub recipients: Vec<RecipientEntry>,
}

/// A parsed header with the exact bytes its MAC covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedHeader<'a> {
    /// The header.
    pub header: EnvelopeHeader,
    /// The bytes the MAC covers: everything before it, as received.
    pub authenticated: &'a [u8],
    /// The MAC as received.
    pub mac: &'a [u8; HEADER_MAC_LEN],
}

/// Progress of [`header_len`] over a prefix of the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderLen {
    /// At least this many bytes (in total) are needed to learn more.
    NeedAtLeast(usize),
    /// The header, MAC and wrapped keys included, is exactly this long.
    Complete(usize),
}

fn check_range(
    value: u16,
    range: core::ops::RangeInclusive<u16>,
    field: &'static str,
) -> Result<u16, FormatError> {
    if range.contains(&value) {
        Ok(value)
    } else {
        Err(FormatError::LimitExceeded { field })
    }
}

/// The fixed part, validated; the recipient count and the sender key length.
struct Fixed {
    content: ContentAlgorithm,
    key_transport: KeyTransport,
    signature: Option<(SignatureAlgorithm, u16)>,
    created: i64,
    message_id: [u8; 16],
    chunk_size: u32,
    count: u16,
    sender_key_len: u16,
}

fn parse_fixed(r: &mut Reader<'_>) -> Result<Fixed, FormatError> {
    if r.array::<5>("header")? != MAGIC {
        return Err(FormatError::NotAnEnvelope);
    }
    let version = r.u8("header")?;
    if version != VERSION {
        return Err(FormatError::UnsupportedEnvelopeVersion { version });
    }
    let content = ContentAlgorithm::from_id(r.u8("header")?)?;
    let key_transport = KeyTransport::from_id(r.u8("header")?)?;
    let signature = SignatureAlgorithm::from_id(r.u8("header")?)?;
    if r.u8("header")? != 0 {
        return Err(FormatError::NonZeroReserved { field: "flags" });
    }
    let created = r.i64_be("header")?;
    let message_id = r.array::<16>("header")?;
    let chunk_size = r.u32_be("header")?;
    if !(MIN_CHUNK_SIZE..=MAX_CHUNK_SIZE).contains(&chunk_size) {
        return Err(FormatError::LimitExceeded {
            field: "chunk size",
        });
    }
    let count = check_range(r.u16_be("header")?, 1..=MAX_RECIPIENTS, "recipient count")?;
    let signature_len = r.u16_be("header")?;
    let sender_key_len = r.u16_be("header")?;
    let signature = match signature {
        None if signature_len == 0 && sender_key_len == 0 => None,
        None => return Err(FormatError::NonZeroReserved { field: "sender" }),
        Some(algorithm) => {
            check_range(signature_len, MIN_RSA_LEN..=MAX_RSA_LEN, "signature length")?;
            check_range(
                sender_key_len,
                MIN_SENDER_KEY_LEN..=MAX_SENDER_KEY_LEN,
                "sender key length",
            )?;
            Some((algorithm, signature_len))
        }
    };
    Ok(Fixed {
        content,
        key_transport,
        signature,
        created,
        message_id,
        chunk_size,
        count,
        sender_key_len,
    })
}

/// Reads the recipient table; returns the fingerprints and wrapped-key lengths.
fn parse_table(
    r: &mut Reader<'_>,
    count: u16,
) -> Result<Vec<([u8; FINGERPRINT_LEN], u16)>, FormatError> {
    (0..count)
        .map(|_| {
            let fingerprint = r.array::<FINGERPRINT_LEN>("recipient table")?;
            let len = check_range(
                r.u16_be("recipient table")?,
                MIN_RSA_LEN..=MAX_RSA_LEN,
                "wrapped key length",
            )?;
            Ok((fingerprint, len))
        })
        .collect()
}

/// How long the header is, judging from the bytes received so far — validating every field
/// on the way, so that an invalid or oversized header is rejected before more is read.
///
/// # Errors
/// Any header error: bad magic, unknown version or algorithm, a limit exceeded.
pub fn header_len(prefix: &[u8]) -> Result<HeaderLen, FormatError> {
    if prefix.len() < FIXED_HEADER_LEN {
        // Reject a wrong magic as early as it can be seen.
        let seen = prefix.len().min(MAGIC.len());
        if prefix.get(..seen) != MAGIC.get(..seen) {
            return Err(FormatError::NotAnEnvelope);
        }
        return Ok(HeaderLen::NeedAtLeast(FIXED_HEADER_LEN));
    }
    let mut r = Reader::new(prefix);
    let fixed = parse_fixed(&mut r)?;
    let table_end = FIXED_HEADER_LEN
        + usize::from(fixed.sender_key_len)
        + usize::from(fixed.count) * RECIPIENT_ENTRY_LEN;
    if prefix.len() < table_end {
        return Ok(HeaderLen::NeedAtLeast(table_end));
    }
    r.take(usize::from(fixed.sender_key_len), "sender key")?;
    let wrapped: usize = parse_table(&mut r, fixed.count)?
        .iter()
        .map(|&(_, len)| usize::from(len))
        .sum();
    Ok(HeaderLen::Complete(table_end + HEADER_MAC_LEN + wrapped))
}

impl EnvelopeHeader {
    /// Parses a complete header (as measured by [`header_len`]).
    ///
    /// # Errors
    /// Any header error, [`FormatError::Truncated`], or [`FormatError::TrailingBytes`] when
    /// `bytes` is longer than the header.
    pub fn parse(bytes: &[u8]) -> Result<ParsedHeader<'_>, FormatError> {
        let mut r = Reader::new(bytes);
        let fixed = parse_fixed(&mut r)?;
        let sender_key = r.take(usize::from(fixed.sender_key_len), "sender key")?;
        let table = parse_table(&mut r, fixed.count)?;
        let authenticated_len = bytes.len() - r.remaining();
        r.take(HEADER_MAC_LEN, "header MAC")?;
        let recipients = table
            .into_iter()
            .map(|(fingerprint, len)| {
                Ok(RecipientEntry {
                    fingerprint,
                    wrapped_key: r.take(usize::from(len), "wrapped key")?.to_vec(),
                })
            })
            .collect::<Result<Vec<_>, FormatError>>()?;
        r.finish()?;
        let (authenticated, rest) = bytes.split_at(authenticated_len);
        let mac_bytes: &[u8; HEADER_MAC_LEN] = rest
            .get(..HEADER_MAC_LEN)
            .and_then(|m| m.try_into().ok())
            .ok_or(FormatError::Truncated {
                field: "header MAC",
            })?;
        let sender = fixed.signature.map(|(algorithm, signature_len)| Sender {
            algorithm,
            public_key: sender_key.to_vec(),
            signature_len,
        });
        Ok(ParsedHeader {
            header: Self {
                content: fixed.content,
                key_transport: fixed.key_transport,
                created: fixed.created,
                message_id: fixed.message_id,
                chunk_size: fixed.chunk_size,
                sender,
                recipients,
            },
            authenticated,
            mac: mac_bytes,
        })
    }

    /// Serializes everything the MAC covers; [`EnvelopeHeader::encode`] then appends the MAC
    /// and the wrapped keys.
    ///
    /// # Errors
    /// [`FormatError::LimitExceeded`] when a field is out of range, so we never write what we
    /// would refuse to read.
    pub fn encode_authenticated(&self) -> Result<Vec<u8>, FormatError> {
        let count = u16::try_from(self.recipients.len())
            .map_err(|_| FormatError::LimitExceeded {
                field: "recipient count",
            })
            .and_then(|c| check_range(c, 1..=MAX_RECIPIENTS, "recipient count"))?;
        if !(MIN_CHUNK_SIZE..=MAX_CHUNK_SIZE).contains(&self.chunk_size) {
            return Err(FormatError::LimitExceeded {
                field: "chunk size",
            });
        }
        let (signature_id, signature_len, key_len, sender_key): (u8, u16, u16, &[u8]) =
            match &self.sender {
                None => (0, 0, 0, &[]),
                Some(s) => {
                    let key_len = u16::try_from(s.public_key.len())
                        .map_err(|_| FormatError::LimitExceeded {
                            field: "sender key length",
                        })
                        .and_then(|l| {
                            check_range(
                                l,
                                MIN_SENDER_KEY_LEN..=MAX_SENDER_KEY_LEN,
                                "sender key length",
                            )
                        })?;
                    let signature_len = check_range(
                        s.signature_len,
                        MIN_RSA_LEN..=MAX_RSA_LEN,
                        "signature length",
                    )?;
                    (s.algorithm.id(), signature_len, key_len, &s.public_key)
                }
            };
        let mut out = Vec::with_capacity(
            FIXED_HEADER_LEN + sender_key.len() + self.recipients.len() * RECIPIENT_ENTRY_LEN,
        );
        out.extend_from_slice(&MAGIC);
        out.extend_from_slice(&[
            VERSION,
            self.content.id(),
            self.key_transport.id(),
            signature_id,
            0,
        ]);
        out.extend_from_slice(&self.created.to_be_bytes());
        out.extend_from_slice(&self.message_id);
        out.extend_from_slice(&self.chunk_size.to_be_bytes());
        out.extend_from_slice(&count.to_be_bytes());
        out.extend_from_slice(&signature_len.to_be_bytes());
        out.extend_from_slice(&key_len.to_be_bytes());
        out.extend_from_slice(sender_key);
        for r in &self.recipients {
            let len = u16::try_from(r.wrapped_key.len())
                .map_err(|_| FormatError::LimitExceeded {
                    field: "wrapped key length",
                })
                .and_then(|l| check_range(l, MIN_RSA_LEN..=MAX_RSA_LEN, "wrapped key length"))?;
            out.extend_from_slice(&r.fingerprint);
            out.extend_from_slice(&len.to_be_bytes());
        }
        Ok(out)
    }

    /// The whole header: `authenticated` (from [`EnvelopeHeader::encode_authenticated`]), the
    /// MAC, then the wrapped keys.
    pub fn encode(&self, authenticated: &[u8], mac: &[u8; HEADER_MAC_LEN]) -> Vec<u8> {
        let wrapped: usize = self.recipients.iter().map(|r| r.wrapped_key.len()).sum();
        let mut out = Vec::with_capacity(authenticated.len() + HEADER_MAC_LEN + wrapped);
        out.extend_from_slice(authenticated);
        out.extend_from_slice(mac);
        for r in &self.recipients {
            out.extend_from_slice(&r.wrapped_key);
        }
        out
    }
}

/// A chunk frame header: whether the chunk is the last, and its body length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkFrame {
    /// Whether this is the last chunk.
    pub last: bool,
    /// Length of the authenticated-encryption body that follows.
    pub body_len: u32,
}

impl ChunkFrame {
    /// Parses a frame header, bounding the body by the chunk size.
    ///
    /// # Errors
    /// [`FormatError::NonZeroReserved`] for a flag other than 0 or 1;
    /// [`FormatError::LimitExceeded`] for an impossible body length.
    pub fn parse(
        bytes: &[u8; CHUNK_FRAME_HEADER_LEN],
        chunk_size: u32,
    ) -> Result<Self, FormatError> {
        let [flag, a, b, c, d] = *bytes;
        let last = match flag {
            0 => false,
            1 => true,
            _ => {
                return Err(FormatError::NonZeroReserved {
                    field: "chunk flag",
                });
            }
        };
        let body_len = u32::from_be_bytes([a, b, c, d]);
        if body_len < MIN_BODY_LEN || body_len > chunk_size.saturating_add(MAX_BODY_OVERHEAD) {
            return Err(FormatError::LimitExceeded {
                field: "chunk length",
            });
        }
        Ok(Self { last, body_len })
    }

    /// Serializes the frame header.
    pub fn encode(&self) -> [u8; CHUNK_FRAME_HEADER_LEN] {
        let [a, b, c, d] = self.body_len.to_be_bytes();
        [u8::from(self.last), a, b, c, d]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(signed: bool, recipients: usize) -> EnvelopeHeader {
        EnvelopeHeader {
            content: ContentAlgorithm::Aes256Gcm,
            key_transport: KeyTransport::RsaOaepSha256,
            created: 1_700_000_000,
            message_id: [7; 16],
            chunk_size: DEFAULT_CHUNK_SIZE,
            sender: signed.then(|| Sender {
                algorithm: SignatureAlgorithm::RsaPssSha256,
                public_key: vec![0x30; 294],
                signature_len: 256,
            }),
            recipients: (0..recipients)
                .map(|i| RecipientEntry {
                    fingerprint: [u8::try_from(i).unwrap_or(0); 32],
                    wrapped_key: vec![u8::try_from(i).unwrap_or(0); 256 + i],
                })
                .collect(),
        }
    }

    fn encoded(header: &EnvelopeHeader) -> Result<Vec<u8>, FormatError> {
        let authenticated = header.encode_authenticated()?;
        Ok(header.encode(&authenticated, &[0xAA; HEADER_MAC_LEN]))
    }

    #[test]
    fn round_trip_and_incremental_length() -> Result<(), FormatError> {
        for (signed, n) in [(false, 1), (true, 3), (true, 64)] {
            let header = sample(signed, n);
            let bytes = encoded(&header)?;
            let mut have = 0;
            let total = loop {
                match header_len(&bytes[..have])? {
                    HeaderLen::NeedAtLeast(need) => {
                        assert!(need > have && need <= bytes.len());
                        have = need;
                    }
                    HeaderLen::Complete(total) => break total,
                }
            };
            assert_eq!(total, bytes.len());
            let parsed = EnvelopeHeader::parse(&bytes)?;
            assert_eq!(parsed.header, header);
            assert_eq!(parsed.mac, &[0xAA; 32]);
            assert_eq!(parsed.authenticated, &header.encode_authenticated()?[..]);
            let mut longer = bytes.clone();
            longer.push(0);
            assert_eq!(
                EnvelopeHeader::parse(&longer),
                Err(FormatError::TrailingBytes)
            );
            assert_eq!(
                EnvelopeHeader::parse(&bytes[..bytes.len() - 1]),
                Err(FormatError::Truncated {
                    field: "wrapped key"
                })
            );
        }
        Ok(())
    }

    #[test]
    fn hostile_fields_are_rejected_from_the_fixed_part() -> Result<(), FormatError> {
        let good = encoded(&sample(false, 1))?;
        let with = |at: usize, value: &[u8]| {
            let mut b = good.clone();
            b[at..at + value.len()].copy_from_slice(value);
            header_len(&b[..FIXED_HEADER_LEN])
        };
        assert_eq!(with(0, b"X"), Err(FormatError::NotAnEnvelope));
        assert_eq!(
            with(5, &[1]),
            Err(FormatError::UnsupportedEnvelopeVersion { version: 1 })
        );
        assert_eq!(
            with(6, &[9]),
            Err(FormatError::UnknownAlgorithm {
                field: "content",
                id: 9
            })
        );
        assert_eq!(
            with(7, &[0]),
            Err(FormatError::UnknownAlgorithm {
                field: "key transport",
                id: 0
            })
        );
        assert_eq!(
            with(8, &[5]),
            Err(FormatError::UnknownAlgorithm {
                field: "signature",
                id: 5
            })
        );
        assert_eq!(
            with(9, &[1]),
            Err(FormatError::NonZeroReserved { field: "flags" })
        );
        for count in [[0xFF, 0xFF], [0, 0]] {
            assert_eq!(
                with(38, &count),
                Err(FormatError::LimitExceeded {
                    field: "recipient count"
                })
            );
        }
        assert_eq!(
            with(34, &[0xFF, 0xFF, 0xFF, 0xFF]),
            Err(FormatError::LimitExceeded {
                field: "chunk size"
            })
        );
        assert_eq!(
            with(40, &[0, 1]),
            Err(FormatError::NonZeroReserved { field: "sender" })
        );
        assert_eq!(
            with(42, &[1, 0]),
            Err(FormatError::NonZeroReserved { field: "sender" })
        );
        // Signed: a signature algorithm needs a sender key and a signature length in range.
        let signed = encoded(&sample(true, 1))?;
        let signed_with = |at: usize, value: &[u8]| {
            let mut b = signed.clone();
            b[at..at + value.len()].copy_from_slice(value);
            header_len(&b[..FIXED_HEADER_LEN])
        };
        assert_eq!(
            signed_with(42, &[0, 0]),
            Err(FormatError::LimitExceeded {
                field: "sender key length"
            })
        );
        assert_eq!(
            signed_with(40, &[0x10, 0]),
            Err(FormatError::LimitExceeded {
                field: "signature length"
            })
        );
        // A huge wrapped-key length is rejected as soon as the table is seen.
        let mut b = good.clone();
        b[FIXED_HEADER_LEN + 32..FIXED_HEADER_LEN + 34].copy_from_slice(&[0xFF, 0xFF]);
        assert_eq!(
            header_len(&b[..FIXED_HEADER_LEN + RECIPIENT_ENTRY_LEN]),
            Err(FormatError::LimitExceeded {
                field: "wrapped key length"
            })
        );
        assert_eq!(header_len(b"dpX"), Err(FormatError::NotAnEnvelope));
        assert_eq!(
            header_len(b"dp"),
            Ok(HeaderLen::NeedAtLeast(FIXED_HEADER_LEN))
        );
        Ok(())
    }

    #[test]
    fn encoding_refuses_what_parsing_would() {
        let mut h = sample(true, 1);
        if let Some(s) = h.sender.as_mut() {
            s.public_key = vec![0; 10];
        }
        assert_eq!(
            h.encode_authenticated(),
            Err(FormatError::LimitExceeded {
                field: "sender key length"
            })
        );
        let mut h = sample(false, 1);
        h.recipients.clear();
        assert_eq!(
            h.encode_authenticated(),
            Err(FormatError::LimitExceeded {
                field: "recipient count"
            })
        );
    }

    #[test]
    fn body_bounds_follow_the_body_layouts() {
        assert_eq!(MIN_BODY_LEN, 44);
        assert_eq!(MAX_BODY_OVERHEAD, 80);
    }

    #[test]
    fn chunk_frames() -> Result<(), FormatError> {
        let f = ChunkFrame {
            last: true,
            body_len: 1000,
        };
        assert_eq!(ChunkFrame::parse(&f.encode(), 1024)?, f);
        assert_eq!(
            ChunkFrame::parse(&[2, 0, 0, 4, 0], 1024),
            Err(FormatError::NonZeroReserved {
                field: "chunk flag"
            })
        );
        for too_long in [[0, 0xFF, 0, 0, 0], [0, 0, 0, 0, 10]] {
            assert_eq!(
                ChunkFrame::parse(&too_long, 1024),
                Err(FormatError::LimitExceeded {
                    field: "chunk length"
                })
            );
        }
        Ok(())
    }
}
