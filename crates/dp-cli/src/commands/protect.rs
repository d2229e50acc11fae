//! `dp protect` and `dp unprotect`.

use dp_format::base64url;
use time::Duration;
use zeroize::Zeroizing;

use crate::Context;
use crate::cli::{ProtectArgs, UnprotectArgs};
use crate::commands::{parse_instant, parse_lifetime};
use crate::error::CliError;
use crate::io::{Output, read_input, read_payload};

fn provider(
    ctx: &Context,
    no_create: bool,
) -> Result<dp_keyring::DataProtectionProvider, CliError> {
    ctx.provider_with(dp_keyring::KeyManagementOptions {
        auto_generate_keys: !no_create,
        ..dp_keyring::KeyManagementOptions::default()
    })
}

fn protector(
    provider: &dp_keyring::DataProtectionProvider,
    purposes: &[String],
) -> dp_keyring::DataProtector {
    // `required = true` in the argument definition guarantees at least one purpose.
    let (first, rest) = purposes
        .split_first()
        .map_or(("", &[][..]), |(f, r)| (f.as_str(), r));
    rest.iter()
        .fold(provider.create_protector(first), |p, purpose| {
            p.create_protector(purpose)
        })
}

pub(crate) fn protect(ctx: &Context, args: &ProtectArgs) -> Result<(), CliError> {
    let output = Output::new(args.output.as_deref(), args.force);
    output.check(args.input.as_deref())?;
    if args.raw && output.is_terminal() {
        return Err(
            CliError::usage("refusing to write a binary payload to a terminal")
                .with_hint("redirect the output, use -o FILE, or drop --raw"),
        );
    }
    let expiration = match (&args.expires_in, &args.expires_at) {
        (Some(d), _) => Some(Expiry::In(parse_lifetime(d, "--expires-in")?)),
        (None, Some(at)) => {
            let at_instant = parse_instant(at, "--expires-at")?;
            let now = ctx.provider()?.key_manager().clock().now();
            if at_instant <= now {
                return Err(CliError::usage(format!(
                    "--expires-at: `{at}` is not in the future (now is {now})"
                )));
            }
            Some(Expiry::At(at_instant))
        }
        (None, None) => None,
    };
    let plaintext = Zeroizing::new(read_input(args.input.as_deref())?);
    let provider = provider(ctx, args.no_create)?;
    let protector = protector(&provider, &args.purposes);
    let payload = match expiration {
        None => protector.protect(&plaintext),
        Some(Expiry::In(d)) => protector.to_time_limited().protect_for(&plaintext, d),
        Some(Expiry::At(t)) => protector.to_time_limited().protect_until(&plaintext, t),
    };
    // A key may have been created even if protecting then failed.
    ctx.announce_created_keys(&provider);
    let payload = payload.map_err(|e| ctx.keyring_error(&e))?;
    if args.raw {
        output.write_all(&payload)
    } else {
        let mut text = base64url::encode(&payload);
        text.push('\n');
        output.write_all(text.as_bytes())
    }
}

enum Expiry {
    In(Duration),
    At(dp_keyring::Timestamp),
}

pub(crate) fn unprotect(ctx: &Context, args: &UnprotectArgs) -> Result<(), CliError> {
    let output = Output::new(args.output.as_deref(), args.force);
    output.check(args.input.as_deref())?;
    let payload = read_payload(
        args.raw,
        args.input.as_deref(),
        args.cookie.as_deref(),
        "dp envelope open",
    )?;
    let purposes = match &args.purpose_preset {
        Some(spec) => {
            let (_, mut chain) = dp_aspnet::purposes::Preset::parse_chain(spec).map_err(|e| {
                CliError::usage(format!("--purpose-preset: {e}"))
                    .with_hint("`dp purposes` lists the presets")
            })?;
            chain.extend(args.purposes.iter().cloned());
            chain
        }
        None => args.purposes.clone(),
    };
    // Reading never creates keys anyway.
    let provider = provider(ctx, true)?;
    let protector = protector(&provider, &purposes);
    let outcome = if args.time_limited {
        protector
            .to_time_limited()
            .dangerous_unprotect(&payload, args.allow_revoked)
            .map(|(outcome, _)| outcome)
    } else {
        protector.dangerous_unprotect(&payload, args.allow_revoked)
    }
    .map_err(|e| {
        let err = ctx.keyring_error(&e);
        if !matches!(e, dp_keyring::KeyringError::AuthenticationFailed) {
            return err;
        }
        // Wrong purpose, or the time-limited flag the wrong way round?
        if args.time_limited && protector.to_time_limited().authenticates_as_plain(&payload) {
            err.with_message(
                "the payload is not time-limited (it authenticates without --time-limited)",
            )
            .with_hint("drop --time-limited")
        } else if !args.time_limited && protector.authenticates_as_time_limited(&payload) {
            err.with_message("the payload is time-limited (it authenticates with --time-limited)")
                .with_hint("add --time-limited")
        } else {
            err
        }
    })?;
    if outcome.was_revoked {
        eprintln!("warning: the payload's key is revoked; protect the data again");
    }
    let plaintext = outcome.plaintext;
    let plaintext = Zeroizing::new(plaintext);
    output.check_terminal_text(&plaintext)?;
    output.write_all(&plaintext)
}
