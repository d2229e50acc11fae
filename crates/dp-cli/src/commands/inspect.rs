//! `dp inspect`: what a payload's header says, without decrypting anything.

use dp_format::{CbcHmacBody, FormatError, GcmBody, ProtectedPayload};
use dp_keyring::{Algorithm, Key};
use serde_json::json;

use crate::Context;
use crate::cli::InspectArgs;
use crate::error::CliError;
use crate::io::read_payload;

/// The body split into named fields for a known algorithm, and the plaintext length range.
struct BodyLayout {
    fields: Vec<(&'static str, usize)>,
    plaintext: (usize, usize),
}

/// The body split by dp-format's views of the two layouts, which also know the plaintext
/// lengths a body can hold.
fn layout(alg: Algorithm, body: &[u8]) -> Option<BodyLayout> {
    match alg {
        Algorithm::CbcHmac { mac, .. } => {
            let view = CbcHmacBody::parse(body, mac.digest_len()).ok()?;
            Some(BodyLayout {
                fields: vec![
                    ("key modifier", view.key_modifier.len()),
                    ("IV", view.iv.len()),
                    ("ciphertext", view.ciphertext.len()),
                    (mac.xml_name(), view.tag.len()),
                ],
                plaintext: view.plaintext_len_range()?,
            })
        }
        Algorithm::Gcm { .. } => {
            let view = GcmBody::parse(body).ok()?;
            Some(BodyLayout {
                fields: vec![
                    ("key modifier", view.key_modifier.len()),
                    ("nonce", view.nonce.len()),
                    ("ciphertext", view.ciphertext.len()),
                    ("GCM tag", view.tag.len()),
                ],
                plaintext: (view.plaintext_len(), view.plaintext_len()),
            })
        }
    }
}

pub(crate) fn inspect(ctx: &Context, args: &InspectArgs) -> Result<(), CliError> {
    let bytes = read_payload(
        args.raw,
        args.input.as_deref(),
        args.cookie.as_deref(),
        "dp envelope inspect",
    )?;
    let payload =
        ProtectedPayload::parse(&bytes).map_err(|e: FormatError| ctx.keyring_error(&e.into()))?;
    let id = payload.key_id();
    let body_len = payload.body().len();

    // Reading the ring must not create keys: load, never resolve through the provider.
    let provider = ctx.provider()?;
    let loaded = provider
        .key_manager()
        .load()
        .map_err(|e| ctx.keyring_error(&e))?;
    let key: Option<&Key> = loaded.keys.iter().find(|k| k.id() == id).map(AsRef::as_ref);
    let skew = provider.options().max_server_clock_skew;
    let algorithm = key.and_then(Key::algorithm);
    let fields = algorithm.and_then(|a| layout(a, payload.body()));
    let window = key.map(|k| k.production_window(skew));

    if args.json {
        let key_fields = key.map(|k| {
            crate::commands::keys::joined(
                json!({
                    "created": k.creation().to_rfc3339(),
                    "activation": k.activation().to_rfc3339(),
                    "expiration": k.expiration().to_rfc3339(),
                    "revoked": k.is_revoked(),
                }),
                crate::commands::keys::joined(
                    crate::commands::keys::revocation_fields(loaded.revocation_of(k)),
                    json!({
                        "protection": k.protection().to_string(),
                        "encrypted_at_rest": k.protection().is_encrypted(),
                        "unusable_reason": k.unusable_reason().map(ToString::to_string),
                    }),
                ),
            )
        });
        return crate::json::print(json!({
            "format": "ASP.NET Core Data Protection payload",
            "format_version": 0,
            "key_id": id.to_string(),
            "total_length": bytes.len(),
            "body_length": body_len,
            "key_in_ring": key.is_some(),
            "algorithm": algorithm.map(|a| a.to_string()),
            "key": key_fields,
            "layout": fields.as_ref().map(|l| l.fields.iter().map(|(name, len)| json!({"field": name, "length": len})).collect::<Vec<_>>()),
            "plaintext_length": fields.as_ref().map(|l| json!({"min": l.plaintext.0, "max": l.plaintext.1})),
            "produced_not_before": window.map(|(a, _)| a.to_rfc3339()),
            "produced_not_after": window.map(|(_, b)| b.to_rfc3339()),
        }));
    }

    outln!("format:      ASP.NET Core Data Protection payload, version 0 (magic 09 F0 C9 F0)");
    outln!("key id:      {id}");
    outln!(
        "length:      {} bytes (header 20, body {body_len})",
        bytes.len()
    );
    match key {
        None => outln!(
            "key:         not in the ring at {} — algorithm unknown",
            ctx.key_dir_display()
        ),
        Some(k) => {
            let alg = algorithm.map_or_else(
                || match k.unusable_reason() {
                    Some(reason) => format!("unusable: {reason}"),
                    None => "unusable: unknown".to_owned(),
                },
                |a| a.to_string(),
            );
            outln!("algorithm:   {alg}");
            outln!(
                "key dates:   created {}, active from {}, expires {}{}",
                k.creation(),
                k.activation(),
                k.expiration(),
                if k.is_revoked() { " (REVOKED)" } else { "" }
            );
            if let Some(r) = loaded.revocation_of(k) {
                outln!(
                    "revoked:     {}{}: {}",
                    r.date().to_utc(),
                    if r.is_mass() {
                        " (every key created before then)"
                    } else {
                        ""
                    },
                    r.reason().unwrap_or("no reason given")
                );
            }
        }
    }
    if let Some(BodyLayout {
        fields,
        plaintext: (lo, hi),
    }) = &fields
    {
        let parts: Vec<String> = fields.iter().map(|(n, l)| format!("{n} {l}")).collect();
        outln!("body:        {}", parts.join(" | "));
        if lo == hi {
            outln!("plaintext:   {lo} bytes");
        } else {
            outln!("plaintext:   {lo} to {hi} bytes");
        }
    } else if algorithm.is_some() {
        outln!(
            "body:        length impossible for the key's algorithm (the payload will be rejected)"
        );
    }
    if let Some((earliest, latest)) = window {
        outln!("produced:    not before {earliest}, normally not after {latest}");
    }
    Ok(())
}
