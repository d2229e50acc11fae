//! The key ring snapshot and the provider that caches and refreshes it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use arc_swap::ArcSwapOption;
use dp_format::KeyId;
use time::Duration;

use crate::manager::{KeyManager, LoadedKeys, UnreadableKey};
use crate::policy::{
    GenerationDecision, KeyManagementOptions, generation_decision, resolve_default_key,
};
use crate::{Key, KeyringError, Timestamp};

/// An immutable snapshot of the key ring: every key, and the default key to protect with.
#[derive(Debug, Clone)]
pub struct KeyRing {
    keys: HashMap<KeyId, Arc<Key>>,
    ordered: Vec<Arc<Key>>,
    unreadable: Vec<UnreadableKey>,
    default_key: Option<Arc<Key>>,
    expires_at: Timestamp,
    change_count: u64,
}

impl KeyRing {
    /// The key new payloads are protected with. `None` only in a ring loaded for unprotecting,
    /// which never creates keys: a ring loaded for protecting always has one.
    pub fn default_key(&self) -> Option<&Arc<Key>> {
        self.default_key.as_ref()
    }

    /// A key by id.
    pub fn key(&self, id: KeyId) -> Option<&Arc<Key>> {
        self.keys.get(&id)
    }

    /// Every readable key, in repository order.
    pub fn keys(&self) -> &[Arc<Key>] {
        &self.ordered
    }

    /// Key elements whose metadata could not be read.
    pub fn unreadable(&self) -> &[UnreadableKey] {
        &self.unreadable
    }

    /// When this snapshot should be re-read.
    pub fn expires_at(&self) -> Timestamp {
        self.expires_at
    }
}

/// How often an unknown key id may force a re-read of the repository.
const FORCED_REFRESH_INTERVAL: Duration = Duration::seconds(10);

/// How long a ring is kept after a failed refresh (.NET: 2 minutes).
const STALE_GRACE: Duration = Duration::minutes(2);

/// Loads, caches and refreshes the key ring; generates keys when the policy says so.
///
/// Reads on the hot path are one atomic pointer load (`arc-swap`); only a refresh takes a lock,
/// and only one thread refreshes at a time while the others keep using the current snapshot.
pub(crate) struct KeyRingProvider {
    manager: KeyManager,
    options: KeyManagementOptions,
    current: ArcSwapOption<KeyRing>,
    refresh: Mutex<()>,
    last_forced_refresh: Mutex<Option<Timestamp>>,
}

impl KeyRingProvider {
    pub(crate) fn new(manager: KeyManager, options: KeyManagementOptions) -> Self {
        Self {
            manager,
            options,
            current: ArcSwapOption::empty(),
            refresh: Mutex::new(()),
            last_forced_refresh: Mutex::new(None),
        }
    }

    pub(crate) fn manager(&self) -> &KeyManager {
        &self.manager
    }

    pub(crate) fn options(&self) -> &KeyManagementOptions {
        &self.options
    }

    /// The current ring with a default key, refreshing it when its time is up and generating a
    /// key when the policy asks for one (for protecting).
    pub(crate) fn current(&self) -> Result<Arc<KeyRing>, KeyringError> {
        self.current_with(true)
    }

    /// The current ring, without ever creating a key (for unprotecting, which only needs the
    /// payload's key: reading data must not write to the key directory).
    pub(crate) fn current_for_reading(&self) -> Result<Arc<KeyRing>, KeyringError> {
        self.current_with(false)
    }

    /// Runs `f` on the current ring (as [`current`](Self::current) or, without
    /// `need_default`, [`current_for_reading`](Self::current_for_reading) would return it).
    ///
    /// The hot path of every protect and unprotect: when the ring is fresh it is borrowed
    /// through `arc_swap`'s per-thread guard, without touching the ring's reference count — an
    /// atomic every thread would otherwise write on every call, bouncing its cache line between
    /// cores.
    pub(crate) fn with_current<R>(
        &self,
        need_default: bool,
        f: impl FnOnce(&KeyRing) -> R,
    ) -> Result<R, KeyringError> {
        let now = self.manager.clock().now();
        let changes = self.manager.change_count();
        {
            let guard = self.current.load();
            if let Some(ring) = guard.as_ref()
                && now < ring.expires_at
                && ring.change_count == changes
                && (!need_default || ring.default_key.is_some())
            {
                return Ok(f(ring));
            }
        }
        let ring = self.current_with(need_default)?;
        Ok(f(&ring))
    }

    fn current_with(&self, need_default: bool) -> Result<Arc<KeyRing>, KeyringError> {
        let now = self.manager.clock().now();
        let changes = self.manager.change_count();
        let usable = |ring: &KeyRing| {
            now < ring.expires_at
                && ring.change_count == changes
                && (!need_default || ring.default_key.is_some())
        };
        if let Some(ring) = self.current.load_full()
            && usable(&ring)
        {
            return Ok(ring);
        }
        let _guard = self.refresh.lock().unwrap_or_else(PoisonError::into_inner);
        // Another thread may have refreshed while this one waited.
        if let Some(ring) = self.current.load_full()
            && usable(&ring)
        {
            return Ok(ring);
        }
        self.rebuild(now, need_default)
    }

    /// Forces a re-read because a payload named a key the ring lacks — at most once per
    /// [`FORCED_REFRESH_INTERVAL`], so a flood of forged key ids cannot hammer the repository.
    pub(crate) fn refresh_for_unknown_key(&self) -> Result<Option<Arc<KeyRing>>, KeyringError> {
        let now = self.manager.clock().now();
        {
            let mut last = self
                .last_forced_refresh
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if last.is_some_and(|t| now < t + FORCED_REFRESH_INTERVAL && now >= t) {
                return Ok(None);
            }
            *last = Some(now);
        }
        let _guard = self.refresh.lock().unwrap_or_else(PoisonError::into_inner);
        self.rebuild(now, false).map(Some)
    }

    /// Drops the cached ring so the next call re-reads (after a local change).
    pub(crate) fn invalidate(&self) {
        self.current.store(None);
    }

    fn rebuild(&self, now: Timestamp, generate: bool) -> Result<Arc<KeyRing>, KeyringError> {
        match self.build(now, generate) {
            Ok(ring) => {
                let ring = Arc::new(ring);
                self.current.store(Some(Arc::clone(&ring)));
                Ok(ring)
            }
            Err(e) => {
                // Keep serving the previous ring for a short while so that a transient
                // repository failure does not take every caller down; report this failure.
                if let Some(old) = self.current.load_full() {
                    let mut stale = (*old).clone();
                    stale.expires_at = now + STALE_GRACE;
                    self.current.store(Some(Arc::new(stale)));
                }
                Err(e)
            }
        }
    }

    fn build(&self, now: Timestamp, generate: bool) -> Result<KeyRing, KeyringError> {
        let change_count = self.manager.change_count();
        // Protecting may create the store with its first key; reading needs it to exist.
        let mut loaded = if generate && self.options.auto_generate_keys {
            self.manager.load_or_empty()?
        } else {
            self.manager.load()?
        };
        let (mut resolution, decision) = generation_decision(now, &loaded.keys, &self.options);
        let mut just_added = None;
        if generate && decision != GenerationDecision::None && self.options.auto_generate_keys {
            match self.generate_locked(now) {
                Ok((reloaded, added)) => {
                    loaded = reloaded;
                    just_added = added;
                    resolution = resolve_default_key(now, &loaded.keys, &self.options);
                }
                // A read-only ring that still has a usable key keeps working with it, as .NET
                // does with automatic generation disabled.
                Err(e @ KeyringError::ReadOnlyRepository(_)) => {
                    if resolution.default_key.or(resolution.fallback_key).is_none() {
                        return Err(e);
                    }
                }
                Err(e) => return Err(e),
            }
        }
        let default_id = resolution
            .default_key
            .or(resolution.fallback_key)
            .or(just_added);
        if generate && default_id.is_none() {
            return Err(KeyringError::NoDefaultKey);
        }
        let mut ring = self.assemble(now, loaded, default_id)?;
        // Changes made while building (a generated key) are in `loaded` already; changes
        // counted before the load are too. Record the count seen before loading, plus ours.
        ring.change_count = change_count + u64::from(just_added.is_some());
        Ok(ring)
    }

    /// Creates a key under the repository lock, after re-reading: if another process created
    /// one meanwhile, the policy no longer asks for one and nothing is created.
    ///
    /// A revocation of every key can land between the write and the re-read (a `keys revoke
    /// --all` racing this), revoking the new key on arrival. Then the decision is taken once
    /// more at the current time; if the key would again be revoked on arrival, the error says
    /// so ([`KeyringError::AllKeysRevoked`]) instead of reporting a revoked key — which would
    /// read as a rejected payload.
    fn generate_locked(&self, now: Timestamp) -> Result<(LoadedKeys, Option<KeyId>), KeyringError> {
        let _lock = self.manager.repository().lock()?;
        let mut now = now;
        let mut loaded = self.manager.load_or_empty()?;
        for _attempt in 0..2 {
            let (_, decision) = generation_decision(now, &loaded.keys, &self.options);
            let activation = match decision {
                GenerationDecision::None => return Ok((loaded, None)),
                GenerationDecision::Immediate => now,
                GenerationDecision::Successor { activation } => activation,
            };
            let expiration = now + self.options.new_key_lifetime;
            let id =
                self.manager
                    .create_key_locked(activation, expiration, self.options.algorithm)?;
            loaded = self.manager.load()?;
            if !loaded.keys.iter().any(|k| k.id == id && k.is_revoked()) {
                return Ok((loaded, Some(id)));
            }
            now = now.max(self.manager.clock().now());
        }
        Err(loaded
            .latest_mass_revocation()
            .map_or(KeyringError::NoDefaultKey, |date| {
                KeyringError::AllKeysRevoked { date }
            }))
    }

    fn assemble(
        &self,
        now: Timestamp,
        loaded: LoadedKeys,
        default_id: Option<KeyId>,
    ) -> Result<KeyRing, KeyringError> {
        let keys: HashMap<KeyId, Arc<Key>> =
            loaded.keys.iter().map(|k| (k.id, Arc::clone(k))).collect();
        let default_key = match default_id {
            Some(id) => Some(keys.get(&id).cloned().ok_or(KeyringError::NoDefaultKey)?),
            None => None,
        };
        if let Some(key) = &default_key
            && key.revoked
        {
            return Err(KeyringError::KeyRevoked(key.id));
        }
        // Jitter is not secret: take it from the OS so an injected (test) random source sees
        // only the draws of keys and payloads.
        let mut jitter = [0u8; 1];
        let _ = dp_crypto::SecureRandom::fill(&dp_crypto::OsRandom, &mut jitter);
        // refresh · (1 − U/5) with U in [0, 1): up to 20 % earlier, so that a fleet started
        // together does not re-read in lockstep.
        let refresh = self.options.key_ring_refresh_period
            - self.options.key_ring_refresh_period * (f64::from(jitter[0]) / 256.0 / 5.0);
        let mut expires_at = now + refresh;
        if let Some(key) = &default_key
            && !key.is_expired_at(now)
            && key.expiration < expires_at
        {
            expires_at = key.expiration;
        }
        Ok(KeyRing {
            keys,
            ordered: loaded.keys,
            unreadable: loaded.unreadable,
            default_key,
            expires_at,
            change_count: 0,
        })
    }
}
