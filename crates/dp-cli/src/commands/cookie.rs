//! `dp cookie decode` and `dp cookie issue`.

use std::sync::Arc;

use dp_aspnet::cookie::{RequestCookies, authentication_cookie_name};
use dp_aspnet::{
    AspNetError, AuthenticationTicket, Claim, ClaimsIdentity, CookieAuthenticator,
    DEFAULT_LIFETIME, claim_types,
};
use dp_keyring::{Clock, ManualClock, SystemClock, Timestamp};
use serde_json::{Map, Value, json};

use crate::Context;
use crate::cli::{CookieCommand, CookieDecodeArgs, CookieIssueArgs};
use crate::commands::{parse_instant, parse_lifetime};
use crate::error::CliError;
use crate::io::read_input;
use crate::json;

/// Appends a formatted line to a `String`.
macro_rules! pushln {
    ($out:expr, $($arg:tt)*) => {{
        $out.push_str(&format!($($arg)*));
        $out.push('\n');
    }};
}

/// The scheme when neither `--scheme` nor a cookie name says.
const DEFAULT_SCHEME: &str = "Cookies";
/// What every sign-in cookie name starts with.
const AUTH_PREFIX: &str = ".AspNetCore.";
/// `.AspNetCore.` cookies that are not sign-in cookies.
const NOT_SIGN_IN: [&str; 6] = [
    ".AspNetCore.Antiforgery.",
    ".AspNetCore.Session",
    ".AspNetCore.Mvc.",
    ".AspNetCore.Components.",
    ".AspNetCore.Correlation.",
    ".AspNetCore.OpenIdConnect.",
];

pub(crate) fn run(ctx: &Context, command: &CookieCommand) -> Result<(), CliError> {
    match command {
        CookieCommand::Decode(args) => decode(ctx, args),
        CookieCommand::Issue(args) => issue(ctx, args),
    }
}

/// The input as a `Cookie` header: a header, `name=value` pairs, `Set-Cookie:` lines (their
/// first pair each), or `None` for a bare cookie value.
fn as_cookie_header(text: &str) -> Option<String> {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    fn set_cookie(line: &str) -> Option<&str> {
        line.get(..11)
            .filter(|p| p.eq_ignore_ascii_case("set-cookie:"))
            .and_then(|_| line.get(11..))
    }
    if lines.len() > 1 || lines.first().is_some_and(|l| set_cookie(l).is_some()) {
        let pairs: Vec<&str> = lines
            .iter()
            .map(|l| set_cookie(l).unwrap_or(l))
            .map(|l| l.split(';').next().unwrap_or("").trim())
            .collect();
        return Some(pairs.join("; "));
    }
    let line = lines.first().copied().unwrap_or("");
    line.contains('=').then(|| line.to_owned())
}

/// Sign-in cookie names among `cookies`: `.AspNetCore.X` that is neither another component's
/// cookie nor a chunk (`NAMEC3` of a `NAME` present).
fn sign_in_cookies<'a>(cookies: &RequestCookies<'a>) -> Vec<&'a str> {
    let names: Vec<&str> = cookies.names().collect();
    let is_chunk = |name: &str| {
        let base = name.trim_end_matches(|c: char| c.is_ascii_digit());
        base.len() < name.len()
            && base
                .strip_suffix('C')
                .is_some_and(|b| names.iter().any(|n| n.eq_ignore_ascii_case(b)))
    };
    let mut found: Vec<&str> = Vec::new();
    for name in &names {
        let is_auth = name.starts_with(AUTH_PREFIX)
            && name.len() > AUTH_PREFIX.len()
            && !NOT_SIGN_IN.iter().any(|p| name.starts_with(p))
            && !is_chunk(name);
        if is_auth && !found.iter().any(|f| f.eq_ignore_ascii_case(name)) {
            found.push(name);
        }
    }
    found
}

/// The scheme a cookie name stands for: `.AspNetCore.{scheme}` (percent-decoded), or the name
/// itself (Identity's external and two-factor cookies are named after their scheme).
fn scheme_of(cookie: &str) -> String {
    let rest = cookie.strip_prefix(AUTH_PREFIX).unwrap_or(cookie);
    percent_decode(rest)
}

fn percent_decode(text: &str) -> String {
    let cookies = format!("x={text}");
    RequestCookies::parse(&cookies)
        .ok()
        .and_then(|c| c.get("x").map(|v| v.into_owned()))
        .unwrap_or_else(|| text.to_owned())
}

fn decode(ctx: &Context, args: &CookieDecodeArgs) -> Result<(), CliError> {
    let bytes = read_input(args.input.as_deref())?;
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| CliError::rejected("the input is not UTF-8 text"))?;
    let text = text.trim_start_matches('\u{feff}').trim();
    if text.is_empty() {
        return Err(CliError::usage("the input is empty")
            .with_hint("give a cookie value, name=value pairs or a Cookie: header"));
    }
    let header = as_cookie_header(text);
    let cookies = match &header {
        Some(h) => Some(RequestCookies::parse(h).map_err(|e| aspnet_error(ctx, &e))?),
        None => None,
    };

    let (scheme, cookie_name) = match (&args.scheme, &args.cookie) {
        (Some(s), Some(c)) => (s.clone(), c.clone()),
        (Some(s), None) => (s.clone(), authentication_cookie_name(s)),
        (None, Some(c)) => (scheme_of(c), c.clone()),
        (None, None) => {
            let candidates = cookies.as_ref().map(sign_in_cookies).unwrap_or_default();
            match candidates.as_slice() {
                [] => (
                    DEFAULT_SCHEME.to_owned(),
                    authentication_cookie_name(DEFAULT_SCHEME),
                ),
                [one] => (scheme_of(one), (*one).to_owned()),
                several => {
                    return Err(CliError::usage(format!(
                        "the input holds several sign-in cookies: {}",
                        several.join(", ")
                    ))
                    .with_hint("choose one with --scheme NAME (or --cookie NAME)"));
                }
            }
        }
    };

    let now = match &args.now {
        Some(t) => parse_instant(t, "--now")?,
        None => SystemClock.now(),
    };
    // Reading never creates keys.
    let provider = ctx.provider_with(dp_keyring::KeyManagementOptions {
        auto_generate_keys: false,
        ..dp_keyring::KeyManagementOptions::default()
    })?;
    let authenticator = CookieAuthenticator::new(&provider, &scheme)
        .with_cookie_name(cookie_name.clone())
        .with_clock(Arc::new(ManualClock::new(now)))
        .allow_expired(args.allow_expired);
    let result = match (&cookies, header.is_some()) {
        (Some(c), true) => c
            .get_chunked(&cookie_name)
            .and_then(|v| {
                v.ok_or_else(|| AspNetError::NoCookie {
                    name: cookie_name.clone(),
                })
            })
            .and_then(|v| authenticator.authenticate_value(&v)),
        _ => authenticator.authenticate_value(text.trim_matches('"')),
    };
    let user =
        result.map_err(|e| {
            let err = aspnet_error(ctx, &e);
            match e {
            AspNetError::NoCookie { .. } => {
                let present: Vec<&str> = cookies
                    .as_ref()
                    .map(|c| c.names().collect())
                    .unwrap_or_default();
                err.with_hint(format!(
                    "cookies present: {}; choose one with --cookie NAME or --scheme NAME",
                    if present.is_empty() { "none".to_owned() } else { present.join(", ") }
                ))
            }
            AspNetError::Unprotect(dp_keyring::KeyringError::AuthenticationFailed) => err
                .with_hint(format!(
                    "check --app-name (the .NET app's SetApplicationName) and the scheme ({scheme})"
                )),
            _ => err,
        }
        })?;
    let ticket = &user.ticket;
    let issued = ticket
        .properties
        .issued()
        .map_err(|e| aspnet_error(ctx, &e))?;
    let expires = ticket
        .properties
        .expires()
        .map_err(|e| aspnet_error(ctx, &e))?;
    let expired = expires.is_some_and(|at| at < now);
    if expired {
        eprintln!(
            "warning: the ticket expired at {}; the .NET app would reject it",
            expires.map(|t| t.to_rfc3339()).unwrap_or_default()
        );
    }
    let report = user.report;
    let mut warnings = Vec::new();
    if report.trailing_bytes > 0 {
        warnings.push(format!(
            "{} bytes follow the ticket (.NET ignores them)",
            report.trailing_bytes
        ));
    }
    if report.replaced_invalid_utf8 {
        warnings.push("a string is not valid UTF-8 (read with U+FFFD, as .NET does)".to_owned());
    }
    if let Some(v) = report.ignored_properties_version {
        warnings.push(format!(
            "the properties have format version {v}; .NET ignores them, and so did dp"
        ));
    }
    if args.json {
        return json::print(json!({
            "scheme": ticket.scheme,
            "cookie": cookie_name,
            "identities": ticket.identities.iter().map(identity_json).collect::<Vec<_>>(),
            "properties": properties_json(ticket.properties.items()),
            "issued": issued.map(|t| t.to_rfc3339()),
            "expires": expires.map(|t| t.to_rfc3339()),
            "expired": expired,
            "persistent": ticket.properties.is_persistent(),
            "warnings": warnings,
        }));
    }
    for w in &warnings {
        eprintln!("warning: {w}");
    }
    let mut out = String::new();
    print_ticket(&mut out, ticket, &cookie_name, issued, expires, expired);
    crate::io::print_text(&out)
}

fn identity_json(identity: &ClaimsIdentity) -> Value {
    json!({
        "authentication_type": identity.authentication_type,
        "name_claim_type": identity.name_claim_type,
        "role_claim_type": identity.role_claim_type,
        "bootstrap_context": identity.bootstrap_context,
        "claims": identity.claims.iter().map(|c| json!({
            "type": c.claim_type,
            "value": c.value,
            "value_type": c.value_type,
            "issuer": c.issuer,
            "original_issuer": c.original_issuer,
            "properties": properties_json(&c.properties),
        })).collect::<Vec<_>>(),
        "actor": identity.actor.as_deref().map(identity_json),
    })
}

fn properties_json(items: &[(String, String)]) -> Value {
    Value::Object(
        items
            .iter()
            .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
            .collect::<Map<_, _>>(),
    )
}

fn print_ticket(
    out: &mut String,
    ticket: &AuthenticationTicket,
    cookie: &str,
    issued: Option<Timestamp>,
    expires: Option<Timestamp>,
    expired: bool,
) {
    let date = |t: Option<Timestamp>| t.map_or_else(|| "-".to_owned(), |t| t.to_rfc3339());
    pushln!(out, "scheme      {} (cookie {cookie})", ticket.scheme);
    pushln!(out, "issued      {}", date(issued));
    pushln!(
        out,
        "expires     {}{}",
        date(expires),
        if expired { "  EXPIRED" } else { "" }
    );
    pushln!(
        out,
        "persistent  {}",
        if ticket.properties.is_persistent() {
            "yes"
        } else {
            "no"
        }
    );
    for (i, identity) in ticket.identities.iter().enumerate() {
        out.push('\n');
        print_identity(out, identity, &format!("identity {}", i + 1), "");
    }
    out.push('\n');
    pushln!(out, "properties");
    let width = key_width(ticket.properties.items().iter().map(|(k, _)| k.as_str()));
    for (k, v) in ticket.properties.items() {
        pushln!(out, "  {k:width$}  {v}");
    }
}

fn print_identity(out: &mut String, identity: &ClaimsIdentity, title: &str, indent: &str) {
    let auth = if identity.authentication_type.is_empty() {
        "(not authenticated)"
    } else {
        identity.authentication_type.as_str()
    };
    pushln!(
        out,
        "{indent}{title}: {auth}, name {}",
        identity.name().unwrap_or("-")
    );
    if identity.name_claim_type != claim_types::NAME
        || identity.role_claim_type != claim_types::ROLE
    {
        pushln!(
            out,
            "{indent}  name claim type {}, role claim type {}",
            identity.name_claim_type,
            identity.role_claim_type
        );
    }
    let label = |c: &Claim| {
        claim_types::short_name(&c.claim_type).map_or_else(|| c.claim_type.clone(), str::to_owned)
    };
    let width = identity
        .claims
        .iter()
        .map(|c| label(c).chars().count())
        .max()
        .unwrap_or(0)
        .min(40);
    for claim in &identity.claims {
        let mut notes = Vec::new();
        if claim.value_type != claim_types::STRING_VALUE {
            notes.push(format!("value type {}", claim.value_type));
        }
        if claim.issuer != claim_types::LOCAL_AUTHORITY {
            notes.push(format!("issuer {}", claim.issuer));
        }
        if claim.original_issuer != claim.issuer {
            notes.push(format!("original issuer {}", claim.original_issuer));
        }
        for (k, v) in &claim.properties {
            notes.push(format!("{k}={v}"));
        }
        let notes = if notes.is_empty() {
            String::new()
        } else {
            format!("  [{}]", notes.join("; "))
        };
        pushln!(
            out,
            "{indent}  {:width$}  {}{notes}",
            label(claim),
            claim.value
        );
    }
    if let Some(bootstrap) = &identity.bootstrap_context {
        pushln!(out, "{indent}  bootstrap context: {bootstrap}");
    }
    if let Some(actor) = &identity.actor {
        print_identity(out, actor, "actor", &format!("{indent}  "));
    }
}

fn key_width<'a>(keys: impl Iterator<Item = &'a str>) -> usize {
    keys.map(|k| k.chars().count()).max().unwrap_or(0).min(40)
}

/// `TYPE=VALUE` with the short aliases expanded.
pub(crate) fn parse_claims(specs: &[String]) -> Result<Vec<Claim>, CliError> {
    specs
        .iter()
        .map(|spec| {
            let (claim_type, value) = spec.split_once('=').ok_or_else(|| {
                CliError::usage(format!("--claim: `{spec}` is not TYPE=VALUE"))
                    .with_hint("for example --claim name=alice or --claim role=admin")
            })?;
            if claim_type.is_empty() {
                return Err(CliError::usage(format!("--claim: `{spec}` has no type")));
            }
            Ok(Claim::new(claim_types::expand_alias(claim_type), value))
        })
        .collect()
}

fn issue(ctx: &Context, args: &CookieIssueArgs) -> Result<(), CliError> {
    if args.scheme.is_empty() {
        return Err(CliError::usage("--scheme: the scheme is empty"));
    }
    let mut identity = ClaimsIdentity::new(args.scheme.clone());
    identity.claims = parse_claims(&args.claims)?;
    let issued = match &args.issued_at {
        Some(t) => parse_instant(t, "--issued-at")?,
        None => SystemClock.now(),
    };
    // .NET keeps both dates to the second (the `r` format).
    let issued = Timestamp::from_unix_seconds(issued.unix_seconds())
        .map_err(|e| CliError::usage(format!("--issued-at: {e}")))?;
    let expires = match (&args.expires_in, &args.expires_at) {
        (Some(d), _) => issued.saturating_add(parse_lifetime(d, "--expires-in")?),
        (None, Some(t)) => parse_instant(t, "--expires-at")?,
        (None, None) => issued.saturating_add(DEFAULT_LIFETIME),
    };
    let expires = Timestamp::from_unix_seconds(expires.unix_seconds())
        .map_err(|e| CliError::usage(format!("--expires-at: {e}")))?;
    if expires <= issued {
        return Err(CliError::usage(format!(
            "the ticket would expire ({}) when or before it is issued ({})",
            expires.to_rfc3339(),
            issued.to_rfc3339()
        )));
    }
    let mut ticket = AuthenticationTicket::new(args.scheme.clone(), vec![identity]);
    ticket.properties.set_issued(issued);
    ticket.properties.set_expires(expires);
    ticket.properties.set_persistent(args.persistent);
    if args.allow_refresh {
        ticket.properties.set_allow_refresh(Some(true));
    }

    let provider = ctx.provider()?;
    let mut authenticator = CookieAuthenticator::new(&provider, &args.scheme);
    if let Some(name) = &args.cookie {
        authenticator = authenticator.with_cookie_name(name.clone());
    }
    let set_cookies = authenticator.issue(&ticket);
    ctx.announce_created_keys(&provider);
    let set_cookies = set_cookies.map_err(|e| aspnet_error(ctx, &e))?;
    if args.json {
        return json::print(json!({
            "scheme": args.scheme,
            "cookie": authenticator.cookie_name(),
            "set_cookie": set_cookies,
            "issued": issued.to_rfc3339(),
            "expires": expires.to_rfc3339(),
        }));
    }
    for line in &set_cookies {
        outln!("{line}");
    }
    Ok(())
}

/// Translates a web-artifact error: key-ring failures as every ring command reports them, the
/// rest as rejections of the input (exit 3).
pub(crate) fn aspnet_error(ctx: &Context, e: &AspNetError) -> CliError {
    match e {
        AspNetError::Unprotect(k) => ctx.keyring_error(k),
        AspNetError::InvalidArgument(_) => CliError::usage(e.to_string()),
        _ => CliError::rejected(e.to_string()),
    }
}
