//! CryptoAPI interoperability against an independent implementation: the BLOBs and messages in
//! tests/data/capi were made by xtask/vectors/capi_blobs.py (Python `cryptography`), and BLOBs
//! made here are checked by that script when Python and `cryptography` are available.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::{Path, PathBuf};
use std::process::Command;

use dp_crypto::AesKeySize;
use dp_envelope::capi::{
    SessionKeyPadding, danger_decrypt_message, danger_encrypt_message, private_key_from_blob,
    private_key_to_blob, public_key_from_blob, public_key_to_blob, unwrap_session_key,
    wrap_session_key,
};
use dp_envelope::{EnvelopeError, PrivateKey, PublicKey, RsaBackend};
use dp_format::FormatError;
use dp_format::capi::{PlaintextKeyBlob, RsaPrivateBlob, RsaPublicBlob, SimpleBlob};
use serde_json::Value;

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/capi")
}

fn read(name: &str) -> Vec<u8> {
    std::fs::read(data().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn text(name: &str) -> String {
    String::from_utf8(read(name)).unwrap()
}

fn vectors() -> Value {
    serde_json::from_slice(&read("vectors.json")).unwrap()
}

fn aes(name: &str) -> AesKeySize {
    match name {
        "aes128" => AesKeySize::Aes128,
        "aes192" => AesKeySize::Aes192,
        _ => AesKeySize::Aes256,
    }
}

#[test]
fn key_blobs_match_the_independent_implementation_and_round_trip() {
    let v = vectors();
    for bits in [2048, 3072, 4096] {
        let pub_pem = text(&format!("rsa{bits}.pub.pem"));
        let key_pem = text(&format!("rsa{bits}.key.pem"));
        let pub_blob = read(&format!("rsa{bits}.publickeyblob"));
        let key_blob = read(&format!("rsa{bits}.privatekeyblob"));
        let expected_lead =
            |name: &str| hex::decode(v["files"][name]["leading_hex"].as_str().unwrap()).unwrap();
        assert!(pub_blob.starts_with(&expected_lead(&format!("rsa{bits}.publickeyblob"))));
        if bits == 2048 {
            assert_eq!(
                &pub_blob[..20],
                &[
                    0x06, 0x02, 0, 0, 0x00, 0xA4, 0, 0, 0x52, 0x53, 0x41, 0x31, 0x00, 0x08, 0, 0,
                    0x01, 0x00, 0x01, 0x00
                ]
            );
        }

        // PEM -> BLOB: the same bytes as the independent implementation.
        let public = PublicKey::from_pem(&pub_pem).unwrap();
        assert_eq!(public_key_to_blob(&public).unwrap(), pub_blob, "{bits}");
        let private = PrivateKey::from_pem(&key_pem).unwrap();
        assert_eq!(*private_key_to_blob(&private).unwrap(), key_blob, "{bits}");

        // BLOB -> PEM: byte-identical to the original PEM, with every backend.
        assert_eq!(
            public_key_from_blob(&pub_blob).unwrap().to_pem(),
            pub_pem,
            "{bits}"
        );
        for &backend in RsaBackend::ALL {
            let back = private_key_from_blob(&key_blob, backend).unwrap();
            assert_eq!(*back.to_pem(), key_pem, "{bits} {backend:?}");
            assert_eq!(back.public_key(), &public);
        }
    }
}

#[test]
fn independent_simpleblobs_unwrap() {
    let v = vectors();
    let key = PrivateKey::from_pem(&text("rsa2048.key.pem")).unwrap();
    for &backend in RsaBackend::ALL {
        for size in ["aes128", "aes192", "aes256"] {
            let expected =
                hex::decode(v["session_keys"][size]["key_hex"].as_str().unwrap()).unwrap();
            let oaep = read(&format!("{size}-oaep.simpleblob"));
            let pkcs1 = read(&format!("{size}-pkcs1.simpleblob"));
            let (alg, k) =
                unwrap_session_key(&key, &oaep, SessionKeyPadding::OaepSha1, backend).unwrap();
            assert_eq!((alg, k.to_vec()), (aes(size), expected.clone()));
            let (alg, k) =
                unwrap_session_key(&key, &pkcs1, SessionKeyPadding::LegacyPkcs1v15, backend)
                    .unwrap();
            assert_eq!((alg, k.to_vec()), (aes(size), expected.clone()));
            // The wrong padding is the same single error either way.
            assert!(matches!(
                unwrap_session_key(&key, &pkcs1, SessionKeyPadding::OaepSha1, backend),
                Err(EnvelopeError::KeyUnwrapFailed)
            ));
            assert!(matches!(
                unwrap_session_key(&key, &oaep, SessionKeyPadding::LegacyPkcs1v15, backend),
                Err(EnvelopeError::KeyUnwrapFailed)
            ));
            let plain =
                PlaintextKeyBlob::parse(&read(&format!("{size}.plaintextkeyblob"))).unwrap();
            assert_eq!(plain.key, expected);
        }
    }
    let aes256 = read("aes256-oaep.simpleblob");
    assert_eq!(aes256.len(), 268);
    assert_eq!(
        &aes256[..12],
        &[0x01, 0x02, 0, 0, 0x10, 0x66, 0, 0, 0x00, 0xA4, 0, 0]
    );
    // Another key of the same size gets the same error as a bad padding; a key of another
    // size is refused on the (public) length.
    let other = PrivateKey::generate(2048, RsaBackend::default()).unwrap();
    assert!(matches!(
        unwrap_session_key(
            &other,
            &aes256,
            SessionKeyPadding::OaepSha1,
            RsaBackend::default()
        ),
        Err(EnvelopeError::KeyUnwrapFailed)
    ));
    let bigger = PrivateKey::from_pem(&text("rsa3072.key.pem")).unwrap();
    assert!(matches!(
        unwrap_session_key(
            &bigger,
            &aes256,
            SessionKeyPadding::OaepSha1,
            RsaBackend::default()
        ),
        Err(EnvelopeError::Blob(FormatError::LengthMismatch { .. }))
    ));
}

#[test]
fn independent_message_decrypts() {
    let v = vectors();
    let key = hex::decode(v["message"]["key_hex"].as_str().unwrap()).unwrap();
    let plaintext =
        danger_decrypt_message(AesKeySize::Aes256, &key, &read("message-aes256.bin")).unwrap();
    assert_eq!(*plaintext, read("message.txt"));
    let mut wrong = key.clone();
    wrong[0] ^= 1;
    // Without integrity protection a wrong key is caught only by the padding — usually.
    let _ = danger_decrypt_message(AesKeySize::Aes256, &wrong, &read("message-aes256.bin"));
    assert!(matches!(
        danger_decrypt_message(AesKeySize::Aes256, &key, &[0u8; 20]),
        Err(EnvelopeError::KeyUnwrapFailed)
    ));
}

#[test]
fn malformed_blobs_give_clear_errors() {
    let v = vectors();
    let malformed = v["malformed"].as_object().unwrap();
    assert!(malformed.len() >= 15);
    for (name, info) in malformed {
        let bytes = read(name);
        if name.contains("simple-truncated") {
            // Parses (a SIMPLEBLOB does not say its key's size); refused against the key.
            let key = PrivateKey::from_pem(&text("rsa2048.key.pem")).unwrap();
            assert!(matches!(
                unwrap_session_key(
                    &key,
                    &bytes,
                    SessionKeyPadding::OaepSha1,
                    RsaBackend::default()
                ),
                Err(EnvelopeError::Blob(FormatError::LengthMismatch { .. }))
            ));
            continue;
        }
        if name.contains("keylen-mismatch") {
            // Well-formed, but the wrapped key is not as long as its ALG_ID says: caught on unwrap.
            let key = PrivateKey::from_pem(&text("rsa2048.key.pem")).unwrap();
            assert!(SimpleBlob::parse(&bytes).is_ok());
            assert!(matches!(
                unwrap_session_key(
                    &key,
                    &bytes,
                    SessionKeyPadding::OaepSha1,
                    RsaBackend::default()
                ),
                Err(EnvelopeError::KeyUnwrapFailed)
            ));
            continue;
        }
        let errors = [
            RsaPublicBlob::parse(&bytes).err(),
            RsaPrivateBlob::parse(&bytes).err(),
            SimpleBlob::parse(&bytes).err(),
            PlaintextKeyBlob::parse(&bytes).err(),
        ];
        let err = match info["parse_as"].as_str().unwrap() {
            "publickeyblob" => errors[0],
            "privatekeyblob" => errors[1],
            "simpleblob" => errors[2],
            "plaintextkeyblob" => errors[3],
            "any" => {
                assert!(
                    errors.iter().all(Option::is_some),
                    "{name} parsed as something"
                );
                errors[0]
            }
            other => panic!("{other}"),
        };
        let err = err.unwrap_or_else(|| panic!("{name} parsed: {}", info["description"]));
        let expected = match name.as_str() {
            n if n.contains("truncated") && !n.contains("simple") => "length",
            n if n.contains("oversized") => "length",
            n if n.contains("magic") => "magic",
            n if n.contains("bitlen") => "length",
            n if n.contains("btype") => "type",
            n if n.contains("bversion") => "version",
            n if n.contains("keyalg") || n.contains("session-alg") || n.contains("alg-rsa") => {
                "alg"
            }
            n if n.contains("len-vs") || n.contains("keylen") => "length",
            n if n.contains("empty")
                || n.contains("header-only")
                || n.contains("simple-truncated") =>
            {
                "short"
            }
            _ => "any",
        };
        let ok = matches!(
            (expected, &err),
            ("length", FormatError::LengthMismatch { .. })
                | ("magic", FormatError::WrongRsaMagic)
                | ("type", FormatError::WrongBlobType { .. })
                | ("version", FormatError::UnsupportedBlobVersion { .. })
                | ("alg", FormatError::WrongAlgId { .. })
                | (
                    "short",
                    FormatError::Truncated { .. } | FormatError::LengthMismatch { .. }
                )
                | ("any", _)
        );
        assert!(
            ok,
            "{name}: expected a {expected} error, got {err:?} ({})",
            info["description"]
        );
        // And through the key conversions: an error, never a panic.
        assert!(public_key_from_blob(&bytes).is_err() || info["parse_as"] != "publickeyblob");
        assert!(private_key_from_blob(&bytes, RsaBackend::default()).is_err());
    }
}

#[test]
fn inconsistent_private_numbers_are_refused() {
    let mut blob = RsaPrivateBlob::parse(&read("rsa2048.privatekeyblob")).unwrap();
    let last = blob.private_exponent.len() - 1;
    blob.private_exponent[last] ^= 0x02;
    let bytes = blob.encode().unwrap();
    for &backend in RsaBackend::ALL {
        assert!(
            matches!(
                private_key_from_blob(&bytes, backend),
                Err(EnvelopeError::InvalidKey(_))
            ),
            "{backend:?}"
        );
    }
}

/// The independent implementation, if this machine has Python with `cryptography`.
fn python() -> Option<PathBuf> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../xtask/vectors/capi_blobs.py");
    let ok = Command::new("python3")
        .args(["-c", "import cryptography"])
        .status()
        .is_ok_and(|s| s.success());
    ok.then_some(script)
}

fn run_python(script: &Path, args: &[&str]) -> (bool, String) {
    let out = Command::new("python3")
        .arg(script)
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

#[test]
fn our_blobs_are_read_by_the_independent_implementation() {
    let Some(script) = python() else {
        eprintln!("skipped: python3 with the `cryptography` package is not available");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name).to_string_lossy().into_owned();
    let key = PrivateKey::from_pem(&text("rsa2048.key.pem")).unwrap();
    let key_pem = data()
        .join("rsa2048.key.pem")
        .to_string_lossy()
        .into_owned();
    let pub_pem = data()
        .join("rsa2048.pub.pem")
        .to_string_lossy()
        .into_owned();

    std::fs::write(p("pub.blob"), public_key_to_blob(key.public_key()).unwrap()).unwrap();
    std::fs::write(p("key.blob"), &*private_key_to_blob(&key).unwrap()).unwrap();
    let (ok, out) = run_python(&script, &["check-publickeyblob", &pub_pem, &p("pub.blob")]);
    assert!(ok, "{out}");
    let (ok, out) = run_python(&script, &["check-privatekeyblob", &key_pem, &p("key.blob")]);
    assert!(ok, "{out}");

    for &backend in RsaBackend::ALL {
        for (padding, flag) in [
            (SessionKeyPadding::OaepSha1, None),
            (SessionKeyPadding::LegacyPkcs1v15, Some("--pkcs1")),
        ] {
            let session: Vec<u8> = (100..132).collect();
            let blob = wrap_session_key(
                key.public_key(),
                AesKeySize::Aes256,
                &session,
                padding,
                backend,
            )
            .unwrap();
            assert_eq!(
                &blob[..12],
                &[0x01, 0x02, 0, 0, 0x10, 0x66, 0, 0, 0x00, 0xA4, 0, 0]
            );
            std::fs::write(p("s.blob"), &blob).unwrap();
            let expect = hex::encode(&session);
            let s_blob = p("s.blob");
            let mut args = vec!["check-simpleblob", &key_pem, &s_blob];
            if let Some(flag) = flag {
                args.push(flag);
            }
            args.extend(["--expect-hex", &expect]);
            let (ok, out) = run_python(&script, &args);
            assert!(ok, "{backend:?} {padding:?}: {out}");

            let message = danger_encrypt_message(AesKeySize::Aes256, &session, b"from dp").unwrap();
            std::fs::write(p("m.bin"), &message).unwrap();
            let (ok, out) = run_python(&script, &["decrypt-message", &expect, &p("m.bin")]);
            assert!(ok && out.contains("from dp"), "{out}");
        }
    }
}
