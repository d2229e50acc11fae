//! Keys encrypted at rest with a certificate, against the key ring live .NET 10 wrote with
//! `ProtectKeysWithCertificate` (tests/data/certificate, see its README).
#![cfg(feature = "certificates")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs,
    reason = "test code: a panic is a test failure, and test items need no docs"
)]

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use base64::Engine as _;
use dp_keyring::encryption::{
    Certificate, CertificateXmlDecryptor, CertificateXmlEncryptor, Identity, KeyEncryption,
    KeyProtection, KeyTransport,
};
use dp_keyring::repository::XmlRepository;
use dp_keyring::{
    DataProtectionProvider, DescriptorError, FileSystemRepository, KeyringError, ManualClock,
    Timestamp,
};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/certificate")
        .join(name)
}

fn text(name: &str) -> String {
    std::fs::read_to_string(data(name)).unwrap()
}

fn pfx_identity() -> Identity {
    Identity::load(
        &std::fs::read(data("certificate.pfx")).unwrap(),
        Some("interop"),
    )
    .unwrap()
}

fn pem_identity() -> Identity {
    Identity::from_pem_pair(&text("certificate.cert.pem"), &text("certificate.key.pem")).unwrap()
}

fn rotated_identity() -> Identity {
    Identity::from_pem_pair(&text("rotated.cert.pem"), &text("rotated.key.pem")).unwrap()
}

fn decrypting(identities: Vec<Identity>) -> KeyEncryption {
    KeyEncryption::new().with_decryptor(Arc::new(CertificateXmlDecryptor::new(identities)))
}

struct Case {
    app_name: String,
    purposes: Vec<String>,
    payload: Vec<u8>,
    plaintext: Vec<u8>,
}

fn case() -> Case {
    let manifest: serde_json::Value = serde_json::from_str(&text("manifest.json")).unwrap();
    let c = &manifest["cases"][0];
    Case {
        app_name: c["app_name"].as_str().unwrap().to_owned(),
        purposes: c["purposes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap().to_owned())
            .collect(),
        payload: dp_format::base64url::decode(c["payload"].as_str().unwrap()).unwrap(),
        plaintext: base64::engine::general_purpose::STANDARD
            .decode(c["plaintext_b64"].as_str().unwrap())
            .unwrap(),
    }
}

/// 2026-12-01, while the .NET key is valid (it expires 2027-02-28).
fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(
        Timestamp::parse_xml("2026-12-01T00:00:00Z").unwrap(),
    ))
}

fn provider(dir: &Path, encryption: KeyEncryption) -> DataProtectionProvider {
    DataProtectionProvider::builder(FileSystemRepository::new(dir))
        .application_name(Some(&case().app_name))
        .clock(clock())
        .key_encryption(encryption)
        .build()
        .unwrap()
}

fn unprotect(p: &DataProtectionProvider, c: &Case) -> Result<Vec<u8>, KeyringError> {
    let (first, rest) = c.purposes.split_first().unwrap();
    let protector = rest
        .iter()
        .fold(p.create_protector(first), |p, x| p.create_protector(x));
    protector.unprotect(&c.payload)
}

fn dotnet_ring() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(data("keys-certificate")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    dir
}

#[test]
fn the_dotnet_ring_unprotects_with_the_pfx_and_with_the_pem_identity() {
    let c = case();
    let ring = dotnet_ring();
    for identity in [pfx_identity(), pem_identity()] {
        let p = provider(ring.path(), decrypting(vec![identity]));
        assert_eq!(unprotect(&p, &c).unwrap(), c.plaintext);
    }
}

#[test]
fn without_a_matching_identity_the_error_names_the_certificate() {
    let c = case();
    let ring = dotnet_ring();
    let thumbprint = pem_identity().certificate().thumbprint_hex();
    for encryption in [KeyEncryption::new(), decrypting(vec![rotated_identity()])] {
        let p = provider(ring.path(), encryption);
        let err = unprotect(&p, &c).unwrap_err();
        let KeyringError::KeyUnusable { reason, .. } = &err else {
            panic!("{err:?}")
        };
        let info = match reason {
            DescriptorError::NoDecryptor(KeyProtection::Certificate(info))
            | DescriptorError::NoMatchingIdentity(info) => info,
            other => panic!("{other:?}"),
        };
        assert_eq!(info.thumbprint, thumbprint);
        assert_eq!(info.subject.as_deref(), Some("CN=dp interop test"));
        let message = err.to_string();
        assert!(
            message.contains(&thumbprint) && message.contains("CN=dp interop test"),
            "{message}"
        );
        assert!(!err.is_rejection(), "exit 1, not a rejected payload");
    }
}

fn key_file(dir: &Path) -> (PathBuf, String) {
    let path = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "xml"))
        .unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    (path, text)
}

/// Replaces what differs between two keys by nature: id, dates, CipherValues, certificate.
fn normalise(xml: &str) -> String {
    let mut out = String::new();
    let mut rest = xml;
    for (open, close) in [
        ("<key id=\"", "\""),
        ("<creationDate>", "<"),
        ("<activationDate>", "<"),
        ("<expirationDate>", "<"),
        ("<X509Certificate>", "<"),
        ("<CipherValue>", "<"),
        ("<CipherValue>", "<"),
    ] {
        let start = rest.find(open).unwrap() + open.len();
        out.push_str(&rest[..start]);
        out.push('…');
        let end = start + rest[start..].find(close).unwrap();
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

fn write_key(transport: KeyTransport) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let certificate = Certificate::from_pem(&text("certificate.cert.pem")).unwrap();
    let encryption = KeyEncryption::new().with_encryptor(Arc::new(
        CertificateXmlEncryptor::new(certificate, transport).unwrap(),
    ));
    let p = provider(dir.path(), encryption);
    let now = p.key_manager().clock().now();
    p.key_manager()
        .create_key(now, now + time::Duration::days(90), Default::default())
        .unwrap();
    let (_, xml) = key_file(dir.path());
    (dir, xml)
}

#[test]
fn a_pkcs1_key_is_byte_identical_to_the_dotnet_key_but_for_its_own_values() {
    let (_dir, ours) = write_key(KeyTransport::DangerRsaPkcs1v15);
    let (_, dotnet) = key_file(&data("keys-certificate"));
    assert_eq!(normalise(&ours), normalise(&dotnet));
    assert!(!ours.contains("<value>"), "no clear master key");
}

#[test]
fn an_oaep_key_differs_only_in_the_key_transport_uri() {
    let (_dir, ours) = write_key(KeyTransport::RsaOaepSha1);
    let (_, dotnet) = key_file(&data("keys-certificate"));
    assert_eq!(
        normalise(&ours),
        normalise(&dotnet).replace("xmlenc#rsa-1_5", "xmlenc#rsa-oaep-mgf1p")
    );
}

#[test]
fn written_keys_read_back_with_the_matching_identity_only() {
    for transport in [KeyTransport::RsaOaepSha1, KeyTransport::DangerRsaPkcs1v15] {
        let (dir, _) = write_key(transport);
        let writer_payload = {
            // A process with the identity protects with the key the writer made.
            let p = provider(dir.path(), decrypting(vec![pem_identity()]));
            p.create_protector("x").protect(b"hello").unwrap()
        };
        let p = provider(dir.path(), decrypting(vec![pfx_identity()]));
        assert_eq!(
            p.create_protector("x").unprotect(&writer_payload).unwrap(),
            b"hello"
        );
        let wrong = provider(dir.path(), decrypting(vec![rotated_identity()]));
        assert!(matches!(
            wrong.create_protector("x").unprotect(&writer_payload),
            Err(KeyringError::KeyUnusable {
                reason: DescriptorError::NoMatchingIdentity(_),
                ..
            })
        ));
    }
}

/// The .NET key with one byte of a CipherValue changed.
fn tampered(which: usize, position: usize) -> tempfile::TempDir {
    let ring = dotnet_ring();
    let (path, xml) = key_file(ring.path());
    let values: Vec<usize> = xml
        .match_indices("<CipherValue>")
        .map(|(i, _)| i + 13)
        .collect();
    let at = values[which] + position;
    let mut bytes = xml.into_bytes();
    // Swap one base64 character for another valid one.
    bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
    std::fs::write(&path, bytes).unwrap();
    ring
}

#[test]
fn a_corrupted_secret_is_one_generic_error() {
    let c = case();
    // The wrapped AES key (RSA ciphertext), at its start and middle; the content: the IV,
    // a middle block, the last block (its padding).
    for (which, position) in [(0, 0), (0, 100), (1, 0), (1, 40), (1, 200)] {
        let ring = tampered(which, position);
        let p = provider(ring.path(), decrypting(vec![pem_identity()]));
        match unprotect(&p, &c) {
            Err(KeyringError::KeyUnusable {
                reason: DescriptorError::SecretDecryptionFailed,
                ..
            }) => {}
            // A changed block that still decrypts to a well-formed, same-valued element is
            // not possible here (CBC garbles the block); a changed IV byte within the XML
            // text makes the element malformed: also the generic error.
            other => panic!("CipherValue {which} at {position}: {other:?}"),
        }
    }
}

#[test]
fn bad_iso10126_padding_is_the_same_generic_error() {
    use dp_crypto::legacy::danger_aes_cbc_encrypt;
    // Re-encrypt the .NET key's content with the same AES key and a last byte of 0 (no valid
    // ISO 10126 length): decrypt the AES key with the identity, as the decryptor does.
    let ring = dotnet_ring();
    let (path, xml) = key_file(ring.path());
    let identity = pem_identity();
    let values: Vec<&str> = xml
        .split("<CipherValue>")
        .skip(1)
        .map(|s| s.split('<').next().unwrap())
        .collect();
    let b64 = base64::engine::general_purpose::STANDARD;
    let wrapped = b64.decode(values[0]).unwrap();
    let key_pem = text("certificate.key.pem");
    let der = pem_rfc7468::decode_vec(key_pem.as_bytes()).unwrap().1;
    let aes_key = dp_crypto::rsa::RsaBackend::default()
        .decrypt(
            &der,
            dp_crypto::rsa::KeyWrapPadding::DangerPkcs1v15,
            &wrapped,
        )
        .unwrap();
    assert_eq!(aes_key.len(), 32);
    // Sixteen bytes ending in 0x00, PKCS#7-padded by danger_aes_cbc_encrypt: take the first
    // block only, so the last plaintext byte is 0.
    let iv = [7u8; 16];
    let block =
        danger_aes_cbc_encrypt(dp_crypto::AesKeySize::Aes256, &aes_key, &iv, &[0u8; 16]).unwrap();
    let mut content = iv.to_vec();
    content.extend_from_slice(&block[..16]);
    let replaced = xml.replace(values[1], &b64.encode(content));
    std::fs::write(&path, replaced).unwrap();
    drop(identity);
    let p = provider(ring.path(), decrypting(vec![pem_identity()]));
    assert!(matches!(
        unprotect(&p, &case()),
        Err(KeyringError::KeyUnusable {
            reason: DescriptorError::SecretDecryptionFailed,
            ..
        })
    ));
}

#[test]
fn rewrap_moves_a_ring_to_a_new_certificate() {
    let c = case();
    let ring = dotnet_ring();
    let rotated = Certificate::from_pem(&text("rotated.cert.pem")).unwrap();
    let encryption = decrypting(vec![pem_identity()]).with_encryptor(Arc::new(
        CertificateXmlEncryptor::new(rotated, KeyTransport::RsaOaepSha1).unwrap(),
    ));
    let p = provider(ring.path(), encryption);
    let report = p
        .key_manager()
        .rewrap(p.key_manager().encryption().encryptor().unwrap().as_ref())
        .unwrap();
    assert_eq!(report.rewrapped.len(), 1);
    // The new identity alone opens the old payload; the old one alone no longer does.
    let new_only = provider(ring.path(), decrypting(vec![rotated_identity()]));
    assert_eq!(unprotect(&new_only, &c).unwrap(), c.plaintext);
    let old_only = provider(ring.path(), decrypting(vec![pem_identity()]));
    assert!(matches!(
        unprotect(&old_only, &c),
        Err(KeyringError::KeyUnusable {
            reason: DescriptorError::NoMatchingIdentity(_),
            ..
        })
    ));
    assert_eq!(
        FileSystemRepository::new(ring.path())
            .load_all()
            .unwrap()
            .len(),
        1
    );
}
