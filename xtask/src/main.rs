//! Project automation, reached as `cargo xtask <command>` through the alias in
//! `.cargo/config.toml`.
//!
//! Commands:
//! * `ci` — everything CI checks, in the order that fails fastest: formatting, clippy with
//!   warnings denied, the whole test suite, and the docs with warnings denied.
//! * `fuzz [TARGET…] [--secs N] [--jobs N]` — cargo-fuzz campaigns over the seed corpus; a
//!   crash is minimised into a regression input of the ordinary tests (see `fuzz.rs`).
//! * `bench [--seconds S] [--threads N] [--dotnet FILE] [FILTER]` — `dp bench` of a release
//!   build beside `openssl speed` (the hardware limit) and ASP.NET Core's figures;
//!   `bench --criterion [FILTER]` — the criterion benchmarks.
//! * `release VERSION [--dry-run] [--repo PATH]` — checks (clean tree, no placeholder left,
//!   `ci`, `cargo publish --workspace --dry-run`), sets the version everywhere, dates the
//!   changelog's Unreleased section, commits "Release VERSION" and tags `vVERSION`; never pushes
//!   (see `release.rs`).
//! * `dist` — the release `dp` binary, its man pages and shell completions, and SHA256SUMS, in
//!   `<target>/dist/` (see `dist.rs`).
#![allow(clippy::print_stdout, reason = "xtask reports progress on stdout")]

mod bench;
mod dist;
mod fuzz;
mod release;
#[cfg(test)]
mod tidy;

use std::env;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("ci") => ci(),
        Some("fuzz") => fuzz::parse(&args[1..]).and_then(|o| fuzz::fuzz(&o)),
        Some("bench") => bench::parse(&args[1..]).and_then(|o| bench::bench(&o)),
        Some("release") => release::parse(&args[1..]).and_then(|o| release::release(&o)),
        Some("dist") => dist::dist(&args[1..]),
        Some("-h" | "--help" | "help") | None => {
            print_help();
            Ok(())
        }
        Some(other) => Err(format!(
            "unknown command `{other}` (try `cargo xtask help`)"
        )),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn print_help() {
    println!(
        "usage: cargo xtask <command>\n\n\
         commands:\n  \
         ci      cargo fmt --check, clippy -D warnings, the test suite (both RSA backends),\n          \
                 cargo doc -D warnings\n  \
         fuzz    [TARGET...] [--secs N] [--jobs N]: run cargo-fuzz targets (all when none:\n          \
                 payload, key_xml, store_elements, sql_rows, envelope, envelope_open,\n          \
                 capi_blob, ticket, cookie_header) N seconds each (default 60) on the stable\n          \
                 toolchain; store_elements and sql_rows need the Redis, PostgreSQL and MySQL\n          \
                 servers of the store tests (DP_TEST_*_URL);\n          \
                 --jobs: libFuzzer -jobs/-workers. A crash is minimised into fuzz/corpus/TARGET\n          \
                 (replayed by the ordinary tests), with a reproduction command; exit 1.\n  \
         bench   [--seconds S] [--threads N] [--dotnet FILE [--dotnet-openssl FILE]] [FILTER]:\n          \
                 builds dp in release mode, runs `dp bench --json` and `openssl speed` back to\n          \
                 back and prints each figure as a ratio of the hardware limit OpenSSL shows;\n          \
                 --dotnet adds a column \"× ASP.NET Core\" (figures scaled by this machine's\n          \
                 OpenSSL AES-256-CBC 1 KiB rate over the one recorded with them, e.g. the\n          \
                 shared bench directory's aspnetcore-2026-11-30.json). Raw output:\n          \
                 <target>/bench/.\n  \
         bench   --criterion [FILTER]: the criterion benchmarks (KDF, encryptors, AAD, key-ring\n          \
                 lookup, protector, ticket decoding, envelopes, both RSA backends); reports in\n          \
                 <target dir>/criterion.\n  \
         release VERSION [--dry-run] [--repo PATH]: refuses a dirty tree, a placeholder\n          \
                 (example.invalid) left in a Cargo.toml, README.md or SECURITY.md, or a failing\n          \
                 `cargo xtask ci`; sets VERSION in [workspace.package], the internal dependency\n          \
                 requirements and Cargo.lock; moves CHANGELOG.md's Unreleased section under\n          \
                 `## [VERSION] - today`; runs `cargo publish --workspace --dry-run`; commits\n          \
                 \"Release VERSION\" and tags vVERSION (never pushes). --dry-run makes the same\n          \
                 checks (placeholders only warn), prints the edits and changes nothing.\n  \
         dist    the release dp binary, man pages (dp.1, dp-keys-list.1, ...), completions for\n          \
                 bash, zsh, fish and PowerShell, and SHA256SUMS, in <target dir>/dist/."
    );
}

fn workspace_root() -> PathBuf {
    // xtask lives one directory below the workspace root.
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

fn cargo() -> Command {
    let mut cmd = Command::new(env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.current_dir(workspace_root());
    cmd
}

fn run(step: &str, cmd: &mut Command) -> Result<(), String> {
    println!("==> {step}");
    let status = cmd
        .status()
        .map_err(|e| format!("{step}: cannot start: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{step} failed ({status})"))
    }
}

fn ci() -> Result<(), String> {
    run("cargo fmt", cargo().args(["fmt", "--all", "--", "--check"]))?;
    run(
        "cargo clippy",
        cargo().args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]),
    )?;
    run("cargo test", cargo().args(["test", "--workspace"]))?;
    // The workspace README's examples, as doctests of dp-keyring: only on request, because the
    // published dp-keyring does not contain that README.
    run(
        "cargo test (the workspace README's examples)",
        cargo()
            .args(["test", "-p", "dp-keyring", "--doc"])
            .env("RUSTDOCFLAGS", "--cfg dp_workspace_readme"),
    )?;
    // dp-keyring without its `certificates` feature (the workspace build unifies it on through
    // dp-cli): keys encrypted at rest must still be reported, never break the ring.
    run(
        "cargo test (dp-keyring without certificates)",
        cargo().args(["test", "-p", "dp-keyring"]),
    )?;
    run(
        "cargo clippy (dp-keyring without certificates)",
        cargo().args([
            "clippy",
            "-p",
            "dp-keyring",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]),
    )?;
    // Both RSA backends, against each other, and the pure-Rust build on its own (for users
    // without a C compiler): the same tests must pass.
    run(
        "cargo test (dp-envelope, both RSA backends)",
        cargo().args(["test", "-p", "dp-envelope", "--features", "rust-rsa"]),
    )?;
    run(
        "cargo test (dp-envelope, pure-Rust RSA only)",
        cargo().args([
            "test",
            "-p",
            "dp-envelope",
            "--no-default-features",
            "--features",
            "rust-rsa",
        ]),
    )?;
    run(
        "cargo clippy (dp-envelope, pure-Rust RSA only)",
        cargo().args([
            "clippy",
            "-p",
            "dp-envelope",
            "--all-targets",
            "--no-default-features",
            "--features",
            "rust-rsa",
            "--",
            "-D",
            "warnings",
        ]),
    )?;
    // dp-crypto's RSA module with both backends and with the pure-Rust one alone (its unit tests
    // are per backend), and dp-crypto without RSA, which must build without a C compiler.
    run(
        "cargo test (dp-crypto, both RSA backends)",
        cargo().args(["test", "-p", "dp-crypto", "--features", "aws-lc,rust-rsa"]),
    )?;
    run(
        "cargo test (dp-crypto, pure-Rust RSA only)",
        cargo().args([
            "test",
            "-p",
            "dp-crypto",
            "--no-default-features",
            "--features",
            "rust-rsa",
        ]),
    )?;
    for (step, features) in [
        (
            "cargo clippy (dp-crypto, both RSA backends)",
            "aws-lc,rust-rsa",
        ),
        ("cargo clippy (dp-crypto, pure-Rust RSA only)", "rust-rsa"),
        ("cargo clippy (dp-crypto, no RSA)", ""),
    ] {
        run(
            step,
            cargo().args([
                "clippy",
                "-p",
                "dp-crypto",
                "--all-targets",
                "--no-default-features",
                "--features",
                features,
                "--",
                "-D",
                "warnings",
            ]),
        )?;
    }
    run(
        "cargo doc",
        cargo()
            .args(["doc", "--workspace", "--no-deps"])
            .env("RUSTDOCFLAGS", "-D warnings"),
    )?;
    println!("==> ci passed");
    Ok(())
}
