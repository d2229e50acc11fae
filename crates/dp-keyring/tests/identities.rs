//! Loading certificates and identities (certificate + RSA private key) from PKCS #12, PEM and
//! DER, against the certificate of the .NET-made ring in `data/certificate/` (see its README).
#![cfg(feature = "certificates")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs,
    reason = "test code: a panic is a test failure, and test items need no docs"
)]

use std::path::PathBuf;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use der::{Decode, Encode};
use dp_keyring::encryption::{Certificate, Identity};
use dp_keyring::{IdentityError, KeyringError, Timestamp};
use sha1::{Digest, Sha1};

const PASSWORD: &str = "interop";
/// `openssl x509 -in certificate.cert.pem -noout -fingerprint -sha1`.
const THUMBPRINT: &str = "EA2268B52E264EFC64CF01ACD1F1F4D394D8F21A";

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/certificate")
        .join(name)
}

fn bytes(name: &str) -> Vec<u8> {
    std::fs::read(data(name)).unwrap()
}

fn text(name: &str) -> String {
    std::fs::read_to_string(data(name)).unwrap()
}

/// The certificate .NET embedded in the key XML (`<X509Certificate>`, base64 DER).
fn certificate_in_key_xml() -> Vec<u8> {
    let dir = data("keys-certificate");
    let path = std::fs::read_dir(dir)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let xml = std::fs::read_to_string(path).unwrap();
    let xml = xml.trim_start_matches('\u{feff}');
    let document = roxmltree::Document::parse(xml).unwrap();
    let element = document
        .descendants()
        .find(|node| node.has_tag_name("X509Certificate"))
        .unwrap();
    let base64: String = element.text().unwrap().split_whitespace().collect();
    STANDARD.decode(base64).unwrap()
}

fn identity_error(result: Result<impl std::fmt::Debug, KeyringError>) -> IdentityError {
    match result {
        Err(KeyringError::Identity(e)) => e,
        other => panic!("expected an identity error, got {other:?}"),
    }
}

fn pem(label: &str, der: &[u8]) -> String {
    let base64 = STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in base64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// The test key as PKCS #1 `RSA PRIVATE KEY`: the `privateKey` octets of its PKCS #8 form.
fn pkcs1_key_pem() -> String {
    let (label, pkcs8_der) = pem_body(&text("certificate.key.pem"));
    assert_eq!(label, "PRIVATE KEY");
    let info = pkcs8::PrivateKeyInfoRef::from_der(&pkcs8_der).unwrap();
    let pkcs1_der = info.private_key.as_bytes();
    // It is a PKCS #1 key indeed.
    let key = pkcs1::RsaPrivateKey::<der::asn1::UintRef<'_>>::from_der(pkcs1_der).unwrap();
    assert_eq!(key.to_der().unwrap(), pkcs1_der);
    pem("RSA PRIVATE KEY", pkcs1_der)
}

fn pem_body(text: &str) -> (String, Vec<u8>) {
    let mut lines = text.lines();
    let label = lines
        .next()
        .unwrap()
        .trim_start_matches("-----BEGIN ")
        .trim_end_matches("-----")
        .to_owned();
    let base64: String = lines
        .take_while(|line| !line.starts_with("-----END"))
        .collect();
    (label, STANDARD.decode(base64).unwrap())
}

#[test]
fn pfx_loads_the_certificate_dotnet_embedded() {
    let identity = Identity::from_pkcs12(&bytes("certificate.pfx"), PASSWORD).unwrap();
    let certificate = identity.certificate();
    let embedded = certificate_in_key_xml();
    assert_eq!(certificate.der(), embedded.as_slice());
    let sha1: [u8; 20] = Sha1::digest(&embedded).into();
    assert_eq!(certificate.thumbprint(), sha1);
    assert_eq!(certificate.thumbprint_hex(), THUMBPRINT);
    assert_eq!(certificate.subject(), "CN=dp interop test");
    assert_eq!(certificate.issuer(), "CN=dp interop test");
    assert_eq!(certificate.serial_hex(), "00DBF771BA67814A6A");
    assert_eq!(
        certificate.not_before().unwrap(),
        Timestamp::parse_xml("2026-11-29T21:17:35Z").unwrap()
    );
    assert_eq!(
        certificate.not_after().unwrap(),
        Timestamp::parse_xml("2036-11-30T21:17:35Z").unwrap()
    );
    assert_eq!(certificate.rsa_modulus_len().unwrap(), 256);
    let spki = certificate.rsa_public_key_spki().unwrap();
    let parsed = spki::SubjectPublicKeyInfoRef::from_der(&spki).unwrap();
    assert_eq!(parsed.algorithm.oid, pkcs1::ALGORITHM_OID);
}

#[test]
fn pem_pair_one_pem_text_and_pfx_give_the_same_certificate() {
    let from_pfx = Identity::from_pkcs12(&bytes("certificate.pfx"), PASSWORD).unwrap();
    let cert_pem = text("certificate.cert.pem");
    let key_pem = text("certificate.key.pem");
    let pair = Identity::from_pem_pair(&cert_pem, &key_pem).unwrap();
    let one = Identity::from_pem(&format!("{key_pem}{cert_pem}")).unwrap();
    assert_eq!(pair.certificate(), from_pfx.certificate());
    assert_eq!(one.certificate(), from_pfx.certificate());
}

#[test]
fn pkcs1_rsa_private_key_is_accepted() {
    let cert_pem = text("certificate.cert.pem");
    let identity = Identity::from_pem_pair(&cert_pem, &pkcs1_key_pem()).unwrap();
    assert_eq!(identity.certificate().thumbprint_hex(), THUMBPRINT);
    let one = Identity::from_pem(&format!("{cert_pem}{}", pkcs1_key_pem())).unwrap();
    assert_eq!(one.certificate().thumbprint_hex(), THUMBPRINT);
}

#[test]
fn pfx_with_an_rc2_40_certificate_bag_loads() {
    let identity = Identity::from_pkcs12(&bytes("certificate-rc2.pfx"), PASSWORD).unwrap();
    assert_eq!(
        identity.certificate().der(),
        certificate_in_key_xml().as_slice()
    );
}

#[test]
fn wrong_or_missing_pfx_password_is_its_own_error() {
    for name in ["certificate.pfx", "certificate-rc2.pfx"] {
        let pfx = bytes(name);
        assert_eq!(
            identity_error(Identity::from_pkcs12(&pfx, "not the password")),
            IdentityError::WrongPassword
        );
        assert_eq!(
            identity_error(Identity::load(&pfx, None)),
            IdentityError::WrongPassword
        );
        assert_eq!(
            identity_error(Certificate::load(&pfx, Some("wrong"))),
            IdentityError::WrongPassword
        );
    }
}

#[test]
fn a_key_of_another_certificate_is_refused() {
    let result = Identity::from_pem_pair(&text("certificate.cert.pem"), &text("other.key.pem"));
    assert_eq!(identity_error(result), IdentityError::KeyMismatch);
    let result = Identity::from_pem(&format!(
        "{}{}",
        text("certificate.cert.pem"),
        text("other.key.pem")
    ));
    assert_eq!(identity_error(result), IdentityError::KeyMismatch);
}

#[test]
fn non_rsa_keys_are_refused() {
    let ec_oid = "1.2.840.10045.2.1".to_owned();
    let certificate = Certificate::from_pem(&text("ec.cert.pem")).unwrap();
    assert_eq!(certificate.subject(), "CN=dp ec test");
    assert_eq!(
        identity_error(certificate.rsa_public_key_spki()),
        IdentityError::NotRsa {
            algorithm: ec_oid.clone()
        }
    );
    let result = Identity::from_pem_pair(&text("ec.cert.pem"), &text("ec.key.pem"));
    assert_eq!(
        identity_error(result),
        IdentityError::NotRsa { algorithm: ec_oid }
    );
}

#[test]
fn load_tells_the_formats_apart() {
    let der = certificate_in_key_xml();
    for (bytes, password) in [
        (bytes("certificate.cert.pem"), None),
        (der.clone(), None),
        (bytes("certificate.pfx"), Some(PASSWORD)),
        (bytes("certificate-rc2.pfx"), Some(PASSWORD)),
    ] {
        assert_eq!(
            Certificate::load(&bytes, password).unwrap().der(),
            der.as_slice()
        );
    }
    assert_eq!(
        Certificate::from_der(&der).unwrap().thumbprint_hex(),
        THUMBPRINT
    );

    let pem_identity = format!(
        "{}{}",
        text("certificate.cert.pem"),
        text("certificate.key.pem")
    );
    for (bytes, password) in [
        (pem_identity.into_bytes(), None),
        (bytes("certificate.pfx"), Some(PASSWORD)),
    ] {
        let identity = Identity::load(&bytes, password).unwrap();
        assert_eq!(identity.certificate().der(), der.as_slice());
    }
}

#[test]
fn missing_parts_and_malformed_inputs_have_their_variants() {
    let cert_pem = text("certificate.cert.pem");
    let key_pem = text("certificate.key.pem");
    assert_eq!(
        identity_error(Identity::from_pem(&cert_pem)),
        IdentityError::NoPrivateKey
    );
    assert_eq!(
        identity_error(Identity::from_pem(&key_pem)),
        IdentityError::NoCertificate
    );
    assert_eq!(
        identity_error(Identity::load(&certificate_in_key_xml(), None)),
        IdentityError::NoPrivateKey
    );
    assert_eq!(
        identity_error(Certificate::from_pem(&key_pem)),
        IdentityError::NoCertificate
    );
    assert_eq!(
        identity_error(Certificate::load(b"not a certificate", None)),
        IdentityError::UnrecognizedFormat
    );
    assert_eq!(
        identity_error(Identity::load(b"", None)),
        IdentityError::UnrecognizedFormat
    );

    let pfx = bytes("certificate.pfx");
    let truncated = pfx.get(..pfx.len() / 2).unwrap();
    assert!(matches!(
        identity_error(Identity::from_pkcs12(truncated, PASSWORD)),
        IdentityError::MalformedPkcs12(_)
    ));

    let mut der = certificate_in_key_xml();
    der.push(0);
    assert!(matches!(
        identity_error(Certificate::from_der(&der)),
        IdentityError::MalformedCertificate(_)
    ));

    let broken = cert_pem.replace("-----END CERTIFICATE-----", "");
    assert!(matches!(
        identity_error(Certificate::from_pem(&broken)),
        IdentityError::MalformedPem(_)
    ));

    let encrypted = pem("ENCRYPTED PRIVATE KEY", b"opaque");
    assert_eq!(
        identity_error(Identity::from_pem_pair(&cert_pem, &encrypted)),
        IdentityError::EncryptedPemKey
    );
}

#[test]
fn errors_read_well_and_debug_shows_no_key() {
    assert_eq!(
        KeyringError::Identity(IdentityError::WrongPassword).to_string(),
        "the PKCS #12 (.pfx) password is wrong"
    );
    let identity = Identity::from_pkcs12(&bytes("certificate.pfx"), PASSWORD).unwrap();
    assert_eq!(
        format!("{identity:?}"),
        format!("Identity {{ thumbprint: \"{THUMBPRINT}\", .. }}")
    );
}
