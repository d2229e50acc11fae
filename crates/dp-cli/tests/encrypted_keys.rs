//! `dp` with key rings encrypted at rest with a certificate, against the ring live .NET 10
//! wrote (crates/dp-keyring/tests/data/certificate, see its README).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs,
    reason = "test code: a panic is a test failure, and test items need no docs"
)]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../dp-keyring/tests/data/certificate")
        .join(name)
}

struct Env {
    home: tempfile::TempDir,
}

impl Env {
    /// A home with a copy of the .NET ring in `keys/` and the PFX password in `pw`.
    fn new() -> Self {
        let home = tempfile::tempdir().unwrap();
        let keys = home.path().join("keys");
        std::fs::create_dir(&keys).unwrap();
        for entry in std::fs::read_dir(data("keys-certificate")).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), keys.join(entry.file_name())).unwrap();
        }
        std::fs::write(home.path().join("pw"), "interop\n").unwrap();
        Self { home }
    }

    fn keys(&self) -> PathBuf {
        self.home.path().join("keys")
    }

    fn dp(&self, args: &[&str], stdin: &[u8]) -> Output {
        let mut child = Command::new(env!("CARGO_BIN_EXE_dp"))
            .args(["--key-dir", self.keys().to_str().unwrap()])
            .args(args)
            .env("HOME", self.home.path())
            .env_remove("DP_KEY_DIR")
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

    fn key_files(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.keys())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".xml"))
            .collect();
        names.sort();
        names
    }
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

struct Case {
    app: String,
    purpose: String,
    payload: String,
    plaintext: Vec<u8>,
}

fn case() -> Case {
    use base64::Engine as _;
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(data("manifest.json")).unwrap()).unwrap();
    let c = &m["cases"][0];
    Case {
        app: c["app_name"].as_str().unwrap().to_owned(),
        purpose: c["purposes"][0].as_str().unwrap().to_owned(),
        payload: c["payload"].as_str().unwrap().to_owned(),
        plaintext: base64::engine::general_purpose::STANDARD
            .decode(c["plaintext_b64"].as_str().unwrap())
            .unwrap(),
    }
}

fn p(path: PathBuf) -> String {
    path.to_string_lossy().into_owned()
}

#[test]
fn the_dotnet_payload_unprotects_with_the_pfx_or_the_pem_identity() {
    let env = Env::new();
    let c = case();
    let pfx = [
        "--unprotect-keys-with",
        &p(data("certificate.pfx")),
        "--pfx-password-file",
        &p(env.home.path().join("pw")),
    ];
    let pem = data("certificate.cert.pem");
    // One PEM holding both: certificate then key.
    let both = env.home.path().join("identity.pem");
    std::fs::write(
        &both,
        std::fs::read_to_string(&pem).unwrap()
            + &std::fs::read_to_string(data("certificate.key.pem")).unwrap(),
    )
    .unwrap();
    let pem_args = ["--unprotect-keys-with", &p(both.clone())];
    // Certificate and key as two files, paired by public key.
    let pair_args = [
        "--unprotect-keys-with",
        &p(data("certificate.key.pem")),
        "--unprotect-keys-with",
        &p(pem.clone()),
    ];
    for identity in [&pfx[..], &pem_args[..], &pair_args[..]] {
        let mut args: Vec<&str> = identity.to_vec();
        args.extend(["--app-name", &c.app, "unprotect", "--purpose", &c.purpose]);
        let out = env.dp(&args, c.payload.as_bytes());
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        assert_eq!(out.stdout, c.plaintext);
    }
    // From the environment, as a service would set it.
    let out = Command::new(env!("CARGO_BIN_EXE_dp"))
        .args([
            "--key-dir",
            &p(env.keys()),
            "--app-name",
            &c.app,
            "unprotect",
            "--purpose",
            &c.purpose,
        ])
        .env(
            "DP_UNPROTECT_KEYS_WITH",
            format!(
                "{}:{}",
                p(data("other.key.pem")).replace("other.key.pem", "missing-is-refused"),
                p(data("certificate.pfx"))
            ),
        )
        .env("DP_PFX_PASSWORD", "interop")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(
        code(&out),
        1,
        "a missing identity file is an error: {}",
        stderr(&out)
    );
    let out = Command::new(env!("CARGO_BIN_EXE_dp"))
        .args([
            "--key-dir",
            &p(env.keys()),
            "--app-name",
            &c.app,
            "unprotect",
            "--purpose",
            &c.purpose,
            "-",
        ])
        .env("DP_UNPROTECT_KEYS_WITH", p(data("certificate.pfx")))
        .env("DP_PFX_PASSWORD", "interop")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            child
                .stdin
                .take()
                .unwrap()
                .write_all(c.payload.as_bytes())?;
            child.wait_with_output()
        })
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(out.stdout, c.plaintext);
}

#[test]
fn without_the_identity_dp_names_the_certificate_and_exits_1() {
    let env = Env::new();
    let c = case();
    let out = env.dp(
        &["--app-name", &c.app, "unprotect", "--purpose", &c.purpose],
        c.payload.as_bytes(),
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("CN=dp interop test"), "{err}");
    assert!(
        err.contains("c35ed9a3-fe56-46c5-bef6-aadfda5fcd6d"),
        "names the key: {err}"
    );
    assert!(
        err.contains("hint: ") && err.contains("--unprotect-keys-with"),
        "{err}"
    );
    // A wrong password is exit 1 with a hint.
    std::fs::write(env.home.path().join("bad"), "nope").unwrap();
    let out = env.dp(
        &[
            "--unprotect-keys-with",
            &p(data("certificate.pfx")),
            "--pfx-password-file",
            &p(env.home.path().join("bad")),
            "keys",
            "list",
        ],
        b"",
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("password"), "{}", stderr(&out));
}

/// `dp keys ensure` without the identity cannot tell whether the encrypted default key is fine:
/// it must refuse rather than add a new default key that would split the farm.
#[test]
fn keys_ensure_refuses_a_ring_it_cannot_decrypt() {
    let env = Env::new();
    let before = env.key_files();
    let out = env.dp(&["keys", "ensure"], b"");
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("c35ed9a3-fe56-46c5-bef6-aadfda5fcd6d"),
        "{}",
        stderr(&out)
    );
    assert_eq!(env.key_files(), before, "no key was added");
    // With the identity the default key is seen, and lasts: nothing to do.
    let out = env.dp(
        &[
            "--unprotect-keys-with",
            &p(data("certificate.key.pem")),
            "--unprotect-keys-with",
            &p(data("certificate.cert.pem")),
            "keys",
            "ensure",
        ],
        b"",
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(env.key_files(), before);
}

#[test]
fn protect_never_adds_a_clear_key_to_an_encrypted_ring() {
    let env = Env::new();
    let before = env.key_files();
    // No identity: the .NET key is unusable, a new one is needed, and none may be written in
    // clear.
    let out = env.dp(&["protect", "--purpose", "p"], b"x");
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("--protect-keys-with"),
        "{}",
        stderr(&out)
    );
    assert_eq!(env.key_files(), before, "nothing written");
    // --no-create never writes.
    let out = env.dp(
        &[
            "--protect-keys-with",
            &p(data("certificate.cert.pem")),
            "protect",
            "--no-create",
            "--purpose",
            "p",
        ],
        b"x",
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert_eq!(env.key_files(), before);
    // With the certificate: a new key, encrypted to it.
    let out = env.dp(
        &[
            "--protect-keys-with",
            &p(data("certificate.cert.pem")),
            "protect",
            "--purpose",
            "p",
        ],
        b"x",
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let after = env.key_files();
    assert_eq!(after.len(), before.len() + 1);
    let new = after.iter().find(|n| !before.contains(n)).unwrap();
    let xml = std::fs::read_to_string(env.keys().join(new)).unwrap();
    assert!(
        xml.contains("EncryptedXmlDecryptor") && !xml.contains("<value>"),
        "{xml}"
    );
    // And it opens with the identity.
    let out2 = env.dp(
        &[
            "--unprotect-keys-with",
            &p(data("certificate.pfx")),
            "--pfx-password-file",
            &p(env.home.path().join("pw")),
            "unprotect",
            "--purpose",
            "p",
        ],
        &out.stdout,
    );
    assert_eq!(code(&out2), 0, "{}", stderr(&out2));
    assert_eq!(out2.stdout, b"x");
    // keys list says how each key is protected.
    let list = env.dp(&["keys", "list", "--json"], b"");
    let rows: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    for row in rows["keys"].as_array().unwrap() {
        assert_eq!(row["encrypted_at_rest"], true, "{row}");
        assert!(
            row["protection"]
                .as_str()
                .unwrap()
                .contains("CN=dp interop test"),
            "{row}"
        );
    }
}

#[test]
fn rewrap_moves_the_ring_to_a_new_certificate() {
    let env = Env::new();
    let c = case();
    let rotated = env.home.path().join("rotated.pem");
    std::fs::write(
        &rotated,
        std::fs::read_to_string(data("rotated.cert.pem")).unwrap()
            + &std::fs::read_to_string(data("rotated.key.pem")).unwrap(),
    )
    .unwrap();
    let out = env.dp(
        &[
            "--unprotect-keys-with",
            &p(data("certificate.pfx")),
            "--pfx-password-file",
            &p(env.home.path().join("pw")),
            "--protect-keys-with",
            &p(data("rotated.cert.pem")),
            "keys",
            "rewrap",
        ],
        b"",
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "c35ed9a3-fe56-46c5-bef6-aadfda5fcd6d"
    );
    let unprotect = |identity: &str| {
        env.dp(
            &[
                "--unprotect-keys-with",
                identity,
                "--app-name",
                &c.app,
                "unprotect",
                "--purpose",
                &c.purpose,
            ],
            c.payload.as_bytes(),
        )
    };
    let new = unprotect(&p(rotated.clone()));
    assert_eq!(code(&new), 0, "{}", stderr(&new));
    assert_eq!(new.stdout, c.plaintext);
    let old_pem = env.home.path().join("old.pem");
    std::fs::write(
        &old_pem,
        std::fs::read_to_string(data("certificate.cert.pem")).unwrap()
            + &std::fs::read_to_string(data("certificate.key.pem")).unwrap(),
    )
    .unwrap();
    let old = unprotect(&p(old_pem));
    assert_eq!(code(&old), 1, "{}", stderr(&old));
    assert!(
        stderr(&old).contains("CN=dp rotated test"),
        "{}",
        stderr(&old)
    );
    // Without --protect-keys-with, rewrap is a usage error.
    let out = env.dp(&["keys", "rewrap"], b"");
    assert_eq!(code(&out), 2, "{}", stderr(&out));
}

#[test]
fn the_encryption_options_do_what_they_say() {
    let env = Env::new();
    let cert = p(data("certificate.cert.pem"));
    // --protect-keys-padding pkcs1 writes .NET's rsa-1_5 form; keys new honours --protect-keys-with.
    let out = env.dp(
        &[
            "--protect-keys-with",
            &cert,
            "--protect-keys-padding",
            "pkcs1",
            "keys",
            "new",
        ],
        b"",
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let id = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let xml = std::fs::read_to_string(env.keys().join(format!("key-{id}.xml"))).unwrap();
    assert!(
        xml.contains("xmlenc#rsa-1_5") && !xml.contains("<value>"),
        "{xml}"
    );
    // DP_PROTECT_KEYS_WITH does the same (OAEP by default).
    let out = Command::new(env!("CARGO_BIN_EXE_dp"))
        .args(["--key-dir", &p(env.keys()), "keys", "new"])
        .env("DP_PROTECT_KEYS_WITH", &cert)
        .env_remove("DP_UNPROTECT_KEYS_WITH")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let id = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let xml = std::fs::read_to_string(env.keys().join(format!("key-{id}.xml"))).unwrap();
    assert!(xml.contains("xmlenc#rsa-oaep-mgf1p"), "{xml}");
    // --allow-unencrypted-keys lets a clear key join, explicitly.
    let before = env.key_files().len();
    let out = env.dp(&["--allow-unencrypted-keys", "keys", "new"], b"");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(env.key_files().len(), before + 1);
    // A certificate whose key is not RSA: exit 1 with a hint.
    let out = env.dp(
        &[
            "--protect-keys-with",
            &p(data("ec.cert.pem")),
            "keys",
            "new",
        ],
        b"",
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("hint: "), "{}", stderr(&out));
    // The missing identity is named by thumbprint too.
    let c = case();
    let out = env.dp(
        &["--app-name", &c.app, "unprotect", "--purpose", &c.purpose],
        c.payload.as_bytes(),
    );
    assert_eq!(code(&out), 1);
    let thumbprint = {
        let pem = std::fs::read_to_string(data("certificate.cert.pem")).unwrap();
        let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        use base64::Engine as _;
        let der = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap();
        hex::encode_upper(sha1_of(&der))
    };
    assert!(stderr(&out).contains(&thumbprint), "{}", stderr(&out));
}

/// SHA-1, for the thumbprint (no SHA-1 crate among the test dependencies: computed with
/// `sha1sum`).
fn sha1_of(bytes: &[u8]) -> Vec<u8> {
    let mut child = Command::new("sha1sum")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(bytes).unwrap();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    hex::decode(text.split_whitespace().next().unwrap()).unwrap()
}
