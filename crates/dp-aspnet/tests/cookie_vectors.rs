//! Sign-in cookies made by live ASP.NET Core (tests/data/web, `kind: auth-cookie`): the
//! `Set-Cookie` lines are reproduced byte for byte by `chunked_set_cookies`, and the `Cookie`
//! header a browser sends back reassembles to the payload. Hostile headers fail with the
//! exact error.
#![allow(
    clippy::unwrap_used,
    missing_docs,
    reason = "test code: a panic is a test failure, and test items need no docs"
)]

use dp_aspnet::AspNetError;
use dp_aspnet::cookie::{
    CookieOptions, DEFAULT_CHUNK_SIZE, RequestCookies, authentication_cookie_name,
    chunked_set_cookies, delete_chunked_cookies,
};
use dp_aspnet::limits::{MAX_CHUNKS, MAX_COOKIE_HEADER};
use dp_aspnet::ticket::properties::parse_date;
use proptest::prelude::*;
use serde_json::Value;

fn manifest() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/web/web-manifest.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn cases(kind: &str) -> Vec<Value> {
    let cases: Vec<Value> = manifest()["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == kind)
        .cloned()
        .collect();
    assert!(!cases.is_empty());
    cases
}

fn str_of<'v>(case: &'v Value, field: &str) -> &'v str {
    case[field].as_str().unwrap()
}

fn set_cookie_lines(case: &Value) -> Vec<String> {
    case["set_cookie"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap().to_owned())
        .collect()
}

/// What a browser sends back: the `name=value` part of each `Set-Cookie` line.
fn cookie_header(lines: &[String]) -> String {
    let pairs: Vec<&str> = lines.iter().map(|l| l.split(';').next().unwrap()).collect();
    format!("Cookie: theme=dark; {}; _ga=GA1.2.3", pairs.join("; "))
}

#[test]
fn vector_cookies_reassemble_to_the_payload() {
    for case in cases("auth-cookie") {
        let name = str_of(&case, "cookie_name");
        let header = cookie_header(&set_cookie_lines(&case));
        let cookies = RequestCookies::parse(&header).unwrap();
        let value = cookies.get_chunked(name).unwrap().unwrap();
        assert_eq!(value, str_of(&case, "payload"), "{}", case["name"]);
        // Names are matched ignoring ASCII case, as .NET does.
        let upper = cookies
            .get_chunked(&name.to_ascii_uppercase())
            .unwrap()
            .unwrap();
        assert_eq!(upper, str_of(&case, "payload"));
    }
}

#[test]
fn vector_set_cookie_lines_are_reproduced() {
    for case in cases("auth-cookie") {
        let name = str_of(&case, "cookie_name");
        assert_eq!(name, authentication_cookie_name(str_of(&case, "scheme")));
        let options = CookieOptions {
            expires: Some(parse_date(case["properties"][".expires"].as_str().unwrap()).unwrap()),
            ..CookieOptions::authentication()
        };
        let lines = chunked_set_cookies(name, str_of(&case, "payload"), &options, None).unwrap();
        assert_eq!(lines, set_cookie_lines(&case), "{}", case["name"]);
        assert!(lines.iter().all(|l| l.len() < DEFAULT_CHUNK_SIZE));
    }
}

#[test]
fn the_large_vector_is_chunked_in_six() {
    let case = cases("auth-cookie")
        .into_iter()
        .find(|c| c["set_cookie"].as_array().unwrap().len() > 1)
        .unwrap();
    let lines = set_cookie_lines(&case);
    assert_eq!(lines.len(), 7);
    assert!(lines[0].starts_with(".AspNetCore.Cookies=chunks-6; expires="));
    // Deleting it expires the base cookie and its six parts.
    let deleted =
        delete_chunked_cookies(".AspNetCore.Cookies", 6, &CookieOptions::authentication());
    assert_eq!(deleted.len(), 7);
    assert_eq!(
        deleted[6],
        ".AspNetCore.CookiesC6=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/; secure; \
         samesite=lax; httponly"
    );
}

const NAME: &str = ".AspNetCore.Cookies";

fn chunked(name: &str, header: &str) -> Result<Option<String>, AspNetError> {
    RequestCookies::parse(header)?
        .get_chunked(name)
        .map(|v| v.map(|v| v.into_owned()))
}

#[test]
fn hostile_headers_fail_exactly() {
    let big = format!(
        "{NAME}={}",
        "a".repeat(MAX_COOKIE_HEADER + 1 - NAME.len() - 1)
    );
    assert_eq!(big.len(), MAX_COOKIE_HEADER + 1);
    assert!(matches!(
        chunked(NAME, &big),
        Err(AspNetError::LimitExceeded {
            what: "cookie header",
            limit: MAX_COOKIE_HEADER
        })
    ));
    assert!(chunked(NAME, &big[1..]).is_ok());

    let parts: Vec<String> = (1..=65).map(|i| format!("{NAME}C{i}=x")).collect();
    let header = format!("{NAME}=chunks-65; {}", parts.join("; "));
    assert!(matches!(
        chunked(NAME, &header),
        Err(AspNetError::LimitExceeded {
            what: "cookie chunks",
            limit: MAX_CHUNKS
        })
    ));

    let header = format!("{NAME}=chunks-3; {NAME}C1=abc; {NAME}C3=ghi; other=1");
    match chunked(NAME, &header) {
        Err(AspNetError::IncompleteChunkedCookie {
            name,
            chunks: 3,
            missing: 2,
        }) => {
            assert_eq!(name, NAME);
        }
        other => panic!("{other:?}"),
    }
    // An empty part is a missing part.
    let header = format!("{NAME}=chunks-2; {NAME}C1=abc; {NAME}C2=");
    assert!(matches!(
        chunked(NAME, &header),
        Err(AspNetError::IncompleteChunkedCookie {
            chunks: 2,
            missing: 2,
            ..
        })
    ));
    // More chunks announced than cookies present.
    let header = format!("{NAME}=chunks-9; {NAME}C1=abc");
    assert!(matches!(
        chunked(NAME, &header),
        Err(AspNetError::IncompleteChunkedCookie {
            chunks: 9,
            missing: 2,
            ..
        })
    ));

    // Not chunk counts to .NET: returned literally.
    for literal in ["chunks-0", "chunks-x", "chunks-", "chunks-99999999999"] {
        let header = format!("{NAME}={literal}; {NAME}C1=abc");
        assert_eq!(chunked(NAME, &header).unwrap().as_deref(), Some(literal));
    }
    assert_eq!(chunked(NAME, "a=b").unwrap(), None);
    assert_eq!(chunked(NAME, &format!("{NAME}=")).unwrap(), None);
}

#[test]
fn chunks_are_looked_up_like_dotnet() {
    // Case-insensitive names, quoted and percent-encoded parts, last duplicate wins, parts
    // beyond N ignored.
    let header = format!(
        "{}=chunks-2; {NAME}c1=\"a%2Bb\"; {NAME}C2=old; {NAME}C2=c; {NAME}C3=ignored",
        NAME.to_ascii_lowercase()
    );
    assert_eq!(chunked(NAME, &header).unwrap().as_deref(), Some("a+bc"));
}

proptest! {
    #[test]
    fn chunked_cookies_round_trip(
        name in "[A-Za-z][A-Za-z0-9._]{0,30}",
        value in ".{0,1000}",
        chunk_size in 300usize..5000,
        persistent in any::<bool>(),
    ) {
        prop_assume!(!value.starts_with("chunks-"));
        let mut options = CookieOptions::authentication();
        if persistent {
            options.expires = parse_date("Mon, 14 Dec 2026 12:00:00 GMT");
        }
        let lines = chunked_set_cookies(&name, &value, &options, Some(chunk_size))
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let header = cookie_header(&lines);
        let back = chunked(&name, &header).map_err(|e| TestCaseError::fail(e.to_string()))?;
        if value.is_empty() {
            prop_assert_eq!(back, None);
        } else {
            prop_assert_eq!(back.as_deref(), Some(value.as_str()));
        }
    }

    #[test]
    fn parsing_never_panics(header in "\\PC{0,300}", name in "[a-zA-Z.]{0,5}") {
        if let Ok(cookies) = RequestCookies::parse(&header) {
            let _ = cookies.get(&name);
            let _ = cookies.get_chunked(&name);
            let names: Vec<&str> = cookies.names().collect();
            for n in names {
                let _ = cookies.get_chunked(n);
            }
        }
    }

    #[test]
    fn chunk_shaped_headers_never_panic(
        n in 0usize..80,
        parts in proptest::collection::vec(("[cC]", 0usize..80, "[a-z%0-9\"]{0,6}"), 0..40),
    ) {
        let mut header = format!("{NAME}=chunks-{n}");
        for (c, i, v) in parts {
            header.push_str(&format!("; {NAME}{c}{i}={v}"));
        }
        let _ = chunked(NAME, &header);
    }
}
