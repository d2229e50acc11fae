//! The vector ring and cookies the benchmarks decode (tests/data/web, made by .NET 10), with the
//! clock pinned before the cookies expire.

use std::sync::Arc;

use dp_aspnet::CookieAuthenticator;
use dp_keyring::{DataProtectionProvider, FileSystemRepository, ManualClock, Timestamp};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/web");

/// `(case name, scheme, Cookie header)` of every sign-in cookie in the vectors.
pub(crate) fn cookie_headers() -> Vec<(String, String, String)> {
    let text = std::fs::read_to_string(format!("{DATA}/web-manifest.json")).unwrap_or_default();
    let manifest: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    let cases = manifest["cases"].as_array().cloned().unwrap_or_default();
    cases
        .iter()
        .filter(|c| c["kind"] == "auth-cookie")
        .map(|c| {
            let pairs: Vec<&str> = c["set_cookie"]
                .as_array()
                .map(|lines| {
                    lines
                        .iter()
                        .filter_map(|l| l.as_str()?.split(';').next())
                        .collect()
                })
                .unwrap_or_default();
            (
                c["name"].as_str().unwrap_or("").to_owned(),
                c["scheme"].as_str().unwrap_or("").to_owned(),
                pairs.join("; "),
            )
        })
        .collect()
}

/// An authenticator over the vector ring (read-only: unprotecting never writes).
pub(crate) fn authenticator(scheme: &str) -> CookieAuthenticator {
    let clock = Arc::new(ManualClock::new(
        Timestamp::parse_xml("2026-12-01T00:00:00Z").unwrap_or_else(|_| unreachable!()),
    ));
    let provider =
        DataProtectionProvider::builder(FileSystemRepository::new(format!("{DATA}/keys-web")))
            .application_name(Some("WebApp"))
            .clock(clock.clone())
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
    CookieAuthenticator::new(&provider, scheme).with_clock(clock)
}
