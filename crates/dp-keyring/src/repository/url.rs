//! Key stores named by one string, as `dp --key-store URL` and services' configuration give them.
//!
//! ```text
//! /var/keys, file:/var/keys                     a key directory (one file per element)
//! xml:/var/keys/ring.xml                        one <repository> document (the Azure Blob layout)
//! redis://[user:pass@]host[:port][/db][?key=K]  a Redis list (default key DataProtection-Keys);
//! rediss://…                                    with TLS
//! postgres://user@host[:port]/db[?schema=S&table=T&id_col=C&name_col=C&xml_col=C]
//! mysql://user@host[:port]/db[?table=T&id_col=C&name_col=C&xml_col=C]
//!                                               EF Core's DataProtectionKeys table
//! ```
//!
//! A value containing `://` or starting with `file:` or `xml:` is a URL; anything else is a path.
//! Every message shows the store [`redacted`](StoreUrl::redacted): never a password.

use std::path::PathBuf;
use std::sync::Arc;

use crate::KeyringError;
use crate::repository::{FileSystemRepository, XmlDocumentRepository, XmlRepository};

/// A parsed store location.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StoreUrl {
    /// A key directory.
    Directory(PathBuf),
    /// One `<repository>` document.
    Document(PathBuf),
    /// A Redis list.
    Redis {
        /// The connection URL without dp's own parameters.
        url: String,
        /// The list key.
        key: String,
    },
    /// EF Core's table on PostgreSQL.
    Postgres {
        /// The connection URL without dp's own parameters.
        url: String,
        /// Table and column names (unset ones are detected).
        table: SqlTableNames,
    },
    /// EF Core's table on MySQL or MariaDB.
    MySql {
        /// The connection URL without dp's own parameters.
        url: String,
        /// Table and column names (unset ones are detected).
        table: SqlTableNames,
    },
}

/// Table and column names given in a SQL store URL (`schema`, `table`, `id_col`, `name_col`,
/// `xml_col`); the repositories detect the unset ones.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SqlTableNames {
    /// `schema=` (PostgreSQL).
    pub schema: Option<String>,
    /// `table=`.
    pub table: Option<String>,
    /// `id_col=`.
    pub id_col: Option<String>,
    /// `name_col=`.
    pub name_col: Option<String>,
    /// `xml_col=`.
    pub xml_col: Option<String>,
}

impl core::fmt::Debug for StoreUrl {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl StoreUrl {
    /// Parses a store location.
    ///
    /// # Errors
    /// [`KeyringError::Store`] for an unknown scheme or parameter, or an empty value.
    pub fn parse(text: &str) -> Result<Self, KeyringError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(store_error(text, "the key store is empty"));
        }
        if let Some(path) = text.strip_prefix("file:").filter(|_| !text.contains("://")) {
            return Ok(Self::Directory(PathBuf::from(path)));
        }
        if let Some(path) = text.strip_prefix("xml:").filter(|_| !text.contains("://")) {
            if path.is_empty() {
                return Err(store_error(text, "xml: needs the document's path"));
            }
            return Ok(Self::Document(PathBuf::from(path)));
        }
        let Some((scheme, _)) = text.split_once("://") else {
            return Ok(Self::Directory(PathBuf::from(text)));
        };
        if scheme == "file" {
            return Ok(Self::Directory(PathBuf::from(
                text.get("file://".len()..).unwrap_or(""),
            )));
        }
        let (base, query) = match text.split_once('?') {
            Some((base, query)) => (base, query),
            None => (text, ""),
        };
        let mut params: Vec<(String, String)> = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            params.push((k.to_owned(), percent_decode(v)));
        }
        let mut take = |name: &str| {
            params
                .iter()
                .position(|(k, _)| k == name)
                .map(|i| params.remove(i).1)
        };
        let store = match scheme {
            "redis" | "rediss" => {
                let key =
                    take("key").unwrap_or_else(|| crate::repository::REDIS_DEFAULT_KEY.to_owned());
                if key.is_empty() {
                    return Err(store_error(text, "key= is empty"));
                }
                Self::Redis {
                    url: rebuild(base, &params),
                    key,
                }
            }
            "postgres" | "postgresql" | "mysql" | "mariadb" => {
                let table = SqlTableNames {
                    schema: take("schema"),
                    table: take("table"),
                    id_col: take("id_col"),
                    name_col: take("name_col"),
                    xml_col: take("xml_col"),
                };
                if scheme.starts_with("postgres") {
                    Self::Postgres {
                        url: rebuild(base, &params),
                        table,
                    }
                } else {
                    if table.schema.is_some() {
                        return Err(store_error(
                            text,
                            "schema= applies to PostgreSQL; for MySQL the database is the schema",
                        ));
                    }
                    let base = base.replacen("mariadb://", "mysql://", 1);
                    Self::MySql {
                        url: rebuild(&base, &params),
                        table,
                    }
                }
            }
            other => {
                return Err(store_error(
                    text,
                    format!(
                        "unknown store scheme {other}:// (known: redis, rediss, postgres, mysql, file:, xml:)"
                    ),
                ));
            }
        };
        Ok(store)
    }

    /// The location for messages, with any password replaced by `***`.
    pub fn redacted(&self) -> String {
        match self {
            Self::Directory(path) => path.display().to_string(),
            Self::Document(path) => format!("xml:{}", path.display()),
            Self::Redis { url, key } => format!("{} (key {key})", redact(url)),
            Self::Postgres { url, .. } | Self::MySql { url, .. } => redact(url),
        }
    }

    /// Whether this is a key directory.
    pub fn as_directory(&self) -> Option<&std::path::Path> {
        match self {
            Self::Directory(path) => Some(path),
            _ => None,
        }
    }

    /// Opens the store (connecting to a server).
    ///
    /// # Errors
    /// [`KeyringError::Store`]: unreachable server, refused credentials, no such table, or a
    /// store kind this build was compiled without.
    pub fn open(&self) -> Result<Arc<dyn XmlRepository>, KeyringError> {
        self.open_unredacted().map_err(|e| match e {
            // Whatever a client library put in its message, the URL shown has no password.
            KeyringError::Store { store, reason } => KeyringError::Store {
                store: redact(&store),
                reason,
            },
            other => other,
        })
    }

    fn open_unredacted(&self) -> Result<Arc<dyn XmlRepository>, KeyringError> {
        match self {
            Self::Directory(path) => Ok(Arc::new(FileSystemRepository::new(path.clone()))),
            Self::Document(path) => Ok(Arc::new(XmlDocumentRepository::new(path.clone()))),
            #[cfg(feature = "redis")]
            Self::Redis { url, key } => Ok(Arc::new(crate::repository::RedisRepository::open(
                url, key,
            )?)),
            #[cfg(feature = "postgres")]
            Self::Postgres { url, table } => Ok(Arc::new(
                crate::repository::PostgresRepository::open(url, &table.to_sql_table())?,
            )),
            #[cfg(feature = "mysql")]
            Self::MySql { url, table } => Ok(Arc::new(crate::repository::MySqlRepository::open(
                url,
                &table.to_sql_table(),
            )?)),
            #[allow(unreachable_patterns, reason = "reachable when a store feature is off")]
            other => Err(not_built(other)),
        }
    }

    /// Creates the store's table with EF Core's DDL (SQL stores), if it does not exist.
    ///
    /// # Errors
    /// [`KeyringError::Store`]; [`KeyringError::InvalidArgument`] for stores without a table.
    pub fn init(&self) -> Result<(), KeyringError> {
        match self {
            #[cfg(feature = "postgres")]
            Self::Postgres { url, table } => {
                crate::repository::PostgresRepository::init(url, &table.to_sql_table())
            }
            #[cfg(feature = "mysql")]
            Self::MySql { url, table } => {
                crate::repository::MySqlRepository::init(url, &table.to_sql_table())
            }
            Self::Directory(_) | Self::Document(_) | Self::Redis { .. } => {
                Err(KeyringError::InvalidArgument(format!(
                    "{} needs no initialisation: it is created with its first key",
                    self.redacted()
                )))
            }
            #[allow(unreachable_patterns, reason = "reachable when a store feature is off")]
            other => Err(not_built(other)),
        }
    }
}

impl SqlTableNames {
    #[cfg(any(feature = "postgres", feature = "mysql"))]
    fn to_sql_table(&self) -> crate::repository::SqlTable {
        crate::repository::SqlTable {
            schema: self.schema.clone(),
            table: self.table.clone(),
            id_col: self.id_col.clone(),
            name_col: self.name_col.clone(),
            xml_col: self.xml_col.clone(),
        }
    }
}

fn not_built(store: &StoreUrl) -> KeyringError {
    let feature = match store {
        StoreUrl::Redis { .. } => "redis",
        StoreUrl::Postgres { .. } => "postgres",
        _ => "mysql",
    };
    KeyringError::Store {
        store: store.redacted(),
        reason: format!("this build of dp-keyring has no `{feature}` feature"),
    }
}

fn store_error(text: &str, reason: impl Into<String>) -> KeyringError {
    KeyringError::Store {
        store: redact(text),
        reason: reason.into(),
    }
}

/// `scheme://user:password@host…` → `scheme://user:***@host…`.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split_once(':').map_or(userinfo, |(user, _)| user);
            let masked = if userinfo.contains(':') {
                format!("{user}:***")
            } else {
                user.to_owned()
            };
            format!("{scheme}://{masked}@{host}{tail}")
        }
        None => url.to_owned(),
    }
}

fn rebuild(base: &str, params: &[(String, String)]) -> String {
    if params.is_empty() {
        return base.to_owned();
    }
    let query: Vec<String> = params.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("{base}?{}", query.join("&"))
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b, hex) {
            (b'%', Some(value)) => {
                out.push(value);
                i += 3;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_form() -> Result<(), KeyringError> {
        assert_eq!(
            StoreUrl::parse("/var/keys")?,
            StoreUrl::Directory("/var/keys".into())
        );
        assert_eq!(
            StoreUrl::parse("file:keys")?,
            StoreUrl::Directory("keys".into())
        );
        assert_eq!(
            StoreUrl::parse("xml:/r.xml")?,
            StoreUrl::Document("/r.xml".into())
        );
        assert_eq!(
            StoreUrl::parse("redis://u:p@h:6380/2?key=Farm%20Keys")?,
            StoreUrl::Redis {
                url: "redis://u:p@h:6380/2".into(),
                key: "Farm Keys".into()
            }
        );
        assert_eq!(
            StoreUrl::parse("rediss://h")?,
            StoreUrl::Redis {
                url: "rediss://h".into(),
                key: "DataProtection-Keys".into()
            }
        );
        let StoreUrl::Postgres { url, table } = StoreUrl::parse(
            "postgres://u@h/db?schema=s&table=t&id_col=i&name_col=n&xml_col=x&sslmode=disable",
        )?
        else {
            return Err(KeyringError::InvalidArgument("not postgres".into()));
        };
        assert_eq!(url, "postgres://u@h/db?sslmode=disable");
        assert_eq!(table.schema.as_deref(), Some("s"));
        assert_eq!(table.xml_col.as_deref(), Some("x"));
        assert!(matches!(
            StoreUrl::parse("mysql://root@h:3306/test?table=keys")?,
            StoreUrl::MySql { .. }
        ));
        assert!(StoreUrl::parse("mysql://root@h/test?schema=x").is_err());
        assert!(StoreUrl::parse("ftp://h").is_err());
        assert!(StoreUrl::parse("  ").is_err());
        Ok(())
    }

    #[test]
    fn never_shows_a_password() -> Result<(), KeyringError> {
        assert_eq!(redact("redis://:s3cret@h:6379/0"), "redis://:***@h:6379/0");
        assert_eq!(redact("postgres://u:p@ss@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("mysql://root@h/test"), "mysql://root@h/test");
        let store = StoreUrl::parse("redis://u:s3cret@h/0")?;
        assert!(!format!("{store:?} {}", store.redacted()).contains("s3cret"));
        let Err(e) = StoreUrl::parse("ftp://u:s3cret@h") else {
            return Err(KeyringError::InvalidArgument("accepted".into()));
        };
        assert!(!e.to_string().contains("s3cret"));
        Ok(())
    }
}
