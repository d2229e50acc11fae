//! `dp doctor` finds each seeded problem, with its code and a fix.
#![allow(
    clippy::unwrap_used,
    missing_docs,
    reason = "test code: a panic is a test failure, and test items need no docs"
)]

mod common;

use std::path::Path;

use common::{code, documented, dp, schema_document, stderr, stdout};

fn doctor(home: &Path, store: &[&str]) -> (i32, Vec<serde_json::Value>) {
    let mut args = store.to_vec();
    args.extend(["doctor", "--json"]);
    let out = dp(home, &args, b"");
    let json = schema_document(&stdout(&out));
    documented(&json);
    (code(&out), json["findings"].as_array().unwrap().clone())
}

fn codes(findings: &[serde_json::Value]) -> Vec<String> {
    findings
        .iter()
        .map(|f| {
            format!(
                "{} {}",
                f["severity"].as_str().unwrap(),
                f["code"].as_str().unwrap()
            )
        })
        .collect()
}

fn rfc3339(t: time::OffsetDateTime) -> String {
    t.replace_nanosecond(0)
        .unwrap()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

#[test]
fn finds_each_seeded_problem() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("keys");
    let keys = dir.to_str().unwrap();
    let ring = ["--key-dir", keys];
    let new = |extra: &[&str]| {
        let mut args = vec!["--key-dir", keys, "keys", "new"];
        args.extend(extra);
        let out = dp(home.path(), &args, b"");
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        stdout(&out).trim().to_owned()
    };

    // No key at all.
    let (exit, findings) = doctor(home.path(), &ring);
    assert_eq!(exit, 1);
    assert!(
        codes(&findings).contains(&"error no_default_key".to_owned()),
        "{findings:?}"
    );
    assert!(findings[0]["fix"].as_str().unwrap().contains("dp"));

    // A default key expiring tomorrow, no successor: a warning, exit 0.
    let now = time::OffsetDateTime::now_utc();
    let expiring = new(&[
        "--lifetime",
        "7",
        "--activate-at",
        &rfc3339(now - time::Duration::days(6)),
    ]);
    let (exit, findings) = doctor(home.path(), &ring);
    assert_eq!(exit, 0, "{findings:?}");
    let found = findings
        .iter()
        .find(|f| f["code"] == "expiring_key")
        .unwrap();
    assert_eq!(found["severity"], "warning");
    assert_eq!(found["key_id"], expiring.as_str());

    // A successor ends the warning; revoking it (the newest activated key) is an error.
    let successor = new(&[]);
    let (_, findings) = doctor(home.path(), &ring);
    assert!(
        !codes(&findings).iter().any(|c| c.ends_with("expiring_key")),
        "{findings:?}"
    );
    let out = dp(
        home.path(),
        &["--key-dir", keys, "keys", "revoke", "--key-id", &successor],
        b"",
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let (exit, findings) = doctor(home.path(), &ring);
    assert_eq!(exit, 1);
    let found = findings
        .iter()
        .find(|f| f["code"] == "revoked_default")
        .unwrap();
    assert_eq!(found["key_id"], successor.as_str());

    // An unreadable key.
    std::fs::write(
        dir.join("key-broken.xml"),
        "<key id=\"0f8fad5b-d9cb-469f-a165-70867728950e\" version=\"1\"><creationDate>yesterday</creationDate></key>",
    )
    .unwrap();
    let (_, findings) = doctor(home.path(), &ring);
    assert!(
        codes(&findings).contains(&"error unreadable_key".to_owned()),
        "{findings:?}"
    );
    std::fs::remove_file(dir.join("key-broken.xml")).unwrap();

    // Two elements with one id.
    let original = dir.join(format!("key-{expiring}.xml"));
    std::fs::copy(&original, dir.join("key-copy.xml")).unwrap();
    let (exit, findings) = doctor(home.path(), &ring);
    assert_eq!(exit, 1);
    assert_eq!(codes(&findings), ["error duplicate_id"]);
    assert_eq!(findings[0]["key_id"], expiring.as_str());

    // A store that cannot be reached.
    let (exit, findings) = doctor(
        home.path(),
        &["--key-store", "redis://u:s3cret@127.0.0.1:1/0"],
    );
    assert_eq!(exit, 1);
    assert_eq!(codes(&findings), ["error unreachable"]);
    assert!(!findings[0]["message"].as_str().unwrap().contains("s3cret"));
}
