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

/// `println!` for command output: a closed pipe (`dp keys list | head -1`) ends the process
/// quietly, as Unix filters end, instead of panicking; any other write failure is exit 1.
macro_rules! outln {
    () => {
        $crate::io::write_stdout_line(format_args!(""))
    };
    ($($arg:tt)*) => {
        $crate::io::write_stdout_line(format_args!($($arg)*))
    };
}

mod cli;
mod commands;
mod error;
mod io;
mod json;
mod ring_options;

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};
use dp_keyring::encryption::KeyEncryption;
use std::sync::Arc;

use dp_keyring::repository::{StoreUrl, XmlRepository};
use dp_keyring::{DataProtectionProvider, FileSystemRepository, KeyManagementOptions};

use crate::cli::{Cli, Command, KeysArgs, KeysCommand, ProtectKeysPadding, RingArgs};
use crate::error::CliError;
use crate::ring_options::RingEncryptionOptions;

/// What every key-ring command needs: where the keys are, the application name, and how keys
/// are protected at rest.
pub(crate) struct Context {
    pub store: StoreUrl,
    pub app_name: Option<String>,
    pub encryption: KeyEncryption,
    repository: std::sync::OnceLock<Arc<dyn XmlRepository>>,
}

/// The environment variables that choose the store, strongest first.
const ENV_KEY_STORE: &str = "DP_KEY_STORE";
const ENV_KEY_DIR: &str = "DP_KEY_DIR";

impl Context {
    fn new(
        key_dir: Option<PathBuf>,
        key_store: Option<String>,
        app_name: Option<String>,
        encryption: &RingEncryptionOptions,
    ) -> Result<Self, CliError> {
        let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        // A flag beats the environment; DP_KEY_STORE beats DP_KEY_DIR.
        let store = match (key_dir, key_store) {
            (Some(dir), _) => StoreUrl::Directory(dir),
            (None, Some(url)) => parse_store(&url, "--key-store")?,
            (None, None) => match (env(ENV_KEY_STORE), env(ENV_KEY_DIR)) {
                (Some(url), _) => parse_store(&url, ENV_KEY_STORE)?,
                (None, Some(dir)) => StoreUrl::Directory(PathBuf::from(dir)),
                (None, None) => StoreUrl::Directory(
                    FileSystemRepository::default_directory(|name| std::env::var(name).ok())
                        .ok_or_else(|| {
                            CliError::usage("no key store: set --key-dir, --key-store, DP_KEY_DIR or DP_KEY_STORE")
                                .with_hint("HOME is not set, so the ASP.NET Core default cannot be used")
                        })?,
                ),
            },
        };
        Ok(Self {
            store,
            app_name,
            encryption: encryption.key_encryption()?,
            repository: std::sync::OnceLock::new(),
        })
    }

    /// The store, opened once (a server store connects here).
    pub(crate) fn repository(&self) -> Result<Arc<dyn XmlRepository>, CliError> {
        if let Some(repository) = self.repository.get() {
            return Ok(Arc::clone(repository));
        }
        let repository = self.store.open().map_err(|e| self.keyring_error(&e))?;
        Ok(Arc::clone(self.repository.get_or_init(|| repository)))
    }

    pub(crate) fn provider(&self) -> Result<DataProtectionProvider, CliError> {
        self.provider_with(KeyManagementOptions::default())
    }

    /// A provider with other key-management options (`protect --no-create`).
    pub(crate) fn provider_with(
        &self,
        options: KeyManagementOptions,
    ) -> Result<DataProtectionProvider, CliError> {
        DataProtectionProvider::builder_shared(self.repository()?)
            .application_name(self.app_name.as_deref())
            .key_encryption(self.encryption.clone())
            .options(options)
            .build()
            .map_err(|e| self.keyring_error(&e))
    }

    /// Announces on stderr each key `provider` created (`note: created key {id} in {store}`):
    /// writing to the key store is never silent.
    pub(crate) fn announce_created_keys(&self, provider: &DataProtectionProvider) {
        for id in provider.key_manager().take_created_keys() {
            eprintln!("note: created key {id} in {}", self.key_dir_display());
        }
    }

    /// The store for messages (a path, or a URL without its password).
    pub(crate) fn key_dir_display(&self) -> String {
        self.store.redacted()
    }

    pub(crate) fn keyring_error(&self, e: &dp_keyring::KeyringError) -> CliError {
        CliError::from_keyring(e, &self.key_dir_display())
    }
}

fn parse_store(url: &str, source: &str) -> Result<StoreUrl, CliError> {
    StoreUrl::parse(url).map_err(|e| {
        CliError::usage(format!("{source}: {e}")).with_hint(
            "for example redis://127.0.0.1:6379/0, postgres://user@host/db, xml:/path/ring.xml",
        )
    })
}

/// The command-line definition: [`Cli`] with the ring options before the subcommand made local
/// to the top level and hidden from its help (each ring command lists them), and a version that
/// names the RSA backends compiled in.
pub(crate) fn command() -> clap::Command {
    let backends: Vec<&str> = dp_envelope::RsaBackend::ALL
        .iter()
        .map(|b| b.name())
        .collect();
    let version = format!(
        "{} (RSA: {})",
        env!("CARGO_PKG_VERSION"),
        backends.join(", ")
    );
    RingArgs::IDS
        .iter()
        .fold(Cli::command(), |cmd, id| {
            cmd.mut_arg(*id, |arg| arg.global(false).hide(true))
        })
        .version(version)
}

fn run(cli: Cli) -> Result<(), CliError> {
    let Cli {
        ring: before,
        command,
    } = cli;
    let ring = match command.ring_args() {
        // Holds the options given before the subcommand as well (global propagation).
        Some(ring) => ring.clone(),
        None => {
            if let Some(name) = before.first_given() {
                return Err(CliError::usage(format!(
                    "{name} is a key ring option, and this command uses no key ring"
                ))
                .with_hint("ring options apply to keys, protect, unprotect, inspect, cookie and antiforgery"));
            }
            RingArgs::default()
        }
    };
    let RingArgs {
        key_dir,
        key_store,
        app_name,
        unprotect_keys_with,
        pfx_password_file,
        protect_keys_with,
        protect_keys_padding,
        allow_unencrypted_keys,
    } = ring;
    let encryption = RingEncryptionOptions {
        unprotect_keys_with,
        pfx_password_file,
        protect_keys_with,
        padding: protect_keys_padding.unwrap_or(ProtectKeysPadding::Oaep),
        allow_unencrypted_keys,
    };
    // Only key-ring commands need a key directory: envelopes name their keys as files and the
    // benchmark keeps its keys in memory.
    let ring = || Context::new(key_dir, key_store, app_name, &encryption);
    match command {
        Command::Keys(KeysArgs { command, .. }) => match command {
            KeysCommand::New {
                algorithm,
                lifetime,
                activate_at,
            } => commands::keys::new(&ring()?, &algorithm, lifetime, activate_at.as_deref()),
            KeysCommand::List { json } => commands::keys::list(&ring()?, json),
            KeysCommand::Revoke(args) => commands::keys::revoke(&ring()?, &args),
            KeysCommand::Rewrap => commands::keys::rewrap(&ring()?),
            KeysCommand::Prune { expired_for } => commands::keys::prune(&ring()?, expired_for),
            KeysCommand::InitStore => commands::keys::init_store(&ring()?),
            KeysCommand::Ensure {
                min_remaining,
                lifetime,
                algorithm,
            } => commands::keys::ensure(&ring()?, &min_remaining, lifetime, &algorithm),
            KeysCommand::Copy { to } => commands::keys::copy(&ring()?, &to),
        },
        Command::Protect(args) => commands::protect::protect(&ring()?, &args),
        Command::Unprotect(args) => commands::protect::unprotect(&ring()?, &args),
        Command::Inspect(args) => commands::inspect::inspect(&ring()?, &args),
        Command::Cookie(cookie) => commands::cookie::run(&ring()?, &cookie.command),
        Command::Antiforgery(af) => commands::antiforgery::run(&ring()?, &af.command),
        Command::Purposes(args) => commands::purposes::run(&args),
        Command::Doctor(args) => commands::doctor::run(&ring()?, args.json),
        Command::Envelope(envelope) => commands::envelope::run(&envelope),
        Command::Capi(capi) => commands::capi::run(&capi),
        Command::Bench(args) => commands::bench::run(&args),
        Command::Completions(args) => {
            let mut cmd = crate::command();
            clap_complete::generate(args.shell, &mut cmd, "dp", &mut std::io::stdout());
            Ok(())
        }
        Command::Manpages(args) => commands::manpages::run(&args),
    }
}

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    // Before parsing, so that usage errors are JSON too when JSON was asked for.
    let json = error::wants_json(&args);
    let cli = match command()
        .try_get_matches_from(&args)
        .and_then(|matches| Cli::from_arg_matches(&matches))
    {
        Ok(cli) => cli,
        Err(e) => return error::report_clap(&e, json),
    };
    let json = json || cli.command.json();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => e.report(json),
    }
}
