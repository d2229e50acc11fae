//! Interoperability with ASP.NET Core: key rings and payloads in .NET's formats.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs,
    reason = "test code: a panic is a test failure, and test items need no docs"
)]

mod common;

use std::sync::Arc;

use common::{SequentialRandom, ring_copy, vectors, xml_files};
use dp_format::base64url;
use dp_keyring::{
    DataProtectionProvider, FileSystemRepository, KeyringError, ManualClock, Timestamp,
};

fn provider(dir: &std::path::Path, app: Option<&str>) -> DataProtectionProvider {
    DataProtectionProvider::new(FileSystemRepository::new(dir), app)
}

/// Payloads in .NET's format unprotect with the app's key directory, app name and purpose —
/// for every algorithm — and unprotecting writes nothing to the key directory.
#[test]
fn dotnet_payloads_unprotect() {
    let v = vectors();
    for (ring, case) in v["rings"].as_object().unwrap() {
        let dir = ring_copy(ring);
        let before = xml_files(dir.path());
        let protector = provider(dir.path(), Some("MyApp")).create_protector("MyPurpose");
        let payload = hex::decode(case["payload_hex"].as_str().unwrap()).unwrap();
        assert_eq!(
            protector.unprotect(&payload).unwrap(),
            b"Hello, World!",
            "{ring}"
        );
        assert_eq!(
            protector
                .unprotect_str(&base64url::encode(&payload))
                .unwrap(),
            "Hello, World!"
        );
        assert_eq!(
            xml_files(dir.path()),
            before,
            "unprotect must not create keys"
        );

        // Without the app name, or with another purpose, the same payload is rejected.
        let no_app = provider(dir.path(), None).create_protector("MyPurpose");
        assert!(matches!(
            no_app.unprotect(&payload),
            Err(KeyringError::AuthenticationFailed)
        ));
        let chained = provider(dir.path(), None)
            .create_protector("MyApp")
            .create_protector("MyPurpose");
        assert_eq!(chained.unprotect(&payload).unwrap(), b"Hello, World!");
    }
}

/// Payloads we make are the exact bytes of the vectors, so .NET unprotects them.
#[test]
fn our_payloads_are_the_reference_bytes() {
    let v = vectors();
    for (ring, case) in v["rings"].as_object().unwrap() {
        let dir = ring_copy(ring);
        // The vector key expired in 2015: stop the clock while it was active so it is the
        // default key and nothing is generated.
        let clock = Arc::new(ManualClock::new(
            Timestamp::parse_xml("2015-04-01T00:00:00Z").unwrap(),
        ));
        let provider = DataProtectionProvider::builder(FileSystemRepository::new(dir.path()))
            .application_name(Some("MyApp"))
            .clock(clock)
            .rng(Arc::new(SequentialRandom::default()))
            .build()
            .unwrap();
        let payload = provider
            .create_protector("MyPurpose")
            .protect(b"Hello, World!")
            .unwrap();
        assert_eq!(
            hex::encode(payload),
            case["payload_hex"].as_str().unwrap(),
            "{ring}"
        );
        assert_eq!(xml_files(dir.path()).len(), 1);
    }
}

#[test]
fn dotnet_time_limited_payload() {
    let v = vectors();
    let tl = &v["time_limited"];
    let dir = ring_copy(tl["ring"].as_str().unwrap());
    let text = tl["payload_base64url"].as_str().unwrap();
    let at = |when: &str| {
        let clock = Arc::new(ManualClock::new(Timestamp::parse_xml(when).unwrap()));
        DataProtectionProvider::builder(FileSystemRepository::new(dir.path()))
            .application_name(Some("MyApp"))
            .clock(clock)
            .build()
            .unwrap()
            .create_protector("MyPurpose")
            .to_time_limited()
    };
    let (plaintext, expiration) = at("1999-06-01T00:00:00Z").unprotect_str(text).unwrap();
    assert_eq!(plaintext, "Hello, World!");
    assert_eq!(
        expiration,
        Timestamp::parse_xml("2000-01-01T00:00:00Z").unwrap()
    );
    // Valid at the expiration instant itself; expired one tick later.
    assert!(at("2000-01-01T00:00:00Z").unprotect_str(text).is_ok());
    assert!(matches!(
        at("2000-01-01T00:00:00.0000001Z").unprotect_str(text),
        Err(KeyringError::Expired { .. })
    ));
    // Deterministic protect reproduces the vector.
    let clock = Arc::new(ManualClock::new(
        Timestamp::parse_xml("2015-04-01T00:00:00Z").unwrap(),
    ));
    let ours = DataProtectionProvider::builder(FileSystemRepository::new(dir.path()))
        .application_name(Some("MyApp"))
        .clock(clock)
        .rng(Arc::new(SequentialRandom::default()))
        .build()
        .unwrap()
        .create_protector("MyPurpose")
        .to_time_limited()
        .protect_until(
            b"Hello, World!",
            Timestamp::parse_xml("2000-01-01T00:00:00Z").unwrap(),
        )
        .unwrap();
    assert_eq!(base64url::encode(&ours), text);
}
