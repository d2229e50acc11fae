use core::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// What a path turned out to be, when it is not the regular file that was expected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FileKind {
    /// A directory.
    Directory,
    /// A symbolic link (only reported where links are refused).
    Symlink,
    /// A named pipe: reading it would wait for a writer, possibly forever.
    Fifo,
    /// A Unix socket.
    Socket,
    /// A character device such as `/dev/zero`, which never ends.
    CharDevice,
    /// A block device.
    BlockDevice,
    /// Anything else.
    Other,
}

impl FileKind {
    pub(crate) fn of(file_type: std::fs::FileType) -> Self {
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileTypeExt as _;
            if file_type.is_fifo() {
                return Self::Fifo;
            }
            if file_type.is_socket() {
                return Self::Socket;
            }
            if file_type.is_char_device() {
                return Self::CharDevice;
            }
            if file_type.is_block_device() {
                return Self::BlockDevice;
            }
        }
        if file_type.is_dir() {
            Self::Directory
        } else if file_type.is_symlink() {
            Self::Symlink
        } else {
            Self::Other
        }
    }
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Directory => "a directory",
            Self::Symlink => "a symbolic link",
            Self::Fifo => "a named pipe",
            Self::Socket => "a socket",
            Self::CharDevice => "a character device",
            Self::BlockDevice => "a block device",
            Self::Other => "not a regular file",
        })
    }
}

/// Everything that can go wrong here; each variant names the path it concerns.
#[derive(Debug)]
#[non_exhaustive]
pub enum FsError {
    /// An operating-system call failed.
    Io {
        /// What was being done (`reading`, `creating a temporary file in`, …).
        action: &'static str,
        /// The path it was done to.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// The path is not a regular file.
    NotRegularFile {
        /// The path.
        path: PathBuf,
        /// What it is instead.
        kind: FileKind,
    },
    /// The file is larger than the reader accepts.
    TooLarge {
        /// The path.
        path: PathBuf,
        /// The limit in bytes.
        limit: u64,
    },
    /// The destination of a never-overwriting write exists already.
    AlreadyExists {
        /// The destination.
        path: PathBuf,
    },
    /// A lock path is a symbolic link or has other hard links: locking it would create or lock a
    /// file somewhere else.
    Link {
        /// The path.
        path: PathBuf,
    },
}

impl FsError {
    pub(crate) fn io(action: &'static str, path: &Path, source: io::Error) -> Self {
        Self::Io {
            action,
            path: path.to_path_buf(),
            source,
        }
    }

    /// The path the error concerns.
    pub fn path(&self) -> &Path {
        match self {
            Self::Io { path, .. }
            | Self::NotRegularFile { path, .. }
            | Self::TooLarge { path, .. }
            | Self::AlreadyExists { path }
            | Self::Link { path } => path,
        }
    }

    /// The kind of the underlying I/O error, if the error is one (`AlreadyExists` for
    /// [`FsError::AlreadyExists`]).
    pub fn io_kind(&self) -> Option<io::ErrorKind> {
        match self {
            Self::Io { source, .. } => Some(source.kind()),
            Self::AlreadyExists { .. } => Some(io::ErrorKind::AlreadyExists),
            _ => None,
        }
    }
}

impl fmt::Display for FsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io {
                action,
                path,
                source,
            } => write!(f, "{action} {}: {source}", path.display()),
            Self::NotRegularFile { path, kind } => {
                write!(f, "{} is {kind}, not a regular file", path.display())
            }
            Self::TooLarge { path, limit } => {
                write!(
                    f,
                    "{} is larger than the limit of {limit} bytes",
                    path.display()
                )
            }
            Self::AlreadyExists { path } => write!(f, "{} exists already", path.display()),
            Self::Link { path } => write!(
                f,
                "{} is a link; refusing to follow it (remove it and try again)",
                path.display()
            ),
        }
    }
}

impl std::error::Error for FsError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}
