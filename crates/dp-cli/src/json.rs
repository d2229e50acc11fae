//! The one shape of every `--json` output: an object whose first field is `"schema": 1`, then
//! the command's fields (snake_case, documented in docs/CLI.md).

use serde_json::{Map, Value};

use crate::error::CliError;

/// The version of the JSON shapes; raised only when a field changes meaning or goes away.
pub(crate) const SCHEMA: u32 = 1;

/// `fields` (an object) behind `"schema": 1`.
pub(crate) fn document(fields: Value) -> Value {
    let mut object = Map::new();
    object.insert("schema".to_owned(), Value::from(SCHEMA));
    if let Value::Object(fields) = fields {
        object.extend(fields);
    }
    Value::Object(object)
}

/// Prints `fields` as a JSON document on stdout, pretty.
///
/// # Errors
/// A runtime error if the value cannot be formatted (it always can).
pub(crate) fn print(fields: Value) -> Result<(), CliError> {
    let text = serde_json::to_string_pretty(&document(fields))
        .map_err(|e| CliError::runtime(format!("cannot format JSON: {e}")))?;
    crate::io::print_text(&format!("{text}\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_comes_first() {
        let doc = document(serde_json::json!({"a": 1, "error": "x"}));
        let text = doc.to_string();
        assert!(text.starts_with(r#"{"schema":1,"a":1"#), "{text}");
    }
}
