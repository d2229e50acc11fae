//! The checks of the `sql_rows` fuzz target: rows of EF Core's `DataProtectionKeys` table, as
//! PostgreSQL and MySQL hold them, read by `PostgresRepository` and `MySqlRepository` from the
//! real servers the store tests use, then by a key manager over each. Shared by the target and the
//! test that replays its corpus (crates/dp-keyring/tests/fuzz_corpus.rs), which include this file
//! with `#[path]`.
//!
//! ```text
//! input    : UTF-8 text (the servers store nothing else in a text column); other input is skipped
//! rows     : the text split at NUL bytes (which a text column cannot hold), at most MAX_ROWS;
//!            "NAME\x01XML" gives the row a FriendlyName, otherwise it is NULL
//! servers  : DP_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test),
//!            DP_TEST_MYSQL_URL (default mysql://root@127.0.0.1:3306/test)
//! table    : a table of the caller's name, made by the repositories' own `init` (EF Core's DDL);
//!            each input replaces its rows in one transaction
//! checks   : the repository returns exactly the rows with non-empty Xml, in Id order, with their
//!            text unchanged and named by FriendlyName (or row-{Id}); no panic anywhere
//! ```

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use dp_keyring::repository::{MySqlRepository, PostgresRepository, SqlTable, StoredElement};
use dp_keyring::{KeyManager, KeyringError, OsRandom, SystemClock, XmlRepository};
use mysql::prelude::Queryable as _;

/// The variables naming the servers, as in the store tests.
const POSTGRES_VAR: &str = "DP_TEST_POSTGRES_URL";
const MYSQL_VAR: &str = "DP_TEST_MYSQL_URL";
/// Tables of fuzzing processes, `dp_fuzz_{pid}`: a process that ends never drops its table, so
/// the next one drops those whose process is gone.
pub(crate) const FUZZ_TABLE_PREFIX: &str = "dp_fuzz_";
const POSTGRES_DEFAULT: &str = "postgres://postgres@127.0.0.1:5432/test";
const MYSQL_DEFAULT: &str = "mysql://root@127.0.0.1:3306/test";
/// Rows written per input: more only slows the servers down.
const MAX_ROWS: usize = 256;

/// How many elements a repository read, or why it refused them; `None` when the input was not
/// text or the server did not take the rows.
type Read = Option<Result<usize, KeyringError>>;

/// One row: FriendlyName and Xml.
type Row<'a> = (Option<&'a str>, &'a str);

fn url(var: &str, default: &str) -> String {
    std::env::var(var)
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| default.to_owned())
}

fn manager(repository: Arc<dyn XmlRepository>) -> KeyManager {
    KeyManager::new(repository, Arc::new(SystemClock), Arc::new(OsRandom))
}

/// The table on both servers, and a connection of our own to each to write its rows.
pub(crate) struct SqlRows {
    table: String,
    postgres: Mutex<postgres::Client>,
    postgres_repository: Arc<PostgresRepository>,
    postgres_manager: KeyManager,
    mysql: Mutex<mysql::Conn>,
    mysql_repository: Arc<MySqlRepository>,
    mysql_manager: KeyManager,
}

impl SqlRows {
    /// Creates `table` (letters, digits, `_`) on both servers, after dropping the tables of
    /// fuzzing processes that are gone ([`FUZZ_TABLE_PREFIX`]).
    ///
    /// # Errors
    /// Why a server cannot be used.
    pub(crate) fn new(table: &str) -> Result<Self, String> {
        let spec = SqlTable {
            table: Some(table.to_owned()),
            ..SqlTable::default()
        };

        let pg_url = url(POSTGRES_VAR, POSTGRES_DEFAULT);
        let mut config: postgres::Config =
            pg_url.parse().map_err(|e| format!("{POSTGRES_VAR}: {e}"))?;
        config.connect_timeout(Duration::from_secs(5));
        let mut postgres = config
            .connect(postgres::NoTls)
            .map_err(|e| format!("no PostgreSQL server at {pg_url} ({e}); set {POSTGRES_VAR}"))?;
        // Each input is a transaction; waiting for the WAL flush would be most of its cost.
        postgres
            .batch_execute("SET synchronous_commit = off")
            .map_err(|e| format!("{pg_url}: {e}"))?;
        let stale: Vec<String> = postgres
            .query(
                "SELECT tablename::text FROM pg_tables WHERE tablename LIKE $1",
                &[&format!("{FUZZ_TABLE_PREFIX}%")],
            )
            .map_err(|e| format!("{pg_url}: {e}"))?
            .iter()
            .map(|r| r.get(0))
            .collect();
        for name in stale.iter().filter(|n| is_stale(n)) {
            let _ = postgres.batch_execute(&format!("DROP TABLE IF EXISTS \"{name}\""));
        }
        PostgresRepository::init(&pg_url, &spec).map_err(|e| e.to_string())?;
        let postgres_repository =
            Arc::new(PostgresRepository::open(&pg_url, &spec).map_err(|e| e.to_string())?);

        let my_url = url(MYSQL_VAR, MYSQL_DEFAULT);
        let opts = mysql::Opts::from_url(&my_url).map_err(|e| format!("{MYSQL_VAR}: {e}"))?;
        let opts =
            mysql::OptsBuilder::from_opts(opts).tcp_connect_timeout(Some(Duration::from_secs(5)));
        let mut mysql = mysql::Conn::new(opts)
            .map_err(|e| format!("no MySQL server at {my_url} ({e}); set {MYSQL_VAR}"))?;
        let stale: Vec<String> = mysql
            .exec(
                "SELECT table_name FROM information_schema.tables \
                 WHERE table_schema = DATABASE() AND table_name LIKE ?",
                (format!("{FUZZ_TABLE_PREFIX}%"),),
            )
            .map_err(|e| format!("{my_url}: {e}"))?;
        for name in stale.iter().filter(|n| is_stale(n)) {
            let _ = mysql.query_drop(format!("DROP TABLE IF EXISTS `{name}`"));
        }
        MySqlRepository::init(&my_url, &spec).map_err(|e| e.to_string())?;
        let mysql_repository =
            Arc::new(MySqlRepository::open(&my_url, &spec).map_err(|e| e.to_string())?);

        Ok(Self {
            table: table.to_owned(),
            postgres: Mutex::new(postgres),
            postgres_manager: manager(postgres_repository.clone()),
            postgres_repository,
            mysql: Mutex::new(mysql),
            mysql_manager: manager(mysql_repository.clone()),
            mysql_repository,
        })
    }

    /// Writes `data` as rows on both servers and reads them back; panics only on a broken
    /// invariant. Returns what the PostgreSQL and the MySQL repository read.
    pub(crate) fn check(&self, data: &[u8]) -> (Read, Read) {
        let Ok(text) = core::str::from_utf8(data) else {
            return (None, None);
        };
        let rows: Vec<Row<'_>> = text
            .split('\0')
            .take(MAX_ROWS)
            .map(|row| match row.split_once('\u{1}') {
                Some((name, xml)) => (Some(name), xml),
                None => (None, row),
            })
            .collect();
        let postgres = match self.write_postgres(&rows) {
            Ok(()) => Some(read(
                self.postgres_repository.load_all(),
                &self.postgres_manager,
                &rows,
            )),
            Err(e) => {
                eprintln!("sql_rows: writing the PostgreSQL rows failed: {e}");
                None
            }
        };
        let mysql = match self.write_mysql(&rows) {
            Ok(()) => Some(read(
                self.mysql_repository.load_all(),
                &self.mysql_manager,
                &rows,
            )),
            Err(e) => {
                eprintln!("sql_rows: writing the MySQL rows failed: {e}");
                None
            }
        };
        (postgres, mysql)
    }

    fn write_postgres(&self, rows: &[Row<'_>]) -> Result<(), postgres::Error> {
        let names: Vec<Option<&str>> = rows.iter().map(|(n, _)| *n).collect();
        let xml: Vec<&str> = rows.iter().map(|(_, x)| *x).collect();
        let mut client = self.postgres.lock().unwrap_or_else(PoisonError::into_inner);
        let mut tx = client.transaction()?;
        tx.execute(&format!("DELETE FROM \"{}\"", self.table), &[])?;
        tx.execute(
            &format!(
                "INSERT INTO \"{}\" (\"FriendlyName\", \"Xml\") \
                 SELECT * FROM unnest($1::text[], $2::text[])",
                self.table
            ),
            &[&names, &xml],
        )?;
        tx.commit()
    }

    fn write_mysql(&self, rows: &[Row<'_>]) -> Result<(), mysql::Error> {
        let mut conn = self.mysql.lock().unwrap_or_else(PoisonError::into_inner);
        let mut tx = conn.start_transaction(mysql::TxOpts::default())?;
        tx.query_drop(format!("DELETE FROM `{}`", self.table))?;
        let placeholders = vec!["(?, ?)"; rows.len()].join(", ");
        let params: Vec<mysql::Value> = rows
            .iter()
            .flat_map(|(name, xml)| {
                [
                    name.map_or(mysql::Value::NULL, mysql::Value::from),
                    mysql::Value::from(*xml),
                ]
            })
            .collect();
        tx.exec_drop(
            format!(
                "INSERT INTO `{}` (`FriendlyName`, `Xml`) VALUES {placeholders}",
                self.table
            ),
            params,
        )?;
        tx.commit()
    }
}

impl Drop for SqlRows {
    fn drop(&mut self) {
        let _ = self
            .postgres
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .batch_execute(&format!("DROP TABLE IF EXISTS \"{}\"", self.table));
        let _ = self
            .mysql
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .query_drop(format!("DROP TABLE IF EXISTS `{}`", self.table));
    }
}

/// A fuzzing table whose process is gone (`dp_fuzz_{pid}` without `/proc/{pid}`).
fn is_stale(table: &str) -> bool {
    table
        .strip_prefix(FUZZ_TABLE_PREFIX)
        .and_then(|pid| pid.parse::<u32>().ok())
        .is_some_and(|pid| !std::path::Path::new(&format!("/proc/{pid}")).exists())
}

/// Checks what a repository read against the rows written, then loads the ring over it.
fn read(
    elements: Result<Vec<StoredElement>, KeyringError>,
    manager: &KeyManager,
    rows: &[Row<'_>],
) -> Result<usize, KeyringError> {
    if let Ok(elements) = &elements {
        // Rows without text are no elements; the others come back in Id order, unchanged.
        let kept: Vec<&Row<'_>> = rows.iter().filter(|(_, xml)| !xml.is_empty()).collect();
        assert_eq!(elements.len(), kept.len(), "a row was lost or added");
        for (element, (name, xml)) in elements.iter().zip(kept) {
            assert!(element.xml == *xml, "a row's text changed on reading");
            match name {
                Some(name) if !name.is_empty() => {
                    assert!(element.name == *name, "the friendly name changed");
                }
                _ => assert!(element.name.starts_with("row-"), "a nameless row's name"),
            }
        }
    }
    let _ = manager.load();
    elements.map(|e| e.len())
}
