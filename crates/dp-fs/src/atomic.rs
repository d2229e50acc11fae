//! Writing a file so that it appears whole or not at all, and leaves no copy behind.
//!
//! ```text
//! Linux:      open(dir, O_TMPFILE, 0600) → write → fsync → linkat(/proc/self/fd/N → NAME)
//!             (replace: linkat → .dp-tmp-{uuid}.tmp, then rename over NAME)
//! elsewhere:  create .dp-tmp-{uuid}.tmp (0600), flock it → write → fsync → link/rename
//! ```
//! An unnamed temporary file vanishes with its process, whatever kills it. A named one is held
//! under an advisory lock by its writer for its whole life, so [`remove_stale_temporaries`] can
//! tell a live writer's file from a dead one's.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::{FsError, sync_dir};

/// Names of temporary files start with this…
pub const TEMP_PREFIX: &str = ".dp-tmp-";
/// …and end with this.
pub const TEMP_SUFFIX: &str = ".tmp";

/// A file being written, invisible under its final name until persisted.
///
/// Dropped without being persisted, it disappears.
pub struct AtomicFile {
    file: File,
    dir: PathBuf,
    /// `None` while the file has no name (Linux `O_TMPFILE`).
    named: Option<PathBuf>,
}

impl core::fmt::Debug for AtomicFile {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("AtomicFile")
            .field("dir", &self.dir)
            .field("named", &self.named)
            .finish_non_exhaustive()
    }
}

fn temp_name(dir: &Path) -> PathBuf {
    dir.join(format!(
        "{TEMP_PREFIX}{}{TEMP_SUFFIX}",
        uuid::Uuid::new_v4()
    ))
}

fn directory_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

impl AtomicFile {
    /// A new private (mode 0600) temporary file in `dir`, which must be the directory of the
    /// final path (a link cannot cross file systems).
    ///
    /// # Errors
    /// [`FsError::Io`] if no file can be created there.
    pub fn new_in(dir: &Path) -> Result<Self, FsError> {
        let dir = if dir.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            dir.to_path_buf()
        };
        #[cfg(target_os = "linux")]
        if let Some(file) = unnamed_file(&dir) {
            return Ok(Self {
                file,
                dir,
                named: None,
            });
        }
        // A concurrent `remove_stale_temporaries` could remove the file between its creation
        // and the lock; the inode check catches that and a fresh name is drawn.
        for _ in 0..3 {
            let path = temp_name(&dir);
            let file = create_private(&path)
                .map_err(|e| FsError::io("cannot create a temporary file in", &dir, e))?;
            let _ = file.try_lock();
            if same_file(&file, &path) {
                return Ok(Self {
                    file,
                    dir,
                    named: Some(path),
                });
            }
        }
        Err(FsError::io(
            "cannot keep a temporary file in",
            &dir,
            io::Error::other("it was removed while being created"),
        ))
    }

    /// A temporary file beside `path` (in its directory).
    ///
    /// # Errors
    /// As [`AtomicFile::new_in`].
    pub fn beside(path: &Path) -> Result<Self, FsError> {
        Self::new_in(&directory_of(path))
    }

    /// The open file, for writing (and reading back).
    pub fn file(&mut self) -> &mut File {
        &mut self.file
    }

    /// Flushes the contents to disk and gives them the name `dest`, which must not exist: an
    /// existing file is never overwritten, even by a concurrent writer.
    ///
    /// # Errors
    /// [`FsError::AlreadyExists`], or [`FsError::Io`].
    pub fn persist_new(mut self, dest: &Path) -> Result<(), FsError> {
        self.file
            .sync_all()
            .map_err(|e| FsError::io("cannot write", dest, e))?;
        let result = match &self.named {
            #[cfg(target_os = "linux")]
            None => link_unnamed(&self.file, dest),
            #[cfg(not(target_os = "linux"))]
            None => Err(io::Error::other("unnamed temporary files are Linux-only")),
            Some(tmp) => match fs::hard_link(tmp, dest) {
                // A file system without hard links: a rename, guarded by an existence check
                // (callers that need more hold a lock around the write).
                Err(e)
                    if e.kind() != io::ErrorKind::AlreadyExists
                        && fs::symlink_metadata(dest).is_err() =>
                {
                    fs::rename(tmp, dest)
                }
                other => other,
            },
        };
        self.remove_name();
        match result {
            Ok(()) => {
                sync_dir(&self.dir);
                Ok(())
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(FsError::AlreadyExists {
                path: dest.to_path_buf(),
            }),
            Err(e) => Err(FsError::io("cannot create", dest, e)),
        }
    }

    /// Flushes the contents to disk and atomically replaces `dest` with them (or creates it).
    ///
    /// # Errors
    /// [`FsError::Io`].
    pub fn persist_replace(mut self, dest: &Path) -> Result<(), FsError> {
        self.file
            .sync_all()
            .map_err(|e| FsError::io("cannot write", dest, e))?;
        let tmp = match &self.named {
            Some(tmp) => tmp.clone(),
            None => {
                // Give it a name first: rename(2) needs one. The lock taken here marks the
                // name as alive until the rename.
                let tmp = temp_name(&self.dir);
                let _ = self.file.try_lock();
                #[cfg(target_os = "linux")]
                link_unnamed(&self.file, &tmp).map_err(|e| FsError::io("cannot write", dest, e))?;
                self.named = Some(tmp.clone());
                tmp
            }
        };
        let result = fs::rename(&tmp, dest);
        match result {
            Ok(()) => {
                self.named = None;
                sync_dir(&self.dir);
                Ok(())
            }
            Err(e) => {
                self.remove_name();
                Err(FsError::io("cannot replace", dest, e))
            }
        }
    }

    /// Gives up on persisting: removes any name the file has and returns an open handle to
    /// it, which the OS deletes when it is closed — scratch space that nothing else can open
    /// and that does not outlive the process.
    ///
    /// # Errors
    /// [`FsError::Io`] if the handle cannot be duplicated (descriptor limit).
    pub fn into_unlinked_file(mut self) -> Result<File, FsError> {
        self.remove_name();
        self.file
            .try_clone()
            .map_err(|e| FsError::io("cannot keep a temporary file in", &self.dir, e))
    }

    fn remove_name(&mut self) {
        if let Some(tmp) = self.named.take() {
            let _ = fs::remove_file(tmp);
        }
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.file.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        self.remove_name();
    }
}

/// Removes `path` if no live process holds its lock (its writer died). Returns whether it was
/// removed.
pub fn remove_if_unlocked(path: &Path) -> bool {
    let Ok(metadata) = fs::symlink_metadata(path) else {
        return false;
    };
    if !metadata.is_file() {
        return false;
    }
    let Ok(file) = File::open(path) else {
        return false;
    };
    if file.try_lock().is_err() {
        return false;
    }
    fs::remove_file(path).is_ok()
}

/// Removes the temporary files of dead writers (names `.dp-tmp-*.tmp`, unlocked) from `dir`,
/// and returns how many. Best effort: a file that cannot be examined is left alone.
///
/// # Errors
/// [`FsError::Io`] if the directory cannot be listed (a missing directory holds nothing).
pub fn remove_stale_temporaries(dir: &Path) -> Result<usize, FsError> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(FsError::io("cannot list", dir, e)),
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let is_ours = name
            .to_str()
            .is_some_and(|n| n.starts_with(TEMP_PREFIX) && n.ends_with(TEMP_SUFFIX));
        if is_ours && remove_if_unlocked(&entry.path()) {
            removed += 1;
        }
    }
    Ok(removed)
}

fn create_private(path: &Path) -> io::Result<File> {
    let mut options = fs::OpenOptions::new();
    options.read(true).write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt as _;
    match (file.metadata(), fs::symlink_metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_file: &File, path: &Path) -> bool {
    path.exists()
}

/// An `O_TMPFILE` file in `dir`, or `None` where the file system cannot make one (the named
/// fallback then applies).
#[cfg(target_os = "linux")]
fn unnamed_file(dir: &Path) -> Option<File> {
    use rustix::fs::{Mode, OFlags};
    rustix::fs::open(
        dir,
        OFlags::TMPFILE | OFlags::RDWR | OFlags::CLOEXEC,
        Mode::RUSR | Mode::WUSR,
    )
    .ok()
    .map(File::from)
}

/// Gives an unnamed file a name; fails with `AlreadyExists` if the name is taken.
#[cfg(target_os = "linux")]
fn link_unnamed(file: &File, dest: &Path) -> io::Result<()> {
    use std::os::fd::AsRawFd as _;

    use rustix::fs::{AtFlags, CWD};
    // Through /proc, which needs no privilege; AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH but
    // works without /proc mounted.
    let proc_path = format!("/proc/self/fd/{}", file.as_raw_fd());
    match rustix::fs::linkat(CWD, proc_path.as_str(), CWD, dest, AtFlags::SYMLINK_FOLLOW) {
        Ok(()) => Ok(()),
        Err(e) if e == rustix::io::Errno::EXIST => Err(e.into()),
        Err(first) => rustix::fs::linkat(file, "", CWD, dest, AtFlags::EMPTY_PATH).map_err(|e| {
            if e == rustix::io::Errno::EXIST {
                e
            } else {
                first
            }
            .into()
        }),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use std::io::Write as _;

    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn persist_new_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("a.xml");
        let mut f = AtomicFile::new_in(dir.path()).unwrap();
        f.write_all(b"first").unwrap();
        f.persist_new(&dest).unwrap();
        let mut g = AtomicFile::new_in(dir.path()).unwrap();
        g.write_all(b"second").unwrap();
        assert!(matches!(
            g.persist_new(&dest),
            Err(FsError::AlreadyExists { .. })
        ));
        assert_eq!(fs::read(&dest).unwrap(), b"first");
        assert_eq!(names(dir.path()), ["a.xml"]);
    }

    #[test]
    fn persist_replace_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("cache");
        fs::write(&dest, b"old").unwrap();
        let mut f = AtomicFile::beside(&dest).unwrap();
        f.write_all(b"new").unwrap();
        f.persist_replace(&dest).unwrap();
        assert_eq!(fs::read(&dest).unwrap(), b"new");
        assert_eq!(names(dir.path()), ["cache"]);
    }

    #[test]
    fn a_dropped_file_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut f = AtomicFile::new_in(dir.path()).unwrap();
        f.write_all(b"secret").unwrap();
        drop(f);
        assert!(names(dir.path()).is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn files_are_private() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("k");
        AtomicFile::new_in(dir.path())
            .unwrap()
            .persist_new(&dest)
            .unwrap();
        assert_eq!(
            fs::metadata(&dest).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn on_linux_the_temporary_file_has_no_name() {
        let dir = tempfile::tempdir().unwrap();
        let mut f = AtomicFile::new_in(dir.path()).unwrap();
        f.write_all(b"secret").unwrap();
        assert!(names(dir.path()).is_empty(), "{:?}", names(dir.path()));
    }

    #[test]
    fn an_unlinked_file_is_readable_and_leaves_no_name() {
        use std::io::{Read as _, Seek as _};
        let dir = tempfile::tempdir().unwrap();
        let mut f = AtomicFile::new_in(dir.path()).unwrap();
        f.write_all(b"scratch").unwrap();
        let mut file = f.into_unlinked_file().unwrap();
        assert!(names(dir.path()).is_empty());
        file.rewind().unwrap();
        let mut back = String::new();
        file.read_to_string(&mut back).unwrap();
        assert_eq!(back, "scratch");
    }

    #[test]
    fn stale_temporaries_are_removed_and_live_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        let stale = dir.path().join(format!("{TEMP_PREFIX}dead{TEMP_SUFFIX}"));
        fs::write(&stale, b"left by a killed writer").unwrap();
        let live = dir.path().join(format!("{TEMP_PREFIX}live{TEMP_SUFFIX}"));
        let held = create_private(&live).unwrap();
        held.lock().unwrap();
        let other = dir.path().join("key-1.xml");
        fs::write(&other, b"<key/>").unwrap();
        assert_eq!(remove_stale_temporaries(dir.path()).unwrap(), 1);
        assert!(!stale.exists());
        assert!(live.exists());
        assert!(other.exists());
        drop(held);
        assert_eq!(remove_stale_temporaries(dir.path()).unwrap(), 1);
    }
}
