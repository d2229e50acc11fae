#![doc = include_str!("../README.md")]
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
