//! Throughput of the authenticated encryptors and of the SP800-108 KDF alone.
//!
//! `cargo bench -p dp-crypto` (or `cargo xtask bench`). Sample sizes are small so the whole
//! suite finishes in about two minutes on two cores; pass `--measurement-time` for steadier
//! figures.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "criterion's macros generate undocumented items; a failure here is a bug to surface"
)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use dp_crypto::{Algorithm, AuthenticatedEncryptor, MasterKey, OsRandom, Sp800108Kdf};
use dp_format::{AadBuilder, KeyId};

/// 16 B (a session id), 1 KiB (a cookie), 64 KiB (a document).
const SIZES: [usize; 3] = [16, 1024, 64 * 1024];

fn aad() -> Vec<u8> {
    let key_id: KeyId = "3d6d01fd-c0e7-44ae-82dd-013b996b4093".parse().unwrap();
    AadBuilder::new(["MyApp", "MyPurpose"])
        .unwrap()
        .for_key(key_id)
}

fn encrypt_decrypt(c: &mut Criterion) {
    let aad = aad();
    let master_key = MasterKey::generate(&OsRandom).unwrap();
    for algorithm in Algorithm::ALL.into_iter().filter(|a| a.is_standard()) {
        let encryptor = AuthenticatedEncryptor::new(algorithm, &master_key);
        let mut group = c.benchmark_group(format!("encryptor/{algorithm}"));
        for size in SIZES {
            let plaintext = vec![0x5a_u8; size];
            let body = encryptor.encrypt(&plaintext, &aad, &OsRandom).unwrap();
            group.throughput(Throughput::Bytes(size as u64));
            group.bench_with_input(BenchmarkId::new("encrypt", size), &plaintext, |b, p| {
                b.iter(|| encryptor.encrypt(black_box(p), &aad, &OsRandom).unwrap());
            });
            group.bench_with_input(BenchmarkId::new("decrypt", size), &body, |b, body| {
                b.iter(|| encryptor.decrypt(black_box(body), &aad).unwrap());
            });
        }
        group.finish();
    }
}

fn kdf(c: &mut Criterion) {
    let aad = aad();
    let master_key = MasterKey::generate(&OsRandom).unwrap();
    let kdf = Sp800108Kdf::new(master_key.expose_secret());
    let header = dp_crypto::context_header::context_header(Algorithm::default());
    let key_modifier = [0x11_u8; 16];
    let mut out = [0u8; 64];
    let mut group = c.benchmark_group("kdf");
    group.throughput(Throughput::Elements(1));
    group.bench_function("sp800108_hmacsha512/64B", |b| {
        b.iter(|| {
            kdf.derive(black_box(&aad), header, &key_modifier, &mut out)
                .unwrap();
            black_box(&out);
        });
    });
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
    targets = encrypt_decrypt, kdf
}
criterion_main!(benches);
