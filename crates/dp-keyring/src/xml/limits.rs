//! Bounds on the work one repository element may cost, checked before it is parsed.
//!
//! The XML parser is quadratic or worse on some shapes: thousands of nested namespace
//! declarations or tens of thousands of attributes on one element took seconds to minutes
//! (roxmltree issue #153), and one such file in a key directory stalls every reader of the ring.
//! A linear scan with quick-xml's tokenizer checks the shape first. The limits are far above
//! anything .NET writes — a key is about 1 KB, six elements deep, with at most three
//! attributes and two namespace declarations per element, and a certificate-encrypted key
//! about 4 KB and ten deep — and each applies to one element of the ring, so a store that keeps
//! the whole ring in one document checks each element on its own.

use core::fmt;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

/// Largest element text accepted, in bytes.
pub const MAX_ELEMENT_BYTES: usize = 1 << 20;
/// Deepest element nesting accepted.
pub const MAX_DEPTH: usize = 32;
/// Most attributes (namespace declarations included) on one element.
pub const MAX_ATTRIBUTES: usize = 32;
/// Most namespace declarations in one element's text, all elements together.
pub const MAX_NAMESPACE_DECLARATIONS: usize = 64;

/// Which bound an element broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum XmlLimit {
    /// More than [`MAX_ELEMENT_BYTES`] bytes.
    Size,
    /// Elements nested deeper than [`MAX_DEPTH`].
    Depth,
    /// An element with more than [`MAX_ATTRIBUTES`] attributes.
    Attributes,
    /// More than [`MAX_NAMESPACE_DECLARATIONS`] namespace declarations.
    NamespaceDeclarations,
    /// A document type declaration: key XML never has one, and DTDs bring entity expansion.
    DocumentType,
}

impl XmlLimit {
    /// The bound, where it is a number.
    pub fn max(self) -> Option<usize> {
        match self {
            Self::Size => Some(MAX_ELEMENT_BYTES),
            Self::Depth => Some(MAX_DEPTH),
            Self::Attributes => Some(MAX_ATTRIBUTES),
            Self::NamespaceDeclarations => Some(MAX_NAMESPACE_DECLARATIONS),
            Self::DocumentType => None,
        }
    }
}

impl fmt::Display for XmlLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Size => write!(f, "larger than {MAX_ELEMENT_BYTES} bytes"),
            Self::Depth => write!(f, "elements nested deeper than {MAX_DEPTH}"),
            Self::Attributes => write!(f, "an element with more than {MAX_ATTRIBUTES} attributes"),
            Self::NamespaceDeclarations => write!(
                f,
                "more than {MAX_NAMESPACE_DECLARATIONS} namespace declarations"
            ),
            Self::DocumentType => f.write_str("a document type declaration (DTD)"),
        }
    }
}

/// What the scan found wrong.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ScanError {
    /// A bound was exceeded.
    Limit(XmlLimit),
    /// The tokenizer found the text not well-formed.
    Syntax(String),
}

/// Checks `text` against every bound, in time linear in its length.
pub(crate) fn check(text: &str) -> Result<(), ScanError> {
    if text.len() > MAX_ELEMENT_BYTES {
        return Err(ScanError::Limit(XmlLimit::Size));
    }
    let mut reader = Reader::from_str(text);
    let mut depth = 0usize;
    let mut declarations = 0usize;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| ScanError::Syntax(e.to_string()))?;
        match event {
            Event::Start(start) => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(ScanError::Limit(XmlLimit::Depth));
                }
                count_attributes(&start, &mut declarations)?;
            }
            Event::Empty(start) => {
                if depth + 1 > MAX_DEPTH {
                    return Err(ScanError::Limit(XmlLimit::Depth));
                }
                count_attributes(&start, &mut declarations)?;
            }
            Event::End(_) => depth = depth.saturating_sub(1),
            Event::DocType(_) => return Err(ScanError::Limit(XmlLimit::DocumentType)),
            Event::Eof => return Ok(()),
            _ => {}
        }
    }
}

fn count_attributes(start: &BytesStart<'_>, declarations: &mut usize) -> Result<(), ScanError> {
    // Without the duplicate check, which is itself quadratic; the parser does it later, on at
    // most MAX_ATTRIBUTES attributes.
    let mut attributes = start.attributes();
    attributes.with_checks(false);
    for (n, attribute) in attributes.enumerate() {
        if n >= MAX_ATTRIBUTES {
            return Err(ScanError::Limit(XmlLimit::Attributes));
        }
        let attribute = attribute.map_err(|e| ScanError::Syntax(e.to_string()))?;
        let key = attribute.key.as_ref();
        if key == "xmlns" || key.starts_with("xmlns:") {
            *declarations += 1;
            if *declarations > MAX_NAMESPACE_DECLARATIONS {
                return Err(ScanError::Limit(XmlLimit::NamespaceDeclarations));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested_declarations(n: usize) -> String {
        let mut s = String::new();
        for i in 0..n {
            s.push_str(&format!("<a xmlns:p{i}=\"urn:{i}\">"));
        }
        for _ in 0..n {
            s.push_str("</a>");
        }
        s
    }

    #[test]
    fn what_dotnet_writes_passes() {
        let key = r#"<?xml version="1.0" encoding="utf-8"?>
<key id="3d6d01fd-c0e7-44ae-82dd-013b996b4093" version="1">
  <creationDate>2026-01-01T00:00:00Z</creationDate>
  <descriptor deserializerType="X">
    <descriptor><encryption algorithm="AES_256_CBC" /><masterKey p4:requiresEncryption="true" xmlns:p4="http://schemas.asp.net/2015/03/dataProtection"><value>AA==</value></masterKey></descriptor>
  </descriptor>
</key>"#;
        assert_eq!(check(key), Ok(()));
    }

    #[test]
    fn each_bound_is_enforced_at_its_edge() {
        let at = |n| nested_declarations(n);
        assert_eq!(check(&at(MAX_DEPTH)), Ok(()));
        assert_eq!(
            check(&at(MAX_DEPTH + 1)),
            Err(ScanError::Limit(XmlLimit::Depth))
        );

        let attrs = |n: usize| {
            let list: String = (0..n).map(|i| format!(" a{i}=\"\"")).collect();
            format!("<a{list}/>")
        };
        assert_eq!(check(&attrs(MAX_ATTRIBUTES)), Ok(()));
        assert_eq!(
            check(&attrs(MAX_ATTRIBUTES + 1)),
            Err(ScanError::Limit(XmlLimit::Attributes))
        );

        // Declarations spread over siblings, each element within the other bounds.
        let siblings: String = (0..=MAX_NAMESPACE_DECLARATIONS)
            .map(|i| format!("<b xmlns:p=\"urn:{i}\"/>"))
            .collect();
        assert_eq!(
            check(&format!("<a>{siblings}</a>")),
            Err(ScanError::Limit(XmlLimit::NamespaceDeclarations))
        );

        let big = format!("<a>{}</a>", "x".repeat(MAX_ELEMENT_BYTES));
        assert_eq!(check(&big), Err(ScanError::Limit(XmlLimit::Size)));

        assert_eq!(
            check("<!DOCTYPE a [<!ENTITY e \"x\">]><a>&e;</a>"),
            Err(ScanError::Limit(XmlLimit::DocumentType))
        );
    }

    #[test]
    fn empty_elements_count_towards_depth() {
        let s = format!(
            "{}<leaf/>{}",
            "<a>".repeat(MAX_DEPTH),
            "</a>".repeat(MAX_DEPTH)
        );
        assert_eq!(check(&s), Err(ScanError::Limit(XmlLimit::Depth)));
    }
}
