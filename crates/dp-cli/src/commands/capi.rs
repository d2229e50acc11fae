//! `dp capi …`: CryptoAPI key BLOBs and the legacy session-key exchange of the seed document.
//!
//! The BLOB layouts are in `dp-format`, the conversions and the cryptography in
//! `dp-envelope::capi`; here are only files and messages.

use std::io::IsTerminal;
use std::path::Path;

use dp_crypto::{AesKeySize, OsRandom, SecureRandom};
use dp_envelope::capi::{
    SessionKeyPadding, danger_decrypt_message, danger_encrypt_message, private_key_from_blob,
    private_key_from_file, private_key_to_blob, public_key_from_blob, public_key_from_file,
    public_key_to_blob, unwrap_session_key, wrap_session_key,
};
use dp_envelope::{EnvelopeError, PrivateKey, PublicKey, RsaBackend};
use dp_format::capi::{BlobType, blob_type};
use zeroize::Zeroizing;

use crate::cli::{BlobFormat, CapiAlg, CapiCommand, CapiOpenArgs, CapiSealArgs};
use crate::commands::key_files::{key_error, write_new_file};
use crate::error::CliError;
use crate::io::{MAX_KEY_FILE_BYTES, Output, read_file, read_input};

pub(crate) fn run(command: &CapiCommand) -> Result<(), CliError> {
    match command {
        CapiCommand::ExportKey {
            input,
            format,
            output,
        } => export_key(input, *format, output),
        CapiCommand::ImportKey { input, output } => import_key(input, output),
        CapiCommand::Seal(args) => seal(args),
        CapiCommand::Open(args) => open(args),
    }
}

/// Reads a key file or SIMPLEBLOB: regular files only, and small (the message, like every
/// whole input, is read by `read_input`).
fn read(path: &Path, limit: u64) -> Result<Zeroizing<Vec<u8>>, CliError> {
    read_file(path, limit).map(Zeroizing::new)
}

fn pem_text<'a>(path: &Path, bytes: &'a [u8]) -> Result<&'a str, CliError> {
    std::str::from_utf8(bytes)
        .map_err(|_| CliError::runtime(format!("{}: not a PEM text file", path.display())))
}

/// A public key from PEM, or from a PUBLICKEYBLOB.
fn public_key(path: &Path) -> Result<PublicKey, CliError> {
    let bytes = read(path, MAX_KEY_FILE_BYTES)?;
    public_key_from_file(&bytes).map_err(|e| key_error(path, &e))
}

/// A private key from PEM (PKCS#8), or from a PRIVATEKEYBLOB.
fn private_key(path: &Path) -> Result<PrivateKey, CliError> {
    let bytes = read(path, MAX_KEY_FILE_BYTES)?;
    private_key_from_file(&bytes, RsaBackend::default()).map_err(|e| key_error(path, &e))
}

fn export_key(input: &Path, format: BlobFormat, output: &Path) -> Result<(), CliError> {
    let bytes = read(input, MAX_KEY_FILE_BYTES)?;
    let text = pem_text(input, &bytes)?;
    let is_private = text.contains("-----BEGIN PRIVATE KEY-----");
    let blob = match (format, is_private) {
        (BlobFormat::Privatekeyblob, false) => {
            return Err(CliError::usage(format!(
                "{}: a PRIVATEKEYBLOB needs a private key (PRIVATE KEY PEM)",
                input.display()
            )));
        }
        (BlobFormat::Privatekeyblob, true) => {
            let key = PrivateKey::from_pem(text).map_err(|e| key_error(input, &e))?;
            private_key_to_blob(&key).map_err(|e| key_error(input, &e))?
        }
        (BlobFormat::Publickeyblob, true) => {
            let key = PrivateKey::from_pem(text).map_err(|e| key_error(input, &e))?;
            Zeroizing::new(public_key_to_blob(key.public_key()).map_err(|e| key_error(input, &e))?)
        }
        (BlobFormat::Publickeyblob, false) => {
            let key = PublicKey::from_pem(text).map_err(|e| key_error(input, &e))?;
            Zeroizing::new(public_key_to_blob(&key).map_err(|e| key_error(input, &e))?)
        }
    };
    write_new_file(output, &blob, format == BlobFormat::Privatekeyblob)
}

fn import_key(input: &Path, output: &Path) -> Result<(), CliError> {
    let bytes = read(input, MAX_KEY_FILE_BYTES)?;
    let kind = blob_type(&bytes).map_err(|e| key_error(input, &EnvelopeError::KeyBlob(e)))?;
    match kind {
        BlobType::PublicKeyBlob => {
            let key = public_key_from_blob(&bytes).map_err(|e| key_error(input, &e))?;
            write_new_file(output, key.to_pem().as_bytes(), false)
        }
        BlobType::PrivateKeyBlob => {
            let key = private_key_from_blob(&bytes, RsaBackend::default())
                .map_err(|e| key_error(input, &e))?;
            write_new_file(output, key.to_pem().as_bytes(), true)
        }
        // The wrong kind of key file: a key-file error (1), as for any other unusable key.
        other => Err(CliError::runtime(format!(
            "{}: a {} holds a session key, not an RSA key",
            input.display(),
            if other == BlobType::SimpleBlob {
                "SIMPLEBLOB"
            } else {
                "PLAINTEXTKEYBLOB"
            }
        ))
        .with_hint("import-key reads PUBLICKEYBLOB and PRIVATEKEYBLOB files")),
    }
}

fn padding(legacy: bool) -> SessionKeyPadding {
    if legacy {
        SessionKeyPadding::DangerLegacyPkcs1v15
    } else {
        SessionKeyPadding::OaepSha1
    }
}

fn warn_legacy() {
    if std::io::stderr().is_terminal() {
        eprintln!(
            "warning: CryptoAPI messages have no integrity and no replay protection; use `dp envelope` for new systems"
        );
    }
}

fn seal(args: &CapiSealArgs) -> Result<(), CliError> {
    if args.output == args.data_out {
        return Err(CliError::usage(format!(
            "-o and --data-out are both {}",
            args.output.display()
        ))
        .with_hint("the SIMPLEBLOB and the message are two files"));
    }
    let blob_out = Output::new(Some(&args.output), args.force);
    let data_out = Output::new(Some(&args.data_out), args.force);
    for output in [&blob_out, &data_out] {
        output.check(args.input.as_deref())?;
    }
    let recipient = public_key(&args.to)?;
    let aes = match args.alg {
        CapiAlg::Aes128 => AesKeySize::Aes128,
        CapiAlg::Aes192 => AesKeySize::Aes192,
        CapiAlg::Aes256 => AesKeySize::Aes256,
    };
    let plaintext = Zeroizing::new(read_input(args.input.as_deref())?);
    let mut session_key = Zeroizing::new(vec![0u8; aes.key_len()]);
    OsRandom
        .fill(&mut session_key)
        .map_err(|e| CliError::runtime(e.to_string()))?;
    let message = danger_encrypt_message(aes, &session_key, &plaintext)
        .map_err(|e| CliError::from_envelope(&e))?;
    let blob = wrap_session_key(
        &recipient,
        aes,
        &session_key,
        padding(args.legacy_pkcs1),
        RsaBackend::default(),
    )
    .map_err(|e| CliError::from_envelope(&e))?;
    warn_legacy();
    data_out.write_all(&message)?;
    blob_out.write_all(&blob)
}

fn open(args: &CapiOpenArgs) -> Result<(), CliError> {
    // Asked for before any file is read: the acknowledgement is about the command, not the input.
    if !args.danger_no_integrity {
        return Err(CliError::usage(
            "`dp capi open` needs --danger-no-integrity: CryptoAPI messages have no integrity protection",
        )
        .with_hint(
            "a modified message is not detected, and whether it decrypts (exit 0 or 3) is a CBC \
             padding oracle that reveals the plaintext to whoever can submit messages and see the \
             result; pass --danger-no-integrity only for trusted input, or use `dp envelope`",
        ));
    }
    let output = Output::new(args.output.as_deref(), args.force);
    output.check(args.message.as_deref())?;
    let key = private_key(&args.key)?;
    let blob = read(&args.session_key, MAX_KEY_FILE_BYTES)?;
    let message = Zeroizing::new(read_input(args.message.as_deref())?);
    let message_name = match args.message.as_deref() {
        Some(path) if path != Path::new("-") => path.display().to_string(),
        _ => "standard input".to_owned(),
    };
    let (aes, session_key) = unwrap_session_key(
        &key,
        &blob,
        padding(args.legacy_pkcs1),
        RsaBackend::default(),
    )
    .map_err(|e| {
        let mut err = CliError::from_envelope(&e);
        err.message = format!("{}: {}", args.session_key.display(), err.message);
        if matches!(e, EnvelopeError::KeyUnwrapFailed) && !args.legacy_pkcs1 {
            err.with_hint("if the sender used CryptoAPI's default padding, pass --legacy-pkcs1")
        } else {
            err
        }
    })?;
    // One message for every cause (length, padding): the status is an oracle already, the text
    // need not say more.
    let plaintext = danger_decrypt_message(aes, &session_key, &message).map_err(|_| {
        CliError::rejected(format!(
            "{message_name}: the message does not decrypt with this session key"
        ))
        .with_hint("is it the message that goes with this SIMPLEBLOB, and complete?")
    })?;
    warn_legacy();
    output.check_terminal_text(&plaintext)?;
    output.write_all(&plaintext)
}
