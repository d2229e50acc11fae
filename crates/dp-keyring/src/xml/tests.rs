//! Key and revocation XML: the fixtures of tests/data/xml (see its README), exact writer output,
//! round trips, and "never panics" properties of the reader. Unit tests, because the parsed
//! elements and the descriptor (which holds the master key) are not public API.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_possible_truncation,
    missing_docs,
    reason = "test code: a panic is a test failure, and test items need no docs"
)]

use std::path::PathBuf;

use crate::xml::{
    DATA_PROTECTION_NS, Descriptor, DescriptorForm, Element, KeyElement, Revocation, key_document,
    key_friendly_name, parse_element, revocation_document,
};
use crate::{DescriptorError, KeyringError, MalformedKeyError, Timestamp};
use dp_crypto::{AesKeySize, Algorithm, MasterKey, ValidationAlgorithm};
use dp_format::KeyId;
use proptest::prelude::*;

const AUTHENTICATED: &str = "Microsoft.AspNetCore.DataProtection.AuthenticatedEncryption.ConfigurationModel.AuthenticatedEncryptorDescriptorDeserializer, Microsoft.AspNetCore.DataProtection, Version=8.0.0.0, Culture=neutral, PublicKeyToken=adb9793829ddae60";
const MANAGED: &str = "Microsoft.AspNetCore.DataProtection.AuthenticatedEncryption.ConfigurationModel.ManagedAuthenticatedEncryptorDescriptorDeserializer, Microsoft.AspNetCore.DataProtection, Version=8.0.0.0, Culture=neutral, PublicKeyToken=adb9793829ddae60";
const CNG_CBC: &str = "Microsoft.AspNetCore.DataProtection.AuthenticatedEncryption.ConfigurationModel.CngCbcAuthenticatedEncryptorDescriptorDeserializer, Microsoft.AspNetCore.DataProtection, Version=8.0.0.0, Culture=neutral, PublicKeyToken=adb9793829ddae60";

/// The key .NET writes for its `XmlKeyManager` `CreateNewKey` test vector, with master key
/// `pattern(0, 64)`.
const EXPECTED_KEY_DOCUMENT: &str = "\u{FEFF}<?xml version=\"1.0\" encoding=\"utf-8\"?>
<key id=\"3d6d01fd-c0e7-44ae-82dd-013b996b4093\" version=\"1\">
  <creationDate>2014-01-01T00:00:00Z</creationDate>
  <activationDate>2014-02-01T00:00:00Z</activationDate>
  <expirationDate>2014-03-01T00:00:00Z</expirationDate>
  <descriptor deserializerType=\"Microsoft.AspNetCore.DataProtection.AuthenticatedEncryption.ConfigurationModel.AuthenticatedEncryptorDescriptorDeserializer, Microsoft.AspNetCore.DataProtection, Version=10.0.0.0, Culture=neutral, PublicKeyToken=adb9793829ddae60\">
    <descriptor>
      <encryption algorithm=\"AES_256_CBC\" />
      <validation algorithm=\"HMACSHA256\" />
      <masterKey p4:requiresEncryption=\"true\" xmlns:p4=\"http://schemas.asp.net/2015/03/dataProtection\">
        <!-- Warning: the key below is in an unencrypted form. -->
        <value>AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+Pw==</value>
      </masterKey>
    </descriptor>
  </descriptor>
</key>";

fn data(name: &str) -> String {
    let path: PathBuf = [env!("CARGO_MANIFEST_DIR"), "tests", "data", "xml", name]
        .iter()
        .collect();
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn pattern(start: u8, len: usize) -> Vec<u8> {
    (0..len).map(|i| start.wrapping_add(i as u8)).collect()
}

fn ts(text: &str) -> Timestamp {
    Timestamp::parse_xml(text).unwrap()
}

fn id(text: &str) -> KeyId {
    text.parse().unwrap()
}

fn parse(text: &str) -> Element {
    parse_element(text, "test.xml").unwrap()
}

fn key_of(text: &str) -> KeyElement {
    match parse(text) {
        Element::Key(key) => key,
        other => panic!("expected a key, got {other:?}"),
    }
}

fn descriptor_of(text: &str) -> Descriptor {
    key_of(text).descriptor.unwrap()
}

fn unusable_reason(text: &str) -> String {
    match key_of(text).descriptor {
        Ok(d) => panic!("expected an unusable descriptor, got {d:?}"),
        Err(reason) => reason.to_string(),
    }
}

fn malformed_reason(result: Result<Element, KeyringError>) -> (String, String) {
    match result {
        Err(KeyringError::MalformedElement { source, reason }) => (source, reason),
        other => panic!("expected MalformedElement, got {other:?}"),
    }
}

fn cbc(aes: AesKeySize, mac: ValidationAlgorithm) -> Algorithm {
    Algorithm::CbcHmac { aes, mac }
}

/// A key in the default form around the given inner-descriptor children.
fn key_with(deserializer: &str, inner: &str) -> String {
    format!(
        r#"<key id="3d6d01fd-c0e7-44ae-82dd-013b996b4093" version="1">
  <creationDate>2014-01-01T00:00:00Z</creationDate>
  <activationDate>2014-02-01T00:00:00Z</activationDate>
  <expirationDate>2014-03-01T00:00:00Z</expirationDate>
  <descriptor deserializerType="{deserializer}"><descriptor>{inner}</descriptor></descriptor>
</key>"#
    )
}

const MASTER_KEY_1: &str = "<masterKey><value>AQ==</value></masterKey>";

// ---- fixtures: the four descriptor forms ----

#[test]
fn authenticated_cbc_fixture() {
    let key = key_of(&data("key-authenticated-cbc.xml"));
    assert_eq!(key.id, id("3d6d01fd-c0e7-44ae-82dd-013b996b4093"));
    assert_eq!(key.creation, ts("2014-01-01T00:00:00Z"));
    assert_eq!(key.activation, ts("2014-02-01T00:00:00Z"));
    assert_eq!(key.expiration, ts("2014-03-01T00:00:00Z"));
    let d = key.descriptor.unwrap();
    assert_eq!(d.algorithm, Algorithm::default());
    assert_eq!(d.form, DescriptorForm::AuthenticatedEncryptor);
    assert_eq!(d.master_key.expose_secret(), pattern(0x00, 64));
}

#[test]
fn authenticated_gcm_fixture() {
    let key = key_of(&data("key-authenticated-gcm.xml"));
    assert_eq!(key.creation, ts("2015-03-19T23:32:02.3949887Z"));
    assert_eq!(key.activation, ts("2015-03-19T23:32:02.3839429Z"));
    assert_eq!(key.expiration, ts("2015-06-17T23:32:02.3839429Z"));
    let d = key.descriptor.unwrap();
    assert_eq!(
        d.algorithm,
        Algorithm::Gcm {
            aes: AesKeySize::Aes256
        }
    );
    assert_eq!(d.form, DescriptorForm::AuthenticatedEncryptor);
    assert_eq!(d.master_key.expose_secret(), pattern(0x40, 64));
}

#[test]
fn managed_fixture() {
    let d = descriptor_of(&data("key-managed.xml"));
    assert_eq!(
        d.algorithm,
        cbc(AesKeySize::Aes256, ValidationAlgorithm::HmacSha512)
    );
    assert_eq!(d.form, DescriptorForm::Managed);
    assert_eq!(d.master_key.expose_secret(), pattern(0x80, 64));
}

#[test]
fn cng_cbc_fixture() {
    let d = descriptor_of(&data("key-cng-cbc.xml"));
    assert_eq!(
        d.algorithm,
        cbc(AesKeySize::Aes128, ValidationAlgorithm::HmacSha512)
    );
    assert_eq!(d.form, DescriptorForm::CngCbc);
    assert_eq!(d.master_key.expose_secret(), pattern(0xC0, 64));
}

#[test]
fn cng_gcm_fixture() {
    let d = descriptor_of(&data("key-cng-gcm.xml"));
    assert_eq!(
        d.algorithm,
        Algorithm::Gcm {
            aes: AesKeySize::Aes192
        }
    );
    assert_eq!(d.form, DescriptorForm::CngGcm);
    assert_eq!(d.master_key.expose_secret(), pattern(0x10, 64));
}

#[test]
fn master_key_as_direct_text_fixture() {
    let d = descriptor_of(&data("key-masterkey-text.xml"));
    assert_eq!(
        d.algorithm,
        cbc(AesKeySize::Aes128, ValidationAlgorithm::HmacSha512)
    );
    assert_eq!(d.master_key.expose_secret(), pattern(0x20, 32));
}

// ---- fixtures: encryption at rest ----

#[test]
fn null_encrypted_fixture() {
    let d = descriptor_of(&data("key-null-encrypted.xml"));
    assert_eq!(d.algorithm, Algorithm::default());
    assert_eq!(d.master_key.expose_secret(), pattern(0x30, 64));
}

#[test]
fn dpapi_encrypted_fixture_is_unusable() {
    let key = key_of(&data("key-dpapi-encrypted.xml"));
    assert_eq!(key.id, id("4c5d6e7f-8091-42a3-b4c5-d6e7f8091a2b"));
    let reason = key.descriptor.unwrap_err();
    assert_eq!(
        reason,
        DescriptorError::NoDecryptor(crate::encryption::KeyProtection::Dpapi)
    );
    assert_eq!(
        reason.to_string(),
        "the master key is protected by Windows DPAPI, and nothing to decrypt it is configured"
    );
}

#[test]
fn certificate_encrypted_fixture_is_unusable() {
    let key = key_of(&data("key-certificate-encrypted.xml"));
    let crate::encryption::KeyProtection::Certificate(info) = &key.protection else {
        panic!("{:?}", key.protection)
    };
    assert_eq!(
        key.descriptor.unwrap_err(),
        DescriptorError::NoDecryptor(crate::encryption::KeyProtection::Certificate(info.clone()))
    );
}

#[test]
fn dpapi_ng_is_unusable() {
    let xml = key_with(
        AUTHENTICATED,
        &format!(
            r#"<encryption algorithm="AES_256_GCM" /><encryptedSecret decryptorType="Microsoft.AspNetCore.DataProtection.XmlEncryption.DpapiNGXmlDecryptor, Microsoft.AspNetCore.DataProtection" xmlns="{DATA_PROTECTION_NS}"><encryptedKey xmlns=""><!-- This key is encrypted with Windows DPAPI-NG. --><!-- Rule: SID=S-1-5-21 --><value>AAAA</value></encryptedKey></encryptedSecret>"#
        ),
    );
    assert_eq!(
        unusable_reason(&xml),
        "the master key is protected by Windows DPAPI-NG (SID=S-1-5-21), and nothing to decrypt it is configured"
    );
}

#[test]
fn null_decryptor_works_with_any_prefix() {
    for (open, close) in [
        (
            format!(r#"<encryptedSecret xmlns="{DATA_PROTECTION_NS}""#),
            "</encryptedSecret>",
        ),
        (
            format!(r#"<p4:encryptedSecret xmlns:p4="{DATA_PROTECTION_NS}""#),
            "</p4:encryptedSecret>",
        ),
        (
            format!(r#"<d1p1:encryptedSecret xmlns:d1p1="{DATA_PROTECTION_NS}""#),
            "</d1p1:encryptedSecret>",
        ),
        (
            format!(r#"<enc:encryptedSecret xmlns:enc="{DATA_PROTECTION_NS}""#),
            "</enc:encryptedSecret>",
        ),
    ] {
        let xml = key_with(
            AUTHENTICATED,
            &format!(
                r#"<encryption algorithm="AES_256_GCM" />{open} decryptorType="Microsoft.AspNetCore.DataProtection.XmlEncryption.NullXmlDecryptor, Microsoft.AspNetCore.DataProtection"><unencryptedKey xmlns=""><!-- This key is not encrypted. --><masterKey>AQ==</masterKey></unencryptedKey>{close}"#
            ),
        );
        assert_eq!(
            descriptor_of(&xml).master_key.expose_secret(),
            [1],
            "{open}"
        );
    }
}

#[test]
fn encrypted_secret_is_matched_by_namespace_not_name() {
    // Same local name and prefix, other namespace: not an encrypted secret, so no master key.
    let xml = key_with(
        AUTHENTICATED,
        r#"<encryption algorithm="AES_256_GCM" /><p4:encryptedSecret xmlns:p4="http://example.com/other" decryptorType="Microsoft.AspNetCore.DataProtection.XmlEncryption.NullXmlDecryptor"><unencryptedKey><masterKey>AQ==</masterKey></unencryptedKey></p4:encryptedSecret>"#,
    );
    assert_eq!(
        unusable_reason(&xml),
        "the descriptor has no <masterKey> element"
    );
}

#[test]
fn master_key_in_the_data_protection_namespace_is_not_a_master_key() {
    // What a hand-written NullXmlEncryptor file without `xmlns=""` means; .NET fails the same way.
    let xml = key_with(
        AUTHENTICATED,
        &format!(
            r#"<encryption algorithm="AES_256_GCM" /><encryptedSecret decryptorType="Microsoft.AspNetCore.DataProtection.XmlEncryption.NullXmlDecryptor" xmlns="{DATA_PROTECTION_NS}"><unencryptedKey><masterKey>AQ==</masterKey></unencryptedKey></encryptedSecret>"#
        ),
    );
    assert_eq!(
        unusable_reason(&xml),
        "the descriptor has no <masterKey> element"
    );
}

#[test]
fn malformed_encrypted_secrets_are_unusable() {
    let cases = [
        (
            format!(r#"<encryptedSecret xmlns="{DATA_PROTECTION_NS}"><x/></encryptedSecret>"#),
            "an <encryptedSecret> element has no decryptorType attribute",
        ),
        (
            format!(
                r#"<encryptedSecret decryptorType="Microsoft.AspNetCore.DataProtection.XmlEncryption.NullXmlDecryptor" xmlns="{DATA_PROTECTION_NS}"><a xmlns=""><masterKey>AQ==</masterKey></a><b/></encryptedSecret>"#
            ),
            "an <encryptedSecret> of NullXmlDecryptor must hold one element holding one element",
        ),
        (
            format!(
                r#"<encryptedSecret decryptorType="Microsoft.AspNetCore.DataProtection.XmlEncryption.NullXmlDecryptor" xmlns="{DATA_PROTECTION_NS}"><a xmlns="">AQ==</a></encryptedSecret>"#
            ),
            "an <encryptedSecret> of NullXmlDecryptor must hold one element holding one element",
        ),
    ];
    for (secret, expected) in cases {
        let xml = key_with(
            AUTHENTICATED,
            &format!(r#"<encryption algorithm="AES_256_GCM" />{secret}"#),
        );
        assert_eq!(unusable_reason(&xml), expected, "{secret}");
    }
}

// ---- fixtures: tolerance ----

#[test]
fn bom_crlf_and_comments_fixture() {
    let text = data("key-bom-crlf-comments.xml");
    assert!(text.starts_with('\u{FEFF}') && text.contains("\r\n"));
    let key = key_of(&text);
    assert_eq!(key.id, id("8b7a6958-4736-4251-a0b1-c2d3e4f5a6b7"));
    assert_eq!(key.creation, ts("2016-05-06T05:08:09.1234567Z"));
    assert_eq!(key.creation.to_xml(), "2016-05-06T07:08:09.1234567+02:00");
    assert_eq!(key.expiration, ts("2016-08-04T05:08:09.1234567Z"));
    let d = key.descriptor.unwrap();
    assert_eq!(
        d.algorithm,
        cbc(AesKeySize::Aes192, ValidationAlgorithm::HmacSha512)
    );
    assert_eq!(d.master_key.expose_secret(), pattern(0x50, 64));
}

#[test]
fn legacy_namespace_fixture() {
    let d = descriptor_of(&data("key-legacy-namespace.xml"));
    assert_eq!(d.algorithm, Algorithm::default());
    assert_eq!(d.form, DescriptorForm::AuthenticatedEncryptor);
    assert_eq!(d.master_key.expose_secret(), pattern(0x60, 64));
}

#[test]
fn key_ids_in_every_guid_form() {
    let expected = id("3d6d01fd-c0e7-44ae-82dd-013b996b4093");
    for form in [
        "3D6D01FD-C0E7-44AE-82DD-013B996B4093",
        "3d6d01fdc0e744ae82dd013b996b4093",
        "{3d6d01fd-c0e7-44ae-82dd-013b996b4093}",
        "(3d6d01fd-c0e7-44ae-82dd-013b996b4093)",
        " 3d6d01fd-c0e7-44ae-82dd-013b996b4093 ",
    ] {
        let xml = key_with(AUTHENTICATED, "").replace("3d6d01fd-c0e7-44ae-82dd-013b996b4093", form);
        assert_eq!(key_of(&xml).id, expected, "{form}");
    }
}

#[test]
fn unknown_elements_and_attributes_are_ignored() {
    let xml = key_with(
        AUTHENTICATED,
        r#"<future a="b"/><encryption algorithm="AES_256_CBC" extra="1"><child/></encryption><validation algorithm="HMACSHA256"/><x:masterKey xmlns:x="urn:x">AAAA</x:masterKey><masterKey>AQ==</masterKey>"#,
    )
    .replace("<creationDate>", "<notes>hi</notes><creationDate>");
    let d = descriptor_of(&xml);
    assert_eq!(d.algorithm, Algorithm::default());
    assert_eq!(d.master_key.expose_secret(), [1]);
}

#[test]
fn descriptor_xml_without_declaration_as_stored_by_redis() {
    // Redis and EF Core store `element.ToString(SaveOptions.DisableFormatting)`.
    let xml = EXPECTED_KEY_DOCUMENT
        .trim_start_matches('\u{FEFF}')
        .lines()
        .skip(1)
        .map(str::trim)
        .collect::<String>();
    assert_eq!(
        descriptor_of(&xml).master_key.expose_secret(),
        pattern(0, 64)
    );
}

// ---- descriptor content errors: only that key is unusable ----

#[test]
fn descriptor_errors_name_the_problem() {
    let gcm = r#"<encryption algorithm="AES_256_GCM" />"#;
    let cases: Vec<(String, &str)> = vec![
        (
            key_with("Some.Other.Deserializer, Other", MASTER_KEY_1),
            "unknown descriptor deserializer Some.Other.Deserializer",
        ),
        (
            key_with(AUTHENTICATED, MASTER_KEY_1),
            "the descriptor has no <encryption> element",
        ),
        (
            key_with(AUTHENTICATED, &format!("<encryption />{MASTER_KEY_1}")),
            "the <encryption> element has no algorithm attribute",
        ),
        (
            key_with(
                AUTHENTICATED,
                &format!(r#"<encryption algorithm="aes_256_cbc" />{MASTER_KEY_1}"#),
            ),
            "unknown encryption algorithm `aes_256_cbc`",
        ),
        (
            key_with(
                AUTHENTICATED,
                &format!(r#"<encryption algorithm="AES_256_CBC" />{MASTER_KEY_1}"#),
            ),
            "the descriptor has no <validation> element",
        ),
        (
            // The default form cannot name HMACSHA1 (.NET's enum has only 256 and 512).
            key_with(
                AUTHENTICATED,
                &format!(
                    r#"<encryption algorithm="AES_256_CBC" /><validation algorithm="HMACSHA1" />{MASTER_KEY_1}"#
                ),
            ),
            "unknown validation algorithm `HMACSHA1`",
        ),
        (
            key_with(AUTHENTICATED, gcm),
            "the descriptor has no <masterKey> element",
        ),
        (
            key_with(
                MANAGED,
                &format!(
                    r#"<encryption algorithm="TripleDES" keyLength="192" /><validation algorithm="HMACSHA256" />{MASTER_KEY_1}"#
                ),
            ),
            "unsupported symmetric algorithm `TripleDES` (only AES is supported)",
        ),
        (
            key_with(
                MANAGED,
                &format!(
                    r#"<encryption algorithm="Aes" keyLength="512" /><validation algorithm="HMACSHA256" />{MASTER_KEY_1}"#
                ),
            ),
            "unsupported AES key length `512`",
        ),
        (
            key_with(
                MANAGED,
                &format!(
                    r#"<encryption algorithm="Aes" /><validation algorithm="HMACSHA256" />{MASTER_KEY_1}"#
                ),
            ),
            "the <encryption> element has no keyLength attribute",
        ),
        (
            key_with(
                MANAGED,
                &format!(
                    r#"<encryption algorithm="Aes" keyLength="256" /><validation algorithm="HMACMD5" />{MASTER_KEY_1}"#
                ),
            ),
            "unsupported keyed hash algorithm `HMACMD5`",
        ),
        (
            key_with(
                CNG_CBC,
                &format!(
                    r#"<encryption algorithm="AES" keyLength="256" /><hash algorithm="MD5" />{MASTER_KEY_1}"#
                ),
            ),
            "unsupported CNG hash algorithm `MD5`",
        ),
        (
            key_with(
                CNG_CBC,
                &format!(
                    r#"<encryption algorithm="3DES" keyLength="192" /><hash algorithm="SHA256" />{MASTER_KEY_1}"#
                ),
            ),
            "unsupported CNG encryption algorithm `3DES` (only AES is supported)",
        ),
    ];
    for (xml, expected) in cases {
        assert_eq!(unusable_reason(&xml), expected, "{xml}");
    }
}

#[test]
fn descriptor_structure_errors() {
    let no_descriptor = key_with(AUTHENTICATED, "").replace(
        &format!(r#"<descriptor deserializerType="{AUTHENTICATED}"><descriptor></descriptor></descriptor>"#),
        "",
    );
    assert_eq!(
        unusable_reason(&no_descriptor),
        "the key has no <descriptor> element"
    );
    let no_type =
        key_with(AUTHENTICATED, "").replace(&format!(r#" deserializerType="{AUTHENTICATED}""#), "");
    assert_eq!(
        unusable_reason(&no_type),
        "the <descriptor> element has no deserializerType attribute"
    );
    let two_children = key_with(AUTHENTICATED, "").replace(
        "</descriptor></descriptor>",
        "</descriptor><x/></descriptor>",
    );
    assert_eq!(
        unusable_reason(&two_children),
        "the <descriptor> element must have exactly one child element"
    );
}

#[test]
fn gcm_does_not_read_validation() {
    let xml = key_with(
        AUTHENTICATED,
        &format!(
            r#"<encryption algorithm="AES_128_GCM" /><validation algorithm="nonsense" />{MASTER_KEY_1}"#
        ),
    );
    assert_eq!(
        descriptor_of(&xml).algorithm,
        Algorithm::Gcm {
            aes: AesKeySize::Aes128
        }
    );
}

#[test]
fn managed_accepts_qualified_type_names() {
    let xml = key_with(
        MANAGED,
        &format!(
            r#"<encryption algorithm="System.Security.Cryptography.Aes, System.Security.Cryptography.Algorithms, Version=4.2.1.0, Culture=neutral, PublicKeyToken=b03f5f7f11d50a3a" keyLength="128" /><validation algorithm="System.Security.Cryptography.HMACSHA384, System.Security.Cryptography.Algorithms, Version=4.2.1.0" />{MASTER_KEY_1}"#
        ),
    );
    let d = descriptor_of(&xml);
    assert_eq!(
        d.algorithm,
        cbc(AesKeySize::Aes128, ValidationAlgorithm::HmacSha384)
    );
    assert_eq!(d.form, DescriptorForm::Managed);
}

#[test]
fn cng_cbc_accepts_sha1_and_ignores_the_provider() {
    let xml = key_with(
        CNG_CBC,
        &format!(
            r#"<encryption algorithm="AES" keyLength="192" provider="Some Custom Provider" /><hash algorithm="SHA1" provider="x" />{MASTER_KEY_1}"#
        ),
    );
    assert_eq!(
        descriptor_of(&xml).algorithm,
        cbc(AesKeySize::Aes192, ValidationAlgorithm::HmacSha1)
    );
}

#[test]
fn reasons_never_contain_the_master_key() {
    let secret = "c2VjcmV0IGtleSBtYXRlcmlhbA=="; // base64 of "secret key material"
    let broken = format!("{secret}*");
    for inner in [
        format!(r#"<encryption algorithm="AES_256_GCM" /><masterKey>{broken}</masterKey>"#),
        format!(r#"<encryption algorithm="AES_256_CBC" /><masterKey>{secret}</masterKey>"#),
        format!(
            r#"<encryption algorithm="AES_256_GCM" /><masterKey>{secret}</masterKey><masterKey>{secret}</masterKey>"#
        ),
    ] {
        let reason = unusable_reason(&key_with(AUTHENTICATED, &inner));
        assert!(!reason.contains("c2Vj"), "{reason}");
    }
    let d = descriptor_of(&key_with(
        AUTHENTICATED,
        &format!(r#"<encryption algorithm="AES_256_GCM" /><masterKey>{secret}</masterKey>"#),
    ));
    assert_eq!(d.master_key.expose_secret(), b"secret key material");
    assert!(!format!("{d:?}").contains("secret"));
}

// ---- malformed keys: skipped, ring continues ----

#[test]
fn invalid_expiration_fixture_is_a_malformed_key() {
    match parse(&data("key-invalid-expiration.xml")) {
        Element::MalformedKey { id: key_id, reason } => {
            assert_eq!(key_id, Some(id("d3e4f5a6-b7c8-49da-8beb-fc0d1e2f3a4b")));
            assert_eq!(
                reason,
                MalformedKeyError::InvalidDate {
                    element: "expirationDate",
                    text: "NOT A VALID DATE".to_owned()
                }
            );
            assert_eq!(
                reason.to_string(),
                "<expirationDate>: invalid date `NOT A VALID DATE`"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn key_header_errors_are_malformed_keys() {
    let base = key_with(AUTHENTICATED, "");
    let cases = [
        (
            base.replace(r#"id="3d6d01fd-c0e7-44ae-82dd-013b996b4093" "#, ""),
            None,
            MalformedKeyError::NoId,
            "the key has no id attribute",
        ),
        (
            base.replace("3d6d01fd-c0e7-44ae-82dd-013b996b4093", "{invalid}"),
            None,
            MalformedKeyError::IdNotGuid("{invalid}".to_owned()),
            "the key id `{invalid}` is not a GUID",
        ),
        (
            base.replace("<creationDate>2014-01-01T00:00:00Z</creationDate>", ""),
            Some(id("3d6d01fd-c0e7-44ae-82dd-013b996b4093")),
            MalformedKeyError::MissingDate("creationDate"),
            "no <creationDate> element",
        ),
        (
            base.replace("2014-02-01T00:00:00Z", "2014-02-30T00:00:00Z"),
            Some(id("3d6d01fd-c0e7-44ae-82dd-013b996b4093")),
            MalformedKeyError::InvalidDate {
                element: "activationDate",
                text: "2014-02-30T00:00:00Z".to_owned(),
            },
            "<activationDate>: invalid date `2014-02-30T00:00:00Z`",
        ),
    ];
    for (xml, expected_id, expected_reason, expected_text) in cases {
        match parse(&xml) {
            Element::MalformedKey { id: key_id, reason } => {
                assert_eq!(key_id, expected_id, "{xml}");
                assert_eq!(reason.to_string(), expected_text);
                assert_eq!(reason, expected_reason);
            }
            other => panic!("{other:?}"),
        }
    }
}

// ---- revocations ----

#[test]
fn revocation_key_fixture() {
    let text = data("revocation-key.xml");
    let expected = Revocation::Key {
        id: id("a11f35fc-1fed-4bd4-b727-056a63b70932"),
        date: ts("2014-01-01T00:00:00Z"),
        reason: Some("Here's some reason text.".to_owned()),
    };
    match parse(&text) {
        Element::Revocation(r) => assert_eq!(r, expected),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        expected.friendly_name(),
        "revocation-a11f35fc-1fed-4bd4-b727-056a63b70932"
    );
    assert_eq!(revocation_document(&expected), text);
}

#[test]
fn revocation_all_fixture() {
    let text = data("revocation-all.xml");
    let expected = Revocation::AllCreatedBefore {
        date: ts("2015-03-01T19:13:19.7573854-08:00"),
        reason: Some("Compromised key ring <ticket 42>".to_owned()),
    };
    let Element::Revocation(read) = parse(&text) else {
        panic!("not a revocation");
    };
    assert_eq!(read, expected);
    let Revocation::AllCreatedBefore { date, .. } = &read else {
        panic!("{read:?}");
    };
    assert_eq!(date.to_xml(), "2015-03-01T19:13:19.7573854-08:00");
    assert_eq!(read.friendly_name(), "revocation-20150302T0313197573854Z");
    assert_eq!(revocation_document(&expected), text);
}

#[test]
fn revocation_with_invalid_id_fixture_is_fatal() {
    let (source, reason) = malformed_reason(parse_element(
        &data("revocation-invalid-id.xml"),
        "keys/revocation-x.xml",
    ));
    assert_eq!(source, "keys/revocation-x.xml");
    assert_eq!(
        reason,
        "malformed revocation: the key id `{invalid}` is not a GUID"
    );
}

#[test]
fn revocation_errors_are_fatal() {
    let cases = [
        (
            "<revocation version='1'><key id='*'/></revocation>",
            "malformed revocation: no <revocationDate> element",
        ),
        (
            "<revocation version='1'><revocationDate>yesterday</revocationDate><key id='*'/></revocation>",
            "malformed revocation: <revocationDate>: invalid date `yesterday`",
        ),
        (
            "<revocation version='1'><revocationDate>2015-01-01T00:00:00Z</revocationDate></revocation>",
            "malformed revocation: no <key> element",
        ),
        (
            "<revocation version='1'><revocationDate>2015-01-01T00:00:00Z</revocationDate><key/></revocation>",
            "malformed revocation: the <key> element has no id attribute",
        ),
        (
            "<revocation version='1'><revocationDate>2015-01-01T00:00:00Z</revocationDate><key id=' * '/></revocation>",
            "malformed revocation: the key id ` * ` is not a GUID",
        ),
    ];
    for (xml, expected) in cases {
        assert_eq!(
            malformed_reason(parse_element(xml, "r.xml")).1,
            expected,
            "{xml}"
        );
    }
}

#[test]
fn revocation_reason_is_optional_and_empty_reads_as_none() {
    for reason in [
        "",
        "<reason/>",
        "<reason></reason>",
        "<reason><!-- x --></reason>",
    ] {
        let xml = format!(
            "<revocation version='1'><revocationDate>2015-01-01T00:00:00Z</revocationDate><key id='*'/>{reason}</revocation>"
        );
        assert_eq!(
            parse(&xml).revocation(),
            Revocation::AllCreatedBefore {
                date: ts("2015-01-01T00:00:00Z"),
                reason: None
            },
            "{reason}"
        );
    }
}

trait AsRevocation {
    fn revocation(self) -> Revocation;
}

impl AsRevocation for Element {
    fn revocation(self) -> Revocation {
        match self {
            Element::Revocation(r) => r,
            other => panic!("expected a revocation, got {other:?}"),
        }
    }
}

// ---- other elements and broken files ----

#[test]
fn not_xml_fixture_is_fatal() {
    let (source, reason) = malformed_reason(parse_element(&data("not-xml.xml"), "keys/bad.xml"));
    assert_eq!(source, "keys/bad.xml");
    assert!(reason.starts_with("not well-formed XML: "), "{reason}");
}

#[test]
fn broken_xml_is_fatal() {
    for text in [
        "",
        "\u{FEFF}",
        "<key>",
        "<key></yek>",
        "<?xml version=\"1.0\"?>",
        "<key/><key/>",
        "<p:key/>",
    ] {
        let (_, reason) = malformed_reason(parse_element(text, "x"));
        assert!(
            reason.starts_with("not well-formed XML: "),
            "{text}: {reason}"
        );
    }
    // A DTD is refused by the pre-parse bounds, as a limit of its own.
    assert!(matches!(
        parse_element("<!DOCTYPE key [<!ENTITY a \"b\">]><key>&a;</key>", "x"),
        Err(KeyringError::XmlLimitExceeded {
            limit: crate::xml::XmlLimit::DocumentType,
            ..
        })
    ));
}

#[test]
fn unknown_root_fixture_is_other() {
    match parse(&data("unknown-root.xml")) {
        Element::Other { name } => assert_eq!(name, "repository"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn key_and_revocation_in_a_namespace_are_other_elements() {
    for xml in [
        "<key xmlns='urn:x' id='3d6d01fd-c0e7-44ae-82dd-013b996b4093'/>",
        "<p:revocation xmlns:p='urn:x'/>",
    ] {
        match parse(xml) {
            Element::Other { name } => assert!(name == "key" || name == "revocation"),
            other => panic!("{other:?}"),
        }
    }
}

// ---- writer ----

fn descriptor(algorithm: Algorithm, key: Vec<u8>) -> Descriptor {
    Descriptor {
        algorithm,
        master_key: MasterKey::from_bytes(key),
        form: DescriptorForm::AuthenticatedEncryptor,
    }
}

#[test]
fn key_document_is_exactly_what_dotnet_writes() {
    let text = key_document(
        id("3d6d01fd-c0e7-44ae-82dd-013b996b4093"),
        ts("2014-01-01T00:00:00Z"),
        ts("2014-02-01T00:00:00Z"),
        ts("2014-03-01T00:00:00Z"),
        &descriptor(Algorithm::default(), pattern(0, 64)),
        None,
    )
    .unwrap()
    .to_string();
    assert_eq!(text, EXPECTED_KEY_DOCUMENT);
    assert_eq!(text, data("key-authenticated-cbc.xml"));
    assert_eq!(
        key_friendly_name(id("3d6d01fd-c0e7-44ae-82dd-013b996b4093")),
        "key-3d6d01fd-c0e7-44ae-82dd-013b996b4093"
    );
}

#[test]
fn gcm_key_document() {
    let algorithm = Algorithm::Gcm {
        aes: AesKeySize::Aes256,
    };
    let text = key_document(
        id("1b9ad1a4-6c8a-4a52-9b4f-0e0c3c2d8b11"),
        ts("2015-03-19T23:32:02.3949887Z"),
        ts("2015-03-19T23:32:02.3839429Z"),
        ts("2015-06-17T23:32:02.3839429Z"),
        &descriptor(algorithm, pattern(0x40, 64)),
        None,
    )
    .unwrap()
    .to_string();
    assert_eq!(text, data("key-authenticated-gcm.xml"));
    assert!(!text.contains("<validation"));
    assert_eq!(descriptor_of(&text).algorithm, algorithm);
}

#[test]
fn the_written_form_is_always_the_default_one() {
    let mut d = descriptor(Algorithm::default(), pattern(0x80, 64));
    d.form = DescriptorForm::Managed;
    let text = key_document(
        KeyId::NIL,
        ts("2014-01-01T00:00:00Z"),
        ts("2014-01-01T00:00:00Z"),
        ts("2014-01-01T00:00:00Z"),
        &d,
        None,
    )
    .unwrap()
    .to_string();
    assert!(text.contains("ConfigurationModel.AuthenticatedEncryptorDescriptorDeserializer, "));
    assert_eq!(
        descriptor_of(&text).form,
        DescriptorForm::AuthenticatedEncryptor
    );
}

#[test]
fn key_documents_round_trip_for_every_standard_algorithm() {
    let creation = ts("2024-02-29T12:34:56.789Z");
    let activation = ts("2024-03-01T00:00:00.0000001Z");
    let expiration = ts("2024-05-30T00:00:00+05:30");
    for (i, algorithm) in Algorithm::ALL
        .into_iter()
        .filter(|a| a.is_standard())
        .enumerate()
    {
        let key_id = KeyId::from_uuid(uuid::Uuid::from_u128(
            0x1234_5678_9abc_4def_8123_4567_89ab_cde0 + i as u128,
        ));
        let master = pattern(i as u8, 64);
        let text = key_document(
            key_id,
            creation,
            activation,
            expiration,
            &descriptor(algorithm, master.clone()),
            None,
        )
        .unwrap()
        .to_string();
        assert!(text.starts_with("\u{FEFF}<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<key id=\""));
        assert!(!text.contains('\r') && !text.ends_with('\n'));
        let key = key_of(&text);
        assert_eq!(key.id, key_id);
        assert_eq!(key.creation, creation);
        assert_eq!(key.activation, activation);
        assert_eq!(key.expiration, expiration);
        assert_eq!(key.expiration.to_xml(), "2024-05-30T00:00:00+05:30");
        let d = key.descriptor.unwrap();
        assert_eq!(d.algorithm, algorithm, "{algorithm}");
        assert_eq!(d.form, DescriptorForm::AuthenticatedEncryptor);
        assert_eq!(d.master_key.expose_secret(), master);
    }
}

#[test]
fn non_standard_algorithms_are_written_but_not_readable_in_the_default_form() {
    let algorithm = cbc(AesKeySize::Aes256, ValidationAlgorithm::HmacSha1);
    let text = key_document(
        KeyId::NIL,
        ts("2014-01-01T00:00:00Z"),
        ts("2014-01-01T00:00:00Z"),
        ts("2014-01-01T00:00:00Z"),
        &descriptor(algorithm, pattern(0, 64)),
        None,
    )
    .unwrap()
    .to_string();
    assert!(text.contains("<validation algorithm=\"HMACSHA1\" />"));
    assert_eq!(
        unusable_reason(&text),
        "unknown validation algorithm `HMACSHA1`"
    );
}

#[test]
fn revocation_documents_round_trip() {
    let revocations = [
        Revocation::Key {
            id: id("eb4fc299-8808-409d-8a34-23fc83d026c9"),
            date: ts("2015-03-20T22:45:30.2616742Z"),
            reason: Some("human-readable reason".to_owned()),
        },
        Revocation::Key {
            id: id("eb4fc299-8808-409d-8a34-23fc83d026c9"),
            date: ts("2015-03-20T22:45:30Z"),
            reason: None,
        },
        Revocation::AllCreatedBefore {
            date: ts("2015-03-01T19:13:19.7573854-08:00"),
            reason: Some("multi\nline & <markup> 'quoted' \"too\" \r\n ]]>".to_owned()),
        },
        Revocation::AllCreatedBefore {
            date: ts("2017-01-01T00:00:00Z"),
            reason: None,
        },
    ];
    for revocation in revocations {
        let text = revocation_document(&revocation);
        assert!(text.starts_with(
            "\u{FEFF}<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<revocation version=\"1\">\n"
        ));
        assert!(text.ends_with("\n</revocation>"));
        let read = parse(&text).revocation();
        assert_eq!(read, revocation);
        let (Revocation::Key { date: a, .. } | Revocation::AllCreatedBefore { date: a, .. }) =
            &read;
        let (Revocation::Key { date: b, .. } | Revocation::AllCreatedBefore { date: b, .. }) =
            &revocation;
        assert_eq!(a.to_xml(), b.to_xml(), "offset preserved");
    }
}

#[test]
fn revocation_without_reason_writes_an_empty_element() {
    let text = revocation_document(&Revocation::AllCreatedBefore {
        date: ts("2017-01-01T00:00:00Z"),
        reason: None,
    });
    assert_eq!(
        text,
        "\u{FEFF}<?xml version=\"1.0\" encoding=\"utf-8\"?>
<revocation version=\"1\">
  <revocationDate>2017-01-01T00:00:00Z</revocationDate>
  <!-- All keys created before the revocation date are revoked. -->
  <key id=\"*\" />
  <reason />
</revocation>"
    );
}

// ---- the reader never panics ----

fn valid_documents() -> Vec<String> {
    [
        "key-authenticated-cbc.xml",
        "key-null-encrypted.xml",
        "key-bom-crlf-comments.xml",
        "key-managed.xml",
        "revocation-all.xml",
    ]
    .into_iter()
    .map(data)
    .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn never_panics_on_arbitrary_text(text in any::<String>()) {
        let _ = parse_element(&text, "fuzz");
    }

    #[test]
    fn never_panics_on_xml_like_text(text in r#"(<|>|/|=|"|'|!--|-->|key|descriptor|masterKey|encryptedSecret|xmlns|xmlns:p="http://schemas.asp.net/2015/03/dataProtection"|p:| |id|\{|\}|[a-zA-Z0-9+=]){0,80}"#) {
        let _ = parse_element(&text, "fuzz");
    }

    #[test]
    fn never_panics_on_mutated_documents(
        which in 0usize..5,
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
    ) {
        let documents = valid_documents();
        let mut bytes = documents[which].clone().into_bytes();
        for (index, value) in flips {
            let i = index.index(bytes.len());
            bytes[i] = value;
        }
        // Byte flips that break UTF-8 are repaired: the reader takes `&str`.
        let text = String::from_utf8_lossy(&bytes);
        let _ = parse_element(&text, "fuzz");
    }

    #[test]
    fn never_panics_on_truncated_documents(which in 0usize..5, cut in any::<prop::sample::Index>()) {
        let documents = valid_documents();
        let bytes = documents[which].as_bytes();
        let end = cut.index(bytes.len() + 1);
        let text = String::from_utf8_lossy(&bytes[..end]);
        match parse_element(&text, "fuzz") {
            // A document can only stay well-formed when cut after a closing `>`.
            Ok(_) => prop_assert!(text.trim_end().ends_with('>')),
            Err(KeyringError::MalformedElement { .. }) => {}
            Err(other) => prop_assert!(false, "unexpected error {other:?}"),
        }
    }
}

/// Every element .NET 10 wrote into Redis and into EF Core's tables (form L): parsed and written
/// again by dp, then put in form L, it is the same text — so a key dp writes to a store is in
/// exactly .NET's form (no byte-order mark, no declaration, one line).
#[test]
fn store_elements_round_trip_in_dotnet_single_line_form() {
    let dir: PathBuf = [env!("CARGO_MANIFEST_DIR"), "tests", "data", "stores"]
        .iter()
        .collect();
    let read = |path: &str| -> serde_json::Value {
        let text = std::fs::read_to_string(dir.join(path)).unwrap();
        serde_json::from_str(&text).unwrap()
    };
    let mut elements: Vec<String> = read("redis/redis-list.json")["elements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap().to_owned())
        .collect();
    for rows in ["postgres/pg-rows.json", "mysql/mysql-rows.json"] {
        for row in read(rows)["rows"].as_array().unwrap() {
            elements.push(row["Xml"].as_str().unwrap().to_owned());
        }
    }
    let (mut keys, mut revocations) = (0, 0);
    for text in &elements {
        assert!(
            !text.starts_with('\u{FEFF}') && !text.contains('\n'),
            "{text}"
        );
        let written = match parse(text) {
            Element::Key(key) => {
                keys += 1;
                key_document(
                    key.id,
                    key.creation,
                    key.activation,
                    key.expiration,
                    &key.descriptor.unwrap(),
                    None,
                )
                .unwrap()
                .to_string()
            }
            Element::Revocation(revocation) => {
                revocations += 1;
                revocation_document(&revocation)
            }
            other => panic!("unexpected element {other:?}"),
        };
        assert_eq!(*crate::xml::single_line(&written), **text);
    }
    assert_eq!((keys, revocations), (9, 3));
}
