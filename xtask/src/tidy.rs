//! Tidy checks over the workspace's source, run as ordinary tests (`cargo test -p xtask`).
//!
//! Secret types — anything holding key material — must not derive `Clone`, `Copy`, `PartialEq`
//! or `Debug`, must not have a `pub` field, and a hand-written `Debug` must print only the type
//! name. A derived `Clone` copies secrets silently, a derived `PartialEq` compares them in
//! variable time, a derived `Debug` prints them, and a public field lets anyone do all three.

use std::fs;
use std::path::{Path, PathBuf};

/// Every type that holds key material, by name. A name that no longer matches a definition fails
/// the check, so the list cannot silently go stale.
const SECRET_TYPES: &[&str] = &[
    // dp-crypto
    "MasterKey",
    "AesKey",
    "HmacKey",
    "CbcSubkeys",
    "Sp800108Kdf",
    "AuthenticatedEncryptor",
    // dp-format: CryptoAPI BLOBs holding private numbers or a session key in clear
    "RsaPrivateBlob",
    "PlaintextKeyBlob",
    // dp-envelope
    "PrivateKey",
    "SessionKey",
    "HeaderKey",
    "ContentKey",
    "MemorySink",
    "Plaintext",
    // dp-keyring
    "Descriptor",
    "Identity",
    "RsaKey",
    "Pkcs12Contents",
    "PemBlock",
];

/// Hand-written `Debug` impls allowed to print more than the type name, and why.
const DEBUG_EXCEPTIONS: &[(&str, &str)] = &[
    (
        "PrivateKey",
        "prints its public half only, whose fingerprint says which key it is",
    ),
    (
        "Identity",
        "prints its certificate's thumbprint only, public, which says which identity it is",
    ),
];

/// One violation: file, 1-based line, what is wrong.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Finding {
    pub(crate) line: usize,
    pub(crate) message: String,
}

/// Checks one file's text; returns the findings and the secret types it defines.
pub(crate) fn check_source(text: &str, secret_types: &[&str]) -> (Vec<Finding>, Vec<String>) {
    let lines: Vec<&str> = text.lines().collect();
    let mut findings = Vec::new();
    let mut defined = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if let Some(name) = defined_type(line).filter(|n| secret_types.contains(n)) {
            defined.push(name.to_owned());
            for derive in ["Clone", "Copy", "PartialEq", "Debug"] {
                if derives(&attributes_before(&lines, i), derive) {
                    findings.push(Finding {
                        line: i + 1,
                        message: format!("secret type `{name}` derives `{derive}`"),
                    });
                }
            }
            for (offset, field) in public_fields(&lines[i..]) {
                findings.push(Finding {
                    line: i + offset + 1,
                    message: format!("secret type `{name}` has a public field: `{field}`"),
                });
            }
        }
        if let Some(name) = impl_target(line, "Debug").filter(|n| secret_types.contains(n))
            && !DEBUG_EXCEPTIONS.iter().any(|(n, _)| *n == name)
        {
            let body = block(&lines[i..]).join("\n");
            if body.contains(".field(") || body.contains("write!") || body.contains("debug_tuple") {
                findings.push(Finding {
                    line: i + 1,
                    message: format!("`Debug` of secret type `{name}` prints more than its name"),
                });
            }
        }
        for manual in ["Clone", "PartialEq"] {
            if let Some(name) = impl_target(line, manual).filter(|n| secret_types.contains(n)) {
                findings.push(Finding {
                    line: i + 1,
                    message: format!(
                        "secret type `{name}` implements `{manual}`; if it must, compare in \
                         constant time and add it to the tidy exceptions with a reason"
                    ),
                });
            }
        }
    }
    (findings, defined)
}

/// `Name` when the line defines `struct Name` or `enum Name` (any visibility).
fn defined_type(line: &str) -> Option<&str> {
    let mut rest = line.trim_start();
    if let Some(after) = rest.strip_prefix("pub") {
        rest = after.trim_start();
        if rest.starts_with('(') {
            rest = rest.split_once(')')?.1.trim_start();
        }
    }
    let rest = rest
        .strip_prefix("struct ")
        .or_else(|| rest.strip_prefix("enum "))?;
    let end = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    Some(&rest[..end]).filter(|n| !n.is_empty())
}

/// `Name` when the line starts `impl … Trait for Name` (`Trait` possibly path-qualified).
fn impl_target<'a>(line: &'a str, trait_name: &str) -> Option<&'a str> {
    let rest = line.trim_start().strip_prefix("impl")?;
    let (head, target) = rest.split_once(" for ")?;
    let head = head.trim_end();
    if !(head.ends_with(&format!("::{trait_name}")) || head.ends_with(&format!(" {trait_name}"))) {
        return None;
    }
    let target = target.trim_start();
    let end = target
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(target.len());
    Some(&target[..end])
}

/// The attribute and doc lines directly above line `i`, joined.
fn attributes_before(lines: &[&str], i: usize) -> String {
    let mut out = Vec::new();
    for line in lines[..i].iter().rev() {
        let t = line.trim();
        // Attribute lines, doc comments, and the inside of a multi-line attribute.
        if t.is_empty() || t.ends_with('}') && !t.starts_with('#') || t.ends_with(';') {
            break;
        }
        out.push(t);
    }
    out.reverse();
    out.join(" ")
}

/// Whether `derive(…)` attributes in `attributes` name `trait_name` (bare or path-qualified).
fn derives(attributes: &str, trait_name: &str) -> bool {
    let mut rest = attributes;
    while let Some(start) = rest.find("derive(") {
        let after = &rest[start + "derive(".len()..];
        let end = after.find(')').unwrap_or(after.len());
        if after[..end]
            .split(',')
            .map(|t| t.trim().rsplit("::").next().unwrap_or(""))
            .any(|t| t == trait_name)
        {
            return true;
        }
        rest = &after[end..];
    }
    false
}

/// The lines of the item starting at `lines[0]`, up to its closing brace (or `;` for a tuple or
/// unit struct).
fn block<'a>(lines: &[&'a str]) -> Vec<&'a str> {
    let mut depth = 0i32;
    let mut out = Vec::new();
    for line in lines {
        out.push(*line);
        for c in line.chars() {
            match c {
                '{' | '(' => depth += 1,
                '}' | ')' => depth -= 1,
                _ => {}
            }
        }
        let t = line.trim_end();
        if depth <= 0 && (t.ends_with('}') || t.ends_with(';')) {
            break;
        }
    }
    out
}

/// `(line offset, field)` of each `pub` field (not `pub(crate)` or narrower) of the struct
/// defined at `lines[0]`.
fn public_fields(lines: &[&str]) -> Vec<(usize, String)> {
    let text = block(lines).join("\n");
    // The body opens at the first `{` or `(` outside the generics.
    let mut angle = 0i32;
    let mut open = None;
    for (at, c) in text.char_indices() {
        match c {
            '<' => angle += 1,
            '>' => angle -= 1,
            '{' | '(' if angle == 0 => {
                open = Some(at);
                break;
            }
            ';' if angle == 0 => break,
            _ => {}
        }
    }
    let Some(open) = open else {
        return Vec::new();
    };
    // Split the body into top-level fields.
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start = open + 1;
    for (at, c) in text[open..].char_indices().map(|(k, c)| (k + open, c)) {
        match c {
            '{' | '(' | '<' | '[' => depth += 1,
            '}' | ')' | '>' | ']' => depth -= 1,
            _ => {}
        }
        let end_of_field = (depth == 1 && c == ',') || depth == 0;
        if end_of_field && at > open {
            let field = &text[start..at];
            // Drop doc comments and attributes above the field.
            let code: Vec<&str> = field
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with("//") && !l.starts_with("#["))
                .collect();
            let code = code.join(" ");
            if code
                .strip_prefix("pub")
                .is_some_and(|rest| rest.starts_with(char::is_whitespace))
            {
                let offset = text[..at].matches('\n').count();
                out.push((offset, code));
            }
            start = at + 1;
        }
        if depth == 0 && at > open {
            break;
        }
    }
    out
}

fn rust_sources(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_types_do_not_derive_clone_partial_eq_or_debug_nor_have_public_fields() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut files = Vec::new();
        for krate in fs::read_dir(root.join("crates")).unwrap().flatten() {
            rust_sources(&krate.path().join("src"), &mut files);
        }
        assert!(!files.is_empty());
        let mut problems = Vec::new();
        let mut defined = Vec::new();
        for file in &files {
            let text = fs::read_to_string(file).unwrap();
            let (findings, types) = check_source(&text, SECRET_TYPES);
            defined.extend(types);
            for f in findings {
                problems.push(format!("{}:{}: {}", file.display(), f.line, f.message));
            }
        }
        for name in SECRET_TYPES {
            assert!(
                defined.iter().any(|d| d == name),
                "secret type `{name}` is defined nowhere: update SECRET_TYPES"
            );
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    fn messages(text: &str) -> Vec<String> {
        check_source(text, &["Secret"])
            .0
            .into_iter()
            .map(|f| format!("{}: {}", f.line, f.message))
            .collect()
    }

    #[test]
    fn the_scanner_catches_derives() {
        assert_eq!(
            messages("/// A key.\n#[derive(Clone, Zeroize)]\npub struct Secret(Vec<u8>);\n"),
            ["3: secret type `Secret` derives `Clone`"]
        );
        assert_eq!(
            messages(
                "#[derive(\n    Debug,\n    core::cmp::PartialEq,\n)]\n#[zeroize(drop)]\npub(crate) struct Secret {\n    k: u8,\n}\n"
            ),
            [
                "6: secret type `Secret` derives `PartialEq`",
                "6: secret type `Secret` derives `Debug`"
            ]
        );
        // Other types, and derives of an earlier item, are not the secret's.
        assert!(messages("#[derive(Clone)]\nstruct Public;\n\nstruct Secret;\n").is_empty());
        assert!(messages("#[derive(Clone)]\nstruct SecretKeeper;\n").is_empty());
        assert!(
            messages("#[derive(Zeroize, ZeroizeOnDrop)]\npub struct Secret(Vec<u8>);\n").is_empty()
        );
    }

    #[test]
    fn the_scanner_catches_public_fields() {
        assert_eq!(
            messages(
                "pub struct Secret {\n    /// Bytes.\n    pub key: Vec<u8>,\n    len: usize,\n}\n"
            ),
            ["3: secret type `Secret` has a public field: `pub key: Vec<u8>`"]
        );
        assert_eq!(
            messages("pub struct Secret(pub Vec<u8>);\n"),
            ["1: secret type `Secret` has a public field: `pub Vec<u8>`"]
        );
        assert!(
            messages(
                "pub struct Secret {\n    pub(crate) key: Vec<u8>,\n    map: HashMap<u8, u8>,\n}\n"
            )
            .is_empty()
        );
        assert!(messages("pub struct Secret(pub(crate) Vec<u8>);\n").is_empty());
    }

    #[test]
    fn the_scanner_catches_talkative_debug_and_manual_clone() {
        let debug = "impl fmt::Debug for Secret {\n    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {\n        f.debug_struct(\"Secret\").field(\"k\", &self.k).finish()\n    }\n}\n";
        assert_eq!(
            messages(debug),
            ["1: `Debug` of secret type `Secret` prints more than its name"]
        );
        let quiet = "impl fmt::Debug for Secret {\n    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {\n        f.write_str(\"Secret\")\n    }\n}\n";
        assert!(messages(quiet).is_empty());
        assert_eq!(
            messages("impl Clone for Secret {\n    fn clone(&self) -> Self { todo!() }\n}\n").len(),
            1
        );
    }
}

#[cfg(test)]
mod outside_references {
    use std::path::{Path, PathBuf};

    /// Code and documentation cite .NET's behaviour or this repository's docs, never section
    /// numbers of documents outside it. (Test-data READMEs name where their data came from:
    /// that provenance is required, so they are not scanned.)
    #[test]
    fn no_doc_points_outside_the_repository() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut files = vec![root.join("README.md")];
        collect(&root.join("docs"), &mut files);
        collect(&root.join("crates"), &mut files);
        collect(&root.join("xtask/src"), &mut files);
        let mut found = Vec::new();
        for file in files {
            let Ok(text) = std::fs::read_to_string(&file) else {
                continue;
            };
            for (n, line) in text.lines().enumerate() {
                let bad = line.contains("spec §")
                    || line.contains("shared/spec")
                    || line.contains(concat!("..", "/shared/"))
                    || line
                        .chars()
                        .zip(line.chars().skip(1))
                        .any(|(a, b)| a == '§' && b.is_ascii_digit());
                if bad && !line.contains("no_doc_points_outside") && !line.contains("line.contains")
                {
                    found.push(format!("{}:{}: {line}", file.display(), n + 1));
                }
            }
        }
        assert!(
            found.is_empty(),
            "references outside the repository:\n{}",
            found.join("\n")
        );
    }

    fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                if path.ends_with("data") || path.ends_with("target") {
                    continue;
                }
                collect(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs" || e == "md") {
                out.push(path);
            }
        }
    }
}
