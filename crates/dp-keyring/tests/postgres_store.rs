//! `PostgresRepository` against a real server: `DP_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/test`). Without a server the tests are skipped, unless
//! `CI=true`. Each test works in a schema of its own, dropped at the end.
#![cfg(feature = "postgres")]
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
use dp_keyring::repository::{PostgresRepository, SqlTable, XmlRepository};
use postgres::{Client, NoTls};

const VAR: &str = "DP_TEST_POSTGRES_URL";

fn url() -> String {
    common_sql::server_url(VAR, "postgres://postgres@127.0.0.1:5432/test")
}

/// A schema of the test's own, dropped (with everything in it) when the test ends.
struct Schema {
    name: String,
    client: Client,
}

impl Schema {
    /// `None` when there is no server (and not under CI).
    fn new() -> Option<Self> {
        let url = url();
        let mut config: postgres::Config = url.parse().unwrap();
        config.connect_timeout(std::time::Duration::from_secs(5));
        let mut client = match config.connect(NoTls) {
            Ok(c) => c,
            Err(e) => {
                common_sql::unreachable("postgres", VAR, &url, &e.to_string());
                return None;
            }
        };
        let name = unique("dp_test");
        client
            .batch_execute(&format!("CREATE SCHEMA \"{name}\""))
            .unwrap();
        Some(Self { name, client })
    }

    fn spec(&self) -> SqlTable {
        SqlTable {
            schema: Some(self.name.clone()),
            ..SqlTable::default()
        }
    }

    fn sql(&mut self, sql: &str) {
        let sql = sql.replace("{s}", &format!("\"{}\"", self.name));
        self.client.batch_execute(&sql).unwrap();
    }

    fn open(&self) -> Result<PostgresRepository, KeyringError> {
        PostgresRepository::open(&url(), &self.spec())
    }

    fn rows(&mut self, table: &str) -> Vec<(i32, Option<String>, Option<String>)> {
        let q = format!(
            "SELECT \"Id\", \"FriendlyName\", \"Xml\" FROM \"{}\".\"{table}\" ORDER BY 1",
            self.name
        );
        self.client
            .query(&q, &[])
            .unwrap()
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect()
    }
}

impl Drop for Schema {
    fn drop(&mut self) {
        let _ = self
            .client
            .batch_execute(&format!("DROP SCHEMA \"{}\" CASCADE", self.name));
    }
}

fn store_reason(e: KeyringError) -> String {
    match e {
        KeyringError::Store { store, reason } => format!("{store}: {reason}"),
        other => panic!("expected a store error, got {other:?}"),
    }
}

/// The rows .NET wrote, in the table .NET created, read without naming anything but the schema.
#[test]
fn dotnet_rows_are_a_ring() {
    let Some(mut s) = Schema::new() else { return };
    let ddl = std::fs::read_to_string(common_sql::store_dir("postgres").join("ddl.sql")).unwrap();
    s.sql(&ddl.replace(
        "CREATE TABLE \"DataProtectionKeys\"",
        "CREATE TABLE {s}.\"DataProtectionKeys\"",
    ));
    let table = format!("\"{}\".\"DataProtectionKeys\"", s.name);
    for (id, name, xml) in vector_rows("postgres", "pg-rows.json") {
        s.client
            .execute(
                &format!(
                    "INSERT INTO {table} (\"Id\", \"FriendlyName\", \"Xml\") VALUES ($1, $2, $3)"
                ),
                &[&id, &name, &xml],
            )
            .unwrap();
    }
    let repo = s.open().unwrap();
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
    assert_eq!(
        elements[3].name,
        "revocation-73ff248c-3c25-437d-b78d-553b274a144b"
    );
    check_vector_ring(Arc::new(repo), &json("postgres", "postgres-manifest.json"));
    assert_eq!(
        s.rows("DataProtectionKeys").len(),
        4,
        "reading writes nothing"
    );
}

#[test]
fn renamed_tables_are_detected_and_look_alikes_refused() {
    let Some(mut s) = Schema::new() else { return };
    // Hand-written DDL without quotes: folded to lower case.
    s.sql(
        "CREATE TABLE {s}.DataProtectionKeys (Id serial PRIMARY KEY, FriendlyName text, Xml text)",
    );
    let repo = s.open().unwrap();
    assert!(
        repo.describe().ends_with(".\"dataprotectionkeys\""),
        "{}",
        repo.describe()
    );
    assert!(repo.load_all().unwrap().is_empty());
    s.sql("DROP TABLE {s}.dataprotectionkeys");

    // EFCore.NamingConventions' snake case, tightened columns.
    s.sql(
        "CREATE TABLE {s}.data_protection_keys (id integer GENERATED ALWAYS AS IDENTITY \
         CONSTRAINT pk_data_protection_keys PRIMARY KEY, friendly_name varchar(200), xml text NOT NULL)",
    );
    let repo = s.open().unwrap();
    assert!(repo.describe().ends_with(".\"data_protection_keys\""));
    // ALWAYS identity: the insert must not name the id.
    repo.store("key-1", "<key/>").unwrap();
    assert_eq!(repo.load_all().unwrap()[0].name, "key-1");

    // A second candidate: ambiguous.
    s.sql("CREATE TABLE {s}.\"DataProtectionKeys\" (\"Id\" integer, \"FriendlyName\" text, \"Xml\" text)");
    let e = store_reason(s.open().unwrap_err());
    assert!(e.contains("several tables") && e.contains("table="), "{e}");
    // Named, either works.
    let named = SqlTable {
        table: Some("DataProtectionKeys".into()),
        ..s.spec()
    };
    assert!(PostgresRepository::open(&url(), &named).is_ok());
    s.sql("DROP TABLE {s}.\"DataProtectionKeys\"; DROP TABLE {s}.data_protection_keys");

    // Look-alikes of custom repositories.
    s.sql("CREATE TABLE {s}.\"DataProtectionKeys\" (\"Id\" text PRIMARY KEY, \"FriendlyName\" text, \"Xml\" text)");
    let e = store_reason(s.open().unwrap_err());
    assert!(
        e.contains("not EF Core's table") && e.contains("not an integer"),
        "{e}"
    );
    assert!(!e.contains("several"), "{e}");
    s.sql("DROP TABLE {s}.\"DataProtectionKeys\"");
    s.sql("CREATE TABLE {s}.\"DataProtectionKeys\" (\"Id\" integer, \"FriendlyName\" text, \"XmlData\" text)");
    let e = store_reason(s.open().unwrap_err());
    assert!(
        e.contains("no EF Core DataProtectionKeys table") && e.contains("dp keys init-store"),
        "{e}"
    );
    let e = store_reason(PostgresRepository::open(&url(), &named).unwrap_err());
    assert!(e.contains("no xml column"), "{e}");
    // Named columns are used verbatim.
    let custom = SqlTable {
        xml_col: Some("XmlData".into()),
        ..named
    };
    assert!(PostgresRepository::open(&url(), &custom).is_ok());
}

#[test]
fn keys_are_stored_in_one_line_and_init_is_idempotent() {
    let Some(mut s) = Schema::new() else { return };
    assert!(
        matches!(s.open(), Err(KeyringError::Store { .. })),
        "no table yet"
    );
    PostgresRepository::init(&url(), &s.spec()).unwrap();
    PostgresRepository::init(&url(), &s.spec()).unwrap();
    let repo: Arc<dyn XmlRepository> = Arc::new(s.open().unwrap());
    let payload = provider(Arc::clone(&repo))
        .create_protector("p")
        .protect(b"secret")
        .unwrap();
    let rows = s.rows("DataProtectionKeys");
    assert_eq!(rows.len(), 1);
    let (id, name, xml) = &rows[0];
    assert_eq!(*id, 1);
    assert!(name.as_deref().unwrap().starts_with("key-"));
    assert_form_l(xml.as_deref().unwrap());

    // Another process reads it back.
    let again: Arc<dyn XmlRepository> = Arc::new(s.open().unwrap());
    assert_eq!(
        provider(Arc::clone(&again))
            .create_protector("p")
            .unprotect(&payload)
            .unwrap(),
        b"secret"
    );

    // Replace (keys rewrap) stores form L too and touches exactly one row; delete removes it.
    let name = name.clone().unwrap();
    let file_form = format!(
        "\u{FEFF}<?xml version=\"1.0\" encoding=\"utf-8\"?>\n{}",
        xml.as_deref()
            .unwrap()
            .replace("<creationDate>", "\n  <creationDate>")
    );
    again.replace(&name, &file_form).unwrap();
    assert_eq!(s.rows("DataProtectionKeys")[0].2, *xml);
    assert!(matches!(
        again.replace("key-missing", xml.as_deref().unwrap()),
        Err(KeyringError::Store { .. })
    ));
    again.delete(&[name]).unwrap();
    assert!(s.rows("DataProtectionKeys").is_empty());
}

#[test]
fn concurrent_first_use_creates_one_key() {
    let Some(mut s) = Schema::new() else { return };
    PostgresRepository::init(&url(), &s.spec()).unwrap();
    let spec = s.spec();
    let payloads =
        protect_concurrently(|| Arc::new(PostgresRepository::open(&url(), &spec).unwrap()));
    assert_eq!(s.rows("DataProtectionKeys").len(), 1);
    check_concurrent_payloads(Arc::new(s.open().unwrap()), &payloads);
}

#[test]
fn errors_name_the_row_and_never_the_password() {
    let Some(mut s) = Schema::new() else { return };
    let e = PostgresRepository::open(
        "postgres://dp:Sup3rSecretPw@127.0.0.1:1/db",
        &SqlTable::default(),
    )
    .unwrap_err();
    let text = e.to_string();
    assert!(matches!(e, KeyringError::Store { .. }));
    assert!(!text.contains("Sup3rSecretPw"), "{text}");
    assert!(text.contains("postgres://dp:***@127.0.0.1:1/db"), "{text}");

    PostgresRepository::init(&url(), &s.spec()).unwrap();
    s.sql(
        "INSERT INTO {s}.\"DataProtectionKeys\" (\"FriendlyName\", \"Xml\") \
         VALUES ('empty', ''), ('null', NULL), (NULL, NULL)",
    );
    let repo = s.open().unwrap();
    assert!(
        repo.load_all().unwrap().is_empty(),
        "null and empty Xml are skipped"
    );
    s.sql(
        "INSERT INTO {s}.\"DataProtectionKeys\" (\"FriendlyName\", \"Xml\") VALUES ('bad', '<key id=')",
    );
    let e = provider(Arc::new(repo)).key_manager().load().unwrap_err();
    match &e {
        KeyringError::MalformedElement { source, .. } => {
            assert!(source.ends_with("row Id=4"), "{source}");
        }
        other => panic!("{other:?}"),
    }
    // Rows without a friendly name are named by id, and can be deleted by that name.
    s.sql("UPDATE {s}.\"DataProtectionKeys\" SET \"FriendlyName\" = NULL WHERE \"Id\" = 4");
    let repo = s.open().unwrap();
    assert_eq!(repo.load_all().unwrap()[0].name, "row-4");
    repo.delete(&["row-4".to_owned()]).unwrap();
    assert!(repo.load_all().unwrap().is_empty());
    assert_eq!(s.rows("DataProtectionKeys").len(), 3);
}

#[test]
fn the_creation_lock_excludes_other_connections() {
    let Some(s) = Schema::new() else {
        return;
    };
    PostgresRepository::init(&url(), &s.spec()).unwrap();
    let a = s.open().unwrap();
    let b = s.open().unwrap();
    check_lock_excludes(&a, &b);
}
