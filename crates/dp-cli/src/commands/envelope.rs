//! `dp envelope keygen | seal | open | inspect`: session-key envelopes to RSA keys.
//!
//! Everything cryptographic is in `dp-envelope`; here are the files, the clock, the environment
//! (the replay cache's default path) and the terminal (progress bars, refusing binary output).

use std::cell::Cell;
use std::ffi::OsString;
use std::fs::{self, File};
use std::io::{self, BufReader, BufWriter, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use dp_envelope::{
    EnvelopeError, FileSink, OpenOptions, PlaintextSink, PrivateKey, RedisReplayCache, ReplayCache,
    ReplayCheck, ReplayStore, RsaBackend, ScratchSink, SealOptions, SenderIdentity,
};
use dp_format::envelope::VERSION;
use dp_format::{InputKind, payload_text::SNIFF_LEN};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::json;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::cli::{EnvelopeCommand, EnvelopeInspectArgs, KeygenArgs, OpenArgs, SealArgs};
use crate::commands::key_files::{read_private_key, read_public_key, write_new_file};
use crate::error::CliError;
use crate::io::{AtomicFile, Output, TextCheck, binary_to_terminal, refusing_to_overwrite};

/// Tolerated difference between the sender's clock and ours.
const CLOCK_SKEW_SECS: i64 = 300;
/// Inputs at least this large get a progress bar (on a terminal).
const PROGRESS_THRESHOLD: u64 = 4 * 1024 * 1024;
/// Read buffer: one default chunk, so `open`'s small frame reads do not become syscalls.
const READ_BUFFER: usize = 64 * 1024;

pub(crate) fn run(command: &EnvelopeCommand) -> Result<(), CliError> {
    match command {
        EnvelopeCommand::Keygen(args) => keygen(args),
        EnvelopeCommand::Seal(args) => seal(args),
        EnvelopeCommand::Open(args) => open(args),
        EnvelopeCommand::Inspect(args) => inspect(args),
    }
}

fn now() -> Result<i64, CliError> {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .ok()
        .and_then(|d| i64::try_from(d.as_secs()).ok())
        .ok_or_else(|| CliError::runtime("the system clock is set before 1970"))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn with_suffix(base: &Path, suffix: &str) -> PathBuf {
    let mut name = OsString::from(base.as_os_str());
    name.push(suffix);
    PathBuf::from(name)
}

/// INPUT (a path, `-` or absent for stdin), with its length when it is a regular file.
fn open_input(input: Option<&Path>) -> Result<(Box<dyn Read>, Option<u64>), CliError> {
    match input {
        Some(path) if path != Path::new("-") => {
            let file = File::open(path)
                .map_err(|e| CliError::io(&format!("cannot read {}", path.display()), &e))?;
            let len = file
                .metadata()
                .ok()
                .filter(fs::Metadata::is_file)
                .map(|m| m.len());
            Ok((Box::new(BufReader::with_capacity(READ_BUFFER, file)), len))
        }
        _ => Ok((Box::new(io::stdin().lock()), None)),
    }
}

/// A progress bar on stderr for large files, only when stderr is a terminal; cleared on drop.
struct Progress(Option<ProgressBar>);

impl Progress {
    fn new(input_len: Option<u64>) -> Self {
        let Some(len) = input_len.filter(|&n| n > PROGRESS_THRESHOLD) else {
            return Self(None);
        };
        if !io::stderr().is_terminal() {
            return Self(None);
        }
        let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template(
            "{bytes:>10} / {total_bytes} [{wide_bar}] {bytes_per_sec}, {eta} left",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        Self(Some(bar))
    }

    /// `input`, counted into the bar as it is read.
    fn wrap<'a>(&self, input: Box<dyn Read + 'a>) -> Box<dyn Read + 'a> {
        match &self.0 {
            Some(bar) => Box::new(bar.wrap_read(input)),
            None => input,
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

fn keygen(args: &KeygenArgs) -> Result<(), CliError> {
    let private_path = with_suffix(&args.out, ".key.pem");
    let public_path = with_suffix(&args.out, ".pub.pem");
    // Both checks come before any work so that a refusal leaves everything as it was;
    // `write_new_file` below still refuses a file that appears in between.
    for path in [&private_path, &public_path] {
        if fs::symlink_metadata(path).is_ok() {
            return Err(
                CliError::runtime(format!("refusing to overwrite {}", path.display()))
                    .with_hint("choose another --out NAME, or move the old key files away first"),
            );
        }
    }
    let key = PrivateKey::generate(args.bits, RsaBackend::default())
        .map_err(|e| CliError::from_envelope(&e))?;
    write_new_file(&private_path, key.to_pem().as_bytes(), true)?;
    if let Err(e) = write_new_file(&public_path, key.public_key().to_pem().as_bytes(), false) {
        // Leave no half pair behind, so that the same --out can simply be retried.
        let _ = fs::remove_file(&private_path);
        return Err(e);
    }
    outln!("{}", key.public_key().fingerprint());
    eprintln!(
        "wrote {} (secret, mode 0600) and {} (give this one out)",
        private_path.display(),
        public_path.display()
    );
    Ok(())
}

fn seal(args: &SealArgs) -> Result<(), CliError> {
    let output = Output::new(args.output.as_deref(), args.force);
    output.check(args.input.as_deref())?;
    if output.is_terminal() {
        return Err(
            CliError::usage("refusing to write a binary envelope to a terminal")
                .with_hint("use -o FILE, or redirect the output"),
        );
    }
    let recipients = args
        .to
        .iter()
        .map(|p| read_public_key(p))
        .collect::<Result<Vec<_>, _>>()?;
    let signer = args.sign.as_deref().map(read_private_key).transpose()?;
    let options = SealOptions {
        signer: signer.as_ref(),
        ..SealOptions::new(now()?)
    };
    let (input, input_len) = open_input(args.input.as_deref())?;
    let progress = Progress::new(input_len);
    let input = progress.wrap(input);
    let fail = |e: EnvelopeError| CliError::from_envelope(&e);
    match &output {
        Output::File { path, force } => {
            let mut file = AtomicFile::create(path, *force)?;
            dp_envelope::seal(&recipients, &options, input, file.writer()).map_err(fail)?;
            file.commit()
        }
        Output::Stdout { .. } => {
            let stdout = BufWriter::with_capacity(READ_BUFFER, io::stdout().lock());
            dp_envelope::seal(&recipients, &options, input, stdout)
                .map(|_| ())
                .map_err(fail)
        }
    }
}

fn open(args: &OpenArgs) -> Result<(), CliError> {
    let output = Output::new(args.output.as_deref(), args.force);
    output.check(args.input.as_deref())?;
    let key = read_private_key(&args.key)?;
    let from = args.from.as_deref().map(read_public_key).transpose()?;
    let cache = if args.no_replay_check {
        None
    } else {
        Some(replay_store(args.replay_cache.as_deref())?)
    };
    let max_age = parse_max_age(&args.max_age)?;
    let options = OpenOptions {
        expected_sender: from.as_ref(),
        replay: cache.as_deref().map(|cache| ReplayCheck {
            cache: Some(cache),
            max_age,
            clock_skew: CLOCK_SKEW_SECS,
        }),
        ..OpenOptions::new(&key, now()?)
    };
    let (input, input_len) = open_input(args.input.as_deref())?;
    let progress = Progress::new(input_len);
    let input = progress.wrap(input);
    let fail = |e: EnvelopeError| open_error(&e, &key, cache.as_deref());
    // Plaintext waits in a private file — beside OUT, or unnamed in $TMPDIR for stdout — that
    // is released only after the whole envelope verified.
    let opened = match &output {
        Output::File { path, force } => {
            let sink = if *force {
                FileSink::replace(path)
            } else {
                FileSink::create_new(path)
            }
            .map_err(|e| CliError::from_envelope(&e))?;
            dp_envelope::open(input, sink, &options)
                .map_err(|e| match e {
                    EnvelopeError::File(dp_fs::FsError::AlreadyExists { path }) => {
                        refusing_to_overwrite(&path)
                    }
                    e => fail(e),
                })?
                .0
        }
        Output::Stdout { .. } => {
            let sink = ScratchSink::new_in(&std::env::temp_dir()).map_err(|e| {
                CliError::from_envelope(&e)
                    .with_hint("set TMPDIR to a writable directory, or use -o FILE")
            })?;
            // To a terminal only text: checked as the plaintext arrives, so that binary stops
            // the open before the replay cache records the envelope.
            let refused = Cell::new(false);
            let sink = TerminalTextSink {
                inner: sink,
                check: output.is_terminal().then(TextCheck::default),
                refused: &refused,
            };
            let result = dp_envelope::open(input, sink, &options);
            if refused.get() {
                return Err(binary_to_terminal());
            }
            let (opened, mut file) = result.map_err(fail)?;
            drop(progress);
            let mut stdout = io::stdout().lock();
            io::copy(&mut file, &mut stdout)
                .and_then(|_| stdout.flush())
                .map_err(|e| CliError::io("cannot write standard output", &e))?;
            opened
        }
    };
    if let (Some(SenderIdentity::Verified(sender)), None) = (opened.sender, &from) {
        eprintln!(
            "note: signed by {sender} (signature verified); pass --from SENDER.pub.pem to require this sender"
        );
    }
    Ok(())
}

/// A sink that, when `check` is set, accepts only terminal text ([`TextCheck`]): anything
/// else fails the write (or the commit, for a character cut off at the end) and sets `refused`.
struct TerminalTextSink<'a, S> {
    inner: S,
    check: Option<TextCheck>,
    refused: &'a Cell<bool>,
}

impl<S: Write> Write for TerminalTextSink<'_, S> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if let Some(check) = &mut self.check
            && !check.feed(buf)
        {
            self.refused.set(true);
            return Err(io::Error::other("binary plaintext for a terminal"));
        }
        self.inner.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl<S: PlaintextSink> PlaintextSink for TerminalTextSink<'_, S> {
    type Output = S::Output;

    fn commit(self) -> Result<S::Output, EnvelopeError> {
        if self.check.as_ref().is_some_and(|check| !check.finish()) {
            self.refused.set(true);
            return Err(EnvelopeError::Io {
                context: "checking the plaintext".to_owned(),
                source: io::Error::other("binary plaintext for a terminal"),
            });
        }
        self.inner.commit()
    }
}

/// The replay cache `--replay-cache` names: a `redis://` or `rediss://` URL (any value with
/// `://`), else a file; by default the file in the user's data directory.
fn replay_store(arg: Option<&Path>) -> Result<Box<dyn ReplayStore>, CliError> {
    let path = match arg {
        Some(p) => {
            if let Some(url) = p.to_str().filter(|s| s.contains("://")) {
                let cache = RedisReplayCache::new(url).map_err(|e| {
                    CliError::usage(format!("--replay-cache: {e}")).with_hint(
                        "expected redis://[user:pass@]host[:port][/db][?prefix=P] (or rediss://), or a file",
                    )
                })?;
                return Ok(Box::new(cache));
            }
            p.to_owned()
        }
        None => ReplayCache::default_path(|k| std::env::var(k).ok()).ok_or_else(|| {
            CliError::usage("no replay cache: neither XDG_DATA_HOME nor HOME is set")
                .with_hint("pass --replay-cache FILE")
        })?,
    };
    Ok(Box::new(ReplayCache::new(path)))
}

fn parse_max_age(text: &str) -> Result<i64, CliError> {
    let age = humantime::parse_duration(text).map_err(|e| {
        CliError::usage(format!("--max-age: `{text}`: {e}")).with_hint("for example 15m, 24h or 7d")
    })?;
    i64::try_from(age.as_secs())
        .map_err(|_| CliError::usage(format!("--max-age: `{text}` is too long")))
}

/// Translates an `open` failure, with hints that name this key and this cache.
fn open_error(e: &EnvelopeError, key: &PrivateKey, cache: Option<&dyn ReplayStore>) -> CliError {
    let err = CliError::from_envelope(e);
    match e {
        EnvelopeError::NotARecipient => err.with_hint(format!(
            "--key has fingerprint {}; `dp envelope inspect` lists the recipients' fingerprints — is --key right?",
            key.public_key().fingerprint()
        )),
        EnvelopeError::Replayed => match cache {
            Some(cache) => err.with_hint(format!(
                "this envelope was opened before (replay cache {}); use --no-replay-check only if you are sure",
                cache.describe()
            )),
            None => err,
        },
        EnvelopeError::ReplayStore { .. } => err.with_hint(
            "nothing was written: an envelope is opened only when the replay cache answers; check the server",
        ),
        _ => err,
    }
}

/// The plaintext length, when the content algorithm fixes each chunk's overhead (GCM).
fn inspect(args: &EnvelopeInspectArgs) -> Result<(), CliError> {
    let (mut input, _) = open_input(args.input.as_deref())?;
    // The first bytes tell a Data Protection payload given by mistake; they are then read again.
    let mut prefix = Vec::with_capacity(SNIFF_LEN);
    input
        .by_ref()
        .take(SNIFF_LEN as u64)
        .read_to_end(&mut prefix)
        .map_err(|e| CliError::io("cannot read the input", &e))?;
    if matches!(
        dp_format::sniff(&prefix),
        InputKind::ProtectedPayload | InputKind::ProtectedPayloadText
    ) {
        return Err(CliError::payload_not_envelope());
    }
    let input = io::Cursor::new(prefix).chain(input);
    let inspection = dp_envelope::inspect(input).map_err(|e| CliError::from_envelope(&e))?;
    let header = &inspection.header;
    let created = OffsetDateTime::from_unix_timestamp(header.created)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok());
    let sender = inspection
        .sender
        .zip(header.sender.as_ref())
        .map(|(identity, s)| (identity.fingerprint().to_string(), s.signature_len));
    let signature_name = header.sender.as_ref().map(|s| s.algorithm.name());
    let recipients: Vec<(String, usize)> = header
        .recipients
        .iter()
        .map(|r| {
            (
                dp_envelope::Fingerprint(r.fingerprint).to_string(),
                r.wrapped_key.len(),
            )
        })
        .collect();
    let plaintext = inspection.plaintext_len();

    if args.json {
        return crate::json::print(json!({
            "format": "dp envelope",
            "format_version": VERSION,
            "content_algorithm": header.content.name(),
            "key_transport": header.key_transport.name(),
            "signature_algorithm": signature_name,
            "created": created,
            "created_unix": header.created,
            "message_id": hex(&header.message_id),
            "signed": inspection.has_signature,
            "sender": sender.as_ref().map(|(fp, len)| json!({"fingerprint": fp, "signature_length": len})),
            "recipients": recipients.iter().map(|(fp, len)| json!({"fingerprint": fp, "wrapped_key_length": len})).collect::<Vec<_>>(),
            "chunk_size": header.chunk_size,
            "chunks": inspection.chunks,
            "header_length": inspection.header_len,
            "content_length": inspection.content_len,
            "plaintext_length": plaintext,
            "total_length": inspection.total_len,
            "authenticated": false,
        }));
    }

    outln!("format:      dp envelope, version {VERSION} (not authenticated: what it claims)");
    outln!(
        "algorithms:  content {}, key transport {}, signature {}",
        header.content.name(),
        header.key_transport.name(),
        signature_name.unwrap_or("none")
    );
    match &created {
        Some(t) => outln!("created:     {t} (Unix {})", header.created),
        None => outln!("created:     Unix {} (out of range)", header.created),
    }
    outln!("message id:  {}", hex(&header.message_id));
    match &sender {
        Some((fp, len)) => outln!(
            "signed by:   {fp} (claimed; signature {len} bytes, verified by `dp envelope open`)"
        ),
        None => outln!("signed by:   nobody (unsigned: anyone could have sealed it)"),
    }
    outln!("recipients:  {}", recipients.len());
    for (fp, len) in &recipients {
        outln!("  {fp} (wrapped key {len} bytes)");
    }
    outln!(
        "chunks:      {} of up to {} bytes",
        inspection.chunks,
        header.chunk_size
    );
    match plaintext {
        Some(n) => outln!(
            "length:      {} bytes (header {}, content {}, plaintext {n})",
            inspection.total_len,
            inspection.header_len,
            inspection.content_len
        ),
        None => outln!(
            "length:      {} bytes (header {}, content {})",
            inspection.total_len,
            inspection.header_len,
            inspection.content_len
        ),
    }
    Ok(())
}
