//! The `dp` command-line contract: commands, output, exit codes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs,
    reason = "test code: a panic is a test failure, and test items need no docs"
)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../dp-keyring/tests/data")
}

/// Runs `dp` with a private HOME so that nothing touches the real default key directory.
fn dp(home: &Path, args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dp"))
        .args(args)
        .env("HOME", home)
        .env_remove("DP_KEY_DIR")
        .env_remove("LOCALAPPDATA")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A dp that refuses its arguments exits without reading stdin: a broken pipe here is
    // expected, and the exit code says what happened.
    let _ = child.stdin.take().unwrap().write_all(stdin);
    child.wait_with_output().unwrap()
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn xml_count(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter(|e| {
                e.as_ref()
                    .is_ok_and(|e| e.file_name().to_string_lossy().ends_with(".xml"))
            })
            .count()
        })
        .unwrap_or(0)
}

fn copy_ring(name: &str, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(data_dir().join("rings").join(name)).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

#[test]
fn protect_then_unprotect_round_trip() {
    let home = tempfile::tempdir().unwrap();
    let keys = home.path().join("keys");
    let k = keys.to_str().unwrap();
    let out = dp(
        home.path(),
        &["--key-dir", k, "protect", "--purpose", "demo"],
        b"hello\x00world",
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = String::from_utf8(out.stdout.clone()).unwrap();
    assert!(text.starts_with("CfDJ8") && text.ends_with('\n'), "{text}");
    assert_eq!(
        xml_count(&keys),
        1,
        "the first key is created automatically"
    );

    let back = dp(
        home.path(),
        &["--key-dir", k, "unprotect", "--purpose", "demo"],
        text.as_bytes(),
    );
    assert_eq!(code(&back), 0, "{}", stderr(&back));
    assert_eq!(back.stdout, b"hello\x00world");

    // Raw payloads, files in and out.
    let raw = dp(
        home.path(),
        &["--key-dir", k, "protect", "--purpose", "demo", "--raw"],
        b"bin",
    );
    assert_eq!(&raw.stdout[..4], &[0x09, 0xF0, 0xC9, 0xF0]);
    let payload_file = home.path().join("p.bin");
    std::fs::write(&payload_file, &raw.stdout).unwrap();
    let out_file = home.path().join("plain.txt");
    let o = dp(
        home.path(),
        &[
            "--key-dir",
            k,
            "unprotect",
            "--purpose",
            "demo",
            "--raw",
            "-o",
            out_file.to_str().unwrap(),
            payload_file.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(o.stdout.is_empty());
    assert_eq!(std::fs::read(&out_file).unwrap(), b"bin");
}

#[test]
fn default_directory_is_the_aspnet_one() {
    let home = tempfile::tempdir().unwrap();
    let out = dp(home.path(), &["protect", "--purpose", "x"], b"v");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        xml_count(&home.path().join(".aspnet/DataProtection-Keys")),
        1
    );
}

#[test]
fn dotnet_payloads_unprotect_with_the_app_key_directory() {
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(data_dir().join("vectors.json")).unwrap())
            .unwrap();
    for (ring, case) in v["rings"].as_object().unwrap() {
        let home = tempfile::tempdir().unwrap();
        let keys = home.path().join("keys");
        copy_ring(ring, &keys);
        let payload = hex::decode(case["payload_hex"].as_str().unwrap()).unwrap();
        let text = dp_format::base64url::encode(&payload);
        let k = keys.to_str().unwrap();
        let out = dp(
            home.path(),
            &[
                "--key-dir",
                k,
                "--app-name",
                "MyApp",
                "unprotect",
                "--purpose",
                "MyPurpose",
            ],
            format!("  {text}\r\n").as_bytes(),
        );
        assert_eq!(code(&out), 0, "{ring}: {}", stderr(&out));
        assert_eq!(out.stdout, b"Hello, World!");
        assert_eq!(xml_count(&keys), 1, "unprotect creates no key");

        // Wrong app name: rejected, nothing on stdout, a hint about purposes.
        let bad = dp(
            home.path(),
            &["--key-dir", k, "unprotect", "--purpose", "MyPurpose"],
            text.as_bytes(),
        );
        assert_eq!(code(&bad), 3);
        assert!(bad.stdout.is_empty());
        assert!(stderr(&bad).contains("hint:"), "{}", stderr(&bad));
    }
    // The time-limited vector.
    let home = tempfile::tempdir().unwrap();
    let keys = home.path().join("keys");
    copy_ring("aes256cbc-hmacsha256", &keys);
    let text = v["time_limited"]["payload_base64url"].as_str().unwrap();
    let k = keys.to_str().unwrap();
    let out = dp(
        home.path(),
        &[
            "--key-dir",
            k,
            "--app-name",
            "MyApp",
            "unprotect",
            "--purpose",
            "MyPurpose",
            "--time-limited",
        ],
        text.as_bytes(),
    );
    // It expired in 2000.
    assert_eq!(code(&out), 3);
    assert!(stderr(&out).contains("expired"), "{}", stderr(&out));
}

#[test]
fn keys_written_by_dp_have_the_dotnet_layout() {
    let home = tempfile::tempdir().unwrap();
    let keys = home.path().join("keys");
    let k = keys.to_str().unwrap();
    for alg in [
        "AES_256_CBC+HMACSHA256",
        "AES_128_CBC+HMACSHA512",
        "AES_256_GCM",
        "AES_192_GCM",
    ] {
        let out = dp(
            home.path(),
            &["--key-dir", k, "keys", "new", "--algorithm", alg],
            b"",
        );
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        let id = String::from_utf8(out.stdout).unwrap().trim().to_owned();
        let xml = std::fs::read_to_string(keys.join(format!("key-{id}.xml"))).unwrap();
        assert!(
            xml.starts_with("\u{feff}<?xml version=\"1.0\" encoding=\"utf-8\"?>"),
            "{xml}"
        );
        assert!(xml.contains(&format!("<key id=\"{id}\" version=\"1\">")));
        assert!(xml.contains(
            "AuthenticatedEncryptorDescriptorDeserializer, Microsoft.AspNetCore.DataProtection"
        ));
        assert!(xml.contains("<!-- Warning: the key below is in an unencrypted form. -->"));
        let enc = alg.split('+').next().unwrap();
        assert!(
            xml.contains(&format!("<encryption algorithm=\"{enc}\" />")),
            "{xml}"
        );
    }
    let bad = dp(
        home.path(),
        &["--key-dir", k, "keys", "new", "--algorithm", "DES"],
        b"",
    );
    assert_eq!(code(&bad), 2);
}

#[test]
fn eight_processes_on_an_empty_directory_create_one_key() {
    let home = tempfile::tempdir().unwrap();
    let keys = home.path().join("keys");
    let k = keys.to_str().unwrap().to_owned();
    let children: Vec<_> = (0..8)
        .map(|i| {
            let mut child = Command::new(env!("CARGO_BIN_EXE_dp"))
                .args(["--key-dir", &k, "protect", "--purpose", "race"])
                .env("HOME", home.path())
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            child
                .stdin
                .take()
                .unwrap()
                .write_all(format!("message {i}").as_bytes())
                .unwrap();
            child
        })
        .collect();
    let outputs: Vec<Output> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    assert_eq!(xml_count(&keys), 1, "exactly one key file");
    for (i, out) in outputs.iter().enumerate() {
        assert_eq!(code(out), 0, "{}", stderr(out));
        let back = dp(
            home.path(),
            &["--key-dir", &k, "unprotect", "--purpose", "race"],
            &out.stdout,
        );
        assert_eq!(code(&back), 0, "{}", stderr(&back));
        assert_eq!(back.stdout, format!("message {i}").as_bytes());
    }
}

#[test]
fn rejections_exit_3_with_nothing_on_stdout() {
    let home = tempfile::tempdir().unwrap();
    let keys = home.path().join("keys");
    let k = keys.to_str().unwrap();
    let out = dp(
        home.path(),
        &["--key-dir", k, "protect", "--purpose", "a", "--raw"],
        b"secret",
    );
    let payload = out.stdout;

    // Every flipped byte is rejected.
    for i in 0..payload.len() {
        let mut bad = payload.clone();
        bad[i] ^= 0x01;
        let o = dp(
            home.path(),
            &["--key-dir", k, "unprotect", "--purpose", "a", "--raw"],
            &bad,
        );
        assert_eq!(code(&o), 3, "byte {i}: {}", stderr(&o));
        assert!(o.stdout.is_empty());
        assert_eq!(
            stderr(&o).lines().next().map(|l| l.starts_with("error: ")),
            Some(true)
        );
    }
    // Truncated, wrong purpose, not base64url.
    for (args, input) in [
        (
            vec!["unprotect", "--purpose", "a", "--raw"],
            payload[..30].to_vec(),
        ),
        (
            vec!["unprotect", "--purpose", "b", "--raw"],
            payload.clone(),
        ),
        (vec!["unprotect", "--purpose", "a"], b"not base64!".to_vec()),
        (vec!["unprotect", "--purpose", "a"], b"".to_vec()),
    ] {
        let mut full = vec!["--key-dir", k];
        full.extend(args);
        let o = dp(home.path(), &full, &input);
        assert_eq!(code(&o), 3, "{full:?}: {}", stderr(&o));
        assert!(o.stdout.is_empty());
    }
    // Unknown key: rejected with a hint about --key-dir.
    let other = home.path().join("other");
    std::fs::create_dir(&other).unwrap();
    let o = dp(
        home.path(),
        &[
            "--key-dir",
            other.to_str().unwrap(),
            "unprotect",
            "--purpose",
            "a",
            "--raw",
        ],
        &payload,
    );
    assert_eq!(code(&o), 3);
    assert!(stderr(&o).contains("--key-dir"), "{}", stderr(&o));
}

#[test]
fn revoke_allow_revoked_list_and_prune() {
    let home = tempfile::tempdir().unwrap();
    let keys = home.path().join("keys");
    let k = keys.to_str().unwrap();
    let token = dp(
        home.path(),
        &["--key-dir", k, "protect", "--purpose", "p"],
        b"data",
    )
    .stdout;
    let list = dp(
        home.path(),
        &["--key-dir", k, "keys", "list", "--json"],
        b"",
    );
    assert_eq!(code(&list), 0, "{}", stderr(&list));
    let list: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    let rows = &list["keys"];
    assert_eq!(rows.as_array().unwrap().len(), 1);
    assert_eq!(rows[0]["state"], "default");
    assert_eq!(rows[0]["algorithm"], "AES_256_CBC+HMACSHA256");
    let id = rows[0]["id"].as_str().unwrap().to_owned();

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
            "test",
        ],
        b"",
    );
    assert_eq!(code(&r), 0, "{}", stderr(&r));
    let o = dp(
        home.path(),
        &["--key-dir", k, "unprotect", "--purpose", "p"],
        &token,
    );
    assert_eq!(code(&o), 3);
    assert!(stderr(&o).contains("--allow-revoked"));
    let o = dp(
        home.path(),
        &[
            "--key-dir",
            k,
            "unprotect",
            "--purpose",
            "p",
            "--allow-revoked",
        ],
        &token,
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(o.stdout, b"data");

    let list = dp(home.path(), &["--key-dir", k, "keys", "list"], b"");
    let text = String::from_utf8(list.stdout).unwrap();
    assert!(text.contains("revoked"), "{text}");

    let none = dp(
        home.path(),
        &[
            "--key-dir",
            k,
            "keys",
            "revoke",
            "--key-id",
            "00000000-0000-0000-0000-000000000001",
        ],
        b"",
    );
    assert_eq!(code(&none), 1);
    let usage = dp(home.path(), &["--key-dir", k, "keys", "revoke"], b"");
    assert_eq!(code(&usage), 2);
    let all = dp(
        home.path(),
        &["--key-dir", k, "keys", "revoke", "--all"],
        b"",
    );
    assert_eq!(code(&all), 0, "{}", stderr(&all));

    // Nothing has expired long enough to be pruned.
    let p = dp(
        home.path(),
        &["--key-dir", k, "keys", "prune", "--expired-for", "30"],
        b"",
    );
    assert_eq!(code(&p), 0, "{}", stderr(&p));
    assert!(p.stdout.is_empty());
}

#[test]
fn time_limited_from_the_command_line() {
    let home = tempfile::tempdir().unwrap();
    let keys = home.path().join("keys");
    let k = keys.to_str().unwrap();
    let t = dp(
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
        b"soon",
    );
    assert_eq!(code(&t), 0, "{}", stderr(&t));
    let ok = dp(
        home.path(),
        &[
            "--key-dir",
            k,
            "unprotect",
            "--purpose",
            "p",
            "--time-limited",
        ],
        &t.stdout,
    );
    assert_eq!(ok.stdout, b"soon");
    let plain = dp(
        home.path(),
        &["--key-dir", k, "unprotect", "--purpose", "p"],
        &t.stdout,
    );
    assert_eq!(code(&plain), 3);

    let past = dp(
        home.path(),
        &[
            "--key-dir",
            k,
            "protect",
            "--purpose",
            "p",
            "--expires-in",
            "1s",
        ],
        b"old",
    );
    assert_eq!(code(&past), 0);
    // Expired by the time it is read (an expiry in the past is a usage error).
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let expired = dp(
        home.path(),
        &[
            "--key-dir",
            k,
            "unprotect",
            "--purpose",
            "p",
            "--time-limited",
        ],
        &past.stdout,
    );
    assert_eq!(code(&expired), 3);
    assert!(expired.stdout.is_empty());

    let bad = dp(
        home.path(),
        &[
            "--key-dir",
            k,
            "protect",
            "--purpose",
            "p",
            "--expires-in",
            "soon",
        ],
        b"x",
    );
    assert_eq!(code(&bad), 2);
}

#[test]
fn inspect_reports_header_and_key_dates() {
    let home = tempfile::tempdir().unwrap();
    let keys = home.path().join("keys");
    let k = keys.to_str().unwrap();
    let token = dp(
        home.path(),
        &["--key-dir", k, "protect", "--purpose", "p"],
        b"0123456789",
    )
    .stdout;
    let o = dp(home.path(), &["--key-dir", k, "inspect", "--json"], &token);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["format_version"], 0);
    assert_eq!(v["key_in_ring"], true);
    assert_eq!(v["algorithm"], "AES_256_CBC+HMACSHA256");
    assert_eq!(v["plaintext_length"]["min"], 0);
    assert_eq!(v["plaintext_length"]["max"], 15);
    assert!(v["produced_not_before"].is_string());
    let text = dp(home.path(), &["--key-dir", k, "inspect"], &token);
    assert!(String::from_utf8(text.stdout).unwrap().contains("key id:"));
    let junk = dp(home.path(), &["--key-dir", k, "inspect"], b"AAAA");
    assert_eq!(code(&junk), 3);
}

#[test]
fn help_says_what_and_shows_examples() {
    let home = tempfile::tempdir().unwrap();
    for args in [
        vec!["--help"],
        vec!["protect", "--help"],
        vec!["unprotect", "--help"],
        vec!["inspect", "--help"],
        vec!["keys", "new", "--help"],
        vec!["keys", "list", "--help"],
        vec!["keys", "revoke", "--help"],
        vec!["keys", "prune", "--help"],
    ] {
        let o = dp(home.path(), &args, b"");
        assert_eq!(code(&o), 0);
        let text = String::from_utf8(o.stdout).unwrap();
        assert!(text.contains("Example"), "{args:?}: {text}");
    }
    let o = dp(home.path(), &["keys", "--help"], b"");
    assert_eq!(code(&o), 0);
    let o = dp(home.path(), &["frobnicate"], b"");
    assert_eq!(code(&o), 2);
}

/// `dp bench` runs without a key directory and reports every measurement; speed itself is
/// measured, never asserted.
#[test]
fn bench_prints_the_table_and_json() {
    let home = tempfile::tempdir().unwrap();
    let o = dp(home.path(), &["bench", "--seconds", "0.01"], b"");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let text = String::from_utf8(o.stdout).unwrap();
    let header = text.lines().nth(1).unwrap();
    let columns: Vec<&str> = header.split_whitespace().collect();
    assert_eq!(
        columns,
        [
            "op",
            "algorithm",
            "size",
            "threads",
            "ops/s",
            "MB/s",
            "median"
        ],
        "{text}"
    );
    for word in [
        "protect",
        "unprotect",
        "AES_256_GCM",
        "cookie_decode",
        "RSA-3072 (aws-lc)",
        "64 MiB",
        "keyring_load",
        "1000 keys",
    ] {
        assert!(text.contains(word), "{word}: {text}");
    }
    assert!(
        !home.path().join(".aspnet").exists(),
        "no key directory is touched"
    );

    // JSON, on two threads, filtered to one algorithm.
    let o = dp(
        home.path(),
        &[
            "bench",
            "--seconds",
            "0.01",
            "--json",
            "--threads",
            "2",
            "AES_256_GCM",
        ],
        b"",
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report["schema"], 1);
    assert!(report["host"]["cores"].as_u64().unwrap() >= 1);
    assert!(report["host"]["features"].is_array());
    let results = report["results"].as_array().unwrap();
    // 4 sizes × protect/unprotect, on one thread and on two.
    assert_eq!(results.len(), 16, "{report}");
    for r in results {
        assert_eq!(r["algorithm"], "AES_256_GCM");
        assert!(r["ops_per_sec"].as_f64().unwrap() > 0.0);
        assert!(r["median_ns"].as_f64().unwrap() > 0.0);
        let size = r["size"].as_f64().unwrap();
        let rate = r["bytes_per_sec"].as_f64().unwrap() / r["ops_per_sec"].as_f64().unwrap();
        assert!((rate - size).abs() < 1e-6 * size, "{r}");
        assert!(r["backend"].is_null());
    }
    assert_eq!(results.iter().filter(|r| r["threads"] == 2).count(), 8);

    // Envelope rows name their backend; the key-ring row counts keys.
    let o = dp(
        home.path(),
        &["bench", "--seconds", "0.01", "--json", "RSA-2048"],
        b"",
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let results = report["results"].as_array().unwrap();
    assert!(results.len() >= 4, "{report}");
    assert!(
        results
            .iter()
            .all(|r| ["aws-lc", "rust-rsa"].contains(&r["backend"].as_str().unwrap()))
    );
    let o = dp(
        home.path(),
        &["bench", "--seconds", "0.01", "--json", "keyring_load"],
        b"",
    );
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report["results"][0]["size"], 1000, "{report}");
    assert!(report["results"][0]["bytes_per_sec"].is_null());

    // A filter that keeps nothing is a usage error.
    let o = dp(home.path(), &["bench", "no-such-thing"], b"");
    assert_eq!(code(&o), 2, "{}", stderr(&o));

    let o = dp(home.path(), &["bench", "--help"], b"");
    assert!(String::from_utf8(o.stdout).unwrap().contains("Example"));
    for bad in ["0", "-1", "abc", "NaN"] {
        let o = dp(home.path(), &["bench", "--seconds", bad], b"");
        assert_eq!(code(&o), 2, "--seconds {bad}");
    }
}
