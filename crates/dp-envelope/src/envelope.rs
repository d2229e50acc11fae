//! Sealing and opening, streaming in bounded memory.

use std::fs;
use std::io::{self, Read, Write};
use std::path::Path;

use dp_crypto::{
    AesKeySize, Algorithm, AuthenticatedEncryptor, MasterKey, OsRandom, SecureRandom,
    ValidationAlgorithm,
};
use dp_format::FormatError;
use dp_format::envelope::{
    CHUNK_FRAME_HEADER_LEN, ChunkFrame, ContentAlgorithm, DEFAULT_CHUNK_SIZE, EnvelopeHeader,
    HEADER_MAC_LEN, HeaderLen, KeyTransport, MAX_RECIPIENTS, RecipientEntry, Sender,
    SignatureAlgorithm, header_len,
};
use hkdf::Hkdf;
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::backend::KeyWrapPadding;
use crate::{EnvelopeError, Fingerprint, PrivateKey, PublicKey, ReplayCache, RsaBackend};

const SESSION_KEY_LEN: usize = 32;
const LABEL_HEADER_MAC: &[u8] = b"dp-envelope/v1 header-mac";
const LABEL_CONTENT: &[u8] = b"dp-envelope/v1 content";
const CHUNK_AAD_PREFIX: &[u8] = b"dp-envelope/v1 chunk\0";
const SIGNATURE_PREFIX: &[u8] = b"dp-envelope/v1 signature\0";

/// The keys derived from a session key.
///
/// ```text
/// HKDF-SHA256(salt = message id, ikm = session key)
///   info "dp-envelope/v1 header-mac" -> 32-byte HMAC-SHA256 key for the header
///   info "dp-envelope/v1 content"    -> 64-byte dp-crypto master key for the chunks
/// ```
struct SessionKeys {
    header_mac: Zeroizing<[u8; 32]>,
    content: AuthenticatedEncryptor,
}

fn content_algorithm(content: ContentAlgorithm) -> Algorithm {
    match content {
        ContentAlgorithm::Aes256Gcm => Algorithm::Gcm {
            aes: AesKeySize::Aes256,
        },
        ContentAlgorithm::Aes256CbcHmacSha256 => Algorithm::CbcHmac {
            aes: AesKeySize::Aes256,
            mac: ValidationAlgorithm::HmacSha256,
        },
    }
}

impl SessionKeys {
    fn derive(session_key: &[u8], message_id: &[u8; 16], content: ContentAlgorithm) -> Self {
        let hk = Hkdf::<Sha256>::new(Some(message_id), session_key);
        let header_mac = hkdf_expand::<32>(&hk, LABEL_HEADER_MAC);
        let content_key = hkdf_expand::<64>(&hk, LABEL_CONTENT);
        let content = AuthenticatedEncryptor::new(
            content_algorithm(content),
            &MasterKey::from_slice(content_key.as_ref()),
        );
        Self {
            header_mac,
            content,
        }
    }

    #[expect(
        clippy::expect_used,
        reason = "HMAC takes keys of every length (RFC 2104); a MAC of zeros in its place would \
                  make every header verify against a constant"
    )]
    fn header_mac(&self, authenticated: &[u8]) -> [u8; HEADER_MAC_LEN] {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(self.header_mac.as_ref())
            .expect("HMAC accepts keys of every length");
        mac.update(authenticated);
        mac.finalize().into_bytes().into()
    }
}

/// `HKDF-Expand(prk, info, N)`.
///
/// # Panics
/// If `N` exceeds HKDF-SHA256's 8160-byte limit, which no caller asks for (32 and 64 bytes):
/// a key of zeros in its place would silently be used for real.
#[expect(
    clippy::expect_used,
    reason = "the output lengths are constants far below HKDF-SHA256's 255 × 32-byte limit"
)]
fn hkdf_expand<const N: usize>(hk: &Hkdf<Sha256>, info: &[u8]) -> Zeroizing<[u8; N]> {
    let mut okm = Zeroizing::new([0u8; N]);
    hk.expand(info, okm.as_mut())
        .expect("HKDF-SHA256 output of at most 8160 bytes");
    okm
}

/// The AAD (KDF label) of chunk `index`: binds it to this header, its position and whether it
/// is the last — the STREAM construction, on top of dp-crypto's per-call subkeys.
fn chunk_aad(header_hash: &[u8; 32], index: u64, last: bool) -> Vec<u8> {
    let mut aad = Vec::with_capacity(CHUNK_AAD_PREFIX.len() + 32 + 9);
    aad.extend_from_slice(CHUNK_AAD_PREFIX);
    aad.extend_from_slice(header_hash);
    aad.extend_from_slice(&index.to_be_bytes());
    aad.push(u8::from(last));
    aad
}

fn signature_message(transcript: Sha256) -> Vec<u8> {
    let mut msg = SIGNATURE_PREFIX.to_vec();
    msg.extend_from_slice(&transcript.finalize());
    msg
}

/// Reads until `buf` is full or the input ends; returns the number of bytes read.
fn read_full(input: &mut impl Read, buf: &mut [u8]) -> Result<usize, EnvelopeError> {
    let mut filled = 0;
    while filled < buf.len() {
        match input.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(EnvelopeError::io("reading the input", e)),
        }
    }
    Ok(filled)
}

/// Replaces `buf` with up to `len` bytes of input (fewer only at the end of the input).
fn read_chunk(input: &mut impl Read, buf: &mut Vec<u8>, len: usize) -> Result<(), EnvelopeError> {
    buf.clear();
    buf.resize(len, 0);
    let got = read_full(input, buf)?;
    buf.truncate(got);
    Ok(())
}

fn read_exact_or_truncated(input: &mut impl Read, buf: &mut [u8]) -> Result<(), EnvelopeError> {
    if read_full(input, buf)? == buf.len() {
        Ok(())
    } else {
        Err(EnvelopeError::Truncated)
    }
}

fn write_all(output: &mut impl Write, bytes: &[u8]) -> Result<(), EnvelopeError> {
    output
        .write_all(bytes)
        .map_err(|e| EnvelopeError::io("writing the output", e))
}

/// How to seal.
#[derive(Debug, Clone)]
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
}

impl<'a> SealOptions<'a> {
    /// Defaults, created at `now` (Unix seconds).
    pub fn new(now: i64) -> Self {
        Self {
            content: ContentAlgorithm::Aes256Gcm,
            chunk_size: DEFAULT_CHUNK_SIZE,
            signer: None,
            created: now,
            backend: RsaBackend::default(),
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

/// Seals `input` to `recipients`, writing the envelope to `output`.
///
/// Memory stays at two chunks whatever the input size. `progress` is called with the number of
/// plaintext bytes consumed so far.
///
/// # Errors
/// [`EnvelopeError::InvalidArgument`] without recipients or with more than 64; I/O and RSA
/// errors.
pub fn seal<R: Read, W: Write>(
    recipients: &[PublicKey],
    options: &SealOptions<'_>,
    mut input: R,
    mut output: W,
    progress: &mut dyn FnMut(u64),
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
    let mut session_key = Zeroizing::new([0u8; SESSION_KEY_LEN]);
    OsRandom.fill(session_key.as_mut())?;
    let mut message_id = [0u8; 16];
    OsRandom.fill(&mut message_id)?;

    let mut entries = Vec::with_capacity(unique.len());
    for r in unique {
        entries.push(RecipientEntry {
            fingerprint: r.fingerprint().0,
            wrapped_key: options.backend.encrypt(
                r.spki_der(),
                KeyWrapPadding::OaepSha256,
                session_key.as_ref(),
            )?,
        });
    }
    let sender = options.signer.map(|s| -> Result<Sender, EnvelopeError> {
        Ok(Sender {
            fingerprint: s.public_key().fingerprint().0,
            signature_len: u16::try_from(s.public_key().modulus_len())
                .map_err(|_| EnvelopeError::InvalidKey("signing key too large".into()))?,
        })
    });
    let sender = sender.transpose()?;
    let header = EnvelopeHeader {
        content: options.content,
        key_transport: KeyTransport::RsaOaepSha256,
        signature: if sender.is_some() {
            SignatureAlgorithm::RsaPssSha256
        } else {
            SignatureAlgorithm::None
        },
        created: options.created,
        message_id,
        chunk_size: options.chunk_size,
        sender,
        recipients: entries,
    };
    let keys = SessionKeys::derive(session_key.as_ref(), &message_id, options.content);
    let mut header_bytes = header.encode_authenticated()?;
    let mac = keys.header_mac(&header_bytes);
    header_bytes.extend_from_slice(&mac);
    write_all(&mut output, &header_bytes)?;
    let header_hash: [u8; 32] = Sha256::digest(&header_bytes).into();
    // The running hash feeds only the signature: skip it when there is none to make or check.
    let mut transcript = options
        .signer
        .map(|_| Sha256::new_with_prefix(&header_bytes));

    let chunk_size = usize::try_from(options.chunk_size)
        .map_err(|_| EnvelopeError::InvalidArgument("chunk size too large".into()))?;
    // Each buffer holds exactly the bytes read, so the plaintext is the whole buffer: no
    // slicing by a separately kept length (which, out of step, would encrypt the wrong bytes).
    let mut current = Zeroizing::new(Vec::with_capacity(chunk_size));
    let mut next = Zeroizing::new(Vec::with_capacity(chunk_size));
    read_chunk(&mut input, &mut current, chunk_size)?;
    let mut body = Vec::with_capacity(chunk_size + 128);
    let mut index: u64 = 0;
    let mut total: u64 = 0;
    loop {
        // A full chunk is the last only if nothing follows it: look one chunk ahead.
        if current.len() == chunk_size {
            read_chunk(&mut input, &mut next, chunk_size)?;
        } else {
            next.clear();
        }
        let last = next.is_empty();
        body.clear();
        keys.content.encrypt_append(
            &current,
            &chunk_aad(&header_hash, index, last),
            &OsRandom,
            &mut body,
        )?;
        let frame = ChunkFrame {
            last,
            body_len: u32::try_from(body.len())
                .map_err(|_| EnvelopeError::InvalidArgument("chunk too large".into()))?,
        }
        .encode();
        write_all(&mut output, &frame)?;
        write_all(&mut output, &body)?;
        if let Some(t) = transcript.as_mut() {
            t.update(frame);
            t.update(&body);
        }
        total += current.len() as u64;
        progress(total);
        index += 1;
        if last {
            break;
        }
        core::mem::swap(&mut current, &mut next);
    }
    if let (Some(signer), Some(transcript)) = (options.signer, transcript) {
        let signature = options
            .backend
            .sign_pss_sha256(signer.pkcs8_der(), &signature_message(transcript))?;
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

/// Replay protection on open.
#[derive(Debug, Clone, Copy)]
pub struct ReplayCheck<'a> {
    /// The cache of opened (sender, message id) pairs; `None` checks only the time window.
    pub cache: Option<&'a ReplayCache>,
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
    /// Require a valid signature by this sender.
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
    /// The signer's fingerprint, if signed.
    pub sender: Option<Fingerprint>,
    /// Whether the signature was verified against the expected sender's key. A signed envelope
    /// opened without an expected sender is not verified: its sender is only claimed.
    pub sender_verified: bool,
    /// Plaintext bytes written.
    pub plaintext_len: u64,
}

/// Reads and validates the header: every limit is checked as soon as its field arrives, so a
/// hostile header costs at most [`dp_format::envelope::MAX_HEADER_LEN`] bytes and no RSA work.
fn read_header(input: &mut impl Read) -> Result<(EnvelopeHeader, Vec<u8>), EnvelopeError> {
    let mut bytes = Vec::with_capacity(512);
    loop {
        match header_len(&bytes)? {
            HeaderLen::NeedAtLeast(n) => {
                let start = bytes.len();
                bytes.resize(n, 0);
                let got = read_full(input, &mut bytes[start..])?;
                if got < n - start {
                    bytes.truncate(start + got);
                    // Let the parser name a bad magic in a short input before "truncated".
                    header_len(&bytes)?;
                    return Err(EnvelopeError::Truncated);
                }
            }
            HeaderLen::Complete(n) => {
                if bytes.len() != n {
                    let start = bytes.len();
                    bytes.resize(n, 0);
                    read_exact_or_truncated(input, &mut bytes[start..])?;
                }
                let (header, _, _) = EnvelopeHeader::parse(&bytes)?;
                return Ok((header, bytes));
            }
        }
    }
}

/// Opens an envelope, writing plaintext to `output` chunk by chunk as each chunk verifies.
///
/// # Security
/// Plaintext reaches `output` before the end of the envelope, its signature and the replay
/// cache are checked. Unless this returns `Ok`, discard everything written: buffer into a file
/// and release it only on success ([`open_to_file`] does exactly that).
///
/// Order of checks: header limits; time window; expected sender; replay cache (read only);
/// recipient entry (no RSA work if absent); one RSA-OAEP decryption; header MAC; every chunk;
/// end of input and signature; replay cache record (under its lock).
///
/// # Errors
/// A rejection ([`EnvelopeError::is_rejection`]) or an I/O error.
pub fn open<R: Read, W: Write>(
    mut input: R,
    mut output: W,
    options: &OpenOptions<'_>,
    progress: &mut dyn FnMut(u64),
) -> Result<Opened, EnvelopeError> {
    let (header, header_bytes) = read_header(&mut input)?;
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
    let sender = header.sender.map(|s| Fingerprint(s.fingerprint));
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
        .filter(|k| k.len() == SESSION_KEY_LEN)
        .ok_or(EnvelopeError::HeaderAuthenticationFailed)?;
    let keys = SessionKeys::derive(&session_key, &header.message_id, header.content);
    let (authenticated, received_mac) = header_bytes.split_at(header_bytes.len() - HEADER_MAC_LEN);
    if !bool::from(keys.header_mac(authenticated).ct_eq(received_mac)) {
        return Err(EnvelopeError::HeaderAuthenticationFailed);
    }
    let header_hash: [u8; 32] = Sha256::digest(&header_bytes).into();
    // The running hash feeds only the signature: skip it when there is none to make or check.
    let mut transcript = header
        .sender
        .and(options.expected_sender)
        .map(|_| Sha256::new_with_prefix(&header_bytes));

    // Both conversions are lossless wherever `usize` has 32 bits or more (the chunk size is at
    // most 1 MiB); elsewhere they refuse rather than saturate.
    let too_large = |field| EnvelopeError::Format(FormatError::LimitExceeded { field });
    let chunk_size = usize::try_from(header.chunk_size).map_err(|_| too_large("chunk size"))?;
    let mut body = Vec::with_capacity(chunk_size + 128);
    let mut index: u64 = 0;
    let mut total: u64 = 0;
    loop {
        let mut frame = [0u8; CHUNK_FRAME_HEADER_LEN];
        read_exact_or_truncated(&mut input, &mut frame)?;
        let parsed = ChunkFrame::parse(&frame, header.chunk_size)?;
        body.resize(
            usize::try_from(parsed.body_len).map_err(|_| too_large("chunk length"))?,
            0,
        );
        read_exact_or_truncated(&mut input, &mut body)?;
        let plaintext = Zeroizing::new(
            keys.content
                .decrypt(&body, &chunk_aad(&header_hash, index, parsed.last))
                .map_err(|_| EnvelopeError::ChunkAuthenticationFailed { index })?,
        );
        // Only the last chunk may be short: anything else is not what `seal` writes.
        if !parsed.last && plaintext.len() != chunk_size {
            return Err(EnvelopeError::ChunkAuthenticationFailed { index });
        }
        write_all(&mut output, &plaintext)?;
        if let Some(t) = transcript.as_mut() {
            t.update(frame);
            t.update(&body);
        }
        total += plaintext.len() as u64;
        progress(total);
        index += 1;
        if parsed.last {
            break;
        }
    }
    let mut sender_verified = false;
    if let Some(s) = header.sender {
        let mut signature = vec![0u8; usize::from(s.signature_len)];
        read_exact_or_truncated(&mut input, &mut signature)?;
        if let (Some(expected), Some(transcript)) = (options.expected_sender, transcript) {
            let message = signature_message(transcript);
            if !options
                .backend
                .verify_pss_sha256(expected.spki_der(), &message, &signature)
            {
                return Err(EnvelopeError::BadSignature);
            }
            sender_verified = true;
        }
    }
    let mut extra = [0u8; 1];
    if read_full(&mut input, &mut extra)? != 0 {
        return Err(EnvelopeError::TrailingData);
    }
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
        header,
        sender,
        sender_verified,
        plaintext_len: total,
    })
}

/// Opens into `path`: plaintext goes to a temporary file (mode 0600) beside it, which is renamed
/// into place only after everything — chunks, signature, replay cache — verified. On any error
/// the temporary file is removed and `path` is untouched.
///
/// # Errors
/// As [`open`].
pub fn open_to_file<R: Read>(
    input: R,
    path: &Path,
    options: &OpenOptions<'_>,
    progress: &mut dyn FnMut(u64),
) -> Result<Opened, EnvelopeError> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let mut name = [0u8; 8];
    OsRandom.fill(&mut name)?;
    let tmp = dir.join(format!(
        ".dp-open-{}.tmp",
        name.iter().map(|b| format!("{b:02x}")).collect::<String>()
    ));
    let mut file_options = fs::OpenOptions::new();
    file_options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut file_options, 0o600);
    let file = file_options
        .open(&tmp)
        .map_err(|e| EnvelopeError::io(format!("creating {}", tmp.display()), e))?;
    let mut writer = io::BufWriter::new(file);
    let result = open(input, &mut writer, options, progress).and_then(|opened| {
        let file = writer
            .into_inner()
            .map_err(|e| EnvelopeError::io("writing the output", e.into_error()))?;
        file.sync_all()
            .map_err(|e| EnvelopeError::io("writing the output", e))?;
        fs::rename(&tmp, path)
            .map_err(|e| EnvelopeError::io(format!("renaming into {}", path.display()), e))?;
        Ok(opened)
    });
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Sizes found by [`inspect`] without decrypting.
#[derive(Debug, Clone)]
pub struct Inspection {
    /// The header.
    pub header: EnvelopeHeader,
    /// Header length in bytes, MAC included.
    pub header_len: usize,
    /// Number of chunks.
    pub chunks: u64,
    /// Sum of the chunk bodies.
    pub content_len: u64,
    /// Whether a complete signature trailer is present.
    pub has_signature: bool,
    /// Total envelope length.
    pub total_len: u64,
}

impl Inspection {
    /// The plaintext length, when the content algorithm determines it (GCM adds a fixed 44
    /// bytes per chunk; CBC's padding makes it a range, so `None`).
    pub fn plaintext_len(&self) -> Option<u64> {
        match self.header.content {
            ContentAlgorithm::Aes256Gcm => {
                let overhead = u64::from(dp_format::envelope::MIN_BODY_LEN);
                self.content_len
                    .checked_sub(self.chunks.checked_mul(overhead)?)
            }
            ContentAlgorithm::Aes256CbcHmacSha256 => None,
        }
    }
}

/// Reads the header and walks the chunk frames without any key: what an envelope claims.
/// Nothing here is authenticated.
///
/// # Errors
/// Format errors, truncation, trailing data, I/O.
pub fn inspect<R: Read>(mut input: R) -> Result<Inspection, EnvelopeError> {
    let (header, header_bytes) = read_header(&mut input)?;
    let mut chunks = 0u64;
    let mut content_len = 0u64;
    loop {
        let mut frame = [0u8; CHUNK_FRAME_HEADER_LEN];
        read_exact_or_truncated(&mut input, &mut frame)?;
        let parsed = ChunkFrame::parse(&frame, header.chunk_size)?;
        let skipped = io::copy(
            &mut (&mut input).take(u64::from(parsed.body_len)),
            &mut io::sink(),
        )
        .map_err(|e| EnvelopeError::io("reading the input", e))?;
        if skipped != u64::from(parsed.body_len) {
            return Err(EnvelopeError::Truncated);
        }
        chunks += 1;
        content_len += skipped;
        if parsed.last {
            break;
        }
    }
    let signature_len = header.sender.map_or(0, |s| u64::from(s.signature_len));
    let skipped = io::copy(&mut (&mut input).take(signature_len), &mut io::sink())
        .map_err(|e| EnvelopeError::io("reading the input", e))?;
    if skipped != signature_len {
        return Err(EnvelopeError::Truncated);
    }
    let mut extra = [0u8; 1];
    if read_full(&mut input, &mut extra)? != 0 {
        return Err(EnvelopeError::TrailingData);
    }
    let header_len = header_bytes.len();
    Ok(Inspection {
        has_signature: header.sender.is_some(),
        total_len: header_len as u64
            + chunks * CHUNK_FRAME_HEADER_LEN as u64
            + content_len
            + signature_len,
        header,
        header_len,
        chunks,
        content_len,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The header MAC key comes from HKDF and is used: an independent computation (Python's
    /// `hmac`/`hashlib`, RFC 5869 by hand) of
    /// `HMAC-SHA256(HKDF-SHA256(salt = 02×16, ikm = 01×32, info = header-mac label, 32), data)`.
    /// A discarded HKDF result or an HMAC error mapped to zeros cannot produce it.
    #[test]
    fn header_mac_is_a_known_answer_never_zeros() -> Result<(), hex::FromHexError> {
        let keys = SessionKeys::derive(&[1; 32], &[2; 16], ContentAlgorithm::Aes256Gcm);
        let mac = keys.header_mac(b"authenticated header bytes");
        assert_eq!(
            mac.to_vec(),
            hex::decode("3d5e1b0cd671ba686f956e36f17ed936b6cf28d4c18db72d6482b9bf67e1686c")?
        );
        assert_ne!(mac, [0; HEADER_MAC_LEN]);
        Ok(())
    }

    #[test]
    #[should_panic(expected = "HKDF-SHA256 output of at most 8160 bytes")]
    fn hkdf_expand_panics_rather_than_yield_zeros() {
        let hk = Hkdf::<Sha256>::new(Some(&[2; 16]), &[1; 32]);
        let _never = hkdf_expand::<8161>(&hk, LABEL_CONTENT);
    }

    #[test]
    fn hkdf_expand_fills_the_whole_output() {
        let hk = Hkdf::<Sha256>::new(Some(&[2; 16]), &[1; 32]);
        let okm = hkdf_expand::<64>(&hk, LABEL_CONTENT);
        assert_ne!(okm.as_ref(), &[0u8; 64]);
        assert_ne!(okm[32..], [0u8; 32]);
    }

    /// `seal` encrypts exactly what it read, chunk by chunk, whatever `Read` hands out at a time.
    #[test]
    fn read_chunk_holds_exactly_the_bytes_read() -> Result<(), EnvelopeError> {
        let mut input: &[u8] = b"0123456789";
        let mut buf = vec![0xEE; 3];
        read_chunk(&mut input, &mut buf, 4)?;
        assert_eq!(buf, b"0123");
        read_chunk(&mut input, &mut buf, 4)?;
        assert_eq!(buf, b"4567");
        read_chunk(&mut input, &mut buf, 4)?;
        assert_eq!(buf, b"89");
        read_chunk(&mut input, &mut buf, 4)?;
        assert!(buf.is_empty());
        Ok(())
    }
}
