//! Files as `dp` keeps them.
//!
//! Every crate of the workspace that touches the file system goes through here, so there is one
//! answer to each of these questions:
//!
//! * **How is a file written?** [`AtomicFile`]: the contents go to a temporary file in the
//!   destination's directory (mode 0600), are flushed to disk, and appear under their name only
//!   when complete — never overwriting ([`AtomicFile::persist_new`]) or atomically replacing
//!   ([`AtomicFile::persist_replace`]). On Linux the temporary file is *unnamed* (`O_TMPFILE`),
//!   so a process killed mid-write leaves nothing on disk, not even a zero-length file. Where
//!   the OS cannot do that, the temporary file has a name with a fixed pattern and is locked by
//!   its writer; [`remove_stale_temporaries`] removes those whose writer died.
//! * **How is a store locked?** [`FileLock`]: an advisory exclusive lock on a regular file of our
//!   own, refused if the lock path is a symbolic or hard link (which would make us create or lock
//!   a file elsewhere).
//! * **How is a whole file read?** [`read_regular_file`]: regular files only (a FIFO would block
//!   forever, `/dev/zero` would never end) and never more than a stated limit.
//!
//! This crate depends on none of the workspace's other crates.

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
