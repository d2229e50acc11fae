//! Time per cookie authentication (header parse, unprotect, ticket decode, expiry check) for each
//! .NET vector cookie. Run: `cargo bench -p dp-aspnet --bench cookie_decode`.
#![allow(missing_docs, reason = "benchmark harness")]

mod common;

use criterion::{Criterion, criterion_group, criterion_main};

fn authenticate(c: &mut Criterion) {
    let mut group = c.benchmark_group("authenticate");
    for (name, scheme, header) in common::cookie_headers() {
        let cookies = common::authenticator(&scheme);
        group.bench_function(name, |b| {
            b.iter(|| cookies.authenticate(std::hint::black_box(&header)).is_ok());
        });
    }
    group.finish();
}

criterion_group!(benches, authenticate);
criterion_main!(benches);
