//! Reading key, revocation and other repository elements.
//!
//! The rules follow what .NET's `XmlKeyManager` does with each element, including which failures
//! are fatal (unreadable XML, malformed revocations), which skip one key (its id or dates), and
//! which only make one key unusable (its descriptor).

use core::str::FromStr;

use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use dp_crypto::names::{self, DescriptorForm};
use dp_crypto::{AesKeySize, Algorithm, EncryptionAlgorithm, MasterKey, ValidationAlgorithm};
use dp_format::KeyId;
use roxmltree::{Document, Node, NodeId};
use zeroize::Zeroizing;

use crate::encryption::{KeyEncryption, KeyProtection, protection};
use crate::xml::limits::{self, ScanError};
use crate::xml::{DATA_PROTECTION_NS, Descriptor, Element, KeyElement, Revocation};
use crate::{DescriptorError, KeyringError, MalformedKeyError, Timestamp};

/// Untrusted text echoed into a reason is cut to this many characters, so a hostile file cannot
/// make error messages arbitrarily long.
const ECHO_LIMIT: usize = 100;

/// `Convert.FromBase64String`: the standard alphabet with padding, but — unlike a strict decoder —
/// it does not insist that the unused low bits of the last character are zero.
const DOTNET_BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireCanonical),
);

/// Parses one repository element (the whole text of a key file).
///
/// `source` names where the text came from (a path), for error messages.
///
/// A leading UTF-8 BOM is skipped. Before parsing, the text is checked against the bounds of
/// [`crate::xml::XmlLimit`] (size, depth, attributes, namespace declarations, no DTD), in time
/// linear in its length: the parser is quadratic on some hostile shapes.
///
/// A `<key>` whose id or dates do not parse becomes [`Element::MalformedKey`] and a key whose
/// descriptor cannot be used keeps the reason in [`KeyElement::descriptor`]: .NET skips the
/// former and fails only on use of the latter, and both leave the rest of the ring readable.
/// An empty or missing `<reason>` of a revocation reads as `None`, since that is how .NET writes
/// a null reason.
///
/// # Errors
/// [`KeyringError::XmlLimitExceeded`] when a bound is exceeded;
/// [`KeyringError::MalformedElement`] when the text is not well-formed XML or is a malformed
/// revocation: both fail the whole key-ring read, because the element might revoke a key.
#[cfg(test)]
pub(crate) fn parse_element(text: &str, source: &str) -> Result<Element, KeyringError> {
    parse_element_with(text, source, &KeyEncryption::new())
}

/// [`parse_element`] with the decryptors of keys encrypted at rest.
///
/// Secrets of `NullXmlDecryptor` are read in place. Every other outermost `<encryptedSecret>`
/// of a key is handed to the decryptor registered for its type and replaced — as text, by the
/// element that comes back — before the descriptor is read; the result is bounded and parsed
/// like any element. A secret that cannot be decrypted makes that key unusable, with a reason
/// naming what it needs ([`KeyProtection`]).
pub(crate) fn parse_element_with(
    text: &str,
    source: &str,
    encryption: &KeyEncryption,
) -> Result<Element, KeyringError> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let document = parse_bounded(text, source)?;
    let root = document.root_element();
    if is_named(root, "key") {
        let secrets = outermost_secrets(root);
        let protection = secrets.first().map_or(KeyProtection::Clear, |s| {
            protection::of_encrypted_secret(*s)
        });
        let mut decrypted: Vec<(core::ops::Range<usize>, Zeroizing<String>)> = Vec::new();
        for secret in &secrets {
            let decryptor = names::type_full_name(secret.attribute("decryptorType").unwrap_or(""));
            if secret.attribute("decryptorType").is_none() || decryptor == names::NULL_XML_DECRYPTOR
            {
                continue; // read in place by `View`
            }
            match decrypt_secret(*secret, text, &decryptor, encryption) {
                Ok(plain) => decrypted.push((secret.range(), plain)),
                Err(e) => return Ok(read_key(root, protection, Some(e))),
            }
        }
        if decrypted.is_empty() {
            return Ok(read_key(root, protection, None));
        }
        let mut replaced = Zeroizing::new(String::with_capacity(text.len()));
        let mut at = 0;
        for (range, plain) in &decrypted {
            replaced.push_str(text.get(at..range.start).unwrap_or_default());
            replaced.push_str(plain);
            at = range.end;
        }
        replaced.push_str(text.get(at..).unwrap_or_default());
        return Ok(match parse_bounded(&replaced, source) {
            Ok(document) => read_key(document.root_element(), protection, None),
            // The decryptor returned something that is not one well-formed element.
            Err(_) => read_key(
                root,
                protection,
                Some(DescriptorError::SecretDecryptionFailed),
            ),
        });
    }
    if is_named(root, "revocation") {
        return read_revocation(root)
            .map(Element::Revocation)
            .map_err(|reason| {
                KeyringError::malformed(source, format!("malformed revocation: {reason}"))
            });
    }
    Ok(Element::Other {
        name: root.tag_name().name().to_owned(),
    })
}

/// Checks the bounds of [`limits`], then parses.
fn parse_bounded<'input>(
    text: &'input str,
    source: &str,
) -> Result<Document<'input>, KeyringError> {
    limits::check(text).map_err(|e| match e {
        ScanError::Limit(limit) => KeyringError::XmlLimitExceeded {
            source: source.to_owned(),
            limit,
        },
        ScanError::Syntax(why) => {
            KeyringError::malformed(source, format!("not well-formed XML: {why}"))
        }
    })?;
    Document::parse(text)
        .map_err(|e| KeyringError::malformed(source, format!("not well-formed XML: {e}")))
}

/// The `{ns}encryptedSecret` elements under `root` that are not inside another one, in
/// document order.
fn outermost_secrets<'a, 'input>(root: Node<'a, 'input>) -> Vec<Node<'a, 'input>> {
    let mut found = Vec::new();
    let mut pending = vec![root];
    while let Some(node) = pending.pop() {
        if node.tag_name().namespace() == Some(DATA_PROTECTION_NS)
            && node.tag_name().name() == "encryptedSecret"
        {
            found.push(node);
        } else {
            pending.extend(node.children().rev().filter(Node::is_element));
        }
    }
    found
}

/// Hands the one element inside `secret` to the decryptors registered for its type.
fn decrypt_secret(
    secret: Node<'_, '_>,
    text: &str,
    decryptor: &str,
    encryption: &KeyEncryption,
) -> Result<Zeroizing<String>, DescriptorError> {
    let child = single_child_element(secret).ok_or(DescriptorError::NotOneEncryptedElement)?;
    let encrypted = text
        .get(child.range())
        .ok_or(DescriptorError::NotOneEncryptedElement)?;
    let mut outcome = None;
    for candidate in encryption.decryptors_for(decryptor) {
        match candidate.decrypt(encrypted) {
            Ok(plain) => return Ok(plain),
            Err(e) => outcome = Some(e),
        }
    }
    Err(outcome
        .unwrap_or_else(|| DescriptorError::NoDecryptor(protection::of_encrypted_secret(secret))))
}

/// ```text
/// <key id="{guid}" version="1">
///   <creationDate>…</creationDate>
///   <activationDate>…</activationDate>
///   <expirationDate>…</expirationDate>
///   <descriptor deserializerType="…">…</descriptor>
/// </key>
/// ```
/// `version` is never checked, as in .NET. The descriptor is read eagerly here but its failure is
/// kept per key, which is what .NET's lazy deserialization amounts to.
fn read_key(
    key: Node<'_, '_>,
    protection: KeyProtection,
    secret_error: Option<DescriptorError>,
) -> Element {
    let id = match key.attribute("id") {
        None => {
            return Element::MalformedKey {
                id: None,
                reason: MalformedKeyError::NoId,
            };
        }
        Some(text) => match KeyId::from_str(text.trim()) {
            Ok(id) => id,
            Err(_) => {
                return Element::MalformedKey {
                    id: None,
                    reason: MalformedKeyError::IdNotGuid(echo(text)),
                };
            }
        },
    };
    let dates = read_date(key, "creationDate").and_then(|creation| {
        let activation = read_date(key, "activationDate")?;
        let expiration = read_date(key, "expirationDate")?;
        Ok((creation, activation, expiration))
    });
    match dates {
        Ok((creation, activation, expiration)) => Element::Key(KeyElement {
            id,
            creation,
            activation,
            expiration,
            descriptor: match secret_error {
                Some(e) => Err(e),
                None => read_descriptor(key),
            },
            protection,
        }),
        Err(reason) => Element::MalformedKey {
            id: Some(id),
            reason,
        },
    }
}

fn read_date(parent: Node<'_, '_>, name: &'static str) -> Result<Timestamp, MalformedKeyError> {
    let element = first_child(parent, name).ok_or(MalformedKeyError::MissingDate(name))?;
    let text = View::plain().string_value(element);
    Timestamp::parse_xml(&text).map_err(|e| MalformedKeyError::InvalidDate {
        element: name,
        text: match e {
            KeyringError::InvalidDate(text) => text,
            other => other.to_string(),
        },
    })
}

/// ```text
/// <descriptor deserializerType="{type}, {assembly}, Version=…">
///   <descriptor> … </descriptor>      exactly one child element; its name is not checked
/// </descriptor>
/// ```
/// The order of checks is .NET's: one child, then the encrypted secrets, then the deserializer.
fn read_descriptor(key: Node<'_, '_>) -> Result<Descriptor, DescriptorError> {
    let outer = first_child(key, "descriptor").ok_or(DescriptorError::NoDescriptor)?;
    let deserializer =
        outer
            .attribute("deserializerType")
            .ok_or(DescriptorError::MissingAttribute {
                element: "descriptor",
                attribute: "deserializerType",
            })?;
    let inner = single_child_element(outer).ok_or(DescriptorError::NotOneChildElement)?;
    let view = View::decrypting(inner)?;
    let inner = view.map(inner);
    let form = DescriptorForm::from_deserializer_type(deserializer).ok_or_else(|| {
        DescriptorError::UnknownDeserializer(echo(&names::type_full_name(deserializer)))
    })?;
    let algorithm = match form {
        DescriptorForm::AuthenticatedEncryptor => authenticated_algorithm(&view, inner)?,
        DescriptorForm::Managed => managed_algorithm(&view, inner)?,
        DescriptorForm::CngCbc => cng_cbc_algorithm(&view, inner)?,
        DescriptorForm::CngGcm => cng_gcm_algorithm(&view, inner)?,
    };
    let master_key = read_master_key(&view, inner)?;
    Ok(Descriptor {
        algorithm,
        master_key,
        form,
    })
}

/// ```text
/// <encryption algorithm="AES_256_CBC" />     EncryptionAlgorithm enum name
/// <validation algorithm="HMACSHA256" />      ValidationAlgorithm enum name; not read for GCM
/// ```
fn authenticated_algorithm(
    view: &View<'_, '_>,
    inner: Node<'_, '_>,
) -> Result<Algorithm, DescriptorError> {
    let name = required_attribute(view, inner, "encryption", "algorithm")?;
    let encryption = EncryptionAlgorithm::from_xml_name(name.trim())
        .map_err(|_| DescriptorError::UnknownEncryptionAlgorithm(echo(name)))?;
    let (aes, gcm) = encryption.parts();
    if gcm {
        return Ok(Algorithm::Gcm { aes });
    }
    let name = required_attribute(view, inner, "validation", "algorithm")?;
    let mac = ValidationAlgorithm::from_xml_name(name.trim())
        .map_err(|_| DescriptorError::UnknownValidationAlgorithm(echo(name)))?;
    Ok(Algorithm::CbcHmac { aes, mac })
}

/// ```text
/// <!-- Algorithms provided by specified SymmetricAlgorithm and KeyedHashAlgorithm -->
/// <encryption algorithm="Aes" keyLength="256" />    friendly name or assembly-qualified type; bits
/// <validation algorithm="HMACSHA256" />             HMACSHA1 … HMACSHA512, or a qualified type
/// ```
fn managed_algorithm(
    view: &View<'_, '_>,
    inner: Node<'_, '_>,
) -> Result<Algorithm, DescriptorError> {
    let name = required_attribute(view, inner, "encryption", "algorithm")?;
    if !names::is_managed_aes(name) {
        return Err(DescriptorError::UnsupportedSymmetricAlgorithm(echo(name)));
    }
    let aes = key_length(view, inner)?;
    let name = required_attribute(view, inner, "validation", "algorithm")?;
    let mac = ValidationAlgorithm::from_managed_name(name)
        .map_err(|_| DescriptorError::UnsupportedKeyedHashAlgorithm(echo(name)))?;
    Ok(Algorithm::CbcHmac { aes, mac })
}

/// ```text
/// <!-- Algorithms provided by Windows CNG, using CBC-mode encryption with HMAC validation -->
/// <encryption algorithm="AES" keyLength="256" [provider="…"] />
/// <hash algorithm="SHA256" [provider="…"] />
/// ```
/// BCrypt algorithm ids are compared without regard to ASCII case, as BCrypt does. The provider
/// is ignored: every provider of AES and SHA-2 computes the same function.
fn cng_cbc_algorithm(
    view: &View<'_, '_>,
    inner: Node<'_, '_>,
) -> Result<Algorithm, DescriptorError> {
    let aes = cng_aes(view, inner)?;
    let name = required_attribute(view, inner, "hash", "algorithm")?;
    let mac = ValidationAlgorithm::from_cng_hash_id(name)
        .map_err(|_| DescriptorError::UnsupportedCngHashAlgorithm(echo(name)))?;
    Ok(Algorithm::CbcHmac { aes, mac })
}

/// ```text
/// <!-- Algorithms provided by Windows CNG, using Galois/Counter Mode encryption and validation -->
/// <encryption algorithm="AES" keyLength="256" [provider="…"] />
/// ```
fn cng_gcm_algorithm(
    view: &View<'_, '_>,
    inner: Node<'_, '_>,
) -> Result<Algorithm, DescriptorError> {
    Ok(Algorithm::Gcm {
        aes: cng_aes(view, inner)?,
    })
}

fn cng_aes(view: &View<'_, '_>, inner: Node<'_, '_>) -> Result<AesKeySize, DescriptorError> {
    let name = required_attribute(view, inner, "encryption", "algorithm")?;
    if !names::is_cng_aes(name) {
        return Err(DescriptorError::UnsupportedCngEncryptionAlgorithm(echo(
            name,
        )));
    }
    key_length(view, inner)
}

fn key_length(view: &View<'_, '_>, inner: Node<'_, '_>) -> Result<AesKeySize, DescriptorError> {
    let text = required_attribute(view, inner, "encryption", "keyLength")?;
    AesKeySize::from_key_length(text).map_err(|_| DescriptorError::UnsupportedKeyLength(echo(text)))
}

/// ```text
/// <masterKey p4:requiresEncryption="true" xmlns:p4="http://schemas.asp.net/2015/03/dataProtection">
///   <!-- Warning: the key below is in an unencrypted form. -->
///   <value>BASE64</value>                    or the base64 directly as the element's text
/// </masterKey>
/// ```
/// The key is the element's string value (all descendant text, comments excluded), decoded as
/// `Convert.FromBase64String` does: whitespace anywhere is ignored.
fn read_master_key(view: &View<'_, '_>, inner: Node<'_, '_>) -> Result<MasterKey, DescriptorError> {
    let mut keys = view
        .child_elements(inner)
        .filter(|n| is_named(*n, "masterKey"));
    let element = match (keys.next(), keys.next()) {
        (Some(element), None) => element,
        (None, _) => return Err(DescriptorError::MissingElement("masterKey")),
        (Some(_), Some(_)) => return Err(DescriptorError::DuplicateMasterKey),
    };
    let mut capacity = 0usize;
    view.for_each_text(element, |text| {
        capacity = capacity.saturating_add(text.len());
    });
    // Reserved up front so the secret is never left behind in a buffer freed by a reallocation.
    let mut base64 = Zeroizing::new(String::with_capacity(capacity));
    view.for_each_text(element, |text| {
        base64.extend(
            text.chars()
                .filter(|c| !matches!(c, ' ' | '\t' | '\r' | '\n')),
        );
    });
    let mut bytes = Zeroizing::new(vec![0u8; base64::decoded_len_estimate(base64.len())]);
    // The decoder's error names the offending byte, which is part of the secret: say nothing more.
    let len = DOTNET_BASE64
        .decode_slice(base64.as_bytes(), bytes.as_mut_slice())
        .map_err(|_| DescriptorError::MasterKeyNotBase64)?;
    bytes.truncate(len);
    Ok(MasterKey::from_bytes(core::mem::take(&mut *bytes)))
}

/// ```text
/// <revocation version="1">
///   <revocationDate>2015-03-01T19:13:19.7573854-08:00</revocationDate>
///   <key id="{guid}" />                  or id="*": every key created before the date
///   <reason>…</reason>                   optional; never used for decisions
/// </revocation>
/// ```
fn read_revocation(revocation: Node<'_, '_>) -> Result<Revocation, String> {
    let date = read_date(revocation, "revocationDate").map_err(|e| e.to_string())?;
    let id = first_child(revocation, "key")
        .ok_or("no <key> element")?
        .attribute("id")
        .ok_or("the <key> element has no id attribute")?;
    let reason = first_child(revocation, "reason")
        .map(|r| View::plain().string_value(r))
        .filter(|r| !r.is_empty());
    if id == "*" {
        return Ok(Revocation::AllCreatedBefore { date, reason });
    }
    let id = KeyId::from_str(id.trim())
        .map_err(|_| format!("the key id `{}` is not a GUID", echo(id)))?;
    Ok(Revocation::Key { id, date, reason })
}

/// The document as .NET's deserializers see it after `XmlEncryptionExtensions.DecryptElement`:
/// each outermost `{ns}encryptedSecret` replaced by its decrypted element. roxmltree trees are
/// immutable, so the replacement is a lookup applied wherever children are visited.
struct View<'a, 'input> {
    replacements: Vec<(NodeId, Node<'a, 'input>)>,
}

impl<'a, 'input> View<'a, 'input> {
    /// No replacements: for elements that cannot hold secrets (dates, revocations).
    fn plain() -> Self {
        Self {
            replacements: Vec::new(),
        }
    }

    /// ```text
    /// <encryptedSecret decryptorType="{type}, {assembly}…" xmlns="http://schemas.asp.net/2015/03/dataProtection">
    ///   <unencryptedKey>                     NullXmlDecryptor: the one child element…
    ///     <!-- This key is not encrypted. -->
    ///     <masterKey …>…</masterKey>         …whose one child element is the secret
    ///   </unencryptedKey>
    /// </encryptedSecret>
    /// ```
    /// Like .NET, every outermost encrypted secret under (and including) `root` is decrypted,
    /// even one in an element no deserializer reads, and secrets nested in a decrypted element
    /// are left alone.
    fn decrypting(root: Node<'a, 'input>) -> Result<Self, DescriptorError> {
        let mut replacements = Vec::new();
        let mut pending = vec![root];
        while let Some(node) = pending.pop() {
            if node.tag_name().namespace() == Some(DATA_PROTECTION_NS)
                && node.tag_name().name() == "encryptedSecret"
            {
                replacements.push((node.id(), decrypt(node)?));
            } else {
                // Reversed so that secrets are visited, and errors reported, in document order.
                pending.extend(node.children().rev().filter(Node::is_element));
            }
        }
        Ok(Self { replacements })
    }

    fn map(&self, node: Node<'a, 'input>) -> Node<'a, 'input> {
        self.replacements
            .iter()
            .find(|(id, _)| *id == node.id())
            .map_or(node, |(_, replacement)| *replacement)
    }

    fn child_elements(&self, node: Node<'a, 'input>) -> impl Iterator<Item = Node<'a, 'input>> {
        node.children()
            .filter(Node::is_element)
            .map(|child| self.map(child))
    }

    /// Calls `f` with each descendant text node, in document order: `XElement.Value`. Iterative,
    /// so that a deeply nested hostile document cannot overflow the stack.
    fn for_each_text(&self, node: Node<'a, 'input>, mut f: impl FnMut(&str)) {
        let mut pending = vec![node];
        while let Some(node) = pending.pop() {
            if let Some(text) = node.is_text().then(|| node.text()).flatten() {
                f(text);
            } else if node.is_element() {
                pending.extend(node.children().rev().map(|child| self.map(child)));
            }
        }
    }

    fn string_value(&self, node: Node<'a, 'input>) -> String {
        let mut value = String::new();
        self.for_each_text(node, |text| value.push_str(text));
        value
    }
}

fn decrypt<'a, 'input>(secret: Node<'a, 'input>) -> Result<Node<'a, 'input>, DescriptorError> {
    let decryptor = secret
        .attribute("decryptorType")
        .ok_or(DescriptorError::NoDecryptorType)?;
    if !names::is_null_xml_decryptor(decryptor) {
        return Err(DescriptorError::UnsupportedDecryptor(echo(
            &names::type_full_name(decryptor),
        )));
    }
    single_child_element(secret)
        .and_then(single_child_element)
        .ok_or(DescriptorError::MalformedNullSecret)
}

/// Key and descriptor elements are written without a namespace, and .NET looks them up that way.
/// roxmltree reports an element under `xmlns=""` (as in DPAPI's `<encryptedKey xmlns="">`) as
/// having the empty namespace, which XML Namespaces defines as no namespace.
fn is_named(node: Node<'_, '_>, local_name: &str) -> bool {
    node.is_element()
        && matches!(node.tag_name().namespace(), None | Some(""))
        && node.tag_name().name() == local_name
}

fn first_child<'a, 'input>(parent: Node<'a, 'input>, name: &str) -> Option<Node<'a, 'input>> {
    parent.children().find(|child| is_named(*child, name))
}

fn single_child_element<'a, 'input>(parent: Node<'a, 'input>) -> Option<Node<'a, 'input>> {
    let mut elements = parent.children().filter(Node::is_element);
    match (elements.next(), elements.next()) {
        (Some(only), None) => Some(only),
        _ => None,
    }
}

/// The attribute of the first child element of that name, after decryption.
fn required_attribute<'a>(
    view: &View<'a, '_>,
    parent: Node<'a, '_>,
    element: &'static str,
    attribute: &'static str,
) -> Result<&'a str, DescriptorError> {
    view.child_elements(parent)
        .find(|child| is_named(*child, element))
        .ok_or(DescriptorError::MissingElement(element))?
        .attribute(attribute)
        .ok_or(DescriptorError::MissingAttribute { element, attribute })
}

fn echo(text: &str) -> String {
    let mut chars = text.chars();
    let mut shown: String = chars.by_ref().take(ECHO_LIMIT).collect();
    if chars.next().is_some() {
        shown.push('…');
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key_with_inner(deserializer: &str, inner: &str) -> String {
        format!(
            r#"<key id="3d6d01fd-c0e7-44ae-82dd-013b996b4093" version="1">
  <creationDate>2014-01-01T00:00:00Z</creationDate>
  <activationDate>2014-02-01T00:00:00Z</activationDate>
  <expirationDate>2014-03-01T00:00:00Z</expirationDate>
  <descriptor deserializerType="{deserializer}, Microsoft.AspNetCore.DataProtection">{inner}</descriptor>
</key>"#
        )
    }

    fn descriptor_of(text: &str) -> Result<Descriptor, DescriptorError> {
        match parse_element(text, "test") {
            Ok(Element::Key(key)) => key.descriptor,
            other => panic!("not a key: {other:?}"),
        }
    }

    const AUTHENTICATED_DESERIALIZER: &str = "Microsoft.AspNetCore.DataProtection.AuthenticatedEncryption.ConfigurationModel.AuthenticatedEncryptorDescriptorDeserializer";

    #[test]
    fn master_key_base64_ignores_whitespace_and_trailing_bits() -> Result<(), DescriptorError> {
        // "AQ==" and "AR==" both decode to [1] in .NET (the low bits of `R` are ignored).
        for text in [
            "AQ==",
            " A Q\r\n= =\t",
            "AR==",
            "<value>A</value>Q<!-- c -->==",
        ] {
            let xml = key_with_inner(
                AUTHENTICATED_DESERIALIZER,
                &format!(
                    r#"<d><encryption algorithm="AES_128_GCM"/><masterKey>{text}</masterKey></d>"#
                ),
            );
            assert_eq!(
                descriptor_of(&xml)?.master_key.expose_secret(),
                [1],
                "{text}"
            );
        }
        Ok(())
    }

    #[test]
    fn bad_base64_is_reported_without_echoing_it() {
        for text in ["AQ=", "AQ", "A*==", "AQ==AQ=="] {
            let xml = key_with_inner(
                AUTHENTICATED_DESERIALIZER,
                &format!(
                    r#"<d><encryption algorithm="AES_128_GCM"/><masterKey>{text}</masterKey></d>"#
                ),
            );
            assert_eq!(
                descriptor_of(&xml).err(),
                Some(DescriptorError::MasterKeyNotBase64),
                "{text}"
            );
        }
    }

    #[test]
    fn master_key_must_be_unique() {
        let xml = key_with_inner(
            AUTHENTICATED_DESERIALIZER,
            r#"<d><encryption algorithm="AES_128_GCM"/><masterKey>AQ==</masterKey><masterKey>AQ==</masterKey></d>"#,
        );
        assert_eq!(
            descriptor_of(&xml).err(),
            Some(DescriptorError::DuplicateMasterKey)
        );
    }

    #[test]
    fn inner_descriptor_may_itself_be_an_encrypted_secret() -> Result<(), DescriptorError> {
        let xml = key_with_inner(
            AUTHENTICATED_DESERIALIZER,
            &format!(
                r#"<encryptedSecret xmlns="{DATA_PROTECTION_NS}" decryptorType="{}"><unencryptedKey><d xmlns=""><encryption algorithm="AES_256_GCM"/><masterKey>AQ==</masterKey></d></unencryptedKey></encryptedSecret>"#,
                names::NULL_XML_DECRYPTOR
            ),
        );
        let descriptor = descriptor_of(&xml)?;
        assert_eq!(
            descriptor.algorithm,
            Algorithm::Gcm {
                aes: AesKeySize::Aes256
            }
        );
        Ok(())
    }

    #[test]
    fn an_unreadable_secret_anywhere_makes_the_key_unusable() {
        // .NET decrypts every encrypted secret before deserializing, even in ignored elements.
        let xml = key_with_inner(
            AUTHENTICATED_DESERIALIZER,
            &format!(
                r#"<d><encryption algorithm="AES_256_GCM"/><extra><s:encryptedSecret xmlns:s="{DATA_PROTECTION_NS}" decryptorType="Other.Decryptor, Other"><x/></s:encryptedSecret></extra><masterKey>AQ==</masterKey></d>"#
            ),
        );
        assert_eq!(
            descriptor_of(&xml).err(),
            Some(DescriptorError::NoDecryptor(KeyProtection::Other {
                decryptor: "Other.Decryptor".to_owned()
            }))
        );
    }

    #[test]
    fn long_untrusted_text_is_cut_in_reasons() {
        let long = "x".repeat(1000);
        let xml = key_with_inner(&long, "<d/>");
        let reason = descriptor_of(&xml)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(reason.chars().count() < 200, "{reason}");
        assert!(reason.ends_with('…'), "{reason}");
    }

    #[test]
    fn deep_nesting_is_refused_before_parsing() {
        // Once parsed fine (roxmltree does not recurse), but such shapes cost the parser
        // quadratic time; the depth bound refuses them first.
        let depth = 100_000;
        let inner = format!(
            r#"<d><encryption algorithm="AES_128_GCM"/><masterKey>{}AQ=={}</masterKey></d>"#,
            "<v>".repeat(depth),
            "</v>".repeat(depth)
        );
        let xml = key_with_inner(AUTHENTICATED_DESERIALIZER, &inner);
        assert!(matches!(
            parse_element(&xml, "k.xml"),
            Err(KeyringError::XmlLimitExceeded {
                limit: crate::xml::XmlLimit::Depth,
                ..
            })
        ));
    }
}
