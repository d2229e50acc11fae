//! `dp cookie`, `dp antiforgery`, `dp purposes` and `dp unprotect --purpose-preset` against the
//! cookies and tokens live ASP.NET Core (.NET 10) made (dp-aspnet's tests/data/web). The cookies
//! expire 2026-12-14, so every decode pins its instant with `--now`.
#![allow(
    clippy::unwrap_used,
    missing_docs,
    reason = "test code: a panic is a test failure, and test items need no docs"
)]

mod common;

use std::path::{Path, PathBuf};

use common::{code, documented_except, dp, schema_document_except, stderr, stdout};
use serde_json::Value;

const NOW: &str = "2026-12-01T00:00:00Z";

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../dp-aspnet/tests/data/web")
}

fn cases(kind: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(data().join("web-manifest.json")).unwrap();
    let manifest: Value = serde_json::from_str(&text).unwrap();
    manifest["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == kind)
        .cloned()
        .collect()
}

/// A private copy of the vector ring (`dp cookie issue` may add a key once the vector key has
/// expired in real time).
fn ring() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys");
    std::fs::create_dir(&keys).unwrap();
    for entry in std::fs::read_dir(data().join("keys-web")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), keys.join(entry.file_name())).unwrap();
    }
    let keys = keys.to_str().unwrap().to_owned();
    (dir, keys)
}

/// The `Cookie` header a browser sends after the case's `Set-Cookie` lines.
fn cookie_header(case: &Value) -> String {
    let pairs: Vec<&str> = case["set_cookie"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap().split(';').next().unwrap())
        .collect();
    format!("Cookie: {}", pairs.join("; "))
}

#[test]
fn decodes_every_dotnet_cookie_to_its_expected_contents() {
    let (home, keys) = ring();
    for case in cases("auth-cookie") {
        let name = case["name"].as_str().unwrap();
        let args = [
            "--key-dir",
            &keys,
            "--app-name",
            "WebApp",
            "cookie",
            "decode",
            "--json",
            "--now",
            NOW,
        ];
        let out = dp(home.path(), &args, cookie_header(&case).as_bytes());
        assert_eq!(code(&out), 0, "{name}: {}", stderr(&out));
        let decoded = schema_document_except(&stdout(&out), &["properties"]);
        documented_except(&decoded, &["properties"]);
        assert_eq!(decoded["scheme"], case["scheme"], "{name}");
        assert_eq!(decoded["cookie"], case["cookie_name"], "{name}");
        assert_eq!(decoded["identities"], case["identities"], "{name}");
        assert_eq!(decoded["properties"], case["properties"], "{name}");
        assert_eq!(decoded["issued"], "2026-11-30T12:00:00Z");
        assert_eq!(decoded["expires"], "2026-12-14T12:00:00Z");
        assert_eq!(decoded["expired"], false);

        // The Set-Cookie lines themselves, chunks and all.
        let lines: Vec<String> = case["set_cookie"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| format!("Set-Cookie: {}", l.as_str().unwrap()))
            .collect();
        let out = dp(home.path(), &args, lines.join("\n").as_bytes());
        assert_eq!(code(&out), 0, "{name}: {}", stderr(&out));
        let again: Value = serde_json::from_str(&stdout(&out)).unwrap();
        assert_eq!(again["identities"], case["identities"], "{name}");
    }
}

#[test]
fn a_bare_value_needs_its_scheme_and_the_table_names_the_user() {
    let (home, keys) = ring();
    let case = &cases("auth-cookie")[3];
    let payload = case["payload"].as_str().unwrap();
    let base = [
        "--key-dir",
        &keys,
        "--app-name",
        "WebApp",
        "cookie",
        "decode",
        "--now",
        NOW,
    ];
    // Without --scheme a bare value is read as `Cookies`: the MAC fails, exit 3 with a hint.
    let out = dp(home.path(), &base, payload.as_bytes());
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(stderr(&out).contains("hint:"), "{}", stderr(&out));
    let mut args = base.to_vec();
    args.extend(["--scheme", "Identity.Application"]);
    let out = dp(home.path(), &args, payload.as_bytes());
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let table = stdout(&out);
    assert!(
        table.contains("identity 1: Identity.Application, name alice"),
        "{table}"
    );
    assert!(
        table.contains("actor: Impersonation, name support-bob"),
        "{table}"
    );
}

#[test]
fn expired_tampered_and_ambiguous_cookies_are_refused() {
    let (home, keys) = ring();
    let all = cases("auth-cookie");
    let header = cookie_header(&all[0]);
    let decode = |extra: &[&str], input: &str| {
        let mut args = vec![
            "--key-dir",
            &keys,
            "--app-name",
            "WebApp",
            "cookie",
            "decode",
        ];
        args.extend(extra);
        dp(home.path(), &args, input.as_bytes())
    };
    // Expired: exit 3, unless --allow-expired.
    let out = decode(&["--now", "2027-01-01T00:00:00Z"], &header);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(stderr(&out).contains("expired"), "{}", stderr(&out));
    let out = decode(
        &["--now", "2027-01-01T00:00:00Z", "--allow-expired", "--json"],
        &header,
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let json: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["expired"], true);

    // One character changed: exit 3, nothing on stdout.
    let mut tampered = header.clone();
    let last = tampered.pop().unwrap();
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    let out = decode(&["--now", NOW], &tampered);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(out.stdout.is_empty());

    // Another application name: exit 3.
    let out = dp(
        home.path(),
        &[
            "--key-dir",
            &keys,
            "--app-name",
            "Other",
            "cookie",
            "decode",
            "--now",
            NOW,
        ],
        header.as_bytes(),
    );
    assert_eq!(code(&out), 3, "{}", stderr(&out));

    // Two sign-in cookies and no --scheme: exit 2 naming both.
    let both = format!(
        "{}; {}",
        header,
        cookie_header(&all[1]).trim_start_matches("Cookie: ")
    );
    let out = decode(&["--now", NOW], &both);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(".AspNetCore.Cookies") && err.contains(".AspNetCore.Identity.Application"),
        "{err}"
    );
    let out = decode(&["--now", NOW, "--scheme", "Identity.Application"], &both);
    assert_eq!(code(&out), 0, "{}", stderr(&out));

    // A chunked cookie missing a chunk: exit 3 naming it.
    let large = cookie_header(&all[2]);
    let cut: Vec<&str> = large
        .split("; ")
        .filter(|p| !p.starts_with(".AspNetCore.CookiesC3="))
        .collect();
    let out = decode(&["--now", NOW], &cut.join("; "));
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(stderr(&out).contains("C3"), "{}", stderr(&out));

    // No sign-in cookie at all.
    let out = decode(&["--now", NOW], "Cookie: theme=dark");
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(stderr(&out).contains("theme"), "{}", stderr(&out));
}

#[test]
fn issue_reproduces_the_dotnet_ticket_and_decodes() {
    let (home, keys) = ring();
    let case = &cases("auth-cookie")[0];
    assert_eq!(case["name"], "auth cookie Cookies basic");
    let out = dp(
        home.path(),
        &[
            "--key-dir",
            &keys,
            "--app-name",
            "WebApp",
            "cookie",
            "issue",
            "--scheme",
            "Cookies",
            "--claim",
            "name=alice",
            "--claim",
            "nameid=7c2b4a9e-42",
            "--issued-at",
            "2026-11-30T12:00:00Z",
            "--expires-at",
            "2026-12-14T12:00:00Z",
            "--allow-refresh",
        ],
        b"",
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let set_cookie = stdout(&out);
    let line = set_cookie.lines().next().unwrap();
    assert!(line.starts_with(".AspNetCore.Cookies=CfDJ8"), "{line}");
    assert!(
        line.ends_with("; path=/; secure; samesite=lax; httponly"),
        "{line}"
    );

    // The ticket inside is .NET's, byte for byte.
    let value = line
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches(".AspNetCore.Cookies=");
    let ticket = home.path().join("ticket.bin");
    let out = dp(
        home.path(),
        &[
            "--key-dir",
            &keys,
            "--app-name",
            "WebApp",
            "unprotect",
            "--purpose-preset",
            "cookie",
            "-o",
            ticket.to_str().unwrap(),
        ],
        value.as_bytes(),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        hex::encode(std::fs::read(&ticket).unwrap()),
        case["ticket_hex"].as_str().unwrap()
    );

    // And it decodes as the .NET cookie does.
    let out = dp(
        home.path(),
        &[
            "--key-dir",
            &keys,
            "--app-name",
            "WebApp",
            "cookie",
            "decode",
            "--json",
            "--now",
            NOW,
        ],
        set_cookie.as_bytes(),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let decoded: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(decoded["identities"], case["identities"]);
    assert_eq!(decoded["properties"], case["properties"]);
}

#[test]
fn issue_chunks_large_persistent_cookies_and_refuses_bad_claims() {
    let (home, keys) = ring();
    let mut args: Vec<String> = [
        "--key-dir",
        &keys,
        "--app-name",
        "WebApp",
        "cookie",
        "issue",
        "--scheme",
        "Cookies",
        "--persistent",
        "--expires-in",
        "1h",
        "--json",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    for i in 0..200 {
        args.push("--claim".into());
        args.push(format!("group=group-{i:04}-gggggggggggggggggggg"));
    }
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = dp(home.path(), &refs, b"");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let json = schema_document_except(&stdout(&out), &[]);
    documented_except(&json, &[]);
    let lines = json["set_cookie"].as_array().unwrap();
    assert!(lines.len() > 2, "{lines:?}");
    assert!(
        lines[0]
            .as_str()
            .unwrap()
            .starts_with(".AspNetCore.Cookies=chunks-")
    );
    for line in lines {
        let line = line.as_str().unwrap();
        assert!(line.len() <= 4050, "{}", line.len());
        assert!(line.contains("; expires="), "{line}");
    }

    let out = dp(
        home.path(),
        &[
            "--key-dir",
            &keys,
            "cookie",
            "issue",
            "--scheme",
            "Cookies",
            "--claim",
            "alice",
        ],
        b"",
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let out = dp(
        home.path(),
        &[
            "--key-dir",
            &keys,
            "cookie",
            "issue",
            "--scheme",
            "Cookies",
            "--claim",
            "name=a",
            "--issued-at",
            "2026-12-01T00:00:00Z",
            "--expires-at",
            "2026-11-01T00:00:00Z",
        ],
        b"",
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
}

#[test]
fn antiforgery_pairs_validate_for_their_user_only() {
    let (home, keys) = ring();
    let pairs = cases("antiforgery");
    let validate = |case: &Value, claims: &[&str]| {
        let mut args = vec![
            "--key-dir",
            &keys,
            "--app-name",
            "WebApp",
            "antiforgery",
            "validate",
            "--cookie-token",
            case["cookie_token"].as_str().unwrap(),
            "--request-token",
            case["request_token"].as_str().unwrap(),
        ];
        for c in claims {
            args.extend(["--claim", c]);
        }
        dp(home.path(), &args, b"")
    };
    let anonymous = &pairs[0];
    let signed_in = &pairs[1];
    assert!(anonymous["user_name_identifier"].is_null());
    assert_eq!(code(&validate(anonymous, &[])), 0);
    assert_eq!(code(&validate(anonymous, &["nameid=7c2b4a9e-42"])), 3);
    let out = validate(signed_in, &["nameid=7c2b4a9e-42", "name=alice"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), "valid");
    assert_eq!(code(&validate(signed_in, &["nameid=someone-else"])), 3);
    let out = validate(signed_in, &[]);
    assert_eq!(code(&out), 3);
    assert!(stderr(&out).contains("invalid"), "{}", stderr(&out));

    // Decoding says which token is which.
    let out = dp(
        home.path(),
        &[
            "--key-dir",
            &keys,
            "--app-name",
            "WebApp",
            "antiforgery",
            "decode",
            "--json",
            signed_in["request_token"].as_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let json = schema_document_except(&stdout(&out), &[]);
    documented_except(&json, &[]);
    assert_eq!(json["kind"], "request");
    assert_eq!(json["claim_uid"].as_str().unwrap().len(), 64);
    let out = dp(
        home.path(),
        &[
            "--key-dir",
            &keys,
            "--app-name",
            "WebApp",
            "antiforgery",
            "decode",
            signed_in["cookie_token"].as_str().unwrap(),
        ],
        b"",
    );
    assert!(stdout(&out).contains("cookie token"), "{}", stdout(&out));

    // The cookie name is derived from the application name, which is required.
    let out = dp(
        home.path(),
        &["--app-name", "WebApp", "antiforgery", "cookie-name"],
        b"",
    );
    assert_eq!(stdout(&out).trim(), ".AspNetCore.Antiforgery.4ewlKE2fs7M");
    let set_cookie = anonymous["set_cookie"][0].as_str().unwrap();
    assert!(set_cookie.starts_with(".AspNetCore.Antiforgery.4ewlKE2fs7M="));
    let out = dp(home.path(), &["antiforgery", "cookie-name"], b"");
    assert_eq!(code(&out), 2, "{}", stderr(&out));
}

#[test]
fn purposes_and_presets() {
    let (home, keys) = ring();
    let out = dp(home.path(), &["purposes", "--json"], b"");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let json = schema_document_except(&stdout(&out), &[]);
    documented_except(&json, &[]);
    let names: Vec<&str> = json["presets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for expected in [
        "cookie",
        "identity",
        "bearer",
        "refresh",
        "antiforgery",
        "session",
        "tempdata",
    ] {
        assert!(names.contains(&expected), "{names:?}");
    }

    // The antiforgery preset unprotects a token to its 18-byte cookie-token plaintext.
    let token = cases("antiforgery")[0]["cookie_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let out_file = home.path().join("token.bin");
    let out = dp(
        home.path(),
        &[
            "--key-dir",
            &keys,
            "--app-name",
            "WebApp",
            "unprotect",
            "--purpose-preset",
            "antiforgery",
            "-o",
            out_file.to_str().unwrap(),
        ],
        token.as_bytes(),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(std::fs::read(&out_file).unwrap().len(), 18);

    // Purposes given with a preset come after its chain: here one too many, so exit 3.
    let out = dp(
        home.path(),
        &[
            "--key-dir",
            &keys,
            "--app-name",
            "WebApp",
            "unprotect",
            "--purpose-preset",
            "antiforgery",
            "--purpose",
            "extra",
        ],
        token.as_bytes(),
    );
    assert_eq!(code(&out), 3, "{}", stderr(&out));

    for bad in ["nope", "antiforgery:Cookies", "oauth-state"] {
        let out = dp(
            home.path(),
            &["--key-dir", &keys, "unprotect", "--purpose-preset", bad],
            token.as_bytes(),
        );
        assert_eq!(code(&out), 2, "{bad}: {}", stderr(&out));
    }
    // Neither --purpose nor --purpose-preset: usage error.
    let out = dp(
        home.path(),
        &["--key-dir", &keys, "unprotect"],
        token.as_bytes(),
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
}
