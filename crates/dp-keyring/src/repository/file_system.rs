use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use dp_fs::{AtomicFile, FileLock, FsError};

use super::{RepositoryLock, StoredElement, XmlRepository};
use crate::KeyringError;
use crate::xml::MAX_ELEMENT_BYTES;

/// Name of the advisory lock file that serialises key creation. .NET reads only `*.xml`, so it
/// ignores this file.
const LOCK_FILE: &str = ".dp-keyring.lock";

/// One XML file per element in a directory, as .NET's `FileSystemXmlRepository`.
///
/// * Reading loads every top-level `*.xml` file. A file that cannot be read or decoded fails
///   the whole read, with its path: it might be a revocation, and silently ignoring a revocation
///   would keep a compromised key in use (fail closed, as .NET does).
/// * A `*.xml` entry that is not a directory must be readable as a regular file of at most
///   [`MAX_ELEMENT_BYTES`]: a link to nothing, a named pipe or a device fails the read too.
/// * Writing is atomic and never overwrites (`dp_fs::AtomicFile`): on Linux the element is
///   written to an unnamed temporary file (mode 0600), flushed to disk and linked to
///   `{name}.xml` only when complete, so a process killed mid-write leaves nothing behind —
///   no partial key file, and no temporary copy of a master key. Temporary files of dead
///   writers (other platforms, or older versions of dp) are removed on the next write.
/// * The lock file that serialises key creation must be a regular file of our own: a symbolic
///   link there is refused, not followed.
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
        dp_fs::create_private_dir_all(&self.dir).map_err(|e| self.fs_write_error(e))
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

    fn fs_write_error(&self, e: FsError) -> KeyringError {
        match e.io_kind() {
            Some(io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem) => {
                KeyringError::ReadOnlyRepository(self.dir.clone())
            }
            _ => KeyringError::File(e),
        }
    }

    /// Removes the temporary files of writers that died. Ours are unnamed on Linux and locked
    /// while alive elsewhere; before that, temporaries were named `{uuid}.tmp` and never
    /// locked, and a writer killed mid-write left one holding a clear master key.
    fn remove_leftovers(&self) {
        let _ = dp_fs::remove_stale_temporaries(&self.dir);
        let Ok(entries) = fs::read_dir(&self.dir) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let legacy = name
                .to_str()
                .and_then(|n| n.strip_suffix(".tmp"))
                .is_some_and(|stem| uuid::Uuid::try_parse(stem).is_ok());
            if legacy {
                dp_fs::remove_if_unlocked(&entry.path());
            }
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

impl RepositoryLock for FileLock {}

impl XmlRepository for FileSystemRepository {
    /// .NET's `ContainerUtils`: a key directory inside a container that is not on a mounted
    /// volume dies with the container, and every restart starts a new ring.
    fn health(&self) -> Vec<crate::doctor::Finding> {
        let env = |name: &str| std::env::var(name).ok();
        let cgroup = fs::read_to_string("/proc/1/cgroup").unwrap_or_default();
        let mounts = fs::read_to_string("/proc/self/mounts").unwrap_or_default();
        if in_container(env, &cgroup) && !on_mounted_volume(&self.dir, &mounts) {
            vec![crate::doctor::Finding::new(
                "ephemeral_directory",
                crate::doctor::Severity::Warning,
                None,
                format!(
                    "{} is inside a container and not on a mounted volume: the ring is lost when the container is",
                    self.dir.display()
                ),
                "mount a volume at the key directory (or keep the ring in a shared store: --key-store)",
            )]
        } else {
            Vec::new()
        }
    }

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
            if path.extension().is_none_or(|ext| ext != "xml") || is_directory(&entry) {
                continue;
            }
            // Everything else named *.xml might be a revocation: a link to nothing, a named
            // pipe or an oversized file fails the read, naming the path, rather than being
            // skipped (a skipped revocation would bring a revoked key back).
            let source = path.display().to_string();
            let bytes = dp_fs::read_regular_file(&path, MAX_ELEMENT_BYTES as u64)?;
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
        self.remove_leftovers();
        let final_path = self.dir.join(format!("{}.xml", safe_name(name)));
        let mut file = AtomicFile::new_in(&self.dir).map_err(|e| self.fs_write_error(e))?;
        file.write_all(xml.as_bytes())
            .map_err(|e| self.write_error("writing a key file", e))?;
        file.persist_new(&final_path)
            .map_err(|e| self.fs_write_error(e))
    }

    fn replace(&self, name: &str, xml: &str) -> Result<(), KeyringError> {
        let final_path = self.dir.join(format!("{}.xml", safe_name(name)));
        if !final_path.is_file() {
            return Err(KeyringError::io(
                format!("replacing {}", final_path.display()),
                io::Error::from(io::ErrorKind::NotFound),
            ));
        }
        self.remove_leftovers();
        let mut file = AtomicFile::new_in(&self.dir).map_err(|e| self.fs_write_error(e))?;
        file.write_all(xml.as_bytes())
            .map_err(|e| self.write_error("writing a key file", e))?;
        file.persist_replace(&final_path)
            .map_err(|e| self.fs_write_error(e))
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
        dp_fs::sync_dir(&self.dir);
        Ok(())
    }

    fn lock(&self) -> Result<Box<dyn RepositoryLock>, KeyringError> {
        self.create_dir()?;
        let lock =
            FileLock::acquire(&self.dir.join(LOCK_FILE)).map_err(|e| self.fs_write_error(e))?;
        Ok(Box::new(lock))
    }

    fn exists(&self) -> bool {
        self.dir.is_dir()
    }

    fn describe(&self) -> String {
        format!("key directory {}", self.dir.display())
    }
}

/// `DOTNET_RUNNING_IN_CONTAINER(S)` is `1`/`true`, or PID 1's cgroup says docker (as .NET).
fn in_container(env: impl Fn(&str) -> Option<String>, cgroup: &str) -> bool {
    let flag = |name: &str| env(name).is_some_and(|v| v == "1" || v.eq_ignore_ascii_case("true"));
    flag("DOTNET_RUNNING_IN_CONTAINER")
        || flag("DOTNET_RUNNING_IN_CONTAINERS")
        || cgroup.lines().any(|l| l.ends_with("name=openrc:/docker"))
}

/// Whether `dir` or an ancestor is a mount point other than `/` (as .NET reads
/// `/proc/self/mounts`).
fn on_mounted_volume(dir: &Path, mounts: &str) -> bool {
    let points: Vec<&str> = mounts
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split([' ', '\t']).filter(|f| !f.is_empty()).nth(1))
        .filter(|p| *p != "/")
        .collect();
    dir.ancestors()
        .any(|a| a.to_str().is_some_and(|a| points.contains(&a)))
}

/// A directory, or a link to one: .NET lists files only.
fn is_directory(entry: &fs::DirEntry) -> bool {
    entry.file_type().is_ok_and(|t| {
        t.is_dir() || (t.is_symlink() && fs::metadata(entry.path()).is_ok_and(|m| m.is_dir()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn container_detection_follows_dotnet() {
        let none = |_: &str| None;
        assert!(!in_container(none, "0::/"));
        assert!(in_container(none, "1:name=openrc:/docker"));
        assert!(in_container(
            |k: &str| (k == "DOTNET_RUNNING_IN_CONTAINER").then(|| "true".to_owned()),
            ""
        ));
        let mounts = "overlay / overlay rw 0 0\n/dev/sda1 /data ext4 rw 0 0\n";
        assert!(on_mounted_volume(Path::new("/data/keys"), mounts));
        assert!(!on_mounted_volume(Path::new("/app/keys"), mounts));
    }

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
