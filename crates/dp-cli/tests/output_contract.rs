//! The output contract of issue 13: one JSON shape (`"schema": 1` first, errors as JSON too),
//! ring options only where a key ring is used, created keys announced, the RSA backend named,
//! shell completions.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs,
    reason = "test code: a panic is a test failure, and test items need no docs"
)]

mod common;

use common::{code, documented, dp, schema_document, stderr, stdout};
use std::path::Path;
use std::process::Output;

/// The JSON error object on stderr, with its exit code checked against the process's.
fn json_error(o: &Output) -> serde_json::Value {
    assert!(o.stdout.is_empty(), "{}", stdout(o));
    let text = stderr(o);
    assert_eq!(text.lines().count(), 1, "one line: {text}");
    let value = schema_document(&text);
    assert!(value["error"].is_string(), "{text}");
    assert!(value.as_object().unwrap().contains_key("hint"), "{text}");
    assert_eq!(value["exit"], code(o), "{text}");
    documented(&value);
    value
}

fn protect(home: &Path, key_dir: &str) -> Output {
    dp(
        home,
        &["--key-dir", key_dir, "protect", "--purpose", "p"],
        b"data",
    )
}

#[test]
fn keys_list_json_is_one_object_with_revocations_per_key() {
    let home = tempfile::tempdir().unwrap();
    let keys = home.path().join("keys");
    let k = keys.to_str().unwrap();
    assert_eq!(code(&protect(home.path(), k)), 0);
    let list = dp(
        home.path(),
        &["keys", "list", "--json", "--key-dir", k],
        b"",
    );
    assert_eq!(code(&list), 0, "{}", stderr(&list));
    let doc = schema_document(&stdout(&list));
    let first = doc["keys"][0].clone();
    let id = first["id"].as_str().unwrap().to_owned();
    for field in [
        "id",
        "state",
        "created",
        "activation",
        "expiration",
        "algorithm",
        "revoked",
        "revocation_date",
        "revocation_reason",
        "revocation_scope",
        "protection",
        "encrypted_at_rest",
        "unusable_reason",
        "source",
    ] {
        assert!(
            first.as_object().unwrap().contains_key(field),
            "{field}: {first}"
        );
    }
    assert!(first["revocation_date"].is_null() && first["unusable_reason"].is_null());

    let r = dp(
        home.path(),
        &[
            "--key-dir",
            k,
            "keys",
            "revoke",
            "--key-id",
            &id,
            "--reason",
            "leaked",
        ],
        b"",
    );
    assert_eq!(code(&r), 0, "{}", stderr(&r));
    // A second key, then every key revoked at once: the first key keeps its own revocation.
    assert_eq!(code(&protect(home.path(), k)), 0);
    let all = dp(
        home.path(),
        &[
            "--key-dir",
            k,
            "keys",
            "revoke",
            "--all",
            "--reason",
            "server compromise",
        ],
        b"",
    );
    assert_eq!(code(&all), 0, "{}", stderr(&all));
    let list = dp(
        home.path(),
        &["--key-dir", k, "keys", "list", "--json"],
        b"",
    );
    let doc = schema_document(&stdout(&list));
    let rows = doc["keys"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    let own = rows.iter().find(|r| r["id"] == id.as_str()).unwrap();
    documented(&doc);
    assert_eq!(own["revoked"], true);
    assert_eq!(own["revocation_reason"], "leaked");
    assert_eq!(own["revocation_scope"], "key");
    assert!(own["revocation_date"].as_str().unwrap().ends_with('Z'));
    let other = rows.iter().find(|r| r["id"] != id.as_str()).unwrap();
    assert_eq!(other["revocation_reason"], "server compromise");
    assert_eq!(other["revocation_scope"], "all_keys_created_before");
}

#[test]
fn keys_list_table_fits_100_columns_and_shows_revocations() {
    let home = tempfile::tempdir().unwrap();
    let keys = home.path().join("keys");
    let k = keys.to_str().unwrap();
    assert_eq!(code(&protect(home.path(), k)), 0);
    let reason = "the backup tape with this key was left on a train, so it must be assumed \
                  copied by whoever found it";
    let r = dp(
        home.path(),
        &[
            "--key-dir",
            k,
            "keys",
            "revoke",
            "--all",
            "--reason",
            reason,
        ],
        b"",
    );
    assert_eq!(code(&r), 0, "{}", stderr(&r));
    let json = dp(
        home.path(),
        &["--key-dir", k, "keys", "list", "--json"],
        b"",
    );
    let doc = schema_document(&stdout(&json));
    let date = doc["keys"][0]["revocation_date"]
        .as_str()
        .unwrap()
        .to_owned();

    let list = dp(home.path(), &["--key-dir", k, "keys", "list"], b"");
    assert_eq!(code(&list), 0, "{}", stderr(&list));
    let text = stdout(&list);
    for line in text.lines() {
        assert!(
            line.chars().count() <= 100,
            "{} columns: {line}",
            line.chars().count()
        );
    }
    assert!(text.contains("revoked"), "{text}");
    assert!(text.contains(&date[..10]), "the revocation date: {text}");
    assert!(text.contains("the backup tape"), "the reason: {text}");
}

#[test]
fn every_json_output_starts_with_the_schema() {
    let home = tempfile::tempdir().unwrap();
    let keys = home.path().join("keys");
    let k = keys.to_str().unwrap();
    let token = protect(home.path(), k).stdout;
    let inspect = dp(home.path(), &["--key-dir", k, "inspect", "--json"], &token);
    assert_eq!(code(&inspect), 0, "{}", stderr(&inspect));
    let doc = schema_document(&stdout(&inspect));
    documented(&doc);
    assert_eq!(doc["format_version"], 0);
    assert_eq!(doc["key"]["revoked"], false);
    assert!(
        doc["key"]
            .as_object()
            .unwrap()
            .contains_key("revocation_reason")
    );
    assert!(
        doc["key"]
            .as_object()
            .unwrap()
            .contains_key("unusable_reason")
    );

    let bob = home.path().join("bob");
    let g = dp(
        home.path(),
        &[
            "envelope",
            "keygen",
            "--bits",
            "2048",
            "--out",
            bob.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(code(&g), 0, "{}", stderr(&g));
    let public = home.path().join("bob.pub.pem");
    let sealed = dp(
        home.path(),
        &["envelope", "seal", "--to", public.to_str().unwrap()],
        b"hi",
    );
    assert_eq!(code(&sealed), 0, "{}", stderr(&sealed));
    let e = dp(
        home.path(),
        &["envelope", "inspect", "--json"],
        &sealed.stdout,
    );
    assert_eq!(code(&e), 0, "{}", stderr(&e));
    documented(&schema_document(&stdout(&e)));
    // Signed, so that the sender's fields are there too.
    let signed = dp(
        home.path(),
        &[
            "envelope",
            "seal",
            "--to",
            public.to_str().unwrap(),
            "--sign",
            home.path().join("bob.key.pem").to_str().unwrap(),
        ],
        b"hi",
    );
    assert_eq!(code(&signed), 0, "{}", stderr(&signed));
    let e = dp(
        home.path(),
        &["envelope", "inspect", "--json"],
        &signed.stdout,
    );
    let doc = schema_document(&stdout(&e));
    assert!(doc["sender"].is_object());
    documented(&doc);

    let bench = dp(
        home.path(),
        &["bench", "--seconds", "0.01", "--json", "cookie_decode"],
        b"",
    );
    assert_eq!(code(&bench), 0, "{}", stderr(&bench));
    documented(&schema_document(&stdout(&bench)));
    let list = dp(
        home.path(),
        &["--key-dir", k, "keys", "list", "--json"],
        b"",
    );
    documented(&schema_document(&stdout(&list)));
}

#[test]
fn errors_are_json_when_json_is_asked_for() {
    let home = tempfile::tempdir().unwrap();
    let keys = home.path().join("keys");
    let k = keys.to_str().unwrap();
    // Rejected input: exit 3.
    let o = dp(home.path(), &["--key-dir", k, "inspect", "--json"], b"AAAA");
    assert_eq!(code(&o), 3);
    json_error(&o);
    // A runtime error: exit 1 (a key directory that is a file).
    let file = home.path().join("file");
    std::fs::write(&file, "x").unwrap();
    let o = dp(
        home.path(),
        &[
            "keys",
            "list",
            "--json",
            "--key-dir",
            file.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    json_error(&o);
    // Usage errors, found by clap or by dp: exit 2, wherever --json stands.
    for args in [
        vec!["keys", "list", "--json", "--bogus"],
        vec!["--json", "keys", "list"],
        vec!["envelope", "inspect", "--json", "--key-dir", k],
        vec!["--key-dir", k, "bench", "--json"],
        vec!["bench", "--json", "--seconds", "0"],
    ] {
        let o = dp(home.path(), &args, b"");
        assert_eq!(code(&o), 2, "{args:?}: {}", stderr(&o));
        json_error(&o);
    }
    // Without --json, the usual text.
    let o = dp(home.path(), &["--key-dir", k, "inspect"], b"AAAA");
    assert!(stderr(&o).starts_with("error: "), "{}", stderr(&o));
}

#[test]
fn ring_options_go_before_or_after_ring_commands_only() {
    let home = tempfile::tempdir().unwrap();
    let keys = home.path().join("keys");
    let k = keys.to_str().unwrap();
    // After the subcommand, and between `keys` and its subcommand.
    let o = dp(
        home.path(),
        &["protect", "--purpose", "p", "--key-dir", k],
        b"x",
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(keys.is_dir());
    let token = o.stdout;
    let o = dp(
        home.path(),
        &["unprotect", "--purpose", "p", "--key-dir", k],
        &token,
    );
    assert_eq!(
        (code(&o), o.stdout.as_slice()),
        (0, &b"x"[..]),
        "{}",
        stderr(&o)
    );
    for args in [
        vec!["keys", "--key-dir", k, "list", "--json"],
        vec!["keys", "list", "--json", "--key-dir", k],
        vec!["--key-dir", k, "keys", "list", "--json"],
    ] {
        let o = dp(home.path(), &args, b"");
        assert_eq!(code(&o), 0, "{args:?}: {}", stderr(&o));
        assert_eq!(
            schema_document(&stdout(&o))["keys"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
    }
    // Before the subcommand, the one after it wins.
    let other = home.path().join("other");
    let o = dp(
        home.path(),
        &[
            "--key-dir",
            other.to_str().unwrap(),
            "keys",
            "list",
            "--json",
            "--key-dir",
            k,
        ],
        b"",
    );
    assert_eq!(
        schema_document(&stdout(&o))["keys"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // Commands without a key ring refuse them, before or after, with exit 2.
    let pem = home.path().join("nothing.pem");
    let pem = pem.to_str().unwrap();
    for args in [
        vec!["--key-dir", k, "envelope", "inspect"],
        vec!["envelope", "inspect", "--key-dir", k],
        vec!["--app-name", "A", "bench", "--seconds", "0.01"],
        vec!["bench", "--seconds", "0.01", "--app-name", "A"],
        vec![
            "--allow-unencrypted-keys",
            "capi",
            "import-key",
            "--in",
            pem,
            "-o",
            pem,
        ],
        vec!["capi", "import-key", "--in", pem, "-o", pem, "--key-dir", k],
        vec!["--key-dir", k, "completions", "bash"],
    ] {
        let o = dp(home.path(), &args, b"");
        assert_eq!(code(&o), 2, "{args:?}: {}", stderr(&o));
        assert!(
            stderr(&o).starts_with("error: "),
            "{args:?}: {}",
            stderr(&o)
        );
    }

    // Shown in the help of ring commands only.
    let help = |args: &[&str]| {
        let o = dp(home.path(), args, b"");
        assert_eq!(code(&o), 0);
        stdout(&o)
    };
    for args in [
        &["protect", "--help"][..],
        &["unprotect", "--help"],
        &["inspect", "--help"],
        &["keys", "--help"],
        &["keys", "list", "--help"],
        &["keys", "rewrap", "--help"],
    ] {
        let text = help(args);
        assert!(text.contains("--key-dir <DIR>"), "{args:?}: {text}");
        assert!(
            text.contains("--protect-keys-with <CERT>"),
            "{args:?}: {text}"
        );
    }
    for args in [
        &["--help"][..],
        &["envelope", "--help"],
        &["envelope", "seal", "--help"],
        &["capi", "open", "--help"],
        &["bench", "--help"],
        &["completions", "--help"],
    ] {
        let text = help(args);
        assert!(!text.contains("--key-dir <DIR>"), "{args:?}: {text}");
        assert!(!text.contains("--app-name <NAME>"), "{args:?}: {text}");
    }
}

#[test]
fn created_keys_are_announced_on_stderr() {
    let home = tempfile::tempdir().unwrap();
    let keys = home.path().join("keys");
    let k = keys.to_str().unwrap();
    let first = protect(home.path(), k);
    assert_eq!(code(&first), 0, "{}", stderr(&first));
    let list = dp(
        home.path(),
        &["--key-dir", k, "keys", "list", "--json"],
        b"",
    );
    let id = schema_document(&stdout(&list))["keys"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(stderr(&first), format!("note: created key {id} in {k}\n"));
    // The ring has a default key now: nothing is created, nothing announced.
    let again = protect(home.path(), k);
    assert_eq!(stderr(&again), "");

    // A default key that expires within two days gets a successor, announced too.
    let soon = home.path().join("soon");
    let s = soon.to_str().unwrap();
    let activation = (time::OffsetDateTime::now_utc() - time::Duration::hours(7 * 24 - 12))
        .replace_nanosecond(0)
        .unwrap();
    let activation = activation
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let made = dp(
        home.path(),
        &[
            "--key-dir",
            s,
            "keys",
            "new",
            "--lifetime",
            "7",
            "--activate-at",
            &activation,
        ],
        b"",
    );
    assert_eq!(code(&made), 0, "{}", stderr(&made));
    let old = stdout(&made).trim().to_owned();
    assert_eq!(stderr(&made), format!("note: created key {old} in {s}\n"));
    let o = protect(home.path(), s);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let note = stderr(&o);
    assert!(
        note.starts_with("note: created key ") && note.ends_with(&format!(" in {s}\n")),
        "{note}"
    );
    assert!(!note.contains(&old), "{note}");
}

#[test]
fn version_names_the_rsa_backend() {
    let home = tempfile::tempdir().unwrap();
    let o = dp(home.path(), &["--version"], b"");
    assert_eq!(code(&o), 0);
    let text = stdout(&o);
    assert!(
        text.starts_with(&format!("dp {} (RSA: ", env!("CARGO_PKG_VERSION"))),
        "{text}"
    );
    assert!(text.contains("AWS-LC"), "{text}");
}

#[test]
fn completions_come_from_the_command_definitions() {
    let home = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let o = dp(home.path(), &["completions", shell], b"");
        assert_eq!(code(&o), 0, "{shell}: {}", stderr(&o));
        let text = stdout(&o);
        for word in [
            "protect",
            "envelope",
            "key-dir",
            "purpose",
            "danger-no-integrity",
        ] {
            assert!(text.contains(word), "{shell}: {word}");
        }
    }
    let o = dp(home.path(), &["completions", "tcsh"], b"");
    assert_eq!(code(&o), 2);
}

/// `dp … | head -1`: a reader that goes away ends dp quietly (exit 0, no panic); a full disk is
/// exit 1 with an error line.
#[test]
fn closed_or_full_stdout_is_not_a_panic() {
    use std::process::{Command, Stdio};
    let home = tempfile::tempdir().unwrap();
    let keys = home.path().join("keys");
    let keys = keys.to_str().unwrap();
    for _ in 0..3 {
        assert_eq!(
            code(&dp(home.path(), &["--key-dir", keys, "keys", "new"], b"")),
            0
        );
    }
    for args in [
        &["--key-dir", keys, "keys", "list"][..],
        &["--key-dir", keys, "keys", "list", "--json"],
        &["purposes"],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_dp"))
            .args(args)
            .env("HOME", home.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        assert_eq!(code(&out), 0, "{args:?}: {}", stderr(&out));
        assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));

        if Path::new("/dev/full").exists() {
            let full = std::fs::OpenOptions::new()
                .write(true)
                .open("/dev/full")
                .unwrap();
            let out = Command::new(env!("CARGO_BIN_EXE_dp"))
                .args(args)
                .env("HOME", home.path())
                .stdout(full)
                .stderr(Stdio::piped())
                .output()
                .unwrap();
            assert_eq!(code(&out), 1, "{args:?}: {}", stderr(&out));
            assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
        }
    }
}
