//! `dp capi`: key BLOBs and the legacy session-key exchange, against the independent vectors in
//! crates/dp-envelope/tests/data/capi.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../dp-envelope/tests/data/capi")
        .join(name)
}

fn dp(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dp"))
        .args(args)
        .output()
        .unwrap()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn assert_clean_error(out: &Output, code: i32, what: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "{what}: {stderr}");
    assert!(stderr.starts_with("error: "), "{what}: {stderr}");
    assert!(!stderr.contains("panicked"), "{what}: {stderr}");
    assert!(out.stdout.is_empty(), "{what}");
}

#[test]
fn pem_blob_pem_round_trips_are_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    for bits in [2048, 3072, 4096] {
        for (pem, format) in [("key.pem", "privatekeyblob"), ("pub.pem", "publickeyblob")] {
            let original = data(&format!("rsa{bits}.{pem}"));
            let blob = dir.path().join(format!("{bits}.{format}"));
            let back = dir.path().join(format!("{bits}.back.{pem}"));
            let out = dp(&[
                "capi",
                "export-key",
                "--in",
                s(&original),
                "--format",
                format,
                "-o",
                s(&blob),
            ]);
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            // The same bytes as the independent implementation.
            assert_eq!(
                std::fs::read(&blob).unwrap(),
                std::fs::read(data(&format!("rsa{bits}.{format}"))).unwrap()
            );
            let out = dp(&["capi", "import-key", "--in", s(&blob), "-o", s(&back)]);
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert_eq!(
                std::fs::read(&back).unwrap(),
                std::fs::read(&original).unwrap(),
                "{bits} {pem}"
            );
            #[cfg(unix)]
            if format == "privatekeyblob" {
                use std::os::unix::fs::PermissionsExt;
                for private in [&blob, &back] {
                    let mode = std::fs::metadata(private).unwrap().permissions().mode() & 0o777;
                    assert_eq!(mode, 0o600, "{}", private.display());
                }
            }
            // Never overwrites.
            let again = dp(&["capi", "import-key", "--in", s(&blob), "-o", s(&back)]);
            assert_eq!(again.status.code(), Some(1));
        }
    }
    let out = dp(&[
        "capi",
        "export-key",
        "--in",
        s(&data("rsa2048.pub.pem")),
        "--format",
        "privatekeyblob",
        "-o",
        s(&dir.path().join("x")),
    ]);
    assert_clean_error(&out, 2, "private blob from a public key");
}

#[test]
fn independent_messages_open_and_ours_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let key_pem = data("rsa2048.key.pem");
    let key_blob = data("rsa2048.privatekeyblob");
    let message = data("message-aes256.bin");
    let expected = std::fs::read(data("message.txt")).unwrap();
    for key in [&key_pem, &key_blob] {
        let out = dp(&[
            "capi",
            "open",
            "--key",
            s(key),
            "--session-key",
            s(&data("aes256-oaep.simpleblob")),
            s(&message),
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(out.stdout, expected);
        let legacy = dp(&[
            "capi",
            "open",
            "--key",
            s(key),
            "--session-key",
            s(&data("aes256-pkcs1.simpleblob")),
            "--legacy-pkcs1",
            s(&message),
        ]);
        assert_eq!(legacy.stdout, expected);
        // PKCS#1 v1.5 only with the explicit option, and then one generic error.
        let refused = dp(&[
            "capi",
            "open",
            "--key",
            s(key),
            "--session-key",
            s(&data("aes256-pkcs1.simpleblob")),
            s(&message),
        ]);
        assert_clean_error(&refused, 3, "pkcs1 without --legacy-pkcs1");
        assert!(String::from_utf8_lossy(&refused.stderr).contains("--legacy-pkcs1"));
    }

    // Our own exchange, both paddings, every AES size, recipient as PEM and as BLOB.
    for (alg, legacy) in [("aes-128", false), ("aes-192", true), ("aes-256", false)] {
        for to in [data("rsa2048.pub.pem"), data("rsa2048.publickeyblob")] {
            let blob = dir.path().join("s.simpleblob");
            let msg = dir.path().join("m.bin");
            let input = dir.path().join("in.txt");
            std::fs::write(&input, b"seed procedure, both ways").unwrap();
            let mut args = vec![
                "capi",
                "seal",
                "--to",
                s(&to),
                "--alg",
                alg,
                "-o",
                s(&blob),
                "--data-out",
                s(&msg),
                s(&input),
            ];
            if legacy {
                args.push("--legacy-pkcs1");
            }
            let out = dp(&args);
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let mut open = vec![
                "capi",
                "open",
                "--key",
                s(&key_pem),
                "--session-key",
                s(&blob),
                s(&msg),
            ];
            if legacy {
                open.push("--legacy-pkcs1");
            }
            let out = dp(&open);
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert_eq!(out.stdout, b"seed procedure, both ways");
        }
    }
}

#[test]
fn malformed_blobs_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let malformed = std::fs::read_dir(data("malformed")).unwrap();
    let mut n = 0;
    for entry in malformed {
        let path = entry.unwrap().path();
        n += 1;
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let out_pem = dir.path().join(format!("{name}.pem"));
        let import = dp(&["capi", "import-key", "--in", s(&path), "-o", s(&out_pem)]);
        assert!(!import.status.success(), "{name} imported");
        let stderr = String::from_utf8_lossy(&import.stderr);
        assert!(
            stderr.starts_with("error: ") && !stderr.contains("panicked"),
            "{name}: {stderr}"
        );
        assert!(!out_pem.exists());
        if name.starts_with("simple") || name == "empty.bin" {
            let open = dp(&[
                "capi",
                "open",
                "--key",
                s(&data("rsa2048.key.pem")),
                "--session-key",
                s(&path),
                s(&data("message-aes256.bin")),
            ]);
            assert_clean_error(&open, 3, &name);
        }
    }
    assert!(n >= 15);
}

#[test]
fn help_warns_and_points_to_envelopes() {
    for args in [
        vec!["capi", "--help"],
        vec!["capi", "seal", "--help"],
        vec!["capi", "open", "--help"],
    ] {
        let out = dp(&args);
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains("no integrity"), "{args:?}");
        assert!(text.contains("dp envelope"), "{args:?}");
        assert!(text.contains("Example"), "{args:?}");
    }
    for args in [
        vec!["capi", "export-key", "--help"],
        vec!["capi", "import-key", "--help"],
    ] {
        let text = String::from_utf8(dp(&args).stdout).unwrap();
        assert!(text.contains("Example"), "{args:?}");
    }
}
