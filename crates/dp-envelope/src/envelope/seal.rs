//! Sealing: a fresh session key, wrapped to every recipient; the header and its MAC; the
//! chunks; the signature.

use std::io::{Read, Write};

use dp_crypto::{OsRandom, SecureRandom};
use dp_format::envelope::{
    CHUNK_FRAME_HEADER_LEN, ChunkFrame, ContentAlgorithm, DEFAULT_CHUNK_SIZE, EnvelopeHeader,
    KeyTransport, MAX_RECIPIENTS, RecipientEntry, Sender, SignatureAlgorithm,
};
use sha2::{Digest, Sha256};

use super::key_schedule::SessionKey;
use super::signature_message;
use super::sink::Plaintext;
use super::stream::{read_chunk, write_all};
use crate::{EnvelopeError, KeyWrapPadding, PrivateKey, PublicKey, RsaBackend};

/// How to seal.
#[derive(Clone, Copy)]
pub struct SealOptions<'a> {
    /// Content encryption (AES-256-GCM by default).
    pub content: ContentAlgorithm,
    /// Plaintext bytes per chunk (64 KiB by default).
    pub chunk_size: u32,
    /// The sender's key, to sign the envelope.
    pub signer: Option<&'a PrivateKey>,
    /// Creation time, Unix seconds (the caller's clock).
    pub created: i64,
    /// RSA implementation.
    pub backend: RsaBackend,
    /// Where the session key and message id come from (the OS by default), and — with the
    /// pure-Rust RSA backend — the OAEP and PSS randomness. A seeded source makes sealing
    /// reproducible, for known-answer tests; anything but a CSPRNG in production breaks the
    /// envelope's confidentiality.
    pub rng: &'a dyn SecureRandom,
}

impl core::fmt::Debug for SealOptions<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SealOptions")
            .field("content", &self.content)
            .field("chunk_size", &self.chunk_size)
            .field("signer", &self.signer.map(|s| s.public_key().fingerprint()))
            .field("created", &self.created)
            .field("backend", &self.backend)
            .finish_non_exhaustive()
    }
}

impl SealOptions<'_> {
    /// Defaults, created at `now` (Unix seconds).
    pub fn new(now: i64) -> Self {
        Self {
            content: ContentAlgorithm::Aes256Gcm,
            chunk_size: DEFAULT_CHUNK_SIZE,
            signer: None,
            created: now,
            backend: RsaBackend::default(),
            rng: &OsRandom,
        }
    }
}

/// What was sealed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvelopeSummary {
    /// The message id.
    pub message_id: [u8; 16],
    /// Plaintext bytes.
    pub plaintext_len: u64,
    /// Chunks written.
    pub chunks: u64,
}

/// Seals `input` to `recipients` (duplicates counted once), writing the envelope to `output`.
///
/// Memory stays at two chunks whatever the input size. To follow progress, wrap `input` in a
/// counting reader.
///
/// # Errors
/// [`EnvelopeError::InvalidArgument`] without recipients or with more than 64; I/O and RSA
/// errors.
pub fn seal<R: Read, W: Write>(
    recipients: &[PublicKey],
    options: &SealOptions<'_>,
    mut input: R,
    mut output: W,
) -> Result<EnvelopeSummary, EnvelopeError> {
    let mut unique: Vec<&PublicKey> = Vec::with_capacity(recipients.len());
    for r in recipients {
        if !unique.iter().any(|u| u.fingerprint() == r.fingerprint()) {
            unique.push(r);
        }
    }
    if unique.is_empty() || unique.len() > usize::from(MAX_RECIPIENTS) {
        return Err(EnvelopeError::InvalidArgument(format!(
            "an envelope needs 1 to {MAX_RECIPIENTS} recipients"
        )));
    }
    let chunk_size = usize::try_from(options.chunk_size)
        .map_err(|_| EnvelopeError::InvalidArgument("chunk size too large".into()))?;
    let session_key = SessionKey::generate(options.rng)?;
    let mut message_id = [0u8; 16];
    options.rng.fill(&mut message_id)?;

    let mut entries = Vec::with_capacity(unique.len());
    for r in unique {
        entries.push(RecipientEntry {
            fingerprint: r.fingerprint().0,
            wrapped_key: options
                .backend
                .encrypt(
                    r.spki_der(),
                    KeyWrapPadding::OaepSha256,
                    session_key.as_bytes(),
                    options.rng,
                )
                .map_err(EnvelopeError::rsa)?,
        });
    }
    let sender = match options.signer {
        None => None,
        Some(s) => Some(Sender {
            algorithm: SignatureAlgorithm::RsaPssSha256,
            public_key: s.public_key().spki_der().to_vec(),
            signature_len: u16::try_from(s.public_key().modulus_len())
                .map_err(|_| EnvelopeError::InvalidKey("signing key too large".into()))?,
        }),
    };
    let header = EnvelopeHeader {
        content: options.content,
        key_transport: KeyTransport::RsaOaepSha256,
        created: options.created,
        message_id,
        chunk_size: options.chunk_size,
        sender,
        recipients: entries,
    };
    let authenticated = header.encode_authenticated()?;
    let (mac, content) = session_key
        .schedule(&message_id, options.content)
        .seal(&authenticated);
    drop(session_key);
    let header_bytes = header.encode(&authenticated, &mac);
    write_all(&mut output, &header_bytes)?;
    // The running hash feeds only the signature: skip it when there is none to make.
    let mut transcript = options
        .signer
        .map(|_| Sha256::new_with_prefix(&header_bytes));

    // Each buffer holds exactly the bytes read, so the plaintext is the whole buffer: no
    // slicing by a separately kept length (which, out of step, would encrypt the wrong bytes).
    // Reads stay within the capacity reserved here, so no plaintext is left in freed memory.
    let mut current = Plaintext::with_capacity(chunk_size);
    let mut next = Plaintext::with_capacity(chunk_size);
    read_chunk(&mut input, current.buffer(), chunk_size)?;
    // One record per chunk, frame then body, written and hashed in one piece.
    let mut record = Vec::with_capacity(CHUNK_FRAME_HEADER_LEN + chunk_size + 128);
    let mut index: u64 = 0;
    let mut total: u64 = 0;
    loop {
        // A full chunk is the last only if nothing follows it: look one chunk ahead.
        if current.len() == chunk_size {
            read_chunk(&mut input, next.buffer(), chunk_size)?;
        } else {
            next.buffer().clear();
        }
        let last = next.is_empty();
        record.clear();
        // The frame's place, filled in once the body's length is known.
        record.extend_from_slice(&[0; CHUNK_FRAME_HEADER_LEN]);
        content.seal_chunk(index, last, &current, &mut record)?;
        // The frame's bytes were pushed first: the split cannot fail.
        let (frame, body) = record
            .split_first_chunk_mut::<CHUNK_FRAME_HEADER_LEN>()
            .ok_or_else(|| EnvelopeError::InvalidArgument("chunk frame missing".into()))?;
        *frame = ChunkFrame {
            last,
            body_len: u32::try_from(body.len())
                .map_err(|_| EnvelopeError::InvalidArgument("chunk too large".into()))?,
        }
        .encode();
        write_all(&mut output, &record)?;
        if let Some(t) = transcript.as_mut() {
            t.update(&record);
        }
        total += current.len() as u64;
        index += 1;
        if last {
            break;
        }
        core::mem::swap(&mut current, &mut next);
    }
    if let (Some(signer), Some(transcript)) = (options.signer, transcript) {
        let signature = options
            .backend
            .sign_pss_sha256(
                signer.pkcs8_der(),
                &signature_message(transcript),
                options.rng,
            )
            .map_err(EnvelopeError::rsa)?;
        write_all(&mut output, &signature)?;
    }
    output
        .flush()
        .map_err(|e| EnvelopeError::io("writing the output", e))?;
    Ok(EnvelopeSummary {
        message_id,
        plaintext_len: total,
        chunks: index,
    })
}
