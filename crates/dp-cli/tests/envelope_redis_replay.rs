//! `dp envelope open --replay-cache redis://…`: a replay cache that a fleet shares. Needs a Redis
//! server at `DP_TEST_REDIS_URL` (default `redis://127.0.0.1:6379/0`); without one the tests
//! print a line and pass, unless `CI=true`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    missing_docs,
    reason = "test code: a panic is a test failure, and test items need no docs"
)]

mod common;

use std::path::Path;
use std::process::{Command, Stdio};

use common::{code, dp, stderr};

/// The server URL, or `None` (after one printed line) when it is not reachable and CI is not set.
fn server(test: &str) -> Option<String> {
    let url = std::env::var("DP_TEST_REDIS_URL")
        .unwrap_or_else(|_| "redis://127.0.0.1:6379/0".to_owned());
    let reachable = redis::Client::open(url.as_str())
        .and_then(|c| c.get_connection_with_timeout(std::time::Duration::from_secs(2)))
        .is_ok();
    if reachable {
        return Some(url);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "CI=true but no Redis server at {url} (set DP_TEST_REDIS_URL)"
    );
    println!(
        "skipping {test}: no Redis server at {url} (set DP_TEST_REDIS_URL; CI=true makes this fail)"
    );
    None
}

/// A key prefix of one test; its keys are deleted on drop.
struct Prefix {
    url: String,
    prefix: String,
}

impl Prefix {
    fn new(url: &str, test: &str) -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        Self {
            url: url.to_owned(),
            prefix: format!("dp-test:{test}:{}-{nanos}:", std::process::id()),
        }
    }

    /// The `--replay-cache` value.
    fn cache_url(&self) -> String {
        let sep = if self.url.contains('?') { '&' } else { '?' };
        format!("{}{sep}prefix={}", self.url, self.prefix)
    }
}

impl Drop for Prefix {
    fn drop(&mut self) {
        // No panic here: a failing test is already unwinding.
        let Ok(mut c) = redis::Client::open(self.url.as_str()).and_then(|c| c.get_connection())
        else {
            return;
        };
        let keys: Vec<String> = redis::cmd("KEYS")
            .arg(format!("{}*", self.prefix))
            .query(&mut c)
            .unwrap_or_default();
        if !keys.is_empty() {
            let _: redis::RedisResult<i64> = redis::cmd("DEL").arg(keys).query(&mut c);
        }
    }
}

/// A recipient key pair `bob` and an envelope for it, `report.dpenv`, in `home`.
fn sealed_envelope(home: &Path) {
    let out = home.join("bob");
    let o = dp(
        home,
        &[
            "envelope",
            "keygen",
            "--bits",
            "2048",
            "--out",
            out.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = dp(
        home,
        &[
            "envelope",
            "seal",
            "--to",
            home.join("bob.pub.pem").to_str().unwrap(),
            "-o",
            home.join("report.dpenv").to_str().unwrap(),
        ],
        b"quarterly figures",
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

/// `dp envelope open --replay-cache CACHE --key bob.key.pem -o OUT report.dpenv`, not waited for.
fn spawn_open(home: &Path, cache: &str, out: &str) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_dp"))
        .args([
            "envelope",
            "open",
            "--replay-cache",
            cache,
            "--key",
            home.join("bob.key.pem").to_str().unwrap(),
            "-o",
            home.join(out).to_str().unwrap(),
            home.join("report.dpenv").to_str().unwrap(),
        ])
        .env("HOME", home)
        .env("TMPDIR", home)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

#[test]
fn of_sixteen_processes_opening_one_envelope_exactly_one_succeeds() {
    let test = "of_sixteen_processes_opening_one_envelope_exactly_one_succeeds";
    let Some(url) = server(test) else {
        return;
    };
    let prefix = Prefix::new(&url, "sixteen");
    let home = tempfile::tempdir().unwrap();
    sealed_envelope(home.path());
    let cache = prefix.cache_url();
    let children: Vec<_> = (0..16)
        .map(|i| spawn_open(home.path(), &cache, &format!("out-{i}")))
        .collect();
    let outputs: Vec<_> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    let codes: Vec<i32> = outputs.iter().map(code).collect();
    assert_eq!(codes.iter().filter(|&&c| c == 0).count(), 1, "{codes:?}");
    assert_eq!(codes.iter().filter(|&&c| c == 3).count(), 15, "{codes:?}");
    for (i, o) in outputs.iter().enumerate() {
        let out = home.path().join(format!("out-{i}"));
        if code(o) == 0 {
            assert_eq!(std::fs::read(&out).unwrap(), b"quarterly figures");
        } else {
            let err = stderr(o);
            assert!(err.contains("replay"), "{err}");
            assert!(!out.exists(), "a rejected open wrote {}", out.display());
        }
    }
    // And later, once more: still a replay.
    let o = spawn_open(home.path(), &cache, "again")
        .wait_with_output()
        .unwrap();
    assert_eq!(code(&o), 3, "{}", stderr(&o));
}

#[test]
fn an_unreachable_redis_is_an_error_never_a_pass() {
    let home = tempfile::tempdir().unwrap();
    sealed_envelope(home.path());
    let o = spawn_open(home.path(), "redis://u:pw@127.0.0.1:1/0?prefix=x:", "out")
        .wait_with_output()
        .unwrap();
    let err = stderr(&o);
    assert_eq!(code(&o), 1, "{err}");
    assert!(err.contains("redis://u:***@127.0.0.1:1/0"), "{err}");
    assert!(!err.contains("pw"), "{err}");
    assert!(!home.path().join("out").exists());
}

#[test]
fn a_malformed_replay_cache_url_is_a_usage_error() {
    let home = tempfile::tempdir().unwrap();
    sealed_envelope(home.path());
    let o = spawn_open(home.path(), "redis://u:pw@127.0.0.1:6379/0?prefx=a", "out")
        .wait_with_output()
        .unwrap();
    let err = stderr(&o);
    assert_eq!(code(&o), 2, "{err}");
    assert!(err.contains("prefx"), "{err}");
    assert!(!err.contains("pw"), "{err}");
}
