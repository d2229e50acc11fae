use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::{RepositoryLock, StoredElement, XmlRepository};
use crate::KeyringError;

/// Name of the advisory lock file that serialises key creation. .NET reads only `*.xml`, so it
/// ignores this file.
const LOCK_FILE: &str = ".dp-keyring.lock";

/// One XML file per element in a directory, as .NET's `FileSystemXmlRepository`.
///
/// * Reading loads every top-level `*.xml` file. A file that cannot be read or decoded fails
///   the whole read, with its path: it might be a revocation, and silently ignoring a revocation
///   would keep a compromised key in use (fail closed, as .NET does).
/// * Writing is atomic and never overwrites: the element goes to `{random}.tmp` (mode 0600) in the
///   same directory, is flushed to disk, then hard-linked to `{name}.xml` — which fails if that
///   name exists — and the temporary file is removed. A reader never sees a partial file.
/// * A missing directory is created with mode 0700 on first write.
#[derive(Debug, Clone)]
pub struct FileSystemRepository {
    dir: PathBuf,
}

impl FileSystemRepository {
    /// A repository in `dir` (created on first write).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The directory.
    pub fn directory(&self) -> &Path {
        &self.dir
    }

    /// The directory ASP.NET Core uses by default on this platform, given an environment lookup:
    /// `$DP_KEY_DIR` if set (ours), else on Windows `%LOCALAPPDATA%\ASP.NET\DataProtection-Keys`;
    /// elsewhere `$LOCALAPPDATA/ASP.NET/DataProtection-Keys` if that is set, else
    /// `$HOME/.aspnet/DataProtection-Keys`. Azure App Service (`WEBSITE_INSTANCE_ID` set) uses
    /// `$HOME/ASP.NET/DataProtection-Keys`.
    ///
    /// The lookup is a parameter because only the CLI reads the process environment.
    pub fn default_directory(env: impl Fn(&str) -> Option<String>) -> Option<PathBuf> {
        let var = |name: &str| env(name).filter(|v| !v.is_empty());
        if let Some(dir) = var("DP_KEY_DIR") {
            return Some(PathBuf::from(dir));
        }
        if var("WEBSITE_INSTANCE_ID").is_some()
            && let Some(home) = var("HOME")
        {
            return Some(Path::new(&home).join("ASP.NET").join("DataProtection-Keys"));
        }
        if let Some(local) = var("LOCALAPPDATA") {
            return Some(
                Path::new(&local)
                    .join("ASP.NET")
                    .join("DataProtection-Keys"),
            );
        }
        if cfg!(windows) {
            return None;
        }
        var("HOME").map(|home| Path::new(&home).join(".aspnet").join("DataProtection-Keys"))
    }

    fn create_dir(&self) -> Result<(), KeyringError> {
        if self.dir.is_dir() {
            return Ok(());
        }
        let mut builder = fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder
            .create(&self.dir)
            .map_err(|e| self.write_error("creating the key directory", e))
    }

    fn write_error(&self, what: &str, e: io::Error) -> KeyringError {
        if matches!(
            e.kind(),
            io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem
        ) {
            KeyringError::ReadOnlyRepository(self.dir.clone())
        } else {
            KeyringError::io(format!("{what} in {}", self.dir.display()), e)
        }
    }

    fn write_new_file(path: &Path, contents: &[u8]) -> io::Result<()> {
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(path)?;
        file.write_all(contents)?;
        file.sync_all()
    }

    fn sync_dir(&self) {
        // Make the new directory entry durable; not all platforms can open a directory, and a
        // failure here does not make the element any less complete.
        if let Ok(dir) = File::open(&self.dir) {
            let _ = dir.sync_all();
        }
    }
}

/// .NET replaces friendly names outside `[A-Za-z0-9_-]+` with a fresh GUID.
fn safe_name(name: &str) -> String {
    if !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        name.to_owned()
    } else {
        uuid::Uuid::new_v4().to_string()
    }
}

fn decode_text(bytes: Vec<u8>) -> Result<String, &'static str> {
    // XElement.Load detects UTF-16 by its byte-order mark; .NET itself writes UTF-8 with a BOM.
    let utf16 = |bytes: &[u8], le: bool| {
        let units: Vec<u16> = bytes
            .chunks_exact(2)
            .map(|c| {
                let pair = [
                    c.first().copied().unwrap_or(0),
                    c.get(1).copied().unwrap_or(0),
                ];
                if le {
                    u16::from_le_bytes(pair)
                } else {
                    u16::from_be_bytes(pair)
                }
            })
            .collect();
        String::from_utf16(&units).map_err(|_| "invalid UTF-16 text")
    };
    match bytes.as_slice() {
        [0xFF, 0xFE, rest @ ..] => utf16(rest, true),
        [0xFE, 0xFF, rest @ ..] => utf16(rest, false),
        _ => String::from_utf8(bytes).map_err(|_| "invalid UTF-8 text"),
    }
}

struct FileLock {
    _file: File,
}

impl RepositoryLock for FileLock {}

impl XmlRepository for FileSystemRepository {
    fn load_all(&self) -> Result<Vec<StoredElement>, KeyringError> {
        let entries = match fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => {
                return Err(KeyringError::io(
                    format!("reading the key directory {}", self.dir.display()),
                    e,
                ));
            }
        };
        let mut elements = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| {
                KeyringError::io(
                    format!("reading the key directory {}", self.dir.display()),
                    e,
                )
            })?;
            let path = entry.path();
            let is_xml = path.extension().is_some_and(|ext| ext == "xml");
            if !is_xml || !path.is_file() {
                continue;
            }
            let source = path.display().to_string();
            let bytes =
                fs::read(&path).map_err(|e| KeyringError::io(format!("reading {source}"), e))?;
            let xml = decode_text(bytes).map_err(|why| KeyringError::malformed(&source, why))?;
            let name = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            elements.push(StoredElement { name, source, xml });
        }
        // Directory order is arbitrary; sort so that every reader sees the same order.
        elements.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(elements)
    }

    fn store(&self, name: &str, xml: &str) -> Result<(), KeyringError> {
        self.create_dir()?;
        let final_path = self.dir.join(format!("{}.xml", safe_name(name)));
        let tmp_path = self.dir.join(format!("{}.tmp", uuid::Uuid::new_v4()));
        Self::write_new_file(&tmp_path, xml.as_bytes())
            .map_err(|e| self.write_error("writing a temporary key file", e))?;
        let linked = fs::hard_link(&tmp_path, &final_path);
        let result = match linked {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(KeyringError::io(
                format!("storing {}", final_path.display()),
                e,
            )),
            // Some file systems have no hard links: fall back to a rename guarded by an
            // existence check (the lock held during key creation closes the race).
            Err(_) if !final_path.exists() => fs::rename(&tmp_path, &final_path)
                .map_err(|e| KeyringError::io(format!("storing {}", final_path.display()), e)),
            Err(e) => Err(KeyringError::io(
                format!("storing {}", final_path.display()),
                e,
            )),
        };
        let _ = fs::remove_file(&tmp_path);
        self.sync_dir();
        result
    }

    fn delete(&self, names: &[String]) -> Result<(), KeyringError> {
        for name in names {
            let path = self.dir.join(format!("{}.xml", safe_name(name)));
            match fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(self.write_error(&format!("deleting {}", path.display()), e)),
            }
        }
        self.sync_dir();
        Ok(())
    }

    fn lock(&self) -> Result<Box<dyn RepositoryLock>, KeyringError> {
        self.create_dir()?;
        let path = self.dir.join(LOCK_FILE);
        let mut options = OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options
            .open(&path)
            .map_err(|e| self.write_error("opening the key directory lock", e))?;
        file.lock()
            .map_err(|e| KeyringError::io(format!("locking {}", path.display()), e))?;
        Ok(Box::new(FileLock { _file: file }))
    }

    fn describe(&self) -> String {
        format!("key directory {}", self.dir.display())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_directory_follows_dotnet() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        assert_eq!(
            FileSystemRepository::default_directory(env(&[("HOME", "/home/u")])),
            Some(PathBuf::from("/home/u/.aspnet/DataProtection-Keys"))
        );
        assert_eq!(
            FileSystemRepository::default_directory(env(&[
                ("HOME", "/home/u"),
                ("LOCALAPPDATA", "/l")
            ])),
            Some(PathBuf::from("/l/ASP.NET/DataProtection-Keys"))
        );
        assert_eq!(
            FileSystemRepository::default_directory(env(&[
                ("HOME", "/home/u"),
                ("DP_KEY_DIR", "/k")
            ])),
            Some(PathBuf::from("/k"))
        );
        assert_eq!(FileSystemRepository::default_directory(env(&[])), None);
    }

    #[test]
    fn names_outside_the_safe_set_are_replaced() {
        assert_eq!(safe_name("key-3d6d01fd-c0e7"), "key-3d6d01fd-c0e7");
        assert_ne!(safe_name("../evil"), "../evil");
        assert_ne!(safe_name(""), "");
    }

    #[test]
    fn decodes_utf16_with_bom() {
        let mut bytes = vec![0xFF, 0xFE];
        for u in "<a/>".encode_utf16() {
            bytes.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(decode_text(bytes), Ok("<a/>".to_owned()));
        assert_eq!(decode_text(vec![0xC3]), Err("invalid UTF-8 text"));
    }
}
