//! What `dp unprotect` and `dp inspect` read as a payload, what they say about anything else,
//! and how payload and envelope commands point to each other (issue 13, items 4 and 5).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs,
    reason = "test code: a panic is a test failure, and test items need no docs"
)]

mod common;

use common::{dp, stderr};
use std::path::{Path, PathBuf};
use std::process::Output;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE, URL_SAFE_NO_PAD};

fn capi_data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../dp-envelope/tests/data/capi")
        .join(name)
}

/// Exit `code`, nothing on stdout, an `error:` line containing `what`, and never a panic.
fn assert_rejected(out: &Output, code: i32, what: &str) -> String {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(code), "{what}: {err}");
    assert!(err.starts_with("error: "), "{what}: {err}");
    assert!(err.contains(what), "expected {what:?} in: {err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(out.stdout.is_empty(), "{what}");
    err
}

struct Ring {
    home: tempfile::TempDir,
    keys: String,
}

impl Ring {
    fn new() -> Self {
        let home = tempfile::tempdir().unwrap();
        let keys = home.path().join("keys").to_str().unwrap().to_owned();
        Self { home, keys }
    }

    fn run(&self, args: &[&str], stdin: &[u8]) -> Output {
        let mut all = vec!["--key-dir", self.keys.as_str()];
        all.extend_from_slice(args);
        dp(self.home.path(), &all, stdin)
    }

    /// A binary payload of `plaintext` for purpose `demo`.
    fn protect(&self, plaintext: &[u8]) -> Vec<u8> {
        let out = self.run(&["protect", "--purpose", "demo", "--raw"], plaintext);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        out.stdout
    }

    fn unprotect(&self, extra: &[&str], input: &[u8]) -> Output {
        let mut args = vec!["unprotect", "--purpose", "demo"];
        args.extend_from_slice(extra);
        self.run(&args, input)
    }
}

fn utf16le_with_bom(text: &str) -> Vec<u8> {
    [0xFF, 0xFE]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
        .collect()
}

#[test]
fn unprotect_reads_every_text_form_of_a_payload() {
    let ring = Ring::new();
    let payload = ring.protect(b"card 4111");
    let url = URL_SAFE_NO_PAD.encode(&payload);
    let standard = STANDARD.encode(&payload);
    let wrapped = standard
        .as_bytes()
        .chunks(20)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect::<Vec<_>>()
        .join("\r\n");
    let percent = standard
        .replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D");
    let other = URL_SAFE_NO_PAD.encode(ring.protect(b"other"));
    let (first, second) = url.split_at(url.len() / 2);
    let forms: Vec<(&str, Vec<u8>, Vec<&str>)> = vec![
        ("base64url", url.clone().into_bytes(), vec![]),
        ("padded base64url", URL_SAFE.encode(&payload).into_bytes(), vec![]),
        ("Convert.ToBase64String", standard.clone().into_bytes(), vec![]),
        ("UTF-8 BOM, CRLF", format!("\u{feff}{url}\r\n").into_bytes(), vec![]),
        ("PowerShell redirect", utf16le_with_bom(&format!("{standard}\r\n")), vec![]),
        ("line breaks", wrapped.into_bytes(), vec![]),
        ("double quotes", format!("\"{url}\"\n").into_bytes(), vec![]),
        ("single quotes", format!("'{standard}'").into_bytes(), vec![]),
        ("URL-encoded", percent.clone().into_bytes(), vec![]),
        ("name=value", format!(".AspNetCore.Cookies={percent}").into_bytes(), vec![]),
        (
            "Cookie header, the only payload",
            format!("Cookie: _ga=GA1.2.3; .AspNetCore.Cookies={url}; theme=dark").into_bytes(),
            vec![],
        ),
        (
            "Cookie header, --cookie",
            format!("Cookie: a={other}; b={url}").into_bytes(),
            vec!["--cookie", "b"],
        ),
        (
            "chunked cookie with all its parts",
            format!("Cookie: .AspNetCore.Cookies=chunks-2; .AspNetCore.CookiesC1={first}; .AspNetCore.CookiesC2={second}")
                .into_bytes(),
            vec![],
        ),
    ];
    for (what, input, extra) in forms {
        let out = ring.unprotect(&extra, &input);
        assert_eq!(out.status.code(), Some(0), "{what}: {}", stderr(&out));
        assert_eq!(out.stdout, b"card 4111", "{what}");
    }
    // A file argument reads the same way as standard input.
    let file = ring.home.path().join("token.txt");
    std::fs::write(&file, utf16le_with_bom(&standard)).unwrap();
    let out = ring.unprotect(&[file.to_str().unwrap()], b"");
    assert_eq!(out.stdout, b"card 4111", "{}", stderr(&out));
    // dp inspect reads the same forms.
    let out = ring.run(
        &["inspect", "--cookie", "b"],
        format!("Cookie: a={other}; b=\"{standard}\"").as_bytes(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("key id:"));
}

#[test]
fn what_is_not_a_payload_is_named_and_text_never_gets_a_raw_hint() {
    let ring = Ring::new();
    let payload = ring.protect(b"x");
    let url = URL_SAFE_NO_PAD.encode(&payload);
    let cases: Vec<(&str, Vec<u8>, Vec<&str>)> = vec![
        ("empty input", b"".to_vec(), vec![]),
        ("empty input", b" \r\n".to_vec(), vec![]),
        ("3 characters missing", b"CfDJ8".to_vec(), vec![]),
        ("1 character missing", b"CfDJ8P=".to_vec(), vec![]),
        (
            "unexpected `!` at character 11",
            b"not base64!".to_vec(),
            vec![],
        ),
        (
            "cookie split into 3 chunks",
            b".AspNetCore.Cookies=chunks-3".to_vec(),
            vec![],
        ),
        (
            "2 cookies",
            format!("Cookie: a={url}; b={url}").into_bytes(),
            vec![],
        ),
        (
            "no cookie `c`",
            format!("Cookie: a={url}; b={url}").into_bytes(),
            vec!["--cookie", "c"],
        ),
        (
            "the input is binary",
            vec![0, 1, 2, 0xFF, 0xFE, 0x80],
            vec![],
        ),
    ];
    for (what, input, extra) in cases {
        let err = assert_rejected(&ring.unprotect(&extra, &input), 3, what);
        assert!(err.contains("\nhint: "), "{what}: {err}");
        assert!(!err.contains("--raw"), "{what}: {err}");
    }
    let err = assert_rejected(
        &ring.unprotect(&[], b".AspNetCore.Cookies=chunks-3"),
        3,
        "chunks-3",
    );
    assert!(err.contains("need all their parts"), "{err}");
    // Only the payload itself, binary, earns the hint.
    let err = assert_rejected(&ring.unprotect(&[], &payload), 3, "binary");
    assert!(err.contains("hint: pass --raw"), "{err}");
    // And the text form given with --raw is pointed back.
    let err = assert_rejected(&ring.unprotect(&["--raw"], url.as_bytes()), 3, "text");
    assert!(err.contains("drop --raw"), "{err}");
}

fn envelope(home: &Path) -> Vec<u8> {
    let to = capi_data("rsa2048.pub.pem");
    let out = dp(
        home,
        &["envelope", "seal", "--to", to.to_str().unwrap()],
        b"hello",
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(out.stdout.starts_with(b"dpENV"));
    out.stdout
}

#[test]
fn inspect_and_envelope_inspect_recognise_each_other() {
    let ring = Ring::new();
    let sealed = envelope(ring.home.path());
    for extra in [&[][..], &["--raw"][..]] {
        let mut args = vec!["inspect"];
        args.extend_from_slice(extra);
        assert_rejected(
            &ring.run(&args, &sealed),
            3,
            "this is a dp envelope; use `dp envelope inspect`",
        );
        let mut args = vec!["unprotect", "--purpose", "demo"];
        args.extend_from_slice(extra);
        assert_rejected(&ring.run(&args, &sealed), 3, "use `dp envelope open`");
    }

    let payload = ring.protect(b"x");
    let text = format!("{}\n", URL_SAFE_NO_PAD.encode(&payload));
    let quoted = format!("\"{}\"", STANDARD.encode(&payload));
    for input in [payload.clone(), text.into_bytes(), quoted.into_bytes()] {
        assert_rejected(
            // No ring options: envelopes use no key ring.
            &dp(ring.home.path(), &["envelope", "inspect"], &input),
            3,
            "this is an ASP.NET Core Data Protection payload; use `dp inspect`",
        );
    }
    // An envelope still inspects, read through the sniffed prefix.
    let out = dp(ring.home.path(), &["envelope", "inspect"], &sealed);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("recipient"));
}

#[test]
fn capi_open_reads_the_message_from_stdin() {
    let home = tempfile::tempdir().unwrap();
    let key = capi_data("rsa2048.key.pem");
    let session = capi_data("aes256-oaep.simpleblob");
    let message = std::fs::read(capi_data("message-aes256.bin")).unwrap();
    let expected = std::fs::read(capi_data("message.txt")).unwrap();
    let base = [
        "capi",
        "open",
        "--danger-no-integrity",
        "--key",
        key.to_str().unwrap(),
        "--session-key",
        session.to_str().unwrap(),
    ];
    for dash in [&[][..], &["-"][..]] {
        let mut args = base.to_vec();
        args.extend_from_slice(dash);
        let out = dp(home.path(), &args, &message);
        assert_eq!(out.status.code(), Some(0), "{dash:?}: {}", stderr(&out));
        assert_eq!(out.stdout, expected);
    }
    let mut broken = message;
    broken.truncate(broken.len() - 1);
    assert_rejected(
        &dp(home.path(), &base, &broken),
        3,
        "standard input: the message does not decrypt",
    );
}
