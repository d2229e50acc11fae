//! Reading inputs and writing outputs: stdin/stdout by default, files on request; output files
//! are written atomically and only once there is something to write.

use std::fs;
use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use crate::error::CliError;

/// Reads all of INPUT (a path, `-` or absent for stdin).
pub(crate) fn read_input(input: Option<&Path>) -> Result<Vec<u8>, CliError> {
    match input {
        Some(path) if path != Path::new("-") => {
            fs::read(path).map_err(|e| CliError::io(&format!("cannot read {}", path.display()), &e))
        }
        _ => {
            let mut buf = Vec::new();
            io::stdin()
                .lock()
                .read_to_end(&mut buf)
                .map_err(|e| CliError::io("cannot read standard input", &e))?;
            Ok(buf)
        }
    }
}

/// Reads a base64url payload: surrounding whitespace ignored.
pub(crate) fn read_text_payload(input: Option<&Path>) -> Result<String, CliError> {
    let bytes = read_input(input)?;
    let text = String::from_utf8(bytes).map_err(|_| {
        CliError::rejected("the input is not base64url text")
            .with_hint("use --raw for binary payloads")
    })?;
    Ok(text.trim().to_owned())
}

/// Reads a protected payload: raw bytes with `--raw`, else base64url text.
pub(crate) fn read_payload(
    ctx: &crate::Context,
    raw: bool,
    input: Option<&Path>,
) -> Result<Vec<u8>, CliError> {
    if raw {
        return read_input(input);
    }
    let text = read_text_payload(input)?;
    dp_format::base64url::decode(&text).map_err(|e| ctx.keyring_error(&e.into()))
}

/// Where output goes.
pub(crate) enum Output {
    Stdout,
    File(PathBuf),
}

impl Output {
    pub(crate) fn new(path: Option<&Path>) -> Self {
        match path {
            Some(p) if p != Path::new("-") => Self::File(p.to_path_buf()),
            _ => Self::Stdout,
        }
    }

    pub(crate) fn is_terminal(&self) -> bool {
        matches!(self, Self::Stdout) && io::stdout().is_terminal()
    }

    /// Writes everything at once. A file is written to a temporary sibling and renamed into
    /// place, so a failure never leaves a truncated output.
    pub(crate) fn write_all(&self, bytes: &[u8]) -> Result<(), CliError> {
        match self {
            Self::Stdout => {
                let mut out = io::stdout().lock();
                out.write_all(bytes)
                    .and_then(|()| out.flush())
                    .map_err(|e| CliError::io("cannot write standard output", &e))
            }
            Self::File(path) => write_file_atomically(path, bytes),
        }
    }
}

fn write_file_atomically(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".to_owned());
    let tmp = dir.join(format!(".{name}.{}.tmp", uuid::Uuid::new_v4()));
    let result = (|| {
        let mut options = fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.map_err(|e| CliError::io(&format!("cannot write {}", path.display()), &e))
}
