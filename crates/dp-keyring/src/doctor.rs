//! Checking a key store as an operator would: each problem a finding with a code, a severity and
//! the fix. .NET has no such tool; its failures show up as payloads that stop unprotecting.

use std::sync::Arc;

use dp_format::KeyId;
use time::Duration;

use crate::policy::{self, GenerationDecision, KeyManagementOptions};
use crate::repository::XmlRepository;
use crate::{KeyManager, KeyringError, OsRandom, SystemClock, Timestamp};

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Worth knowing.
    Info,
    /// Will become a problem, or may already be one.
    Warning,
    /// Payloads fail, or will, or the ring may be lost.
    Error,
}

impl Severity {
    /// `info`, `warning`, `error`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Warning => "warning",
            Self::Error => "error",
        }
    }
}

/// One problem found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// A stable code (`no_default_key`, `expiring_key`, …).
    pub code: &'static str,
    /// How bad.
    pub severity: Severity,
    /// The key concerned, if one is.
    pub key_id: Option<KeyId>,
    /// What was found.
    pub message: String,
    /// What to do.
    pub fix: String,
}

impl Finding {
    /// A finding.
    pub fn new(
        code: &'static str,
        severity: Severity,
        key_id: Option<KeyId>,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Self {
            code,
            severity,
            key_id,
            message: message.into(),
            fix: fix.into(),
        }
    }
}

/// A default key expiring within this is a warning.
const EXPIRY_WARNING: Duration = Duration::days(7);
/// A store clock further than this from ours is a warning (.NET's default clock-skew allowance).
const MAX_CLOCK_SKEW: Duration = Duration::minutes(5);

/// A finding for a store that cannot be opened at all.
pub fn unreachable(error: &KeyringError) -> Finding {
    Finding::new(
        "unreachable",
        Severity::Error,
        None,
        error.to_string(),
        "check the store URL or path, that the server runs and is reachable, and the credentials",
    )
}

/// Examines the ring in `repository` at `now`: reachability, default key, expiry, unreadable,
/// duplicate and revoked keys, unencrypted keys, the store's clock and the store's own health
/// ([`XmlRepository::health`]).
pub fn examine(
    repository: Arc<dyn XmlRepository>,
    encryption: crate::encryption::KeyEncryption,
    now: Timestamp,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    let describe = repository.describe();
    if !repository.exists() {
        findings.push(Finding::new(
            "no_default_key",
            Severity::Error,
            None,
            format!("{describe} does not exist: the ring is empty"),
            "check the location; the first `dp protect` or `dp keys ensure` creates it",
        ));
        return findings;
    }
    let manager = KeyManager::new(
        Arc::clone(&repository),
        Arc::new(SystemClock),
        Arc::new(OsRandom),
    )
    .with_encryption(encryption);
    let loaded = match manager.load() {
        Ok(loaded) => loaded,
        Err(KeyringError::DuplicateKeyId(id)) => {
            findings.push(Finding::new(
                "duplicate_id",
                Severity::Error,
                Some(id),
                format!("two key elements have the id {id}: the ring cannot be read"),
                "remove the copy that is not genuine (compare creation dates and sources)",
            ));
            return findings;
        }
        Err(e @ (KeyringError::Store { .. } | KeyringError::Io { .. } | KeyringError::File(_))) => {
            findings.push(unreachable(&e));
            return findings;
        }
        Err(e) => {
            findings.push(Finding::new(
                "unreadable_ring",
                Severity::Error,
                None,
                e.to_string(),
                "fix or remove the element named: it fails every reader of the ring, .NET's too",
            ));
            return findings;
        }
    };
    for unreadable in &loaded.unreadable {
        findings.push(Finding::new(
            "unreadable_key",
            Severity::Error,
            unreadable.id,
            format!(
                "the key in {} cannot be read: {}",
                unreadable.source, unreadable.reason
            ),
            "restore the key from a backup, or revoke and remove it",
        ));
    }
    for key in &loaded.keys {
        if let Some(reason) = key.unusable_reason() {
            findings.push(Finding::new(
                "unreadable_key",
                Severity::Warning,
                Some(key.id()),
                format!("key {} cannot be used here: {reason}", key.id()),
                "give dp the identity or decryptor the key needs (--unprotect-keys-with)",
            ));
        }
    }
    let options = KeyManagementOptions::default();
    let (resolution, decision) = policy::generation_decision(now, &loaded.keys, &options);
    let preferred = loaded
        .keys
        .iter()
        .filter(|k| k.activation() <= now + options.max_server_clock_skew)
        .max_by_key(|k| k.activation());
    match resolution.default_key {
        None => {
            if let Some(key) = preferred.filter(|k| k.is_revoked()) {
                findings.push(Finding::new(
                    "revoked_default",
                    Severity::Error,
                    Some(key.id()),
                    format!(
                        "the most recently activated key {} is revoked: no older key takes its place",
                        key.id()
                    ),
                    "create a new key now (`dp keys new`); .NET instances create one on their next refresh",
                ));
            }
            findings.push(Finding::new(
                "no_default_key",
                Severity::Error,
                None,
                format!("{describe} has no usable default key"),
                "create one (`dp keys new` or `dp keys ensure`)",
            ));
        }
        Some(id) => {
            let expiring = loaded
                .keys
                .iter()
                .find(|k| k.id() == id)
                .filter(|k| k.expiration() < now + EXPIRY_WARNING);
            let successor_missing = matches!(
                policy::generation_decision(
                    now,
                    &loaded.keys,
                    &KeyManagementOptions {
                        key_ring_refresh_period: EXPIRY_WARNING,
                        key_propagation_window: Duration::ZERO,
                        ..KeyManagementOptions::default()
                    }
                )
                .1,
                GenerationDecision::Successor { .. } | GenerationDecision::Immediate
            );
            if let Some(key) = expiring.filter(|_| successor_missing) {
                findings.push(Finding::new(
                    "expiring_key",
                    Severity::Warning,
                    Some(id),
                    format!(
                        "the default key {id} expires at {} and no successor exists",
                        key.expiration()
                    ),
                    "run `dp keys ensure` (from cron, or let instances generate keys)",
                ));
            }
        }
    }
    let _ = decision;
    let unencrypted = loaded
        .keys
        .iter()
        .filter(|k| !k.protection().is_encrypted())
        .count();
    if unencrypted > 0 {
        findings.push(Finding::new(
            "unencrypted_keys",
            Severity::Info,
            None,
            format!("{unencrypted} key(s) hold their master key in clear"),
            "protect the store, or encrypt new keys to a certificate (--protect-keys-with) and `dp keys rewrap`",
        ));
    }
    match repository.server_time() {
        Some(Ok(server_now)) => {
            let skew = (server_now - now).abs();
            if skew > MAX_CLOCK_SKEW {
                findings.push(Finding::new(
                    "clock_skew",
                    Severity::Warning,
                    None,
                    format!("the store's clock is {skew} away from this machine's"),
                    "synchronise clocks (NTP): key activation and expiry are judged by each instance's clock",
                ));
            }
        }
        Some(Err(e)) => findings.push(Finding::new(
            "clock_skew",
            Severity::Info,
            None,
            format!("the store's clock could not be read: {e}"),
            "none needed; the check did not run",
        )),
        None => {}
    }
    findings.extend(repository.health());
    findings
}
