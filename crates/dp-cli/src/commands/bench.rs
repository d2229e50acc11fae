//! `dp bench`: a throughput report for this machine, made with the library code `dp` runs.
//!
//! Everything happens in memory: an ephemeral key ring, freshly generated RSA keys, nothing read
//! from or written to disk. Each measurement runs its operation for a warm-up and then for the
//! time budget, counting completed operations with `Instant`; the rate is operations over the
//! elapsed time of whole operations. These are figures to compare machines and algorithms, not
//! statistics: `cargo xtask bench` (criterion) is the tool for tracking changes in the code.

use std::time::{Duration, Instant};

use dp_crypto::{Algorithm, MasterKey, OsRandom, Sp800108Kdf};
use dp_envelope::{MemorySink, OpenOptions, PrivateKey, PublicKey, RsaBackend, SealOptions};
use dp_format::AadBuilder;
use dp_keyring::{DataProtectionProvider, DataProtector, KeyringError};
use serde_json::json;

use crate::cli::BenchArgs;
use crate::error::CliError;

/// Payload of the protect / unprotect measurements: a typical cookie or token.
const PROTECT_BYTES: usize = 1024;
/// Plaintext of the envelope measurements: enough chunks (128 of 64 KiB) that the per-envelope
/// RSA work is a small part.
const ENVELOPE_BYTES: usize = 8 * 1024 * 1024;
/// RSA modulus of the generated key, the smallest `dp envelope keygen` accepts.
const RSA_BITS: usize = 2048;
/// A fixed creation time for sealed envelopes: nothing checks it, as opens skip the replay check.
const SEALED_AT: i64 = 1_800_000_000;
/// Warm-up, as a fraction of the budget.
const WARM_UP_FRACTION: f64 = 0.2;

/// One line of the report.
struct Row {
    operation: &'static str,
    algorithm: String,
    /// Bytes of input per operation, when a byte rate is meaningful.
    bytes_per_op: Option<usize>,
    ops_per_sec: f64,
}

impl Row {
    fn mb_per_sec(&self) -> Option<f64> {
        self.bytes_per_op
            .map(|bytes| self.ops_per_sec * bytes as f64 / 1e6)
    }
}

pub(crate) fn run(args: &BenchArgs) -> Result<(), CliError> {
    let budget = Duration::from_secs_f64(args.seconds);
    if cfg!(debug_assertions) {
        eprintln!("note: this is a debug build; build with --release for meaningful figures");
    }
    let standard = Algorithm::ALL.iter().filter(|a| a.is_standard()).count();
    // Protect and unprotect per algorithm; the KDF; seal and open; one unwrap per backend.
    let measurements = 2 * standard + 3 + RsaBackend::ALL.len();
    eprintln!(
        "measuring {measurements} operations for {} s each, plus warm-up...",
        args.seconds
    );
    let mut rows = Vec::new();
    for algorithm in Algorithm::ALL.into_iter().filter(|a| a.is_standard()) {
        protect_rows(algorithm, budget, &mut rows)?;
    }
    rows.push(kdf_row(budget)?);
    envelope_rows(budget, &mut rows)?;
    if args.json {
        print_json(args.seconds, &rows)
    } else {
        print_table(&rows);
        Ok(())
    }
}

/// Runs `op` for a warm-up, then for `budget`, and returns operations per second.
fn measure(
    budget: Duration,
    mut op: impl FnMut() -> Result<(), CliError>,
) -> Result<f64, CliError> {
    let warm_up = budget.mul_f64(WARM_UP_FRACTION);
    let start = Instant::now();
    loop {
        op()?;
        if start.elapsed() >= warm_up {
            break;
        }
    }
    let start = Instant::now();
    let mut count: u64 = 0;
    let elapsed = loop {
        op()?;
        count += 1;
        let elapsed = start.elapsed();
        if elapsed >= budget {
            break elapsed;
        }
    };
    // A clock too coarse to see one operation must not divide by zero.
    Ok(count as f64 / elapsed.as_secs_f64().max(1e-9))
}

fn keyring_failed(e: &KeyringError) -> CliError {
    CliError::runtime(format!("benchmark failed: {e}"))
}

/// A protector of a real provider whose in-memory ring holds one key of `algorithm`.
fn protector_for(algorithm: Algorithm) -> Result<DataProtector, CliError> {
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
    Ok(provider.create_protector("dp bench"))
}

fn protect_rows(
    algorithm: Algorithm,
    budget: Duration,
    rows: &mut Vec<Row>,
) -> Result<(), CliError> {
    let protector = protector_for(algorithm)?;
    let plaintext = vec![0x5a_u8; PROTECT_BYTES];
    let protect = measure(budget, || {
        protector
            .protect(std::hint::black_box(&plaintext))
            .map(drop)
            .map_err(|e| keyring_failed(&e))
    })?;
    let payload = protector
        .protect(&plaintext)
        .map_err(|e| keyring_failed(&e))?;
    let unprotect = measure(budget, || {
        protector
            .unprotect(std::hint::black_box(&payload))
            .map(drop)
            .map_err(|e| keyring_failed(&e))
    })?;
    for (operation, ops_per_sec) in [("protect 1 KiB", protect), ("unprotect 1 KiB", unprotect)] {
        rows.push(Row {
            operation,
            algorithm: algorithm.to_string(),
            bytes_per_op: Some(PROTECT_BYTES),
            ops_per_sec,
        });
    }
    Ok(())
}

/// One subkey derivation as `protect` makes it: the AAD as label, 64 bytes out.
fn kdf_row(budget: Duration) -> Result<Row, CliError> {
    let crypto_failed =
        |e: dp_crypto::CryptoError| CliError::runtime(format!("benchmark failed: {e}"));
    let master_key = MasterKey::generate(&OsRandom).map_err(crypto_failed)?;
    let kdf = Sp800108Kdf::new(master_key.expose_secret());
    let aad = AadBuilder::new(["dp bench"])
        .map_err(|e| CliError::runtime(format!("benchmark failed: {e}")))?
        .template()
        .to_vec();
    let header = dp_crypto::context_header::context_header(Algorithm::default());
    let key_modifier = [0x11_u8; 16];
    let mut out = [0u8; 64];
    let ops_per_sec = measure(budget, || {
        kdf.derive(std::hint::black_box(&aad), header, &key_modifier, &mut out)
            .map_err(crypto_failed)?;
        std::hint::black_box(&out);
        Ok(())
    })?;
    Ok(Row {
        operation: "kdf derive 64 B",
        algorithm: "SP800-108 CTR HMACSHA512".to_owned(),
        bytes_per_op: None,
        ops_per_sec,
    })
}

fn envelope_failed(e: &dp_envelope::EnvelopeError) -> CliError {
    CliError::runtime(format!("benchmark failed: {e}"))
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

fn open_with(envelope: &[u8], options: &OpenOptions<'_>) -> Result<(), CliError> {
    dp_envelope::open(envelope, MemorySink::with_capacity(ENVELOPE_BYTES), options)
        .map(drop)
        .map_err(|e| envelope_failed(&e))
}

fn envelope_rows(budget: Duration, rows: &mut Vec<Row>) -> Result<(), CliError> {
    let key =
        PrivateKey::generate(RSA_BITS, RsaBackend::default()).map_err(|e| envelope_failed(&e))?;
    let recipients = [key.public_key().clone()];
    let plaintext = vec![0x5a_u8; ENVELOPE_BYTES];
    let mut envelope = Vec::with_capacity(ENVELOPE_BYTES + 64 * 1024);

    let seal = measure(budget, || seal_to(&recipients, &plaintext, &mut envelope))?;
    let options = OpenOptions::new(&key, SEALED_AT);
    let open = measure(budget, || open_with(&envelope, &options))?;
    let algorithm = format!("AES-256-GCM, RSA-{RSA_BITS}");
    for (operation, ops_per_sec) in [("envelope seal 8 MiB", seal), ("envelope open 8 MiB", open)] {
        rows.push(Row {
            operation,
            algorithm: algorithm.clone(),
            bytes_per_op: Some(ENVELOPE_BYTES),
            ops_per_sec,
        });
    }

    // A 16-byte envelope: the RSA-OAEP decryption of the session key is nearly all the work.
    let mut tiny = Vec::new();
    seal_to(&recipients, b"sixteen bytes!!!", &mut tiny)?;
    for &backend in RsaBackend::ALL {
        let options = OpenOptions {
            backend,
            ..OpenOptions::new(&key, SEALED_AT)
        };
        let ops_per_sec = measure(budget, || open_with(&tiny, &options))?;
        rows.push(Row {
            operation: "rsa-oaep unwrap",
            algorithm: format!("RSA-{RSA_BITS} OAEP-SHA256 ({})", backend.name()),
            bytes_per_op: None,
            ops_per_sec,
        });
    }
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

fn print_table(rows: &[Row]) {
    let header = ["operation", "algorithm", "ops/s", "MB/s"];
    let cells: Vec<[String; 4]> = rows
        .iter()
        .map(|row| {
            [
                row.operation.to_owned(),
                row.algorithm.clone(),
                rate(row.ops_per_sec),
                row.mb_per_sec().map_or_else(|| "-".to_owned(), rate),
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
    for line in &cells {
        for (width, cell) in widths.iter_mut().zip(line) {
            *width = (*width).max(cell.len());
        }
    }
    let [w0, w1, w2, w3] = widths;
    outln!(
        "{:<w0$}  {:<w1$}  {:>w2$}  {:>w3$}",
        header[0],
        header[1],
        header[2],
        header[3]
    );
    for [operation, algorithm, ops, mb] in &cells {
        outln!("{operation:<w0$}  {algorithm:<w1$}  {ops:>w2$}  {mb:>w3$}");
    }
    outln!("\nMB = 10^6 bytes of plaintext; protect rows use an in-memory key ring.");
}

fn print_json(seconds: f64, rows: &[Row]) -> Result<(), CliError> {
    let results: Vec<_> = rows
        .iter()
        .map(|row| {
            json!({
                "operation": row.operation,
                "algorithm": row.algorithm,
                "bytes_per_op": row.bytes_per_op,
                "ops_per_sec": row.ops_per_sec,
                "mb_per_sec": row.mb_per_sec(),
            })
        })
        .collect();
    crate::json::print(json!({
        "dp_version": env!("CARGO_PKG_VERSION"),
        "rsa_backends": RsaBackend::ALL.iter().map(|b| b.name()).collect::<Vec<_>>(),
        "debug_build": cfg!(debug_assertions),
        "seconds_per_measurement": seconds,
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
    fn measure_counts_at_least_one_operation() {
        let mut calls = 0_u32;
        let rate = measure(Duration::ZERO, || {
            calls += 1;
            Ok(())
        })
        .unwrap_or(0.0);
        // One warm-up call and one measured call.
        assert_eq!(calls, 2);
        assert!(rate > 0.0);
    }
}
