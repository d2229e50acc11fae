//! Every .NET name of an algorithm or a descriptor type, and the one place they are mapped.
//!
//! .NET names an authenticated-encryption configuration in several vocabularies, depending on
//! which descriptor type wrote the key:
//!
//! ```text
//! AuthenticatedEncryptorDescriptor         EncryptionAlgorithm / ValidationAlgorithm enum
//!                                          members: AES_256_CBC, HMACSHA256
//! ManagedAuthenticatedEncryptorDescriptor  .NET types, friendly or qualified: Aes, AesManaged,
//!                                          System.Security.Cryptography.HMACSHA256, …
//! CngCbc/CngGcm…EncryptorDescriptor        BCrypt algorithm ids: AES, SHA256 (any ASCII case)
//! every descriptor                         its deserializer's type name; encrypted secrets name
//!                                          their decryptor's type
//! ```
//!
//! Nothing here parses or writes XML: `dp-keyring` reads the attributes and asks this module
//! what they mean, and the text form of [`Algorithm`] (`AES_256_CBC+HMACSHA256`) is built from
//! the same tables.

use core::fmt;
use core::str::FromStr;

use crate::{AesKeySize, Algorithm, CryptoError, EncryptionAlgorithm, ValidationAlgorithm};

const ENCRYPTION_NAMES: [(EncryptionAlgorithm, &str); 6] = [
    (EncryptionAlgorithm::Aes128Cbc, "AES_128_CBC"),
    (EncryptionAlgorithm::Aes192Cbc, "AES_192_CBC"),
    (EncryptionAlgorithm::Aes256Cbc, "AES_256_CBC"),
    (EncryptionAlgorithm::Aes128Gcm, "AES_128_GCM"),
    (EncryptionAlgorithm::Aes192Gcm, "AES_192_GCM"),
    (EncryptionAlgorithm::Aes256Gcm, "AES_256_GCM"),
];

/// `ValidationAlgorithm` members, which are also the friendly names of the managed keyed-hash
/// types (`HMACSHA1` is only the latter).
const VALIDATION_NAMES: [(ValidationAlgorithm, &str); 4] = [
    (ValidationAlgorithm::HmacSha1, "HMACSHA1"),
    (ValidationAlgorithm::HmacSha256, "HMACSHA256"),
    (ValidationAlgorithm::HmacSha384, "HMACSHA384"),
    (ValidationAlgorithm::HmacSha512, "HMACSHA512"),
];

/// The namespace of the managed algorithm types, which a managed descriptor may omit.
const MANAGED_NAMESPACE: &str = "System.Security.Cryptography.";

/// Every .NET type that implements AES produces the same bytes, so the implementation classes a
/// .NET Framework application may have configured are accepted along with the abstract `Aes`.
const MANAGED_AES_TYPES: [&str; 4] = ["Aes", "AesManaged", "AesCryptoServiceProvider", "AesCng"];

/// The BCrypt algorithm id of AES.
const CNG_AES: &str = "AES";

/// .NET's `TypeForwardingActivator` maps type names of the pre-release `Microsoft.AspNet.*`
/// packages to their `Microsoft.AspNetCore.*` successors, so keys written by ASP.NET 5 betas load.
const LEGACY_NAMESPACE: &str = "Microsoft.AspNet.DataProtection.";
const CURRENT_NAMESPACE: &str = "Microsoft.AspNetCore.DataProtection.";

const DESERIALIZERS: [(DescriptorForm, &str); 4] = [
    (
        DescriptorForm::AuthenticatedEncryptor,
        "Microsoft.AspNetCore.DataProtection.AuthenticatedEncryption.ConfigurationModel.AuthenticatedEncryptorDescriptorDeserializer",
    ),
    (
        DescriptorForm::Managed,
        "Microsoft.AspNetCore.DataProtection.AuthenticatedEncryption.ConfigurationModel.ManagedAuthenticatedEncryptorDescriptorDeserializer",
    ),
    (
        DescriptorForm::CngCbc,
        "Microsoft.AspNetCore.DataProtection.AuthenticatedEncryption.ConfigurationModel.CngCbcAuthenticatedEncryptorDescriptorDeserializer",
    ),
    (
        DescriptorForm::CngGcm,
        "Microsoft.AspNetCore.DataProtection.AuthenticatedEncryption.ConfigurationModel.CngGcmAuthenticatedEncryptorDescriptorDeserializer",
    ),
];

/// The assembly-qualified deserializer .NET 10 writes for the default form (the live .NET 10 key
/// files this project is tested against carry it). Readers — ours and every .NET version's —
/// ignore everything after the first comma, so the version ties a key to nothing.
pub const DEFAULT_DESERIALIZER_TYPE: &str = "Microsoft.AspNetCore.DataProtection.AuthenticatedEncryption.ConfigurationModel.AuthenticatedEncryptorDescriptorDeserializer, Microsoft.AspNetCore.DataProtection, Version=10.0.0.0, Culture=neutral, PublicKeyToken=adb9793829ddae60";

/// The decryptor of an `<encryptedSecret>` that is not encrypted at all (the one decryptor
/// available on every platform).
pub const NULL_XML_DECRYPTOR: &str =
    "Microsoft.AspNetCore.DataProtection.XmlEncryption.NullXmlDecryptor";

/// The decryptor of certificate-encrypted secrets (W3C XML Encryption, `ProtectKeysWithCertificate`).
pub const ENCRYPTED_XML_DECRYPTOR: &str =
    "Microsoft.AspNetCore.DataProtection.XmlEncryption.EncryptedXmlDecryptor";

/// [`ENCRYPTED_XML_DECRYPTOR`] as .NET 10 writes it in `decryptorType`.
pub const ENCRYPTED_XML_DECRYPTOR_TYPE: &str = "Microsoft.AspNetCore.DataProtection.XmlEncryption.EncryptedXmlDecryptor, Microsoft.AspNetCore.DataProtection, Version=10.0.0.0, Culture=neutral, PublicKeyToken=adb9793829ddae60";

/// Windows DPAPI (`ProtectKeysWithDpapi`).
pub const DPAPI_XML_DECRYPTOR: &str =
    "Microsoft.AspNetCore.DataProtection.XmlEncryption.DpapiXmlDecryptor";

/// Windows DPAPI-NG (`ProtectKeysWithDpapiNG`).
pub const DPAPI_NG_XML_DECRYPTOR: &str =
    "Microsoft.AspNetCore.DataProtection.XmlEncryption.DpapiNGXmlDecryptor";

/// Azure Key Vault (`ProtectKeysWithAzureKeyVault`), under its current name; the old
/// `Microsoft.AspNetCore.DataProtection.AzureKeyVault.AzureKeyVaultXmlDecryptor` maps to it.
pub const AZURE_KEY_VAULT_XML_DECRYPTOR: &str =
    "Azure.Extensions.AspNetCore.DataProtection.Keys.AzureKeyVaultXmlDecryptor";
const LEGACY_AZURE_KEY_VAULT_XML_DECRYPTOR: &str =
    "Microsoft.AspNetCore.DataProtection.AzureKeyVault.AzureKeyVaultXmlDecryptor";

/// AWS KMS (`Amazon.AspNetCore.DataProtection.SSM`).
pub const AWS_KMS_XML_DECRYPTOR: &str = "Amazon.AspNetCore.DataProtection.SSM.KmsXmlDecryptor";

/// Which of .NET's four descriptor types a key uses. All four produce identical payloads; the
/// form only matters for reading (and for writing keys back unchanged, which we never do).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DescriptorForm {
    /// `AuthenticatedEncryptorDescriptor` (the default, and what we write).
    AuthenticatedEncryptor,
    /// `ManagedAuthenticatedEncryptorDescriptor`.
    Managed,
    /// `CngCbcAuthenticatedEncryptorDescriptor` (Windows).
    CngCbc,
    /// `CngGcmAuthenticatedEncryptorDescriptor` (Windows).
    CngGcm,
}

impl DescriptorForm {
    /// The form whose deserializer an assembly-qualified type name denotes (pre-release
    /// `Microsoft.AspNet.*` names included), or `None`.
    pub fn from_deserializer_type(assembly_qualified: &str) -> Option<Self> {
        let name = type_full_name(assembly_qualified);
        DESERIALIZERS
            .iter()
            .find(|(_, n)| *n == name)
            .map(|(form, _)| *form)
    }

    /// The full name of the form's deserializer type (no assembly).
    pub fn deserializer_type(self) -> &'static str {
        DESERIALIZERS
            .iter()
            .find(|(form, _)| *form == self)
            .map_or("", |(_, name)| name)
    }
}

/// The text before the first comma of an assembly-qualified type name, with the pre-release
/// namespace mapped to the current one: what .NET's `TypeForwardingActivator` compares.
pub fn type_full_name(assembly_qualified: &str) -> String {
    let name = assembly_qualified
        .split(',')
        .next()
        .unwrap_or(assembly_qualified)
        .trim();
    if name == LEGACY_AZURE_KEY_VAULT_XML_DECRYPTOR {
        return AZURE_KEY_VAULT_XML_DECRYPTOR.to_owned();
    }
    match name.strip_prefix(LEGACY_NAMESPACE) {
        Some(rest) => format!("{CURRENT_NAMESPACE}{rest}"),
        None => name.to_owned(),
    }
}

/// Whether an assembly-qualified decryptor type name is `NullXmlDecryptor`.
pub fn is_null_xml_decryptor(assembly_qualified: &str) -> bool {
    type_full_name(assembly_qualified) == NULL_XML_DECRYPTOR
}

/// A managed type name without its assembly and without the `System.Security.Cryptography.`
/// namespace.
fn managed_short_name(name: &str) -> &str {
    let full = name.split(',').next().unwrap_or(name).trim();
    full.strip_prefix(MANAGED_NAMESPACE).unwrap_or(full)
}

/// Whether a managed descriptor's symmetric algorithm (friendly or assembly-qualified type
/// name) is AES.
pub fn is_managed_aes(name: &str) -> bool {
    MANAGED_AES_TYPES.contains(&managed_short_name(name))
}

/// Whether a CNG descriptor's encryption algorithm id is AES (BCrypt compares ids without regard
/// to ASCII case).
pub fn is_cng_aes(id: &str) -> bool {
    id.trim().eq_ignore_ascii_case(CNG_AES)
}

/// The name a table gives `value`. Every table lists every variant (a unit test checks), so
/// the empty name is unreachable.
fn name_of<T: Copy + PartialEq>(table: &[(T, &'static str)], value: T) -> &'static str {
    table
        .iter()
        .find(|(v, _)| *v == value)
        .map_or("", |(_, name)| name)
}

/// The value a table gives `name` (case-sensitive, like .NET's `Enum.Parse`).
fn value_of<T: Copy>(table: &[(T, &'static str)], name: &str) -> Option<T> {
    table.iter().find(|(_, n)| *n == name).map(|(v, _)| *v)
}

impl EncryptionAlgorithm {
    /// The enum member name .NET writes in `<encryption algorithm="…">`.
    pub fn xml_name(self) -> &'static str {
        name_of(&ENCRYPTION_NAMES, self)
    }

    /// Parses the enum member name (case-sensitive, like .NET's `Enum.Parse`).
    ///
    /// # Errors
    /// [`CryptoError::UnknownAlgorithm`] for any other text.
    pub fn from_xml_name(name: &str) -> Result<Self, CryptoError> {
        value_of(&ENCRYPTION_NAMES, name)
            .ok_or_else(|| CryptoError::UnknownAlgorithm(name.to_owned()))
    }
}

impl ValidationAlgorithm {
    /// The name .NET writes in `<validation algorithm="…">`.
    pub fn xml_name(self) -> &'static str {
        name_of(&VALIDATION_NAMES, self)
    }

    /// Parses a `ValidationAlgorithm` enum name: only `HMACSHA256` and `HMACSHA512`, as the
    /// default descriptor form accepts.
    ///
    /// # Errors
    /// [`CryptoError::UnknownAlgorithm`] for any other text.
    pub fn from_xml_name(name: &str) -> Result<Self, CryptoError> {
        match value_of(&VALIDATION_NAMES, name) {
            Some(alg @ (Self::HmacSha256 | Self::HmacSha512)) => Ok(alg),
            _ => Err(CryptoError::UnknownAlgorithm(name.to_owned())),
        }
    }

    /// Parses a managed descriptor's friendly keyed-hash name (`HMACSHA1` … `HMACSHA512`), also
    /// in its `System.Security.Cryptography.` qualified form.
    ///
    /// # Errors
    /// [`CryptoError::UnknownAlgorithm`] for any other type.
    pub fn from_managed_name(name: &str) -> Result<Self, CryptoError> {
        value_of(&VALIDATION_NAMES, managed_short_name(name))
            .ok_or_else(|| CryptoError::UnknownAlgorithm(name.to_owned()))
    }

    /// Parses a CNG CBC descriptor's BCrypt hash algorithm id (`SHA1` … `SHA512`, any ASCII
    /// case).
    ///
    /// # Errors
    /// [`CryptoError::UnknownAlgorithm`] for any other id.
    pub fn from_cng_hash_id(id: &str) -> Result<Self, CryptoError> {
        // BCrypt's hash ids are the keyed-hash names without `HMAC`: `SHA256` for `HMACSHA256`.
        VALIDATION_NAMES
            .iter()
            .find(|(_, n)| {
                n.strip_prefix("HMAC")
                    .is_some_and(|hash| hash.eq_ignore_ascii_case(id.trim()))
            })
            .map(|(alg, _)| *alg)
            .ok_or_else(|| CryptoError::UnknownAlgorithm(id.to_owned()))
    }
}

impl AesKeySize {
    /// Parses the `keyLength` attribute of managed and CNG descriptors (bits, in decimal,
    /// surrounding whitespace allowed).
    ///
    /// # Errors
    /// [`CryptoError::UnknownAlgorithm`] for anything but 128, 192 or 256.
    pub fn from_key_length(text: &str) -> Result<Self, CryptoError> {
        text.trim()
            .parse::<u32>()
            .map_err(|_| CryptoError::UnknownAlgorithm(format!("AES-{}", text.trim())))
            .and_then(Self::from_bits)
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.encryption().xml_name())?;
        if let Some(mac) = self.validation() {
            write!(f, "+{}", mac.xml_name())?;
        }
        Ok(())
    }
}

impl FromStr for Algorithm {
    type Err = CryptoError;

    /// Parses `AES_256_CBC+HMACSHA256`, `AES_256_CBC` (HMACSHA256 implied, the .NET default),
    /// or `AES_256_GCM`. Only the configurations .NET's default descriptor can express are
    /// accepted, so every key we create loads in .NET.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let unknown = || CryptoError::UnknownAlgorithm(s.to_owned());
        let (enc, mac) = match s.split_once('+') {
            Some((enc, mac)) => (enc, Some(mac)),
            None => (s, None),
        };
        let encryption = EncryptionAlgorithm::from_xml_name(enc.trim()).map_err(|_| unknown())?;
        let validation = match mac {
            Some(mac) => {
                Some(ValidationAlgorithm::from_xml_name(mac.trim()).map_err(|_| unknown())?)
            }
            None => Some(ValidationAlgorithm::HmacSha256),
        };
        if encryption.parts().1 && mac.is_some() {
            return Err(unknown());
        }
        Self::from_parts(encryption, validation)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_forms_round_trip() -> Result<(), CryptoError> {
        for alg in Algorithm::ALL.into_iter().filter(|a| a.is_standard()) {
            assert_eq!(alg.to_string().parse::<Algorithm>()?, alg);
        }
        assert_eq!("AES_256_CBC".parse::<Algorithm>()?, Algorithm::default());
        assert_eq!(Algorithm::default().to_string(), "AES_256_CBC+HMACSHA256");
        for bad in [
            "",
            "aes_256_cbc",
            "AES_256_GCM+HMACSHA256",
            "AES_256_CBC+HMACSHA1",
            "3DES",
        ] {
            assert_eq!(
                bad.parse::<Algorithm>(),
                Err(CryptoError::UnknownAlgorithm(bad.to_owned())),
                "{bad}"
            );
        }
        Ok(())
    }

    #[test]
    fn managed_and_cng_names() {
        for name in [
            "Aes",
            "AesCng",
            " System.Security.Cryptography.AesManaged , System.Core",
            "System.Security.Cryptography.AesCryptoServiceProvider",
        ] {
            assert!(is_managed_aes(name), "{name}");
        }
        for name in [
            "aes",
            "Rijndael",
            "System.Security.Cryptography.TripleDES",
            "",
        ] {
            assert!(!is_managed_aes(name), "{name}");
        }
        assert_eq!(
            ValidationAlgorithm::from_managed_name("System.Security.Cryptography.HMACSHA384"),
            Ok(ValidationAlgorithm::HmacSha384)
        );
        assert!(is_cng_aes(" aes "));
        assert!(!is_cng_aes("3DES"));
        assert_eq!(
            ValidationAlgorithm::from_cng_hash_id("sha512"),
            Ok(ValidationAlgorithm::HmacSha512)
        );
        assert_eq!(
            ValidationAlgorithm::from_cng_hash_id("MD5"),
            Err(CryptoError::UnknownAlgorithm("MD5".to_owned()))
        );
        assert_eq!(AesKeySize::from_key_length(" 192 "), Ok(AesKeySize::Aes192));
        assert_eq!(
            AesKeySize::from_key_length("64"),
            Err(CryptoError::UnknownAlgorithm("AES-64".to_owned()))
        );
    }

    #[test]
    fn deserializer_names() {
        for (form, name) in DESERIALIZERS {
            assert_eq!(form.deserializer_type(), name);
            assert_eq!(
                DescriptorForm::from_deserializer_type(&format!("{name}, Some.Assembly")),
                Some(form)
            );
        }
        assert_eq!(
            DescriptorForm::from_deserializer_type(DEFAULT_DESERIALIZER_TYPE),
            Some(DescriptorForm::AuthenticatedEncryptor)
        );
        assert_eq!(
            DescriptorForm::from_deserializer_type(
                "Microsoft.AspNet.DataProtection.AuthenticatedEncryption.ConfigurationModel.ManagedAuthenticatedEncryptorDescriptorDeserializer, Microsoft.AspNet.DataProtection"
            ),
            Some(DescriptorForm::Managed)
        );
        assert_eq!(DescriptorForm::from_deserializer_type("x"), None);
        assert!(is_null_xml_decryptor(
            " Microsoft.AspNet.DataProtection.XmlEncryption.NullXmlDecryptor , Microsoft.AspNet.DataProtection, Version=1.0.0.0"
        ));
        assert_eq!(type_full_name("Foo"), "Foo");
        assert_eq!(type_full_name(""), "");
    }
}
