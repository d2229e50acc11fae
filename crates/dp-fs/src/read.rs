use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use crate::{FileKind, FsError};

/// Reads a whole regular file of at most `limit` bytes.
///
/// Symbolic links are followed (mounted secrets are often links), but what they lead to must be
/// a regular file: a named pipe would block the reader forever and a device such as `/dev/zero`
/// would never end. The file is opened without blocking and checked before anything is read,
/// and reading stops one byte past the limit whatever the file claims its size is.
///
/// # Errors
/// [`FsError::NotRegularFile`], [`FsError::TooLarge`], or [`FsError::Io`] (with
/// [`io::ErrorKind::NotFound`] for a missing file or a link to nothing).
pub fn read_regular_file(path: &Path, limit: u64) -> Result<Vec<u8>, FsError> {
    let file = open_for_reading(path)?;
    let metadata = file
        .metadata()
        .map_err(|e| FsError::io("cannot read", path, e))?;
    if !metadata.is_file() {
        return Err(FsError::NotRegularFile {
            path: path.to_path_buf(),
            kind: FileKind::of(metadata.file_type()),
        });
    }
    if metadata.len() > limit {
        return Err(FsError::TooLarge {
            path: path.to_path_buf(),
            limit,
        });
    }
    read_to_end_limited(file, limit, path)
}

/// Reads `reader` to its end, failing once more than `limit` bytes arrive. `name` names the
/// source in errors (a path, or for example `standard input`).
///
/// # Errors
/// [`FsError::TooLarge`] or [`FsError::Io`].
pub fn read_to_end_limited(reader: impl Read, limit: u64, name: &Path) -> Result<Vec<u8>, FsError> {
    let mut bytes = Vec::new();
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| FsError::io("cannot read", name, e))?;
    if u64::try_from(bytes.len()).map_or(true, |n| n > limit) {
        return Err(FsError::TooLarge {
            path: name.to_path_buf(),
            limit,
        });
    }
    Ok(bytes)
}

#[cfg(unix)]
fn open_for_reading(path: &Path) -> Result<File, FsError> {
    use rustix::fs::{Mode, OFlags};
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer. It changes
    // nothing for the regular files that pass the check below.
    rustix::fs::open(
        path,
        OFlags::RDONLY | OFlags::CLOEXEC | OFlags::NONBLOCK | OFlags::NOCTTY,
        Mode::empty(),
    )
    .map(File::from)
    .map_err(|e| FsError::io("cannot read", path, io::Error::from(e)))
}

#[cfg(not(unix))]
fn open_for_reading(path: &Path) -> Result<File, FsError> {
    File::open(path).map_err(|e| FsError::io("cannot read", path, e))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    #[test]
    fn reads_a_file_up_to_the_limit_and_not_beyond() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"0123456789").unwrap();
        assert_eq!(read_regular_file(&path, 10).unwrap(), b"0123456789");
        assert!(matches!(
            read_regular_file(&path, 9),
            Err(FsError::TooLarge { limit: 9, .. })
        ));
    }

    #[test]
    fn a_stream_longer_than_the_limit_fails() {
        let long = io::repeat(7).take(1000);
        assert!(matches!(
            read_to_end_limited(long, 999, Path::new("standard input")),
            Err(FsError::TooLarge { limit: 999, .. })
        ));
        assert_eq!(
            read_to_end_limited(&b"abc"[..], 3, Path::new("-")).unwrap(),
            b"abc"
        );
    }

    #[test]
    fn directories_are_not_files() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            read_regular_file(dir.path(), 10),
            Err(FsError::NotRegularFile {
                kind: FileKind::Directory,
                ..
            }) | Err(FsError::Io { .. })
        ));
    }

    #[cfg(unix)]
    #[test]
    fn devices_and_fifos_are_refused_without_blocking() {
        assert!(matches!(
            read_regular_file(Path::new("/dev/zero"), 1 << 20),
            Err(FsError::NotRegularFile {
                kind: FileKind::CharDevice,
                ..
            })
        ));
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        rustix::fs::mkfifoat(
            rustix::fs::CWD,
            &fifo,
            rustix::fs::Mode::RUSR | rustix::fs::Mode::WUSR,
        )
        .unwrap();
        assert!(matches!(
            read_regular_file(&fifo, 1 << 20),
            Err(FsError::NotRegularFile {
                kind: FileKind::Fifo,
                ..
            })
        ));
    }

    #[cfg(unix)]
    #[test]
    fn a_link_to_nothing_is_not_found() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(dir.path().join("missing"), &link).unwrap();
        let err = read_regular_file(&link, 10).unwrap_err();
        assert_eq!(err.io_kind(), Some(io::ErrorKind::NotFound));
        assert_eq!(err.path(), link);
    }
}
