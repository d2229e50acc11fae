//! Reading the ring out of a repository and writing keys and revocations into it.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use dp_crypto::{Algorithm, AuthenticatedEncryptor, MasterKey, SecureRandom};
use dp_format::KeyId;

use crate::encryption::{KeyEncryption, XmlEncryptor};
use crate::repository::XmlRepository;
use crate::xml::{self, Descriptor, DescriptorForm, Element, Revocation};
use crate::{Clock, Key, KeyringError, MalformedKeyError, Timestamp};

/// A key element that could not be read (bad id or dates). .NET skips such keys; we list them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnreadableKey {
    /// The id, when it parsed.
    pub id: Option<KeyId>,
    /// Where it was read from.
    pub source: String,
    /// Why it is unreadable.
    pub reason: MalformedKeyError,
}

/// Everything the repository holds, interpreted.
#[derive(Debug, Default)]
pub struct LoadedKeys {
    /// Readable keys, with revocations applied, in repository order.
    pub keys: Vec<Arc<Key>>,
    /// Key elements whose metadata did not parse.
    pub unreadable: Vec<UnreadableKey>,
    /// Revocation elements by repository name.
    pub revocations: Vec<(String, Revocation)>,
}

impl LoadedKeys {
    /// The latest revoke-all date: only the latest mass revocation matters (.NET).
    pub fn latest_mass_revocation(&self) -> Option<Timestamp> {
        self.revocations
            .iter()
            .filter_map(|(_, r)| match r {
                Revocation::AllCreatedBefore { date, .. } => Some(*date),
                Revocation::Key { .. } => None,
            })
            .max()
    }

    /// The revocation that revokes `key`, if any: a revocation of that key (the earliest, if
    /// several), else the latest mass revocation when the key was created strictly before it.
    /// This is the rule [`KeyManager::load`] applies to set [`Key::is_revoked`].
    pub fn revocation_of(&self, key: &Key) -> Option<&Revocation> {
        let single = self
            .revocations
            .iter()
            .map(|(_, r)| r)
            .filter(|r| matches!(r, Revocation::Key { id, .. } if *id == key.id))
            .min_by_key(|r| r.date());
        single.or_else(|| {
            self.revocations
                .iter()
                .map(|(_, r)| r)
                .filter(|r| r.is_mass())
                .max_by_key(|r| r.date())
                .filter(|r| key.creation < r.date())
        })
    }
}

/// What [`KeyManager::rewrap`] did.
#[derive(Debug, Default)]
pub struct RewrapReport {
    /// Keys re-encrypted.
    pub rewrapped: Vec<KeyId>,
    /// Keys already protected that way.
    pub already: Vec<KeyId>,
    /// Keys whose master key could not be read, and why.
    pub unreadable: Vec<(KeyId, crate::DescriptorError)>,
    /// Elements that are keys but could not be read as keys (malformed XML, id or dates), by
    /// source, with the reason.
    pub skipped: Vec<(String, String)>,
}

/// Reads and writes keys and revocations (.NET's `XmlKeyManager`).
pub struct KeyManager {
    repository: Arc<dyn XmlRepository>,
    clock: Arc<dyn Clock>,
    rng: Arc<dyn SecureRandom>,
    /// Bumped by every change this manager makes, so cached rings built before it are dropped
    /// (.NET's change token).
    changes: AtomicU64,
    /// Decryptors for keys encrypted at rest, and the encryptor new keys get.
    encryption: KeyEncryption,
    /// The keys this manager created, kept in memory: a writer that can encrypt but not
    /// decrypt (it holds only the certificate) still uses the key it just made, as .NET does.
    created: Mutex<Vec<(KeyId, Algorithm, MasterKey)>>,
    /// Ids of the keys created since [`KeyManager::take_created_keys`] last ran, for callers
    /// that announce new keys.
    new_keys: Mutex<Vec<KeyId>>,
}

impl core::fmt::Debug for KeyManager {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("KeyManager")
            .field("repository", &self.repository.describe())
            .finish_non_exhaustive()
    }
}

impl KeyManager {
    /// A manager over a repository.
    pub fn new(
        repository: Arc<dyn XmlRepository>,
        clock: Arc<dyn Clock>,
        rng: Arc<dyn SecureRandom>,
    ) -> Self {
        Self {
            repository,
            clock,
            rng,
            changes: AtomicU64::new(0),
            encryption: KeyEncryption::new(),
            created: Mutex::new(Vec::new()),
            new_keys: Mutex::new(Vec::new()),
        }
    }

    /// Reads keys encrypted at rest with `encryption`'s decryptors and writes new keys with its
    /// encryptor.
    pub fn with_encryption(mut self, encryption: KeyEncryption) -> Self {
        self.encryption = encryption;
        self
    }

    /// The decryptors and the encryptor.
    pub fn encryption(&self) -> &KeyEncryption {
        &self.encryption
    }

    /// A counter of the changes made through this manager.
    pub(crate) fn change_count(&self) -> u64 {
        self.changes.load(Ordering::Acquire)
    }

    fn changed(&self) {
        self.changes.fetch_add(1, Ordering::AcqRel);
    }

    /// The ids of the keys this manager wrote since the last call, oldest first: keys created
    /// with [`KeyManager::create_key`] and those the key ring generated (the first key, or a
    /// successor for a default key that expires soon). A tool announces them with this.
    pub fn take_created_keys(&self) -> Vec<KeyId> {
        core::mem::take(&mut *self.new_keys.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// The repository.
    pub fn repository(&self) -> &Arc<dyn XmlRepository> {
        &self.repository
    }

    /// The clock.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// The random source.
    pub fn rng(&self) -> &Arc<dyn SecureRandom> {
        &self.rng
    }

    /// Reads every element and applies revocations.
    ///
    /// Fails closed like .NET: an unreadable file, a malformed revocation or two keys with one
    /// id fail the whole read. A key with malformed metadata is skipped (and reported in
    /// [`LoadedKeys::unreadable`]); a key whose descriptor cannot be used stays in the ring,
    /// unusable.
    ///
    /// # Errors
    /// [`KeyringError::StoreMissing`] when the store does not exist (a key directory never
    /// created: probably a wrong path); [`KeyringError::MalformedElement`],
    /// [`KeyringError::DuplicateKeyId`] or an I/O error.
    pub fn load(&self) -> Result<LoadedKeys, KeyringError> {
        if !self.repository.exists() {
            return Err(KeyringError::StoreMissing(self.repository.describe()));
        }
        self.load_or_empty()
    }

    /// [`KeyManager::load`], reading a store that does not exist yet as empty: for creating
    /// keys, which creates the store.
    pub(crate) fn load_or_empty(&self) -> Result<LoadedKeys, KeyringError> {
        let mut loaded = LoadedKeys::default();
        let mut keys = Vec::new();
        let mut seen = HashSet::new();
        for element in self.repository.load_all()? {
            match xml::parse_element_with(&element.xml, &element.source, &self.encryption)? {
                Element::Key(k) => {
                    if !seen.insert(k.id) {
                        return Err(KeyringError::DuplicateKeyId(k.id));
                    }
                    let encryptor = match k.descriptor {
                        Ok(d) => Ok(AuthenticatedEncryptor::new(d.algorithm, &d.master_key)),
                        Err(reason) => self.created_here(k.id).ok_or(reason),
                    };
                    keys.push(Key {
                        id: k.id,
                        creation: k.creation,
                        activation: k.activation,
                        expiration: k.expiration,
                        revoked: false,
                        element_name: element.name.clone(),
                        source: element.source.clone(),
                        protection: k.protection,
                        encryptor,
                    });
                }
                Element::MalformedKey { id, reason } => loaded.unreadable.push(UnreadableKey {
                    id,
                    source: element.source.clone(),
                    reason,
                }),
                Element::Revocation(r) => loaded.revocations.push((element.name.clone(), r)),
                _ => {}
            }
        }
        let mass_revocation = loaded.latest_mass_revocation();
        for key in &mut keys {
            let single = loaded
                .revocations
                .iter()
                .any(|(_, r)| matches!(r, Revocation::Key { id, .. } if *id == key.id));
            // Strictly before: a key created at the revocation instant survives (.NET test
            // `GetAllKeys_UnderstandsRevocations`).
            let mass = mass_revocation.is_some_and(|date| key.creation < date);
            key.revoked = single || mass;
        }
        loaded.keys = keys.into_iter().map(Arc::new).collect();
        Ok(loaded)
    }

    /// Creates and stores a new key.
    ///
    /// The creation date is `min(activation, now)`, as current .NET writes it.
    ///
    /// A key that a revocation already in the ring would revoke on arrival (a revocation of
    /// every key created before a date later than the creation date) is never created: it
    /// could never be used, and a caller that creates keys until one is usable would fill the
    /// repository.
    ///
    /// Only [standard](Algorithm::is_standard) algorithms are accepted: the key is written in
    /// the default descriptor form, which cannot name the others, so the key would be unusable
    /// to .NET and to [`KeyManager::load`] alike.
    ///
    /// The repository lock is held while the ring is checked and the key written, so a key
    /// created here never races automatic creation in another process.
    ///
    /// # Errors
    /// [`KeyringError::NonStandardAlgorithm`] for an algorithm the reader would refuse;
    /// [`KeyringError::InvalidArgument`] if expiration is not after activation;
    /// [`KeyringError::AllKeysRevoked`] as above; repository errors; [`KeyringError::Crypto`]
    /// if the random source fails.
    pub fn create_key(
        &self,
        activation: Timestamp,
        expiration: Timestamp,
        algorithm: Algorithm,
    ) -> Result<KeyId, KeyringError> {
        let _lock = self.repository.lock()?;
        self.create_key_locked(activation, expiration, algorithm)
    }

    /// [`KeyManager::create_key`] for a caller that holds the repository lock already (a
    /// second lock in the same process would wait for the first).
    pub(crate) fn create_key_locked(
        &self,
        activation: Timestamp,
        expiration: Timestamp,
        algorithm: Algorithm,
    ) -> Result<KeyId, KeyringError> {
        if !algorithm.is_standard() {
            return Err(KeyringError::NonStandardAlgorithm(algorithm));
        }
        if expiration <= activation {
            return Err(KeyringError::InvalidArgument(
                "a key must expire after it activates".into(),
            ));
        }
        let now = self.clock.now();
        let creation = if activation < now { activation } else { now };
        let loaded = self.load_or_empty()?;
        if let Some(date) = loaded.latest_mass_revocation()
            && creation < date
        {
            return Err(KeyringError::AllKeysRevoked { date });
        }
        let encryptor = self.encryption.encryptor();
        if encryptor.is_none()
            && !self.encryption.allows_unencrypted_keys()
            && let Some(encrypted) = loaded
                .keys
                .iter()
                .find(|k| !k.is_revoked() && k.protection().is_encrypted())
        {
            // The apps sharing this ring protect their keys; a key in clear among them would be
            // used by all of them, and sit on disk readable.
            return Err(KeyringError::WouldWriteUnencryptedKey {
                protection: encrypted.protection().clone(),
            });
        }
        let mut id_bytes = [0u8; 16];
        self.rng.fill(&mut id_bytes)?;
        let id = KeyId::from_uuid(uuid::Builder::from_random_bytes(id_bytes).into_uuid());
        let descriptor = Descriptor {
            algorithm,
            master_key: MasterKey::generate(self.rng.as_ref())?,
            form: DescriptorForm::AuthenticatedEncryptor,
        };
        let document = xml::key_document(
            id,
            creation.to_utc(),
            activation.to_utc(),
            expiration.to_utc(),
            &descriptor,
            encryptor.map(AsRef::as_ref),
        )?;
        self.repository
            .store(&xml::key_friendly_name(id), &document)?;
        if encryptor.is_some() {
            self.created
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push((
                    id,
                    algorithm,
                    MasterKey::from_slice(descriptor.master_key.expose_secret()),
                ));
        }
        self.new_keys
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(id);
        self.changed();
        Ok(id)
    }

    /// The encryptor of a key this manager created and encrypted, if it did.
    fn created_here(&self, id: KeyId) -> Option<AuthenticatedEncryptor> {
        self.created
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .find(|(k, _, _)| *k == id)
            .map(|(_, algorithm, master_key)| AuthenticatedEncryptor::new(*algorithm, master_key))
    }

    /// Re-encrypts every key whose master key can be read — revoked and expired ones included,
    /// clear ones encrypted — with `encryptor`, keeping ids, dates and algorithms, one atomic
    /// replacement per key. Keys already protected the way `encryptor` protects are left alone;
    /// keys that cannot be read are reported, not touched. .NET has no such operation: it is
    /// the step that lets a certificate be rotated without keeping the old one forever.
    ///
    /// # Errors
    /// Repository errors (keys rewrapped before the error stay rewrapped).
    pub fn rewrap(&self, encryptor: &dyn XmlEncryptor) -> Result<RewrapReport, KeyringError> {
        let _lock = self.repository.lock()?;
        let target = encryptor.protection();
        let mut report = RewrapReport::default();
        for element in self.repository.load_all()? {
            // An element that cannot be read at all, or a key whose id or dates are malformed,
            // is reported and left as it is; the others are still rewrapped.
            let parsed =
                match xml::parse_element_with(&element.xml, &element.source, &self.encryption) {
                    Ok(parsed) => parsed,
                    Err(e) => {
                        report.skipped.push((element.source.clone(), e.to_string()));
                        continue;
                    }
                };
            let k = match parsed {
                Element::Key(k) => k,
                Element::MalformedKey { reason, .. } => {
                    report
                        .skipped
                        .push((element.source.clone(), reason.to_string()));
                    continue;
                }
                _ => continue,
            };
            if k.protection == target {
                report.already.push(k.id);
                continue;
            }
            let descriptor = match k.descriptor {
                Ok(d) => d,
                Err(reason) => {
                    report.unreadable.push((k.id, reason));
                    continue;
                }
            };
            let document = xml::key_document(
                k.id,
                k.creation,
                k.activation,
                k.expiration,
                &descriptor,
                Some(encryptor),
            )?;
            self.repository.replace(&element.name, &document)?;
            report.rewrapped.push(k.id);
        }
        self.changed();
        Ok(report)
    }

    /// Revokes one key, now. Revoking a revoked key again is a no-op.
    ///
    /// # Errors
    /// Repository errors.
    pub fn revoke_key(&self, id: KeyId, reason: Option<&str>) -> Result<(), KeyringError> {
        let loaded = self.load()?;
        if loaded
            .revocations
            .iter()
            .any(|(_, r)| matches!(r, Revocation::Key { id: rid, .. } if *rid == id))
        {
            return Ok(());
        }
        let revocation = Revocation::Key {
            id,
            date: self.clock.now().to_utc(),
            reason: reason.map(str::to_owned),
        };
        self.store_revocation(&revocation)
    }

    fn store_revocation(&self, revocation: &Revocation) -> Result<(), KeyringError> {
        self.repository.store(
            &revocation.friendly_name(),
            &xml::revocation_document(revocation),
        )?;
        self.changed();
        Ok(())
    }

    /// Revokes every key created before `date`.
    ///
    /// # Errors
    /// Repository errors.
    pub fn revoke_all_created_before(
        &self,
        date: Timestamp,
        reason: Option<&str>,
    ) -> Result<(), KeyringError> {
        let revocation = Revocation::AllCreatedBefore {
            date,
            reason: reason.map(str::to_owned),
        };
        self.store_revocation(&revocation)
    }

    /// Deletes the keys `select` picks, then the revocations left pointing at nothing and the
    /// superseded mass revocations (.NET 9's `DeleteKeys`). Returns the deleted key ids.
    ///
    /// # Security
    /// Payloads protected with a deleted key can never be unprotected again.
    ///
    /// # Errors
    /// Repository errors.
    pub fn delete_keys(&self, select: impl Fn(&Key) -> bool) -> Result<Vec<KeyId>, KeyringError> {
        let loaded = self.load()?;
        let (doomed, kept): (Vec<&Arc<Key>>, Vec<&Arc<Key>>) =
            loaded.keys.iter().partition(|k| select(k));
        if doomed.is_empty() {
            return Ok(Vec::new());
        }
        let names: Vec<String> = doomed.iter().map(|k| k.element_name.clone()).collect();
        self.repository.delete(&names)?;

        // Unreadable keys are still in the repository: their revocations stay.
        let remaining: HashSet<KeyId> = kept
            .iter()
            .map(|k| k.id)
            .chain(loaded.unreadable.iter().filter_map(|u| u.id))
            .collect();
        let latest_mass = loaded.latest_mass_revocation();
        let stale: Vec<String> = loaded
            .revocations
            .iter()
            .filter(|(_, r)| match r {
                Revocation::Key { id, .. } => !remaining.contains(id),
                Revocation::AllCreatedBefore { date, .. } => Some(*date) != latest_mass,
            })
            .map(|(name, _)| name.clone())
            .collect();
        self.repository.delete(&stale)?;
        self.changed();
        Ok(doomed.iter().map(|k| k.id).collect())
    }
}
