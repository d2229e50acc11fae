//! Operating a shared ring from one place: keeping it topped up (`ensure`) and moving it between
//! stores (`copy_ring`). .NET has neither: every instance races to create keys, and a ring never
//! leaves the store it was made in.

use std::collections::HashMap;

use dp_crypto::Algorithm;
use dp_format::KeyId;
use time::Duration;

use crate::encryption::KeyEncryption;
use crate::policy::{self, GenerationDecision, KeyManagementOptions};
use crate::repository::XmlRepository;
use crate::xml::{self, Element, Revocation};
use crate::{KeyManager, KeyringError, Timestamp};

impl KeyManager {
    /// Creates the next key when the ring needs one within `min_remaining`: none if the default
    /// key (or its successor) lasts longer; a key active from now if there is no usable default;
    /// else a successor activating when the default expires. Under the repository lock, after a
    /// re-read, so any number of processes running it at once create one key.
    ///
    /// Meant for a single writer (cron, a sidecar) while .NET instances run with key generation
    /// disabled: each new key is made `min_remaining` ahead, so every reader has time to see it
    /// before it activates.
    ///
    /// # Errors
    /// As [`KeyManager::create_key`].
    pub fn ensure_key(
        &self,
        min_remaining: Duration,
        lifetime: Duration,
        algorithm: Algorithm,
    ) -> Result<Option<KeyId>, KeyringError> {
        let _lock = self.repository().lock()?;
        let loaded = self.load_or_empty()?;
        let now = self.clock().now();
        // A key this process cannot use (encrypted to a certificate it was not given) would look
        // like no default key, and a new one would split the farm: refuse instead.
        if let Some(Err(unusable)) = loaded
            .keys
            .iter()
            .filter(|k| !k.is_revoked() && k.expiration() > now)
            .map(|k| k.encryptor().map(drop))
            .find(Result::is_err)
        {
            return Err(unusable);
        }
        // `generation_decision` asks for a key lasting past refresh + propagation: here both are
        // the operator's horizon.
        let options = KeyManagementOptions {
            key_ring_refresh_period: min_remaining,
            key_propagation_window: Duration::ZERO,
            ..KeyManagementOptions::default()
        };
        let (_, decision) = policy::generation_decision(now, &loaded.keys, &options);
        let activation = match decision {
            GenerationDecision::None => return Ok(None),
            GenerationDecision::Immediate => now,
            GenerationDecision::Successor { activation } => activation,
        };
        self.create_key_locked(activation, activation + lifetime, algorithm)
            .map(Some)
    }
}

/// What [`copy_ring`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CopyReport {
    /// Elements written to the target, by friendly name.
    pub copied: Vec<String>,
    /// Elements the target already held, identical.
    pub already_present: Vec<String>,
    /// Elements that are neither keys nor revocations (not copied; .NET ignores them).
    pub skipped: Vec<String>,
}

/// Copies every key and revocation of `from` into `to`, as they are: encrypted master keys stay
/// encrypted, nothing is decrypted or re-serialized (stores put each element in their own form).
/// Idempotent: an element of the same kind and id (or the same revoke-all date) already in `to`
/// is skipped when its content is the same.
///
/// # Errors
/// [`KeyringError::InvalidArgument`] naming an element present in both with different content
/// (nothing is written then); any read or write error of either store.
pub fn copy_ring(
    from: &dyn XmlRepository,
    to: &dyn XmlRepository,
) -> Result<CopyReport, KeyringError> {
    let source = from.load_all()?;
    let _lock = to.lock()?;
    let target = if to.exists() {
        to.load_all()?
    } else {
        Vec::new()
    };
    // Only metadata is read: without decryptors, an encrypted key still has its id.
    let encryption = KeyEncryption::new();
    let mut present: HashMap<String, String> = HashMap::new();
    for element in &target {
        if let Some(identity) = identity(&element.xml, &element.source, &encryption)? {
            present.insert(identity, xml::single_line(&element.xml).to_string());
        }
    }
    let mut report = CopyReport::default();
    let mut to_write = Vec::new();
    for element in &source {
        let Some(identity) = identity(&element.xml, &element.source, &encryption)? else {
            report.skipped.push(element.name.clone());
            continue;
        };
        let text = xml::single_line(&element.xml);
        match present.get(&identity) {
            Some(existing) if *existing == *text => {
                report.already_present.push(element.name.clone());
            }
            Some(_) => {
                return Err(KeyringError::InvalidArgument(format!(
                    "{} already holds {identity} with different content (from {}); nothing was copied",
                    to.describe(),
                    element.source
                )));
            }
            None => {
                present.insert(identity, text.to_string());
                to_write.push(element);
            }
        }
    }
    for element in to_write {
        to.store(&element.name, &element.xml)?;
        report.copied.push(element.name.clone());
    }
    Ok(report)
}

/// `key {id}`, `revocation of {id}`, `revocation of all keys before {date}`, or `None` for an
/// element that is neither.
fn identity(
    text: &str,
    source: &str,
    encryption: &KeyEncryption,
) -> Result<Option<String>, KeyringError> {
    Ok(match xml::parse_element_with(text, source, encryption)? {
        Element::Key(key) => Some(format!("key {}", key.id)),
        Element::MalformedKey { id: Some(id), .. } => Some(format!("key {id}")),
        Element::MalformedKey { id: None, .. } => {
            return Err(KeyringError::malformed(
                source,
                "a key without a readable id",
            ));
        }
        Element::Revocation(Revocation::Key { id, .. }) => Some(format!("revocation of {id}")),
        Element::Revocation(Revocation::AllCreatedBefore { date, .. }) => Some(format!(
            "revocation of all keys created before {}",
            Timestamp::to_xml(&date)
        )),
        Element::Other { .. } => None,
    })
}
