//! Where plaintext waits until the whole envelope verified.
//!
//! [`open`](super::open) writes each verified chunk into a [`PlaintextSink`] and commits it
//! only after the last chunk, the end of input, the signature and the replay cache all passed.
//! A sink that is dropped instead — because opening failed — discards what it holds.

use std::fs::File;
use std::io::{self, Seek as _, Write};
use std::path::{Path, PathBuf};

use dp_fs::AtomicFile;
use zeroize::Zeroizing;

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

/// Plaintext in memory, zeroized when dropped. For small envelopes.
#[derive(Default)]
pub struct MemorySink(Zeroizing<Vec<u8>>);

impl MemorySink {
    /// An empty sink.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty sink with room for `capacity` bytes.
    pub fn with_capacity(capacity: usize) -> Self {
        Self(Zeroizing::new(Vec::with_capacity(capacity)))
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
    type Output = Zeroizing<Vec<u8>>;

    fn commit(self) -> Result<Self::Output, EnvelopeError> {
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
