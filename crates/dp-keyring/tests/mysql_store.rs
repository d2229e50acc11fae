//! `MySqlRepository` against a real MySQL or MariaDB server: `DP_TEST_MYSQL_URL` (default
//! `mysql://root@127.0.0.1:3306/test`). Without a server the tests are skipped, unless
//! `CI=true`. Each test works in a database of its own, dropped at the end.
#![cfg(feature = "mysql")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs,
    reason = "test code: a panic is a test failure, and test items need no docs"
)]

mod common_sql;

use std::sync::Arc;

use common_sql::{
    assert_form_l, check_concurrent_payloads, check_lock_excludes, check_vector_ring, json,
    protect_concurrently, provider, unique, vector_rows,
};
use dp_keyring::KeyringError;
use dp_keyring::repository::{MySqlRepository, SqlTable, XmlRepository};
use mysql::prelude::Queryable;
use mysql::{Conn, Opts, OptsBuilder};

const VAR: &str = "DP_TEST_MYSQL_URL";

fn base_url() -> String {
    common_sql::server_url(VAR, "mysql://root@127.0.0.1:3306/test")
}

/// A database of the test's own, dropped (with everything in it) when the test ends.
struct Database {
    name: String,
    url: String,
    conn: Conn,
}

type Row = (i32, Option<String>, Option<String>);

impl Database {
    /// `None` when there is no server (and not under CI).
    fn new() -> Option<Self> {
        let base = base_url();
        let opts = OptsBuilder::from_opts(Opts::from_url(&base).unwrap())
            .tcp_connect_timeout(Some(std::time::Duration::from_secs(5)));
        let mut conn = match Conn::new(opts) {
            Ok(c) => c,
            Err(e) => {
                common_sql::unreachable("mysql", VAR, &base, &e.to_string());
                return None;
            }
        };
        let name = unique("dp_test");
        conn.query_drop(format!("CREATE DATABASE `{name}` CHARACTER SET utf8mb4"))
            .unwrap();
        conn.query_drop(format!("USE `{name}`")).unwrap();
        let (head, query) = match base.split_once('?') {
            Some((h, q)) => (h.to_owned(), format!("?{q}")),
            None => (base.clone(), String::new()),
        };
        let server = head.rsplit_once('/').map_or(head.as_str(), |(s, _)| s);
        let url = format!("{server}/{name}{query}");
        Some(Self { name, url, conn })
    }

    fn sql(&mut self, sql: &str) {
        self.conn.query_drop(sql).unwrap();
    }

    fn open(&self) -> Result<MySqlRepository, KeyringError> {
        MySqlRepository::open(&self.url, &SqlTable::default())
    }

    fn rows(&mut self, table: &str) -> Vec<Row> {
        self.conn
            .query(format!(
                "SELECT `Id`, `FriendlyName`, `Xml` FROM `{table}` ORDER BY 1"
            ))
            .unwrap()
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        let _ = self
            .conn
            .query_drop(format!("DROP DATABASE `{}`", self.name));
    }
}

fn store_reason(e: KeyringError) -> String {
    match e {
        KeyringError::Store { store, reason } => format!("{store}: {reason}"),
        other => panic!("expected a store error, got {other:?}"),
    }
}

/// The rows .NET wrote, in the table .NET created, read without naming the table.
#[test]
fn dotnet_rows_are_a_ring() {
    let Some(mut db) = Database::new() else {
        return;
    };
    let ddl = std::fs::read_to_string(common_sql::store_dir("mysql").join("ddl.sql")).unwrap();
    db.sql(&ddl);
    for (id, name, xml) in vector_rows("mysql", "mysql-rows.json") {
        db.conn
            .exec_drop(
                "INSERT INTO `DataProtectionKeys` (`Id`, `FriendlyName`, `Xml`) VALUES (?, ?, ?)",
                (id, name, xml),
            )
            .unwrap();
    }
    let repo = db.open().unwrap();
    let table = format!("`{}`.`DataProtectionKeys`", db.name);
    assert!(
        repo.describe().ends_with(&format!("table {table}")),
        "{}",
        repo.describe()
    );
    let elements = repo.load_all().unwrap();
    assert_eq!(elements.len(), 4);
    assert!(
        elements[0].source.ends_with("row Id=1"),
        "{}",
        elements[0].source
    );
    check_vector_ring(Arc::new(repo), &json("mysql", "mysql-manifest.json"));
    assert_eq!(
        db.rows("DataProtectionKeys").len(),
        4,
        "reading writes nothing"
    );
}

#[test]
fn renamed_tables_are_detected_and_look_alikes_refused() {
    let Some(mut db) = Database::new() else {
        return;
    };
    db.sql(
        "CREATE TABLE dataprotectionkeys (id int NOT NULL AUTO_INCREMENT PRIMARY KEY, \
         friendlyname longtext, xml longtext)",
    );
    let repo = db.open().unwrap();
    assert!(
        repo.describe().ends_with(".`dataprotectionkeys`"),
        "{}",
        repo.describe()
    );
    assert!(repo.load_all().unwrap().is_empty());
    db.sql("DROP TABLE dataprotectionkeys");

    db.sql(
        "CREATE TABLE data_protection_keys (id int NOT NULL AUTO_INCREMENT PRIMARY KEY, \
         friendly_name varchar(200), xml longtext NOT NULL) CHARACTER SET utf8mb4",
    );
    let repo = db.open().unwrap();
    assert!(repo.describe().ends_with(".`data_protection_keys`"));
    repo.store("key-1", "<key/>").unwrap();
    assert_eq!(repo.load_all().unwrap()[0].name, "key-1");

    db.sql(
        "CREATE TABLE `DataProtectionKeys` (`Id` int NOT NULL AUTO_INCREMENT PRIMARY KEY, \
         `FriendlyName` longtext, `Xml` longtext)",
    );
    let e = store_reason(db.open().unwrap_err());
    assert!(e.contains("several tables") && e.contains("table="), "{e}");
    let named = SqlTable {
        table: Some("DataProtectionKeys".into()),
        ..SqlTable::default()
    };
    assert!(MySqlRepository::open(&db.url, &named).is_ok());
    // The names may come in the URL's query too.
    assert!(
        MySqlRepository::open(
            &format!("{}?table=data_protection_keys", db.url),
            &SqlTable::default()
        )
        .is_ok()
    );
    db.sql("DROP TABLE `DataProtectionKeys`");
    db.sql("DROP TABLE data_protection_keys");

    db.sql(
        "CREATE TABLE `DataProtectionKeys` (`Id` varchar(64) PRIMARY KEY, \
         `FriendlyName` longtext, `Xml` longtext)",
    );
    let e = store_reason(db.open().unwrap_err());
    assert!(
        e.contains("not EF Core's table") && e.contains("not an integer"),
        "{e}"
    );
    db.sql("DROP TABLE `DataProtectionKeys`");
    db.sql(
        "CREATE TABLE `DataProtectionKeys` (`Id` int NOT NULL AUTO_INCREMENT PRIMARY KEY, \
         `FriendlyName` longtext, `XmlData` longtext)",
    );
    let e = store_reason(db.open().unwrap_err());
    assert!(
        e.contains("no EF Core DataProtectionKeys table") && e.contains("dp keys init-store"),
        "{e}"
    );
    let e = store_reason(MySqlRepository::open(&db.url, &named).unwrap_err());
    assert!(e.contains("no xml column"), "{e}");
}

#[test]
fn keys_are_stored_in_one_line_and_init_is_idempotent() {
    let Some(mut db) = Database::new() else {
        return;
    };
    assert!(
        matches!(db.open(), Err(KeyringError::Store { .. })),
        "no table yet"
    );
    MySqlRepository::init(&db.url, &SqlTable::default()).unwrap();
    MySqlRepository::init(&db.url, &SqlTable::default()).unwrap();
    let repo: Arc<dyn XmlRepository> = Arc::new(db.open().unwrap());
    let payload = provider(Arc::clone(&repo))
        .create_protector("p")
        .protect(b"secret")
        .unwrap();
    let rows = db.rows("DataProtectionKeys");
    assert_eq!(rows.len(), 1);
    let (id, name, xml) = rows[0].clone();
    assert_eq!(id, 1);
    let name = name.unwrap();
    let xml = xml.unwrap();
    assert!(name.starts_with("key-"));
    assert_form_l(&xml);

    let again: Arc<dyn XmlRepository> = Arc::new(db.open().unwrap());
    assert_eq!(
        provider(Arc::clone(&again))
            .create_protector("p")
            .unprotect(&payload)
            .unwrap(),
        b"secret"
    );

    // Replacing with the same text still counts as one row (found rows, not changed rows).
    let file_form = format!(
        "\u{FEFF}<?xml version=\"1.0\" encoding=\"utf-8\"?>\n{}",
        xml.replace("<creationDate>", "\n  <creationDate>")
    );
    again.replace(&name, &file_form).unwrap();
    assert_eq!(
        db.rows("DataProtectionKeys")[0].2.as_deref(),
        Some(xml.as_str())
    );
    assert!(matches!(
        again.replace("key-missing", &xml),
        Err(KeyringError::Store { .. })
    ));
    again.delete(&[name]).unwrap();
    assert!(db.rows("DataProtectionKeys").is_empty());
}

#[test]
fn concurrent_first_use_creates_one_key() {
    let Some(mut db) = Database::new() else {
        return;
    };
    MySqlRepository::init(&db.url, &SqlTable::default()).unwrap();
    let url = db.url.clone();
    let payloads = protect_concurrently(|| {
        Arc::new(MySqlRepository::open(&url, &SqlTable::default()).unwrap())
    });
    assert_eq!(db.rows("DataProtectionKeys").len(), 1);
    check_concurrent_payloads(Arc::new(db.open().unwrap()), &payloads);
}

#[test]
fn errors_name_the_row_and_never_the_password() {
    let Some(mut db) = Database::new() else {
        return;
    };
    let e = MySqlRepository::open(
        "mysql://dp:Sup3rSecretPw@127.0.0.1:1/db",
        &SqlTable::default(),
    )
    .unwrap_err();
    let text = e.to_string();
    assert!(matches!(e, KeyringError::Store { .. }));
    assert!(!text.contains("Sup3rSecretPw"), "{text}");
    assert!(text.contains("mysql://dp:***@127.0.0.1:1/db"), "{text}");

    MySqlRepository::init(&db.url, &SqlTable::default()).unwrap();
    db.sql(
        "INSERT INTO `DataProtectionKeys` (`FriendlyName`, `Xml`) \
         VALUES ('empty', ''), ('null', NULL), (NULL, NULL)",
    );
    let repo = db.open().unwrap();
    assert!(
        repo.load_all().unwrap().is_empty(),
        "null and empty Xml are skipped"
    );
    db.sql("INSERT INTO `DataProtectionKeys` (`FriendlyName`, `Xml`) VALUES (NULL, '<key id=')");
    let e = provider(Arc::new(repo)).key_manager().load().unwrap_err();
    match &e {
        KeyringError::MalformedElement { source, .. } => {
            assert!(source.ends_with("row Id=4"), "{source}");
        }
        other => panic!("{other:?}"),
    }
    let repo = db.open().unwrap();
    assert_eq!(repo.load_all().unwrap()[0].name, "row-4");
    repo.delete(&["row-4".to_owned()]).unwrap();
    assert!(repo.load_all().unwrap().is_empty());
    assert_eq!(db.rows("DataProtectionKeys").len(), 3);
}

#[test]
fn the_creation_lock_excludes_other_connections() {
    let Some(db) = Database::new() else {
        return;
    };
    MySqlRepository::init(&db.url, &SqlTable::default()).unwrap();
    let a = db.open().unwrap();
    let b = db.open().unwrap();
    check_lock_excludes(&a, &b);
}
