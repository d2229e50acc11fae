use std::fs;
use std::path::Path;

use crate::FsError;

/// Creates `dir` and its missing parents, mode 0700 on Unix (only the owner may list a key
/// directory); an existing directory is left as it is.
///
/// # Errors
/// [`FsError::Io`] when a directory cannot be created.
pub fn create_private_dir_all(dir: &Path) -> Result<(), FsError> {
    if dir.as_os_str().is_empty() || dir.is_dir() {
        return Ok(());
    }
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(dir)
        .map_err(|e| FsError::io("cannot create the directory", dir, e))
}

/// Makes changes to the entries of `dir` (a new, renamed or removed file) durable. Best effort:
/// not every platform can open a directory, and a failure makes no file less complete.
pub fn sync_dir(dir: &Path) {
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
}
