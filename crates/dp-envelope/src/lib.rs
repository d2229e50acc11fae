//! Session-key envelopes: the procedure of CryptoAPI's "manual session key exchange", made safe.
//!
//! A fresh random 256-bit session key encrypts the content in authenticated chunks; the session
//! key travels RSA-OAEP-encrypted to each recipient; the header is authenticated; an optional
//! RSA-PSS signature authenticates the sender over the header and every chunk; and replays are
//! detected on open with a time window and a persistent replay cache — the weakness the
//! original procedure admits.
//!
//! A signed envelope carries its sender's public key and its signature is always verified;
//! naming an expected sender additionally pins who signed. [`open`] releases plaintext only
//! through a [`PlaintextSink`] committed after everything verified.
//!
//! The replay cache is a [`ReplayStore`]: a [`ReplayCache`] file for one host, or — with the
//! feature `redis` — a `RedisReplayCache` that a fleet of openers shares (one atomic
//! set-if-absent per envelope; a server that does not answer is an error, never a pass).
//!
//! ```
//! use dp_envelope::{
//!     open, seal, MemorySink, OpenOptions, PrivateKey, RsaBackend, SealOptions, SenderIdentity,
//! };
//!
//! let alice = PrivateKey::generate(2048, RsaBackend::default())?;
//! let bob = PrivateKey::generate(2048, RsaBackend::default())?;
//! let now = 1_800_000_000;
//!
//! let mut envelope = Vec::new();
//! let options = SealOptions { signer: Some(&alice), ..SealOptions::new(now) };
//! seal(&[bob.public_key().clone()], &options, &b"hello"[..], &mut envelope)?;
//!
//! let options = OpenOptions { expected_sender: Some(alice.public_key()), ..OpenOptions::new(&bob, now) };
//! let (opened, plaintext) = open(&envelope[..], MemorySink::new(), &options)?;
//! assert_eq!(plaintext.as_slice(), b"hello");
//! assert_eq!(opened.sender, Some(SenderIdentity::Verified(alice.public_key().fingerprint())));
//! # Ok::<(), dp_envelope::EnvelopeError>(())
//! ```
#![forbid(unsafe_code)]

#[cfg(not(any(feature = "aws-lc", feature = "rust-rsa")))]
compile_error!("dp-envelope needs an RSA backend: enable `aws-lc` (default) or `rust-rsa`");

pub mod capi;
mod envelope;
mod error;
mod keys;
mod replay;
#[cfg(feature = "redis")]
mod replay_redis;

/// The RSA backends and paddings, from dp-crypto; the features `aws-lc` and `rust-rsa` choose
/// which backends are built.
pub use dp_crypto::rsa::{KeyWrapPadding, RsaBackend};
pub use envelope::{
    EnvelopeSummary, FileSink, Inspection, MemorySink, OpenOptions, Opened, Plaintext,
    PlaintextSink, ReplayCheck, ScratchSink, SealOptions, SenderIdentity, inspect, open,
    open_releasing_unverified_chunks, seal,
};
pub use error::EnvelopeError;
pub use keys::{Fingerprint, MAX_RSA_BITS, MIN_RSA_BITS, PrivateKey, PublicKey};
pub use replay::{MAX_REPLAY_CACHE_BYTES, ReplayCache, ReplayStore};
#[cfg(feature = "redis")]
pub use replay_redis::RedisReplayCache;

pub use dp_format::envelope::{ContentAlgorithm, EnvelopeHeader};
