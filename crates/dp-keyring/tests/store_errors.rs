//! Errors that name the real cause: a key directory that does not exist, a key that is there
//! but unreadable.
#![allow(
    clippy::unwrap_used,
    missing_docs,
    reason = "test code: a panic is a test failure, and test items need no docs"
)]

use dp_keyring::{DataProtectionProvider, FileSystemRepository, KeyringError, MalformedKeyError};

#[test]
fn a_missing_key_directory_is_its_own_error_for_readers_and_created_by_writers() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("keys");
    // A payload made elsewhere.
    let payload = DataProtectionProvider::ephemeral()
        .create_protector("p")
        .protect(b"x")
        .unwrap();
    let reader = DataProtectionProvider::new(FileSystemRepository::new(&dir), None);
    match reader.create_protector("p").unprotect(&payload) {
        Err(KeyringError::StoreMissing(store)) => assert!(store.contains("keys"), "{store}"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        reader.key_manager().load(),
        Err(KeyringError::StoreMissing(_))
    ));
    assert!(!dir.exists(), "reading creates nothing");
    // Protecting creates it, owner-only.
    reader.create_protector("p").protect(b"x").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(
            std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777,
            0o700
        );
    }
}

#[test]
fn a_key_with_malformed_dates_is_reported_as_unreadable_not_missing() {
    let dir = tempfile::tempdir().unwrap();
    let provider = DataProtectionProvider::new(FileSystemRepository::new(dir.path()), None);
    let payload = provider.create_protector("p").protect(b"x").unwrap();
    let id = provider.key_ring().unwrap().default_key().unwrap().id();
    let path = dir.path().join(format!("key-{id}.xml"));
    let xml = std::fs::read_to_string(&path).unwrap();
    let start = xml.find("<expirationDate>").unwrap() + "<expirationDate>".len();
    let end = xml.find("</expirationDate>").unwrap();
    std::fs::write(&path, format!("{}not a date{}", &xml[..start], &xml[end..])).unwrap();
    let fresh = DataProtectionProvider::new(FileSystemRepository::new(dir.path()), None);
    match fresh.create_protector("p").unprotect(&payload) {
        Err(KeyringError::KeyUnreadable { id: k, reason, .. }) => {
            assert_eq!(k, id);
            assert!(
                matches!(reason, MalformedKeyError::InvalidDate { .. }),
                "{reason:?}"
            );
        }
        other => panic!("{other:?}"),
    }
}
