//! What the PostgreSQL and MySQL repositories share: EF Core's table layout, finding it in the
//! catalogue, quoting its names, and keeping passwords out of messages.
//!
//! EF Core (`PersistKeysToDbContext`) keeps one row per element in `DataProtectionKeys`
//! (`Id` integer identity, `FriendlyName` and `Xml` text). Renamed forms seen in practice —
//! lower-cased (`dataprotectionkeys`), snake case (`data_protection_keys` with `id`,
//! `friendly_name`, `xml`), custom schemas — are found in `information_schema.columns` by
//! their columns; tables that only look alike (an `Id` of text, an `XmlData` column) are
//! refused rather than read.

use std::collections::BTreeMap;

use crate::KeyringError;

/// Where EF Core's `DataProtectionKeys` table is, and what its columns are called. `None`
/// fields are detected from the database's catalogue (or take EF Core's defaults when the table
/// is created).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SqlTable {
    /// Schema (PostgreSQL; `public` by default). For MySQL, the database (default: the one in
    /// the URL).
    pub schema: Option<String>,
    /// Table name (`DataProtectionKeys`).
    pub table: Option<String>,
    /// Identity column (`Id`).
    pub id_col: Option<String>,
    /// Friendly-name column (`FriendlyName`).
    pub name_col: Option<String>,
    /// XML column (`Xml`).
    pub xml_col: Option<String>,
}

/// EF Core's names.
pub(crate) const DEFAULT_TABLE: &str = "DataProtectionKeys";
pub(crate) const DEFAULT_ID: &str = "Id";
pub(crate) const DEFAULT_NAME: &str = "FriendlyName";
pub(crate) const DEFAULT_XML: &str = "Xml";

/// How long to wait for a server to answer a connection attempt.
pub(crate) const CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);
/// How long key creation waits for another writer's lock, in seconds.
pub(crate) const LOCK_WAIT_SECONDS: u32 = 30;

/// The SQL dialect: identifier quoting and type names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    Postgres,
    MySql,
}

impl Dialect {
    /// A quoted identifier, embedded quote characters doubled.
    pub(crate) fn quote(self, ident: &str) -> String {
        let q = match self {
            Self::Postgres => '"',
            Self::MySql => '`',
        };
        let mut out = String::with_capacity(ident.len() + 2);
        out.push(q);
        for c in ident.chars() {
            if c == q {
                out.push(q);
            }
            out.push(c);
        }
        out.push(q);
        out
    }

    fn is_integer(self, data_type: &str) -> bool {
        let t = data_type.to_ascii_lowercase();
        match self {
            Self::Postgres => matches!(t.as_str(), "integer" | "bigint" | "smallint"),
            Self::MySql => matches!(
                t.as_str(),
                "int" | "integer" | "bigint" | "smallint" | "mediumint" | "tinyint"
            ),
        }
    }

    fn is_text(self, data_type: &str) -> bool {
        let t = data_type.to_ascii_lowercase();
        match self {
            Self::Postgres => matches!(t.as_str(), "text" | "character varying"),
            Self::MySql => matches!(
                t.as_str(),
                "longtext" | "mediumtext" | "text" | "tinytext" | "varchar"
            ),
        }
    }
}

/// One row of `information_schema.columns`.
#[derive(Debug, Clone)]
pub(crate) struct CatalogColumn {
    pub(crate) schema: String,
    pub(crate) table: String,
    pub(crate) column: String,
    pub(crate) data_type: String,
}

/// The table and columns in use, unquoted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ResolvedTable {
    pub(crate) schema: String,
    pub(crate) table: String,
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) xml: String,
}

impl ResolvedTable {
    /// `"schema"."table"` (or with backticks).
    pub(crate) fn qualified(&self, d: Dialect) -> String {
        format!("{}.{}", d.quote(&self.schema), d.quote(&self.table))
    }
}

/// Picks the table from the catalogue columns of the schema(s) searched. `schema_given` says
/// whether the caller named the schema (else several schemas may have been searched, and
/// `public` is preferred).
pub(crate) fn resolve(
    d: Dialect,
    spec: &SqlTable,
    columns: &[CatalogColumn],
    searched: &str,
) -> Result<ResolvedTable, String> {
    let mut tables: BTreeMap<(String, String), Vec<&CatalogColumn>> = BTreeMap::new();
    for c in columns {
        if spec.table.as_deref().is_none_or(|t| t == c.table) {
            tables
                .entry((c.schema.clone(), c.table.clone()))
                .or_default()
                .push(c);
        }
    }
    let name_of = |schema: &str, table: &str| format!("{}.{}", d.quote(schema), d.quote(table));
    let mut matching = Vec::new();
    let mut look_alikes = Vec::new();
    let mut others = Vec::new();
    for ((schema, table), cols) in &tables {
        match classify(d, spec, schema, table, cols) {
            Ok(resolved) => matching.push(resolved),
            Err(Mismatch::Types(why)) => {
                look_alikes.push(format!("{}: {why}", name_of(schema, table)))
            }
            Err(Mismatch::Names(why)) => others.push(format!("{}: {why}", name_of(schema, table))),
        }
    }
    if matching.len() > 1 && spec.schema.is_none() {
        let public: Vec<_> = matching
            .iter()
            .filter(|r| r.schema == "public")
            .cloned()
            .collect();
        if !public.is_empty() {
            matching = public;
        }
    }
    match matching.len() {
        1 => Ok(matching.remove(0)),
        0 => {
            let mut reason = match &spec.table {
                Some(t) if tables.is_empty() => {
                    format!("no table {} in {searched}", d.quote(t))
                }
                Some(_) => String::new(),
                None => format!("no EF Core DataProtectionKeys table in {searched}"),
            };
            let mut found = look_alikes;
            if spec.table.is_some() {
                found.extend(others);
            }
            if !found.is_empty() {
                if !reason.is_empty() {
                    reason.push_str("; ");
                }
                reason.push_str("not EF Core's table: ");
                reason.push_str(&found.join("; "));
            }
            reason.push_str(
                " (create the table with `dp keys init-store`, or name it with table=, \
                 id_col=, name_col=, xml_col=)",
            );
            Err(reason)
        }
        _ => {
            let names: Vec<String> = matching
                .iter()
                .map(|r| name_of(&r.schema, &r.table))
                .collect();
            Err(format!(
                "several tables look like EF Core's DataProtectionKeys: {}; choose one with \
                 table= (and schema=)",
                names.join(", ")
            ))
        }
    }
}

enum Mismatch {
    /// A column is missing or ambiguous: some other table.
    Names(String),
    /// The columns are there with the wrong types: a look-alike.
    Types(String),
}

fn classify(
    d: Dialect,
    spec: &SqlTable,
    schema: &str,
    table: &str,
    cols: &[&CatalogColumn],
) -> Result<ResolvedTable, Mismatch> {
    let find = |given: Option<&String>, accepted: &[&str], role: &str| {
        let found: Vec<&&CatalogColumn> = cols
            .iter()
            .filter(|c| match given {
                Some(g) => c.column == *g,
                None => accepted.iter().any(|a| c.column.eq_ignore_ascii_case(a)),
            })
            .collect();
        match found.as_slice() {
            [one] => Ok(**one),
            [] => Err(Mismatch::Names(format!(
                "no {role} column ({})",
                given.map_or_else(|| accepted.join(" or "), |g| d.quote(g))
            ))),
            _ => Err(Mismatch::Names(format!("several {role} columns"))),
        }
    };
    let id = find(spec.id_col.as_ref(), &["id"], "id")?;
    let name = find(
        spec.name_col.as_ref(),
        &["friendlyname", "friendly_name"],
        "friendly-name",
    )?;
    let xml = find(spec.xml_col.as_ref(), &["xml"], "xml")?;
    if !d.is_integer(&id.data_type) {
        return Err(Mismatch::Types(format!(
            "column {} is {}, not an integer",
            d.quote(&id.column),
            id.data_type
        )));
    }
    for c in [name, xml] {
        if !d.is_text(&c.data_type) {
            return Err(Mismatch::Types(format!(
                "column {} is {}, not text",
                d.quote(&c.column),
                c.data_type
            )));
        }
    }
    Ok(ResolvedTable {
        schema: schema.to_owned(),
        table: table.to_owned(),
        id: id.column.clone(),
        name: name.column.clone(),
        xml: xml.column.clone(),
    })
}

/// The names [`init`](super::PostgresRepository::init) creates: the given ones, else EF Core's.
pub(crate) fn names_for_init(spec: &SqlTable, default_schema: &str) -> ResolvedTable {
    let or = |v: &Option<String>, d: &str| v.clone().unwrap_or_else(|| d.to_owned());
    ResolvedTable {
        schema: or(&spec.schema, default_schema),
        table: or(&spec.table, DEFAULT_TABLE),
        id: or(&spec.id_col, DEFAULT_ID),
        name: or(&spec.name_col, DEFAULT_NAME),
        xml: or(&spec.xml_col, DEFAULT_XML),
    }
}

/// Splits the table options (`schema`, `table`, `id_col`, `name_col`, `xml_col`) out of a URL's
/// query, the drivers knowing nothing of them; names in `spec` win over the URL's.
pub(crate) fn split_table_options(url: &str, spec: &SqlTable) -> (String, SqlTable) {
    let mut spec = spec.clone();
    let Some((base, query)) = url.split_once('?') else {
        return (url.to_owned(), spec);
    };
    let mut kept = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let value = percent_decode(v);
        let slot = match k.replace('-', "_").as_str() {
            "schema" => &mut spec.schema,
            "table" => &mut spec.table,
            "id_col" => &mut spec.id_col,
            "name_col" => &mut spec.name_col,
            "xml_col" => &mut spec.xml_col,
            _ => {
                kept.push(pair);
                continue;
            }
        };
        if slot.is_none() && !value.is_empty() {
            *slot = Some(value);
        }
    }
    let url = if kept.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    (url, spec)
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| core::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b, hex) {
            (b'%', Some(v)) => {
                out.push(v);
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

/// The URL with its password replaced by `***` (in the user info and in a `password=` option).
pub(crate) fn redact_url(url: &str) -> String {
    let mut out = match url.split_once("://") {
        Some((scheme, rest)) => {
            let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
            let (authority, tail) = rest.split_at(authority_end);
            match authority.rsplit_once('@') {
                Some((userinfo, host)) => {
                    let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
                    let pass = if userinfo.contains(':') { ":***" } else { "" };
                    format!("{scheme}://{user}{pass}@{host}{tail}")
                }
                None => url.to_owned(),
            }
        }
        None => url.to_owned(),
    };
    // `password=…` in a query or a key=value connection string.
    let mut searched = 0;
    while let Some(found) = out
        .get(searched..)
        .and_then(|s| s.to_ascii_lowercase().find("password="))
    {
        let start = searched + found + "password=".len();
        let end = out
            .get(start..)
            .and_then(|s| s.find(['&', ' ']))
            .map_or(out.len(), |e| start + e);
        out.replace_range(start..end, "***");
        searched = start + 3;
    }
    out
}

/// Removes every occurrence of the secrets from a driver's message.
pub(crate) fn scrub(text: &str, secrets: &[String]) -> String {
    let mut text = text.to_owned();
    for s in secrets.iter().filter(|s| s.len() >= 2) {
        text = text.replace(s.as_str(), "***");
    }
    text
}

/// The password as it appears in the URL, raw and decoded: what [`scrub`] removes.
pub(crate) fn url_secrets(url: &str) -> Vec<String> {
    let mut secrets = Vec::new();
    if let Some((_, rest)) = url.split_once("://") {
        let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
        let authority = rest.get(..authority_end).unwrap_or(rest);
        if let Some((userinfo, _)) = authority.rsplit_once('@')
            && let Some((_, pass)) = userinfo.split_once(':')
        {
            secrets.push(pass.to_owned());
            secrets.push(percent_decode(pass));
        }
    }
    for (i, _) in url.to_ascii_lowercase().match_indices("password=") {
        let start = i + "password=".len();
        let value = url.get(start..).unwrap_or("");
        let value = value.split(['&', ' ']).next().unwrap_or("");
        secrets.push(value.to_owned());
        secrets.push(percent_decode(value));
    }
    secrets
}

/// A driver error and the errors that caused it, one line.
pub(crate) fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let more = s.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = s.source();
    }
    text
}

/// A [`KeyringError::Store`].
pub(crate) fn store_error(store: &str, reason: impl Into<String>) -> KeyringError {
    KeyringError::Store {
        store: store.to_owned(),
        reason: reason.into(),
    }
}

/// The element name of a row: its friendly name, or `row-{id}` when it has none.
pub(crate) fn element_name(id: i64, name: Option<String>) -> String {
    match name {
        Some(n) if !n.is_empty() => n,
        _ => format!("row-{id}"),
    }
}

/// The id named by a `row-{id}` element name, for rows without a friendly name.
pub(crate) fn row_id(name: &str) -> Option<i64> {
    name.strip_prefix("row-")?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(schema: &str, table: &str, column: &str, data_type: &str) -> CatalogColumn {
        CatalogColumn {
            schema: schema.into(),
            table: table.into(),
            column: column.into(),
            data_type: data_type.into(),
        }
    }

    fn ef(schema: &str, table: &str, id: &str, name: &str, xml: &str) -> Vec<CatalogColumn> {
        vec![
            col(schema, table, id, "integer"),
            col(schema, table, name, "text"),
            col(schema, table, xml, "text"),
        ]
    }

    #[test]
    fn quotes_and_escapes() {
        assert_eq!(Dialect::Postgres.quote("a\"b"), "\"a\"\"b\"");
        assert_eq!(Dialect::MySql.quote("a`b"), "`a``b`");
    }

    #[test]
    fn detects_renamed_forms_and_refuses_look_alikes() {
        let d = Dialect::Postgres;
        let spec = SqlTable::default();
        let snake = ef("s", "data_protection_keys", "id", "friendly_name", "xml");
        let r = resolve(d, &spec, &snake, "x").unwrap();
        assert_eq!(
            (r.table.as_str(), r.name.as_str()),
            ("data_protection_keys", "friendly_name")
        );

        let mut look = ef("s", "Keys", "Id", "FriendlyName", "Xml");
        look[0].data_type = "text".into();
        let e = resolve(d, &spec, &look, "x").unwrap_err();
        assert!(e.contains("not an integer"), "{e}");

        let xml_data = ef("s", "Keys", "Id", "FriendlyName", "XmlData");
        let e = resolve(d, &spec, &xml_data, "x").unwrap_err();
        assert!(e.contains("no EF Core"), "{e}");

        let mut two = ef("a", "DataProtectionKeys", "Id", "FriendlyName", "Xml");
        two.extend(ef("b", "dataprotectionkeys", "id", "friendlyname", "xml"));
        let e = resolve(d, &spec, &two, "x").unwrap_err();
        assert!(e.contains("table="), "{e}");
        two.extend(ef(
            "public",
            "DataProtectionKeys",
            "Id",
            "FriendlyName",
            "Xml",
        ));
        assert_eq!(resolve(d, &spec, &two, "x").unwrap().schema, "public");
    }

    #[test]
    fn redacts_passwords() {
        assert_eq!(
            redact_url("postgres://user:s3cret@host:5432/db"),
            "postgres://user:***@host:5432/db"
        );
        assert_eq!(redact_url("mysql://root@h/db"), "mysql://root@h/db");
        assert_eq!(
            redact_url("postgres://u@h/db?password=x&sslmode=disable"),
            "postgres://u@h/db?password=***&sslmode=disable"
        );
        assert_eq!(
            scrub("bad p%40ss and p@ss", &url_secrets("mysql://u:p%40ss@h/db")),
            "bad *** and ***"
        );
    }

    #[test]
    fn table_options_leave_the_url() {
        let (url, spec) = split_table_options(
            "postgres://u@h/db?table=k&sslmode=disable",
            &SqlTable::default(),
        );
        assert_eq!(url, "postgres://u@h/db?sslmode=disable");
        assert_eq!(spec.table.as_deref(), Some("k"));
    }
}
