//! Key lifecycle policy: which key is the default, and when a new key must be made (.NET's `DefaultKeyResolver` and `KeyRingProvider`).

use std::sync::Arc;

use dp_crypto::Algorithm;
use dp_format::KeyId;
use time::Duration;

use crate::{Key, KeyringError, Timestamp};

/// Key management settings; the defaults are .NET's.
#[derive(Debug, Clone)]
pub struct KeyManagementOptions {
    /// Lifetime of generated keys (90 days; at least 7).
    pub new_key_lifetime: Duration,
    /// How long a new key takes to reach every reader of the ring (2 days).
    pub key_propagation_window: Duration,
    /// How long a loaded ring is used before re-reading the repository (24 hours, minus up to
    /// 20 % jitter).
    pub key_ring_refresh_period: Duration,
    /// Tolerated clock difference between servers (5 minutes).
    pub max_server_clock_skew: Duration,
    /// Whether keys are generated automatically when the ring needs one.
    pub auto_generate_keys: bool,
    /// Algorithm of generated keys (AES-256-CBC + HMACSHA256).
    pub algorithm: Algorithm,
}

impl Default for KeyManagementOptions {
    fn default() -> Self {
        Self {
            new_key_lifetime: Duration::days(90),
            key_propagation_window: Duration::days(2),
            key_ring_refresh_period: Duration::hours(24),
            max_server_clock_skew: Duration::minutes(5),
            auto_generate_keys: true,
            algorithm: Algorithm::default(),
        }
    }
}

impl KeyManagementOptions {
    /// Checks the constraints .NET enforces.
    ///
    /// # Errors
    /// [`KeyringError::InvalidArgument`] for a key lifetime under 7 days or negative windows.
    pub fn validate(&self) -> Result<(), KeyringError> {
        if self.new_key_lifetime < Duration::days(7) {
            return Err(KeyringError::InvalidArgument(
                "the key lifetime must be at least 7 days".into(),
            ));
        }
        if self.key_propagation_window.is_negative()
            || self.key_ring_refresh_period <= Duration::ZERO
            || self.max_server_clock_skew.is_negative()
        {
            return Err(KeyringError::InvalidArgument(
                "key management windows must not be negative".into(),
            ));
        }
        Ok(())
    }
}

/// The outcome of default-key resolution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefaultKeyResolution {
    /// The key to protect with, if one qualifies.
    pub default_key: Option<KeyId>,
    /// A key to use when there is no default and none can be generated.
    pub fallback_key: Option<KeyId>,
    /// Whether a new key should be generated.
    pub should_generate_new_key: bool,
}

/// .NET's `DefaultKeyResolver.ResolveDefaultKeyPolicy`.
///
/// Only the most recently activated key (activation within the clock skew of `now`) can be the
/// default; if it is revoked, expired or unusable, no older key takes its place — a new key is
/// generated instead, and meanwhile a fallback is chosen, preferring keys old enough to have
/// propagated.
pub fn resolve_default_key(
    now: Timestamp,
    keys: &[Arc<Key>],
    options: &KeyManagementOptions,
) -> DefaultKeyResolution {
    let horizon = now + options.max_server_clock_skew;
    let preferred = keys
        .iter()
        .filter(|k| k.activation <= horizon)
        // Latest activation wins; ties go to the smallest id in .NET Guid order, which is the
        // order of the canonical text and of `KeyId`'s `Ord`.
        .max_by(|a, b| a.activation.cmp(&b.activation).then(b.id.cmp(&a.id)));
    if let Some(key) = preferred
        && !key.revoked
        && !key.is_expired_at(now)
        && key.encryptor.is_ok()
    {
        return DefaultKeyResolution {
            default_key: Some(key.id),
            fallback_key: None,
            should_generate_new_key: false,
        };
    }
    let cutoff = now - options.key_propagation_window;
    let mut candidates: Vec<&Arc<Key>> = keys
        .iter()
        .filter(|k| !k.revoked && preferred.is_none_or(|p| p.id != k.id))
        .collect();
    candidates.sort_by(|a, b| {
        let (a_old, b_old) = (a.creation <= cutoff, b.creation <= cutoff);
        match (a_old, b_old) {
            (true, true) => b.creation.cmp(&a.creation),
            (false, false) => a.creation.cmp(&b.creation),
            (true, false) => core::cmp::Ordering::Less,
            (false, true) => core::cmp::Ordering::Greater,
        }
    });
    DefaultKeyResolution {
        default_key: None,
        fallback_key: candidates
            .into_iter()
            .find(|k| k.encryptor.is_ok())
            .map(|k| k.id),
        should_generate_new_key: true,
    }
}

/// What key, if any, the ring should generate now (.NET's `KeyRingProvider`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GenerationDecision {
    /// The ring has what it needs.
    None,
    /// There is no default key: make one active from now.
    Immediate,
    /// The default key expires before the next refresh could see a successor propagate: make
    /// one that activates when the default expires.
    Successor {
        /// The current default key's expiration.
        activation: Timestamp,
    },
}

/// Decides whether a key must be generated at `now`.
pub fn generation_decision(
    now: Timestamp,
    keys: &[Arc<Key>],
    options: &KeyManagementOptions,
) -> (DefaultKeyResolution, GenerationDecision) {
    let resolution = resolve_default_key(now, keys, options);
    let Some(default_id) = resolution.default_key else {
        return (resolution, GenerationDecision::Immediate);
    };
    let Some(default) = keys.iter().find(|k| k.id == default_id) else {
        return (resolution, GenerationDecision::Immediate);
    };
    let min_expiration = now + options.key_ring_refresh_period + options.key_propagation_window;
    if default.expiration >= min_expiration {
        return (resolution, GenerationDecision::None);
    }
    let next = resolve_default_key(default.expiration, keys, options).default_key;
    let next_lasts = next
        .and_then(|id| keys.iter().find(|k| k.id == id))
        .is_some_and(|k| k.expiration >= min_expiration);
    let decision = if next_lasts {
        GenerationDecision::None
    } else {
        GenerationDecision::Successor {
            activation: default.expiration,
        }
    };
    (resolution, decision)
}

#[cfg(test)]
mod tests {
    use dp_crypto::{AuthenticatedEncryptor, MasterKey};

    use super::*;

    fn t(text: &str) -> Timestamp {
        match Timestamp::parse_xml(text) {
            Ok(t) => t,
            Err(e) => panic!("{text}: {e}"),
        }
    }

    /// .NET's test helper: creation defaults to `DateTimeOffset.MinValue` ("long propagated").
    fn key(
        id: u8,
        activation: &str,
        expiration: &str,
        creation: Option<&str>,
        revoked: bool,
    ) -> Arc<Key> {
        Arc::new(Key {
            id: KeyId::from_wire_bytes([id; 16]),
            creation: creation.map_or_else(|| t("0001-01-01T00:00:00Z"), t),
            activation: t(activation),
            expiration: t(expiration),
            revoked,
            element_name: String::new(),
            source: String::new(),
            encryptor: Ok(AuthenticatedEncryptor::new(
                Algorithm::default(),
                &MasterKey::from_slice(b"k"),
            )),
            protection: crate::encryption::KeyProtection::Clear,
        })
    }

    fn resolve(now: &str, keys: &[Arc<Key>]) -> DefaultKeyResolution {
        resolve_default_key(t(now), keys, &KeyManagementOptions::default())
    }

    fn id(n: u8) -> Option<KeyId> {
        Some(KeyId::from_wire_bytes([n; 16]))
    }

    #[test]
    fn dotnet_default_key_resolver_vectors() {
        let k1 = key(
            1,
            "2015-03-01T00:00:00Z",
            "2016-03-01T00:00:00Z",
            None,
            false,
        );
        let k2 = key(
            2,
            "2016-03-01T00:00:00Z",
            "2017-03-01T00:00:00Z",
            None,
            false,
        );
        let both = [Arc::clone(&k1), Arc::clone(&k2)];
        assert_eq!(resolve("2016-02-20T23:59:00Z", &both).default_key, id(1));
        // Within the 5-minute skew of K2's activation.
        assert_eq!(resolve("2016-02-29T23:59:00Z", &both).default_key, id(2));

        let only_future = [key(
            1,
            "2016-03-01T00:00:00Z",
            "2017-03-01T00:00:00Z",
            None,
            false,
        )];
        assert_eq!(
            resolve("2016-02-29T23:59:00Z", &only_future).default_key,
            id(1)
        );

        let expiring = resolve("2016-02-29T23:59:00Z", &[Arc::clone(&k1)]);
        assert_eq!(expiring.default_key, id(1));
        assert!(!expiring.should_generate_new_key);

        let revoked_latest = [
            Arc::clone(&k1),
            key(
                2,
                "2015-03-02T00:00:00Z",
                "2016-03-01T00:00:00Z",
                None,
                true,
            ),
        ];
        let r = resolve("2015-04-01T00:00:00Z", &revoked_latest);
        assert_eq!(r.default_key, None);
        assert!(r.should_generate_new_key);

        assert_eq!(
            resolve("2015-02-28T23:55:00Z", &[Arc::clone(&k1)]).default_key,
            id(1)
        );
        let early = resolve("2015-02-28T23:00:00Z", &[Arc::clone(&k1)]);
        assert_eq!(early.default_key, None);
        assert!(early.should_generate_new_key);

        let mixed = [
            key(
                1,
                "2015-03-01T00:00:00Z",
                "2014-03-01T00:00:00Z",
                None,
                false,
            ),
            key(
                2,
                "2015-03-01T00:01:00Z",
                "2015-04-01T00:00:00Z",
                None,
                true,
            ),
            key(
                3,
                "2015-03-01T00:02:00Z",
                "2015-04-01T00:00:00Z",
                None,
                false,
            ),
        ];
        assert_eq!(resolve("2015-02-28T23:59:00Z", &mixed).default_key, id(3));
    }

    #[test]
    fn dotnet_fallback_vectors() {
        let act = "2010-01-01T00:00:00Z";
        let four = [
            key(1, act, act, Some("2000-01-01T00:00:00Z"), false),
            key(2, act, act, Some("2000-01-02T00:00:00Z"), false),
            key(3, act, act, Some("2000-01-03T00:00:00Z"), true),
            key(4, act, act, Some("2000-01-04T00:00:00Z"), false),
        ];
        let r = resolve("2000-01-05T00:00:00Z", &four);
        assert_eq!(r.default_key, None);
        // All activate together: the tie goes to the smallest id (key 1), which is expired, so
        // there is no default. Fallback: unrevoked keys other than key 1, propagated ones
        // (created before now - 2 days) newest first: the key created 2000-01-02, as in .NET.
        assert_eq!(r.fallback_key, id(2));

        let three = [
            key(3, act, act, Some("2000-01-03T00:00:00Z"), true),
            key(4, act, act, Some("2000-01-04T00:00:00Z"), false),
            key(5, act, act, Some("2000-01-05T00:00:00Z"), false),
        ];
        assert_eq!(resolve("2000-01-05T00:00:00Z", &three).fallback_key, id(4));
    }

    #[test]
    fn key_states() {
        use crate::KeyState;
        let now = t("2020-06-01T00:00:00Z");
        let active = key(
            1,
            "2020-01-01T00:00:00Z",
            "2021-01-01T00:00:00Z",
            None,
            false,
        );
        assert_eq!(active.state(now, id(1)), KeyState::Default);
        assert_eq!(active.state(now, id(2)), KeyState::Active);
        assert_eq!(
            active.state(t("2021-01-01T00:00:00Z"), None),
            KeyState::Expired
        );
        assert_eq!(
            active.state(t("2019-12-31T00:00:00Z"), None),
            KeyState::Pending
        );
        let revoked = key(
            3,
            "2020-01-01T00:00:00Z",
            "2021-01-01T00:00:00Z",
            None,
            true,
        );
        assert_eq!(revoked.state(now, id(3)), KeyState::Revoked);
    }

    #[test]
    fn successor_is_generated_three_days_before_expiry() {
        let opts = KeyManagementOptions::default();
        let k = [key(
            1,
            "2020-01-01T00:00:00Z",
            "2020-04-01T00:00:00Z",
            None,
            false,
        )];
        let (_, far) = generation_decision(t("2020-03-01T00:00:00Z"), &k, &opts);
        assert_eq!(far, GenerationDecision::None);
        let (_, near) = generation_decision(t("2020-03-29T00:00:01Z"), &k, &opts);
        assert_eq!(
            near,
            GenerationDecision::Successor {
                activation: t("2020-04-01T00:00:00Z")
            }
        );
        let with_successor = [
            Arc::clone(&k[0]),
            key(
                2,
                "2020-04-01T00:00:00Z",
                "2020-06-27T00:00:00Z",
                None,
                false,
            ),
        ];
        let (_, covered) = generation_decision(t("2020-03-29T00:00:00Z"), &with_successor, &opts);
        assert_eq!(covered, GenerationDecision::None);
        let (_, empty) = generation_decision(t("2020-03-29T00:00:00Z"), &[], &opts);
        assert_eq!(empty, GenerationDecision::Immediate);
    }
}
