//! `dp antiforgery decode | validate | cookie-name`.

use dp_aspnet::antiforgery::{self, Antiforgery};
use dp_aspnet::wire::antiforgery::{AntiforgeryToken, TokenKind, TokenUser};
use dp_aspnet::{AspNetError, ClaimsIdentity};
use serde_json::{Value, json};

use crate::Context;
use crate::cli::{AntiforgeryCommand, AntiforgeryValidateArgs};
use crate::commands::cookie::{aspnet_error, parse_claims};
use crate::error::CliError;
use crate::json;

/// The authentication type of the identity `--claim` describes: any non-empty value makes it
/// authenticated, which is all antiforgery looks at.
const CLI_AUTHENTICATION_TYPE: &str = "dp";

pub(crate) fn run(ctx: &Context, command: &AntiforgeryCommand) -> Result<(), CliError> {
    match command {
        AntiforgeryCommand::Decode { token, json } => decode(ctx, token, *json),
        AntiforgeryCommand::Validate(args) => validate(ctx, args),
        AntiforgeryCommand::CookieName { json } => cookie_name(ctx, *json),
    }
}

fn service(ctx: &Context) -> Result<Antiforgery, CliError> {
    // Reading never creates keys.
    let provider = ctx.provider_with(dp_keyring::KeyManagementOptions {
        auto_generate_keys: false,
        ..dp_keyring::KeyManagementOptions::default()
    })?;
    Ok(Antiforgery::new(&provider))
}

fn token_text(text: &str) -> &str {
    text.trim().trim_matches('"')
}

fn decode(ctx: &Context, token: &str, as_json: bool) -> Result<(), CliError> {
    let token = service(ctx)?
        .decode_token(token_text(token))
        .map_err(|e| aspnet_error(ctx, &e))?;
    if as_json {
        return json::print(token_json(&token));
    }
    outln!("security token  {}", hex::encode(token.security_token));
    match &token.kind {
        TokenKind::Cookie => outln!("kind            cookie token"),
        TokenKind::Request {
            user,
            additional_data,
        } => {
            outln!("kind            request token");
            match user {
                TokenUser::ClaimUid(uid) => outln!("claim uid       {}", hex::encode(uid)),
                TokenUser::Username(name) if name.is_empty() => {
                    outln!("user            (anonymous)");
                }
                TokenUser::Username(name) => outln!("username        {name}"),
            }
            outln!("additional data {additional_data:?}");
        }
    }
    Ok(())
}

fn token_json(token: &AntiforgeryToken) -> Value {
    let (kind, claim_uid, username, additional_data) = match &token.kind {
        TokenKind::Cookie => ("cookie", None, None, None),
        TokenKind::Request {
            user,
            additional_data,
        } => match user {
            TokenUser::ClaimUid(uid) => (
                "request",
                Some(hex::encode(uid)),
                None,
                Some(additional_data.as_str()),
            ),
            TokenUser::Username(name) => (
                "request",
                None,
                Some(name.as_str()),
                Some(additional_data.as_str()),
            ),
        },
    };
    json!({
        "kind": kind,
        "security_token": hex::encode(token.security_token),
        "claim_uid": claim_uid,
        "username": username,
        "additional_data": additional_data,
    })
}

fn validate(ctx: &Context, args: &AntiforgeryValidateArgs) -> Result<(), CliError> {
    let claims = parse_claims(&args.claims)?;
    let identities = if claims.is_empty() {
        Vec::new()
    } else {
        let mut identity = ClaimsIdentity::new(CLI_AUTHENTICATION_TYPE);
        identity.claims = claims;
        vec![identity]
    };
    let result = service(ctx)?.validate(
        token_text(&args.cookie_token),
        token_text(&args.request_token),
        &identities,
    );
    let claim_uid = antiforgery::claim_uid(&identities).map(hex::encode);
    match result {
        Ok(()) => {
            if args.json {
                json::print(json!({ "valid": true, "reason": null, "claim_uid": claim_uid }))
            } else {
                outln!("valid");
                Ok(())
            }
        }
        Err(e @ AspNetError::Antiforgery(_)) => {
            if args.json {
                json::print(json!({
                    "valid": false,
                    "reason": e.to_string(),
                    "claim_uid": claim_uid,
                }))?;
            }
            Err(CliError::rejected(format!("invalid: {e}")).with_hint(
                "the request token is bound to the user it was issued to: give that user's claims \
                 with --claim (none for anonymous)",
            ))
        }
        Err(e) => Err(aspnet_error(ctx, &e)),
    }
}

fn cookie_name(ctx: &Context, as_json: bool) -> Result<(), CliError> {
    let Some(app) = ctx.app_name.as_deref() else {
        return Err(
            CliError::usage("--app-name is required: the cookie name is derived from it")
                .with_hint("give the .NET app's SetApplicationName value, e.g. --app-name WebApp"),
        );
    };
    let name = antiforgery::cookie_name(Some(app));
    if as_json {
        return json::print(json!({ "app_name": app, "cookie_name": name }));
    }
    outln!("{name}");
    Ok(())
}
