//! Reading inputs and writing outputs: stdin/stdout by default, files on request; output files
//! are written atomically (`dp-fs`) and only once there is something to write.

use std::fs;
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

/// One line of command output on standard output (see `outln!`).
pub(crate) fn write_stdout_line(args: std::fmt::Arguments<'_>) {
    use std::io::Write as _;
    let mut stdout = io::stdout().lock();
    let written = stdout
        .write_fmt(args)
        .and_then(|()| stdout.write_all(b"\n"))
        .and_then(|()| stdout.flush());
    match written {
        Ok(()) => {}
        // The reader went away (`| head`): nothing more to say to anyone.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => std::process::exit(0),
        Err(e) => {
            eprintln!("error: writing to standard output: {e}");
            std::process::exit(i32::from(crate::error::EXIT_RUNTIME));
        }
    }
}

/// Writes `text` to standard output. A closed pipe (`dp … | head`) ends the output quietly, as
/// for any Unix filter, instead of failing.
pub(crate) fn print_text(text: &str) -> Result<(), CliError> {
    use std::io::Write as _;
    let mut stdout = io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(CliError::io("standard output", &e)),
        _ => Ok(()),
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
///
/// One policy for every `-o` (and `--data-out`): a file is created, and an existing one is
/// replaced only with `--force`; the file being read is never the file written (same device and
/// inode), `--force` or not. `-o -` is standard output, asked for explicitly: it may then be a
/// terminal whatever is written.
pub(crate) enum Output {
    /// Standard output; `explicit` when asked for with `-o -`.
    Stdout { explicit: bool },
    /// A file, created; replaced if it exists only when `force`.
    File { path: PathBuf, force: bool },
}

impl Output {
    pub(crate) fn new(path: Option<&Path>, force: bool) -> Self {
        match path {
            Some(p) if p == Path::new("-") => Self::Stdout { explicit: true },
            Some(p) => Self::File {
                path: p.to_path_buf(),
                force,
            },
            None => Self::Stdout { explicit: false },
        }
    }

    /// Whether output goes to a terminal that was not asked for (no `-o -`): binary must not
    /// go there.
    pub(crate) fn is_terminal(&self) -> bool {
        matches!(self, Self::Stdout { explicit: false }) && io::stdout().is_terminal()
    }

    /// Refuses plaintext that is not text for a terminal: bytes that would garble it (escape
    /// sequences) or flood it.
    pub(crate) fn check_terminal_text(&self, plaintext: &[u8]) -> Result<(), CliError> {
        if self.is_terminal() && !is_terminal_text(plaintext) {
            return Err(binary_to_terminal());
        }
        Ok(())
    }

    /// Checks, before any work, that writing here is allowed: the output is not `input` (a
    /// path, or standard input for `-` and `None`), and it does not exist unless `--force`.
    /// [`Output::write_all`] and [`AtomicFile::commit`] still refuse a file that appears in
    /// between.
    pub(crate) fn check(&self, input: Option<&Path>) -> Result<(), CliError> {
        let Self::File { path, force } = self else {
            return Ok(());
        };
        if is_same_file(path, input) {
            return Err(CliError::usage(format!(
                "{} is also the input; refusing to write over it",
                path.display()
            ))
            .with_hint("write to another file, then move it into place"));
        }
        if !force && fs::symlink_metadata(path).is_ok() {
            return Err(refusing_to_overwrite(path));
        }
        Ok(())
    }

    /// Writes everything at once. A file is written to a private unnamed temporary file beside
    /// it and linked into place (or, with `--force`, renamed over it), so a failure never
    /// leaves a truncated output.
    pub(crate) fn write_all(&self, bytes: &[u8]) -> Result<(), CliError> {
        match self {
            Self::Stdout { .. } => {
                let mut out = io::stdout().lock();
                out.write_all(bytes)
                    .and_then(|()| out.flush())
                    .map_err(|e| CliError::io("cannot write standard output", &e))
            }
            Self::File { path, force } => {
                let mut file = AtomicFile::create(path, *force)?;
                file.writer()
                    .write_all(bytes)
                    .map_err(|e| CliError::io(&format!("cannot write {}", path.display()), &e))?;
                file.commit()
            }
        }
    }
}

/// The error for an existing output without `--force`.
pub(crate) fn refusing_to_overwrite(path: &Path) -> CliError {
    CliError::runtime(format!("refusing to overwrite {}", path.display()))
        .with_hint("choose another output file, or pass --force to replace it")
}

/// The error for binary plaintext headed for a terminal.
pub(crate) fn binary_to_terminal() -> CliError {
    CliError::usage("refusing to write binary plaintext to a terminal")
        .with_hint("use -o FILE, or redirect the output; -o - writes it to the terminal anyway")
}

/// Whether `output` and `input` (a path; `-` or `None` for standard input) are one file.
#[cfg(unix)]
fn is_same_file(output: &Path, input: Option<&Path>) -> bool {
    use std::os::fd::AsFd as _;
    use std::os::unix::fs::MetadataExt as _;

    // Through symbolic links: `-o link-to-input` must not replace what the input is read from
    // either.
    let Ok(out) = fs::metadata(output) else {
        return false;
    };
    let input = match input {
        Some(p) if p != Path::new("-") => fs::metadata(p),
        // `dp unprotect -o token.txt < token.txt`
        _ => io::stdin()
            .as_fd()
            .try_clone_to_owned()
            .and_then(|fd| fs::File::from(fd).metadata()),
    };
    input.is_ok_and(|i| i.dev() == out.dev() && i.ino() == out.ino())
}

#[cfg(not(unix))]
fn is_same_file(output: &Path, input: Option<&Path>) -> bool {
    match (fs::canonicalize(output), input) {
        (Ok(out), Some(p)) if p != Path::new("-") => fs::canonicalize(p).is_ok_and(|i| i == out),
        _ => false,
    }
}

/// Whether `bytes` may be written to a terminal: UTF-8 whose only control characters are
/// `\n`, `\r` and `\t`.
pub(crate) fn is_terminal_text(bytes: &[u8]) -> bool {
    let mut check = TextCheck::default();
    check.feed(bytes) && check.finish()
}

/// [`is_terminal_text`] over a stream, fed piece by piece: a UTF-8 sequence may be split
/// between two pieces.
#[derive(Debug, Default)]
pub(crate) struct TextCheck {
    /// The start of a UTF-8 sequence that the next piece must complete (at most 3 bytes).
    pending: Vec<u8>,
    failed: bool,
}

impl TextCheck {
    /// Checks the next piece; `false` once anything fails.
    pub(crate) fn feed(&mut self, mut bytes: &[u8]) -> bool {
        while !self.failed && !self.pending.is_empty() {
            let Some((&first, rest)) = bytes.split_first() else {
                return true;
            };
            bytes = rest;
            self.pending.push(first);
            match core::str::from_utf8(&self.pending) {
                Ok(s) => {
                    self.failed = !is_text(s);
                    self.pending.clear();
                }
                Err(e) if e.error_len().is_none() => {}
                Err(_) => self.failed = true,
            }
        }
        if self.failed {
            return false;
        }
        match core::str::from_utf8(bytes) {
            Ok(s) => self.failed = !is_text(s),
            Err(e) if e.error_len().is_none() => {
                let (valid, tail) = bytes.split_at(e.valid_up_to());
                // `valid` is UTF-8 up to `valid_up_to` by the error's definition.
                self.failed = !core::str::from_utf8(valid).is_ok_and(is_text);
                self.pending.extend_from_slice(tail);
            }
            Err(_) => self.failed = true,
        }
        !self.failed
    }

    /// Whether everything fed was text, with no UTF-8 sequence left incomplete.
    pub(crate) fn finish(&self) -> bool {
        !self.failed && self.pending.is_empty()
    }
}

fn is_text(s: &str) -> bool {
    !s.chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
}

/// A file written to a private temporary file beside its destination (unnamed on Linux) and
/// moved into place by [`AtomicFile::commit`]; dropped uncommitted, or with its process killed,
/// it leaves nothing.
pub(crate) struct AtomicFile {
    path: PathBuf,
    force: bool,
    writer: BufWriter<dp_fs::AtomicFile>,
}

impl AtomicFile {
    /// A file to be created at `path`, or with `force` to replace it.
    pub(crate) fn create(path: &Path, force: bool) -> Result<Self, CliError> {
        // A `--force` replacement killed in the instant between naming and renaming leaves a
        // `.dp-tmp-*.tmp`; the next write beside it removes such files of dead writers.
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            let _ = dp_fs::remove_stale_temporaries(dir);
        }
        let file = dp_fs::AtomicFile::beside(path).map_err(|e| fs_error(&e))?;
        Ok(Self {
            path: path.to_path_buf(),
            force,
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
        if self.force {
            file.persist_replace(&self.path)
        } else {
            file.persist_new(&self.path)
        }
        .map_err(|e| output_error(&e))
    }
}

/// A failure to persist an output file, naming the user's path.
pub(crate) fn output_error(e: &dp_fs::FsError) -> CliError {
    match e {
        dp_fs::FsError::AlreadyExists { path } => refusing_to_overwrite(path),
        other => fs_error(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_text_is_utf8_without_controls_but_newlines_and_tabs() {
        for text in ["", "hello\n", "a\tb\r\n", "café ☕ 𝄞"] {
            assert!(is_terminal_text(text.as_bytes()), "{text:?}");
        }
        for bytes in [
            &b"\x1b[2J"[..],
            b"nul\0",
            b"bell\x07",
            b"del\x7f",
            "c1\u{85}".as_bytes(),
            b"\xff\xfe",
            b"\xc3",
            b"\xe2\x98",
        ] {
            assert!(!is_terminal_text(bytes), "{bytes:?}");
        }
    }

    #[test]
    fn a_stream_may_split_a_character_anywhere() {
        let text = "é☕𝄞\n".repeat(3);
        let bytes = text.as_bytes();
        for cut in 0..=bytes.len() {
            for cut2 in cut..=bytes.len() {
                let mut check = TextCheck::default();
                let (a, rest) = bytes.split_at(cut);
                let (b, c) = rest.split_at(cut2 - cut);
                assert!(
                    check.feed(a) && check.feed(b) && check.feed(c),
                    "{cut} {cut2}"
                );
                assert!(check.finish());
            }
        }
        let mut check = TextCheck::default();
        assert!(check.feed(b"ok \xf0\x9d"));
        assert!(!check.finish(), "an incomplete character at the end");
        assert!(
            check.feed(b"\x84") && !check.finish(),
            "3 bytes of a 4-byte sequence"
        );
        let mut check = TextCheck::default();
        assert!(check.feed(b"\xc2"));
        assert!(
            !check.feed(b"\x85"),
            "U+0085 split in two is still a control"
        );
    }
}
