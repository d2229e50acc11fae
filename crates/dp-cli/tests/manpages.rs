//! The hidden `dp manpages DIR` that `cargo xtask dist` runs: a page for dp and for each
//! subcommand, generated from the command definitions.
#![allow(
    clippy::unwrap_used,
    missing_docs,
    reason = "test code: a panic is a test failure, and test items need no docs"
)]

use std::process::Command;

fn dp(args: &[&std::ffi::OsStr]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_dp"))
        .args(args)
        .env_remove("DP_KEY_DIR")
        .env_remove("DP_KEY_STORE")
        .output()
        .unwrap()
}

#[test]
fn manpages_writes_a_page_for_dp_and_every_visible_subcommand() {
    let tmp = tempfile::tempdir().unwrap();
    // A directory that does not exist yet: the command creates it.
    let dir = tmp.path().join("man");
    let out = dp(&["manpages".as_ref(), dir.as_os_str()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty());

    let page = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap_or_default();
    let top = page("dp.1");
    assert!(top.starts_with(".ie"), "{top}");
    assert!(top.contains(".TH dp 1"), "{top}");
    assert!(top.contains("keys"), "the top page lists the subcommands");
    let list = page("dp-keys-list.1");
    assert!(list.contains(".TH dp-keys-list 1"), "{list}");
    assert!(
        list.contains("key\\-dir"),
        "ring options are on the page: {list}"
    );
    for name in [
        "dp-keys.1",
        "dp-protect.1",
        "dp-unprotect.1",
        "dp-envelope-seal.1",
        "dp-cookie-decode.1",
        "dp-completions.1",
    ] {
        assert!(!page(name).is_empty(), "{name}");
    }
    // Neither the hidden command itself nor clap's `help` subcommand gets a page.
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert!(
        names
            .iter()
            .all(|n| n.starts_with("dp") && n.ends_with(".1")),
        "{names:?}"
    );
    assert!(!names.iter().any(|n| n.contains("manpages")), "{names:?}");
    assert!(!names.iter().any(|n| n.contains("help")), "{names:?}");
}

#[test]
fn manpages_is_not_in_the_help() {
    let out = dp(&["--help".as_ref()]);
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    assert!(help.contains("completions"), "{help}");
    assert!(!help.contains("manpages"), "{help}");
}

#[test]
fn manpages_requires_a_directory() {
    let out = dp(&["manpages".as_ref()]);
    assert_eq!(out.status.code(), Some(2));
}
