//! Where plaintext waits until the whole envelope verified.
//!
//! [`open`](super::open) writes each verified chunk into a [`PlaintextSink`] and commits it
//! only after the last chunk, the end of input, the signature and the replay cache all passed.
//! A sink that is dropped instead — because opening failed — discards what it holds.

use std::fs::File;
use std::io::{self, Seek as _, Write};
use std::path::{Path, PathBuf};

use dp_fs::AtomicFile;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::EnvelopeError;

/// `Write` for a sink that writes into its `AtomicFile` field.
macro_rules! forward_write {
    ($sink:ty, $field:tt) => {
        impl Write for $sink {
            fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
                self.$field.write(buf)
            }

            fn flush(&mut self) -> io::Result<()> {
                self.$field.flush()
            }
        }
    };
}

/// A place for plaintext that is released only by [`PlaintextSink::commit`].
///
/// Implementations must keep what is written out of reach of anyone else until the commit,
/// and must discard it when dropped uncommitted.
pub trait PlaintextSink: Write {
    /// What a committed sink hands back.
    type Output;

    /// Releases the plaintext. Called once, after everything verified.
    ///
    /// # Errors
    /// I/O errors (for example the final rename).
    fn commit(self) -> Result<Self::Output, EnvelopeError>;
}

/// Plaintext in memory, wiped when dropped: what a committed [`MemorySink`] hands back, and
/// what `open` and `seal` hold each chunk's plaintext in.
///
/// The wipe goes through the bytes as one slice (`zeroize`'s bulk fill behind an optimisation
/// barrier), then the spare capacity. `Zeroizing<Vec<u8>>` wipes a `Vec` one volatile byte
/// write at a time, which for a large envelope took as long as decrypting it.
///
/// # Security
/// The bytes are secret: there is no `Clone`, and `Debug` prints only the type name. Copies
/// the caller makes (`to_vec`) are the caller's to wipe.
#[derive(Default)]
pub struct Plaintext(Vec<u8>);

impl Plaintext {
    /// Empty, with room for `capacity` bytes.
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        Self(Vec::with_capacity(capacity))
    }

    /// Takes ownership of plaintext that another function allocated, to wipe it on drop.
    pub(crate) fn from_vec(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }

    /// The plaintext.
    pub fn as_slice(&self) -> &[u8] {
        &self.0
    }

    /// The buffer itself, for reading into. Callers keep within its capacity: a reallocation
    /// would leave an unwiped copy behind.
    pub(crate) fn buffer(&mut self) -> &mut Vec<u8> {
        &mut self.0
    }

    /// Appends `bytes`. When the capacity runs out the bytes move to a buffer twice as large
    /// and the old one is wiped, where `Vec`'s own growth would free it with the plaintext in.
    fn extend_from_slice(&mut self, bytes: &[u8]) {
        if self.0.capacity() - self.0.len() < bytes.len() {
            let needed = self.0.len().saturating_add(bytes.len());
            let mut grown = Vec::with_capacity(needed.max(self.0.capacity().saturating_mul(2)));
            grown.extend_from_slice(&self.0);
            drop(Self(core::mem::replace(&mut self.0, grown)));
        }
        self.0.extend_from_slice(bytes);
    }
}

impl core::ops::Deref for Plaintext {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl AsRef<[u8]> for Plaintext {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl Zeroize for Plaintext {
    fn zeroize(&mut self) {
        self.0.as_mut_slice().zeroize();
        self.0.spare_capacity_mut().zeroize();
        self.0.clear();
    }
}

impl Drop for Plaintext {
    fn drop(&mut self) {
        self.zeroize();
    }
}

impl ZeroizeOnDrop for Plaintext {}

impl core::fmt::Debug for Plaintext {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Plaintext")
    }
}

/// Plaintext in memory, wiped when dropped, committed or not.
///
/// Give it the plaintext length as capacity when it is known: growing copies what it holds
/// into a buffer twice as large and wipes the old one.
#[derive(Default)]
pub struct MemorySink(Plaintext);

impl MemorySink {
    /// An empty sink.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty sink with room for `capacity` bytes.
    pub fn with_capacity(capacity: usize) -> Self {
        Self(Plaintext::with_capacity(capacity))
    }

    /// An empty sink in the memory of an earlier plaintext, wiped first. Opening envelope
    /// after envelope this way neither allocates nor has the kernel hand over fresh pages,
    /// which for a 64 MiB plaintext costs more than decrypting it.
    pub fn reusing(mut previous: Plaintext) -> Self {
        previous.zeroize();
        Self(previous)
    }
}

impl core::fmt::Debug for MemorySink {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("MemorySink")
    }
}

impl Write for MemorySink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl PlaintextSink for MemorySink {
    type Output = Plaintext;

    fn commit(self) -> Result<Plaintext, EnvelopeError> {
        Ok(self.0)
    }
}

/// Plaintext in a private temporary file beside its destination (unnamed on Linux), which
/// appears under the destination's name only on commit.
#[derive(Debug)]
pub struct FileSink {
    file: AtomicFile,
    path: PathBuf,
    replace: bool,
}

impl FileSink {
    /// A sink whose commit creates `path`, failing if it exists by then.
    ///
    /// # Errors
    /// The temporary file cannot be created beside `path`.
    pub fn create_new(path: &Path) -> Result<Self, EnvelopeError> {
        Self::new(path, false)
    }

    /// A sink whose commit atomically replaces `path` (or creates it).
    ///
    /// # Errors
    /// The temporary file cannot be created beside `path`.
    pub fn replace(path: &Path) -> Result<Self, EnvelopeError> {
        Self::new(path, true)
    }

    fn new(path: &Path, replace: bool) -> Result<Self, EnvelopeError> {
        Ok(Self {
            file: AtomicFile::beside(path)?,
            path: path.to_path_buf(),
            replace,
        })
    }
}

forward_write!(FileSink, file);

impl PlaintextSink for FileSink {
    type Output = ();

    fn commit(self) -> Result<(), EnvelopeError> {
        if self.replace {
            self.file.persist_replace(&self.path)?;
        } else {
            self.file.persist_new(&self.path)?;
        }
        Ok(())
    }
}

/// Plaintext in a private scratch file that has no name (on Linux; elsewhere a private file
/// removed when the sink is dropped or committed). The commit hands back the file, rewound,
/// for copying to where it belongs — standard output, say. Nothing is left on disk whatever
/// happens to the process.
#[derive(Debug)]
pub struct ScratchSink(AtomicFile);

impl ScratchSink {
    /// A scratch file in `dir` (a temporary directory).
    ///
    /// # Errors
    /// The file cannot be created there.
    pub fn new_in(dir: &Path) -> Result<Self, EnvelopeError> {
        Ok(Self(AtomicFile::new_in(dir)?))
    }
}

forward_write!(ScratchSink, 0);

impl PlaintextSink for ScratchSink {
    type Output = File;

    fn commit(self) -> Result<File, EnvelopeError> {
        let mut file = self.0.into_unlinked_file()?;
        file.rewind()
            .map_err(|e| EnvelopeError::io("rewinding the scratch file", e))?;
        Ok(file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_memory_sink_grows_without_losing_or_reordering_bytes() -> io::Result<()> {
        let mut sink = MemorySink::with_capacity(3);
        let mut want = Vec::new();
        for len in [0, 1, 2, 5, 64, 1000, 7, 5000] {
            let piece: Vec<u8> = (0..len)
                .map(|i| u8::try_from(i % 251).unwrap_or(0))
                .collect();
            sink.write_all(&piece)?;
            want.extend_from_slice(&piece);
        }
        let Ok(plaintext) = sink.commit() else {
            panic!("a memory sink commits");
        };
        assert_eq!(plaintext.as_slice(), want.as_slice());
        assert_eq!(&*plaintext, want.as_slice());
        Ok(())
    }

    #[test]
    fn a_reused_sink_starts_empty_in_the_same_memory() -> io::Result<()> {
        let mut sink = MemorySink::with_capacity(64);
        sink.write_all(&[7; 40])?;
        let Ok(first) = sink.commit() else {
            panic!("a memory sink commits");
        };
        let mut again = MemorySink::reusing(first);
        assert!(again.0.is_empty());
        assert_eq!(again.0.0.capacity(), 64);
        again.write_all(b"second")?;
        assert!(matches!(again.commit(), Ok(p) if p.as_slice() == b"second"));
        Ok(())
    }

    #[test]
    fn zeroizing_empties_the_plaintext() {
        let mut p = Plaintext::from_vec(vec![9; 10]);
        p.zeroize();
        assert!(p.is_empty());
    }

    #[test]
    fn debug_prints_only_the_type_name() {
        assert_eq!(
            format!("{:?}", Plaintext::from_vec(b"secret".to_vec())),
            "Plaintext"
        );
        assert_eq!(format!("{:?}", MemorySink::new()), "MemorySink");
    }
}
