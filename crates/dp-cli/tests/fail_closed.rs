//! `dp` against a hostile or broken environment: files that are not files, dates past the end
//! of time, a key ring revoked in advance, writers killed or starved of disk. Nothing may hang,
//! panic, write a key that is useless on arrival, or leave a secret behind.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs,
    reason = "tests"
)]

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

struct Env {
    home: tempfile::TempDir,
}

impl Env {
    fn new() -> Self {
        Self {
            home: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.home.path().join(name)
    }

    fn keys(&self) -> PathBuf {
        self.path("keys")
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_dp"));
        command
            .args(args)
            .env("HOME", self.home.path())
            .env("DP_KEY_DIR", self.keys())
            .env_remove("LOCALAPPDATA")
            .env_remove("XDG_DATA_HOME")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        command
    }

    /// Runs `dp`, failing the test (instead of hanging it) after 20 seconds.
    fn dp(&self, args: &[&str], stdin: &[u8]) -> Output {
        let mut child = self.command(args).spawn().unwrap();
        // The child may exit before reading everything: a broken pipe is its business.
        let _ = child.stdin.take().unwrap().write_all(stdin);
        wait_bounded(child, args)
    }
}

fn wait_bounded(mut child: Child, args: &[&str]) -> Output {
    let deadline = Instant::now() + Duration::from_secs(20);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("dp {args:?} hung");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    child.wait_with_output().unwrap()
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .map(|rd| {
            rd.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn mkfifo(path: &Path) {
    assert!(Command::new("mkfifo").arg(path).status().unwrap().success());
}

#[test]
fn a_date_past_year_9999_in_utc_is_an_unreadable_key_not_a_panic() {
    let env = Env::new();
    let made = env.dp(&["protect", "--purpose", "p"], b"x");
    assert_eq!(code(&made), 0, "{}", stderr(&made));
    fs::write(
        env.keys()
            .join("key-0f0e0d0c-0b0a-0908-0706-050403020100.xml"),
        r#"<key id="0f0e0d0c-0b0a-0908-0706-050403020100" version="1">
  <creationDate>9999-12-31T23:59:59-01:00</creationDate>
  <activationDate>9999-12-31T23:59:59-01:00</activationDate>
  <expirationDate>9999-12-31T23:59:59-01:00</expirationDate>
  <descriptor deserializerType="x"><descriptor/></descriptor>
</key>"#,
    )
    .unwrap();
    let list = env.dp(&["keys", "list"], b"");
    assert_eq!(code(&list), 0, "{}", stderr(&list));
    let text = String::from_utf8_lossy(&list.stdout);
    assert!(text.contains("unreadable"), "{text}");
    let json = env.dp(&["keys", "list", "--json"], b"");
    assert_eq!(code(&json), 0, "{}", stderr(&json));
    let inspect = env.dp(&["inspect"], &made.stdout);
    assert_eq!(code(&inspect), 0, "{}", stderr(&inspect));
}

#[test]
fn protect_refuses_to_create_keys_that_a_future_revocation_revokes() {
    let env = Env::new();
    fs::create_dir_all(env.keys()).unwrap();
    fs::write(
        env.keys().join("revocation-29991231T000000Z.xml"),
        r#"<?xml version="1.0" encoding="utf-8"?>
<revocation version="1">
  <revocationDate>2999-12-31T00:00:00Z</revocationDate>
  <!--All keys created before the revocation date are revoked.-->
  <key id="*" />
  <reason>planned</reason>
</revocation>"#,
    )
    .unwrap();
    for _ in 0..3 {
        let out = env.dp(&["protect", "--purpose", "p"], b"x");
        assert_eq!(code(&out), 1, "{}", stderr(&out));
        assert!(out.stdout.is_empty());
        assert!(
            stderr(&out).contains("every key is revoked by the revocation of 2999-12-31T00:00:00Z"),
            "{}",
            stderr(&out)
        );
        assert_eq!(
            listing(&env.keys()),
            [".dp-keyring.lock", "revocation-29991231T000000Z.xml"],
            "no key written"
        );
    }
    let out = env.dp(&["keys", "new"], b"");
    assert_eq!(code(&out), 1, "{}", stderr(&out));
}

#[test]
fn killed_key_writers_leave_no_temporary_file() {
    let env = Env::new();
    // Kill `dp keys new` at spread-out moments, including mid-write.
    for i in 0..40u64 {
        let mut child = env
            .command(&["keys", "new"])
            .stdin(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_micros(300 * (i % 20) + 50 * i));
        let _ = child.kill();
        let _ = child.wait();
    }
    for name in listing(&env.keys()) {
        assert!(
            name == ".dp-keyring.lock" || (name.starts_with("key-") && name.ends_with(".xml")),
            "left behind: {name}"
        );
    }
    // Every key that did appear is whole.
    let list = env.dp(&["keys", "list", "--json"], b"");
    assert_eq!(code(&list), 0, "{}", stderr(&list));
    assert!(!String::from_utf8_lossy(&list.stdout).contains("unreadable"));
}

#[cfg(target_os = "linux")]
#[test]
fn a_key_write_that_runs_out_of_space_leaves_nothing() {
    let env = Env::new();
    fs::create_dir_all(env.keys()).unwrap();
    // A file-size limit of zero: every write fails with EFBIG, as on a full disk (SIGXFSZ is
    // ignored so that the write returns an error instead of killing the process).
    let script = format!(
        "trap '' XFSZ; ulimit -f 0; exec '{}' keys new",
        env!("CARGO_BIN_EXE_dp")
    );
    let mut bash = Command::new("bash");
    bash.args(["-c", &script])
        .env("HOME", env.home.path())
        .env("DP_KEY_DIR", env.keys())
        .env_remove("LOCALAPPDATA")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let out = wait_bounded(bash.spawn().unwrap(), &["keys", "new (no space)"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert_eq!(listing(&env.keys()), [".dp-keyring.lock"]);
}

#[cfg(unix)]
#[test]
fn a_key_directory_lock_that_is_a_link_is_refused() {
    let env = Env::new();
    fs::create_dir_all(env.keys()).unwrap();
    let target = env.path("planted");
    std::os::unix::fs::symlink(&target, env.keys().join(".dp-keyring.lock")).unwrap();
    let out = env.dp(&["protect", "--purpose", "p"], b"x");
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("is a link"), "{}", stderr(&out));
    assert!(!target.exists());
}

#[cfg(unix)]
#[test]
fn whole_file_inputs_must_be_regular_files() {
    let env = Env::new();
    let fifo = env.path("fifo");
    mkfifo(&fifo);
    let zero = env.path("zero");
    std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
    for input in [&fifo, &zero] {
        let input = input.to_str().unwrap();
        for args in [
            vec!["protect", "--purpose", "p", input],
            vec!["unprotect", "--purpose", "p", input],
            vec!["inspect", input],
        ] {
            let out = env.dp(&args, b"");
            assert_eq!(code(&out), 1, "{args:?}: {}", stderr(&out));
            assert!(
                stderr(&out).contains("not a regular file"),
                "{}",
                stderr(&out)
            );
        }
    }
}

#[test]
fn inputs_over_the_cap_are_refused_with_a_pointer_to_envelopes() {
    let env = Env::new();
    let big = env.path("big");
    fs::File::create(&big)
        .unwrap()
        .set_len((64 << 20) + 1)
        .unwrap();
    let out = env.dp(&["protect", "--purpose", "p", big.to_str().unwrap()], b"");
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("larger than the limit of 67108864 bytes"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("dp envelope seal"),
        "{}",
        stderr(&out)
    );
    assert!(!env.keys().exists() || listing(&env.keys()).iter().all(|n| !n.ends_with(".xml")));

    let help = env.dp(&["protect", "--help"], b"");
    assert!(String::from_utf8_lossy(&help.stdout).contains("dp envelope seal"));
}

#[cfg(unix)]
#[test]
fn a_replay_cache_that_is_not_a_regular_file_is_refused_without_hanging() {
    let env = Env::new();
    let keygen = env.dp(
        &[
            "envelope",
            "keygen",
            "--bits",
            "2048",
            "--out",
            env.path("bob").to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(code(&keygen), 0, "{}", stderr(&keygen));
    let sealed = env.dp(
        &[
            "envelope",
            "seal",
            "--to",
            env.path("bob.pub.pem").to_str().unwrap(),
        ],
        b"hello",
    );
    assert_eq!(code(&sealed), 0, "{}", stderr(&sealed));
    let fifo = env.path("cache-fifo");
    mkfifo(&fifo);
    let zero = env.path("cache-zero");
    std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
    for cache in [&fifo, &zero] {
        let out = env.dp(
            &[
                "envelope",
                "open",
                "--key",
                env.path("bob.key.pem").to_str().unwrap(),
                "--replay-cache",
                cache.to_str().unwrap(),
            ],
            &sealed.stdout,
        );
        assert_eq!(code(&out), 1, "{}", stderr(&out));
        assert!(out.stdout.is_empty());
        assert!(
            stderr(&out).contains("not a regular file"),
            "{}",
            stderr(&out)
        );
    }
    // Key files follow the same rule.
    let out = env.dp(
        &[
            "envelope",
            "open",
            "--key",
            fifo.to_str().unwrap(),
            "--no-replay-check",
        ],
        &sealed.stdout,
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
}
