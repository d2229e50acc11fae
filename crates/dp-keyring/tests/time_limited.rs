//! Time-limited protectors.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs,
    reason = "test code: a panic is a test failure, and test items need no docs"
)]

use std::sync::Arc;

use dp_format::time_limited::PURPOSE;
use dp_keyring::{DataProtectionProvider, KeyringError, ManualClock, MemoryRepository, Timestamp};
use time::Duration;

#[test]
fn valid_expired_and_malformed() {
    let clock = Arc::new(ManualClock::new(
        Timestamp::parse_xml("2026-01-01T00:00:00Z").unwrap(),
    ));
    let provider = DataProtectionProvider::builder(MemoryRepository::new())
        .application_name(Some("app"))
        .clock(Arc::clone(&clock) as Arc<dyn dp_keyring::Clock>)
        .build()
        .unwrap();
    let tl = provider.create_protector("p").to_time_limited();
    assert_eq!(tl.purposes(), ["app", "p", PURPOSE]);
    assert_eq!(
        tl.create_protector("sub").purposes(),
        ["app", "p", "sub", PURPOSE]
    );

    let payload = tl.protect_for(b"v", Duration::hours(1)).unwrap();
    let (plaintext, expiration) = tl.unprotect(&payload).unwrap();
    assert_eq!(plaintext, b"v");
    assert_eq!(
        expiration,
        Timestamp::parse_xml("2026-01-01T01:00:00Z").unwrap()
    );
    clock.advance(Duration::hours(2));
    assert!(matches!(
        tl.unprotect(&payload),
        Err(KeyringError::Expired { .. })
    ));

    // No expiration: .NET's plain Protect on a time-limited protector.
    let forever = tl.protect(b"f").unwrap();
    assert_eq!(tl.unprotect(&forever).unwrap().0, b"f");

    // Authentic but shorter than the 8-byte header.
    let inner = provider.create_protector("p").create_protector(PURPOSE);
    let short = inner.protect(&[1, 2, 3]).unwrap();
    assert!(matches!(
        tl.unprotect(&short),
        Err(KeyringError::InvalidPayload(_))
    ));

    // A time-limited payload is not a plain one, and the other way round.
    let plain = provider.create_protector("p").protect(b"plain").unwrap();
    assert!(matches!(
        tl.unprotect(&plain),
        Err(KeyringError::AuthenticationFailed)
    ));
    assert!(matches!(
        provider.create_protector("p").unprotect(&payload),
        Err(KeyringError::AuthenticationFailed)
    ));
}
