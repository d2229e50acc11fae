//! `dp keys copy --to URL` between every pair of store kinds — directory, `<repository>`
//! document, Redis, PostgreSQL, MySQL/MariaDB — on one ring holding what a real ring holds: the
//! certificate-encrypted key live .NET 10 wrote (crates/dp-keyring/tests/data/certificate), a
//! key dp encrypted to the same certificate, an expired key and a revoked key in clear. Every
//! copy must keep ids, dates, revocations and encryption, unprotect payloads made before it, and
//! change nothing when repeated.
//!
//! Real servers, never mocks: `DP_TEST_REDIS_URL`, `DP_TEST_POSTGRES_URL`, `DP_TEST_MYSQL_URL`
//! (defaults: the local services). A kind whose server is not reachable is left out after one
//! printed line, unless `CI=true`, where the test fails. Every list key and table is removed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    missing_docs,
    reason = "test code: a panic is a test failure, and test items need no docs"
)]

mod common;

use std::path::{Path, PathBuf};

use common::{code, dp, stderr, stdout};

fn data(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../dp-keyring/tests/data/certificate")
        .join(name)
        .to_string_lossy()
        .into_owned()
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
        "skipping copies to and from {what}: no server at {url} (set {env}; CI=true makes this fail)"
    );
    None
}

fn with_param(url: &str, param: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{param}")
}

/// The kinds of store under test, and what to remove afterwards.
struct Stores {
    dir: tempfile::TempDir,
    redis: Option<String>,
    postgres: Option<String>,
    mysql: Option<String>,
    /// A name unique to this run, for list keys and tables.
    run: String,
    redis_keys: Vec<String>,
    pg_tables: Vec<String>,
    my_tables: Vec<String>,
    made: usize,
}

impl Stores {
    fn new() -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        Self {
            dir: tempfile::tempdir().unwrap(),
            redis: server("DP_TEST_REDIS_URL", "redis://127.0.0.1:6379/0", "Redis"),
            postgres: server(
                "DP_TEST_POSTGRES_URL",
                "postgres://postgres@127.0.0.1:5432/test",
                "PostgreSQL",
            ),
            mysql: server(
                "DP_TEST_MYSQL_URL",
                "mysql://root@127.0.0.1:3306/test",
                "MySQL",
            ),
            run: format!("dp_copy_{}_{nanos}", std::process::id()),
            redis_keys: Vec::new(),
            pg_tables: Vec::new(),
            my_tables: Vec::new(),
            made: 0,
        }
    }

    fn kinds(&self) -> Vec<&'static str> {
        let mut kinds = vec!["directory", "document"];
        if self.redis.is_some() {
            kinds.push("redis");
        }
        if self.postgres.is_some() {
            kinds.push("postgres");
        }
        if self.mysql.is_some() {
            kinds.push("mysql");
        }
        kinds
    }

    /// A new, empty store of `kind` (SQL tables created as EF Core's migrations create them).
    fn fresh(&mut self, kind: &str) -> String {
        self.made += 1;
        let name = format!("{}_{}", self.run, self.made);
        match kind {
            "directory" => self.dir.path().join(&name).to_string_lossy().into_owned(),
            "document" => format!("xml:{}", self.dir.path().join(name + ".xml").display()),
            "redis" => {
                let url = with_param(self.redis.as_deref().unwrap(), &format!("key={name}"));
                self.redis_keys.push(name);
                url
            }
            "postgres" | "mysql" => {
                let base = if kind == "postgres" {
                    self.pg_tables.push(name.clone());
                    self.postgres.as_deref().unwrap()
                } else {
                    self.my_tables.push(name.clone());
                    self.mysql.as_deref().unwrap()
                };
                let url = with_param(base, &format!("table={name}"));
                let out = dp(
                    self.dir.path(),
                    &["--key-store", &url, "keys", "init-store"],
                    b"",
                );
                assert_eq!(code(&out), 0, "{}", stderr(&out));
                url
            }
            other => unreachable!("{other}"),
        }
    }
}

impl Drop for Stores {
    fn drop(&mut self) {
        // No panic here: a failing test is already unwinding.
        if let Some(url) = &self.redis
            && let Ok(mut c) = redis::Client::open(url.as_str()).and_then(|c| c.get_connection())
        {
            for key in &self.redis_keys {
                let _: redis::RedisResult<i64> = redis::cmd("DEL")
                    .arg(key)
                    .arg(format!("{key}:dp-lock"))
                    .query(&mut c);
            }
        }
        if let Some(url) = &self.postgres
            && let Ok(mut client) = postgres::Client::connect(url, postgres::NoTls)
        {
            for table in &self.pg_tables {
                let _ = client.batch_execute(&format!("DROP TABLE IF EXISTS \"{table}\""));
            }
        }
        if let Some(url) = &self.mysql {
            use mysql::prelude::Queryable as _;
            if let Ok(mut conn) = mysql::Pool::new(url.as_str()).and_then(|p| p.get_conn()) {
                for table in &self.my_tables {
                    let _ = conn.query_drop(format!("DROP TABLE IF EXISTS `{table}`"));
                }
            }
        }
    }
}

/// The identity that decrypts the ring's encrypted keys, and the certificate new keys go to.
struct Identity {
    args: Vec<String>,
}

impl Identity {
    fn new(home: &Path) -> Self {
        let pw = home.join("pw");
        std::fs::write(&pw, "interop\n").unwrap();
        Self {
            args: vec![
                "--unprotect-keys-with".into(),
                data("certificate.pfx"),
                "--pfx-password-file".into(),
                pw.to_string_lossy().into_owned(),
            ],
        }
    }

    /// `dp --key-store STORE IDENTITY ARGS…`.
    fn run(&self, home: &Path, store: &str, args: &[&str], stdin: &[u8]) -> std::process::Output {
        let mut all: Vec<&str> = vec!["--key-store", store];
        all.extend(self.args.iter().map(String::as_str));
        all.extend_from_slice(args);
        dp(home, &all, stdin)
    }

    /// `keys list --json` without `source` (where each key was read from), sorted by id.
    fn listing(&self, home: &Path, store: &str) -> Vec<serde_json::Value> {
        let out = self.run(home, store, &["keys", "list", "--json"], b"");
        assert_eq!(code(&out), 0, "{store}: {}", stderr(&out));
        let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
        let mut keys: Vec<serde_json::Value> = json["keys"]
            .as_array()
            .unwrap()
            .iter()
            .cloned()
            .map(|mut k| {
                k.as_object_mut().unwrap().remove("source");
                k
            })
            .collect();
        keys.sort_by_key(|k| k["id"].as_str().unwrap_or_default().to_owned());
        keys
    }
}

/// A payload and the plaintext it protects, with its application name and purpose.
struct Payload {
    app: String,
    purpose: String,
    text: String,
    plaintext: Vec<u8>,
}

#[test]
fn copies_between_every_pair_of_store_kinds_keep_the_ring() {
    use base64::Engine as _;
    let mut stores = Stores::new();
    let home = tempfile::tempdir().unwrap();
    let id = Identity::new(home.path());

    // The seed ring, in a directory.
    let seed: PathBuf = home.path().join("seed");
    std::fs::create_dir(&seed).unwrap();
    let dotnet_keys = Path::new(&data("keys-certificate")).to_owned();
    for entry in std::fs::read_dir(&dotnet_keys).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), seed.join(entry.file_name())).unwrap();
    }
    let seed = seed.to_string_lossy().into_owned();
    let cert = data("certificate.cert.pem");
    let new_key = |extra: &[&str]| {
        let mut args = vec!["keys", "new"];
        args.extend_from_slice(extra);
        let out = id.run(home.path(), &seed, &args, b"");
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        stdout(&out).trim().to_owned()
    };
    new_key(&[
        "--protect-keys-with",
        &cert,
        "--activate-at",
        "2020-01-01T00:00:00Z",
    ]);
    let clear = new_key(&["--allow-unencrypted-keys"]);
    let out = id.run(
        home.path(),
        &seed,
        &["keys", "revoke", "--key-id", &clear, "--reason", "copied"],
        b"",
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    new_key(&["--protect-keys-with", &cert]);

    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(data("manifest.json")).unwrap()).unwrap();
    let case = &manifest["cases"][0];
    let dotnet = Payload {
        app: case["app_name"].as_str().unwrap().to_owned(),
        purpose: case["purposes"][0].as_str().unwrap().to_owned(),
        text: case["payload"].as_str().unwrap().to_owned(),
        plaintext: base64::engine::general_purpose::STANDARD
            .decode(case["plaintext_b64"].as_str().unwrap())
            .unwrap(),
    };
    let out = id.run(
        home.path(),
        &seed,
        &["--app-name", "Farm", "protect", "--purpose", "before copy"],
        b"made before the copy",
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let ours = Payload {
        app: "Farm".into(),
        purpose: "before copy".into(),
        text: stdout(&out),
        plaintext: b"made before the copy".to_vec(),
    };
    let expected = id.listing(home.path(), &seed);
    assert_eq!(expected.len(), 4, "{expected:#?}");
    assert_eq!(
        expected
            .iter()
            .filter(|k| k["encrypted_at_rest"] == true)
            .count(),
        3
    );
    assert_eq!(expected.iter().filter(|k| k["revoked"] == true).count(), 1);

    let check = |store: &str, what: &str| {
        assert_eq!(id.listing(home.path(), store), expected, "{what}");
        for p in [&dotnet, &ours] {
            let out = id.run(
                home.path(),
                store,
                &["--app-name", &p.app, "unprotect", "--purpose", &p.purpose],
                p.text.as_bytes(),
            );
            assert_eq!(code(&out), 0, "{what}: {}", stderr(&out));
            assert_eq!(out.stdout, p.plaintext, "{what}");
        }
    };
    let copy = |from: &str, to: &str, what: &str| -> String {
        let out = id.run(home.path(), from, &["keys", "copy", "--to", to], b"");
        assert_eq!(code(&out), 0, "{what}: {}", stderr(&out));
        stdout(&out)
    };

    // One source ring per kind, each copied from the seed.
    let kinds = stores.kinds();
    let sources: Vec<(&str, String)> = kinds
        .iter()
        .map(|&kind| {
            let store = stores.fresh(kind);
            let printed = copy(&seed, &store, &format!("seed → {kind}"));
            // Four keys and the revocation.
            assert_eq!(printed.lines().count(), 5, "seed → {kind}: {printed}");
            check(&store, &format!("seed → {kind}"));
            (kind, store)
        })
        .collect();

    // Every ordered pair of kinds.
    for (from_kind, from) in &sources {
        for &to_kind in &kinds {
            if to_kind == *from_kind {
                continue;
            }
            let what = format!("{from_kind} → {to_kind}");
            let to = stores.fresh(to_kind);
            let printed = copy(from, &to, &what);
            assert_eq!(printed.lines().count(), 5, "{what}: {printed}");
            check(&to, &what);
            assert_eq!(
                copy(from, &to, &what),
                "",
                "{what}: a second copy changed something"
            );
            assert_eq!(
                id.listing(home.path(), &to),
                expected,
                "{what}, copied twice"
            );
        }
    }
}
