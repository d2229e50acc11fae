//! Key files shared by `dp envelope` and `dp capi`: PEM keys in, new private files out.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::Path;

use dp_envelope::{EnvelopeError, PrivateKey, PublicKey};
use zeroize::Zeroizing;

use crate::error::CliError;

/// A key file's error, naming the file.
pub(crate) fn key_error(path: &Path, e: &EnvelopeError) -> CliError {
    let mut err = CliError::from_envelope(e);
    err.message = format!("{}: {}", path.display(), err.message);
    err
}

pub(crate) fn read_public_key(path: &Path) -> Result<PublicKey, CliError> {
    let text = fs::read_to_string(path)
        .map_err(|e| CliError::io(&format!("cannot read {}", path.display()), &e))?;
    PublicKey::from_pem(&text).map_err(|e| key_error(path, &e))
}

pub(crate) fn read_private_key(path: &Path) -> Result<PrivateKey, CliError> {
    let text = Zeroizing::new(
        fs::read_to_string(path)
            .map_err(|e| CliError::io(&format!("cannot read {}", path.display()), &e))?,
    );
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
