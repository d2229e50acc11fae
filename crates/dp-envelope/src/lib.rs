//! Session-key envelopes: the procedure of CryptoAPI's "manual session key exchange", made safe.
//!
//! A fresh random 256-bit session key encrypts the content in authenticated chunks; the session
//! key travels RSA-OAEP-encrypted to each recipient; the header is authenticated; an optional
//! RSA-PSS signature authenticates the sender over the header and every chunk; and replays are
//! detected on open with a time window and a persistent replay cache — the weakness the
//! original procedure admits.
//!
//! ```
//! use dp_envelope::{open, seal, OpenOptions, PrivateKey, RsaBackend, SealOptions};
//!
//! let alice = PrivateKey::generate(2048, RsaBackend::default())?;
//! let bob = PrivateKey::generate(2048, RsaBackend::default())?;
//! let now = 1_800_000_000;
//!
//! let mut envelope = Vec::new();
//! let options = SealOptions { signer: Some(&alice), ..SealOptions::new(now) };
//! seal(&[bob.public_key().clone()], &options, &b"hello"[..], &mut envelope, &mut |_| {})?;
//!
//! let mut plaintext = Vec::new();
//! let options = OpenOptions { expected_sender: Some(alice.public_key()), ..OpenOptions::new(&bob, now) };
//! let opened = open(&envelope[..], &mut plaintext, &options, &mut |_| {})?;
//! assert_eq!(plaintext, b"hello");
//! assert!(opened.sender_verified);
//! # Ok::<(), dp_envelope::EnvelopeError>(())
//! ```
#![forbid(unsafe_code)]

mod backend;
pub mod capi;
mod envelope;
mod error;
mod keys;
mod replay;

pub use backend::{KeyWrapPadding, RsaBackend};
pub use envelope::{
    EnvelopeSummary, Inspection, OpenOptions, Opened, ReplayCheck, SealOptions, inspect, open,
    open_to_file, seal,
};
pub use error::EnvelopeError;
pub use keys::{Fingerprint, MAX_RSA_BITS, MIN_RSA_BITS, PrivateKey, PublicKey};
pub use replay::{MAX_REPLAY_CACHE_BYTES, ReplayCache};

pub use dp_format::envelope::{ContentAlgorithm, EnvelopeHeader};
