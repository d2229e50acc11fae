//! `dp`: protect and unprotect data with ASP.NET Core Data Protection key rings, and seal data to
//! RSA keys in envelopes.
//!
//! This crate only parses arguments, moves bytes between files and the terminal, and formats
//! output; everything else is in `dp-keyring`, `dp-envelope`, `dp-crypto` and `dp-format`.
#![forbid(unsafe_code)]
#![allow(
    clippy::print_stdout,
    reason = "a command-line tool prints its results"
)]

mod cli;
mod commands;
mod error;
mod io;
mod ring_options;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use dp_keyring::encryption::KeyEncryption;
use dp_keyring::{DataProtectionProvider, FileSystemRepository, KeyManagementOptions};

use crate::cli::{Cli, Command, KeysCommand};
use crate::error::CliError;
use crate::ring_options::RingEncryptionOptions;

/// What every key-ring command needs: where the keys are, the application name, and how keys
/// are protected at rest.
pub(crate) struct Context {
    pub key_dir: PathBuf,
    pub app_name: Option<String>,
    pub encryption: KeyEncryption,
}

impl Context {
    fn new(
        key_dir: Option<PathBuf>,
        app_name: Option<String>,
        encryption: &RingEncryptionOptions,
    ) -> Result<Self, CliError> {
        let key_dir = match key_dir {
            Some(dir) => dir,
            None => FileSystemRepository::default_directory(|name| std::env::var(name).ok())
                .ok_or_else(|| {
                    CliError::usage("no key directory: set --key-dir or DP_KEY_DIR")
                        .with_hint("HOME is not set, so the ASP.NET Core default cannot be used")
                })?,
        };
        Ok(Self {
            key_dir,
            app_name,
            encryption: encryption.key_encryption()?,
        })
    }

    pub(crate) fn provider(&self) -> DataProtectionProvider {
        self.provider_with(KeyManagementOptions::default())
    }

    /// A provider with other key-management options (`protect --no-create`).
    pub(crate) fn provider_with(&self, options: KeyManagementOptions) -> DataProtectionProvider {
        DataProtectionProvider::builder(FileSystemRepository::new(self.key_dir.clone()))
            .application_name(self.app_name.as_deref())
            .key_encryption(self.encryption.clone())
            .options(options)
            .build()
            .unwrap_or_else(|_| {
                // The default options are valid; only `auto_generate_keys` differs.
                DataProtectionProvider::new(
                    FileSystemRepository::new(self.key_dir.clone()),
                    self.app_name.as_deref(),
                )
            })
    }

    pub(crate) fn key_dir_display(&self) -> String {
        self.key_dir.display().to_string()
    }

    pub(crate) fn keyring_error(&self, e: &dp_keyring::KeyringError) -> CliError {
        CliError::from_keyring(e, &self.key_dir_display())
    }
}

fn run(cli: Cli) -> Result<(), CliError> {
    let Cli {
        key_dir,
        app_name,
        unprotect_keys_with,
        pfx_password_file,
        protect_keys_with,
        protect_keys_padding,
        allow_unencrypted_keys,
        command,
    } = cli;
    let encryption = RingEncryptionOptions {
        unprotect_keys_with,
        pfx_password_file,
        protect_keys_with,
        padding: protect_keys_padding,
        allow_unencrypted_keys,
    };
    // Only key-ring commands need a key directory: envelopes name their keys as files and the
    // benchmark keeps its keys in memory.
    let ring = || Context::new(key_dir, app_name, &encryption);
    match command {
        Command::Keys(KeysCommand::New {
            algorithm,
            lifetime,
            activate_at,
        }) => commands::keys::new(&ring()?, &algorithm, lifetime, activate_at.as_deref()),
        Command::Keys(KeysCommand::List { json }) => commands::keys::list(&ring()?, json),
        Command::Keys(KeysCommand::Revoke(args)) => commands::keys::revoke(&ring()?, &args),
        Command::Keys(KeysCommand::Rewrap) => commands::keys::rewrap(&ring()?),
        Command::Keys(KeysCommand::Prune { expired_for }) => {
            commands::keys::prune(&ring()?, expired_for)
        }
        Command::Protect(args) => commands::protect::protect(&ring()?, &args),
        Command::Unprotect(args) => commands::protect::unprotect(&ring()?, &args),
        Command::Inspect(args) => commands::inspect::inspect(&ring()?, &args),
        Command::Envelope(envelope) => commands::envelope::run(&envelope),
        Command::Capi(capi) => commands::capi::run(&capi),
        Command::Bench(args) => commands::bench::run(&args),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => e.report(),
    }
}
