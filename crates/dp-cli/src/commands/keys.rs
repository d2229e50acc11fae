//! `dp keys …`: create, list, revoke and prune keys.

use std::sync::Arc;

use dp_keyring::policy::resolve_default_key;
use dp_keyring::xml::Revocation;
use dp_keyring::{Algorithm, Key, KeyId, LoadedKeys, Timestamp};
use serde_json::json;
use time::Duration;

use crate::Context;
use crate::cli::RevokeArgs;
use crate::commands::parse_instant;
use crate::error::CliError;

pub(crate) fn new(
    ctx: &Context,
    algorithm: &str,
    lifetime_days: u32,
    activate_at: Option<&str>,
) -> Result<(), CliError> {
    let (algorithm, lifetime) = key_parameters(algorithm, lifetime_days)?;
    let provider = ctx.provider()?;
    let now = provider.key_manager().clock().now();
    let activation = match activate_at {
        Some(text) => parse_instant(text, "--activate-at")?,
        None => now,
    };
    let expiration = activation + lifetime;
    let manager = provider.key_manager();
    let id = manager
        .create_key(activation, expiration, algorithm)
        .map_err(|e| ctx.keyring_error(&e))?;
    ctx.announce_created_keys(&provider);
    outln!("{id}");
    Ok(())
}

fn state(key: &Key, default: Option<KeyId>, now: Timestamp) -> &'static str {
    key.state(now, default).as_str()
}

fn load(ctx: &Context) -> Result<(LoadedKeys, Option<KeyId>, Timestamp), CliError> {
    let provider = ctx.provider()?;
    let now = provider.key_manager().clock().now();
    let loaded = provider
        .key_manager()
        .load()
        .map_err(|e| ctx.keyring_error(&e))?;
    let default = resolve_default_key(now, &loaded.keys, provider.options()).default_key;
    Ok((loaded, default, now))
}

/// The width `dp keys list` fits in.
const TABLE_WIDTH: usize = 100;

/// How a revocation applies to a key, in JSON.
fn revocation_scope(r: &Revocation) -> &'static str {
    if r.is_mass() {
        "all_keys_created_before"
    } else {
        "key"
    }
}

/// The JSON fields of a key's revocation, null when it is not revoked.
pub(crate) fn revocation_fields(revocation: Option<&Revocation>) -> serde_json::Value {
    json!({
        "revocation_date": revocation.map(|r| r.date().to_rfc3339()),
        "revocation_reason": revocation.and_then(Revocation::reason),
        "revocation_scope": revocation.map(revocation_scope),
    })
}

/// `fields` followed by `more` (both objects).
pub(crate) fn joined(mut fields: serde_json::Value, more: serde_json::Value) -> serde_json::Value {
    if let (Some(a), serde_json::Value::Object(b)) = (fields.as_object_mut(), more) {
        a.extend(b);
    }
    fields
}

/// `text` cut to `width` characters, with an ellipsis when cut.
fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(width.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// The day of an instant (UTC), for the table.
fn day(t: Timestamp) -> String {
    let text = t.to_utc().to_rfc3339();
    text.get(..10).map_or_else(|| text.clone(), str::to_owned)
}

pub(crate) fn list(ctx: &Context, as_json: bool) -> Result<(), CliError> {
    let (loaded, default, now) = load(ctx)?;
    let mut keys: Vec<&Arc<Key>> = loaded.keys.iter().collect();
    keys.sort_by_key(|k| (k.activation(), k.id()));
    if as_json {
        let mut rows: Vec<serde_json::Value> = keys
            .iter()
            .map(|k| {
                let fields = json!({
                    "id": k.id().to_string(),
                    "state": state(k, default, now),
                    "created": k.creation().to_rfc3339(),
                    "activation": k.activation().to_rfc3339(),
                    "expiration": k.expiration().to_rfc3339(),
                    "algorithm": k.algorithm().map(|a| a.to_string()),
                    "revoked": k.is_revoked(),
                });
                let fields = joined(fields, revocation_fields(loaded.revocation_of(k)));
                joined(
                    fields,
                    json!({
                        "protection": k.protection().to_string(),
                        "encrypted_at_rest": k.protection().is_encrypted(),
                        "unusable_reason": k.unusable_reason().map(ToString::to_string),
                        "source": k.source(),
                    }),
                )
            })
            .collect();
        rows.extend(loaded.unreadable.iter().map(|u| {
            json!({
                "id": u.id.map(|id| id.to_string()),
                "state": "unreadable",
                "created": null,
                "activation": null,
                "expiration": null,
                "algorithm": null,
                "revoked": null,
                "revocation_date": null,
                "revocation_reason": null,
                "revocation_scope": null,
                "protection": null,
                "encrypted_at_rest": null,
                "unusable_reason": u.reason.to_string(),
                "source": u.source,
            })
        }));
        return crate::json::print(json!({
            "key_dir": ctx.key_dir_display(),
            "keys": rows,
        }));
    }
    if keys.is_empty() && loaded.unreadable.is_empty() {
        eprintln!("no keys in {}", ctx.key_dir_display());
        return Ok(());
    }
    // 36 + 2 + 10 + 2 + 10 + 2 + 10 + 2 + 22 (the longest algorithm name) = 96 columns; the
    // details of a key follow on indented lines, cut to the width. --json has every field whole.
    outln!(
        "{:<36}  {:<10}  {:<10}  {:<10}  ALGORITHM",
        "ID",
        "STATE",
        "ACTIVATION",
        "EXPIRATION"
    );
    for k in keys {
        let algorithm = k
            .algorithm()
            .map_or_else(|| "-".to_owned(), |a| a.to_string());
        let line = format!(
            "{:<36}  {:<10}  {:<10}  {:<10}  {algorithm}",
            k.id().to_string(),
            state(k, default, now),
            day(k.activation()),
            day(k.expiration()),
        );
        outln!("{}", fit(&line, TABLE_WIDTH));
        let mut details = Vec::new();
        if let Some(r) = loaded.revocation_of(k) {
            let scope = if r.is_mass() {
                " (every key created before then)"
            } else {
                ""
            };
            let reason = r.reason().unwrap_or("no reason given");
            details.push(format!("revoked {}{scope}: {reason}", r.date().to_utc()));
        }
        if let Some(reason) = k.unusable_reason() {
            details.push(format!("unusable: {reason}"));
        }
        details.push(format!("master key protection: {}", k.protection()));
        for detail in details {
            outln!("{}", fit(&format!("    {detail}"), TABLE_WIDTH));
        }
    }
    for u in &loaded.unreadable {
        let id = u.id.map_or_else(|| "?".to_owned(), |id| id.to_string());
        outln!("{}", fit(&format!("{id:<36}  unreadable"), TABLE_WIDTH));
        outln!(
            "{}",
            fit(&format!("    {} ({})", u.reason, u.source), TABLE_WIDTH)
        );
    }
    Ok(())
}

pub(crate) fn revoke(ctx: &Context, args: &RevokeArgs) -> Result<(), CliError> {
    let provider = ctx.provider()?;
    let manager = provider.key_manager();
    let reason = args.reason.as_deref();
    if args.target.all {
        let now = manager.clock().now();
        manager
            .revoke_all_created_before(now, reason)
            .map_err(|e| ctx.keyring_error(&e))?;
        eprintln!("revoked every key created before {now}");
        return Ok(());
    }
    let text = args.target.key_id.as_deref().unwrap_or_default();
    let id: KeyId = text
        .parse()
        .map_err(|_| CliError::usage(format!("--key-id: `{text}` is not a key id (GUID)")))?;
    let (loaded, _, _) = load(ctx)?;
    let known = loaded.keys.iter().any(|k| k.id() == id)
        || loaded.unreadable.iter().any(|u| u.id == Some(id));
    if !known {
        return Err(
            CliError::runtime(format!("no key {id} in {}", ctx.key_dir_display()))
                .with_hint("list the keys with `dp keys list`; is --key-dir right?"),
        );
    }
    manager
        .revoke_key(id, reason)
        .map_err(|e| ctx.keyring_error(&e))?;
    eprintln!("revoked key {id}");
    Ok(())
}

pub(crate) fn rewrap(ctx: &Context) -> Result<(), CliError> {
    let encryptor = ctx.encryption.encryptor().ok_or_else(|| {
        CliError::usage("keys rewrap needs the certificate to encrypt to")
            .with_hint("pass --protect-keys-with CERT (and --unprotect-keys-with for the old one)")
    })?;
    let provider = ctx.provider()?;
    let report = provider
        .key_manager()
        .rewrap(encryptor.as_ref())
        .map_err(|e| ctx.keyring_error(&e))?;
    for id in &report.rewrapped {
        outln!("{id}");
    }
    for (id, reason) in &report.unreadable {
        eprintln!("warning: key {id} left as it is: {reason}");
    }
    for (source, reason) in &report.skipped {
        eprintln!("warning: {source} left as it is: {reason}");
    }
    eprintln!(
        "re-encrypted {} key(s) to {}; {} already were; {} could not be read",
        report.rewrapped.len(),
        encryptor.protection(),
        report.already.len(),
        report.unreadable.len()
    );
    if report.unreadable.is_empty() && report.skipped.is_empty() {
        Ok(())
    } else {
        Err(CliError::runtime(format!(
            "{} key(s) could not be re-encrypted",
            report.unreadable.len() + report.skipped.len()
        ))
        .with_hint("give their identities with --unprotect-keys-with and run keys rewrap again"))
    }
}

pub(crate) fn prune(ctx: &Context, expired_for_days: u32) -> Result<(), CliError> {
    let provider = ctx.provider()?;
    let manager = provider.key_manager();
    let cutoff = manager.clock().now() - Duration::days(i64::from(expired_for_days));
    let deleted = manager
        .delete_keys(|k| k.expiration() < cutoff)
        .map_err(|e| ctx.keyring_error(&e))?;
    for id in &deleted {
        outln!("{id}");
    }
    eprintln!("deleted {} key(s)", deleted.len());
    Ok(())
}

/// `dp keys init-store`: EF Core's table, for a SQL store that has none yet.
pub(crate) fn init_store(ctx: &Context) -> Result<(), CliError> {
    ctx.store.init().map_err(|e| match e {
        dp_keyring::KeyringError::InvalidArgument(why) => CliError::usage(why),
        other => ctx.keyring_error(&other),
    })?;
    eprintln!("note: {} is ready", ctx.key_dir_display());
    Ok(())
}

/// `--algorithm` and `--lifetime` of the commands that create keys.
fn key_parameters(algorithm: &str, lifetime_days: u32) -> Result<(Algorithm, Duration), CliError> {
    let parsed: Algorithm = algorithm.parse().map_err(|_| {
        CliError::usage(format!("--algorithm: unknown algorithm `{algorithm}`")).with_hint(
            "use AES_{128,192,256}_CBC+HMACSHA256, AES_{128,192,256}_CBC+HMACSHA512 or AES_{128,192,256}_GCM",
        )
    })?;
    if lifetime_days < 7 {
        return Err(CliError::usage(
            "--lifetime: keys must live at least 7 days",
        ));
    }
    Ok((parsed, Duration::days(i64::from(lifetime_days))))
}

/// `dp keys ensure`.
pub(crate) fn ensure(
    ctx: &Context,
    min_remaining: &str,
    lifetime_days: u32,
    algorithm: &str,
) -> Result<(), CliError> {
    let horizon = crate::commands::parse_lifetime(min_remaining, "--min-remaining")?;
    let (algorithm, lifetime) = key_parameters(algorithm, lifetime_days)?;
    let provider = ctx.provider()?;
    let created = provider
        .key_manager()
        .ensure_key(horizon, lifetime, algorithm)
        .map_err(|e| ctx.keyring_error(&e))?;
    ctx.announce_created_keys(&provider);
    match created {
        Some(id) => outln!("{id}"),
        None => eprintln!(
            "note: the ring in {} has a key for the next {min_remaining}; nothing created",
            ctx.key_dir_display()
        ),
    }
    Ok(())
}

/// `dp keys copy --to URL`.
pub(crate) fn copy(ctx: &Context, to: &str) -> Result<(), CliError> {
    let target = dp_keyring::repository::StoreUrl::parse(to)
        .map_err(|e| CliError::usage(format!("--to: {e}")))?;
    if target == ctx.store {
        return Err(CliError::usage("--to names the store being copied"));
    }
    let source = ctx.repository()?;
    let destination = target.open().map_err(|e| ctx.keyring_error(&e))?;
    let report = dp_keyring::copy_ring(source.as_ref(), destination.as_ref())
        .map_err(|e| CliError::runtime(e.to_string()))?;
    for name in &report.copied {
        outln!("{name}");
    }
    eprintln!(
        "copied {} element(s) to {}; {} already there",
        report.copied.len(),
        target.redacted(),
        report.already_present.len()
    );
    Ok(())
}
