//! Seal and open of one large envelope in a loop, for profiling (`perf record -g`) and a quick
//! throughput figure without the rest of `dp bench`.
//!
//! ```text
//! cargo run --release -p dp-envelope --example envelope_throughput -- \
//!     [seal|open|open-reusing|both] [MiB] [seconds]
//! ```
#![allow(
    clippy::print_stdout,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a measuring tool: it prints its figures, and a failure is a bug to surface"
)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use dp_envelope::{MemorySink, OpenOptions, PrivateKey, RsaBackend, SealOptions, open, seal};

const NOW: i64 = 1_800_000_000;

fn main() {
    let mut args = std::env::args().skip(1);
    let what = args.next().unwrap_or_else(|| "both".into());
    let mib: usize = args.next().map_or(64, |s| s.parse().expect("MiB"));
    let seconds: f64 = args.next().map_or(3.0, |s| s.parse().expect("seconds"));
    let size = mib << 20;
    let key = PrivateKey::generate(2048, RsaBackend::default()).unwrap();
    let recipients = [key.public_key().clone()];
    let plaintext = vec![0x5a_u8; size];
    let mut envelope = Vec::with_capacity(size + size / 8 + 4096);
    seal(
        &recipients,
        &SealOptions::new(NOW),
        &plaintext[..],
        &mut envelope,
    )
    .unwrap();
    let budget = Duration::from_secs_f64(seconds);
    if what == "seal" || what == "both" {
        let mut out = Vec::with_capacity(envelope.capacity());
        report("seal", size, budget, || {
            out.clear();
            seal(
                &recipients,
                &SealOptions::new(NOW),
                black_box(&plaintext[..]),
                &mut out,
            )
            .unwrap();
        });
    }
    if what == "open-reusing" || what == "both" {
        // The sink's memory is the previous plaintext's: no fresh pages to fault in.
        let options = OpenOptions::new(&key, NOW);
        let mut previous = Some(MemorySink::with_capacity(size));
        report("open (reusing the sink's memory)", size, budget, || {
            let sink = previous.take().unwrap();
            let (_, plain) = open(black_box(&envelope[..]), sink, &options).unwrap();
            previous = Some(MemorySink::reusing(plain));
        });
    }
    if what == "open" || what == "both" {
        let options = OpenOptions::new(&key, NOW);
        report("open", size, budget, || {
            let (_, plain) = open(
                black_box(&envelope[..]),
                MemorySink::with_capacity(size),
                &options,
            )
            .unwrap();
            black_box(plain);
        });
    }
}

fn report(op: &str, size: usize, budget: Duration, mut f: impl FnMut()) {
    let mut times = Vec::new();
    let start = Instant::now();
    while start.elapsed() < budget || times.len() < 3 {
        let t = Instant::now();
        f();
        times.push(t.elapsed());
    }
    times.sort();
    let median = times[times.len() / 2];
    println!(
        "{op} {} MiB: median {:.2} ms, {:.0} MB/s ({} runs)",
        size >> 20,
        median.as_secs_f64() * 1e3,
        size as f64 / median.as_secs_f64() / 1e6,
        times.len()
    );
}
