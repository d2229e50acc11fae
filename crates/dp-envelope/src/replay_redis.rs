//! A replay cache in Redis, shared by every opener that names the same server and prefix.
//!
//! ```text
//! URL      : redis://[user:pass@]host[:port][/db][?prefix=P]   (rediss:// for TLS)
//! entry    : {P}{sender fingerprint hex, or -}:{message id hex} = "1", with an expiry
//! widest   : {P}widest-window = the widest window (max-age plus clock skew, seconds) ever used
//! record   : one Lua script, atomic on the server:
//!            widest := max(widest, window)
//!            SET entry 1 NX EX max(created + widest - now, 1)   -- nil: already seen
//! seen?    : EXISTS entry                                       -- the early, read-only check
//! ```
//!
//! The expiry follows the file cache's rule: an entry lives while an opener with the widest
//! window ever used could still accept its envelope, so a narrow `--max-age` never makes the
//! store forget what a wide one needs. The widest window lives in the store, not in a process,
//! so every member of a fleet agrees on it. Connecting takes at most 5 s and a command 10 s;
//! an unreachable server, refused credentials, a timeout or a failed command is
//! [`EnvelopeError::ReplayStore`], never a pass. Messages show the URL without its password.

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use redis::{Client, Connection, ConnectionAddr, ConnectionInfo, IntoConnectionInfo, Script};

use crate::replay::ReplayStore;
use crate::{EnvelopeError, Fingerprint};

/// How long connecting (TCP, TLS and the handshake) may take: a dead host fails instead of hanging.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long one command may wait to be written or answered.
const IO_TIMEOUT: Duration = Duration::from_secs(10);
/// The longest expiry set (100 years): Redis refuses expiries that overflow its millisecond
/// clock, and Lua numbers are doubles.
const MAX_TTL_SECS: i64 = 100 * 365 * 86_400;

/// `KEYS[1]` the widest window, `KEYS[2]` the entry; `ARGV` the window, `created - now` and the
/// largest expiry (seconds, each at most [`MAX_TTL_SECS`] in size, so exact in Lua's doubles).
/// Returns 1 when recorded, 0 when the entry existed. A widest window that is not a number is an error, never replaced: another
/// process may rely on it.
const RECORD_SCRIPT: &str = r"
local widest = 0
local stored = redis.call('GET', KEYS[1])
if stored then
  widest = tonumber(stored)
  if not widest then
    return redis.error_reply('the widest window ' .. KEYS[1] .. ' is not a number')
  end
end
local window = tonumber(ARGV[1])
if window > widest then
  redis.call('SET', KEYS[1], ARGV[1])
  widest = window
end
local ttl = math.floor(tonumber(ARGV[2]) + widest)
if ttl < 1 then ttl = 1 end
if ttl > tonumber(ARGV[3]) then ttl = tonumber(ARGV[3]) end
if redis.call('SET', KEYS[2], '1', 'NX', 'EX', ttl) then
  return 1
end
return 0";

/// A replay cache in Redis (see the module documentation for the layout).
pub struct RedisReplayCache {
    client: Client,
    /// One connection, reopened after a failure.
    connection: Mutex<Option<Connection>>,
    prefix: String,
    /// `{redacted url}?prefix={prefix}`.
    store: String,
    /// Scrubbed from error texts, in case a server or library ever echoes it.
    password: Option<String>,
    record: Script,
}

impl core::fmt::Debug for RedisReplayCache {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RedisReplayCache")
            .field("store", &self.store)
            .finish_non_exhaustive()
    }
}

impl RedisReplayCache {
    /// The key prefix used when the URL names none.
    pub const DEFAULT_PREFIX: &str = "dp:replay:";

    /// A cache at `url`: `redis://[user:pass@]host[:port][/db][?prefix=P]`, or `rediss://…` for
    /// TLS. `prefix` (default [`Self::DEFAULT_PREFIX`]) is taken literally and is the only query
    /// parameter. Nothing is contacted until the first check.
    ///
    /// # Errors
    /// [`EnvelopeError::ReplayStore`] for a malformed URL or an unknown query parameter (the
    /// message never contains the password).
    pub fn new(url: &str) -> Result<Self, EnvelopeError> {
        let (base, query) = url.split_once('?').unwrap_or((url, ""));
        let malformed = |reason: String| EnvelopeError::ReplayStore {
            store: redact_url(url),
            reason,
        };
        let mut prefix = Self::DEFAULT_PREFIX.to_owned();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            match pair.split_once('=') {
                Some(("prefix", value)) => value.clone_into(&mut prefix),
                _ => {
                    let name = pair.split('=').next().unwrap_or_default();
                    return Err(malformed(format!(
                        "unknown URL parameter `{name}` (only `prefix` is understood)"
                    )));
                }
            }
        }
        let info = base
            .into_connection_info()
            .map_err(|e| malformed(format!("not a Redis URL ({:?})", e.kind())))?;
        let password = info
            .redis_settings()
            .password()
            .filter(|p| !p.is_empty())
            .map(str::to_owned);
        let store = format!("{}?prefix={prefix}", describe_info(&info));
        let client = Client::open(info).map_err(|e| EnvelopeError::ReplayStore {
            store: store.clone(),
            reason: scrub(&e.to_string(), password.as_deref()),
        })?;
        Ok(Self {
            client,
            connection: Mutex::new(None),
            prefix,
            store,
            password,
            record: Script::new(RECORD_SCRIPT),
        })
    }

    /// The key prefix.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The key of one (sender, message id) pair.
    fn entry_key(&self, sender: Option<Fingerprint>, message_id: &[u8; 16]) -> String {
        let sender = sender.map_or_else(|| "-".to_owned(), |f| hex::encode(f.0));
        format!("{}{sender}:{}", self.prefix, hex::encode(message_id))
    }

    fn error(&self, reason: impl Into<String>) -> EnvelopeError {
        EnvelopeError::ReplayStore {
            store: self.store.clone(),
            reason: scrub(&reason.into(), self.password.as_deref()),
        }
    }

    /// Runs `f` on the connection, connecting first if needed. A connection that failed is
    /// dropped, so the next call reconnects instead of reusing a broken stream.
    fn with_connection<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> redis::RedisResult<T>,
    ) -> Result<T, EnvelopeError> {
        let mut slot = self
            .connection
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let connection = match &mut *slot {
            Some(connection) => connection,
            empty => empty.insert(self.connect()?),
        };
        f(connection).map_err(|e| {
            if e.is_io_error()
                || e.is_timeout()
                || e.is_connection_dropped()
                || e.is_unrecoverable_error()
            {
                *slot = None;
            }
            self.error(e.to_string())
        })
    }

    fn connect(&self) -> Result<Connection, EnvelopeError> {
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
}

impl ReplayStore for RedisReplayCache {
    fn contains(
        &self,
        sender: Option<Fingerprint>,
        message_id: &[u8; 16],
    ) -> Result<bool, EnvelopeError> {
        let key = self.entry_key(sender, message_id);
        let n: i64 = self.with_connection(|c| redis::cmd("EXISTS").arg(&key).query(c))?;
        Ok(n > 0)
    }

    fn check_and_record(
        &self,
        sender: Option<Fingerprint>,
        message_id: &[u8; 16],
        created: i64,
        now: i64,
        window: i64,
    ) -> Result<(), EnvelopeError> {
        let key = self.entry_key(sender, message_id);
        let widest = format!("{}widest-window", self.prefix);
        // Relative times, clamped, so that every number stays exact in Lua's doubles.
        let window = window.clamp(0, MAX_TTL_SECS);
        let ahead = created
            .saturating_sub(now)
            .clamp(-MAX_TTL_SECS, MAX_TTL_SECS);
        let recorded: i64 = self.with_connection(|c| {
            self.record
                .key(&widest)
                .key(&key)
                .arg(window)
                .arg(ahead)
                .arg(MAX_TTL_SECS)
                .invoke(c)
        })?;
        if recorded == 1 {
            Ok(())
        } else {
            Err(EnvelopeError::Replayed)
        }
    }

    fn describe(&self) -> String {
        self.store.clone()
    }
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

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::print_stdout,
        reason = "test code: a panic is a test failure"
    )]

    use super::*;

    /// The test server's URL, or `None` (after one printed line) when it is not reachable and
    /// `CI` is not `true`.
    fn server(test: &str) -> Option<String> {
        let url = std::env::var("DP_TEST_REDIS_URL")
            .unwrap_or_else(|_| "redis://127.0.0.1:6379/0".to_owned());
        let reachable = Client::open(url.as_str())
            .and_then(|c| c.get_connection_with_timeout(Duration::from_secs(2)))
            .is_ok();
        if reachable {
            return Some(url);
        }
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true but no Redis server at {url} (set DP_TEST_REDIS_URL)"
        );
        println!(
            "skipping {test}: no Redis server at {url} (set DP_TEST_REDIS_URL; CI=true makes this fail)"
        );
        None
    }

    /// A prefix of its own for one test; its keys are deleted on drop.
    struct Prefix {
        url: String,
        prefix: String,
    }

    impl Prefix {
        fn new(url: &str, test: &str) -> Self {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos();
            Self {
                url: url.to_owned(),
                prefix: format!("dp-test:{test}:{}-{nanos}:", std::process::id()),
            }
        }

        fn cache(&self) -> RedisReplayCache {
            let sep = if self.url.contains('?') { '&' } else { '?' };
            RedisReplayCache::new(&format!("{}{sep}prefix={}", self.url, self.prefix)).unwrap()
        }

        fn connection(&self) -> Connection {
            Client::open(self.url.as_str())
                .unwrap()
                .get_connection()
                .unwrap()
        }
    }

    impl Drop for Prefix {
        fn drop(&mut self) {
            // No panic here: a failing test is already unwinding.
            let Ok(mut c) = Client::open(self.url.as_str()).and_then(|c| c.get_connection()) else {
                return;
            };
            let keys: Vec<String> = redis::cmd("KEYS")
                .arg(format!("{}*", self.prefix))
                .query(&mut c)
                .unwrap_or_default();
            if !keys.is_empty() {
                let _: redis::RedisResult<i64> = redis::cmd("DEL").arg(keys).query(&mut c);
            }
        }
    }

    #[test]
    fn records_once_then_reports_a_replay() {
        let Some(url) = server("records_once_then_reports_a_replay") else {
            return;
        };
        let prefix = Prefix::new(&url, "once");
        let cache = prefix.cache();
        let alice = Some(Fingerprint([1; 32]));
        assert!(!cache.contains(alice, &[7; 16]).unwrap());
        cache
            .check_and_record(alice, &[7; 16], 1000, 1000, 150)
            .unwrap();
        assert!(cache.contains(alice, &[7; 16]).unwrap());
        assert!(
            !cache.contains(None, &[7; 16]).unwrap(),
            "senders are part of the key"
        );
        assert!(matches!(
            cache.check_and_record(alice, &[7; 16], 1000, 1000, 150),
            Err(EnvelopeError::Replayed)
        ));
        // Another process (another client) sees the entry too, under the documented key.
        assert!(matches!(
            prefix
                .cache()
                .check_and_record(alice, &[7; 16], 1000, 1001, 150),
            Err(EnvelopeError::Replayed)
        ));
        let key = format!("{}{}:{}", prefix.prefix, "01".repeat(32), "07".repeat(16));
        let ttl: i64 = redis::cmd("TTL")
            .arg(&key)
            .query(&mut prefix.connection())
            .unwrap();
        assert!((140..=150).contains(&ttl), "{ttl}");
        cache
            .check_and_record(None, &[7; 16], 1000, 1000, 150)
            .unwrap();
    }

    #[test]
    fn the_widest_window_is_shared() {
        let Some(url) = server("the_widest_window_is_shared") else {
            return;
        };
        let prefix = Prefix::new(&url, "widest");
        // One opener uses a one-day window…
        prefix
            .cache()
            .check_and_record(None, &[1; 16], 1000, 1000, 86_400)
            .unwrap();
        // …another, a one-minute window: its entry must still live for the day a wide opener
        // would accept its envelope.
        prefix
            .cache()
            .check_and_record(None, &[2; 16], 1000, 1000, 60)
            .unwrap();
        let mut c = prefix.connection();
        let widest: i64 = redis::cmd("GET")
            .arg(format!("{}widest-window", prefix.prefix))
            .query(&mut c)
            .unwrap();
        assert_eq!(widest, 86_400);
        let ttl: i64 = redis::cmd("TTL")
            .arg(format!("{}-:{}", prefix.prefix, "02".repeat(16)))
            .query(&mut c)
            .unwrap();
        assert!(ttl > 86_000, "{ttl}");
        // An envelope created an hour ago is remembered for the rest of its window only.
        prefix
            .cache()
            .check_and_record(None, &[3; 16], 1000, 4600, 60)
            .unwrap();
        let ttl: i64 = redis::cmd("TTL")
            .arg(format!("{}-:{}", prefix.prefix, "03".repeat(16)))
            .query(&mut c)
            .unwrap();
        assert!((82_000..=82_800).contains(&ttl), "{ttl}");
    }

    #[test]
    fn a_corrupt_widest_window_is_an_error() {
        let Some(url) = server("a_corrupt_widest_window_is_an_error") else {
            return;
        };
        let prefix = Prefix::new(&url, "corrupt");
        let _: () = redis::cmd("SET")
            .arg(format!("{}widest-window", prefix.prefix))
            .arg("soon")
            .query(&mut prefix.connection())
            .unwrap();
        assert!(matches!(
            prefix.cache().check_and_record(None, &[1; 16], 0, 0, 60),
            Err(EnvelopeError::ReplayStore { .. })
        ));
    }

    #[test]
    fn an_unreachable_server_is_an_error_without_the_password() {
        let cache = RedisReplayCache::new("redis://u:pw@127.0.0.1:1/0?prefix=x:").unwrap();
        for result in [
            cache.contains(None, &[1; 16]).map(drop),
            cache.check_and_record(None, &[1; 16], 0, 0, 60),
        ] {
            let Err(e @ EnvelopeError::ReplayStore { .. }) = result else {
                panic!("{result:?}");
            };
            assert!(!e.is_rejection());
            let text = e.to_string();
            assert!(!text.contains("pw"), "{text}");
            assert!(
                text.contains("redis://u:***@127.0.0.1:1/0?prefix=x:"),
                "{text}"
            );
        }
        assert!(!format!("{cache:?}").contains("pw"));
    }

    #[test]
    fn malformed_urls_are_refused_without_the_password() {
        for url in [
            "redis://u:pw@127.0.0.1:6379/0?prefx=a",
            "redis://u:pw@127.0.0.1:99999/0",
        ] {
            let Err(e @ EnvelopeError::ReplayStore { .. }) = RedisReplayCache::new(url) else {
                panic!("{url}");
            };
            assert!(!e.to_string().contains("pw"), "{e}");
        }
        let cache = RedisReplayCache::new("redis://127.0.0.1/2").unwrap();
        assert_eq!(cache.prefix(), RedisReplayCache::DEFAULT_PREFIX);
        assert_eq!(
            cache.describe(),
            "redis://127.0.0.1:6379/2?prefix=dp:replay:"
        );
    }
}
