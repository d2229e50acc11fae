//! Key ring behaviour: lifecycle, revocation, repositories, concurrency.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs,
    reason = "test code: a panic is a test failure, and test items need no docs"
)]

mod common;

use std::sync::Arc;
use std::thread;

use common::{ReadOnlyDir, ring_copy, xml_files};
use dp_crypto::Algorithm;
use dp_keyring::{
    DataProtectionProvider, FileSystemRepository, KeyManagementOptions, KeyringError, ManualClock,
    MemoryRepository, Timestamp, XmlRepository,
};
use time::Duration;

fn t(s: &str) -> Timestamp {
    Timestamp::parse_xml(s).unwrap()
}

fn provider_at(repo: Arc<dyn XmlRepository>, clock: Arc<ManualClock>) -> DataProtectionProvider {
    DataProtectionProvider::builder_shared(repo)
        .clock(clock)
        .build()
        .unwrap()
}

#[test]
fn every_algorithm_round_trips_through_the_ring() {
    for alg in Algorithm::ALL.into_iter().filter(|a| a.is_standard()) {
        let options = KeyManagementOptions {
            algorithm: alg,
            ..KeyManagementOptions::default()
        };
        let provider = DataProtectionProvider::builder(MemoryRepository::new())
            .options(options)
            .build()
            .unwrap();
        let p = provider.create_protector("purpose");
        let payload = p.protect(b"data").unwrap();
        assert_eq!(p.unprotect(&payload).unwrap(), b"data", "{alg}");
        let ring = provider.key_ring().unwrap();
        assert_eq!(ring.default_key().unwrap().algorithm(), Some(alg));
    }
}

#[test]
fn purposes_are_utf8_byte_counted_and_ordered() {
    let provider = DataProtectionProvider::ephemeral();
    let long = "é".repeat(100); // 200 UTF-8 bytes: a two-byte length prefix
    let p = provider
        .create_protector("©®±µ¶ 日本語")
        .create_protector(&long)
        .create_protector("");
    let payload = p.protect_str("x").unwrap();
    assert_eq!(p.unprotect_str(&payload).unwrap(), "x");
    let reordered = provider
        .create_protector(&long)
        .create_protector("©®±µ¶ 日本語")
        .create_protector("");
    assert!(matches!(
        reordered.unprotect_str(&payload),
        Err(KeyringError::AuthenticationFailed)
    ));
    let shorter = provider
        .create_protector("©®±µ¶ 日本語")
        .create_protector(&long);
    assert!(matches!(
        shorter.unprotect_str(&payload),
        Err(KeyringError::AuthenticationFailed)
    ));
}

#[test]
fn application_name_is_part_of_the_chain() {
    let repo: Arc<dyn XmlRepository> = Arc::new(MemoryRepository::new());
    let app = DataProtectionProvider::builder_shared(Arc::clone(&repo))
        .application_name(Some("App"))
        .build()
        .unwrap();
    let none = DataProtectionProvider::builder_shared(Arc::clone(&repo))
        .build()
        .unwrap();
    let payload = app.create_protector("p").protect(b"v").unwrap();
    assert!(matches!(
        none.create_protector("p").unprotect(&payload),
        Err(KeyringError::AuthenticationFailed)
    ));
    assert_eq!(
        none.create_protector("App")
            .create_protector("p")
            .unprotect(&payload)
            .unwrap(),
        b"v"
    );
}

#[test]
fn keys_roll_before_expiry_and_old_payloads_still_unprotect() {
    let repo: Arc<dyn XmlRepository> = Arc::new(MemoryRepository::new());
    let clock = Arc::new(ManualClock::new(t("2026-01-01T00:00:00Z")));
    let provider = provider_at(Arc::clone(&repo), Arc::clone(&clock));
    let p = provider.create_protector("p");
    let first = p.protect(b"one").unwrap();
    let k1 = provider.key_ring().unwrap().default_key().unwrap().id();
    assert_eq!(provider.key_manager().load().unwrap().keys.len(), 1);

    // 88 days on: within 3 days of expiry, a successor activating at the expiry is created.
    clock.advance(Duration::days(88));
    let _ = p.protect(b"two").unwrap();
    let keys = provider.key_manager().load().unwrap().keys;
    assert_eq!(keys.len(), 2);
    let k2 = keys.iter().find(|k| k.id() != k1).unwrap();
    assert_eq!(k2.activation(), t("2026-04-01T00:00:00Z"));
    assert_eq!(provider.key_ring().unwrap().default_key().unwrap().id(), k1);

    // Past the old key's expiry, the successor protects; the old payload still unprotects
    // and reports that it should be migrated.
    clock.advance(Duration::days(3));
    let fresh = DataProtectionProvider::builder_shared(Arc::clone(&repo))
        .clock(Arc::clone(&clock) as Arc<dyn dp_keyring::Clock>)
        .build()
        .unwrap();
    let third = fresh.create_protector("p").protect(b"three").unwrap();
    assert_eq!(&third[4..20], &k2.id().to_wire_bytes());
    let outcome = fresh
        .create_protector("p")
        .dangerous_unprotect(&first, false)
        .unwrap();
    assert_eq!(outcome.plaintext, b"one");
    assert!(outcome.requires_migration);
    assert!(!outcome.was_revoked);
    assert_eq!(fresh.key_manager().load().unwrap().keys.len(), 2);
}

#[test]
fn revoked_keys_are_rejected_unless_ignored() {
    let repo: Arc<dyn XmlRepository> = Arc::new(MemoryRepository::new());
    let provider = DataProtectionProvider::builder_shared(Arc::clone(&repo))
        .build()
        .unwrap();
    let p = provider.create_protector("p");
    let payload = p.protect(b"secret").unwrap();
    let id = provider.key_ring().unwrap().default_key().unwrap().id();
    // A change made through the provider's own key manager invalidates its cached ring.
    provider.key_manager().revoke_key(id, Some("test")).unwrap();
    assert!(matches!(p.unprotect(&payload), Err(KeyringError::KeyRevoked(k)) if k == id));
    let outcome = p.dangerous_unprotect(&payload, true).unwrap();
    assert_eq!(outcome.plaintext, b"secret");
    assert!(outcome.requires_migration && outcome.was_revoked);
    // Protecting now makes a new key rather than using the revoked one.
    let again = p.protect(b"x").unwrap();
    assert_ne!(&again[4..20], &id.to_wire_bytes());
    // Revoking twice is harmless.
    provider.key_manager().revoke_key(id, None).unwrap();
}

#[test]
fn mass_revocation_is_strictly_before() {
    let repo: Arc<dyn XmlRepository> = Arc::new(MemoryRepository::new());
    let clock = Arc::new(ManualClock::new(t("2026-01-01T00:00:00Z")));
    let provider = provider_at(Arc::clone(&repo), Arc::clone(&clock));
    let m = provider.key_manager();
    let a = m
        .create_key(
            t("2026-01-01T00:00:00Z"),
            t("2026-04-01T00:00:00Z"),
            Algorithm::default(),
        )
        .unwrap();
    clock.set(t("2026-02-01T00:00:00Z"));
    let b = m
        .create_key(
            t("2026-02-01T00:00:00Z"),
            t("2026-05-01T00:00:00Z"),
            Algorithm::default(),
        )
        .unwrap();
    m.revoke_all_created_before(t("2026-02-01T00:00:00Z"), None)
        .unwrap();
    let keys = m.load().unwrap().keys;
    let revoked = |id| keys.iter().find(|k| k.id() == id).unwrap().is_revoked();
    assert!(revoked(a));
    assert!(
        !revoked(b),
        "a key created at the revocation instant survives"
    );
}

#[test]
fn each_key_names_the_revocation_that_revoked_it() {
    let repo: Arc<dyn XmlRepository> = Arc::new(MemoryRepository::new());
    let clock = Arc::new(ManualClock::new(t("2026-01-01T00:00:00Z")));
    let provider = provider_at(Arc::clone(&repo), Arc::clone(&clock));
    let m = provider.key_manager();
    let new_key = |at: &str| {
        m.create_key(t(at), t(at) + Duration::days(90), Algorithm::default())
            .unwrap()
    };
    let a = new_key("2026-01-01T00:00:00Z");
    clock.set(t("2026-01-10T00:00:00Z"));
    let b = new_key("2026-01-10T00:00:00Z");
    clock.set(t("2026-01-20T00:00:00Z"));
    let c = new_key("2026-01-20T00:00:00Z");
    m.revoke_key(b, Some("leaked")).unwrap();
    m.revoke_all_created_before(t("2026-01-15T00:00:00Z"), Some("compromise"))
        .unwrap();
    let loaded = m.load().unwrap();
    let of = |id| {
        let key = loaded.keys.iter().find(|k| k.id() == id).unwrap();
        loaded
            .revocation_of(key)
            .map(|r| (r.date(), r.reason().map(str::to_owned), r.is_mass()))
    };
    assert_eq!(
        of(a),
        Some((
            t("2026-01-15T00:00:00Z"),
            Some("compromise".to_owned()),
            true
        ))
    );
    assert_eq!(
        of(b),
        Some((t("2026-01-20T00:00:00Z"), Some("leaked".to_owned()), false)),
        "a key's own revocation comes first"
    );
    assert_eq!(of(c), None);
}

#[test]
fn created_keys_are_reported_once() {
    let repo: Arc<dyn XmlRepository> = Arc::new(MemoryRepository::new());
    let clock = Arc::new(ManualClock::new(t("2026-01-01T00:00:00Z")));
    let provider = provider_at(Arc::clone(&repo), Arc::clone(&clock));
    assert!(provider.key_manager().take_created_keys().is_empty());
    provider.create_protector("p").protect(b"x").unwrap();
    let first = provider.key_ring().unwrap().default_key().unwrap().id();
    assert_eq!(provider.key_manager().take_created_keys(), vec![first]);
    assert!(provider.key_manager().take_created_keys().is_empty());
    // Near the end of the default key's life the ring generates a successor.
    clock.set(t("2026-03-31T00:00:00Z"));
    provider.create_protector("p").protect(b"x").unwrap();
    let created = provider.key_manager().take_created_keys();
    assert_eq!(created.len(), 1);
    assert_ne!(created[0], first);
}

#[test]
fn keys_are_created_only_with_algorithms_the_reader_accepts() {
    let repo: Arc<dyn XmlRepository> = Arc::new(MemoryRepository::new());
    let clock = Arc::new(ManualClock::new(t("2026-01-01T00:00:00Z")));
    let provider = provider_at(Arc::clone(&repo), Arc::clone(&clock));
    for alg in Algorithm::ALL.into_iter().filter(|a| !a.is_standard()) {
        match provider.key_manager().create_key(
            t("2026-01-01T00:00:00Z"),
            t("2026-04-01T00:00:00Z"),
            alg,
        ) {
            Err(KeyringError::NonStandardAlgorithm(refused)) => assert_eq!(refused, alg),
            other => panic!("{alg}: {other:?}"),
        }
    }
    assert!(repo.load_all().unwrap().is_empty(), "nothing was stored");

    // Key generation through the ring is refused the same way.
    let options = KeyManagementOptions {
        algorithm: Algorithm::ALL
            .into_iter()
            .find(|a| !a.is_standard())
            .unwrap(),
        ..KeyManagementOptions::default()
    };
    let provider = DataProtectionProvider::builder_shared(Arc::clone(&repo))
        .clock(clock)
        .options(options)
        .build()
        .unwrap();
    assert!(matches!(
        provider.create_protector("p").protect(b"x"),
        Err(KeyringError::NonStandardAlgorithm(_))
    ));
}

#[test]
fn the_cached_ring_is_reread_after_its_refresh_period() {
    let repo: Arc<dyn XmlRepository> = Arc::new(MemoryRepository::new());
    let clock = Arc::new(ManualClock::new(t("2026-01-01T00:00:00Z")));
    let reader = provider_at(Arc::clone(&repo), Arc::clone(&clock));
    let writer = provider_at(Arc::clone(&repo), Arc::clone(&clock));
    let _ = reader.create_protector("p").protect(b"x").unwrap();
    let first = reader.key_ring().unwrap();
    // A key added by someone else, activating in a minute, is not seen from the cache…
    writer
        .key_manager()
        .create_key(
            t("2026-01-01T00:01:00Z"),
            t("2026-06-01T00:00:00Z"),
            Algorithm::default(),
        )
        .unwrap();
    clock.advance(Duration::hours(1));
    assert!(Arc::ptr_eq(&first, &reader.key_ring().unwrap()));
    assert_eq!(reader.key_ring().unwrap().keys().len(), 1);
    // …until the refresh period (24 h minus at most 20 % jitter) has passed.
    clock.advance(Duration::hours(24));
    let ring = reader.key_ring().unwrap();
    assert_eq!(ring.keys().len(), 2);
    assert_ne!(
        ring.default_key().unwrap().id(),
        first.default_key().unwrap().id()
    );
}

#[test]
fn unknown_key_fails_and_triggers_one_refresh() {
    let dir = tempfile::tempdir().unwrap();
    let reader = DataProtectionProvider::new(FileSystemRepository::new(dir.path()), None);
    let rp = reader.create_protector("p");
    // The reader loads its ring first (and creates a key).
    let _ = rp.protect(b"warm up").unwrap();

    // Another process adds a key that activates now and protects with it.
    let writer = DataProtectionProvider::new(FileSystemRepository::new(dir.path()), None);
    let now = writer.key_manager().clock().now();
    writer
        .key_manager()
        .create_key(now, now + Duration::days(90), Algorithm::default())
        .unwrap();
    let payload = writer
        .create_protector("p")
        .protect(b"from writer")
        .unwrap();
    // The reader's cached ring lacks that key: it re-reads once and succeeds.
    assert_eq!(rp.unprotect(&payload).unwrap(), b"from writer");

    let mut forged = payload.clone();
    forged[4..20].copy_from_slice(&[0xAB; 16]);
    assert!(matches!(
        rp.unprotect(&forged),
        Err(KeyringError::KeyNotFound(_))
    ));
}

#[test]
fn malformed_files_fail_closed_and_bad_metadata_is_listed() {
    let dir = ring_copy("aes256cbc-hmacsha256");
    std::fs::write(
        dir.path().join("revocation-broken.xml"),
        "<revocation><oops",
    )
    .unwrap();
    let provider = DataProtectionProvider::new(FileSystemRepository::new(dir.path()), None);
    match provider.create_protector("p").protect(b"x") {
        Err(KeyringError::MalformedElement { source, .. }) => {
            assert!(source.ends_with("revocation-broken.xml"), "{source}");
        }
        other => panic!("expected a malformed element error, got {other:?}"),
    }
    std::fs::remove_file(dir.path().join("revocation-broken.xml")).unwrap();

    std::fs::write(
        dir.path().join("key-bad.xml"),
        "<key id=\"11111111-2222-3333-4444-555555555555\" version=\"1\"><creationDate>x</creationDate></key>",
    )
    .unwrap();
    let loaded = provider.key_manager().load().unwrap();
    assert_eq!(loaded.keys.len(), 1);
    assert_eq!(loaded.unreadable.len(), 1);
    assert_eq!(
        loaded.unreadable[0].id.map(|id| id.to_string()).as_deref(),
        Some("11111111-2222-3333-4444-555555555555")
    );
}

#[test]
fn duplicate_key_ids_fail_the_read() {
    let dir = ring_copy("aes256gcm");
    let src = dir
        .path()
        .join("key-3d6d01fd-c0e7-44ae-82dd-013b996b4093.xml");
    std::fs::copy(&src, dir.path().join("copy.xml")).unwrap();
    let provider = DataProtectionProvider::new(FileSystemRepository::new(dir.path()), None);
    assert!(matches!(
        provider.key_manager().load(),
        Err(KeyringError::DuplicateKeyId(_))
    ));
}

#[test]
fn written_files_are_private_and_atomic() {
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys");
    let provider = DataProtectionProvider::new(FileSystemRepository::new(&keys), None);
    let _ = provider.create_protector("p").protect(b"x").unwrap();
    let files = xml_files(&keys);
    assert_eq!(files.len(), 1);
    assert!(files[0].starts_with("key-"));
    let leftovers: Vec<_> = std::fs::read_dir(&keys)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let dir_mode = std::fs::metadata(&keys).unwrap().permissions().mode() & 0o777;
        assert_eq!(dir_mode, 0o700);
        let file_mode = std::fs::metadata(keys.join(&files[0]))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(file_mode, 0o600);
    }
    // Storing an element whose name exists never overwrites it.
    let repo = FileSystemRepository::new(&keys);
    let name = files[0].trim_end_matches(".xml");
    let before = std::fs::read(keys.join(&files[0])).unwrap();
    assert!(matches!(
        repo.store(name, "<other/>"),
        Err(KeyringError::File(
            dp_keyring::FsError::AlreadyExists { .. }
        ))
    ));
    assert_eq!(std::fs::read(keys.join(&files[0])).unwrap(), before);
}

#[test]
fn read_only_directory() {
    // An empty read-only ring cannot make its first key: a clear error.
    let empty = tempfile::tempdir().unwrap();
    let Some(_guard) = ReadOnlyDir::new(empty.path()) else {
        common::environment_missing(
            "read_only_directory",
            "cannot make a read-only directory here (neither mode bits nor chattr +i hold)",
        );
        return;
    };
    let provider = DataProtectionProvider::new(FileSystemRepository::new(empty.path()), None);
    assert!(matches!(
        provider.create_protector("p").protect(b"x"),
        Err(KeyringError::ReadOnlyRepository(_))
    ));

    // A read-only ring whose only key expired still unprotects; protecting needs a new key,
    // which cannot be written: the same clear error (.NET, unable to generate, fails too).
    let ring = ring_copy("aes256cbc-hmacsha256");
    let v = common::vectors();
    let payload = hex::decode(
        v["rings"]["aes256cbc-hmacsha256"]["payload_hex"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    {
        let _ro = ReadOnlyDir::new(ring.path()).unwrap();
        let provider =
            DataProtectionProvider::new(FileSystemRepository::new(ring.path()), Some("MyApp"));
        let p = provider.create_protector("MyPurpose");
        assert_eq!(p.unprotect(&payload).unwrap(), b"Hello, World!");
        assert!(matches!(
            p.protect(b"x"),
            Err(KeyringError::ReadOnlyRepository(_))
        ));
    }

    // With a current key in it, a read-only ring protects and unprotects normally.
    let provider =
        DataProtectionProvider::new(FileSystemRepository::new(ring.path()), Some("MyApp"));
    let now = provider.key_manager().clock().now();
    provider
        .key_manager()
        .create_key(now, now + Duration::days(90), Algorithm::default())
        .unwrap();
    let _ro = ReadOnlyDir::new(ring.path()).unwrap();
    let provider =
        DataProtectionProvider::new(FileSystemRepository::new(ring.path()), Some("MyApp"));
    let p = provider.create_protector("MyPurpose");
    let ours = p.protect(b"still works").unwrap();
    assert_eq!(p.unprotect(&ours).unwrap(), b"still works");
    assert_eq!(p.unprotect(&payload).unwrap(), b"Hello, World!");
}

#[test]
fn concurrent_protect_and_unprotect() {
    let dir = tempfile::tempdir().unwrap();
    let provider = DataProtectionProvider::new(FileSystemRepository::new(dir.path()), Some("app"));
    let handles: Vec<_> = (0..8)
        .map(|i| {
            let provider = provider.clone();
            thread::spawn(move || {
                let p = provider.create_protector("threads");
                for j in 0..200 {
                    let msg = format!("{i}-{j}");
                    let payload = p.protect(msg.as_bytes()).unwrap();
                    assert_eq!(p.unprotect(&payload).unwrap(), msg.as_bytes());
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    assert_eq!(xml_files(dir.path()).len(), 1, "one key for all threads");
}

#[test]
fn prune_deletes_old_keys_and_their_revocations() {
    let repo: Arc<dyn XmlRepository> = Arc::new(MemoryRepository::new());
    let clock = Arc::new(ManualClock::new(t("2020-01-01T00:00:00Z")));
    let provider = provider_at(Arc::clone(&repo), Arc::clone(&clock));
    let m = provider.key_manager();
    let old = m
        .create_key(
            t("2020-01-01T00:00:00Z"),
            t("2020-04-01T00:00:00Z"),
            Algorithm::default(),
        )
        .unwrap();
    let newer = m
        .create_key(
            t("2020-04-01T00:00:00Z"),
            t("2020-07-01T00:00:00Z"),
            Algorithm::default(),
        )
        .unwrap();
    m.revoke_key(old, None).unwrap();
    m.revoke_key(newer, None).unwrap();
    clock.set(t("2021-01-01T00:00:00Z"));
    let cutoff = clock_now(&provider) - Duration::days(200);
    let deleted = m.delete_keys(|k| k.expiration() < cutoff).unwrap();
    assert_eq!(deleted, vec![old]);
    let loaded = m.load().unwrap();
    assert_eq!(
        loaded.keys.iter().map(|k| k.id()).collect::<Vec<_>>(),
        vec![newer]
    );
    assert_eq!(
        loaded.revocations.len(),
        1,
        "the revocation of the deleted key went with it"
    );
}

fn clock_now(provider: &DataProtectionProvider) -> Timestamp {
    provider.key_manager().clock().now()
}

#[test]
fn a_chained_protector_authenticates_exactly_the_flat_purpose_list() {
    // CreateProtector("purpose1").CreateProtector("purpose2") in .NET is the purpose list
    // [app, "purpose1", "purpose2"]: decrypt at the byte level with AADs built from flat
    // lists, and only that list authenticates.
    let provider = DataProtectionProvider::new(MemoryRepository::new(), Some("MyApp"));
    let payload = provider
        .create_protector("purpose1")
        .create_protector("purpose2")
        .protect(b"chained")
        .unwrap();
    let parsed = dp_format::ProtectedPayload::parse(&payload).unwrap();
    let ring = provider.key_ring().unwrap();
    let encryptor = ring.key(parsed.key_id()).unwrap().encryptor().unwrap();
    let decrypt = |purposes: &[&str]| {
        let aad = dp_format::AadBuilder::new(purposes).unwrap();
        encryptor.decrypt(parsed.body(), &aad.for_key_bytes(parsed.key_id_bytes()))
    };
    assert_eq!(
        decrypt(&["MyApp", "purpose1", "purpose2"]).unwrap(),
        b"chained"
    );
    for wrong in [
        &["MyApp", "purpose1"][..],
        &["MyApp", "purpose2", "purpose1"],
        &["purpose1", "purpose2"],
        &["MyApp", "purpose1purpose2"],
        &["MyApp", "purpose1", "purpose2", ""],
    ] {
        assert!(
            matches!(
                decrypt(wrong),
                Err(dp_crypto::CryptoError::AuthenticationFailed)
            ),
            "{wrong:?}"
        );
    }
}

#[test]
fn every_flipped_bit_of_a_payload_is_rejected_by_the_provider() {
    let clock = Arc::new(ManualClock::new(t("2026-11-30T12:00:00Z")));
    for alg in [Algorithm::default(), "AES_256_GCM".parse().unwrap()] {
        let options = KeyManagementOptions {
            algorithm: alg,
            ..KeyManagementOptions::default()
        };
        let provider = DataProtectionProvider::builder(MemoryRepository::new())
            .clock(Arc::clone(&clock) as Arc<dyn dp_keyring::Clock>)
            .options(options)
            .build()
            .unwrap();
        let protector = provider.create_protector("tamper");
        let payload = protector.protect(b"a secret worth tampering with").unwrap();
        for i in 0..payload.len() {
            for bit in 0..8 {
                let mut tampered = payload.clone();
                tampered[i] ^= 1 << bit;
                let result = protector.unprotect(&tampered);
                let ok = match i {
                    0..4 => matches!(result, Err(KeyringError::Payload(_))),
                    4..20 => matches!(result, Err(KeyringError::KeyNotFound(_))),
                    _ => matches!(result, Err(KeyringError::AuthenticationFailed)),
                };
                assert!(ok, "{alg}: byte {i} bit {bit}: {result:?}");
            }
        }
        for len in 0..payload.len() {
            let result = protector.unprotect(&payload[..len]);
            assert!(
                matches!(
                    result,
                    Err(KeyringError::Payload(_) | KeyringError::AuthenticationFailed)
                ),
                "{alg}: truncated to {len}: {result:?}"
            );
        }
        assert_eq!(
            protector.unprotect(&payload).unwrap(),
            b"a secret worth tampering with"
        );
    }
}

/// Counts how often the ring is read.
struct CountingRepository {
    inner: MemoryRepository,
    loads: std::sync::atomic::AtomicUsize,
}

impl XmlRepository for CountingRepository {
    fn load_all(&self) -> Result<Vec<dp_keyring::repository::StoredElement>, KeyringError> {
        self.loads.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.inner.load_all()
    }
    fn store(&self, name: &str, xml: &str) -> Result<(), KeyringError> {
        self.inner.store(name, xml)
    }
    fn delete(&self, names: &[String]) -> Result<(), KeyringError> {
        self.inner.delete(names)
    }
    fn lock(&self) -> Result<Box<dyn dp_keyring::repository::RepositoryLock>, KeyringError> {
        self.inner.lock()
    }
    fn describe(&self) -> String {
        self.inner.describe()
    }
}

#[test]
fn unknown_key_ids_reread_the_repository_at_most_once_every_ten_seconds() {
    let start = t("2026-11-30T12:00:00Z");
    let clock = Arc::new(ManualClock::new(start));
    let repository = Arc::new(CountingRepository {
        inner: MemoryRepository::new(),
        loads: std::sync::atomic::AtomicUsize::new(0),
    });
    let provider = provider_at(
        Arc::clone(&repository) as Arc<dyn XmlRepository>,
        Arc::clone(&clock),
    );
    let protector = provider.create_protector("p");
    let mut forged = protector.protect(b"x").unwrap();
    forged[4..20].copy_from_slice(&[0xAB; 16]);
    let loads = || repository.loads.load(std::sync::atomic::Ordering::SeqCst);
    let unknown = |protector: &dp_keyring::DataProtector| {
        assert!(matches!(
            protector.unprotect(&forged),
            Err(KeyringError::KeyNotFound(_))
        ));
    };

    let before = loads();
    unknown(&protector);
    assert_eq!(loads(), before + 1, "the first unknown id re-reads");
    for _ in 0..100 {
        unknown(&protector);
    }
    assert_eq!(
        loads(),
        before + 1,
        "a flood of unknown ids re-reads nothing"
    );
    clock.set(start + Duration::milliseconds(9_999));
    unknown(&protector);
    assert_eq!(loads(), before + 1, "still within ten seconds");
    clock.set(start + Duration::seconds(10));
    unknown(&protector);
    assert_eq!(loads(), before + 2, "ten seconds on, one more re-read");
    unknown(&protector);
    assert_eq!(loads(), before + 2);
    // A clock that steps backwards does not lock re-reads out.
    clock.set(start - Duration::hours(1));
    unknown(&protector);
    assert_eq!(loads(), before + 3);
}
