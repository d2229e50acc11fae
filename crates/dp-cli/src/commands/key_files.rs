//! Key files shared by `dp envelope` and `dp capi`: PEM keys in, new private files out.

use std::fs::{self, File};
use std::io::{self, Write};
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

/// Creates `path` for writing, failing if it exists; `private` makes it owner-only (0600).
pub(crate) fn create_new(path: &Path, private: bool) -> io::Result<File> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    if private {
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    options.open(path)
}

pub(crate) fn write_new_file(path: &Path, bytes: &[u8], private: bool) -> Result<(), CliError> {
    let result = create_new(path, private).and_then(|mut file| {
        let written = file.write_all(bytes).and_then(|()| file.sync_all());
        if written.is_err() {
            let _ = fs::remove_file(path);
        }
        written
    });
    result.map_err(|e| CliError::io(&format!("cannot write {}", path.display()), &e))
}
