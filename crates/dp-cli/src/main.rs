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

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use dp_keyring::{DataProtectionProvider, FileSystemRepository};

use crate::cli::{Cli, Command, KeysCommand};
use crate::error::CliError;

/// What every command needs: where the keys are and the application name.
pub(crate) struct Context {
    pub key_dir: PathBuf,
    pub app_name: Option<String>,
}

impl Context {
    fn new(key_dir: Option<PathBuf>, app_name: Option<String>) -> Result<Self, CliError> {
        let key_dir = match key_dir {
            Some(dir) => dir,
            None => FileSystemRepository::default_directory(|name| std::env::var(name).ok())
                .ok_or_else(|| {
                    CliError::usage("no key directory: set --key-dir or DP_KEY_DIR")
                        .with_hint("HOME is not set, so the ASP.NET Core default cannot be used")
                })?,
        };
        Ok(Self { key_dir, app_name })
    }

    pub(crate) fn provider(&self) -> DataProtectionProvider {
        DataProtectionProvider::new(
            FileSystemRepository::new(self.key_dir.clone()),
            self.app_name.as_deref(),
        )
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
        command,
    } = cli;
    // Only key-ring commands need a key directory: envelopes name their keys as files and the
    // benchmark keeps its keys in memory.
    let ring = || Context::new(key_dir, app_name);
    match command {
        Command::Keys(KeysCommand::New {
            algorithm,
            lifetime,
            activate_at,
        }) => commands::keys::new(&ring()?, &algorithm, lifetime, activate_at.as_deref()),
        Command::Keys(KeysCommand::List { json }) => commands::keys::list(&ring()?, json),
        Command::Keys(KeysCommand::Revoke(args)) => commands::keys::revoke(&ring()?, &args),
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
