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

/// A fast user-space generator for the public per-payload values — key modifiers, CBC IVs and
/// GCM nonces — reseeded from the operating system.
///
/// Each thread has its own ChaCha20 generator (no lock, nothing shared between threads), seeded
/// with 32 bytes from `getrandom` on first use and again after [`FastRandom::RESEED_BYTES`] of
/// output. Every call compares the process id with the one the generator was seeded in: a
/// forked child inherits its parent's generator state, and without the check parent and child
/// would draw the same key modifiers and nonces — for AES-GCM, the same derived key with the same
/// nonce, which breaks it. A child therefore reseeds before its first byte.
///
/// What it must not be used for: secrets. Its output is written into payloads in clear, so its
/// security rests on ChaCha20's output being unpredictable and never repeating, not on it
/// staying hidden; master keys and envelope session keys come from [`OsRandom`] directly.
/// A virtual machine restored twice from one snapshot repeats the state of every thread (as it
/// would repeat the kernel generator's recent output); see SECURITY.md.
#[derive(Debug, Clone, Copy, Default)]
pub struct FastRandom;

impl FastRandom {
    /// Output after which a thread's generator is reseeded from the OS.
    pub const RESEED_BYTES: u64 = 1 << 20;
}

/// One thread's generator, the process it was seeded in, and the output left before a reseed.
struct ThreadGenerator {
    rng: chacha20::ChaCha20Rng,
    pid: u32,
    remaining: u64,
}

impl ThreadGenerator {
    fn seeded(pid: u32) -> Result<Self, CryptoError> {
        use rand_core::SeedableRng as _;
        let mut seed = zeroize::Zeroizing::new([0u8; 32]);
        getrandom::fill(seed.as_mut_slice()).map_err(|_| CryptoError::RandomSourceFailed)?;
        Ok(Self {
            rng: chacha20::ChaCha20Rng::from_seed(*seed),
            pid,
            remaining: FastRandom::RESEED_BYTES,
        })
    }
}

std::thread_local! {
    static GENERATOR: core::cell::RefCell<Option<ThreadGenerator>> =
        const { core::cell::RefCell::new(None) };
}

impl SecureRandom for FastRandom {
    fn fill(&self, dest: &mut [u8]) -> Result<(), CryptoError> {
        let len = u64::try_from(dest.len()).unwrap_or(u64::MAX);
        // Large requests (nothing in this workspace makes one) go straight to the OS.
        if len > Self::RESEED_BYTES {
            return OsRandom.fill(dest);
        }
        let pid = std::process::id();
        GENERATOR
            .try_with(|cell| {
                let mut slot = cell
                    .try_borrow_mut()
                    .map_err(|_| CryptoError::RandomSourceFailed)?;
                draw(&mut slot, pid, dest)
            })
            // The thread is being torn down: fall back to the OS.
            .unwrap_or_else(|_| OsRandom.fill(dest))
    }
}

/// Fills `dest` from the generator in `slot`, (re)seeding it first when there is none, when it
/// was seeded in another process than `pid`, or when its output allowance is spent.
fn draw(slot: &mut Option<ThreadGenerator>, pid: u32, dest: &mut [u8]) -> Result<(), CryptoError> {
    use rand_core::Rng as _;
    let len = u64::try_from(dest.len()).unwrap_or(u64::MAX);
    let generator = match slot {
        Some(g) if g.pid == pid && g.remaining >= len => g,
        stale => stale.insert(ThreadGenerator::seeded(pid)?),
    };
    generator.rng.fill_bytes(dest);
    generator.remaining -= len;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draw32(slot: &mut Option<ThreadGenerator>, pid: u32) -> [u8; 32] {
        let mut out = [0u8; 32];
        assert!(draw(slot, pid, &mut out).is_ok());
        out
    }

    #[test]
    fn a_forked_child_reseeds_before_its_first_byte() {
        let mut parent = None;
        draw32(&mut parent, 100);
        // The child starts with a copy of the parent's state…
        let mut child = Some(ThreadGenerator {
            rng: chacha20::ChaCha20Rng::deserialize_state(
                &parent
                    .as_ref()
                    .map(|g| g.rng.serialize_state())
                    .unwrap_or_else(|| unreachable!()),
            ),
            pid: 100,
            remaining: FastRandom::RESEED_BYTES,
        });
        // …but runs under another pid, so it must not continue the parent's stream.
        let from_parent = draw32(&mut parent, 100);
        let from_child = draw32(&mut child, 101);
        assert_ne!(from_parent, from_child);
        assert_eq!(child.as_ref().map(|g| g.pid), Some(101));
    }

    #[test]
    fn the_generator_reseeds_when_its_allowance_is_spent() {
        let mut slot = None;
        draw32(&mut slot, 7);
        if let Some(g) = &mut slot {
            g.remaining = 16;
        }
        let before = slot.as_ref().map(|g| g.rng.get_seed());
        draw32(&mut slot, 7);
        assert_eq!(
            slot.as_ref().map(|g| g.remaining),
            Some(FastRandom::RESEED_BYTES - 32)
        );
        assert_ne!(slot.as_ref().map(|g| g.rng.get_seed()), before);
    }

    #[test]
    fn threads_draw_different_bytes_and_large_requests_work() {
        let mut here = [0u8; 32];
        assert!(FastRandom.fill(&mut here).is_ok());
        let there = std::thread::spawn(|| {
            let mut there = [0u8; 32];
            FastRandom.fill(&mut there).map(|()| there)
        })
        .join()
        .ok()
        .and_then(Result::ok);
        assert!(there.is_some_and(|t| t != here));
        let mut again = [0u8; 32];
        assert!(FastRandom.fill(&mut again).is_ok());
        assert_ne!(here, again);
        let mut large = vec![0u8; (1 << 20) + 1];
        assert!(FastRandom.fill(&mut large).is_ok());
        assert!(large.iter().any(|&b| b != 0));
    }
}
