//! Helpers shared by the integration tests.
#![allow(
    dead_code,
    unreachable_pub,
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is a test failure, and test items need no docs"
)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU8, Ordering};

use dp_crypto::{CryptoError, SecureRandom};
use serde_json::Value;

/// .NET's `SequentialGenRandom`: 00, 01, 02, … across calls.
#[derive(Default)]
pub struct SequentialRandom(AtomicU8);

impl SecureRandom for SequentialRandom {
    fn fill(&self, dest: &mut [u8]) -> Result<(), CryptoError> {
        for b in dest {
            *b = self.0.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    }
}

pub fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

pub fn vectors() -> Value {
    let text = std::fs::read_to_string(data_dir().join("vectors.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Copies a committed test ring into a fresh temporary directory (tests may write to it).
pub fn ring_copy(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(data_dir().join("rings").join(name)).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    dir
}

pub fn xml_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".xml"))
        .collect();
    names.sort();
    names
}

/// Makes a directory unwritable even for root (who ignores mode bits): mode 0555, and if the
/// directory is still writable, the immutable attribute. Restored on drop. `None` when neither
/// works on this machine.
pub struct ReadOnlyDir(PathBuf, bool);

impl ReadOnlyDir {
    pub fn new(dir: &Path) -> Option<Self> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o555)).unwrap();
            if !is_writable(dir) {
                return Some(Self(dir.to_path_buf(), false));
            }
            let ok = Command::new("chattr")
                .arg("+i")
                .arg(dir)
                .status()
                .is_ok_and(|s| s.success());
            if ok && !is_writable(dir) {
                return Some(Self(dir.to_path_buf(), true));
            }
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        None
    }
}

fn is_writable(dir: &Path) -> bool {
    let probe = dir.join(".probe");
    let ok = std::fs::write(&probe, b"x").is_ok();
    let _ = std::fs::remove_file(&probe);
    ok
}

impl Drop for ReadOnlyDir {
    fn drop(&mut self) {
        if self.1 {
            let _ = Command::new("chattr").arg("-i").arg(&self.0).status();
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&self.0, std::fs::Permissions::from_mode(0o755));
        }
    }
}

/// A test whose environment is missing. Under `CI=true` that fails the test: CI must provide
/// what the tests need. Elsewhere the test is skipped, and says so on the terminal — written
/// past the test harness's capture, so a skip never passes silently.
pub fn environment_missing(test: &str, what: &str) {
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{test}: {what} (required under CI=true)"
    );
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "test {test}: SKIPPED: {what}");
}
