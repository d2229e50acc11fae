//! Errors that name the real cause: a key directory that does not exist, a key that is there
//! but unreadable, the time-limited flag the wrong way round, expiries that cannot be meant.
#![allow(
    clippy::unwrap_used,
    missing_docs,
    reason = "test code: a panic is a test failure, and test items need no docs"
)]

mod common;

use common::{code, dp, stderr};
use std::path::Path;

#[test]
fn a_missing_key_directory_is_exit_1_for_readers_and_created_0700_by_protect() {
    let home = tempfile::tempdir().unwrap();
    let keys = home.path().join("nope");
    let k = keys.to_str().unwrap();
    let payload = {
        let other = home.path().join("other");
        let o = dp(
            home.path(),
            &[
                "--key-dir",
                other.to_str().unwrap(),
                "protect",
                "--purpose",
                "p",
            ],
            b"x",
        );
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        o.stdout
    };
    for args in [
        vec!["--key-dir", k, "unprotect", "--purpose", "p"],
        vec!["--key-dir", k, "keys", "list"],
        vec!["--key-dir", k, "inspect"],
    ] {
        let o = dp(home.path(), &args, &payload);
        assert_eq!(code(&o), 1, "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("does not exist"), "{}", stderr(&o));
        assert!(!keys.exists());
    }
    let o = dp(
        home.path(),
        &["--key-dir", k, "protect", "--purpose", "p"],
        b"x",
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(
            std::fs::metadata(&keys).unwrap().permissions().mode() & 0o777,
            0o700
        );
    }
}

#[test]
fn a_key_with_malformed_dates_is_reported_as_unreadable() {
    let home = tempfile::tempdir().unwrap();
    let keys = home.path().join("keys");
    let k = keys.to_str().unwrap();
    let o = dp(
        home.path(),
        &["--key-dir", k, "protect", "--purpose", "p"],
        b"x",
    );
    let payload = o.stdout;
    let file = std::fs::read_dir(&keys)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "xml"))
        .unwrap();
    let xml = std::fs::read_to_string(&file).unwrap();
    let start = xml.find("<creationDate>").unwrap() + 14;
    let end = xml.find("</creationDate>").unwrap();
    std::fs::write(&file, format!("{}yesterday{}", &xml[..start], &xml[end..])).unwrap();
    let o = dp(
        home.path(),
        &["--key-dir", k, "unprotect", "--purpose", "p"],
        &payload,
    );
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(stderr(&o).contains("unreadable"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("is --key-dir right"), "{}", stderr(&o));
}

#[test]
fn the_time_limited_flag_the_wrong_way_round_is_named() {
    let home = tempfile::tempdir().unwrap();
    let keys = home.path().join("keys");
    let k = keys.to_str().unwrap();
    let limited = dp(
        home.path(),
        &[
            "--key-dir",
            k,
            "protect",
            "--purpose",
            "p",
            "--expires-in",
            "1h",
        ],
        b"x",
    )
    .stdout;
    let plain = dp(
        home.path(),
        &["--key-dir", k, "protect", "--purpose", "p"],
        b"x",
    )
    .stdout;
    let o = dp(
        home.path(),
        &["--key-dir", k, "unprotect", "--purpose", "p"],
        &limited,
    );
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("hint: add --time-limited"),
        "{}",
        stderr(&o)
    );
    let o = dp(
        home.path(),
        &[
            "--key-dir",
            k,
            "unprotect",
            "--purpose",
            "p",
            "--time-limited",
        ],
        &plain,
    );
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("hint: drop --time-limited"),
        "{}",
        stderr(&o)
    );
    // A wrong purpose is still a wrong purpose.
    let o = dp(
        home.path(),
        &["--key-dir", k, "unprotect", "--purpose", "q"],
        &limited,
    );
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    assert!(!stderr(&o).contains("time-limited"), "{}", stderr(&o));
}

#[test]
fn expiries_that_cannot_be_meant_are_usage_errors() {
    let home = tempfile::tempdir().unwrap();
    let keys = home.path().join("keys");
    let k = keys.to_str().unwrap();
    for (flag, value, says) in [
        ("--expires-in", "0s", "zero"),
        ("--expires-in", "-5m", "negative"),
        ("--expires-at", "2001-01-01T00:00:00Z", "not in the future"),
        ("--expires-at", "2999-01-01T00:00:00", "with a zone"),
    ] {
        // `--flag=value`, so that clap hands a leading `-` to dp.
        let arg = format!("{flag}={value}");
        let o = dp(
            home.path(),
            &["--key-dir", k, "protect", "--purpose", "p", &arg],
            b"x",
        );
        assert_eq!(code(&o), 2, "{flag} {value}: {}", stderr(&o));
        assert!(stderr(&o).contains(says), "{flag} {value}: {}", stderr(&o));
        assert!(o.stdout.is_empty());
    }
    let o = dp(
        home.path(),
        &[
            "--key-dir",
            k,
            "protect",
            "--purpose",
            "p",
            "--expires-at",
            "2999-01-01T00:00:00+02:00",
        ],
        b"x",
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

#[test]
fn capi_open_suggests_legacy_padding_only_when_a_well_formed_blob_fails_to_unwrap() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../dp-envelope/tests/data/capi");
    let home = tempfile::tempdir().unwrap();
    let d = |n: &str| data.join(n).to_string_lossy().into_owned();
    // A SIMPLEBLOB cut short: malformed, named with the file, no padding hint.
    let cut = home.path().join("cut.simpleblob");
    let blob = std::fs::read(data.join("aes256-oaep.simpleblob")).unwrap();
    std::fs::write(&cut, &blob[..20]).unwrap();
    let o = dp(
        home.path(),
        &[
            "capi",
            "open",
            "--danger-no-integrity",
            "--key",
            &d("rsa2048.key.pem"),
            "--session-key",
            cut.to_str().unwrap(),
            &d("message-aes256.bin"),
        ],
        b"",
    );
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    assert!(stderr(&o).contains("cut.simpleblob"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("--legacy-pkcs1"), "{}", stderr(&o));
}
