//! The per-call parts of protect and unprotect above the encryptor: building the AAD, finding a
//! key in the ring, and the whole protector call on a 32-byte payload (where those parts weigh
//! most). `cargo xtask bench --criterion protector`.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "criterion's macros generate undocumented items; a failure here is a bug to surface"
)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use dp_keyring::{DataProtectionProvider, KeyId};

fn protector(c: &mut Criterion) {
    let provider = DataProtectionProvider::ephemeral();
    let protector = provider
        .create_protector("MyApp")
        .create_protector("MyPurpose");
    let payload = protector.protect(b"x").unwrap();
    let ring = provider.key_ring().unwrap();
    let id: KeyId = ring.default_key().unwrap().id();

    let mut group = c.benchmark_group("protector");
    group.bench_function("aad/build", |b| {
        let aad = dp_format::AadBuilder::new(["MyApp", "MyPurpose"]).unwrap();
        b.iter(|| black_box(aad.for_key(black_box(id))));
    });
    group.bench_function("ring/current_and_lookup", |b| {
        b.iter(|| {
            let ring = provider.key_ring().unwrap();
            black_box(ring.key(black_box(id)).is_some())
        });
    });
    let plaintext = [0x5a_u8; 32];
    group.bench_function("protect/32B", |b| {
        b.iter(|| protector.protect(black_box(&plaintext)).unwrap());
    });
    let payload32 = protector.protect(&plaintext).unwrap();
    group.bench_function("unprotect/32B", |b| {
        b.iter(|| protector.unprotect(black_box(&payload32)).unwrap());
    });
    black_box(payload);
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(1))
}

criterion_group! {
    name = benches;
    config = config();
    targets = protector
}
criterion_main!(benches);
