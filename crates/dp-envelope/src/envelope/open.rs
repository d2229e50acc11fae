//! Opening: every check before any plaintext is released, in an order that makes hostile
//! input cheap.

use std::io::{Read, Write};

use dp_format::FormatError;
use dp_format::envelope::{CHUNK_FRAME_HEADER_LEN, ChunkFrame, EnvelopeHeader};
use sha2::{Digest, Sha256};

use super::key_schedule::SessionKey;
use super::sink::PlaintextSink;
use super::stream::{expect_end, read_exact_or_truncated, read_header, write_all};
use super::{SenderIdentity, signature_message};
use crate::{
    EnvelopeError, Fingerprint, KeyWrapPadding, PrivateKey, PublicKey, ReplayStore, RsaBackend,
};

/// Replay protection on open.
#[derive(Debug, Clone, Copy)]
pub struct ReplayCheck<'a> {
    /// The cache of opened (sender, message id) pairs — a [`ReplayCache`](crate::ReplayCache)
    /// file or any other [`ReplayStore`]; `None` checks only the time window.
    pub cache: Option<&'a dyn ReplayStore>,
    /// Envelopes older than this many seconds are rejected.
    pub max_age: i64,
    /// Tolerated clock difference, in seconds, both ways.
    pub clock_skew: i64,
}

/// How to open.
#[derive(Debug, Clone, Copy)]
pub struct OpenOptions<'a> {
    /// The recipient's private key.
    pub key: &'a PrivateKey,
    /// Require the envelope to be signed by this sender. A signed envelope's signature is
    /// verified whether or not a sender is expected; this pins who signed it.
    pub expected_sender: Option<&'a PublicKey>,
    /// Current time, Unix seconds (the caller's clock).
    pub now: i64,
    /// Replay protection; `None` disables it (time window and cache).
    pub replay: Option<ReplayCheck<'a>>,
    /// RSA implementation.
    pub backend: RsaBackend,
}

impl<'a> OpenOptions<'a> {
    /// Opens with `key` at `now`, no expected sender, no replay protection.
    pub fn new(key: &'a PrivateKey, now: i64) -> Self {
        Self {
            key,
            expected_sender: None,
            now,
            replay: None,
            backend: RsaBackend::default(),
        }
    }
}

/// What an opened envelope said.
#[derive(Debug, Clone)]
pub struct Opened {
    /// The header.
    pub header: EnvelopeHeader,
    /// The sender: [`SenderIdentity::Verified`] for a signed envelope (its signature was
    /// checked), `None` for an unsigned one, which anyone who has a recipient's public key
    /// could have made.
    pub sender: Option<SenderIdentity>,
    /// Plaintext bytes.
    pub plaintext_len: u64,
}

/// Opens an envelope into `sink`, committing it only once the whole envelope verified: every
/// chunk, the end of input, the signature of a signed envelope, and the replay cache. On any
/// error the sink is dropped uncommitted, which discards what it holds.
///
/// Order of checks: header limits; time window; expected sender; replay cache (read only);
/// recipient entry (no RSA work if absent); one RSA-OAEP decryption; header MAC; the sender
/// key; every chunk; end of input; signature; replay cache record (under its lock).
///
/// If the commit itself fails (a full disk at the final rename), the envelope is already
/// recorded in the replay cache: open it again without the cache.
///
/// # Errors
/// A rejection ([`EnvelopeError::is_rejection`]) or an I/O error.
pub fn open<R: Read, S: PlaintextSink>(
    input: R,
    mut sink: S,
    options: &OpenOptions<'_>,
) -> Result<(Opened, S::Output), EnvelopeError> {
    let opened = open_releasing_unverified_chunks(input, &mut sink, options)?;
    let output = sink.commit()?;
    Ok((opened, output))
}

/// Opens an envelope, writing each chunk's plaintext to `output` as soon as that chunk
/// authenticates — before the end of input, the signature and the replay cache are checked.
///
/// # Security
/// Unless this returns `Ok`, what was written is unverified and must be discarded: a
/// truncated envelope, a forged signature or a replay is detected only at the end. Use
/// [`open`] with a [`PlaintextSink`] unless the consumer can roll back.
///
/// # Errors
/// As [`open`].
pub fn open_releasing_unverified_chunks<R: Read, W: Write>(
    mut input: R,
    mut output: W,
    options: &OpenOptions<'_>,
) -> Result<Opened, EnvelopeError> {
    let header_bytes = read_header(&mut input)?;
    let parsed = EnvelopeHeader::parse(&header_bytes)?;
    let header = &parsed.header;
    if let Some(replay) = &options.replay {
        if header.created > options.now.saturating_add(replay.clock_skew) {
            return Err(EnvelopeError::FromTheFuture {
                created: header.created,
            });
        }
        let oldest = options
            .now
            .saturating_sub(replay.max_age)
            .saturating_sub(replay.clock_skew);
        if header.created < oldest {
            return Err(EnvelopeError::TooOld {
                created: header.created,
            });
        }
    }
    let sender = header
        .sender
        .as_ref()
        .map(|s| Fingerprint(Sha256::digest(&s.public_key).into()));
    if let Some(expected) = options.expected_sender {
        match sender {
            None => return Err(EnvelopeError::Unsigned),
            Some(fp) if fp != expected.fingerprint() => return Err(EnvelopeError::WrongSender),
            Some(_) => {}
        }
    }
    if let Some(ReplayCheck {
        cache: Some(cache), ..
    }) = &options.replay
        && cache.contains(sender, &header.message_id)?
    {
        return Err(EnvelopeError::Replayed);
    }
    let own = options.key.public_key().fingerprint();
    let entry = header
        .recipients
        .iter()
        .find(|r| r.fingerprint == own.0)
        .ok_or(EnvelopeError::NotARecipient)?;
    let session_key = options
        .backend
        .decrypt(
            options.key.pkcs8_der(),
            KeyWrapPadding::OaepSha256,
            &entry.wrapped_key,
        )
        .ok()
        .and_then(|k| SessionKey::from_unwrapped(&k))
        .ok_or(EnvelopeError::HeaderAuthenticationFailed)?;
    let content = session_key
        .schedule(&header.message_id, header.content)
        .verify(parsed.authenticated, parsed.mac)?;
    drop(session_key);
    // The header is authentic: its sender key is the one the sealer named. It must be a key
    // we accept, of the length the signature claims.
    let sender_key = match &header.sender {
        None => None,
        Some(s) => {
            let key = PublicKey::from_spki_der(&s.public_key)
                .map_err(|_| EnvelopeError::InvalidSenderKey)?;
            if key.modulus_len() != usize::from(s.signature_len) {
                return Err(EnvelopeError::InvalidSenderKey);
            }
            Some(key)
        }
    };
    let mut transcript = sender_key
        .as_ref()
        .map(|_| Sha256::new_with_prefix(&header_bytes));

    // Lossless wherever `usize` has 32 bits or more (the chunk size is at most 1 MiB);
    // elsewhere it refuses rather than saturate.
    let too_large = |field| EnvelopeError::Format(FormatError::LimitExceeded { field });
    let chunk_size = usize::try_from(header.chunk_size).map_err(|_| too_large("chunk size"))?;
    let mut body = Vec::with_capacity(chunk_size + 128);
    let mut index: u64 = 0;
    let mut total: u64 = 0;
    loop {
        let mut frame = [0u8; CHUNK_FRAME_HEADER_LEN];
        read_exact_or_truncated(&mut input, &mut frame)?;
        let parsed_frame = ChunkFrame::parse(&frame, header.chunk_size)?;
        body.resize(
            usize::try_from(parsed_frame.body_len).map_err(|_| too_large("chunk length"))?,
            0,
        );
        read_exact_or_truncated(&mut input, &mut body)?;
        let plaintext = content.open_chunk(index, parsed_frame.last, &body)?;
        // Only the last chunk may be short: anything else is not what `seal` writes.
        if !parsed_frame.last && plaintext.len() != chunk_size {
            return Err(EnvelopeError::ChunkAuthenticationFailed { index });
        }
        write_all(&mut output, &plaintext)?;
        if let Some(t) = transcript.as_mut() {
            t.update(frame);
            t.update(&body);
        }
        total += plaintext.len() as u64;
        index += 1;
        if parsed_frame.last {
            break;
        }
    }
    let verified = match (&header.sender, sender_key, transcript, sender) {
        (Some(s), Some(key), Some(transcript), Some(fingerprint)) => {
            let mut signature = vec![0u8; usize::from(s.signature_len)];
            read_exact_or_truncated(&mut input, &mut signature)?;
            expect_end(&mut input)?;
            if !options.backend.verify_pss_sha256(
                key.spki_der(),
                &signature_message(transcript),
                &signature,
            ) {
                return Err(EnvelopeError::BadSignature);
            }
            Some(SenderIdentity::Verified(fingerprint))
        }
        _ => {
            expect_end(&mut input)?;
            None
        }
    };
    output
        .flush()
        .map_err(|e| EnvelopeError::io("writing the output", e))?;
    if let Some(ReplayCheck {
        cache: Some(cache),
        max_age,
        clock_skew,
    }) = &options.replay
    {
        cache.check_and_record(
            sender,
            &header.message_id,
            header.created,
            options.now,
            max_age.saturating_add(*clock_skew),
        )?;
    }
    Ok(Opened {
        header: parsed.header,
        sender: verified,
        plaintext_len: total,
    })
}
