//! Reading inputs and writing outputs: stdin/stdout by default, files on request; output files
//! are written atomically and only once there is something to write.

use std::fs::{self, File};
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};

use crate::commands::key_files::create_new;
use crate::error::CliError;

/// Largest input read whole into memory (`protect`, `unprotect`, `inspect`, `capi seal` and
/// `capi open`). Payloads are for tokens and records, and both the input and its protected
/// form are held in memory; data this large belongs in `dp envelope`, which streams.
pub(crate) const MAX_INPUT_BYTES: u64 = 64 << 20;

/// Largest key file read (PEM or CryptoAPI BLOB). A 16384-bit private key is under 13 KB.
pub(crate) const MAX_KEY_FILE_BYTES: u64 = 1 << 20;

/// Reads a whole regular file of at most `limit` bytes: a named pipe or a device such as
/// `/dev/zero` is refused before anything is read.
pub(crate) fn read_file(path: &Path, limit: u64) -> Result<Vec<u8>, CliError> {
    dp_fs::read_regular_file(path, limit).map_err(|e| fs_error(&e))
}

/// A file error as the user sees it.
pub(crate) fn fs_error(e: &dp_fs::FsError) -> CliError {
    let err = CliError::runtime(e.to_string());
    match e {
        dp_fs::FsError::TooLarge { limit, .. } if *limit == MAX_INPUT_BYTES => err.with_hint(
            "payloads are for small data held in memory; use `dp envelope seal` for large files",
        ),
        _ => err,
    }
}

/// Reads all of INPUT (a path, `-` or absent for stdin), at most [`MAX_INPUT_BYTES`].
pub(crate) fn read_input(input: Option<&Path>) -> Result<Vec<u8>, CliError> {
    match input {
        Some(path) if path != Path::new("-") => read_file(path, MAX_INPUT_BYTES),
        _ => dp_fs::read_to_end_limited(
            io::stdin().lock(),
            MAX_INPUT_BYTES,
            Path::new("standard input"),
        )
        .map_err(|e| fs_error(&e)),
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

/// Buffer of file outputs: one default envelope chunk.
const WRITE_BUFFER: usize = 64 * 1024;

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
            Self::File(path) => {
                let mut file = AtomicFile::create(path)?;
                file.writer()?
                    .write_all(bytes)
                    .map_err(|e| CliError::io(&format!("cannot write {}", path.display()), &e))?;
                file.commit()
            }
        }
    }
}

/// A file written under a temporary name beside its destination and renamed into place by
/// [`AtomicFile::commit`]; dropped uncommitted, the temporary file is removed.
pub(crate) struct AtomicFile {
    tmp: PathBuf,
    path: PathBuf,
    writer: Option<BufWriter<File>>,
}

impl AtomicFile {
    pub(crate) fn create(path: &Path) -> Result<Self, CliError> {
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "output".to_owned());
        let tmp = dir.join(format!(".{name}.{}.tmp", uuid::Uuid::new_v4()));
        let file = create_new(&tmp, true)
            .map_err(|e| CliError::io(&format!("cannot create {}", tmp.display()), &e))?;
        Ok(Self {
            tmp,
            path: path.to_path_buf(),
            writer: Some(BufWriter::with_capacity(WRITE_BUFFER, file)),
        })
    }

    pub(crate) fn writer(&mut self) -> Result<&mut BufWriter<File>, CliError> {
        self.writer
            .as_mut()
            .ok_or_else(|| CliError::runtime("internal error: output already committed"))
    }

    pub(crate) fn commit(mut self) -> Result<(), CliError> {
        let err = |e: &io::Error| CliError::io(&format!("cannot write {}", self.path.display()), e);
        let writer = self
            .writer
            .take()
            .ok_or_else(|| CliError::runtime("internal error: output already committed"))?;
        let file = writer.into_inner().map_err(|e| err(e.error()))?;
        file.sync_all().map_err(|e| err(&e))?;
        drop(file);
        fs::rename(&self.tmp, &self.path).map_err(|e| err(&e))?;
        // Renamed: nothing left for `drop` to remove.
        self.tmp = PathBuf::new();
        Ok(())
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if !self.tmp.as_os_str().is_empty() {
            drop(self.writer.take());
            let _ = fs::remove_file(&self.tmp);
        }
    }
}
