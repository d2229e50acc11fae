//! Writing key and revocation documents byte for byte as .NET on Linux does.
//!
//! .NET's `FileSystemXmlRepository` saves with `XElement.Save(Stream)`: UTF-8 with a BOM, the XML
//! declaration, two-space indentation, double-quoted attributes, `<empty />` with a space, and
//! `Environment.NewLine` between lines — `\n` on Linux and macOS, which is what we write on every
//! platform so that files do not depend on where they were made. No newline follows the root's
//! end tag.

use core::fmt::Write as _;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use dp_crypto::names::DEFAULT_DESERIALIZER_TYPE;
use dp_format::KeyId;
use quick_xml::escape::partial_escape;
use zeroize::Zeroizing;

use crate::encryption::XmlEncryptor;
use crate::xml::{DATA_PROTECTION_NS, Descriptor, Revocation};
use crate::{KeyringError, Timestamp};

const PROLOG: &str = "\u{FEFF}<?xml version=\"1.0\" encoding=\"utf-8\"?>\n";

/// Everything but the base64 of the master key, with room to spare, so the output buffer is
/// allocated once and no copy of the secret is left in a buffer freed by a reallocation.
const KEY_DOCUMENT_OVERHEAD: usize = 1536;

/// The file content .NET on Linux writes for a new key (`XmlKeyManager` + `FileSystemXmlRepository`): UTF-8 BOM, XML declaration,
/// two-space indentation, `AuthenticatedEncryptorDescriptor` form, unencrypted master key with
/// the warning comment.
///
/// The descriptor is always written in the default (`AuthenticatedEncryptor`) form, whatever
/// form it was read from. That form can only name [standard](dp_crypto::Algorithm::is_standard)
/// algorithms; any other (CBC with HMACSHA1 or HMACSHA384) is still written with its names, but
/// neither .NET nor [`parse_element`](crate::xml::parse_element) can use such a key, so callers
/// creating keys must only pass standard algorithms.
///
/// ```text
/// \u{FEFF}<?xml version="1.0" encoding="utf-8"?>
/// <key id="3d6d01fd-c0e7-44ae-82dd-013b996b4093" version="1">
///   <creationDate>2014-01-01T00:00:00Z</creationDate>
///   <activationDate>2014-02-01T00:00:00Z</activationDate>
///   <expirationDate>2014-03-01T00:00:00Z</expirationDate>
///   <descriptor deserializerType="…AuthenticatedEncryptorDescriptorDeserializer, …">
///     <descriptor>
///       <encryption algorithm="AES_256_CBC" />
///       <validation algorithm="HMACSHA256" />        GCM: the comment below instead
///       <masterKey p4:requiresEncryption="true" xmlns:p4="http://schemas.asp.net/2015/03/dataProtection">
///         <!-- Warning: the key below is in an unencrypted form. -->
///         <value>BASE64</value>
///       </masterKey>
///     </descriptor>
///   </descriptor>
/// </key>
/// ```
///
/// # Security
/// The returned text contains the master key in clear: store it only where the key ring is kept,
/// never log it, and wipe it when done if the platform allows (for example by wrapping it in
/// [`zeroize::Zeroizing`]).
pub(crate) fn key_document(
    id: KeyId,
    creation: Timestamp,
    activation: Timestamp,
    expiration: Timestamp,
    descriptor: &Descriptor,
    encryptor: Option<&dyn XmlEncryptor>,
) -> Result<Zeroizing<String>, KeyringError> {
    let key = descriptor.master_key.expose_secret();
    let base64_len = base64::encoded_len(key.len(), true).unwrap_or(0);
    let mut base64 = Zeroizing::new(String::with_capacity(base64_len));
    STANDARD.encode_string(key, &mut base64);

    let algorithm = descriptor.algorithm;
    let validation = match algorithm.validation() {
        Some(mac) => format!("<validation algorithm=\"{}\" />", mac.xml_name()),
        None => "<!-- AES-GCM includes a 128-bit authentication tag, no extra validation algorithm required. -->".to_owned(),
    };
    let mut out = Zeroizing::new(String::with_capacity(
        KEY_DOCUMENT_OVERHEAD.saturating_add(base64.len()),
    ));
    out.push_str(PROLOG);
    // Writing to a String cannot fail.
    let _ = write!(
        out,
        "<key id=\"{id}\" version=\"1\">\n  \
         <creationDate>{creation}</creationDate>\n  \
         <activationDate>{activation}</activationDate>\n  \
         <expirationDate>{expiration}</expirationDate>\n  \
         <descriptor deserializerType=\"{DEFAULT_DESERIALIZER_TYPE}\">\n    \
         <descriptor>\n      \
         <encryption algorithm=\"{encryption}\" />\n      \
         {validation}\n      ",
        creation = creation.to_xml(),
        activation = activation.to_xml(),
        expiration = expiration.to_xml(),
        encryption = algorithm.encryption().xml_name(),
    );
    match encryptor {
        None => {
            let _ = write!(
                out,
                "<masterKey p4:requiresEncryption=\"true\" xmlns:p4=\"{DATA_PROTECTION_NS}\">\n        \
                 <!-- Warning: the key below is in an unencrypted form. -->\n        \
                 <value>"
            );
            out.push_str(&base64);
            out.push_str("</value>\n      </masterKey>\n");
        }
        Some(encryptor) => {
            // The element .NET hands its encryptor: `XElement.ToString(SaveOptions.DisableFormatting)`
            // of the marked element, after the round trip through `XmlDocument` that names the
            // prefix `d1p1`.
            let mut secret = Zeroizing::new(String::with_capacity(256 + base64.len()));
            let _ = write!(
                secret,
                "<masterKey d1p1:requiresEncryption=\"true\" xmlns:d1p1=\"{DATA_PROTECTION_NS}\">\
                 <!-- Warning: the key below is in an unencrypted form. --><value>"
            );
            secret.push_str(&base64);
            secret.push_str("</value></masterKey>");
            let encrypted = encryptor.encrypt(&secret)?;
            let _ = writeln!(
                out,
                "<encryptedSecret decryptorType=\"{}\" xmlns=\"{DATA_PROTECTION_NS}\">",
                partial_escape(encryptor.decryptor_type_name())
            );
            for line in encrypted.lines() {
                out.push_str("        ");
                out.push_str(line);
                out.push('\n');
            }
            out.push_str("      </encryptedSecret>\n");
        }
    }
    out.push_str(
        "    </descriptor>\n  \
         </descriptor>\n\
         </key>",
    );
    Ok(out)
}

/// The file content .NET writes for a revocation (`XmlKeyManager.RevokeSingleKey`), as .NET's
/// `FileSystemXmlRepository` saves it: UTF-8 with a BOM, the XML declaration, two-space
/// indentation, `\n` line ends, no newline after the root's end tag.
///
/// ```text
/// \u{FEFF}<?xml version="1.0" encoding="utf-8"?>
/// <revocation version="1">
///   <revocationDate>2015-03-01T19:13:19.7573854-08:00</revocationDate>
///   <!-- All keys created before the revocation date are revoked. -->     only for id="*"
///   <key id="*" />                                                         or id="{guid}"
///   <reason>…</reason>                                                     `<reason />` when none
/// </revocation>
/// ```
///
/// The reason is escaped as .NET's `XmlWriter` escapes text (`<`, `>`, `&`; quotes stay as
/// they are), and characters XML 1.0 cannot carry at all — which make .NET throw — are replaced
/// by U+FFFD so that the document stays well-formed. An empty reason is written like a missing
/// one, so it reads back as `None`.
pub fn revocation_document(revocation: &Revocation) -> String {
    let (date, key, reason) = match revocation {
        Revocation::Key { id, date, reason } => (date, format!("<key id=\"{id}\" />"), reason),
        Revocation::AllCreatedBefore { date, reason } => (
            date,
            "<!-- All keys created before the revocation date are revoked. -->\n  <key id=\"*\" />"
                .to_owned(),
            reason,
        ),
    };
    let reason = match reason.as_deref().filter(|r| !r.is_empty()) {
        None => "<reason />".to_owned(),
        Some(text) => {
            let representable: String = text
                .chars()
                .map(|c| if is_xml_char(c) { c } else { '\u{FFFD}' })
                .collect();
            format!(
                "<reason>{}</reason>",
                partial_escape(representable.as_str())
            )
        }
    };
    format!(
        "{PROLOG}<revocation version=\"1\">\n  \
         <revocationDate>{date}</revocationDate>\n  \
         {key}\n  \
         {reason}\n\
         </revocation>",
        date = date.to_xml(),
    )
}

/// XML 1.0 `Char`: `#x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]`
/// (a `char` is never a surrogate).
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | ' '..='\u{FFFD}' | '\u{10000}'..)
}

/// An element as Redis, EF Core and the Azure Blob document store it (.NET's
/// `XElement.ToString(SaveOptions.DisableFormatting)`): no byte-order mark, no declaration, no
/// indentation — one line. `document` is what the key writer or [`revocation_document`] made
/// (or any element text); whitespace between tags that holds a line break is dropped, which
/// removes exactly the indentation those writers add (no value they write starts or ends with a
/// line break).
///
/// The file form must never reach such a store: .NET fails the whole ring on an element with a
/// byte-order mark.
pub fn single_line(document: &str) -> Zeroizing<String> {
    let text = document.strip_prefix('\u{FEFF}').unwrap_or(document);
    let text = match text.trim_start().strip_prefix("<?xml") {
        Some(rest) => rest.split_once("?>").map_or(rest, |(_, after)| after),
        None => text,
    };
    let text = text.trim();
    let mut out = Zeroizing::new(String::with_capacity(text.len()));
    let mut rest = text;
    while let Some(close) = rest.find('>') {
        let (head, tail) = rest.split_at(close + 1);
        out.push_str(head);
        let gap = tail.find('<').unwrap_or(tail.len());
        let (between, next) = tail.split_at(gap);
        let is_indentation = between.contains('\n') && between.trim().is_empty();
        if !is_indentation {
            out.push_str(between);
        }
        rest = next;
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use dp_crypto::{AesKeySize, Algorithm, MasterKey};

    use super::*;
    use crate::KeyringError;
    use crate::xml::{DescriptorForm, Element, parse_element};

    #[test]
    fn xml_chars() {
        for c in [
            '\t',
            '\n',
            '\r',
            ' ',
            'é',
            '\u{D7FF}',
            '\u{E000}',
            '\u{FFFD}',
            '\u{10FFFF}',
        ] {
            assert!(is_xml_char(c), "{c:?}");
        }
        for c in ['\0', '\u{1}', '\u{B}', '\u{1F}', '\u{FFFE}', '\u{FFFF}'] {
            assert!(!is_xml_char(c), "{c:?}");
        }
    }

    #[test]
    fn reason_escaping_keeps_quotes_and_replaces_unrepresentable_chars() -> Result<(), KeyringError>
    {
        let date = Timestamp::parse_xml("2014-01-01T00:00:00Z")?;
        let revocation = Revocation::AllCreatedBefore {
            date,
            reason: Some("Here's <a> & \"b\"\0".to_owned()),
        };
        let text = revocation_document(&revocation);
        assert!(
            text.contains("<reason>Here's &lt;a&gt; &amp; \"b\"\u{FFFD}</reason>"),
            "{text}"
        );
        match parse_element(&text, "test")? {
            Element::Revocation(Revocation::AllCreatedBefore { reason, .. }) => {
                assert_eq!(reason.as_deref(), Some("Here's <a> & \"b\"\u{FFFD}"));
            }
            other => panic!("{other:?}"),
        }
        Ok(())
    }

    #[test]
    fn empty_reason_is_written_as_an_empty_element() -> Result<(), KeyringError> {
        let date = Timestamp::parse_xml("2014-01-01T00:00:00Z")?;
        let revocation = Revocation::Key {
            id: KeyId::NIL,
            date,
            reason: Some(String::new()),
        };
        assert!(revocation_document(&revocation).contains("\n  <reason />\n"));
        Ok(())
    }

    #[test]
    fn empty_master_key_round_trips() -> Result<(), KeyringError> {
        let date = Timestamp::parse_xml("2014-01-01T00:00:00Z")?;
        let descriptor = Descriptor {
            algorithm: Algorithm::Gcm {
                aes: AesKeySize::Aes128,
            },
            master_key: MasterKey::from_bytes(Vec::new()),
            form: DescriptorForm::CngGcm,
        };
        let text =
            key_document(KeyId::NIL, date, date, date, &descriptor, None).unwrap_or_default();
        assert!(text.contains("<value></value>"));
        match parse_element(&text, "test")? {
            Element::Key(key) => {
                let read = key
                    .descriptor
                    .map_err(|e| KeyringError::InvalidArgument(e.to_string()))?;
                assert!(read.master_key.is_empty());
                assert_eq!(read.form, DescriptorForm::AuthenticatedEncryptor);
            }
            other => panic!("{other:?}"),
        }
        Ok(())
    }
}
