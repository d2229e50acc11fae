//! Antiforgery token pairs made by live ASP.NET Core (tests/data/web, `kind: antiforgery`):
//! decoded over the vector key ring, validated for the user they were issued to and refused for
//! anyone else, re-encoded byte for byte, and their cookie's name and `Set-Cookie` line
//! reproduced.
#![allow(
    clippy::unwrap_used,
    missing_docs,
    reason = "test code: a panic is a test failure, and test items need no docs"
)]

use std::path::Path;
use std::sync::Arc;

use dp_aspnet::antiforgery::{
    Antiforgery, AntiforgeryMismatch, claim_uid, cookie_name, cookie_name_for, validate_tokens,
};
use dp_aspnet::cookie::{CookieOptions, set_cookie};
use dp_aspnet::wire::antiforgery::{self, AntiforgeryToken, TokenKind, TokenUser};
use dp_aspnet::{AspNetError, ClaimsIdentity, RejectReason, claim_types, purposes};
use dp_format::base64url;
use dp_keyring::{
    DataProtectionProvider, FileSystemRepository, KeyringError, ManualClock, OsRandom, Timestamp,
};
use serde_json::Value;

const USER_ID: &str = "7c2b4a9e-42";

struct Ring {
    // Keeps the copy of the ring alive.
    _dir: tempfile::TempDir,
    provider: DataProtectionProvider,
}

/// The vector ring, copied so that nothing the provider might write touches the committed
/// files, with the clock pinned before the keys expire.
fn ring() -> Ring {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/web/keys-web");
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(source).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    let clock = ManualClock::new(Timestamp::parse_xml("2026-12-01T00:00:00Z").unwrap());
    let provider = DataProtectionProvider::builder(FileSystemRepository::new(dir.path()))
        .application_name(Some("WebApp"))
        .clock(Arc::new(clock))
        .build()
        .unwrap();
    Ring {
        _dir: dir,
        provider,
    }
}

fn cases() -> Vec<Value> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/web/web-manifest.json"
    );
    let manifest: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let cases: Vec<Value> = manifest["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == "antiforgery")
        .cloned()
        .collect();
    assert_eq!(cases.len(), 2);
    cases
}

fn user(id: &str) -> Vec<ClaimsIdentity> {
    vec![ClaimsIdentity::new("Identity.Application").with_claim(claim_types::NAME_IDENTIFIER, id)]
}

fn mismatch(result: Result<(), AspNetError>) -> AntiforgeryMismatch {
    match result {
        Err(AspNetError::Antiforgery(m)) => m,
        other => panic!("expected a mismatch, got {other:?}"),
    }
}

#[test]
fn vector_pairs_validate_for_their_user_only() {
    let ring = ring();
    let af = Antiforgery::new(&ring.provider);
    for case in cases() {
        let cookie_text = case["cookie_token"].as_str().unwrap();
        let request_text = case["request_token"].as_str().unwrap();
        let cookie = af.decode_token(cookie_text).unwrap();
        let request = af.decode_token(request_text).unwrap();
        assert_eq!(cookie.kind, TokenKind::Cookie);
        assert_eq!(cookie.security_token, request.security_token);

        let someone_else = user("someone-else");
        match case["user_name_identifier"].as_str() {
            None => {
                assert_eq!(
                    request.kind,
                    TokenKind::Request {
                        user: TokenUser::Username(String::new()),
                        additional_data: String::new()
                    }
                );
                af.validate(cookie_text, request_text, &[]).unwrap();
                assert_eq!(
                    mismatch(af.validate(cookie_text, request_text, &user(USER_ID))),
                    AntiforgeryMismatch::ClaimUidMismatch
                );
            }
            Some(id) => {
                assert_eq!(id, USER_ID);
                // The token carries the claim uid of the name identifier with issuer
                // LOCAL AUTHORITY: the rule of the spec, confirmed by .NET.
                let TokenKind::Request {
                    user: token_user, ..
                } = &request.kind
                else {
                    panic!("a request token")
                };
                assert_eq!(
                    *token_user,
                    TokenUser::ClaimUid(claim_uid(&user(id)).unwrap())
                );
                af.validate(cookie_text, request_text, &user(id)).unwrap();
                assert_eq!(
                    mismatch(af.validate(cookie_text, request_text, &someone_else)),
                    AntiforgeryMismatch::ClaimUidMismatch
                );
                assert_eq!(
                    mismatch(af.validate(cookie_text, request_text, &[])),
                    AntiforgeryMismatch::ClaimUidMismatch
                );
            }
        }
        let swapped = af.validate(request_text, cookie_text, &[]);
        assert_eq!(mismatch(swapped), AntiforgeryMismatch::TokensSwapped);
        assert_eq!(
            mismatch(validate_tokens(&request, &cookie, &someone_else)),
            AntiforgeryMismatch::TokensSwapped
        );
    }
}

#[test]
fn pairs_do_not_mix() {
    let ring = ring();
    let af = Antiforgery::new(&ring.provider);
    let cases = cases();
    let anonymous_cookie = cases[0]["cookie_token"].as_str().unwrap();
    let signed_in_request = cases[1]["request_token"].as_str().unwrap();
    assert_eq!(
        mismatch(af.validate(anonymous_cookie, signed_in_request, &user(USER_ID))),
        AntiforgeryMismatch::SecurityTokenMismatch
    );
}

#[test]
fn vector_plaintexts_re_encode_byte_for_byte() {
    let ring = ring();
    let protector = ring.provider.create_protector(purposes::ANTIFORGERY);
    for case in cases() {
        for field in ["cookie_token", "request_token"] {
            let payload = base64url::decode(case[field].as_str().unwrap()).unwrap();
            let plaintext = protector.unprotect(&payload).unwrap();
            let token = antiforgery::decode(&plaintext).unwrap();
            assert_eq!(antiforgery::encode(&token).unwrap(), plaintext, "{field}");
            // Sizes of the spec: 18 (cookie), 21 (anonymous), 52 (claims).
            let expected = match (&token.kind, case["user_name_identifier"].is_null()) {
                (TokenKind::Cookie, _) => 18,
                (_, true) => 21,
                (_, false) => 52,
            };
            assert_eq!(plaintext.len(), expected);
        }
    }
}

#[test]
fn vector_cookie_name_and_set_cookie_line() {
    let ring = ring();
    assert_eq!(
        cookie_name_for(&ring.provider),
        ".AspNetCore.Antiforgery.4ewlKE2fs7M"
    );
    for case in cases() {
        let line = case["set_cookie"][0].as_str().unwrap();
        let name = line.split('=').next().unwrap();
        assert_eq!(name, cookie_name(Some("WebApp")));
        let token = case["cookie_token"].as_str().unwrap();
        assert_eq!(line, set_cookie(name, token, &CookieOptions::antiforgery()));
    }
}

#[test]
fn generated_pairs_validate() {
    let ring = ring();
    let af = Antiforgery::new(&ring.provider);
    for identities in [vec![], user(USER_ID)] {
        let (cookie, request) = af.generate(&identities, &OsRandom).unwrap();
        af.validate(&cookie, &request, &identities).unwrap();
        let cookie = af.decode_token(&cookie).unwrap();
        let request = af.decode_token(&request).unwrap();
        assert!(cookie.is_cookie_token() && !request.is_cookie_token());
    }
    let (cookie, request) = af.generate(&user(USER_ID), &OsRandom).unwrap();
    assert_eq!(
        mismatch(af.validate(&cookie, &request, &user("x"))),
        AntiforgeryMismatch::ClaimUidMismatch
    );
}

#[test]
fn broken_tokens_fail_at_the_right_stage() {
    let ring = ring();
    let af = Antiforgery::new(&ring.provider);
    let case = &cases()[0];
    let token = case["cookie_token"].as_str().unwrap();
    assert!(matches!(
        af.decode_token("not base64!"),
        Err(AspNetError::InvalidBase64)
    ));
    assert!(matches!(
        af.decode_token(&"A".repeat(64 * 1024 + 1)),
        Err(AspNetError::LimitExceeded {
            what: "antiforgery token",
            ..
        })
    ));
    // Every byte of the payload flipped: never a token.
    let payload = base64url::decode(token).unwrap();
    for i in 0..payload.len() {
        let mut tampered = payload.clone();
        tampered[i] ^= 0x01;
        let err = af.decode_token(&base64url::encode(&tampered)).unwrap_err();
        assert!(
            matches!(err, AspNetError::Unprotect(_)),
            "byte {i}: {err:?}"
        );
    }
    // Another application's provider (another discriminator) cannot read it.
    let other = Antiforgery::new(&DataProtectionProvider::ephemeral());
    let err = other.decode_token(token).unwrap_err();
    assert!(matches!(
        err,
        AspNetError::Unprotect(KeyringError::KeyNotFound(_))
    ));
    assert_eq!(err.reason(), RejectReason::UnknownKey);
    // Tokens protected for another purpose are refused as tampered.
    let wrong = ring.provider.create_protector("not antiforgery");
    let cookie = AntiforgeryToken {
        security_token: [1; 16],
        kind: TokenKind::Cookie,
    };
    let foreign = base64url::encode(
        &wrong
            .protect(&antiforgery::encode(&cookie).unwrap())
            .unwrap(),
    );
    let err = af.decode_token(&foreign).unwrap_err();
    assert!(matches!(
        err,
        AspNetError::Unprotect(KeyringError::AuthenticationFailed)
    ));
    // A wire error after a successful unprotect.
    let protector = ring.provider.create_protector(purposes::ANTIFORGERY);
    let bad_version = base64url::encode(&protector.protect(&[2; 18]).unwrap());
    assert!(matches!(
        af.decode_token(&bad_version),
        Err(AspNetError::UnsupportedAntiforgeryVersion(2))
    ));
}
