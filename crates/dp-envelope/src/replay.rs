//! The replay cache: which (sender, message id) pairs have been opened.
//!
//! ```text
//! # dp replay cache v1 retain=<seconds>
//! <created, Unix seconds> <sender fingerprint hex, or -> <message id hex>
//! …
//! ```
//! Entries older than the retention are dropped on every write: such envelopes fail the time
//! check anyway, so the file never holds more than one window of messages. The retention is the
//! widest window (max-age plus clock skew) any opener has used with this cache: pruning with a
//! narrow window must not forget an entry that a later opener with a wide window would need to
//! recognise a replay. Writers take an
//! exclusive lock on `<cache>.lock` and replace the file atomically (temporary file + rename),
//! so concurrent openers in several processes see each other's entries and a crash never
//! leaves a half-written cache. A cache that does not parse is an error, never ignored: an
//! ignored cache would let replays through.
//!
//! The cache and its lock must be regular files: a named pipe would block every opener, a link
//! to `/dev/zero` would be read until memory runs out, and a symbolic link as the lock would
//! make openers create a file wherever it points. The cache is read whole on every open, so
//! it is capped at [`MAX_REPLAY_CACHE_BYTES`].
//!
//! [`ReplayStore`] is what [`open`](crate::open) needs from a cache; the file is one store. With
//! the feature `redis`, `RedisReplayCache` is another, which a fleet of openers on several hosts
//! can share: the same rule (widest window ever used), one atomic set-if-absent per envelope.

use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use dp_fs::{AtomicFile, FileLock};

use crate::{EnvelopeError, Fingerprint};

/// Largest replay cache read: about 600,000 entries (one line is 115 bytes), far more than one
/// window of envelopes for one receiver. A fleet that opens more within one window needs a
/// shared store, not a bigger file.
pub const MAX_REPLAY_CACHE_BYTES: u64 = 64 << 20;

const HEADER: &str = "# dp replay cache v1";
const RETAIN: &str = " retain=";

/// Where opened (sender, message id) pairs are recorded: what [`open`](crate::open) needs from a
/// replay cache. Implementations must make [`ReplayStore::check_and_record`] atomic across every
/// process that shares the store, and must fail — never pass — when they cannot tell.
pub trait ReplayStore: core::fmt::Debug + Send + Sync {
    /// Whether the pair was recorded: a fast early rejection before any RSA work; the
    /// authoritative check is [`ReplayStore::check_and_record`].
    ///
    /// # Errors
    /// The store cannot be read.
    fn contains(
        &self,
        sender: Option<Fingerprint>,
        message_id: &[u8; 16],
    ) -> Result<bool, EnvelopeError>;

    /// Atomically: fails with [`EnvelopeError::Replayed`] if the pair is present, otherwise
    /// records it. `created` is the envelope's creation time and `now` the opener's clock (Unix
    /// seconds); `window` is the opener's acceptance window in seconds (max-age plus clock
    /// skew). A pair is remembered while an opener with the widest window ever used with this
    /// store could still accept its envelope: until `created` plus that window.
    ///
    /// # Errors
    /// [`EnvelopeError::Replayed`], or the store cannot be read or written.
    fn check_and_record(
        &self,
        sender: Option<Fingerprint>,
        message_id: &[u8; 16],
        created: i64,
        now: i64,
        window: i64,
    ) -> Result<(), EnvelopeError>;

    /// The store, for messages: a path, or a URL without its password.
    fn describe(&self) -> String;
}

/// A replay cache file.
#[derive(Debug, Clone)]
pub struct ReplayCache {
    path: PathBuf,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    created: i64,
    sender: Option<[u8; 32]>,
    message_id: [u8; 16],
}

fn hex<const N: usize>(text: &str) -> Option<[u8; N]> {
    if text.len() != 2 * N {
        return None;
    }
    let mut out = [0u8; N];
    for (i, slot) in out.iter_mut().enumerate() {
        *slot = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Entry {
    fn parse(line: &str) -> Option<Self> {
        let mut parts = line.split(' ');
        let created = parts.next()?.parse().ok()?;
        let sender = match parts.next()? {
            "-" => None,
            fp => Some(hex::<32>(fp)?),
        };
        let message_id = hex::<16>(parts.next()?)?;
        if parts.next().is_some() {
            return None;
        }
        Some(Self {
            created,
            sender,
            message_id,
        })
    }

    fn line(&self) -> String {
        let sender = self.sender.map_or_else(|| "-".to_owned(), |s| to_hex(&s));
        format!("{} {sender} {}\n", self.created, to_hex(&self.message_id))
    }
}

impl ReplayStore for ReplayCache {
    fn contains(
        &self,
        sender: Option<Fingerprint>,
        message_id: &[u8; 16],
    ) -> Result<bool, EnvelopeError> {
        Self::contains(self, sender, message_id)
    }

    fn check_and_record(
        &self,
        sender: Option<Fingerprint>,
        message_id: &[u8; 16],
        created: i64,
        now: i64,
        window: i64,
    ) -> Result<(), EnvelopeError> {
        Self::check_and_record(self, sender, message_id, created, now, window)
    }

    fn describe(&self) -> String {
        self.path.display().to_string()
    }
}

impl ReplayCache {
    /// A cache stored at `path` (created on first use, with its directory).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// The default location, given an environment lookup: `$XDG_DATA_HOME/dp/replay-cache`,
    /// else `$HOME/.local/share/dp/replay-cache`.
    pub fn default_path(env: impl Fn(&str) -> Option<String>) -> Option<PathBuf> {
        let var = |n: &str| env(n).filter(|v| !v.is_empty());
        if let Some(data) = var("XDG_DATA_HOME") {
            return Some(Path::new(&data).join("dp").join("replay-cache"));
        }
        var("HOME").map(|h| Path::new(&h).join(".local/share/dp/replay-cache"))
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn read(&self) -> Result<(i64, Vec<Entry>), EnvelopeError> {
        let bytes = match dp_fs::read_regular_file(&self.path, MAX_REPLAY_CACHE_BYTES) {
            Ok(bytes) => bytes,
            Err(e) if e.io_kind() == Some(io::ErrorKind::NotFound) => return Ok((0, Vec::new())),
            Err(e) => return Err(e.into()),
        };
        let text = String::from_utf8(bytes).map_err(|_| {
            EnvelopeError::io(
                format!("the replay cache {} is not text", self.path.display()),
                io::Error::from(io::ErrorKind::InvalidData),
            )
        })?;
        let corrupt = |n: usize| {
            EnvelopeError::io(
                format!(
                    "the replay cache {} is corrupt at line {}",
                    self.path.display(),
                    n + 1
                ),
                io::Error::from(io::ErrorKind::InvalidData),
            )
        };
        let mut retain = 0;
        let mut entries = Vec::new();
        for (n, line) in text.lines().enumerate() {
            if let Some(rest) = line.strip_prefix(HEADER) {
                if let Some(value) = rest.strip_prefix(RETAIN) {
                    retain = value.parse().map_err(|_| corrupt(n))?;
                }
                continue;
            }
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            entries.push(Entry::parse(line).ok_or_else(|| corrupt(n))?);
        }
        Ok((retain, entries))
    }

    fn lock(&self) -> Result<FileLock, EnvelopeError> {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        dp_fs::create_private_dir_all(dir)?;
        let mut lock_path = self.path.clone().into_os_string();
        lock_path.push(".lock");
        Ok(FileLock::acquire(Path::new(&lock_path))?)
    }

    /// Whether the pair was recorded (without taking the lock: a fast early rejection; the
    /// authoritative check is [`ReplayCache::check_and_record`]).
    ///
    /// # Errors
    /// An unreadable or corrupt cache.
    pub fn contains(
        &self,
        sender: Option<Fingerprint>,
        message_id: &[u8; 16],
    ) -> Result<bool, EnvelopeError> {
        let sender = sender.map(|f| f.0);
        Ok(self
            .read()?
            .1
            .iter()
            .any(|e| e.sender == sender && &e.message_id == message_id))
    }

    /// Under the lock: fails with [`EnvelopeError::Replayed`] if the pair is present, otherwise
    /// records it. `window` is the opener's acceptance window in seconds (max-age plus clock
    /// skew); entries older than the widest window ever used with this cache are dropped.
    ///
    /// # Errors
    /// [`EnvelopeError::Replayed`], or I/O errors.
    pub fn check_and_record(
        &self,
        sender: Option<Fingerprint>,
        message_id: &[u8; 16],
        created: i64,
        now: i64,
        window: i64,
    ) -> Result<(), EnvelopeError> {
        let _lock = self.lock()?;
        let sender = sender.map(|f| f.0);
        let (retain, mut entries) = self.read()?;
        if entries
            .iter()
            .any(|e| e.sender == sender && &e.message_id == message_id)
        {
            return Err(EnvelopeError::Replayed);
        }
        let retain = retain.max(window);
        let oldest = now.saturating_sub(retain);
        entries.retain(|e| e.created >= oldest);
        entries.push(Entry {
            created,
            sender,
            message_id: *message_id,
        });
        self.write(retain, &entries)
    }

    /// Number of entries (for tests and diagnostics).
    ///
    /// # Errors
    /// An unreadable or corrupt cache.
    pub fn len(&self) -> Result<usize, EnvelopeError> {
        self.read().map(|(_, e)| e.len())
    }

    /// Whether the cache holds no entries.
    ///
    /// # Errors
    /// An unreadable or corrupt cache.
    pub fn is_empty(&self) -> Result<bool, EnvelopeError> {
        self.len().map(|n| n == 0)
    }

    fn write(&self, retain: i64, entries: &[Entry]) -> Result<(), EnvelopeError> {
        let mut text = String::with_capacity(HEADER.len() + 32 + entries.len() * 100);
        text.push_str(HEADER);
        text.push_str(RETAIN);
        text.push_str(&retain.to_string());
        text.push('\n');
        for e in entries {
            text.push_str(&e.line());
        }
        let mut file = AtomicFile::beside(&self.path)?;
        file.write_all(text.as_bytes()).map_err(|e| {
            EnvelopeError::io(
                format!("writing the replay cache {}", self.path.display()),
                e,
            )
        })?;
        Ok(file.persist_replace(&self.path)?)
    }
}

#[cfg(test)]
mod tests {
    use std::fs;

    use dp_fs::FsError;

    use super::*;

    fn tempdir() -> Result<tempfile::TempDir, EnvelopeError> {
        tempfile::tempdir().map_err(|e| EnvelopeError::io("tempdir", e))
    }

    #[test]
    fn records_detects_and_prunes() -> Result<(), EnvelopeError> {
        let dir = tempdir()?;
        let cache = ReplayCache::new(dir.path().join("sub/cache"));
        let alice = Some(Fingerprint([1; 32]));
        cache.check_and_record(alice, &[7; 16], 100, 100, 150)?;
        assert!(cache.contains(alice, &[7; 16])?);
        assert!(
            !cache.contains(None, &[7; 16])?,
            "senders are part of the key"
        );
        assert!(matches!(
            cache.check_and_record(alice, &[7; 16], 100, 100, 150),
            Err(EnvelopeError::Replayed)
        ));
        cache.check_and_record(None, &[7; 16], 200, 200, 150)?;
        assert_eq!(cache.len()?, 2);
        // A later write drops what is older than the window.
        cache.check_and_record(None, &[8; 16], 300, 300, 150)?;
        assert_eq!(cache.len()?, 2);
        assert!(!cache.contains(alice, &[7; 16])?);
        Ok(())
    }

    #[test]
    fn a_narrow_window_does_not_forget_what_a_wide_one_needs() -> Result<(), EnvelopeError> {
        let dir = tempdir()?;
        let cache = ReplayCache::new(dir.path().join("cache"));
        // Opened once with a one-day window…
        cache.check_and_record(None, &[1; 16], 1000, 1000, 86_400)?;
        // …then another is opened with a one-minute window an hour later…
        cache.check_and_record(None, &[2; 16], 4600, 4600, 60)?;
        // …and the first must still be known to an opener with the one-day window.
        assert!(cache.contains(None, &[1; 16])?);
        Ok(())
    }

    #[cfg(unix)]
    #[test]
    fn a_cache_that_is_not_a_regular_file_is_refused_without_blocking() -> Result<(), EnvelopeError>
    {
        let dir = tempdir()?;
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .map_err(|e| EnvelopeError::io("mkfifo", e))?;
        assert!(made.success());
        let zero = dir.path().join("zero");
        std::os::unix::fs::symlink("/dev/zero", &zero).map_err(|e| EnvelopeError::io("ln", e))?;
        for (path, kind) in [
            (fifo, dp_fs::FileKind::Fifo),
            (zero, dp_fs::FileKind::CharDevice),
        ] {
            let cache = ReplayCache::new(&path);
            assert!(
                matches!(
                    cache.check_and_record(None, &[1; 16], 0, 0, 60),
                    Err(EnvelopeError::File(FsError::NotRegularFile { kind: k, .. })) if k == kind
                ),
                "{kind:?}"
            );
        }
        Ok(())
    }

    #[test]
    fn an_oversized_cache_is_refused() -> Result<(), EnvelopeError> {
        let dir = tempdir()?;
        let path = dir.path().join("cache");
        let file = fs::File::create(&path).map_err(|e| EnvelopeError::io("create", e))?;
        file.set_len(MAX_REPLAY_CACHE_BYTES + 1)
            .map_err(|e| EnvelopeError::io("set_len", e))?;
        assert!(matches!(
            ReplayCache::new(&path).contains(None, &[0; 16]),
            Err(EnvelopeError::File(FsError::TooLarge { .. }))
        ));
        Ok(())
    }

    #[cfg(unix)]
    #[test]
    fn a_lock_that_is_a_link_is_refused() -> Result<(), EnvelopeError> {
        let dir = tempdir()?;
        let target = dir.path().join("target");
        std::os::unix::fs::symlink(&target, dir.path().join("cache.lock"))
            .map_err(|e| EnvelopeError::io("ln", e))?;
        let cache = ReplayCache::new(dir.path().join("cache"));
        assert!(matches!(
            cache.check_and_record(None, &[1; 16], 0, 0, 60),
            Err(EnvelopeError::File(FsError::Link { .. }))
        ));
        assert!(!target.exists());
        Ok(())
    }

    #[test]
    fn corrupt_cache_is_an_error() -> Result<(), EnvelopeError> {
        let dir = tempdir()?;
        let path = dir.path().join("cache");
        fs::write(&path, "# dp replay cache v1 retain=60\ngarbage\n")
            .map_err(|e| EnvelopeError::io("write", e))?;
        let cache = ReplayCache::new(&path);
        assert!(matches!(
            cache.contains(None, &[0; 16]),
            Err(EnvelopeError::Io { .. })
        ));
        Ok(())
    }
}
