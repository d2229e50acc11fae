//! Envelope throughput (seal and open of 1 MiB in memory) and the cost of the RSA-OAEP unwrap
//! (open of a tiny envelope), for every RSA backend compiled in.
//!
//! `cargo bench -p dp-envelope`; add `--features rust-rsa` to include the pure-Rust backend
//! (`cargo xtask bench` does).
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "criterion's macros generate undocumented items; a failure here is a bug to surface"
)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use dp_envelope::{
    MemorySink, OpenOptions, PrivateKey, PublicKey, RsaBackend, SealOptions, open, seal,
};

const MIB: usize = 1024 * 1024;
/// Any fixed instant: no replay check is made, so the clock does not matter.
const NOW: i64 = 1_800_000_000;

fn sealed(recipient: &PublicKey, plaintext: &[u8]) -> Vec<u8> {
    let mut envelope = Vec::with_capacity(plaintext.len() + 4096);
    seal(
        std::slice::from_ref(recipient),
        &SealOptions::new(NOW),
        plaintext,
        &mut envelope,
    )
    .unwrap();
    envelope
}

fn envelope(c: &mut Criterion) {
    // Key generation takes longer than everything measured here: once, outside the timed loops.
    let key = PrivateKey::generate(2048, RsaBackend::default()).unwrap();
    let recipients = [key.public_key().clone()];
    let plaintext = vec![0x5a_u8; MIB];
    let envelope = sealed(key.public_key(), &plaintext);

    let mut group = c.benchmark_group("envelope");
    group.throughput(Throughput::Bytes(MIB as u64));
    group.bench_function("seal/1MiB", |b| {
        let mut out = Vec::with_capacity(envelope.len());
        b.iter(|| {
            out.clear();
            seal(
                &recipients,
                &SealOptions::new(NOW),
                black_box(&plaintext[..]),
                &mut out,
            )
            .unwrap();
        });
    });
    group.bench_function("open/1MiB", |b| {
        b.iter(|| {
            open(
                black_box(&envelope[..]),
                MemorySink::with_capacity(MIB),
                &OpenOptions::new(&key, NOW),
            )
            .unwrap()
        });
    });
    group.finish();

    // One 16-byte chunk: the RSA-OAEP decryption of the session key dominates.
    let tiny = sealed(key.public_key(), b"sixteen bytes!!!");
    let mut group = c.benchmark_group("rsa_oaep_unwrap");
    group.throughput(Throughput::Elements(1));
    for &backend in RsaBackend::ALL {
        let options = OpenOptions {
            backend,
            ..OpenOptions::new(&key, NOW)
        };
        group.bench_with_input(
            BenchmarkId::new("open_tiny_2048", format!("{backend:?}")),
            &tiny,
            |b, tiny| {
                b.iter(|| open(black_box(&tiny[..]), MemorySink::new(), &options).unwrap());
            },
        );
    }
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
}

criterion_group! {
    name = benches;
    config = config();
    targets = envelope
}
criterion_main!(benches);
