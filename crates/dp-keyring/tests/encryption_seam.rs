//! The at-rest encryption seam with a test double: keys written through an encryptor hold no
//! clear master key and read back through the matching decryptor; without it they are
//! unusable, explained, and never break the ring; an encrypted ring is never joined by a key
//! in clear unless allowed; `rewrap` re-encrypts every readable key.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs,
    reason = "test code: a panic is a test failure, and test items need no docs"
)]

use std::sync::Arc;

use base64::Engine as _;
use dp_keyring::encryption::{KeyEncryption, KeyProtection, XmlDecryptor, XmlEncryptor};
use dp_keyring::repository::XmlRepository;
use dp_keyring::{
    DataProtectionProvider, DescriptorError, KeyManagementOptions, KeyringError, MemoryRepository,
};
use zeroize::Zeroizing;

const TOY: &str = "Test.ToyXmlDecryptor";

/// Not encryption: base64 of the reversed element, so the master key's base64 is not in the
/// file. A stand-in for a key-encryption service.
struct Toy;

impl XmlEncryptor for Toy {
    fn decryptor_type_name(&self) -> &str {
        "Test.ToyXmlDecryptor, Test"
    }
    fn protection(&self) -> KeyProtection {
        KeyProtection::Other {
            decryptor: TOY.to_owned(),
        }
    }
    fn encrypt(&self, secret: &str) -> Result<String, KeyringError> {
        let reversed: Vec<u8> = secret.bytes().rev().collect();
        Ok(format!(
            "<toy xmlns=\"\">\n  <blob>{}</blob>\n</toy>",
            base64::engine::general_purpose::STANDARD.encode(reversed)
        ))
    }
}

impl XmlDecryptor for Toy {
    fn decryptor_type(&self) -> &str {
        TOY
    }
    fn decrypt(&self, encrypted: &str) -> Result<Zeroizing<String>, DescriptorError> {
        let start = encrypted
            .find("<blob>")
            .ok_or(DescriptorError::SecretDecryptionFailed)?
            + 6;
        let end = encrypted
            .find("</blob>")
            .ok_or(DescriptorError::SecretDecryptionFailed)?;
        let mut bytes = base64::engine::general_purpose::STANDARD
            .decode(&encrypted[start..end])
            .map_err(|_| DescriptorError::SecretDecryptionFailed)?;
        bytes.reverse();
        String::from_utf8(bytes)
            .map(Zeroizing::new)
            .map_err(|_| DescriptorError::SecretDecryptionFailed)
    }
}

fn provider(repo: &MemoryRepository, encryption: KeyEncryption) -> DataProtectionProvider {
    DataProtectionProvider::builder(repo.clone())
        .key_encryption(encryption)
        .build()
        .unwrap()
}

fn xml_of(repo: &MemoryRepository) -> Vec<String> {
    repo.load_all()
        .unwrap()
        .iter()
        .map(|e| e.xml.clone())
        .collect()
}

#[test]
fn keys_written_through_an_encryptor_read_back_only_through_its_decryptor() {
    let repo = MemoryRepository::new();
    let writer = provider(&repo, KeyEncryption::new().with_encryptor(Arc::new(Toy)));
    let payload = writer.create_protector("p").protect(b"secret").unwrap();
    let files = xml_of(&repo);
    assert_eq!(files.len(), 1);
    assert!(files[0].contains("<encryptedSecret decryptorType=\"Test.ToyXmlDecryptor, Test\""));
    assert!(
        !files[0].contains("<value>"),
        "no clear master key: {}",
        files[0]
    );

    let reader = provider(&repo, KeyEncryption::new().with_decryptor(Arc::new(Toy)));
    assert_eq!(
        reader.create_protector("p").unprotect(&payload).unwrap(),
        b"secret"
    );
    let ring = reader.key_ring().unwrap();
    assert_eq!(
        ring.keys()[0].protection(),
        &KeyProtection::Other {
            decryptor: TOY.to_owned()
        }
    );

    // Without the decryptor the key is unusable, with the reason, and the ring still loads.
    let blind = provider(&repo, KeyEncryption::new());
    match blind.create_protector("p").unprotect(&payload) {
        Err(KeyringError::KeyUnusable { reason, .. }) => assert_eq!(
            reason,
            DescriptorError::NoDecryptor(KeyProtection::Other {
                decryptor: TOY.to_owned()
            })
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_encrypted_ring_is_not_joined_by_a_key_in_clear() {
    let repo = MemoryRepository::new();
    let writer = provider(&repo, KeyEncryption::new().with_encryptor(Arc::new(Toy)));
    let first = writer.key_manager().clock().now();
    writer
        .key_manager()
        .create_key(first, first + time::Duration::days(90), Default::default())
        .unwrap();
    // A process without the encryptor but able to read the keys.
    let clear = provider(&repo, KeyEncryption::new().with_decryptor(Arc::new(Toy)));
    let now = clear.key_manager().clock().now();
    assert!(matches!(
        clear
            .key_manager()
            .create_key(now, now + time::Duration::days(90), Default::default()),
        Err(KeyringError::WouldWriteUnencryptedKey {
            protection: KeyProtection::Other { .. }
        })
    ));
    assert_eq!(xml_of(&repo).len(), 1, "nothing written");
    // Explicitly allowed, it may.
    let allowed = provider(
        &repo,
        KeyEncryption::new()
            .with_decryptor(Arc::new(Toy))
            .allow_unencrypted_keys(true),
    );
    allowed
        .key_manager()
        .create_key(now, now + time::Duration::days(90), Default::default())
        .unwrap();
    assert_eq!(xml_of(&repo).len(), 2);
}

#[test]
fn automatic_creation_in_an_encrypted_ring_without_an_encryptor_fails_and_writes_nothing() {
    let repo = MemoryRepository::new();
    let writer = provider(&repo, KeyEncryption::new().with_encryptor(Arc::new(Toy)));
    let now = writer.key_manager().clock().now();
    // An encrypted key that is expired: the ring needs a new one.
    writer
        .key_manager()
        .create_key(
            now - time::Duration::days(100),
            now - time::Duration::days(10),
            Default::default(),
        )
        .unwrap();
    let clear = provider(&repo, KeyEncryption::new().with_decryptor(Arc::new(Toy)));
    assert!(matches!(
        clear.create_protector("p").protect(b"x"),
        Err(KeyringError::WouldWriteUnencryptedKey { .. })
    ));
    assert_eq!(xml_of(&repo).len(), 1);
    // --no-create: automatic generation off, nothing written, no default key.
    let no_create = DataProtectionProvider::builder(repo.clone())
        .options(KeyManagementOptions {
            auto_generate_keys: false,
            ..KeyManagementOptions::default()
        })
        .key_encryption(KeyEncryption::new().with_encryptor(Arc::new(Toy)))
        .build()
        .unwrap();
    assert!(matches!(
        no_create.create_protector("p").protect(b"x"),
        Err(KeyringError::NoDefaultKey)
    ));
    assert_eq!(xml_of(&repo).len(), 1);
}

#[test]
fn rewrap_encrypts_every_readable_key_and_keeps_ids_and_dates() {
    let repo = MemoryRepository::new();
    let clear = provider(&repo, KeyEncryption::new());
    let payload = clear.create_protector("p").protect(b"old").unwrap();
    let before = clear.key_ring().unwrap().keys()[0].clone();
    let with_toy = KeyEncryption::new().with_decryptor(Arc::new(Toy));
    let manager = provider(&repo, with_toy.clone());
    let report = manager.key_manager().rewrap(&Toy).unwrap();
    assert_eq!(report.rewrapped, [before.id()]);
    assert!(xml_of(&repo).iter().all(|x| !x.contains("<value>")));
    // Again: nothing to do.
    let again = manager.key_manager().rewrap(&Toy).unwrap();
    assert!(again.rewrapped.is_empty());
    assert_eq!(again.already, [before.id()]);

    let reader = provider(&repo, with_toy);
    assert_eq!(
        reader.create_protector("p").unprotect(&payload).unwrap(),
        b"old"
    );
    let ring = reader.key_ring().unwrap();
    let after = &ring.keys()[0];
    assert_eq!(
        (
            after.id(),
            after.creation(),
            after.activation(),
            after.expiration()
        ),
        (
            before.id(),
            before.creation(),
            before.activation(),
            before.expiration()
        )
    );
    // And the clear reader can no longer read it.
    assert!(matches!(
        provider(&repo, KeyEncryption::new())
            .create_protector("p")
            .unprotect(&payload),
        Err(KeyringError::KeyUnusable { .. })
    ));
}

#[test]
fn rewrap_includes_revoked_and_expired_keys_and_reports_what_it_cannot_read() {
    let repo = MemoryRepository::new();
    let clear = provider(&repo, KeyEncryption::new());
    let manager = clear.key_manager();
    let now = manager.clock().now();
    let expired = manager
        .create_key(
            now - time::Duration::days(100),
            now - time::Duration::days(10),
            Default::default(),
        )
        .unwrap();
    let revoked = manager
        .create_key(now, now + time::Duration::days(90), Default::default())
        .unwrap();
    manager.revoke_key(revoked, Some("test")).unwrap();
    // A key element whose dates are malformed: reported, left alone.
    repo.store(
        "key-broken",
        r#"<key id="0f0e0d0c-0b0a-0908-0706-050403020100" version="1"><creationDate>never</creationDate></key>"#,
    )
    .unwrap();
    let report = provider(&repo, KeyEncryption::new().with_decryptor(Arc::new(Toy)))
        .key_manager()
        .rewrap(&Toy)
        .unwrap();
    let mut rewrapped = report.rewrapped.clone();
    rewrapped.sort();
    let mut expected = vec![expired, revoked];
    expected.sort();
    assert_eq!(rewrapped, expected);
    assert_eq!(report.skipped.len(), 1, "{:?}", report.skipped);
    assert!(report.skipped[0].0.contains("key-broken"));
    let keys: Vec<String> = xml_of(&repo);
    assert_eq!(
        keys.iter()
            .filter(|x| x.contains("Test.ToyXmlDecryptor"))
            .count(),
        2
    );
}
