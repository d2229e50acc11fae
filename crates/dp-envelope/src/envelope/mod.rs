//! Envelopes, by concern: the key schedule, sealing, opening into a sink, inspecting.

mod inspect;
mod key_schedule;
mod open;
mod seal;
mod sink;
mod stream;

pub use inspect::{Inspection, inspect};
pub use open::{OpenOptions, Opened, ReplayCheck, open, open_releasing_unverified_chunks};
pub use seal::{EnvelopeSummary, SealOptions, seal};
pub use sink::{FileSink, MemorySink, Plaintext, PlaintextSink, ScratchSink};

use sha2::{Digest, Sha256};

use crate::Fingerprint;

/// Who sent an envelope, as far as it is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SenderIdentity {
    /// The envelope is signed by this key and the signature verified.
    Verified(Fingerprint),
    /// The header names this key, but no signature has been checked ([`inspect`]).
    Claimed(Fingerprint),
}

impl SenderIdentity {
    /// The fingerprint, verified or not.
    pub fn fingerprint(&self) -> Fingerprint {
        match self {
            Self::Verified(f) | Self::Claimed(f) => *f,
        }
    }
}

const SIGNATURE_PREFIX: &[u8] = b"dp-envelope/v2 signature\0";

/// What the sender signs: a prefix, then SHA-256 of every envelope byte before the signature
/// (header with MAC and wrapped keys, then each chunk frame and body).
fn signature_message(transcript: Sha256) -> Vec<u8> {
    let mut msg = SIGNATURE_PREFIX.to_vec();
    msg.extend_from_slice(&transcript.finalize());
    msg
}
