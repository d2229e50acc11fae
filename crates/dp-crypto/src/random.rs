use core::fmt;
use std::sync::Mutex;

use rand_core::TryCryptoRng;

use crate::CryptoError;

/// A source of cryptographically secure random bytes.
///
/// Encryptors take the source per call rather than owning one, so one protector can be shared
/// between threads while tests substitute a deterministic sequence (the .NET known-answer tests
/// count bytes up from zero).
pub trait SecureRandom: Send + Sync {
    /// Fills `dest` entirely with random bytes.
    ///
    /// # Errors
    /// [`CryptoError::RandomSourceFailed`] when no bytes can be had; callers must not fall back.
    fn fill(&self, dest: &mut [u8]) -> Result<(), CryptoError>;
}

/// The operating system's CSPRNG (`getrandom`).
#[derive(Debug, Clone, Copy, Default)]
pub struct OsRandom;

impl SecureRandom for OsRandom {
    fn fill(&self, dest: &mut [u8]) -> Result<(), CryptoError> {
        getrandom::fill(dest).map_err(|_| CryptoError::RandomSourceFailed)
    }
}

/// Adapts any `rand_core` cryptographic generator into a [`SecureRandom`] shared behind a lock.
pub struct RngSource<R>(Mutex<R>);

impl<R: TryCryptoRng + Send> RngSource<R> {
    /// Wraps a generator.
    pub fn new(rng: R) -> Self {
        Self(Mutex::new(rng))
    }
}

impl<R: TryCryptoRng + Send> SecureRandom for RngSource<R> {
    fn fill(&self, dest: &mut [u8]) -> Result<(), CryptoError> {
        let mut rng = self.0.lock().map_err(|_| CryptoError::RandomSourceFailed)?;
        rng.try_fill_bytes(dest)
            .map_err(|_| CryptoError::RandomSourceFailed)
    }
}

impl<R> fmt::Debug for RngSource<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RngSource")
    }
}
