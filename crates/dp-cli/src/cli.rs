//! The command-line contract: commands, flags and help texts.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Protect and unprotect data with ASP.NET Core Data Protection key rings.
///
/// Payloads are byte-compatible with ASP.NET Core's IDataProtector: given the same key
/// directory, purposes and application name, a .NET app unprotects what dp protects, and
/// the other way round.
#[derive(Debug, Parser)]
#[command(
    name = "dp",
    version,
    after_help = concat!(
        "Examples:\n",
        "  echo -n 'secret' | dp protect --purpose demo > token.txt\n",
        "  dp unprotect --purpose demo token.txt\n",
        "  dp --key-dir /var/keys --app-name MyApp keys list\n\n",
        "Exit codes:\n",
        "  0  success\n",
        "  1  runtime or I/O error (unreadable key ring, unwritable directory, ...)\n",
        "  2  usage error\n",
        "  3  payload rejected (tampered, wrong purpose or app name, unknown or revoked key, expired)",
    )
)]
pub(crate) struct Cli {
    /// Key ring directory [default: $DP_KEY_DIR, else the directory ASP.NET Core uses:
    /// $LOCALAPPDATA/ASP.NET/DataProtection-Keys or ~/.aspnet/DataProtection-Keys]
    #[arg(long, global = true, value_name = "DIR")]
    pub key_dir: Option<PathBuf>,

    /// Application name, prepended to the purpose chain (as .NET's SetApplicationName)
    #[arg(long, global = true, value_name = "NAME")]
    pub app_name: Option<String>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Manage the keys of the key ring
    #[command(
        subcommand,
        after_help = "Examples:\n  dp keys list\n  dp keys new --algorithm AES_256_GCM\n  dp keys revoke --key-id ID --reason leaked\n  dp keys prune --expired-for 365"
    )]
    Keys(KeysCommand),
    /// Protect data: read bytes, print a base64url payload
    #[command(after_help = concat!(
        "Examples:\n",
        "  echo -n 'card 4111' | dp protect --purpose Billing --purpose v2\n",
        "  dp --app-name MyApp protect --purpose Auth --expires-in 15m -o token.txt secret.bin\n\n",
        "The first key is created automatically when the ring has none, as ASP.NET Core does.\n\n",
        "Exit codes: 0 success, 1 runtime error, 2 usage, 3 rejected",
    ))]
    Protect(ProtectArgs),
    /// Unprotect a payload: read base64url text, write exactly the plaintext bytes
    #[command(after_help = concat!(
        "Examples:\n",
        "  dp unprotect --purpose Billing --purpose v2 token.txt\n",
        "  dp --app-name MyApp unprotect --purpose Auth --time-limited < token.txt\n\n",
        "On rejection nothing is written to stdout and the exit code is 3.\n\n",
        "Exit codes: 0 success, 1 runtime error, 2 usage, 3 rejected",
    ))]
    Unprotect(UnprotectArgs),
    /// Show what a payload's header says, and its key's dates if the key is in the ring
    #[command(after_help = "Examples:\n  dp inspect token.txt\n  dp inspect --json < token.txt")]
    Inspect(InspectArgs),
}

#[derive(Debug, Subcommand)]
pub(crate) enum KeysCommand {
    /// Create a new key and print its id
    #[command(after_help = concat!(
        "Examples:\n",
        "  dp keys new\n",
        "  dp keys new --algorithm AES_256_GCM --lifetime 30\n",
        "  dp keys new --activate-at 2026-12-01T00:00:00Z\n\n",
        "Algorithms: AES_128_CBC, AES_192_CBC, AES_256_CBC (each +HMACSHA256 or +HMACSHA512),\n",
        "AES_128_GCM, AES_192_GCM, AES_256_GCM.",
    ))]
    New {
        /// Algorithm, .NET names joined by '+'
        #[arg(long, value_name = "ALG", default_value = "AES_256_CBC+HMACSHA256")]
        algorithm: String,
        /// Lifetime in days (at least 7)
        #[arg(long, value_name = "DAYS", default_value_t = 90)]
        lifetime: u32,
        /// Activation date (RFC 3339) [default: now]
        #[arg(long, value_name = "RFC3339")]
        activate_at: Option<String>,
    },
    /// List keys with their dates, algorithm and state
    #[command(after_help = concat!(
        "States: default, active, pending, expired, revoked, unreadable (with the reason).\n\n",
        "Examples:\n  dp keys list\n  dp keys list --json",
    ))]
    List {
        /// Machine-readable output
        #[arg(long)]
        json: bool,
    },
    /// Revoke one key, or every key created until now
    #[command(after_help = concat!(
        "Revocation is permanent: payloads of revoked keys are rejected (see unprotect --allow-revoked).\n\n",
        "Examples:\n",
        "  dp keys revoke --key-id 3d6d01fd-c0e7-44ae-82dd-013b996b4093 --reason 'leaked'\n",
        "  dp keys revoke --all --reason 'server compromise'",
    ))]
    Revoke(RevokeArgs),
    /// Delete keys that expired more than DAYS ago (and revocations that then refer to nothing)
    #[command(after_help = concat!(
        "Payloads protected with a deleted key can never be unprotected again.\n\n",
        "Example:\n  dp keys prune --expired-for 365",
    ))]
    Prune {
        /// Minimum days since expiration
        #[arg(long, value_name = "DAYS")]
        expired_for: u32,
    },
}

#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub(crate) struct RevokeTarget {
    /// The key to revoke
    #[arg(long, value_name = "ID")]
    pub key_id: Option<String>,
    /// Revoke every key created before now
    #[arg(long)]
    pub all: bool,
}

#[derive(Debug, Args)]
pub(crate) struct RevokeArgs {
    #[command(flatten)]
    pub target: RevokeTarget,
    /// Reason, recorded in the revocation
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct ProtectArgs {
    /// Purpose; repeat for a chain (outermost first)
    #[arg(long = "purpose", value_name = "P", required = true)]
    pub purposes: Vec<String>,
    /// Make a time-limited payload valid for this long (e.g. 15m, 2h, 7d)
    #[arg(long, value_name = "DURATION", conflicts_with = "expires_at")]
    pub expires_in: Option<String>,
    /// Make a time-limited payload valid until this instant (RFC 3339)
    #[arg(long, value_name = "RFC3339")]
    pub expires_at: Option<String>,
    /// Write the payload as raw bytes instead of base64url text
    #[arg(long)]
    pub raw: bool,
    /// Output file [default: stdout]
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    pub output: Option<PathBuf>,
    /// Input file, or - for stdin [default: stdin]
    #[arg(value_name = "INPUT")]
    pub input: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct UnprotectArgs {
    /// Purpose; repeat for a chain (outermost first)
    #[arg(long = "purpose", value_name = "P", required = true)]
    pub purposes: Vec<String>,
    /// The payload is time-limited (made with --expires-in/--expires-at or .NET's ITimeLimitedDataProtector)
    #[arg(long)]
    pub time_limited: bool,
    /// Accept payloads of revoked keys (to migrate data off them)
    #[arg(long)]
    pub allow_revoked: bool,
    /// Read the payload as raw bytes instead of base64url text
    #[arg(long)]
    pub raw: bool,
    /// Output file [default: stdout]
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    pub output: Option<PathBuf>,
    /// Input file, or - for stdin [default: stdin]
    #[arg(value_name = "INPUT")]
    pub input: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct InspectArgs {
    /// Machine-readable output
    #[arg(long)]
    pub json: bool,
    /// Read the payload as raw bytes instead of base64url text
    #[arg(long)]
    pub raw: bool,
    /// Input file, or - for stdin [default: stdin]
    #[arg(value_name = "INPUT")]
    pub input: Option<PathBuf>,
}
