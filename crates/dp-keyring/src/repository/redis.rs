//! Redis, as .NET's `PersistKeysToStackExchangeRedis` keeps a ring.
//!
//! ```text
//! key      : "DataProtection-Keys" (.NET's default) or any caller-chosen key, in the URL's db
//! type     : LIST, oldest element first; keys and revocations interleave
//! element  : one element in form L (XElement.ToString(DisableFormatting)): UTF-8, no BOM, no
//!            declaration, no indentation
//! write    : RPUSH key <form L>        (never a TTL: expiry would drop the whole ring)
//! read     : TYPE key (none = empty ring), LRANGE key 0 -1
//! delete   : LREM key 1 <the exact bytes LRANGE returned>   (.NET cannot delete)
//! replace  : Lua: LSET at the index if LINDEX still returns the bytes read
//! lock     : SET {key}:dp-lock <random token> NX PX 30000; released by a Lua compare-and-delete
//! ```
//!
//! # Key creation and the lock
//!
//! The lock serialises key creation between dp processes on any host: the key manager takes it,
//! re-reads the ring and creates a key only if it still needs one. .NET members of the farm
//! ignore the lock; one of them may still race a dp process and push a second key. That is
//! harmless — both keys are valid and every member picks the newest activated key as default —
//! and it is what a .NET-only farm does already. The lock expires after 30 s, so a holder that
//! crashes (or loses its network) cannot block key creation forever; creating a key takes
//! milliseconds, far inside that bound.

use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use redis::{Client, Connection, ConnectionAddr, ConnectionInfo, IntoConnectionInfo, Script};
use sha1::{Digest as _, Sha1};
use zeroize::Zeroize as _;

use crate::KeyringError;
use crate::repository::{RepositoryLock, StoredElement, XmlRepository};
use crate::xml::{self, MAX_ELEMENT_BYTES, XmlLimit};

/// How long connecting (TCP, TLS and the handshake) may take: a dead host fails instead of hanging.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long one command may wait to be written or answered.
const IO_TIMEOUT: Duration = Duration::from_secs(10);
/// Lifetime of the lock key: the bound on how long a crashed holder blocks key creation.
const LOCK_TTL_MS: u64 = 30_000;
/// How long [`RedisRepository::lock`] waits for another holder before giving up.
const LOCK_WAIT: Duration = Duration::from_secs(30);
/// Attempts of the compare-and-set in [`RedisRepository::replace`] while the list keeps moving.
const REPLACE_ATTEMPTS: usize = 5;

/// Deletes the lock key only if it still holds our token: after expiry another process may own it.
const RELEASE_SCRIPT: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0";

/// Overwrites the element at an index only if it is still the one read, so a list that moved
/// in between (an element deleted before it) never loses an element to the overwrite.
const REPLACE_SCRIPT: &str = r"
if redis.call('LINDEX', KEYS[1], ARGV[1]) == ARGV[2] then
  redis.call('LSET', KEYS[1], ARGV[1], ARGV[3])
  return 1
end
return 0";

/// A key ring in one Redis list, in the layout of .NET's `PersistKeysToStackExchangeRedis`.
///
/// * Elements are stored in form L (one line, no BOM, no declaration), whatever form the key
///   manager hands over: .NET fails the whole ring on an element with a byte-order mark.
/// * Reading fails as a whole, naming the list index, on an element that is not UTF-8, starts
///   with a byte-order mark or exceeds [`MAX_ELEMENT_BYTES`]: it might be a revocation.
/// * Friendly names (which .NET ignores for Redis) are derived from each element: `key-{id}`
///   for a key, else `revocation-{hash}` / `element-{hash}` from a SHA-1 of its bytes. Names
///   come from content, not list positions, so a delete or replace aimed at one element never
///   hits another when the list moved in between.
/// * Descriptions and errors show the URL with the password replaced by `***`.
pub struct RedisRepository {
    inner: Arc<Inner>,
}

/// What the repository and its lock guards share.
struct Inner {
    client: Client,
    /// One connection, reopened after a failure. Commands are short; serialising them is fine.
    connection: Mutex<Option<Connection>>,
    key: String,
    lock_key: String,
    /// `{redacted url} key {key}`.
    store: String,
    /// Scrubbed from error texts, in case a server or library ever echoes it.
    password: Option<String>,
}

impl core::fmt::Debug for RedisRepository {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RedisRepository")
            .field("store", &self.inner.store)
            .finish_non_exhaustive()
    }
}

impl RedisRepository {
    /// The list key .NET uses by default.
    pub const DEFAULT_KEY: &str = "DataProtection-Keys";

    /// Connects to `url` (`redis://[user:pass@]host[:port][/db]`, `rediss://…` for TLS) and uses
    /// the list `key`. Connecting now makes a wrong address or password fail here, not at the
    /// first protect.
    ///
    /// # Errors
    /// [`KeyringError::Store`] for a malformed URL, an unreachable server, a failed TLS
    /// handshake or refused credentials (the message never contains the password).
    pub fn open(url: &str, key: &str) -> Result<Self, KeyringError> {
        let info = url
            .into_connection_info()
            .map_err(|e| KeyringError::Store {
                store: format!("{} key {key}", redact_url(url)),
                reason: format!("not a Redis URL ({})", e.kind_text()),
            })?;
        let password = info
            .redis_settings()
            .password()
            .filter(|p| !p.is_empty())
            .map(str::to_owned);
        let store = format!("{} key {key}", describe_info(&info));
        let client = Client::open(info).map_err(|e| KeyringError::Store {
            store: store.clone(),
            reason: scrub(&e.to_string(), password.as_deref()),
        })?;
        let inner = Inner {
            client,
            connection: Mutex::new(None),
            key: key.to_owned(),
            lock_key: format!("{key}:dp-lock"),
            store,
            password,
        };
        inner.with_connection(|c| redis::cmd("PING").query::<()>(c))?;
        Ok(Self {
            inner: Arc::new(inner),
        })
    }

    /// The raw list, as Redis holds it: `None` when the key does not exist.
    fn read_list(&self) -> Result<RawList, KeyringError> {
        let inner = &self.inner;
        let kind: String =
            inner.with_connection(|c| redis::cmd("TYPE").arg(&inner.key).query(c))?;
        match kind.as_str() {
            "none" => Ok(RawList(Vec::new())),
            "list" => Ok(RawList(inner.with_connection(|c| {
                redis::cmd("LRANGE").arg(&inner.key).arg(0).arg(-1).query(c)
            })?)),
            other => Err(inner.error(format!(
                "{} is a {other}, not a list: not a key ring",
                inner.key
            ))),
        }
    }
}

/// List elements as read; zeroized on drop (keys may be stored unencrypted).
struct RawList(Vec<Vec<u8>>);

impl Drop for RawList {
    fn drop(&mut self) {
        for element in &mut self.0 {
            element.zeroize();
        }
    }
}

impl Inner {
    fn error(&self, reason: impl Into<String>) -> KeyringError {
        KeyringError::Store {
            store: self.store.clone(),
            reason: scrub(&reason.into(), self.password.as_deref()),
        }
    }

    /// Runs `f` on the connection, connecting first if needed. A connection that failed is
    /// dropped, so the next call reconnects instead of reusing a broken stream.
    fn with_connection<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> redis::RedisResult<T>,
    ) -> Result<T, KeyringError> {
        let mut slot = self
            .connection
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let connection = match &mut *slot {
            Some(connection) => connection,
            empty => empty.insert(self.connect()?),
        };
        match f(connection) {
            Ok(value) => Ok(value),
            Err(e) => {
                if e.is_io_error()
                    || e.is_timeout()
                    || e.is_connection_dropped()
                    || e.is_unrecoverable_error()
                {
                    *slot = None;
                }
                Err(self.error(e.to_string()))
            }
        }
    }

    fn connect(&self) -> Result<Connection, KeyringError> {
        let connection = self
            .client
            .get_connection_with_timeout(CONNECT_TIMEOUT)
            .map_err(|e| self.error(format!("cannot connect: {e}")))?;
        connection
            .set_read_timeout(Some(IO_TIMEOUT))
            .and_then(|()| connection.set_write_timeout(Some(IO_TIMEOUT)))
            .map_err(|e| self.error(format!("cannot set timeouts: {e}")))?;
        Ok(connection)
    }

    fn release(&self, token: &str) -> Result<(), KeyringError> {
        self.with_connection(|c| {
            Script::new(RELEASE_SCRIPT)
                .key(&self.lock_key)
                .arg(token)
                .invoke::<i64>(c)
        })
        .map(drop)
    }
}

/// The friendly name of a list element (see [`RedisRepository`]).
fn element_name(bytes: &[u8]) -> String {
    if let Some(id) = key_id_attribute(bytes) {
        return format!("key-{id}");
    }
    let digest = Sha1::digest(bytes);
    let short = hex::encode(digest.get(..8).unwrap_or_default());
    if bytes.starts_with(b"<revocation") {
        format!("revocation-{short}")
    } else {
        format!("element-{short}")
    }
}

/// The `id` attribute of a `<key …>` root, read from the start tag only, when it is made of
/// GUID characters. Anything odd falls back to a hash name; the parser judges the element later.
fn key_id_attribute(bytes: &[u8]) -> Option<String> {
    let text = core::str::from_utf8(bytes).ok()?;
    if !text.starts_with("<key") {
        return None;
    }
    let mut reader = quick_xml::Reader::from_str(text);
    let (quick_xml::events::Event::Start(start) | quick_xml::events::Event::Empty(start)) =
        reader.read_event().ok()?
    else {
        return None;
    };
    if start.name().as_ref() != "key" {
        return None;
    }
    let value = start.try_get_attribute("id").ok()??.value;
    let id: &str = &value;
    let guid_like = !id.is_empty() && id.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-');
    guid_like.then(|| id.to_owned())
}

/// `redis://user:***@host:port/db` from a parsed URL: built from parts, so no password can leak.
fn describe_info(info: &ConnectionInfo) -> String {
    let settings = info.redis_settings();
    let userinfo = match (settings.username(), settings.password()) {
        (Some(user), Some(_)) => format!("{user}:***@"),
        (None, Some(_)) => ":***@".to_owned(),
        (Some(user), None) => format!("{user}@"),
        (None, None) => String::new(),
    };
    let host_port = |host: &str, port: u16| {
        if host.contains(':') {
            format!("[{host}]:{port}")
        } else {
            format!("{host}:{port}")
        }
    };
    let db = settings.db();
    match info.addr() {
        ConnectionAddr::Tcp(host, port) => {
            format!("redis://{userinfo}{}/{db}", host_port(host, *port))
        }
        ConnectionAddr::TcpTls { host, port, .. } => {
            format!("rediss://{userinfo}{}/{db}", host_port(host, *port))
        }
        ConnectionAddr::Unix(path) => format!("redis+unix://{}?db={db}", path.display()),
        other => format!("redis://{other}/{db}"),
    }
}

/// A URL that did not parse, for the message: any user information becomes `***` (it might be
/// a password without a user) and the query is dropped (unix URLs carry `pass=` there).
fn redact_url(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let rest = rest.split(['?', '#']).next().unwrap_or_default();
    let rest = match rest.rsplit_once('@') {
        Some((_, host)) => format!("***@{host}"),
        None => rest.to_owned(),
    };
    if scheme.is_empty() {
        rest
    } else {
        format!("{scheme}://{rest}")
    }
}

/// Replaces the password in `text` with `***`.
fn scrub(text: &str, password: Option<&str>) -> String {
    match password {
        Some(p) if !p.is_empty() => text.replace(p, "***"),
        _ => text.to_owned(),
    }
}

/// A short description of a URL parse failure that cannot echo the URL.
trait KindText {
    fn kind_text(&self) -> String;
}

impl KindText for redis::RedisError {
    fn kind_text(&self) -> String {
        format!("{:?}", self.kind())
    }
}

/// The held `{key}:dp-lock`; deleted on drop if it still holds our token.
struct RedisLock {
    inner: Arc<Inner>,
    token: String,
}

impl RepositoryLock for RedisLock {}

impl Drop for RedisLock {
    fn drop(&mut self) {
        // A failed release is not fatal: the lock expires on its own after LOCK_TTL_MS.
        let _ = self.inner.release(&self.token);
    }
}

impl XmlRepository for RedisRepository {
    fn server_time(&self) -> Option<Result<crate::Timestamp, KeyringError>> {
        let time = self
            .inner
            .with_connection(|c| redis::cmd("TIME").query::<(i64, i64)>(c));
        Some(time.and_then(|(seconds, _)| crate::Timestamp::from_unix_seconds(seconds)))
    }

    /// The failure behind dotnet/aspnetcore#13476: a Redis that restarts empty, or evicts the
    /// ring, makes the next instance create a new key and the farm split.
    fn health(&self) -> Vec<crate::doctor::Finding> {
        use crate::doctor::{Finding, Severity};
        let mut findings = Vec::new();
        let config = |name: &'static str| {
            self.inner.with_connection(|c| {
                redis::cmd("CONFIG")
                    .arg("GET")
                    .arg(name)
                    .query::<Vec<String>>(c)
            })
        };
        let ttl = self
            .inner
            .with_connection(|c| redis::cmd("PTTL").arg(&self.inner.key).query::<i64>(c));
        let has_ttl = matches!(ttl, Ok(ms) if ms >= 0);
        if has_ttl {
            findings.push(Finding::new(
                "ring_key_expires",
                Severity::Error,
                None,
                format!(
                    "the ring's list {} has an expiry: the whole ring will vanish",
                    self.inner.key
                ),
                format!("PERSIST {}", self.inner.key),
            ));
        }
        let value = |reply: Vec<String>| reply.get(1).cloned();
        match (
            config("save"),
            config("appendonly"),
            config("maxmemory-policy"),
        ) {
            (Ok(save), Ok(aof), Ok(policy)) => {
                let save = value(save).unwrap_or_default();
                let aof = value(aof).unwrap_or_default();
                if save.trim().is_empty() && aof.eq_ignore_ascii_case("no") {
                    findings.push(Finding::new(
                        "redis_not_persistent",
                        Severity::Warning,
                        None,
                        "Redis neither snapshots (save \"\") nor logs (appendonly no): a restart loses the ring, the next instance creates a new key and the farm splits",
                        "enable persistence (CONFIG SET appendonly yes, or a save schedule) and CONFIG REWRITE",
                    ));
                }
                let policy = value(policy).unwrap_or_default();
                if policy.starts_with("allkeys-") || (policy.starts_with("volatile-") && has_ttl) {
                    findings.push(Finding::new(
                        "redis_may_evict_ring",
                        Severity::Error,
                        None,
                        format!("maxmemory-policy {policy} may evict the ring's list"),
                        "use noeviction (or volatile-* with no expiry on the ring), or a Redis of its own for the ring",
                    ));
                }
            }
            (Err(e), ..) | (_, Err(e), _) | (.., Err(e)) => findings.push(Finding::new(
                "redis_config_unavailable",
                Severity::Warning,
                None,
                format!(
                    "the persistence and eviction checks could not run (CONFIG GET refused: {e})"
                ),
                "check persistence and maxmemory-policy in the managed service's settings",
            )),
        }
        findings
    }

    fn load_all(&self) -> Result<Vec<StoredElement>, KeyringError> {
        let mut list = self.read_list()?;
        let mut elements = Vec::with_capacity(list.0.len());
        for (index, bytes) in list.0.iter_mut().enumerate() {
            let source = format!("{} [index {index}]", self.inner.store);
            if bytes.len() > MAX_ELEMENT_BYTES {
                return Err(KeyringError::XmlLimitExceeded {
                    source,
                    limit: XmlLimit::Size,
                });
            }
            if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
                // .NET's XElement.Parse refuses it, failing the ring for every .NET member.
                return Err(KeyringError::malformed(
                    source,
                    "starts with a byte-order mark (.NET cannot read it)",
                ));
            }
            let name = element_name(bytes);
            let xml = String::from_utf8(core::mem::take(bytes)).map_err(|e| {
                let mut bytes = e.into_bytes();
                bytes.zeroize();
                KeyringError::malformed(source.clone(), "invalid UTF-8 text")
            })?;
            elements.push(StoredElement { name, source, xml });
        }
        Ok(elements)
    }

    fn store(&self, name: &str, xml: &str) -> Result<(), KeyringError> {
        let _ = name; // .NET ignores friendly names in Redis; ours derive from the element.
        let inner = &self.inner;
        let line = xml::single_line(xml);
        inner
            .with_connection(|c| {
                redis::cmd("RPUSH")
                    .arg(&inner.key)
                    .arg(line.as_bytes())
                    .query::<i64>(c)
            })
            .map(drop)
    }

    fn replace(&self, name: &str, xml: &str) -> Result<(), KeyringError> {
        let inner = &self.inner;
        let line = xml::single_line(xml);
        for _ in 0..REPLACE_ATTEMPTS {
            let list = self.read_list()?;
            let Some((index, old)) = list
                .0
                .iter()
                .enumerate()
                .find(|(_, bytes)| element_name(bytes) == name)
            else {
                return Err(inner.error(format!("no element named {name} to replace")));
            };
            let replaced: i64 = inner.with_connection(|c| {
                Script::new(REPLACE_SCRIPT)
                    .key(&inner.key)
                    .arg(index)
                    .arg(old.as_slice())
                    .arg(line.as_bytes())
                    .invoke(c)
            })?;
            if replaced == 1 {
                return Ok(());
            }
        }
        Err(inner.error(format!(
            "the list kept changing while replacing {name}; try again"
        )))
    }

    fn delete(&self, names: &[String]) -> Result<(), KeyringError> {
        if names.is_empty() {
            return Ok(());
        }
        let inner = &self.inner;
        let list = self.read_list()?;
        for bytes in &list.0 {
            if names.iter().any(|n| *n == element_name(bytes)) {
                inner.with_connection(|c| {
                    redis::cmd("LREM")
                        .arg(&inner.key)
                        .arg(1)
                        .arg(bytes.as_slice())
                        .query::<i64>(c)
                })?;
            }
        }
        Ok(())
    }

    fn lock(&self) -> Result<Box<dyn RepositoryLock>, KeyringError> {
        let inner = &self.inner;
        let token = uuid::Uuid::new_v4().to_string();
        let start = Instant::now();
        let mut pause = Duration::from_millis(10);
        loop {
            let taken: Option<String> = inner.with_connection(|c| {
                redis::cmd("SET")
                    .arg(&inner.lock_key)
                    .arg(&token)
                    .arg("NX")
                    .arg("PX")
                    .arg(LOCK_TTL_MS)
                    .query(c)
            })?;
            if taken.is_some() {
                return Ok(Box::new(RedisLock {
                    inner: Arc::clone(inner),
                    token,
                }));
            }
            if start.elapsed() >= LOCK_WAIT {
                return Err(inner.error(format!(
                    "{} is still held by another process after {} s",
                    inner.lock_key,
                    LOCK_WAIT.as_secs()
                )));
            }
            thread::sleep(pause);
            pause = (pause * 2).min(Duration::from_millis(500));
        }
    }

    fn describe(&self) -> String {
        self.inner.store.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn describe(url: &str) -> String {
        match url.into_connection_info() {
            Ok(info) => describe_info(&info),
            Err(_) => redact_url(url),
        }
    }

    #[test]
    fn descriptions_never_show_the_password() {
        assert_eq!(describe("redis://127.0.0.1"), "redis://127.0.0.1:6379/0");
        assert_eq!(
            describe("redis://user:s3cret@host:7000/3"),
            "redis://user:***@host:7000/3"
        );
        assert_eq!(describe("redis://:s3cret@host"), "redis://:***@host:6379/0");
        assert_eq!(
            describe("rediss://u:s3cret@[::1]:6380/1"),
            "rediss://u:***@[::1]:6380/1"
        );
        assert_eq!(
            redact_url("redis://u:s3cret@host:x/0"),
            "redis://***@host:x/0"
        );
        assert_eq!(redact_url("nope://a?pass=s3cret"), "nope://a");
    }

    #[test]
    fn names_come_from_the_element() {
        let key = br#"<key id="06b94d66-f149-496d-881c-2640a2cc1520" version="1"><x/></key>"#;
        assert_eq!(
            element_name(key),
            "key-06b94d66-f149-496d-881c-2640a2cc1520"
        );
        let odd = br#"<key id="../x" version="1"/>"#;
        assert!(element_name(odd).starts_with("element-"));
        let revocation =
            b"<revocation version=\"1\"><revocationDate>x</revocationDate></revocation>";
        assert!(element_name(revocation).starts_with("revocation-"));
        assert_ne!(element_name(b"<a/>"), element_name(b"<b/>"));
        assert!(element_name(b"\xEF\xBB\xBF<key id=\"1\"/>").starts_with("element-"));
    }
}
