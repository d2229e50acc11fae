//! The checks of the `envelope_open` fuzz target, shared with the test that replays its corpus
//! (crates/dp-envelope/tests/fuzz_corpus.rs), which includes this file with `#[path]`.
//!
//! An input is opened with bob's key (dp-envelope's known-answer test key) at the known-answer
//! envelopes' creation time, into a sink that records whether it was committed:
//!
//! ```text
//! open fails      -> the sink was never committed (no plaintext released)
//! open succeeds   -> committed, and the reported length is the plaintext's
//!                 -> opened again with a replay cache: the same plaintext, then Replayed
//! ```

use std::cell::Cell;
use std::io::{self, Write};
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};

use dp_envelope::{
    EnvelopeError, OpenOptions, PlaintextSink, PrivateKey, ReplayCache, ReplayCheck,
};

/// The known-answer envelopes' creation time (2027-01-15T08:00:00Z).
const NOW: i64 = 1_800_000_000;

/// Bob's RSA-2048 test key, a recipient of two of the known-answer envelopes.
///
/// # Panics
/// If the committed PEM does not parse.
pub(crate) fn bob() -> PrivateKey {
    PrivateKey::from_pem(include_str!(
        "../../crates/dp-envelope/tests/data/envelopes/bob.key.pem"
    ))
    .unwrap_or_else(|e| panic!("bob's test key: {e}"))
}

/// A sink that records whether it was committed.
struct WatchedSink {
    bytes: Vec<u8>,
    committed: Rc<Cell<bool>>,
}

impl Write for WatchedSink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl PlaintextSink for WatchedSink {
    type Output = Vec<u8>;

    fn commit(self) -> Result<Vec<u8>, EnvelopeError> {
        self.committed.set(true);
        Ok(self.bytes)
    }
}

fn open(data: &[u8], options: &OpenOptions<'_>) -> Result<Vec<u8>, EnvelopeError> {
    let committed = Rc::new(Cell::new(false));
    let sink = WatchedSink {
        bytes: Vec::new(),
        committed: Rc::clone(&committed),
    };
    match dp_envelope::open(data, sink, options) {
        Ok((opened, plaintext)) => {
            assert!(committed.get(), "plaintext returned without a commit");
            assert_eq!(
                Ok(opened.plaintext_len),
                u64::try_from(plaintext.len()),
                "plaintext length misreported"
            );
            Ok(plaintext)
        }
        Err(e) => {
            assert!(!committed.get(), "a failed open committed plaintext");
            Err(e)
        }
    }
}

/// Opens `data` with `bob`; panics only on a broken invariant. Returns the first open's result.
pub(crate) fn check(data: &[u8], bob: &PrivateKey) -> Result<Vec<u8>, EnvelopeError> {
    let plaintext = open(data, &OpenOptions::new(bob, NOW))?;
    // An envelope that opens once opens again with a replay cache, and only once: the crate's
    // own file cache, in a fresh scratch file (only inputs that open get this far, so it is rare).
    static OPENED: AtomicU64 = AtomicU64::new(0);
    let path = std::env::temp_dir().join(format!(
        "dp-fuzz-replay-{}-{}",
        std::process::id(),
        OPENED.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_file(&path);
    let cache = ReplayCache::new(&path);
    let mut options = OpenOptions::new(bob, NOW);
    options.replay = Some(ReplayCheck {
        cache: Some(&cache),
        max_age: i64::MAX,
        clock_skew: i64::MAX,
    });
    assert_eq!(
        open(data, &options).ok().as_deref(),
        Some(plaintext.as_slice()),
        "a second open gave other plaintext"
    );
    assert!(
        matches!(open(data, &options), Err(EnvelopeError::Replayed)),
        "a replay was not detected"
    );
    // The cache and the lock file beside it.
    let _ = std::fs::remove_file(&path);
    let _ = std::fs::remove_file(path.with_extension("lock"));
    Ok(plaintext)
}
