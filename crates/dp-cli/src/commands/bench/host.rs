//! What the figures were measured on: the CPU model, the cores the process may use, and the
//! instruction-set extensions the cryptography uses where present.

use serde_json::{Value, json};

/// The CPU model as the operating system names it (Linux: `/proc/cpuinfo`), else `unknown`.
fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, model)| model.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".to_owned())
}

/// The extensions that matter here and are present: AES and carry-less multiplication (AES and
/// GCM), SHA (SHA-256 for the MACs; SHA-512 has no x86 extension on these CPUs), AVX2 and
/// AVX-512 (SHA-512 and wide AES/GHASH code paths).
#[cfg(target_arch = "x86_64")]
fn features() -> Vec<&'static str> {
    let mut present = Vec::new();
    macro_rules! check {
        ($($name:tt),*) => {
            $(if std::arch::is_x86_feature_detected!($name) {
                present.push($name);
            })*
        };
    }
    check!(
        "aes",
        "pclmulqdq",
        "sha",
        "avx2",
        "avx512f",
        "vaes",
        "vpclmulqdq"
    );
    present
}

#[cfg(target_arch = "aarch64")]
fn features() -> Vec<&'static str> {
    let mut present = Vec::new();
    macro_rules! check {
        ($($name:tt),*) => {
            $(if std::arch::is_aarch64_feature_detected!($name) {
                present.push($name);
            })*
        };
    }
    check!("aes", "pmull", "sha2", "sha3");
    present
}

#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
fn features() -> Vec<&'static str> {
    Vec::new()
}

/// The number of cores this process may run on.
pub(crate) fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
}

/// The `host` object of `dp bench --json`.
pub(crate) fn describe() -> Value {
    json!({
        "cpu_model": cpu_model(),
        "cores": cores(),
        "arch": std::env::consts::ARCH,
        "features": features(),
    })
}

/// One line for the table's heading.
pub(crate) fn summary() -> String {
    format!(
        "{} ({} cores; {})",
        cpu_model(),
        cores(),
        features().join(" ")
    )
}
