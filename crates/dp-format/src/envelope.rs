//! The dp envelope: a session key wrapped to RSA recipients, chunked authenticated content,
//! an optional sender signature. Byte layout only; the cryptography is in `dp-envelope`.
//!
//! ```text
//! header (all integers big-endian):
//!   0   5  magic "dpENV"
//!   5   1  version = 1
//!   6   1  content algorithm     1 = AES-256-GCM, 2 = AES-256-CBC + HMAC-SHA256 (dp-crypto bodies)
//!   7   1  key transport         1 = RSA-OAEP, SHA-256 and MGF1-SHA-256
//!   8   1  signature algorithm   0 = none, 1 = RSA-PSS-SHA256
//!   9   1  reserved = 0
//!  10   8  creation time, Unix seconds (signed)
//!  18  16  message id (random)
//!  34   4  chunk size: plaintext bytes per chunk, 1 KiB ..= 1 MiB
//!  38   2  recipient count, 1 ..= 64
//!  40   2  signature length (0 when unsigned, else 256 ..= 1024)
//!  42  32  sender fingerprint (all zero when unsigned)
//!  74      recipient entries, each:
//!            32  recipient fingerprint: SHA-256 of the SubjectPublicKeyInfo DER
//!             2  wrapped key length, 256 ..= 1024
//!             n  RSA-OAEP ciphertext of the 32-byte session key
//!   …  32  header MAC: HMAC-SHA256 over every header byte before it
//!
//! chunks (one or more):
//!   1  flag: 0 = more chunks follow, 1 = last chunk
//!   4  body length
//!   n  dp-crypto authenticated-encryption body of the chunk's plaintext; every chunk but the
//!      last holds exactly chunk-size plaintext bytes, the last 0 ..= chunk-size
//!
//! trailer, when signed:
//!   s  RSA-PSS-SHA256 signature (s = signature length)
//! end of input: trailing bytes are rejected
//! ```
//! Every limit is checked as soon as the field is read, so a hostile header is rejected after
//! reading at most [`MAX_HEADER_LEN`] bytes and before any public-key operation.

use crate::FormatError;

/// The magic that opens every envelope.
pub const MAGIC: [u8; 5] = *b"dpENV";
/// The only version this library reads and writes.
pub const VERSION: u8 = 1;
/// Length of the fixed part of the header, before the recipient entries.
pub const FIXED_HEADER_LEN: usize = 74;
/// Length of a recipient entry before its wrapped key.
pub const RECIPIENT_PREFIX_LEN: usize = 34;
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
/// Smallest chunk size.
pub const MIN_CHUNK_SIZE: u32 = 1024;
/// Largest chunk size.
pub const MAX_CHUNK_SIZE: u32 = 1 << 20;
/// Default chunk size.
pub const DEFAULT_CHUNK_SIZE: u32 = 64 * 1024;
/// The largest possible header.
pub const MAX_HEADER_LEN: usize = FIXED_HEADER_LEN
    + MAX_RECIPIENTS as usize * (RECIPIENT_PREFIX_LEN + MAX_RSA_LEN as usize)
    + HEADER_MAC_LEN;
/// Length of a chunk frame header (flag + body length).
pub const CHUNK_FRAME_HEADER_LEN: usize = 5;
/// Largest overhead of an authenticated-encryption body over its plaintext (CBC + HMAC-SHA256:
/// key modifier 16, IV 16, padding up to 16, tag 32).
pub const MAX_BODY_OVERHEAD: u32 = 80;
/// Smallest body (GCM, empty plaintext).
pub const MIN_BODY_LEN: u32 = 44;

/// Content encryption: which `dp-crypto` authenticated encryption the chunks use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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
pub enum KeyTransport {
    /// RSA-OAEP with SHA-256 and MGF1-SHA-256, empty label (id 1).
    RsaOaepSha256,
}

impl KeyTransport {
    /// The wire id.
    pub const fn id(self) -> u8 {
        1
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

/// Sender signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignatureAlgorithm {
    /// Unsigned (id 0): anyone who knows a recipient's public key could have made it.
    None,
    /// RSA-PSS with SHA-256, MGF1-SHA-256, salt length 32 (id 1).
    RsaPssSha256,
}

impl SignatureAlgorithm {
    /// The wire id.
    pub const fn id(self) -> u8 {
        match self {
            Self::None => 0,
            Self::RsaPssSha256 => 1,
        }
    }

    fn from_id(id: u8) -> Result<Self, FormatError> {
        match id {
            0 => Ok(Self::None),
            1 => Ok(Self::RsaPssSha256),
            _ => Err(FormatError::UnknownAlgorithm {
                field: "signature",
                id,
            }),
        }
    }
}

/// One recipient entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecipientEntry {
    /// SHA-256 of the recipient's SubjectPublicKeyInfo DER.
    pub fingerprint: [u8; FINGERPRINT_LEN],
    /// RSA-OAEP ciphertext of the session key.
    pub wrapped_key: Vec<u8>,
}

/// The sender of a signed envelope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sender {
    /// SHA-256 of the sender's SubjectPublicKeyInfo DER.
    pub fingerprint: [u8; FINGERPRINT_LEN],
    /// Length of the trailer signature (the sender's modulus length).
    pub signature_len: u16,
}

/// An envelope header (everything before the MAC).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvelopeHeader {
    /// Content encryption.
    pub content: ContentAlgorithm,
    /// Key transport.
    pub key_transport: KeyTransport,
    /// Signature algorithm; `Some` sender iff not `None`.
    pub signature: SignatureAlgorithm,
    /// Creation time, Unix seconds.
    pub created: i64,
    /// Random message id (the replay-cache key with the sender).
    pub message_id: [u8; 16],
    /// Plaintext bytes per chunk.
    pub chunk_size: u32,
    /// The signing sender, for signed envelopes.
    pub sender: Option<Sender>,
    /// Recipients, in order.
    pub recipients: Vec<RecipientEntry>,
}

/// Progress of [`header_len`] over a prefix of the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderLen {
    /// At least this many bytes (in total) are needed to learn more.
    NeedAtLeast(usize),
    /// The header, MAC included, is exactly this long.
    Complete(usize),
}

fn be16(b: &[u8], at: usize, field: &'static str) -> Result<u16, FormatError> {
    b.get(at..at + 2)
        .and_then(|s| s.try_into().ok())
        .map(u16::from_be_bytes)
        .ok_or(FormatError::Truncated { field })
}

fn check_rsa_len(len: u16, field: &'static str) -> Result<(), FormatError> {
    if (MIN_RSA_LEN..=MAX_RSA_LEN).contains(&len) {
        Ok(())
    } else {
        Err(FormatError::LimitExceeded { field })
    }
}

/// Validates the fixed header part.
fn parse_fixed(prefix: &[u8]) -> Result<(EnvelopeHeader, u16), FormatError> {
    let fixed: &[u8; FIXED_HEADER_LEN] = prefix
        .get(..FIXED_HEADER_LEN)
        .and_then(|s| s.try_into().ok())
        .ok_or(FormatError::Truncated { field: "header" })?;
    let (magic, rest) = fixed.split_at(5);
    if magic != MAGIC {
        return Err(FormatError::NotAnEnvelope);
    }
    let [version, content, transport, signature, reserved, ..] = *rest else {
        return Err(FormatError::Truncated { field: "header" });
    };
    if version != VERSION {
        return Err(FormatError::UnsupportedEnvelopeVersion { version });
    }
    let content = ContentAlgorithm::from_id(content)?;
    let key_transport = KeyTransport::from_id(transport)?;
    let signature = SignatureAlgorithm::from_id(signature)?;
    if reserved != 0 {
        return Err(FormatError::NonZeroReserved { field: "flags" });
    }
    let mut created = [0u8; 8];
    created.copy_from_slice(&fixed[10..18]);
    let mut message_id = [0u8; 16];
    message_id.copy_from_slice(&fixed[18..34]);
    let mut chunk = [0u8; 4];
    chunk.copy_from_slice(&fixed[34..38]);
    let chunk_size = u32::from_be_bytes(chunk);
    if !(MIN_CHUNK_SIZE..=MAX_CHUNK_SIZE).contains(&chunk_size) {
        return Err(FormatError::LimitExceeded {
            field: "chunk size",
        });
    }
    let count = be16(fixed, 38, "header")?;
    if count == 0 || count > MAX_RECIPIENTS {
        return Err(FormatError::LimitExceeded {
            field: "recipient count",
        });
    }
    let signature_len = be16(fixed, 40, "header")?;
    let mut fingerprint = [0u8; FINGERPRINT_LEN];
    fingerprint.copy_from_slice(&fixed[42..74]);
    let sender = match signature {
        SignatureAlgorithm::None => {
            if signature_len != 0 || fingerprint != [0; FINGERPRINT_LEN] {
                return Err(FormatError::NonZeroReserved { field: "sender" });
            }
            None
        }
        SignatureAlgorithm::RsaPssSha256 => {
            check_rsa_len(signature_len, "signature length")?;
            Some(Sender {
                fingerprint,
                signature_len,
            })
        }
    };
    let header = EnvelopeHeader {
        content,
        key_transport,
        signature,
        created: i64::from_be_bytes(created),
        message_id,
        chunk_size,
        sender,
        recipients: Vec::new(),
    };
    Ok((header, count))
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
    let (_, count) = parse_fixed(prefix)?;
    let mut at = FIXED_HEADER_LEN;
    for _ in 0..count {
        let need = at + RECIPIENT_PREFIX_LEN;
        if prefix.len() < need {
            return Ok(HeaderLen::NeedAtLeast(need));
        }
        let len = be16(prefix, at + FINGERPRINT_LEN, "recipient entry")?;
        check_rsa_len(len, "wrapped key length")?;
        at = need + usize::from(len);
    }
    Ok(HeaderLen::Complete(at + HEADER_MAC_LEN))
}

impl EnvelopeHeader {
    /// Parses a complete header; returns it with the MAC and the exact bytes the MAC covers.
    ///
    /// # Errors
    /// Any header error, [`FormatError::Truncated`], or [`FormatError::TrailingBytes`] when
    /// `bytes` is longer than the header.
    pub fn parse(bytes: &[u8]) -> Result<(Self, &[u8; HEADER_MAC_LEN], &[u8]), FormatError> {
        let total = match header_len(bytes)? {
            HeaderLen::Complete(n) => n,
            HeaderLen::NeedAtLeast(_) => return Err(FormatError::Truncated { field: "header" }),
        };
        if bytes.len() != total {
            return Err(FormatError::TrailingBytes);
        }
        let (mut header, count) = parse_fixed(bytes)?;
        let mut at = FIXED_HEADER_LEN;
        for _ in 0..count {
            let prefix =
                bytes
                    .get(at..at + RECIPIENT_PREFIX_LEN)
                    .ok_or(FormatError::Truncated {
                        field: "recipient entry",
                    })?;
            let mut fingerprint = [0u8; FINGERPRINT_LEN];
            fingerprint.copy_from_slice(&prefix[..FINGERPRINT_LEN]);
            let len = usize::from(be16(prefix, FINGERPRINT_LEN, "recipient entry")?);
            at += RECIPIENT_PREFIX_LEN;
            let wrapped_key = bytes
                .get(at..at + len)
                .ok_or(FormatError::Truncated {
                    field: "wrapped key",
                })?
                .to_vec();
            at += len;
            header.recipients.push(RecipientEntry {
                fingerprint,
                wrapped_key,
            });
        }
        let (authenticated, mac) = bytes.split_at(at);
        let mac: &[u8; HEADER_MAC_LEN] = mac.try_into().map_err(|_| FormatError::Truncated {
            field: "header MAC",
        })?;
        Ok((header, mac, authenticated))
    }

    /// Serializes everything the MAC covers (the caller appends the MAC).
    ///
    /// # Errors
    /// [`FormatError::LimitExceeded`] when a field is out of range (so we never write what we
    /// would refuse to read); [`FormatError::NonZeroReserved`] for a sender on an unsigned
    /// header or the reverse.
    pub fn encode_authenticated(&self) -> Result<Vec<u8>, FormatError> {
        let count = u16::try_from(self.recipients.len())
            .ok()
            .filter(|c| (1..=MAX_RECIPIENTS).contains(c))
            .ok_or(FormatError::LimitExceeded {
                field: "recipient count",
            })?;
        if !(MIN_CHUNK_SIZE..=MAX_CHUNK_SIZE).contains(&self.chunk_size) {
            return Err(FormatError::LimitExceeded {
                field: "chunk size",
            });
        }
        let (signature_len, fingerprint) = match (self.signature, &self.sender) {
            (SignatureAlgorithm::None, None) => (0, [0u8; FINGERPRINT_LEN]),
            (SignatureAlgorithm::RsaPssSha256, Some(s)) => {
                check_rsa_len(s.signature_len, "signature length")?;
                (s.signature_len, s.fingerprint)
            }
            _ => return Err(FormatError::NonZeroReserved { field: "sender" }),
        };
        let mut out = Vec::with_capacity(FIXED_HEADER_LEN + self.recipients.len() * 300);
        out.extend_from_slice(&MAGIC);
        out.extend_from_slice(&[
            VERSION,
            self.content.id(),
            self.key_transport.id(),
            self.signature.id(),
            0,
        ]);
        out.extend_from_slice(&self.created.to_be_bytes());
        out.extend_from_slice(&self.message_id);
        out.extend_from_slice(&self.chunk_size.to_be_bytes());
        out.extend_from_slice(&count.to_be_bytes());
        out.extend_from_slice(&signature_len.to_be_bytes());
        out.extend_from_slice(&fingerprint);
        for r in &self.recipients {
            let len =
                u16::try_from(r.wrapped_key.len()).map_err(|_| FormatError::LimitExceeded {
                    field: "wrapped key length",
                })?;
            check_rsa_len(len, "wrapped key length")?;
            out.extend_from_slice(&r.fingerprint);
            out.extend_from_slice(&len.to_be_bytes());
            out.extend_from_slice(&r.wrapped_key);
        }
        Ok(out)
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
            signature: if signed {
                SignatureAlgorithm::RsaPssSha256
            } else {
                SignatureAlgorithm::None
            },
            created: 1_700_000_000,
            message_id: [7; 16],
            chunk_size: DEFAULT_CHUNK_SIZE,
            sender: signed.then_some(Sender {
                fingerprint: [9; 32],
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

    #[test]
    fn round_trip_and_incremental_length() -> Result<(), FormatError> {
        for (signed, n) in [(false, 1), (true, 3), (true, 64)] {
            let header = sample(signed, n);
            let mut bytes = header.encode_authenticated()?;
            bytes.extend_from_slice(&[0xAA; 32]);
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
            let (parsed, mac, covered) = EnvelopeHeader::parse(&bytes)?;
            assert_eq!(parsed, header);
            assert_eq!(mac, &[0xAA; 32]);
            assert_eq!(covered.len(), bytes.len() - 32);
        }
        Ok(())
    }

    #[test]
    fn hostile_fields_are_rejected_from_the_fixed_part() -> Result<(), FormatError> {
        let good = sample(false, 1).encode_authenticated()?;
        let with = |at: usize, value: &[u8]| {
            let mut b = good.clone();
            b[at..at + value.len()].copy_from_slice(value);
            header_len(&b[..FIXED_HEADER_LEN])
        };
        assert_eq!(with(0, b"X"), Err(FormatError::NotAnEnvelope));
        assert_eq!(
            with(5, &[2]),
            Err(FormatError::UnsupportedEnvelopeVersion { version: 2 })
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
        assert_eq!(
            with(38, &[0xFF, 0xFF]),
            Err(FormatError::LimitExceeded {
                field: "recipient count"
            })
        );
        assert_eq!(
            with(38, &[0, 0]),
            Err(FormatError::LimitExceeded {
                field: "recipient count"
            })
        );
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
        // A huge wrapped-key length is rejected as soon as its entry prefix is seen.
        let mut b = good.clone();
        b[FIXED_HEADER_LEN + 32..FIXED_HEADER_LEN + 34].copy_from_slice(&[0xFF, 0xFF]);
        assert_eq!(
            header_len(&b[..FIXED_HEADER_LEN + RECIPIENT_PREFIX_LEN]),
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
    fn chunk_frames() -> Result<(), FormatError> {
        let f = ChunkFrame {
            last: true,
            body_len: 1000,
        };
        assert_eq!(ChunkFrame::parse(&f.encode(), 1024)?, f);
        eprintln!("A {:?}", ChunkFrame::parse(&[2, 0, 0, 4, 0], 1024));
        eprintln!("B {:?}", ChunkFrame::parse(&[0, 0xFF, 0, 0, 0], 1024));
        eprintln!("C {:?}", ChunkFrame::parse(&[0, 0, 0, 0, 10], 1024));
        assert!(ChunkFrame::parse(&[2, 0, 0, 4, 0], 1024).is_err());
        assert!(ChunkFrame::parse(&[0, 0xFF, 0, 0, 0], 1024).is_err());
        assert!(ChunkFrame::parse(&[0, 0, 0, 0, 10], 1024).is_err());
        Ok(())
    }
}
