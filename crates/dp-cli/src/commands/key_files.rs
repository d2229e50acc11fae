//! Key files shared by `dp envelope` and `dp capi`: PEM keys in, new private files out.

use std::io::Write as _;
use std::path::Path;

use dp_envelope::{EnvelopeError, PrivateKey, PublicKey};
use zeroize::Zeroizing;

use crate::error::CliError;
use crate::io::{MAX_KEY_FILE_BYTES, read_file};

/// A key file's error, naming the file.
pub(crate) fn key_error(path: &Path, e: &EnvelopeError) -> CliError {
    let mut err = CliError::from_envelope(e);
    err.message = format!("{}: {}", path.display(), err.message);
    err
}

/// Reads a PEM key file as text (regular files only, at most [`MAX_KEY_FILE_BYTES`]).
fn read_pem(path: &Path) -> Result<Zeroizing<String>, CliError> {
    let bytes = Zeroizing::new(read_file(path, MAX_KEY_FILE_BYTES)?);
    let text = core::str::from_utf8(&bytes)
        .map_err(|_| CliError::runtime(format!("{}: not a PEM file (not text)", path.display())))?;
    Ok(Zeroizing::new(text.to_owned()))
}

pub(crate) fn read_public_key(path: &Path) -> Result<PublicKey, CliError> {
    let text = read_pem(path)?;
    PublicKey::from_pem(&text).map_err(|e| key_error(path, &e))
}

pub(crate) fn read_private_key(path: &Path) -> Result<PrivateKey, CliError> {
    let text = read_pem(path)?;
    PrivateKey::from_pem(&text).map_err(|e| key_error(path, &e))
}

/// Writes a new file atomically (`dp_fs::AtomicFile`), never overwriting: owner-only (0600) if
/// `private`, else readable by all (0644, for public keys).
pub(crate) fn write_new_file(path: &Path, bytes: &[u8], private: bool) -> Result<(), CliError> {
    let fail = |e: &dyn core::fmt::Display| {
        CliError::runtime(format!("cannot write {}: {e}", path.display()))
    };
    let mut file = dp_fs::AtomicFile::beside(path).map_err(|e| fail(&e))?;
    file.write_all(bytes).map_err(|e| fail(&e))?;
    #[cfg(unix)]
    if !private {
        use std::os::unix::fs::PermissionsExt as _;
        file.file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))
            .map_err(|e| fail(&e))?;
    }
    #[cfg(not(unix))]
    let _ = private;
    file.persist_new(path).map_err(|e| match e {
        dp_fs::FsError::AlreadyExists { .. } => {
            CliError::runtime(format!("refusing to overwrite {}", path.display()))
        }
        other => fail(&other),
    })
}
