use std::fs::File;
use std::io;
use std::path::Path;

use crate::{FileKind, FsError};

/// An exclusive advisory lock (`flock`) on a lock file of our own, held until drop.
///
/// The lock file is created with mode 0600 if missing. It must be a regular file with no other
/// link: a symbolic link would make us create (or lock) a file wherever it points, and a hard
/// link would share the lock with an unrelated file.
#[derive(Debug)]
pub struct FileLock {
    _file: File,
}

impl FileLock {
    /// Waits for and takes the lock on `path`.
    ///
    /// # Errors
    /// [`FsError::Link`] if `path` is a symbolic or hard link, [`FsError::NotRegularFile`], or
    /// [`FsError::Io`].
    pub fn acquire(path: &Path) -> Result<Self, FsError> {
        let file = open_lock_file(path)?;
        let metadata = file
            .metadata()
            .map_err(|e| FsError::io("cannot open the lock file", path, e))?;
        if !metadata.is_file() {
            return Err(FsError::NotRegularFile {
                path: path.to_path_buf(),
                kind: FileKind::of(metadata.file_type()),
            });
        }
        #[cfg(unix)]
        if std::os::unix::fs::MetadataExt::nlink(&metadata) > 1 {
            return Err(FsError::Link {
                path: path.to_path_buf(),
            });
        }
        file.lock()
            .map_err(|e| FsError::io("cannot lock", path, e))?;
        Ok(Self { _file: file })
    }
}

#[cfg(unix)]
fn open_lock_file(path: &Path) -> Result<File, FsError> {
    use rustix::fs::{Mode, OFlags};
    let flags =
        OFlags::RDWR | OFlags::CREATE | OFlags::NOFOLLOW | OFlags::CLOEXEC | OFlags::NONBLOCK;
    match rustix::fs::open(path, flags, Mode::RUSR | Mode::WUSR) {
        Ok(fd) => Ok(File::from(fd)),
        // O_NOFOLLOW on a symbolic link.
        Err(rustix::io::Errno::LOOP) => Err(FsError::Link {
            path: path.to_path_buf(),
        }),
        Err(e) => Err(FsError::io(
            "cannot open the lock file",
            path,
            io::Error::from(e),
        )),
    }
}

#[cfg(not(unix))]
fn open_lock_file(path: &Path) -> Result<File, FsError> {
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(FsError::Link {
            path: path.to_path_buf(),
        });
    }
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(|e| FsError::io("cannot open the lock file", path, e))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    #[test]
    fn locks_a_fresh_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".lock");
        let lock = FileLock::acquire(&path).unwrap();
        assert!(path.is_file());
        drop(lock);
        FileLock::acquire(&path).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn refuses_symbolic_links_and_creates_nothing_at_their_target() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("elsewhere");
        let path = dir.path().join(".lock");
        std::os::unix::fs::symlink(&target, &path).unwrap();
        assert!(matches!(
            FileLock::acquire(&path),
            Err(FsError::Link { .. })
        ));
        assert!(!target.exists());
    }

    #[cfg(unix)]
    #[test]
    fn refuses_hard_links() {
        let dir = tempfile::tempdir().unwrap();
        let other = dir.path().join("other");
        std::fs::write(&other, b"x").unwrap();
        let path = dir.path().join(".lock");
        std::fs::hard_link(&other, &path).unwrap();
        assert!(matches!(
            FileLock::acquire(&path),
            Err(FsError::Link { .. })
        ));
    }

    #[cfg(unix)]
    #[test]
    fn refuses_a_fifo() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".lock");
        rustix::fs::mkfifoat(
            rustix::fs::CWD,
            &path,
            rustix::fs::Mode::RUSR | rustix::fs::Mode::WUSR,
        )
        .unwrap();
        assert!(matches!(
            FileLock::acquire(&path),
            Err(FsError::NotRegularFile {
                kind: FileKind::Fifo,
                ..
            })
        ));
    }
}
