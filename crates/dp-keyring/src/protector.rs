//! The protector API: providers, purpose chains, protect / unprotect.

use core::fmt;
use std::sync::Arc;

use dp_crypto::{FastRandom, OsRandom, SecureRandom};
use dp_format::time_limited::{self, Expiration};
use dp_format::{AadBuilder, FormatError, ProtectedPayload, base64url};
use time::Duration;
use zeroize::Zeroizing;

use crate::encryption::KeyEncryption;
use crate::manager::KeyManager;
use crate::policy::KeyManagementOptions;
use crate::repository::{MemoryRepository, XmlRepository};
use crate::ring::{KeyRing, KeyRingProvider};
use crate::{Clock, Key, KeyringError, SystemClock, Timestamp};

struct ProviderInner {
    ring: KeyRingProvider,
    /// Draws the public per-payload values (key modifiers, IVs, nonces); master keys come from
    /// the key manager's source.
    rng: Arc<dyn SecureRandom>,
    application_name: Option<String>,
}

/// The root of every purpose chain: a key ring plus an optional application name.
///
/// Cheap to clone; `Send + Sync`. Build one per key ring and application and share it.
///
/// ```
/// use dp_keyring::{DataProtectionProvider, MemoryRepository};
///
/// let provider = DataProtectionProvider::new(MemoryRepository::new(), Some("MyApp"));
/// let protector = provider.create_protector("Orders").create_protector("v1");
/// let token = protector.protect_str("order 42")?;
/// assert_eq!(protector.unprotect_str(&token)?, "order 42");
/// assert!(matches!(
///     provider.create_protector("Invoices").unprotect_str(&token),
///     Err(dp_keyring::KeyringError::AuthenticationFailed)
/// ));
/// # Ok::<(), dp_keyring::KeyringError>(())
/// ```
#[derive(Clone)]
pub struct DataProtectionProvider {
    inner: Arc<ProviderInner>,
}

impl fmt::Debug for DataProtectionProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DataProtectionProvider")
            .field("application_name", &self.inner.application_name)
            .field(
                "repository",
                &self.inner.ring.manager().repository().describe(),
            )
            .finish_non_exhaustive()
    }
}

/// Builds a [`DataProtectionProvider`] with non-default clock, randomness or key policy.
pub struct ProviderBuilder {
    repository: Arc<dyn XmlRepository>,
    application_name: Option<String>,
    clock: Arc<dyn Clock>,
    /// `None`: master keys from the OS, payload values from [`FastRandom`].
    rng: Option<Arc<dyn SecureRandom>>,
    options: KeyManagementOptions,
    encryption: KeyEncryption,
}

impl ProviderBuilder {
    /// Decryptors for keys encrypted at rest, and the encryptor new keys are written with
    /// (default: none; only clear keys are read and written).
    pub fn key_encryption(mut self, encryption: KeyEncryption) -> Self {
        self.encryption = encryption;
        self
    }

    /// The application name, prepended to every purpose chain like .NET's
    /// `SetApplicationName`. Used verbatim; an empty name means none.
    pub fn application_name(mut self, name: Option<&str>) -> Self {
        self.application_name = name.filter(|n| !n.is_empty()).map(str::to_owned);
        self
    }

    /// The clock (default: the system clock).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// One random source for everything: master keys and per-payload values (key modifiers,
    /// IVs, nonces). By default master keys come straight from the OS ([`OsRandom`]) and
    /// per-payload values — public, written into every payload — from [`FastRandom`], a
    /// per-thread generator reseeded from the OS and after a fork. Setting a source is for
    /// known-answer tests and special platforms.
    pub fn rng(mut self, rng: Arc<dyn SecureRandom>) -> Self {
        self.rng = Some(rng);
        self
    }

    /// Key management options (default: .NET's).
    pub fn options(mut self, options: KeyManagementOptions) -> Self {
        self.options = options;
        self
    }

    /// Builds the provider. The ring is read lazily, on first use.
    ///
    /// # Errors
    /// [`KeyringError::InvalidArgument`] for invalid options.
    pub fn build(self) -> Result<DataProtectionProvider, KeyringError> {
        self.options.validate()?;
        let (key_rng, payload_rng): (Arc<dyn SecureRandom>, Arc<dyn SecureRandom>) = match self.rng
        {
            Some(rng) => (Arc::clone(&rng), rng),
            None => (Arc::new(OsRandom), Arc::new(FastRandom)),
        };
        let manager =
            KeyManager::new(self.repository, self.clock, key_rng).with_encryption(self.encryption);
        Ok(DataProtectionProvider {
            inner: Arc::new(ProviderInner {
                ring: KeyRingProvider::new(manager, self.options),
                rng: payload_rng,
                application_name: self.application_name,
            }),
        })
    }
}

impl DataProtectionProvider {
    /// A provider over `repository` with .NET's default policy, the system clock, master keys
    /// from the OS random source and per-payload values from [`FastRandom`].
    pub fn new(repository: impl XmlRepository + 'static, application_name: Option<&str>) -> Self {
        Self::from_parts(
            Arc::new(repository),
            application_name,
            Arc::new(SystemClock),
            KeyManagementOptions::default(),
        )
    }

    fn from_parts(
        repository: Arc<dyn XmlRepository>,
        application_name: Option<&str>,
        clock: Arc<dyn Clock>,
        options: KeyManagementOptions,
    ) -> Self {
        let manager = KeyManager::new(repository, clock, Arc::new(OsRandom));
        Self {
            inner: Arc::new(ProviderInner {
                ring: KeyRingProvider::new(manager, options),
                rng: Arc::new(FastRandom),
                application_name: application_name
                    .filter(|n| !n.is_empty())
                    .map(str::to_owned),
            }),
        }
    }

    /// Starts a builder over `repository`.
    pub fn builder(repository: impl XmlRepository + 'static) -> ProviderBuilder {
        Self::builder_shared(Arc::new(repository))
    }

    /// Starts a builder over a shared repository.
    pub fn builder_shared(repository: Arc<dyn XmlRepository>) -> ProviderBuilder {
        ProviderBuilder {
            repository,
            application_name: None,
            clock: Arc::new(SystemClock),
            rng: None,
            options: KeyManagementOptions::default(),
            encryption: KeyEncryption::new(),
        }
    }

    /// An in-memory provider whose keys vanish with it: for tests and short-lived data.
    pub fn ephemeral() -> Self {
        Self::new(MemoryRepository::new(), None)
    }

    /// The application name, if any.
    pub fn application_name(&self) -> Option<&str> {
        self.inner.application_name.as_deref()
    }

    /// A protector for `purpose` (after the application name, if any).
    pub fn create_protector(&self, purpose: &str) -> DataProtector {
        let mut purposes: Vec<String> = self.inner.application_name.iter().cloned().collect();
        purposes.push(purpose.to_owned());
        DataProtector::with_purposes(Arc::clone(&self.inner), purposes)
    }

    /// The key manager, for creating, revoking and deleting keys.
    pub fn key_manager(&self) -> &KeyManager {
        self.inner.ring.manager()
    }

    /// The key management options.
    pub fn options(&self) -> &KeyManagementOptions {
        self.inner.ring.options()
    }

    /// The current key ring (loading it, and generating a key, if needed).
    ///
    /// # Errors
    /// Repository or key-ring errors.
    pub fn key_ring(&self) -> Result<Arc<KeyRing>, KeyringError> {
        self.inner.ring.current()
    }

    /// Forgets the cached ring; call after changing the repository from outside this provider.
    pub fn invalidate(&self) {
        self.inner.ring.invalidate();
    }
}

/// The result of [`DataProtector::dangerous_unprotect`].
#[derive(Clone, PartialEq, Eq)]
pub struct UnprotectOutcome {
    /// The plaintext.
    pub plaintext: Vec<u8>,
    /// The payload should be re-protected: its key is not the default key, or it was revoked.
    pub requires_migration: bool,
    /// The payload's key was revoked (and the revocation was ignored).
    pub was_revoked: bool,
}

impl fmt::Debug for UnprotectOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnprotectOutcome")
            .field("requires_migration", &self.requires_migration)
            .field("was_revoked", &self.was_revoked)
            .finish_non_exhaustive()
    }
}

/// Protects and unprotects for one purpose chain.
///
/// The AAD for the chain is built once, here; each call only stamps the key id into it.
#[derive(Clone)]
pub struct DataProtector {
    inner: Arc<ProviderInner>,
    purposes: Vec<String>,
    aad: Result<AadBuilder, FormatError>,
}

impl fmt::Debug for DataProtector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DataProtector")
            .field("purposes", &self.purposes)
            .finish_non_exhaustive()
    }
}

impl DataProtector {
    fn with_purposes(inner: Arc<ProviderInner>, purposes: Vec<String>) -> Self {
        let aad = AadBuilder::new(&purposes);
        Self {
            inner,
            purposes,
            aad,
        }
    }

    /// The purpose chain, outermost first (application name included).
    pub fn purposes(&self) -> &[String] {
        &self.purposes
    }

    /// A protector whose chain is this one's plus `purpose`.
    pub fn create_protector(&self, purpose: &str) -> Self {
        let mut purposes = self.purposes.clone();
        purposes.push(purpose.to_owned());
        Self::with_purposes(Arc::clone(&self.inner), purposes)
    }

    fn aad(&self) -> Result<&AadBuilder, KeyringError> {
        self.aad
            .as_ref()
            .map_err(|_| KeyringError::InvalidArgument("the purpose chain is too long".into()))
    }

    /// Protects `plaintext` with the default key.
    ///
    /// # Errors
    /// Key-ring errors (no key and none can be made, I/O) or a failing random source.
    pub fn protect(&self, plaintext: &[u8]) -> Result<Vec<u8>, KeyringError> {
        let aad = self.aad()?;
        self.inner.ring.with_current(true, |ring| {
            let key = ring.default_key().ok_or(KeyringError::NoDefaultKey)?;
            let encryptor = key.encryptor()?;
            let aad = aad.for_key(key.id());
            let mut out = ProtectedPayload::header_with_capacity(
                key.id(),
                encryptor.body_len(plaintext.len()),
            );
            encryptor.encrypt_append(plaintext, &aad, self.inner.rng.as_ref(), &mut out)?;
            Ok(out)
        })?
    }

    /// Unprotects a payload.
    ///
    /// Expired and not-yet-active keys still unprotect; revoked keys do not.
    ///
    /// # Errors
    /// [`KeyringError::Payload`] (not a payload), [`KeyringError::KeyNotFound`],
    /// [`KeyringError::KeyRevoked`], [`KeyringError::AuthenticationFailed`] (tampered, wrong
    /// purpose), [`KeyringError::KeyUnusable`], or key-ring errors.
    pub fn unprotect(&self, payload: &[u8]) -> Result<Vec<u8>, KeyringError> {
        self.unprotect_core(payload, false).map(|o| o.plaintext)
    }

    /// .NET's `IPersistedDataProtector.DangerousUnprotect`: unprotects and reports whether the
    /// payload should be re-protected.
    ///
    /// # Security
    /// With `ignore_revocation_errors`, payloads protected with a revoked — possibly
    /// compromised — key are accepted. Use it only to migrate data off such keys.
    ///
    /// # Errors
    /// As [`DataProtector::unprotect`], minus `KeyRevoked` when revocation is ignored.
    pub fn dangerous_unprotect(
        &self,
        payload: &[u8],
        ignore_revocation_errors: bool,
    ) -> Result<UnprotectOutcome, KeyringError> {
        self.unprotect_core(payload, ignore_revocation_errors)
    }

    fn unprotect_core(
        &self,
        payload: &[u8],
        ignore_revocation_errors: bool,
    ) -> Result<UnprotectOutcome, KeyringError> {
        let parsed = ProtectedPayload::parse(payload)?;
        let id = parsed.key_id();
        // The common case, without touching the ring's reference count: the key is in the ring.
        let fast = self.inner.ring.with_current(false, |ring| {
            ring.key(id)
                .map(|key| self.unprotect_with(ring, key, &parsed, ignore_revocation_errors))
        })?;
        if let Some(outcome) = fast {
            return outcome;
        }
        let mut ring = self.inner.ring.current_for_reading()?;
        if ring.key(id).is_none()
            && let Some(fresh) = self.inner.ring.refresh_for_unknown_key()?
        {
            ring = fresh;
        }
        let key = match ring.key(id) {
            Some(key) => key,
            // In the store but unreadable (malformed id or dates): say so, not "not found".
            None => match ring.unreadable().iter().find(|u| u.id == Some(id)) {
                Some(u) => {
                    return Err(KeyringError::KeyUnreadable {
                        id,
                        source: u.source.clone(),
                        reason: u.reason.clone(),
                    });
                }
                None => return Err(KeyringError::KeyNotFound(id)),
            },
        };
        self.unprotect_with(&ring, key, &parsed, ignore_revocation_errors)
    }

    /// Unprotects `parsed` with `key` of `ring`.
    fn unprotect_with(
        &self,
        ring: &KeyRing,
        key: &Key,
        parsed: &ProtectedPayload<'_>,
        ignore_revocation_errors: bool,
    ) -> Result<UnprotectOutcome, KeyringError> {
        let id = key.id();
        let mut requires_migration = ring.default_key().is_none_or(|d| d.id() != id);
        let mut was_revoked = false;
        if key.is_revoked() {
            if !ignore_revocation_errors {
                return Err(KeyringError::KeyRevoked(id));
            }
            was_revoked = true;
            requires_migration = true;
        }
        let encryptor = key.encryptor()?;
        let aad = self.aad()?.for_key_bytes(parsed.key_id_bytes());
        let plaintext = encryptor.decrypt(parsed.body(), &aad)?;
        Ok(UnprotectOutcome {
            plaintext,
            requires_migration,
            was_revoked,
        })
    }

    /// Protects UTF-8 text and returns unpadded base64url, as .NET's string `Protect`.
    ///
    /// # Errors
    /// As [`DataProtector::protect`].
    pub fn protect_str(&self, plaintext: &str) -> Result<String, KeyringError> {
        self.protect(plaintext.as_bytes())
            .map(|p| base64url::encode(&p))
    }

    /// Unprotects base64url text into UTF-8 text, as .NET's string `Unprotect`.
    ///
    /// # Errors
    /// As [`DataProtector::unprotect`]; [`KeyringError::Payload`] for bad base64url,
    /// [`KeyringError::InvalidPayload`] when the plaintext is not UTF-8.
    pub fn unprotect_str(&self, payload: &str) -> Result<String, KeyringError> {
        let bytes = base64url::decode(payload)?;
        let plaintext = self.unprotect(&bytes)?;
        String::from_utf8(plaintext).map_err(|e| {
            let mut bytes = e.into_bytes();
            zeroize::Zeroize::zeroize(&mut bytes);
            KeyringError::InvalidPayload("the plaintext is not UTF-8 text")
        })
    }

    /// After [`KeyringError::AuthenticationFailed`]: whether the payload would authenticate as a
    /// time-limited payload of this chain (an expired one included) — the usual mistake being
    /// a missing `--time-limited`. Nothing is released either way.
    pub fn authenticates_as_time_limited(&self, payload: &[u8]) -> bool {
        matches!(
            self.to_time_limited().unprotect(payload),
            Ok(_) | Err(KeyringError::Expired { .. })
        )
    }

    /// A time-limited protector over this chain (.NET's `ToTimeLimitedDataProtector`).
    pub fn to_time_limited(&self) -> TimeLimitedDataProtector {
        TimeLimitedDataProtector {
            outer: self.clone(),
            inner: self.create_protector(time_limited::PURPOSE),
        }
    }
}

/// Protects payloads that stop unprotecting after an expiration (.NET's
/// `TimeLimitedDataProtector`).
///
/// The expiration is the first 8 bytes of the inner plaintext, and the chain gets the purpose
/// `Microsoft.AspNetCore.DataProtection.TimeLimitedDataProtector.v1` appended last, so these
/// payloads interoperate with .NET's `ITimeLimitedDataProtector`.
#[derive(Debug, Clone)]
pub struct TimeLimitedDataProtector {
    outer: DataProtector,
    inner: DataProtector,
}

impl TimeLimitedDataProtector {
    /// After [`KeyringError::AuthenticationFailed`]: whether the payload would authenticate as
    /// an ordinary payload of the chain without the time-limited purpose. Nothing is released.
    pub fn authenticates_as_plain(&self, payload: &[u8]) -> bool {
        self.outer.unprotect(payload).is_ok()
    }

    /// A time-limited protector for a sub-purpose; the time-limited purpose stays last.
    pub fn create_protector(&self, purpose: &str) -> Self {
        self.outer.create_protector(purpose).to_time_limited()
    }

    /// The purpose chain actually used, time-limited purpose included.
    pub fn purposes(&self) -> &[String] {
        self.inner.purposes()
    }

    /// Protects until `expiration` (still valid at that exact instant).
    ///
    /// # Errors
    /// [`KeyringError::InvalidDate`] outside years 1–9999; as [`DataProtector::protect`].
    pub fn protect_until(
        &self,
        plaintext: &[u8],
        expiration: Timestamp,
    ) -> Result<Vec<u8>, KeyringError> {
        self.protect_with(plaintext, expiration.to_expiration()?)
    }

    /// Protects for `lifetime` from now.
    ///
    /// # Errors
    /// As [`TimeLimitedDataProtector::protect_until`].
    pub fn protect_for(
        &self,
        plaintext: &[u8],
        lifetime: Duration,
    ) -> Result<Vec<u8>, KeyringError> {
        let now = self.inner.inner.ring.manager().clock().now();
        self.protect_until(plaintext, now + lifetime)
    }

    /// Protects with no expiration (`DateTimeOffset.MaxValue`), as .NET's plain `Protect` on a
    /// time-limited protector.
    ///
    /// # Errors
    /// As [`DataProtector::protect`].
    pub fn protect(&self, plaintext: &[u8]) -> Result<Vec<u8>, KeyringError> {
        self.protect_with(plaintext, Expiration::NEVER)
    }

    fn protect_with(
        &self,
        plaintext: &[u8],
        expiration: Expiration,
    ) -> Result<Vec<u8>, KeyringError> {
        let inner = Zeroizing::new(time_limited::encode(expiration, plaintext));
        self.inner.protect(&inner)
    }

    /// Unprotects and returns the plaintext with its expiration.
    ///
    /// # Errors
    /// [`KeyringError::Expired`] after the expiration; [`KeyringError::InvalidPayload`] when the
    /// authenticated content has no valid expiration header; as [`DataProtector::unprotect`].
    pub fn unprotect(&self, payload: &[u8]) -> Result<(Vec<u8>, Timestamp), KeyringError> {
        self.dangerous_unprotect(payload, false)
            .map(|(outcome, expiration)| (outcome.plaintext, expiration))
    }

    /// As [`DataProtector::dangerous_unprotect`], for time-limited payloads; the expiration is
    /// still enforced.
    ///
    /// # Security
    /// With `ignore_revocation_errors`, payloads of revoked keys are accepted.
    ///
    /// # Errors
    /// As [`TimeLimitedDataProtector::unprotect`].
    pub fn dangerous_unprotect(
        &self,
        payload: &[u8],
        ignore_revocation_errors: bool,
    ) -> Result<(UnprotectOutcome, Timestamp), KeyringError> {
        let mut outcome = self
            .inner
            .dangerous_unprotect(payload, ignore_revocation_errors)?;
        let inner = Zeroizing::new(core::mem::take(&mut outcome.plaintext));
        let (expiration, plaintext) = time_limited::decode(&inner).map_err(|e| match e {
            FormatError::TimeLimitedTooShort => {
                KeyringError::InvalidPayload("the time-limited payload has no expiration header")
            }
            _ => KeyringError::InvalidPayload("the time-limited expiration is out of range"),
        })?;
        let expiration = Timestamp::from_expiration(expiration);
        let now = self.inner.inner.ring.manager().clock().now();
        if now > expiration {
            return Err(KeyringError::Expired { expiration });
        }
        outcome.plaintext = plaintext.to_vec();
        Ok((outcome, expiration))
    }

    /// String form of [`TimeLimitedDataProtector::protect_for`]: UTF-8 in, base64url out.
    ///
    /// # Errors
    /// As [`TimeLimitedDataProtector::protect_for`].
    pub fn protect_str_for(
        &self,
        plaintext: &str,
        lifetime: Duration,
    ) -> Result<String, KeyringError> {
        self.protect_for(plaintext.as_bytes(), lifetime)
            .map(|p| base64url::encode(&p))
    }

    /// String form of [`TimeLimitedDataProtector::unprotect`].
    ///
    /// # Errors
    /// As [`TimeLimitedDataProtector::unprotect`]; bad base64url or non-UTF-8 plaintext.
    pub fn unprotect_str(&self, payload: &str) -> Result<(String, Timestamp), KeyringError> {
        let bytes = base64url::decode(payload)?;
        let (plaintext, expiration) = self.unprotect(&bytes)?;
        let text = String::from_utf8(plaintext)
            .map_err(|_| KeyringError::InvalidPayload("the plaintext is not UTF-8 text"))?;
        Ok((text, expiration))
    }
}
