//! Every ring command on every key store (`--key-store`): a `<repository>` document, Redis,
//! PostgreSQL and MySQL/MariaDB — real servers, never mocks. Server URLs come from
//! `DP_TEST_REDIS_URL`, `DP_TEST_POSTGRES_URL` and `DP_TEST_MYSQL_URL` (defaults: the local
//! services); without a server a test prints one line and passes, unless `CI=true`, where it
//! fails. Each test uses a list key or table of its own and removes it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    missing_docs,
    reason = "test code: a panic is a test failure, and test items need no docs"
)]

mod common;

use std::path::Path;
use std::process::{Command, Stdio};

use common::{code, dp, stderr, stdout};

fn unique(name: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("dp_cli_{name}_{}_{nanos}", std::process::id())
}

/// The server URL, or `None` (after one printed line) when it is not reachable and CI is not set.
fn server(env: &str, default: &str, what: &str) -> Option<String> {
    let url = std::env::var(env).unwrap_or_else(|_| default.to_owned());
    let authority = url.split("://").nth(1).unwrap_or("");
    let authority = authority.split(['/', '?']).next().unwrap_or("");
    let host_port = authority.rsplit('@').next().unwrap_or("");
    let reachable = std::net::ToSocketAddrs::to_socket_addrs(host_port)
        .ok()
        .and_then(|mut a| a.next())
        .is_some_and(|addr| {
            std::net::TcpStream::connect_timeout(&addr, std::time::Duration::from_secs(2)).is_ok()
        });
    if reachable {
        return Some(url);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "CI=true but no {what} server at {url} (set {env})"
    );
    println!(
        "skipping {what} key-store tests: no server at {url} (set {env}; CI=true makes this fail)"
    );
    None
}

fn with_param(url: &str, param: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{param}")
}

/// `dp --key-store STORE ARGS…`.
fn run(home: &Path, store: &str, args: &[&str], stdin: &[u8]) -> std::process::Output {
    let mut all = vec!["--key-store", store];
    all.extend_from_slice(args);
    dp(home, &all, stdin)
}

fn keys(home: &Path, store: &str) -> Vec<serde_json::Value> {
    let out = run(home, store, &["keys", "list", "--json"], b"");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    json["keys"].as_array().unwrap().clone()
}

/// The whole life of a ring on one store: 8 processes racing on the empty store create one key;
/// every payload unprotects; new, list, revoke, and a revoked key's payload refused.
fn drive(store: &str) {
    let home = tempfile::tempdir().unwrap();
    let children: Vec<_> = (0..8)
        .map(|i| {
            let mut child = Command::new(env!("CARGO_BIN_EXE_dp"))
                .args([
                    "--key-store",
                    store,
                    "--app-name",
                    "Farm",
                    "protect",
                    "--purpose",
                    "race",
                ])
                .env("HOME", home.path())
                .env_remove("DP_KEY_DIR")
                .env_remove("DP_KEY_STORE")
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            use std::io::Write as _;
            child
                .stdin
                .take()
                .unwrap()
                .write_all(format!("payload {i}").as_bytes())
                .unwrap();
            child
        })
        .collect();
    let payloads: Vec<String> = children
        .into_iter()
        .map(|c| {
            let out = c.wait_with_output().unwrap();
            assert_eq!(code(&out), 0, "{}", stderr(&out));
            stdout(&out)
        })
        .collect();
    let listed = keys(home.path(), store);
    assert_eq!(listed.len(), 1, "8 racing processes made {listed:?}");
    let first = listed[0]["id"].as_str().unwrap().to_owned();
    for (i, payload) in payloads.iter().enumerate() {
        let out = run(
            home.path(),
            store,
            &["--app-name", "Farm", "unprotect", "--purpose", "race"],
            payload.as_bytes(),
        );
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        assert_eq!(stdout(&out), format!("payload {i}"));
    }

    // A second key, then revoke the first: its payloads are refused, the new key protects.
    let out = run(
        home.path(),
        store,
        &["keys", "new", "--activate-at", "2020-01-01T00:00:00Z"],
        b"",
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = run(
        home.path(),
        store,
        &["keys", "revoke", "--key-id", &first, "--reason", "test"],
        b"",
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let listed = keys(home.path(), store);
    assert_eq!(listed.len(), 2, "{listed:?}");
    let revoked = listed.iter().find(|k| k["id"] == first.as_str()).unwrap();
    assert_eq!(revoked["state"], "revoked");
    let out = run(
        home.path(),
        store,
        &["--app-name", "Farm", "unprotect", "--purpose", "race"],
        payloads[0].as_bytes(),
    );
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    let out = run(home.path(), store, &["protect", "--purpose", "after"], b"x");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let after = stdout(&out);
    let out = run(
        home.path(),
        store,
        &["unprotect", "--purpose", "after"],
        after.as_bytes(),
    );
    assert_eq!(stdout(&out), "x");

    // Copy to a directory: the same ids, and payloads unprotect from the copy; a second copy
    // changes nothing.
    let copy_dir = home.path().join("copy");
    let copy = copy_dir.to_str().unwrap();
    let out = run(home.path(), store, &["keys", "copy", "--to", copy], b"");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out).lines().count(), 4, "{}", stdout(&out));
    let ids = |store: &str| {
        let mut ids: Vec<String> = keys(home.path(), store)
            .iter()
            .map(|k| format!("{} {}", k["id"], k["state"]))
            .collect();
        ids.sort();
        ids
    };
    assert_eq!(ids(store), ids(copy));
    let out = dp(
        home.path(),
        &["--key-dir", copy, "unprotect", "--purpose", "after"],
        after.as_bytes(),
    );
    assert_eq!(stdout(&out), "x", "{}", stderr(&out));
    let out = run(home.path(), store, &["keys", "copy", "--to", copy], b"");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), "");

    // Prune removes the key that expired in 2020, here as from a directory.
    let out = run(
        home.path(),
        store,
        &["keys", "prune", "--expired-for", "365"],
        b"",
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let pruned = stdout(&out);
    assert_eq!(pruned.lines().count(), 1, "{pruned}");
    let out = dp(
        home.path(),
        &["--key-dir", copy, "keys", "prune", "--expired-for", "365"],
        b"",
    );
    assert_eq!(stdout(&out), pruned);
    assert_eq!(ids(store), ids(copy));
    assert_eq!(keys(home.path(), store).len(), 2);
}

/// `dp keys ensure` on a ring whose default key expires tomorrow, from 8 processes at once:
/// exactly one successor, activating when the default expires.
fn ensure_once(store: &str) {
    let home = tempfile::tempdir().unwrap();
    let now = time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap();
    let activate = (now - time::Duration::days(6))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let out = run(
        home.path(),
        store,
        &["keys", "new", "--lifetime", "7", "--activate-at", &activate],
        b"",
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let children: Vec<_> = (0..8)
        .map(|_| {
            Command::new(env!("CARGO_BIN_EXE_dp"))
                .args(["--key-store", store, "keys", "ensure"])
                .env("HOME", home.path())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let created: Vec<String> = children
        .into_iter()
        .map(|c| {
            let out = c.wait_with_output().unwrap();
            assert_eq!(code(&out), 0, "{}", stderr(&out));
            stdout(&out)
        })
        .filter(|s| !s.is_empty())
        .collect();
    assert_eq!(created.len(), 1, "{created:?}");
    let listed = keys(home.path(), store);
    assert_eq!(listed.len(), 2, "{listed:?}");
    let first = listed
        .iter()
        .find(|k| k["id"] != created[0].trim())
        .unwrap();
    let next = listed
        .iter()
        .find(|k| k["id"] == created[0].trim())
        .unwrap();
    assert_eq!(next["activation"], first["expiration"]);
    // Run again: nothing to do.
    let out = run(home.path(), store, &["keys", "ensure"], b"");
    assert_eq!(
        (code(&out), stdout(&out).as_str()),
        (0, ""),
        "{}",
        stderr(&out)
    );
}

#[test]
fn ensure_on_directory_and_document() {
    let dir = tempfile::tempdir().unwrap();
    ensure_once(dir.path().join("keys").to_str().unwrap());
    ensure_once(&format!("xml:{}", dir.path().join("ring.xml").display()));
}

#[test]
fn directory_store() {
    let dir = tempfile::tempdir().unwrap();
    drive(dir.path().join("keys").to_str().unwrap());
}

#[test]
fn document_store() {
    let dir = tempfile::tempdir().unwrap();
    let store = format!("xml:{}", dir.path().join("ring.xml").display());
    drive(&store);
    let text = std::fs::read_to_string(dir.path().join("ring.xml")).unwrap();
    assert!(
        text.starts_with("\u{FEFF}<?xml version=\"1.0\" encoding=\"utf-8\"?><repository><key ")
    );
    assert!(!text.contains('\n'));
}

#[test]
fn store_options_and_unreachable_servers() {
    let home = tempfile::tempdir().unwrap();
    // --key-store and --key-dir together: usage error.
    let out = dp(
        home.path(),
        &[
            "--key-store",
            "xml:/tmp/x.xml",
            "--key-dir",
            "/tmp",
            "keys",
            "list",
        ],
        b"",
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    // An unknown scheme: usage error.
    let out = dp(
        home.path(),
        &["--key-store", "ftp://h/x", "keys", "list"],
        b"",
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    // Nobody listens on port 1: exit 1, the URL without its password, a hint.
    for url in [
        "redis://user:s3cret@127.0.0.1:1/0",
        "postgres://user:s3cret@127.0.0.1:1/db",
        "mysql://user:s3cret@127.0.0.1:1/db",
    ] {
        let out = dp(home.path(), &["--key-store", url, "keys", "list"], b"");
        assert_eq!(code(&out), 1, "{url}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(!err.contains("s3cret"), "{err}");
        assert!(
            err.contains("127.0.0.1:1") && err.contains("hint:"),
            "{err}"
        );
    }
    // DP_KEY_STORE is used when no flag is given, and beats DP_KEY_DIR.
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("env.xml");
    let out = Command::new(env!("CARGO_BIN_EXE_dp"))
        .args(["keys", "new"])
        .env("HOME", home.path())
        .env("DP_KEY_STORE", format!("xml:{}", doc.display()))
        .env("DP_KEY_DIR", dir.path().join("not-used"))
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(doc.is_file());
    assert!(!dir.path().join("not-used").exists());
}

#[test]
fn redis_store() {
    let Some(url) = server("DP_TEST_REDIS_URL", "redis://127.0.0.1:6379/0", "Redis") else {
        return;
    };
    let key = unique("redis");
    let store = with_param(&url, &format!("key={key}"));
    struct Cleanup(String, String);
    impl Drop for Cleanup {
        fn drop(&mut self) {
            if let Ok(mut conn) =
                redis::Client::open(self.0.as_str()).and_then(|c| c.get_connection())
            {
                let _: Result<(), _> = redis::cmd("DEL")
                    .arg(&self.1)
                    .arg(format!("{}:dp-lock", self.1))
                    .query(&mut conn);
            }
        }
    }
    let _cleanup = Cleanup(url.clone(), key.clone());
    drive(&store);
    // doctor: a list with an expiry is the ring about to vanish.
    {
        let client = redis::Client::open(url.as_str()).unwrap();
        let mut conn = client.get_connection().unwrap();
        let _: () = redis::cmd("PEXPIRE")
            .arg(&key)
            .arg(600_000)
            .query(&mut conn)
            .unwrap();
        let home = tempfile::tempdir().unwrap();
        let out = run(home.path(), &store, &["doctor", "--json"], b"");
        assert_eq!(code(&out), 1, "{}", stdout(&out));
        assert!(
            stdout(&out).contains("\"ring_key_expires\""),
            "{}",
            stdout(&out)
        );
    }
    let ensure_key = format!("{key}_ensure");
    let _cleanup_ensure = Cleanup(url.clone(), ensure_key.clone());
    ensure_once(&with_param(&url, &format!("key={ensure_key}")));
    let client = redis::Client::open(url.as_str()).unwrap();
    let mut conn = client.get_connection().unwrap();
    let elements: Vec<String> = redis::cmd("LRANGE")
        .arg(&key)
        .arg(0)
        .arg(-1)
        .query(&mut conn)
        .unwrap();
    for e in &elements {
        assert!(
            !e.starts_with('\u{FEFF}') && !e.starts_with("<?xml") && !e.contains('\n'),
            "{e}"
        );
    }
}

#[test]
fn postgres_store() {
    let Some(url) = server(
        "DP_TEST_POSTGRES_URL",
        "postgres://postgres@127.0.0.1:5432/test",
        "PostgreSQL",
    ) else {
        return;
    };
    let table = unique("pg");
    struct Cleanup(String, String);
    impl Drop for Cleanup {
        fn drop(&mut self) {
            if let Ok(mut client) = postgres::Client::connect(&self.0, postgres::NoTls) {
                let _ = client.batch_execute(&format!("DROP TABLE IF EXISTS \"{}\"", self.1));
            }
        }
    }
    let _cleanup = Cleanup(url.clone(), table.clone());
    let store = with_param(&url, &format!("table={table}"));
    let home = tempfile::tempdir().unwrap();
    let out = run(home.path(), &store, &["keys", "init-store"], b"");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    drive(&store);
}

#[test]
fn mysql_store() {
    let Some(url) = server(
        "DP_TEST_MYSQL_URL",
        "mysql://root@127.0.0.1:3306/test",
        "MySQL",
    ) else {
        return;
    };
    let table = unique("my");
    struct Cleanup(String, String);
    impl Drop for Cleanup {
        fn drop(&mut self) {
            use mysql::prelude::Queryable as _;
            if let Ok(mut conn) = mysql::Pool::new(self.0.as_str()).and_then(|p| p.get_conn()) {
                let _ = conn.query_drop(format!("DROP TABLE IF EXISTS `{}`", self.1));
            }
        }
    }
    let _cleanup = Cleanup(url.clone(), table.clone());
    let store = with_param(&url, &format!("table={table}"));
    let home = tempfile::tempdir().unwrap();
    let out = run(home.path(), &store, &["keys", "init-store"], b"");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    drive(&store);
}
