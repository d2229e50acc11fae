//! `cargo xtask release`: cuts a release in the local repository; it never pushes or uploads.
//!
//! ```text
//! cargo xtask release VERSION [--dry-run] [--repo PATH]
//! ```
//!
//! In order, cheapest first, and stopping at the first refusal:
//! 1. VERSION is semver and above the workspace's version (or equal to it while that version has
//!    no tag: the first release of 0.1.0), and its tag `vVERSION` does not exist yet;
//! 2. the tree is clean (`git status --porcelain` prints nothing);
//! 3. no placeholder (`example.invalid`, see [`PLACEHOLDER`]) is left in a `Cargo.toml`,
//!    `README.md` or `SECURITY.md` (a warning under `--dry-run`);
//! 4. `cargo xtask ci` passes;
//! 5. the version is set: `[workspace.package] version`, any member's own `[package] version`,
//!    the `version` requirement of every path dependency on a member (in
//!    `[workspace.dependencies]` and in the members' manifests: `cargo publish` needs it), and
//!    the members' entries in every committed `Cargo.lock`;
//! 6. CHANGELOG.md's `## [Unreleased]` section moves under `## [VERSION] - YYYY-MM-DD` (today,
//!    UTC), leaving an empty Unreleased section;
//! 7. `cargo publish --workspace --dry-run --locked` packages every publishable crate in
//!    dependency order and builds each from its package (cargo resolves the workspace crates
//!    that are not on crates.io yet from the packages it has just made);
//! 8. the commit "Release VERSION" and the annotated tag `vVERSION`.
//!
//! A failure in 7 or in the commit puts back the files of 5 and 6. `--dry-run` makes the same
//! checks, runs the publish dry run on the versions as they are, and prints the edits it would
//! make; it writes nothing in the tree (cargo writes under `target/` only).
//!
//! `DP_XTASK_RELEASE_SKIP_CHECKS=1` skips steps 4 and 7. It exists only for xtask's own test
//! (`xtask/tests/release.rs`), which releases a scratch clone and must not build it; a real
//! release never sets it.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use semver::Version;
use serde_json::Value as Json;
use toml_edit::{DocumentMut, Item, TableLike, Value};

use crate::{run, workspace_root};

/// The marker of a value nobody knows yet (the repository URL, the security contact): `.invalid`
/// is reserved (RFC 2606), so no such address can ever work by accident.
pub(crate) const PLACEHOLDER: &str = "example.invalid";

/// Skips `cargo xtask ci` and the publish dry run; for xtask's own release test only.
pub(crate) const SKIP_CHECKS_VAR: &str = "DP_XTASK_RELEASE_SKIP_CHECKS";

/// Parsed command line.
#[derive(Debug, PartialEq)]
pub(crate) struct Options {
    pub version: Version,
    pub dry_run: bool,
    pub repo: PathBuf,
}

pub(crate) fn parse(args: &[String]) -> Result<Options, String> {
    const USAGE: &str = "usage: cargo xtask release VERSION [--dry-run] [--repo PATH]";
    let mut version = None;
    let mut dry_run = false;
    let mut repo = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--dry-run" => dry_run = true,
            "--repo" => {
                let path = args
                    .next()
                    .ok_or_else(|| format!("--repo needs a path; {USAGE}"))?;
                repo = Some(PathBuf::from(path));
            }
            flag if flag.starts_with('-') => return Err(format!("unknown option {flag}; {USAGE}")),
            text if version.is_none() => version = Some(parse_version(text)?),
            extra => return Err(format!("unexpected argument `{extra}`; {USAGE}")),
        }
    }
    Ok(Options {
        version: version.ok_or_else(|| USAGE.to_owned())?,
        dry_run,
        repo: repo.unwrap_or_else(workspace_root),
    })
}

fn parse_version(text: &str) -> Result<Version, String> {
    Version::parse(text).map_err(|e| {
        let hint = if text.starts_with('v') {
            " (without the `v`: the tag gets it)"
        } else {
            ""
        };
        format!("VERSION `{text}` is not semver: {e}{hint}")
    })
}

/// Whether to skip the expensive checks, and a loud note when they are skipped.
fn skip_checks() -> bool {
    let skip = std::env::var(SKIP_CHECKS_VAR).is_ok_and(|v| v == "1");
    if skip {
        eprintln!(
            "warning: {SKIP_CHECKS_VAR}=1: NOT running `cargo xtask ci` NOR `cargo publish \
             --dry-run`. This variable exists only for xtask's own release test; never set it \
             for a real release."
        );
    }
    skip
}

pub(crate) fn release(options: &Options) -> Result<(), String> {
    let root = options
        .repo
        .canonicalize()
        .map_err(|e| format!("{}: {e}", options.repo.display()))?;
    let new = &options.version;
    let skip = skip_checks();
    let mode = if options.dry_run { "dry run: " } else { "" };

    let root_manifest = read(&root, "Cargo.toml")?;
    let current = workspace_version(&root_manifest)?;
    let tag = format!("v{new}");
    check_version(
        &current,
        new,
        git_tag_exists(&root, &format!("v{current}"))?,
    )?;
    if git_tag_exists(&root, &tag)? {
        return Err(format!("the tag {tag} exists already"));
    }
    println!("==> {mode}release {new} (the workspace is at {current})");

    let status = git(&root, &["status", "--porcelain"])?;
    if !status.trim().is_empty() {
        return Err(format!(
            "the tree is dirty: commit or stash first\n{}",
            status.trim_end()
        ));
    }

    let placeholders = find_placeholders(&root)?;
    if !placeholders.is_empty() {
        let list = placeholders.join("\n  ");
        if !options.dry_run {
            return Err(format!(
                "placeholders remain (`{PLACEHOLDER}`): fill them in before a release\n  {list}"
            ));
        }
        eprintln!(
            "warning: placeholders remain (`{PLACEHOLDER}`); a release without --dry-run \
             refuses them:\n  {list}"
        );
    }

    if !skip {
        run("cargo xtask ci", cargo_in(&root).args(["xtask", "ci"]))?;
        // A stale Cargo.lock, say, that the build rewrote: it would stay out of the commit.
        let status = git(&root, &["status", "--porcelain"])?;
        if !status.trim().is_empty() {
            return Err(format!(
                "`cargo xtask ci` changed the tree: commit what it changed first\n{}",
                status.trim_end()
            ));
        }
    }

    let members = workspace_members(&root)?;
    let date = today()?;
    let edits = plan(&root, &members, new, &date)?;
    let order = publish_order(&members);
    println!(
        "==> {mode}{} crates to publish, in dependency order: {}",
        order.len(),
        order.join(", ")
    );

    let message = format!("Release {new}");
    if options.dry_run {
        for edit in &edits {
            println!("would edit {}:", edit.path);
            for change in &edit.changes {
                println!("  {change}");
            }
        }
        if !skip {
            // On the versions as they are: the bumped ones would need the edits in the tree.
            run(
                "cargo publish --workspace --dry-run --locked (current versions)",
                cargo_in(&root).args(["publish", "--workspace", "--dry-run", "--locked"]),
            )?;
        }
        println!("would run: cargo publish --workspace --dry-run --locked (at {new})");
        println!("would commit \"{message}\" and create the annotated tag {tag}");
        println!("==> dry run: nothing was changed");
        return Ok(());
    }

    let applied = edits
        .iter()
        .try_for_each(|edit| write(&root, &edit.path, &edit.after))
        .and_then(|()| publish_check_and_commit(&root, &edits, skip, &message));
    if let Err(e) = applied {
        // Best effort, and safe: the tree was clean, so these files held nothing else. The
        // error that matters is the one reported.
        let mut reset = vec!["reset", "--quiet", "--"];
        reset.extend(edits.iter().map(|e| e.path.as_str()));
        let _ = git(&root, &reset);
        for edit in &edits {
            let _ = write(&root, &edit.path, &edit.before);
        }
        return Err(format!("{e} (the edited files were put back)"));
    }
    git(&root, &["tag", "-a", &tag, "-m", &message]).map_err(|e| {
        format!(
            "{e}\nthe commit \"{message}\" is made; tag it with: git tag -a {tag} -m \"{message}\""
        )
    })?;
    println!("==> released {new}: commit \"{message}\", tag {tag}");
    println!("next: git push origin HEAD {tag} && cargo publish --workspace");
    Ok(())
}

/// Step 7 and the commit of step 8, on the edited tree.
fn publish_check_and_commit(
    root: &Path,
    edits: &[Edit],
    skip: bool,
    message: &str,
) -> Result<(), String> {
    if !skip {
        // --allow-dirty: the tree was clean, so the only changes are the release's own edits.
        run(
            "cargo publish --workspace --dry-run --locked",
            cargo_in(root).args([
                "publish",
                "--workspace",
                "--dry-run",
                "--locked",
                "--allow-dirty",
            ]),
        )?;
    }
    let mut add = vec!["add", "--"];
    add.extend(edits.iter().map(|e| e.path.as_str()));
    git(root, &add)?;
    git(root, &["commit", "--quiet", "-m", message])?;
    Ok(())
}

/// A file's new text and what changed in it.
#[derive(Debug)]
struct Edit {
    /// Relative to the workspace root, with `/`.
    path: String,
    before: String,
    after: String,
    changes: Vec<String>,
}

/// A workspace member, from `cargo metadata`.
#[derive(Debug)]
struct Member {
    name: String,
    /// The manifest, relative to the workspace root.
    manifest: String,
    publish: bool,
    /// The members it needs to build (normal and build dependencies; dev-dependencies are not
    /// part of a published crate's requirements).
    needs: BTreeSet<String>,
}

/// The publishable members, each after the members it needs (cargo publishes in such an
/// order; ties alphabetical).
fn publish_order(members: &[Member]) -> Vec<String> {
    let mut left: Vec<&Member> = members.iter().filter(|m| m.publish).collect();
    left.sort_by(|a, b| a.name.cmp(&b.name));
    let mut done: Vec<String> = Vec::new();
    while !left.is_empty() {
        let ready = left
            .iter()
            .position(|m| {
                m.needs
                    .iter()
                    .all(|n| done.contains(n) || !left.iter().any(|l| &l.name == n))
            })
            // A cycle cannot build; list the rest as they come rather than loop.
            .unwrap_or(0);
        done.push(left.remove(ready).name.clone());
    }
    done
}

/// Steps 5 and 6, computed without writing anything.
fn plan(root: &Path, members: &[Member], new: &Version, date: &str) -> Result<Vec<Edit>, String> {
    let names: BTreeSet<String> = members.iter().map(|m| m.name.clone()).collect();
    let new_text = new.to_string();
    let mut edits = Vec::new();
    let mut push = |path: &str, before: String, result: (String, Vec<String>)| {
        let (after, changes) = result;
        if after != before {
            edits.push(Edit {
                path: path.to_owned(),
                before,
                after,
                changes,
            });
        }
    };

    let manifests =
        std::iter::once("Cargo.toml".to_owned()).chain(members.iter().map(|m| m.manifest.clone()));
    for path in manifests {
        let before = read(root, &path)?;
        let result =
            bump_manifest(&before, &names, &new_text).map_err(|e| format!("{path}: {e}"))?;
        push(&path, before, result);
    }
    for path in git(root, &["ls-files", "--", "Cargo.lock", "*/Cargo.lock"])?.lines() {
        let before = read(root, path)?;
        let result = bump_lock(&before, &names, &new_text).map_err(|e| format!("{path}: {e}"))?;
        push(path, before, result);
    }
    let before = read(root, "CHANGELOG.md")?;
    let after =
        move_unreleased(&before, &new_text, date).map_err(|e| format!("CHANGELOG.md: {e}"))?;
    let changes = vec![format!(
        "## [Unreleased] moves under ## [{new_text}] - {date}; Unreleased is left empty"
    )];
    push("CHANGELOG.md", before, (after, changes));
    Ok(edits)
}

/// `[workspace.package] version`.
fn workspace_version(manifest: &str) -> Result<Version, String> {
    let doc: DocumentMut = manifest.parse().map_err(|e| format!("Cargo.toml: {e}"))?;
    let text = doc
        .get("workspace")
        .and_then(|w| w.get("package"))
        .and_then(|p| p.get("version"))
        .and_then(Item::as_str)
        .ok_or("Cargo.toml: no [workspace.package] version")?;
    Version::parse(text).map_err(|e| format!("Cargo.toml: version `{text}`: {e}"))
}

/// VERSION must be above the current one; equal is allowed while the current version has no
/// tag, so that the first release can be 0.1.0, the version the workspace started at.
fn check_version(current: &Version, new: &Version, current_tagged: bool) -> Result<(), String> {
    if new > current || (new == current && !current_tagged) {
        Ok(())
    } else if new == current {
        Err(format!("{new} is released already (tag v{current})"))
    } else {
        Err(format!("{new} is not above the current version {current}"))
    }
}

/// Sets the version in one manifest: the workspace's (or a member's own) package version, and
/// the `version` of each path dependency on a workspace member, added where it is missing.
/// Comments and layout stay as they are.
fn bump_manifest(
    text: &str,
    members: &BTreeSet<String>,
    new: &str,
) -> Result<(String, Vec<String>), String> {
    let mut doc: DocumentMut = text.parse().map_err(|e| format!("{e}"))?;
    let mut changes = Vec::new();
    for (table, label) in [
        ("workspace", "[workspace.package]"),
        ("package", "[package]"),
    ] {
        let version = if table == "workspace" {
            doc.get_mut("workspace")
                .and_then(|w| w.get_mut("package"))
                .and_then(|p| p.get_mut("version"))
        } else {
            doc.get_mut("package").and_then(|p| p.get_mut("version"))
        };
        // `version.workspace = true` is no string (set_string leaves it) and follows the
        // workspace.
        if let Some(old) = version.and_then(|v| set_string(v, new)) {
            changes.push(format!("{label} version {old} -> {new}"));
        }
    }
    if let Some(deps) = doc
        .get_mut("workspace")
        .and_then(|w| w.get_mut("dependencies"))
        .and_then(Item::as_table_like_mut)
    {
        bump_deps(deps, "[workspace.dependencies]", members, new, &mut changes);
    }
    for kind in ["dependencies", "dev-dependencies", "build-dependencies"] {
        if let Some(deps) = doc.get_mut(kind).and_then(Item::as_table_like_mut) {
            bump_deps(deps, &format!("[{kind}]"), members, new, &mut changes);
        }
    }
    if let Some(targets) = doc.get_mut("target").and_then(Item::as_table_like_mut) {
        for (cfg, target) in targets.iter_mut() {
            for kind in ["dependencies", "dev-dependencies", "build-dependencies"] {
                if let Some(deps) = target.get_mut(kind).and_then(Item::as_table_like_mut) {
                    let label = format!("[target.{}.{kind}]", cfg.get());
                    bump_deps(deps, &label, members, new, &mut changes);
                }
            }
        }
    }
    Ok((doc.to_string(), changes))
}

fn bump_deps(
    deps: &mut dyn TableLike,
    label: &str,
    members: &BTreeSet<String>,
    new: &str,
    changes: &mut Vec<String>,
) {
    for (key, item) in deps.iter_mut() {
        let Some(dep) = item.as_table_like_mut() else {
            continue; // `name = "1"`: from a registry
        };
        let package = dep
            .get("package")
            .and_then(Item::as_str)
            .unwrap_or(key.get())
            .to_owned();
        if !dep.contains_key("path") || !members.contains(&package) {
            continue;
        }
        match dep.get_mut("version") {
            Some(version) => {
                if let Some(old) = set_string(version, new) {
                    changes.push(format!("{label} {key} version {old} -> {new}"));
                }
            }
            None => {
                dep.insert("version", toml_edit::value(new));
                // `{ path = "p" }` would become `{ path = "p" , version = … }`.
                if let Some(inline) = item.as_inline_table_mut() {
                    inline.fmt();
                }
                changes.push(format!("{label} {key} version (none) -> {new}"));
            }
        }
    }
}

/// Replaces a string value keeping the spaces and comments around it; returns the old value if
/// it changed.
fn set_string(item: &mut Item, new: &str) -> Option<String> {
    let value = item.as_value_mut()?;
    let old = value.as_str()?.to_owned();
    if old == new {
        return None;
    }
    let decor = value.decor().clone();
    *value = Value::from(new);
    *value.decor_mut() = decor;
    Some(old)
}

/// Sets the version of the workspace members in a lockfile: the `[[package]]` entries without
/// a `source` (a path package) whose name is a member's.
fn bump_lock(
    text: &str,
    members: &BTreeSet<String>,
    new: &str,
) -> Result<(String, Vec<String>), String> {
    let mut doc: DocumentMut = text.parse().map_err(|e| format!("{e}"))?;
    let mut changes = Vec::new();
    let packages = doc
        .get_mut("package")
        .and_then(Item::as_array_of_tables_mut)
        .ok_or("no [[package]] entries")?;
    for package in packages.iter_mut() {
        let Some(name) = package
            .get("name")
            .and_then(Item::as_str)
            .map(str::to_owned)
        else {
            continue;
        };
        if package.contains_key("source") || !members.contains(&name) {
            continue;
        }
        if let Some(old) = package.get_mut("version").and_then(|v| set_string(v, new)) {
            changes.push(format!("{name} {old} -> {new}"));
        }
    }
    Ok((doc.to_string(), changes))
}

/// Moves the body of `## [Unreleased]` under `## [VERSION] - DATE`, right below an Unreleased
/// heading left empty (Keep a Changelog).
fn move_unreleased(text: &str, version: &str, date: &str) -> Result<String, String> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let is_heading = |line: &str| line.starts_with("## ");
    let start = lines
        .iter()
        .position(|l| l.trim_end() == "## [Unreleased]")
        .ok_or("no `## [Unreleased]` heading")?;
    if lines
        .iter()
        .any(|l| l.starts_with(&format!("## [{version}]")))
    {
        return Err(format!("a section for {version} exists already"));
    }
    // The section ends at the next heading of its level, or at the link definitions at the end.
    let end = lines
        .iter()
        .enumerate()
        .skip(start + 1)
        .find(|(_, l)| is_heading(l) || is_link_definition(l))
        .map_or(lines.len(), |(i, _)| i);
    let body = lines.get(start + 1..end).unwrap_or_default();
    let first = body
        .iter()
        .position(|l| !l.trim().is_empty())
        .ok_or("the Unreleased section is empty: nothing to release")?;
    let mut out = String::with_capacity(text.len() + 64);
    lines
        .get(..=start)
        .unwrap_or_default()
        .iter()
        .for_each(|l| out.push_str(l));
    if !out.ends_with('\n') {
        out.push('\n');
    }
    let _ = write!(out, "\n## [{version}] - {date}\n\n");
    body.get(first..)
        .unwrap_or_default()
        .iter()
        .for_each(|l| out.push_str(l));
    if end < lines.len() && !out.ends_with("\n\n") {
        out.push('\n');
    }
    lines
        .get(end..)
        .unwrap_or_default()
        .iter()
        .for_each(|l| out.push_str(l));
    Ok(out)
}

/// `[Unreleased]: https://…`, the link definitions Keep a Changelog puts at the end.
fn is_link_definition(line: &str) -> bool {
    line.starts_with('[') && line.contains("]: ")
}

/// Every `file:line: text` where a placeholder remains in a tracked `Cargo.toml`, `README.md`
/// or `SECURITY.md`. Test data (under a `tests/` directory) describes fixtures, not the project,
/// and is not searched.
fn find_placeholders(root: &Path) -> Result<Vec<String>, String> {
    let files = git(root, &["ls-files"])?;
    let mut found = Vec::new();
    for path in files.lines() {
        let name = path.rsplit('/').next().unwrap_or(path);
        let searched = matches!(name, "Cargo.toml" | "README.md" | "SECURITY.md")
            && !path.split('/').any(|dir| dir == "tests");
        if !searched {
            continue;
        }
        found.extend(placeholders_in(path, &read(root, path)?));
    }
    Ok(found)
}

fn placeholders_in(path: &str, text: &str) -> Vec<String> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| line.contains(PLACEHOLDER))
        .map(|(i, line)| format!("{path}:{}: {}", i + 1, line.trim()))
        .collect()
}

/// The workspace members, from `cargo metadata --no-deps` (no resolution, no lockfile write).
fn workspace_members(root: &Path) -> Result<Vec<Member>, String> {
    let output = cargo_in(root)
        .args([
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--offline",
        ])
        .output()
        .map_err(|e| format!("cargo metadata: cannot start: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    let metadata: Json =
        serde_json::from_slice(&output.stdout).map_err(|e| format!("cargo metadata: {e}"))?;
    let packages = metadata["packages"]
        .as_array()
        .ok_or("cargo metadata: no packages")?;
    packages
        .iter()
        .map(|p| {
            let name = p["name"]
                .as_str()
                .ok_or("cargo metadata: a package without a name")?;
            let manifest = p["manifest_path"]
                .as_str()
                .and_then(|m| Path::new(m).strip_prefix(root).ok())
                .ok_or_else(|| format!("cargo metadata: {name}'s manifest is outside the root"))?;
            let needs = p["dependencies"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|d| d["path"].is_string() && d["kind"].as_str() != Some("dev"))
                .filter_map(|d| d["name"].as_str().map(str::to_owned))
                .collect();
            Ok(Member {
                name: name.to_owned(),
                manifest: manifest.to_string_lossy().replace('\\', "/"),
                // `publish = false` is `[]`; absent (null) is crates.io.
                publish: p["publish"].as_array().is_none_or(|r| !r.is_empty()),
                needs,
            })
        })
        .collect()
}

/// Today's date in UTC, `YYYY-MM-DD`.
fn today() -> Result<String, String> {
    time::OffsetDateTime::now_utc()
        .format(time::macros::format_description!("[year]-[month]-[day]"))
        .map_err(|e| format!("cannot format today's date: {e}"))
}

fn cargo_in(root: &Path) -> Command {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.current_dir(root);
    cmd
}

/// Runs git in `root`; its stdout, or an error with its stderr.
fn git(root: &Path, args: &[&str]) -> Result<String, String> {
    let output = Command::new("git")
        .current_dir(root)
        .args(args)
        .output()
        .map_err(|e| format!("git: cannot start: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    String::from_utf8(output.stdout)
        .map_err(|_| format!("git {}: output is not UTF-8", args.join(" ")))
}

fn git_tag_exists(root: &Path, tag: &str) -> Result<bool, String> {
    let refs = git(root, &["tag", "--list", tag])?;
    Ok(refs.lines().any(|l| l.trim() == tag))
}

fn read(root: &Path, path: &str) -> Result<String, String> {
    fs::read_to_string(root.join(path)).map_err(|e| format!("{path}: {e}"))
}

fn write(root: &Path, path: &str, text: &str) -> Result<(), String> {
    fs::write(root.join(path), text).map_err(|e| format!("{path}: {e}"))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test code: a panic is a test failure")]

    use super::*;

    fn members() -> BTreeSet<String> {
        ["dp-format", "dp-crypto", "xtask"]
            .into_iter()
            .map(str::to_owned)
            .collect()
    }

    fn v(text: &str) -> Version {
        Version::parse(text).unwrap()
    }

    #[test]
    fn options_parse() {
        let args = |a: &[&str]| a.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let o = parse(&args(&["0.2.0", "--dry-run", "--repo", "/x"])).unwrap();
        assert_eq!(o.version, v("0.2.0"));
        assert!(o.dry_run);
        assert_eq!(o.repo, PathBuf::from("/x"));
        assert!(!parse(&args(&["1.0.0"])).unwrap().dry_run);
        assert!(parse(&args(&[])).unwrap_err().starts_with("usage"));
        assert!(
            parse(&args(&["v1.0.0"]))
                .unwrap_err()
                .contains("without the `v`")
        );
        assert!(parse(&args(&["1.0"])).unwrap_err().contains("not semver"));
        assert!(
            parse(&args(&["1.0.0", "2.0.0"]))
                .unwrap_err()
                .contains("unexpected")
        );
        assert!(
            parse(&args(&["1.0.0", "--push"]))
                .unwrap_err()
                .contains("unknown option")
        );
        assert!(
            parse(&args(&["1.0.0", "--repo"]))
                .unwrap_err()
                .contains("--repo")
        );
    }

    #[test]
    fn the_version_must_go_up() {
        assert!(check_version(&v("0.1.0"), &v("0.2.0"), true).is_ok());
        assert!(check_version(&v("0.1.0"), &v("0.1.1-rc.1"), true).is_ok());
        // The first release of the version the workspace started at.
        assert!(check_version(&v("0.1.0"), &v("0.1.0"), false).is_ok());
        let e = check_version(&v("0.1.0"), &v("0.1.0"), true).unwrap_err();
        assert!(e.contains("released already"), "{e}");
        let e = check_version(&v("0.2.0"), &v("0.1.9"), false).unwrap_err();
        assert!(e.contains("not above"), "{e}");
        assert!(check_version(&v("1.0.0"), &v("1.0.0-rc.1"), false).is_err());
    }

    const WORKSPACE: &str = r#"[workspace]
members = ["crates/*", "xtask"]

[workspace.package]
version = "0.1.0" # the one version of every crate
edition = "2024"

[workspace.dependencies]
dp-format = { path = "crates/dp-format", version = "0.1.0" }
dp-crypto = { path = "crates/dp-crypto" }
serde = { version = "0.1.0", features = ["derive"] }
other = { path = "vendor/other", version = "0.1.0" }
"#;

    #[test]
    fn the_workspace_manifest_is_bumped_in_place() {
        let (after, changes) = bump_manifest(WORKSPACE, &members(), "0.2.0").unwrap();
        let expected = WORKSPACE
            .replace(
                r#"version = "0.1.0" # the one"#,
                r#"version = "0.2.0" # the one"#,
            )
            .replace(
                r#"dp-format", version = "0.1.0" }"#,
                r#"dp-format", version = "0.2.0" }"#,
            )
            .replace(
                r#"path = "crates/dp-crypto" }"#,
                r#"path = "crates/dp-crypto", version = "0.2.0" }"#,
            );
        let reparsed: DocumentMut = after.parse().unwrap();
        assert_eq!(
            reparsed["workspace"]["dependencies"]["dp-crypto"]["version"].as_str(),
            Some("0.2.0")
        );
        assert_eq!(after, expected);
        // Registry dependencies and path dependencies outside the workspace keep theirs.
        assert_eq!(
            reparsed["workspace"]["dependencies"]["serde"]["version"].as_str(),
            Some("0.1.0")
        );
        assert_eq!(
            reparsed["workspace"]["dependencies"]["other"]["version"].as_str(),
            Some("0.1.0")
        );
        assert_eq!(changes.len(), 3, "{changes:?}");
        assert!(after.contains(r#"version = "0.2.0" # the one version of every crate"#));
    }

    #[test]
    fn member_manifests_with_their_own_versions_and_path_deps_are_bumped() {
        let member = r#"[package]
name = "dp-crypto"
version = "0.1.0"

[dependencies]
dp-format = { workspace = true }
fmt = { package = "dp-format", path = "../dp-format", version = "0.1.0" }

[target.'cfg(unix)'.dev-dependencies.xtask]
path = "../../xtask"
version = "0.1.0"
"#;
        let (after, changes) = bump_manifest(member, &members(), "1.0.0").unwrap();
        assert_eq!(after, member.replace("0.1.0", "1.0.0"));
        assert_eq!(changes.len(), 3, "{changes:?}");

        let inherited = "[package]\nname = \"dp-format\"\nversion.workspace = true\n\n\
                         [dependencies]\ndp-crypto.workspace = true\n";
        let (after, changes) = bump_manifest(inherited, &members(), "1.0.0").unwrap();
        assert_eq!(after, inherited);
        assert!(changes.is_empty());
    }

    #[test]
    fn only_the_members_path_packages_change_in_the_lockfile() {
        let lock = r#"# This file is automatically @generated by Cargo.
version = 4

[[package]]
name = "dp-crypto"
version = "0.1.0"
dependencies = [
 "dp-format",
]

[[package]]
name = "dp-format"
version = "0.1.0"

[[package]]
name = "xtask"
version = "0.1.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "00"
"#;
        let (after, changes) = bump_lock(lock, &members(), "0.2.0").unwrap();
        let expected = lock.replacen("version = \"0.1.0\"", "version = \"0.2.0\"", 2);
        assert_eq!(after, expected);
        assert_eq!(
            changes,
            ["dp-crypto 0.1.0 -> 0.2.0", "dp-format 0.1.0 -> 0.2.0"]
        );
    }

    #[test]
    fn crates_are_published_after_what_they_need() {
        let member = |name: &str, publish: bool, needs: &[&str]| Member {
            name: name.to_owned(),
            manifest: format!("crates/{name}/Cargo.toml"),
            publish,
            needs: needs.iter().map(|n| (*n).to_owned()).collect(),
        };
        let members = [
            member("dp-cli", true, &["dp-keyring", "dp-format"]),
            member("dp-keyring", true, &["dp-format", "dp-crypto"]),
            member("dp-format", true, &[]),
            member("dp-crypto", true, &["dp-format"]),
            member("xtask", false, &[]),
        ];
        assert_eq!(
            publish_order(&members),
            ["dp-format", "dp-crypto", "dp-keyring", "dp-cli"]
        );
    }

    const CHANGELOG: &str = "# Changelog\n\nIntro.\n\n## [Unreleased]\n\n### Added\n\n- A.\n\n\
                             ## [0.1.0] - 2026-01-01\n\n- B.\n";

    #[test]
    fn unreleased_moves_under_the_version() {
        let after = move_unreleased(CHANGELOG, "0.2.0", "2026-12-24").unwrap();
        assert_eq!(
            after,
            "# Changelog\n\nIntro.\n\n## [Unreleased]\n\n## [0.2.0] - 2026-12-24\n\n### Added\n\n\
             - A.\n\n## [0.1.0] - 2026-01-01\n\n- B.\n"
        );
        // Released again, with nothing new: refused.
        let e = move_unreleased(&after, "0.3.0", "2026-12-25").unwrap_err();
        assert!(e.contains("empty"), "{e}");
        let e = move_unreleased(CHANGELOG, "0.1.0", "2026-12-25").unwrap_err();
        assert!(e.contains("exists already"), "{e}");
        let e = move_unreleased("# Changelog\n", "0.1.0", "2026-12-25").unwrap_err();
        assert!(e.contains("no `## [Unreleased]`"), "{e}");
    }

    #[test]
    fn unreleased_as_the_last_section_with_link_definitions() {
        let text = "## [Unreleased]\n- A.\n[Unreleased]: https://host/compare/v0.1.0...HEAD\n";
        let after = move_unreleased(text, "0.2.0", "2026-12-24").unwrap();
        assert_eq!(
            after,
            "## [Unreleased]\n\n## [0.2.0] - 2026-12-24\n\n- A.\n\n\
             [Unreleased]: https://host/compare/v0.1.0...HEAD\n"
        );
        let after = move_unreleased("## [Unreleased]\n\n- A.", "0.2.0", "2026-12-24").unwrap();
        assert_eq!(after, "## [Unreleased]\n\n## [0.2.0] - 2026-12-24\n\n- A.");
    }

    #[test]
    fn placeholders_are_named_by_file_and_line() {
        let text = "[workspace.package]\nrepository = \"https://example.invalid/dp\"\n";
        assert_eq!(
            placeholders_in("Cargo.toml", text),
            ["Cargo.toml:2: repository = \"https://example.invalid/dp\""]
        );
        assert!(placeholders_in("README.md", "https://example.org/\n").is_empty());
    }
}
