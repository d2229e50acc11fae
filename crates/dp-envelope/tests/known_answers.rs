//! The frozen envelope format: known-answer envelopes under `tests/data/envelopes/`, made by
//! this test with the pure-Rust RSA backend and a seeded random source (see the README there).
//!
//! * With the pure-Rust backend every byte is re-created (its OAEP and PSS draw from the
//!   seeded source).
//! * With AWS-LC, whose OAEP and PSS take no random source, every byte but the wrapped keys
//!   and the signature is re-created: the chunks' randomness comes from the session key, and
//!   the wrapped keys are outside the header MAC.
//! * Every committed envelope opens, with each backend, for each of its recipients.
//!
//! `DP_REGENERATE_ENVELOPE_VECTORS=1 cargo test -p dp-envelope --features rust-rsa --test
//! known_answers` rewrites the files: only when the format changes on purpose.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs,
    reason = "test code: a panic is a test failure, and test items need no docs"
)]

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use dp_crypto::{CryptoError, SecureRandom};
use dp_envelope::{
    ContentAlgorithm, MemorySink, OpenOptions, PrivateKey, PublicKey, RsaBackend, SealOptions,
    SenderIdentity, open, seal,
};
#[cfg(feature = "aws-lc")]
use dp_format::envelope::{EnvelopeHeader, HeaderLen, header_len};
use sha2::{Digest, Sha256};

const CREATED: i64 = 1_800_000_000;

/// A deterministic byte stream for the vectors: SHA-256("dp-envelope vectors" ‖ seed ‖ BE64
/// block counter), block after block. Test-only: never a source of real keys.
struct SeededRandom {
    seed: u8,
    state: Mutex<(u64, Vec<u8>)>,
}

impl SeededRandom {
    fn new(seed: u8) -> Self {
        Self {
            seed,
            state: Mutex::new((0, Vec::new())),
        }
    }
}

impl SecureRandom for SeededRandom {
    fn fill(&self, dest: &mut [u8]) -> Result<(), CryptoError> {
        let mut state = self.state.lock().unwrap();
        while state.1.len() < dest.len() {
            let mut h = Sha256::new();
            h.update(b"dp-envelope vectors");
            h.update([self.seed]);
            h.update(state.0.to_be_bytes());
            state.0 += 1;
            let block = h.finalize();
            state.1.extend_from_slice(&block);
        }
        let rest = state.1.split_off(dest.len());
        dest.copy_from_slice(&state.1);
        state.1 = rest;
        Ok(())
    }
}

struct Case {
    name: &'static str,
    signer: Option<&'static str>,
    recipients: &'static [&'static str],
    content: ContentAlgorithm,
    chunk_size: u32,
    len: usize,
}

const CASES: &[Case] = &[
    Case {
        name: "unsigned-gcm-one-recipient",
        signer: None,
        recipients: &["bob"],
        content: ContentAlgorithm::Aes256Gcm,
        chunk_size: 1024,
        len: 100,
    },
    Case {
        name: "signed-gcm-two-recipients-three-chunks",
        signer: Some("alice"),
        recipients: &["bob", "carol"],
        content: ContentAlgorithm::Aes256Gcm,
        chunk_size: 1024,
        len: 2500,
    },
    Case {
        name: "signed-cbc-empty",
        signer: Some("alice"),
        recipients: &["carol"],
        content: ContentAlgorithm::Aes256CbcHmacSha256,
        chunk_size: 1024,
        len: 0,
    },
];

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/envelopes")
}

fn key(name: &str) -> PrivateKey {
    let path = dir().join(format!("{name}.key.pem"));
    PrivateKey::from_pem(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn plaintext(len: usize) -> Vec<u8> {
    (0..len).map(|i| u8::try_from(i % 251).unwrap()).collect()
}

fn make(case: &Case, seed: u8, backend: RsaBackend) -> Vec<u8> {
    let signer = case.signer.map(key);
    let recipients: Vec<PublicKey> = case
        .recipients
        .iter()
        .map(|n| key(n).public_key().clone())
        .collect();
    let rng = SeededRandom::new(seed);
    let options = SealOptions {
        content: case.content,
        chunk_size: case.chunk_size,
        signer: signer.as_ref(),
        backend,
        rng: &rng,
        ..SealOptions::new(CREATED)
    };
    let mut out = Vec::new();
    seal(&recipients, &options, &plaintext(case.len)[..], &mut out).unwrap();
    out
}

fn committed(case: &Case) -> Vec<u8> {
    std::fs::read(dir().join(format!("{}.dpenv", case.name))).unwrap()
}

fn seeds() -> impl Iterator<Item = (u8, &'static Case)> {
    (1u8..).zip(CASES)
}

#[cfg(feature = "rust-rsa")]
#[test]
fn the_pure_rust_backend_recreates_every_byte() {
    let regenerate = std::env::var_os("DP_REGENERATE_ENVELOPE_VECTORS").is_some();
    for (seed, case) in seeds() {
        let made = make(case, seed, RsaBackend::RustCrypto);
        if regenerate {
            std::fs::write(dir().join(format!("{}.dpenv", case.name)), &made).unwrap();
        }
        assert!(made == committed(case), "{} differs", case.name);
    }
}

/// Where the wrapped keys and the signature lie.
#[cfg(feature = "aws-lc")]
struct Layout {
    mac_end: usize,
    header_end: usize,
    signature_len: usize,
}

#[cfg(feature = "aws-lc")]
fn layout(envelope: &[u8]) -> Layout {
    let Ok(HeaderLen::Complete(header_end)) = header_len(envelope) else {
        panic!("no header")
    };
    let parsed = EnvelopeHeader::parse(&envelope[..header_end]).unwrap();
    Layout {
        mac_end: parsed.authenticated.len() + parsed.mac.len(),
        header_end,
        signature_len: parsed
            .header
            .sender
            .as_ref()
            .map_or(0, |s| usize::from(s.signature_len)),
    }
}

#[cfg(feature = "aws-lc")]
#[test]
fn aws_lc_recreates_every_byte_but_the_wrapped_keys_and_the_signature() {
    for (seed, case) in seeds() {
        let made = make(case, seed, RsaBackend::AwsLc);
        let want = committed(case);
        assert_eq!(made.len(), want.len(), "{}", case.name);
        let l = layout(&want);
        let body_end = want.len() - l.signature_len;
        assert!(
            made[..l.mac_end] == want[..l.mac_end],
            "{}: header",
            case.name
        );
        assert!(
            made[l.mac_end..l.header_end] != want[l.mac_end..l.header_end],
            "{}: OAEP is randomized",
            case.name
        );
        assert!(
            made[l.header_end..body_end] == want[l.header_end..body_end],
            "{}: chunks",
            case.name
        );
    }
}

#[test]
fn every_committed_envelope_opens_for_each_recipient_with_each_backend() {
    for case in CASES {
        let envelope = committed(case);
        for &backend in RsaBackend::ALL {
            for name in case.recipients {
                let k = key(name);
                let options = OpenOptions {
                    backend,
                    ..OpenOptions::new(&k, CREATED)
                };
                let (opened, plain) = open(&envelope[..], MemorySink::new(), &options).unwrap();
                assert_eq!(plain.as_slice(), &plaintext(case.len)[..], "{}", case.name);
                assert_eq!(
                    opened.sender,
                    case.signer
                        .map(|s| SenderIdentity::Verified(key(s).public_key().fingerprint())),
                    "{}",
                    case.name
                );
            }
        }
    }
}
