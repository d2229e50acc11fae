//! Reading a ring of 1,000 keys from each store (`KeyManager::load`: fetch every element,
//! parse it, resolve revocations) — what a farm member pays on start-up and on each refresh.
//! Run: `cargo bench -p dp-keyring --features redis,postgres,mysql --bench store_read`.
//! Servers from `DP_TEST_REDIS_URL`, `DP_TEST_POSTGRES_URL`, `DP_TEST_MYSQL_URL` (defaults: the
//! local services); a store whose server is not reachable is skipped with a line on stderr.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs,
    reason = "benchmark harness: a panic is a failed run"
)]

use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use dp_keyring::repository::{StoreUrl, XmlRepository};
use dp_keyring::{DataProtectionProvider, KeyManager, MemoryRepository, OsRandom, SystemClock};

const KEYS: usize = 1000;

/// 1,000 distinct key elements in .NET's file form (what the manager hands a repository).
fn key_elements() -> Vec<(String, String)> {
    let memory = Arc::new(MemoryRepository::new());
    let provider = DataProtectionProvider::builder_shared(memory.clone())
        .build()
        .unwrap();
    provider.create_protector("seed").protect(b"x").unwrap();
    let template = memory.load_all().unwrap().remove(0);
    let id = template.name.trim_start_matches("key-").to_owned();
    (0..KEYS)
        .map(|i| {
            let new_id = format!("{}{:012x}", &id[..24], i);
            (format!("key-{new_id}"), template.xml.replace(&id, &new_id))
        })
        .collect()
}

fn unique(name: &str) -> String {
    format!("dp_bench_{name}_{}", std::process::id())
}

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

fn seed(repository: &dyn XmlRepository, elements: &[(String, String)]) {
    for (name, xml) in elements {
        repository.store(name, xml).unwrap();
    }
}

fn read_rings(c: &mut Criterion) {
    let elements = key_elements();
    let dir = tempfile::tempdir().unwrap();
    let redis_key = unique("redis");
    let sql_table = unique("keys");
    let stores = [
        (
            "directory",
            format!("file:{}", dir.path().join("keys").display()),
        ),
        (
            "document",
            format!("xml:{}", dir.path().join("ring.xml").display()),
        ),
        (
            "redis",
            format!(
                "{}?key={redis_key}",
                env_or("DP_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
            ),
        ),
        (
            "postgres",
            format!(
                "{}?table={sql_table}",
                env_or(
                    "DP_TEST_POSTGRES_URL",
                    "postgres://postgres@127.0.0.1:5432/test"
                )
            ),
        ),
        (
            "mysql",
            format!(
                "{}?table={sql_table}",
                env_or("DP_TEST_MYSQL_URL", "mysql://root@127.0.0.1:3306/test")
            ),
        ),
    ];
    let mut group = c.benchmark_group("load 1000 keys");
    group.sample_size(10);
    for (name, url) in &stores {
        let store = StoreUrl::parse(url).unwrap();
        let is_sql = matches!(store, StoreUrl::Postgres { .. } | StoreUrl::MySql { .. });
        if let Some(e) = is_sql.then(|| store.init().err()).flatten() {
            eprintln!("skipping {name}: {e}");
            continue;
        }
        let repository = match store.open() {
            Ok(r) => r,
            Err(e) => {
                eprintln!("skipping {name}: {e}");
                continue;
            }
        };
        seed(repository.as_ref(), &elements);
        let manager = KeyManager::new(
            repository.clone(),
            Arc::new(SystemClock),
            Arc::new(OsRandom),
        );
        assert_eq!(manager.load().unwrap().keys.len(), KEYS);
        group.bench_function(*name, |b| b.iter(|| manager.load().unwrap()));
        cleanup(name, url, &redis_key, &sql_table);
    }
    group.finish();
}

fn cleanup(name: &str, url: &str, redis_key: &str, table: &str) {
    let base = url.split('?').next().unwrap_or(url);
    match name {
        "redis" => {
            if let Ok(mut conn) = redis::Client::open(base).and_then(|c| c.get_connection()) {
                let _: Result<(), _> = redis::cmd("DEL")
                    .arg(redis_key)
                    .arg(format!("{redis_key}:dp-lock"))
                    .query(&mut conn);
            }
        }
        "postgres" => {
            if let Ok(mut client) = postgres::Client::connect(base, postgres::NoTls) {
                let _ = client.batch_execute(&format!("DROP TABLE IF EXISTS \"{table}\""));
            }
        }
        "mysql" => {
            use mysql::prelude::Queryable as _;
            if let Ok(mut conn) = mysql::Pool::new(base).and_then(|p| p.get_conn()) {
                let _ = conn.query_drop(format!("DROP TABLE IF EXISTS `{table}`"));
            }
        }
        _ => {}
    }
}

criterion_group!(benches, read_rings);
criterion_main!(benches);
