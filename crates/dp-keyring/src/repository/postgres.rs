//! EF Core's `DataProtectionKeys` table on PostgreSQL, as .NET's `PersistKeysToDbContext` with
//! Npgsql leaves it.
//!
//! * One row per element: `"FriendlyName"` holds the friendly name unsanitized, `"Xml"` the
//!   element in one line (form L: no byte-order mark, no declaration, no indentation).
//!   Elements are inserted without an `"Id"` (identity columns generate it; `GENERATED ALWAYS`
//!   ones refuse one). Rows whose `"Xml"` is null or empty are skipped, as .NET skips them;
//!   any other unreadable row fails the whole read, naming its `Id`.
//! * The table is found as [`super::sql`] describes: given names are used verbatim (quoted,
//!   so case-sensitive), missing ones are detected from `information_schema.columns`.
//! * Key creation is serialised with a session-level advisory lock
//!   (`pg_advisory_lock`) on a dedicated connection, keyed by the first 8 bytes of the SHA-1 of
//!   the quoted table name. .NET instances ignore the lock: one racing us can still insert a
//!   second key, which is harmless (the ring picks one default). The lock belongs to the
//!   session, so it is released if this process dies.

use std::sync::{Mutex, PoisonError};

use postgres::{Client, Config, NoTls};
use sha1::{Digest, Sha1};

use crate::KeyringError;
use crate::repository::sql::{
    self, CONNECT_TIMEOUT, CatalogColumn, Dialect, LOCK_WAIT_SECONDS, ResolvedTable, SqlTable,
};
use crate::repository::{RepositoryLock, StoredElement, XmlRepository};
use crate::xml::{self, MAX_ELEMENT_BYTES, XmlLimit};

const D: Dialect = Dialect::Postgres;

/// A key ring in EF Core's table layout on PostgreSQL.
pub struct PostgresRepository {
    config: Config,
    secrets: Vec<String>,
    table: ResolvedTable,
    store: String,
    client: Mutex<Option<Client>>,
}

impl core::fmt::Debug for PostgresRepository {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PostgresRepository")
            .field("store", &self.store)
            .finish_non_exhaustive()
    }
}

/// A connection target: the driver's configuration and what to say about it.
struct Target {
    config: Config,
    secrets: Vec<String>,
    url: String,
    spec: SqlTable,
}

impl Target {
    fn parse(url: &str, table: &SqlTable) -> Result<Self, KeyringError> {
        let secrets = sql::url_secrets(url);
        let redacted = sql::redact_url(url);
        let (driver_url, spec) = sql::split_table_options(url, table);
        let mut config: Config = driver_url.parse().map_err(|e: postgres::Error| {
            sql::store_error(
                &redacted,
                format!(
                    "not a PostgreSQL URL (postgres://user[:password]@host[:port]/database): {}",
                    sql::scrub(&sql::error_chain(&e), &secrets)
                ),
            )
        })?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        if config.get_application_name().is_none() {
            config.application_name("dp");
        }
        Ok(Self {
            config,
            secrets,
            url: redacted,
            spec,
        })
    }

    fn connect(&self, store: &str) -> Result<Client, KeyringError> {
        self.config
            .connect(NoTls)
            .map_err(|e| error(store, "cannot connect", &e, &self.secrets))
    }
}

fn error(store: &str, what: &str, e: &postgres::Error, secrets: &[String]) -> KeyringError {
    sql::store_error(
        store,
        format!("{what}: {}", sql::scrub(&sql::error_chain(e), secrets)),
    )
}

fn catalog(client: &mut Client, spec: &SqlTable) -> Result<Vec<CatalogColumn>, postgres::Error> {
    let rows = client.query(
        "SELECT c.table_schema::text, c.table_name::text, c.column_name::text, c.data_type::text \
         FROM information_schema.columns c \
         JOIN information_schema.tables t \
           ON t.table_catalog = c.table_catalog AND t.table_schema = c.table_schema \
          AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE' \
         WHERE c.table_catalog = current_database() \
           AND c.table_schema NOT IN ('pg_catalog', 'information_schema') \
           AND ($1::text IS NULL OR c.table_schema = $1::text) \
           AND ($2::text IS NULL OR c.table_name = $2::text) \
         ORDER BY 1, 2, c.ordinal_position",
        &[&spec.schema, &spec.table],
    )?;
    rows.iter()
        .map(|r| {
            Ok(CatalogColumn {
                schema: r.try_get(0)?,
                table: r.try_get(1)?,
                column: r.try_get(2)?,
                data_type: r.try_get(3)?,
            })
        })
        .collect()
}

impl PostgresRepository {
    /// Connects to `url` and finds the table: `table`'s names where given, else detected from the
    /// catalogue. The URL's query may carry the names too (`?schema=…&table=…&id_col=…&
    /// name_col=…&xml_col=…`); names in `table` win.
    ///
    /// # Errors
    /// [`KeyringError::Store`] for a malformed URL, an unreachable server, no table or a
    /// look-alike table.
    pub fn open(url: &str, table: &SqlTable) -> Result<Self, KeyringError> {
        let target = Target::parse(url, table)?;
        let mut client = target.connect(&target.url)?;
        let columns = catalog(&mut client, &target.spec).map_err(|e| {
            error(
                &target.url,
                "reading information_schema.columns",
                &e,
                &target.secrets,
            )
        })?;
        let searched = match &target.spec.schema {
            Some(s) => format!("schema {}", D.quote(s)),
            None => "any schema of the database".to_owned(),
        };
        let resolved = sql::resolve(D, &target.spec, &columns, &searched)
            .map_err(|reason| sql::store_error(&target.url, reason))?;
        let store = format!("{} table {}", target.url, resolved.qualified(D));
        Ok(Self {
            config: target.config,
            secrets: target.secrets,
            table: resolved,
            store,
            client: Mutex::new(Some(client)),
        })
    }

    /// Creates the table with the DDL EF Core's migrations create for this provider (names from
    /// `table`, defaults `DataProtectionKeys`/`Id`/`FriendlyName`/`Xml`), if it does not exist:
    ///
    /// ```sql
    /// CREATE TABLE IF NOT EXISTS "DataProtectionKeys" (
    ///     "Id" integer GENERATED BY DEFAULT AS IDENTITY,
    ///     "FriendlyName" text,
    ///     "Xml" text,
    ///     CONSTRAINT "PK_DataProtectionKeys" PRIMARY KEY ("Id"));
    /// ```
    ///
    /// A schema that is named is created if needed; without one the table goes where the
    /// server's `search_path` puts it, as EF Core's unqualified migration does. The table is
    /// then opened as [`PostgresRepository::open`] would, so a look-alike already there is
    /// reported.
    ///
    /// # Errors
    /// [`KeyringError::Store`].
    pub fn init(url: &str, table: &SqlTable) -> Result<(), KeyringError> {
        let target = Target::parse(url, table)?;
        let mut client = target.connect(&target.url)?;
        let names = sql::names_for_init(&target.spec, "public");
        let qualified = match &target.spec.schema {
            Some(_) => names.qualified(D),
            None => D.quote(&names.table),
        };
        let mut ddl = String::new();
        if let Some(schema) = &target.spec.schema {
            ddl.push_str(&format!(
                "CREATE SCHEMA IF NOT EXISTS {};\n",
                D.quote(schema)
            ));
        }
        ddl.push_str(&format!(
            "CREATE TABLE IF NOT EXISTS {qualified} (\n    {} integer GENERATED BY DEFAULT AS \
             IDENTITY,\n    {} text,\n    {} text,\n    CONSTRAINT {} PRIMARY KEY ({})\n);",
            D.quote(&names.id),
            D.quote(&names.name),
            D.quote(&names.xml),
            D.quote(&format!("PK_{}", names.table)),
            D.quote(&names.id),
        ));
        client.batch_execute(&ddl).map_err(|e| {
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
    fn with_client<T>(
        &self,
        f: impl FnOnce(&mut Client) -> Result<T, KeyringError>,
    ) -> Result<T, KeyringError> {
        let mut slot = self.client.lock().unwrap_or_else(PoisonError::into_inner);
        let mut client = match slot.take() {
            Some(c) if !c.is_closed() => c,
            _ => self
                .config
                .connect(NoTls)
                .map_err(|e| self.error("cannot connect", &e))?,
        };
        let result = f(&mut client);
        if result.is_ok() || !client.is_closed() {
            *slot = Some(client);
        }
        result
    }

    fn error(&self, what: &str, e: &postgres::Error) -> KeyringError {
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

    /// The advisory-lock key: the first 8 bytes of SHA-1 of the quoted table name.
    fn lock_key(&self) -> i64 {
        let digest = Sha1::digest(self.table.qualified(D).as_bytes());
        let mut key = [0u8; 8];
        for (k, d) in key.iter_mut().zip(digest.iter()) {
            *k = *d;
        }
        i64::from_be_bytes(key)
    }
}

/// The advisory lock, held by its own connection.
struct PostgresLock {
    client: Client,
    key: i64,
}

impl RepositoryLock for PostgresLock {}

impl Drop for PostgresLock {
    fn drop(&mut self) {
        // Closing the connection releases it too; unlocking first frees it without waiting
        // for the server to notice.
        let _ = self
            .client
            .execute("SELECT pg_advisory_unlock($1)", &[&self.key]);
    }
}

impl XmlRepository for PostgresRepository {
    fn server_time(&self) -> Option<Result<crate::Timestamp, KeyringError>> {
        let seconds = self.with_client(|client| {
            client
                .query_one("SELECT floor(extract(epoch from now()))::bigint", &[])
                .map(|row| row.get::<_, i64>(0))
                .map_err(|e| self.error("reading the server's clock", &e))
        });
        Some(seconds.and_then(crate::Timestamp::from_unix_seconds))
    }

    fn load_all(&self) -> Result<Vec<StoredElement>, KeyringError> {
        let (t, id, name, xml) = self.q();
        let cap = i64::try_from(MAX_ELEMENT_BYTES).unwrap_or(i64::MAX);
        let query = format!(
            "SELECT {id}::bigint, {name}::text, \
             CASE WHEN octet_length({xml}) > $1::bigint THEN NULL ELSE {xml}::text END, \
             octet_length({xml})::bigint \
             FROM {t} ORDER BY {id}"
        );
        self.with_client(|client| {
            let rows = client
                .query(&query, &[&cap])
                .map_err(|e| self.error("reading the keys", &e))?;
            let mut elements = Vec::with_capacity(rows.len());
            for row in rows {
                let id: i64 = row
                    .try_get(0)
                    .map_err(|e| self.error("reading the keys", &e))?;
                let source = format!("{} row Id={id}", self.store);
                let len: Option<i64> = row.try_get(3).map_err(|e| self.error(&source, &e))?;
                if len.is_some_and(|l| l > cap) {
                    return Err(KeyringError::XmlLimitExceeded {
                        source,
                        limit: XmlLimit::Size,
                    });
                }
                let friendly: Option<String> =
                    row.try_get(1).map_err(|e| self.error(&source, &e))?;
                let text: Option<String> = row.try_get(2).map_err(|e| self.error(&source, &e))?;
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
        let query = format!("INSERT INTO {t} ({name_col}, {xml_col}) VALUES ($1, $2)");
        self.with_client(|client| {
            client
                .execute(&query, &[&name, &line.as_str()])
                .map_err(|e| self.error(&format!("storing {name}"), &e))?;
            Ok(())
        })
    }

    fn replace(&self, name: &str, xml: &str) -> Result<(), KeyringError> {
        let (t, id, name_col, xml_col) = self.q();
        let line = xml::single_line(xml);
        let row = sql::row_id(name);
        let query = format!(
            "UPDATE {t} SET {xml_col} = $1 WHERE {name_col} = $2 \
             OR ($3::bigint IS NOT NULL AND {id} = $3::bigint \
                 AND ({name_col} IS NULL OR {name_col} = ''))"
        );
        let what = format!("replacing {name}");
        self.with_client(|client| {
            let mut tx = client.transaction().map_err(|e| self.error(&what, &e))?;
            let changed = tx
                .execute(&query, &[&line.as_str(), &name, &row])
                .map_err(|e| self.error(&what, &e))?;
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
        let query = format!(
            "DELETE FROM {t} WHERE {name_col} = ANY($1::text[]) \
             OR ({id} = ANY($2::bigint[]) AND ({name_col} IS NULL OR {name_col} = ''))"
        );
        self.with_client(|client| {
            client
                .execute(&query, &[&names, &ids])
                .map_err(|e| self.error("deleting elements", &e))?;
            Ok(())
        })
    }

    fn lock(&self) -> Result<Box<dyn RepositoryLock>, KeyringError> {
        let mut client = self
            .config
            .connect(NoTls)
            .map_err(|e| self.error("cannot connect", &e))?;
        let key = self.lock_key();
        client
            .batch_execute(&format!("SET lock_timeout = '{LOCK_WAIT_SECONDS}s'"))
            .map_err(|e| self.error("taking the key-creation lock", &e))?;
        match client.execute("SELECT pg_advisory_lock($1)", &[&key]) {
            Ok(_) => Ok(Box::new(PostgresLock { client, key })),
            Err(e) if e.code() == Some(&postgres::error::SqlState::LOCK_NOT_AVAILABLE) => {
                Err(sql::store_error(
                    &self.store,
                    format!(
                        "another writer held the key-creation lock (pg_advisory_lock({key})) \
                         for {LOCK_WAIT_SECONDS} s"
                    ),
                ))
            }
            Err(e) => Err(self.error("taking the key-creation lock", &e)),
        }
    }

    fn describe(&self) -> String {
        self.store.clone()
    }
}
