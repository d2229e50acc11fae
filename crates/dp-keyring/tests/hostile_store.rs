//! A key store filled by an adversary: hostile XML shapes, files that are not files, dates past
//! the end of time, revocations dated in the future and racing ones, writers killed mid-write.
//! Each test here failed (or hung, or panicked) before the store defended itself.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests"
)]

mod common;

use std::fs;
use std::path::Path;
use std::sync::{Arc, Mutex};

use dp_keyring::repository::{RepositoryLock, StoredElement};
use dp_keyring::xml::{MAX_ELEMENT_BYTES, XmlLimit};
use dp_keyring::{
    DataProtectionProvider, FileSystemRepository, KeyManager, KeyringError, ManualClock,
    MemoryRepository, OsRandom, SystemClock, Timestamp, XmlRepository,
};

fn nested_declarations(n: usize) -> String {
    let mut s = String::from("<key>");
    for i in 0..n {
        s.push_str(&format!("<a xmlns:p{i}=\"urn:x:{i}\">"));
    }
    for _ in 0..n {
        s.push_str("</a>");
    }
    s.push_str("</key>");
    s
}

fn many_attributes(n: usize) -> String {
    let attributes: String = (0..n).map(|i| format!(" a{i}=\"\"")).collect();
    format!("<key{attributes}/>")
}

fn one_declaration_per_element(n: usize) -> String {
    let children: String = (0..n).map(|i| format!("<a xmlns:p{i}=\"u\"/>")).collect();
    format!("<key>{children}</key>")
}

#[test]
fn hostile_shapes_are_refused_by_their_limit_before_parsing() {
    let cases = [
        (nested_declarations(1_000), XmlLimit::Depth),
        (nested_declarations(2_000), XmlLimit::Depth),
        (nested_declarations(4_000), XmlLimit::Depth),
        (many_attributes(80_000), XmlLimit::Attributes),
        (
            one_declaration_per_element(4_000),
            XmlLimit::NamespaceDeclarations,
        ),
        (
            "<!DOCTYPE key [<!ENTITY a \"b\">]><key>&a;</key>".to_owned(),
            XmlLimit::DocumentType,
        ),
    ];
    for (text, expected) in cases {
        assert!(
            text.len() < MAX_ELEMENT_BYTES,
            "{expected:?} must be under the size cap"
        );
        let repository = MemoryRepository::new();
        repository.store("hostile", &text).unwrap();
        let manager = KeyManager::new(
            Arc::new(repository),
            Arc::new(SystemClock),
            Arc::new(OsRandom),
        );
        match manager.load() {
            Err(KeyringError::XmlLimitExceeded { source, limit }) => {
                assert_eq!(limit, expected);
                assert_eq!(source, "memory:hostile");
            }
            other => panic!("{expected:?}: {other:?}"),
        }
    }
}

#[test]
fn a_hostile_file_in_the_directory_fails_the_ring_read_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let provider = DataProtectionProvider::new(FileSystemRepository::new(dir.path()), None);
    let payload = provider.create_protector("p").protect(b"x").unwrap();
    let hostile = dir.path().join("revocation-hostile.xml");
    fs::write(&hostile, nested_declarations(3_000)).unwrap();

    let fresh = DataProtectionProvider::new(FileSystemRepository::new(dir.path()), None);
    match fresh.create_protector("p").unprotect(&payload) {
        Err(KeyringError::XmlLimitExceeded { source, limit }) => {
            assert_eq!(limit, XmlLimit::Depth);
            assert_eq!(Path::new(&source), hostile);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_oversized_file_is_refused_without_reading_it_all() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.xml");
    let file = fs::File::create(&big).unwrap();
    file.set_len(8 << 30).unwrap(); // sparse: 8 GiB claimed, nothing stored
    match FileSystemRepository::new(dir.path()).load_all() {
        Err(KeyringError::File(dp_keyring::FsError::TooLarge { path, limit })) => {
            assert_eq!(path, big);
            assert_eq!(limit, MAX_ELEMENT_BYTES as u64);
        }
        other => panic!("{other:?}"),
    }
}

/// A key ring with one key and a payload protected with it.
fn ring_with_payload() -> (tempfile::TempDir, Vec<u8>, dp_keyring::KeyId) {
    let dir = tempfile::tempdir().unwrap();
    let provider = DataProtectionProvider::new(FileSystemRepository::new(dir.path()), None);
    let payload = provider.create_protector("p").protect(b"secret").unwrap();
    let id = provider.key_ring().unwrap().default_key().unwrap().id();
    (dir, payload, id)
}

#[cfg(unix)]
#[test]
fn a_revocation_behind_a_dangling_link_fails_the_read_instead_of_reviving_the_key() {
    let (dir, payload, id) = ring_with_payload();
    // The revocation, moved elsewhere and linked back; then the target disappears.
    let provider = DataProtectionProvider::new(FileSystemRepository::new(dir.path()), None);
    provider
        .key_manager()
        .revoke_key(id, Some("stolen"))
        .unwrap();
    let name = format!("revocation-{id}.xml");
    let outside = tempfile::tempdir().unwrap();
    fs::rename(dir.path().join(&name), outside.path().join(&name)).unwrap();
    std::os::unix::fs::symlink(outside.path().join(&name), dir.path().join(&name)).unwrap();

    // Through the link, the revocation holds.
    let fresh = DataProtectionProvider::new(FileSystemRepository::new(dir.path()), None);
    assert!(matches!(
        fresh.create_protector("p").unprotect(&payload),
        Err(KeyringError::KeyRevoked(k)) if k == id
    ));

    fs::remove_file(outside.path().join(&name)).unwrap();
    let fresh = DataProtectionProvider::new(FileSystemRepository::new(dir.path()), None);
    match fresh.create_protector("p").unprotect(&payload) {
        Err(KeyringError::File(e)) => {
            assert_eq!(e.path(), dir.path().join(&name));
            assert_eq!(e.io_kind(), Some(std::io::ErrorKind::NotFound));
        }
        other => panic!("a dangling revocation link must fail the read: {other:?}"),
    }
}

#[cfg(unix)]
#[test]
fn a_named_pipe_in_the_directory_fails_the_read_without_blocking() {
    let (dir, payload, _) = ring_with_payload();
    let fifo = dir.path().join("revocation-pipe.xml");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(status.success());
    let fresh = DataProtectionProvider::new(FileSystemRepository::new(dir.path()), None);
    match fresh.create_protector("p").unprotect(&payload) {
        Err(KeyringError::File(dp_keyring::FsError::NotRegularFile { path, kind })) => {
            assert_eq!(path, fifo);
            assert_eq!(kind, dp_keyring::FileKind::Fifo);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn directories_named_like_elements_are_not_elements() {
    let (dir, payload, _) = ring_with_payload();
    fs::create_dir(dir.path().join("backup.xml")).unwrap();
    let fresh = DataProtectionProvider::new(FileSystemRepository::new(dir.path()), None);
    assert_eq!(
        fresh.create_protector("p").unprotect(&payload).unwrap(),
        b"secret"
    );
}

#[test]
fn a_date_past_year_9999_in_utc_makes_only_that_key_unreadable() {
    let (dir, payload, _) = ring_with_payload();
    fs::write(
        dir.path().join("key-end-of-time.xml"),
        r#"<key id="0f0e0d0c-0b0a-0908-0706-050403020100" version="1">
  <creationDate>2026-01-01T00:00:00Z</creationDate>
  <activationDate>2026-01-01T00:00:00Z</activationDate>
  <expirationDate>9999-12-31T23:59:59-01:00</expirationDate>
  <descriptor deserializerType="x"><descriptor/></descriptor>
</key>"#,
    )
    .unwrap();
    let fresh = DataProtectionProvider::new(FileSystemRepository::new(dir.path()), None);
    let ring = fresh.key_ring().unwrap();
    assert_eq!(ring.unreadable().len(), 1);
    assert!(
        matches!(
            &ring.unreadable()[0].reason,
            dp_keyring::MalformedKeyError::InvalidDate { element: "expirationDate", text }
                if text.ends_with("(outside years 1–9999 in UTC)")
        ),
        "{:?}",
        ring.unreadable()
    );
    assert_eq!(
        fresh.create_protector("p").unprotect(&payload).unwrap(),
        b"secret"
    );
}

fn xml_count(dir: &Path) -> usize {
    common::xml_files(dir).len()
}

#[test]
fn a_future_revocation_of_every_key_creates_no_key_revoked_on_arrival() {
    let dir = tempfile::tempdir().unwrap();
    let now = Timestamp::parse_xml("2026-11-30T12:00:00Z").unwrap();
    let future = Timestamp::parse_xml("2027-01-01T00:00:00Z").unwrap();
    let clock = Arc::new(ManualClock::new(now));
    let provider = DataProtectionProvider::builder(FileSystemRepository::new(dir.path()))
        .clock(clock)
        .build()
        .unwrap();
    provider
        .key_manager()
        .revoke_all_created_before(future, Some("planned rotation"))
        .unwrap();
    for _ in 0..3 {
        match provider.create_protector("p").protect(b"x") {
            Err(KeyringError::AllKeysRevoked { date }) => {
                assert_eq!(date, future);
                assert!(
                    KeyringError::AllKeysRevoked { date }
                        .to_string()
                        .starts_with("every key is revoked by the revocation of 2027-01-01")
                );
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(xml_count(dir.path()), 1, "only the revocation");
    }
    // Explicit creation is refused the same way.
    assert!(matches!(
        provider.key_manager().create_key(
            now,
            future + time::Duration::days(90),
            Default::default()
        ),
        Err(KeyringError::AllKeysRevoked { .. })
    ));
    assert_eq!(xml_count(dir.path()), 1);
}

/// A file-system repository where a `keys revoke --all` lands right after the first key is
/// written — the race of `dp protect` with `dp keys revoke --all` — with the clock moving on.
struct RevokedWhileWriting {
    inner: FileSystemRepository,
    clock: Arc<ManualClock>,
    revoke_at: Mutex<Option<Timestamp>>,
}

impl XmlRepository for RevokedWhileWriting {
    fn load_all(&self) -> Result<Vec<StoredElement>, KeyringError> {
        self.inner.load_all()
    }
    fn store(&self, name: &str, xml: &str) -> Result<(), KeyringError> {
        self.inner.store(name, xml)?;
        if let Some(date) = self.revoke_at.lock().unwrap().take() {
            let revocation = dp_keyring::xml::Revocation::AllCreatedBefore { date, reason: None };
            self.inner.store(
                &revocation.friendly_name(),
                &dp_keyring::xml::revocation_document(&revocation),
            )?;
            self.clock.set(date + time::Duration::seconds(1));
        }
        Ok(())
    }
    fn delete(&self, names: &[String]) -> Result<(), KeyringError> {
        self.inner.delete(names)
    }
    fn lock(&self) -> Result<Box<dyn RepositoryLock>, KeyringError> {
        self.inner.lock()
    }
    fn describe(&self) -> String {
        self.inner.describe()
    }
}

#[test]
fn a_revocation_racing_key_creation_is_retried_once_never_reported_as_a_rejection() {
    let dir = tempfile::tempdir().unwrap();
    let now = Timestamp::parse_xml("2026-11-30T12:00:00Z").unwrap();
    let clock = Arc::new(ManualClock::new(now));
    let repository = RevokedWhileWriting {
        inner: FileSystemRepository::new(dir.path()),
        clock: Arc::clone(&clock),
        revoke_at: Mutex::new(Some(now + time::Duration::milliseconds(1))),
    };
    let provider = DataProtectionProvider::builder(repository)
        .clock(clock)
        .build()
        .unwrap();
    let protector = provider.create_protector("p");
    let payload = protector.protect(b"x").unwrap();
    assert_eq!(protector.unprotect(&payload).unwrap(), b"x");
    // The revoked first key, the revocation and the successor.
    assert_eq!(xml_count(dir.path()), 3);
}

#[test]
fn a_revocation_racing_both_attempts_is_an_operational_error() {
    let dir = tempfile::tempdir().unwrap();
    let now = Timestamp::parse_xml("2026-11-30T12:00:00Z").unwrap();
    let clock = Arc::new(ManualClock::new(now));
    // Dated far ahead: the retry sees a revocation in its future and creates nothing.
    let date = now + time::Duration::days(1);
    let repository = RevokedWhileWriting {
        inner: FileSystemRepository::new(dir.path()),
        clock: Arc::new(ManualClock::new(now)),
        revoke_at: Mutex::new(Some(date)),
    };
    let provider = DataProtectionProvider::builder(repository)
        .clock(clock)
        .build()
        .unwrap();
    let result = provider.create_protector("p").protect(b"x");
    assert!(
        matches!(result, Err(KeyringError::AllKeysRevoked { date: d }) if d == date),
        "{result:?}"
    );
    assert!(!result.unwrap_err().is_rejection());
}

#[test]
fn temporaries_of_dead_writers_are_removed_on_the_next_write() {
    let dir = tempfile::tempdir().unwrap();
    // What a killed writer left: ours (unlocked) and the older `{uuid}.tmp` form, which held a
    // clear master key.
    let ours = dir.path().join(".dp-tmp-0b7e2c1a.tmp");
    let legacy = dir.path().join("3d6d01fd-c0e7-44ae-82dd-013b996b4093.tmp");
    let unrelated = dir.path().join("notes.tmp");
    for path in [&ours, &legacy, &unrelated] {
        fs::write(path, "<key>…<value>secret</value>…</key>").unwrap();
    }
    let provider = DataProtectionProvider::new(FileSystemRepository::new(dir.path()), None);
    provider.create_protector("p").protect(b"x").unwrap();
    assert!(!ours.exists());
    assert!(!legacy.exists());
    assert!(unrelated.exists(), "only our naming patterns are removed");
}

#[test]
fn a_key_write_leaves_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let provider = DataProtectionProvider::new(FileSystemRepository::new(dir.path()), None);
    provider.create_protector("p").protect(b"x").unwrap();
    let mut names: Vec<String> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with("key-"))
        .collect();
    names.sort();
    assert_eq!(names, [".dp-keyring.lock"]);
}

#[cfg(unix)]
#[test]
fn a_lock_file_that_is_a_link_is_refused_and_nothing_is_created_at_its_target() {
    let dir = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let target = elsewhere.path().join("created-by-dp");
    std::os::unix::fs::symlink(&target, dir.path().join(".dp-keyring.lock")).unwrap();
    let provider = DataProtectionProvider::new(FileSystemRepository::new(dir.path()), None);
    match provider.create_protector("p").protect(b"x") {
        Err(KeyringError::File(dp_keyring::FsError::Link { path })) => {
            assert_eq!(path, dir.path().join(".dp-keyring.lock"));
        }
        other => panic!("{other:?}"),
    }
    assert!(!target.exists());
    assert_eq!(xml_count(dir.path()), 0);
}
