//! `dp bench`: the speed of this build on this machine, made with the library code `dp` runs,
//! like `openssl speed`.
//!
//! Protect and unprotect go through the public protector API with a real in-memory key ring;
//! the cookie is decoded by the per-request authenticator; envelopes are sealed to and opened
//! with freshly generated RSA keys; the key ring is loaded from a directory of 1,000 key files
//! written to a temporary directory (and removed). Each figure comes from [`measure()`]: many
//! short batches after a warm-up. `cargo xtask bench` sets these figures beside OpenSSL's and
//! ASP.NET Core's.

mod host;
mod measure;

use std::time::Duration;

use dp_aspnet::{ClaimsIdentity, CookieAuthenticator};
use dp_crypto::Algorithm;
use dp_envelope::{MemorySink, OpenOptions, PrivateKey, PublicKey, RsaBackend, SealOptions};
use dp_keyring::{
    DataProtectionProvider, DataProtector, FileSystemRepository, KeyringError, MemoryRepository,
    XmlRepository,
};
use serde_json::json;

use self::measure::{Figure, measure};
use crate::cli::BenchArgs;
use crate::error::CliError;

/// Plaintext sizes of protect and unprotect: a token, a typical cookie, a large and a huge
/// payload.
const PROTECT_SIZES: [usize; 4] = [32, 1024, 64 * 1024, 1024 * 1024];
/// Plaintext sizes of envelope seal and open: RSA-bound, and throughput-bound.
const ENVELOPE_SIZES: [usize; 2] = [1024, 64 * 1024 * 1024];
/// Moduli of the envelope keys.
const RSA_BITS: [usize; 2] = [2048, 3072];
/// Keys in the ring of the `keyring_load` measurement.
const RING_KEYS: usize = 1000;
/// A fixed creation time for sealed envelopes: nothing checks it, as opens skip the replay check.
const SEALED_AT: i64 = 1_800_000_000;

/// One result.
struct Row {
    op: &'static str,
    algorithm: String,
    /// Plaintext bytes per operation (keys, for `keyring_load`).
    size: usize,
    threads: usize,
    /// For RSA rows: the backend's name.
    backend: Option<&'static str>,
    figure: Figure,
}

impl Row {
    /// Plaintext bytes per second; none for `keyring_load`, whose size counts keys.
    fn bytes_per_sec(&self) -> Option<f64> {
        (self.op != "keyring_load").then_some(self.figure.ops_per_sec * self.size as f64)
    }
}

/// What to run: the filter, the budget, the threads.
struct Plan<'a> {
    filter: Option<&'a str>,
    budget: Duration,
    threads: usize,
}

impl Plan<'_> {
    /// Whether a result of `op` and `algorithm` is wanted (FILTER: a substring of either).
    fn wants(&self, op: &str, algorithm: &str) -> bool {
        self.filter
            .is_none_or(|f| op.contains(f) || algorithm.contains(f))
    }
}

pub(crate) fn run(args: &BenchArgs) -> Result<(), CliError> {
    if cfg!(debug_assertions) {
        eprintln!("note: this is a debug build; build with --release for meaningful figures");
    }
    let plan = Plan {
        filter: args.filter.as_deref(),
        budget: Duration::from_secs_f64(args.seconds),
        threads: usize::from(args.threads),
    };
    let mut rows = Vec::new();
    protect_rows(&plan, 1, &mut rows)?;
    cookie_rows(&plan, &mut rows)?;
    envelope_rows(&plan, &mut rows)?;
    keyring_rows(&plan, &mut rows)?;
    if plan.threads > 1 {
        protect_rows(&plan, plan.threads, &mut rows)?;
    }
    if rows.is_empty() {
        return Err(CliError::usage(format!(
            "no benchmark matches `{}`",
            plan.filter.unwrap_or_default()
        ))
        .with_hint("FILTER is part of an op (protect, unprotect, cookie_decode, seal, open, keyring_load) or an algorithm (AES_256_GCM, RSA-3072)"));
    }
    if args.json {
        print_json(&rows)
    } else {
        print_table(&rows);
        Ok(())
    }
}

fn keyring_failed(e: &KeyringError) -> CliError {
    CliError::runtime(format!("benchmark failed: {e}"))
}

fn envelope_failed(e: &dp_envelope::EnvelopeError) -> CliError {
    CliError::runtime(format!("benchmark failed: {e}"))
}

/// A note on stderr before a measurement, so a long run shows where it is.
fn progress(op: &str, algorithm: &str, size: usize, threads: usize) {
    eprintln!("measuring {op} {algorithm} {size} B on {threads} thread(s)...");
}

/// A protector of a real provider whose in-memory ring holds one key of `algorithm`.
fn protector_for(
    algorithm: Algorithm,
) -> Result<(DataProtectionProvider, DataProtector), CliError> {
    let provider = DataProtectionProvider::ephemeral();
    let manager = provider.key_manager();
    let now = manager.clock().now();
    let id = manager
        .create_key(now, now + time::Duration::days(90), algorithm)
        .map_err(|e| keyring_failed(&e))?;
    let ring = provider.key_ring().map_err(|e| keyring_failed(&e))?;
    // Otherwise the figures would be for another algorithm than the row says.
    if ring.default_key().map(|k| k.id()) != Some(id) {
        return Err(CliError::runtime(format!(
            "benchmark failed: the {algorithm} key is not the ring's default key"
        )));
    }
    let protector = provider.create_protector("dp bench");
    Ok((provider, protector))
}

/// Protect and unprotect of every size, for each of the nine standard algorithms, on `threads`
/// threads sharing one protector.
fn protect_rows(plan: &Plan<'_>, threads: usize, rows: &mut Vec<Row>) -> Result<(), CliError> {
    for algorithm in Algorithm::ALL.into_iter().filter(|a| a.is_standard()) {
        let name = algorithm.to_string();
        let wants_protect = plan.wants("protect", &name);
        let wants_unprotect = plan.wants("unprotect", &name);
        if !wants_protect && !wants_unprotect {
            continue;
        }
        let (_provider, protector) = protector_for(algorithm)?;
        for size in PROTECT_SIZES {
            let plaintext = vec![0x5a_u8; size];
            if wants_protect {
                progress("protect", &name, size, threads);
                let figure = measure(plan.budget, threads, || {
                    Ok(|| {
                        protector
                            .protect(std::hint::black_box(&plaintext))
                            .map(drop)
                            .map_err(|e| keyring_failed(&e))
                    })
                })?;
                rows.push(Row {
                    op: "protect",
                    algorithm: name.clone(),
                    size,
                    threads,
                    backend: None,
                    figure,
                });
            }
            if wants_unprotect {
                let payload = protector
                    .protect(&plaintext)
                    .map_err(|e| keyring_failed(&e))?;
                progress("unprotect", &name, size, threads);
                let figure = measure(plan.budget, threads, || {
                    Ok(|| {
                        protector
                            .unprotect(std::hint::black_box(&payload))
                            .map(drop)
                            .map_err(|e| keyring_failed(&e))
                    })
                })?;
                rows.push(Row {
                    op: "unprotect",
                    algorithm: name.clone(),
                    size,
                    threads,
                    backend: None,
                    figure,
                });
            }
        }
    }
    Ok(())
}

/// A typical signed-in user: a name, an id, an e-mail, a security stamp and a few roles and
/// application claims — about the 12 claims of ASP.NET Core Identity's default principal.
fn typical_identity() -> ClaimsIdentity {
    let mut identity = ClaimsIdentity::new("Identity.Application")
        .with_claim(
            "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier",
            "8f1d2c4e-7b3a-4e59-9c61-2d7f0a4b8e13",
        )
        .with_claim(
            "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name",
            "alice@example.com",
        )
        .with_claim(
            "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
            "alice@example.com",
        )
        .with_claim(
            "AspNet.Identity.SecurityStamp",
            "KQ3W6Y7ZL2XJ4VQ5N6B7C8D9E0F1G2H3",
        );
    for role in ["Admin", "Editor", "Reviewer"] {
        identity = identity.with_claim(
            "http://schemas.microsoft.com/ws/2008/06/identity/claims/role",
            role,
        );
    }
    for (claim, value) in [
        ("tenant", "contoso"),
        ("department", "finance"),
        ("amr", "pwd"),
        ("locale", "en-GB"),
        ("plan", "enterprise"),
    ] {
        identity = identity.with_claim(claim, value);
    }
    identity
}

/// Decoding a sign-in cookie of a typical ticket from a `Cookie` header, per request.
fn cookie_rows(plan: &Plan<'_>, rows: &mut Vec<Row>) -> Result<(), CliError> {
    let algorithm = Algorithm::default();
    let name = algorithm.to_string();
    if !plan.wants("cookie_decode", &name) {
        return Ok(());
    }
    let (provider, _) = protector_for(algorithm)?;
    let authenticator = CookieAuthenticator::new(&provider, "Identity.Application");
    let failed = |e: dp_aspnet::AspNetError| CliError::runtime(format!("benchmark failed: {e}"));
    let set_cookies = authenticator
        .sign_in(typical_identity(), false)
        .map_err(failed)?;
    let header = set_cookies
        .iter()
        .filter_map(|line| line.split(';').next())
        .collect::<Vec<_>>()
        .join("; ");
    // The size is the serialized ticket's, as .NET's figure counts it.
    let ticket = authenticator.authenticate(&header).map_err(failed)?.ticket;
    let ticket_len = dp_aspnet::wire::ticket::encode(&ticket)
        .map_err(failed)?
        .len();
    progress("cookie_decode", &name, ticket_len, 1);
    let figure = measure(plan.budget, 1, || {
        Ok(|| {
            authenticator
                .authenticate(std::hint::black_box(&header))
                .map(drop)
                .map_err(failed)
        })
    })?;
    rows.push(Row {
        op: "cookie_decode",
        algorithm: name,
        size: ticket_len,
        threads: 1,
        backend: None,
        figure,
    });
    Ok(())
}

/// The name of a backend in results: its cargo feature.
fn backend_id(backend: RsaBackend) -> &'static str {
    match backend.name() {
        "AWS-LC" => "aws-lc",
        _ => "rust-rsa",
    }
}

fn seal_to(recipients: &[PublicKey], plaintext: &[u8], out: &mut Vec<u8>) -> Result<(), CliError> {
    out.clear();
    dp_envelope::seal(
        recipients,
        &SealOptions::new(SEALED_AT),
        plaintext,
        &mut *out,
    )
    .map(drop)
    .map_err(|e| envelope_failed(&e))
}

/// Seal and open of each size with each modulus; open once per RSA backend built in.
fn envelope_rows(plan: &Plan<'_>, rows: &mut Vec<Row>) -> Result<(), CliError> {
    for bits in RSA_BITS {
        let algorithm = format!("RSA-{bits}");
        let wants_seal = plan.wants("seal", &algorithm);
        let wants_open = plan.wants("open", &algorithm);
        if !wants_seal && !wants_open {
            continue;
        }
        let key =
            PrivateKey::generate(bits, RsaBackend::default()).map_err(|e| envelope_failed(&e))?;
        let recipients = [key.public_key().clone()];
        for size in ENVELOPE_SIZES {
            let plaintext = vec![0x5a_u8; size];
            let mut envelope = Vec::with_capacity(size + size / 8 + 4096);
            if wants_seal {
                progress("seal", &algorithm, size, 1);
                let figure = measure(plan.budget, 1, || {
                    let mut out = Vec::with_capacity(envelope.capacity());
                    let (recipients, plaintext) = (&recipients, &plaintext);
                    Ok(move || seal_to(recipients, plaintext, &mut out))
                })?;
                rows.push(Row {
                    op: "seal",
                    algorithm: algorithm.clone(),
                    size,
                    threads: 1,
                    backend: Some(backend_id(RsaBackend::default())),
                    figure,
                });
            }
            if !wants_open {
                continue;
            }
            seal_to(&recipients, &plaintext, &mut envelope)?;
            for &backend in RsaBackend::ALL {
                let options = OpenOptions {
                    backend,
                    ..OpenOptions::new(&key, SEALED_AT)
                };
                progress("open", &algorithm, size, 1);
                // Each open writes into the previous open's (wiped) memory, as a service opening
                // envelopes in a loop would: a fresh 64 MiB buffer per open would time the
                // kernel handing over 16,384 new pages, not dp.
                let figure = measure(plan.budget, 1, || {
                    let mut previous = Some(MemorySink::with_capacity(size));
                    let envelope = &envelope;
                    let options = &options;
                    Ok(move || {
                        let sink = previous.take().unwrap_or_default();
                        let (_, plaintext) =
                            dp_envelope::open(std::hint::black_box(&envelope[..]), sink, options)
                                .map_err(|e| envelope_failed(&e))?;
                        previous = Some(MemorySink::reusing(plaintext));
                        Ok(())
                    })
                })?;
                rows.push(Row {
                    op: "open",
                    algorithm: algorithm.clone(),
                    size,
                    threads: 1,
                    backend: Some(backend_id(backend)),
                    figure,
                });
            }
        }
    }
    Ok(())
}

/// A new provider's first unprotect over a directory of [`RING_KEYS`] key files: reading,
/// parsing and resolving the whole ring, as a process or a refresh pays it.
fn keyring_rows(plan: &Plan<'_>, rows: &mut Vec<Row>) -> Result<(), CliError> {
    let algorithm = Algorithm::default();
    let name = algorithm.to_string();
    if !plan.wants("keyring_load", &name) {
        return Ok(());
    }
    let io_failed = |e: std::io::Error| CliError::runtime(format!("benchmark failed: {e}"));
    // One key made by the manager, then the same element under 999 more ids: what is measured
    // is reading and parsing, which does not care that the master keys are equal.
    let memory = std::sync::Arc::new(MemoryRepository::new());
    let seed = DataProtectionProvider::builder_shared(memory.clone())
        .build()
        .map_err(|e| keyring_failed(&e))?;
    let payload = seed
        .create_protector("dp bench")
        .protect(b"x")
        .map_err(|e| keyring_failed(&e))?;
    let template = memory
        .load_all()
        .map_err(|e| keyring_failed(&e))?
        .into_iter()
        .next()
        .ok_or_else(|| CliError::runtime("benchmark failed: no key was made"))?;
    let id = template.name.trim_start_matches("key-").to_owned();
    let dir = tempfile::tempdir().map_err(io_failed)?;
    let keys = dir.path().join("keys");
    std::fs::create_dir(&keys).map_err(io_failed)?;
    for i in 0..RING_KEYS {
        // The first file keeps the id payloads name.
        let new_id = if i == 0 {
            id.clone()
        } else {
            format!("{}{:012x}", &id[..24], i)
        };
        std::fs::write(
            keys.join(format!("key-{new_id}.xml")),
            template.xml.replace(&id, &new_id),
        )
        .map_err(io_failed)?;
    }
    progress("keyring_load", &name, RING_KEYS, 1);
    let figure = measure(plan.budget, 1, || {
        Ok(|| {
            let provider = DataProtectionProvider::new(FileSystemRepository::new(&keys), None);
            provider
                .create_protector("dp bench")
                .unprotect(std::hint::black_box(&payload))
                .map(drop)
                .map_err(|e| keyring_failed(&e))
        })
    })?;
    rows.push(Row {
        op: "keyring_load",
        algorithm: name,
        size: RING_KEYS,
        threads: 1,
        backend: None,
        figure,
    });
    Ok(())
}

/// Three significant digits or whole numbers, whichever is longer.
fn rate(value: f64) -> String {
    if value >= 100.0 {
        format!("{value:.0}")
    } else if value >= 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.2}")
    }
}

/// A size as people write it: `32 B`, `1 KiB`, `64 MiB`; key counts as `1000 keys`.
fn size_text(row: &Row) -> String {
    let size = row.size;
    if row.op == "keyring_load" {
        format!("{size} keys")
    } else if size >= 1 << 20 && size.is_multiple_of(1 << 20) {
        format!("{} MiB", size >> 20)
    } else if size >= 1 << 10 && size.is_multiple_of(1 << 10) {
        format!("{} KiB", size >> 10)
    } else {
        format!("{size} B")
    }
}

/// A duration in the unit that keeps it readable.
fn duration_text(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{} ms", rate(ns / 1e6))
    } else if ns >= 1e3 {
        format!("{} µs", rate(ns / 1e3))
    } else {
        format!("{} ns", rate(ns))
    }
}

fn print_table(rows: &[Row]) {
    let header = [
        "op",
        "algorithm",
        "size",
        "threads",
        "ops/s",
        "MB/s",
        "median",
    ];
    let cells: Vec<[String; 7]> = rows
        .iter()
        .map(|row| {
            let algorithm = match row.backend {
                Some(backend) => format!("{} ({backend})", row.algorithm),
                None => row.algorithm.clone(),
            };
            [
                row.op.to_owned(),
                algorithm,
                size_text(row),
                row.threads.to_string(),
                rate(row.figure.ops_per_sec),
                row.bytes_per_sec()
                    .map_or_else(|| "-".to_owned(), |b| rate(b / 1e6)),
                duration_text(row.figure.median_ns),
            ]
        })
        .collect();
    let mut widths = header.map(|h| h.chars().count());
    for line in &cells {
        for (width, cell) in widths.iter_mut().zip(line) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: [&str; 7]| {
        let mut text = String::new();
        for (i, (cell, width)) in cells.iter().zip(widths).enumerate() {
            let pad = width - cell.chars().count();
            if i > 0 {
                text.push_str("  ");
            }
            // Text left, numbers right.
            if i < 2 {
                text.push_str(cell);
                text.push_str(&" ".repeat(pad));
            } else {
                text.push_str(&" ".repeat(pad));
                text.push_str(cell);
            }
        }
        text.trim_end().to_owned()
    };
    outln!("{}", host::summary());
    outln!("{}", line(header));
    for row in &cells {
        outln!("{}", line(row.each_ref().map(String::as_str)));
    }
    outln!(
        "\nMB = 10^6 bytes of plaintext; median = one operation, the median of many short batches."
    );
}

fn print_json(rows: &[Row]) -> Result<(), CliError> {
    let results: Vec<_> = rows
        .iter()
        .map(|row| {
            json!({
                "op": row.op,
                "algorithm": row.algorithm,
                "size": row.size,
                "threads": row.threads,
                "ops_per_sec": row.figure.ops_per_sec,
                "bytes_per_sec": row.bytes_per_sec(),
                "median_ns": row.figure.median_ns,
                "backend": row.backend,
            })
        })
        .collect();
    crate::json::print(json!({
        "dp_version": env!("CARGO_PKG_VERSION"),
        "debug_build": cfg!(debug_assertions),
        "host": host::describe(),
        "results": results,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_keep_three_significant_digits_or_whole_numbers() {
        assert_eq!(rate(123_456.7), "123457");
        assert_eq!(rate(42.345), "42.3");
        assert_eq!(rate(1.234_5), "1.23");
    }

    #[test]
    fn sizes_and_durations_read_as_people_write_them() {
        let row = |op, size| Row {
            op,
            algorithm: String::new(),
            size,
            threads: 1,
            backend: None,
            figure: Figure {
                ops_per_sec: 1.0,
                median_ns: 1.0,
            },
        };
        assert_eq!(size_text(&row("protect", 32)), "32 B");
        assert_eq!(size_text(&row("protect", 1024)), "1 KiB");
        assert_eq!(size_text(&row("open", 64 << 20)), "64 MiB");
        assert_eq!(size_text(&row("cookie_decode", 1100)), "1100 B");
        assert_eq!(size_text(&row("keyring_load", 1000)), "1000 keys");
        assert_eq!(row("keyring_load", 1000).bytes_per_sec(), None);
        assert_eq!(duration_text(850.0), "850 ns");
        assert_eq!(duration_text(1_250.0), "1.25 µs");
        assert_eq!(duration_text(42_000_000.0), "42.0 ms");
    }

    #[test]
    fn the_filter_matches_op_or_algorithm() {
        let plan = Plan {
            filter: Some("GCM"),
            budget: Duration::ZERO,
            threads: 1,
        };
        assert!(plan.wants("protect", "AES_256_GCM"));
        assert!(!plan.wants("protect", "AES_256_CBC+HMACSHA256"));
        let plan = Plan {
            filter: Some("open"),
            ..plan
        };
        assert!(plan.wants("open", "RSA-2048"));
        assert!(!plan.wants("seal", "RSA-2048"));
    }
}
