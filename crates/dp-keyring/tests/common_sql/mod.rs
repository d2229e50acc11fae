//! What the PostgreSQL and MySQL store tests share: skipping without a server, unique names,
//! the .NET vectors, and the checks run against both.
#![allow(
    dead_code,
    unreachable_pub,
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stderr,
    reason = "test code: a panic is a test failure, and test items need no docs"
)]

use std::path::PathBuf;
use std::sync::{Arc, Barrier};

use base64::Engine as _;
use dp_keyring::{DataProtectionProvider, KeyId, KeyState, ManualClock, Timestamp, XmlRepository};
use serde_json::Value;

/// The URL of the test server: `$var`, else `default`.
pub fn server_url(var: &str, default: &str) -> String {
    std::env::var(var)
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| default.to_owned())
}

/// Called when the server cannot be reached: fails under CI, else says why the test is skipped.
pub fn unreachable(kind: &str, var: &str, url: &str, why: &str) {
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "no {kind} server at {url} ({why}); set {var}"
    );
    eprintln!(
        "skipping {kind} tests: no server at {url} (set {var}; CI=true makes this fail): {why}"
    );
}

/// A name no other test run uses: `prefix_{pid}_{nanos}`.
pub fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("{prefix}_{}_{nanos}", std::process::id())
}

pub fn store_dir(store: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/stores")
        .join(store)
}

pub fn json(store: &str, file: &str) -> Value {
    let text = std::fs::read_to_string(store_dir(store).join(file)).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The rows .NET left: `(Id, FriendlyName, Xml)`.
pub fn vector_rows(store: &str, file: &str) -> Vec<(i32, Option<String>, Option<String>)> {
    json(store, file)["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                i32::try_from(r["Id"].as_i64().unwrap()).unwrap(),
                r["FriendlyName"].as_str().map(str::to_owned),
                r["Xml"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

/// 2026-12-01: the current vector key is the default, the old one expired.
pub fn now() -> Timestamp {
    Timestamp::parse_xml("2026-12-01T00:00:00Z").unwrap()
}

pub fn provider(repo: Arc<dyn XmlRepository>) -> DataProtectionProvider {
    DataProtectionProvider::builder_shared(repo)
        .application_name(Some("FarmApp"))
        .clock(Arc::new(ManualClock::new(now())))
        .build()
        .unwrap()
}

/// The manifest's payload unprotects; its old key is expired and its revoked key revoked.
pub fn check_vector_ring(repo: Arc<dyn XmlRepository>, manifest: &Value) {
    let provider = provider(repo);
    let purposes: Vec<&str> = manifest["purposes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    let mut protector = provider.create_protector(purposes[0]);
    for p in &purposes[1..] {
        protector = protector.create_protector(p);
    }
    let payload = dp_format::base64url::decode(manifest["payload"].as_str().unwrap()).unwrap();
    let plaintext = base64::engine::general_purpose::STANDARD
        .decode(manifest["plaintext_b64"].as_str().unwrap())
        .unwrap();
    assert_eq!(protector.unprotect(&payload).unwrap(), plaintext);

    let loaded = provider.key_manager().load().unwrap();
    assert_eq!(loaded.keys.len(), 3);
    let state = |id: &str| {
        let id: KeyId = id.parse().unwrap();
        let key = loaded.keys.iter().find(|k| k.id() == id).unwrap();
        key.state(now(), None)
    };
    assert_eq!(
        state(manifest["old_key"].as_str().unwrap()),
        KeyState::Expired
    );
    assert_eq!(
        state(manifest["revoked_key"].as_str().unwrap()),
        KeyState::Revoked
    );
}

/// Form L: no byte-order mark, no declaration, one line.
pub fn assert_form_l(xml: &str) {
    assert!(!xml.starts_with('\u{FEFF}'), "BOM");
    assert!(!xml.contains("<?xml"), "declaration");
    assert!(!xml.contains('\n') && !xml.contains('\r'), "line breaks");
    assert!(xml.starts_with("<key "), "{}", &xml[..20.min(xml.len())]);
}

/// Eight threads, each with its own repository and provider, protect at once on an empty
/// ring; returns the payloads (each must unprotect).
pub fn protect_concurrently(open: impl Fn() -> Arc<dyn XmlRepository> + Sync) -> Vec<Vec<u8>> {
    const THREADS: usize = 8;
    let barrier = Barrier::new(THREADS);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..THREADS)
            .map(|i| {
                let barrier = &barrier;
                let open = &open;
                s.spawn(move || {
                    let provider = provider(open());
                    let protector = provider.create_protector("race");
                    barrier.wait();
                    protector.protect(format!("thread {i}").as_bytes()).unwrap()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

/// Every payload of [`protect_concurrently`] unprotects with a fresh provider.
pub fn check_concurrent_payloads(repo: Arc<dyn XmlRepository>, payloads: &[Vec<u8>]) {
    let protector = provider(repo).create_protector("race");
    for (i, p) in payloads.iter().enumerate() {
        assert_eq!(
            protector.unprotect(p).unwrap(),
            format!("thread {i}").as_bytes()
        );
    }
}

/// While `a` holds the lock, `b` waits for it (in another thread); it gets it once `a` lets go.
pub fn check_lock_excludes(a: &dyn XmlRepository, b: &(dyn XmlRepository + Sync)) {
    use std::sync::atomic::{AtomicBool, Ordering};
    let held = a.lock().unwrap();
    let got = AtomicBool::new(false);
    std::thread::scope(|s| {
        let waiter = s.spawn(|| {
            let lock = b.lock().unwrap();
            got.store(true, Ordering::SeqCst);
            drop(lock);
        });
        std::thread::sleep(std::time::Duration::from_millis(500));
        assert!(!got.load(Ordering::SeqCst), "the second lock must wait");
        drop(held);
        waiter.join().unwrap();
    });
    assert!(got.load(Ordering::SeqCst));
    // Released on drop: taken again at once.
    drop(a.lock().unwrap());
}
