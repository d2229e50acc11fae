use crate::KeyringError;
use crate::xml::Element;

/// Parses one repository element (the whole text of a key file).
///
/// `source` names where the text came from (a path), for error messages.
///
/// # Errors
/// [`KeyringError::MalformedElement`] when the text is not well-formed XML or is a malformed
/// revocation: both fail the whole key-ring read, because the element might revoke a key.
pub fn parse_element(text: &str, source: &str) -> Result<Element, KeyringError> {
    let _ = text;
    Err(KeyringError::malformed(source, "not implemented yet"))
}
