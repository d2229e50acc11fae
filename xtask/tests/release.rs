//! `cargo xtask release` on a scratch clone of this repository's HEAD: the dry run changes
//! nothing, placeholders and a dirty tree are refused, and a real release bumps every version,
//! dates the changelog, commits and tags.
//!
//! The clone is never built: the xtask binary under test runs on it with `--repo`, and
//! `DP_XTASK_RELEASE_SKIP_CHECKS=1` leaves out `cargo xtask ci` and the publish dry run, which
//! would build the whole workspace again. Those two steps are what this test does not cover.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs,
    reason = "test code: a panic is a test failure, and test items need no docs"
)]

use std::path::Path;
use std::process::{Command, Output};

use toml_edit::DocumentMut;

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn xtask_release(repo: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("release")
        .args(args)
        .arg("--repo")
        .arg(repo)
        .env("DP_XTASK_RELEASE_SKIP_CHECKS", "1")
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Everything a release may touch, to compare before and after.
fn snapshot(repo: &Path) -> (String, String, String, String) {
    (
        git(repo, &["rev-parse", "HEAD"]),
        git(repo, &["status", "--porcelain", "--ignored"]),
        git(repo, &["tag", "--list"]),
        git(repo, &["diff", "HEAD"]),
    )
}

/// The lines between `## [Unreleased]` and the next `## ` heading.
fn unreleased_body(changelog: &str) -> String {
    changelog
        .split("## [Unreleased]\n")
        .nth(1)
        .expect("an Unreleased heading")
        .split("\n## ")
        .next()
        .unwrap()
        .to_owned()
}

fn tracked_files_named(repo: &Path, names: &[&str]) -> Vec<String> {
    git(repo, &["ls-files"])
        .lines()
        .filter(|p| names.contains(&p.rsplit('/').next().unwrap()))
        .map(str::to_owned)
        .collect()
}

#[test]
fn release_in_a_scratch_clone() {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    let out = Command::new("git")
        .args(["clone", "--quiet"])
        .arg(source)
        .arg(&repo)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    for (key, value) in [
        ("user.name", "Release Test"),
        ("user.email", "release-test@example.org"),
        ("commit.gpgsign", "false"),
        ("tag.gpgsign", "false"),
    ] {
        git(&repo, &["config", key, value]);
    }

    let manifest: DocumentMut = std::fs::read_to_string(repo.join("Cargo.toml"))
        .unwrap()
        .parse()
        .unwrap();
    let current = semver::Version::parse(
        manifest["workspace"]["package"]["version"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    // 0.2.0 while the workspace is at 0.1.x.
    let new = semver::Version::new(current.major, current.minor + 1, 0).to_string();

    // Something to release, whatever HEAD's changelog holds.
    let changelog_path = repo.join("CHANGELOG.md");
    let changelog = std::fs::read_to_string(&changelog_path).unwrap();
    let changelog = changelog.replacen(
        "## [Unreleased]\n",
        "## [Unreleased]\n\n- An entry of the release test.\n",
        1,
    );
    std::fs::write(&changelog_path, changelog).unwrap();
    git(&repo, &["commit", "--quiet", "-am", "Changelog entry"]);

    // Placeholders are in HEAD (the repository URL at least): the dry run warns and changes
    // nothing; the release refuses, naming the file and line.
    let before = snapshot(&repo);
    let out = xtask_release(&repo, &[&new, "--dry-run"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("DP_XTASK_RELEASE_SKIP_CHECKS=1"),
        "{stderr}"
    );
    assert!(stderr.contains("warning: placeholders remain"), "{stderr}");
    assert!(stderr.contains("Cargo.toml:"), "{stderr}");
    let stdout = text(&out.stdout);
    assert!(stdout.contains("would edit Cargo.toml"), "{stdout}");
    assert!(stdout.contains("would edit CHANGELOG.md"), "{stdout}");
    assert!(stdout.contains("nothing was changed"), "{stdout}");
    assert_eq!(snapshot(&repo), before, "the dry run changed something");

    let out = xtask_release(&repo, &[&new]);
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(stderr.contains("error: placeholders remain"), "{stderr}");
    assert!(
        stderr.contains("Cargo.toml:") && stderr.contains("example.invalid"),
        "{stderr}"
    );
    assert_eq!(
        snapshot(&repo),
        before,
        "a refused release changed something"
    );

    // Fill the placeholders.
    for path in tracked_files_named(&repo, &["Cargo.toml", "README.md", "SECURITY.md"]) {
        let file = repo.join(&path);
        let content = std::fs::read_to_string(&file).unwrap();
        if content.contains("example.invalid") {
            std::fs::write(&file, content.replace("example.invalid", "example.org")).unwrap();
        }
    }
    git(
        &repo,
        &["commit", "--quiet", "-am", "Fill the placeholders"],
    );

    // A dirty tree is refused.
    std::fs::write(repo.join("stray.txt"), "x").unwrap();
    let out = xtask_release(&repo, &[&new]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("dirty"), "{}", text(&out.stderr));
    std::fs::remove_file(repo.join("stray.txt")).unwrap();

    // The release.
    let released_from = git(&repo, &["rev-parse", "HEAD"]);
    let out = xtask_release(&repo, &[&new]);
    assert!(
        out.status.success(),
        "{}\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert_eq!(git(&repo, &["status", "--porcelain"]), "", "all committed");

    // Versions: the workspace's, every internal requirement, the lockfile's members.
    let manifest: DocumentMut = std::fs::read_to_string(repo.join("Cargo.toml"))
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        manifest["workspace"]["package"]["version"].as_str(),
        Some(new.as_str())
    );
    let deps = manifest["workspace"]["dependencies"]
        .as_table_like()
        .unwrap();
    let mut internal = 0;
    for (name, dep) in deps.iter() {
        if dep.get("path").is_some() {
            internal += 1;
            assert_eq!(
                dep.get("version").and_then(|v| v.as_str()),
                Some(new.as_str()),
                "{name}"
            );
        }
    }
    assert!(internal >= 5, "the dp-* crates are workspace dependencies");
    let lock: DocumentMut = std::fs::read_to_string(repo.join("Cargo.lock"))
        .unwrap()
        .parse()
        .unwrap();
    let packages = lock["package"].as_array_of_tables().unwrap();
    let members: Vec<_> = packages
        .iter()
        .filter(|p| !p.contains_key("source"))
        .collect();
    assert!(members.len() >= 6);
    for package in members {
        assert_eq!(
            package["version"].as_str(),
            Some(new.as_str()),
            "{}",
            package["name"]
        );
    }
    // Nothing of the old version is left as an internal requirement anywhere.
    for path in tracked_files_named(&repo, &["Cargo.toml"]) {
        let doc: DocumentMut = std::fs::read_to_string(repo.join(&path))
            .unwrap()
            .parse()
            .unwrap();
        if let Some(deps) = doc.get("dependencies").and_then(|d| d.as_table_like()) {
            for (name, dep) in deps.iter() {
                if let (Some(_), Some(v)) = (dep.get("path"), dep.get("version")) {
                    assert_eq!(v.as_str(), Some(new.as_str()), "{path}: {name}");
                }
            }
        }
    }

    // The changelog: a dated section with the entry, an empty Unreleased above it.
    let changelog = std::fs::read_to_string(&changelog_path).unwrap();
    let heading = format!("## [{new}] - ");
    let dated = changelog
        .lines()
        .find(|l| l.starts_with(&heading))
        .expect("a dated section");
    let date = &dated[heading.len()..];
    assert!(
        date.len() == 10 && date.as_bytes()[4] == b'-' && date.as_bytes()[7] == b'-',
        "{dated}"
    );
    assert_eq!(unreleased_body(&changelog).trim(), "");
    let unreleased_at = changelog.find("## [Unreleased]").unwrap();
    let dated_at = changelog.find(&heading).unwrap();
    let entry_at = changelog.find("- An entry of the release test.").unwrap();
    assert!(unreleased_at < dated_at && dated_at < entry_at);

    // The commit and the annotated tag on it.
    assert_eq!(
        git(&repo, &["log", "-1", "--format=%s"]).trim(),
        format!("Release {new}")
    );
    assert_eq!(
        git(&repo, &["rev-parse", "HEAD~1"]),
        released_from,
        "one commit"
    );
    let tag = format!("v{new}");
    assert_eq!(git(&repo, &["cat-file", "-t", &tag]).trim(), "tag");
    assert_eq!(
        git(&repo, &["rev-parse", &format!("{tag}^{{commit}}")]),
        git(&repo, &["rev-parse", "HEAD"])
    );
    // Nothing was pushed: the source repository has no such tag.
    assert_eq!(git(source, &["tag", "--list", &tag]).trim(), "");

    // The same version again is refused.
    let out = xtask_release(&repo, &[&new]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("released already"));
}
