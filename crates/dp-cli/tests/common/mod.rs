//! Running `dp` as a user would, shared by the CLI tests.
#![allow(
    dead_code,
    unreachable_pub,
    missing_docs,
    clippy::unwrap_used,
    reason = "test helpers: not every test file uses every helper, and a panic is a test failure"
)]

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// Runs `dp` with a private HOME and none of the environment variables that choose a key ring
/// or its identities, so nothing touches the real default key directory. The child may exit
/// before reading all of `stdin`: a broken pipe is its business.
pub fn dp(home: &Path, args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dp"))
        .args(args)
        .env("HOME", home)
        .env_remove("DP_KEY_DIR")
        .env_remove("LOCALAPPDATA")
        .env_remove("DP_UNPROTECT_KEYS_WITH")
        .env_remove("DP_PROTECT_KEYS_WITH")
        .env_remove("DP_PFX_PASSWORD")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let _ = child.stdin.take().unwrap().write_all(stdin);
    child.wait_with_output().unwrap()
}

/// The exit code, -1 for a death by signal.
pub fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
