//! Running `dp` as a user would, shared by the CLI tests.
#![allow(
    dead_code,
    unreachable_pub,
    missing_docs,
    clippy::unwrap_used,
    reason = "test helpers: not every test file uses every helper, and a panic is a test failure"
)]

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// Runs `dp` with a private HOME and none of the environment variables that choose a key ring
/// or its identities, so nothing touches the real default key directory. The child may exit
/// before reading all of `stdin`: a broken pipe is its business.
pub fn dp(home: &Path, args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dp"))
        .args(args)
        .env("HOME", home)
        .env_remove("DP_KEY_DIR")
        .env_remove("LOCALAPPDATA")
        .env_remove("DP_UNPROTECT_KEYS_WITH")
        .env_remove("DP_PROTECT_KEYS_WITH")
        .env_remove("DP_PFX_PASSWORD")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let _ = child.stdin.take().unwrap().write_all(stdin);
    child.wait_with_output().unwrap()
}

/// The exit code, -1 for a death by signal.
pub fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Parses a JSON document and checks the one rule: an object whose first field is
/// `"schema": 1`, every name snake_case.
pub fn schema_document(text: &str) -> serde_json::Value {
    schema_document_except(text, &[])
}

/// As [`schema_document`], leaving the contents of the fields named in `data` unchecked (they
/// hold data, such as a ticket's properties keyed by .NET's names).
pub fn schema_document_except(text: &str, data: &[&str]) -> serde_json::Value {
    let value: serde_json::Value =
        serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"));
    let object = value
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {text}"));
    assert_eq!(
        object.keys().next().map(String::as_str),
        Some("schema"),
        "{text}"
    );
    assert_eq!(value["schema"], 1, "{text}");
    fn names_are_snake_case(v: &serde_json::Value, data: &[&str]) {
        match v {
            serde_json::Value::Object(map) => {
                for (name, inner) in map {
                    assert!(
                        name.chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                        "{name}"
                    );
                    if !data.contains(&name.as_str()) {
                        names_are_snake_case(inner, data);
                    }
                }
            }
            serde_json::Value::Array(items) => {
                items.iter().for_each(|i| names_are_snake_case(i, data));
            }
            _ => {}
        }
    }
    names_are_snake_case(&value, data);
    value
}

/// Checks that every field name in `value` is documented in docs/CLI.md (as `` `name` ``).
pub fn documented(value: &serde_json::Value) {
    documented_except(value, &[]);
}

/// As [`documented`], but the contents of the fields named in `data` are data (a ticket's
/// properties, whose keys are .NET's), not field names.
pub fn documented_except(value: &serde_json::Value, data: &[&str]) {
    let docs =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/CLI.md"))
            .unwrap();
    match value {
        serde_json::Value::Object(map) => {
            for (name, inner) in map {
                assert!(
                    docs.contains(&format!("`{name}`")),
                    "docs/CLI.md does not document `{name}`"
                );
                if !data.contains(&name.as_str()) {
                    documented_except(inner, data);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|i| documented_except(i, data)),
        _ => {}
    }
}
