//! Envelope guarantees: confidentiality and integrity, multi-recipient key transport, sender
//! signatures, replay detection, streaming, and limits before work — for every RSA backend.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_possible_truncation,
    missing_docs,
    reason = "test code: a panic is a test failure, and test items need no docs"
)]

use std::io::{self, Read};
use std::sync::OnceLock;

use dp_envelope::{
    ContentAlgorithm, EnvelopeError, FileSink, MemorySink, OpenOptions, Opened, PlaintextSink,
    PrivateKey, PublicKey, ReplayCache, ReplayCheck, RsaBackend, SealOptions, SenderIdentity,
    inspect, open, seal,
};
use dp_format::envelope::{
    CHUNK_FRAME_HEADER_LEN, ChunkFrame, EnvelopeHeader, FIXED_HEADER_LEN, HEADER_MAC_LEN,
    HeaderLen, MIN_CHUNK_SIZE, RECIPIENT_ENTRY_LEN, header_len,
};

const NOW: i64 = 1_800_000_000;

struct Keys {
    alice: PrivateKey,
    bob: PrivateKey,
    carol: PrivateKey,
    mallory: PrivateKey,
}

fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let g = || PrivateKey::generate(2048, RsaBackend::default()).unwrap();
        Keys {
            alice: g(),
            bob: g(),
            carol: g(),
            mallory: g(),
        }
    })
}

fn seal_with(
    backend: RsaBackend,
    to: &[&PrivateKey],
    signer: Option<&PrivateKey>,
    chunk_size: u32,
    content: ContentAlgorithm,
    plaintext: &[u8],
) -> Vec<u8> {
    let recipients: Vec<PublicKey> = to.iter().map(|k| k.public_key().clone()).collect();
    let options = SealOptions {
        signer,
        chunk_size,
        content,
        backend,
        ..SealOptions::new(NOW)
    };
    let mut out = Vec::new();
    seal(&recipients, &options, plaintext, &mut out).unwrap();
    out
}

/// Opens into memory; the plaintext exists only if everything verified.
fn open_mem(
    envelope: &[u8],
    options: &OpenOptions<'_>,
) -> Result<(Opened, Vec<u8>), EnvelopeError> {
    open(envelope, MemorySink::new(), options).map(|(o, p)| (o, p.to_vec()))
}

fn open_with(
    backend: RsaBackend,
    key: &PrivateKey,
    from: Option<&PrivateKey>,
    envelope: &[u8],
) -> Result<Vec<u8>, EnvelopeError> {
    let options = OpenOptions {
        expected_sender: from.map(PrivateKey::public_key),
        backend,
        ..OpenOptions::new(key, NOW)
    };
    open_mem(envelope, &options).map(|(_, p)| p)
}

fn data(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 % 251) as u8).collect()
}

/// Offsets of every chunk frame (and the end of the last chunk), from the format.
fn chunk_offsets(envelope: &[u8]) -> (usize, Vec<usize>, usize) {
    let info = inspect(envelope).unwrap();
    let mut at = info.header_len;
    let mut offsets = Vec::new();
    loop {
        offsets.push(at);
        let len = u32::from_be_bytes(envelope[at + 1..at + 5].try_into().unwrap()) as usize;
        let last = envelope[at] == 1;
        at += CHUNK_FRAME_HEADER_LEN + len;
        if last {
            break;
        }
    }
    (info.header_len, offsets, at)
}

#[test]
fn round_trips_at_chunk_boundaries_for_every_backend() {
    let k = keys();
    let chunk = MIN_CHUNK_SIZE;
    for &backend in RsaBackend::ALL {
        for content in [
            ContentAlgorithm::Aes256Gcm,
            ContentAlgorithm::Aes256CbcHmacSha256,
        ] {
            for len in [
                0,
                1,
                chunk as usize - 1,
                chunk as usize,
                chunk as usize + 1,
                3 * chunk as usize,
            ] {
                let plaintext = data(len);
                let env = seal_with(
                    backend,
                    &[&k.bob],
                    Some(&k.alice),
                    chunk,
                    content,
                    &plaintext,
                );
                let expected_chunks =
                    (len / chunk as usize + usize::from(len % chunk as usize != 0)).max(1);
                assert_eq!(
                    inspect(&env[..]).unwrap().chunks as usize,
                    expected_chunks,
                    "{len}"
                );
                assert_eq!(
                    open_with(backend, &k.bob, Some(&k.alice), &env).unwrap(),
                    plaintext
                );
            }
        }
    }
}

#[test]
fn backends_interoperate() {
    let k = keys();
    for &a in RsaBackend::ALL {
        for &b in RsaBackend::ALL {
            let env = seal_with(
                a,
                &[&k.bob],
                Some(&k.alice),
                4096,
                ContentAlgorithm::Aes256Gcm,
                b"x",
            );
            assert_eq!(
                open_with(b, &k.bob, Some(&k.alice), &env).unwrap(),
                b"x",
                "{a:?} -> {b:?}"
            );
        }
    }
}

#[test]
fn every_recipient_opens_and_others_cannot() {
    let k = keys();
    let env = seal_with(
        RsaBackend::default(),
        &[&k.alice, &k.bob, &k.carol],
        None,
        4096,
        ContentAlgorithm::Aes256Gcm,
        b"team",
    );
    for key in [&k.alice, &k.bob, &k.carol] {
        assert_eq!(
            open_with(RsaBackend::default(), key, None, &env).unwrap(),
            b"team"
        );
    }
    assert!(matches!(
        open_with(RsaBackend::default(), &k.mallory, None, &env),
        Err(EnvelopeError::NotARecipient)
    ));
    // Duplicated recipients are written once.
    let twice = seal_with(
        RsaBackend::default(),
        &[&k.bob, &k.bob],
        None,
        4096,
        ContentAlgorithm::Aes256Gcm,
        b"",
    );
    assert_eq!(inspect(&twice[..]).unwrap().header.recipients.len(), 1);
}

/// The error `open` must return when `opener` opens `bad` — the signed envelope `env` with
/// byte `i` changed — without naming a sender and without replay checks: the stage at which
/// it fails.
fn expected_rejection(env: &[u8], bad: &[u8], i: usize, opener: &PrivateKey) -> EnvelopeError {
    let (header_end, offsets, end) = chunk_offsets(env);
    if i < header_end {
        // Header fields are validated as they are read, before any key is touched.
        let n = match header_len(bad) {
            Err(e) => return EnvelopeError::Format(e),
            Ok(HeaderLen::NeedAtLeast(_)) => return EnvelopeError::Truncated,
            Ok(HeaderLen::Complete(n)) if n > bad.len() => return EnvelopeError::Truncated,
            Ok(HeaderLen::Complete(n)) => n,
        };
        let parsed = match EnvelopeHeader::parse(&bad[..n]) {
            Err(e) => return EnvelopeError::Format(e),
            Ok(p) => p,
        };
        let original = EnvelopeHeader::parse(&env[..header_end]).unwrap();
        let own = opener.public_key().fingerprint().0;
        let entry = |h: &EnvelopeHeader| {
            h.recipients
                .iter()
                .find(|r| r.fingerprint == own)
                .map(|r| r.wrapped_key.clone())
        };
        let Some(wrapped) = entry(&parsed.header) else {
            return EnvelopeError::NotARecipient;
        };
        // The opener's wrapped key (its unwrap fails or yields another key), the authenticated
        // header and its MAC: the header MAC catches every change.
        if Some(wrapped) != entry(&original.header)
            || parsed.authenticated != original.authenticated
            || parsed.mac != original.mac
        {
            return EnvelopeError::HeaderAuthenticationFailed;
        }
        // Only another recipient's wrapped key changed: the signature covers it.
        return EnvelopeError::BadSignature;
    }
    if i >= end {
        return EnvelopeError::BadSignature;
    }
    let index = offsets.iter().rposition(|&o| o <= i).unwrap();
    let frame = offsets[index];
    if i < frame + CHUNK_FRAME_HEADER_LEN {
        let chunk_size = inspect(env).unwrap().header.chunk_size;
        match ChunkFrame::parse(
            bad[frame..frame + CHUNK_FRAME_HEADER_LEN]
                .try_into()
                .unwrap(),
            chunk_size,
        ) {
            Err(e) => return EnvelopeError::Format(e),
            Ok(f) if frame + CHUNK_FRAME_HEADER_LEN + f.body_len as usize > bad.len() => {
                return EnvelopeError::Truncated;
            }
            Ok(_) => {}
        }
    }
    EnvelopeError::ChunkAuthenticationFailed {
        index: index as u64,
    }
}

#[test]
fn any_flipped_byte_is_rejected_at_its_stage_and_nothing_is_released() {
    let k = keys();
    let dir = tempfile::tempdir().unwrap();
    let env = seal_with(
        RsaBackend::default(),
        &[&k.bob, &k.carol],
        Some(&k.alice),
        MIN_CHUNK_SIZE,
        ContentAlgorithm::Aes256Gcm,
        &data(2500),
    );
    let sender_key_len = k.alice.public_key().spki_der().len();
    assert_eq!(
        header_len(&env),
        Ok(HeaderLen::Complete(
            FIXED_HEADER_LEN + sender_key_len + 2 * RECIPIENT_ENTRY_LEN + HEADER_MAC_LEN + 2 * 256
        ))
    );
    let target = dir.path().join("out.bin");
    // No sender is named: the signature is verified all the same.
    let options = OpenOptions::new(&k.bob, NOW);
    for i in 0..env.len() {
        let mut bad = env.clone();
        bad[i] ^= 0x04;
        let sink = FileSink::create_new(&target).unwrap();
        let err = open(&bad[..], sink, &options).unwrap_err();
        let expected = expected_rejection(&env, &bad, i, &k.bob);
        assert_eq!(
            format!("{err:?}"),
            format!("{expected:?}"),
            "byte {i}: {err}"
        );
    }
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert!(
        left.is_empty(),
        "no output and no temporary file may remain"
    );
    // The unflipped envelope opens under the same options, for either recipient.
    for key in [&k.bob, &k.carol] {
        let (opened, plaintext) = open_mem(&env, &OpenOptions::new(key, NOW)).unwrap();
        assert_eq!(plaintext, data(2500));
        assert_eq!(
            opened.sender,
            Some(SenderIdentity::Verified(k.alice.public_key().fingerprint()))
        );
    }
}

/// A sink that tells what reached its destination: the destination receives bytes only on
/// commit.
struct Recording<'a> {
    pending: Vec<u8>,
    destination: &'a std::cell::RefCell<Option<Vec<u8>>>,
}

impl io::Write for Recording<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl PlaintextSink for Recording<'_> {
    type Output = ();
    fn commit(self) -> Result<(), EnvelopeError> {
        *self.destination.borrow_mut() = Some(self.pending);
        Ok(())
    }
}

#[test]
fn a_sink_releases_no_byte_when_the_signature_is_bad() {
    let k = keys();
    let env = seal_with(
        RsaBackend::default(),
        &[&k.bob],
        Some(&k.alice),
        MIN_CHUNK_SIZE,
        ContentAlgorithm::Aes256Gcm,
        &data(5000),
    );
    let mut bad = env.clone();
    let last = bad.len() - 1;
    bad[last] ^= 1;
    let destination = std::cell::RefCell::new(None);
    let sink = Recording {
        pending: Vec::new(),
        destination: &destination,
    };
    let err = open(&bad[..], sink, &OpenOptions::new(&k.bob, NOW)).unwrap_err();
    assert!(matches!(err, EnvelopeError::BadSignature), "{err}");
    assert_eq!(
        *destination.borrow(),
        None,
        "nothing reached the destination"
    );
    // The same envelope, intact, releases everything at once.
    let sink = Recording {
        pending: Vec::new(),
        destination: &destination,
    };
    open(&env[..], sink, &OpenOptions::new(&k.bob, NOW)).unwrap();
    assert_eq!(destination.borrow().as_deref(), Some(&data(5000)[..]));
    // A file sink leaves no file behind.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out");
    let err = open(
        &bad[..],
        FileSink::create_new(&path).unwrap(),
        &OpenOptions::new(&k.bob, NOW),
    )
    .unwrap_err();
    assert!(matches!(err, EnvelopeError::BadSignature));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn truncation_reordering_and_duplication_are_rejected() {
    let k = keys();
    let b = RsaBackend::default();
    let env = seal_with(
        b,
        &[&k.bob],
        Some(&k.alice),
        MIN_CHUNK_SIZE,
        ContentAlgorithm::Aes256Gcm,
        &data(3000),
    );
    let (header_len, offsets, end) = chunk_offsets(&env);
    assert_eq!(offsets.len(), 3);
    // Truncated at every byte (so at every chunk boundary too).
    for len in 0..env.len() {
        let err = open_with(b, &k.bob, Some(&k.alice), &env[..len]).unwrap_err();
        assert!(matches!(err, EnvelopeError::Truncated), "len {len}: {err}");
    }
    // Trailing data.
    let mut longer = env.clone();
    longer.push(0);
    assert!(matches!(
        open_with(b, &k.bob, Some(&k.alice), &longer),
        Err(EnvelopeError::TrailingData)
    ));

    let chunk = |i: usize| {
        let stop = if i + 1 < offsets.len() {
            offsets[i + 1]
        } else {
            end
        };
        env[offsets[i]..stop].to_vec()
    };
    let rebuild = |order: &[usize]| {
        let mut out = env[..header_len].to_vec();
        for &i in order {
            out.extend(chunk(i));
        }
        out.extend_from_slice(&env[end..]);
        out
    };
    // Each fails at the first chunk out of place.
    for (order, first_bad) in [
        ([1, 0, 2], 0),
        ([0, 0, 2], 1),
        ([0, 1, 1], 2),
        ([2, 1, 0], 0),
    ] {
        let err = open_with(b, &k.bob, None, &rebuild(&order)).unwrap_err();
        assert!(
            matches!(err, EnvelopeError::ChunkAuthenticationFailed { index } if index == first_bad),
            "{order:?}: {err}"
        );
    }
    // Dropping the last chunk and flipping the previous one's flag to "last" fails too.
    let mut cut = env[..offsets[2]].to_vec();
    cut[offsets[1]] = 1;
    cut.extend_from_slice(&env[end..]);
    assert!(matches!(
        open_with(b, &k.bob, None, &cut),
        Err(EnvelopeError::ChunkAuthenticationFailed { index: 1 })
    ));
    // Chunks of another envelope (same recipient) do not fit this header.
    let other = seal_with(
        b,
        &[&k.bob],
        Some(&k.alice),
        MIN_CHUNK_SIZE,
        ContentAlgorithm::Aes256Gcm,
        &data(3000),
    );
    let (h2, _, _) = chunk_offsets(&other);
    let mut spliced = env[..header_len].to_vec();
    spliced.extend_from_slice(&other[h2..]);
    assert!(matches!(
        open_with(b, &k.bob, None, &spliced),
        Err(EnvelopeError::ChunkAuthenticationFailed { index: 0 })
    ));
}

#[test]
fn signatures_authenticate_the_sender() {
    let k = keys();
    let b = RsaBackend::default();
    let signed = seal_with(
        b,
        &[&k.bob],
        Some(&k.alice),
        4096,
        ContentAlgorithm::Aes256Gcm,
        b"from alice",
    );
    assert_eq!(
        open_with(b, &k.bob, Some(&k.alice), &signed).unwrap(),
        b"from alice"
    );
    assert!(matches!(
        open_with(b, &k.bob, Some(&k.carol), &signed),
        Err(EnvelopeError::WrongSender)
    ));
    let unsigned = seal_with(
        b,
        &[&k.bob],
        None,
        4096,
        ContentAlgorithm::Aes256Gcm,
        b"anon",
    );
    assert!(matches!(
        open_with(b, &k.bob, Some(&k.alice), &unsigned),
        Err(EnvelopeError::Unsigned)
    ));
    // Stripped signature.
    let stripped = &signed[..signed.len() - 256];
    assert!(matches!(
        open_with(b, &k.bob, Some(&k.alice), stripped),
        Err(EnvelopeError::Truncated)
    ));
    // Alice's signature from another envelope, moved onto this one.
    let other = seal_with(
        b,
        &[&k.bob],
        Some(&k.alice),
        4096,
        ContentAlgorithm::Aes256Gcm,
        b"from alice",
    );
    let mut moved = signed[..signed.len() - 256].to_vec();
    moved.extend_from_slice(&other[other.len() - 256..]);
    assert!(matches!(
        open_with(b, &k.bob, Some(&k.alice), &moved),
        Err(EnvelopeError::BadSignature)
    ));
    // Without an expected sender, a signed envelope's signature is verified all the same…
    let options = OpenOptions::new(&k.bob, NOW);
    let (opened, _) = open_mem(&signed, &options).unwrap();
    assert_eq!(
        opened.sender,
        Some(SenderIdentity::Verified(k.alice.public_key().fingerprint()))
    );
    assert!(matches!(
        open_mem(&moved, &options),
        Err(EnvelopeError::BadSignature)
    ));
    // …and an unsigned one has no sender; inspect only claims one.
    let (opened, _) = open_mem(&unsigned, &options).unwrap();
    assert_eq!(opened.sender, None);
    assert_eq!(
        inspect(&signed[..]).unwrap().sender,
        Some(SenderIdentity::Claimed(k.alice.public_key().fingerprint()))
    );
}

#[test]
fn replays_and_stale_envelopes_are_rejected() {
    let k = keys();
    let dir = tempfile::tempdir().unwrap();
    let cache = ReplayCache::new(dir.path().join("replay"));
    let check = ReplayCheck {
        cache: Some(&cache),
        max_age: 3600,
        clock_skew: 300,
    };
    let env = seal_with(
        RsaBackend::default(),
        &[&k.bob],
        Some(&k.alice),
        4096,
        ContentAlgorithm::Aes256Gcm,
        b"once",
    );
    let at = |now: i64| OpenOptions {
        replay: Some(check),
        expected_sender: Some(k.alice.public_key()),
        ..OpenOptions::new(&k.bob, now)
    };
    assert_eq!(open_mem(&env, &at(NOW)).unwrap().0.plaintext_len, 4);
    assert!(matches!(
        open_mem(&env, &at(NOW)),
        Err(EnvelopeError::Replayed)
    ));
    // Too old, and dated too far in the future.
    assert!(matches!(
        open_mem(&env, &at(NOW + 3600 + 301)),
        Err(EnvelopeError::TooOld { .. })
    ));
    assert!(matches!(
        open_mem(&env, &at(NOW - 301)),
        Err(EnvelopeError::FromTheFuture { .. })
    ));
    // The same message id from another sender is a different message.
    assert_eq!(cache.len().unwrap(), 1);

    // The cache does not outgrow the window: entries older than max-age go on the next write.
    for i in 0..5 {
        let options = SealOptions {
            signer: Some(&k.alice),
            ..SealOptions::new(NOW + i * 4000)
        };
        let mut e = Vec::new();
        seal(&[k.bob.public_key().clone()], &options, &b"x"[..], &mut e).unwrap();
        open_mem(&e, &at(NOW + i * 4000)).unwrap_or_else(|e| panic!("{i}: {e}"));
        assert!(
            cache.len().unwrap() <= 2,
            "cache holds only the last window"
        );
    }
}

#[test]
fn concurrent_openers_let_exactly_one_through() {
    let k = keys();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("replay");
    let env = seal_with(
        RsaBackend::default(),
        &[&k.bob],
        None,
        4096,
        ContentAlgorithm::Aes256Gcm,
        b"race",
    );
    let results: Vec<bool> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..6)
            .map(|_| {
                let env = &env;
                let path = &path;
                s.spawn(move || {
                    let cache = ReplayCache::new(path);
                    let options = OpenOptions {
                        replay: Some(ReplayCheck {
                            cache: Some(&cache),
                            max_age: 3600,
                            clock_skew: 300,
                        }),
                        ..OpenOptions::new(&keys().bob, NOW)
                    };
                    match open_mem(env, &options) {
                        Ok(_) => true,
                        Err(EnvelopeError::Replayed) => false,
                        Err(e) => panic!("{e}"),
                    }
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(results.iter().filter(|ok| **ok).count(), 1);
}

/// A reader that counts how much was read from it.
struct Counting<R> {
    inner: R,
    read: usize,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n;
        Ok(n)
    }
}

#[test]
fn hostile_headers_cost_nothing() {
    let k = keys();
    let good = seal_with(
        RsaBackend::default(),
        &[&k.bob],
        None,
        4096,
        ContentAlgorithm::Aes256Gcm,
        b"x",
    );
    let patch = |at: usize, bytes: &[u8]| {
        let mut h = good[..FIXED_HEADER_LEN].to_vec();
        h[at..at + bytes.len()].copy_from_slice(bytes);
        h
    };
    let cases = [
        patch(38, &[0xFF, 0xFF]),             // 65535 recipients
        patch(5, &[9]),                       // unknown version
        patch(6, &[77]),                      // unknown content algorithm
        patch(7, &[0]),                       // unknown key transport
        patch(34, &[0xFF, 0xFF, 0xFF, 0xFF]), // 4 GiB chunks
    ];
    for header in cases {
        // Followed by an endless stream: the parser must stop at the fixed header.
        let mut input = Counting {
            inner: Read::chain(&header[..], io::repeat(0xAB)),
            read: 0,
        };
        let options = OpenOptions::new(&k.bob, NOW);
        let err = open(&mut input, MemorySink::new(), &options).unwrap_err();
        assert!(matches!(err, EnvelopeError::Format(_)), "{err}");
        assert!(input.read <= FIXED_HEADER_LEN, "read {} bytes", input.read);
    }
    // A huge wrapped-key length is refused once the recipient table is read.
    let mut huge = good.clone();
    huge[FIXED_HEADER_LEN + 32..FIXED_HEADER_LEN + 34].copy_from_slice(&[0xFF, 0xFF]);
    let mut input = Counting {
        inner: Read::chain(
            &huge[..FIXED_HEADER_LEN + RECIPIENT_ENTRY_LEN],
            io::repeat(0),
        ),
        read: 0,
    };
    let err = open(
        &mut input,
        MemorySink::new(),
        &OpenOptions::new(&k.bob, NOW),
    )
    .unwrap_err();
    assert!(matches!(err, EnvelopeError::Format(_)));
    assert!(input.read <= FIXED_HEADER_LEN + RECIPIENT_ENTRY_LEN);
    // A huge chunk length is refused before it is read.
    let (_, offsets, _) = chunk_offsets(&good);
    let mut big_chunk = good[..offsets[0]].to_vec();
    big_chunk.extend_from_slice(&[1, 0x7F, 0xFF, 0xFF, 0xFF]);
    let mut input = Counting {
        inner: Read::chain(&big_chunk[..], io::repeat(0)),
        read: 0,
    };
    let err = open(
        &mut input,
        MemorySink::new(),
        &OpenOptions::new(&k.bob, NOW),
    )
    .unwrap_err();
    assert!(matches!(err, EnvelopeError::Format(_)), "{err}");
    assert_eq!(input.read, big_chunk.len());
}

#[test]
fn weak_or_foreign_keys_are_refused() {
    // A 1024-bit modulus and a public exponent of 3, as SubjectPublicKeyInfo.
    let spki = |modulus_len: usize, exponent: &[u8]| {
        use der::Encode;
        let mut n = vec![0xC5u8; modulus_len];
        n[modulus_len - 1] |= 1;
        let key = pkcs1::RsaPublicKey {
            modulus: der::asn1::UintRef::new(&n).unwrap(),
            public_exponent: der::asn1::UintRef::new(exponent).unwrap(),
        };
        let pk = key.to_der().unwrap();
        spki::SubjectPublicKeyInfo {
            algorithm: pkcs1::ALGORITHM_ID,
            subject_public_key: der::asn1::BitStringRef::from_bytes(&pk).unwrap(),
        }
        .to_der()
        .unwrap()
    };
    assert!(matches!(
        PublicKey::from_spki_der(&spki(128, &[1, 0, 1])),
        Err(EnvelopeError::InvalidKey(_))
    ));
    assert!(matches!(
        PublicKey::from_spki_der(&spki(256, &[3])),
        Err(EnvelopeError::InvalidKey(_))
    ));
    assert_eq!(
        PublicKey::from_spki_der(&spki(256, &[1, 0, 1]))
            .unwrap()
            .modulus_len(),
        256
    );
    assert!(matches!(
        PublicKey::from_pem("garbage"),
        Err(EnvelopeError::InvalidKey(_))
    ));
    let k = keys();
    assert!(matches!(
        PublicKey::from_pem(&k.alice.to_pem()),
        Err(EnvelopeError::InvalidKey(_))
    ));
    let again = PrivateKey::from_pem(&k.alice.to_pem()).unwrap();
    assert_eq!(again.public_key(), k.alice.public_key());
    assert_eq!(
        PublicKey::from_pem(&k.alice.public_key().to_pem()).unwrap(),
        *k.alice.public_key()
    );
    let debug = format!("{:?}", k.alice);
    assert!(
        debug.starts_with("PrivateKey { public: PublicKey"),
        "{debug}"
    );
    assert!(!debug.contains("MII"), "no key material in Debug output");
}

#[test]
fn inspection_reports_the_gcm_plaintext_length() {
    let k = keys();
    let gcm = seal_with(
        RsaBackend::default(),
        &[&k.bob],
        None,
        MIN_CHUNK_SIZE,
        ContentAlgorithm::Aes256Gcm,
        &data(2500),
    );
    assert_eq!(inspect(&gcm[..]).unwrap().plaintext_len(), Some(2500));
    let cbc = seal_with(
        RsaBackend::default(),
        &[&k.bob],
        None,
        MIN_CHUNK_SIZE,
        ContentAlgorithm::Aes256CbcHmacSha256,
        &data(10),
    );
    assert_eq!(inspect(&cbc[..]).unwrap().plaintext_len(), None);
}
