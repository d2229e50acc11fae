//! Heap allocations per cookie authentication, counted by a global allocator (dhat's, so no
//! unsafe code here). Run: `cargo bench -p dp-aspnet --bench allocations`.
//!
//! The key ring is read and the cookie's key derived once before counting: what is counted is the
//! steady state of a server, one `CookieAuthenticator::authenticate` per request.
#![allow(
    clippy::print_stdout,
    clippy::unwrap_used,
    missing_docs,
    reason = "a benchmark prints its figures; a panic is a failed run"
)]

mod common;

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

const ROUNDS: u64 = 200;

fn main() {
    let _profiler = dhat::Profiler::builder().testing().build();
    println!(
        "{:<40} {:>7} {:>11} {:>8} {:>7}",
        "cookie", "claims", "allocations", "bytes", "ticket"
    );
    for (name, scheme, header) in common::cookie_headers() {
        let cookies = common::authenticator(&scheme);
        // Warm-up: reads the ring and caches the key's derived state.
        let user = cookies.authenticate(&header).unwrap();
        let claims: usize = user.ticket.identities.iter().map(|i| i.claims.len()).sum();
        drop(user);
        let before = dhat::HeapStats::get();
        for _ in 0..ROUNDS {
            let user = cookies.authenticate(&header).unwrap();
            std::hint::black_box(&user);
        }
        let after = dhat::HeapStats::get();

        // The ticket alone: its strings and vectors, decoded from the plaintext.
        let value = dp_aspnet::cookie::RequestCookies::parse(&header)
            .unwrap()
            .get_chunked(cookies.cookie_name())
            .unwrap()
            .unwrap()
            .into_owned();
        let payload = dp_format::base64url::decode(&value).unwrap();
        let plaintext = cookies.format().protector().unprotect(&payload).unwrap();
        let ticket_before = dhat::HeapStats::get();
        for _ in 0..ROUNDS {
            std::hint::black_box(dp_aspnet::wire::ticket::decode(&plaintext).unwrap());
        }
        let ticket_after = dhat::HeapStats::get();
        println!(
            "{name:<40} {claims:>7} {:>11} {:>8} {:>7}",
            (after.total_blocks - before.total_blocks) / ROUNDS,
            (after.total_bytes - before.total_bytes) / ROUNDS,
            (ticket_after.total_blocks - ticket_before.total_blocks) / ROUNDS,
        );
    }
}
