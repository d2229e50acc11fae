//! `cargo xtask dist`: what a packager ships, built from this tree into `<target>/dist/`.
//!
//! ```text
//! <target>/dist/
//!   dp                       the release binary (dp.exe on Windows)
//!   man/dp.1, man/dp-keys-list.1, …
//!                            a page for dp and each subcommand (the hidden `dp manpages DIR`,
//!                            clap_mangen over the clap definitions)
//!   completions/dp.bash, completions/_dp, completions/dp.fish, completions/_dp.ps1
//!                            `dp completions SHELL` (clap_complete)
//!   SHA256SUMS               `sha256sum -c` format, over every other file
//! ```
//!
//! The directory is emptied first, so that SHA256SUMS covers exactly what this run made. All of
//! it is generated and lives under `target/`, which git ignores.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value as Json;
use sha2::{Digest, Sha256};

use crate::{cargo, run};

/// Each shell `dp completions` knows, and the file name its completion system looks for.
const COMPLETIONS: [(&str, &str); 4] = [
    ("bash", "dp.bash"),
    ("zsh", "_dp"),
    ("fish", "dp.fish"),
    ("powershell", "_dp.ps1"),
];

pub(crate) fn dist(args: &[String]) -> Result<(), String> {
    if let Some(extra) = args.first() {
        return Err(format!(
            "unexpected argument `{extra}`; usage: cargo xtask dist"
        ));
    }
    run(
        "cargo build --release -p dp-cli",
        cargo().args(["build", "--release", "-p", "dp-cli", "--bin", "dp"]),
    )?;
    let target = target_dir()?;
    let binary_name = format!("dp{}", std::env::consts::EXE_SUFFIX);
    let built = target.join("release").join(&binary_name);
    let dist = target.join("dist");
    if dist.exists() {
        fs::remove_dir_all(&dist).map_err(|e| format!("{}: {e}", dist.display()))?;
    }
    for dir in [dist.join("man"), dist.join("completions")] {
        fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }

    let binary = dist.join(&binary_name);
    fs::copy(&built, &binary).map_err(|e| format!("{}: {e}", built.display()))?;

    run(
        "dp manpages",
        Command::new(&binary).arg("manpages").arg(dist.join("man")),
    )?;

    println!("==> dp completions");
    for (shell, file) in COMPLETIONS {
        let output = Command::new(&binary)
            .args(["completions", shell])
            .output()
            .map_err(|e| format!("dp completions {shell}: cannot start: {e}"))?;
        if !output.status.success() || output.stdout.is_empty() {
            return Err(format!(
                "dp completions {shell} failed ({}): {}",
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            ));
        }
        let path = dist.join("completions").join(file);
        fs::write(&path, &output.stdout).map_err(|e| format!("{}: {e}", path.display()))?;
    }

    let files = files_under(&dist)?;
    let sums = sha256sums(&dist, &files)?;
    let sums_path = dist.join("SHA256SUMS");
    fs::write(&sums_path, &sums).map_err(|e| format!("{}: {e}", sums_path.display()))?;

    let pages = files.iter().filter(|f| f.starts_with("man/")).count();
    println!(
        "==> {}: {binary_name}, {pages} man pages, {} completions, SHA256SUMS over {} files",
        dist.display(),
        COMPLETIONS.len(),
        files.len()
    );
    Ok(())
}

/// The target directory cargo uses (it may be moved by CARGO_TARGET_DIR or a config file).
fn target_dir() -> Result<PathBuf, String> {
    let output = cargo()
        .args(["metadata", "--no-deps", "--format-version", "1"])
        .output()
        .map_err(|e| format!("cargo metadata: cannot start: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    let metadata: Json =
        serde_json::from_slice(&output.stdout).map_err(|e| format!("cargo metadata: {e}"))?;
    metadata["target_directory"]
        .as_str()
        .map(PathBuf::from)
        .ok_or_else(|| "cargo metadata: no target_directory".to_owned())
}

/// Every file under `dir`, as sorted paths relative to it with `/`.
fn files_under(dir: &Path) -> Result<Vec<String>, String> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) -> Result<(), String> {
        let entries = fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for entry in entries {
            let path = entry.map_err(|e| format!("{}: {e}", dir.display()))?.path();
            if path.is_dir() {
                walk(base, &path, out)?;
            } else if let Ok(relative) = path.strip_prefix(base) {
                let parts: Vec<_> = relative.iter().map(|p| p.to_string_lossy()).collect();
                out.push(parts.join("/"));
            }
        }
        Ok(())
    }
    let mut files = Vec::new();
    walk(dir, dir, &mut files)?;
    files.sort();
    Ok(files)
}

/// `sha256sum` output over `files` (relative to `dir`): `HEX  PATH` lines, which
/// `sha256sum -c SHA256SUMS` checks from inside `dir`.
fn sha256sums(dir: &Path, files: &[String]) -> Result<String, String> {
    let mut out = String::new();
    for file in files {
        let path = dir.join(file);
        let bytes = fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        out.push_str(&sum_line(&bytes, file));
    }
    Ok(out)
}

fn sum_line(bytes: &[u8], name: &str) -> String {
    format!("{}  {name}\n", hex::encode(Sha256::digest(bytes)))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test code: a panic is a test failure")]

    use super::*;

    #[test]
    fn sum_lines_are_in_sha256sum_format() {
        // FIPS 180-2 appendix B.1.
        assert_eq!(
            sum_line(b"abc", "man/dp.1"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  man/dp.1\n"
        );
    }

    #[test]
    fn files_are_listed_sorted_and_relative() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        fs::create_dir_all(dir.join("man")).unwrap();
        fs::write(dir.join("man").join("dp.1"), "a").unwrap();
        fs::write(dir.join("dp"), "b").unwrap();
        let files = files_under(dir).unwrap();
        let sums = sha256sums(dir, &files).unwrap();
        assert_eq!(files, ["dp", "man/dp.1"]);
        assert_eq!(sums.lines().count(), 2);
        assert!(sums.ends_with("  man/dp.1\n"), "{sums}");
    }
}
