//! What the user sees when something fails: one `error:` line, an optional `hint:` line, and an
//! exit code.

use std::fmt;
use std::process::ExitCode;

use dp_envelope::EnvelopeError;
use dp_format::FormatError;
use dp_keyring::KeyringError;

/// A failure of a `dp` command.
#[derive(Debug)]
pub(crate) struct CliError {
    pub message: String,
    pub hint: Option<String>,
    pub code: u8,
}

/// Runtime or I/O error.
pub(crate) const EXIT_RUNTIME: u8 = 1;
/// Usage error (clap uses 2 as well).
pub(crate) const EXIT_USAGE: u8 = 2;
/// The payload was rejected.
pub(crate) const EXIT_REJECTED: u8 = 3;

impl CliError {
    pub(crate) fn usage(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            hint: None,
            code: EXIT_USAGE,
        }
    }

    pub(crate) fn runtime(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            hint: None,
            code: EXIT_RUNTIME,
        }
    }

    pub(crate) fn rejected(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            hint: None,
            code: EXIT_REJECTED,
        }
    }

    /// The same failure (exit code) with a more precise message.
    pub(crate) fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = message.into();
        self
    }

    pub(crate) fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub(crate) fn io(context: &str, e: &std::io::Error) -> Self {
        Self::runtime(format!("{context}: {e}"))
    }

    /// Translates a key-ring error, with a hint naming the likely fix.
    pub(crate) fn from_keyring(e: &KeyringError, key_dir: &str) -> Self {
        let base = if e.is_rejection() {
            Self::rejected(e.to_string())
        } else {
            Self::runtime(e.to_string())
        };
        let hint = match e {
            KeyringError::KeyNotFound(_) => Some(format!(
                "the key id is not in the ring at {key_dir} — is --key-dir (or --key-store) right?"
            )),
            KeyringError::Store { .. } => Some(
                "check the store URL, that the server is running and reachable from here, and the \
                 credentials (--key-store, DP_KEY_STORE)"
                    .to_owned(),
            ),
            KeyringError::AuthenticationFailed => Some(
                "check that every --purpose (in order) and --app-name match the ones used to protect"
                    .to_owned(),
            ),
            KeyringError::KeyRevoked(_) => Some(
                "use --allow-revoked to read it anyway, then protect the data again".to_owned(),
            ),
            KeyringError::KeyUnusable {
                reason:
                    dp_keyring::DescriptorError::NoMatchingIdentity(_)
                    | dp_keyring::DescriptorError::NoDecryptor(
                        dp_keyring::encryption::KeyProtection::Certificate(_),
                    ),
                ..
            } => Some(
                "pass the certificate's identity with --unprotect-keys-with FILE (a PFX with \
                 --pfx-password-file, or a PEM with the private key)"
                    .to_owned(),
            ),
            KeyringError::WouldWriteUnencryptedKey { .. } => Some(
                "pass --protect-keys-with CERT (the certificate the ring's keys use), or \
                 --allow-unencrypted-keys if a key in clear is really wanted"
                    .to_owned(),
            ),
            KeyringError::InvalidPayload(_) => {
                Some("for payloads made with --expires-in/--expires-at, pass --time-limited".to_owned())
            }
            KeyringError::ReadOnlyRepository(_) => Some(
                "the key ring needs a new key but its directory is read-only; choose a writable --key-dir"
                    .to_owned(),
            ),
            KeyringError::MalformedElement { .. } => Some(
                "fix or remove that file: it is not skipped because it might be a revocation".to_owned(),
            ),
            KeyringError::KeyUnusable { .. } => Some(
                "the key was written by a .NET app with a key encryptor dp does not support".to_owned(),
            ),
            _ => None,
        };
        match hint {
            Some(h) => base.with_hint(h),
            None => base,
        }
    }

    /// An envelope given to a command that reads payloads.
    pub(crate) fn envelope_not_payload(envelope_command: &str) -> Self {
        Self::rejected(format!("this is a dp envelope; use `{envelope_command}`"))
    }

    /// A Data Protection payload given to a command that reads envelopes.
    pub(crate) fn payload_not_envelope() -> Self {
        Self::rejected("this is an ASP.NET Core Data Protection payload; use `dp inspect`")
            .with_hint("`dp unprotect` decrypts it; `dp envelope` commands read only dp envelopes")
    }

    /// Translates a failure to read payload text: exit 3, with a hint on what was expected.
    /// `--raw` is suggested only for a binary payload, never for text.
    pub(crate) fn from_payload_text(
        e: &FormatError,
        cookie: Option<&str>,
        envelope_command: &str,
    ) -> Self {
        const FORMS: &str = "expected payload text: base64url or base64 (as `dp protect` or .NET's \
                             Protect writes it), possibly quoted, URL-encoded, or a cookie \
                             (name=value, or a whole Cookie: header)";
        let (message, hint) = match e {
            FormatError::LooksLikeEnvelope => return Self::envelope_not_payload(envelope_command),
            FormatError::EmptyInput => (
                e.to_string(),
                "pass the payload as a file argument or on standard input",
            ),
            FormatError::BinaryPayload => (e.to_string(), "pass --raw to read a binary payload"),
            FormatError::Base64Length { .. } => {
                (e.to_string(), "was the text cut off when it was copied?")
            }
            FormatError::ChunkedCookie { .. } => (
                e.to_string(),
                "chunked cookies need all their parts: pass the whole Cookie header \
                     (NAME=chunks-N; NAMEC1=…; …; NAMECN=…)",
            ),
            FormatError::CookieNotFound => (
                match cookie {
                    Some(name) => format!("there is no cookie `{name}` in the input"),
                    None => e.to_string(),
                },
                "check --cookie NAME (names are compared ignoring case)",
            ),
            FormatError::AmbiguousCookie { .. } => (
                e.to_string(),
                "name the cookie that holds the payload with --cookie NAME",
            ),
            _ => (e.to_string(), FORMS),
        };
        Self::rejected(message).with_hint(hint)
    }

    /// Translates an envelope error: exit 3 for a rejected envelope, else 1, with a hint naming
    /// the likely cause. Commands that know more (the cache path, the key) replace the hint.
    pub(crate) fn from_envelope(e: &EnvelopeError) -> Self {
        let base = if e.is_rejection() {
            Self::rejected(e.to_string())
        } else {
            Self::runtime(e.to_string())
        };
        let hint = match e {
            EnvelopeError::Format(_) => {
                Some("the input is not a dp envelope, or it was damaged".to_owned())
            }
            EnvelopeError::SessionKeyBlob(_) => Some(
                "expected a SIMPLEBLOB as CryptExportKey writes it, for this --key (see `dp capi open --help`)"
                    .to_owned(),
            ),
            EnvelopeError::KeyBlob(FormatError::InvalidRsaNumber { .. }) => Some(
                "the BLOB is well-formed but holds no RSA key: the file is damaged, or not a key"
                    .to_owned(),
            ),
            EnvelopeError::KeyBlob(_) => Some(
                "expected a PEM key, or a PUBLICKEYBLOB / PRIVATEKEYBLOB as CryptExportKey writes it (see `dp capi --help`)"
                    .to_owned(),
            ),
            EnvelopeError::NotARecipient => Some(
                "is --key right? `dp envelope inspect` lists the recipients' fingerprints".to_owned(),
            ),
            EnvelopeError::HeaderAuthenticationFailed
            | EnvelopeError::ChunkAuthenticationFailed { .. }
            | EnvelopeError::BadSignature => Some(
                "the envelope was modified after it was sealed (or damaged in transit); ask for it again"
                    .to_owned(),
            ),
            EnvelopeError::Truncated => {
                Some("the envelope is incomplete: was the transfer interrupted?".to_owned())
            }
            EnvelopeError::TrailingData => Some(
                "something follows the envelope: were two files concatenated?".to_owned(),
            ),
            EnvelopeError::TooOld { .. } => Some(
                "envelopes older than --max-age (default 24h) are rejected; raise --max-age if delivery is slow"
                    .to_owned(),
            ),
            EnvelopeError::FromTheFuture { .. } => Some(
                "the sender's clock or this one is wrong by more than the 5 minutes allowed".to_owned(),
            ),
            EnvelopeError::Replayed => Some(
                "this envelope was opened before; use --no-replay-check only if you are sure"
                    .to_owned(),
            ),
            EnvelopeError::Unsigned => Some(
                "--from requires a signed envelope: the sender must seal with --sign".to_owned(),
            ),
            EnvelopeError::WrongSender => Some(
                "the envelope names another signer than --from; `dp envelope inspect` shows its fingerprint"
                    .to_owned(),
            ),
            EnvelopeError::InvalidKey(_) => Some(
                "keys are PEM files (PUBLIC KEY, or PKCS#8 PRIVATE KEY) as `dp envelope keygen` writes them; `dp capi` also reads key BLOBs"
                    .to_owned(),
            ),
            _ => None,
        };
        match hint {
            Some(h) => base.with_hint(h),
            None => base,
        }
    }

    /// Prints the error on stderr — `error:` and `hint:` lines, or with `json` one JSON object
    /// (`{"schema":1,"error":…,"hint":…,"exit":N}`) — and returns the exit code.
    pub(crate) fn report(&self, json: bool) -> ExitCode {
        if json {
            eprintln!(
                "{}",
                crate::json::document(serde_json::json!({
                    "error": self.message,
                    "hint": self.hint,
                    "exit": self.code,
                }))
            );
        } else {
            eprintln!("error: {}", self.message);
            if let Some(hint) = &self.hint {
                eprintln!("hint: {hint}");
            }
        }
        ExitCode::from(self.code)
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Whether the command line asks for JSON output: `--json` anywhere before a `--`. Read before
/// parsing, so that a usage error in a `--json` command line is JSON as well.
pub(crate) fn wants_json(args: &[std::ffi::OsString]) -> bool {
    args.iter()
        .skip(1)
        .take_while(|a| a.as_os_str() != "--")
        .any(|a| a.as_os_str() == "--json")
}

/// Reports a clap error: help and version go to stdout as clap prints them (exit 0); a usage
/// error is clap's text, or with `json` the JSON error object, and exit 2.
pub(crate) fn report_clap(e: &clap::Error, json: bool) -> ExitCode {
    if !json || !e.use_stderr() {
        // Printing fails only if the stream is closed; the exit code still tells.
        let _ = e.print();
        return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(EXIT_USAGE));
    }
    let text = e.render().to_string();
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let message = lines
        .next()
        .map_or("invalid command line", |l| {
            l.strip_prefix("error: ").unwrap_or(l)
        })
        .to_owned();
    let rest: Vec<&str> = lines.collect();
    let tips: Vec<&str> = rest
        .iter()
        .filter_map(|l| l.strip_prefix("tip: "))
        .collect();
    let hint = if tips.is_empty() {
        rest.iter()
            .find(|l| l.starts_with("Usage: "))
            .map(|usage| format!("{usage}; try '--help'"))
    } else {
        Some(tips.join("; "))
    };
    let error = CliError {
        message,
        hint,
        code: EXIT_USAGE,
    };
    error.report(true)
}
