//! EF Core's `DataProtectionKeys` table on MySQL or MariaDB, as .NET's `PersistKeysToDbContext`
//! with Pomelo's or Oracle's provider leaves it.
//!
//! * One row per element: `FriendlyName` holds the friendly name unsanitized, `Xml` the element
//!   in one line (form L: no byte-order mark, no declaration, no indentation). Elements are
//!   inserted without an `Id` (`AUTO_INCREMENT` generates it). Rows whose `Xml` is null or
//!   empty are skipped, as .NET skips them; any other unreadable row fails the whole read,
//!   naming its `Id`.
//! * The table is found as [`super::sql`] describes, in the URL's database (or the one named
//!   as the schema): given names are used verbatim (in backticks), missing ones are detected
//!   from `information_schema.columns`. Servers with `lower_case_table_names` set store table
//!   names in lower case; a given name that matches only ignoring case is accepted there.
//! * Key creation is serialised with a named lock, `GET_LOCK('dp-keyring:<db>.<table>', 30)`,
//!   held by a dedicated connection. .NET instances ignore the lock: one racing us can still
//!   insert a second key, which is harmless (the ring picks one default). The lock belongs to
//!   the session, so it is released if this process dies.

use std::sync::{Mutex, PoisonError};

use mysql::consts::CapabilityFlags;
use mysql::prelude::Queryable;
use mysql::{Conn, Opts, OptsBuilder, Row, TxOpts, Value};
use sha1::{Digest, Sha1};

use crate::KeyringError;
use crate::repository::sql::{
    self, CONNECT_TIMEOUT, CatalogColumn, Dialect, LOCK_WAIT_SECONDS, ResolvedTable, SqlTable,
};
use crate::repository::{RepositoryLock, StoredElement, XmlRepository};
use crate::xml::{self, MAX_ELEMENT_BYTES, XmlLimit};

const D: Dialect = Dialect::MySql;

/// The longest name `GET_LOCK` accepts (MySQL 5.7 and later).
const MAX_LOCK_NAME: usize = 64;

/// A key ring in EF Core's table layout on MySQL or MariaDB.
pub struct MySqlRepository {
    opts: Opts,
    secrets: Vec<String>,
    table: ResolvedTable,
    store: String,
    conn: Mutex<Option<Conn>>,
}

impl core::fmt::Debug for MySqlRepository {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("MySqlRepository")
            .field("store", &self.store)
            .finish_non_exhaustive()
    }
}

struct Target {
    opts: Opts,
    secrets: Vec<String>,
    url: String,
    spec: SqlTable,
}

impl Target {
    fn parse(url: &str, table: &SqlTable) -> Result<Self, KeyringError> {
        let secrets = sql::url_secrets(url);
        let redacted = sql::redact_url(url);
        let (driver_url, spec) = sql::split_table_options(url, table);
        let opts = Opts::from_url(&driver_url).map_err(|e| {
            sql::store_error(
                &redacted,
                format!(
                    "not a MySQL URL (mysql://user[:password]@host[:port]/database): {}",
                    sql::scrub(&e.to_string(), &secrets)
                ),
            )
        })?;
        let timeout = opts.get_tcp_connect_timeout().unwrap_or(CONNECT_TIMEOUT);
        // Found rows, not changed rows: a replace that rewrites the same text still counts.
        let capabilities = opts.get_additional_capabilities() | CapabilityFlags::CLIENT_FOUND_ROWS;
        let opts = OptsBuilder::from_opts(opts)
            .tcp_connect_timeout(Some(timeout))
            .additional_capabilities(capabilities)
            .into();
        Ok(Self {
            opts,
            secrets,
            url: redacted,
            spec,
        })
    }

    fn connect(&self, store: &str) -> Result<Conn, KeyringError> {
        Conn::new(self.opts.clone()).map_err(|e| error(store, "cannot connect", &e, &self.secrets))
    }
}

fn error(store: &str, what: &str, e: &mysql::Error, secrets: &[String]) -> KeyringError {
    sql::store_error(
        store,
        format!("{what}: {}", sql::scrub(&sql::error_chain(e), secrets)),
    )
}

/// The database searched and its columns.
fn catalog(
    conn: &mut Conn,
    spec: &SqlTable,
) -> Result<(Option<String>, Vec<CatalogColumn>), mysql::Error> {
    let db: Option<Option<String>> =
        conn.exec_first("SELECT COALESCE(?, DATABASE())", (spec.schema.clone(),))?;
    let Some(db) = db.flatten() else {
        return Ok((None, Vec::new()));
    };
    let rows: Vec<(String, String, String, String)> = conn.exec(
        "SELECT c.TABLE_SCHEMA, c.TABLE_NAME, c.COLUMN_NAME, c.DATA_TYPE \
         FROM information_schema.COLUMNS c \
         JOIN information_schema.TABLES t \
           ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME \
          AND t.TABLE_TYPE = 'BASE TABLE' \
         WHERE c.TABLE_SCHEMA = ? AND (? IS NULL OR c.TABLE_NAME = ?) \
         ORDER BY c.TABLE_NAME, c.ORDINAL_POSITION",
        (&db, &spec.table, &spec.table),
    )?;
    let columns = rows
        .into_iter()
        .map(|(schema, table, column, data_type)| CatalogColumn {
            schema,
            table,
            column,
            data_type,
        })
        .collect();
    Ok((Some(db), columns))
}

impl MySqlRepository {
    /// Connects to `url` and finds the table: `table`'s names where given, else detected from the
    /// catalogue. The URL's query may carry the names too (`?table=…&id_col=…&name_col=…&
    /// xml_col=…`); names in `table` win.
    ///
    /// # Errors
    /// [`KeyringError::Store`] for a malformed URL, an unreachable server, no database in the
    /// URL, no table or a look-alike table.
    pub fn open(url: &str, table: &SqlTable) -> Result<Self, KeyringError> {
        let target = Target::parse(url, table)?;
        let mut conn = target.connect(&target.url)?;
        let (db, columns) = catalog(&mut conn, &target.spec).map_err(|e| {
            error(
                &target.url,
                "reading information_schema.COLUMNS",
                &e,
                &target.secrets,
            )
        })?;
        let Some(db) = db else {
            return Err(sql::store_error(
                &target.url,
                "the URL names no database (mysql://user@host/DATABASE)",
            ));
        };
        let mut spec = target.spec.clone();
        if let Some(t) = &spec.table {
            // lower_case_table_names: the server stores `DataProtectionKeys` in lower case.
            let exact = columns.iter().any(|c| c.table == *t);
            let folded: Vec<&String> = columns
                .iter()
                .map(|c| &c.table)
                .filter(|c| c.eq_ignore_ascii_case(t))
                .collect();
            if !exact
                && let Some(first) = folded.first()
                && folded.iter().all(|c| c == first)
            {
                spec.table = Some((*first).clone());
            }
        }
        let resolved = sql::resolve(D, &spec, &columns, &format!("database {}", D.quote(&db)))
            .map_err(|reason| sql::store_error(&target.url, reason))?;
        let store = format!("{} table {}", target.url, resolved.qualified(D));
        Ok(Self {
            opts: target.opts,
            secrets: target.secrets,
            table: resolved,
            store,
            conn: Mutex::new(Some(conn)),
        })
    }

    /// Creates the table with the DDL EF Core's migrations create for this provider (names from
    /// `table`, defaults `DataProtectionKeys`/`Id`/`FriendlyName`/`Xml`), if it does not exist:
    ///
    /// ```sql
    /// CREATE TABLE IF NOT EXISTS `DataProtectionKeys` (
    ///     `Id` int NOT NULL AUTO_INCREMENT,
    ///     `FriendlyName` longtext NULL,
    ///     `Xml` longtext NULL,
    ///     PRIMARY KEY (`Id`)
    /// ) CHARACTER SET utf8mb4;
    /// ```
    ///
    /// The table is then opened as [`MySqlRepository::open`] would, so a look-alike already
    /// there is reported.
    ///
    /// # Errors
    /// [`KeyringError::Store`].
    pub fn init(url: &str, table: &SqlTable) -> Result<(), KeyringError> {
        let target = Target::parse(url, table)?;
        let mut conn = target.connect(&target.url)?;
        let names = sql::names_for_init(&target.spec, "");
        let qualified = match &target.spec.schema {
            Some(_) => names.qualified(D),
            None => D.quote(&names.table),
        };
        let ddl = format!(
            "CREATE TABLE IF NOT EXISTS {qualified} (\n    {id} int NOT NULL AUTO_INCREMENT,\n    \
             {} longtext NULL,\n    {} longtext NULL,\n    PRIMARY KEY ({id})\n) CHARACTER SET \
             utf8mb4",
            D.quote(&names.name),
            D.quote(&names.xml),
            id = D.quote(&names.id),
        );
        conn.query_drop(&ddl).map_err(|e| {
            error(
                &format!("{} table {qualified}", target.url),
                "creating the table",
                &e,
                &target.secrets,
            )
        })?;
        let check = SqlTable {
            schema: target.spec.schema.clone(),
            table: Some(names.table),
            id_col: Some(names.id),
            name_col: Some(names.name),
            xml_col: Some(names.xml),
        };
        Self::open(url, &check).map(drop)
    }

    /// Runs `f` on the shared connection, connecting first if there is none; a failed call
    /// drops the connection, so the next one starts afresh.
    fn with_conn<T>(
        &self,
        f: impl FnOnce(&mut Conn) -> Result<T, KeyringError>,
    ) -> Result<T, KeyringError> {
        let mut slot = self.conn.lock().unwrap_or_else(PoisonError::into_inner);
        let mut conn = match slot.take() {
            Some(c) => c,
            None => Conn::new(self.opts.clone()).map_err(|e| self.error("cannot connect", &e))?,
        };
        let result = f(&mut conn);
        if result.is_ok() {
            *slot = Some(conn);
        }
        result
    }

    fn error(&self, what: &str, e: &mysql::Error) -> KeyringError {
        error(&self.store, what, e, &self.secrets)
    }

    fn q(&self) -> (String, String, String, String) {
        (
            self.table.qualified(D),
            D.quote(&self.table.id),
            D.quote(&self.table.name),
            D.quote(&self.table.xml),
        )
    }

    /// `dp-keyring:<db>.<table>`, or its SHA-1 when longer than `GET_LOCK` accepts.
    fn lock_name(&self) -> String {
        let name = format!("dp-keyring:{}.{}", self.table.schema, self.table.table);
        if name.len() <= MAX_LOCK_NAME {
            return name;
        }
        format!("dp-keyring:{}", hex::encode(Sha1::digest(name.as_bytes())))
    }
}

/// The named lock, held by its own connection.
struct MySqlLock {
    conn: Conn,
    name: String,
}

impl RepositoryLock for MySqlLock {}

impl Drop for MySqlLock {
    fn drop(&mut self) {
        // Closing the connection releases it too.
        let _ = self
            .conn
            .exec_drop("SELECT RELEASE_LOCK(?)", (self.name.as_str(),));
    }
}

fn column<T: mysql::prelude::FromValue>(row: &Row, i: usize) -> Result<T, String> {
    match row.get_opt::<T, usize>(i) {
        Some(Ok(v)) => Ok(v),
        Some(Err(_)) => Err(format!("column {i} has an unexpected type")),
        None => Err(format!("column {i} is missing")),
    }
}

impl XmlRepository for MySqlRepository {
    fn server_time(&self) -> Option<Result<crate::Timestamp, KeyringError>> {
        use mysql::prelude::Queryable as _;
        let seconds = self.with_conn(|conn| {
            conn.query_first::<i64, _>("SELECT UNIX_TIMESTAMP()")
                .map_err(|e| self.error("reading the server's clock", &e))?
                .ok_or_else(|| KeyringError::Store {
                    store: self.store.clone(),
                    reason: "the server returned no time".into(),
                })
        });
        Some(seconds.and_then(crate::Timestamp::from_unix_seconds))
    }

    fn load_all(&self) -> Result<Vec<StoredElement>, KeyringError> {
        let (t, id, name, xml) = self.q();
        let cap = u64::try_from(MAX_ELEMENT_BYTES).unwrap_or(u64::MAX);
        let query = format!(
            "SELECT CAST({id} AS SIGNED), {name}, \
             CASE WHEN OCTET_LENGTH({xml}) > ? THEN NULL ELSE {xml} END, \
             OCTET_LENGTH({xml}) \
             FROM {t} ORDER BY {id}"
        );
        self.with_conn(|conn| {
            let rows: Vec<Row> = conn
                .exec(&query, (cap,))
                .map_err(|e| self.error("reading the keys", &e))?;
            let mut elements = Vec::with_capacity(rows.len());
            for row in rows {
                let id: i64 = column(&row, 0).map_err(|why| {
                    sql::store_error(&self.store, format!("reading the keys: {why}"))
                })?;
                let source = format!("{} row Id={id}", self.store);
                let len: Option<u64> =
                    column(&row, 3).map_err(|why| KeyringError::malformed(&source, why))?;
                if len.is_some_and(|l| l > cap) {
                    return Err(KeyringError::XmlLimitExceeded {
                        source,
                        limit: XmlLimit::Size,
                    });
                }
                let friendly: Option<String> = column(&row, 1).map_err(|_| {
                    KeyringError::malformed(&source, "the friendly name is not UTF-8 text")
                })?;
                // Raw bytes first: text that is not UTF-8 fails the read naming the row.
                let text = match row.as_ref(2) {
                    Some(Value::Bytes(b)) => Some(
                        String::from_utf8(b.clone())
                            .map_err(|_| KeyringError::malformed(&source, "invalid UTF-8 text"))?,
                    ),
                    Some(Value::NULL) | None => None,
                    Some(_) => {
                        return Err(KeyringError::malformed(
                            &source,
                            "the Xml column is not text",
                        ));
                    }
                };
                match text {
                    Some(xml) if !xml.is_empty() => elements.push(StoredElement {
                        name: sql::element_name(id, friendly),
                        source,
                        xml,
                    }),
                    _ => {}
                }
            }
            Ok(elements)
        })
    }

    fn store(&self, name: &str, xml: &str) -> Result<(), KeyringError> {
        let (t, _, name_col, xml_col) = self.q();
        let line = xml::single_line(xml);
        let query = format!("INSERT INTO {t} ({name_col}, {xml_col}) VALUES (?, ?)");
        self.with_conn(|conn| {
            conn.exec_drop(&query, (name, line.as_str()))
                .map_err(|e| self.error(&format!("storing {name}"), &e))
        })
    }

    fn replace(&self, name: &str, xml: &str) -> Result<(), KeyringError> {
        let (t, id, name_col, xml_col) = self.q();
        let line = xml::single_line(xml);
        let row = sql::row_id(name);
        let query = format!(
            "UPDATE {t} SET {xml_col} = ? WHERE {name_col} = ? \
             OR (? IS NOT NULL AND {id} = ? AND ({name_col} IS NULL OR {name_col} = ''))"
        );
        let what = format!("replacing {name}");
        self.with_conn(|conn| {
            let mut tx = conn
                .start_transaction(TxOpts::default())
                .map_err(|e| self.error(&what, &e))?;
            tx.exec_drop(&query, (line.as_str(), name, row, row))
                .map_err(|e| self.error(&what, &e))?;
            let changed = tx.affected_rows();
            if changed != 1 {
                let _ = tx.rollback();
                return Err(sql::store_error(
                    &self.store,
                    format!("{what}: {changed} rows have that name, expected exactly one"),
                ));
            }
            tx.commit().map_err(|e| self.error(&what, &e))
        })
    }

    fn delete(&self, names: &[String]) -> Result<(), KeyringError> {
        if names.is_empty() {
            return Ok(());
        }
        let (t, id, name_col, _) = self.q();
        let ids: Vec<i64> = names.iter().filter_map(|n| sql::row_id(n)).collect();
        let marks = |n: usize| vec!["?"; n].join(", ");
        let mut query = format!(
            "DELETE FROM {t} WHERE {name_col} IN ({})",
            marks(names.len())
        );
        if !ids.is_empty() {
            query.push_str(&format!(
                " OR ({id} IN ({}) AND ({name_col} IS NULL OR {name_col} = ''))",
                marks(ids.len())
            ));
        }
        let params: Vec<Value> = names
            .iter()
            .map(|n| Value::from(n.as_str()))
            .chain(ids.iter().map(|i| Value::from(*i)))
            .collect();
        self.with_conn(|conn| {
            conn.exec_drop(&query, params)
                .map_err(|e| self.error("deleting elements", &e))
        })
    }

    fn lock(&self) -> Result<Box<dyn RepositoryLock>, KeyringError> {
        let mut conn =
            Conn::new(self.opts.clone()).map_err(|e| self.error("cannot connect", &e))?;
        let name = self.lock_name();
        let got: Option<Option<i64>> = conn
            .exec_first("SELECT GET_LOCK(?, ?)", (name.as_str(), LOCK_WAIT_SECONDS))
            .map_err(|e| self.error("taking the key-creation lock", &e))?;
        match got.flatten() {
            Some(1) => Ok(Box::new(MySqlLock { conn, name })),
            Some(0) => Err(sql::store_error(
                &self.store,
                format!(
                    "another writer held the key-creation lock (GET_LOCK('{name}')) for \
                     {LOCK_WAIT_SECONDS} s"
                ),
            )),
            _ => Err(sql::store_error(
                &self.store,
                format!("GET_LOCK('{name}') failed"),
            )),
        }
    }

    fn describe(&self) -> String {
        self.store.clone()
    }
}
