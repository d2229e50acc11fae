//! `dp capi`: key BLOBs and the legacy session-key exchange, against the independent vectors in
//! crates/dp-envelope/tests/data/capi.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs,
    reason = "test code: a panic is a test failure, and test items need no docs"
)]

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
            "--danger-no-integrity",
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
            "--danger-no-integrity",
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
            "--danger-no-integrity",
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
                "--force",
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
                "--danger-no-integrity",
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

/// Exit codes, per malformed file, of the three ways `dp capi` can be handed it: as the BLOB of
/// `import-key`, as the `--key` of `open`, as the `--session-key` of `open`. The rule: a bad key
/// file exits 1 (like a bad PEM), a bad SIMPLEBLOB or message exits 3 (a rejected input).
const MALFORMED_EXITS: &[(&str, i32, i32, i32)] = &[
    // file                                   import  --key  --session-key
    ("empty.bin", 1, 1, 3),
    ("header-only.publickeyblob", 1, 1, 3),
    ("plaintext-alg-rsa-keyx.plaintextkeyblob", 1, 1, 3),
    ("plaintext-len-vs-alg.plaintextkeyblob", 1, 1, 3),
    ("plaintext-len-vs-data.plaintextkeyblob", 1, 1, 3),
    ("private-magic-rsa1.privatekeyblob", 1, 1, 3),
    ("private-truncated.privatekeyblob", 1, 1, 3),
    ("public-bitlen-mismatch.publickeyblob", 1, 1, 3),
    ("public-btype-private.publickeyblob", 1, 1, 3),
    ("public-bversion-1.publickeyblob", 1, 1, 3),
    ("public-magic-rsa2.publickeyblob", 1, 1, 3),
    ("public-oversized.publickeyblob", 1, 1, 3),
    ("public-truncated.publickeyblob", 1, 1, 3),
    ("simple-btype-public.simpleblob", 1, 1, 3),
    ("simple-keyalg-rsa-sign.simpleblob", 1, 1, 3),
    ("simple-keylen-mismatch.simpleblob", 1, 1, 3),
    ("simple-session-alg-rsa-keyx.simpleblob", 1, 1, 3),
    ("simple-truncated.simpleblob", 1, 1, 3),
];

#[test]
fn malformed_blobs_exit_by_what_they_were_used_as() {
    let dir = tempfile::tempdir().unwrap();
    let mut on_disk: Vec<String> = std::fs::read_dir(data("malformed"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let listed: Vec<&str> = MALFORMED_EXITS.iter().map(|(f, ..)| *f).collect();
    assert_eq!(
        on_disk, listed,
        "every malformed file has its expected exits"
    );

    for &(name, import_code, key_code, session_code) in MALFORMED_EXITS {
        let path = data("malformed").join(name);
        let out_pem = dir.path().join(format!("{name}.pem"));
        let import = dp(&["capi", "import-key", "--in", s(&path), "-o", s(&out_pem)]);
        assert_clean_error(&import, import_code, &format!("import-key {name}"));
        assert!(!out_pem.exists(), "{name}");

        let as_key = dp(&[
            "capi",
            "open",
            "--danger-no-integrity",
            "--key",
            s(&path),
            "--session-key",
            s(&data("aes256-oaep.simpleblob")),
            s(&data("message-aes256.bin")),
        ]);
        assert_clean_error(&as_key, key_code, &format!("open --key {name}"));

        let as_session_key = dp(&[
            "capi",
            "open",
            "--danger-no-integrity",
            "--key",
            s(&data("rsa2048.key.pem")),
            "--session-key",
            s(&path),
            s(&data("message-aes256.bin")),
        ]);
        assert_clean_error(
            &as_session_key,
            session_code,
            &format!("open --session-key {name}"),
        );
    }
}

/// Writes the 2048-bit PUBLICKEYBLOB with `edit` applied.
fn edited_public_blob(dir: &Path, name: &str, edit: impl FnOnce(&mut Vec<u8>)) -> PathBuf {
    let mut blob = std::fs::read(data("rsa2048.publickeyblob")).unwrap();
    edit(&mut blob);
    let path = dir.join(name);
    std::fs::write(&path, blob).unwrap();
    path
}

#[test]
fn unusable_public_keys_are_not_imported() {
    let dir = tempfile::tempdir().unwrap();
    let even = edited_public_blob(dir.path(), "even", |b| b[20] &= 0xFE);
    let e1 = edited_public_blob(dir.path(), "e1", |b| {
        b[16..20].copy_from_slice(&1u32.to_le_bytes());
    });
    let e_even = edited_public_blob(dir.path(), "e-even", |b| {
        b[16..20].copy_from_slice(&65536u32.to_le_bytes());
    });
    let e3 = edited_public_blob(dir.path(), "e3", |b| {
        b[16..20].copy_from_slice(&3u32.to_le_bytes());
    });
    for (blob, says) in [
        (&even, "modulus cannot be part of an RSA key"),
        (&e1, "pubexp cannot be part of an RSA key"),
        (&e_even, "pubexp cannot be part of an RSA key"),
        (&e3, "exponent must be 65537"),
    ] {
        let pem = dir.path().join("out.pem");
        let out = dp(&["capi", "import-key", "--in", s(blob), "-o", s(&pem)]);
        assert_clean_error(&out, 1, &format!("import-key {}", blob.display()));
        assert!(!pem.exists(), "{} was written", blob.display());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(says), "{stderr}");
        assert!(stderr.contains("\nhint: "), "{stderr}");
        // And as a recipient: the same key-file error, before anything is written.
        let msg = dir.path().join("m.bin");
        let sealed = dp(&[
            "capi",
            "seal",
            "--to",
            s(blob),
            "-o",
            s(&dir.path().join("s.simpleblob")),
            "--data-out",
            s(&msg),
            s(&data("message.txt")),
        ]);
        assert_clean_error(&sealed, 1, &format!("seal --to {}", blob.display()));
        assert!(!msg.exists());
    }
}

#[test]
fn key_files_exit_1_and_session_keys_and_messages_exit_3() {
    let dir = tempfile::tempdir().unwrap();
    // Text that is neither PEM nor a BLOB: a bad key file, whichever way it is read.
    let junk = dir.path().join("junk.pem");
    std::fs::write(&junk, "not a key\n").unwrap();
    let sealed = dp(&[
        "capi",
        "seal",
        "--to",
        s(&junk),
        "-o",
        s(&dir.path().join("s")),
        "--data-out",
        s(&dir.path().join("m")),
        s(&data("message.txt")),
    ]);
    assert_clean_error(&sealed, 1, "seal --to junk");
    let open_with = |key: &Path, session: &Path, message: &Path| {
        dp(&[
            "capi",
            "open",
            "--danger-no-integrity",
            "--key",
            s(key),
            "--session-key",
            s(session),
            s(message),
        ])
    };
    let good_key = data("rsa2048.key.pem");
    let good_session = data("aes256-oaep.simpleblob");
    let good_message = data("message-aes256.bin");
    assert_clean_error(
        &open_with(&junk, &good_session, &good_message),
        1,
        "--key junk",
    );
    // A SIMPLEBLOB given to import-key is the wrong kind of key file.
    let out = dp(&[
        "capi",
        "import-key",
        "--in",
        s(&good_session),
        "-o",
        s(&dir.path().join("x.pem")),
    ]);
    assert_clean_error(&out, 1, "import-key of a SIMPLEBLOB");
    // A session key that is not a SIMPLEBLOB, and messages that do not decrypt: rejections.
    assert_clean_error(
        &open_with(&good_key, &data("rsa2048.publickeyblob"), &good_message),
        3,
        "--session-key PUBLICKEYBLOB",
    );
    let short = dir.path().join("short.bin");
    std::fs::write(&short, [0u8; 20]).unwrap();
    assert_clean_error(
        &open_with(&good_key, &good_session, &short),
        3,
        "short message",
    );
    let mut flipped = std::fs::read(&good_message).unwrap();
    let last = flipped.len() - 1;
    flipped[last] ^= 0x01;
    let flipped_path = dir.path().join("flipped.bin");
    std::fs::write(&flipped_path, &flipped).unwrap();
    let out = open_with(&good_key, &good_session, &flipped_path);
    assert_clean_error(&out, 3, "message with bad padding");
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not decrypt"));
}

#[test]
fn open_requires_danger_no_integrity() {
    let (key, session, message) = (
        data("rsa2048.key.pem"),
        data("aes256-oaep.simpleblob"),
        data("message-aes256.bin"),
    );
    let args = [
        "capi",
        "open",
        "--key",
        s(&key),
        "--session-key",
        s(&session),
        s(&message),
    ];
    let out = dp(&args);
    assert_clean_error(&out, 2, "open without --danger-no-integrity");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--danger-no-integrity"), "{stderr}");
    assert!(stderr.contains("\nhint: "), "{stderr}");
    assert!(stderr.contains("padding oracle"), "{stderr}");
    assert!(stderr.contains("dp envelope"), "{stderr}");
    // Asked for before any file is read.
    let out = dp(&[
        "capi",
        "open",
        "--key",
        "/nonexistent",
        "--session-key",
        "/nonexistent",
        "/nonexistent",
    ]);
    assert_clean_error(&out, 2, "open without the flag, missing files");
    // With it, the same command opens the message.
    let mut with = args.to_vec();
    with.insert(2, "--danger-no-integrity");
    let out = dp(&with);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.stdout, std::fs::read(data("message.txt")).unwrap());
}

#[test]
fn open_exit_status_is_a_padding_oracle() {
    // What --danger-no-integrity acknowledges. The message is IV | C1 C2 C3 C4 and its last
    // plaintext block is all padding (16 x 0x10). Changing the last byte of C3 garbles the third
    // plaintext block and changes the last padding byte: to 0x01 it is valid padding again, and
    // the modified message opens (exit 0); most other values fail (exit 3). The exit status
    // tells an attacker which, and that is enough to decrypt the message byte by byte.
    let dir = tempfile::tempdir().unwrap();
    let original = std::fs::read(data("message-aes256.bin")).unwrap();
    let target = original.len() - 16 - 1;
    let open = |bytes: &[u8]| {
        let path = dir.path().join("tweaked.bin");
        std::fs::write(&path, bytes).unwrap();
        dp(&[
            "capi",
            "open",
            "--danger-no-integrity",
            "--key",
            s(&data("rsa2048.key.pem")),
            "--session-key",
            s(&data("aes256-oaep.simpleblob")),
            s(&path),
        ])
    };
    let mut valid = original.clone();
    valid[target] ^= 0x10 ^ 0x01;
    let out = open(&valid);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let plaintext = std::fs::read(data("message.txt")).unwrap();
    assert_eq!(
        out.stdout.len(),
        plaintext.len() + 15,
        "a modified message, not detected"
    );
    assert_eq!(&out.stdout[..32], &plaintext[..32]);
    assert_ne!(&out.stdout[32..48], &plaintext[32..48]);
    assert_eq!(&out.stdout[48..], &[0x10u8; 15]);
    let mut invalid = original.clone();
    invalid[target] ^= 0x10 ^ 0x02;
    assert_clean_error(&open(&invalid), 3, "tweak to padding byte 0x02");
}

#[test]
fn open_help_documents_the_padding_oracle() {
    let text = String::from_utf8(dp(&["capi", "open", "--help"]).stdout).unwrap();
    assert!(text.contains("padding oracle"), "{text}");
    assert!(text.contains("--danger-no-integrity"), "{text}");
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
