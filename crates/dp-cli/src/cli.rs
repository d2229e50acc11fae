//! The command-line contract: commands, flags and help texts.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Protect and unprotect data with ASP.NET Core Data Protection key rings; seal data to RSA keys
/// in envelopes.
///
/// Payloads are byte-compatible with ASP.NET Core's IDataProtector: given the same key
/// directory, purposes and application name, a .NET app unprotects what dp protects, and
/// the other way round.
///
/// Envelopes (`dp envelope`) carry data to other people: sealed to their RSA public keys,
/// optionally signed, and checked against replays when opened.
#[derive(Debug, Parser)]
#[command(
    name = "dp",
    version,
    after_help = concat!(
        "Examples:\n",
        "  echo -n 'secret' | dp protect --purpose demo > token.txt\n",
        "  dp unprotect --purpose demo token.txt\n",
        "  dp --key-dir /var/keys --app-name MyApp keys list\n",
        "  dp envelope seal --to bob.pub.pem --sign alice.key.pem -o report.dpenv report.pdf\n\n",
        "Key ring options (--key-dir, --app-name, ...) are listed in the help of the commands that\n",
        "use a key ring (keys, protect, unprotect, inspect, cookie, antiforgery); they may come\n",
        "before or after the subcommand.\n\n",
        "With --json, errors are a JSON object on stderr too (see docs/CLI.md).\n\n",
        "Exit codes:\n",
        "  0  success\n",
        "  1  runtime or I/O error (unreadable key ring, unwritable directory, ...)\n",
        "  2  usage error\n",
        "  3  payload or envelope rejected (tampered, wrong purpose or app name, unknown or revoked\n",
        "     key, expired; for envelopes also: not a recipient, replayed, too old, bad signature)",
    )
)]
pub(crate) struct Cli {
    /// Ring options before the subcommand (`dp --key-dir K protect …`): for the commands that
    /// use a key ring they reach the subcommand's own ring options; for the others they are a
    /// usage error. Hidden from the top-level help.
    #[command(flatten)]
    pub ring: RingArgs,

    #[command(subcommand)]
    pub command: Command,
}

/// The help heading of the ring options.
const RING_HEADING: &str = "Key ring options";

/// The options of every command that uses a key ring.
///
/// Each is declared `global`: under `dp keys` they reach every `keys` subcommand. They are
/// accepted before the subcommand too, through a hidden, non-global copy on [`Cli`] (see
/// [`crate::command`]); clap's propagation of global values then joins both: the subcommand's
/// own [`RingArgs`] hold the options given before it, and those after it override them.
#[derive(Debug, Clone, Default, Args)]
pub(crate) struct RingArgs {
    /// Key ring directory [default: $DP_KEY_DIR, else the directory ASP.NET Core uses:
    /// $LOCALAPPDATA/ASP.NET/DataProtection-Keys or ~/.aspnet/DataProtection-Keys]
    #[arg(long, global = true, help_heading = RING_HEADING, value_name = "DIR")]
    pub key_dir: Option<PathBuf>,

    /// Key store URL instead of a directory: redis://host:6379/0?key=NAME (user:password@, port,
    /// database and key optional), rediss://… (TLS), postgres://user@host/db?table=T,
    /// mysql://user@host/db?table=T, xml:PATH (one repository document), file:PATH
    /// [env: DP_KEY_STORE]
    #[arg(long, global = true, help_heading = RING_HEADING, value_name = "URL", conflicts_with = "key_dir")]
    pub key_store: Option<String>,

    /// Application name, prepended to the purpose chain (as .NET's SetApplicationName)
    #[arg(long, global = true, help_heading = RING_HEADING, value_name = "NAME")]
    pub app_name: Option<String>,

    /// Identity for keys encrypted at rest with a certificate: a PFX (PKCS #12) or a PEM with
    /// the certificate and its private key; repeat for several [env: DP_UNPROTECT_KEYS_WITH,
    /// colon-separated]
    #[arg(long, global = true, help_heading = RING_HEADING, value_name = "FILE")]
    pub unprotect_keys_with: Vec<PathBuf>,

    /// File holding the password of every PFX given [env: DP_PFX_PASSWORD holds the password
    /// itself]
    #[arg(long, global = true, help_heading = RING_HEADING, value_name = "FILE")]
    pub pfx_password_file: Option<PathBuf>,

    /// Encrypt new keys to this certificate (PEM, DER or PFX), as .NET's
    /// ProtectKeysWithCertificate [env: DP_PROTECT_KEYS_WITH]
    #[arg(long, global = true, help_heading = RING_HEADING, value_name = "CERT")]
    pub protect_keys_with: Option<PathBuf>,

    /// Key transport for --protect-keys-with: oaep (RSA-OAEP-SHA1) or pkcs1 (RSA PKCS #1 v1.5,
    /// byte for byte what .NET writes)
    /// [default: oaep]
    #[arg(long, global = true, help_heading = RING_HEADING, value_name = "PADDING")]
    pub protect_keys_padding: Option<ProtectKeysPadding>,

    /// Allow adding an unencrypted key to a key ring whose keys are encrypted at rest
    #[arg(long, global = true, help_heading = RING_HEADING)]
    pub allow_unencrypted_keys: bool,
}

impl RingArgs {
    /// The argument ids, as clap names them.
    pub(crate) const IDS: [&'static str; 8] = [
        "key_dir",
        "key_store",
        "app_name",
        "unprotect_keys_with",
        "pfx_password_file",
        "protect_keys_with",
        "protect_keys_padding",
        "allow_unencrypted_keys",
    ];

    /// The first option given, as typed on the command line, if any.
    pub(crate) fn first_given(&self) -> Option<&'static str> {
        [
            (self.key_dir.is_some(), "--key-dir"),
            (self.key_store.is_some(), "--key-store"),
            (self.app_name.is_some(), "--app-name"),
            (
                !self.unprotect_keys_with.is_empty(),
                "--unprotect-keys-with",
            ),
            (self.pfx_password_file.is_some(), "--pfx-password-file"),
            (self.protect_keys_with.is_some(), "--protect-keys-with"),
            (
                self.protect_keys_padding.is_some(),
                "--protect-keys-padding",
            ),
            (self.allow_unencrypted_keys, "--allow-unencrypted-keys"),
        ]
        .into_iter()
        .find_map(|(given, name)| given.then_some(name))
    }
}

/// How `--protect-keys-with` wraps each key's AES key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ProtectKeysPadding {
    /// RSA-OAEP with SHA-1 (`xmlenc#rsa-oaep-mgf1p`); .NET reads it
    Oaep,
    /// RSA PKCS #1 v1.5 (`xmlenc#rsa-1_5`), what .NET writes
    Pkcs1,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Manage the keys of the key ring
    #[command(
        after_help = "Examples:\n  dp keys list\n  dp keys new --algorithm AES_256_GCM\n  dp keys revoke --key-id ID --reason leaked\n  dp keys prune --expired-for 365"
    )]
    Keys(KeysArgs),
    /// Protect data: read bytes, print a base64url payload
    #[command(after_help = concat!(
        "Examples:\n",
        "  echo -n 'card 4111' | dp protect --purpose Billing --purpose v2\n",
        "  dp --app-name MyApp protect --purpose Auth --expires-in 15m -o token.txt secret.bin\n\n",
        "The first key is created automatically when the ring has none, as ASP.NET Core does.\n\n",
        "The input is read whole into memory and may be at most 64 MiB (a regular file or\n",
        "standard input). Payloads are for tokens and small records: large data belongs in\n",
        "`dp envelope seal`, which streams.\n\n",
        "Exit codes: 0 success, 1 runtime error, 2 usage, 3 rejected",
    ))]
    Protect(ProtectArgs),
    /// Unprotect a payload: read base64url text, write exactly the plaintext bytes
    #[command(after_help = concat!(
        "Examples:\n",
        "  dp unprotect --purpose Billing --purpose v2 token.txt\n",
        "  dp --app-name MyApp unprotect --purpose Auth --time-limited < token.txt\n\n",
        "On rejection nothing is written to stdout and the exit code is 3. Plaintext that is not\n",
        "text (UTF-8 whose only control characters are newlines and tabs) is not written to a\n",
        "terminal (exit 2): use -o FILE, or -o - to write it anyway. -o never overwrites an\n",
        "existing file without --force, nor the input with it.\n\n",
        "Exit codes: 0 success, 1 runtime error, 2 usage, 3 rejected",
    ))]
    Unprotect(UnprotectArgs),
    /// Show what a payload's header says, and its key's dates if the key is in the ring
    #[command(after_help = "Examples:\n  dp inspect token.txt\n  dp inspect --json < token.txt")]
    Inspect(InspectArgs),
    /// Seal data to RSA public keys, open and inspect envelopes (no key ring involved)
    #[command(
        subcommand,
        after_help = concat!(
            "An envelope encrypts data with a fresh session key, which travels RSA-OAEP-encrypted\n",
            "to each recipient; it may be signed by the sender (RSA-PSS), and opening it checks\n",
            "its age and a replay cache. Keys are PEM files made by `dp envelope keygen`.\n\n",
            "Examples:\n",
            "  dp envelope keygen --out bob\n",
            "  dp envelope seal --to bob.pub.pem --sign alice.key.pem -o report.dpenv report.pdf\n",
            "  dp envelope open --key bob.key.pem --from alice.pub.pem -o report.pdf report.dpenv\n",
            "  dp envelope inspect report.dpenv\n\n",
            "Exit codes: 0 success, 1 runtime error, 2 usage, 3 rejected",
        )
    )]
    Envelope(EnvelopeCommand),
    /// Windows CryptoAPI interoperability: key BLOBs and the legacy session-key exchange
    #[command(
        subcommand,
        after_help = concat!(
            "For messages exchanged with Windows programs that use CryptoAPI's manual session-key\n",
            "exchange (CryptGenKey, CryptExportKey(SIMPLEBLOB), CryptEncrypt, CryptImportKey).\n\n",
            "WARNING: this legacy form has no integrity protection (a modified message decrypts to\n",
            "garbage or to an attacker's chosen changes) and no replay protection (a captured\n",
            "message can be sent again). For new systems use `dp envelope`.\n\n",
            "Exit codes: 0 success; 1 a key file (PEM or BLOB) that is unreadable, malformed or holds\n",
            "no usable RSA key, or another runtime error; 2 usage; 3 a rejected SIMPLEBLOB or message.\n\n",
            "Examples:\n",
            "  dp capi export-key --in bob.pub.pem --format publickeyblob -o bob.publickeyblob\n",
            "  dp capi import-key --in bob.privatekeyblob -o bob.key.pem\n",
            "  dp capi seal --to bob.publickeyblob -o session.simpleblob --data-out msg.bin report.txt\n",
            "  dp capi open --danger-no-integrity --key bob.key.pem --session-key session.simpleblob \\\n",
            "      -o report.txt msg.bin",
        )
    )]
    Capi(CapiCommand),
    /// ASP.NET Core sign-in cookies: decode a cookie into its user, or issue one
    #[command(
        subcommand_required = true,
        after_help = concat!(
            "Sign-in cookies are authentication tickets protected with the purpose chain of the\n",
            "cookie handler for a scheme (see `dp purposes`). Use the .NET app's key ring and\n",
            "application name (--key-dir, --app-name).\n\n",
            "Examples:\n",
            "  echo 'Cookie: .AspNetCore.Cookies=CfDJ8…' | dp --app-name WebApp cookie decode\n",
            "  dp --app-name WebApp cookie decode --json --scheme Identity.Application < header.txt\n",
            "  dp --app-name WebApp cookie issue --scheme Cookies --claim name=alice --claim role=admin\n\n",
            "Exit codes: 0 success, 1 runtime error, 2 usage, 3 rejected or expired",
        )
    )]
    Cookie(CookieArgs),
    /// ASP.NET Core antiforgery tokens: decode, validate a pair for a user, the cookie name
    #[command(
        subcommand_required = true,
        after_help = concat!(
            "Examples:\n",
            "  dp --app-name WebApp antiforgery decode CfDJ8…\n",
            "  dp --app-name WebApp antiforgery validate --cookie-token CfDJ8… --request-token CfDJ8… \\\n",
            "      --claim nameid=7c2b4a9e-42\n",
            "  dp --app-name WebApp antiforgery cookie-name\n\n",
            "Exit codes: 0 success (valid), 1 runtime error, 2 usage, 3 rejected or invalid",
        )
    )]
    Antiforgery(AntiforgeryArgs),
    /// List the purpose chains ASP.NET Core components protect with (for --purpose-preset)
    #[command(after_help = concat!(
        "Each chain follows the application name (--app-name) when one is set.\n\n",
        "Examples:\n",
        "  dp purposes\n",
        "  dp --app-name WebApp unprotect --purpose-preset cookie:Identity.Application cookie.txt",
    ))]
    Purposes(PurposesArgs),
    /// Check a key store: default key, expiry, unreadable, duplicate and revoked keys, clock
    /// skew, and the store's own health (Redis persistence and eviction, container volumes)
    #[command(after_help = concat!(
        "Each finding has a code, a severity (info, warning, error) and a fix.\n\n",
        "Examples:\n",
        "  dp --key-store redis://cache:6379/0 doctor\n",
        "  dp --key-dir /var/keys doctor --json\n\n",
        "Exit codes: 0 nothing worse than a warning, 1 an error finding, 2 usage",
    ))]
    Doctor(DoctorArgs),
    /// Measure this build on this machine, like `openssl speed`: protect and unprotect, cookie
    /// decoding, envelopes, key-ring loading
    #[command(after_help = concat!(
        "Measured, each for the time budget after a warm-up of a fifth of it, in short batches:\n",
        "  * protect and unprotect of 32 B, 1 KiB, 64 KiB and 1 MiB for each of the nine standard\n",
        "    algorithms, through the protector API with a real in-memory key ring (and again on\n",
        "    N threads sharing one protector with --threads N);\n",
        "  * cookie_decode: a sign-in cookie of a typical ticket (12 claims, about 1 KiB) from a\n",
        "    Cookie header, as a web service authenticates a request;\n",
        "  * envelope seal and open of 1 KiB and 64 MiB with RSA-2048 and RSA-3072 keys (open for\n",
        "    each RSA backend built in);\n",
        "  * keyring_load: a new provider's first unprotect over a directory of 1,000 key files (in\n",
        "    a temporary directory, removed afterwards).\n",
        "FILTER keeps the results whose op or algorithm contains it. Progress notes go to stderr.\n\n",
        "--json prints {\"schema\":1, \"dp_version\", \"debug_build\", \"host\": {\"cpu_model\",\n",
        "\"cores\", \"arch\", \"features\"}, \"results\": [...]}; each result has op (protect,\n",
        "unprotect, cookie_decode, seal, open, keyring_load), algorithm (.NET names joined by +,\n",
        "RSA-2048 or RSA-3072 for envelopes), size (plaintext bytes; keys for keyring_load),\n",
        "threads, ops_per_sec (whole operations per second over all threads), bytes_per_sec\n",
        "(plaintext; null for keyring_load), median_ns (one operation, median of the batches) and\n",
        "backend (aws-lc or rust-rsa for envelope rows, else null). docs/CLI.md has the details;\n",
        "cargo xtask bench sets the figures beside openssl speed and ASP.NET Core.\n\n",
        "Examples:\n",
        "  dp bench\n",
        "  dp bench --threads 2 AES_256_CBC+HMACSHA256\n",
        "  dp bench --seconds 1 --json > bench.json",
    ))]
    Bench(BenchArgs),
    /// Print shell completions for dp (bash, zsh, fish, powershell)
    #[command(after_help = concat!(
        "Examples:\n",
        "  dp completions bash > ~/.local/share/bash-completion/completions/dp\n",
        "  dp completions zsh > ~/.zfunc/_dp\n",
        "  dp completions fish > ~/.config/fish/completions/dp.fish\n",
        "  dp completions powershell >> $PROFILE",
    ))]
    Completions(CompletionsArgs),
    /// Write a man page for dp and each subcommand into DIR (for packagers: `cargo xtask dist`)
    #[command(hide = true)]
    Manpages(ManpagesArgs),
}

impl Command {
    /// The ring options given after the subcommand, for the commands that use a key ring.
    pub(crate) fn ring_args(&self) -> Option<&RingArgs> {
        match self {
            Self::Keys(args) => Some(&args.ring),
            Self::Protect(args) => Some(&args.ring),
            Self::Unprotect(args) => Some(&args.ring),
            Self::Inspect(args) => Some(&args.ring),
            Self::Cookie(args) => Some(&args.ring),
            Self::Doctor(args) => Some(&args.ring),
            Self::Antiforgery(args) => Some(&args.ring),
            Self::Envelope(_)
            | Self::Capi(_)
            | Self::Bench(_)
            | Self::Completions(_)
            | Self::Manpages(_)
            | Self::Purposes(_) => None,
        }
    }

    /// Whether the command was asked for JSON output (and so reports errors as JSON).
    pub(crate) fn json(&self) -> bool {
        match self {
            Self::Keys(KeysArgs {
                command: KeysCommand::List { json },
                ..
            }) => *json,
            Self::Inspect(args) => args.json,
            Self::Envelope(EnvelopeCommand::Inspect(args)) => args.json,
            Self::Bench(args) => args.json,
            Self::Cookie(CookieArgs { command, .. }) => match command {
                CookieCommand::Decode(args) => args.json,
                CookieCommand::Issue(args) => args.json,
            },
            Self::Antiforgery(AntiforgeryArgs { command, .. }) => match command {
                AntiforgeryCommand::Decode { json, .. } => *json,
                AntiforgeryCommand::Validate(args) => args.json,
                AntiforgeryCommand::CookieName { json } => *json,
            },
            Self::Purposes(args) => args.json,
            Self::Doctor(args) => args.json,
            _ => false,
        }
    }
}

/// `dp keys`: the ring options, then a `keys` subcommand.
#[derive(Debug, Args)]
pub(crate) struct KeysArgs {
    #[command(flatten)]
    pub ring: RingArgs,
    #[command(subcommand)]
    pub command: KeysCommand,
}

/// `dp completions`.
#[derive(Debug, Args)]
pub(crate) struct CompletionsArgs {
    /// The shell
    #[arg(value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

/// `dp manpages` (hidden).
#[derive(Debug, Args)]
pub(crate) struct ManpagesArgs {
    /// The directory to write dp.1, dp-keys.1, dp-keys-list.1, ... into (created if missing)
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
}

fn parse_seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(s) if s.is_finite() && s > 0.0 && s <= 3600.0 => Ok(s),
        _ => Err("must be a number of seconds above 0 and at most 3600, e.g. 0.5 or 2".to_owned()),
    }
}

#[derive(Debug, Args)]
pub(crate) struct BenchArgs {
    /// Time budget of each measurement, in seconds (fractions allowed)
    #[arg(long, value_name = "S", default_value = "0.25", value_parser = parse_seconds)]
    pub seconds: f64,
    /// Also measure protect and unprotect on N threads sharing one protector
    #[arg(long, value_name = "N", default_value = "1", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub threads: u16,
    /// Machine-readable output
    #[arg(long)]
    pub json: bool,
    /// Keep only results whose op or algorithm contains this text (e.g. GCM, unprotect, RSA-3072)
    #[arg(value_name = "FILTER")]
    pub filter: Option<String>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum CapiCommand {
    /// Write an RSA key (PEM) as a PUBLICKEYBLOB or PRIVATEKEYBLOB
    #[command(after_help = concat!(
        "KEY.pem is a PUBLIC KEY or PRIVATE KEY (PKCS#8) PEM; a PRIVATEKEYBLOB needs the private key\n",
        "and is written with mode 0600. Existing files are never overwritten.\n\n",
        "Examples:\n",
        "  dp capi export-key --in bob.pub.pem --format publickeyblob -o bob.publickeyblob\n",
        "  dp capi export-key --in bob.key.pem --format privatekeyblob -o bob.privatekeyblob",
    ))]
    ExportKey {
        /// The key, PEM
        #[arg(long = "in", value_name = "KEY.pem")]
        input: PathBuf,
        /// BLOB type
        #[arg(long, value_enum)]
        format: BlobFormat,
        /// Output BLOB file (must not exist)
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: PathBuf,
    },
    /// Read a PUBLICKEYBLOB or PRIVATEKEYBLOB and write it as PEM (SPKI or PKCS#8)
    #[command(after_help = concat!(
        "A PRIVATEKEYBLOB becomes a PRIVATE KEY (PKCS#8) PEM with mode 0600, after its numbers are\n",
        "checked to form a valid RSA key; a PUBLICKEYBLOB's numbers are checked too (odd modulus of\n",
        "2048 to 8192 bits, exponent 65537), so no key dp would refuse is written. A malformed or\n",
        "unusable BLOB exits 1. Existing files are never overwritten.\n\n",
        "Example:\n  dp capi import-key --in bob.privatekeyblob -o bob.key.pem",
    ))]
    ImportKey {
        /// The BLOB
        #[arg(long = "in", value_name = "FILE.blob")]
        input: PathBuf,
        /// Output PEM file (must not exist)
        #[arg(short = 'o', long = "output", value_name = "KEY.pem")]
        output: PathBuf,
    },
    /// Encrypt a message the CryptoAPI way: a new AES session key (written as a SIMPLEBLOB for
    /// the recipient) and IV || AES-CBC-PKCS7 ciphertext
    #[command(after_help = concat!(
        "RECIPIENT is the recipient's public key, PEM or PUBLICKEYBLOB. The session key is wrapped\n",
        "with RSA-OAEP (SHA-1, as CryptExportKey with CRYPT_OAEP), or PKCS#1 v1.5 with --legacy-pkcs1.\n\n",
        "Example:\n  dp capi seal --to bob.publickeyblob -o session.simpleblob --data-out msg.bin report.txt\n\n",
        "WARNING: no integrity and no replay protection; use `dp envelope` for new systems.",
    ))]
    Seal(CapiSealArgs),
    /// Decrypt a CryptoAPI message with the recipient's key and the SIMPLEBLOB (needs
    /// --danger-no-integrity)
    #[command(after_help = concat!(
        "KEY is the recipient's private key, PEM (PKCS#8) or PRIVATEKEYBLOB; a bad key file exits 1.\n",
        "Every failure to unwrap the session key is the same error (exit 3), so that the RSA step is\n",
        "no padding oracle; a malformed SIMPLEBLOB or message also exits 3. Plaintext that is not\n",
        "text is not written to a terminal (exit 2): use -o FILE, or -o - to write it anyway.\n\n",
        "Example:\n",
        "  dp capi open --danger-no-integrity --key bob.key.pem --session-key session.simpleblob \\\n",
        "      -o report.txt msg.bin\n\n",
        "WARNING: no integrity and no replay protection: a message that decrypts is not thereby\n",
        "genuine or fresh. And the exit status is itself a CBC padding oracle: of the 256 values of\n",
        "one ciphertext byte, about 2 decrypt (exit 0) and the rest fail (exit 3), so anyone who can\n",
        "submit modified messages and see whether they open recovers the plaintext, byte by byte,\n",
        "without the key. Never run it where others can submit messages and observe the result.\n",
        "--danger-no-integrity is required to say you accept this. Use `dp envelope` for new systems.",
    ))]
    Open(CapiOpenArgs),
}

/// `--format` of `dp capi export-key`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum BlobFormat {
    /// PUBLICKEYBLOB (CALG_RSA_KEYX)
    Publickeyblob,
    /// PRIVATEKEYBLOB (CALG_RSA_KEYX)
    Privatekeyblob,
}

/// `--alg` of `dp capi seal`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum CapiAlg {
    /// CALG_AES_128
    #[value(name = "aes-128")]
    Aes128,
    /// CALG_AES_192
    #[value(name = "aes-192")]
    Aes192,
    /// CALG_AES_256
    #[value(name = "aes-256")]
    Aes256,
}

#[derive(Debug, Args)]
pub(crate) struct CapiSealArgs {
    /// Recipient's public key: PEM or PUBLICKEYBLOB
    #[arg(long, value_name = "RECIPIENT")]
    pub to: PathBuf,
    /// Session key algorithm
    #[arg(long, value_enum, default_value = "aes-256")]
    pub alg: CapiAlg,
    /// Wrap with PKCS#1 v1.5 (CryptoAPI's default) instead of OAEP
    #[arg(long)]
    pub legacy_pkcs1: bool,
    /// Where to write the SIMPLEBLOB
    #[arg(short = 'o', long = "output", value_name = "SESSIONKEY.simpleblob")]
    pub output: PathBuf,
    /// Where to write the encrypted message (IV || AES-CBC ciphertext)
    #[arg(long, value_name = "MESSAGE.bin")]
    pub data_out: PathBuf,
    /// Replace the SIMPLEBLOB and the message files if they exist [default: refuse]
    #[arg(long)]
    pub force: bool,
    /// Input file, or - for stdin [default: stdin]
    #[arg(value_name = "INPUT")]
    pub input: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct CapiOpenArgs {
    /// Recipient's private key: PEM (PKCS#8) or PRIVATEKEYBLOB
    #[arg(long, value_name = "KEY")]
    pub key: PathBuf,
    /// The SIMPLEBLOB holding the session key
    #[arg(long, value_name = "SESSIONKEY.simpleblob")]
    pub session_key: PathBuf,
    /// Accept a PKCS#1 v1.5-wrapped session key (a padding oracle: legacy peers only)
    #[arg(long)]
    pub legacy_pkcs1: bool,
    /// Required: acknowledge that the message has no integrity, so that the exit status is a
    /// CBC padding oracle
    #[arg(long)]
    pub danger_no_integrity: bool,
    /// Output file [default: stdout]
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    pub output: Option<PathBuf>,
    /// Replace OUT if it exists [default: refuse]; the input itself is never replaced
    #[arg(long)]
    pub force: bool,
    /// The encrypted message, or - for stdin [default: stdin]
    #[arg(value_name = "MESSAGE.bin")]
    pub message: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum EnvelopeCommand {
    /// Generate an RSA key pair: NAME.key.pem (private, mode 0600) and NAME.pub.pem; print the
    /// fingerprint
    #[command(after_help = concat!(
        "Give NAME.pub.pem to the people who seal to you (--to) or check your signature (--from);\n",
        "keep NAME.key.pem secret. Existing files are never overwritten.\n\n",
        "Examples:\n",
        "  dp envelope keygen --out bob\n",
        "  dp envelope keygen --out keys/alice --bits 4096",
    ))]
    Keygen(KeygenArgs),
    /// Seal data to one or more recipients' public keys, optionally signed
    #[command(after_help = concat!(
        "The envelope is binary: it is never written to a terminal (unless -o -). With -o it is\n",
        "written to a private, unnamed temporary file beside OUT and linked into place when\n",
        "complete; an existing OUT is replaced only with --force, and never when it is INPUT.\n",
        "Interrupted (Ctrl-C, SIGTERM, even SIGKILL), seal leaves nothing beside OUT on Linux, and\n",
        "an existing OUT as it was.\n\n",
        "Examples:\n",
        "  dp envelope seal --to bob.pub.pem -o report.dpenv report.pdf\n",
        "  tar c dir | dp envelope seal --to bob.pub.pem --to carol.pub.pem --sign alice.key.pem > dir.dpenv\n\n",
        "Exit codes: 0 success, 1 runtime error, 2 usage",
    ))]
    Seal(SealArgs),
    /// Open an envelope with a recipient's private key, checking its sender, age and replays
    #[command(after_help = concat!(
        "Plaintext is released only after the whole envelope verified (every chunk, the signature,\n",
        "the replay cache): with -o it goes to a private, unnamed temporary file beside OUT, linked\n",
        "into place on success (an existing OUT is replaced only with --force, never when it is\n",
        "INPUT); to stdout it goes first to a private, unnamed temporary file in $TMPDIR, copied to\n",
        "stdout only on success. On rejection nothing is written to stdout or OUT and the exit code\n",
        "is 3. Interrupted (Ctrl-C, SIGTERM, even SIGKILL), open leaves nothing beside OUT or in\n",
        "$TMPDIR on Linux, and records nothing in the replay cache.\n\n",
        "To a terminal, plaintext is written only if it is text (UTF-8 whose only control\n",
        "characters are newlines and tabs); otherwise open stops (exit 2) before the replay cache\n",
        "records the envelope: use -o FILE, or -o - to write it to the terminal anyway.\n\n",
        "Replays: each opened envelope is recorded (sender, message id) in the replay cache\n",
        "[default: $XDG_DATA_HOME/dp/replay-cache, else ~/.local/share/dp/replay-cache]; opening it\n",
        "again is rejected, and so are envelopes older than --max-age (clocks may differ by 5 minutes).\n",
        "With --replay-cache redis://… a fleet shares one cache: each envelope is recorded with an\n",
        "atomic set-if-absent, so of many hosts opening it at once exactly one succeeds; an\n",
        "unreachable Redis is an error (exit 1), never a pass.\n\n",
        "A signed envelope carries its sender's public key, and its signature is always verified;\n",
        "--from additionally requires that this sender signed it. Without --from, a note on stderr\n",
        "names the (verified) signer. An unsigned envelope could have been sealed by anyone who\n",
        "has your public key.\n\n",
        "Examples:\n",
        "  dp envelope open --key bob.key.pem -o report.pdf report.dpenv\n",
        "  dp envelope open --key bob.key.pem --from alice.pub.pem --max-age 7d < dir.dpenv | tar x\n\n",
        "Exit codes: 0 success, 1 runtime error, 2 usage, 3 rejected (tampered, not a recipient,\n",
        "replayed, too old, unsigned or wrong sender, bad signature)",
    ))]
    Open(OpenArgs),
    /// Show what an envelope's header claims (recipients, sender, sizes), without any key
    #[command(after_help = concat!(
        "Nothing shown is authenticated: only `dp envelope open` verifies an envelope.\n\n",
        "Examples:\n",
        "  dp envelope inspect report.dpenv\n",
        "  dp envelope inspect --json < report.dpenv",
    ))]
    Inspect(EnvelopeInspectArgs),
}

fn parse_rsa_bits(text: &str) -> Result<usize, String> {
    match text {
        "2048" => Ok(2048),
        "3072" => Ok(3072),
        "4096" => Ok(4096),
        _ => Err("must be 2048, 3072 or 4096".to_owned()),
    }
}

#[derive(Debug, Args)]
pub(crate) struct KeygenArgs {
    /// Base name of the key files: writes NAME.key.pem and NAME.pub.pem
    #[arg(long, value_name = "NAME")]
    pub out: PathBuf,
    /// RSA modulus size: 2048, 3072 or 4096
    #[arg(long, value_name = "BITS", default_value = "3072", value_parser = parse_rsa_bits)]
    pub bits: usize,
}

#[derive(Debug, Args)]
pub(crate) struct SealArgs {
    /// A recipient's public key (PUBLIC KEY PEM); repeat for several recipients (at most 64)
    #[arg(long = "to", value_name = "PUB", required = true)]
    pub to: Vec<PathBuf>,
    /// Sign as the owner of this private key (PRIVATE KEY PEM); recipients verify the signature,
    /// and can require you with --from
    #[arg(long, value_name = "KEY")]
    pub sign: Option<PathBuf>,
    /// Output file [default: stdout, unless it is a terminal]
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    pub output: Option<PathBuf>,
    /// Replace OUT if it exists [default: refuse]; the input itself is never replaced
    #[arg(long)]
    pub force: bool,
    /// Input file, or - for stdin [default: stdin]
    #[arg(value_name = "INPUT")]
    pub input: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct OpenArgs {
    /// Your private key (PRIVATE KEY PEM)
    #[arg(long, value_name = "KEY")]
    pub key: PathBuf,
    /// Require the envelope to be signed by this sender (PUBLIC KEY PEM); signatures are verified
    /// with or without it
    #[arg(long, value_name = "PUB")]
    pub from: Option<PathBuf>,
    /// Replay cache: a file, or a Redis URL shared by several hosts: redis://host:6379/0?prefix=P
    /// (user:password@, port, database and prefix optional; prefix default dp:replay:;
    /// rediss:// for TLS) [default: $XDG_DATA_HOME/dp/replay-cache, else
    /// ~/.local/share/dp/replay-cache]
    #[arg(long, value_name = "FILE|URL", conflicts_with = "no_replay_check")]
    pub replay_cache: Option<PathBuf>,
    /// Reject envelopes created longer ago than this (e.g. 15m, 24h, 7d); use the same value for
    /// every open with a given cache, which forgets envelopes older than that
    #[arg(
        long,
        value_name = "DURATION",
        default_value = "24h",
        conflicts_with = "no_replay_check"
    )]
    pub max_age: String,
    /// Check neither the replay cache nor the envelope's age
    #[arg(long)]
    pub no_replay_check: bool,
    /// Output file [default: stdout]
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    pub output: Option<PathBuf>,
    /// Replace OUT if it exists [default: refuse]; the input itself is never replaced
    #[arg(long)]
    pub force: bool,
    /// Input file, or - for stdin [default: stdin]
    #[arg(value_name = "INPUT")]
    pub input: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct EnvelopeInspectArgs {
    /// Machine-readable output
    #[arg(long)]
    pub json: bool,
    /// Input file, or - for stdin [default: stdin]
    #[arg(value_name = "INPUT")]
    pub input: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum KeysCommand {
    /// Create EF Core's DataProtectionKeys table in a PostgreSQL or MySQL --key-store (as EF's
    /// migrations create it), if it does not exist
    #[command(after_help = concat!(
        "Examples:\n",
        "  dp --key-store postgres://app@db/app keys init-store\n",
        "  dp --key-store 'mysql://root@db/app?table=data_protection_keys' keys init-store\n\n",
        "Directories, documents and Redis lists need none: they are created with their first key.",
    ))]
    InitStore,
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
    /// Re-encrypt every readable key to the certificate of --protect-keys-with
    #[command(after_help = concat!(
        "Every key whose master key can be read — with the identities of --unprotect-keys-with,\n",
        "or in clear — is re-encrypted to the new certificate, keeping its id and dates, one\n",
        "atomic replacement per key; revoked and expired keys too. Keys already encrypted to it\n",
        "are skipped, keys that cannot be read are listed and left alone. Afterwards the new\n",
        "identity alone opens every payload: the old certificate can be retired.\n\n",
        "Example:\n",
        "  dp --unprotect-keys-with old.pfx --pfx-password-file pw --protect-keys-with new.cert.pem keys rewrap",
    ))]
    Rewrap,
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
    /// Create the next key if the ring needs one soon: for cron or a sidecar, so that .NET
    /// instances can run with key generation disabled
    #[command(after_help = concat!(
        "Creates nothing when the default key (or its successor) lasts longer than\n",
        "--min-remaining; a key active now when there is no usable default; else a successor that\n",
        "activates when the default expires. Safe to run from many hosts at once: one key is made.\n",
        "Prints the new key's id, if any.\n\n",
        "Examples:\n",
        "  dp --key-store redis://cache:6379/0 keys ensure\n",
        "  dp keys ensure --min-remaining 36h --lifetime 30",
    ))]
    Ensure {
        /// Horizon, e.g. 2d, 36h [default: 2d]
        #[arg(long, value_name = "D", default_value = "2d")]
        min_remaining: String,
        /// Lifetime of a new key in days (at least 7)
        #[arg(long, value_name = "DAYS", default_value_t = 90)]
        lifetime: u32,
        /// Algorithm of a new key, .NET names joined by '+'
        #[arg(long, value_name = "ALG", default_value = "AES_256_CBC+HMACSHA256")]
        algorithm: String,
    },
    /// Copy every key and revocation to another store, as they are (encrypted keys stay
    /// encrypted); elements already there are skipped
    #[command(after_help = concat!(
        "The same id with different content in the target is an error (exit 1) and nothing is\n",
        "copied. Prints each copied element's name.\n\n",
        "Examples:\n",
        "  dp --key-dir /var/keys keys copy --to redis://cache:6379/0\n",
        "  dp --key-store redis://cache/0 keys copy --to 'postgres://app@db/app?table=DataProtectionKeys'",
    ))]
    Copy {
        /// Target store (a path or store URL, as --key-store)
        #[arg(long, value_name = "URL")]
        to: String,
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
    #[command(flatten)]
    pub ring: RingArgs,
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
    /// Never write to the key store: fail (exit 1) if the ring has no usable default key
    #[arg(long)]
    pub no_create: bool,
    /// Output file [default: stdout]
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    pub output: Option<PathBuf>,
    /// Replace OUT if it exists [default: refuse]; the input itself is never replaced
    #[arg(long)]
    pub force: bool,
    /// Input file, or - for stdin [default: stdin]
    #[arg(value_name = "INPUT")]
    pub input: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct UnprotectArgs {
    #[command(flatten)]
    pub ring: RingArgs,
    /// Purpose; repeat for a chain (outermost first). After --purpose-preset's chain if both
    /// are given
    #[arg(
        long = "purpose",
        value_name = "P",
        required_unless_present = "purpose_preset"
    )]
    pub purposes: Vec<String>,
    /// A well-known ASP.NET Core purpose chain, NAME or NAME:SCHEME (see `dp purposes`), e.g.
    /// cookie:Identity.Application or antiforgery
    #[arg(long, value_name = "NAME[:SCHEME]")]
    pub purpose_preset: Option<String>,
    /// The payload is time-limited (made with --expires-in/--expires-at or .NET's ITimeLimitedDataProtector)
    #[arg(long)]
    pub time_limited: bool,
    /// Accept payloads of revoked keys (to migrate data off them)
    #[arg(long)]
    pub allow_revoked: bool,
    /// Read the payload as raw bytes instead of base64url text
    #[arg(long)]
    pub raw: bool,
    /// Take the payload from this cookie of a `Cookie:` header or `name=value` input
    #[arg(long, value_name = "NAME", conflicts_with = "raw")]
    pub cookie: Option<String>,
    /// Output file [default: stdout]
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    pub output: Option<PathBuf>,
    /// Replace OUT if it exists [default: refuse]; the input itself is never replaced
    #[arg(long)]
    pub force: bool,
    /// Input file, or - for stdin [default: stdin]
    #[arg(value_name = "INPUT")]
    pub input: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct InspectArgs {
    #[command(flatten)]
    pub ring: RingArgs,
    /// Machine-readable output
    #[arg(long)]
    pub json: bool,
    /// Read the payload as raw bytes instead of base64url text
    #[arg(long)]
    pub raw: bool,
    /// Take the payload from this cookie of a `Cookie:` header or `name=value` input
    #[arg(long, value_name = "NAME", conflicts_with = "raw")]
    pub cookie: Option<String>,
    /// Input file, or - for stdin [default: stdin]
    #[arg(value_name = "INPUT")]
    pub input: Option<PathBuf>,
}

/// `dp cookie`: the ring options, then a `cookie` subcommand.
#[derive(Debug, Args)]
pub(crate) struct CookieArgs {
    #[command(flatten)]
    pub ring: RingArgs,
    #[command(subcommand)]
    pub command: CookieCommand,
}

#[derive(Debug, Subcommand)]
pub(crate) enum CookieCommand {
    /// Decode a sign-in cookie: its identities, claims and properties
    #[command(after_help = concat!(
        "INPUT is a cookie value, name=value pairs, a whole `Cookie:` header, or `Set-Cookie:`\n",
        "lines (one per line, as `dp cookie issue` prints them); chunked cookies (NAME=chunks-N,\n",
        "NAMEC1..NAMECN) are reassembled. The scheme is --scheme, else the one named by the only\n",
        ".AspNetCore.NAME sign-in cookie present, else Cookies.\n\n",
        "A ticket whose .expires is past is rejected (exit 3) as the .NET cookie handler rejects\n",
        "it, unless --allow-expired.\n\n",
        "Examples:\n",
        "  echo 'Cookie: .AspNetCore.Cookies=CfDJ8…' | dp --app-name WebApp cookie decode\n",
        "  dp --app-name WebApp cookie decode --scheme Identity.Application --json header.txt\n\n",
        "Exit codes: 0 success, 1 runtime error, 2 usage, 3 rejected or expired",
    ))]
    Decode(CookieDecodeArgs),
    /// Issue a sign-in cookie the .NET app accepts: prints its Set-Cookie values
    #[command(after_help = concat!(
        "Claim types `name`, `nameid`, `role` and `email` stand for the .NET claim-type URIs;\n",
        "anything else is taken verbatim. Claims have value type string and issuer\n",
        "LOCAL AUTHORITY; the identity's authentication type is the scheme. The ticket lives\n",
        "14 days unless --expires-in/--expires-at, as .NET's cookie handler. The values carry\n",
        ".NET's default attributes (path=/; secure; samesite=lax; httponly; a persistent cookie\n",
        "also expires=) and are chunked exactly as .NET chunks them (4050 characters).\n\n",
        "Protecting creates the ring's first key if it has none, as ASP.NET Core does.\n\n",
        "Examples:\n",
        "  dp --app-name WebApp cookie issue --scheme Cookies --claim name=alice \\\n",
        "      --claim nameid=7c2b4a9e-42 --persistent\n",
        "  dp --app-name WebApp cookie issue --scheme Identity.Application --claim name=bob \\\n",
        "      --expires-in 1h --json",
    ))]
    Issue(CookieIssueArgs),
}

#[derive(Debug, Args)]
pub(crate) struct CookieDecodeArgs {
    /// Authentication scheme (purpose chain CookieAuthenticationMiddleware/SCHEME/v2)
    #[arg(long, value_name = "NAME")]
    pub scheme: Option<String>,
    /// Cookie name [default: .AspNetCore.SCHEME]
    #[arg(long, value_name = "NAME")]
    pub cookie: Option<String>,
    /// Machine-readable output
    #[arg(long)]
    pub json: bool,
    /// Print an expired ticket instead of rejecting it
    #[arg(long)]
    pub allow_expired: bool,
    /// Judge expiry at this instant (RFC 3339) instead of now
    #[arg(long, value_name = "T")]
    pub now: Option<String>,
    /// Input file, or - for stdin [default: stdin]
    #[arg(value_name = "INPUT")]
    pub input: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct CookieIssueArgs {
    /// Authentication scheme: the ticket's scheme, the identity's authentication type, and the
    /// cookie .AspNetCore.SCHEME
    #[arg(long, value_name = "NAME", required = true)]
    pub scheme: String,
    /// A claim TYPE=VALUE (split at the first `=`); repeat for several, in order
    #[arg(long = "claim", value_name = "TYPE=VALUE", required = true)]
    pub claims: Vec<String>,
    /// When the ticket was issued (RFC 3339) [default: now]
    #[arg(long, value_name = "T")]
    pub issued_at: Option<String>,
    /// Lifetime from --issued-at, e.g. 30m, 8h, 14d [default: 14d]
    #[arg(long, value_name = "D", conflicts_with = "expires_at")]
    pub expires_in: Option<String>,
    /// Expiry instant (RFC 3339)
    #[arg(long, value_name = "T")]
    pub expires_at: Option<String>,
    /// A persistent cookie (`.persistent`; the cookie gets expires=)
    #[arg(long)]
    pub persistent: bool,
    /// Let the handler slide the expiry (`.refresh` = True)
    #[arg(long)]
    pub allow_refresh: bool,
    /// Cookie name [default: .AspNetCore.SCHEME]
    #[arg(long, value_name = "NAME")]
    pub cookie: Option<String>,
    /// Machine-readable output
    #[arg(long)]
    pub json: bool,
}

/// `dp antiforgery`: the ring options, then an `antiforgery` subcommand.
#[derive(Debug, Args)]
pub(crate) struct AntiforgeryArgs {
    #[command(flatten)]
    pub ring: RingArgs,
    #[command(subcommand)]
    pub command: AntiforgeryCommand,
}

#[derive(Debug, Subcommand)]
pub(crate) enum AntiforgeryCommand {
    /// Decode a cookie or request token
    Decode {
        /// The token (the cookie's value, the form field or the header)
        #[arg(value_name = "TOKEN")]
        token: String,
        /// Machine-readable output
        #[arg(long)]
        json: bool,
    },
    /// Validate a cookie token and request token for a user, as ASP.NET Core does (exit 3 when
    /// invalid)
    Validate(AntiforgeryValidateArgs),
    /// Print the antiforgery cookie name for --app-name
    CookieName {
        /// Machine-readable output
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub(crate) struct AntiforgeryValidateArgs {
    /// The antiforgery cookie's value
    #[arg(long, value_name = "T")]
    pub cookie_token: String,
    /// The form field __RequestVerificationToken or header RequestVerificationToken
    #[arg(long, value_name = "T")]
    pub request_token: String,
    /// A claim TYPE=VALUE of the signed-in user (aliases name, nameid, role, email); none means
    /// anonymous
    #[arg(long = "claim", value_name = "TYPE=VALUE")]
    pub claims: Vec<String>,
    /// Machine-readable output
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct PurposesArgs {
    /// Machine-readable output
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct DoctorArgs {
    #[command(flatten)]
    pub ring: RingArgs,
    /// Machine-readable output
    #[arg(long)]
    pub json: bool,
}
