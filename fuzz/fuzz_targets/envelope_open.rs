//! Envelope opening: arbitrary bytes opened with a fixed recipient key (bob, from dp-envelope's
//! known-answer test data) never panic, and a failed open never commits plaintext. The seed
//! corpus holds the known-answer envelopes addressed to bob, so mutations get past the recipient
//! lookup to the RSA unwrap, the header MAC, the chunks and the signature. The checks are in
//! `support/envelope_open.rs`, shared with the test that replays the seed corpus.
#![no_main]

#[path = "../support/envelope_open.rs"]
mod envelope_open;

use std::sync::OnceLock;

use dp_envelope::PrivateKey;
use libfuzzer_sys::fuzz_target;

/// Parsed once per process: key parsing is not what this target exercises.
static BOB: OnceLock<PrivateKey> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let _ = envelope_open::check(data, BOB.get_or_init(envelope_open::bob));
});
