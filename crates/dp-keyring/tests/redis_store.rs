//! `RedisRepository` against a real Redis server, in the layout .NET's
//! `PersistKeysToStackExchangeRedis` leaves (the vector in `tests/data/stores/redis/` was
//! written by .NET 10; see the README there).
//!
//! The server is `DP_TEST_REDIS_URL` (default `redis://127.0.0.1:6379/0`). Without a server the
//! tests say so and pass, unless `CI=true`, where they fail. Each test uses its own list key and
//! deletes it, and its lock key, when it ends — also when it fails.
#![cfg(feature = "redis")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs,
    reason = "test code: a panic is a test failure, and test items need no docs"
)]

use std::sync::mpsc::{self, TryRecvError};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use dp_keyring::repository::RedisRepository;
use dp_keyring::{
    DataProtectionProvider, KeyId, KeyManagementOptions, KeyState, KeyringError, ManualClock,
    Timestamp, XmlRepository,
};
use serde_json::Value;

const DEFAULT_URL: &str = "redis://127.0.0.1:6379/0";

fn server_url() -> String {
    std::env::var("DP_TEST_REDIS_URL").unwrap_or_else(|_| DEFAULT_URL.to_owned())
}

/// A fresh list key on the server, deleted with its lock key on drop.
struct TestList {
    url: String,
    key: String,
    connection: redis::Connection,
}

impl TestList {
    /// `None` (after one line of explanation) when there is no server and this is not CI.
    fn new(name: &str) -> Option<Self> {
        let url = server_url();
        let connection = redis::Client::open(url.as_str())
            .and_then(|c| c.get_connection_with_timeout(Duration::from_secs(5)));
        let connection = match connection {
            Ok(connection) => connection,
            Err(e) => {
                if std::env::var("CI").is_ok_and(|v| v == "true") {
                    panic!("no Redis server at {url} and CI=true: {e}");
                }
                eprintln!(
                    "skipping redis tests: no server at {url} (set DP_TEST_REDIS_URL; CI=true makes this fail)"
                );
                return None;
            }
        };
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let key = format!("dp-test-{}-{nanos}-{name}", std::process::id());
        let mut list = Self {
            url,
            key,
            connection,
        };
        list.clean();
        Some(list)
    }

    fn repository(&self) -> RedisRepository {
        RedisRepository::open(&self.url, &self.key).unwrap()
    }

    fn rpush(&mut self, element: &[u8]) {
        redis::cmd("RPUSH")
            .arg(&self.key)
            .arg(element)
            .query::<i64>(&mut self.connection)
            .unwrap();
    }

    fn elements(&mut self) -> Vec<Vec<u8>> {
        redis::cmd("LRANGE")
            .arg(&self.key)
            .arg(0)
            .arg(-1)
            .query(&mut self.connection)
            .unwrap()
    }

    fn lock_key(&self) -> String {
        format!("{}:dp-lock", self.key)
    }

    fn clean(&mut self) {
        let _ = redis::cmd("DEL")
            .arg(&self.key)
            .arg(self.lock_key())
            .query::<i64>(&mut self.connection);
    }
}

impl Drop for TestList {
    fn drop(&mut self) {
        self.clean();
    }
}

fn pinned_clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(
        Timestamp::parse_xml("2026-12-01T00:00:00Z").unwrap(),
    ))
}

fn provider(repository: RedisRepository, auto_generate: bool) -> DataProtectionProvider {
    let options = KeyManagementOptions {
        auto_generate_keys: auto_generate,
        ..KeyManagementOptions::default()
    };
    DataProtectionProvider::builder_shared(Arc::new(repository))
        .application_name(Some("FarmApp"))
        .clock(pinned_clock())
        .options(options)
        .build()
        .unwrap()
}

fn vector(name: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/stores/redis")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn vector_elements() -> Vec<String> {
    let list = vector("redis-list.json");
    assert_eq!(list["type"], "list");
    list["elements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap().to_owned())
        .collect()
}

fn key_id(value: &Value) -> KeyId {
    value.as_str().unwrap().parse().unwrap()
}

#[test]
fn a_ring_dotnet_left_in_redis_unprotects_its_payload() {
    let Some(mut list) = TestList::new("dotnet") else {
        return;
    };
    let elements = vector_elements();
    for element in &elements {
        list.rpush(element.as_bytes());
    }
    let manifest = vector("redis-manifest.json");
    let provider = provider(list.repository(), false);

    let mut protector = None::<dp_keyring::DataProtector>;
    for purpose in manifest["purposes"].as_array().unwrap() {
        let purpose = purpose.as_str().unwrap();
        protector = Some(match protector {
            None => provider.create_protector(purpose),
            Some(p) => p.create_protector(purpose),
        });
    }
    let payload = URL_SAFE_NO_PAD
        .decode(manifest["payload"].as_str().unwrap())
        .unwrap();
    let plaintext = STANDARD
        .decode(manifest["plaintext_b64"].as_str().unwrap())
        .unwrap();
    assert_eq!(protector.unwrap().unprotect(&payload).unwrap(), plaintext);

    let now = Timestamp::parse_xml("2026-12-01T00:00:00Z").unwrap();
    let default = provider.key_ring().unwrap().default_key().map(|k| k.id());
    let loaded = provider.key_manager().load().unwrap();
    let state = |id: KeyId| {
        loaded
            .keys
            .iter()
            .find(|k| k.id() == id)
            .map(|k| k.state(now, default))
    };
    assert_eq!(state(key_id(&manifest["old_key"])), Some(KeyState::Expired));
    assert_eq!(
        state(key_id(&manifest["revoked_key"])),
        Some(KeyState::Revoked)
    );
    // Every element has a source naming the list index.
    for (i, element) in list.repository().load_all().unwrap().iter().enumerate() {
        assert!(
            element.source.ends_with(&format!("[index {i}]")),
            "{element:?}"
        );
    }
    // Reading wrote nothing back.
    let stored: Vec<Vec<u8>> = elements.iter().map(|e| e.as_bytes().to_vec()).collect();
    assert_eq!(list.elements(), stored);
}

#[test]
fn keys_dp_creates_are_stored_in_single_line_form() {
    let Some(mut list) = TestList::new("form-l") else {
        return;
    };
    let writer = provider(list.repository(), true);
    let payload = writer.create_protector("p").protect(b"hello").unwrap();
    let elements = list.elements();
    assert_eq!(elements.len(), 1);
    let element = elements.first().unwrap();
    assert!(!element.starts_with(&[0xEF, 0xBB, 0xBF]), "no BOM");
    let text = std::str::from_utf8(element).unwrap();
    assert!(text.starts_with("<key "), "{}", &text[..20]);
    assert!(!text.contains("<?xml"));
    assert!(!text.contains('\n') && !text.contains('\r'));
    let ttl: i64 = redis::cmd("TTL")
        .arg(&list.key)
        .query(&mut list.connection)
        .unwrap();
    assert_eq!(ttl, -1, "the ring never expires");

    let reader = provider(list.repository(), false);
    assert_eq!(
        reader.create_protector("p").unprotect(&payload).unwrap(),
        b"hello"
    );
    let id = reader.key_ring().unwrap().default_key().unwrap().id();
    let names: Vec<String> = list
        .repository()
        .load_all()
        .unwrap()
        .iter()
        .map(|e| e.name.clone())
        .collect();
    assert_eq!(names, [format!("key-{id}")]);
}

#[test]
fn concurrent_writers_on_an_empty_list_create_one_key() {
    let Some(mut list) = TestList::new("race") else {
        return;
    };
    const WRITERS: usize = 8;
    let barrier = Arc::new(Barrier::new(WRITERS));
    let handles: Vec<_> = (0..WRITERS)
        .map(|i| {
            let repository = list.repository();
            let barrier = Arc::clone(&barrier);
            thread::spawn(move || {
                let provider = provider(repository, true);
                barrier.wait();
                let message = format!("message {i}");
                let payload = provider
                    .create_protector("p")
                    .protect(message.as_bytes())
                    .unwrap();
                (message, payload)
            })
        })
        .collect();
    let payloads: Vec<(String, Vec<u8>)> = handles.into_iter().map(|h| h.join().unwrap()).collect();

    let elements = list.elements();
    assert_eq!(elements.len(), 1, "exactly one key element");
    assert!(elements.first().unwrap().starts_with(b"<key "));
    let reader = provider(list.repository(), false);
    for (message, payload) in payloads {
        assert_eq!(
            reader.create_protector("p").unprotect(&payload).unwrap(),
            message.as_bytes()
        );
    }
}

/// Environment of a child writer process (see the next two tests).
const CHILD_KEY: &str = "DP_TEST_REDIS_CHILD_KEY";
const CHILD_START: &str = "DP_TEST_REDIS_CHILD_START_MS";

fn unix_millis() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis()
}

#[test]
fn concurrent_processes_on_an_empty_list_create_one_key() {
    let Some(mut list) = TestList::new("processes") else {
        return;
    };
    const WRITERS: usize = 8;
    // Every child waits for the same instant, then protects once.
    let start = unix_millis() + 1500;
    let children: Vec<_> = (0..WRITERS)
        .map(|_| {
            std::process::Command::new(std::env::current_exe().unwrap())
                .args(["--exact", "child_writer", "--nocapture", "--test-threads=1"])
                .env(CHILD_KEY, &list.key)
                .env(CHILD_START, start.to_string())
                .env("DP_TEST_REDIS_URL", &list.url)
                .stdout(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    // Every child finishes before anything is asserted, so none writes after the list is gone.
    let outputs: Vec<_> = children
        .into_iter()
        .map(|child| child.wait_with_output().unwrap())
        .collect();
    let mut payloads = Vec::new();
    for output in outputs {
        assert!(output.status.success(), "{output:?}");
        let stdout = String::from_utf8(output.stdout).unwrap();
        let line = stdout
            .lines()
            // libtest may print `test child_writer ... ` before it on the same line.
            .find_map(|l| l.split_once("payload:").map(|(_, p)| p))
            .and_then(|p| p.split_whitespace().next())
            .unwrap_or_else(|| panic!("no payload in {stdout}"));
        payloads.push(URL_SAFE_NO_PAD.decode(line).unwrap());
    }
    assert_eq!(payloads.len(), WRITERS);
    let elements = list.elements();
    assert_eq!(elements.len(), 1, "exactly one key element");
    let reader = provider(list.repository(), false);
    for payload in payloads {
        assert_eq!(
            reader.create_protector("p").unprotect(&payload).unwrap(),
            b"from a process"
        );
    }
}

/// A writer process for the test above; does nothing when run on its own.
#[test]
#[allow(
    clippy::print_stdout,
    reason = "the payload goes to the parent test on stdout"
)]
fn child_writer() {
    let Ok(key) = std::env::var(CHILD_KEY) else {
        return;
    };
    let start: u128 = std::env::var(CHILD_START).unwrap().parse().unwrap();
    let provider = provider(RedisRepository::open(&server_url(), &key).unwrap(), true);
    let protector = provider.create_protector("p");
    if let Some(wait) = start.checked_sub(unix_millis()) {
        thread::sleep(Duration::from_millis(u64::try_from(wait).unwrap()));
    }
    let payload = protector.protect(b"from a process").unwrap();
    println!("payload:{}", URL_SAFE_NO_PAD.encode(payload));
}

#[test]
fn a_key_of_another_type_is_a_store_error_naming_the_type() {
    let Some(mut list) = TestList::new("wrongtype") else {
        return;
    };
    redis::cmd("SET")
        .arg(&list.key)
        .arg("not a ring")
        .query::<()>(&mut list.connection)
        .unwrap();
    let repository = list.repository();
    match repository.load_all() {
        Err(KeyringError::Store { store, reason }) => {
            assert_eq!(store, repository.describe());
            assert!(reason.contains("is a string, not a list"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    // Nothing is pushed onto it either.
    let writer = provider(list.repository(), true);
    assert!(matches!(
        writer.create_protector("p").protect(b"x"),
        Err(KeyringError::Store { .. })
    ));
}

#[test]
fn an_unreadable_element_fails_the_ring_naming_its_index() {
    let elements = vector_elements();
    let first = elements.first().unwrap().as_bytes();
    let bom = [&[0xEF, 0xBB, 0xBF][..], first].concat();
    let cases: [(&str, &[u8], &str); 3] = [
        ("bom", &bom, "byte-order mark"),
        ("garbage", b"this is not xml <", ""),
        ("utf8", b"<key id=\"\xFF\"/>", "UTF-8"),
    ];
    for (name, bad, why) in cases {
        let Some(mut list) = TestList::new(name) else {
            return;
        };
        list.rpush(first);
        list.rpush(bad);
        let reader = provider(list.repository(), false);
        match reader.key_manager().load() {
            Err(KeyringError::MalformedElement { source, reason }) => {
                assert!(source.ends_with("[index 1]"), "{name}: {source}");
                assert!(source.contains(&list.key), "{name}: {source}");
                assert!(reason.contains(why), "{name}: {reason}");
            }
            other => panic!("{name}: {other:?}"),
        }
    }
}

#[test]
fn an_unreachable_server_is_a_store_error_without_the_password() {
    let started = Instant::now();
    match RedisRepository::open("redis://admin:hunter2@127.0.0.1:1/2", "ring") {
        Err(e @ KeyringError::Store { .. }) => {
            let KeyringError::Store { store, reason } = &e else {
                unreachable!()
            };
            assert_eq!(store, "redis://admin:***@127.0.0.1:1/2 key ring");
            assert!(!reason.is_empty());
            assert!(!e.to_string().contains("hunter2"), "{e}");
        }
        other => panic!("{other:?}"),
    }
    match RedisRepository::open("redis://admin:hunter2@127.0.0.1:notaport/0", "ring") {
        Err(e @ KeyringError::Store { .. }) => assert!(!e.to_string().contains("hunter2"), "{e}"),
        other => panic!("{other:?}"),
    }
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn delete_removes_exactly_the_named_element() {
    let Some(mut list) = TestList::new("delete") else {
        return;
    };
    let elements = vector_elements();
    for element in &elements {
        list.rpush(element.as_bytes());
    }
    // A second copy of the last element must survive the delete of another one.
    let before = list.elements();
    let repository = list.repository();
    let stored = repository.load_all().unwrap();
    let victim = stored.get(1).unwrap();
    assert!(victim.name.starts_with("key-"), "{victim:?}");
    repository
        .delete(std::slice::from_ref(&victim.name))
        .unwrap();
    let mut expected = before.clone();
    expected.remove(1);
    assert_eq!(list.elements(), expected);
    // Unknown names are ignored; non-key elements have names of their own.
    repository.delete(&["key-nothing".to_owned()]).unwrap();
    assert_eq!(list.elements(), expected);
    let names: Vec<String> = repository
        .load_all()
        .unwrap()
        .iter()
        .map(|e| e.name.clone())
        .collect();
    let mut unique = names.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), names.len(), "{names:?}");
}

#[test]
fn replace_swaps_one_element_in_place() {
    let Some(mut list) = TestList::new("replace") else {
        return;
    };
    let elements = vector_elements();
    for element in &elements {
        list.rpush(element.as_bytes());
    }
    let repository = list.repository();
    let stored = repository.load_all().unwrap();
    let target = stored.first().unwrap();
    // The file form goes in; the single-line form must come out.
    let file_form = format!(
        "\u{FEFF}<?xml version=\"1.0\" encoding=\"utf-8\"?>\n{}",
        target.xml.replace("><creationDate>", ">\n  <creationDate>")
    );
    repository.replace(&target.name, &file_form).unwrap();
    let after = list.elements();
    assert_eq!(after.len(), elements.len());
    assert_eq!(after.first().unwrap(), target.xml.as_bytes());
    let missing = repository.replace("key-00000000-0000-0000-0000-000000000000", &file_form);
    assert!(
        matches!(missing, Err(KeyringError::Store { .. })),
        "{missing:?}"
    );
}

#[test]
fn the_lock_excludes_a_second_locker_until_released() {
    let Some(mut list) = TestList::new("lock") else {
        return;
    };
    let first = list.repository();
    let guard = first.lock().unwrap();
    let ttl: i64 = redis::cmd("PTTL")
        .arg(list.lock_key())
        .query(&mut list.connection)
        .unwrap();
    assert!(ttl > 0 && ttl <= 30_000, "the lock expires: {ttl}");

    let second = list.repository();
    let (tx, rx) = mpsc::channel();
    let waiter = thread::spawn(move || {
        let guard = second.lock().unwrap();
        tx.send(Instant::now()).unwrap();
        drop(guard);
    });
    thread::sleep(Duration::from_millis(400));
    assert_eq!(
        rx.try_recv(),
        Err(TryRecvError::Empty),
        "second locker got in"
    );
    let released = Instant::now();
    drop(guard);
    let acquired = rx.recv_timeout(Duration::from_secs(5)).unwrap();
    assert!(acquired >= released);
    waiter.join().unwrap();
    let exists: i64 = redis::cmd("EXISTS")
        .arg(list.lock_key())
        .query(&mut list.connection)
        .unwrap();
    assert_eq!(exists, 0, "released locks are deleted");
}
