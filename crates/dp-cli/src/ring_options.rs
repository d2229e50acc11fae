//! The options that say how a key ring's keys are protected at rest, from the command line or
//! the environment (for services): identities that decrypt, the certificate new keys are
//! encrypted to, and whether an unencrypted key may join an encrypted ring.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use dp_keyring::encryption::{
    Certificate, CertificateXmlDecryptor, CertificateXmlEncryptor, Identity, KeyEncryption,
    KeyTransport,
};
use dp_keyring::{IdentityError, KeyringError};
use zeroize::Zeroizing;

use crate::cli::ProtectKeysPadding;
use crate::error::CliError;
use crate::io::{MAX_KEY_FILE_BYTES, read_file};

/// Ring options about keys encrypted at rest.
#[derive(Debug, Clone)]
pub(crate) struct RingEncryptionOptions {
    pub unprotect_keys_with: Vec<PathBuf>,
    pub pfx_password_file: Option<PathBuf>,
    pub protect_keys_with: Option<PathBuf>,
    pub padding: ProtectKeysPadding,
    pub allow_unencrypted_keys: bool,
}

/// The environment variables a service sets instead of options.
const ENV_IDENTITIES: &str = "DP_UNPROTECT_KEYS_WITH";
const ENV_PASSWORD: &str = "DP_PFX_PASSWORD";
const ENV_PROTECT: &str = "DP_PROTECT_KEYS_WITH";

/// A password file holds one line; more than this is not a password file.
const MAX_PASSWORD_FILE_BYTES: u64 = 4096;

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

impl RingEncryptionOptions {
    /// The decryptors and the encryptor these options describe.
    pub(crate) fn key_encryption(&self) -> Result<KeyEncryption, CliError> {
        let identities: Vec<PathBuf> = if self.unprotect_keys_with.is_empty() {
            env(ENV_IDENTITIES)
                .map(|v| {
                    v.split(':')
                        .filter(|p| !p.is_empty())
                        .map(PathBuf::from)
                        .collect()
                })
                .unwrap_or_default()
        } else {
            self.unprotect_keys_with.clone()
        };
        let protect = self
            .protect_keys_with
            .clone()
            .or_else(|| env(ENV_PROTECT).map(PathBuf::from));
        let mut encryption =
            KeyEncryption::new().allow_unencrypted_keys(self.allow_unencrypted_keys);
        if identities.is_empty() && protect.is_none() {
            return Ok(encryption);
        }
        let password = self.password()?;
        if !identities.is_empty() {
            let loaded = load_identities(&identities, password.as_deref().map(String::as_str))?;
            encryption = encryption.with_decryptor(Arc::new(CertificateXmlDecryptor::new(loaded)));
        }
        if let Some(path) = protect {
            let bytes = read_file(&path, MAX_KEY_FILE_BYTES)?;
            let certificate = Certificate::load(&bytes, password.as_deref().map(String::as_str))
                .map_err(|e| identity_error(&path, &e))?;
            let transport = match self.padding {
                ProtectKeysPadding::Oaep => KeyTransport::RsaOaepSha1,
                ProtectKeysPadding::Pkcs1 => KeyTransport::DangerRsaPkcs1v15,
            };
            let encryptor = CertificateXmlEncryptor::new(certificate, transport)
                .map_err(|e| identity_error(&path, &e))?;
            encryption = encryption.with_encryptor(Arc::new(encryptor));
        }
        Ok(encryption)
    }

    fn password(&self) -> Result<Option<Zeroizing<String>>, CliError> {
        if let Some(path) = &self.pfx_password_file {
            let bytes = Zeroizing::new(read_file(path, MAX_PASSWORD_FILE_BYTES)?);
            let text = core::str::from_utf8(&bytes).map_err(|_| {
                CliError::runtime(format!("{}: the password file is not text", path.display()))
            })?;
            return Ok(Some(Zeroizing::new(
                text.trim_end_matches(['\n', '\r']).to_owned(),
            )));
        }
        Ok(std::env::var(ENV_PASSWORD).ok().map(Zeroizing::new))
    }
}

/// Loads every identity file. A PEM certificate and a PEM private key given as two files are
/// paired by their public key.
fn load_identities(paths: &[PathBuf], password: Option<&str>) -> Result<Vec<Identity>, CliError> {
    let mut identities = Vec::new();
    let mut certificates: Vec<(&PathBuf, Zeroizing<String>)> = Vec::new();
    let mut keys: Vec<(&PathBuf, Zeroizing<String>)> = Vec::new();
    for path in paths {
        let bytes = Zeroizing::new(read_file(path, MAX_KEY_FILE_BYTES)?);
        match Identity::load(&bytes, password) {
            Ok(identity) => identities.push(identity),
            Err(KeyringError::Identity(IdentityError::NoPrivateKey)) => {
                certificates.push((path, pem_text(path, &bytes)?));
            }
            Err(KeyringError::Identity(IdentityError::NoCertificate)) => {
                keys.push((path, pem_text(path, &bytes)?));
            }
            Err(e) => return Err(identity_error(path, &e)),
        }
    }
    for (cert_path, certificate) in &certificates {
        let paired = keys
            .iter()
            .find_map(|(_, key)| Identity::from_pem_pair(certificate, key).ok())
            .ok_or_else(|| {
                CliError::runtime(format!(
                    "{}: a certificate without its private key",
                    cert_path.display()
                ))
                .with_hint("give the matching private key too (another --unprotect-keys-with FILE)")
            })?;
        identities.push(paired);
    }
    if certificates.is_empty()
        && let Some((key_path, _)) = keys.first()
    {
        return Err(CliError::runtime(format!(
            "{}: a private key without its certificate",
            key_path.display()
        ))
        .with_hint("give the certificate too (another --unprotect-keys-with FILE)"));
    }
    Ok(identities)
}

fn pem_text(path: &Path, bytes: &[u8]) -> Result<Zeroizing<String>, CliError> {
    core::str::from_utf8(bytes)
        .map(|t| Zeroizing::new(t.to_owned()))
        .map_err(|_| CliError::runtime(format!("{}: not a PEM text file", path.display())))
}

/// An identity or certificate file that cannot be used: exit 1, naming the file.
fn identity_error(path: &Path, e: &KeyringError) -> CliError {
    let err = CliError::runtime(format!("{}: {e}", path.display()));
    if matches!(e, KeyringError::Identity(IdentityError::WrongPassword)) {
        err.with_hint("check --pfx-password-file (or DP_PFX_PASSWORD)")
    } else {
        err.with_hint(
            "give a PFX (PKCS #12) or a PEM holding the certificate and its RSA private key",
        )
    }
}
