//! Reading inputs and writing outputs: stdin/stdout by default, files on request; output files
//! are written atomically (`dp-fs`) and only once there is something to write.

use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};

use dp_format::InputKind;

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

/// Reads a protected payload: raw bytes with `--raw`, else payload text in any of the forms
/// [`dp_format::decode_payload_text`] accepts (`cookie` names the cookie to take). An envelope is
/// refused with a pointer to `envelope_command`, the command that reads it.
pub(crate) fn read_payload(
    raw: bool,
    input: Option<&Path>,
    cookie: Option<&str>,
    envelope_command: &str,
) -> Result<Vec<u8>, CliError> {
    let bytes = read_input(input)?;
    if raw {
        return match dp_format::sniff(&bytes) {
            InputKind::Envelope => Err(CliError::envelope_not_payload(envelope_command)),
            InputKind::ProtectedPayloadText => Err(CliError::rejected(
                "this is payload text, not a binary payload",
            )
            .with_hint("drop --raw: text is read without it")),
            _ => Ok(bytes),
        };
    }
    dp_format::decode_payload_text(&bytes, cookie)
        .map_err(|e| CliError::from_payload_text(&e, cookie, envelope_command))
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
                file.writer()
                    .write_all(bytes)
                    .map_err(|e| CliError::io(&format!("cannot write {}", path.display()), &e))?;
                file.commit()
            }
        }
    }
}

/// A file written to a private temporary file beside its destination (unnamed on Linux) and
/// moved into place by [`AtomicFile::commit`]; dropped uncommitted, it leaves nothing.
pub(crate) struct AtomicFile {
    path: PathBuf,
    writer: BufWriter<dp_fs::AtomicFile>,
}

impl AtomicFile {
    pub(crate) fn create(path: &Path) -> Result<Self, CliError> {
        let file = dp_fs::AtomicFile::beside(path).map_err(|e| fs_error(&e))?;
        Ok(Self {
            path: path.to_path_buf(),
            writer: BufWriter::with_capacity(WRITE_BUFFER, file),
        })
    }

    pub(crate) fn writer(&mut self) -> &mut BufWriter<dp_fs::AtomicFile> {
        &mut self.writer
    }

    pub(crate) fn commit(self) -> Result<(), CliError> {
        let file = self.writer.into_inner().map_err(|e| {
            CliError::io(&format!("cannot write {}", self.path.display()), e.error())
        })?;
        file.persist_replace(&self.path).map_err(|e| fs_error(&e))
    }
}
