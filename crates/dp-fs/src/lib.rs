#![doc = include_str!("../README.md")]

mod atomic;
mod dir;
mod error;
mod lock;
mod read;

pub use atomic::{
    AtomicFile, TEMP_PREFIX, TEMP_SUFFIX, remove_if_unlocked, remove_stale_temporaries,
};
pub use dir::{create_private_dir_all, sync_dir};
pub use error::{FileKind, FsError};
pub use lock::FileLock;
pub use read::{read_regular_file, read_to_end_limited};
